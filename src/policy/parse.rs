//! One policy document: from text to the unvalidated form, every structural problem collected.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use super::config::{self, PolicyFile};
use super::{schema_check, Problem, MAX_POLICY_BYTES};

/// Reads a file with the size cap; what goes wrong is a problem of the file.
pub(super) fn read_capped(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    if len > MAX_POLICY_BYTES {
        return Err(format!(
            "the file is {len} bytes; a policy file may be at most {MAX_POLICY_BYTES} bytes"
        ));
    }
    let mut buf = Vec::new();
    f.take(MAX_POLICY_BYTES + 1).read_to_end(&mut buf).map_err(|e| e.to_string())?;
    if buf.len() as u64 > MAX_POLICY_BYTES {
        return Err(format!("the file is larger than {MAX_POLICY_BYTES} bytes, the limit for a policy file"));
    }
    String::from_utf8(buf)
        .map_err(|e| format!("the file is not UTF-8 (byte {})", e.utf8_error().valid_up_to()))
}

/// YAML to JSON, refusing what JSON cannot say (non-string keys, tags, infinities).
fn to_json(v: &serde_yaml::Value, path: &str, problems: &mut Vec<Problem>) -> Value {
    use serde_yaml::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(*b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                match n.as_f64().and_then(serde_json::Number::from_f64) {
                    Some(f) => Value::Number(f),
                    None => {
                        problems.push(Problem::new(path, format!("{n} is not a finite number")));
                        Value::Null
                    }
                }
            }
        }
        Y::String(s) => Value::String(s.clone()),
        Y::Sequence(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| to_json(x, &schema_check::index(path, i), problems))
                .collect(),
        ),
        Y::Mapping(m) => {
            let mut out = serde_json::Map::new();
            for (k, x) in m {
                let key = match k {
                    Y::String(s) => s.clone(),
                    other => {
                        let shown = serde_yaml::to_string(other).unwrap_or_default();
                        problems.push(Problem::new(
                            path,
                            format!("the key `{}` is not a string (quote it)", shown.trim()),
                        ));
                        continue;
                    }
                };
                let p = schema_check::join(path, &key);
                out.insert(key, to_json(x, &p, problems));
            }
            Value::Object(out)
        }
        Y::Tagged(t) => {
            problems
                .push(Problem::new(path, format!("YAML tags (`{}`) are not used in policy files", t.tag)));
            Value::Null
        }
    }
}

/// The JSON Schema of policy files, parsed once.
fn schema() -> &'static Value {
    static S: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    S.get_or_init(config::json_schema)
}

/// The YAML parser's time grows with the square of flow nesting (`[[[[…`); a policy never nests deeply,
/// so deep nesting is refused by a linear scan before parsing. Brackets inside quoted strings count too:
/// a real policy does not open 128 brackets in a row.
const MAX_FLOW_DEPTH: usize = 128;

fn too_deep(text: &str) -> Option<usize> {
    let (mut depth, mut line) = (0usize, 1usize);
    for b in text.bytes() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Some(line);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'\n' => line += 1,
            _ => {}
        }
    }
    None
}

pub(super) const LIST_KEYS: [&str; 3] = ["rules", "thresholds", "waivers"];

/// Parses one policy document into its unvalidated form. Structural problems are all reported; the parts
/// they are in are left out (list entries are replaced by empty ones and named in the returned skip set,
/// so the value checks still run on every sound part with the right indexes).
pub fn parse_document(text: &str) -> (Option<PolicyFile>, BTreeSet<String>, Vec<Problem>) {
    let mut problems = Vec::new();
    if let Some(line) = too_deep(text) {
        problems.push(Problem::new(
            "",
            format!("not valid YAML: brackets nested more than {MAX_FLOW_DEPTH} levels deep at line {line}"),
        ));
        return (None, BTreeSet::new(), problems);
    }
    let yaml: serde_yaml::Value = match serde_yaml::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            problems.push(Problem::new("", format!("not valid YAML: {e}")));
            return (None, BTreeSet::new(), problems);
        }
    };
    let mut json = to_json(&yaml, "", &mut problems);
    drop(yaml);
    if json.is_null() {
        problems.push(Problem::new("", "the file is empty; a policy starts with `version: 1`".into()));
        return (None, BTreeSet::new(), problems);
    }
    let mut checker = schema_check::Checker::new(schema());
    checker.check(schema(), &json, "");
    let structural = checker.problems;
    let mut skip = BTreeSet::new();
    if json.is_object() {
        for p in structural.iter().chain(problems.iter()) {
            prune(&mut json, &p.path, &mut skip);
        }
        if let Value::Object(map) = &mut json {
            map.entry("version").or_insert(Value::from(1));
        }
    }
    problems.extend(structural);
    if !json.is_object() {
        return (None, skip, problems);
    }
    match serde_json::from_value::<PolicyFile>(json) {
        Ok(f) => (Some(f), skip, problems),
        Err(e) => {
            problems.push(Problem::new("", format!("cannot read the policy: {e}")));
            (None, skip, problems)
        }
    }
}

#[derive(Debug, PartialEq)]
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// `rules[2].when.kind` → [rules, 2, when, kind]. Keys with dots or brackets do not occur in the schema;
/// a user's odd key is reported at its parent.
fn segments(path: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = part.split_once('[').map(|(k, r)| (k, Some(r))).unwrap_or((part, None));
        if !key.is_empty() {
            out.push(Seg::Key(key));
        }
        while let Some(r) = rest {
            let (n, tail) = r.split_once(']').unwrap_or((r, ""));
            if let Ok(i) = n.parse() {
                out.push(Seg::Index(i));
            }
            rest = tail.strip_prefix('[');
        }
    }
    out
}

/// Keys serde cannot do without.
fn required(list: &str, key: &str) -> bool {
    matches!((list, key), ("rules", "id") | ("waivers", "component" | "rule" | "reason"))
}

/// Removes the part of the document a structural problem is in, as little of it as possible: the
/// innermost mapping key on the path, or, for a list entry that cannot lose that key, the whole entry
/// (replaced by an empty one and remembered in `skip`).
fn prune(json: &mut Value, path: &str, skip: &mut BTreeSet<String>) {
    let segs = segments(path);
    let (Some(Seg::Key(top)), second) = (segs.first(), segs.get(1)) else { return };
    if *top == "version" {
        if let Value::Object(m) = json {
            m.insert("version".into(), Value::from(1));
        }
        return;
    }
    if let (true, Some(Seg::Index(i))) = (LIST_KEYS.contains(top), second) {
        let whole = match segs.get(2) {
            None => true,
            Some(Seg::Key(k)) => segs.len() == 3 && required(top, k),
            Some(Seg::Index(_)) => true,
        };
        if whole {
            if let Some(slot) = json.get_mut(*top).and_then(|l| l.get_mut(*i)) {
                *slot = empty_entry(top);
            }
            skip.insert(format!("{top}[{i}]"));
            return;
        }
    }
    // The innermost key whose container is a mapping.
    let Some(k) = segs.iter().rposition(|s| matches!(s, Seg::Key(_))) else { return };
    let mut node = &mut *json;
    for s in &segs[..k] {
        let next = match s {
            Seg::Key(key) => node.get_mut(*key),
            Seg::Index(i) => node.get_mut(*i),
        };
        match next {
            Some(n) => node = n,
            None => return,
        }
    }
    if let (Value::Object(m), Seg::Key(key)) = (node, &segs[k]) {
        m.remove(*key);
    }
}

fn empty_entry(list: &str) -> Value {
    match list {
        "rules" => serde_json::to_value(config::RuleConfig::default()),
        "thresholds" => serde_json::to_value(config::ThresholdConfig::default()),
        _ => serde_json::to_value(config::WaiverConfig::default()),
    }
    .unwrap_or(Value::Null)
}
