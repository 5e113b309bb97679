//! JavaScript lockfile throughput on the largest lockfile of the shared corpus (a plain harness).
//!
//! Run: `SOVEREIGN_CORPUS=../shared/corpus cargo bench --bench npm`
//! Prints MB/s for the JSON pass alone, for the whole package-lock reading (JSON + Node resolution of
//! every edge), and for the yarn.lock and pnpm-lock.yaml readers on their corpus files.

use std::path::{Path, PathBuf};

use sovereign::resolve::npm::{graph, json, package_lock, pnpm, yarn};
use sovereign::source::SourceTree;

mod common;
use common::measure;

fn find(dir: &Path, names: &[&str], out: &mut Vec<(u64, PathBuf)>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            find(&p, names, out);
        } else if p.file_name().and_then(|n| n.to_str()).is_some_and(|n| names.contains(&n)) {
            out.push((e.metadata().map(|m| m.len()).unwrap_or(0), p));
        }
    }
}

fn main() {
    let Some(corpus) = std::env::var_os("SOVEREIGN_CORPUS").map(PathBuf::from) else {
        eprintln!("SOVEREIGN_CORPUS is not set; nothing to measure");
        return;
    };
    let mut locks = Vec::new();
    find(&corpus, &["package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"], &mut locks);
    locks.sort();
    let Some((size, largest)) = locks.last().cloned() else {
        eprintln!("no JavaScript lockfile in the corpus");
        return;
    };
    println!("largest JavaScript lockfile: {} ({size} bytes)", largest.display());
    let tree = SourceTree::walk(largest.parent().unwrap());
    for (_, path) in &locks {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let label = path.strip_prefix(&corpus).unwrap_or(path).display().to_string();
        match name {
            "yarn.lock" => measure(&format!("{label}: yarn.lock read"), text.len(), || {
                let mut d = Vec::new();
                let lock = yarn::parse(&text, "yarn.lock", &mut d);
                yarn::graph(&lock, "yarn.lock", &[], &mut d).pkgs.len()
            }),
            "pnpm-lock.yaml" => measure(&format!("{label}: pnpm-lock.yaml read"), text.len(), || {
                let mut d = Vec::new();
                pnpm::read(&text, "pnpm-lock.yaml", &tree, &mut d).map(|r| r.graph.pkgs.len()).unwrap_or(0)
            }),
            _ => {
                measure(&format!("{label}: JSON pass alone"), text.len(), || match json::parse(&text) {
                    Ok(n) => n.get("packages").map(|p| p.members().len()).unwrap_or(0),
                    Err(_) => 0,
                });
                measure(&format!("{label}: package-lock read (JSON + edges)"), text.len(), || {
                    let mut d = Vec::new();
                    package_lock::read(&text, "package-lock.json", &tree, None, &mut d)
                        .map(|r| r.graph.pkgs.len())
                        .unwrap_or(0)
                });
                measure(&format!("{label}: package-lock to components and edges"), text.len(), || {
                    let mut d = Vec::new();
                    let mut out = sovereign::resolve::Resolution::default();
                    if let Ok(r) = package_lock::read(&text, "package-lock.json", &tree, None, &mut d) {
                        graph::finish(r.graph, "package-lock.json", &tree, &mut out);
                    }
                    out.components.len()
                });
            }
        }
    }
}
