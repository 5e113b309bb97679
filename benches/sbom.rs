//! SBOM write and read throughput (a plain harness, no criterion).
//!
//! Run: `SOVEREIGN_CORPUS=../shared/corpus cargo bench --bench sbom`
//! Scans the largest Rust project of the corpus (uv), then measures writing and reading it in every format,
//! and reading a synthetic CycloneDX document of about 50 MB in the style of other generators.

use std::path::PathBuf;

use sovereign::sbom::{self, Format};

mod common;
use common::measure;

fn synthetic_cdx(target: usize) -> (Vec<u8>, usize) {
    let mut s = String::from(r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":["#);
    let mut n = 0;
    while s.len() < target {
        if n > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            r#"{{"type":"library","bom-ref":"pkg:npm/p{n}@1.0.{n}","name":"p{n}","version":"1.0.{n}","purl":"pkg:npm/p{n}@1.0.{n}","licenses":[{{"license":{{"id":"MIT"}}}}],"hashes":[{{"alg":"SHA-512","content":"{}"}}],"properties":[{{"name":"cdx:npm:package:path","value":"node_modules/p{n}"}}]}}"#,
            "a".repeat(128)
        ));
        n += 1;
    }
    s.push_str("]}");
    (s.into_bytes(), n)
}

fn main() {
    if let Some(corpus) = std::env::var_os("SOVEREIGN_CORPUS").map(PathBuf::from) {
        let cache = tempfile::tempdir().unwrap();
        let inv = sovereign::scan(&sovereign::ScanOptions {
            source: corpus.join("rust/astral-sh__uv").display().to_string(),
            reference: None,
            cache_dir: cache.path().to_path_buf(),
            progress: false,
            history: None,
            cargo_metadata: false,
            ..Default::default()
        })
        .unwrap()
        .inventory;
        let n = inv.components.len();
        for (name, format) in [
            ("cyclonedx", Format::CyclonedxJson),
            ("spdx 2.3", Format::SpdxJson),
            ("spdx 3.0.1", Format::Spdx3Json),
        ] {
            let bytes = sbom::write(&inv, format);
            measure(
                &format!("write {name} (uv, {n} components, {} KB)", bytes.len() / 1024),
                bytes.len(),
                || sbom::write(&inv, format).len().min(n),
            );
            if format != Format::Spdx3Json {
                measure(&format!("read {name} (uv)"), bytes.len(), || {
                    sbom::read(&bytes, "uv.json").unwrap().components.len()
                });
            }
        }
    } else {
        eprintln!("SOVEREIGN_CORPUS is not set; skipping the corpus measurements");
    }
    let (doc, n) = synthetic_cdx(50_000_000);
    measure(
        &format!("read synthetic cyclonedx ({n} components, {} MB)", doc.len() / 1_000_000),
        doc.len(),
        || sbom::read(&doc, "synthetic.json").unwrap().components.len(),
    );
}
