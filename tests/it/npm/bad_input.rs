//! Bad input: truncated, too deep, unterminated, unknown versions, alias bombs, invalid UTF-8.

use sovereign::model::{ComponentKind, EdgeKind, Scope};

use super::{comp, e, edges};
use crate::support::{cdx, scan_dir, validate_cdx, write_files};
use sovereign::model::Severity;

use super::packages_lock;
use super::pnpm::{PNPM_V5, PNPM_V6, PNPM_V9};
use super::yarn::BERRY_LOCK;

#[test]
fn bad_input_is_diagnosed_with_file_and_line_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    // 200 levels of nested v1 `dependencies`, each package requiring the next.
    let mut deep = String::from(r#"{"version":"1.0.0"}"#);
    for i in (0..200).rev() {
        deep = format!(
            "{{\"version\":\"1.0.0\",\"requires\":{{\"p{}\":\"1\"}},\"dependencies\":{{\"p{}\":{deep}}}}}",
            i + 1,
            i + 1
        );
        if i == 0 {
            deep = format!("{{\"name\":\"deep\",\"lockfileVersion\":1,\"dependencies\":{{\"p0\":{deep}}}}}");
        }
    }
    // Put each level on its own line so the diagnostic's line says which level was cut.
    let deep = deep.replace("\"dependencies\":{", "\n\"dependencies\":{");
    let bomb = "a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\nlockfileVersion: '9.0'\n";
    // Deep JSON: within the reader's 1024 levels (read, then dropped), and far beyond (refused at a line).
    let nested = |n: usize| format!("{{\"name\":\"nest{n}\",\"x\":{}{}}}", "[".repeat(n), "]".repeat(n));
    let (within, beyond) = (nested(1000), nested(100_000));
    write_files(
        dir.path(),
        &[
            ("nest/within/package.json", &within),
            ("nest/beyond/package.json", &beyond),
            ("truncated/package.json", r#"{"name":"truncated","version":"1.0.0","dependencies":{"a":"^1"}}"#),
            ("truncated/package-lock.json", "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {\n      \"name\": \"truncated\""),
            ("deep/package-lock.json", &deep),
            ("yarnbad/package.json", r#"{"name":"yarnbad","version":"1.0.0","dependencies":{"ok":"^1.0.0"}}"#),
            (
                "yarnbad/yarn.lock",
                "# yarn lockfile v1\n\n\"broken@^1.0.0:\n  version \"1.0.0\"\n\nok@^1.0.0:\n  version \"1.0.0\"\n  resolved \"https://registry.yarnpkg.com/ok/-/ok-1.0.0.tgz\"\n\ncut@^2.0.0:\n  resolved \"https://registry.yarnpkg.com/cut/-/cut-2.0.0.tgz\"\n",
            ),
            (
                "pnpmnew/pnpm-lock.yaml",
                "\nlockfileVersion: '42.0'\n\nimporters:\n\n  .:\n    dependencies:\n      left-pad:\n        specifier: ^1.3.0\n        version: 1.3.0\n\npackages:\n\n  left-pad@1.3.0:\n    resolution: {integrity: sha512-AAAA}\n\nsnapshots:\n\n  left-pad@1.3.0: {}\n",
            ),
            ("bomb/pnpm-lock.yaml", bomb),
            ("badjson/package.json", "{\"name\": \"x\",\n\"version\": 1.0.0}"),
            ("healthy/package.json", r#"{"name":"healthy","version":"1.0.0","dependencies":{"q":"^1"}}"#),
            (
                "healthy/package-lock.json",
                r#"{"lockfileVersion":3,"packages":{"":{"name":"healthy","version":"1.0.0","dependencies":{"q":"^1"}},"node_modules/q":{"version":"1.2.3"}}}"#,
            ),
        ],
    );
    std::fs::create_dir_all(dir.path().join("latin1")).unwrap();
    std::fs::write(dir.path().join("latin1/yarn.lock"), b"caf\xe9@^1:\n  version \"1\"\n").unwrap();
    let inv = scan_dir(dir.path());
    let find = |code: &str, path: &str| {
        inv.diagnostics
            .iter()
            .find(|d| d.code == code && d.location.as_ref().is_some_and(|l| l.path == path))
            .unwrap_or_else(|| panic!("no {code} for {path}: {:#?}", inv.diagnostics))
    };
    let line = |code: &str, path: &str| find(code, path).location.as_ref().unwrap().line;
    assert_eq!(line("invalid-lockfile", "truncated/package-lock.json"), Some(5));
    // The lockfile lost, its package.json still gives the project and its declared dependency.
    assert_eq!(comp(&inv, "truncated@1.0.0").kind, ComponentKind::Application);
    assert_eq!(comp(&inv, "a@?").requirement.as_deref(), Some("^1"));
    // The deep lock: the first 128 levels (p0..p127) are kept; the cut is reported at the line of
    // p127's own `dependencies` (line 2 holds the top-level `dependencies`, p_k's is on line k + 3).
    assert_eq!(line("lockfile-too-deep", "deep/package-lock.json"), Some(130));
    let deep_pkgs = inv
        .components
        .iter()
        .filter(|c| c.name.starts_with('p') && c.name[1..].parse::<u32>().is_ok())
        .count();
    assert_eq!(deep_pkgs, 128);
    // yarn.lock: the unterminated header is an error at its line, the block without a version a warning;
    // the good block is kept.
    assert_eq!(line("invalid-lockfile", "yarnbad/yarn.lock"), Some(3));
    assert_eq!(line("incomplete-lock-entry", "yarnbad/yarn.lock"), Some(10));
    assert!(comp(&inv, "ok@1.0.0").direct);
    // pnpm: an unknown lockfileVersion is read best-effort with a warning at its line.
    assert_eq!(line("unknown-lockfile-version", "pnpmnew/pnpm-lock.yaml"), Some(2));
    assert_eq!(comp(&inv, "left-pad@1.3.0").scope, Scope::Runtime);
    // An alias bomb is refused, not expanded.
    assert_eq!(find("invalid-lockfile", "bomb/pnpm-lock.yaml").severity, Severity::Error);
    assert_eq!(line("invalid-json", "badjson/package.json"), Some(2));
    assert_eq!(line("invalid-json", "nest/beyond/package.json"), Some(1));
    assert_eq!(comp(&inv, "nest1000@?").kind, ComponentKind::Application);
    assert_eq!(line("invalid-utf8", "latin1/yarn.lock"), Some(1));
    // And the healthy project beside them is complete.
    assert!(edges(&inv).contains(&e("healthy@1.0.0", "q@1.2.3", EdgeKind::Normal)));
    validate_cdx(&cdx(&inv), "npm_bad_input");
}

#[test]
fn unresolvable_references_are_reported_at_their_line() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[(
            "package-lock.json",
            "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": { \"name\": \"r\", \"version\": \"1.0.0\" },\n    \"node_modules/a\": {\n      \"version\": \"1.0.0\",\n      \"dependencies\": {\n        \"missing\": \"^1\"\n      }\n    }\n  }\n}\n",
        )],
    );
    let inv = scan_dir(dir.path());
    let d = inv.diagnostics.iter().find(|d| d.code == "unresolved-lock-reference").expect("diagnostic");
    assert_eq!(d.location.as_ref().unwrap().line, Some(8));
    assert!(d.message.contains("missing"));
}

/// Every prefix of every fixture lockfile (a file cut anywhere) is read without a panic: an error
/// diagnostic with a line, or a partial result.
#[test]
fn every_truncation_is_read_without_panic() {
    use sovereign::resolve::npm::{package_lock, pnpm, yarn};
    let dir = tempfile::tempdir().unwrap();
    let tree = sovereign::source::SourceTree::walk(dir.path());
    let boundaries = |s: &str| (0..=s.len()).filter(|&i| s.is_char_boundary(i)).collect::<Vec<_>>();
    let v3 = packages_lock(3);
    for i in boundaries(&v3) {
        let mut d = Vec::new();
        if let Err(diag) = package_lock::read(&v3[..i], "package-lock.json", &tree, None, &mut d) {
            assert!(diag.location.as_ref().and_then(|l| l.line).is_some(), "cut at {i}: {diag}");
        }
    }
    for lock in [BERRY_LOCK] {
        for i in boundaries(lock) {
            let mut d = Vec::new();
            let parsed = yarn::parse(&lock[..i], "yarn.lock", &mut d);
            yarn::graph(&parsed, "yarn.lock", &[], &mut d);
        }
    }
    // YAML parsing is slower: every 7th byte.
    for lock in [PNPM_V9, PNPM_V6, PNPM_V5] {
        for i in boundaries(lock).into_iter().step_by(7) {
            let mut d = Vec::new();
            let _ = pnpm::read(&lock[..i], "pnpm-lock.yaml", &tree, &mut d);
        }
    }
}
