//! Local model folders: `config.json`, model cards (README front matter), and the headers of
//! `.safetensors` and `.gguf` weight files. Headers are read with bounded reads; weights never are.

use std::io::{BufReader, Read, Seek, SeekFrom};

use serde_json::Value;

use crate::model::Diagnostic;

/// The largest weight-file header read (the safetensors format itself caps its header at 100 MB).
pub const MAX_HEADER: u64 = 100 * 1024 * 1024;

/// What a `config.json` (or an architecture-shape config) says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfigFacts {
    pub model_type: Option<(String, u32)>,
    pub architectures: Vec<String>,
    /// `_name_or_path` when it is a hub id, with its line.
    pub name_or_path: Option<(String, u32)>,
    /// `auto_map` classes (`modeling_chatglm.ChatGLMForConditionalGeneration`): custom upstream code.
    pub auto_map: Vec<(String, u32)>,
    /// A family recognised from the shape keys of a config without `model_type`, with the rule.
    pub shape_family: Option<(&'static str, &'static str, u32)>,
    /// `model_type` of sub-configurations (`vision_config`, `audio_config`, `text_config` …): the
    /// architectures of the model's parts, as `(key, model type, line)`.
    pub sub_model_types: Vec<(String, String, u32)>,
    /// Values naming the model the weights start from (`init_from`, `pretrained_model_name_or_path`,
    /// `base_model`, a `_name_or_path` that is not a hub id), as `(key, value, line)`.
    pub source_models: Vec<(String, String, u32)>,
}

/// Config keys whose value names the model the weights start from.
const SOURCE_KEYS: &[&str] = &["init_from", "pretrained_model_name_or_path", "base_model", "_name_or_path"];

fn line_of_key(text: &str, key: &str) -> u32 {
    let needle = format!("\"{key}\"");
    text.find(&needle).map(|i| crate::resolve::line_of(text, i)).unwrap_or(1)
}

fn line_of_value(text: &str, value: &str) -> u32 {
    text.find(value).map(|i| crate::resolve::line_of(text, i)).unwrap_or(1)
}

/// Reads a model configuration. `Ok(None)`: valid JSON that is not a model configuration.
pub fn parse_config(path: &str, text: &str) -> Result<Option<ConfigFacts>, Diagnostic> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        Diagnostic::warning("model-config-invalid", format!("not valid JSON: {e}"))
            .at(path, Some(e.line() as u32))
    })?;
    let Some(obj) = v.as_object() else { return Ok(None) };
    let mut f = ConfigFacts::default();
    if let Some(t) = obj.get("model_type").and_then(Value::as_str).filter(|t| !t.is_empty() && t.len() < 100)
    {
        f.model_type = Some((t.to_string(), line_of_key(text, "model_type")));
    }
    if let Some(a) = obj.get("architectures").and_then(Value::as_array) {
        f.architectures = a.iter().filter_map(Value::as_str).take(16).map(str::to_string).collect();
    }
    if let Some(n) = obj.get("_name_or_path").and_then(Value::as_str) {
        if super::models::split_repo_id(n).is_some() {
            f.name_or_path = Some((n.to_string(), line_of_key(text, "_name_or_path")));
        }
    }
    if let Some(m) = obj.get("auto_map").and_then(Value::as_object) {
        for v in m.values().take(32) {
            let vals: Vec<&str> = match v {
                Value::String(s) => vec![s.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => vec![],
            };
            for s in vals {
                if !f.auto_map.iter().any(|(x, _)| x == s) {
                    f.auto_map.push((s.to_string(), line_of_value(text, s)));
                }
            }
        }
    }
    for (k, v) in obj.iter().take(256) {
        if let Some(sub) = v.as_object().filter(|_| k.ends_with("_config")) {
            if let Some(t) =
                sub.get("model_type").and_then(Value::as_str).filter(|t| !t.is_empty() && t.len() < 100)
            {
                f.sub_model_types.push((k.clone(), t.to_string(), line_of_key(text, k)));
            }
            for sk in SOURCE_KEYS {
                if let Some(n) =
                    sub.get(*sk).and_then(Value::as_str).filter(|n| !n.is_empty() && n.len() < 300)
                {
                    f.source_models.push((format!("{k}.{sk}"), n.to_string(), line_of_value(text, n)));
                }
            }
        }
    }
    for sk in SOURCE_KEYS {
        if let Some(n) = obj.get(*sk).and_then(Value::as_str).filter(|n| !n.is_empty() && n.len() < 300) {
            // A hub id in `_name_or_path` is already a base model (`name_or_path`).
            if *sk == "_name_or_path" && f.name_or_path.is_some() {
                continue;
            }
            f.source_models.push((sk.to_string(), n.to_string(), line_of_key(text, sk)));
        }
    }
    // DeepSeek's own inference configs (MLA attention with routed experts) name no model_type.
    if f.model_type.is_none() && obj.contains_key("kv_lora_rank") && obj.contains_key("n_routed_experts") {
        f.shape_family =
            Some(("deepseek", "deepseek-mla-moe-config-keys", line_of_key(text, "kv_lora_rank")));
    }
    let is_model = f.model_type.is_some()
        || !f.architectures.is_empty()
        || f.shape_family.is_some()
        || !f.sub_model_types.is_empty()
        || f.source_models
            .iter()
            .any(|(k, _, _)| k == "init_from" || k.ends_with("pretrained_model_name_or_path"));
    Ok(is_model.then_some(f))
}

/// The YAML front matter of a model card.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CardFacts {
    /// Base models (hub ids) with their lines.
    pub base_models: Vec<(String, u32)>,
    pub relation: Option<String>,
    pub license: Option<(String, u32)>,
    pub license_name: Option<String>,
    pub datasets: Vec<String>,
    pub task: Option<String>,
    pub library: Option<String>,
}

/// Reads a README's front matter. `Ok(None)`: no front matter, or one without model-card keys.
pub fn parse_card(path: &str, text: &str) -> Result<Option<CardFacts>, Diagnostic> {
    let Some(body) = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n")) else {
        return Ok(None);
    };
    let Some(end) = body.find("\n---") else { return Ok(None) };
    let yaml = &body[..end];
    let v: serde_yaml::Value = serde_yaml::from_str(yaml).map_err(|e| {
        let line = e.location().map(|l| l.line() as u32 + 1);
        Diagnostic::warning("model-card-invalid", format!("front matter is not valid YAML: {e}"))
            .at(path, line)
    })?;
    let Some(m) = v.as_mapping() else { return Ok(None) };
    let get = |k: &str| m.get(k);
    let strings = |v: Option<&serde_yaml::Value>| -> Vec<String> {
        match v {
            Some(serde_yaml::Value::String(s)) => vec![s.clone()],
            Some(serde_yaml::Value::Sequence(a)) => {
                a.iter().filter_map(|x| x.as_str().map(str::to_string)).take(64).collect()
            }
            _ => vec![],
        }
    };
    let mut c = CardFacts::default();
    for b in strings(get("base_model")) {
        let line = line_of_value(text, &b);
        c.base_models.push((b, line));
    }
    c.relation = get("base_model_relation").and_then(|v| v.as_str()).map(str::to_string);
    if let Some(l) = get("license").and_then(|v| v.as_str()) {
        c.license = Some((l.to_string(), line_of_value(text, &format!("license: {l}"))));
    }
    c.license_name = get("license_name").and_then(|v| v.as_str()).map(str::to_string);
    c.datasets = strings(get("datasets"));
    c.task = get("pipeline_tag").and_then(|v| v.as_str()).map(str::to_string);
    c.library = get("library_name").and_then(|v| v.as_str()).map(str::to_string);
    let is_card = !c.base_models.is_empty()
        || c.task.is_some()
        || c.library.is_some()
        || get("model-index").is_some()
        || (c.license.is_some() && !c.datasets.is_empty());
    Ok(is_card.then_some(c))
}

/// Hugging Face licence identifiers (model card `license:`) as SPDX, where one exists; the others are
/// kept as written (`LicenseRef-` for the model licences that have no SPDX id).
pub fn card_license(id: &str, name: Option<&str>) -> String {
    let lower = id.to_ascii_lowercase();
    let spdx = match lower.as_str() {
        "apache-2.0" => "Apache-2.0",
        "mit" => "MIT",
        "bsd-3-clause" => "BSD-3-Clause",
        "bsd-2-clause" => "BSD-2-Clause",
        "cc-by-4.0" => "CC-BY-4.0",
        "cc-by-sa-4.0" => "CC-BY-SA-4.0",
        "cc-by-nc-4.0" => "CC-BY-NC-4.0",
        "cc-by-nc-sa-4.0" => "CC-BY-NC-SA-4.0",
        "cc0-1.0" => "CC0-1.0",
        "gpl-3.0" => "GPL-3.0-only",
        "agpl-3.0" => "AGPL-3.0-only",
        "openrail" => "LicenseRef-OpenRAIL",
        "llama2" => "LicenseRef-Llama-2",
        "llama3" => "LicenseRef-Llama-3",
        "llama3.1" => "LicenseRef-Llama-3.1",
        "llama3.2" => "LicenseRef-Llama-3.2",
        "gemma" => "LicenseRef-Gemma",
        "other" => {
            return match name {
                Some(n) => format!("LicenseRef-{}", sanitize_ref(n)),
                None => "LicenseRef-other".to_string(),
            }
        }
        _ => return id.to_string(),
    };
    spdx.to_string()
}

fn sanitize_ref(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '-' }).collect()
}

/// Model licences that have no SPDX identifier, recognised by their title, with their licensor. The ids are
/// those of rules/licenses/ai-models.yaml, so one licence text has one LicenseRef in a document.
pub fn known_model_licence(text: &str) -> Option<(&'static str, &'static str)> {
    let head: String = text.chars().take(600).collect::<String>().to_ascii_lowercase();
    const KNOWN: &[(&str, &str, &str)] = &[
        ("deepseek license agreement", "LicenseRef-DeepSeek-Model-1.0", "DeepSeek"),
        ("exaone ai model license agreement", "LicenseRef-EXAONE-1.1-NC", "LG AI Research"),
        ("tongyi qianwen license agreement", "LicenseRef-Tongyi-Qianwen", "Alibaba Cloud"),
        ("llama 3 community license agreement", "LicenseRef-Llama-3", "Meta"),
        ("llama 2 community license agreement", "LicenseRef-Llama-2", "Meta"),
        ("gemma terms of use", "LicenseRef-Gemma", "Google"),
    ];
    KNOWN.iter().find(|(title, _, _)| head.contains(title)).map(|&(_, id, who)| (id, who))
}

/// A few common licence texts, by their title (an SPDX id); a hint, not a full text match.
pub fn licence_title(text: &str) -> Option<&'static str> {
    let head: String = text.chars().take(400).collect::<String>().to_ascii_lowercase();
    if head.contains("apache license") && head.contains("version 2.0") {
        Some("Apache-2.0")
    } else if head.contains("mit license") || head.starts_with("mit ") {
        Some("MIT")
    } else if head.contains("bsd 3-clause") {
        Some("BSD-3-Clause")
    } else if head.contains("bsd 2-clause") {
        Some("BSD-2-Clause")
    } else if head.contains("gnu affero general public license") {
        Some("AGPL-3.0-only")
    } else if head.contains("gnu general public license") && head.contains("version 3") {
        Some("GPL-3.0-only")
    } else if head.contains("gnu general public license") && head.contains("version 2") {
        Some("GPL-2.0-only")
    } else {
        None
    }
}

/// What a weight file's header says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WeightFacts {
    pub format: &'static str,
    pub tensors: u64,
    /// Sum of tensor element counts (`None` when a shape was unreadable).
    pub parameters: Option<u64>,
    /// GGUF `general.architecture`.
    pub architecture: Option<String>,
    /// GGUF `general.name`, `general.organization`, `general.license`, `general.base_model.N.*`,
    /// safetensors `__metadata__` entries.
    pub metadata: Vec<(String, String)>,
}

fn header_err(path: &str, code: &str, msg: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(code, msg).at(path, None)
}

/// Reads a `.safetensors` header: an 8-byte little-endian length, then that many bytes of JSON.
pub fn read_safetensors<R: Read>(
    path: &str,
    mut r: R,
    file_size: u64,
    cap: u64,
) -> Result<WeightFacts, Diagnostic> {
    let mut len = [0u8; 8];
    r.read_exact(&mut len)
        .map_err(|_| header_err(path, "model-header-truncated", "shorter than a safetensors header"))?;
    let n = u64::from_le_bytes(len);
    if n > cap.min(MAX_HEADER) {
        return Err(header_err(
            path,
            "model-header-too-large",
            format!("declares a {n}-byte safetensors header (limit {}); not read", cap.min(MAX_HEADER)),
        ));
    }
    if n.saturating_add(8) > file_size {
        return Err(header_err(
            path,
            "model-header-truncated",
            format!("declares a {n}-byte header but the file has {file_size} bytes"),
        ));
    }
    let mut buf = Vec::with_capacity(n as usize);
    r.take(n)
        .read_to_end(&mut buf)
        .map_err(|e| header_err(path, "unreadable-file", format!("cannot read: {e}")))?;
    let v: Value = serde_json::from_slice(&buf).map_err(|e| {
        header_err(path, "model-header-invalid", format!("safetensors header is not valid JSON: {e}"))
    })?;
    let obj = v
        .as_object()
        .ok_or_else(|| header_err(path, "model-header-invalid", "safetensors header is not a JSON object"))?;
    let mut f = WeightFacts { format: "safetensors", parameters: Some(0), ..WeightFacts::default() };
    for (k, t) in obj {
        if k == "__metadata__" {
            if let Some(m) = t.as_object() {
                for (mk, mv) in m.iter().take(64) {
                    if let Some(s) = mv.as_str() {
                        f.metadata.push((mk.clone(), super::notices::bounded(s, 200)));
                    }
                }
            }
            continue;
        }
        f.tensors += 1;
        let count = t.get("shape").and_then(Value::as_array).and_then(|dims| {
            dims.iter().try_fold(1u64, |acc, d| d.as_u64().and_then(|d| acc.checked_mul(d)))
        });
        f.parameters = match (f.parameters, count) {
            (Some(a), Some(b)) => a.checked_add(b),
            _ => None,
        };
    }
    Ok(f)
}

/// A bounded reader for GGUF: every byte read counts against a budget.
struct Budget<R> {
    r: R,
    left: u64,
    /// The budget is the file's own end (running out means the header is truncated).
    to_eof: bool,
}

impl<R: Read + Seek> Budget<R> {
    fn exhausted(&self, path: &str) -> Diagnostic {
        if self.to_eof {
            header_err(path, "model-header-truncated", "GGUF header ends early")
        } else {
            header_err(
                path,
                "model-header-too-large",
                "GGUF metadata exceeds the header read limit; not read further",
            )
        }
    }
    fn bytes(&mut self, n: u64, path: &str) -> Result<Vec<u8>, Diagnostic> {
        if n > self.left {
            return Err(self.exhausted(path));
        }
        self.left -= n;
        let mut buf = Vec::with_capacity(n.min(1 << 20) as usize);
        (&mut self.r)
            .take(n)
            .read_to_end(&mut buf)
            .map_err(|e| header_err(path, "unreadable-file", format!("cannot read: {e}")))?;
        if (buf.len() as u64) < n {
            return Err(header_err(path, "model-header-truncated", "GGUF header ends early"));
        }
        Ok(buf)
    }
    fn skip(&mut self, n: u64, path: &str) -> Result<(), Diagnostic> {
        if n > self.left {
            return Err(self.exhausted(path));
        }
        self.left -= n;
        self.r
            .seek(SeekFrom::Current(n as i64))
            .map_err(|e| header_err(path, "unreadable-file", format!("cannot seek: {e}")))?;
        Ok(())
    }
    fn u32(&mut self, path: &str) -> Result<u32, Diagnostic> {
        let b = self.bytes(4, path)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self, path: &str) -> Result<u64, Diagnostic> {
        let b = self.bytes(8, path)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(&b);
        Ok(u64::from_le_bytes(a))
    }
    fn string(&mut self, path: &str) -> Result<String, Diagnostic> {
        let n = self.u64(path)?;
        if n > 1 << 20 {
            return Err(header_err(path, "model-header-invalid", format!("GGUF string of {n} bytes")));
        }
        Ok(String::from_utf8_lossy(&self.bytes(n, path)?).into_owned())
    }
}

const GGUF_MAX_KV: u64 = 1 << 20;
const GGUF_MAX_TENSORS: u64 = 1 << 22;

/// Reads a GGUF header (magic, version, tensor and key-value counts, key-values, tensor infos).
pub fn read_gguf<R: Read + Seek>(
    path: &str,
    r: R,
    file_size: u64,
    cap: u64,
) -> Result<WeightFacts, Diagnostic> {
    let limit = cap.min(MAX_HEADER);
    let mut b = Budget { r: BufReader::new(r), left: limit.min(file_size), to_eof: file_size <= limit };
    let magic = b
        .bytes(4, path)
        .map_err(|_| header_err(path, "model-header-truncated", "shorter than a GGUF header"))?;
    if magic != b"GGUF" {
        return Err(header_err(path, "model-header-invalid", "not a GGUF file (bad magic)"));
    }
    let version = b.u32(path)?;
    if !(2..=3).contains(&version) {
        return Err(header_err(path, "model-header-invalid", format!("unsupported GGUF version {version}")));
    }
    let tensors = b.u64(path)?;
    let kvs = b.u64(path)?;
    if kvs > GGUF_MAX_KV || tensors > GGUF_MAX_TENSORS {
        return Err(header_err(
            path,
            "model-header-invalid",
            format!("implausible GGUF counts ({tensors} tensors, {kvs} keys)"),
        ));
    }
    let mut f = WeightFacts { format: "gguf", tensors, ..WeightFacts::default() };
    for _ in 0..kvs {
        let key = b.string(path)?;
        let ty = b.u32(path)?;
        let wanted = key.starts_with("general.");
        match read_value(&mut b, ty, path, 0)? {
            Some(v) if wanted => {
                if key == "general.architecture" {
                    f.architecture = Some(v.clone());
                }
                f.metadata.push((key, super::notices::bounded(&v, 200)));
            }
            _ => {}
        }
    }
    // Tensor infos: name, n_dims, dims, type, offset.
    let mut params: Option<u64> = Some(0);
    for _ in 0..tensors {
        let Ok(_name) = b.string(path) else {
            params = None;
            break;
        };
        let Ok(n_dims) = b.u32(path) else {
            params = None;
            break;
        };
        if n_dims > 8 {
            return Err(header_err(path, "model-header-invalid", format!("tensor with {n_dims} dimensions")));
        }
        let mut count = Some(1u64);
        for _ in 0..n_dims {
            let d = b.u64(path)?;
            count = count.and_then(|c| c.checked_mul(d));
        }
        b.skip(4 + 8, path)?;
        params = match (params, count) {
            (Some(p), Some(c)) => p.checked_add(c),
            _ => None,
        };
    }
    f.parameters = params;
    Ok(f)
}

/// One GGUF value, as text for scalars and strings; arrays are skipped (`None`).
fn read_value<R: Read + Seek>(
    b: &mut Budget<R>,
    ty: u32,
    path: &str,
    depth: u32,
) -> Result<Option<String>, Diagnostic> {
    let fixed = |ty| match ty {
        0 | 1 | 7 => Some(1u64),
        2 | 3 => Some(2),
        4..=6 => Some(4),
        10..=12 => Some(8),
        _ => None,
    };
    Ok(match ty {
        8 => Some(b.string(path)?),
        9 => {
            if depth > 2 {
                return Err(header_err(path, "model-header-invalid", "GGUF arrays nested too deeply"));
            }
            let ety = b.u32(path)?;
            let n = b.u64(path)?;
            match fixed(ety) {
                Some(size) => b.skip(n.saturating_mul(size), path)?,
                None if ety == 8 => {
                    for _ in 0..n {
                        let len = b.u64(path)?;
                        b.skip(len, path)?;
                    }
                }
                None if ety == 9 => {
                    for _ in 0..n.min(GGUF_MAX_KV) {
                        read_value(b, 9, path, depth + 1)?;
                    }
                }
                None => {
                    return Err(header_err(
                        path,
                        "model-header-invalid",
                        format!("unknown GGUF value type {ety}"),
                    ))
                }
            }
            None
        }
        t => match fixed(t) {
            Some(size) => {
                let raw = b.bytes(size, path)?;
                let mut a = [0u8; 8];
                a[..raw.len()].copy_from_slice(&raw);
                Some(match t {
                    0 | 2 | 4 | 10 => u64::from_le_bytes(a).to_string(),
                    1 => (raw[0] as i8).to_string(),
                    3 => i16::from_le_bytes([raw[0], raw[1]]).to_string(),
                    5 => i32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]).to_string(),
                    6 => f32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]).to_string(),
                    7 => (raw[0] != 0).to_string(),
                    11 => i64::from_le_bytes(a).to_string(),
                    _ => f64::from_le_bytes(a).to_string(),
                })
            }
            None => {
                return Err(header_err(path, "model-header-invalid", format!("unknown GGUF value type {t}")))
            }
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn st(header: &str) -> Vec<u8> {
        let mut v = (header.len() as u64).to_le_bytes().to_vec();
        v.extend_from_slice(header.as_bytes());
        v.extend_from_slice(&[0u8; 16]);
        v
    }

    #[test]
    fn safetensors_header() {
        let bytes = st(
            r#"{"__metadata__":{"format":"pt"},"a":{"dtype":"F16","shape":[2,3],"data_offsets":[0,12]},"b":{"dtype":"F16","shape":[2],"data_offsets":[12,16]}}"#,
        );
        let f =
            read_safetensors("m.safetensors", Cursor::new(&bytes), bytes.len() as u64, MAX_HEADER).unwrap();
        assert_eq!((f.tensors, f.parameters), (2, Some(8)));
        assert_eq!(f.metadata, vec![("format".to_string(), "pt".to_string())]);
    }

    #[test]
    fn hostile_safetensors() {
        let mut huge = u64::MAX.to_le_bytes().to_vec();
        huge.extend_from_slice(b"{}");
        let e = read_safetensors("x", Cursor::new(&huge), huge.len() as u64, MAX_HEADER).unwrap_err();
        assert_eq!(e.code, "model-header-too-large");
        let mut trunc = 1000u64.to_le_bytes().to_vec();
        trunc.extend_from_slice(b"{\"a\":");
        let e = read_safetensors("x", Cursor::new(&trunc), trunc.len() as u64, MAX_HEADER).unwrap_err();
        assert_eq!(e.code, "model-header-truncated");
        let e = read_safetensors("x", Cursor::new(&[1u8, 2]), 2, MAX_HEADER).unwrap_err();
        assert_eq!(e.code, "model-header-truncated");
        let bad = st("{not json");
        let e = read_safetensors("x", Cursor::new(&bad), bad.len() as u64, MAX_HEADER).unwrap_err();
        assert_eq!(e.code, "model-header-invalid");
    }

    #[test]
    fn hostile_gguf() {
        let mut g = b"GGUF".to_vec();
        g.extend_from_slice(&3u32.to_le_bytes());
        g.extend_from_slice(&0u64.to_le_bytes());
        g.extend_from_slice(&1u64.to_le_bytes());
        g.extend_from_slice(&u64::MAX.to_le_bytes()); // key length
        let e = read_gguf("x.gguf", Cursor::new(&g), g.len() as u64, MAX_HEADER).unwrap_err();
        assert_eq!(e.code, "model-header-invalid");
        let e = read_gguf("x.gguf", Cursor::new(b"GGU"), 3, MAX_HEADER).unwrap_err();
        assert_eq!(e.code, "model-header-truncated");
    }

    #[test]
    fn config_and_card() {
        let c = parse_config(
            "config.json",
            "{\n  \"architectures\": [\"Glm4MoeForCausalLM\"],\n  \"model_type\": \"glm4_moe\"\n}",
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.model_type, Some(("glm4_moe".into(), 3)));
        assert!(parse_config("x.json", "{\"a\": 1}").unwrap().is_none());
        assert_eq!(parse_config("x.json", "{").unwrap_err().code, "model-config-invalid");
        let card = parse_card("README.md", "---\nlicense: mit\nbase_model:\n- zai-org/GLM-4.5-Air\nbase_model_relation: finetune\n---\n# x\n").unwrap().unwrap();
        assert_eq!(card.base_models, vec![("zai-org/GLM-4.5-Air".into(), 4)]);
        assert_eq!(card.relation.as_deref(), Some("finetune"));
        assert!(parse_card("README.md", "# no front matter\n").unwrap().is_none());
        assert_eq!(parse_card("README.md", "---\na: [\n---\n").unwrap_err().code, "model-card-invalid");
        assert_eq!(card_license("other", Some("glm-4")), "LicenseRef-glm-4");
    }
}
