//! JavaScript: `package-lock.json` / `npm-shrinkwrap.json` (v1–v3), `yarn.lock` (classic and Berry),
//! `pnpm-lock.yaml` (v5–v9), their workspaces, and `package.json` alone, without running a package
//! manager. docs/npm.md describes each format and what is not supported.

pub mod graph;
pub mod json;
pub mod manifest;
pub mod package_lock;
pub mod pnpm;
pub mod yarn;

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Component, ComponentKind, Diagnostic, Ecosystem, Edge, Location, Scope, SourceKind};
use crate::resolve::{glob_match, Resolution, ResolveContext, Resolver};
use crate::source::tree::join_rel;
use crate::source::SourceTree;

use graph::{apply_manifest, classify_url, edge_scope, git_source, npm_purl, split_name};
use manifest::Manifest;

/// The lockfile names, in the order they are read within one directory.
pub const LOCKFILES: [&str; 4] = ["npm-shrinkwrap.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml"];

/// The npm / yarn / pnpm resolver.
pub struct NpmResolver;

impl Resolver for NpmResolver {
    fn name(&self) -> &'static str {
        "npm"
    }

    fn resolve(&self, ctx: &ResolveContext) -> Resolution {
        let mut out = Resolution::default();
        let tree = ctx.tree;
        let mut manifests: BTreeMap<String, Manifest> = BTreeMap::new();
        for f in tree.named("package.json") {
            match tree.read_text(&f.path).and_then(|t| manifest::parse(&t, &f.path)) {
                Ok(mut m) => {
                    if m.name.is_none() {
                        m.name = Some(graph::fallback_name(tree, &m.dir));
                        m.unnamed = true;
                    }
                    manifests.insert(f.dir().to_string(), m);
                }
                Err(d) => out.diagnostics.push(d),
            }
        }
        let mut lock_dirs: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for f in tree.files() {
            if let Some(name) = LOCKFILES.iter().find(|n| **n == f.name()) {
                lock_dirs.entry(f.dir().to_string()).or_default().push(name);
            }
        }
        let mut covered: BTreeSet<String> = BTreeSet::new();
        for (dir, names) in &lock_dirs {
            let mut names: Vec<&str> = LOCKFILES.iter().copied().filter(|n| names.contains(n)).collect();
            if names.contains(&"npm-shrinkwrap.json") && names.contains(&"package-lock.json") {
                // npm itself ignores package-lock.json when a shrinkwrap is present.
                names.retain(|n| *n != "package-lock.json");
            }
            if names.len() > 1 {
                out.diagnostics.push(
                    Diagnostic::note(
                        "multiple-lockfiles",
                        format!(
                            "{} lockfiles in one directory ({}); each is read",
                            names.len(),
                            names.join(", ")
                        ),
                    )
                    .at(join_rel(dir, names[0]).unwrap_or_default(), None),
                );
            }
            for name in names {
                let path = join_rel(dir, name).unwrap_or_else(|| name.to_string());
                let Some(text) = tree.read_text_or_note(&path, &mut out.diagnostics) else {
                    continue;
                };
                match name {
                    "yarn.lock" => {
                        let members = workspace_members(dir, &manifests, tree, &mut out.diagnostics);
                        let lock = yarn::parse(&text, &path, &mut out.diagnostics);
                        let ms: Vec<Manifest> =
                            members.iter().filter_map(|d| manifests.get(d).cloned()).collect();
                        let g = yarn::graph(&lock, &path, &ms, &mut out.diagnostics);
                        graph::finish(g, &path, tree, &mut out);
                        covered.insert(dir.clone());
                        covered.extend(members);
                    }
                    "pnpm-lock.yaml" => match pnpm::read(&text, &path, tree, &mut out.diagnostics) {
                        Ok(r) => {
                            graph::finish(r.graph, &path, tree, &mut out);
                            covered.extend(r.covered);
                        }
                        Err(d) => out.diagnostics.push(d),
                    },
                    _ => {
                        match package_lock::read(&text, &path, tree, manifests.get(dir), &mut out.diagnostics)
                        {
                            Ok(r) => {
                                graph::finish(r.graph, &path, tree, &mut out);
                                covered.extend(r.covered);
                            }
                            Err(d) => out.diagnostics.push(d),
                        }
                    }
                }
            }
        }
        // package.json files no lockfile covers: declared ranges, never versions.
        let uncovered: Vec<&Manifest> = manifests.values().filter(|m| !covered.contains(&m.dir)).collect();
        let members_of: BTreeMap<&str, String> =
            uncovered.iter().filter_map(|m| Some((m.name.as_deref()?, member_id(m)))).collect();
        for m in uncovered {
            from_manifest(m, &members_of, &mut out);
        }
        // Specifiers may be URLs with credentials; none reaches a message or a requirement.
        for d in &mut out.diagnostics {
            d.message = crate::util::redact::redact_text(&d.message);
        }
        for c in &mut out.components {
            if let Some(r) = c.requirement.as_mut() {
                *r = crate::util::redact::redact_text(r);
            }
        }
        out
    }
}

/// The directories of a workspace rooted at `dir` (the root itself first): `workspaces` of its
/// package.json, or `packages` of a pnpm-workspace.yaml beside it; `!pattern` excludes.
fn workspace_members(
    dir: &str,
    manifests: &BTreeMap<String, Manifest>,
    tree: &SourceTree,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let mut globs: Vec<String> = manifests.get(dir).map(|m| m.workspaces.clone()).unwrap_or_default();
    let pw = join_rel(dir, "pnpm-workspace.yaml").unwrap_or_default();
    if tree.contains(&pw) {
        match tree.read_text(&pw).and_then(|t| pnpm::workspace_globs(&t, &pw)) {
            Ok(g) => globs.extend(g),
            Err(d) => diags.push(d),
        }
    }
    let mut out = Vec::new();
    if manifests.contains_key(dir) {
        out.push(dir.to_string());
    }
    let (neg, pos): (Vec<&String>, Vec<&String>) = globs.iter().partition(|g| g.starts_with('!'));
    for d in manifests.keys() {
        if d == dir || d.split('/').any(|s| s == "node_modules") {
            continue;
        }
        let matches = |g: &str| join_rel(dir, g).is_some_and(|full| glob_match(&full, d));
        if pos.iter().any(|g| matches(g)) && !neg.iter().any(|g| matches(&g[1..])) {
            out.push(d.clone());
        }
    }
    out
}

fn member_id(m: &Manifest) -> String {
    npm_purl(m.name.as_deref().unwrap_or("project"), m.version.as_deref(), None)
}

/// A package.json without a lockfile: the package as an application, its dependencies as declared
/// ranges (no version is invented).
fn from_manifest(m: &Manifest, members: &BTreeMap<&str, String>, out: &mut Resolution) {
    let name = m.name.clone().unwrap_or_else(|| "project".into());
    let mut app =
        Component::new(Ecosystem::Npm, split_name(&name).1, m.version.clone()).with_purl(member_id(m));
    app.namespace = split_name(&name).0.map(str::to_string);
    app.kind = ComponentKind::Application;
    app.source = Some(SourceKind::Local);
    apply_manifest(&mut app, m);
    if !m.deps.is_empty() {
        out.diagnostics.push(
            Diagnostic::note(
                "no-lockfile",
                "no lockfile covers this package.json: dependencies are declared ranges, not resolved versions",
            )
            .at(&m.path, None),
        );
    }
    for d in &m.deps {
        let spec = d.req.trim();
        if let Some(id) = members.get(d.name.as_str()).filter(|_| {
            spec.starts_with("workspace:")
                || spec.starts_with("file:")
                || spec.starts_with("link:")
                || spec == "*"
        }) {
            out.edges.push(Edge { from: app.id.clone(), to: id.clone(), kind: d.kind });
            continue;
        }
        let (real, range) = match spec.strip_prefix("npm:") {
            Some(alias) => match alias.get(1..).and_then(|s| s.find('@')) {
                Some(i) => (alias[..i + 1].to_string(), alias[i + 2..].to_string()),
                None => (alias.to_string(), String::new()),
            },
            None => (d.name.clone(), spec.to_string()),
        };
        let source = if let Some(g) = git_source(&range) {
            g
        } else if let Some(p) = range.strip_prefix("file:").or_else(|| range.strip_prefix("link:")) {
            SourceKind::Path { path: join_rel(&m.dir, p).unwrap_or_else(|| p.to_string()) }
        } else if range.starts_with("http://") || range.starts_with("https://") {
            classify_url(&real, &range).0
        } else if is_github_shorthand(&range) {
            git_source(&format!("github:{range}")).unwrap_or(SourceKind::Registry { url: None })
        } else {
            SourceKind::Registry { url: None }
        };
        let id = npm_purl(&real, None, None);
        let mut c = Component::new(Ecosystem::Npm, split_name(&real).1, None).with_purl(id);
        c.namespace = split_name(&real).0.map(str::to_string);
        c.requirement = Some(spec.to_string()).filter(|s| !s.is_empty());
        c.direct = true;
        c.scope = edge_scope(d.kind);
        c.source = Some(source);
        c.found_in.push(Location::new(&m.path, Some(d.line)));
        out.edges.push(Edge { from: app.id.clone(), to: c.id.clone(), kind: d.kind });
        out.components.push(c);
    }
    if app.scope != Scope::Runtime {
        app.scope = Scope::Runtime;
    }
    out.components.push(app);
}

/// `owner/repo` or `owner/repo#ref`: npm's GitHub shorthand.
fn is_github_shorthand(s: &str) -> bool {
    let base = s.split('#').next().unwrap_or(s);
    !base.starts_with(['@', '.', '/', '~', '^', '<', '>', '='])
        && !base.contains(':')
        && base.matches('/').count() == 1
}
