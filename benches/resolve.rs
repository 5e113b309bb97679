//! Resolver throughput on the largest lockfile of the shared corpus (a plain harness, no criterion).
//!
//! Run: `SOVEREIGN_CORPUS=../shared/corpus cargo bench --bench resolve`
//! Prints packages/s and MB/s for the Cargo.lock parser alone and for a whole-tree scan.

use std::path::PathBuf;

mod common;
use common::measure;

fn main() {
    let corpus = match std::env::var_os("SOVEREIGN_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => {
            eprintln!("SOVEREIGN_CORPUS is not set; nothing to measure");
            return;
        }
    };
    // The largest Cargo.lock of the corpus.
    let mut locks: Vec<(u64, PathBuf)> = Vec::new();
    let mut stack = vec![corpus.join("rust")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "Cargo.lock") {
                locks.push((e.metadata().map(|m| m.len()).unwrap_or(0), p));
            }
        }
    }
    locks.sort();
    let Some((size, largest)) = locks.pop() else {
        eprintln!("no Cargo.lock in the corpus");
        return;
    };
    let text = std::fs::read_to_string(&largest).unwrap();
    println!("largest Cargo.lock: {} ({} bytes)", largest.display(), size);
    measure("Cargo.lock parse", text.len(), || {
        let mut d = Vec::new();
        sovereign::resolve::cargo::parse_lock(&text, "Cargo.lock", &mut d).unwrap().packages.len()
    });
    let root = largest.parent().unwrap().to_path_buf();
    let bytes: usize = walk_size(&root);
    let checkout = sovereign::source::Checkout {
        root: root.clone(),
        subject: Default::default(),
        gitlinks: Vec::new(),
        cloned: false,
        notes: Vec::new(),
    };
    measure("whole-tree scan (walk + all manifests + normalise)", bytes, || {
        sovereign::scan_checkout(&checkout, false).components.len()
    });
}

fn walk_size(dir: &std::path::Path) -> usize {
    let mut total = 0;
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            total += walk_size(&p);
        } else if p.file_name().is_some_and(|n| n == "Cargo.lock" || n == "Cargo.toml") {
            total += e.metadata().map(|m| m.len() as usize).unwrap_or(0);
        }
    }
    total
}
