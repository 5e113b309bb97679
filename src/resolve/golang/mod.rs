//! Go modules: `go.mod` (module, `go`, `toolchain`, `require` direct and `// indirect`, `replace`,
//! `exclude`, `retract`), `go.work` workspaces, `go.sum` / `go.work.sum` and `vendor/modules.txt`, without
//! running the Go command or contacting a module proxy.
//!
//! What is a component: every module `go.mod` requires (after `replace`), except one that `go.sum` shows
//! was never downloaded (only its `/go.mod` hash is recorded: it took part in version selection and was not
//! built). Modules whose content `go.sum` hashes but `go.mod` does not require are, from Go 1.17 on (pruned
//! module graphs, where `go.mod` lists every module that provides a package of the build), only needed to
//! test dependencies (`go test all`): they are listed as `dev`. Before Go 1.17 `go.mod` is not complete and
//! they are listed as indirect runtime dependencies.

mod modfile;
mod sum;

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{
    purl, Component, ComponentKind, Diagnostic, Ecosystem, Edge, EdgeKind, Location, Scope, SourceKind,
};
use crate::resolve::{Resolution, ResolveContext, Resolver};
use crate::source::tree::join_rel;

pub use modfile::{cmp_versions, is_pseudo_version, parse as parse_mod, ModFile, Replace, Require};
pub use sum::{parse as parse_sum, parse_vendor, SumEntry, Sums, VendoredModule};

/// The Go resolver.
pub struct GoResolver;

/// Whether a directory is one the Go command ignores (`testdata`, `_x`, `.x`) or a vendored copy.
fn ignored_dir(path: &str) -> bool {
    let mut segs: Vec<&str> = path.split('/').collect();
    segs.pop();
    segs.iter().any(|s| *s == "testdata" || *s == "vendor" || s.starts_with('_') || s.starts_with('.'))
}

/// The purl of a module: the path with its exact case (Go module paths are case-sensitive; the Go proxy,
/// deps.dev and OSV know `github.com/Azure/…`, not `github.com/azure/…`), split at its last `/` into
/// namespace and name (`github.com/alecthomas/chroma/v2` → namespace `github.com/alecthomas/chroma`, name
/// `v2`).
pub fn module_purl(path: &str, version: Option<&str>) -> String {
    let (ns, name) = match path.rsplit_once('/') {
        Some((ns, n)) => (Some(ns), n),
        None => (None, path),
    };
    purl::build("golang", ns, name, version, &[]).unwrap_or_else(|| match version {
        Some(v) => format!("pkg:golang/{path}@{v}"),
        None => format!("pkg:golang/{path}"),
    })
}

/// A component for a module (namespace and name keep the exact case of the module path).
fn module_component(path: &str, version: Option<&str>) -> Component {
    let (ns, name) = match path.rsplit_once('/') {
        Some((ns, n)) => (Some(ns.to_string()), n.to_string()),
        None => (None, path.to_string()),
    };
    let mut c = Component::new(Ecosystem::Golang, name, version.map(str::to_string))
        .with_purl(module_purl(path, version));
    c.namespace = ns;
    if let Some(v) = version {
        if is_pseudo_version(v) {
            c.properties.insert("go-pseudo-version".into(), "true".into());
        }
    }
    c
}

/// A workspace (`go.work`): its directory, replacements and sums.
struct Work {
    dir: String,
    path: String,
    file: ModFile,
    sums: Option<Sums>,
    sum_path: String,
    members: BTreeSet<String>,
}

/// One module of the tree.
struct Module {
    dir: String,
    path: String,
    file: ModFile,
}

impl Resolver for GoResolver {
    fn name(&self) -> &'static str {
        "go"
    }

    fn resolve(&self, ctx: &ResolveContext) -> Resolution {
        let mut out = Resolution::default();
        let tree = ctx.tree;
        let read = |path: &str, diags: &mut Vec<Diagnostic>| tree.read_text_or_note(path, diags);
        let mut modules: Vec<Module> = Vec::new();
        for f in tree.named("go.mod") {
            if ignored_dir(&f.path) {
                continue;
            }
            let Some(text) = read(&f.path, &mut out.diagnostics) else { continue };
            let file = modfile::parse(&text, &f.path, &mut out.diagnostics);
            modules.push(Module { dir: f.dir().to_string(), path: f.path.clone(), file });
        }
        let mut works: Vec<Work> = Vec::new();
        for f in tree.named("go.work") {
            if ignored_dir(&f.path) {
                continue;
            }
            let Some(text) = read(&f.path, &mut out.diagnostics) else { continue };
            let file = modfile::parse(&text, &f.path, &mut out.diagnostics);
            let sum_path = join_rel(f.dir(), "go.work.sum").unwrap_or_default();
            let sums = if tree.contains(&sum_path) {
                read(&sum_path, &mut out.diagnostics).map(|t| sum::parse(&t, &sum_path, &mut out.diagnostics))
            } else {
                None
            };
            let mut members = BTreeSet::new();
            for (u, line) in &file.uses {
                match join_rel(f.dir(), u).filter(|_| !u.starts_with('/')) {
                    Some(d) if modules.iter().any(|m| m.dir == d) => {
                        members.insert(d);
                    }
                    _ => out.diagnostics.push(
                        Diagnostic::warning(
                            "workspace-member-missing",
                            format!("`use {u}` names no go.mod in the tree"),
                        )
                        .at(&f.path, Some(*line)),
                    ),
                }
            }
            works.push(Work {
                dir: f.dir().to_string(),
                path: f.path.clone(),
                file,
                sums,
                sum_path,
                members,
            });
        }
        // Module paths of the tree's own modules: requirements on them inside a workspace (or through a
        // local replace) are edges to the application, not downloads.
        let local: BTreeMap<String, (String, String)> = modules
            .iter()
            .filter_map(|m| {
                m.file.module.as_ref().map(|(p, _)| (m.dir.clone(), (p.clone(), module_purl(p, None))))
            })
            .collect();
        for m in &modules {
            let work = works.iter().find(|w| w.members.contains(&m.dir));
            let sum_path = join_rel(&m.dir, "go.sum").unwrap_or_default();
            let sums = if tree.contains(&sum_path) {
                read(&sum_path, &mut out.diagnostics).map(|t| sum::parse(&t, &sum_path, &mut out.diagnostics))
            } else {
                None
            };
            let vendor_path = join_rel(&m.dir, "vendor/modules.txt").unwrap_or_default();
            let vendor = if tree.contains(&vendor_path) {
                read(&vendor_path, &mut out.diagnostics)
                    .map(|t| (vendor_path.clone(), sum::parse_vendor(&t, &vendor_path, &mut out.diagnostics)))
            } else {
                None
            };
            out.append(resolve_module(m, work, sums.map(|s| (sum_path, s)), vendor, &local));
        }
        // Two module paths that differ only by case are two modules to the Go toolchain (often one
        // repository renamed): both are listed, and a note says so.
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        let mut clashes = BTreeSet::new();
        for c in &out.components {
            let exact = c.display_name();
            let folded = c.id.to_ascii_lowercase();
            match seen.get(&folded) {
                Some(other) if other != &exact => {
                    clashes.insert((other.clone(), exact));
                }
                Some(_) => {}
                None => {
                    seen.insert(folded, exact);
                }
            }
        }
        for (a, b) in clashes {
            out.diagnostics.push(Diagnostic::note(
                "go-module-case-clash",
                format!("`{a}` and `{b}` differ only by case: Go treats them as two modules (often one repository renamed), both are listed"),
            ));
        }
        out
    }
}

/// The replacement that applies to `path@version`: the workspace's first, then the module's.
fn find_replace<'a>(replaces: &[&'a Replace], path: &str, version: &str) -> Option<&'a Replace> {
    // A replacement naming the exact version wins over one for every version.
    replaces
        .iter()
        .find(|r| r.old_path == path && r.old_version.as_deref() == Some(version))
        .or_else(|| replaces.iter().find(|r| r.old_path == path && r.old_version.is_none()))
        .copied()
}

fn resolve_module(
    m: &Module,
    work: Option<&Work>,
    sums: Option<(String, Sums)>,
    vendor: Option<(String, Vec<VendoredModule>)>,
    local: &BTreeMap<String, (String, String)>,
) -> Resolution {
    let mut out = Resolution::default();
    let f = &m.file;
    let app = match &f.module {
        Some((p, line)) => {
            let mut c = module_component(p, None);
            c.kind = ComponentKind::Application;
            c.source = Some(SourceKind::Local);
            c.found_in.push(Location::new(&m.path, Some(*line)));
            if let Some(g) = &f.go {
                c.properties.insert("go-version".into(), g.clone());
            }
            if let Some(t) = &f.toolchain {
                c.properties.insert("go-toolchain".into(), t.clone());
            }
            if !f.retracts.is_empty() {
                let r: Vec<&str> = f.retracts.iter().map(|(r, _)| r.as_str()).collect();
                c.properties.insert("go-retracted".into(), r.join("; "));
            }
            Some(c)
        }
        None => {
            out.diagnostics.push(
                Diagnostic::warning(
                    "invalid-go-mod",
                    "no `module` directive; requirements are listed without the module",
                )
                .at(&m.path, None),
            );
            None
        }
    };
    let pruned = f.go.as_deref().is_some_and(|g| {
        let mut it = g.split('.').map(|n| n.parse::<u32>().unwrap_or(0));
        (it.next().unwrap_or(0), it.next().unwrap_or(0)) >= (1, 17)
    });
    let mut replaces: Vec<&Replace> = Vec::new();
    let base_dir_of = |r: &Replace| -> String {
        match work {
            Some(w) if w.file.replaces.iter().any(|x| std::ptr::eq(x, r)) => w.dir.clone(),
            _ => m.dir.clone(),
        }
    };
    if let Some(w) = work {
        replaces.extend(w.file.replaces.iter());
    }
    replaces.extend(f.replaces.iter());
    let sum_of = |path: &str, version: &str| -> Option<(&str, &SumEntry)> {
        let key = (path.to_string(), version.to_string());
        if let Some((sp, s)) = &sums {
            if let Some(e) = s.get(&key) {
                return Some((sp.as_str(), e));
            }
        }
        let w = work?;
        let e = w.sums.as_ref()?.get(&key)?;
        Some((w.sum_path.as_str(), e))
    };
    let have_sums = sums.is_some() || work.is_some_and(|w| w.sums.is_some());
    let mut not_built = Vec::new();
    let mut missing_sum = 0usize;
    // (path, version) of every module the build uses, to tell go.sum's extra entries apart.
    let mut used: BTreeSet<(String, String)> = BTreeSet::new();
    let mut used_paths: BTreeSet<String> = BTreeSet::new();
    for r in &f.requires {
        used_paths.insert(r.path.clone());
        if let Some((_, _, line)) = f.excludes.iter().find(|(p, v, _)| p == &r.path && v == &r.version) {
            out.diagnostics.push(
                Diagnostic::warning(
                    "go-excluded-version-required",
                    format!("`{} {}` is required and excluded (line {line}); the Go command would select another version", r.path, r.version),
                )
                .at(&m.path, Some(r.line)),
            );
        }
        let kind = EdgeKind::Normal;
        let rep = find_replace(&replaces, &r.path, &r.version);
        // Local replacement or workspace module: the tree's own code.
        let local_dir = match rep {
            Some(rp) if rp.is_local() => {
                join_rel(&base_dir_of(rp), &rp.new_path).filter(|_| !rp.new_path.starts_with('/'))
            }
            _ => None,
        };
        let workspace_target = work.and_then(|w| {
            w.members.iter().find(|d| local.get(*d).is_some_and(|(p, _)| p == &r.path)).cloned()
        });
        if let Some(dir) =
            local_dir.clone().filter(|d| local.contains_key(d)).or(workspace_target.filter(|_| rep.is_none()))
        {
            if let (Some(a), Some((_, id))) = (&app, local.get(&dir)) {
                out.edges.push(Edge { from: a.id.clone(), to: id.clone(), kind });
            }
            continue;
        }
        let mut c = match rep {
            Some(rp) if rp.is_local() => {
                let mut c = module_component(&r.path, None);
                c.requirement = Some(r.version.clone());
                c.source =
                    Some(SourceKind::Path { path: local_dir.clone().unwrap_or_else(|| rp.new_path.clone()) });
                c.properties.insert("go-replaced-by".into(), rp.new_path.clone());
                c.found_in.push(Location::new(&m.path, Some(rp.line)));
                c
            }
            Some(rp) => {
                let v = rp.new_version.clone().unwrap_or_default();
                let mut c = module_component(&rp.new_path, Some(&v));
                c.source = Some(SourceKind::Registry { url: None });
                c.properties.insert("go-replaces".into(), format!("{} {}", r.path, r.version));
                c.found_in.push(Location::new(
                    if work.is_some_and(|w| w.file.replaces.iter().any(|x| std::ptr::eq(x, rp))) {
                        work.map(|w| w.path.as_str()).unwrap_or(&m.path)
                    } else {
                        &m.path
                    },
                    Some(rp.line),
                ));
                used.insert((rp.new_path.clone(), v));
                used_paths.insert(rp.new_path.clone());
                c
            }
            None => {
                let mut c = module_component(&r.path, Some(&r.version));
                c.source = Some(SourceKind::Registry { url: None });
                used.insert((r.path.clone(), r.version.clone()));
                c
            }
        };
        c.found_in.push(Location::new(&m.path, Some(r.line)));
        c.direct = !r.indirect;
        c.scope = Scope::Runtime;
        if let Some(v) = c.version.clone() {
            let full = match &c.namespace {
                Some(ns) => format!("{ns}/{}", c.name),
                None => c.name.clone(),
            };
            match sum_of(&full, &v) {
                Some((sp, e)) if e.content.is_some() => {
                    c.properties.insert("go-sum-h1".into(), e.content.clone().unwrap_or_default());
                    c.found_in.push(Location::new(sp, Some(e.line)));
                }
                Some((sp, e)) => {
                    not_built.push(format!("{full}@{v} ({sp}:{})", e.line));
                    continue;
                }
                None if have_sums => missing_sum += 1,
                None => {}
            }
        }
        if let (Some(a), true) = (&app, c.direct) {
            out.edges.push(Edge { from: a.id.clone(), to: c.id.clone(), kind });
        }
        out.components.push(c);
    }
    if !not_built.is_empty() {
        out.diagnostics.push(
            Diagnostic::note(
                "go-module-not-built",
                format!(
                    "{} required module(s) have only a `/go.mod` hash in go.sum: they took part in version selection but were never downloaded, and are not listed: {}",
                    not_built.len(),
                    not_built.join(", ")
                ),
            )
            .at(&m.path, None),
        );
    }
    if missing_sum > 0 {
        out.diagnostics.push(
            Diagnostic::note(
                "go-sum-missing",
                format!("{missing_sum} required module(s) have no go.sum entry (go.sum is not tidy); they are listed without a checksum"),
            )
            .at(&m.path, None),
        );
    }
    // go.sum's content hashes for modules go.mod does not require.
    if let Some((sp, s)) = &sums {
        let main = f.module.as_ref().map(|(p, _)| p.as_str());
        let mut best: BTreeMap<&str, (&str, &SumEntry)> = BTreeMap::new();
        for ((p, v), e) in s {
            if e.content.is_none()
                || used.contains(&(p.clone(), v.clone()))
                || used_paths.contains(p)
                || Some(p.as_str()) == main
            {
                continue;
            }
            match best.get(p.as_str()) {
                Some((bv, _)) if cmp_versions(bv, v) != std::cmp::Ordering::Less => {}
                _ => {
                    best.insert(p.as_str(), (v.as_str(), e));
                }
            }
        }
        if !best.is_empty() {
            out.diagnostics.push(
                Diagnostic::note(
                    "go-sum-extra-modules",
                    if pruned {
                        format!("{} module(s) have content hashes in go.sum but are not required by go.mod: from Go 1.17 on they are only needed to test dependencies and are listed with scope dev", best.len())
                    } else {
                        format!("{} module(s) have content hashes in go.sum but are not in go.mod: before Go 1.17 go.mod does not list the whole build, so they are listed as indirect runtime dependencies (some may only be needed to test dependencies)", best.len())
                    },
                )
                .at(sp, None),
            );
        }
        for (p, (v, e)) in best {
            let mut c = module_component(p, Some(v));
            c.source = Some(SourceKind::Registry { url: None });
            c.scope = if pruned { Scope::Dev } else { Scope::Runtime };
            c.found_in.push(Location::new(sp, Some(e.line)));
            c.properties.insert("go-sum-h1".into(), e.content.clone().unwrap_or_default());
            c.properties.insert("go-listed-in".into(), "go.sum".into());
            out.components.push(c);
        }
    }
    // Vendored copies: mark them, and add what go.mod does not name (an out-of-date vendor tree).
    if let Some((vp, vendored)) = vendor {
        for v in vendored.iter().filter(|v| v.packages > 0) {
            let (path, version) = match &v.replacement {
                Some((np, Some(nv))) => (np.as_str(), Some(nv.as_str())),
                Some((np, None)) if modfile::is_local_path(np) => (v.path.as_str(), None),
                _ => (v.path.as_str(), v.version.as_deref()),
            };
            let id = module_purl(path, version);
            match out.components.iter_mut().find(|c| c.id == id) {
                Some(c) => {
                    c.found_in.push(Location::new(&vp, Some(v.line)));
                    c.properties.insert("go-vendored".into(), "true".into());
                }
                None => {
                    let mut c = module_component(path, version);
                    c.found_in.push(Location::new(&vp, Some(v.line)));
                    c.properties.insert("go-vendored".into(), "true".into());
                    c.source = Some(SourceKind::Path {
                        path: join_rel(&m.dir, &format!("vendor/{}", v.path)).unwrap_or_default(),
                    });
                    out.diagnostics.push(
                        Diagnostic::warning(
                            "vendor-out-of-date",
                            format!("`{}` is vendored but go.mod does not require it", v.path),
                        )
                        .at(&vp, Some(v.line)),
                    );
                    out.components.push(c);
                }
            }
        }
    }
    if let Some(a) = app {
        out.components.push(a);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls() {
        assert_eq!(
            module_purl("github.com/BurntSushi/toml", Some("v1.5.0")),
            "pkg:golang/github.com/BurntSushi/toml@v1.5.0"
        );
        assert_eq!(
            module_purl("github.com/alecthomas/chroma/v2", Some("v2.27.0")),
            "pkg:golang/github.com/alecthomas/chroma/v2@v2.27.0"
        );
        assert_eq!(module_purl("gocloud.dev", Some("v0.45.0")), "pkg:golang/gocloud.dev@v0.45.0");
        assert_eq!(
            module_purl("github.com/Azure/go-autorest", Some("v14.2.0+incompatible")),
            "pkg:golang/github.com/Azure/go-autorest@v14.2.0%2Bincompatible"
        );
    }

    #[test]
    fn ignored() {
        assert!(ignored_dir("a/testdata/go.mod"));
        assert!(ignored_dir("vendor/x/go.mod"));
        assert!(ignored_dir("_old/go.mod"));
        assert!(!ignored_dir("go.mod"));
        assert!(!ignored_dir("tools/go.mod"));
    }
}
