//! The licence stage: declared licences normalised to SPDX, licences detected in texts, the concluded
//! licence, and licence categories (docs/licenses.md).

pub mod ai;
pub mod aliases;
pub mod askalono;
pub mod categories;
pub mod conclude;
pub mod curations;
pub mod detect;
pub mod fast;
mod fast_table;
mod installed;
pub mod ngram_store;
pub mod normalise;
mod roles;
mod stage;

pub use aliases::Aliases;
pub use categories::{category, Categories};
pub use normalise::{normalise, Normalised};
pub use stage::enrich;

use std::path::PathBuf;

/// How the licence stage runs.
#[derive(Debug, Clone, PartialEq)]
pub struct LicenseOptions {
    /// Text matches scoring under this (0..1) are not identifications.
    pub floor: f32,
    /// The user's curation file (same shape as rules/licenses/curations.yaml).
    pub curations: Option<PathBuf>,
    /// The user's alias file (same shape as rules/licenses/aliases.yaml).
    pub aliases: Option<PathBuf>,
    /// The user's category overrides (same shape as rules/licenses/categories.yaml).
    pub categories: Option<PathBuf>,
    /// Read licence texts of crates in the local cargo registry cache (set with `--cargo-metadata`).
    pub cargo_registry: bool,
}

impl Default for LicenseOptions {
    fn default() -> Self {
        LicenseOptions {
            floor: detect::DEFAULT_FLOOR,
            curations: None,
            aliases: None,
            categories: None,
            cargo_registry: false,
        }
    }
}

/// A rules file (built-in or the user's) that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("`{file}`: {message}")]
    Parse { file: String, message: String },
    #[error("cannot read `{file}`: {source}")]
    Read { file: String, source: std::io::Error },
}
