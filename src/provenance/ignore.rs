//! A small `.gitignore` matcher: the patterns of every `.gitignore` in the tree plus configured excludes.
//!
//! Supported: comments, blank lines, `!` negation, trailing `/` (directories only), leading or inner `/`
//! (anchored to the `.gitignore`'s directory), `*`, `?`, `**`, `[abc]` / `[a-z]` / `[!a]`. As in git, a
//! file inside an ignored directory stays ignored whatever a later negation says.

/// One pattern, anchored to a base directory (`""` for the root).
#[derive(Debug, Clone)]
struct Rule {
    base: String,
    pattern: Vec<u8>,
    negated: bool,
    dir_only: bool,
    anchored: bool,
}

/// The ignore rules of a tree.
#[derive(Debug, Clone, Default)]
pub struct Ignore {
    rules: Vec<Rule>,
}

/// Patterns never worth reading for provenance: virtual environments and caches of installed packages.
pub const DEFAULT_EXCLUDES: &[&str] =
    &[".venv/", "venv/", ".tox/", "__pycache__/", ".mypy_cache/", "site-packages/", ".pytest_cache/"];

impl Ignore {
    /// Adds the lines of a `.gitignore` (or configured excludes) that applies under `base`.
    pub fn add(&mut self, base: &str, text: &str) {
        for line in text.lines() {
            let line = line.trim_end_matches('\r');
            let line = trim_unescaped_trailing_spaces(line);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (negated, line) = match line.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, line.strip_prefix('\\').unwrap_or(line)),
            };
            let (dir_only, line) = match line.strip_suffix('/') {
                Some(rest) => (true, rest),
                None => (false, line),
            };
            let anchored = line.contains('/');
            let line = line.strip_prefix('/').unwrap_or(line);
            if line.is_empty() {
                continue;
            }
            self.rules.push(Rule {
                base: base.to_string(),
                pattern: line.as_bytes().to_vec(),
                negated,
                dir_only,
                anchored,
            });
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether the file at `path` (relative to the root, `/`-separated) is ignored, itself or through
    /// one of its directories.
    pub fn is_ignored(&self, path: &str) -> bool {
        if self.rules.is_empty() {
            return false;
        }
        let mut end = 0;
        loop {
            match path[end..].find('/') {
                Some(i) => {
                    let dir = &path[..end + i];
                    if self.matches(dir, true) {
                        return true;
                    }
                    end += i + 1;
                }
                None => return self.matches(path, false),
            }
        }
    }

    /// The last matching rule decides.
    fn matches(&self, path: &str, is_dir: bool) -> bool {
        let mut ignored = false;
        for r in &self.rules {
            if r.dir_only && !is_dir {
                continue;
            }
            let rel = if r.base.is_empty() {
                path
            } else {
                match path.strip_prefix(r.base.as_str()).and_then(|p| p.strip_prefix('/')) {
                    Some(p) => p,
                    None => continue,
                }
            };
            let hit = if r.anchored {
                glob(&r.pattern, rel.as_bytes())
            } else {
                let name = rel.rsplit('/').next().unwrap_or(rel);
                glob(&r.pattern, name.as_bytes())
            };
            if hit {
                ignored = !r.negated;
            }
        }
        ignored
    }
}

fn trim_unescaped_trailing_spaces(line: &str) -> &str {
    let trimmed = line.trim_end_matches(' ');
    if trimmed.ends_with('\\') && trimmed.len() < line.len() {
        &line[..trimmed.len() + 1]
    } else {
        trimmed
    }
}

/// Glob match where `*` and `?` stop at `/`, and `**` crosses directories. Iterative with backtracking
/// over at most one star position at a time per segment kind, bounded by pattern × text.
fn glob(pat: &[u8], text: &[u8]) -> bool {
    // Dynamic programming over (pattern index, text index): O(p·t), no recursion.
    let (p, t) = (pat.len(), text.len());
    let mut cur = vec![false; t + 1];
    cur[0] = true;
    let mut i = 0;
    while i < p {
        let mut next = vec![false; t + 1];
        let c = pat[i];
        let mut step = 1;
        if c == b'*' && pat.get(i + 1) == Some(&b'*') {
            step = 2;
            // `**/` also matches zero directories.
            let slash_follows = pat.get(i + 2) == Some(&b'/');
            if slash_follows {
                step = 3;
            }
            let mut reach = false;
            for j in 0..=t {
                reach |= cur[j];
                if reach {
                    // `**/` may only end right after a `/` (or consume nothing).
                    if !slash_follows || cur[j] || (j > 0 && text[j - 1] == b'/') {
                        next[j] = true;
                    }
                }
            }
        } else if c == b'*' {
            let mut reach = false;
            for j in 0..=t {
                if cur[j] {
                    reach = true;
                }
                if reach {
                    next[j] = true;
                }
                if j < t && text[j] == b'/' {
                    reach = false;
                }
            }
        } else if c == b'[' {
            let (class, len) = parse_class(&pat[i..]);
            step = len;
            for j in 0..t {
                if cur[j]
                    && text[j] != b'/'
                    && class.as_ref().map_or(text[j] == b'[', |cl| cl.matches(text[j]))
                {
                    next[j + 1] = true;
                }
            }
        } else {
            let lit = if c == b'\\' && i + 1 < p {
                step = 2;
                pat[i + 1]
            } else {
                c
            };
            for j in 0..t {
                if cur[j] && ((c == b'?' && text[j] != b'/') || (c != b'?' && text[j] == lit)) {
                    next[j + 1] = true;
                }
            }
        }
        cur = next;
        i += step;
    }
    cur[t]
}

struct Class {
    negated: bool,
    ranges: Vec<(u8, u8)>,
}

impl Class {
    fn matches(&self, b: u8) -> bool {
        self.ranges.iter().any(|&(lo, hi)| lo <= b && b <= hi) != self.negated
    }
}

/// Parses `[...]` at the start of `pat`; `None` (a literal `[`) when it is not closed.
fn parse_class(pat: &[u8]) -> (Option<Class>, usize) {
    let mut i = 1;
    let negated = matches!(pat.get(1), Some(b'!') | Some(b'^'));
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let start = i;
    while i < pat.len() {
        if pat[i] == b']' && i > start {
            return (Some(Class { negated, ranges }), i + 1);
        }
        let lo = pat[i];
        if pat.get(i + 1) == Some(&b'-') && pat.get(i + 2).is_some_and(|&c| c != b']') {
            ranges.push((lo, pat[i + 2]));
            i += 3;
        } else {
            ranges.push((lo, lo));
            i += 1;
        }
    }
    (None, 1)
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
        assert!(glob(b"a/*.py", b"a/x.py"));
        assert!(!glob(b"a/*.py", b"a/b/x.py"));
        assert!(glob(b"a/**/x.py", b"a/x.py"));
        assert!(glob(b"a/**/x.py", b"a/b/c/x.py"));
        assert!(glob(b"**/x.py", b"x.py"));
        assert!(!glob(b"[", b"a"));
    }
}
