//! git submodules: `.gitmodules` and the gitlinks of the scanned commit. Submodules are never cloned; each
//! becomes a component pinned to the commit the superproject records.

use std::collections::BTreeMap;

use crate::model::{purl, Component, ComponentKind, Diagnostic, Ecosystem, Location, SourceKind};
use crate::resolve::{Resolution, ResolveContext, Resolver};
use crate::util::redact::redact_url;

pub struct SubmoduleResolver;

/// One `[submodule "name"]` section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModuleDecl {
    pub name: String,
    pub path: Option<String>,
    pub url: Option<String>,
    pub branch: Option<String>,
    pub line: u32,
}

/// Parses the git-config syntax of `.gitmodules` (sections, `key = value`, `#`/`;` comments, quotes).
pub fn parse_gitmodules(text: &str) -> Vec<ModuleDecl> {
    let mut out: Vec<ModuleDecl> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let header = rest.trim_end_matches(']').trim();
            if let Some(name) = header.strip_prefix("submodule") {
                let name = name.trim().trim_matches('"').to_string();
                out.push(ModuleDecl { name, line: i as u32 + 1, ..ModuleDecl::default() });
            } else {
                out.push(ModuleDecl { name: String::new(), line: 0, ..ModuleDecl::default() });
            }
            continue;
        }
        let Some(cur) = out.last_mut().filter(|m| m.line > 0) else { continue };
        let Some((k, v)) = line.split_once('=') else { continue };
        let v = v.trim().trim_matches('"').to_string();
        match k.trim().to_ascii_lowercase().as_str() {
            "path" => cur.path = Some(v),
            "url" => cur.url = Some(v),
            "branch" => cur.branch = Some(v),
            _ => {}
        }
    }
    out.retain(|m| m.line > 0);
    out
}

/// A purl for a repository URL: `github` and `bitbucket` types for those hosts, `generic` with a
/// `vcs_url` otherwise.
pub fn repo_purl(url: &str, name: &str, commit: Option<&str>) -> String {
    let cleaned = url.trim_end_matches('/').trim_end_matches(".git");
    let host_path = cleaned
        .split_once("://")
        .map(|(_, r)| r.rsplit_once('@').map(|(_, h)| h).unwrap_or(r).to_string())
        .or_else(|| cleaned.split_once('@').map(|(_, r)| r.replacen(':', "/", 1)));
    if let Some(hp) = host_path {
        let mut segs = hp.split('/');
        let host = segs.next().unwrap_or("").to_ascii_lowercase();
        let rest: Vec<&str> = segs.collect();
        let ty = match host.as_str() {
            "github.com" => Some("github"),
            "bitbucket.org" => Some("bitbucket"),
            _ => None,
        };
        if let (Some(ty), [owner, repo]) = (ty, rest.as_slice()) {
            if let Some(p) = purl::build(ty, Some(owner), repo, commit, &[]) {
                return p;
            }
        }
    }
    let vcs = match commit {
        Some(c) => format!("git+{}@{c}", redact_url(url)),
        None => format!("git+{}", redact_url(url)),
    };
    purl::build("generic", None, name, commit, &[("vcs_url", &vcs)])
        .unwrap_or_else(|| format!("pkg:generic/{name}"))
}

impl Resolver for SubmoduleResolver {
    fn name(&self) -> &'static str {
        "git-submodule"
    }

    fn resolve(&self, ctx: &ResolveContext) -> Resolution {
        let mut out = Resolution::default();
        let decls = if ctx.tree.contains(".gitmodules") {
            match ctx.tree.read_text(".gitmodules") {
                Ok(t) => parse_gitmodules(&t),
                Err(d) => {
                    out.diagnostics.push(d);
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        let by_path: BTreeMap<&str, &super::submodule::ModuleDecl> =
            decls.iter().filter_map(|d| d.path.as_deref().map(|p| (p.trim_end_matches('/'), d))).collect();
        let mut seen = Vec::new();
        for link in ctx.gitlinks {
            let decl = by_path.get(link.path.as_str()).copied();
            seen.push(link.path.clone());
            let name = link.path.rsplit('/').next().unwrap_or(&link.path).to_string();
            let url = decl.and_then(|d| d.url.as_deref()).map(clean_url);
            let id = match &url {
                Some(u) => repo_purl(u, &name, Some(&link.commit)),
                None => purl::build("generic", None, &name, Some(&link.commit), &[])
                    .unwrap_or_else(|| format!("pkg:generic/{name}@{}", link.commit)),
            };
            let mut c = Component::new(Ecosystem::Git, name, Some(link.commit.clone())).with_purl(id);
            c.kind = ComponentKind::Submodule;
            c.direct = true;
            c.found_in.push(Location::new(link.path.clone(), None));
            if let Some(d) = decl {
                c.found_in.push(Location::new(".gitmodules", Some(d.line)));
            }
            match &url {
                Some(u) => {
                    c.repository = Some(u.clone());
                    c.source = Some(SourceKind::Git {
                        url: u.clone(),
                        commit: Some(link.commit.clone()),
                        reference: decl.and_then(|d| d.branch.clone()),
                    });
                }
                None => out.diagnostics.push(
                    Diagnostic::warning(
                        "submodule-without-url",
                        "gitlink has no entry in .gitmodules; its origin is unknown",
                    )
                    .at(link.path.clone(), None),
                ),
            }
            out.components.push(c);
        }
        for d in &decls {
            let Some(path) = d.path.as_deref() else { continue };
            if seen.iter().any(|s| s == path.trim_end_matches('/')) {
                continue;
            }
            // Declared but no gitlink known (a plain directory, or a stale .gitmodules): keep it visible.
            let name = path.rsplit('/').next().unwrap_or(path).to_string();
            let url = d.url.as_deref().map(clean_url);
            let id = match &url {
                Some(u) => repo_purl(u, &name, None),
                None => format!("pkg:generic/{name}"),
            };
            let mut c = Component::new(Ecosystem::Git, name, None).with_purl(id);
            c.kind = ComponentKind::Submodule;
            c.direct = true;
            c.repository = url.clone();
            c.found_in.push(Location::new(".gitmodules", Some(d.line)));
            if let Some(u) = url {
                c.source = Some(SourceKind::Git { url: u, commit: None, reference: d.branch.clone() });
            }
            out.diagnostics.push(
                Diagnostic::note(
                    "submodule-commit-unknown",
                    format!("submodule `{path}` is declared but its pinned commit is not known (not scanned from git)"),
                )
                .at(".gitmodules", Some(d.line)),
            );
            out.components.push(c);
        }
        out
    }
}

/// Redacts credentials and drops control characters from a URL taken from the scanned tree.
fn clean_url(u: &str) -> String {
    redact_url(&u.chars().filter(|c| !c.is_control()).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitmodules() {
        let t = "[submodule \"vendor/lib\"]\n\tpath = vendor/lib\n\turl = https://github.com/o/lib.git\n# c\n[core]\n\turl = nope\n";
        let m = parse_gitmodules(t);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].path.as_deref(), Some("vendor/lib"));
        assert_eq!(m[0].url.as_deref(), Some("https://github.com/o/lib.git"));
        assert_eq!(m[0].line, 1);
    }

    #[test]
    fn purls() {
        assert_eq!(repo_purl("https://github.com/o/lib.git", "lib", Some("abc")), "pkg:github/o/lib@abc");
        assert_eq!(repo_purl("git@github.com:o/lib.git", "lib", Some("abc")), "pkg:github/o/lib@abc");
        let p = repo_purl("https://u:p@gitee.com/o/lib", "lib", Some("abc"));
        assert!(p.starts_with("pkg:generic/lib@abc?vcs_url="), "{p}");
        assert!(!p.contains(":p@"), "{p}");
    }
}
