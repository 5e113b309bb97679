//! Hands the provenance stage's provisional evidence (holders, model types, self-declared organisations,
//! all with `country: None` and the file:line they were read at) to the origin stage's knowledge base.
//!
//! Called by `enrich::origin` for every component: the origin stage rebuilds each component's origin from
//! its collectors, and this is the collector for what the tree itself says. Model-hub namespaces are not
//! handled here: the origin stage reads them from the purl (`pkg:huggingface/…`) and the repository URL.

use crate::enrich::origin::collect::{model_family_evidence, name_evidence};
use crate::enrich::origin::KnowledgeBase;
use crate::model::{Component, Evidence, EvidenceKind};

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
            out.push(f);
        }
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
