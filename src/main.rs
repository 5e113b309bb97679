use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use sovereign::cli::{Cli, Command, ConvertArgs, DiffArgs, ScanArgs};
use sovereign::model::{Inventory, Severity};
use sovereign::util::redact::redact_text;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => scan(args),
        Command::Convert(args) => convert(args),
        Command::Diff(args) => diff(args),
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
    };
    let targets = sovereign::cli::output_targets(&args.format, &args.output)?;
    let outcome = sovereign::scan(&opts)?;
    write_sboms(&outcome.inventory, &targets)?;
    if !args.quiet {
        summary(&outcome.inventory, outcome.checkout.cloned);
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the inventory in every requested format, each to its file (atomically) or standard output.
fn write_sboms(
    inv: &Inventory,
    targets: &[(sovereign::sbom::Format, Option<std::path::PathBuf>)],
) -> anyhow::Result<()> {
    for (format, path) in targets {
        let bytes = sovereign::sbom::write(inv, *format);
        write_out(path.as_deref(), &bytes)?;
    }
    Ok(())
}

fn write_out(path: Option<&std::path::Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match path {
        Some(path) => sovereign::util::atomic::write_atomic(path, bytes)
            .with_context(|| format!("cannot write `{}`", path.display())),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes).and_then(|_| out.flush()).context("cannot write to standard output")
        }
    }
}

/// Reads an SBOM file.
fn read_sbom(path: &std::path::Path) -> anyhow::Result<Inventory> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    Ok(sovereign::sbom::read(&bytes, &path.display().to_string())?)
}

fn convert(args: ConvertArgs) -> anyhow::Result<ExitCode> {
    let targets = sovereign::cli::output_targets(&args.format, &args.output)?;
    let inv = read_sbom(&args.input)?;
    write_sboms(&inv, &targets)?;
    if !args.quiet {
        let mut err = std::io::stderr().lock();
        for d in inv.diagnostics.iter().filter(|d| d.code.starts_with("sbom-")) {
            let _ = writeln!(err, "{d}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One side of a diff: an SBOM file, or a source to scan.
fn diff_side(side: &str, cache_dir: &Option<std::path::PathBuf>) -> anyhow::Result<Inventory> {
    let path = std::path::Path::new(side);
    if path.is_file() {
        return read_sbom(path);
    }
    let opts = sovereign::ScanOptions {
        source: side.to_string(),
        reference: None,
        cache_dir: cache_dir.clone().unwrap_or_else(sovereign::source::cache_dir_default),
        progress: false,
        cargo_metadata: false,
    };
    Ok(sovereign::scan(&opts)?.inventory)
}

fn diff(args: DiffArgs) -> anyhow::Result<ExitCode> {
    let old = diff_side(&args.old, &args.cache_dir)?;
    let new = diff_side(&args.new, &args.cache_dir)?;
    let d = sovereign::diff::diff(&old, &new);
    let text = sovereign::diff::render(&d, args.format, &args.old, &args.new);
    write_out(args.output.as_deref(), text.as_bytes())?;
    Ok(if d.fails(&args.fail_on) { ExitCode::from(1) } else { ExitCode::SUCCESS })
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
