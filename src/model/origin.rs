use serde::{Deserialize, Serialize};

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
    ModelFamily,
    /// A local model's weights match a reference fingerprint (src/weights/); carries the reference's country.
    WeightFingerprint,
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
}

impl Origin {
    pub fn is_empty(&self) -> bool {
        self.country.is_none() && self.evidence.is_empty()
    }
}
