//! Declared licence strings to SPDX expressions, without guessing.
//!
//! Order: a whole-string alias (names, PyPI classifiers, URLs); `SEE LICENSE IN <file>`; then the string
//! is read term by term: SPDX ids in any case, `LicenseRef-…`, `AND`/`OR`/`WITH` in any case, `/` as
//! `OR` (Cargo's legacy form), `or later` as `+`, and every other run of words looked up in the alias
//! table. Deprecated GNU ids become their `-only`/`-or-later` form. Whatever is left unknown makes the
//! whole value unmapped: it stays as written. `ParseMode::LAX` of the spdx crate is consulted only to say
//! what a lax reader would have guessed (its imprecise names turn `BSD` into BSD-2-Clause); that guess is
//! reported, never used.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use spdx::ParseMode;

use super::aliases::{AliasHit, Aliases};

/// The result of normalising one declared string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Normalised {
    /// A valid SPDX expression; `changed` when it differs from the input.
    Mapped { expression: String, changed: bool },
    /// A known string that several licences fit: the reason.
    Ambiguous { reason: String },
    /// `SEE LICENSE IN <file>`: the file's text decides.
    SeeFile { file: String },
    /// Not understood: the unknown terms, and what lax parsing would have guessed.
    Unmapped { unknown: Vec<String>, lax_guess: Option<String> },
}

/// Parsing that accepts deprecated ids (they are on the SPDX list) and nothing imprecise.
pub(crate) const VALID: ParseMode = ParseMode {
    allow_slash_as_or_operator: false,
    allow_imprecise_license_names: false,
    allow_postfix_plus_on_gpl: false,
    allow_deprecated: true,
    allow_unknown: false,
};

/// Whether `s` is a valid SPDX expression (deprecated ids allowed, nothing imprecise).
pub fn is_valid(s: &str) -> bool {
    spdx::Expression::parse_mode(s, VALID).is_ok()
}

/// Lower-cased id -> id, for licences and for exceptions.
type IdMaps = (BTreeMap<String, &'static str>, BTreeMap<String, &'static str>);

fn lower_ids() -> &'static IdMaps {
    static CELL: OnceLock<IdMaps> = OnceLock::new();
    CELL.get_or_init(|| {
        let l = spdx::identifiers::LICENSES.iter().map(|l| (l.name.to_ascii_lowercase(), l.name)).collect();
        let e = spdx::identifiers::EXCEPTIONS.iter().map(|e| (e.name.to_ascii_lowercase(), e.name)).collect();
        (l, e)
    })
}

/// Deprecated ids whose replacement the SPDX list states without needing a fact we do not have.
fn replacement(id: &str) -> Option<&'static str> {
    Some(match id {
        "BSD-2-Clause-FreeBSD" => "BSD-2-Clause-Views",
        "BSD-2-Clause-NetBSD" => "BSD-2-Clause",
        "Nunit" => "zlib-acknowledgement",
        "StandardML-NJ" => "SMLNJ",
        "bzip2-1.0.5" => "bzip2-1.0.6",
        _ => return None,
    })
}

/// One SPDX licence id (any case, optional `+`) in its current form.
fn canonical_license(word: &str) -> Option<String> {
    let (base, plus) = match word.strip_suffix('+') {
        Some(b) => (b, true),
        None => (word, false),
    };
    let (ids, _) = lower_ids();
    let lower = base.to_ascii_lowercase();
    // `GPL-2.0+` is itself a (deprecated) id: look the whole word up first.
    let (name, plus) = match ids.get(&word.to_ascii_lowercase()) {
        Some(n) if plus => (n.trim_end_matches('+'), true),
        _ => (*ids.get(&lower)?, plus),
    };
    let id = spdx::license_id(name)?;
    if id.is_gnu()
        && id.is_deprecated()
        && !name.contains("-with-")
        && !name.ends_with("-only")
        && !name.ends_with("-or-later")
    {
        let gnu = spdx::gnu_license_id(name, plus)?;
        return Some(gnu.name.to_string());
    }
    if let Some(r) = replacement(name) {
        return Some(format!("{r}{}", if plus { "+" } else { "" }));
    }
    if plus && id.is_gnu() {
        // `GPL-2.0-only+`: contradictory; `GPL-2.0-or-later+`: redundant. Neither is valid SPDX.
        return None;
    }
    Some(format!("{name}{}", if plus { "+" } else { "" }))
}

fn is_ref_word(w: &str) -> bool {
    let body = w.strip_prefix("DocumentRef-").and_then(|r| r.split_once(':')).map(|(_, l)| l).unwrap_or(w);
    body.strip_prefix("LicenseRef-").or_else(|| body.strip_prefix("AdditionRef-")).is_some_and(|r| {
        !r.is_empty() && r.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    })
}

#[derive(Debug, Clone, PartialEq)]
enum Lex {
    Open,
    Close,
    And,
    Or,
    With,
    Word(String),
}

fn lex(s: &str, slash_is_or: bool) -> Vec<Lex> {
    let mut out = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<Lex>| {
        if !word.is_empty() {
            let w = std::mem::take(word);
            out.push(match w.as_str() {
                "AND" | "and" | "And" => Lex::And,
                "OR" | "or" | "Or" => Lex::Or,
                "WITH" | "with" | "With" => Lex::With,
                _ => Lex::Word(w),
            });
        }
    };
    for c in s.chars() {
        match c {
            '(' | ')' => {
                flush(&mut word, &mut out);
                out.push(if c == '(' { Lex::Open } else { Lex::Close });
            }
            '/' if slash_is_or => {
                flush(&mut word, &mut out);
                out.push(Lex::Or);
            }
            c if c.is_whitespace() => flush(&mut word, &mut out),
            c => word.push(c),
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Resolves a run of words (one licence or exception term).
fn resolve_term(words: &[String], after_with: bool, aliases: &Aliases) -> Result<String, TermError> {
    let phrase = words.join(" ");
    if words.len() == 1 {
        let w = &words[0];
        if after_with {
            if let Some(e) = lower_ids().1.get(&w.to_ascii_lowercase()) {
                return Ok((*e).to_string());
            }
        } else if let Some(id) = canonical_license(w) {
            return Ok(id);
        }
        if is_ref_word(w) {
            return Ok(w.clone());
        }
    }
    if after_with {
        return aliases.exception(&phrase).map(str::to_string).ok_or(TermError::Unknown(phrase));
    }
    match aliases.name(&phrase) {
        Some(AliasHit::Maps(e)) => Ok(e.clone()),
        Some(AliasHit::Ambiguous(why)) => Err(TermError::Ambiguous(phrase, why.clone())),
        None => {
            // `Apache 2.0+` and the like: an alias followed by `+`.
            if let Some(base) = phrase.strip_suffix('+') {
                if let Some(AliasHit::Maps(e)) = aliases.name(base) {
                    if let Some(id) = canonical_license(&format!("{e}+")) {
                        return Ok(id);
                    }
                }
            }
            Err(TermError::Unknown(phrase))
        }
    }
}

enum TermError {
    Ambiguous(String, String),
    Unknown(String),
}

/// Normalises one declared licence string with the given alias table.
pub fn normalise(raw: &str, aliases: &Aliases) -> Normalised {
    let s = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() {
        return Normalised::Unmapped { unknown: vec![], lax_guess: None };
    }
    let lower = s.to_ascii_lowercase();
    for prefix in ["see license in ", "see licence in "] {
        if lower.starts_with(prefix) {
            return Normalised::SeeFile { file: s[prefix.len()..].trim().to_string() };
        }
    }
    if let Some(hit) = aliases.name(&s) {
        return match hit {
            AliasHit::Maps(e) => mapped(e, raw),
            AliasHit::Ambiguous(why) => Normalised::Ambiguous { reason: why.clone() },
        };
    }
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return match aliases.url(&s) {
            Some(AliasHit::Maps(e)) => mapped(e, raw),
            Some(AliasHit::Ambiguous(why)) => Normalised::Ambiguous { reason: why.clone() },
            None => Normalised::Unmapped { unknown: vec![s], lax_guess: None },
        };
    }
    if lower.starts_with("license ::") {
        // A trove classifier the table does not list.
        return Normalised::Unmapped { unknown: vec![s], lax_guess: None };
    }
    let tokens = lex(&s, !s.contains("://"));
    let mut out: Vec<String> = Vec::new();
    let mut unknown = Vec::new();
    let mut ambiguous: Option<String> = None;
    let mut i = 0;
    let mut after_with = false;
    while i < tokens.len() {
        match &tokens[i] {
            Lex::Open => out.push("(".into()),
            Lex::Close => out.push(")".into()),
            Lex::And => out.push("AND".into()),
            Lex::With => {
                out.push("WITH".into());
                after_with = true;
                i += 1;
                continue;
            }
            Lex::Or => {
                // `X or later`, `X or any later version`: the `+` of X.
                let rest: Vec<String> = tokens[i + 1..]
                    .iter()
                    .take(3)
                    .map(|t| if let Lex::Word(w) = t { w.to_ascii_lowercase() } else { String::new() })
                    .collect();
                let later = match rest.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
                    ["any", "later", "version", ..] => Some(3),
                    ["later", "version", ..] | ["any", "later", ..] => Some(2),
                    ["later", ..] => Some(1),
                    _ => None,
                };
                if let (Some(n), Some(prev)) = (later, out.last_mut()) {
                    let or_later = match prev.strip_suffix("-only") {
                        Some(base) => canonical_license(&format!("{base}-or-later")),
                        None => canonical_license(&format!("{prev}+")),
                    };
                    if let Some(id) = or_later {
                        *prev = id;
                        i += 1 + n;
                        continue;
                    }
                }
                out.push("OR".into());
            }
            Lex::Word(_) => {
                let mut words = Vec::new();
                while let Some(Lex::Word(w)) = tokens.get(i) {
                    words.push(w.clone());
                    i += 1;
                }
                match resolve_term(&words, after_with, aliases) {
                    Ok(e) if e.contains(' ') => out.push(format!("({e})")),
                    Ok(e) => out.push(e),
                    Err(TermError::Ambiguous(p, why)) => {
                        ambiguous.get_or_insert(format!("`{p}`: {why}"));
                    }
                    Err(TermError::Unknown(p)) => unknown.push(p),
                }
                after_with = false;
                continue;
            }
        }
        after_with = false;
        i += 1;
    }
    if let Some(reason) = ambiguous.filter(|_| unknown.is_empty()) {
        return Normalised::Ambiguous { reason };
    }
    if unknown.is_empty() {
        let expr = out.join(" ").replace("( ", "(").replace(" )", ")");
        if is_valid(&expr) {
            return Normalised::Mapped { changed: expr != raw.trim(), expression: expr };
        }
        unknown.push(s.clone());
    }
    let lax_guess = spdx::Expression::canonicalize(&s).ok().flatten();
    Normalised::Unmapped { unknown, lax_guess }
}

fn mapped(expr: &str, raw: &str) -> Normalised {
    Normalised::Mapped { expression: expr.to_string(), changed: expr != raw.trim() }
}
