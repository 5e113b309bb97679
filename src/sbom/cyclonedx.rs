//! CycloneDX 1.6 JSON writer.
//!
//! Our own facts that CycloneDX has no field for are `properties` named `sovereign:…` (docs/formats.md
//! lists them). Output is deterministic: components sorted by bom-ref, dependencies sorted, the serial
//! number derived from the content, the timestamp from `SOURCE_DATE_EPOCH` when set.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::{cdx_license, conformance, iri_url, ContentHasher};
use crate::model::{Component, ComponentKind, Inventory, ModelFacts, OrganisationRef, Scope, SourceKind};
use crate::util::time::{document_epoch, rfc3339};

/// The bom-ref of the scanned subject in `metadata.component`.
pub const SUBJECT_REF: &str = "sovereign:subject";

/// Serialises the inventory as CycloneDX 1.6 JSON (pretty-printed, trailing newline): the bytes of
/// [`to_value`], printed straight from the model (components and dependencies are never built as a JSON
/// value tree: for a large SBOM that tree was most of the writer's time and memory). The document is
/// serialised once, compact, with a placeholder serial number; the serial number (a hash of the
/// document's content, [`serial`]) is computed from those bytes and written over the placeholder, and the
/// compact bytes are laid out pretty ([`super::pretty_from_compact`]): serialising it a second time, for
/// the hash, cost as much as printing it.
pub fn to_bytes(inv: &Inventory) -> Vec<u8> {
    const PLACEHOLDER: &str = "00000000-0000-0000-0000-000000000000";
    let (meta, components, dependencies) = parts(inv);
    // The fields of `Doc`, in its order.
    let mut compact = Vec::with_capacity(1536 * (inv.components.len() + 32));
    compact.extend_from_slice(
        b"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"serialNumber\":\"urn:uuid:",
    );
    let serial_at = compact.len();
    compact.extend_from_slice(PLACEHOLDER.as_bytes());
    compact.extend_from_slice(b"\",\"version\":1,\"metadata\":");
    let fine = "JSON documents always serialise";
    serde_json::to_writer(&mut compact, &meta).expect(fine);
    compact.extend_from_slice(b",\"components\":");
    let components_at = compact.len();
    serde_json::to_writer(&mut compact, &components[..]).expect(fine);
    let components_end = compact.len();
    compact.extend_from_slice(b",\"dependencies\":");
    let dependencies_at = compact.len();
    serde_json::to_writer(&mut compact, &dependencies[..]).expect(fine);
    let dependencies_end = compact.len();
    compact.push(b'}');
    let serial = serial(&meta, |h| {
        h.add_compact(&compact[components_at..components_end]);
        h.add_compact(&compact[dependencies_at..dependencies_end]);
    });
    compact[serial_at..serial_at + PLACEHOLDER.len()].copy_from_slice(serial.as_bytes());
    let mut out = Vec::with_capacity(compact.len() + compact.len() / 2);
    super::pretty_from_compact(&compact, &mut out);
    out.push(b'\n');
    out
}

/// The top level of a CycloneDX document.
#[derive(Serialize)]
struct Doc<'a> {
    #[serde(rename = "bomFormat")]
    bom_format: &'static str,
    #[serde(rename = "specVersion")]
    spec_version: &'static str,
    #[serde(rename = "serialNumber")]
    serial_number: String,
    version: u32,
    metadata: &'a Map<String, Value>,
    components: &'a [CdxComponent<'a>],
    dependencies: &'a [Dependency<'a>],
}

/// The serial number is derived from what the document says (everything but the timestamp), so a
/// document read back and written again keeps its serial number: the compact JSON of the subject, the
/// metadata properties, the components and the dependencies, each followed by a 0 byte. `components_and_
/// dependencies` adds the last two: serialised here ([`to_value`]) or taken from the compact document
/// about to be printed ([`to_bytes`]).
fn serial(meta: &Map<String, Value>, components_and_dependencies: impl FnOnce(&mut ContentHasher)) -> String {
    let mut h = ContentHasher::default();
    h.add(meta.get("component").unwrap_or(&Value::Null));
    h.add(meta.get("properties").unwrap_or(&Value::Null));
    components_and_dependencies(&mut h);
    h.uuid()
}

/// The CycloneDX document as a JSON value (the same document [`to_bytes`] prints).
pub fn to_value(inv: &Inventory) -> Value {
    let (meta, components, dependencies) = parts(inv);
    let doc = Doc {
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: format!(
            "urn:uuid:{}",
            serial(&meta, |h| {
                h.add(&components[..]);
                h.add(&dependencies[..]);
            })
        ),
        version: 1,
        metadata: &meta,
        components: &components,
        dependencies: &dependencies,
    };
    serde_json::to_value(&doc).expect("JSON documents always serialise")
}

/// The document's metadata, and its components and dependencies ready to be serialised.
fn parts(inv: &Inventory) -> (Map<String, Value>, Vec<CdxComponent<'_>>, Vec<Dependency<'_>>) {
    let mut meta = Map::new();
    meta.insert("timestamp".into(), json!(rfc3339(document_epoch())));
    meta.insert(
        "tools".into(),
        json!({"components": [{
            "type": "application",
            "name": "sovereign",
            "version": env!("CARGO_PKG_VERSION"),
            "externalReferences": [{"type": "website", "url": conformance::TOOL_URL}],
        }]}),
    );
    conformance::cdx_creator(inv, &mut meta);
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
    let components = inv.components.iter().map(|c| CdxComponent { inv, c }).collect();
    (meta, components, dependencies(inv))
}

fn prop(name: &str, value: &str) -> Value {
    json!({"name": name, "value": value})
}

/// A CycloneDX property, `{name, value}`, borrowed from the model where it can be.
#[derive(Serialize)]
pub(crate) struct Prop<'a> {
    pub name: Cow<'a, str>,
    pub value: Cow<'a, str>,
}

impl<'a> Prop<'a> {
    pub(crate) fn new(name: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> Self {
        Prop { name: name.into(), value: value.into() }
    }
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
    let (licenses, license_props) = cdx_license::licenses(&inv.license);
    if let Some(l) = licenses {
        c.insert("licenses".into(), json!(l));
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

/// One component as CycloneDX writes it, serialised straight from the model.
///
/// Keys in this order: `type`, `bom-ref`, `group`, `supplier` (an identified organisation), `name`,
/// `version` (its own, else [`conformance::version_for`]), `description`, `authors`, `scope`, `hashes`,
/// `licenses`, `purl`, `externalReferences`, `properties`; then `modelCard` and `pedigree` for models and
/// the namespace `supplier` when no organisation is identified (the last of these first when the
/// component has evidence of its own: the order the writer has always given, which serial numbers of
/// earlier documents depend on); `evidence` last (`licenses`, `copyright`, `occurrences`, `identity`).
pub(crate) struct CdxComponent<'a> {
    inv: &'a Inventory,
    c: &'a Component,
}

impl Serialize for CdxComponent<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (inv, c) = (self.inv, self.c);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("type", cdx_type(c.kind))?;
        m.serialize_entry("bom-ref", &c.id)?;
        if let Some(ns) = &c.namespace {
            m.serialize_entry("group", ns)?;
        }
        if let Some(org) = &c.origin.organisation {
            m.serialize_entry("supplier", &Supplier(org))?;
        }
        m.serialize_entry("name", &c.name)?;
        if let Some(v) = c.version.as_deref().or_else(|| conformance::version_for(c, inv)) {
            m.serialize_entry("version", v)?;
        }
        if let Some(d) = &c.description {
            m.serialize_entry("description", d)?;
        }
        if !c.authors.is_empty() {
            m.serialize_entry("authors", &SeqOf(|| c.authors.iter().map(|a| Author::of(a))))?;
        }
        m.serialize_entry("scope", cdx_scope(c.scope))?;
        if !c.hashes.is_empty() {
            let hashes = || c.hashes.iter().map(|h| HashEntry { alg: h.alg.as_str(), content: &h.value });
            m.serialize_entry("hashes", &SeqOf(hashes))?;
        }
        let (licenses, license_props) = cdx_license::licenses(&c.license);
        if let Some(l) = &licenses {
            m.serialize_entry("licenses", l)?;
        }
        if let Some(p) = &c.purl {
            m.serialize_entry("purl", p)?;
        }
        let refs = external_references(c);
        if !refs.is_empty() {
            m.serialize_entry("externalReferences", &refs)?;
        }
        m.serialize_entry("properties", &properties_with(c, license_props))?;
        let evidence = Evidence::of(c);
        let mut tail: Vec<(&str, Value)> = Vec::new();
        if let Some(model) = c.model.as_ref().filter(|_| c.kind == ComponentKind::MlModel) {
            if let Some(card) = model_card(model) {
                tail.push(("modelCard", card));
            }
            if let Some(p) = pedigree(inv, model) {
                tail.push(("pedigree", p));
            }
        }
        if c.origin.organisation.is_none() {
            if let Some(s) = conformance::supplier_for(c).filter(|s| s.basis == "namespace") {
                tail.push(("supplier", json!({"name": s.actor.trim_start_matches("Organization:").trim()})));
            }
        }
        if evidence.own && !tail.is_empty() {
            tail.rotate_right(1);
        }
        for (k, v) in &tail {
            m.serialize_entry(k, v)?;
        }
        if !evidence.is_empty() {
            m.serialize_entry("evidence", &evidence)?;
        }
        m.end()
    }
}

/// A sequence serialised from an iterator made on demand, with nothing collected.
struct SeqOf<F>(F);

impl<F, I> Serialize for SeqOf<F>
where
    F: Fn() -> I,
    I: IntoIterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

#[derive(Serialize)]
struct HashEntry<'a> {
    alg: &'a str,
    content: &'a str,
}

/// `Name <mail@host>` → `{name, email}`; the e-mail is kept only when it is plainly one.
#[derive(Serialize)]
struct Author<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
}

impl<'a> Author<'a> {
    fn of(a: &'a str) -> Self {
        if let (Some(lt), Some(gt)) = (a.find('<'), a.rfind('>')) {
            if lt < gt {
                let name = a[..lt].trim();
                let email = a[lt + 1..gt].trim();
                let plain =
                    email.contains('@') && !email.chars().any(|c| c.is_whitespace() || c == '<' || c == '>');
                return Author {
                    name: if name.is_empty() { email } else { name },
                    email: plain.then_some(email),
                };
            }
        }
        Author { name: a.trim(), email: None }
    }
}

/// An external reference, `{type, url}`.
#[derive(Serialize)]
pub(crate) struct ExternalRef {
    #[serde(rename = "type")]
    pub ty: &'static str,
    pub url: String,
}

pub(crate) fn external_references(comp: &Component) -> Vec<ExternalRef> {
    let mut refs: Vec<ExternalRef> = Vec::new();
    let mut push = |ty: &'static str, url: &str| {
        let url = iri_url(url);
        if !url.is_empty()
            && !url.chars().any(char::is_whitespace)
            && !refs.iter().any(|r| r.ty == ty && r.url == url)
        {
            refs.push(ExternalRef { ty, url });
        }
    };
    if let Some(r) = &comp.repository {
        push("vcs", r);
    }
    if let Some(h) = &comp.homepage {
        push("website", h);
    }
    match &comp.source {
        Some(SourceKind::Git { url, .. }) => push("vcs", url),
        Some(SourceKind::Url { url }) => push("distribution", url),
        Some(SourceKind::Registry { url: Some(u) }) => push("distribution", u),
        _ => {}
    }
    refs
}

/// The `sovereign:*` properties of a component (docs/formats.md), for all three writers.
pub(crate) fn properties(comp: &Component) -> Vec<Prop<'_>> {
    properties_with(comp, cdx_license::licenses(&comp.license).1)
}

/// [`properties`] with the licence values [`cdx_license::licenses`] left to properties.
fn properties_with<'a>(comp: &'a Component, license_props: Vec<(&'static str, String)>) -> Vec<Prop<'a>> {
    let mut p = vec![
        Prop::new("sovereign:ecosystem", comp.ecosystem.as_str()),
        Prop::new("sovereign:kind", comp.kind.as_str()),
        Prop::new("sovereign:scope", comp.scope.as_str()),
        Prop::new("sovereign:direct", if comp.direct { "true" } else { "false" }),
    ];
    if let Some(r) = &comp.requirement {
        p.push(Prop::new("sovereign:requirement", r));
    }
    match &comp.source {
        Some(SourceKind::Registry { .. }) => p.push(Prop::new("sovereign:source", "registry")),
        Some(SourceKind::Git { commit, reference, .. }) => {
            p.push(Prop::new("sovereign:source", "git"));
            if let Some(c) = commit {
                p.push(Prop::new("sovereign:git-commit", c));
            }
            if let Some(r) = reference {
                p.push(Prop::new("sovereign:git-ref", r));
            }
        }
        Some(SourceKind::Path { path }) => {
            p.push(Prop::new("sovereign:source", "path"));
            if !path.is_empty() {
                p.push(Prop::new("sovereign:path", path));
            }
        }
        Some(SourceKind::Url { .. }) => p.push(Prop::new("sovereign:source", "url")),
        Some(SourceKind::Local) => p.push(Prop::new("sovereign:source", "local")),
        None => {}
    }
    for loc in &comp.found_in {
        p.push(Prop::new("sovereign:found-in", loc.to_string()));
    }
    if let Some(l) = &comp.license.declared {
        p.push(Prop::new("sovereign:license:declared:source", &l.source));
    }
    for (name, value) in license_props {
        p.push(Prop::new(name, value));
    }
    let o = &comp.origin;
    if o.country.is_some() || !o.evidence.is_empty() {
        p.push(Prop::new("sovereign:origin:country", o.country.as_deref().unwrap_or("unknown")));
        p.push(Prop::new("sovereign:origin:confidence", format!("{:.2}", o.confidence)));
    }
    if let Some(basis) = &o.basis {
        p.push(Prop::new("sovereign:origin:basis", basis));
    }
    p.extend(facet_properties(o));
    if let Some(org) = &o.organisation {
        p.push(Prop::new("sovereign:origin:organisation", &org.name));
        p.push(Prop::new("sovereign:origin:organisation-country", &org.country));
        if let Some(u) = &org.url {
            p.push(Prop::new("sovereign:origin:organisation-url", u));
        }
        if let Some(pc) = &org.parent_country {
            p.push(Prop::new("sovereign:origin:parent-country", pc));
        }
    }
    for e in &o.evidence {
        p.push(Prop::new("sovereign:origin:evidence", crate::enrich::origin::evidence_text(e)));
    }
    for (k, v) in &comp.properties {
        p.push(Prop::new(format!("sovereign:{k}"), v));
    }
    p
}

/// The origin facets as properties (docs/origin.md): `sovereign:origin:countries` (every country,
/// sorted, comma-separated) and per facet `sovereign:origin:<facet>:country` (sorted, comma-separated)
/// and `:confidence` (the facet's highest).
pub(crate) fn facet_properties(o: &crate::model::Origin) -> Vec<Prop<'static>> {
    let mut p = Vec::new();
    if !o.countries.is_empty() {
        p.push(Prop::new("sovereign:origin:countries", o.countries.join(",")));
    }
    for (facet, fo) in &o.facets {
        if fo.countries.is_empty() {
            continue;
        }
        let mut cc: Vec<&str> = fo.countries.iter().map(|c| c.country.as_str()).collect();
        cc.sort();
        p.push(Prop::new(format!("sovereign:origin:{facet}:country"), cc.join(",")));
        p.push(Prop::new(format!("sovereign:origin:{facet}:confidence"), format!("{:.2}", fo.confidence())));
    }
    p
}

/// The CycloneDX `supplier` of an identified organisation: name, web site, headquarters country.
struct Supplier<'a>(&'a OrganisationRef);

impl Serialize for Supplier<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let org = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("name", &org.name)?;
        if let Some(u) = &org.url {
            m.serialize_entry("url", &[u])?;
        }
        if !org.country.is_empty() {
            m.serialize_entry("address", &json!({"country": org.country}))?;
        }
        m.end()
    }
}

/// An entry of `dependencies`.
#[derive(Serialize)]
pub(crate) struct Dependency<'a> {
    #[serde(rename = "ref")]
    from: &'a str,
    #[serde(rename = "dependsOn")]
    to: BTreeSet<&'a str>,
}

/// The subject depends on every component nothing else depends on; every component has an entry.
pub(crate) fn dependencies(inv: &Inventory) -> Vec<Dependency<'_>> {
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
    let mut out = vec![Dependency { from: SUBJECT_REF, to: roots }];
    out.extend(graph.into_iter().map(|(from, to)| Dependency { from, to }));
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

/// A component's `evidence`: detected licences, the copyright notices and occurrences the provenance
/// stage found (with the rule that matched), every place the component was declared or locked
/// ([`conformance::FOUND_IN_CONTEXT`]), and `identity` where its purl was inferred.
#[derive(Serialize)]
struct Evidence<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    licenses: Option<Vec<cdx_license::Entry<'a>>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    copyright: Vec<CopyrightText<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    occurrences: Vec<Occurrence<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    identity: Option<Value>,
    /// Whether the component had evidence before the places it was found in (see [`CdxComponent`]).
    #[serde(skip)]
    own: bool,
}

#[derive(Serialize)]
struct CopyrightText<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct Occurrence<'a> {
    location: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
    #[serde(rename = "additionalContext")]
    context: Cow<'a, str>,
}

impl<'a> Evidence<'a> {
    fn of(c: &'a Component) -> Self {
        let licenses = cdx_license::evidence(&c.license);
        let own = licenses.is_some() || !c.occurrences.is_empty() || !c.copyrights.is_empty();
        let mut occurrences: Vec<Occurrence> = c
            .occurrences
            .iter()
            .map(|o| Occurrence {
                location: &o.location.path,
                line: o.location.line,
                context: match &o.text {
                    Some(t) => Cow::Owned(format!("{}: {t}", o.rule)),
                    None => Cow::Borrowed(&o.rule),
                },
            })
            .collect();
        for l in &c.found_in {
            if !occurrences.iter().any(|o| o.location == l.path && o.line == l.line) {
                occurrences.push(Occurrence {
                    location: &l.path,
                    line: l.line,
                    context: Cow::Borrowed(conformance::FOUND_IN_CONTEXT),
                });
            }
        }
        Evidence {
            licenses,
            copyright: c.copyrights.iter().map(|t| CopyrightText { text: t }).collect(),
            occurrences,
            identity: conformance::identity(c),
            own,
        }
    }

    fn is_empty(&self) -> bool {
        self.licenses.is_none()
            && self.copyright.is_empty()
            && self.occurrences.is_empty()
            && self.identity.is_none()
    }
}

/// `pedigree.ancestors` of a model: its base models, each with its own origin (where this model's weights
/// start).
fn pedigree(inv: &Inventory, m: &ModelFacts) -> Option<Value> {
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
                props.push(Prop::new("sovereign:base-model-relation", r));
            }
            if let Some(cc) = &base.origin.country {
                props.push(Prop::new("sovereign:origin:country", cc));
                props
                    .push(Prop::new("sovereign:origin:confidence", format!("{:.2}", base.origin.confidence)));
            }
            props.extend(facet_properties(&base.origin));
            if let Some(org) = &base.origin.organisation {
                a.insert("supplier".into(), json!(Supplier(org)));
            }
            if !props.is_empty() {
                a.insert("properties".into(), json!(props));
            }
            Some(Value::Object(a))
        })
        .collect();
    (!ancestors.is_empty()).then(|| json!({"ancestors": ancestors}))
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
