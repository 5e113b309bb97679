//! `sovereign diff`: what changed between two SBOMs, in three renderings, with CI exit codes.

use serde_json::Value;
use sovereign::diff::{diff, ChangeKind};
use sovereign::model::{Component, Ecosystem, Inventory, LicenseValue};
use sovereign::sbom::{self, Format};

use crate::support::{run, write_files};

fn comp(
    eco: Ecosystem,
    name: &str,
    version: &str,
    licence: Option<&str>,
    country: Option<&str>,
) -> Component {
    let mut c = Component::new(eco, name, Some(version.to_string()))
        .with_purl(format!("pkg:{}/{name}@{version}", eco.as_str()));
    c.license.declared = licence.map(|l| LicenseValue::declared(l, "test"));
    c.origin.country = country.map(str::to_string);
    c.origin.confidence = if country.is_some() { 0.9 } else { 0.0 };
    c
}

fn inv(components: Vec<Component>) -> Inventory {
    let mut i = Inventory { components, ..Inventory::default() };
    i.subject.name = "x".into();
    i.normalize();
    i
}

/// Old and new sides with one change of every kind, worked out by hand:
/// - `keep` 1.0.0: unchanged.
/// - `up` 1.9.0 → 1.10.0: upgraded (numeric, not lexical), and its licence changes MIT → Apache-2.0.
/// - `down` 2.0.0 → 1.5.0: downgraded.
/// - `gone` 0.1.0: removed; `fresh` 3.0.0: added.
/// - `multi` 1.0.0 + 2.0.0 → 2.0.0 + 2.1.0: 2.0.0 unchanged, 1.0.0 → 2.1.0 upgraded.
/// - `moved` 1.0.0: origin US → CN; `lic` 1.0.0: licence unknown → GPL-3.0-only.
/// - `same-name` exists as cargo (old) and npm (new): one removed, one added (ecosystems differ).
fn sides() -> (Inventory, Inventory) {
    use Ecosystem::{Cargo, Npm};
    let old = inv(vec![
        comp(Cargo, "keep", "1.0.0", Some("MIT"), Some("US")),
        comp(Cargo, "up", "1.9.0", Some("MIT"), None),
        comp(Cargo, "down", "2.0.0", None, None),
        comp(Cargo, "gone", "0.1.0", None, None),
        comp(Cargo, "multi", "1.0.0", None, None),
        comp(Cargo, "multi", "2.0.0", None, None),
        comp(Cargo, "moved", "1.0.0", None, Some("US")),
        comp(Cargo, "lic", "1.0.0", None, None),
        comp(Cargo, "same-name", "1.0.0", None, None),
    ]);
    let new = inv(vec![
        comp(Cargo, "keep", "1.0.0", Some("MIT"), Some("US")),
        comp(Cargo, "up", "1.10.0", Some("Apache-2.0"), None),
        comp(Cargo, "down", "1.5.0", None, None),
        comp(Cargo, "fresh", "3.0.0", Some("MIT"), Some("DE")),
        comp(Cargo, "multi", "2.0.0", None, None),
        comp(Cargo, "multi", "2.1.0", None, None),
        comp(Cargo, "moved", "1.0.0", None, Some("CN")),
        comp(Cargo, "lic", "1.0.0", Some("GPL-3.0-only"), None),
        comp(Npm, "same-name", "1.0.0", None, None),
    ]);
    (old, new)
}

#[test]
fn every_kind_of_change_is_found() {
    let (old, new) = sides();
    let d = diff(&old, &new);
    let names = |l: &[sovereign::diff::Entry]| {
        l.iter().map(|e| format!("{}:{}", e.ecosystem, e.name)).collect::<Vec<_>>()
    };
    assert_eq!(names(&d.added), ["cargo:fresh", "npm:same-name"]);
    assert_eq!(names(&d.removed), ["cargo:gone", "cargo:same-name"]);
    let vc = |l: &[sovereign::diff::VersionChange]| {
        l.iter()
            .map(|c| {
                format!(
                    "{} {}→{}",
                    c.name,
                    c.from.version.as_deref().unwrap(),
                    c.to.version.as_deref().unwrap()
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(vc(&d.upgraded), ["multi 1.0.0→2.1.0", "up 1.9.0→1.10.0"]);
    assert_eq!(vc(&d.downgraded), ["down 2.0.0→1.5.0"]);
    assert!(d.version_changed.is_empty());
    let ch = |l: &[sovereign::diff::ValueChange]| {
        l.iter().map(|c| format!("{} {:?}→{:?}", c.name, c.from, c.to)).collect::<Vec<_>>()
    };
    assert_eq!(
        ch(&d.license_changes),
        ["lic None→Some(\"GPL-3.0-only\")", "up Some(\"MIT\")→Some(\"Apache-2.0\")"]
    );
    assert_eq!(ch(&d.origin_changes), ["moved Some(\"US\")→Some(\"CN\")"]);
    assert_eq!(d.count(ChangeKind::Any), 2 + 2 + 2 + 1 + 2 + 1);
    assert!(d.fails(&[ChangeKind::Origin]));
    assert!(!d.fails(&[ChangeKind::None]));
    assert!(diff(&old, &old).is_empty());
}

#[test]
fn cli_diff_renders_and_exits_for_ci() {
    let (old, new) = sides();
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    // One side CycloneDX, the other SPDX: the format is detected.
    std::fs::write(p("old.cdx.json"), sbom::write(&old, Format::CyclonedxJson)).unwrap();
    std::fs::write(p("new.spdx.json"), sbom::write(&new, Format::SpdxJson)).unwrap();
    let cache = tempfile::tempdir().unwrap();

    let r = run(&["diff", &p("old.cdx.json"), &p("new.spdx.json"), "--format", "json"], cache.path());
    assert_eq!(r.status.code(), Some(1), "changes found: exit 1");
    let v: Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v["summary"]["added"], 2);
    assert_eq!(v["summary"]["upgraded"], 2);
    assert_eq!(v["summary"]["origin_changes"], 1);
    assert_eq!(v["origin_changes"][0]["to"], "CN");
    assert_eq!(v["upgraded"][1]["to"]["version"], "1.10.0");

    let r = run(&["diff", &p("old.cdx.json"), &p("new.spdx.json")], cache.path());
    let text = String::from_utf8_lossy(&r.stdout);
    assert!(
        text.contains("2 added, 2 removed, 2 upgraded, 1 downgraded, 2 licence changes, 1 origin changes"),
        "{text}"
    );
    assert!(text.contains("  + cargo fresh 3.0.0  licence MIT  origin DE"), "{text}");
    assert!(text.contains("  ! cargo moved 1.0.0: US → CN"), "{text}");

    let md = p("diff.md");
    let r = run(
        &["diff", &p("old.cdx.json"), &p("new.spdx.json"), "--format", "markdown", "-o", &md],
        cache.path(),
    );
    assert_eq!(r.status.code(), Some(1));
    let md = std::fs::read_to_string(md).unwrap();
    assert!(md.contains("| cargo | up | 1.9.0 | 1.10.0 |"), "{md}");
    assert!(md.contains("| cargo | lic | 1.0.0 | unknown | GPL-3.0-only |"), "{md}");

    // --fail-on selects what fails CI.
    let r = run(
        &["diff", &p("old.cdx.json"), &p("new.spdx.json"), "--fail-on", "downgraded,origin"],
        cache.path(),
    );
    assert_eq!(r.status.code(), Some(1));
    let r = run(&["diff", &p("old.cdx.json"), &p("new.spdx.json"), "--fail-on", "none"], cache.path());
    assert_eq!(r.status.code(), Some(0));
    let r = run(&["diff", &p("old.cdx.json"), &p("old.cdx.json")], cache.path());
    assert_eq!(r.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&r.stdout).contains("no differences"));
    // An unreadable side is an error.
    std::fs::write(p("broken.json"), "{\"bomFormat\": \"CycloneDX\", ").unwrap();
    let r = run(&["diff", &p("broken.json"), &p("old.cdx.json")], cache.path());
    assert_eq!(r.status.code(), Some(2));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.starts_with("error: `") && err.contains("is not valid JSON (line 1"), "{err}");
}

#[test]
fn cli_diff_of_a_directory_against_its_stored_sbom() {
    let src = tempfile::tempdir().unwrap();
    let lock = |v: &str| {
        format!("version = 4\n[[package]]\nname = \"d\"\nversion = \"0.1.0\"\ndependencies = [\"itoa\"]\n[[package]]\nname = \"itoa\"\nversion = \"{v}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n")
    };
    write_files(
        src.path(),
        &[
            ("Cargo.toml", "[package]\nname = \"d\"\nversion = \"0.1.0\"\n[dependencies]\nitoa = \"1\"\n"),
            ("Cargo.lock", &lock("1.0.0")),
        ],
    );
    let out = tempfile::tempdir().unwrap();
    let stored = out.path().join("baseline.cdx.json");
    let cache = tempfile::tempdir().unwrap();
    let r =
        run(&["scan", src.path().to_str().unwrap(), "-o", stored.to_str().unwrap(), "--quiet"], cache.path());
    assert!(r.status.success());
    write_files(src.path(), &[("Cargo.lock", &lock("1.0.11"))]);
    let r = run(
        &[
            "diff",
            stored.to_str().unwrap(),
            src.path().to_str().unwrap(),
            "--format",
            "json",
            "--fail-on",
            "added,removed",
        ],
        cache.path(),
    );
    assert_eq!(
        r.status.code(),
        Some(0),
        "an upgrade is not an addition: {}",
        String::from_utf8_lossy(&r.stderr)
    );
    let v: Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v["upgraded"][0]["name"], "itoa");
    assert_eq!(v["upgraded"][0]["from"]["version"], "1.0.0");
    assert_eq!(v["upgraded"][0]["to"]["version"], "1.0.11");
}
