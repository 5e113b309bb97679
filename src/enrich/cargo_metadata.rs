//! Opt-in `--cargo-metadata`: asks the local cargo for licence, authors and repository of locked crates.
//!
//! This is the one mode that runs a program, so it is isolated from the scanned repository: cargo runs in
//! an empty temporary directory (so neither the repository's `.cargo/config.toml` — which could set
//! `build.rustc-wrapper` — nor its `rust-toolchain.toml` is read), with a temporary `CARGO_HOME` that
//! holds only links to the user's registry and git caches (no user config, no credentials), and with
//! `--offline --locked` so nothing is fetched and the lockfile is not rewritten. `cargo metadata` runs no
//! build scripts.

use std::collections::HashMap;
use std::path::Path;

use crate::model::{Diagnostic, Ecosystem, Inventory, LicenseValue};

/// Adds licence, authors, repository, homepage and description to the cargo components of `inv` for
/// every workspace manifest in `manifests` (paths relative to `root`). Failures become warnings.
pub fn enrich(inv: &mut Inventory, root: &Path, manifests: &[String]) {
    let Ok(sandbox) = tempfile::tempdir() else {
        inv.diagnostics
            .push(Diagnostic::warning("cargo-metadata-failed", "cannot create a temporary directory"));
        return;
    };
    let cargo_home = sandbox.path().join("cargo-home");
    let work = sandbox.path().join("work");
    if std::fs::create_dir_all(&cargo_home).and_then(|_| std::fs::create_dir_all(&work)).is_err() {
        inv.diagnostics
            .push(Diagnostic::warning("cargo-metadata-failed", "cannot prepare the isolated CARGO_HOME"));
        return;
    }
    let user_home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));
    if let Some(home) = user_home {
        for sub in ["registry", "git"] {
            let src = home.join(sub);
            if src.is_dir() {
                #[cfg(unix)]
                let _ = std::os::unix::fs::symlink(&src, cargo_home.join(sub));
            }
        }
    }
    let mut facts: HashMap<(String, String), cargo_metadata::Package> = HashMap::new();
    for rel in manifests {
        let manifest = root.join(rel);
        let result = cargo_metadata::MetadataCommand::new()
            .manifest_path(&manifest)
            .current_dir(&work)
            .env("CARGO_HOME", &cargo_home)
            .env_remove("RUSTC_WRAPPER")
            .env_remove("RUSTC_WORKSPACE_WRAPPER")
            .env_remove("CARGO_BUILD_RUSTC_WRAPPER")
            .env_remove("RUSTC")
            .env_remove("CARGO_TARGET_DIR")
            .env("CARGO_NET_OFFLINE", "true")
            .other_options(vec!["--offline".to_string(), "--locked".to_string()])
            .exec();
        match result {
            Ok(md) => {
                for p in md.packages {
                    facts.insert((p.name.to_string(), p.version.to_string()), p);
                }
            }
            Err(e) => {
                let msg = e.to_string();
                let first =
                    msg.lines().find(|l| l.contains("error")).unwrap_or(msg.lines().next().unwrap_or(""));
                inv.diagnostics.push(
                    Diagnostic::warning(
                        "cargo-metadata-failed",
                        format!(
                            "`cargo metadata --offline --locked` failed; licences stay unknown: {}",
                            first.trim()
                        ),
                    )
                    .at(rel.clone(), None),
                );
            }
        }
    }
    for c in inv.components.iter_mut().filter(|c| c.ecosystem == Ecosystem::Cargo) {
        let Some(v) = &c.version else { continue };
        let Some(p) = facts.get(&(c.name.clone(), v.clone())) else { continue };
        if c.license.declared.is_none() {
            if let Some(l) = &p.license {
                c.license.declared = Some(LicenseValue::declared(l, "cargo-metadata"));
            }
        }
        if c.authors.is_empty() {
            c.authors = p.authors.clone();
        }
        c.repository = c.repository.take().or_else(|| p.repository.clone());
        c.homepage = c.homepage.take().or_else(|| p.homepage.clone());
        c.description = c.description.take().or_else(|| p.description.clone());
    }
}
