//! The Python files of the shared corpus, counted independently of the code under test (line-based
//! readers here, not the resolver's parsers).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use sovereign::model::{ComponentKind, Inventory, Scope};

use crate::python::{get, pypi};
use crate::support::{cdx, corpus, scan_dir, validate_cdx};

// ---- The corpus, counted independently -------------------------------------------------------------

/// `[[package]]` entries of a TOML lockfile (poetry.lock, uv.lock) as `name@version`, read line by line:
/// the first `name = ` and `version = ` after each header.
fn toml_lock_packages(text: &str) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    let mut in_pkg = false;
    for line in text.lines() {
        if line == "[[package]]" {
            in_pkg = true;
            out.push((String::new(), None));
            continue;
        }
        if line.starts_with('[') {
            in_pkg = false;
        }
        if !in_pkg {
            continue;
        }
        let last = out.last_mut().unwrap();
        if let Some(v) = line.strip_prefix("name = ") {
            last.0 = v.trim_matches('"').to_string();
        } else if let Some(v) = line.strip_prefix("version = ") {
            last.1 = Some(v.trim_matches('"').to_string());
        }
    }
    out
}

fn pep503(name: &str) -> String {
    let mut s = name.to_lowercase().replace(['_', '.'], "-");
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    s
}

fn assert_same<T: Ord + std::fmt::Debug>(got: &BTreeSet<T>, want: &BTreeSet<T>, what: &str) {
    let missing: Vec<_> = want.difference(got).take(10).collect();
    let extra: Vec<_> = got.difference(want).take(10).collect();
    assert!(missing.is_empty() && extra.is_empty(), "{what} differ: missing {missing:?}, extra {extra:?}");
}

fn ids(inv: &Inventory) -> BTreeSet<String> {
    pypi(inv).iter().map(|c| format!("{}@{}", c.name, c.version.as_deref().unwrap_or("?"))).collect()
}

#[test]
fn corpus_poetry_lock_gives_exactly_its_packages() {
    let Some(root) = corpus("python corpus poetry") else { return };
    let dir = root.join("python/python-poetry__poetry");
    let inv = scan_dir(&dir);
    let text = std::fs::read_to_string(dir.join("poetry.lock")).unwrap();
    let locked = toml_lock_packages(&text);
    // 78 `[[package]]` entries, all distinct names; the project itself (pyproject.toml) makes 79.
    assert_eq!(locked.len(), text.lines().filter(|l| *l == "[[package]]").count());
    let mut want: BTreeSet<String> =
        locked.iter().map(|(n, v)| format!("{}@{}", pep503(n), v.as_deref().unwrap())).collect();
    want.insert("poetry@2.5.0.dev0".into());
    assert_same(&ids(&inv), &want, "poetry packages");
    assert_eq!(pypi(&inv).len(), locked.len() + 1);
    // Dev scope: exactly the entries whose `groups` line lacks "main".
    let mut want_dev = BTreeSet::new();
    let mut cur = String::new();
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("name = ") {
            cur = pep503(v.trim_matches('"'));
        } else if let Some(g) = line.strip_prefix("groups = ") {
            if !g.contains("\"main\"") {
                want_dev.insert(cur.clone());
            }
        }
    }
    let got_dev: BTreeSet<String> =
        pypi(&inv).iter().filter(|c| c.scope == Scope::Dev).map(|c| c.name.clone()).collect();
    assert_same(&got_dev, &want_dev, "dev-only packages");
    // Edges: every `[package.dependencies]` key that names a locked package (extras' deps are not edges).
    let mut want_edges = BTreeSet::new();
    let mut in_deps = false;
    let names: BTreeSet<String> = locked.iter().map(|(n, _)| pep503(n)).collect();
    for line in text.lines() {
        if line.starts_with('[') {
            in_deps = line == "[package.dependencies]";
            continue;
        }
        if let Some(v) = line.strip_prefix("name = ") {
            cur = pep503(v.trim_matches('"'));
        } else if in_deps {
            if let Some((k, _)) = line.split_once(" = ") {
                let k = pep503(k.trim_matches('"'));
                if names.contains(&k) {
                    want_edges.insert((cur.clone(), k));
                }
            }
        }
    }
    let name_of = |id: &str| inv.component(id).unwrap().name.clone();
    let got_edges: BTreeSet<(String, String)> = inv
        .edges
        .iter()
        .filter(|e| !e.from.starts_with("pkg:pypi/poetry@"))
        .map(|e| (name_of(&e.from), name_of(&e.to)))
        .collect();
    assert_same(&got_edges, &want_edges, "lock edges");
    // Every dependency a locked package names is itself locked: no diagnostic at all.
    assert!(inv.diagnostics.is_empty(), "{:#?}", inv.diagnostics);
    validate_cdx(&cdx(&inv), "corpus poetry");
}

#[test]
fn corpus_uv_benchmark_lock_gives_exactly_its_packages() {
    let Some(root) = corpus("python corpus uv") else { return };
    let dir = root.join("rust/astral-sh__uv/scripts/benchmark");
    let inv = scan_dir(&dir);
    let text = std::fs::read_to_string(dir.join("uv.lock")).unwrap();
    let locked = toml_lock_packages(&text);
    assert_eq!(locked.len(), 77);
    let want: BTreeSet<String> =
        locked.iter().map(|(n, v)| format!("{}@{}", pep503(n), v.as_deref().unwrap_or("?"))).collect();
    assert_same(&ids(&inv), &want, "uv packages");
    assert_eq!(
        pypi(&inv).len(),
        locked.len(),
        "the project is the lock's editable member, not an extra component"
    );
    let app = get(&inv, "benchmark");
    assert_eq!(app.kind, ComponentKind::Application);
    assert_eq!(app.description.as_deref(), Some("Benchmark package resolution tools"));
    // The seven declared dependencies are the direct ones.
    let direct: BTreeSet<&str> = pypi(&inv).iter().filter(|c| c.direct).map(|c| c.name.as_str()).collect();
    assert_eq!(
        direct,
        BTreeSet::from(["pdm", "pip-tools", "pipx", "poetry", "tomli", "tomli-w", "virtualenv"])
    );
    // Every `{ name = … }` inside a `dependencies = [` block, or inside an array of the
    // `[package.optional-dependencies]` / `[package.dev-dependencies]` tables, is one edge.
    let mut want_edges = BTreeSet::new();
    let (mut cur, mut in_deps, mut section) = (String::new(), false, String::new());
    for line in text.lines() {
        if line.starts_with('[') {
            section = line.to_string();
        }
        let dep_table =
            section == "[package.optional-dependencies]" || section == "[package.dev-dependencies]";
        if let Some(v) = line.strip_prefix("name = ") {
            cur = v.trim_matches('"').to_string();
        } else if (section == "[[package]]" && line == "dependencies = [")
            || (dep_table && line.ends_with(" = ["))
        {
            in_deps = true;
        } else if line == "]" {
            in_deps = false;
        } else if in_deps {
            if let Some(rest) = line.trim().strip_prefix("{ name = \"") {
                want_edges.insert((cur.clone(), rest.split('"').next().unwrap().to_string()));
            }
        }
    }
    let name_of = |id: &str| inv.component(id).unwrap().name.clone();
    let got_edges: BTreeSet<(String, String)> =
        inv.edges.iter().map(|e| (name_of(&e.from), name_of(&e.to))).collect();
    assert_same(&got_edges, &want_edges, "uv edges");
    assert!(inv.diagnostics.is_empty(), "{:#?}", inv.diagnostics);
    validate_cdx(&cdx(&inv), "corpus uv benchmark");
}

/// A requirement line's name and whether it is an exact pin, read with a split on the operator characters.
fn req_line(line: &str) -> Option<(String, Option<String>)> {
    let l = line.split('#').next().unwrap().trim();
    if l.is_empty() || l.starts_with('-') {
        return None;
    }
    let name_end = l.find(|c: char| "<>=!~[; ".contains(c)).unwrap_or(l.len());
    let name = pep503(&l[..name_end]);
    let version = l
        .split_once("==")
        .filter(|(_, v)| !v.contains(',') && !v.contains('*'))
        .map(|(_, v)| v.trim().to_string());
    Some((name, version))
}

#[test]
fn corpus_ai_requirement_files_give_exactly_their_packages() {
    let Some(root) = corpus("python corpus ai") else { return };
    for project in ["ai/QwenLM__Qwen3", "ai/deepseek-ai__DeepSeek-V3", "ai/LG-AI-EXAONE__EXAONE-3.5"] {
        let dir = root.join(project);
        let inv = scan_dir(&dir);
        let mut want: BTreeMap<String, Option<String>> = BTreeMap::new();
        let mut files = Vec::new();
        collect(&dir, &mut files);
        for f in files.iter().filter(|f| f.file_name().unwrap().to_string_lossy().starts_with("requirements"))
        {
            for line in std::fs::read_to_string(f).unwrap().lines() {
                if let Some((n, v)) = req_line(line) {
                    // The same name pinned in one file and ranged in another would be two components.
                    assert!(want.get(&n).is_none_or(|old| old == &v), "{n} differs between files");
                    want.insert(n, v);
                }
            }
        }
        let want: BTreeSet<String> =
            want.into_iter().map(|(n, v)| format!("{n}@{}", v.as_deref().unwrap_or("?"))).collect();
        assert_same(&ids(&inv), &want, project);
        // Licence-stage notes about the repository's own licence texts are not the resolver's business.
        let resolver: Vec<_> = inv.diagnostics.iter().filter(|d| !d.code.starts_with("license-")).collect();
        assert!(resolver.is_empty(), "{project}: {resolver:#?}");
        validate_cdx(&cdx(&inv), project);
    }
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}
