//! `pdm.lock` (lock_version 3.x and 4.x): packages, PEP 508 dependency strings as edges, groups, and git,
//! URL and path sources.

use toml::de::DeValue;

use crate::model::{Diagnostic, EdgeKind, Hash, HashAlg, Scope, SourceKind};
use crate::resolve::line_of;
use crate::resolve::toml_util as tu;
use crate::util::redact::redact_url;

use super::lock::{LockDep, LockFile, LockedPackage};
use super::pep508::{self, normalize};

pub fn parse(text: &str, path: &str, diags: &mut Vec<Diagnostic>) -> Result<LockFile, Diagnostic> {
    let doc = tu::parse(text, path).map_err(|d| Diagnostic { code: "invalid-lockfile".into(), ..d })?;
    let root = doc.get_ref();
    let version = tu::table(root, "metadata").and_then(|m| tu::string(m, "lock_version"));
    let major = version.as_deref().and_then(|v| v.split('.').next()).and_then(|m| m.parse::<u32>().ok());
    if !matches!(major, Some(3 | 4)) {
        diags.push(
            Diagnostic::warning(
                "unknown-lockfile-version",
                format!(
                    "pdm.lock lock_version {}: this sovereign knows 3.x and 4.x; read best-effort",
                    version.as_deref().unwrap_or("missing")
                ),
            )
            .at(path, Some(root.get("metadata").map(|v| line_of(text, v.span().start)).unwrap_or(1))),
        );
    }
    let mut lock = LockFile { path: path.to_string(), ..LockFile::default() };
    for (line, name, t) in super::lock::package_tables(root, text, path, diags)? {
        let mut p = LockedPackage::new(&name, tu::string(t, "version"), line);
        p.description = tu::string(t, "summary").filter(|s| !s.is_empty());
        let groups = {
            let g = tu::strings(t, "groups");
            if g.is_empty() {
                tu::strings(t, "sections")
            } else {
                g
            }
        };
        if groups.iter().any(|g| g == "default") {
            p.scope = Some(Scope::Runtime);
        }
        if !groups.is_empty() {
            p.properties.insert("python-group".into(), groups.join(","));
        }
        if let Some(g) = tu::string(t, "git") {
            let commit = tu::string(t, "revision");
            let reference = tu::string(t, "ref").filter(|r| Some(r) != commit.as_ref());
            p.source = Some(SourceKind::Git { url: redact_url(&g), commit, reference });
        } else if let Some(u) = tu::string(t, "url") {
            p.source = Some(SourceKind::Url { url: redact_url(&u) });
        } else if let Some(pa) = tu::string(t, "path") {
            p.source = Some(SourceKind::Path { path: pa });
        } else {
            p.source = Some(SourceKind::Registry { url: None });
        }
        if let Some(DeValue::Array(files)) = t.get("files").map(|v| v.get_ref()) {
            let files: Vec<(String, String)> = files
                .iter()
                .filter_map(|x| x.get_ref().as_table())
                .filter_map(|t| {
                    Some((tu::string(t, "file").or_else(|| tu::string(t, "url"))?, tu::string(t, "hash")?))
                })
                .collect();
            let sdist = files
                .iter()
                .find(|(f, _)| f.ends_with(".tar.gz") || f.ends_with(".zip"))
                .or_else(|| (files.len() == 1).then(|| &files[0]));
            if let Some(hex) = sdist.and_then(|(_, h)| h.strip_prefix("sha256:")) {
                if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    p.hashes.push(Hash { alg: HashAlg::Sha256, value: hex.to_ascii_lowercase() });
                }
            }
        }
        for d in tu::strings(t, "dependencies") {
            match pep508::parse(&d) {
                Ok(r) => {
                    p.deps.push(LockDep { name: normalize(&r.name), version: None, kind: EdgeKind::Normal })
                }
                Err(e) => diags.push(
                    Diagnostic::warning(
                        "invalid-requirement",
                        format!("cannot read dependency `{}`: {}", pep508::truncate(&d, 60), e.0),
                    )
                    .at(path, Some(line)),
                ),
            }
        }
        lock.packages.push(p);
    }
    Ok(lock)
}
