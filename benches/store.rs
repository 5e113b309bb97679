//! The store at scale: 1,000 stored scans of 1,000 components each (generated, one submission per
//! scan), on SQLite and on a throwaway PostgreSQL on 127.0.0.1 (skipped when PostgreSQL is not
//! installed). Measures: storing, a cross-submission query by country, a licence query, a purl
//! query, and `policy simulate` over the stored inventory (two policies).
//!
//! Run: `cargo bench --bench store` (optional arguments: SCANS COMPONENTS; `sqlite` or `postgres` as
//! a third to run one backend only). Each scan stores a short SBOM stub: SBOM size adds to the scan
//! table, not to component queries.

#[path = "../tests/pg_cluster.rs"]
mod pg_cluster;

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

use std::time::Instant;

use sovereign::model::{Component, Ecosystem, Inventory, LicenseValue};
use sovereign::policy::simulate::Simulation;
use sovereign::policy::{self, EvalOptions};
use sovereign::store::{QueryFilter, ScanRecord, Store};

const COUNTRIES: [&str; 12] = ["US", "DE", "KR", "FR", "GB", "JP", "NL", "SE", "CA", "IN", "CN", "RU"];
const LICENSES: [&str; 6] =
    ["MIT", "Apache-2.0", "MIT OR Apache-2.0", "BSD-3-Clause", "ISC", "GPL-3.0-or-later"];

/// A submission: `n` distinct crates from a pool of 20 × `n` packages; RU rare (1 in 200), one in
/// ten unknown.
fn inventory(rng: &mut Rng, i: usize, n: usize) -> Inventory {
    let mut inv = Inventory::default();
    inv.subject.name = format!("entry-{i:04}");
    inv.subject.url = Some(format!("https://example.org/entry-{i:04}.git"));
    for k in 0..n {
        let p = k as u64 + 1000 * rng.below(20);
        let mut c = Component::new(Ecosystem::Cargo, format!("pkg{p}"), Some(format!("1.{}.0", p % 7)))
            .with_purl(format!("pkg:cargo/pkg{p}@1.{}.0", p % 7));
        c.direct = k < 20;
        let cc = if rng.below(200) == 0 { "RU" } else { COUNTRIES[rng.below(11) as usize] };
        if rng.below(10) > 0 {
            c.origin.country = Some(cc.to_string());
            c.origin.confidence = 0.9;
        }
        c.license.declared = Some(LicenseValue::declared(LICENSES[rng.below(6) as usize], "Cargo.toml"));
        inv.components.push(c);
    }
    inv
}

fn bench(label: &str, url: &str, scans: usize, comps: usize) {
    let mut store = Store::open(url).unwrap();
    let mut rng = Rng(0x5eed);
    let start = Instant::now();
    let mut stored = 0usize;
    for i in 0..scans {
        let inv = inventory(&mut rng, i, comps);
        stored += inv.components.len();
        let rec = ScanRecord {
            submission: inv.subject.name.clone(),
            url: inv.subject.url.clone(),
            commit: None,
            time: format!("2026-{:02}-{:02}T12:00:00Z", 1 + i % 12, 1 + i % 28),
            tool_version: "sovereign bench".into(),
            kb_version: "builtin".into(),
            sbom_json: format!("{{\"bomFormat\":\"CycloneDX\",\"note\":\"stub of entry-{i:04}\"}}"),
            inventory: &inv,
        };
        store.record_scan(&rec).unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{label}: stored {scans} scans, {stored} components in {secs:.1} s ({:.0} components/s)",
        stored as f64 / secs
    );

    let time = |what: &str, store: &mut Store, f: &QueryFilter| {
        let start = Instant::now();
        let rows = store.components(f).unwrap();
        let first = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let again = store.components(f).unwrap();
        let second = start.elapsed().as_secs_f64();
        assert_eq!(rows.len(), again.len());
        println!("{label}: query {what}: {} rows, {:.3} s (again: {:.3} s)", rows.len(), first, second);
    };
    time(
        "--country RU (latest scan of every submission)",
        &mut store,
        &QueryFilter { country: Some("RU".into()), ..Default::default() },
    );
    time("--country CN", &mut store, &QueryFilter { country: Some("CN".into()), ..Default::default() });
    time(
        "--license GPL-3.0-or-later",
        &mut store,
        &QueryFilter { license: Some("GPL-3.0-or-later".into()), ..Default::default() },
    );
    time(
        "--purl pkg:cargo/pkg123",
        &mut store,
        &QueryFilter { purl: Some("pkg:cargo/pkg123".into()), ..Default::default() },
    );
    time(
        "--country RU --at 2026-03-31",
        &mut store,
        &QueryFilter { country: Some("RU".into()), at: Some("2026-03-31".into()), ..Default::default() },
    );

    let strict = policy::from_str(
        "version: 1\nname: strict\norigin:\n  deny: [RU, CN]\n  unknown: deny\nlicenses:\n  deny: [GPL-3.0-or-later]\n",
        "strict.yaml",
    )
    .unwrap();
    let lax = policy::from_str("version: 1\nname: lax\norigin:\n  deny: [RU]\n", "lax.yaml").unwrap();
    let policies = [strict, lax];
    let start = Instant::now();
    let mut sim = Simulation::new(&policies, EvalOptions::default());
    let list = store.scans(&QueryFilter::default()).unwrap();
    for s in &list {
        let inv = store.inventory(s).unwrap();
        sim.add(&s.submission, &inv);
    }
    let report = sim.finish();
    println!(
        "{label}: policy simulate (2 policies) over {} stored scans: {:.1} s; strict fails {}, lax fails {}",
        list.len(),
        start.elapsed().as_secs_f64(),
        report.policies[0].failed,
        report.policies[1].failed
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let scans = args.first().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let comps = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let only = args.get(2).map(String::as_str);
    if only != Some("postgres") {
        let dir = tempfile::tempdir().unwrap();
        bench("sqlite", &format!("sqlite:{}", dir.path().join("bench.db").display()), scans, comps);
    }
    if only != Some("sqlite") {
        match pg_cluster::PgCluster::start("store bench") {
            Some(pg) => bench("postgres", &pg.url(), scans, comps),
            None => println!("postgres: skipped (PostgreSQL is not installed)"),
        }
    }
}
