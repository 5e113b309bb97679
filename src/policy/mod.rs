//! Sovereignty policies: YAML rules over an inventory (reference: docs/policy.md).
//!
//! A file is read in three steps, as cargo-deny does it: YAML into a generic value; that value checked
//! against the JSON Schema generated from [`config`] (every structural problem, with its path); the
//! structurally sound parts read by serde into the unvalidated [`config::PolicyFile`] and compiled by
//! [`validate`] into a [`Policy`] (every value problem, with its path). `extends:` chains are followed,
//! cycles refused, and the files merged (later wins). Only when no file of the chain has a problem is a
//! policy returned; otherwise the error lists them all.

pub mod codes;
pub mod config;
pub mod eval;
pub mod geo;
pub mod license;
pub mod pattern;
pub mod schema_check;
pub mod simulate;
pub mod types;
pub mod validate;

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use config::{LicenseSection, OriginSection, PolicyFile};
pub use eval::{evaluate, EvalOptions, Finding, Verdict};
pub use types::{Date, Policy};

/// Policy files larger than this are refused before parsing (a policy is a page, not a data set).
pub const MAX_POLICY_BYTES: u64 = 1024 * 1024;
/// How deep `extends:` may chain.
pub const MAX_EXTENDS_DEPTH: usize = 16;

/// One problem in a policy file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file, as named on the command line or in `extends`.
    pub file: String,
    /// Where in the file: `rules[2].when.origin_not_in[1]`; empty for the file as a whole.
    pub path: String,
    pub message: String,
}

impl Problem {
    pub fn new(path: &str, message: String) -> Self {
        Problem { file: String::new(), path: path.to_string(), message }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read policy `{path}`: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{}", render(problems))]
    Invalid { problems: Vec<Problem> },
}

fn render(problems: &[Problem]) -> String {
    let mut s =
        format!("invalid policy ({} problem{}):", problems.len(), if problems.len() == 1 { "" } else { "s" });
    for p in problems {
        s.push_str(&format!("\n  {}: {p}", p.file));
    }
    s
}

impl PolicyError {
    pub fn problems(&self) -> &[Problem] {
        match self {
            PolicyError::Invalid { problems } => problems,
            PolicyError::Read { .. } => &[],
        }
    }
}

/// Reads a file with the size cap; what goes wrong is a problem of the file.
fn read_capped(path: &Path) -> Result<String, String> {
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

const LIST_KEYS: [&str; 3] = ["rules", "thresholds", "waivers"];

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

/// A file of an `extends` chain, read and parsed.
struct Loaded {
    name: String,
    file: PolicyFile,
    skip: BTreeSet<String>,
}

struct Loader {
    stack: Vec<(PathBuf, String)>,
    done: Vec<PathBuf>,
    chain: Vec<Loaded>,
    problems: Vec<Problem>,
}

impl Loader {
    fn visit(&mut self, path: &Path, name: &str, from: Option<(&str, &str)>) {
        let fail = |this: &mut Loader, message: String| {
            let (file, p) = from
                .map(|(f, p)| (f.to_string(), p.to_string()))
                .unwrap_or((name.to_string(), String::new()));
            this.problems.push(Problem { file, path: p, message });
        };
        let canonical = match std::fs::canonicalize(path) {
            Ok(c) => c,
            Err(e) => return fail(self, format!("cannot read `{name}`: {e}")),
        };
        if let Some(pos) = self.stack.iter().position(|(c, _)| *c == canonical) {
            let mut cycle: Vec<&str> = self.stack[pos..].iter().map(|(_, n)| n.as_str()).collect();
            cycle.push(name);
            return fail(self, format!("`extends` makes a cycle: {}", cycle.join(" → ")));
        }
        if self.done.contains(&canonical) {
            return;
        }
        if self.stack.len() >= MAX_EXTENDS_DEPTH {
            return fail(self, format!("`extends` chains deeper than {MAX_EXTENDS_DEPTH} files"));
        }
        let text = match read_capped(path) {
            Ok(t) => t,
            Err(e) => {
                return self.problems.push(Problem {
                    file: name.to_string(),
                    path: String::new(),
                    message: e,
                })
            }
        };
        let (file, skip, problems) = parse_document(&text);
        self.problems.extend(problems.into_iter().map(|p| Problem { file: name.to_string(), ..p }));
        let Some(file) = file else { return };
        self.stack.push((canonical.clone(), name.to_string()));
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let extends = file.extends.as_ref().map(|e| e.to_vec()).unwrap_or_default();
        let many = matches!(file.extends, Some(config::OneOrMany::Many(_)));
        for (i, e) in extends.iter().enumerate() {
            let p = dir.join(e);
            let child_name = p.display().to_string();
            let at = if many { format!("extends[{i}]") } else { "extends".to_string() };
            self.visit(&p, &child_name, Some((name, &at)));
        }
        self.stack.pop();
        self.done.push(canonical);
        self.chain.push(Loaded { name: name.to_string(), file, skip });
    }
}

/// Reads a policy file and everything it extends, validates all of it, and compiles it.
pub fn load(path: &Path) -> Result<Policy, PolicyError> {
    let name = path.display().to_string();
    if let Err(e) = std::fs::metadata(path) {
        return Err(PolicyError::Read { path: name, source: e });
    }
    let mut loader = Loader { stack: Vec::new(), done: Vec::new(), chain: Vec::new(), problems: Vec::new() };
    loader.visit(path, &name, None);
    let default_name = path
        .file_stem()
        .map(|s| s.to_string_lossy().trim_end_matches(".policy").to_string())
        .unwrap_or_default();
    finish(loader.chain, loader.problems, &default_name)
}

/// Compiles a policy from text (no `extends`: that needs files). For tests and embedding.
pub fn from_str(text: &str, name: &str) -> Result<Policy, PolicyError> {
    let (file, skip, mut problems) = parse_document(text);
    for p in &mut problems {
        p.file = name.to_string();
    }
    let chain: Vec<Loaded> = file
        .map(|f| {
            if f.extends.is_some() {
                problems.push(Problem {
                    file: name.to_string(),
                    path: "extends".into(),
                    message: "`extends` needs the policy to be read from a file".into(),
                });
            }
            Loaded { name: name.to_string(), file: f, skip }
        })
        .into_iter()
        .collect();
    finish(chain, problems, name)
}

/// `chain` is in merge order: what is extended first, the main file last.
fn finish(chain: Vec<Loaded>, mut problems: Vec<Problem>, default_name: &str) -> Result<Policy, PolicyError> {
    let mut known = BTreeSet::new();
    for l in &chain {
        known.extend(validate::rule_ids(&without(&l.file, &l.skip)));
    }
    let mut waivers = Vec::new();
    for l in &chain {
        let f = without(&l.file, &l.skip);
        let mut v = validate::Validator::new();
        let compiled = v.compile(&f, &l.name, default_name);
        v.references(&f, &known);
        // Waivers keep the file and index they were written at.
        waivers.extend(compiled.waivers.into_iter().map(|mut w| {
            w.index = original_index(&l.file, &l.skip, "waivers", w.index);
            w
        }));
        problems.extend(v.problems.into_iter().map(|p| Problem {
            file: l.name.clone(),
            path: remap(&p.path, &l.file, &l.skip),
            ..p
        }));
    }
    if !problems.is_empty() || chain.is_empty() {
        if problems.is_empty() {
            problems.push(Problem {
                file: default_name.into(),
                path: String::new(),
                message: "no policy".into(),
            });
        }
        return Err(PolicyError::Invalid { problems });
    }
    let mut merged: Option<PolicyFile> = None;
    for l in &chain {
        let f = without(&l.file, &l.skip);
        merged = Some(match merged {
            None => f,
            Some(base) => merge(base, f),
        });
    }
    let merged = merged.unwrap_or_default();
    let mut v = validate::Validator::new();
    let mut policy = v.compile(&PolicyFile { waivers: None, ..merged }, "", default_name);
    policy.waivers = waivers;
    policy.files = chain.iter().rev().map(|l| l.name.clone()).collect();
    Ok(policy)
}

/// The file with the entries that had structural problems removed (their problems are already reported).
fn without(f: &PolicyFile, skip: &BTreeSet<String>) -> PolicyFile {
    if skip.is_empty() {
        return f.clone();
    }
    let keep = |list: &str, i: usize| !skip.contains(&format!("{list}[{i}]"));
    let mut out = f.clone();
    out.rules = f
        .rules
        .as_ref()
        .map(|v| v.iter().enumerate().filter(|(i, _)| keep("rules", *i)).map(|(_, r)| r.clone()).collect());
    out.thresholds = f.thresholds.as_ref().map(|v| {
        v.iter().enumerate().filter(|(i, _)| keep("thresholds", *i)).map(|(_, r)| r.clone()).collect()
    });
    out.waivers = f
        .waivers
        .as_ref()
        .map(|v| v.iter().enumerate().filter(|(i, _)| keep("waivers", *i)).map(|(_, r)| r.clone()).collect());
    out
}

/// The index an entry had in the file before skipped entries were removed.
fn original_index(_f: &PolicyFile, skip: &BTreeSet<String>, list: &str, compact: usize) -> usize {
    let mut seen = 0;
    let mut i = 0;
    loop {
        if !skip.contains(&format!("{list}[{i}]")) {
            if seen == compact {
                return i;
            }
            seen += 1;
        }
        i += 1;
    }
}

/// Rewrites `rules[3].x` computed on the compacted lists back to the file's own indexes.
fn remap(path: &str, f: &PolicyFile, skip: &BTreeSet<String>) -> String {
    if skip.is_empty() {
        return path.to_string();
    }
    for list in LIST_KEYS {
        if let Some(rest) = path.strip_prefix(list).and_then(|r| r.strip_prefix('[')) {
            if let Some((n, tail)) = rest.split_once(']') {
                if let Ok(i) = n.parse::<usize>() {
                    return format!("{list}[{}]{tail}", original_index(f, skip, list, i));
                }
            }
        }
    }
    path.to_string()
}

fn merge_origin(base: Option<OriginSection>, over: Option<OriginSection>) -> Option<OriginSection> {
    match (base, over) {
        (Some(b), Some(o)) => Some(OriginSection {
            allow: o.allow.or(b.allow),
            deny: o.deny.or(b.deny),
            min_confidence: o.min_confidence.or(b.min_confidence),
            unknown: o.unknown.or(b.unknown),
            attribute_to: o.attribute_to.or(b.attribute_to),
            when: o.when.or(b.when),
            severity: o.severity.or(b.severity),
            why: o.why.or(b.why),
            fix: o.fix.or(b.fix),
        }),
        (b, o) => o.or(b),
    }
}

fn merge_licenses(base: Option<LicenseSection>, over: Option<LicenseSection>) -> Option<LicenseSection> {
    match (base, over) {
        (Some(b), Some(o)) => Some(LicenseSection {
            allow: o.allow.or(b.allow),
            deny: o.deny.or(b.deny),
            allow_categories: o.allow_categories.or(b.allow_categories),
            deny_categories: o.deny_categories.or(b.deny_categories),
            allow_expressions: o.allow_expressions.or(b.allow_expressions),
            deny_expressions: o.deny_expressions.or(b.deny_expressions),
            unknown: o.unknown.or(b.unknown),
            when: o.when.or(b.when),
            severity: o.severity.or(b.severity),
            why: o.why.or(b.why),
            fix: o.fix.or(b.fix),
        }),
        (b, o) => o.or(b),
    }
}

/// `over` extends `base`: scalars and each key of `origin`/`licenses` replace; a rule or threshold with
/// the same id replaces the inherited one in place, others are appended; overrides are merged.
fn merge(base: PolicyFile, over: PolicyFile) -> PolicyFile {
    let mut rules = base.rules.unwrap_or_default();
    for r in over.rules.unwrap_or_default() {
        match rules.iter_mut().find(|x| x.id == r.id) {
            Some(slot) => *slot = r,
            None => rules.push(r),
        }
    }
    let mut thresholds = base.thresholds.unwrap_or_default();
    for t in over.thresholds.unwrap_or_default() {
        match thresholds.iter_mut().find(|x| x.id.is_some() && x.id == t.id) {
            Some(slot) => *slot = t,
            None => thresholds.push(t),
        }
    }
    let mut overrides = base.overrides.unwrap_or_default();
    overrides.extend(over.overrides.unwrap_or_default());
    PolicyFile {
        version: over.version,
        name: over.name.or(base.name),
        description: over.description.or(base.description),
        extends: None,
        scope: over.scope.or(base.scope),
        origin: merge_origin(base.origin, over.origin),
        licenses: merge_licenses(base.licenses, over.licenses),
        rules: Some(rules),
        thresholds: Some(thresholds),
        waivers: None,
        overrides: Some(overrides),
    }
}
