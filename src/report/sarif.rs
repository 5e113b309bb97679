//! SARIF 2.1.0 for code-scanning dashboards. Each finding about a component is located at the manifest
//! line that declares it (`found_in`, relative to the scanned root, base id `SRCROOT`); waived findings carry
//! a suppression with the waiver's reason; every result has a stable fingerprint.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::severity_name;
use crate::policy::{codes, Finding, Policy, Verdict};

/// The SARIF rule id of a finding: the finding code for the built-in rules, the policy's own id otherwise.
pub fn rule_id(f: &Finding) -> &str {
    if f.rule == codes::RULE_ORIGIN || f.rule == codes::RULE_LICENSES || f.rule == codes::RULE_WAIVERS {
        &f.code
    } else {
        &f.rule
    }
}

/// Percent-encodes a relative path into a URI reference (unreserved characters and `/` kept).
fn uri(path: &str) -> String {
    let mut s = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

fn rules(policy: &Policy) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        codes::CODES.iter().map(|(c, d, _)| (c.to_string(), d.to_string())).collect();
    for r in policy.rules.iter().filter(|r| r.id != codes::RULE_ORIGIN && r.id != codes::RULE_LICENSES) {
        out.push((r.id.clone(), r.why.clone().unwrap_or_else(|| format!("Policy rule `{}`.", r.id))));
    }
    for t in &policy.thresholds {
        out.push((t.id.clone(), t.why.clone().unwrap_or_else(|| format!("Policy threshold `{}`.", t.id))));
    }
    out
}

pub fn to_value(v: &Verdict, policy: &Policy) -> Value {
    let rules = rules(policy);
    let rule_objs: Vec<Value> = rules
        .iter()
        .map(|(id, desc)| {
            json!({
                "id": id,
                "shortDescription": {"text": desc},
                "help": {"text": codes::default_fix(id)},
            })
        })
        .collect();
    let results: Vec<Value> = v
        .findings
        .iter()
        .map(|f| {
            let id = rule_id(f);
            let mut r = serde_json::Map::new();
            r.insert("ruleId".into(), json!(id));
            if let Some(i) = rules.iter().position(|(r, _)| r == id) {
                r.insert("ruleIndex".into(), json!(i));
            }
            r.insert("level".into(), json!(severity_name(f.severity)));
            let mut text = f.message.clone();
            if f.path.len() > 1 {
                text.push_str(&format!(" (via {})", super::path_text(&f.path)));
            }
            r.insert("message".into(), json!({"text": text}));
            if let Some(l) = &f.location {
                let mut phys = json!({"artifactLocation": {"uri": uri(&l.path), "uriBaseId": "SRCROOT"}});
                if let Some(line) = l.line.filter(|n| *n >= 1) {
                    phys["region"] = json!({"startLine": line});
                }
                r.insert("locations".into(), json!([{"physicalLocation": phys}]));
            }
            let key =
                format!("{}\u{0}{}\u{0}{}", f.rule, f.code, f.component.as_deref().unwrap_or(&f.message));
            r.insert(
                "partialFingerprints".into(),
                json!({"sovereignFinding/v1": hex::encode(&Sha256::digest(key.as_bytes())[..16])}),
            );
            if let Some(w) = &f.waived {
                r.insert(
                    "suppressions".into(),
                    json!([{"kind": "external", "status": "accepted", "justification": w.reason}]),
                );
            }
            let mut props = serde_json::Map::new();
            props.insert("rule".into(), json!(f.rule));
            props.insert("code".into(), json!(f.code));
            if let Some(c) = &f.component {
                props.insert("component".into(), json!(c));
            }
            if !f.path.is_empty() {
                props.insert("dependencyPath".into(), json!(f.path));
            }
            if !f.evidence.is_empty() {
                props.insert("evidence".into(), json!(f.evidence));
            }
            props.insert("fix".into(), json!(f.fix));
            r.insert("properties".into(), Value::Object(props));
            Value::Object(r)
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "sovereign",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rule_objs,
            }},
            "originalUriBaseIds": {"SRCROOT": {"description": {"text": "The root of the scanned tree."}}},
            "results": results,
            "properties": {"policy": v.policy, "passed": v.passed, "judged": v.judged},
        }],
    })
}

pub fn render(v: &Verdict, policy: &Policy) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(&to_value(v, policy)).unwrap_or_default();
    out.push(b'\n');
    out
}
