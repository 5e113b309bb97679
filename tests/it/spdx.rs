//! SPDX 2.3 and 3.0.1 output: official schemas on every corpus entry, the fields a compliance officer
//! reads, and the reference validator when it is installed.

use std::path::PathBuf;

use serde_json::Value;
use sovereign::model::Inventory;
use sovereign::sbom::{self, Format};

use crate::import::rich_inventory;
use crate::support::{corpus, scan_dir, validate};

pub fn spdx2(inv: &Inventory) -> Value {
    serde_json::from_slice(&sbom::write(inv, Format::SpdxJson)).unwrap()
}

/// Every `<ecosystem>/<entry>` directory of the corpus.
pub fn corpus_entries(root: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for eco in std::fs::read_dir(root).unwrap().flatten() {
        if eco.path().is_dir() {
            for entry in std::fs::read_dir(eco.path()).unwrap().flatten() {
                if entry.path().is_dir() {
                    out.push(entry.path());
                }
            }
        }
    }
    out.sort();
    out
}

fn package<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["packages"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{name}"))
}

fn comments(p: &Value) -> Vec<String> {
    p["annotations"]
        .as_array()
        .map(|a| a.iter().map(|x| x["comment"].as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn spdx2_of_every_corpus_entry_is_schema_valid() {
    let Some(root) = corpus("spdx 2.3 schema on the corpus") else { return };
    let entries = corpus_entries(&root);
    assert!(entries.len() >= 11, "{entries:?}");
    for dir in entries {
        let inv = scan_dir(&dir);
        let doc = spdx2(&inv);
        let rel = dir.strip_prefix(&root).unwrap().display().to_string();
        // Without the schemas the schema check is skipped (and fails under CI); the checks below need
        // no schema and always run.
        validate("spdx-2.3.schema.json", &doc, &rel);
        // One package per component plus the subject; one DESCRIBES.
        assert_eq!(doc["packages"].as_array().unwrap().len(), inv.components.len() + 1, "{rel}");
        let rels = doc["relationships"].as_array().unwrap();
        assert_eq!(rels.iter().filter(|r| r["relationshipType"] == "DESCRIBES").count(), 1, "{rel}");
        let ids: std::collections::BTreeSet<&str> =
            doc["packages"].as_array().unwrap().iter().map(|p| p["SPDXID"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), inv.components.len() + 1, "{rel}: SPDXIDs are unique");
        for r in rels {
            for end in ["spdxElementId", "relatedSpdxElement"] {
                let id = r[end].as_str().unwrap();
                assert!(id == "SPDXRef-DOCUMENT" || ids.contains(id), "{rel}: {id} names no package");
            }
        }
    }
}

#[test]
fn spdx2_carries_licences_origins_and_edge_kinds() {
    let inv = rich_inventory();
    let doc = spdx2(&inv);
    validate("spdx-2.3.schema.json", &doc, "spdx 2.3 rich inventory");
    assert_eq!(doc["creationInfo"]["creators"][0], format!("Tool: sovereign-{}", env!("CARGO_PKG_VERSION")));
    let list = doc["creationInfo"]["licenseListVersion"].as_str().unwrap();
    assert!(list.split('.').count() == 2 && list.split('.').all(|p| p.parse::<u32>().is_ok()), "{list}");
    let ns = doc["documentNamespace"].as_str().unwrap();
    assert!(ns.starts_with("https://sovereign.invalid/spdxdocs/example-"), "{ns}");

    let serde = package(&doc, "serde");
    assert_eq!(serde["licenseDeclared"], "MIT OR Apache-2.0");
    assert_eq!(serde["licenseConcluded"], "MIT");
    assert_eq!(serde["homepage"], "https://serde.rs");
    assert_eq!(serde["checksums"][0]["algorithm"], "SHA256");
    assert_eq!(serde["externalRefs"][0]["referenceLocator"], "pkg:cargo/serde@1.0.200");
    let c = comments(serde);
    for want in ["sovereign:origin:country=US", "sovereign:origin:confidence=0.85", "sovereign:scope=runtime"]
    {
        assert!(c.iter().any(|x| x == want), "{want} not in {c:?}");
    }
    let app = package(&doc, "app");
    assert_eq!(app["supplier"], "Person: Jane Doe (jane@example.org)");
    assert_eq!(app["primaryPackagePurpose"], "APPLICATION");
    assert!(comments(app).contains(&"sovereign:author=The Team".to_string()));

    // A free-text licence is a LicenseRef whose extracted text is the declaration, verbatim.
    let weird = package(&doc, "weird");
    let lic = weird["licenseDeclared"].as_str().unwrap();
    assert!(lic.starts_with("LicenseRef-MIT-Apache-2.0-custom-"), "{lic}");
    let extracted = doc["hasExtractedLicensingInfos"].as_array().unwrap();
    let info = extracted.iter().find(|e| e["licenseId"] == lic).unwrap();
    assert_eq!(info["extractedText"], "MIT/Apache-2.0 custom");
    // A LicenseRef inside a valid expression is declared too (SPDX requires it).
    let model = package(&doc, "LGAI-EXAONE/exaone-3.5");
    assert_eq!(model["licenseDeclared"], "LicenseRef-EXAONE-1.1-NC");
    assert!(extracted.iter().any(|e| e["licenseId"] == "LicenseRef-EXAONE-1.1-NC"));
    assert!(comments(model).contains(&"sovereign:origin:country=KR".to_string()));

    // Edge kinds become SPDX relationship types.
    let id = |name: &str| package(&doc, name)["SPDXID"].as_str().unwrap().to_string();
    let has =
        |a: &str, ty: &str, b: &str| {
            doc["relationships"].as_array().unwrap().iter().any(|r| {
                r["spdxElementId"] == a && r["relationshipType"] == ty && r["relatedSpdxElement"] == b
            })
        };
    assert!(has(&id("app"), "DEPENDS_ON", &id("serde")));
    assert!(has(&id("weird"), "DEV_DEPENDENCY_OF", &id("app")));
    assert!(has(&id("gitdep"), "BUILD_DEPENDENCY_OF", &id("app")));
    assert!(has("SPDXRef-Subject", "DEPENDS_ON", &id("app")));
    assert!(!has("SPDXRef-Subject", "DEPENDS_ON", &id("serde")), "serde has a parent");
    let git = package(&doc, "gitdep");
    assert_eq!(git["downloadLocation"], "git+https://github.com/example/gitdep@0123456789abcdef");
    assert_eq!(
        package(&doc, "example")["downloadLocation"],
        format!("git+https://github.com/example/example@{}", "a".repeat(40))
    );
    // Diagnostics are document annotations.
    let doc_ann: Vec<&str> =
        doc["annotations"].as_array().unwrap().iter().map(|a| a["comment"].as_str().unwrap()).collect();
    assert!(doc_ann.contains(&"sovereign:diagnostic=note[no-lockfile]: no lockfile: requirements only"));
}

/// The reference validator (pyspdxtools, PyPI `spdx-tools`): `tools/test-deps.sh` installs it, so it runs
/// in CI; elsewhere `SOVEREIGN_PYSPDXTOOLS` or `$PATH` can name another copy.
#[test]
fn spdx2_passes_pyspdxtools() {
    let Some(tool) =
        crate::support::tool(&["pyspdxtools"], "SOVEREIGN_PYSPDXTOOLS", "spdx2_passes_pyspdxtools")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let foreign = |v: Value| sbom::read(&serde_json::to_vec(&v).unwrap(), "foreign.json").unwrap();
    let mut docs = vec![
        ("rich".to_string(), rich_inventory()),
        ("foreign-cyclonedx".to_string(), foreign(crate::import::foreign_cdx_doc())),
        ("foreign-spdx".to_string(), foreign(crate::import::foreign_spdx_doc())),
    ];
    if let Some(root) = std::env::var_os("SOVEREIGN_CORPUS") {
        for d in corpus_entries(std::path::Path::new(&root)) {
            docs.push((d.file_name().unwrap().to_string_lossy().into_owned(), scan_dir(&d)));
        }
    }
    for (name, inv) in docs {
        let path = dir.path().join(format!("{name}.spdx.json"));
        std::fs::write(&path, sbom::write(&inv, Format::SpdxJson)).unwrap();
        let out = std::process::Command::new(&tool).arg("-i").arg(&path).output().unwrap();
        let text =
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success() && text.trim().is_empty(), "pyspdxtools on {name}:\n{text}");
        eprintln!("pyspdxtools: {name}: valid");
    }
}

pub fn spdx3(inv: &Inventory) -> Value {
    serde_json::from_slice(&sbom::write(inv, Format::Spdx3Json)).unwrap()
}

fn element<'a>(doc: &'a Value, ty: &str, name: &str) -> &'a Value {
    doc["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == ty && e["name"] == name)
        .unwrap_or_else(|| panic!("no {ty} {name}"))
}

fn ext_props(e: &Value) -> Vec<(String, String)> {
    e["extension"][0]["extension_cdxProperty"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    (
                        p["extension_cdxPropName"].as_str().unwrap().into(),
                        p["extension_cdxPropValue"].as_str().unwrap().into(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn spdx3_of_every_corpus_entry_is_schema_valid() {
    let Some(root) = corpus("spdx 3.0.1 schema on the corpus") else { return };
    for dir in corpus_entries(&root) {
        let inv = scan_dir(&dir);
        let doc = spdx3(&inv);
        let rel = dir.strip_prefix(&root).unwrap().display().to_string();
        validate("spdx-3.0.1.schema.json", &doc, &rel);
        let graph = doc["@graph"].as_array().unwrap();
        let packages =
            graph.iter().filter(|e| e["type"] == "software_Package" || e["type"] == "ai_AIPackage").count();
        assert_eq!(packages, inv.components.len() + 1, "{rel}");
        // Every reference names an element of the graph.
        let ids: std::collections::BTreeSet<&str> =
            graph.iter().filter_map(|e| e["spdxId"].as_str()).collect();
        assert_eq!(
            ids.len(),
            graph.iter().filter(|e| e.get("spdxId").is_some()).count(),
            "{rel}: unique ids"
        );
        for r in graph.iter().filter(|e| e.get("relationshipType").is_some()) {
            assert!(ids.contains(r["from"].as_str().unwrap()), "{rel}: {r}");
            for t in r["to"].as_array().unwrap() {
                assert!(ids.contains(t.as_str().unwrap()), "{rel}: {r}");
            }
        }
    }
}

#[test]
fn spdx3_carries_agents_ai_packages_licences_and_origins() {
    let inv = rich_inventory();
    let doc = spdx3(&inv);
    validate("spdx-3.0.1.schema.json", &doc, "spdx 3 rich inventory");
    let app = element(&doc, "software_Package", "app");
    let jane = element(&doc, "Person", "Jane Doe");
    assert_eq!(app["suppliedBy"], jane["spdxId"]);
    assert_eq!(app["originatedBy"].as_array().unwrap().len(), 2);
    assert_eq!(jane["externalIdentifier"][0]["identifier"], "jane@example.org");
    let model = element(&doc, "ai_AIPackage", "LGAI-EXAONE/exaone-3.5");
    assert_eq!(model["software_primaryPurpose"], "model");
    assert!(ext_props(model).contains(&("sovereign:origin:country".into(), "KR".into())));
    let serde = element(&doc, "software_Package", "serde");
    assert_eq!(serde["verifiedUsing"][0]["algorithm"], "sha256");
    assert_eq!(serde["software_packageUrl"], "pkg:cargo/serde@1.0.200");
    let graph = doc["@graph"].as_array().unwrap();
    let licence_of = |pkg: &Value, ty: &str| {
        let r = graph.iter().find(|r| r["from"] == pkg["spdxId"] && r["relationshipType"] == ty).unwrap();
        let lic = graph.iter().find(|e| e["spdxId"] == r["to"][0]).unwrap();
        lic["simplelicensing_licenseExpression"].as_str().unwrap().to_string()
    };
    assert_eq!(licence_of(serde, "hasDeclaredLicense"), "MIT OR Apache-2.0");
    assert_eq!(licence_of(serde, "hasConcludedLicense"), "MIT");
    // A free-text licence is a LicenseRef bound to its text.
    let weird = element(&doc, "software_Package", "weird");
    let expr = licence_of(weird, "hasDeclaredLicense");
    assert!(expr.starts_with("LicenseRef-MIT-Apache-2.0-custom-"), "{expr}");
    assert!(graph.iter().any(|e| e["simplelicensing_licenseText"] == "MIT/Apache-2.0 custom"));
    // A dev edge is a lifecycle-scoped dependsOn.
    let dev = graph
        .iter()
        .find(|r| r["from"] == app["spdxId"] && r["scope"] == "development")
        .expect("dev dependency relationship");
    assert_eq!(dev["type"], "LifecycleScopedRelationship");
    assert_eq!(dev["to"][0], weird["spdxId"]);
}

/// The schema checks are not vacuous: documents broken in ways a writer bug would break them are rejected.
#[test]
fn schemas_reject_broken_spdx() {
    if crate::support::schemas("spdx negative control").is_none() {
        return;
    }
    let inv = rich_inventory();
    let mut doc3 = spdx3(&inv);
    let graph = doc3["@graph"].as_array_mut().unwrap();
    let pkg = graph.iter_mut().find(|e| e["type"] == "software_Package").unwrap();
    pkg["software_primaryPurpose"] = serde_json::json!("bogus");
    let mut doc2 = spdx2(&inv);
    doc2["packages"][1]["primaryPackagePurpose"] = serde_json::json!("bogus");
    for (schema, doc) in [("spdx-3.0.1.schema.json", doc3), ("spdx-2.3.schema.json", doc2)] {
        let r = std::panic::catch_unwind(|| validate(schema, &doc, "negative control"));
        assert!(r.is_err(), "{schema} accepted a bogus purpose");
    }
}

/// A real scan (a workspace whose manifests declare licences and authors, with a registry dependency),
/// then what the licence and origin stages add (a licence and an author for the registry crate, an origin
/// for every component), written in all three formats.
fn scan_with_licences_and_origins() -> Inventory {
    let dir = tempfile::tempdir().unwrap();
    crate::support::write_files(
        dir.path(),
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"app\"\nversion = \"1.2.0\"\nlicense = \"MIT\"\nauthors = [\"Ada <ada@example.org>\"]\n[dependencies]\nitoa = \"1\"\nhelper = { path = \"helper\" }\n",
            ),
            ("helper/Cargo.toml", "[package]\nname = \"helper\"\nversion = \"0.1.0\"\nlicense = \"Apache-2.0\"\nauthors = [\"Bo <bo@example.org>\"]\n"),
            (
                "Cargo.lock",
                &format!("version = 4\n[[package]]\nname = \"app\"\nversion = \"1.2.0\"\ndependencies = [\"helper\", \"itoa\"]\n[[package]]\nname = \"helper\"\nversion = \"0.1.0\"\n[[package]]\nname = \"itoa\"\nversion = \"1.0.11\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{}\"\n", "4".repeat(64)),
            ),
        ],
    );
    let mut inv = scan_dir(dir.path());
    for c in &mut inv.components {
        if c.name == "itoa" {
            c.license.declared =
                Some(sovereign::model::LicenseValue::declared("MIT OR Apache-2.0", "cargo-metadata"));
            c.authors = vec!["David Tolnay <dtolnay@gmail.com>".into()];
        }
        if c.hashes.is_empty() {
            // Path crates have no lockfile checksum; a content hash is what the hashing stage would add.
            c.hashes.push(sovereign::model::Hash {
                alg: sovereign::model::HashAlg::Sha512,
                value: "5".repeat(128),
            });
        }
        c.origin.country = Some("FR".into());
        c.origin.confidence = 0.8;
    }
    inv
}

/// NTIA minimum elements (2021) and the CISA 2025 draft's additions, each asserted for every component in
/// CycloneDX 1.6, SPDX 2.3 and SPDX 3.0.1 (docs/formats.md maps them).
#[test]
fn ntia_and_cisa_2025_elements_are_present_in_every_format() {
    let inv = scan_with_licences_and_origins();
    assert_eq!(inv.components.len(), 3);
    let tool = "sovereign";

    // CycloneDX 1.6.
    let c = crate::support::cdx(&inv);
    crate::support::validate_cdx(&c, "ntia cyclonedx");
    assert_eq!(c["metadata"]["tools"]["components"][0]["name"], tool, "SBOM author / tool name");
    assert_eq!(c["metadata"]["timestamp"].as_str().unwrap().len(), 20, "timestamp");
    assert_eq!(c["metadata"]["lifecycles"][0]["phase"], "pre-build", "generation context");
    let deps = c["dependencies"].as_array().unwrap();
    for comp in c["components"].as_array().unwrap() {
        let n = comp["name"].as_str().unwrap();
        assert!(comp["authors"][0]["name"].as_str().is_some_and(|a| !a.is_empty()), "{n}: supplier/producer");
        assert!(comp["version"].as_str().is_some(), "{n}: version");
        assert!(comp["purl"].as_str().unwrap().starts_with("pkg:cargo/"), "{n}: unique identifier");
        assert!(comp["hashes"][0]["content"].as_str().is_some(), "{n}: hash");
        let lic = &comp["licenses"][0];
        assert!(
            lic["expression"]
                .as_str()
                .or(lic["license"]["id"].as_str())
                .or(lic["license"]["name"].as_str())
                .is_some(),
            "{n}: licence"
        );
        assert!(deps.iter().any(|d| d["ref"] == comp["bom-ref"]), "{n}: dependency relationship");
        let props = comp["properties"].as_array().unwrap();
        assert!(
            props.iter().any(|p| p["name"] == "sovereign:origin:country" && p["value"] == "FR"),
            "{n}: origin"
        );
    }
    assert!(deps.iter().any(|d| d["ref"] == "pkg:cargo/app@1.2.0"
        && d["dependsOn"].as_array().unwrap().iter().any(|x| x == "pkg:cargo/itoa@1.0.11")));

    // SPDX 2.3.
    let s = spdx2(&inv);
    validate("spdx-2.3.schema.json", &s, "ntia spdx 2.3");
    assert!(
        s["creationInfo"]["creators"][0].as_str().unwrap().starts_with("Tool: sovereign-"),
        "author / tool"
    );
    assert!(s["creationInfo"]["created"].as_str().is_some(), "timestamp");
    assert!(s["creationInfo"]["comment"].as_str().unwrap().contains("pre-build"), "generation context");
    let rels = s["relationships"].as_array().unwrap();
    for p in s["packages"].as_array().unwrap().iter().skip(1) {
        let n = p["name"].as_str().unwrap();
        assert!(p["supplier"].as_str().unwrap().starts_with("Person: "), "{n}: supplier");
        assert!(p["versionInfo"].as_str().is_some(), "{n}: version");
        assert!(p["externalRefs"][0]["referenceType"] == "purl", "{n}: unique identifier");
        assert!(p["checksums"][0]["checksumValue"].as_str().is_some(), "{n}: hash");
        assert!(p["licenseDeclared"].as_str().is_some_and(|l| l != "NOASSERTION"), "{n}: licence");
        assert!(
            rels.iter().any(|r| r["spdxElementId"] == p["SPDXID"] || r["relatedSpdxElement"] == p["SPDXID"]),
            "{n}: dependency relationship"
        );
        assert!(comments(p).contains(&"sovereign:origin:country=FR".to_string()), "{n}: origin");
    }

    // SPDX 3.0.1.
    let d = spdx3(&inv);
    validate("spdx-3.0.1.schema.json", &d, "ntia spdx 3");
    let graph = d["@graph"].as_array().unwrap();
    let info = graph.iter().find(|e| e["type"] == "CreationInfo").unwrap();
    assert!(
        info["created"].as_str().is_some() && info["createdUsing"][0].as_str().is_some(),
        "timestamp, tool"
    );
    assert!(graph.iter().any(|e| e["type"] == "Tool" && e["name"].as_str().unwrap().starts_with(tool)));
    assert_eq!(
        graph.iter().find(|e| e["type"] == "software_Sbom").unwrap()["software_sbomType"][0],
        "source"
    );
    let comps: Vec<&Value> =
        graph.iter().filter(|e| e["type"] == "software_Package" && e["name"] != inv.subject.name).collect();
    assert_eq!(comps.len(), 3);
    for p in comps {
        let n = p["name"].as_str().unwrap();
        assert!(
            graph.iter().any(|a| a["type"] == "Person" && a["spdxId"] == p["suppliedBy"]),
            "{n}: supplier"
        );
        assert!(p["software_packageVersion"].as_str().is_some(), "{n}: version");
        assert!(p["software_packageUrl"].as_str().is_some(), "{n}: unique identifier");
        assert!(p["verifiedUsing"][0]["hashValue"].as_str().is_some(), "{n}: hash");
        assert!(
            graph.iter().any(|r| r["from"] == p["spdxId"] && r["relationshipType"] == "hasDeclaredLicense"),
            "{n}: licence"
        );
        assert!(
            graph.iter().any(|r| r["relationshipType"] == "dependsOn"
                && (r["from"] == p["spdxId"] || r["to"].as_array().unwrap().contains(&p["spdxId"]))),
            "{n}: dependency relationship"
        );
        assert!(ext_props(p).contains(&("sovereign:origin:country".into(), "FR".into())), "{n}: origin");
    }
}
