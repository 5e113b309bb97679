//! Reading SBOMs back into the model: format detection and the helpers the readers share.
//!
//! [`read`] takes the bytes of a CycloneDX (1.4–1.6) or SPDX 2.3 JSON document, made by sovereign or by
//! another tool, and returns an [`Inventory`]. What the document says that the model cannot hold, or that
//! looks wrong, becomes a diagnostic on the inventory; only a document that is not JSON, or not an SBOM
//! format we read, is an error.
//!
//! Memory: the bytes are scanned once to find the format (nothing is built), then read once more, one
//! component or package at a time, straight into the model: the document is never built in memory as a
//! whole.

use serde::de::IgnoredAny;
use serde::Deserialize;

use crate::model::{Diagnostic, Inventory, Location, Severity};

/// Why a document could not be read at all. Problems inside a readable document are diagnostics.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Not JSON (or truncated, or nested too deeply).
    #[error("`{path}` is not valid JSON (line {line}, column {column}): {message}")]
    Json { path: String, line: usize, column: usize, message: String },
    /// JSON, but neither CycloneDX nor SPDX.
    #[error("`{path}` is neither a CycloneDX nor an SPDX JSON document (no `bomFormat` or `spdxVersion`)")]
    UnknownFormat { path: String },
    /// A format we recognise in a version we do not read.
    #[error("`{path}`: {format} version `{version}` is not supported ({supported})")]
    UnsupportedVersion { path: String, format: &'static str, version: String, supported: &'static str },
}

impl ReadError {
    pub(crate) fn json(path: &str, e: &serde_json::Error) -> Self {
        let message = e.to_string();
        // serde_json appends " at line L column C"; the fields carry them already.
        let message = match message.rfind(" at line ") {
            Some(i) => message[..i].to_string(),
            None => message,
        };
        ReadError::Json { path: path.to_string(), line: e.line(), column: e.column(), message }
    }
}

/// The SBOM formats [`read`] recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentFormat {
    CycloneDx,
    Spdx2,
    Spdx3,
}

/// The top-level keys that tell the formats apart; every other key is skipped without being built.
#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "bomFormat", default)]
    bom_format: Option<IgnoredAny>,
    #[serde(rename = "spdxVersion", default)]
    spdx_version: Option<IgnoredAny>,
    #[serde(rename = "@context", default)]
    context: Option<IgnoredAny>,
}

/// Which format a JSON document is in, by its top-level keys.
pub fn detect(bytes: &[u8], path: &str) -> Result<DocumentFormat, ReadError> {
    // Only an object can be an SBOM (a derived struct would also accept an array).
    if let Some(first) = bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        if *first != b'{' && serde_json::from_slice::<IgnoredAny>(bytes).is_ok() {
            return Err(ReadError::UnknownFormat { path: path.to_string() });
        }
    }
    let probe: Probe = serde_json::from_slice(bytes).map_err(|e| {
        if e.is_data() {
            ReadError::UnknownFormat { path: path.to_string() }
        } else {
            ReadError::json(path, &e)
        }
    })?;
    if probe.bom_format.is_some() {
        Ok(DocumentFormat::CycloneDx)
    } else if probe.spdx_version.is_some() {
        Ok(DocumentFormat::Spdx2)
    } else if probe.context.is_some() {
        Ok(DocumentFormat::Spdx3)
    } else {
        Err(ReadError::UnknownFormat { path: path.to_string() })
    }
}

/// Reads a CycloneDX JSON (1.4–1.6) or SPDX 2.3 JSON document into a normalised inventory.
///
/// `path` names the document in diagnostics and as the source of the facts read from it. The format is
/// detected from the content. Never panics on any input.
pub fn read(bytes: &[u8], path: &str) -> Result<Inventory, ReadError> {
    match detect(bytes, path)? {
        DocumentFormat::CycloneDx => super::cyclonedx_read::read(bytes, path),
        DocumentFormat::Spdx2 => super::spdx_read::read(bytes, path),
        DocumentFormat::Spdx3 => Err(ReadError::UnsupportedVersion {
            path: path.to_string(),
            format: "SPDX",
            version: "3 (JSON-LD)".into(),
            supported: "sovereign reads SPDX 2.3 JSON; it writes SPDX 3.0.1",
        }),
    }
}

/// Parses a `path:line` location as the writers print it. The line is taken only when the text after the
/// last `:` is a number written in its canonical form, so printing the result gives the same text back.
pub(crate) fn parse_location(s: &str) -> Location {
    if let Some((path, line)) = s.rsplit_once(':') {
        if let Ok(n) = line.parse::<u32>() {
            if n.to_string() == line && !path.is_empty() {
                return Location::new(path, Some(n));
            }
        }
    }
    Location::new(s, None)
}

/// Parses a diagnostic as [`Diagnostic`]'s `Display` prints it: `severity[code] file:line: message` or
/// `severity[code]: message`. `None` when the text does not have that shape.
pub(crate) fn parse_diagnostic(s: &str) -> Option<Diagnostic> {
    let (sev, rest) = s.split_once('[')?;
    let severity = match sev {
        "note" => Severity::Note,
        "warning" => Severity::Warning,
        "error" => Severity::Error,
        _ => return None,
    };
    let (code, rest) = rest.split_once(']')?;
    if code.is_empty() || code.contains(char::is_whitespace) {
        return None;
    }
    if let Some(message) = rest.strip_prefix(": ") {
        return Some(Diagnostic::new(severity, code, message));
    }
    let rest = rest.strip_prefix(' ')?;
    let (loc, message) = rest.split_once(": ")?;
    let mut d = Diagnostic::new(severity, code, message);
    d.location = Some(parse_location(loc));
    Some(d)
}

/// Collects the reader's own findings, counting repeated ones so a large document with one systematic
/// problem gives one diagnostic, not a million.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    counts: std::collections::BTreeMap<(Severity, &'static str), (usize, String)>,
}

impl Findings {
    /// Records one occurrence; the first occurrence's example is kept.
    pub(crate) fn add(&mut self, severity: Severity, code: &'static str, example: impl FnOnce() -> String) {
        self.counts.entry((severity, code)).or_insert_with(|| (0, example())).0 += 1;
    }

    /// The diagnostics, each naming the document and how often the problem occurred.
    pub(crate) fn into_diagnostics(self, path: &str) -> Vec<Diagnostic> {
        self.counts
            .into_iter()
            .map(|((severity, code), (n, example))| {
                let message =
                    if n == 1 { example } else { format!("{example} (and {} more like it)", n - 1) };
                Diagnostic::new(severity, code, message).at(path, None)
            })
            .collect()
    }
}

/// The ecosystem of a purl type; anything sovereign has no ecosystem for is `generic`.
pub(crate) fn ecosystem_of_purl_type(ty: &str) -> crate::model::Ecosystem {
    serde_json::from_value(serde_json::Value::String(ty.to_ascii_lowercase()))
        .unwrap_or(crate::model::Ecosystem::Generic)
}

/// The type, namespace, name and version of a purl, when it parses.
pub(crate) fn purl_parts(purl: &str) -> Option<(String, Option<String>, String, Option<String>)> {
    let p: packageurl::PackageUrl = purl.parse().ok()?;
    Some((
        p.ty().to_string(),
        p.namespace().map(str::to_string),
        p.name().to_string(),
        p.version().map(str::to_string),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_parse_back_to_the_same_text() {
        for s in [
            "error[invalid-toml] crates/a/Cargo.toml:12: expected `=`",
            "warning[dangling-edge]: 3 dependency edge(s) named a component: dropped",
            "note[no-lockfile] Cargo.toml: no lockfile",
            "note[x] a:012: leading zero is part of the path",
        ] {
            let d = parse_diagnostic(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(d.to_string(), s);
        }
        assert_eq!(
            parse_diagnostic("error[invalid-toml] a.toml:3: bad").unwrap().location.unwrap().line,
            Some(3)
        );
        assert!(parse_diagnostic("free text").is_none());
        assert!(parse_diagnostic("fatal[x]: y").is_none());
    }
}
