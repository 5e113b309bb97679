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

impl LicenseValue {
    /// A licence as a manifest or metadata file states it, not yet normalised: `expression` is the text as
    /// written and `valid` says whether it already parses as a strict SPDX expression. The licence stage
    /// normalises it later and keeps `original`.
    pub fn declared(raw: &str, source: impl Into<String>) -> Self {
        let raw = raw.trim();
        LicenseValue {
            expression: raw.to_string(),
            original: Some(raw.to_string()),
            valid: spdx::Expression::parse(raw).is_ok(),
            source: source.into(),
            score: None,
        }
    }
}

/// What kind of obligations a licence carries; policies select licences by category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LicenseCategory {
    Permissive,
    WeakCopyleft,
    StrongCopyleft,
    NetworkCopyleft,
    PublicDomain,
    NonCommercial,
    UseRestricted,
    Proprietary,
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
