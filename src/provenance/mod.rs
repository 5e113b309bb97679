//! Provenance inside the repository: what the scanned tree itself carries, beyond its manifests.
//!
//! - [`notices`]: copyright and licence notices, grouped by [`vendored`] into `vendored-source`
//!   components (third parties) and the submitter's own holders (reported in the inventory summary);
//! - [`models`]: references to AI models in code and configuration, and architecture families;
//! - [`model_files`]: local model folders (config.json, model cards, safetensors and GGUF headers);
//! - [`history`]: the submission's own git history, as context.
//!
//! One pass over the tree's files; each file is read at most once, up to a size cap. Origin evidence is
//! produced with `country: None`: the origin stage attributes holders and namespaces to countries.

pub mod comments;
pub mod families;
pub mod history;
pub mod hub;
pub mod ignore;
pub mod lineage;
pub mod model_files;
pub mod models;
pub mod notices;
pub mod project;
pub mod role;
pub mod vendored;

pub use project::Context;

mod local;

use std::collections::BTreeMap;

use crate::model::{Component, Diagnostic, EvidenceKind, Location, Occurrence, ProvenanceSummary, Tally};
use crate::source::SourceTree;

/// How the provenance stage reads the tree.
#[derive(Debug, Clone)]
pub struct Options {
    /// Files larger than this are not read for notices and references (weight-file headers are read
    /// whatever the file size, with their own bound).
    pub max_file_size: u64,
    /// Extra `.gitignore`-style patterns, relative to the root.
    pub excludes: Vec<String>,
    /// Holders of the submitter's own notices, besides those of root licence files.
    pub own_holders: Vec<String>,
    /// Read the git history of the scanned root (when it is a repository's working tree).
    pub history: bool,
}

/// The default cap on files read for notices (1 MiB: source files, configs and licence texts).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1024 * 1024;

impl Default for Options {
    fn default() -> Self {
        Options {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            excludes: Vec::new(),
            own_holders: Vec::new(),
            history: true,
        }
    }
}

/// What the stage found.
#[derive(Debug, Default)]
pub struct Output {
    pub components: Vec<Component>,
    pub diagnostics: Vec<Diagnostic>,
    pub summary: ProvenanceSummary,
}

/// Extensions never read as text.
const BINARY_EXTS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "bmp", "ico", "webp", "tif", "tiff", "psd", "pdf", "zip", "gz", "tgz",
    "bz2", "xz", "zst", "7z", "rar", "tar", "jar", "war", "whl", "egg", "so", "dylib", "dll", "exe", "o",
    "a", "lib", "obj", "class", "pyc", "pyo", "wasm", "bin", "pt", "pth", "ckpt", "onnx", "h5", "npy", "npz",
    "pkl", "pickle", "parquet", "arrow", "mp3", "mp4", "wav", "flac", "ogg", "avi", "mov", "mkv", "woff",
    "woff2", "ttf", "otf", "eot", "sqlite", "db", "msgpack", "tflite", "pb", "engine", "plan", "model",
    "tiktoken",
];

/// Lockfiles and other files written by tools.
const GENERATED_NAMES: &[&str] = &[
    "Cargo.lock",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "poetry.lock",
    "uv.lock",
    "Pipfile.lock",
    "go.sum",
    "composer.lock",
    "Gemfile.lock",
    "bun.lockb",
    "npm-shrinkwrap.json",
];

/// Why a file was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Skip {
    Binary,
    Minified,
    Generated,
    TooLarge,
    Excluded,
}

impl Skip {
    fn as_str(self) -> &'static str {
        match self {
            Skip::Binary => "binary",
            Skip::Minified => "minified",
            Skip::Generated => "generated",
            Skip::TooLarge => "too-large",
            Skip::Excluded => "excluded",
        }
    }
}

fn ext_of(name: &str) -> String {
    name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default()
}

fn skip_by_name(name: &str) -> Option<Skip> {
    let ext = ext_of(name);
    if BINARY_EXTS.contains(&ext.as_str()) {
        return Some(Skip::Binary);
    }
    let lower = name.to_ascii_lowercase();
    if lower.contains(".min.") || lower.ends_with(".map") {
        return Some(Skip::Minified);
    }
    if GENERATED_NAMES.contains(&name)
        || lower.ends_with("_pb2.py")
        || lower.ends_with("_pb2_grpc.py")
        || lower.ends_with(".pb.go")
        || lower.ends_with(".pb.cc")
        || lower.ends_with(".pb.h")
        || lower.contains(".generated.")
        || lower.contains("_generated.")
    {
        return Some(Skip::Generated);
    }
    None
}

fn skip_by_content(name: &str, bytes: &[u8]) -> Option<Skip> {
    let head = &bytes[..bytes.len().min(8192)];
    if memchr::memchr(0, head).is_some() {
        return Some(Skip::Binary);
    }
    let ext = ext_of(name);
    if matches!(ext.as_str(), "js" | "mjs" | "cjs" | "css") && bytes.len() > 2000 {
        let newlines = memchr::memchr_iter(b'\n', bytes).count();
        if bytes.len() / (newlines + 1) > 500 {
            return Some(Skip::Minified);
        }
    }
    let top = &bytes[..bytes.len().min(1024)];
    let has = |n: &[u8]| memchr::memmem::find(top, n).is_some();
    if has(b"@generated") || has(b"DO NOT EDIT") || has(b"Code generated by") || has(b"AUTO-GENERATED") {
        return Some(Skip::Generated);
    }
    None
}

/// Machine-learning frameworks recognised in requirement files.
const ML_FRAMEWORKS: &[&str] = &[
    "torch",
    "transformers",
    "vllm",
    "sglang",
    "modelscope",
    "accelerate",
    "peft",
    "trl",
    "deepspeed",
    "safetensors",
    "triton",
    "autoawq",
    "auto-gptq",
    "optimum",
    "bitsandbytes",
    "flash-attn",
    "xformers",
    "sentence-transformers",
    "diffusers",
    "tensorflow",
    "jax",
    "llama-cpp-python",
    "ollama",
    "lmdeploy",
    "huggingface-hub",
    "datasets",
    "tiktoken",
    "timm",
    "openai",
    "onnxruntime",
    "paddlepaddle",
    "mindspore",
];

fn ml_frameworks(path: &str, text: &str, out: &mut Vec<String>) {
    let name = path.rsplit('/').next().unwrap_or(path);
    let is_req = name.starts_with("requirements") && name.ends_with(".txt");
    let is_pyproject = name == "pyproject.toml";
    if !is_req && !is_pyproject {
        return;
    }
    for (i, line) in text.lines().enumerate() {
        let mut t = line.trim();
        if is_pyproject {
            match t.strip_prefix('"').or_else(|| t.strip_prefix('\'')) {
                Some(r) => t = r,
                None => continue,
            }
        }
        if t.starts_with('#') || t.starts_with('-') {
            continue;
        }
        let end = t.find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c))).unwrap_or(t.len());
        let pkg = t[..end].to_ascii_lowercase().replace('_', "-");
        if ML_FRAMEWORKS.contains(&pkg.as_str()) {
            out.push(format!("{pkg} ({path}:{})", i + 1));
        }
    }
}

/// What reading one file gave.
enum Work {
    Error(Diagnostic),
    Skipped(Skip),
    Read(Box<Analysis>),
}

/// Everything the stage takes from one file's text.
struct Analysis {
    bytes: u64,
    signals: Option<vendored::FileSignals>,
    refs: Vec<models::ModelRef>,
    /// References in a test module of a source file (Rust `#[cfg(test)]`).
    test_refs: Vec<models::ModelRef>,
    config: Option<Result<Option<model_files::ConfigFacts>, Diagnostic>>,
    card: Option<Result<Option<model_files::CardFacts>, Diagnostic>>,
    licence_id: Option<String>,
    frameworks: Vec<String>,
    /// Model classes imported from transformers / vLLM, and weights paths named (lineage.rs).
    classes: Vec<(String, u32)>,
    weight_paths: Vec<(String, u32)>,
}

/// The line of a Rust file's `#[cfg(test)]` (the unit tests, to the end of the file by convention).
fn rust_test_module_line(name: &str, text: &str) -> Option<u32> {
    if !name.ends_with(".rs") {
        return None;
    }
    let pos = memchr::memmem::find(text.as_bytes(), b"\n#[cfg(test)]")?;
    Some(memchr::memchr_iter(b'\n', &text.as_bytes()[..=pos]).count() as u32 + 1)
}

/// Reads and analyses one file, into the worker's reused buffer.
fn analyse(tree: &SourceTree, f: &crate::source::TreeFile, buf: &mut Vec<u8>) -> Work {
    let name = f.name();
    if let Err(d) = tree.read_into(&f.path, buf) {
        return Work::Error(d);
    }
    let bytes = &buf[..];
    if let Some(s) = skip_by_content(name, bytes) {
        return Work::Skipped(s);
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // `from_utf8` first: its validation is much faster than the lossy decoder's on valid text.
    let text = match std::str::from_utf8(body) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => String::from_utf8_lossy(body),
    };
    let notices = notices::extract_in(name, &text, 64);
    let is_licence = vendored::is_licence_file(name);
    let licence_file = if is_licence {
        match model_files::known_model_licence(&text) {
            Some((id, who)) => Some((id.to_string(), Some(who))),
            None => model_files::licence_title(&text).map(|id| (id.to_string(), None)),
        }
    } else {
        None
    };
    let licence_id = licence_file.as_ref().map(|(id, _)| id.clone());
    let signals = (!notices.is_empty() || licence_file.is_some()).then(|| vendored::FileSignals {
        path: f.path.clone(),
        notices,
        licence_file,
    });
    let mut refs = Vec::new();
    let mut test_refs = Vec::new();
    if models::is_reference_source(name) {
        let is_local_dir = |p: &str| tree.has_dir(p.trim_start_matches("./"));
        models::extract(&f.path, &text, &is_local_dir, &mut refs);
        // Rust unit tests (`#[cfg(test)]` to the end of the file, by convention) are test material.
        if let Some(from) = rust_test_module_line(name, &text) {
            (test_refs, refs) = refs.into_iter().partition(|r| r.location.line.is_some_and(|l| l >= from));
        }
    }
    let config = (ext_of(name) == "json" && name.to_ascii_lowercase().contains("config"))
        .then(|| model_files::parse_config(&f.path, &text));
    let card = (name.eq_ignore_ascii_case("README.md") || name.eq_ignore_ascii_case("README"))
        .then(|| model_files::parse_card(&f.path, &text));
    let mut frameworks = Vec::new();
    ml_frameworks(&f.path, &text, &mut frameworks);
    let ext = ext_of(name);
    let classes = if ext == "py" { lineage::imported_model_classes(&text) } else { Vec::new() };
    let weight_paths =
        if matches!(ext.as_str(), "py" | "json" | "yaml" | "yml" | "toml" | "cfg" | "ini" | "sh") {
            lineage::weight_paths(&text)
        } else {
            Vec::new()
        };
    Work::Read(Box::new(Analysis {
        classes,
        weight_paths,
        bytes: bytes.len() as u64,
        signals,
        refs,
        test_refs,
        config,
        card,
        licence_id,
        frameworks,
    }))
}

/// Below this many files one thread does the work.
const PARALLEL_MIN_FILES: usize = 512;

/// Analyses files on the available cores (at most 8), in contiguous chunks joined in order, so the
/// result is the same as a sequential pass.
fn analyse_all<'a>(tree: &SourceTree, files: &[&'a crate::source::TreeFile]) -> Vec<(&'a str, Work)> {
    let threads = crate::util::threads().min(8);
    if threads <= 1 || files.len() < PARALLEL_MIN_FILES {
        let mut buf = Vec::new();
        return files.iter().map(|f| (f.path.as_str(), analyse(tree, f, &mut buf))).collect();
    }
    let chunk = files.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    let mut buf = Vec::new();
                    part.iter().map(|f| (f.path.as_str(), analyse(tree, f, &mut buf))).collect::<Vec<_>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(files.len());
        for (h, part) in handles.into_iter().zip(files.chunks(chunk)) {
            match h.join() {
                Ok(v) => out.extend(v),
                // A panic in the analysis is a bug; the files of that chunk are reported, not lost silently.
                Err(_) => out.extend(part.iter().map(|f| {
                    (
                        f.path.as_str(),
                        Work::Error(
                            Diagnostic::error(
                                "provenance-crashed",
                                "the provenance analysis of this file failed (a bug)",
                            )
                            .at(&f.path, None),
                        ),
                    )
                })),
            }
        }
        out
    })
}

/// Runs the stage over a walked tree, knowing nothing of its resolved projects.
pub fn scan(tree: &SourceTree, opts: &Options) -> Output {
    scan_with(tree, opts, &Context::default())
}

/// Runs the stage over a walked tree, with what the resolvers know of it (first-party directories,
/// own names, submodules).
///
/// The git history summary (a walk of every commit) runs on its own thread beside the file pass.
pub fn scan_with(tree: &SourceTree, opts: &Options, ctx: &Context) -> Output {
    std::thread::scope(|s| {
        let history = opts.history.then(|| s.spawn(|| history::summarise(tree.root())));
        let mut out = scan_files(tree, opts, ctx);
        if let Some(h) = history {
            out.summary.history = h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        }
        out
    })
}

/// The file pass of [`scan_with`] (everything but the history).
fn scan_files(tree: &SourceTree, opts: &Options, ctx: &Context) -> Output {
    let mut out = Output::default();
    let mut roles = role::Roles::default();
    for f in tree.named(".gitattributes") {
        if f.size <= opts.max_file_size {
            if let Ok(text) = tree.read_text(&f.path) {
                roles.add_gitattributes(f.dir(), &text);
            }
        }
    }
    let mut ig = ignore::Ignore::default();
    ig.add("", &ignore::DEFAULT_EXCLUDES.join("\n"));
    ig.add("", &opts.excludes.join("\n"));
    for f in tree.named(".gitignore") {
        if f.size <= opts.max_file_size {
            if let Ok(text) = tree.read_text(&f.path) {
                ig.add(f.dir(), &text);
            }
        }
    }
    let tree = tree.clone().with_max_file_size(opts.max_file_size);
    let mut skipped: BTreeMap<Skip, u64> = BTreeMap::new();
    let mut signals = Vec::new();
    let mut refs = Vec::new();
    let mut test_refs = Vec::new();
    let mut upstream_named = Vec::new();
    let mut local = local::LocalModels::default();
    let mut frameworks = Vec::new();
    let mut all_paths = Vec::new();
    let mut weight_refs: Vec<(String, Location)> = Vec::new();

    // Sequential: what needs no reading, or a bounded header read.
    let mut candidates: Vec<&crate::source::TreeFile> = Vec::new();
    for f in tree.files() {
        if ig.is_ignored(&f.path) {
            *skipped.entry(Skip::Excluded).or_default() += 1;
            continue;
        }
        all_paths.push(f.path.as_str());
        let name = f.name();
        let ext = ext_of(name);
        if ext == "safetensors" || ext == "gguf" {
            local.weight_file(&tree, f, &mut out.diagnostics);
            continue;
        }
        if let Some((stem, fam)) = vendored::upstream_model_file(name) {
            upstream_named.push((f.path.clone(), fam, stem.to_string()));
        }
        if let Some(s) = skip_by_name(name) {
            *skipped.entry(s).or_default() += 1;
            continue;
        }
        if f.size > opts.max_file_size {
            *skipped.entry(Skip::TooLarge).or_default() += 1;
            continue;
        }
        candidates.push(f);
    }

    // Parallel: read and analyse each file (a pure function of its bytes); results keep the file order.
    for work in analyse_all(&tree, &candidates) {
        let (path, a) = match work {
            (_, Work::Error(d)) => {
                out.diagnostics.push(d);
                continue;
            }
            (_, Work::Skipped(s)) => {
                *skipped.entry(s).or_default() += 1;
                continue;
            }
            (path, Work::Read(a)) => (path, a),
        };
        out.summary.files_scanned += 1;
        out.summary.bytes_scanned += a.bytes;
        if let Some(s) = a.signals {
            signals.push(s);
        }
        refs.extend(a.refs);
        test_refs.extend(a.test_refs);
        if let Some(c) = a.config {
            local.add_config(path, c, &mut out.diagnostics);
        }
        if let Some(c) = a.card {
            local.add_card(path, c, &mut out.diagnostics);
        }
        if let Some(id) = &a.licence_id {
            local.add_licence(path, id);
        }
        frameworks.extend(a.frameworks);
        let dir = path.rfind('/').map(|i| &path[..i]).unwrap_or("");
        for (class, line) in a.classes {
            let loc = Location::new(path, Some(line));
            let e = lineage::provisional(EvidenceKind::ModelClass, &class, "model class imported", &loc);
            let occ = Occurrence { location: loc, rule: "model-class-import".into(), text: Some(class) };
            local.add_lineage(dir, e, occ);
        }
        for (p, line) in a.weight_paths {
            weight_refs.push((p, Location::new(path, Some(line))));
        }
    }
    lineage_from_names(&tree, &all_paths, &mut local);
    missing_weights(&tree, &all_paths, weight_refs, &mut local, &mut out.diagnostics);

    let (own, _) = project::own_holder_keys(&signals, &opts.own_holders, ctx, &roles);
    let layout = project::detect(&tree, &signals, &all_paths, &own, ctx, &roles);
    let (vendored_comps, own_holders) =
        vendored::group(&signals, &upstream_named, &all_paths, &own, &layout, &roles);
    if own.is_empty() && signals.iter().any(|s| s.notices.iter().any(|n| n.holder.is_some())) {
        out.diagnostics.push(Diagnostic::note(
            "no-own-notice",
            "no copyright notice in a root licence file: every copyright holder found is treated as a third party \
             (name the submitter with --own-holder)",
        ));
    }
    out.components.extend(vendored_comps);
    for s in signals.iter().filter(|s| !s.path.contains('/')) {
        if let Some((id, _)) = &s.licence_file {
            out.summary.license_files.push(format!("{}: {id}", s.path));
        }
    }
    out.summary.own_holders = own_holders;
    let first_model = out.components.len();
    for r in &refs {
        if let Some(c) = models::ref_component(r) {
            out.components.push(c);
        }
    }
    for r in &test_refs {
        if let Some(mut c) = models::ref_component(r) {
            c.scope = crate::model::Scope::Test;
            out.components.push(c);
        }
    }
    out.components.extend(local.into_components(&tree, &mut out.diagnostics));
    // Models referenced or stored only under test, example or docs trees (the submission's own or a
    // vendored project's) are not the submission's models: they keep the role of where they were found.
    for c in &mut out.components[first_model..] {
        // A folder in the tree has the role of where it is; a folder only named by a file (absent weights,
        // a path in a label or a doc) has the role of the files that name it.
        let in_tree = |path: &str| {
            !path.split('/').any(|s| s == ".." || s == "." || s.is_empty()) && tree.root().join(path).is_dir()
        };
        let dir = match &c.source {
            Some(crate::model::SourceKind::Path { path }) if in_tree(path) => Some(format!("{path}/x")),
            _ => None,
        };
        let scope = match dir {
            Some(d) => role::scope_of(&roles, [d.as_str()]),
            None => role::scope_of(&roles, c.found_in.iter().map(|l| l.path.as_str())),
        };
        if c.scope == crate::model::Scope::Runtime {
            c.scope = scope;
        }
    }
    out.summary.ml_frameworks = frameworks;
    out.summary.skipped =
        skipped.into_iter().map(|(k, v)| Tally { value: k.as_str().into(), count: v }).collect();
    out
}

/// Folders (and weight files) whose name names the model their weights were cut from
/// (`weights/audio-encoder-from-whisper-large-v3/`): weights-lineage evidence on that folder's model.
fn lineage_from_names(_tree: &SourceTree, paths: &[&str], local: &mut local::LocalModels) {
    let mut dirs: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for p in paths {
        let mut d = *p;
        while let Some(i) = d.rfind('/') {
            d = &d[..i];
            if !dirs.insert(d) {
                break;
            }
        }
    }
    let weight_files = paths.iter().filter(|p| {
        let l = p.to_ascii_lowercase();
        [".safetensors", ".gguf", ".ckpt", ".pt", ".pth", ".bin"].iter().any(|e| l.ends_with(e))
    });
    for (dir, name, path) in dirs.iter().map(|d| (*d, d.rsplit('/').next().unwrap_or(d), *d)).chain(
        weight_files
            .map(|p| (p.rfind('/').map(|i| &p[..i]).unwrap_or(""), p.rsplit('/').next().unwrap_or(p), *p)),
    ) {
        let Some(src) = lineage::source_model_in_name(name) else { continue };
        let loc = Location::new(path, None);
        let e = lineage::provisional(
            EvidenceKind::ModelReference,
            &src,
            &format!("name `{name}` names its source model, family {}", lineage::family_ids(&src)),
            &loc,
        );
        let occ =
            Occurrence { location: loc, rule: "source-model-name".into(), text: Some(name.to_string()) };
        local.add_lineage(dir, e, occ);
    }
}

/// Weights named by a config or code path but absent from the tree: a `weights-not-provided` error and
/// a finding on the model of the folder they should be in.
fn missing_weights(
    tree: &SourceTree,
    paths: &[&str],
    refs: Vec<(String, Location)>,
    local: &mut local::LocalModels,
    diags: &mut Vec<Diagnostic>,
) {
    if refs.is_empty() {
        return;
    }
    let files: std::collections::HashSet<&str> = paths.iter().copied().collect();
    // Weights named both by a model's code and by a config go to that model.
    let mut owners: BTreeMap<String, String> = BTreeMap::new();
    for (p, at) in &refs {
        let from_dir = at.path.rfind('/').map(|i| &at.path[..i]).unwrap_or("");
        if let Some(t) = normalise(p.trim_start_matches("./").trim_end_matches('/')) {
            if !from_dir.is_empty() && local.has_model(from_dir) {
                owners.entry(t).or_insert_with(|| from_dir.to_string());
            }
        }
    }
    for (p, at) in refs {
        let from_dir = at.path.rfind('/').map(|i| &at.path[..i]).unwrap_or("");
        let rel = p.trim_start_matches("./").trim_end_matches('/');
        let candidates = [normalise(rel), normalise(&format!("{from_dir}/{rel}"))];
        let present = candidates.iter().flatten().any(|c| files.contains(c.as_str()) || tree.has_dir(c));
        if present || p.starts_with('/') {
            continue;
        }
        let Some(target) = candidates[0].clone() else { continue };
        let is_file = ["safetensors", "gguf", "ckpt", "pt", "pth", "bin"].contains(&ext_of(&target).as_str());
        // The model the weights belong to: the one whose code names them (encoders/vision/encoder.py
        // loading them), else the folder they should be in.
        let dir = if local.has_model(from_dir) && !from_dir.is_empty() {
            from_dir.to_string()
        } else if let Some(d) = owners.get(&target) {
            d.clone()
        } else if is_file {
            target.rfind('/').map(|i| target[..i].to_string()).unwrap_or_default()
        } else {
            target.clone()
        };
        diags.push(
            Diagnostic::error(
                "weights-not-provided",
                format!(
                    "`{p}` is named here but is not in the tree: hand over the weights ({}) with the submission, \
                     or state where they come from (a hub id and revision, or how they were trained)",
                    if is_file { "the file" } else { "the folder" }
                ),
            )
            .at(&at.path, at.line),
        );
        local.add_missing_weights(&dir, &target, at);
    }
}

/// `a/./b/../c` → `a/c`; `None` when it climbs out of the tree.
fn normalise(p: &str) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            s => out.push(s),
        }
    }
    Some(out.join("/"))
}
