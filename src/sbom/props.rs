//! The `sovereign:*` facts both readers restore: CycloneDX properties and SPDX annotations carry the
//! same names and values (docs/formats.md), and the same external references (`vcs`, `website`,
//! `distribution`) rebuild a component's source.

use std::collections::BTreeMap;

use serde_json::Value;

use super::import::{parse_location, Findings};
use crate::model::{Component, ComponentKind, Hash, HashAlg, Location, Scope, Severity, SourceKind};

/// The `sovereign:*` facts of one component.
#[derive(Default)]
pub(crate) struct Props {
    pub ecosystem: Option<String>,
    pub kind: Option<ComponentKind>,
    pub scope: Option<Scope>,
    pub direct: Option<bool>,
    pub requirement: Option<String>,
    pub source: Option<String>,
    pub git_commit: Option<String>,
    pub git_ref: Option<String>,
    pub path: Option<String>,
    pub found_in: Vec<Location>,
    pub license_sources: BTreeMap<String, String>,
    /// `license:declared` (and its `:original`), `license:concluded` (NOASSERTION), `license:detected`.
    pub license_declared: Option<String>,
    pub license_declared_original: Option<String>,
    pub license_concluded: Option<String>,
    pub license_detected: Vec<String>,
    pub country: Option<String>,
    pub confidence: Option<f64>,
    /// Origin evidence, organisation and basis (docs/origin.md).
    pub origin_evidence: Vec<crate::model::Evidence>,
    pub organisation: Option<String>,
    pub organisation_country: Option<String>,
    pub organisation_url: Option<String>,
    pub parent_country: Option<String>,
    pub basis: Option<String>,
    /// `origin:countries` and per facet `origin:<facet>:country` / `:confidence`.
    pub countries: Vec<String>,
    pub facet_countries: BTreeMap<crate::model::Facet, Vec<String>>,
    pub facet_confidence: BTreeMap<crate::model::Facet, f64>,
    /// SPDX only: the component id when it is not the purl, the bare name when there is a namespace,
    /// the authors after the first (the first is the supplier), the subject's commit and ref.
    pub id: Option<String>,
    pub name: Option<String>,
    pub authors: Vec<String>,
    pub commit: Option<String>,
    pub reference: Option<String>,
    /// The subject's content digest (not a git checkout).
    pub digest: Option<String>,
    /// Unknown `sovereign:` keys, kept as the component's free properties.
    pub rest: BTreeMap<String, String>,
}

/// What rebuilds a component's source and repository.
pub(crate) struct SourceFacts {
    source: Option<String>,
    git_commit: Option<String>,
    git_ref: Option<String>,
    path: Option<String>,
}

impl Props {
    /// Restores the origin facts (country, confidence, evidence, organisation, basis) of a component.
    pub(crate) fn apply_origin(&mut self, c: &mut Component) {
        c.origin.country = self.country.take();
        c.origin.confidence = self.confidence.unwrap_or(0.0);
        c.origin.basis = self.basis.take();
        c.origin.evidence = std::mem::take(&mut self.origin_evidence);
        c.origin.countries = std::mem::take(&mut self.countries);
        let kb = crate::enrich::origin::KnowledgeBase::builtin();
        for (facet, listed) in std::mem::take(&mut self.facet_countries) {
            let top = self.facet_confidence.get(&facet).copied().unwrap_or(0.0);
            // Each country's own confidence is recomputed from the facet's evidence (the SBOM carries
            // only the facet's highest); it never exceeds that, and the strongest keeps it exactly.
            let ev: Vec<&crate::model::Evidence> =
                c.origin.evidence.iter().filter(|e| e.facet() == facet).collect();
            let (again, _) = crate::enrich::origin::combine::decide_facet(
                kb,
                &ev,
                crate::enrich::origin::AttributeTo::Headquarters,
                0.0,
            );
            let mut countries: Vec<crate::model::CountryConfidence> = listed
                .into_iter()
                .map(|cc| {
                    let own = again.countries.iter().find(|x| x.country == cc).map(|x| x.confidence);
                    crate::model::CountryConfidence { confidence: own.unwrap_or(top).min(top), country: cc }
                })
                .collect();
            countries.sort_by(|a, b| {
                b.confidence.total_cmp(&a.confidence).then_with(|| a.country.cmp(&b.country))
            });
            if let Some(first) = countries.first_mut() {
                first.confidence = top;
            }
            let basis = Some(
                if c.origin.basis.as_deref() == Some("curation") { "curation" } else { "evidence" }.into(),
            );
            c.origin.facets.insert(facet, crate::model::FacetOrigin { countries, basis });
        }
        if let Some(name) = self.organisation.take() {
            for e in c.origin.evidence.iter_mut().filter(|e| !e.weak && e.country.is_some()) {
                e.organisation = Some(name.clone());
            }
            // The knowledge base still knows the organisation's parent and the source of its country.
            let kb = crate::enrich::origin::KnowledgeBase::builtin();
            let known = kb.org_by_name.get(&name).map(|i| &kb.orgs[*i]);
            c.origin.organisation = Some(crate::model::OrganisationRef {
                name: name.clone(),
                country: self
                    .organisation_country
                    .take()
                    .or_else(|| c.origin.country.clone())
                    .unwrap_or_default(),
                parent: known.and_then(|o| o.parent.clone()),
                parent_country: self.parent_country.take(),
                url: self.organisation_url.take(),
                source: known.map(|o| o.source.clone()).unwrap_or_else(|| "read from the SBOM".into()),
            });
        }
    }

    /// Parses `(name, value)` pairs; names without the `sovereign:` prefix are another tool's and are
    /// counted in one note (`what` is "property" or "annotation").
    pub(crate) fn parse(
        findings: &mut Findings,
        pairs: impl IntoIterator<Item = (String, String)>,
        comp: &str,
        what: &'static str,
    ) -> Props {
        let mut p = Props::default();
        for (name, value) in pairs {
            let Some(key) = name.strip_prefix("sovereign:") else {
                findings.add(Severity::Note, "sbom-foreign-property", || {
                    format!(
                        "{what} `{name}` of `{comp}` has no place in the model and was not kept \
                         (others like it are counted here)"
                    )
                });
                continue;
            };
            let mut bad = || {
                findings.add(Severity::Warning, "sbom-invalid-property", || {
                    format!("{what} `{name}` of `{comp}` has the invalid value `{value}`; ignored")
                })
            };
            match key {
                "ecosystem" => p.ecosystem = Some(value),
                "kind" => match enum_from::<ComponentKind>(&value) {
                    Some(k) => p.kind = Some(k),
                    None => bad(),
                },
                "scope" => match enum_from::<Scope>(&value) {
                    Some(s) => p.scope = Some(s),
                    None => bad(),
                },
                "direct" => match value.as_str() {
                    "true" => p.direct = Some(true),
                    "false" => p.direct = Some(false),
                    _ => bad(),
                },
                "requirement" => p.requirement = Some(value),
                "source" => p.source = Some(value),
                "git-commit" => p.git_commit = Some(value),
                "git-ref" => p.git_ref = Some(value),
                "path" => p.path = Some(value),
                "found-in" => p.found_in.push(parse_location(&value)),
                // `unknown`: evidence was considered but did not decide.
                "origin:country" if value == "unknown" => {}
                "origin:country" => p.country = Some(value),
                "origin:evidence" => match crate::enrich::origin::parse_evidence_text(&value) {
                    Some(e) => p.origin_evidence.push(e),
                    None => bad(),
                },
                "origin:organisation" => p.organisation = Some(value),
                "origin:organisation-country" => p.organisation_country = Some(value),
                "origin:organisation-url" => p.organisation_url = Some(value),
                "origin:parent-country" => p.parent_country = Some(value),
                "origin:basis" => p.basis = Some(value),
                "origin:countries" => {
                    p.countries =
                        value.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect()
                }
                _ if key.starts_with("origin:")
                    && key.split(':').nth(1).and_then(crate::model::Facet::parse).is_some()
                    && key.split(':').count() == 3 =>
                {
                    let mut parts = key.split(':').skip(1);
                    let facet = parts.next().and_then(crate::model::Facet::parse).expect("checked");
                    match parts.next() {
                        Some("country") => {
                            let list: Vec<String> = value
                                .split(',')
                                .map(|c| c.trim().to_string())
                                .filter(|c| !c.is_empty())
                                .collect();
                            p.facet_countries.insert(facet, list);
                        }
                        Some("confidence") => match value.parse::<f64>() {
                            Ok(x) if (0.0..=1.0).contains(&x) => {
                                p.facet_confidence.insert(facet, x);
                            }
                            _ => bad(),
                        },
                        _ => bad(),
                    }
                }
                "origin:confidence" => match value.parse::<f64>() {
                    Ok(x) if (0.0..=1.0).contains(&x) => p.confidence = Some(x),
                    _ => bad(),
                },
                "id" => p.id = Some(value),
                "name" => p.name = Some(value),
                "author" => p.authors.push(value),
                "commit" => p.commit = Some(value),
                "ref" => p.reference = Some(value),
                "digest" => p.digest = Some(value),
                "license:declared" => p.license_declared = Some(value),
                "license:declared:original" => p.license_declared_original = Some(value),
                "license:concluded" => p.license_concluded = Some(value),
                "license:detected" => p.license_detected.push(value),
                _ if key.starts_with("license:") && key.ends_with(":source") => {
                    let which = key.trim_start_matches("license:").trim_end_matches(":source");
                    p.license_sources.insert(which.to_string(), value);
                }
                // Licence and origin facts are typed fields, written by the writers from them: never
                // kept as free properties (that would write them twice).
                _ if key.starts_with("license:") || key.starts_with("origin:") => {}
                _ => {
                    p.rest.insert(key.to_string(), value);
                }
            }
        }
        p
    }

    /// Restores the licence facts the CycloneDX `licenses` array has no room for (see cdx_license.rs):
    /// a declared value beside a compound concluded one, a NOASSERTION conclusion, detected texts.
    pub(crate) fn apply_licences(&mut self, info: &mut crate::model::LicenseInfo, default_source: &str) {
        use crate::model::LicenseValue;
        let source =
            |which: &str| self.license_sources.get(which).cloned().unwrap_or_else(|| default_source.into());
        if let Some(d) = self.license_declared.take() {
            let mut v = LicenseValue::declared(&d, source("declared"));
            v.original = Some(self.license_declared_original.take().unwrap_or(d));
            info.declared = Some(v);
        }
        if info.concluded.is_none() {
            if let Some(c) = self.license_concluded.take() {
                let mut v = LicenseValue::declared(&c, source("concluded"));
                v.original = None;
                info.concluded = Some(v);
            }
        }
        for text in std::mem::take(&mut self.license_detected) {
            // `EXPR (SOURCE)` or `EXPR (SOURCE, score 0.97)`
            let Some((expr, rest)) = text.split_once(" (") else { continue };
            let rest = rest.strip_suffix(')').unwrap_or(rest);
            let (src, score) = match rest.rsplit_once(", score ") {
                Some((s, sc)) => (s, sc.parse::<f32>().ok()),
                None => (rest, None),
            };
            let mut v = LicenseValue::declared(expr, src);
            v.original = None;
            v.score = score;
            info.detected.push(v);
        }
    }

    pub(crate) fn take_source(&mut self) -> SourceFacts {
        SourceFacts {
            source: self.source.take(),
            git_commit: self.git_commit.take(),
            git_ref: self.git_ref.take(),
            path: self.path.take(),
        }
    }
}

/// Rebuilds source, repository and homepage from `sovereign:source` and the external references
/// `(type, url)` in the writers' order: the repository's `vcs` first, the git source's `vcs` last (once
/// when they are equal), `website`, `distribution`.
pub(crate) fn apply_source(
    c: &mut Component,
    facts: SourceFacts,
    refs: impl IntoIterator<Item = (String, String)>,
    findings: &mut Findings,
) {
    let mut vcs = Vec::new();
    let mut distribution = None;
    for (ty, url) in refs {
        match ty.as_str() {
            "vcs" => vcs.push(url),
            "website" if c.homepage.is_none() => c.homepage = Some(url),
            "distribution" if distribution.is_none() => distribution = Some(url),
            _ => {}
        }
    }
    let mut vcs = vcs.into_iter();
    c.source = match facts.source.as_deref() {
        Some("git") => {
            let all: Vec<String> = vcs.collect();
            if all.len() >= 2 {
                c.repository = all.first().cloned();
            }
            Some(SourceKind::Git {
                url: all.last().cloned().unwrap_or_default(),
                commit: facts.git_commit,
                reference: facts.git_ref,
            })
        }
        Some(other) => {
            c.repository = vcs.next();
            match other {
                "registry" => Some(SourceKind::Registry { url: distribution }),
                "url" => Some(SourceKind::Url { url: distribution.unwrap_or_default() }),
                "path" => Some(SourceKind::Path { path: facts.path.unwrap_or_default() }),
                "local" => Some(SourceKind::Local),
                _ => {
                    findings.add(Severity::Warning, "sbom-invalid-property", || {
                        format!("`sovereign:source` has the unknown value `{other}`; ignored")
                    });
                    None
                }
            }
        }
        None => {
            c.repository = vcs.next();
            None
        }
    };
}

/// Whether a hash value has the length and digits of its algorithm (what the schemas require).
pub(crate) fn valid_hash(alg: HashAlg, value: &str) -> bool {
    let len = match alg {
        HashAlg::Md5 => 32,
        HashAlg::Sha1 => 40,
        HashAlg::Sha256 => 64,
        HashAlg::Sha384 => 96,
        HashAlg::Sha512 => 128,
    };
    value.len() == len && value.chars().all(|c| c.is_ascii_hexdigit())
}

/// Keeps a hash when its value is well-formed; counts the others in one warning.
pub(crate) fn push_hash(out: &mut Vec<Hash>, alg: HashAlg, value: &str, findings: &mut Findings) {
    if valid_hash(alg, value) {
        out.push(Hash { alg, value: value.to_string() });
    } else {
        let (a, v) = (alg.as_str(), value.to_string());
        findings.add(Severity::Warning, "sbom-invalid-hash", || {
            format!("the {a} hash `{v}` is not {a}-shaped hexadecimal; not kept")
        });
    }
}

pub(crate) fn enum_from<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(Value::String(s.to_string())).ok()
}
