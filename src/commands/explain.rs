//! `sovereign explain`.

use std::io::Write;
use std::process::ExitCode;

use sovereign::cli::{ExplainArgs, OriginArgs};

use super::read_sbom;

pub(crate) fn origin_options(
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

pub(crate) fn explain(args: ExplainArgs) -> anyhow::Result<ExitCode> {
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
