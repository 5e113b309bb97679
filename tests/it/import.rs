//! SBOM import: our own CycloneDX read back (everything restored, same bytes written again) and SBOMs in
//! the style of other generators (no purl, nesting, duplicates, odd types, huge files, broken files).

use serde_json::json;
use sovereign::model::{
    Component, ComponentKind, Diagnostic, Ecosystem, Edge, EdgeKind, Evidence, EvidenceKind, Hash, HashAlg,
    Inventory, LicenseValue, Location, Scope, SourceKind, Subject,
};
use sovereign::sbom::{self, Format, ReadError};

use crate::support::{cdx, corpus, scan_dir, validate_cdx};

/// An inventory that uses every field the writers write: each source kind, licences valid and not,
/// origins, requirement, free properties, diagnostics with and without location, a git subject.
pub fn rich_inventory() -> Inventory {
    let cargo = |name: &str, version: &str| {
        Component::new(Ecosystem::Cargo, name, Some(version.to_string()))
            .with_purl(format!("pkg:cargo/{name}@{version}"))
    };
    let mut app = cargo("app", "0.3.0");
    app.kind = ComponentKind::Application;
    app.direct = true;
    app.source = Some(SourceKind::Local);
    app.found_in = vec![Location::new("Cargo.lock", Some(4)), Location::new("crates/app/Cargo.toml", None)];
    app.license.declared = Some(LicenseValue::declared("MIT OR Apache-2.0", "crates/app/Cargo.toml"));
    app.description = Some("The application".into());
    app.authors = vec!["Jane Doe <jane@example.org>".into(), "The Team".into()];

    let mut serde = cargo("serde", "1.0.200");
    serde.direct = true;
    serde.source = Some(SourceKind::Registry { url: None });
    serde.hashes = vec![Hash { alg: HashAlg::Sha256, value: "ab".repeat(32) }];
    serde.license.declared = Some(LicenseValue::declared("MIT OR Apache-2.0", "cargo-metadata"));
    serde.license.concluded = Some(LicenseValue::declared("MIT", "licence-stage"));
    serde.repository = Some("https://github.com/serde-rs/serde".into());
    serde.homepage = Some("https://serde.rs".into());
    serde.origin.country = Some("US".into());
    serde.origin.confidence = 0.85;
    serde.origin.evidence = vec![Evidence {
        kind: EvidenceKind::CodeHost,
        value: "github.com/serde-rs".into(),
        country: Some("US".into()),
        weight: 0.5,
        source: "rules/origins/hosts.yaml".into(),
        weak: true,
        organisation: None,
        parent_country: None,
        facet: None,
    }];
    serde.found_in = vec![Location::new("Cargo.lock", Some(40))];

    let mut weird = cargo("weird", "0.1.0");
    weird.scope = Scope::Dev;
    weird.source = Some(SourceKind::Registry { url: Some("https://my.registry/index".into()) });
    weird.license.declared = Some(LicenseValue::declared("MIT/Apache-2.0 custom", "Cargo.toml"));

    let mut gitdep = Component::new(Ecosystem::Cargo, "gitdep", Some("0.2.0".into())).with_purl(
        "pkg:cargo/gitdep@0.2.0?vcs_url=git%2Bhttps://github.com/example/gitdep%400123456789abcdef".into(),
    );
    gitdep.scope = Scope::Build;
    gitdep.source = Some(SourceKind::Git {
        url: "https://github.com/example/gitdep".into(),
        commit: Some("0123456789abcdef".into()),
        reference: Some("main".into()),
    });
    gitdep.repository = Some("https://github.com/example/gitdep-mirror".into());

    let mut pathdep = cargo("pathdep", "0.0.1");
    pathdep.scope = Scope::Optional;
    pathdep.source = Some(SourceKind::Path { path: "libs/pathdep".into() });

    let mut reqonly =
        Component::new(Ecosystem::Npm, "left-pad", None).with_purl("pkg:npm/%40scope/left-pad".into());
    reqonly.namespace = Some("@scope".into());
    reqonly.requirement = Some("^1.3".into());
    reqonly.source = Some(SourceKind::Url { url: "https://example.org/left-pad-1.3.0.tgz".into() });
    reqonly.properties.insert("npm-alias".into(), "pad".into());

    let mut model = Component::new(Ecosystem::Huggingface, "exaone-3.5", Some("main".into()))
        .with_purl("pkg:huggingface/LGAI-EXAONE/exaone-3.5@main".into());
    model.namespace = Some("LGAI-EXAONE".into());
    model.kind = ComponentKind::MlModel;
    model.origin.country = Some("KR".into());
    model.origin.confidence = 0.9;
    model.license.declared = Some(LicenseValue::declared("LicenseRef-EXAONE-1.1-NC", "README.md"));

    let mut sub = Component::new(Ecosystem::Git, "vendor-lib", Some("fedcba9876543210".into()))
        .with_purl("pkg:generic/vendor-lib@fedcba9876543210".into());
    sub.kind = ComponentKind::Submodule;
    sub.ecosystem = Ecosystem::Generic;

    let mut inv = Inventory {
        subject: Subject {
            name: "example".into(),
            url: Some("https://github.com/example/example".into()),
            commit: Some("a".repeat(40)),
            reference: Some("v1.0".into()),
            digest: None,
        },
        components: vec![app, serde, weird, gitdep, pathdep, reqonly, model, sub],
        edges: vec![
            Edge {
                from: "pkg:cargo/app@0.3.0".into(),
                to: "pkg:cargo/serde@1.0.200".into(),
                kind: EdgeKind::Normal,
            },
            Edge {
                from: "pkg:cargo/app@0.3.0".into(),
                to: "pkg:cargo/weird@0.1.0".into(),
                kind: EdgeKind::Dev,
            },
        ],
        diagnostics: vec![
            Diagnostic::warning("invalid-dependency", "entry `x` is a number")
                .at("crates/app/Cargo.toml", Some(7)),
            Diagnostic::note("no-lockfile", "no lockfile: requirements only"),
        ],
        ..Default::default()
    };
    inv.edges.push(Edge {
        from: "pkg:cargo/app@0.3.0".into(),
        to: inv.components[3].id.clone(),
        kind: EdgeKind::Build,
    });
    inv.normalize();
    inv
}

/// The document without its timestamp line, for comparisons made within one process.
fn without_timestamp(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter(|l| !l.contains("\"timestamp\""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn read_ok(bytes: &[u8]) -> Inventory {
    sbom::read(bytes, "in.json").unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn own_cyclonedx_is_restored_field_by_field() {
    let inv = rich_inventory();
    let back = read_ok(&sbom::write(&inv, Format::CyclonedxJson));
    assert_eq!(back.subject, inv.subject);
    assert_eq!(back.diagnostics, inv.diagnostics);
    let ids = |i: &Inventory| i.components.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&back), ids(&inv));
    for (a, b) in inv.components.iter().zip(&back.components) {
        let n = &a.id;
        assert_eq!(a.purl, b.purl, "{n}");
        assert_eq!(a.ecosystem, b.ecosystem, "{n}");
        assert_eq!(a.namespace, b.namespace, "{n}");
        assert_eq!((&a.name, &a.version, &a.requirement), (&b.name, &b.version, &b.requirement), "{n}");
        assert_eq!((a.kind, a.scope, a.direct), (b.kind, b.scope, b.direct), "{n}");
        assert_eq!(a.found_in, b.found_in, "{n}");
        assert_eq!(a.hashes, b.hashes, "{n}");
        assert_eq!(a.source, b.source, "{n}");
        assert_eq!((&a.description, &a.authors), (&b.description, &b.authors), "{n}");
        assert_eq!(a.homepage, b.homepage, "{n}");
        assert_eq!(a.properties, b.properties, "{n}");
        assert_eq!(a.origin.country, b.origin.country, "{n}");
        assert!((a.origin.confidence - b.origin.confidence).abs() < 0.005, "{n}");
        let lic =
            |v: &Option<LicenseValue>| v.as_ref().map(|l| (l.expression.clone(), l.valid, l.source.clone()));
        assert_eq!(lic(&a.license.declared), lic(&b.license.declared), "{n}");
    }
    // The git dependency keeps both its repository and its (different) git URL.
    let git = back.components.iter().find(|c| c.name == "gitdep").unwrap();
    assert_eq!(git.repository.as_deref(), Some("https://github.com/example/gitdep-mirror"));
    // CycloneDX has no edge kinds: every edge comes back as a normal dependency, none is lost.
    let pairs = |i: &Inventory| i.edges.iter().map(|e| (e.from.clone(), e.to.clone())).collect::<Vec<_>>();
    assert_eq!(pairs(&back), pairs(&inv));
    assert!(back.edges.iter().all(|e| e.kind == EdgeKind::Normal));
}

#[test]
fn own_cyclonedx_round_trips_to_the_same_bytes() {
    let inv = rich_inventory();
    let first = sbom::write(&inv, Format::CyclonedxJson);
    let second = sbom::write(&read_ok(&first), Format::CyclonedxJson);
    assert_eq!(without_timestamp(&first), without_timestamp(&second));
    validate_cdx(&serde_json::from_slice(&second).unwrap(), "cyclonedx round trip");
}

/// The written bytes are the pretty-printed `to_value` (the writer prints a placeholder serial number while
/// it hashes the content on another thread, then writes the serial over it): the rich inventory, a
/// small and a large corpus entry (the large one converts its components on two threads).
#[test]
fn cyclonedx_bytes_are_the_pretty_printed_value() {
    let expected = |inv: &Inventory| {
        let mut v = serde_json::to_vec_pretty(&sbom::cyclonedx::to_value(inv)).unwrap();
        v.push(b'\n');
        v
    };
    let inv = rich_inventory();
    let written = sbom::cyclonedx::to_bytes(&inv);
    assert!(written == expected(&inv), "rich inventory");
    assert!(!String::from_utf8_lossy(&written).contains("00000000-0000-0000-0000-000000000000"));
    let Some(root) = corpus("cyclonedx bytes on the corpus") else { return };
    for rel in ["python/python-poetry__poetry", "npm/axios__axios"] {
        let inv = scan_dir(&root.join(rel));
        assert!(sbom::cyclonedx::to_bytes(&inv) == expected(&inv), "{rel}");
    }
}

#[test]
fn corpus_cyclonedx_round_trips() {
    let Some(root) = corpus("cyclonedx round trip on the corpus") else { return };
    for rel in ["rust/BurntSushi__ripgrep", "rust/astral-sh__uv"] {
        let inv = scan_dir(&root.join(rel));
        let first = sbom::write(&inv, Format::CyclonedxJson);
        let back = read_ok(&first);
        assert_eq!(back.components.len(), inv.components.len(), "{rel}");
        assert_eq!(back.edges.len(), inv.edges.len(), "{rel}");
        let second = sbom::write(&back, Format::CyclonedxJson);
        assert!(
            without_timestamp(&first) == without_timestamp(&second),
            "{rel}: bytes differ after a round trip"
        );
    }
}

/// A CycloneDX 1.4 document in the style of other generators: no purls, nested components, duplicate
/// bom-refs, a free-text author, licence ids and names, an unknown hash algorithm, foreign properties,
/// versions written as numbers.
/// The CycloneDX document of `foreign_cyclonedx_is_read_with_diagnostics`.
pub fn foreign_cdx_doc() -> serde_json::Value {
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.4",
        "version": 1,
        "metadata": {"component": {"type": "application", "bom-ref": "root", "name": "shop", "version": "2.1"}},
        "components": [
            {"type": "library", "name": "no-purl", "version": 3},
            {"type": "library", "bom-ref": "lib-a", "name": "a", "version": "1.0.0",
             "purl": "pkg:npm/%40acme/a@1.0.0", "author": "ACME Corp",
             "licenses": [{"license": {"id": "MIT"}}, {"license": {"name": "Custom Licence"}}],
             "hashes": [{"alg": "SHA-512", "content": "ab".repeat(64)}, {"alg": "BLAKE3", "content": "11"},
                        {"alg": "SHA-256", "content": "00"}],
             "properties": [{"name": "syft:package:type", "value": "npm"}],
             "components": [
                {"type": "library", "bom-ref": "lib-a-inner", "name": "inner", "version": "0.1",
                 "purl": "pkg:maven/org.example/inner@0.1", "scope": "excluded"}
             ]},
            {"type": "library", "bom-ref": "lib-a", "name": "a", "version": "1.0.0"},
            {"type": "library", "bom-ref": "bad-purl", "name": "b", "purl": "not a purl"},
            {"type": "library", "version": "1"},
            "not an object",
            {"type": "machine-learning-model", "bom-ref": "m", "name": "bert", "licenses": [{"expression": "Apache-2.0"}]}
        ],
        "dependencies": [
            {"ref": "root", "dependsOn": ["lib-a", "m"]},
            {"ref": "lib-a", "dependsOn": ["lib-a-inner", "missing"]}
        ]
    })
}

#[test]
fn foreign_cyclonedx_is_read_with_diagnostics() {
    let doc = foreign_cdx_doc();
    let inv = read_ok(&serde_json::to_vec(&doc).unwrap());
    assert_eq!(inv.subject.name, "shop@2.1");
    let names: Vec<_> = inv.components.iter().map(|c| c.display_name()).collect();
    assert_eq!(
        names,
        ["b", "@acme/a@1.0.0", "org.example/inner@0.1", "bert", "no-purl@3"],
        "sorted by id: bad-purl, lib-a, lib-a-inner, m, sbom-component:no-purl@3"
    );
    let a = inv.component("lib-a").unwrap();
    assert_eq!(a.ecosystem, Ecosystem::Npm);
    assert_eq!(a.authors, ["ACME Corp"]);
    assert!(a.direct, "the subject depends on it");
    assert_eq!(
        a.hashes,
        [Hash { alg: HashAlg::Sha512, value: "ab".repeat(64) }],
        "the malformed SHA-256 is dropped"
    );
    let l = a.license.declared.as_ref().unwrap();
    assert_eq!(l.expression, "MIT AND (Custom Licence)");
    assert!(!l.valid);
    assert_eq!(l.source, "in.json");
    let inner = inv.component("lib-a-inner").unwrap();
    assert_eq!((inner.ecosystem, inner.scope, inner.direct), (Ecosystem::Maven, Scope::Dev, false));
    assert_eq!(inner.namespace.as_deref(), Some("org.example"));
    let m = inv.component("m").unwrap();
    assert_eq!(m.kind, ComponentKind::MlModel);
    assert!(m.license.declared.as_ref().unwrap().valid);
    assert!(inv.component("bad-purl").unwrap().purl.is_none());
    assert_eq!(inv.edges.len(), 1, "lib-a → inner; the edge to `missing` is dropped");
    let codes: Vec<_> = inv.diagnostics.iter().map(|d| d.code.as_str()).collect();
    for code in [
        "sbom-component-without-id",
        "sbom-nested-component",
        "sbom-duplicate-id",
        "sbom-invalid-purl",
        "sbom-invalid-component",
        "sbom-unknown-hash-algorithm",
        "sbom-invalid-hash",
        "sbom-foreign-property",
        "sbom-licenses-combined",
        "dangling-edge",
    ] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    let invalid = inv.diagnostics.iter().find(|d| d.code == "sbom-invalid-component").unwrap();
    assert!(invalid.message.contains("and 1 more"), "two invalid entries, one diagnostic: {invalid}");
    assert_eq!(invalid.location.as_ref().unwrap().path, "in.json");
    assert!(!codes.contains(&"sbom-unsupported-version"), "1.4 is supported");
    // Written again in every format, it is valid.
    validate_cdx(&cdx(&inv), "foreign cyclonedx rewritten");
    crate::support::validate("spdx-2.3.schema.json", &crate::spdx::spdx2(&inv), "foreign cyclonedx as spdx");
    crate::support::validate(
        "spdx-3.0.1.schema.json",
        &crate::spdx::spdx3(&inv),
        "foreign cyclonedx as spdx 3",
    );
}

#[test]
fn broken_documents_are_errors_not_panics() {
    let ok = serde_json::to_vec_pretty(&cdx(&rich_inventory())).unwrap();
    let truncated = &ok[..ok.len() / 2];
    match sbom::read(truncated, "t.json") {
        Err(ReadError::Json { path, line, .. }) => {
            assert_eq!(path, "t.json");
            assert!(line > 1);
        }
        other => panic!("{other:?}"),
    }
    let deep = format!("{{\"bomFormat\":\"CycloneDX\",\"components\":[{}", "[".repeat(100_000));
    assert!(matches!(sbom::read(deep.as_bytes(), "d.json"), Err(ReadError::Json { .. })));
    let deep_components = {
        let mut s = String::from(r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":["#);
        for i in 0..60 {
            s.push_str(&format!(r#"{{"name":"n{i}","bom-ref":"r{i}","components":["#));
        }
        s.push_str(&"]}".repeat(60));
        s.push_str("]}");
        s
    };
    let inv = read_ok(deep_components.as_bytes());
    assert_eq!(inv.components.len(), 33, "levels 0..=32 read, deeper ones skipped");
    assert!(inv.diagnostics.iter().any(|d| d.code == "sbom-nesting-too-deep"));
    assert!(matches!(sbom::read(b"\xff\xfe{}", "u.json"), Err(ReadError::Json { .. })));
    assert!(matches!(sbom::read(b"{\"name\": 1}", "x.json"), Err(ReadError::UnknownFormat { .. })));
    let r = sbom::read(b"[1,2]", "x.json");
    assert!(matches!(r, Err(ReadError::UnknownFormat { .. })), "{r:?}");
    assert!(matches!(
        sbom::read(br#"{"bomFormat":"SPDX","components":[]}"#, "x.json"),
        Err(ReadError::UnknownFormat { .. })
    ));
    // Wrong types inside a valid document are diagnostics, not errors.
    let odd = br#"{"bomFormat":"CycloneDX","specVersion":"1.7","metadata":{"component":7},
        "components":{"a":1},"dependencies":null}"#;
    let inv = read_ok(odd);
    assert!(inv.components.is_empty());
    assert!(inv.diagnostics.iter().any(|d| d.code == "sbom-unsupported-version"));
    assert_eq!(inv.subject.name, "in");
}

#[test]
fn own_spdx_is_restored_field_by_field() {
    let inv = rich_inventory();
    let back = read_ok(&sbom::write(&inv, Format::SpdxJson));
    assert_eq!(back.subject, inv.subject);
    assert_eq!(back.diagnostics, inv.diagnostics);
    assert_eq!(back.edges, inv.edges, "SPDX keeps the kinds of edges");
    assert_eq!(back.components.len(), inv.components.len());
    for (a, b) in inv.components.iter().zip(&back.components) {
        let n = &a.id;
        assert_eq!(
            (&a.id, &a.purl, a.ecosystem, &a.namespace),
            (&b.id, &b.purl, b.ecosystem, &b.namespace),
            "{n}"
        );
        assert_eq!((&a.name, &a.version, &a.requirement), (&b.name, &b.version, &b.requirement), "{n}");
        assert_eq!((a.kind, a.scope, a.direct), (b.kind, b.scope, b.direct), "{n}");
        assert_eq!((&a.found_in, &a.hashes, &a.source), (&b.found_in, &b.hashes, &b.source), "{n}");
        assert_eq!(
            (&a.description, &a.authors, &a.homepage),
            (&b.description, &b.authors, &b.homepage),
            "{n}"
        );
        assert_eq!(a.properties, b.properties, "{n}");
        assert_eq!(a.origin.country, b.origin.country, "{n}");
        let lic = |v: &Option<LicenseValue>| v.as_ref().map(|l| (l.expression.clone(), l.valid));
        assert_eq!(lic(&a.license.declared), lic(&b.license.declared), "{n}");
        assert_eq!(lic(&a.license.concluded), lic(&b.license.concluded), "{n}");
    }
}

#[test]
fn own_spdx_round_trips_to_the_same_bytes() {
    let inv = rich_inventory();
    let first = sbom::write(&inv, Format::SpdxJson);
    let second = sbom::write(&read_ok(&first), Format::SpdxJson);
    assert_eq!(without_timestamp(&first), without_timestamp(&second));
    // And across formats: SPDX → model → CycloneDX is what CycloneDX → model → CycloneDX gives.
    let via_spdx = sbom::write(&read_ok(&first), Format::CyclonedxJson);
    let via_cdx = sbom::write(&read_ok(&sbom::write(&inv, Format::CyclonedxJson)), Format::CyclonedxJson);
    assert_eq!(without_timestamp(&via_spdx), without_timestamp(&via_cdx));
}

/// Byte-identical round trips through the CLI (`SOURCE_DATE_EPOCH` fixed), on a real scan.
#[test]
fn cli_convert_round_trips_our_own_output_byte_for_byte() {
    let Some(root) = corpus("cli round trip") else { return };
    let src = root.join("rust/BurntSushi__ripgrep");
    let cache = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let p = |n: &str| out.path().join(n).to_str().unwrap().to_string();
    let r = crate::support::run(
        &[
            "scan",
            src.to_str().unwrap(),
            "--quiet",
            "--format",
            "cyclonedx-json",
            "-o",
            &p("a.cdx.json"),
            "--format",
            "spdx-json",
            "-o",
            &p("a.spdx.json"),
        ],
        cache.path(),
    );
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    for (input, format, output) in
        [("a.cdx.json", "cyclonedx-json", "b.cdx.json"), ("a.spdx.json", "spdx-json", "b.spdx.json")]
    {
        let r =
            crate::support::run(&["convert", &p(input), "--format", format, "-o", &p(output)], cache.path());
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        assert!(
            r.stderr.is_empty(),
            "our own output reads without diagnostics: {}",
            String::from_utf8_lossy(&r.stderr)
        );
        let (a, b) = (std::fs::read(p(input)).unwrap(), std::fs::read(p(output)).unwrap());
        assert!(a == b, "{input} → {output}: bytes differ");
    }
}

/// SPDX in the style of other generators: NOASSERTION everywhere, duplicate SPDXIDs, packages without
/// purl, relationships of every dependency kind, one described root package.
/// The SPDX document of `foreign_spdx_is_read_with_diagnostics`.
pub fn foreign_spdx_doc() -> serde_json::Value {
    json!({
        "spdxVersion": "SPDX-2.2",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": "some-image",
        "documentNamespace": "https://example.org/x",
        "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: other"]},
        "packages": [
            {"SPDXID": "SPDXRef-root", "name": "shop", "versionInfo": "2.0", "downloadLocation": "NOASSERTION"},
            {"SPDXID": "SPDXRef-a", "name": "a", "versionInfo": "NOASSERTION", "downloadLocation": "NOASSERTION",
             "supplier": "NOASSERTION", "originator": "NOASSERTION", "licenseConcluded": "NOASSERTION",
             "licenseDeclared": "NOASSERTION", "copyrightText": "NOASSERTION", "homepage": "NONE"},
            {"SPDXID": "SPDXRef-b", "name": "b", "versionInfo": "1.2.3", "downloadLocation": "NOASSERTION",
             "supplier": "Organization: ACME (oss@acme.example)",
             "licenseDeclared": "Apache-2.0 OR LicenseRef-acme", "licenseConcluded": "NONE",
             "checksums": [{"algorithm": "SHA256", "checksumValue": "00"}, {"algorithm": "BLAKE3", "checksumValue": "11"}],
             "externalRefs": [{"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "pkg:pypi/b@1.2.3"}],
             "annotations": [{"annotationDate": "2024-01-01T00:00:00Z", "annotationType": "REVIEW", "annotator": "Person: x", "comment": "looks fine"}]},
            {"SPDXID": "SPDXRef-b", "name": "b-again", "downloadLocation": "NOASSERTION"},
            {"SPDXID": "SPDXRef-c", "name": "c", "versionInfo": "0.1", "downloadLocation": "NOASSERTION",
             "primaryPackagePurpose": "APPLICATION"},
            {"name": "no-id", "downloadLocation": "NOASSERTION"},
            {"SPDXID": "SPDXRef-noname", "downloadLocation": "NOASSERTION"},
            7
        ],
        "hasExtractedLicensingInfos": [{"licenseId": "LicenseRef-acme", "extractedText": "ACME terms"}],
        "relationships": [
            {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-root"},
            {"spdxElementId": "SPDXRef-root", "relationshipType": "CONTAINS", "relatedSpdxElement": "SPDXRef-a"},
            {"spdxElementId": "SPDXRef-a", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-b"},
            {"spdxElementId": "SPDXRef-c", "relationshipType": "DEV_DEPENDENCY_OF", "relatedSpdxElement": "SPDXRef-a"},
            {"spdxElementId": "SPDXRef-b", "relationshipType": "BUILD_DEPENDENCY_OF", "relatedSpdxElement": "SPDXRef-c"},
            {"spdxElementId": "SPDXRef-a", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-ghost"},
            {"spdxElementId": "SPDXRef-a", "relationshipType": "DESCENDANT_OF", "relatedSpdxElement": "SPDXRef-c"}
        ]
    })
}

#[test]
fn foreign_spdx_is_read_with_diagnostics() {
    let doc = foreign_spdx_doc();
    let inv = read_ok(&serde_json::to_vec(&doc).unwrap());
    assert_eq!(inv.subject.name, "shop@2.0", "the one described package is the subject");
    let ids: Vec<&str> = inv.components.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        ["pkg:pypi/b@1.2.3", "sbom-component:no-id", "spdx:SPDXRef-a", "spdx:SPDXRef-b", "spdx:SPDXRef-c"]
    );
    let a = inv.component("spdx:SPDXRef-a").unwrap();
    assert_eq!((a.version.as_deref(), a.homepage.as_deref(), a.authors.len()), (None, None, 0));
    assert!(a.license.is_empty(), "NOASSERTION is unknown");
    assert!(a.direct, "the subject contains it");
    let b = inv.component("pkg:pypi/b@1.2.3").unwrap();
    assert_eq!(b.ecosystem, Ecosystem::Pypi);
    assert_eq!(b.authors, ["ACME <oss@acme.example>"]);
    let l = b.license.declared.as_ref().unwrap();
    assert_eq!((l.expression.as_str(), l.valid), ("Apache-2.0 OR LicenseRef-acme", true));
    assert!(b.license.concluded.is_none(), "NONE is not a licence we can name");
    assert!(b.hashes.is_empty(), "`00` is no SHA-256");
    assert_eq!(inv.component("spdx:SPDXRef-c").unwrap().kind, ComponentKind::Application);
    // SPDXRef-b names the first package with that id; the edges keep their kinds.
    let edge = |from: &str, to: &str| inv.edges.iter().find(|e| e.from == from && e.to == to).map(|e| e.kind);
    assert_eq!(edge("spdx:SPDXRef-a", "pkg:pypi/b@1.2.3"), Some(EdgeKind::Normal));
    assert_eq!(edge("spdx:SPDXRef-a", "spdx:SPDXRef-c"), Some(EdgeKind::Dev));
    assert_eq!(edge("spdx:SPDXRef-c", "pkg:pypi/b@1.2.3"), Some(EdgeKind::Build));
    assert_eq!(inv.edges.len(), 3, "{:?}", inv.edges);
    let codes: Vec<&str> = inv.diagnostics.iter().map(|d| d.code.as_str()).collect();
    for code in [
        "sbom-unsupported-version",
        "sbom-duplicate-id",
        "sbom-component-without-id",
        "sbom-invalid-component",
        "sbom-unknown-hash-algorithm",
        "sbom-invalid-hash",
        "sbom-foreign-property",
        "dangling-edge",
    ] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    // Written again, it is valid SPDX 2.3 and CycloneDX 1.6.
    crate::support::validate("spdx-2.3.schema.json", &crate::spdx::spdx2(&inv), "foreign spdx rewritten");
    validate_cdx(&cdx(&inv), "foreign spdx as cyclonedx");
    crate::support::validate("spdx-3.0.1.schema.json", &crate::spdx::spdx3(&inv), "foreign spdx as spdx 3");
}
