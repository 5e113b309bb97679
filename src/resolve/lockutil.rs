//! Small helpers shared by the lockfile resolvers of the smaller ecosystems.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::model::{Component, ComponentKind, Ecosystem, EdgeKind, Location, Scope, SourceKind};

/// A lockfile's text with what the line look-ups below need, built once per file: the start of every
/// line, and for [`json_line`] each key's string values with the line where each first occurs. (Each
/// look-up used to count newlines from the start of the file and search from the start for its key: over a
/// lockfile's entries, quadratic — 80 ms for a 580 KB `composer.lock` of 400 packages.)
pub struct Located<'a> {
    text: &'a str,
    lines: super::Lines,
    values: RefCell<HashMap<String, HashMap<&'a str, u32>>>,
}

impl<'a> Located<'a> {
    pub fn new(text: &'a str) -> Self {
        Located { text, lines: super::Lines::new(text), values: Default::default() }
    }

    /// Every `"key": "value"` of the text (white space allowed around the colon): the raw value (up to
    /// its closing quote) and the line of its first occurrence.
    fn values_of(&self, key: &str) -> HashMap<&'a str, u32> {
        let text = self.text;
        let quoted_key = format!("\"{key}\"");
        let mut out = HashMap::new();
        for at in memchr::memmem::find_iter(text.as_bytes(), quoted_key.as_bytes()) {
            let rest = text[at + quoted_key.len()..].trim_start();
            let Some(rest) = rest.strip_prefix(':') else { continue };
            let Some(value) = rest.trim_start().strip_prefix('"') else { continue };
            if let Some(end) = value.find('"') {
                out.entry(&value[..end]).or_insert_with(|| self.lines.line_of(at));
            }
        }
        out
    }
}

/// The 1-based line of the first occurrence of `needle` at or after byte `from`, if any.
pub fn find_line(loc: &Located, needle: &str, from: usize) -> Option<u32> {
    let text = loc.text;
    let from = from.min(text.len());
    let start = if text.is_char_boundary(from) { from } else { 0 };
    memchr::memmem::find(&text.as_bytes()[start..], needle.as_bytes()).map(|i| loc.lines.line_of(start + i))
}

/// The line of a JSON key/value pair `"key": "value"` (whitespace-tolerant search on the key, then value):
/// the first such pair in the text.
pub fn json_line(loc: &Located, key: &str, value: &str) -> Option<u32> {
    if value.contains('"') {
        // Not a value `values_of` keys (its first quote would end it): the pairs one by one.
        let quoted_key = format!("\"{key}\"");
        let quoted_value = format!("\"{value}\"");
        return memchr::memmem::find_iter(loc.text.as_bytes(), quoted_key.as_bytes())
            .find(|&at| {
                let rest = loc.text[at + quoted_key.len()..].trim_start();
                rest.strip_prefix(':').is_some_and(|r| r.trim_start().starts_with(&quoted_value))
            })
            .map(|at| loc.lines.line_of(at));
    }
    let mut values = loc.values.borrow_mut();
    let of_key = values.entry(key.to_string()).or_insert_with(|| loc.values_of(key));
    of_key.get(value).copied()
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

#[cfg(test)]
mod tests {
    use super::{find_line, json_line, Located};
    use crate::resolve::line_of;

    /// What the look-ups answered when each searched the text from the start (the definition).
    fn json_line_by_scan(text: &str, key: &str, value: &str) -> Option<u32> {
        let (quoted_key, quoted_value) = (format!("\"{key}\""), format!("\"{value}\""));
        let mut from = 0;
        while let Some(i) = text[from..].find(&quoted_key) {
            let at = from + i;
            let rest = text[at + quoted_key.len()..].trim_start();
            if rest.strip_prefix(':').is_some_and(|r| r.trim_start().starts_with(&quoted_value)) {
                return Some(line_of(text, at));
            }
            from = at + quoted_key.len();
        }
        None
    }

    #[test]
    fn look_ups_answer_what_a_scan_from_the_start_answers() {
        let text =
            "{\n \"name\": \"a/b\",\n \"x\": {\"name\" :  \"a/bc\"},\n \"name\":\"é/ü\",\n \"name\": 3,\n\
                    \"name\"\n:\n\"a/b\", \"name\": \"q\\\"r\", \"names\": \"z\", \"name\": \"a/b\"\n}";
        let loc = Located::new(text);
        for value in ["a/b", "a/bc", "a", "é/ü", "3", "q\\", "q\\\"r", "z", "", "missing"] {
            for key in ["name", "names", "x", "nope"] {
                assert_eq!(json_line(&loc, key, value), json_line_by_scan(text, key, value), "{key} {value}");
            }
        }
        for (needle, from) in
            [("\"name\"", 0), ("\"name\"", 20), ("ü", 0), ("\"a/b\"", 3), ("}", 0), ("nope", 0)]
        {
            let start = if text.is_char_boundary(from) { from } else { 0 };
            let expected = text[start..].find(needle).map(|i| line_of(text, start + i));
            assert_eq!(find_line(&loc, needle, from), expected, "{needle} {from}");
        }
        assert_eq!(find_line(&loc, "é", 1_000), None);
    }
}
