//! Offline collectors: each turns one kind of fact about a component into [`Evidence`].

use crate::model::{Component, Ecosystem, Evidence, EvidenceKind, SourceKind};

use super::kb::{glob_lookup, pypi_norm, IdRef, KnowledgeBase};
pub use super::people::{
    author_evidence, copyright_evidence, email_evidence, model_family_evidence, name_evidence, split_author,
};

/// Builds the evidence that a known organisation publishes the component.
pub fn org_evidence(kb: &KnowledgeBase, kind: EvidenceKind, value: String, r: IdRef, base: f64) -> Evidence {
    let o = kb.org(r);
    let w = kb.w();
    let mut weight = base;
    let mut notes = Vec::new();
    if r.uncertain {
        weight *= w.uncertain_identifier;
        notes.push("identifier marked uncertain");
    }
    if o.uncertain {
        weight *= w.uncertain_record;
        notes.push("country marked debatable");
    }
    let notes = if notes.is_empty() { String::new() } else { format!(" ({})", notes.join(", ")) };
    Evidence {
        kind,
        value,
        country: Some(o.country.clone()),
        weight: round(weight),
        source: format!("{}: {}{notes}; country source {}", o.file, o.name, o.source),
        weak: false,
        organisation: Some(o.name.clone()),
        parent_country: o.parent_country.clone().filter(|p| *p != o.country),
        facet: None,
    }
}

pub(super) fn weak(
    kind: EvidenceKind,
    value: String,
    country: Option<String>,
    weight: f64,
    source: String,
) -> Evidence {
    Evidence {
        kind,
        value,
        country,
        weight: round(weight),
        source,
        weak: true,
        organisation: None,
        parent_country: None,
        facet: None,
    }
}

fn round(w: f64) -> f64 {
    (w * 1000.0).round() / 1000.0
}

/// Every offline collector for one component. Evidence is deduplicated (same kind, value, country).
pub fn collect(kb: &KnowledgeBase, c: &Component) -> Vec<Evidence> {
    let mut ev = Vec::new();
    identifiers(kb, c, &mut ev);
    // Copyright notices of the component's licence texts (the licence stage reads them). Where the
    // provenance stage already turned the component's notices into holder evidence, that is the same fact
    // and is not counted twice.
    if !c.origin.evidence.iter().any(|e| e.kind == EvidenceKind::CopyrightHolder) {
        ev.extend(copyright_evidence(kb, &c.copyrights));
    }
    let mut urls: Vec<(&str, bool)> = Vec::new();
    if let Some(r) = &c.repository {
        urls.push((r, false));
    }
    if let Some(h) = &c.homepage {
        urls.push((h, false));
    }
    match &c.source {
        Some(SourceKind::Git { url, .. }) => urls.push((url, false)),
        // A direct download names its host and owner like a repository does (a mirror says nothing);
        // an alternative registry's URL only tells whether it is a mirror.
        Some(SourceKind::Url { url }) => urls.push((url, false)),
        Some(SourceKind::Registry { url: Some(url) }) => urls.push((url, true)),
        _ => {}
    }
    for (u, download) in urls {
        url_evidence(kb, u, download, &mut ev);
    }
    for a in &c.authors {
        author_evidence(kb, a, &mut ev);
    }
    dedup(ev)
}

pub(crate) fn dedup(ev: Vec<Evidence>) -> Vec<Evidence> {
    let mut out: Vec<Evidence> = Vec::with_capacity(ev.len());
    for e in ev {
        match out.iter_mut().find(|x| x.kind == e.kind && x.value == e.value && x.country == e.country) {
            Some(x) => {
                if e.weight > x.weight {
                    *x = e;
                }
            }
            None => out.push(e),
        }
    }
    out
}

/// Known-organisation identifiers read from the purl: npm scope and name, Maven groupId, Go module
/// path, PyPI and crates.io names, Hugging Face namespace, GitHub owner of github purls.
fn identifiers(kb: &KnowledgeBase, c: &Component, ev: &mut Vec<Evidence>) {
    let w = kb.w();
    let ns = c.namespace.as_deref().unwrap_or("");
    let name = c.name.as_str();
    let kind = EvidenceKind::KnownOrganisation;
    match c.ecosystem {
        Ecosystem::Npm => {
            let scope = ns.trim_start_matches('@').to_lowercase();
            if !scope.is_empty() {
                for r in kb.npm_scopes.get(&scope).into_iter().flatten() {
                    ev.push(org_evidence(kb, kind, format!("npm scope @{scope}"), *r, w.registry_namespace));
                }
            } else {
                let n = name.to_lowercase();
                names(kb, &kb.npm_names, &kb.npm_globs, &n, "npm package", ev);
            }
        }
        Ecosystem::Maven => {
            let group = ns.to_lowercase();
            if let Some((prefix, refs)) = kb.maven_prefix(&group) {
                for r in refs {
                    ev.push(org_evidence(
                        kb,
                        kind,
                        format!("Maven groupId {prefix}"),
                        *r,
                        w.registry_namespace,
                    ));
                }
            } else if let Some(owner) =
                group.strip_prefix("io.github.").or_else(|| group.strip_prefix("com.github."))
            {
                let owner = owner.split('.').next().unwrap_or("");
                github_owner(kb, owner, "Maven groupId io.github", ev);
            }
            let first = group.split('.').next().unwrap_or("");
            if let Some(cc) = country_tld(kb, first) {
                ev.push(weak(
                    EvidenceKind::WebDomain,
                    format!("Maven groupId {group} (first label .{first})"),
                    Some(cc.clone()),
                    w.maven_group_cctld,
                    format!("rules/origins/countries.tsv: .{first} is the ccTLD of {cc}; Maven Central verifies the domain behind a groupId"),
                ));
            }
        }
        Ecosystem::Golang => {
            let path = if ns.is_empty() { name.to_string() } else { format!("{ns}/{name}") };
            go_path(kb, &path, ev);
        }
        Ecosystem::Pypi => {
            let n = pypi_norm(name);
            names(kb, &kb.pypi_names, &kb.pypi_globs, &n, "PyPI project", ev);
        }
        Ecosystem::Cargo => {
            let n = name.to_lowercase();
            names(kb, &kb.crate_names, &kb.crate_globs, &n, "crate", ev);
        }
        Ecosystem::Huggingface => hf_namespace(kb, ns, name, ev),
        Ecosystem::Swift => {
            // purl namespace is the repository host and owner: github.com/apple
            go_path(kb, &format!("{ns}/{name}"), ev);
        }
        _ => {}
    }
    // github/gitlab/bitbucket purls (pkg:github/owner/repo) whatever ecosystem the resolver chose.
    if let Some(p) = &c.purl {
        for (ty, host) in [
            ("pkg:github/", "github.com"),
            ("pkg:gitlab/", "gitlab.com"),
            ("pkg:bitbucket/", "bitbucket.org"),
        ] {
            if let Some(rest) = p.strip_prefix(ty) {
                let owner = rest.split(['/', '@', '?']).next().unwrap_or("");
                host_owner(kb, host, owner, &format!("{ty}{owner}"), ev);
            }
        }
    }
}

fn names(
    kb: &KnowledgeBase,
    exact: &std::collections::HashMap<String, Vec<IdRef>>,
    globs: &[(String, IdRef)],
    n: &str,
    what: &str,
    ev: &mut Vec<Evidence>,
) {
    let w = kb.w();
    if let Some(refs) = exact.get(n) {
        for r in refs {
            ev.push(org_evidence(
                kb,
                EvidenceKind::KnownOrganisation,
                format!("{what} {n}"),
                *r,
                w.package_name,
            ));
        }
        return;
    }
    for (prefix, r) in glob_lookup(globs, n) {
        ev.push(org_evidence(
            kb,
            EvidenceKind::KnownOrganisation,
            format!("{what} {n} (pattern {prefix}*)"),
            r,
            w.package_glob,
        ));
    }
}

fn hf_namespace(kb: &KnowledgeBase, ns: &str, name: &str, ev: &mut Vec<Evidence>) {
    let w = kb.w();
    let lower = ns.to_lowercase();
    if kb.repackagers.contains(&lower) {
        ev.push(Evidence {
            kind: EvidenceKind::KnownOrganisation,
            value: format!("Hugging Face namespace {ns}"),
            country: None,
            weight: 0.0,
            source: "rules/origins/signals.yaml: hf_repackager_namespaces (conversions of other organisations' models; says nothing)".into(),
            weak: true,
            organisation: None,
            parent_country: None,
            facet: None,
        });
        // bartowski/Qwen_Qwen3-8B-GGUF: the original organisation is embedded before `_`.
        if let Some((orig, _)) = name.split_once('_') {
            for r in kb.huggingface.get(&orig.to_lowercase()).into_iter().flatten() {
                let e = org_evidence(
                    kb,
                    EvidenceKind::KnownOrganisation,
                    format!("Hugging Face model name {name} (original namespace {orig})"),
                    *r,
                    w.repackaged_model,
                );
                ev.push(weights_of_publisher(&e));
                ev.push(e);
            }
        }
        hub_model_families(kb, name, ev);
        return;
    }
    for (r, cross) in kb.model_namespace("huggingface", &lower) {
        let what = if cross { " (listed as its ModelScope namespace)" } else { "" };
        let e = org_evidence(
            kb,
            EvidenceKind::KnownOrganisation,
            format!("Hugging Face namespace {ns}{what}"),
            r,
            w.registry_namespace,
        );
        ev.push(weights_of_publisher(&e));
        ev.push(e);
    }
    hub_model_families(kb, name, ev);
}

/// A hub model's weights are its publisher's release (a base model named elsewhere adds its own country):
/// the organisation evidence again, for the weights facet.
fn weights_of_publisher(e: &Evidence) -> Evidence {
    let mut w = e.clone();
    w.value = format!("{} (publisher of the weights)", e.value);
    w.facet = Some(crate::model::Facet::Weights);
    w
}

/// The architecture a hub model's name names (`Qwen2.5-VL-7B-Instruct` → the Qwen family), for the
/// architecture facet only.
fn hub_model_families(kb: &KnowledgeBase, name: &str, ev: &mut Vec<Evidence>) {
    for fam in crate::provenance::families::families_in_name(name) {
        let Some(mut e) = crate::enrich::origin::people::model_family_evidence(kb, fam.representative())
        else {
            continue;
        };
        e.value = format!("model name {name} (family {})", fam.id);
        e.facet = Some(crate::model::Facet::Architecture);
        ev.push(e);
    }
}

/// A Go module path (or any `host/owner/...` path): the longest known prefix, else the host and owner.
fn go_path(kb: &KnowledgeBase, path: &str, ev: &mut Vec<Evidence>) {
    let w = kb.w();
    if let Some((prefix, refs)) = kb.go_prefix(path) {
        for r in refs {
            ev.push(org_evidence(
                kb,
                EvidenceKind::KnownOrganisation,
                format!("module path prefix {prefix}"),
                *r,
                w.registry_namespace,
            ));
        }
        return;
    }
    let mut parts = path.split('/');
    let host = parts.next().unwrap_or("").to_lowercase();
    let owner = parts.next().unwrap_or("");
    host_owner(kb, &host, owner, path, ev);
}

fn github_owner(kb: &KnowledgeBase, owner: &str, what: &str, ev: &mut Vec<Evidence>) {
    let lower = owner.to_lowercase();
    for r in kb.github.get(&lower).into_iter().flatten() {
        ev.push(org_evidence(
            kb,
            EvidenceKind::KnownOrganisation,
            format!("GitHub owner {owner} ({what})"),
            *r,
            kb.w().repository_owner,
        ));
    }
}

/// A repository on a code host: the owner when known, and the host's operator country when the host
/// is a national one.
fn host_owner(kb: &KnowledgeBase, host: &str, owner: &str, seen_in: &str, ev: &mut Vec<Evidence>) {
    let w = kb.w();
    if owner.is_empty() {
        return;
    }
    if host == "github.com" {
        github_owner(kb, owner, seen_in, ev);
        return;
    }
    let key = format!("{host}/{}", owner.to_lowercase());
    for r in kb.other_hosts.get(&key).into_iter().flatten() {
        ev.push(org_evidence(
            kb,
            EvidenceKind::KnownOrganisation,
            format!("repository owner {host}/{owner}"),
            *r,
            w.repository_owner,
        ));
    }
    if let Some(h) = kb.code_hosts.get(host) {
        if let Some(cc) = &h.country {
            ev.push(weak(
                EvidenceKind::CodeHost,
                host.to_string(),
                Some(cc.clone()),
                if h.strength == "weak" { w.national_code_host * 0.5 } else { w.national_code_host },
                format!("rules/origins/signals.yaml: code host operated by {} ({cc})", h.operator),
            ));
        }
    }
}

/// The host, owner and domain of a repository, homepage or download URL.
fn url_evidence(kb: &KnowledgeBase, raw: &str, download: bool, ev: &mut Vec<Evidence>) {
    let w = kb.w();
    let Some((host, path)) = split_url(raw) else { return };
    if in_set(&kb.mirrors, &host) {
        ev.push(Evidence {
            kind: EvidenceKind::CodeHost,
            value: host.clone(),
            country: None,
            weight: 0.0,
            source: "rules/origins/signals.yaml: mirrors_not_origin (where the build fetched from, not where the component comes from)".into(),
            weak: true,
            organisation: None,
            parent_country: None,
            facet: None,
        });
        return;
    }
    if download {
        return; // a registry download URL says nothing more than its mirror status
    }
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let owner = segs.first().copied().unwrap_or("");
    if let Some(hub) = kb.model_hubs.get(&host) {
        // huggingface.co/<ns>/<model>, modelscope.cn/models/<ns>/<model>
        let ns = if segs.first() == Some(&"models") { segs.get(1).copied().unwrap_or("") } else { owner };
        if host == "huggingface.co" {
            if let Some(model) = segs.get(1) {
                hf_namespace(kb, ns, model, ev);
            }
        } else if host == "modelscope.cn" {
            for (r, cross) in kb.model_namespace("modelscope", ns) {
                let what = if cross { " (listed as its Hugging Face namespace)" } else { "" };
                ev.push(org_evidence(
                    kb,
                    EvidenceKind::KnownOrganisation,
                    format!("ModelScope namespace {ns}{what}"),
                    r,
                    w.registry_namespace,
                ));
            }
        }
        if let Some(cc) = &hub.country {
            ev.push(weak(
                EvidenceKind::CodeHost,
                host.clone(),
                Some(cc.clone()),
                w.national_model_hub,
                format!("rules/origins/signals.yaml: model hub operated by {} ({cc})", hub.operator),
            ));
        }
        return;
    }
    if kb.code_hosts.contains_key(&host) || host == "gitlab.com" || host == "bitbucket.org" {
        host_owner(kb, &host, owner, raw, ev);
        return;
    }
    if let Some(user) = host.strip_suffix(".github.io") {
        github_owner(kb, user, "GitHub Pages site", ev);
        return;
    }
    if in_set(&kb.hosts_no_signal, &host) {
        return;
    }
    domain_evidence(kb, &host, EvidenceKind::WebDomain, ev);
}

/// A web site's host: an organisation's web domain, else its ccTLD (weak).
pub fn web_evidence(kb: &KnowledgeBase, host: &str, ev: &mut Vec<Evidence>) {
    if in_set(&kb.hosts_no_signal, host) {
        return;
    }
    domain_evidence(kb, host, EvidenceKind::WebDomain, ev);
}

/// Whether `host` or one of its parent domains is in the set (no allocation).
fn in_set(set: &std::collections::HashSet<String>, host: &str) -> bool {
    let mut h = host;
    loop {
        if set.contains(h) {
            return true;
        }
        match h.split_once('.') {
            Some((_, rest)) if rest.contains('.') => h = rest,
            _ => return false,
        }
    }
}

/// An organisation's domain, else the country of its ccTLD (weak).
pub(super) fn domain_evidence(kb: &KnowledgeBase, domain: &str, kind: EvidenceKind, ev: &mut Vec<Evidence>) {
    let w = kb.w();
    let (index, base) = if kind == EvidenceKind::EmailDomain {
        (&kb.email_domains, w.org_email_domain)
    } else {
        (&kb.web_domains, w.org_web_domain)
    };
    if let Some((d, refs)) = KnowledgeBase::domain_lookup(index, domain) {
        for r in refs {
            let what = if kind == EvidenceKind::EmailDomain { "e-mail domain" } else { "web domain" };
            ev.push(org_evidence(kb, kind, format!("{what} {d}"), *r, base));
        }
        return;
    }
    let labels: Vec<&str> = domain.rsplit('.').collect();
    let Some(tld) = labels.first() else { return };
    let Some(cc) = country_tld(kb, tld) else { return };
    let second = labels.get(1).map(|s| format!("{s}.{tld}"));
    let academic = second
        .as_ref()
        .is_some_and(|s| kb.second_level.contains(s) && (s.starts_with("edu.") || s.starts_with("ac.")));
    let weight = if academic { w.academic_domain } else { w.cctld };
    let zone = match &second {
        Some(s) if kb.second_level.contains(s) => s.clone(),
        _ => tld.to_string(),
    };
    ev.push(weak(
        kind,
        domain.to_string(),
        Some(cc.clone()),
        weight,
        format!("rules/origins/countries.tsv: .{zone} is a country-code domain of {cc}"),
    ));
}

/// The country of a ccTLD that carries one (not .io, .ai, .co, .me, .tv, .rs …).
pub fn country_tld(kb: &KnowledgeBase, tld: &str) -> Option<String> {
    if kb.generic_tlds.contains(tld) || kb.vanity_tlds.contains(tld) {
        return None;
    }
    kb.cctld.get(tld).cloned()
}

/// Host (lower case, no `www.`) and path of a URL in any of the forms manifests use: `https://`,
/// `git+https://`, `git@host:owner/repo`, `github:owner/repo`, `owner/repo` is not guessed.
pub fn split_url(raw: &str) -> Option<(String, String)> {
    let s = raw.trim();
    if s.len() > 2048 {
        return None;
    }
    let s = s.strip_prefix("git+").unwrap_or(s);
    for (short, host) in
        [("github:", "github.com"), ("gitlab:", "gitlab.com"), ("bitbucket:", "bitbucket.org")]
    {
        if let Some(rest) = s.strip_prefix(short) {
            return Some((host.to_string(), rest.to_string()));
        }
    }
    let (host, path) = if let Some(idx) = s.find("://") {
        let rest = &s[idx + 3..];
        let (auth, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = auth.rsplit('@').next().unwrap_or(auth);
        let host = host.split(':').next().unwrap_or(host);
        (host.to_string(), path.to_string())
    } else if let Some((user_host, path)) = s.split_once(':') {
        let host = user_host.rsplit('@').next()?;
        if !user_host.contains('@') || host.contains('/') {
            return None;
        }
        (host.to_string(), path.to_string())
    } else {
        return None;
    };
    let host = host.to_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).trim_end_matches('.').to_string();
    if host.is_empty() || !host.contains('.') {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or("").trim_end_matches(".git").to_string();
    Some((host, path))
}

/// The GitHub owners a component points at (repository, homepage, git source, github purl, Go path,
/// io.github groupId), lower-cased and deduplicated: what the online collector asks about.
pub fn github_owners(c: &Component) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |o: &str| {
        let o = o.to_lowercase();
        if !o.is_empty()
            && o.len() <= 39
            && o.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
            && !out.contains(&o)
        {
            out.push(o);
        }
    };
    let mut urls: Vec<&str> = Vec::new();
    urls.extend(c.repository.as_deref());
    urls.extend(c.homepage.as_deref());
    if let Some(SourceKind::Git { url, .. }) = &c.source {
        urls.push(url);
    }
    for u in urls {
        if let Some((host, path)) = split_url(u) {
            if host == "github.com" {
                push(path.split('/').find(|s| !s.is_empty()).unwrap_or(""));
            } else if let Some(user) = host.strip_suffix(".github.io") {
                push(user);
            }
        }
    }
    if let Some(rest) = c.purl.as_deref().and_then(|p| p.strip_prefix("pkg:github/")) {
        push(rest.split(['/', '@', '?']).next().unwrap_or(""));
    }
    let ns = c.namespace.as_deref().unwrap_or("");
    if matches!(c.ecosystem, Ecosystem::Golang | Ecosystem::Swift) {
        if let Some(rest) = ns.strip_prefix("github.com/") {
            push(rest.split('/').next().unwrap_or(""));
        }
    }
    if c.ecosystem == Ecosystem::Maven {
        let g = ns.to_lowercase();
        if let Some(o) = g.strip_prefix("io.github.").or_else(|| g.strip_prefix("com.github.")) {
            push(o.split('.').next().unwrap_or(""));
        }
    }
    out
}
