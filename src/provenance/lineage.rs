//! Lineage and architecture evidence the tree itself carries (docs/origin.md "Facets"), collected as
//! provisional evidence (no country: the origin stage attributes it):
//!
//! - folder and file names that name the model their weights were cut from (`X-from-Y`, `Y-encoder`);
//! - transformers / vLLM model classes that code imports (`from transformers import
//!   Qwen2_5_VisionTransformerPretrainedModel`): the architecture facet;
//! - weights referenced by a config or code path (`.pt`, `.bin`, `.safetensors`, `.gguf`, `.ckpt`, or a
//!   weights folder) that are not in the tree: `weights-not-provided`.

use super::families::{families_in_name, family_of_class};
use crate::model::{Evidence, EvidenceKind, Location};

/// Provisional evidence of the given kind (its facet is the kind's).
pub fn provisional(kind: EvidenceKind, value: &str, what: &str, at: &Location) -> Evidence {
    Evidence {
        kind,
        value: value.to_string(),
        country: None,
        weight: 0.0,
        source: format!("{at} ({what})"),
        weak: false,
        organisation: None,
        parent_country: None,
        facet: Some(kind.facet()),
    }
}

/// Name endings that say a part was built from the model named before them (`whisper-encoder`).
const PART_ENDINGS: &[&str] =
    &["encoder", "decoder", "backbone", "vit", "tower", "projector", "adapter", "vision", "audio"];

/// The source model a folder or file name names: `…-from-Y` gives `Y`, `Y-encoder` gives `Y`, when `Y`
/// names a known model family. `None` for every other name.
pub fn source_model_in_name(name: &str) -> Option<String> {
    let stem = name.split('.').next().filter(|s| !s.is_empty()).unwrap_or(name);
    let lower = name.to_ascii_lowercase();
    let candidate = ["-from-", "_from_", ".from."]
        .iter()
        .find_map(|sep| lower.find(sep).map(|i| name[i + sep.len()..].to_string()))
        .or_else(|| {
            let l = stem.to_ascii_lowercase();
            PART_ENDINGS.iter().find_map(|end| {
                let cut = l.strip_suffix(end)?;
                let cut = cut.strip_suffix(['-', '_'])?;
                Some(stem[..cut.len()].to_string())
            })
        })?;
    let candidate = candidate.trim_matches(|c: char| c == '-' || c == '_').to_string();
    (!candidate.is_empty() && !families_in_name(&candidate).is_empty()).then_some(candidate)
}

/// Model classes imported from transformers or vLLM in Python code, with their lines.
pub fn imported_model_classes(text: &str) -> Vec<(String, u32)> {
    let mut out: Vec<(String, u32)> = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        let t = line.trim_start();
        let Some(rest) = t.strip_prefix("from ") else { continue };
        let Some((module, names)) = rest.split_once(" import ") else { continue };
        let module = module.trim();
        if !(module == "transformers"
            || module.starts_with("transformers.models.")
            || module.starts_with("vllm.model_executor.models"))
        {
            continue;
        }
        let mut names = names.trim().to_string();
        // `from x import (\n A,\n B,\n)`
        if names.starts_with('(') && !names.contains(')') {
            for (_, l) in lines.by_ref() {
                names.push_str(l);
                if l.contains(')') {
                    break;
                }
            }
        }
        for n in names.split([',', '(', ')', ' ', '\t', '\\']) {
            let n = n.trim();
            if n.is_empty() || n == "as" {
                continue;
            }
            if family_of_class(n).is_some() && !out.iter().any(|(x, _)| x == n) {
                out.push((n.to_string(), i as u32 + 1));
            }
        }
    }
    out
}

const WEIGHT_EXTS: &[&str] = &[".safetensors", ".gguf", ".ckpt", ".pt", ".pth", ".bin"];

/// Keys whose value is a weights folder (or file).
const WEIGHT_KEYS: &[&str] = &[
    "init_from",
    "pretrained_model_name_or_path",
    "weights",
    "weights_path",
    "weights_dir",
    "weight_path",
    "checkpoint",
    "checkpoint_path",
    "checkpoint_dir",
    "ckpt",
    "ckpt_path",
    "ckpt_dir",
    "model_path",
    "encoder_path",
    "vision_encoder_path",
    "audio_encoder_path",
];

/// First folders that make a relative value a weights folder.
const WEIGHT_DIRS: &[&str] =
    &["weights", "checkpoints", "checkpoint", "ckpt", "ckpts", "pretrained", "models"];

/// A weights path named in a config or code file: `(path as written, line)`. Only relative paths with a
/// folder (`weights/x.safetensors`, `./ckpt/model.pt`) count: bare file names are conventions
/// (`pytorch_model.bin`), URLs and templates are not paths in the tree.
pub fn weight_paths(text: &str) -> Vec<(String, u32)> {
    let mut out: Vec<(String, u32)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        // Only a token with a `/` is a path: a line without one gives nothing.
        if memchr::memchr(b'/', line.as_bytes()).is_none() {
            continue;
        }
        let lower = line.to_ascii_lowercase();
        let keyed = WEIGHT_KEYS.iter().any(|k| {
            lower.match_indices(k).any(|(p, _)| {
                let before = lower[..p].chars().last();
                let after = lower[p + k.len()..].trim_start_matches(['"', '\'']).trim_start();
                before.is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_')
                    && (after.starts_with('=') || after.starts_with(':'))
            })
        });
        for tok in line.split(|c: char| c.is_whitespace() || "\"'`=,;()[]{}<>".contains(c)) {
            let tok = tok.trim_end_matches(':');
            if tok.len() < 4
                || tok.contains("://")
                || tok.contains('*')
                || tok.contains('$')
                || !tok.contains('/')
            {
                continue;
            }
            let tl = tok.to_ascii_lowercase();
            let is_file = WEIGHT_EXTS.iter().any(|e| tl.ends_with(e));
            let rel = tok.trim_start_matches("./");
            let first = rel.split('/').next().unwrap_or("");
            let is_dir = keyed
                && !is_file
                && (tok.starts_with("./") || tok.starts_with("../") || WEIGHT_DIRS.contains(&first))
                && !tok.starts_with('/');
            if (is_file || is_dir) && !out.iter().any(|(p, _)| p == tok) {
                out.push((tok.to_string(), i as u32 + 1));
            }
        }
    }
    out
}

/// The families a source-model name names, as text for messages (`whisper`).
pub fn family_ids(name: &str) -> String {
    families_in_name(name).iter().map(|f| f.id.as_str()).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_models_in_names() {
        assert_eq!(
            source_model_in_name("audio-encoder-from-whisper-large-v3").as_deref(),
            Some("whisper-large-v3")
        );
        assert_eq!(source_model_in_name("qwen-vit").as_deref(), Some("qwen"));
        assert_eq!(source_model_in_name("siglip_encoder").as_deref(), Some("siglip"));
        assert_eq!(source_model_in_name("text-encoder"), None);
        assert_eq!(source_model_in_name("from-scratch"), None);
        assert_eq!(source_model_in_name("llama"), None, "a family name alone is not a lineage claim");
    }

    #[test]
    fn model_class_imports() {
        let text = "import torch\nfrom transformers import AutoConfig, Qwen2_5_VisionTransformerPretrainedModel\n\
                    from transformers.models.whisper.modeling_whisper import (\n    WhisperEncoder,\n    WhisperConfig,\n)\n\
                    from mylib import LlamaForCausalLM\n";
        let got = imported_model_classes(text);
        assert_eq!(
            got,
            vec![
                ("Qwen2_5_VisionTransformerPretrainedModel".to_string(), 2),
                ("WhisperEncoder".to_string(), 3)
            ]
        );
    }

    #[test]
    fn weight_paths_in_configs_and_code() {
        let text = "[vision]\nweights = \"weights/vision-encoder/model.safetensors\"\n\
                    init_from = \"./checkpoints/audio\"\nname = \"pytorch_model.bin\"\nurl = \"https://x.org/a/b.bin\"\n\
                    model = \"Qwen/Qwen2-7B\"\n";
        let got: Vec<String> = weight_paths(text).into_iter().map(|(p, _)| p).collect();
        assert_eq!(got, vec!["weights/vision-encoder/model.safetensors", "./checkpoints/audio"]);
    }
}
