//! `sovereign check` and `sovereign policy …`.

use std::process::ExitCode;

use anyhow::Context;

use sovereign::cli::{CheckArgs, SimulateArgs};
use sovereign::util::redact::redact_text;

use super::{read_sbom, write_out};

pub(crate) fn eval_options(today: Option<&str>) -> anyhow::Result<sovereign::policy::EvalOptions> {
    Ok(match today {
        Some(t) => sovereign::policy::EvalOptions {
            today: sovereign::policy::Date::parse(t)
                .with_context(|| format!("`{t}` is not a date written YYYY-MM-DD"))?,
        },
        None => sovereign::policy::EvalOptions::default(),
    })
}

pub(crate) fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let policy = sovereign::policy::load(&args.policy)?;
    let opts = eval_options(args.today.as_deref())?;
    let local = std::path::Path::new(&args.source);
    let mut sbom_json = None;
    let inventory = if local.is_file() {
        let inv = read_sbom(local)?;
        sbom_json = std::fs::read_to_string(local).ok();
        inv
    } else {
        let scan = sovereign::ScanOptions {
            source: args.source.clone(),
            reference: args.reference.clone(),
            cache_dir: args.cache_dir.clone().unwrap_or_else(sovereign::source::cache_dir_default),
            progress: !args.quiet,
            cargo_metadata: false,
            ..Default::default()
        };
        sovereign::scan(&scan)?.inventory
    };
    let verdict = sovereign::policy::evaluate(&policy, &inventory, &opts);
    write_out(args.output.as_deref(), &sovereign::report::render(&verdict, &policy, args.format))?;
    if !args.quiet && (args.output.is_some() || args.format != sovereign::report::Format::Human) {
        eprintln!("{}", sovereign::report::human::headline(&verdict));
    }
    super::store::record(&args.store, &inventory, sbom_json, &[], Some(&verdict), args.quiet)?;
    Ok(if verdict.passed { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

pub(crate) fn policy_validate(files: &[std::path::PathBuf]) -> anyhow::Result<ExitCode> {
    let mut ok = true;
    for f in files {
        match sovereign::policy::load(f) {
            Ok(p) => {
                let rules = p.rules.len();
                println!(
                    "{}: valid (policy `{}`, {rules} rule{}, {} threshold(s), {} waiver(s){})",
                    f.display(),
                    p.name,
                    if rules == 1 { "" } else { "s" },
                    p.thresholds.len(),
                    p.waivers.len(),
                    if p.files.len() > 1 {
                        format!(", extends {}", p.files[1..].join(", "))
                    } else {
                        String::new()
                    }
                );
            }
            Err(e) => {
                ok = false;
                eprintln!("{}: {e}", f.display());
            }
        }
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(2) })
}

pub(crate) fn policy_schema() -> anyhow::Result<ExitCode> {
    let mut bytes = serde_json::to_vec_pretty(&sovereign::policy::config::json_schema())?;
    bytes.push(b'\n');
    write_out(None, &bytes)?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn policy_simulate(args: SimulateArgs) -> anyhow::Result<ExitCode> {
    let policies = args.policies.iter().map(|p| sovereign::policy::load(p)).collect::<Result<Vec<_>, _>>()?;
    let opts = eval_options(args.today.as_deref())?;
    let mut sim = sovereign::policy::simulate::Simulation::new(&policies, opts);
    // One unreadable SBOM among many is reported and skipped; the exit code says so.
    let mut skipped = 0usize;
    if let Some(url) = args.store.as_deref() {
        let mut store = sovereign::store::Store::open_existing(url)?;
        let filter = sovereign::store::QueryFilter {
            since: args.since.clone(),
            at: args.at.clone(),
            ..Default::default()
        };
        for scan in store.scans(&filter)? {
            let inv = store.inventory(&scan)?;
            sim.add(&scan.submission, &inv);
        }
    }
    for path in &args.sboms {
        match read_sbom(path) {
            Ok(inv) => sim.add(&path.display().to_string(), &inv),
            Err(e) => {
                skipped += 1;
                let causes: Vec<String> = e.chain().map(|c| redact_text(&c.to_string())).collect();
                eprintln!("error: skipped {}: {}", path.display(), causes.join(": "));
            }
        }
    }
    let report = sim.finish();
    write_out(args.output.as_deref(), &sovereign::report::simulation::render(&report, args.format))?;
    Ok(if skipped == 0 { ExitCode::SUCCESS } else { ExitCode::from(2) })
}
