//! Acquisition from git: repositories built with git2 in a temp dir, scanned through `file://` URLs and
//! plain paths.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use git2::{Oid, Repository, Signature};
use serde_json::Value;

use crate::support::{run, validate_cdx};

pub(crate) fn commit_files(repo: &Repository, files: &[(&str, &str)], message: &str) -> Oid {
    let root = repo.workdir().unwrap();
    let mut index = repo.index().unwrap();
    for (path, content) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
        index.add_path(Path::new(path)).unwrap();
    }
    index.write().unwrap();
    let tree_id = index.write_tree().unwrap();
    let tree = repo.find_tree(tree_id).unwrap();
    let sig = Signature::new("Test", "test@example.org", &git2::Time::new(1_700_000_000, 0)).unwrap();
    let parents: Vec<git2::Commit> =
        repo.head().ok().and_then(|h| h.peel_to_commit().ok()).into_iter().collect();
    let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parent_refs).unwrap()
}

fn cargo_project(version: &str) -> Vec<(String, String)> {
    vec![
        ("Cargo.toml".into(), format!("[package]\nname = \"demo\"\nversion = \"{version}\"\n[dependencies]\nitoa = \"1\"\n")),
        (
            "Cargo.lock".into(),
            format!("version = 4\n\n[[package]]\nname = \"demo\"\nversion = \"{version}\"\ndependencies = [\"itoa\"]\n\n[[package]]\nname = \"itoa\"\nversion = \"1.0.{version_patch}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n", version_patch = version.rsplit('.').next().unwrap()),
        ),
    ]
}

pub(crate) fn commit_project(repo: &Repository, version: &str) -> Oid {
    let files = cargo_project(version);
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    commit_files(repo, &refs, &format!("release {version}"))
}

/// The history the fetch tests read: c0 ← c1 (lightweight tag `v0.1.1`) ← c2, the default branch, and c3
/// one commit ahead on `feature`; HEAD stays on the default branch.
pub(crate) fn branchy_history(repo: &Repository) -> [Oid; 4] {
    let c0 = commit_project(repo, "0.1.0");
    let c1 = commit_project(repo, "0.1.1");
    repo.tag_lightweight("v0.1.1", &repo.find_object(c1, None).unwrap(), false).unwrap();
    let c2 = commit_project(repo, "0.1.2");
    let head = repo.head().unwrap().shorthand().unwrap().to_string();
    repo.branch("feature", &repo.find_commit(c2).unwrap(), false).unwrap();
    repo.set_head("refs/heads/feature").unwrap();
    let c3 = commit_project(repo, "0.1.3");
    repo.set_head(&format!("refs/heads/{head}")).unwrap();
    [c0, c1, c2, c3]
}

pub(crate) fn scan_json(args: &[&str], cache: &Path) -> (Value, String) {
    let out = run(args, cache);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "sovereign {args:?} failed: {stderr}");
    (serde_json::from_slice(&out.stdout).expect("SBOM JSON"), stderr)
}

pub(crate) fn component_version(doc: &Value, name: &str) -> String {
    doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name}"))["version"]
        .as_str()
        .unwrap()
        .to_string()
}

pub(crate) fn subject_commit(doc: &Value) -> String {
    doc["metadata"]["component"]["version"].as_str().unwrap().to_string()
}

#[test]
fn branch_tag_commit_and_refetch() {
    let upstream = tempfile::tempdir().unwrap();
    let repo = Repository::init(upstream.path()).unwrap();
    let c1 = commit_project(&repo, "0.1.1");
    repo.tag_lightweight("v0.1.1", &repo.find_object(c1, None).unwrap(), false).unwrap();
    let c2 = commit_project(&repo, "0.1.2");
    // A feature branch one commit ahead.
    let head = repo.head().unwrap().shorthand().unwrap().to_string();
    repo.branch("feature", &repo.find_commit(c2).unwrap(), false).unwrap();
    repo.set_head("refs/heads/feature").unwrap();
    let c3 = commit_project(&repo, "0.1.3");
    repo.set_head(&format!("refs/heads/{head}")).unwrap();

    let cache = tempfile::tempdir().unwrap();
    let url = format!("file://{}", upstream.path().display());

    let (doc, stderr) = scan_json(&["scan", &url], cache.path());
    assert_eq!(subject_commit(&doc), c2.to_string(), "default branch");
    assert_eq!(component_version(&doc, "itoa"), "1.0.2");
    assert!(stderr.contains("cloned"), "{stderr}");
    validate_cdx(&doc, "git default branch");
    let vcs = &doc["metadata"]["component"]["externalReferences"][0];
    assert_eq!(vcs["type"], "vcs");
    assert_eq!(vcs["url"], url.as_str());

    let (doc, _) = scan_json(&["scan", &url, "--ref", "v0.1.1"], cache.path());
    assert_eq!(subject_commit(&doc), c1.to_string(), "tag");
    assert_eq!(component_version(&doc, "itoa"), "1.0.1");

    let (doc, _) = scan_json(&["scan", &url, "--ref", "feature"], cache.path());
    assert_eq!(subject_commit(&doc), c3.to_string(), "branch");
    assert_eq!(component_version(&doc, "itoa"), "1.0.3");

    let (doc, _) = scan_json(&["scan", &url, "--ref", &c1.to_string()[..10]], cache.path());
    assert_eq!(subject_commit(&doc), c1.to_string(), "abbreviated commit");

    // A new upstream commit: the second scan fetches into the cached clone instead of cloning again.
    let c4 = commit_project(&repo, "0.1.4");
    let (doc, stderr) = scan_json(&["scan", &url], cache.path());
    assert!(!stderr.contains("cloned"), "re-scan must fetch, not clone: {stderr}");
    assert_eq!(subject_commit(&doc), c4.to_string());
    assert_eq!(component_version(&doc, "itoa"), "1.0.4");
    assert_eq!(std::fs::read_dir(cache.path().join("repos")).unwrap().count(), 1, "one cache entry per URL");

    // A plain local path to the repository, with --ref, goes through the cache too.
    let (doc, _) = scan_json(&["scan", upstream.path().to_str().unwrap(), "--ref", "v0.1.1"], cache.path());
    assert_eq!(subject_commit(&doc), c1.to_string());
    // Without --ref the working tree is read in place, its HEAD recorded, and its origin URL recorded
    // without the credentials it carries.
    repo.remote("origin", "https://user:tok3n@example.com/o/r.git").unwrap();
    let (doc, _) = scan_json(&["scan", upstream.path().to_str().unwrap()], cache.path());
    assert_eq!(subject_commit(&doc), c4.to_string());
    let text = doc.to_string();
    assert!(!text.contains("tok3n"), "credentials leaked into the SBOM");
    assert_eq!(
        doc["metadata"]["component"]["externalReferences"][0]["url"],
        "https://***@example.com/o/r.git"
    );
}

pub(crate) fn expect_error(args: &[&str], cache: &Path, needle: &str) -> String {
    let out = run(args, cache);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty());
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one clear line: {stderr}");
    assert!(stderr.contains(needle), "{stderr}");
    stderr
}

#[test]
fn unknown_ref_not_a_repository_and_unreachable_are_one_line_exit_2() {
    let upstream = tempfile::tempdir().unwrap();
    let repo = Repository::init(upstream.path()).unwrap();
    commit_project(&repo, "0.1.1");
    let cache = tempfile::tempdir().unwrap();
    let url = format!("file://{}", upstream.path().display());
    expect_error(
        &["scan", &url, "--ref", "no-such-branch"],
        cache.path(),
        "reference `no-such-branch` not found",
    );

    let plain = tempfile::tempdir().unwrap();
    let not_repo = format!("file://{}", plain.path().display());
    expect_error(&["scan", &not_repo], cache.path(), "is not a git repository");

    // A closed port on loopback; credentials in the URL never reach the output.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let err = expect_error(
        &["scan", &format!("https://user:s3cret@127.0.0.1:{port}/o/r.git")],
        cache.path(),
        "cannot reach",
    );
    assert!(!err.contains("s3cret"), "{err}");
    expect_error(&["scan", &format!("ssh://git@127.0.0.1:{port}/o/r.git")], cache.path(), "cannot reach");
    expect_error(&["scan", "/definitely/not/here"], cache.path(), "does not exist");
}

#[test]
fn authentication_required_is_reported_as_such() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        // Answer every request (libgit2 retries a few times) with 401, then stop.
        listener.set_nonblocking(false).unwrap();
        for _ in 0..6 {
            let Ok((mut s, _)) = listener.accept() else { break };
            s.set_read_timeout(Some(std::time::Duration::from_secs(2))).ok();
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(
                b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"git\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    let cache = tempfile::tempdir().unwrap();
    let err = expect_error(
        &["scan", &format!("http://127.0.0.1:{port}/private/repo.git")],
        cache.path(),
        "requires authentication",
    );
    assert!(err.contains(&format!("127.0.0.1:{port}")));
    // Unblock the server if libgit2 gave up early.
    for _ in 0..6 {
        let _ = std::net::TcpStream::connect(("127.0.0.1", port));
    }
    server.join().unwrap();
}

#[test]
fn submodule_gitlinks_become_components_and_are_not_cloned() {
    let upstream = tempfile::tempdir().unwrap();
    let repo = Repository::init(upstream.path()).unwrap();
    commit_files(
        &repo,
        &[(".gitmodules", "[submodule \"third_party/lib\"]\n\tpath = third_party/lib\n\turl = https://github.com/example/lib.git\n")],
        "add .gitmodules",
    );
    // Add a gitlink (mode 160000) pointing at a commit that does not exist here.
    let pinned = Oid::from_str("89abcdef0123456789abcdef0123456789abcdef").unwrap();
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    let mut tb = repo.treebuilder(Some(&head.tree().unwrap())).unwrap();
    let mut sub = repo.treebuilder(None).unwrap();
    sub.insert("lib", pinned, 0o160000).unwrap();
    let sub_id = sub.write().unwrap();
    tb.insert("third_party", sub_id, 0o040000).unwrap();
    let tree = repo.find_tree(tb.write().unwrap()).unwrap();
    let sig = Signature::now("T", "t@example.org").unwrap();
    repo.commit(Some("HEAD"), &sig, &sig, "add submodule", &tree, &[&head]).unwrap();

    let cache = tempfile::tempdir().unwrap();
    let (doc, _) = scan_json(&["scan", &format!("file://{}", upstream.path().display())], cache.path());
    let comps = doc["components"].as_array().unwrap();
    let sub = comps.iter().find(|c| c["name"] == "lib").expect("submodule component");
    assert_eq!(sub["purl"], "pkg:github/example/lib@89abcdef0123456789abcdef0123456789abcdef");
    assert_eq!(sub["version"], "89abcdef0123456789abcdef0123456789abcdef");
    let props = sub["properties"].as_array().unwrap();
    assert!(props.iter().any(|p| p["name"] == "sovereign:kind" && p["value"] == "submodule"));
    validate_cdx(&doc, "submodule");
    // Not cloned: the cached checkout has no files under the submodule path.
    let repos: Vec<_> = std::fs::read_dir(cache.path().join("repos")).unwrap().collect();
    let checkout = repos[0].as_ref().unwrap().path();
    let inside = std::fs::read_dir(checkout.join("third_party/lib")).map(|d| d.count()).unwrap_or(0);
    assert_eq!(inside, 0);
}

/// `git daemon` serving `base` on 127.0.0.1 (a free port); killed on drop.
struct Daemon {
    child: std::process::Child,
    port: u16,
}

impl Daemon {
    fn start(base: &Path) -> Daemon {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = std::process::Command::new(git_daemon())
            .args(["--reuseaddr", "--export-all", "--listen=127.0.0.1"])
            .arg(format!("--port={port}"))
            .arg(format!("--base-path={}", base.display()))
            .arg(base)
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("git daemon (ships with git) starts");
        let daemon = Daemon { child, port };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return daemon;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("git daemon did not listen on {port}");
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn cached_repo(cache: &Path) -> Repository {
    let entry = std::fs::read_dir(cache.join("repos")).unwrap().next().unwrap().unwrap();
    Repository::open(entry.path()).unwrap()
}

/// Over `git://` the scanned ref alone is fetched, one commit deep, without the other tags; a branch, a tag,
/// a full commit id and an abbreviated one of a commit the shallow cache lacks all resolve; a new upstream
/// commit is fetched into the cached clone; `--history N` deepens the fetch.
#[test]
fn shallow_single_ref_fetches_over_git_daemon() {
    let base = tempfile::tempdir().unwrap();
    let upstream = base.path().join("demo");
    let repo = Repository::init(&upstream).unwrap();
    let [c0, c1, c2, c3] = branchy_history(&repo);
    let daemon = Daemon::start(base.path());
    let url = format!("git://127.0.0.1:{}/demo", daemon.port);
    let cache = tempfile::tempdir().unwrap();

    let (doc, stderr) = scan_json(&["scan", &url], cache.path());
    assert_eq!(subject_commit(&doc), c2.to_string(), "default branch");
    assert!(stderr.contains("cloned") && !stderr.contains("shallow fetch was refused"), "{stderr}");
    let cached = cached_repo(cache.path());
    assert!(cached.is_shallow(), "depth 1");
    assert!(cached.find_commit(c1).is_err(), "the parent commit was not fetched");
    assert!(cached.find_reference("refs/tags/v0.1.1").is_err(), "no tags unless asked");

    let (doc, _) = scan_json(&["scan", &url, "--ref", "v0.1.1"], cache.path());
    assert_eq!(subject_commit(&doc), c1.to_string(), "tag");
    assert!(cached.find_commit(c0).is_err(), "the tag alone, one commit deep");

    let (doc, _) = scan_json(&["scan", &url, "--ref", "feature"], cache.path());
    assert_eq!(subject_commit(&doc), c3.to_string(), "branch");
    assert_eq!(component_version(&doc, "itoa"), "1.0.3");

    let (doc, _) = scan_json(&["scan", &url, "--ref", &c1.to_string()], cache.path());
    assert_eq!(subject_commit(&doc), c1.to_string(), "full commit id already in the shallow cache");

    let (doc, _) = scan_json(&["scan", &url, "--ref", &c0.to_string()[..9]], cache.path());
    assert_eq!(subject_commit(&doc), c0.to_string(), "abbreviated id of a commit the shallow cache lacked");
    assert_eq!(component_version(&doc, "itoa"), "1.0.0");

    let c4 = commit_project(&repo, "0.1.4");
    let (doc, stderr) = scan_json(&["scan", &url], cache.path());
    assert!(!stderr.contains("cloned"), "re-scan fetches into the cache: {stderr}");
    assert_eq!(subject_commit(&doc), c4.to_string());

    let deep = tempfile::tempdir().unwrap();
    let (doc, _) = scan_json(&["scan", &url, "--history", "3"], deep.path());
    assert_eq!(subject_commit(&doc), c4.to_string());
    let cached = cached_repo(deep.path());
    assert!(
        cached.find_commit(c1).is_ok() && cached.find_commit(c0).is_err(),
        "three commits deep: c4, c2, c1"
    );
}

/// A TCP proxy on 127.0.0.1 in front of `git daemon` that removes the shallow capabilities (`shallow`,
/// `deepen-*`) from the first pkt-line of every ref advertisement, as a server without shallow support
/// sends it. `rewritten` counts the advertisements it changed.
struct NoShallowProxy {
    port: u16,
    rewritten: Arc<AtomicUsize>,
}

impl NoShallowProxy {
    fn start(upstream: u16) -> NoShallowProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let rewritten = Arc::new(AtomicUsize::new(0));
        let counter = rewritten.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { break };
                let counter = counter.clone();
                std::thread::spawn(move || proxy_connection(client, upstream, &counter));
            }
        });
        NoShallowProxy { port, rewritten }
    }
}

fn proxy_connection(client: TcpStream, upstream: u16, rewritten: &AtomicUsize) {
    let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else { return };
    let (mut from_client, mut to_server) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut from_client, &mut to_server);
        let _ = to_server.shutdown(Shutdown::Write);
    });
    let (mut from_server, mut to_client) = (server, client);
    // pkt-line: four hexadecimal digits of length (including themselves), then the payload.
    let mut len = [0u8; 4];
    if from_server.read_exact(&mut len).is_err() {
        return;
    }
    let n = usize::from_str_radix(std::str::from_utf8(&len).unwrap(), 16).unwrap();
    if n > 4 {
        let mut line = vec![0u8; n - 4];
        from_server.read_exact(&mut line).unwrap();
        let stripped = without_shallow_capabilities(&line);
        if stripped != line {
            rewritten.fetch_add(1, Ordering::SeqCst);
        }
        let _ = to_client.write_all(format!("{:04x}", stripped.len() + 4).as_bytes());
        let _ = to_client.write_all(&stripped);
    } else {
        let _ = to_client.write_all(&len);
    }
    let _ = std::io::copy(&mut from_server, &mut to_client);
    let _ = to_client.shutdown(Shutdown::Write);
}

/// `<oid> HEAD\0cap cap …\n` without `shallow` and `deepen-*`.
fn without_shallow_capabilities(line: &[u8]) -> Vec<u8> {
    let Some(nul) = line.iter().position(|&b| b == 0) else { return line.to_vec() };
    let caps = String::from_utf8_lossy(&line[nul + 1..]).into_owned();
    let kept: Vec<&str> = caps
        .trim_end_matches('\n')
        .split(' ')
        .filter(|c| *c != "shallow" && !c.starts_with("deepen"))
        .collect();
    let mut out = line[..=nul].to_vec();
    out.extend_from_slice(kept.join(" ").as_bytes());
    if caps.ends_with('\n') {
        out.push(b'\n');
    }
    out
}

/// A server that does not support shallow fetches (git daemon behind a proxy that hides the capability):
/// the scan fetches the full history of the same ref instead, says so in a note, and scans the right
/// commit; other branches and tags are still not fetched.
#[test]
fn a_server_refusing_shallow_fetches_gets_a_full_fetch_of_the_same_ref() {
    let base = tempfile::tempdir().unwrap();
    let upstream = base.path().join("demo");
    let repo = Repository::init(&upstream).unwrap();
    let [c0, c1, c2, c3] = branchy_history(&repo);
    let daemon = Daemon::start(base.path());
    let proxy = NoShallowProxy::start(daemon.port);
    let url = format!("git://127.0.0.1:{}/demo", proxy.port);
    let cache = tempfile::tempdir().unwrap();

    let (doc, stderr) = scan_json(&["scan", &url], cache.path());
    assert!(proxy.rewritten.load(Ordering::SeqCst) >= 1, "the proxy hid the shallow capability");
    assert_eq!(subject_commit(&doc), c2.to_string(), "default branch");
    assert_eq!(component_version(&doc, "itoa"), "1.0.2");
    let note = format!("note: {url}: a shallow fetch was refused");
    assert!(stderr.contains(&note) && stderr.contains("fetched the full history instead"), "{stderr}");
    let cached = cached_repo(cache.path());
    assert!(!cached.is_shallow(), "the full history of the ref");
    assert!(cached.find_commit(c0).is_ok() && cached.find_commit(c1).is_ok());
    assert!(cached.find_commit(c3).is_err(), "the other branch was not fetched");
    assert!(cached.find_reference("refs/tags/v0.1.1").is_err(), "no tags unless asked");

    // A tag through the same server: the same fallback, the tag's commit scanned.
    let (doc, stderr) = scan_json(&["scan", &url, "--ref", "v0.1.1"], cache.path());
    assert_eq!(subject_commit(&doc), c1.to_string(), "tag");
    assert!(stderr.contains(&note), "{stderr}");
}

/// The `git-daemon` program itself (`git daemon` would fork it, and killing `git` would leave it running).
fn git_daemon() -> std::path::PathBuf {
    let out = std::process::Command::new("git").arg("--exec-path").output().expect("git is installed");
    std::path::Path::new(String::from_utf8_lossy(&out.stdout).trim()).join("git-daemon")
}
