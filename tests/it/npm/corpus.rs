//! The JavaScript lockfiles of the shared corpus, each counted by a small reading of its own here (serde_json
//! for package-lock files, plain line reading for yarn.lock and pnpm-lock.yaml) that shares no code with
//! the resolver, then compared package by package and edge by edge.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;
use sovereign::model::{Ecosystem, Inventory, Severity};

use crate::support::{cdx, corpus, scan_dir, validate_cdx};

type Edges = BTreeSet<(String, String)>;

/// `name@version`, with ` from <registry>` when the package came from a registry other than npmjs.
fn ident(name: &str, version: &str, resolved: Option<&str>) -> String {
    let mut s = format!("{name}@{version}");
    if let Some(r) = resolved {
        let default =
            r.starts_with("https://registry.npmjs.org/") || r.starts_with("https://registry.yarnpkg.com/");
        if !default && r.starts_with("http") {
            let marker = format!("/{name}/-/");
            if let Some(at) = r.find(&marker) {
                s.push_str(&format!(" from {}", &r[..at]));
            }
        }
    }
    s
}

fn got(inv: &Inventory) -> (BTreeSet<String>, Edges, usize) {
    let npm: Vec<_> = inv.components.iter().filter(|c| c.ecosystem == Ecosystem::Npm).collect();
    let name_of = |c: &sovereign::model::Component| {
        let name = match &c.namespace {
            Some(ns) => format!("{ns}/{}", c.name),
            None => c.name.clone(),
        };
        let registry = match &c.source {
            Some(sovereign::model::SourceKind::Registry { url: Some(u) }) => {
                Some(format!("{u}/{name}/-/x.tgz"))
            }
            _ => None,
        };
        ident(&name, c.version.as_deref().unwrap_or("?"), registry.as_deref())
    };
    let pkgs: BTreeSet<String> = npm.iter().map(|c| name_of(c)).collect();
    let edges: Edges = inv
        .edges
        .iter()
        .map(|e| (name_of(inv.component(&e.from).unwrap()), name_of(inv.component(&e.to).unwrap())))
        .collect();
    (pkgs, edges, npm.len())
}

fn assert_same<T: Ord + std::fmt::Debug>(got: &BTreeSet<T>, want: &BTreeSet<T>, what: &str) {
    let missing: Vec<_> = want.difference(got).take(10).collect();
    let extra: Vec<_> = got.difference(want).take(10).collect();
    assert!(missing.is_empty() && extra.is_empty(), "{what} differ: missing {missing:?}, extra {extra:?}");
}

fn check(dir: &Path, label: &str, want_pkgs: BTreeSet<String>, want_edges: Edges) -> Inventory {
    let inv = scan_dir(dir);
    let (pkgs, edges, count) = got(&inv);
    assert_same(&pkgs, &want_pkgs, &format!("{label}: packages"));
    assert_eq!(count, want_pkgs.len(), "{label}: one component per distinct package");
    assert_same(&edges, &want_edges, &format!("{label}: edges"));
    let problems: Vec<_> = inv.diagnostics.iter().filter(|d| d.severity >= Severity::Warning).collect();
    assert!(problems.is_empty(), "{label}: {problems:#?}");
    validate_cdx(&cdx(&inv), label);
    inv
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn root_ident(manifest: &Value) -> String {
    format!("{}@{}", manifest["name"].as_str().unwrap(), manifest["version"].as_str().unwrap())
}

/// package-lock v2/v3: every `packages` entry but the root is an installed package; edges follow Node's
/// lookup (the entry's own `node_modules`, then each ancestor's).
fn expect_packages_map(lock: &Value) -> (BTreeSet<String>, Edges) {
    let packages = lock["packages"].as_object().unwrap();
    let id_of = |key: &str| -> String {
        let e = &packages[key];
        if key.is_empty() {
            return format!("{}@{}", e["name"].as_str().unwrap(), e["version"].as_str().unwrap());
        }
        let name = e["name"].as_str().unwrap_or_else(|| key.rsplit("node_modules/").next().unwrap());
        ident(name, e["version"].as_str().unwrap(), e["resolved"].as_str())
    };
    let mut pkgs = BTreeSet::new();
    let mut edges = BTreeSet::new();
    for (key, e) in packages {
        assert!(e.get("link").is_none(), "the corpus has no links; this reader does not follow them");
        pkgs.insert(id_of(key));
        let mut sections = vec!["dependencies", "optionalDependencies", "peerDependencies"];
        if key.is_empty() {
            sections.push("devDependencies");
        }
        for s in sections {
            for dep in e[s].as_object().into_iter().flat_map(|m| m.keys()) {
                // Candidates from the deepest node_modules up: split the key at each `node_modules/`.
                let parts: Vec<&str> = key.split("node_modules/").collect();
                let found = (0..=parts.len()).rev().find_map(|n| {
                    let prefix = if key.is_empty() {
                        String::new()
                    } else {
                        parts[..n.min(parts.len())].join("node_modules/")
                    };
                    let cand = if prefix.is_empty() {
                        format!("node_modules/{dep}")
                    } else {
                        format!("{}/node_modules/{dep}", prefix.trim_end_matches('/'))
                    };
                    packages.contains_key(&cand).then_some(cand)
                });
                if let Some(t) = found {
                    if t != *key {
                        edges.insert((id_of(key), id_of(&t)));
                    }
                }
            }
        }
    }
    (pkgs, edges)
}

#[test]
fn corpus_axios_package_lock_v2() {
    let Some(root) = corpus("npm corpus axios") else { return };
    let dir = root.join("npm/axios__axios");
    let lock = read_json(&dir.join("package-lock.json"));
    assert_eq!(lock["lockfileVersion"], 2);
    let (pkgs, edges) = expect_packages_map(&lock);
    // 2116 entries in `packages`, the root among them, 1672 distinct name@version besides the root.
    assert_eq!(lock["packages"].as_object().unwrap().len(), 2116);
    assert_eq!(pkgs.len(), 1673);
    let inv = check(&dir, "axios", pkgs, edges);
    let root_id = "pkg:npm/axios@1.7.9";
    assert_eq!(inv.component(root_id).unwrap().kind, sovereign::model::ComponentKind::Application);
    assert_eq!(inv.component(root_id).unwrap().license.declared.as_ref().unwrap().expression, "MIT");
    // Scopes follow npm's flags: the three runtime dependencies and their closure are runtime.
    let runtime: BTreeSet<String> = inv
        .components
        .iter()
        .filter(|c| {
            c.scope == sovereign::model::Scope::Runtime && c.kind == sovereign::model::ComponentKind::Library
        })
        .map(|c| c.name.clone())
        .collect();
    let flagged: BTreeSet<String> = lock["packages"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, e)| {
            !k.is_empty()
                && e.get("dev").is_none()
                && e.get("optional").is_none()
                && e.get("devOptional").is_none()
        })
        .map(|(k, _)| k.rsplit("node_modules/").next().unwrap().rsplit('/').next().unwrap().to_string())
        .collect();
    assert_eq!(runtime, flagged);
}

/// package-lock v1: nested `dependencies`; edges from `requires`, looked up in the entry's own nested
/// `dependencies` and then its ancestors'; the project's own edges from its package.json.
fn expect_v1(lock: &Value, manifest: &Value) -> (BTreeSet<String>, Edges) {
    let mut pkgs = BTreeSet::from([root_ident(manifest)]);
    let mut edges = BTreeSet::new();
    fn id(name: &str, e: &Value) -> String {
        ident(name, e["version"].as_str().unwrap(), e["resolved"].as_str())
    }
    fn walk(
        scopes: &mut Vec<&serde_json::Map<String, Value>>,
        pkgs: &mut BTreeSet<String>,
        edges: &mut Edges,
    ) {
        let here = *scopes.last().unwrap();
        for (name, e) in here {
            pkgs.insert(id(name, e));
            let own = e["dependencies"].as_object();
            if let Some(own) = own {
                scopes.push(own);
            }
            for dep in e["requires"].as_object().into_iter().flat_map(|m| m.keys()) {
                if let Some(t) = scopes.iter().rev().find_map(|s| s.get(dep)) {
                    edges.insert((id(name, e), id(dep, t)));
                }
            }
            if own.is_some() {
                walk(scopes, pkgs, edges);
                scopes.pop();
            }
        }
    }
    let top = lock["dependencies"].as_object().unwrap();
    walk(&mut vec![top], &mut pkgs, &mut edges);
    for s in ["dependencies", "devDependencies", "optionalDependencies"] {
        for dep in manifest[s].as_object().into_iter().flat_map(|m| m.keys()) {
            if let Some(t) = top.get(dep) {
                edges.insert((root_ident(manifest), id(dep, t)));
            }
        }
    }
    (pkgs, edges)
}

#[test]
fn corpus_nacos_console_ui_package_lock_v1() {
    let Some(root) = corpus("npm corpus nacos") else { return };
    let dir = root.join("maven/alibaba__nacos/console-ui");
    let lock = read_json(&dir.join("package-lock.json"));
    assert_eq!(lock["lockfileVersion"], 1);
    let (pkgs, edges) = expect_v1(&lock, &read_json(&dir.join("package.json")));
    // 1583 entries, 1298 distinct name@version; 34 entries come from registry.npmmirror.com, and 4 of those
    // name@version are also installed from registry.npmjs.org elsewhere in the tree. Another registry is
    // another purl (`repository_url`), so those 4 are two components each: 1298 + 4, plus the project.
    assert_eq!(pkgs.len(), 1303);
    assert_eq!(pkgs.iter().filter(|p| p.contains(" from https://registry.npmmirror.com")).count(), 34);
    check(&dir, "nacos console-ui", pkgs, edges);
}

/// yarn.lock v1 read line by line: block headers list descriptors, `version`, and the
/// `dependencies`/`optionalDependencies` sections; the project's edges from package.json.
fn expect_yarn_v1(text: &str, manifest: &Value) -> (BTreeSet<String>, Edges) {
    type Block = (Vec<String>, String, Vec<(String, String)>);
    let mut blocks: Vec<Block> = Vec::new();
    let mut in_deps = false;
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            let descs =
                line.trim_end_matches(':').split(", ").map(|d| d.trim_matches('"').to_string()).collect();
            blocks.push((descs, String::new(), Vec::new()));
            in_deps = false;
        } else if let Some(v) = line.strip_prefix("  version ") {
            blocks.last_mut().unwrap().1 = v.trim_matches('"').to_string();
        } else if line == "  dependencies:" || line == "  optionalDependencies:" {
            in_deps = true;
        } else if line.starts_with("    ") && in_deps {
            // `name "range"`, where the name may be quoted and the range may hold spaces.
            let l = line.trim();
            let (n, r) = if let Some(q) = l.strip_prefix('"') {
                let end = q.find('"').unwrap();
                (&q[..end], &q[end + 1..])
            } else {
                l.split_once(' ').unwrap()
            };
            blocks.last_mut().unwrap().2.push((n.to_string(), r.trim().trim_matches('"').to_string()));
        } else {
            in_deps = false;
        }
    }
    // `alias@npm:real@range` installs `real`.
    let name = |d: &str| {
        let (n, range) = d.split_at(d[1..].find('@').unwrap() + 1);
        match range[1..].strip_prefix("npm:") {
            Some(real) => real[..real[1..].find('@').unwrap() + 1].to_string(),
            None => n.to_string(),
        }
    };
    let mut by_desc = BTreeMap::new();
    for (descs, v, _) in &blocks {
        for d in descs {
            by_desc.insert(d.clone(), format!("{}@{v}", name(d)));
        }
    }
    let mut pkgs: BTreeSet<String> = by_desc.values().cloned().collect();
    pkgs.insert(root_ident(manifest));
    let mut edges = BTreeSet::new();
    for (descs, v, deps) in &blocks {
        for (n, r) in deps {
            edges.insert((format!("{}@{v}", name(&descs[0])), by_desc[&format!("{n}@{r}")].clone()));
        }
    }
    for s in ["dependencies", "devDependencies", "optionalDependencies"] {
        for (n, r) in manifest[s].as_object().into_iter().flatten() {
            if let Some(t) = by_desc.get(&format!("{n}@{}", r.as_str().unwrap())) {
                edges.insert((root_ident(manifest), t.clone()));
            }
        }
    }
    (pkgs, edges)
}

#[test]
fn corpus_webpack_yarn_lock_v1() {
    let Some(root) = corpus("npm corpus webpack") else { return };
    let dir = root.join("npm/webpack__webpack");
    let text = std::fs::read_to_string(dir.join("yarn.lock")).unwrap();
    let manifest = read_json(&dir.join("package.json"));
    let (pkgs, edges) = expect_yarn_v1(&text, &manifest);
    let inv = check(&dir, "webpack", pkgs, edges);
    // yarn.lock does not record scopes: webpack's runtime dependencies are runtime, its devDependencies dev.
    let by = |n: &str| {
        let full = |c: &&sovereign::model::Component| match &c.namespace {
            Some(ns) => format!("{ns}/{}", c.name),
            None => c.name.clone(),
        };
        inv.components.iter().find(|c| full(c) == n && c.direct).unwrap().scope
    };
    for (n, _) in manifest["dependencies"].as_object().unwrap() {
        assert_eq!(by(n), sovereign::model::Scope::Runtime, "{n}");
    }
    assert_eq!(by("jest"), sovereign::model::Scope::Dev);
}

/// pnpm-lock.yaml v9 read line by line: `packages` keys (`name@version`), `snapshots` keys with
/// `(peer)` suffixes and their `dependencies`/`optionalDependencies`, `importers` with `link:` members.
fn expect_pnpm_v9(dir: &Path, text: &str) -> (BTreeSet<String>, Edges) {
    let unq = |s: &str| s.trim().trim_end_matches(':').trim_matches('\'').to_string();
    let base = |k: &str| k.split('(').next().unwrap().to_string();
    let mut section = "";
    let mut pkgs = BTreeSet::new();
    let mut importer_ids: BTreeMap<String, String> = BTreeMap::new();
    let mut raw_edges: Vec<(String, bool, String, String)> = Vec::new(); // (from, from_is_importer, dep, ref)
    let mut current = String::new();
    let mut in_deps = false;
    for line in text.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            section = if line.starts_with("importers:") {
                "importers"
            } else if line.starts_with("packages:") {
                "packages"
            } else if line.starts_with("snapshots:") {
                "snapshots"
            } else {
                ""
            };
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        match (section, indent) {
            ("packages", 2) => {
                pkgs.insert(unq(line));
            }
            ("importers", 2) => {
                let d = unq(line).trim_end_matches(" {}").trim_end_matches(':').to_string();
                let m = read_json(&dir.join(&d).join("package.json"));
                // A package.json without a name (vue's root) is named after its directory.
                let folder = if d == "." {
                    dir.file_name().unwrap().to_str().unwrap()
                } else {
                    d.rsplit('/').next().unwrap()
                };
                let id = format!(
                    "{}@{}",
                    m["name"].as_str().unwrap_or(folder),
                    m["version"].as_str().unwrap_or("?")
                );
                pkgs.insert(id.clone());
                importer_ids.insert(d.clone(), id);
                current = d;
            }
            ("snapshots", 2) => current = unq(line),
            (_, 4) => {
                let s = line.trim();
                in_deps = matches!(s, "dependencies:" | "optionalDependencies:" | "devDependencies:");
            }
            ("importers", 6) if in_deps => {
                raw_edges.push((current.clone(), true, unq(line), String::new()));
            }
            ("importers", 8) if in_deps && line.trim().starts_with("version:") => {
                raw_edges.last_mut().unwrap().3 = line.trim()["version:".len()..].trim().to_string();
            }
            ("snapshots", 6) if in_deps => {
                let (n, r) = line.trim().split_once(": ").unwrap();
                raw_edges.push((current.clone(), false, unq(n), r.trim_matches('\'').to_string()));
            }
            _ => {}
        }
    }
    let mut edges = BTreeSet::new();
    for (from, importer, dep, r) in raw_edges {
        let from_id = if importer { importer_ids[&from].clone() } else { base(&from) };
        let to = if let Some(rel) = r.strip_prefix("link:") {
            // An importer's links are relative to the importer, a snapshot's to the lockfile.
            let target = if importer { Path::new(&from).join(rel) } else { Path::new(rel).to_path_buf() };
            // Lexical normalisation of `a/b/../c`.
            let mut parts: Vec<String> = Vec::new();
            for c in target.components() {
                match c.as_os_str().to_str().unwrap() {
                    ".." => {
                        parts.pop();
                    }
                    "." => {}
                    s => parts.push(s.to_string()),
                }
            }
            let key = if parts.is_empty() { ".".to_string() } else { parts.join("/") };
            importer_ids.get(&key).unwrap_or_else(|| panic!("no importer {key} for {from} {r}")).clone()
        } else if r.contains('@') && !r.starts_with(|c: char| c.is_ascii_digit()) {
            base(&r)
        } else {
            format!("{dep}@{}", base(&r))
        };
        if from_id != to {
            edges.insert((from_id, to));
        }
    }
    (pkgs, edges)
}

#[test]
fn corpus_vue_pnpm_lock_v9() {
    let Some(root) = corpus("npm corpus vue") else { return };
    let dir = root.join("npm/vuejs__core");
    let text = std::fs::read_to_string(dir.join("pnpm-lock.yaml")).unwrap();
    assert!(text.starts_with("lockfileVersion: '9.0'"));
    let (pkgs, edges) = expect_pnpm_v9(&dir, &text);
    let members =
        text.lines().skip_while(|l| *l != "importers:").skip(1).take_while(|l| !l.starts_with("packages:"));
    assert_eq!(members.filter(|l| l.starts_with("  ") && !l.starts_with("   ")).count(), 18);
    let inv = check(&dir, "vue", pkgs, edges);
    let apps =
        inv.components.iter().filter(|c| c.kind == sovereign::model::ComponentKind::Application).count();
    assert_eq!(apps, 18, "every importer is an application");
}
