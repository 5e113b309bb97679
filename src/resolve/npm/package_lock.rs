//! `package-lock.json` and `npm-shrinkwrap.json`: lockfileVersion 1 (nested `dependencies`) and 2/3 (the
//! flat `packages` map keyed by install path), with Node's module resolution for the edges.

use std::collections::HashMap;

use crate::model::{Diagnostic, EdgeKind, Scope, SourceKind};
use crate::source::tree::join_rel;
use crate::source::SourceTree;

use super::graph::{classify_url, fallback_name, git_source, integrity, Dep, Graph, Pkg};
use super::json::{self, Node};
use super::manifest::{self, Manifest};

/// The newest lockfileVersion this reader knows.
pub const NEWEST: u64 = 3;
/// How deep a v1 `dependencies` tree is followed; deeper entries are reported and left out.
pub const MAX_V1_DEPTH: usize = 128;

/// What a package-lock gives: its graph and the directories it covers (its own and its workspaces').
pub struct Read {
    pub graph: Graph,
    pub covered: Vec<String>,
}

fn dir_of(path: &str) -> &str {
    path.rfind('/').map(|i| &path[..i]).unwrap_or("")
}

fn basename(dir: &str) -> &str {
    dir.rsplit('/').next().unwrap_or(dir)
}

/// Reads a lockfile. `root` is the package.json beside it, when there is one.
pub fn read(
    text: &str,
    path: &str,
    tree: &SourceTree,
    root: Option<&Manifest>,
    diags: &mut Vec<Diagnostic>,
) -> Result<Read, Diagnostic> {
    let doc = json::parse(text).map_err(|e| {
        Diagnostic::error("invalid-lockfile", format!("not valid JSON: {}", e.message)).at(path, Some(e.line))
    })?;
    if !doc.is_object() {
        return Err(
            Diagnostic::error("invalid-lockfile", "the lockfile is not a JSON object").at(path, Some(1))
        );
    }
    let version = doc.get("lockfileVersion");
    let v = version.and_then(|n| match &n.value {
        json::Value::Number(s) => s.parse::<u64>().ok(),
        _ => None,
    });
    if v.is_none_or(|v| v == 0 || v > NEWEST) {
        diags.push(
            Diagnostic::warning(
                "unknown-lockfile-version",
                format!(
                    "lockfileVersion {} is not one sovereign knows (1 to {NEWEST}); read best-effort",
                    version.map(|n| format!("{:?}", n.value)).unwrap_or_else(|| "missing".into())
                ),
            )
            .at(path, Some(version.map(|n| n.line).unwrap_or(1))),
        );
    }
    match doc.get("packages") {
        Some(p) if p.is_object() => Ok(read_packages(p, path, tree, root, diags)),
        _ => Ok(read_v1(&doc, path, tree, root, diags)),
    }
}

fn unresolved(diags: &mut Vec<Diagnostic>, path: &str, line: u32, from: &str, name: &str) {
    diags.push(
        Diagnostic::warning(
            "unresolved-lock-reference",
            format!(
                "`{from}` depends on `{name}`, which the lockfile does not install where Node would find it"
            ),
        )
        .at(path, Some(line)),
    );
}

/// Node's rule: from a package's directory, look in `node_modules` of it and of every ancestor.
fn node_resolve(
    index: &HashMap<&str, usize>,
    from: &str,
    name: &str,
    candidate: &mut String,
) -> Option<usize> {
    let mut dir = from;
    loop {
        if !(dir.ends_with("/node_modules") || dir == "node_modules") {
            candidate.clear();
            if !dir.is_empty() {
                candidate.push_str(dir);
                candidate.push('/');
            }
            candidate.push_str("node_modules/");
            candidate.push_str(name);
            if let Some(&i) = index.get(candidate.as_str()) {
                return Some(i);
            }
        }
        if dir.is_empty() {
            return None;
        }
        dir = dir.rfind('/').map(|i| &dir[..i]).unwrap_or("");
    }
}

fn scope_flags(e: &Node) -> Scope {
    if e.flag("dev") {
        Scope::Dev
    } else if e.flag("optional") || e.flag("devOptional") {
        // `devOptional`: needed by a dev dependency and by an optional one; a production install with
        // optional dependencies installs it, so it is at least optional.
        Scope::Optional
    } else {
        Scope::Runtime
    }
}

fn source_of(e: &Node, pkg: &mut Pkg) {
    if let Some(r) = e.str("resolved") {
        pkg.source = Some(classify_url(&pkg.name, r).0);
    }
    if let Some(i) = e.str("integrity") {
        pkg.hashes = integrity(i);
    }
}

fn set_props(e: &Node, pkg: &mut Pkg) {
    for (key, prop) in [
        ("inBundle", "npm-in-bundle"),
        ("peer", "npm-peer"),
        ("hasInstallScript", "npm-install-script"),
        ("extraneous", "npm-extraneous"),
    ] {
        if e.flag(key) {
            pkg.properties.insert(prop.into(), "true".into());
        }
    }
}

/// lockfileVersion 2 and 3.
fn read_packages(
    packages: &Node,
    path: &str,
    tree: &SourceTree,
    root: Option<&Manifest>,
    diags: &mut Vec<Diagnostic>,
) -> Read {
    let lock_dir = dir_of(path);
    let entries = packages.members();
    let index: HashMap<&str, usize> = entries.iter().enumerate().map(|(i, (k, _))| (k.as_ref(), i)).collect();
    let mut g = Graph::default();
    let mut covered = vec![lock_dir.to_string()];
    let mut slot: Vec<Option<usize>> = vec![None; entries.len()];
    for (i, (key, e)) in entries.iter().enumerate() {
        if e.flag("link") || !e.is_object() {
            continue;
        }
        let key = key.as_ref();
        let installed_at = key.rfind("node_modules/").map(|at| &key[at + "node_modules/".len()..]);
        let mut p = Pkg { line: e.line, ..Pkg::default() };
        match installed_at {
            Some(n) => {
                p.name = e.str("name").unwrap_or(n).to_string();
                p.installed = Some(if lock_dir.is_empty() {
                    format!("{key}/package.json")
                } else {
                    format!("{lock_dir}/{key}/package.json")
                });
                p.flag_scope = Some(scope_flags(e));
                p.version = e.str("version").map(str::to_string);
                source_of(e, &mut p);
            }
            None if key.starts_with("..") => {
                // A `file:` directory outside the lockfile's directory.
                p.name = e.str("name").unwrap_or_else(|| basename(key)).to_string();
                p.version = e.str("version").map(str::to_string);
                p.source =
                    Some(SourceKind::Path { path: join_rel(lock_dir, key).unwrap_or_else(|| key.into()) });
                p.flag_scope = Some(scope_flags(e));
            }
            None => {
                // The project itself ("") or a workspace member / linked local package.
                let dir = join_rel(lock_dir, key).unwrap_or_default();
                let m = if key.is_empty() { root.cloned() } else { local_manifest(tree, &dir) }
                    .unwrap_or_else(|| manifest::from_node(e, path));
                p.app = true;
                p.name = e
                    .str("name")
                    .filter(|_| m.unnamed || m.name.is_none())
                    .map(str::to_string)
                    .or_else(|| m.name.clone())
                    .unwrap_or_else(|| fallback_name(tree, &dir));
                p.version = m.version.clone().or_else(|| e.str("version").map(str::to_string));
                p.manifest = Some(m);
                covered.push(dir);
            }
        }
        if p.license.is_none() {
            p.license = manifest::license(e);
        }
        set_props(e, &mut p);
        slot[i] = Some(g.push(p));
    }
    // Links point at the entry of their target directory.
    let target = |i: usize| -> Option<usize> {
        let (_, e) = &entries[i];
        if e.flag("link") {
            let r = e.str("resolved")?;
            index.get(r).and_then(|&t| slot[t])
        } else {
            slot[i]
        }
    };
    let mut buf = String::new();
    for (i, (key, e)) in entries.iter().enumerate() {
        let Some(gi) = slot[i] else { continue };
        let app = g.pkgs[gi].app;
        let optional_peers: Vec<&str> = e
            .get("peerDependenciesMeta")
            .map(|m| {
                m.members().iter().filter(|(_, v)| v.flag("optional")).map(|(k, _)| k.as_ref()).collect()
            })
            .unwrap_or_default();
        let mut deps: Vec<Dep> = Vec::new();
        for (section, kind) in [
            ("dependencies", EdgeKind::Normal),
            ("optionalDependencies", EdgeKind::Optional),
            ("peerDependencies", EdgeKind::Peer),
            ("devDependencies", EdgeKind::Dev),
        ] {
            if kind == EdgeKind::Dev && !app {
                continue;
            }
            let Some(s) = e.get(section) else { continue };
            for (name, spec) in s.members() {
                match node_resolve(&index, key, name, &mut buf).and_then(target) {
                    Some(t) if t != gi => {
                        if let Some(d) = deps.iter_mut().find(|d| d.to == t) {
                            // Listed in two sections: optional beats normal (npm's rule).
                            if kind == EdgeKind::Optional {
                                d.kind = kind;
                            }
                        } else {
                            // The declared name matters only for the members' own declarations.
                            let key = if app { name.to_string() } else { String::new() };
                            deps.push(Dep { to: t, kind, key });
                        }
                    }
                    Some(_) => {}
                    None if kind == EdgeKind::Optional
                        || kind == EdgeKind::Peer
                        || optional_peers.contains(&name.as_ref()) => {}
                    None => {
                        // Dev dependencies of workspace members are not installed by `--omit=dev`
                        // lockfiles of a subset; still report it.
                        unresolved(diags, path, spec.line, &g.pkgs[gi].name, name);
                    }
                }
            }
        }
        g.pkgs[gi].deps = deps;
    }
    Read { graph: g, covered }
}

fn local_manifest(tree: &SourceTree, dir: &str) -> Option<Manifest> {
    let p = join_rel(dir, "package.json")?;
    let text = tree.read_text(&p).ok()?;
    manifest::parse(&text, &p).ok().map(|mut m| {
        if m.name.is_none() {
            m.name = Some(fallback_name(tree, dir));
            m.unnamed = true;
        }
        m
    })
}

/// One entry of a v1 tree.
struct V1<'d, 'a> {
    node: &'d Node<'a>,
    key: &'d str,
    parent: usize,
    children: HashMap<&'d str, usize>,
    slot: usize,
}

/// What a v1 `version` field means: `npm:real@1.0.0` aliases, git and file specifiers, plain versions.
fn v1_identity(key: &str, e: &Node, p: &mut Pkg) {
    let version = e.str("version").unwrap_or_default();
    p.name = key.to_string();
    if let Some(alias) = version.strip_prefix("npm:") {
        let at = alias.get(1..).and_then(|s| s.rfind('@')).map(|i| i + 1);
        match at {
            Some(at) => {
                p.name = alias[..at].to_string();
                p.version = Some(alias[at + 1..].to_string());
            }
            None => p.name = alias.to_string(),
        }
    } else if let Some(g) = git_source(version) {
        p.source = Some(g);
    } else if let Some(f) = version.strip_prefix("file:") {
        p.source = Some(SourceKind::Path { path: f.to_string() });
    } else if version.contains("://") {
        p.source = Some(classify_url(key, version).0);
    } else if !version.is_empty() {
        p.version = Some(version.to_string());
    }
    if let Some(r) = e.str("resolved") {
        if p.source.is_none() {
            p.source = Some(classify_url(&p.name, r).0);
        }
    }
    if let Some(i) = e.str("integrity") {
        p.hashes = integrity(i);
    }
}

/// lockfileVersion 1: the nested `dependencies` tree, `requires` resolved up the tree.
fn read_v1(
    doc: &Node,
    path: &str,
    tree: &SourceTree,
    root: Option<&Manifest>,
    diags: &mut Vec<Diagnostic>,
) -> Read {
    let lock_dir = dir_of(path);
    let mut g = Graph::default();
    let root_m = root.cloned().unwrap_or_else(|| {
        let mut m = manifest::from_node(doc, path);
        m.deps.clear();
        m
    });
    let root_pkg = Pkg {
        name: root_m.name.clone().unwrap_or_else(|| fallback_name(tree, lock_dir)),
        version: root_m.version.clone(),
        app: true,
        line: 1,
        manifest: Some(root_m.clone()),
        ..Pkg::default()
    };
    let root_slot = g.push(root_pkg);
    let mut covered = vec![lock_dir.to_string()];
    let mut nodes: Vec<V1> =
        vec![V1 { node: doc, key: "", parent: usize::MAX, children: HashMap::new(), slot: root_slot }];
    // Breadth-first over the tree, with the depth bounded.
    let mut queue: std::collections::VecDeque<(usize, usize)> =
        std::collections::VecDeque::from([(0usize, 0usize)]);
    let mut too_deep = false;
    while let Some((ni, depth)) = queue.pop_front() {
        let Some(deps) = nodes[ni].node.get("dependencies") else { continue };
        if !deps.is_object() {
            continue;
        }
        if depth >= MAX_V1_DEPTH {
            if !too_deep {
                diags.push(
                    Diagnostic::warning(
                        "lockfile-too-deep",
                        format!("`dependencies` nested deeper than {MAX_V1_DEPTH} levels; the deeper entries are left out"),
                    )
                    .at(path, Some(deps.line)),
                );
                too_deep = true;
            }
            continue;
        }
        for (key, e) in deps.members() {
            if !e.is_object() {
                continue;
            }
            let mut p = Pkg { line: e.line, ..Pkg::default() };
            v1_identity(key, e, &mut p);
            p.flag_scope = Some(scope_flags(e));
            // A `file:` directory of the tree is a local package of the project: an application.
            if let Some(SourceKind::Path { path: rel }) = &p.source {
                let local = (!rel.ends_with(".tgz") && !rel.ends_with(".tar.gz"))
                    .then(|| join_rel(lock_dir, rel))
                    .flatten()
                    .and_then(|dir| local_manifest(tree, &dir).map(|m| (dir, m)));
                if let Some((dir, m)) = local {
                    p.app = true;
                    p.name = m.name.clone().unwrap_or(p.name);
                    p.version = m.version.clone();
                    p.manifest = Some(m);
                    covered.push(dir);
                }
            }
            p.installed = {
                let mut chain = vec![key.as_ref()];
                let mut up = ni;
                while up != 0 {
                    chain.push(nodes[up].key);
                    up = nodes[up].parent;
                }
                let rel: Vec<String> = chain.iter().rev().map(|k| format!("node_modules/{k}")).collect();
                join_rel(lock_dir, &format!("{}/package.json", rel.join("/")))
            };
            if e.flag("bundled") {
                p.properties.insert("npm-in-bundle".into(), "true".into());
            }
            let slot = g.push(p);
            let child = nodes.len();
            nodes.push(V1 { node: e, key: key.as_ref(), parent: ni, children: HashMap::new(), slot });
            nodes[ni].children.insert(key.as_ref(), child);
            queue.push_back((child, depth + 1));
        }
    }
    let find = |nodes: &Vec<V1>, from: usize, name: &str| -> Option<usize> {
        let mut at = from;
        loop {
            if let Some(&c) = nodes[at].children.get(name) {
                return Some(c);
            }
            if at == 0 {
                return None;
            }
            at = nodes[at].parent;
        }
    };
    for ni in 1..nodes.len() {
        let Some(req) = nodes[ni].node.get("requires") else { continue };
        let mut deps = Vec::new();
        for (name, spec) in req.members() {
            match find(&nodes, ni, name) {
                Some(c) if c != ni => {
                    deps.push(Dep { to: nodes[c].slot, kind: EdgeKind::Normal, key: name.to_string() })
                }
                Some(_) => {}
                None => {
                    let optional =
                        nodes[ni].node.get("optionalDependencies").is_some_and(|o| o.get(name).is_some());
                    if !optional {
                        unresolved(diags, path, spec.line, &g.pkgs[nodes[ni].slot].name, name);
                    }
                }
            }
        }
        g.pkgs[nodes[ni].slot].deps = deps;
    }
    // The project's own edges: its package.json, else every top-level entry nothing else requires.
    let mut root_deps = Vec::new();
    if root.is_some() {
        for d in &root_m.deps {
            match nodes[0].children.get(d.name.as_str()) {
                Some(&c) => root_deps.push(Dep { to: nodes[c].slot, kind: d.kind, key: d.name.clone() }),
                None if matches!(d.kind, EdgeKind::Optional | EdgeKind::Peer) => {}
                None => unresolved(diags, &root_m.path, d.line, &g.pkgs[root_slot].name, &d.name),
            }
        }
    } else {
        let required: std::collections::HashSet<usize> =
            g.pkgs.iter().flat_map(|p| p.deps.iter().map(|d| d.to)).collect();
        for (_, &c) in nodes[0].children.iter().collect::<std::collections::BTreeMap<_, _>>() {
            let slot = nodes[c].slot;
            if !required.contains(&slot) {
                let kind = match g.pkgs[slot].flag_scope {
                    Some(Scope::Dev) => EdgeKind::Dev,
                    Some(Scope::Optional) => EdgeKind::Optional,
                    _ => EdgeKind::Normal,
                };
                root_deps.push(Dep { to: slot, kind, key: nodes[c].key.to_string() });
            }
        }
    }
    g.pkgs[root_slot].deps = root_deps;
    Read { graph: g, covered }
}
