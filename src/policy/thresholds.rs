//! Thresholds: limits over the whole inventory.

use super::codes;
use super::config::Among;
use super::eval::{entries, known_country, selects, Evaluator, Finding};
use super::license;
use super::types::{Counted, Threshold};
use crate::model::{Component, Inventory};

impl Evaluator<'_> {
    pub(super) fn threshold(&self, t: &Threshold, inv: &Inventory) -> Option<Finding> {
        let a = self.policy().attribution;
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
}
