//! Reads back what the CycloneDX writer writes for the provenance stage (docs/provenance.md): component
//! `evidence` (occurrences, copyright texts), `modelCard`, `pedigree.ancestors`, and the subject's
//! `sovereign:provenance:*` / `sovereign:history:*` properties, so a stored SBOM round-trips.

use serde_json::{Map, Value};

use crate::model::{
    BaseModel, Component, HistorySummary, Location, ModelFacts, Occurrence, OwnHolder, ProvenanceSummary,
    Tally,
};

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

fn props(v: &Value) -> impl Iterator<Item = (&str, &str)> {
    v.get("properties")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p.get("name")?.as_str()?, p.get("value")?.as_str()?)))
}

/// `path:12` → a location with a line; anything else is a path.
fn location(text: &str) -> Location {
    match text.rsplit_once(':') {
        Some((p, l)) if !p.is_empty() && l.parse::<u32>().is_ok() => Location::new(p, l.parse().ok()),
        _ => Location::new(text, None),
    }
}

/// `value count` → a tally.
fn tally(text: &str) -> Option<Tally> {
    let (value, count) = text.rsplit_once(' ')?;
    Some(Tally { value: value.to_string(), count: count.parse().ok()? })
}

/// Component fields: evidence occurrences and copyright texts, model card, lineage.
pub fn component(obj: &Map<String, Value>, c: &mut Component) {
    if let Some(ev) = obj.get("evidence") {
        for o in ev.get("occurrences").and_then(Value::as_array).into_iter().flatten() {
            let Some(path) = s(o, "location") else { continue };
            let line = o.get("line").and_then(Value::as_u64).and_then(|l| u32::try_from(l).ok());
            let ctx = s(o, "additionalContext").unwrap_or_default();
            if ctx == super::conformance::FOUND_IN_CONTEXT {
                // Written from `sovereign:found-in` (read from the properties).
                continue;
            }
            let (rule, text) = match ctx.split_once(": ") {
                Some((r, t)) => (r.to_string(), Some(t.to_string())),
                None => (ctx, None),
            };
            c.occurrences.push(Occurrence { location: Location::new(path, line), rule, text });
        }
        for t in ev.get("copyright").and_then(Value::as_array).into_iter().flatten() {
            if let Some(text) = s(t, "text") {
                c.copyrights.push(text);
            }
        }
    }
    let Some(card) = obj.get("modelCard") else { return };
    let mut m = ModelFacts::default();
    let params = card.get("modelParameters").cloned().unwrap_or(Value::Null);
    m.task = s(&params, "task");
    m.family = s(&params, "architectureFamily");
    for d in params.get("datasets").and_then(Value::as_array).into_iter().flatten() {
        if let Some(n) = s(d, "name") {
            m.datasets.push(n);
        }
    }
    for (k, v) in props(card) {
        match k {
            "sovereign:model:hub" => m.hub = v.to_string(),
            "sovereign:model:type" => m.model_type = Some(v.to_string()),
            "sovereign:model:library" => m.library = Some(v.to_string()),
            "sovereign:model:parameter-count" => m.parameter_count = v.parse().ok(),
            "sovereign:model:tensor-count" => m.tensor_count = v.parse().ok(),
            "sovereign:model:file-format" => m.file_formats.push(v.to_string()),
            _ => {}
        }
    }
    // The writer puts the first architecture there, or the model type when no architecture is known.
    if let Some(a) = s(&params, "modelArchitecture").filter(|a| Some(a) != m.model_type.as_ref()) {
        m.architectures.push(a);
    }
    for a in
        obj.get("pedigree").and_then(|p| p.get("ancestors")).and_then(Value::as_array).into_iter().flatten()
    {
        let Some(id) = s(a, "purl").or_else(|| s(a, "bom-ref")) else { continue };
        let relation =
            props(a).find(|(k, _)| *k == "sovereign:base-model-relation").map(|(_, v)| v.to_string());
        m.base_models.push(BaseModel { component: id, relation });
    }
    c.model = Some(m);
}

/// The subject's provenance summary.
pub fn summary(subject: &Value) -> ProvenanceSummary {
    let mut p = ProvenanceSummary::default();
    let mut history: Option<HistorySummary> = None;
    for (k, v) in props(subject) {
        match k {
            "sovereign:provenance:own-holder" => {
                let parsed = v.strip_suffix(" file(s))").and_then(|r| {
                    let (head, files) = r.rsplit_once(", ")?;
                    let (holder, first) = head.rsplit_once(" (")?;
                    Some(OwnHolder {
                        holder: holder.to_string(),
                        first: location(first),
                        files: files.parse().ok()?,
                    })
                });
                p.own_holders.extend(parsed);
            }
            "sovereign:provenance:files-scanned" => p.files_scanned = v.parse().unwrap_or(0),
            "sovereign:provenance:bytes-scanned" => p.bytes_scanned = v.parse().unwrap_or(0),
            "sovereign:provenance:license-file" => p.license_files.push(v.to_string()),
            "sovereign:provenance:ml-framework" => p.ml_frameworks.push(v.to_string()),
            "sovereign:history:commits" => {
                history.get_or_insert_with(Default::default).commits = v.parse().unwrap_or(0)
            }
            "sovereign:history:truncated" => {
                history.get_or_insert_with(Default::default).truncated = v == "true"
            }
            "sovereign:history:time-zone" => {
                history.get_or_insert_with(Default::default).time_zones.extend(tally(v))
            }
            "sovereign:history:email-domain" => {
                history.get_or_insert_with(Default::default).email_domains.extend(tally(v))
            }
            _ => {
                if let Some(reason) = k.strip_prefix("sovereign:provenance:skipped:") {
                    if let Ok(count) = v.parse() {
                        p.skipped.push(Tally { value: reason.to_string(), count });
                    }
                }
            }
        }
    }
    p.history = history;
    p
}
