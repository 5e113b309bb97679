//! Copyright and licence notices in source files: `Copyright (c) 2024 Holder`, `©`, SPDX tags,
//! `Licensed under …`, author lines, and the Chinese, Korean and Japanese forms (版权所有, 저작권, 著作権).
//!
//! Line-based and allocation-light: a file whose bytes contain none of the trigger words is not split into
//! lines at all.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

/// What kind of notice a line carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoticeKind {
    /// `Copyright …`, `©`, `SPDX-FileCopyrightText:`, 版权所有, 저작권, 著作権.
    Copyright,
    /// `SPDX-License-Identifier:`.
    SpdxLicense,
    /// `Licensed under …`.
    LicensedUnder,
    /// `Author: …`, `@author …`, `__author__ = …`.
    Author,
}

impl NoticeKind {
    /// The rule name written in occurrences (docs/provenance.md).
    pub fn rule(self) -> &'static str {
        match self {
            NoticeKind::Copyright => "copyright-notice",
            NoticeKind::SpdxLicense => "spdx-license-identifier",
            NoticeKind::LicensedUnder => "licensed-under",
            NoticeKind::Author => "author-line",
        }
    }
}

/// One notice, with its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub line: u32,
    /// The holder (copyright, author), cleaned for display.
    pub holder: Option<String>,
    /// An SPDX expression or identifier, when the notice names a licence.
    pub license: Option<String>,
    /// The line, trimmed and bounded.
    pub text: String,
}

const MAX_TEXT: usize = 200;
const MAX_HOLDER: usize = 120;

/// Byte strings whose presence makes a file worth reading line by line.
const TRIGGERS: &[&[u8]] = &[
    b"opyright",
    b"OPYRIGHT",
    "©".as_bytes(),
    b"SPDX-",
    b"icensed under",
    b"ICENSED UNDER",
    b"uthor",
    "版权所有".as_bytes(),
    "版權所有".as_bytes(),
    "저작권".as_bytes(),
    "著作権".as_bytes(),
];

/// One automaton for all the trigger words, built once (leftmost-first: the SIMD "Teddy" search).
static TRIGGER_SET: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(TRIGGERS)
        .expect("the trigger words compile")
});

/// Whether the text may hold a notice (a fast pre-filter).
pub fn may_contain(bytes: &[u8]) -> bool {
    TRIGGER_SET.is_match(bytes)
}

/// A bound on where the last trigger word in `bytes` ends: an occurrence the non-overlapping search
/// passes over overlaps a match it reports, so it ends less than the longest trigger after that match.
fn last_trigger_end(bytes: &[u8]) -> Option<usize> {
    let longest = TRIGGERS.iter().map(|t| t.len()).max().unwrap_or(0);
    TRIGGER_SET.find_iter(bytes).last().map(|m| (m.end() + longest).min(bytes.len()))
}

/// Every notice in the comments of a file (its syntax chosen by its name, [`super::comments`]), in
/// line order: never from string literals or code. `max` bounds how many are kept per file.
pub fn extract_in(name: &str, text: &str, max: usize) -> Vec<Notice> {
    let mut out = Vec::new();
    // No trigger word: no notice. Otherwise the comment scanner stops at the end of the line of the last
    // one: a piece after it cannot hold a whole trigger word.
    let Some(last) = last_trigger_end(text.as_bytes()) else { return out };
    let syntax = super::comments::syntax_of(name);
    for (line, range) in super::comments::pieces_upto(syntax, text, last) {
        if out.len() >= max {
            break;
        }
        let raw = &text[range];
        if raw.len() > 4096 || !may_contain(raw.as_bytes()) {
            continue;
        }
        if let Some(n) = parse_line(raw.trim_end_matches('\r'), line) {
            out.push(n);
        }
    }
    out
}

/// Every notice of a prose text (all its lines), in line order. `max` bounds how many are kept.
pub fn extract(text: &str, max: usize) -> Vec<Notice> {
    let mut out = Vec::new();
    if !may_contain(text.as_bytes()) {
        return out;
    }
    for (i, raw) in text.lines().enumerate() {
        if out.len() >= max {
            break;
        }
        if raw.len() > 4096 || !may_contain(raw.as_bytes()) {
            continue;
        }
        let line = (i + 1) as u32;
        if let Some(n) = parse_line(raw, line) {
            out.push(n);
        }
    }
    out
}

fn parse_line(raw: &str, line: u32) -> Option<Notice> {
    let text = bounded(strip_comment(raw), MAX_TEXT);
    // Inline code spans and quotations (`` `Copyright 2025 X` `` in Markdown or a doc comment, a quoted
    // licence text in a comment) are examples, never a notice of the file.
    let spanless;
    let raw = if raw.matches('`').count() >= 2 || raw.matches('"').count() >= 2 {
        spanless = without_code_spans(raw);
        spanless.as_str()
    } else {
        raw
    };
    let t = strip_comment(raw);
    let notice = |kind, holder: Option<String>, license: Option<String>| {
        Some(Notice { kind, line, holder, license, text: text.clone() })
    };
    if let Some(rest) = after_ci(t, "SPDX-License-Identifier:") {
        let expr = strip_closers(rest).trim();
        return (!expr.is_empty()).then(|| Notice {
            kind: NoticeKind::SpdxLicense,
            line,
            holder: None,
            license: Some(bounded(expr, MAX_TEXT)),
            text: text.clone(),
        });
    }
    if let Some(rest) = after_ci(t, "SPDX-FileCopyrightText:") {
        let holder = clean_holder(strip_years_and_marks(rest).0);
        return holder.and_then(|h| notice(NoticeKind::Copyright, Some(h), None));
    }
    if let Some(h) = copyright_holder(t) {
        return notice(NoticeKind::Copyright, Some(h), None);
    }
    if let Some(rest) = after_ci(t, "licensed under") {
        let lic = licence_from_phrase(rest);
        return notice(NoticeKind::LicensedUnder, None, lic.map(str::to_string));
    }
    if let Some(name) = author(t) {
        return notice(NoticeKind::Author, Some(name), None);
    }
    None
}

/// The text with its balanced `` `…` `` and `"…"` spans removed (quoted examples, not notices).
fn without_code_spans(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut rest = t;
    while let Some(a) = rest.find(['`', '"']) {
        let q = rest.as_bytes()[a] as char;
        match rest[a + 1..].find(q) {
            // A quotation is dropped when it holds a notice; a code span always.
            Some(b) if q == '"' && !may_contain(&rest.as_bytes()[a + 1..a + 1 + b]) => {
                out.push_str(&rest[..a + 1 + b + 1]);
                rest = &rest[a + 1 + b + 1..];
            }
            Some(b) => {
                out.push_str(&rest[..a]);
                rest = &rest[a + 1 + b + 1..];
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}

/// Drops comment leaders and closers around a notice line.
fn strip_comment(raw: &str) -> &str {
    let mut t = raw.trim();
    for lead in ["<!--", "/*", "//", "--", "(*", "REM ", "rem ", "\"\"\"", "'''", "..", ";;"] {
        if let Some(r) = t.strip_prefix(lead) {
            t = r;
            break;
        }
    }
    t = t.trim_start_matches(['#', '*', ';', '%', '!', '/', '\'', '"', ' ', '\t', '-', '|']);
    strip_closers(t).trim()
}

fn strip_closers(t: &str) -> &str {
    let mut t = t.trim_end();
    for close in ["*/", "-->", "*)", "\"\"\"", "'''"] {
        if let Some(r) = t.strip_suffix(close) {
            t = r.trim_end();
        }
    }
    t
}

/// The text after the first case-insensitive occurrence of `needle` (ASCII needle).
fn after_ci<'a>(t: &'a str, needle: &str) -> Option<&'a str> {
    let pos = find_ci(t, needle)?;
    Some(&t[pos + needle.len()..])
}

fn find_ci(t: &str, needle: &str) -> Option<usize> {
    let n = needle.len();
    let b = t.as_bytes();
    if b.len() < n {
        return None;
    }
    (0..=b.len() - n).find(|&i| t.is_char_boundary(i) && b[i..i + n].eq_ignore_ascii_case(needle.as_bytes()))
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The holder of a copyright line, or `None` for prose that only mentions copyright.
fn copyright_holder(t: &str) -> Option<String> {
    // The CJK markers, where the holder may come before or after.
    for marker in ["版权所有", "版權所有", "저작권자", "저작권", "著作権者", "著作権"] {
        if let Some(pos) = t.find(marker) {
            if find_ci(t, "copyright").is_some() {
                break; // `Copyright © 2024 X 版权所有`: the English form leads.
            }
            let after = t[pos + marker.len()..].trim_start_matches([':', '：', ' ']);
            let (rest, marked) = strip_years_and_marks(after);
            if let Some(h) = clean_holder(rest) {
                return Some(h);
            }
            let before = &t[..pos];
            let (rest, _) = strip_years_and_marks(before);
            let _ = marked;
            return clean_holder(rest);
        }
    }
    let (rest, explicit) = if let Some(pos) = find_ci(t, "copyright") {
        let b = t.as_bytes();
        if (pos > 0 && is_word(b[pos - 1])) || b.get(pos + 9).is_some_and(|&c| is_word(c)) {
            // `copyright_holder`, `copyrights`: an identifier, not a notice.
            return None;
        }
        let rest = t[pos + 9..].trim_start();
        // `copyright = '2024, Holder'` (Sphinx conf.py) and `"copyright": "…"`.
        let rest = rest.trim_start_matches(['"', '\'']).trim_start();
        let rest = rest.strip_prefix([':', '=']).map(str::trim_start).unwrap_or(rest);
        let rest = rest.trim_start_matches(['"', '\'']);
        strip_years_and_marks(rest)
    } else if let Some(pos) = t.find('©') {
        let (rest, _) = strip_years_and_marks(&t[pos..]);
        (rest, true)
    } else {
        return None;
    };
    let holder = clean_holder(rest)?;
    if !explicit {
        // No `(c)`, `©` or year: only a capitalised holder that is not a common noun counts.
        let first = holder.split_whitespace().next().unwrap_or("");
        if first.chars().next().is_some_and(|c| !c.is_uppercase()) {
            return None;
        }
    }
    Some(holder)
}

/// Strips `(c)`, `©`, `&copy;`, years and year ranges, `by`; returns the rest and whether a mark or year
/// was seen.
fn strip_years_and_marks(s: &str) -> (&str, bool) {
    let mut s = s.trim_start();
    let mut seen = false;
    loop {
        let before = s.len();
        for mark in ["(c)", "(C)", "©", "&copy;", "（C）", "（c）", "(R)", "by ", "By "] {
            if let Some(r) = s.strip_prefix(mark) {
                s = r.trim_start();
                seen = true;
            }
        }
        let digits = s
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_digit() || matches!(c, '-' | '–' | ',' | ' ' | '年' | '~' | '/')))
            .map(|(i, _)| i)
            .unwrap_or(s.len());
        if s[..digits].chars().any(|c| c.is_ascii_digit()) {
            s = s[digits..].trim_start();
            seen = true;
        }
        if let Some(r) = s.strip_prefix("present") {
            s = r.trim_start_matches([',', ' ']);
        }
        s = s.trim_start_matches([':', '：', ' ', ',']);
        if s.len() == before {
            return (s, seen);
        }
    }
}

/// Words that follow "copyright" in prose, never a holder.
const NOT_HOLDERS: &[&str] = &[
    "notice",
    "notices",
    "holder",
    "holders",
    "owner",
    "owners",
    "law",
    "laws",
    "act",
    "license",
    "licence",
    "licenses",
    "statement",
    "protection",
    "policy",
    "infringement",
    "and",
    "or",
    "of",
    "to",
    "in",
    "for",
    "is",
    "on",
    "information",
    "header",
    "headers",
    "year",
    "years",
    "text",
    "interest",
    "claim",
    "claims",
    "rights",
    "permission",
    "disclaimer",
    "date",
    "sign",
];

/// Cleans a holder: drops e-mail addresses, URLs, "All rights reserved", trailing punctuation; refuses
/// placeholders (`[name of copyright owner]`, `<year> <name>`) and prose.
pub fn clean_holder(s: &str) -> Option<String> {
    let mut h = s.to_string();
    for cut in [
        "All rights reserved",
        "all rights reserved",
        "ALL RIGHTS RESERVED",
        "All Rights Reserved",
        "保留所有权利",
        "版权所有",
        "版權所有",
        "모든 권리",
        "無断転載",
        "Licensed under",
        "licensed under",
        "SPDX-License-Identifier",
        " and governed by",
        " governed by",
        ", released under",
        " released under",
        " and licensed",
    ] {
        if let Some(i) = h.find(cut) {
            h.truncate(i);
        }
    }
    // E-mail addresses and URLs in angle brackets or parentheses.
    while let (Some(a), Some(b)) = (h.find(['<', '(']), h.rfind(['>', ')'])) {
        if a < b {
            h.replace_range(a..=b, "");
        } else {
            break;
        }
    }
    let h = h
        .split_whitespace()
        .filter(|w| !w.contains('@') && !w.starts_with("http://") && !w.starts_with("https://"))
        .collect::<Vec<_>>()
        .join(" ");
    let mut h = h.trim_matches(|c: char| c.is_whitespace() || ".,;:*/-\"'`#=|".contains(c)).to_string();
    // A dangling connector left by a cut (`The Go Authors and governed by …`).
    for tail in [" and", " or", " &"] {
        if let Some(r) = h.strip_suffix(tail) {
            h = r.trim_end_matches([',', ' ']).to_string();
        }
    }
    if h.chars().count() < 2 || h.len() > MAX_HOLDER * 2 || !h.chars().any(char::is_alphabetic) {
        return None;
    }
    let first = h.chars().next()?;
    if matches!(first, '[' | '{' | '<' | '$' | '%' | '(' | ')' | '+' | '\\') || !looks_like_name(&h) {
        return None;
    }
    let first_word = h
        .split(|c: char| c.is_whitespace() || c == ',')
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_ascii_lowercase();
    if NOT_HOLDERS.contains(&first_word.as_str()) {
        return None;
    }
    // A list of the markers themselves (`版权所有, 저작권, 著作権` in documentation) names nobody.
    if ["저작권", "著作権", "版权", "版權"].iter().any(|m| h.contains(m)) {
        return None;
    }
    let lower = h.to_ascii_lowercase();
    if lower.contains("name of") || lower.contains("yyyy") || lower.contains("copyright owner") {
        return None;
    }
    Some(bounded(&h, MAX_HOLDER))
}

/// Whether a cleaned holder looks like a name, not a fragment of code: no quotes, brackets, escapes or
/// code punctuation (`Foo")), Bar"))`, `")).toBe`, `{name}`, `a => b`, `x::y`), parentheses balanced.
fn looks_like_name(h: &str) -> bool {
    if h.contains(['"', '`', '\\', '{', '}', '[', ']', ';', '=', '<', '>', '|', '$', '^', '~'])
        || ["::", "->", "&&", "()", ").", "?."].iter().any(|p| h.contains(p))
    {
        return false;
    }
    let open = h.matches('(').count();
    open == h.matches(')').count() && open <= 2
}

/// Suffixes and filler words dropped when comparing holders.
const FILLER: &[&str] = &[
    "the",
    "inc",
    "inc.",
    "ltd",
    "ltd.",
    "co",
    "co.",
    "llc",
    "corp",
    "corp.",
    "corporation",
    "company",
    "limited",
    "gmbh",
    "team",
    "authors",
    "contributors",
    "developers",
    "and/or",
    "its",
    "affiliates",
];

/// A comparison key for holders: lower case, punctuation and corporate suffixes removed.
pub fn holder_key(holder: &str) -> String {
    let mut s = holder.to_lowercase();
    for suffix in ["股份有限公司", "有限公司", "株式会社", "주식회사", "(주)"] {
        s = s.replace(suffix, " ");
    }
    let s: String = s.chars().map(|c| if c.is_alphanumeric() || c == '/' { c } else { ' ' }).collect();
    s.split_whitespace().filter(|w| !FILLER.contains(w)).collect::<Vec<_>>().join(" ")
}

/// SPDX identifiers of the licences `Licensed under …` phrases commonly name.
fn licence_from_phrase(rest: &str) -> Option<&'static str> {
    let l = rest.to_ascii_lowercase();
    if l.contains("apache") && l.contains("2.0") {
        Some("Apache-2.0")
    } else if l.contains("mit license") || l.contains("mit licence") || l.trim_start().starts_with("mit") {
        Some("MIT")
    } else if l.contains("bsd") && (l.contains("3-clause") || l.contains("3 clause")) {
        Some("BSD-3-Clause")
    } else if l.contains("bsd") && (l.contains("2-clause") || l.contains("2 clause")) {
        Some("BSD-2-Clause")
    } else {
        None
    }
}

fn author(t: &str) -> Option<String> {
    let rest = if let Some(r) = t.strip_prefix("@author") {
        r
    } else if let Some(r) = t.strip_prefix("__author__") {
        r.trim_start().strip_prefix('=')?
    } else {
        let lower_head: String = t.chars().take(10).collect::<String>().to_ascii_lowercase();
        if lower_head.starts_with("authors:") {
            &t[8..]
        } else if lower_head.starts_with("author:") {
            &t[7..]
        } else if lower_head.starts_with("author(s):") {
            &t[10..]
        } else {
            return None;
        }
    };
    let rest = rest.trim().trim_matches(['"', '\'']);
    clean_holder(rest)
}

/// At most `max` bytes, cut at a character boundary.
pub fn bounded(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod tests;
