//! The model-lineage graph: each model → its base models (as far as the inventory records them) → the
//! organisation and country of the last known ancestor. Laid out in columns by depth, as inline SVG,
//! followed by the same edges as a table.

use std::collections::{BTreeMap, BTreeSet};

use super::esc;
use crate::model::{Component, ComponentKind, Inventory};
use crate::report::short;

fn is_model(c: &Component) -> bool {
    c.kind == ComponentKind::MlModel || c.model.is_some()
}

fn label(c: &Component) -> String {
    short(&c.id)
}

fn publisher(c: &Component) -> String {
    match (&c.origin.organisation, &c.origin.country) {
        (Some(o), _) => format!("{} ({})", o.name, o.country),
        (None, Some(cc)) => format!("unnamed publisher ({cc})"),
        (None, None) => "publisher unknown".to_string(),
    }
}

/// The lineage figure, or a note that the inventory lists no model.
pub(crate) fn lineage(inv: &Inventory) -> String {
    let models: Vec<&Component> = inv.components.iter().filter(|c| is_model(c)).collect();
    let mut out = String::from("<figure id=\"chart-lineage\" class=\"chart\"><figcaption>Model lineage: model → base model → organisation and country</figcaption>");
    if models.is_empty() {
        out.push_str("<p class=\"empty\">No machine-learning model in this inventory.</p></figure>");
        return out;
    }
    let by_id: BTreeMap<&str, &Component> = models.iter().map(|c| (c.id.as_str(), *c)).collect();
    // Edges model → base (only to bases the inventory lists; others are shown by id).
    let mut edges: Vec<(String, String, Option<String>)> = Vec::new();
    let mut nodes: BTreeSet<String> = models.iter().map(|c| c.id.clone()).collect();
    for c in &models {
        for b in c.model.iter().flat_map(|m| &m.base_models) {
            edges.push((c.id.clone(), b.component.clone(), b.relation.clone()));
            nodes.insert(b.component.clone());
        }
    }
    let bases: BTreeSet<&str> = edges.iter().map(|e| e.1.as_str()).collect();
    // Depth: roots (no one's base) 0; a base one deeper than its deepest child. Bounded for cycles.
    let mut depth: BTreeMap<&str, usize> = nodes.iter().map(|n| (n.as_str(), 0)).collect();
    for _ in 0..nodes.len().min(16) {
        let mut changed = false;
        for (from, to, _) in &edges {
            let d = depth[from.as_str()] + 1;
            if d > depth[to.as_str()] && d < 16 {
                depth.insert(to.as_str(), d);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let max_depth = depth.values().copied().max().unwrap_or(0);
    // Publisher nodes, one column right of the deepest models; every model links to its publisher.
    let mut publishers: BTreeSet<String> = BTreeSet::new();
    for n in &nodes {
        if let Some(c) = by_id.get(n.as_str()) {
            publishers.insert(publisher(c));
        }
    }
    let mut columns: Vec<Vec<String>> = vec![Vec::new(); max_depth + 2];
    for n in &nodes {
        columns[depth[n.as_str()]].push(n.clone());
    }
    columns[max_depth + 1] = publishers.iter().cloned().collect();
    let (col_w, row_h, box_w, box_h) = (300.0, 46.0, 220.0, 30.0);
    let rows = columns.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let width = col_w * columns.len() as f64 + 10.0;
    let height = row_h * rows as f64 + 10.0;
    let mut pos: BTreeMap<(bool, String), (f64, f64)> = BTreeMap::new();
    for (ci, col) in columns.iter().enumerate() {
        for (ri, n) in col.iter().enumerate() {
            pos.insert((ci == max_depth + 1, n.clone()), (5.0 + col_w * ci as f64, 5.0 + row_h * ri as f64));
        }
    }
    out.push_str(&format!(
        "<div class=\"scroll\"><svg role=\"img\" aria-labelledby=\"lineage-t\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\"><title id=\"lineage-t\">Model lineage graph</title><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" fill=\"#57606a\"/></marker></defs>"
    ));
    let line = |out: &mut String, a: (f64, f64), b: (f64, f64), dashed: bool, text: &str| {
        let (x1, y1, x2, y2) = (a.0 + box_w, a.1 + box_h / 2.0, b.0, b.1 + box_h / 2.0);
        out.push_str(&format!(
            "<line x1=\"{x1:.0}\" y1=\"{y1:.0}\" x2=\"{x2:.0}\" y2=\"{y2:.0}\" stroke=\"#57606a\" stroke-width=\"1.4\"{} marker-end=\"url(#arrow)\"/>",
            if dashed { " stroke-dasharray=\"4 3\"" } else { "" }
        ));
        if !text.is_empty() {
            out.push_str(&format!(
                "<text class=\"muted\" x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"middle\">{}</text>",
                (x1 + x2) / 2.0,
                (y1 + y2) / 2.0 - 3.0,
                esc(text)
            ));
        }
    };
    for (from, to, rel) in &edges {
        if let (Some(a), Some(b)) = (pos.get(&(false, from.clone())), pos.get(&(false, to.clone()))) {
            line(&mut out, *a, *b, false, rel.as_deref().unwrap_or("base"));
        }
    }
    for n in &nodes {
        let Some(c) = by_id.get(n.as_str()) else { continue };
        // Only the deepest known ancestors (and models without bases) lead to a publisher box directly,
        // but every model's publisher is named: dashed lines for models that also have bases.
        let dashed = bases.contains(n.as_str()) || edges.iter().any(|e| &e.0 == n);
        if let (Some(a), Some(b)) = (pos.get(&(false, n.clone())), pos.get(&(true, publisher(c)))) {
            line(&mut out, *a, *b, dashed && edges.iter().any(|e| &e.0 == n), "");
        }
    }
    for ((is_pub, n), (x, y)) in &pos {
        let text = if *is_pub { n.clone() } else { short(n) };
        let shown: String = if text.chars().count() > 32 {
            text.chars().take(31).collect::<String>() + "…"
        } else {
            text.clone()
        };
        let known = by_id.contains_key(n.as_str());
        out.push_str(&format!(
            "<g class=\"node\"><title>{}</title><rect x=\"{x:.0}\" y=\"{y:.0}\" width=\"{box_w}\" height=\"{box_h}\" rx=\"5\" fill=\"{}\" stroke=\"{}\"{}/><text x=\"{:.0}\" y=\"{:.0}\">{}</text></g>",
            esc(&text),
            if *is_pub { "#fff5db" } else { "#eef4fb" },
            if *is_pub { "#8a5a00" } else { "#3b6fb6" },
            if *is_pub || known { "" } else { " stroke-dasharray=\"3 3\"" },
            x + 6.0,
            y + 19.0,
            esc(&shown)
        ));
    }
    out.push_str("</svg></div>");
    // The same as a table.
    out.push_str("<table class=\"sortable\" id=\"lineage-table\"><caption>Models, their base models and publishers</caption><thead><tr><th scope=\"col\">Model</th><th scope=\"col\">Base model</th><th scope=\"col\">Relation</th><th scope=\"col\">Publisher (organisation, country)</th><th scope=\"col\">Evidence</th></tr></thead><tbody>");
    for c in &models {
        let mut bases: Vec<(String, String)> = c
            .model
            .iter()
            .flat_map(|m| &m.base_models)
            .map(|b| (short(&b.component), b.relation.clone().unwrap_or_default()))
            .collect();
        if bases.is_empty() {
            bases.push(("—".into(), String::new()));
        }
        let evidence: Vec<String> = c
            .origin
            .evidence
            .iter()
            .map(|e| {
                format!("{} `{}` ({})", crate::report::html::report::evidence_kind(e.kind), e.value, e.source)
            })
            .chain(c.occurrences.iter().map(|o| format!("seen at {}", o.location)))
            .collect();
        for (b, rel) in bases {
            out.push_str(&format!(
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td><ul class=\"ev\">{}</ul></td></tr>",
                esc(&label(c)),
                esc(&b),
                esc(&rel),
                esc(&publisher(c)),
                evidence.iter().map(|e| format!("<li>{}</li>", esc(e))).collect::<String>()
            ));
        }
    }
    out.push_str("</tbody></table></figure>");
    out
}
