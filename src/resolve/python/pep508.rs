//! PEP 508 dependency specifiers and PEP 503 names, parsed by hand (no regex, no recursion).

/// A dependency as a PEP 508 string declares it: `name[extra,…] (spec) ; marker` or `name @ url ; marker`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requirement {
    /// The name as written.
    pub name: String,
    pub extras: Vec<String>,
    /// Version specifiers as written, without parentheses or spaces (`>=1.0,<2`); empty when none.
    pub spec: String,
    /// A direct reference (`name @ https://…`, `git+https://…`).
    pub url: Option<String>,
    /// The environment marker as written (after `;`).
    pub marker: Option<String>,
}

impl Requirement {
    /// The exact version when the specifier pins one: a single `==X` without a wildcard, or `===X`.
    pub fn exact_version(&self) -> Option<String> {
        exact_version(&self.spec)
    }
}

/// The exact version a specifier pins, if it pins exactly one (`==1.2.3`, `===1.2.3`).
pub fn exact_version(spec: &str) -> Option<String> {
    let spec = spec.trim();
    if spec.contains(',') {
        return None;
    }
    let v = if let Some(v) = spec.strip_prefix("===") {
        v
    } else if let Some(v) = spec.strip_prefix("==") {
        if v.contains('*') {
            return None;
        }
        v
    } else {
        return None;
    };
    let v = v.trim();
    (!v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || "._-+!".contains(c)))
        .then(|| v.to_string())
}

/// PEP 503 normalisation: lower case, every run of `-`, `_`, `.` becomes one `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if c == '-' || c == '_' || c == '.' {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Whether a name is a valid distribution name (PEP 508: letters, digits, `-_.`, alphanumeric at both ends).
pub fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 200
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(c))
}

/// Why a specifier could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

/// Parses one PEP 508 requirement. Also accepts Poetry's `name (>=1,<2)` and the loose forms people write
/// (`name>=1 ,<2`, spaces around operators).
pub fn parse(input: &str) -> Result<Requirement, ParseError> {
    let s = input.trim();
    if s.chars().any(|c| c.is_control()) {
        return Err(ParseError("contains control characters".into()));
    }
    // Marker: after the first `;` that is not part of a URL (a URL ends at whitespace before `;`).
    let (body, marker) = split_marker(s);
    let body = body.trim();
    let name_end =
        body.find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c))).unwrap_or(body.len());
    let name = &body[..name_end];
    if !valid_name(name) {
        return Err(ParseError(format!("`{}` is not a valid package name", truncate(body, 60))));
    }
    let mut rest = body[name_end..].trim_start();
    let mut extras = Vec::new();
    if let Some(r) = rest.strip_prefix('[') {
        let Some(close) = r.find(']') else {
            return Err(ParseError("unclosed `[` in extras".into()));
        };
        extras = r[..close].split(',').map(|e| e.trim().to_string()).filter(|e| !e.is_empty()).collect();
        if extras.iter().any(|e| !valid_name(e)) {
            return Err(ParseError("invalid extra name".into()));
        }
        rest = r[close + 1..].trim_start();
    }
    let mut req = Requirement { name: name.to_string(), extras, marker, ..Requirement::default() };
    if let Some(url) = rest.strip_prefix('@') {
        let url = url.trim();
        if url.is_empty() || url.contains(char::is_whitespace) {
            return Err(ParseError("a direct reference needs one URL after `@`".into()));
        }
        req.url = Some(url.to_string());
        return Ok(req);
    }
    let spec = rest.trim();
    let spec = match spec.strip_prefix('(') {
        Some(inner) => inner.strip_suffix(')').ok_or_else(|| ParseError("unclosed `(`".into()))?,
        None => spec,
    };
    let spec: String = spec.chars().filter(|c| !c.is_whitespace()).collect();
    if !spec.is_empty() {
        let ok = spec.split(',').all(|clause| {
            let op_len = clause.find(|c: char| !"<>=!~".contains(c)).unwrap_or(clause.len());
            let (op, ver) = clause.split_at(op_len);
            matches!(op, "==" | "===" | "!=" | "<=" | ">=" | "<" | ">" | "~=")
                && !ver.is_empty()
                && ver.chars().all(|c| c.is_ascii_alphanumeric() || "._-+!*".contains(c))
        });
        if !ok {
            return Err(ParseError(format!("`{}` is not a version specifier", truncate(&spec, 60))));
        }
    }
    req.spec = spec;
    Ok(req)
}

fn split_marker(s: &str) -> (&str, Option<String>) {
    // In `name @ url ; marker` the `;` must follow whitespace; elsewhere any `;` starts the marker.
    let is_url = s.contains('@') && s.contains("://");
    let mut idx = None;
    for (i, c) in s.char_indices() {
        if c == ';' && (!is_url || s[..i].ends_with(char::is_whitespace)) {
            idx = Some(i);
            break;
        }
    }
    match idx {
        Some(i) => {
            let m = s[i + 1..].trim();
            (&s[..i], (!m.is_empty()).then(|| m.to_string()))
        }
        None => (s, None),
    }
}

pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}

/// The version encoded in a wheel or sdist file name (`name-1.0-py3-none-any.whl`, `name-1.0.tar.gz`),
/// when the file name's distribution part matches `norm_name`.
pub fn version_from_filename(file: &str, norm_name: &str) -> Option<String> {
    let file = file.rsplit('/').next()?;
    let stem = file
        .strip_suffix(".whl")
        .or_else(|| file.strip_suffix(".tar.gz"))
        .or_else(|| file.strip_suffix(".zip"))?;
    let is_wheel = file.ends_with(".whl");
    let (dist, rest) = if is_wheel {
        let mut parts = stem.splitn(3, '-');
        let d = parts.next()?;
        let v = parts.next()?;
        parts.next()?;
        (d, v)
    } else {
        let i = stem.rfind('-')?;
        (&stem[..i], &stem[i + 1..])
    };
    (normalize(dist) == norm_name
        && !rest.is_empty()
        && rest.chars().all(|c| c.is_ascii_alphanumeric() || "._+!".contains(c)))
    .then(|| rest.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalised() {
        assert_eq!(normalize("Foo.Bar__baz-"), "foo-bar-baz");
        assert_eq!(normalize("typing_extensions"), "typing-extensions");
        assert_eq!(normalize("zope.interface"), "zope-interface");
    }

    #[test]
    fn specifiers() {
        let r = parse("requests[socks, security] >= 2.8.1, == 2.8.* ; python_version < \"2.7\"").unwrap();
        assert_eq!(r.name, "requests");
        assert_eq!(r.extras, ["socks", "security"]);
        assert_eq!(r.spec, ">=2.8.1,==2.8.*");
        assert_eq!(r.marker.as_deref(), Some("python_version < \"2.7\""));
        assert_eq!(parse("build (>=1.2.1,<2.0.0)").unwrap().spec, ">=1.2.1,<2.0.0");
        let u =
            parse("pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee ; python_version>'3'")
                .unwrap();
        assert_eq!(u.url.as_deref(), Some("https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee"));
        assert!(u.marker.is_some());
        assert_eq!(parse("a==1.0").unwrap().exact_version().as_deref(), Some("1.0"));
        assert_eq!(parse("a===1.0-x").unwrap().exact_version().as_deref(), Some("1.0-x"));
        assert_eq!(parse("a==1.*").unwrap().exact_version(), None);
        assert_eq!(parse("a==1,<2").unwrap().exact_version(), None);
        assert!(parse("-bad").is_err());
        assert!(parse("a >= ").is_err());
        assert!(parse("a[x").is_err());
    }

    #[test]
    fn filenames() {
        assert_eq!(
            version_from_filename("Foo_Bar-1.0.2-py3-none-any.whl", "foo-bar").as_deref(),
            Some("1.0.2")
        );
        assert_eq!(
            version_from_filename("https://x/y/foo-bar-2.0.tar.gz", "foo-bar").as_deref(),
            Some("2.0")
        );
        assert_eq!(version_from_filename("other-1.0.tar.gz", "foo"), None);
    }
}
