//! `sovereign scan`.

use std::io::Write;
use std::process::ExitCode;

use sovereign::cli::ScanArgs;
use sovereign::model::{Inventory, Severity};

use super::explain::origin_options;
use super::write_sboms;

pub(crate) fn scan(args: ScanArgs) -> anyhow::Result<ExitCode> {
    let cache_dir = args.cache_dir.clone().unwrap_or_else(sovereign::source::cache_dir_default);
    let online = (args.origin.online && !args.offline).then(|| {
        let mut o = sovereign::enrich::registry::OnlineOptions::new(Some(cache_dir.clone()));
        o.urls = sovereign::enrich::registry::BaseUrls {
            crates_io: args.crates_io_url.trim_end_matches('/').to_string(),
            npm: args.npm_url.trim_end_matches('/').to_string(),
            pypi: args.pypi_url.trim_end_matches('/').to_string(),
            maven: args.maven_url.trim_end_matches('/').to_string(),
            deps_dev: args.deps_dev_url.trim_end_matches('/').to_string(),
        };
        o.http.timeout = std::time::Duration::from_secs(args.registry_timeout.max(1));
        o.http.cache_ttl = std::time::Duration::from_secs(args.registry_cache_hours * 3600);
        o.concurrency = args.registry_concurrency.max(1);
        o
    });
    let opts = sovereign::ScanOptions {
        source: args.source.clone(),
        reference: args.reference.clone(),
        cache_dir,
        progress: !args.quiet,
        history: args.history,
        cargo_metadata: args.cargo_metadata,
        origin: {
            let mut o = origin_options(&args.origin, args.cache_dir.clone())?;
            if args.offline {
                o.online = None;
            }
            o
        },
        license: sovereign::enrich::license::LicenseOptions {
            floor: args.license_floor,
            curations: args.license_curations.clone(),
            aliases: args.license_aliases.clone(),
            categories: args.license_categories.clone(),
            cargo_registry: args.cargo_metadata,
        },
        online,
        provenance: sovereign::provenance::Options {
            max_file_size: args.provenance_max_file_size,
            excludes: args.excludes.clone(),
            own_holders: args.own_holders.clone(),
            history: true,
        },
        fingerprints: match &args.fingerprints {
            Some(p) => sovereign::weights::load_references(p)?,
            None => Vec::new(),
        },
    };
    let targets = sovereign::cli::output_targets(&args.format, &args.output)?;
    let mut outcome = sovereign::scan(&opts)?;
    outcome.inventory.creator = args.creator.clone();
    write_sboms(&outcome.inventory, &targets)?;
    for note in &outcome.checkout.notes {
        eprintln!("note: {note}");
    }
    if !args.quiet {
        summary(&outcome.inventory, outcome.checkout.cloned);
        if let Some(d) = sovereign::sbom::conformance::unknown_suppliers(&outcome.inventory) {
            eprintln!("{d}");
        }
    }
    let kb_files: Vec<&std::path::Path> = [
        &args.origin.curations,
        &args.origin.origin_rules,
        &args.license_curations,
        &args.license_aliases,
        &args.license_categories,
    ]
    .into_iter()
    .filter_map(|p| p.as_deref())
    .collect();
    super::store::record(&args.store, &outcome.inventory, None, &kb_files, None, args.quiet)?;
    Ok(ExitCode::SUCCESS)
}

fn summary(inv: &Inventory, cloned: bool) {
    let mut err = std::io::stderr().lock();
    let s = &inv.subject;
    let _ = write!(err, "scanned {}", s.name);
    if let Some(u) = &s.url {
        let _ = write!(err, " ({u}");
        if let Some(c) = &s.commit {
            let _ = write!(err, " @ {}", &c[..c.len().min(12)]);
        }
        let _ = write!(err, "{})", if cloned { ", cloned" } else { "" });
    }
    let _ = writeln!(err);
    let mut by_eco = std::collections::BTreeMap::<&str, (usize, usize)>::new();
    for c in &inv.components {
        let e = by_eco.entry(c.ecosystem.as_str()).or_default();
        e.0 += 1;
        if c.direct {
            e.1 += 1;
        }
    }
    let _ = writeln!(err, "{} components, {} dependency edges", inv.components.len(), inv.edges.len());
    for (eco, (n, d)) in by_eco {
        let _ = writeln!(err, "  {eco:<12} {n:>6} ({d} direct)");
    }
    origin_summary(&mut err, inv);
    let kinds = |k: sovereign::model::ComponentKind| inv.components.iter().filter(|c| c.kind == k).count();
    let (vendored, models) = (
        kinds(sovereign::model::ComponentKind::VendoredSource),
        kinds(sovereign::model::ComponentKind::MlModel),
    );
    if vendored + models > 0 {
        let _ =
            writeln!(err, "in the tree: {vendored} vendored-source, {models} ml-model (docs/provenance.md)");
    }
    // Weight lineage found by --fingerprints (docs/models.md): one line per local model and reference.
    for c in inv.components.iter().filter(|c| c.kind == sovereign::model::ComponentKind::MlModel) {
        for (k, v) in &c.properties {
            if let Some(reference) = k.strip_prefix("weights:").filter(|r| !r.contains(':')) {
                let _ = writeln!(err, "weights of {} <- {reference}: {v}", c.name);
            }
        }
    }
    for h in &inv.provenance.own_holders {
        let _ = writeln!(err, "own notices: {} ({} file(s))", h.holder, h.files);
    }
    for d in &inv.diagnostics {
        if d.severity >= Severity::Warning {
            let _ = writeln!(err, "{d}");
        }
    }
    let notes = inv.diagnostics.iter().filter(|d| d.severity == Severity::Note).count();
    if notes > 0 {
        let _ = writeln!(err, "({notes} note(s) recorded in the SBOM metadata)");
    }
}

/// Components by origin country: count, share, direct and transitive; unknowns last.
fn origin_summary(err: &mut impl Write, inv: &Inventory) {
    let total = inv.components.len();
    if total == 0 {
        return;
    }
    let mut by_country = std::collections::BTreeMap::<&str, (usize, usize)>::new();
    let mut unknown = (0usize, 0usize);
    for c in &inv.components {
        let slot = match c.origin.country.as_deref() {
            Some(cc) => by_country.entry(cc).or_default(),
            None => &mut unknown,
        };
        slot.0 += 1;
        if c.direct {
            slot.1 += 1;
        }
    }
    let mut rows: Vec<(&str, (usize, usize))> = by_country.into_iter().collect();
    rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    let _ = writeln!(err, "origin by country (count, share, direct / transitive):");
    for (cc, (n, d)) in rows.iter().copied().chain(std::iter::once(("unknown", unknown))) {
        if n == 0 {
            continue;
        }
        let share = 100.0 * n as f64 / total as f64;
        let _ = writeln!(err, "  {cc:<8} {n:>6} {share:>5.1}%  {d} direct / {} transitive", n - d);
    }
}
