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

use serde::Serialize;

use crate::enrich::license::conclude::NOASSERTION;
use crate::model::{LicenseInfo, LicenseValue};

fn single(v: &LicenseValue) -> bool {
    v.valid && !v.expression.contains(' ') && !v.expression.contains('(') && v.expression != NOASSERTION
}

/// One entry of a CycloneDX `licenses` array: a license object or an expression.
#[derive(Serialize)]
#[serde(untagged)]
pub enum Entry<'a> {
    License { license: LicenseObject<'a> },
    Expression { expression: &'a str, acknowledgement: &'static str },
}

/// `{id | name, acknowledgement}` (no acknowledgement in `evidence.licenses`).
#[derive(Serialize)]
pub struct LicenseObject<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    acknowledgement: Option<&'static str>,
}

fn license_object<'a>(v: &'a LicenseValue, ack: Option<&'static str>) -> LicenseObject<'a> {
    let is_spdx_id = spdx::license_id(&v.expression).is_some() && !v.expression.ends_with('+');
    if v.valid && is_spdx_id {
        LicenseObject { id: Some(&v.expression), name: None, acknowledgement: ack }
    } else {
        let name =
            if v.valid { v.expression.as_str() } else { v.original.as_deref().unwrap_or(&v.expression) };
        LicenseObject { id: None, name: Some(name), acknowledgement: ack }
    }
}

fn expression<'a>(v: &'a LicenseValue, ack: &'static str) -> Entry<'a> {
    Entry::Expression { expression: &v.expression, acknowledgement: ack }
}

fn license_entry<'a>(v: &'a LicenseValue, ack: &'static str) -> Entry<'a> {
    Entry::License { license: license_object(v, Some(ack)) }
}

/// The `licenses` array of a component (or of the subject), and the values left to properties.
pub fn licenses(info: &LicenseInfo) -> (Option<Vec<Entry<'_>>>, Vec<(&'static str, String)>) {
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
        (Some(d), None) if !d.valid => Some(vec![license_entry(d, "declared")]),
        (Some(d), None) => Some(vec![expression(d, "declared")]),
        (None, Some(c)) => Some(vec![expression(c, "concluded")]),
        (Some(d), Some(c)) if (single(d) || !d.valid) && single(c) => {
            Some(vec![license_entry(d, "declared"), license_entry(c, "concluded")])
        }
        (Some(d), Some(c)) => {
            props.push(("sovereign:license:declared", d.expression.clone()));
            if let Some(o) = d.original.as_ref().filter(|o| **o != d.expression) {
                props.push(("sovereign:license:declared:original", o.clone()));
            }
            Some(vec![expression(c, "concluded")])
        }
    };
    for v in &info.detected {
        let score = v.score.map(|s| format!(", score {s:.2}")).unwrap_or_default();
        props.push(("sovereign:license:detected", format!("{} ({}{score})", v.expression, v.source)));
    }
    (value, props)
}

/// `evidence.licenses` for detected single licences (license objects without acknowledgement, one per
/// id).
pub fn evidence(info: &LicenseInfo) -> Option<Vec<Entry<'_>>> {
    let mut seen = std::collections::BTreeSet::new();
    let objs: Vec<Entry> = info
        .detected
        .iter()
        .filter(|v| single(v) && seen.insert(v.expression.as_str()))
        .map(|v| Entry::License { license: license_object(v, None) })
        .collect();
    (!objs.is_empty()).then_some(objs)
}
