//! Build step: the origin knowledge base's YAML files (`rules/origins/{orgs,signals,weights}.yaml`, the one
//! source of truth that people edit) are converted to JSON in `OUT_DIR`, which the binary embeds instead:
//! parsing 130 KB of YAML was most of a small scan's fixed cost (40 M instructions; JSON: about a tenth).
//! Nothing is downloaded and nothing of a scanned repository is involved. A malformed file fails the build
//! with its name and the parser's line and column.

use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for name in ["orgs", "signals", "weights"] {
        let src = format!("rules/origins/{name}.yaml");
        println!("cargo:rerun-if-changed={src}");
        let text = std::fs::read_to_string(&src).unwrap_or_else(|e| panic!("{src}: {e}"));
        let value: serde_json::Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{src}: {e}"));
        let json = serde_json::to_vec(&value).expect("a JSON value serialises");
        std::fs::write(out.join(format!("{name}.json")), json).unwrap_or_else(|e| panic!("{src}: {e}"));
    }
    println!("cargo:rerun-if-changed=build.rs");
}
