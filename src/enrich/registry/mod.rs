//! Opt-in registry metadata (`--online`): for components whose licence, repository or authors are
//! unknown, asks crates.io, the npm registry, PyPI's JSON API or Maven Central, and deps.dev as a
//! fallback. Base URLs are configurable (mirrors, tests); responses are cached on disk with an expiry;
//! at most `concurrency` requests run at once; every failure is a warning and the scan goes on.

mod http;
pub mod parse;

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

pub use http::{host_of, FetchError, Fetched, HostGate, HttpOptions, MAX_CONNECT_FAILURES};
use parse::Facts;

use crate::model::{Component, Diagnostic, Ecosystem, Inventory, LicenseValue};

/// Registry base URLs, without trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrls {
    pub crates_io: String,
    pub npm: String,
    pub pypi: String,
    pub maven: String,
    pub deps_dev: String,
}

impl Default for BaseUrls {
    fn default() -> Self {
        BaseUrls {
            crates_io: "https://crates.io".into(),
            npm: "https://registry.npmjs.org".into(),
            pypi: "https://pypi.org".into(),
            maven: "https://repo1.maven.org/maven2".into(),
            deps_dev: "https://api.deps.dev".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct OnlineOptions {
    pub urls: BaseUrls,
    pub http: HttpOptions,
    /// Requests in flight at once.
    pub concurrency: usize,
}

impl OnlineOptions {
    /// Defaults, caching under `cache_dir/registry`.
    pub fn new(cache_dir: Option<PathBuf>) -> Self {
        OnlineOptions {
            urls: BaseUrls::default(),
            http: HttpOptions { cache_dir: cache_dir.map(|d| d.join("registry")), ..HttpOptions::default() },
            concurrency: 4,
        }
    }
}

/// Whether a component needs anything a registry knows.
fn wanted(c: &Component) -> bool {
    let licence_unknown = c.license.declared.as_ref().is_none_or(|d| !d.valid);
    matches!(
        c.ecosystem,
        Ecosystem::Cargo
            | Ecosystem::Npm
            | Ecosystem::Pypi
            | Ecosystem::Maven
            | Ecosystem::Golang
            | Ecosystem::Nuget
    ) && c.version.is_some()
        && !matches!(
            c.source,
            Some(crate::model::SourceKind::Local) | Some(crate::model::SourceKind::Path { .. })
        )
        && (licence_unknown || c.repository.is_none() || c.authors.is_empty())
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The registry URL(s) of a component: the primary one, and deps.dev.
fn urls(c: &Component, u: &BaseUrls) -> (Option<(String, &'static str)>, Option<String>) {
    let v = c.version.as_deref().unwrap_or_default();
    let name = match (&c.namespace, c.ecosystem) {
        (Some(ns), Ecosystem::Npm) => format!("@{}/{}", ns.trim_start_matches('@'), c.name),
        (Some(ns), Ecosystem::Maven) => format!("{ns}:{}", c.name),
        (Some(ns), Ecosystem::Golang) => format!("{ns}/{}", c.name),
        _ => c.name.clone(),
    };
    let primary = match c.ecosystem {
        Ecosystem::Cargo => {
            Some((format!("{}/api/v1/crates/{}/{}", u.crates_io, enc(&c.name), enc(v)), "crates.io"))
        }
        Ecosystem::Npm => Some((format!("{}/{}/{}", u.npm, name.replace('/', "%2F"), enc(v)), "npm")),
        Ecosystem::Pypi => Some((format!("{}/pypi/{}/{}/json", u.pypi, enc(&c.name), enc(v)), "pypi")),
        Ecosystem::Maven => c.namespace.as_ref().map(|g| {
            let safe = |s: &str| s.chars().all(|ch| ch.is_ascii_alphanumeric() || "._-".contains(ch));
            let ok = safe(g) && safe(&c.name) && safe(v);
            let path = if ok {
                format!("{}/{}/{v}/{}-{v}.pom", g.replace('.', "/"), c.name, c.name)
            } else {
                String::new()
            };
            (format!("{}/{path}", u.maven), "maven-central")
        }),
        _ => None,
    };
    let system = match c.ecosystem {
        Ecosystem::Cargo => "cargo",
        Ecosystem::Npm => "npm",
        Ecosystem::Pypi => "pypi",
        Ecosystem::Maven => "maven",
        Ecosystem::Golang => "go",
        Ecosystem::Nuget => "nuget",
        _ => return (primary, None),
    };
    let dd = format!("{}/v3/systems/{system}/packages/{}/versions/{}", u.deps_dev, enc(&name), enc(v));
    (primary, Some(dd))
}

/// The host of a URL for messages (never the path: it can carry a token on a mirror).
fn host(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "registry".into())
}

/// One component's lookup: facts and the source name, or warnings.
fn lookup(http: &http::Http, c: &Component, u: &BaseUrls) -> (Option<(Facts, String)>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let (primary, dd) = urls(c, u);
    let warn = |what: &str, url: &str, e: String| {
        Diagnostic::warning(
            "registry-failed",
            format!("{}: {what} at {} failed: {e}; continuing without it", c.display_name(), host(url)),
        )
    };
    if let Some((url, name)) = primary.filter(|(u, _)| !u.ends_with('/')) {
        match http.get(&url) {
            Ok(Fetched::Body(body)) => match serde_facts(c, &body, http, u) {
                Ok(f) if !f.is_empty() => return (Some((f, format!("registry:{name}"))), diags),
                Ok(_) => {}
                Err(e) => diags.push(Diagnostic::warning(
                    "registry-bad-response",
                    format!(
                        "{}: {} sent a response that is not what its API documents: {e}",
                        c.display_name(),
                        host(&url)
                    ),
                )),
            },
            Ok(Fetched::NotFound) => {}
            Err(http::FetchError::Unreachable | http::FetchError::Skipped) => {}
            Err(e) => diags.push(warn("lookup", &url, e.to_string())),
        }
    }
    if let Some(url) = dd {
        match http.get(&url) {
            Ok(Fetched::Body(body)) => match serde_json::from_str::<serde_json::Value>(&body) {
                Ok(v) => {
                    let f = parse::deps_dev(&v);
                    if !f.is_empty() {
                        return (Some((f, "registry:deps.dev".into())), diags);
                    }
                }
                Err(e) => diags.push(Diagnostic::warning(
                    "registry-bad-response",
                    format!("{}: {} sent malformed JSON: {e}", c.display_name(), host(&url)),
                )),
            },
            Ok(Fetched::NotFound) => {}
            Err(http::FetchError::Unreachable | http::FetchError::Skipped) => {}
            Err(e) => diags.push(warn("fallback lookup", &url, e.to_string())),
        }
    }
    (None, diags)
}

fn serde_facts(c: &Component, body: &str, http: &http::Http, u: &BaseUrls) -> Result<Facts, String> {
    let json = || serde_json::from_str::<serde_json::Value>(body).map_err(|e| format!("malformed JSON: {e}"));
    Ok(match c.ecosystem {
        Ecosystem::Cargo => {
            let v = json()?;
            if !v["version"].is_object() {
                return Err("no `version` object".into());
            }
            let crate_url = format!("{}/api/v1/crates/{}", u.crates_io, enc(&c.name));
            let krate = match http.get(&crate_url) {
                Ok(Fetched::Body(b)) => serde_json::from_str::<serde_json::Value>(&b).ok(),
                _ => None,
            };
            parse::crates_io(&v, krate.as_ref())
        }
        Ecosystem::Npm => parse::npm(&json()?),
        Ecosystem::Pypi => {
            let v = json()?;
            if !v["info"].is_object() {
                return Err("no `info` object".into());
            }
            parse::pypi(&v)
        }
        Ecosystem::Maven => parse::maven_pom(body),
        _ => Facts::default(),
    })
}

/// One lookup's result: the component index, the facts and their source, the warnings.
type Outcome = (usize, Option<(Facts, String)>, Vec<Diagnostic>);

/// Looks up every component that needs it and keeps what comes back. Never fails.
pub fn enrich(inv: &mut Inventory, opts: &OnlineOptions) {
    let http = match http::Http::new(opts.http.clone()) {
        Ok(h) => h,
        Err(e) => {
            inv.diagnostics
                .push(Diagnostic::warning("registry-failed", format!("cannot start the HTTP client: {e}")));
            return;
        }
    };
    let jobs: Vec<usize> = (0..inv.components.len()).filter(|&i| wanted(&inv.components[i])).collect();
    let next = Mutex::new(0usize);
    let results: Mutex<Vec<Outcome>> = Mutex::new(Vec::new());
    let comps = &inv.components;
    std::thread::scope(|s| {
        for _ in 0..opts.concurrency.clamp(1, 16).min(jobs.len().max(1)) {
            s.spawn(|| loop {
                let i = {
                    let Ok(mut n) = next.lock() else { return };
                    let Some(&i) = jobs.get(*n) else { return };
                    *n += 1;
                    i
                };
                let (facts, diags) = lookup(&http, &comps[i], &opts.urls);
                if let Ok(mut r) = results.lock() {
                    r.push((i, facts, diags));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|r| r.0);
    // Unreachable hosts: one warning each, not one per lookup.
    inv.diagnostics.extend(http.gate.warnings("registry-unreachable"));
    for (i, facts, diags) in results {
        inv.diagnostics.extend(diags);
        let Some((f, source)) = facts else { continue };
        apply(&mut inv.components[i], f, &source);
    }
}

/// Keeps registry facts where the component has none (what the scanned files say wins).
fn apply(c: &mut Component, f: Facts, source: &str) {
    if let Some(l) = f.license {
        if c.license.declared.as_ref().is_none_or(|d| !d.valid) {
            let mut v = LicenseValue::declared(&l, source);
            if let Some(prev) = &c.license.declared {
                // Keep what the manifest said beside the registry's answer.
                v.source = format!(
                    "{source} (manifest said `{}`)",
                    prev.original.as_deref().unwrap_or(&prev.expression)
                );
            }
            c.license.declared = Some(v);
        }
    }
    c.repository = c.repository.take().or(f.repository);
    c.homepage = c.homepage.take().or(f.homepage);
    if c.authors.is_empty() {
        c.authors = f.authors;
    }
}

/// Timeouts and retries used by [`OnlineOptions::new`], for reference in docs.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
