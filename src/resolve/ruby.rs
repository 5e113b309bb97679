//! Ruby: `Gemfile.lock` (GEM, GIT and PATH sections with their dependency edges, DEPENDENCIES, CHECKSUMS,
//! BUNDLED WITH), with the `group` blocks of the `Gemfile` beside it for scopes (test and development
//! groups are dev). Bundler is never run.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::model::{
    purl, Component, ComponentKind, Diagnostic, Ecosystem, Edge, Hash, HashAlg, Location, Scope, SourceKind,
};
use crate::resolve::lockutil::{dir_name, edge_kind, project};
use crate::resolve::{Resolution, ResolveContext, Resolver};
use crate::source::tree::join_rel;
use crate::util::redact::redact_url;

pub struct RubyResolver;

#[derive(Debug, Clone, Default)]
struct Spec {
    name: String,
    version: String,
    platform: Option<String>,
    deps: Vec<String>,
    line: u32,
    source: usize,
}

#[derive(Debug, Clone, Default)]
struct Source {
    kind: String,
    remote: Option<String>,
    revision: Option<String>,
    reference: Option<String>,
}

#[derive(Debug, Default)]
struct Lock {
    sources: Vec<Source>,
    specs: Vec<Spec>,
    direct: Vec<(String, u32)>,
    checksums: BTreeMap<String, String>,
    bundled_with: Option<String>,
}

fn name_and_paren(s: &str) -> (&str, Option<&str>) {
    match s.split_once(" (") {
        Some((n, rest)) => (n.trim(), rest.strip_suffix(')')),
        None => (s.trim(), None),
    }
}

/// Gem versions never contain `-`; what follows one is the platform (`1.15.4-x86_64-linux`).
fn split_platform(v: &str) -> (String, Option<String>) {
    match v.split_once('-') {
        Some((v, p)) => (v.to_string(), Some(p.to_string())),
        None => (v.to_string(), None),
    }
}

fn parse(text: &str, path: &str, diags: &mut Vec<Diagnostic>) -> Lock {
    let mut lock = Lock::default();
    let mut section = String::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u32 + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let indent = raw.len() - raw.trim_start_matches(' ').len();
        let line = raw.trim();
        if indent == 0 {
            section = line.to_string();
            if matches!(line, "GEM" | "GIT" | "PATH" | "SVN") {
                lock.sources.push(Source { kind: line.to_string(), ..Source::default() });
            }
            continue;
        }
        match section.as_str() {
            "GEM" | "GIT" | "PATH" | "SVN" => {
                let Some(src) = lock.sources.last_mut() else { continue };
                if indent == 2 {
                    if let Some((k, v)) = line.split_once(": ") {
                        match k {
                            "remote" => src.remote = Some(v.to_string()),
                            "revision" => src.revision = Some(v.to_string()),
                            "branch" | "tag" | "ref" => src.reference = Some(format!("{k}={v}")),
                            _ => {}
                        }
                    }
                } else if indent == 4 {
                    let (name, version) = name_and_paren(line);
                    let Some(version) = version else {
                        diags.push(
                            Diagnostic::warning(
                                "invalid-lockfile-entry",
                                format!("`{line}` has no version; skipped"),
                            )
                            .at(path, Some(line_no)),
                        );
                        continue;
                    };
                    let (version, platform) = split_platform(version);
                    let source = lock.sources.len() - 1;
                    lock.specs.push(Spec {
                        name: name.to_string(),
                        version,
                        platform,
                        deps: vec![],
                        line: line_no,
                        source,
                    });
                } else if indent == 6 {
                    if let Some(s) = lock.specs.last_mut() {
                        s.deps.push(name_and_paren(line).0.to_string());
                    }
                }
            }
            "DEPENDENCIES" if indent == 2 => {
                let (name, _) = name_and_paren(line);
                lock.direct.push((name.trim_end_matches('!').to_string(), line_no));
            }
            "CHECKSUMS" if indent == 2 => {
                if let Some((spec, sum)) = line.split_once(") ") {
                    for part in sum.split(',') {
                        if let Some(h) = part.trim().strip_prefix("sha256=") {
                            lock.checksums.insert(format!("{spec})"), h.to_ascii_lowercase());
                        }
                    }
                }
            }
            "BUNDLED WITH" => lock.bundled_with = Some(line.to_string()),
            _ => {}
        }
    }
    lock
}

/// Gems declared only inside `group :development`/`:test` blocks of a Gemfile.
fn dev_only_gems(gemfile: &str) -> BTreeSet<String> {
    let mut dev = BTreeSet::new();
    let mut runtime = BTreeSet::new();
    let mut groups: Vec<bool> = Vec::new();
    for raw in gemfile.lines() {
        let line = raw.trim();
        if line.starts_with("group ") && line.ends_with(" do") {
            let names: Vec<&str> =
                line[6..line.len() - 3].split(',').map(|s| s.trim().trim_start_matches(':')).collect();
            groups.push(names.iter().all(|n| matches!(*n, "development" | "test")));
        } else if line == "end" {
            groups.pop();
        } else if let Some(rest) = line.strip_prefix("gem ") {
            let name = rest.trim_start().trim_start_matches(['\'', '"']);
            let name: String = name.chars().take_while(|c| *c != '\'' && *c != '"').collect();
            let in_dev = groups.last().copied().unwrap_or(false)
                || line.contains("group: :development")
                || line.contains("group: :test");
            if in_dev {
                dev.insert(name);
            } else {
                runtime.insert(name);
            }
        } else if line.ends_with(" do") {
            groups.push(groups.last().copied().unwrap_or(false));
        }
    }
    dev.difference(&runtime).cloned().collect()
}

impl Resolver for RubyResolver {
    fn name(&self) -> &'static str {
        "ruby"
    }

    fn resolve(&self, ctx: &ResolveContext) -> Resolution {
        let mut out = Resolution::default();
        for f in ctx.tree.named("Gemfile.lock").chain(ctx.tree.named("gems.locked")) {
            let Some(text) = ctx.tree.read_text_or_note(&f.path, &mut out.diagnostics) else {
                continue;
            };
            let gemfile = ["Gemfile", "gems.rb"]
                .iter()
                .filter_map(|n| join_rel(f.dir(), n))
                .find(|p| ctx.tree.contains(p))
                .and_then(|p| ctx.tree.read_text(&p).ok())
                .unwrap_or_default();
            let lock = parse(&text, &f.path, &mut out.diagnostics);
            if lock.sources.is_empty() {
                out.diagnostics.push(
                    Diagnostic::error("invalid-lockfile", "no GEM, GIT or PATH section: not a Gemfile.lock")
                        .at(&f.path, Some(1)),
                );
                continue;
            }
            out.append(resolve_lock(&lock, &f.path, f.dir(), &dev_only_gems(&gemfile), ctx));
        }
        out
    }
}

fn resolve_lock(
    lock: &Lock,
    path: &str,
    dir: &str,
    dev: &BTreeSet<String>,
    ctx: &ResolveContext,
) -> Resolution {
    let mut out = Resolution::default();
    let mut app = project(Ecosystem::Gem, &dir_name(dir, ctx.tree.root()), dir, path);
    if let Some(b) = &lock.bundled_with {
        app.properties.insert("bundled-with".into(), b.clone());
    }
    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in lock.specs.iter().enumerate() {
        by_name.entry(s.name.as_str()).or_default().push(i);
    }
    let mut ids = Vec::new();
    for s in &lock.specs {
        let src = &lock.sources[s.source];
        let mut quals: Vec<(&str, String)> = Vec::new();
        if let Some(p) = &s.platform {
            quals.push(("platform", p.clone()));
        }
        let source = match (src.kind.as_str(), &src.remote) {
            ("GIT", Some(r)) => {
                let url = redact_url(r);
                quals.push((
                    "vcs_url",
                    match &src.revision {
                        Some(c) => format!("git+{url}@{c}"),
                        None => format!("git+{url}"),
                    },
                ));
                SourceKind::Git { url, commit: src.revision.clone(), reference: src.reference.clone() }
            }
            ("PATH", Some(r)) => SourceKind::Path { path: join_rel(dir, r).unwrap_or_else(|| r.clone()) },
            (_, Some(r)) if r.trim_end_matches('/') == "https://rubygems.org" => {
                SourceKind::Registry { url: None }
            }
            (_, r) => {
                let url = r.as_deref().map(redact_url);
                if let Some(u) = &url {
                    quals.push(("repository_url", u.clone()));
                }
                SourceKind::Registry { url }
            }
        };
        let q: Vec<(&str, &str)> = quals.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let id = purl::build("gem", None, &s.name, Some(&s.version), &q)
            .unwrap_or_else(|| format!("pkg:gem/{}@{}", s.name, s.version));
        let mut c = Component::new(Ecosystem::Gem, &s.name, Some(s.version.clone())).with_purl(id.clone());
        if matches!(&source, SourceKind::Path { .. }) {
            c.kind = ComponentKind::Application;
        }
        c.source = Some(source);
        c.found_in.push(Location::new(path, Some(s.line)));
        let full = match &s.platform {
            Some(p) => format!("{} ({}-{p})", s.name, s.version),
            None => format!("{} ({})", s.name, s.version),
        };
        if let Some(h) =
            lock.checksums.get(&full).filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            c.hashes.push(Hash { alg: HashAlg::Sha256, value: h.clone() });
        }
        ids.push(id);
        out.components.push(c);
    }
    // Scopes: from the direct dependencies (dev when only in development/test groups), then along edges.
    let mut scope: Vec<Option<Scope>> = vec![None; lock.specs.len()];
    let mut queue = VecDeque::new();
    for (name, line) in &lock.direct {
        let s = if dev.contains(name) { Scope::Dev } else { Scope::Runtime };
        for &i in by_name.get(name.as_str()).map(Vec::as_slice).unwrap_or(&[]) {
            out.edges.push(Edge { from: app.id.clone(), to: ids[i].clone(), kind: edge_kind(s) });
            out.components[i].direct = true;
            out.components[i].found_in.push(Location::new(path, Some(*line)));
            if scope[i].is_none_or(|c| s > c) {
                scope[i] = Some(s);
                queue.push_back(i);
            }
        }
    }
    while let Some(i) = queue.pop_front() {
        let s = scope[i].unwrap_or(Scope::Runtime);
        for d in &lock.specs[i].deps {
            for &j in by_name.get(d.as_str()).map(Vec::as_slice).unwrap_or(&[]) {
                if scope[j].is_none_or(|c| s > c) {
                    scope[j] = Some(s);
                    queue.push_back(j);
                }
            }
        }
    }
    for (i, s) in lock.specs.iter().enumerate() {
        out.components[i].scope = scope[i].unwrap_or(Scope::Runtime);
        for d in &s.deps {
            for &j in by_name.get(d.as_str()).map(Vec::as_slice).unwrap_or(&[]) {
                out.edges.push(Edge {
                    from: ids[i].clone(),
                    to: ids[j].clone(),
                    kind: crate::model::EdgeKind::Normal,
                });
            }
        }
    }
    out.components.push(app);
    out
}
