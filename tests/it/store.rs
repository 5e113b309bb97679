//! The store (docs/store.md): the same inventories recorded in SQLite and in a real PostgreSQL started
//! on 127.0.0.1 give the same query answers; `scan`/`check --store`, `query`, `policy simulate --store`
//! as a user runs them; faults: PostgreSQL going away mid-scan, a locked SQLite file, a store written
//! by a newer schema version.

use std::path::Path;
use std::process::Output;

use serde_json::Value;
use sovereign::model::{
    BaseModel, ComponentKind, CountryConfidence, Ecosystem, Facet, FacetOrigin, Inventory, ModelFacts,
};
use sovereign::store::{QueryFilter, ScanRecord, Store, StoreError};

use crate::pg_cluster::PgCluster;
use crate::policy_eval::{comp, direct, from, inventory, licensed};
use crate::support::write_files;

/// Three submissions, two scans of `alpha` (serde's country changes, `rand` enters), a model with a
/// lineage in `gamma`.
fn fixtures() -> Vec<(String, Inventory)> {
    let alpha1 = {
        let mut i = inventory(
            vec![
                direct(licensed(from(comp("serde", "1.0.200"), "US", 0.9), "MIT OR Apache-2.0"), 5),
                licensed(from(comp("itoa", "1.0.11"), "CN", 0.8), "MIT"),
                licensed(comp("anon", "0.1.0"), "GPL-3.0-only"),
            ],
            &[],
        );
        i.subject.name = "alpha".into();
        i
    };
    let alpha2 = {
        let mut i = inventory(
            vec![
                direct(licensed(from(comp("serde", "1.0.201"), "DE", 0.9), "MIT OR Apache-2.0"), 5),
                licensed(from(comp("itoa", "1.0.11"), "CN", 0.8), "MIT"),
                licensed(from(comp("rand", "0.8.5"), "CN", 0.7), "Apache-2.0 WITH LLVM-exception"),
            ],
            &[],
        );
        i.subject.name = "alpha".into();
        i
    };
    let beta = {
        let mut i = inventory(
            vec![direct(licensed(from(comp("itoa", "1.0.10"), "CN", 0.8), "MIT"), 3), comp("zed", "2.0.0")],
            &[],
        );
        i.subject.name = "beta".into();
        i
    };
    let gamma = {
        let mut base = sovereign::model::Component::new(Ecosystem::Huggingface, "qwen-7b", None)
            .with_purl("pkg:huggingface/qwen/qwen-7b".into());
        base.kind = ComponentKind::MlModel;
        base = from(base, "CN", 0.95);
        let mut tuned = sovereign::model::Component::new(Ecosystem::Huggingface, "tuned", None)
            .with_purl("pkg:huggingface/acme/tuned".into());
        tuned.kind = ComponentKind::MlModel;
        tuned.model = Some(ModelFacts {
            hub: "huggingface".into(),
            base_models: vec![BaseModel { component: base.id.clone(), relation: Some("finetune".into()) }],
            ..ModelFacts::default()
        });
        tuned = from(tuned, "FR", 0.9);
        // Published from France, weights from the Chinese base model: two facets, two countries.
        let cc = |c: &str, x: f64| CountryConfidence { country: c.into(), confidence: x };
        tuned.origin.facets.insert(
            Facet::Maintainer,
            FacetOrigin { countries: vec![cc("FR", 0.9)], basis: Some("evidence".into()) },
        );
        tuned.origin.facets.insert(
            Facet::Weights,
            FacetOrigin { countries: vec![cc("CN", 0.95)], basis: Some("evidence".into()) },
        );
        tuned.origin.countries = vec!["CN".into(), "FR".into()];
        let mut i = inventory(vec![base, tuned], &[]);
        i.subject.name = "gamma".into();
        i
    };
    vec![
        ("2026-01-10T09:00:00Z".into(), alpha1),
        ("2026-01-11T09:00:00Z".into(), beta),
        ("2026-02-01T09:00:00Z".into(), gamma),
        ("2026-03-01T09:00:00Z".into(), alpha2),
    ]
}

fn fill(store: &mut Store) {
    for (time, inv) in fixtures() {
        let mut rec = ScanRecord::new(&inv);
        rec.time = time;
        store.record_scan(&rec).unwrap();
    }
}

/// (submission, name, version, countries) of every row.
fn names(store: &mut Store, f: QueryFilter) -> Vec<(String, String, String, Vec<String>)> {
    store
        .components(&f)
        .unwrap()
        .into_iter()
        .map(|r| (r.submission, r.name, r.version.unwrap_or_default(), r.countries))
        .collect()
}

fn row(s: &str, n: &str, v: &str, cc: &[&str]) -> (String, String, String, Vec<String>) {
    (s.into(), n.into(), v.into(), cc.iter().map(|c| c.to_string()).collect())
}

/// The questions asked of both backends, with the answers worked out from the fixtures.
fn ask(store: &mut Store) -> Vec<Value> {
    let cn = names(store, QueryFilter { country: Some("cn".into()), ..Default::default() });
    assert_eq!(
        cn,
        [
            row("alpha", "itoa", "1.0.11", &["CN"]),
            row("alpha", "rand", "0.8.5", &["CN"]),
            row("beta", "itoa", "1.0.10", &["CN"]),
            // Any facet: the fine-tune's weights are CN although its maintainer is FR.
            row("gamma", "tuned", "", &["CN", "FR"]),
            row("gamma", "qwen-7b", "", &["CN"]),
        ]
    );
    // As the store was at the end of January: alpha's first scan, serde still from the US.
    let jan = names(
        store,
        QueryFilter {
            at: Some("2026-01-31".into()),
            purl: Some("pkg:cargo/serde".into()),
            ..Default::default()
        },
    );
    assert_eq!(jan, [row("alpha", "serde", "1.0.200", &["US"])]);
    // When did rand enter alpha: history.
    let hist = store
        .components(&QueryFilter {
            history: true,
            purl: Some("pkg:cargo/rand*".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(hist.iter().map(|r| r.time.as_str()).collect::<Vec<_>>(), ["2026-03-01T09:00:00Z"]);
    let mit = names(store, QueryFilter { license: Some("MIT".into()), ..Default::default() });
    assert_eq!(
        mit,
        [
            row("alpha", "itoa", "1.0.11", &["CN"]),
            row("alpha", "serde", "1.0.201", &["DE"]),
            row("beta", "itoa", "1.0.10", &["CN"])
        ]
    );
    let apache = names(store, QueryFilter { license: Some("apache-2.0".into()), ..Default::default() });
    assert_eq!(apache.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(), ["rand", "serde"]);
    let unknown = names(store, QueryFilter { country: Some("unknown".into()), ..Default::default() });
    assert_eq!(unknown, [row("beta", "zed", "2.0.0", &[])]);
    let lineage =
        names(store, QueryFilter { lineage: Some("pkg:huggingface/qwen/*".into()), ..Default::default() });
    assert_eq!(lineage, [row("gamma", "tuned", "", &["CN", "FR"])]);
    let itoa_everywhere =
        names(store, QueryFilter { purl: Some("pkg:cargo/itoa".into()), ..Default::default() });
    assert_eq!(itoa_everywhere.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), ["alpha", "beta"]);
    // Which submissions carry weights from CN: the fine-tune, by its weights facet (not its maintainer).
    let weights_cn = names(
        store,
        QueryFilter { facet: Some("weights".into()), country: Some("CN".into()), ..Default::default() },
    );
    assert_eq!(weights_cn, [row("gamma", "tuned", "", &["CN"])]);
    let maintainer_cn = names(
        store,
        QueryFilter { facet: Some("maintainer".into()), country: Some("CN".into()), ..Default::default() },
    );
    assert!(maintainer_cn.is_empty(), "{maintainer_cn:?}");
    let scans = store.scans(&QueryFilter { history: true, ..Default::default() }).unwrap();
    assert_eq!(scans.len(), 4);
    // Everything, as JSON, for the cross-backend comparison.
    let all = store.components(&QueryFilter { history: true, ..Default::default() }).unwrap();
    let mut out = vec![serde_json::to_value(&all).unwrap(), serde_json::to_value(&scans).unwrap()];
    for (f, name) in [(cn, "cn"), (mit, "mit"), (lineage, "lineage")] {
        out.push(serde_json::json!({ name: format!("{f:?}") }));
    }
    let inv = store.inventory(&scans[0]).unwrap();
    out.push(serde_json::to_value(&inv.components).unwrap());
    // Simulation judges the rebuilt inventory: the fine-tune keeps both facets and both countries, so a
    // policy that denies CN weights fails it from the store as it does from the SBOM.
    let gamma = scans.iter().find(|s| s.submission == "gamma").unwrap();
    let rebuilt = store.inventory(gamma).unwrap();
    let tuned = rebuilt.components.iter().find(|c| c.name == "tuned").unwrap();
    let facet =
        |f: Facet| tuned.origin.facets[&f].countries.iter().map(|c| c.country.as_str()).collect::<Vec<_>>();
    assert_eq!((facet(Facet::Maintainer), facet(Facet::Weights)), (vec!["FR"], vec!["CN"]));
    assert_eq!(tuned.origin.countries, ["CN", "FR"]);
    let policy = sovereign::policy::from_str(
        "version: 1\norigin:\n  deny: [CN]\n  facets: [weights]\n",
        "weights.yaml",
    )
    .unwrap();
    let verdict = sovereign::policy::evaluate(&policy, &rebuilt, &Default::default());
    assert!(
        verdict.findings.iter().any(|f| f.component.as_deref() == Some(tuned.id.as_str())),
        "{verdict:?}"
    );
    out
}

#[test]
fn store_sqlite_and_postgresql_give_the_same_answers() {
    let dir = tempfile::tempdir().unwrap();
    let mut lite = Store::open(&format!("sqlite:{}", dir.path().join("inv.db").display())).unwrap();
    fill(&mut lite);
    let from_sqlite = ask(&mut lite);
    // The rebuilt inventory keeps what policies judge.
    let alpha = QueryFilter { submission: Some("alpha".into()), ..Default::default() };
    let latest = lite.scans(&alpha).unwrap();
    assert_eq!(latest.len(), 1);
    let inv = lite.inventory(&latest[0]).unwrap();
    let serde = inv.components.iter().find(|c| c.name == "serde").unwrap();
    assert_eq!(serde.license.declared.as_ref().unwrap().expression, "MIT OR Apache-2.0");
    assert!(serde.direct && serde.found_in[0].line == Some(5));
    assert_eq!(serde.origin.country.as_deref(), Some("DE"));

    let Some(pg) = PgCluster::start("store_sqlite_and_postgresql_give_the_same_answers") else { return };
    let mut remote = Store::open(&pg.url()).unwrap();
    assert!(remote.is_postgres());
    fill(&mut remote);
    let from_pg = ask(&mut remote);
    assert_eq!(from_sqlite, from_pg);
    // Opening again migrates nothing and keeps the data.
    drop(remote);
    let mut again = Store::open(&pg.url()).unwrap();
    assert_eq!(again.scans(&QueryFilter { history: true, ..Default::default() }).unwrap().len(), 4);
}

fn big_inventory(n: usize) -> Inventory {
    let comps = (0..n).map(|i| licensed(from(comp(&format!("c{i}"), "1.0.0"), "CN", 0.9), "MIT")).collect();
    let mut inv = inventory(comps, &[]);
    inv.subject.name = "big".into();
    inv
}

#[test]
fn store_postgresql_going_away_mid_scan_leaves_nothing_partial() {
    let Some(pg) = PgCluster::start("store_postgresql_going_away_mid_scan") else { return };
    let mut store = Store::open(&pg.url()).unwrap();
    let inv = big_inventory(3000);
    let rec = ScanRecord::new(&inv);
    let mut steps = Vec::new();
    // The server stops for good right after the components went in, inside the transaction.
    let err = store
        .record_scan_observed(&rec, &mut |step| {
            steps.push(step.to_string());
            if step == "components" {
                pg.stop();
            }
        })
        .unwrap_err();
    assert_eq!(steps, ["scan", "components"]);
    assert!(matches!(err, StoreError::Postgres(_)), "{err}");
    drop(store);
    pg.start_server();
    let mut store = Store::open(&pg.url()).unwrap();
    assert!(store.scans(&QueryFilter { history: true, ..Default::default() }).unwrap().is_empty());
    assert!(store.components(&QueryFilter { history: true, ..Default::default() }).unwrap().is_empty());
    // The same record goes in whole once the server is back.
    store.record_scan(&rec).unwrap();
    assert_eq!(store.components(&QueryFilter::default()).unwrap().len(), 3000);

    // From the command line: the server is down, the SBOM is still written, the error says so.
    pg.stop();
    let dir = project();
    let sbom = dir.path().join("out.cdx.json");
    let out =
        sovereign(&["scan", s(dir.path()), "-o", s(&sbom), "--store", &pg.url(), "--quiet"], 1_700_000_000);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the result was not stored in `postgres://***@127.0.0.1:"), "{err}");
    assert!(err.contains("nothing partial was stored"), "{err}");
    let doc: Value = serde_json::from_slice(&std::fs::read(&sbom).unwrap()).unwrap();
    assert_eq!(doc["bomFormat"], "CycloneDX");
}

#[test]
fn store_sqlite_locked_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inv.db");
    let url = format!("sqlite:{}", path.display());
    drop(Store::open(&url).unwrap());
    let holder = rusqlite::Connection::open(&path).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let opts = sovereign::store::Options { timeout: std::time::Duration::from_millis(200) };
    let inv = big_inventory(3);
    let started = std::time::Instant::now();
    let err =
        Store::open_with(&url, &opts).and_then(|mut s| s.record_scan(&ScanRecord::new(&inv))).unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err}");
    assert!(err.to_string().contains("is locked by another process (waited 200 ms)"), "{err}");
    assert!(started.elapsed() >= std::time::Duration::from_millis(200));
    holder.execute_batch("ROLLBACK").unwrap();
    // Released: the same write succeeds.
    let mut store = Store::open_with(&url, &opts).unwrap();
    store.record_scan(&ScanRecord::new(&inv)).unwrap();
    assert_eq!(store.components(&QueryFilter::default()).unwrap().len(), 3);
}

#[test]
fn store_newer_schema_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inv.db");
    let url = format!("sqlite:{}", path.display());
    drop(Store::open(&url).unwrap());
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute("INSERT INTO schema_version (version) VALUES (?1)", [sovereign::store::schema_version() + 1])
        .unwrap();
    let err = Store::open(&url).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, StoreError::NewerSchema { .. }), "{msg}");
    assert!(msg.contains("written by a newer sovereign") && msg.contains("upgrade sovereign"), "{msg}");
    // From the command line: exit 2, the message, the store unchanged.
    let out = sovereign(&["query", "--store", &url], 1_700_000_000);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("has schema version 2, written by a newer sovereign")
    );
    let out = sovereign(&["query", "--store", &url, "--country", "CHN"], 1_700_000_000);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`CHN` is not a country"));
    // A mistyped path is not an empty store.
    let out = sovereign(
        &["query", "--store", &format!("sqlite:{}", dir.path().join("typo.db").display())],
        1_700_000_000,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no store at"));
    assert!(!dir.path().join("typo.db").exists());
    let versions: i64 = c.query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0)).unwrap();
    assert_eq!(versions, 2);
}

const CARGO_TOML: &str =
    "[package]\nname = \"entry\"\nversion = \"0.1.0\"\n\n[dependencies]\nserde = \"1\"\nitoa = \"1\"\n";
const CARGO_LOCK: &str = "version = 4\n\n[[package]]\nname = \"entry\"\nversion = \"0.1.0\"\ndependencies = [\"itoa\", \"serde\"]\n\n[[package]]\nname = \"itoa\"\nversion = \"1.0.11\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.200\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
const BAN_ITOA: &str =
    "version: 1\nname: ban-itoa\nrules:\n  - id: no-itoa\n    when: { purl: \"pkg:cargo/itoa\" }\n";
const LAX: &str = "version: 1\nname: lax\nrules: []\n";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[("Cargo.toml", CARGO_TOML), ("Cargo.lock", CARGO_LOCK), ("ban.yaml", BAN_ITOA), ("lax.yaml", LAX)],
    );
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn sovereign(args: &[&str], epoch: i64) -> Output {
    let cache = tempfile::tempdir().unwrap();
    std::process::Command::new(env!("CARGO_BIN_EXE_sovereign"))
        .args(args)
        .env("SOVEREIGN_CACHE", cache.path())
        .env("SOURCE_DATE_EPOCH", epoch.to_string())
        .env_remove("SOVEREIGN_STORE")
        .output()
        .expect("run sovereign")
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The commands against one store URL: two scans of a project, a check, every query form, simulate.
fn cli_round(url: &str) -> Vec<String> {
    let dir = project();
    let src = s(dir.path());
    let sbom = dir.path().join("entry.cdx.json");
    let day = 86_400;
    let t0 = 1_767_225_600; // 2026-01-01T00:00:00Z
    ok(&sovereign(&["scan", src, "-o", s(&sbom), "--store", url, "--submission", "entry", "--quiet"], t0));
    assert!(sbom.is_file());
    // A month later itoa is upgraded and a dependency is added.
    let lock2 = CARGO_LOCK.replace("1.0.11", "1.0.15").replace(
        "[[package]]\nname = \"serde\"",
        "[[package]]\nname = \"ryu\"\nversion = \"1.0.18\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"serde\"",
    );
    std::fs::write(dir.path().join("Cargo.lock"), lock2).unwrap();
    let toml2 = CARGO_TOML.replace("itoa = \"1\"\n", "itoa = \"1\"\nryu = \"1\"\n");
    std::fs::write(dir.path().join("Cargo.toml"), toml2).unwrap();
    let policy = dir.path().join("ban.yaml");
    let out = sovereign(
        &["check", src, "--policy", s(&policy), "--store", url, "--submission", "entry", "--quiet"],
        t0 + 31 * day,
    );
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));

    let mut answers = Vec::new();
    let json = ok(&sovereign(&["query", "--store", url, "--purl", "pkg:cargo/*", "--format", "json"], t0));
    let rows: Value = serde_json::from_str(&json).unwrap();
    let got: Vec<String> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {} {} {}", r["submission"], r["purl"], r["name"], r["countries"]))
        .collect();
    // The project itself and its three dependencies, from the second scan.
    assert_eq!(got.len(), 4, "{json}");
    assert!(got.iter().any(|r| r.starts_with("\"entry\" \"pkg:cargo/itoa@1.0.15\" \"itoa\"")), "{got:?}");
    assert!(got.iter().any(|r| r.starts_with("\"entry\" \"pkg:cargo/ryu@1.0.18\" \"ryu\"")), "{got:?}");
    answers.push(json);
    let csv = ok(&sovereign(
        &["query", "--store", url, "--purl", "pkg:cargo/itoa", "--history", "--format", "csv"],
        t0,
    ));
    assert_eq!(csv.lines().next(), Some("submission,scan,time,purl,name,version,license,countries,facet"));
    assert!(csv.contains(",2026-01-01T00:00:00Z,pkg:cargo/itoa@1.0.11,itoa,1.0.11,"), "{csv}");
    assert!(csv.contains(",2026-02-01T00:00:00Z,pkg:cargo/itoa@1.0.15,itoa,1.0.15,"), "{csv}");
    answers.push(csv);
    let table = ok(&sovereign(&["query", "--store", url, "--scans", "--history"], t0));
    assert!(table.starts_with("scan  submission  time"), "{table}");
    assert!(table.ends_with("(2 rows)\n"), "{table}");
    answers.push(table);
    let diff =
        ok(&sovereign(&["query", "--store", url, "--submission", "entry", "--diff", "--format", "json"], t0));
    let d: Value = serde_json::from_str(&diff).unwrap();
    let text = d.to_string();
    assert!(text.contains("pkg:cargo/ryu@1.0.18") && text.contains("1.0.15"), "{diff}");
    answers.push(diff);
    // Simulate: two policies over the stored latest scans; ban-itoa fails `entry`, lax passes it.
    let sim = ok(&sovereign(
        &[
            "policy",
            "simulate",
            "--policy",
            s(&policy),
            "--policy",
            s(&dir.path().join("lax.yaml")),
            "--store",
            url,
            "--format",
            "json",
        ],
        t0,
    ));
    let v: Value = serde_json::from_str(&sim).unwrap();
    assert_eq!(v["policies"][0]["failed"], 1, "{sim}");
    assert_eq!(v["policies"][1]["passed"], 1, "{sim}");
    assert_eq!(v["flips"][0]["submission"], "entry", "{sim}");
    // Nothing scanned since March.
    let none = sovereign(
        &[
            "policy",
            "simulate",
            "--policy",
            s(&policy),
            "--store",
            url,
            "--since",
            "2026-03-01",
            "--format",
            "json",
        ],
        t0,
    );
    let v: Value = serde_json::from_str(&ok(&none)).unwrap();
    assert_eq!(v["policies"][0]["submissions"], 0);
    answers
}

#[test]
fn store_commands_sqlite_and_postgresql() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("team.db").display());
    let lite = cli_round(&url);
    // The verdict is stored with its finding.
    let c = rusqlite::Connection::open(dir.path().join("team.db")).unwrap();
    let (policy, passed, code): (String, i64, String) = c
        .query_row(
            "SELECT v.policy, v.passed, f.code FROM verdict v JOIN finding f ON f.verdict_id = v.id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((policy.as_str(), passed, code.as_str()), ("ban-itoa", 0, "component-banned"));

    let Some(pg) = PgCluster::start("store_commands_sqlite_and_postgresql") else { return };
    let remote = cli_round(&pg.url());
    assert_eq!(lite, remote);
}
