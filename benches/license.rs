//! Licence stage throughput (a plain harness, no criterion).
//!
//! Run: `SOVEREIGN_CORPUS=../shared/corpus cargo bench --bench license`
//! Prints declared strings normalised per second; licence files detected per second on the corpus's
//! licence texts, with our n-gram store (`ngram_store.rs`) and, before it, with the spdx crate's store (each
//! decoded once, before timing); and, in a fresh child process each, the first call's latency (store decode
//! included) and the process's peak RSS when detecting one text the fast path does not know (ripgrep's
//! `COPYING`), both ways.

use std::path::PathBuf;
use std::time::Instant;

use sovereign::enrich::license::{detect, normalise, Aliases};

mod common;
use common::measure;

/// The child: detects one file (`ours` or `spdx`) and prints the first call's latency and the peak RSS.
fn child(spec: &str) {
    let (how, path) = spec.split_once(':').unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let start = Instant::now();
    let found = match how {
        // The text misses the fast path (checked below): the spdx store's scan alone.
        "spdx" => detect::detect_text_spdx(&text, 0.9),
        _ => detect::detect_text(&text, 0.9),
    };
    let ms = start.elapsed().as_secs_f64() * 1e3;
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm = status.lines().find(|l| l.starts_with("VmHWM")).unwrap_or("VmHWM: ?").split_whitespace().nth(1);
    let ids: Vec<&str> = found.iter().map(|d| d.id.as_str()).collect();
    println!("  {how:4}: first call {ms:.1} ms, peak RSS {} kB, found {ids:?}", hwm.unwrap_or("?"));
}

fn main() {
    if let Ok(spec) = std::env::var("SOVEREIGN_BENCH_LICENSE_CHILD") {
        return child(&spec);
    }
    let strings = [
        "MIT",
        "MIT/Apache-2.0",
        "Apache License, Version 2.0",
        "GPLv3+",
        "BSD",
        "(MIT OR Apache-2.0) AND Unicode-3.0",
        "License :: OSI Approved :: MIT License",
        "http://www.apache.org/licenses/LICENSE-2.0.txt",
        "Foo License",
        "Apache-2.0 WITH LLVM-exception",
    ];
    let aliases = Aliases::builtin();
    measure("normalise 1000 declared strings", 0, || {
        let mut n = 0;
        for _ in 0..100 {
            for s in strings {
                let _ = normalise(s, aliases);
                n += 1;
            }
        }
        n
    });
    let Some(corpus) = std::env::var_os("SOVEREIGN_CORPUS").map(PathBuf::from) else {
        eprintln!("SOVEREIGN_CORPUS is not set; detection not measured");
        return;
    };
    let mut texts = Vec::new();
    let mut stack = vec![corpus];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().to_string();
            if p.is_dir() {
                stack.push(p);
            } else if detect::is_license_file_name(&name) {
                texts.push(String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned());
            }
        }
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    println!("{} licence files, {} bytes", texts.len(), bytes);
    let copying = corpus_file("rust/BurntSushi__ripgrep/COPYING");
    if detect::fast_path(&std::fs::read_to_string(&copying).unwrap(), 0.9).is_some() {
        eprintln!("{} takes the fast path: pick another file", copying.display());
    }
    println!("one text the fast path does not know ({}), each in a fresh process:", copying.display());
    for how in ["ours", "spdx"] {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .env("SOVEREIGN_BENCH_LICENSE_CHILD", format!("{how}:{}", copying.display()))
            .output()
            .unwrap();
        print!("{}", String::from_utf8_lossy(&out.stdout));
    }
    let _ = detect::detect_text_slow("warm up: load our store", 0.9);
    let _ = detect::detect_text_spdx("warm up: load the spdx store", 0.9);
    // Each detector: how many licences it finds in one text (each text counts at least once).
    const F: f32 = detect::DEFAULT_FLOOR;
    type Detector = fn(&str) -> usize;
    let detectors: [(&str, Detector); 4] = [
        ("detect the corpus's licence files (our store)", |t| detect::detect_text(t, F).len()),
        ("detect the corpus's licence files (before: the spdx store)", |t| {
            detect::fast_path(t, F).map(|_| 1).unwrap_or_else(|| detect::detect_text_spdx(t, F).len())
        }),
        ("detect the corpus's licence files, no fast path (our store)", |t| {
            detect::detect_text_slow(t, F).len()
        }),
        ("detect the corpus's licence files, no fast path (before: the spdx store)", |t| {
            detect::detect_text_spdx(t, F).len()
        }),
    ];
    for (label, detector) in detectors {
        measure(label, 0, || texts.iter().map(|t| detector(t)).sum::<usize>().max(texts.len()));
    }
}

fn corpus_file(rel: &str) -> PathBuf {
    PathBuf::from(std::env::var_os("SOVEREIGN_CORPUS").unwrap()).join(rel)
}
