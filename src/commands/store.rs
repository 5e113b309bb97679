//! `--store` on `scan` and `check`, and `sovereign query`.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::Context;

use sovereign::cli::{QueryArgs, QueryFormat, StoreArgs};
use sovereign::model::Inventory;
use sovereign::policy::Verdict;
use sovereign::store::{ComponentRow, QueryFilter, ScanInfo, ScanRecord, Store};

use super::write_out;

/// Records a scan (and a verdict) when a store is asked for. Called after the SBOM or report is on
/// disk, so a store that is down loses nothing but the record; the error then says so.
pub(crate) fn record(
    args: &StoreArgs,
    inv: &Inventory,
    sbom_json: Option<String>,
    kb_files: &[&std::path::Path],
    verdict: Option<&Verdict>,
    quiet: bool,
) -> anyhow::Result<()> {
    let Some(url) = args.store.as_deref().filter(|u| !u.trim().is_empty()) else { return Ok(()) };
    let mut rec = match sbom_json {
        Some(json) => ScanRecord::with_sbom(inv, json),
        None => ScanRecord::new(inv),
    };
    if let Some(name) = &args.submission {
        rec.submission = name.clone();
    }
    rec.kb_version = sovereign::store::write::kb_version(kb_files);
    let shown = sovereign::util::redact::redact_url(url);
    let stored = (|| {
        let mut store = Store::open(url)?;
        let id = store.record_scan(&rec)?;
        if let Some(v) = verdict {
            store.record_verdict(id, v)?;
        }
        Ok::<_, sovereign::store::StoreError>(id)
    })();
    let id = stored.with_context(|| {
        format!("the result was not stored in `{shown}` (the output files were written; nothing partial was stored)")
    })?;
    if !quiet {
        eprintln!("stored as scan {id} of `{}` in {shown}", rec.submission);
    }
    Ok(())
}

pub(crate) fn query(args: QueryArgs) -> anyhow::Result<ExitCode> {
    if let Some(cc) = &args.country {
        let ok = cc.eq_ignore_ascii_case("unknown")
            || (cc.len() == 2 && cc.chars().all(|c| c.is_ascii_alphabetic()));
        anyhow::ensure!(
            ok,
            "`{cc}` is not a country: give an ISO 3166-1 alpha-2 code (`CN`, not `CHN`) or `unknown`"
        );
    }
    let filter = QueryFilter {
        country: args.country.clone(),
        facet: args.facet.clone(),
        license: args.license.clone(),
        purl: args.purl.clone(),
        lineage: args.lineage.clone(),
        submission: args.submission.clone(),
        at: args.at.clone(),
        since: args.since.clone(),
        history: args.history,
    };
    let mut store = Store::open_existing(&args.store)?;
    let out = if args.diff {
        diff(&mut store, &args, &filter)?
    } else if args.scans {
        render_scans(&store.scans(&filter)?, args.format)
    } else {
        render_rows(&store.components(&filter)?, args.format)
    };
    write_out(args.output.as_deref(), out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// The submission's latest scan (at `--at`) against the scan before it, or its latest at `--from`.
fn diff(store: &mut Store, args: &QueryArgs, filter: &QueryFilter) -> anyhow::Result<String> {
    let name = args.submission.as_deref().unwrap_or_default();
    let history = store.scans(&QueryFilter { history: true, since: None, ..filter.clone() })?;
    let new = history.last().with_context(|| format!("no stored scan of `{name}`"))?;
    let old = match &args.from {
        Some(from) => {
            let bound = sovereign::store::query::time_bound(from, true)?;
            history.iter().rev().find(|s| s.time <= bound)
        }
        None => history.iter().rev().nth(1),
    }
    .with_context(|| format!("`{name}` has no earlier stored scan to compare with"))?;
    let read = |store: &mut Store, s: &ScanInfo| -> anyhow::Result<Inventory> {
        let json = store.sbom(s.id)?;
        Ok(sovereign::sbom::read(json.as_bytes(), &format!("scan {}", s.id))?)
    };
    let (a, b) = (read(store, old)?, read(store, new)?);
    let d = sovereign::diff::diff(&a, &b);
    let format = match args.format {
        QueryFormat::Json => sovereign::diff::DiffFormat::Json,
        _ => sovereign::diff::DiffFormat::Human,
    };
    let label = |s: &ScanInfo| format!("{} scan {} ({})", s.submission, s.id, s.time);
    Ok(sovereign::diff::render(&d, format, &label(old), &label(new)))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn table(header: &[&str], rows: &[Vec<String>], format: QueryFormat) -> String {
    let mut out = String::new();
    match format {
        QueryFormat::Csv => {
            for r in std::iter::once(header.iter().map(|h| h.to_string()).collect::<Vec<_>>())
                .chain(rows.iter().cloned())
            {
                let _ = writeln!(out, "{}", r.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
            }
        }
        _ => {
            let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
            for r in rows {
                for (w, f) in widths.iter_mut().zip(r) {
                    *w = (*w).max(f.chars().count());
                }
            }
            for r in std::iter::once(header.iter().map(|h| h.to_string()).collect::<Vec<_>>())
                .chain(rows.iter().cloned())
            {
                let line: Vec<String> = r.iter().zip(&widths).map(|(f, w)| format!("{f:<w$}")).collect();
                let _ = writeln!(out, "{}", line.join("  ").trim_end());
            }
            let _ = writeln!(out, "({} row{})", rows.len(), if rows.len() == 1 { "" } else { "s" });
        }
    }
    out
}

fn json<T: serde::Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

fn render_rows(rows: &[ComponentRow], format: QueryFormat) -> String {
    if format == QueryFormat::Json {
        return json(&rows);
    }
    let header = ["submission", "scan", "time", "purl", "name", "version", "license", "countries", "facet"];
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.submission.clone(),
                r.scan.to_string(),
                r.time.clone(),
                r.purl.clone(),
                r.name.clone(),
                r.version.clone().unwrap_or_default(),
                r.license.clone().unwrap_or_default(),
                if r.countries.is_empty() { "unknown".to_string() } else { r.countries.join(" ") },
                r.facet.clone(),
            ]
        })
        .collect();
    table(&header, &cells, format)
}

fn render_scans(scans: &[ScanInfo], format: QueryFormat) -> String {
    if format == QueryFormat::Json {
        return json(&scans);
    }
    let header = ["scan", "submission", "time", "components", "url", "commit", "tool", "knowledge base"];
    let cells: Vec<Vec<String>> = scans
        .iter()
        .map(|s| {
            vec![
                s.id.to_string(),
                s.submission.clone(),
                s.time.clone(),
                s.components.to_string(),
                s.url.clone().unwrap_or_default(),
                s.commit.clone().unwrap_or_default(),
                s.tool_version.clone(),
                s.kb_version.clone(),
            ]
        })
        .collect();
    table(&header, &cells, format)
}
