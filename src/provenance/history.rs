//! The submission's own git history, as context: commit time-zone offsets and author e-mail domains.
//! Never a component's origin (anyone can set a time zone or use any mail provider).

use std::collections::BTreeMap;
use std::path::Path;

use git2::{Repository, RepositoryOpenFlags, Sort};

use crate::model::{HistorySummary, Tally};

/// At most this many commits are read.
pub const MAX_COMMITS: u64 = 200_000;
const MAX_TALLIES: usize = 20;

/// Summarises the history reachable from HEAD of the repository whose working tree is exactly `root`
/// (no search upwards: a directory inside another repository has no history of its own). Read-only.
pub fn summarise(root: &Path) -> Option<HistorySummary> {
    if !crate::source::may_be_repository(root) {
        return None;
    }
    let repo =
        Repository::open_ext(root, RepositoryOpenFlags::NO_SEARCH, std::iter::empty::<&std::ffi::OsStr>())
            .ok()?;
    let head = repo.head().ok()?.peel_to_commit().ok()?;
    let mut walk = repo.revwalk().ok()?;
    walk.set_sorting(Sort::TIME).ok()?;
    walk.push(head.id()).ok()?;
    let mut zones: BTreeMap<String, u64> = BTreeMap::new();
    let mut domains: BTreeMap<String, u64> = BTreeMap::new();
    let mut s = HistorySummary::default();
    for oid in walk {
        if s.commits >= MAX_COMMITS {
            s.truncated = true;
            break;
        }
        let Ok(oid) = oid else { continue };
        let Ok(commit) = repo.find_commit(oid) else { continue };
        s.commits += 1;
        let author = commit.author();
        let off = author.when().offset_minutes();
        let sign = if off < 0 { '-' } else { '+' };
        *zones.entry(format!("{sign}{:02}:{:02}", off.abs() / 60, off.abs() % 60)).or_default() += 1;
        let domain = author
            .email()
            .ok()
            .and_then(|e| e.rsplit_once('@').map(|(_, d)| d.trim().to_ascii_lowercase()))
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "(none)".to_string());
        *domains.entry(domain).or_default() += 1;
    }
    s.time_zones = top(zones);
    s.email_domains = top(domains);
    Some(s)
}

/// Most frequent first, ties by value; at most MAX_TALLIES.
fn top(m: BTreeMap<String, u64>) -> Vec<Tally> {
    let mut v: Vec<Tally> = m.into_iter().map(|(value, count)| Tally { value, count }).collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    v.truncate(MAX_TALLIES);
    v
}
