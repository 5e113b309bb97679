//! The verdict as Markdown: a headline, a table of open findings, then the waived ones.

use std::fmt::Write;

use super::{path_text, severity_name, short};
use crate::policy::Verdict;

/// Escapes text for a table cell.
pub(crate) fn cell(s: &str) -> String {
    s.replace('\\', "\\\\").replace('|', "\\|").replace(['\n', '\r'], " ")
}

pub fn render(v: &Verdict) -> String {
    let mut out = String::new();
    let c = &v.counts;
    let _ =
        writeln!(out, "# Policy `{}`: {}\n", cell(&v.policy), if v.passed { "passed" } else { "**failed**" });
    let _ = writeln!(
        out,
        "Subject: {} · {} components judged · {} errors · {} warnings · {} notes · {} waived\n",
        cell(&v.subject.name),
        v.judged,
        c.error,
        c.warning,
        c.note,
        c.waived
    );
    let open: Vec<_> = v.findings.iter().filter(|f| f.waived.is_none()).collect();
    if open.is_empty() {
        out.push_str("No open findings.\n");
    } else {
        out.push_str("| Severity | Rule | Code | Component | Finding | Declared at | Path | Fix |\n");
        out.push_str("|---|---|---|---|---|---|---|---|\n");
        for f in open {
            let _ = writeln!(
                out,
                "| {} | `{}` | `{}` | {} | {} | {} | {} | {} |",
                severity_name(f.severity),
                cell(&f.rule),
                f.code,
                f.component.as_deref().map(|c| format!("`{}`", cell(&short(c)))).unwrap_or_default(),
                cell(&f.message),
                f.location.as_ref().map(|l| format!("`{}`", cell(&l.to_string()))).unwrap_or_default(),
                cell(&path_text(&f.path)),
                cell(&f.fix)
            );
        }
    }
    let waived: Vec<_> = v.findings.iter().filter(|f| f.waived.is_some()).collect();
    if !waived.is_empty() {
        out.push_str("\n## Waived\n\n| Rule | Component | Finding | Reason | Approved by | Expires |\n|---|---|---|---|---|---|\n");
        for f in waived {
            let Some(w) = &f.waived else { continue };
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | {} |",
                cell(&f.rule),
                f.component.as_deref().map(|c| format!("`{}`", cell(&short(c)))).unwrap_or_default(),
                cell(&f.message),
                cell(&w.reason),
                cell(w.approved_by.as_deref().unwrap_or("")),
                w.expires.as_deref().unwrap_or("")
            );
        }
    }
    out
}
