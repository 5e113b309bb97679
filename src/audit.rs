//! Batch audit: many submissions (name, git URL, optional ref) scanned in parallel and judged against
//! one policy; each gets its SBOM, verdict and HTML report, and the whole batch a `summary.json` and a
//! dashboard (`index.html`). One submission failing to scan never stops the others.
//!
//! [`audit_submission`] is the work for one submission and returns a [`SubmissionOutcome`]; [`run`]
//! spreads it over threads; [`SubmissionOutcome::write`] and [`write_batch`] write the files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::model::{ComponentKind, Inventory};
use crate::policy::{EvalOptions, Policy, Verdict};
use crate::report::html::{self, DashboardRow, ModelRow, ReportMeta};
use crate::util::atomic::write_atomic;

/// One entry of the submissions file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// Becomes a directory name under `--out`.
    pub name: String,
    /// A git URL (or a local repository or directory).
    pub url: String,
    /// Branch, tag or commit.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmissionsFile {
    submissions: Vec<Submission>,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("cannot read `{path}`: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("cannot write `{path}`: {source}")]
    Write { path: String, source: std::io::Error },
}

/// Names that would collide with the batch's own files.
const RESERVED: [&str; 2] = ["index.html", "summary.json"];

/// Why a submission name cannot be a directory name, if it cannot.
pub fn check_name(name: &str) -> Option<&'static str> {
    if name.trim().is_empty() {
        Some("is empty")
    } else if name == "." || name == ".." {
        Some("is `.` or `..`")
    } else if name.contains(['/', '\\']) {
        Some("contains a path separator")
    } else if name.chars().any(char::is_control) {
        Some("contains a control character")
    } else if name.len() > 128 {
        Some("is longer than 128 bytes")
    } else if RESERVED.contains(&name.to_ascii_lowercase().as_str()) {
        Some("is the name of a file the audit writes")
    } else if name.starts_with('.') || name.ends_with(['.', ' ']) || name.contains(':') {
        Some("starts with `.`, ends with `.` or a space, or contains `:` (not portable)")
    } else {
        None
    }
}

/// Reads a submissions file: `submissions: [{name, url, ref?}]`. Every problem is listed, with the
/// entry it is in.
pub fn parse_submissions(text: &str, file: &str) -> Result<Vec<Submission>, AuditError> {
    let parsed: SubmissionsFile = serde_yaml::from_str(text)
        .map_err(|e| AuditError::Invalid { path: file.to_string(), message: e.to_string() })?;
    let mut problems = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, s) in parsed.submissions.iter().enumerate() {
        if let Some(why) = check_name(&s.name) {
            problems.push(format!("submissions[{i}].name `{}` {why}", s.name.escape_debug()));
        }
        if let Some(first) = seen.insert(s.name.to_lowercase(), i) {
            problems.push(format!(
                "submissions[{i}].name `{}` is also the name of submissions[{first}]",
                s.name.escape_debug()
            ));
        }
        if s.url.trim().is_empty() {
            problems.push(format!("submissions[{i}].url is empty"));
        }
    }
    if parsed.submissions.is_empty() {
        problems.push("`submissions` lists nothing".into());
    }
    if problems.is_empty() {
        Ok(parsed.submissions)
    } else {
        Err(AuditError::Invalid { path: file.to_string(), message: problems.join("; ") })
    }
}

/// Reads and checks a submissions file.
pub fn load_submissions(path: &Path) -> Result<Vec<Submission>, AuditError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| AuditError::Read { path: path.display().to_string(), source })?;
    parse_submissions(&text, &path.display().to_string())
}

/// Settings shared by every submission of a batch.
#[derive(Debug, Clone)]
pub struct AuditOptions {
    /// The scan settings; `source` and `reference` are replaced by each submission's.
    pub scan: crate::ScanOptions,
    pub eval: EvalOptions,
    /// Tool version, policy name, files and digest, generation time: written into every page.
    pub meta: ReportMeta,
}

/// A submission scanned and judged.
#[derive(Debug, Clone)]
pub struct Judged {
    pub inventory: Inventory,
    pub verdict: Verdict,
}

/// What became of one submission.
#[derive(Debug, Clone)]
pub struct SubmissionOutcome {
    pub submission: Submission,
    /// The commit scanned, when the source was acquired.
    pub commit: Option<String>,
    /// The scan and verdict, or why it could not be scanned (one line, credentials redacted).
    pub result: Result<Judged, String>,
}

/// One line of `summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryEntry {
    pub name: String,
    pub url: String,
    pub commit: Option<String>,
    /// `passed`, `failed` or `error`.
    pub verdict: String,
    pub errors: usize,
    pub warnings: usize,
    /// Components by origin country (`unknown` for the undecided).
    pub countries: BTreeMap<String, usize>,
    pub models: Vec<SummaryModel>,
    /// Why the submission could not be scanned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SummaryModel {
    pub id: String,
    /// `None`: unknown.
    pub country: Option<String>,
    /// An open finding of the policy names it.
    pub flagged: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub submissions: Vec<SummaryEntry>,
}

/// Scans and judges one submission. Never panics outward: a panic inside the scan is reported as
/// the submission's error.
pub fn audit_submission(sub: &Submission, policy: &Policy, opts: &AuditOptions) -> SubmissionOutcome {
    let mut scan = opts.scan.clone();
    scan.source = sub.url.clone();
    scan.reference = sub.reference.clone();
    scan.progress = false;
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| crate::scan(&scan)));
    match run {
        Ok(Ok(outcome)) => {
            let mut inventory = outcome.inventory;
            inventory.subject.name = sub.name.clone();
            let verdict = crate::policy::evaluate(policy, &inventory, &opts.eval);
            SubmissionOutcome {
                submission: sub.clone(),
                commit: inventory.subject.commit.clone(),
                result: Ok(Judged { inventory, verdict }),
            }
        }
        Ok(Err(e)) => {
            let mut msg = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                let t = s.to_string();
                if !msg.contains(&t) {
                    msg.push_str(": ");
                    msg.push_str(&t);
                }
                src = s.source();
            }
            SubmissionOutcome {
                submission: sub.clone(),
                commit: None,
                result: Err(crate::util::redact::redact_text(&msg)),
            }
        }
        Err(_) => SubmissionOutcome {
            submission: sub.clone(),
            commit: None,
            result: Err("internal error: the scan stopped unexpectedly (a bug in sovereign)".into()),
        },
    }
}

/// Progress of a batch, for a display.
pub trait Progress: Sync {
    fn started(&self, _index: usize, _sub: &Submission) {}
    fn finished(&self, _index: usize, _outcome: &SubmissionOutcome) {}
}

/// No display.
pub struct Quiet;
impl Progress for Quiet {}

/// Audits every submission with at most `jobs` at once; results in the order given. Submissions with
/// the same URL run one after another in one worker (they share a clone in the cache).
pub fn run(
    subs: &[Submission],
    policy: &Policy,
    opts: &AuditOptions,
    jobs: usize,
    progress: &dyn Progress,
) -> Vec<SubmissionOutcome> {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, s) in subs.iter().enumerate() {
        groups.entry(s.url.trim_end_matches('/').to_string()).or_default().push(i);
    }
    let mut groups: Vec<Vec<usize>> = groups.into_values().collect();
    groups.sort_by_key(|g| g[0]);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<SubmissionOutcome>>> = Mutex::new(vec![None; subs.len()]);
    let workers = jobs.max(1).min(groups.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let g = next.fetch_add(1, Ordering::SeqCst);
                let Some(group) = groups.get(g) else { break };
                for &i in group {
                    progress.started(i, &subs[i]);
                    let outcome = audit_submission(&subs[i], policy, opts);
                    progress.finished(i, &outcome);
                    if let Ok(mut r) = results.lock() {
                        r[i] = Some(outcome);
                    }
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    results
        .into_iter()
        .zip(subs)
        .map(|(r, s)| {
            r.unwrap_or_else(|| SubmissionOutcome {
                submission: s.clone(),
                commit: None,
                result: Err("internal error: not audited".into()),
            })
        })
        .collect()
}

fn countries(inv: &Inventory) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for c in &inv.components {
        *m.entry(c.origin.country.clone().unwrap_or_else(|| "unknown".into())).or_default() += 1;
    }
    m
}

fn models(j: &Judged) -> Vec<SummaryModel> {
    let flagged: std::collections::BTreeSet<&str> = j
        .verdict
        .findings
        .iter()
        .filter(|f| f.waived.is_none() && f.severity >= crate::model::Severity::Warning)
        .filter_map(|f| f.component.as_deref())
        .collect();
    j.inventory
        .components
        .iter()
        .filter(|c| c.kind == ComponentKind::MlModel || c.model.is_some())
        .map(|c| SummaryModel {
            id: crate::report::short(&c.id),
            country: c.origin.country.clone(),
            flagged: flagged.contains(c.id.as_str()),
        })
        .collect()
}

impl SubmissionOutcome {
    /// `passed`, `failed` or `error`.
    pub fn verdict_word(&self) -> &'static str {
        match &self.result {
            Ok(j) if j.verdict.passed => "passed",
            Ok(_) => "failed",
            Err(_) => "error",
        }
    }

    pub fn summary(&self) -> SummaryEntry {
        let (errors, warnings, countries, models) = match &self.result {
            Ok(j) => (j.verdict.counts.error, j.verdict.counts.warning, countries(&j.inventory), models(j)),
            Err(_) => (0, 0, BTreeMap::new(), Vec::new()),
        };
        SummaryEntry {
            name: self.submission.name.clone(),
            url: crate::util::redact::redact_text(&self.submission.url),
            commit: self.commit.clone(),
            verdict: self.verdict_word().to_string(),
            errors,
            warnings,
            countries,
            models,
            error: self.result.as_ref().err().cloned(),
        }
    }

    pub fn dashboard_row(&self) -> DashboardRow {
        let s = self.summary();
        let (components, licenses) = match &self.result {
            Ok(j) => {
                let mut l: BTreeMap<String, usize> = BTreeMap::new();
                for c in &j.inventory.components {
                    *l.entry(html::license_category(c)).or_default() += 1;
                }
                (j.inventory.components.len(), l)
            }
            Err(_) => (0, BTreeMap::new()),
        };
        DashboardRow {
            report: self.result.is_ok().then(|| format!("{}/report.html", percent_path(&s.name))),
            name: s.name,
            url: s.url,
            commit: s.commit,
            verdict: s.verdict,
            errors: s.errors,
            warnings: s.warnings,
            components,
            countries: s.countries,
            models: s
                .models
                .into_iter()
                .map(|m| ModelRow { name: m.id, country: m.country, flagged: m.flagged })
                .collect(),
            licenses,
            error: s.error,
        }
    }

    /// Writes `DIR/NAME/sbom.cdx.json`, `verdict.json` and `report.html` (atomically) for a scanned
    /// submission; nothing for one that could not be scanned (`summary.json` says why).
    /// Returns the SBOM it wrote (for the store), none for a submission that could not be scanned.
    pub fn write(&self, dir: &Path, meta: &ReportMeta) -> Result<Option<Vec<u8>>, AuditError> {
        let Ok(j) = &self.result else { return Ok(None) };
        let sub_dir = dir.join(&self.submission.name);
        let w = |p: PathBuf, bytes: &[u8]| {
            write_atomic(&p, bytes)
                .map_err(|source| AuditError::Write { path: p.display().to_string(), source })
        };
        std::fs::create_dir_all(&sub_dir)
            .map_err(|source| AuditError::Write { path: sub_dir.display().to_string(), source })?;
        let sbom = crate::sbom::write(&j.inventory, crate::sbom::Format::CyclonedxJson);
        w(sub_dir.join("sbom.cdx.json"), &sbom)?;
        w(sub_dir.join("verdict.json"), &crate::report::json::render(&j.verdict))?;
        w(sub_dir.join("report.html"), html::render_report(&j.inventory, Some(&j.verdict), meta).as_bytes())?;
        Ok(Some(sbom))
    }
}

/// A name as a relative URL path segment.
fn percent_path(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Writes `DIR/summary.json` and `DIR/index.html` (atomically).
pub fn write_batch(dir: &Path, outcomes: &[SubmissionOutcome], meta: &ReportMeta) -> Result<(), AuditError> {
    std::fs::create_dir_all(dir)
        .map_err(|source| AuditError::Write { path: dir.display().to_string(), source })?;
    let summary = Summary { submissions: outcomes.iter().map(SubmissionOutcome::summary).collect() };
    let mut json = serde_json::to_vec_pretty(&summary).unwrap_or_default();
    json.push(b'\n');
    let p = dir.join("summary.json");
    write_atomic(&p, &json).map_err(|source| AuditError::Write { path: p.display().to_string(), source })?;
    let rows: Vec<DashboardRow> = outcomes.iter().map(SubmissionOutcome::dashboard_row).collect();
    let page = html::render_dashboard("Audit dashboard", &rows, meta);
    let p = dir.join("index.html");
    write_atomic(&p, page.as_bytes())
        .map_err(|source| AuditError::Write { path: p.display().to_string(), source })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_escape_the_output_directory_are_refused() {
        for bad in ["", "..", ".", "a/b", "a\\b", "../x", "index.html", ".hidden", "a\nb", "c:"] {
            assert!(check_name(bad).is_some(), "{bad:?} accepted");
        }
        for good in ["team-1", "Hanbit AI Lab", "한빛", "a.b"] {
            assert_eq!(check_name(good), None, "{good:?} refused");
        }
    }

    #[test]
    fn submissions_file_problems_are_listed_with_their_entry() {
        let err = parse_submissions(
            "submissions:\n  - {name: ok, url: u}\n  - {name: ../x, url: u}\n  - {name: OK, url: ''}\n",
            "s.yaml",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("submissions[1].name"), "{err}");
        assert!(err.contains("submissions[2].name `OK` is also the name of submissions[0]"), "{err}");
        assert!(err.contains("submissions[2].url is empty"), "{err}");
        let ok =
            parse_submissions("submissions:\n  - {name: a, url: https://x/y.git, ref: v1}\n", "s").unwrap();
        assert_eq!(ok[0].reference.as_deref(), Some("v1"));
        assert!(parse_submissions("submissions:\n  - {name: a, url: u, extra: 1}\n", "s").is_err());
    }

    #[test]
    fn report_links_are_percent_encoded() {
        assert_eq!(percent_path("Hanbit AI#1"), "Hanbit%20AI%231");
    }
}
