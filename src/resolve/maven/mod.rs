//! Maven: every `pom.xml` of the tree is a reactor module (an application component); its declared
//! dependencies get versions through in-repo parents, properties, dependency management and BOM imports.
//!
//! Without a lockfile Maven cannot be resolved offline: transitive dependencies are never invented, and a
//! version the repository does not determine (a range, a property or BOM defined outside it) is reported
//! as declared-unresolved with a `maven-version-unresolved` diagnostic at the declaring line.

mod model;
mod pom;

use std::collections::BTreeMap;

use crate::model::{
    purl, Component, ComponentKind, Diagnostic, Ecosystem, Edge, EdgeKind, LicenseValue, Location, Scope,
    SourceKind,
};
use crate::resolve::{Resolution, ResolveContext, Resolver};
use crate::source::tree::join_rel;

pub use model::{interpolate, Unresolved};
pub use pom::{Dep, Pom};

use model::{key, Builder, Effective};

/// The Maven resolver.
pub struct MavenResolver;

/// Test-fixture poms (`src/test/…`, `src/it/…`) are not modules unless a `<modules>` list names them.
fn is_fixture(path: &str) -> bool {
    path.starts_with("src/test/")
        || path.starts_with("src/it/")
        || path.contains("/src/test/")
        || path.contains("/src/it/")
}

impl Resolver for MavenResolver {
    fn name(&self) -> &'static str {
        "maven"
    }

    fn resolve(&self, ctx: &ResolveContext) -> Resolution {
        let mut out = Resolution::default();
        let mut poms = Vec::new();
        for f in ctx.tree.named("pom.xml") {
            let Some(text) = ctx.tree.read_text_or_note(&f.path, &mut out.diagnostics) else {
                continue;
            };
            match pom::parse(&text, &f.path, f.dir(), &mut out.diagnostics) {
                Ok(p) => poms.push(p),
                Err(d) => out.diagnostics.push(d),
            }
        }
        out.append(resolve_poms(&poms, &|p| ctx.tree.contains(p)));
        out
    }
}

/// A version in a purl: exact versions only, never a range.
fn is_range(v: &str) -> bool {
    v.starts_with('[') || v.starts_with('(') || v.contains(',')
}

fn scope_of(scope: &str, optional: bool) -> (Scope, EdgeKind) {
    match scope {
        "test" => (Scope::Dev, EdgeKind::Dev),
        "provided" => (Scope::Build, EdgeKind::Build),
        _ if optional => (Scope::Optional, EdgeKind::Optional),
        _ => (Scope::Runtime, EdgeKind::Normal),
    }
}

fn maven_purl(g: &str, a: &str, v: Option<&str>, type_: Option<&str>, classifier: Option<&str>) -> String {
    let t = type_.filter(|t| *t != "jar").unwrap_or("");
    let c = classifier.unwrap_or("");
    purl::build("maven", Some(g), a, v, &[("classifier", c), ("type", t)]).unwrap_or_else(|| {
        let mut s = format!("pkg:maven/{g}/{a}");
        if let Some(v) = v {
            s.push('@');
            s.push_str(v);
        }
        s
    })
}

/// Resolves parsed poms; `exists` says whether a path is a file of the tree (for `<modules>`).
pub fn resolve_poms(poms: &[Pom], exists: &dyn Fn(&str) -> bool) -> Resolution {
    let mut out = Resolution::default();
    let mut listed: Vec<String> = Vec::new();
    for p in poms {
        for (m, line) in &p.modules {
            let target = join_rel(&p.dir, m).map(|t| {
                if t.ends_with(".xml") {
                    t
                } else {
                    join_rel(&t, "pom.xml").unwrap_or(t)
                }
            });
            match target {
                Some(t) if exists(&t) => listed.push(t),
                _ => out.diagnostics.push(
                    Diagnostic::warning(
                        "maven-module-missing",
                        format!("module `{m}` has no pom.xml in the tree"),
                    )
                    .at(&p.path, Some(*line)),
                ),
            }
        }
    }
    let mut builder = Builder::new(poms);
    let effs: Vec<Effective> = (0..poms.len()).map(|i| builder.effective(i)).collect();
    let modules: Vec<usize> =
        (0..poms.len()).filter(|&i| !is_fixture(&poms[i].path) || listed.contains(&poms[i].path)).collect();
    // Reactor modules by groupId:artifactId, for dependencies between modules.
    let mut reactor: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut module_ids = vec![String::new(); poms.len()];
    for &i in &modules {
        let c = module_component(&poms[i], &effs[i], poms, &mut out.diagnostics);
        if let Some(g) = &c.namespace {
            reactor.entry((g.clone(), poms[i].artifact_id.clone())).or_insert(c.id.clone());
        }
        module_ids[i] = c.id.clone();
        out.components.push(c);
    }
    for &i in &modules {
        let (pom, eff) = (&poms[i], &effs[i]);
        if let (Some(pr), Some(ext)) = (&pom.parent, &eff.external_parent) {
            if eff.ancestors.is_empty() {
                out.diagnostics.push(
                    Diagnostic::note(
                        "maven-parent-outside-repo",
                        format!("parent `{ext}` is not in the repository; what it defines (properties, managed versions) is unknown"),
                    )
                    .at(&pom.path, Some(pr.line)),
                );
            }
        }
        for d in &pom.dependencies {
            dependency(pom, eff, d, &module_ids[i], &reactor, &mut out);
        }
        // A parent's <dependencies> are inherited: edges from this module too, interpolated in its context
        // (found at the parent's line).
        for &a in &eff.ancestors {
            for d in &poms[a].dependencies {
                dependency(&poms[a], eff, d, &module_ids[i], &reactor, &mut out);
            }
        }
    }
    out
}

fn module_component(pom: &Pom, eff: &Effective, poms: &[Pom], diags: &mut Vec<Diagnostic>) -> Component {
    let g = eff.group_id.clone().unwrap_or_default();
    let g = model::interpolate(&g, &eff.props).unwrap_or(g);
    let (version, requirement) = match &eff.version {
        Ok(v) => (Some(v.clone()), None),
        Err((raw, why)) => {
            diags.push(
                Diagnostic::warning(
                    "maven-version-unresolved",
                    format!("the module's own version is unknown: {why}"),
                )
                .at(&pom.path, Some(pom.line)),
            );
            (None, Some(raw.clone()).filter(|r| !r.is_empty()))
        }
    };
    let id = maven_purl(&g, &pom.artifact_id, version.as_deref(), None, None);
    let mut c = Component::new(Ecosystem::Maven, &pom.artifact_id, version).with_purl(id);
    c.namespace = Some(g).filter(|g| !g.is_empty());
    c.requirement = requirement;
    c.kind = ComponentKind::Application;
    c.direct = true;
    c.source = Some(SourceKind::Local);
    c.found_in.push(Location::new(&pom.path, Some(pom.line)));
    let text = |s: &Option<String>| {
        s.as_ref().map(|s| model::interpolate(s, &eff.props).unwrap_or_else(|_| s.clone()))
    };
    c.description = text(&pom.description);
    c.homepage = text(&pom.url);
    c.repository = text(&pom.scm_url);
    // Licences and developers are inherited from the nearest pom that states them.
    let from = std::iter::once(pom).chain(eff.ancestors.iter().map(|&a| &poms[a]));
    if let Some(p) = from.clone().find(|p| !p.licenses.is_empty()) {
        c.license.declared = Some(LicenseValue::declared(&p.licenses.join("; "), &p.path));
    }
    if let Some(p) = from.clone().find(|p| !p.developers.is_empty()) {
        c.authors = p.developers.clone();
    }
    if let Some(p) = &pom.packaging {
        c.properties.insert("maven-packaging".into(), p.clone());
    }
    c
}

fn dependency(
    pom: &Pom,
    eff: &Effective,
    d: &Dep,
    from: &str,
    reactor: &BTreeMap<(String, String), String>,
    out: &mut Resolution,
) {
    let interp = |s: &str| model::interpolate(s, &eff.props);
    let g = interp(&d.group_id).unwrap_or_else(|_| d.group_id.clone());
    let a = interp(&d.artifact_id).unwrap_or_else(|_| d.artifact_id.clone());
    let classifier = d.classifier.as_deref().map(|c| interp(c).unwrap_or_else(|_| c.to_string()));
    let type_ = d.type_.as_deref().map(|t| interp(t).unwrap_or_else(|_| t.to_string()));
    let scope_raw = d.scope.as_deref().map(|s| interp(s).unwrap_or_else(|_| s.to_string()));
    if scope_raw.as_deref() == Some("import") {
        return; // Only meaningful in <dependencyManagement>.
    }
    let managed = eff.managed.get(&key(&g, &a, type_.as_deref(), classifier.as_deref()));
    let scope_raw =
        scope_raw.or_else(|| managed.and_then(|m| m.scope.clone())).unwrap_or_else(|| "compile".into());
    let optional = d.optional.as_deref().map(str::trim) == Some("true");
    let (scope, kind) = scope_of(&scope_raw, optional);
    let here = Location::new(&pom.path, Some(d.line));
    // The version: declared here, else managed; interpolated; exact or not.
    let mut found_in = vec![here.clone()];
    let declared = match (&d.version, managed) {
        (Some(v), _) => Some(interp(v).map_err(|e| (v.clone(), e))),
        (None, Some(m)) => {
            found_in.push(m.at.clone());
            m.version.clone()
        }
        (None, None) => None,
    };
    if let Some(id) = reactor.get(&(g.clone(), a.clone())) {
        out.edges.push(Edge { from: from.to_string(), to: id.clone(), kind });
        return;
    }
    let (version, requirement, why) = match declared {
        Some(Ok(v)) if !is_range(&v) && !v.is_empty() => (Some(v), None, None),
        Some(Ok(v)) => (
            None,
            Some(v.clone()),
            Some(format!("`{v}` is a version range; only a lockfile or a build could pick the version")),
        ),
        Some(Err((raw, e))) => (None, Some(raw), Some(e.to_string())),
        None => {
            let mut why =
                "no version here and no <dependencyManagement> in the repository manages it".to_string();
            if !eff.external_boms.is_empty() {
                let boms: Vec<&str> = eff.external_boms.iter().map(|(b, _)| b.as_str()).collect();
                why.push_str(&format!(
                    " (it may come from the imported BOM(s) outside the repository: {})",
                    boms.join(", ")
                ));
            } else if let Some(p) = &eff.external_parent {
                why.push_str(&format!(" (it may come from the parent `{p}` outside the repository)"));
            }
            (None, None, Some(why))
        }
    };
    if let Some(why) = why {
        out.diagnostics.push(
            Diagnostic::warning(
                "maven-version-unresolved",
                format!("`{g}:{a}`: {why}; listed as declared-unresolved"),
            )
            .at(&pom.path, Some(d.line)),
        );
    }
    let id = maven_purl(&g, &a, version.as_deref(), type_.as_deref(), classifier.as_deref());
    let mut c = Component::new(Ecosystem::Maven, &a, version.clone()).with_purl(id.clone());
    c.namespace = Some(g.clone());
    c.requirement = requirement;
    c.scope = scope;
    c.direct = true;
    c.found_in = found_in;
    c.source = Some(SourceKind::Registry { url: None });
    c.properties.insert(
        "resolution".into(),
        if version.is_some() { "declared" } else { "declared-unresolved" }.into(),
    );
    out.edges.push(Edge { from: from.to_string(), to: id, kind });
    out.components.push(c);
}
