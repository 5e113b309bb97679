//! `package.json`: the package itself (name, version, licence, people, links), its declared dependencies
//! with their lines, and its workspaces.

use crate::model::{Diagnostic, EdgeKind};

use super::json::{self, Node, Value};

/// One declared dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decl {
    /// The key it is declared under (an alias name for `npm:` aliases).
    pub name: String,
    /// The range or specifier as written.
    pub req: String,
    pub kind: EdgeKind,
    pub line: u32,
}

/// What a package.json says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// Relative to the scanned root.
    pub path: String,
    pub dir: String,
    pub name: Option<String>,
    pub version: Option<String>,
    pub license: Option<String>,
    pub description: Option<String>,
    pub authors: Vec<String>,
    pub repository: Option<String>,
    pub homepage: Option<String>,
    /// Dependencies, dev, optional and peer dependencies, each name once with its strongest kind
    /// (npm installs a name listed in both `dependencies` and `optionalDependencies` as optional).
    pub deps: Vec<Decl>,
    /// Workspace globs (`workspaces` as an array or `{packages: [...]}`).
    pub workspaces: Vec<String>,
    /// The file has no `name`; `name` was filled in from the directory.
    pub unnamed: bool,
}

impl Manifest {
    pub fn decl(&self, name: &str) -> Option<&Decl> {
        self.deps.iter().find(|d| d.name == name)
    }
}

/// Parses a package.json; a syntax error is a diagnostic with the line.
pub fn parse(text: &str, path: &str) -> Result<Manifest, Diagnostic> {
    let doc = json::parse(text).map_err(|e| {
        Diagnostic::error("invalid-json", format!("not valid JSON: {}", e.message)).at(path, Some(e.line))
    })?;
    if !doc.is_object() {
        return Err(
            Diagnostic::error("invalid-manifest", "package.json is not a JSON object").at(path, Some(1))
        );
    }
    Ok(from_node(&doc, path))
}

/// The manifest fields of a JSON object (a package.json, or a lockfile's root entry).
pub fn from_node(doc: &Node, path: &str) -> Manifest {
    let dir = path.rfind('/').map(|i| &path[..i]).unwrap_or("").to_string();
    let mut m = Manifest {
        path: path.to_string(),
        dir,
        name: doc.str("name").map(str::to_string).filter(|s| !s.is_empty()),
        version: doc.str("version").map(str::to_string).filter(|s| !s.is_empty()),
        license: license(doc),
        description: doc.str("description").map(str::to_string).filter(|s| !s.trim().is_empty()),
        authors: people(doc),
        repository: doc.get("repository").and_then(|r| match &r.value {
            Value::String(s) => Some(repository_url(s)),
            _ => r.str("url").map(repository_url),
        }),
        homepage: doc.str("homepage").map(str::to_string).filter(|s| !s.is_empty()),
        ..Manifest::default()
    };
    for (key, kind) in [
        ("peerDependencies", EdgeKind::Peer),
        ("devDependencies", EdgeKind::Dev),
        ("dependencies", EdgeKind::Normal),
        ("optionalDependencies", EdgeKind::Optional),
    ] {
        let Some(section) = doc.get(key) else { continue };
        for (name, v) in section.members() {
            let req = v.as_str().unwrap_or_default().to_string();
            let decl = Decl { name: name.to_string(), req, kind, line: v.line };
            match m.deps.iter_mut().find(|d| d.name == decl.name) {
                // A later section overrides: dev over peer, dependencies over both, optional over all.
                Some(d) => *d = decl,
                None => m.deps.push(decl),
            }
        }
    }
    m.workspaces = match doc.get("workspaces") {
        Some(w) if matches!(w.value, Value::Array(_)) => strings(w),
        Some(w) => w.get("packages").map(strings).unwrap_or_default(),
        None => Vec::new(),
    };
    m
}

fn strings(n: &Node) -> Vec<String> {
    n.items().iter().filter_map(Node::as_str).map(str::to_string).collect()
}

/// `license` as a string, `{type}` object, or the legacy `licenses` array (joined with OR).
pub fn license(doc: &Node) -> Option<String> {
    match doc.get("license").map(|n| &n.value) {
        Some(Value::String(s)) if !s.trim().is_empty() => return Some(s.to_string()),
        Some(Value::Object(_)) => return doc.get("license").and_then(|l| l.str("type")).map(str::to_string),
        _ => {}
    }
    let list: Vec<String> = doc
        .get("licenses")
        .map(|l| {
            l.items()
                .iter()
                .filter_map(|i| i.as_str().or_else(|| i.str("type")))
                .filter(|s| !s.trim().is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    match list.len() {
        0 => None,
        1 => Some(list[0].clone()),
        _ => Some(
            list.iter()
                .map(|l| if l.contains(' ') { format!("({l})") } else { l.clone() })
                .collect::<Vec<_>>()
                .join(" OR "),
        ),
    }
}

/// `author` and `contributors`, each `Name <mail> (url)` or `{name, email, url}`, as `Name <mail>`.
fn people(doc: &Node) -> Vec<String> {
    let mut out = Vec::new();
    let mut one = |n: &Node| {
        let s = match &n.value {
            Value::String(s) => s.split(" (").next().unwrap_or(s).trim().to_string(),
            Value::Object(_) => match (n.str("name"), n.str("email")) {
                (Some(name), Some(mail)) => format!("{name} <{mail}>"),
                (Some(name), None) => name.to_string(),
                (None, Some(mail)) => format!("<{mail}>"),
                (None, None) => String::new(),
            },
            _ => String::new(),
        };
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    };
    if let Some(a) = doc.get("author") {
        one(a);
    }
    if let Some(c) = doc.get("contributors") {
        for p in c.items() {
            one(p);
        }
    }
    out
}

/// `github:o/r`, `o/r`, `git+https://…` → a browsable URL.
fn repository_url(s: &str) -> String {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix("github:") {
        return format!("https://github.com/{rest}");
    }
    if let Some(rest) = s.strip_prefix("gitlab:") {
        return format!("https://gitlab.com/{rest}");
    }
    if let Some(rest) = s.strip_prefix("bitbucket:") {
        return format!("https://bitbucket.org/{rest}");
    }
    if !s.contains(':') && s.split('/').count() == 2 {
        return format!("https://github.com/{s}");
    }
    crate::util::redact::redact_url(s.strip_prefix("git+").unwrap_or(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_precedence() {
        let m = parse(
            r#"{"name":"@s/x","version":"1.0.0","license":{"type":"MIT"},
            "author":{"name":"Ann","email":"ann@example.com"},"contributors":["Bob <b@example.com> (https://b.example)"],
            "repository":"github:s/x","workspaces":{"packages":["packages/*"]},
            "dependencies":{"a":"^1","b":"^2"},"optionalDependencies":{"a":"^1"},"devDependencies":{"b":"^2","c":"3"}}"#,
            "package.json",
        )
        .unwrap();
        assert_eq!(m.license.as_deref(), Some("MIT"));
        assert_eq!(m.authors, ["Ann <ann@example.com>", "Bob <b@example.com>"]);
        assert_eq!(m.repository.as_deref(), Some("https://github.com/s/x"));
        assert_eq!(m.workspaces, ["packages/*"]);
        assert_eq!(m.decl("a").unwrap().kind, EdgeKind::Optional);
        assert_eq!(m.decl("b").unwrap().kind, EdgeKind::Normal);
        assert_eq!(m.decl("c").unwrap().kind, EdgeKind::Dev);
    }
}
