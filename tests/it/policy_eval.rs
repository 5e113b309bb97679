//! Policy evaluation on inventories built in the tests: every rule kind, SPDX semantics, selectors,
//! thresholds, waivers, overrides, dependency paths.

use sovereign::model::{
    Component, ComponentKind, Ecosystem, Edge, EdgeKind, Evidence, Inventory, LicenseValue, Location, Scope,
    Severity,
};
use sovereign::policy::{self, Date, EvalOptions, Verdict};

pub fn comp(name: &str, version: &str) -> Component {
    let purl = format!("pkg:cargo/{name}@{version}");
    Component::new(Ecosystem::Cargo, name, Some(version.to_string())).with_purl(purl)
}

pub fn from(mut c: Component, country: &str, confidence: f64) -> Component {
    c.origin.country = Some(country.to_string());
    c.origin.confidence = confidence;
    c.origin.evidence.push(evidence(&format!("{}-org", c.name), country, confidence));
    c
}

/// Known-organisation evidence, built through serde so optional fields the model grows keep their defaults.
pub fn evidence(value: &str, country: &str, weight: f64) -> Evidence {
    serde_json::from_value(serde_json::json!({
        "kind": "known-organisation",
        "value": value,
        "country": country,
        "weight": weight,
        "source": "rules/origins/orgs.yaml",
    }))
    .unwrap()
}

/// Sets the country of the attributed organisation's parent.
fn with_parent(mut c: Component, country: &str) -> Component {
    c.origin.parent_country = Some(country.into());
    c
}

pub fn licensed(mut c: Component, expr: &str) -> Component {
    c.license.declared = Some(LicenseValue::declared(expr, "Cargo.toml"));
    c
}

pub fn direct(mut c: Component, line: u32) -> Component {
    c.direct = true;
    c.found_in.push(Location::new("Cargo.toml", Some(line)));
    c
}

pub fn inventory(components: Vec<Component>, edges: &[(&str, &str)]) -> Inventory {
    let mut inv = Inventory::default();
    inv.subject.name = "subject".into();
    let id = |n: &str| components.iter().find(|c| c.name == n).map(|c| c.id.clone()).unwrap();
    let edges: Vec<Edge> =
        edges.iter().map(|(a, b)| Edge { from: id(a), to: id(b), kind: EdgeKind::Normal }).collect();
    inv.extend(components.clone(), edges, Vec::new());
    inv.normalize();
    inv
}

pub const TODAY: Date = Date { year: 2026, month: 6, day: 1 };

pub fn eval(policy_text: &str, inv: &Inventory) -> Verdict {
    let p = policy::from_str(policy_text, "p.yaml").unwrap_or_else(|e| panic!("{e}"));
    policy::evaluate(&p, inv, &EvalOptions { today: TODAY })
}

/// (rule, code, component name, severity, waived) of every finding, sorted.
fn summary(v: &Verdict) -> Vec<(String, String, String, Severity, bool)> {
    let mut out: Vec<_> = v
        .findings
        .iter()
        .map(|f| {
            let name = f.name.clone().unwrap_or_default();
            let name = name.split('@').next().unwrap_or_default().to_string();
            (f.rule.clone(), f.code.clone(), name, f.severity, f.waived.is_some())
        })
        .collect();
    out.sort_by(|a, b| (&a.0, &a.1, &a.2).cmp(&(&b.0, &b.1, &b.2)));
    out
}

fn codes(v: &Verdict) -> Vec<(String, String)> {
    summary(v).into_iter().map(|(_, code, name, _, _)| (code, name)).collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    v.sort();
    v
}

#[test]
fn origin_deny_allow_groups_unknown_and_confidence() {
    let inv = inventory(
        vec![
            from(comp("cn", "1.0.0"), "CN", 0.9),
            from(comp("de", "1.0.0"), "DE", 0.9),
            from(comp("us", "1.0.0"), "US", 0.9),
            from(comp("weak", "1.0.0"), "FR", 0.3),
            comp("nobody", "1.0.0"),
        ],
        &[],
    );
    let v = eval("version: 1\norigin:\n  allow: [EU, GB]\n  deny: [CN]\n  min_confidence: 0.5\n", &inv);
    let mut got = codes(&v);
    got.sort();
    assert_eq!(
        got,
        pairs(&[
            ("origin-denied", "cn"),
            ("origin-not-allowed", "us"),
            ("origin-low-confidence", "weak"),
            ("origin-unknown", "nobody")
        ])
    );
    assert!(!v.passed);
    let s = summary(&v);
    let sev = |name: &str| s.iter().find(|x| x.2 == name).unwrap().3;
    assert_eq!(sev("cn"), Severity::Error);
    assert_eq!(sev("nobody"), Severity::Warning, "unknown defaults to warn");
    let cn = v.findings.iter().find(|f| f.code == "origin-denied").unwrap();
    assert_eq!(cn.message, "`cn@1.0.0` is attributed to CN (China) with confidence 0.90; denied by `CN`");
    assert_eq!(cn.evidence, ["known-organisation `cn-org` → CN (weight 0.90; rules/origins/orgs.yaml)"]);

    let v = eval("version: 1\norigin:\n  unknown: allow\n", &inv);
    assert!(v.findings.is_empty() && v.passed, "{:?}", v.findings);
    let v = eval("version: 1\norigin:\n  unknown: deny\n", &inv);
    assert_eq!(codes(&v), pairs(&[("origin-unknown", "nobody")]));
    assert_eq!(v.findings[0].severity, Severity::Error);
    // A group in deny: Five Eyes includes the US.
    let v = eval("version: 1\norigin:\n  deny: [five eyes]\n  unknown: allow\n", &inv);
    assert_eq!(codes(&v), pairs(&[("origin-denied", "us")]));
    assert!(v.findings[0].message.ends_with("denied by `FIVE-EYES`"), "{}", v.findings[0].message);
}

#[test]
fn attribute_to_parent_judges_the_parent_country() {
    let sub = with_parent(from(comp("subsidiary", "1.0.0"), "US", 0.9), "CN");
    let inv = inventory(vec![sub], &[]);
    let hq = eval("version: 1\norigin:\n  deny: [CN]\n", &inv);
    assert!(hq.passed && hq.findings.is_empty());
    let parent = eval("version: 1\norigin:\n  deny: [CN]\n  attribute_to: parent\n", &inv);
    assert_eq!(codes(&parent), pairs(&[("origin-denied", "subsidiary")]));
    assert!(parent.findings[0].message.contains("(its parent organisation's country)"));
}

/// The licence finding code for one expression under a `licenses:` section, or "pass".
fn judge(section: &str, expr: &str) -> String {
    let inv = inventory(vec![licensed(comp("x", "1.0.0"), expr)], &[]);
    let v = eval(&format!("version: 1\nlicenses:\n{section}"), &inv);
    v.findings.first().map(|f| f.code.clone()).unwrap_or_else(|| "pass".into())
}

#[test]
fn spdx_expression_semantics() {
    let allow = "  allow: [MIT, Apache-2.0]\n";
    assert_eq!(judge(allow, "MIT"), "pass");
    assert_eq!(judge(allow, "MIT OR GPL-3.0-only"), "pass", "OR passes when one branch is allowed");
    assert_eq!(judge(allow, "GPL-3.0-only OR MIT"), "pass");
    assert_eq!(judge(allow, "MIT AND GPL-3.0-only"), "license-not-allowed", "AND needs both");
    assert_eq!(judge(allow, "MIT AND Apache-2.0"), "pass");
    assert_eq!(judge(allow, "(MIT OR GPL-3.0-only) AND (Apache-2.0 OR AGPL-3.0-only)"), "pass");
    assert_eq!(judge(allow, "MIT/Apache-2.0"), "pass", "lax parsing of Cargo's legacy `/`");
    // When lax parsing changed the value, the finding says how it was read.
    let inv = inventory(vec![licensed(comp("legacy", "1.0.0"), "GPL-3.0/MIT AND Zlib")], &[]);
    let v = eval("version: 1\nlicenses:\n  allow: [Zlib]\n", &inv);
    assert_eq!(
        v.findings[0].evidence,
        [
            "declared `GPL-3.0/MIT AND Zlib` from Cargo.toml",
            "not strict SPDX; read leniently as `GPL-3.0 OR (MIT AND Zlib)`"
        ]
    );
    let deny = "  deny: [AGPL-3.0-only]\n";
    assert_eq!(judge(deny, "MIT OR AGPL-3.0-only"), "pass", "the allowed branch can be chosen");
    assert_eq!(judge(deny, "MIT AND AGPL-3.0-only"), "license-denied");
    // WITH: an exception only adds permissions, so a bare allowed id covers it; a bare denied id denies
    // it unless that exact `ID WITH exception` is allowed.
    assert_eq!(judge("  allow: [Apache-2.0]\n", "Apache-2.0 WITH LLVM-exception"), "pass");
    assert_eq!(judge("  allow: [Apache-2.0 WITH LLVM-exception]\n", "Apache-2.0"), "license-not-allowed");
    assert_eq!(
        judge("  deny: [GPL-2.0-only]\n", "GPL-2.0-only WITH Classpath-exception-2.0"),
        "license-denied"
    );
    assert_eq!(
        judge(
            "  deny: [GPL-2.0-only]\n  allow: [MIT, GPL-2.0-only WITH Classpath-exception-2.0]\n",
            "GPL-2.0-only WITH Classpath-exception-2.0"
        ),
        "pass"
    );
    // or-later: the licensee may pick any later version.
    assert_eq!(judge("  allow: [GPL-3.0-only]\n", "GPL-2.0-or-later"), "pass");
    assert_eq!(judge("  allow: [GPL-3.0-only]\n", "GPL-2.0-only"), "license-not-allowed");
    assert_eq!(judge("  allow: [GPL-2.0-or-later]\n", "GPL-3.0-only"), "pass");
    assert_eq!(judge("  allow: [Apache-1.1+]\n", "Apache-2.0"), "pass");
    assert_eq!(judge("  allow: [Apache-2.0+]\n", "Apache-1.1"), "license-not-allowed");
    assert_eq!(judge("  deny: [GPL-3.0-only]\n", "GPL-2.0-or-later"), "license-denied");
    // Deprecated GNU ids as other tools still write them: `GPL-2.0` is GPL-2.0-only, `GPL-2.0+` or later.
    assert_eq!(judge("  allow: [GPL-2.0-only]\n", "GPL-2.0"), "pass");
    assert_eq!(judge("  allow: [GPL-3.0-only]\n", "GPL-2.0+"), "pass");
    assert_eq!(judge("  allow: [GPL-3.0-only]\n", "GPL-2.0"), "license-not-allowed");
    assert_eq!(judge("  deny: [LGPL-2.1-only]\n", "LGPL-2.1"), "license-denied");
    // LicenseRefs by name.
    assert_eq!(
        judge("  deny: [LicenseRef-Proprietary-Acme]\n", "LicenseRef-Proprietary-Acme"),
        "license-denied"
    );
}

#[test]
fn categories_come_from_the_licence_table() {
    let cats = "  deny_categories: [network-copyleft]\n";
    assert_eq!(judge(cats, "AGPL-3.0-only"), "license-denied");
    assert_eq!(judge(cats, "MIT OR AGPL-3.0-or-later"), "pass");
    let permissive = "  allow_categories: [permissive]\n";
    assert_eq!(judge(permissive, "BSD-3-Clause AND MIT"), "pass");
    assert_eq!(judge(permissive, "GPL-3.0-only"), "license-not-allowed");
    assert_eq!(judge(permissive, "LGPL-2.1-only OR ISC"), "pass");
}

#[test]
fn whole_expressions_and_unknowns() {
    let s = "  allow: [MIT]\n  allow_expressions: [\"MIT AND (GPL-2.0-only OR BSD-3-Clause)\"]\n  deny_expressions: [\"MIT OR Apache-2.0\"]\n";
    assert_eq!(judge(s, "MIT AND (GPL-2.0-only OR BSD-3-Clause)"), "pass");
    assert_eq!(judge(s, "MIT OR Apache-2.0"), "license-denied");
    assert_eq!(judge("  allow: [MIT]\n", "NOASSERTION"), "license-unknown");
    assert_eq!(judge("  allow: [MIT]\n", "Some Custom Licence"), "license-unknown");
    assert_eq!(judge("  allow: [MIT]\n  unknown: allow\n", "Some Custom Licence"), "pass");
    let inv = inventory(vec![comp("bare", "1.0.0")], &[]);
    let v = eval("version: 1\nlicenses:\n  allow: [MIT]\n  unknown: deny\n", &inv);
    assert_eq!(v.findings[0].code, "license-unknown");
    assert_eq!(v.findings[0].severity, Severity::Error);
    assert_eq!(v.findings[0].message, "no licence is known for `bare@1.0.0`");
    // The evidence names the value judged and its source.
    let inv = inventory(vec![licensed(comp("agpl", "1.0.0"), "AGPL-3.0-only")], &[]);
    let v = eval("version: 1\nlicenses:\n  deny: [AGPL-3.0-only]\n", &inv);
    assert_eq!(v.findings[0].evidence, ["declared `AGPL-3.0-only` from Cargo.toml"]);
    assert_eq!(
        v.findings[0].message,
        "`agpl@1.0.0` is licensed `AGPL-3.0-only`: `AGPL-3.0-only` is denied (`AGPL-3.0-only`)"
    );
}

#[test]
fn selectors_on_rules() {
    let mut model = comp("llm", "1.0.0");
    model.kind = ComponentKind::MlModel;
    model.ecosystem = Ecosystem::Huggingface;
    let model = from(model, "CN", 0.9);
    let mut devtool = from(comp("devtool", "1.0.0"), "CN", 0.9);
    devtool.scope = Scope::Dev;
    let mut app = from(comp("app", "0.1.0"), "CN", 0.9);
    app.kind = ComponentKind::Application;
    let kr_model = {
        let mut m = from(comp("kr-llm", "1.0.0"), "KR", 0.9);
        m.kind = ComponentKind::MlModel;
        m
    };
    let inv = inventory(
        vec![model, devtool, app, kr_model, direct(from(comp("openssl", "0.10.5"), "US", 0.9), 3)],
        &[],
    );
    let rules = r#"version: 1
rules:
  - id: no-foreign-models
    when: { kind: ml-model, origin_not_in: [KR] }
  - id: no-dev-from-cn
    when: { scope: dev, origin_in: [CN] }
  - id: direct-openssl
    when: { direct: true, purl: "pkg:cargo/openssl@>=0.10, <0.11" }
    severity: warning
  - id: transitive-only
    when: { direct: false, ecosystem: cargo, exclude: ["pkg:cargo/devtool"] }
    severity: note
  - id: apps-too
    when: { kind: application }
    severity: note
"#;
    let v = eval(rules, &inv);
    let got: Vec<(String, String)> = summary(&v).into_iter().map(|(r, _, n, _, _)| (r, n)).collect();
    let mut want = pairs(&[
        ("no-foreign-models", "llm"),
        ("no-dev-from-cn", "devtool"),
        ("direct-openssl", "openssl"),
        ("transitive-only", "kr-llm"),
        ("apps-too", "app"),
    ]);
    want.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    assert_eq!(
        got, want,
        "the application is judged only by the rule that selects it; the HF model is not cargo"
    );
    // Top-level scope: dev components are not judged at all.
    let v = eval(&format!("{rules}scope: [runtime]\n"), &inv);
    assert!(v.findings.iter().all(|f| f.rule != "no-dev-from-cn"));
}

#[test]
fn thresholds_over_the_inventory() {
    let mut comps = Vec::new();
    for i in 0..10 {
        let c = comp(&format!("c{i}"), "1.0.0");
        let c = match i {
            0..=2 => from(c, "CN", 0.9),
            3 => from(c, "RU", 0.9),
            4..=7 => from(c, "DE", 0.9),
            _ => c,
        };
        comps.push(if i % 2 == 0 { direct(c, i + 1) } else { c });
    }
    let inv = inventory(comps, &[]);
    // 4 of 10 from CN or RU (40 %); among the 5 direct ones (c0, c2, c4, c6, c8): c0, c2 → 40 %.
    let v = eval("version: 1\nthresholds:\n  - of: [CN, RU]\n    max_share: 0.3\n", &inv);
    assert_eq!(v.findings.len(), 1);
    assert_eq!(v.findings[0].rule, "share-cn-ru");
    assert_eq!(
        v.findings[0].message,
        "4 of 10 judged components (40.0 %) come from CN, RU; the policy allows at most 30.0 %"
    );
    let v = eval("version: 1\nthresholds:\n  - of: [CN, RU]\n    max_share: 0.4\n", &inv);
    assert!(v.findings.is_empty(), "40 % is within a 40 % limit");
    let v = eval(
        "version: 1\nthresholds:\n  - id: direct-cn\n    of: [CN]\n    among: direct\n    max_share: 0.39\n",
        &inv,
    );
    assert_eq!(
        v.findings[0].message,
        "2 of 5 direct dependencies (40.0 %) come from CN; the policy allows at most 39.0 %"
    );
    let v = eval("version: 1\nthresholds:\n  - unknown: origin\n    max_count: 1\n  - unknown: license\n    max_count: 10\n", &inv);
    assert_eq!(codes(&v), pairs(&[("threshold-unknown-exceeded", "")]));
    assert!(v.findings[0].message.starts_with("2 of 10 judged components (20.0 %) have an unknown origin"));
    let v = eval("version: 1\nthresholds:\n  - of: [EU]\n    max_count: 3\n    severity: warning\n", &inv);
    assert!(v.passed && v.findings[0].severity == Severity::Warning);
}

#[test]
fn waivers_valid_expired_unused_and_version_ranges() {
    let inv = inventory(
        vec![
            from(comp("numpy", "1.26.4"), "CN", 0.9),
            from(comp("torch", "2.1.0"), "CN", 0.9),
            from(comp("ring", "0.16.20"), "CN", 0.9),
        ],
        &[],
    );
    let text = r#"version: 1
origin: { deny: [CN] }
waivers:
  - component: "pkg:cargo/numpy@*"
    rule: origin
    reason: reviewed
    approved_by: board
    expires: 2026-06-01
  - component: "pkg:cargo/torch@2.1.0"
    rule: origin-denied
    reason: reviewed, but for last year only
    expires: 2026-05-31
  - component: "pkg:cargo/ring@>=0.17, <0.18"
    rule: origin
    reason: only the new ring is reviewed
  - component: "pkg:cargo/unused@*"
    rule: origin
    reason: nothing matches
"#;
    let v = eval(text, &inv);
    let s = summary(&v);
    let find = |rule: &str, code: &str, name: &str| {
        s.iter().find(|x| x.0 == rule && x.1 == code && x.2 == name).cloned()
    };
    assert!(find("origin", "origin-denied", "numpy").unwrap().4, "valid on its last day: waived");
    assert!(!find("origin", "origin-denied", "torch").unwrap().4, "expired: not waived");
    assert!(!find("origin", "origin-denied", "ring").unwrap().4, "0.16 is outside the range");
    let waiver_findings: Vec<&sovereign::policy::Finding> =
        v.findings.iter().filter(|f| f.rule == "waivers").collect();
    let msgs: Vec<&str> = waiver_findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(waiver_findings.len(), 3, "{msgs:?}");
    assert!(msgs.contains(
        &"waiver #1 in `p.yaml` (pkg:cargo/torch@2.1.0 for rule `origin-denied`) expired on 2026-05-31"
    ));
    assert!(msgs.contains(
        &"waiver #2 in `p.yaml` (pkg:cargo/ring@>=0.17, <0.18 for rule `origin`) matched no finding"
    ));
    assert!(msgs.contains(&"waiver #3 in `p.yaml` (pkg:cargo/unused@* for rule `origin`) matched no finding"));
    assert_eq!(v.counts.waived, 1);
    assert_eq!(v.counts.error, 2);
    assert_eq!(v.counts.warning, 3);
    let numpy = v.findings.iter().find(|f| f.waived.is_some()).unwrap();
    let w = numpy.waived.as_ref().unwrap();
    assert_eq!(
        (w.reason.as_str(), w.approved_by.as_deref(), w.expires.as_deref()),
        ("reviewed", Some("board"), Some("2026-06-01"))
    );
    let torch = v.findings.iter().find(|f| f.name.as_deref() == Some("torch@2.1.0")).unwrap();
    assert!(torch.evidence.iter().any(|e| e.contains("expired on 2026-05-31")), "{:?}", torch.evidence);
}

#[test]
fn severity_overrides_by_code_rule_and_star() {
    let inv = inventory(vec![from(comp("cn", "1.0.0"), "CN", 0.9), comp("unknown", "1.0.0")], &[]);
    let base = "version: 1\norigin: { deny: [CN], unknown: deny }\n";
    let sev = |extra: &str| {
        let v = eval(&format!("{base}{extra}"), &inv);
        let mut s: Vec<(String, Severity)> =
            v.findings.iter().map(|f| (f.code.clone(), f.severity)).collect();
        s.sort();
        (s, v.passed)
    };
    assert_eq!(
        sev("").0,
        [("origin-denied".into(), Severity::Error), ("origin-unknown".into(), Severity::Error)]
    );
    let (s, passed) = sev("overrides: { origin-unknown: note }\n");
    assert_eq!(s, [("origin-denied".into(), Severity::Error), ("origin-unknown".into(), Severity::Note)]);
    assert!(!passed);
    let (s, passed) = sev("overrides: { origin: warning, origin-unknown: note }\n");
    assert_eq!(s, [("origin-denied".into(), Severity::Warning), ("origin-unknown".into(), Severity::Note)]);
    assert!(passed, "no error left");
    let (s, _) = sev("overrides: { \"*\": note }\n");
    assert!(s.iter().all(|(_, x)| *x == Severity::Note));
}

#[test]
fn dependency_path_is_the_shortest_from_a_direct_dependency() {
    // app → a (direct) → b → c → bad ; app → d (direct) → bad : the path is d → bad.
    let mut app = comp("app", "0.1.0");
    app.kind = ComponentKind::Application;
    let inv = inventory(
        vec![
            app,
            direct(comp("a", "1.0.0"), 5),
            comp("b", "1.0.0"),
            comp("c", "1.0.0"),
            direct(comp("d", "1.0.0"), 6),
            {
                let mut bad = from(comp("bad", "6.6.6"), "KP", 1.0);
                bad.found_in.push(Location::new("Cargo.lock", Some(40)));
                bad
            },
        ],
        &[("app", "a"), ("app", "d"), ("a", "b"), ("b", "c"), ("c", "bad"), ("d", "bad")],
    );
    let v = eval("version: 1\norigin: { deny: [KP], unknown: allow }\n", &inv);
    assert_eq!(v.findings.len(), 1);
    assert_eq!(v.findings[0].path, ["pkg:cargo/d@1.0.0", "pkg:cargo/bad@6.6.6"]);
    assert_eq!(v.findings[0].location.as_ref().unwrap().to_string(), "Cargo.lock:40");
    // A direct component's path is itself, and it is located at its manifest line.
    let v = eval("version: 1\nrules:\n  - id: no-a\n    when: { purl: \"pkg:cargo/a\" }\n", &inv);
    assert_eq!(v.findings[0].path, ["pkg:cargo/a@1.0.0"]);
    assert_eq!(v.findings[0].location.as_ref().unwrap().to_string(), "Cargo.toml:5");
    assert!(v.findings[0].fix.starts_with("Remove the component or replace it"));
}

#[test]
fn evaluation_is_deterministic() {
    let comps: Vec<Component> = (0..50)
        .map(|i| {
            from(licensed(comp(&format!("c{i}"), "1.0.0"), "GPL-3.0-only"), ["CN", "US", "DE"][i % 3], 0.8)
        })
        .collect();
    let inv = inventory(comps, &[]);
    let text = "version: 1\norigin: {deny: [CN]}\nlicenses: {allow: [MIT]}\n";
    let a = serde_json::to_string(&eval(text, &inv)).unwrap();
    let b = serde_json::to_string(&eval(text, &inv)).unwrap();
    assert_eq!(a, b);
}
