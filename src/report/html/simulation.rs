//! The policy maker's view of a simulation: pass rates per policy, rules × submissions per policy, and
//! the submissions whose verdict flips between policies.

use std::fmt::Write;

use super::charts::{bar_chart, Bar};
use super::{esc, filter_form, page, share, Filter, ReportMeta};
use crate::policy::simulate::SimulationReport;

pub fn render_simulation(r: &SimulationReport, meta: &ReportMeta) -> String {
    let mut body = String::from("<header><h1>Policy simulation</h1>");
    let _ = write!(
        body,
        "<section class=\"verdict unjudged\" aria-label=\"Summary\"><span class=\"big\">{} policies × {} submissions</span><span>{} submission{} flip between policies</span></section>",
        r.policies.len(),
        r.submissions.len(),
        r.flips.len(),
        if r.flips.len() == 1 { "" } else { "s" }
    );
    let _ = write!(body, "<dl class=\"facts\"><dt>Tool</dt><dd>{}</dd>", esc(&meta.tool));
    if let Some(g) = &meta.generated {
        let _ = write!(body, "<dt>Generated</dt><dd>{}</dd>", esc(g));
    }
    body.push_str("</dl></header><main><section id=\"policies\"><h2>Policies</h2><table class=\"sortable\" id=\"policies-table\"><caption>Pass and fail counts per policy</caption><thead><tr><th scope=\"col\">Policy</th><th scope=\"col\">Files</th><th scope=\"col\" class=\"num\">Submissions</th><th scope=\"col\" class=\"num\">Passed</th><th scope=\"col\" class=\"num\">Failed</th><th scope=\"col\" class=\"num\">Pass rate</th></tr></thead><tbody>");
    for p in &r.policies {
        let _ = write!(
            body,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&p.policy),
            p.files.iter().map(|f| format!("<code>{}</code>", esc(f))).collect::<Vec<_>>().join(", "),
            p.submissions,
            p.passed,
            p.failed,
            share(p.passed, p.submissions)
        );
    }
    body.push_str("</tbody></table><div class=\"charts\">");
    let bars: Vec<Bar> =
        r.policies.iter().map(|p| Bar { label: p.policy.clone(), count: p.passed }).collect();
    body.push_str(&bar_chart(
        "chart-pass",
        "Submissions passing, per policy",
        &bars,
        r.submissions.len(),
        "submissions",
    ));
    body.push_str("</div></section>");
    // Flips.
    if r.policies.len() > 1 {
        let _ = write!(body, "<section id=\"flips\"><h2>Submissions that flip ({})</h2>", r.flips.len());
        if r.flips.is_empty() {
            body.push_str(
                "<p class=\"empty\">Every submission gets the same verdict under every policy.</p>",
            );
        } else {
            body.push_str("<table class=\"sortable\" id=\"flips-table\"><caption>Verdict per policy</caption><thead><tr><th scope=\"col\">Submission</th>");
            for p in &r.policies {
                let _ = write!(body, "<th scope=\"col\">{}</th>", esc(&p.policy));
            }
            body.push_str("</tr></thead><tbody>");
            for f in &r.flips {
                let _ = write!(body, "<tr><th scope=\"row\">{}</th>", esc(&f.submission));
                for ok in &f.passed {
                    body.push_str(if *ok {
                        "<td><span class=\"pass\">✓ pass</span></td>"
                    } else {
                        "<td><span class=\"fail\">✗ fail</span></td>"
                    });
                }
                body.push_str("</tr>");
            }
            body.push_str("</tbody></table>");
        }
        body.push_str("</section>");
    }
    // Rules × submissions, one matrix per policy.
    for (pi, p) in r.policies.iter().enumerate() {
        let id = format!("matrix-{pi}");
        let _ = write!(
            body,
            "<section id=\"policy-{pi}\"><h2>Rules × submissions under <code>{}</code></h2>",
            esc(&p.policy)
        );
        if p.rules.is_empty() {
            body.push_str("<p class=\"empty\">No rule fired.</p></section>");
            continue;
        }
        body.push_str(&filter_form(
            &id,
            &[Filter { name: &format!("q{pi}"), label: "Search submissions", key: "text", options: vec![] }],
        ));
        let _ = write!(body, "<div class=\"scroll\"><table class=\"sortable\" id=\"{id}\"><caption>Open findings per rule (✗: the rule raised an error there)</caption><thead><tr><th scope=\"col\">Submission</th><th scope=\"col\">Verdict</th>");
        for rc in &p.rules {
            let _ = write!(body, "<th scope=\"col\" class=\"num\"><code>{}</code></th>", esc(&rc.rule));
        }
        body.push_str("</tr></thead><tbody>");
        for row in &r.submissions {
            let Some(cell) = row.results.get(pi) else { continue };
            let _ = write!(
                body,
                "<tr><th scope=\"row\">{}</th><td data-sort=\"{}\">{}</td>",
                esc(&row.submission),
                u8::from(cell.passed),
                if cell.passed {
                    "<span class=\"pass\">✓ pass</span>"
                } else {
                    "<span class=\"fail\">✗ fail</span>"
                }
            );
            let fired = row.fired.get(pi);
            for rc in &p.rules {
                let (n, err) = fired.and_then(|m| m.get(&rc.rule)).copied().unwrap_or((0, false));
                if n == 0 {
                    body.push_str("<td class=\"num muted\" data-sort=\"0\">·</td>");
                } else {
                    let _ = write!(
                        body,
                        "<td class=\"num\" data-sort=\"{n}\">{}{n}</td>",
                        if err { "✗ " } else { "" }
                    );
                }
            }
            body.push_str("</tr>");
        }
        body.push_str("</tbody></table></div>");
        if !p.top_components.is_empty() {
            body.push_str("<table><caption>Components causing most failures</caption><thead><tr><th scope=\"col\">Component</th><th scope=\"col\" class=\"num\">Failing submissions</th></tr></thead><tbody>");
            for c in &p.top_components {
                let _ = write!(
                    body,
                    "<tr><td><code>{}</code></td><td class=\"num\">{}</td></tr>",
                    esc(&c.component),
                    c.failing_submissions
                );
            }
            body.push_str("</tbody></table>");
        }
        body.push_str("</section>");
    }
    body.push_str("</main>");
    let _ = write!(body, "<footer>Made by {}.</footer>", esc(&meta.tool));
    page("Policy simulation", &body)
}
