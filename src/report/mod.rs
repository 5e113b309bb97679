//! Reports of a policy verdict (human, JSON, SARIF 2.1.0, Markdown, HTML) and of a policy simulation;
//! the HTML audit dashboard.

pub mod html;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod simulation;

use crate::model::Severity;
use crate::policy::{Policy, Verdict};

/// `sovereign check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Text for a terminal.
    Human,
    /// The verdict as JSON.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// A Markdown report (pull-request comments, audit files).
    Markdown,
}

/// Renders a verdict. `policy` gives SARIF its rule descriptions.
pub fn render(verdict: &Verdict, policy: &Policy, format: Format) -> Vec<u8> {
    match format {
        Format::Human => human::render(verdict).into_bytes(),
        Format::Json => json::render(verdict),
        Format::Sarif => sarif::render(verdict, policy),
        Format::Markdown => markdown::render(verdict).into_bytes(),
    }
}

pub(crate) fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// `a@1 → b@2 → c@3`, with purls shortened to `name@version` for reading.
pub(crate) fn path_text(path: &[String]) -> String {
    path.iter().map(|id| short(id)).collect::<Vec<_>>().join(" → ")
}

/// `pkg:cargo/serde@1.0.0?x=y` → `serde@1.0.0`; other ids unchanged.
pub(crate) fn short(id: &str) -> String {
    let end = id.find(['?', '#']).unwrap_or(id.len());
    let s = &id[..end];
    match s.strip_prefix("pkg:") {
        Some(rest) => rest.split_once('/').map(|(_, r)| r.to_string()).unwrap_or_else(|| rest.to_string()),
        None => s.to_string(),
    }
}
