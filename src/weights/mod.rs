//! Weight lineage: fingerprints of a model's tensors, per sub-module, that tell a reused encoder from an
//! independently trained one (docs/models.md).
//!
//! - [`read`]: where each tensor's bytes are (safetensors single and sharded, GGUF, and [`pickle`]:
//!   PyTorch zip checkpoints read as data, never executed);
//! - [`sketch`]: the per-tensor sketch (dtype-independent, centred count-sketch of the values);
//! - [`compare`]: one model against a reference, sub-module by sub-module, with a null model;
//! - [`attach`]: during a scan, local models matched against reference fingerprints become lineage.
//!
//! A fingerprint file is JSON ([`Fingerprint`], format `sovereign-weight-fingerprint/1`, documented in
//! rules/fingerprints/README.md). It sits beside the provenance stage: it reads model folders the
//! provenance stage found and feeds the origin stage evidence of kind `weight-fingerprint`.

pub mod attach;
pub mod compare;
pub mod pickle;
pub mod read;
pub mod sketch;
mod zip;

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The format tag of a fingerprint file.
pub const FORMAT: &str = "sovereign-weight-fingerprint/1";

/// Why weights could not be read or a fingerprint file loaded. Each names the file.
#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    #[error("`{path}`: {msg} [{code}]")]
    Invalid { path: String, code: &'static str, msg: String },
    #[error("`{path}`: cannot read: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl WeightsError {
    /// The stable diagnostic code.
    pub fn code(&self) -> &'static str {
        match self {
            WeightsError::Invalid { code, .. } => code,
            WeightsError::Io { .. } => "unreadable-file",
        }
    }
}

/// The sketch's parameters: two fingerprints compare only when these agree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SketchParams {
    pub method: String,
    pub buckets: usize,
    pub seed: String,
}

impl Default for SketchParams {
    fn default() -> Self {
        SketchParams {
            method: "centred-count-sketch".into(),
            buckets: sketch::K,
            seed: format!("{:016x}", sketch::SEED),
        }
    }
}

/// One tensor's fingerprint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TensorPrint {
    pub name: String,
    /// The sub-module it belongs to ([`module_of`]).
    pub module: String,
    pub shape: Vec<u64>,
    pub dtype: String,
    /// SHA-256 of the raw bytes as stored (an exact copy in the same dtype has the same digest).
    pub sha256: String,
    /// Why the tensor is not used as lineage evidence (`small-or-vector`, `fixed-formula`, `constant`,
    /// `no-sketch`); absent when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excluded: Option<String>,
    /// The unit sketch as hex of `buckets` little-endian i16; absent for excluded tensors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sketch: Option<String>,
    #[serde(skip)]
    pub vector: Vec<f32>,
}

/// A sub-module's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModulePrint {
    pub name: String,
    pub tensors: usize,
    /// Tensors that carry lineage (not excluded).
    pub lineage_tensors: usize,
    pub parameters: u64,
}

/// A model's fingerprint file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub format: String,
    /// `ORG/MODEL` as the reference is known on its hub.
    pub name: String,
    /// ISO 3166-1 alpha-2 of the model's publisher, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Where the country comes from (`--country`, or the knowledge-base entry of the namespace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_source: Option<String>,
    pub sketch: SketchParams,
    /// The weight files read, by name.
    pub files: Vec<String>,
    pub modules: Vec<ModulePrint>,
    pub tensors: Vec<TensorPrint>,
}

/// Segments that open a tower: everything under them is one sub-module.
const TOWERS: &[&str] = &[
    "visual",
    "vision_tower",
    "vision_model",
    "vision_encoder",
    "vision",
    "image_encoder",
    "img_encoder",
    "audio_tower",
    "audio_model",
    "audio_encoder",
    "audio",
    "speech_encoder",
    "whisper_encoder",
    "mm_projector",
    "multi_modal_projector",
    "vision_proj",
    "v_enc",
    "v",
    "a",
];

/// Segments followed by a layer number.
const LAYER_LISTS: &[&str] = &["layers", "layer", "h", "blocks", "block", "blk", "resblocks"];

/// The sub-module of a tensor name (docs/models.md, "Sub-modules"):
/// 1. a tower: the name up to a tower segment (`visual.`, `model.vision_tower.`, `audio_tower.`, GGUF
///    `v.`) within the first three segments;
/// 2. a numbered layer: up to the layer number (`model.layers.12.`, `transformer.h.3.`, `blk.7.`);
/// 3. otherwise the name without its last segment (`lm_head`, `model.embed_tokens`, `model.norm`).
pub fn module_of(name: &str) -> String {
    let segs: Vec<&str> = name.split('.').collect();
    for (i, s) in segs.iter().enumerate().take(3) {
        let lower = s.to_ascii_lowercase();
        // One-letter GGUF tower prefixes (`v.`, `a.`) only as the first segment.
        if (TOWERS.contains(&lower.as_str()) && (lower.len() > 1 || i == 0) && i + 1 < segs.len())
            || (lower.len() > 1
                && (lower.contains("vision") || lower.contains("visual") || lower.contains("audio")))
                && i + 1 < segs.len()
        {
            return format!("{}.", segs[..=i].join("."));
        }
    }
    for i in 1..segs.len().saturating_sub(1) {
        if LAYER_LISTS.contains(&segs[i - 1])
            && segs[i].bytes().all(|b| b.is_ascii_digit())
            && !segs[i].is_empty()
        {
            return format!("{}.", segs[..=i].join("."));
        }
    }
    if segs.len() > 1 {
        segs[..segs.len() - 1].join(".")
    } else {
        name.to_string()
    }
}

/// The part a module belongs to, for the one-line verdict: numbered layers collapse
/// (`model.layers.12.` → `model.layers.*`).
pub fn part_of(module: &str) -> String {
    let segs: Vec<&str> = module.trim_end_matches('.').split('.').collect();
    if let Some(last) = segs.last() {
        if segs.len() > 1 && last.bytes().all(|b| b.is_ascii_digit()) && !last.is_empty() {
            return format!("{}.*", segs[..segs.len() - 1].join("."));
        }
    }
    module.to_string()
}

/// Names of tensors computed by a fixed formula (rotary frequencies, sinusoidal tables, id buffers).
fn fixed_formula(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    ["inv_freq", "rotary_emb", "rope_freqs", "_cached", "position_ids", "sinusoid", "attn_bias_cache"]
        .iter()
        .any(|p| l.contains(p))
}

/// Below this many values a tensor is never lineage evidence (norm weights, biases, small vectors).
pub const MIN_LINEAGE_VALUES: u64 = 1024;

/// Reads a model folder (or one weight file) and fingerprints every tensor.
pub fn fingerprint_path(
    path: &Path,
    name: &str,
    country: Option<(String, String)>,
) -> Result<Fingerprint, WeightsError> {
    let files = read::weight_files(path)?;
    if files.is_empty() {
        return Err(read::invalid(
            path,
            "weights-not-found",
            "no weight file (safetensors, PyTorch zip checkpoint, GGUF) in this folder",
        ));
    }
    let mut tensors = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut buf = Vec::new();
    let mut vals = Vec::new();
    for file in &files {
        let locs = read::tensors_of(file)?;
        let mut fh = std::fs::File::open(file)
            .map_err(|e| WeightsError::Io { path: file.display().to_string(), source: e })?;
        for t in locs {
            if !seen.insert(t.name.clone()) {
                continue;
            }
            tensors.push(fingerprint_tensor(&mut fh, &t, &mut buf, &mut vals)?);
        }
    }
    if tensors.is_empty() {
        return Err(read::invalid(
            path,
            "weights-no-tensors",
            "the weight files hold no tensor that could be read",
        ));
    }
    let mut modules: Vec<ModulePrint> = Vec::new();
    for t in &tensors {
        let n = t.shape.iter().product::<u64>();
        match modules.iter_mut().find(|m| m.name == t.module) {
            Some(m) => {
                m.tensors += 1;
                m.lineage_tensors += t.excluded.is_none() as usize;
                m.parameters += n;
            }
            None => modules.push(ModulePrint {
                name: t.module.clone(),
                tensors: 1,
                lineage_tensors: t.excluded.is_none() as usize,
                parameters: n,
            }),
        }
    }
    let (country, country_source) = match country {
        Some((c, s)) => (Some(c), Some(s)),
        None => (None, None),
    };
    Ok(Fingerprint {
        format: FORMAT.into(),
        name: name.to_string(),
        country,
        country_source,
        sketch: SketchParams::default(),
        files: files
            .iter()
            .map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
            .collect(),
        modules,
        tensors,
    })
}

/// One tensor: digest of its raw bytes and, when it carries lineage, its sketch. Reads in bounded
/// chunks (`buf`, `vals` are reused).
pub fn fingerprint_tensor(
    fh: &mut std::fs::File,
    t: &read::TensorLoc,
    buf: &mut Vec<u8>,
    vals: &mut Vec<f32>,
) -> Result<TensorPrint, WeightsError> {
    let numel = t.numel();
    let mut excluded = if t.elem.is_none() {
        Some(format!("no-sketch ({})", t.dtype))
    } else if numel < MIN_LINEAGE_VALUES || t.shape.iter().filter(|d| **d > 1).count() < 2 {
        Some("small-or-vector".to_string())
    } else if fixed_formula(&t.name) {
        Some("fixed-formula".to_string())
    } else {
        None
    };
    let mut hasher = Sha256::new();
    let mut sk = excluded.is_none().then(sketch::Sketcher::default);
    let block = t.elem.map(|e| e.block().0).unwrap_or(1);
    read::read_chunks(fh, &t.file, t.offset, t.len, block, buf, |raw| {
        hasher.update(raw);
        if let (Some(s), Some(e)) = (sk.as_mut(), t.elem) {
            e.convert(raw, vals);
            s.update(vals);
        }
    })?;
    let mut vector = Vec::new();
    if let Some(s) = sk {
        let sum = s.finish();
        if sum.sketch.iter().all(|x| *x == 0.0) {
            excluded = Some("constant".into());
        } else {
            vector = sum.sketch;
        }
    }
    Ok(TensorPrint {
        name: t.name.clone(),
        module: module_of(&t.name),
        shape: t.shape.clone(),
        dtype: t.dtype.clone(),
        sha256: hex::encode(hasher.finalize()),
        sketch: (!vector.is_empty()).then(|| sketch::encode(&vector)),
        excluded,
        vector,
    })
}

impl Fingerprint {
    /// Parses a fingerprint file and decodes its sketches.
    pub fn parse(text: &str, path: &str) -> Result<Fingerprint, WeightsError> {
        let bad =
            |m: String| WeightsError::Invalid { path: path.into(), code: "fingerprint-invalid", msg: m };
        let mut fp: Fingerprint =
            serde_json::from_str(text).map_err(|e| bad(format!("not a fingerprint file: {e}")))?;
        if fp.format != FORMAT {
            return Err(bad(format!("format `{}`, expected `{FORMAT}`", fp.format)));
        }
        if fp.sketch != SketchParams::default() {
            return Err(bad(format!(
                "sketch {:?} differs from this version's {:?}",
                fp.sketch,
                SketchParams::default()
            )));
        }
        for t in &mut fp.tensors {
            if let Some(s) = &t.sketch {
                t.vector =
                    sketch::decode(s).ok_or_else(|| bad(format!("tensor `{}`: malformed sketch", t.name)))?;
            }
        }
        Ok(fp)
    }

    /// Reads a fingerprint file.
    pub fn load(path: &Path) -> Result<Fingerprint, WeightsError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| WeightsError::Io { path: path.display().to_string(), source: e })?;
        Fingerprint::parse(&text, &path.display().to_string())
    }

    /// The file's JSON (pretty, with a final newline).
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// The fingerprint files of a path: the file itself, or every `*.json` of a directory (sorted).
pub fn load_references(path: &Path) -> Result<Vec<(String, Fingerprint)>, WeightsError> {
    let io = |e| WeightsError::Io { path: path.display().to_string(), source: e };
    if path.is_file() {
        return Ok(vec![(path.display().to_string(), Fingerprint::load(path)?)]);
    }
    let mut files: Vec<_> = std::fs::read_dir(path)
        .map_err(io)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files.into_iter().map(|p| Fingerprint::load(&p).map(|f| (p.display().to_string(), f))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules() {
        for (name, m) in [
            ("visual.blocks.3.attn.qkv.weight", "visual."),
            ("model.vision_tower.encoder.layers.0.fc1.weight", "model.vision_tower."),
            ("audio_tower.layers.1.fc1.weight", "audio_tower."),
            ("vision_model.encoder.layers.1.mlp.fc1.weight", "vision_model."),
            ("model.layers.12.self_attn.q_proj.weight", "model.layers.12."),
            ("transformer.h.3.mlp.c_fc.weight", "transformer.h.3."),
            ("blk.7.attn_q.weight", "blk.7."),
            ("v.blk.0.attn_q.weight", "v."),
            ("lm_head.weight", "lm_head"),
            ("model.embed_tokens.weight", "model.embed_tokens"),
            ("output.weight", "output"),
            ("token_embd.weight", "token_embd"),
        ] {
            assert_eq!(module_of(name), m, "{name}");
        }
        assert_eq!(part_of("model.layers.12."), "model.layers.*");
        assert_eq!(part_of("visual."), "visual.");
    }
}
