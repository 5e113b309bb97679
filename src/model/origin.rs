use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Which part of a component an origin fact is about (docs/origin.md "Facets").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Facet {
    /// The organisation or people that publish it (registry, knowledge base, hub namespace).
    Maintainer,
    /// Holders and authors of the files themselves (copyright notices, vendored trees).
    Code,
    /// Where a model's parameters come from (base models, source models named by files and configs,
    /// weight fingerprints).
    Weights,
    /// The model family of `model_type`, `architectures` and the model classes code uses.
    Architecture,
}

impl Facet {
    pub const ALL: [Facet; 4] = [Facet::Maintainer, Facet::Code, Facet::Weights, Facet::Architecture];

    pub fn as_str(self) -> &'static str {
        match self {
            Facet::Maintainer => "maintainer",
            Facet::Code => "code",
            Facet::Weights => "weights",
            Facet::Architecture => "architecture",
        }
    }

    pub fn parse(s: &str) -> Option<Facet> {
        Facet::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

impl std::fmt::Display for Facet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One country of a facet and how sure the facet is of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountryConfidence {
    pub country: String,
    pub confidence: f64,
}

/// The origin of one facet of a component: every country at or above the floor, strongest first. The
/// evidence stays in [`Origin::evidence`], tagged with its facet.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FacetOrigin {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<CountryConfidence>,
    /// `evidence`, `curation`; absent when the facet is unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
}

impl FacetOrigin {
    /// The facet's highest confidence (0 when unknown).
    pub fn confidence(&self) -> f64 {
        self.countries.iter().map(|c| c.confidence).fold(0.0, f64::max)
    }
}

/// What kind of fact an origin evidence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    Curation,
    KnownOrganisation,
    CodeHost,
    EmailDomain,
    WebDomain,
    CopyrightHolder,
    MaintainerLocation,
    /// An architecture family (`model_type`, `architectures`, an upstream implementation file name).
    ModelFamily,
    /// Weights lineage: a base model named by a model card, a hub id, a config or a GGUF header.
    BaseModel,
    /// A file or folder name or a config value naming a source model (`X-from-Y`, `Y-encoder`,
    /// `init_from`, `pretrained_model_name_or_path`).
    ModelReference,
    /// A transformers / vLLM model class that code imports or instantiates.
    ModelClass,
    /// Weights matching a known model's fingerprint (issue 15).
    WeightFingerprint,
}

impl EvidenceKind {
    /// The facet a kind of evidence is about.
    pub fn facet(self) -> Facet {
        match self {
            EvidenceKind::Curation
            | EvidenceKind::KnownOrganisation
            | EvidenceKind::CodeHost
            | EvidenceKind::EmailDomain
            | EvidenceKind::WebDomain
            | EvidenceKind::MaintainerLocation => Facet::Maintainer,
            EvidenceKind::CopyrightHolder => Facet::Code,
            EvidenceKind::BaseModel | EvidenceKind::ModelReference | EvidenceKind::WeightFingerprint => {
                Facet::Weights
            }
            EvidenceKind::ModelFamily | EvidenceKind::ModelClass => Facet::Architecture,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Curation => "curation",
            EvidenceKind::KnownOrganisation => "known-organisation",
            EvidenceKind::CodeHost => "code-host",
            EvidenceKind::EmailDomain => "email-domain",
            EvidenceKind::WebDomain => "web-domain",
            EvidenceKind::CopyrightHolder => "copyright-holder",
            EvidenceKind::MaintainerLocation => "maintainer-location",
            EvidenceKind::ModelFamily => "model-family",
            EvidenceKind::BaseModel => "base-model",
            EvidenceKind::ModelReference => "model-reference",
            EvidenceKind::ModelClass => "model-class",
            EvidenceKind::WeightFingerprint => "weight-fingerprint",
        }
    }
}

/// One fact that points at (or away from) a country.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub kind: EvidenceKind,
    /// The observed value: an identifier, a domain, a holder name.
    pub value: String,
    /// ISO 3166-1 alpha-2, or none when the fact says the origin is unknowable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    pub weight: f64,
    /// Where the fact was read: a file and line, a rule file entry, a registry URL.
    pub source: String,
    /// Weak evidence (a consumer mailbox, a ccTLD, a national host) only hints at a person's country:
    /// it can support or contest an attribution but never makes one alone.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub weak: bool,
    /// The organisation the fact identifies, when it identifies one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// The country of that organisation's ultimate parent, when it differs from its headquarters
    /// (`attribute_to: parent` uses it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_country: Option<String>,
    /// The facet the fact is about; the origin stage sets it for every evidence (from its kind unless a
    /// collector chose otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facet: Option<Facet>,
}

impl Evidence {
    /// The facet of this evidence: the one set, else the one of its kind.
    pub fn facet(&self) -> Facet {
        self.facet.unwrap_or_else(|| self.kind.facet())
    }
}

/// An organisation identified as the publisher of a component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganisationRef {
    pub name: String,
    /// Headquarters country (ISO 3166-1 alpha-2).
    pub country: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_country: Option<String>,
    /// The organisation's web site, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Where the country fact comes from (a URL in the knowledge base).
    pub source: String,
}

/// The attributed origin country of a component.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Origin {
    /// ISO 3166-1 alpha-2; `None` is the honest "unknown".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// 0..1
    #[serde(default)]
    pub confidence: f64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// The organisation identified as publisher, with both its headquarters and its parent's country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<OrganisationRef>,
    /// How the country was decided: `evidence`, `curation`; absent when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    /// Every country of the component: the sorted union of the facets' countries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// Origin per facet; a facet without any country is absent.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub facets: BTreeMap<Facet, FacetOrigin>,
}

impl Origin {
    pub fn is_empty(&self) -> bool {
        self.country.is_none() && self.evidence.is_empty() && self.countries.is_empty()
    }

    /// Every country of the component: the union over its facets, or its one country when no facets are
    /// known (an SBOM written before facets existed).
    pub fn all_countries(&self) -> Vec<&str> {
        if self.countries.is_empty() {
            self.country.iter().map(String::as_str).collect()
        } else {
            self.countries.iter().map(String::as_str).collect()
        }
    }

    /// The countries of the given facets (all facets when `facets` is empty), each with its confidence.
    pub fn countries_of(&self, facets: &[Facet]) -> Vec<(Facet, &CountryConfidence)> {
        self.facets
            .iter()
            .filter(|(f, _)| facets.is_empty() || facets.contains(f))
            .flat_map(|(f, o)| o.countries.iter().map(move |c| (*f, c)))
            .collect()
    }
}
