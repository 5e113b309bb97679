//! User curations (`--curations FILE`): purl patterns → country, with a reason. They win over every
//! other evidence and are shown as curations.

use serde::Deserialize;

use crate::model::{Component, Evidence, EvidenceKind};

/// Why a curations file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CurationError {
    #[error("cannot parse curations `{file}`: {message}")]
    Parse { file: String, message: String },
    #[error("curations `{file}`, entry {index} (`{purl}`): {message}")]
    Invalid { file: String, index: usize, purl: String, message: String },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    curations: Vec<RawCuration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCuration {
    purl: String,
    /// ISO 3166-1 alpha-2, or `unknown` to force the honest answer.
    country: String,
    reason: String,
    #[serde(default)]
    organisation: Option<String>,
}

/// One curation.
#[derive(Debug, Clone)]
pub struct Curation {
    pub pattern: String,
    pub country: Option<String>,
    pub reason: String,
    pub organisation: Option<String>,
}

/// A parsed curations file.
#[derive(Debug, Clone, Default)]
pub struct Curations {
    pub file: String,
    pub entries: Vec<Curation>,
}

impl Curations {
    /// Parses and validates a curations file; every entry needs a purl pattern, a country and a reason.
    pub fn parse(
        text: &str,
        file: &str,
        countries: &std::collections::HashSet<String>,
    ) -> Result<Curations, CurationError> {
        let raw: RawFile = serde_yaml::from_str(text)
            .map_err(|e| CurationError::Parse { file: file.to_string(), message: e.to_string() })?;
        let mut entries = Vec::new();
        for (i, c) in raw.curations.into_iter().enumerate() {
            let invalid = |m: &str| CurationError::Invalid {
                file: file.to_string(),
                index: i + 1,
                purl: c.purl.clone(),
                message: m.to_string(),
            };
            if !c.purl.starts_with("pkg:") {
                return Err(invalid("the pattern must be a purl (`pkg:type/...`, `*` as wildcard)"));
            }
            if c.reason.trim().is_empty() {
                return Err(invalid("a curation needs a `reason`"));
            }
            let country = match c.country.trim() {
                "unknown" => None,
                cc if countries.contains(cc) => Some(cc.to_string()),
                cc => return Err(invalid(&format!("`{cc}` is not an ISO 3166-1 alpha-2 code or `unknown`"))),
            };
            entries.push(Curation {
                pattern: normalise(&c.purl),
                country,
                reason: c.reason.trim().to_string(),
                organisation: c.organisation,
            });
        }
        Ok(Curations { file: file.to_string(), entries })
    }

    /// The first curation matching the component, as evidence.
    pub fn evidence(&self, c: &Component) -> Option<Evidence> {
        let purl = normalise(c.purl.as_deref()?);
        // `pkg:npm/@scope/name@1.0`: a pattern without a version matches every version.
        let bare = strip_version(&purl).unwrap_or_else(|| purl.clone());
        let cur = self.entries.iter().find(|k| {
            let versioned = k.pattern.rfind('@') > k.pattern.rfind('/');
            glob(&k.pattern, if versioned { &purl } else { &bare })
        })?;
        Some(Evidence {
            kind: EvidenceKind::Curation,
            value: cur.pattern.clone(),
            country: cur.country.clone(),
            weight: 1.0,
            source: format!("{}: {}", self.file, cur.reason),
            weak: false,
            organisation: cur.organisation.clone(),
            parent_country: None,
            facet: None,
        })
    }
}

fn normalise(p: &str) -> String {
    p.trim().replace("%40", "@")
}

/// `pkg:type/ns/name@version?q` → `pkg:type/ns/name`.
fn strip_version(purl: &str) -> Option<String> {
    let no_q = purl.split(['?', '#']).next()?;
    let slash = no_q.rfind('/')?;
    match no_q[slash..].find('@') {
        Some(at) => Some(no_q[..slash + at].to_string()),
        None => Some(no_q.to_string()),
    }
}

/// A purl pattern in sovereign's one wildcard dialect (`*`, `?`, `[…]`: `util::glob`).
pub fn glob(pattern: &str, text: &str) -> bool {
    crate::util::glob::wildcard(pattern, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("pkg:npm/@acme/*", "pkg:npm/@acme/ui"));
        assert!(!glob("pkg:npm/@acme/*", "pkg:npm/@acmex/ui"));
        assert!(glob("pkg:cargo/serde", "pkg:cargo/serde"));
        assert!(glob("*serde*", "pkg:cargo/serde_json"));
        assert_eq!(strip_version("pkg:npm/@acme/ui@1.0.0?x=1").unwrap(), "pkg:npm/@acme/ui");
    }
}
