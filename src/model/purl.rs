//! Package URLs, written exactly as the purl specification writes them (via the `packageurl` crate).

use packageurl::PackageUrl;

/// Builds a canonical purl string. `qualifiers` are emitted sorted by key, as the spec requires.
///
/// Returns `None` when the parts are not valid for the type (an empty name, for instance).
pub fn build(
    ty: &str,
    namespace: Option<&str>,
    name: &str,
    version: Option<&str>,
    qualifiers: &[(&str, &str)],
) -> Option<String> {
    let mut p = PackageUrl::new(ty, name).ok()?;
    if let Some(ns) = namespace.filter(|s| !s.is_empty()) {
        p.with_namespace(ns).ok()?;
    }
    if let Some(v) = version.filter(|s| !s.is_empty()) {
        p.with_version(v).ok()?;
    }
    let mut qs: Vec<_> = qualifiers.iter().filter(|(_, v)| !v.is_empty()).collect();
    qs.sort();
    for (k, v) in qs {
        p.add_qualifier(*k, *v).ok()?;
    }
    Some(canonical_qualifiers(p.to_string()))
}

/// Like [`build`], with a subpath (a CocoaPods subspec: `pkg:cocoapods/GoogleUtilities@7.5.2#NSData+zlib`).
pub fn build_with_subpath(
    ty: &str,
    namespace: Option<&str>,
    name: &str,
    version: Option<&str>,
    qualifiers: &[(&str, &str)],
    subpath: &str,
) -> Option<String> {
    let base = build(ty, namespace, name, version, qualifiers)?;
    if subpath.is_empty() {
        return Some(base);
    }
    let mut p = PackageUrl::new(ty, name).ok()?;
    p.with_subpath(subpath.to_string()).ok()?;
    let tail = p.to_string();
    let sub = tail.split_once('#').map(|(_, s)| s)?;
    Some(format!("{base}#{sub}"))
}

/// The purl specification's own test suite writes `:` and `/` unencoded in qualifier values
/// (`vcs_url=git%2Bhttps://host/repo%40rev`); the `packageurl` crate encodes them. Both parse to the same
/// purl; we emit the spec's canonical form.
fn canonical_qualifiers(s: String) -> String {
    match s.split_once('?') {
        Some((head, query)) => format!("{head}?{}", query.replace("%3A", ":").replace("%2F", "/")),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_purls() {
        assert_eq!(build("cargo", None, "serde", Some("1.0.200"), &[]).unwrap(), "pkg:cargo/serde@1.0.200");
        assert_eq!(
            build("cargo", None, "foo", Some("0.1.0"), &[("vcs_url", "git+https://github.com/a/b@abc")])
                .unwrap(),
            "pkg:cargo/foo@0.1.0?vcs_url=git%2Bhttps://github.com/a/b%40abc"
        );
    }

    #[test]
    fn npm_scope_is_percent_encoded() {
        assert_eq!(
            build("npm", Some("@babel"), "core", Some("7.0.0"), &[]).unwrap(),
            "pkg:npm/%40babel/core@7.0.0"
        );
    }
}
