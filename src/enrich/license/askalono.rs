// Copyright 2018-2019 Amazon.com, Inc. or its affiliates. All Rights Reserved.
// SPDX-License-Identifier: Apache-2.0
//
// Vendored from askalono as inlined in the spdx crate 0.13.6 (`src/detection/preproc.rs`, and the parts
// of `src/detection/license.rs` and `ngram.rs` the elimination scan needs: `TextData::new`, `with_view`,
// `white_out`, `optimize_bounds`, `search_optimize`, word bigrams). Changes for sovereign: the bigrams
// are ids in our own store's vocabulary (`ngram_store.rs`) instead of a `HashMap<String, u32>`, and the
// most common line prefix of `remove_common_tokens` is chosen deterministically (askalono takes the last
// one in hash-map order among equally common prefixes; here the lexicographically smallest).

//! askalono's text normalisation and the text side of its n-gram matching, producing exactly its word
//! bigrams (see `ngram_store.rs` for the licence side).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use regex::{Regex, Replacer};
use unicode_normalization::UnicodeNormalization;

use super::ngram_store::Index;

trait CowRegex {
    fn replace_all_cow<'a, R: Replacer>(&self, text: Cow<'a, str>, replace: R) -> Cow<'a, str>;
}

impl CowRegex for Regex {
    fn replace_all_cow<'a, R: Replacer>(&self, text: Cow<'a, str>, replace: R) -> Cow<'a, str> {
        match text {
            Cow::Borrowed(find) => self.replace_all(find, replace),
            Cow::Owned(find) => Cow::Owned(self.replace_all(&find, replace).into_owned()),
        }
    }
}

type PreprocFn = dyn Fn(Cow<'_, str>) -> Cow<'_, str>;

/// Normalisers that remove nothing substantial, one line at a time.
const PREPROC_NORMALIZE: [&PreprocFn; 6] = [
    &normalize_unicode,
    &remove_junk,
    &blackbox_urls,
    &normalize_horizontal_whitespace,
    &normalize_punctuation,
    &trim,
];

/// Normalisers that mangle the text for friendlier matching (statements and lines may go).
const PREPROC_AGGRESSIVE: [&PreprocFn; 8] = [
    &remove_common_tokens,
    &normalize_vertical_whitespace,
    &remove_punctuation,
    &lowercaseify,
    &remove_title_line,
    &remove_copyright_statements,
    &collapse_whitespace,
    &trim,
];

pub fn apply_normalizers(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for line in text.split('\n') {
        let mut out = Cow::from(line);
        for preproc in &PREPROC_NORMALIZE {
            out = preproc(out);
        }
        lines.push(out.into());
    }
    lines
}

/// Compiles every normaliser's regex (each is built once per process, on first use), so that the first
/// text the slow path reads does not wait for them (about 3 ms): called on the warm-up thread.
/// (sovereign's addition.)
pub fn warm_up() {
    const SAMPLE: &str =
        "MIT License\n\nCopyright (c) 2024 A \u{2014} B\n\n\n\"x\" (y) [z] w_v \u{a9} http://a.example/ \t end\n";
    apply_aggressive(&apply_normalizers(SAMPLE).join("\n"));
}

pub fn apply_aggressive(text: &str) -> String {
    let mut out = text.into();
    for preproc in &PREPROC_AGGRESSIVE {
        out = preproc(out);
    }
    out.into()
}

fn normalize_unicode(input: Cow<'_, str>) -> Cow<'_, str> {
    input.nfc().collect::<String>().into()
}

fn remove_junk(input: Cow<'_, str>) -> Cow<'_, str> {
    static RX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[^\w\s\pP]+").unwrap());
    RX.replace_all_cow(input, "")
}

fn blackbox_urls(input: Cow<'_, str>) -> Cow<'_, str> {
    static RX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"https?://\S+").unwrap());
    RX.replace_all_cow(input, "http://blackboxed/url")
}

fn normalize_horizontal_whitespace(input: Cow<'_, str>) -> Cow<'_, str> {
    static RX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?x)[ \t\p{Zs} \\ / \| \x2044 ]+").unwrap());
    RX.replace_all_cow(input, " ")
}

fn normalize_punctuation(input: Cow<'_, str>) -> Cow<'_, str> {
    struct Rx {
        quotes: Regex,
        dash: Regex,
        open: Regex,
        close: Regex,
        under: Regex,
        copy: Regex,
    }
    static RX: LazyLock<Rx> = LazyLock::new(|| Rx {
        quotes: Regex::new(r#"["'\p{Pi}\p{Pf}]+"#).unwrap(),
        dash: Regex::new(r"\p{Pd}+").unwrap(),
        open: Regex::new(r"\p{Ps}+").unwrap(),
        close: Regex::new(r"\p{Pe}+").unwrap(),
        under: Regex::new(r"\p{Pc}+").unwrap(),
        copy: Regex::new(r"[©Ⓒⓒ]").unwrap(),
    });
    let mut out = input;
    let rx = &RX;
    out = rx.quotes.replace_all_cow(out, "'");
    out = rx.dash.replace_all_cow(out, "-");
    out = rx.open.replace_all_cow(out, "(");
    out = rx.close.replace_all_cow(out, ")");
    out = rx.under.replace_all_cow(out, "_");
    rx.copy.replace_all_cow(out, "(c)")
}

fn trim(input: Cow<'_, str>) -> Cow<'_, str> {
    match input {
        Cow::Borrowed(text) => text.trim().into(),
        Cow::Owned(text) => Cow::Owned(text.trim().to_owned()),
    }
}

/// The longest prefix of `s` not longer than `idx` bytes that ends on a char boundary.
fn trim_byte_adjusted(s: &str, idx: usize) -> &str {
    if idx >= s.len() {
        return s;
    }
    if let Some(sub) = s.get(..idx) {
        sub
    } else {
        let trailing_continuation =
            s.as_bytes()[..idx].iter().rev().take_while(|&byte| byte & 0b1100_0000 == 0b1000_0000).count();
        &s[..idx - trailing_continuation - 1]
    }
}

fn lcs_substr<'a>(f_line: &'a str, s_line: &'a str) -> &'a str {
    let prefix_len = f_line.as_bytes().iter().zip(s_line.as_bytes()).take_while(|&(&f, &s)| f == s).count();
    trim_byte_adjusted(f_line, prefix_len).trim()
}

fn remove_common_tokens(input: Cow<'_, str>) -> Cow<'_, str> {
    let mut l_iter = input.split('\n');
    let mut prefix_counts = HashMap::<_, u32>::new();
    if let Some(first) = l_iter.next() {
        let mut pair = ("", first);
        let line_pairs = std::iter::from_fn(|| {
            pair = (pair.1, l_iter.next()?);
            Some(pair)
        });
        for (a, b) in line_pairs {
            let common = lcs_substr(a, b);
            if common.len() > 3 {
                *prefix_counts.entry(common).or_insert(1) += 1;
            }
        }
    }
    // The most common prefix; among equally common ones the lexicographically smallest (askalono: the last
    // in hash-map order, which varies between runs).
    let most_common = match prefix_counts.iter().max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0))) {
        Some((prefix, _count)) => prefix,
        None => return input,
    };
    let common_count = prefix_counts
        .iter()
        .filter_map(|(s, count)| s.starts_with(most_common).then_some(count))
        .sum::<u32>();
    let line_count = input.split('\n').count();
    let prefix_threshold = (0.8f32 * line_count as f32) as _;
    if common_count < prefix_threshold {
        return input;
    }
    let mut rem = String::with_capacity(input.len());
    for line in input.split('\n') {
        rem.push_str(line.strip_prefix(most_common).unwrap_or(line).trim());
        rem.push('\n');
    }
    rem.pop();
    rem.into()
}

fn normalize_vertical_whitespace(input: Cow<'_, str>) -> Cow<'_, str> {
    struct Rx {
        misc: Regex,
        num: Regex,
    }
    static RX: LazyLock<Rx> = LazyLock::new(|| Rx {
        misc: Regex::new(r"[\r\n\v\f]").unwrap(),
        num: Regex::new(r"\n{3,}").unwrap(),
    });
    let mut out = input;
    let rx = &RX;
    out = rx.misc.replace_all_cow(out, "\n");
    rx.num.replace_all_cow(out, "\n\n")
}

fn remove_punctuation(input: Cow<'_, str>) -> Cow<'_, str> {
    static RX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[^\w\s]+").unwrap());
    RX.replace_all_cow(input, "")
}

fn lowercaseify(input: Cow<'_, str>) -> Cow<'_, str> {
    input.to_lowercase().into()
}

fn remove_title_line(input: Cow<'_, str>) -> Cow<'_, str> {
    static RX: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^.*license( version \S+)?( copyright.*)?\n\n").unwrap());
    RX.replace_all_cow(input, "")
}

fn remove_copyright_statements(input: Cow<'_, str>) -> Cow<'_, str> {
    static RX: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?mx)
            (
                # either a new paragraph, or the beginning of the text + empty lines
                (\n\n|\A\n*)
                # any number of lines starting with 'copyright' followed by a new paragraph
                (^\x20*copyright.*?$)+
                \n\n
            )
            |
            (
                # or the very first line if it has 'copyright' in it
                \A.*copyright.*$
            )
            |
            (
                # or any lines that really look like a copyright statement
                ^copyright (\s+(c|\d+))+ .*?$
            )
        ",
        )
        .unwrap()
    });
    RX.replace_all_cow(input, "\n\n")
}

fn collapse_whitespace(input: Cow<'_, str>) -> Cow<'_, str> {
    static RX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s+").unwrap());
    RX.replace_all_cow(input, " ")
}

/// The word bigrams of an aggressively normalised text, each as a slice of it (words are separated by
/// single spaces there, so askalono's `"w1 w2"` string is a contiguous part of the text).
pub fn bigrams(processed: &str) -> impl Iterator<Item = &str> {
    let mut starts = std::iter::once(0).chain(processed.match_indices(' ').map(|(i, _)| i + 1));
    let mut prev = starts.next();
    let mut cur = starts.next();
    std::iter::from_fn(move || {
        let (a, b) = (prev?, cur?);
        let end = processed[b..].find(' ').map_or(processed.len(), |e| b + e);
        prev = cur;
        cur = starts.next();
        Some(&processed[a..end])
    })
}

/// A text's bigram multiset against the store's vocabulary: the known bigrams as sorted (id, count), and
/// the size (every bigram, known or not, with multiplicity: askalono's `NgramSet::len`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Grams {
    pub known: Vec<(u32, u32)>,
    pub size: usize,
}

impl Grams {
    pub fn of(processed: &str, index: &Index) -> Grams {
        let mut ids = Vec::new();
        let mut size = 0;
        for g in bigrams(processed) {
            size += 1;
            if let Some(id) = index.gram_id(g) {
                ids.push(id);
            }
        }
        ids.sort_unstable();
        let mut known: Vec<(u32, u32)> = Vec::new();
        for id in ids {
            match known.last_mut() {
                Some((last, n)) if *last == id => *n += 1,
                _ => known.push((id, 1)),
            }
        }
        Grams { known, size }
    }
}

/// askalono's `TextData`: the normalised lines, the active view, and the view's bigrams.
#[derive(Debug, Clone)]
pub struct Text {
    lines: Vec<String>,
    view: (usize, usize),
    pub grams: Grams,
}

impl Text {
    pub fn new(text: &str, index: &Index) -> Text {
        let lines = apply_normalizers(text);
        let processed = apply_aggressive(&lines.join("\n"));
        let grams = Grams::of(&processed, index);
        Text { view: (0, lines.len()), lines, grams }
    }

    /// The 0-based, end-exclusive line range in view.
    pub fn view(&self) -> (usize, usize) {
        self.view
    }

    /// The same text with the view `start..end`, its bigrams recomputed.
    pub fn with_view(&self, start: usize, end: usize, index: &Index) -> Text {
        let processed = apply_aggressive(&self.lines[start..end].join("\n"));
        Text { lines: self.lines.clone(), view: (start, end), grams: Grams::of(&processed, index) }
    }

    fn view_grams(&self, start: usize, end: usize, index: &Index) -> Grams {
        Grams::of(&apply_aggressive(&self.lines[start..end].join("\n")), index)
    }

    /// The lines in view blanked, the view reset to the whole text.
    pub fn white_out(&self, index: &Index) -> Text {
        let lines: Vec<String> = self
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| if i >= self.view.0 && i < self.view.1 { String::new() } else { l.clone() })
            .collect();
        let processed = apply_aggressive(&lines.join("\n"));
        Text { view: (0, lines.len()), grams: Grams::of(&processed, index), lines }
    }

    /// askalono's `optimize_bounds` against the store's entry `entry`: the end of the view, then its start,
    /// by ternary search on the score. Returns the optimised text and its score.
    pub fn optimize_bounds(&self, entry: usize, index: &Index) -> (Text, f32) {
        let view = self.view;
        let (end, _) = search_optimize(view, &|end| index.score(&self.view_grams(view.0, end, index), entry));
        let (start, score) =
            search_optimize((view.0, end), &|start| index.score(&self.view_grams(start, end, index), entry));
        (self.with_view(start, end, index), score)
    }
}

fn search_optimize(range: (usize, usize), score: &dyn Fn(usize) -> f32) -> (usize, f32) {
    let mut memo: HashMap<usize, f32> = HashMap::new();
    let mut check_score = |index: usize| -> f32 { *memo.entry(index).or_insert_with(|| score(index)) };

    fn search(score: &mut dyn FnMut(usize) -> f32, left: usize, right: usize) -> (usize, f32) {
        if right - left <= 3 {
            return (left..=right).map(|x| (x, score(x))).fold((0usize, 0f32), |acc, x| {
                if x.1 >= acc.1 {
                    x
                } else {
                    acc
                }
            });
        }
        let low = (left * 2 + right) / 3;
        let high = (left + right * 2) / 3;
        let score_low = score(low);
        let score_high = score(high);
        if score_low > score_high {
            search(score, left, high - 1)
        } else {
            search(score, low + 1, right)
        }
    }

    search(&mut check_score, range.0, range.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigrams_are_askalonos() {
        let got: Vec<&str> = bigrams("a bb ccc d").collect();
        assert_eq!(got, ["a bb", "bb ccc", "ccc d"]);
        assert_eq!(bigrams("").count(), 0);
        assert_eq!(bigrams("one").count(), 0);
        assert_eq!(apply_aggressive(&apply_normalizers("aaa\nbbb\nccc\nddd").join("\n")), "aaa bbb ccc ddd");
    }

    #[test]
    fn common_prefix_removal() {
        let text = "%%Copyright: Copyright\n%%Copyright: All rights reserved.\n%%Copyright: Redistribution and \
                    use\n%%Copyright: without modification\n%%Copyright: following conditions are met:\n\nabcd";
        assert!(!remove_common_tokens(text.into()).contains("%%Copyright"));
    }
}
