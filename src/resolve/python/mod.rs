//! Python: lockfiles (`poetry.lock`, `uv.lock`, `pdm.lock`, `Pipfile.lock`), project files
//! (`pyproject.toml`, `setup.cfg`), pip requirement files and installed `*.dist-info/METADATA`, all read as
//! data. Nothing is imported, built or installed; no index is contacted.
//!
//! Names are normalised as PEP 503 says in ids and purls (`pkg:pypi/typing-extensions@4.12.2`).

mod dist_info;
mod lock;
mod pdm;
pub mod pep508;
mod pipfile;
mod poetry;
mod pyproject;
mod reqlines;
mod requirements;
mod uv;

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{
    purl, Component, ComponentKind, Diagnostic, Ecosystem, Edge, EdgeKind, LicenseValue, Location, Scope,
    SourceKind,
};
use crate::resolve::{Resolution, ResolveContext, Resolver};
use crate::source::tree::join_rel;
use crate::util::redact::redact_url;

pub use lock::{LockDep, LockFile, LockedPackage};
pub use poetry::parse as parse_poetry_lock;
pub use pyproject::{DeclaredDep, Project};
pub use uv::parse as parse_uv_lock;

/// The Python resolver.
pub struct PythonResolver;

/// Lockfile names, in the order they are read.
const LOCKS: [&str; 4] = ["uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock"];

impl Resolver for PythonResolver {
    fn name(&self) -> &'static str {
        "python"
    }

    fn resolve(&self, ctx: &ResolveContext) -> Resolution {
        let mut out = Resolution::default();
        let tree = ctx.tree;
        let read = |path: &str, diags: &mut Vec<Diagnostic>| tree.read_text_or_note(path, diags);

        // 1. Projects: pyproject.toml, else setup.cfg, per directory.
        let mut projects: BTreeMap<String, Project> = BTreeMap::new();
        for f in tree.named("pyproject.toml") {
            if in_installed_tree(&f.path) {
                continue;
            }
            let Some(text) = read(&f.path, &mut out.diagnostics) else { continue };
            match pyproject::parse(&text, &f.path, f.dir(), &mut out.diagnostics) {
                Ok(Some(p)) => {
                    projects.insert(f.dir().to_string(), p);
                }
                Ok(None) => {}
                Err(d) => out.diagnostics.push(d),
            }
        }
        for f in tree.named("setup.cfg") {
            if in_installed_tree(&f.path) {
                continue;
            }
            let Some(text) = read(&f.path, &mut out.diagnostics) else { continue };
            if let Some(p) = pyproject::parse_setup_cfg(&text, &f.path, f.dir(), &mut out.diagnostics) {
                match projects.get_mut(f.dir()) {
                    // pyproject.toml wins; setup.cfg fills what it leaves out.
                    Some(existing) => {
                        if existing.deps.is_empty() {
                            existing.deps = p.deps;
                        }
                        existing.version = existing.version.take().or(p.version);
                        existing.license = existing.license.take().or(p.license);
                        existing.description = existing.description.take().or(p.description);
                        existing.homepage = existing.homepage.take().or(p.homepage);
                        if existing.authors.is_empty() {
                            existing.authors = p.authors;
                        }
                    }
                    None => {
                        projects.insert(f.dir().to_string(), p);
                    }
                }
            }
        }

        // 2. Lockfiles. A directory with a lockfile (or a uv workspace member) is resolved from it.
        let mut covered: BTreeSet<String> = BTreeSet::new();
        for name in LOCKS {
            for f in tree.named(name) {
                if in_installed_tree(&f.path) {
                    continue;
                }
                let Some(text) = read(&f.path, &mut out.diagnostics) else { continue };
                let dir = f.dir().to_string();
                let parsed = match name {
                    "uv.lock" => uv::parse(&text, &f.path, &dir, &mut out.diagnostics),
                    "poetry.lock" => poetry::parse(&text, &f.path, &mut out.diagnostics),
                    "pdm.lock" => pdm::parse(&text, &f.path, &mut out.diagnostics),
                    _ => pipfile::parse(&text, &f.path, &mut out.diagnostics),
                };
                let mut lock = match parsed {
                    Ok(l) => l,
                    Err(d) => {
                        out.diagnostics.push(d);
                        continue;
                    }
                };
                let project = projects.get(&dir);
                if name == "Pipfile.lock" {
                    let pipfile = join_rel(&dir, "Pipfile").unwrap_or_default();
                    if tree.contains(&pipfile) {
                        if let Some(t) = read(&pipfile, &mut out.diagnostics) {
                            lock.roots = pipfile::roots(&t, &pipfile, &mut out.diagnostics);
                        }
                    }
                } else if let Some(p) = project {
                    if lock.packages.iter().all(|p| p.member_dir.is_none()) {
                        lock.roots = p
                            .deps
                            .iter()
                            .map(|d| {
                                (pep508::normalize(&d.req.name), d.kind, Location::new(&p.path, Some(d.line)))
                            })
                            .collect();
                    }
                }
                for p in &lock.packages {
                    if let Some(d) = &p.member_dir {
                        covered.insert(d.clone());
                    }
                }
                covered.insert(dir.clone());
                out.append(lock::resolve(&lock, project, &projects));
            }
        }

        // A Pipfile without its lock: declared requirements.
        for f in tree.named("Pipfile") {
            let lock = join_rel(f.dir(), "Pipfile.lock").unwrap_or_default();
            if in_installed_tree(&f.path) || tree.contains(&lock) {
                continue;
            }
            let Some(text) = read(&f.path, &mut out.diagnostics) else { continue };
            let comps = pipfile::declared(&text, &f.path, &mut out.diagnostics);
            if !comps.is_empty() {
                out.diagnostics.push(
                    Diagnostic::note(
                        "no-lockfile",
                        "no Pipfile.lock: dependencies are listed as declared requirements, not resolved versions",
                    )
                    .at(&f.path, None),
                );
            }
            out.components.extend(comps);
        }

        // 3. Projects without a lockfile: declared requirements.
        for (dir, p) in &projects {
            if covered.contains(dir) {
                continue;
            }
            if !p.deps.is_empty() {
                out.diagnostics.push(
                    Diagnostic::note(
                        "no-lockfile",
                        "no Python lockfile for this project: dependencies are listed as declared requirements, not resolved versions",
                    )
                    .at(&p.path, None),
                );
            }
            out.append(from_project(p, &projects));
        }

        // 4. pip requirement files.
        out.append(requirements::resolve_all(tree, &projects));

        // 5. Installed distributions inside the tree.
        out.append(dist_info::resolve_all(tree));
        fold_requirements_into_pins(&mut out);
        out
    }
}

fn dir_of(path: &str) -> &str {
    path.rfind('/').map(|i| &path[..i]).unwrap_or("")
}

/// A package declared without a version in one file (`pyproject.toml`: `requests>=2`) and pinned in a
/// requirement file or lockfile of the same directory (`requests==2.31.0`) is one component: the pinned one,
/// which also gets the declaration's location and directness. Only when exactly one pinned version of the
/// name comes from that directory; otherwise both stay, since which one is installed is not knowable.
fn fold_requirements_into_pins(out: &mut Resolution) {
    let mut pinned: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, c) in out.components.iter().enumerate() {
        if c.version.is_some() && c.kind == ComponentKind::Library {
            let dirs: BTreeSet<&str> = c.found_in.iter().map(|l| dir_of(&l.path)).collect();
            for d in dirs {
                let e = pinned.entry((c.name.clone(), d.to_string())).or_default();
                if !e.iter().any(|&j| out.components[j].id == c.id) {
                    e.push(i);
                }
            }
        }
    }
    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    let mut folded: Vec<(usize, usize)> = Vec::new();
    for (i, c) in out.components.iter().enumerate() {
        let registry = matches!(c.source, None | Some(SourceKind::Registry { .. }));
        if c.version.is_some() || c.kind != ComponentKind::Library || !registry {
            continue;
        }
        let Some(loc) = c.found_in.first() else { continue };
        if let Some([j]) = pinned.get(&(c.name.clone(), dir_of(&loc.path).to_string())).map(Vec::as_slice) {
            renamed.insert(c.id.clone(), out.components[*j].id.clone());
            folded.push((i, *j));
        }
    }
    if folded.is_empty() {
        return;
    }
    let mut taken: Vec<Option<Component>> = out.components.drain(..).map(Some).collect();
    for &(i, j) in &folded {
        if let Some(mut c) = taken[i].take() {
            c.requirement = None;
            c.id = String::new();
            c.purl = None;
            c.source = None;
            if let Some(target) = taken[j].as_mut() {
                target.merge(c);
            }
        }
    }
    out.components = taken.into_iter().flatten().collect();
    for e in &mut out.edges {
        if let Some(to) = renamed.get(&e.to) {
            e.to = to.clone();
        }
    }
}

/// Whether a path lies inside an installed environment (virtual environment, site-packages), whose
/// project files are not the scanned project's own.
fn in_installed_tree(path: &str) -> bool {
    path.split('/').any(|seg| seg == "site-packages" || seg == "dist-packages" || seg.ends_with(".dist-info"))
}

pub(crate) fn edge_scope(kind: EdgeKind) -> Scope {
    match kind {
        EdgeKind::Normal | EdgeKind::Peer => Scope::Runtime,
        EdgeKind::Build => Scope::Build,
        EdgeKind::Optional => Scope::Optional,
        EdgeKind::Dev => Scope::Dev,
    }
}

/// Whether an index URL is the default one (PyPI).
pub(crate) fn is_pypi(url: &str) -> bool {
    let u = url.trim_end_matches('/').to_ascii_lowercase();
    u.ends_with("://pypi.org/simple")
        || u.ends_with("://pypi.python.org/simple")
        || u.ends_with("://pypi.org/pypi")
        || u.ends_with("://files.pythonhosted.org")
}

/// The id (purl) of a Python package: the PEP 503 name, the version when exact, and a qualifier saying
/// where the bytes come from when it is not PyPI.
pub(crate) fn pypi_id(name: &str, version: Option<&str>, source: Option<&SourceKind>) -> String {
    let norm = pep508::normalize(name);
    let q: Vec<(&str, String)> = match source {
        // A purl names the index, not who logged in: the (already redacted) user-info is dropped.
        Some(SourceKind::Registry { url: Some(u) }) if !is_pypi(u) => {
            vec![("repository_url", u.replace("***@", ""))]
        }
        Some(SourceKind::Git { url, commit, reference }) => {
            let url = url.replace("***@", "");
            let rev = commit.as_ref().or(reference.as_ref());
            vec![(
                "vcs_url",
                match rev {
                    Some(r) => format!("git+{url}@{r}"),
                    None => format!("git+{url}"),
                },
            )]
        }
        Some(SourceKind::Url { url }) => vec![("download_url", url.replace("***@", ""))],
        _ => Vec::new(),
    };
    let qs: Vec<(&str, &str)> = q.iter().map(|(k, v)| (*k, v.as_str())).collect();
    purl::build("pypi", None, &norm, version, &qs)
        .or_else(|| purl::build("pypi", None, &norm, version, &[]))
        .unwrap_or_else(|| format!("pkg:pypi/{norm}"))
}

/// The application component of a project.
pub(crate) fn project_component(p: &Project) -> Component {
    let norm = pep508::normalize(&p.name);
    let mut c = Component::new(Ecosystem::Pypi, &norm, p.version.clone()).with_purl(pypi_id(
        &norm,
        p.version.as_deref(),
        None,
    ));
    c.kind = ComponentKind::Application;
    c.source = Some(SourceKind::Local);
    c.found_in.push(Location::new(&p.path, Some(p.line.max(1))));
    c.description = p.description.clone();
    c.authors = p.authors.clone();
    c.homepage = p.homepage.clone();
    c.repository = p.repository.clone();
    if let Some(l) = &p.license {
        c.license.declared = Some(LicenseValue::declared(l, &p.path));
    }
    c
}

/// The source a declared requirement points at (a URL, a git repository, a path), credentials removed.
pub(crate) fn declared_source(
    url: Option<&str>,
    git: Option<&(String, Option<String>)>,
    path: Option<&str>,
    base_dir: &str,
) -> Option<SourceKind> {
    if let Some((g, r)) = git {
        return Some(git_source(g, r.clone()));
    }
    if let Some(p) = path {
        return Some(SourceKind::Path { path: join_rel(base_dir, p).unwrap_or_else(|| p.to_string()) });
    }
    let u = url?;
    // Hatch's context formatting (`{root:uri}/../lib`) names a directory relative to the project.
    if let Some(rest) = u.strip_prefix("{root:uri}") {
        let rel = rest.trim_start_matches('/');
        return Some(SourceKind::Path { path: join_rel(base_dir, rel).unwrap_or_else(|| u.to_string()) });
    }
    if let Some(rest) = u.strip_prefix("git+") {
        let (repo, rev) = split_vcs_rev(rest);
        return Some(git_source(repo, rev));
    }
    if let Some(p) = u.strip_prefix("file://") {
        return Some(SourceKind::Path { path: p.to_string() });
    }
    Some(SourceKind::Url { url: redact_url(u) })
}

/// `https://host/repo.git@rev#egg=x` → (`https://host/repo.git`, `rev`).
pub(crate) fn split_vcs_rev(s: &str) -> (&str, Option<String>) {
    let s = s.split('#').next().unwrap_or(s);
    // The revision follows the last `@` of the path part (an `@` before the host is user-info).
    let path_start = s.find("://").map(|i| i + 3).unwrap_or(0);
    let slash = s[path_start..].find('/').map(|i| path_start + i).unwrap_or(s.len());
    match s[slash..].rfind('@') {
        Some(i) => (&s[..slash + i], Some(s[slash + i + 1..].to_string()).filter(|r| !r.is_empty())),
        None => (s, None),
    }
}

pub(crate) fn git_source(url: &str, rev: Option<String>) -> SourceKind {
    let full = rev.as_deref().is_some_and(|r| r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit()));
    SourceKind::Git {
        url: redact_url(url),
        commit: if full { rev.clone() } else { None },
        reference: if full { None } else { rev },
    }
}

/// A declared dependency as a component: the version only when the declaration pins it exactly.
pub(crate) fn declared_component(
    req: &pep508::Requirement,
    source: Option<SourceKind>,
    kind: EdgeKind,
    loc: Location,
) -> Component {
    let norm = pep508::normalize(&req.name);
    let version = req.exact_version().or_else(|| {
        req.url
            .as_deref()
            .and_then(|u| pep508::version_from_filename(u.split(['#', '?']).next().unwrap_or(u), &norm))
    });
    let mut c = Component::new(Ecosystem::Pypi, &norm, version.clone()).with_purl(pypi_id(
        &norm,
        version.as_deref(),
        source.as_ref(),
    ));
    if version.is_none() && !req.spec.is_empty() {
        c.requirement = Some(req.spec.clone());
    }
    c.scope = edge_scope(kind);
    c.direct = true;
    c.source = source.or(Some(SourceKind::Registry { url: None }));
    c.found_in.push(loc);
    if !req.extras.is_empty() {
        c.properties.insert("python-extras".into(), req.extras.join(","));
    }
    if let Some(m) = &req.marker {
        c.properties.insert("python-marker".into(), m.clone());
    }
    c
}

/// Without a lockfile: the project and its declared dependencies.
fn from_project(p: &Project, projects: &BTreeMap<String, Project>) -> Resolution {
    let mut out = Resolution::default();
    let app = project_component(p);
    for d in &p.deps {
        let loc = Location::new(&p.path, Some(d.line));
        // A path dependency on another project of the tree is an edge to its application.
        if let Some(target) =
            d.path.as_deref().and_then(|pa| join_rel(&p.dir, pa)).and_then(|t| projects.get(&t))
        {
            out.edges.push(Edge { from: app.id.clone(), to: project_component(target).id, kind: d.kind });
            continue;
        }
        let source = declared_source(d.req.url.as_deref(), d.git.as_ref(), d.path.as_deref(), &p.dir);
        let mut c = declared_component(&d.req, source, d.kind, loc);
        if c.version.is_none() {
            if let Some(pc) = &d.poetry_constraint {
                c.requirement = Some(pc.clone());
            }
        }
        if let Some(g) = &d.group {
            c.properties.insert("python-group".into(), g.clone());
        }
        out.edges.push(Edge { from: app.id.clone(), to: c.id.clone(), kind: d.kind });
        out.components.push(c);
    }
    out.components.push(app);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vcs_revisions() {
        assert_eq!(
            split_vcs_rev("https://github.com/a/b.git@v1.0#egg=b"),
            ("https://github.com/a/b.git", Some("v1.0".into()))
        );
        assert_eq!(split_vcs_rev("https://u:p@github.com/a/b"), ("https://u:p@github.com/a/b", None));
        assert_eq!(
            split_vcs_rev("ssh://git@github.com/a/b@abc"),
            ("ssh://git@github.com/a/b", Some("abc".into()))
        );
    }

    #[test]
    fn ids() {
        assert_eq!(pypi_id("Typing_Extensions", Some("4.0"), None), "pkg:pypi/typing-extensions@4.0");
        assert_eq!(
            pypi_id(
                "x",
                Some("1"),
                Some(&SourceKind::Registry { url: Some("https://pypi.org/simple".into()) })
            ),
            "pkg:pypi/x@1"
        );
        assert_eq!(
            pypi_id(
                "x",
                Some("1"),
                Some(&SourceKind::Registry { url: Some("https://my.example/simple".into()) })
            ),
            "pkg:pypi/x@1?repository_url=https://my.example/simple"
        );
    }
}
