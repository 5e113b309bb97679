//! SPDX 2.x JSON reader (2.3; 2.2 and earlier read as far as they match).
//!
//! Restores everything `spdx.rs` writes (the `sovereign:*` annotations included), so our own output read
//! back and written again gives the same bytes, and reads other generators' documents as far as the model
//! can hold them: NOASSERTION and NONE are "unknown", duplicate SPDXIDs are merged with a warning,
//! packages without purl get an id from their SPDXID. Packages and relationships are read one at a time;
//! the document is never built whole.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::import::{ecosystem_of_purl_type, parse_diagnostic, purl_parts, Findings, ReadError};
use super::props::{self, enum_from, Props};
use super::spdx::{FREE_TEXT_COMMENT, SUBJECT_ID};
use crate::model::{
    Component, ComponentKind, Diagnostic, Ecosystem, Edge, EdgeKind, Hash, HashAlg, Inventory, LicenseValue,
    Scope, Severity, Subject,
};

const DOCUMENT_ID: &str = "SPDXRef-DOCUMENT";

/// Reads an SPDX 2.x JSON document into a normalised inventory.
pub fn read(bytes: &[u8], path: &str) -> Result<Inventory, ReadError> {
    let mut st = State { path: path.to_string(), ..State::default() };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    DocSeed(&mut st).deserialize(&mut de).map_err(|e| ReadError::json(path, &e))?;
    de.end().map_err(|e| ReadError::json(path, &e))?;
    Ok(st.finish())
}

/// A licence field waiting for `hasExtractedLicensingInfos` (which may come after the packages).
struct PendingLicence {
    /// The component's index; None for the subject (`SPDXRef-Subject`, the scanned tree's own licence).
    component: Option<usize>,
    concluded: bool,
    text: String,
    source: String,
}

#[derive(Default)]
struct State {
    path: String,
    version: Option<String>,
    name: Option<String>,
    describes: Vec<String>,
    components: Vec<Component>,
    /// SPDXID → component id (first package wins on duplicates).
    ids: BTreeMap<String, String>,
    subject: Option<Subject>,
    licences: Vec<PendingLicence>,
    /// LicenseRefs that carry a free-text declaration (ours): id → text.
    free_text: BTreeMap<String, String>,
    relationships: Vec<(String, String, String, bool)>,
    /// `DESCENDANT_OF` relationships: (model SPDXID, base SPDXID, relation).
    lineage: Vec<(String, String, Option<String>)>,
    diagnostics: Vec<Diagnostic>,
    any_sovereign_direct: bool,
    findings: Findings,
    creator: Option<String>,
    /// The licence of our subject (`SPDXRef-Subject`): the scanned tree's own.
    subject_license: crate::model::LicenseInfo,
}

impl State {
    fn finish(mut self) -> Inventory {
        match self.version.as_deref() {
            Some("SPDX-2.3") => {}
            Some(v) => {
                let v = v.to_string();
                self.findings.add(Severity::Warning, "sbom-unsupported-version", || {
                    format!("SPDX version `{v}` is not SPDX-2.3; read as far as it matches")
                })
            }
            None => self.findings.add(Severity::Warning, "sbom-unsupported-version", || {
                "no `spdxVersion`; read as SPDX-2.3".into()
            }),
        }
        for l in std::mem::take(&mut self.licences) {
            let value = match self.free_text.get(&l.text) {
                Some(text) => LicenseValue {
                    expression: text.clone(),
                    original: Some(text.clone()),
                    valid: false,
                    source: l.source,
                    score: None,
                },
                None => LicenseValue::declared(&l.text, l.source),
            };
            let info = match l.component {
                Some(i) => &mut self.components[i].license,
                None => &mut self.subject_license,
            };
            if l.concluded {
                info.concluded = Some(value);
            } else {
                // The text as written travels in the `sovereign:license:declared:original` annotation.
                let mut value = value;
                if let Some(prev) = info.declared.take().filter(|p| p.expression == value.expression) {
                    value.original = prev.original;
                }
                info.declared = Some(value);
            }
        }
        // The subject: our own `SPDXRef-Subject`; else the one package the document describes, taken out of
        // the components; else the document's name.
        let mut subject_ids: BTreeSet<String> = BTreeSet::new();
        let mut describes = std::mem::take(&mut self.describes);
        for (a, ty, b, _) in &self.relationships {
            if a == DOCUMENT_ID && ty == "DESCRIBES" {
                describes.push(b.clone());
            }
        }
        describes.sort();
        describes.dedup();
        let mut inv = Inventory {
            creator: self.creator.take(),
            license: std::mem::take(&mut self.subject_license),
            ..Inventory::default()
        };
        if let Some(s) = self.subject.take() {
            inv.subject = s;
            subject_ids.insert(SUBJECT_ID.to_string());
        } else if let [only] = describes.as_slice() {
            if let Some(id) = self.ids.get(only).cloned() {
                if let Some(i) = self.components.iter().position(|c| c.id == id) {
                    let c = self.components.remove(i);
                    inv.subject.name = c.display_name();
                    inv.subject.url = c.repository.clone();
                    subject_ids.insert(only.clone());
                }
            }
        }
        if inv.subject.name.is_empty() {
            inv.subject.name = self.name.clone().unwrap_or_else(|| self.path.clone());
        }
        let mut roots = BTreeSet::new();
        let mut edges = Vec::new();
        for (a, ty, b, peer) in std::mem::take(&mut self.relationships) {
            // `a TYPE b`: DEPENDS_ON points from the dependent, `…_OF` from the dependency.
            let (from, to, kind) = match ty.as_str() {
                "DEPENDS_ON" => (a, b, if peer { EdgeKind::Peer } else { EdgeKind::Normal }),
                "DEPENDENCY_OF" | "RUNTIME_DEPENDENCY_OF" => (b, a, EdgeKind::Normal),
                "DEV_DEPENDENCY_OF" | "TEST_DEPENDENCY_OF" => (b, a, EdgeKind::Dev),
                "BUILD_DEPENDENCY_OF" => (b, a, EdgeKind::Build),
                "OPTIONAL_DEPENDENCY_OF" => (b, a, EdgeKind::Optional),
                "CONTAINS" if subject_ids.contains(&a) => (a, b, EdgeKind::Normal),
                _ => continue,
            };
            if subject_ids.contains(&from) {
                if let Some(id) = self.ids.get(&to) {
                    roots.insert(id.clone());
                }
                continue;
            }
            // An SPDXID that names no package leaves the edge dangling: `normalize` drops and counts it.
            let resolve = |x: &str| self.ids.get(x).cloned().unwrap_or_else(|| format!("spdx:{x}"));
            edges.push(Edge { from: resolve(&from), to: resolve(&to), kind });
        }
        if !self.any_sovereign_direct {
            for c in &mut self.components {
                c.direct = roots.contains(&c.id);
            }
        }
        for (model, base, relation) in std::mem::take(&mut self.lineage) {
            let (Some(model), Some(base)) = (self.ids.get(&model).cloned(), self.ids.get(&base).cloned())
            else {
                continue;
            };
            if let Some(c) = self.components.iter_mut().find(|c| c.id == model) {
                let facts = c.model.get_or_insert_with(Default::default);
                if !facts.base_models.iter().any(|b| b.component == base) {
                    facts.base_models.push(crate::model::BaseModel { component: base, relation });
                }
            }
        }
        inv.components = std::mem::take(&mut self.components);
        inv.components.shrink_to_fit();
        inv.edges = edges;
        inv.diagnostics = std::mem::take(&mut self.diagnostics);
        inv.diagnostics.extend(self.findings.into_diagnostics(&self.path));
        inv.normalize();
        inv
    }

    fn package(&mut self, v: Value) {
        let Value::Object(obj) = v else {
            self.findings.add(Severity::Warning, "sbom-invalid-component", || {
                "a `packages` entry is not an object; skipped".into()
            });
            return;
        };
        let spdx_id = text(obj.get("SPDXID"));
        let Some(name) = text(obj.get("name")) else {
            let r = spdx_id.clone().unwrap_or_else(|| "?".into());
            self.findings.add(Severity::Warning, "sbom-invalid-component", || {
                format!("package `{r}` has no name; skipped")
            });
            return;
        };
        let annotations =
            obj.get("annotations").and_then(Value::as_array).into_iter().flatten().filter_map(|a| {
                let comment = a.get("comment")?.as_str()?;
                let (k, v) = comment.split_once('=').unwrap_or((comment, ""));
                Some((k.to_string(), v.to_string()))
            });
        let mut props = Props::parse(&mut self.findings, annotations, &name, "annotation");
        if spdx_id.as_deref() == Some(SUBJECT_ID) {
            let url = refs(&obj).into_iter().find(|(t, _)| t == "vcs").map(|(_, u)| u);
            self.subject = Some(Subject {
                name,
                url,
                commit: props.commit.take(),
                reference: props.reference.take(),
                digest: props.digest.take(),
            });
            // The scanned tree's own licence, written like a component's.
            let mut info = crate::model::LicenseInfo::default();
            props.apply_licences(&mut info, &self.path);
            for (field, concluded) in [("licenseDeclared", false), ("licenseConcluded", true)] {
                if let Some(t) = text(obj.get(field)) {
                    let which = if concluded { "concluded" } else { "declared" };
                    let source =
                        props.license_sources.get(which).cloned().unwrap_or_else(|| self.path.clone());
                    self.licences.push(PendingLicence { component: None, concluded, text: t, source });
                }
            }
            self.subject_license = info;
            return;
        }
        if props.direct.is_some() {
            self.any_sovereign_direct = true;
        }
        let ours = props.ecosystem.is_some();
        let purl = obj
            .get("externalRefs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|r| {
                matches!(
                    r.get("referenceCategory").and_then(Value::as_str),
                    Some("PACKAGE-MANAGER" | "PACKAGE_MANAGER")
                ) && r.get("referenceType").and_then(Value::as_str) == Some("purl")
            })
            .and_then(|r| text(r.get("referenceLocator")));
        let parts = purl.as_deref().and_then(|p| {
            let parts = purl_parts(p);
            if parts.is_none() {
                self.findings.add(Severity::Warning, "sbom-invalid-purl", || {
                    format!("`{p}` is not a valid Package URL; the package is kept without it")
                });
            }
            parts
        });
        let ecosystem = match (&props.ecosystem, &parts) {
            (Some(e), _) => ecosystem_of_purl_type(e),
            (None, Some((ty, ..))) => ecosystem_of_purl_type(ty),
            (None, None) => Ecosystem::Generic,
        };
        let (namespace, bare) = match props.name.take() {
            Some(bare) => match name.strip_suffix(&format!("/{bare}")) {
                Some(ns) => (Some(ns.to_string()), bare),
                None => (None, name.clone()),
            },
            None if !ours => match &parts {
                Some((_, Some(ns), n, _)) => (Some(ns.clone()), n.clone()),
                _ => (None, name.clone()),
            },
            None => (None, name.clone()),
        };
        let mut c = Component::new(ecosystem, bare, text(obj.get("versionInfo")));
        c.namespace = namespace;
        c.purl = if parts.is_some() { purl } else { None };
        c.id = match (props.id.take(), &c.purl, &spdx_id) {
            (Some(id), _, _) => id,
            (None, Some(p), _) => p.clone(),
            (None, None, Some(s)) => format!("spdx:{s}"),
            (None, None, None) => {
                let id = format!("sbom-component:{}", c.display_name());
                self.findings.add(Severity::Note, "sbom-component-without-id", || {
                    format!("package `{}` has neither SPDXID nor purl; it is identified as `{id}`", c.name)
                });
                id
            }
        };
        match &spdx_id {
            Some(s) => {
                if self.ids.contains_key(s) {
                    let s = s.clone();
                    self.findings.add(Severity::Warning, "sbom-duplicate-id", || {
                        format!("SPDXID `{s}` names more than one package; relationships use the first")
                    });
                } else {
                    self.ids.insert(s.clone(), c.id.clone());
                }
            }
            None => self.findings.add(Severity::Warning, "sbom-component-without-id", || {
                format!("package `{}` has no SPDXID; no relationship can name it", c.name)
            }),
        }
        c.description = text(obj.get("description"));
        c.homepage = text(obj.get("homepage"));
        // Our own documents write an `Organization:` supplier from the identified organisation or the
        // owning namespace (sbom::conformance::supplier_for), not from an author.
        let supplier = text(obj.get("supplier")).filter(|s| !(ours && s.starts_with("Organization:")));
        if let Some(a) = supplier.and_then(|s| author_of(&s)) {
            c.authors.push(a);
        }
        if ours {
            if let Some(t) = text(obj.get("copyrightText")) {
                c.copyrights.extend(t.lines().map(str::to_string));
            }
        }
        c.authors.append(&mut props.authors);
        c.kind = match props.kind {
            Some(k) => k,
            None => match obj.get("primaryPackagePurpose").and_then(Value::as_str) {
                Some("APPLICATION") => ComponentKind::Application,
                Some("SOURCE") => ComponentKind::VendoredSource,
                _ => ComponentKind::Library,
            },
        };
        c.scope = props.scope.unwrap_or(Scope::Runtime);
        c.direct = props.direct.unwrap_or(false);
        c.requirement = props.requirement.take();
        c.found_in = std::mem::take(&mut props.found_in);
        c.hashes = self.checksums(&obj);
        props.apply_origin(&mut c);
        // Detected texts (and values the fields below do not carry); the fields win where both exist.
        props.apply_licences(&mut c.license, &self.path);
        c.properties = std::mem::take(&mut props.rest);
        let index = self.components.len();
        for (field, concluded) in [("licenseDeclared", false), ("licenseConcluded", true)] {
            if let Some(t) = text(obj.get(field)) {
                let which = if concluded { "concluded" } else { "declared" };
                let source = props.license_sources.get(which).cloned().unwrap_or_else(|| self.path.clone());
                self.licences.push(PendingLicence { component: Some(index), concluded, text: t, source });
            }
        }
        let source = props.take_source();
        props::apply_source(&mut c, source, refs(&obj), &mut self.findings);
        self.components.push(c);
    }

    fn checksums(&mut self, obj: &serde_json::Map<String, Value>) -> Vec<Hash> {
        let mut out = Vec::new();
        for h in obj.get("checksums").and_then(Value::as_array).into_iter().flatten() {
            let (Some(alg), Some(value)) =
                (h.get("algorithm").and_then(Value::as_str), h.get("checksumValue").and_then(Value::as_str))
            else {
                continue;
            };
            let name = match alg {
                "SHA1" => "SHA-1",
                "SHA256" => "SHA-256",
                "SHA384" => "SHA-384",
                "SHA512" => "SHA-512",
                "MD5" => "MD5",
                other => other,
            };
            match enum_from::<HashAlg>(name) {
                Some(alg) => props::push_hash(&mut out, alg, value, &mut self.findings),
                None => {
                    let alg = alg.to_string();
                    self.findings.add(Severity::Note, "sbom-unknown-hash-algorithm", || {
                        format!(
                            "checksum algorithm `{alg}` has no place in the model; the checksum was not kept"
                        )
                    })
                }
            }
        }
        out
    }

    fn extracted(&mut self, v: Value) {
        if v.get("comment").and_then(Value::as_str) == Some(FREE_TEXT_COMMENT) {
            if let (Some(id), Some(t)) = (text(v.get("licenseId")), text(v.get("extractedText"))) {
                self.free_text.insert(id, t);
            }
        }
    }

    fn relationship(&mut self, v: Value) {
        let get = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        if let (Some(a), Some(ty), Some(b)) =
            (get("spdxElementId"), get("relationshipType"), get("relatedSpdxElement"))
        {
            if ty == "DESCENDANT_OF" {
                // Model lineage: kept aside, applied to the models once every package is known.
                let relation = get("comment").and_then(|c| {
                    c.strip_prefix("base model (").and_then(|r| r.strip_suffix(')')).map(str::to_string)
                });
                self.lineage.push((a, b, relation));
                return;
            }
            // Our `DEPENDS_ON` companion of a dev/build/optional relationship: the precise one carries
            // the edge.
            if ty == "DEPENDS_ON"
                && get("comment").is_some_and(|c| c.starts_with(super::spdx::WALKABLE_COMMENT))
            {
                return;
            }
            let peer = get("comment").as_deref() == Some("peer");
            self.relationships.push((a, ty, b, peer));
        }
    }

    fn annotation(&mut self, v: Value) {
        if let Some(d) =
            v.get("comment").and_then(Value::as_str).and_then(|c| c.strip_prefix("sovereign:diagnostic="))
        {
            self.diagnostics.push(
                parse_diagnostic(d)
                    .unwrap_or_else(|| Diagnostic::note("sbom-diagnostic", d).at(self.path.clone(), None)),
            );
        }
    }
}

/// A text field as written; NOASSERTION, NONE and blank strings are "unknown".
fn text(v: Option<&Value>) -> Option<String> {
    let s = match v? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let t = s.trim();
    (!t.is_empty() && t != "NOASSERTION" && t != "NONE").then_some(s)
}

/// The `OTHER` external references as `(type, url)`.
fn refs(obj: &serde_json::Map<String, Value>) -> Vec<(String, String)> {
    obj.get("externalRefs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|r| r.get("referenceCategory").and_then(Value::as_str) == Some("OTHER"))
        .filter_map(|r| Some((text(r.get("referenceType"))?, text(r.get("referenceLocator"))?)))
        .collect()
}

/// `Person: Name (mail)` / `Organization: Name (mail)` → `Name <mail>`.
fn author_of(s: &str) -> Option<String> {
    let rest = s.split_once(':').map(|(_, r)| r.trim()).unwrap_or(s.trim());
    if rest.is_empty() {
        return None;
    }
    if let (Some(lp), true) = (rest.rfind(" ("), rest.ends_with(')')) {
        let name = rest[..lp].trim();
        let mail = rest[lp + 2..rest.len() - 1].trim();
        if mail.is_empty() {
            return Some(name.to_string());
        }
        return Some(format!("{name} <{mail}>"));
    }
    Some(rest.to_string())
}

// --- streaming: the document key by key; packages, relationships, annotations element by element ---

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
        f.write_str("an SPDX JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.0;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "spdxVersion" => st.version = text(Some(&map.next_value::<Value>()?)),
                "name" => st.name = text(Some(&map.next_value::<Value>()?)),
                "creationInfo" => {
                    // The SBOM's creator (an organisation or person, not a tool).
                    let ci = map.next_value::<Value>()?;
                    st.creator = ci
                        .get("creators")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .find(|c| c.starts_with("Organization:") || c.starts_with("Person:"))
                        .map(str::to_string);
                }
                "documentDescribes" => {
                    if let Value::Array(a) = map.next_value::<Value>()? {
                        st.describes.extend(a.into_iter().filter_map(|v| v.as_str().map(str::to_string)));
                    }
                }
                "packages" => map.next_value_seed(ArraySeed { st: &mut *st, what: What::Packages })?,
                "relationships" => {
                    map.next_value_seed(ArraySeed { st: &mut *st, what: What::Relationships })?
                }
                "hasExtractedLicensingInfos" => {
                    map.next_value_seed(ArraySeed { st: &mut *st, what: What::Extracted })?
                }
                "annotations" => map.next_value_seed(ArraySeed { st: &mut *st, what: What::Annotations })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
enum What {
    Packages,
    Relationships,
    Extracted,
    Annotations,
}

struct ArraySeed<'a> {
    st: &'a mut State,
    what: What,
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
            match self.what {
                What::Packages => self.st.package(v),
                What::Relationships => self.st.relationship(v),
                What::Extracted => self.st.extracted(v),
                What::Annotations => self.st.annotation(v),
            }
        }
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.st.findings.add(Severity::Warning, "sbom-invalid-component", || {
            "an SPDX list is an object, not an array; ignored".into()
        });
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }
}
