//! `Cargo.lock`, formats 1 to 4, in one pass: serde for the structure, one scan of the text for lines.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::model::Diagnostic;
use crate::resolve::line_of;

/// The newest lockfile format this resolver knows.
pub const NEWEST_FORMAT: u32 = 4;

#[derive(Debug, Deserialize)]
struct RawLock {
    version: Option<toml::Value>,
    #[serde(default)]
    package: Vec<RawPackage>,
    #[serde(default)]
    metadata: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Deserialize)]
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
    let raw: RawLock = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        let msg = e.message().lines().next().unwrap_or("invalid lockfile").to_string();
        Diagnostic::error("invalid-lockfile", format!("cannot parse Cargo.lock: {msg}")).at(path, line)
    })?;
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

    #[test]
    fn newer_format_warns() {
        let mut d = Vec::new();
        let lock = parse("version = 9\n", "Cargo.lock", &mut d).unwrap();
        assert_eq!(lock.format, 9);
        assert_eq!(d[0].code, "unknown-lockfile-version");
    }
}
