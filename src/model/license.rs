use serde::{Deserialize, Serialize};

/// One licence value and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicenseValue {
    /// The SPDX expression, normalised when the original could be parsed; the original otherwise.
    pub expression: String,
    /// What the source said, verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
    /// Whether `expression` is a valid SPDX expression.
    pub valid: bool,
    /// Where the value came from: `Cargo.toml`, `crates/x/LICENSE`, `cargo-metadata` …
    pub source: String,
    /// For detected values, the text-match score (0..1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
}

/// Declared, detected and concluded licences of a component (DESIGN.md).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LicenseInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared: Option<LicenseValue>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub detected: Vec<LicenseValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concluded: Option<LicenseValue>,
}

impl LicenseInfo {
    pub fn is_empty(&self) -> bool {
        self.declared.is_none() && self.detected.is_empty() && self.concluded.is_none()
    }
}
