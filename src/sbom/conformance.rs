//! What the SBOM standards' checkers (NTIA minimum elements, BSI TR-03183-2, CISA FSCT3) look for, filled
//! from the best evidence the inventory holds, in one place for the three writers: versions of local
//! components, suppliers, download locations, the SBOM's creator. Nothing here is invented: a value is
//! derived from a recorded fact (a commit, a content digest, an author, an identified organisation, a
//! registry's documented download convention for an exact purl), or left out.

use sha2::{Digest, Sha256};

use crate::model::{Component, ComponentKind, Ecosystem, Inventory, SourceKind, Subject};
use crate::source::tree::SourceTree;

/// The version of the scanned subject: the exact commit when scanned from git, else the content digest
/// (`sha256:…`) of the directory.
pub fn subject_version(s: &Subject) -> Option<&str> {
    s.commit.as_deref().or(s.digest.as_deref())
}

/// The version written for a component: its exact version; for a component that is part of the scanned
/// tree itself (workspace members without a version, vendored source, local models, path dependencies)
/// the subject's version (commit or content digest), which identifies exactly the code that was scanned.
/// A registry package with only a requirement gets none: a range is not a version.
pub fn version_for<'a>(c: &'a Component, inv: &'a Inventory) -> Option<&'a str> {
    if let Some(v) = c.version.as_deref().filter(|v| !v.trim().is_empty()) {
        return Some(v);
    }
    if c.requirement.is_some() {
        return None;
    }
    let local = matches!(c.source, Some(SourceKind::Local) | Some(SourceKind::Path { .. }))
        || (c.source.is_none()
            && matches!(
                c.kind,
                ComponentKind::VendoredSource | ComponentKind::MlModel | ComponentKind::Application
            ));
    if local {
        subject_version(&inv.subject)
    } else {
        None
    }
}

/// Files larger than this contribute their size, not their content, to [`content_digest`] (model weights
/// of many gigabytes are not read whole for a version string).
pub const DIGEST_MAX_FILE_SIZE: u64 = crate::source::tree::DEFAULT_MAX_FILE_SIZE;

/// The content digest of a scanned tree: SHA-256 over every walked file's path and SHA-256 (paths sorted,
/// `.git` and `node_modules` not walked; files over [`DIGEST_MAX_FILE_SIZE`] by their size), as
/// `sha256:<hex>`. The same files always give the same digest.
pub fn content_digest(tree: &SourceTree) -> Option<String> {
    let mut all = Sha256::new();
    for f in tree.files() {
        if f.size > DIGEST_MAX_FILE_SIZE {
            all.update(f.path.as_bytes());
            all.update([1u8]);
            all.update(f.size.to_le_bytes());
            continue;
        }
        let mut h = Sha256::new();
        let file = std::fs::File::open(tree.root().join(&f.path)).ok();
        if let Some(mut file) = file {
            if std::io::copy(&mut file, &mut h).is_err() {
                continue;
            }
        } else {
            continue;
        }
        all.update(f.path.as_bytes());
        all.update([0u8]);
        all.update(h.finalize());
    }
    Some(format!("sha256:{}", hex::encode(all.finalize())))
}

/// Who supplies a component, from the best evidence, as SPDX 2.3 writes an actor (`Person: Name (mail)`,
/// `Organization: Name`), and where it came from:
/// 1. the identified publishing organisation (the origin stage's knowledge base);
/// 2. the first author or maintainer the manifest or registry names;
/// 3. the namespace that owns the package on its hub or forge: a Hugging Face / model-hub namespace, the
///    owner of a Go module hosted on a forge (`github.com/Azure`), an npm scope.
///
/// None when nothing is known (the scan lists those in an `sbom-supplier-unknown` note, with how to fill
/// them). This is the one function that decides a supplier, for all three writers.
pub fn supplier_for(c: &Component) -> Option<Supplier> {
    if let Some(org) = &c.origin.organisation {
        return Some(Supplier {
            actor: format!("Organization: {}", clean(&org.name)),
            basis: "organisation",
        });
    }
    if let Some(a) = c.authors.first() {
        return Some(Supplier { actor: super::spdx::person(a), basis: "author" });
    }
    namespace_owner(c).map(|o| Supplier { actor: format!("Organization: {}", clean(&o)), basis: "namespace" })
}

/// A supplier and the evidence it came from (`organisation`, `author`, `namespace`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supplier {
    /// SPDX 2.3 actor form.
    pub actor: String,
    pub basis: &'static str,
}

fn clean(s: &str) -> String {
    s.replace(['(', ')'], "").trim().to_string()
}

/// The owning namespace of a package on its hub or forge, when its identity names one.
fn namespace_owner(c: &Component) -> Option<String> {
    let ns = c.namespace.as_deref().filter(|n| !n.is_empty())?;
    match c.ecosystem {
        Ecosystem::Golang => {
            let mut segs = ns.split('/');
            let host = segs.next()?;
            let owner = segs.next()?;
            matches!(host, "github.com" | "gitlab.com" | "bitbucket.org" | "codeberg.org" | "gitee.com")
                .then(|| format!("{host}/{owner}"))
        }
        Ecosystem::Npm => ns.strip_prefix('@').map(str::to_string),
        _ if c.kind == ComponentKind::MlModel => Some(ns.to_string()),
        _ => None,
    }
}

/// Where the package can be downloaded: a git source at its commit, a direct download URL, or the
/// registry's documented download URL for an exact version of the purl (crates.io, npm, the Go module
/// proxy, PyPI, Maven Central). None when the location is not known (NOASSERTION).
pub fn download_location(c: &Component) -> Option<String> {
    match &c.source {
        Some(SourceKind::Git { .. }) | Some(SourceKind::Url { .. }) => None, // the writers' own rules
        Some(SourceKind::Registry { url }) => registry_download(c, url.as_deref()),
        _ => None,
    }
}

fn registry_download(c: &Component, registry: Option<&str>) -> Option<String> {
    let v = c.version.as_deref().filter(|v| !v.is_empty() && !v.chars().any(char::is_whitespace))?;
    let n = &c.name;
    if n.chars().any(|ch| ch.is_whitespace() || ch == '?' || ch == '#') {
        return None;
    }
    match (c.ecosystem, registry) {
        (Ecosystem::Cargo, None) => Some(format!("https://static.crates.io/crates/{n}/{n}-{v}.crate")),
        (Ecosystem::Npm, reg) => {
            let base = reg.unwrap_or("https://registry.npmjs.org").trim_end_matches('/');
            let full = match &c.namespace {
                Some(ns) => format!("{ns}/{n}"),
                None => n.clone(),
            };
            Some(format!("{base}/{full}/-/{n}-{v}.tgz"))
        }
        (Ecosystem::Golang, None) => {
            let path = match &c.namespace {
                Some(ns) => format!("{ns}/{n}"),
                None => n.clone(),
            };
            Some(format!("https://proxy.golang.org/{}/@v/{}.zip", go_escape(&path), go_escape(v)))
        }
        (Ecosystem::Pypi, None) => Some(format!("https://pypi.org/project/{n}/{v}/")),
        (Ecosystem::Maven, None) => {
            let g = c.namespace.as_deref()?.replace('.', "/");
            Some(format!("https://repo1.maven.org/maven2/{g}/{n}/{v}/"))
        }
        _ => None,
    }
}

/// The Go module proxy's case encoding: an upper-case letter becomes `!` and its lower case.
fn go_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if ch.is_ascii_uppercase() {
            out.push('!');
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// The organisation or person that made the SBOM (`--creator`, `SOVEREIGN_CREATOR`), with a contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Creator {
    pub organization: bool,
    pub name: String,
    pub email: Option<String>,
    pub url: Option<String>,
}

impl Creator {
    /// Reads `[Organization: |Person: ]Name <mail>`, `… (mail)` or `… (https://url)`. A contact (e-mail or
    /// URL) is required: it is what BSI TR-03183-2 asks of the SBOM's creator.
    pub fn parse(s: &str) -> Result<Creator, String> {
        let s = s.trim();
        let (organization, rest) = if let Some(r) = s.strip_prefix("Person:") {
            (false, r.trim())
        } else if let Some(r) = s.strip_prefix("Organization:") {
            (true, r.trim())
        } else {
            (true, s)
        };
        let open = rest.rfind(['<', '(']);
        let (name, contact) = match open {
            Some(i) if rest.ends_with(['>', ')']) => (rest[..i].trim(), rest[i + 1..rest.len() - 1].trim()),
            _ => (rest, ""),
        };
        if name.is_empty() || name.contains(['(', ')', '<', '>']) {
            return Err(format!("`{s}`: expected `Name <e-mail>` or `Name (https://url)`"));
        }
        let bad = |c: &str| c.is_empty() || c.chars().any(|x| x.is_whitespace() || "()<>".contains(x));
        if bad(contact) {
            return Err(format!("`{s}`: a creator needs a contact, `Name <e-mail>` or `Name (https://url)`"));
        }
        let (email, url) = if contact.starts_with("https://") || contact.starts_with("http://") {
            (None, Some(contact.to_string()))
        } else if contact.contains('@') {
            (Some(contact.to_string()), None)
        } else {
            return Err(format!("`{s}`: the contact must be an e-mail address or an http(s) URL"));
        };
        Ok(Creator { organization, name: name.to_string(), email, url })
    }

    /// The SPDX 2.3 creator form, `Organization: Name (contact)`; the model keeps this string.
    pub fn spdx2(&self) -> String {
        let kind = if self.organization { "Organization" } else { "Person" };
        let contact = self.email.as_deref().or(self.url.as_deref()).unwrap_or("");
        format!("{kind}: {} ({contact})", self.name)
    }
}

/// The tool's web address (its `repository` in Cargo.toml), given with the `Tool` creator.
pub const TOOL_URL: &str = env!("CARGO_PKG_REPOSITORY");

/// A note listing the components with no supplier at all, and how to fill them.
pub fn unknown_suppliers(inv: &Inventory) -> Option<crate::model::Diagnostic> {
    let missing: Vec<String> =
        inv.components.iter().filter(|c| supplier_for(c).is_none()).map(Component::display_name).collect();
    if missing.is_empty() {
        return None;
    }
    let shown: Vec<&str> = missing.iter().take(10).map(String::as_str).collect();
    let more = if missing.len() > shown.len() {
        format!(" and {} more", missing.len() - shown.len())
    } else {
        String::new()
    };
    Some(crate::model::Diagnostic::note(
        "sbom-supplier-unknown",
        format!(
            "{} component(s) have no known supplier (no identified organisation, author or owning namespace): {}{more}; \
             the SBOM writes NOASSERTION for them. Fill them with --cargo-metadata / --online (authors), or an origin \
             curation naming the publisher (rules/origins, docs/origin.md)",
            missing.len(),
            shown.join(", ")
        ),
    ))
}

/// `additionalContext` of the CycloneDX occurrences written from `found_in` (the reader skips them: the
/// `sovereign:found-in` properties carry the same places).
pub const FOUND_IN_CONTEXT: &str = "declared or locked here";

/// CycloneDX: the SBOM's creator as `metadata.manufacturer` (an organisation: name, URL, e-mail contact)
/// or `metadata.authors` (a person).
pub fn cdx_creator(inv: &Inventory, meta: &mut serde_json::Map<String, serde_json::Value>) {
    use serde_json::json;
    let Some(c) = inv.creator.as_deref().and_then(|c| Creator::parse(c).ok()) else { return };
    if c.organization {
        let mut m = json!({"name": c.name});
        if let Some(u) = &c.url {
            m["url"] = json!([u]);
        }
        if let Some(e) = &c.email {
            m["contact"] = json!([{"email": e}]);
        }
        meta.insert("manufacturer".into(), m);
    } else {
        let mut a = json!({"name": c.name});
        if let Some(e) = &c.email {
            a["email"] = json!(e);
        }
        meta.insert("authors".into(), json!([a]));
    }
}

/// `evidence.identity` for a purl that was inferred: vendored source recognised by the provenance
/// rules (source-code analysis of the files that matched), models named from their config or card.
pub(crate) fn identity(c: &Component) -> Option<serde_json::Value> {
    use serde_json::json;
    c.purl.as_ref()?;
    let technique = match c.kind {
        ComponentKind::VendoredSource => "source-code-analysis",
        ComponentKind::MlModel => "manifest-analysis",
        _ => return None,
    };
    let places: Vec<String> = c
        .occurrences
        .iter()
        .map(|o| match o.location.line {
            Some(l) => format!("{}:{l}", o.location.path),
            None => o.location.path.clone(),
        })
        .chain(c.found_in.iter().map(ToString::to_string))
        .take(5)
        .collect();
    // Identity by recognised content or by a config's own naming: likely, not certain.
    let confidence = if places.is_empty() { 0.3 } else { 0.7 };
    let mut method = json!({"technique": technique, "confidence": confidence});
    if !places.is_empty() {
        method["value"] = json!(places.join(", "));
    }
    Some(json!([{"field": "purl", "confidence": confidence, "methods": [method]}]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creators_parse_with_a_contact() {
        let c = Creator::parse("Example GmbH <sbom@example.com>").unwrap();
        assert_eq!(c.spdx2(), "Organization: Example GmbH (sbom@example.com)");
        let c = Creator::parse("Person: Jane Doe (https://jane.example)").unwrap();
        assert_eq!(c.spdx2(), "Person: Jane Doe (https://jane.example)");
        assert_eq!(Creator::parse(&c.spdx2()).unwrap(), c);
        assert!(Creator::parse("Example GmbH").is_err());
        assert!(Creator::parse("Example <not a mail>").is_err());
        assert!(Creator::parse("<a@b.c>").is_err());
    }

    #[test]
    fn content_digest_follows_the_files() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        for d in [a.path(), b.path()] {
            std::fs::write(d.join("go.mod"), "module x\n").unwrap();
        }
        let digest = |d: &std::path::Path| content_digest(&SourceTree::walk(d)).unwrap();
        assert_eq!(digest(a.path()), digest(b.path()));
        assert!(digest(a.path()).starts_with("sha256:"));
        std::fs::write(b.path().join("go.mod"), "module y\n").unwrap();
        assert_ne!(digest(a.path()), digest(b.path()));
    }

    #[test]
    fn registry_conventions() {
        let mut c = Component::new(Ecosystem::Golang, "autorest", Some("v0.11.29".into()));
        c.namespace = Some("github.com/Azure/go-autorest".into());
        c.source = Some(SourceKind::Registry { url: None });
        assert_eq!(
            download_location(&c).unwrap(),
            "https://proxy.golang.org/github.com/!azure/go-autorest/autorest/@v/v0.11.29.zip"
        );
        assert_eq!(supplier_for(&c).unwrap().actor, "Organization: github.com/Azure");
        let mut c = Component::new(Ecosystem::Npm, "core", Some("7.0.0".into()));
        c.namespace = Some("@babel".into());
        c.source = Some(SourceKind::Registry { url: None });
        assert_eq!(download_location(&c).unwrap(), "https://registry.npmjs.org/@babel/core/-/core-7.0.0.tgz");
        let mut c = Component::new(Ecosystem::Cargo, "serde", Some("1.0.0".into()));
        c.source = Some(SourceKind::Registry { url: None });
        assert_eq!(download_location(&c).unwrap(), "https://static.crates.io/crates/serde/serde-1.0.0.crate");
        assert_eq!(supplier_for(&c), None);
        c.source = Some(SourceKind::Registry { url: Some("https://my.registry".into()) });
        assert_eq!(download_location(&c), None, "an alternative cargo registry's layout is not known");
        c.version = None;
        c.source = Some(SourceKind::Registry { url: None });
        assert_eq!(download_location(&c), None, "no exact version, no location");
    }
}
