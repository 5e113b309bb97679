//! Licence curations: `rules/licenses/curations.yaml` and the user's own file.

use serde::Deserialize;

use super::conclude::Curated;
use super::normalise::is_valid;
use super::RulesError;

pub const BUILTIN: &str = include_str!("../../../rules/licenses/curations.yaml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    #[serde(default)]
    curations: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    component: String,
    concluded: String,
    reason: String,
}

/// Curations in the order read; the last matching entry wins.
#[derive(Debug, Clone, Default)]
pub struct Curations {
    entries: Vec<(String, Curated)>,
}

impl Curations {
    /// Adds the entries of a file. Every entry is checked (purl, valid SPDX expression, a reason) and
    /// every problem is reported, not only the first.
    pub fn merge_yaml(&mut self, text: &str, file: &str) -> Result<(), RulesError> {
        let parse = |message: String| RulesError::Parse { file: file.to_string(), message };
        let f: File = serde_yaml::from_str(text).map_err(|e| parse(e.to_string()))?;
        if f.version != 1 {
            return Err(parse(format!("unsupported version `{}` (expected 1)", f.version)));
        }
        let mut problems = Vec::new();
        for (i, e) in f.curations.into_iter().enumerate() {
            if !e.component.starts_with("pkg:") {
                problems.push(format!("curation {}: `{}` is not a purl", i + 1, e.component));
            } else if !is_valid(&e.concluded) {
                problems.push(format!(
                    "curation {}: `{}` is not a valid SPDX expression",
                    i + 1,
                    e.concluded
                ));
            } else if e.reason.trim().is_empty() {
                problems.push(format!("curation {}: a reason is required", i + 1));
            } else {
                let key = e.component.trim_end_matches("@*").to_string();
                self.entries.push((
                    key,
                    Curated {
                        expression: e.concluded,
                        reason: e.reason.trim().to_string(),
                        file: file.to_string(),
                    },
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(parse(problems.join("; ")))
        }
    }

    /// The curation for a component's purl: an exact entry, or one without version.
    pub fn find(&self, purl: &str) -> Option<&Curated> {
        let unversioned = purl.split_once('@').map(|(p, _)| p).unwrap_or(purl);
        self.entries.iter().rev().find(|(k, _)| k == purl || k == unversioned).map(|(_, c)| c)
    }
}
