//! The shape every Python lockfile is read into, and the one function that turns it into components and
//! edges: identities, scopes (explicit from the lock, or propagated from the project's declarations) and
//! direct dependencies.

use std::collections::{BTreeMap, VecDeque};

use crate::model::{
    Component, ComponentKind, Diagnostic, Ecosystem, Edge, EdgeKind, Hash, Location, Scope, SourceKind,
};
use crate::resolve::Resolution;

use super::pyproject::Project;
use super::{edge_scope, project_component, pypi_id};
use crate::resolve::{line_of, toml_util as tu};
use toml::de::{DeTable, DeValue};

/// One dependency reference inside a lockfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockDep {
    /// PEP 503 normalised.
    pub name: String,
    /// Set when the lock disambiguates between several entries of one name.
    pub version: Option<String>,
    pub kind: EdgeKind,
}

/// One locked package.
#[derive(Debug, Clone, Default)]
pub struct LockedPackage {
    /// PEP 503 normalised.
    pub name: String,
    pub version: Option<String>,
    pub source: Option<SourceKind>,
    pub hashes: Vec<Hash>,
    /// Line of the entry in the lockfile.
    pub line: u32,
    pub deps: Vec<LockDep>,
    /// The scope the lockfile itself states (Poetry groups, Pipfile sections, PDM groups).
    pub scope: Option<Scope>,
    /// A workspace member of the project (uv `editable` / `virtual` sources): an application.
    pub member_dir: Option<String>,
    pub description: Option<String>,
    pub properties: BTreeMap<String, String>,
}

impl LockedPackage {
    pub fn new(name: &str, version: Option<String>, line: u32) -> Self {
        LockedPackage { name: super::pep508::normalize(name), version, line, ..LockedPackage::default() }
    }
}

/// A parsed lockfile.
#[derive(Debug, Clone, Default)]
pub struct LockFile {
    pub path: String,
    pub packages: Vec<LockedPackage>,
    /// Direct dependencies of the project when the lock itself does not contain the project (Poetry, PDM,
    /// Pipfile): names with the kind of their declaration and the declaring file and line.
    pub roots: Vec<(String, EdgeKind, Location)>,
    /// The lock lists every package for every environment (uv): a dangling reference is an error in it.
    pub complete: bool,
}

/// Turns a lockfile into components and edges. `project` is the project of the lockfile's directory (the
/// application the graph hangs from) when there is one; `members` maps member directories to their
/// projects (uv workspaces).
pub fn resolve(
    lock: &LockFile,
    project: Option<&Project>,
    members: &BTreeMap<String, Project>,
) -> Resolution {
    let mut out = Resolution::default();
    let n = lock.packages.len();
    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in lock.packages.iter().enumerate() {
        by_name.entry(p.name.as_str()).or_default().push(i);
    }
    let targets = |name: &str, version: Option<&str>| -> Vec<usize> {
        by_name
            .get(name)
            .map(|v| {
                v.iter()
                    .copied()
                    .filter(|&j| version.is_none_or(|ver| lock.packages[j].version.as_deref() == Some(ver)))
                    .collect()
            })
            .unwrap_or_default()
    };

    // Components.
    let mut comps: Vec<Component> = Vec::with_capacity(n);
    for p in &lock.packages {
        let mut c =
            match &p.member_dir {
                Some(dir) => {
                    let mut c = match members.get(dir) {
                        Some(proj) if super::pep508::normalize(&proj.name) == p.name => {
                            let mut proj = proj.clone();
                            if p.version.is_some() {
                                proj.version = p.version.clone();
                            }
                            project_component(&proj)
                        }
                        _ => {
                            let mut c = Component::new(Ecosystem::Pypi, &p.name, p.version.clone())
                                .with_purl(pypi_id(&p.name, p.version.as_deref(), None));
                            c.kind = ComponentKind::Application;
                            c.source = Some(SourceKind::Local);
                            c
                        }
                    };
                    c.kind = ComponentKind::Application;
                    c
                }
                None => {
                    let mut c = Component::new(Ecosystem::Pypi, &p.name, p.version.clone())
                        .with_purl(pypi_id(&p.name, p.version.as_deref(), p.source.as_ref()));
                    c.source = p.source.clone();
                    c.hashes = p.hashes.clone();
                    c.description = p.description.clone();
                    c.properties = p.properties.clone();
                    c
                }
            };
        c.found_in.push(Location::new(&lock.path, Some(p.line)));
        comps.push(c);
    }

    // Edges between locked packages.
    let mut adj: Vec<Vec<(usize, EdgeKind)>> = vec![Vec::new(); n];
    let mut unresolved: Vec<(String, u32)> = Vec::new();
    for (i, p) in lock.packages.iter().enumerate() {
        for d in &p.deps {
            let ts = targets(&d.name, d.version.as_deref());
            if ts.is_empty() {
                unresolved.push((format!("{} -> {}", p.name, d.name), p.line));
            }
            for j in ts {
                if j != i {
                    adj[i].push((j, d.kind));
                }
            }
        }
    }
    if let Some((_, first_line)) = unresolved.first() {
        // uv locks every platform and Python version: a missing entry is a broken lock. Poetry, PDM and
        // Pipfile leave out what environment markers exclude for the project's Python range.
        let shown: Vec<&str> = unresolved.iter().take(10).map(|(s, _)| s.as_str()).collect();
        let msg = format!(
            "{} dependency reference(s) name no package of the lockfile{}: {}{}",
            unresolved.len(),
            if lock.complete { "" } else { " (environment markers can leave packages out of this lockfile)" },
            shown.join(", "),
            if unresolved.len() > shown.len() { ", …" } else { "" }
        );
        let d = if lock.complete {
            Diagnostic::warning("unresolved-lock-reference", msg)
        } else {
            Diagnostic::note("unresolved-lock-reference", msg)
        };
        out.diagnostics.push(d.at(&lock.path, Some(*first_line)));
    }

    // The application the graph hangs from, when the lock does not contain it.
    let app = project.filter(|_| lock.packages.iter().all(|p| p.member_dir.is_none())).map(project_component);
    let mut scope: Vec<Option<Scope>> = vec![None; n];
    let mut queue = VecDeque::new();
    let mut direct = vec![false; n];
    let mut root_edges: Vec<(usize, EdgeKind)> = Vec::new();
    for (name, kind, loc) in &lock.roots {
        let ts = targets(name, None);
        if ts.is_empty() {
            continue;
        }
        for j in ts {
            direct[j] = true;
            comps[j].found_in.push(loc.clone());
            root_edges.push((j, *kind));
            let s = edge_scope(*kind);
            if scope[j].is_none_or(|cur| s > cur) {
                scope[j] = Some(s);
                queue.push_back(j);
            }
        }
    }
    for (i, p) in lock.packages.iter().enumerate() {
        if p.member_dir.is_some() {
            scope[i] = Some(Scope::Runtime);
            for &(j, kind) in &adj[i] {
                if lock.packages[j].member_dir.is_some() {
                    continue;
                }
                direct[j] = true;
                let s = edge_scope(kind);
                if scope[j].is_none_or(|cur| s > cur) {
                    scope[j] = Some(s);
                    queue.push_back(j);
                }
            }
        }
    }
    while let Some(i) = queue.pop_front() {
        let from = scope[i].unwrap_or(Scope::Runtime);
        for &(j, _) in &adj[i] {
            if lock.packages[j].member_dir.is_some() {
                continue;
            }
            if scope[j].is_none_or(|cur| from > cur) {
                scope[j] = Some(from);
                queue.push_back(j);
            }
        }
    }
    for (i, c) in comps.iter_mut().enumerate() {
        if c.kind == ComponentKind::Application {
            continue;
        }
        // What the lockfile states wins over what the graph suggests.
        c.scope = lock.packages[i].scope.or(scope[i]).unwrap_or(Scope::Runtime);
        c.direct = direct[i];
    }
    for (i, list) in adj.iter().enumerate() {
        for &(j, kind) in list {
            out.edges.push(Edge { from: comps[i].id.clone(), to: comps[j].id.clone(), kind });
        }
    }
    if let Some(app) = app {
        for &(j, kind) in &root_edges {
            out.edges.push(Edge { from: app.id.clone(), to: comps[j].id.clone(), kind });
        }
        out.components.push(app);
    }
    out.components.extend(comps);
    out
}

/// The `[[package]]` tables of a TOML lockfile (uv.lock, pdm.lock) with their line and name: a `package`
/// that is not an array is an error, an entry that is not a table is skipped, one without a name is
/// skipped with a warning.
pub fn package_tables<'a, 'i>(
    root: &'a DeTable<'i>,
    text: &str,
    path: &str,
    diags: &mut Vec<Diagnostic>,
) -> Result<Vec<(u32, String, &'a DeTable<'i>)>, Diagnostic> {
    let Some(pkgs) = root.get("package") else { return Ok(Vec::new()) };
    let Some(arr) = pkgs.get_ref().as_array() else {
        return Err(Diagnostic::error("invalid-lockfile", "`package` is not an array of tables")
            .at(path, Some(line_of(text, pkgs.span().start))));
    };
    let mut out = Vec::with_capacity(arr.len());
    let lines = super::super::Lines::new(text);
    for item in arr.iter() {
        let line = lines.line_of(item.span().start);
        let DeValue::Table(t) = item.get_ref() else { continue };
        match tu::string(t, "name") {
            Some(name) => out.push((line, name, t)),
            None => diags.push(
                Diagnostic::warning("invalid-lockfile", "package entry without a name; skipped")
                    .at(path, Some(line)),
            ),
        }
    }
    Ok(out)
}
