//! Origin attribution: evidence about who publishes each component, combined into a country with a
//! confidence (docs/origin.md).
//!
//! - [`kb`]: the knowledge base in `rules/origins/` (organisations, hosts, e-mail providers, TLDs,
//!   model families, weights), embedded and loaded once, extendable with `--origin-rules`.
//! - [`gazetteer`]: free-text location → country, offline.
//! - [`collect`]: offline collectors (purl identifiers, repository host and owner, web and e-mail
//!   domains, author and copyright names).
//! - [`github`]: the online collector (`--online`): the repository owner's GitHub profile.
//! - [`combine`]: the combination rule; [`curation`]: user curations, which win.

pub mod collect;
pub mod combine;
pub mod curation;
pub mod gazetteer;
pub mod github;
pub mod kb;
mod normalise;
mod people;
pub mod provisional;

use std::path::PathBuf;

use crate::model::{Component, Diagnostic, Evidence, EvidenceKind, Inventory, Origin};

pub use combine::AttributeTo;
pub use curation::Curations;
pub use kb::KnowledgeBase;

/// What the origin stage needs.
#[derive(Debug, Clone, Default)]
pub struct OriginOptions {
    /// Below this confidence the answer is unknown; `None` = the floor of the rules (0.6).
    pub floor: Option<f64>,
    pub attribute_to: AttributeTo,
    /// A user rules file extending the knowledge base.
    pub rules_file: Option<PathBuf>,
    /// A user curations file.
    pub curations_file: Option<PathBuf>,
    /// Query code hosts (opt-in).
    pub online: Option<github::OnlineOptions>,
}

/// Attributes one component offline with the given knowledge base (no curations, no network).
pub fn attribute(kb: &KnowledgeBase, c: &Component, to: AttributeTo, floor: f64) -> Origin {
    let mut ev = collect::collect(kb, c);
    ev.extend(provisional::evidence(kb, c));
    combine::decide(kb, ev, to, floor)
}

/// The origin stage: sets `origin` on every component of the inventory. Problems with the user's files
/// or the network become diagnostics; the stage always completes.
pub fn enrich(inv: &mut Inventory, opts: &OriginOptions) {
    let mut diags = Vec::new();
    let user_kb = opts.rules_file.as_ref().and_then(|p| {
        let file = p.display().to_string();
        let loaded = std::fs::read_to_string(p)
            .map_err(|e| format!("cannot read `{file}`: {e}"))
            .and_then(|t| KnowledgeBase::with_user_rules(&t, &file).map_err(|e| e.to_string()));
        match loaded {
            Ok(kb) => Some(kb),
            Err(m) => {
                diags.push(Diagnostic::error(
                    "origin-rules-invalid",
                    format!("{m}; the built-in rules are used"),
                ));
                None
            }
        }
    });
    let kb = user_kb.as_ref().unwrap_or_else(|| KnowledgeBase::builtin());
    let curations = opts.curations_file.as_ref().and_then(|p| {
        let file = p.display().to_string();
        let loaded = std::fs::read_to_string(p)
            .map_err(|e| format!("cannot read `{file}`: {e}"))
            .and_then(|t| Curations::parse(&t, &file, &kb.countries).map_err(|e| e.to_string()));
        match loaded {
            Ok(c) => Some(c),
            Err(m) => {
                diags.push(Diagnostic::error(
                    "origin-curations-invalid",
                    format!("{m}; no curation is applied"),
                ));
                None
            }
        }
    });
    let floor = opts.floor.unwrap_or(kb.floor);
    let mut client = opts.online.clone().map(github::GithubClient::new);
    for c in &mut inv.components {
        let mut ev = Vec::new();
        if let Some(cur) = curations.as_ref().and_then(|k| k.evidence(c)) {
            ev.push(cur);
        }
        ev.extend(collect::collect(kb, c));
        ev.extend(provisional::evidence(kb, c));
        let mut origin = combine::decide(kb, ev, opts.attribute_to, floor);
        if origin.country.is_none() && origin.basis.is_none() {
            if let Some(client) = client.as_mut() {
                let owners = collect::github_owners(c);
                if !owners.is_empty() {
                    let mut ev = origin.evidence;
                    for login in owners {
                        if let Some(p) = client.profile(&login) {
                            ev.extend(github::profile_evidence(kb, &p, client.base_url()));
                        }
                    }
                    origin = combine::decide(kb, collect::dedup(ev), opts.attribute_to, floor);
                }
            }
        }
        c.origin = origin;
    }
    if let Some(client) = client {
        diags.extend(client.into_diagnostics());
    }
    inv.diagnostics.extend(diags);
}

/// One evidence as text (the CycloneDX `sovereign:origin:evidence` property and SPDX annotation):
/// `kind | value | country [(parent XX)] | weight [(weak)] | source`.
pub fn evidence_text(e: &Evidence) -> String {
    // The facet follows the kind when it is not the kind's own: `copyright-holder (weights)`.
    let kind = match e.facet {
        Some(f) if f != e.kind.facet() => format!("{} ({f})", e.kind.as_str()),
        _ => e.kind.as_str().to_string(),
    };
    let mut cc = e.country.clone().unwrap_or_else(|| "none".into());
    if let Some(pc) = &e.parent_country {
        cc.push_str(&format!(" (parent {pc})"));
    }
    let weak = if e.weak { " (weak)" } else { "" };
    format!("{kind} | {} | {cc} | {:.2}{weak} | {}", e.value, e.weight, e.source)
}

/// Parses [`evidence_text`] back (the value and the source may themselves contain ` | `). The
/// organisation name is not part of the text and comes back as `None`.
pub fn parse_evidence_text(s: &str) -> Option<Evidence> {
    let parts: Vec<&str> = s.split(" | ").collect();
    let first = parts.first()?;
    let (kind_text, facet) = match first.split_once(" (") {
        Some((k, f)) => (k, Some(crate::model::Facet::parse(f.strip_suffix(')')?)?)),
        None => (*first, None),
    };
    let kind: EvidenceKind = serde_json::from_value(serde_json::Value::String(kind_text.to_string())).ok()?;
    let facet = Some(facet.unwrap_or_else(|| kind.facet()));
    let is_cc = |t: &str| t.len() == 2 && t.chars().all(|c| c.is_ascii_uppercase());
    for i in 2..parts.len().saturating_sub(2) {
        let (cc_part, w_part) = (parts[i], parts[i + 1]);
        let (cc, parent) = match cc_part.split_once(" (parent ") {
            Some((cc, rest)) => (cc, rest.strip_suffix(')').filter(|p| is_cc(p))),
            None => (cc_part, None),
        };
        if !(is_cc(cc) || cc == "none") {
            continue;
        }
        let (w, weak) = match w_part.strip_suffix(" (weak)") {
            Some(w) => (w, true),
            None => (w_part, false),
        };
        let Ok(weight) = w.parse::<f64>() else { continue };
        if !(0.0..=1.0).contains(&weight) {
            continue;
        }
        return Some(Evidence {
            kind,
            value: parts[1..i].join(" | "),
            country: (cc != "none").then(|| cc.to_string()),
            weight,
            source: parts[i + 2..].join(" | "),
            weak,
            organisation: None,
            parent_country: parent.map(str::to_string),
            facet,
        });
    }
    None
}

/// A human explanation of a component's origin, evidence by evidence (`sovereign explain`).
pub fn explain(c: &Component, to: AttributeTo) -> String {
    use std::fmt::Write;
    let o = &c.origin;
    let mut s = String::new();
    let _ = writeln!(s, "{}", c.purl.as_deref().unwrap_or(&c.id));
    match (&o.country, o.basis.as_deref()) {
        (Some(cc), Some("curation")) => {
            let _ = writeln!(s, "  origin: {cc} (curated by the user; curations win over evidence)");
        }
        (Some(cc), _) => {
            let _ =
                writeln!(s, "  origin: {cc}, confidence {:.2} (attribute_to: {})", o.confidence, to.as_str());
        }
        (None, _) => {
            let why = if !o.facets.is_empty()
                && o.facets.keys().all(|f| *f == crate::model::Facet::Architecture)
            {
                "only the architecture facet has a country: a model family says what the component is built on, \
                 not where it comes from"
                    .to_string()
            } else if o.evidence.iter().all(|e| e.country.is_none() || e.weight <= 0.0) {
                "no evidence names a country".to_string()
            } else if o.evidence.iter().filter(|e| e.country.is_some()).all(|e| e.weak) {
                "only weak evidence (it never decides alone)".to_string()
            } else {
                format!("best confidence {:.2} is below the floor, or countries conflict", o.confidence)
            };
            let _ = writeln!(s, "  origin: unknown ({why})");
        }
    }
    if let Some(org) = &o.organisation {
        let _ = write!(s, "  organisation: {} (headquarters {}", org.name, org.country);
        if let (Some(p), Some(pc)) = (&org.parent, &org.parent_country) {
            let _ = write!(s, "; parent {p}, {pc}");
        }
        let _ = writeln!(s, "; source {})", org.source);
    }
    let scores = combine::scores(&o.evidence, to);
    if !scores.is_empty() {
        let list: Vec<String> = scores
            .iter()
            .map(|(cc, (p, strong))| format!("{cc} {p:.2}{}", if *strong { "" } else { " (weak only)" }))
            .collect();
        let _ = writeln!(s, "  per country (noisy-OR): {}", list.join(", "));
    }
    if !o.countries.is_empty() {
        let _ = writeln!(s, "  countries: {}", o.countries.join(", "));
    }
    if o.evidence.is_empty() {
        let _ = writeln!(s, "  evidence: none");
    }
    // Facet by facet: its countries (or unknown) and the evidence behind them.
    for facet in crate::model::Facet::ALL {
        let ev: Vec<&Evidence> = o.evidence.iter().filter(|e| e.facet() == facet).collect();
        if ev.is_empty() {
            continue;
        }
        let countries = match o.facets.get(&facet) {
            Some(f) if !f.countries.is_empty() => f
                .countries
                .iter()
                .map(|c| format!("{} {:.2}", c.country, c.confidence))
                .collect::<Vec<_>>()
                .join(", "),
            _ => "unknown".to_string(),
        };
        let _ = writeln!(s, "  facet {facet}: {countries}");
        explain_evidence(&mut s, &ev);
    }
    s
}

fn explain_evidence(s: &mut String, evidence: &[&Evidence]) {
    use std::fmt::Write;
    for e in evidence {
        let cc = e.country.as_deref().unwrap_or("none");
        let _ = write!(
            s,
            "  - {:<18} {} -> {cc} weight {:.2}{}",
            serde_json::to_value(e.kind).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default(),
            e.value,
            e.weight,
            if e.weak { " (weak)" } else { "" }
        );
        if let Some(pc) = &e.parent_country {
            let _ = write!(s, " [parent {pc}]");
        }
        let _ = writeln!(s, "\n      source: {}", e.source);
    }
}
