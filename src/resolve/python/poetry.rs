//! `poetry.lock`, lock formats 1.x (`category`, hashes in `[metadata.files]`) and 2.x (`groups`, `files`
//! per package): packages, `[package.source]`, `[package.dependencies]` edges, and scopes from the groups.

use std::collections::BTreeMap;

use toml::de::{DeTable, DeValue};

use crate::model::{Diagnostic, EdgeKind, Hash, HashAlg, Scope, SourceKind};
use crate::resolve::line_of;
use crate::resolve::toml_util as tu;
use crate::source::tree::join_rel;
use crate::util::redact::redact_url;

use super::lock::{LockDep, LockFile, LockedPackage};
use super::pep508::normalize;

pub fn parse(text: &str, path: &str, diags: &mut Vec<Diagnostic>) -> Result<LockFile, Diagnostic> {
    let doc = tu::parse(text, path).map_err(|d| Diagnostic { code: "invalid-lockfile".into(), ..d })?;
    let root = doc.get_ref();
    let meta = tu::table(root, "metadata");
    let version = meta.and_then(|m| tu::string(m, "lock-version"));
    let major = version.as_deref().and_then(|v| v.split('.').next()).and_then(|m| m.parse::<u32>().ok());
    if !matches!(major, Some(1 | 2)) {
        let meta_line = root.get("metadata").map(|v| line_of(text, v.span().start));
        diags.push(
            Diagnostic::warning(
                "unknown-lockfile-version",
                format!(
                    "poetry.lock lock-version {}: this sovereign knows 1.x and 2.x; read best-effort",
                    version.as_deref().unwrap_or("missing")
                ),
            )
            .at(path, meta_line.or(Some(1))),
        );
    }
    // Format 1.x: hashes in [metadata.files], one array per package name.
    let mut v1_files: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    if let Some(files) = meta.and_then(|m| tu::table(m, "files")) {
        for (k, v) in files.iter() {
            v1_files.insert(normalize(k.get_ref()), file_hashes(v.get_ref()));
        }
    }
    let mut lock = LockFile { path: path.to_string(), ..LockFile::default() };
    let Some(pkgs) = root.get("package") else { return Ok(lock) };
    let Some(arr) = pkgs.get_ref().as_array() else {
        return Err(Diagnostic::error("invalid-lockfile", "`package` is not an array of tables")
            .at(path, Some(line_of(text, pkgs.span().start))));
    };
    let lines = crate::resolve::Lines::new(text);
    for item in arr.iter() {
        let line = lines.line_of(item.span().start);
        let Some(t) = item.get_ref().as_table() else { continue };
        let (Some(name), Some(version)) = (tu::string(t, "name"), tu::string(t, "version")) else {
            diags.push(
                Diagnostic::warning("invalid-lockfile", "package entry without a name or version; skipped")
                    .at(path, Some(line)),
            );
            continue;
        };
        let mut p = LockedPackage::new(&name, Some(version.clone()), line);
        p.description = tu::string(t, "description").filter(|d| !d.is_empty());
        let optional = tu::boolean(t, "optional") == Some(true);
        // 2.x: groups = ["main", "dev"]; 1.x: category = "main" | "dev".
        let groups = tu::strings(t, "groups");
        let main = if !groups.is_empty() {
            Some(groups.iter().any(|g| g == "main"))
        } else {
            tu::string(t, "category").map(|c| c == "main")
        };
        p.scope = main.map(|m| match (m, optional) {
            (true, false) => Scope::Runtime,
            (true, true) => Scope::Optional,
            (false, _) => Scope::Dev,
        });
        if !groups.is_empty() {
            p.properties.insert("python-group".into(), groups.join(","));
        }
        if let Some(m) = tu::string(t, "markers") {
            p.properties.insert("python-marker".into(), m);
        }
        let dir = path.rfind('/').map(|i| &path[..i]).unwrap_or("");
        p.source = tu::table(t, "source").and_then(|s| source_of(s, dir));
        let files = match t.get("files") {
            Some(v) => file_hashes(v.get_ref()),
            None => v1_files.get(&p.name).cloned().unwrap_or_default(),
        };
        // The component hash is the source distribution's; wheels are per-platform artefacts.
        let sdist = files
            .iter()
            .find(|(f, _)| f.ends_with(".tar.gz") || f.ends_with(".zip"))
            .or_else(|| (files.len() == 1).then(|| &files[0]));
        if let Some((_, h)) = sdist {
            if let Some(hex) = h.strip_prefix("sha256:") {
                if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    p.hashes.push(Hash { alg: HashAlg::Sha256, value: hex.to_ascii_lowercase() });
                }
            }
        }
        if let Some(deps) = tu::table(t, "dependencies") {
            for (k, v) in deps.iter() {
                let kind = if dep_optional(v.get_ref()) { EdgeKind::Optional } else { EdgeKind::Normal };
                p.deps.push(LockDep { name: normalize(k.get_ref()), version: None, kind });
            }
        }
        lock.packages.push(p);
    }
    Ok(lock)
}

fn dep_optional(v: &DeValue<'_>) -> bool {
    match v {
        DeValue::Table(t) => tu::boolean(t, "optional") == Some(true),
        DeValue::Array(a) => {
            a.iter().all(|x| x.get_ref().as_table().is_some_and(|t| tu::boolean(t, "optional") == Some(true)))
        }
        _ => false,
    }
}

/// `[{file = "…", hash = "sha256:…"}]` as (file, hash) pairs.
fn file_hashes(v: &DeValue<'_>) -> Vec<(String, String)> {
    let DeValue::Array(a) = v else { return Vec::new() };
    a.iter()
        .filter_map(|x| x.get_ref().as_table())
        .filter_map(|t| Some((tu::string(t, "file")?, tu::string(t, "hash")?)))
        .collect()
}

fn source_of(t: &DeTable<'_>, dir: &str) -> Option<SourceKind> {
    let ty = tu::string(t, "type")?;
    let url = tu::string(t, "url")?;
    Some(match ty.as_str() {
        "git" => {
            let commit = tu::string(t, "resolved_reference");
            let reference = tu::string(t, "reference").filter(|r| Some(r) != commit.as_ref());
            SourceKind::Git { url: redact_url(&url), commit, reference }
        }
        "url" => SourceKind::Url { url: redact_url(&url) },
        // Relative to the lockfile's directory.
        "file" | "directory" => SourceKind::Path { path: join_rel(dir, &url).unwrap_or(url) },
        // `legacy` and other named indexes: `url` is the index.
        _ => SourceKind::Registry { url: Some(redact_url(&url)) },
    })
}
