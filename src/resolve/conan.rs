//! Conan: `conan.lock`, Conan 2 (`version` 0.5: `requires`, `build_requires`, `python_requires`) and
//! Conan 1 (`version` 0.4: `graph_lock.nodes`). References are `name/version[@user/channel][#rrev[%ts]]`.

use serde_json::Value;

use crate::model::{purl, Component, Diagnostic, Ecosystem, Edge, EdgeKind, Location, Scope, SourceKind};
use crate::resolve::lockutil::{dir_name, edge_kind, find_line, project};
use crate::resolve::{Resolution, ResolveContext, Resolver};

pub struct ConanResolver;

/// A parsed Conan reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConanRef {
    pub name: String,
    pub version: String,
    pub user: Option<String>,
    pub channel: Option<String>,
    pub rrev: Option<String>,
}

pub fn parse_ref(r: &str) -> Option<ConanRef> {
    let (main, rrev) = match r.split_once('#') {
        Some((m, rev)) => (m, Some(rev.split('%').next().unwrap_or(rev).to_string())),
        None => (r, None),
    };
    let (nv, uc) = match main.split_once('@') {
        Some((nv, uc)) => (nv, Some(uc)),
        None => (main, None),
    };
    let (name, version) = nv.split_once('/')?;
    let (user, channel) = match uc.and_then(|u| u.split_once('/')) {
        Some((u, c)) => (Some(u.to_string()).filter(|s| s != "_"), Some(c.to_string()).filter(|s| s != "_")),
        None => (uc.map(str::to_string), None),
    };
    (!name.is_empty() && !version.is_empty()).then(|| ConanRef {
        name: name.into(),
        version: version.into(),
        user,
        channel,
        rrev,
    })
}

fn component(r: &ConanRef, path: &str, line: Option<u32>, scope: Scope) -> Component {
    let q = [
        ("channel", r.channel.as_deref().unwrap_or("")),
        ("rrev", r.rrev.as_deref().unwrap_or("")),
        ("user", r.user.as_deref().unwrap_or("")),
    ];
    let id = purl::build("conan", None, &r.name, Some(&r.version), &q)
        .unwrap_or_else(|| format!("pkg:conan/{}@{}", r.name, r.version));
    let mut c = Component::new(Ecosystem::Conan, &r.name, Some(r.version.clone())).with_purl(id);
    c.scope = scope;
    c.source = Some(SourceKind::Registry { url: None });
    c.found_in.push(Location::new(path, line));
    c
}

impl Resolver for ConanResolver {
    fn name(&self) -> &'static str {
        "conan"
    }

    fn resolve(&self, ctx: &ResolveContext) -> Resolution {
        let mut out = Resolution::default();
        for f in ctx.tree.named("conan.lock") {
            let (text, doc) = match super::lockutil::read_json(ctx.tree, &f.path, "invalid-lockfile") {
                Ok(x) => x,
                Err(d) => {
                    out.diagnostics.push(d);
                    continue;
                }
            };
            let loc = super::lockutil::Located::new(&text);
            let app = project(Ecosystem::Conan, &dir_name(f.dir(), ctx.tree.root()), f.dir(), &f.path);
            let bad = |r: &str, out: &mut Resolution| {
                out.diagnostics.push(
                    Diagnostic::warning(
                        "invalid-lockfile-entry",
                        format!("`{r}` is not a Conan reference; skipped"),
                    )
                    .at(&f.path, find_line(&loc, r, 0)),
                )
            };
            if let Some(nodes) = doc.get("graph_lock").and_then(|g| g.get("nodes")).and_then(Value::as_object)
            {
                // Conan 1: node "0" is the consumer; edges through `requires` / `build_requires`.
                let ids: std::collections::BTreeMap<&str, Option<Component>> = nodes
                    .iter()
                    .map(|(k, n)| {
                        let c = n.get("ref").and_then(Value::as_str).and_then(parse_ref).map(|r| {
                            let raw = n.get("ref").and_then(Value::as_str).unwrap_or("");
                            component(&r, &f.path, find_line(&loc, raw, 0), Scope::Runtime)
                        });
                        (k.as_str(), c)
                    })
                    .collect();
                for (k, n) in nodes {
                    let from = match &ids[k.as_str()] {
                        Some(c) => c.id.clone(),
                        None => app.id.clone(),
                    };
                    for (field, kind) in [("requires", EdgeKind::Normal), ("build_requires", EdgeKind::Build)]
                    {
                        for dep in n.get(field).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
                            if let Some(Some(to)) = dep.as_str().and_then(|d| ids.get(d)) {
                                out.edges.push(Edge { from: from.clone(), to: to.id.clone(), kind });
                            }
                        }
                    }
                }
                out.components.extend(ids.into_values().flatten());
            } else {
                for (field, scope) in [
                    ("requires", Scope::Runtime),
                    ("build_requires", Scope::Build),
                    ("python_requires", Scope::Build),
                ] {
                    for r in doc.get(field).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
                        let Some(raw) = r.as_str() else { continue };
                        match parse_ref(raw) {
                            Some(cr) => {
                                let c = component(&cr, &f.path, find_line(&loc, raw, 0), scope);
                                out.edges.push(Edge {
                                    from: app.id.clone(),
                                    to: c.id.clone(),
                                    kind: edge_kind(scope),
                                });
                                out.components.push(c);
                            }
                            None => bad(raw, &mut out),
                        }
                    }
                }
            }
            out.components.push(app);
        }
        out
    }
}
