//! Installed distributions inside the scanned tree (a committed virtual environment, a vendored
//! `site-packages`): `*.dist-info/METADATA` and `*.egg-info/PKG-INFO`, read as RFC 822 headers. Nothing
//! is imported.

use std::collections::BTreeMap;

use crate::model::{
    Component, ComponentKind, Diagnostic, Ecosystem, Edge, EdgeKind, LicenseValue, Location, SourceKind,
};
use crate::resolve::Resolution;
use crate::source::SourceTree;

use super::pep508::{self, normalize};

/// The headers of a metadata file (repeated headers keep every value), with the line of the first.
#[derive(Debug, Default)]
pub struct Metadata {
    pub fields: BTreeMap<String, Vec<(u32, String)>>,
}

impl Metadata {
    pub fn first(&self, key: &str) -> Option<&str> {
        self.fields.get(&key.to_ascii_lowercase()).and_then(|v| v.first()).map(|(_, s)| s.as_str())
    }
    pub fn all(&self, key: &str) -> impl Iterator<Item = &str> {
        self.fields.get(&key.to_ascii_lowercase()).into_iter().flatten().map(|(_, s)| s.as_str())
    }
    pub fn line(&self, key: &str) -> Option<u32> {
        self.fields.get(&key.to_ascii_lowercase()).and_then(|v| v.first()).map(|(l, _)| *l)
    }
}

/// Reads the header block (up to the first empty line); continuation lines start with whitespace.
pub fn parse(text: &str) -> Metadata {
    let mut m = Metadata::default();
    let mut last: Option<String> = None;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(k) = &last {
                if let Some((_, v)) = m.fields.get_mut(k).and_then(|v| v.last_mut()) {
                    v.push('\n');
                    v.push_str(line.trim());
                }
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            let k = k.trim().to_ascii_lowercase();
            m.fields.entry(k.clone()).or_default().push((i as u32 + 1, v.trim().to_string()));
            last = Some(k);
        }
    }
    m
}

fn is_metadata_file(path: &str) -> bool {
    let mut it = path.rsplit('/');
    let (Some(name), Some(parent)) = (it.next(), it.next()) else { return false };
    (name == "METADATA" && parent.ends_with(".dist-info"))
        || (name == "PKG-INFO" && parent.ends_with(".egg-info"))
}

/// `Name <a@b>, "Other" <c@d>` or `a@b` as `Name <email>` entries.
fn emails(value: &str, fallback_name: Option<&str>) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| match s.find('<') {
            Some(lt) => {
                let name = s[..lt].trim().trim_matches('"');
                let mail = s[lt..].trim();
                if name.is_empty() {
                    match fallback_name {
                        Some(n) => format!("{n} {mail}"),
                        None => mail.to_string(),
                    }
                } else {
                    format!("{name} {mail}")
                }
            }
            None => match fallback_name {
                Some(n) => format!("{n} <{s}>"),
                None => format!("<{s}>"),
            },
        })
        .collect()
}

pub fn resolve_all(tree: &SourceTree) -> Resolution {
    let mut out = Resolution::default();
    let mut installed: Vec<(Component, Vec<String>)> = Vec::new();
    for f in tree.files().iter().filter(|f| is_metadata_file(&f.path)) {
        let Some(text) = tree.read_text_or_note(&f.path, &mut out.diagnostics) else {
            continue;
        };
        let m = parse(&text);
        let (Some(name), Some(version)) = (m.first("name"), m.first("version")) else {
            out.diagnostics.push(
                Diagnostic::warning(
                    "invalid-manifest",
                    "installed metadata without `Name` or `Version`; skipped",
                )
                .at(&f.path, Some(1)),
            );
            continue;
        };
        if !pep508::valid_name(name) {
            out.diagnostics.push(
                Diagnostic::warning(
                    "invalid-manifest",
                    format!("`{}` is not a valid package name", pep508::truncate(name, 60)),
                )
                .at(&f.path, m.line("name")),
            );
            continue;
        }
        let norm = normalize(name);
        // PEP 610: `direct_url.json` says a distribution was installed from a VCS or a URL, not an index.
        let direct_path = format!("{}/direct_url.json", f.dir());
        let direct = if tree.contains(&direct_path) {
            direct_url(tree, &direct_path, &mut out.diagnostics)
        } else {
            None
        };
        let mut c = Component::new(Ecosystem::Pypi, &norm, Some(version.to_string()))
            .with_purl(super::pypi_id(&norm, Some(version), direct.as_ref()));
        c.found_in.push(Location::new(&f.path, m.line("name")));
        // Metadata outside an installed environment (`src/pkg.egg-info/PKG-INFO`, a `setup.py develop`
        // build) is the tree's own project: an application.
        let in_env = f.path.split('/').any(|s| s == "site-packages" || s == "dist-packages");
        if let Some(d) = direct {
            c.source = Some(d);
            c.found_in.push(Location::new(&direct_path, None));
        } else if in_env {
            c.source = Some(SourceKind::Path { path: f.dir().to_string() });
        } else {
            c.kind = ComponentKind::Application;
            c.source = Some(SourceKind::Local);
        }
        c.description = m.first("summary").filter(|s| !s.is_empty() && *s != "UNKNOWN").map(str::to_string);
        c.homepage = m.first("home-page").filter(|s| s.contains("://")).map(str::to_string);
        for pu in m.all("project-url") {
            let Some((label, url)) = pu.split_once(',') else { continue };
            let label = label.trim().to_ascii_lowercase().replace(['-', '_', ' ', '.'], "");
            let url = url.trim().to_string();
            match label.as_str() {
                "homepage" | "home" => c.homepage = c.homepage.take().or(Some(url)),
                "source" | "sourcecode" | "repository" | "code" | "github" => {
                    c.repository = c.repository.take().or(Some(url))
                }
                _ => {}
            }
        }
        let author = m.first("author").filter(|a| !a.is_empty() && *a != "UNKNOWN");
        match m.first("author-email").filter(|e| !e.is_empty()) {
            Some(e) => c.authors = emails(e, author),
            None => c.authors.extend(author.map(str::to_string)),
        }
        let source = f.path.clone();
        let classifiers: Vec<&str> = m.all("classifier").filter(|c| c.starts_with("License ::")).collect();
        if let Some(expr) = m.first("license-expression").filter(|s| !s.is_empty()) {
            c.license.declared = Some(LicenseValue::declared(expr, &source));
        } else if let Some(l) = m
            .first("license")
            .filter(|l| !l.is_empty() && *l != "UNKNOWN" && !l.contains('\n') && l.len() <= 100)
        {
            c.license.declared = Some(LicenseValue::declared(l, &source));
        } else if !classifiers.is_empty() {
            // Trove classifiers, as written; the licence stage maps them to SPDX.
            c.license.declared =
                Some(LicenseValue::declared(&classifiers.join("; "), format!("{source} (classifier)")));
        }
        let requires: Vec<String> = m
            .all("requires-dist")
            .filter(|r| !r.contains("extra =="))
            .filter_map(|r| pep508::parse(r).ok())
            .map(|r| normalize(&r.name))
            .collect();
        installed.push((c, requires));
    }
    let ids: BTreeMap<String, String> =
        installed.iter().map(|(c, _)| (c.name.clone(), c.id.clone())).collect();
    for (c, requires) in &installed {
        for r in requires {
            if let Some(to) = ids.get(r) {
                out.edges.push(Edge { from: c.id.clone(), to: to.clone(), kind: EdgeKind::Normal });
            }
        }
    }
    out.components.extend(installed.into_iter().map(|(c, _)| c));
    out
}

/// Reads a PEP 610 `direct_url.json`: a VCS source with its commit, or a download URL. Local directories
/// and editable installs give nothing (the metadata's own location says more).
fn direct_url(tree: &SourceTree, path: &str, diags: &mut Vec<Diagnostic>) -> Option<SourceKind> {
    let text = match tree.read_text(path) {
        Ok(t) => t,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let v: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            diags.push(
                Diagnostic::warning("invalid-manifest", format!("direct_url.json is not valid JSON: {e}"))
                    .at(path, Some(e.line() as u32)),
            );
            return None;
        }
    };
    let url = v.get("url")?.as_str()?;
    if super::reqlines::check_url(url).is_err() || url.starts_with("file:") {
        return None;
    }
    if let Some(vcs) = v.get("vcs_info") {
        let commit = vcs.get("commit_id").and_then(|c| c.as_str()).map(str::to_string);
        return Some(super::git_source(url.trim_start_matches("git+"), commit));
    }
    Some(SourceKind::Url { url: crate::util::redact::redact_url(url) })
}
