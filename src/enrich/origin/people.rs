//! Collectors about people and names: author e-mail addresses and names, copyright holders, and the
//! model-family hint.

use crate::model::{Evidence, EvidenceKind};

use super::collect::{dedup, domain_evidence, org_evidence, weak};
use super::kb::{name_norm, IdRef, KnowledgeBase};

/// `Name <mail@host>` (Cargo, npm, PyPI style) → e-mail domain and name evidence.
pub fn author_evidence(kb: &KnowledgeBase, author: &str, ev: &mut Vec<Evidence>) {
    let (name, email) = split_author(author);
    if let Some(email) = email {
        email_evidence(kb, &email, ev);
    }
    if let Some(name) = name {
        name_evidence(kb, &name, EvidenceKind::KnownOrganisation, "author", ev);
    }
}

/// An e-mail address: an organisation's domain (strong), a national consumer mailbox or a ccTLD (weak);
/// global providers and no-reply addresses say nothing.
pub fn email_evidence(kb: &KnowledgeBase, email: &str, ev: &mut Vec<Evidence>) {
    let Some((_, domain)) = email.rsplit_once('@') else { return };
    let domain = domain.trim().trim_end_matches('.').to_lowercase();
    if domain.is_empty()
        || domain.len() > 253
        || kb.global_email.contains(&domain)
        || domain.ends_with("noreply.github.com")
    {
        return;
    }
    if let Some(cc) = kb.consumer_email.get(&domain).cloned().or_else(|| {
        kb.consumer_email_patterns
            .iter()
            .find(|(pre, post, _)| domain.starts_with(pre.as_str()) && domain.ends_with(post.as_str()))
            .map(|x| x.2.clone())
    }) {
        ev.push(weak(
            EvidenceKind::EmailDomain,
            domain.clone(),
            Some(cc.clone()),
            kb.w().consumer_email,
            format!(
                "rules/origins/signals.yaml: national consumer mailbox provider ({cc}); a person's signal"
            ),
        ));
        return;
    }
    domain_evidence(kb, &domain, EvidenceKind::EmailDomain, ev);
}

/// A copyright holder (or author name) that is a known organisation's name or alias.
pub fn name_evidence(kb: &KnowledgeBase, raw: &str, kind: EvidenceKind, what: &str, ev: &mut Vec<Evidence>) {
    let n = name_norm(&holder(raw));
    if n.is_empty() {
        return;
    }
    // A copyright notice is a legal claim of ownership of the very file it heads: stronger than an
    // author string that happens to name an organisation.
    let weight =
        if kind == EvidenceKind::CopyrightHolder { kb.w().copyright_holder } else { kb.w().org_name };
    let found = lookup_name(kb, &n);
    if !found.is_empty() || kind != EvidenceKind::CopyrightHolder {
        for r in found {
            ev.push(org_evidence(kb, kind, format!("{what} {}", raw.trim()), r, weight));
        }
        return;
    }
    // Co-holders: `The ZhipuAI Inc. team and HuggingFace Inc. team` names two organisations, each a
    // holder of the file (docs/origin.md: two strong countries give both).
    let h = holder(raw);
    let parts: Vec<&str> = h
        .split(" and ")
        .flat_map(|p| p.split(" & "))
        .flat_map(|p| p.split([',', ';', '、', '和', '与']))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() < 2 {
        return;
    }
    for part in parts {
        for r in lookup_name(kb, &name_norm(part)) {
            ev.push(org_evidence(kb, kind, format!("{what} {} (co-holder {part})", raw.trim()), r, weight));
        }
    }
}

/// A normalised name in the knowledge base: as it is, without a leading `the` and a trailing `team`,
/// `authors`, `contributors` or `developers`, and without its spaces (`ZhipuAI`, `HuggingFace`).
fn lookup_name(kb: &KnowledgeBase, n: &str) -> Vec<IdRef> {
    let mut t = n.strip_prefix("the ").unwrap_or(n).to_string();
    for suffix in [" team", " authors", " contributors", " developers"] {
        if let Some(r) = t.strip_suffix(suffix) {
            t = r.to_string();
        }
    }
    let t = name_norm(&t);
    for key in [n, t.as_str()] {
        if let Some(refs) = kb.names.get(key) {
            return refs.clone();
        }
    }
    let compact = t.replace(' ', "");
    kb.names_compact.get(&compact).cloned().unwrap_or_default()
}

/// Copyright holders (from licence or notice texts) → evidence; one per holder that names a known
/// organisation.
pub fn copyright_evidence(kb: &KnowledgeBase, notices: &[String]) -> Vec<Evidence> {
    let mut ev = Vec::new();
    // One piece of evidence per holder, however many notices (years, files) name it.
    let mut holders: Vec<String> = notices.iter().map(|n| holder(n)).filter(|h| !h.is_empty()).collect();
    holders.sort();
    holders.dedup();
    for h in &holders {
        name_evidence(kb, h, EvidenceKind::CopyrightHolder, "copyright holder", &mut ev);
    }
    dedup(ev)
}

/// A transformers `model_type` → its family developer (a weak hint: architecture is not weights).
pub fn model_family_evidence(kb: &KnowledgeBase, model_type: &str) -> Option<Evidence> {
    let (dev, cc) = kb.model_types.get(&model_type.to_lowercase())?;
    let mut e = weak(
        EvidenceKind::ModelFamily,
        format!("model_type {model_type}"),
        Some(cc.clone()),
        kb.w().model_family,
        format!("rules/origins/signals.yaml: model family of {dev}; architecture, not weight lineage"),
    );
    // For the architecture facet the family is the fact itself (docs/origin.md "Facets").
    e.weak = false;
    e.organisation = Some(dev.clone());
    Some(e)
}

/// Strips `Copyright`, `(c)`, `©`, years and `All rights reserved` from a holder statement.
fn holder(s: &str) -> String {
    let mut t = s.trim().to_string();
    for p in ["SPDX-FileCopyrightText:", "Copyright", "copyright", "(c)", "(C)", "©"] {
        t = t.replace(p, " ");
    }
    let t = t.split(" All rights").next().unwrap_or("").to_string();
    t.split_whitespace()
        .filter(|w| !w.trim_matches(|c: char| c == ',' || c == '-').chars().all(|c| c.is_ascii_digit()))
        .collect::<Vec<_>>()
        .join(" ")
        .trim_matches(|c: char| c == ',' || c == '.' || c.is_whitespace())
        .to_string()
}

/// `Name <email> (url)` → (name, email).
pub fn split_author(a: &str) -> (Option<String>, Option<String>) {
    let a = a.trim();
    if let (Some(lt), Some(gt)) = (a.find('<'), a.rfind('>')) {
        if lt < gt {
            let name = a[..lt].trim();
            let email = a[lt + 1..gt].trim();
            return (
                (!name.is_empty()).then(|| name.to_string()),
                email.contains('@').then(|| email.to_string()),
            );
        }
    }
    if a.contains('@') && !a.contains(' ') {
        return (None, Some(a.to_string()));
    }
    let name = a.split(" (").next().unwrap_or(a).trim();
    ((!name.is_empty()).then(|| name.to_string()), None)
}
