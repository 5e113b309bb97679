//! CycloneDX 1.4–1.6 JSON reader.
//!
//! Restores everything the writer in `cyclonedx.rs` writes (the `sovereign:*` properties included), so our
//! own output read back and written again gives the same bytes, and reads what other generators write as
//! far as the model can hold it. The document is read one component at a time (a `DeserializeSeed` per
//! array), never built as a whole: memory is the input bytes plus the model.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::cyclonedx::SUBJECT_REF;
use super::import::{ecosystem_of_purl_type, parse_diagnostic, purl_parts, Findings, ReadError};
use super::props::{self, enum_from, Props};
use crate::model::{
    Component, ComponentKind, Diagnostic, Ecosystem, Edge, EdgeKind, Hash, HashAlg, Inventory, LicenseValue,
    Scope, Severity, Subject,
};

/// Nested `components` deeper than this are skipped with a diagnostic.
const MAX_NESTING: usize = 32;

/// Reads a CycloneDX JSON document into a normalised inventory.
pub fn read(bytes: &[u8], path: &str) -> Result<Inventory, ReadError> {
    let mut st = State { path: path.to_string(), ..State::default() };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    DocSeed(&mut st).deserialize(&mut de).map_err(|e| {
        if e.is_data() && e.to_string().starts_with("sovereign: not CycloneDX") {
            ReadError::UnknownFormat { path: path.to_string() }
        } else {
            ReadError::json(path, &e)
        }
    })?;
    de.end().map_err(|e| ReadError::json(path, &e))?;
    Ok(st.finish())
}

#[derive(Default)]
struct State {
    path: String,
    spec_version: Option<String>,
    metadata: Option<Value>,
    components: Vec<Component>,
    /// Fingerprints of the ids seen so far (64-bit hashes, not the ids: a large document is not held
    /// twice), to report duplicates.
    seen_ids: BTreeSet<u64>,
    raw_edges: Vec<(String, String)>,
    /// Whether any component carried `sovereign:direct` (then the subject's dependencies are not used
    /// to guess which components are direct).
    any_sovereign_direct: bool,
    findings: Findings,
}

impl State {
    fn finish(mut self) -> Inventory {
        match self.spec_version.as_deref() {
            Some("1.4" | "1.5" | "1.6") => {}
            Some(v) => {
                let v = v.to_string();
                self.findings.add(Severity::Warning, "sbom-unsupported-version", || {
                    format!("CycloneDX version `{v}` is outside 1.4–1.6; read as far as it matches")
                })
            }
            None => self.findings.add(Severity::Warning, "sbom-unsupported-version", || {
                "no `specVersion`; read as CycloneDX 1.6".to_string()
            }),
        }
        let mut inv = Inventory::default();
        let mut subject_ref = None;
        if let Some(meta) = self.metadata.take() {
            let (subject, sref) = self.subject(&meta);
            if sref.as_deref() == Some(SUBJECT_REF) {
                if let Some(c) = meta.get("component") {
                    inv.provenance = super::provenance_read::summary(c);
                }
            }
            inv.subject = subject;
            subject_ref = sref;
            // The scanned tree's own licence, written like a component's.
            if let Some(Value::Object(obj)) = meta.get("component") {
                let mut props = self.properties(obj, "the subject");
                let mut scratch = Component::new(Ecosystem::Generic, inv.subject.name.clone(), None);
                self.licences(obj, &props.license_sources, &mut scratch);
                props.apply_licences(&mut scratch.license, &self.path);
                inv.license = scratch.license;
            }
            if let Some(props) = meta.get("properties").and_then(Value::as_array) {
                for p in props {
                    if str_at(p, "name") == Some("sovereign:creator") {
                        inv.creator = str_at(p, "value").map(str::to_string);
                    }
                    if str_at(p, "name") == Some("sovereign:diagnostic") {
                        if let Some(text) = str_at(p, "value") {
                            inv.diagnostics.push(parse_diagnostic(text).unwrap_or_else(|| {
                                Diagnostic::note("sbom-diagnostic", text).at(self.path.clone(), None)
                            }));
                        }
                    }
                }
            }
        } else {
            inv.subject.name = file_stem(&self.path);
        }
        // The subject's own dependencies are the roots the writer derives; for other generators they say
        // which components are direct.
        let mut roots = BTreeSet::new();
        let mut edges = Vec::with_capacity(self.raw_edges.len());
        for (from, to) in std::mem::take(&mut self.raw_edges) {
            if Some(from.as_str()) == subject_ref.as_deref() || from == SUBJECT_REF {
                roots.insert(to);
            } else {
                edges.push(Edge { from, to, kind: EdgeKind::Normal });
            }
        }
        if !self.any_sovereign_direct {
            for c in &mut self.components {
                c.direct = roots.contains(&c.id);
            }
        }
        inv.components = std::mem::take(&mut self.components);
        inv.components.shrink_to_fit();
        drop(std::mem::take(&mut self.seen_ids));
        inv.edges = edges;
        inv.diagnostics.extend(self.findings.into_diagnostics(&self.path));
        inv.normalize();
        inv
    }

    /// The scanned subject from `metadata.component`, and its bom-ref.
    fn subject(&mut self, meta: &Value) -> (Subject, Option<String>) {
        let Some(c) = meta.get("component").filter(|c| c.is_object()) else {
            return (Subject { name: file_stem(&self.path), ..Subject::default() }, None);
        };
        let bom_ref = str_at(c, "bom-ref").map(str::to_string);
        let ours = bom_ref.as_deref() == Some(SUBJECT_REF);
        let mut s = Subject { name: str_at(c, "name").unwrap_or_default().to_string(), ..Subject::default() };
        if s.name.is_empty() {
            s.name = file_stem(&self.path);
        }
        s.url = c
            .get("externalReferences")
            .and_then(Value::as_array)
            .and_then(|refs| refs.iter().find(|r| str_at(r, "type") == Some("vcs")))
            .and_then(|r| str_at(r, "url"))
            .map(str::to_string);
        if ours {
            for p in c.get("properties").and_then(Value::as_array).into_iter().flatten() {
                match (str_at(p, "name"), str_at(p, "value")) {
                    (Some("sovereign:commit"), Some(v)) => s.commit = Some(v.to_string()),
                    (Some("sovereign:ref"), Some(v)) => s.reference = Some(v.to_string()),
                    (Some("sovereign:digest"), Some(v)) => s.digest = Some(v.to_string()),
                    _ => {}
                }
            }
        } else if let Some(v) = scalar_at(c, "version") {
            s.name = format!("{}@{v}", s.name);
        }
        (s, bom_ref)
    }

    fn component(&mut self, v: Value, depth: usize) {
        let Value::Object(mut obj) = v else {
            self.findings.add(Severity::Warning, "sbom-invalid-component", || {
                "a `components` entry is not an object; skipped".into()
            });
            return;
        };
        if let Some(Value::Array(items)) = obj.remove("components") {
            if !items.is_empty() && depth >= MAX_NESTING {
                self.findings.add(Severity::Warning, "sbom-nesting-too-deep", || {
                    format!("components nested deeper than {MAX_NESTING} levels were skipped")
                });
            } else if !items.is_empty() {
                self.findings.add(Severity::Note, "sbom-nested-component", || {
                    "nested components were read as components of the inventory (the nesting is not kept)"
                        .into()
                });
                for item in items {
                    self.component(item, depth + 1);
                }
            }
        }
        if let Some(c) = self.convert(obj) {
            if !self.seen_ids.insert(fingerprint(&c.id)) {
                let id = c.id.clone();
                self.findings.add(Severity::Warning, "sbom-duplicate-id", || {
                    format!("bom-ref `{id}` names more than one component; they were merged")
                });
            }
            self.components.push(c);
        }
    }

    fn convert(&mut self, obj: Map<String, Value>) -> Option<Component> {
        let Some(name) = obj.get("name").and_then(scalar) else {
            let r = obj.get("bom-ref").and_then(scalar).unwrap_or_else(|| "?".into());
            self.findings.add(Severity::Warning, "sbom-invalid-component", || {
                format!("component `{r}` has no name; skipped")
            });
            return None;
        };
        let mut props = self.properties(&obj, &name);
        let source = props.take_source();
        let ours = props.ecosystem.is_some();
        let purl = obj.get("purl").and_then(Value::as_str).map(str::trim).filter(|p| !p.is_empty());
        let parts = purl.and_then(|p| {
            let parts = purl_parts(p);
            if parts.is_none() {
                self.findings.add(Severity::Warning, "sbom-invalid-purl", || {
                    format!("`{p}` is not a valid Package URL; the component is kept without it")
                });
            }
            parts
        });
        let ecosystem = match (&props.ecosystem, &parts) {
            (Some(e), _) => ecosystem_of_purl_type(e),
            (None, Some((ty, ..))) => ecosystem_of_purl_type(ty),
            (None, None) => Ecosystem::Generic,
        };
        let mut c = Component::new(ecosystem, name, obj.get("version").and_then(scalar));
        c.purl = parts.as_ref().and(purl).map(str::to_string);
        c.id = match (obj.get("bom-ref").and_then(scalar), &c.purl) {
            (Some(r), _) if !r.is_empty() => r,
            (_, Some(p)) => p.clone(),
            _ => {
                let id = format!("sbom-component:{}", c.display_name());
                self.findings.add(Severity::Note, "sbom-component-without-id", || {
                    format!("component `{}` has neither bom-ref nor purl; it is identified as `{id}`", c.name)
                });
                id
            }
        };
        c.namespace = obj.get("group").and_then(scalar).filter(|g| !g.is_empty());
        if c.namespace.is_none() && !ours {
            c.namespace = parts.as_ref().and_then(|p| p.1.clone());
        }
        c.description = obj.get("description").and_then(scalar);
        c.authors = authors(&obj);
        c.kind = match props.kind {
            Some(k) => k,
            None => match str_at_map(&obj, "type") {
                Some("application") if !ours => ComponentKind::Application,
                Some("machine-learning-model") => ComponentKind::MlModel,
                _ => ComponentKind::Library,
            },
        };
        c.scope = props.scope.unwrap_or(match str_at_map(&obj, "scope") {
            Some("optional") => Scope::Optional,
            Some("excluded") => Scope::Dev,
            _ => Scope::Runtime,
        });
        c.direct = props.direct.unwrap_or(false);
        c.requirement = props.requirement.take();
        c.found_in = std::mem::take(&mut props.found_in);
        c.hashes = self.hashes(&obj);
        self.licences(&obj, &props.license_sources, &mut c);
        props.apply_licences(&mut c.license, &self.path);
        props.apply_origin(&mut c);
        c.properties = props.rest;
        super::provenance_read::component(&obj, &mut c);

        let refs = obj
            .get("externalReferences")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| Some((str_at(r, "type")?.to_string(), str_at(r, "url")?.to_string())));
        props::apply_source(&mut c, source, refs, &mut self.findings);
        Some(c)
    }

    fn properties(&mut self, obj: &Map<String, Value>, comp: &str) -> Props {
        let pairs = obj
            .get("properties")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| Some((str_at(p, "name")?.to_string(), p.get("value").and_then(scalar)?)));
        let p = Props::parse(&mut self.findings, pairs, comp, "property");
        if p.direct.is_some() {
            self.any_sovereign_direct = true;
        }
        p
    }

    fn hashes(&mut self, obj: &Map<String, Value>) -> Vec<Hash> {
        let mut out = Vec::new();
        for h in obj.get("hashes").and_then(Value::as_array).into_iter().flatten() {
            let (Some(alg), Some(content)) = (str_at(h, "alg"), str_at(h, "content")) else { continue };
            match enum_from::<HashAlg>(alg) {
                Some(alg) => props::push_hash(&mut out, alg, content, &mut self.findings),
                None => {
                    let alg = alg.to_string();
                    self.findings.add(Severity::Note, "sbom-unknown-hash-algorithm", || {
                        format!("hash algorithm `{alg}` has no place in the model; the hash was not kept")
                    })
                }
            }
        }
        out
    }

    /// `licenses`: `{expression}` entries and `{license: {id | name}}` entries, split by `acknowledgement`
    /// (absent means declared). Several entries of one kind are combined with `AND`.
    fn licences(&mut self, obj: &Map<String, Value>, sources: &BTreeMap<String, String>, c: &mut Component) {
        let mut declared = Vec::new();
        let mut concluded = Vec::new();
        for entry in obj.get("licenses").and_then(Value::as_array).into_iter().flatten() {
            let (text, is_expression, ack) = if let Some(e) = str_at(entry, "expression") {
                (e.to_string(), true, str_at(entry, "acknowledgement"))
            } else if let Some(l) = entry.get("license") {
                match (str_at(l, "id"), str_at(l, "name")) {
                    (Some(id), _) => (id.to_string(), true, str_at(l, "acknowledgement")),
                    (None, Some(name)) => (name.to_string(), false, str_at(l, "acknowledgement")),
                    (None, None) => continue,
                }
            } else {
                continue;
            };
            match ack {
                Some("concluded") => concluded.push((text, is_expression)),
                _ => declared.push((text, is_expression)),
            }
        }
        let source = |which: &str| sources.get(which).cloned().unwrap_or_else(|| self.path.clone());
        let declared_source = source("declared");
        let concluded_source = source("concluded");
        c.license.declared = self.combine(declared, declared_source, &c.name);
        c.license.concluded = self.combine(concluded, concluded_source, &c.name);
    }

    fn combine(&mut self, entries: Vec<(String, bool)>, source: String, comp: &str) -> Option<LicenseValue> {
        match entries.len() {
            0 => None,
            1 => {
                let (text, is_expression) = entries.into_iter().next()?;
                Some(if is_expression {
                    LicenseValue::declared(&text, source)
                } else {
                    LicenseValue {
                        expression: text.clone(),
                        original: Some(text),
                        valid: false,
                        source,
                        score: None,
                    }
                })
            }
            n => {
                self.findings.add(Severity::Note, "sbom-licenses-combined", || {
                    format!("{n} licence entries of `{comp}` were combined with AND")
                });
                let text = entries
                    .iter()
                    .map(|(t, _)| if t.contains(' ') { format!("({t})") } else { t.clone() })
                    .collect::<Vec<_>>()
                    .join(" AND ");
                let mut v = LicenseValue::declared(&text, source);
                if entries.iter().any(|(_, e)| !e) {
                    v.valid = false;
                }
                Some(v)
            }
        }
    }
}

fn authors(obj: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    for a in obj.get("authors").and_then(Value::as_array).into_iter().flatten() {
        match (str_at(a, "name"), str_at(a, "email")) {
            (Some(n), Some(e)) => out.push(format!("{n} <{e}>")),
            (Some(n), None) => out.push(n.to_string()),
            (None, Some(e)) => out.push(format!("<{e}>")),
            (None, None) => {}
        }
    }
    if out.is_empty() {
        // CycloneDX 1.4/1.5 `author` is one free-text string.
        if let Some(a) = obj.get("author").and_then(Value::as_str).filter(|a| !a.trim().is_empty()) {
            out.push(a.trim().to_string());
        }
    }
    out
}

fn fingerprint(id: &str) -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn str_at_map<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    m.get(key).and_then(Value::as_str)
}

/// A string, or a number or boolean written as one (some generators write versions as numbers).
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn scalar_at(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(scalar)
}

fn file_stem(path: &str) -> String {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.split('.').next().filter(|s| !s.is_empty()).unwrap_or(name).to_string()
}

// --- streaming: the document is walked key by key; `components` and `dependencies` element by element ---

struct DocSeed<'a>(&'a mut State);

impl<'de> DeserializeSeed<'de> for DocSeed<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a CycloneDX JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.0;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "bomFormat" => {
                    let f: Value = map.next_value()?;
                    if f.as_str() != Some("CycloneDX") {
                        return Err(serde::de::Error::custom("sovereign: not CycloneDX"));
                    }
                }
                "specVersion" => st.spec_version = map.next_value::<Value>()?.as_str().map(str::to_string),
                "metadata" => st.metadata = Some(map.next_value()?),
                "components" => map.next_value_seed(ArraySeed { st: &mut *st, deps: false })?,
                "dependencies" => map.next_value_seed(ArraySeed { st: &mut *st, deps: true })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// `components` (deps = false) or `dependencies` (deps = true), one element at a time; `null` is empty.
struct ArraySeed<'a> {
    st: &'a mut State,
    deps: bool,
}

impl<'de> DeserializeSeed<'de> for ArraySeed<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ArraySeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(v) = seq.next_element::<Value>()? {
            if self.deps {
                let Some(from) = str_at(&v, "ref") else { continue };
                for to in v.get("dependsOn").and_then(Value::as_array).into_iter().flatten() {
                    if let Some(to) = to.as_str() {
                        self.st.raw_edges.push((from.to_string(), to.to_string()));
                    }
                }
            } else {
                self.st.component(v, 0);
            }
        }
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let what = if self.deps { "dependencies" } else { "components" };
        self.st.findings.add(Severity::Warning, "sbom-invalid-component", || {
            format!("`{what}` is an object, not an array; ignored")
        });
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }
}
