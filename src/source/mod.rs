//! Acquisition: turn what the user named (a directory, a local repository, a git URL) into a checkout on
//! disk and the facts about it (URL, exact commit) that the SBOM records.

mod git;
mod local_repo;
pub mod tree;

use std::path::{Path, PathBuf};

pub use git::{cache_dir_default, gitlinks_of, Gitlink};
pub use tree::{SourceTree, TreeFile};

use crate::model::Subject;
use crate::util::redact::redact_url;

/// Why a source could not be acquired. Each message is one line, with credentials redacted.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("`{0}` does not exist and is not a git URL")]
    NotFound(String),
    #[error("`{url}` is not a git repository")]
    NotARepository { url: String },
    #[error("cannot reach `{url}`: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("`{url}` requires authentication (set up an ssh agent, or put a token in SOVEREIGN_GIT_TOKEN)")]
    AuthRequired { url: String },
    #[error("reference `{reference}` not found in `{url}`")]
    UnknownRef { url: String, reference: String },
    #[error("cache directory `{path}`: {reason}")]
    Cache { path: String, reason: String },
    #[error("git error on `{url}`: {reason}")]
    Git { url: String, reason: String },
}

/// What the user asked to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// A local directory (which may be a git working tree).
    Dir(PathBuf),
    /// A remote or local repository to clone into the cache.
    Git(String),
}

impl SourceSpec {
    /// Interprets a command-line SOURCE. URLs (`https://`, `ssh://`, `git://`, `file://`) and scp-like
    /// `user@host:path` are git; anything else is a local path.
    pub fn parse(source: &str) -> SourceSpec {
        let lower = source.to_ascii_lowercase();
        let is_url = ["https://", "http://", "ssh://", "git://", "file://", "git+ssh://", "ssh+git://"]
            .iter()
            .any(|p| lower.starts_with(p));
        if is_url || (is_scp_like(source) && !Path::new(source).exists()) {
            SourceSpec::Git(source.to_string())
        } else {
            SourceSpec::Dir(PathBuf::from(source))
        }
    }
}

/// `git@github.com:owner/repo.git`: a user, a host, a colon, a path; no scheme, no slash before the colon.
fn is_scp_like(s: &str) -> bool {
    match (s.find('@'), s.find(':')) {
        (Some(at), Some(colon)) => at < colon && !s[..colon].contains('/') && at > 0 && colon > at + 1,
        _ => false,
    }
}

/// How to acquire.
#[derive(Debug, Clone)]
pub struct AcquireOptions {
    /// Branch, tag or commit to check out.
    pub reference: Option<String>,
    pub cache_dir: PathBuf,
    /// Show a progress bar on stderr (only when stderr is a terminal).
    pub progress: bool,
    /// Commits of history to fetch with the requested ref (`--history N`); `None`: the one scanned.
    pub history: Option<u32>,
}

/// A tree on disk ready to be scanned, with what is known about where it came from.
#[derive(Debug, Clone)]
pub struct Checkout {
    pub root: PathBuf,
    pub subject: Subject,
    /// Submodule gitlinks of the scanned commit (path and pinned commit).
    pub gitlinks: Vec<Gitlink>,
    /// Whether acquisition cloned afresh (false: a cached clone was fetched, or a directory read in place).
    pub cloned: bool,
    /// What the user should know about how the source was fetched (a refused shallow fetch).
    pub notes: Vec<String>,
}

/// Acquires a source. A local directory is read in place (its HEAD commit is recorded when it is a git
/// working tree); with `--ref`, a local repository is checked out into the cache like a URL so the working
/// tree the user has is never touched. A local repository (that, or a `file://` URL) is read through its
/// own object database (`local_repo`), never fetched through libgit2's local transport.
pub fn acquire(spec: &SourceSpec, opts: &AcquireOptions) -> Result<Checkout, SourceError> {
    match spec {
        SourceSpec::Dir(path) => {
            if !path.is_dir() {
                return Err(SourceError::NotFound(path.display().to_string()));
            }
            if opts.reference.is_some() {
                let abs = std::fs::canonicalize(path)
                    .map_err(|_| SourceError::NotFound(path.display().to_string()))?;
                return local_repo::check_out(&abs, &abs.display().to_string(), opts);
            }
            Ok(git::describe_local(path))
        }
        SourceSpec::Git(url) => match local_repo::file_url_path(url) {
            Some(path) => local_repo::check_out(&path, url, opts),
            None => git::clone_or_fetch(url, opts),
        },
    }
}

/// Whether `root` may be a git repository of its own: a working tree (`.git`, a directory or a
/// `gitdir:` file of a worktree or submodule) or a bare repository (`HEAD` and `objects/`). Only then is
/// libgit2 asked: its first use initialises OpenSSL, which parses every system CA certificate — three
/// quarters of the cost of scanning a small directory that is not a repository.
pub fn may_be_repository(root: &Path) -> bool {
    root.join(".git").exists() || (root.join("HEAD").is_file() && root.join("objects").is_dir())
}

/// The display name of a repository URL or path: its last segment without `.git`.
pub fn name_of(url_or_path: &str) -> String {
    let trimmed = url_or_path.trim_end_matches(['/', '\\']);
    let last = trimmed.rsplit(['/', '\\', ':']).next().unwrap_or(trimmed);
    let name = last.strip_suffix(".git").unwrap_or(last);
    if name.is_empty() {
        "unnamed".to_string()
    } else {
        redact_url(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sources() {
        assert_eq!(SourceSpec::parse("https://h/o/r.git"), SourceSpec::Git("https://h/o/r.git".into()));
        assert_eq!(SourceSpec::parse("git@h.com:o/r.git"), SourceSpec::Git("git@h.com:o/r.git".into()));
        assert_eq!(SourceSpec::parse("file:///tmp/x"), SourceSpec::Git("file:///tmp/x".into()));
        assert_eq!(SourceSpec::parse("./some/dir"), SourceSpec::Dir("./some/dir".into()));
        assert_eq!(SourceSpec::parse("C:/x"), SourceSpec::Dir("C:/x".into()));
    }

    #[test]
    fn only_directories_with_a_git_dir_or_a_bare_layout_may_be_repositories() {
        let d = tempfile::tempdir().unwrap();
        let plain = d.path().join("plain");
        std::fs::create_dir_all(plain.join("src")).unwrap();
        assert!(!may_be_repository(&plain));
        let work = d.path().join("work");
        git2::Repository::init(&work).unwrap();
        assert!(may_be_repository(&work));
        assert!(!may_be_repository(&work.join(".git").join("objects")));
        let bare = d.path().join("bare.git");
        git2::Repository::init_bare(&bare).unwrap();
        assert!(may_be_repository(&bare));
        // A linked worktree or a submodule: `.git` is a file naming the git directory.
        let linked = d.path().join("linked");
        std::fs::create_dir_all(&linked).unwrap();
        std::fs::write(linked.join(".git"), "gitdir: ../work/.git\n").unwrap();
        assert!(may_be_repository(&linked));
    }

    #[test]
    fn names() {
        assert_eq!(name_of("https://github.com/o/repo.git"), "repo");
        assert_eq!(name_of("git@github.com:o/repo"), "repo");
        assert_eq!(name_of("/tmp/dir/"), "dir");
    }
}
