//! The command line. Doc comments here are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::diff::{ChangeKind, DiffFormat};
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
    Scan(Box<ScanArgs>),
    /// Explain why a component is attributed to a country, evidence by evidence.
    ///
    /// Scans SOURCE (as `scan` does, with the same origin options) or reads it when it is an SBOM file
    /// (CycloneDX or SPDX JSON: the evidence it records), and prints, for every component whose purl
    /// matches PURL (exactly, without its version, or as a `*` pattern), its country, confidence,
    /// organisation and each piece of evidence with its weight and source.
    Explain(ExplainArgs),

    /// Read an SBOM (CycloneDX 1.4–1.6 JSON or SPDX 2.3 JSON, ours or another tool's) and write it in
    /// other formats.
    ///
    /// Problems found in the input are printed on standard error and kept as diagnostics in the output.
    Convert(ConvertArgs),

    /// Compare two SBOMs (or sources to scan): components added, removed, upgraded; licence and origin
    /// changes.
    ///
    /// Exit codes: 0 no change of the kinds selected by --fail-on, 1 such changes, 2 an error.
    Diff(DiffArgs),
    /// Judge a submission (a fresh scan of SOURCE, or a stored SBOM file) against a policy.
    ///
    /// Exit codes: 0 the policy passes, 1 a finding at error severity, 2 an error.
    Check(CheckArgs),
    /// Work with policy files: validate them, print their JSON Schema, simulate them over SBOMs.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Write a self-contained HTML report of a submission (a fresh scan of SOURCE, or an SBOM file):
    /// the verdict first (with --policy), findings, charts, components, and the scan's facts.
    ///
    /// The page loads nothing from anywhere (inline style, script and SVG, a Content-Security-Policy
    /// of `default-src 'none'`); see docs/report.md.
    ///
    /// Exit codes: 0 written (and the policy passes), 1 written and the policy fails, 2 an error.
    Report(ReportArgs),
    /// Scan and judge many submissions in parallel: per submission an SBOM, a verdict and an HTML
    /// report; for the batch `summary.json` and a dashboard, `index.html`.
    ///
    /// Exit codes: 0 every submission passes, 1 one fails the policy, 2 one could not be scanned.
    Audit(AuditArgs),
    /// Ask the store (docs/store.md) across submissions and over time: components by country, facet,
    /// licence, purl or model lineage; the stored scans; what changed between two scans of a submission.
    ///
    /// By default the latest scan of each submission is asked; `--at DATE` asks the store as it was
    /// then, `--history` every scan.
    Query(QueryArgs),
    /// Fingerprint a model's weights (safetensors, sharded safetensors, GGUF, PyTorch zip checkpoints
    /// read as data) per tensor and per sub-module, for `scan --fingerprints` and `weights compare`.
    ///
    /// Pickles are never executed: a checkpoint whose pickle names anything beyond tensors is refused.
    Fingerprint(FingerprintArgs),
    /// Work with weight fingerprints (docs/models.md).
    #[command(subcommand)]
    Weights(WeightsCommand),
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// What to report on: a directory, a local git repository or a git URL (scanned), or an SBOM file
    /// (CycloneDX or SPDX JSON, read as it is).
    pub source: String,

    /// Judge against this policy file (YAML; see docs/policy.md). Without it, no verdict.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// The HTML file to write (atomically).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,

    /// Branch, tag or commit to scan (git sources).
    #[arg(long = "ref", value_name = "REV")]
    pub reference: Option<String>,

    /// Where clones are cached. Default: $XDG_CACHE_HOME/sovereign or ~/.cache/sovereign.
    #[arg(long, env = "SOVEREIGN_CACHE", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// The day waiver expiry dates are compared with (YYYY-MM-DD). Default: today (UTC).
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,

    /// No progress bar and no verdict line on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The submissions file (YAML): `submissions: [{name, url, ref?}]`. Names become directory names.
    pub submissions: PathBuf,

    /// The policy file every submission is judged against.
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,

    /// The output directory: NAME/sbom.cdx.json, NAME/verdict.json, NAME/report.html, summary.json,
    /// index.html.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Submissions scanned at once. Default: the number of cores.
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,

    /// Also record every scanned submission (its SBOM, components and verdict, under its name) in this
    /// store: `sqlite:PATH` or `postgres://USER@HOST/DB` (docs/store.md). The files are written first; a
    /// submission whose record fails is reported (exit 2) and nothing partial of it is stored.
    #[arg(long, env = "SOVEREIGN_STORE", value_name = "URL")]
    pub store: Option<String>,

    /// Where clones are cached. Default: $XDG_CACHE_HOME/sovereign or ~/.cache/sovereign.
    #[arg(long, env = "SOVEREIGN_CACHE", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// The day waiver expiry dates are compared with (YYYY-MM-DD). Default: today (UTC).
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,

    /// No progress display and no summary on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Where `scan` and `check` also store their result (docs/store.md).
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Also record the result in this store: `sqlite:PATH` (one file, no server) or
    /// `postgres://USER@HOST/DB` (a team's shared store). The SBOM and report are written first; a
    /// store error is then reported (exit 2) and nothing partial is stored.
    #[arg(long, env = "SOVEREIGN_STORE", value_name = "URL")]
    pub store: Option<String>,

    /// The submission name the result is stored under. Default: the scanned subject's name.
    #[arg(long, value_name = "NAME", requires = "store")]
    pub submission: Option<String>,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The store: `sqlite:PATH` or `postgres://USER@HOST/DB`.
    #[arg(long, env = "SOVEREIGN_STORE", value_name = "URL")]
    pub store: String,

    /// Components attributed to this country (ISO 3166-1 alpha-2), or `unknown`.
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,

    /// The origin facet countries are read from: any (the combined origin, default), maintainer, code,
    /// weights, architecture.
    #[arg(long, value_name = "FACET", value_parser = ["any", "maintainer", "code", "weights", "architecture"])]
    pub facet: Option<String>,

    /// Components under this licence: an SPDX id (found in any of their licence expressions) or a whole
    /// expression (matched as written).
    #[arg(long, value_name = "EXPR")]
    pub license: Option<String>,

    /// Components whose purl matches: exactly, without its version, or a pattern with `*`.
    #[arg(long, value_name = "PATTERN")]
    pub purl: Option<String>,

    /// Models whose lineage (their base models) includes a purl matching PATTERN.
    #[arg(long, value_name = "PATTERN")]
    pub lineage: Option<String>,

    /// Only this submission.
    #[arg(long, value_name = "NAME")]
    pub submission: Option<String>,

    /// The store as it was at this date (YYYY-MM-DD, end of day, or YYYY-MM-DDTHH:MM:SSZ).
    #[arg(long, value_name = "DATE")]
    pub at: Option<String>,

    /// Only scans from this date on.
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,

    /// Every stored scan, not only the latest of each submission (when did a component enter?).
    #[arg(long)]
    pub history: bool,

    /// List the selected scans instead of components.
    #[arg(long, conflicts_with_all = ["country", "license", "purl", "lineage", "diff"])]
    pub scans: bool,

    /// What changed in `--submission` between its latest scan (at `--at`) and the scan before it, or
    /// its latest scan at `--from`.
    #[arg(long, requires = "submission")]
    pub diff: bool,

    /// With `--diff`: the earlier side is the submission's latest scan at this date.
    #[arg(long, value_name = "DATE", requires = "diff")]
    pub from: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: QueryFormat,

    /// Write to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FingerprintArgs {
    /// A model folder (or one weight file).
    pub model_dir: PathBuf,

    /// The model's name on its hub, `ORG/MODEL`.
    #[arg(long, value_name = "ORG/MODEL")]
    pub name: String,

    /// The publisher's country (ISO 3166-1 alpha-2). Default: from the knowledge base, by the
    /// name's namespace; unknown when the namespace is not known.
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,

    /// Write the fingerprint here (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// How `sovereign query` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum QueryFormat {
    /// Aligned columns for a terminal.
    Table,
    /// A JSON list of rows.
    Json,
    /// CSV with a header line.
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum WeightsCommand {
    /// Compare model A with reference B sub-module by sub-module: exact / near / independent, with
    /// the share of tensors matched, the similarity and its margin over chance.
    ///
    /// A and B are fingerprint files or model folders (fingerprinted on the fly).
    Compare(CompareArgs),
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The candidate: a fingerprint file or a model folder.
    pub a: PathBuf,
    /// The reference: a fingerprint file or a model folder.
    pub b: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: CompareFormat,
    /// One row per sub-module (each numbered layer) instead of per part.
    #[arg(long)]
    pub all_modules: bool,
}

/// Output of `weights compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompareFormat {
    Human,
    Json,
}

/// Options of the origin attribution stage (docs/origin.md).
#[derive(Debug, Clone, Args)]
pub struct OriginArgs {
    /// Use the network to learn what the files do not say: package registries (crates.io, npm, PyPI,
    /// Maven Central, deps.dev as fallback) for licence, repository and authors, and GitHub for the
    /// profile of repository owners the rules do not know (location, company, blog; GITHUB_TOKEN when
    /// set). Off by default; responses are cached (see --cache-dir) and every failure is a warning.
    #[arg(long, env = "SOVEREIGN_ONLINE", value_parser = clap::builder::BoolishValueParser::new(),
          action = clap::ArgAction::SetTrue)]
    pub online: bool,

    /// The GitHub API base URL (GitHub Enterprise).
    #[arg(long, env = "SOVEREIGN_GITHUB_API", value_name = "URL", default_value = "https://api.github.com")]
    pub github_api: String,

    /// User curations: purl patterns mapped to a country with a reason. They win over evidence.
    #[arg(long, value_name = "FILE")]
    pub curations: Option<PathBuf>,

    /// A rules file extending the built-in origin knowledge base (organisations, weights, floor).
    #[arg(long, value_name = "FILE")]
    pub origin_rules: Option<PathBuf>,

    /// Below this confidence (0..1) the origin is unknown. Default: the rules' floor, 0.6.
    #[arg(long, value_name = "CONFIDENCE")]
    pub origin_floor: Option<f64>,

    /// Attribute an organisation's components to its headquarters country or to its ultimate
    /// parent's country.
    #[arg(long, value_enum, default_value = "headquarters")]
    pub attribute_to: crate::enrich::origin::AttributeTo,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// What to explain: an SBOM file, a directory, a local git repository, or a git URL.
    pub source: String,

    /// The component: its purl, with or without version, or a pattern with `*`.
    pub purl: String,

    /// Branch, tag or commit to scan (git sources).
    #[arg(long = "ref", value_name = "REV")]
    pub reference: Option<String>,

    /// Where clones are cached. Default: $XDG_CACHE_HOME/sovereign or ~/.cache/sovereign.
    #[arg(long, env = "SOVEREIGN_CACHE", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    #[command(flatten)]
    pub origin: OriginArgs,
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

    #[command(flatten)]
    pub store: StoreArgs,
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
    #[arg(value_name = "SBOM", required_unless_present = "store")]
    pub sboms: Vec<PathBuf>,

    /// Simulate over the store's latest scan of each submission instead of (or besides) SBOM files.
    #[arg(long, env = "SOVEREIGN_STORE", value_name = "URL")]
    pub store: Option<String>,

    /// With `--store`: only submissions scanned from this date on (their latest scan).
    #[arg(long, value_name = "DATE", requires = "store")]
    pub since: Option<String>,

    /// With `--store`: the store as it was at this date.
    #[arg(long, value_name = "DATE", requires = "store")]
    pub at: Option<String>,

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

    /// Write the SBOM to this file (atomically) instead of standard output. With several --format,
    /// give one -o per format: the first -o is for the first --format, and so on.
    #[arg(short, long, value_name = "FILE")]
    pub output: Vec<PathBuf>,

    /// SBOM format (default cyclonedx-json). Repeat it to write several formats in one run, each paired
    /// in order with its -o: `--format cyclonedx-json -o app.cdx.json --format spdx-json -o app.spdx.json`.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Vec<Format>,

    /// Branch, tag or commit to scan (git sources; a local repository is then cloned into the cache
    /// so your working tree is left alone).
    #[arg(long = "ref", value_name = "REV")]
    pub reference: Option<String>,

    /// Fetch this many commits of history with the scanned ref (git URLs; default 1, a shallow fetch):
    /// the provenance stage's commit-time facts read the fetched history.
    #[arg(long, value_name = "N")]
    pub history: Option<u32>,

    /// Where clones are cached. Default: $XDG_CACHE_HOME/sovereign or ~/.cache/sovereign.
    #[arg(long, env = "SOVEREIGN_CACHE", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Add licence, authors and repository of Rust crates from the local cargo cache by running
    /// `cargo metadata --offline --locked`. Opt-in: this runs cargo, isolated from the repository's own
    /// cargo configuration and toolchain file (see docs/cargo.md).
    #[arg(long)]
    pub cargo_metadata: bool,

    /// Who makes this SBOM, with a contact: `Name <e-mail>` or `Name (https://url)`, optionally prefixed
    /// `Person:` (default: an organisation). Written as the SBOM's creator (SPDX `creators`/`createdBy`,
    /// CycloneDX `metadata.manufacturer`/`authors`), as BSI TR-03183-2 asks. Set a default with
    /// SOVEREIGN_CREATOR (e.g. in your shell profile or CI configuration).
    #[arg(long, env = "SOVEREIGN_CREATOR", value_name = "CREATOR", value_parser = parse_creator)]
    pub creator: Option<String>,

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

    /// A copyright holder of the submission's own files (repeatable). Root licence files are read for
    /// this already; every other holder found in the tree is reported as third-party code.
    #[arg(long = "own-holder", value_name = "NAME")]
    pub own_holders: Vec<String>,

    /// Skip files matching a .gitignore-style pattern when looking for notices and model references
    /// (repeatable; .gitignore files in the tree are honoured too).
    #[arg(long = "exclude", value_name = "PATTERN")]
    pub excludes: Vec<String>,

    /// Reference weight fingerprints (a file, or a directory of `*.json` such as rules/fingerprints/):
    /// every local model folder is fingerprinted and compared with each (docs/models.md).
    #[arg(long, value_name = "FILE|DIR")]
    pub fingerprints: Option<PathBuf>,

    /// Files larger than this many bytes are not read for notices and model references (weight-file
    /// headers are read whatever the file size).
    #[arg(long, value_name = "BYTES", default_value_t = crate::provenance::DEFAULT_MAX_FILE_SIZE)]
    pub provenance_max_file_size: u64,

    /// No progress bar and no summary on standard error.
    #[arg(short, long)]
    pub quiet: bool,

    #[command(flatten)]
    pub origin: OriginArgs,

    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The SBOM to read (the format is detected from the content).
    pub input: PathBuf,

    /// Write to this file (atomically) instead of standard output; one -o per --format, in order.
    #[arg(short, long, value_name = "FILE")]
    pub output: Vec<PathBuf>,

    /// Output format (default cyclonedx-json); repeat for several, each paired in order with its -o.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Vec<Format>,

    /// Do not print the input's problems on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier side: an SBOM file (CycloneDX or SPDX JSON), or a directory or git URL to scan.
    pub old: String,

    /// The later side, like OLD.
    pub new: String,

    /// How to print the differences.
    #[arg(long, value_enum, default_value = "human")]
    pub format: DiffFormat,

    /// Write the report to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with code 1 when a change of one of these kinds is found (comma-separated or repeated).
    /// `none` always exits 0 (report only).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "any", value_name = "KINDS")]
    pub fail_on: Vec<ChangeKind>,

    /// Where clones are cached when a side is a git URL.
    #[arg(long, env = "SOVEREIGN_CACHE", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

/// Why the `--format` / `-o` pairs do not fit.
#[derive(Debug, thiserror::Error)]
pub enum OutputsError {
    #[error("{formats} formats need {formats} `-o` files (one per `--format`, in order); got {outputs}")]
    Mismatch { formats: usize, outputs: usize },
    #[error("`{0}` is given as the output of two formats")]
    SameFile(String),
}

/// Pairs each `--format` with its `-o` in order. No `--format` means CycloneDX JSON; one format without
/// `-o` goes to standard output (`None`).
pub fn output_targets(
    formats: &[Format],
    outputs: &[PathBuf],
) -> Result<Vec<(Format, Option<PathBuf>)>, OutputsError> {
    let formats = if formats.is_empty() { vec![Format::CyclonedxJson] } else { formats.to_vec() };
    if outputs.is_empty() && formats.len() == 1 {
        return Ok(vec![(formats[0], None)]);
    }
    if outputs.len() != formats.len() {
        return Err(OutputsError::Mismatch { formats: formats.len(), outputs: outputs.len() });
    }
    let mut seen = std::collections::BTreeSet::new();
    for o in outputs {
        if !seen.insert(o) {
            return Err(OutputsError::SameFile(o.display().to_string()));
        }
    }
    Ok(formats.into_iter().zip(outputs.iter().cloned().map(Some)).collect())
}

fn parse_floor(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}` is not a score between 0 and 1")),
    }
}

/// `--creator`: checked, and kept in SPDX 2.3 creator form.
fn parse_creator(s: &str) -> Result<String, String> {
    crate::sbom::conformance::Creator::parse(s).map(|c| c.spdx2())
}
