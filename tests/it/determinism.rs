//! Determinism across processes: two separate `sovereign` processes (each with its own hash seeds), one
//! sequential (`SOVEREIGN_THREADS=1`) and one parallel (4 threads over the provenance and licence passes),
//! write byte-identical SBOMs in every format and byte-identical verdicts.

use std::path::Path;
use std::process::Command;

/// The bundled example plus 600 small files over six directories (above the parallel pass's threshold),
/// some with third parties' notices, an npm lockfile and a Python requirement file.
fn fixture(dir: &Path) {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/contest-entry");
    crate::support::copy_tree(&example, dir);
    let mut files: Vec<(String, String)> = vec![
        (
            "web/package.json".into(),
            r#"{"name":"web","version":"1.0.0","dependencies":{"left-pad":"1.3.0","@ant-design/icons":"5.0.0"}}"#
                .into(),
        ),
        (
            "web/package-lock.json".into(),
            r#"{"name":"web","version":"1.0.0","lockfileVersion":3,"packages":{
              "":{"name":"web","version":"1.0.0","dependencies":{"left-pad":"1.3.0","@ant-design/icons":"5.0.0"}},
              "node_modules/left-pad":{"version":"1.3.0","resolved":"https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz","license":"WTFPL"},
              "node_modules/@ant-design/icons":{"version":"5.0.0","resolved":"https://registry.npmjs.org/@ant-design/icons/-/icons-5.0.0.tgz","license":"MIT"}}}"#
                .into(),
        ),
        ("tools/requirements.txt".into(), "numpy==2.1.0\ntransformers==4.46.0\ntorch>=2.4\n".into()),
    ];
    for d in 0..6 {
        for i in 0..100 {
            let text = match i % 25 {
                7 => format!("// Copyright 2024 Holder{d} Ltd\nint f{i}(void) {{ return {i}; }}\n"),
                11 => format!("# Copyright (c) 2023 The Team{d} Authors\nx = {i}\n"),
                _ => format!("x = {i}\n"),
            };
            let ext = if i % 25 == 7 { "c" } else { "py" };
            files.push((format!("third_party/lib{d}/f{i}.{ext}"), text));
        }
    }
    for (path, text) in &files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn sovereign(args: &[&str], threads: &str, cache: &Path) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_sovereign"))
        .args(args)
        .env("SOVEREIGN_THREADS", threads)
        .env("SOVEREIGN_CACHE", cache)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env_remove("SOVEREIGN_ONLINE")
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c <= 1), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

#[test]
fn two_processes_sequential_and_parallel_write_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let src = dir.path().to_str().unwrap();
    let out = tempfile::tempdir().unwrap();
    let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/policies/sovereign-ai-contest.yaml");
    for (threads, tag) in [("1", "seq"), ("4", "par")] {
        let cache = tempfile::tempdir().unwrap();
        let mut args = vec!["scan".to_string(), src.to_string()];
        for (format, ext) in [("cyclonedx-json", "cdx"), ("spdx-json", "spdx"), ("spdx3-json", "spdx3")] {
            let file = out.path().join(format!("{tag}.{ext}.json"));
            args.extend(["--format".into(), format.into(), "-o".into(), file.display().to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        sovereign(&args, threads, cache.path());
        let sbom = out.path().join(format!("{tag}.cdx.json"));
        let verdict = sovereign(
            &["check", sbom.to_str().unwrap(), "--policy", policy.to_str().unwrap(), "--format", "json"],
            threads,
            cache.path(),
        );
        std::fs::write(out.path().join(format!("{tag}.verdict.json")), verdict).unwrap();
    }
    for ext in ["cdx.json", "spdx.json", "spdx3.json", "verdict.json"] {
        let a = std::fs::read(out.path().join(format!("seq.{ext}"))).unwrap();
        let b = std::fs::read(out.path().join(format!("par.{ext}"))).unwrap();
        assert!(a.len() > 1000, "{ext}: {} bytes", a.len());
        if a != b {
            let (a, b) = (String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
            let line = a.lines().zip(b.lines()).position(|(x, y)| x != y);
            panic!(
                "{ext} differs between a sequential and a parallel process (first differing line {line:?})"
            );
        }
    }
    // The fixture exercised what it is meant to: the parallel provenance pass and third-party notices.
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("par.cdx.json")).unwrap()).unwrap();
    let ids: Vec<&str> =
        doc["components"].as_array().unwrap().iter().filter_map(|c| c["bom-ref"].as_str()).collect();
    assert!(ids.iter().filter(|id| id.contains("third_party/lib")).count() >= 6, "{ids:?}");
    assert!(ids.iter().any(|id| id.contains("left-pad")), "{ids:?}");
}
