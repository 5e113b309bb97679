//! Python and Go resolver throughput on the largest lockfiles of the shared corpus (plain harness).
//!
//! Run: `SOVEREIGN_CORPUS=../shared/corpus cargo bench --bench python_go`
//! Prints packages/s and MB/s for each parser alone (poetry.lock 200 KB, uv.lock 165 KB, go.sum 86 KB,
//! go.mod) and for a whole-tree scan of each corpus project.

use std::path::{Path, PathBuf};

mod common;
use common::measure;

fn scan(label: &str, root: &Path, bytes: usize) {
    let checkout = sovereign::source::Checkout {
        root: root.to_path_buf(),
        subject: Default::default(),
        gitlinks: Vec::new(),
        cloned: false,
        notes: Vec::new(),
    };
    measure(label, bytes, || sovereign::scan_checkout(&checkout, false).components.len());
}

fn main() {
    let corpus = match std::env::var_os("SOVEREIGN_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => {
            eprintln!("SOVEREIGN_CORPUS is not set; nothing to measure");
            return;
        }
    };
    let poetry_dir = corpus.join("python/python-poetry__poetry");
    let uv_dir = corpus.join("rust/astral-sh__uv/scripts/benchmark");
    let go_dir = corpus.join("go/gohugoio__hugo");
    let read = |p: PathBuf| std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));

    let poetry = read(poetry_dir.join("poetry.lock"));
    println!("poetry.lock: {} bytes", poetry.len());
    measure("poetry.lock parse", poetry.len(), || {
        let mut d = Vec::new();
        sovereign::resolve::python::parse_poetry_lock(&poetry, "poetry.lock", &mut d).unwrap().packages.len()
    });
    let uv = read(uv_dir.join("uv.lock"));
    println!("uv.lock: {} bytes", uv.len());
    measure("uv.lock parse", uv.len(), || {
        let mut d = Vec::new();
        sovereign::resolve::python::parse_uv_lock(&uv, "uv.lock", "", &mut d).unwrap().packages.len()
    });
    let sum = read(go_dir.join("go.sum"));
    println!("go.sum: {} bytes", sum.len());
    measure("go.sum parse", sum.len(), || {
        let mut d = Vec::new();
        sovereign::resolve::golang::parse_sum(&sum, "go.sum", &mut d).len()
    });
    let gomod = read(go_dir.join("go.mod"));
    measure("go.mod parse", gomod.len(), || {
        let mut d = Vec::new();
        sovereign::resolve::golang::parse_mod(&gomod, "go.mod", &mut d).requires.len()
    });
    let size = |dir: &Path, files: &[&str]| {
        files
            .iter()
            .map(|f| std::fs::metadata(dir.join(f)).map(|m| m.len() as usize).unwrap_or(0))
            .sum::<usize>()
    };
    scan(
        "whole-tree scan, poetry project",
        &poetry_dir,
        size(&poetry_dir, &["poetry.lock", "pyproject.toml"]),
    );
    scan("whole-tree scan, uv benchmark project", &uv_dir, size(&uv_dir, &["uv.lock", "pyproject.toml"]));
    scan("whole-tree scan, hugo", &go_dir, size(&go_dir, &["go.mod", "go.sum"]));
}
