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

    /// Licence texts matching under this score (0 to 1) are not taken as identifications.
    #[arg(long, value_name = "SCORE", default_value_t = crate::enrich::license::detect::DEFAULT_FLOOR,
          value_parser = parse_floor)]
    pub license_floor: f32,

    /// Your licence curations (YAML, same shape as rules/licenses/curations.yaml): they settle the
    /// concluded licence of the components they name.
    #[arg(long, value_name = "FILE")]
    pub license_curations: Option<PathBuf>,

    /// Your licence aliases (YAML, same shape as rules/licenses/aliases.yaml), read after the built-in ones.
    #[arg(long, value_name = "FILE")]
    pub license_aliases: Option<PathBuf>,

    /// Your licence categories (YAML, same shape as rules/licenses/categories.yaml): overrides single ids.
    #[arg(long, value_name = "FILE")]
    pub license_categories: Option<PathBuf>,

    /// Ask package registries (crates.io, npm, PyPI, Maven Central, deps.dev as fallback) for the
    /// licence, repository and authors of components whose files do not say. Off by default; responses
    /// are cached (see --cache-dir) and every failure is a warning.
    #[arg(long, env = "SOVEREIGN_ONLINE", value_parser = clap::builder::BoolishValueParser::new(),
          action = clap::ArgAction::SetTrue)]
    pub online: bool,

    /// Forbid any network use by the scan's stages, even where --online or SOVEREIGN_ONLINE asks for it
    /// (cloning the git URL you gave is not affected).
    #[arg(long)]
    pub offline: bool,

    /// Base URL of the crates.io API (a mirror).
    #[arg(long, env = "SOVEREIGN_CRATES_IO_URL", value_name = "URL", default_value = "https://crates.io")]
    pub crates_io_url: String,

    /// Base URL of the npm registry (a mirror).
    #[arg(long, env = "SOVEREIGN_NPM_URL", value_name = "URL", default_value = "https://registry.npmjs.org")]
    pub npm_url: String,

    /// Base URL of PyPI's JSON API (a mirror).
    #[arg(long, env = "SOVEREIGN_PYPI_URL", value_name = "URL", default_value = "https://pypi.org")]
    pub pypi_url: String,

    /// Base URL of a Maven repository (a mirror of Maven Central).
    #[arg(
        long,
        env = "SOVEREIGN_MAVEN_URL",
        value_name = "URL",
        default_value = "https://repo1.maven.org/maven2"
    )]
    pub maven_url: String,

    /// Base URL of the deps.dev API.
    #[arg(long, env = "SOVEREIGN_DEPS_DEV_URL", value_name = "URL", default_value = "https://api.deps.dev")]
    pub deps_dev_url: String,

    /// Seconds before a registry request is abandoned.
    #[arg(long, value_name = "SECONDS", default_value_t = 15)]
    pub registry_timeout: u64,

    /// Registry requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub registry_concurrency: usize,

    /// Hours a cached registry response stays fresh.
    #[arg(long, value_name = "HOURS", default_value_t = 168)]
    pub registry_cache_hours: u64,

    /// No progress bar and no summary on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

fn parse_floor(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}` is not a score between 0 and 1")),
    }
}
