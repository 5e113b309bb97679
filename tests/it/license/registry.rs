//! `--online` registry lookups against HTTP servers started here on 127.0.0.1, with faults.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sovereign::enrich::license::{enrich as license_stage, LicenseOptions};
use sovereign::enrich::registry::{enrich, BaseUrls, HttpOptions, OnlineOptions};
use sovereign::model::{Component, Ecosystem, Inventory, SourceKind};
use sovereign::source::SourceTree;

/// What the test server answers for a path.
#[derive(Clone)]
enum Reply {
    Json(u16, String),
    WithHeaders(u16, Vec<(String, String)>, String),
    /// Sleeps before answering (past the client's timeout).
    Hang(Duration),
    /// A body of this many bytes; with or without Content-Length.
    Big(usize, bool),
}

struct Server {
    base: String,
    hits: Arc<Mutex<BTreeMap<String, usize>>>,
    stop: Arc<AtomicBool>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Starts a server on 127.0.0.1; `route(path, hit_number)` decides each reply.
fn serve(route: impl Fn(&str, usize) -> Reply + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits: Arc<Mutex<BTreeMap<String, usize>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let route = Arc::new(route);
    let (h, s) = (hits.clone(), stop.clone());
    std::thread::spawn(move || {
        while !s.load(Ordering::SeqCst) {
            let Ok((mut conn, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            };
            let (h, route) = (h.clone(), route.clone());
            std::thread::spawn(move || {
                conn.set_nonblocking(false).ok();
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 65536 {
                    match conn.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let head = String::from_utf8_lossy(&head).to_string();
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                let n = {
                    let mut m = h.lock().unwrap();
                    let e = m.entry(path.clone()).or_insert(0);
                    *e += 1;
                    *e
                };
                let write = |conn: &mut std::net::TcpStream,
                             status: u16,
                             headers: &[(String, String)],
                             body: &[u8]| {
                    let mut r = format!(
                        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                        body.len()
                    );
                    for (k, v) in headers {
                        r.push_str(&format!("{k}: {v}\r\n"));
                    }
                    r.push_str("\r\n");
                    let _ = conn.write_all(r.as_bytes());
                    let _ = conn.write_all(body);
                };
                match route(&path, n) {
                    Reply::Json(status, body) => write(&mut conn, status, &[], body.as_bytes()),
                    Reply::WithHeaders(status, headers, body) => {
                        write(&mut conn, status, &headers, body.as_bytes())
                    }
                    Reply::Hang(d) => {
                        std::thread::sleep(d);
                        write(&mut conn, 200, &[], b"{}");
                    }
                    Reply::Big(size, with_length) => {
                        let head = if with_length {
                            format!("HTTP/1.1 200 OK\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n")
                        } else {
                            "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_string()
                        };
                        let _ = conn.write_all(head.as_bytes());
                        let chunk = vec![b'a'; 64 * 1024];
                        let mut sent = 0;
                        while sent < size {
                            if conn.write_all(&chunk).is_err() {
                                return; // the client stopped reading: expected
                            }
                            sent += chunk.len();
                        }
                    }
                }
            });
        }
    });
    Server { base, hits, stop }
}

fn options(base: &str, cache: Option<std::path::PathBuf>) -> OnlineOptions {
    OnlineOptions {
        urls: BaseUrls {
            crates_io: format!("{base}/crates"),
            npm: format!("{base}/npm"),
            pypi: format!("{base}/pypi-base"),
            maven: format!("{base}/maven2"),
            deps_dev: format!("{base}/depsdev"),
        },
        http: HttpOptions {
            timeout: Duration::from_millis(1500),
            retries: 2,
            backoff: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(5),
            max_body: 10 * 1024 * 1024,
            cache_dir: cache,
            cache_ttl: Duration::from_secs(3600),
        },
        concurrency: 3,
    }
}

fn comp(eco: Ecosystem, ns: Option<&str>, name: &str, version: &str) -> Component {
    let mut c = Component::new(eco, name, Some(version.to_string()));
    c.id =
        format!("pkg:{}/{}{name}@{version}", eco.as_str(), ns.map(|n| format!("{n}/")).unwrap_or_default());
    c.purl = Some(c.id.clone());
    c.namespace = ns.map(str::to_string);
    c.source = Some(SourceKind::Registry { url: None });
    c
}

fn facts_route(path: &str, _n: usize) -> Reply {
    let ok = |s: &str| Reply::Json(200, s.to_string());
    match path {
        "/crates/api/v1/crates/serde/1.0.0" => ok(
            r#"{"version":{"num":"1.0.0","license":"MIT/Apache-2.0","published_by":{"login":"dtolnay","name":"David Tolnay"}}}"#,
        ),
        "/crates/api/v1/crates/serde" => ok(
            r#"{"crate":{"name":"serde","repository":"https://github.com/serde-rs/serde","homepage":"https://serde.rs"}}"#,
        ),
        "/npm/@scope%2Fwidget/2.1.0" => ok(
            r#"{"name":"@scope/widget","version":"2.1.0","licenses":[{"type":"MIT"},{"type":"Apache-2.0"}],
               "repository":{"type":"git","url":"git+https://github.com/scope/widget.git"},
               "author":{"name":"Ana Example","email":"ana@example.org"},
               "maintainers":[{"name":"bo","email":"bo@example.net"}]}"#,
        ),
        "/pypi-base/pypi/requests/2.31.0/json" => ok(
            r#"{"info":{"license":"","license_expression":null,"classifiers":["License :: OSI Approved :: Apache Software License","Programming Language :: Python"],
               "author":"Kenneth Reitz","author_email":"me@kennethreitz.org","home_page":"https://requests.readthedocs.io",
               "project_urls":{"Source":"https://github.com/psf/requests"}}}"#,
        ),
        "/maven2/org/example/lib/1.2/lib-1.2.pom" => ok(
            r#"<?xml version="1.0"?><project xmlns="http://maven.apache.org/POM/4.0.0"><url>https://lib.example.org</url>
               <licenses><license><name>The Apache Software License, Version 2.0</name><url>http://www.apache.org/licenses/LICENSE-2.0.txt</url></license></licenses>
               <scm><url>https://github.com/example/lib</url></scm>
               <developers><developer><name>Kim Dev</name><email>kim@example.com</email></developer></developers></project>"#,
        ),
        "/depsdev/v3/systems/go/packages/golang.org%2Fx%2Ftext/versions/v0.14.0" => ok(
            r#"{"licenses":["BSD-3-Clause"],"links":[{"label":"SOURCE_REPO","url":"https://go.googlesource.com/text"}]}"#,
        ),
        _ => Reply::Json(404, "{}".into()),
    }
}

#[test]
fn registry_facts_are_kept_in_the_model_and_normalised() {
    let server = serve(facts_route);
    let mut inv = Inventory {
        components: vec![
            comp(Ecosystem::Cargo, None, "serde", "1.0.0"),
            comp(Ecosystem::Npm, Some("scope"), "widget", "2.1.0"),
            comp(Ecosystem::Pypi, None, "requests", "2.31.0"),
            comp(Ecosystem::Maven, Some("org.example"), "lib", "1.2"),
            comp(Ecosystem::Golang, Some("golang.org/x"), "text", "v0.14.0"),
            comp(Ecosystem::Cargo, None, "unknown-crate", "0.1.0"),
        ],
        ..Inventory::default()
    };
    enrich(&mut inv, &options(&server.base, None));
    let empty = tempfile::tempdir().unwrap();
    license_stage(&mut inv, &SourceTree::walk(empty.path()), &LicenseOptions::default());
    let get = |name: &str| inv.components.iter().find(|c| c.name == name).unwrap().clone();

    let serde = get("serde");
    let d = serde.license.declared.as_ref().unwrap();
    assert_eq!(
        (d.expression.as_str(), d.original.as_deref(), d.source.as_str()),
        ("MIT OR Apache-2.0", Some("MIT/Apache-2.0"), "registry:crates.io")
    );
    assert_eq!(serde.repository.as_deref(), Some("https://github.com/serde-rs/serde"));
    assert_eq!(serde.homepage.as_deref(), Some("https://serde.rs"));
    assert_eq!(serde.authors, ["David Tolnay"]);

    let w = get("widget");
    assert_eq!(w.license.declared.as_ref().unwrap().expression, "MIT OR Apache-2.0");
    assert_eq!(w.repository.as_deref(), Some("git+https://github.com/scope/widget.git"));
    assert_eq!(w.authors, ["Ana Example <ana@example.org>", "bo <bo@example.net>"]);

    // A classifier without a version is not guessed into Apache-2.0.
    let r = get("requests");
    let rd = r.license.declared.as_ref().unwrap();
    assert!(!rd.valid, "{rd:?}");
    assert_eq!(r.repository.as_deref(), Some("https://github.com/psf/requests"));
    assert_eq!(r.authors, ["Kenneth Reitz <me@kennethreitz.org>"]);

    let m = get("lib");
    assert_eq!(m.license.declared.as_ref().unwrap().expression, "Apache-2.0");
    assert_eq!(m.repository.as_deref(), Some("https://github.com/example/lib"));
    assert_eq!(m.homepage.as_deref(), Some("https://lib.example.org"));
    assert_eq!(m.authors, ["Kim Dev <kim@example.com>"]);

    let t = get("text");
    assert_eq!(t.license.declared.as_ref().unwrap().expression, "BSD-3-Clause");
    assert_eq!(t.license.declared.as_ref().unwrap().source, "registry:deps.dev");
    assert_eq!(t.repository.as_deref(), Some("https://go.googlesource.com/text"));

    // Unknown everywhere: nothing invented, no warning (a 404 is an answer).
    assert!(get("unknown-crate").license.declared.is_none());
    assert!(inv.diagnostics.iter().all(|d| !d.code.starts_with("registry-")), "{:?}", inv.diagnostics);
}

#[test]
fn faults_become_warnings_and_the_scan_completes() {
    let server = serve(|path, n| match path {
        // 500 once, then the answer: a retry succeeds.
        "/crates/api/v1/crates/flaky/1.0.0" if n == 1 => Reply::Json(500, "oops".into()),
        "/crates/api/v1/crates/flaky/1.0.0" => Reply::Json(200, r#"{"version":{"license":"MIT"}}"#.into()),
        // 429 with Retry-After: 1 once, then the answer.
        "/crates/api/v1/crates/limited/1.0.0" if n == 1 => {
            Reply::WithHeaders(429, vec![("Retry-After".into(), "1".into())], "slow down".into())
        }
        "/crates/api/v1/crates/limited/1.0.0" => Reply::Json(200, r#"{"version":{"license":"ISC"}}"#.into()),
        // Always 503: retries run out.
        "/crates/api/v1/crates/down/1.0.0" => Reply::Json(503, "down".into()),
        "/npm/hang/1.0.0" => Reply::Hang(Duration::from_secs(4)),
        "/pypi-base/pypi/malformed/1.0/json" => Reply::Json(200, "{\"info\": {\"license\": \"MIT\"".into()),
        "/npm/huge/1.0.0" => Reply::Big(50 * 1024 * 1024, true),
        "/npm/huge-unsized/1.0.0" => Reply::Big(50 * 1024 * 1024, false),
        "/npm/fine/1.0.0" => Reply::Json(200, r#"{"license":"0BSD"}"#.into()),
        _ => Reply::Json(404, "{}".into()),
    });
    let mut inv = Inventory {
        components: vec![
            comp(Ecosystem::Cargo, None, "flaky", "1.0.0"),
            comp(Ecosystem::Cargo, None, "limited", "1.0.0"),
            comp(Ecosystem::Cargo, None, "down", "1.0.0"),
            comp(Ecosystem::Npm, None, "hang", "1.0.0"),
            comp(Ecosystem::Pypi, None, "malformed", "1.0"),
            comp(Ecosystem::Npm, None, "huge", "1.0.0"),
            comp(Ecosystem::Npm, None, "huge-unsized", "1.0.0"),
            comp(Ecosystem::Npm, None, "fine", "1.0.0"),
        ],
        ..Inventory::default()
    };
    let started = Instant::now();
    enrich(&mut inv, &options(&server.base, None));
    let elapsed = started.elapsed();
    let lic = |name: &str| {
        inv.components
            .iter()
            .find(|c| c.name == name)
            .unwrap()
            .license
            .declared
            .as_ref()
            .map(|d| d.expression.clone())
    };
    assert_eq!(lic("flaky").as_deref(), Some("MIT"));
    assert_eq!(lic("limited").as_deref(), Some("ISC"));
    assert_eq!(lic("fine").as_deref(), Some("0BSD"));
    for n in ["down", "hang", "malformed", "huge", "huge-unsized"] {
        assert_eq!(lic(n), None, "{n}");
    }
    let hits = server.hits.lock().unwrap().clone();
    assert_eq!(hits.get("/crates/api/v1/crates/flaky/1.0.0"), Some(&2));
    assert_eq!(hits.get("/crates/api/v1/crates/limited/1.0.0"), Some(&2));
    assert_eq!(hits.get("/crates/api/v1/crates/down/1.0.0"), Some(&3), "1 try + 2 retries");
    assert!(elapsed >= Duration::from_secs(1), "Retry-After: 1 was honoured ({elapsed:?})");
    assert!(elapsed < Duration::from_secs(30), "bounded ({elapsed:?})");
    let warn = |needle: &str, name: &str| {
        inv.diagnostics.iter().any(|d| {
            d.severity == sovereign::model::Severity::Warning
                && d.message.contains(name)
                && d.message.contains(needle)
        })
    };
    assert!(warn("gave up after 3 attempts (last: HTTP 503)", "down@1.0.0"), "{:#?}", inv.diagnostics);
    assert!(warn("timed out", "hang@1.0.0"), "{:#?}", inv.diagnostics);
    assert!(warn("malformed JSON", "malformed@1.0"), "{:#?}", inv.diagnostics);
    assert!(warn("larger than 10485760 bytes", "huge@1.0.0"), "{:#?}", inv.diagnostics);
    assert!(warn("larger than 10485760 bytes", "huge-unsized@1.0.0"), "{:#?}", inv.diagnostics);
    // The server's address never leaks a path into messages: only the host.
    assert!(inv.diagnostics.iter().all(|d| !d.message.contains("/npm/")));
}

#[test]
fn responses_are_cached_on_disk_until_they_expire() {
    let server = serve(facts_route);
    let cache = tempfile::tempdir().unwrap();
    let run = |ttl: Duration| {
        let mut inv = Inventory {
            components: vec![comp(Ecosystem::Npm, Some("scope"), "widget", "2.1.0")],
            ..Inventory::default()
        };
        let mut o = options(&server.base, Some(cache.path().to_path_buf()));
        o.http.cache_ttl = ttl;
        enrich(&mut inv, &o);
        inv.components[0].license.declared.clone().map(|d| d.expression)
    };
    let path = "/npm/@scope%2Fwidget/2.1.0";
    assert!(run(Duration::from_secs(3600)).is_some());
    assert_eq!(server.hits.lock().unwrap().get(path), Some(&1));
    assert!(run(Duration::from_secs(3600)).is_some());
    assert_eq!(server.hits.lock().unwrap().get(path), Some(&1), "served from the cache");
    std::thread::sleep(Duration::from_millis(1100));
    assert!(run(Duration::from_secs(0)).is_some());
    assert_eq!(server.hits.lock().unwrap().get(path), Some(&2), "expired entry fetched again");
}

/// `--offline` wins over `--online`: no request reaches the server.
#[test]
fn offline_forbids_the_network_even_with_online() {
    let server = serve(facts_route);
    let dir = tempfile::tempdir().unwrap();
    crate::support::write_files(
        dir.path(),
        &[
            ("Cargo.toml", "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\nserde = \"1\"\n"),
            (
                "Cargo.lock",
                "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"serde\"]\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
            ),
        ],
    );
    let cache = tempfile::tempdir().unwrap();
    let crates = format!("{}/crates", server.base);
    let src = dir.path().display().to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sovereign"))
        .args([
            "scan",
            &src,
            "--quiet",
            "--online",
            "--offline",
            "--crates-io-url",
            &crates,
            "--deps-dev-url",
            &crates,
        ])
        .env("SOVEREIGN_CACHE", cache.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(server.hits.lock().unwrap().is_empty(), "{:?}", server.hits.lock().unwrap());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sovereign"))
        .args(["scan", &src, "--quiet", "--online", "--crates-io-url", &crates, "--deps-dev-url", &crates])
        .env("SOVEREIGN_CACHE", cache.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let serde = doc["components"].as_array().unwrap().iter().find(|c| c["name"] == "serde").unwrap();
    assert_eq!(serde["licenses"][0]["expression"], "MIT OR Apache-2.0", "{serde}");
    assert_eq!(server.hits.lock().unwrap().get("/crates/api/v1/crates/serde/1.0.0"), Some(&1));
    crate::support::validate_cdx(&doc, "offline_forbids_the_network_even_with_online");
}

/// A registry host nobody listens on: after a few connection failures in a row it is given up, and one
/// warning (not one per package) says how many lookups failed and how many were skipped.
#[test]
fn an_unreachable_host_is_one_warning_with_the_count_skipped() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let mut inv = Inventory {
        components: (0..40).map(|i| comp(Ecosystem::Npm, None, &format!("p{i}"), "1.0.0")).collect(),
        ..Inventory::default()
    };
    enrich(&mut inv, &options(&base, None));
    let warnings: Vec<&str> = inv
        .diagnostics
        .iter()
        .filter(|d| d.severity == sovereign::model::Severity::Warning)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(inv.diagnostics[0].code == "registry-unreachable", "{:?}", inv.diagnostics[0]);
    let w = warnings[0];
    assert!(
        w.starts_with(&format!("127.0.0.1:{port}: ")) && w.contains("more skipped after 3 failures"),
        "{w}"
    );
    let failed: u32 = w.split(": ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    let skipped: u32 = w.split(", ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    // 40 packages, two URLs each (the registry and deps.dev, both on the dead host): every one accounted for.
    assert!((3..=6).contains(&failed), "{w}");
    assert_eq!(failed + skipped, 80, "{w}");
}
