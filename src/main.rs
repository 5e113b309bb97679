use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use sovereign::cli::{
    CheckArgs, Cli, Command, ConvertArgs, DiffArgs, ExplainArgs, OriginArgs, PolicyCommand, ScanArgs,
    SimulateArgs,
};
use sovereign::model::{Inventory, Severity};
use sovereign::util::redact::redact_text;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => scan(*args),
        Command::Explain(args) => explain(args),
        Command::Convert(args) => convert(args),
        Command::Diff(args) => diff(args),
        Command::Check(args) => check(args),
        Command::Policy(PolicyCommand::Validate { files }) => policy_validate(&files),
        Command::Policy(PolicyCommand::Schema) => policy_schema(),
        Command::Policy(PolicyCommand::Simulate(args)) => policy_simulate(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let mut msg = redact_text(&e.to_string());
            for cause in e.chain().skip(1) {
                msg.push_str(": ");
                msg.push_str(&redact_text(&cause.to_string()));
            }
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}

fn scan(args: ScanArgs) -> anyhow::Result<ExitCode> {
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
    };
    let targets = sovereign::cli::output_targets(&args.format, &args.output)?;
    let outcome = sovereign::scan(&opts)?;
    write_sboms(&outcome.inventory, &targets)?;
    if !args.quiet {
        summary(&outcome.inventory, outcome.checkout.cloned);
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the inventory in every requested format, each to its file (atomically) or standard output.
fn write_sboms(
    inv: &Inventory,
    targets: &[(sovereign::sbom::Format, Option<std::path::PathBuf>)],
) -> anyhow::Result<()> {
    for (format, path) in targets {
        let bytes = sovereign::sbom::write(inv, *format);
        write_out(path.as_deref(), &bytes)?;
    }
    Ok(())
}

fn write_out(path: Option<&std::path::Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match path {
        Some(path) => sovereign::util::atomic::write_atomic(path, bytes)
            .with_context(|| format!("cannot write `{}`", path.display())),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes).and_then(|_| out.flush()).context("cannot write to standard output")
        }
    }
}

/// Reads an SBOM file.
fn read_sbom(path: &std::path::Path) -> anyhow::Result<Inventory> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    Ok(sovereign::sbom::read(&bytes, &path.display().to_string())?)
}

fn convert(args: ConvertArgs) -> anyhow::Result<ExitCode> {
    let targets = sovereign::cli::output_targets(&args.format, &args.output)?;
    let inv = read_sbom(&args.input)?;
    write_sboms(&inv, &targets)?;
    if !args.quiet {
        let mut err = std::io::stderr().lock();
        for d in inv.diagnostics.iter().filter(|d| d.code.starts_with("sbom-")) {
            let _ = writeln!(err, "{d}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn origin_options(
    a: &OriginArgs,
    cache_dir: Option<std::path::PathBuf>,
) -> anyhow::Result<sovereign::enrich::origin::OriginOptions> {
    use sovereign::enrich::origin::{github::OnlineOptions, OriginOptions};
    if let Some(f) = a.origin_floor {
        anyhow::ensure!((0.0..=1.0).contains(&f), "`--origin-floor` must be between 0 and 1, not `{f}`");
    }
    let online = a.online.then(|| {
        let mut o = OnlineOptions::new(cache_dir.unwrap_or_else(sovereign::source::cache_dir_default));
        o.base_url = a.github_api.clone();
        o.token = std::env::var("GITHUB_TOKEN").ok().filter(|t| !t.trim().is_empty());
        o
    });
    Ok(OriginOptions {
        floor: a.origin_floor,
        attribute_to: a.attribute_to,
        rules_file: a.origin_rules.clone(),
        curations_file: a.curations.clone(),
        online,
    })
}

fn explain(args: ExplainArgs) -> anyhow::Result<ExitCode> {
    let origin = origin_options(&args.origin, args.cache_dir.clone())?;
    let path = std::path::Path::new(&args.source);
    let inventory = if path.is_file() {
        // A stored SBOM: its recorded evidence explains it. With origin options, attribute again.
        let mut inv = read_sbom(path)?;
        let a = &args.origin;
        let again = a.online
            || a.curations.is_some()
            || a.origin_rules.is_some()
            || a.origin_floor.is_some()
            || a.attribute_to != sovereign::enrich::origin::AttributeTo::Headquarters;
        if again {
            eprintln!("note: origins attributed again from the SBOM's facts with the options given");
            sovereign::enrich::origin::enrich(&mut inv, &origin);
        }
        inv
    } else {
        let opts = sovereign::ScanOptions {
            source: args.source.clone(),
            reference: args.reference.clone(),
            cache_dir: args.cache_dir.clone().unwrap_or_else(sovereign::source::cache_dir_default),
            progress: false,
            cargo_metadata: false,
            origin,
            ..Default::default()
        };
        sovereign::scan(&opts)?.inventory
    };
    let want = args.purl.replace("%40", "@");
    let matches: Vec<_> = inventory
        .components
        .iter()
        .filter(|c| {
            let Some(p) = c.purl.as_deref() else { return c.id == args.purl };
            let p = p.replace("%40", "@");
            let bare = p.split('?').next().unwrap_or(&p);
            let slash = bare.rfind('/').unwrap_or(0);
            let unversioned = match bare[slash..].find('@') {
                Some(at) => &bare[..slash + at],
                None => bare,
            };
            p == want
                || bare == want
                || unversioned == want
                || sovereign::enrich::origin::curation::glob(&want, unversioned)
                || sovereign::enrich::origin::curation::glob(&want, &p)
        })
        .collect();
    anyhow::ensure!(!matches.is_empty(), "no component of `{}` matches `{}`", args.source, args.purl);
    let mut out = std::io::stdout().lock();
    for c in matches {
        let _ = writeln!(out, "{}", sovereign::enrich::origin::explain(c, args.origin.attribute_to));
    }
    for d in inventory.diagnostics.iter().filter(|d| d.code.starts_with("origin-")) {
        eprintln!("{d}");
    }
    Ok(ExitCode::SUCCESS)
}

/// One side of a diff: an SBOM file, or a source to scan.
fn diff_side(side: &str, cache_dir: &Option<std::path::PathBuf>) -> anyhow::Result<Inventory> {
    let path = std::path::Path::new(side);
    if path.is_file() {
        return read_sbom(path);
    }
    let opts = sovereign::ScanOptions {
        source: side.to_string(),
        reference: None,
        cache_dir: cache_dir.clone().unwrap_or_else(sovereign::source::cache_dir_default),
        progress: false,
        cargo_metadata: false,
        ..Default::default()
    };
    Ok(sovereign::scan(&opts)?.inventory)
}

fn diff(args: DiffArgs) -> anyhow::Result<ExitCode> {
    let old = diff_side(&args.old, &args.cache_dir)?;
    let new = diff_side(&args.new, &args.cache_dir)?;
    let d = sovereign::diff::diff(&old, &new);
    let text = sovereign::diff::render(&d, args.format, &args.old, &args.new);
    write_out(args.output.as_deref(), text.as_bytes())?;
    Ok(if d.fails(&args.fail_on) { ExitCode::from(1) } else { ExitCode::SUCCESS })
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

fn eval_options(today: Option<&str>) -> anyhow::Result<sovereign::policy::EvalOptions> {
    Ok(match today {
        Some(t) => sovereign::policy::EvalOptions {
            today: sovereign::policy::Date::parse(t)
                .with_context(|| format!("`{t}` is not a date written YYYY-MM-DD"))?,
        },
        None => sovereign::policy::EvalOptions::default(),
    })
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let policy = sovereign::policy::load(&args.policy)?;
    let opts = eval_options(args.today.as_deref())?;
    let local = std::path::Path::new(&args.source);
    let inventory = if local.is_file() {
        read_sbom(local)?
    } else {
        let scan = sovereign::ScanOptions {
            source: args.source.clone(),
            reference: args.reference.clone(),
            cache_dir: args.cache_dir.clone().unwrap_or_else(sovereign::source::cache_dir_default),
            progress: !args.quiet,
            cargo_metadata: false,
            ..Default::default()
        };
        sovereign::scan(&scan)?.inventory
    };
    let verdict = sovereign::policy::evaluate(&policy, &inventory, &opts);
    write_out(args.output.as_deref(), &sovereign::report::render(&verdict, &policy, args.format))?;
    if !args.quiet && (args.output.is_some() || args.format != sovereign::report::Format::Human) {
        eprintln!("{}", sovereign::report::human::headline(&verdict));
    }
    Ok(if verdict.passed { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn policy_validate(files: &[std::path::PathBuf]) -> anyhow::Result<ExitCode> {
    let mut ok = true;
    for f in files {
        match sovereign::policy::load(f) {
            Ok(p) => {
                let rules = p.rules.len();
                println!(
                    "{}: valid (policy `{}`, {rules} rule{}, {} threshold(s), {} waiver(s){})",
                    f.display(),
                    p.name,
                    if rules == 1 { "" } else { "s" },
                    p.thresholds.len(),
                    p.waivers.len(),
                    if p.files.len() > 1 {
                        format!(", extends {}", p.files[1..].join(", "))
                    } else {
                        String::new()
                    }
                );
            }
            Err(e) => {
                ok = false;
                eprintln!("{}: {e}", f.display());
            }
        }
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(2) })
}

fn policy_schema() -> anyhow::Result<ExitCode> {
    let mut bytes = serde_json::to_vec_pretty(&sovereign::policy::config::json_schema())?;
    bytes.push(b'\n');
    write_out(None, &bytes)?;
    Ok(ExitCode::SUCCESS)
}

fn policy_simulate(args: SimulateArgs) -> anyhow::Result<ExitCode> {
    let policies = args.policies.iter().map(|p| sovereign::policy::load(p)).collect::<Result<Vec<_>, _>>()?;
    let opts = eval_options(args.today.as_deref())?;
    let mut sim = sovereign::policy::simulate::Simulation::new(&policies, opts);
    // One unreadable SBOM among many is reported and skipped; the exit code says so.
    let mut skipped = 0usize;
    for path in &args.sboms {
        match read_sbom(path) {
            Ok(inv) => sim.add(&path.display().to_string(), &inv),
            Err(e) => {
                skipped += 1;
                let causes: Vec<String> = e.chain().map(|c| redact_text(&c.to_string())).collect();
                eprintln!("error: skipped {}: {}", path.display(), causes.join(": "));
            }
        }
    }
    let report = sim.finish();
    write_out(args.output.as_deref(), &sovereign::report::simulation::render(&report, args.format))?;
    Ok(if skipped == 0 { ExitCode::SUCCESS } else { ExitCode::from(2) })
}
