//! Licence texts to SPDX ids, offline: the AI model licences by their distinguishing sentences
//! (`ai-models.yaml`), everything else with askalono's text detection (vendored, `askalono.rs`) over our
//! own copy of the spdx crate's store of SPDX licence texts (`ngram_store.rs`). A file holding several
//! licences yields each of them with its score.

use spdx::detection::TextData;

use super::ai::AiLicenses;
use super::askalono::{Grams, Text};
use super::fast;
use super::ngram_store::Index;

/// The default floor under which a text match is not taken as an identification.
pub const DEFAULT_FLOOR: f32 = 0.9;

/// Texts longer than this are cut before detection (licence files are far smaller; this bounds time).
pub const MAX_TEXT: usize = 512 * 1024;

/// One licence identified in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Detected {
    /// SPDX id or LicenseRef.
    pub id: String,
    /// 0..1; 1.0 for a sentence match.
    pub score: f32,
    /// The 0-based, end-exclusive line range of the match, when the text held more than one licence.
    pub lines: Option<(usize, usize)>,
}

/// Lower case, letters and digits only, single spaces: the form distinguishing sentences are compared in.
pub fn flatten(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The AI model licences whose every distinguishing sentence occurs in `text`.
/// When one licence's sentences are all contained in another matching licence's sentences (`CreativeML
/// Open RAIL-M` in `CreativeML Open RAIL++-M License`, once punctuation is gone), only the more specific
/// one is kept.
pub fn ai_licenses(text: &str) -> Vec<Detected> {
    let flat = format!(" {} ", flatten(text));
    let matched: Vec<(&str, Vec<String>)> = AiLicenses::builtin()
        .licenses
        .iter()
        .map(|l| (l.id.as_str(), l.sentences.iter().map(|s| format!(" {} ", flatten(s))).collect::<Vec<_>>()))
        .filter(|(_, sentences)| !sentences.is_empty() && sentences.iter().all(|s| flat.contains(s.as_str())))
        .collect();
    let covered =
        |a: &[String], b: &[String]| a != b && a.iter().all(|s| b.iter().any(|t| t.contains(s.as_str())));
    matched
        .iter()
        .filter(|(_, s)| !matched.iter().any(|(_, o)| covered(s, o)))
        .map(|(id, _)| Detected { id: id.to_string(), score: 1.0, lines: None })
        .collect()
}

/// Identifies the licence(s) of a licence text. Matches under `floor` are dropped. Never panics; an
/// empty result means nothing was identified.
/// Most texts end at the fast path (`fast.rs`); only what it does not know goes to the n-gram scan.
pub fn detect_text(text: &str, floor: f32) -> Vec<Detected> {
    let text = cut(text, MAX_TEXT);
    let ai = ai_licenses(text);
    if !ai.is_empty() {
        return ai;
    }
    let Some(index) = Index::get() else { return Vec::new() };
    // Normalised once, for the fast path's check and, when it has no answer, for the scan.
    let data = Text::new(text, index);
    if let Some(found) = fast_answer(text, &data, floor, index) {
        return vec![found];
    }
    scan_text(text, data, floor, index)
}

/// The fast path's answer, when it has one (`None`: the text goes to the n-gram scan).
pub fn fast_path(text: &str, floor: f32) -> Option<Detected> {
    let index = Index::get()?;
    fast_answer(text, &Text::new(text, index), floor, index)
}

/// [`detect_text`] without the fast path: every text through the n-gram scan of the whole store (what the
/// fast path is checked against).
pub fn detect_text_slow(text: &str, floor: f32) -> Vec<Detected> {
    let text = cut(text, MAX_TEXT);
    let ai = ai_licenses(text);
    if !ai.is_empty() {
        return ai;
    }
    scan(text, floor)
}

/// Reference only (the identity test's): [`detect_text_slow`] as it was before our own store, with the
/// spdx crate's store (decoded whole, ~60 MB) and its scanner. Not for production use.
pub fn detect_text_spdx(text: &str, floor: f32) -> Vec<Detected> {
    let text = cut(text, MAX_TEXT);
    let ai = ai_licenses(text);
    if !ai.is_empty() {
        return ai;
    }
    spdx_reference::scan(text, TextData::new(text), floor)
}

/// The fast path's answer for a text whose table hit (`fast.rs`) is a licence, when it is certainly the
/// scan's: the text's n-grams are exactly those of the licence's original text in the store (score 1.0:
/// no entry of the store can score higher, and the scan stops at a whole-text match above its shallow
/// limit), and the refinement keeps it (a common licence, or one the text names). A lower score goes to
/// the scan: another entry (an alternate text of the same or of a near-identical licence) may score
/// higher there. (A dice of 1.0 is exact: twice the common count equals the two sizes' sum only when both
/// multisets are the same.)
fn fast_answer(text: &str, data: &Text, floor: f32, index: &Index) -> Option<Detected> {
    let id = fast::candidate(text)?;
    let exact = index.score(&data.grams, index.original(id)?) == 1.0;
    let kept = COMMON.contains(&id) || mentions(&flatten(text), id);
    (exact && floor < 1.0 && kept).then(|| Detected { id: id.to_string(), score: 1.0, lines: None })
}

/// A licence found by the elimination scan: its store entry, score and line range.
struct Contained {
    entry: usize,
    score: f32,
    lines: (usize, usize),
}

/// askalono's `Scanner::scan_elimination` with our settings (threshold `floor`, shallow limit 0.99,
/// optimisation on, 16 passes): the best entry for the whole text, and, unless it matches above the
/// shallow limit, the licences found one after the other by locating the best entry's lines, whiting them
/// out and analysing the rest again. Returns (whole-text score, whole-text entry if above `floor`, found).
fn eliminate(text: &Text, floor: f32, index: &Index) -> (f32, Option<usize>, Vec<Contained>) {
    let mut analysis = index.analyze(&text.grams);
    let score = analysis.score;
    let mut license = None;
    let mut containing = Vec::new();
    if analysis.score > floor {
        license = Some(analysis.entry);
        if analysis.score > 0.99 {
            return (score, license, containing);
        }
    }
    let mut current = std::borrow::Cow::Borrowed(text);
    for _ in 0..16 {
        let (optimized, optimized_score) = current.optimize_bounds(analysis.entry, index);
        if optimized_score < floor {
            break;
        }
        containing.push(Contained { entry: analysis.entry, score: optimized_score, lines: optimized.view() });
        current = std::borrow::Cow::Owned(optimized.white_out(index));
        analysis = index.analyze(&current.grams);
    }
    (score, license, containing)
}

/// The n-gram scan over our store (`ngram_store.rs`).
fn scan(text: &str, floor: f32) -> Vec<Detected> {
    let Some(index) = Index::get() else { return Vec::new() };
    scan_text(text, Text::new(text, index), floor, index)
}

/// [`scan`] of a text already normalised.
fn scan_text(text: &str, data: Text, floor: f32, index: &Index) -> Vec<Detected> {
    let name = |e: usize| index.entries[e].name.as_str();
    let (score, license, containing) = eliminate(&data, floor, index);
    let mut found: Vec<Detected> = Vec::new();
    let mut push = |d: Detected| match found.iter_mut().find(|f| f.id == d.id) {
        Some(f) if f.score < d.score => *f = d,
        Some(_) => {}
        None => found.push(d),
    };
    for c in &containing {
        // The scanner names each region after its best candidate during elimination; near-identical
        // texts (MIT and Xnet) can be confused there, so every region is analysed again on its own.
        let view = data.with_view(c.lines.0, c.lines.1, index);
        let m = index.analyze(&view.grams);
        let flat = region(text, c.lines);
        let best = choose((name(c.entry), c.score), (name(m.entry), m.score), &flat);
        let (id, score) = refine(index, &view.grams, &flat, best, floor);
        if score >= floor {
            push(Detected { id: id.to_string(), score, lines: Some(c.lines) });
        }
    }
    if let Some(e) = license.filter(|_| score >= floor) {
        let (id, score) = refine(index, &data.grams, &flatten(text), (name(e), score), floor);
        push(Detected { id: id.to_string(), score, lines: None });
    }
    found.sort_by(|a, b| a.id.cmp(&b.id));
    found
}

/// Between two candidates for one region, the clearly better score wins; when they are close (near-identical
/// texts such as an Apache-2.0 header and an ECL-2.0 header), the one whose name the region mentions.
fn choose<'a>(a: (&'a str, f32), b: (&'a str, f32), region: &str) -> (&'a str, f32) {
    if a.0 == b.0 {
        return if a.1 >= b.1 { a } else { b };
    }
    if (a.1 - b.1).abs() > 0.03 {
        return if a.1 > b.1 { a } else { b };
    }
    match (mentions(region, a.0), mentions(region, b.0)) {
        (true, false) => a,
        (false, true) => b,
        _ if a.1 >= b.1 => a,
        _ => b,
    }
}

/// Common licences that have near-identical variants on the SPDX list (Apache-2.0 and Pixar, MIT and Xnet,
/// BSD-3-Clause and its many relatives).
const COMMON: &[&str] = &[
    "Apache-2.0",
    "MIT",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "ISC",
    "0BSD",
    "Zlib",
    "BSL-1.0",
    "Unlicense",
    "CC0-1.0",
    "MPL-2.0",
    "EPL-2.0",
    "GPL-2.0-only",
    "GPL-3.0-only",
    "LGPL-2.1-only",
    "LGPL-3.0-only",
    "AGPL-3.0-only",
];

/// The best match is kept when the text names it. When it does not (an Apache-2.0 text without its
/// appendix scores higher as `Pixar`, which is Apache-2.0 with Pixar's changes), a common licence that
/// the text does name and that matches above the floor, within 0.1 of the best, is taken instead.
fn refine<'a>(
    index: &'a Index,
    data: &Grams,
    flat: &str,
    best: (&'a str, f32),
    floor: f32,
) -> (&'a str, f32) {
    refine_with(flat, best, floor, |id| {
        let e = index.original(id)?;
        Some((index.entries[e].name.as_str(), index.score(data, e)))
    })
}

/// [`refine`]'s rule, given the name and score of each common licence's original text in the store at
/// hand (`None`: not in it).
fn refine_with<'a>(
    flat: &str,
    best: (&'a str, f32),
    floor: f32,
    common: impl Fn(&str) -> Option<(&'a str, f32)>,
) -> (&'a str, f32) {
    if mentions(flat, best.0) || COMMON.contains(&best.0) {
        return best;
    }
    let mut alt: Option<(&'a str, f32)> = None;
    for id in COMMON {
        let Some((name, score)) = common(id) else { continue };
        if score >= floor && score >= best.1 - 0.1 && mentions(flat, name) && alt.is_none_or(|a| score > a.1)
        {
            alt = Some((name, score));
        }
    }
    alt.unwrap_or(best)
}

/// The lines `range` of `text`, flattened.
fn region(text: &str, range: (usize, usize)) -> String {
    // Context before the match: a header often names its licence just above the matched text.
    let from = range.0.saturating_sub(6);
    flatten(&text.lines().skip(from).take(range.1.saturating_sub(from)).collect::<Vec<_>>().join("\n"))
}

/// Whether a flattened text names the licence (the words of its full name before the version).
fn mentions(flat: &str, id: &str) -> bool {
    let Some(l) = spdx::license_id(id) else { return false };
    let words: Vec<String> = flatten(l.full_name)
        .split(' ')
        .take_while(|w| !w.chars().next().is_some_and(|c| c.is_ascii_digit()) && !w.starts_with('v'))
        .filter(|w| *w != "the")
        .map(str::to_string)
        .collect();
    !words.is_empty() && flat.contains(&words.join(" "))
}

/// Short statements that name licences instead of holding their text: `This project is dual-licensed
/// under the Unlicense and MIT licenses.` Only the explicit dual-licence form is read (it says the choice
/// is the user's: `OR`); each name must be an SPDX id or an alias, or nothing is returned.
pub fn dual_license_statement(text: &str, aliases: &super::Aliases) -> Option<String> {
    if text.len() > 2000 {
        return None;
    }
    let flat_text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = flat_text.to_ascii_lowercase();
    let start = lower.find("dual-licensed under ").or_else(|| lower.find("dual licensed under "))? + 20;
    let end = lower[start..].find(['.', ';', '\n']).map(|e| start + e).unwrap_or(lower.len());
    let phrase = &flat_text[start..end];
    let phrase = phrase.strip_prefix("the ").unwrap_or(phrase);
    let phrase = phrase.trim_end_matches(" licenses").trim_end_matches(" licences");
    let (a, b) = phrase.split_once(" and ").or_else(|| phrase.split_once(" or "))?;
    let mut ids = Vec::new();
    for name in [a, b] {
        let name =
            name.trim().trim_start_matches("the ").trim_end_matches(" license").trim_end_matches(" licence");
        match super::normalise(name, aliases) {
            super::Normalised::Mapped { expression, .. } if !expression.contains(' ') => ids.push(expression),
            _ => return None,
        }
    }
    Some(ids.join(" OR "))
}

fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Whether a file name is a licence-like file: LICENSE, LICENCE, COPYING, NOTICE, UNLICENSE in any case,
/// alone or followed by `.ext`, `-suffix` or `_suffix` (`LICENSE-MIT`, `COPYING.txt`, `NOTICE-BIN`), but not
/// source code that happens to be named so (`license.rs`).
pub fn is_license_file_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let stems = ["license", "licence", "copying", "notice", "unlicense", "copyright"];
    let Some(stem) = stems.iter().find(|s| lower.starts_with(**s)) else { return false };
    let rest = &lower[stem.len()..];
    let rest = rest.strip_prefix('s').unwrap_or(rest); // LICENSES.txt
    if rest.is_empty() {
        return true;
    }
    if !rest.starts_with(['.', '-', '_']) {
        return false;
    }
    const CODE: &[&str] = &[
        "rs", "py", "js", "mjs", "cjs", "ts", "tsx", "jsx", "go", "java", "kt", "c", "h", "cc", "cpp", "hpp",
        "cs", "rb", "php", "swift", "json", "yaml", "yml", "toml", "xml", "css", "scss", "sh", "class", "o",
        "pyc", "d.ts", "map", "png", "jpg", "gif", "svg", "ico", "pdf",
    ];
    let ext = lower.rsplit('.').next().unwrap_or("");
    !(lower.contains('.') && CODE.contains(&ext))
}

/// `SPDX-License-Identifier:` lines of a source text: (1-based line, the expression as written).
/// Only the first `max_lines` lines are read: the tag belongs in a file's header.
pub fn spdx_identifier_lines(text: &str, max_lines: usize) -> Vec<(u32, String)> {
    const TAG: &str = "SPDX-License-Identifier:";
    let mut out = Vec::new();
    for (i, line) in text.lines().take(max_lines).enumerate() {
        let Some(pos) = line.find(TAG) else { continue };
        let mut value = line[pos + TAG.len()..].trim();
        // Comment closers and string quotes that follow the tag in source files.
        for end in ["*/", "-->", "\"", "'", "#}", "*)"] {
            if let Some(p) = value.find(end) {
                value = value[..p].trim();
            }
        }
        let value = value.trim_end_matches([';', ',']).trim();
        if !value.is_empty() && value.len() <= 200 {
            out.push((i as u32 + 1, value.to_string()));
        }
    }
    out
}

/// The scan as it was before our own store (the spdx crate's store and scanner): the identity test's
/// reference, [`detect_text_spdx`].
mod spdx_reference {
    use std::sync::OnceLock;

    use spdx::detection::scan::Scanner;
    use spdx::detection::{Store, TextData};

    use super::{choose, flatten, refine_with, region, Detected};

    fn store() -> Option<&'static Store> {
        static STORE: OnceLock<Option<Store>> = OnceLock::new();
        STORE.get_or_init(|| Store::load_inline().ok()).as_ref()
    }

    /// The n-gram scan over the whole store (decoded on first use).
    pub(super) fn scan(text: &str, data: TextData, floor: f32) -> Vec<Detected> {
        let Some(store) = store() else { return Vec::new() };
        let scanner = Scanner::new(store).confidence_threshold(floor).optimize(true).max_passes(16);
        let result = scanner.scan(&data);
        let mut found: Vec<Detected> = Vec::new();
        let mut push = |d: Detected| match found.iter_mut().find(|f| f.id == d.id) {
            Some(f) if f.score < d.score => *f = d,
            Some(_) => {}
            None => found.push(d),
        };
        if result.containing.is_empty() {
            if let Some(l) = result.license.filter(|_| result.score >= floor) {
                let (id, score) = refine(store, &data, &flatten(text), (l.name, result.score), floor);
                push(Detected { id: id.to_string(), score, lines: None });
            }
        } else {
            for c in &result.containing {
                // The scanner names each region after its best candidate during elimination; near-identical
                // texts (MIT and Xnet) can be confused there, so every region is analysed again on its own.
                let view = data.with_view(c.line_range.0, c.line_range.1);
                let m = store.analyze(&view);
                let flat = region(text, c.line_range);
                let best = choose((c.license.name, c.score), (m.name, m.score), &flat);
                let (id, score) = refine(store, &view, &flat, best, floor);
                if score >= floor {
                    push(Detected { id: id.to_string(), score, lines: Some(c.line_range) });
                }
            }
            if let Some(l) = result.license.filter(|_| result.score >= floor) {
                let (id, score) = refine(store, &data, &flatten(text), (l.name, result.score), floor);
                push(Detected { id: id.to_string(), score, lines: None });
            }
        }
        found.sort_by(|a, b| a.id.cmp(&b.id));
        found
    }

    /// [`super::refine`] over the spdx crate's store.
    fn refine<'a>(
        store: &'a Store,
        data: &TextData,
        flat: &str,
        best: (&'a str, f32),
        floor: f32,
    ) -> (&'a str, f32) {
        refine_with(flat, best, floor, |id| {
            let name = store.licenses().find(|n| n.as_str() == id)?;
            Some((name.as_str(), data.match_score(store.get_original(name)?)))
        })
    }
}
