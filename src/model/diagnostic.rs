use serde::{Deserialize, Serialize};

use super::Location;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

/// Something a stage could not do or wants the reader to know, with a stable kebab-case code.
///
/// A diagnostic never stops the scan: a malformed manifest becomes one of these and the other manifests
/// are still resolved. The codes are listed in docs/diagnostics.md.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    pub message: String,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: &str, message: impl Into<String>) -> Self {
        Diagnostic { severity, code: code.to_string(), location: None, message: message.into() }
    }
    pub fn error(code: &str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }
    pub fn warning(code: &str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }
    pub fn note(code: &str, message: impl Into<String>) -> Self {
        Self::new(Severity::Note, code, message)
    }
    /// Attaches the file (relative to the scanned root) and line.
    pub fn at(mut self, path: impl Into<String>, line: Option<u32>) -> Self {
        self.location = Some(Location::new(path, line));
        self
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{sev}[{}]", self.code)?;
        if let Some(loc) = &self.location {
            write!(f, " {loc}")?;
        }
        write!(f, ": {}", self.message)
    }
}
