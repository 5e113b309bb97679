//! vcpkg: `vcpkg.json` manifests. Versions come from the registry baseline, which only vcpkg can apply, so
//! dependencies are declared: an `overrides` entry gives an exact version, `version>=` a minimum
//! (declared-unresolved), and `host` dependencies are build tools.

use serde_json::Value;

use crate::model::{purl, Component, Diagnostic, Ecosystem, Edge, Location, Scope, SourceKind};
use crate::resolve::lockutil::{edge_kind, json_line, project};
use crate::resolve::{Resolution, ResolveContext, Resolver};

pub struct VcpkgResolver;

impl Resolver for VcpkgResolver {
    fn name(&self) -> &'static str {
        "vcpkg"
    }

    fn resolve(&self, ctx: &ResolveContext) -> Resolution {
        let mut out = Resolution::default();
        for f in ctx.tree.named("vcpkg.json") {
            let (text, doc) = match super::lockutil::read_json(ctx.tree, &f.path, "invalid-manifest") {
                Ok(x) => x,
                Err(d) => {
                    out.diagnostics.push(d);
                    continue;
                }
            };
            let loc = super::lockutil::Located::new(&text);
            let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
            let name = s(&doc, "name")
                .unwrap_or_else(|| crate::resolve::lockutil::dir_name(f.dir(), ctx.tree.root()));
            let mut app = project(Ecosystem::Vcpkg, &name, f.dir(), &f.path);
            let own_version = s(&doc, "version")
                .or(s(&doc, "version-semver"))
                .or(s(&doc, "version-date"))
                .or(s(&doc, "version-string"));
            if let Some(v) = own_version {
                app = app.with_purl(purl::build("vcpkg", None, &name, Some(&v), &[]).unwrap_or_default());
                app.version = Some(v);
            }
            if let Some(l) = s(&doc, "license") {
                app.license.declared = Some(crate::model::LicenseValue::declared(&l, &f.path));
            }
            app.description = doc.get("description").and_then(|d| match d {
                Value::String(s) => Some(s.clone()),
                Value::Array(a) => Some(a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n")),
                _ => None,
            });
            app.homepage = s(&doc, "homepage");
            let baseline = s(&doc, "builtin-baseline");
            let overrides: std::collections::BTreeMap<String, (String, Option<u64>)> = doc
                .get("overrides")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|o| {
                            let v = s(o, "version")
                                .or(s(o, "version-semver"))
                                .or(s(o, "version-date"))
                                .or(s(o, "version-string"))?;
                            Some((s(o, "name")?, (v, o.get("port-version").and_then(Value::as_u64))))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut unresolved = 0;
            for d in doc.get("dependencies").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
                let (dep, minimum, host) = match d {
                    Value::String(n) => (n.clone(), None, false),
                    Value::Object(_) => match s(d, "name") {
                        Some(n) => {
                            (n, s(d, "version>="), d.get("host").and_then(Value::as_bool).unwrap_or(false))
                        }
                        None => continue,
                    },
                    _ => continue,
                };
                let exact = overrides.get(&dep);
                let pv = exact.and_then(|(_, p)| *p).map(|p| p.to_string()).unwrap_or_default();
                let version = exact.map(|(v, _)| v.clone());
                let id = purl::build("vcpkg", None, &dep, version.as_deref(), &[("port_version", &pv)])
                    .unwrap_or_else(|| format!("pkg:vcpkg/{dep}"));
                let mut c = Component::new(Ecosystem::Vcpkg, &dep, version.clone()).with_purl(id);
                c.scope = if host { Scope::Build } else { Scope::Runtime };
                c.direct = true;
                c.source = Some(SourceKind::Registry { url: None });
                let line = json_line(&loc, "name", &dep)
                    .or_else(|| crate::resolve::lockutil::find_line(&loc, &format!("\"{dep}\""), 0));
                c.found_in.push(Location::new(&f.path, line));
                if version.is_none() {
                    unresolved += 1;
                    c.requirement = minimum.map(|m| format!(">= {m}"));
                    c.properties.insert("resolution".into(), "declared-unresolved".into());
                } else {
                    c.properties.insert("resolution".into(), "declared".into());
                }
                if let Some(b) = &baseline {
                    c.properties.insert("vcpkg-baseline".into(), b.clone());
                }
                out.edges.push(Edge { from: app.id.clone(), to: c.id.clone(), kind: edge_kind(c.scope) });
                out.components.push(c);
            }
            if unresolved > 0 {
                out.diagnostics.push(
                    Diagnostic::note(
                        "vcpkg-version-unresolved",
                        format!("{unresolved} dependencies take their version from the vcpkg baseline, which is not read; listed as declared-unresolved"),
                    )
                    .at(&f.path, None),
                );
            }
            out.components.push(app);
        }
        out
    }
}
