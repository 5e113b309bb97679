//! Policy simulation throughput: 20 policies over 1,000 SBOMs of 1,000 components each, generated in
//! memory (a plain harness, no criterion).
//!
//! Run: `cargo bench --bench policy` (optional arguments: SBOMS COMPONENTS POLICIES).
//! Prints the time spent judging (generation excluded), SBOMs/s and component×policy judgements/s.

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

use std::time::{Duration, Instant};

use sovereign::model::{Component, Ecosystem, Edge, EdgeKind, Evidence, Inventory, LicenseValue, Location};
use sovereign::policy::simulate::Simulation;
use sovereign::policy::{self, Date, EvalOptions, Policy};

const COUNTRIES: [&str; 12] = ["US", "DE", "KR", "FR", "GB", "JP", "NL", "SE", "CA", "IN", "CN", "RU"];
/// Clean submissions draw from the first 9 countries and the first 5 licences only, with known origins.
const CLEAN_COUNTRIES: u64 = 9;
const CLEAN_LICENSES: u64 = 5;
const LICENSES: [&str; 12] = [
    "MIT",
    "Apache-2.0",
    "MIT OR Apache-2.0",
    "BSD-3-Clause",
    "ISC",
    "GPL-3.0-or-later",
    "LGPL-2.1-only",
    "Apache-2.0 WITH LLVM-exception",
    "MPL-2.0",
    "AGPL-3.0-only",
    "MIT AND (Apache-2.0 OR BSD-2-Clause)",
    "Custom licence text",
];
const NAMES: u64 = 5000;

/// Built through serde so optional fields the model grows keep their defaults.
fn evidence(value: &str, country: &str) -> Evidence {
    serde_json::from_value(serde_json::json!({
        "kind": "known-organisation", "value": value, "country": country, "weight": 0.8,
        "source": "rules/origins/orgs.yaml",
    }))
    .unwrap_or_else(|e| panic!("{e}"))
}

fn submission(seed: u64, components: usize) -> Inventory {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let base = rng.below(NAMES);
    // Two submissions in five are clean, so policies differ in what they pass.
    let clean = rng.below(5) < 2;
    let mut comps = Vec::with_capacity(components);
    for j in 0..components {
        let k = (base + j as u64 * 7) % NAMES;
        let version = format!("1.{}.{}", k % 13, rng.below(4));
        let name = format!("crate{k}");
        let purl = format!("pkg:cargo/{name}@{version}");
        let mut c = Component::new(Ecosystem::Cargo, &name, Some(version)).with_purl(purl);
        if clean || rng.below(10) < 7 {
            let n = if clean { CLEAN_COUNTRIES } else { COUNTRIES.len() as u64 };
            let cc = COUNTRIES[(k % n) as usize];
            c.origin.country = Some(cc.to_string());
            c.origin.confidence = if clean { 0.9 } else { 0.3 + (rng.below(70) as f64) / 100.0 };
            c.origin.evidence.push(evidence(&format!("org{}", k % 300), cc));
        }
        if clean || rng.below(20) != 0 {
            let n = if clean { CLEAN_LICENSES } else { LICENSES.len() as u64 };
            let l = LICENSES[(k % n) as usize];
            c.license.declared = Some(LicenseValue::declared(l, "Cargo.toml"));
        }
        if j < 30 {
            c.direct = true;
            c.found_in.push(Location::new("Cargo.toml", Some(10 + j as u32)));
        } else {
            c.found_in.push(Location::new("Cargo.lock", Some(100 + 6 * j as u32)));
        }
        comps.push(c);
    }
    let mut edges = Vec::with_capacity(components * 2);
    for j in 30..components {
        for _ in 0..2 {
            let p = rng.below(j as u64) as usize;
            edges.push(Edge { from: comps[p].id.clone(), to: comps[j].id.clone(), kind: EdgeKind::Normal });
        }
    }
    let mut inv = Inventory::default();
    inv.subject.name = format!("submission-{seed}");
    inv.extend(comps, edges, Vec::new());
    inv.normalize();
    inv
}

fn policies(n: usize) -> Vec<Policy> {
    let denies = ["[CN, RU]", "[CN, RU, KP, IR]", "[RU]", "[CN]", "[FIVE-EYES]"];
    let allows = [
        "allow: [MIT, Apache-2.0, BSD-3-Clause, ISC]",
        "allow_categories: [permissive, public-domain]",
        "deny_categories: [network-copyleft, strong-copyleft]",
        "deny: [AGPL-3.0-only, GPL-3.0-or-later]",
    ];
    (0..n)
        .map(|i| {
            let text = format!(
                r#"version: 1
name: policy-{i}
scope: [runtime, build]
origin:
  deny: {deny}
  {allow_origin}
  min_confidence: 0.{conf}
  unknown: {unknown}
licenses:
  {lic}
  unknown: warn
rules:
  - id: no-crate-{i}
    when: {{ purl: "pkg:cargo/crate{i}7*" }}
    severity: warning
  - id: direct-from-asia
    when: {{ direct: true, origin_in: [CN, JP, KR, IN] }}
    severity: warning
thresholds:
  - of: [US]
    max_share: 0.{share}
    severity: warning
  - unknown: origin
    max_share: 0.35
    severity: warning
waivers:
  - component: "pkg:cargo/crate1{i}*@>=1.0, <1.5"
    rule: origin
    reason: reviewed
    expires: 2027-01-01
  - component: "pkg:cargo/crate4999@*"
    rule: licenses
    reason: reviewed
"#,
                deny = denies[i % denies.len()],
                allow_origin = if i % 4 == 3 { "allow: [EU, OECD]" } else { "" },
                conf = 3 + i % 6,
                unknown = ["allow", "warn", "deny"][i % 3],
                lic = allows[i % allows.len()],
                share = 10 + (i * 3) % 30,
            );
            policy::from_str(&text, &format!("policy-{i}.yaml")).unwrap_or_else(|e| panic!("{e}"))
        })
        .collect()
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sboms = args.first().copied().unwrap_or(1000);
    let components = args.get(1).copied().unwrap_or(1000);
    let npol = args.get(2).copied().unwrap_or(20);
    let policies = policies(npol);
    let mut sim = Simulation::new(&policies, EvalOptions { today: Date { year: 2026, month: 6, day: 1 } });
    let (mut generating, mut judging) = (Duration::ZERO, Duration::ZERO);
    for s in 0..sboms {
        let t = Instant::now();
        let inv = submission(s as u64, components);
        generating += t.elapsed();
        let t = Instant::now();
        sim.add(&inv.subject.name, &inv);
        judging += t.elapsed();
    }
    let t = Instant::now();
    let report = sim.finish();
    judging += t.elapsed();
    let secs = judging.as_secs_f64();
    let judgements = (sboms * components * npol) as f64;
    println!(
        "policy simulate: {npol} policies x {sboms} SBOMs x {components} components: {:.2} s judging \
         ({:.1} SBOMs/s under all policies, {:.2} M component-policy judgements/s); generation {:.2} s",
        secs,
        sboms as f64 / secs,
        judgements / secs / 1e6,
        generating.as_secs_f64()
    );
    for p in report.policies.iter().take(3) {
        println!("  {}: {} passed, {} failed, {} rules fired", p.policy, p.passed, p.failed, p.rules.len());
    }
    println!("  flips between policies: {}", report.flips.len());
}
