//! `sovereign diff OLD NEW`: what changed between two inventories.
//!
//! Components are matched by package identity (ecosystem, namespace, name), not by id, so a new version of
//! a package is an upgrade rather than one removal and one addition. When a package has several versions
//! on one side (Cargo allows it), versions present on both sides are unchanged, and the remaining old and
//! new versions are paired in version order; what is left over is added or removed. For every matched
//! pair, licence (concluded, else declared) and origin country are compared. docs/diff.md has the details.

mod render;

pub use render::{render, DiffFormat};

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Component, Inventory};

/// One side of a change: a component as the report names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub id: String,
    pub ecosystem: String,
    /// `namespace/name`, or the name.
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Concluded licence, else declared; `None` is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// ISO 3166-1 alpha-2; `None` is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A package whose version changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionChange {
    pub name: String,
    pub ecosystem: String,
    pub from: Entry,
    pub to: Entry,
}

/// A licence or origin that changed for a matched component (same or different version).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueChange {
    pub name: String,
    pub ecosystem: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_version: Option<String>,
    /// `None` is unknown.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Everything that differs; every list is sorted.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Diff {
    pub added: Vec<Entry>,
    pub removed: Vec<Entry>,
    pub upgraded: Vec<VersionChange>,
    pub downgraded: Vec<VersionChange>,
    /// Versions that are not comparable (a git commit for a release, for instance).
    pub version_changed: Vec<VersionChange>,
    pub license_changes: Vec<ValueChange>,
    pub origin_changes: Vec<ValueChange>,
}

/// The kinds of change `--fail-on` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum ChangeKind {
    /// Any change at all.
    Any,
    Added,
    Removed,
    /// Upgrades, downgrades and other version changes.
    Version,
    Upgraded,
    Downgraded,
    License,
    Origin,
    /// Never fail.
    None,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.count(ChangeKind::Any) == 0
    }

    /// How many changes of one kind.
    pub fn count(&self, kind: ChangeKind) -> usize {
        match kind {
            ChangeKind::Any => {
                self.added.len()
                    + self.removed.len()
                    + self.count(ChangeKind::Version)
                    + self.license_changes.len()
                    + self.origin_changes.len()
            }
            ChangeKind::Added => self.added.len(),
            ChangeKind::Removed => self.removed.len(),
            ChangeKind::Version => self.upgraded.len() + self.downgraded.len() + self.version_changed.len(),
            ChangeKind::Upgraded => self.upgraded.len(),
            ChangeKind::Downgraded => self.downgraded.len(),
            ChangeKind::License => self.license_changes.len(),
            ChangeKind::Origin => self.origin_changes.len(),
            ChangeKind::None => 0,
        }
    }

    /// Whether any of the selected kinds of change occurred (the `--fail-on` test).
    pub fn fails(&self, on: &[ChangeKind]) -> bool {
        on.iter().any(|k| self.count(*k) > 0)
    }
}

type Key = (String, String);

fn key(c: &Component) -> Key {
    let eco = c.ecosystem.as_str();
    let name = qualified_name(c);
    // Older SBOMs (and other tools) lowercased Go module paths and npm names: match both spellings.
    if crate::model::purl::keeps_case(eco) {
        (eco.to_string(), name.to_ascii_lowercase())
    } else {
        (eco.to_string(), name)
    }
}

fn qualified_name(c: &Component) -> String {
    match &c.namespace {
        Some(ns) => format!("{ns}/{}", c.name),
        None => c.name.clone(),
    }
}

fn entry(c: &Component) -> Entry {
    let lic = c.license.concluded.as_ref().or(c.license.declared.as_ref());
    Entry {
        id: c.id.clone(),
        ecosystem: c.ecosystem.as_str().to_string(),
        name: qualified_name(c),
        version: c.version.clone().or_else(|| c.requirement.clone()),
        license: lic.map(|l| l.expression.clone()),
        country: c.origin.country.clone(),
    }
}

/// Compares two inventories.
pub fn diff(old: &Inventory, new: &Inventory) -> Diff {
    let mut groups: BTreeMap<Key, (Vec<&Component>, Vec<&Component>)> = BTreeMap::new();
    for c in &old.components {
        groups.entry(key(c)).or_default().0.push(c);
    }
    for c in &new.components {
        groups.entry(key(c)).or_default().1.push(c);
    }
    let mut d = Diff::default();
    for (_, (mut olds, mut news)) in groups {
        let ver = |c: &Component| c.version.clone().or_else(|| c.requirement.clone()).unwrap_or_default();
        // Versions on both sides are the same component.
        let mut pairs = Vec::new();
        olds.retain(|o| match news.iter().position(|n| ver(n) == ver(o)) {
            Some(i) => {
                pairs.push((*o, news.remove(i)));
                false
            }
            None => true,
        });
        olds.sort_by(|a, b| compare_versions(&ver(a), &ver(b)).unwrap_or_else(|| ver(a).cmp(&ver(b))));
        news.sort_by(|a, b| compare_versions(&ver(a), &ver(b)).unwrap_or_else(|| ver(a).cmp(&ver(b))));
        let n = olds.len().min(news.len());
        for (o, nw) in olds.iter().zip(&news).take(n) {
            let change = VersionChange {
                name: qualified_name(o),
                ecosystem: o.ecosystem.as_str().into(),
                from: entry(o),
                to: entry(nw),
            };
            match compare_versions(&ver(o), &ver(nw)) {
                Some(std::cmp::Ordering::Less) => d.upgraded.push(change),
                Some(std::cmp::Ordering::Greater) => d.downgraded.push(change),
                _ => d.version_changed.push(change),
            }
            pairs.push((o, nw));
        }
        d.removed.extend(olds[n..].iter().map(|c| entry(c)));
        d.added.extend(news[n..].iter().map(|c| entry(c)));
        for (o, nw) in pairs {
            let (eo, en) = (entry(o), entry(nw));
            let change = |from: Option<String>, to: Option<String>| ValueChange {
                name: eo.name.clone(),
                ecosystem: eo.ecosystem.clone(),
                from_version: eo.version.clone(),
                to_version: en.version.clone(),
                from,
                to,
            };
            if eo.license != en.license {
                d.license_changes.push(change(eo.license.clone(), en.license.clone()));
            }
            if eo.country != en.country {
                d.origin_changes.push(change(eo.country.clone(), en.country.clone()));
            }
        }
    }
    let by =
        |a: &Entry, b: &Entry| (&a.ecosystem, &a.name, &a.version).cmp(&(&b.ecosystem, &b.name, &b.version));
    d.added.sort_by(by);
    d.removed.sort_by(by);
    for v in [&mut d.upgraded, &mut d.downgraded, &mut d.version_changed] {
        v.sort_by(|a, b| by(&a.from, &b.from));
    }
    for v in [&mut d.license_changes, &mut d.origin_changes] {
        v.sort_by(|a, b| {
            (&a.ecosystem, &a.name, &a.from_version).cmp(&(&b.ecosystem, &b.name, &b.from_version))
        });
    }
    d
}

/// Orders two version strings the way release versions are ordered: dot-separated numeric parts
/// numerically (`1.10` > `1.9`), a pre-release (`1.0.0-rc.1`) before its release. `None` when either is
/// not a version of that shape (a commit hash, a date tag with letters, an empty string).
pub fn compare_versions(a: &str, b: &str) -> Option<std::cmp::Ordering> {
    let parse = |s: &str| -> Option<(Vec<u64>, Option<String>)> {
        let s = s.trim().trim_start_matches(['v', 'V']);
        let s = s.split('+').next()?;
        let (core, pre) = match s.split_once('-') {
            Some((c, p)) => (c, Some(p.to_string())),
            None => (s, None),
        };
        let nums: Option<Vec<u64>> = core.split('.').map(|p| p.parse().ok()).collect();
        let nums = nums?;
        (!nums.is_empty()).then_some((nums, pre))
    };
    let (an, ap) = parse(a)?;
    let (bn, bp) = parse(b)?;
    let len = an.len().max(bn.len());
    for i in 0..len {
        let (x, y) = (an.get(i).copied().unwrap_or(0), bn.get(i).copied().unwrap_or(0));
        if x != y {
            return Some(x.cmp(&y));
        }
    }
    Some(match (ap, bp) {
        (None, None) => std::cmp::Ordering::Equal,
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => compare_pre(&x, &y),
    })
}

/// SemVer pre-release precedence: dot-separated identifiers, numeric ones numerically and below
/// alphanumeric ones.
fn compare_pre(a: &str, b: &str) -> std::cmp::Ordering {
    let mut xs = a.split('.');
    let mut ys = b.split('.');
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => {
                let o = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(p), Ok(q)) => p.cmp(&q),
                    (Ok(_), Err(_)) => std::cmp::Ordering::Less,
                    (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
                    (Err(_), Err(_)) => x.cmp(y),
                };
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering::*;

    #[test]
    fn versions_order_like_releases() {
        assert_eq!(compare_versions("1.9.0", "1.10.0"), Some(Less));
        assert_eq!(compare_versions("1.0.0-rc.1", "1.0.0"), Some(Less));
        assert_eq!(compare_versions("1.0.0-alpha", "1.0.0-alpha.1"), Some(Less));
        assert_eq!(compare_versions("1.0.0-beta.11", "1.0.0-beta.2"), Some(Greater));
        assert_eq!(compare_versions("v2", "2.0.0"), Some(Equal));
        assert_eq!(compare_versions("2.0", "1.99.99"), Some(Greater));
        assert_eq!(compare_versions("abc123", "1.0"), None);
        assert_eq!(compare_versions("", "1.0"), None);
    }
}
