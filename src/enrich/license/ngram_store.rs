//! Our own copy of the spdx crate's licence detection store (askalono's: every SPDX licence's text, its
//! alternate texts and its standard headers, each as a multiset of word bigrams), generated from it and
//! committed as `ngram_store.bin` (zstd). At run time it is decoded once, on the first text the fast path
//! does not answer, into an inverted index (bigram -> the entries holding it, with their counts), so that
//! scoring a text against every entry costs the postings of the text's own bigrams, not the whole store.
//!
//! Regenerate: `SOVEREIGN_REGEN_NGRAM_STORE=1 cargo test --lib ngram_store_is_current` (the test fails
//! when the committed store is not what the spdx crate's store decodes to).

use std::io::Read;
use std::sync::OnceLock;

use super::askalono::Grams;

static STORE_BIN: &[u8] = include_bytes!("ngram_store.bin");
const MAGIC: &[u8] = b"sovereign-ngram-store-1\n";

/// What a store entry is, in the order askalono's `Store::analyze` visits them for one licence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Original = 0,
    Alternate = 1,
    Header = 2,
}

/// One text of the store: a licence's original text, one of its alternates or one of its headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub kind: Kind,
    /// The number of bigrams, with multiplicity.
    pub size: u32,
}

/// The best entry for a text and its score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    pub entry: usize,
    pub score: f32,
}

/// The decoded store: entries sorted by (name, kind, position), the sorted bigram vocabulary, and each
/// bigram's postings (entry << 16 | count, by entry).
pub struct Index {
    pub entries: Vec<Entry>,
    blob: Vec<u8>,
    offs: Vec<u32>,
    post_start: Vec<u32>,
    post: Vec<u32>,
}

impl Index {
    /// The committed store, decoded on first use (`None` only if the embedded file is corrupt).
    pub fn get() -> Option<&'static Index> {
        static INDEX: OnceLock<Option<Index>> = OnceLock::new();
        INDEX
            .get_or_init(|| {
                let mut raw = Vec::new();
                zstd::Decoder::new(STORE_BIN).ok()?.read_to_end(&mut raw).ok()?;
                Index::decode(&raw)
            })
            .as_ref()
    }

    pub fn gram(&self, id: usize) -> &str {
        std::str::from_utf8(&self.blob[self.offs[id] as usize..self.offs[id + 1] as usize]).unwrap_or("")
    }

    pub fn grams(&self) -> usize {
        self.offs.len() - 1
    }

    /// The vocabulary id of a bigram.
    pub fn gram_id(&self, gram: &str) -> Option<u32> {
        let (mut lo, mut hi) = (0usize, self.grams());
        let g = gram.as_bytes();
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.blob[self.offs[mid] as usize..self.offs[mid + 1] as usize].cmp(g) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid as u32),
            }
        }
        None
    }

    fn postings(&self, gram: u32) -> &[u32] {
        &self.post[self.post_start[gram as usize] as usize..self.post_start[gram as usize + 1] as usize]
    }

    /// The entry of a licence's original text.
    pub fn original(&self, name: &str) -> Option<usize> {
        let i = self.entries.partition_point(|e| e.name.as_str() < name);
        self.entries.get(i).filter(|e| e.name == name && e.kind == Kind::Original).map(|_| i)
    }

    /// askalono's dice coefficient of a text and an entry (`NgramSet::dice`, computed the same way so the
    /// f32 result is bit for bit the same).
    pub fn score(&self, text: &Grams, entry: usize) -> f32 {
        let mut matches = 0u32;
        for &(g, c) in &text.known {
            let p = self.postings(g);
            let e = entry as u32;
            if let Ok(i) = p.binary_search_by_key(&e, |x| x >> 16) {
                matches += c.min(p[i] & 0xffff);
            }
        }
        dice(matches, text.size, self.entries[entry].size as usize)
    }

    /// askalono's `Store::analyze`: the entry scoring highest against the text. Among equal scores the
    /// first entry in (name, kind, position) order (askalono: whichever its hash map yields first).
    pub fn analyze(&self, text: &Grams) -> Match {
        let mut acc = vec![0u32; self.entries.len()];
        for &(g, c) in &text.known {
            for &p in self.postings(g) {
                acc[(p >> 16) as usize] += c.min(p & 0xffff);
            }
        }
        let mut best = Match { entry: 0, score: f32::NEG_INFINITY };
        for (i, (m, e)) in acc.iter().zip(&self.entries).enumerate() {
            let s = dice(*m, text.size, e.size as usize);
            if s > best.score {
                best = Match { entry: i, score: s };
            }
        }
        best
    }

    fn decode(raw: &[u8]) -> Option<Index> {
        let mut r = Reader { buf: raw.strip_prefix(MAGIC)?, pos: 0 };
        let n = r.varint()? as usize;
        let mut entries = Vec::with_capacity(n);
        for _ in 0..n {
            let len = r.varint()? as usize;
            let name = String::from_utf8(r.bytes(len)?.to_vec()).ok()?;
            let kind = match r.bytes(1)?[0] {
                0 => Kind::Original,
                1 => Kind::Alternate,
                2 => Kind::Header,
                _ => return None,
            };
            entries.push(Entry { name, kind, size: r.varint()? });
        }
        let grams = r.varint()? as usize;
        let mut blob: Vec<u8> = Vec::new();
        let mut offs = Vec::with_capacity(grams + 1);
        offs.push(0u32);
        let mut prev = 0usize;
        for _ in 0..grams {
            let shared = r.varint()? as usize;
            let len = r.varint()? as usize;
            let start = blob.len();
            blob.extend_from_within(prev..prev + shared);
            blob.extend_from_slice(r.bytes(len)?);
            prev = start;
            offs.push(blob.len() as u32);
        }
        let mut post_start = Vec::with_capacity(grams + 1);
        post_start.push(0u32);
        let mut post = Vec::new();
        for _ in 0..grams {
            let k = r.varint()?;
            let mut e = 0u32;
            for _ in 0..k {
                e += r.varint()?;
                post.push(e << 16 | r.varint()?);
            }
            post_start.push(post.len() as u32);
        }
        blob.shrink_to_fit();
        post.shrink_to_fit();
        (r.pos == r.buf.len()).then_some(Index { entries, blob, offs, post_start, post })
    }
}

fn dice(matches: u32, a: usize, b: usize) -> f32 {
    if a == 0 || b == 0 {
        return 0f32;
    }
    (2.0 * matches as f32) / ((a + b) as f32)
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let b = self.buf.get(self.pos..self.pos + n)?;
        self.pos += n;
        Some(b)
    }
    fn varint(&mut self) -> Option<u32> {
        let mut v = 0u32;
        for shift in (0..35).step_by(7) {
            let b = *self.buf.get(self.pos)?;
            self.pos += 1;
            v |= u32::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
    fn u16(&mut self) -> Option<usize> {
        Some(u16::from_le_bytes(self.bytes(2)?.try_into().ok()?) as usize)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.bytes(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.bytes(8)?.try_into().ok()?))
    }
    fn string(&mut self) -> Option<String> {
        let n = self.u16()?;
        String::from_utf8(self.bytes(n)?.to_vec()).ok()
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// One text of the spdx crate's store as decoded by [`parse_spdx_cache`]: its bigrams and their counts.
type SpdxText = (Vec<(String, u32)>, u64);

/// Reads the spdx crate's detection cache (`spdx/src/detection/cache.bin.zstd`, the format of its
/// `cache.rs`): per licence, the original text's n-grams, aliases, headers and alternates.
fn parse_spdx_cache(cache: &[u8]) -> Option<Vec<(String, Kind, SpdxText)>> {
    let body = cache.strip_prefix(b"spdx-crate-01")?;
    let mut raw = Vec::new();
    zstd::Decoder::new(body).ok()?.read_to_end(&mut raw).ok()?;
    let mut r = Reader { buf: &raw, pos: 0 };
    fn text(r: &mut Reader<'_>) -> Option<SpdxText> {
        let n = r.u16()?;
        let mut grams = Vec::with_capacity(n);
        for _ in 0..n {
            let g = r.string()?;
            grams.push((g, r.u32()?));
        }
        let _n = r.bytes(1)?;
        let size = r.u64()?;
        let (_v0, _v1) = (r.u64()?, r.u64()?);
        for _ in 0..r.u16()? {
            r.string()?;
        }
        r.string()?;
        Some((grams, size))
    }
    let mut out = Vec::new();
    for _ in 0..r.u16()? {
        let name = r.string()?;
        out.push((name.clone(), Kind::Original, text(&mut r)?));
        for _ in 0..r.u16()? {
            r.string()?; // aliases
        }
        let headers: Vec<SpdxText> = (0..r.u16()?).map(|_| text(&mut r)).collect::<Option<_>>()?;
        let alternates: Vec<SpdxText> = (0..r.u16()?).map(|_| text(&mut r)).collect::<Option<_>>()?;
        out.extend(alternates.into_iter().map(|t| (name.clone(), Kind::Alternate, t)));
        out.extend(headers.into_iter().map(|t| (name.clone(), Kind::Header, t)));
    }
    (r.pos == raw.len()).then_some(out)
}

/// The store's uncompressed encoding, built from the spdx crate's detection cache (`cache` is the file's
/// bytes). Entries sorted by (name, kind) (stable: alternates and headers keep the spdx crate's order).
pub fn build(cache: &[u8]) -> Option<Vec<u8>> {
    let mut texts = parse_spdx_cache(cache)?;
    texts.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    assert!(texts.len() < 1 << 16, "entry ids are 16 bits");
    let mut vocab: Vec<&str> = texts.iter().flat_map(|t| t.2 .0.iter().map(|(g, _)| g.as_str())).collect();
    vocab.sort_unstable();
    vocab.dedup();
    let mut postings: Vec<Vec<(u32, u32)>> = vec![Vec::new(); vocab.len()];
    for (e, (_, _, (grams, size))) in texts.iter().enumerate() {
        assert_eq!(*size, grams.iter().map(|g| u64::from(g.1)).sum::<u64>(), "size is the multiset's");
        for (g, c) in grams {
            assert!(*c < 1 << 16, "counts are 16 bits");
            postings[vocab.binary_search(&g.as_str()).ok()?].push((e as u32, *c));
        }
    }
    let mut out = MAGIC.to_vec();
    put_varint(&mut out, texts.len() as u32);
    for (name, kind, (_, size)) in &texts {
        put_varint(&mut out, name.len() as u32);
        out.extend_from_slice(name.as_bytes());
        out.push(*kind as u8);
        put_varint(&mut out, u32::try_from(*size).ok()?);
    }
    put_varint(&mut out, vocab.len() as u32);
    let mut prev = "";
    for g in &vocab {
        let shared = prev.bytes().zip(g.bytes()).take_while(|(a, b)| a == b).count();
        let shared = (0..=shared).rev().find(|&s| g.is_char_boundary(s)).unwrap_or(0);
        put_varint(&mut out, shared as u32);
        put_varint(&mut out, (g.len() - shared) as u32);
        out.extend_from_slice(&g.as_bytes()[shared..]);
        prev = g;
    }
    for p in &postings {
        put_varint(&mut out, p.len() as u32);
        let mut last = 0;
        for &(e, c) in p {
            put_varint(&mut out, e - last);
            put_varint(&mut out, c);
            last = e;
        }
    }
    Some(out)
}

/// The spdx crate's detection cache file (generator and test only): the version `Cargo.lock` pins, in
/// cargo's registry sources (`$CARGO_HOME`, else `~/.cargo`), where cargo unpacked it to build it.
/// (`cargo metadata --offline` is not used: it resolves every platform's dependencies and fails offline on
/// a Windows-only crate the registry cache lacks.)
pub fn spdx_cache_file() -> Option<std::path::PathBuf> {
    use std::path::PathBuf;
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock")).ok()?;
    let version = lock.split("[[package]]").find_map(|p| {
        let field =
            |key: &str| p.lines().find_map(|l| l.strip_prefix(key)).map(|v| v.trim().trim_matches('"'));
        (field("name = ") == Some("spdx")).then(|| field("version = ")).flatten()
    })?;
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    let mut indexes: Vec<PathBuf> =
        std::fs::read_dir(home.join("registry/src")).ok()?.flatten().map(|e| e.path()).collect();
    indexes.sort();
    indexes
        .into_iter()
        .map(|i| i.join(format!("spdx-{version}/src/detection/cache.bin.zstd")))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ngram_store_is_current() {
        let cache =
            std::fs::read(spdx_cache_file().expect("the spdx crate's sources are in cargo's registry"))
                .unwrap();
        let raw = build(&cache).expect("the spdx crate's cache parses");
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/enrich/license/ngram_store.bin");
        if std::env::var_os("SOVEREIGN_REGEN_NGRAM_STORE").is_some() {
            std::fs::write(path, zstd::encode_all(&raw[..], 19).unwrap()).unwrap();
        }
        let committed = zstd::decode_all(&std::fs::read(path).unwrap()[..]).unwrap();
        assert!(committed == raw, "ngram_store.bin is stale: regenerate it (see ngram_store.rs)");
        let index = Index::decode(&raw).unwrap();
        let store = spdx::detection::Store::load_inline().unwrap();
        let originals = index.entries.iter().filter(|e| e.kind == Kind::Original).count();
        assert_eq!(originals, store.len());
        let mut expected = 0;
        for (name, entry) in store.iter() {
            assert!(index.original(name).is_some(), "{name}");
            expected += 1 + entry.alternates.len() + entry.headers.len();
        }
        assert_eq!(index.entries.len(), expected);
        let kinds = [Kind::Original, Kind::Alternate, Kind::Header]
            .map(|k| index.entries.iter().filter(|e| e.kind == k).count());
        eprintln!(
            "{} entries (original, alternate, header: {kinds:?}), {} bigrams, {} postings, {} vocabulary bytes, {} \
             bytes raw",
            index.entries.len(),
            index.grams(),
            index.post.len(),
            index.blob.len(),
            raw.len()
        );
        assert!(index.gram_id("permission is").is_some() && index.gram_id("zz qq xx").is_none());
        for id in 0..index.grams() {
            assert_eq!(index.gram_id(index.gram(id)), Some(id as u32));
        }
    }
}
