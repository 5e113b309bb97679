//! The combination rule (docs/origin.md): noisy-OR per country, the runner-up lowers the winner, weak
//! evidence alone never decides, below the floor the answer is unknown.

use std::collections::BTreeMap;

use crate::model::{Evidence, EvidenceKind, OrganisationRef, Origin};

use super::kb::KnowledgeBase;

/// Which country an organisation stands for: where it is headquartered, or its ultimate parent's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum AttributeTo {
    #[default]
    Headquarters,
    Parent,
}

impl AttributeTo {
    pub fn as_str(self) -> &'static str {
        match self {
            AttributeTo::Headquarters => "headquarters",
            AttributeTo::Parent => "parent",
        }
    }
}

/// The country a piece of evidence stands for under the policy.
pub fn evidence_country(e: &Evidence, to: AttributeTo) -> Option<&str> {
    match to {
        AttributeTo::Parent => e.parent_country.as_deref().or(e.country.as_deref()),
        AttributeTo::Headquarters => e.country.as_deref(),
    }
}

/// Per-country scores: (noisy-OR of the weights, whether any non-weak evidence supports it).
pub fn scores(evidence: &[Evidence], to: AttributeTo) -> BTreeMap<String, (f64, bool)> {
    let mut miss: BTreeMap<String, (f64, bool)> = BTreeMap::new();
    for e in evidence {
        let Some(cc) = evidence_country(e, to) else { continue };
        if e.weight <= 0.0 {
            continue;
        }
        let slot = miss.entry(cc.to_string()).or_insert((1.0, false));
        slot.0 *= 1.0 - e.weight.clamp(0.0, 1.0);
        slot.1 |= !e.weak;
    }
    miss.into_iter().map(|(cc, (m, strong))| (cc, (1.0 - m, strong))).collect()
}

/// Decides the origin from the evidence. A curation (kind `curation`) wins outright.
pub fn decide(kb: &KnowledgeBase, evidence: Vec<Evidence>, to: AttributeTo, floor: f64) -> Origin {
    let mut origin = Origin { evidence, ..Origin::default() };
    if let Some(cur) = origin.evidence.iter().find(|e| e.kind == EvidenceKind::Curation) {
        origin.country = cur.country.clone();
        origin.confidence = if cur.country.is_some() { 1.0 } else { 0.0 };
        origin.basis = Some("curation".into());
        let org = cur.organisation.clone();
        if let Some(name) = org {
            origin.organisation = Some(OrganisationRef {
                name,
                country: origin.country.clone().unwrap_or_default(),
                parent: None,
                parent_country: None,
                url: None,
                source: cur.source.clone(),
            });
        }
        return origin;
    }
    let s = scores(&origin.evidence, to);
    let mut ranked: Vec<(&String, &(f64, bool))> = s.iter().collect();
    ranked.sort_by(|a, b| b.1 .0.total_cmp(&a.1 .0).then_with(|| a.0.cmp(b.0)));
    let Some((top, (p1, strong))) = ranked.first().map(|(c, v)| (*c, **v)) else { return origin };
    let p2 = ranked.get(1).map(|(_, v)| v.0).unwrap_or(0.0);
    if p2 >= p1 {
        return origin; // a tie is unknown
    }
    let confidence = (p1 * (1.0 - kb.conflict_penalty * p2) * 1000.0).round() / 1000.0;
    origin.confidence = confidence;
    if !strong || confidence < floor {
        return origin;
    }
    origin.country = Some(top.clone());
    origin.basis = Some("evidence".into());
    // The organisation: the strongest organisation evidence for the winning country.
    let best = origin
        .evidence
        .iter()
        .filter(|e| e.organisation.is_some() && evidence_country(e, to) == Some(top.as_str()))
        .max_by(|a, b| a.weight.total_cmp(&b.weight));
    if let Some(e) = best {
        let name = e.organisation.clone().unwrap_or_default();
        origin.organisation = Some(match kb.org_by_name.get(&name).map(|i| &kb.orgs[*i]) {
            Some(o) => OrganisationRef {
                name: o.name.clone(),
                country: o.country.clone(),
                parent: o.parent.clone(),
                parent_country: o.parent_country.clone(),
                url: o.url.clone(),
                source: o.source.clone(),
            },
            None => OrganisationRef {
                name,
                country: e.country.clone().unwrap_or_default(),
                parent: None,
                parent_country: e.parent_country.clone(),
                url: None,
                source: e.source.clone(),
            },
        });
    }
    origin
}
