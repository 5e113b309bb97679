//! sovereign: what is this software made of, under which licences, and from which countries does each part
//! come?
//!
//! The pipeline (DESIGN.md): [`source`] acquires a checkout, [`resolve`] turns its manifests into an
//! [`model::Inventory`], [`enrich`] adds facts, and [`sbom`] writes it out.

pub mod cli;
pub mod diff;
pub mod enrich;
pub mod model;
pub mod policy;
pub mod provenance;
pub mod report;
pub mod resolve;
pub mod sbom;
pub mod source;
pub mod util;

use std::path::PathBuf;

use model::Inventory;
use resolve::ResolveContext;
use source::{AcquireOptions, Checkout, SourceSpec, SourceTree};

/// Everything `scan` needs.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub source: String,
    pub reference: Option<String>,
    pub cache_dir: PathBuf,
    pub progress: bool,
    /// Run `cargo metadata` (isolated, offline) for licences and authors.
    pub cargo_metadata: bool,
    /// Origin attribution settings (rules, curations, floor, online collector).
    pub origin: enrich::origin::OriginOptions,
    /// How the provenance stage (notices, vendored code, AI models) reads the tree.
    pub provenance: provenance::Options,
}

/// Why a scan could not run at all (a manifest problem is a diagnostic, not an error).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Source(#[from] source::SourceError),
}

/// The result of a scan: the inventory and how the source was acquired.
#[derive(Debug)]
pub struct ScanOutcome {
    pub inventory: Inventory,
    pub checkout: Checkout,
}

/// Acquires the source and resolves every manifest in it.
pub fn scan(opts: &ScanOptions) -> Result<ScanOutcome, ScanError> {
    let spec = SourceSpec::parse(&opts.source);
    let checkout = source::acquire(
        &spec,
        &AcquireOptions {
            reference: opts.reference.clone(),
            cache_dir: opts.cache_dir.clone(),
            progress: opts.progress,
        },
    )?;
    let inventory = scan_checkout_full(&checkout, opts.cargo_metadata, &opts.origin, &opts.provenance);
    Ok(ScanOutcome { inventory, checkout })
}

/// Resolves an acquired checkout into a normalised inventory (origins attributed offline with the
/// built-in rules).
pub fn scan_checkout(checkout: &Checkout, cargo_metadata: bool) -> Inventory {
    scan_checkout_with(checkout, cargo_metadata, &enrich::origin::OriginOptions::default())
}

/// Resolves an acquired checkout into a normalised inventory, then runs the enrichment stages.
pub fn scan_checkout_with(
    checkout: &Checkout,
    cargo_metadata: bool,
    origin: &enrich::origin::OriginOptions,
) -> Inventory {
    scan_checkout_full(checkout, cargo_metadata, origin, &provenance::Options::default())
}

/// [`scan_checkout_with`] with provenance options.
pub fn scan_checkout_full(
    checkout: &Checkout,
    cargo_metadata: bool,
    origin: &enrich::origin::OriginOptions,
    prov: &provenance::Options,
) -> Inventory {
    let tree = SourceTree::walk(&checkout.root);
    let ctx = ResolveContext { tree: &tree, gitlinks: &checkout.gitlinks };
    let res = resolve::resolve_all(&ctx);
    let mut inv = Inventory { subject: checkout.subject.clone(), ..Inventory::default() };
    inv.extend(res.components, res.edges, res.diagnostics);
    inv.diagnostics.extend(tree.diagnostics.iter().cloned());
    let found = provenance::scan(&tree, prov);
    inv.extend(found.components, Vec::new(), found.diagnostics);
    inv.provenance = found.summary;
    if cargo_metadata {
        let roots: Vec<String> = tree
            .named("Cargo.lock")
            .map(|f| source::tree::join_rel(f.dir(), "Cargo.toml").unwrap_or_default())
            .filter(|m| tree.contains(m))
            .collect();
        enrich::cargo_metadata::enrich(&mut inv, tree.root(), &roots);
    }
    inv.normalize();
    enrich::origin::enrich(&mut inv, origin);
    inv.normalize();
    inv
}
