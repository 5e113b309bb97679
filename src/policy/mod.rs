//! Sovereignty policies: YAML rules over an inventory (reference: docs/policy.md).
//!
//! A file is read in three steps, as cargo-deny does it: YAML into a generic value; that value checked
//! against the JSON Schema generated from [`config`] (every structural problem, with its path); the
//! structurally sound parts read by serde into the unvalidated [`config::PolicyFile`] and compiled by
//! [`validate`] into a [`Policy`] (every value problem, with its path). `extends:` chains are followed,
//! cycles refused, and the files merged (later wins). Only when no file of the chain has a problem is a
//! policy returned; otherwise the error lists them all.

pub mod codes;
pub mod config;
pub mod eval;
pub mod geo;
pub mod license;
mod load;
mod parse;
mod paths;
pub mod pattern;
pub mod schema_check;
pub mod simulate;
mod thresholds;
pub mod types;
pub mod validate;
mod waivers;

use std::fmt;

use serde::Serialize;

pub use eval::{evaluate, EvalOptions, Finding, Verdict};
pub use load::{from_str, load};
pub use parse::parse_document;
pub use types::{Date, Policy};

/// Policy files larger than this are refused before parsing (a policy is a page, not a data set).
pub const MAX_POLICY_BYTES: u64 = 1024 * 1024;
/// How deep `extends:` may chain.
pub const MAX_EXTENDS_DEPTH: usize = 16;

/// One problem in a policy file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file, as named on the command line or in `extends`.
    pub file: String,
    /// Where in the file: `rules[2].when.origin_not_in[1]`; empty for the file as a whole.
    pub path: String,
    pub message: String,
}

impl Problem {
    pub fn new(path: &str, message: String) -> Self {
        Problem { file: String::new(), path: path.to_string(), message }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read policy `{path}`: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{}", render(problems))]
    Invalid { problems: Vec<Problem> },
}

const MAX_SHOWN: usize = 100;

fn render(problems: &[Problem]) -> String {
    let mut s =
        format!("invalid policy ({} problem{}):", problems.len(), if problems.len() == 1 { "" } else { "s" });
    // A hostile file can have hundreds of thousands of problems; the first ones say what is wrong.
    for p in problems.iter().take(MAX_SHOWN) {
        s.push_str(&format!("\n  {}: {p}", p.file));
    }
    if problems.len() > MAX_SHOWN {
        s.push_str(&format!("\n  … and {} more", problems.len() - MAX_SHOWN));
    }
    s
}

impl PolicyError {
    pub fn problems(&self) -> &[Problem] {
        match self {
            PolicyError::Invalid { problems } => problems,
            PolicyError::Read { .. } => &[],
        }
    }
}
