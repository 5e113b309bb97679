//! The validated, compiled policy that evaluation runs on.

use std::collections::BTreeMap;

use serde::Serialize;

use super::config::{Among, AttributeTo, UnknownAction};
use super::geo::CountrySet;
use super::license::LicensePattern;
use super::pattern::PurlPattern;
use crate::model::{ComponentKind, Ecosystem, LicenseCategory, Scope, Severity};

/// A policy ready to evaluate: every value checked, groups expanded, patterns compiled.
#[derive(Debug, Clone)]
pub struct Policy {
    pub name: String,
    pub description: Option<String>,
    /// The files read: the policy itself first, then what it extends.
    pub files: Vec<String>,
    /// Scopes judged at all (`None`: every scope but the path-role ones, `test`, `example`, `docs`).
    pub scope: Option<Vec<Scope>>,
    /// How origins are read for selectors and thresholds (from the top-level `origin` section).
    pub attribution: Attribution,
    pub rules: Vec<Rule>,
    pub thresholds: Vec<Threshold>,
    pub waivers: Vec<Waiver>,
    /// Severity overrides by rule id, finding code, or `*`.
    pub overrides: BTreeMap<String, Severity>,
}

impl Policy {
    /// Whether components of a scope are judged: the listed scopes, or by default every scope but the
    /// path-role ones (test, example, docs trees), which a policy judges only when it names them.
    pub fn judges(&self, scope: Scope) -> bool {
        match &self.scope {
            Some(s) => s.contains(&scope),
            None => !scope.is_path_role(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Attribution {
    pub min_confidence: f64,
    pub attribute_to: AttributeTo,
}

impl Default for Attribution {
    fn default() -> Self {
        Attribution { min_confidence: 0.0, attribute_to: AttributeTo::Headquarters }
    }
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub selector: Selector,
    /// Empty: every selected component is a finding (a ban).
    pub checks: Vec<Check>,
    pub severity: Severity,
    pub why: Option<String>,
    pub fix: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Check {
    Origin(OriginCheck),
    License(LicenseCheck),
}

#[derive(Debug, Clone)]
pub struct OriginCheck {
    pub allow: Option<CountrySet>,
    pub deny: CountrySet,
    pub attribution: Attribution,
    pub unknown: UnknownAction,
    /// The facets judged; empty: all.
    pub facets: Vec<crate::model::Facet>,
}

#[derive(Debug, Clone)]
pub struct LicenseCheck {
    pub allow: Vec<LicensePattern>,
    pub deny: Vec<LicensePattern>,
    pub allow_categories: Vec<LicenseCategory>,
    pub deny_categories: Vec<LicenseCategory>,
    pub allow_expressions: Vec<spdx::Expression>,
    pub deny_expressions: Vec<spdx::Expression>,
    pub unknown: UnknownAction,
}

impl LicenseCheck {
    /// Whether licences must be on an allow list (`allow` or `allow_categories` given).
    pub fn allow_list(&self) -> bool {
        !self.allow.is_empty() || !self.allow_categories.is_empty()
    }
}

/// Which components a rule or threshold applies to; `None` fields match everything.
#[derive(Debug, Clone, Default)]
pub struct Selector {
    pub kinds: Option<Vec<ComponentKind>>,
    pub ecosystems: Option<Vec<Ecosystem>>,
    pub scopes: Option<Vec<Scope>>,
    pub direct: Option<bool>,
    pub purls: Vec<PurlPattern>,
    pub exclude: Vec<PurlPattern>,
    pub origin_in: Option<CountrySet>,
    pub origin_not_in: Option<CountrySet>,
    /// The facets `origin_in` / `origin_not_in` read; `Some` alone requires a country in one of them.
    pub facets: Option<Vec<crate::model::Facet>>,
    pub weights_not_provided: Option<bool>,
}

#[derive(Debug, Clone)]
pub enum Counted {
    Countries(CountrySet),
    UnknownOrigin,
    UnknownLicense,
}

#[derive(Debug, Clone)]
pub struct Threshold {
    pub id: String,
    pub counted: Counted,
    pub among: Among,
    pub max_share: Option<f64>,
    pub max_count: Option<u64>,
    pub selector: Selector,
    pub severity: Severity,
    pub why: Option<String>,
}

/// A calendar date (YYYY-MM-DD), compared as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Parses `YYYY-MM-DD`, checking that the day exists.
    pub fn parse(s: &str) -> Option<Date> {
        let mut it = s.trim().splitn(3, '-');
        let (y, m, d) = (it.next()?, it.next()?, it.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let (year, month, day): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (day >= 1 && day <= days).then_some(Date { year, month, day })
    }

    /// Today (UTC) by the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let iso = crate::util::time::rfc3339(secs);
        Date::parse(&iso[..10]).unwrap_or(Date { year: 1970, month: 1, day: 1 })
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[derive(Debug, Clone)]
pub struct Waiver {
    /// Position in its file's `waivers` list, and the file.
    pub index: usize,
    pub file: String,
    pub pattern: PurlPattern,
    pub rule: String,
    pub reason: String,
    pub expires: Option<Date>,
    pub approved_by: Option<String>,
}
