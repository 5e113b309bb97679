//! The policy file as written: the unvalidated form.
//!
//! These types are the single source of the format: the JSON Schema shipped in `docs/policy.schema.json`
//! is generated from them (schemars), and [`super::schema_check`] checks a file against that same schema
//! before serde reads it, so the schema editors use and the parser can never disagree. Values that need
//! more than a type check (countries, SPDX ids, dates, version ranges) stay strings here and are checked by
//! [`super::validate`], which collects every problem with its path.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A sovereign policy file (`version: 1`). Reference: docs/policy.md.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    /// Format version. Only `1` exists.
    pub version: u32,
    /// A short name shown in reports (defaults to the file name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the policy is for, in a sentence or two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Policy file(s) this one builds on, relative to this file. Later files and this file win.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<OneOrMany<String>>,
    /// Scopes judged at all; components in other scopes are ignored by every rule. Default: every scope
    /// except `test`, `example` and `docs` (components found only under test, example or documentation
    /// trees), which are judged only when listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<OneOrMany<ScopeName>>,
    /// The origin rule (rule id `origin`): which countries components may come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<OriginSection>,
    /// The licence rule (rule id `licenses`): which licences components may carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licenses: Option<LicenseSection>,
    /// Further rules, each with its own id and selector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<RuleConfig>>,
    /// Limits over the whole inventory: shares per country or group, unknowns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thresholds: Option<Vec<ThresholdConfig>>,
    /// Accepted exceptions, each with a reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waivers: Option<Vec<WaiverConfig>>,
    /// Severity by rule id or finding code (`origin-unknown: note`); `"*"` sets every finding's severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<BTreeMap<String, SeverityName>>,
}

/// A single value or a list of values.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T: Clone> OneOrMany<T> {
    pub fn to_vec(&self) -> Vec<T> {
        match self {
            OneOrMany::One(t) => vec![t.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// Origin checks. At the top level this is the rule `origin`; inside a rule it is that rule's check.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OriginSection {
    /// Countries (ISO 3166-1 alpha-2) and groups (`EU`, `OECD` …) components may come from; anything
    /// else is a finding. Absent: every country not denied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow: Option<Vec<String>>,
    /// Countries and groups components must not come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deny: Option<Vec<String>>,
    /// An attribution below this confidence (0..1) counts as unknown. Default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_confidence: Option<f64>,
    /// What an unknown origin means. Default `warn`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown: Option<UnknownAction>,
    /// Judge the organisation's headquarters country (default) or its parent's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_to: Option<AttributeTo>,
    /// The origin facets judged (`maintainer`, `code`, `weights`, `architecture`). Absent: every
    /// country of every facet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facets: Option<Vec<FacetName>>,
    /// Which components the rule judges (top level only; inside a rule use the rule's `when`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Selector>,
    /// Severity of its findings (top level only). Default `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<SeverityName>,
    /// Why the rule exists, shown with every finding (top level only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// How to fix a finding, replacing the default advice (top level only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// Licence checks, with SPDX expression semantics (`A OR B` passes when one branch passes, `A AND B`
/// needs both). At the top level this is the rule `licenses`; inside a rule it is that rule's check.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LicenseSection {
    /// Allowed licences: SPDX ids (`MIT`), `ID+`, `ID WITH exception`, `LicenseRef-…`. When `allow` or
    /// `allow_categories` is given, every licence not allowed is a finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow: Option<Vec<String>>,
    /// Denied licences, written as in `allow`. A bare id also denies it with any exception, unless that
    /// exact `ID WITH exception` is allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deny: Option<Vec<String>>,
    /// Allowed categories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_categories: Option<Vec<CategoryName>>,
    /// Denied categories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deny_categories: Option<Vec<CategoryName>>,
    /// Whole SPDX expressions accepted as they are (compared after normalisation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_expressions: Option<Vec<String>>,
    /// Whole SPDX expressions refused as they are (compared after normalisation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deny_expressions: Option<Vec<String>>,
    /// What a missing, NOASSERTION or unparseable licence means. Default `warn`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown: Option<UnknownAction>,
    /// Which components the rule judges (top level only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Selector>,
    /// Severity of its findings (top level only). Default `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<SeverityName>,
    /// Why the rule exists (top level only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// How to fix a finding (top level only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// Which components a rule applies to. Every key given must match (AND); a list matches any of its
/// values (OR).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Selector {
    /// Component kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<OneOrMany<KindName>>,
    /// Ecosystems, named as purl types (`cargo`, `npm`, `pypi`, `huggingface` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem: Option<OneOrMany<String>>,
    /// Scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<OneOrMany<ScopeName>>,
    /// Only direct (`true`) or only transitive (`false`) dependencies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct: Option<bool>,
    /// Package URL patterns (`pkg:npm/%40acme/*`, `pkg:cargo/openssl@>=0.10, <0.11`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<OneOrMany<String>>,
    /// Package URL patterns excluded from the rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude: Option<OneOrMany<String>>,
    /// Only components attributed to one of these countries or groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_in: Option<Vec<String>>,
    /// Only components not attributed to one of these countries or groups (an unknown origin matches;
    /// a component with several countries matches when one of them is outside the list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_not_in: Option<Vec<String>>,
    /// The origin facets `origin_in` / `origin_not_in` read (absent: every facet). Alone, it selects the
    /// components with a known country in one of these facets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facet: Option<OneOrMany<FacetName>>,
    /// Only models whose weights a config or code names but the tree lacks (`true`), or the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights_not_provided: Option<bool>,
}

/// A rule of its own. With an `origin` or `licenses` check it judges the selected components by it;
/// without one, every selected component is a finding (a ban).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// A stable kebab-case id, used in findings, waivers and overrides.
    pub id: String,
    /// Which components the rule applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Selector>,
    /// An origin check for the selected components.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<OriginSection>,
    /// A licence check for the selected components.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licenses: Option<LicenseSection>,
    /// Default `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<SeverityName>,
    /// Why the rule exists, shown with every finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// How to fix a finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// A limit over the whole inventory. Either `of` (a share or count of components from these countries)
/// or `unknown` (components whose origin or licence is unknown), with `max_share` and/or `max_count`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThresholdConfig {
    /// A stable id; default `share-<entries>` or `unknown-origin` / `unknown-license`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Countries and groups whose components are counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<Vec<String>>,
    /// Count components whose origin or licence is unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown: Option<UnknownWhat>,
    /// Count among all judged components (default) or only the direct ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub among: Option<Among>,
    /// The largest share allowed, 0..1 (0.1 is 10 %).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_share: Option<f64>,
    /// The largest number allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_count: Option<u64>,
    /// Which components are counted (in addition to the policy's `scope`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Selector>,
    /// Default `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<SeverityName>,
    /// Why the limit exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// An accepted exception: findings of `rule` on components matching `component` are waived.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaiverConfig {
    /// A purl pattern, optionally with a version range: `pkg:pypi/numpy@*`, `pkg:cargo/ring@>=0.17, <0.18`.
    pub component: String,
    /// The rule id (`origin`, `licenses`, a rule's id) or finding code (`origin-unknown`) waived.
    pub rule: String,
    /// Why this is acceptable. Required.
    pub reason: String,
    /// Last day (YYYY-MM-DD) the waiver applies; after it, the waiver is itself a finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Who approved it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SeverityName {
    Error,
    Warning,
    Note,
}

/// What an unknown value means: no finding, a warning, or a finding at the rule's severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum UnknownAction {
    Allow,
    Warn,
    Deny,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AttributeTo {
    Headquarters,
    Parent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum UnknownWhat {
    Origin,
    License,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Among {
    All,
    Direct,
}

/// An origin facet (docs/origin.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FacetName {
    Maintainer,
    Code,
    Weights,
    Architecture,
}

impl FacetName {
    pub fn facet(self) -> crate::model::Facet {
        use crate::model::Facet;
        match self {
            FacetName::Maintainer => Facet::Maintainer,
            FacetName::Code => Facet::Code,
            FacetName::Weights => Facet::Weights,
            FacetName::Architecture => Facet::Architecture,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum KindName {
    Library,
    Application,
    MlModel,
    VendoredSource,
    Submodule,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ScopeName {
    Runtime,
    Build,
    Dev,
    Optional,
    // The path-role scopes (components found only under test, example or documentation trees): judged
    // only when a policy names them.
    Test,
    Example,
    Docs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CategoryName {
    Permissive,
    WeakCopyleft,
    StrongCopyleft,
    NetworkCopyleft,
    PublicDomain,
    NonCommercial,
    UseRestricted,
    Proprietary,
}

/// The JSON Schema of the format (draft 2020-12), as shipped in docs/policy.schema.json.
pub fn json_schema() -> serde_json::Value {
    schemars::schema_for!(PolicyFile).to_value()
}
