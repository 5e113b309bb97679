//! `go.sum` / `go.work.sum` and `vendor/modules.txt`.

use std::collections::BTreeMap;

use crate::model::Diagnostic;

use super::modfile::{valid_path, valid_version};

/// What `go.sum` records for one module version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SumEntry {
    /// The `h1:` hash of the module's content: the module was downloaded (built or tested).
    pub content: Option<String>,
    /// Only the `go.mod` file was hashed: the module took part in version selection, nothing more.
    pub gomod: bool,
    pub line: u32,
}

/// `(path, version)` → what go.sum says, in file order of first appearance.
pub type Sums = BTreeMap<(String, String), SumEntry>;

pub fn parse(text: &str, path: &str, diags: &mut Vec<Diagnostic>) -> Sums {
    let mut out = Sums::new();
    let mut bad = 0usize;
    for (i, raw) in text.lines().enumerate() {
        let line = i as u32 + 1;
        let l = raw.trim();
        if l.is_empty() {
            continue;
        }
        let parts: Vec<&str> = l.split_whitespace().collect();
        let ok = match parts.as_slice() {
            [p, v, h] if valid_path(p) && h.contains(':') => {
                let (version, gomod) = match v.strip_suffix("/go.mod") {
                    Some(v) => (v, true),
                    None => (*v, false),
                };
                if valid_version(version) {
                    let e = out
                        .entry((p.to_string(), version.to_string()))
                        .or_insert(SumEntry { line, ..SumEntry::default() });
                    if gomod {
                        e.gomod = true;
                    } else {
                        e.content = Some(h.to_string());
                        e.line = line;
                    }
                    true
                } else {
                    false
                }
            }
            _ => false,
        };
        if !ok {
            bad += 1;
            if bad <= 5 {
                diags.push(
                    Diagnostic::warning("invalid-go-sum", "line is not `module version hash`; skipped")
                        .at(path, Some(line)),
                );
            }
        }
    }
    if bad > 5 {
        diags.push(
            Diagnostic::warning("invalid-go-sum", format!("{} more malformed lines skipped", bad - 5))
                .at(path, None),
        );
    }
    out
}

/// One `# module version [=> replacement [version]]` entry of `vendor/modules.txt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendoredModule {
    pub path: String,
    pub version: Option<String>,
    pub replacement: Option<(String, Option<String>)>,
    pub explicit: bool,
    /// Packages of the module copied into `vendor/`.
    pub packages: usize,
    pub line: u32,
}

pub fn parse_vendor(text: &str, path: &str, diags: &mut Vec<Diagnostic>) -> Vec<VendoredModule> {
    let mut out: Vec<VendoredModule> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i as u32 + 1;
        let l = raw.trim();
        if let Some(rest) = l.strip_prefix("## ") {
            if let Some(m) = out.last_mut() {
                m.explicit |=
                    rest.split(';').any(|p| p.trim() == "explicit" || p.trim().starts_with("explicit "));
            }
        } else if let Some(rest) = l.strip_prefix("# ") {
            let (old, new) = match rest.split_once(" => ") {
                Some((o, n)) => (o, Some(n)),
                None => (rest, None),
            };
            let mut o = old.split_whitespace();
            let Some(p) = o.next().filter(|p| valid_path(p)) else {
                diags.push(
                    Diagnostic::warning("invalid-vendor-modules", "module line without a valid path")
                        .at(path, Some(line)),
                );
                continue;
            };
            let version = o.next().map(str::to_string);
            let replacement = new.map(|n| {
                let mut it = n.split_whitespace();
                (it.next().unwrap_or_default().to_string(), it.next().map(str::to_string))
            });
            out.push(VendoredModule {
                path: p.to_string(),
                version,
                replacement,
                explicit: false,
                packages: 0,
                line,
            });
        } else if !l.is_empty() && !l.starts_with('#') {
            if let Some(m) = out.last_mut() {
                m.packages += 1;
            }
        }
    }
    out
}
