//! What the scanned tree itself carries (src/provenance/): facts about machine-learning models, where a
//! provenance signal was seen, and the context reported about the submission as a whole.

use serde::{Deserialize, Serialize};

use super::Location;

/// One place that made the provenance stage create or enrich a component, and the rule that matched there
/// (`copyright-notice`, `from-pretrained`, `upstream-model-file-name` … listed in docs/provenance.md).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Occurrence {
    pub location: Location,
    pub rule: String,
    /// The matched text, trimmed and bounded (a notice line, a model id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// A base model a model derives from, as a model card, config or GGUF header names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct BaseModel {
    /// The id of the base model's own component in the inventory.
    pub component: String,
    /// `finetune`, `adapter`, `merge`, `quantized` (model card `base_model_relation`), when stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<String>,
}

/// Facts about a machine-learning model, written as a CycloneDX `modelCard`. Only what a file stated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelFacts {
    /// Where the model lives: `huggingface`, `modelscope`, `ollama`, `local`.
    pub hub: String,
    /// `config.json` `model_type` or GGUF `general.architecture`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_type: Option<String>,
    /// `config.json` `architectures`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub architectures: Vec<String>,
    /// The architecture family (rules/origins/model-families.yaml) the model type belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// Model card `pipeline_tag`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// Model card `library_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub library: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub base_models: Vec<BaseModel>,
    /// Model card `datasets`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub datasets: Vec<String>,
    /// Sum of tensor element counts read from weight-file headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tensor_count: Option<u64>,
    /// Weight file formats seen (`safetensors`, `gguf`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub file_formats: Vec<String>,
}

/// How often a value was seen.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Tally {
    pub value: String,
    pub count: u64,
}

/// A copyright holder of the submission's own files.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OwnHolder {
    pub holder: String,
    /// Where the holder was first seen (a root licence file, usually).
    pub first: Location,
    /// How many files carry a notice of this holder.
    pub files: u64,
}

/// The submission's own git history, as context (never a component's origin).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistorySummary {
    pub commits: u64,
    /// The walk stopped at its commit limit.
    #[serde(default)]
    pub truncated: bool,
    /// Author time-zone offsets (`+08:00`), most frequent first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub time_zones: Vec<Tally>,
    /// Author e-mail domains, most frequent first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub email_domains: Vec<Tally>,
}

/// What the provenance stage reports about the submission itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvenanceSummary {
    /// Files whose content was read for notices and model references.
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    /// Files skipped, by reason (`binary`, `minified`, `generated`, `too-large`, `excluded`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<Tally>,
    /// The submitter: holders of the project's own notices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub own_holders: Vec<OwnHolder>,
    /// Licences recognised in the project's own root licence files (`LICENSE-MODEL: LicenseRef-…`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub license_files: Vec<String>,
    /// Machine-learning frameworks declared in requirement files, as `name (file:line)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ml_frameworks: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<HistorySummary>,
}

impl ProvenanceSummary {
    pub fn is_empty(&self) -> bool {
        *self == ProvenanceSummary::default()
    }
}

impl ModelFacts {
    /// Folds another record of the same model into this one: first values win, lists are united.
    pub fn absorb(&mut self, other: ModelFacts) {
        if self.hub.is_empty() {
            self.hub = other.hub;
        }
        self.model_type = self.model_type.take().or(other.model_type);
        self.family = self.family.take().or(other.family);
        self.task = self.task.take().or(other.task);
        self.library = self.library.take().or(other.library);
        self.parameter_count = self.parameter_count.or(other.parameter_count);
        self.tensor_count = self.tensor_count.or(other.tensor_count);
        for (mine, theirs) in [
            (&mut self.architectures, other.architectures),
            (&mut self.datasets, other.datasets),
            (&mut self.file_formats, other.file_formats),
        ] {
            for v in theirs {
                if !mine.contains(&v) {
                    mine.push(v);
                }
            }
        }
        for b in other.base_models {
            if !self.base_models.iter().any(|m| m.component == b.component) {
                self.base_models.push(b);
            }
        }
    }
}
