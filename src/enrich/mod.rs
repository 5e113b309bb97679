//! Enrichment stages that add facts to an inventory after resolution.

pub mod cargo_metadata;
pub mod license;
pub mod origin;
