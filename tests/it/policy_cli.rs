//! `sovereign check`, `sovereign policy validate|schema|simulate` as a user runs them: exit codes, every
//! report format, SARIF checked against the official 2.1.0 schema, the example policies.

use std::path::Path;

use serde_json::Value;

use crate::policy_eval::{comp, direct, from, inventory, licensed};
use crate::support::{run, write_files};

const CARGO_TOML: &str =
    "[package]\nname = \"entry\"\nversion = \"0.1.0\"\n\n[dependencies]\nserde = \"1\"\nitoa = \"1\"\n";
const CARGO_LOCK: &str = "version = 4\n\n[[package]]\nname = \"entry\"\nversion = \"0.1.0\"\ndependencies = [\"itoa\", \"serde\"]\n\n[[package]]\nname = \"itoa\"\nversion = \"1.0.11\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.200\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";

const BAN_ITOA: &str = "version: 1\nname: ban-itoa\nrules:\n  - id: no-itoa\n    when: { purl: \"pkg:cargo/itoa\" }\n    why: We write our own integer formatting.\n";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[("Cargo.toml", CARGO_TOML), ("Cargo.lock", CARGO_LOCK), ("ban.yaml", BAN_ITOA)],
    );
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn check_a_fresh_scan_exit_codes_and_formats() {
    let dir = project();
    let cache = tempfile::tempdir().unwrap();
    let src = s(dir.path());
    let policy = dir.path().join("ban.yaml");
    let out = run(&["check", src, "--policy", s(&policy), "--quiet"], cache.path());
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("error[component-banned] no-itoa: `itoa@1.0.11` is selected by rule `no-itoa`"),
        "{text}"
    );
    // The manifest line that declares itoa, worked out from the fixture.
    let line = CARGO_TOML.lines().position(|l| l.starts_with("itoa")).unwrap() + 1;
    assert!(text.contains(&format!("  at: Cargo.toml:{line}\n")), "{text}");
    assert!(text.contains("  why: We write our own integer formatting.\n"));
    assert!(
        text.ends_with(
            "policy `ban-itoa`: FAILED (1 error, 0 warnings, 0 notes, 0 waived; 2 components judged)\n"
        ),
        "{text}"
    );

    let json_out = dir.path().join("verdict.json");
    let out = run(
        &["check", src, "--policy", s(&policy), "--format", "json", "-o", s(&json_out), "--quiet"],
        cache.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&std::fs::read(&json_out).unwrap()).unwrap();
    assert_eq!(v["passed"], false);
    assert_eq!(v["findings"][0]["rule"], "no-itoa");
    assert_eq!(v["findings"][0]["component"], "pkg:cargo/itoa@1.0.11");
    assert_eq!(v["findings"][0]["path"], serde_json::json!(["pkg:cargo/itoa@1.0.11"]));

    let out = run(&["check", src, "--policy", s(&policy), "--format", "markdown", "--quiet"], cache.path());
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.starts_with("# Policy `ban-itoa`: **failed**\n"), "{md}");
    assert!(md.contains(&format!("| error | `no-itoa` | `component-banned` | `itoa@1.0.11` | `itoa@1.0.11` is selected by rule `no-itoa` | `Cargo.toml:{line}` | itoa@1.0.11 |")), "{md}");

    // A policy nothing violates: exit 0.
    write_files(
        dir.path(),
        &[("ok.yaml", "version: 1\nrules:\n  - id: no-models\n    when: { kind: ml-model }\n")],
    );
    let out = run(&["check", src, "--policy", s(&dir.path().join("ok.yaml")), "--quiet"], cache.path());
    assert_eq!(out.status.code(), Some(0));
    // A broken policy or a missing source: exit 2 with the reason.
    write_files(dir.path(), &[("bad.yaml", "version: 1\norigin: {deny: [CHN]}\n")]);
    let out = run(&["check", src, "--policy", s(&dir.path().join("bad.yaml"))], cache.path());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("origin.deny[0]: \"CHN\" is not an ISO 3166-1 alpha-2 code"), "{err}");
    let out = run(&["check", "/nonexistent/x", "--policy", s(&policy)], cache.path());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sarif_is_valid_and_located_at_the_manifest_line() {
    let dir = project();
    let cache = tempfile::tempdir().unwrap();
    let out = run(
        &[
            "check",
            s(dir.path()),
            "--policy",
            s(&dir.path().join("ban.yaml")),
            "--format",
            "sarif",
            "--quiet",
        ],
        cache.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    crate::support::validate(
        "sarif-2.1.0.schema.json",
        &doc,
        "sarif_is_valid_and_located_at_the_manifest_line",
    );
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    let r = &results[0];
    assert_eq!(r["ruleId"], "no-itoa");
    assert_eq!(r["level"], "error");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "Cargo.toml");
    let line = CARGO_TOML.lines().position(|l| l.starts_with("itoa")).unwrap() + 1;
    assert_eq!(loc["region"]["startLine"], line);
    let idx = r["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(doc["runs"][0]["tool"]["driver"]["rules"][idx]["id"], "no-itoa");
}

/// Three submissions as CycloneDX files: a clean one, one with a Chinese component, one with a GPL one.
fn submissions(dir: &Path) -> Vec<String> {
    let clean = inventory(
        vec![
            direct(licensed(from(comp("serde", "1.0.200"), "US", 0.9), "MIT OR Apache-2.0"), 6),
            licensed(from(comp("itoa", "1.0.11"), "KR", 0.9), "MIT"),
        ],
        &[("serde", "itoa")],
    );
    let cn = inventory(
        vec![
            direct(licensed(from(comp("serde", "1.0.200"), "US", 0.9), "MIT OR Apache-2.0"), 6),
            licensed(from(comp("fastjson", "2.0.0"), "CN", 0.95), "Apache-2.0"),
        ],
        &[("serde", "fastjson")],
    );
    let gpl = inventory(
        vec![direct(licensed(from(comp("readline", "8.0.0"), "US", 0.9), "GPL-3.0-or-later"), 6)],
        &[],
    );
    let mut paths = Vec::new();
    for (name, inv) in [("clean", clean), ("cn", cn), ("gpl", gpl)] {
        let p = dir.join(format!("{name}.cdx.json"));
        std::fs::write(&p, sovereign::sbom::write(&inv, sovereign::sbom::Format::CyclonedxJson)).unwrap();
        paths.push(p.to_str().unwrap().to_string());
    }
    paths
}

#[test]
fn example_policies_on_stored_sboms() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let sboms = submissions(dir.path());
    let check = |policy: &str, sbom: &str| {
        let out = run(
            &[
                "check",
                sbom,
                "--policy",
                &format!("rules/policies/{policy}.yaml"),
                "--today",
                "2026-06-01",
                "--format",
                "json",
                "--quiet",
            ],
            cache.path(),
        );
        let v: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
        let codes: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .map(|f| format!("{}:{}", f["code"].as_str().unwrap(), f["name"].as_str().unwrap_or("")))
            .collect();
        (out.status.code(), codes)
    };
    assert_eq!(check("sovereign-ai-contest", &sboms[0]), (Some(0), vec![]));
    assert_eq!(
        check("sovereign-ai-contest", &sboms[1]),
        (Some(1), vec!["origin-denied:fastjson@2.0.0".to_string()])
    );
    assert_eq!(
        check("sovereign-ai-contest", &sboms[2]),
        (Some(1), vec!["license-not-allowed:readline@8.0.0".to_string()])
    );
    assert_eq!(check("permissive-only", &sboms[0]), (Some(0), vec![]));
    assert_eq!(check("permissive-only", &sboms[1]), (Some(0), vec![]));
    assert_eq!(
        check("permissive-only", &sboms[2]),
        (Some(1), vec!["license-not-allowed:readline@8.0.0".to_string()])
    );
    for sbom in &sboms {
        assert_eq!(check("report-only", sbom), (Some(0), vec![]), "report-only never fails");
    }
    // The human report of a stored SBOM: the country read back from it, the path from the direct
    // dependency that pulls the component in, and the same bytes on every run.
    let args = [
        "check",
        &sboms[1],
        "--policy",
        "rules/policies/sovereign-ai-contest.yaml",
        "--today",
        "2026-06-01",
        "--quiet",
    ];
    let a = run(&args, cache.path());
    let b = run(&args, cache.path());
    assert_eq!(a.stdout, b.stdout);
    let text = String::from_utf8_lossy(&a.stdout);
    assert!(
        text.contains("error[origin-denied] origin: `fastjson@2.0.0` is attributed to CN (China) with confidence 0.95; denied by `CN`\n"),
        "{text}"
    );
    assert!(text.contains("  path: serde@1.0.200 → fastjson@2.0.0\n"), "{text}");
    // report-only still reports: the Chinese component is not denied there, the GPL one is not a denied
    // category; an unknown-free submission has no findings.
    let out =
        run(&["check", &sboms[1], "--policy", "rules/policies/report-only.yaml", "--quiet"], cache.path());
    assert!(String::from_utf8_lossy(&out.stdout).contains("PASSED (0 errors, 0 warnings"));
}

#[test]
fn simulate_two_policies_over_three_submissions() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let sboms = submissions(dir.path());
    let mut args = vec![
        "policy",
        "simulate",
        "--policy",
        "rules/policies/sovereign-ai-contest.yaml",
        "--policy",
        "rules/policies/permissive-only.yaml",
        "--today",
        "2026-06-01",
        "--format",
        "json",
    ];
    args.extend(sboms.iter().map(String::as_str));
    let out = run(&args, cache.path());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let contest = &v["policies"][0];
    assert_eq!((contest["passed"].as_u64(), contest["failed"].as_u64()), (Some(1), Some(2)));
    let permissive = &v["policies"][1];
    assert_eq!((permissive["passed"].as_u64(), permissive["failed"].as_u64()), (Some(2), Some(1)));
    // Contest rules: every submission's direct dependencies are all from the US (over the 50 % warning
    // threshold) and the numpy waiver is unused in each; origin fired once (cn), licenses once (gpl).
    let rules: Vec<(String, u64, u64)> = contest["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["rule"].as_str().unwrap().to_string(),
                r["findings"].as_u64().unwrap(),
                r["failing_submissions"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rules,
        [
            ("foreign-direct-share".to_string(), 3, 0),
            ("waivers".into(), 3, 0),
            ("licenses".into(), 1, 1),
            ("origin".into(), 1, 1)
        ]
    );
    assert_eq!(contest["top_components"][0]["component"], "pkg:cargo/fastjson");
    assert_eq!(contest["top_components"][1]["component"], "pkg:cargo/readline");
    // The Chinese submission fails the contest and passes permissive-only: it flips.
    let flips = v["flips"].as_array().unwrap();
    assert_eq!(flips.len(), 1);
    assert!(flips[0]["submission"].as_str().unwrap().ends_with("cn.cdx.json"));
    assert_eq!(flips[0]["passed"], serde_json::json!([false, true]));

    // An unreadable SBOM is skipped with an error and exit code 2; the others are still judged.
    let broken = dir.path().join("broken.cdx.json");
    std::fs::write(&broken, "{ not json").unwrap();
    let mut with_broken = args.clone();
    with_broken.push(s(&broken));
    let out = run(&with_broken, cache.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("error: skipped "),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["submissions"].as_array().unwrap().len(), 3);

    for (format, check) in [
        ("csv", "submission,policy,result,errors,warnings,notes,waived\r\n"),
        ("markdown", "# Policy simulation\n"),
        ("human", "submissions that flip between policies: 1\n"),
    ] {
        let mut a = args.clone();
        let i = a.iter().position(|x| *x == "json").unwrap();
        a[i] = format;
        let out = run(&a, cache.path());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(check), "{format}: {text}");
        if format == "csv" {
            assert_eq!(text.lines().count(), 1 + 3 * 2);
            assert!(text.contains("cn.cdx.json,sovereign-ai-contest,fail,1,"), "{text}");
        }
    }
}

#[test]
fn policy_validate_and_schema() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[("bad.yaml", "version: 1\nrules:\n  - id: x\n    when: { origin_not_in: [KR, CHN] }\n")],
    );
    let out = run(&["policy", "validate", "rules/policies/sovereign-ai-contest.yaml"], cache.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("valid (policy `sovereign-ai-contest`, 5 rules, 2 threshold(s), 1 waiver(s))"));
    let out = run(&["policy", "validate", s(&dir.path().join("bad.yaml"))], cache.path());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid policy (1 problem):")
            && err.contains("rules[0].when.origin_not_in[1]: \"CHN\" is not an ISO 3166-1 alpha-2 code"),
        "{err}"
    );
    let out = run(&["policy", "schema"], cache.path());
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let shipped: Value =
        serde_json::from_str(&std::fs::read_to_string("docs/policy.schema.json").unwrap()).unwrap();
    assert_eq!(printed, shipped);
}

#[test]
fn check_and_policy_help() {
    let cache = tempfile::tempdir().unwrap();
    let help = String::from_utf8_lossy(&run(&["check", "--help"], cache.path()).stdout).to_string();
    for flag in ["--policy", "--format", "--output", "--ref", "--today", "human", "sarif", "markdown"] {
        assert!(help.contains(flag), "{flag} missing from check --help:\n{help}");
    }
    let help = String::from_utf8_lossy(&run(&["policy", "--help"], cache.path()).stdout).to_string();
    for sub in ["validate", "schema", "simulate"] {
        assert!(help.contains(sub), "{sub} missing from policy --help:\n{help}");
    }
}
