//! Attributes the provenance stage's provisional evidence (holders, model types, model classes, base
//! models, names of source models, self-declared organisations, all with `country: None` and the
//! file:line they were read at) with the origin stage's knowledge base.
//!
//! The provenance stage only collects; every origin decision is made here and in [`super::combine`].
//! Model-hub namespaces of the component itself are not handled here: the origin stage reads them from
//! the purl (`pkg:huggingface/…`) and the repository URL.

use super::collect::{model_family_evidence, name_evidence, org_evidence};
use super::KnowledgeBase;
use crate::model::{Component, Evidence, EvidenceKind};
use crate::provenance::families::{families_in_name, family_of_class};
use crate::provenance::models::split_repo_id;

/// Attributed evidence for the provisional evidence of a component. A fact the knowledge base does not
/// know is kept as it is (no country): it explains what was seen without deciding anything.
pub fn evidence(kb: &KnowledgeBase, c: &Component) -> Vec<Evidence> {
    let mut out = Vec::new();
    // Weight fingerprints (src/weights/) carry the reference's country from its fingerprint file.
    out.extend(
        c.origin
            .evidence
            .iter()
            .filter(|e| e.kind == EvidenceKind::WeightFingerprint && e.country.is_some())
            .cloned(),
    );
    for e in c.origin.evidence.iter().filter(|e| e.country.is_none()) {
        let mut found = Vec::new();
        match e.kind {
            EvidenceKind::CopyrightHolder => {
                name_evidence(kb, &e.value, EvidenceKind::CopyrightHolder, "copyright holder", &mut found);
                // `北京智谱华章科技有限公司`: the knowledge base lists names without the legal form.
                let bare = without_legal_form(&e.value);
                if found.is_empty() && bare != e.value {
                    name_evidence(kb, &bare, EvidenceKind::CopyrightHolder, "copyright holder", &mut found);
                    for f in &mut found {
                        f.value = format!("copyright holder {}", e.value);
                    }
                }
            }
            EvidenceKind::ModelFamily => found.extend(model_family_evidence(kb, &e.value)),
            EvidenceKind::ModelClass => found.extend(class_evidence(kb, &e.value)),
            EvidenceKind::BaseModel | EvidenceKind::ModelReference => {
                found.extend(lineage_evidence(kb, e.kind, &e.value))
            }
            EvidenceKind::KnownOrganisation
                if c.purl.as_deref().is_some_and(|p| p.starts_with("pkg:generic/")) =>
            {
                name_evidence(kb, &e.value, EvidenceKind::KnownOrganisation, "organisation", &mut found)
            }
            _ => continue,
        }
        if found.is_empty() {
            out.push(e.clone());
        }
        for mut f in found {
            // Where the fact was read first, then the knowledge-base entry that attributes it.
            f.source = format!("{}; {}", e.source, f.source);
            f.weak |= e.weak;
            f.facet = e.facet.or(f.facet);
            out.push(f);
        }
    }
    out
}

/// A transformers / vLLM model class: the family it belongs to (architecture facet, strong: the class
/// is the architecture).
fn class_evidence(kb: &KnowledgeBase, class: &str) -> Option<Evidence> {
    let (fam, model_type) = family_of_class(class)?;
    let mut e =
        model_family_evidence(kb, model_type).or_else(|| model_family_evidence(kb, fam.representative()))?;
    e.kind = EvidenceKind::ModelClass;
    e.value = format!("model class {class} (family {})", fam.id);
    Some(e)
}

/// A base model or a named source model (weights facet): the hub namespace of a `ns/name` id when the
/// knowledge base knows it (on Hugging Face or, the same namespace, ModelScope), else the model families
/// its name names (`whisper-large-v3` → the Whisper family's developer).
fn lineage_evidence(kb: &KnowledgeBase, kind: EvidenceKind, value: &str) -> Vec<Evidence> {
    let w = kb.w();
    let (hub, id) = match value.strip_prefix("modelscope:") {
        Some(rest) => ("modelscope", rest),
        None => ("huggingface", value),
    };
    let what = if kind == EvidenceKind::BaseModel { "base model" } else { "source model" };
    let mut out = Vec::new();
    if let Some((ns, _)) = split_repo_id(id) {
        for (r, cross) in kb.model_namespace(hub, ns) {
            let note = if cross { " (namespace listed on the other hub)" } else { "" };
            out.push(org_evidence(kb, kind, format!("{what} {id}{note}"), r, w.registry_namespace));
        }
        if !out.is_empty() {
            return out;
        }
    }
    // The model's own name (after the namespace) names the family it was cut from.
    let name = id.rsplit('/').next().unwrap_or(id);
    for fam in families_in_name(name) {
        let Some(mut e) = model_family_evidence(kb, fam.representative()) else { continue };
        e.kind = kind;
        e.value = format!("{what} {id} (family {})", fam.id);
        e.weight = w.model_reference;
        e.source = format!("{}; a {what} of this family gives the weights", e.source);
        out.push(e);
    }
    out
}

/// Chinese, Japanese and Korean legal forms, which the knowledge base's name normalisation keeps.
const LEGAL_FORMS: &[&str] =
    &["股份有限公司", "有限责任公司", "有限公司", "株式会社", "有限会社", "주식회사", "(주)", "（株）"];

fn without_legal_form(holder: &str) -> String {
    let mut h = holder.trim().to_string();
    for f in LEGAL_FORMS {
        if let Some(r) = h.strip_suffix(f) {
            h = r.trim().to_string();
        }
        if let Some(r) = h.strip_prefix(f) {
            h = r.trim().to_string();
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_forms_are_dropped() {
        assert_eq!(without_legal_form("北京智谱华章科技有限公司"), "北京智谱华章科技");
        assert_eq!(without_legal_form("株式会社サンプル"), "サンプル");
        assert_eq!(without_legal_form("Zhipu AI"), "Zhipu AI");
    }
    use crate::provenance::families::families;

    #[test]
    fn classes_and_source_models_are_attributed() {
        let kb = KnowledgeBase::builtin();
        let e = class_evidence(kb, "Qwen2_5_VisionTransformerPretrainedModel").unwrap();
        assert_eq!((e.country.as_deref(), e.weak), (Some("CN"), false));
        assert!(e.weight >= 0.8);
        let w = lineage_evidence(kb, EvidenceKind::ModelReference, "whisper-large-v3");
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].country.as_deref(), Some("US"));
        assert_eq!(w[0].kind, EvidenceKind::ModelReference);
        let q = lineage_evidence(kb, EvidenceKind::BaseModel, "Qwen/Qwen2.5-7B");
        assert_eq!(q[0].country.as_deref(), Some("CN"), "{q:#?}");
        assert!(lineage_evidence(kb, EvidenceKind::ModelReference, "./checkpoints/final").is_empty());
    }

    #[test]
    fn every_family_representative_is_known_to_the_origin_knowledge_base() {
        let kb = KnowledgeBase::builtin();
        for f in families() {
            assert!(
                model_family_evidence(kb, f.representative()).is_some(),
                "family `{}`: model type `{}` is not in signals.yaml model_type_families",
                f.id,
                f.representative()
            );
        }
    }
}
