//! Reading TOML with positions: every resolver that reads TOML reports lines from here.

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::model::Diagnostic;

use super::line_of;

/// Parses a TOML document; a syntax error becomes a diagnostic with the file and line.
pub fn parse<'i>(text: &'i str, path: &str) -> Result<Spanned<DeTable<'i>>, Diagnostic> {
    DeTable::parse(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        let msg = e.message().lines().next().unwrap_or("invalid TOML").to_string();
        Diagnostic::error("invalid-toml", format!("not valid TOML: {msg}")).at(path, line)
    })
}

pub fn get<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
    table.get(key)
}

pub fn table<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<&'a DeTable<'i>> {
    match table.get(key).map(|v| v.get_ref()) {
        Some(DeValue::Table(t)) => Some(t),
        _ => None,
    }
}

pub fn str_of<'a>(v: &'a DeValue<'_>) -> Option<&'a str> {
    match v {
        DeValue::String(s) => Some(s.as_ref()),
        _ => None,
    }
}

pub fn string(table: &DeTable<'_>, key: &str) -> Option<String> {
    table.get(key).and_then(|v| str_of(v.get_ref())).map(str::to_string)
}

pub fn boolean(table: &DeTable<'_>, key: &str) -> Option<bool> {
    match table.get(key).map(|v| v.get_ref()) {
        Some(DeValue::Boolean(b)) => Some(*b),
        _ => None,
    }
}

/// An array of strings; non-string entries are skipped.
pub fn strings(table: &DeTable<'_>, key: &str) -> Vec<String> {
    match table.get(key).map(|v| v.get_ref()) {
        Some(DeValue::Array(a)) => a.iter().filter_map(|v| str_of(v.get_ref())).map(str::to_string).collect(),
        _ => Vec::new(),
    }
}
