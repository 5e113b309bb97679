//! The shape every JavaScript lockfile is read into, and the one place that turns it into components and
//! edges: purls, sources, hashes, scopes (from the lockfile's flags, else propagated from the workspace
//! members) and installed metadata.

use std::collections::{BTreeMap, VecDeque};

use crate::model::{
    purl, Component, ComponentKind, Ecosystem, Edge, EdgeKind, Hash, HashAlg, LicenseValue, Location, Scope,
    SourceKind,
};
use crate::resolve::Resolution;
use crate::source::tree::join_rel;
use crate::source::SourceTree;
use crate::util::redact::redact_url;

use super::manifest::Manifest;

/// One package of a lockfile (or one workspace member), before it becomes a component.
#[derive(Debug, Clone, Default)]
pub struct Pkg {
    /// The real package name (an alias is resolved to the package it installs).
    pub name: String,
    pub version: Option<String>,
    /// Declared range, for packages without an exact version.
    pub requirement: Option<String>,
    pub source: Option<SourceKind>,
    pub hashes: Vec<Hash>,
    pub license: Option<String>,
    /// The lockfile line of the entry.
    pub line: u32,
    /// A workspace member or the project itself.
    pub app: bool,
    /// The scope the lockfile states (npm's `dev`/`optional` flags, pnpm's `dev`), when it does.
    pub flag_scope: Option<Scope>,
    pub deps: Vec<Dep>,
    /// Where installed metadata may be read: a `package.json` path relative to the scanned root.
    pub installed: Option<String>,
    /// The member's own package.json (applications only).
    pub manifest: Option<Manifest>,
    pub properties: BTreeMap<String, String>,
}

/// An edge from a package to another, by index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dep {
    pub to: usize,
    pub kind: EdgeKind,
    /// The name the dependency was declared under (differs from the target's name for aliases).
    pub key: String,
}

/// A whole lockfile, read.
#[derive(Debug, Default)]
pub struct Graph {
    pub pkgs: Vec<Pkg>,
}

impl Graph {
    pub fn push(&mut self, p: Pkg) -> usize {
        self.pkgs.push(p);
        self.pkgs.len() - 1
    }
}

/// The scope a package reached through an edge of `kind` from a member gets.
pub fn edge_scope(kind: EdgeKind) -> Scope {
    match kind {
        EdgeKind::Normal | EdgeKind::Peer => Scope::Runtime,
        EdgeKind::Build => Scope::Build,
        EdgeKind::Optional => Scope::Optional,
        EdgeKind::Dev => Scope::Dev,
    }
}

/// Scopes propagated from the members: a member's dev dependency is dev, its optional dependency
/// optional, and everything below inherits the weaker of its parent's scope and the edge's (an optional
/// edge below a runtime package is optional). The strongest claim over all paths wins.
pub fn propagate(g: &Graph) -> Vec<Option<Scope>> {
    let mut scope: Vec<Option<Scope>> = vec![None; g.pkgs.len()];
    let mut queue = VecDeque::new();
    for (i, p) in g.pkgs.iter().enumerate() {
        if p.app {
            scope[i] = Some(Scope::Runtime);
            queue.push_back(i);
        }
    }
    while let Some(i) = queue.pop_front() {
        let from = scope[i].unwrap_or(Scope::Runtime);
        for d in &g.pkgs[i].deps {
            if g.pkgs[d.to].app {
                continue;
            }
            let s = from.min(edge_scope(d.kind));
            if scope[d.to].is_none_or(|cur| s > cur) {
                scope[d.to] = Some(s);
                queue.push_back(d.to);
            }
        }
    }
    scope
}

const DEFAULT_REGISTRIES: [&str; 3] =
    ["https://registry.npmjs.org", "https://registry.yarnpkg.com", "https://registry.npmjs.com"];

/// Where a `resolved` URL (or pnpm/yarn equivalent) says the package comes from, and the purl qualifier
/// that goes with it.
pub fn classify_url(name: &str, url: &str) -> (SourceKind, Option<(&'static str, String)>) {
    // Fast path, no allocation: the default registries' tarballs.
    for r in DEFAULT_REGISTRIES {
        if let Some(rest) = url.strip_prefix(r) {
            if rest.starts_with('/') && rest.contains("/-/") {
                return (SourceKind::Registry { url: None }, None);
            }
        }
    }
    let clean = redact_url(url);
    if let Some(git) = git_source(&clean) {
        let vcs = match &git {
            SourceKind::Git { url, commit: Some(c), .. } => format!("git+{url}@{c}"),
            SourceKind::Git { url, .. } => format!("git+{url}"),
            _ => unreachable!("git_source returns git sources"),
        };
        return (git, Some(("vcs_url", vcs)));
    }
    if let Some(p) = clean.strip_prefix("file:") {
        return (SourceKind::Path { path: p.to_string() }, None);
    }
    if clean.starts_with("http://") || clean.starts_with("https://") {
        // Registry tarballs: `<registry>/<name>/-/<file>.tgz` (the scope's `/` may be written `%2f`).
        let no_frag = clean.split('#').next().unwrap_or(&clean);
        let encoded = name.replacen('/', "%2f", 1);
        for n in [name, encoded.as_str(), &name.replacen('/', "%2F", 1)] {
            if let Some(at) = no_frag.find(&format!("/{n}/-/")) {
                let base = &no_frag[..at];
                if DEFAULT_REGISTRIES.contains(&base.trim_end_matches('/')) {
                    return (SourceKind::Registry { url: None }, None);
                }
                return (
                    SourceKind::Registry { url: Some(base.to_string()) },
                    Some(("repository_url", base.to_string())),
                );
            }
        }
        return (SourceKind::Url { url: no_frag.to_string() }, Some(("download_url", no_frag.to_string())));
    }
    (SourceKind::Url { url: clean.clone() }, None)
}

/// A git dependency written the ways npm, yarn and pnpm write them: `git+https://…#sha`, `git://…`,
/// `git+ssh://…`, `github:owner/repo#ref`, `https://codeload.github.com/owner/repo/tar.gz/sha`.
pub fn git_source(url: &str) -> Option<SourceKind> {
    // Credentials in the URL never reach the inventory.
    let url = redact_url(url);
    let url = url.as_str();
    let (base, frag) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let frag = frag.map(|f| f.strip_prefix("commit=").unwrap_or(f));
    let commit =
        frag.filter(|f| f.len() >= 7 && f.bytes().all(|b| b.is_ascii_hexdigit())).map(str::to_string);
    let reference = frag.filter(|_| commit.is_none()).filter(|f| !f.is_empty()).map(str::to_string);
    let url = if let Some(rest) = base.strip_prefix("git+") {
        rest.to_string()
    } else if base.starts_with("git://") {
        base.to_string()
    } else if let Some(rest) = base.strip_prefix("github:") {
        format!("https://github.com/{}", rest)
    } else if let Some(rest) = base.strip_prefix("gitlab:") {
        format!("https://gitlab.com/{}", rest)
    } else if let Some(rest) = base.strip_prefix("bitbucket:") {
        format!("https://bitbucket.org/{}", rest)
    } else if let Some(rest) = base.strip_prefix("https://codeload.github.com/") {
        // owner/repo/tar.gz/<sha>
        let parts: Vec<&str> = rest.split('/').collect();
        if parts.len() >= 4 && parts[2] == "tar.gz" {
            let sha = parts[3].to_string();
            return Some(SourceKind::Git {
                url: format!("https://github.com/{}/{}", parts[0], parts[1]),
                commit: Some(sha),
                reference: None,
            });
        }
        return None;
    } else {
        return None;
    };
    Some(SourceKind::Git { url, commit, reference })
}

/// `sha512-<base64> sha1-<base64>` → hashes in hex. Unknown algorithms and bad base64 are skipped.
pub fn integrity(s: &str) -> Vec<Hash> {
    let mut out = Vec::new();
    for part in s.split_whitespace() {
        let Some((alg, b64)) = part.split_once('-') else { continue };
        let alg = match alg {
            "sha512" => HashAlg::Sha512,
            "sha384" => HashAlg::Sha384,
            "sha256" => HashAlg::Sha256,
            "sha1" => HashAlg::Sha1,
            "md5" => HashAlg::Md5,
            _ => continue,
        };
        let b64 = b64.split('?').next().unwrap_or(b64);
        if let Some(bytes) = base64_decode(b64) {
            let want = match alg {
                HashAlg::Sha512 => 64,
                HashAlg::Sha384 => 48,
                HashAlg::Sha256 => 32,
                HashAlg::Sha1 => 20,
                HashAlg::Md5 => 16,
            };
            if bytes.len() == want {
                out.push(Hash { alg, value: to_hex(&bytes) });
            }
        }
    }
    out
}

/// A hex digest of a known length (yarn v1's `#sha1` fragments), as a hash.
pub fn hex_hash(hex: &str) -> Option<Hash> {
    let alg = match hex.len() {
        40 => HashAlg::Sha1,
        64 => HashAlg::Sha256,
        128 => HashAlg::Sha512,
        _ => return None,
    };
    hex.bytes().all(|b| b.is_ascii_hexdigit()).then(|| Hash { alg, value: hex.to_ascii_lowercase() })
}

fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(HEX[(b >> 4) as usize]);
        out.push(HEX[(b & 15) as usize]);
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Base64 (standard or URL-safe alphabet) digit values; 255 marks a byte outside both alphabets.
const B64: [u8; 256] = {
    let mut t = [255u8; 256];
    let mut i = 0;
    while i < 26 {
        t[b'A' as usize + i] = i as u8;
        t[b'a' as usize + i] = 26 + i as u8;
        i += 1;
    }
    let mut d = 0;
    while d < 10 {
        t[b'0' as usize + d] = 52 + d as u8;
        d += 1;
    }
    t[b'+' as usize] = 62;
    t[b'-' as usize] = 62;
    t[b'/' as usize] = 63;
    t[b'_' as usize] = 63;
    t
};

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(s.len() * 3 / 4 + 3);
    let mut chunks = s.chunks_exact(4);
    for c in &mut chunks {
        let (a, b, x, y) = (B64[c[0] as usize], B64[c[1] as usize], B64[c[2] as usize], B64[c[3] as usize]);
        if (a | b | x | y) == 255 || (a | b | x | y) > 63 {
            return None;
        }
        let n = (a as u32) << 18 | (b as u32) << 12 | (x as u32) << 6 | y as u32;
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
    }
    let rest = chunks.remainder();
    let mut n = 0u32;
    for (i, &ch) in rest.iter().enumerate() {
        let v = B64[ch as usize];
        if v > 63 {
            return None;
        }
        n |= (v as u32) << (18 - 6 * i);
    }
    match rest.len() {
        0 => {}
        2 => out.push((n >> 16) as u8),
        3 => out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8]),
        _ => return None,
    }
    Some(out)
}

/// The name of a package whose package.json has none: its directory's name (the scanned folder's for the
/// root; `project` when that is a cache digest).
pub fn fallback_name(tree: &SourceTree, dir: &str) -> String {
    let base = if dir.is_empty() {
        tree.root().file_name().and_then(|n| n.to_str())
    } else {
        dir.rsplit('/').next()
    };
    match base {
        Some(b) if !(b.is_empty() || b.len() == 24 && b.bytes().all(|c| c.is_ascii_hexdigit())) => {
            b.to_string()
        }
        _ => "project".to_string(),
    }
}

/// Splits `@scope/name` into (`@scope`, `name`); an unscoped name has no namespace.
pub fn split_name(name: &str) -> (Option<&str>, &str) {
    match name.strip_prefix('@').and_then(|_| name.split_once('/')) {
        Some((scope, n)) => (Some(scope), n),
        None => (None, name),
    }
}

/// The purl of an npm package.
pub fn npm_purl(name: &str, version: Option<&str>, qualifier: Option<&(&'static str, String)>) -> String {
    let (ns, n) = split_name(name);
    let q: Vec<(&str, &str)> = qualifier.iter().map(|(k, v)| (*k, v.as_str())).collect();
    purl::build("npm", ns, n, version, &q).or_else(|| purl::build("npm", ns, n, version, &[])).unwrap_or_else(
        || match version {
            Some(v) => format!("pkg:npm/{name}@{v}"),
            None => format!("pkg:npm/{name}"),
        },
    )
}

/// The qualifier a source puts on the purl (non-default registry, git, tarball URL).
fn qualifier(source: &Option<SourceKind>) -> Option<(&'static str, String)> {
    match source {
        Some(SourceKind::Registry { url: Some(u) }) => Some(("repository_url", u.clone())),
        Some(SourceKind::Git { url, commit, .. }) => Some((
            "vcs_url",
            match commit {
                Some(c) => format!("git+{url}@{c}"),
                None => format!("git+{url}"),
            },
        )),
        Some(SourceKind::Url { url }) if url.starts_with("http") => Some(("download_url", url.clone())),
        _ => None,
    }
}

/// Installed metadata from `node_modules/…/package.json` (never walked, read on demand).
fn installed(tree: &SourceTree, path: &str, version: Option<&str>) -> Option<Manifest> {
    let text = tree.read_text(path).ok()?;
    let m = super::manifest::parse(&text, path).ok()?;
    if version.is_some() && m.version.as_deref() != version {
        return None;
    }
    Some(m)
}

/// Turns a read lockfile into components and edges.
pub fn finish(mut g: Graph, lock_path: &str, tree: &SourceTree, out: &mut Resolution) {
    let propagated = propagate(&g);
    let mut ids = Vec::with_capacity(g.pkgs.len());
    let node_modules = {
        let dir = lock_path.rfind('/').map(|i| &lock_path[..i]).unwrap_or("");
        let nm = join_rel(dir, "node_modules").unwrap_or_default();
        std::fs::symlink_metadata(tree.root().join(&nm)).is_ok_and(|m| m.is_dir())
    };
    let first = out.components.len();
    // What the edges below do not read is moved into the components, not copied.
    for (i, p) in g.pkgs.iter_mut().enumerate() {
        let q = qualifier(&p.source);
        let id = npm_purl(&p.name, p.version.as_deref(), q.as_ref());
        let mut c = Component::new(Ecosystem::Npm, split_name(&p.name).1, p.version.take()).with_purl(id);
        c.namespace = split_name(&p.name).0.map(str::to_string);
        c.requirement = p.requirement.take();
        c.found_in.push(Location::new(lock_path, Some(p.line)));
        c.hashes = std::mem::take(&mut p.hashes);
        c.source = p.source.take();
        c.properties = std::mem::take(&mut p.properties);
        if let Some(l) = &p.license {
            c.license.declared = Some(LicenseValue::declared(l, lock_path));
        }
        if p.app {
            if p.manifest.as_ref().is_some_and(|m| m.unnamed || m.name.is_none()) {
                c.properties.insert("npm-unnamed".into(), "true".into());
            }
            c.kind = ComponentKind::Application;
            c.scope = Scope::Runtime;
            c.source = Some(SourceKind::Local);
        } else {
            c.scope = p.flag_scope.or(propagated[i]).unwrap_or(Scope::Runtime);
        }
        let meta = match (&p.manifest, &p.installed) {
            (Some(m), _) => Some(m.clone()),
            (None, Some(path)) if node_modules => installed(tree, path, c.version.as_deref()),
            _ => None,
        };
        if let Some(m) = meta {
            apply_manifest(&mut c, &m);
        }
        ids.push(c.id.clone());
        out.components.push(c);
    }
    for (i, p) in g.pkgs.iter().enumerate() {
        for d in &p.deps {
            out.edges.push(Edge { from: ids[i].clone(), to: ids[d.to].clone(), kind: d.kind });
            if p.app && !g.pkgs[d.to].app {
                let target = &mut out.components[first + d.to];
                target.direct = true;
                if let Some(m) = &p.manifest {
                    for decl in m.deps.iter().filter(|x| x.name == d.key) {
                        let loc = Location::new(&m.path, Some(decl.line));
                        if !target.found_in.contains(&loc) {
                            target.found_in.push(loc);
                        }
                    }
                }
            }
        }
    }
}

/// Copies what a package.json says about its package (licence, people, links) onto a component.
pub fn apply_manifest(c: &mut Component, m: &Manifest) {
    if c.license.declared.is_none() {
        if let Some(l) = &m.license {
            c.license.declared = Some(LicenseValue::declared(l, &m.path));
        }
    }
    if c.description.is_none() {
        c.description = m.description.clone();
    }
    if c.authors.is_empty() {
        c.authors = m.authors.clone();
    }
    if c.repository.is_none() {
        c.repository = m.repository.clone();
    }
    if c.homepage.is_none() {
        c.homepage = m.homepage.clone();
    }
    if c.kind == ComponentKind::Application {
        let loc = Location::new(&m.path, Some(1));
        if !c.found_in.contains(&loc) {
            c.found_in.push(loc);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrity_is_hex() {
        // sha1 of "" is da39a3ee5e6b4b0d3255bfef95601890afd80709.
        let h = integrity("sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
        assert_eq!(
            h,
            vec![Hash { alg: HashAlg::Sha1, value: "da39a3ee5e6b4b0d3255bfef95601890afd80709".into() }]
        );
        assert!(integrity("sha512-notbase64!").is_empty());
        assert!(integrity("sha512-AAAA").is_empty(), "wrong length");
        assert_eq!(base64_decode("aGk=").unwrap(), b"hi");
        assert_eq!(base64_decode("aGkh").unwrap(), b"hi!");
        assert_eq!(base64_decode("aA").unwrap(), b"h");
        assert!(base64_decode("a").is_none());
    }

    #[test]
    fn urls_are_classified() {
        assert_eq!(
            classify_url("@babel/core", "https://registry.npmjs.org/@babel/core/-/core-7.0.0.tgz").0,
            SourceKind::Registry { url: None }
        );
        let (s, q) = classify_url("left-pad", "https://npm.example.com/repo/left-pad/-/left-pad-1.0.0.tgz");
        assert_eq!(s, SourceKind::Registry { url: Some("https://npm.example.com/repo".into()) });
        assert_eq!(q.unwrap().0, "repository_url");
        let (s, _) =
            classify_url("x", "git+ssh://git@github.com/o/x.git#0123456789abcdef0123456789abcdef01234567");
        assert!(matches!(s, SourceKind::Git { commit: Some(_), .. }));
        let (s, _) = classify_url("x", "https://example.com/x.tgz");
        assert!(matches!(s, SourceKind::Url { .. }));
        assert_eq!(npm_purl("@babel/core", Some("7.0.0"), None), "pkg:npm/%40babel/core@7.0.0");
    }
}
