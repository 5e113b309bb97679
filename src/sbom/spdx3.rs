//! SPDX 3.0.1 JSON-LD writer (Core, Software, SimpleLicensing, AI and Extension profiles).
//!
//! One `@graph`: the creation info, sovereign as Tool and SoftwareAgent, the SpdxDocument and the
//! software_Sbom, one software_Package per component (ai_AIPackage for models) with `suppliedBy` /
//! `originatedBy` Person agents from its authors, licences as simplelicensing_LicenseExpression elements
//! linked by hasDeclaredLicense / hasConcludedLicense relationships, dependencies as dependsOn
//! relationships (LifecycleScopedRelationship with scope development or build for dev and build edges).
//! The facts SPDX 3 has no property for (origin, scope, found-in …) are carried as CycloneDX-style
//! properties through SPDX 3's own Extension profile (`extension_CdxPropertiesExtension`), with the
//! same `sovereign:*` names and values as in CycloneDX. Element ids are IRIs under the document
//! namespace, derived from component ids; the namespace is derived from the content.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::cyclonedx::Prop;
use super::{conformance, cyclonedx, iri_url, spdx, ContentHasher};
use crate::model::{Component, ComponentKind, EdgeKind, HashAlg, Inventory, LicenseValue, SourceKind};
use crate::util::time::{document_epoch, rfc3339};

const CREATION: &str = "_:creationinfo";

/// Serialises the inventory as SPDX 3.0.1 JSON-LD (pretty-printed, trailing newline).
pub fn to_bytes(inv: &Inventory) -> Vec<u8> {
    super::pretty_bytes(to_value(inv), inv.components.len())
}

fn short_hash(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))[..12].to_string()
}

/// Builds the graph's elements, with ids relative to the namespace (`#…`), so the namespace itself can
/// be derived from them afterwards.
struct Graph {
    elements: Vec<Value>,
    agents: BTreeMap<String, Value>,
    licences: BTreeMap<String, Value>,
}

impl Graph {
    fn agent(&mut self, author: &str) -> String {
        let (name, email) = split_author(author);
        let id = format!("#agent-{}", short_hash(author));
        self.agents.entry(id.clone()).or_insert_with(|| {
            let mut a = json!({"type": "Person", "spdxId": id, "creationInfo": CREATION, "name": name});
            if let Some(e) = email {
                a["externalIdentifier"] =
                    json!([{"type": "ExternalIdentifier", "externalIdentifierType": "email", "identifier": e}]);
            }
            a
        });
        id
    }

    /// An agent for an SPDX 2.3-style actor (`Person: Name (mail)`, `Organization: Name (mail or URL)`),
    /// with its contact as an `email` or `urlScheme` external identifier.
    fn actor(&mut self, actor: &str) -> String {
        let (ty, rest) = match actor.split_once(':') {
            Some(("Organization", r)) => ("Organization", r.trim()),
            Some(("Person", r)) => ("Person", r.trim()),
            _ => ("Agent", actor.trim()),
        };
        let (name, contact) = match (rest.rfind(" ("), rest.ends_with(')')) {
            (Some(i), true) => (rest[..i].trim(), Some(rest[i + 2..rest.len() - 1].trim())),
            _ => (rest, None),
        };
        let id = format!("#agent-{}", short_hash(actor));
        self.agents.entry(id.clone()).or_insert_with(|| {
            let mut a = json!({"type": ty, "spdxId": id, "creationInfo": CREATION, "name": name});
            if let Some(c) = contact.filter(|c| !c.is_empty()) {
                let kind =
                    if c.starts_with("http://") || c.starts_with("https://") { "urlScheme" } else { "email" };
                a["externalIdentifier"] =
                    json!([{"type": "ExternalIdentifier", "externalIdentifierType": kind, "identifier": c}]);
            }
            a
        });
        id
    }

    /// A licence element for a value: the expression when valid, a LicenseRef bound to the declared text
    /// (a SimpleLicensingText) when not.
    fn licence(&mut self, v: &LicenseValue) -> String {
        let (expression, text) = if v.valid {
            (v.expression.clone(), None)
        } else {
            let text = v.original.clone().unwrap_or_else(|| v.expression.clone());
            (spdx::free_text_id(&text), Some(text))
        };
        let id = format!("#licence-{}", short_hash(&expression));
        if !self.licences.contains_key(&id) {
            let mut e = json!({
                "type": "simplelicensing_LicenseExpression",
                "spdxId": id,
                "creationInfo": CREATION,
                "simplelicensing_licenseExpression": expression,
            });
            if let Some(text) = text {
                let text_id = format!("#licence-text-{}", short_hash(&text));
                e["simplelicensing_customIdToUri"] =
                    json!([{"type": "DictionaryEntry", "key": expression, "value": text_id}]);
                self.licences.insert(
                    text_id.clone(),
                    json!({
                        "type": "simplelicensing_SimpleLicensingText",
                        "spdxId": text_id,
                        "creationInfo": CREATION,
                        "simplelicensing_licenseText": text,
                    }),
                );
            }
            self.licences.insert(id.clone(), e);
        }
        id
    }
}

fn split_author(a: &str) -> (String, Option<String>) {
    if let (Some(lt), Some(gt)) = (a.find('<'), a.rfind('>')) {
        if lt < gt {
            let name = a[..lt].trim();
            let email = a[lt + 1..gt].trim();
            let ok = email.contains('@') && !email.chars().any(char::is_whitespace);
            let name = if name.is_empty() { email } else { name };
            return (name.to_string(), ok.then(|| email.to_string()));
        }
    }
    (a.trim().to_string(), None)
}

/// The element id of a component, relative to the namespace.
pub fn element_id(component_id: &str) -> String {
    spdx::spdx_id(component_id).replacen("SPDXRef-Package-", "#package-", 1)
}

fn hash_alg(alg: HashAlg) -> &'static str {
    match alg {
        HashAlg::Sha1 => "sha1",
        HashAlg::Sha256 => "sha256",
        HashAlg::Sha384 => "sha384",
        HashAlg::Sha512 => "sha512",
        HashAlg::Md5 => "md5",
    }
}

fn purpose(kind: ComponentKind) -> &'static str {
    match kind {
        ComponentKind::Application => "application",
        ComponentKind::Library => "library",
        ComponentKind::MlModel => "model",
        ComponentKind::VendoredSource | ComponentKind::Submodule => "source",
    }
}

fn properties(props: Vec<Prop>) -> Value {
    let entries: Vec<Value> = props
        .into_iter()
        .map(|p| {
            json!({
                "type": "extension_CdxPropertyEntry",
                "extension_cdxPropName": p.name,
                "extension_cdxPropValue": p.value,
            })
        })
        .collect();
    json!([{"type": "extension_CdxPropertiesExtension", "extension_cdxProperty": entries}])
}

fn package(g: &mut Graph, inv: &Inventory, c: &Component) -> Value {
    let id = element_id(&c.id);
    let ty = if c.kind == ComponentKind::MlModel { "ai_AIPackage" } else { "software_Package" };
    let name = match &c.namespace {
        Some(ns) => format!("{ns}/{}", c.name),
        None => c.name.clone(),
    };
    let mut p = json!({"type": ty, "spdxId": id, "creationInfo": CREATION, "name": name});
    if let Some(v) = conformance::version_for(c, inv) {
        p["software_packageVersion"] = json!(v);
    }
    if let Some(d) = c.description.as_ref().filter(|d| !d.trim().is_empty()) {
        p["description"] = json!(d);
    }
    if let Some(purl) = &c.purl {
        p["software_packageUrl"] = json!(purl);
        p["externalIdentifier"] = json!([{"type": "ExternalIdentifier", "externalIdentifierType": "packageUrl", "identifier": purl}]);
    }
    match &c.source {
        Some(SourceKind::Git { url, commit, .. }) => {
            let u = iri_url(url);
            if !u.chars().any(char::is_whitespace) && u.contains(':') {
                p["software_downloadLocation"] = json!(match commit {
                    Some(c) => format!("git+{u}@{c}"),
                    None => format!("git+{u}"),
                });
            }
        }
        Some(SourceKind::Url { url }) if url.contains("://") && !url.chars().any(char::is_whitespace) => {
            p["software_downloadLocation"] = json!(url);
        }
        _ => {
            if let Some(u) = conformance::download_location(c) {
                p["software_downloadLocation"] = json!(u);
            }
        }
    }
    if let Some(h) = &c.homepage {
        let h = iri_url(h);
        if h.contains("://") && !h.chars().any(char::is_whitespace) {
            p["software_homePage"] = json!(h);
        }
    }
    let refs: Vec<Value> = cyclonedx::external_references(c)
        .into_iter()
        .map(|r| {
            let ty = match r.ty {
                "vcs" => "vcs",
                "website" => "altWebPage",
                "distribution" => "altDownloadLocation",
                _ => "other",
            };
            json!({"type": "ExternalRef", "externalRefType": ty, "locator": [r.url]})
        })
        .collect();
    if !refs.is_empty() {
        p["externalRef"] = Value::Array(refs);
    }
    let hashes: Vec<Value> = c
        .hashes
        .iter()
        .map(|h| json!({"type": "Hash", "algorithm": hash_alg(h.alg), "hashValue": h.value}))
        .collect();
    if !hashes.is_empty() {
        p["verifiedUsing"] = Value::Array(hashes);
    }
    if let Some(s) = conformance::supplier_for(c) {
        p["suppliedBy"] = json!(if s.basis == "author" { g.agent(&c.authors[0]) } else { g.actor(&s.actor) });
    }
    if !c.authors.is_empty() {
        let all: Vec<String> = c.authors.iter().map(|a| g.agent(a)).collect();
        p["originatedBy"] = json!(all);
    }
    if !c.copyrights.is_empty() {
        p["software_copyrightText"] = json!(c.copyrights.join("\n"));
    }
    p["software_primaryPurpose"] = json!(purpose(c.kind));
    p["extension"] = properties(cyclonedx::properties(c));
    p
}

fn relationship(id: String, from: &str, ty: &str, to: &[String], scope: Option<&str>) -> Value {
    let mut r = json!({
        "type": if scope.is_some() { "LifecycleScopedRelationship" } else { "Relationship" },
        "spdxId": id,
        "creationInfo": CREATION,
        "from": from,
        "relationshipType": ty,
        "to": to,
    });
    if let Some(s) = scope {
        r["scope"] = json!(s);
    }
    r
}

/// The document as a JSON value.
pub fn to_value(inv: &Inventory) -> Value {
    let created = rfc3339(document_epoch());
    let mut g = Graph { elements: Vec::new(), agents: BTreeMap::new(), licences: BTreeMap::new() };
    let subject_id = "#subject".to_string();
    let s = &inv.subject;
    let mut subject = json!({
        "type": "software_Package",
        "spdxId": subject_id,
        "creationInfo": CREATION,
        "name": s.name,
        "software_primaryPurpose": "source",
    });
    if let Some(v) = conformance::subject_version(s) {
        subject["software_packageVersion"] = json!(v);
    }
    let creator = inv.creator.as_deref().map(|c| g.actor(c));
    if let Some(c) = &creator {
        subject["suppliedBy"] = json!(c);
    }
    if let Some(u) = &s.url {
        let u = iri_url(u);
        if !u.chars().any(char::is_whitespace) {
            subject["externalRef"] =
                json!([{"type": "ExternalRef", "externalRefType": "vcs", "locator": [u]}]);
        }
    }
    let mut sp = Vec::new();
    if let Some(c) = &s.commit {
        sp.push(Prop::new("sovereign:commit", c));
    }
    if let Some(r) = &s.reference {
        sp.push(Prop::new("sovereign:ref", r));
    }
    if let Some(d) = &s.digest {
        sp.push(Prop::new("sovereign:digest", d));
    }
    for d in &inv.diagnostics {
        sp.push(Prop::new("sovereign:diagnostic", d.to_string()));
    }
    if !sp.is_empty() {
        subject["extension"] = properties(sp);
    }
    g.elements.push(subject);

    let mut rels = Vec::new();
    // The scanned tree's own licence (its root texts), like a component's.
    for (which, v) in [("declared", &inv.license.declared), ("concluded", &inv.license.concluded)] {
        if let Some(v) = v.as_ref().filter(|v| v.expression != "NOASSERTION") {
            let lic = g.licence(v);
            let ty = if which == "declared" { "hasDeclaredLicense" } else { "hasConcludedLicense" };
            rels.push(relationship(format!("{subject_id}-{which}-licence"), &subject_id, ty, &[lic], None));
        }
    }
    let mut root_ids = Vec::new();
    let has_parent: std::collections::BTreeSet<&str> = inv.edges.iter().map(|e| e.to.as_str()).collect();
    for c in &inv.components {
        let p = package(&mut g, inv, c);
        g.elements.push(p);
        let id = element_id(&c.id);
        for (which, v) in [("declared", &c.license.declared), ("concluded", &c.license.concluded)] {
            if let Some(v) = v {
                let lic = g.licence(v);
                let ty = if which == "declared" { "hasDeclaredLicense" } else { "hasConcludedLicense" };
                rels.push(relationship(format!("{id}-{which}-licence"), &id, ty, &[lic], None));
            }
        }
        if !has_parent.contains(c.id.as_str()) {
            root_ids.push(id);
        }
    }
    if !root_ids.is_empty() {
        rels.push(relationship("#subject-dependencies".into(), &subject_id, "dependsOn", &root_ids, None));
    }
    // One relationship per (from, kind) with every target: compact and deterministic (edges are sorted).
    let mut grouped: BTreeMap<(&str, EdgeKind), Vec<String>> = BTreeMap::new();
    for e in &inv.edges {
        grouped.entry((e.from.as_str(), e.kind)).or_default().push(element_id(&e.to));
    }
    for ((from, kind), to) in grouped {
        let from_id = element_id(from);
        let (ty, scope, tag) = match kind {
            EdgeKind::Normal => ("dependsOn", None, "depends"),
            EdgeKind::Dev => ("dependsOn", Some("development"), "dev"),
            EdgeKind::Build => ("dependsOn", Some("build"), "build"),
            EdgeKind::Optional => ("hasOptionalDependency", None, "optional"),
            EdgeKind::Peer => ("dependsOn", Some("runtime"), "peer"),
        };
        rels.push(relationship(format!("{from_id}-{tag}"), &from_id, ty, &to, scope));
    }

    let mut elements = std::mem::take(&mut g.elements);
    elements.extend(std::mem::take(&mut g.agents).into_values());
    elements.extend(std::mem::take(&mut g.licences).into_values());
    elements.extend(rels);
    let mut hasher = ContentHasher::default();
    hasher.add(&json!(inv.subject.name));
    hasher.add(&elements);
    let uuid = hasher.uuid();
    let ns = format!("{}{}-{uuid}", spdx::NAMESPACE_PREFIX, spdx::slug(&inv.subject.name));
    let absolute = |v: &mut Value| absolutise(v, &ns);
    let mut graph = Vec::with_capacity(elements.len() + 5);
    let tool_id = format!("{ns}#tool-sovereign");
    let agent_id = format!("{ns}#agent-sovereign");
    graph.push(json!({
        "type": "CreationInfo",
        "@id": CREATION,
        "specVersion": "3.0.1",
        "created": created,
        "createdBy": creator.iter().map(|c| format!("{ns}{c}")).chain([agent_id.clone()]).collect::<Vec<_>>(),
        "createdUsing": [tool_id],
    }));
    graph.push(
        json!({"type": "SoftwareAgent", "spdxId": agent_id, "creationInfo": CREATION, "name": "sovereign"}),
    );
    graph.push(json!({
        "type": "Tool",
        "spdxId": tool_id,
        "creationInfo": CREATION,
        "name": format!("sovereign {}", env!("CARGO_PKG_VERSION")),
        "externalIdentifier": [{"type": "ExternalIdentifier", "externalIdentifierType": "urlScheme", "identifier": conformance::TOOL_URL}],
    }));
    let mut ids = Vec::with_capacity(elements.len());
    for mut e in elements {
        absolute(&mut e);
        if let Some(id) = e["spdxId"].as_str() {
            ids.push(id.to_string());
        }
        graph.push(e);
    }
    let sbom_id = format!("{ns}#sbom");
    graph.push(json!({
        "type": "software_Sbom",
        "spdxId": sbom_id,
        "creationInfo": CREATION,
        "name": format!("SBOM of {}", inv.subject.name),
        "software_sbomType": ["source"],
        "rootElement": [format!("{ns}#subject")],
        "element": ids,
    }));
    graph.push(json!({
        "type": "SpdxDocument",
        "spdxId": format!("{ns}#document"),
        "creationInfo": CREATION,
        "name": inv.subject.name,
        "dataLicense": "https://spdx.org/licenses/CC0-1.0",
        "profileConformance": ["core", "software", "simpleLicensing", "ai", "extension"],
        "rootElement": [sbom_id],
        "element": [sbom_id],
    }));
    json!({"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": graph})
}

/// Rewrites the relative ids (`#…`) of an element and of the references it holds into absolute IRIs.
fn absolutise(v: &mut Value, ns: &str) {
    let fix = |s: &mut Value| {
        if let Some(x) = s.as_str() {
            if x.starts_with('#') {
                *s = json!(format!("{ns}{x}"));
            }
        }
    };
    for key in ["spdxId", "from", "suppliedBy"] {
        if let Some(x) = v.get_mut(key) {
            fix(x);
        }
    }
    for key in ["to", "originatedBy"] {
        if let Some(Value::Array(xs)) = v.get_mut(key) {
            xs.iter_mut().for_each(fix);
        }
    }
    if let Some(Value::Array(entries)) = v.get_mut("simplelicensing_customIdToUri") {
        for e in entries {
            if let Some(x) = e.get_mut("value") {
                fix(x);
            }
        }
    }
}
