//! `pnpm-lock.yaml`, lockfileVersion 5.x, 6.x and 9.x: `importers` (the workspace members), `packages`
//! and, from v9, `snapshots`. Peer suffixes (`(react@18.2.0)`, v5's `_react@18.2.0`) are stripped from a
//! package's identity; every peer variant becomes the same component and keeps its edges.

use std::collections::{BTreeMap, HashMap};

use serde_yaml::Value;

use crate::model::{Diagnostic, EdgeKind, Scope, SourceKind};
use crate::source::tree::join_rel;
use crate::source::SourceTree;

use super::graph::{classify_url, integrity, Dep, Graph, Pkg};
use super::manifest::{self, Manifest};

/// pnpm-lock.yaml files larger than this are not parsed (YAML values take many times their text size).
pub const MAX_BYTES: usize = 32 * 1024 * 1024;

pub struct Read {
    pub graph: Graph,
    pub covered: Vec<String>,
}

fn s(v: &Value) -> Option<&str> {
    v.as_str()
}

fn get<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.as_mapping().and_then(|m| m.get(key))
}

fn entries(v: Option<&Value>) -> Vec<(&str, &Value)> {
    v.and_then(Value::as_mapping)
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.as_str()?, v))).collect())
        .unwrap_or_default()
}

/// The line of every key indented by two spaces under each top-level section, by section.
fn key_lines(text: &str) -> HashMap<(String, String), u32> {
    let mut out = HashMap::new();
    let mut section = String::new();
    for (n, line) in text.lines().enumerate() {
        if !line.starts_with(' ') && !line.is_empty() && !line.starts_with('#') {
            section = line.trim_end().trim_end_matches(':').to_string();
        } else if line.starts_with("  ") && !line.starts_with("   ") {
            let k = line.trim().trim_end_matches(':');
            let k = k.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')).unwrap_or(k);
            let k = k.strip_prefix('"').and_then(|k| k.strip_suffix('"')).unwrap_or(k);
            out.insert((section.clone(), k.to_string()), n as u32 + 1);
        }
    }
    out
}

/// `/name/1.0.0_peer` (v5), `/name@1.0.0(peer)` (v6), `name@1.0.0(peer)` (v9) without the peer part.
fn strip_peers(key: &str, major: u32) -> &str {
    if major < 6 {
        let after_name = {
            let k = key.trim_start_matches('/');
            let skip = if k.starts_with('@') { 2 } else { 1 };
            let mut idx = key.len() - k.len();
            for seg in k.split('/').take(skip) {
                idx += seg.len() + 1;
            }
            idx.min(key.len())
        };
        match key[after_name..].find('_') {
            Some(i) => &key[..after_name + i],
            None => key,
        }
    } else {
        key.split('(').next().unwrap_or(key)
    }
}

/// (name, version) from a package key without peers.
fn split_key(key: &str, major: u32) -> Option<(String, String)> {
    let k = key.strip_prefix('/')?;
    if major < 6 {
        let (name, ver) = k.rsplit_once('/')?;
        Some((name.to_string(), ver.to_string()))
    } else {
        let at = k.get(1..)?.find('@')? + 1;
        Some((k[..at].to_string(), k[at + 1..].to_string()))
    }
}

fn is_version(v: &str) -> bool {
    v.bytes().next().is_some_and(|b| b.is_ascii_digit()) && !v.contains(['/', ':'])
}

/// Reads a pnpm lockfile.
pub fn read(
    text: &str,
    path: &str,
    tree: &SourceTree,
    diags: &mut Vec<Diagnostic>,
) -> Result<Read, Diagnostic> {
    if text.len() > MAX_BYTES {
        return Err(Diagnostic::error(
            "file-too-large",
            format!("pnpm-lock.yaml larger than {} MiB; not parsed", MAX_BYTES / (1024 * 1024)),
        )
        .at(path, None));
    }
    // yaml_serde refuses alias expansions past a repetition limit and deep recursion: alias bombs and
    // deep nesting are errors, not memory exhaustion.
    // pnpm 10 may put an "env" document (config dependencies) before the lockfile proper: of several
    // documents, the one with `packages` or `snapshots` is read (else the last).
    let mut docs = Vec::new();
    for d in serde_yaml::Deserializer::from_str(text) {
        let v = <Value as serde::Deserialize>::deserialize(d).map_err(|e| {
            let line = e.location().map(|l| l.line() as u32);
            Diagnostic::error("invalid-lockfile", format!("not valid YAML: {e}")).at(path, line)
        })?;
        docs.push(v);
    }
    let pick = docs.iter().rposition(|d| get(d, "packages").is_some() || get(d, "snapshots").is_some());
    let doc = match pick {
        Some(i) => docs.swap_remove(i),
        None => docs.pop().unwrap_or(Value::Null),
    };
    if !doc.is_mapping() {
        return Err(
            Diagnostic::error("invalid-lockfile", "pnpm-lock.yaml is not a YAML mapping").at(path, Some(1))
        );
    }
    let lines = key_lines(text);
    let version_line = text.lines().position(|l| l.starts_with("lockfileVersion")).map(|i| i as u32 + 1);
    let raw_version = match get(&doc, "lockfileVersion") {
        Some(Value::String(v)) => v.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let major: Option<u32> = raw_version
        .split(['.', '-'])
        .next()
        .and_then(|m| m.parse().ok())
        .filter(|m| [5, 6, 7, 9].contains(m));
    let major = match major {
        Some(m) => m,
        None => {
            // Best effort with the layout the file shows.
            let guess = if get(&doc, "snapshots").is_some() { 9 } else { 6 };
            diags.push(
                Diagnostic::warning(
                    "unknown-lockfile-version",
                    format!(
                        "lockfileVersion `{raw_version}` is not one sovereign knows (5.x, 6.x, 9.x); read best-effort as {guess}.x"
                    ),
                )
                .at(path, version_line.or(Some(1))),
            );
            guess
        }
    };
    let lock_dir = path.rfind('/').map(|i| &path[..i]).unwrap_or("");
    let mut g = Graph::default();
    let mut covered = Vec::new();

    // Packages: v9 splits metadata (`packages`) from the graph (`snapshots`).
    let (graph_section, graph_nodes) = match get(&doc, "snapshots") {
        Some(sn) if major >= 9 || get(&doc, "packages").is_some() => ("snapshots", entries(Some(sn))),
        _ => ("packages", entries(get(&doc, "packages"))),
    };
    let meta_nodes: BTreeMap<&str, &Value> = entries(get(&doc, "packages")).into_iter().collect();
    let mut by_key: HashMap<&str, usize> = HashMap::new();
    for (key, node) in &graph_nodes {
        let base = strip_peers(key, major);
        let meta = meta_nodes.get(base).copied().unwrap_or(node);
        let keyed = if major >= 9 { format!("/{base}") } else { base.to_string() };
        let (kname, kver) = split_key(&keyed, major).unwrap_or_default();
        let name = get(meta, "name")
            .and_then(s)
            .map(str::to_string)
            .filter(|n| !n.is_empty())
            .or(Some(kname).filter(|n| !n.is_empty()))
            // A key pnpm writes without the package name (v6 `github.com/o/r/<sha>`): the key itself.
            .unwrap_or_else(|| base.trim_start_matches('/').to_string());
        let version = get(meta, "version")
            .and_then(|v| v.as_str().map(str::to_string).or_else(|| v.as_f64().map(|f| f.to_string())))
            .or_else(|| is_version(&kver).then_some(kver));
        let mut p = Pkg {
            name,
            version,
            line: lines
                .get(&(graph_section.to_string(), key.to_string()))
                .or_else(|| lines.get(&("packages".to_string(), base.to_string())))
                .copied()
                .unwrap_or(1),
            ..Pkg::default()
        };
        if let Some(res) = get(meta, "resolution") {
            if let Some(i) = get(res, "integrity").and_then(s) {
                p.hashes = integrity(i);
                p.source = Some(SourceKind::Registry { url: None });
            }
            if let Some(t) = get(res, "tarball").and_then(s) {
                p.source = Some(classify_url(&p.name, t).0);
            } else if let (Some("git"), Some(repo)) =
                (get(res, "type").and_then(s), get(res, "repo").and_then(s))
            {
                p.source = Some(SourceKind::Git {
                    url: crate::util::redact::redact_url(repo),
                    commit: get(res, "commit").and_then(s).map(str::to_string),
                    reference: None,
                });
            } else if let Some(d) = get(res, "directory").and_then(s) {
                p.source =
                    Some(SourceKind::Path { path: join_rel(lock_dir, d).unwrap_or_else(|| d.to_string()) });
            }
        }
        if let Some(l) = get(meta, "license").and_then(s) {
            p.license = Some(l.to_string());
        }
        let dev =
            get(node, "dev").and_then(Value::as_bool).or_else(|| get(meta, "dev").and_then(Value::as_bool));
        let optional = get(node, "optional").and_then(Value::as_bool).unwrap_or(false);
        // v5/v6 say `dev: true` (dev only), `dev: false` (production only) or nothing (both); v9 says
        // nothing and the scope is propagated from the importers. `optional` alone is left to the
        // propagation too, which knows whether the optional path is itself below a dev dependency.
        p.flag_scope = match (dev, optional) {
            (Some(true), _) => Some(Scope::Dev),
            (Some(false), true) => Some(Scope::Optional),
            (Some(false), false) => Some(Scope::Runtime),
            (None, _) => None,
        };
        if get(meta, "requiresBuild").and_then(Value::as_bool) == Some(true) {
            p.properties.insert("npm-install-script".into(), "true".into());
        }
        p.installed = join_rel(lock_dir, &format!("node_modules/{}/package.json", p.name));
        let slot = g.push(p);
        by_key.insert(key, slot);
    }

    // Importers: the workspace members (or the project alone, for lockfiles without `importers`).
    let importers: Vec<(&str, &Value)> = match get(&doc, "importers") {
        Some(i) => entries(Some(i)),
        None => vec![(".", &doc)],
    };
    let mut importer_slot: HashMap<String, usize> = HashMap::new();
    for (dir, _) in &importers {
        let full = join_rel(lock_dir, dir).unwrap_or_default();
        let mpath = join_rel(&full, "package.json").unwrap_or_else(|| "package.json".into());
        let m = tree.read_text(&mpath).ok().and_then(|t| manifest::parse(&t, &mpath).ok());
        let name = m
            .as_ref()
            .and_then(|m| m.name.clone())
            .unwrap_or_else(|| super::graph::fallback_name(tree, &full));
        let line = lines.get(&("importers".to_string(), dir.to_string())).copied().unwrap_or(1);
        let slot = g.push(Pkg {
            name,
            version: m.as_ref().and_then(|m| m.version.clone()),
            app: true,
            line,
            manifest: m
                .or_else(|| Some(Manifest { path: mpath.clone(), dir: full.clone(), ..Manifest::default() })),
            ..Pkg::default()
        });
        importer_slot.insert(full.clone(), slot);
        covered.push(full);
    }

    let resolve = |name: &str, reference: &str, from_dir: &str| -> Option<usize> {
        if let Some(rel) = reference.strip_prefix("link:") {
            return join_rel(from_dir, rel).and_then(|d| importer_slot.get(&d).copied());
        }
        let candidates = [
            format!("{name}@{reference}"),
            format!("/{name}@{reference}"),
            format!("/{name}/{reference}"),
            reference.to_string(),
            format!("/{reference}"),
        ];
        candidates.iter().find_map(|c| by_key.get(c.as_str()).copied())
    };
    let unresolved = |diags: &mut Vec<Diagnostic>, section: &str, key: &str, name: &str, r: &str| {
        let line = lines.get(&(section.to_string(), key.to_string())).copied();
        diags.push(
            Diagnostic::warning(
                "unresolved-lock-reference",
                format!("`{name}` -> `{r}` names no package of the lockfile"),
            )
            .at(path, line),
        );
    };
    for (key, node) in &graph_nodes {
        let slot = by_key[key];
        let mut deps = Vec::new();
        for (section, kind) in
            [("dependencies", EdgeKind::Normal), ("optionalDependencies", EdgeKind::Optional)]
        {
            for (name, r) in entries(get(node, section)) {
                let Some(r) = r.as_str().map(str::to_string).or_else(|| r.as_f64().map(|f| f.to_string()))
                else {
                    continue;
                };
                match resolve(name, &r, lock_dir) {
                    Some(t) if t != slot => deps.push(Dep { to: t, kind, key: name.to_string() }),
                    Some(_) => {}
                    None if kind == EdgeKind::Optional => {}
                    None => unresolved(diags, graph_section, key, name, &r),
                }
            }
        }
        g.pkgs[slot].deps = deps;
    }
    for (dir, node) in &importers {
        let full = join_rel(lock_dir, dir).unwrap_or_default();
        let slot = importer_slot[&full];
        let mut deps: Vec<Dep> = Vec::new();
        for (section, kind) in [
            ("devDependencies", EdgeKind::Dev),
            ("dependencies", EdgeKind::Normal),
            ("optionalDependencies", EdgeKind::Optional),
        ] {
            for (name, spec) in entries(get(node, section)) {
                let r = match spec {
                    Value::String(v) => v.clone(),
                    Value::Number(n) => n.to_string(),
                    m => match get(m, "version") {
                        Some(Value::String(v)) => v.clone(),
                        Some(Value::Number(n)) => n.to_string(),
                        _ => continue,
                    },
                };
                match resolve(name, &r, &full) {
                    Some(t) if t != slot => {
                        deps.retain(|d| d.to != t);
                        deps.push(Dep { to: t, kind, key: name.to_string() });
                    }
                    Some(_) => {}
                    None if kind == EdgeKind::Optional => {}
                    None => unresolved(diags, "importers", dir, name, &r),
                }
            }
        }
        g.pkgs[slot].deps = deps;
    }
    Ok(Read { graph: g, covered })
}

/// The `packages` globs of a `pnpm-workspace.yaml`.
pub fn workspace_globs(text: &str, path: &str) -> Result<Vec<String>, Diagnostic> {
    if text.len() > MAX_BYTES {
        return Err(
            Diagnostic::error("file-too-large", "pnpm-workspace.yaml too large; not parsed").at(path, None)
        );
    }
    let doc: Value = serde_yaml::from_str(text).map_err(|e| {
        Diagnostic::error("invalid-yaml", format!("not valid YAML: {e}"))
            .at(path, e.location().map(|l| l.line() as u32))
    })?;
    Ok(get(&doc, "packages")
        .and_then(Value::as_sequence)
        .map(|s| s.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(strip_peers("/@a/b/1.0.0_react@17.0.0+@types+x@1.0.0", 5), "/@a/b/1.0.0");
        assert_eq!(strip_peers("/b/1.0.0", 5), "/b/1.0.0");
        assert_eq!(strip_peers("/b@1.0.0(react@18.2.0)", 6), "/b@1.0.0");
        assert_eq!(split_key("/@a/b/1.0.0", 5), Some(("@a/b".into(), "1.0.0".into())));
        assert_eq!(split_key("/@a/b@1.0.0", 6), Some(("@a/b".into(), "1.0.0".into())));
    }
}
