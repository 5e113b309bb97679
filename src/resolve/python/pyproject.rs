//! `pyproject.toml` (PEP 621 `[project]`, PEP 735 `[dependency-groups]`, Poetry's `[tool.poetry]`, uv and
//! PDM dev dependencies) and `setup.cfg` (`[metadata]`, `install_requires`, `extras_require`).

use toml::de::{DeTable, DeValue};

use crate::model::{Diagnostic, EdgeKind};
use crate::resolve::line_of;
use crate::resolve::toml_util as tu;

use super::pep508::{self, Requirement};

/// One dependency a project declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredDep {
    pub req: Requirement,
    pub kind: EdgeKind,
    /// The extra or group that declares it (`None` for the main dependencies).
    pub group: Option<String>,
    /// Poetry-style sources: `{ git = …, rev = … }`, `{ path = … }`, `{ url = … }`.
    pub git: Option<(String, Option<String>)>,
    pub path: Option<String>,
    /// Poetry's own constraint syntax (`^1.2`, `~1.2`), kept as written.
    pub poetry_constraint: Option<String>,
    pub line: u32,
}

/// What a project file says about the project itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Project {
    /// The name as written.
    pub name: String,
    pub version: Option<String>,
    pub description: Option<String>,
    pub license: Option<String>,
    pub authors: Vec<String>,
    pub homepage: Option<String>,
    pub repository: Option<String>,
    pub deps: Vec<DeclaredDep>,
    /// The file (relative path) and line of the name.
    pub path: String,
    pub dir: String,
    pub line: u32,
}

fn line(text: &str, v: &toml::Spanned<DeValue<'_>>) -> u32 {
    line_of(text, v.span().start)
}

/// Parses a `pyproject.toml`. `Ok(None)` when it declares no project (a tool-configuration-only file).
pub fn parse(
    text: &str,
    path: &str,
    dir: &str,
    diags: &mut Vec<Diagnostic>,
) -> Result<Option<Project>, Diagnostic> {
    let doc = tu::parse(text, path)?;
    let root = doc.get_ref();
    let mut p = Project { path: path.to_string(), dir: dir.to_string(), ..Project::default() };
    let poetry = tu::table(root, "tool").and_then(|t| tu::table(t, "poetry"));
    if let Some(proj) = tu::table(root, "project") {
        if let Some(n) = proj.get("name") {
            p.name = n.get_ref().as_str().unwrap_or_default().to_string();
            p.line = line(text, n);
        }
        p.version = tu::string(proj, "version");
        p.description = tu::string(proj, "description");
        p.license = match proj.get("license").map(|v| v.get_ref()) {
            Some(DeValue::String(s)) => Some(s.to_string()),
            Some(DeValue::Table(t)) => tu::string(t, "text").filter(|s| s.len() < 200 && !s.contains('\n')),
            _ => None,
        };
        p.authors = people(proj, "authors");
        if let Some(urls) = tu::table(proj, "urls") {
            for (k, v) in urls.iter() {
                let Some(u) = v.get_ref().as_str() else { continue };
                let key = k.get_ref().to_ascii_lowercase().replace(['-', '_', ' ', '.'], "");
                match key.as_str() {
                    "homepage" | "home" => p.homepage = p.homepage.take().or(Some(u.to_string())),
                    "repository" | "source" | "sourcecode" | "code" | "github" => {
                        p.repository = p.repository.take().or(Some(u.to_string()))
                    }
                    _ => {}
                }
            }
        }
        pep508_array(proj, "dependencies", EdgeKind::Normal, None, text, path, &mut p.deps, diags);
        if let Some(opt) = tu::table(proj, "optional-dependencies") {
            for (k, _) in opt.iter() {
                let g = k.get_ref().to_string();
                pep508_array(opt, &g, EdgeKind::Optional, Some(&g), text, path, &mut p.deps, diags);
            }
        }
    }
    if let Some(groups) = tu::table(root, "dependency-groups") {
        for (k, _) in groups.iter() {
            let g = k.get_ref().to_string();
            let mut seen = Vec::new();
            let mut done = std::collections::BTreeSet::new();
            dependency_group(groups, &g, &g, text, path, &mut p.deps, diags, &mut seen, &mut done);
        }
    }
    if let Some(po) = poetry {
        if p.name.is_empty() {
            if let Some(n) = po.get("name") {
                p.name = n.get_ref().as_str().unwrap_or_default().to_string();
                p.line = line(text, n);
            }
        }
        p.version = p.version.take().or_else(|| tu::string(po, "version"));
        p.description = p.description.take().or_else(|| tu::string(po, "description"));
        p.license = p.license.take().or_else(|| tu::string(po, "license"));
        if p.authors.is_empty() {
            p.authors = tu::strings(po, "authors");
        }
        p.homepage = p.homepage.take().or_else(|| tu::string(po, "homepage"));
        p.repository = p.repository.take().or_else(|| tu::string(po, "repository"));
        if let Some(t) = tu::table(po, "dependencies") {
            poetry_table(t, EdgeKind::Normal, None, text, path, &mut p.deps, diags);
        }
        if let Some(t) = tu::table(po, "dev-dependencies") {
            poetry_table(t, EdgeKind::Dev, Some("dev"), text, path, &mut p.deps, diags);
        }
        if let Some(groups) = tu::table(po, "group") {
            for (k, g) in groups.iter() {
                let Some(deps) = g.get_ref().as_table().and_then(|g| tu::table(g, "dependencies")) else {
                    continue;
                };
                let name = k.get_ref().to_string();
                let kind = if name == "main" { EdgeKind::Normal } else { EdgeKind::Dev };
                poetry_table(deps, kind, Some(&name), text, path, &mut p.deps, diags);
            }
        }
    }
    if let Some(tool) = tu::table(root, "tool") {
        if let Some(uv) = tu::table(tool, "uv") {
            pep508_array(uv, "dev-dependencies", EdgeKind::Dev, Some("dev"), text, path, &mut p.deps, diags);
        }
        if let Some(dev) = tu::table(tool, "pdm").and_then(|t| tu::table(t, "dev-dependencies")) {
            for (k, _) in dev.iter() {
                let g = k.get_ref().to_string();
                pep508_array(dev, &g, EdgeKind::Dev, Some(&g), text, path, &mut p.deps, diags);
            }
        }
    }
    if p.name.is_empty() {
        return Ok(None);
    }
    if !pep508::valid_name(&p.name) {
        diags.push(
            Diagnostic::error(
                "invalid-manifest",
                format!("`{}` is not a valid project name", pep508::truncate(&p.name, 60)),
            )
            .at(path, Some(p.line)),
        );
        return Ok(None);
    }
    Ok(Some(p))
}

/// `authors = [{ name, email }]` as `Name <email>`.
fn people(t: &DeTable<'_>, key: &str) -> Vec<String> {
    let Some(DeValue::Array(a)) = t.get(key).map(|v| v.get_ref()) else { return Vec::new() };
    a.iter()
        .filter_map(|v| v.get_ref().as_table())
        .filter_map(|t| match (tu::string(t, "name"), tu::string(t, "email")) {
            (Some(n), Some(e)) => Some(format!("{n} <{e}>")),
            (Some(n), None) => Some(n),
            (None, Some(e)) => Some(format!("<{e}>")),
            (None, None) => None,
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn pep508_array(
    t: &DeTable<'_>,
    key: &str,
    kind: EdgeKind,
    group: Option<&str>,
    text: &str,
    path: &str,
    out: &mut Vec<DeclaredDep>,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(v) = t.get(key) else { return };
    let Some(arr) = v.get_ref().as_array() else {
        diags.push(
            Diagnostic::warning("invalid-dependency", format!("`{key}` is not an array of requirements"))
                .at(path, Some(line(text, v))),
        );
        return;
    };
    for item in arr.iter() {
        if let Some(s) = item.get_ref().as_str() {
            push_pep508(s, kind, group, line(text, item), path, out, diags);
        }
    }
}

fn push_pep508(
    s: &str,
    kind: EdgeKind,
    group: Option<&str>,
    line: u32,
    path: &str,
    out: &mut Vec<DeclaredDep>,
    diags: &mut Vec<Diagnostic>,
) {
    match pep508::parse(s) {
        Ok(req)
            if req
                .url
                .as_deref()
                .is_some_and(|u| !u.starts_with("{root:uri}") && super::reqlines::check_url(u).is_err()) =>
        {
            let e =
                req.url.as_deref().map(super::reqlines::check_url).and_then(Result::err).unwrap_or_default();
            diags.push(
                Diagnostic::warning("invalid-requirement", format!("requirement URL not accepted: {e}"))
                    .at(path, Some(line)),
            );
        }
        Ok(req) => out.push(DeclaredDep {
            req,
            kind,
            group: group.map(str::to_string),
            git: None,
            path: None,
            poetry_constraint: None,
            line,
        }),
        Err(e) => diags.push(
            Diagnostic::warning("invalid-requirement", format!("cannot read requirement: {}", e.0))
                .at(path, Some(line)),
        ),
    }
}

/// PEP 735 groups, with `{ include-group = "…" }` followed (cycles and depth bounded).
#[allow(clippy::too_many_arguments)]
fn dependency_group(
    groups: &DeTable<'_>,
    name: &str,
    top: &str,
    text: &str,
    path: &str,
    out: &mut Vec<DeclaredDep>,
    diags: &mut Vec<Diagnostic>,
    seen: &mut Vec<String>,
    done: &mut std::collections::BTreeSet<String>,
) {
    if seen.iter().any(|s| s == name) || seen.len() > 32 {
        diags.push(
            Diagnostic::warning(
                "dependency-group-cycle",
                format!("dependency group `{top}` includes itself through `{name}`"),
            )
            .at(path, None),
        );
        return;
    }
    // A group included twice (a diamond) is read once: fan-out cannot grow the work exponentially.
    if !done.insert(name.to_string()) {
        return;
    }
    let Some(v) = groups.get(name) else {
        diags.push(
            Diagnostic::warning("invalid-dependency", format!("included group `{name}` does not exist"))
                .at(path, None),
        );
        return;
    };
    let Some(arr) = v.get_ref().as_array() else { return };
    seen.push(name.to_string());
    for item in arr.iter() {
        match item.get_ref() {
            DeValue::String(s) => {
                push_pep508(s, EdgeKind::Dev, Some(top), line(text, item), path, out, diags)
            }
            DeValue::Table(t) => {
                if let Some(inc) = tu::string(t, "include-group") {
                    dependency_group(groups, &inc, top, text, path, out, diags, seen, done);
                }
            }
            _ => {}
        }
    }
    seen.pop();
}

/// Poetry dependency tables: `name = "^1.0"`, `name = { version, optional, extras, git, rev, path, url,
/// markers }`, or an array of such tables (multiple constraints).
fn poetry_table(
    t: &DeTable<'_>,
    kind: EdgeKind,
    group: Option<&str>,
    text: &str,
    path: &str,
    out: &mut Vec<DeclaredDep>,
    diags: &mut Vec<Diagnostic>,
) {
    for (k, v) in t.iter() {
        let name = k.get_ref().to_string();
        if name.eq_ignore_ascii_case("python") {
            continue;
        }
        let l = line_of(text, k.span().start);
        if !pep508::valid_name(&name) {
            diags.push(
                Diagnostic::warning(
                    "invalid-requirement",
                    format!("`{}` is not a valid package name", pep508::truncate(&name, 60)),
                )
                .at(path, Some(l)),
            );
            continue;
        }
        let tables: Vec<&DeTable<'_>> = match v.get_ref() {
            DeValue::Table(t) => vec![t],
            DeValue::Array(a) => a.iter().filter_map(|x| x.get_ref().as_table()).collect(),
            _ => Vec::new(),
        };
        let mut dep = DeclaredDep {
            req: Requirement { name: name.clone(), ..Requirement::default() },
            kind,
            group: group.map(str::to_string),
            git: None,
            path: None,
            poetry_constraint: None,
            line: l,
        };
        match v.get_ref() {
            DeValue::String(s) => dep.poetry_constraint = Some(s.to_string()),
            _ if !tables.is_empty() => {
                let first = tables[0];
                dep.poetry_constraint = tu::string(first, "version");
                if tables.iter().all(|t| tu::boolean(t, "optional") == Some(true)) && kind == EdgeKind::Normal
                {
                    dep.kind = EdgeKind::Optional;
                }
                dep.req.extras = tu::strings(first, "extras");
                dep.req.marker = tu::string(first, "markers");
                if let Some(g) = tu::string(first, "git") {
                    let r = tu::string(first, "rev")
                        .or_else(|| tu::string(first, "tag"))
                        .or_else(|| tu::string(first, "branch"));
                    dep.git = Some((g, r));
                }
                dep.path = tu::string(first, "path");
                dep.req.url = tu::string(first, "url");
            }
            _ => {
                diags.push(
                    Diagnostic::warning(
                        "invalid-dependency",
                        format!("dependency `{name}` has the wrong type"),
                    )
                    .at(path, Some(l)),
                );
                continue;
            }
        }
        if let Some(c) = &dep.poetry_constraint {
            // Poetry writes exact pins as `1.2.3` or `==1.2.3`.
            let c = c.trim();
            if pep508::exact_version(c).is_some() {
                dep.req.spec = c.to_string();
            } else if !c.is_empty()
                && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '.')
                && c.starts_with(|ch: char| ch.is_ascii_digit())
            {
                dep.req.spec = format!("=={c}");
            }
        }
        out.push(dep);
    }
}

/// One `key = value` of an INI file: section, key, value lines with their line numbers.
type IniEntry = (String, String, Vec<(u32, String)>);

/// `setup.cfg`: `[metadata]` and `[options]` `install_requires`, `[options.extras_require]`. An INI
/// reader: `key = value` with indented continuation lines, `#`/`;` comments.
pub fn parse_setup_cfg(text: &str, path: &str, dir: &str, diags: &mut Vec<Diagnostic>) -> Option<Project> {
    let mut p = Project { path: path.to_string(), dir: dir.to_string(), ..Project::default() };
    let mut section = String::new();
    // (section, key, value lines with their line numbers)
    let mut entries: Vec<IniEntry> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let ln = i as u32 + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if raw.starts_with(char::is_whitespace) {
            if let Some(last) = entries.last_mut() {
                last.2.push((ln, trimmed.to_string()));
            }
            continue;
        }
        if let Some(s) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            section = s.trim().to_string();
            continue;
        }
        if let Some((k, v)) = trimmed.split_once(['=', ':']) {
            let v = v.trim();
            let mut values = Vec::new();
            if !v.is_empty() {
                values.push((ln, v.to_string()));
            }
            entries.push((section.clone(), k.trim().to_string(), values));
        }
    }
    let get = |sec: &str, key: &str| -> Option<&Vec<(u32, String)>> {
        entries.iter().find(|(s, k, _)| s == sec && k.replace('-', "_") == key).map(|e| &e.2)
    };
    let single = |sec: &str, key: &str| get(sec, key).and_then(|v| v.first()).map(|(_, s)| s.clone());
    if let Some(v) = get("metadata", "name").and_then(|v| v.first()) {
        p.name = v.1.clone();
        p.line = v.0;
    }
    p.version = single("metadata", "version").filter(|v| !v.starts_with("attr:") && !v.starts_with("file:"));
    p.description = single("metadata", "description");
    p.license = single("metadata", "license");
    p.homepage = single("metadata", "url").or_else(|| single("metadata", "home_page"));
    match (single("metadata", "author"), single("metadata", "author_email")) {
        (Some(a), Some(e)) => p.authors.push(format!("{a} <{e}>")),
        (Some(a), None) => p.authors.push(a),
        (None, Some(e)) => p.authors.push(format!("<{e}>")),
        (None, None) => {}
    }
    let mut reqs = |values: &Vec<(u32, String)>, kind: EdgeKind, group: Option<&str>| {
        for (ln, v) in values {
            let v = v.split(" #").next().unwrap_or(v).trim();
            if v.is_empty() || v.starts_with('#') {
                continue;
            }
            push_pep508(v, kind, group, *ln, path, &mut p.deps, diags);
        }
    };
    if let Some(v) = get("options", "install_requires") {
        reqs(v, EdgeKind::Normal, None);
    }
    for (sec, key, values) in &entries {
        if sec == "options.extras_require" {
            reqs(values, EdgeKind::Optional, Some(key));
        }
    }
    (!p.name.is_empty() && pep508::valid_name(&p.name)).then_some(p)
}
