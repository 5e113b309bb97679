//! References to AI models in code and configuration: `from_pretrained("org/name")` and its relatives,
//! `hf_hub_download` / `snapshot_download(repo_id=…)`, vLLM / SGLang `--model`, `model_name_or_path` and
//! similar keys, Hugging Face and ModelScope URLs, Ollama `FROM` lines. And the architecture families of
//! rules/origins/model-families.yaml.

use memchr::memmem;

use crate::model::Location;

pub use super::families::{families, family_evidence, family_of_stem, family_of_type, Family};
pub use super::hub::{hf_component, namespace_evidence, ref_component};

/// Where a referenced model lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Hub {
    HuggingFace,
    ModelScope,
    Ollama,
}

impl Hub {
    pub fn as_str(self) -> &'static str {
        match self {
            Hub::HuggingFace => "huggingface",
            Hub::ModelScope => "modelscope",
            Hub::Ollama => "ollama",
        }
    }
}

/// A model reference found in a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ModelRef {
    pub hub: Hub,
    /// Organisation or user (absent for Ollama library models).
    pub namespace: Option<String>,
    pub name: String,
    /// A pinned revision (40-hex commit) or an Ollama tag.
    pub version: Option<String>,
    pub location: Location,
    pub rule: &'static str,
}

/// Calls whose string arguments name a model.
const CALLS: &[(&str, &str)] = &[
    ("from_pretrained(", "from-pretrained"),
    ("hf_hub_download(", "hf-hub-download"),
    ("snapshot_download(", "snapshot-download"),
    ("pipeline(", "pipeline"),
    ("SentenceTransformer(", "sentence-transformer"),
    ("LLM(", "vllm-llm"),
];

/// Keyword arguments of those calls that never name a model.
const NOT_MODEL_ARGS: &[&str] = &[
    "revision",
    "filename",
    "cache_dir",
    "local_dir",
    "subfolder",
    "token",
    "torch_dtype",
    "dtype",
    "device_map",
    "repo_type",
    "allow_patterns",
    "ignore_patterns",
    "task",
    "tokenizer_mode",
    "quantization",
];

/// Configuration keys and command-line flags whose value names a model.
const KEYS: &[&str] = &[
    "model_name_or_path",
    "pretrained_model_name_or_path",
    "base_model_name_or_path",
    "model_name",
    "model_id",
    "model_path",
    "model-path",
    "model",
    "base_model",
    "vision_tower",
    "mm_vision_tower",
    "vision_encoder",
    "vision_model",
    "text_encoder",
    "tokenizer_name_or_path",
    "tokenizer_name",
    "tokenizer",
    "repo_id",
    "reward_model",
    "ref_model",
    "teacher_model",
    "embedding_model",
    "draft_model",
    "speculative_model",
];

/// First path segments of URLs on huggingface.co that are not model repositories.
const HF_NOT_ORGS: &[&str] = &[
    "datasets",
    "spaces",
    "docs",
    "blog",
    "papers",
    "settings",
    "join",
    "login",
    "api",
    "learn",
    "collections",
    "organizations",
    "tasks",
    "models",
    "new",
    "pricing",
    "chat",
    "posts",
    "changelog",
];

/// First segments of relative paths that look like `org/name` but are directories.
const PATHLIKE: &[&str] = &[
    "models",
    "model",
    "data",
    "checkpoints",
    "checkpoint",
    "ckpt",
    "ckpts",
    "outputs",
    "output",
    "weights",
    "pretrained",
    "src",
    "home",
    "tmp",
    "mnt",
    "root",
    "path",
    "local",
    "cache",
    "configs",
    "config",
    "saved_models",
    "exp",
    "runs",
    "logs",
    "results",
    "assets",
    "resources",
    "user",
    "your",
    "my",
    "org",
    "organization",
    "username",
    "namespace",
    "hf",
    "hub",
];

/// File endings that make an `a/b.ext` string a file path, not a repository.
const FILE_ENDINGS: &[&str] = &[
    ".json",
    ".py",
    ".txt",
    ".bin",
    ".pt",
    ".pth",
    ".safetensors",
    ".gguf",
    ".yaml",
    ".yml",
    ".md",
    ".onnx",
    ".ckpt",
    ".h5",
    ".npz",
    ".npy",
    ".jsonl",
    ".csv",
    ".parquet",
    ".tar",
    ".gz",
    ".zip",
    ".png",
    ".jpg",
    ".sh",
    ".log",
    ".toml",
    ".html",
    ".js",
    ".rs",
    ".model",
    ".tiktoken",
    ".wav",
    ".mp4",
];

/// Whether `s` has the shape of a hub repository id `org/name` (and not of a path).
pub fn split_repo_id(s: &str) -> Option<(&str, &str)> {
    let (ns, name) = s.split_once('/')?;
    let ok = |p: &str| {
        !p.is_empty()
            && p.len() <= 96
            && p.as_bytes()[0].is_ascii_alphanumeric()
            && p.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && !p.contains("..")
            && !p.contains("--")
    };
    if !ok(ns) || !ok(name) || name.contains('/') {
        return None;
    }
    let lname = name.to_ascii_lowercase();
    if PATHLIKE.contains(&ns.to_ascii_lowercase().as_str()) || FILE_ENDINGS.iter().any(|e| lname.ends_with(e))
    {
        return None;
    }
    // Version strings and dates (`1.2/3`, `2024/01`) are not repositories.
    if ns.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    Some((ns, name))
}

pub use crate::resolve::Lines;

/// The file kinds that are read for model references (code and configuration, not prose).
pub fn is_reference_source(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    matches!(
        ext,
        "py" | "ipynb"
            | "sh"
            | "bash"
            | "zsh"
            | "yaml"
            | "yml"
            | "json"
            | "toml"
            | "cfg"
            | "ini"
            | "conf"
            | "env"
            | "rs"
            | "go"
            | "js"
            | "ts"
            | "mjs"
            | "java"
            | "kt"
            | "cpp"
            | "cc"
            | "c"
            | "h"
            | "hpp"
            | "swift"
            | "rb"
            | "modelfile"
    ) || is_modelfile(&lower)
        || lower == "dockerfile"
        || lower == "makefile"
        || lower == ".env"
}

fn is_modelfile(lower_name: &str) -> bool {
    lower_name == "modelfile" || lower_name.starts_with("modelfile.") || lower_name.ends_with(".modelfile")
}

/// Every model reference of one file. `is_local_dir` tells whether a relative path names a directory of
/// the tree (then `org/name` is a local path, not a hub id).
pub fn extract(path: &str, text: &str, is_local_dir: &dyn Fn(&str) -> bool, out: &mut Vec<ModelRef>) {
    let before = out.len();
    extract_all(path, text, is_local_dir, out);
    // One reference per model and line: the first (most specific) rule wins.
    let mut seen = std::collections::BTreeSet::new();
    let mut i = before;
    while i < out.len() {
        let r = &out[i];
        if seen.insert((r.namespace.clone(), r.name.clone(), r.location.line)) {
            i += 1;
        } else {
            out.remove(i);
        }
    }
}

/// Words at least one of which every reference form contains: a file without any is not searched
/// further (most source files).
const PREFILTER: &[&str] = &[
    "model",
    "Model",
    "MODEL",
    "tokenizer",
    "encoder",
    "_tower",
    "repo_id",
    "pretrained",
    "snapshot_download",
    "pipeline(",
    "Transformer(",
    "LLM(",
    "hf.co/",
    "huggingface.co/",
    "ollama ",
];

/// The searchers of this module, built once.
struct Searchers {
    prefilter: aho_corasick::AhoCorasick,
    calls: Vec<memmem::Finder<'static>>,
    keys: Vec<memmem::Finder<'static>>,
    urls: Vec<memmem::Finder<'static>>,
    modelscope: memmem::Finder<'static>,
    vllm_serve: memmem::Finder<'static>,
    ollama: memmem::Finder<'static>,
}

/// URL prefixes that name a hub model.
const URL_PREFIXES: [(&str, Hub, &str); 3] = [
    ("huggingface.co/", Hub::HuggingFace, "huggingface-url"),
    ("hf.co/", Hub::HuggingFace, "huggingface-url"),
    ("modelscope.cn/models/", Hub::ModelScope, "modelscope-url"),
];

static SEARCHERS: std::sync::LazyLock<Searchers> = std::sync::LazyLock::new(|| {
    let finder = |s: &str| memmem::Finder::new(s.as_bytes()).into_owned();
    Searchers {
        prefilter: aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(PREFILTER)
            .expect("the prefilter words compile"),
        calls: CALLS.iter().map(|(c, _)| finder(c)).collect(),
        keys: KEYS.iter().map(|k| finder(k)).collect(),
        urls: URL_PREFIXES.iter().map(|(p, _, _)| finder(p)).collect(),
        modelscope: finder("modelscope"),
        vllm_serve: finder("vllm serve "),
        ollama: finder("ollama "),
    }
});

fn may_reference(bytes: &[u8]) -> bool {
    SEARCHERS.prefilter.is_match(bytes)
}

fn extract_all(path: &str, text: &str, is_local_dir: &dyn Fn(&str) -> bool, out: &mut Vec<ModelRef>) {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let bytes = text.as_bytes();
    let lines = std::cell::OnceCell::new();
    let line_of = |off: usize| lines.get_or_init(|| Lines::new(text)).line_of(off);
    let searchers = &*SEARCHERS;
    let modelscope = searchers.modelscope.find(bytes).is_some();
    let mut push = |hub: Hub, ns: Option<&str>, name: &str, version: Option<String>, off: usize, rule| {
        out.push(ModelRef {
            hub,
            namespace: ns.map(str::to_string),
            name: name.to_string(),
            version,
            location: Location::new(path, Some(line_of(off))),
            rule,
        });
    };
    let call_hub = if modelscope { Hub::ModelScope } else { Hub::HuggingFace };

    if is_modelfile(&name) {
        for (i, line) in text.lines().enumerate() {
            let t = line.trim_start();
            if t.len() > 5 && t[..5].eq_ignore_ascii_case("FROM ") {
                ollama_from(t[5..].trim(), path, i as u32 + 1, out);
            }
        }
        return;
    }
    if !may_reference(bytes) {
        return;
    }

    for ((call, rule), finder) in CALLS.iter().zip(&searchers.calls) {
        for hit in finder.find_iter(bytes) {
            if *call == "LLM(" && hit > 0 && is_word(bytes[hit - 1]) {
                continue;
            }
            let start = hit + call.len();
            let window = window(text, start, 600);
            let end = close_paren(window);
            let args = &window[..end];
            let mut revision = None;
            let mut found = Vec::new();
            for (lit_off, lit) in literals(args) {
                match keyword_before(&args[..lit_off - 1]) {
                    Some("revision") if is_commit(lit) => revision = Some(lit.to_ascii_lowercase()),
                    Some(k) if NOT_MODEL_ARGS.contains(&k) => {}
                    _ => {
                        if let Some((ns, n)) = split_repo_id(lit).filter(|_| !is_local_dir(lit)) {
                            found.push((ns, n, start + lit_off));
                        }
                    }
                }
            }
            for (ns, n, off) in found {
                push(call_hub, Some(ns), n, revision.clone(), off, *rule);
            }
        }
    }

    for (key, finder) in KEYS.iter().zip(&searchers.keys) {
        for hit in finder.find_iter(bytes) {
            if hit > 0
                && (is_word(bytes[hit - 1]) || (bytes[hit - 1] == b'-' && !text[..hit].ends_with("--")))
            {
                continue;
            }
            let after = hit + key.len();
            if bytes.get(after).is_some_and(|&b| is_word(b) || b == b'-') {
                continue;
            }
            let flag = text[..hit].ends_with("--");
            let rest = window(text, after, 300);
            let rest = rest.strip_prefix(['"', '\'']).unwrap_or(rest);
            let trimmed = rest.trim_start_matches([' ', '\t']);
            let value = if let Some(v) = trimmed.strip_prefix([':', '=']) {
                v.trim_start_matches([' ', '\t'])
            } else if flag && trimmed.len() < rest.len() {
                trimmed
            } else {
                continue;
            };
            let (val, _) = first_value(value);
            if let Some((ns, n)) = split_repo_id(val).filter(|_| !is_local_dir(val)) {
                let off = val.as_ptr() as usize - text.as_ptr() as usize;
                let rule = if flag { "cli-model-flag" } else { "model-config-key" };
                let hub = if modelscope && !flag { Hub::ModelScope } else { Hub::HuggingFace };
                push(hub, Some(ns), n, None, off.min(text.len()), rule);
            }
        }
    }

    for hit in searchers.vllm_serve.find_iter(bytes) {
        let rest = window(text, hit + 11, 200).trim_start_matches(' ');
        let (val, _) = first_value(rest);
        if let Some((ns, n)) = split_repo_id(val).filter(|_| !is_local_dir(val)) {
            push(Hub::HuggingFace, Some(ns), n, None, hit, "vllm-serve");
        }
    }

    for ((prefix, hub, rule), finder) in URL_PREFIXES.into_iter().zip(&searchers.urls) {
        for hit in finder.find_iter(bytes) {
            if prefix == "hf.co/" && hit > 0 && is_word(bytes[hit - 1]) {
                continue;
            }
            let rest = window(text, hit + prefix.len(), 200);
            let seg: Vec<&str> = rest
                .split(|c: char| !(c.is_ascii_alphanumeric() || "-_./".contains(c)))
                .next()
                .unwrap_or("")
                .splitn(3, '/')
                .collect();
            if seg.len() < 2 || HF_NOT_ORGS.contains(&seg[0]) {
                continue;
            }
            let id = format!("{}/{}", seg[0], seg[1].trim_end_matches('.'));
            if let Some((ns, n)) = split_repo_id(&id) {
                push(hub, Some(ns), n, None, hit, rule);
            }
        }
    }
    for hit in searchers.ollama.find_iter(bytes) {
        let rest = window(text, hit + 7, 200);
        for verb in ["run ", "pull "] {
            if let Some(r) = rest.strip_prefix(verb) {
                let (val, _) = first_value(r.trim_start());
                let line = line_of(hit);
                ollama_from(val, path, line, out);
            }
        }
    }
}

/// An Ollama `FROM` / `ollama run` argument: `hf.co/org/name[:tag]`, a library model `qwen2.5:7b`, or a
/// local path (ignored here: local weight files are read from their headers).
fn ollama_from(arg: &str, path: &str, line: u32, out: &mut Vec<ModelRef>) {
    let arg = arg.trim_matches(['"', '\'']);
    if arg.is_empty() || arg.starts_with(['.', '/', '~']) || arg.ends_with(".gguf") || arg.ends_with(".bin") {
        return;
    }
    let loc = Location::new(path, Some(line));
    let (id, tag) = match arg.rsplit_once(':') {
        Some((id, tag)) if !tag.contains('/') => (id, Some(tag.to_string())),
        _ => (arg, None),
    };
    if let Some(hf) = id.strip_prefix("hf.co/").or_else(|| id.strip_prefix("huggingface.co/")) {
        if let Some((ns, n)) = split_repo_id(hf) {
            out.push(ModelRef {
                hub: Hub::HuggingFace,
                namespace: Some(ns.into()),
                name: n.into(),
                version: None,
                location: loc,
                rule: "ollama-from",
            });
        }
        return;
    }
    let valid = |s: &str| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    let (ns, name) = match id.split_once('/') {
        Some((ns, n)) if valid(ns) && valid(n) => (Some(ns.to_string()), n),
        None if valid(id) => (None, id),
        _ => return,
    };
    out.push(ModelRef {
        hub: Hub::Ollama,
        namespace: ns,
        name: name.to_string(),
        version: tag.filter(|t| valid(t)),
        location: loc,
        rule: "ollama-from",
    });
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_commit(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// At most `max` bytes of `text` from `start`, cut at a character boundary.
fn window(text: &str, start: usize, max: usize) -> &str {
    let start = start.min(text.len());
    let mut end = (start + max).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[start..end]
}

/// The offset of the `)` closing a call's arguments (outside quotes), or the window's end.
fn close_paren(s: &str) -> usize {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    for (i, b) in s.bytes().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'"' | b'\'' => quote = Some(b),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' if depth == 0 => return i,
                b')' | b']' | b'}' => depth -= 1,
                _ => {}
            },
        }
    }
    s.len()
}

/// String literals (single or double quoted, one line) with their offsets inside `s`.
fn literals(s: &str) -> Vec<(usize, &str)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'"' || b[i] == b'\'' {
            let q = b[i];
            if let Some(len) = b[i + 1..].iter().position(|&c| c == q || c == b'\n') {
                if b[i + 1 + len] == q {
                    out.push((i + 1, &s[i + 1..i + 1 + len]));
                }
                i += len + 2;
                continue;
            }
            break;
        }
        i += 1;
    }
    out
}

/// `repo_id=` before a literal → `repo_id`.
fn keyword_before(s: &str) -> Option<&str> {
    let t = s.trim_end().strip_suffix('=')?.trim_end();
    let start = t.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map(|i| i + 1).unwrap_or(0);
    Some(&t[start..])
}

/// The first value of a `key: value` / `key = value` / `--flag value` tail, quoted or bare, and its offset.
fn first_value(s: &str) -> (&str, usize) {
    if let Some(q) = s.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let body = &s[1..];
        let end = body.find([q, '\n']).unwrap_or(body.len());
        return (&body[..end], 1);
    }
    let end = s.find(|c: char| c.is_whitespace() || ",#)]};\"'`\\".contains(c)).unwrap_or(s.len());
    (&s[..end], 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EvidenceKind;

    fn refs(path: &str, text: &str) -> Vec<(String, u32, &'static str)> {
        let mut out = Vec::new();
        extract(path, text, &|p| p == "models/local", &mut out);
        out.iter()
            .map(|r| {
                (
                    format!("{}/{}", r.namespace.clone().unwrap_or_default(), r.name),
                    r.location.line.unwrap(),
                    r.rule,
                )
            })
            .collect()
    }

    #[test]
    fn families_file_parses() {
        assert!(families().len() >= 10);
        assert_eq!(family_of_type("glm4_moe").unwrap().id, "glm");
        assert_eq!(family_of_type("Qwen2_VL").unwrap().id, "qwen");
        assert_eq!(family_of_stem("deepseek").unwrap().id, "deepseek");
        assert!(family_of_type("bloom").is_none());
    }

    #[test]
    fn python_calls() {
        let text = "from transformers import AutoModel\n\
                    enc = AutoModel.from_pretrained(\n    \"Qwen/Qwen2.5-VL-7B-Instruct\", revision=\"ABCDEF0123456789abcdef0123456789abcdef01\")\n\
                    p = hf_hub_download(repo_id='THUDM/glm-4-9b', filename='config.json')\n\
                    m = AutoModel.from_pretrained(path)\n\
                    x = AutoModel.from_pretrained(\"models/local\")\n\
                    y = AutoModel.from_pretrained(\"./ckpt/best\")\n";
        assert_eq!(
            refs("a.py", text),
            vec![
                ("Qwen/Qwen2.5-VL-7B-Instruct".into(), 3, "from-pretrained"),
                ("THUDM/glm-4-9b".into(), 4, "hf-hub-download"),
            ]
        );
        let mut out = Vec::new();
        extract("a.py", text, &|_| false, &mut out);
        assert_eq!(out[0].version.as_deref(), Some("abcdef0123456789abcdef0123456789abcdef01"));
    }

    #[test]
    fn configs_flags_urls() {
        assert_eq!(
            refs(
                "train.yaml",
                "model_name_or_path: deepseek-ai/DeepSeek-V3\nmodel: gpt-4o\noutput_dir: out/x\n"
            ),
            vec![("deepseek-ai/DeepSeek-V3".into(), 1, "model-config-key")]
        );
        assert_eq!(
            refs("serve.sh", "python -m sglang.launch_server --model-path zai-org/GLM-4.5 --port 30000\nvllm serve Qwen/Qwen3-8B\n"),
            vec![("zai-org/GLM-4.5".into(), 1, "cli-model-flag"), ("Qwen/Qwen3-8B".into(), 2, "vllm-serve")]
        );
        assert_eq!(
            refs("x.json", "{\"served-model-name\": \"a/b\", \"url\": \"https://huggingface.co/LGAI-EXAONE/EXAONE-3.5-7.8B-Instruct/tree/main\"}"),
            vec![("LGAI-EXAONE/EXAONE-3.5-7.8B-Instruct".into(), 1, "huggingface-url")]
        );
        assert_eq!(refs("a.py", "see https://huggingface.co/docs/transformers\nversion = '1.2/3'\n"), vec![]);
    }

    #[test]
    fn modelscope_and_ollama() {
        let mut out = Vec::new();
        extract(
            "dl.py",
            "from modelscope import snapshot_download\nsnapshot_download('ZhipuAI/glm-4-9b-chat')\n",
            &|_| false,
            &mut out,
        );
        assert_eq!(out[0].hub, Hub::ModelScope);
        let mut out = Vec::new();
        extract("Modelfile", "FROM qwen2.5:7b\nPARAMETER temperature 0.2\n", &|_| false, &mut out);
        assert_eq!(
            (out[0].hub, out[0].name.as_str(), out[0].version.as_deref()),
            (Hub::Ollama, "qwen2.5", Some("7b"))
        );
        let c = ref_component(&out[0]).unwrap();
        assert_eq!(c.origin.evidence[0].kind, EvidenceKind::ModelFamily);
    }

    #[test]
    fn hf_purl_keeps_case() {
        let c = hf_component("Qwen", "Qwen2.5-VL-7B-Instruct", None).unwrap();
        assert_eq!(c.purl.as_deref(), Some("pkg:huggingface/Qwen/Qwen2.5-VL-7B-Instruct"));
    }
}
