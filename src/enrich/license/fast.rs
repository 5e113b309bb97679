//! The licence detector's fast path: most real licence files are an SPDX licence text with the
//! copyright lines filled in. Such a text is normalised (copyright lines dropped, lower case, single
//! spaces) and its hash looked up in a table of the SPDX texts (`fast_table.rs`, generated from the spdx
//! crate's texts and checked against its detection store by a test). A hit names one candidate licence;
//! `detect::fast_answer` scores the text against that licence's original text in the store, the same
//! n-gram dice the slow path computes, and answers when the two are the same text (score 1.0): exactly
//! what the slow path would answer, without scoring every licence.

use std::collections::HashMap;

use spdx::detection::TextData;

use super::fast_table::TABLE;

/// FNV-1a, 64 bits: stable across Rust versions and platforms (the table is committed).
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// Whether a line starts like a copyright statement: `Copyright …`, `© …`, `(c) 2024 …`,
/// `(c) Copyright …` (a year or the word after `(c)`: `(c) You must retain …` is clause (c) of a licence).
/// Comment leaders are ignored.
fn starts_like_copyright(line: &str) -> bool {
    let t = strip_leaders(line);
    let word = |t: &str| t.get(..9).is_some_and(|h| h.eq_ignore_ascii_case("copyright"));
    word(t) || t.starts_with('©') || after_c_sign(t).is_some_and(|r| starts_with_digit(r) || word(r))
}

fn strip_leaders(line: &str) -> &str {
    line.trim().trim_start_matches(['#', '*', '/', ';', '-']).trim_start()
}

/// What follows a leading `(c)` or `(C)`.
fn after_c_sign(t: &str) -> Option<&str> {
    t.strip_prefix("(c)").or_else(|| t.strip_prefix("(C)")).map(str::trim_start)
}

fn starts_with_digit(t: &str) -> bool {
    t.starts_with(|c: char| c.is_ascii_digit())
}

/// Whether a line is a copyright statement, the part of a licence file its authors fill in: `© …`,
/// `(c) 2024 …`, `Copyright (c) …`, `Copyright © …`, `Copyright 2024 …`. A line that merely starts with
/// the word (`copyright notice that is included in …`, where a licence's own sentence wraps) is not one by
/// itself; [`text_hash`] also drops it when its whole paragraph is copyright lines.
pub fn is_copyright_line(line: &str) -> bool {
    let t = strip_leaders(line);
    if !starts_like_copyright(t) {
        return false;
    }
    match t.get(..9).filter(|h| h.eq_ignore_ascii_case("copyright")) {
        Some(_) => {
            let rest = t[9..].trim_start();
            rest.starts_with('©') || after_c_sign(rest).is_some() || starts_with_digit(rest)
        }
        None => true, // `© …` or `(c) 2024 …`
    }
}

/// Whether a line is a title (`MIT License`, `The Apache License, Version 2.0`): short and naming a licence.
fn is_title_line(line: &str) -> bool {
    let lower = line.trim().to_ascii_lowercase();
    lower.len() <= 80 && (lower.contains("license") || lower.contains("licence"))
}

/// The hash of a licence text normalised for the table: copyright statements dropped (lines that are
/// one by their form, and paragraphs made only of lines starting with `Copyright`, as the n-gram
/// normaliser drops them), a title line followed by a blank line before the text dropped (many files
/// leave `MIT License` out), every other word lower-cased and joined by single spaces (line breaks and
/// indentation do not matter).
pub fn text_hash(text: &str) -> u64 {
    let lines: Vec<&str> = text.lines().collect();
    // Lines of paragraphs (runs of non-blank lines) that are all copyright lines.
    let mut dropped = vec![false; lines.len()];
    let mut start = 0;
    while start < lines.len() {
        if lines[start].trim().is_empty() {
            start += 1;
            continue;
        }
        let end = (start..lines.len()).find(|&i| lines[i].trim().is_empty()).unwrap_or(lines.len());
        let all = lines[start..end].iter().all(|l| starts_like_copyright(l));
        for (i, slot) in dropped.iter_mut().enumerate().take(end).skip(start) {
            *slot = all || is_copyright_line(lines[i]);
        }
        start = end;
    }
    let mut h = Fnv::new();
    let mut first = true;
    let mut buf = String::new();
    for (i, line) in lines.iter().enumerate() {
        if dropped[i] {
            continue;
        }
        let next_blank = lines.get(i + 1).is_some_and(|n| n.trim().is_empty());
        if first && is_title_line(line) && next_blank {
            continue;
        }
        for word in line.split_whitespace() {
            if !first {
                h.write(b" ");
            }
            first = false;
            if word.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
                buf.clear();
                buf.extend(word.chars().flat_map(char::to_lowercase));
                h.write(buf.as_bytes());
            } else {
                h.write(word.as_bytes());
            }
        }
    }
    h.0
}

/// The licence whose SPDX text `text` is, copyright lines aside, if the table has it.
pub fn candidate(text: &str) -> Option<&'static str> {
    let h = text_hash(text);
    TABLE.binary_search_by_key(&h, |(k, _)| *k).ok().map(|i| TABLE[i].1)
}

/// Builds the table's rows: every SPDX licence text whose n-grams equal the detection store's entry for
/// that id (so that the fast path's score is the slow path's), keyed by [`text_hash`]; hashes shared by
/// two licences are left out (the slow path decides between them). Sorted by hash.
pub fn build_table(store: &spdx::detection::Store) -> Vec<(u64, String)> {
    let mut by_hash: HashMap<u64, Vec<String>> = HashMap::new();
    for (id, text) in spdx::text::LICENSE_TEXTS {
        let Some(original) = store.get_original(id) else { continue };
        // The spdx normaliser picks among equally common line prefixes in hash-map order: a text whose
        // n-grams can vary between runs is left to the slow path (eight tries must all agree).
        if !(0..8).all(|_| TextData::new(text).ngram_matches(original)) {
            continue;
        }
        by_hash.entry(text_hash(text)).or_default().push(id.to_string());
    }
    let mut rows: Vec<(u64, String)> = by_hash
        .into_iter()
        .filter(|(_, ids)| ids.len() == 1)
        .map(|(h, mut ids)| (h, ids.remove(0)))
        .collect();
    rows.sort();
    rows
}

/// The Rust source of `fast_table.rs` for `rows`.
pub fn render_table(rows: &[(u64, String)]) -> String {
    let mut out = String::from(
        "//! Generated by `fast::build_table` (regenerate: `SOVEREIGN_REGEN_LICENSE_TABLE=1 cargo test --lib \
         fast_table_is_current`).\n//! Hash of the normalised SPDX text -> licence id, sorted by hash.\n\n\
         pub static TABLE: &[(u64, &str)] = &[\n",
    );
    for (h, id) in rows {
        out.push_str(&format!("    (0x{h:016x}, {id:?}),\n"));
    }
    out.push_str("];\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copyright_lines_and_layout_do_not_change_the_hash() {
        let a = "MIT License\n\nCopyright (c) 2024 A\n\nPermission is hereby   granted";
        let b = "MIT License\n\nCopyright 2019, B C\n# (c) 2021 D\n(c) Copyright E\n  Permission is\nhereby granted\n";
        assert_eq!(text_hash(a), text_hash(b));
        assert_eq!(text_hash(a), text_hash("Copyright 2020 X\n\nPermission is hereby granted"), "no title");
        assert_ne!(text_hash(a), text_hash("MIT License\n\nPermission is hereby granted, free"));
        assert_ne!(text_hash(a), text_hash("MIT License Permission is not hereby granted"));
        assert!(is_copyright_line(" * Copyright 2020 X"));
        assert!(is_copyright_line("(c) 2020 X") && is_copyright_line("(C) Copyright X"));
        assert!(is_copyright_line("Copyright (C) X") && is_copyright_line("© X"));
        assert!(!is_copyright_line("(c) You must retain, in the Source form of any Derivative Works"));
        assert!(!is_copyright_line("The above copyright notice"));
        assert!(!is_copyright_line("copyright notice that is included in or attached to the work"));
        // A licence sentence that wraps before `copyright` is kept, wherever it wraps.
        let wrapped = "1. Terms\n\nthe\ncopyright owner grants\n";
        assert_eq!(text_hash(wrapped), text_hash("1. Terms\n\nthe copyright\nowner grants\n"));
        assert_ne!(text_hash(wrapped), text_hash("1. Terms\n\nthe\nowner grants\n"));
        // A paragraph of copyright lines without a year or (c) is dropped whole.
        assert_eq!(text_hash("Copyright JS Foundation\nCopyright Others\n\nText"), text_hash("Text"));
    }

    #[test]
    fn fast_table_is_current() {
        let store = spdx::detection::Store::load_inline().expect("the spdx crate's store loads");
        let rows = build_table(&store);
        let source = render_table(&rows);
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/enrich/license/fast_table.rs");
        if std::env::var_os("SOVEREIGN_REGEN_LICENSE_TABLE").is_some() {
            std::fs::write(path, &source).unwrap();
        }
        let committed = std::fs::read_to_string(path).unwrap();
        assert!(rows.len() > 300, "only {} rows", rows.len());
        assert!(committed == source, "fast_table.rs is stale: regenerate it (see its header)");
        assert!(rows.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
