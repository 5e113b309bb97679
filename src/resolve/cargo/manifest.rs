//! `Cargo.toml`: packages, workspaces and dependency declarations, with lines.

use std::collections::BTreeMap;

use toml::de::{DeTable, DeValue};

use crate::model::Diagnostic;
use crate::resolve::toml_util::{self as tu};
use crate::resolve::Lines;

/// Which table a dependency was declared in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DepKind {
    Normal,
    Dev,
    Build,
}

/// One dependency as a manifest declares it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepDecl {
    /// The key in the manifest (the name the code uses).
    pub key: String,
    /// The real package name (`package = "…"` renames).
    pub package: String,
    pub kind: Option<DepKind>,
    pub optional: bool,
    pub req: Option<String>,
    /// Path as written, relative to the declaring manifest's directory (or the workspace root when
    /// inherited).
    pub path: Option<String>,
    pub git: Option<String>,
    pub git_ref: Option<String>,
    pub registry: Option<String>,
    /// `workspace = true`: the rest comes from `[workspace.dependencies]`.
    pub inherits: bool,
    /// `cfg(...)` or target triple for `[target.*]` tables.
    pub target: Option<String>,
    pub line: u32,
}

/// What a manifest says about its own package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageDecl {
    pub name: String,
    /// `None` when absent (Cargo then uses 0.0.0) or inherited and not resolvable.
    pub version: Option<String>,
    pub version_inherited: bool,
    pub license: Option<String>,
    pub license_inherited: bool,
    pub authors: Vec<String>,
    pub repository: Option<String>,
    pub description: Option<String>,
    pub line: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkspaceDecl {
    pub members: Vec<String>,
    pub exclude: Vec<String>,
    pub dependencies: BTreeMap<String, DepDecl>,
    pub package_version: Option<String>,
    pub package_license: Option<String>,
    pub package_repository: Option<String>,
    pub package_authors: Vec<String>,
}

/// A parsed `Cargo.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// Relative path of the file.
    pub path: String,
    /// Relative directory (`""` at the root).
    pub dir: String,
    pub package: Option<PackageDecl>,
    pub workspace: Option<WorkspaceDecl>,
    pub deps: Vec<DepDecl>,
}

/// The dependency tables of a manifest (and of each `[target.*]` table), with their kind.
const DEP_TABLES: [(&str, DepKind); 5] = [
    ("dependencies", DepKind::Normal),
    ("dev-dependencies", DepKind::Dev),
    ("dev_dependencies", DepKind::Dev),
    ("build-dependencies", DepKind::Build),
    ("build_dependencies", DepKind::Build),
];

/// Parses one manifest. Problems inside an otherwise valid file (a dependency of the wrong type) become
/// diagnostics and the rest of the file is still read.
pub fn parse(text: &str, path: &str, dir: &str, diags: &mut Vec<Diagnostic>) -> Result<Manifest, Diagnostic> {
    let doc = tu::parse(text, path)?;
    let root = doc.get_ref();
    // One index of line starts for every line asked below (a workspace root declares hundreds of
    // dependencies; counting newlines from the start for each was quadratic).
    let text = &Lines::new(text);
    let mut m = Manifest { path: path.to_string(), dir: dir.to_string(), ..Manifest::default() };

    if let Some(pkg) = root.get("package") {
        let line = text.line_of(pkg.span().start);
        match pkg.get_ref() {
            DeValue::Table(t) => m.package = Some(package(t, line, path, diags)),
            _ => diags
                .push(Diagnostic::error("invalid-manifest", "`package` is not a table").at(path, Some(line))),
        }
    }
    if let Some(ws) = tu::table(root, "workspace") {
        let mut w = WorkspaceDecl {
            members: tu::strings(ws, "members"),
            exclude: tu::strings(ws, "exclude"),
            ..WorkspaceDecl::default()
        };
        if let Some(deps) = tu::table(ws, "dependencies") {
            for d in dep_table(deps, None, None, text, path, diags) {
                w.dependencies.insert(d.key.clone(), d);
            }
        }
        if let Some(p) = tu::table(ws, "package") {
            w.package_version = tu::string(p, "version");
            w.package_license = tu::string(p, "license");
            w.package_repository = tu::string(p, "repository");
            w.package_authors = tu::strings(p, "authors");
        }
        m.workspace = Some(w);
    }
    for (key, kind) in DEP_TABLES {
        if let Some(t) = tu::table(root, key) {
            m.deps.extend(dep_table(t, Some(kind), None, text, path, diags));
        }
    }
    if let Some(targets) = tu::table(root, "target") {
        for (cfg, v) in targets.iter() {
            let DeValue::Table(t) = v.get_ref() else { continue };
            for (key, kind) in DEP_TABLES {
                if let Some(deps) = tu::table(t, key) {
                    let target = Some(cfg.get_ref().to_string());
                    m.deps.extend(dep_table(deps, Some(kind), target, text, path, diags));
                }
            }
        }
    }
    Ok(m)
}

fn package(t: &DeTable<'_>, line: u32, path: &str, diags: &mut Vec<Diagnostic>) -> PackageDecl {
    let mut p = PackageDecl { line, ..PackageDecl::default() };
    match tu::string(t, "name") {
        Some(n) => p.name = n,
        None => diags
            .push(Diagnostic::error("invalid-manifest", "`package.name` is missing").at(path, Some(line))),
    }
    let inherited = |key: &str| -> bool {
        matches!(t.get(key).map(|v| v.get_ref()), Some(DeValue::Table(w)) if tu::boolean(w, "workspace") == Some(true))
    };
    p.version = tu::string(t, "version");
    p.version_inherited = inherited("version");
    p.license = tu::string(t, "license");
    p.license_inherited = inherited("license");
    p.authors = tu::strings(t, "authors");
    p.repository = tu::string(t, "repository");
    p.description = tu::string(t, "description");
    p
}

fn dep_table(
    t: &DeTable<'_>,
    kind: Option<DepKind>,
    target: Option<String>,
    text: &Lines,
    path: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<DepDecl> {
    let mut out = Vec::new();
    for (key, value) in t.iter() {
        let key_str = key.get_ref().to_string();
        let line = text.line_of(key.span().start);
        let mut d = DepDecl {
            key: key_str.clone(),
            package: key_str.clone(),
            kind,
            target: target.clone(),
            line,
            ..DepDecl::default()
        };
        match value.get_ref() {
            DeValue::String(req) => d.req = Some(req.to_string()),
            DeValue::Table(spec) => {
                d.req = tu::string(spec, "version");
                if let Some(p) = tu::string(spec, "package") {
                    d.package = p;
                }
                d.optional = tu::boolean(spec, "optional").unwrap_or(false);
                d.path = tu::string(spec, "path");
                d.git = tu::string(spec, "git");
                d.git_ref = tu::string(spec, "rev")
                    .or_else(|| tu::string(spec, "tag"))
                    .or_else(|| tu::string(spec, "branch"));
                d.registry = tu::string(spec, "registry");
                d.inherits = tu::boolean(spec, "workspace") == Some(true);
            }
            _ => {
                diags.push(
                    Diagnostic::warning(
                        "invalid-dependency",
                        format!("dependency `{key_str}` is neither a version string nor a table; skipped"),
                    )
                    .at(path, Some(line)),
                );
                continue;
            }
        }
        out.push(d);
    }
    out
}

/// Fills `workspace = true` dependencies and package fields from the workspace root's manifest.
/// Inherited paths are rewritten relative to the member's directory.
pub fn inherit(member: &mut Manifest, root: &Manifest) {
    let Some(ws) = &root.workspace else { return };
    if let Some(p) = &mut member.package {
        if p.version_inherited && p.version.is_none() {
            p.version = ws.package_version.clone();
        }
        if p.license_inherited && p.license.is_none() {
            p.license = ws.package_license.clone();
        }
        if p.repository.is_none() {
            p.repository = ws.package_repository.clone();
        }
        if p.authors.is_empty() {
            p.authors = ws.package_authors.clone();
        }
    }
    for d in &mut member.deps {
        if !d.inherits {
            continue;
        }
        if let Some(w) = ws.dependencies.get(&d.key) {
            d.package = w.package.clone();
            d.req = w.req.clone();
            d.git = w.git.clone();
            d.git_ref = w.git_ref.clone();
            d.registry = w.registry.clone();
            d.path = w.path.as_ref().and_then(|p| {
                let abs = crate::source::tree::join_rel(&root.dir, p)?;
                Some(relative_to(&member.dir, &abs))
            });
        }
    }
}

/// A path from directory `from` to `to` (both relative to the tree root), with `..` where needed.
pub fn relative_to(from: &str, to: &str) -> String {
    let f: Vec<&str> = from.split('/').filter(|s| !s.is_empty()).collect();
    let t: Vec<&str> = to.split('/').filter(|s| !s.is_empty()).collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = std::iter::repeat_n("..", f.len() - common).collect();
    parts.extend(&t[common..]);
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(relative_to("crates/a", "crates/b"), "../b");
        assert_eq!(relative_to("", "crates/b"), "crates/b");
        assert_eq!(relative_to("a", "a"), ".");
    }

    #[test]
    fn parses_renames_targets_and_inheritance() {
        let text = r#"
[package]
name = "app"
version.workspace = true

[dependencies]
serde = "1"
json = { package = "serde_json", version = "1.0", optional = true }
local = { workspace = true }

[target.'cfg(unix)'.dependencies]
libc = "0.2"

[dev-dependencies]
insta = "1"
"#;
        let mut diags = Vec::new();
        let mut m = parse(text, "app/Cargo.toml", "app", &mut diags).unwrap();
        assert!(diags.is_empty());
        let json = m.deps.iter().find(|d| d.key == "json").unwrap();
        assert_eq!(json.package, "serde_json");
        assert!(json.optional);
        assert_eq!(json.line, 8);
        let libc = m.deps.iter().find(|d| d.key == "libc").unwrap();
        assert_eq!(libc.target.as_deref(), Some("cfg(unix)"));
        assert_eq!(m.deps.iter().find(|d| d.key == "insta").unwrap().kind, Some(DepKind::Dev));

        let root_text = "[workspace]\nmembers=['app']\n[workspace.package]\nversion='2.0.0'\n[workspace.dependencies]\nlocal = { path = 'libs/local', package = 'local-real' }\n";
        let root = parse(root_text, "Cargo.toml", "", &mut diags).unwrap();
        inherit(&mut m, &root);
        assert_eq!(m.package.as_ref().unwrap().version.as_deref(), Some("2.0.0"));
        let local = m.deps.iter().find(|d| d.key == "local").unwrap();
        assert_eq!(local.package, "local-real");
        assert_eq!(local.path.as_deref(), Some("../libs/local"));
    }
}
