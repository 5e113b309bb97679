//! Shared helpers for the integration tests: fixtures, the shared corpus and schemas, running the CLI.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use serde_json::Value;

/// A folder named by an environment variable (`SOVEREIGN_CORPUS`, `SOVEREIGN_SCHEMAS`). Without the
/// variable the calling test prints that it was skipped and returns `None`; under CI (`CI=true`) a
/// missing variable or folder fails the test instead, so CI can never pass by skipping.
pub fn shared_dir(var: &str, test: &str) -> Option<PathBuf> {
    match std::env::var_os(var) {
        Some(p) => {
            let p = PathBuf::from(p);
            assert!(p.is_dir(), "{var}={} is not a directory", p.display());
            Some(p)
        }
        None => {
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{var} must be set under CI");
            eprintln!("SKIPPED {test}: {var} is not set (.ci/run sets it)");
            None
        }
    }
}

/// An outside program a test runs (a validator, a conformance checker): the path in the environment
/// variable `var` when set, else the copy `tools/test-deps.sh` installs under `target/test-tools/venv/bin/`,
/// else the first `name` on `$PATH`. Without one the calling test prints that it was skipped and returns
/// `None`; under CI (`CI=true`) the test fails instead, so CI can never pass by skipping it.
/// `names` are tried in order (a program known under several names: `chromium`, `chromium-browser`).
pub fn tool(names: &[&str], var: &str, test: &str) -> Option<PathBuf> {
    let found = std::env::var_os(var).map(PathBuf::from).or_else(|| {
        let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-tools/venv/bin");
        let path: Vec<PathBuf> =
            std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect()).unwrap_or_default();
        names
            .iter()
            .find_map(|name| std::iter::once(&venv).chain(&path).map(|d| d.join(name)).find(|p| p.is_file()))
    });
    let name = names.join("` or `");
    match found {
        Some(p) => {
            assert!(p.is_file(), "{var}={} is not a file", p.display());
            Some(p)
        }
        None => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{test}: `{name}` is missing under CI (tools/test-deps.sh installs it)"
            );
            eprintln!("SKIPPED {test}: `{name}` not found (run tools/test-deps.sh, or set {var})");
            None
        }
    }
}

pub fn corpus(test: &str) -> Option<PathBuf> {
    shared_dir("SOVEREIGN_CORPUS", test)
}

pub fn schemas(test: &str) -> Option<PathBuf> {
    shared_dir("SOVEREIGN_SCHEMAS", test)
}

/// Resolves `$ref`s of the official schemas from the schemas folder, by file name, offline.
struct LocalSchemas(PathBuf);

impl jsonschema::Retrieve for LocalSchemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.path().as_str().rsplit('/').next().unwrap_or_default().to_string();
        let text = std::fs::read_to_string(self.0.join(&name))
            .map_err(|e| format!("schema `{name}` for `{uri}` not in the schemas folder: {e}"))?;
        Ok(serde_json::from_str(&text)?)
    }
}

/// Validates a document against an official schema in the schemas folder (formats checked too) and
/// panics with every error. Returns false when the schemas folder is not configured (test skipped).
pub fn validate(schema_file: &str, doc: &Value, test: &str) -> bool {
    let Some(dir) = schemas(test) else { return false };
    static CACHE: OnceLock<
        std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<jsonschema::Validator>>>,
    > = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let validator = {
        let mut c = cache.lock().unwrap();
        c.entry(schema_file.to_string())
            .or_insert_with(|| {
                let text = std::fs::read_to_string(dir.join(schema_file)).expect("schema file");
                let schema: Value = serde_json::from_str(&text).expect("schema JSON");
                std::sync::Arc::new(
                    jsonschema::options()
                        .should_validate_formats(true)
                        .with_retriever(LocalSchemas(dir.clone()))
                        .build(&schema)
                        .expect("schema compiles"),
                )
            })
            .clone()
    };
    let errors: Vec<String> =
        validator.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).take(20).collect();
    assert!(errors.is_empty(), "{schema_file} rejects the document:\n{}", errors.join("\n"));
    true
}

/// Validates CycloneDX 1.6 JSON.
pub fn validate_cdx(doc: &Value, test: &str) -> bool {
    validate("bom-1.6.schema.json", doc, test)
}

/// Writes files (path, content) under `dir`, creating directories.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
}

/// Runs the sovereign binary with a private cache directory.
pub fn run(args: &[&str], cache: &Path) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_sovereign"))
        .args(args)
        .env("SOVEREIGN_CACHE", cache)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env_remove("SOVEREIGN_GIT_TOKEN")
        .output()
        .expect("run sovereign")
}

/// Scans a local directory through the library and returns the normalised inventory.
pub fn scan_dir(dir: &Path) -> sovereign::model::Inventory {
    let cache = tempfile::tempdir().unwrap();
    sovereign::scan(&sovereign::ScanOptions {
        source: dir.display().to_string(),
        reference: None,
        cache_dir: cache.path().to_path_buf(),
        progress: false,
        history: None,
        cargo_metadata: false,
        origin: Default::default(),
        license: Default::default(),
        online: None,
        provenance: Default::default(),
        fingerprints: Vec::new(),
    })
    .expect("scan")
    .inventory
}

/// The CycloneDX document of an inventory, as JSON.
pub fn cdx(inv: &sovereign::model::Inventory) -> Value {
    serde_json::from_slice(&sovereign::sbom::write(inv, sovereign::sbom::Format::CyclonedxJson)).unwrap()
}

/// Copies a directory tree into `to`, without `target/` and `.git/` (this repository's sources, a fixture).
pub fn copy_tree(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().to_string();
        if matches!(name.as_str(), "target" | ".git") {
            continue;
        }
        let (src, dst) = (e.path(), to.join(&name));
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dst).unwrap();
            copy_tree(&src, &dst);
        } else if e.file_type().unwrap().is_file() {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}
