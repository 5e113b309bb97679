//! Who is who in the tree: the scanned project's own directories and holders, and the vendored projects
//! (a directory with a project identity of its own) whose files are evidence of one component each.
//!
//! - **First party**: the directories the resolvers know as the project's own (the manifests of its
//!   application components: Cargo workspace members, npm/yarn/pnpm workspaces, uv/Poetry/PDM members,
//!   go.work modules, Maven modules, Gradle subprojects …), given in [`Context`].
//! - **Own holders**: the root licence's holders, `--own-holder`, the root manifests' authors, the
//!   repository's owner and name (`acme/widget` ↔ "The Widget Authors"), and, with no root notice, the
//!   dominant holder of the tree's own files.
//! - **Vendored projects**: `third_party/<name>`, `vendor/<name>` (classic layouts), git submodules,
//!   `.gitattributes` `linguist-vendored` directories, and directories outside the first party with a
//!   licence file and a manifest whose holders are not the project's.

use std::collections::{BTreeMap, BTreeSet};

use super::notices::{holder_key, NoticeKind};
use super::role::Roles;
use super::vendored::{is_licence_file, vendored_root, FileSignals};
use crate::model::purl;
use crate::source::SourceTree;

/// What the rest of the scan knows about the tree, handed to the provenance stage.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Directories the resolvers know as the scanned project's own (`""`: the root).
    pub first_party: Vec<String>,
    /// Names that identify the submitter: root manifest authors and organisations, the repository's
    /// owner and name.
    pub own_names: Vec<String>,
    /// Git submodule paths.
    pub submodules: Vec<String>,
}

impl Context {
    /// Whether `dir` is one of the project's own directories (a declared project root, not below).
    pub fn is_first_party_root(&self, dir: &str) -> bool {
        self.first_party.iter().any(|d| d == dir)
    }

    /// Adds the repository owner and name of a URL (`https://github.com/acme/widget.git`) or a bare
    /// directory name to the own names.
    pub fn add_repository(&mut self, url_or_name: &str) {
        let t = url_or_name.trim_end_matches('/').trim_end_matches(".git");
        let mut parts: Vec<&str> = t.rsplit(['/', ':']).take(2).collect();
        let is_url = t.contains('/') || t.contains(':');
        let take = if is_url { parts.len() } else { 1 };
        parts.truncate(take);
        // A checkout directory named `owner__name` (or a mirror's `owner+name`): both.
        if let Some((o, n)) = parts.first().and_then(|p| p.split_once("__").or_else(|| p.split_once('+'))) {
            parts = vec![n, o];
        }
        for p in parts {
            if !p.is_empty() && p.len() > 2 && !p.contains('.') {
                self.own_names.push(p.to_string());
            }
        }
    }
}

/// Manifest file names that give a directory a project identity, with their ecosystem.
const MANIFESTS: &[(&str, &str)] = &[
    ("Cargo.toml", "cargo"),
    ("package.json", "npm"),
    ("pyproject.toml", "pypi"),
    ("setup.py", "pypi"),
    ("setup.cfg", "pypi"),
    ("go.mod", "golang"),
    ("pom.xml", "maven"),
    ("build.gradle", "maven"),
    ("build.gradle.kts", "maven"),
    ("CMakeLists.txt", "generic"),
    ("meson.build", "generic"),
    ("composer.json", "composer"),
    ("Gemfile", "gem"),
];

/// A vendored project: one component.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Project {
    pub dir: String,
    /// Why it is one (`vendored-tree`, `git-submodule`, `linguist-vendored`, `project-identity`).
    pub rule: &'static str,
    pub name: Option<String>,
    pub version: Option<String>,
    pub purl: Option<String>,
    pub manifest: Option<String>,
}

/// The vendored projects of a tree, by directory.
#[derive(Debug, Default)]
pub struct Layout {
    pub projects: BTreeMap<String, Project>,
}

impl Layout {
    /// The deepest vendored project a path lies in.
    pub fn root_of(&self, path: &str) -> Option<&str> {
        let mut end = path.len();
        while let Some(i) = path[..end].rfind('/') {
            if let Some((k, _)) = self.projects.get_key_value(&path[..i]) {
                return Some(k.as_str());
            }
            end = i;
        }
        None
    }
}

fn dir_of(path: &str) -> &str {
    path.rfind('/').map(|i| &path[..i]).unwrap_or("")
}

/// Whether a holder is one of the submitter's: the same key, one key extends the other by whole words
/// (`Yuxi You` and `Yuxi You and Vue contributors`), or one part of `X and the Y Authors` is.
pub fn is_own(own: &BTreeSet<String>, holder: &str) -> bool {
    let k = holder_key(holder);
    if k.is_empty() {
        return false;
    }
    let matches = |k: &str| {
        let k = k.strip_prefix("to ").unwrap_or(k);
        let k = k.strip_suffix(" project").unwrap_or(k);
        !k.is_empty()
            && own.iter().any(|o| {
                o == k
                    || o.strip_prefix(k).is_some_and(|r| r.starts_with(' '))
                    || k.strip_prefix(o.as_str()).is_some_and(|r| r.starts_with(' '))
            })
    };
    matches(&k) || k.split(" and ").any(|p| matches(p.trim()))
}

/// The project's own holder keys. `files` are all the signals; `foreign` tells whether a path lies in
/// a classic vendored tree or submodule (not the tree's own files).
pub fn own_holder_keys(
    files: &[FileSignals],
    configured: &[String],
    ctx: &Context,
    roles: &Roles,
) -> (BTreeSet<String>, bool) {
    let mut keys: BTreeSet<String> =
        configured.iter().map(|h| holder_key(h)).filter(|k| !k.is_empty()).collect();
    let mut root_notice = false;
    for f in files {
        if f.path.contains('/') || !is_licence_file(&f.path) {
            continue;
        }
        for n in &f.notices {
            if n.kind == NoticeKind::Copyright && n.line <= 30 {
                if let Some(h) = &n.holder {
                    keys.insert(holder_key(h));
                    root_notice = true;
                }
            }
        }
        if let Some((_, Some(licensor))) = &f.licence_file {
            keys.insert(holder_key(licensor));
            root_notice = true;
        }
    }
    for n in &ctx.own_names {
        let k = holder_key(n);
        if !k.is_empty() {
            keys.insert(k);
        }
    }
    if !root_notice && configured.is_empty() {
        // The dominant holder of the tree's own files (outside vendored trees, submodules and
        // test/example/docs trees): a notice in most of them is the project's.
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        let mut noticed = 0usize;
        for f in files {
            if vendored_root(&f.path).is_some()
                || ctx.submodules.iter().any(|s| f.path.starts_with(&format!("{s}/")))
                || roles.of(&f.path).is_some()
            {
                continue;
            }
            let hs: BTreeSet<String> = f
                .notices
                .iter()
                .filter(|n| n.kind == NoticeKind::Copyright)
                .filter_map(|n| n.holder.as_deref().map(holder_key))
                .filter(|k| !k.is_empty())
                .collect();
            if !hs.is_empty() {
                noticed += 1;
            }
            for h in hs {
                *counts.entry(h).or_default() += 1;
            }
        }
        let _ = noticed;
        let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let second = ranked.get(1).map_or(0, |r| r.1);
        if let Some((h, n)) = ranked.into_iter().next() {
            // Dominant: half as much again as the next holder, and in three files or alone.
            if 2 * n >= 3 * second && (n >= 3 || second == 0) && n > second {
                keys.insert(h);
            }
        }
    }
    let any = !keys.is_empty();
    (keys, any)
}

/// Finds the vendored projects of a tree.
pub fn detect(
    tree: &SourceTree,
    files: &[FileSignals],
    all_paths: &[&str],
    own: &BTreeSet<String>,
    ctx: &Context,
    roles: &Roles,
) -> Layout {
    let mut layout = Layout::default();
    // Directories with a licence file, and those with a manifest.
    let mut licensed: BTreeSet<&str> = BTreeSet::new();
    let mut manifests: BTreeMap<&str, (&str, &'static str)> = BTreeMap::new();
    for p in all_paths {
        let (dir, name) = (dir_of(p), p.rsplit('/').next().unwrap_or(p));
        if is_licence_file(name) {
            licensed.insert(dir);
        }
        if let Some((_, eco)) = MANIFESTS.iter().find(|(m, _)| *m == name) {
            manifests.entry(dir).or_insert((p, eco));
        }
        if let Some(root) = vendored_root(p) {
            layout.projects.entry(root.clone()).or_insert_with(|| Project {
                dir: root,
                rule: "vendored-tree",
                ..Project::default()
            });
        }
        if roles.is_vendored(p) {
            // The top directory `.gitattributes` marks (or the file itself at the root).
            let mut top = *p;
            while let Some(i) = top.rfind('/') {
                if !roles.is_vendored(&format!("{}/", &top[..i])) && !roles.is_vendored(&top[..i]) {
                    break;
                }
                top = &top[..i];
            }
            if top != *p {
                layout.projects.entry(top.to_string()).or_insert_with(|| Project {
                    dir: top.to_string(),
                    rule: "linguist-vendored",
                    ..Project::default()
                });
            }
        }
    }
    for s in &ctx.submodules {
        layout
            .projects
            .insert(s.clone(), Project { dir: s.clone(), rule: "git-submodule", ..Project::default() });
    }
    // Holders per directory's licence files, and per directory subtree (for directories without one).
    let mut licence_holders: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for f in files {
        let name = f.path.rsplit('/').next().unwrap_or(&f.path);
        if is_licence_file(name) {
            let hs = licence_holders.entry(dir_of(&f.path)).or_default();
            hs.extend(
                f.notices
                    .iter()
                    .filter(|n| n.kind == NoticeKind::Copyright && n.line <= 30)
                    .filter_map(|n| n.holder.clone()),
            );
            if let Some((_, Some(l))) = &f.licence_file {
                hs.push(l.to_string());
            }
        }
    }
    for dir in licensed.iter().filter(|d| !d.is_empty() && manifests.contains_key(*d)) {
        if layout.projects.contains_key(*dir) {
            continue;
        }
        // The notices of its files: more files with only foreign holders than with the project's own
        // (a fork keeps its origin).
        let prefix = format!("{dir}/");
        let (mut foreign_files, mut own_files) = (0usize, 0usize);
        for f in files.iter().filter(|f| f.path.starts_with(&prefix)) {
            let hs: Vec<&String> = f
                .notices
                .iter()
                .filter(|n| n.kind == NoticeKind::Copyright)
                .filter_map(|n| n.holder.as_ref())
                .collect();
            if hs.iter().any(|h| is_own(own, h)) {
                own_files += 1;
            } else if !hs.is_empty() {
                foreign_files += 1;
            }
        }
        let files_foreign = |needed: usize| foreign_files >= needed && foreign_files > own_files;
        let licence_foreign =
            licence_holders.get(dir).filter(|h| !h.is_empty()).map(|hs| hs.iter().all(|h| !is_own(own, h)));
        // A first-party directory (a resolver's project: workspace member, module, standalone manifest)
        // is its own project unless at least three of its files say otherwise; elsewhere a licence naming
        // another holder suffices, or, without a holder, the files.
        let foreign = if ctx.is_first_party_root(dir) {
            files_foreign(3)
        } else {
            licence_foreign.unwrap_or_else(|| files_foreign(1))
        };
        if foreign {
            layout.projects.insert(
                dir.to_string(),
                Project { dir: dir.to_string(), rule: "project-identity", ..Project::default() },
            );
        }
    }
    // Names, versions and purls from the projects' manifests.
    for (dir, p) in layout.projects.iter_mut() {
        if let Some((path, eco)) = manifests.get(dir.as_str()) {
            p.manifest = Some(path.to_string());
            if let Ok(text) = tree.read_text(path) {
                let (name, version) = manifest_identity(path, &text);
                if let Some(n) = name.as_deref().filter(|_| *eco != "generic") {
                    let (ns, short) = match n.rsplit_once('/') {
                        Some((ns, s)) if *eco == "npm" || *eco == "golang" || *eco == "composer" => {
                            (Some(ns), s)
                        }
                        _ => (None, n),
                    };
                    p.purl = purl::build(eco, ns, short, version.as_deref(), &[]);
                }
                p.name = name;
                p.version = version;
            }
        }
    }
    layout
}

/// The name and version a manifest declares (a static read: TOML/JSON keys, `module` in go.mod, the
/// first `<artifactId>`/`<version>` of a POM outside `<parent>`).
pub fn manifest_identity(path: &str, text: &str) -> (Option<String>, Option<String>) {
    let name = path.rsplit('/').next().unwrap_or(path);
    let clean = |s: &str| {
        let s = s.trim().trim_end_matches(',').trim().trim_matches(['"', '\'']).trim();
        (!s.is_empty() && !s.contains(['{', '$', ' '])).then(|| s.to_string())
    };
    match name {
        "Cargo.toml" | "pyproject.toml" => {
            let mut section = String::new();
            let (mut n, mut v) = (None, None);
            for line in text.lines() {
                let t = line.trim();
                if t.starts_with('[') {
                    section = t.to_string();
                    continue;
                }
                if !matches!(section.as_str(), "[package]" | "[project]" | "[tool.poetry]") {
                    continue;
                }
                if let Some((k, val)) = t.split_once('=') {
                    match k.trim() {
                        "name" if n.is_none() => n = clean(val),
                        "version" if v.is_none() => v = clean(val),
                        _ => {}
                    }
                }
            }
            (n, v)
        }
        "package.json" | "composer.json" => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(j) => (
                j.get("name").and_then(|x| x.as_str()).map(str::to_string),
                j.get("version").and_then(|x| x.as_str()).map(str::to_string),
            ),
            Err(_) => (None, None),
        },
        "go.mod" => (text.lines().find_map(|l| l.trim().strip_prefix("module ")).and_then(&clean), None),
        "setup.py" | "setup.cfg" => {
            let find = |key: &str| {
                text.lines().find_map(|l| {
                    let t = l.trim();
                    let r = t.strip_prefix(key)?.trim_start();
                    let r = r.strip_prefix('=')?;
                    clean(r)
                })
            };
            (find("name"), find("version"))
        }
        "pom.xml" => {
            let body = match (text.find("<parent>"), text.find("</parent>")) {
                (Some(a), Some(b)) if a < b => format!("{}{}", &text[..a], &text[b..]),
                _ => text.to_string(),
            };
            let tag = |t: &str| {
                let open = format!("<{t}>");
                let a = body.find(&open)? + open.len();
                let b = body[a..].find('<')? + a;
                clean(&body[a..b])
            };
            (tag("artifactId"), tag("version"))
        }
        _ => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_forms() {
        let own: BTreeSet<String> = ["widget", "acme"].iter().map(|s| s.to_string()).collect();
        assert!(is_own(&own, "The Widget Authors"));
        assert!(is_own(&own, "Jane Roe and The Widget Authors"));
        assert!(is_own(&own, "the widget contributors"));
        assert!(is_own(&own, "Acme, Inc."));
        assert!(is_own(&own, "contributors to the Widget project"));
        assert!(!is_own(&own, "Google LLC"));
        assert!(!is_own(&own, "Widgetry Ltd"));
    }

    #[test]
    fn repository_names() {
        let mut c = Context::default();
        c.add_repository("https://github.com/acme/widget.git");
        assert_eq!(c.own_names, vec!["widget".to_string(), "acme".to_string()]);
        let mut c = Context::default();
        c.add_repository("widget");
        assert_eq!(c.own_names, vec!["widget".to_string()]);
        let mut c = Context::default();
        c.add_repository("acme__widget");
        assert_eq!(c.own_names, vec!["widget".to_string(), "acme".to_string()]);
    }

    #[test]
    fn manifests() {
        assert_eq!(
            manifest_identity(
                "e/pyproject.toml",
                "[build-system]\nname = \"x\"\n[project]\nname = \"engine\"\nversion = \"0.4.1\"\n"
            ),
            (Some("engine".into()), Some("0.4.1".into()))
        );
        assert_eq!(
            manifest_identity("e/package.json", "{\"name\": \"@acme/ui\", \"version\": \"1.2.0\"}"),
            (Some("@acme/ui".into()), Some("1.2.0".into()))
        );
        assert_eq!(
            manifest_identity("go.mod", "module github.com/o/r\n\ngo 1.22\n").0.as_deref(),
            Some("github.com/o/r")
        );
        assert_eq!(
            manifest_identity("pom.xml", "<project><parent><artifactId>p</artifactId><version>1</version></parent><artifactId>core</artifactId><version>2.0</version></project>"),
            (Some("core".into()), Some("2.0".into()))
        );
    }
}
