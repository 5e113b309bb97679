//! Cargo: every workspace of the tree (members, globs, `exclude`, implicit path members), its
//! `Cargo.lock` (formats 1 to 4) and the manifests' dependency kinds, without running cargo.

mod lock;
mod manifest;

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use crate::model::{
    purl, Component, ComponentKind, Diagnostic, Ecosystem, Edge, EdgeKind, Hash, HashAlg, LicenseValue,
    Location, Scope, SourceKind,
};
use crate::resolve::{glob_match, Resolution, ResolveContext, Resolver};
use crate::source::tree::join_rel;
use crate::util::redact::redact_url;

pub use lock::{parse as parse_lock, Lock, LockPackage};
pub use manifest::{DepDecl, DepKind, Manifest};

const CRATES_IO: [&str; 2] =
    ["registry+https://github.com/rust-lang/crates.io-index", "sparse+https://index.crates.io/"];

/// The Cargo resolver.
pub struct CargoResolver;

impl Resolver for CargoResolver {
    fn name(&self) -> &'static str {
        "cargo"
    }

    fn resolve(&self, ctx: &ResolveContext) -> Resolution {
        let mut out = Resolution::default();
        let mut manifests: BTreeMap<String, Manifest> = BTreeMap::new();
        // The lockfiles are parsed on a second thread while the manifests are read (a large workspace has
        // both: uv's 73 manifests and 190 KB lockfile take about as long); a lockfile no workspace uses
        // is dropped with what its parse said.
        let parse_locks = || {
            let mut locks = HashMap::new();
            for f in ctx.tree.named("Cargo.lock") {
                let mut diags = Vec::new();
                let parsed =
                    ctx.tree.read_text(&f.path).and_then(|text| lock::parse(&text, &f.path, &mut diags));
                locks.insert(f.path.clone(), (parsed, diags));
            }
            locks
        };
        let both =
            ctx.tree.named("Cargo.lock").next().is_some() && ctx.tree.named("Cargo.toml").next().is_some();
        let (mut parsed_locks, manifest_diags) = std::thread::scope(|s| {
            let locks = both.then(|| s.spawn(parse_locks));
            let mut diags = Vec::new();
            for f in ctx.tree.named("Cargo.toml") {
                let Some(text) = ctx.tree.read_text_or_note(&f.path, &mut diags) else {
                    continue;
                };
                match manifest::parse(&text, &f.path, f.dir(), &mut diags) {
                    Ok(m) => {
                        manifests.insert(f.dir().to_string(), m);
                    }
                    Err(d) => diags.push(d),
                }
            }
            // Should the thread have failed, each lockfile is parsed below when its workspace is met.
            // Without manifests no workspace reads a lockfile: none is parsed.
            let locks = locks.map(|h| h.join().unwrap_or_default()).unwrap_or_default();
            (locks, diags)
        });
        out.diagnostics.extend(manifest_diags);
        for ws in workspaces(&manifests, &mut out.diagnostics) {
            let lock_path = join_rel(&ws.root, "Cargo.lock").unwrap_or_else(|| "Cargo.lock".into());
            let members: Vec<Manifest> = ws
                .members
                .iter()
                .filter_map(|d| manifests.get(d).cloned())
                .map(|mut m| {
                    if let Some(root) = manifests.get(&ws.root) {
                        manifest::inherit(&mut m, root);
                    }
                    m
                })
                .filter(|m| m.package.is_some())
                .collect();
            if ctx.tree.contains(&lock_path) {
                let parsed = match parsed_locks.remove(&lock_path) {
                    Some((parsed, diags)) => {
                        out.diagnostics.extend(diags);
                        parsed
                    }
                    None => ctx
                        .tree
                        .read_text(&lock_path)
                        .and_then(|text| lock::parse(&text, &lock_path, &mut out.diagnostics)),
                };
                match parsed {
                    Ok(lock) => {
                        out.append(from_lock(&lock, &lock_path, &members));
                        continue;
                    }
                    Err(d) => out.diagnostics.push(d),
                }
            } else {
                out.diagnostics.push(
                    Diagnostic::note(
                        "no-lockfile",
                        "no Cargo.lock for this workspace: dependencies are listed as declared requirements, not resolved versions",
                    )
                    .at(join_rel(&ws.root, "Cargo.toml").unwrap_or_default(), None),
                );
            }
            out.append(from_manifests(&members, &manifests));
        }
        out
    }
}

/// A workspace: its root directory and the directories of its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    pub root: String,
    pub members: BTreeSet<String>,
}

/// Finds every workspace: explicit `[workspace]` roots with their members (globs, `exclude`, and path
/// dependencies inside the root), then every package that belongs to none as a workspace of its own.
pub fn workspaces(manifests: &BTreeMap<String, Manifest>, diags: &mut Vec<Diagnostic>) -> Vec<Workspace> {
    let mut out = Vec::new();
    let mut assigned: BTreeSet<String> = BTreeSet::new();
    // Nested roots first would steal members; roots are visited shallowest first.
    let mut roots: Vec<&Manifest> = manifests.values().filter(|m| m.workspace.is_some()).collect();
    roots.sort_by_key(|m| (m.dir.matches('/').count() + usize::from(!m.dir.is_empty()), m.dir.clone()));
    let own_roots: BTreeSet<&str> = roots.iter().map(|m| m.dir.as_str()).collect();
    for root in roots {
        if assigned.contains(&root.dir) {
            continue;
        }
        let ws = root.workspace.as_ref().expect("filtered above");
        let excluded = |dir: &str| {
            ws.exclude.iter().any(|e| {
                join_rel(&root.dir, e).is_some_and(|ex| dir == ex || dir.starts_with(&format!("{ex}/")))
            })
        };
        let mut members = BTreeSet::new();
        if root.package.is_some() {
            members.insert(root.dir.clone());
        }
        for pattern in &ws.members {
            let Some(full) = join_rel(&root.dir, pattern) else { continue };
            let mut matched = false;
            for dir in manifests.keys() {
                if glob_match(&full, dir)
                    && !excluded(dir)
                    && (dir == &root.dir || !own_roots.contains(dir.as_str()))
                {
                    members.insert(dir.clone());
                    matched = true;
                }
            }
            if !matched {
                diags.push(
                    Diagnostic::warning(
                        "workspace-member-missing",
                        format!("workspace member `{pattern}` matches no Cargo.toml in the tree"),
                    )
                    .at(root.path.clone(), None),
                );
            }
        }
        // Path dependencies inside the workspace root are members too (Cargo's rule).
        let mut queue: VecDeque<String> = members.iter().cloned().collect();
        while let Some(dir) = queue.pop_front() {
            let Some(m) = manifests.get(&dir) else { continue };
            for d in &m.deps {
                // `workspace = true` takes its path from [workspace.dependencies], relative to the root.
                let target = match (&d.path, d.inherits) {
                    (Some(p), _) => join_rel(&dir, p),
                    (None, true) => ws
                        .dependencies
                        .get(&d.key)
                        .and_then(|w| w.path.as_ref())
                        .and_then(|p| join_rel(&root.dir, p)),
                    (None, false) => None,
                };
                let Some(target) = target else { continue };
                let inside = root.dir.is_empty()
                    || target.starts_with(&format!("{}/", root.dir))
                    || target == root.dir;
                if inside
                    && manifests.contains_key(&target)
                    && !excluded(&target)
                    && members.insert(target.clone())
                {
                    queue.push_back(target);
                }
            }
        }
        assigned.extend(members.iter().cloned());
        assigned.insert(root.dir.clone());
        out.push(Workspace { root: root.dir.clone(), members });
    }
    for m in manifests.values() {
        if m.package.is_some() && !assigned.contains(&m.dir) {
            out.push(Workspace { root: m.dir.clone(), members: BTreeSet::from([m.dir.clone()]) });
        }
    }
    out
}

fn is_crates_io(source: &str) -> bool {
    CRATES_IO.contains(&source.trim_end_matches('/')) || CRATES_IO.contains(&source)
}

/// The purl and source kind of a locked package.
fn identity(p: &LockPackage) -> (String, Option<SourceKind>) {
    let fallback = || format!("pkg:cargo/{}@{}", p.name, p.version);
    match p.source.as_deref() {
        None => (purl::build("cargo", None, &p.name, Some(&p.version), &[]).unwrap_or_else(fallback), None),
        Some(s) if is_crates_io(s) => (
            purl::build("cargo", None, &p.name, Some(&p.version), &[]).unwrap_or_else(fallback),
            Some(SourceKind::Registry { url: None }),
        ),
        Some(s) if s.starts_with("git+") => {
            let rest = &s[4..];
            let (url_part, commit) = match rest.split_once('#') {
                Some((u, c)) => (u, Some(c.to_string())),
                None => (rest, None),
            };
            let (url, reference) = match url_part.split_once('?') {
                Some((u, q)) => (u, Some(q.to_string())),
                None => (url_part, None),
            };
            let url = redact_url(url);
            let vcs = match &commit {
                Some(c) => format!("git+{url}@{c}"),
                None => format!("git+{url}"),
            };
            (
                purl::build("cargo", None, &p.name, Some(&p.version), &[("vcs_url", &vcs)])
                    .unwrap_or_else(fallback),
                Some(SourceKind::Git { url, commit, reference }),
            )
        }
        Some(s) => {
            let url = redact_url(s.split_once('+').map(|(_, u)| u).unwrap_or(s));
            (
                purl::build("cargo", None, &p.name, Some(&p.version), &[("repository_url", &url)])
                    .unwrap_or_else(fallback),
                Some(SourceKind::Registry { url: Some(url) }),
            )
        }
    }
}

fn edge_scope(kind: EdgeKind) -> Scope {
    match kind {
        EdgeKind::Normal | EdgeKind::Peer => Scope::Runtime,
        EdgeKind::Build => Scope::Build,
        EdgeKind::Optional => Scope::Optional,
        EdgeKind::Dev => Scope::Dev,
    }
}

/// The strongest edge kind among a member's declarations of `package`.
fn declared_kind(decls: &[&DepDecl]) -> EdgeKind {
    decls
        .iter()
        .map(|d| match (d.kind, d.optional) {
            (Some(DepKind::Dev), _) => EdgeKind::Dev,
            (Some(DepKind::Build), _) => EdgeKind::Build,
            (_, true) => EdgeKind::Optional,
            _ => EdgeKind::Normal,
        })
        .max_by_key(|k| edge_scope(*k))
        .unwrap_or(EdgeKind::Normal)
}

fn member_component(m: &Manifest, version: Option<&str>) -> Component {
    let pkg = m.package.as_ref().expect("members have a package");
    let version =
        version.map(str::to_string).or_else(|| pkg.version.clone()).unwrap_or_else(|| "0.0.0".into());
    let id = purl::build("cargo", None, &pkg.name, Some(&version), &[])
        .unwrap_or_else(|| format!("pkg:cargo/{}@{version}", pkg.name));
    let mut c = Component::new(Ecosystem::Cargo, &pkg.name, Some(version)).with_purl(id);
    c.kind = ComponentKind::Application;
    c.source = Some(SourceKind::Local);
    c.found_in.push(Location::new(&m.path, Some(pkg.line)));
    c.description = pkg.description.clone();
    c.authors = pkg.authors.clone();
    c.repository = pkg.repository.clone();
    if let Some(l) = &pkg.license {
        c.license.declared = Some(LicenseValue::declared(l, &m.path));
    }
    c
}

/// Components and edges from a lockfile; members are the applications the graph hangs from.
fn from_lock(lock: &Lock, lock_path: &str, members: &[Manifest]) -> Resolution {
    let mut out = Resolution::default();
    for (line, r) in &lock.unresolved_refs {
        out.diagnostics.push(
            Diagnostic::warning(
                "unresolved-lock-reference",
                format!("dependency `{r}` names no package of the lockfile"),
            )
            .at(lock_path, Some(*line)),
        );
    }
    // Which lock entries are members: path packages (no source) named like a member.
    let member_of: Vec<Option<&Manifest>> = lock
        .packages
        .iter()
        .map(|p| {
            if p.source.is_some() {
                return None;
            }
            members.iter().find(|m| {
                m.package.as_ref().is_some_and(|pk| {
                    pk.name == p.name && pk.version.as_deref().is_none_or(|v| v == p.version)
                })
            })
        })
        .collect();
    if !members.is_empty() && member_of.iter().all(Option::is_none) && !lock.packages.is_empty() {
        out.diagnostics.push(
            Diagnostic::warning(
                "lockfile-out-of-date",
                "no workspace member appears in the lockfile; it may be stale",
            )
            .at(lock_path, None),
        );
    }
    let ids: Vec<(String, Option<SourceKind>)> = lock.packages.iter().map(identity).collect();
    // Edge kinds, and the worklist propagation of scopes from the members.
    let mut scope: Vec<Option<Scope>> = vec![None; lock.packages.len()];
    let mut edges_out: Vec<Vec<(usize, EdgeKind)>> = vec![Vec::new(); lock.packages.len()];
    let mut queue = VecDeque::new();
    for (i, p) in lock.packages.iter().enumerate() {
        for &j in &p.dependencies {
            let kind = match member_of[i] {
                Some(m) => {
                    let decls: Vec<&DepDecl> =
                        m.deps.iter().filter(|d| d.package == lock.packages[j].name).collect();
                    declared_kind(&decls)
                }
                None => EdgeKind::Normal,
            };
            edges_out[i].push((j, kind));
        }
        if member_of[i].is_some() {
            scope[i] = Some(Scope::Runtime);
            queue.push_back(i);
        }
    }
    while let Some(i) = queue.pop_front() {
        let from_scope = scope[i].unwrap_or(Scope::Runtime);
        for &(j, kind) in &edges_out[i] {
            if member_of[j].is_some() {
                continue;
            }
            let s = if member_of[i].is_some() { edge_scope(kind) } else { from_scope };
            if scope[j].is_none_or(|cur| s > cur) {
                scope[j] = Some(s);
                queue.push_back(j);
            }
        }
    }
    for (i, p) in lock.packages.iter().enumerate() {
        let (id, source) = ids[i].clone();
        let mut c = match member_of[i] {
            Some(m) => member_component(m, Some(&p.version)),
            None => {
                let mut c = Component::new(Ecosystem::Cargo, &p.name, Some(p.version.clone())).with_purl(id);
                c.source = source.or_else(|| Some(SourceKind::Path { path: String::new() }));
                c.scope = scope[i].unwrap_or(Scope::Runtime);
                c
            }
        };
        c.found_in.push(Location::new(lock_path, Some(p.line)));
        if let Some(sum) = &p.checksum {
            if sum.len() == 64 && sum.bytes().all(|b| b.is_ascii_hexdigit()) {
                c.hashes.push(Hash { alg: HashAlg::Sha256, value: sum.to_ascii_lowercase() });
            }
        }
        out.components.push(c);
    }
    // Direct dependencies, with the manifest line that declares them; path sources of non-members.
    for (i, _) in lock.packages.iter().enumerate() {
        let Some(m) = member_of[i] else { continue };
        for &(j, kind) in &edges_out[i] {
            out.edges.push(Edge {
                from: out.components[i].id.clone(),
                to: out.components[j].id.clone(),
                kind,
            });
            if member_of[j].is_some() {
                continue;
            }
            let target = &mut out.components[j];
            target.direct = true;
            for d in m.deps.iter().filter(|d| d.package == lock.packages[j].name) {
                target.found_in.push(Location::new(&m.path, Some(d.line)));
                if let (Some(path), Some(SourceKind::Path { path: slot })) = (&d.path, &mut target.source) {
                    if slot.is_empty() {
                        *slot = join_rel(&m.dir, path).unwrap_or_else(|| path.clone());
                    }
                }
            }
        }
    }
    for (i, _) in lock.packages.iter().enumerate() {
        if member_of[i].is_some() {
            continue;
        }
        for &(j, kind) in &edges_out[i] {
            out.edges.push(Edge {
                from: out.components[i].id.clone(),
                to: out.components[j].id.clone(),
                kind,
            });
        }
    }
    out
}

/// Without a lockfile: members and their declared dependencies, versions left as requirements.
fn from_manifests(members: &[Manifest], all: &BTreeMap<String, Manifest>) -> Resolution {
    let mut out = Resolution::default();
    let member_ids: BTreeMap<&str, String> =
        members.iter().map(|m| (m.dir.as_str(), member_component(m, None).id)).collect();
    for m in members {
        let app = member_component(m, None);
        for d in &m.deps {
            let kind = declared_kind(&[d]);
            let target_dir = d.path.as_ref().and_then(|p| join_rel(&m.dir, p));
            if let Some(id) = target_dir.as_deref().and_then(|t| member_ids.get(t)) {
                out.edges.push(Edge { from: app.id.clone(), to: id.clone(), kind });
                continue;
            }
            let path_version = target_dir
                .as_deref()
                .and_then(|t| all.get(t))
                .and_then(|tm| tm.package.as_ref())
                .and_then(|p| p.version.clone());
            let qualifiers: Vec<(&str, String)> = match &d.git {
                Some(g) => vec![("vcs_url", format!("git+{}", redact_url(g)))],
                None => Vec::new(),
            };
            let q: Vec<(&str, &str)> = qualifiers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let id = purl::build("cargo", None, &d.package, path_version.as_deref(), &q)
                .unwrap_or_else(|| format!("pkg:cargo/{}", d.package));
            let mut c = Component::new(Ecosystem::Cargo, &d.package, path_version).with_purl(id);
            c.requirement = d.req.clone();
            c.direct = true;
            c.scope = edge_scope(kind);
            c.found_in.push(Location::new(&m.path, Some(d.line)));
            c.source = Some(match (&d.git, &target_dir) {
                (Some(g), _) => {
                    SourceKind::Git { url: redact_url(g), commit: None, reference: d.git_ref.clone() }
                }
                (None, Some(t)) => SourceKind::Path { path: t.clone() },
                (None, None) => SourceKind::Registry { url: d.registry.clone() },
            });
            out.edges.push(Edge { from: app.id.clone(), to: c.id.clone(), kind });
            out.components.push(c);
        }
        out.components.push(app);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lp(source: Option<&str>) -> LockPackage {
        LockPackage {
            name: "foo".into(),
            version: "1.2.3".into(),
            source: source.map(str::to_string),
            checksum: None,
            dependencies: vec![],
            line: 1,
        }
    }

    #[test]
    fn identities() {
        assert_eq!(identity(&lp(Some(CRATES_IO[0]))).0, "pkg:cargo/foo@1.2.3");
        assert_eq!(identity(&lp(Some("sparse+https://index.crates.io/"))).0, "pkg:cargo/foo@1.2.3");
        let (p, s) = identity(&lp(Some("git+https://github.com/o/r?branch=main#0123abcd")));
        assert_eq!(p, "pkg:cargo/foo@1.2.3?vcs_url=git%2Bhttps://github.com/o/r%400123abcd");
        assert_eq!(
            s,
            Some(SourceKind::Git {
                url: "https://github.com/o/r".into(),
                commit: Some("0123abcd".into()),
                reference: Some("branch=main".into())
            })
        );
        let (p, _) = identity(&lp(Some("sparse+https://u:secret@my.registry/index/")));
        assert!(!p.contains("secret"), "{p}");
        assert!(p.contains("repository_url="), "{p}");
    }
}
