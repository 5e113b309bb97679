//! `uv.lock` (version 1): packages with their `source` kinds, dependency edges, optional dependencies
//! (extras) and dev-dependency groups; `editable` and `virtual` sources are the workspace's own members.

use toml::de::{DeTable, DeValue};

use crate::model::{Diagnostic, EdgeKind, Hash, HashAlg, SourceKind};
use crate::resolve::line_of;
use crate::resolve::toml_util as tu;
use crate::source::tree::join_rel;
use crate::util::redact::redact_url;

use super::lock::{LockDep, LockFile, LockedPackage};
use super::pep508::normalize;

/// The newest `uv.lock` version this resolver knows.
pub const NEWEST_VERSION: i64 = 1;

pub fn parse(text: &str, path: &str, dir: &str, diags: &mut Vec<Diagnostic>) -> Result<LockFile, Diagnostic> {
    let doc = tu::parse(text, path).map_err(|d| Diagnostic { code: "invalid-lockfile".into(), ..d })?;
    let root = doc.get_ref();
    match root.get("version").map(|v| v.get_ref()) {
        Some(DeValue::Integer(i))
            if i.as_str().parse::<i64>().is_ok_and(|v| (1..=NEWEST_VERSION).contains(&v)) => {}
        other => {
            let shown = match other {
                Some(DeValue::Integer(i)) => i.as_str().to_string(),
                Some(_) => "not an integer".into(),
                None => "missing".into(),
            };
            diags.push(
                Diagnostic::warning(
                    "unknown-lockfile-version",
                    format!("uv.lock version {shown}: this sovereign knows version {NEWEST_VERSION}; read best-effort"),
                )
                .at(path, Some(root.get("version").map(|v| line_of(text, v.span().start)).unwrap_or(1))),
            );
        }
    }
    let manifest_members: Vec<String> = tu::table(root, "manifest")
        .map(|m| tu::strings(m, "members").iter().map(|s| normalize(s)).collect())
        .unwrap_or_default();
    let mut lock = LockFile { path: path.to_string(), complete: true, ..LockFile::default() };
    for (line, name, t) in super::lock::package_tables(root, text, path, diags)? {
        let mut p = LockedPackage::new(&name, tu::string(t, "version"), line);
        if let Some(src) = tu::table(t, "source") {
            let (source, member) = source_of(src, dir);
            p.source = source;
            if member || manifest_members.contains(&p.name) {
                p.member_dir = Some(match &p.source {
                    Some(SourceKind::Path { path }) => path.clone(),
                    _ => dir.to_string(),
                });
                p.source = None;
            }
        }
        if let Some(sdist) = tu::table(t, "sdist") {
            push_hash(sdist, &mut p.hashes);
        } else if let Some(DeValue::Array(w)) = t.get("wheels").map(|v| v.get_ref()) {
            if w.len() == 1 {
                if let Some(wt) = w.iter().next().and_then(|v| v.get_ref().as_table()) {
                    push_hash(wt, &mut p.hashes);
                }
            }
        }
        deps(t.get("dependencies"), EdgeKind::Normal, &mut p.deps);
        if let Some(opt) = tu::table(t, "optional-dependencies") {
            for (_, v) in opt.iter() {
                deps(Some(v), EdgeKind::Optional, &mut p.deps);
            }
        }
        if let Some(dev) = tu::table(t, "dev-dependencies") {
            for (_, v) in dev.iter() {
                deps(Some(v), EdgeKind::Dev, &mut p.deps);
            }
        }
        lock.packages.push(p);
    }
    Ok(lock)
}

fn push_hash(t: &DeTable<'_>, out: &mut Vec<Hash>) {
    if let Some(h) = tu::string(t, "hash").as_deref().and_then(|h| h.strip_prefix("sha256:")) {
        if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) {
            out.push(Hash { alg: HashAlg::Sha256, value: h.to_ascii_lowercase() });
        }
    }
}

fn deps(v: Option<&toml::Spanned<DeValue<'_>>>, kind: EdgeKind, out: &mut Vec<LockDep>) {
    let Some(DeValue::Array(a)) = v.map(|v| v.get_ref()) else { return };
    for d in a.iter() {
        let Some(t) = d.get_ref().as_table() else { continue };
        if let Some(name) = tu::string(t, "name") {
            out.push(LockDep { name: normalize(&name), version: tu::string(t, "version"), kind });
        }
    }
}

/// The source of a package and whether it is a workspace member (`editable`, `virtual`).
fn source_of(src: &DeTable<'_>, dir: &str) -> (Option<SourceKind>, bool) {
    if let Some(u) = tu::string(src, "registry") {
        if !u.contains("://") {
            // A local package directory (`find-links` / flat index), not a registry on the network.
            return (Some(SourceKind::Path { path: join_rel(dir, &u).unwrap_or(u) }), false);
        }
        let url = redact_url(&u);
        return (Some(SourceKind::Registry { url: Some(url).filter(|u| !super::is_pypi(u)) }), false);
    }
    if let Some(g) = tu::string(src, "git") {
        let (head, commit) = match g.split_once('#') {
            Some((h, c)) => (h.to_string(), Some(c.to_string())),
            None => (g.clone(), None),
        };
        let (url, reference) = match head.split_once('?') {
            Some((u, q)) => (u.to_string(), Some(q.to_string())),
            None => (head, None),
        };
        return (Some(SourceKind::Git { url: redact_url(&url), commit, reference }), false);
    }
    if let Some(u) = tu::string(src, "url") {
        return (Some(SourceKind::Url { url: redact_url(&u) }), false);
    }
    for (key, member) in [("editable", true), ("virtual", true), ("directory", false), ("path", false)] {
        if let Some(p) = tu::string(src, key) {
            let rel = join_rel(dir, &p).unwrap_or(p);
            return (Some(SourceKind::Path { path: rel }), member);
        }
    }
    (None, false)
}
