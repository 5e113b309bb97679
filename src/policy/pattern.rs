//! Package URL patterns with an optional version range: `pkg:npm/%40acme/*`, `pkg:pypi/numpy@*`,
//! `pkg:cargo/ring@>=0.17, <0.18`, `pkg:cargo/openssl-sys@0.9.*`.
//!
//! The part before the version is a glob (`*` any run of characters, `/` included; `?` one character),
//! compared with the component's purl without qualifiers and subpath (unless the pattern has some). The
//! version is `*`, an exact version, a glob, or a range in Cargo/semver syntax (`>=1.2, <2`, `^1.4`, `~0.3`):
//! versions that are not semver (`1.2`, `v2`) are padded or trimmed to semver for the comparison, and a
//! version that still is not one never matches a range.

use std::fmt;

#[derive(Debug, Clone)]
pub struct PurlPattern {
    pub text: String,
    base: String,
    version: VersionMatch,
}

#[derive(Debug, Clone)]
enum VersionMatch {
    Any,
    Exact(String),
    Glob(String),
    Range(semver::VersionReq),
}

impl fmt::Display for PurlPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Splits a purl (or pattern) into the part before the version and the version: the version is what
/// follows the last `@` after the last `/` (an npm scope's `@` is percent-encoded in a purl).
pub(crate) fn split_version(s: &str) -> (&str, Option<&str>) {
    let slash = s.rfind('/').map(|i| i + 1).unwrap_or(0);
    match s[slash..].rfind('@') {
        Some(at) => (&s[..slash + at], Some(&s[slash + at + 1..])),
        None => (s, None),
    }
}

impl PurlPattern {
    /// Parses a pattern; the error says what is wrong in a sentence.
    pub fn parse(text: &str) -> Result<PurlPattern, String> {
        let t = text.trim();
        if t == "*" {
            return Ok(PurlPattern { text: t.into(), base: "*".into(), version: VersionMatch::Any });
        }
        if !t.starts_with("pkg:") {
            return Err("a purl pattern starts with `pkg:` (e.g. `pkg:cargo/openssl@*`), or is `*`".into());
        }
        let (head, tail) = match t.find(['?', '#']) {
            Some(i) => (&t[..i], &t[i..]),
            None => (t, ""),
        };
        let (base, version) = split_version(head);
        if !base[4..].contains('/') {
            return Err("a purl pattern names a type and a name: `pkg:TYPE/NAME`".into());
        }
        let version = match version.map(str::trim) {
            None | Some("*") | Some("") => VersionMatch::Any,
            Some(v) if v.starts_with(['<', '>', '=', '^', '~']) || v.contains(',') => {
                let req = semver::VersionReq::parse(v)
                    .map_err(|e| format!("{} is not a version range: {e}", super::schema_check::quote(v)))?;
                VersionMatch::Range(req)
            }
            Some(v) if v.contains(['*', '?']) => VersionMatch::Glob(v.to_string()),
            Some(v) => VersionMatch::Exact(v.to_string()),
        };
        Ok(PurlPattern { text: t.to_string(), base: format!("{base}{tail}"), version })
    }

    /// Whether a component's purl (or id) matches.
    pub fn matches(&self, purl: &str, version: Option<&str>) -> bool {
        if self.base == "*" {
            return self.version_matches(version);
        }
        let end = purl.find(['?', '#']).unwrap_or(purl.len());
        let (b, _) = split_version(&purl[..end]);
        let matched = if self.base.contains(['?', '#']) {
            glob(self.base.as_bytes(), format!("{b}{}", &purl[end..]).as_bytes())
        } else {
            glob(self.base.as_bytes(), b.as_bytes())
        };
        matched && self.version_matches(version)
    }

    fn version_matches(&self, version: Option<&str>) -> bool {
        match (&self.version, version) {
            (VersionMatch::Any, _) => true,
            (_, None) => false,
            (VersionMatch::Exact(e), Some(v)) => e == v,
            (VersionMatch::Glob(g), Some(v)) => glob(g.as_bytes(), v.as_bytes()),
            (VersionMatch::Range(r), Some(v)) => lenient_semver(v).is_some_and(|v| r.matches(&v)),
        }
    }
}

/// `1.2` → `1.2.0`, `v3` → `3.0.0`, `1.2.3.4` → none.
fn lenient_semver(v: &str) -> Option<semver::Version> {
    let v = v.trim().trim_start_matches('v');
    if let Ok(s) = semver::Version::parse(v) {
        return Some(s);
    }
    let core_end = v.find(['-', '+']).unwrap_or(v.len());
    let (core, rest) = v.split_at(core_end);
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty()
        || parts.len() > 3
        || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let mut padded = parts.join(".");
    for _ in parts.len()..3 {
        padded.push_str(".0");
    }
    semver::Version::parse(&format!("{padded}{rest}")).ok()
}

/// Purl patterns use sovereign's one wildcard dialect (`util::glob`).
fn glob(p: &[u8], s: &[u8]) -> bool {
    match (std::str::from_utf8(p), std::str::from_utf8(s)) {
        (Ok(p), Ok(s)) => crate::util::glob::wildcard(p, s),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, purl: &str, v: Option<&str>) -> bool {
        PurlPattern::parse(p).unwrap().matches(purl, v)
    }

    #[test]
    fn names_and_versions() {
        assert!(m("pkg:pypi/numpy@*", "pkg:pypi/numpy@1.26.4", Some("1.26.4")));
        assert!(m("pkg:pypi/numpy", "pkg:pypi/numpy@1.26.4", Some("1.26.4")));
        assert!(!m("pkg:pypi/numpy", "pkg:pypi/numpyx@1.0", Some("1.0")));
        assert!(m("pkg:npm/%40acme/*", "pkg:npm/%40acme/ui@2.0.0", Some("2.0.0")));
        assert!(m("pkg:cargo/ring@>=0.17, <0.18", "pkg:cargo/ring@0.17.8", Some("0.17.8")));
        assert!(!m("pkg:cargo/ring@>=0.17, <0.18", "pkg:cargo/ring@0.16.20", Some("0.16.20")));
        assert!(m("pkg:pypi/torch@>=2", "pkg:pypi/torch@2.1", Some("2.1")));
        assert!(!m("pkg:pypi/torch@>=2", "pkg:pypi/torch", None));
        assert!(m("pkg:cargo/openssl-sys@0.9.*", "pkg:cargo/openssl-sys@0.9.102", Some("0.9.102")));
        assert!(m("pkg:cargo/foo@1.0.0", "pkg:cargo/foo@1.0.0?vcs_url=git%2Bhttps://x/y", Some("1.0.0")));
        assert!(m("*", "pkg:cargo/foo@1.0.0", Some("1.0.0")));
    }

    #[test]
    fn bad_patterns() {
        assert!(PurlPattern::parse("numpy").is_err());
        assert!(PurlPattern::parse("pkg:numpy").is_err());
        assert!(PurlPattern::parse("pkg:cargo/ring@>=banana").is_err());
    }

    #[test]
    fn glob_is_not_exponential() {
        let s = "a".repeat(5000);
        assert!(!glob("*a*a*a*a*a*a*a*a*b".as_bytes(), s.as_bytes()));
    }
}
