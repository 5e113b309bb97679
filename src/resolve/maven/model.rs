//! The effective model of a pom, as far as the repository alone can build it: the parent chain found in
//! the tree, inherited and interpolated properties, and the dependency management that supplies versions
//! (inherited sections and in-repo BOM imports).

use std::collections::BTreeMap;

use super::pom::Pom;
use crate::model::Location;
use crate::source::tree::join_rel;

/// The deepest parent chain followed (Maven itself has no limit; real projects use fewer than 10).
pub const MAX_PARENTS: usize = 32;
/// How deeply property values may refer to other properties.
const MAX_NESTING: usize = 16;

/// Why a value could not be interpolated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unresolved {
    /// `${name}` is defined nowhere in the repository (a parent outside it, settings, the command line).
    Property(String),
    /// The property refers to itself, directly or not, or nests too deeply.
    Cycle(String),
}

impl std::fmt::Display for Unresolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unresolved::Property(p) => write!(f, "property `${{{p}}}` is not defined in the repository"),
            Unresolved::Cycle(p) => write!(f, "property `${{{p}}}` refers to itself or nests too deeply"),
        }
    }
}

/// Replaces every `${name}` of `s` from `props`, recursively (bounded).
pub fn interpolate(s: &str, props: &BTreeMap<String, String>) -> Result<String, Unresolved> {
    interpolate_at(s, props, 0)
}

fn interpolate_at(s: &str, props: &BTreeMap<String, String>, depth: usize) -> Result<String, Unresolved> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(j) = after.find('}') else {
            out.push_str(&rest[i..]);
            return Ok(out);
        };
        let name = &after[..j];
        if depth >= MAX_NESTING {
            return Err(Unresolved::Cycle(name.to_string()));
        }
        match props.get(name) {
            Some(v) => out.push_str(&interpolate_at(v, props, depth + 1)?),
            None => return Err(Unresolved::Property(name.to_string())),
        }
        rest = &after[j + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A managed version and where it was declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Managed {
    pub version: Option<Result<String, (String, Unresolved)>>,
    pub scope: Option<String>,
    pub at: Location,
}

/// Key of a managed dependency: groupId, artifactId, type, classifier (Maven's management key).
pub type Key = (String, String, String, String);

pub fn key(g: &str, a: &str, type_: Option<&str>, classifier: Option<&str>) -> Key {
    (g.to_string(), a.to_string(), type_.unwrap_or("jar").to_string(), classifier.unwrap_or("").to_string())
}

/// What the repository says about one pom once inheritance is applied.
#[derive(Debug, Clone)]
pub struct Effective {
    /// Indices of the in-repo ancestors, nearest first.
    pub ancestors: Vec<usize>,
    /// Properties, built-ins included (`project.version`, `project.parent.version` …).
    pub props: BTreeMap<String, String>,
    pub group_id: Option<String>,
    pub version: Result<String, (String, Unresolved)>,
    pub managed: BTreeMap<Key, Managed>,
    /// Imported BOMs that are not in the repository (`g:a:v`), with the line that imports them.
    pub external_boms: Vec<(String, Location)>,
    /// The parent, when it is declared but not in the repository.
    pub external_parent: Option<String>,
}

/// Builds effective models for every pom, memoised; BOM import cycles and over-long parent chains stop.
pub struct Builder<'a> {
    pub poms: &'a [Pom],
    memo: Vec<Option<Effective>>,
    in_progress: Vec<bool>,
}

impl<'a> Builder<'a> {
    pub fn new(poms: &'a [Pom]) -> Self {
        Builder { poms, memo: vec![None; poms.len()], in_progress: vec![false; poms.len()] }
    }

    /// The in-repo pom a parent reference points at: the relative path first (default `../pom.xml`), then
    /// any pom of the tree with the same groupId and artifactId.
    pub fn find_parent(&self, i: usize) -> Option<usize> {
        let pom = &self.poms[i];
        let parent = pom.parent.as_ref()?;
        let matches = |j: usize| {
            let c = &self.poms[j];
            j != i
                && c.artifact_id == parent.artifact_id
                && c.group_id.as_deref().or(c.parent.as_ref().map(|p| p.group_id.as_str()))
                    == Some(parent.group_id.as_str())
        };
        let rel = parent.relative_path.clone().unwrap_or_else(|| "../pom.xml".into());
        if !rel.is_empty() {
            let target = join_rel(&pom.dir, &rel).map(|t| {
                if t.ends_with(".xml") {
                    t
                } else {
                    join_rel(&t, "pom.xml").unwrap_or(t)
                }
            });
            if let Some(j) = target.and_then(|t| self.poms.iter().position(|p| p.path == t)) {
                if matches(j) {
                    return Some(j);
                }
            }
        }
        (0..self.poms.len()).find(|&j| matches(j))
    }

    /// The pom of the tree with these coordinates (for BOM imports).
    fn find(&self, g: &str, a: &str) -> Option<usize> {
        (0..self.poms.len()).find(|&j| {
            let c = &self.poms[j];
            c.artifact_id == a
                && c.group_id.as_deref().or(c.parent.as_ref().map(|p| p.group_id.as_str())) == Some(g)
        })
    }

    pub fn effective(&mut self, i: usize) -> Effective {
        if let Some(e) = &self.memo[i] {
            return e.clone();
        }
        if self.in_progress[i] {
            // A BOM that imports itself through others: nothing more to add.
            return Effective {
                ancestors: Vec::new(),
                props: BTreeMap::new(),
                group_id: None,
                version: Err((String::new(), Unresolved::Cycle("import".into()))),
                managed: BTreeMap::new(),
                external_boms: Vec::new(),
                external_parent: None,
            };
        }
        self.in_progress[i] = true;
        let e = self.build(i);
        self.in_progress[i] = false;
        self.memo[i] = Some(e.clone());
        e
    }

    fn build(&mut self, i: usize) -> Effective {
        let poms = self.poms;
        let pom = &poms[i];
        // The in-repo parent chain, nearest first, without cycles.
        let mut ancestors = Vec::new();
        let mut cur = i;
        let mut external_parent = None;
        while ancestors.len() < MAX_PARENTS {
            match self.find_parent(cur) {
                Some(p) if p != i && !ancestors.contains(&p) => {
                    ancestors.push(p);
                    cur = p;
                }
                Some(_) => break,
                None => {
                    if let Some(pr) = &poms[cur].parent {
                        external_parent = Some(format!(
                            "{}:{}:{}",
                            pr.group_id,
                            pr.artifact_id,
                            pr.version.as_deref().unwrap_or("?")
                        ));
                    }
                    break;
                }
            }
        }
        // Properties: the farthest ancestor first, each nearer pom overriding.
        let mut props = BTreeMap::new();
        for &a in ancestors.iter().rev() {
            props.extend(poms[a].properties.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        props.extend(pom.properties.iter().map(|(k, v)| (k.clone(), v.clone())));
        let group_id = pom.group_id.clone().or_else(|| pom.parent.as_ref().map(|p| p.group_id.clone()));
        let raw_version = pom.version.clone().or_else(|| pom.parent.as_ref().and_then(|p| p.version.clone()));
        if let Some(g) = &group_id {
            for k in ["project.groupId", "pom.groupId", "groupId"] {
                props.insert(k.into(), g.clone());
            }
        }
        for k in ["project.artifactId", "pom.artifactId", "artifactId"] {
            props.insert(k.into(), pom.artifact_id.clone());
        }
        if let Some(v) = &raw_version {
            for k in ["project.version", "pom.version", "version"] {
                props.insert(k.into(), v.clone());
            }
        }
        if let Some(p) = &pom.parent {
            props.insert("project.parent.groupId".into(), p.group_id.clone());
            props.insert("project.parent.artifactId".into(), p.artifact_id.clone());
            if let Some(v) = &p.version {
                props.insert("project.parent.version".into(), v.clone());
            }
        }
        if let Some(p) = &pom.packaging {
            props.insert("project.packaging".into(), p.clone());
        }
        props.insert("project.basedir".into(), if pom.dir.is_empty() { ".".into() } else { pom.dir.clone() });
        let version = match &raw_version {
            Some(v) => interpolate(v, &props).map_err(|e| (v.clone(), e)),
            None => Err((String::new(), Unresolved::Property("project.version".into()))),
        };
        // Dependency management: inherited sections (interpolated in this pom's context, as Maven
        // interpolates after inheritance), nearer poms overriding; then imported BOMs, which never
        // override a declared entry.
        let mut managed: BTreeMap<Key, Managed> = BTreeMap::new();
        let mut imports = Vec::new();
        for &src in ancestors.iter().rev().chain(std::iter::once(&i)) {
            for d in &poms[src].managed {
                let g = interpolate(&d.group_id, &props).unwrap_or_else(|_| d.group_id.clone());
                let a = interpolate(&d.artifact_id, &props).unwrap_or_else(|_| d.artifact_id.clone());
                let at = Location::new(&poms[src].path, Some(d.line));
                let v = d.version.as_ref().map(|v| interpolate(v, &props).map_err(|e| (v.clone(), e)));
                if d.scope.as_deref() == Some("import") && d.type_.as_deref() == Some("pom") {
                    imports.push((g, a, v, at));
                    continue;
                }
                let k = key(&g, &a, d.type_.as_deref(), d.classifier.as_deref());
                managed.insert(k, Managed { version: v, scope: d.scope.clone(), at });
            }
        }
        let mut external_boms = Vec::new();
        for (g, a, v, at) in imports {
            let found = self.find(&g, &a).filter(|&j| j != i);
            let bom = found.map(|j| (j, self.effective(j)));
            match bom {
                Some((_, b)) if v.as_ref().is_none_or(|v| v.as_ref().ok() == b.version.as_ref().ok()) => {
                    for (k, m) in b.managed {
                        managed.entry(k).or_insert(m);
                    }
                }
                _ => {
                    let v = match v {
                        Some(Ok(v)) => v,
                        Some(Err((raw, _))) => raw,
                        None => "?".into(),
                    };
                    external_boms.push((format!("{g}:{a}:{v}"), at));
                }
            }
        }
        Effective { ancestors, props, group_id, version, managed, external_boms, external_parent }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_chains_cycles_and_missing() {
        let props: BTreeMap<String, String> = [
            ("a", "${b}.1"),
            ("b", "${c}-x"),
            ("c", "7"),
            ("loop1", "${loop2}"),
            ("loop2", "${loop1}"),
            ("self", "${self}"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(interpolate("v${a}/${c}", &props).unwrap(), "v7-x.1/7");
        assert!(matches!(interpolate("${loop1}", &props), Err(Unresolved::Cycle(_))));
        assert!(matches!(interpolate("${self}", &props), Err(Unresolved::Cycle(_))));
        assert_eq!(interpolate("${nope}", &props), Err(Unresolved::Property("nope".into())));
        assert_eq!(interpolate("plain ${unclosed", &props).unwrap(), "plain ${unclosed");
    }
}
