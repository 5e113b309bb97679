//! `sovereign convert` and `sovereign diff`.

use std::io::Write;
use std::process::ExitCode;

use sovereign::cli::{ConvertArgs, DiffArgs};
use sovereign::model::Inventory;

use super::{read_sbom, write_out, write_sboms};

pub(crate) fn convert(args: ConvertArgs) -> anyhow::Result<ExitCode> {
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
        ..Default::default()
    };
    Ok(sovereign::scan(&opts)?.inventory)
}

pub(crate) fn diff(args: DiffArgs) -> anyhow::Result<ExitCode> {
    let old = diff_side(&args.old, &args.cache_dir)?;
    let new = diff_side(&args.new, &args.cache_dir)?;
    let d = sovereign::diff::diff(&old, &new);
    let text = sovereign::diff::render(&d, args.format, &args.old, &args.new);
    write_out(args.output.as_deref(), text.as_bytes())?;
    Ok(if d.fails(&args.fail_on) { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
