//! The Gradle files read as data: dependency lockfiles, version catalogs, verification metadata and the
//! string notation of build scripts.

use std::collections::BTreeMap;

use toml::de::DeValue;

use crate::model::{Diagnostic, Hash, HashAlg};
use crate::resolve::{toml_util, xml};

/// A `group:name:version` coordinate with the line that names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coord {
    pub group: String,
    pub name: String,
    /// An exact version, when the file states one.
    pub version: Option<String>,
    /// What was written when it is not an exact version (a range, `1.+`, `$var`, a rich version).
    pub requirement: Option<String>,
    pub classifier: Option<String>,
    pub line: u32,
    /// Configurations (lockfiles, build scripts) or the catalog alias.
    pub configurations: Vec<String>,
}

/// Whether a Gradle version string is one exact version.
pub fn is_exact(v: &str) -> bool {
    !v.is_empty() && !v.contains(['[', ']', '(', ')', ',', '+', '$', '{', ' ']) && !v.starts_with("latest.")
}

fn split_version(v: Option<&str>) -> (Option<String>, Option<String>) {
    match v {
        Some(v) if is_exact(v) => (Some(v.to_string()), None),
        Some(v) if !v.is_empty() => (None, Some(v.to_string())),
        _ => (None, None),
    }
}

/// `gradle.lockfile` (`g:a:v=conf1,conf2`, `empty=…`) or the older per-configuration
/// `gradle/dependency-locks/<conf>.lockfile` (`g:a:v` lines; `conf` given).
pub fn parse_lockfile(text: &str, path: &str, conf: Option<&str>, diags: &mut Vec<Diagnostic>) -> Vec<Coord> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (coord, confs) = match (line.split_once('='), conf) {
            (Some((c, confs)), _) => {
                (c, confs.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
            }
            (None, Some(c)) => (line, vec![c.to_string()]),
            (None, None) => (line, Vec::new()),
        };
        if coord == "empty" {
            continue;
        }
        let parts: Vec<&str> = coord.split(':').collect();
        match parts.as_slice() {
            [g, a, v] if !g.is_empty() && !a.is_empty() && !v.is_empty() => {
                let (version, requirement) = split_version(Some(v));
                out.push(Coord {
                    group: g.to_string(),
                    name: a.to_string(),
                    version,
                    requirement,
                    classifier: None,
                    line: i as u32 + 1,
                    configurations: confs,
                });
            }
            _ => diags.push(
                Diagnostic::warning(
                    "invalid-lockfile-entry",
                    format!("`{coord}` is not `group:name:version`; skipped"),
                )
                .at(path, Some(i as u32 + 1)),
            ),
        }
    }
    out
}

/// `gradle/libs.versions.toml`: the `[libraries]` table, with `version.ref` looked up in `[versions]`.
pub fn parse_catalog(text: &str, path: &str, diags: &mut Vec<Diagnostic>) -> Result<Vec<Coord>, Diagnostic> {
    let doc = toml_util::parse(text, path)?;
    let doc = doc.get_ref();
    let versions: BTreeMap<String, &DeValue> = toml_util::table(doc, "versions")
        .map(|t| t.iter().map(|(k, v)| (k.get_ref().to_string(), v.get_ref())).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    let Some(libs) = toml_util::table(doc, "libraries") else { return Ok(out) };
    for (alias, v) in libs {
        let line = crate::resolve::line_of(text, v.span().start);
        let alias = alias.get_ref().to_string();
        let (module, version): (Option<String>, Option<RichVersion>) = match v.get_ref() {
            DeValue::String(s) => {
                let parts: Vec<&str> = s.split(':').collect();
                match parts.as_slice() {
                    [g, a] => (Some(format!("{g}:{a}")), None),
                    [g, a, ver] => (Some(format!("{g}:{a}")), Some(RichVersion::from_str(ver))),
                    _ => (None, None),
                }
            }
            DeValue::Table(t) => {
                let module = toml_util::string(t, "module").or_else(|| {
                    Some(format!("{}:{}", toml_util::string(t, "group")?, toml_util::string(t, "name")?))
                });
                let version = match t.get("version").map(|v| v.get_ref()) {
                    Some(DeValue::String(s)) => Some(RichVersion::from_str(s)),
                    Some(DeValue::Table(vt)) => match toml_util::string(vt, "ref") {
                        Some(r) => match versions.get(&r) {
                            Some(v) => Some(RichVersion::from_value(v)),
                            None => {
                                diags.push(
                                    Diagnostic::warning(
                                        "catalog-version-missing",
                                        format!("`{alias}` refers to version `{r}`, which [versions] does not define"),
                                    )
                                    .at(path, Some(line)),
                                );
                                None
                            }
                        },
                        None => Some(RichVersion::from_value(&DeValue::Table(vt.clone()))),
                    },
                    _ => None,
                };
                (module, version)
            }
            _ => (None, None),
        };
        let Some((g, a)) = module.as_deref().and_then(|m| m.split_once(':')) else {
            diags.push(
                Diagnostic::warning(
                    "invalid-dependency",
                    format!("catalog entry `{alias}` names no module; skipped"),
                )
                .at(path, Some(line)),
            );
            continue;
        };
        let (version, requirement) = version.map(|v| (v.exact, v.written)).unwrap_or((None, None));
        out.push(Coord {
            group: g.to_string(),
            name: a.to_string(),
            version,
            requirement,
            classifier: None,
            line,
            configurations: vec![alias],
        });
    }
    Ok(out)
}

/// A catalog version: exact when `strictly`/`require` (or a plain string) is one exact version.
struct RichVersion {
    exact: Option<String>,
    written: Option<String>,
}

impl RichVersion {
    fn from_str(s: &str) -> Self {
        let (exact, written) = split_version(Some(s));
        RichVersion { exact, written }
    }
    fn from_value(v: &DeValue) -> Self {
        match v {
            DeValue::String(s) => Self::from_str(s),
            DeValue::Table(t) => {
                let pick = toml_util::string(t, "strictly").or_else(|| toml_util::string(t, "require"));
                let exact = pick.clone().filter(|p| is_exact(p));
                let written = if exact.is_some() {
                    None
                } else {
                    let parts: Vec<String> = ["strictly", "require", "prefer", "reject"]
                        .iter()
                        .filter_map(|k| toml_util::string(t, k).map(|v| format!("{k} {v}")))
                        .collect();
                    Some(parts.join("; ")).filter(|s| !s.is_empty())
                };
                RichVersion { exact, written }
            }
            _ => RichVersion { exact: None, written: None },
        }
    }
}

/// `gradle/verification-metadata.xml`: the checksums of each component's main artifact
/// (`name-version.jar`), keyed by `group:name:version`.
pub fn parse_verification(text: &str, path: &str) -> Result<BTreeMap<String, Vec<Hash>>, Diagnostic> {
    let root = xml::parse(text, path)?;
    let mut out = BTreeMap::new();
    let Some(components) = root.child("components") else { return Ok(out) };
    for c in components.children_named("component") {
        let (Some(g), Some(n), Some(v)) = (c.attr("group"), c.attr("name"), c.attr("version")) else {
            continue;
        };
        let main = format!("{n}-{v}.jar");
        let Some(artifact) = c.children_named("artifact").find(|a| a.attr("name") == Some(main.as_str()))
        else {
            continue;
        };
        let mut hashes = Vec::new();
        for h in &artifact.children {
            let alg = match h.name.as_str() {
                "sha1" => HashAlg::Sha1,
                "sha256" => HashAlg::Sha256,
                "sha512" => HashAlg::Sha512,
                "md5" => HashAlg::Md5,
                _ => continue,
            };
            if let Some(value) = h.attr("value").filter(|v| v.bytes().all(|b| b.is_ascii_hexdigit())) {
                hashes.push(Hash { alg, value: value.to_ascii_lowercase() });
            }
        }
        out.insert(format!("{g}:{n}:{v}"), hashes);
    }
    Ok(out)
}

/// Configurations whose string-notation declarations are read from build scripts.
const CONFIGURATIONS: &[&str] = &[
    "implementation",
    "api",
    "compileOnly",
    "compileOnlyApi",
    "runtimeOnly",
    "testImplementation",
    "testCompileOnly",
    "testRuntimeOnly",
    "testFixturesImplementation",
    "testFixturesApi",
    "androidTestImplementation",
    "debugImplementation",
    "releaseImplementation",
    "annotationProcessor",
    "testAnnotationProcessor",
    "kapt",
    "ksp",
    "classpath",
    "compile",
    "runtime",
    "testCompile",
    "testRuntime",
    "developmentOnly",
];

/// Best-effort reading of `build.gradle(.kts)`: `conf 'g:a:v'`, `conf("g:a:v")`, and the map notation `group: 'g', name: 'a', version: 'v'`. The script is never evaluated; variables in versions stay as written.
pub fn parse_script(text: &str) -> Vec<Coord> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_start();
        if line.starts_with("//") {
            continue;
        }
        let Some(conf) = CONFIGURATIONS.iter().find(|c| {
            line.strip_prefix(**c).is_some_and(|rest| rest.starts_with(['(', ' ', '\t', '\'', '"']))
        }) else {
            continue;
        };
        let rest = line[conf.len()..].trim_start().trim_start_matches('(').trim_start();
        let rest =
            rest.strip_prefix("platform(").or_else(|| rest.strip_prefix("enforcedPlatform(")).unwrap_or(rest);
        let rest = rest.trim_start();
        if rest.starts_with("group") {
            if let Some(c) = map_notation(rest, i as u32 + 1, conf) {
                out.push(c);
            }
            continue;
        }
        let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else { continue };
        let Some(end) = rest[1..].find(q) else { continue };
        let notation = &rest[1..1 + end];
        let notation = notation.split('@').next().unwrap_or(notation);
        let parts: Vec<&str> = notation.split(':').collect();
        let (g, a, v, c) = match parts.as_slice() {
            [g, a] => (*g, *a, None, None),
            [g, a, v] => (*g, *a, Some(*v), None),
            [g, a, v, c] => (*g, *a, Some(*v), Some(*c)),
            _ => continue,
        };
        if g.is_empty() || a.is_empty() || g.contains(['$', ' ']) || a.contains(['$', ' ']) {
            continue;
        }
        let (version, requirement) = split_version(v);
        out.push(Coord {
            group: g.to_string(),
            name: a.to_string(),
            version,
            requirement,
            classifier: c.filter(|c| !c.is_empty()).map(str::to_string),
            line: i as u32 + 1,
            configurations: vec![conf.to_string()],
        });
    }
    out
}

/// Map notation: `group: 'g', name: 'a', version: 'v'` (Groovy) or `group = "g", name = "a", version = "v"`
/// (Kotlin); only quoted literal values are taken.
fn map_notation(rest: &str, line: u32, conf: &str) -> Option<Coord> {
    let value = |key: &str| -> Option<String> {
        let mut from = 0;
        while let Some(i) = rest[from..].find(key) {
            let at = from + i;
            let before_ok = at == 0 || !rest.as_bytes()[at - 1].is_ascii_alphanumeric();
            let after = rest[at + key.len()..].trim_start();
            if let (true, Some(after)) =
                (before_ok, after.strip_prefix(':').or_else(|| after.strip_prefix('=')))
            {
                let after = after.trim_start();
                let q = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
                let end = after[1..].find(q)?;
                return Some(after[1..1 + end].to_string());
            }
            from = at + key.len();
        }
        None
    };
    let (g, a) = (value("group")?, value("name")?);
    if g.is_empty() || a.is_empty() || g.contains('$') || a.contains('$') {
        return None;
    }
    let (version, requirement) = split_version(value("version").as_deref());
    Some(Coord {
        group: g,
        name: a,
        version,
        requirement,
        classifier: value("classifier"),
        line,
        configurations: vec![conf.to_string()],
    })
}

/// A literal `key = 'value'` / `key = "value"` assignment of a build script or `key=value` of
/// `gradle.properties` / `settings.gradle`.
pub fn literal(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let rest = l.trim().strip_prefix(key)?.trim_start().strip_prefix('=')?.trim();
        let v = rest.trim_matches(|c| c == '"' || c == '\'');
        (!v.is_empty() && !v.contains(['$', ' ', '(', '"', '\''])).then(|| v.to_string())
    })
}
