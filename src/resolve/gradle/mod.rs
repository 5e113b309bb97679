//! Gradle, without running Gradle: dependency lockfiles (`gradle.lockfile`, `buildscript-gradle.lockfile`,
//! the older `gradle/dependency-locks/*.lockfile`), version catalogs (`gradle/*.versions.toml`), the
//! checksums of `gradle/verification-metadata.xml`, and best-effort string notation of `build.gradle(.kts)`
//! (marked as declared). Ids are Maven purls: Gradle resolves from Maven repositories.

mod files;

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{
    purl, Component, ComponentKind, Diagnostic, Ecosystem, Edge, EdgeKind, Hash, Location, Scope, SourceKind,
};
use crate::resolve::{Resolution, ResolveContext, Resolver};
use crate::source::tree::join_rel;

pub use files::{is_exact, parse_catalog, parse_lockfile, parse_script, parse_verification, Coord};

/// The Gradle resolver.
pub struct GradleResolver;

const SCRIPTS: [&str; 2] = ["build.gradle", "build.gradle.kts"];
const SETTINGS: [&str; 2] = ["settings.gradle", "settings.gradle.kts"];

/// The scope a configuration implies: test configurations are dev, compile-only, annotation processors
/// and the build script classpath are build, the rest is runtime.
pub fn conf_scope(conf: &str) -> Scope {
    let c = conf.to_ascii_lowercase();
    if c.contains("test") || c == "developmentonly" {
        Scope::Dev
    } else if c == "classpath"
        || c.contains("annotationprocessor")
        || c.starts_with("kapt")
        || c.starts_with("ksp")
        || c.contains("compileonly")
        || c.ends_with("compileclasspath")
    {
        Scope::Build
    } else {
        Scope::Runtime
    }
}

fn edge_kind(s: Scope) -> EdgeKind {
    match s {
        Scope::Dev | Scope::Test | Scope::Example | Scope::Docs => EdgeKind::Dev,
        Scope::Build => EdgeKind::Build,
        Scope::Optional => EdgeKind::Optional,
        Scope::Runtime => EdgeKind::Normal,
    }
}

fn coord_purl(c: &Coord, version: Option<&str>) -> String {
    let cl = c.classifier.as_deref().unwrap_or("");
    purl::build("maven", Some(&c.group), &c.name, version, &[("classifier", cl)])
        .unwrap_or_else(|| format!("pkg:maven/{}/{}", c.group, c.name))
}

fn library(c: &Coord, version: Option<String>, path: &str, resolution: &str) -> Component {
    let id = coord_purl(c, version.as_deref());
    let mut comp = Component::new(Ecosystem::Maven, &c.name, version.clone()).with_purl(id);
    comp.namespace = Some(c.group.clone());
    if version.is_none() {
        comp.requirement = c.requirement.clone();
    }
    comp.found_in.push(Location::new(path, Some(c.line)));
    comp.source = Some(SourceKind::Registry { url: None });
    comp.properties.insert("resolution".into(), resolution.into());
    comp
}

/// The build root a directory belongs to: the nearest ancestor-or-self in `roots`.
fn root_of<'a>(dir: &str, roots: &'a BTreeSet<String>) -> Option<&'a String> {
    roots
        .iter()
        .filter(|r| r.is_empty() || dir == r.as_str() || dir.starts_with(&format!("{r}/")))
        .max_by_key(|r| r.len())
}

fn catalog_key(alias: &str) -> String {
    alias.replace(['_', '.'], "-").to_ascii_lowercase()
}

impl Resolver for GradleResolver {
    fn name(&self) -> &'static str {
        "gradle"
    }

    fn resolve(&self, ctx: &ResolveContext) -> Resolution {
        let mut out = Resolution::default();
        let tree = ctx.tree;
        let read = |path: &str, out: &mut Resolution| match tree.read_text(path) {
            Ok(t) => Some(t),
            Err(d) => {
                out.diagnostics.push(d);
                None
            }
        };
        // Build roots: directories with a `gradle/` folder holding catalogs or verification metadata, or
        // a settings script; every project directory belongs to the nearest one.
        let mut roots: BTreeSet<String> = BTreeSet::new();
        let mut catalogs: Vec<(String, String)> = Vec::new();
        let mut verifications: Vec<(String, String)> = Vec::new();
        let mut projects: BTreeSet<String> = BTreeSet::new();
        for f in tree.files() {
            let dir = f.dir();
            let parent_of_gradle = dir
                .strip_suffix("gradle")
                .map(|d| d.trim_end_matches('/'))
                .filter(|_| dir == "gradle" || dir.ends_with("/gradle"));
            match (f.name(), parent_of_gradle) {
                (n, Some(root)) if n.ends_with(".versions.toml") => {
                    roots.insert(root.to_string());
                    catalogs.push((root.to_string(), f.path.clone()));
                }
                ("verification-metadata.xml", Some(root)) => {
                    roots.insert(root.to_string());
                    verifications.push((root.to_string(), f.path.clone()));
                }
                (n, _) if SETTINGS.contains(&n) => {
                    roots.insert(dir.to_string());
                }
                (n, _)
                    if SCRIPTS.contains(&n)
                        || n == "gradle.lockfile"
                        || n == "buildscript-gradle.lockfile" =>
                {
                    projects.insert(dir.to_string());
                }
                _ => {}
            }
            if f.name().ends_with(".lockfile") && dir.ends_with("gradle/dependency-locks") {
                let proj = dir.trim_end_matches("gradle/dependency-locks").trim_end_matches('/');
                projects.insert(proj.to_string());
            }
        }
        let root_name = tree.root().file_name().and_then(|n| n.to_str()).unwrap_or("root").to_string();

        // Catalog entries by build root; verification checksums by build root.
        let mut catalog: BTreeMap<String, Vec<(Coord, String)>> = BTreeMap::new();
        for (root, path) in &catalogs {
            let Some(text) = read(path, &mut out) else { continue };
            match parse_catalog(&text, path, &mut out.diagnostics) {
                Ok(entries) => catalog
                    .entry(root.clone())
                    .or_default()
                    .extend(entries.into_iter().map(|c| (c, path.clone()))),
                Err(d) => out.diagnostics.push(d),
            }
        }
        let mut checksums: BTreeMap<String, BTreeMap<String, Vec<Hash>>> = BTreeMap::new();
        for (root, path) in &verifications {
            let Some(text) = read(path, &mut out) else { continue };
            match parse_verification(&text, path) {
                Ok(h) => checksums.entry(root.clone()).or_default().extend(h),
                Err(d) => out.diagnostics.push(d),
            }
        }

        let mut components: Vec<(Option<String>, Component)> = Vec::new();
        // Locked versions by build root and group:name, to resolve declarations without a version.
        let mut locked_by_root: BTreeMap<(Option<String>, String), BTreeSet<String>> = BTreeMap::new();
        for dir in &projects {
            let root = root_of(dir, &roots).cloned();
            let script_path = SCRIPTS.iter().filter_map(|s| join_rel(dir, s)).find(|p| tree.contains(p));
            let script = script_path.as_ref().and_then(|p| read(p, &mut out));
            let props_path = join_rel(dir, "gradle.properties").filter(|p| tree.contains(p));
            let props = props_path.and_then(|p| read(&p, &mut out)).unwrap_or_default();
            let settings = SETTINGS
                .iter()
                .filter_map(|s| join_rel(dir, s))
                .find(|p| tree.contains(p))
                .and_then(|p| read(&p, &mut out))
                .unwrap_or_default();
            // The project itself: name from settings or its directory; group and version when literal.
            let name = files::literal(&settings, "rootProject.name")
                .or_else(|| dir.rsplit('/').next().filter(|s| !s.is_empty()).map(str::to_string))
                .unwrap_or_else(|| root_name.clone());
            let lit = |k: &str| {
                script.as_deref().and_then(|s| files::literal(s, k)).or_else(|| files::literal(&props, k))
            };
            let (group, version) = (lit("group"), lit("version").filter(|v| is_exact(v)));
            let mut project = Component::new(Ecosystem::Maven, &name, version.clone());
            project.id = format!("gradle-project:{}", if dir.is_empty() { "." } else { dir });
            if let Some(g) = &group {
                if let Some(p) = purl::build("maven", Some(g), &name, version.as_deref(), &[]) {
                    project = project.with_purl(p);
                }
                project.namespace = Some(g.clone());
            }
            project.kind = ComponentKind::Application;
            project.direct = true;
            project.source = Some(SourceKind::Local);
            let here =
                script_path.clone().unwrap_or_else(|| join_rel(dir, "gradle.lockfile").unwrap_or_default());
            project.found_in.push(Location::new(&here, None));
            let project_id = project.id.clone();
            components.push((root.clone(), project));

            // Lockfiles.
            let mut locked: BTreeMap<(String, String), String> = BTreeMap::new();
            let mut lockfiles: Vec<(String, Option<String>, bool)> = Vec::new();
            for (n, buildscript) in [("gradle.lockfile", false), ("buildscript-gradle.lockfile", true)] {
                if let Some(p) = join_rel(dir, n).filter(|p| tree.contains(p)) {
                    lockfiles.push((p, None, buildscript));
                }
            }
            let old = join_rel(dir, "gradle/dependency-locks").unwrap_or_default();
            for f in tree.files().iter().filter(|f| f.dir() == old && f.name().ends_with(".lockfile")) {
                let conf = f.name().trim_end_matches(".lockfile").to_string();
                lockfiles.push((f.path.clone(), Some(conf.clone()), conf.starts_with("buildscript")));
            }
            for (path, conf, buildscript) in &lockfiles {
                let Some(text) = read(path, &mut out) else { continue };
                for c in parse_lockfile(&text, path, conf.as_deref(), &mut out.diagnostics) {
                    let scope = if *buildscript {
                        Scope::Build
                    } else {
                        c.configurations.iter().map(|s| conf_scope(s)).max().unwrap_or(Scope::Runtime)
                    };
                    let mut comp = library(&c, c.version.clone(), path, "locked");
                    comp.scope = scope;
                    if !c.configurations.is_empty() {
                        comp.properties.insert("gradle-configurations".into(), c.configurations.join(","));
                    }
                    if let Some(v) = &c.version {
                        locked.insert((c.group.clone(), c.name.clone()), v.clone());
                        locked_by_root
                            .entry((root.clone(), format!("{}:{}", c.group, c.name)))
                            .or_default()
                            .insert(v.clone());
                    }
                    components.push((root.clone(), comp));
                }
            }

            // Declarations in the build script: direct dependencies of the project.
            let Some(script) = script else { continue };
            let script_path = script_path.unwrap_or_default();
            let aliases: BTreeMap<String, &(Coord, String)> = root
                .as_ref()
                .and_then(|r| catalog.get(r))
                .map(|v| v.iter().map(|e| (catalog_key(&e.0.configurations[0]), e)).collect())
                .unwrap_or_default();
            let mut decls = parse_script(&script);
            decls.extend(catalog_references(&script, &aliases));
            for c in decls {
                let scope = c.configurations.iter().map(|s| conf_scope(s)).max().unwrap_or(Scope::Runtime);
                let lock_v = locked.get(&(c.group.clone(), c.name.clone())).cloned();
                let version = c.version.clone().or(lock_v.clone());
                let resolution =
                    if lock_v.is_some() && c.version.as_ref().is_none_or(|v| Some(v) == lock_v.as_ref()) {
                        "locked"
                    } else {
                        "declared"
                    };
                let mut comp = library(&c, version.clone(), &script_path, resolution);
                if version.is_none() {
                    comp.properties.insert("resolution".into(), "declared-unresolved".into());
                }
                comp.scope = scope;
                comp.direct = true;
                out.edges.push(Edge {
                    from: project_id.clone(),
                    to: comp.id.clone(),
                    kind: edge_kind(scope),
                });
                components.push((root.clone(), comp));
            }
        }

        // Catalog libraries: declared; a non-exact catalog version takes the one locked version if any.
        for (root, entries) in &catalog {
            for (c, path) in entries {
                let locked = locked_by_root.get(&(Some(root.clone()), format!("{}:{}", c.group, c.name)));
                let version = c
                    .version
                    .clone()
                    .or_else(|| locked.filter(|l| l.len() == 1).and_then(|l| l.first().cloned()));
                let mut comp = library(
                    c,
                    version.clone(),
                    path,
                    if version.is_some() { "declared" } else { "declared-unresolved" },
                );
                comp.properties.insert("gradle-catalog-alias".into(), c.configurations.join(","));
                comp.direct = true;
                components.push((Some(root.clone()), comp));
            }
        }

        // Checksums from verification metadata, on components of the same build with that exact version.
        for (root, mut comp) in components {
            if let (Some(root), Some(v)) = (&root, &comp.version) {
                if comp.purl.as_deref().is_some_and(|p| !p.contains('?')) {
                    let key = format!("{}:{}:{v}", comp.namespace.as_deref().unwrap_or(""), comp.name);
                    if let Some(h) = checksums.get(root).and_then(|m| m.get(&key)) {
                        comp.hashes.extend(h.iter().cloned());
                    }
                }
            }
            out.components.push(comp);
        }
        if !projects.is_empty()
            && catalogs.is_empty()
            && out.components.iter().all(|c| c.kind == ComponentKind::Application)
        {
            out.diagnostics.push(
                Diagnostic::note(
                    "no-lockfile",
                    "Gradle build without lockfile or catalog entries: nothing could be read beyond the projects",
                )
                .at(projects.iter().next().cloned().unwrap_or_default(), None),
            );
        }
        out
    }
}

/// `implementation(libs.foo.bar)` / `implementation libs.foo.bar`: a catalog library by alias.
fn catalog_references(script: &str, aliases: &BTreeMap<String, &(Coord, String)>) -> Vec<Coord> {
    let mut out = Vec::new();
    if aliases.is_empty() {
        return out;
    }
    for (i, line) in script.lines().enumerate() {
        let l = line.trim_start();
        let Some(at) = l.find("libs.") else { continue };
        let conf: String = l.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        if conf.is_empty() || at > conf.len() + 2 {
            continue;
        }
        let alias: String = l[at + 5..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '_' || *c == '-')
            .collect();
        if let Some((c, _)) = aliases.get(&catalog_key(&alias)) {
            let mut c = c.clone();
            c.line = i as u32 + 1;
            c.configurations = vec![conf];
            out.push(c);
        }
    }
    out
}
