//! Licences in CycloneDX 1.6: declared and concluded, within the schema's `licenseChoice` rule (either
//! license objects, or exactly one expression).
//!
//! - Declared and concluded both single licences (one id or LicenseRef): two license objects, with
//!   `acknowledgement: declared` and `acknowledgement: concluded`.
//! - Otherwise one expression: the concluded one (`acknowledgement: concluded`) when there is one that is
//!   not NOASSERTION, else the declared one (`acknowledgement: declared`); the other value is kept in the
//!   `sovereign:license:declared` (with `sovereign:license:declared:original` when the text as written
//!   differs) / `sovereign:license:concluded` properties.
//! - A declared value that is not SPDX: a license object with its text as `name`.
//! - Detected licences (single ids) go to `evidence.licenses`; all of them, with file and score, to
//!   `sovereign:license:detected` properties.

use serde_json::{json, Value};

use crate::enrich::license::conclude::NOASSERTION;
use crate::model::{LicenseInfo, LicenseValue};

fn single(v: &LicenseValue) -> bool {
    v.valid && !v.expression.contains(' ') && !v.expression.contains('(') && v.expression != NOASSERTION
}

fn license_object(v: &LicenseValue, ack: &str) -> Value {
    let is_spdx_id = spdx::license_id(&v.expression).is_some() && !v.expression.ends_with('+');
    if v.valid && is_spdx_id {
        json!({"license": {"id": v.expression, "acknowledgement": ack}})
    } else {
        let name =
            if v.valid { v.expression.as_str() } else { v.original.as_deref().unwrap_or(&v.expression) };
        json!({"license": {"name": name, "acknowledgement": ack}})
    }
}

/// The `licenses` array of a component (or of the subject), and the values left to properties.
pub fn licenses(info: &LicenseInfo) -> (Option<Value>, Vec<(&'static str, String)>) {
    let mut props = Vec::new();
    let declared = info.declared.as_ref();
    let concluded = info.concluded.as_ref().filter(|c| c.expression != NOASSERTION && c.valid);
    if let Some(c) = info.concluded.as_ref() {
        props.push(("sovereign:license:concluded:source", c.source.clone()));
        if c.expression == NOASSERTION {
            props.push(("sovereign:license:concluded", NOASSERTION.to_string()));
        }
    }
    let value = match (declared, concluded) {
        (None, None) => None,
        (Some(d), None) if !d.valid => Some(json!([license_object(d, "declared")])),
        (Some(d), None) => Some(json!([{"expression": d.expression, "acknowledgement": "declared"}])),
        (None, Some(c)) => Some(json!([{"expression": c.expression, "acknowledgement": "concluded"}])),
        (Some(d), Some(c)) if (single(d) || !d.valid) && single(c) => {
            Some(json!([license_object(d, "declared"), license_object(c, "concluded")]))
        }
        (Some(d), Some(c)) => {
            props.push(("sovereign:license:declared", d.expression.clone()));
            if let Some(o) = d.original.as_ref().filter(|o| **o != d.expression) {
                props.push(("sovereign:license:declared:original", o.clone()));
            }
            Some(json!([{"expression": c.expression, "acknowledgement": "concluded"}]))
        }
    };
    for v in &info.detected {
        let score = v.score.map(|s| format!(", score {s:.2}")).unwrap_or_default();
        props.push(("sovereign:license:detected", format!("{} ({}{score})", v.expression, v.source)));
    }
    (value, props)
}

/// `evidence.licenses` for detected single licences (license objects, one per id).
pub fn evidence(info: &LicenseInfo) -> Option<Value> {
    let mut seen = std::collections::BTreeSet::new();
    let objs: Vec<Value> = info
        .detected
        .iter()
        .filter(|v| single(v) && seen.insert(v.expression.clone()))
        .map(|v| {
            let mut o = license_object(v, "concluded");
            o["license"].as_object_mut().map(|m| m.remove("acknowledgement"));
            o
        })
        .collect();
    (!objs.is_empty()).then(|| json!({"licenses": objs}))
}
