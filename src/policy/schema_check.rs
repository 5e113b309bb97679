//! Checks a document against the policy JSON Schema generated from [`super::config`], collecting every
//! problem with its path instead of stopping at the first (serde stops at the first).
//!
//! It interprets the subset of JSON Schema that schemars emits for those types: `$ref` into `$defs`,
//! `type` (one or a list), `enum`, `const`, `anyOf`/`oneOf`, `properties`, `required`,
//! `additionalProperties`, `items`, `minimum`/`maximum`. Recursion follows the schema, so it is bounded by
//! the depth of the types, whatever the document.

use serde_json::Value;

use super::Problem;

/// Appends a path segment: a key (`origin.deny`) or an index (`rules[2]`).
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

pub fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// How a value is described in messages: `a string "high"`, `a list`, `true`.
pub fn describe_value(v: &Value) -> String {
    match v {
        Value::Null => "nothing (null)".into(),
        Value::Bool(b) => format!("{b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {}", quote(s)),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

/// A value quoted for a message, shortened when long.
pub fn quote(s: &str) -> String {
    let short: String = s.chars().take(60).collect();
    let ell = if short.len() < s.len() { "…" } else { "" };
    format!("{:?}", format!("{short}{ell}"))
}

pub struct Checker<'a> {
    root: &'a Value,
    pub problems: Vec<Problem>,
}

impl<'a> Checker<'a> {
    pub fn new(root_schema: &'a Value) -> Self {
        Checker { root: root_schema, problems: Vec::new() }
    }

    fn push(&mut self, path: &str, message: String) {
        self.problems.push(Problem::new(path, message));
    }

    fn resolve(&self, schema: &'a Value) -> &'a Value {
        let mut s = schema;
        // `$ref`s only point into `$defs`; a chain longer than a few links would be a schema bug.
        for _ in 0..8 {
            match s.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/$defs/")) {
                Some(name) => match self.root.get("$defs").and_then(|d| d.get(name)) {
                    Some(t) => s = t,
                    None => return s,
                },
                None => return s,
            }
        }
        s
    }

    /// A short description of what a schema accepts: `a string`, `one of: a, b`, `a list`.
    fn expected(&self, schema: &'a Value) -> String {
        let s = self.resolve(schema);
        if let Some(values) = s.get("enum").and_then(Value::as_array) {
            return format!("one of: {}", list(values));
        }
        if let Some(c) = s.get("const") {
            return c.to_string();
        }
        if let Some(branches) = s.get("anyOf").or_else(|| s.get("oneOf")).and_then(Value::as_array) {
            let parts: Vec<String> = branches
                .iter()
                .filter(|b| b.get("type").and_then(Value::as_str) != Some("null"))
                .map(|b| self.expected(b))
                .collect();
            return parts.join(" or ");
        }
        let types: Vec<&str> = match s.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect(),
            _ => vec![],
        };
        let names: Vec<String> = types
            .iter()
            .map(|t| match *t {
                "string" => "a string".to_string(),
                "integer" => "a whole number".to_string(),
                "number" => "a number".to_string(),
                "boolean" => "true or false".to_string(),
                "array" => match s.get("items") {
                    Some(items) => format!("a list of {}", plural(&self.expected(items))),
                    None => "a list".to_string(),
                },
                "object" => "a mapping".to_string(),
                other => other.to_string(),
            })
            .collect();
        if names.is_empty() {
            "a value".into()
        } else {
            names.join(" or ")
        }
    }

    /// Whether `v` has one of the JSON types the schema allows (shallow).
    fn type_matches(&self, schema: &'a Value, v: &Value) -> bool {
        let s = self.resolve(schema);
        if let Some(branches) = s.get("anyOf").or_else(|| s.get("oneOf")).and_then(Value::as_array) {
            return branches.iter().any(|b| self.type_matches(b, v));
        }
        if s.get("enum").is_some() || s.get("const").is_some() {
            return v.is_string();
        }
        let ok = |t: &str| match t {
            "null" => v.is_null(),
            "boolean" => v.is_boolean(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "array" => v.is_array(),
            "object" => v.is_object(),
            _ => true,
        };
        match s.get("type") {
            Some(Value::String(t)) => ok(t),
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(ok),
            _ => true,
        }
    }

    pub fn check(&mut self, schema: &'a Value, v: &Value, path: &str) {
        let s = self.resolve(schema);
        if let Some(branches) = s.get("anyOf").or_else(|| s.get("oneOf")).and_then(Value::as_array) {
            // Check against the branch whose type fits; only when none fits is the value reported as such.
            let fitting: Vec<&Value> = branches.iter().filter(|b| self.type_matches(b, v)).collect();
            match fitting.first() {
                Some(b) => self.check(b, v, path),
                None => {
                    self.push(path, format!("expected {}, found {}", self.expected(s), describe_value(v)))
                }
            }
            return;
        }
        if !self.type_matches(s, v) {
            let expected = self.expected(s);
            let hint = if expected.contains("a string") { yaml_hint(v) } else { "" };
            self.push(path, format!("expected {expected}, found {}{hint}", describe_value(v)));
            return;
        }
        if let Some(values) = s.get("enum").and_then(Value::as_array) {
            if !values.contains(v) {
                self.push(path, format!("{} is not one of: {}", value_text(v), list(values)));
            }
            return;
        }
        if let Some(n) = v.as_f64() {
            if let Some(min) = s.get("minimum").and_then(Value::as_f64) {
                if n < min {
                    self.push(path, format!("{n} is below the minimum {min}"));
                }
            }
            if s.get("format").and_then(Value::as_str) == Some("uint32") && n > u32::MAX as f64 {
                self.push(path, format!("{n} is too large"));
            }
        }
        match v {
            Value::Array(items) => {
                if let Some(item_schema) = s.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.check(item_schema, item, &index(path, i));
                    }
                }
            }
            Value::Object(map) => {
                let props = s.get("properties").and_then(Value::as_object);
                let additional = s.get("additionalProperties");
                for (k, item) in map {
                    let p = join(path, k);
                    match props.and_then(|ps| ps.get(k)) {
                        Some(ps) => self.check(ps, item, &p),
                        None => match additional {
                            Some(Value::Bool(false)) => {
                                let known: Vec<&str> = props
                                    .map(|ps| ps.keys().map(String::as_str).collect())
                                    .unwrap_or_default();
                                self.push(&p, format!("unknown key; expected one of: {}", known.join(", ")));
                            }
                            Some(extra @ Value::Object(_)) => self.check(extra, item, &p),
                            _ => {}
                        },
                    }
                }
                if let Some(req) = s.get("required").and_then(Value::as_array) {
                    for k in req.iter().filter_map(Value::as_str) {
                        if !map.contains_key(k) {
                            self.push(&join(path, k), "is required".into());
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => quote(s),
        other => other.to_string(),
    }
}

fn list(values: &[Value]) -> String {
    values
        .iter()
        .map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(expected: &str) -> String {
    match expected {
        "a string" => "strings".into(),
        "a number" => "numbers".into(),
        "a mapping" => "mappings".into(),
        other => format!("({other})"),
    }
}

/// A boolean or number where a string was expected is usually an unquoted value YAML typed for you.
fn yaml_hint(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) | Value::Number(_) => " (quote it to make it a string)",
        _ => "",
    }
}
