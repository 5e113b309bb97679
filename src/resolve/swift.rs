//! Swift Package Manager: `Package.resolved`, formats 1 (`object.pins`, `repositoryURL`) and 2–3 (`pins`,
//! `identity`, `location`, `kind`). Purls are `pkg:swift/<host>/<owner>/<repo>@<version>`.

use serde_json::Value;

use crate::model::{purl, Component, Diagnostic, Ecosystem, Location, SourceKind};
use crate::resolve::lockutil::{dir_name, find_line, project};
use crate::resolve::{Resolution, ResolveContext, Resolver};
use crate::util::redact::redact_url;

pub struct SwiftResolver;

/// `https://github.com/Alamofire/Alamofire.git` → (`github.com/Alamofire`, `Alamofire`);
/// `git@github.com:o/r.git` too.
pub fn swift_coordinates(location: &str) -> Option<(String, String)> {
    let rest = location.split_once("://").map(|(_, r)| r).unwrap_or(location);
    let rest = rest.rsplit_once('@').map(|(_, r)| r).unwrap_or(rest).replacen(':', "/", 1);
    let rest = rest.trim_end_matches('/').trim_end_matches(".git");
    let (ns, name) = rest.rsplit_once('/')?;
    let ns = ns
        .split_once('/')
        .map(|(host, path)| format!("{}/{path}", host.split(':').next().unwrap_or(host)))
        .unwrap_or(ns.to_string());
    (!ns.is_empty() && !name.is_empty()).then(|| (ns, name.to_string()))
}

impl Resolver for SwiftResolver {
    fn name(&self) -> &'static str {
        "swift"
    }

    fn resolve(&self, ctx: &ResolveContext) -> Resolution {
        let mut out = Resolution::default();
        for f in ctx.tree.named("Package.resolved") {
            let (text, doc) = match super::lockutil::read_json(ctx.tree, &f.path, "invalid-lockfile") {
                Ok(x) => x,
                Err(d) => {
                    out.diagnostics.push(d);
                    continue;
                }
            };
            let loc = super::lockutil::Located::new(&text);
            let version = doc.get("version").and_then(Value::as_u64).unwrap_or(0);
            let pins = match version {
                1 => doc.get("object").and_then(|o| o.get("pins")),
                2 | 3 => doc.get("pins"),
                v => {
                    out.diagnostics.push(
                        Diagnostic::warning(
                            "unknown-lockfile-version",
                            format!("Package.resolved version {v} is not 1, 2 or 3; read best-effort"),
                        )
                        .at(&f.path, Some(1)),
                    );
                    doc.get("pins").or_else(|| doc.get("object").and_then(|o| o.get("pins")))
                }
            };
            let app = project(Ecosystem::Swift, &dir_name(f.dir(), ctx.tree.root()), f.dir(), &f.path);
            for pin in pins.and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
                let s = |k: &str| pin.get(k).and_then(Value::as_str);
                let Some(location) = s("location").or(s("repositoryURL")) else { continue };
                let state = pin.get("state");
                let st = |k: &str| state.and_then(|v| v.get(k)).and_then(Value::as_str).map(str::to_string);
                let (ver, revision, branch) = (st("version"), st("revision"), st("branch"));
                let line = find_line(&loc, &format!("\"{location}\""), 0);
                let label = s("identity").or(s("package")).unwrap_or(location);
                let local = matches!(s("kind"), Some("localSourceControl") | Some("fileSystem"));
                let mut c = match swift_coordinates(location).filter(|_| !local) {
                    Some((ns, name)) => {
                        let id = purl::build("swift", Some(&ns), &name, ver.as_deref(), &[])
                            .unwrap_or_else(|| format!("pkg:swift/{ns}/{name}"));
                        let mut c = Component::new(Ecosystem::Swift, &name, ver.clone()).with_purl(id);
                        c.namespace = Some(ns);
                        c
                    }
                    None => {
                        let mut c = Component::new(Ecosystem::Swift, label, ver.clone());
                        c.id = format!("swift-path:{location}");
                        c
                    }
                };
                c.source = Some(if local {
                    SourceKind::Path { path: location.to_string() }
                } else {
                    SourceKind::Git {
                        url: redact_url(location),
                        commit: revision,
                        reference: branch.clone().map(|b| format!("branch={b}")),
                    }
                });
                c.repository = (!local).then(|| redact_url(location));
                if ver.is_none() {
                    c.requirement = branch.map(|b| format!("branch {b}"));
                }
                c.found_in.push(Location::new(&f.path, line));
                out.edges.push(crate::model::Edge {
                    from: app.id.clone(),
                    to: c.id.clone(),
                    kind: crate::model::EdgeKind::Normal,
                });
                out.components.push(c);
            }
            out.components.push(app);
        }
        out
    }
}
