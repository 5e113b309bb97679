use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{LicenseInfo, ModelFacts, Occurrence, Origin};

/// A package ecosystem, named as its Package URL type is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    Cargo,
    Npm,
    Pypi,
    Golang,
    Maven,
    Gem,
    Composer,
    Nuget,
    Swift,
    Pub,
    Conan,
    Vcpkg,
    Cocoapods,
    /// A git repository referenced directly (submodules, git dependencies of unknown type).
    Git,
    Huggingface,
    /// Anything else: vendored source trees, files.
    Generic,
}

impl Ecosystem {
    /// The name used in properties, policies and reports (the purl type).
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Cargo => "cargo",
            Ecosystem::Npm => "npm",
            Ecosystem::Pypi => "pypi",
            Ecosystem::Golang => "golang",
            Ecosystem::Maven => "maven",
            Ecosystem::Gem => "gem",
            Ecosystem::Composer => "composer",
            Ecosystem::Nuget => "nuget",
            Ecosystem::Swift => "swift",
            Ecosystem::Pub => "pub",
            Ecosystem::Conan => "conan",
            Ecosystem::Vcpkg => "vcpkg",
            Ecosystem::Cocoapods => "cocoapods",
            Ecosystem::Git => "git",
            Ecosystem::Huggingface => "huggingface",
            Ecosystem::Generic => "generic",
        }
    }
}

/// What a component is, as policies select it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentKind {
    Library,
    /// Something the scanned project itself builds (a workspace member, a reactor module).
    Application,
    MlModel,
    VendoredSource,
    Submodule,
}

impl ComponentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::Library => "library",
            ComponentKind::Application => "application",
            ComponentKind::MlModel => "ml-model",
            ComponentKind::VendoredSource => "vendored-source",
            ComponentKind::Submodule => "submodule",
        }
    }
}

/// When a component is needed. Ordered from the weakest claim to the strongest: when one component is
/// reached through several paths, the strongest scope wins (a crate that is both a dev and a runtime
/// dependency is a runtime dependency).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Documentation material of the tree (a `docs/` tree, `linguist-documentation`): kept in the SBOM,
    /// never shipped or run (docs/provenance.md, "Scope by path role").
    Docs,
    /// Examples, samples and demos of the tree: kept in the SBOM, not what the project runs.
    Example,
    /// Tests, fixtures, snapshots and benchmarks of the tree: kept in the SBOM, not what the project runs.
    Test,
    /// Only needed to develop or test the project.
    Dev,
    /// Only needed when an optional feature is enabled.
    Optional,
    /// Needed to build the project (build scripts, code generators), not shipped.
    Build,
    /// Shipped and executed.
    Runtime,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Docs => "docs",
            Scope::Example => "example",
            Scope::Test => "test",
            Scope::Dev => "dev",
            Scope::Optional => "optional",
            Scope::Build => "build",
            Scope::Runtime => "runtime",
        }
    }

    /// A scope given by where a file lies in the tree (test, example, docs), not by a manifest.
    pub fn is_path_role(self) -> bool {
        matches!(self, Scope::Docs | Scope::Example | Scope::Test)
    }
}

/// Where a component's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum SourceKind {
    /// A package registry; `url` is absent for the ecosystem's default registry.
    Registry { url: Option<String> },
    /// A git repository at an exact commit (when known) and the reference that was asked for.
    Git { url: String, commit: Option<String>, reference: Option<String> },
    /// A directory inside (or relative to) the scanned tree.
    Path { path: String },
    /// A direct download (tarball, wheel, file URL).
    Url { url: String },
    /// Part of the scanned tree itself (workspace members, vendored code).
    Local,
}

/// A hash algorithm, named as CycloneDX names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum HashAlg {
    #[serde(rename = "SHA-1")]
    Sha1,
    #[serde(rename = "SHA-256")]
    Sha256,
    #[serde(rename = "SHA-384")]
    Sha384,
    #[serde(rename = "SHA-512")]
    Sha512,
    #[serde(rename = "MD5")]
    Md5,
}

impl HashAlg {
    pub fn as_str(self) -> &'static str {
        match self {
            HashAlg::Sha1 => "SHA-1",
            HashAlg::Sha256 => "SHA-256",
            HashAlg::Sha384 => "SHA-384",
            HashAlg::Sha512 => "SHA-512",
            HashAlg::Md5 => "MD5",
        }
    }
}

/// A content hash, lower-case hex.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hash {
    pub alg: HashAlg,
    pub value: String,
}

/// A place in the scanned tree: a path relative to its root, with a line where known.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

impl Location {
    pub fn new(path: impl Into<String>, line: Option<u32>) -> Self {
        Location { path: path.into(), line }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.path, line),
            None => f.write_str(&self.path),
        }
    }
}

/// One thing the scanned software is made of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Component {
    /// Unique within an inventory; the purl when there is one. Used as the CycloneDX bom-ref.
    pub id: String,
    /// The Package URL, canonical form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    pub ecosystem: Ecosystem,
    /// Group, scope or namespace where the ecosystem has one (Maven groupId, npm scope without `@`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    /// The exact version, when one was resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The version requirement as declared, when no exact version could be resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirement: Option<String>,
    pub kind: ComponentKind,
    pub scope: Scope,
    /// Declared directly by one of the scanned project's own manifests.
    pub direct: bool,
    /// Manifests and lockfiles (with lines where known) that name this component.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub found_in: Vec<Location>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Hash>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
    #[serde(default, skip_serializing_if = "LicenseInfo::is_empty")]
    pub license: LicenseInfo,
    #[serde(default, skip_serializing_if = "Origin::is_empty")]
    pub origin: Origin,
    /// Ecosystem facts that have no typed field yet, written as `sovereign:<key>` properties.
    /// Keys are kebab-case and documented in docs/formats.md; this is not a place for data other
    /// stages read.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
    /// Where the provenance stage saw this component, and which rule matched (vendored code, models).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub occurrences: Vec<Occurrence>,
    /// Copyright notices found in the component's files, verbatim (trimmed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub copyrights: Vec<String>,
    /// For machine-learning models: what their files state (written as a CycloneDX modelCard).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelFacts>,
}

impl Component {
    /// A library component with every optional field empty.
    pub fn new(ecosystem: Ecosystem, name: impl Into<String>, version: Option<String>) -> Self {
        Component {
            id: String::new(),
            purl: None,
            ecosystem,
            namespace: None,
            name: name.into(),
            version,
            requirement: None,
            kind: ComponentKind::Library,
            scope: Scope::Runtime,
            direct: false,
            found_in: Vec::new(),
            hashes: Vec::new(),
            source: None,
            description: None,
            authors: Vec::new(),
            repository: None,
            homepage: None,
            license: LicenseInfo::default(),
            origin: Origin::default(),
            properties: BTreeMap::new(),
            occurrences: Vec::new(),
            copyrights: Vec::new(),
            model: None,
        }
    }

    /// Sets the purl and uses it as the id.
    pub fn with_purl(mut self, purl: String) -> Self {
        self.id = purl.clone();
        self.purl = Some(purl);
        self
    }

    /// A display name: `namespace/name@version`.
    pub fn display_name(&self) -> String {
        let mut s = String::new();
        if let Some(ns) = &self.namespace {
            s.push_str(ns);
            s.push('/');
        }
        s.push_str(&self.name);
        if let Some(v) = &self.version {
            s.push('@');
            s.push_str(v);
        }
        s
    }

    /// Folds another record of the same component (found through another manifest) into this one.
    pub fn merge(&mut self, other: Component) {
        self.scope = self.scope.max(other.scope);
        self.direct |= other.direct;
        if other.kind == ComponentKind::Application {
            self.kind = ComponentKind::Application;
        }
        for loc in other.found_in {
            if !self.found_in.contains(&loc) {
                self.found_in.push(loc);
            }
        }
        for h in other.hashes {
            if !self.hashes.contains(&h) {
                self.hashes.push(h);
            }
        }
        self.source = self.source.take().or(other.source);
        self.description = self.description.take().or(other.description);
        self.repository = self.repository.take().or(other.repository);
        self.homepage = self.homepage.take().or(other.homepage);
        self.requirement = self.requirement.take().or(other.requirement);
        if self.authors.is_empty() {
            self.authors = other.authors;
        }
        if self.license.is_empty() {
            self.license = other.license;
        }
        for (k, v) in other.properties {
            self.properties.entry(k).or_insert(v);
        }
        for o in other.occurrences {
            if !self.occurrences.contains(&o) {
                self.occurrences.push(o);
            }
        }
        for c in other.copyrights {
            if !self.copyrights.contains(&c) {
                self.copyrights.push(c);
            }
        }
        for e in other.origin.evidence {
            if !self.origin.evidence.contains(&e) {
                self.origin.evidence.push(e);
            }
        }
        match (&mut self.model, other.model) {
            (None, m) => self.model = m,
            (Some(mine), Some(theirs)) => mine.absorb(theirs),
            _ => {}
        }
    }
}
