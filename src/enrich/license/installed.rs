//! Licence texts of packages installed on disk: `node_modules/<name>`, a virtual environment's
//! `*.dist-info`, the local cargo registry cache (with `--cargo-metadata`). Read directly (the walk skips
//! these trees), never through symlinks, capped in size, and only when the installed version is the
//! component's version.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::detect;
use super::stage::{detect_one, parent, LicenseFile, MAX_INSTALLED_FILE};
use super::{Aliases, LicenseOptions};
use crate::model::{Component, Ecosystem, LicenseValue, SourceKind};

/// Where packages may be installed, looked up once per directory for all the components of a scan: most
/// components of a lockfile are installed nowhere in the tree, and asking the file system about each of
/// them costs a `stat` apiece (1,674 for axios' lockfile).
#[derive(Default)]
pub(super) struct Probe {
    node_modules: HashMap<String, bool>,
}

impl Probe {
    /// Whether `base/node_modules` is a directory.
    fn has_node_modules(&mut self, root: &Path, base: &str) -> bool {
        if let Some(&known) = self.node_modules.get(base) {
            return known;
        }
        let known = root.join(base).join("node_modules").is_dir();
        self.node_modules.insert(base.to_string(), known);
        known
    }
}

/// Licence files of a package installed on disk: `node_modules/<name>`, a virtual environment's
/// `*.dist-info`, the local cargo registry cache (with `--cargo-metadata`). Only when the installed
/// version is the component's version.
pub(super) fn installed_license_files(
    c: &Component,
    root: &Path,
    opts: &LicenseOptions,
    aliases: &Aliases,
    probe: &mut Probe,
) -> Vec<LicenseFile> {
    let Some(version) = c.version.as_deref() else { return Vec::new() };
    let mut dirs: Vec<(PathBuf, String)> = Vec::new();
    match c.ecosystem {
        Ecosystem::Npm => {
            let name = match &c.namespace {
                Some(ns) => format!("@{}/{}", ns.trim_start_matches('@'), c.name),
                None => c.name.clone(),
            };
            let mut bases: BTreeSet<String> =
                c.found_in.iter().map(|l| parent(&l.path).to_string()).collect();
            bases.insert(String::new());
            for base in bases.into_iter().filter(|b| probe.has_node_modules(root, b)) {
                let rel = if base.is_empty() {
                    format!("node_modules/{name}")
                } else {
                    format!("{base}/node_modules/{name}")
                };
                let dir = root.join(&rel);
                if inside(root, &dir) && installed_npm_version(&dir).as_deref() == Some(version) {
                    dirs.push((dir, rel));
                    break;
                }
            }
        }
        Ecosystem::Pypi => {
            for venv in [".venv", "venv", "env", ".env"] {
                let venv = root.join(venv);
                if !inside(root, &venv) {
                    continue;
                }
                for sp in site_packages(&venv).into_iter().filter(|sp| inside(root, sp)) {
                    let Ok(rd) = std::fs::read_dir(&sp) else { continue };
                    let mut found: Vec<_> = rd
                        .flatten()
                        .filter(|e| {
                            let n = e.file_name().to_string_lossy().to_string();
                            n.strip_suffix(".dist-info")
                                .and_then(|stem| stem.rsplit_once('-'))
                                .is_some_and(|(name, ver)| pep503(name) == pep503(&c.name) && ver == version)
                        })
                        .map(|e| e.path())
                        .collect();
                    found.sort();
                    for p in found {
                        let rel = p.strip_prefix(root).map(|r| r.display().to_string()).unwrap_or_default();
                        dirs.push((p, rel));
                    }
                }
            }
        }
        Ecosystem::Cargo if opts.cargo_registry => dirs.extend(cargo_registry_dir(c)),
        _ => {}
    }
    let mut out = Vec::new();
    for (dir, rel) in dirs {
        let mut names: Vec<(PathBuf, String)> = Vec::new();
        for sub in ["", "licenses", "LICENSES"] {
            let d = if sub.is_empty() { dir.clone() } else { dir.join(sub) };
            let Ok(rd) = std::fs::read_dir(&d) else { continue };
            for e in rd.flatten() {
                let n = e.file_name().to_string_lossy().to_string();
                if sub.is_empty() && !detect::is_license_file_name(&n) {
                    continue;
                }
                let r = if sub.is_empty() { format!("{rel}/{n}") } else { format!("{rel}/{sub}/{n}") };
                names.push((e.path(), r));
            }
        }
        names.sort_by(|a, b| a.1.cmp(&b.1));
        for (p, r) in names {
            if let Some(text) = read_capped(&p) {
                out.push(detect_one(r, &text, opts.floor, aliases));
            }
        }
    }
    out
}

/// The unpacked crate in the local cargo registry cache (`$CARGO_HOME/registry/src/<index>/<name>-<version>`).
fn cargo_registry_dir(c: &Component) -> Option<(PathBuf, String)> {
    let version = c.version.as_deref()?;
    if matches!(c.source, Some(SourceKind::Local) | Some(SourceKind::Path { .. })) {
        return None;
    }
    let rd = std::fs::read_dir(cargo_home()?.join("registry").join("src")).ok()?;
    let mut idx: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    idx.sort();
    idx.into_iter().map(|i| i.join(format!("{}-{version}", c.name))).find(|d| d.is_dir()).map(|d| {
        let rel = format!("cargo-registry:{}-{version}", c.name);
        (d, rel)
    })
}

/// The `license` of a crate's own Cargo.toml in the local registry cache, read as data.
pub(super) fn cargo_registry_license(c: &Component) -> Option<LicenseValue> {
    let (dir, rel) = cargo_registry_dir(c)?;
    let text = read_capped(&dir.join("Cargo.toml"))?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    let license = table.get("package")?.get("license")?.as_str()?;
    Some(LicenseValue::declared(license, format!("{rel}/Cargo.toml")))
}

/// Whether a directory (after resolving links: pnpm links `node_modules/<name>` into `.pnpm/`) stays
/// inside the scanned tree. A link that leaves the tree is not followed.
/// A directory that does not exist answers `false` after one `stat` (most components of a lockfile are
/// not installed in the tree; resolving both paths costs a `readlink` per path component).
fn inside(root: &Path, dir: &Path) -> bool {
    if !dir.is_dir() {
        return false;
    }
    match (std::fs::canonicalize(root), std::fs::canonicalize(dir)) {
        (Ok(r), Ok(d)) => d.starts_with(r),
        _ => false,
    }
}

fn installed_npm_version(dir: &Path) -> Option<String> {
    let text = read_capped(&dir.join("package.json"))?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v.get("version")?.as_str().map(str::to_string)
}

fn site_packages(venv: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let win = venv.join("Lib").join("site-packages");
    if win.is_dir() {
        out.push(win);
    }
    if let Ok(rd) = std::fs::read_dir(venv.join("lib")) {
        let mut v: Vec<PathBuf> =
            rd.flatten().map(|e| e.path().join("site-packages")).filter(|p| p.is_dir()).collect();
        v.sort();
        out.extend(v);
    }
    out
}

/// PEP 503 normalisation, with `_` as dist-info directories spell it.
fn pep503(name: &str) -> String {
    let mut out = String::new();
    let mut sep = false;
    for ch in name.chars() {
        if ch == '-' || ch == '_' || ch == '.' {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('_');
            }
            sep = false;
            out.extend(ch.to_lowercase());
        }
    }
    out
}

fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
}

/// A regular file (not a symlink) under the size cap, as text.
fn read_capped(p: &Path) -> Option<String> {
    let meta = std::fs::symlink_metadata(p).ok()?;
    if !meta.is_file() || meta.len() > MAX_INSTALLED_FILE {
        return None;
    }
    std::fs::read(p).ok().map(|b| String::from_utf8_lossy(&b).into_owned())
}
