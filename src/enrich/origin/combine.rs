//! The combination rule (docs/origin.md): noisy-OR per country, the runner-up lowers the winner, weak
//! evidence alone never decides, below the floor the answer is unknown.

use std::collections::BTreeMap;

use crate::model::{CountryConfidence, Evidence, EvidenceKind, Facet, FacetOrigin, OrganisationRef, Origin};

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

/// The countries of one facet: every country with strong evidence whose confidence reaches the floor.
/// A country's confidence is the noisy-OR of its evidence, lowered by the strongest country that only
/// weak evidence supports (`p * (1 - conflict_penalty * p_weak)`); two strongly supported countries
/// do not lower each other: both are reported. Returns the facet and its best confidence (also when
/// below the floor, for the explanation).
pub fn decide_facet(
    kb: &KnowledgeBase,
    evidence: &[&Evidence],
    to: AttributeTo,
    floor: f64,
) -> (FacetOrigin, f64) {
    let owned: Vec<Evidence> = evidence.iter().map(|e| (*e).clone()).collect();
    let s = scores(&owned, to);
    let weak_best = s.values().filter(|(_, strong)| !*strong).map(|(p, _)| *p).fold(0.0, f64::max);
    let mut best = 0.0f64;
    let mut countries = Vec::new();
    let mut ranked: Vec<(&String, f64, bool)> = s.iter().map(|(cc, (p, strong))| (cc, *p, *strong)).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    for (i, (cc, p, strong)) in ranked.iter().enumerate() {
        // The strongest country competes with the runner-up whatever supports it; a strongly supported
        // country is only lowered by weak-only ones.
        let rival = if *strong {
            weak_best
        } else {
            ranked.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, r)| r.1).fold(0.0, f64::max)
        };
        if !*strong && rival >= *p {
            continue;
        }
        let confidence = (p * (1.0 - kb.conflict_penalty * rival) * 1000.0).round() / 1000.0;
        best = best.max(confidence);
        if *strong && confidence >= floor {
            countries.push(CountryConfidence { country: (*cc).clone(), confidence });
        }
    }
    countries.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then_with(|| a.country.cmp(&b.country)));
    let basis = (!countries.is_empty()).then(|| "evidence".to_string());
    (FacetOrigin { countries, basis }, best)
}

/// Decides the origin from the evidence: facet by facet (docs/origin.md), then the component's countries
/// (the union) and its strongest country. The architecture facet never sets [`Origin::country`] (a
/// model family says nothing about who made the component) but is one of its `countries`. A curation
/// (kind `curation`) wins outright.
pub fn decide(kb: &KnowledgeBase, evidence: Vec<Evidence>, to: AttributeTo, floor: f64) -> Origin {
    let mut origin = Origin { evidence, ..Origin::default() };
    for e in &mut origin.evidence {
        e.facet.get_or_insert(e.kind.facet());
    }
    if let Some(cur) = origin.evidence.iter().find(|e| e.kind == EvidenceKind::Curation) {
        origin.country = cur.country.clone();
        origin.confidence = if cur.country.is_some() { 1.0 } else { 0.0 };
        origin.basis = Some("curation".into());
        if let Some(cc) = &cur.country {
            origin.countries = vec![cc.clone()];
            origin.facets.insert(
                cur.facet(),
                FacetOrigin {
                    countries: vec![CountryConfidence { country: cc.clone(), confidence: 1.0 }],
                    basis: Some("curation".into()),
                },
            );
        }
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
    let mut best_unknown = 0.0f64;
    let mut strongest: Option<(f64, Facet, String)> = None;
    for facet in Facet::ALL {
        let ev: Vec<&Evidence> = origin.evidence.iter().filter(|e| e.facet() == facet).collect();
        if ev.is_empty() {
            continue;
        }
        let (fo, best) = decide_facet(kb, &ev, to, floor);
        if facet != Facet::Architecture {
            best_unknown = best_unknown.max(best);
            if let Some(top) = fo.countries.first() {
                if strongest.as_ref().is_none_or(|(c, _, _)| top.confidence > *c) {
                    strongest = Some((top.confidence, facet, top.country.clone()));
                }
            }
        }
        if !fo.countries.is_empty() {
            origin.facets.insert(facet, fo);
        }
    }
    let mut all: Vec<String> =
        origin.facets.values().flat_map(|f| f.countries.iter().map(|c| c.country.clone())).collect();
    all.sort();
    all.dedup();
    origin.countries = all;
    let Some((confidence, _, top)) = strongest else {
        origin.confidence = best_unknown;
        return origin;
    };
    origin.confidence = confidence;
    origin.country = Some(top.clone());
    origin.basis = Some("evidence".into());
    // The organisation: the strongest organisation evidence for the winning country.
    let best = origin
        .evidence
        .iter()
        .filter(|e| matches!(e.facet(), Facet::Maintainer | Facet::Code))
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
