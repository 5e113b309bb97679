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
    let mut out = Vec::with_capacity(2048 * (components + 32));
    serde_json::to_writer_pretty(&mut out, &doc).expect("JSON documents always serialise");
    out.push(b'\n');
    free_later(doc);
    out
}

/// Drops `trees` on another thread, so that freeing a large document does not delay its caller. Should
/// the thread not start, the closure (and the trees) is dropped here.
pub(crate) fn free_later<T: Send + 'static>(trees: T) {
    let _ = std::thread::Builder::new().name("sbom-free".into()).spawn(move || drop(trees));
}

/// Appends to `out` the pretty form of compact JSON (what `serde_json::to_writer` writes): byte for byte
/// what `serde_json::to_writer_pretty` writes for the same value (two-space indentation, `": "` after
/// keys, `[]` and `{}` for empty containers). Compact JSON has no white space outside strings, so the
/// layout follows from the brackets, commas and colons met outside strings alone. This lets a writer
/// serialise a large document once, hash parts of the compact bytes, and print it, instead of serialising
/// it twice.
pub(crate) fn pretty_from_compact(compact: &[u8], out: &mut Vec<u8>) {
    fn newline(out: &mut Vec<u8>, depth: usize) {
        out.push(b'\n');
        out.resize(out.len() + 2 * depth, b' ');
    }
    let mut depth = 0usize;
    let mut i = 0;
    while i < compact.len() {
        let c = compact[i];
        match c {
            b'"' => {
                // The whole string, escapes included: up to the first quote not escaped.
                let mut j = i + 1;
                loop {
                    match memchr::memchr2(b'"', b'\\', &compact[j..]) {
                        Some(k) if compact[j + k] == b'\\' => j += k + 2,
                        Some(k) => {
                            j += k + 1;
                            break;
                        }
                        None => {
                            j = compact.len();
                            break;
                        }
                    }
                }
                let j = j.min(compact.len());
                out.extend_from_slice(&compact[i..j]);
                i = j;
                continue;
            }
            b'{' | b'[' => {
                let close = if c == b'{' { b'}' } else { b']' };
                if compact.get(i + 1) == Some(&close) {
                    out.extend_from_slice(&[c, close]);
                    i += 2;
                    continue;
                }
                out.push(c);
                depth += 1;
                newline(out, depth);
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                newline(out, depth);
                out.push(c);
            }
            b',' => {
                out.push(b',');
                newline(out, depth);
            }
            b':' => out.extend_from_slice(b": "),
            _ => out.push(c),
        }
        i += 1;
    }
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

    /// Adds one part already serialised compact (what [`ContentHasher::add`] would serialise), then a 0
    /// byte.
    pub fn add_compact(&mut self, json: &[u8]) {
        self.0.update(json);
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

#[cfg(test)]
mod tests {
    use super::pretty_from_compact;
    use serde_json::json;

    #[test]
    fn pretty_from_compact_is_what_serde_json_prints() {
        let values = [
            json!(null),
            json!([]),
            json!({}),
            json!("a \"quoted\" \\ back\\slash\\\" ] } , : [ { and \n\t\u{1} é ☃ 𝄞"),
            json!([1, -2.5, 1e300, true, false, null, "x", [], {}, [[]], [{}], {"a": []}]),
            json!({"k": {"nested": {"deeper": [1, {"x": "y"}, []]}}, "": "", "a,b": "c:d", "q\"": "\\"}),
            json!([{"name": "sovereign:x", "value": "[{\"}]"}, {"name": "", "value": ","}]),
        ];
        for v in &values {
            let compact = serde_json::to_vec(v).unwrap();
            let mut out = Vec::new();
            pretty_from_compact(&compact, &mut out);
            let expected = serde_json::to_vec_pretty(v).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), String::from_utf8(expected).unwrap(), "{v}");
        }
    }
}
