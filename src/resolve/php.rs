//! PHP: `composer.lock` (`packages` are runtime, `packages-dev` are dev), with licences, authors, source
//! and dist; `composer.json` beside it says which packages are direct. Composer is never run.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::model::{
    purl, Component, Diagnostic, Ecosystem, Edge, EdgeKind, Hash, HashAlg, LicenseValue, Location, Scope,
    SourceKind,
};
use crate::resolve::lockutil::{dir_name, edge_kind, json_line, project};
use crate::resolve::{Resolution, ResolveContext, Resolver};
use crate::source::tree::join_rel;
use crate::util::redact::redact_url;

pub struct PhpResolver;

/// Composer's `license` array means any one of them (composer.json schema): joined with `OR`.
pub fn composer_license(v: &Value) -> Option<String> {
    let items: Vec<String> = match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    };
    match items.len() {
        0 => None,
        1 => Some(items[0].clone()),
        _ => Some(
            items
                .iter()
                .map(|i| if i.contains(' ') { format!("({i})") } else { i.clone() })
                .collect::<Vec<_>>()
                .join(" OR "),
        ),
    }
}

fn keys(v: Option<&Value>) -> BTreeSet<String> {
    v.and_then(Value::as_object)
        .map(|o| o.keys().map(|k| k.to_ascii_lowercase()).collect())
        .unwrap_or_default()
}

impl Resolver for PhpResolver {
    fn name(&self) -> &'static str {
        "php"
    }

    fn resolve(&self, ctx: &ResolveContext) -> Resolution {
        let mut out = Resolution::default();
        for f in ctx.tree.named("composer.lock") {
            let (text, doc) = match super::lockutil::read_json(ctx.tree, &f.path, "invalid-lockfile") {
                Ok(x) => x,
                Err(d) => {
                    out.diagnostics.push(d);
                    continue;
                }
            };
            let loc = super::lockutil::Located::new(&text);
            let manifest: Value = join_rel(f.dir(), "composer.json")
                .filter(|p| ctx.tree.contains(p))
                .and_then(|p| ctx.tree.read_text(&p).ok())
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or(Value::Null);
            let req = keys(manifest.get("require"));
            let req_dev = keys(manifest.get("require-dev"));
            let name = manifest.get("name").and_then(Value::as_str).map(str::to_string);
            let mut app = project(
                Ecosystem::Composer,
                &name.unwrap_or_else(|| dir_name(f.dir(), ctx.tree.root())),
                f.dir(),
                &f.path,
            );
            if let Some(l) = manifest.get("license").and_then(composer_license) {
                app.license.declared =
                    Some(LicenseValue::declared(&l, join_rel(f.dir(), "composer.json").unwrap_or_default()));
            }
            let mut components = Vec::new();
            for (section, scope) in [("packages", Scope::Runtime), ("packages-dev", Scope::Dev)] {
                let Some(list) = doc.get(section).and_then(Value::as_array) else { continue };
                for p in list {
                    match package(p, &loc, &f.path, scope) {
                        Some(c) => components.push((c, p)),
                        None => out.diagnostics.push(
                            Diagnostic::warning(
                                "invalid-lockfile-entry",
                                format!("a `{section}` entry without name or version; skipped"),
                            )
                            .at(&f.path, None),
                        ),
                    }
                }
            }
            let by_name: std::collections::BTreeMap<String, String> = components
                .iter()
                .map(|(c, _)| {
                    (c.display_name().split('@').next().unwrap_or("").to_ascii_lowercase(), c.id.clone())
                })
                .collect();
            for (c, p) in &mut components {
                let full = c.display_name().split('@').next().unwrap_or("").to_ascii_lowercase();
                if req.contains(&full) || req_dev.contains(&full) {
                    c.direct = true;
                    let kind = if req.contains(&full) { EdgeKind::Normal } else { edge_kind(Scope::Dev) };
                    out.edges.push(Edge { from: app.id.clone(), to: c.id.clone(), kind });
                }
                for dep in keys(p.get("require")) {
                    if let Some(to) = by_name.get(&dep) {
                        out.edges.push(Edge { from: c.id.clone(), to: to.clone(), kind: EdgeKind::Normal });
                    }
                }
            }
            out.components.extend(components.into_iter().map(|(c, _)| c));
            out.components.push(app);
        }
        out
    }
}

fn package(p: &Value, loc: &super::lockutil::Located, path: &str, scope: Scope) -> Option<Component> {
    let full = p.get("name")?.as_str()?;
    let version = p.get("version")?.as_str()?;
    let (ns, name) = match full.split_once('/') {
        Some((ns, n)) => (Some(ns), n),
        None => (None, full),
    };
    let id = purl::build("composer", ns, name, Some(version), &[])
        .unwrap_or_else(|| format!("pkg:composer/{full}@{version}"));
    let mut c = Component::new(Ecosystem::Composer, name, Some(version.to_string())).with_purl(id);
    c.namespace = ns.map(str::to_string);
    c.scope = scope;
    c.found_in.push(Location::new(path, json_line(loc, "name", full)));
    let s = |v: Option<&Value>| v.and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    c.description = s(p.get("description"));
    c.homepage = s(p.get("homepage"));
    c.authors = p
        .get("authors")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|au| {
                    let n = au.get("name")?.as_str()?;
                    Some(match au.get("email").and_then(Value::as_str) {
                        Some(e) => format!("{n} <{e}>"),
                        None => n.to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    if let Some(l) = p.get("license").and_then(composer_license) {
        c.license.declared = Some(LicenseValue::declared(&l, path));
    }
    let source = p.get("source");
    let dist = p.get("dist");
    c.repository = s(source.and_then(|s| s.get("url"))).map(|u| redact_url(&u));
    c.source = match (s(source.and_then(|s| s.get("type"))).as_deref(), s(dist.and_then(|d| d.get("url")))) {
        (_, Some(url)) if dist.and_then(|d| d.get("type")).and_then(Value::as_str) == Some("path") => {
            Some(SourceKind::Path { path: url })
        }
        (Some("git"), None) => Some(SourceKind::Git {
            url: c.repository.clone().unwrap_or_default(),
            commit: s(source.and_then(|s| s.get("reference"))),
            reference: None,
        }),
        _ => Some(SourceKind::Registry { url: None }),
    };
    if let Some(sum) = s(dist.and_then(|d| d.get("shasum")))
        .filter(|h| h.len() == 40 && h.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        c.hashes.push(Hash { alg: HashAlg::Sha1, value: sum.to_ascii_lowercase() });
    }
    if let Some(r) = s(source.and_then(|s| s.get("reference"))) {
        c.properties.insert("source-reference".into(), r);
    }
    Some(c)
}
