//! The SBOMs as the standards' checkers judge them: `ntia-conformance-checker` (PyPI, pinned in
//! tools/test-requirements.txt; tools/test-deps.sh installs it in its venv) on SPDX 2.3 and SPDX 3.0.1 output of the self-scan with
//! `--cargo-metadata`, the bundled example, three corpus entries of different ecosystems and a fixture whose
//! data allows full NTIA conformance. Under CI (`CI=true`) a missing checker fails, never skips.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{corpus, run, write_files};

const CREATOR: &str = "Example GmbH <sbom@example.com>";

/// The checker executable: SOVEREIGN_NTIA_CHECKER, else the venv of tools/test-deps.sh, else `$PATH`.
fn checker(test: &str) -> Option<PathBuf> {
    crate::support::tool(&["ntia-checker"], "SOVEREIGN_NTIA_CHECKER", test)
}

/// Runs the checker and returns its JSON report.
fn check(checker: &Path, file: &Path, spec: &str, standard: &str) -> Value {
    let out = std::process::Command::new(checker)
        .args(["-s", spec, "-c", standard, "-r", "json"])
        .arg(file)
        .output()
        .expect("run ntia-checker");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: checker output is not JSON ({e}): {}\n{}",
            file.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn missing<'a>(report: &'a Value, key: &str) -> Vec<&'a str> {
    report[key]["nonconformantComponents"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// Scans `src` into SPDX 2.3 and 3.0.1 files in `out`.
fn scan(src: &Path, out: &Path, extra: &[&str]) -> (PathBuf, PathBuf, Value) {
    let (s2, s3) = (out.join("sbom.spdx.json"), out.join("sbom.spdx3.json"));
    let mut args = vec!["scan", src.to_str().unwrap(), "--quiet", "--creator", CREATOR];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--format", "spdx-json", "-o", s2.to_str().unwrap()]);
    args.extend_from_slice(&["--format", "spdx3-json", "-o", s3.to_str().unwrap()]);
    let r = run(&args, &out.join("cache"));
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let doc: Value = serde_json::from_slice(&std::fs::read(&s2).unwrap()).unwrap();
    (s2, s3, doc)
}

/// The names of SPDX 2.3 packages for which the data holds no exact version: a requirement only, or a
/// hub model named without a revision.
fn versionless_by_data(doc: &Value) -> BTreeSet<String> {
    let ann = |p: &Value, c: &str| {
        p["annotations"].as_array().into_iter().flatten().any(|a| a["comment"].as_str() == Some(c))
    };
    doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p.get("versionInfo").is_none())
        .filter(|p| {
            p["annotations"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|a| a["comment"].as_str().is_some_and(|c| c.starts_with("sovereign:requirement=")))
                || (ann(p, "sovereign:kind=ml-model") && ann(p, "sovereign:source=registry"))
        })
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

/// The checker's table (`Requirement | True/False`) for the document-level rows the JSON report lacks.
fn rows(checker: &Path, file: &Path, spec: &str, standard: &str) -> std::collections::BTreeMap<String, bool> {
    let out = std::process::Command::new(checker)
        .args(["-s", spec, "-c", standard])
        .arg(file)
        .output()
        .expect("run ntia-checker");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (k, v) = l.rsplit_once('|')?;
            Some((k.trim().to_string(), v.trim() == "True"))
        })
        .collect()
}

/// Asserts what every SBOM of ours must pass, whatever the data: a graph with no floating package, every
/// name, identifier and version the data holds, the SBOM author and timestamp, every supplier the data
/// holds; SPDX 3: the SBOM type (generation context), the creator's contact and dependency completeness
/// (BSI). Returns the number of packages without a supplier (what the data does not hold).
fn assert_conformant_where_data_allows(
    label: &str,
    checker: &Path,
    s2: &Path,
    s3: &Path,
    doc: &Value,
) -> usize {
    let no_version = versionless_by_data(doc);
    let no_supplier: BTreeSet<&str> = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p.get("supplier").is_none())
        .filter_map(|p| p["name"].as_str())
        .collect();
    for (spec, file) in [("spdx2", s2), ("spdx3", s3)] {
        let r = check(checker, file, spec, "ntia");
        let what = format!("{label} {spec} ntia");
        assert_eq!(r["parsingError"], serde_json::json!([]), "{what}");
        assert_eq!(r["validationMessages"], serde_json::json!([]), "{what}");
        assert_eq!(
            r["graphValidation"]["floatingComponents"]["floatingComponentCount"], 0,
            "{what}: floating {:#}",
            r["graphValidation"]
        );
        assert_eq!(r["graphValidation"]["unknownPointers"]["hasUnknownPointers"], false, "{what}");
        for key in ["componentNames", "componentIdentifiers"] {
            assert_eq!(missing(&r, key), Vec::<&str>::new(), "{what}: {key}");
        }
        for name in missing(&r, "componentVersions") {
            assert!(
                no_version.contains(name),
                "{what}: `{name}` has a version in the data but none in the SBOM"
            );
        }
        for name in missing(&r, "componentSuppliers") {
            assert!(no_supplier.contains(name), "{what}: `{name}` has a supplier the checker does not see");
        }
        for key in ["authorNameProvided", "timestampProvided", "dependencyRelationshipsProvided"] {
            assert_eq!(r[key], true, "{what}: {key}");
        }
    }
    let fsct = rows(checker, s3, "spdx3", "fsct3-min");
    assert_eq!(fsct.get("SBOM generation context (SBOM type) provided?"), Some(&true), "{label}: {fsct:?}");
    let bsi = rows(checker, s3, "spdx3", "bsi");
    for row in ["Creator of the SBOM", "Timestamp", "Dependency Completeness", "Component Names"] {
        assert_eq!(bsi.get(row), Some(&true), "{label} bsi {row}: {bsi:?}");
    }
    if no_version.is_empty() {
        assert_eq!(bsi.get("Component Versions"), Some(&true), "{label}: {bsi:?}");
    }
    no_supplier.len()
}

#[test]
fn checker_on_the_bundled_example() {
    let Some(c) = checker("checker_on_the_bundled_example") else { return };
    let out = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/contest-entry");
    let (s2, s3, doc) = scan(&src, out.path(), &[]);
    let n = assert_conformant_where_data_allows("example", &c, &s2, &s3, &doc);
    eprintln!("example: {n} package(s) without a supplier in the data");
}

#[test]
fn checker_on_the_self_scan_with_cargo_metadata() {
    let Some(c) = checker("checker_on_the_self_scan_with_cargo_metadata") else { return };
    let out = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (s2, s3, doc) = scan(src, out.path(), &["--cargo-metadata"]);
    let n = assert_conformant_where_data_allows("self-scan", &c, &s2, &s3, &doc);
    eprintln!("self-scan: {n} package(s) without a supplier in the data");
}

#[test]
fn checker_on_three_corpus_ecosystems() {
    let Some(c) = checker("checker_on_three_corpus_ecosystems") else { return };
    let Some(root) = corpus("checker_on_three_corpus_ecosystems") else { return };
    for rel in ["rust/BurntSushi__ripgrep", "go/gohugoio__hugo", "npm/axios__axios"] {
        let out = tempfile::tempdir().unwrap();
        let (s2, s3, doc) = scan(&root.join(rel), out.path(), &[]);
        let n = assert_conformant_where_data_allows(rel, &c, &s2, &s3, &doc);
        eprintln!("{rel}: {n} package(s) without a supplier in the data");
    }
}

/// Where the data holds every element (Go modules hosted on a forge: exact versions from go.sum, the
/// owning namespace as supplier), the SBOM is fully NTIA conformant in both SPDX versions.
#[test]
fn checker_finds_full_ntia_conformance_where_the_data_allows_it() {
    let Some(c) = checker("checker_finds_full_ntia_conformance_where_the_data_allows_it") else { return };
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "go.mod",
                "module github.com/example/app\n\ngo 1.22\n\nrequire (\n\tgithub.com/BurntSushi/toml v1.3.2\n\tgithub.com/Azure/go-autorest v14.2.0+incompatible // indirect\n)\n",
            ),
            (
                "go.sum",
                "github.com/BurntSushi/toml v1.3.2 h1:o7IhLm0Msx3BaB+n3Ag7L8EVlByGGDGPUOVZcm8ytQI=\ngithub.com/BurntSushi/toml v1.3.2/go.mod h1:CxXYINrC8qIiEnFrOxCa7Jy5BFHlXnUU2pbicEuybxQ=\ngithub.com/Azure/go-autorest v14.2.0+incompatible h1:V5VMDjClD3GiElqLWO7mz2MxNAK/vTfRHdAubSIPRgs=\ngithub.com/Azure/go-autorest v14.2.0+incompatible/go.mod h1:r+4oMnoxhatjLLJ6zxSWATqVooLgysK6ZNox3g/xq24=\n",
            ),
        ],
    );
    let out = tempfile::tempdir().unwrap();
    let (s2, s3, doc) = scan(dir.path(), out.path(), &[]);
    assert_eq!(assert_conformant_where_data_allows("go fixture", &c, &s2, &s3, &doc), 0);
    // The purl keeps the module path's case.
    let text = serde_json::to_string(&doc).unwrap();
    assert!(text.contains("pkg:golang/github.com/Azure/go-autorest@v14.2.0%2Bincompatible"), "{text}");
    for (spec, file) in [("spdx2", &s2), ("spdx3", &s3)] {
        let r = check(&c, file, spec, "ntia");
        assert_eq!(r["isConformant"], true, "{spec}: {r:#}");
    }
}

const GO_MOD: &str =
    "module github.com/example/app\n\ngo 1.22\n\nrequire github.com/Azure/go-autorest v14.2.0+incompatible\n";
const GO_SUM: &str =
    "github.com/Azure/go-autorest v14.2.0+incompatible h1:V5VMDjClD3GiElqLWO7mz2MxNAK/vTfRHdAubSIPRgs=\n";

/// An older SBOM (another tool's, or ours before purls kept their case) names the Go module in lower case:
/// it is read, and `diff` matches it with the module as we now write it.
#[test]
fn diff_matches_lowercased_go_purls_of_older_sboms() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("go.mod", GO_MOD), ("go.sum", GO_SUM)]);
    let new = crate::support::scan_dir(dir.path());
    let azure = new.components.iter().find(|c| c.name == "go-autorest").unwrap();
    assert_eq!(azure.purl.as_deref(), Some("pkg:golang/github.com/Azure/go-autorest@v14.2.0%2Bincompatible"));
    let old_doc = serde_json::json!({
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "metadata": {"component": {"type": "application", "name": "app", "bom-ref": "app"}},
        "components": [{"type": "library", "bom-ref": "a", "name": "go-autorest",
            "version": "v14.2.0+incompatible",
            "purl": "pkg:golang/github.com/azure/go-autorest@v14.2.0%2Bincompatible"}]
    });
    let old = sovereign::sbom::read(&serde_json::to_vec(&old_doc).unwrap(), "old.cdx.json").unwrap();
    let d = sovereign::diff::diff(&old, &new);
    use sovereign::diff::ChangeKind;
    assert_eq!(d.count(ChangeKind::Removed), 0, "{d:#?}");
    assert_eq!(d.count(ChangeKind::Version), 0, "{d:#?}");
    // The main module is new; the dependency is the same under both spellings.
    assert_eq!(d.count(ChangeKind::Added), 1, "{d:#?}");
}

/// `--creator`, the content digest as the subject's version, local versions, registry download
/// locations, CycloneDX occurrences: written, read back, and written again byte for byte.
#[test]
fn creator_versions_and_locations_survive_a_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("go.mod", GO_MOD), ("go.sum", GO_SUM)]);
    let out = tempfile::tempdir().unwrap();
    let p = |n: &str| out.path().join(n).to_str().unwrap().to_string();
    let src = dir.path().to_str().unwrap();
    let args = [
        "scan",
        src,
        "--quiet",
        "--creator",
        "Person: Jane Doe (https://jane.example)",
        "--format",
        "cyclonedx-json",
        "-o",
        &p("a.cdx.json"),
        "--format",
        "spdx-json",
        "-o",
        &p("a.spdx.json"),
    ];
    let r = run(&args, &out.path().join("cache"));
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let spdx: Value = serde_json::from_slice(&std::fs::read(p("a.spdx.json")).unwrap()).unwrap();
    assert_eq!(spdx["creationInfo"]["creators"][0], "Person: Jane Doe (https://jane.example)");
    let pkgs = spdx["packages"].as_array().unwrap();
    let subject = pkgs.iter().find(|x| x["SPDXID"] == "SPDXRef-Subject").unwrap();
    let digest = subject["versionInfo"].as_str().unwrap();
    assert!(digest.starts_with("sha256:") && digest.len() == 71, "{digest}");
    let app = pkgs.iter().find(|x| x["name"] == "github.com/example/app").unwrap();
    assert_eq!(app["versionInfo"], digest, "the main module is the scanned tree");
    assert_eq!(app["supplier"], "Organization: github.com/example");
    let dep = pkgs.iter().find(|x| x["name"] == "github.com/Azure/go-autorest").unwrap();
    assert_eq!(
        dep["downloadLocation"],
        "https://proxy.golang.org/github.com/!azure/go-autorest/@v/v14.2.0+incompatible.zip"
    );
    let cdx: Value = serde_json::from_slice(&std::fs::read(p("a.cdx.json")).unwrap()).unwrap();
    assert_eq!(cdx["metadata"]["authors"][0]["name"], "Jane Doe");
    for c in cdx["components"].as_array().unwrap() {
        let occ = c["evidence"]["occurrences"].as_array().unwrap_or_else(|| panic!("{c:#}"));
        assert!(occ.iter().any(|o| o["line"].as_u64().is_some()), "{c:#}");
    }
    crate::support::validate_cdx(&cdx, "creator round trip");
    for (input, format, output) in
        [("a.cdx.json", "cyclonedx-json", "b.cdx.json"), ("a.spdx.json", "spdx-json", "b.spdx.json")]
    {
        let r = run(&["convert", &p(input), "--format", format, "-o", &p(output)], &out.path().join("cache"));
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        assert_eq!(std::fs::read(p(input)).unwrap(), std::fs::read(p(output)).unwrap(), "{input}");
    }
    // An organisation is the CycloneDX `manufacturer`, with its contact; valid CycloneDX 1.6.
    let r = run(
        &["scan", src, "--quiet", "--creator", CREATOR, "-o", &p("org.cdx.json")],
        &out.path().join("cache"),
    );
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let cdx: Value = serde_json::from_slice(&std::fs::read(p("org.cdx.json")).unwrap()).unwrap();
    assert_eq!(
        cdx["metadata"]["manufacturer"],
        serde_json::json!({"name": "Example GmbH", "contact": [{"email": "sbom@example.com"}]})
    );
    crate::support::validate_cdx(&cdx, "organisation creator");
    let r = run(
        &["scan", src, "--quiet", "--creator", CREATOR, "--format", "spdx3-json", "-o", &p("org.spdx3.json")],
        &out.path().join("cache"),
    );
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let spdx3: Value = serde_json::from_slice(&std::fs::read(p("org.spdx3.json")).unwrap()).unwrap();
    crate::support::validate("spdx-3.0.1.schema.json", &spdx3, "organisation creator (SPDX 3)");
    let org = spdx3["@graph"].as_array().unwrap().iter().find(|e| e["type"] == "Organization").unwrap();
    assert_eq!(org["externalIdentifier"][0]["identifier"], "sbom@example.com");
    // A creator without a contact is refused before anything is scanned.
    let r = run(&["scan", src, "--creator", "Example GmbH"], &out.path().join("cache"));
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("contact"), "{}", String::from_utf8_lossy(&r.stderr));
}

/// npm names keep their case in purls (`uWebSockets.js`), as npm itself does.
#[test]
fn npm_purls_keep_the_case_of_the_name() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "package.json",
                r#"{"name": "app", "version": "1.0.0", "dependencies": {"uWebSockets.js": "^20.0.0"}}"#,
            ),
            (
                "package-lock.json",
                r#"{"name": "app", "version": "1.0.0", "lockfileVersion": 3, "packages": {
  "": {"name": "app", "version": "1.0.0", "dependencies": {"uWebSockets.js": "^20.0.0"}},
  "node_modules/uWebSockets.js": {"version": "20.0.0", "resolved": "https://registry.npmjs.org/uWebSockets.js/-/uWebSockets.js-20.0.0.tgz"}
}}"#,
            ),
        ],
    );
    let inv = crate::support::scan_dir(dir.path());
    let c = inv.components.iter().find(|c| c.name == "uWebSockets.js").unwrap_or_else(|| panic!("{inv:#?}"));
    assert_eq!(c.purl.as_deref(), Some("pkg:npm/uWebSockets.js@20.0.0"));
    assert_eq!(
        sovereign::sbom::conformance::download_location(c).as_deref(),
        Some("https://registry.npmjs.org/uWebSockets.js/-/uWebSockets.js-20.0.0.tgz"),
        "the registry convention gives back the lockfile's resolved URL"
    );
}
