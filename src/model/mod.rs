//! The format-neutral model that travels through the whole pipeline.
//!
//! One [`Inventory`] is produced by the resolvers, grows through the enrichment stages (licences, origins)
//! and is written to every SBOM format or judged by a policy. Every type here serialises with serde so a
//! stage's output can be stored and read back.

mod component;
mod diagnostic;
mod inventory;
mod license;
mod origin;
mod provenance;
pub mod purl;

pub use component::{Component, ComponentKind, Ecosystem, Hash, HashAlg, Location, Scope, SourceKind};
pub use diagnostic::{Diagnostic, Severity};
pub use inventory::{Edge, EdgeKind, Inventory, Subject};
pub use license::{LicenseCategory, LicenseInfo, LicenseValue};
pub use origin::{CountryConfidence, Evidence, EvidenceKind, Facet, FacetOrigin, OrganisationRef, Origin};
pub use provenance::{
    BaseModel, HistorySummary, ModelFacts, Occurrence, OwnHolder, ProvenanceSummary, Tally,
};
