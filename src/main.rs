use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use sovereign::cli::{CheckArgs, Cli, Command, PolicyCommand, ScanArgs, SimulateArgs};
use sovereign::model::{Inventory, Severity};
use sovereign::util::redact::redact_text;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => scan(args),
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
    let opts = sovereign::ScanOptions {
        source: args.source.clone(),
        reference: args.reference.clone(),
        cache_dir: args.cache_dir.clone().unwrap_or_else(sovereign::source::cache_dir_default),
        progress: !args.quiet,
        cargo_metadata: args.cargo_metadata,
    };
    let outcome = sovereign::scan(&opts)?;
    let bytes = sovereign::sbom::write(&outcome.inventory, args.format);
    match &args.output {
        Some(path) => sovereign::util::atomic::write_atomic(path, &bytes)
            .with_context(|| format!("cannot write `{}`", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes).and_then(|_| out.flush()).context("cannot write to standard output")?;
        }
    }
    if !args.quiet {
        summary(&outcome.inventory, outcome.checkout.cloned);
    }
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

/// Writes a report to `-o FILE` (atomically) or standard output.
fn emit(output: Option<&std::path::Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match output {
        Some(path) => sovereign::util::atomic::write_atomic(path, bytes)
            .with_context(|| format!("cannot write `{}`", path.display())),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes).and_then(|_| out.flush()).context("cannot write to standard output")
        }
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

fn read_sbom(path: &std::path::Path) -> anyhow::Result<Inventory> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    Ok(sovereign::sbom::read(&bytes, &path.display().to_string())?)
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
        };
        sovereign::scan(&scan)?.inventory
    };
    let verdict = sovereign::policy::evaluate(&policy, &inventory, &opts);
    emit(args.output.as_deref(), &sovereign::report::render(&verdict, &policy, args.format))?;
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
    emit(None, &bytes)?;
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
    emit(args.output.as_deref(), &sovereign::report::simulation::render(&report, args.format))?;
    Ok(if skipped == 0 { ExitCode::SUCCESS } else { ExitCode::from(2) })
}
