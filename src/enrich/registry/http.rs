//! HTTP for the registries: one blocking client (native TLS), timeouts, a body-size cap, retries with
//! backoff on 5xx and 429 (honouring `Retry-After`), and an on-disk cache with expiry.

use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Why a fetch failed (each becomes a warning diagnostic).
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("request failed: {0}")]
    Request(String),
    #[error("HTTP {0}")]
    Status(u16),
    #[error("gave up after {attempts} attempts (last: HTTP {status})")]
    Exhausted { attempts: u32, status: u16 },
    #[error("response larger than {0} bytes; not read")]
    TooLarge(u64),
    /// The host could not be reached (connection refused, no route, timed out).
    #[error("cannot connect")]
    Unreachable,
    /// Not tried: the host failed to connect too many times in a row.
    #[error("skipped: the host is unreachable")]
    Skipped,
}

/// After this many consecutive connection failures a host is given up for the rest of the run.
pub const MAX_CONNECT_FAILURES: u32 = 3;

/// Connection failures per host: after [`MAX_CONNECT_FAILURES`] in a row the host is not tried again, and
/// one warning per host says how many lookups failed and how many were skipped.
#[derive(Debug, Default)]
pub struct HostGate {
    hosts: std::sync::Mutex<std::collections::BTreeMap<String, HostState>>,
}

#[derive(Debug, Default, Clone, Copy)]
struct HostState {
    consecutive: u32,
    failed: u32,
    skipped: u32,
}

impl HostGate {
    /// Whether a request to `host` may be made (false: given up; counted as skipped).
    pub fn allow(&self, host: &str) -> bool {
        let Ok(mut hosts) = self.hosts.lock() else { return true };
        let st = hosts.entry(host.to_string()).or_default();
        if st.consecutive >= MAX_CONNECT_FAILURES {
            st.skipped += 1;
            return false;
        }
        true
    }

    /// Records the outcome of a request to `host`: a connection failure or a response.
    pub fn record(&self, host: &str, connect_failed: bool) {
        let Ok(mut hosts) = self.hosts.lock() else { return };
        let st = hosts.entry(host.to_string()).or_default();
        if connect_failed {
            st.consecutive += 1;
            st.failed += 1;
        } else {
            st.consecutive = 0;
        }
    }

    /// One line per host that failed to connect: `(host, failed lookups, skipped lookups)`.
    pub fn summary(&self) -> Vec<(String, u32, u32)> {
        let Ok(hosts) = self.hosts.lock() else { return Vec::new() };
        hosts.iter().filter(|(_, s)| s.failed > 0).map(|(h, s)| (h.clone(), s.failed, s.skipped)).collect()
    }

    /// One warning with `code` per host that failed to connect, saying how many lookups could not
    /// connect and how many were skipped (the registries and the GitHub profile lookups share it).
    pub fn warnings(&self, code: &str) -> Vec<crate::model::Diagnostic> {
        self.summary()
            .into_iter()
            .map(|(host, failed, skipped)| {
                let skipped = if skipped > 0 {
                    format!(", {skipped} more skipped after {MAX_CONNECT_FAILURES} failures in a row")
                } else {
                    String::new()
                };
                crate::model::Diagnostic::warning(
                    code,
                    format!("{host}: {failed} lookup(s) could not connect{skipped}; continuing without it"),
                )
            })
            .collect()
    }
}

/// The host of a URL (never the path: it can carry a token on a mirror).
pub fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        })
        .unwrap_or_else(|| "registry".into())
}

/// What a fetch returned: the body of a 200, or nothing for a 404 (the registry does not know it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    Body(String),
    NotFound,
}

#[derive(Debug, Clone)]
pub struct HttpOptions {
    pub timeout: Duration,
    pub retries: u32,
    /// First backoff; doubled on every retry. `Retry-After` wins when the server sends it (capped).
    pub backoff: Duration,
    pub max_retry_after: Duration,
    pub max_body: u64,
    /// `None`: no cache.
    pub cache_dir: Option<PathBuf>,
    pub cache_ttl: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(15),
            retries: 3,
            backoff: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(60),
            max_body: 10 * 1024 * 1024,
            cache_dir: None,
            cache_ttl: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct CacheEntry {
    url: String,
    fetched_at: u64,
    /// `None` for a cached 404.
    body: Option<String>,
}

pub struct Http {
    client: reqwest::blocking::Client,
    opts: HttpOptions,
    /// Hosts that do not answer are given up after a few tries.
    pub gate: HostGate,
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

impl Http {
    pub fn new(opts: HttpOptions) -> Result<Http, FetchError> {
        let client = reqwest::blocking::Client::builder()
            .timeout(opts.timeout)
            .connect_timeout(opts.timeout)
            .user_agent(concat!("sovereign/", env!("CARGO_PKG_VERSION"), " (licence and origin audit)"))
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .map_err(|e| FetchError::Request(e.to_string()))?;
        Ok(Http { client, opts, gate: HostGate::default() })
    }

    fn cache_path(&self, url: &str) -> Option<PathBuf> {
        let dir = self.opts.cache_dir.as_ref()?;
        Some(dir.join(format!("{}.json", hex::encode(Sha256::digest(url.as_bytes())))))
    }

    fn cached(&self, url: &str) -> Option<Fetched> {
        let text = std::fs::read_to_string(self.cache_path(url)?).ok()?;
        let e: CacheEntry = serde_json::from_str(&text).ok()?;
        if e.url != url || now().saturating_sub(e.fetched_at) > self.opts.cache_ttl.as_secs() {
            return None;
        }
        Some(match e.body {
            Some(b) => Fetched::Body(b),
            None => Fetched::NotFound,
        })
    }

    fn store(&self, url: &str, f: &Fetched) {
        let Some(path) = self.cache_path(url) else { return };
        let body = match f {
            Fetched::Body(b) => Some(b.clone()),
            Fetched::NotFound => None,
        };
        let entry = CacheEntry { url: url.to_string(), fetched_at: now(), body };
        if let (Some(dir), Ok(bytes)) = (path.parent(), serde_json::to_vec(&entry)) {
            if std::fs::create_dir_all(dir).is_ok() {
                let _ = crate::util::atomic::write_atomic(&path, &bytes);
            }
        }
    }

    /// GETs a URL (from the cache when fresh), retrying 5xx and 429.
    pub fn get(&self, url: &str) -> Result<Fetched, FetchError> {
        if let Some(hit) = self.cached(url) {
            return Ok(hit);
        }
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let host = host_of(url);
            if !self.gate.allow(&host) {
                return Err(FetchError::Skipped);
            }
            let resp = match self.client.get(url).send() {
                Ok(r) => r,
                Err(e) if e.is_connect() => {
                    self.gate.record(&host, true);
                    return Err(FetchError::Unreachable);
                }
                Err(e) => return Err(FetchError::Request(without_url(&e))),
            };
            self.gate.record(&host, false);
            let status = resp.status().as_u16();
            if status == 200 {
                let body = read_capped(resp, self.opts.max_body)?;
                let f = Fetched::Body(body);
                self.store(url, &f);
                return Ok(f);
            }
            if status == 404 || status == 410 {
                self.store(url, &Fetched::NotFound);
                return Ok(Fetched::NotFound);
            }
            let retryable = status == 429 || (500..600).contains(&status);
            if !retryable {
                return Err(FetchError::Status(status));
            }
            if attempt > self.opts.retries {
                return Err(FetchError::Exhausted { attempts: attempt, status });
            }
            let wait =
                retry_after(resp.headers()).map(|d| d.min(self.opts.max_retry_after)).unwrap_or_else(|| {
                    self.opts
                        .backoff
                        .checked_mul(2u32.saturating_pow(attempt - 1))
                        .unwrap_or(self.opts.max_retry_after)
                });
            std::thread::sleep(wait);
        }
    }
}

/// reqwest's error text without the URL (it is in the diagnostic already, and could carry a token).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "bad response body"
    } else {
        "request error"
    };
    kind.to_string()
}

fn read_capped(resp: reqwest::blocking::Response, max: u64) -> Result<String, FetchError> {
    if resp.content_length().is_some_and(|n| n > max) {
        return Err(FetchError::TooLarge(max));
    }
    let mut buf = Vec::new();
    resp.take(max + 1).read_to_end(&mut buf).map_err(|e| {
        FetchError::Request(if e.to_string().contains("timed out") {
            "timed out".into()
        } else {
            e.to_string()
        })
    })?;
    if buf.len() as u64 > max {
        return Err(FetchError::TooLarge(max));
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// `Retry-After`: delta-seconds (HTTP dates are rare from registries and are treated as absent).
fn retry_after(h: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = h.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}
