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
    /// ISO 3166-1 alpha-2 of the attributed organisation's parent, when it has one (a subsidiary). Policies
    /// judge it instead of `country` with `attribute_to: parent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_country: Option<String>,
}

impl Origin {
    pub fn is_empty(&self) -> bool {
        self.country.is_none() && self.evidence.is_empty()
    }
}
