//! The verdict as text for a terminal.

use std::fmt::Write;

use super::{path_text, severity_name};
use crate::policy::{Finding, Verdict};

pub fn headline(v: &Verdict) -> String {
    let c = &v.counts;
    format!(
        "policy `{}`: {} ({} error{}, {} warning{}, {} note{}, {} waived; {} component{} judged)",
        v.policy,
        if v.passed { "PASSED" } else { "FAILED" },
        c.error,
        plural(c.error),
        c.warning,
        plural(c.warning),
        c.note,
        plural(c.note),
        c.waived,
        v.judged,
        plural(v.judged)
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn finding(out: &mut String, f: &Finding) {
    let sev = if f.waived.is_some() { "waived" } else { severity_name(f.severity) };
    let _ = writeln!(out, "{sev}[{}] {}: {}", f.code, f.rule, f.message);
    if let Some(l) = &f.location {
        let _ = writeln!(out, "  at: {l}");
    }
    if f.path.len() > 1 {
        let _ = writeln!(out, "  path: {}", path_text(&f.path));
    }
    for e in &f.evidence {
        let _ = writeln!(out, "  evidence: {e}");
    }
    if let Some(w) = &f.why {
        let _ = writeln!(out, "  why: {w}");
    }
    match &f.waived {
        Some(w) => {
            let mut s = format!("  waived by {} #{} ({}): {}", w.file, w.index, w.component, w.reason);
            if let Some(a) = &w.approved_by {
                let _ = write!(s, "; approved by {a}");
            }
            if let Some(e) = &w.expires {
                let _ = write!(s, "; expires {e}");
            }
            let _ = writeln!(out, "{s}");
        }
        None => {
            let _ = writeln!(out, "  fix: {}", f.fix);
        }
    }
}

pub fn render(v: &Verdict) -> String {
    let mut out = String::new();
    for f in &v.findings {
        finding(&mut out, f);
        out.push('\n');
    }
    out.push_str(&headline(v));
    out.push('\n');
    out
}
