//! Small helpers shared by the lockfile resolvers of the smaller ecosystems.

use crate::model::{Component, ComponentKind, Ecosystem, EdgeKind, Location, Scope, SourceKind};

/// The 1-based line of the first occurrence of `needle` at or after byte `from`, if any.
pub fn find_line(text: &str, needle: &str, from: usize) -> Option<u32> {
    let from = from.min(text.len());
    let start = if text.is_char_boundary(from) { from } else { 0 };
    text[start..].find(needle).map(|i| super::line_of(text, start + i))
}

/// The line of a JSON key/value pair `"key": "value"` (whitespace-tolerant search on the key, then value).
pub fn json_line(text: &str, key: &str, value: &str) -> Option<u32> {
    let quoted_key = format!("\"{key}\"");
    let quoted_value = format!("\"{value}\"");
    let mut from = 0;
    while let Some(i) = text[from..].find(&quoted_key) {
        let at = from + i;
        let rest = text[at + quoted_key.len()..].trim_start();
        if let Some(rest) = rest.strip_prefix(':') {
            if rest.trim_start().starts_with(&quoted_value) {
                return Some(super::line_of(text, at));
            }
        }
        from = at + quoted_key.len();
    }
    None
}

/// The project a lockfile belongs to: an application component without a purl, id `<eco>-project:<dir>`.
pub fn project(eco: Ecosystem, name: &str, dir: &str, file: &str) -> Component {
    let mut c = Component::new(eco, name, None);
    c.id = format!("{}-project:{}", eco.as_str(), if dir.is_empty() { "." } else { dir });
    c.kind = ComponentKind::Application;
    c.direct = true;
    c.source = Some(SourceKind::Local);
    c.found_in.push(Location::new(file, None));
    c
}

/// The project's name: the last segment of its directory, or the scanned root's name.
pub fn dir_name(dir: &str, root: &std::path::Path) -> String {
    dir.rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .or_else(|| root.file_name().and_then(|n| n.to_str()).map(str::to_string))
        .unwrap_or_else(|| "root".into())
}

pub fn edge_kind(s: Scope) -> EdgeKind {
    match s {
        Scope::Dev | Scope::Test | Scope::Example | Scope::Docs => EdgeKind::Dev,
        Scope::Build => EdgeKind::Build,
        Scope::Optional => EdgeKind::Optional,
        Scope::Runtime => EdgeKind::Normal,
    }
}

/// Reads a JSON file: its text (for line look-ups) and its value; a read error is the tree's diagnostic,
/// a syntax error a `code` (`invalid-lockfile`, `invalid-manifest`) diagnostic with the line.
pub fn read_json(
    tree: &crate::source::SourceTree,
    path: &str,
    code: &str,
) -> Result<(String, serde_json::Value), crate::model::Diagnostic> {
    let text = tree.read_text(path)?;
    match serde_json::from_str(&text) {
        Ok(v) => Ok((text, v)),
        Err(e) => Err(crate::model::Diagnostic::error(code, format!("not valid JSON: {e}"))
            .at(path, Some(e.line() as u32))),
    }
}

/// Reads a YAML lockfile like [`read_json`]; a syntax error is an `invalid-lockfile` diagnostic with the
/// line.
pub fn read_yaml(
    tree: &crate::source::SourceTree,
    path: &str,
) -> Result<(String, serde_yaml::Value), crate::model::Diagnostic> {
    let text = tree.read_text(path)?;
    match serde_yaml::from_str(&text) {
        Ok(v) => Ok((text, v)),
        Err(e) => {
            let line = e.location().map(|l| l.line() as u32);
            Err(crate::model::Diagnostic::error("invalid-lockfile", format!("not valid YAML: {e}"))
                .at(path, line))
        }
    }
}
