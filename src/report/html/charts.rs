//! Inline-SVG charts: labelled horizontal bars (the count and share are written beside each bar, so the
//! chart reads without colour), each followed by the same figures as a table for screen readers.

use super::{esc, share};

/// One bar: label, count.
pub(crate) struct Bar {
    pub label: String,
    pub count: usize,
}

/// Verdict words keep their colours (with their words beside them); other bars take the palette.
fn fill(label: &str, i: usize) -> &'static str {
    match label {
        "passed" => "#1a7f37",
        "failed" => "#b42318",
        "error" => "#b45309",
        _ => FILLS[i % FILLS.len()],
    }
}

const FILLS: [&str; 8] =
    ["#3b6fb6", "#c2410c", "#15803d", "#7e22ce", "#b45309", "#0e7490", "#be185d", "#4d7c0f"];

/// A horizontal bar chart. `total` is the denominator of the shares. `id` names the figure.
pub(crate) fn bar_chart(id: &str, title: &str, bars: &[Bar], total: usize, unit: &str) -> String {
    let mut out =
        format!("<figure id=\"{}\" class=\"chart\"><figcaption>{}</figcaption>", esc(id), esc(title));
    if bars.is_empty() {
        out.push_str("<p class=\"empty\">Nothing to show.</p></figure>");
        return out;
    }
    let shown: Vec<&Bar> = bars.iter().take(24).collect();
    let max = shown.iter().map(|b| b.count).max().unwrap_or(1).max(1);
    let (label_w, bar_w, row_h) = (130.0, 150.0, 22.0);
    let width = label_w + bar_w + 95.0;
    let height = row_h * shown.len() as f64 + 8.0;
    out.push_str(&format!(
        "<svg role=\"img\" aria-labelledby=\"{id}-t\" viewBox=\"0 0 {width} {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\"><title id=\"{id}-t\">{}</title>",
        esc(title),
        id = esc(id)
    ));
    for (i, b) in shown.iter().enumerate() {
        let y = 4.0 + row_h * i as f64;
        let w = (b.count as f64 / max as f64 * bar_w).max(1.0);
        let label: String = if b.label.chars().count() > 19 {
            b.label.chars().take(18).collect::<String>() + "…"
        } else {
            b.label.clone()
        };
        out.push_str(&format!(
            "<g class=\"bar\"><title>{label_full}: {n} {unit} ({sh})</title><text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{label}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{w:.1}\" height=\"{h}\" fill=\"{fill}\"/><text x=\"{vx:.1}\" y=\"{ty}\">{n} · {sh}</text></g>",
            label_full = esc(&b.label),
            label = esc(&label),
            n = b.count,
            unit = esc(unit),
            sh = share(b.count, total),
            lx = label_w - 6.0,
            ty = y + 14.0,
            h = row_h - 6.0,
            fill = fill(&b.label, i),
            vx = label_w + w + 6.0,
        ));
    }
    out.push_str("</svg>");
    if bars.len() > shown.len() {
        out.push_str(&format!("<p class=\"muted\">{} more in the table.</p>", bars.len() - shown.len()));
    }
    out.push_str(&format!(
        "<details><summary>As a table</summary><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">Count</th><th scope=\"col\" class=\"num\">Share</th></tr></thead><tbody>",
        esc(title)
    ));
    for b in bars {
        out.push_str(&format!(
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&b.label),
            b.count,
            share(b.count, total)
        ));
    }
    out.push_str("</tbody></table></details></figure>");
    out
}

/// Counts to bars, most first, ties by label; `last` (e.g. "unknown") sorted to the end.
pub(crate) fn bars_from<I: IntoIterator<Item = (String, usize)>>(counts: I, last: &str) -> Vec<Bar> {
    let mut v: Vec<Bar> = counts.into_iter().map(|(label, count)| Bar { label, count }).collect();
    v.sort_by(|a, b| {
        (a.label == last).cmp(&(b.label == last)).then(b.count.cmp(&a.count)).then(a.label.cmp(&b.label))
    });
    v
}
