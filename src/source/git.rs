//! git2: clone into a cache keyed by a digest of the URL, fetch on later scans, check out the exact commit.
//!
//! Nothing from the repository is executed: libgit2 runs no hooks and no filter drivers, submodules are
//! never cloned or updated, and the remote is anonymous so credentials are never written to disk.

use std::cell::{Cell, RefCell};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use git2::{
    build::CheckoutBuilder, AutotagOption, Cred, CredentialType, Direction, ErrorClass, ErrorCode,
    FetchOptions, ObjectType, Oid, RemoteCallbacks, Repository,
};
use sha2::{Digest, Sha256};

use super::{name_of, AcquireOptions, Checkout, SourceError};
use crate::model::Subject;
use crate::util::redact::{redact_text, redact_url};

/// A submodule as the superproject pins it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gitlink {
    /// Path of the submodule inside the tree.
    pub path: String,
    /// The commit the superproject records.
    pub commit: String,
}

/// `$SOVEREIGN_CACHE`, else `$XDG_CACHE_HOME/sovereign`, else `~/.cache/sovereign`.
pub fn cache_dir_default() -> PathBuf {
    if let Some(p) = std::env::var_os("SOVEREIGN_CACHE").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    if let Some(p) = std::env::var_os("XDG_CACHE_HOME").filter(|p| !p.is_empty()) {
        return PathBuf::from(p).join("sovereign");
    }
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(".cache").join("sovereign"),
        None => std::env::temp_dir().join("sovereign-cache"),
    }
}

pub(super) fn cache_key(url: &str) -> String {
    let digest = Sha256::digest(url.trim_end_matches('/').as_bytes());
    hex::encode(&digest[..12])
}

fn set_timeouts() {
    // SAFETY: these set process-wide libgit2 options; they are called before any network operation and
    // always with the same values, so concurrent callers cannot observe an inconsistent state.
    unsafe {
        let _ = git2::opts::set_server_connect_timeout_in_milliseconds(20_000);
        let _ = git2::opts::set_server_timeout_in_milliseconds(120_000);
    }
}

/// The cache repository at `dir`, and whether it was created afresh: a half-written one from an
/// interrupted run (anything that does not open) is discarded and initialised again.
pub(super) fn open_cache(dir: &Path, shown: &str) -> Result<(Repository, bool), SourceError> {
    let cache_err =
        |e: std::io::Error| SourceError::Cache { path: dir.display().to_string(), reason: e.to_string() };
    std::fs::create_dir_all(dir).map_err(cache_err)?;
    match Repository::open(dir) {
        Ok(r) => Ok((r, false)),
        Err(_) => {
            let _ = std::fs::remove_dir_all(dir);
            std::fs::create_dir_all(dir).map_err(cache_err)?;
            Ok((Repository::init(dir).map_err(|e| git_error(shown, e))?, true))
        }
    }
}

/// Clones `url` into the cache, or fetches into the existing clone, and checks out the requested commit.
pub(super) fn clone_or_fetch(url: &str, opts: &AcquireOptions) -> Result<Checkout, SourceError> {
    let shown = redact_url(url);
    let dir = opts.cache_dir.join("repos").join(cache_key(url));
    let (repo, cloned) = open_cache(&dir, &shown)?;
    let mut notes = Vec::new();
    let default_branch = fetch(&repo, url, &shown, opts, &mut notes)?;
    let commit = resolve_ref(&repo, opts.reference.as_deref(), default_branch.as_deref(), &shown)?;

    check_out_commit(&repo, &dir, commit, name_of(url), shown, opts, cloned, notes)
}

/// Checks out `commit` in the cache repository `repo` at `dir` (detached HEAD; files of an earlier
/// checkout that the commit lacks are removed) and describes it as the scanned subject.
#[allow(clippy::too_many_arguments)]
pub(super) fn check_out_commit(
    repo: &Repository,
    dir: &Path,
    commit: Oid,
    name: String,
    shown: String,
    opts: &AcquireOptions,
    cloned: bool,
    notes: Vec<String>,
) -> Result<Checkout, SourceError> {
    let object = repo.find_object(commit, None).map_err(|e| git_error(&shown, e))?;
    repo.set_head_detached(commit).map_err(|e| git_error(&shown, e))?;
    let mut co = CheckoutBuilder::new();
    co.force().remove_untracked(true).remove_ignored(true);
    repo.checkout_tree(&object, Some(&mut co)).map_err(|e| git_error(&shown, e))?;
    Ok(Checkout {
        root: dir.to_path_buf(),
        subject: Subject {
            name,
            url: Some(shown),
            commit: Some(commit.to_string()),
            reference: opts.reference.clone(),
            digest: None,
        },
        gitlinks: gitlinks_of(repo, commit),
        cloned,
        notes,
    })
}

/// What one fetch asks for.
enum Want {
    /// One branch or tag: `(remote ref, local ref)`, fetched shallow unless history is asked for.
    One(String, String),
    /// Every branch and tag with their whole history (a commit id, or a name the remote does not advertise).
    Everything,
    /// Nothing: the requested commit is already in the cache.
    Nothing,
}

/// Fetches what is scanned through an anonymous remote: the requested branch or tag only (the remote's
/// default branch when none is named), `history` commits deep (1 when not asked), no other tags. A commit
/// id the cache lacks fetches every branch and tag with full history (servers seldom serve a bare id).
/// A server that refuses a shallow fetch gets a full one, and `notes` says so. Returns the remote's
/// default branch.
fn fetch(
    repo: &Repository,
    url: &str,
    shown: &str,
    opts: &AcquireOptions,
    notes: &mut Vec<String>,
) -> Result<Option<String>, SourceError> {
    set_timeouts();
    let progress = opts.progress && std::io::stderr().is_terminal();
    let mut remote = repo.remote_anonymous(url).map_err(|e| classify(shown, e))?;
    let attempts = Cell::new(0u32);
    let bar = RefCell::new(None::<indicatif::ProgressBar>);
    remote
        .connect_auth(Direction::Fetch, Some(callbacks(url, &attempts, None)), None)
        .map_err(|e| classify(shown, e))?;
    let default_branch = remote
        .default_branch()
        .ok()
        .and_then(|b| b.as_str().ok().map(|s| s.trim_start_matches("refs/heads/").to_string()));
    let advertised: Vec<(String, Oid)> = remote
        .list()
        .map_err(|e| classify(shown, e))?
        .iter()
        .map(|h| (h.name().to_string(), h.oid()))
        .collect();
    let has = |name: &str| advertised.iter().any(|(n, _)| n == name);
    let want = match opts.reference.as_deref() {
        Some(r) if has(&format!("refs/heads/{r}")) => {
            Want::One(format!("refs/heads/{r}"), format!("refs/remotes/origin/{r}"))
        }
        Some(r) if has(&format!("refs/tags/{r}")) => {
            Want::One(format!("refs/tags/{r}"), format!("refs/tags/{r}"))
        }
        Some(r) if is_commit_id(r) && peel_commit(repo, r).is_some() => Want::Nothing,
        Some(_) => Want::Everything,
        None => {
            let branch = default_branch.clone().or_else(|| {
                ["main", "master"].iter().find(|b| has(&format!("refs/heads/{b}"))).map(|b| b.to_string())
            });
            match branch {
                Some(b) => Want::One(format!("refs/heads/{b}"), format!("refs/remotes/origin/{b}")),
                None => Want::Everything,
            }
        }
    };
    let (specs, depth): (Vec<String>, i32) = match &want {
        Want::Nothing => {
            remote.disconnect().ok();
            return Ok(default_branch);
        }
        Want::One(from, to) => {
            (vec![format!("+{from}:{to}")], opts.history.map_or(1, |h| h.clamp(1, i32::MAX as u32) as i32))
        }
        Want::Everything => (
            vec!["+refs/heads/*:refs/remotes/origin/*".into(), "+refs/tags/*:refs/tags/*".into()],
            // A shallow cache is deepened to the whole history.
            if repo.is_shallow() { i32::MAX } else { 0 },
        ),
    };
    let download = |remote: &mut git2::Remote, depth: i32| {
        let mut fo = FetchOptions::new();
        fo.download_tags(AutotagOption::None);
        fo.depth(depth);
        fo.remote_callbacks(callbacks(url, &attempts, progress.then_some(&bar)));
        remote.download(&specs, Some(&mut fo))
    };
    if let Err(e) = download(&mut remote, depth) {
        if depth == 0 || depth == i32::MAX {
            return Err(classify(shown, e));
        }
        // A transport or server without shallow support: the full history of the same ref.
        let reason = redact_text(e.message());
        remote.disconnect().ok();
        remote
            .connect_auth(Direction::Fetch, Some(callbacks(url, &attempts, None)), None)
            .map_err(|e| classify(shown, e))?;
        download(&mut remote, 0).map_err(|e| classify(shown, e))?;
        notes.push(format!(
            "{shown}: a shallow fetch was refused ({reason}); fetched the full history instead"
        ));
    }
    remote.disconnect().ok();
    remote
        .update_tips(
            None,
            git2::RemoteUpdateFlags::UPDATE_FETCHHEAD,
            AutotagOption::None,
            Some("sovereign fetch"),
        )
        .map_err(|e| classify(shown, e))?;
    if let Some(b) = bar.borrow_mut().take() {
        b.finish_and_clear();
    }
    // update_tips on an anonymous remote writes nothing under refs/remotes; write them from the refspecs.
    for (name, oid) in &advertised {
        let target = match &want {
            Want::One(from, to) if from == name => to.clone(),
            Want::Everything => match name.strip_prefix("refs/heads/") {
                Some(b) => format!("refs/remotes/origin/{b}"),
                None if name.starts_with("refs/tags/") => name.clone(),
                None => continue,
            },
            _ => continue,
        };
        if repo.find_object(*oid, None).is_ok() {
            let _ = repo.reference(&target, *oid, true, "sovereign fetch");
        }
    }
    Ok(default_branch)
}

/// Whether `r` looks like a full or abbreviated commit id (4 to 40 hexadecimal digits).
fn is_commit_id(r: &str) -> bool {
    (4..=40).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_hexdigit())
}

fn peel_commit(repo: &Repository, name: &str) -> Option<Oid> {
    repo.revparse_single(name).ok()?.peel(ObjectType::Commit).ok().map(|c| c.id())
}

/// Credential and progress callbacks. Credentials are tried a bounded number of times so a refused
/// login ends in an error instead of a loop.
fn callbacks<'a>(
    url: &'a str,
    attempts: &'a Cell<u32>,
    bar: Option<&'a RefCell<Option<indicatif::ProgressBar>>>,
) -> RemoteCallbacks<'a> {
    let mut cb = RemoteCallbacks::new();
    cb.credentials(move |_url, username, allowed| {
        attempts.set(attempts.get() + 1);
        if attempts.get() > 3 {
            return Err(git2::Error::new(ErrorCode::Auth, ErrorClass::Net, "authentication failed"));
        }
        credentials(url, username, allowed, attempts.get())
    });
    if let Some(bar) = bar {
        cb.transfer_progress(move |stats| {
            let mut bar = bar.borrow_mut();
            let bar = bar.get_or_insert_with(|| {
                let b = indicatif::ProgressBar::new(stats.total_objects() as u64);
                if let Ok(style) = indicatif::ProgressStyle::with_template(
                    "{spinner} fetching {wide_bar} {pos}/{len} objects",
                ) {
                    b.set_style(style);
                }
                b
            });
            bar.set_length(stats.total_objects() as u64);
            bar.set_position(stats.received_objects() as u64);
            true
        });
    }
    cb
}

fn credentials(
    url: &str,
    username: Option<&str>,
    allowed: CredentialType,
    attempt: u32,
) -> Result<Cred, git2::Error> {
    if allowed.contains(CredentialType::USERNAME) {
        return Cred::username(username.unwrap_or("git"));
    }
    if allowed.contains(CredentialType::SSH_KEY) && attempt == 1 {
        return Cred::ssh_key_from_agent(username.unwrap_or("git"));
    }
    if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
        if let Ok(parsed) = url::Url::parse(url) {
            if let Some(pass) = parsed.password() {
                let user = percent_decode(parsed.username());
                return Cred::userpass_plaintext(&user, &percent_decode(pass));
            }
        }
        if let Ok(token) = std::env::var("SOVEREIGN_GIT_TOKEN") {
            if !token.is_empty() {
                return Cred::userpass_plaintext(username.unwrap_or("x-access-token"), &token);
            }
        }
    }
    Err(git2::Error::new(ErrorCode::Auth, ErrorClass::Net, "authentication required"))
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_string())
}

fn resolve_ref(
    repo: &Repository,
    reference: Option<&str>,
    default_branch: Option<&str>,
    shown: &str,
) -> Result<Oid, SourceError> {
    let peel = |name: &str| -> Option<Oid> {
        repo.revparse_single(name).ok()?.peel(ObjectType::Commit).ok().map(|c| c.id())
    };
    match reference {
        Some(r) => {
            let candidates = [format!("refs/remotes/origin/{r}"), format!("refs/tags/{r}"), r.to_string()];
            candidates
                .iter()
                .find_map(|c| peel(c))
                .ok_or_else(|| SourceError::UnknownRef { url: shown.to_string(), reference: r.to_string() })
        }
        None => default_branch
            .and_then(|b| peel(&format!("refs/remotes/origin/{b}")))
            .or_else(|| peel("FETCH_HEAD"))
            .or_else(|| peel("refs/remotes/origin/main"))
            .or_else(|| peel("refs/remotes/origin/master"))
            .ok_or_else(|| SourceError::Git {
                url: shown.to_string(),
                reason: "the repository has no branch to check out (is it empty?)".into(),
            }),
    }
}

/// Facts about a local directory read in place: the HEAD commit and origin URL when it is a git working
/// tree, nothing otherwise.
pub(super) fn describe_local(path: &Path) -> Checkout {
    let root = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut subject = Subject { name: name_of(&root.display().to_string()), ..Subject::default() };
    let mut gitlinks = Vec::new();
    let repo = if super::may_be_repository(&root) { Repository::open(&root).ok() } else { None };
    if let Some(repo) = repo {
        if repo.workdir().map(|w| same_dir(w, &root)).unwrap_or(false) {
            if let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) {
                subject.commit = Some(head.id().to_string());
                gitlinks = gitlinks_of(&repo, head.id());
            }
            subject.url = repo.find_remote("origin").ok().and_then(|r| r.url().ok().map(redact_url));
        }
    }
    Checkout { root, subject, gitlinks, cloned: false, notes: Vec::new() }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Every gitlink (submodule entry) in the tree of `commit`.
pub fn gitlinks_of(repo: &Repository, commit: Oid) -> Vec<Gitlink> {
    let mut out = Vec::new();
    let Ok(tree) = repo.find_commit(commit).and_then(|c| c.tree()) else { return out };
    let _ = tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if entry.filemode() == 0o160000 {
            if let Ok(name) = entry.name() {
                out.push(Gitlink { path: format!("{dir}{name}"), commit: entry.id().to_string() });
            }
        }
        git2::TreeWalkResult::Ok
    });
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

pub(super) fn git_error(shown: &str, e: git2::Error) -> SourceError {
    SourceError::Git { url: shown.to_string(), reason: redact_text(e.message()) }
}

/// Maps a libgit2 error during connect/fetch to the one-line error the user sees.
fn classify(shown: &str, e: git2::Error) -> SourceError {
    let msg = redact_text(e.message());
    let lower = msg.to_ascii_lowercase();
    if e.code() == ErrorCode::Auth
        || lower.contains("authentication")
        || lower.contains("401")
        || lower.contains("403")
        || lower.contains("credentials")
    {
        return SourceError::AuthRequired { url: shown.to_string() };
    }
    if lower.contains("could not find repository")
        || lower.contains("not a git repository")
        || lower.contains("repository not found")
        || lower.contains("not valid: path")
        || (e.class() == ErrorClass::Repository && e.code() == ErrorCode::NotFound)
    {
        return SourceError::NotARepository { url: shown.to_string() };
    }
    match e.class() {
        ErrorClass::Net | ErrorClass::Os | ErrorClass::Ssh | ErrorClass::Http | ErrorClass::Ssl => {
            SourceError::Unreachable { url: shown.to_string(), reason: msg }
        }
        _ => SourceError::Git { url: shown.to_string(), reason: msg },
    }
}
