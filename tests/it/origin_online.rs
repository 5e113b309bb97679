//! The online origin collector (GitHub profiles) against HTTP servers on 127.0.0.1 that answer with
//! recorded-style responses and faults: 500, 403 rate limit with a reset header, malformed JSON, a
//! server that never answers, 404, and the disk cache.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sovereign::enrich::origin::github::{GithubClient, OnlineOptions};
use sovereign::enrich::origin::{self, OriginOptions};
use sovereign::model::{Component, Ecosystem, Inventory};

/// What the fake API answers for a path: (status line, extra headers, body).
type Reply = (&'static str, Vec<(&'static str, String)>, String);

/// A server on 127.0.0.1 answering each request with `answer(path)`; `None` = never answer (hang).
/// Records every request (path and Authorization header). Stops when the test ends (the listener
/// thread is detached and only ever waits on its own socket).
struct Server {
    base: String,
    seen: Log,
}

fn serve(answer: impl Fn(&str) -> Option<Reply> + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        for stream in listener.incoming().take(50) {
            let Ok(stream) = stream else { continue };
            let (log, answer) = (log.clone(), answer.clone());
            std::thread::spawn(move || handle(stream, &log, &*answer));
        }
    });
    Server { base, seen }
}

type Log = Arc<Mutex<Vec<(String, Option<String>)>>>;

fn handle(mut stream: std::net::TcpStream, log: &Log, answer: &dyn Fn(&str) -> Option<Reply>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let mut auth = None;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("authorization") {
                auth = Some(v.trim().to_string());
            }
        }
    }
    log.lock().unwrap().push((path.clone(), auth));
    match answer(&path) {
        Some((status, headers, body)) => {
            let mut resp =
                format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
            for (k, v) in headers {
                resp.push_str(&format!("{k}: {v}\r\n"));
            }
            resp.push_str("\r\n");
            resp.push_str(&body);
            let _ = stream.write_all(resp.as_bytes());
        }
        None => {
            // Hang: keep the connection open without answering, longer than the client waits.
            std::thread::sleep(Duration::from_secs(5));
        }
    }
}

fn ok(json: &str) -> Option<Reply> {
    Some(("200 OK", vec![("Content-Type", "application/json".into())], json.to_string()))
}

fn options(base: &str, cache: &std::path::Path) -> OnlineOptions {
    let mut o = OnlineOptions::new(cache.to_path_buf());
    o.base_url = base.to_string();
    o.timeout = Duration::from_millis(800);
    o
}

fn repo_component(name: &str, repo: &str) -> Component {
    let mut c = Component::new(Ecosystem::Cargo, name, Some("1.0.0".into()))
        .with_purl(format!("pkg:cargo/{name}@1.0.0"));
    c.repository = Some(repo.to_string());
    c
}

/// Recorded-style GitHub user objects (fields as the REST API returns them).
const SEOUL_USER: &str = r#"{"login":"kim-dev","id":101,"type":"User","name":"Kim","company":null,"blog":"","location":"Seoul, South Korea","email":null,"bio":null,"public_repos":12}"#;
const ALIBABA_EMPLOYEE: &str = r#"{"login":"zhang-san","id":102,"type":"User","name":"Zhang","company":"@alibaba","blog":"https://zhang.example.com","location":"Hangzhou, Zhejiang","email":null}"#;
const VAGUE_USER: &str = r#"{"login":"wanderer","id":103,"type":"User","company":"","blog":"","location":"Earth","email":"wanderer@gmail.com"}"#;

#[test]
fn profiles_give_locations_and_companies_and_are_cached() {
    let server = serve(|path| match path {
        "/users/kim-dev" => ok(SEOUL_USER),
        "/users/zhang-san" => ok(ALIBABA_EMPLOYEE),
        "/users/wanderer" => ok(VAGUE_USER),
        _ => Some(("404 Not Found", vec![], r#"{"message":"Not Found"}"#.into())),
    });
    let cache = tempfile::tempdir().unwrap();
    let mut inv = Inventory {
        components: vec![
            repo_component("a", "https://github.com/kim-dev/a"),
            repo_component("b", "https://github.com/zhang-san/b"),
            repo_component("c", "https://github.com/wanderer/c"),
            repo_component("d", "https://github.com/ghost-user/d"),
            // A known organisation is decided offline: no request for it.
            repo_component("e", "https://github.com/alibaba/e"),
        ],
        ..Inventory::default()
    };
    let mut opts =
        OriginOptions { online: Some(options(&server.base, cache.path())), ..OriginOptions::default() };
    opts.online.as_mut().unwrap().token = Some("t0ken".into());
    origin::enrich(&mut inv, &opts);
    let get = |n: &str| inv.components.iter().find(|c| c.name == n).unwrap().origin.clone();
    let a = get("a");
    assert_eq!(a.country.as_deref(), Some("KR"), "{a:#?}");
    assert!(a.evidence[0].value.contains("Seoul, South Korea"));
    assert!(a.evidence[0].source.starts_with(&format!("{}/users/kim-dev", server.base)));
    let b = get("b");
    assert_eq!(b.country.as_deref(), Some("CN"), "{b:#?}");
    assert!(b.evidence.iter().any(|e| e.value.contains("company \"@alibaba\"")), "{b:#?}");
    assert_eq!(get("c").country, None); // "Earth" and a gmail address say nothing
    assert_eq!(get("d").country, None); // 404
    assert_eq!(get("e").country.as_deref(), Some("CN"));
    let seen = server.seen.lock().unwrap().clone();
    let paths: Vec<&str> = seen.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(paths, ["/users/kim-dev", "/users/zhang-san", "/users/wanderer", "/users/ghost-user"]);
    assert!(seen.iter().all(|s| s.1.as_deref() == Some("Bearer t0ken")), "{seen:?}");
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);

    // A second scan is answered from the disk cache (found and not-found alike): no request.
    let mut inv2 = Inventory {
        components: vec![
            repo_component("a", "https://github.com/kim-dev/a"),
            repo_component("d", "https://github.com/ghost-user/d"),
        ],
        ..Inventory::default()
    };
    origin::enrich(&mut inv2, &opts);
    assert_eq!(inv2.components[0].origin.country.as_deref(), Some("KR"));
    assert_eq!(server.seen.lock().unwrap().len(), 4);
    // Only the fields used for attribution are kept on disk.
    let cached = std::fs::read_to_string(cache.path().join("github/users/kim-dev.json")).unwrap();
    assert!(cached.contains("Seoul") && !cached.contains("public_repos"), "{cached}");
}

#[test]
fn rate_limit_stops_requests_with_a_warning() {
    let server = serve(|_| {
        Some((
            "403 Forbidden",
            vec![("x-ratelimit-remaining", "0".into()), ("x-ratelimit-reset", "1700003600".into())],
            r#"{"message":"API rate limit exceeded"}"#.into(),
        ))
    });
    let cache = tempfile::tempdir().unwrap();
    let mut client = GithubClient::new(options(&server.base, cache.path()));
    assert_eq!(client.profile("first"), None);
    assert_eq!(client.profile("second"), None);
    assert_eq!(client.profile("third"), None);
    assert_eq!(client.requests(), 1, "no request after the limit");
    let d = client.into_diagnostics();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].code, "origin-online-rate-limited");
    assert!(d[0].message.contains("2023-11-14T23:13:20Z"), "{}", d[0].message);
    assert!(d[0].message.contains("GITHUB_TOKEN"), "{}", d[0].message);
    assert_eq!(server.seen.lock().unwrap().len(), 1);
}

#[test]
fn server_errors_and_malformed_json_are_warnings() {
    let server = serve(|path| match path {
        "/users/broken" => Some(("500 Internal Server Error", vec![], "oops".into())),
        "/users/garbled" => ok(r#"{"login": "garbled", "location": "#),
        "/users/array" => ok("[1, 2, 3]"),
        _ => ok(SEOUL_USER),
    });
    let cache = tempfile::tempdir().unwrap();
    let mut client = GithubClient::new(options(&server.base, cache.path()));
    assert_eq!(client.profile("broken"), None);
    assert_eq!(client.profile("garbled"), None);
    assert_eq!(client.profile("array"), None);
    // The collector goes on after failures below the circuit-breaker threshold.
    assert_eq!(client.profile("kim-dev").map(|p| p.location), Some(Some("Seoul, South Korea".into())));
    // Invalid logins are never sent.
    assert_eq!(client.profile("../etc/passwd"), None);
    assert_eq!(client.profile(&"x".repeat(60)), None);
    assert_eq!(client.requests(), 4);
    let codes: Vec<String> = client.into_diagnostics().into_iter().map(|d| d.code).collect();
    assert_eq!(codes, ["origin-online-failed", "origin-online-malformed", "origin-online-malformed"]);
    // Failures are not cached: nothing on disk for them.
    assert!(!cache.path().join("github/users/broken.json").exists());
}

#[test]
fn a_hanging_server_times_out_and_the_scan_goes_on() {
    let server = serve(|_| None);
    let cache = tempfile::tempdir().unwrap();
    let mut inv = Inventory {
        components: (0..5)
            .map(|i| repo_component(&format!("c{i}"), &format!("https://github.com/owner{i}/r")))
            .collect(),
        ..Inventory::default()
    };
    let opts =
        OriginOptions { online: Some(options(&server.base, cache.path())), ..OriginOptions::default() };
    let start = Instant::now();
    origin::enrich(&mut inv, &opts);
    let took = start.elapsed();
    // Three timeouts open the circuit breaker; the last two owners are not asked.
    assert!(took < Duration::from_secs(4), "{took:?}");
    assert!(inv.components.iter().all(|c| c.origin.country.is_none()));
    let codes: Vec<&str> = inv.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["origin-online-failed"; 4], "{:?}", inv.diagnostics);
    assert!(inv.diagnostics[0].message.contains("timed out"), "{:?}", inv.diagnostics);
    assert!(inv.diagnostics[3].message.contains("three GitHub requests in a row failed"));
    assert_eq!(server.seen.lock().unwrap().len(), 3);
}

/// The GitHub API host nobody listens on: after a few connection failures in a row it is given up, and
/// one warning (not one per owner) says how many lookups could not connect and how many were skipped,
/// as for a registry.
#[test]
fn an_unreachable_github_host_is_one_warning_with_the_count_skipped() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let cache = tempfile::tempdir().unwrap();
    let mut inv = Inventory {
        components: (0..40)
            .map(|i| repo_component(&format!("c{i}"), &format!("https://github.com/owner{i}/r")))
            .collect(),
        ..Inventory::default()
    };
    let opts = OriginOptions { online: Some(options(&base, cache.path())), ..OriginOptions::default() };
    origin::enrich(&mut inv, &opts);
    let warnings: Vec<&sovereign::model::Diagnostic> =
        inv.diagnostics.iter().filter(|d| d.severity == sovereign::model::Severity::Warning).collect();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert_eq!(warnings[0].code, "origin-online-unreachable");
    let w = &warnings[0].message;
    assert_eq!(
        *w,
        format!(
            "127.0.0.1:{port}: 3 lookup(s) could not connect, 37 more skipped after 3 failures in a row; \
             continuing without it"
        ),
        "40 owners, every one accounted for"
    );
    assert!(inv.components.iter().all(|c| c.origin.country.is_none()));
    // Nothing is cached for a lookup that could not connect.
    assert!(!cache.path().join("github/users/owner0.json").exists());
}

#[test]
fn online_is_off_by_default() {
    // The library's default asks no host.
    assert!(OriginOptions::default().online.is_none());
    // The CLI, with every online endpoint pointed at a server that answers everything: without --online
    // nothing reaches it; with --online (the control) the same command does, so the first half can fail.
    let server = serve(|path| match path {
        "/users/kim-dev" => ok(SEOUL_USER),
        _ => Some(("404 Not Found", vec![], "{}".into())),
    });
    let dir = tempfile::tempdir().unwrap();
    write_hangul_project(dir.path());
    let run = |args: &[&str]| {
        let cache = tempfile::tempdir().unwrap();
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_sovereign"));
        cmd.args(args).env("SOVEREIGN_CACHE", cache.path()).env_remove("SOVEREIGN_ONLINE");
        for var in [
            "SOVEREIGN_GITHUB_API",
            "SOVEREIGN_CRATES_IO_URL",
            "SOVEREIGN_NPM_URL",
            "SOVEREIGN_PYPI_URL",
            "SOVEREIGN_MAVEN_URL",
            "SOVEREIGN_DEPS_DEV_URL",
        ] {
            cmd.env(var, &server.base);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        out
    };
    let src = dir.path().to_str().unwrap();
    let sbom = dir.path().join("out.cdx.json");
    run(&["scan", src, "-o", sbom.to_str().unwrap()]);
    let explained = run(&["explain", src, "pkg:cargo/hangul"]);
    assert!(String::from_utf8_lossy(&explained.stdout).contains("origin: unknown"));
    assert_eq!(*server.seen.lock().unwrap(), vec![], "a request was made without --online");
    run(&["explain", src, "pkg:cargo/hangul", "--online"]);
    assert!(
        server.seen.lock().unwrap().iter().any(|(p, _)| p == "/users/kim-dev"),
        "the control run with --online reached no server: {:?}",
        server.seen.lock().unwrap()
    );
}

/// A Cargo project depending on `hangul`, a git crate of the GitHub user `kim-dev`.
fn write_hangul_project(dir: &std::path::Path) {
    let commit = "0123456789abcdef0123456789abcdef01234567";
    let lock = format!(
        "version = 3\n\n[[package]]\nname = \"demo\"\nversion = \"0.1.0\"\ndependencies = [\n \"hangul\",\n]\n\n\
         [[package]]\nname = \"hangul\"\nversion = \"0.2.0\"\nsource = \"git+https://github.com/kim-dev/hangul?branch=main#{commit}\"\n"
    );
    crate::support::write_files(
        dir,
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"demo\"\nversion = \"0.1.0\"\n[dependencies]\nhangul = { git = \"https://github.com/kim-dev/hangul\", branch = \"main\" }\n",
            ),
            ("Cargo.lock", &lock),
        ],
    );
}

#[test]
fn cli_online_explain_uses_the_configured_api_and_token() {
    let server = serve(|path| match path {
        "/users/kim-dev" => ok(SEOUL_USER),
        _ => Some(("404 Not Found", vec![], "{}".into())),
    });
    let dir = tempfile::tempdir().unwrap();
    write_hangul_project(dir.path());
    let cache = tempfile::tempdir().unwrap();
    let run = |online: bool| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_sovereign"));
        // The API is configured in both runs, so only --online decides whether it is asked.
        cmd.args(["explain", dir.path().to_str().unwrap(), "pkg:cargo/hangul", "--github-api", &server.base]);
        if online {
            cmd.arg("--online");
        }
        cmd.env_remove("SOVEREIGN_ONLINE");
        cmd.env("SOVEREIGN_CACHE", cache.path()).env("GITHUB_TOKEN", "secret-token").output().unwrap()
    };
    let offline = run(false);
    assert!(String::from_utf8_lossy(&offline.stdout).contains("origin: unknown"));
    assert!(server.seen.lock().unwrap().is_empty(), "no request without --online");
    let out = run(true);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("origin: KR"), "{stdout}");
    assert!(stdout.contains("maintainer-location"), "{stdout}");
    assert!(!stdout.contains("secret-token"));
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen, [("/users/kim-dev".to_string(), Some("Bearer secret-token".to_string()))]);
}
