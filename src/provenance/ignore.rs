//! `.gitignore` matching with git's semantics, on the `ignore` crate's compiled matchers (ripgrep's).
//!
//! One [`Gitignore`] (a compiled `globset`) per directory that holds rules. A path is decided the way git
//! walks a tree: each of its directories from the top, then the file; at each step the deepest
//! `.gitignore` with a matching pattern decides (its last matching line), then the shallower ones. As in
//! git, a file inside an ignored directory stays ignored whatever a later negation says.
//!
//! Supported: comments, blank lines, `!` negation, trailing `/` (directories only), leading or inner `/`
//! (anchored to the `.gitignore`'s directory), `*`, `?`, `**`, `[abc]` / `[a-z]` / `[!a]`, `\` escapes.
//! A line that is not a valid glob is ignored, as git does.

use std::collections::HashMap;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

/// The rules of one directory: their lines (kept to rebuild when more are added) and the compiled matcher.
#[derive(Debug, Clone)]
struct DirRules {
    lines: Vec<String>,
    matcher: Gitignore,
}

/// The ignore rules of a tree.
#[derive(Debug, Clone, Default)]
pub struct Ignore {
    /// By base directory (`""` for the root).
    dirs: HashMap<String, DirRules>,
}

/// Patterns never worth reading for provenance: virtual environments and caches of installed packages.
pub const DEFAULT_EXCLUDES: &[&str] =
    &[".venv/", "venv/", ".tox/", "__pycache__/", ".mypy_cache/", "site-packages/", ".pytest_cache/"];

impl Ignore {
    /// Adds the lines of a `.gitignore` (or configured excludes) that applies under `base`. Lines added
    /// later for the same base take precedence over earlier ones (so configured excludes added first
    /// have the lowest precedence, like git's `core.excludesFile`).
    pub fn add(&mut self, base: &str, text: &str) {
        let new: Vec<String> = text
            .lines()
            .map(|l| l.trim_end_matches('\r'))
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect();
        if new.is_empty() {
            return;
        }
        let entry = self
            .dirs
            .entry(base.to_string())
            .or_insert_with(|| DirRules { lines: Vec::new(), matcher: Gitignore::empty() });
        entry.lines.extend(new);
        // Root `.`: paths are given relative to the base already, nothing is stripped from them.
        let mut b = GitignoreBuilder::new(".");
        for line in &entry.lines {
            // An invalid glob is skipped (git ignores a pattern it cannot use).
            let _ = b.add_line(None, line);
        }
        entry.matcher = b.build().unwrap_or_else(|_| Gitignore::empty());
    }

    pub fn is_empty(&self) -> bool {
        self.dirs.is_empty()
    }

    /// Whether the file at `path` (relative to the root, `/`-separated) is ignored, itself or through
    /// one of its directories.
    pub fn is_ignored(&self, path: &str) -> bool {
        if self.dirs.is_empty() {
            return false;
        }
        let mut end = 0;
        loop {
            match path[end..].find('/') {
                Some(i) => {
                    if self.decide(&path[..end + i], true) {
                        return true;
                    }
                    end += i + 1;
                }
                None => return self.decide(path, false),
            }
        }
    }

    /// Whether `path` itself is ignored: the deepest directory with a matching rule decides.
    fn decide(&self, path: &str, is_dir: bool) -> bool {
        let mut base_end = path.len();
        loop {
            let (base, rel) = match path[..base_end].rfind('/') {
                Some(i) => (&path[..i], &path[i + 1..]),
                None => ("", path),
            };
            if let Some(d) = self.dirs.get(base) {
                match d.matcher.matched(rel, is_dir) {
                    Match::Ignore(_) => return true,
                    Match::Whitelist(_) => return false,
                    Match::None => {}
                }
            }
            if base.is_empty() {
                return false;
            }
            base_end = base.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ig(base: &str, text: &str) -> Ignore {
        let mut i = Ignore::default();
        i.add(base, text);
        i
    }

    #[test]
    fn gitignore_semantics() {
        let i = ig("", "target/\n*.log\n/build\ndocs/**/gen\n!keep.log\n");
        assert!(i.is_ignored("target/debug/x.rs"));
        assert!(i.is_ignored("crates/a/target/x"));
        assert!(!i.is_ignored("src/target.rs"), "dir-only pattern must not match a file");
        assert!(i.is_ignored("a/b/c.log"));
        assert!(!i.is_ignored("a/keep.log"));
        assert!(i.is_ignored("build/out.o"));
        assert!(!i.is_ignored("src/build/out.o"), "anchored pattern");
        assert!(i.is_ignored("docs/gen/x"));
        assert!(i.is_ignored("docs/a/b/gen/x"));
        assert!(!i.is_ignored("src/main.rs"));
    }

    #[test]
    fn nested_gitignore_and_classes() {
        let i = ig("sub", "[ab]?.txt\n");
        assert!(i.is_ignored("sub/a1.txt"));
        assert!(i.is_ignored("sub/deep/b2.txt"));
        assert!(!i.is_ignored("a1.txt"));
        assert!(!i.is_ignored("sub/c1.txt"));
    }

    #[test]
    fn star_does_not_cross_slash() {
        let one = |pat: &str, path: &str| ig("", pat).is_ignored(path);
        assert!(one("a/*.py", "a/x.py"));
        assert!(!one("a/*.py", "a/b/x.py"));
        assert!(one("a/**/x.py", "a/x.py"));
        assert!(one("a/**/x.py", "a/b/c/x.py"));
        assert!(one("**/x.py", "x.py"));
        assert!(!one("[", "a"));
    }

    #[test]
    fn deeper_gitignore_wins_and_ignored_dirs_stay_ignored() {
        let mut i = Ignore::default();
        i.add("", "*.gen\nout/\n");
        i.add("lib", "!keep.gen\n");
        // Sorted before the root `.gitignore` by path; still deeper, so still the one that decides.
        i.add("-x", "!*.gen\n");
        assert!(i.is_ignored("a.gen"));
        assert!(!i.is_ignored("lib/keep.gen"));
        assert!(i.is_ignored("lib/other.gen"));
        assert!(!i.is_ignored("-x/y.gen"));
        i.add("out", "!*\n");
        assert!(i.is_ignored("out/a.txt"), "a negation inside an ignored directory re-includes nothing");
    }
    /// The matcher agrees with git itself (`git ls-files -o -i --exclude-standard`) on a tree with nested
    /// `.gitignore` files and tricky patterns. Skipped when git is not installed.
    #[test]
    fn agrees_with_git() {
        use std::process::Command;
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let write = |rel: &str, text: &str| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        let gitignores = [
            (
                "",
                "# comment\n*.log\n!important.log\n/build\nout/\ndocs/**/gen\n**/cache\na?c.txt\n[bc]at.md\n\
                 [!x]y.dat\n\\#hash\n\\!bang\nvendor/*\n!vendor/keep/\nfoo/**\n*.tmp\n!/lib/*.tmp\n\
                 deep/*/x.txt\nspace\\ \ntrail   \n*.o\r\n",
            ),
            ("sub", "!*.log\n/local.txt\n*.dat\n!keep/\n"),
            ("sub/inner", "*.txt\n!ok.txt\n"),
            ("out", "!*\n"),
            ("-x", "!*.tmp\n"),
        ];
        for (dir, text) in gitignores {
            write(&if dir.is_empty() { ".gitignore".to_string() } else { format!("{dir}/.gitignore") }, text);
        }
        let files = [
            "a.log",
            "important.log",
            "x/important.log",
            "x/a.log",
            "build/o",
            "x/build/o",
            "build.rs",
            "out/a.rs",
            "out/in/b.rs",
            "x/out/c.rs",
            "docs/gen/a",
            "docs/x/y/gen/b",
            "docs/gen.md",
            "cache/a",
            "x/y/cache/b",
            "abc.txt",
            "a/c.txt",
            "abbc.txt",
            "bat.md",
            "cat.md",
            "dat.md",
            "yy.dat",
            "xy.dat",
            "#hash",
            "!bang",
            "hash",
            "vendor/a.c",
            "vendor/keep/b.c",
            "vendor/keep/c/d.c",
            "foo/a",
            "foo/b/c",
            "foo.txt",
            "a.tmp",
            "lib/b.tmp",
            "lib/x/c.tmp",
            "deep/a/x.txt",
            "deep/a/b/x.txt",
            "space ",
            "space",
            "trail",
            "m.o",
            "sub/a.log",
            "sub/local.txt",
            "sub/x/local.txt",
            "sub/a.dat",
            "sub/keep/a.dat",
            "sub/inner/a.txt",
            "sub/inner/ok.txt",
            "sub/inner/z.log",
            "-x/a.tmp",
            "src/main.rs",
        ];
        for f in files {
            write(f, "x");
        }
        let git = |args: &[&str]| {
            Command::new("git")
                .args(args)
                .current_dir(root)
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("HOME", root)
                .env("XDG_CONFIG_HOME", root)
                .output()
        };
        match git(&["init", "-q"]) {
            Ok(o) if o.status.success() => {}
            _ => {
                eprintln!("SKIPPED: git is not available");
                return;
            }
        }
        let out = git(&["ls-files", "-o", "-i", "--exclude-standard", "-z"]).unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let by_git: std::collections::BTreeSet<String> = String::from_utf8(out.stdout)
            .unwrap()
            .split('\0')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let mut i = Ignore::default();
        for (dir, text) in gitignores {
            i.add(dir, text);
        }
        let all: Vec<String> = files
            .iter()
            .map(|f| f.to_string())
            .chain(gitignores.iter().map(|(d, _)| {
                if d.is_empty() {
                    ".gitignore".to_string()
                } else {
                    format!("{d}/.gitignore")
                }
            }))
            .collect();
        let mut differ = Vec::new();
        for f in &all {
            if i.is_ignored(f) != by_git.contains(f) {
                differ.push(format!("{f}: git {}", by_git.contains(f)));
            }
        }
        assert!(differ.is_empty(), "differs from git: {differ:?}");
        assert!(by_git.len() > 20, "the fixture ignores little: {by_git:?}");
    }
}
