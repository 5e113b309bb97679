//! Waivers: accepted exceptions; expired and unused ones are findings themselves.

use super::codes;
use super::eval::{AppliedWaiver, EvalOptions, Evaluator, Finding};
use crate::model::Severity;

impl Evaluator<'_> {
    pub(super) fn apply_waivers(&self, findings: &mut Vec<Finding>, opts: &EvalOptions) {
        let waivers = &self.policy().waivers;
        if waivers.is_empty() {
            return;
        }
        let mut used = vec![false; waivers.len()];
        let expired: Vec<bool> = waivers.iter().map(|w| w.expires.is_some_and(|e| opts.today > e)).collect();
        for f in findings.iter_mut() {
            let Some(id) = &f.component else { continue };
            let end = id.find(['?', '#']).unwrap_or(id.len());
            let version = super::pattern::split_version(&id[..end]).1;
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
            let o = &self.policy().overrides;
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
