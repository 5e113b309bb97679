//! Architecture families of machine-learning models (rules/origins/model-families.yaml): which model
//! types belong together, and which upstream implementation file names (`modeling_glm4.py`) show one.
//!
//! The organisation and country behind a model type are NOT here: the origin stage's knowledge base has
//! them (rules/origins/signals.yaml `model_type_families`). This module only produces provisional
//! `model-family` evidence (architecture facet) whose value is the model type, for the origin stage to
//! attribute, and finds families in names and model classes.

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
    /// Further words naming the family in file, folder and model names.
    #[serde(default)]
    pub names: Vec<String>,
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

/// The family a word names (`whisper`, `qwen2.5`, `llama3`, `glm-4`): a model type, a file stem or a
/// name of the family, also once trailing version digits are dropped. Words under 3 letters never name
/// one.
pub fn family_of_word(word: &str) -> Option<&'static Family> {
    let w = word.to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    let is = |x: &str| {
        families().iter().find(|f| {
            f.model_types.iter().any(|t| t == x)
                || f.file_stems.iter().any(|t| t == x)
                || f.names.iter().any(|t| t == x)
        })
    };
    if let Some(f) = is(&w) {
        return Some(f);
    }
    let bare = w.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.' || c == '-' || c == '_');
    (bare.len() >= 3 && bare != w).then(|| is(bare)).flatten()
}

/// The families named in a model name or a file / folder name: its words (split at `-`, `_`, `/`,
/// spaces and `.` unless a version follows), and pairs of words (`glm-4`).
pub fn families_in_name(name: &str) -> Vec<&'static Family> {
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower.split(|c: char| "-_/ :@".contains(c)).filter(|w| !w.is_empty()).collect();
    let mut out: Vec<&'static Family> = Vec::new();
    let mut add = |f: &'static Family| {
        if !out.iter().any(|x| x.id == f.id) {
            out.push(f);
        }
    };
    for (i, w) in words.iter().enumerate() {
        let head = w.split('.').next().unwrap_or(w);
        if let Some(f) = family_of_word(w).or_else(|| family_of_word(head)) {
            add(f);
        } else if let Some(next) = words.get(i + 1) {
            if next.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                if let Some(f) = family_of_word(&format!("{w}{next}")) {
                    add(f);
                }
            }
        }
    }
    out
}

/// Class-name endings of model classes (not configurations, tokenizers or processors).
const MODEL_CLASS_ENDINGS: &[&str] = &[
    "model",
    "forcausallm",
    "forconditionalgeneration",
    "transformer",
    "encoder",
    "decoder",
    "forsequenceclassification",
    "fortokenclassification",
    "forquestionanswering",
    "formaskedlm",
    "forspeechseq2seq",
    "foraudioclassification",
    "forctc",
    "forimageclassification",
    "backbone",
    "visiontower",
];

/// The family of a transformers / vLLM model class (`Qwen2_5_VisionTransformerPretrainedModel`,
/// `WhisperEncoder`, `LlamaForCausalLM`): the longest model type the class name starts with (compared
/// without `_`), when the class name ends like a model class.
pub fn family_of_class(class: &str) -> Option<(&'static Family, &'static str)> {
    let norm: String = class.chars().filter(|c| *c != '_').collect::<String>().to_ascii_lowercase();
    if !class.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        || !MODEL_CLASS_ENDINGS.iter().any(|e| norm.ends_with(e))
        || ["config", "tokenizer", "processor"].iter().any(|x| norm.contains(x))
    {
        return None;
    }
    let mut best: Option<(&'static Family, &'static str, usize)> = None;
    for f in families() {
        for t in &f.model_types {
            let tn: String = t.chars().filter(|c| *c != '_').collect();
            if tn.len() >= 3 && norm.starts_with(&tn) && best.is_none_or(|b| tn.len() > b.2) {
                best = Some((f, t.as_str(), tn.len()));
            }
        }
    }
    best.map(|(f, t, _)| (f, t))
}

/// Provisional weight of a family (the origin stage sets the weight of the attributed evidence).
pub const FAMILY_WEIGHT: f64 = 0.2;

/// Weak origin evidence from an architecture: the value is the model type, the country is left to the
/// origin stage.
pub fn family_evidence(model_type: &str, what: &str, at: &Location) -> Evidence {
    let mut e = weak_family_evidence(model_type, what, at);
    e.weak = false;
    e
}

/// The same from a heuristic (architecture-shape keys): weak, it never decides the facet alone.
pub fn weak_family_evidence(model_type: &str, what: &str, at: &Location) -> Evidence {
    Evidence {
        kind: EvidenceKind::ModelFamily,
        value: model_type.to_ascii_lowercase(),
        country: None,
        weight: FAMILY_WEIGHT,
        source: format!("{at} ({what})"),
        weak: true,
        organisation: None,
        parent_country: None,
        facet: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_classes_name_families() {
        let ids = |n: &str| families_in_name(n).iter().map(|f| f.id.as_str()).collect::<Vec<_>>();
        assert_eq!(ids("audio-encoder-from-whisper-large-v3"), ["whisper"]);
        assert_eq!(ids("Qwen2.5-VL-7B-Instruct"), ["qwen"]);
        assert_eq!(ids("glm-4-9b-chat"), ["glm"]);
        assert_eq!(ids("Meta-Llama-3-8B"), ["llama"]);
        assert_eq!(ids("my-encoder"), Vec::<&str>::new());
        assert_eq!(ids("checkpoints"), Vec::<&str>::new());
        let class = |c: &str| family_of_class(c).map(|(f, _)| f.id.as_str());
        assert_eq!(class("Qwen2_5_VisionTransformerPretrainedModel"), Some("qwen"));
        assert_eq!(class("WhisperEncoder"), Some("whisper"));
        assert_eq!(class("LlamaForCausalLM"), Some("llama"));
        assert_eq!(class("Glm4vVisionModel"), Some("glm"));
        assert_eq!(class("Qwen2Tokenizer"), None);
        assert_eq!(class("WhisperConfig"), None);
        assert_eq!(class("AutoModel"), None);
        assert_eq!(class("Linear"), None);
    }
}
