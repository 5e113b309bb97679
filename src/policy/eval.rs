//! Inventory × Policy → Verdict: every finding with its rule, code, component, the evidence behind the
//! value judged, the dependency path from a direct dependency, and how to fix it.

use serde::Serialize;

use super::codes;
use super::config::{AttributeTo, UnknownAction};
use super::geo::{self, CountrySet};
use super::license::{self, Outcome};
use super::types::*;
use crate::model::{Component, ComponentKind, Facet, Inventory, Location, Origin, Severity, Subject};

#[derive(Debug, Clone, Copy)]
pub struct EvalOptions {
    /// The day waivers' `expires` is compared with.
    pub today: Date,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions { today: Date::today() }
    }
}

/// A waiver that covered a finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppliedWaiver {
    pub file: String,
    pub index: usize,
    pub component: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
}

/// One thing the policy objects to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The policy rule that fired: `origin`, `licenses`, a rule's or threshold's id, or `waivers`.
    pub rule: String,
    /// What kind of finding it is (stable, listed in docs/policy.md).
    pub code: String,
    pub severity: Severity,
    /// The component's id (its purl), when the finding is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// `name@version`, for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub message: String,
    /// The facts behind the judged value: origin evidence, the licence value and its source.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// Component ids from a direct dependency down to this component (shortest path).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<String>,
    /// Where the component is declared (manifest and line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Why the rule exists, from the policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    pub fix: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived: Option<AppliedWaiver>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub note: usize,
    pub waived: usize,
}

/// The result of judging one inventory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub policy: String,
    pub subject: Subject,
    /// No finding at error severity that is not waived.
    pub passed: bool,
    /// Components judged (in the policy's scope).
    pub judged: usize,
    pub counts: Counts,
    pub findings: Vec<Finding>,
}

/// Judges inventories against one policy; keeps caches between inventories (simulation reuses one).
pub struct Evaluator<'p> {
    policy: &'p Policy,
    caches: Vec<license::Cache>,
    /// Messages, evidence, locations and dependency paths; off for simulation, which only counts.
    detail: bool,
}

/// How a component's origin reads under an attribution setting.
enum Attributed<'a> {
    Known(&'a str),
    Low,
    Unknown,
}

fn attributed(c: &Component, a: Attribution) -> Attributed<'_> {
    let o = &c.origin;
    let country = match a.attribute_to {
        AttributeTo::Parent => parent_country(o).or(o.country.as_deref()),
        AttributeTo::Headquarters => o.country.as_deref(),
    };
    match country {
        None => Attributed::Unknown,
        Some(_) if o.confidence < a.min_confidence => Attributed::Low,
        Some(cc) => Attributed::Known(cc),
    }
}

/// Every country of a component in the given facets (all when empty), each with its facets and its
/// highest confidence, under the attribution (`attribute_to: parent` replaces the organisation's country
/// by its parent's). An origin without facets (an older SBOM, a test) stands for its country alone.
pub(super) fn judged_countries<'a>(
    c: &'a Component,
    facets: &[Facet],
    a: Attribution,
) -> Vec<(&'a str, f64, Vec<Facet>)> {
    let o = &c.origin;
    let parent = match a.attribute_to {
        AttributeTo::Parent => parent_country(o),
        AttributeTo::Headquarters => None,
    };
    let org_country = o.organisation.as_ref().map(|g| g.country.as_str());
    let mut out: Vec<(&str, f64, Vec<Facet>)> = Vec::new();
    let mut add = |cc: &'a str, conf: f64, f: Facet| {
        let cc = match parent {
            Some(p) if Some(cc) == org_country && matches!(f, Facet::Maintainer | Facet::Code) => p,
            _ => cc,
        };
        match out.iter_mut().find(|x| x.0 == cc) {
            Some(x) => {
                x.1 = x.1.max(conf);
                if !x.2.contains(&f) {
                    x.2.push(f);
                }
            }
            None => out.push((cc, conf, vec![f])),
        }
    };
    if o.facets.is_empty() {
        if let Some(cc) = o.country.as_deref() {
            if facets.is_empty() || facets.contains(&Facet::Maintainer) {
                add(cc, o.confidence, Facet::Maintainer);
            }
        }
    } else {
        for (f, cc) in o.countries_of(facets) {
            add(cc.country.as_str(), cc.confidence, f);
        }
    }
    out
}

fn facet_list(f: &[Facet]) -> String {
    f.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(", ")
}

/// The paths of weights a model names but the tree lacks (the provenance stage's finding).
pub(super) fn weights_not_provided(c: &Component) -> Option<&str> {
    c.properties.get("weights-not-provided").map(String::as_str)
}

/// The country of the attributed organisation's parent, when the origin stage found one. The only place
/// that knows where the model keeps it.
pub fn parent_country(o: &Origin) -> Option<&str> {
    o.organisation.as_ref().and_then(|g| g.parent_country.as_deref())
}

pub(super) fn known_country(c: &Component, a: Attribution) -> Option<&str> {
    match attributed(c, a) {
        Attributed::Known(cc) => Some(cc),
        _ => None,
    }
}

fn country_label(cc: &str) -> String {
    match geo::country_name(cc) {
        Some(n) => format!("{cc} ({n})"),
        None => cc.to_string(),
    }
}

fn origin_evidence(c: &Component) -> Vec<String> {
    let mut out: Vec<String> = c
        .origin
        .evidence
        .iter()
        .map(|e| {
            let kind = serde_json::to_value(e.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            format!(
                "{kind} `{}` → {} (weight {:.2}; {})",
                e.value,
                e.country.as_deref().unwrap_or("no country"),
                e.weight,
                e.source
            )
        })
        .collect();
    if let Some(p) = parent_country(&c.origin) {
        out.push(format!("parent organisation's country: {p}"));
    }
    if out.is_empty() && c.origin.country.is_some() {
        out.push("no evidence recorded with the attribution".into());
    }
    out
}

fn purl_of(c: &Component) -> &str {
    c.purl.as_deref().unwrap_or(&c.id)
}

pub(super) fn selects(s: &Selector, c: &Component, a: Attribution) -> bool {
    if let Some(k) = &s.kinds {
        if !k.contains(&c.kind) {
            return false;
        }
    } else if c.kind == ComponentKind::Application {
        // The project's own components are judged only by rules that ask for them.
        return false;
    }
    if s.ecosystems.as_ref().is_some_and(|e| !e.contains(&c.ecosystem))
        || s.scopes.as_ref().is_some_and(|sc| !sc.contains(&c.scope))
        || s.direct.is_some_and(|d| d != c.direct)
    {
        return false;
    }
    let purl = purl_of(c);
    let version = c.version.as_deref();
    if !s.purls.is_empty() && !s.purls.iter().any(|p| p.matches(purl, version)) {
        return false;
    }
    if s.exclude.iter().any(|p| p.matches(purl, version)) {
        return false;
    }
    if let Some(w) = s.weights_not_provided {
        if w != weights_not_provided(c).is_some() {
            return false;
        }
    }
    if let Some(facets) = &s.facets {
        let judged = judged_countries(c, facets, a);
        let judged: Vec<&str> = judged.iter().filter(|x| x.1 >= a.min_confidence).map(|x| x.0).collect();
        if s.origin_in.is_none() && s.origin_not_in.is_none() && judged.is_empty() {
            return false;
        }
        if let Some(set) = &s.origin_in {
            if !judged.iter().any(|cc| set.contains(cc)) {
                return false;
            }
        }
        if let Some(set) = &s.origin_not_in {
            if !judged.is_empty() && judged.iter().all(|cc| set.contains(cc)) {
                return false;
            }
        }
        return true;
    }
    let country = || known_country(c, a);
    if let Some(set) = &s.origin_in {
        if !country().is_some_and(|cc| set.contains(cc)) {
            return false;
        }
    }
    if let Some(set) = &s.origin_not_in {
        if country().is_some_and(|cc| set.contains(cc)) {
            return false;
        }
    }
    true
}

pub(super) fn entries(set: &CountrySet) -> String {
    set.entries.join(", ")
}

/// A finding about a component, before paths, overrides and waivers. Without `detail` (simulation) only
/// what counting needs is filled: the texts are never formatted.
fn component_finding(
    detail: bool,
    rule: &Rule,
    code: &str,
    severity: Severity,
    c: &Component,
    message: impl FnOnce() -> String,
    evidence: impl FnOnce() -> Vec<String>,
) -> Finding {
    if !detail {
        return Finding {
            rule: rule.id.clone(),
            code: code.to_string(),
            severity,
            component: Some(c.id.clone()),
            name: None,
            message: String::new(),
            evidence: Vec::new(),
            path: Vec::new(),
            location: None,
            why: None,
            fix: String::new(),
            waived: None,
        };
    }
    Finding {
        rule: rule.id.clone(),
        code: code.to_string(),
        severity,
        component: Some(c.id.clone()),
        name: Some(c.display_name()),
        message: message(),
        evidence: evidence(),
        path: Vec::new(),
        location: declared_at(c),
        why: rule.why.clone(),
        fix: rule.fix.clone().unwrap_or_else(|| codes::default_fix(code).to_string()),
        waived: None,
    }
}

/// The manifest line that declares the component (a manifest before a lockfile).
fn declared_at(c: &Component) -> Option<Location> {
    let is_lock = |p: &str| p.ends_with(".lock") || p.contains("lock.") || p.ends_with("-lock.json");
    c.found_in.iter().find(|l| !is_lock(&l.path)).or_else(|| c.found_in.first()).cloned()
}

fn unknown_severity(action: UnknownAction, rule: Severity) -> Option<Severity> {
    match action {
        UnknownAction::Allow => None,
        UnknownAction::Warn => Some(rule.min(Severity::Warning)),
        UnknownAction::Deny => Some(rule),
    }
}

impl<'p> Evaluator<'p> {
    pub fn new(policy: &'p Policy) -> Self {
        Evaluator {
            policy,
            caches: policy.rules.iter().map(|_| license::Cache::default()).collect(),
            detail: true,
        }
    }

    /// An evaluator that only decides and counts: findings carry rule, code, severity, component and
    /// waiver, without texts or paths.
    pub fn counting(policy: &'p Policy) -> Self {
        Evaluator { detail: false, ..Evaluator::new(policy) }
    }

    pub(super) fn policy(&self) -> &'p Policy {
        self.policy
    }

    pub(super) fn in_scope(&self, c: &Component) -> bool {
        self.policy.judges(c.scope)
    }

    fn origin_check(&self, rule: &Rule, check: &OriginCheck, c: &Component, out: &mut Vec<Finding>) {
        let judged = judged_countries(c, &check.facets, check.attribution);
        let restricted = !check.facets.is_empty();
        if judged.is_empty() {
            // Restricted to some facets, a component without any evidence in them is not judged (a
            // library has no weights); otherwise unknown is unknown.
            let has_evidence =
                !restricted || c.origin.evidence.iter().any(|e| check.facets.contains(&e.facet()));
            let unknown = if restricted {
                has_evidence
            } else {
                matches!(attributed(c, check.attribution), Attributed::Unknown)
            };
            if unknown {
                if let Some(sev) = unknown_severity(check.unknown, rule.severity) {
                    let what = if restricted {
                        format!(" for {}", facet_list(&check.facets))
                    } else {
                        String::new()
                    };
                    let msg = || format!("no country could be attributed to `{}`{what}", c.display_name());
                    out.push(component_finding(
                        self.detail,
                        rule,
                        codes::ORIGIN_UNKNOWN,
                        sev,
                        c,
                        msg,
                        || origin_evidence(c),
                    ));
                }
            }
            return;
        }
        let several = !c.origin.facets.is_empty();
        let mut low_reported = false;
        for (cc, conf, facets) in &judged {
            let (cc, conf) = (*cc, *conf);
            let of = if several { format!(" ({})", facet_list(facets)) } else { String::new() };
            if conf < check.attribution.min_confidence {
                if low_reported {
                    continue;
                }
                low_reported = true;
                if let Some(sev) = unknown_severity(check.unknown, rule.severity) {
                    let msg = || {
                        format!(
                            "`{}` is attributed to {}{of} with confidence {conf:.2}, below the {:.2} the policy requires",
                            c.display_name(),
                            country_label(cc),
                            check.attribution.min_confidence
                        )
                    };
                    out.push(component_finding(
                        self.detail,
                        rule,
                        codes::ORIGIN_LOW_CONFIDENCE,
                        sev,
                        c,
                        msg,
                        || origin_evidence(c),
                    ));
                }
                continue;
            }
            let via = if check.attribution.attribute_to == AttributeTo::Parent
                && parent_country(&c.origin) == Some(cc)
            {
                " (its parent organisation's country)"
            } else {
                ""
            };
            if check.deny.contains(cc) {
                let msg = || {
                    format!(
                        "`{}` is attributed to {}{of}{via} with confidence {conf:.2}; denied by `{}`",
                        c.display_name(),
                        country_label(cc),
                        check.deny.matching_entries(cc).join("`, `")
                    )
                };
                out.push(component_finding(
                    self.detail,
                    rule,
                    codes::ORIGIN_DENIED,
                    rule.severity,
                    c,
                    msg,
                    || origin_evidence(c),
                ));
            } else if let Some(allow) = check.allow.as_ref().filter(|a| !a.contains(cc)) {
                let msg = || {
                    format!(
                        "`{}` is attributed to {}{of}{via} with confidence {conf:.2}, which is not allowed (allowed: {})",
                        c.display_name(),
                        country_label(cc),
                        entries(allow)
                    )
                };
                out.push(component_finding(
                    self.detail,
                    rule,
                    codes::ORIGIN_NOT_ALLOWED,
                    rule.severity,
                    c,
                    msg,
                    || origin_evidence(c),
                ));
            }
        }
    }

    fn license_check(
        &mut self,
        ri: usize,
        rule: &Rule,
        check: &LicenseCheck,
        c: &Component,
        out: &mut Vec<Finding>,
    ) {
        let Some(expression) = license::judged_expression(c) else {
            if let Some(sev) = unknown_severity(check.unknown, rule.severity) {
                let msg = || format!("no licence is known for `{}`", c.display_name());
                out.push(component_finding(self.detail, rule, codes::LICENSE_UNKNOWN, sev, c, msg, Vec::new));
            }
            return;
        };
        match self.caches[ri].judge(check, &expression) {
            Outcome::Pass => {}
            Outcome::Unknown(why) => {
                if let Some(sev) = unknown_severity(check.unknown, rule.severity) {
                    let msg = || format!("the licence of `{}` cannot be judged: {why}", c.display_name());
                    out.push(component_finding(
                        self.detail,
                        rule,
                        codes::LICENSE_UNKNOWN,
                        sev,
                        c,
                        msg,
                        || license::judged_evidence(c),
                    ));
                }
            }
            Outcome::Fail { denied, reasons, read_as } => {
                let code = if denied { codes::LICENSE_DENIED } else { codes::LICENSE_NOT_ALLOWED };
                let msg =
                    || format!("`{}` is licensed `{expression}`: {}", c.display_name(), reasons.join("; "));
                out.push(component_finding(self.detail, rule, code, rule.severity, c, msg, || {
                    let mut e = license::judged_evidence(c);
                    if let Some(r) = read_as {
                        e.push(format!("not strict SPDX; read leniently as `{r}`"));
                    }
                    e
                }));
            }
        }
    }

    /// Judges one inventory.
    pub fn evaluate(&mut self, inv: &Inventory, opts: &EvalOptions) -> Verdict {
        let policy = self.policy;
        let mut findings = Vec::new();
        let mut judged = 0usize;
        for c in inv.components.iter().filter(|c| policy.judges(c.scope)) {
            if c.kind != ComponentKind::Application {
                judged += 1;
            }
            for (ri, rule) in policy.rules.iter().enumerate() {
                if !selects(&rule.selector, c, policy.attribution) {
                    continue;
                }
                if rule.checks.is_empty() && rule.selector.weights_not_provided == Some(true) {
                    let paths = weights_not_provided(c).unwrap_or_default();
                    let msg = || {
                        format!(
                            "`{}` names weights that are not in the tree: {paths}; hand them over, or state \
                             where they come from",
                            c.display_name()
                        )
                    };
                    findings.push(component_finding(
                        self.detail,
                        rule,
                        codes::WEIGHTS_NOT_PROVIDED,
                        rule.severity,
                        c,
                        msg,
                        || origin_evidence(c),
                    ));
                } else if rule.checks.is_empty() {
                    let msg = || format!("`{}` is selected by rule `{}`", c.display_name(), rule.id);
                    findings.push(component_finding(
                        self.detail,
                        rule,
                        codes::COMPONENT_BANNED,
                        rule.severity,
                        c,
                        msg,
                        || origin_evidence(c),
                    ));
                }
                for check in &rule.checks {
                    match check {
                        Check::Origin(o) => self.origin_check(rule, o, c, &mut findings),
                        Check::License(l) => self.license_check(ri, rule, l, c, &mut findings),
                    }
                }
            }
        }
        for t in &policy.thresholds {
            if let Some(f) = self.threshold(t, inv) {
                findings.push(f);
            }
        }
        self.apply_overrides(&mut findings);
        self.apply_waivers(&mut findings, opts);
        if self.detail {
            super::paths::add_paths(inv, &mut findings);
            findings.sort_by(|a, b| {
                b.waived
                    .is_none()
                    .cmp(&a.waived.is_none())
                    .then(b.severity.cmp(&a.severity))
                    .then_with(|| a.rule.cmp(&b.rule))
                    .then_with(|| a.component.cmp(&b.component))
                    .then_with(|| a.code.cmp(&b.code))
                    .then_with(|| a.message.cmp(&b.message))
            });
        }
        let mut counts = Counts::default();
        for f in &findings {
            match (&f.waived, f.severity) {
                (Some(_), _) => counts.waived += 1,
                (None, Severity::Error) => counts.error += 1,
                (None, Severity::Warning) => counts.warning += 1,
                (None, Severity::Note) => counts.note += 1,
            }
        }
        Verdict {
            policy: policy.name.clone(),
            subject: inv.subject.clone(),
            passed: counts.error == 0,
            judged,
            counts,
            findings,
        }
    }

    fn apply_overrides(&self, findings: &mut [Finding]) {
        let o = &self.policy.overrides;
        if o.is_empty() {
            return;
        }
        for f in findings {
            if let Some(s) = o.get(&f.code).or_else(|| o.get(&f.rule)).or_else(|| o.get("*")) {
                f.severity = *s;
            }
        }
    }
}

/// Judges one inventory against one policy.
pub fn evaluate(policy: &Policy, inv: &Inventory, opts: &EvalOptions) -> Verdict {
    Evaluator::new(policy).evaluate(inv, opts)
}
