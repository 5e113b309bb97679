//! The alias table (`rules/licenses/aliases.yaml`): licence strings seen in the wild and the SPDX
//! expression each means, plus the strings deliberately left unmapped because several licences fit.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::ai::AiLicenses;
use super::RulesError;

const BUILTIN: &str = include_str!("../../../rules/licenses/aliases.yaml");

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AliasFile {
    version: u32,
    #[serde(default)]
    names: BTreeMap<String, Option<String>>,
    #[serde(default)]
    classifiers: BTreeMap<String, Option<String>>,
    #[serde(default)]
    exceptions: BTreeMap<String, String>,
    #[serde(default)]
    urls: BTreeMap<String, Option<String>>,
    #[serde(default)]
    ambiguous: BTreeMap<String, String>,
}

/// What the table says about a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AliasHit {
    /// The string means this SPDX expression.
    Maps(String),
    /// The string is known and several licences fit: the reason.
    Ambiguous(String),
}

/// Aliases, looked up by a key made case-insensitive and white-space collapsed.
#[derive(Debug, Clone, Default)]
pub struct Aliases {
    names: BTreeMap<String, AliasHit>,
    exceptions: BTreeMap<String, String>,
    urls: BTreeMap<String, AliasHit>,
}

/// The lookup key of a name: lower case, white space collapsed, trimmed.
pub fn name_key(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The lookup key of a URL: no scheme, no `www.`, no trailing `/`, no fragment, lower case.
pub fn url_key(s: &str) -> String {
    let s = s.trim();
    let s = s.split_once("://").map(|(_, rest)| rest).unwrap_or(s);
    let s = s.split('#').next().unwrap_or(s);
    let s = s.strip_prefix("www.").unwrap_or(s);
    s.trim_end_matches('/').to_lowercase()
}

const AMBIGUOUS_DEFAULT: &str = "several licences fit this name";

impl Aliases {
    /// The built-in table, with the aliases of the AI model licences.
    pub fn builtin() -> &'static Aliases {
        static CELL: OnceLock<Aliases> = OnceLock::new();
        CELL.get_or_init(|| {
            let mut a = Aliases::default();
            a.merge_yaml(BUILTIN, "rules/licenses/aliases.yaml")
                .expect("the built-in aliases.yaml is checked by the tests");
            for l in &AiLicenses::builtin().licenses {
                for alias in l.aliases.iter().chain(std::iter::once(&l.name)) {
                    a.names.entry(name_key(alias)).or_insert_with(|| AliasHit::Maps(l.id.clone()));
                }
            }
            a
        })
    }

    /// Adds the entries of an alias file; later entries replace earlier ones (a user file overrides).
    pub fn merge_yaml(&mut self, text: &str, file: &str) -> Result<(), RulesError> {
        let f: AliasFile = serde_yaml::from_str(text)
            .map_err(|e| RulesError::Parse { file: file.to_string(), message: e.to_string() })?;
        if f.version != 1 {
            return Err(RulesError::Parse {
                file: file.to_string(),
                message: format!("unsupported version `{}` (expected 1)", f.version),
            });
        }
        let hit = |v: Option<String>| match v {
            Some(e) => AliasHit::Maps(e),
            None => AliasHit::Ambiguous(AMBIGUOUS_DEFAULT.to_string()),
        };
        for (k, v) in f.names.into_iter().chain(f.classifiers) {
            self.names.insert(name_key(&k), hit(v));
        }
        for (k, v) in f.exceptions {
            self.exceptions.insert(name_key(&k), v);
        }
        for (k, v) in f.urls {
            self.urls.insert(url_key(&k), hit(v));
        }
        for (k, why) in f.ambiguous {
            self.names.insert(name_key(&k), AliasHit::Ambiguous(why));
        }
        Ok(())
    }

    pub fn name(&self, s: &str) -> Option<&AliasHit> {
        self.names.get(&name_key(s))
    }

    /// A licence exception (the term after `WITH`).
    pub fn exception(&self, s: &str) -> Option<&str> {
        self.exceptions.get(&name_key(s)).map(String::as_str)
    }

    /// Every (key, exception id) pair.
    pub fn exception_entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.exceptions.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn url(&self, s: &str) -> Option<&AliasHit> {
        self.urls.get(&url_key(s))
    }

    /// Every (key, hit) pair of names and classifiers, then of URLs (for tests and docs).
    pub fn entries(&self) -> impl Iterator<Item = (&str, &AliasHit)> {
        self.names.iter().chain(self.urls.iter()).map(|(k, v)| (k.as_str(), v))
    }
}
