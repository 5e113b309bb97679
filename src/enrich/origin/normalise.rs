//! Name normalisation and matching helpers of the knowledge base.

use super::kb::IdRef;

/// Lower-cases and normalises a PyPI name (PEP 503).
pub fn pypi_norm(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !dash {
                out.push('-');
            }
            dash = true;
        } else {
            out.extend(c.to_lowercase());
            dash = false;
        }
    }
    out
}

/// Normalises an organisation or holder name for exact matching: lower case, company suffixes and
/// punctuation dropped.
pub fn name_norm(name: &str) -> String {
    let mut s: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() || c == '&' || c == '!' { c } else { ' ' })
        .collect();
    for suffix in [
        " inc",
        " llc",
        " ltd",
        " limited",
        " corporation",
        " corp",
        " co",
        " gmbh",
        " s r o",
        " sa",
        " se",
        " pbc",
        " ag",
        " bv",
        " plc",
        " s a",
    ] {
        s.truncate(s.trim_end().len());
        if s.ends_with(suffix) {
            s.truncate(s.len() - suffix.len());
        }
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(super) fn has_non_latin(s: &str) -> bool {
    s.chars().any(|c| c as u32 >= 0x250 && c.is_alphabetic())
}

/// Single-word Latin aliases that are company names rather than product or first names.
pub(super) const SINGLE_WORD_ALIASES: &[&str] =
    &["facebook", "aliyun", "github", "xilinx", "volcengine", "aws", "douyin"];

/// A glob match (`google-*` stored as prefix `google-`): the longest matching prefix wins.
pub fn glob_lookup<'a>(globs: &'a [(String, IdRef)], name: &str) -> Vec<(&'a str, IdRef)> {
    let best = globs.iter().filter(|(p, _)| name.starts_with(p.as_str())).map(|(p, _)| p.len()).max();
    match best {
        Some(n) => globs
            .iter()
            .filter(|(p, _)| p.len() == n && name.starts_with(p.as_str()))
            .map(|(p, r)| (p.as_str(), *r))
            .collect(),
        None => Vec::new(),
    }
}
