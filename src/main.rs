use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use sovereign::cli::{Cli, Command, ScanArgs};
use sovereign::model::{Inventory, Severity};
use sovereign::util::redact::redact_text;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => scan(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let mut msg = redact_text(&e.to_string());
            for cause in e.chain().skip(1) {
                msg.push_str(": ");
                msg.push_str(&redact_text(&cause.to_string()));
            }
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}

fn scan(args: ScanArgs) -> anyhow::Result<ExitCode> {
    let opts = sovereign::ScanOptions {
        source: args.source.clone(),
        reference: args.reference.clone(),
        cache_dir: args.cache_dir.clone().unwrap_or_else(sovereign::source::cache_dir_default),
        progress: !args.quiet,
        cargo_metadata: args.cargo_metadata,
        provenance: sovereign::provenance::Options {
            max_file_size: args.provenance_max_file_size,
            excludes: args.excludes.clone(),
            own_holders: args.own_holders.clone(),
            history: true,
        },
    };
    let outcome = sovereign::scan(&opts)?;
    let bytes = sovereign::sbom::write(&outcome.inventory, args.format);
    match &args.output {
        Some(path) => sovereign::util::atomic::write_atomic(path, &bytes)
            .with_context(|| format!("cannot write `{}`", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes).and_then(|_| out.flush()).context("cannot write to standard output")?;
        }
    }
    if !args.quiet {
        summary(&outcome.inventory, outcome.checkout.cloned);
    }
    Ok(ExitCode::SUCCESS)
}

fn summary(inv: &Inventory, cloned: bool) {
    let mut err = std::io::stderr().lock();
    let s = &inv.subject;
    let _ = write!(err, "scanned {}", s.name);
    if let Some(u) = &s.url {
        let _ = write!(err, " ({u}");
        if let Some(c) = &s.commit {
            let _ = write!(err, " @ {}", &c[..c.len().min(12)]);
        }
        let _ = write!(err, "{})", if cloned { ", cloned" } else { "" });
    }
    let _ = writeln!(err);
    let mut by_eco = std::collections::BTreeMap::<&str, (usize, usize)>::new();
    for c in &inv.components {
        let e = by_eco.entry(c.ecosystem.as_str()).or_default();
        e.0 += 1;
        if c.direct {
            e.1 += 1;
        }
    }
    let _ = writeln!(err, "{} components, {} dependency edges", inv.components.len(), inv.edges.len());
    for (eco, (n, d)) in by_eco {
        let _ = writeln!(err, "  {eco:<12} {n:>6} ({d} direct)");
    }
    let kinds = |k: sovereign::model::ComponentKind| inv.components.iter().filter(|c| c.kind == k).count();
    let (vendored, models) = (
        kinds(sovereign::model::ComponentKind::VendoredSource),
        kinds(sovereign::model::ComponentKind::MlModel),
    );
    if vendored + models > 0 {
        let _ =
            writeln!(err, "in the tree: {vendored} vendored-source, {models} ml-model (docs/provenance.md)");
    }
    for h in &inv.provenance.own_holders {
        let _ = writeln!(err, "own notices: {} ({} file(s))", h.holder, h.files);
    }
    for d in &inv.diagnostics {
        if d.severity >= Severity::Warning {
            let _ = writeln!(err, "{d}");
        }
    }
    let notes = inv.diagnostics.iter().filter(|d| d.severity == Severity::Note).count();
    if notes > 0 {
        let _ = writeln!(err, "({notes} note(s) recorded in the SBOM metadata)");
    }
}
