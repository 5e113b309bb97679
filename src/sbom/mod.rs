//! SBOM formats: one conversion module per format, from the one model.

mod cdx_license;
pub mod conformance;
pub mod cyclonedx;
pub mod cyclonedx_read;
pub mod import;
mod props;
mod provenance_read;
pub mod spdx;
pub mod spdx3;
pub mod spdx_read;

pub use import::{read, ReadError};

use sha2::{Digest, Sha256};

use crate::model::Inventory;

/// The output formats `--format` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// CycloneDX 1.6 JSON
    #[value(name = "cyclonedx-json")]
    CyclonedxJson,
    /// SPDX 2.3 JSON
    #[value(name = "spdx-json")]
    SpdxJson,
    /// SPDX 3.0.1 JSON-LD
    #[value(name = "spdx3-json")]
    Spdx3Json,
}

/// Serialises an inventory (already normalised) in a format, deterministically.
pub fn write(inv: &Inventory, format: Format) -> Vec<u8> {
    match format {
        Format::CyclonedxJson => cyclonedx::to_bytes(inv),
        Format::SpdxJson => spdx::to_bytes(inv),
        Format::Spdx3Json => spdx3::to_bytes(inv),
    }
}

/// A written document: pretty-printed JSON and a final newline. The buffer is reserved up front (about
/// 2 KB a component: untouched pages cost nothing) instead of doubling as it grows, and the value tree,
/// hundreds of thousands of small allocations for a large SBOM, is freed on another thread while the
/// caller writes the bytes out.
pub(crate) fn pretty_bytes(doc: serde_json::Value, components: usize) -> Vec<u8> {
    let out = pretty_bytes_of(&doc, components);
    free_later(doc);
    out
}

/// Drops `trees` on another thread, so that freeing a large document does not delay its caller. Should
/// the thread not start, the closure (and the trees) is dropped here.
pub(crate) fn free_later<T: Send + 'static>(trees: T) {
    let _ = std::thread::Builder::new().name("sbom-free".into()).spawn(move || drop(trees));
}

/// [`pretty_bytes`] of any serialisable document, which the caller keeps.
pub(crate) fn pretty_bytes_of<T: serde::Serialize>(doc: &T, components: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(2048 * (components + 32));
    serde_json::to_writer_pretty(&mut out, doc).expect("JSON documents always serialise");
    out.push(b'\n');
    out
}

/// A UUID-shaped identifier derived from the parts of a written document (everything but its timestamp
/// and the identifier itself), so the same content always gets the same one, and a document read back and
/// written again keeps it.
pub fn content_uuid(parts: &[&serde_json::Value]) -> String {
    let mut h = ContentHasher::default();
    for p in parts {
        h.add(p);
    }
    h.uuid()
}

/// [`content_uuid`] part by part, for parts that are not JSON values yet (a slice of elements hashes as
/// the array it becomes, without being copied into one). What serde_json writes goes straight into the
/// hash, with no copy of the serialised document.
#[derive(Default)]
pub struct ContentHasher(Sha256);

impl std::io::Write for ContentHasher {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl ContentHasher {
    /// Adds one part: its compact JSON, then a 0 byte.
    pub fn add<T: serde::Serialize + ?Sized>(&mut self, part: &T) {
        // Serialising to a writer that never fails only fails for maps with non-string keys, which no
        // document part has; such a part would hash as what was written of it.
        let _ = serde_json::to_writer(std::io::BufWriter::with_capacity(64 * 1024, &mut *self), part);
        self.0.update([0u8]);
    }

    pub fn uuid(self) -> String {
        let d = self.0.finalize();
        let mut b = [0u8; 16];
        b.copy_from_slice(&d[..16]);
        b[6] = (b[6] & 0x0f) | 0x50; // version 5 (name-based, SHA)
        b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
        let x = hex::encode(b);
        format!("{}-{}-{}-{}-{}", &x[..8], &x[8..12], &x[12..16], &x[16..20], &x[20..])
    }
}

/// A repository URL in a form that is a valid IRI: scp-like `git@host:o/r` becomes `ssh://git@host/o/r`.
pub fn iri_url(url: &str) -> String {
    if url.contains("://") {
        return url.to_string();
    }
    if let Some((user_host, path)) = url.split_once(':') {
        if user_host.contains('@') && !user_host.contains('/') {
            return format!("ssh://{user_host}/{}", path.trim_start_matches('/'));
        }
    }
    if url.starts_with('/') {
        return format!("file://{url}");
    }
    url.to_string()
}
