//! Reading the store: scans (latest per submission, or history), components across submissions by
//! country, facet, licence, purl or model lineage, a scan's SBOM, and a scan's inventory rebuilt from
//! the component tables (for policy simulation).

use std::collections::BTreeMap;

use serde::Serialize;

use super::backend::{Col, Val};
use super::{ScanId, Store, StoreError};
use crate::model::{
    Component, CountryConfidence, Facet, Inventory, LicenseInfo, LicenseValue, Location, OrganisationRef,
    Subject,
};

/// A stored scan, without its SBOM.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanInfo {
    pub id: ScanId,
    pub submission: String,
    pub url: Option<String>,
    pub commit: Option<String>,
    pub time: String,
    pub tool_version: String,
    pub kb_version: String,
    pub components: i64,
}

/// Which scans and components a query is about.
#[derive(Debug, Clone, Default)]
pub struct QueryFilter {
    /// ISO 3166-1 alpha-2, or `unknown` for components without a country in the facet.
    pub country: Option<String>,
    /// `any` (the combined origin, the default), `maintainer`, `code`, `weights`, `architecture`.
    pub facet: Option<String>,
    /// An SPDX id (matched among the ids a component's licence values name) or a whole expression.
    pub license: Option<String>,
    /// A purl, a purl without version, or a pattern with `*`.
    pub purl: Option<String>,
    /// Models whose lineage (base models) matches this purl pattern.
    pub lineage: Option<String>,
    pub submission: Option<String>,
    /// Scans at or before this time (YYYY-MM-DD: the end of that day; or RFC 3339).
    pub at: Option<String>,
    /// Scans at or after this time (YYYY-MM-DD: the start of that day; or RFC 3339).
    pub since: Option<String>,
    /// Every scan, not only the latest per submission.
    pub history: bool,
}

/// One component of one stored scan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentRow {
    pub submission: String,
    pub scan: ScanId,
    pub time: String,
    /// The purl, or the SBOM bom-ref when the component has none.
    pub purl: String,
    pub name: String,
    pub version: Option<String>,
    pub ecosystem: String,
    pub kind: String,
    pub scope: String,
    pub license: Option<String>,
    /// The facet the countries are of.
    pub facet: String,
    pub countries: Vec<String>,
}

/// `2026-03-31` → the last second of that day (`end`) or its first (`!end`); RFC 3339 as given.
pub fn time_bound(s: &str, end: bool) -> Result<String, StoreError> {
    let s = s.trim();
    let b = s.as_bytes();
    let is_date = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() });
    if is_date {
        return Ok(format!("{s}T{}Z", if end { "23:59:59" } else { "00:00:00" }));
    }
    if b.len() == 20 && b[10] == b'T' && b[19] == b'Z' && b[..10].iter().filter(|c| **c == b'-').count() == 2
    {
        return Ok(s.to_string());
    }
    Err(StoreError::Data(format!("`{s}` is not a date (YYYY-MM-DD) or a UTC time (YYYY-MM-DDTHH:MM:SSZ)")))
}

/// A purl pattern as a case-insensitive LIKE pattern: `*` is any text; without `*` and without a
/// version, any version of the package.
fn like_patterns(p: &str) -> Vec<String> {
    let esc = |s: &str| s.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    if p.contains('*') {
        return vec![esc(p).replace('*', "%")];
    }
    let mut v = vec![esc(p)];
    let has_version = p.rsplit('/').next().is_some_and(|last| last.contains('@'));
    if !has_version {
        v.push(format!("{}@%", esc(p)));
        v.push(format!("{}?%", esc(p)));
    }
    v
}

fn like_clause(col: &str, pats: &[String], params: &mut Vec<Val>) -> String {
    let parts: Vec<String> = pats
        .iter()
        .map(|p| {
            params.push(Val::text(p));
            format!("LOWER({col}) LIKE ? ESCAPE '\\'")
        })
        .collect();
    format!("({})", parts.join(" OR "))
}

fn id_list(ids: &[ScanId]) -> String {
    ids.iter().map(|i| i.0.to_string()).collect::<Vec<_>>().join(", ")
}

impl Store {
    /// The scans a filter selects (submission, time window), oldest first; with `history` off, only the
    /// latest of each submission.
    pub fn scans(&mut self, f: &QueryFilter) -> Result<Vec<ScanInfo>, StoreError> {
        let mut sql = String::from(
            "SELECT id, submission, url, commit_id, scanned_at, tool_version, kb_version, components FROM scan WHERE 1 = 1",
        );
        let mut params = Vec::new();
        if let Some(at) = &f.at {
            sql.push_str(" AND scanned_at <= ?");
            params.push(Val::text(time_bound(at, true)?));
        }
        if let Some(since) = &f.since {
            sql.push_str(" AND scanned_at >= ?");
            params.push(Val::text(time_bound(since, false)?));
        }
        if let Some(s) = &f.submission {
            sql.push_str(" AND submission = ?");
            params.push(Val::text(s));
        }
        sql.push_str(" ORDER BY submission, scanned_at, id");
        let cols = [Col::Int, Col::Text, Col::Text, Col::Text, Col::Text, Col::Text, Col::Text, Col::Int];
        let rows = self.conn.query(&sql, &params, &cols)?;
        let mut out: Vec<ScanInfo> = Vec::with_capacity(rows.len());
        for r in rows {
            let info = ScanInfo {
                id: ScanId(r[0].int()),
                submission: r[1].string(),
                url: r[2].str().map(str::to_string),
                commit: r[3].str().map(str::to_string),
                time: r[4].string(),
                tool_version: r[5].string(),
                kb_version: r[6].string(),
                components: r[7].int(),
            };
            if !f.history && out.last().is_some_and(|l| l.submission == info.submission) {
                out.pop();
            }
            out.push(info);
        }
        out.sort_by(|a, b| a.time.cmp(&b.time).then(a.submission.cmp(&b.submission)).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// The components of the selected scans that match the filter, by scan then SBOM order.
    pub fn components(&mut self, f: &QueryFilter) -> Result<Vec<ComponentRow>, StoreError> {
        let scans = self.scans(f)?;
        if scans.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<ScanId> = scans.iter().map(|s| s.id).collect();
        let facet = f.facet.clone().unwrap_or_else(|| "any".to_string());
        let mut params = vec![Val::text(&facet)];
        let mut sql = String::from(
            "SELECT c.scan_id, c.idx, COALESCE(c.purl, c.bom_ref), c.name, c.version, c.ecosystem, c.kind, \
             c.scope, c.license, o.country FROM ",
        );
        let country = f.country.as_deref().map(|c| c.trim().to_uppercase());
        match country.as_deref() {
            Some(cc) if cc != "UNKNOWN" => {
                sql.push_str(
                    "component_origin f JOIN component c ON c.scan_id = f.scan_id AND c.idx = f.idx \
                     LEFT JOIN component_origin o ON o.scan_id = c.scan_id AND o.idx = c.idx AND o.facet = ? \
                     WHERE f.facet = ? AND f.country = ?",
                );
                params.push(Val::text(&facet));
                params.push(Val::text(cc));
                sql.push_str(&format!(" AND f.scan_id IN ({})", id_list(&ids)));
            }
            _ => {
                sql.push_str(
                    "component c LEFT JOIN component_origin o ON o.scan_id = c.scan_id AND o.idx = c.idx \
                     AND o.facet = ? WHERE 1 = 1",
                );
                if country.is_some() {
                    sql.push_str(" AND o.country IS NULL");
                }
                sql.push_str(&format!(" AND c.scan_id IN ({})", id_list(&ids)));
            }
        }
        if let Some(l) = &f.license {
            let l = l.trim();
            if crate::store::write::license_ids(l).len() == 1 && !l.contains(' ') {
                sql.push_str(
                    " AND EXISTS (SELECT 1 FROM component_license_id i WHERE i.scan_id = c.scan_id \
                     AND i.idx = c.idx AND i.license_id = ?)",
                );
                params.push(Val::text(l.trim_end_matches('+').to_lowercase()));
            } else {
                sql.push_str(
                    " AND EXISTS (SELECT 1 FROM component_license i WHERE i.scan_id = c.scan_id \
                     AND i.idx = c.idx AND i.expression = ?)",
                );
                params.push(Val::text(l));
            }
        }
        if let Some(p) = &f.purl {
            let p = p.trim();
            if p.contains('*') {
                let pats = like_patterns(p);
                let a = like_clause("c.purl", &pats, &mut params);
                let b = like_clause("c.bom_ref", &pats, &mut params);
                sql.push_str(&format!(" AND ({a} OR {b})"));
            } else {
                // Through the package index: every version, or the one named.
                let key = crate::store::write::package_key(p);
                sql.push_str(" AND c.package = ?");
                params.push(Val::text(&key));
                if key != p.to_lowercase() {
                    sql.push_str(" AND (LOWER(c.purl) = ? OR LOWER(c.bom_ref) = ?)");
                    params.push(Val::text(p.to_lowercase()));
                    params.push(Val::text(p.to_lowercase()));
                }
            }
        }
        if let Some(p) = &f.lineage {
            let pats = like_patterns(p.trim());
            let clause = like_clause("g.base", &pats, &mut params);
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM component_lineage g WHERE g.scan_id = c.scan_id AND g.idx = c.idx \
                 AND {clause})"
            ));
        }
        sql.push_str(" ORDER BY c.scan_id, c.idx, o.country");
        let cols = [
            Col::Int,
            Col::Int,
            Col::Text,
            Col::Text,
            Col::Text,
            Col::Text,
            Col::Text,
            Col::Text,
            Col::Text,
            Col::Text,
        ];
        let rows = self.conn.query(&sql, &params, &cols)?;
        let by_id: BTreeMap<i64, &ScanInfo> = scans.iter().map(|s| (s.id.0, s)).collect();
        let mut out: Vec<ComponentRow> = Vec::new();
        let mut last: Option<(i64, i64)> = None;
        for r in rows {
            let key = (r[0].int(), r[1].int());
            let country = r[9].str().map(str::to_string);
            if last == Some(key) {
                if let (Some(row), Some(cc)) = (out.last_mut(), country) {
                    if !row.countries.contains(&cc) {
                        row.countries.push(cc);
                    }
                }
                continue;
            }
            last = Some(key);
            let scan = by_id[&key.0];
            out.push(ComponentRow {
                submission: scan.submission.clone(),
                scan: scan.id,
                time: scan.time.clone(),
                purl: r[2].string(),
                name: r[3].string(),
                version: r[4].str().map(str::to_string),
                ecosystem: r[5].string(),
                kind: r[6].string(),
                scope: r[7].string(),
                license: r[8].str().map(str::to_string),
                facet: facet.clone(),
                countries: country.into_iter().collect(),
            });
        }
        // Submissions in name order, then time: the same order whatever the backend.
        out.sort_by(|a, b| {
            a.submission.cmp(&b.submission).then(a.time.cmp(&b.time)).then(a.scan.cmp(&b.scan))
        });
        Ok(out)
    }

    /// A stored scan's SBOM, as written.
    pub fn sbom(&mut self, scan: ScanId) -> Result<String, StoreError> {
        let rows =
            self.conn.query("SELECT sbom FROM scan WHERE id = ?", &[Val::Int(scan.0)], &[Col::Text])?;
        rows.into_iter()
            .next()
            .map(|r| r[0].string())
            .ok_or_else(|| StoreError::Data(format!("no scan {scan} in the store")))
    }

    /// A stored scan's inventory rebuilt from the component tables: what policies judge (purl, kind,
    /// ecosystem, scope, directness, licences, origin country, confidence and organisation, every
    /// country of every origin facet, first location). Evidence lists and edges are in the stored SBOM ([`Store::sbom`]), not here.
    pub fn inventory(&mut self, scan: &ScanInfo) -> Result<Inventory, StoreError> {
        let cols = [
            Col::Int,
            Col::Text,
            Col::Text,
            Col::Text,
            Col::Text,
            Col::Text,
            Col::Text,
            Col::Text,
            Col::Int,
            Col::Text,
            Col::Real,
            Col::Text,
            Col::Text,
            Col::Text,
            Col::Text,
            Col::Text,
            Col::Text,
        ];
        let rows = self.conn.query(
            "SELECT idx, bom_ref, purl, name, version, ecosystem, kind, scope, direct, country, confidence, basis, \
             organisation, organisation_country, parent, parent_country, found_in FROM component WHERE scan_id = ? \
             ORDER BY idx",
            &[Val::Int(scan.id.0)],
            &cols,
        )?;
        let mut comps: Vec<Component> = Vec::with_capacity(rows.len());
        for r in &rows {
            let eco = enum_from(r[5].str())?;
            let mut c = Component::new(eco, r[3].string(), r[4].str().map(str::to_string));
            c.id = r[1].string();
            c.purl = r[2].str().map(str::to_string);
            c.kind = enum_from(r[6].str())?;
            c.scope = enum_from(r[7].str())?;
            c.direct = r[8].int() != 0;
            c.origin.country = r[9].str().map(str::to_string);
            c.origin.confidence = r[10].real();
            c.origin.basis = r[11].str().map(str::to_string);
            if let (Some(name), Some(country)) = (r[12].str(), r[13].str()) {
                c.origin.organisation = Some(OrganisationRef {
                    name: name.to_string(),
                    country: country.to_string(),
                    parent: r[14].str().map(str::to_string),
                    parent_country: r[15].str().map(str::to_string),
                    url: None,
                    source: "store".to_string(),
                });
            }
            if let Some(loc) = r[16].str() {
                c.found_in.push(parse_location(loc));
            }
            comps.push(c);
        }
        let lics = self.conn.query(
            "SELECT idx, role, expression, source, valid FROM component_license WHERE scan_id = ? ORDER BY idx",
            &[Val::Int(scan.id.0)],
            &[Col::Int, Col::Text, Col::Text, Col::Text, Col::Int],
        )?;
        for r in lics {
            let Some(c) = comps.get_mut(r[0].int() as usize) else { continue };
            let v = LicenseValue {
                expression: r[2].string(),
                original: None,
                valid: r[4].int() != 0,
                source: r[3].string(),
                score: None,
            };
            let l: &mut LicenseInfo = &mut c.license;
            match r[1].str() {
                Some("declared") => l.declared = Some(v),
                Some("concluded") => l.concluded = Some(v),
                _ => l.detected.push(v),
            }
        }
        // Every country of every origin facet (policies judge them all by default), as `origin_rows` wrote
        // them: `any` rows are the component's countries, the others its facets, strongest first.
        let origins = self.conn.query(
            "SELECT idx, facet, country, confidence, basis FROM component_origin WHERE scan_id = ? \
             ORDER BY idx, facet, confidence DESC, country",
            &[Val::Int(scan.id.0)],
            &[Col::Int, Col::Text, Col::Text, Col::Real, Col::Text],
        )?;
        for r in origins {
            let Some(c) = comps.get_mut(r[0].int() as usize) else { continue };
            let country = r[2].string();
            match r[1].str().and_then(Facet::parse) {
                Some(facet) => {
                    let f = c.origin.facets.entry(facet).or_default();
                    f.countries.push(CountryConfidence { country, confidence: r[3].real() });
                    f.basis = f.basis.take().or_else(|| r[4].str().map(str::to_string));
                }
                None => {
                    if let Err(at) = c.origin.countries.binary_search(&country) {
                        c.origin.countries.insert(at, country);
                    }
                }
            }
        }
        Ok(Inventory {
            subject: Subject {
                name: scan.submission.clone(),
                url: scan.url.clone(),
                commit: scan.commit.clone(),
                ..Subject::default()
            },
            components: comps,
            ..Inventory::default()
        })
    }
}

fn enum_from<T: serde::de::DeserializeOwned>(s: Option<&str>) -> Result<T, StoreError> {
    let s = s.unwrap_or_default();
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| StoreError::Data(format!("the store holds an unknown value `{s}`")))
}

/// `path:line` or `path` back to a location.
fn parse_location(s: &str) -> Location {
    match s.rsplit_once(':') {
        Some((p, l)) if !p.is_empty() && l.parse::<u32>().is_ok() => Location::new(p, l.parse().ok()),
        _ => Location::new(s, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert_eq!(time_bound("2026-03-31", true).unwrap(), "2026-03-31T23:59:59Z");
        assert_eq!(time_bound("2026-03-31", false).unwrap(), "2026-03-31T00:00:00Z");
        assert_eq!(time_bound("2026-03-31T10:00:00Z", true).unwrap(), "2026-03-31T10:00:00Z");
        assert!(time_bound("last week", true).is_err());
    }

    #[test]
    fn patterns() {
        assert_eq!(
            like_patterns("pkg:cargo/serde"),
            ["pkg:cargo/serde", "pkg:cargo/serde@%", "pkg:cargo/serde?%"]
        );
        assert_eq!(like_patterns("pkg:npm/%40scope/*"), ["pkg:npm/\\%40scope/%"]);
        assert_eq!(like_patterns("pkg:cargo/serde@1.0.0"), ["pkg:cargo/serde@1.0.0"]);
    }
}
