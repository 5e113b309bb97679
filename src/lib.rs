//! sovereign: what is this software made of, under which licences, and from which countries does each part
//! come?
//!
//! The pipeline (DESIGN.md): [`source`] acquires a checkout, [`resolve`] turns its manifests into an
//! [`model::Inventory`], [`enrich`] adds facts, and [`sbom`] writes it out.

pub mod audit;
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
pub mod store;
pub mod util;
pub mod weights;

use std::path::PathBuf;

use model::Inventory;
use resolve::ResolveContext;
use source::{AcquireOptions, Checkout, SourceSpec, SourceTree};

/// Everything `scan` needs.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    pub source: String,
    pub reference: Option<String>,
    pub cache_dir: PathBuf,
    pub progress: bool,
    /// Commits of history to fetch with a git source's ref (`--history N`); `None`: only the scanned one.
    pub history: Option<u32>,
    /// Run `cargo metadata` (isolated, offline) for licences and authors.
    pub cargo_metadata: bool,
    /// Origin attribution settings (rules, curations, floor, online collector).
    pub origin: enrich::origin::OriginOptions,
    /// The licence stage: detection floor, user rules files (docs/licenses.md).
    pub license: enrich::license::LicenseOptions,
    /// Registry lookups (`--online`); `None`: no network.
    pub online: Option<enrich::registry::OnlineOptions>,
    /// How the provenance stage (notices, vendored code, AI models) reads the tree.
    pub provenance: provenance::Options,
    /// Reference weight fingerprints (`--fingerprints`): local models are compared with each.
    pub fingerprints: Vec<(String, weights::Fingerprint)>,
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
            history: opts.history,
        },
    )?;
    let inventory = scan_checkout_with(&checkout, opts);
    Ok(ScanOutcome { inventory, checkout })
}

/// Resolves an acquired checkout into a normalised inventory (origins attributed offline with the
/// built-in rules).
pub fn scan_checkout(checkout: &Checkout, cargo_metadata: bool) -> Inventory {
    scan_checkout_with(checkout, &ScanOptions { cargo_metadata, ..ScanOptions::default() })
}

/// What the resolvers tell the provenance stage: the project's own directories (the manifests of its
/// application components: workspace members, modules, subprojects), the authors of its root manifests,
/// the repository's owner and name, and the git submodules.
pub fn provenance_context(components: &[model::Component], checkout: &Checkout) -> provenance::Context {
    let mut ctx = provenance::Context::default();
    for c in components.iter().filter(|c| c.kind == model::ComponentKind::Application) {
        for loc in &c.found_in {
            let dir = loc.path.rfind('/').map(|i| &loc.path[..i]).unwrap_or("");
            if !ctx.first_party.iter().any(|d| d == dir) {
                ctx.first_party.push(dir.to_string());
            }
            if dir.is_empty() {
                for a in &c.authors {
                    // `Name <mail>`: the name.
                    let name = a.split(['<', '(']).next().unwrap_or(a).trim();
                    if !name.is_empty() && !ctx.own_names.iter().any(|n| n == name) {
                        ctx.own_names.push(name.to_string());
                    }
                }
            }
        }
    }
    ctx.first_party.sort();
    match &checkout.subject.url {
        Some(u) => ctx.add_repository(u),
        None => ctx.add_repository(&checkout.subject.name),
    }
    ctx.submodules = checkout.gitlinks.iter().map(|g| g.path.clone()).collect();
    ctx
}

/// Resolves an acquired checkout into a normalised inventory, then runs the enrichment stages with the
/// stage options of `opts` (its source, reference and cache fields are not used here).
pub fn scan_checkout_with(checkout: &Checkout, opts: &ScanOptions) -> Inventory {
    let cargo_metadata = opts.cargo_metadata;
    let prov = &opts.provenance;
    enrich::warm_up(&opts.origin);
    let tree = SourceTree::walk(&checkout.root);
    let (res, found) = std::thread::scope(|s| {
        // The history summary (a walk of every commit) runs beside the resolvers and the file pass.
        let history = prov.history.then(|| s.spawn(|| provenance::history::summarise(tree.root())));
        let ctx = ResolveContext { tree: &tree, gitlinks: &checkout.gitlinks };
        let res = resolve::resolve_all(&ctx);
        let prov_ctx = provenance_context(&res.components, checkout);
        let files_only = provenance::Options { history: false, ..prov.clone() };
        let mut found = provenance::scan_with(&tree, &files_only, &prov_ctx);
        if let Some(h) = history {
            found.summary.history = h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        }
        (res, found)
    });
    let mut inv = Inventory { subject: checkout.subject.clone(), ..Inventory::default() };
    if inv.subject.commit.is_none() {
        // Not a git checkout: the subject's version is the content digest of what was scanned.
        inv.subject.digest = sbom::conformance::content_digest(&tree);
    }
    inv.extend(res.components, res.edges, res.diagnostics);
    inv.diagnostics.extend(tree.diagnostics.iter().cloned());
    inv.extend(found.components, Vec::new(), found.diagnostics);
    inv.provenance = found.summary;
    weights::attach::attach(&mut inv, tree.root(), &opts.fingerprints);
    if cargo_metadata {
        let roots: Vec<String> = tree
            .named("Cargo.lock")
            .map(|f| source::tree::join_rel(f.dir(), "Cargo.toml").unwrap_or_default())
            .filter(|m| tree.contains(m))
            .collect();
        enrich::cargo_metadata::enrich(&mut inv, tree.root(), &roots);
    }
    inv.normalize();
    // Registry facts (authors, repositories) feed both the licence and the origin stages.
    if let Some(online) = &opts.online {
        enrich::registry::enrich(&mut inv, online);
    }
    let license = enrich::license::LicenseOptions {
        cargo_registry: opts.license.cargo_registry || cargo_metadata,
        ..opts.license.clone()
    };
    enrich::license::enrich(&mut inv, &tree, &license);
    enrich::origin::enrich(&mut inv, &opts.origin);
    inv.normalize();
    inv
}
