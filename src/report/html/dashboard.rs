//! The audit dashboard: submissions side by side (verdict, errors, warnings, countries, models and
//! their countries, licence categories), each linking its own report.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::charts::{bar_chart, bars_from};
use super::{esc, filter_form, page, token, url_text, verdict_mark, Filter, ReportMeta};

/// One model of a submission, for the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelRow {
    pub name: String,
    /// `None`: unknown.
    pub country: Option<String>,
    /// An open finding names it.
    pub flagged: bool,
}

/// One submission's line on the dashboard.
#[derive(Debug, Clone, Default)]
pub struct DashboardRow {
    pub name: String,
    pub url: String,
    pub commit: Option<String>,
    /// `passed`, `failed` or `error`.
    pub verdict: String,
    pub errors: usize,
    pub warnings: usize,
    pub components: usize,
    /// Components by origin country (`unknown` included).
    pub countries: BTreeMap<String, usize>,
    pub models: Vec<ModelRow>,
    /// Components by licence category.
    pub licenses: BTreeMap<String, usize>,
    /// Why it could not be scanned.
    pub error: Option<String>,
    /// The report, relative to the dashboard (`NAME/report.html`).
    pub report: Option<String>,
}

fn counts(m: &BTreeMap<String, usize>) -> String {
    if m.is_empty() {
        return "<span class=\"muted\">none</span>".into();
    }
    let mut v: Vec<(&String, &usize)> = m.iter().collect();
    v.sort_by(|a, b| (a.0 == "unknown").cmp(&(b.0 == "unknown")).then(b.1.cmp(a.1)).then(a.0.cmp(b.0)));
    v.iter().map(|(k, n)| format!("{} {}", esc(k), n)).collect::<Vec<_>>().join("<br>")
}

pub fn render_dashboard(title: &str, rows: &[DashboardRow], meta: &ReportMeta) -> String {
    let mut body = format!("<header><h1>{}</h1>", esc(title));
    let passed = rows.iter().filter(|r| r.verdict == "passed").count();
    let failed = rows.iter().filter(|r| r.verdict == "failed").count();
    let errored = rows.len() - passed - failed;
    let cls = if errored > 0 {
        "error"
    } else if failed > 0 {
        "failed"
    } else {
        "passed"
    };
    let _ = write!(
        body,
        "<section class=\"verdict {cls}\" aria-label=\"Summary\"><span class=\"big\">{} submissions</span><span>✓ {passed} passed · ✗ {failed} failed · ⚠ {errored} could not be scanned</span></section>",
        rows.len()
    );
    body.push_str("<dl class=\"facts\">");
    let _ = write!(body, "<dt>Tool</dt><dd>{}</dd>", esc(&meta.tool));
    if let Some(p) = &meta.policy_name {
        let _ = write!(body, "<dt>Policy</dt><dd>{}</dd>", esc(p));
    }
    if let Some(d) = &meta.policy_digest {
        let _ = write!(body, "<dt>Policy digest</dt><dd><code>{}</code></dd>", esc(d));
    }
    if let Some(g) = &meta.generated {
        let _ = write!(body, "<dt>Generated</dt><dd>{}</dd>", esc(g));
    }
    body.push_str("</dl></header><main><section id=\"submissions\"><h2>Submissions</h2>");
    body.push_str(&filter_form(
        "submissions-table",
        &[
            Filter { name: "sq", label: "Search", key: "text", options: vec![] },
            Filter {
                name: "sverdict",
                label: "Verdict",
                key: "verdict",
                options: vec!["passed".into(), "failed".into(), "error".into()],
            },
        ],
    ));
    body.push_str("<div class=\"scroll\"><table id=\"submissions-table\" class=\"sortable\"><caption>Every submission, side by side</caption><thead><tr><th scope=\"col\">Submission</th><th scope=\"col\">Verdict</th><th scope=\"col\" class=\"num\">Errors</th><th scope=\"col\" class=\"num\">Warnings</th><th scope=\"col\" class=\"num\">Components</th><th scope=\"col\">Countries (components)</th><th scope=\"col\">Models (country)</th><th scope=\"col\">Licence categories</th><th scope=\"col\">Commit</th></tr></thead><tbody>");
    for r in rows {
        let _ = write!(body, "<tr data-verdict=\"{}\"><th scope=\"row\">", esc(&token(&r.verdict)));
        match &r.report {
            // Our own relative path only: a link never leaves the audit directory.
            Some(rep) if !rep.contains(':') && !rep.starts_with('/') => {
                let _ = write!(body, "<a href=\"{}\">{}</a>", esc(rep), esc(&r.name));
            }
            _ => body.push_str(&esc(&r.name)),
        }
        let _ = write!(body, "<br>{}</th>", url_text(&r.url));
        let rank = match r.verdict.as_str() {
            "failed" => 0,
            "error" => 1,
            _ => 2,
        };
        let _ = write!(body, "<td data-sort=\"{rank}\">{}", verdict_mark(&r.verdict));
        if let Some(e) = &r.error {
            let _ = write!(body, "<br><span class=\"muted\">{}</span>", esc(e));
        }
        body.push_str("</td>");
        let _ = write!(
            body,
            "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td>",
            r.errors,
            r.warnings,
            r.components,
            counts(&r.countries)
        );
        body.push_str("<td>");
        if r.models.is_empty() {
            body.push_str("<span class=\"muted\">none</span>");
        }
        for (i, m) in r.models.iter().enumerate() {
            if i > 0 {
                body.push_str("<br>");
            }
            let _ = write!(
                body,
                "{}<code>{}</code> ({})",
                if m.flagged { "⚠ " } else { "" },
                esc(&m.name),
                esc(m.country.as_deref().unwrap_or("unknown"))
            );
        }
        body.push_str("</td>");
        let _ = write!(
            body,
            "<td>{}</td><td>{}</td></tr>",
            counts(&r.licenses),
            r.commit
                .as_deref()
                .map(|c| format!("<code>{}</code>", esc(&c[..c.len().min(12)])))
                .unwrap_or_default()
        );
    }
    body.push_str("</tbody></table></div><p class=\"muted\">⚠ before a model: an open finding of the policy names it.</p></section>");
    // Charts over all submissions.
    body.push_str("<section id=\"charts\"><h2>Across submissions</h2><div class=\"charts\">");
    let verdicts: BTreeMap<String, usize> = [("passed", passed), ("failed", failed), ("error", errored)]
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| (k.to_string(), *n))
        .collect();
    body.push_str(&bar_chart(
        "chart-verdicts",
        "Verdicts",
        &bars_from(verdicts, ""),
        rows.len(),
        "submissions",
    ));
    let mut model_countries: BTreeMap<String, usize> = BTreeMap::new();
    let mut with_country: BTreeMap<String, usize> = BTreeMap::new();
    for r in rows {
        let mut seen: Vec<&String> = r.countries.keys().collect();
        seen.dedup();
        for c in seen {
            *with_country.entry(c.clone()).or_default() += 1;
        }
        for m in &r.models {
            *model_countries.entry(m.country.clone().unwrap_or_else(|| "unknown".into())).or_default() += 1;
        }
    }
    body.push_str(&bar_chart(
        "chart-submission-countries",
        "Submissions using components from each country",
        &bars_from(with_country, "unknown"),
        rows.len(),
        "submissions",
    ));
    let models_total = model_countries.values().sum();
    body.push_str(&bar_chart(
        "chart-model-countries",
        "Models by origin country",
        &bars_from(model_countries, "unknown"),
        models_total,
        "models",
    ));
    body.push_str("</div></section></main>");
    let _ = write!(body, "<footer>Made by {}.</footer>", esc(&meta.tool));
    page(title, &body)
}
