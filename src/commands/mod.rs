//! The subcommands: each parses nothing (clap did), calls the library and turns the outcome into an exit
//! code. This is the binary's side: `anyhow` is used here and in main.rs only.

mod audit;
mod explain;
mod policy;
mod report;
mod sbom;
mod scan;
mod store;
mod weights;

pub(crate) use audit::audit;
pub(crate) use explain::explain;
pub(crate) use policy::{check, eval_options, policy_schema, policy_simulate, policy_validate};
pub(crate) use report::report;
pub(crate) use sbom::{convert, diff};
pub(crate) use scan::scan;
pub(crate) use store::query;
pub(crate) use weights::{fingerprint, weights_compare};

use std::io::Write;

use anyhow::Context;
use sovereign::model::Inventory;

pub(crate) fn write_out(path: Option<&std::path::Path>, bytes: &[u8]) -> anyhow::Result<()> {
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
pub(crate) fn read_sbom(path: &std::path::Path) -> anyhow::Result<Inventory> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    Ok(sovereign::sbom::read(&bytes, &path.display().to_string())?)
}

/// Writes the inventory in every requested format, each to its file (atomically) or standard output.
pub(crate) fn write_sboms(
    inv: &Inventory,
    targets: &[(sovereign::sbom::Format, Option<std::path::PathBuf>)],
) -> anyhow::Result<()> {
    for (format, path) in targets {
        let bytes = sovereign::sbom::write(inv, *format);
        write_out(path.as_deref(), &bytes)?;
    }
    Ok(())
}
