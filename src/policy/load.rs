//! Reading a policy and everything it `extends`, validating every file, merging and compiling.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::config::{self, LicenseSection, OriginSection, PolicyFile};
use super::parse::{parse_document, read_capped, LIST_KEYS};
use super::{validate, Policy, PolicyError, Problem, MAX_EXTENDS_DEPTH};

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
    let (mut rules, mut thresholds) = (BTreeSet::new(), BTreeSet::new());
    for l in &chain {
        let (r, t) = validate::rule_ids(&without(&l.file, &l.skip));
        rules.extend(r);
        thresholds.extend(t);
    }
    let mut waivers = Vec::new();
    for l in &chain {
        let f = without(&l.file, &l.skip);
        let mut v = validate::Validator::new();
        let compiled = v.compile(&f, &l.name, default_name);
        v.references(&f, &rules, &thresholds);
        let renumber = Renumber::new(&l.file, &l.skip);
        // Waivers keep the file and index they were written at.
        waivers.extend(compiled.waivers.into_iter().map(|mut w| {
            w.index = renumber.index("waivers", w.index);
            w
        }));
        problems.extend(v.problems.into_iter().map(|p| Problem {
            file: l.name.clone(),
            path: renumber.path(&p.path),
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

/// For each list, the file's own index of every entry kept by [`without`], so problems and waivers found
/// on the compacted lists name the entry as the file numbers it. Built once per file: linear.
struct Renumber {
    maps: Vec<(&'static str, Vec<usize>)>,
}

impl Renumber {
    fn new(f: &PolicyFile, skip: &BTreeSet<String>) -> Self {
        let lens = [
            ("rules", f.rules.as_ref().map_or(0, Vec::len)),
            ("thresholds", f.thresholds.as_ref().map_or(0, Vec::len)),
            ("waivers", f.waivers.as_ref().map_or(0, Vec::len)),
        ];
        let maps = lens
            .into_iter()
            .map(|(list, n)| {
                let kept =
                    (0..n).filter(|i| skip.is_empty() || !skip.contains(&format!("{list}[{i}]"))).collect();
                (list, kept)
            })
            .collect();
        Renumber { maps }
    }

    fn index(&self, list: &str, compact: usize) -> usize {
        self.maps
            .iter()
            .find(|(l, _)| *l == list)
            .and_then(|(_, m)| m.get(compact).copied())
            .unwrap_or(compact)
    }

    /// Rewrites `rules[3].x` computed on the compacted lists back to the file's own indexes.
    fn path(&self, path: &str) -> String {
        for list in LIST_KEYS {
            if let Some(rest) = path.strip_prefix(list).and_then(|r| r.strip_prefix('[')) {
                if let Some((n, tail)) = rest.split_once(']') {
                    if let Ok(i) = n.parse::<usize>() {
                        return format!("{list}[{}]{tail}", self.index(list, i));
                    }
                }
            }
        }
        path.to_string()
    }
}

fn merge_origin(base: Option<OriginSection>, over: Option<OriginSection>) -> Option<OriginSection> {
    match (base, over) {
        (Some(b), Some(o)) => Some(OriginSection {
            allow: o.allow.or(b.allow),
            deny: o.deny.or(b.deny),
            min_confidence: o.min_confidence.or(b.min_confidence),
            unknown: o.unknown.or(b.unknown),
            attribute_to: o.attribute_to.or(b.attribute_to),
            facets: o.facets.or(b.facets),
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
