//! Storing scans and verdicts, each in one transaction.

use super::backend::{Col, Val};
use super::{ScanId, Store, StoreError};
use crate::model::{Component, Inventory};
use crate::policy::Verdict;

/// Parameters per multi-row INSERT (under SQLite's 32766 and PostgreSQL's 65535).
const MAX_PARAMS: usize = 30_000;

/// One scan to store: who, what, when, with which tool and knowledge base, and its SBOM.
#[derive(Debug, Clone)]
pub struct ScanRecord<'a> {
    /// The submission's name (the audit's name for it, or the scanned subject's name).
    pub submission: String,
    pub url: Option<String>,
    pub commit: Option<String>,
    /// RFC 3339 UTC (`2026-01-31T12:00:00Z`).
    pub time: String,
    pub tool_version: String,
    /// Which origin and licence knowledge the scan used (see [`kb_version`]).
    pub kb_version: String,
    /// The SBOM as written (CycloneDX JSON).
    pub sbom_json: String,
    pub inventory: &'a Inventory,
}

impl<'a> ScanRecord<'a> {
    /// A record named after the inventory's subject, stamped now (`SOURCE_DATE_EPOCH` when set), with
    /// the CycloneDX JSON of the inventory as its SBOM.
    pub fn new(inventory: &'a Inventory) -> ScanRecord<'a> {
        let sbom = crate::sbom::write(inventory, crate::sbom::Format::CyclonedxJson);
        ScanRecord::with_sbom(inventory, String::from_utf8_lossy(&sbom).into_owned())
    }

    /// The same, with the SBOM the caller already wrote (not serialised again).
    pub fn with_sbom(inventory: &'a Inventory, sbom_json: String) -> ScanRecord<'a> {
        let s = &inventory.subject;
        ScanRecord {
            submission: s.name.clone(),
            url: s.url.as_deref().map(crate::util::redact::redact_url),
            commit: s.commit.clone(),
            time: crate::util::time::rfc3339(crate::util::time::document_epoch()),
            tool_version: format!("sovereign {}", env!("CARGO_PKG_VERSION")),
            kb_version: kb_version(&[]),
            sbom_json,
            inventory,
        }
    }
}

/// The knowledge base's version: the built-in rules of this build, plus a digest of each user rules
/// file given (curations, origin rules, licence aliases…), so that two scans with different user rules
/// are told apart.
pub fn kb_version(user_files: &[&std::path::Path]) -> String {
    use sha2::{Digest, Sha256};
    let mut s = format!("builtin-{}", env!("CARGO_PKG_VERSION"));
    for f in user_files {
        let digest = match std::fs::read(f) {
            Ok(b) => hex::encode(&Sha256::digest(&b)[..6]),
            Err(_) => "unreadable".to_string(),
        };
        s.push_str(&format!("+{}:{digest}", f.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()));
    }
    s
}

/// The countries of a component per origin facet: (facet, country, confidence, basis), plus facet `any`
/// for every country of the component (docs/store.md, "Origin facets").
pub(crate) fn origin_rows(c: &Component) -> Vec<(String, String, f64, Option<String>)> {
    let o = &c.origin;
    let mut rows = Vec::new();
    // `any`: every country of the component (the union over its facets), each at its best confidence.
    let per_facet = o.countries_of(&[]);
    for cc in o.all_countries() {
        let best = per_facet
            .iter()
            .filter(|(_, x)| x.country == cc)
            .map(|(_, x)| x.confidence)
            .fold(if o.country.as_deref() == Some(cc) { o.confidence } else { 0.0 }, f64::max);
        rows.push(("any".to_string(), cc.to_string(), best, o.basis.clone()));
    }
    for (facet, f) in &o.facets {
        for x in &f.countries {
            rows.push((facet.as_str().to_string(), x.country.clone(), x.confidence, f.basis.clone()));
        }
    }
    rows
}

/// A purl without version, qualifiers and subpath, lower-cased: `pkg:npm/%40a/b@1.0?x=y` → `pkg:npm/%40a/b`.
pub(crate) fn package_key(purl: &str) -> String {
    let base = purl.split(['?', '#']).next().unwrap_or(purl);
    let cut = match base.rfind('/') {
        Some(slash) => base[slash..].find('@').map(|at| slash + at),
        None => base.find('@'),
    };
    base[..cut.unwrap_or(base.len())].to_lowercase()
}

/// The SPDX ids an expression names (`MIT OR Apache-2.0 WITH LLVM-exception` → MIT, Apache-2.0).
pub(crate) fn license_ids(expr: &str) -> Vec<String> {
    let spaced = expr.replace(['(', ')'], " ");
    let mut out = Vec::new();
    let mut after_with = false;
    for tok in spaced.split_whitespace() {
        match tok {
            "AND" | "OR" | "and" | "or" => after_with = false,
            "WITH" | "with" => after_with = true,
            t if after_with => {
                after_with = false;
                let _ = t;
            }
            t => {
                let t = t.trim_end_matches('+').to_string();
                if !t.is_empty() && !out.contains(&t) {
                    out.push(t);
                }
            }
        }
    }
    out
}

fn effective_license(c: &Component) -> Option<&str> {
    let l = &c.license;
    l.concluded.as_ref().or(l.declared.as_ref()).or(l.detected.first()).map(|v| v.expression.as_str())
}

impl Store {
    /// Stores a scan with its components, licences, origins and lineage, all or nothing.
    pub fn record_scan(&mut self, rec: &ScanRecord<'_>) -> Result<ScanId, StoreError> {
        self.record_scan_observed(rec, &mut |_| {})
    }

    /// [`Store::record_scan`], calling `step` between the transaction's statements (fault tests stop
    /// the database there).
    #[doc(hidden)]
    pub fn record_scan_observed(
        &mut self,
        rec: &ScanRecord<'_>,
        step: &mut dyn FnMut(&str),
    ) -> Result<ScanId, StoreError> {
        self.begin()?;
        let r = self.insert_scan(rec, step);
        self.finish(r)
    }

    fn insert_scan(
        &mut self,
        rec: &ScanRecord<'_>,
        step: &mut dyn FnMut(&str),
    ) -> Result<ScanId, StoreError> {
        let inv = rec.inventory;
        let params = [
            Val::text(&rec.submission),
            Val::opt(rec.url.as_deref()),
            Val::opt(rec.commit.as_deref()),
            Val::text(&rec.time),
            Val::text(&rec.tool_version),
            Val::text(&rec.kb_version),
            Val::Int(inv.components.len() as i64),
            Val::text(&rec.sbom_json),
        ];
        let rows = self.conn.query(
            "INSERT INTO scan (submission, url, commit_id, scanned_at, tool_version, kb_version, components, sbom) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            &params,
            &[Col::Int],
        )?;
        let id =
            rows.first().map(|r| r[0].int()).ok_or_else(|| StoreError::Data("no scan id returned".into()))?;
        step("scan");
        let (mut comps, mut lics, mut ids, mut origins, mut lineage) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (i, c) in inv.components.iter().enumerate() {
            let (sid, idx) = (Val::Int(id), Val::Int(i as i64));
            let org = c.origin.organisation.as_ref();
            comps.extend([
                sid.clone(),
                idx.clone(),
                Val::text(&c.id),
                Val::opt(c.purl.as_deref()),
                Val::text(package_key(c.purl.as_deref().unwrap_or(&c.id))),
                Val::text(&c.name),
                Val::opt(c.version.as_deref()),
                Val::text(c.ecosystem.as_str()),
                Val::text(c.kind.as_str()),
                Val::text(c.scope.as_str()),
                Val::Int(c.direct as i64),
                Val::opt(effective_license(c)),
                Val::opt(c.origin.country.as_deref()),
                Val::Real(c.origin.confidence),
                Val::opt(c.origin.basis.as_deref()),
                Val::opt(org.map(|o| o.name.as_str())),
                Val::opt(org.map(|o| o.country.as_str())),
                Val::opt(org.and_then(|o| o.parent.as_deref())),
                Val::opt(org.and_then(|o| o.parent_country.as_deref())),
                Val::Text(c.found_in.first().map(|l| l.to_string())),
            ]);
            let l = &c.license;
            let values = l
                .declared
                .iter()
                .map(|v| ("declared", v))
                .chain(l.detected.iter().map(|v| ("detected", v)))
                .chain(l.concluded.iter().map(|v| ("concluded", v)));
            let mut named = Vec::new();
            for (role, v) in values {
                lics.extend([
                    sid.clone(),
                    idx.clone(),
                    Val::text(role),
                    Val::text(&v.expression),
                    Val::text(&v.source),
                    Val::Int(v.valid as i64),
                ]);
                for lid in license_ids(&v.expression) {
                    if !named.contains(&lid) {
                        named.push(lid);
                    }
                }
            }
            for lid in named {
                ids.extend([sid.clone(), idx.clone(), Val::Text(Some(lid.to_lowercase()))]);
            }
            for (facet, country, confidence, basis) in origin_rows(c) {
                origins.extend([
                    sid.clone(),
                    idx.clone(),
                    Val::Text(Some(facet)),
                    Val::Text(Some(country)),
                    Val::Real(confidence),
                    Val::Text(basis),
                ]);
            }
            if let Some(m) = &c.model {
                for b in &m.base_models {
                    lineage.extend([
                        sid.clone(),
                        idx.clone(),
                        Val::text(&b.component),
                        Val::opt(b.relation.as_deref()),
                    ]);
                }
            }
        }
        self.conn.insert_many(
            "INSERT INTO component (scan_id, idx, bom_ref, purl, package, name, version, ecosystem, kind, scope, direct, \
             license, country, confidence, basis, organisation, organisation_country, parent, parent_country, found_in)",
            20,
            &comps,
            MAX_PARAMS,
        )?;
        step("components");
        self.conn.insert_many(
            "INSERT INTO component_license (scan_id, idx, role, expression, source, valid)",
            6,
            &lics,
            MAX_PARAMS,
        )?;
        self.conn.insert_many(
            "INSERT INTO component_license_id (scan_id, idx, license_id)",
            3,
            &ids,
            MAX_PARAMS,
        )?;
        step("licenses");
        self.conn.insert_many(
            "INSERT INTO component_origin (scan_id, idx, facet, country, confidence, basis)",
            6,
            &origins,
            MAX_PARAMS,
        )?;
        self.conn.insert_many(
            "INSERT INTO component_lineage (scan_id, idx, base, relation)",
            4,
            &lineage,
            MAX_PARAMS,
        )?;
        step("origins");
        Ok(ScanId(id))
    }

    /// Stores a policy verdict on a stored scan, with every finding and the waiver covering it.
    pub fn record_verdict(&mut self, scan: ScanId, verdict: &Verdict) -> Result<i64, StoreError> {
        self.begin()?;
        let r = self.insert_verdict(scan, verdict);
        self.finish(r)
    }

    fn insert_verdict(&mut self, scan: ScanId, v: &Verdict) -> Result<i64, StoreError> {
        let rows = self.conn.query(
            "INSERT INTO verdict (scan_id, policy, passed, judged, errors, warnings, notes, waived, recorded_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                Val::Int(scan.0),
                Val::text(&v.policy),
                Val::Int(v.passed as i64),
                Val::Int(v.judged as i64),
                Val::Int(v.counts.error as i64),
                Val::Int(v.counts.warning as i64),
                Val::Int(v.counts.note as i64),
                Val::Int(v.counts.waived as i64),
                Val::text(crate::util::time::rfc3339(crate::util::time::document_epoch())),
            ],
            &[Col::Int],
        )?;
        let id = rows
            .first()
            .map(|r| r[0].int())
            .ok_or_else(|| StoreError::Data("no verdict id returned".into()))?;
        let mut vals = Vec::new();
        for (i, f) in v.findings.iter().enumerate() {
            let w = f.waived.as_ref();
            let detail = serde_json::to_string(f).map_err(|e| StoreError::Data(e.to_string()))?;
            vals.extend([
                Val::Int(id),
                Val::Int(i as i64),
                Val::text(&f.rule),
                Val::text(&f.code),
                Val::text(severity(f.severity)),
                Val::opt(f.component.as_deref()),
                Val::opt(f.name.as_deref()),
                Val::text(&f.message),
                Val::opt(w.map(|w| w.file.as_str())),
                w.map(|w| Val::Int(w.index as i64)).unwrap_or(Val::NullInt),
                Val::opt(w.map(|w| w.reason.as_str())),
                Val::opt(w.and_then(|w| w.expires.as_deref())),
                Val::opt(w.and_then(|w| w.approved_by.as_deref())),
                Val::Text(Some(detail)),
            ]);
        }
        self.conn.insert_many(
            "INSERT INTO finding (verdict_id, idx, rule, code, severity, component, name, message, waiver_file, \
             waiver_index, waiver_reason, waiver_expires, waiver_approved_by, detail)",
            14,
            &vals,
            MAX_PARAMS,
        )?;
        Ok(id)
    }
}

fn severity(s: crate::model::Severity) -> &'static str {
    match s {
        crate::model::Severity::Note => "note",
        crate::model::Severity::Warning => "warning",
        crate::model::Severity::Error => "error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_keys() {
        assert_eq!(package_key("pkg:npm/%40a/B@1.0?x=y#p"), "pkg:npm/%40a/b");
        assert_eq!(package_key("pkg:cargo/serde"), "pkg:cargo/serde");
        assert_eq!(package_key("pkg:golang/github.com/a/b@v1.2.3"), "pkg:golang/github.com/a/b");
    }

    #[test]
    fn ids_of_expressions() {
        assert_eq!(license_ids("MIT OR Apache-2.0 WITH LLVM-exception"), ["MIT", "Apache-2.0"]);
        assert_eq!(license_ids("(GPL-2.0+ AND MIT) OR MIT"), ["GPL-2.0", "MIT"]);
        assert_eq!(license_ids("LicenseRef-x"), ["LicenseRef-x"]);
    }
}
