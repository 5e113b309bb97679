use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{Component, Diagnostic, Ecosystem, LicenseInfo, ProvenanceSummary};

/// How one component depends on another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EdgeKind {
    Normal,
    Dev,
    Build,
    Optional,
    Peer,
}

/// A dependency edge between two component ids.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
}

/// What was scanned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// A display name: the repository or directory name.
    pub name: String,
    /// The repository URL with credentials removed, when scanned from git.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The exact commit scanned, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The branch, tag or revision that was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The content digest (`sha256:…`) of the scanned directory, when it is not a git checkout: the
    /// subject's version then (docs/formats.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// Everything a scan found. Components are unique by id; edges refer to ids.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub subject: Subject,
    pub components: Vec<Component>,
    pub edges: Vec<Edge>,
    pub diagnostics: Vec<Diagnostic>,
    /// The licence of the scanned tree itself, from the licence texts at its root.
    #[serde(default, skip_serializing_if = "LicenseInfo::is_empty")]
    pub license: LicenseInfo,
    /// What the tree itself carries about the submission (own notices, history, skipped files).
    #[serde(default, skip_serializing_if = "ProvenanceSummary::is_empty")]
    pub provenance: ProvenanceSummary,
    /// Who made the SBOM, with a contact, in SPDX 2.3 creator form (`Organization: Name (mail or URL)`):
    /// `--creator` / `SOVEREIGN_CREATOR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<String>,
}

impl Inventory {
    /// Adds components, edges and diagnostics, merging components that share an id.
    pub fn extend(&mut self, components: Vec<Component>, edges: Vec<Edge>, diagnostics: Vec<Diagnostic>) {
        self.components.extend(components);
        self.edges.extend(edges);
        self.diagnostics.extend(diagnostics);
    }

    /// Puts the inventory in its canonical form: components merged by id and sorted, edges deduplicated
    /// and sorted (dangling edges dropped with a diagnostic), diagnostics sorted. Running it twice changes
    /// nothing; every writer calls it so output is deterministic.
    pub fn normalize(&mut self) {
        // In place (a stable sort, then each run of one id merged into its first record, in order), so a
        // large imported inventory is never held twice. The sort orders indices, then moves each record
        // at most once: a component is a large record, which a merge sort would move log n times.
        if !self.components.windows(2).all(|w| w[0].id <= w[1].id) {
            let mut order: Vec<usize> = (0..self.components.len()).collect();
            order.sort_by(|&a, &b| self.components[a].id.cmp(&self.components[b].id));
            permute(&mut self.components, &order);
        }
        self.components.dedup_by(|later, first| {
            if later.id != first.id {
                return false;
            }
            first.merge(std::mem::replace(later, Component::new(Ecosystem::Generic, "", None)));
            true
        });
        for c in &mut self.components {
            c.found_in.sort();
            c.hashes.sort();
            c.occurrences.sort();
            c.occurrences.dedup();
        }
        // Components are sorted by id now, and their ids unique: an edge's ends are known by their
        // positions, and edges sort by (from, to, kind) as those positions — the order of the ids
        // themselves — without comparing the ids' strings again and again.
        let position: HashMap<&str, u32> =
            self.components.iter().enumerate().map(|(i, c)| (c.id.as_str(), i as u32)).collect();
        let mut dangling = 0usize;
        let edges = std::mem::take(&mut self.edges);
        let mut keyed: Vec<(u32, u32, EdgeKind, usize)> = Vec::with_capacity(edges.len());
        for (k, e) in edges.iter().enumerate() {
            if e.from == e.to {
                continue;
            }
            match (position.get(e.from.as_str()), position.get(e.to.as_str())) {
                (Some(&from), Some(&to)) => keyed.push((from, to, e.kind, k)),
                _ => dangling += 1,
            }
        }
        keyed.sort_unstable();
        keyed.dedup_by_key(|&mut (from, to, kind, _)| (from, to, kind));
        let mut slots: Vec<Option<Edge>> = edges.into_iter().map(Some).collect();
        self.edges = keyed.iter().filter_map(|&(.., k)| slots[k].take()).collect();
        if dangling > 0 {
            self.diagnostics.push(Diagnostic::warning(
                "dangling-edge",
                format!(
                    "{dangling} dependency edge(s) named a component that was not found and were dropped"
                ),
            ));
        }
        self.diagnostics.sort();
        self.diagnostics.dedup();
    }

    pub fn component(&self, id: &str) -> Option<&Component> {
        self.components.binary_search_by(|c| c.id.as_str().cmp(id)).ok().map(|i| &self.components[i])
    }
}

/// Reorders `items` so that position `k` holds what was at `order[k]` (`order` a permutation), with at
/// most one swap per item.
fn permute<T>(items: &mut [T], order: &[usize]) {
    // Where each item goes; every swap puts one item at its place.
    let mut dest = vec![0usize; order.len()];
    for (k, &from) in order.iter().enumerate() {
        dest[from] = k;
    }
    for i in 0..items.len() {
        while dest[i] != i {
            let d = dest[i];
            items.swap(i, d);
            dest.swap(i, d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::permute;

    #[test]
    fn permute_puts_each_item_where_the_order_says() {
        for order in [vec![], vec![0], vec![1, 0], vec![2, 0, 1], vec![3, 1, 0, 2, 4], vec![4, 3, 2, 1, 0]] {
            let mut items: Vec<String> = (0..order.len()).map(|i| format!("item {i}")).collect();
            let expected: Vec<String> = order.iter().map(|&i| items[i].clone()).collect();
            permute(&mut items, &order);
            assert_eq!(items, expected, "{order:?}");
        }
    }
}
