//! Policy simulation: several policies over many SBOMs, for policy makers deciding what to publish.
//! Per policy: submissions passing and failing, how often each rule fires, which components cause most
//! failures; and which submissions flip between policies. Streaming: inventories are added one at a time.

use std::collections::BTreeMap;

use serde::Serialize;

use super::eval::{EvalOptions, Evaluator};
use super::pattern::split_version;
use super::Policy;
use crate::model::{Inventory, Severity};

/// How one submission fared under one policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cell {
    pub passed: bool,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    pub waived: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubmissionRow {
    pub submission: String,
    /// One cell per policy, in the order the policies were given.
    pub results: Vec<Cell>,
    /// Per policy: open findings by rule, and whether the rule raised an error (the HTML matrix).
    #[serde(skip)]
    pub fired: Vec<BTreeMap<String, (usize, bool)>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleCount {
    pub rule: String,
    /// Findings (not waived), over every submission.
    pub findings: usize,
    /// Submissions in which it fired at least once.
    pub submissions: usize,
    /// Submissions in which it raised an error.
    pub failing_submissions: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComponentCount {
    /// The package (purl without version).
    pub component: String,
    /// Failing submissions in which it has an error finding.
    pub failing_submissions: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct PolicySummary {
    pub policy: String,
    pub files: Vec<String>,
    pub submissions: usize,
    pub passed: usize,
    pub failed: usize,
    /// Most firings first.
    pub rules: Vec<RuleCount>,
    /// The components causing most failures (at most `top`).
    pub top_components: Vec<ComponentCount>,
}

/// A submission whose verdict differs between policies.
#[derive(Debug, Clone, Serialize)]
pub struct Flip {
    pub submission: String,
    /// Passed or not, per policy.
    pub passed: Vec<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SimulationReport {
    pub policies: Vec<PolicySummary>,
    pub flips: Vec<Flip>,
    pub submissions: Vec<SubmissionRow>,
}

#[derive(Default)]
struct Stats {
    passed: usize,
    failed: usize,
    rules: BTreeMap<String, (usize, usize, usize)>,
    components: BTreeMap<String, usize>,
}

pub struct Simulation<'p> {
    policies: Vec<&'p Policy>,
    evaluators: Vec<Evaluator<'p>>,
    stats: Vec<Stats>,
    rows: Vec<SubmissionRow>,
    opts: EvalOptions,
    top: usize,
}

impl<'p> Simulation<'p> {
    pub fn new(policies: &'p [Policy], opts: EvalOptions) -> Self {
        Simulation {
            policies: policies.iter().collect(),
            evaluators: policies.iter().map(Evaluator::counting).collect(),
            stats: policies.iter().map(|_| Stats::default()).collect(),
            rows: Vec::new(),
            opts,
            top: 10,
        }
    }

    /// Judges one submission under every policy.
    pub fn add(&mut self, submission: &str, inv: &Inventory) {
        let mut results = Vec::with_capacity(self.evaluators.len());
        let mut fired_all = Vec::with_capacity(self.evaluators.len());
        for (ev, st) in self.evaluators.iter_mut().zip(self.stats.iter_mut()) {
            let v = ev.evaluate(inv, &self.opts);
            if v.passed {
                st.passed += 1;
            } else {
                st.failed += 1;
            }
            let mut fired: BTreeMap<&str, (usize, bool)> = BTreeMap::new();
            let mut failing_components: Vec<&str> = Vec::new();
            for f in v.findings.iter().filter(|f| f.waived.is_none()) {
                let e = fired.entry(f.rule.as_str()).or_default();
                e.0 += 1;
                if f.severity == Severity::Error {
                    e.1 = true;
                    if let Some(c) = &f.component {
                        let end = c.find(['?', '#']).unwrap_or(c.len());
                        failing_components.push(split_version(&c[..end]).0);
                    }
                }
            }
            fired_all.push(fired.iter().map(|(r, v)| (r.to_string(), *v)).collect());
            for (rule, (n, err)) in fired {
                if !st.rules.contains_key(rule) {
                    st.rules.insert(rule.to_string(), (0, 0, 0));
                }
                let Some(e) = st.rules.get_mut(rule) else { continue };
                e.0 += n;
                e.1 += 1;
                e.2 += usize::from(err);
            }
            failing_components.sort_unstable();
            failing_components.dedup();
            for c in failing_components {
                match st.components.get_mut(c) {
                    Some(n) => *n += 1,
                    None => {
                        st.components.insert(c.to_string(), 1);
                    }
                }
            }
            results.push(Cell {
                passed: v.passed,
                errors: v.counts.error,
                warnings: v.counts.warning,
                notes: v.counts.note,
                waived: v.counts.waived,
            });
        }
        self.rows.push(SubmissionRow { submission: submission.to_string(), results, fired: fired_all });
    }

    pub fn finish(self) -> SimulationReport {
        let top = self.top;
        let policies = self
            .policies
            .iter()
            .zip(self.stats)
            .map(|(p, st)| {
                let mut rules: Vec<RuleCount> = st
                    .rules
                    .into_iter()
                    .map(|(rule, (findings, submissions, failing))| RuleCount {
                        rule,
                        findings,
                        submissions,
                        failing_submissions: failing,
                    })
                    .collect();
                rules.sort_by(|a, b| b.findings.cmp(&a.findings).then_with(|| a.rule.cmp(&b.rule)));
                let mut comps: Vec<ComponentCount> = st
                    .components
                    .into_iter()
                    .map(|(component, n)| ComponentCount { component, failing_submissions: n })
                    .collect();
                comps.sort_by(|a, b| {
                    b.failing_submissions
                        .cmp(&a.failing_submissions)
                        .then_with(|| a.component.cmp(&b.component))
                });
                comps.truncate(top);
                PolicySummary {
                    policy: p.name.clone(),
                    files: p.files.clone(),
                    submissions: st.passed + st.failed,
                    passed: st.passed,
                    failed: st.failed,
                    rules,
                    top_components: comps,
                }
            })
            .collect();
        let flips = self
            .rows
            .iter()
            .filter(|r| r.results.windows(2).any(|w| w[0].passed != w[1].passed))
            .map(|r| Flip {
                submission: r.submission.clone(),
                passed: r.results.iter().map(|c| c.passed).collect(),
            })
            .collect();
        SimulationReport { policies, flips, submissions: self.rows }
    }
}
