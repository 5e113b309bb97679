//! From the unvalidated form ([`PolicyFile`]) to a [`Policy`]: every value is checked and every problem
//! is collected with its path (`rules[2].when.origin_not_in[1]: "CHN" is not an ISO 3166-1 alpha-2 code`).

use std::collections::{BTreeMap, BTreeSet};

use super::codes;
use super::config::*;
use super::geo::{self, CountrySet};
use super::license::{parse_expression, LicensePattern};
use super::pattern::PurlPattern;
use super::schema_check::{index, join, quote};
use super::types::*;
use super::Problem;
use crate::model::{ComponentKind, Ecosystem, LicenseCategory, Scope, Severity};

/// Collects problems while compiling.
pub struct Validator {
    pub problems: Vec<Problem>,
}

pub fn severity(s: SeverityName) -> Severity {
    match s {
        SeverityName::Error => Severity::Error,
        SeverityName::Warning => Severity::Warning,
        SeverityName::Note => Severity::Note,
    }
}

fn kind(k: KindName) -> ComponentKind {
    match k {
        KindName::Library => ComponentKind::Library,
        KindName::Application => ComponentKind::Application,
        KindName::MlModel => ComponentKind::MlModel,
        KindName::VendoredSource => ComponentKind::VendoredSource,
        KindName::Submodule => ComponentKind::Submodule,
    }
}

pub fn scope(s: ScopeName) -> Scope {
    match s {
        ScopeName::Runtime => Scope::Runtime,
        ScopeName::Build => Scope::Build,
        ScopeName::Dev => Scope::Dev,
        ScopeName::Optional => Scope::Optional,
        ScopeName::Test => Scope::Test,
        ScopeName::Example => Scope::Example,
        ScopeName::Docs => Scope::Docs,
    }
}

fn category(c: CategoryName) -> LicenseCategory {
    match c {
        CategoryName::Permissive => LicenseCategory::Permissive,
        CategoryName::WeakCopyleft => LicenseCategory::WeakCopyleft,
        CategoryName::StrongCopyleft => LicenseCategory::StrongCopyleft,
        CategoryName::NetworkCopyleft => LicenseCategory::NetworkCopyleft,
        CategoryName::PublicDomain => LicenseCategory::PublicDomain,
        CategoryName::NonCommercial => LicenseCategory::NonCommercial,
        CategoryName::UseRestricted => LicenseCategory::UseRestricted,
        CategoryName::Proprietary => LicenseCategory::Proprietary,
    }
}

fn ecosystem(name: &str) -> Option<Ecosystem> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}

const ECOSYSTEMS: &str =
    "cargo, npm, pypi, golang, maven, gem, composer, nuget, swift, pub, conan, vcpkg, cocoapods, git, huggingface, generic";

/// Whether an id is kebab-case: lower-case ASCII letters and digits separated by single hyphens.
pub fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl Validator {
    pub fn new() -> Self {
        Validator { problems: Vec::new() }
    }

    fn push(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Problem::new(path, message.into()));
    }

    /// Countries and group names; each bad entry is one problem.
    pub fn countries(&mut self, entries: &[String], path: &str) -> CountrySet {
        let mut set = CountrySet::default();
        for (i, e) in entries.iter().enumerate() {
            let p = index(path, i);
            let t = e.trim();
            if geo::is_country(t) {
                set.insert(t);
                set.entries.push(t.to_string());
            } else if let Some((key, g)) = geo::group(t) {
                for m in &g.members {
                    set.insert(m);
                }
                set.entries.push(key);
            } else {
                let hint = if geo::is_country(&t.to_ascii_uppercase()) {
                    format!(" (write it in capitals: `{}`)", t.to_ascii_uppercase())
                } else if t.eq_ignore_ascii_case("UK") {
                    " (the United Kingdom is `GB`)".to_string()
                } else if t.len() == 3 && t.bytes().all(|b| b.is_ascii_alphabetic()) {
                    " (use two-letter codes: `CN`, not `CHN`)".to_string()
                } else {
                    let names: Vec<&str> = geo::groups().keys().map(String::as_str).collect();
                    format!(" or a known group ({})", names.join(", "))
                };
                self.push(&p, format!("{} is not an ISO 3166-1 alpha-2 code{hint}", quote(t)));
            }
        }
        set
    }

    fn purls(&mut self, v: &Option<OneOrMany<String>>, path: &str) -> Vec<PurlPattern> {
        let Some(v) = v else { return Vec::new() };
        let list = v.to_vec();
        let many = matches!(v, OneOrMany::Many(_));
        list.iter()
            .enumerate()
            .filter_map(|(i, t)| {
                let p = if many { index(path, i) } else { path.to_string() };
                PurlPattern::parse(t).map_err(|e| self.push(&p, format!("{}: {e}", quote(t)))).ok()
            })
            .collect()
    }

    pub fn selector(&mut self, s: &super::config::Selector, path: &str) -> super::types::Selector {
        let ecosystems = s.ecosystem.as_ref().map(|e| {
            let many = matches!(e, OneOrMany::Many(_));
            e.to_vec()
                .iter()
                .enumerate()
                .filter_map(|(i, name)| {
                    let p = if many { index(&join(path, "ecosystem"), i) } else { join(path, "ecosystem") };
                    ecosystem(name).or_else(|| {
                        self.push(
                            &p,
                            format!("{} is not an ecosystem; expected one of: {ECOSYSTEMS}", quote(name)),
                        );
                        None
                    })
                })
                .collect()
        });
        super::types::Selector {
            kinds: s.kind.as_ref().map(|k| k.to_vec().into_iter().map(kind).collect()),
            ecosystems,
            scopes: s.scope.as_ref().map(|k| k.to_vec().into_iter().map(scope).collect()),
            direct: s.direct,
            purls: self.purls(&s.purl, &join(path, "purl")),
            exclude: self.purls(&s.exclude, &join(path, "exclude")),
            origin_in: s.origin_in.as_ref().map(|v| self.countries(v, &join(path, "origin_in"))),
            origin_not_in: s.origin_not_in.as_ref().map(|v| self.countries(v, &join(path, "origin_not_in"))),
            facets: s.facet.as_ref().map(|f| f.to_vec().into_iter().map(|f| f.facet()).collect()),
            weights_not_provided: s.weights_not_provided,
        }
    }

    fn confidence(&mut self, v: Option<f64>, path: &str) -> f64 {
        match v {
            Some(c) if !(0.0..=1.0).contains(&c) => {
                self.push(path, format!("{c} is not a confidence between 0 and 1"));
                0.0
            }
            Some(c) => c,
            None => 0.0,
        }
    }

    fn origin(&mut self, o: &OriginSection, path: &str, base: Attribution) -> OriginCheck {
        let allow = o.allow.as_ref().map(|a| self.countries(a, &join(path, "allow")));
        let deny = o.deny.as_ref().map(|d| self.countries(d, &join(path, "deny"))).unwrap_or_default();
        // An allow entry entirely covered by deny entries can never match: deny wins.
        for (i, e) in o.allow.iter().flatten().enumerate() {
            let t = e.trim();
            let members: Vec<String> = match geo::group(t) {
                Some((_, g)) => g.members.clone(),
                None if geo::is_country(t) => vec![t.to_string()],
                None => continue,
            };
            if !deny.is_empty() && members.iter().all(|m| deny.contains(m)) {
                let by: Vec<String> = members
                    .iter()
                    .flat_map(|m| deny.matching_entries(m))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                self.push(
                    &index(&join(path, "allow"), i),
                    format!("{} is allowed but also denied (by `{}`); deny wins", quote(t), by.join("`, `")),
                );
            }
        }
        let min_confidence = match o.min_confidence {
            Some(_) => self.confidence(o.min_confidence, &join(path, "min_confidence")),
            None => base.min_confidence,
        };
        OriginCheck {
            allow,
            deny,
            attribution: Attribution {
                min_confidence,
                attribute_to: o.attribute_to.unwrap_or(base.attribute_to),
            },
            unknown: o.unknown.unwrap_or(UnknownAction::Warn),
            facets: o.facets.iter().flatten().map(|f| f.facet()).collect(),
        }
    }

    fn license_list(&mut self, v: &Option<Vec<String>>, path: &str) -> Vec<LicensePattern> {
        v.iter()
            .flatten()
            .enumerate()
            .filter_map(|(i, t)| LicensePattern::parse(t).map_err(|e| self.push(&index(path, i), e)).ok())
            .collect()
    }

    fn expressions(&mut self, v: &Option<Vec<String>>, path: &str) -> Vec<spdx::Expression> {
        v.iter()
            .flatten()
            .enumerate()
            .filter_map(|(i, t)| parse_expression(t).map_err(|e| self.push(&index(path, i), e)).ok())
            .collect()
    }

    fn licenses(&mut self, l: &LicenseSection, path: &str) -> LicenseCheck {
        let check = LicenseCheck {
            allow: self.license_list(&l.allow, &join(path, "allow")),
            deny: self.license_list(&l.deny, &join(path, "deny")),
            allow_categories: l.allow_categories.iter().flatten().map(|c| category(*c)).collect(),
            deny_categories: l.deny_categories.iter().flatten().map(|c| category(*c)).collect(),
            allow_expressions: self.expressions(&l.allow_expressions, &join(path, "allow_expressions")),
            deny_expressions: self.expressions(&l.deny_expressions, &join(path, "deny_expressions")),
            unknown: l.unknown.unwrap_or(UnknownAction::Warn),
        };
        for (i, c) in l.deny_categories.iter().flatten().enumerate() {
            if l.allow_categories.iter().flatten().any(|a| a == c) {
                self.push(
                    &index(&join(path, "deny_categories"), i),
                    "this category is both allowed and denied",
                );
            }
        }
        check
    }

    /// Section keys that only make sense at the top level.
    fn nested_only_check(&mut self, when: bool, severity: bool, why: bool, fix: bool, path: &str) {
        for (set, key) in [(when, "when"), (severity, "severity"), (why, "why"), (fix, "fix")] {
            if set {
                self.push(&join(path, key), format!("set `{key}` on the rule itself, not inside its check"));
            }
        }
    }

    fn date(&mut self, v: &Option<String>, path: &str) -> Option<Date> {
        let s = v.as_ref()?;
        let d = Date::parse(s);
        if d.is_none() {
            self.push(path, format!("{} is not a date written YYYY-MM-DD", quote(s)));
        }
        d
    }

    /// Compiles one file (or a merged chain); `file` names it in waivers.
    pub fn compile(&mut self, f: &PolicyFile, file: &str, default_name: &str) -> Policy {
        if f.version != 1 {
            self.push(
                "version",
                format!("version {} is not supported; this sovereign reads version 1", f.version),
            );
        }
        let origin_section = f.origin.clone().unwrap_or_default();
        let attribution = Attribution {
            min_confidence: self.confidence(origin_section.min_confidence, "origin.min_confidence"),
            attribute_to: origin_section.attribute_to.unwrap_or(AttributeTo::Headquarters),
        };
        let mut rules = Vec::new();
        if let Some(o) = &f.origin {
            let check = self.origin(o, "origin", attribution);
            rules.push(Rule {
                id: codes::RULE_ORIGIN.into(),
                selector: o.when.as_ref().map(|w| self.selector(w, "origin.when")).unwrap_or_default(),
                checks: vec![Check::Origin(check)],
                severity: o.severity.map(severity).unwrap_or(Severity::Error),
                why: o.why.clone(),
                fix: o.fix.clone(),
            });
        }
        if let Some(l) = &f.licenses {
            let check = self.licenses(l, "licenses");
            rules.push(Rule {
                id: codes::RULE_LICENSES.into(),
                selector: l.when.as_ref().map(|w| self.selector(w, "licenses.when")).unwrap_or_default(),
                checks: vec![Check::License(check)],
                severity: l.severity.map(severity).unwrap_or(Severity::Error),
                why: l.why.clone(),
                fix: l.fix.clone(),
            });
        }
        let mut seen = BTreeSet::new();
        for (i, r) in f.rules.iter().flatten().enumerate() {
            let path = index("rules", i);
            if !is_kebab(&r.id) {
                self.push(
                    &join(&path, "id"),
                    format!("{} is not a kebab-case id (like `no-foreign-models`)", quote(&r.id)),
                );
            } else if codes::is_reserved(&r.id) {
                self.push(
                    &join(&path, "id"),
                    format!("{} is reserved for a built-in rule or finding code", quote(&r.id)),
                );
            } else if !seen.insert(r.id.clone()) {
                self.push(
                    &join(&path, "id"),
                    format!("{} is used by another rule in this file", quote(&r.id)),
                );
            }
            let mut checks = Vec::new();
            if let Some(o) = &r.origin {
                let p = join(&path, "origin");
                self.nested_only_check(
                    o.when.is_some(),
                    o.severity.is_some(),
                    o.why.is_some(),
                    o.fix.is_some(),
                    &p,
                );
                checks.push(Check::Origin(self.origin(o, &p, attribution)));
            }
            if let Some(l) = &r.licenses {
                let p = join(&path, "licenses");
                self.nested_only_check(
                    l.when.is_some(),
                    l.severity.is_some(),
                    l.why.is_some(),
                    l.fix.is_some(),
                    &p,
                );
                checks.push(Check::License(self.licenses(l, &p)));
            }
            rules.push(Rule {
                id: r.id.clone(),
                selector: r.when.as_ref().map(|w| self.selector(w, &join(&path, "when"))).unwrap_or_default(),
                checks,
                severity: r.severity.map(severity).unwrap_or(Severity::Error),
                why: r.why.clone(),
                fix: r.fix.clone(),
            });
        }
        let mut thresholds = Vec::new();
        for (i, t) in f.thresholds.iter().flatten().enumerate() {
            let path = index("thresholds", i);
            let counted = match (&t.of, t.unknown) {
                (Some(of), None) => Counted::Countries(self.countries(of, &join(&path, "of"))),
                (None, Some(UnknownWhat::Origin)) => Counted::UnknownOrigin,
                (None, Some(UnknownWhat::License)) => Counted::UnknownLicense,
                (Some(_), Some(_)) => {
                    self.push(&path, "give either `of` or `unknown`, not both");
                    continue;
                }
                (None, None) => {
                    self.push(
                        &path,
                        "say what is counted: `of: [countries or groups]` or `unknown: origin|license`",
                    );
                    continue;
                }
            };
            if t.max_share.is_none() && t.max_count.is_none() {
                self.push(&path, "give a limit: `max_share` (0..1) and/or `max_count`");
            }
            if let Some(s) = t.max_share.filter(|s| !(0.0..=1.0).contains(s)) {
                self.push(
                    &join(&path, "max_share"),
                    format!("{s} is not a share between 0 and 1 (10 % is 0.1)"),
                );
            }
            let id = match &t.id {
                Some(id) => {
                    if !is_kebab(id) {
                        self.push(&join(&path, "id"), format!("{} is not a kebab-case id", quote(id)));
                    }
                    id.clone()
                }
                None => match &counted {
                    Counted::Countries(set) => {
                        format!("share-{}", set.entries.join("-").to_ascii_lowercase())
                    }
                    Counted::UnknownOrigin => "unknown-origin".into(),
                    Counted::UnknownLicense => "unknown-license".into(),
                },
            };
            thresholds.push(Threshold {
                id,
                counted,
                among: t.among.unwrap_or(Among::All),
                max_share: t.max_share,
                max_count: t.max_count,
                selector: t.when.as_ref().map(|w| self.selector(w, &join(&path, "when"))).unwrap_or_default(),
                severity: t.severity.map(severity).unwrap_or(Severity::Error),
                why: t.why.clone(),
            });
        }
        let mut waivers = Vec::new();
        for (i, w) in f.waivers.iter().flatten().enumerate() {
            let path = index("waivers", i);
            let pattern = PurlPattern::parse(&w.component)
                .map_err(|e| self.push(&join(&path, "component"), format!("{}: {e}", quote(&w.component))))
                .ok();
            if w.reason.trim().is_empty() {
                self.push(&join(&path, "reason"), "a waiver must say why it is acceptable");
            }
            if w.approved_by.as_ref().is_some_and(|a| a.trim().is_empty()) {
                self.push(&join(&path, "approved_by"), "is empty");
            }
            let expires = self.date(&w.expires, &join(&path, "expires"));
            if let Some(pattern) = pattern {
                waivers.push(Waiver {
                    index: i,
                    file: file.to_string(),
                    pattern,
                    rule: w.rule.trim().to_string(),
                    reason: w.reason.trim().to_string(),
                    expires,
                    approved_by: w.approved_by.clone(),
                });
            }
        }
        let mut overrides = BTreeMap::new();
        for (k, s) in f.overrides.iter().flatten() {
            overrides.insert(k.clone(), severity(*s));
        }
        Policy {
            name: f.name.clone().unwrap_or_else(|| default_name.to_string()),
            description: f.description.clone(),
            files: vec![file.to_string()],
            scope: f.scope.as_ref().map(|s| s.to_vec().into_iter().map(scope).collect()),
            attribution,
            rules,
            thresholds,
            waivers,
            overrides,
        }
    }

    /// Checks what refers to rules (waivers, overrides) against every rule and threshold id the whole
    /// chain knows. Waivers cover findings on components, so a threshold cannot be waived.
    pub fn references(&mut self, f: &PolicyFile, rules: &BTreeSet<String>, thresholds: &BTreeSet<String>) {
        let list = |set: &BTreeSet<String>| {
            let mut names: Vec<&str> = set.iter().take(20).map(String::as_str).collect();
            if set.len() > 20 {
                names.push("…");
            }
            names.join(", ")
        };
        for (i, w) in f.waivers.iter().flatten().enumerate() {
            let r = w.rule.trim();
            let path = join(&index("waivers", i), "rule");
            if thresholds.contains(r) {
                self.push(&path, format!("{} is a threshold; thresholds cannot be waived (raise the limit or narrow its `when`)", quote(r)));
            } else if !rules.contains(r) && !codes::is_code(r) {
                self.push(
                    &path,
                    format!(
                        "{} is neither a rule of this policy ({}) nor a finding code",
                        quote(r),
                        list(rules)
                    ),
                );
            }
        }
        let all: BTreeSet<String> = rules.union(thresholds).cloned().collect();
        for k in f.overrides.iter().flatten().map(|(k, _)| k) {
            if k != "*" && k != codes::RULE_WAIVERS && !all.contains(k) && !codes::is_code(k) {
                self.push(
                    &join("overrides", k),
                    format!(
                        "{} is neither a rule or threshold of this policy ({}) nor a finding code",
                        quote(k),
                        list(&all)
                    ),
                );
            }
        }
    }
}

impl Default for Validator {
    fn default() -> Self {
        Self::new()
    }
}

/// The rule ids (built-in sections and its rules) and threshold ids a file defines.
pub fn rule_ids(f: &PolicyFile) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut ids = BTreeSet::new();
    if f.origin.is_some() {
        ids.insert(codes::RULE_ORIGIN.to_string());
    }
    if f.licenses.is_some() {
        ids.insert(codes::RULE_LICENSES.to_string());
    }
    for r in f.rules.iter().flatten() {
        ids.insert(r.id.clone());
    }
    let mut v = Validator::new();
    let thresholds = v
        .compile(&PolicyFile { thresholds: f.thresholds.clone(), version: 1, ..Default::default() }, "", "")
        .thresholds
        .into_iter()
        .map(|t| t.id)
        .collect();
    (ids, thresholds)
}
