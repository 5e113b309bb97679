//! Origin attribution: the labelled test set (precision and coverage), the gazetteer, the combination
//! rule, curations, the SBOM output and `sovereign explain`.

use std::str::FromStr;

use serde::Deserialize;
use sovereign::enrich::origin::gazetteer::Gazetteer;
use sovereign::enrich::origin::{self, AttributeTo, KnowledgeBase};
use sovereign::model::{Component, Ecosystem};

use crate::support;

#[derive(Debug, Deserialize)]
struct Labelled {
    purl: String,
    #[serde(default)]
    repo: Option<String>,
    #[serde(default)]
    homepage: Option<String>,
    #[serde(default)]
    authors: Vec<String>,
    expect: String,
    class: String,
    #[allow(dead_code)]
    fact: String,
    /// Where the answer comes from (the independent set cites one per label).
    #[serde(default)]
    source: Option<String>,
}

/// A component as a resolver would build it from a purl (and, when given, the package's metadata).
fn component(purl: &str) -> Component {
    let p = packageurl::PackageUrl::from_str(purl).expect("valid purl");
    let eco = match p.ty() {
        "npm" => Ecosystem::Npm,
        "maven" => Ecosystem::Maven,
        "golang" => Ecosystem::Golang,
        "pypi" => Ecosystem::Pypi,
        "cargo" => Ecosystem::Cargo,
        "huggingface" => Ecosystem::Huggingface,
        "generic" => Ecosystem::Generic,
        other => panic!("no ecosystem for {other}"),
    };
    let mut c =
        Component::new(eco, p.name().to_string(), p.version().map(str::to_string)).with_purl(purl.into());
    c.namespace = p.namespace().map(str::to_string);
    c
}

/// Precision and coverage of a labelled set at the default floor.
struct Scored {
    identities: usize,
    orgs: usize,
    orgs_found: usize,
    attributed: usize,
    correct: usize,
    wrong: Vec<String>,
    misses: Vec<String>,
}

impl Scored {
    fn precision(&self) -> f64 {
        self.correct as f64 / self.attributed as f64
    }
    fn coverage(&self) -> f64 {
        self.orgs_found as f64 / self.orgs as f64
    }
    fn report(&self, name: &str) {
        eprintln!(
            "{name}: {} identities ({} organisation-owned); attributed {}, correct {}; precision {:.3}; \
             coverage of organisation-owned {}/{} = {:.3}",
            self.identities,
            self.orgs,
            self.attributed,
            self.correct,
            self.precision(),
            self.orgs_found,
            self.orgs,
            self.coverage()
        );
        eprintln!("{name}: wrong: {:?}", self.wrong);
        eprintln!("{name}: not attributed (organisation-owned): {:?}", self.misses);
    }
}

fn score(file: &str) -> (Vec<Labelled>, Scored) {
    let text =
        std::fs::read_to_string(format!("{}/tests/fixtures/origin/{file}", env!("CARGO_MANIFEST_DIR")))
            .unwrap();
    let set: Vec<Labelled> = serde_yaml::from_str(&text).unwrap();
    let kb = KnowledgeBase::builtin();
    let mut s = Scored {
        identities: set.len(),
        orgs: 0,
        orgs_found: 0,
        attributed: 0,
        correct: 0,
        wrong: vec![],
        misses: vec![],
    };
    for l in &set {
        let mut c = component(&l.purl);
        c.repository = l.repo.clone();
        c.homepage = l.homepage.clone();
        c.authors = l.authors.clone();
        let o = origin::attribute(kb, &c, AttributeTo::Headquarters, kb.floor);
        let got = o.country.clone().unwrap_or_else(|| "unknown".into());
        if l.class == "organisation" {
            s.orgs += 1;
            if got == l.expect {
                s.orgs_found += 1;
            } else if got == "unknown" {
                s.misses.push(format!("{} (expected {})", l.purl, l.expect));
            }
        } else {
            assert_eq!(l.expect, "unknown", "{}: individuals and communities have no country", l.purl);
        }
        if o.country.is_some() {
            s.attributed += 1;
            if got == l.expect {
                s.correct += 1;
            } else {
                s.wrong.push(format!("{}: got {got} ({:.2}), expected {}", l.purl, o.confidence, l.expect));
            }
        }
    }
    (set, s)
}

/// The set whose identities were sampled from real lockfiles (not from the knowledge base) and whose
/// answers cite a source outside it: this is the precision figure docs/origin.md reports.
#[test]
fn independent_labelled_set_precision_and_coverage() {
    let (set, s) = score("labelled-independent.yaml");
    s.report("independent set");
    assert!(set.len() >= 80, "{} labelled identities", set.len());
    for l in &set {
        let src = l.source.as_deref().unwrap_or_default();
        assert!(src.starts_with("https://"), "{}: every label cites its source", l.purl);
        assert!(
            !src.contains("rules/origins"),
            "{}: the answer must not come from the knowledge base",
            l.purl
        );
    }
    // A wrong country is the worst bug: none here, and no individual's or community's package attributed.
    assert!(s.wrong.is_empty(), "wrong: {:#?}", s.wrong);
    assert!(s.attributed >= 20, "attributed only {}", s.attributed);
    // Organisations the base does not know stay unknown (HashiCorp, Spring, Cure53, Ferrous Systems ...):
    // the measured coverage is the floor, so a regression fails.
    assert!(s.coverage() >= 0.70, "coverage {:.3}; misses: {:#?}", s.coverage(), s.misses);
}

/// The knowledge-base-derived set: its organisation-owned identities were chosen among organisations the
/// base knows and their answers are the base's own, so it checks that identifiers are matched as the table
/// says (consistency), not that the table is right. Reported apart from the independent set.
#[test]
fn knowledge_base_labelled_set_consistency() {
    let (set, s) = score("labelled.yaml");
    s.report("knowledge-base set");
    assert!(set.len() >= 200, "{} labelled identities", set.len());
    assert!(s.precision() >= 0.98, "precision {:.3}; wrong: {:#?}", s.precision(), s.wrong);
    assert!(s.coverage() >= 0.9, "coverage {:.3}; misses: {:#?}", s.coverage(), s.misses);
    // Individuals' and communities' packages are never attributed.
    assert!(s.wrong.iter().all(|w| !w.contains("expected unknown")), "{:#?}", s.wrong);
}

#[test]
fn weak_evidence_alone_never_attributes() {
    let kb = KnowledgeBase::builtin();
    // An individual's Go module on Gitee, with a QQ mailbox and a .cn homepage: three weak CN hints.
    let mut c = component("pkg:golang/gitee.com/someone/tool@v1.0.0");
    c.authors = vec!["Someone <someone@qq.com>".into()];
    c.homepage = Some("https://someone.cn/tool".into());
    let o = origin::attribute(kb, &c, AttributeTo::Headquarters, kb.floor);
    assert_eq!(o.country, None, "{o:#?}");
    assert_eq!(o.evidence.len(), 3, "{o:#?}");
    assert!(o.evidence.iter().all(|e| e.weak && e.country.as_deref() == Some("CN")));
    // Their combined score is recorded, so a reader sees why it stayed unknown.
    assert!(o.confidence > 0.8, "{}", o.confidence);
    // A corporate e-mail domain (strong) on top of the same hints decides it.
    c.authors.push("Dev <dev@alibaba-inc.com>".into());
    let o = origin::attribute(kb, &c, AttributeTo::Headquarters, kb.floor);
    assert_eq!(o.country.as_deref(), Some("CN"));
    assert!(o.organisation.as_ref().is_some_and(|x| x.name.starts_with("Alibaba")), "{o:#?}");
}

#[test]
fn weak_conflicts_lower_confidence_and_two_strong_countries_give_both() {
    let kb = KnowledgeBase::builtin();
    let mut c = component("pkg:npm/%40ant-design/icons@5.0.0");
    let alone = origin::attribute(kb, &c, AttributeTo::Headquarters, kb.floor);
    assert_eq!(alone.country.as_deref(), Some("CN"));
    assert_eq!(alone.confidence, 0.9);
    // Agreeing evidence raises it: the repository owner is Ant Group too (noisy-OR 1-0.1*0.2 = 0.98).
    c.repository = Some("https://github.com/ant-design/ant-design-icons".into());
    let agree = origin::attribute(kb, &c, AttributeTo::Headquarters, kb.floor);
    assert_eq!(agree.confidence, 0.98);
    // A weak conflicting hint lowers it but does not flip it: 0.98 * (1 - 0.5*0.5) = 0.735.
    c.authors = vec!["x <x@naver.com>".into()];
    let weak_conflict = origin::attribute(kb, &c, AttributeTo::Headquarters, kb.floor);
    assert_eq!(weak_conflict.country.as_deref(), Some("CN"));
    assert_eq!(weak_conflict.confidence, 0.735);
    // Two strong organisations in different countries: both countries, each with its confidence (never
    // unknown); the strongest is the component's country.
    let mut d = component("pkg:npm/%40ant-design/x@1.0.0");
    d.repository = Some("https://github.com/naver/x".into());
    let both = origin::attribute(kb, &d, AttributeTo::Headquarters, kb.floor);
    assert_eq!(both.countries, vec!["CN".to_string(), "KR".to_string()], "{both:#?}");
    assert_eq!(both.country.as_deref(), Some("CN"));
    let m = &both.facets[&sovereign::model::Facet::Maintainer];
    let got: Vec<(&str, f64)> = m.countries.iter().map(|c| (c.country.as_str(), c.confidence)).collect();
    assert_eq!(got, vec![("CN", 0.9), ("KR", 0.8)]);
}

#[test]
fn parent_attribution_is_a_policy_choice() {
    let kb = KnowledgeBase::builtin();
    let c = component("pkg:pypi/dm-haiku@0.0.13");
    let hq = origin::attribute(kb, &c, AttributeTo::Headquarters, kb.floor);
    let parent = origin::attribute(kb, &c, AttributeTo::Parent, kb.floor);
    assert_eq!(hq.country.as_deref(), Some("GB"));
    assert_eq!(parent.country.as_deref(), Some("US"));
    let org = hq.organisation.unwrap();
    assert_eq!((org.country.as_str(), org.parent_country.as_deref()), ("GB", Some("US")));
    assert_eq!(hq.evidence[0].parent_country.as_deref(), Some("US"));
}

#[test]
fn mirrors_and_generic_hosts_say_nothing() {
    let kb = KnowledgeBase::builtin();
    let mut c = component("pkg:npm/left-pad@1.3.0");
    c.source = Some(sovereign::model::SourceKind::Url {
        url: "https://registry.npmmirror.com/left-pad/-/left-pad-1.3.0.tgz".into(),
    });
    c.homepage = Some("https://left-pad.io".into());
    c.repository = Some("https://github.com/left-pad/left-pad".into());
    let o = origin::attribute(kb, &c, AttributeTo::Headquarters, kb.floor);
    assert_eq!(o.country, None);
    assert_eq!(o.evidence.len(), 1, "{o:#?}");
    assert_eq!(o.evidence[0].country, None);
    assert!(o.evidence[0].source.contains("mirrors_not_origin"));
    // Registry download hosts name nobody, even those on an organisation's domain.
    for u in [
        "https://repo.maven.apache.org/maven2/a/b/1/b-1.jar",
        "https://proxy.golang.org/x/@v/v1.zip",
        "https://files.pythonhosted.org/packages/x.whl",
        "https://pypi.python.org/packages/x.tar.gz",
        "https://registry.npmjs.org/x/-/x-1.tgz",
    ] {
        let mut c = component("pkg:generic/x@1");
        c.source = Some(sovereign::model::SourceKind::Url { url: u.into() });
        assert!(origin::attribute(kb, &c, AttributeTo::Headquarters, kb.floor).evidence.is_empty(), "{u}");
    }
    // A direct download from a known owner's repository names it.
    let mut c = component("pkg:generic/x@1");
    c.source = Some(sovereign::model::SourceKind::Url {
        url: "https://github.com/alibaba/nacos/archive/refs/tags/2.4.0.tar.gz".into(),
    });
    assert_eq!(origin::attribute(kb, &c, AttributeTo::Headquarters, kb.floor).country.as_deref(), Some("CN"));
    // Pages on big platforms that host everybody's content do not name the platform.
    for h in [
        "https://sites.google.com/view/someone",
        "https://apps.apple.com/app/id123",
        "https://blog.naver.com/someone",
        "https://dev.azure.com/someorg/proj",
        "https://bucket.s3.us-west-2.amazonaws.com/x.tgz",
        "https://marketplace.visualstudio.com/items?itemName=x.y",
        "https://deno.land/x/oak",
    ] {
        let mut c = component("pkg:npm/x@1.0.0");
        c.homepage = Some(h.into());
        let o = origin::attribute(kb, &c, AttributeTo::Headquarters, kb.floor);
        assert!(o.evidence.iter().all(|e| e.organisation.is_none()), "{h}: {o:#?}");
    }
    // docs.rs, .rs, .ai and .io carry nothing either.
    for h in [
        "https://docs.rs/x",
        "https://x.rs",
        "https://someone.ai",
        "https://tokio.rs",
        "https://pkg.go.dev/x",
    ] {
        let mut c = component("pkg:cargo/x@1.0.0");
        c.homepage = Some(h.into());
        assert!(origin::attribute(kb, &c, AttributeTo::Headquarters, kb.floor).evidence.is_empty(), "{h}");
    }
}

#[test]
fn gazetteer_in_several_scripts() {
    let g = Gazetteer::builtin();
    assert!(g.len() > 10_000);
    let cases = [
        ("Seoul", "KR"),
        ("Seoul, South Korea", "KR"),
        ("서울", "KR"),
        ("서울특별시 강남구", "KR"),
        ("대한민국", "KR"),
        ("Hangzhou, Zhejiang", "CN"),
        ("杭州", "CN"),
        ("中国北京", "CN"),
        ("北京市海淀区", "CN"),
        ("Beijing, China", "CN"),
        ("Shenzhen, Guangdong, China", "CN"),
        ("SF Bay Area", "US"),
        ("San Francisco, CA", "US"),
        ("Austin, TX", "US"),
        ("Atlanta, Georgia", "US"),
        ("Tbilisi, Georgia", "GE"),
        ("Toronto, ON", "CA"),
        ("Berlin, DE", "DE"),
        ("München, Deutschland", "DE"),
        ("Paris", "FR"),
        ("London", "GB"),
        ("Cambridge, UK", "GB"),
        ("Cambridge, MA", "US"),
        ("東京", "JP"),
        ("東京都渋谷区", "JP"),
        ("日本", "JP"),
        ("Москва", "RU"),
        ("Санкт-Петербург, Россия", "RU"),
        ("Россия", "RU"),
        ("São Paulo, Brazil", "BR"),
        ("Bengaluru, India", "IN"),
        ("台北", "TW"),
        ("🇰🇷", "KR"),
        ("ＴＯＫＹＯ", "JP"),
    ];
    let mut failures = Vec::new();
    for (text, cc) in cases {
        let got = g.locate(text).map(|p| p.country);
        if got.as_deref() != Some(cc) {
            failures.push(format!("{text:?}: got {got:?}, expected {cc}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn gazetteer_leaves_ambiguous_and_junk_unknown() {
    let g = Gazetteer::builtin();
    for text in [
        "Georgia",
        "Victoria",
        "Cambridge",
        "Valencia",
        "CA",
        "DE",
        "Remote",
        "Earth",
        "Planet Earth",
        "localhost",
        "127.0.0.1",
        "",
        "   ",
        "https://example.com",
        "he/him",
        "the internet / remote",
        "Paris / Berlin",
    ] {
        assert_eq!(g.locate(text), None, "{text:?}");
    }
    // Hostile input: huge, control characters, invalid-looking unicode.
    let long = "x".repeat(100_000);
    assert_eq!(g.locate(&long), None);
    assert_eq!(g.locate("\u{0}\u{1}\u{202e}"), None);
    // Confidence: a country name is surer than a city.
    let country = g.locate("China").unwrap();
    let city = g.locate("Hangzhou").unwrap();
    assert!(country.confidence > city.confidence);
}

const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";

/// A small Rust project whose lockfile names a Microsoft crate, an AWS crate and an individual's crate.
fn rust_project(dir: &std::path::Path) {
    let lock = format!(
        "version = 3\n\n[[package]]\nname = \"aws-lc-rs\"\nversion = \"1.13.0\"\nsource = \"{CRATES_IO}\"\n\n\
         [[package]]\nname = \"demo\"\nversion = \"0.1.0\"\ndependencies = [\n \"aws-lc-rs\",\n \"serde\",\n \"windows-sys\",\n]\n\n\
         [[package]]\nname = \"serde\"\nversion = \"1.0.200\"\nsource = \"{CRATES_IO}\"\n\n\
         [[package]]\nname = \"windows-sys\"\nversion = \"0.59.0\"\nsource = \"{CRATES_IO}\"\n"
    );
    support::write_files(
        dir,
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"demo\"\nversion = \"0.1.0\"\n[dependencies]\nserde = \"1\"\nwindows-sys = \"0.59\"\naws-lc-rs = \"1\"\n",
            ),
            ("Cargo.lock", &lock),
        ],
    );
}

#[test]
fn scan_attributes_components_and_cyclonedx_carries_it() {
    let dir = tempfile::tempdir().unwrap();
    rust_project(dir.path());
    let inv = support::scan_dir(dir.path());
    let by = |n: &str| inv.components.iter().find(|c| c.name == n).unwrap();
    assert_eq!(by("windows-sys").origin.country.as_deref(), Some("US"));
    assert_eq!(by("aws-lc-rs").origin.country.as_deref(), Some("US"));
    assert_eq!(by("serde").origin.country, None);
    assert!(by("serde").origin.evidence.is_empty());
    let doc = support::cdx(&inv);
    support::validate_cdx(&doc, "scan_attributes_components_and_cyclonedx_carries_it");
    let comps = doc["components"].as_array().unwrap();
    let ws = comps.iter().find(|c| c["name"] == "windows-sys").unwrap();
    assert_eq!(ws["supplier"]["name"], "Microsoft (incl. GitHub Inc., npm Inc.)");
    assert_eq!(ws["supplier"]["address"]["country"], "US");
    assert_eq!(ws["supplier"]["url"][0], "https://microsoft.com");
    let props: Vec<(&str, &str)> = ws["properties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["value"].as_str().unwrap()))
        .collect();
    assert!(props.contains(&("sovereign:origin:country", "US")), "{props:?}");
    assert!(props.contains(&("sovereign:origin:confidence", "0.85")), "{props:?}");
    let ev: Vec<&&str> = props.iter().filter(|p| p.0 == "sovereign:origin:evidence").map(|p| &p.1).collect();
    assert_eq!(ev.len(), 1, "{props:?}");
    assert!(
        ev[0].starts_with("known-organisation | crate windows-sys | US | 0.85 | rules/origins/orgs.yaml"),
        "{}",
        ev[0]
    );
    let serde = comps.iter().find(|c| c["name"] == "serde").unwrap();
    assert!(serde.get("supplier").is_none());
}

#[test]
fn curations_win_and_explain_shows_the_evidence() {
    let dir = tempfile::tempdir().unwrap();
    rust_project(dir.path());
    let cache = tempfile::tempdir().unwrap();
    let cur = cache.path().join("curations.yaml");
    std::fs::write(
        &cur,
        "curations:\n  - purl: \"pkg:cargo/serde\"\n    country: CH\n    reason: Reviewed by the audit team, 2026-11.\n  - purl: \"pkg:cargo/windows-*\"\n    country: unknown\n    reason: Policy treats Windows bindings as platform.\n",
    )
    .unwrap();
    let src = dir.path().to_str().unwrap();
    let out = support::run(
        &["explain", src, "pkg:cargo/serde", "--curations", cur.to_str().unwrap()],
        cache.path(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("pkg:cargo/serde@1.0.200"), "{stdout}");
    assert!(stdout.contains("origin: CH (curated by the user"), "{stdout}");
    assert!(stdout.contains("Reviewed by the audit team"), "{stdout}");
    // A curation to `unknown` wins too.
    let out = support::run(
        &["explain", src, "pkg:cargo/windows-sys", "--curations", cur.to_str().unwrap()],
        cache.path(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("origin: unknown"), "{stdout}");
    // Without curations, the evidence is listed with its weight and source.
    let out = support::run(&["explain", src, "pkg:cargo/aws-lc-rs@1.13.0"], cache.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("origin: US, confidence 0.85"), "{stdout}");
    assert!(stdout.contains("crate aws-lc-rs -> US weight 0.85"), "{stdout}");
    assert!(stdout.contains("https://en.wikipedia.org/wiki/Amazon_Web_Services"), "{stdout}");
    // An unknown purl is an error (exit 2).
    let out = support::run(&["explain", src, "pkg:cargo/nope"], cache.path());
    assert_eq!(out.status.code(), Some(2));
    // The scan summary shows countries with shares, direct and transitive counts.
    let out = support::run(&["scan", src, "-o", cache.path().join("s.json").to_str().unwrap()], cache.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("origin by country"), "{stderr}");
    assert!(stderr.contains("US            2  50.0%  2 direct / 0 transitive"), "{stderr}");
    assert!(stderr.contains("unknown       2  50.0%  1 direct / 1 transitive"), "{stderr}");
}

#[test]
fn bad_user_files_become_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    rust_project(dir.path());
    let cache = tempfile::tempdir().unwrap();
    let cur = cache.path().join("bad.yaml");
    std::fs::write(&cur, "curations:\n  - purl: \"pkg:cargo/serde\"\n    country: XX\n    reason: r\n")
        .unwrap();
    let rules = cache.path().join("rules.yaml");
    std::fs::write(&rules, "organisations: [").unwrap();
    let src = dir.path().to_str().unwrap();
    let out = support::run(
        &["scan", src, "--curations", cur.to_str().unwrap(), "--origin-rules", rules.to_str().unwrap()],
        cache.path(),
    );
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error[origin-curations-invalid]"), "{stderr}");
    assert!(stderr.contains("`XX` is not an ISO 3166-1 alpha-2 code"), "{stderr}");
    assert!(stderr.contains("error[origin-rules-invalid]"), "{stderr}");
    // The built-in rules still attributed the Microsoft crate.
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ws = doc["components"].as_array().unwrap().iter().find(|c| c["name"] == "windows-sys").unwrap();
    assert_eq!(ws["supplier"]["address"]["country"], "US");
}

#[test]
fn user_rules_extend_the_knowledge_base() {
    let dir = tempfile::tempdir().unwrap();
    rust_project(dir.path());
    let cache = tempfile::tempdir().unwrap();
    let rules = cache.path().join("rules.yaml");
    std::fs::write(
        &rules,
        "organisations:\n  - name: Serde Org\n    country: NO\n    crates: [serde]\n    source: https://example.invalid/serde\n",
    )
    .unwrap();
    let out = support::run(
        &[
            "explain",
            dir.path().to_str().unwrap(),
            "pkg:cargo/serde",
            "--origin-rules",
            rules.to_str().unwrap(),
        ],
        cache.path(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("origin: NO, confidence 0.85"), "{stdout}");
    assert!(stdout.contains("organisation: Serde Org (headquarters NO"), "{stdout}");
}

#[test]
fn corpus_attributions_are_all_backed_by_strong_evidence() {
    let Some(corpus) = support::corpus("corpus_attributions_are_all_backed_by_strong_evidence") else {
        return;
    };
    // (entry, at least this many attributed, components that must be attributed with their country)
    // and crates of individuals or communities that must stay unknown.
    type Case<'a> = (&'a str, usize, &'a [(&'a str, &'a str)], &'a [&'a str]);
    let cases: [Case; 2] = [
        (
            "rust/astral-sh__uv",
            30,
            &[("windows-sys", "US"), ("aws-lc-rs", "US"), ("requests", "US")],
            &["serde", "memchr", "clap", "tokio"],
        ),
        (
            "rust/BurntSushi__ripgrep",
            4,
            &[("windows-sys", "US"), ("windows-link", "US"), ("tikv-jemallocator", "US")],
            &["serde", "regex-automata", "memchr"],
        ),
    ];
    for (dir, at_least, must, individuals) in cases {
        let inv = support::scan_dir(&corpus.join(dir));
        let mut attributed = 0;
        for c in &inv.components {
            if let Some(cc) = &c.origin.country {
                attributed += 1;
                assert!(
                    c.origin.evidence.iter().any(|e| !e.weak && e.country.as_deref() == Some(cc.as_str())),
                    "{}: {:#?}",
                    c.id,
                    c.origin
                );
                assert!(c.origin.confidence >= 0.6);
                assert!(c.origin.organisation.is_some(), "{}", c.id);
            }
        }
        let by = |n: &str| {
            inv.components.iter().find(|c| c.name == n).unwrap_or_else(|| panic!("{dir}: no component {n}"))
        };
        for (name, country) in must {
            assert_eq!(by(name).origin.country.as_deref(), Some(*country), "{dir}: {name}");
        }
        for individual in individuals {
            // regex-automata and memchr are BurntSushi's (repository not in a lockfile); clap, tokio and
            // serde have no organisation: nothing names a country offline.
            assert_eq!(by(individual).origin.country, None, "{dir}: {individual}");
        }
        eprintln!("{dir}: {attributed} of {} components attributed", inv.components.len());
        assert!(attributed >= at_least, "{dir}: only {attributed} attributed");
        let doc = support::cdx(&inv);
        support::validate_cdx(&doc, "corpus_attributions_are_all_backed_by_strong_evidence");
    }
}

#[test]
fn stored_sbom_keeps_the_evidence_and_explain_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    rust_project(dir.path());
    let inv = support::scan_dir(dir.path());
    for format in [sovereign::sbom::Format::CyclonedxJson, sovereign::sbom::Format::SpdxJson] {
        let bytes = sovereign::sbom::write(&inv, format);
        let back = sovereign::sbom::read(&bytes, "stored.json").unwrap();
        for (a, b) in inv.components.iter().zip(&back.components) {
            assert_eq!(a.origin.country, b.origin.country, "{format:?} {}", a.id);
            assert_eq!(a.origin.basis, b.origin.basis, "{format:?} {}", a.id);
            assert_eq!(a.origin.evidence.len(), b.origin.evidence.len(), "{format:?} {}", a.id);
            for (x, y) in a.origin.evidence.iter().zip(&b.origin.evidence) {
                assert_eq!((x.kind, &x.value, &x.country, x.weak), (y.kind, &y.value, &y.country, y.weak));
                assert!((x.weight - y.weight).abs() < 0.005);
                assert_eq!(x.source, y.source);
            }
            let (oa, ob) = (a.origin.organisation.as_ref(), b.origin.organisation.as_ref());
            assert_eq!(oa.map(|o| (&o.name, &o.country, &o.url)), ob.map(|o| (&o.name, &o.country, &o.url)));
        }
        assert!(back.diagnostics.iter().all(|d| d.code != "sbom-invalid-property"), "{:?}", back.diagnostics);
    }
    let cache = tempfile::tempdir().unwrap();
    let sbom = cache.path().join("stored.cdx.json");
    std::fs::write(&sbom, sovereign::sbom::write(&inv, sovereign::sbom::Format::CyclonedxJson)).unwrap();
    let out = support::run(&["explain", sbom.to_str().unwrap(), "pkg:cargo/windows-sys"], cache.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("origin: US, confidence 0.85"), "{stdout}");
    assert!(stdout.contains("organisation: Microsoft"), "{stdout}");
    assert!(stdout.contains("crate windows-sys -> US weight 0.85"), "{stdout}");
    // With origin options, the SBOM's facts are attributed again (here: a curation).
    let cur = cache.path().join("c.yaml");
    std::fs::write(
        &cur,
        "curations:\n  - {purl: \"pkg:cargo/windows-sys\", country: IE, reason: Built in Dublin.}\n",
    )
    .unwrap();
    let out = support::run(
        &["explain", sbom.to_str().unwrap(), "pkg:cargo/windows-sys", "--curations", cur.to_str().unwrap()],
        cache.path(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("origin: IE (curated"), "{stdout}");
}

#[test]
fn evidence_text_round_trips_even_with_separators_inside() {
    use sovereign::enrich::origin::{evidence_text, parse_evidence_text};
    use sovereign::model::{Evidence, EvidenceKind};
    let e = Evidence {
        kind: EvidenceKind::MaintainerLocation,
        value: "GitHub profile x location \"Seoul | Remote\"".into(),
        country: Some("KR".into()),
        weight: 0.71,
        source: "https://api.github.com/users/x | cached".into(),
        weak: false,
        organisation: None,
        parent_country: Some("US".into()),
        facet: None,
    };
    let text = evidence_text(&e);
    assert_eq!(
        text,
        "maintainer-location | GitHub profile x location \"Seoul | Remote\" | KR (parent US) | 0.71 | https://api.github.com/users/x | cached"
    );
    // Read back, the evidence carries its facet (the kind's own, not written).
    let read = parse_evidence_text(&text).unwrap();
    assert_eq!(read.facet, Some(sovereign::model::Facet::Maintainer));
    assert_eq!(Evidence { facet: None, ..read }, e);
    // A facet other than the kind's is written after the kind and read back.
    let other = Evidence { facet: Some(sovereign::model::Facet::Weights), ..e.clone() };
    let text = evidence_text(&other);
    assert!(text.starts_with("maintainer-location (weights) | "), "{text}");
    assert_eq!(parse_evidence_text(&text), Some(other));
    assert_eq!(parse_evidence_text("nonsense"), None);
    assert_eq!(parse_evidence_text("code-host | x | none | 0.00 (weak) | s").unwrap().country, None);
}

/// The copyright notices of an installed package's licence text are origin evidence when the holder is a
/// known organisation (one piece per holder, however many notices name it); a person's notice is not.
#[test]
fn licence_text_copyright_holders_are_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let mit = |holder: &str| {
        format!(
            "MIT License\n\n{holder}\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\nof this software and associated documentation files (the \"Software\"), to deal\nin the Software without restriction, including without limitation the rights\nto use, copy, modify, merge, publish, distribute, sublicense, and/or sell\ncopies of the Software, and to permit persons to whom the Software is\nfurnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all\ncopies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR\nIMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,\nFITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE\nAUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER\nLIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,\nOUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE\nSOFTWARE.\n"
        )
    };
    let lock = r#"{"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": {
        "": {"name": "app", "version": "1.0.0", "dependencies": {"obscure-widget": "1.0.0", "tiny-util": "2.0.0"}},
        "node_modules/obscure-widget": {"version": "1.0.0", "resolved": "https://example.invalid/obscure-widget-1.0.0.tgz"},
        "node_modules/tiny-util": {"version": "2.0.0", "resolved": "https://example.invalid/tiny-util-2.0.0.tgz"}
    }}"#;
    support::write_files(
        dir.path(),
        &[
            (
                "package.json",
                r#"{"name": "app", "version": "1.0.0", "dependencies": {"obscure-widget": "1.0.0", "tiny-util": "2.0.0"}}"#,
            ),
            ("package-lock.json", lock),
            (
                "node_modules/obscure-widget/package.json",
                r#"{"name": "obscure-widget", "version": "1.0.0", "license": "MIT"}"#,
            ),
            (
                "node_modules/obscure-widget/LICENSE",
                &mit("Copyright (c) 2019 Google LLC\nCopyright (c) 2021 Google LLC"),
            ),
            (
                "node_modules/tiny-util/package.json",
                r#"{"name": "tiny-util", "version": "2.0.0", "license": "MIT"}"#,
            ),
            ("node_modules/tiny-util/LICENSE", &mit("Copyright (c) 2015 Jane Q. Example")),
        ],
    );
    let inv = support::scan_dir(dir.path());
    let widget = inv.components.iter().find(|c| c.name == "obscure-widget").unwrap();
    assert_eq!(widget.copyrights.len(), 2, "{:?}", widget.copyrights);
    let holder_ev: Vec<_> = widget
        .origin
        .evidence
        .iter()
        .filter(|e| e.kind == sovereign::model::EvidenceKind::CopyrightHolder)
        .collect();
    assert_eq!(holder_ev.len(), 1, "one piece of evidence per holder: {holder_ev:?}");
    assert_eq!(widget.origin.country.as_deref(), Some("US"), "{:?}", widget.origin);
    let util = inv.components.iter().find(|c| c.name == "tiny-util").unwrap();
    assert_eq!(util.copyrights, ["Copyright (c) 2015 Jane Q. Example"]);
    assert_eq!(util.origin.country, None, "a person's notice attributes nothing: {:?}", util.origin);
}

#[test]
fn hub_models_give_weights_from_their_publisher_and_architecture_from_their_name() {
    use sovereign::model::Facet;
    let kb = KnowledgeBase::builtin();
    let facet = |o: &sovereign::model::Origin, f: Facet| -> Vec<String> {
        o.facets.get(&f).map(|x| x.countries.iter().map(|c| c.country.clone()).collect()).unwrap_or_default()
    };
    // Qwen's own release: published, trained and designed by Alibaba's Qwen team.
    let o = origin::attribute(
        kb,
        &component("pkg:huggingface/Qwen/Qwen2.5-VL-7B-Instruct"),
        AttributeTo::Headquarters,
        kb.floor,
    );
    assert_eq!(facet(&o, Facet::Maintainer), ["CN"], "{o:#?}");
    assert_eq!(facet(&o, Facet::Weights), ["CN"], "{o:#?}");
    assert_eq!(facet(&o, Facet::Architecture), ["CN"], "{o:#?}");
    // A re-packager's conversion: no maintainer country, but the weights are the original namespace's.
    let o = origin::attribute(
        kb,
        &component("pkg:huggingface/bartowski/Qwen_Qwen3-8B-GGUF"),
        AttributeTo::Headquarters,
        kb.floor,
    );
    assert_eq!(facet(&o, Facet::Weights), ["CN"], "{o:#?}");
    // A LLaVA model built on Mistral: two architectures named, from two countries; no publisher known.
    let o = origin::attribute(
        kb,
        &component("pkg:huggingface/someone/llava-v1.6-mistral-7b-hf"),
        AttributeTo::Headquarters,
        kb.floor,
    );
    let mut arch = facet(&o, Facet::Architecture);
    arch.sort();
    assert_eq!(arch, ["FR", "US"], "{o:#?}");
    assert!(facet(&o, Facet::Maintainer).is_empty() && facet(&o, Facet::Weights).is_empty(), "{o:#?}");
    // The country of the component is never set by its architecture alone.
    assert_eq!(o.country, None, "{o:#?}");
}
