//! CocoaPods: `Podfile.lock` (PODS with their dependency edges, DEPENDENCIES, EXTERNAL SOURCES and
//! CHECKOUT OPTIONS, SPEC CHECKSUMS). A subspec `Firebase/Core` is `pkg:cocoapods/Firebase@v#Core`.

use std::collections::BTreeMap;

use serde_yaml::Value;

use crate::model::{purl, Component, Diagnostic, Ecosystem, Edge, EdgeKind, Location, SourceKind};
use crate::resolve::lockutil::{dir_name, find_line, project};
use crate::resolve::{Resolution, ResolveContext, Resolver};
use crate::source::tree::join_rel;
use crate::util::redact::redact_url;

pub struct CocoapodsResolver;

fn name_version(s: &str) -> (String, Option<String>) {
    match s.split_once(" (") {
        Some((n, v)) => (n.trim().to_string(), Some(v.trim_end_matches(')').to_string())),
        None => (s.trim().to_string(), None),
    }
}

fn pod_purl(name: &str, version: &str) -> String {
    let (base, sub) = name.split_once('/').unwrap_or((name, ""));
    purl::build_with_subpath("cocoapods", None, base, Some(version), &[], sub)
        .unwrap_or_else(|| format!("pkg:cocoapods/{base}@{version}"))
}

impl Resolver for CocoapodsResolver {
    fn name(&self) -> &'static str {
        "cocoapods"
    }

    fn resolve(&self, ctx: &ResolveContext) -> Resolution {
        let mut out = Resolution::default();
        for f in ctx.tree.named("Podfile.lock") {
            let (text, doc) = match super::lockutil::read_yaml(ctx.tree, &f.path) {
                Ok(x) => x,
                Err(d) => {
                    out.diagnostics.push(d);
                    continue;
                }
            };
            let loc = super::lockutil::Located::new(&text);
            let Some(pods) = doc.get("PODS").and_then(Value::as_sequence) else {
                out.diagnostics
                    .push(Diagnostic::error("invalid-lockfile", "no `PODS` list").at(&f.path, Some(1)));
                continue;
            };
            let mut app =
                project(Ecosystem::Cocoapods, &dir_name(f.dir(), ctx.tree.root()), f.dir(), &f.path);
            if let Some(v) = doc.get("COCOAPODS").and_then(Value::as_str) {
                app.properties.insert("cocoapods-version".into(), v.to_string());
            }
            // (name, version, deps)
            let mut entries: Vec<(String, String, Vec<String>)> = Vec::new();
            for p in pods {
                let (head, deps) = match p {
                    Value::String(s) => (s.clone(), Vec::new()),
                    Value::Mapping(m) => match m.iter().next() {
                        Some((k, v)) => (
                            k.as_str().unwrap_or_default().to_string(),
                            v.as_sequence()
                                .map(|s| {
                                    s.iter().filter_map(Value::as_str).map(|d| name_version(d).0).collect()
                                })
                                .unwrap_or_default(),
                        ),
                        None => continue,
                    },
                    _ => continue,
                };
                let (name, version) = name_version(&head);
                match version {
                    Some(v) => entries.push((name, v, deps)),
                    None => out.diagnostics.push(
                        Diagnostic::warning(
                            "invalid-lockfile-entry",
                            format!("pod `{head}` has no version; skipped"),
                        )
                        .at(&f.path, find_line(&loc, &head, 0)),
                    ),
                }
            }
            let ids: BTreeMap<&str, String> =
                entries.iter().map(|(n, v, _)| (n.as_str(), pod_purl(n, v))).collect();
            let ext = doc.get("EXTERNAL SOURCES");
            let checkout = doc.get("CHECKOUT OPTIONS");
            let checksums = doc.get("SPEC CHECKSUMS");
            let direct: Vec<String> = doc
                .get("DEPENDENCIES")
                .and_then(Value::as_sequence)
                .map(|s| s.iter().filter_map(Value::as_str).map(|d| name_version(d).0).collect())
                .unwrap_or_default();
            let pods_at = text.find("PODS:").unwrap_or(0);
            for (name, version, deps) in &entries {
                let id = ids[name.as_str()].clone();
                let base = name.split('/').next().unwrap_or(name);
                let mut c =
                    Component::new(Ecosystem::Cocoapods, name, Some(version.clone())).with_purl(id.clone());
                c.found_in.push(Location::new(&f.path, find_line(&loc, &format!("- {name} ("), pods_at)));
                let get = |v: Option<&Value>, k: &str| {
                    v.and_then(|v| v.get(base))
                        .and_then(|e| e.get(k))
                        .and_then(Value::as_str)
                        .map(str::to_string)
                };
                c.source = Some(if let Some(p) = get(ext, ":path") {
                    SourceKind::Path { path: join_rel(f.dir(), &p).unwrap_or(p) }
                } else if let Some(g) = get(checkout, ":git").or(get(ext, ":git")) {
                    SourceKind::Git {
                        url: redact_url(&g),
                        commit: get(checkout, ":commit"),
                        reference: get(ext, ":tag").or(get(ext, ":branch")),
                    }
                } else {
                    SourceKind::Registry { url: None }
                });
                if let Some(sum) = checksums.and_then(|m| m.get(base)).and_then(Value::as_str) {
                    // The checksum of the podspec, not of the pod's files: a property, not a hash.
                    c.properties.insert("podspec-sha1".into(), sum.to_string());
                }
                if direct.iter().any(|d| d == name) {
                    c.direct = true;
                    out.edges.push(Edge { from: app.id.clone(), to: id.clone(), kind: EdgeKind::Normal });
                }
                for d in deps {
                    if let Some(to) = ids.get(d.as_str()) {
                        out.edges.push(Edge { from: id.clone(), to: to.clone(), kind: EdgeKind::Normal });
                    }
                }
                out.components.push(c);
            }
            out.components.push(app);
        }
        out
    }
}
