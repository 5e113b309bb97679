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
    /// Judge a submission (a fresh scan of SOURCE, or a stored SBOM file) against a policy.
    ///
    /// Exit codes: 0 the policy passes, 1 a finding at error severity, 2 an error.
    Check(CheckArgs),
    /// Work with policy files: validate them, print their JSON Schema, simulate them over SBOMs.
    #[command(subcommand)]
    Policy(PolicyCommand),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// What to judge: a directory, a local git repository or a git URL (scanned), or a CycloneDX JSON
    /// SBOM file (read as it is).
    pub source: String,

    /// The policy file (YAML; see docs/policy.md).
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,

    /// Report format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: crate::report::Format,

    /// Write the report to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Branch, tag or commit to scan (git sources).
    #[arg(long = "ref", value_name = "REV")]
    pub reference: Option<String>,

    /// Where clones are cached. Default: $XDG_CACHE_HOME/sovereign or ~/.cache/sovereign.
    #[arg(long, env = "SOVEREIGN_CACHE", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// The day waiver expiry dates are compared with (YYYY-MM-DD). Default: today (UTC).
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,

    /// No progress bar and no summary on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Check policy files (and what they extend) and list every problem with its place.
    ///
    /// Exit codes: 0 every file is valid, 2 a problem was found.
    Validate {
        /// Policy files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the JSON Schema of policy files (for editors).
    Schema,
    /// Judge many SBOMs under several policies: pass and fail counts per policy, how often each rule
    /// fires, the components causing most failures, and the submissions whose verdict flips.
    Simulate(SimulateArgs),
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// A policy file; give `--policy` once per policy to compare.
    #[arg(long = "policy", value_name = "FILE", required = true)]
    pub policies: Vec<PathBuf>,

    /// CycloneDX JSON SBOM files, one per submission.
    #[arg(required = true, value_name = "SBOM")]
    pub sboms: Vec<PathBuf>,

    /// Report format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: crate::report::simulation::SimFormat,

    /// Write the report to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The day waiver expiry dates are compared with (YYYY-MM-DD). Default: today (UTC).
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
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

    /// No progress bar and no summary on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}
