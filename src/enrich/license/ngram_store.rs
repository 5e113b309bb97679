//! Our own copy of the spdx crate's licence detection store (askalono's: every SPDX licence's text, its
//! alternate texts and its standard headers, each as a multiset of word bigrams), generated from it and
//! committed as `ngram_store.bin` (compact: varints, front-coded bigrams). `build.rs` lays it out flat as an
//! inverted index (bigram -> the entries holding it, with their counts) of fixed-width arrays, which the
//! binary embeds and reads in place: nothing is decoded at run time but the entries' names, and scoring a
//! text against every entry costs the postings of the text's own bigrams, not the whole store.
//!
//! Regenerate: `SOVEREIGN_REGEN_NGRAM_STORE=1 cargo test --lib ngram_store_is_current` (the test fails
//! when the committed store is not what the spdx crate's store decodes to).

use std::io::Read;
use std::sync::OnceLock;

use super::askalono::Grams;

/// `ngram_store.bin` as `build.rs` lays it out (see `Index::embedded`).
static STORE_FLAT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/ngram_store.flat"));
const MAGIC: &[u8] = b"sovereign-ngram-store-1\n";
const FLAT_MAGIC: &[u8] = b"sovereign-ngram-flat-1\n";

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

/// The store: entries sorted by (name, kind, position), the sorted bigram vocabulary, and each bigram's
/// postings (entry << 16 | count, by entry), read in place from the embedded bytes.
pub struct Index {
    pub entries: Vec<Entry>,
    blob: &'static [u8],
    offs: U32s,
    post_start: U32s,
    post: U32s,
}

/// A little-endian `u32` array in the embedded bytes (which have no alignment to cast them to `&[u32]`).
#[derive(Clone, Copy)]
struct U32s(&'static [u8]);

impl U32s {
    fn len(self) -> usize {
        self.0.len() / 4
    }
    fn get(self, i: usize) -> u32 {
        u32::from_le_bytes([self.0[4 * i], self.0[4 * i + 1], self.0[4 * i + 2], self.0[4 * i + 3]])
    }
    fn slice(self, from: usize, to: usize) -> U32s {
        U32s(&self.0[4 * from..4 * to])
    }
    fn iter(self) -> impl Iterator<Item = u32> {
        self.0.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

impl Index {
    /// The committed store (`None` only if the embedded bytes are corrupt). Only the entries' names are
    /// decoded, once per process.
    pub fn get() -> Option<&'static Index> {
        static INDEX: OnceLock<Option<Index>> = OnceLock::new();
        INDEX.get_or_init(|| Index::embedded(STORE_FLAT)).as_ref()
    }

    /// Reads the layout `build.rs` writes: the magic line, four u32 counts (entries, bigrams, postings,
    /// vocabulary bytes), the entries (u16 name length, name, u8 kind, u32 size), the bigram offsets into
    /// the vocabulary and the posting offsets (bigrams + 1 each), the postings, the vocabulary bytes.
    fn embedded(flat: &'static [u8]) -> Option<Index> {
        let mut r = Reader { buf: flat.strip_prefix(FLAT_MAGIC)?, pos: 0 };
        let [n, grams, posts, blob_len] = [r.u32()?, r.u32()?, r.u32()?, r.u32()?].map(|v| v as usize);
        let mut entries = Vec::with_capacity(n);
        for _ in 0..n {
            let name = r.string()?;
            let kind = match r.bytes(1)?[0] {
                0 => Kind::Original,
                1 => Kind::Alternate,
                2 => Kind::Header,
                _ => return None,
            };
            entries.push(Entry { name, kind, size: r.u32()? });
        }
        let offs = U32s(r.bytes(4 * (grams + 1))?);
        let post_start = U32s(r.bytes(4 * (grams + 1))?);
        let post = U32s(r.bytes(4 * posts)?);
        let blob = r.bytes(blob_len)?;
        // build.rs wrote these from the committed store, which `ngram_store_is_current` checks: only the
        // ends are checked here, not every offset and posting (that would read the whole store in).
        let consistent = r.pos == r.buf.len()
            && offs.get(grams) as usize == blob_len
            && post_start.get(grams) as usize == posts;
        consistent.then_some(Index { entries, blob, offs, post_start, post })
    }

    fn gram_bytes(&self, id: usize) -> &'static [u8] {
        &self.blob[self.offs.get(id) as usize..self.offs.get(id + 1) as usize]
    }

    pub fn gram(&self, id: usize) -> &str {
        std::str::from_utf8(self.gram_bytes(id)).unwrap_or("")
    }

    pub fn grams(&self) -> usize {
        self.offs.len() - 1
    }

    /// The vocabulary id of a bigram.
    pub fn gram_id(&self, gram: &str) -> Option<u32> {
        let g = gram.as_bytes();
        let i = partition_point(self.grams(), |id| self.gram_bytes(id) < g);
        (i < self.grams() && self.gram_bytes(i) == g).then_some(i as u32)
    }

    fn postings(&self, gram: u32) -> U32s {
        self.post.slice(
            self.post_start.get(gram as usize) as usize,
            self.post_start.get(gram as usize + 1) as usize,
        )
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
            let i = partition_point(p.len(), |k| p.get(k) >> 16 < e);
            if i < p.len() && p.get(i) >> 16 == e {
                matches += c.min(p.get(i) & 0xffff);
            }
        }
        dice(matches, text.size, self.entries[entry].size as usize)
    }

    /// askalono's `Store::analyze`: the entry scoring highest against the text. Among equal scores the
    /// first entry in (name, kind, position) order (askalono: whichever its hash map yields first).
    pub fn analyze(&self, text: &Grams) -> Match {
        let mut acc = vec![0u32; self.entries.len()];
        for &(g, c) in &text.known {
            for p in self.postings(g).iter() {
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
}

/// The first index in `0..n` where `before` no longer holds (`before` true for a prefix of the indices):
/// the binary search over the embedded arrays, which are not slices to call `partition_point` on.
fn partition_point(n: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
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
            std::fs::write(path, &raw).unwrap();
        }
        let committed = std::fs::read(path).unwrap();
        assert!(committed == raw, "ngram_store.bin is stale: regenerate it (see ngram_store.rs)");
        // What the binary embeds is what build.rs made of the committed file.
        let index = Index::get().unwrap();
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
        // What `Index::embedded` does not check at run time.
        let sorted = |a: U32s| a.iter().zip(a.iter().skip(1)).all(|(x, y)| x <= y);
        assert!(sorted(index.offs) && sorted(index.post_start));
        assert!(index.post.iter().all(|p| ((p >> 16) as usize) < index.entries.len() && p & 0xffff > 0));
        assert!(index.gram_id("permission is").is_some() && index.gram_id("zz qq xx").is_none());
        for id in 0..index.grams() {
            assert_eq!(index.gram_id(index.gram(id)), Some(id as u32));
        }
    }
}
