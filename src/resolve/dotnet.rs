//! .NET: `packages.lock.json` (resolved versions per target framework, content hashes, edges) and the
//! `PackageReference` items of `*.csproj` / `*.fsproj` / `*.vbproj`, with Central Package Management
//! (`Directory.Packages.props`) supplying versions. MSBuild is never run: `$(Property)` versions stay
//! unresolved.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::model::{
    purl, Component, Diagnostic, Ecosystem, Edge, EdgeKind, Hash, HashAlg, Location, Scope, SourceKind,
};
use crate::resolve::lockutil::{edge_kind, find_line, project};
use crate::resolve::{xml, Resolution, ResolveContext, Resolver};

pub struct DotnetResolver;

const PROJECTS: [&str; 3] = [".csproj", ".fsproj", ".vbproj"];

/// Decodes standard base64 (NuGet content hashes); `None` on anything else.
pub fn base64_to_hex(s: &str) -> Option<String> {
    let mut bits: u32 = 0;
    let mut n = 0;
    let mut out = String::new();
    for b in s.trim_end_matches('=').bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32;
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push_str(&format!("{:02x}", (bits >> n) & 0xff));
        }
    }
    Some(out)
}

fn is_exact(v: &str) -> bool {
    !v.is_empty() && !v.contains(['[', ']', '(', ')', ',', '*', '$', ' '])
}

fn nuget(name: &str, version: Option<&str>) -> String {
    purl::build("nuget", None, name, version, &[]).unwrap_or_else(|| format!("pkg:nuget/{name}"))
}

impl Resolver for DotnetResolver {
    fn name(&self) -> &'static str {
        "dotnet"
    }

    fn resolve(&self, ctx: &ResolveContext) -> Resolution {
        let mut out = Resolution::default();
        // Central package versions, by directory of Directory.Packages.props.
        let mut central: BTreeMap<String, BTreeMap<String, (String, u32, String)>> = BTreeMap::new();
        for f in ctx.tree.named("Directory.Packages.props") {
            let Some(root) = read_xml(ctx, &f.path, &mut out) else { continue };
            let mut m = BTreeMap::new();
            for g in root.children_named("ItemGroup") {
                for pv in g.children_named("PackageVersion") {
                    if let (Some(n), Some(v)) = (pv.attr("Include"), pv.attr("Version")) {
                        m.insert(n.to_ascii_lowercase(), (v.to_string(), pv.line, f.path.clone()));
                    }
                }
            }
            central.insert(f.dir().to_string(), m);
        }
        let projects: Vec<_> =
            ctx.tree.files().iter().filter(|f| PROJECTS.iter().any(|e| f.name().ends_with(e))).collect();
        for f in &projects {
            let Some(root) = read_xml(ctx, &f.path, &mut out) else { continue };
            let name = f.name().rsplit_once('.').map(|(n, _)| n).unwrap_or(f.name());
            let mut app = project(Ecosystem::Nuget, name, &f.path, &f.path);
            app.id = format!("nuget-project:{}", f.path);
            // The nearest Directory.Packages.props at or above the project.
            let cpm = central
                .iter()
                .filter(|(d, _)| {
                    d.is_empty() || f.dir() == d.as_str() || f.dir().starts_with(&format!("{d}/"))
                })
                .max_by_key(|(d, _)| d.len())
                .map(|(_, m)| m);
            for g in root.children_named("ItemGroup") {
                for r in g.children_named("PackageReference") {
                    let Some(pkg) = r.attr("Include") else { continue };
                    let own = r
                        .attr("Version")
                        .map(str::to_string)
                        .or_else(|| r.child_text("Version").map(str::to_string));
                    let managed = cpm.and_then(|m| m.get(&pkg.to_ascii_lowercase()));
                    let mut found = vec![Location::new(&f.path, Some(r.line))];
                    let version = own.or_else(|| {
                        managed.map(|(v, line, p)| {
                            found.push(Location::new(p, Some(*line)));
                            v.clone()
                        })
                    });
                    let private = r
                        .attr("PrivateAssets")
                        .or(r.child_text("PrivateAssets"))
                        .is_some_and(|p| p.eq_ignore_ascii_case("all"));
                    let scope = if private { Scope::Build } else { Scope::Runtime };
                    let exact = version.clone().filter(|v| is_exact(v));
                    let mut c = Component::new(Ecosystem::Nuget, pkg, exact.clone())
                        .with_purl(nuget(pkg, exact.as_deref()));
                    c.scope = scope;
                    c.direct = true;
                    c.found_in = found;
                    c.source = Some(SourceKind::Registry { url: None });
                    if exact.is_none() {
                        c.requirement = version.clone();
                        c.properties.insert("resolution".into(), "declared-unresolved".into());
                        let why = match &version {
                            Some(v) => format!("`{pkg}` version `{v}` is not one exact version"),
                            None => {
                                format!("`{pkg}` has no version and no Directory.Packages.props supplies one")
                            }
                        };
                        out.diagnostics.push(
                            Diagnostic::warning("nuget-version-unresolved", why).at(&f.path, Some(r.line)),
                        );
                    } else {
                        c.properties.insert("resolution".into(), "declared".into());
                    }
                    out.edges.push(Edge { from: app.id.clone(), to: c.id.clone(), kind: edge_kind(scope) });
                    out.components.push(c);
                }
            }
            out.components.push(app);
        }
        for f in ctx.tree.named("packages.lock.json") {
            let owner =
                projects.iter().find(|p| p.dir() == f.dir()).map(|p| format!("nuget-project:{}", p.path));
            out.append(lockfile(ctx, &f.path, owner));
        }
        out
    }
}

fn read_xml(ctx: &ResolveContext, path: &str, out: &mut Resolution) -> Option<xml::Element> {
    let text = ctx.tree.read_text(path).map_err(|d| out.diagnostics.push(d)).ok()?;
    xml::parse(&text, path).map_err(|d| out.diagnostics.push(d)).ok()
}

fn lockfile(ctx: &ResolveContext, path: &str, owner: Option<String>) -> Resolution {
    let mut out = Resolution::default();
    let text = match ctx.tree.read_text(path) {
        Ok(t) => t,
        Err(d) => {
            out.diagnostics.push(d);
            return out;
        }
    };
    let loc = super::lockutil::Located::new(&text);
    let doc: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            out.diagnostics.push(
                Diagnostic::error("invalid-lockfile", format!("not valid JSON: {e}"))
                    .at(path, Some(e.line() as u32)),
            );
            return out;
        }
    };
    let Some(frameworks) = doc.get("dependencies").and_then(Value::as_object) else {
        out.diagnostics
            .push(Diagnostic::error("invalid-lockfile", "no `dependencies` object").at(path, Some(1)));
        return out;
    };
    for (tfm, pkgs) in frameworks {
        let Some(pkgs) = pkgs.as_object() else { continue };
        let tfm_at = text.find(&format!("\"{tfm}\"")).unwrap_or(0);
        let resolved: BTreeMap<String, String> = pkgs
            .iter()
            .filter_map(|(n, p)| Some((n.to_ascii_lowercase(), nuget(n, Some(p.get("resolved")?.as_str()?)))))
            .collect();
        for (name, p) in pkgs {
            let kind = p.get("type").and_then(Value::as_str).unwrap_or("");
            let Some(version) = p.get("resolved").and_then(Value::as_str) else { continue }; // Project refs.
            let id = nuget(name, Some(version));
            let mut c =
                Component::new(Ecosystem::Nuget, name, Some(version.to_string())).with_purl(id.clone());
            c.direct = kind == "Direct";
            c.found_in.push(Location::new(path, find_line(&loc, &format!("\"{name}\""), tfm_at)));
            c.source = Some(SourceKind::Registry { url: None });
            if let Some(h) = p
                .get("contentHash")
                .and_then(Value::as_str)
                .and_then(base64_to_hex)
                .filter(|h| h.len() == 128)
            {
                c.hashes.push(Hash { alg: HashAlg::Sha512, value: h });
            }
            c.properties.insert("nuget-target-framework".into(), tfm.clone());
            if let (Some(o), true) = (&owner, c.direct) {
                out.edges.push(Edge { from: o.clone(), to: id.clone(), kind: EdgeKind::Normal });
            }
            for dep in p
                .get("dependencies")
                .and_then(Value::as_object)
                .map(|d| d.keys().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                if let Some(to) = resolved.get(&dep.to_ascii_lowercase()) {
                    out.edges.push(Edge { from: id.clone(), to: to.clone(), kind: EdgeKind::Normal });
                }
            }
            out.components.push(c);
        }
    }
    out
}
