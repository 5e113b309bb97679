//! The online collector (`--online`): the GitHub profile of a repository owner (location, company,
//! blog, public e-mail), through the REST API (`GET /users/{login}`).
//!
//! Opt-in, bounded and polite: a token from `GITHUB_TOKEN` when set; every answer (including "not
//! found") cached on disk for a week; a request timeout; at most `max_requests` requests per scan; when
//! GitHub says the rate limit is exhausted (403/429 with `x-ratelimit-remaining: 0` or `retry-after`) no
//! further request is made in this scan and a warning says until when. Failures become warnings and the
//! scan goes on offline. A host that cannot be connected to is given up after a few failures in a row,
//! like a registry's (the same [`HostGate`]): one `origin-online-unreachable` warning says how many
//! lookups could not connect and how many were skipped. Only the fields used for attribution are cached.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::enrich::registry::{host_of, HostGate};
use crate::model::{Diagnostic, Evidence, EvidenceKind};

use super::collect::{email_evidence, org_evidence, split_url};
use super::gazetteer::{Gazetteer, PlaceLevel};
use super::kb::{name_norm, KnowledgeBase};

/// Settings of the online collector.
#[derive(Debug, Clone)]
pub struct OnlineOptions {
    /// `https://api.github.com` unless configured (GitHub Enterprise, tests).
    pub base_url: String,
    pub token: Option<String>,
    /// Profiles are cached under `<cache_dir>/github/users/`.
    pub cache_dir: PathBuf,
    pub timeout: Duration,
    pub max_requests: usize,
    pub cache_ttl: Duration,
}

impl OnlineOptions {
    pub fn new(cache_dir: PathBuf) -> Self {
        OnlineOptions {
            base_url: "https://api.github.com".into(),
            token: None,
            cache_dir,
            timeout: Duration::from_secs(10),
            max_requests: 500,
            cache_ttl: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// The fields of a GitHub user or organisation that origin attribution reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub login: String,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub blog: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct CacheEntry {
    fetched_at: u64,
    /// `None`: the login does not exist.
    profile: Option<Profile>,
}

/// A GitHub API client for one scan.
pub struct GithubClient {
    opts: OnlineOptions,
    http: Option<reqwest::blocking::Client>,
    memo: HashMap<String, Option<Profile>>,
    requests: usize,
    failures: usize,
    stopped: Option<String>,
    diagnostics: Vec<Diagnostic>,
    /// Connection failures: after a few in a row the host is given up (one warning, with the counts).
    gate: HostGate,
}

impl GithubClient {
    pub fn new(opts: OnlineOptions) -> Self {
        let http = reqwest::blocking::Client::builder()
            .timeout(opts.timeout)
            .connect_timeout(opts.timeout)
            .user_agent(concat!("sovereign/", env!("CARGO_PKG_VERSION")))
            .build()
            .ok();
        let mut c = GithubClient {
            opts,
            http,
            memo: HashMap::new(),
            requests: 0,
            failures: 0,
            stopped: None,
            diagnostics: Vec::new(),
            gate: HostGate::default(),
        };
        if c.http.is_none() {
            c.stop("origin-online-failed", "cannot create an HTTP client; origins stay offline".into());
        }
        c
    }

    pub fn base_url(&self) -> &str {
        &self.opts.base_url
    }

    /// Warnings collected during the scan (rate limit, failures, one per unreachable host).
    pub fn into_diagnostics(mut self) -> Vec<Diagnostic> {
        self.diagnostics.extend(self.gate.warnings("origin-online-unreachable"));
        self.diagnostics
    }

    /// Requests actually sent (cache hits excluded).
    pub fn requests(&self) -> usize {
        self.requests
    }

    fn stop(&mut self, code: &str, message: String) {
        if self.stopped.is_none() {
            self.diagnostics.push(Diagnostic::warning(code, message.clone()));
            self.stopped = Some(message);
        }
    }

    fn cache_path(&self, login: &str) -> PathBuf {
        self.opts.cache_dir.join("github").join("users").join(format!("{login}.json"))
    }

    /// The profile of `login`: from memory, the disk cache, or one API request. `None` when unknown,
    /// not found, or the online collector has stopped.
    pub fn profile(&mut self, login: &str) -> Option<Profile> {
        let login = login.to_lowercase();
        if login.is_empty()
            || login.len() > 39
            || !login.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return None;
        }
        if let Some(p) = self.memo.get(&login) {
            return p.clone();
        }
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        if let Ok(text) = std::fs::read_to_string(self.cache_path(&login)) {
            if let Ok(entry) = serde_json::from_str::<CacheEntry>(&text) {
                if now.saturating_sub(entry.fetched_at) < self.opts.cache_ttl.as_secs() {
                    self.memo.insert(login, entry.profile.clone());
                    return entry.profile;
                }
            }
        }
        if self.stopped.is_some() {
            return None;
        }
        if self.requests >= self.opts.max_requests {
            let n = self.opts.max_requests;
            self.stop(
                "origin-online-limit",
                format!("stopped after {n} GitHub API requests (the per-scan bound)"),
            );
            return None;
        }
        let result = self.fetch(&login);
        match result {
            Fetch::Found(p) => {
                self.store(&login, now, Some(p.clone()));
                self.memo.insert(login, Some(p.clone()));
                Some(p)
            }
            Fetch::NotFound => {
                self.store(&login, now, None);
                self.memo.insert(login, None);
                None
            }
            Fetch::Failed => {
                self.memo.insert(login, None);
                None
            }
        }
    }

    fn store(&mut self, login: &str, now: u64, profile: Option<Profile>) {
        let path = self.cache_path(login);
        let Ok(bytes) = serde_json::to_vec(&CacheEntry { fetched_at: now, profile }) else { return };
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = crate::util::atomic::write_atomic(&path, &bytes);
    }

    fn fetch(&mut self, login: &str) -> Fetch {
        let Some(http) = self.http.clone() else { return Fetch::Failed };
        let url = format!("{}/users/{login}", self.opts.base_url.trim_end_matches('/'));
        let mut req = http
            .get(&url)
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28");
        if let Some(t) = &self.opts.token {
            req = req.bearer_auth(t);
        }
        let host = host_of(&url);
        if !self.gate.allow(&host) {
            return Fetch::Failed;
        }
        self.requests += 1;
        let resp = match req.send() {
            Ok(r) => {
                self.gate.record(&host, false);
                r
            }
            Err(e) if e.is_connect() => {
                // Counted by the gate: one warning per host at the end, not one per lookup.
                self.gate.record(&host, true);
                return Fetch::Failed;
            }
            Err(e) => {
                let what = if e.is_timeout() { "timed out" } else { "failed" };
                self.failure(format!("GitHub request for `{login}` {what}"));
                return Fetch::Failed;
            }
        };
        let status = resp.status().as_u16();
        let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let remaining = header("x-ratelimit-remaining");
        let reset = header("x-ratelimit-reset");
        let retry_after = header("retry-after");
        match status {
            200 => match resp.text().map(|t| serde_json::from_str::<Profile>(&t)) {
                Ok(Ok(p)) if !p.login.is_empty() => {
                    self.failures = 0;
                    Fetch::Found(p)
                }
                _ => {
                    self.diagnostics.push(Diagnostic::warning(
                        "origin-online-malformed",
                        format!("GitHub answered `{url}` with a body that is not a user profile; ignored"),
                    ));
                    Fetch::Failed
                }
            },
            404 => Fetch::NotFound,
            403 | 429 if remaining.as_deref() == Some("0") || retry_after.is_some() => {
                let until = match (&reset, &retry_after) {
                    (Some(r), _) => format!(
                        "until {} (x-ratelimit-reset)",
                        crate::util::time::rfc3339(r.parse().unwrap_or(0))
                    ),
                    (None, Some(s)) => format!("for {s} s (retry-after)"),
                    _ => String::new(),
                };
                let hint =
                    if self.opts.token.is_none() { "; set GITHUB_TOKEN for a higher limit" } else { "" };
                self.stop(
                    "origin-online-rate-limited",
                    format!(
                        "GitHub API rate limit reached {until}: no more profile requests in this scan{hint}"
                    ),
                );
                Fetch::Failed
            }
            _ => {
                self.failure(format!("GitHub answered HTTP {status} for `{url}`"));
                Fetch::Failed
            }
        }
    }

    fn failure(&mut self, message: String) {
        self.failures += 1;
        self.diagnostics.push(Diagnostic::warning("origin-online-failed", message));
        if self.failures >= 3 {
            self.stop(
                "origin-online-failed",
                "three GitHub requests in a row failed; origins stay offline".into(),
            );
        }
    }
}

enum Fetch {
    Found(Profile),
    NotFound,
    Failed,
}

/// Evidence from a profile: its location (gazetteer), its company (a known organisation), its blog
/// (web domain) and public e-mail.
pub fn profile_evidence(kb: &KnowledgeBase, p: &Profile, base_url: &str) -> Vec<Evidence> {
    let mut ev = Vec::new();
    let w = kb.w();
    let src = format!("{}/users/{}", base_url.trim_end_matches('/'), p.login);
    if let Some(loc) = p.location.as_deref().filter(|l| !l.trim().is_empty()) {
        if let Some(place) = Gazetteer::builtin().locate(loc) {
            let base = if place.level == PlaceLevel::City {
                w.profile_location_city
            } else {
                w.profile_location_country
            };
            ev.push(Evidence {
                kind: EvidenceKind::MaintainerLocation,
                value: format!(
                    "GitHub profile {} location \"{}\" (matched {})",
                    p.login,
                    loc.trim(),
                    place.matched
                ),
                country: Some(place.country.clone()),
                weight: ((base * place.confidence) * 1000.0).round() / 1000.0,
                source: format!("{src} (self-reported; geocoded offline with rules/origins/gazetteer.tsv)"),
                weak: false,
                organisation: None,
                parent_country: None,
                facet: None,
            });
        }
    }
    if let Some(company) = p.company.as_deref() {
        for part in company.split([',', '/', '&']).map(str::trim).filter(|s| !s.is_empty()) {
            let refs = match part.strip_prefix('@') {
                Some(owner) => kb.github.get(&owner.to_lowercase()),
                None => kb.names.get(&name_norm(part)),
            };
            for r in refs.into_iter().flatten() {
                let mut e = org_evidence(
                    kb,
                    EvidenceKind::KnownOrganisation,
                    format!("GitHub profile {} company \"{part}\"", p.login),
                    *r,
                    w.profile_company,
                );
                e.source = format!("{src}; {}", e.source);
                ev.push(e);
            }
        }
    }
    let mut extra = Vec::new();
    if let Some(blog) = p.blog.as_deref().filter(|b| !b.trim().is_empty()) {
        let url = if blog.contains("://") { blog.to_string() } else { format!("https://{blog}") };
        if let Some((host, _)) = split_url(&url) {
            if host != "github.com" && !host.ends_with(".github.io") {
                super::collect::web_evidence(kb, &host, &mut extra);
            }
        }
    }
    if let Some(email) = p.email.as_deref() {
        email_evidence(kb, email, &mut extra);
    }
    for mut e in extra {
        e.value = format!("GitHub profile {}: {}", p.login, e.value);
        e.source = format!("{src}; {}", e.source);
        ev.push(e);
    }
    ev
}
