//! The command line as a user meets it: help, version, output files, determinism, exit codes.

use crate::support::{run, write_files};

#[test]
fn help_and_version() {
    let cache = tempfile::tempdir().unwrap();
    let out = run(&["--help"], cache.path());
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("Scan a directory"), "{help}");
    let out = run(&["scan", "--help"], cache.path());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in ["--output", "--format", "--ref", "--cache-dir", "--cargo-metadata", "--quiet"] {
        assert!(help.contains(flag), "{flag} missing from scan --help");
    }
    let out = run(&["--version"], cache.path());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("sovereign {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn output_file_is_written_and_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("Cargo.toml", "[package]\nname = \"d\"\nversion = \"0.1.0\"\n[dependencies]\nitoa = \"1\"\n"),
            ("Cargo.lock", "version = 4\n[[package]]\nname = \"d\"\nversion = \"0.1.0\"\ndependencies = [\"itoa\"]\n[[package]]\nname = \"itoa\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"),
        ],
    );
    let cache = tempfile::tempdir().unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let a = out_dir.path().join("a.json");
    let b = out_dir.path().join("b.json");
    let src = dir.path().to_str().unwrap();
    let r1 = run(&["scan", src, "-o", a.to_str().unwrap(), "--quiet"], cache.path());
    assert!(r1.status.success());
    assert!(r1.stderr.is_empty(), "--quiet prints nothing: {}", String::from_utf8_lossy(&r1.stderr));
    let r2 = run(&["scan", src, "-o", b.to_str().unwrap()], cache.path());
    assert!(r2.status.success());
    let (x, y) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert_eq!(x, y, "same input, same bytes");
    let doc: serde_json::Value = serde_json::from_slice(&x).unwrap();
    assert_eq!(doc["metadata"]["timestamp"], "2023-11-14T22:13:20Z", "SOURCE_DATE_EPOCH is honoured");
    // No temporary files are left beside the output.
    let names: Vec<_> = std::fs::read_dir(out_dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let summary = String::from_utf8_lossy(&r2.stderr);
    assert!(summary.contains("2 components"), "{summary}");
}

#[test]
fn unwritable_output_is_an_error_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("Cargo.toml", "[package]\nname = \"d\"\nversion = \"0.1.0\"\n")]);
    let cache = tempfile::tempdir().unwrap();
    let out =
        run(&["scan", dir.path().to_str().unwrap(), "-o", "/nonexistent-dir/x/sbom.json"], cache.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: cannot write"));
}

#[test]
fn several_formats_in_one_run_each_to_its_file() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("Cargo.toml", "[package]\nname = \"d\"\nversion = \"0.1.0\"\n")]);
    let cache = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let p = |n: &str| out.path().join(n).to_str().unwrap().to_string();
    let src = dir.path().to_str().unwrap();
    let r = run(
        &[
            "scan",
            src,
            "--quiet",
            "--format",
            "spdx-json",
            "-o",
            &p("a.spdx.json"),
            "--format",
            "cyclonedx-json",
            "-o",
            &p("a.cdx.json"),
        ],
        cache.path(),
    );
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let spdx: serde_json::Value = serde_json::from_slice(&std::fs::read(p("a.spdx.json")).unwrap()).unwrap();
    let cdx: serde_json::Value = serde_json::from_slice(&std::fs::read(p("a.cdx.json")).unwrap()).unwrap();
    assert_eq!(spdx["spdxVersion"], "SPDX-2.3", "the first -o goes with the first --format");
    assert_eq!(cdx["bomFormat"], "CycloneDX");
    // One format without -o: standard output.
    let r = run(&["scan", src, "--quiet", "--format", "spdx-json"], cache.path());
    assert!(String::from_utf8_lossy(&r.stdout).contains("\"spdxVersion\": \"SPDX-2.3\""));
    // Formats and files that do not pair up are an error before anything is scanned.
    for args in [
        vec!["scan", src, "--format", "spdx-json", "--format", "cyclonedx-json"],
        vec!["scan", src, "--format", "spdx-json", "--format", "cyclonedx-json", "-o", "x.json"],
        vec!["scan", src, "-o", "a.json", "-o", "b.json"],
    ] {
        let r = run(&args, cache.path());
        assert_eq!(r.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(err.contains("`-o` files (one per `--format`, in order)"), "{err}");
    }
    let r = run(
        &[
            "scan",
            src,
            "--format",
            "spdx-json",
            "-o",
            &p("same"),
            "--format",
            "cyclonedx-json",
            "-o",
            &p("same"),
        ],
        cache.path(),
    );
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("is given as the output of two formats"));
}
