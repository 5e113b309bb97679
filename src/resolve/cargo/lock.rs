//! `Cargo.lock`, formats 1 to 4, in one pass: serde for the structure, one scan of the text for lines.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::model::Diagnostic;
use crate::resolve::line_of;

/// The newest lockfile format this resolver knows.
pub const NEWEST_FORMAT: u32 = 4;

#[derive(Debug, Deserialize, PartialEq)]
struct RawLock {
    version: Option<toml::Value>,
    #[serde(default)]
    package: Vec<RawPackage>,
    #[serde(default)]
    metadata: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct RawPackage {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

/// One `[[package]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockPackage {
    pub name: String,
    pub version: String,
    pub source: Option<String>,
    /// SHA-256, hex (from the entry, or from `[metadata]` in format 1).
    pub checksum: Option<String>,
    /// Indices into [`Lock::packages`].
    pub dependencies: Vec<usize>,
    /// Line of the `[[package]]` header.
    pub line: u32,
}

/// A parsed lockfile with dependency references resolved to indices.
#[derive(Debug, Clone, Default)]
pub struct Lock {
    pub format: u32,
    pub packages: Vec<LockPackage>,
    /// Dependency references (with the line of their package) that named no package of the lockfile.
    pub unresolved_refs: Vec<(u32, String)>,
}

/// Parses a lockfile. Syntax errors are a diagnostic with the line; a format newer than
/// [`NEWEST_FORMAT`] is read best-effort with a warning pushed to `diags`.
pub fn parse(text: &str, path: &str, diags: &mut Vec<Diagnostic>) -> Result<Lock, Diagnostic> {
    let raw: RawLock = match as_cargo_writes_it(text) {
        Some(raw) => raw,
        None => toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            let msg = e.message().lines().next().unwrap_or("invalid lockfile").to_string();
            Diagnostic::error("invalid-lockfile", format!("cannot parse Cargo.lock: {msg}")).at(path, line)
        })?,
    };
    let format = match &raw.version {
        Some(toml::Value::Integer(v)) => *v as u32,
        Some(_) => {
            return Err(Diagnostic::error("invalid-lockfile", "`version` is not an integer").at(path, Some(1)))
        }
        // Format 1 carries checksums in [metadata]; format 2 has neither marker.
        None if !raw.metadata.is_empty() => 1,
        None => 2,
    };
    if format > NEWEST_FORMAT {
        diags.push(
            Diagnostic::warning(
                "unknown-lockfile-version",
                format!("Cargo.lock format {format} is newer than the formats this sovereign knows (1 to {NEWEST_FORMAT}); read best-effort"),
            )
            .at(path, Some(1)),
        );
    }

    // Lines: the n-th `[[package]]` header belongs to the n-th package.
    let mut lines = Vec::with_capacity(raw.package.len());
    for (i, l) in text.lines().enumerate() {
        if l.trim() == "[[package]]" {
            lines.push(i as u32 + 1);
        }
    }

    // Format 1 checksums: "checksum NAME VERSION (SOURCE)" = "HEX".
    let mut v1_checksums: HashMap<(String, String), String> = HashMap::new();
    for (k, v) in &raw.metadata {
        if let (Some(rest), Some(sum)) = (k.strip_prefix("checksum "), v.as_str()) {
            let mut it = rest.splitn(3, ' ');
            if let (Some(n), Some(ver)) = (it.next(), it.next()) {
                if sum != "<none>" {
                    v1_checksums.insert((n.to_string(), ver.to_string()), sum.to_string());
                }
            }
        }
    }

    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in raw.package.iter().enumerate() {
        by_name.entry(p.name.as_str()).or_default().push(i);
    }
    let mut lock = Lock { format, ..Lock::default() };
    for (i, p) in raw.package.iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or(1);
        let mut deps = Vec::with_capacity(p.dependencies.len());
        for d in &p.dependencies {
            match find(&raw.package, &by_name, d) {
                Some(j) => deps.push(j),
                None => lock.unresolved_refs.push((line, d.clone())),
            }
        }
        let checksum =
            p.checksum.clone().or_else(|| v1_checksums.get(&(p.name.clone(), p.version.clone())).cloned());
        lock.packages.push(LockPackage {
            name: p.name.clone(),
            version: p.version.clone(),
            source: p.source.clone(),
            checksum,
            dependencies: deps,
            line,
        });
    }
    Ok(lock)
}

/// A lockfile read line by line, when it is laid out the way cargo writes it (about ten times faster than
/// the TOML parser, which a 190 KB lockfile kept busy for 5 ms): `version = N`, `[[package]]` tables of
/// `name`, `version`, `source`, `checksum` and a `dependencies` array with one string per line (or `[]`),
/// format 1's `[metadata]` of quoted keys; strings without escapes, no duplicate keys. Anything else
/// (another table or key, an inline array, an escape, a comment after a value) answers `None`, and the TOML
/// parser reads the file: what this returns is always what it would return (`fast_path_reads_what_toml_reads`).
fn as_cargo_writes_it(text: &str) -> Option<RawLock> {
    enum At {
        Top,
        Package,
        Metadata,
    }
    let mut raw = RawLock { version: None, package: Vec::new(), metadata: BTreeMap::new() };
    let mut at = At::Top;
    let mut seen_metadata = false;
    // The fields of the package being read.
    #[derive(Default)]
    struct Fields {
        name: Option<String>,
        version: Option<String>,
        source: Option<String>,
        checksum: Option<String>,
        dependencies: Option<Vec<String>>,
    }
    let mut cur: Option<Fields> = None;
    let finish = |cur: &mut Option<Fields>, raw: &mut RawLock| -> Option<()> {
        if let Some(f) = cur.take() {
            raw.package.push(RawPackage {
                name: f.name?,
                version: f.version?,
                source: f.source,
                checksum: f.checksum,
                dependencies: f.dependencies.unwrap_or_default(),
            });
        }
        Some(())
    };
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            finish(&mut cur, &mut raw)?;
            match line {
                "[[package]]" => {
                    at = At::Package;
                    cur = Some(Fields::default());
                }
                "[metadata]" if !seen_metadata => {
                    seen_metadata = true;
                    at = At::Metadata;
                }
                _ => return None,
            }
            continue;
        }
        let (key, value) = line.split_once('=')?;
        let (key, value) = (key.trim(), value.trim());
        match at {
            At::Top => {
                let digits = key == "version"
                    && raw.version.is_none()
                    && !value.is_empty()
                    && value.bytes().all(|b| b.is_ascii_digit())
                    && (value == "0" || !value.starts_with('0'));
                if !digits {
                    return None;
                }
                raw.version = Some(toml::Value::Integer(value.parse().ok()?));
            }
            At::Metadata => {
                let key = whole_string(key)?;
                let value = whole_string(value)?;
                if raw.metadata.insert(key.to_string(), toml::Value::String(value.to_string())).is_some() {
                    return None;
                }
            }
            At::Package => {
                let p = cur.as_mut()?;
                let slot = match key {
                    "name" => &mut p.name,
                    "version" => &mut p.version,
                    "source" => &mut p.source,
                    "checksum" => &mut p.checksum,
                    "dependencies" => {
                        if p.dependencies.is_some() {
                            return None;
                        }
                        p.dependencies = Some(match value {
                            "[]" => Vec::new(),
                            "[" => array_lines(&mut lines)?,
                            _ => return None,
                        });
                        continue;
                    }
                    _ => return None,
                };
                if slot.is_some() {
                    return None;
                }
                *slot = Some(whole_string(value)?.to_string());
            }
        }
    }
    finish(&mut cur, &mut raw)?;
    Some(raw)
}

/// `"text"` (a TOML basic string without escapes or control characters) and nothing after it.
fn whole_string(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let plain = !inner.bytes().any(|b| b == b'"' || b == b'\\' || (b < 0x20 && b != b'\t') || b == 0x7f);
    plain.then_some(inner)
}

/// The rest of a multi-line array of strings, one per line, each but the last followed by a comma, up to
/// the line `]`.
fn array_lines<'a>(lines: &mut impl Iterator<Item = &'a str>) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut open = true;
    for line in lines.by_ref() {
        let line = line.trim();
        if line == "]" {
            return Some(out);
        }
        if !open {
            return None;
        }
        let (item, comma) = match line.strip_suffix(',') {
            Some(item) => (item.trim_end(), true),
            None => (line, false),
        };
        out.push(whole_string(item)?.to_string());
        open = comma;
    }
    None
}

/// Resolves a dependency reference: `name`, `name version` or `name version (source)`.
fn find(packages: &[RawPackage], by_name: &HashMap<&str, Vec<usize>>, reference: &str) -> Option<usize> {
    let mut parts = reference.splitn(3, ' ');
    let name = parts.next()?;
    let version = parts.next();
    let source = parts.next().map(|s| s.trim_start_matches('(').trim_end_matches(')'));
    let candidates = by_name.get(name)?;
    let mut matching = candidates.iter().copied().filter(|&i| {
        let p = &packages[i];
        version.is_none_or(|v| p.version == v) && source.is_none_or(|s| p.source.as_deref() == Some(s))
    });
    let first = matching.next()?;
    Some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_1_with_metadata_checksums() {
        let text = r#"[[package]]
name = "a"
version = "0.1.0"
dependencies = [
 "b 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)",
]

[[package]]
name = "b"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[metadata]
"checksum b 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)" = "abcd"
"#;
        let mut d = Vec::new();
        let lock = parse(text, "Cargo.lock", &mut d).unwrap();
        assert_eq!(lock.format, 1);
        assert_eq!(lock.packages[0].dependencies, vec![1]);
        assert_eq!(lock.packages[1].checksum.as_deref(), Some("abcd"));
        assert_eq!(lock.packages[1].line, 8);
    }

    #[test]
    fn ambiguous_names_use_version() {
        let text = r#"version = 3
[[package]]
name = "a"
version = "0.1.0"
dependencies = ["b 2.0.0"]
[[package]]
name = "b"
version = "1.0.0"
[[package]]
name = "b"
version = "2.0.0"
"#;
        let mut d = Vec::new();
        let lock = parse(text, "Cargo.lock", &mut d).unwrap();
        assert_eq!(lock.packages[0].dependencies, vec![2]);
    }

    /// The line-by-line reader answers exactly what the TOML parser answers whenever it answers, and it
    /// answers for the lockfiles cargo writes (the corpus', this repository's).
    #[test]
    fn fast_path_reads_what_toml_reads() {
        let mut canonical =
            vec![std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock")).unwrap()];
        if let Some(corpus) = std::env::var_os("SOVEREIGN_CORPUS") {
            for e in ["rust/BurntSushi__ripgrep", "rust/astral-sh__uv"] {
                canonical.push(
                    std::fs::read_to_string(std::path::Path::new(&corpus).join(e).join("Cargo.lock"))
                        .unwrap(),
                );
            }
        }
        let v1 = "[[package]]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\n \"b 1.0.0 (registry+x)\",\n]\n\n[metadata]\n\"checksum b 1.0.0 (registry+x)\" = \"abcd\"\n";
        canonical.push(v1.to_string());
        canonical
            .push("version = 3\n\n[[package]]\nname = \"a\"\nversion = \"1\"\ndependencies = []\n".into());
        canonical.push("# only comments\n\n".into());
        canonical.push("version = 4\r\n\r\n[[package]]\r\nname = \"a\"\r\nversion = \"1\"\r\n".into());
        for text in &canonical {
            let fast = as_cargo_writes_it(text)
                .unwrap_or_else(|| panic!("not read by the fast path:\n{}", &text[..text.len().min(300)]));
            assert_eq!(Some(&fast), toml::from_str::<RawLock>(text).ok().as_ref());
        }
        // Shapes the fast path leaves to the TOML parser (valid or not): it must not answer differently.
        let base = "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0\"\nsource = \"registry+x\"\ndependencies = [\n \"b\",\n \"c 2\",\n]\n";
        let variants = [
            base.replace("name = \"a\"", "name = \"a\" # note"),
            base.replace("\"a\"", "\"a\\u0041\""),
            base.replace("\"a\"", "'a'"),
            base.replace(" \"b\",\n \"c 2\",\n]", " \"b\"\n \"c 2\",\n]"),
            base.replace(" \"b\",\n", " # comment\n \"b\",\n"),
            base.replace("dependencies = [\n \"b\",\n \"c 2\",\n]", "dependencies = [\"b\", \"c 2\"]"),
            base.replace("name = \"a\"\n", ""),
            base.replace("version = \"1.0\"\n", "version = \"1.0\"\nversion = \"2.0\"\n"),
            base.replace("version = 4", "version = 04"),
            base.replace("version = 4", "version = 4_0"),
            base.replace("version = 4", "version = 99999999999999999999"),
            base.replace("source", "replace"),
            base.replace("[[package]]", "[[ package ]]"),
            base.to_string() + "\n[[patch.unused]]\nname = \"p\"\nversion = \"1\"\n",
            base.to_string() + "\n[metadata]\n\"k\" = \"v\"\n[metadata]\n",
            base.to_string() + "\n[metadata]\n\"k\" = \"v\"\n\"k\" = \"w\"\n",
            base.replace("\"registry+x\"", "\"git+https://h/r?rev=1#abc\""),
            base.replace("\"registry+x\"", "\"tab\there\""),
            base.replace("\"registry+x\"", "\"del\u{7f}\""),
            base.replace("]\n", ""),
            base.to_string() + "\n]",
            base.replace("version = 4\n", "version = 4\nversion = 4\n"),
        ];
        for text in variants.iter().chain(std::iter::once(&base.to_string())) {
            if let Some(fast) = as_cargo_writes_it(text) {
                assert_eq!(
                    Ok(&fast),
                    toml::from_str::<RawLock>(text).as_ref().map_err(|e| e.to_string()),
                    "{text}"
                );
            }
        }
        assert!(as_cargo_writes_it(base).is_some());
    }

    #[test]
    fn newer_format_warns() {
        let mut d = Vec::new();
        let lock = parse("version = 9\n", "Cargo.lock", &mut d).unwrap();
        assert_eq!(lock.format, 9);
        assert_eq!(d[0].code, "unknown-lockfile-version");
    }
}
