//! The origin knowledge base: organisations, hosts, e-mail providers, TLDs, model families and weights.
//!
//! The data lives in `rules/origins/` and is embedded with `include_str!`; it is parsed once
//! ([`KnowledgeBase::builtin`]). A user file (`--origin-rules`) adds organisations (its identifiers win)
//! and may change weights and the floor ([`KnowledgeBase::with_user_rules`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use serde::Deserialize;

// The YAML files as JSON, converted by build.rs (JSON parses about ten times faster; the YAML stays the
// source). Error messages still name the YAML file.
const ORGS: &str = include_str!(concat!(env!("OUT_DIR"), "/orgs.json"));
const SIGNALS: &str = include_str!(concat!(env!("OUT_DIR"), "/signals.json"));
const WEIGHTS: &str = include_str!(concat!(env!("OUT_DIR"), "/weights.json"));
const COUNTRIES: &str = include_str!("../../../rules/origins/countries.tsv");

/// Why a rules file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("cannot parse origin rules `{file}`: {message}")]
    Parse { file: String, message: String },
    #[error("origin rules `{file}`: {message}")]
    Invalid { file: String, message: String },
}

/// An identifier as the seed writes it: a bare string or `{id, uncertain, note}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum RawId {
    Plain(String),
    Marked {
        id: String,
        #[serde(default)]
        uncertain: bool,
        #[serde(default)]
        #[allow(dead_code)]
        note: Option<String>,
    },
}

impl RawId {
    fn parts(&self) -> (&str, bool) {
        match self {
            RawId::Plain(s) => (s.as_str(), false),
            RawId::Marked { id, uncertain, .. } => (id.as_str(), *uncertain),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
struct RawOrg {
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    country: String,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    parent_country: Option<String>,
    #[serde(default)]
    incorporated_in: Option<String>,
    #[serde(default)]
    github_orgs: Vec<RawId>,
    #[serde(default)]
    other_code_hosts: Vec<RawId>,
    #[serde(default)]
    huggingface_orgs: Vec<RawId>,
    #[serde(default)]
    modelscope_orgs: Vec<RawId>,
    #[serde(default)]
    npm_scopes: Vec<RawId>,
    #[serde(default)]
    npm_packages: Vec<RawId>,
    #[serde(default)]
    maven_group_prefixes: Vec<RawId>,
    #[serde(default)]
    go_module_prefixes: Vec<RawId>,
    #[serde(default)]
    pypi_packages: Vec<RawId>,
    #[serde(default)]
    crates: Vec<RawId>,
    #[serde(default)]
    web_domains: Vec<RawId>,
    #[serde(default)]
    email_domains: Vec<RawId>,
    #[serde(default)]
    #[allow(dead_code)]
    notes: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    uncertain: bool,
}

/// One organisation of the knowledge base.
#[derive(Debug, Clone)]
pub struct Org {
    pub name: String,
    pub country: String,
    pub kind: Option<String>,
    pub parent: Option<String>,
    pub parent_country: Option<String>,
    pub incorporated_in: Option<String>,
    /// The URL supporting the country fact.
    pub source: String,
    /// The country itself is debatable (seed `uncertain: true` on the record).
    pub uncertain: bool,
    /// The organisation's first web domain, as `https://domain`.
    pub url: Option<String>,
    /// Where the record comes from: `rules/origins/orgs.yaml` or the user file.
    pub file: String,
}

/// An identifier pointing at an organisation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IdRef {
    pub org: usize,
    pub uncertain: bool,
}

/// A code host or model hub and what hosting there says.
#[derive(Debug, Clone)]
pub struct HostInfo {
    pub country: Option<String>,
    pub operator: String,
    pub strength: String,
}

/// Evidence weights and the decision parameters (rules/origins/weights.yaml).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    pub registry_namespace: f64,
    pub package_name: f64,
    pub package_glob: f64,
    pub repository_owner: f64,
    pub repackaged_model: f64,
    pub org_email_domain: f64,
    pub org_web_domain: f64,
    pub org_name: f64,
    pub copyright_holder: f64,
    pub profile_company: f64,
    pub profile_location_country: f64,
    pub profile_location_city: f64,
    pub national_code_host: f64,
    pub national_model_hub: f64,
    pub consumer_email: f64,
    pub academic_domain: f64,
    pub cctld: f64,
    pub maven_group_cctld: f64,
    pub model_family: f64,
    pub model_reference: f64,
    pub uncertain_identifier: f64,
    pub uncertain_record: f64,
}

impl Weights {
    fn set(&mut self, key: &str, v: f64) -> bool {
        let slot = match key {
            "registry_namespace" => &mut self.registry_namespace,
            "package_name" => &mut self.package_name,
            "package_glob" => &mut self.package_glob,
            "repository_owner" => &mut self.repository_owner,
            "repackaged_model" => &mut self.repackaged_model,
            "org_email_domain" => &mut self.org_email_domain,
            "org_web_domain" => &mut self.org_web_domain,
            "org_name" => &mut self.org_name,
            "copyright_holder" => &mut self.copyright_holder,
            "profile_company" => &mut self.profile_company,
            "profile_location_country" => &mut self.profile_location_country,
            "profile_location_city" => &mut self.profile_location_city,
            "national_code_host" => &mut self.national_code_host,
            "national_model_hub" => &mut self.national_model_hub,
            "consumer_email" => &mut self.consumer_email,
            "academic_domain" => &mut self.academic_domain,
            "cctld" => &mut self.cctld,
            "maven_group_cctld" => &mut self.maven_group_cctld,
            "model_family" => &mut self.model_family,
            "model_reference" => &mut self.model_reference,
            "uncertain_identifier" => &mut self.uncertain_identifier,
            "uncertain_record" => &mut self.uncertain_record,
            _ => return false,
        };
        *slot = v;
        true
    }
}

#[derive(Debug, Deserialize)]
struct RawWeights {
    floor: f64,
    conflict_penalty: f64,
    weights: Weights,
}

#[derive(Debug, Deserialize)]
struct RawHost {
    host: String,
    country: Option<String>,
    #[serde(default)]
    operator: String,
    #[serde(default)]
    strength: String,
}

#[derive(Debug, Deserialize)]
struct RawFamily {
    model_type: Vec<String>,
    developer: String,
    country: String,
}

#[derive(Debug, Deserialize)]
struct RawSignals {
    code_hosts: Vec<RawHost>,
    model_hubs: Vec<RawHost>,
    mirrors_not_origin: Vec<String>,
    consumer_email_domains: BTreeMap<String, Vec<String>>,
    global_email_domains_no_signal: Vec<String>,
    generic_cctlds: Vec<String>,
    vanity_cctlds_weak: Vec<String>,
    model_type_families: Vec<RawFamily>,
    hf_repackager_namespaces: Vec<String>,
    second_level_suffixes: Vec<String>,
    hosts_no_signal: Vec<String>,
}

/// A user rules file (`--origin-rules`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserRules {
    #[serde(default)]
    floor: Option<f64>,
    #[serde(default)]
    conflict_penalty: Option<f64>,
    #[serde(default)]
    weights: BTreeMap<String, f64>,
    #[serde(default)]
    organisations: Vec<RawOrg>,
}

type Index = HashMap<String, Vec<IdRef>>;

pub use super::normalise::{glob_lookup, name_norm, pypi_norm};
use super::normalise::{has_non_latin, SINGLE_WORD_ALIASES};

/// The parsed, indexed knowledge base.
#[derive(Debug, Clone, Default)]
pub struct KnowledgeBase {
    pub orgs: Vec<Org>,
    pub github: Index,
    pub other_hosts: Index,
    pub huggingface: Index,
    pub modelscope: Index,
    pub npm_scopes: Index,
    pub npm_names: Index,
    pub npm_globs: Vec<(String, IdRef)>,
    pub maven: Index,
    pub go: Index,
    pub pypi_names: Index,
    pub pypi_globs: Vec<(String, IdRef)>,
    pub crate_names: Index,
    pub crate_globs: Vec<(String, IdRef)>,
    pub web_domains: Index,
    pub email_domains: Index,
    pub names: Index,
    /// Multi-word names without their spaces (`zhipuai`, `huggingface`), for holders written that way.
    pub names_compact: Index,
    /// Organisation display name -> index in `orgs`.
    pub org_by_name: HashMap<String, usize>,
    pub code_hosts: HashMap<String, HostInfo>,
    pub model_hubs: HashMap<String, HostInfo>,
    pub mirrors: HashSet<String>,
    pub consumer_email: HashMap<String, String>,
    /// Consumer domains written as a pattern (`ms*.hinet.net`): (prefix, suffix, country).
    pub consumer_email_patterns: Vec<(String, String, String)>,
    pub global_email: HashSet<String>,
    pub generic_tlds: HashSet<String>,
    pub vanity_tlds: HashSet<String>,
    pub second_level: HashSet<String>,
    pub hosts_no_signal: HashSet<String>,
    /// ccTLD -> country (every ISO country with a TLD).
    pub cctld: HashMap<String, String>,
    pub countries: HashSet<String>,
    pub country_names: HashMap<String, String>,
    /// transformers `model_type` -> (developer, country).
    pub model_types: HashMap<String, (String, String)>,
    pub repackagers: HashSet<String>,
    pub weights: Option<Weights>,
    pub floor: f64,
    pub conflict_penalty: f64,
}

impl KnowledgeBase {
    /// The built-in knowledge base, parsed once.
    pub fn builtin() -> &'static KnowledgeBase {
        static KB: OnceLock<KnowledgeBase> = OnceLock::new();
        KB.get_or_init(|| {
            KnowledgeBase::build(None).expect("the embedded rules/origins data is valid (tested)")
        })
    }

    /// The built-in knowledge base extended by a user rules file (YAML text).
    pub fn with_user_rules(text: &str, file: &str) -> Result<KnowledgeBase, RulesError> {
        KnowledgeBase::build(Some((text, file)))
    }

    fn build(user: Option<(&str, &str)>) -> Result<KnowledgeBase, RulesError> {
        let parse = |file: &str, e: &dyn std::fmt::Display| RulesError::Parse {
            file: file.to_string(),
            message: e.to_string(),
        };
        let mut kb = KnowledgeBase::default();
        for line in COUNTRIES.lines().filter(|l| !l.starts_with('#')) {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() == 4 {
                kb.countries.insert(cols[0].to_string());
                kb.country_names.insert(cols[0].to_string(), cols[3].to_string());
                if !cols[2].is_empty() {
                    kb.cctld.insert(cols[2].to_string(), cols[0].to_string());
                }
            }
        }
        let w: RawWeights =
            serde_json::from_str(WEIGHTS).map_err(|e| parse("rules/origins/weights.yaml", &e))?;
        kb.floor = w.floor;
        kb.conflict_penalty = w.conflict_penalty;
        kb.weights = Some(w.weights);
        let sig: RawSignals =
            serde_json::from_str(SIGNALS).map_err(|e| parse("rules/origins/signals.yaml", &e))?;
        kb.load_signals(sig);
        let orgs: Vec<RawOrg> =
            serde_json::from_str(ORGS).map_err(|e| parse("rules/origins/orgs.yaml", &e))?;
        for o in orgs {
            kb.add_org(o, "rules/origins/orgs.yaml", false)?;
        }
        if let Some((text, file)) = user {
            let u: UserRules = serde_yaml::from_str(text).map_err(|e| parse(file, &e))?;
            let invalid = |m: String| RulesError::Invalid { file: file.to_string(), message: m };
            if let Some(f) = u.floor {
                if !(0.0..=1.0).contains(&f) {
                    return Err(invalid(format!("`floor` must be between 0 and 1, not {f}")));
                }
                kb.floor = f;
            }
            if let Some(p) = u.conflict_penalty {
                if !(0.0..=1.0).contains(&p) {
                    return Err(invalid(format!("`conflict_penalty` must be between 0 and 1, not {p}")));
                }
                kb.conflict_penalty = p;
            }
            for (k, v) in u.weights {
                if !(0.0..=1.0).contains(&v) {
                    return Err(invalid(format!("weight `{k}` must be between 0 and 1, not {v}")));
                }
                let ok = kb.weights.as_mut().is_some_and(|w| w.set(&k, v));
                if !ok {
                    return Err(invalid(format!("unknown weight `{k}`")));
                }
            }
            for o in u.organisations {
                kb.add_org(o, file, true)?;
            }
        }
        Ok(kb)
    }

    /// The evidence weights.
    pub fn w(&self) -> &Weights {
        self.weights.as_ref().expect("weights are always loaded")
    }

    fn load_signals(&mut self, sig: RawSignals) {
        for h in sig.code_hosts {
            self.code_hosts.insert(
                h.host.to_lowercase(),
                HostInfo { country: h.country, operator: h.operator, strength: h.strength },
            );
        }
        for h in sig.model_hubs {
            self.model_hubs.insert(
                h.host.to_lowercase(),
                HostInfo { country: h.country, operator: h.operator, strength: h.strength },
            );
        }
        self.mirrors = sig.mirrors_not_origin.into_iter().map(|s| s.to_lowercase()).collect();
        for (cc, domains) in sig.consumer_email_domains {
            for d in domains {
                let d = d.to_lowercase();
                match d.split_once('*') {
                    Some((pre, post)) => {
                        self.consumer_email_patterns.push((pre.to_string(), post.to_string(), cc.clone()))
                    }
                    None => {
                        self.consumer_email.insert(d, cc.clone());
                    }
                }
            }
        }
        self.global_email =
            sig.global_email_domains_no_signal.into_iter().map(|s| s.to_lowercase()).collect();
        self.generic_tlds = sig.generic_cctlds.into_iter().collect();
        self.vanity_tlds = sig.vanity_cctlds_weak.into_iter().collect();
        self.second_level = sig.second_level_suffixes.into_iter().collect();
        self.hosts_no_signal = sig.hosts_no_signal.into_iter().map(|s| s.to_lowercase()).collect();
        for f in sig.model_type_families {
            for t in f.model_type {
                self.model_types.insert(t.to_lowercase(), (f.developer.clone(), f.country.clone()));
            }
        }
        self.repackagers = sig.hf_repackager_namespaces.into_iter().map(|s| s.to_lowercase()).collect();
    }

    fn add_org(&mut self, o: RawOrg, file: &str, user: bool) -> Result<(), RulesError> {
        let invalid = |m: String| RulesError::Invalid { file: file.to_string(), message: m };
        for cc in std::iter::once(&o.country).chain(o.parent_country.iter()).chain(o.incorporated_in.iter()) {
            if !self.countries.contains(cc) {
                return Err(invalid(format!(
                    "organisation `{}`: `{cc}` is not an ISO 3166-1 alpha-2 code",
                    o.name
                )));
            }
        }
        let Some(source) = o.source.clone().filter(|s| !s.trim().is_empty()) else {
            return Err(invalid(format!("organisation `{}` has no `source` for its country", o.name)));
        };
        let idx = self.orgs.len();
        self.org_by_name.insert(o.name.clone(), idx);
        let url = o.web_domains.first().map(|d| format!("https://{}", d.parts().0));
        self.orgs.push(Org {
            name: o.name.clone(),
            country: o.country.clone(),
            kind: o.kind.clone(),
            parent: o.parent.clone(),
            parent_country: o.parent_country.clone(),
            incorporated_in: o.incorporated_in.clone(),
            source,
            uncertain: o.uncertain,
            url,
            file: file.to_string(),
        });
        let put = |index: &mut Index, key: String, uncertain: bool| {
            let r = IdRef { org: idx, uncertain };
            let slot = index.entry(key).or_default();
            if user {
                slot.retain(|x| x.org >= idx); // a user record replaces built-in mappings
            }
            if !slot.contains(&r) {
                slot.push(r);
            }
        };
        let lower = |s: &str| s.trim().to_lowercase();
        for id in &o.github_orgs {
            let (s, u) = id.parts();
            put(&mut self.github, lower(s), u);
        }
        for id in &o.other_code_hosts {
            let (s, u) = id.parts();
            put(&mut self.other_hosts, lower(s).trim_end_matches('/').to_string(), u);
        }
        for id in &o.huggingface_orgs {
            let (s, u) = id.parts();
            put(&mut self.huggingface, lower(s), u);
        }
        for id in &o.modelscope_orgs {
            let (s, u) = id.parts();
            put(&mut self.modelscope, lower(s), u);
        }
        for id in &o.npm_scopes {
            let (s, u) = id.parts();
            put(&mut self.npm_scopes, lower(s).trim_start_matches('@').to_string(), u);
        }
        for id in &o.maven_group_prefixes {
            let (s, u) = id.parts();
            put(&mut self.maven, lower(s), u);
        }
        for id in &o.go_module_prefixes {
            let (s, u) = id.parts();
            put(&mut self.go, lower(s).trim_end_matches('/').to_string(), u);
        }
        for id in &o.web_domains {
            let (s, u) = id.parts();
            put(&mut self.web_domains, lower(s), u);
        }
        for id in &o.email_domains {
            let (s, u) = id.parts();
            put(&mut self.email_domains, lower(s), u);
        }
        for (ids, names, globs, norm) in [
            (&o.npm_packages, &mut self.npm_names, &mut self.npm_globs, lower as fn(&str) -> String),
            (&o.pypi_packages, &mut self.pypi_names, &mut self.pypi_globs, pypi_norm as fn(&str) -> String),
            (&o.crates, &mut self.crate_names, &mut self.crate_globs, lower as fn(&str) -> String),
        ] {
            for id in ids {
                let (s, u) = id.parts();
                match s.strip_suffix('*') {
                    Some(prefix) => globs.push((norm(prefix), IdRef { org: idx, uncertain: u })),
                    None => put(names, norm(s), u),
                }
            }
        }
        let primary = o.name.split(" (").next().unwrap_or(&o.name).to_string();
        put(&mut self.names, name_norm(&primary), false);
        let compact =
            |n: &str| n.contains(' ').then(|| n.replace(' ', "")).filter(|c| c.chars().count() >= 6);
        if let Some(c) = compact(&name_norm(&primary)) {
            put(&mut self.names_compact, c, false);
        }
        for a in &o.aliases {
            let n = name_norm(a);
            let usable = has_non_latin(a) || n.contains(' ') || SINGLE_WORD_ALIASES.contains(&n.as_str());
            if usable && n.chars().count() >= 2 {
                if let Some(c) = compact(&n) {
                    put(&mut self.names_compact, c, false);
                }
                put(&mut self.names, n, false);
            }
        }
        Ok(())
    }

    pub fn org(&self, r: IdRef) -> &Org {
        &self.orgs[r.org]
    }

    /// Longest prefix of a Maven groupId (at `.` boundaries) known to the base.
    /// The organisations behind a model-hub namespace (`hub` is `huggingface` or `modelscope`): the
    /// hub's own listing, else the other hub's listing of the same namespace (organisations publish under
    /// one name on both hubs), so that `modelscope.cn/models/ORG/NAME` and the Hugging Face id
    /// `ORG/NAME` give the same answer. The flag says the answer came from the other hub.
    pub fn model_namespace(&self, hub: &str, ns: &str) -> Vec<(IdRef, bool)> {
        let key = ns.trim().to_lowercase();
        let (own, other) = if hub == "modelscope" {
            (&self.modelscope, &self.huggingface)
        } else {
            (&self.huggingface, &self.modelscope)
        };
        match own.get(&key) {
            Some(refs) => refs.iter().map(|r| (*r, false)).collect(),
            None => other.get(&key).into_iter().flatten().map(|r| (*r, true)).collect(),
        }
    }

    pub fn maven_prefix(&self, group: &str) -> Option<(&str, &[IdRef])> {
        longest_prefix(&self.maven, &group.to_lowercase(), '.')
    }

    /// Longest prefix of a Go module path (at `/` boundaries) known to the base.
    pub fn go_prefix(&self, path: &str) -> Option<(&str, &[IdRef])> {
        longest_prefix(&self.go, &path.to_lowercase(), '/')
    }

    /// An organisation domain matching `domain` or one of its parents (label boundary).
    pub fn domain_lookup<'a>(index: &'a Index, domain: &str) -> Option<(&'a str, &'a [IdRef])> {
        let mut d = domain;
        loop {
            if let Some((k, v)) = index.get_key_value(d) {
                return Some((k.as_str(), v.as_slice()));
            }
            d = d.split_once('.')?.1;
            if !d.contains('.') {
                return None;
            }
        }
    }
}

fn longest_prefix<'a>(index: &'a Index, key: &str, sep: char) -> Option<(&'a str, &'a [IdRef])> {
    let mut k = key;
    loop {
        if let Some((kk, v)) = index.get_key_value(k) {
            return Some((kk.as_str(), v.as_slice()));
        }
        k = &k[..k.rfind(sep)?];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_loads_and_is_consistent() {
        let kb = KnowledgeBase::builtin();
        assert_eq!(kb.orgs.len(), 253);
        assert!(kb.orgs.iter().all(|o| o.source.starts_with("https://")));
        // No identifier points at two organisations with different countries.
        for (name, index) in [
            ("github", &kb.github),
            ("huggingface", &kb.huggingface),
            ("modelscope", &kb.modelscope),
            ("npm", &kb.npm_scopes),
            ("maven", &kb.maven),
            ("go", &kb.go),
            ("pypi", &kb.pypi_names),
            ("crates", &kb.crate_names),
            ("web", &kb.web_domains),
            ("email", &kb.email_domains),
        ] {
            for (k, refs) in index {
                let cs: HashSet<&str> = refs.iter().map(|r| kb.org(*r).country.as_str()).collect();
                assert_eq!(cs.len(), 1, "{name} identifier `{k}` maps to countries {cs:?}");
            }
        }
        assert_eq!(kb.cctld.get("kr").map(String::as_str), Some("KR"));
        assert_eq!(kb.cctld.get("uk").map(String::as_str), Some("GB"));
        assert!(kb.cctld.len() > 240, "{}", kb.cctld.len());
        assert!(kb.generic_tlds.contains("io"));
        assert_eq!(kb.model_types.get("qwen2").map(|x| x.1.as_str()), Some("CN"));
    }

    #[test]
    fn prefixes_and_globs() {
        let kb = KnowledgeBase::builtin();
        assert_eq!(kb.maven_prefix("com.alibaba.nacos").unwrap().0, "com.alibaba");
        assert!(kb.maven_prefix("com.alibabax").is_none());
        assert_eq!(kb.go_prefix("google.golang.org/grpc/codes").unwrap().0, "google.golang.org/grpc");
        assert_eq!(kb.go_prefix("google.golang.org/protobuf").unwrap().0, "google.golang.org");
        assert_eq!(glob_lookup(&kb.pypi_globs, "azure-storage-blob").len(), 1);
        assert_eq!(pypi_norm("Flag_Embedding.x"), "flag-embedding-x");
        assert_eq!(name_norm("Microsoft Corporation"), "microsoft");
        assert_eq!(name_norm("Alibaba Group Holding Ltd."), "alibaba group holding");
    }

    #[test]
    fn user_rules_extend_and_validate() {
        let text = "floor: 0.7\nweights: {cctld: 0.3}\norganisations:\n  - name: Acme\n    country: KR\n    github_orgs: [acme-corp, alibaba]\n    source: https://example.invalid/acme\n";
        let kb = KnowledgeBase::with_user_rules(text, "mine.yaml").unwrap();
        assert_eq!(kb.floor, 0.7);
        assert_eq!(kb.w().cctld, 0.3);
        let r = kb.github["acme-corp"][0];
        assert_eq!(kb.org(r).country, "KR");
        // The user's mapping replaces the built-in one.
        assert_eq!(kb.github["alibaba"].len(), 1);
        assert_eq!(kb.org(kb.github["alibaba"][0]).name, "Acme");
        for bad in [
            "organisations:\n  - {name: X, country: XX, source: https://x}\n",
            "organisations:\n  - {name: X, country: KR}\n",
            "weights: {nonsense: 0.2}\n",
            "floor: 3\n",
            "organisations: [",
        ] {
            assert!(KnowledgeBase::with_user_rules(bad, "bad.yaml").is_err(), "{bad}");
        }
    }
}
