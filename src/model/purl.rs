//! Package URLs, written exactly as the purl specification writes them (via the `packageurl` crate).

use packageurl::PackageUrl;

/// Builds a canonical purl string. `qualifiers` are emitted sorted by key, as the spec requires.
///
/// Returns `None` when the parts are not valid for the type (an empty name, for instance).
///
/// `golang` and `npm` purls keep the case of the module path and package name: Go module paths and npm
/// names are case-sensitive (`github.com/Azure/…`, `uWebSockets.js`), the purl specification's old
/// lowercase rule for them is acknowledged as broken upstream, and ScanCode, syft and packageurl-js keep
/// the case. Readers and `diff` match both forms ([`identity_key`]).
pub fn build(
    ty: &str,
    namespace: Option<&str>,
    name: &str,
    version: Option<&str>,
    qualifiers: &[(&str, &str)],
) -> Option<String> {
    if keeps_case(ty) {
        // The `packageurl` crate applies the old lowercase rule for these types; `generic` has no case
        // rule and the same encoding, so build as `generic` and put the type back.
        let s = build("generic", namespace, name, version, qualifiers)?;
        return Some(format!("pkg:{ty}/{}", s.strip_prefix("pkg:generic/")?));
    }
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

/// Purl types whose names keep their case in our purls (see [`build`]).
pub fn keeps_case(ty: &str) -> bool {
    matches!(ty, "golang" | "npm")
}

/// A case-folded identity for matching purls of types whose case older SBOMs folded (`golang`, `npm`):
/// `pkg:golang/github.com/Azure/x@v1` and `pkg:golang/github.com/azure/x@v1` give the same key.
pub fn identity_key(purl: &str) -> String {
    let ty = purl.strip_prefix("pkg:").and_then(|r| r.split('/').next()).unwrap_or("");
    if keeps_case(&ty.to_ascii_lowercase()) {
        purl.to_ascii_lowercase()
    } else {
        purl.to_string()
    }
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
    fn golang_and_npm_keep_their_case() {
        assert_eq!(
            build("golang", Some("github.com/Azure/azure-sdk-for-go/sdk"), "azcore", Some("v1.9.0"), &[])
                .unwrap(),
            "pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azcore@v1.9.0"
        );
        assert_eq!(
            build("npm", None, "uWebSockets.js", Some("20.0.0"), &[]).unwrap(),
            "pkg:npm/uWebSockets.js@20.0.0"
        );
        assert_eq!(
            build("npm", Some("@Scope"), "Name", None, &[("vcs_url", "git+https://x/y")]).unwrap(),
            "pkg:npm/%40Scope/Name?vcs_url=git%2Bhttps://x/y"
        );
        // Other types keep the specification's case rules.
        assert_eq!(build("pypi", None, "Django", Some("4.2"), &[]).unwrap(), "pkg:pypi/django@4.2");
        assert_eq!(
            identity_key("pkg:golang/github.com/Azure/x@v1"),
            identity_key("pkg:golang/github.com/azure/x@v1")
        );
        assert_ne!(identity_key("pkg:cargo/A@1"), identity_key("pkg:cargo/a@1"));
    }

    #[test]
    fn npm_scope_is_percent_encoded() {
        assert_eq!(
            build("npm", Some("@babel"), "core", Some("7.0.0"), &[]).unwrap(),
            "pkg:npm/%40babel/core@7.0.0"
        );
    }
}
