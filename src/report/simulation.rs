//! A policy simulation as a human table, Markdown, CSV, JSON or HTML.

use std::fmt::Write;

use super::markdown::cell;
use crate::policy::simulate::SimulationReport;

/// `sovereign policy simulate --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SimFormat {
    /// Tables for a terminal.
    Human,
    /// Markdown tables.
    Markdown,
    /// One row per submission and policy (submission, policy, result, errors, warnings, notes, waived).
    Csv,
    /// Everything, as JSON.
    Json,
    /// A self-contained HTML page: pass rates, rules × submissions per policy, flips (docs/report.md).
    Html,
}

pub fn render(r: &SimulationReport, format: SimFormat) -> Vec<u8> {
    match format {
        SimFormat::Human => human(r).into_bytes(),
        SimFormat::Markdown => markdown(r).into_bytes(),
        SimFormat::Csv => csv(r).into_bytes(),
        SimFormat::Html => super::html::render_simulation(r, &super::html::ReportMeta::new()).into_bytes(),
        SimFormat::Json => {
            let mut v = serde_json::to_vec_pretty(r).unwrap_or_default();
            v.push(b'\n');
            v
        }
    }
}

fn pct(n: usize, d: usize) -> String {
    if d == 0 {
        "-".into()
    } else {
        format!("{:.1} %", n as f64 * 100.0 / d as f64)
    }
}

fn human(r: &SimulationReport) -> String {
    let mut out = String::new();
    let w = r.policies.iter().map(|p| p.policy.chars().count()).max().unwrap_or(6).max(6);
    let _ = writeln!(
        out,
        "{:<w$}  {:>11}  {:>6}  {:>6}  {:>9}",
        "policy", "submissions", "passed", "failed", "pass rate"
    );
    for p in &r.policies {
        let _ = writeln!(
            out,
            "{:<w$}  {:>11}  {:>6}  {:>6}  {:>9}",
            p.policy,
            p.submissions,
            p.passed,
            p.failed,
            pct(p.passed, p.submissions)
        );
    }
    for p in &r.policies {
        let _ = writeln!(out, "\n{}: rules fired", p.policy);
        if p.rules.is_empty() {
            let _ = writeln!(out, "  (none)");
        }
        for rc in &p.rules {
            let _ = writeln!(
                out,
                "  {:<32} {:>8} findings in {:>6} submissions ({} failing)",
                rc.rule, rc.findings, rc.submissions, rc.failing_submissions
            );
        }
        if !p.top_components.is_empty() {
            let _ = writeln!(out, "{}: components causing most failures", p.policy);
            for c in &p.top_components {
                let _ =
                    writeln!(out, "  {:<48} {:>6} failing submissions", c.component, c.failing_submissions);
            }
        }
    }
    if r.policies.len() > 1 {
        let _ = writeln!(out, "\nsubmissions that flip between policies: {}", r.flips.len());
        for f in &r.flips {
            let states: Vec<String> = r
                .policies
                .iter()
                .zip(&f.passed)
                .map(|(p, ok)| format!("{}={}", p.policy, if *ok { "pass" } else { "fail" }))
                .collect();
            let _ = writeln!(out, "  {}: {}", f.submission, states.join(", "));
        }
    }
    out
}

fn markdown(r: &SimulationReport) -> String {
    let mut out = String::from("# Policy simulation\n\n| Policy | Submissions | Passed | Failed | Pass rate |\n|---|---:|---:|---:|---:|\n");
    for p in &r.policies {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            cell(&p.policy),
            p.submissions,
            p.passed,
            p.failed,
            pct(p.passed, p.submissions)
        );
    }
    for p in &r.policies {
        let _ = writeln!(
            out,
            "\n## `{}`\n\n| Rule | Findings | Submissions | Failing submissions |\n|---|---:|---:|---:|",
            cell(&p.policy)
        );
        for rc in &p.rules {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                cell(&rc.rule),
                rc.findings,
                rc.submissions,
                rc.failing_submissions
            );
        }
        if !p.top_components.is_empty() {
            out.push_str("\n| Component | Failing submissions |\n|---|---:|\n");
            for c in &p.top_components {
                let _ = writeln!(out, "| `{}` | {} |", cell(&c.component), c.failing_submissions);
            }
        }
    }
    if r.policies.len() > 1 {
        let _ = writeln!(out, "\n## Submissions that flip ({})\n", r.flips.len());
        if !r.flips.is_empty() {
            let head: Vec<String> = r.policies.iter().map(|p| format!("`{}`", cell(&p.policy))).collect();
            let _ = writeln!(out, "| Submission | {} |", head.join(" | "));
            let _ = writeln!(out, "|---|{}", "---|".repeat(r.policies.len()));
            for f in &r.flips {
                let states: Vec<&str> =
                    f.passed.iter().map(|ok| if *ok { "pass" } else { "**fail**" }).collect();
                let _ = writeln!(out, "| {} | {} |", cell(&f.submission), states.join(" | "));
            }
        }
    }
    out
}

/// RFC 4180: quote a field when it holds a comma, quote or line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv(r: &SimulationReport) -> String {
    let mut out = String::from("submission,policy,result,errors,warnings,notes,waived\r\n");
    for row in &r.submissions {
        for (p, c) in r.policies.iter().zip(&row.results) {
            let _ = write!(
                out,
                "{},{},{},{},{},{},{}\r\n",
                field(&row.submission),
                field(&p.policy),
                if c.passed { "pass" } else { "fail" },
                c.errors,
                c.warnings,
                c.notes,
                c.waived
            );
        }
    }
    out
}
