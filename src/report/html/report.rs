//! The report of one submission: verdict first, then the findings, the charts, the components, and the
//! facts of the scan (commit, URL, tool version, policy name and digest).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

use super::charts::{bar_chart, bars_from};
use super::lineage::lineage;
use super::{esc, filter_form, page, token, url_text, Filter};
use crate::model::{Component, ComponentKind, EvidenceKind, Inventory, Origin, Scope, Severity};
use crate::policy::license::{category_name, category_of};
use crate::policy::Verdict;
use crate::report::{path_text, severity_name, short};

/// What the report says about how it was made.
#[derive(Debug, Clone, Default)]
pub struct ReportMeta {
    /// `sovereign 0.1.0`.
    pub tool: String,
    /// The policy's name, its files (itself first, then what it extends) and their digest.
    pub policy_name: Option<String>,
    pub policy_files: Vec<String>,
    pub policy_digest: Option<String>,
    /// RFC 3339, from `SOURCE_DATE_EPOCH` when set.
    pub generated: Option<String>,
}

impl ReportMeta {
    /// The tool's own version; generation time from `SOURCE_DATE_EPOCH` or the clock.
    pub fn new() -> Self {
        ReportMeta {
            tool: format!("sovereign {}", env!("CARGO_PKG_VERSION")),
            generated: Some(crate::util::time::rfc3339(crate::util::time::document_epoch())),
            ..ReportMeta::default()
        }
    }
}

/// The evidence kind's name as the SBOM writes it (`known-organisation`).
pub(crate) fn evidence_kind(k: EvidenceKind) -> String {
    serde_json::to_value(k).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// The origin cells of a component: the strongest country (or "unknown") with its confidence and basis,
/// then each origin facet (maintainer, code, weights, architecture) with its countries and confidences,
/// then the identified organisation.
pub fn facet_cells(origin: &Origin) -> String {
    let mut out = String::new();
    match &origin.country {
        Some(cc) => {
            let _ = write!(
                out,
                "<span class=\"facet\"><abbr title=\"origin country\">{}</abbr> <span class=\"muted\">({:.0} %{})</span></span>",
                esc(cc),
                origin.confidence * 100.0,
                origin.basis.as_deref().map(|b| format!(", {}", esc(b))).unwrap_or_default()
            );
        }
        None => out.push_str("<span class=\"facet muted\">unknown</span>"),
    }
    // Every facet with its countries and confidences (maintainer, code, weights, architecture).
    for (facet, f) in &origin.facets {
        if f.countries.is_empty() {
            continue;
        }
        let list: Vec<String> = f
            .countries
            .iter()
            .map(|c| format!("{} {:.0} %", esc(&c.country), c.confidence * 100.0))
            .collect();
        let _ =
            write!(out, "<br><span class=\"facet-line\">{}: {}</span>", esc(facet.as_str()), list.join(", "));
    }
    if let Some(o) = &origin.organisation {
        let _ = write!(out, "<br><span class=\"muted\">{} ({})", esc(&o.name), esc(&o.country));
        if let (Some(p), Some(pc)) = (&o.parent, &o.parent_country) {
            let _ = write!(out, "; parent {} ({})", esc(p), esc(pc));
        }
        out.push_str("</span>");
    }
    out
}

/// The countries a component's origin names (for the filters): every country of every facet.
fn countries(origin: &Origin) -> Vec<String> {
    origin.all_countries().into_iter().map(str::to_string).collect()
}

/// The licence category of a component: of its concluded (else declared) expression; `mixed` when
/// its licences fall in several categories, `uncategorised` for unknown ids, `no licence` when none.
pub fn license_category(c: &Component) -> String {
    let value = c.license.concluded.as_ref().or(c.license.declared.as_ref()).or(c.license.detected.first());
    let Some(v) = value else { return "no licence".into() };
    let mut cats = BTreeSet::new();
    for id in v.expression.split(|ch: char| ch.is_whitespace() || ch == '(' || ch == ')') {
        if id.is_empty() || matches!(id, "AND" | "OR" | "WITH") || id.ends_with("-exception") {
            continue;
        }
        match category_of(id.trim_end_matches('+')) {
            Some(cat) => cats.insert(category_name(cat).to_string()),
            None => cats.insert("uncategorised".to_string()),
        };
    }
    match cats.len() {
        0 => "no licence".into(),
        1 => cats.into_iter().next().unwrap_or_default(),
        _ => "mixed".into(),
    }
}

fn license_text(c: &Component) -> String {
    c.license
        .concluded
        .as_ref()
        .or(c.license.declared.as_ref())
        .or(c.license.detected.first())
        .map(|v| v.expression.clone())
        .unwrap_or_default()
}

fn sev_cell(s: Severity) -> String {
    let (sym, name) = match s {
        Severity::Error => ("✗", "error"),
        Severity::Warning => ("⚠", "warning"),
        Severity::Note => ("ℹ", "note"),
    };
    let rank = match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Note => 2,
    };
    format!("<td data-sort=\"{rank}\"><span class=\"sev sev-{name}\">{sym} {name}</span></td>")
}

fn verdict_banner(inv: &Inventory, verdict: Option<&Verdict>) -> String {
    match verdict {
        Some(v) => {
            let c = &v.counts;
            format!(
                "<section class=\"verdict {cls}\" aria-label=\"Verdict\"><span class=\"big\">{mark}</span><span>Policy <strong>{policy}</strong>: {e} error{es}, {w} warning{ws}, {n} note{ns}, {wv} waived · {j} of {t} components judged</span></section>",
                cls = if v.passed { "passed" } else { "failed" },
                mark = if v.passed { "✓ PASSED" } else { "✗ FAILED" },
                policy = esc(&v.policy),
                e = c.error,
                es = if c.error == 1 { "" } else { "s" },
                w = c.warning,
                ws = if c.warning == 1 { "" } else { "s" },
                n = c.note,
                ns = if c.note == 1 { "" } else { "s" },
                wv = c.waived,
                j = v.judged,
                t = inv.components.len()
            )
        }
        None => format!(
            "<section class=\"verdict unjudged\" aria-label=\"Verdict\"><span class=\"big\">○ NOT JUDGED</span><span>No policy was given: {} components listed, no verdict.</span></section>",
            inv.components.len()
        ),
    }
}

fn facts(inv: &Inventory, meta: &ReportMeta) -> String {
    let s = &inv.subject;
    let mut out = String::from("<dl class=\"facts\">");
    let mut row = |k: &str, v: String| {
        let _ = write!(out, "<dt>{}</dt><dd>{v}</dd>", esc(k));
    };
    row("Subject", esc(&s.name));
    row(
        "URL",
        s.url.as_deref().map(url_text).unwrap_or_else(|| "<span class=\"muted\">none (local)</span>".into()),
    );
    row(
        "Commit",
        s.commit
            .as_deref()
            .map(|c| format!("<code>{}</code>", esc(c)))
            .unwrap_or_else(|| "<span class=\"muted\">unknown</span>".into()),
    );
    if let Some(r) = &s.reference {
        row("Reference", format!("<code>{}</code>", esc(r)));
    }
    row("Tool", esc(&meta.tool));
    match &meta.policy_name {
        Some(p) => {
            row("Policy", esc(p));
            if !meta.policy_files.is_empty() {
                row(
                    "Policy files",
                    meta.policy_files
                        .iter()
                        .map(|f| format!("<code>{}</code>", esc(f)))
                        .collect::<Vec<_>>()
                        .join(", "),
                );
            }
            row(
                "Policy digest",
                meta.policy_digest
                    .as_deref()
                    .map(|d| format!("<code>{}</code>", esc(d)))
                    .unwrap_or_else(|| "<span class=\"muted\">unknown</span>".into()),
            );
        }
        None => row("Policy", "<span class=\"muted\">none</span>".into()),
    }
    if let Some(g) = &meta.generated {
        row("Generated", esc(g));
    }
    out.push_str("</dl>");
    out
}

/// How many findings the report lays out at once; the others follow in a closed `<details>`.
const FIRST_FINDINGS: usize = 300;

fn findings(inv: &Inventory, v: &Verdict, by_id: &HashMap<&str, &Component>) -> String {
    let mut out = String::from("<section id=\"findings\"><h2>Findings</h2>");
    if v.findings.is_empty() {
        out.push_str("<p class=\"empty\">The policy found nothing to report.</p></section>");
        return out;
    }
    let rules: BTreeSet<String> = v.findings.iter().map(|f| token(&f.rule)).collect();
    let countries_all: BTreeSet<String> = v
        .findings
        .iter()
        .filter_map(|f| f.component.as_deref().and_then(|id| by_id.get(id)))
        .flat_map(|c| countries(&c.origin))
        .map(|c| token(&c))
        .collect();
    out.push_str(&filter_form(
        "findings-table",
        &[
            Filter { name: "fq", label: "Search findings", key: "text", options: vec![] },
            Filter {
                name: "fsev",
                label: "Severity",
                key: "severity",
                options: vec!["error".into(), "warning".into(), "note".into()],
            },
            Filter { name: "frule", label: "Rule", key: "rule", options: rules.into_iter().collect() },
            Filter {
                name: "fcountry",
                label: "Country",
                key: "country",
                options: countries_all.into_iter().chain(["unknown".to_string()]).collect(),
            },
            Filter {
                name: "fwaived",
                label: "Waiver",
                key: "waiver",
                options: vec!["open".into(), "waived".into()],
            },
        ],
    ));
    const FINDINGS_HEAD: &str = "<thead><tr><th scope=\"col\">Severity</th><th scope=\"col\">Rule</th><th scope=\"col\">Component</th><th scope=\"col\">Origin</th><th scope=\"col\">Finding and evidence</th><th scope=\"col\">Declared at and dependency path</th><th scope=\"col\">How to fix</th><th scope=\"col\">Waiver</th></tr></thead>";
    let _ = write!(
        out,
        "<div class=\"scroll\"><table id=\"findings-table\" class=\"sortable findings-table\"><caption>Every finding of the policy, open ones first</caption>{FINDINGS_HEAD}<tbody>"
    );
    let mut order: Vec<&crate::policy::Finding> = v.findings.iter().collect();
    order.sort_by_key(|f| (f.waived.is_some(), std::cmp::Reverse(f.severity)));
    let total = order.len();
    for (i, f) in order.into_iter().enumerate() {
        // Past the first rows the rest sit in a closed <details> (readable without JavaScript by opening
        // it): a browser lays out only what is shown, so a report of thousands of findings opens fast.
        if i == FIRST_FINDINGS && total > FIRST_FINDINGS {
            let _ = write!(
                out,
                "</tbody></table></div><details class=\"more-rows\"><summary>Show the other {} findings</summary><div class=\"scroll\"><table id=\"findings-table-more\" class=\"findings-table\" data-part-of=\"findings-table\"><caption>Findings {} to {total}</caption>{FINDINGS_HEAD}<tbody>",
                total - FIRST_FINDINGS,
                FIRST_FINDINGS + 1
            );
        }
        let comp = f.component.as_deref().and_then(|id| by_id.get(id)).copied();
        let cs = comp.map(|c| countries(&c.origin)).unwrap_or_default();
        let country_attr = if cs.is_empty() {
            "unknown".to_string()
        } else {
            cs.iter().map(|c| token(c)).collect::<Vec<_>>().join(" ")
        };
        let _ = write!(
            out,
            "<tr data-severity=\"{}\" data-rule=\"{}\" data-country=\"{}\" data-waiver=\"{}\">",
            severity_name(f.severity),
            esc(&token(&f.rule)),
            esc(&country_attr),
            if f.waived.is_some() { "waived" } else { "open" }
        );
        out.push_str(&sev_cell(f.severity));
        let _ = write!(
            out,
            "<td><code>{}</code><br><span class=\"muted\">{}</span></td>",
            esc(&f.rule),
            esc(&f.code)
        );
        let _ = write!(
            out,
            "<td>{}</td>",
            f.name
                .as_deref()
                .map(|n| format!("<code>{}</code>", esc(n)))
                .or_else(|| f.component.as_deref().map(|c| format!("<code>{}</code>", esc(&short(c)))))
                .unwrap_or_else(|| "<span class=\"muted\">the submission</span>".into())
        );
        let _ = write!(out, "<td>{}</td>", comp.map(|c| facet_cells(&c.origin)).unwrap_or_default());
        let _ = write!(out, "<td>{}", esc(&f.message));
        if !f.evidence.is_empty() || f.why.is_some() {
            out.push_str("<ul class=\"ev\">");
            for e in &f.evidence {
                let _ = write!(out, "<li>{}</li>", esc(e));
            }
            if let Some(w) = &f.why {
                let _ = write!(out, "<li>why: {}</li>", esc(w));
            }
            out.push_str("</ul>");
        }
        out.push_str("</td>");
        let _ = write!(
            out,
            "<td>{}{}</td><td>{}</td>",
            f.location
                .as_ref()
                .map(|l| format!("<code>{}</code><br>", esc(&l.to_string())))
                .unwrap_or_default(),
            if f.path.is_empty() {
                String::new()
            } else {
                format!("<span class=\"muted\">path:</span> {}", esc(&path_text(&f.path)))
            },
            esc(&f.fix)
        );
        match &f.waived {
            Some(w) => {
                let _ = write!(
                    out,
                    "<td>✔ waived: {}{}{}</td>",
                    esc(&w.reason),
                    w.approved_by.as_deref().map(|a| format!("; approved by {}", esc(a))).unwrap_or_default(),
                    w.expires.as_deref().map(|e| format!("; expires {}", esc(e))).unwrap_or_default()
                );
            }
            None => out.push_str("<td>open</td>"),
        }
        out.push_str("</tr>");
    }
    let _ = inv;
    out.push_str("</tbody></table></div>");
    if total > FIRST_FINDINGS {
        out.push_str("</details>");
    }
    out.push_str("</section>");
    out
}

fn charts(inv: &Inventory) -> String {
    let mut out = String::from("<section id=\"charts\"><h2>Charts</h2><div class=\"charts\">");
    let total = inv.components.len();
    let runtime: Vec<&Component> = inv.components.iter().filter(|c| c.scope == Scope::Runtime).collect();
    let mut all: BTreeMap<String, usize> = BTreeMap::new();
    let mut rt: BTreeMap<String, usize> = BTreeMap::new();
    for c in &inv.components {
        let cc = c.origin.country.clone().unwrap_or_else(|| "unknown".into());
        *all.entry(cc.clone()).or_default() += 1;
        if c.scope == Scope::Runtime {
            *rt.entry(cc).or_default() += 1;
        }
    }
    out.push_str(&bar_chart(
        "chart-countries-runtime",
        &format!("Components by origin country, runtime scope ({} components)", runtime.len()),
        &bars_from(rt, "unknown"),
        runtime.len(),
        "components",
    ));
    out.push_str(&bar_chart(
        "chart-countries-all",
        &format!("Components by origin country, all scopes ({total} components)"),
        &bars_from(all, "unknown"),
        total,
        "components",
    ));
    let mut cats: BTreeMap<String, usize> = BTreeMap::new();
    for c in &inv.components {
        *cats.entry(license_category(c)).or_default() += 1;
    }
    out.push_str(&bar_chart(
        "chart-licenses",
        "Licence categories",
        &bars_from(cats, "no licence"),
        total,
        "components",
    ));
    let vendored: Vec<&Component> =
        inv.components.iter().filter(|c| c.kind == ComponentKind::VendoredSource).collect();
    let mut holders: BTreeMap<String, usize> = BTreeMap::new();
    for c in &vendored {
        *holders.entry(holder(c)).or_default() += 1;
    }
    out.push_str(&bar_chart(
        "chart-vendored",
        &format!("Vendored code by copyright holder ({} vendored components)", vendored.len()),
        &bars_from(holders, "holder unknown"),
        vendored.len(),
        "vendored components",
    ));
    out.push_str("</div>");
    out.push_str(&lineage(inv));
    out.push_str("</section>");
    out
}

/// Who holds the vendored code: the organisation identified, else the copyright holder evidence, else
/// the first notice.
fn holder(c: &Component) -> String {
    if let Some(o) = &c.origin.organisation {
        return format!("{} ({})", o.name, o.country);
    }
    if let Some(e) = c.origin.evidence.iter().find(|e| e.kind == EvidenceKind::CopyrightHolder) {
        return match &e.country {
            Some(cc) => format!("{} ({cc})", e.value),
            None => e.value.clone(),
        };
    }
    c.copyrights.first().cloned().unwrap_or_else(|| "holder unknown".into())
}

fn components(inv: &Inventory) -> String {
    let mut out = format!("<section id=\"components\"><h2>Components ({})</h2>", inv.components.len());
    let kinds: BTreeSet<&str> = inv.components.iter().map(|c| c.kind.as_str()).collect();
    let scopes: BTreeSet<&str> = inv.components.iter().map(|c| c.scope.as_str()).collect();
    out.push_str(&filter_form(
        "components-table",
        &[
            Filter { name: "cq", label: "Search components", key: "text", options: vec![] },
            Filter {
                name: "ckind",
                label: "Kind",
                key: "kind",
                options: kinds.iter().map(|s| s.to_string()).collect(),
            },
            Filter {
                name: "cscope",
                label: "Scope",
                key: "scope",
                options: scopes.iter().map(|s| s.to_string()).collect(),
            },
        ],
    ));
    out.push_str("<div class=\"scroll\"><table id=\"components-table\" class=\"sortable\"><caption>Every component of the inventory</caption><thead><tr><th scope=\"col\">Component</th><th scope=\"col\">Version</th><th scope=\"col\">Ecosystem</th><th scope=\"col\">Kind</th><th scope=\"col\">Scope</th><th scope=\"col\">Direct</th><th scope=\"col\">Licence</th><th scope=\"col\">Category</th><th scope=\"col\">Origin</th><th scope=\"col\">Found at</th></tr></thead><tbody>");
    for c in &inv.components {
        let name = match &c.namespace {
            Some(ns) => format!("{ns}/{}", c.name),
            None => c.name.clone(),
        };
        let _ = write!(
            out,
            "<tr data-kind=\"{}\" data-scope=\"{}\"><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            c.kind.as_str(),
            c.scope.as_str(),
            esc(&name),
            esc(c.version.as_deref().or(c.requirement.as_deref()).unwrap_or("")),
            c.ecosystem.as_str(),
            c.kind.as_str(),
            c.scope.as_str(),
            if c.direct { "yes" } else { "no" },
            esc(&license_text(c)),
            esc(&license_category(c)),
            facet_cells(&c.origin),
            c.found_in.first().or(c.occurrences.first().map(|o| &o.location)).map(|l| format!("<code>{}</code>", esc(&l.to_string()))).unwrap_or_default()
        );
    }
    out.push_str("</tbody></table></div></section>");
    out
}

fn diagnostics(inv: &Inventory) -> String {
    let shown: Vec<_> = inv.diagnostics.iter().filter(|d| d.severity >= Severity::Warning).collect();
    if shown.is_empty() {
        return String::new();
    }
    let mut out = format!("<section id=\"diagnostics\"><h2>Scan warnings ({})</h2><ul>", shown.len());
    for d in shown.iter().take(500) {
        let _ = write!(out, "<li>{}</li>", esc(&d.to_string()));
    }
    out.push_str("</ul></section>");
    out
}

/// The whole report page.
pub fn render_report(inv: &Inventory, verdict: Option<&Verdict>, meta: &ReportMeta) -> String {
    let by_id: HashMap<&str, &Component> = inv.components.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut body = String::with_capacity(1024 + inv.components.len() * 600);
    let _ = write!(body, "<header><h1>Sovereignty report: {}</h1>", esc(&inv.subject.name));
    body.push_str(&verdict_banner(inv, verdict));
    body.push_str("<nav class=\"toc\" aria-label=\"Contents\"><ul><li><a href=\"#findings\">Findings</a></li><li><a href=\"#charts\">Charts</a></li><li><a href=\"#components\">Components</a></li><li><a href=\"#scan\">Scan</a></li></ul></nav></header><main>");
    match verdict {
        Some(v) => body.push_str(&findings(inv, v, &by_id)),
        None => body.push_str("<section id=\"findings\"><h2>Findings</h2><p class=\"empty\">No policy given: nothing was judged.</p></section>"),
    }
    body.push_str(&charts(inv));
    body.push_str(&components(inv));
    body.push_str(&diagnostics(inv));
    body.push_str("<section id=\"scan\"><h2>Scan</h2>");
    body.push_str(&facts(inv, meta));
    body.push_str("</section></main><footer>Made by ");
    body.push_str(&esc(&meta.tool));
    body.push_str(
        ". Origins are evidence-based estimates; “unknown” means the evidence did not decide.</footer>",
    );
    page(&format!("Sovereignty report: {}", inv.subject.name), &body)
}
