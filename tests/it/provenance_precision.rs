//! Labelled precision of the provenance stage on real repositories (issue 14): an `#[ignore]` harness.
//!
//! Run: `SOVEREIGN_PRECISION_REPOS=/work/repos cargo test --test it provenance_precision -- --ignored
//! --nocapture`, with one checkout per entry of `tests/data/provenance-precision/labels.json`
//! (`<dir>` = `owner__name`, at the labelled commit). Only labels and commits are committed, never code.
//!
//! Per repository: first-party directories called vendored (vendored-source components covering no
//! labelled third-party path), code fragments taken as holders, test/example/docs components in runtime
//! scope (every path of the component under a labelled test/example/docs tree), and the recall of the
//! labelled third-party paths (each must be covered by a vendored-source component, in any scope).

use std::path::Path;

use serde_json::Value;
use sovereign::model::{Component, ComponentKind, EvidenceKind, Scope};

use crate::support;

/// A labelled path pattern: `*` matches one path segment, a leading `**/` any directories; a pattern
/// covers its whole subtree.
fn under(path: &str, pattern: &str) -> bool {
    if let Some(rest) = pattern.strip_prefix("**/") {
        let mut tail = path;
        loop {
            if under(tail, rest) {
                return true;
            }
            match tail.find('/') {
                Some(i) => tail = &tail[i + 1..],
                None => return false,
            }
        }
    }
    let (mut p, mut q) = (path.split('/'), pattern.trim_end_matches('/').split('/'));
    loop {
        match (q.next(), p.next()) {
            (None, _) => return true,
            (Some(_), None) => return false,
            (Some(a), Some(b)) => {
                if a != "*" && a != b {
                    return false;
                }
            }
        }
    }
}

fn paths(c: &Component) -> Vec<String> {
    let mut v: Vec<String> = c.found_in.iter().map(|l| l.path.clone()).collect();
    v.extend(c.occurrences.iter().map(|o| o.location.path.clone()));
    v
}

fn root(c: &Component) -> Option<&str> {
    c.id.strip_prefix("local:vendored-source:")
}

/// Code punctuation no person or organisation name carries.
fn code_like(h: &str) -> bool {
    h.contains(['"', '`', '{', '}', '[', ']', ';', '=', '<', '>', '\\', '|', '$'])
        || ["::", "=>", "))", ").", "()"].iter().any(|p| h.contains(p))
}

#[test]
#[ignore = "needs checkouts of the labelled repositories (SOVEREIGN_PRECISION_REPOS)"]
fn provenance_precision() {
    let Ok(dir) = std::env::var("SOVEREIGN_PRECISION_REPOS") else {
        panic!("set SOVEREIGN_PRECISION_REPOS to a directory of checkouts");
    };
    let labels_file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/provenance-precision/labels.json");
    let labels: Value = serde_json::from_str(&std::fs::read_to_string(labels_file).unwrap()).unwrap();
    let verbose = std::env::var_os("SOVEREIGN_PRECISION_VERBOSE").is_some();
    let strs = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    println!("| repository | vendored components | first-party called vendored | code fragments as holders | test/example/docs in runtime | third-party recall |");
    println!("|---|---|---|---|---|---|");
    let (mut fp_total, mut frag_total, mut role_total, mut missed_total) = (0, 0, 0, 0);
    for r in labels["repos"].as_array().unwrap() {
        let name = r["dir"].as_str().unwrap();
        let checkout = Path::new(&dir).join(name);
        assert!(checkout.is_dir(), "missing checkout {}", checkout.display());
        let third = strs(&r["third_party"]);
        let roles = strs(&r["role_trees"]);
        let inv = support::scan_dir(&checkout);
        let vendored: Vec<&Component> =
            inv.components.iter().filter(|c| c.kind == ComponentKind::VendoredSource).collect();
        // A component covers a labelled path when its directory is in it (or holds it), or, for the
        // tree root (a holder spread over many directories), when one of its notices lies in it.
        let covers = |c: &Component, l: &str| match root(c) {
            Some("(root)") => paths(c).iter().any(|p| under(p, l)),
            Some(r) => under(r, l) || under(l, r),
            None => false,
        };
        // A first-party directory called vendored: a runtime component whose directory is no labelled
        // third-party path, or, at the tree root, one with a notice outside every labelled path.
        let first_party = |c: &Component| match root(c) {
            Some("(root)") => paths(c).iter().any(|p| !third.iter().any(|l| under(p, l))),
            _ => !third.iter().any(|l| covers(c, l)),
        };
        let fp: Vec<&str> = vendored
            .iter()
            .filter(|c| first_party(c))
            .filter(|c| c.scope == Scope::Runtime)
            .map(|c| c.id.as_str())
            .collect();
        let mut holders: Vec<String> = inv.provenance.own_holders.iter().map(|h| h.holder.clone()).collect();
        for c in &inv.components {
            holders.extend(
                c.origin
                    .evidence
                    .iter()
                    .filter(|e| e.kind == EvidenceKind::CopyrightHolder)
                    .map(|e| e.value.clone()),
            );
        }
        let frags: Vec<&String> = holders.iter().filter(|h| code_like(h)).collect();
        let role_runtime: Vec<&str> = inv
            .components
            .iter()
            .filter(|c| matches!(c.kind, ComponentKind::VendoredSource | ComponentKind::MlModel))
            .filter(|c| c.scope == Scope::Runtime)
            .filter(|c| {
                let ps = paths(c);
                !ps.is_empty() && ps.iter().all(|p| roles.iter().any(|t| under(p, t)))
            })
            .map(|c| c.id.as_str())
            .collect();
        let missed: Vec<&String> = third.iter().filter(|l| !vendored.iter().any(|c| covers(c, l))).collect();
        println!(
            "| {} | {} | {} | {} | {} | {}/{} |",
            r["repo"].as_str().unwrap(),
            vendored.len(),
            fp.len(),
            frags.len(),
            role_runtime.len(),
            third.len() - missed.len(),
            third.len()
        );
        if verbose || !(fp.is_empty() && frags.is_empty() && role_runtime.is_empty() && missed.is_empty()) {
            for c in &vendored {
                println!(
                    "    {} [{}] {}",
                    c.id,
                    c.scope.as_str(),
                    c.properties.get("provenance:holders").map(String::as_str).unwrap_or("")
                );
            }
            println!("    first-party called vendored: {fp:?}\n    fragments: {frags:?}\n    role in runtime: {role_runtime:?}\n    missed: {missed:?}");
        }
        fp_total += fp.len();
        frag_total += frags.len();
        role_total += role_runtime.len();
        missed_total += missed.len();
    }
    assert_eq!((fp_total, frag_total, role_total, missed_total), (0, 0, 0, 0));
}
