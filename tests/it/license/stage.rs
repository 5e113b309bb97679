//! The licence stage over whole scans: declared vs detected, curations, SPDX tags, installed packages,
//! and the CycloneDX output.

use sovereign::enrich::license::{enrich, LicenseOptions};
use sovereign::model::{Component, Ecosystem, Inventory, LicenseValue, Severity, SourceKind};
use sovereign::source::SourceTree;

use super::detection::{BSD3, MIT};
use crate::support::{cdx, scan_dir, validate_cdx, write_files};

fn by_name<'a>(inv: &'a Inventory, name: &str) -> &'a Component {
    inv.components.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no component {name}"))
}

fn concluded(inv: &Inventory, name: &str) -> Option<String> {
    by_name(inv, name).license.concluded.as_ref().map(|c| c.expression.clone())
}

fn codes<'a>(inv: &'a Inventory, code: &str) -> Vec<&'a str> {
    inv.diagnostics.iter().filter(|d| d.code == code).map(|d| d.message.as_str()).collect()
}

fn workspace(dir: &std::path::Path) {
    let lock = |names: &[&str]| {
        let mut s = String::from("version = 4\n");
        for n in names {
            s.push_str(&format!("\n[[package]]\nname = \"{n}\"\nversion = \"0.1.0\"\n"));
        }
        s
    };
    write_files(
        dir,
        &[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"agree\", \"dual\", \"conflict\", \"bsd\", \"tagged\", \"bare\"]\n",
            ),
            ("Cargo.lock", &lock(&["agree", "bare", "bsd", "conflict", "dual", "tagged"])),
            ("LICENSE", MIT),
            ("agree/Cargo.toml", "[package]\nname = \"agree\"\nversion = \"0.1.0\"\nlicense = \"MIT\"\n"),
            ("agree/LICENSE.txt", MIT),
            (
                "dual/Cargo.toml",
                "[package]\nname = \"dual\"\nversion = \"0.1.0\"\nlicense = \"MIT/BSD-3-Clause\"\n",
            ),
            ("dual/LICENSE-MIT", MIT),
            ("dual/LICENSE-BSD", BSD3),
            (
                "conflict/Cargo.toml",
                "[package]\nname = \"conflict\"\nversion = \"0.1.0\"\nlicense = \"MIT\"\n",
            ),
            ("conflict/COPYING", BSD3),
            ("bsd/Cargo.toml", "[package]\nname = \"bsd\"\nversion = \"0.1.0\"\nlicense = \"BSD\"\n"),
            ("bsd/LICENSE", BSD3),
            ("tagged/Cargo.toml", "[package]\nname = \"tagged\"\nversion = \"0.1.0\"\nlicense = \"MIT\"\n"),
            ("tagged/src/lib.rs", "// SPDX-License-Identifier: MIT\npub fn a() {}\n"),
            ("tagged/src/gpl.rs", "// SPDX-License-Identifier: GPL-2.0-or-later\npub fn b() {}\n"),
            ("tagged/src/more.rs", "// SPDX-License-Identifier: GPL-2.0-or-later\n"),
            (
                "bare/Cargo.toml",
                "[package]\nname = \"bare\"\nversion = \"0.1.0\"\nlicense = \"Apache 2.0\"\n",
            ),
            ("vendor/thing/LICENSE", BSD3),
        ],
    );
}

#[test]
fn declared_and_detected_are_concluded_by_the_rules() {
    let dir = tempfile::tempdir().unwrap();
    workspace(dir.path());
    let inv = scan_dir(dir.path());

    // Agree: declared MIT, LICENSE.txt is MIT.
    assert_eq!(concluded(&inv, "agree").as_deref(), Some("MIT"));
    let agree = by_name(&inv, "agree");
    assert_eq!(agree.license.detected.len(), 1);
    assert_eq!(agree.license.detected[0].source, "agree/LICENSE.txt");
    assert!(agree.license.detected[0].score.unwrap() >= 0.9);
    // Cargo's legacy slash, normalised; both texts present: the declared expression.
    let dual = by_name(&inv, "dual");
    assert_eq!(dual.license.declared.as_ref().unwrap().expression, "MIT OR BSD-3-Clause");
    assert_eq!(dual.license.declared.as_ref().unwrap().original.as_deref(), Some("MIT/BSD-3-Clause"));
    assert_eq!(concluded(&inv, "dual").as_deref(), Some("MIT OR BSD-3-Clause"));
    // Disagree: declared MIT, COPYING is BSD-3-Clause -> NOASSERTION and a warning naming both.
    assert_eq!(concluded(&inv, "conflict").as_deref(), Some("NOASSERTION"));
    let conflicts = codes(&inv, "license-conflict");
    assert!(
        conflicts.iter().any(|m| m.contains("conflict@0.1.0")
            && m.contains("`MIT`")
            && m.contains("conflict/COPYING reads `BSD-3-Clause`")),
        "{conflicts:?}"
    );
    // `BSD` is not guessed; the text decides.
    let bsd = by_name(&inv, "bsd");
    assert!(!bsd.license.declared.as_ref().unwrap().valid);
    assert_eq!(bsd.license.declared.as_ref().unwrap().expression, "BSD");
    assert_eq!(concluded(&inv, "bsd").as_deref(), Some("BSD-3-Clause"));
    assert!(codes(&inv, "license-ambiguous").iter().any(|m| m.contains("bsd@0.1.0")));
    // SPDX tags: one value per expression, counted; GPL in a file of an MIT crate is a conflict.
    let tagged = by_name(&inv, "tagged");
    let tags: Vec<(&str, &str)> =
        tagged.license.detected.iter().map(|v| (v.expression.as_str(), v.source.as_str())).collect();
    assert!(
        tags.contains(&(
            "GPL-2.0-or-later",
            "tagged/src/gpl.rs:1 (SPDX-License-Identifier, and 1 more files)"
        )),
        "{tags:?}"
    );
    assert!(tags.contains(&("MIT", "tagged/src/lib.rs:1 (SPDX-License-Identifier)")), "{tags:?}");
    // tagged declares MIT but two of its files say GPL-2.0-or-later: a conflict.
    assert_eq!(concluded(&inv, "tagged").as_deref(), Some("NOASSERTION"));
    // Inherited root text that disagrees with a member's own declaration does not contradict it.
    assert_eq!(concluded(&inv, "bare").as_deref(), Some("Apache-2.0"));
    assert!(by_name(&inv, "bare").license.detected.is_empty());
    // The scanned tree's own licence; a vendored text no component claims is reported, not lost.
    assert_eq!(inv.license.concluded.as_ref().map(|c| c.expression.as_str()), Some("MIT"));
    // vendor/thing is a classic vendored tree with its own LICENSE: the provenance stage makes it a
    // vendored-source component, which claims the text (no `license-file-unattributed` for it).
    let vendored = inv
        .components
        .iter()
        .find(|c| {
            c.kind == sovereign::model::ComponentKind::VendoredSource
                && c.found_in.iter().any(|l| l.path.starts_with("vendor/thing"))
        })
        .expect("vendored-source component for vendor/thing");
    assert!(
        vendored
            .license
            .detected
            .iter()
            .any(|d| d.expression == "BSD-3-Clause" && d.source.starts_with("vendor/thing/LICENSE")),
        "{:?}",
        vendored.license
    );
    assert!(inv.diagnostics.iter().all(|d| d.code != "license-file-unattributed"));
    // A normalisation note per distinct change.
    assert!(codes(&inv, "license-normalised")
        .iter()
        .any(|m| m.contains("`MIT/BSD-3-Clause`") && m.contains("`MIT OR BSD-3-Clause`")));

    let doc = cdx(&inv);
    validate_cdx(&doc, "declared_and_detected_are_concluded_by_the_rules");
    let comp = |name: &str| {
        doc["components"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap().clone()
    };
    assert_eq!(
        comp("agree")["licenses"],
        serde_json::json!([
            {"license": {"id": "MIT", "acknowledgement": "declared"}},
            {"license": {"id": "MIT", "acknowledgement": "concluded"}}
        ])
    );
    assert_eq!(comp("agree")["evidence"]["licenses"], serde_json::json!([{"license": {"id": "MIT"}}]));
    assert_eq!(
        comp("dual")["licenses"],
        serde_json::json!([{"expression": "MIT OR BSD-3-Clause", "acknowledgement": "concluded"}])
    );
    let props = |c: &serde_json::Value, n: &str| -> Vec<String> {
        c["properties"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["name"] == n)
            .map(|p| p["value"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(props(&comp("dual"), "sovereign:license:declared"), ["MIT OR BSD-3-Clause"]);
    assert_eq!(props(&comp("dual"), "sovereign:license:declared:original"), ["MIT/BSD-3-Clause"]);
    assert_eq!(props(&comp("conflict"), "sovereign:license:concluded"), ["NOASSERTION"]);
    assert_eq!(
        comp("conflict")["licenses"],
        serde_json::json!([{"expression": "MIT", "acknowledgement": "declared"}])
    );
    assert_eq!(
        comp("bsd")["licenses"],
        serde_json::json!([
            {"license": {"name": "BSD", "acknowledgement": "declared"}},
            {"license": {"id": "BSD-3-Clause", "acknowledgement": "concluded"}}
        ])
    );
    assert_eq!(
        doc["metadata"]["component"]["licenses"],
        serde_json::json!([{"expression": "MIT", "acknowledgement": "concluded"}])
    );
}

#[test]
fn a_curation_settles_a_conflict_and_bad_curations_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    workspace(dir.path());
    let cur = dir.path().join("..").join(format!("cur-{}.yaml", std::process::id()));
    std::fs::write(
        &cur,
        "version: 1\ncurations:\n  - component: pkg:cargo/conflict\n    concluded: MIT AND BSD-3-Clause\n    reason: COPYING holds vendored BSD code, crate is MIT (read 2026-11-29)\n",
    )
    .unwrap();
    let tree = SourceTree::walk(dir.path());
    let mut inv = scan_dir(dir.path());
    for c in &mut inv.components {
        c.license.concluded = None;
        c.license.detected.clear();
    }
    inv.diagnostics.clear();
    enrich(&mut inv, &tree, &LicenseOptions { curations: Some(cur.clone()), ..Default::default() });
    let c = by_name(&inv, "conflict").license.concluded.clone().unwrap();
    assert_eq!(c.expression, "MIT AND BSD-3-Clause");
    assert!(c.source.contains("read 2026-11-29"), "{}", c.source);
    assert!(codes(&inv, "license-conflict").iter().all(|m| !m.contains("conflict@")));

    std::fs::write(
        &cur,
        "version: 1\ncurations:\n  - component: conflict\n    concluded: Foo License\n    reason: ''\n",
    )
    .unwrap();
    let mut inv2 = scan_dir(dir.path());
    enrich(&mut inv2, &tree, &LicenseOptions { curations: Some(cur.clone()), ..Default::default() });
    let bad: Vec<_> = inv2.diagnostics.iter().filter(|d| d.code == "license-rules-invalid").collect();
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].severity, Severity::Error);
    assert!(bad[0].message.contains("not a purl"), "{}", bad[0].message);
    std::fs::remove_file(&cur).ok();
}

/// Packages installed in the tree (node_modules, a virtual environment) have their texts read when the
/// installed version is the component's.
#[test]
fn installed_packages_texts_are_read() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("package.json", "{}"),
            ("node_modules/left-pad/package.json", "{\"name\":\"left-pad\",\"version\":\"1.3.0\"}"),
            ("node_modules/left-pad/LICENSE", MIT),
            ("node_modules/@scope/pkg/package.json", "{\"name\":\"@scope/pkg\",\"version\":\"2.0.0\"}"),
            ("node_modules/@scope/pkg/license.md", BSD3),
            ("node_modules/old/package.json", "{\"name\":\"old\",\"version\":\"0.9.0\"}"),
            ("node_modules/old/LICENSE", MIT),
            (".venv/lib/python3.12/site-packages/Some_Pkg-1.0.dist-info/METADATA", "Name: some-pkg\n"),
            (".venv/lib/python3.12/site-packages/Some_Pkg-1.0.dist-info/licenses/LICENSE", BSD3),
        ],
    );
    let tree = SourceTree::walk(dir.path());
    let comp = |eco, ns: Option<&str>, name: &str, v: &str, declared: Option<&str>| {
        let mut c = Component::new(eco, name, Some(v.to_string()));
        c.id = format!("{}:{name}@{v}", eco.as_str());
        c.namespace = ns.map(str::to_string);
        c.source = Some(SourceKind::Registry { url: None });
        c.found_in.push(sovereign::model::Location::new("package-lock.json", Some(1)));
        c.license.declared = declared.map(|d| LicenseValue::declared(d, "package-lock.json"));
        c
    };
    let mut inv = Inventory {
        components: vec![
            comp(Ecosystem::Npm, None, "left-pad", "1.3.0", Some("WTFPL")),
            comp(Ecosystem::Npm, Some("scope"), "pkg", "2.0.0", None),
            comp(Ecosystem::Npm, None, "old", "1.0.0", Some("MIT")),
            comp(Ecosystem::Pypi, None, "some.pkg", "1.0", Some("License :: OSI Approved :: BSD License")),
        ],
        ..Inventory::default()
    };
    enrich(&mut inv, &tree, &LicenseOptions::default());
    let get = |name: &str| inv.components.iter().find(|c| c.name == name).unwrap().license.clone();
    let lp = get("left-pad");
    assert_eq!(lp.detected[0].source, "node_modules/left-pad/LICENSE");
    assert_eq!(lp.concluded.unwrap().expression, "NOASSERTION", "declared WTFPL, text MIT");
    assert_eq!(get("pkg").concluded.unwrap().expression, "BSD-3-Clause");
    assert!(get("old").detected.is_empty(), "installed 0.9.0 is not the locked 1.0.0");
    assert_eq!(get("old").concluded.unwrap().expression, "MIT");
    let py = get("some.pkg");
    assert_eq!(
        py.detected[0].source,
        ".venv/lib/python3.12/site-packages/Some_Pkg-1.0.dist-info/licenses/LICENSE"
    );
    assert_eq!(py.concluded.unwrap().expression, "BSD-3-Clause");
    // node_modules and site-packages texts are not the project's own.
    assert!(inv.license.is_empty());
    assert!(codes(&inv, "license-file-unattributed").is_empty(), "{:?}", inv.diagnostics);
    inv.normalize();
    validate_cdx(&cdx(&inv), "installed_packages_texts_are_read");
}

#[test]
fn hostile_licence_files_do_not_break_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("Cargo.toml", "[package]\nname = \"x\"\nversion = \"0.1.0\"\nlicense = \"SEE LICENSE IN ../../etc/passwd\"\n"),
            ("Cargo.lock", "version = 4\n\n[[package]]\nname = \"x\"\nversion = \"0.1.0\"\n"),
            ("LICENSE.md", "\u{0}\u{1}binary\u{fffd}"),
        ],
    );
    std::fs::write(dir.path().join("COPYING"), [0xff, 0xfe, 0x00, 0x41, 0xc3, 0x28]).unwrap();
    std::fs::write(dir.path().join("NOTICE"), "x".repeat(2 * 1024 * 1024)).unwrap();
    let inv = scan_dir(dir.path());
    let x = by_name(&inv, "x");
    assert!(!x.license.declared.as_ref().unwrap().valid);
    assert!(
        codes(&inv, "license-see-file-missing").iter().any(|m| m.contains("leaves the scanned tree")),
        "{:?}",
        inv.diagnostics
    );
    assert!(inv.diagnostics.iter().any(|d| d.code == "license-text-unidentified"));
    validate_cdx(&cdx(&inv), "hostile_licence_files_do_not_break_the_scan");
}

/// The corpus's Rust workspaces: every member's concluded licence is its declared one (the expected
/// values are the `license` fields of the members' Cargo.toml files, counted with grep), with no conflict.
#[test]
fn corpus_workspaces_conclude_their_declared_licences() {
    let Some(root) = crate::support::corpus("corpus_workspaces_conclude_their_declared_licences") else {
        return;
    };
    let count = |inv: &Inventory| {
        let mut m = std::collections::BTreeMap::<String, usize>::new();
        for c in inv.components.iter().filter(|c| {
            c.kind == sovereign::model::ComponentKind::Application
                && c.ecosystem == sovereign::model::Ecosystem::Cargo
        }) {
            *m.entry(c.license.concluded.as_ref().map(|v| v.expression.clone()).unwrap_or_default())
                .or_default() += 1;
        }
        m
    };
    // ripgrep: 10 x `Unlicense OR MIT`, 1 x `Unlicense/MIT`, and the fuzz crate declares nothing: its texts
    // are the root's LICENSE-MIT, UNLICENSE and COPYING ("dual-licensed under the Unlicense and MIT").
    let rg = scan_dir(&root.join("rust/BurntSushi__ripgrep"));
    assert_eq!(count(&rg), [("Unlicense OR MIT".to_string(), 12)].into_iter().collect());
    assert!(codes(&rg, "license-conflict").is_empty(), "{:?}", codes(&rg, "license-conflict"));
    assert_eq!(rg.license.concluded.as_ref().unwrap().expression, "Unlicense OR MIT");
    // uv: 65 + 2 members inherit `MIT OR Apache-2.0` from the workspace, 1 states it, 2 are
    // `Apache-2.0 OR BSD-2-Clause`, uv-netrc is `MIT` (and its LICENSE is the MIT text).
    let uv = scan_dir(&root.join("rust/astral-sh__uv"));
    let want: std::collections::BTreeMap<String, usize> = [
        ("MIT OR Apache-2.0".to_string(), 68),
        ("Apache-2.0 OR BSD-2-Clause".to_string(), 2),
        ("MIT".to_string(), 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(count(&uv), want);
    let netrc = by_name(&uv, "uv-netrc");
    assert_eq!(
        netrc.license.detected.iter().map(|d| d.source.as_str()).collect::<Vec<_>>(),
        ["crates/uv-netrc/LICENSE"]
    );
    assert!(codes(&uv, "license-conflict").is_empty());
    validate_cdx(&cdx(&uv), "corpus_workspaces_conclude_their_declared_licences");
}

/// With `--cargo-metadata`, a crate's own Cargo.toml and licence files in the local registry cache give its
/// declared and detected licences (read as data), also when `cargo metadata` itself cannot run.
#[test]
fn cargo_registry_cache_supplies_declared_and_detected_licences() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("Cargo.toml", "[package]\nname = \"app\"\nversion = \"0.1.0\"\nlicense = \"MIT\"\n\n[dependencies]\nfoo = \"1\"\n"),
            (
                "Cargo.lock",
                "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"foo\"]\n\n[[package]]\nname = \"foo\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
            ),
        ],
    );
    let home = tempfile::tempdir().unwrap();
    write_files(
        home.path(),
        &[
            (
                "registry/src/index.example-0000/foo-1.0.0/Cargo.toml",
                "[package]\nname = \"foo\"\nversion = \"1.0.0\"\nlicense = \"BSD-3-Clause\"\n",
            ),
            ("registry/src/index.example-0000/foo-1.0.0/LICENSE", BSD3),
        ],
    );
    let cache = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sovereign"))
        .args(["scan", &dir.path().display().to_string(), "--quiet", "--cargo-metadata"])
        .env("SOVEREIGN_CACHE", cache.path())
        .env("CARGO_HOME", home.path())
        .env("CARGO_NET_OFFLINE", "true")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    validate_cdx(&doc, "cargo_registry_cache_supplies_declared_and_detected_licences");
    let foo = doc["components"].as_array().unwrap().iter().find(|c| c["name"] == "foo").unwrap();
    assert_eq!(
        foo["licenses"],
        serde_json::json!([
            {"license": {"id": "BSD-3-Clause", "acknowledgement": "declared"}},
            {"license": {"id": "BSD-3-Clause", "acknowledgement": "concluded"}}
        ]),
        "{foo}"
    );
    let props: Vec<String> = foo["properties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"].as_str().unwrap().starts_with("sovereign:license"))
        .map(|p| format!("{}={}", p["name"].as_str().unwrap(), p["value"].as_str().unwrap()))
        .collect();
    assert!(
        props.contains(&"sovereign:license:declared:source=cargo-registry:foo-1.0.0/Cargo.toml".to_string()),
        "{props:?}"
    );
    assert!(
        props
            .iter()
            .any(|p| p
                .starts_with("sovereign:license:detected=BSD-3-Clause (cargo-registry:foo-1.0.0/LICENSE")),
        "{props:?}"
    );
}

#[test]
fn user_aliases_are_read_and_output_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    workspace(dir.path());
    write_files(
        dir.path(),
        &[(
            "bare/Cargo.toml",
            "[package]\nname = \"bare\"\nversion = \"0.1.0\"\nlicense = \"Foo Public License\"\n",
        )],
    );
    let aliases = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(aliases.path(), "version: 1\nnames:\n  Foo Public License: LicenseRef-Foo\n").unwrap();
    let tree = SourceTree::walk(dir.path());
    let run = |opts: &LicenseOptions| {
        let mut inv = scan_dir(dir.path());
        for c in &mut inv.components {
            c.license.concluded = None;
            c.license.detected.clear();
            if let Some(d) = c.license.declared.as_mut() {
                d.expression = d.original.clone().unwrap();
            }
        }
        inv.diagnostics.clear();
        enrich(&mut inv, &tree, opts);
        inv.normalize();
        inv
    };
    let plain = run(&LicenseOptions::default());
    assert!(!by_name(&plain, "bare").license.declared.as_ref().unwrap().valid);
    let with = run(&LicenseOptions { aliases: Some(aliases.path().to_path_buf()), ..Default::default() });
    assert_eq!(by_name(&with, "bare").license.declared.as_ref().unwrap().expression, "LicenseRef-Foo");
    // Same input, same bytes (detection runs on two threads).
    let again = run(&LicenseOptions { aliases: Some(aliases.path().to_path_buf()), ..Default::default() });
    let without_time = |inv: &Inventory| {
        let mut doc = cdx(inv);
        doc["metadata"].as_object_mut().unwrap().remove("timestamp");
        serde_json::to_string(&doc).unwrap()
    };
    assert_eq!(without_time(&with), without_time(&again));
}

#[cfg(unix)]
#[test]
fn installed_packages_behind_links_that_leave_the_tree_are_not_read() {
    let outside = tempfile::tempdir().unwrap();
    write_files(
        outside.path(),
        &[("pkg/package.json", "{\"name\":\"evil\",\"version\":\"1.0.0\"}"), ("pkg/LICENSE", MIT)],
    );
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("package.json", "{}")]);
    std::fs::create_dir_all(dir.path().join("node_modules")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("pkg"), dir.path().join("node_modules/evil")).unwrap();
    let mut c = Component::new(Ecosystem::Npm, "evil", Some("1.0.0".into()));
    c.id = "pkg:npm/evil@1.0.0".into();
    c.source = Some(SourceKind::Registry { url: None });
    let mut inv = Inventory { components: vec![c], ..Inventory::default() };
    enrich(&mut inv, &SourceTree::walk(dir.path()), &LicenseOptions::default());
    assert!(inv.components[0].license.detected.is_empty());
}
