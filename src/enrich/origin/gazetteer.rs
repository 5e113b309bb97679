//! Free-text location → country, offline ("Seoul", "Hangzhou, Zhejiang", "대한민국", "SF Bay Area").
//!
//! The table (`rules/origins/gazetteer.tsv`) is generated from GeoNames by `tools/gen_gazetteer.py` and
//! embedded. The matcher never guesses: a name shared by places in several countries ("Georgia",
//! "Victoria", "Cambridge") stays unknown unless another part of the text decides it ("Atlanta,
//! Georgia"), and words that name no country ("Remote", "Earth") are ignored. There is no fuzzy fallback.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

const TABLE: &str = include_str!("../../../rules/origins/gazetteer.tsv");
/// Longer inputs are cut: a location is a short text.
const MAX_INPUT_CHARS: usize = 200;

/// How specific the text was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PlaceLevel {
    City = 1,
    Region = 2,
    Country = 3,
}

/// A resolved location.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// 0..1: 1 for a country name, lower for a region, a city, a city whose name other countries share.
    pub confidence: f64,
    pub level: PlaceLevel,
    /// The parts of the text that matched, joined with `+`.
    pub matched: String,
}

#[derive(Debug, Clone, Copy)]
struct Cand {
    cc: [u8; 2],
    level: PlaceLevel,
    pop: u64,
}

/// The embedded gazetteer.
#[derive(Debug)]
pub struct Gazetteer {
    /// key -> candidates; an empty list is a word that names no country.
    map: HashMap<String, Vec<Cand>>,
}

type Pieces = Vec<(String, BTreeMap<[u8; 2], (PlaceLevel, u64)>)>;

impl Gazetteer {
    /// The built-in table, parsed once.
    pub fn builtin() -> &'static Gazetteer {
        static G: OnceLock<Gazetteer> = OnceLock::new();
        G.get_or_init(|| Gazetteer::parse(TABLE))
    }

    fn parse(text: &str) -> Gazetteer {
        let mut map = HashMap::new();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let Some((key, cands)) = line.split_once('\t') else { continue };
            let mut v = Vec::new();
            if cands != "-" {
                for c in cands.split(',') {
                    let mut parts = c.split(':');
                    let (Some(cc), Some(kind), Some(pop)) = (parts.next(), parts.next(), parts.next()) else {
                        continue;
                    };
                    let b = cc.as_bytes();
                    if b.len() != 2 {
                        continue;
                    }
                    let level = match kind {
                        "c" | "s" => PlaceLevel::Country,
                        "k" if key.len() == 3 => PlaceLevel::Country,
                        "k" | "a" | "b" => PlaceLevel::Region,
                        _ => PlaceLevel::City,
                    };
                    v.push(Cand { cc: [b[0], b[1]], level, pop: pop.parse().unwrap_or(0) });
                }
            }
            map.insert(key.to_string(), v);
        }
        Gazetteer { map }
    }

    /// Number of names in the table.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The country a free-text location names, or `None` when it names none or is ambiguous.
    pub fn locate(&self, text: &str) -> Option<Place> {
        let text: String = text.chars().take(MAX_INPUT_CHARS).collect();
        if let Some(cc) = flag(&text) {
            return Some(Place {
                country: cc,
                confidence: 1.0,
                level: PlaceLevel::Country,
                matched: "flag".into(),
            });
        }
        let norm = normalise(&text);
        if norm.is_empty() {
            return None;
        }
        let mut pieces: Pieces = Vec::new();
        if !self.piece(&norm, &mut pieces) {
            for token in norm.split([',', '/', '|', ';', '·', '(', ')', '，', '、', '&', '•', '\n', '@'])
            {
                let token = token.trim().trim_matches(|c: char| c == '.' || c == '-' || c == '_').trim();
                if token.is_empty() || self.piece(token, &mut pieces) {
                    continue;
                }
                self.scan(token, &mut pieces);
            }
        }
        decide(pieces)
    }

    /// Looks a whole string up; true when the table knows it (even as a no-country word).
    fn piece(&self, key: &str, pieces: &mut Pieces) -> bool {
        match self.map.get(key) {
            Some(cands) => {
                if !cands.is_empty() {
                    pieces.push((key.to_string(), group(cands)));
                }
                true
            }
            None => false,
        }
    }

    /// Word n-grams (Latin) or substrings (other scripts) of a token, longest first, left to right.
    fn scan(&self, token: &str, pieces: &mut Pieces) {
        let latin = token.chars().all(|c| (c as u32) < 0x250);
        if latin {
            let words: Vec<&str> = token.split_whitespace().collect();
            if words.len() > 6 {
                return;
            }
            let mut i = 0;
            while i < words.len() {
                let mut step = 1;
                for len in (1..=(words.len() - i).min(4)).rev() {
                    let key = words[i..i + len].join(" ");
                    if len == 1 && key.len() <= 2 {
                        continue; // two-letter codes only count as a whole token
                    }
                    if self.piece(&key, pieces) {
                        step = len;
                        break;
                    }
                }
                i += step;
            }
        } else {
            let chars: Vec<char> = token.chars().filter(|c| !c.is_whitespace()).collect();
            let mut i = 0;
            while i < chars.len() {
                let mut step = 1;
                for len in (2..=(chars.len() - i).min(8)).rev() {
                    let key: String = chars[i..i + len].iter().collect();
                    if self.piece(&key, pieces) {
                        step = len;
                        break;
                    }
                }
                i += step;
            }
        }
    }
}

fn group(cands: &[Cand]) -> BTreeMap<[u8; 2], (PlaceLevel, u64)> {
    let mut m: BTreeMap<[u8; 2], (PlaceLevel, u64)> = BTreeMap::new();
    for c in cands {
        let e = m.entry(c.cc).or_insert((c.level, c.pop));
        e.0 = e.0.max(c.level);
        e.1 = e.1.max(c.pop);
    }
    m
}

/// Intersects the countries of every matched piece; a more specific level wins a conflict; equal-level
/// conflicts and leftover ambiguity give `None`.
fn decide(pieces: Pieces) -> Option<Place> {
    let mut it = pieces.into_iter();
    let (first_key, mut set) = it.next()?;
    let mut matched = vec![first_key];
    for (key, p) in it {
        matched.push(key);
        let inter: BTreeMap<[u8; 2], (PlaceLevel, u64)> =
            set.iter().filter_map(|(cc, a)| p.get(cc).map(|b| (*cc, (a.0.max(b.0), a.1.max(b.1))))).collect();
        if !inter.is_empty() {
            set = inter;
            continue;
        }
        let ls = set.values().map(|v| v.0).max()?;
        let lp = p.values().map(|v| v.0).max()?;
        match lp.cmp(&ls) {
            std::cmp::Ordering::Greater => set = p,
            std::cmp::Ordering::Less => {}
            std::cmp::Ordering::Equal => return None,
        }
    }
    let matched = matched.join("+");
    let cc_str = |cc: [u8; 2]| String::from_utf8_lossy(&cc).into_owned();
    if set.len() == 1 {
        let (cc, (level, _)) = set.into_iter().next()?;
        let confidence = match level {
            PlaceLevel::Country => 1.0,
            PlaceLevel::Region => 0.95,
            PlaceLevel::City => 0.9,
        };
        return Some(Place { country: cc_str(cc), confidence, level, matched });
    }
    // Several countries: only cities of very different sizes are decided (London GB vs London CA).
    if set.values().any(|v| v.0 != PlaceLevel::City) {
        return None;
    }
    let mut by_pop: Vec<([u8; 2], u64)> = set.iter().map(|(cc, v)| (*cc, v.1)).collect();
    by_pop.sort_by_key(|x| std::cmp::Reverse(x.1));
    let (top, p1) = by_pop[0];
    let p2 = by_pop[1].1;
    if p1 < p2.saturating_mul(10) {
        return None;
    }
    let confidence = 0.9 * (1.0 - p2 as f64 / p1 as f64);
    Some(Place { country: cc_str(top), confidence, level: PlaceLevel::City, matched })
}

fn normalise(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| match c {
            // full-width ASCII (NFKC for the common case)
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect();
    s.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A regional-indicator flag emoji (🇰🇷) → its country code.
fn flag(s: &str) -> Option<String> {
    let ri: Vec<u32> = s.chars().map(|c| c as u32).filter(|c| (0x1F1E6..=0x1F1FF).contains(c)).collect();
    if ri.len() != 2 {
        return None;
    }
    let a = char::from_u32(ri[0] - 0x1F1E6 + 'A' as u32)?;
    let b = char::from_u32(ri[1] - 0x1F1E6 + 'A' as u32)?;
    Some(format!("{a}{b}"))
}
