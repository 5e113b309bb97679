//! Local repositories (a `file://` URL, or a plain path with `--ref`): checked out straight from their own
//! object database instead of being fetched through libgit2's local transport, which copies every object
//! of every ref and cannot fetch shallow (67 s and 584 MB for an 11,600-commit repository).
//!
//! The cache entry is a repository whose `objects/info/alternates` names the source's object directory, so
//! no object is copied: the scanned commit's tree is checked out from there. Its `shallow` file cuts the
//! history at the depth a fetch would have had (`--history N`, one commit when not asked), so the scan
//! sees what a URL scan of the same commit sees. The source is only read: nothing is written into it, and
//! nothing from it is executed (libgit2 runs no hooks, no filter drivers and no config-driven commands).

use std::collections::{HashSet, VecDeque};
use std::path::{Path, PathBuf};

use git2::{ErrorClass, ErrorCode, ObjectType, Oid, Repository};

use super::git::{cache_key, check_out_commit, git_error, open_cache};
use super::{name_of, AcquireOptions, Checkout, SourceError};
use crate::util::redact::redact_url;

/// The local path a `file://` URL names (`file:///p` or `file://localhost/p`); `None` for anything else.
pub(super) fn file_url_path(url: &str) -> Option<PathBuf> {
    if !url.get(..7)?.eq_ignore_ascii_case("file://") {
        return None;
    }
    url::Url::parse(url).ok()?.to_file_path().ok()
}

/// Checks out the requested commit of the repository at `path` into the cache entry of `source` (the URL or
/// path the user named, which keys the cache and is recorded as the subject's URL).
pub(super) fn check_out(path: &Path, source: &str, opts: &AcquireOptions) -> Result<Checkout, SourceError> {
    let shown = redact_url(source);
    let src = Repository::open(path).map_err(|e| {
        if e.class() == ErrorClass::Repository && e.code() == ErrorCode::NotFound {
            SourceError::NotARepository { url: shown.clone() }
        } else {
            git_error(&shown, e)
        }
    })?;
    let commit = resolve(&src, opts.reference.as_deref(), &shown)?;

    let dir = opts.cache_dir.join("repos").join(cache_key(source));
    let cache_err =
        |e: std::io::Error| SourceError::Cache { path: dir.display().to_string(), reason: e.to_string() };
    let (repo, cloned) = open_cache(&dir, &shown)?;
    // The source's object directory (its common directory for a linked worktree) as the only alternate.
    let objects = std::fs::canonicalize(src.commondir().join("objects")).map_err(cache_err)?;
    if objects.to_string_lossy().contains('\n') {
        // One path per line in `alternates`: a line break in the path cannot be written there.
        return Err(SourceError::Git { url: shown, reason: "the repository path holds a line break".into() });
    }
    let gitdir = repo.path().to_path_buf();
    let alternates = format!("{}\n", objects.display());
    crate::util::atomic::write_atomic(&gitdir.join("objects/info/alternates"), alternates.as_bytes())
        .map_err(cache_err)?;
    // The history a fetch of that depth would have brought, plus whatever the source itself lacks.
    let depth = opts.history.unwrap_or(1).max(1);
    let mut roots: Vec<String> = shallow_roots(&src, commit, depth).iter().map(Oid::to_string).collect();
    if let Ok(text) = std::fs::read_to_string(src.commondir().join("shallow")) {
        roots.extend(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string));
    }
    roots.sort();
    roots.dedup();
    let shallow = gitdir.join("shallow");
    if roots.is_empty() {
        match std::fs::remove_file(&shallow) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(cache_err(e)),
            _ => {}
        }
    } else {
        let text: String = roots.iter().map(|r| format!("{r}\n")).collect();
        crate::util::atomic::write_atomic(&shallow, text.as_bytes()).map_err(cache_err)?;
    }
    drop(repo);
    // Reopened so that the alternate and the shallow file just written are read.
    let repo = Repository::open(&dir).map_err(|e| git_error(&shown, e))?;
    check_out_commit(&repo, &dir, commit, name_of(source), shown, opts, cloned, Vec::new())
}

/// The commit to scan: the source's HEAD when no reference is named; else a branch, a tag, a full or
/// abbreviated commit id, and last any revision the source resolves (as a fetched clone would).
fn resolve(src: &Repository, reference: Option<&str>, shown: &str) -> Result<Oid, SourceError> {
    let peel = |name: &str| -> Option<Oid> {
        src.revparse_single(name).ok()?.peel(ObjectType::Commit).ok().map(|c| c.id())
    };
    let Some(r) = reference else {
        return src.head().ok().and_then(|h| h.peel_to_commit().ok()).map(|c| c.id()).ok_or_else(|| {
            SourceError::Git {
                url: shown.to_string(),
                reason: "the repository has no branch to check out (is it empty?)".into(),
            }
        });
    };
    // A commit id, abbreviated or not, is one of the revisions `revparse` reads.
    [format!("refs/heads/{r}"), format!("refs/tags/{r}"), r.to_string()]
        .iter()
        .find_map(|c| peel(c))
        .ok_or_else(|| SourceError::UnknownRef { url: shown.to_string(), reference: r.to_string() })
}

/// The commits a fetch `depth` commits deep would mark shallow: those `depth - 1` parent steps from `tip`
/// (by the shortest path) that have parents.
fn shallow_roots(repo: &Repository, tip: Oid, depth: u32) -> Vec<Oid> {
    let mut roots = Vec::new();
    let mut seen = HashSet::from([tip]);
    let mut queue = VecDeque::from([(tip, 1u32)]);
    while let Some((id, d)) = queue.pop_front() {
        let Ok(commit) = repo.find_commit(id) else { continue };
        if commit.parent_count() == 0 {
            continue;
        }
        if d >= depth {
            roots.push(id);
            continue;
        }
        for p in commit.parent_ids() {
            if seen.insert(p) {
                queue.push_back((p, d + 1));
            }
        }
    }
    roots.sort();
    roots
}
