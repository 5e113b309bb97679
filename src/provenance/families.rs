//! Architecture families of machine-learning models (rules/origins/model-families.yaml): which model
//! types belong together, and which upstream implementation file names (`modeling_glm4.py`) show one.
//!
//! The organisation and country behind a model type are NOT here: the origin stage's knowledge base has
//! them (rules/origins/signals.yaml `model_type_families`). This module only produces WEAK `model-family`
//! evidence whose value is the model type, for the origin stage to attribute.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::{Evidence, EvidenceKind, Location};

/// One family of rules/origins/model-families.yaml.
#[derive(Debug, Clone, Deserialize)]
pub struct Family {
    pub id: String,
    /// Model types of the family; the first is the family's representative.
    pub model_types: Vec<String>,
    #[serde(default)]
    pub file_stems: Vec<String>,
}

impl Family {
    /// The model type that stands for the family (evidence from a file name, not a config).
    pub fn representative(&self) -> &str {
        self.model_types.first().map(String::as_str).unwrap_or(&self.id)
    }
}

#[derive(Debug, Deserialize)]
struct FamilyFile {
    families: Vec<Family>,
}

const FAMILIES_YAML: &str = include_str!("../../rules/origins/model-families.yaml");

/// The architecture families, parsed once.
pub fn families() -> &'static [Family] {
    static F: OnceLock<Vec<Family>> = OnceLock::new();
    F.get_or_init(|| {
        serde_yaml::from_str::<FamilyFile>(FAMILIES_YAML)
            .map(|f| f.families)
            .expect("rules/origins/model-families.yaml is valid (checked by a unit test)")
    })
}

/// The family of a `model_type` / GGUF architecture (case-insensitive).
pub fn family_of_type(model_type: &str) -> Option<&'static Family> {
    let t = model_type.to_ascii_lowercase();
    families().iter().find(|f| f.model_types.contains(&t))
}

/// The family of an upstream implementation file stem (`glm4` of `modeling_glm4.py`).
pub fn family_of_stem(stem: &str) -> Option<&'static Family> {
    let s = stem.to_ascii_lowercase();
    families().iter().find(|f| f.file_stems.contains(&s))
}

/// Weight of a family as origin evidence: weak by design (docs/provenance.md).
pub const FAMILY_WEIGHT: f64 = 0.2;

/// Weak origin evidence from an architecture: the value is the model type, the country is left to the
/// origin stage.
pub fn family_evidence(model_type: &str, what: &str, at: &Location) -> Evidence {
    Evidence {
        kind: EvidenceKind::ModelFamily,
        value: model_type.to_ascii_lowercase(),
        country: None,
        weight: FAMILY_WEIGHT,
        source: format!("{at} ({what})"),
        weak: true,
        organisation: None,
        parent_country: None,
    }
}
