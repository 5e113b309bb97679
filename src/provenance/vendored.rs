//! Groups third-party notices into `vendored-source` components: a classic vendored tree
//! (`third_party/x`, `vendor/x` …) is one component; other files carrying a third party's notices (or
//! named after an upstream model implementation) are grouped by directory. The project's own notices
//! identify the submitter and are reported separately.

use std::collections::{BTreeMap, BTreeSet};

use super::models::{family_evidence, family_of_stem, Family};
use super::notices::{holder_key, Notice, NoticeKind};
use super::project::{is_own, Layout};
use super::role::{self, Roles};
use crate::model::{
    purl, Component, ComponentKind, Ecosystem, Evidence, EvidenceKind, LicenseValue, Location, Occurrence,
    OwnHolder, SourceKind,
};

/// Directory names of classic vendored trees.
pub const VENDOR_DIRS: &[&str] = &[
    "third_party",
    "third-party",
    "thirdparty",
    "3rdparty",
    "3rd_party",
    "vendor",
    "vendored",
    "external",
    "extern",
    "deps",
];

/// Weight of a copyright holder as origin evidence.
pub const HOLDER_WEIGHT: f64 = 0.7;
const MAX_COPYRIGHTS: usize = 20;
const MAX_OCCURRENCES: usize = 200;

/// The notices and signals of one file.
#[derive(Debug, Clone)]
pub struct FileSignals {
    pub path: String,
    pub notices: Vec<Notice>,
    /// A licence recognised from the whole text of a licence file (`LICENSE`, `COPYING` …).
    pub licence_file: Option<(String, Option<&'static str>)>,
}

/// The stem of an upstream model implementation file (`modeling_glm4.py` → `glm4`) and its family.
pub fn upstream_model_file(name: &str) -> Option<(&str, &'static Family)> {
    let stem = name.strip_suffix(".py")?;
    for prefix in [
        "modeling_",
        "configuration_",
        "tokenization_",
        "processing_",
        "image_processing_",
        "feature_extraction_",
        "convert_",
    ] {
        if let Some(s) = stem.strip_prefix(prefix) {
            let s = s.strip_suffix("_fast").unwrap_or(s);
            return family_of_stem(s).map(|f| (s, f));
        }
    }
    None
}

/// Whether a file name is a licence, copying or copyright file.
pub fn is_licence_file(name: &str) -> bool {
    let u = name.to_ascii_uppercase();
    ["LICENSE", "LICENCE", "COPYING", "COPYRIGHT", "UNLICENSE"].iter().any(|p| u.starts_with(p))
}

fn is_marker_file(name: &str) -> bool {
    let u = name.to_ascii_uppercase();
    is_licence_file(name)
        || u.starts_with("README")
        || u.starts_with("NOTICE")
        || matches!(
            name,
            "Cargo.toml"
                | "package.json"
                | "setup.py"
                | "pyproject.toml"
                | "go.mod"
                | "CMakeLists.txt"
                | "BUILD"
                | "BUILD.bazel"
                | "meson.build"
                | "Makefile"
        )
}

/// The vendored tree root a path lies in (`third_party/zlib` for `third_party/zlib/src/a.c`).
pub fn vendored_root(path: &str) -> Option<String> {
    let segs: Vec<&str> = path.split('/').collect();
    let i = segs[..segs.len().saturating_sub(1)]
        .iter()
        .position(|s| VENDOR_DIRS.iter().any(|v| v.eq_ignore_ascii_case(s)))?;
    // Go-style `vendor/github.com/owner/repo`: a host segment, then owner and repository.
    let take =
        if segs.get(i + 1).is_some_and(|s| s.contains('.')) && segs.len() > i + 4 { i + 4 } else { i + 2 };
    Some(segs[..take.min(segs.len())].join("/"))
}

/// A holder whose notices are spread over at least this many directories (outside vendored trees) is
/// grouped into one component at their common ancestor, not one component per directory.
const SPREAD_DIRS: usize = 3;

/// The longest common directory of two `/`-separated directories.
fn common_dir(a: &str, b: &str) -> String {
    let mut out = Vec::new();
    for (x, y) in a.split('/').zip(b.split('/')) {
        if x != y || x.is_empty() {
            break;
        }
        out.push(x);
    }
    out.join("/")
}

/// A group of files becoming one component.
#[derive(Default)]
struct Group {
    files: BTreeSet<String>,
    occurrences: Vec<Occurrence>,
    copyrights: Vec<String>,
    holders: BTreeMap<String, (String, Location)>,
    spdx: BTreeSet<String>,
    spdx_source: Option<String>,
    detected: Vec<LicenseValue>,
    families: Vec<(&'static Family, Location, String)>,
    has_marker: bool,
}

/// Builds the vendored-source components and the own-holder summary.
pub fn group(
    files: &[FileSignals],
    upstream_named: &[(String, &'static Family, String)],
    all_paths: &[&str],
    own: &BTreeSet<String>,
    layout: &Layout,
    roles: &Roles,
) -> (Vec<Component>, Vec<OwnHolder>) {
    let root_of = |p: &str| layout.root_of(p).map(str::to_string);
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let mut own_counts: BTreeMap<String, OwnHolder> = BTreeMap::new();

    // Vendored projects with a licence, README or manifest of their own, or known from their layout
    // (git submodules, `linguist-vendored`, a licence and a manifest with foreign holders).
    for p in all_paths {
        if let Some(root) = root_of(p) {
            let name = p.rsplit('/').next().unwrap_or(p);
            let direct_child = p.strip_prefix(root.as_str()).is_some_and(|r| r.matches('/').count() == 1);
            let rule = layout.projects.get(&root).map(|p| p.rule).unwrap_or("vendored-tree");
            if direct_child && (is_marker_file(name) || rule != "vendored-tree") {
                let g = groups.entry(root.clone()).or_default();
                g.has_marker = true;
                g.files.insert(p.to_string());
                g.occurrences.push(Occurrence {
                    location: Location::new(*p, None),
                    rule: rule.into(),
                    text: Some(format!("{root} (vendored directory with {name})")),
                });
            }
        }
    }

    for f in files {
        let vroot = root_of(&f.path);
        let third: Vec<&Notice> = f
            .notices
            .iter()
            .filter(|n| n.kind == NoticeKind::Copyright)
            .filter(|n| n.holder.as_ref().is_some_and(|h| !is_own(own, h)))
            .collect();
        for n in f.notices.iter().filter(|n| n.kind == NoticeKind::Copyright) {
            if let Some(h) = &n.holder {
                if is_own(own, h) && vroot.is_none() {
                    let e = own_counts.entry(holder_key(h)).or_insert_with(|| OwnHolder {
                        holder: h.clone(),
                        first: Location::new(&f.path, Some(n.line)),
                        files: 0,
                    });
                    e.files += 1;
                }
            }
        }
        let in_vendored = vroot.as_ref().is_some_and(|r| groups.contains_key(r) || !third.is_empty());
        if third.is_empty() && !in_vendored {
            continue;
        }
        let key =
            vroot.unwrap_or_else(|| f.path.rfind('/').map(|i| f.path[..i].to_string()).unwrap_or_default());
        let g = groups.entry(key).or_default();
        g.files.insert(f.path.clone());
        for n in &f.notices {
            let relevant = match n.kind {
                NoticeKind::Copyright => third.iter().any(|t| std::ptr::eq(*t, n)),
                _ => true,
            };
            if !relevant {
                continue;
            }
            let loc = Location::new(&f.path, Some(n.line));
            if n.kind == NoticeKind::Copyright {
                if g.copyrights.len() < MAX_COPYRIGHTS && !g.copyrights.contains(&n.text) {
                    g.copyrights.push(n.text.clone());
                }
                if let Some(h) = &n.holder {
                    g.holders.entry(holder_key(h)).or_insert_with(|| (h.clone(), loc.clone()));
                }
            }
            if let Some(l) = &n.license {
                if n.kind == NoticeKind::SpdxLicense {
                    g.spdx.insert(l.clone());
                    g.spdx_source.get_or_insert_with(|| loc.to_string());
                } else {
                    g.detected
                        .push(LicenseValue { score: None, ..LicenseValue::declared(l, loc.to_string()) });
                }
            }
            if g.occurrences.len() < MAX_OCCURRENCES {
                g.occurrences.push(Occurrence {
                    location: loc,
                    rule: n.kind.rule().into(),
                    text: Some(n.text.clone()),
                });
            }
        }
        if let Some((id, _)) = &f.licence_file {
            g.detected.push(LicenseValue { score: None, ..LicenseValue::declared(id, f.path.clone()) });
        }
    }

    for (path, fam, stem) in upstream_named {
        let key = root_of(path)
            .unwrap_or_else(|| path.rfind('/').map(|i| path[..i].to_string()).unwrap_or_default());
        let g = groups.entry(key).or_default();
        g.files.insert(path.clone());
        let loc = Location::new(path.as_str(), None);
        g.occurrences.push(Occurrence {
            location: loc.clone(),
            rule: "upstream-model-file-name".into(),
            text: Some(format!("named after the upstream `{stem}` implementation (family {})", fam.id)),
        });
        g.families.push((fam, loc, stem.clone()));
    }

    // A holder spread over many directories (a company's notice in every module of its own project, when
    // the root licence names no holder) is one component at the common ancestor, not one per directory.
    let mut dirs_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, g) in &groups {
        if g.has_marker || layout.projects.contains_key(key) || g.holders.len() != 1 || !g.families.is_empty()
        {
            continue;
        }
        if let Some(h) = g.holders.keys().next() {
            dirs_of.entry(h.clone()).or_default().push(key.clone());
        }
    }
    for dirs in dirs_of.into_values().filter(|d| d.len() >= SPREAD_DIRS) {
        let ancestor = dirs.iter().skip(1).fold(dirs[0].clone(), |acc, d| common_dir(&acc, d));
        let mut merged = groups.remove(&ancestor).unwrap_or_default();
        for d in &dirs {
            if let Some(g) = groups.remove(d) {
                merged.files.extend(g.files);
                merged.occurrences.extend(g.occurrences);
                for c in g.copyrights {
                    if merged.copyrights.len() < MAX_COPYRIGHTS && !merged.copyrights.contains(&c) {
                        merged.copyrights.push(c);
                    }
                }
                for (k, v) in g.holders {
                    merged.holders.entry(k).or_insert(v);
                }
                merged.spdx.extend(g.spdx);
                merged.spdx_source = merged.spdx_source.or(g.spdx_source);
                merged.detected.extend(g.detected);
            }
        }
        merged.occurrences.truncate(MAX_OCCURRENCES);
        groups.insert(ancestor, merged);
    }

    // A vendored tree is all its files, notices or not.
    for p in all_paths {
        if let Some(g) = root_of(p).and_then(|r| groups.get_mut(&r)) {
            g.files.insert(p.to_string());
        }
    }
    let mut comps = Vec::new();
    for (root, g) in groups {
        if g.holders.is_empty() && g.families.is_empty() && !g.has_marker {
            continue;
        }
        let label = if root.is_empty() { "(root)".to_string() } else { root.clone() };
        let project = layout.projects.get(&root);
        let dir_name = root.rsplit('/').next().filter(|s| !s.is_empty()).unwrap_or("root");
        let name = project.and_then(|p| p.name.as_deref()).unwrap_or(dir_name);
        let version = project.and_then(|p| p.version.clone());
        let Some(p) = project
            .and_then(|p| p.purl.clone())
            .or_else(|| purl::build("generic", None, dir_name, None, &[]))
        else {
            continue;
        };
        let mut c = Component::new(Ecosystem::Generic, name, version);
        c.purl = Some(p);
        c.id = format!("local:vendored-source:{label}");
        c.kind = ComponentKind::VendoredSource;
        // A vendored project takes the role of its own directory (its tests are evidence of it); a
        // directory of files with foreign notices takes the role of those files.
        c.scope = if project.is_some() {
            role::scope_of(roles, [format!("{root}/x").as_str()])
        } else {
            role::scope_of(roles, g.files.iter().map(String::as_str))
        };
        if let Some(m) = project.and_then(|p| p.manifest.as_ref()) {
            c.properties.insert("provenance:manifest".into(), m.clone());
        }
        if let Some(p) = project {
            c.properties.insert("provenance:project".into(), p.rule.into());
        }
        c.direct = true;
        c.source = Some(SourceKind::Path { path: root.clone() });
        let holders: Vec<&str> = g.holders.values().map(|(h, _)| h.as_str()).collect();
        c.description = Some(if holders.is_empty() {
            format!("{} file(s) in {label}", g.files.len())
        } else {
            format!("{} file(s) in {label} carrying notices of {}", g.files.len(), holders.join(", "))
        });
        for (h, loc) in g.holders.values() {
            c.found_in.push(loc.clone());
            c.origin.evidence.push(Evidence {
                kind: EvidenceKind::CopyrightHolder,
                value: h.clone(),
                country: None,
                weight: HOLDER_WEIGHT,
                source: loc.to_string(),
                weak: false,
                organisation: None,
                parent_country: None,
                facet: None,
            });
        }
        for (fam, loc, stem) in &g.families {
            c.found_in.push(loc.clone());
            c.origin.evidence.push(family_evidence(
                fam.representative(),
                &format!("upstream model file name `{stem}`, family {}", fam.id),
                loc,
            ));
        }
        if !g.spdx.is_empty() {
            let expr = g
                .spdx
                .iter()
                .map(|s| if s.contains(' ') { format!("({s})") } else { s.clone() })
                .collect::<Vec<_>>()
                .join(" AND ");
            c.license.declared =
                Some(LicenseValue::declared(&expr, g.spdx_source.clone().unwrap_or_default()));
        }
        let mut detected = g.detected;
        detected.dedup_by(|a, b| a.expression == b.expression);
        c.license.detected = detected;
        c.occurrences = g.occurrences;
        c.copyrights = g.copyrights;
        if !holders.is_empty() {
            c.properties.insert("provenance:holders".into(), holders.join("; "));
        }
        c.properties.insert("provenance:files".into(), g.files.len().to_string());
        comps.push(c);
    }
    let mut own_list: Vec<OwnHolder> = own_counts.into_values().collect();
    own_list.sort_by(|a, b| b.files.cmp(&a.files).then_with(|| a.holder.cmp(&b.holder)));
    (comps, own_list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendored_roots() {
        assert_eq!(vendored_root("third_party/zlib/src/a.c").as_deref(), Some("third_party/zlib"));
        assert_eq!(vendored_root("a/vendor/github.com/o/r/x.go").as_deref(), Some("a/vendor/github.com/o/r"));
        assert_eq!(vendored_root("third_party/stb.h").as_deref(), Some("third_party/stb.h"));
        assert_eq!(vendored_root("src/vendor.rs"), None);
    }

    #[test]
    fn upstream_names() {
        assert_eq!(upstream_model_file("modeling_glm4.py").unwrap().1.id, "glm");
        assert_eq!(upstream_model_file("tokenization_qwen2_fast.py").unwrap().1.id, "qwen");
        assert_eq!(upstream_model_file("modeling_deepseek.py").unwrap().1.id, "deepseek");
        assert!(upstream_model_file("modeling_ours.py").is_none());
        assert!(upstream_model_file("modeling_glm4.rs").is_none());
    }
}
