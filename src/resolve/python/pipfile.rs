//! `Pipfile.lock` (pipfile-spec 6): `default` (runtime) and `develop` (dev) sections, the indexes of
//! `_meta.sources`, git and path entries; `Pipfile` for which packages are direct.

use serde_json::Value;

use crate::model::{Diagnostic, EdgeKind, Hash, HashAlg, Location, Scope, SourceKind};
use crate::resolve::line_of;
use crate::resolve::toml_util as tu;
use crate::util::redact::redact_url;

use super::lock::{LockFile, LockedPackage};
use super::pep508::{self, normalize};

pub const NEWEST_SPEC: u64 = 6;

pub fn parse(text: &str, path: &str, diags: &mut Vec<Diagnostic>) -> Result<LockFile, Diagnostic> {
    let doc: Value = serde_json::from_str(text).map_err(|e| {
        Diagnostic::error("invalid-lockfile", format!("not valid JSON: {e}")).at(path, Some(e.line() as u32))
    })?;
    let Some(obj) = doc.as_object() else {
        return Err(
            Diagnostic::error("invalid-lockfile", "Pipfile.lock is not a JSON object").at(path, Some(1))
        );
    };
    let meta = obj.get("_meta");
    let spec = meta.and_then(|m| m.get("pipfile-spec")).and_then(Value::as_u64);
    if !matches!(spec, Some(1..=NEWEST_SPEC)) {
        diags.push(
            Diagnostic::warning(
                "unknown-lockfile-version",
                format!(
                    "Pipfile.lock pipfile-spec {}: this sovereign knows 1 to {NEWEST_SPEC}; read best-effort",
                    spec.map(|s| s.to_string()).unwrap_or_else(|| "missing".into())
                ),
            )
            .at(path, Some(1)),
        );
    }
    let sources: Vec<(String, String)> = meta
        .and_then(|m| m.get("sources"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| {
                    Some((s.get("name")?.as_str()?.to_string(), s.get("url")?.as_str()?.to_string()))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut lock = LockFile { path: path.to_string(), ..LockFile::default() };
    for (section, scope) in [("default", Scope::Runtime), ("develop", Scope::Dev)] {
        let Some(entries) = obj.get(section).and_then(Value::as_object) else { continue };
        let section_at = text.find(&format!("\"{section}\"")).unwrap_or(0);
        for (name, e) in entries {
            let at =
                text[section_at..].find(&format!("\"{name}\"")).map(|i| section_at + i).unwrap_or(section_at);
            let line = line_of(text, at);
            if !pep508::valid_name(name) {
                diags.push(
                    Diagnostic::warning(
                        "invalid-requirement",
                        format!("`{}` is not a valid package name", pep508::truncate(name, 60)),
                    )
                    .at(path, Some(line)),
                );
                continue;
            }
            let version = e.get("version").and_then(Value::as_str).and_then(pep508::exact_version);
            let mut p = LockedPackage::new(name, version, line);
            p.scope = Some(scope);
            let hashes: Vec<&str> = e
                .get("hashes")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            // One hash is the artefact's; several are the allowed artefacts (wheels, sdist), kept as a property.
            match hashes.as_slice() {
                [one] => push_sha256(one, &mut p.hashes),
                [] => {}
                many => {
                    p.properties.insert("python-artifact-hashes".into(), many.join(" "));
                }
            }
            if let Some(m) = e.get("markers").and_then(Value::as_str) {
                p.properties.insert("python-marker".into(), m.to_string());
            }
            p.source = if let Some(g) = e.get("git").and_then(Value::as_str) {
                let r = e.get("ref").and_then(Value::as_str).map(str::to_string);
                Some(super::git_source(g.trim_start_matches("git+"), r))
            } else if let Some(pa) = e.get("path").and_then(Value::as_str) {
                Some(SourceKind::Path { path: pa.to_string() })
            } else if let Some(f) = e.get("file").and_then(Value::as_str) {
                Some(SourceKind::Url { url: redact_url(f) })
            } else {
                let index = e.get("index").and_then(Value::as_str);
                let url =
                    index.and_then(|i| sources.iter().find(|(n, _)| n == i)).map(|(_, u)| redact_url(u));
                Some(SourceKind::Registry { url: url.filter(|u| !super::is_pypi(u)) })
            };
            lock.packages.push(p);
        }
    }
    Ok(lock)
}

fn push_sha256(h: &str, out: &mut Vec<Hash>) {
    if let Some(hex) = h.strip_prefix("sha256:") {
        if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            out.push(Hash { alg: HashAlg::Sha256, value: hex.to_ascii_lowercase() });
        }
    }
}

/// The direct dependencies a `Pipfile` declares: `[packages]` (runtime) and `[dev-packages]` (dev).
pub fn roots(text: &str, path: &str, diags: &mut Vec<Diagnostic>) -> Vec<(String, EdgeKind, Location)> {
    let doc = match tu::parse(text, path) {
        Ok(d) => d,
        Err(d) => {
            diags.push(d);
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (key, kind) in [("packages", EdgeKind::Normal), ("dev-packages", EdgeKind::Dev)] {
        if let Some(t) = tu::table(doc.get_ref(), key) {
            for (k, _) in t.iter() {
                out.push((
                    normalize(k.get_ref()),
                    kind,
                    Location::new(path, Some(line_of(text, k.span().start))),
                ));
            }
        }
    }
    out
}

/// A `Pipfile` without its lock: the declared packages as requirements (`"*"` is no requirement, `==X`
/// an exact version; `{ version, git, ref, path, editable }` tables), `[packages]` runtime and
/// `[dev-packages]` dev.
pub fn declared(text: &str, path: &str, diags: &mut Vec<Diagnostic>) -> Vec<crate::model::Component> {
    let doc = match tu::parse(text, path) {
        Ok(d) => d,
        Err(d) => {
            diags.push(d);
            return Vec::new();
        }
    };
    let dir = path.rfind('/').map(|i| &path[..i]).unwrap_or("");
    let mut out = Vec::new();
    for (key, kind) in [("packages", EdgeKind::Normal), ("dev-packages", EdgeKind::Dev)] {
        let Some(t) = tu::table(doc.get_ref(), key) else { continue };
        for (k, v) in t.iter() {
            let name = k.get_ref().to_string();
            let line = line_of(text, k.span().start);
            if !pep508::valid_name(&name) {
                diags.push(
                    Diagnostic::warning(
                        "invalid-requirement",
                        format!("`{}` is not a valid package name", pep508::truncate(&name, 60)),
                    )
                    .at(path, Some(line)),
                );
                continue;
            }
            let (spec, git, local) = match v.get_ref() {
                toml::de::DeValue::String(s) => (s.to_string(), None, None),
                toml::de::DeValue::Table(t) => (
                    tu::string(t, "version").unwrap_or_default(),
                    tu::string(t, "git").map(|g| (g, tu::string(t, "ref"))),
                    tu::string(t, "path"),
                ),
                _ => {
                    diags.push(
                        Diagnostic::warning(
                            "invalid-dependency",
                            format!("package `{name}` has the wrong type"),
                        )
                        .at(path, Some(line)),
                    );
                    continue;
                }
            };
            let spec = if spec.trim() == "*" {
                String::new()
            } else {
                spec.chars().filter(|c| !c.is_whitespace()).collect()
            };
            let req = pep508::Requirement { name, spec, ..pep508::Requirement::default() };
            let source = super::declared_source(None, git.as_ref(), local.as_deref(), dir);
            out.push(super::declared_component(&req, source, kind, Location::new(path, Some(line))));
        }
    }
    out
}
