//! `go.mod` and `go.work`: one line-oriented reader for both (directives, `( … )` blocks, quoted strings,
//! `//` comments), as the Go command's modfile grammar describes them.

use crate::model::Diagnostic;

/// `require path version [// indirect]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Require {
    pub path: String,
    pub version: String,
    pub indirect: bool,
    pub line: u32,
}

/// `replace old [version] => new [version]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replace {
    pub old_path: String,
    pub old_version: Option<String>,
    pub new_path: String,
    /// `None` for a local directory replacement.
    pub new_version: Option<String>,
    pub line: u32,
}

impl Replace {
    /// A replacement by a directory (`./x`, `../x`, `/abs`), not by another module.
    pub fn is_local(&self) -> bool {
        is_local_path(&self.new_path)
    }
}

pub fn is_local_path(p: &str) -> bool {
    p.starts_with("./")
        || p.starts_with("../")
        || p.starts_with('/')
        || p == "."
        || p == ".."
        || p.starts_with(".\\")
        || p.starts_with("..\\")
}

/// A parsed `go.mod` or `go.work`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModFile {
    pub module: Option<(String, u32)>,
    pub go: Option<String>,
    pub toolchain: Option<String>,
    pub requires: Vec<Require>,
    pub excludes: Vec<(String, String, u32)>,
    pub replaces: Vec<Replace>,
    /// Retracted versions or ranges, as written (`v1.0.1`, `[v1.0.0, v1.0.5]`).
    pub retracts: Vec<(String, u32)>,
    /// `use` directories (go.work).
    pub uses: Vec<(String, u32)>,
}

/// Splits a line into tokens (quoted strings unquoted) and its trailing `//` comment.
fn tokenize(line: &str) -> Result<(Vec<String>, Option<String>), String> {
    let mut tokens = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if line[i..].starts_with("//") {
            return Ok((tokens, Some(line[i + 2..].trim().to_string())));
        }
        if c == '"' || c == '`' {
            chars.next();
            let mut s = String::new();
            let mut closed = false;
            while let Some((_, d)) = chars.next() {
                if d == c {
                    closed = true;
                    break;
                }
                if d == '\\' && c == '"' {
                    if let Some((_, e)) = chars.next() {
                        s.push(e);
                    }
                    continue;
                }
                s.push(d);
            }
            if !closed {
                return Err("unterminated quoted string".into());
            }
            tokens.push(s);
            continue;
        }
        let start = i;
        let mut end = line.len();
        while let Some(&(j, d)) = chars.peek() {
            if d.is_whitespace() || line[j..].starts_with("//") {
                end = j;
                break;
            }
            chars.next();
        }
        let tok = &line[start..end];
        // `(` and `)` and `=>` stand alone in the grammar but may touch other tokens.
        tokens.push(tok.to_string());
    }
    Ok((tokens, None))
}

/// Parses a `go.mod` or `go.work`. Bad lines become warnings (file and line) and are skipped.
pub fn parse(text: &str, path: &str, diags: &mut Vec<Diagnostic>) -> ModFile {
    let mut m = ModFile::default();
    let mut block: Option<(String, u32)> = None;
    let warn = |diags: &mut Vec<Diagnostic>, line: u32, msg: String| {
        diags.push(Diagnostic::warning("invalid-go-mod", msg).at(path, Some(line)));
    };
    for (i, raw) in text.lines().enumerate() {
        let line = i as u32 + 1;
        let (mut tokens, comment) = match tokenize(raw) {
            Ok(t) => t,
            Err(e) => {
                warn(diags, line, e);
                continue;
            }
        };
        if tokens.is_empty() {
            continue;
        }
        let verb = if let Some((b, _)) = &block {
            if tokens.len() == 1 && tokens[0] == ")" {
                block = None;
                continue;
            }
            b.clone()
        } else {
            let v = tokens.remove(0);
            if tokens.len() == 1 && tokens[0] == "(" {
                block = Some((v, line));
                continue;
            }
            if tokens.first().is_some_and(|t| t == "(") && tokens.len() > 1 {
                // `require ( x v1 )` on one line is not valid either.
                warn(diags, line, format!("`{v} (` must end its line"));
                continue;
            }
            v
        };
        let indirect = comment.as_deref().is_some_and(|c| c == "indirect" || c.starts_with("indirect;"));
        match verb.as_str() {
            "module" => match tokens.as_slice() {
                [p] => m.module = Some((p.clone(), line)),
                _ => warn(diags, line, "`module` takes one module path".into()),
            },
            "go" => m.go = tokens.first().cloned(),
            "toolchain" => m.toolchain = tokens.first().cloned(),
            "require" => match tokens.as_slice() {
                [p, v] if valid_path(p) && valid_version(v) => {
                    m.requires.push(Require { path: p.clone(), version: v.clone(), indirect, line })
                }
                _ => warn(diags, line, "`require` takes a module path and a version".into()),
            },
            "exclude" => match tokens.as_slice() {
                [p, v] if valid_path(p) && valid_version(v) => m.excludes.push((p.clone(), v.clone(), line)),
                _ => warn(diags, line, "`exclude` takes a module path and a version".into()),
            },
            "replace" => match replace(&tokens, line) {
                Some(r) => m.replaces.push(r),
                None => warn(diags, line, "`replace` is `old [version] => new [version]`".into()),
            },
            "retract" => {
                let text = tokens.join(" ");
                if text.is_empty() {
                    warn(diags, line, "`retract` needs a version or a range".into());
                } else {
                    m.retracts.push((text, line));
                }
            }
            "use" => match tokens.as_slice() {
                [d] => m.uses.push((d.clone(), line)),
                _ => warn(diags, line, "`use` takes one directory".into()),
            },
            // Directives that name no dependency.
            "godebug" | "tool" | "ignore" => {}
            other => warn(diags, line, format!("unknown directive `{}`", truncate(other, 40))),
        }
    }
    if let Some((b, line)) = block {
        warn(diags, line, format!("`{b} (` block is never closed"));
    }
    m
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

fn replace(tokens: &[String], line: u32) -> Option<Replace> {
    let arrow = tokens.iter().position(|t| t == "=>")?;
    let (old, new) = (&tokens[..arrow], &tokens[arrow + 1..]);
    let (old_path, old_version) = match old {
        [p] => (p.clone(), None),
        [p, v] => (p.clone(), Some(v.clone())),
        _ => return None,
    };
    let (new_path, new_version) = match new {
        [p] if is_local_path(p) => (p.clone(), None),
        [p, v] if valid_version(v) => (p.clone(), Some(v.clone())),
        _ => return None,
    };
    if !valid_path(&old_path) {
        return None;
    }
    Some(Replace { old_path, old_version, new_path, new_version, line })
}

/// A module path as the Go command accepts it (ASCII letters, digits and `-._~/+`, no `..` element).
pub fn valid_path(p: &str) -> bool {
    !p.is_empty()
        && p.len() <= 500
        && !p.starts_with('/')
        && !p.split('/').any(|e| e.is_empty() || e == "." || e == "..")
        && p.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~/+".contains(&b))
}

/// A canonical-looking module version: `v` followed by semver characters.
pub fn valid_version(v: &str) -> bool {
    v.len() <= 200
        && v.starts_with('v')
        && v.len() > 1
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.+".contains(&b))
}

/// Compares two module versions as semantic versions (pre-releases before releases; build metadata such
/// as `+incompatible` ignored). Pseudo-versions are pre-releases and compare by their timestamp.
pub fn cmp_versions(a: &str, b: &str) -> std::cmp::Ordering {
    fn split(v: &str) -> (Vec<u64>, Option<&str>) {
        let v = v.trim_start_matches('v');
        let v = v.split('+').next().unwrap_or(v);
        let (core, pre) = match v.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (v, None),
        };
        (core.split('.').map(|n| n.parse().unwrap_or(0)).collect(), pre)
    }
    let (ca, pa) = split(a);
    let (cb, pb) = split(b);
    ca.cmp(&cb).then_with(|| match (pa, pb) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (Some(_), None) => std::cmp::Ordering::Less,
        (Some(x), Some(y)) => {
            let mut xi = x.split('.');
            let mut yi = y.split('.');
            loop {
                match (xi.next(), yi.next()) {
                    (None, None) => return std::cmp::Ordering::Equal,
                    (None, Some(_)) => return std::cmp::Ordering::Less,
                    (Some(_), None) => return std::cmp::Ordering::Greater,
                    (Some(p), Some(q)) => {
                        let o = match (p.parse::<u64>(), q.parse::<u64>()) {
                            (Ok(m), Ok(n)) => m.cmp(&n),
                            (Ok(_), Err(_)) => std::cmp::Ordering::Less,
                            (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
                            (Err(_), Err(_)) => p.cmp(q),
                        };
                        if o != std::cmp::Ordering::Equal {
                            return o;
                        }
                    }
                }
            }
        }
    })
}

/// Whether a version is a pseudo-version (`vX.Y.Z-[0.]yyyymmddhhmmss-abcdefabcdef`).
pub fn is_pseudo_version(v: &str) -> bool {
    let v = v.split('+').next().unwrap_or(v);
    let parts: Vec<&str> = v.rsplitn(3, '-').collect();
    if parts.len() < 3 {
        return false;
    }
    let rev = parts[0];
    let ts = parts[1].rsplit('.').next().unwrap_or(parts[1]);
    rev.len() == 12
        && rev.bytes().all(|b| b.is_ascii_hexdigit())
        && ts.len() == 14
        && ts.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;

    #[test]
    fn grammar() {
        let text = "module \"example.com/m\" // the module\n\ngo 1.21\ntoolchain go1.22.1\n\nrequire (\n\tgolang.org/x/text v0.3.0 // indirect\n\tgithub.com/a/b/v2 v2.0.1\n)\nrequire c.io/d v1.0.0\nexclude c.io/d v0.9.0\nreplace (\n\tgithub.com/a/b/v2 v2.0.1 => github.com/fork/b/v2 v2.0.2\n\tc.io/e => ../e\n)\nretract [v1.0.0, v1.0.5] // broken\nretract v0.1.0\n";
        let mut d = Vec::new();
        let m = parse(text, "go.mod", &mut d);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(m.module, Some(("example.com/m".into(), 1)));
        assert_eq!(m.go.as_deref(), Some("1.21"));
        assert_eq!(m.toolchain.as_deref(), Some("go1.22.1"));
        assert_eq!(m.requires.len(), 3);
        assert!(m.requires[0].indirect && !m.requires[1].indirect);
        assert_eq!(m.requires[2].line, 10);
        assert_eq!(m.replaces[0].new_version.as_deref(), Some("v2.0.2"));
        assert!(m.replaces[1].is_local());
        assert_eq!(m.retracts.len(), 2);
        assert_eq!(m.excludes.len(), 1);
    }

    #[test]
    fn bad_lines_are_warnings() {
        let mut d = Vec::new();
        let m = parse("module x\nrequire foo\nrequire (\n\tok.io/a v1.0.0\n", "go.mod", &mut d);
        assert_eq!(m.requires.len(), 1);
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].location.as_ref().unwrap().line, Some(2));
    }

    #[test]
    fn versions() {
        assert_eq!(cmp_versions("v1.2.0", "v1.10.0"), Ordering::Less);
        assert_eq!(cmp_versions("v1.0.0-rc.1", "v1.0.0"), Ordering::Less);
        assert_eq!(
            cmp_versions("v0.0.0-20190101000000-abcdefabcdef", "v0.0.0-20200101000000-abcdefabcdef"),
            Ordering::Less
        );
        assert_eq!(cmp_versions("v2.0.0+incompatible", "v2.0.0"), Ordering::Equal);
        assert!(is_pseudo_version("v0.0.0-20171006230638-a6e239ea1c69"));
        assert!(is_pseudo_version("v1.5.1-0.20231216201459-8508981c8b6c"));
        assert!(!is_pseudo_version("v1.2.3"));
    }
}
