//! Licence categories: `rules/licenses/categories.yaml` plus the categories of the AI model licences of
//! `rules/licenses/ai-models.yaml`, embedded in the binary and overridable by a user file.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock, RwLock};

use serde::Deserialize;

use super::ai::AiLicenses;
use super::RulesError;
use crate::model::LicenseCategory;

const BUILTIN: &str = include_str!("../../../rules/licenses/categories.yaml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoriesFile {
    version: u32,
    categories: BTreeMap<LicenseCategory, Vec<String>>,
}

/// A category for each licence id, looked up case-insensitively (SPDX ids are matched without case).
#[derive(Debug, Clone, Default)]
pub struct Categories {
    by_id: BTreeMap<String, LicenseCategory>,
}

impl Categories {
    /// The built-in table: categories.yaml and the AI model licences.
    pub fn builtin() -> Categories {
        let mut c = Categories::default();
        c.merge_yaml(BUILTIN, "rules/licenses/categories.yaml", false)
            .expect("the built-in categories.yaml is checked by the tests");
        for l in &AiLicenses::builtin().licenses {
            c.by_id.insert(l.id.to_ascii_lowercase(), l.category);
        }
        c
    }

    /// Adds (or, with `overriding`, replaces) entries from a categories file. Without `overriding`, an id
    /// listed twice is an error.
    pub fn merge_yaml(&mut self, text: &str, file: &str, overriding: bool) -> Result<(), RulesError> {
        let parsed: CategoriesFile = serde_yaml::from_str(text)
            .map_err(|e| RulesError::Parse { file: file.to_string(), message: e.to_string() })?;
        if parsed.version != 1 {
            return Err(RulesError::Parse {
                file: file.to_string(),
                message: format!("unsupported version `{}` (expected 1)", parsed.version),
            });
        }
        let mut seen = BTreeMap::new();
        for (cat, ids) in parsed.categories {
            for id in ids {
                let key = id.trim().to_ascii_lowercase();
                if let Some(prev) = seen.insert(key.clone(), cat) {
                    return Err(RulesError::Parse {
                        file: file.to_string(),
                        message: format!("`{id}` is listed under both {prev:?} and {cat:?}"),
                    });
                }
                if !overriding && self.by_id.contains_key(&key) {
                    return Err(RulesError::Parse {
                        file: file.to_string(),
                        message: format!("`{id}` is listed twice"),
                    });
                }
                self.by_id.insert(key, cat);
            }
        }
        Ok(())
    }

    /// The category of a licence id or LicenseRef, with or without a trailing `+`.
    pub fn get(&self, id: &str) -> Option<LicenseCategory> {
        let key = id.trim().to_ascii_lowercase();
        if let Some(c) = self.by_id.get(&key) {
            return Some(*c);
        }
        let base = key.strip_suffix('+')?;
        self.by_id.get(base.trim_end()).copied()
    }

    /// Every id with a category (lower-cased).
    pub fn ids(&self) -> impl Iterator<Item = (&str, LicenseCategory)> {
        self.by_id.iter().map(|(k, v)| (k.as_str(), *v))
    }
}

fn global() -> &'static RwLock<Arc<Categories>> {
    static TABLE: OnceLock<RwLock<Arc<Categories>>> = OnceLock::new();
    TABLE.get_or_init(|| RwLock::new(Arc::new(Categories::builtin())))
}

/// The table in use (built-in plus the user's overrides, if any).
pub fn current() -> Arc<Categories> {
    match global().read() {
        Ok(t) => t.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

/// Overrides entries of the built-in table with a user file of the same shape as categories.yaml.
pub fn load_user_file(text: &str, file: &str) -> Result<(), RulesError> {
    let mut table = (*current()).clone();
    table.merge_yaml(text, file, true)?;
    match global().write() {
        Ok(mut t) => *t = Arc::new(table),
        Err(poisoned) => *poisoned.into_inner() = Arc::new(table),
    }
    Ok(())
}

/// The category of a licence id or LicenseRef (`+` allowed; `WITH` exceptions are the caller's business).
pub fn category(id: &str) -> Option<LicenseCategory> {
    current().get(id)
}
