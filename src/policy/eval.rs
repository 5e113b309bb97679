//! Inventory × Policy → Verdict: every finding with its rule, code, component, the evidence behind the
//! value judged, the dependency path from a direct dependency, and how to fix it.

use std::collections::{HashMap, VecDeque};

use serde::Serialize;

use super::codes;
use super::config::{Among, AttributeTo, UnknownAction};
use super::geo::{self, CountrySet};
use super::license::{self, Outcome};
use super::types::*;
use crate::model::{Component, ComponentKind, Inventory, Location, Severity, Subject};

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
    Known(&'a str, f64),
    Low(&'a str, f64),
    Unknown,
}

fn attributed(c: &Component, a: Attribution) -> Attributed<'_> {
    let o = &c.origin;
    let country = match a.attribute_to {
        AttributeTo::Parent => o.parent_country.as_deref().or(o.country.as_deref()),
        AttributeTo::Headquarters => o.country.as_deref(),
    };
    match country {
        None => Attributed::Unknown,
        Some(cc) if o.confidence < a.min_confidence => Attributed::Low(cc, o.confidence),
        Some(cc) => Attributed::Known(cc, o.confidence),
    }
}

fn known_country(c: &Component, a: Attribution) -> Option<&str> {
    match attributed(c, a) {
        Attributed::Known(cc, _) => Some(cc),
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
    if let Some(p) = &c.origin.parent_country {
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

fn selects(s: &Selector, c: &Component, a: Attribution) -> bool {
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

fn entries(set: &CountrySet) -> String {
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

    fn in_scope(&self, c: &Component) -> bool {
        self.policy.scope.as_ref().is_none_or(|s| s.contains(&c.scope))
    }

    fn origin_check(&self, rule: &Rule, check: &OriginCheck, c: &Component, out: &mut Vec<Finding>) {
        match attributed(c, check.attribution) {
            Attributed::Unknown => {
                if let Some(sev) = unknown_severity(check.unknown, rule.severity) {
                    let msg = || format!("no country could be attributed to `{}`", c.display_name());
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
            Attributed::Low(cc, conf) => {
                if let Some(sev) = unknown_severity(check.unknown, rule.severity) {
                    let msg = || {
                        format!(
                        "`{}` is attributed to {} with confidence {conf:.2}, below the {:.2} the policy requires",
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
            }
            Attributed::Known(cc, conf) => {
                let via = if check.attribution.attribute_to == AttributeTo::Parent
                    && c.origin.parent_country.is_some()
                {
                    " (its parent organisation's country)"
                } else {
                    ""
                };
                if check.deny.contains(cc) {
                    let msg = || {
                        format!(
                            "`{}` is attributed to {}{via} with confidence {conf:.2}; denied by `{}`",
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
                        "`{}` is attributed to {}{via} with confidence {conf:.2}, which is not allowed (allowed: {})",
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
            Outcome::Fail { denied, reasons } => {
                let code = if denied { codes::LICENSE_DENIED } else { codes::LICENSE_NOT_ALLOWED };
                let msg =
                    || format!("`{}` is licensed `{expression}`: {}", c.display_name(), reasons.join("; "));
                out.push(component_finding(self.detail, rule, code, rule.severity, c, msg, || {
                    license::judged_evidence(c)
                }));
            }
        }
    }

    /// Judges one inventory.
    pub fn evaluate(&mut self, inv: &Inventory, opts: &EvalOptions) -> Verdict {
        let policy = self.policy;
        let mut findings = Vec::new();
        let mut judged = 0usize;
        let scope = policy.scope.as_deref();
        for c in inv.components.iter().filter(|c| scope.is_none_or(|s| s.contains(&c.scope))) {
            if c.kind != ComponentKind::Application {
                judged += 1;
            }
            for (ri, rule) in policy.rules.iter().enumerate() {
                if !selects(&rule.selector, c, policy.attribution) {
                    continue;
                }
                if rule.checks.is_empty() {
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
            add_paths(inv, &mut findings);
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

    fn threshold(&self, t: &Threshold, inv: &Inventory) -> Option<Finding> {
        let a = self.policy.attribution;
        let mut total = 0u64;
        let mut hits: Vec<&Component> = Vec::new();
        for c in inv.components.iter().filter(|c| self.in_scope(c) && selects(&t.selector, c, a)) {
            if t.among == Among::Direct && !c.direct {
                continue;
            }
            total += 1;
            let hit = match &t.counted {
                Counted::Countries(set) => known_country(c, a).is_some_and(|cc| set.contains(cc)),
                Counted::UnknownOrigin => known_country(c, a).is_none(),
                Counted::UnknownLicense => license::judged_expression(c)
                    .is_none_or(|j| spdx::Expression::parse_mode(&j, spdx::ParseMode::LAX).is_err()),
            };
            if hit {
                hits.push(c);
            }
        }
        let count = hits.len() as u64;
        let share = if total == 0 { 0.0 } else { count as f64 / total as f64 };
        let over_share = t.max_share.is_some_and(|m| share > m + 1e-12);
        let over_count = t.max_count.is_some_and(|m| count > m);
        if !over_share && !over_count {
            return None;
        }
        let what = match &t.counted {
            Counted::Countries(set) => format!("come from {}", entries(set)),
            Counted::UnknownOrigin => "have an unknown origin".into(),
            Counted::UnknownLicense => "have an unknown licence".into(),
        };
        let among = if t.among == Among::Direct { "direct dependencies" } else { "judged components" };
        let mut limits = Vec::new();
        if let Some(m) = t.max_share {
            limits.push(format!("at most {:.1} %", m * 100.0));
        }
        if let Some(m) = t.max_count {
            limits.push(format!("at most {m}"));
        }
        let code = match t.counted {
            Counted::Countries(_) => codes::THRESHOLD_SHARE,
            _ => codes::THRESHOLD_UNKNOWN,
        };
        let mut evidence: Vec<String> = hits.iter().take(20).map(|c| c.id.clone()).collect();
        if hits.len() > 20 {
            evidence.push(format!("… and {} more", hits.len() - 20));
        }
        Some(Finding {
            rule: t.id.clone(),
            code: code.into(),
            severity: t.severity,
            component: None,
            name: None,
            message: format!(
                "{count} of {total} {among} ({:.1} %) {what}; the policy allows {}",
                share * 100.0,
                limits.join(" and ")
            ),
            evidence,
            path: Vec::new(),
            location: None,
            why: t.why.clone(),
            fix: codes::default_fix(code).into(),
            waived: None,
        })
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

    fn apply_waivers(&self, findings: &mut Vec<Finding>, opts: &EvalOptions) {
        let waivers = &self.policy.waivers;
        if waivers.is_empty() {
            return;
        }
        let mut used = vec![false; waivers.len()];
        let expired: Vec<bool> = waivers.iter().map(|w| w.expires.is_some_and(|e| opts.today > e)).collect();
        for f in findings.iter_mut() {
            let Some(id) = &f.component else { continue };
            let version = id.rsplit_once('@').map(|(_, v)| v.split(['?', '#']).next().unwrap_or(v));
            for (i, w) in waivers.iter().enumerate() {
                if (w.rule == f.rule || w.rule == f.code) && w.pattern.matches(id, version) {
                    if expired[i] {
                        f.evidence.push(format!(
                            "waiver #{} in `{}` would cover this but expired on {}",
                            w.index,
                            w.file,
                            w.expires.map(|d| d.to_string()).unwrap_or_default()
                        ));
                        used[i] = true;
                        continue;
                    }
                    used[i] = true;
                    f.waived = Some(AppliedWaiver {
                        file: w.file.clone(),
                        index: w.index,
                        component: w.pattern.text.clone(),
                        reason: w.reason.clone(),
                        expires: w.expires.map(|d| d.to_string()),
                        approved_by: w.approved_by.clone(),
                    });
                    break;
                }
            }
        }
        let sev = |code: &str, default: Severity| {
            let o = &self.policy.overrides;
            o.get(code)
                .or_else(|| o.get(codes::RULE_WAIVERS))
                .or_else(|| o.get("*"))
                .copied()
                .unwrap_or(default)
        };
        for (i, w) in waivers.iter().enumerate() {
            let (code, message) = if expired[i] {
                (
                    codes::WAIVER_EXPIRED,
                    format!(
                        "waiver #{} in `{}` ({} for rule `{}`) expired on {}",
                        w.index,
                        w.file,
                        w.pattern,
                        w.rule,
                        w.expires.map(|d| d.to_string()).unwrap_or_default()
                    ),
                )
            } else if !used[i] {
                (
                    codes::WAIVER_UNUSED,
                    format!(
                        "waiver #{} in `{}` ({} for rule `{}`) matched no finding",
                        w.index, w.file, w.pattern, w.rule
                    ),
                )
            } else {
                continue;
            };
            let mut evidence = vec![format!("reason: {}", w.reason)];
            if let Some(a) = &w.approved_by {
                evidence.push(format!("approved by: {a}"));
            }
            findings.push(Finding {
                rule: codes::RULE_WAIVERS.into(),
                code: code.into(),
                severity: sev(code, Severity::Warning),
                component: None,
                name: None,
                message,
                evidence,
                path: Vec::new(),
                location: None,
                why: None,
                fix: codes::default_fix(code).into(),
                waived: None,
            });
        }
    }
}

/// Fills each component finding's path: the shortest chain of dependency edges from a direct dependency
/// (or, when none leads there, from a root of the graph) to the component. One breadth-first search over
/// the whole graph, only when there is a finding to place.
fn add_paths(inv: &Inventory, findings: &mut [Finding]) {
    if !findings.iter().any(|f| f.component.is_some()) {
        return;
    }
    let index: HashMap<&str, usize> =
        inv.components.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
    let n = inv.components.len();
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut has_parent = vec![false; n];
    for e in &inv.edges {
        if let (Some(&a), Some(&b)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) {
            out[a].push(b);
            has_parent[b] = true;
        }
    }
    let mut parent: Vec<Option<usize>> = vec![None; n];
    let mut seen = vec![false; n];
    let mut queue = VecDeque::new();
    let starts_direct: Vec<usize> = (0..n)
        .filter(|&i| inv.components[i].direct && inv.components[i].kind != ComponentKind::Application)
        .collect();
    for &i in &starts_direct {
        seen[i] = true;
        queue.push_back(i);
    }
    let bfs = |queue: &mut VecDeque<usize>, seen: &mut Vec<bool>, parent: &mut Vec<Option<usize>>| {
        while let Some(i) = queue.pop_front() {
            for &j in &out[i] {
                if !seen[j] {
                    seen[j] = true;
                    parent[j] = Some(i);
                    queue.push_back(j);
                }
            }
        }
    };
    bfs(&mut queue, &mut seen, &mut parent);
    // Components no direct dependency leads to: from the graph's roots.
    for i in 0..n {
        if !seen[i] && !has_parent[i] && inv.components[i].kind != ComponentKind::Application {
            seen[i] = true;
            queue.push_back(i);
        }
    }
    bfs(&mut queue, &mut seen, &mut parent);
    for f in findings.iter_mut() {
        let Some(&target) = f.component.as_deref().and_then(|id| index.get(id)) else { continue };
        let mut chain = vec![target];
        let mut cur = target;
        while let Some(p) = parent[cur] {
            if chain.len() > n {
                break;
            }
            chain.push(p);
            cur = p;
        }
        chain.reverse();
        f.path = chain.into_iter().map(|i| inv.components[i].id.clone()).collect();
    }
}

/// Judges one inventory against one policy.
pub fn evaluate(policy: &Policy, inv: &Inventory, opts: &EvalOptions) -> Verdict {
    Evaluator::new(policy).evaluate(inv, opts)
}
