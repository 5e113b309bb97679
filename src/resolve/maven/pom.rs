//! One `pom.xml` as written: coordinates, parent, properties, modules, dependencies, dependency management
//! and descriptive fields, not yet inherited or interpolated.

use std::collections::BTreeMap;

use crate::model::Diagnostic;
use crate::resolve::xml::{self, Element};

/// A `<dependency>` element (in `<dependencies>` or `<dependencyManagement>`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dep {
    pub group_id: String,
    pub artifact_id: String,
    pub version: Option<String>,
    pub scope: Option<String>,
    pub optional: Option<String>,
    pub classifier: Option<String>,
    pub type_: Option<String>,
    pub line: u32,
}

/// The `<parent>` reference.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParentRef {
    pub group_id: String,
    pub artifact_id: String,
    pub version: Option<String>,
    /// `None` when absent (Maven's default `../pom.xml`), `Some("")` for `<relativePath/>`.
    pub relative_path: Option<String>,
    pub line: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pom {
    pub path: String,
    pub dir: String,
    pub group_id: Option<String>,
    pub artifact_id: String,
    pub version: Option<String>,
    pub packaging: Option<String>,
    /// Line of `<artifactId>` (or of `<project>`).
    pub line: u32,
    pub parent: Option<ParentRef>,
    pub properties: BTreeMap<String, String>,
    pub modules: Vec<(String, u32)>,
    pub dependencies: Vec<Dep>,
    pub managed: Vec<Dep>,
    pub licenses: Vec<String>,
    pub description: Option<String>,
    pub url: Option<String>,
    pub scm_url: Option<String>,
    pub developers: Vec<String>,
}

fn text(el: &Element, name: &str) -> Option<String> {
    el.child_text(name).map(str::to_string)
}

fn deps_of(el: Option<&Element>, path: &str, diags: &mut Vec<Diagnostic>) -> Vec<Dep> {
    let Some(el) = el else { return Vec::new() };
    let mut out = Vec::new();
    for d in el.children_named("dependency") {
        let (Some(g), Some(a)) = (text(d, "groupId"), text(d, "artifactId")) else {
            diags.push(
                Diagnostic::warning(
                    "invalid-dependency",
                    "a <dependency> without groupId or artifactId; skipped",
                )
                .at(path, Some(d.line)),
            );
            continue;
        };
        out.push(Dep {
            group_id: g,
            artifact_id: a,
            version: text(d, "version"),
            scope: text(d, "scope"),
            optional: text(d, "optional"),
            classifier: text(d, "classifier"),
            type_: text(d, "type"),
            line: d.line,
        });
    }
    out
}

/// Parses a pom. A document that is not XML, hostile XML, or a root that is not `<project>` is an error
/// diagnostic; smaller problems are pushed to `diags`.
pub fn parse(text_: &str, path: &str, dir: &str, diags: &mut Vec<Diagnostic>) -> Result<Pom, Diagnostic> {
    let root = xml::parse(text_, path)?;
    if root.name != "project" {
        return Err(Diagnostic::error(
            "invalid-manifest",
            format!("the root element is `{}`, not `project`; not a Maven pom", root.name),
        )
        .at(path, Some(root.line)));
    }
    let Some(artifact) = root.child("artifactId").filter(|a| !a.text.trim().is_empty()) else {
        return Err(
            Diagnostic::error("invalid-manifest", "the pom has no <artifactId>").at(path, Some(root.line))
        );
    };
    let parent = root.child("parent").and_then(|p| {
        Some(ParentRef {
            group_id: text(p, "groupId")?,
            artifact_id: text(p, "artifactId")?,
            version: text(p, "version"),
            relative_path: p.child("relativePath").map(|r| r.text.trim().to_string()),
            line: p.line,
        })
    });
    let properties = root
        .child("properties")
        .map(|p| p.children.iter().map(|c| (c.name.clone(), c.text.trim().to_string())).collect())
        .unwrap_or_default();
    let modules = root
        .child("modules")
        .map(|m| m.children_named("module").map(|c| (c.text.trim().to_string(), c.line)).collect())
        .unwrap_or_default();
    let licenses = root
        .child("licenses")
        .map(|l| {
            l.children_named("license")
                .filter_map(|lic| text(lic, "name").or_else(|| text(lic, "url")))
                .collect()
        })
        .unwrap_or_default();
    let developers = root
        .child("developers")
        .map(|d| {
            d.children_named("developer")
                .filter_map(|dev| text(dev, "name").or_else(|| text(dev, "id")))
                .collect()
        })
        .unwrap_or_default();
    Ok(Pom {
        path: path.to_string(),
        dir: dir.to_string(),
        group_id: text(&root, "groupId"),
        artifact_id: artifact.text.trim().to_string(),
        version: text(&root, "version"),
        packaging: text(&root, "packaging"),
        line: artifact.line,
        parent,
        properties,
        modules,
        dependencies: deps_of(root.child("dependencies"), path, diags),
        managed: deps_of(
            root.child("dependencyManagement").and_then(|m| m.child("dependencies")),
            path,
            diags,
        ),
        licenses,
        description: text(&root, "description"),
        url: text(&root, "url"),
        scm_url: root.path_text(&["scm", "url"]).map(str::to_string),
        developers,
    })
}
