//! `sovereign audit`: the batch in parallel, a progress line per submission on a terminal.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use sovereign::audit::{self, AuditOptions, Progress, Submission, SubmissionOutcome};
use sovereign::cli::AuditArgs;
use sovereign::report::html::{policy_digest, ReportMeta};

use super::eval_options;

/// One spinner per submission on a terminal; one line per finished submission otherwise.
struct Display {
    bars: Vec<ProgressBar>,
    terminal: bool,
    quiet: bool,
}

impl Display {
    fn new(subs: &[Submission], quiet: bool) -> Self {
        let terminal = !quiet && std::io::stderr().is_terminal();
        let multi = MultiProgress::with_draw_target(if terminal {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        });
        let style = ProgressStyle::with_template("{spinner} {prefix:<24} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bars = subs
            .iter()
            .map(|s| {
                let b = multi.add(ProgressBar::new_spinner());
                b.set_style(style.clone());
                b.set_prefix(s.name.clone());
                b.set_message("waiting");
                b
            })
            .collect();
        Display { bars, terminal, quiet }
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn line(o: &SubmissionOutcome) -> String {
    match &o.result {
        Ok(j) => format!(
            "{}: {} ({}, {}, {})",
            o.submission.name,
            o.verdict_word(),
            plural(j.verdict.counts.error, "error"),
            plural(j.verdict.counts.warning, "warning"),
            plural(j.inventory.components.len(), "component")
        ),
        Err(e) => format!("{}: error: {e}", o.submission.name),
    }
}

impl Progress for Display {
    fn started(&self, index: usize, _sub: &Submission) {
        if let Some(b) = self.bars.get(index) {
            b.set_message("cloning and scanning…");
            b.enable_steady_tick(Duration::from_millis(120));
        }
    }
    fn finished(&self, index: usize, o: &SubmissionOutcome) {
        if let Some(b) = self.bars.get(index) {
            let msg = line(o);
            b.finish_with_message(msg.split_once(": ").map(|x| x.1.to_string()).unwrap_or(msg));
        }
        if !self.terminal && !self.quiet {
            eprintln!("{}", line(o));
        }
    }
}

pub(crate) fn audit(args: AuditArgs) -> anyhow::Result<ExitCode> {
    let subs = audit::load_submissions(&args.submissions)?;
    let policy = sovereign::policy::load(&args.policy)?;
    let mut meta = ReportMeta::new();
    meta.policy_name = Some(policy.name.clone());
    meta.policy_files = policy.files.clone();
    meta.policy_digest = policy_digest(&policy.files);
    let opts = AuditOptions {
        scan: sovereign::ScanOptions {
            cache_dir: args.cache_dir.clone().unwrap_or_else(sovereign::source::cache_dir_default),
            ..Default::default()
        },
        eval: eval_options(args.today.as_deref())?,
        meta: meta.clone(),
    };
    let jobs =
        args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create `{}`", args.out.display()))?;
    let display = Display::new(&subs, args.quiet);
    let outcomes = audit::run(&subs, &policy, &opts, jobs, &display);
    let (mut write_failed, mut store_failed) = (false, false);
    for o in &outcomes {
        let sbom = o.write(&args.out, &meta).unwrap_or_else(|e| {
            eprintln!("error: {e}");
            write_failed = true;
            None
        });
        // The files are on disk first; then the store gets the same SBOM (one transaction each).
        let Ok(judged) = &o.result else { continue };
        if args.store.is_none() {
            continue;
        }
        let store = sovereign::cli::StoreArgs {
            store: args.store.clone(),
            submission: Some(o.submission.name.clone()),
        };
        let sbom = sbom.and_then(|b| String::from_utf8(b).ok());
        if let Err(e) =
            super::store::record(&store, &judged.inventory, sbom, &[], Some(&judged.verdict), args.quiet)
        {
            eprintln!("error: {}: {e:#}", o.submission.name);
            store_failed = true;
        }
    }
    audit::write_batch(&args.out, &outcomes, &meta)?;
    let failed = outcomes.iter().filter(|o| o.verdict_word() == "failed").count();
    let errored = outcomes.iter().filter(|o| o.verdict_word() == "error").count();
    if !args.quiet {
        eprintln!(
            "{} submissions: {} passed, {failed} failed, {errored} could not be scanned; dashboard: {}",
            outcomes.len(),
            outcomes.len() - failed - errored,
            args.out.join("index.html").display()
        );
    }
    Ok(if errored > 0 || write_failed || store_failed {
        ExitCode::from(2)
    } else if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
