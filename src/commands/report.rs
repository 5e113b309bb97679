//! `sovereign report`.

use std::process::ExitCode;

use sovereign::cli::ReportArgs;
use sovereign::report::html::{policy_digest, render_report, ReportMeta};

use super::{eval_options, read_sbom, write_out};

pub(crate) fn report(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let policy = args.policy.as_deref().map(sovereign::policy::load).transpose()?;
    let opts = eval_options(args.today.as_deref())?;
    let local = std::path::Path::new(&args.source);
    let inventory = if local.is_file() {
        read_sbom(local)?
    } else {
        let scan = sovereign::ScanOptions {
            source: args.source.clone(),
            reference: args.reference.clone(),
            cache_dir: args.cache_dir.clone().unwrap_or_else(sovereign::source::cache_dir_default),
            progress: !args.quiet,
            ..Default::default()
        };
        sovereign::scan(&scan)?.inventory
    };
    let verdict = policy.as_ref().map(|p| sovereign::policy::evaluate(p, &inventory, &opts));
    let mut meta = ReportMeta::new();
    if let Some(p) = &policy {
        meta.policy_name = Some(p.name.clone());
        meta.policy_files = p.files.clone();
        meta.policy_digest = policy_digest(&p.files);
    }
    let page = render_report(&inventory, verdict.as_ref(), &meta);
    write_out(Some(&args.output), page.as_bytes())?;
    if !args.quiet {
        match &verdict {
            Some(v) => eprintln!("{}", sovereign::report::human::headline(v)),
            None => eprintln!(
                "no policy given: the report lists {} components, no verdict",
                inventory.components.len()
            ),
        }
        eprintln!("wrote {}", args.output.display());
    }
    Ok(match &verdict {
        Some(v) if !v.passed => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    })
}
