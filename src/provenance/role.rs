//! The role of a path in the tree: test, example or documentation material, by the conventions of the
//! ecosystems (`tests/`, `__tests__/`, `__snapshots__/`, `testdata/`, `src/test/`, `examples/`, `docs/`,
//! `*_test.go`, `test_*.py`, `*.spec.ts` …) and by `.gitattributes` (`linguist-documentation`,
//! `linguist-vendored`, `export-ignore`).
//!
//! Components found only there get the scope `test`, `example` or `docs` (CycloneDX `scope: excluded`):
//! they stay in the SBOM, and policies judge them only when they name those scopes.

use super::ignore::Ignore;
use crate::model::Scope;

/// Directory names of test material (compared case-insensitively).
const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "__test__",
    "testdata",
    "test_data",
    "test-data",
    "testcases",
    "test_cases",
    "spec",
    "specs",
    "__snapshots__",
    "snapshots",
    "fixtures",
    "__fixtures__",
    "fixture",
    "__mocks__",
    "mocks",
    "e2e",
    "bench",
    "benches",
    "benchmark",
    "benchmarks",
];

/// Directory names of examples, samples and demos.
const EXAMPLE_DIRS: &[&str] = &[
    "example",
    "examples",
    "sample",
    "samples",
    "demo",
    "demos",
    "_example",
    "_examples",
    "cookbook",
    "cookbooks",
    "tutorial",
    "tutorials",
];

/// Prefixes and suffixes of example directory names (`web_demo`, `streamlit-demo`, `demo_app`).
const EXAMPLE_AFFIXES: &[&str] = &["demo", "example", "examples"];

/// Directory names of documentation trees.
const DOCS_DIRS: &[&str] = &["doc", "docs", "documentation", "_docs"];

fn dir_role(seg: &str) -> Option<Scope> {
    let is = |list: &[&str]| list.iter().any(|d| d.eq_ignore_ascii_case(seg));
    if is(TEST_DIRS) {
        Some(Scope::Test)
    } else if is(EXAMPLE_DIRS) || example_affix(seg) {
        Some(Scope::Example)
    } else if is(DOCS_DIRS) {
        Some(Scope::Docs)
    } else {
        None
    }
}

/// `gradio_demo`, `demo-app`, `web_demo_streaming`: one of the words of a `_`/`-` separated name.
fn example_affix(seg: &str) -> bool {
    let l = seg.to_ascii_lowercase();
    l.contains(['_', '-']) && l.split(['_', '-']).any(|w| EXAMPLE_AFFIXES.contains(&w))
}

/// The role a file name alone gives (`foo_test.go`, `test_foo.py`, `foo.test.ts`, `FooTest.java`).
fn file_role(name: &str) -> Option<Scope> {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    let test = match ext {
        "go" => stem.ends_with("_test"),
        "py" => stem.starts_with("test_") || stem.ends_with("_test") || stem == "conftest",
        "js" | "jsx" | "ts" | "tsx" | "mjs" | "cjs" => {
            [".test", ".spec", ".e2e", ".bench"].iter().any(|s| stem.ends_with(s))
        }
        "java" | "kt" | "scala" | "cs" => {
            stem.len() > 4 && (stem.ends_with("Test") || stem.ends_with("Tests") || stem.ends_with("IT"))
        }
        "rb" => stem.ends_with("_spec") || stem.ends_with("_test"),
        "snap" => true,
        _ => false,
    };
    test.then_some(Scope::Test)
}

/// The role of a path by naming conventions alone: the first directory that has one, else the file
/// name's. `None`: runtime material as far as the path tells.
pub fn by_convention(path: &str) -> Option<Scope> {
    let mut segs = path.split('/').peekable();
    while let Some(seg) = segs.next() {
        if segs.peek().is_none() {
            return file_role(seg);
        }
        if let Some(r) = dir_role(seg) {
            return Some(r);
        }
    }
    None
}

/// Path roles for one tree: conventions plus the tree's `.gitattributes`.
#[derive(Default)]
pub struct Roles {
    docs: Ignore,
    export_ignore: Ignore,
    vendored: Ignore,
}

impl Roles {
    /// Adds one `.gitattributes` file found in directory `base`.
    pub fn add_gitattributes(&mut self, base: &str, text: &str) {
        let (mut docs, mut export, mut vendored) = (String::new(), String::new(), String::new());
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("[attr]") {
                continue;
            }
            let mut parts = line.split_whitespace();
            let Some(pattern) = parts.next() else { continue };
            for attr in parts {
                let (name, on) = match attr.split_once('=') {
                    Some((n, v)) => (n, !matches!(v, "false" | "0")),
                    None => match attr.strip_prefix(['-', '!']) {
                        Some(n) => (n, false),
                        None => (attr, true),
                    },
                };
                let target = match name {
                    "linguist-documentation" => &mut docs,
                    "export-ignore" => &mut export,
                    "linguist-vendored" => &mut vendored,
                    _ => continue,
                };
                if !on {
                    target.push('!');
                }
                target.push_str(pattern);
                target.push('\n');
            }
        }
        self.docs.add(base, &docs);
        self.export_ignore.add(base, &export);
        self.vendored.add(base, &vendored);
    }

    /// The role of a file: a path convention first, then `linguist-documentation` (docs) and
    /// `export-ignore` (left out of release archives: development material, counted as test).
    pub fn of(&self, path: &str) -> Option<Scope> {
        by_convention(path).or_else(|| {
            if !self.docs.is_empty() && self.docs.is_ignored(path) {
                Some(Scope::Docs)
            } else if !self.export_ignore.is_empty() && self.export_ignore.is_ignored(path) {
                Some(Scope::Test)
            } else {
                None
            }
        })
    }

    /// Whether `.gitattributes` marks a path `linguist-vendored`.
    pub fn is_vendored(&self, path: &str) -> bool {
        !self.vendored.is_empty() && self.vendored.is_ignored(path)
    }
}

/// The scope of a component found at these paths: runtime when any path has no role, else the
/// strongest role (test over example over docs).
pub fn scope_of<'a>(roles: &Roles, paths: impl IntoIterator<Item = &'a str>) -> Scope {
    let mut best: Option<Scope> = None;
    for p in paths {
        match roles.of(p) {
            None => return Scope::Runtime,
            Some(r) => best = Some(best.map_or(r, |b| b.max(r))),
        }
    }
    best.unwrap_or(Scope::Runtime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conventions() {
        assert_eq!(by_convention("tests/it/main.rs"), Some(Scope::Test));
        assert_eq!(by_convention("src/__tests__/a.test.js"), Some(Scope::Test));
        assert_eq!(by_convention("pkg/x/testdata/model.json"), Some(Scope::Test));
        assert_eq!(by_convention("core/src/test/java/a/B.java"), Some(Scope::Test));
        assert_eq!(by_convention("ui/__snapshots__/x.snap"), Some(Scope::Test));
        assert_eq!(by_convention("server/handler_test.go"), Some(Scope::Test));
        assert_eq!(by_convention("pkg/test_models.py"), Some(Scope::Test));
        assert_eq!(by_convention("web/app.spec.ts"), Some(Scope::Test));
        assert_eq!(by_convention("examples/chat/run.py"), Some(Scope::Example));
        assert_eq!(by_convention("Docs/guide.md"), Some(Scope::Docs));
        assert_eq!(by_convention("streamlit_demo/app.py"), Some(Scope::Example));
        assert_eq!(by_convention("cookbooks/a.ipynb"), Some(Scope::Example));
        assert_eq!(by_convention("src/demographics/a.py"), None);
        assert_eq!(by_convention("web_demo_streaming/app.py"), Some(Scope::Example));
        assert_eq!(by_convention("src/demo_utils/a.py"), Some(Scope::Example));
        assert_eq!(by_convention("src/pseudo_random/a.py"), None);
        assert_eq!(by_convention("src/testing.rs"), None);
        assert_eq!(by_convention("src/latest/contest.py"), None);
        assert_eq!(by_convention("tests"), None);
        assert_eq!(by_convention("examples"), None);
        assert_eq!(by_convention("src/model.py"), None);
    }

    #[test]
    fn gitattributes() {
        let mut r = Roles::default();
        r.add_gitattributes(
            "",
            "# comment\n\
             guide/** linguist-documentation\n\
             /ci export-ignore\n\
             lib/jquery.js linguist-vendored\n\
             lib/ours.js -linguist-vendored\n\
             site/** linguist-documentation=false\n",
        );
        assert_eq!(r.of("guide/intro.md"), Some(Scope::Docs));
        assert_eq!(r.of("ci/run.sh"), Some(Scope::Test));
        assert_eq!(r.of("src/main.py"), None);
        assert_eq!(r.of("site/index.html"), None);
        assert!(r.is_vendored("lib/jquery.js"));
        assert!(!r.is_vendored("lib/ours.js"));
        assert_eq!(scope_of(&r, ["tests/a.py", "examples/b.py"]), Scope::Test);
        assert_eq!(scope_of(&r, ["tests/a.py", "src/b.py"]), Scope::Runtime);
    }
}
