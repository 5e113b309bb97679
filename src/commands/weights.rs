//! `sovereign fingerprint` and `sovereign weights compare`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use sovereign::cli::{CompareArgs, CompareFormat, FingerprintArgs};
use sovereign::weights::{attach, compare, fingerprint_path, Fingerprint};

use super::write_out;

pub(crate) fn fingerprint(args: FingerprintArgs) -> anyhow::Result<ExitCode> {
    if sovereign::provenance::models::split_repo_id(&args.name).is_none() {
        anyhow::bail!("--name `{}` is not of the form ORG/MODEL", args.name);
    }
    let kb = sovereign::enrich::origin::KnowledgeBase::builtin();
    let country = match &args.country {
        Some(cc) => {
            let cc = cc.to_ascii_uppercase();
            if !kb.countries.contains(&cc) {
                anyhow::bail!("--country `{cc}` is not an ISO 3166-1 alpha-2 code");
            }
            Some((cc, "--country".to_string()))
        }
        None => attach::country_of(kb, &args.name),
    };
    let fp = fingerprint_path(&args.model_dir, &args.name, country)?;
    write_out(args.output.as_deref(), fp.to_json().as_bytes())?;
    let lineage: usize = fp.modules.iter().map(|m| m.lineage_tensors).sum();
    eprintln!(
        "{}: {} tensors ({lineage} carry lineage) in {} sub-modules, country {}",
        fp.name,
        fp.tensors.len(),
        fp.modules.len(),
        fp.country.as_deref().unwrap_or("unknown")
    );
    Ok(ExitCode::SUCCESS)
}

/// A fingerprint file, or a model folder fingerprinted now.
fn load_or_fingerprint(p: &Path) -> anyhow::Result<Fingerprint> {
    if p.is_file() && p.extension().is_some_and(|e| e == "json") {
        return Ok(Fingerprint::load(p)?);
    }
    let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "model".into());
    fingerprint_path(p, &name, None).with_context(|| format!("cannot fingerprint `{}`", p.display()))
}

pub(crate) fn weights_compare(args: CompareArgs) -> anyhow::Result<ExitCode> {
    let a = load_or_fingerprint(&args.a)?;
    let b = load_or_fingerprint(&args.b)?;
    let c = compare::compare(&a, &b);
    let out = match args.format {
        CompareFormat::Human => compare::render(&c, args.all_modules),
        CompareFormat::Json => {
            let mut s = serde_json::to_string_pretty(&c)?;
            s.push('\n');
            s
        }
    };
    write_out(None, out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
