//! The licence stage: declared licences normalised to SPDX, licences detected in texts, the concluded
//! licence, and licence categories (docs/licenses.md).

pub mod ai;
pub mod categories;

pub use categories::{category, Categories};

/// A rules file (built-in or the user's) that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("`{file}`: {message}")]
    Parse { file: String, message: String },
    #[error("cannot read `{file}`: {source}")]
    Read { file: String, source: std::io::Error },
}
