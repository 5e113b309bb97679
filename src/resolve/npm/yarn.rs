//! `yarn.lock`, classic (v1) and Berry (v2+, `__metadata`), read by one line-based parser: both are an
//! indented list of blocks whose header lists the descriptors (`name@range`) the block resolves.

use std::collections::HashMap;

use crate::model::{Diagnostic, EdgeKind, SourceKind};
use crate::source::tree::join_rel;

use super::graph::{classify_url, hex_hash, integrity, Dep, Graph, Pkg};
use super::manifest::Manifest;

/// One dependency line of a block: name, range, line.
pub type DepLine = (String, String, u32);

/// One block of the lockfile.
#[derive(Debug, Default, Clone)]
pub struct Entry {
    pub descriptors: Vec<String>,
    pub line: u32,
    pub fields: Vec<(String, String)>,
    /// `dependencies`, `optionalDependencies`, …: (name, range, line).
    pub sections: Vec<(String, Vec<DepLine>)>,
    /// Names marked `optional: true` under `dependenciesMeta`.
    pub optional: Vec<String>,
}

impl Entry {
    pub fn field(&self, key: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// The parsed file.
#[derive(Debug, Default)]
pub struct Lock {
    /// `__metadata.version` for Berry; `None` for classic.
    pub berry: Option<String>,
    pub entries: Vec<Entry>,
}

/// Reads a quoted string at the start of `s`: (content, rest). `None` when the quote is not closed.
fn quoted(s: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, n)) = chars.next() {
                    out.push(n);
                }
            }
            '"' => return Some((out, &s[i + 1..])),
            c => out.push(c),
        }
    }
    None
}

/// `key value`, `key: value`, `"key" value` → (key, value); an empty value opens a section.
fn key_value(s: &str) -> Option<(String, String)> {
    let (key, rest) = if s.starts_with('"') {
        quoted(s)?
    } else {
        let end = s.find([':', ' ']).unwrap_or(s.len());
        (s[..end].to_string(), &s[end..])
    };
    let rest = rest.strip_prefix(':').unwrap_or(rest).trim();
    let value = if rest.starts_with('"') { quoted(rest)?.0 } else { rest.to_string() };
    Some((key, value))
}

/// Splits a header (`"a@^1", a@^1.2:`) into descriptors.
fn descriptors(header: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = header.trim();
    while !rest.is_empty() {
        let (d, r) = if rest.starts_with('"') {
            quoted(rest)?
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            (rest[..end].trim().to_string(), &rest[end..])
        };
        // Berry writes several descriptors inside one quoted string.
        out.extend(d.split(", ").map(|s| s.trim().to_string()).filter(|s| !s.is_empty()));
        rest = r.trim_start().strip_prefix(',').unwrap_or(r).trim_start();
    }
    Some(out)
}

/// Parses the text. Broken blocks become diagnostics and are skipped; the others are kept.
pub fn parse(text: &str, path: &str, diags: &mut Vec<Diagnostic>) -> Lock {
    let mut lock = Lock::default();
    let mut cur: Option<Entry> = None;
    let mut in_metadata = false;
    let mut skipping = false;
    let mut section: Option<usize> = None;
    let mut meta_name: Option<String> = None;
    let bad = |diags: &mut Vec<Diagnostic>, line: u32, msg: &str| {
        diags.push(Diagnostic::error("invalid-lockfile", msg.to_string()).at(path, Some(line)));
    };
    for (n, raw) in text.lines().enumerate() {
        let line = n as u32 + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = raw.len() - raw.trim_start_matches(' ').len();
        let content = raw[indent..].trim_end();
        if indent == 0 {
            lock.entries.extend(cur.take());
            skipping = false;
            section = None;
            in_metadata = false;
            let Some(header) = content.strip_suffix(':') else {
                bad(diags, line, "a block header must end with `:`; block skipped");
                skipping = true;
                continue;
            };
            match descriptors(header) {
                Some(d) if d == ["__metadata"] => in_metadata = true,
                Some(d) if !d.is_empty() => cur = Some(Entry { descriptors: d, line, ..Entry::default() }),
                _ => {
                    bad(diags, line, "unterminated string in a block header; block skipped");
                    skipping = true;
                }
            }
            continue;
        }
        if skipping {
            continue;
        }
        let Some((key, value)) = key_value(content) else {
            bad(diags, line, "unterminated string; line skipped");
            continue;
        };
        if in_metadata {
            if key == "version" {
                lock.berry = Some(value);
            }
            continue;
        }
        let Some(e) = cur.as_mut() else {
            bad(diags, line, "an indented line outside any block; skipped");
            continue;
        };
        if indent <= 3 {
            meta_name = None;
            if value.is_empty() {
                e.sections.push((key, Vec::new()));
                section = Some(e.sections.len() - 1);
            } else {
                section = None;
                e.fields.push((key, value));
            }
        } else if let Some(s) = section {
            let sname = e.sections[s].0.clone();
            if sname.ends_with("Meta") {
                // dependenciesMeta / peerDependenciesMeta: `name:` then `optional: true` below it.
                if indent <= 5 {
                    meta_name = Some(key);
                } else if key == "optional" && value == "true" {
                    if let Some(m) = &meta_name {
                        e.optional.push(m.clone());
                    }
                }
            } else if indent <= 5 {
                e.sections[s].1.push((key, value, line));
            }
        }
    }
    lock.entries.extend(cur.take());
    lock
}

/// `@scope/name@range` → (`@scope/name`, `range`).
pub fn split_descriptor(d: &str) -> (&str, &str) {
    match d.get(1..).and_then(|s| s.find('@')) {
        Some(i) => (&d[..i + 1], &d[i + 2..]),
        None => (d, ""),
    }
}

/// The graph of a parsed lockfile. `manifests` are the workspace's package.json files (root first),
/// which give the members and, since yarn.lock does not record it, the dev/runtime split.
pub fn graph(lock: &Lock, path: &str, manifests: &[Manifest], diags: &mut Vec<Diagnostic>) -> Graph {
    let lock_dir = path.rfind('/').map(|i| &path[..i]).unwrap_or("");
    let mut g = Graph::default();
    let mut by_descriptor: HashMap<&str, usize> = HashMap::new();
    let mut member_slot: HashMap<String, usize> = HashMap::new();
    let manifest_at = |dir: &str| manifests.iter().find(|m| m.dir == dir);
    for e in &lock.entries {
        let mut p = Pkg { line: e.line, ..Pkg::default() };
        let (dname, drange) = split_descriptor(&e.descriptors[0]);
        p.name = dname.to_string();
        let version = e.field("version").filter(|v| *v != "0.0.0-use.local").map(str::to_string);
        match e.field("resolution") {
            Some(res) if lock.berry.is_some() => {
                let (name, reference) = split_descriptor(res);
                p.name = name.to_string();
                p.version = version;
                let (proto, rest) = reference.split_once(':').unwrap_or(("", reference));
                match proto {
                    "npm" => p.source = Some(SourceKind::Registry { url: None }),
                    "workspace" => {
                        let dir = join_rel(lock_dir, rest).unwrap_or_default();
                        p.app = true;
                        if let Some(m) = manifest_at(&dir) {
                            p.version = m.version.clone().or(p.version);
                            p.manifest = Some(m.clone());
                        }
                        member_slot.insert(dir, g.pkgs.len());
                    }
                    "patch" => {
                        p.source = Some(SourceKind::Registry { url: None });
                        p.properties.insert("yarn-patched".into(), "true".into());
                    }
                    "link" | "portal" | "file" => {
                        // As written: relative to the workspace named in the `::locator=` suffix.
                        let target = rest.split("::").next().unwrap_or(rest);
                        let target = target.split('#').next().unwrap_or(target);
                        p.source = Some(SourceKind::Path { path: target.to_string() });
                    }
                    _ => p.source = Some(classify_url(&p.name, reference).0),
                }
                if let Some(c) = e.field("checksum") {
                    // The checksum of yarn's own zip archive, not of the registry tarball.
                    p.properties.insert("yarn-checksum".into(), c.to_string());
                }
            }
            _ => {
                // Classic: an alias range `npm:real@^1` names the real package.
                if let Some(real) = drange.strip_prefix("npm:") {
                    p.name = split_descriptor(real).0.to_string();
                }
                p.version = version;
                if let Some(r) = e.field("resolved") {
                    p.source = Some(classify_url(&p.name, r).0);
                    if let Some(h) = r.rsplit_once('#').and_then(|(_, f)| hex_hash(f)) {
                        p.hashes.push(h);
                    }
                }
                if let Some(i) = e.field("integrity") {
                    let hs = integrity(i);
                    if !hs.is_empty() {
                        p.hashes = hs;
                    }
                }
            }
        }
        if e.field("version").is_none() {
            diags.push(
                Diagnostic::warning(
                    "incomplete-lock-entry",
                    format!("`{}` has no version; left without one", p.name),
                )
                .at(path, Some(e.line)),
            );
        }
        if !p.app {
            // The hoisted install, when node_modules exists (its version is checked before use).
            p.installed = join_rel(lock_dir, &format!("node_modules/{}/package.json", p.name));
        }
        let slot = g.push(p);
        for d in &e.descriptors {
            by_descriptor.insert(d.as_str(), slot);
        }
    }
    // Classic lockfiles do not list the workspace members: they come from the manifests.
    for m in manifests {
        if member_slot.contains_key(&m.dir) {
            continue;
        }
        let slot = g.push(Pkg {
            name: m.name.clone().unwrap_or_else(|| "project".to_string()),
            version: m.version.clone(),
            app: true,
            line: 1,
            manifest: Some(m.clone()),
            ..Pkg::default()
        });
        member_slot.insert(m.dir.clone(), slot);
    }
    let member_by_name: HashMap<&str, usize> =
        manifests.iter().filter_map(|m| Some((m.name.as_deref()?, *member_slot.get(&m.dir)?))).collect();
    let lookup = |name: &str, range: &str| -> Option<usize> {
        let exact = format!("{name}@{range}");
        by_descriptor
            .get(exact.as_str())
            .or_else(|| by_descriptor.get(format!("{name}@npm:{range}").as_str()))
            .copied()
    };
    for (ei, e) in lock.entries.iter().enumerate() {
        let mut deps = Vec::new();
        let manifest = g.pkgs[ei].manifest.clone();
        for (section, list) in &e.sections {
            let base = match section.as_str() {
                "dependencies" => EdgeKind::Normal,
                "optionalDependencies" => EdgeKind::Optional,
                _ => continue,
            };
            for (name, range, line) in list {
                let kind = manifest.as_ref().and_then(|m| m.decl(name)).map(|d| d.kind).unwrap_or(base);
                match lookup(name, range) {
                    Some(t) => deps.push(Dep { to: t, kind, key: name.clone() }),
                    None if base == EdgeKind::Optional || e.optional.contains(name) => {}
                    None => diags.push(
                        Diagnostic::warning(
                            "unresolved-lock-reference",
                            format!("`{name}@{range}` names no block of the lockfile"),
                        )
                        .at(path, Some(*line)),
                    ),
                }
            }
        }
        g.pkgs[ei].deps = deps;
    }
    // Members' declarations (classic; Berry members already have theirs in the lockfile).
    for m in manifests {
        let slot = member_slot[&m.dir];
        if slot < lock.entries.len() {
            continue;
        }
        let mut deps = Vec::new();
        for d in &m.deps {
            let range = d.req.as_str();
            let target = lookup(&d.name, range).or_else(|| {
                (range.starts_with("workspace:") || member_by_name.contains_key(d.name.as_str()))
                    .then(|| member_by_name.get(d.name.as_str()).copied())
                    .flatten()
            });
            match target {
                Some(t) if t != slot => deps.push(Dep { to: t, kind: d.kind, key: d.name.clone() }),
                Some(_) => {}
                None if matches!(d.kind, EdgeKind::Peer | EdgeKind::Optional) => {}
                None => diags.push(
                    Diagnostic::warning(
                        "unresolved-lock-reference",
                        format!("`{}@{range}` is declared but the lockfile has no block for it", d.name),
                    )
                    .at(&m.path, Some(d.line)),
                ),
            }
        }
        g.pkgs[slot].deps = deps;
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptors_and_keys() {
        assert_eq!(descriptors(r#""@a/b@^1", "@a/b@^1.2""#).unwrap(), ["@a/b@^1", "@a/b@^1.2"]);
        assert_eq!(descriptors("abbrev@1, abbrev@^1.0.0").unwrap(), ["abbrev@1", "abbrev@^1.0.0"]);
        assert_eq!(descriptors(r#""a@npm:^1, a@npm:^1.1""#).unwrap(), ["a@npm:^1", "a@npm:^1.1"]);
        assert!(descriptors(r#""a@^1"#).is_none());
        assert_eq!(key_value(r#"version "1.0.0""#).unwrap(), ("version".into(), "1.0.0".into()));
        assert_eq!(
            key_value(r#"resolution: "a@npm:1.0.0""#).unwrap(),
            ("resolution".into(), "a@npm:1.0.0".into())
        );
        assert_eq!(key_value(r#""@a/b": ^1"#).unwrap(), ("@a/b".into(), "^1".into()));
        assert_eq!(key_value("dependencies:").unwrap(), ("dependencies".into(), String::new()));
        assert_eq!(split_descriptor("@a/b@npm:^1"), ("@a/b", "npm:^1"));
    }
}
