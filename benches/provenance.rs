//! Provenance-stage throughput on a generated tree of 100,000 files (a plain harness, no criterion).
//!
//! Run: `cargo bench --bench provenance` (optional: `SOVEREIGN_BENCH_FILES=N` for another size;
//! `SOVEREIGN_BENCH_GITIGNORES=1` adds a `.gitignore` to every directory, with a negation and an anchored
//! and a directory-only line, as in repositories that vendor other projects).
//! Prints files/s and MB/s for the tree walk alone, `.gitignore` matching alone, the provenance stage
//! alone, and a whole scan.
//! The tree is generated in a temporary directory: 1,000 directories of 100 files, mostly ~1 KB Python
//! and JSON files; 10 % carry the project's own notice, 1 % a foreign one, 0.5 % a model reference, and
//! one directory in 100 is a vendored tree. The file cache is warm after generation (a second scan of a
//! fresh clone would see the same).

use std::path::Path;
use std::time::Instant;

fn generate(root: &Path, files: usize, gitignores: bool) -> u64 {
    let mut bytes = 0u64;
    std::fs::write(root.join("LICENSE"), "Copyright 2025 Hanbit AI Lab\n").unwrap();
    std::fs::write(root.join(".gitignore"), "build/\n*.log\n").unwrap();
    let body = "def f(x):\n    return x * 2  # arithmetic that does nothing interesting at all\n".repeat(12);
    let per_dir = 100;
    for i in 0..files {
        let d = i / per_dir;
        let dir =
            if d % 100 == 7 { format!("third_party/lib{d}") } else { format!("pkg{:03}/mod{d}", d % 37) };
        let dir = root.join(dir);
        if i % per_dir == 0 {
            std::fs::create_dir_all(&dir).unwrap();
            if gitignores {
                std::fs::write(dir.join(".gitignore"), "*.tmp\n!keep.tmp\n/cache/\nout/\n*.o\n").unwrap();
            }
        }
        let (name, text) = match i % 200 {
            0 => (format!("f{i}.py"), format!("# Copyright 2024 Zhipu AI\n{body}")),
            1 => {
                (format!("f{i}.py"), format!("m = AutoModel.from_pretrained(\"Qwen/Qwen2.5-{i}B\")\n{body}"))
            }
            2..=21 => (format!("f{i}.py"), format!("# Copyright 2025 Hanbit AI Lab\n{body}")),
            22..=60 => (
                format!("c{i}.json"),
                format!("{{\"name\": \"x{i}\", \"values\": [1, 2, 3], \"text\": \"{}\"}}\n", "y".repeat(900)),
            ),
            _ => (format!("f{i}.py"), body.clone()),
        };
        bytes += text.len() as u64;
        std::fs::write(dir.join(name), text).unwrap();
    }
    bytes
}

fn report(label: &str, secs: f64, files: usize, bytes: u64) {
    println!(
        "{label}: {:.3} s, {:.0} files/s, {:.1} MB/s",
        secs,
        files as f64 / secs,
        bytes as f64 / secs / 1e6
    );
}

fn main() {
    let files: usize =
        std::env::var("SOVEREIGN_BENCH_FILES").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let tmp = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let gitignores = std::env::var_os("SOVEREIGN_BENCH_GITIGNORES").is_some();
    let bytes = generate(tmp.path(), files, gitignores);
    println!("generated {files} files ({:.1} MB) in {:.1} s", bytes as f64 / 1e6, t.elapsed().as_secs_f64());
    let opts = sovereign::provenance::Options { history: false, ..Default::default() };
    for run in 1..=3 {
        let t = Instant::now();
        let tree = sovereign::source::SourceTree::walk(tmp.path());
        let walk = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let mut ig = sovereign::provenance::ignore::Ignore::default();
        for f in tree.named(".gitignore") {
            ig.add(f.dir(), &tree.read_text(&f.path).unwrap());
        }
        let ignored = tree.files().iter().filter(|f| ig.is_ignored(&f.path)).count();
        let matching = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let out = sovereign::provenance::scan(&tree, &opts);
        let stage = t.elapsed().as_secs_f64();
        println!(
            "run {run}: {} files walked, {} read ({} bytes), {} components",
            tree.files().len(),
            out.summary.files_scanned,
            out.summary.bytes_scanned,
            out.components.len()
        );
        report("  walk", walk, tree.files().len(), bytes);
        println!(
            "  .gitignore matching ({} files, {ignored} ignored): {matching:.3} s, {:.0} files/s",
            tree.files().len(),
            tree.files().len() as f64 / matching
        );
        report("  provenance stage", stage, out.summary.files_scanned as usize, out.summary.bytes_scanned);
        report("  walk + stage", walk + stage, tree.files().len(), bytes);
    }
    let checkout = sovereign::source::Checkout {
        root: tmp.path().to_path_buf(),
        subject: Default::default(),
        gitlinks: Vec::new(),
        cloned: false,
        notes: Vec::new(),
    };
    let t = Instant::now();
    let inv = sovereign::scan_checkout(&checkout, false);
    report(
        "whole scan_checkout (walk, resolvers, provenance, normalise)",
        t.elapsed().as_secs_f64(),
        files,
        bytes,
    );
    println!("{} components in the inventory", inv.components.len());
}
