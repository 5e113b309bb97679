use std::collections::BTreeSet;

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
        // large imported inventory is never held twice.
        self.components.sort_by(|a, b| a.id.cmp(&b.id));
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
        let ids: BTreeSet<&str> = self.components.iter().map(|c| c.id.as_str()).collect();
        let mut edges = BTreeSet::new();
        let mut dangling = 0usize;
        for e in std::mem::take(&mut self.edges) {
            if ids.contains(e.from.as_str()) && ids.contains(e.to.as_str()) && e.from != e.to {
                edges.insert(e);
            } else if e.from != e.to {
                dangling += 1;
            }
        }
        self.edges = edges.into_iter().collect();
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
