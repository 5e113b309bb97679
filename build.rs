//! Build step: the origin knowledge base's YAML files (`rules/origins/{orgs,signals,weights}.yaml`, the one
//! source of truth that people edit) are converted to JSON in `OUT_DIR`, which the binary embeds instead:
//! parsing 130 KB of YAML was most of a small scan's fixed cost (40 M instructions; JSON: about a tenth).
//! Nothing is downloaded and nothing of a scanned repository is involved. A malformed file fails the build
//! with its name and the parser's line and column.
//!
//! The licence n-gram store (`src/enrich/license/ngram_store.bin`, compact: varints and front-coded
//! bigrams) is laid out flat in `OUT_DIR/ngram_store.flat` (fixed-width little-endian arrays), which the
//! binary embeds and reads in place: decoding it at run time took 8 ms of every scan that met a licence
//! text the fast path does not answer. The layout is `ngram_store.rs`'s `Index::embedded`.

use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for name in ["orgs", "signals", "weights"] {
        let src = format!("rules/origins/{name}.yaml");
        println!("cargo:rerun-if-changed={src}");
        let text = std::fs::read_to_string(&src).unwrap_or_else(|e| panic!("{src}: {e}"));
        let value: serde_json::Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{src}: {e}"));
        let json = serde_json::to_vec(&value).expect("a JSON value serialises");
        std::fs::write(out.join(format!("{name}.json")), json).unwrap_or_else(|e| panic!("{src}: {e}"));
    }
    let store = "src/enrich/license/ngram_store.bin";
    println!("cargo:rerun-if-changed={store}");
    let compact = std::fs::read(store).unwrap_or_else(|e| panic!("{store}: {e}"));
    let flat = flatten_ngram_store(&compact).unwrap_or_else(|| panic!("{store}: not a valid store"));
    std::fs::write(out.join("ngram_store.flat"), flat).unwrap_or_else(|e| panic!("{store}: {e}"));
    println!("cargo:rerun-if-changed=build.rs");
}

/// The compact store (what `ngram_store::build` writes) laid out flat: the magic line, four u32 counts
/// (entries, bigrams, postings, vocabulary bytes), the entries (u16 name length, name, u8 kind, u32 size),
/// then the bigram offsets into the vocabulary (bigrams + 1), the posting offsets (bigrams + 1), the
/// postings (entry << 16 | count) as u32, and the vocabulary bytes. Integers little-endian.
fn flatten_ngram_store(compact: &[u8]) -> Option<Vec<u8>> {
    let mut r = Reader { buf: compact.strip_prefix(b"sovereign-ngram-store-1\n")?, pos: 0 };
    let n = r.varint()?;
    let mut entries = Vec::new();
    for _ in 0..n {
        let len = r.varint()? as usize;
        let name = r.bytes(len)?;
        entries.extend_from_slice(&u16::try_from(len).ok()?.to_le_bytes());
        entries.extend_from_slice(name);
        entries.push(*r.bytes(1)?.first().filter(|k| **k <= 2)?);
        entries.extend_from_slice(&r.varint()?.to_le_bytes());
    }
    let grams = r.varint()? as usize;
    let (mut blob, mut offs, mut prev) = (Vec::new(), vec![0u32], 0usize);
    for _ in 0..grams {
        let shared = r.varint()? as usize;
        let len = r.varint()? as usize;
        let start = blob.len();
        if prev + shared > start {
            return None;
        }
        blob.extend_from_within(prev..prev + shared);
        blob.extend_from_slice(r.bytes(len)?);
        prev = start;
        offs.push(u32::try_from(blob.len()).ok()?);
    }
    let (mut post_start, mut post) = (vec![0u32], Vec::new());
    for _ in 0..grams {
        let mut e = 0u32;
        for _ in 0..r.varint()? {
            e = e.checked_add(r.varint()?)?;
            post.push(e << 16 | r.varint()?);
        }
        post_start.push(u32::try_from(post.len()).ok()?);
    }
    if r.pos != r.buf.len() {
        return None;
    }
    let mut out = b"sovereign-ngram-flat-1\n".to_vec();
    for count in [n as usize, grams, post.len(), blob.len()] {
        out.extend_from_slice(&u32::try_from(count).ok()?.to_le_bytes());
    }
    out.extend_from_slice(&entries);
    for v in offs.iter().chain(&post_start).chain(&post) {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&blob);
    Some(out)
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let b = self.buf.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(b)
    }
    fn varint(&mut self) -> Option<u32> {
        let mut v = 0u32;
        for shift in (0..35).step_by(7) {
            let b = *self.bytes(1)?.first()?;
            v |= u32::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
}
