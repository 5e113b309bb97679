//! The concluded licence of a component from its declared and detected licences (and curations).
//!
//! - A curation for the component settles it, whatever the evidence says.
//! - Declared only: the declared expression. Detected only: the detected expression when it is one value,
//!   or one text's expression covers every other id found; several separate texts with no declared
//!   licence saying how they combine: NOASSERTION, with a note.
//! - Both: every id the texts show must occur in the declared expression (`-only`/`-or-later`/`+` compared
//!   on the base licence, as the texts are the same); then the declared expression. Otherwise a
//!   `license-conflict` warning naming both, and NOASSERTION.

use std::collections::BTreeSet;

use crate::model::{Diagnostic, LicenseValue};

pub const NOASSERTION: &str = "NOASSERTION";

/// A curated conclusion for one component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Curated {
    pub expression: String,
    pub reason: String,
    /// The file the curation came from.
    pub file: String,
}

/// The ids of an expression, compared on their base licence.
pub fn base_ids(expr: &str) -> Option<BTreeSet<String>> {
    let e = spdx::Expression::parse_mode(expr, super::normalise::VALID).ok()?;
    let mut out = BTreeSet::new();
    for r in e.requirements() {
        let id = r.req.license.to_string();
        out.insert(base_key(&id));
    }
    Some(out)
}

fn base_key(id: &str) -> String {
    let id = id.trim_end_matches('+');
    let id = id.strip_suffix("-or-later").or_else(|| id.strip_suffix("-only")).unwrap_or(id);
    id.to_ascii_lowercase()
}

fn value(expression: &str, source: String) -> LicenseValue {
    LicenseValue {
        expression: expression.to_string(),
        original: None,
        valid: super::normalise::is_valid(expression),
        source,
        score: None,
    }
}

/// Concludes one component's licence. `name` is used in diagnostics.
pub fn conclude(
    name: &str,
    declared: Option<&LicenseValue>,
    detected: &[LicenseValue],
    curated: Option<&Curated>,
) -> (Option<LicenseValue>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    if let Some(c) = curated {
        return (Some(value(&c.expression, format!("curation ({}): {}", c.file, c.reason))), diags);
    }
    let declared = declared.filter(|d| d.valid);
    let detected: Vec<&LicenseValue> = detected.iter().filter(|d| d.valid).collect();
    let detected_ids: BTreeSet<String> =
        detected.iter().filter_map(|d| base_ids(&d.expression)).flatten().collect();
    match (declared, detected.is_empty()) {
        (None, true) => (None, diags),
        (Some(d), true) => (Some(value(&d.expression, format!("declared ({})", d.source))), diags),
        (None, false) => {
            // One value, or one expression that covers all the others (a COPYING that says `A OR B`
            // beside the texts of A and B).
            let covering = detected
                .iter()
                .find(|d| base_ids(&d.expression).is_some_and(|ids| ids.is_superset(&detected_ids)));
            match covering {
                Some(d) => (Some(value(&d.expression, format!("detected ({})", d.source))), diags),
                None => {
                    diags.push(Diagnostic::note(
                        "license-detected-several",
                        format!(
                            "{name}: licence texts of {} found and no declared licence says how they combine; \
                             concluded NOASSERTION",
                            list(&detected)
                        ),
                    ));
                    (Some(value(NOASSERTION, "texts without declaration".into())), diags)
                }
            }
        }
        (Some(d), false) => {
            let declared_ids = base_ids(&d.expression).unwrap_or_default();
            if detected_ids.is_subset(&declared_ids) {
                (Some(value(&d.expression, format!("declared ({}), confirmed by texts", d.source))), diags)
            } else {
                let extra: Vec<&&LicenseValue> = detected
                    .iter()
                    .filter(|v| base_ids(&v.expression).is_some_and(|ids| !ids.is_subset(&declared_ids)))
                    .collect();
                diags.push(
                    Diagnostic::warning(
                        "license-conflict",
                        format!(
                            "{name}: declared `{}` ({}) but {}; concluded NOASSERTION (a curation settles it)",
                            d.expression,
                            d.source,
                            extra
                                .iter()
                                .map(|v| format!("{} reads `{}`", v.source, v.expression))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                    .at(d.source.clone(), None),
                );
                (Some(value(NOASSERTION, "conflict between declared and detected".into())), diags)
            }
        }
    }
}

fn list(values: &[&LicenseValue]) -> String {
    values.iter().map(|v| format!("`{}` ({})", v.expression, v.source)).collect::<Vec<_>>().join(", ")
}
