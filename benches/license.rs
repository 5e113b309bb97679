//! Licence stage throughput (a plain harness, no criterion).
//!
//! Run: `SOVEREIGN_CORPUS=../shared/corpus cargo bench --bench license`
//! Prints declared strings normalised per second, and licence files detected per second on the corpus's
//! licence texts (the spdx store is loaded once, before timing).

use std::path::PathBuf;

use sovereign::enrich::license::{detect, normalise, Aliases};

mod common;
use common::measure;

fn main() {
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
    let _ = detect::detect_text("warm up: load the store", 0.9);
    measure("detect the corpus's licence files", 0, || {
        texts
            .iter()
            .map(|t| detect::detect_text(t, detect::DEFAULT_FLOOR).len())
            .sum::<usize>()
            .max(texts.len())
    });
}
