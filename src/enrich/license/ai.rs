//! AI model licences that SPDX does not list: `rules/licenses/ai-models.yaml`.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::LicenseCategory;

const BUILTIN: &str = include_str!("../../../rules/licenses/ai-models.yaml");

/// One AI model licence, as a LicenseRef.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AiLicense {
    pub id: String,
    pub name: String,
    pub category: LicenseCategory,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Every one of these must occur in a text (normalised) for the text to be this licence.
    pub sentences: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AiLicenses {
    pub version: u32,
    pub licenses: Vec<AiLicense>,
}

impl AiLicenses {
    pub fn builtin() -> &'static AiLicenses {
        static CELL: OnceLock<AiLicenses> = OnceLock::new();
        CELL.get_or_init(|| {
            serde_yaml::from_str(BUILTIN).expect("the built-in ai-models.yaml is checked by the tests")
        })
    }
}
