//! Licence judgement with SPDX expression semantics: each requirement of a component's expression
//! (`ID`, `ID+`, `ID-or-later`, `ID WITH exception`) is judged against the policy's lists, and the
//! expression is evaluated by the `spdx` crate (`A OR B` passes when one branch passes, `A AND B` needs both).

use std::borrow::Cow;
use std::collections::HashMap;

use spdx::{Expression, LicenseItem, LicenseReq, ParseMode};

use super::types::LicenseCheck;
use crate::model::{Component, LicenseCategory, LicenseValue};

/// One entry of an `allow` or `deny` list: a single licence requirement.
#[derive(Debug, Clone)]
pub struct LicensePattern {
    pub text: String,
    lic: Lic,
}

/// A licence requirement reduced to what matching needs: the id without `-or-later`/`+`, whether later
/// versions are included, and the exception.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Lic {
    id: String,
    or_later: bool,
    addition: Option<String>,
}

fn lic_of(req: &LicenseReq) -> Lic {
    let (id, mut or_later) = match &req.license {
        LicenseItem::Spdx { id, or_later } => (id.name.to_string(), *or_later),
        LicenseItem::Other(r) => (r.to_string(), false),
    };
    let id = match id.strip_suffix("-or-later") {
        Some(base) => {
            or_later = true;
            let only = format!("{base}-only");
            if spdx::license_id(&only).is_some() {
                only
            } else {
                base.to_string()
            }
        }
        // Deprecated GNU ids (`GPL-2.0`, `LGPL-2.1`) mean the `-only` licence; `GPL-2.0+` arrives here
        // as `GPL-2.0` with `or_later` set.
        None => match spdx::license_id(&id).filter(|l| l.is_deprecated()) {
            Some(_) if spdx::license_id(&format!("{id}-only")).is_some() => format!("{id}-only"),
            _ => id,
        },
    };
    Lic { id, or_later, addition: req.addition.as_ref().map(|a| a.to_string()) }
}

/// Splits `GPL-2.0-only` into (`GPL`, [2, 0], `only`) so versions of one family compare.
fn family(id: &str) -> Option<(&str, Vec<u32>, &str)> {
    let parts: Vec<&str> = id.split('-').collect();
    let vi =
        parts.iter().position(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit() || b == b'.'))?;
    let version: Option<Vec<u32>> = parts[vi].split('.').map(|n| n.parse().ok()).collect();
    let prefix_len: usize = parts[..vi].iter().map(|p| p.len() + 1).sum();
    let suffix_start = prefix_len + parts[vi].len();
    Some((&id[..prefix_len], version?, id.get(suffix_start..).unwrap_or("")))
}

fn version_ge(a: &[u32], b: &[u32]) -> bool {
    let n = a.len().max(b.len());
    for i in 0..n {
        let (x, y) = (a.get(i).copied().unwrap_or(0), b.get(i).copied().unwrap_or(0));
        if x != y {
            return x > y;
        }
    }
    true
}

/// Whether a licence the component offers (`offer`) is one the entry names, ignoring exceptions:
/// the same id, or a later version of the same family when either side says "or later".
fn same_licence(entry: &Lic, offer: &Lic) -> bool {
    if entry.id == offer.id {
        return true;
    }
    let (Some((ep, ev, es)), Some((op, ov, os))) = (family(&entry.id), family(&offer.id)) else {
        return false;
    };
    if ep != op || es != os {
        return false;
    }
    // `GPL-2.0-or-later` offered: the user may pick any version from 2.0 on, so an entry naming 3.0 fits.
    (offer.or_later && version_ge(&ev, &ov)) || (entry.or_later && version_ge(&ov, &ev))
}

impl LicensePattern {
    /// Parses an entry (strict SPDX: exact ids, case-sensitive). The error explains and suggests.
    pub fn parse(text: &str) -> Result<LicensePattern, String> {
        let t = text.trim();
        let expr = Expression::parse(t).map_err(|e| {
            let hint = match spdx::imprecise_license_id(t) {
                Some((id, len)) if len == t.len() => format!(" (did you mean `{}`?)", id.name),
                _ => String::new(),
            };
            format!("{} is not a valid SPDX licence: {}{hint}", super::schema_check::quote(t), e.reason)
        })?;
        let reqs: Vec<_> = expr.requirements().collect();
        if reqs.len() != 1 || t.contains([' ', '(']) && !t.contains(" WITH ") && !t.contains(" with ") {
            return Err(format!(
                "{} is an expression; list single licences here (`MIT`, `GPL-2.0-or-later WITH \
                 Classpath-exception-2.0`) or use `allow_expressions`/`deny_expressions`",
                super::schema_check::quote(t)
            ));
        }
        Ok(LicensePattern { text: t.to_string(), lic: lic_of(&reqs[0].req) })
    }

    fn matches_ignoring_exception(&self, offer: &Lic) -> bool {
        same_licence(&self.lic, offer)
    }

    fn matches_exactly(&self, offer: &Lic) -> bool {
        same_licence(&self.lic, offer) && self.lic.addition == offer.addition
    }

    /// An entry without exception also covers the licence with any exception (exceptions only add
    /// permissions); an entry with one covers only that exception.
    fn covers(&self, offer: &Lic) -> bool {
        match self.lic.addition {
            None => self.matches_ignoring_exception(offer),
            Some(_) => self.matches_exactly(offer),
        }
    }
}

/// Parses a whole expression for `allow_expressions`/`deny_expressions` (strict).
pub fn parse_expression(text: &str) -> Result<Expression, String> {
    Expression::parse(text.trim()).map_err(|e| {
        format!("{} is not a valid SPDX expression: {}", super::schema_check::quote(text), e.reason)
    })
}

/// The licence category of an SPDX id or LicenseRef, from the licence stage's table
/// (`rules/licenses/categories.yaml`).
pub fn category_of(id: &str) -> Option<LicenseCategory> {
    crate::enrich::license::category(id)
}

fn describe(kind: &str, v: &LicenseValue) -> String {
    let mut s = format!("{kind} `{}` from {}", v.expression, v.source);
    if let Some(o) = v.original.as_deref().filter(|o| *o != v.expression) {
        s.push_str(&format!(" (written `{o}`)"));
    }
    if let Some(score) = v.score {
        s.push_str(&format!(", match score {score:.2}"));
    }
    s
}

fn unknown_value(e: &str) -> bool {
    let t = e.trim();
    t.is_empty() || t.eq_ignore_ascii_case("NOASSERTION") || t.eq_ignore_ascii_case("NONE")
}

/// Which licence values of a component are judged: the concluded one, else the declared one, else every
/// detected one together (AND). Empty when there is none.
fn judged_values(c: &Component) -> (&'static str, Vec<&LicenseValue>) {
    let l = &c.license;
    if let Some(v) = l.concluded.as_ref().filter(|v| !unknown_value(&v.expression)) {
        return ("concluded", vec![v]);
    }
    if let Some(v) = l.declared.as_ref().filter(|v| !unknown_value(&v.expression)) {
        return ("declared", vec![v]);
    }
    ("detected", l.detected.iter().filter(|v| !unknown_value(&v.expression)).collect())
}

/// The expression a licence rule judges (see [`judged_values`]); borrowed in the common case.
pub fn judged_expression(c: &Component) -> Option<Cow<'_, str>> {
    let (_, values) = judged_values(c);
    match values.len() {
        0 => None,
        1 => Some(Cow::Borrowed(values[0].expression.as_str())),
        _ => Some(Cow::Owned(
            values.iter().map(|v| format!("({})", v.expression)).collect::<Vec<_>>().join(" AND "),
        )),
    }
}

/// The evidence behind the judged expression: each value, with where it came from.
pub fn judged_evidence(c: &Component) -> Vec<String> {
    let (kind, values) = judged_values(c);
    values.iter().map(|v| describe(kind, v)).collect()
}

/// The result of judging one expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Pass,
    /// Unparseable: why.
    Unknown(String),
    /// `denied` is true when a requirement was denied (rather than merely not allowed); the reasons name
    /// each failing requirement.
    Fail {
        denied: bool,
        reasons: Vec<String>,
        /// The expression as read, when it is not strict SPDX and lax parsing changed it
        /// (`MIT/Apache-2.0` → `MIT OR Apache-2.0`).
        read_as: Option<String>,
    },
}

enum ReqVerdict {
    Allowed,
    Denied(String),
    NotAllowed,
}

fn judge_req(check: &LicenseCheck, req: &LicenseReq) -> ReqVerdict {
    let offer = lic_of(req);
    // An explicit `ID WITH exception` allow entry wins over a bare-id deny.
    if offer.addition.is_some()
        && check.allow.iter().any(|p| p.lic.addition.is_some() && p.matches_exactly(&offer))
    {
        return ReqVerdict::Allowed;
    }
    if let Some(p) = check.deny.iter().find(|p| p.covers(&offer)) {
        return ReqVerdict::Denied(format!("`{req}` is denied (`{}`)", p.text));
    }
    let category = category_of(&offer.id);
    if let Some(cat) = category.filter(|c| check.deny_categories.contains(c)) {
        return ReqVerdict::Denied(format!("`{req}` is {} and that category is denied", category_name(cat)));
    }
    if !check.allow_list() {
        return ReqVerdict::Allowed;
    }
    if check.allow.iter().any(|p| p.covers(&offer))
        || category.is_some_and(|c| check.allow_categories.contains(&c))
    {
        ReqVerdict::Allowed
    } else {
        ReqVerdict::NotAllowed
    }
}

pub fn category_name(c: LicenseCategory) -> &'static str {
    match c {
        LicenseCategory::Permissive => "permissive",
        LicenseCategory::WeakCopyleft => "weak-copyleft",
        LicenseCategory::StrongCopyleft => "strong-copyleft",
        LicenseCategory::NetworkCopyleft => "network-copyleft",
        LicenseCategory::PublicDomain => "public-domain",
        LicenseCategory::NonCommercial => "non-commercial",
        LicenseCategory::UseRestricted => "use-restricted",
        LicenseCategory::Proprietary => "proprietary",
    }
}

/// Judges an expression under a check.
pub fn judge(check: &LicenseCheck, expression: &str) -> Outcome {
    let expr = match Expression::parse_mode(expression, ParseMode::LAX) {
        Ok(e) => e,
        Err(e) => {
            return Outcome::Unknown(format!("`{expression}` is not a valid SPDX expression ({})", e.reason))
        }
    };
    let read_as = Expression::parse(expression).is_err().then(|| infix(&expr));
    if check.deny_expressions.iter().any(|d| d.iter().eq(expr.iter())) {
        return Outcome::Fail {
            denied: true,
            reasons: vec![format!("the expression `{expression}` is denied")],
            read_as,
        };
    }
    if check.allow_expressions.iter().any(|a| a.iter().eq(expr.iter())) {
        return Outcome::Pass;
    }
    let mut reasons = Vec::new();
    let mut denied = false;
    let result = expr.evaluate(|req| match judge_req(check, req) {
        ReqVerdict::Allowed => true,
        ReqVerdict::Denied(why) => {
            denied = true;
            reasons.push(why);
            false
        }
        ReqVerdict::NotAllowed => {
            reasons.push(format!("`{req}` is not on the allow list"));
            false
        }
    });
    if result {
        Outcome::Pass
    } else {
        reasons.dedup();
        Outcome::Fail { denied, reasons, read_as }
    }
}

/// Writes a parsed expression in strict SPDX form.
pub fn infix(expr: &Expression) -> String {
    use spdx::expression::{ExprNode, Operator};
    // (text, operator at its top: None for a single requirement)
    let mut stack: Vec<(String, Option<Operator>)> = Vec::new();
    for node in expr.iter() {
        match node {
            ExprNode::Req(r) => stack.push((r.req.to_string(), None)),
            ExprNode::Op(op) => {
                let (Some(b), Some(a)) = (stack.pop(), stack.pop()) else { return String::new() };
                let wrap = |(t, top): (String, Option<Operator>)| {
                    // Parentheses wherever operators mix, so nobody has to recall the precedence.
                    if top.is_some_and(|t| t != *op) {
                        format!("({t})")
                    } else {
                        t
                    }
                };
                let word = if *op == Operator::And { "AND" } else { "OR" };
                stack.push((format!("{} {word} {}", wrap(a), wrap(b)), Some(*op)));
            }
        }
    }
    stack.pop().map(|(t, _)| t).unwrap_or_default()
}

/// Memoises [`judge`] per expression: real inventories repeat a handful of expressions thousands of times.
#[derive(Debug, Default)]
pub struct Cache {
    map: HashMap<String, Outcome>,
}

impl Cache {
    pub fn judge(&mut self, check: &LicenseCheck, expression: &str) -> Outcome {
        if let Some(o) = self.map.get(expression) {
            return o.clone();
        }
        let o = judge(check, expression);
        if self.map.len() < 100_000 {
            self.map.insert(expression.to_string(), o.clone());
        }
        o
    }
}
