//! The command line. Doc comments here are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::sbom::Format;

/// sovereign: what is this software made of, under which licences, and from which countries does each
/// part come?
///
/// Exit codes: 0 success, 1 a policy check failed, 2 an error (bad source, unreadable input).
#[derive(Debug, Parser)]
#[command(name = "sovereign", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan a directory, a local repository or a git URL and write an SBOM.
    ///
    /// Nothing from the scanned repository is executed: manifests and lockfiles are parsed as data,
    /// git hooks and filters never run, submodules are recorded but not cloned.
    Scan(ScanArgs),
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// What to scan: a directory, a local git repository, or a git URL (https://, ssh://,
    /// git@host:owner/repo, file://).
    pub source: String,

    /// Write the SBOM to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// SBOM format.
    #[arg(long, value_enum, default_value = "cyclonedx-json")]
    pub format: Format,

    /// Branch, tag or commit to scan (git sources; a local repository is then cloned into the cache
    /// so your working tree is left alone).
    #[arg(long = "ref", value_name = "REV")]
    pub reference: Option<String>,

    /// Where clones are cached. Default: $XDG_CACHE_HOME/sovereign or ~/.cache/sovereign.
    #[arg(long, env = "SOVEREIGN_CACHE", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Add licence, authors and repository of Rust crates from the local cargo cache by running
    /// `cargo metadata --offline --locked`. Opt-in: this runs cargo, isolated from the repository's own
    /// cargo configuration and toolchain file (see docs/cargo-metadata.md).
    #[arg(long)]
    pub cargo_metadata: bool,

    /// A copyright holder of the submission's own files (repeatable). Root licence files are read for
    /// this already; every other holder found in the tree is reported as third-party code.
    #[arg(long = "own-holder", value_name = "NAME")]
    pub own_holders: Vec<String>,

    /// Skip files matching a .gitignore-style pattern when looking for notices and model references
    /// (repeatable; .gitignore files in the tree are honoured too).
    #[arg(long = "exclude", value_name = "PATTERN")]
    pub excludes: Vec<String>,

    /// Files larger than this many bytes are not read for notices and model references (weight-file
    /// headers are read whatever the file size).
    #[arg(long, value_name = "BYTES", default_value_t = crate::provenance::DEFAULT_MAX_FILE_SIZE)]
    pub provenance_max_file_size: u64,

    /// No progress bar and no summary on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}
