//! Policy files: validation (every problem with its path), hostile files, `extends`, the JSON Schema, and
//! the example policies in rules/policies/.

use std::path::Path;
use std::time::{Duration, Instant};

use sovereign::policy::{self, PolicyError, Problem};

fn problems(text: &str) -> Vec<String> {
    match policy::from_str(text, "p.yaml") {
        Ok(_) => panic!("expected problems in:\n{text}"),
        Err(e) => e.problems().iter().map(|p| p.to_string()).collect(),
    }
}

fn load_file(dir: &Path, name: &str) -> Result<policy::Policy, PolicyError> {
    policy::load(&dir.join(name))
}

/// Asserts the problems are exactly these (order free), printing only the difference.
fn assert_problems(got: &[String], want: &[&str]) {
    let missing: Vec<&&str> = want.iter().filter(|w| !got.iter().any(|g| g == *w)).collect();
    let extra: Vec<&String> = got.iter().filter(|g| !want.contains(&g.as_str())).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing: {missing:#?}\nunexpected: {extra:#?}");
}

#[test]
fn every_problem_is_reported_with_its_path() {
    let text = r#"
version: 1
colour: blue
origin:
  min_confidence: 1.5
  deny: [CN, cn, uk, EU, Five Eyes]
  allow: [DE]
  unknown: maybe
licenses:
  allow: [MIT, "Apache 2.0", "MIT OR Apache-2.0", "GPL-2.0-or-later WITH Classpath-exception-2.0"]
  deny: [Banana-1.0]
  deny_expressions: ["MIT AND"]
rules:
  - id: first
    when: { kind: ml-model }
  - id: second
    when: { ecosystem: crates, purl: numpy }
  - id: third
    when: { origin_not_in: [KR, CHN] }
  - id: Bad_Id
    severity: fatal
thresholds:
  - of: [CN]
  - of: [RU]
    unknown: origin
    max_share: 2
waivers:
  - component: "pkg:pypi/numpy@*"
    rule: nothing
    reason: " "
    expires: 2027-02-30
  - component: "pkg:pypi/x@>=banana"
    rule: origin
    reason: fine
overrides:
  origin-unknown: note
  no-such-rule: error
"#;
    assert_problems(
        &problems(text),
        &[
            "colour: unknown key; expected one of: version, name, description, extends, scope, origin, licenses, rules, thresholds, waivers, overrides",
            "origin.unknown: \"maybe\" is not one of: allow, warn, deny",
            "rules[3].severity: \"fatal\" is not one of: error, warning, note",
            "origin.min_confidence: 1.5 is not a confidence between 0 and 1",
            "origin.deny[1]: \"cn\" is not an ISO 3166-1 alpha-2 code (write it in capitals: `CN`)",
            "origin.deny[2]: \"uk\" is not an ISO 3166-1 alpha-2 code (the United Kingdom is `GB`)",
            "origin.allow[0]: \"DE\" is allowed but also denied (by `EU`); deny wins",
            "licenses.allow[1]: \"Apache 2.0\" is not a valid SPDX licence: unknown term (did you mean `Apache-2.0`?)",
            "licenses.allow[2]: \"MIT OR Apache-2.0\" is an expression; list single licences here (`MIT`, `GPL-2.0-or-later WITH Classpath-exception-2.0`) or use `allow_expressions`/`deny_expressions`",
            "licenses.deny[0]: \"Banana-1.0\" is not a valid SPDX licence: unknown term",
            "licenses.deny_expressions[0]: \"MIT AND\" is not a valid SPDX expression: expected one of `<license>`, `(` here",
            "rules[1].when.ecosystem: \"crates\" is not an ecosystem; expected one of: cargo, npm, pypi, golang, maven, gem, composer, nuget, swift, pub, conan, vcpkg, cocoapods, git, huggingface, generic",
            "rules[1].when.purl: \"numpy\": a purl pattern starts with `pkg:` (e.g. `pkg:cargo/openssl@*`), or is `*`",
            "rules[2].when.origin_not_in[1]: \"CHN\" is not an ISO 3166-1 alpha-2 code (use two-letter codes: `CN`, not `CHN`)",
            "rules[3].id: \"Bad_Id\" is not a kebab-case id (like `no-foreign-models`)",
            "thresholds[0]: give a limit: `max_share` (0..1) and/or `max_count`",
            "thresholds[1]: give either `of` or `unknown`, not both",
            "waivers[0].reason: a waiver must say why it is acceptable",
            "waivers[0].expires: \"2027-02-30\" is not a date written YYYY-MM-DD",
            "waivers[1].component: \"pkg:pypi/x@>=banana\": \">=banana\" is not a version range: unexpected character 'b' while parsing major version number",
            "waivers[0].rule: \"nothing\" is neither a rule of this policy (Bad_Id, first, licenses, origin, second, third) nor a finding code",
            "overrides.no-such-rule: \"no-such-rule\" is neither a rule or threshold of this policy (Bad_Id, first, licenses, origin, second, share-cn, third) nor a finding code",
        ],
    );
}

#[test]
fn the_issue_example_message() {
    let text =
        "version: 1\nrules:\n  - id: a\n  - id: b\n  - id: c\n    when:\n      origin_not_in: [KR, CHN]\n";
    assert_eq!(problems(text), vec!["rules[2].when.origin_not_in[1]: \"CHN\" is not an ISO 3166-1 alpha-2 code (use two-letter codes: `CN`, not `CHN`)"]);
}

#[test]
fn wrong_types_are_each_reported() {
    let text = "version: one\nname: [a]\norigin: [CN]\nlicenses:\n  allow: MIT\nrules:\n  - when: {}\n  - id: 7\n    when: {direct: maybe}\nwaivers: {}\nscope: everything\n";
    assert_problems(
        &problems(text),
        &[
            "version: expected a whole number, found the string \"one\"",
            "name: expected a string, found a list",
            "origin: expected a mapping, found a list",
            "licenses.allow: expected a list of strings, found the string \"MIT\"",
            "rules[0].id: is required",
            "rules[1].id: expected a string, found the number 7 (quote it to make it a string)",
            "rules[1].when.direct: expected true or false, found the string \"maybe\"",
            "waivers: expected a list of mappings, found a mapping",
            "scope: \"everything\" is not one of: runtime, build, dev, optional, test, example, docs",
        ],
    );
}

#[test]
fn version_is_required_and_must_be_1() {
    assert_eq!(problems("name: x\n"), vec!["version: is required"]);
    assert_eq!(
        problems("version: 2\n"),
        vec!["version: version 2 is not supported; this sovereign reads version 1"]
    );
}

#[test]
fn yaml_oddities_are_problems_not_panics() {
    for (text, want) in [
        ("", "the file is empty; a policy starts with `version: 1`"),
        ("version: 1\n---\nversion: 1\n", "not valid YAML"),
        ("version: 1\norigin: {deny: [CN}\n", "not valid YAML"),
        ("version: 1\noverrides:\n  7: error\n", "the key `7` is not a string (quote it)"),
        ("version: 1\nname: !secret x\n", "YAML tags (`!secret`) are not used in policy files"),
        ("- 1\n- 2\n", "expected a mapping, found a list"),
        (
            "version: 1\norigin:\n  min_confidence: .nan\n",
            "origin.min_confidence: .nan is not a finite number",
        ),
    ] {
        let got = problems(text);
        assert!(got.iter().any(|g| g.contains(want)), "{text:?}: {got:?}");
    }
}

#[test]
fn deep_nesting_is_refused_quickly() {
    let text = format!("version: 1\nname: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let start = Instant::now();
    let got = problems(&text);
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(got, ["not valid YAML: brackets nested more than 128 levels deep at line 2"]);
    // Block nesting within the size cap stays within the parser's own recursion limit.
    let mut block = String::from("version: 1\nname:\n");
    for i in 0..200 {
        block.push_str(&format!("{}- \n", " ".repeat(i + 1)));
    }
    let got = problems(&block);
    assert!(got[0].contains("not valid YAML") || got[0].contains("expected a string"), "{got:?}");
}

#[test]
fn alias_bomb_is_refused_without_expanding() {
    // "Billion laughs": each level doubles nine times; fully expanded it would be 9^9 strings.
    let mut text = String::from("version: 1\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        text.push_str(&format!("x{i}: &a{i} [{}]\n", [prev.as_str(); 9].join(", ")));
    }
    text.push_str("name: *a9\n");
    let start = Instant::now();
    let got = problems(&text);
    assert!(start.elapsed() < Duration::from_secs(5), "took {:?}", start.elapsed());
    assert!(got.iter().any(|g| g.contains("not valid YAML") && g.contains("repetition limit")), "{got:?}");
}

#[test]
fn huge_file_is_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("version: 1\ndescription: \"");
    text.push_str(&"a".repeat(10 * 1024 * 1024));
    text.push_str("\"\n");
    std::fs::write(dir.path().join("big.yaml"), &text).unwrap();
    let start = Instant::now();
    let err = load_file(dir.path(), "big.yaml").unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(2));
    let msg = err.to_string();
    let want = format!("the file is {} bytes; a policy file may be at most 1048576 bytes", text.len());
    assert!(msg.contains(&want), "{msg}");
}

#[test]
fn invalid_utf8_is_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.yaml"), b"version: 1\nname: \xff\xfe\n").unwrap();
    let msg = load_file(dir.path(), "p.yaml").unwrap_err().to_string();
    assert!(msg.contains("the file is not UTF-8 (byte 17)"), "{msg}");
}

#[test]
fn extends_merges_child_over_parent() {
    let dir = tempfile::tempdir().unwrap();
    crate::support::write_files(
        dir.path(),
        &[
            (
                "base/base.yaml",
                "version: 1\nname: base\norigin:\n  deny: [CN]\n  min_confidence: 0.5\nlicenses:\n  allow: [MIT]\nrules:\n  - id: no-models\n    when: {kind: ml-model}\n  - id: no-vendored\n    when: {kind: vendored-source}\nwaivers:\n  - component: \"pkg:cargo/a@*\"\n    rule: origin\n    reason: base waiver\n",
            ),
            (
                "child.yaml",
                "version: 1\nextends: base/base.yaml\norigin:\n  min_confidence: 0.9\nrules:\n  - id: no-models\n    when: {kind: ml-model}\n    severity: warning\nwaivers:\n  - component: \"pkg:cargo/b@*\"\n    rule: no-vendored\n    reason: a rule of the parent\n",
            ),
        ],
    );
    let p = load_file(dir.path(), "child.yaml").unwrap();
    assert_eq!(p.name, "base", "the name is inherited");
    assert_eq!(p.files.len(), 2);
    assert!(p.files[0].ends_with("child.yaml") && p.files[1].ends_with("base.yaml"), "{:?}", p.files);
    let ids: Vec<&str> = p.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["origin", "licenses", "no-models", "no-vendored"]);
    let origin = match &p.rules[0].checks[0] {
        sovereign::policy::types::Check::Origin(o) => o,
        _ => panic!(),
    };
    assert_eq!(origin.attribution.min_confidence, 0.9, "the child's value wins");
    assert!(origin.deny.contains("CN"), "the parent's deny list is kept");
    assert_eq!(
        p.rules[2].severity,
        sovereign::model::Severity::Warning,
        "the child's rule replaces the parent's"
    );
    assert_eq!(p.waivers.len(), 2);
    assert!(p.waivers[0].file.ends_with("base.yaml") && p.waivers[1].file.ends_with("child.yaml"));
}

#[test]
fn cyclic_and_missing_extends_are_problems() {
    let dir = tempfile::tempdir().unwrap();
    crate::support::write_files(
        dir.path(),
        &[
            ("a.yaml", "version: 1\nextends: b.yaml\n"),
            ("b.yaml", "version: 1\nextends: [c.yaml, a.yaml]\n"),
            ("c.yaml", "version: 1\n"),
            ("self.yaml", "version: 1\nextends: self.yaml\n"),
            ("missing.yaml", "version: 1\nextends: [c.yaml, nowhere.yaml]\n"),
        ],
    );
    let e = load_file(dir.path(), "a.yaml").unwrap_err();
    let p: &Problem = &e.problems()[0];
    assert!(p.file.ends_with("b.yaml") && p.path == "extends[1]", "{p:?}");
    assert!(
        p.message.starts_with("`extends` makes a cycle: ") && p.message.matches(" → ").count() == 2,
        "{p:?}"
    );
    let e = load_file(dir.path(), "self.yaml").unwrap_err();
    assert!(e.problems()[0].message.starts_with("`extends` makes a cycle"), "{e}");
    let e = load_file(dir.path(), "missing.yaml").unwrap_err();
    let p = &e.problems()[0];
    assert_eq!(p.path, "extends[1]");
    assert!(p.message.starts_with("cannot read `") && p.message.contains("nowhere.yaml"), "{p:?}");
}

#[test]
fn problems_in_an_extended_file_name_that_file() {
    let dir = tempfile::tempdir().unwrap();
    crate::support::write_files(
        dir.path(),
        &[
            ("base.yaml", "version: 1\norigin: {deny: [XX]}\n"),
            ("child.yaml", "version: 1\nextends: base.yaml\n"),
        ],
    );
    let e = load_file(dir.path(), "child.yaml").unwrap_err();
    assert_eq!(e.problems().len(), 1);
    assert!(e.problems()[0].file.ends_with("base.yaml"));
    assert_eq!(e.problems()[0].path, "origin.deny[0]");
}

#[test]
fn shipped_schema_is_the_generated_one_and_accepts_the_examples() {
    let shipped: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("docs/policy.schema.json").unwrap()).unwrap();
    assert_eq!(
        shipped,
        policy::config::json_schema(),
        "docs/policy.schema.json is stale: regenerate it with `sovereign policy schema > docs/policy.schema.json`"
    );
    let validator = jsonschema::validator_for(&shipped).unwrap();
    for entry in std::fs::read_dir("rules/policies").unwrap() {
        let path = entry.unwrap().path();
        let yaml: serde_json::Value = serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let errors: Vec<String> = validator.iter_errors(&yaml).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        policy::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    // And the schema refuses what the parser refuses.
    let bad: serde_json::Value = serde_yaml::from_str("version: 1\norigin: {colour: red}\n").unwrap();
    assert!(!validator.is_valid(&bad));
}

#[test]
fn remaining_validation_messages() {
    let text = r#"
version: 1
licenses:
  allow_categories: [permissive, network-copyleft]
  deny_categories: [network-copyleft]
rules:
  - id: dup
  - id: dup
  - id: origin-denied
  - id: nested
    origin: { deny: [CN], severity: note, when: { kind: library } }
    licenses: { allow: [MIT], why: because, fix: this }
thresholds:
  - max_share: 0.5
  - of: [CN]
    max_count: 3
  - id: Not_Kebab
    of: [CN]
    max_share: -0.1
waivers:
  - component: "pkg:cargo/a"
    rule: dup
    reason: fine
    approved_by: " "
  - component: "pkg:cargo/a"
    rule: share-cn
    reason: fine
overrides: { waivers: note }
"#;
    assert_problems(
        &problems(text),
        &[
            "licenses.deny_categories[0]: this category is both allowed and denied",
            "rules[1].id: \"dup\" is used by another rule in this file",
            "rules[2].id: \"origin-denied\" is reserved for a built-in rule or finding code",
            "rules[3].origin.when: set `when` on the rule itself, not inside its check",
            "rules[3].origin.severity: set `severity` on the rule itself, not inside its check",
            "rules[3].licenses.why: set `why` on the rule itself, not inside its check",
            "rules[3].licenses.fix: set `fix` on the rule itself, not inside its check",
            "thresholds[0]: say what is counted: `of: [countries or groups]` or `unknown: origin|license`",
            "thresholds[2].id: \"Not_Kebab\" is not a kebab-case id",
            "thresholds[2].max_share: -0.1 is not a share between 0 and 1 (10 % is 0.1)",
            "waivers[0].approved_by: is empty",
            "waivers[1].rule: \"share-cn\" is a threshold; thresholds cannot be waived (raise the limit or narrow its `when`)",
        ],
    );
    assert_eq!(problems("version: -1\n"), ["version: -1 is below the minimum 0"]);
    assert_eq!(problems("version: 4294967296\n"), ["version: 4294967296 is too large"]);
    assert_eq!(
        problems("version: 1\nextends: base.yaml\n"),
        ["extends: `extends` needs the policy to be read from a file"]
    );
}

#[test]
fn extends_depth_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..20 {
        std::fs::write(
            dir.path().join(format!("p{i}.yaml")),
            format!("version: 1\nextends: p{}.yaml\n", i + 1),
        )
        .unwrap();
    }
    std::fs::write(dir.path().join("p20.yaml"), "version: 1\n").unwrap();
    let e = load_file(dir.path(), "p0.yaml").unwrap_err();
    assert_eq!(e.problems().len(), 1);
    assert_eq!(e.problems()[0].message, "`extends` chains deeper than 16 files");
}

#[test]
fn every_finding_code_is_documented() {
    let doc = std::fs::read_to_string("docs/policy.md").unwrap();
    for (code, _, _) in policy::codes::CODES {
        assert!(doc.contains(&format!("| `{code}` |")), "docs/policy.md does not list `{code}`");
    }
}

#[test]
fn a_file_full_of_problems_stays_fast() {
    // Within the 1 MiB cap: 150,000 list entries of the wrong type around 5,000 valid waivers with an
    // unknown rule, and 5,000 unknown countries.
    let mut text = String::from("version: 1\nrules: [");
    text.push_str(&"1,".repeat(150_000));
    text.push_str("]\nwaivers:\n");
    for i in 0..5_000 {
        text.push_str(&format!("  - 7\n  - {{component: \"pkg:cargo/c{i}\", rule: r{i}, reason: x}}\n"));
    }
    text.push_str("origin:\n  deny: [");
    text.push_str(&"XX, ".repeat(5_000));
    text.push_str("]\n");
    assert!(text.len() < 1024 * 1024, "{}", text.len());
    let start = Instant::now();
    let err = policy::from_str(&text, "p.yaml").unwrap_err();
    // A guard against quadratic work (minutes), not a speed figure (benches/policy.rs measures that): it
    // took 11 s on a 2-core machine running eight builds, about 1 s on a quiet one.
    assert!(start.elapsed() < Duration::from_secs(60), "took {:?}", start.elapsed());
    assert_eq!(err.problems().len(), 150_000 + 5_000 + 5_000 + 5_000);
    let last = err.problems().iter().rev().find(|p| p.path.starts_with("waivers[")).unwrap();
    assert_eq!(last.path, "waivers[9999].rule", "indexes are the file's own");
    let shown = err.to_string();
    assert!(
        shown.lines().count() == 102 && shown.ends_with("… and 164900 more"),
        "{}",
        &shown[shown.len() - 200..]
    );
}

#[test]
fn norway_is_a_country_not_false() {
    // YAML 1.1 reads a bare NO as false; policy files are YAML 1.2, where it is the string "NO".
    let p = policy::from_str("version: 1\norigin:\n  deny: [NO, SE]\n", "p.yaml").unwrap();
    let sovereign::policy::types::Check::Origin(o) = &p.rules[0].checks[0] else { panic!() };
    assert!(o.deny.contains("NO") && o.deny.contains("SE") && !o.deny.contains("DK"));
}
