//! Dart and Flutter: `pubspec.lock` (hosted, git and path packages; `direct main`, `direct dev`,
//! `transitive`; archive sha256). SDK packages (`source: sdk`, Flutter itself) are part of the toolchain
//! and are not listed.

use serde_yaml::Value;

use crate::model::{
    purl, Component, Diagnostic, Ecosystem, Edge, Hash, HashAlg, Location, Scope, SourceKind,
};
use crate::resolve::lockutil::{dir_name, edge_kind, find_line, project};
use crate::resolve::{Resolution, ResolveContext, Resolver};
use crate::source::tree::join_rel;
use crate::util::redact::redact_url;

pub struct DartResolver;

impl Resolver for DartResolver {
    fn name(&self) -> &'static str {
        "dart"
    }

    fn resolve(&self, ctx: &ResolveContext) -> Resolution {
        let mut out = Resolution::default();
        for f in ctx.tree.named("pubspec.lock") {
            let (text, doc) = match super::lockutil::read_yaml(ctx.tree, &f.path) {
                Ok(x) => x,
                Err(d) => {
                    out.diagnostics.push(d);
                    continue;
                }
            };
            let loc = super::lockutil::Located::new(&text);
            let Some(packages) = doc.get("packages").and_then(Value::as_mapping) else {
                out.diagnostics.push(
                    Diagnostic::error("invalid-lockfile", "no `packages` mapping").at(&f.path, Some(1)),
                );
                continue;
            };
            let app = project(Ecosystem::Pub, &dir_name(f.dir(), ctx.tree.root()), f.dir(), &f.path);
            let pkgs_at = text.find("packages:").unwrap_or(0);
            for (name, p) in packages {
                let Some(name) = name.as_str() else { continue };
                let s = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_string);
                let source = s("source").unwrap_or_default();
                if source == "sdk" {
                    continue;
                }
                let Some(version) = s("version") else { continue };
                let dep = s("dependency").unwrap_or_default();
                let desc = p.get("description");
                let d = |k: &str| desc.and_then(|v| v.get(k)).and_then(Value::as_str).map(str::to_string);
                let mut quals: Vec<(&str, String)> = Vec::new();
                let src = match source.as_str() {
                    "git" => {
                        let url = redact_url(&d("url").unwrap_or_default());
                        let commit = d("resolved-ref");
                        quals.push((
                            "vcs_url",
                            match &commit {
                                Some(c) => format!("git+{url}@{c}"),
                                None => format!("git+{url}"),
                            },
                        ));
                        SourceKind::Git { url, commit, reference: d("ref") }
                    }
                    "path" => SourceKind::Path {
                        path: d("path").map(|p| join_rel(f.dir(), &p).unwrap_or(p)).unwrap_or_default(),
                    },
                    _ => match d("url").filter(|u| {
                        u.trim_end_matches('/') != "https://pub.dev"
                            && u.trim_end_matches('/') != "https://pub.dartlang.org"
                    }) {
                        Some(u) => {
                            quals.push(("repository_url", redact_url(&u)));
                            SourceKind::Registry { url: Some(redact_url(&u)) }
                        }
                        None => SourceKind::Registry { url: None },
                    },
                };
                let q: Vec<(&str, &str)> = quals.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let id = purl::build("pub", None, name, Some(&version), &q)
                    .unwrap_or_else(|| format!("pkg:pub/{name}@{version}"));
                let mut c = Component::new(Ecosystem::Pub, name, Some(version)).with_purl(id);
                c.scope = if dep == "direct dev" { Scope::Dev } else { Scope::Runtime };
                c.direct = dep.starts_with("direct");
                c.source = Some(src);
                c.found_in.push(Location::new(
                    &f.path,
                    find_line(&loc, &format!("\n  {name}:"), pkgs_at).map(|l| l + 1),
                ));
                if let Some(h) =
                    d("sha256").filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
                {
                    c.hashes.push(Hash { alg: HashAlg::Sha256, value: h.to_ascii_lowercase() });
                }
                if c.direct {
                    out.edges.push(Edge { from: app.id.clone(), to: c.id.clone(), kind: edge_kind(c.scope) });
                }
                out.components.push(c);
            }
            out.components.push(app);
        }
        out
    }
}
