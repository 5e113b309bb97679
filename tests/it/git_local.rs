//! Local repositories as sources: a `file://` URL, or a plain path with `--ref`, of a bare and of a
//! non-bare repository built in the test. They are checked out from the source's own object database
//! (nothing copied, nothing fetched), with the `--ref` semantics and the history depth of a URL scan, and
//! the source is neither changed nor run.

use std::path::Path;

use git2::{Oid, Repository};
use serde_json::Value;

use crate::git::{
    branchy_history, commit_project, component_version, expect_error, scan_json, subject_commit,
};
use crate::support::validate_cdx;

/// `sovereign:history:commits` of the scanned tree (how much history the scan saw).
fn history_commits(doc: &Value) -> Option<String> {
    fn find(v: &Value) -> Option<String> {
        match v {
            Value::Object(m) => {
                if m.get("name").and_then(Value::as_str) == Some("sovereign:history:commits") {
                    return m.get("value").and_then(Value::as_str).map(str::to_string);
                }
                m.values().find_map(find)
            }
            Value::Array(a) => a.iter().find_map(find),
            _ => None,
        }
    }
    find(doc)
}

/// Files under the cache entry's own object directory (`info/alternates` aside): what was copied.
fn copied_objects(cache: &Path) -> usize {
    let entry = std::fs::read_dir(cache.join("repos")).unwrap().next().unwrap().unwrap().path();
    let objects = entry.join(".git/objects");
    let mut n = 0;
    let mut stack = vec![objects.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p != objects.join("info/alternates") {
                n += 1;
            }
        }
    }
    n
}

struct Upstream {
    _dir: tempfile::TempDir,
    work: std::path::PathBuf,
    bare: std::path::PathBuf,
    /// c0 (annotated tag `r0.1.0`) ← c1 (tag `v0.1.1`) ← c2 (default branch) ← c3 (`feature`).
    commits: [Oid; 4],
}

/// A non-bare repository, a bare clone of it (`git clone --bare`), and in the non-bare one hooks and
/// config-driven commands that would leave a marker if anything ran them.
fn upstream() -> Upstream {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let repo = Repository::init(&work).unwrap();
    let [c0, c1, c2, c3] = branchy_history(&repo);
    let sig = git2::Signature::new("T", "t@example.org", &git2::Time::new(1_700_000_000, 0)).unwrap();
    repo.tag("r0.1.0", &repo.find_object(c0, None).unwrap(), &sig, "release", false).unwrap();
    repo.checkout_head(Some(git2::build::CheckoutBuilder::new().force())).unwrap();
    let bare = dir.path().join("bare.git");
    let ok = std::process::Command::new("git")
        .args(["clone", "-q", "--bare", "--no-local"])
        .arg(&work)
        .arg(&bare)
        .status()
        .expect("git is installed");
    assert!(ok.success());
    // Nothing from the scanned repository may run: a checkout hook and a smudge filter that leave a marker.
    let marker = dir.path().join("ran");
    let script = format!("#!/bin/sh\ntouch '{}'\ncat\n", marker.display());
    for hook in ["post-checkout", "post-merge", "reference-transaction"] {
        let p = work.join(".git/hooks").join(hook);
        std::fs::write(&p, &script).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    let mut cfg = repo.config().unwrap();
    cfg.set_str("filter.mark.smudge", &format!("sh -c 'touch {}; cat'", marker.display())).unwrap();
    cfg.set_str("core.fsmonitor", &format!("sh -c 'touch {}'", marker.display())).unwrap();
    Upstream { _dir: dir, work, bare, commits: [c0, c1, c2, c3] }
}

fn marker_absent(up: &Upstream) {
    let marker = up.work.parent().unwrap().join("ran");
    assert!(!marker.exists(), "a hook, filter or config command of the scanned repository ran");
}

/// Every `--ref` form against one source, in one cache.
fn check_refs(source: &str, up: &Upstream, cache: &Path) {
    let [c0, c1, _, c3] = up.commits;
    let (doc, _) = scan_json(&["scan", source, "--ref", "feature"], cache);
    assert_eq!(subject_commit(&doc), c3.to_string(), "{source}: branch");
    assert_eq!(component_version(&doc, "itoa"), "1.0.3");
    let (doc, _) = scan_json(&["scan", source, "--ref", "v0.1.1"], cache);
    assert_eq!(subject_commit(&doc), c1.to_string(), "{source}: lightweight tag");
    let (doc, _) = scan_json(&["scan", source, "--ref", "r0.1.0"], cache);
    assert_eq!(subject_commit(&doc), c0.to_string(), "{source}: annotated tag");
    assert_eq!(component_version(&doc, "itoa"), "1.0.0");
    let (doc, _) = scan_json(&["scan", source, "--ref", &c1.to_string()], cache);
    assert_eq!(subject_commit(&doc), c1.to_string(), "{source}: full commit id");
    let (doc, _) = scan_json(&["scan", source, "--ref", &c0.to_string()[..9]], cache);
    assert_eq!(subject_commit(&doc), c0.to_string(), "{source}: abbreviated commit id");
    assert_eq!(history_commits(&doc).as_deref(), Some("1"), "{source}: one commit, as a shallow fetch");
    expect_error(&["scan", source, "--ref", "no-such-ref"], cache, "reference `no-such-ref` not found");
}

/// A `file://` URL of a non-bare and of a bare repository: the default branch, every `--ref` form, the
/// history depth of a URL scan (`--history N`), nothing copied into the cache, an update seen on the next
/// scan, and nothing of the source run or changed.
#[test]
fn file_urls_are_checked_out_from_the_repository_objects() {
    let up = upstream();
    let [_, c1, c2, _] = up.commits;
    for source in [&up.work, &up.bare] {
        let url = format!("file://{}", source.display());
        let cache = tempfile::tempdir().unwrap();
        let (doc, stderr) = scan_json(&["scan", &url], cache.path());
        assert_eq!(subject_commit(&doc), c2.to_string(), "{url}: default branch");
        assert_eq!(component_version(&doc, "itoa"), "1.0.2");
        assert!(stderr.contains("cloned") && !stderr.contains("note:"), "{url}: no fallback note: {stderr}");
        assert_eq!(doc["metadata"]["component"]["externalReferences"][0]["url"], url.as_str());
        assert_eq!(history_commits(&doc).as_deref(), Some("1"), "{url}: one commit, as over git://");
        validate_cdx(&doc, "file:// local repository");
        assert_eq!(copied_objects(cache.path()), 0, "{url}: no object copied into the cache");
        let alternates = std::fs::read_to_string(
            std::fs::read_dir(cache.path().join("repos"))
                .unwrap()
                .next()
                .unwrap()
                .unwrap()
                .path()
                .join(".git/objects/info/alternates"),
        )
        .unwrap();
        let objects = if source == &up.bare { source.join("objects") } else { source.join(".git/objects") };
        assert_eq!(alternates.trim(), std::fs::canonicalize(objects).unwrap().display().to_string());

        check_refs(&url, &up, cache.path());
        let (doc, _) = scan_json(&["scan", &url, "--history", "2"], cache.path());
        assert_eq!(subject_commit(&doc), c2.to_string());
        assert_eq!(history_commits(&doc).as_deref(), Some("2"), "{url}: --history 2");
        let (doc, _) = scan_json(&["scan", &url, "--ref", &c1.to_string(), "--history", "100"], cache.path());
        assert_eq!(history_commits(&doc).as_deref(), Some("2"), "{url}: the whole history of c1");
        assert_eq!(std::fs::read_dir(cache.path().join("repos")).unwrap().count(), 1, "one cache entry");
    }

    // A new commit in the source: the next scan of the cached entry sees it (no clone afresh).
    let repo = Repository::open(&up.work).unwrap();
    let c4 = commit_project(&repo, "0.1.4");
    let url = format!("file://{}", up.work.display());
    let cache = tempfile::tempdir().unwrap();
    scan_json(&["scan", &url], cache.path());
    let (doc, stderr) = scan_json(&["scan", &url], cache.path());
    assert!(!stderr.contains("cloned"), "{stderr}");
    assert_eq!(subject_commit(&doc), c4.to_string());
    assert_eq!(component_version(&doc, "itoa"), "1.0.4");

    // A shallow source (a CI checkout, two commits deep): scanned, its history ending where its own does.
    let shallow = up.work.parent().unwrap().join("shallow");
    let ok = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "2", &url])
        .arg(&shallow)
        .status()
        .unwrap();
    assert!(ok.success());
    let shallow_url = format!("file://{}", shallow.display());
    let (doc, _) = scan_json(&["scan", &shallow_url, "--history", "10"], cache.path());
    assert_eq!(subject_commit(&doc), c4.to_string());
    assert_eq!(history_commits(&doc).as_deref(), Some("2"), "the shallow source's two commits");

    // The source: its HEAD, branch and working tree are as they were; nothing of it ran.
    assert_eq!(repo.head().unwrap().peel_to_commit().unwrap().id(), c4);
    assert!(repo.statuses(None).unwrap().is_empty(), "the source's working tree is untouched");
    marker_absent(&up);
}

/// A plain path with `--ref` (bare and non-bare) goes through the same checkout into the cache; without
/// `--ref` a working tree is still read in place, and a plain directory given as `file://` is not a
/// repository.
#[test]
fn plain_paths_with_ref_are_checked_out_from_the_repository_objects() {
    let up = upstream();
    for source in [&up.work, &up.bare] {
        let path = source.to_str().unwrap();
        let cache = tempfile::tempdir().unwrap();
        check_refs(path, &up, cache.path());
        assert_eq!(copied_objects(cache.path()), 0, "{path}: no object copied into the cache");
    }
    // Without --ref the working tree is scanned in place (its uncommitted change is seen).
    let lock = std::fs::read_to_string(up.work.join("Cargo.lock")).unwrap();
    std::fs::write(up.work.join("Cargo.lock"), lock.replace("1.0.2", "1.0.99")).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let (doc, _) = scan_json(&["scan", up.work.to_str().unwrap()], cache.path());
    assert_eq!(subject_commit(&doc), up.commits[2].to_string());
    assert!(!cache.path().join("repos").exists(), "read in place, not checked out");
    assert_eq!(component_version(&doc, "itoa"), "1.0.99", "the working tree as it is");
    let plain = tempfile::tempdir().unwrap();
    expect_error(
        &["scan", &format!("file://{}", plain.path().display())],
        cache.path(),
        "is not a git repository",
    );
    marker_absent(&up);
}
