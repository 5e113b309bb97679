//! During a scan (`--fingerprints`): every local model folder the provenance stage found is
//! fingerprinted and compared with each reference. A reference that matches at least one sub-module
//! becomes a base model of the local model (a CycloneDX `pedigree.ancestors` entry), the comparison is
//! recorded in the model's properties, and an origin evidence of kind `weight-fingerprint` carries the
//! reference's country.

use std::path::Path;

use super::compare::{compare, Comparison, Verdict};
use super::{Fingerprint, WeightsError};
use crate::enrich::origin::KnowledgeBase;
use crate::model::{
    purl, BaseModel, Component, ComponentKind, Diagnostic, Ecosystem, Evidence, EvidenceKind, Inventory,
    Location, ModelFacts, Occurrence, SourceKind,
};
use crate::provenance::models::split_repo_id;

/// Weight of an exact sub-module copy as origin evidence, and of a near match.
pub const EXACT_WEIGHT: f64 = 0.95;
pub const NEAR_WEIGHT: f64 = 0.9;

/// The country of a model name's namespace in the knowledge base (`Qwen/…` → CN), with its source;
/// `None` when the namespace is unknown or its country uncertain.
pub fn country_of(kb: &KnowledgeBase, name: &str) -> Option<(String, String)> {
    let ns = name.split('/').next()?.to_lowercase();
    let refs = kb.huggingface.get(&ns)?;
    let mut found = refs.iter().filter(|r| !r.uncertain).map(|r| &kb.orgs[r.org]);
    let org = found.next()?;
    if found.any(|o| o.country != org.country) {
        return None;
    }
    Some((
        org.country.clone(),
        format!(
            "knowledge base: Hugging Face namespace `{ns}` is {} ({}), {}",
            org.name, org.country, org.source
        ),
    ))
}

/// Compares every local model of the inventory (components `local:ml-model:*` with a path source under
/// `root`) with the references, and records the matches. Unreadable weights become diagnostics.
pub fn attach(inv: &mut Inventory, root: &Path, refs: &[(String, Fingerprint)]) {
    if refs.is_empty() {
        return;
    }
    let mut added = Vec::new();
    let mut diags = Vec::new();
    for c in &mut inv.components {
        if c.kind != ComponentKind::MlModel || !c.id.starts_with("local:ml-model:") {
            continue;
        }
        let Some(SourceKind::Path { path }) = &c.source else { continue };
        let dir = if path.is_empty() { root.to_path_buf() } else { root.join(path) };
        let label = if path.is_empty() { ".".to_string() } else { path.clone() };
        let fp = match super::fingerprint_path(&dir, &c.name, None) {
            Ok(fp) => fp,
            // No weights, or Git LFS pointers (the provenance stage notes those already).
            Err(WeightsError::Invalid {
                code: "weights-not-found" | "model-weights-not-present", ..
            }) => continue,
            Err(e) => {
                diags.push(
                    Diagnostic::warning(e.code(), format!("weights not fingerprinted: {e}")).at(&label, None),
                );
                continue;
            }
        };
        for (file, r) in refs {
            let cmp = compare(&fp, r);
            if cmp.matched_parts().next().is_none() {
                continue;
            }
            added.push(record(c, &cmp, file, &label));
        }
    }
    inv.extend(added, Vec::new(), diags);
}

/// Writes one match into the model component; returns the reference's component.
fn record(c: &mut Component, cmp: &Comparison, file: &str, label: &str) -> Component {
    let loc = Location::new(label, None);
    for r in cmp.parts.iter().filter(|r| r.verdict != Verdict::NoLineage) {
        c.properties.insert(
            format!("weights:{}:{}", cmp.reference, r.module),
            format!(
                "{}; {}/{} lineage tensors matched ({:.0}%), {} exact; similarity {:.3}, chance {:.3}±{:.3}, margin {:+.1}σ",
                r.verdict.as_str(),
                r.matched,
                r.lineage_tensors,
                r.share * 100.0,
                r.exact,
                r.similarity,
                r.chance,
                r.chance_sd,
                r.margin
            ),
        );
    }
    c.properties.insert(format!("weights:{}", cmp.reference), cmp.summary.clone());
    c.occurrences.push(Occurrence {
        location: loc.clone(),
        rule: "weight-fingerprint".into(),
        text: Some(format!("{} ({file})", cmp.reference)),
    });
    let best = cmp.matched_parts().map(|r| r.verdict).min().unwrap_or(Verdict::Near);
    let weight = if best == Verdict::Exact { EXACT_WEIGHT } else { NEAR_WEIGHT };
    let evidence = |value: String| Evidence {
        kind: EvidenceKind::WeightFingerprint,
        value,
        country: cmp.reference_country.clone(),
        weight,
        source: format!("{file} (reference fingerprint); weights in {label}"),
        weak: false,
        organisation: None,
        parent_country: None,
        // Its kind's facet: where the weights come from.
        facet: None,
    };
    c.origin.evidence.push(evidence(format!("weights: {}", cmp.summary)));

    let mut base = match split_repo_id(&cmp.reference)
        .and_then(|(ns, n)| crate::provenance::models::hf_component(ns, n, None))
    {
        Some(b) => b,
        None => {
            let mut b = Component::new(Ecosystem::Generic, &cmp.reference, None);
            b.purl = purl::build("generic", None, &cmp.reference, None, &[]);
            b.id = format!("weights-reference:{}", cmp.reference);
            b.kind = ComponentKind::MlModel;
            b.model = Some(ModelFacts { hub: "reference".into(), ..ModelFacts::default() });
            b
        }
    };
    base.direct = false;
    base.found_in.push(loc.clone());
    base.occurrences.push(Occurrence {
        location: Location::new(file, None),
        rule: "weight-fingerprint-reference".into(),
        text: Some(cmp.reference.clone()),
    });
    if let Some(cc) = &cmp.reference_country {
        base.origin.evidence.push(Evidence {
            kind: EvidenceKind::WeightFingerprint,
            value: format!("reference fingerprint of {}", cmp.reference),
            country: Some(cc.clone()),
            weight: EXACT_WEIGHT,
            source: format!("{file} (the reference's declared country)"),
            weak: false,
            organisation: None,
            parent_country: None,
            // For the reference model itself, its declared country is who publishes it.
            facet: Some(crate::model::Facet::Maintainer),
        });
    }
    let facts = c.model.get_or_insert_with(|| ModelFacts { hub: "local".into(), ..ModelFacts::default() });
    let parts: Vec<String> = cmp.matched_parts().map(|r| r.module.clone()).collect();
    if !facts.base_models.iter().any(|m| m.component == base.id) {
        facts.base_models.push(BaseModel {
            component: base.id.clone(),
            relation: Some(format!("weights ({})", parts.join(", "))),
        });
    }
    base
}
