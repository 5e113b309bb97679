//! CycloneDX 1.6 JSON writer.
//!
//! Our own facts that CycloneDX has no field for are `properties` named `sovereign:…` (docs/formats.md
//! lists them). Output is deterministic: components sorted by bom-ref, dependencies sorted, the serial
//! number derived from the content, the timestamp from `SOURCE_DATE_EPOCH` when set.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use super::{content_uuid, iri_url};
use crate::model::{Component, ComponentKind, Inventory, ModelFacts, OrganisationRef, Scope, SourceKind};
use crate::util::time::{document_epoch, rfc3339};

/// The bom-ref of the scanned subject in `metadata.component`.
pub const SUBJECT_REF: &str = "sovereign:subject";

/// Serialises the inventory as CycloneDX 1.6 JSON (pretty-printed, trailing newline): the bytes of
/// [`to_value`]. The serial number (a hash of the document's content) is computed on a second thread while
/// the document is printed with a placeholder of the same length, then written over it.
pub fn to_bytes(inv: &Inventory) -> Vec<u8> {
    const PLACEHOLDER: &str = "00000000-0000-0000-0000-000000000000";
    let (meta, components, dependencies) = parts(inv);
    let serial_of = || serial(&meta, &components, &dependencies);
    let (serial, mut out) = std::thread::scope(|s| {
        let hashing = s.spawn(serial_of);
        let doc = Doc {
            bom_format: "CycloneDX",
            spec_version: "1.6",
            serial_number: format!("urn:uuid:{PLACEHOLDER}"),
            version: 1,
            metadata: &meta,
            components: &components,
            dependencies: &dependencies,
        };
        let out = super::pretty_bytes_of(&doc, inv.components.len());
        // A failed thread: the same hash on this one.
        (hashing.join().unwrap_or_else(|_| serial_of()), out)
    });
    let needle = format!("\"serialNumber\": \"urn:uuid:{PLACEHOLDER}\"");
    if let Some(at) = memchr::memmem::find(&out, needle.as_bytes()) {
        let start = at + needle.len() - 1 - PLACEHOLDER.len();
        out[start..start + PLACEHOLDER.len()].copy_from_slice(serial.as_bytes());
    }
    super::free_later((meta, components, dependencies));
    out
}

/// The top level of a CycloneDX document, in the order [`to_value`] gives its keys.
#[derive(serde::Serialize)]
struct Doc<'a> {
    #[serde(rename = "bomFormat")]
    bom_format: &'static str,
    #[serde(rename = "specVersion")]
    spec_version: &'static str,
    #[serde(rename = "serialNumber")]
    serial_number: String,
    version: u32,
    metadata: &'a Map<String, Value>,
    components: &'a Value,
    dependencies: &'a Value,
}

/// The serial number is derived from what the document says (everything but the timestamp), so a
/// document read back and written again keeps its serial number.
fn serial(meta: &Map<String, Value>, components: &Value, dependencies: &Value) -> String {
    let part = |k: &str| meta.get(k).cloned().unwrap_or(Value::Null);
    content_uuid(&[&part("component"), &part("properties"), components, dependencies])
}

/// The CycloneDX document as a JSON value.
pub fn to_value(inv: &Inventory) -> Value {
    let (meta, components, dependencies) = parts(inv);
    let serial = serial(&meta, &components, &dependencies);
    // Built by moving the parts in: `json!` would copy each of them through the serializer.
    let mut doc = Map::new();
    doc.insert("bomFormat".into(), json!("CycloneDX"));
    doc.insert("specVersion".into(), json!("1.6"));
    doc.insert("serialNumber".into(), Value::String(format!("urn:uuid:{serial}")));
    doc.insert("version".into(), json!(1));
    doc.insert("metadata".into(), Value::Object(meta));
    doc.insert("components".into(), components);
    doc.insert("dependencies".into(), dependencies);
    Value::Object(doc)
}

/// The document's metadata, components and dependencies.
fn parts(inv: &Inventory) -> (Map<String, Value>, Value, Value) {
    let mut meta = Map::new();
    meta.insert("timestamp".into(), json!(rfc3339(document_epoch())));
    meta.insert(
        "tools".into(),
        json!({"components": [{
            "type": "application",
            "name": "sovereign",
            "version": env!("CARGO_PKG_VERSION"),
            "externalReferences": [{"type": "website", "url": super::conformance::TOOL_URL}],
        }]}),
    );
    super::conformance::cdx_creator(inv, &mut meta);
    // CISA's "generation context": made from a source tree's manifests and lockfiles, before any build.
    meta.insert("lifecycles".into(), json!([{"phase": "pre-build"}]));
    let mut subject_value = subject(inv);
    provenance_summary(&mut subject_value, inv);
    meta.insert("component".into(), subject_value);
    let diag_props: Vec<Value> = inv
        .creator
        .iter()
        .map(|c| prop("sovereign:creator", c))
        .chain(inv.diagnostics.iter().map(|d| prop("sovereign:diagnostic", &d.to_string())))
        .collect();
    if !diag_props.is_empty() {
        meta.insert("properties".into(), Value::Array(diag_props));
    }

    let one =
        |c: &Component| super::conformance::cdx_component(inv, c, with_provenance(inv, c, component(c)));
    let components = Value::Array(super::par_map(&inv.components, one));
    let dependencies = Value::Array(dependencies(inv));
    (meta, components, dependencies)
}

fn prop(name: &str, value: &str) -> Value {
    json!({"name": name, "value": value})
}

fn subject(inv: &Inventory) -> Value {
    let s = &inv.subject;
    let mut c = Map::new();
    c.insert("type".into(), json!("application"));
    c.insert("bom-ref".into(), json!(SUBJECT_REF));
    c.insert("name".into(), json!(s.name));
    if let Some(v) = super::conformance::subject_version(s) {
        c.insert("version".into(), json!(v));
    }
    if let Some(url) = &s.url {
        let mut r = json!({"type": "vcs", "url": iri_url(url)});
        if let Some(commit) = &s.commit {
            r["comment"] = json!(format!("commit {commit}"));
        }
        c.insert("externalReferences".into(), json!([r]));
    }
    let mut props = Vec::new();
    if let Some(commit) = &s.commit {
        props.push(prop("sovereign:commit", commit));
    }
    if let Some(r) = &s.reference {
        props.push(prop("sovereign:ref", r));
    }
    if let Some(d) = &s.digest {
        props.push(prop("sovereign:digest", d));
    }
    let (licenses, license_props) = super::cdx_license::licenses(&inv.license);
    if let Some(l) = licenses {
        c.insert("licenses".into(), l);
    }
    for (name, value) in license_props {
        props.push(prop(name, &value));
    }
    if !props.is_empty() {
        c.insert("properties".into(), Value::Array(props));
    }
    Value::Object(c)
}

fn cdx_type(kind: ComponentKind) -> &'static str {
    match kind {
        ComponentKind::Application => "application",
        ComponentKind::MlModel => "machine-learning-model",
        ComponentKind::Library | ComponentKind::VendoredSource | ComponentKind::Submodule => "library",
    }
}

fn cdx_scope(scope: Scope) -> &'static str {
    match scope {
        Scope::Runtime => "required",
        Scope::Optional => "optional",
        Scope::Build | Scope::Dev | Scope::Test | Scope::Example | Scope::Docs => "excluded",
    }
}

fn component(comp: &Component) -> Value {
    let mut c = Map::new();
    c.insert("type".into(), json!(cdx_type(comp.kind)));
    c.insert("bom-ref".into(), json!(comp.id));
    if let Some(ns) = &comp.namespace {
        c.insert("group".into(), json!(ns));
    }
    if let Some(org) = &comp.origin.organisation {
        c.insert("supplier".into(), supplier(org));
    }
    c.insert("name".into(), json!(comp.name));
    if let Some(v) = &comp.version {
        c.insert("version".into(), json!(v));
    }
    if let Some(d) = &comp.description {
        c.insert("description".into(), json!(d));
    }
    if !comp.authors.is_empty() {
        c.insert("authors".into(), Value::Array(comp.authors.iter().map(|a| author(a)).collect()));
    }
    c.insert("scope".into(), json!(cdx_scope(comp.scope)));
    if !comp.hashes.is_empty() {
        let hs: Vec<Value> =
            comp.hashes.iter().map(|h| json!({"alg": h.alg.as_str(), "content": h.value})).collect();
        c.insert("hashes".into(), Value::Array(hs));
    }
    if let (Some(l), _) = super::cdx_license::licenses(&comp.license) {
        c.insert("licenses".into(), l);
    }
    if let Some(p) = &comp.purl {
        c.insert("purl".into(), json!(p));
    }
    let refs = external_references(comp);
    if !refs.is_empty() {
        c.insert("externalReferences".into(), Value::Array(refs));
    }
    if let Some(e) = super::cdx_license::evidence(&comp.license) {
        c.insert("evidence".into(), e);
    }
    c.insert("properties".into(), Value::Array(properties(comp)));
    Value::Object(c)
}

/// `Name <mail@host>` → `{name, email}`; the e-mail is kept only when it is plainly one.
fn author(a: &str) -> Value {
    if let (Some(lt), Some(gt)) = (a.find('<'), a.rfind('>')) {
        if lt < gt {
            let name = a[..lt].trim();
            let email = a[lt + 1..gt].trim();
            let plain =
                email.contains('@') && !email.chars().any(|c| c.is_whitespace() || c == '<' || c == '>');
            let mut v = Map::new();
            v.insert("name".into(), json!(if name.is_empty() { email } else { name }));
            if plain {
                v.insert("email".into(), json!(email));
            }
            return Value::Object(v);
        }
    }
    json!({"name": a.trim()})
}

pub(crate) fn external_references(comp: &Component) -> Vec<Value> {
    let mut refs = Vec::new();
    let mut seen = BTreeSet::new();
    let mut push = |ty: &str, url: &str, refs: &mut Vec<Value>| {
        let url = iri_url(url);
        if !url.is_empty()
            && !url.chars().any(char::is_whitespace)
            && seen.insert((ty.to_string(), url.clone()))
        {
            refs.push(json!({"type": ty, "url": url}));
        }
    };
    if let Some(r) = &comp.repository {
        push("vcs", r, &mut refs);
    }
    if let Some(h) = &comp.homepage {
        push("website", h, &mut refs);
    }
    match &comp.source {
        Some(SourceKind::Git { url, .. }) => push("vcs", url, &mut refs),
        Some(SourceKind::Url { url }) => push("distribution", url, &mut refs),
        Some(SourceKind::Registry { url: Some(u) }) => push("distribution", u, &mut refs),
        _ => {}
    }
    refs
}

pub(crate) fn properties(comp: &Component) -> Vec<Value> {
    let mut p = vec![
        prop("sovereign:ecosystem", comp.ecosystem.as_str()),
        prop("sovereign:kind", comp.kind.as_str()),
        prop("sovereign:scope", comp.scope.as_str()),
        prop("sovereign:direct", if comp.direct { "true" } else { "false" }),
    ];
    if let Some(r) = &comp.requirement {
        p.push(prop("sovereign:requirement", r));
    }
    match &comp.source {
        Some(SourceKind::Registry { .. }) => p.push(prop("sovereign:source", "registry")),
        Some(SourceKind::Git { commit, reference, .. }) => {
            p.push(prop("sovereign:source", "git"));
            if let Some(c) = commit {
                p.push(prop("sovereign:git-commit", c));
            }
            if let Some(r) = reference {
                p.push(prop("sovereign:git-ref", r));
            }
        }
        Some(SourceKind::Path { path }) => {
            p.push(prop("sovereign:source", "path"));
            if !path.is_empty() {
                p.push(prop("sovereign:path", path));
            }
        }
        Some(SourceKind::Url { .. }) => p.push(prop("sovereign:source", "url")),
        Some(SourceKind::Local) => p.push(prop("sovereign:source", "local")),
        None => {}
    }
    for loc in &comp.found_in {
        p.push(prop("sovereign:found-in", &loc.to_string()));
    }
    if let Some(l) = &comp.license.declared {
        p.push(prop("sovereign:license:declared:source", &l.source));
    }
    for (name, value) in super::cdx_license::licenses(&comp.license).1 {
        p.push(prop(name, &value));
    }
    if let Some(country) = &comp.origin.country {
        p.push(prop("sovereign:origin:country", country));
        p.push(prop("sovereign:origin:confidence", &format!("{:.2}", comp.origin.confidence)));
    } else if !comp.origin.evidence.is_empty() {
        p.push(prop("sovereign:origin:country", "unknown"));
        p.push(prop("sovereign:origin:confidence", &format!("{:.2}", comp.origin.confidence)));
    }
    if let Some(basis) = &comp.origin.basis {
        p.push(prop("sovereign:origin:basis", basis));
    }
    p.extend(facet_properties(&comp.origin));
    if let Some(org) = &comp.origin.organisation {
        p.push(prop("sovereign:origin:organisation", &org.name));
        p.push(prop("sovereign:origin:organisation-country", &org.country));
        if let Some(u) = &org.url {
            p.push(prop("sovereign:origin:organisation-url", u));
        }
        if let Some(pc) = &org.parent_country {
            p.push(prop("sovereign:origin:parent-country", pc));
        }
    }
    for e in &comp.origin.evidence {
        p.push(prop("sovereign:origin:evidence", &crate::enrich::origin::evidence_text(e)));
    }
    for (k, v) in &comp.properties {
        p.push(prop(&format!("sovereign:{k}"), v));
    }
    p
}

/// The origin facets as properties (docs/origin.md): `sovereign:origin:countries` (every country,
/// sorted, comma-separated) and per facet `sovereign:origin:<facet>:country` (sorted, comma-separated)
/// and `:confidence` (the facet's highest).
pub(crate) fn facet_properties(o: &crate::model::Origin) -> Vec<Value> {
    let mut p = Vec::new();
    if !o.countries.is_empty() {
        p.push(prop("sovereign:origin:countries", &o.countries.join(",")));
    }
    for (facet, fo) in &o.facets {
        if fo.countries.is_empty() {
            continue;
        }
        let mut cc: Vec<&str> = fo.countries.iter().map(|c| c.country.as_str()).collect();
        cc.sort();
        p.push(prop(&format!("sovereign:origin:{facet}:country"), &cc.join(",")));
        p.push(prop(&format!("sovereign:origin:{facet}:confidence"), &format!("{:.2}", fo.confidence())));
    }
    p
}

/// The CycloneDX `supplier` of an identified organisation: name, web site, headquarters country.
fn supplier(org: &OrganisationRef) -> Value {
    let mut s = Map::new();
    s.insert("name".into(), json!(org.name));
    if let Some(u) = &org.url {
        s.insert("url".into(), json!([u]));
    }
    if !org.country.is_empty() {
        s.insert("address".into(), json!({"country": org.country}));
    }
    Value::Object(s)
}

pub(crate) fn dependencies(inv: &Inventory) -> Vec<Value> {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut has_parent: BTreeSet<&str> = BTreeSet::new();
    for c in &inv.components {
        graph.entry(c.id.as_str()).or_default();
    }
    for e in &inv.edges {
        graph.entry(e.from.as_str()).or_default().insert(e.to.as_str());
        has_parent.insert(e.to.as_str());
    }
    let roots: BTreeSet<&str> =
        inv.components.iter().map(|c| c.id.as_str()).filter(|id| !has_parent.contains(id)).collect();
    let mut out = vec![json!({"ref": SUBJECT_REF, "dependsOn": roots})];
    for (from, to) in graph {
        out.push(json!({"ref": from, "dependsOn": to}));
    }
    out
}

/// The provenance stage's summary as properties of the subject: the submitter's own holders, what was
/// read and skipped, root licence files, ML frameworks, and the git history context.
fn provenance_summary(subject: &mut Value, inv: &Inventory) {
    let p = &inv.provenance;
    if p.is_empty() {
        return;
    }
    let mut props = Vec::new();
    for h in &p.own_holders {
        props.push(prop(
            "sovereign:provenance:own-holder",
            &format!("{} ({}, {} file(s))", h.holder, h.first, h.files),
        ));
    }
    props.push(prop("sovereign:provenance:files-scanned", &p.files_scanned.to_string()));
    props.push(prop("sovereign:provenance:bytes-scanned", &p.bytes_scanned.to_string()));
    for t in &p.skipped {
        props.push(prop(&format!("sovereign:provenance:skipped:{}", t.value), &t.count.to_string()));
    }
    for l in &p.license_files {
        props.push(prop("sovereign:provenance:license-file", l));
    }
    for f in &p.ml_frameworks {
        props.push(prop("sovereign:provenance:ml-framework", f));
    }
    if let Some(h) = &p.history {
        props.push(prop("sovereign:history:commits", &h.commits.to_string()));
        if h.truncated {
            props.push(prop("sovereign:history:truncated", "true"));
        }
        for t in &h.time_zones {
            props.push(prop("sovereign:history:time-zone", &format!("{} {}", t.value, t.count)));
        }
        for t in &h.email_domains {
            props.push(prop("sovereign:history:email-domain", &format!("{} {}", t.value, t.count)));
        }
    }
    if let Some(obj) = subject.as_object_mut() {
        match obj.get_mut("properties").and_then(Value::as_array_mut) {
            Some(existing) => existing.extend(props),
            None => {
                obj.insert("properties".into(), Value::Array(props));
            }
        }
    }
}

/// Adds what the provenance stage found to a component: `evidence` (occurrences with the rule that
/// matched, copyright texts), a `modelCard` and `pedigree.ancestors` (base models) for models.
fn with_provenance(inv: &Inventory, comp: &Component, mut value: Value) -> Value {
    let Some(obj) = value.as_object_mut() else { return value };
    // Added to the licence evidence the component may already carry (`evidence.licenses`).
    let mut evidence = match obj.remove("evidence") {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    if !comp.occurrences.is_empty() {
        let occ: Vec<Value> = comp
            .occurrences
            .iter()
            .map(|o| {
                let mut v = Map::new();
                v.insert("location".into(), json!(o.location.path));
                if let Some(l) = o.location.line {
                    v.insert("line".into(), json!(l));
                }
                let ctx = match &o.text {
                    Some(t) => format!("{}: {t}", o.rule),
                    None => o.rule.clone(),
                };
                v.insert("additionalContext".into(), json!(ctx));
                Value::Object(v)
            })
            .collect();
        evidence.insert("occurrences".into(), Value::Array(occ));
    }
    if !comp.copyrights.is_empty() {
        let texts: Vec<Value> = comp.copyrights.iter().map(|t| json!({"text": t})).collect();
        evidence.insert("copyright".into(), Value::Array(texts));
    }
    if !evidence.is_empty() {
        obj.insert("evidence".into(), Value::Object(evidence));
    }
    if comp.kind != ComponentKind::MlModel {
        return value;
    }
    let Some(m) = &comp.model else { return value };
    if let Some(card) = model_card(m) {
        obj.insert("modelCard".into(), card);
    }
    let ancestors: Vec<Value> = m
        .base_models
        .iter()
        .filter_map(|b| {
            let base = inv.component(&b.component)?;
            let mut a = Map::new();
            a.insert("type".into(), json!(cdx_type(base.kind)));
            if let Some(ns) = &base.namespace {
                a.insert("group".into(), json!(ns));
            }
            a.insert("name".into(), json!(base.name));
            if let Some(v) = &base.version {
                a.insert("version".into(), json!(v));
            }
            if let Some(p) = &base.purl {
                a.insert("purl".into(), json!(p));
            }
            let mut props = Vec::new();
            if let Some(r) = &b.relation {
                props.push(prop("sovereign:base-model-relation", r));
            }
            // The ancestor's own origin: where this model's weights start.
            if let Some(cc) = &base.origin.country {
                props.push(prop("sovereign:origin:country", cc));
                props.push(prop("sovereign:origin:confidence", &format!("{:.2}", base.origin.confidence)));
            }
            props.extend(facet_properties(&base.origin));
            if let Some(org) = &base.origin.organisation {
                a.insert("supplier".into(), supplier(org));
            }
            if !props.is_empty() {
                a.insert("properties".into(), Value::Array(props));
            }
            Some(Value::Object(a))
        })
        .collect();
    if !ancestors.is_empty() {
        obj.insert("pedigree".into(), json!({"ancestors": ancestors}));
    }
    value
}

/// A CycloneDX modelCard with only what a file stated; `None` when nothing is known.
fn model_card(m: &ModelFacts) -> Option<Value> {
    let mut params = Map::new();
    if let Some(t) = &m.task {
        params.insert("task".into(), json!(t));
    }
    if let Some(f) = &m.family {
        params.insert("architectureFamily".into(), json!(f));
    }
    if let Some(a) = m.architectures.first().or(m.model_type.as_ref()) {
        params.insert("modelArchitecture".into(), json!(a));
    }
    if !m.datasets.is_empty() {
        let ds: Vec<Value> = m.datasets.iter().map(|d| json!({"type": "dataset", "name": d})).collect();
        params.insert("datasets".into(), Value::Array(ds));
    }
    let mut props = vec![prop("sovereign:model:hub", &m.hub)];
    if let Some(t) = &m.model_type {
        props.push(prop("sovereign:model:type", t));
    }
    if let Some(l) = &m.library {
        props.push(prop("sovereign:model:library", l));
    }
    if let Some(n) = m.parameter_count {
        props.push(prop("sovereign:model:parameter-count", &n.to_string()));
    }
    if let Some(n) = m.tensor_count {
        props.push(prop("sovereign:model:tensor-count", &n.to_string()));
    }
    for f in &m.file_formats {
        props.push(prop("sovereign:model:file-format", f));
    }
    let mut card = Map::new();
    if !params.is_empty() {
        card.insert("modelParameters".into(), Value::Object(params));
    }
    card.insert("properties".into(), Value::Array(props));
    Some(Value::Object(card))
}
