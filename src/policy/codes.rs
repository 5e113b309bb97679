//! Stable finding codes: what kind of problem a finding is, whichever rule raised it. Listed with their
//! descriptions in docs/policy.md; SARIF rules are generated from this table.

pub const RULE_ORIGIN: &str = "origin";
pub const RULE_LICENSES: &str = "licenses";
/// The rule id of findings about the policy's own waivers.
pub const RULE_WAIVERS: &str = "waivers";

pub const ORIGIN_DENIED: &str = "origin-denied";
pub const ORIGIN_NOT_ALLOWED: &str = "origin-not-allowed";
pub const ORIGIN_UNKNOWN: &str = "origin-unknown";
pub const ORIGIN_LOW_CONFIDENCE: &str = "origin-low-confidence";
pub const LICENSE_DENIED: &str = "license-denied";
pub const LICENSE_NOT_ALLOWED: &str = "license-not-allowed";
pub const LICENSE_UNKNOWN: &str = "license-unknown";
pub const COMPONENT_BANNED: &str = "component-banned";
pub const WEIGHTS_NOT_PROVIDED: &str = "weights-not-provided";
pub const THRESHOLD_SHARE: &str = "threshold-exceeded";
pub const THRESHOLD_UNKNOWN: &str = "threshold-unknown-exceeded";
pub const WAIVER_EXPIRED: &str = "waiver-expired";
pub const WAIVER_UNUSED: &str = "waiver-unused";

/// Every code with a one-line description and the default how-to-fix advice.
pub const CODES: &[(&str, &str, &str)] = &[
    (ORIGIN_DENIED, "The component is attributed to a denied country or group.",
     "Remove the component or replace it with one from an allowed country; if it is acceptable, add a waiver with a reason."),
    (ORIGIN_NOT_ALLOWED, "The component is attributed to a country outside the allow list.",
     "Replace the component with one from an allowed country, or waive it with a reason."),
    (ORIGIN_UNKNOWN, "No country could be attributed to the component.",
     "Add a curation stating the component's origin with its source, or waive it with a reason."),
    (ORIGIN_LOW_CONFIDENCE, "The component's country was attributed with less confidence than the policy requires.",
     "Add a curation confirming the component's origin, or waive it with a reason."),
    (LICENSE_DENIED, "The component's licence expression cannot be satisfied without a denied licence.",
     "Remove or replace the component; if another licence applies, record it as a curation; or waive it with a reason."),
    (LICENSE_NOT_ALLOWED, "The component's licence expression cannot be satisfied with allowed licences only.",
     "Replace the component with one under an allowed licence, or waive it with a reason."),
    (LICENSE_UNKNOWN, "The component has no licence, NOASSERTION, or one that is not a valid SPDX expression.",
     "Find the licence (package metadata, LICENSE file) and record it as a curation, or waive it with a reason."),
    (COMPONENT_BANNED, "The component is selected by a rule that allows no such component.",
     "Remove the component or replace it; if it is acceptable, add a waiver with a reason."),
    (WEIGHTS_NOT_PROVIDED, "A model's config or code names weights (a file or folder) that are not in the tree.",
     "Hand over the named weights with the submission, or state where they come from (hub id and revision, or how they were trained)."),
    (THRESHOLD_SHARE, "Too many components (or too large a share) come from the named countries or groups.",
     "Replace some of the components counted, or raise the limit in the policy."),
    (THRESHOLD_UNKNOWN, "Too many components have an unknown origin or licence.",
     "Add curations for the unknowns, or raise the limit in the policy."),
    (WAIVER_EXPIRED, "A waiver has expired and no longer applies.",
     "Review the waived findings: renew the waiver with a new date and reason, or fix them."),
    (WAIVER_UNUSED, "A waiver matched no finding.",
     "Remove the waiver, or correct its component pattern or rule."),
];

pub fn is_code(s: &str) -> bool {
    CODES.iter().any(|(c, _, _)| *c == s)
}

pub fn describe(code: &str) -> &'static str {
    CODES.iter().find(|(c, _, _)| *c == code).map(|(_, d, _)| *d).unwrap_or("A policy rule fired.")
}

pub fn default_fix(code: &str) -> &'static str {
    CODES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, _, f)| *f)
        .unwrap_or("Remove or replace the component, or waive it with a reason.")
}

/// Ids a user rule may not take.
pub fn is_reserved(id: &str) -> bool {
    id == RULE_ORIGIN || id == RULE_LICENSES || id == RULE_WAIVERS || is_code(id)
}
