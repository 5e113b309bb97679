//! What each registry's response says: licence, repository, homepage, authors (with e-mails).

use serde_json::Value;

/// Facts a registry returned for one package version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// The licence as the registry states it (normalised later by the licence stage).
    pub license: Option<String>,
    pub repository: Option<String>,
    pub homepage: Option<String>,
    /// `Name <e-mail>` or `Name`.
    pub authors: Vec<String>,
}

impl Facts {
    pub fn is_empty(&self) -> bool {
        self.license.is_none()
            && self.repository.is_none()
            && self.homepage.is_none()
            && self.authors.is_empty()
    }
}

fn s(v: &Value) -> Option<String> {
    v.as_str().map(str::trim).filter(|t| !t.is_empty() && t.len() <= 2048).map(str::to_string)
}

fn person(name: Option<String>, email: Option<String>) -> Option<String> {
    match (name, email) {
        (Some(n), Some(e)) => Some(format!("{n} <{e}>")),
        (Some(n), None) => Some(n),
        (None, Some(e)) => Some(format!("<{e}>")),
        (None, None) => None,
    }
}

/// crates.io `/api/v1/crates/{name}/{version}` (licence, publisher) and `/api/v1/crates/{name}`
/// (repository, homepage).
pub fn crates_io(version_json: &Value, crate_json: Option<&Value>) -> Facts {
    let v = &version_json["version"];
    let mut f = Facts { license: s(&v["license"]), ..Facts::default() };
    if let Some(c) = crate_json {
        f.repository = s(&c["crate"]["repository"]);
        f.homepage = s(&c["crate"]["homepage"]);
    }
    if let Some(p) = person(s(&v["published_by"]["name"]).or_else(|| s(&v["published_by"]["login"])), None) {
        f.authors.push(p);
    }
    f
}

/// npm registry `/{name}/{version}`: `license` (string, or legacy `{type}`), legacy `licenses: [{type}]`,
/// `repository` (string or `{url}`), `homepage`, `author` (string or `{name, email}`), `maintainers`.
pub fn npm(v: &Value) -> Facts {
    let license = match &v["license"] {
        Value::String(_) => s(&v["license"]),
        Value::Object(o) => o.get("type").and_then(s),
        _ => None,
    }
    .or_else(|| {
        let types: Vec<String> =
            v["licenses"].as_array()?.iter().filter_map(|l| s(&l["type"]).or_else(|| s(l))).collect();
        // The legacy array lists the licences a package is offered under: a choice.
        (!types.is_empty()).then(|| types.join(" OR "))
    });
    let repository = match &v["repository"] {
        Value::String(_) => s(&v["repository"]),
        Value::Object(o) => o.get("url").and_then(s),
        _ => None,
    };
    let one = |p: &Value| match p {
        Value::String(_) => s(p),
        Value::Object(_) => person(s(&p["name"]), s(&p["email"])),
        _ => None,
    };
    let mut authors: Vec<String> = one(&v["author"]).into_iter().collect();
    for m in v["maintainers"].as_array().into_iter().flatten().take(50) {
        if let Some(p) = one(m) {
            if !authors.contains(&p) {
                authors.push(p);
            }
        }
    }
    Facts { license, repository, homepage: s(&v["homepage"]), authors }
}

/// PyPI `/pypi/{name}/{version}/json`: `license_expression` (PEP 639), else `license` when it is short
/// (some packages paste the whole text there), else a single `License ::` classifier (several do not say
/// how they combine, so none is used then).
pub fn pypi(v: &Value) -> Facts {
    let info = &v["info"];
    let classifiers: Vec<String> = info["classifiers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(s)
        .filter(|c| c.starts_with("License ::"))
        .collect();
    let license = s(&info["license_expression"])
        .or_else(|| s(&info["license"]).filter(|l| l.len() <= 100 && !l.contains('\n')))
        .or_else(|| (classifiers.len() == 1).then(|| classifiers[0].clone()));
    let urls = &info["project_urls"];
    let url_of = |keys: &[&str]| {
        urls.as_object().and_then(|o| {
            o.iter().find(|(k, _)| keys.iter().any(|w| k.eq_ignore_ascii_case(w))).and_then(|(_, v)| s(v))
        })
    };
    let repository = url_of(&["Source", "Source Code", "Repository", "Code", "GitHub"]);
    let homepage = s(&info["home_page"]).or_else(|| url_of(&["Homepage", "Home"]));
    let mut authors = Vec::new();
    for (n, e) in [("author", "author_email"), ("maintainer", "maintainer_email")] {
        if let Some(p) = person(s(&info[n]), s(&info[e])) {
            if !authors.contains(&p) {
                authors.push(p);
            }
        }
    }
    Facts { license, repository, homepage, authors }
}

/// deps.dev `/v3/systems/{system}/packages/{name}/versions/{version}`: `licenses`, `links`.
pub fn deps_dev(v: &Value) -> Facts {
    let licenses: Vec<String> = v["licenses"].as_array().into_iter().flatten().filter_map(s).collect();
    let link = |label: &str| {
        v["links"].as_array().into_iter().flatten().find(|l| l["label"] == label).and_then(|l| s(&l["url"]))
    };
    Facts {
        // deps.dev gives one SPDX expression per entry; several entries: all apply as it lists them.
        license: (!licenses.is_empty()).then(|| {
            if licenses.len() == 1 {
                licenses[0].clone()
            } else {
                licenses.iter().map(|l| format!("({l})")).collect::<Vec<_>>().join(" AND ")
            }
        }),
        repository: link("SOURCE_REPO"),
        homepage: link("HOMEPAGE"),
        authors: Vec::new(),
    }
}

/// A Maven pom: `<licenses><license><name>/<url>`, `<scm><url>`, `<url>`, `<developers>`. Licences named in
/// a parent pom are not followed (the caller reports that nothing was found).
pub fn maven_pom(xml: &str) -> Facts {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut f = Facts::default();
    let mut names: Vec<String> = Vec::new();
    let (mut dev_name, mut dev_email): (Option<String>, Option<String>) = (None, None);
    let mut steps = 0usize;
    loop {
        steps += 1;
        if steps > 200_000 || path.len() > 64 {
            break;
        }
        match reader.read_event() {
            Ok(Event::Start(e)) => path.push(e.local_name().as_ref().to_string()),
            Ok(Event::End(_)) => {
                if path.last().map(String::as_str) == Some("developer") {
                    if let Some(p) = person(dev_name.take(), dev_email.take()) {
                        f.authors.push(p);
                    }
                }
                path.pop();
            }
            Ok(Event::Text(t)) => {
                let text = t.into_inner().trim().to_string();
                if text.is_empty() {
                    continue;
                }
                let p: Vec<&str> = path.iter().map(String::as_str).collect();
                match p.as_slice() {
                    ["project", "licenses", "license", "name"] => names.push(text),
                    ["project", "licenses", "license", "url"] if names.is_empty() => names.push(text),
                    ["project", "scm", "url"] => f.repository = Some(text),
                    ["project", "url"] => f.homepage = Some(text),
                    ["project", "developers", "developer", "name"] => dev_name = Some(text),
                    ["project", "developers", "developer", "email"] => dev_email = Some(text),
                    _ => {}
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    // Several <license> entries: Maven's convention is that the user may choose.
    f.license = match names.len() {
        0 => None,
        1 => Some(names.remove(0)),
        _ => Some(names.join(" OR ")),
    };
    f
}
