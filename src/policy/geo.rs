//! Countries (ISO 3166-1 alpha-2, `rules/countries.txt`) and named groups of countries
//! (`rules/groups.yaml`), both embedded at build time and parsed once.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

const COUNTRIES: &str = include_str!("../../rules/countries.txt");
const GROUPS: &str = include_str!("../../rules/groups.yaml");

/// A named group of countries, with the source of its membership.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub name: String,
    pub source: String,
    pub checked: String,
    pub members: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupsFile {
    groups: BTreeMap<String, Group>,
}

struct Tables {
    countries: BTreeMap<&'static str, &'static str>,
    groups: BTreeMap<String, Group>,
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let countries = COUNTRIES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| l.split_once(' '))
            .collect();
        // The file ships with the binary and a test checks it; an error here is a build defect.
        let groups = serde_yaml::from_str::<GroupsFile>(GROUPS).map(|g| g.groups).unwrap_or_default();
        Tables { countries, groups }
    })
}

/// The English short name of an assigned ISO 3166-1 alpha-2 code.
pub fn country_name(code: &str) -> Option<&'static str> {
    tables().countries.get(code).copied()
}

/// Whether `code` is an officially assigned ISO 3166-1 alpha-2 code (upper case).
pub fn is_country(code: &str) -> bool {
    country_name(code).is_some()
}

/// Every assigned code, sorted.
pub fn countries() -> impl Iterator<Item = &'static str> {
    tables().countries.keys().copied()
}

/// The canonical name of a group: upper case, spaces and underscores as hyphens (`five eyes` → `FIVE-EYES`).
pub fn group_key(name: &str) -> String {
    name.trim().to_ascii_uppercase().replace([' ', '_'], "-")
}

/// A group by name (any case).
pub fn group(name: &str) -> Option<(String, &'static Group)> {
    let key = group_key(name);
    tables().groups.get(&key).map(|g| (key, g))
}

/// Every group, by canonical name.
pub fn groups() -> &'static BTreeMap<String, Group> {
    &tables().groups
}

/// A set of countries as a bitset over the 26×26 two-letter codes: membership is one shift and one mask.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountrySet {
    bits: [u64; 11],
    /// The entries as the policy wrote them (countries and group names), for messages.
    pub entries: Vec<String>,
}

fn index(code: &str) -> Option<usize> {
    let b = code.as_bytes();
    if b.len() == 2 && b[0].is_ascii_uppercase() && b[1].is_ascii_uppercase() {
        Some((b[0] - b'A') as usize * 26 + (b[1] - b'A') as usize)
    } else {
        None
    }
}

impl CountrySet {
    pub fn insert(&mut self, code: &str) {
        if let Some(i) = index(code) {
            self.bits[i / 64] |= 1 << (i % 64);
        }
    }

    pub fn contains(&self, code: &str) -> bool {
        index(code).is_some_and(|i| self.bits[i / 64] & (1 << (i % 64)) != 0)
    }

    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|b| *b == 0)
    }

    /// The entries (as written) that contain `code`: `CN`, or `EU` for `DE`.
    pub fn matching_entries(&self, code: &str) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| *e == code || group(e).is_some_and(|(_, g)| g.members.iter().any(|m| m == code)))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load() {
        assert_eq!(countries().count(), 249);
        assert_eq!(country_name("KR"), Some("Korea, Republic of"));
        assert!(!is_country("EU") && !is_country("UK") && !is_country("cn"));
        for (key, g) in groups() {
            assert!(!is_country(key), "group `{key}` collides with a country code");
            for m in &g.members {
                assert!(is_country(m), "group `{key}`: `{m}` is not a country");
            }
        }
        assert_eq!(group("five eyes").unwrap().0, "FIVE-EYES");
    }

    #[test]
    fn bitset() {
        let mut s = CountrySet::default();
        assert!(s.is_empty());
        s.insert("ZW");
        s.insert("AD");
        assert!(s.contains("ZW") && s.contains("AD") && !s.contains("AE") && !s.contains("zw"));
    }
}
