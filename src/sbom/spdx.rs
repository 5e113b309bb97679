//! SPDX 2.3 JSON writer.
//!
//! One package per component plus one for the scanned subject (`SPDXRef-Subject`, which the document
//! DESCRIBES). SPDX 2.3 has no field for a country of origin, a scope or the place a component was found:
//! those facts are package annotations (`annotationType: OTHER`, annotator `Tool: sovereign-<version>`)
//! whose comment is `sovereign:<name>=<value>`, with exactly the names and values of the CycloneDX
//! `sovereign:*` properties (docs/formats.md). Diagnostics are document annotations
//! `sovereign:diagnostic=<text>`. Output is deterministic; the document namespace is derived from the
//! content (not the timestamp), so a document read back and written again keeps it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::{conformance, content_uuid, cyclonedx, iri_url};
use crate::model::{Component, ComponentKind, EdgeKind, HashAlg, Inventory, LicenseValue, SourceKind};
use crate::util::time::{document_epoch, rfc3339};

/// The SPDXID of the scanned subject.
pub const SUBJECT_ID: &str = "SPDXRef-Subject";
/// Marks a `hasExtractedLicensingInfos` entry that carries a free-text licence as it was declared.
pub const FREE_TEXT_COMMENT: &str = "sovereign: a licence as declared, not an SPDX expression";
/// Marks a `hasExtractedLicensingInfos` entry for a LicenseRef named in an expression, whose text we do not
/// have.
pub const REFERENCED_COMMENT: &str = "sovereign: a LicenseRef named in a declared or concluded expression";
/// The generation context (CISA 2025), SPDX 2.3 having no field for it.
pub const GENERATION_CONTEXT: &str =
    "Generation context: source (pre-build). Made by reading the manifests and \
lockfiles of a source tree as data; nothing was built or executed.";
/// The document namespace prefix; the rest is the subject's name and a content-derived UUID.
pub const NAMESPACE_PREFIX: &str = "https://sovereign.invalid/spdxdocs/";

/// Serialises the inventory as SPDX 2.3 JSON (pretty-printed, trailing newline).
pub fn to_bytes(inv: &Inventory) -> Vec<u8> {
    super::pretty_bytes(to_value(inv), inv.components.len())
}

/// The tool name as SPDX creators and annotators write it.
pub fn tool() -> String {
    format!("Tool: sovereign-{}", env!("CARGO_PKG_VERSION"))
}

/// The SPDXID of a component id: readable, and unique through a hash of the whole id.
pub fn spdx_id(id: &str) -> String {
    let readable: String = id
        .strip_prefix("pkg:")
        .unwrap_or(id)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '-' })
        .take(80)
        .collect();
    let h = Sha256::digest(id.as_bytes());
    format!("SPDXRef-Package-{}-{}", readable.trim_matches('-'), &hex::encode(h)[..8])
}

/// The document as a JSON value.
pub fn to_value(inv: &Inventory) -> Value {
    let created = rfc3339(document_epoch());
    let mut licences = Licences::default();
    let mut packages = vec![subject_package(inv, &created, &mut licences)];
    for c in &inv.components {
        packages.push(package(inv, c, &created, &mut licences));
    }
    let packages = Value::Array(packages);
    let relationships = Value::Array(relationships(inv));
    let extracted = Value::Array(licences.into_values());
    let annotations = Value::Array(
        inv.diagnostics
            .iter()
            .map(|d| annotation(&created, "sovereign:diagnostic", &d.to_string()))
            .collect(),
    );
    // Derived from everything but the timestamp (which the annotations repeat): the same content always
    // gets the same namespace, and a document read back and written again keeps it.
    let undated = |v: &Value| -> Value {
        let text = serde_json::to_string(v).unwrap_or_default();
        Value::String(text.replace(&created, ""))
    };
    let uuid = content_uuid(&[
        &json!(inv.subject.name),
        &undated(&packages),
        &relationships,
        &extracted,
        &undated(&annotations),
    ]);
    let mut doc = Map::new();
    doc.insert("spdxVersion".into(), json!("SPDX-2.3"));
    doc.insert("dataLicense".into(), json!("CC0-1.0"));
    doc.insert("SPDXID".into(), json!("SPDXRef-DOCUMENT"));
    doc.insert("name".into(), json!(inv.subject.name));
    doc.insert(
        "documentNamespace".into(),
        json!(format!("{NAMESPACE_PREFIX}{}-{uuid}", slug(&inv.subject.name))),
    );
    doc.insert(
        "creationInfo".into(),
        json!({
            "created": created,
            "creators": creators(inv),
            "licenseListVersion": license_list_version(),
            "comment": GENERATION_CONTEXT,
        }),
    );
    doc.insert("documentDescribes".into(), json!([SUBJECT_ID]));
    doc.insert("packages".into(), packages);
    doc.insert("relationships".into(), relationships);
    if extracted.as_array().is_some_and(|a| !a.is_empty()) {
        doc.insert("hasExtractedLicensingInfos".into(), extracted);
    }
    if annotations.as_array().is_some_and(|a| !a.is_empty()) {
        doc.insert("annotations".into(), annotations);
    }
    Value::Object(doc)
}

/// The document's creators: the organisation or person that made the SBOM, with its contact
/// (`--creator`), then the tool.
fn creators(inv: &Inventory) -> Vec<String> {
    inv.creator.iter().cloned().chain([tool()]).collect()
}

/// The SPDX licence list our expressions are checked against (the `spdx` crate's), as `major.minor`.
pub fn license_list_version() -> String {
    let v = spdx::identifiers::VERSION;
    v.splitn(3, '.').take(2).collect::<Vec<_>>().join(".")
}

/// A document-name-safe form of the subject name (namespaces of SPDX 2.3 and 3.0.1 documents).
pub(crate) fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '-' })
        .collect();
    if s.is_empty() {
        "subject".into()
    } else {
        s
    }
}

fn annotation(date: &str, name: &str, value: &str) -> Value {
    json!({
        "annotationDate": date,
        "annotationType": "OTHER",
        "annotator": tool(),
        "comment": format!("{name}={value}"),
    })
}

fn subject_package(inv: &Inventory, created: &str, licences: &mut Licences) -> Value {
    let s = &inv.subject;
    let mut p = Map::new();
    p.insert("SPDXID".into(), json!(SUBJECT_ID));
    p.insert("name".into(), json!(s.name));
    if let Some(v) = conformance::subject_version(s) {
        p.insert("versionInfo".into(), json!(v));
    }
    if let Some(c) = &inv.creator {
        // The one who made the SBOM of its own subject supplies it.
        p.insert("supplier".into(), json!(c));
    }
    p.insert("downloadLocation".into(), json!(vcs_location(s.url.as_deref(), s.commit.as_deref())));
    p.insert("filesAnalyzed".into(), json!(false));
    // The scanned tree's own licence (its root texts), like a component's.
    if !inv.license.is_empty() {
        p.insert("licenseConcluded".into(), json!(licences.expression(inv.license.concluded.as_ref())));
        p.insert("licenseDeclared".into(), json!(licences.expression(inv.license.declared.as_ref())));
    }
    p.insert("primaryPackagePurpose".into(), json!("SOURCE"));
    if let Some(u) = &s.url {
        let u = iri_url(u);
        if !u.chars().any(char::is_whitespace) {
            p.insert(
                "externalRefs".into(),
                json!([{"referenceCategory": "OTHER", "referenceType": "vcs", "referenceLocator": u}]),
            );
        }
    }
    let mut ann = Vec::new();
    if let Some(c) = &s.commit {
        ann.push(annotation(created, "sovereign:commit", c));
    }
    if let Some(r) = &s.reference {
        ann.push(annotation(created, "sovereign:ref", r));
    }
    if let Some(d) = &s.digest {
        ann.push(annotation(created, "sovereign:digest", d));
    }
    for (name, value) in super::cdx_license::licenses(&inv.license).1 {
        ann.push(annotation(created, name, &value));
    }
    if !ann.is_empty() {
        p.insert("annotations".into(), Value::Array(ann));
    }
    Value::Object(p)
}

/// `git+<url>[@<commit>]` when the URL has the shape SPDX's download location accepts, else NOASSERTION.
fn vcs_location(url: Option<&str>, commit: Option<&str>) -> String {
    let Some(url) = url.map(iri_url) else { return "NOASSERTION".into() };
    let ok_url = (url.starts_with("https://") || url.starts_with("http://") || url.starts_with("ssh://"))
        && !url.chars().any(|c| c.is_whitespace() || c == '@' || c == '#');
    if !ok_url {
        return "NOASSERTION".into();
    }
    match commit.filter(|c| c.chars().all(|x| x.is_ascii_alphanumeric())) {
        Some(c) => format!("git+{url}@{c}"),
        None => format!("git+{url}"),
    }
}

fn download_location(c: &Component) -> String {
    match &c.source {
        Some(SourceKind::Git { url, commit, .. }) => vcs_location(Some(url), commit.as_deref()),
        Some(SourceKind::Url { url })
            if (url.starts_with("https://") || url.starts_with("http://"))
                && !url.chars().any(char::is_whitespace) =>
        {
            url.clone()
        }
        _ => conformance::download_location(c).unwrap_or_else(|| "NOASSERTION".into()),
    }
}

fn purpose(kind: ComponentKind) -> &'static str {
    match kind {
        ComponentKind::Application => "APPLICATION",
        ComponentKind::Library => "LIBRARY",
        ComponentKind::MlModel => "OTHER",
        ComponentKind::VendoredSource | ComponentKind::Submodule => "SOURCE",
    }
}

fn checksum_alg(alg: HashAlg) -> (&'static str, usize) {
    match alg {
        HashAlg::Sha1 => ("SHA1", 40),
        HashAlg::Sha256 => ("SHA256", 64),
        HashAlg::Sha384 => ("SHA384", 96),
        HashAlg::Sha512 => ("SHA512", 128),
        HashAlg::Md5 => ("MD5", 32),
    }
}

/// `Name <mail>` → `Person: Name (mail)`; SPDX's format has no room for `(` `)` inside the name.
pub fn person(author: &str) -> String {
    let clean = |s: &str| s.replace(['(', ')'], "").trim().to_string();
    if let (Some(lt), Some(gt)) = (author.find('<'), author.rfind('>')) {
        if lt < gt {
            let name = clean(&author[..lt]);
            let email = author[lt + 1..gt].trim();
            let name = if name.is_empty() { clean(email) } else { name };
            if email.contains('@') && !email.chars().any(|c| c.is_whitespace() || "<>()".contains(c)) {
                return format!("Person: {name} ({email})");
            }
            return format!("Person: {name}");
        }
    }
    format!("Person: {}", clean(author))
}

fn package(inv: &Inventory, c: &Component, created: &str, licences: &mut Licences) -> Value {
    let mut p = Map::new();
    p.insert("SPDXID".into(), json!(spdx_id(&c.id)));
    let name = match &c.namespace {
        Some(ns) => format!("{ns}/{}", c.name),
        None => c.name.clone(),
    };
    p.insert("name".into(), json!(name));
    if let Some(v) = conformance::version_for(c, inv) {
        p.insert("versionInfo".into(), json!(v));
    }
    if let Some(s) = conformance::supplier_for(c) {
        p.insert("supplier".into(), json!(s.actor));
    }
    p.insert("downloadLocation".into(), json!(download_location(c)));
    p.insert("filesAnalyzed".into(), json!(false));
    let sums: Vec<Value> = c
        .hashes
        .iter()
        .filter_map(|h| {
            let (alg, len) = checksum_alg(h.alg);
            let ok = h.value.len() == len && h.value.chars().all(|x| x.is_ascii_hexdigit());
            ok.then(|| json!({"algorithm": alg, "checksumValue": h.value.to_ascii_lowercase()}))
        })
        .collect();
    if !sums.is_empty() {
        p.insert("checksums".into(), Value::Array(sums));
    }
    if let Some(h) = &c.homepage {
        let h = iri_url(h);
        if h.starts_with("http") && !h.chars().any(char::is_whitespace) {
            p.insert("homepage".into(), json!(h));
        }
    }
    p.insert("licenseConcluded".into(), json!(licences.expression(c.license.concluded.as_ref())));
    p.insert("licenseDeclared".into(), json!(licences.expression(c.license.declared.as_ref())));
    p.insert("copyrightText".into(), json!(copyright_text(c)));
    if let Some(d) = c.description.as_ref().filter(|d| !d.trim().is_empty()) {
        p.insert("description".into(), json!(d));
    }
    let mut refs = Vec::new();
    if let Some(purl) = &c.purl {
        refs.push(json!({"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl}));
    }
    for r in cyclonedx::external_references(c) {
        refs.push(json!({"referenceCategory": "OTHER", "referenceType": r.ty, "referenceLocator": r.url}));
    }
    if !refs.is_empty() {
        p.insert("externalRefs".into(), Value::Array(refs));
    }
    p.insert("primaryPackagePurpose".into(), json!(purpose(c.kind)));
    let mut ann = Vec::new();
    if c.purl.as_deref() != Some(c.id.as_str()) {
        ann.push(annotation(created, "sovereign:id", &c.id));
    }
    if c.namespace.is_some() {
        ann.push(annotation(created, "sovereign:name", &c.name));
    }
    for prop in cyclonedx::properties(c) {
        ann.push(annotation(created, &prop.name, &prop.value));
    }
    for a in c.authors.iter().skip(1) {
        ann.push(annotation(created, "sovereign:author", a));
    }
    p.insert("annotations".into(), Value::Array(ann));
    Value::Object(p)
}

/// The copyright notices found for a component (one per line), NOASSERTION when none was found.
fn copyright_text(c: &Component) -> String {
    if c.copyrights.is_empty() {
        "NOASSERTION".into()
    } else {
        c.copyrights.join("\n")
    }
}

/// The `hasExtractedLicensingInfos` the packages need, by licence id.
#[derive(Default)]
struct Licences(BTreeMap<String, Value>);

impl Licences {
    /// The SPDX expression for a licence value: the expression itself when valid (each LicenseRef in it
    /// declared), a LicenseRef carrying the text when not, NOASSERTION when there is none.
    fn expression(&mut self, v: Option<&LicenseValue>) -> String {
        let Some(v) = v else { return "NOASSERTION".into() };
        if v.valid {
            if let Ok(expr) = spdx::Expression::parse(&v.expression) {
                for req in expr.requirements() {
                    if let spdx::LicenseItem::Other(r) = &req.req.license {
                        if r.doc_ref.is_none() {
                            let id = format!("LicenseRef-{}", r.lic_ref);
                            self.0.entry(id.clone()).or_insert_with(|| {
                                json!({
                                    "licenseId": id,
                                    "name": r.lic_ref,
                                    "extractedText": format!("The text of {id} was not captured by sovereign."),
                                    "comment": REFERENCED_COMMENT,
                                })
                            });
                        }
                    }
                }
                return v.expression.clone();
            }
        }
        let text = v.original.as_deref().unwrap_or(&v.expression);
        let id = free_text_id(text);
        self.0.entry(id.clone()).or_insert_with(
            || json!({"licenseId": id, "name": text, "extractedText": text, "comment": FREE_TEXT_COMMENT}),
        );
        id
    }

    fn into_values(self) -> Vec<Value> {
        self.0.into_values().collect()
    }
}

/// The LicenseRef for a free-text licence: readable, unique through a hash of the text.
pub fn free_text_id(text: &str) -> String {
    let readable: String = text
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '-' })
        .take(48)
        .collect::<String>()
        .trim_matches('-')
        .to_string();
    let h = hex::encode(Sha256::digest(text.as_bytes()));
    if readable.is_empty() {
        format!("LicenseRef-declared-{}", &h[..8])
    } else {
        format!("LicenseRef-{readable}-{}", &h[..8])
    }
}

fn relationships(inv: &Inventory) -> Vec<Value> {
    let rel = |a: &str, ty: &str, b: &str| json!({"spdxElementId": a, "relationshipType": ty, "relatedSpdxElement": b});
    let mut out = vec![rel("SPDXRef-DOCUMENT", "DESCRIBES", SUBJECT_ID)];
    let has_parent: BTreeSet<&str> = inv.edges.iter().map(|e| e.to.as_str()).collect();
    for c in &inv.components {
        if !has_parent.contains(c.id.as_str()) {
            out.push(rel(SUBJECT_ID, "DEPENDS_ON", &spdx_id(&c.id)));
        }
    }
    // Model lineage (docs/provenance.md): a model is a DESCENDANT_OF each base model it names.
    for c in &inv.components {
        for b in c.model.iter().flat_map(|m| &m.base_models) {
            if inv.component(&b.component).is_some() {
                let mut r = rel(&spdx_id(&c.id), "DESCENDANT_OF", &spdx_id(&b.component));
                if let Some(relation) = &b.relation {
                    r["comment"] = json!(format!("base model ({relation})"));
                }
                out.push(r);
            }
        }
    }
    for e in &inv.edges {
        out.extend(edge_relationships(&spdx_id(&e.from), e.kind, &spdx_id(&e.to)));
    }
    out
}

/// The relationships of one dependency edge. Dev, build and optional edges get their precise
/// `…_DEPENDENCY_OF` relationship and a companion `DEPENDS_ON` (comment [`WALKABLE_COMMENT`] + the kind):
/// checkers (ntia-conformance-checker, and the NTIA/BSI/CISA notion of a dependency graph) walk only
/// `DESCRIBES`/`CONTAINS`/`DEPENDS_ON` from the described root, and a package linked only by a reverse
/// relationship is "floating" to them. Our reader takes the kind from the precise relationship and skips
/// the companion.
fn edge_relationships(from: &str, kind: EdgeKind, to: &str) -> Vec<Value> {
    let rel = |a: &str, ty: &str, b: &str| json!({"spdxElementId": a, "relationshipType": ty, "relatedSpdxElement": b});
    let companion = |k: &str| {
        let mut r = rel(from, "DEPENDS_ON", to);
        r["comment"] = json!(format!("{WALKABLE_COMMENT}{k}"));
        r
    };
    match kind {
        EdgeKind::Normal => vec![rel(from, "DEPENDS_ON", to)],
        EdgeKind::Dev => vec![rel(to, "DEV_DEPENDENCY_OF", from), companion("dev")],
        EdgeKind::Build => vec![rel(to, "BUILD_DEPENDENCY_OF", from), companion("build")],
        EdgeKind::Optional => vec![rel(to, "OPTIONAL_DEPENDENCY_OF", from), companion("optional")],
        EdgeKind::Peer => {
            let mut r = rel(from, "DEPENDS_ON", to);
            r["comment"] = json!("peer");
            vec![r]
        }
    }
}

/// The comment prefix of the `DEPENDS_ON` that accompanies a dev, build or optional relationship.
pub const WALKABLE_COMMENT: &str = "sovereign: walkable companion of the precise relationship: ";
