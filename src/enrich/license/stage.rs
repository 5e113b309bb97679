//! The licence stage over a whole inventory: normalise declared licences, detect licences in the texts of
//! the scanned tree and of packages installed in it, conclude, and report what could not be settled.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::conclude::{base_ids, conclude, Curated};
use super::curations::{self, Curations};
use super::detect::{self, Detected};
use super::installed::{cargo_registry_license, installed_license_files, Probe};
use super::normalise::{normalise, Normalised};
use super::{Aliases, LicenseOptions, RulesError};
use crate::model::{Component, Diagnostic, Ecosystem, Inventory, LicenseValue, SourceKind};
use crate::source::tree::join_rel;
use crate::source::SourceTree;

/// Source files whose first lines are read for `SPDX-License-Identifier:` tags.
const TAGGED_EXTS: &[&str] = &[
    "rs", "c", "h", "cc", "cpp", "hpp", "cxx", "go", "py", "js", "mjs", "cjs", "ts", "tsx", "jsx", "java",
    "kt", "scala", "swift", "rb", "php", "cs", "sh", "bash", "pl", "pm", "lua", "zig", "s", "S", "css",
    "scss", "vue", "svelte", "dart", "m", "mm", "proto", "cmake", "toml", "yaml", "yml",
];
const TAG_HEAD_BYTES: usize = 8 * 1024;
const TAG_MAX_LINES: usize = 40;
/// Licence files are at most this large (installed ones are read directly, not through the walk).
pub(super) const MAX_INSTALLED_FILE: u64 = 1024 * 1024;

/// One licence file, identified.
#[derive(Debug, Clone)]
pub(super) struct LicenseFile {
    pub(super) path: String,
    pub(super) found: Vec<Detected>,
    /// `dual-licensed under A and B`: the expression the file states.
    pub(super) statement: Option<String>,
    /// Its copyright notices (`Copyright (c) 2019 Google LLC`), verbatim; origin evidence when the holder
    /// is a known organisation.
    pub(super) copyrights: Vec<String>,
}

fn rules_error(e: RulesError) -> Diagnostic {
    Diagnostic::error("license-rules-invalid", e.to_string())
}

fn load_user(path: &Option<PathBuf>) -> Option<Result<(String, String), RulesError>> {
    let p = path.as_ref()?;
    let file = p.display().to_string();
    Some(
        std::fs::read_to_string(p)
            .map(|t| (t, file.clone()))
            .map_err(|source| RulesError::Read { file, source }),
    )
}

/// Runs the licence stage. Never fails: problems are diagnostics.
pub fn enrich(inv: &mut Inventory, tree: &SourceTree, opts: &LicenseOptions) {
    let mut diags = Vec::new();
    let mut aliases = Aliases::builtin().clone();
    if let Some(r) = load_user(&opts.aliases) {
        if let Err(e) = r.and_then(|(t, f)| aliases.merge_yaml(&t, &f)) {
            diags.push(rules_error(e));
        }
    }
    let mut cur = Curations::default();
    if let Err(e) = cur.merge_yaml(curations::BUILTIN, "rules/licenses/curations.yaml") {
        diags.push(rules_error(e));
    }
    if let Some(r) = load_user(&opts.curations) {
        if let Err(e) = r.and_then(|(t, f)| cur.merge_yaml(&t, &f)) {
            diags.push(rules_error(e));
        }
    }
    if let Some(r) = load_user(&opts.categories) {
        if let Err(e) = r.and_then(|(t, f)| super::categories::load_user_file(&t, &f)) {
            diags.push(rules_error(e));
        }
    }

    // 0. Crates without a declared licence (cargo metadata could not run, or was not asked): their own
    //    Cargo.toml in the local registry cache, when it is there.
    if opts.cargo_registry {
        for c in inv
            .components
            .iter_mut()
            .filter(|c| c.ecosystem == Ecosystem::Cargo && c.license.declared.is_none())
        {
            c.license.declared = cargo_registry_license(c);
        }
    }

    // 1. Declared values, normalised.
    let mut changed: BTreeMap<(String, String), usize> = BTreeMap::new();
    // Each distinct declared string is normalised once, here and for the `SeeFile` check below.
    let mut normalised: HashMap<String, Normalised> = HashMap::new();
    for c in &mut inv.components {
        if let Some(d) = c.license.declared.as_mut() {
            normalise_declared(d, &c.id, &aliases, &mut normalised, &mut changed, &mut diags);
        }
    }
    for ((from, to), n) in changed {
        diags.push(Diagnostic::note(
            "license-normalised",
            format!("declared `{from}` read as the SPDX expression `{to}` ({n} component(s))"),
        ));
    }

    // 2. Licence files and SPDX tags of the scanned tree.
    let files = detect_tree_files(tree, opts.floor, &aliases, &mut diags);
    let by_dir: BTreeMap<String, Vec<&LicenseFile>> = files.iter().fold(BTreeMap::new(), |mut m, f| {
        m.entry(parent(&f.path).to_string()).or_default().push(f);
        m
    });
    let comp_dirs: Vec<Option<String>> = inv.components.iter().map(|c| component_dir(c, tree)).collect();
    let owner_dirs: BTreeSet<String> = comp_dirs.iter().flatten().cloned().collect();
    let tags = spdx_tags(tree, &owner_dirs, &aliases);

    // 3. Per component: texts in its directory (or the nearest ancestor with texts), installed copies.
    let mut used_dirs = BTreeSet::new();
    let mut probe = Probe::default();
    for (i, c) in inv.components.iter_mut().enumerate() {
        // What earlier stages detected (the provenance stage's SPDX tags and notices in vendored files)
        // is kept and added to.
        let mut detected: Vec<LicenseValue> = std::mem::take(&mut c.license.detected);
        if let Some(dir) = &comp_dirs[i] {
            if let Some((d, lfs)) = nearest(&by_dir, dir) {
                used_dirs.insert(d.to_string());
                let mut texts = Vec::new();
                let mut notices: Vec<&String> = Vec::new();
                for lf in lfs {
                    push_file(&mut texts, lf);
                    notices.extend(&lf.copyrights);
                }
                // Texts of an ancestor directory (a workspace root) are the component's only when it
                // declares nothing else: a member that declares its own licence is not contradicted by
                // the root's texts.
                let declared_ids =
                    c.license.declared.as_ref().filter(|d| d.valid).and_then(|d| base_ids(&d.expression));
                let inherited = d != dir.as_str();
                let agree = |ids: &Option<BTreeSet<String>>| match (&declared_ids, ids) {
                    (Some(decl), Some(ids)) => ids.is_subset(decl),
                    _ => false,
                };
                if !inherited {
                    // The notices of texts in the component's own directory only: an ancestor's (the
                    // submitter's root LICENSE) say who owns the tree, not this component.
                    add_notices(c, notices);
                }
                if !inherited || declared_ids.is_none() {
                    detected.extend(texts);
                } else {
                    detected.extend(texts.into_iter().filter(|t| agree(&base_ids(&t.expression))));
                }
            }
            for v in tags.get(dir).into_iter().flatten() {
                detected.push(v.clone());
            }
            if let Some(Normalised::SeeFile { file }) = c
                .license
                .declared
                .as_ref()
                .and_then(|d| d.original.as_deref())
                .map(|o| normalised_once(&mut normalised, o, &aliases))
            {
                see_file(c, dir, &file, tree, opts.floor, &aliases, &mut detected, &mut diags);
            }
        } else {
            for lf in installed_license_files(c, tree.root(), opts, &aliases, &mut probe) {
                push_file(&mut detected, &lf);
                add_notices(c, &lf.copyrights);
            }
        }
        dedup(&mut detected);
        c.license.detected = detected;
        let curated: Option<&Curated> = c.purl.as_deref().and_then(|p| cur.find(p));
        let (concluded, d) =
            conclude(&c.display_name(), c.license.declared.as_ref(), &c.license.detected, curated);
        c.license.concluded = concluded;
        diags.extend(d);
    }

    // 4. The scanned tree's own licence (root texts), and texts no component claimed.
    let mut root_detected = Vec::new();
    if let Some(lfs) = by_dir.get("") {
        for lf in lfs {
            push_file(&mut root_detected, lf);
        }
    }
    dedup(&mut root_detected);
    // The declared licence of the tree is that of the one component at its root, when there is one.
    let root_components: Vec<usize> =
        (0..inv.components.len()).filter(|&i| comp_dirs[i].as_deref() == Some("")).collect();
    let root_declared = match root_components.as_slice() {
        [i] => inv.components[*i].license.declared.clone().filter(|d| d.valid),
        _ => None,
    };
    if !root_detected.is_empty() || root_declared.is_some() {
        // Code and model licensed apart (LICENSE-CODE, LICENSE-MODEL): each on the part it governs.
        let (concluded, d) = match super::roles::split_root(inv, root_declared.as_ref(), &root_detected) {
            Some((v, d)) => (Some(v), d),
            None => conclude(&inv.subject.name, root_declared.as_ref(), &root_detected, None),
        };
        inv.license.declared = root_declared;
        inv.license.detected = root_detected;
        inv.license.concluded = concluded;
        diags.extend(d);
    }
    for (dir, lfs) in &by_dir {
        if dir.is_empty() || used_dirs.contains(dir) {
            continue;
        }
        for lf in lfs {
            let ids: Vec<String> =
                lf.found.iter().map(|d| d.id.clone()).chain(lf.statement.clone()).collect();
            if !ids.is_empty() {
                diags.push(
                    Diagnostic::note(
                        "license-file-unattributed",
                        format!(
                            "licence text of {} in a directory that is no component (vendored code?)",
                            ids.join(", ")
                        ),
                    )
                    .at(lf.path.clone(), None),
                );
            }
        }
    }
    inv.diagnostics.extend(diags);
}

/// [`normalise`] of a declared string, once per distinct string (a lockfile declares the same few strings
/// for most of its packages).
fn normalised_once(memo: &mut HashMap<String, Normalised>, declared: &str, aliases: &Aliases) -> Normalised {
    if let Some(n) = memo.get(declared) {
        return n.clone();
    }
    let n = normalise(declared, aliases);
    memo.insert(declared.to_string(), n.clone());
    n
}

fn normalise_declared(
    d: &mut LicenseValue,
    id: &str,
    aliases: &Aliases,
    normalised: &mut HashMap<String, Normalised>,
    changed: &mut BTreeMap<(String, String), usize>,
    diags: &mut Vec<Diagnostic>,
) {
    let original = d.original.clone().unwrap_or_else(|| d.expression.clone());
    d.original = Some(original.clone());
    let at =
        |diag: Diagnostic| if looks_like_path(&d.source) { diag.at(d.source.clone(), None) } else { diag };
    match normalised_once(normalised, &original, aliases) {
        Normalised::Mapped { expression, changed: ch } => {
            if ch {
                *changed.entry((original.clone(), expression.clone())).or_default() += 1;
            }
            d.expression = expression;
            d.valid = true;
        }
        Normalised::Ambiguous { reason } => {
            d.expression = original.clone();
            d.valid = false;
            diags.push(at(Diagnostic::warning(
                "license-ambiguous",
                format!("{id}: declared licence `{original}` is not mapped to SPDX: {reason}"),
            )));
        }
        Normalised::SeeFile { file } => {
            d.expression = original.clone();
            d.valid = false;
            diags.push(at(Diagnostic::note(
                "license-see-file",
                format!("{id}: declared licence refers to the file `{file}`; its text decides"),
            )));
        }
        Normalised::Unmapped { unknown, lax_guess } => {
            d.expression = original.clone();
            d.valid = false;
            let guess = lax_guess
                .map(|g| format!("; lax SPDX parsing would read it as `{g}`, a guess that is not used"))
                .unwrap_or_default();
            diags.push(at(Diagnostic::warning(
                "license-not-spdx",
                format!(
                    "{id}: declared licence `{original}` is not an SPDX expression (unknown: {}){guess}",
                    unknown.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", ")
                ),
            )));
        }
    }
}

fn looks_like_path(s: &str) -> bool {
    s.contains('/') || s.contains('.')
}

pub(super) fn parent(path: &str) -> &str {
    path.rfind('/').map(|i| &path[..i]).unwrap_or("")
}

/// The directory of a component inside the scanned tree: workspace members and path dependencies.
fn component_dir(c: &Component, tree: &SourceTree) -> Option<String> {
    match &c.source {
        Some(SourceKind::Path { path }) if !path.is_empty() => {
            let p = path.trim_end_matches('/').trim_start_matches("./");
            (p.is_empty() || tree.has_dir(p)).then(|| p.to_string())
        }
        Some(SourceKind::Local) => {
            if let Some(d) = c.license.declared.as_ref().filter(|d| tree.contains(&d.source)) {
                return Some(parent(&d.source).to_string());
            }
            c.found_in.iter().map(|l| parent(&l.path)).max_by_key(|d| d.len()).map(str::to_string)
        }
        _ => None,
    }
}

/// The licence files of `dir` or of its nearest ancestor that has some.
fn nearest<'a>(
    by_dir: &'a BTreeMap<String, Vec<&'a LicenseFile>>,
    dir: &str,
) -> Option<(&'a str, &'a [&'a LicenseFile])> {
    let mut d = dir;
    loop {
        if let Some((k, v)) = by_dir.get_key_value(d) {
            return Some((k.as_str(), v.as_slice()));
        }
        if d.is_empty() {
            return None;
        }
        d = parent(d);
    }
}

fn push_file(detected: &mut Vec<LicenseValue>, lf: &LicenseFile) {
    for d in &lf.found {
        detected.push(LicenseValue {
            expression: d.id.clone(),
            original: None,
            valid: true,
            source: match d.lines {
                Some((a, b)) => format!("{}:{}-{}", lf.path, a + 1, b),
                None => lf.path.clone(),
            },
            score: Some(d.score),
        });
    }
    if let Some(s) = &lf.statement {
        detected.push(LicenseValue {
            expression: s.clone(),
            original: None,
            valid: true,
            source: lf.path.clone(),
            score: None,
        });
    }
}

/// Adds licence-file notices to the component's copyrights (no duplicates).
fn add_notices<'a>(c: &mut crate::model::Component, notices: impl IntoIterator<Item = &'a String>) {
    for n in notices {
        if !c.copyrights.contains(n) {
            c.copyrights.push(n.clone());
        }
    }
}

/// At most this many notices are kept per licence file.
const MAX_NOTICES: usize = 8;

/// The copyright notices of a licence text: lines that start with `Copyright`, `(c)` or `©` and name a
/// holder (licence templates such as `Copyright [yyyy] [name of copyright owner]` are not notices).
fn copyright_lines(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines().take(400) {
        let t = line.trim().trim_start_matches(['#', '*', '/', ';']).trim();
        let lower = t.to_ascii_lowercase();
        let starts = lower.starts_with("copyright") || lower.starts_with("(c)") || t.starts_with('©');
        let template = ['[', '<', '{'].iter().any(|c| t.contains(*c))
            || lower.contains("copyright holder")
            || lower.contains("copyright owner")
            || lower.contains("copyright notice")
            || lower.contains("copyright law");
        if !starts || template || t.len() > 200 {
            continue;
        }
        // A holder: something beyond the word, the symbol and the years.
        let rest: String = t
            .split_whitespace()
            .filter(|w| {
                let wl = w.to_ascii_lowercase();
                !(wl.starts_with("copyright")
                    || wl == "(c)"
                    || *w == "©"
                    || w.chars().all(|c| c.is_ascii_digit() || ",-".contains(c)))
            })
            .collect();
        if rest.chars().any(char::is_alphabetic) && !out.iter().any(|o| o == t) {
            out.push(t.to_string());
            if out.len() == MAX_NOTICES {
                break;
            }
        }
    }
    out
}

fn dedup(v: &mut Vec<LicenseValue>) {
    v.sort_by(|a, b| (&a.expression, &a.source).cmp(&(&b.expression, &b.source)));
    v.dedup_by(|a, b| a.expression == b.expression && a.source == b.source);
}

pub(super) fn detect_one(path: String, text: &str, floor: f32, aliases: &Aliases) -> LicenseFile {
    let found = detect::detect_text(text, floor);
    let statement = if found.is_empty() { detect::dual_license_statement(text, aliases) } else { None };
    LicenseFile { path, found, statement, copyrights: copyright_lines(text) }
}

/// Detects every licence file of the walked tree (on up to two threads: the machine is shared).
fn detect_tree_files(
    tree: &SourceTree,
    floor: f32,
    aliases: &Aliases,
    diags: &mut Vec<Diagnostic>,
) -> Vec<LicenseFile> {
    let paths: Vec<&str> = tree
        .files()
        .iter()
        .filter(|f| !installed_area(&f.path))
        .filter(|f| detect::is_license_file_name(f.name()) || reuse_license_text(&f.path))
        .filter(|f| f.size <= MAX_INSTALLED_FILE)
        .map(|f| f.path.as_str())
        .collect();
    let texts: Vec<(String, String)> = paths
        .iter()
        .filter_map(|p| match tree.read(p) {
            Ok(bytes) => Some((p.to_string(), String::from_utf8_lossy(&bytes).into_owned())),
            Err(d) => {
                diags.push(d);
                None
            }
        })
        .collect();
    // A monorepo carries one licence text many times (vue: 13 files, 2 texts; ripgrep: 15 files, 2 texts):
    // each distinct text is detected once and its answer given to every file holding it.
    let mut slot_of: HashMap<&str, usize> = HashMap::new();
    let mut distinct: Vec<&str> = Vec::new();
    let slots: Vec<usize> = texts
        .iter()
        .map(|(_, t)| {
            *slot_of.entry(t.as_str()).or_insert_with(|| {
                distinct.push(t.as_str());
                distinct.len() - 1
            })
        })
        .collect();
    let threads = crate::util::threads().min(2);
    let chunk = distinct.len().div_ceil(threads).max(1);
    let answers: Vec<LicenseFile> = std::thread::scope(|s| {
        let handles: Vec<_> = distinct
            .chunks(chunk)
            .map(|part| {
                let h = s.spawn(move || {
                    part.iter().map(|t| detect_one(String::new(), t, floor, aliases)).collect::<Vec<_>>()
                });
                (part.len(), h)
            })
            .collect();
        // A chunk whose thread failed answers "nothing identified" for each of its texts, so that the
        // answers stay aligned with `distinct`.
        let unanswered = || LicenseFile {
            path: String::new(),
            found: Vec::new(),
            statement: None,
            copyrights: Vec::new(),
        };
        handles
            .into_iter()
            .flat_map(|(n, h)| h.join().unwrap_or_else(|_| (0..n).map(|_| unanswered()).collect()))
            .collect()
    });
    let mut out: Vec<LicenseFile> = texts
        .iter()
        .zip(&slots)
        .filter_map(|((path, _), &i)| answers.get(i).map(|a| LicenseFile { path: path.clone(), ..a.clone() }))
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    for lf in &out {
        if lf.found.is_empty() && lf.statement.is_none() {
            diags.push(
                Diagnostic::note(
                    "license-text-unidentified",
                    format!("no licence identified in this file at a score of {floor:.2} or more"),
                )
                .at(lf.path.clone(), None),
            );
        }
    }
    out
}

/// Installed packages and build output inside the tree: their texts belong to those packages (read through
/// the components), not to the scanned project.
fn installed_area(path: &str) -> bool {
    path.starts_with("target/")
        || path
            .split('/')
            .any(|seg| matches!(seg, "site-packages" | "dist-packages" | "node_modules" | ".tox"))
}

/// A licence text in a REUSE `LICENSES/` directory (`LICENSES/MIT.txt`).
fn reuse_license_text(path: &str) -> bool {
    let p = parent(path);
    let dir = p.rsplit('/').next().unwrap_or(p);
    let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    dir == "LICENSES" && matches!(ext, "txt" | "md" | "")
}

/// `SPDX-License-Identifier:` tags per owning component directory (the deepest that contains the file),
/// one value per distinct expression with the first file and how many more carry it.
fn spdx_tags(
    tree: &SourceTree,
    owners: &BTreeSet<String>,
    aliases: &Aliases,
) -> BTreeMap<String, Vec<LicenseValue>> {
    let mut acc: BTreeMap<(String, String), (String, u32, bool, usize)> = BTreeMap::new();
    for f in tree.files() {
        let ext = f.name().rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        if !TAGGED_EXTS.contains(&ext) || detect::is_license_file_name(f.name()) || installed_area(&f.path) {
            continue;
        }
        let Some(owner) = owner_of(&f.path, owners) else { continue };
        let Some(head) = read_head(tree.root(), &f.path, TAG_HEAD_BYTES) else { continue };
        for (line, raw) in detect::spdx_identifier_lines(&head, TAG_MAX_LINES) {
            let (expr, valid) = match normalise(&raw, aliases) {
                Normalised::Mapped { expression, .. } => (expression, true),
                _ => (raw.clone(), false),
            };
            let e = acc.entry((owner.to_string(), expr)).or_insert((
                format!("{}:{line}", f.path),
                line,
                valid,
                0,
            ));
            e.3 += 1;
        }
    }
    let mut out: BTreeMap<String, Vec<LicenseValue>> = BTreeMap::new();
    for ((owner, expr), (first, _, valid, n)) in acc {
        let source = if n > 1 {
            format!("{first} (SPDX-License-Identifier, and {} more files)", n - 1)
        } else {
            format!("{first} (SPDX-License-Identifier)")
        };
        out.entry(owner).or_default().push(LicenseValue {
            expression: expr,
            original: None,
            valid,
            source,
            score: None,
        });
    }
    out
}

fn owner_of<'a>(path: &str, owners: &'a BTreeSet<String>) -> Option<&'a str> {
    let mut d = parent(path);
    loop {
        if let Some(o) = owners.get(d) {
            return Some(o.as_str());
        }
        if d.is_empty() {
            return None;
        }
        d = parent(d);
    }
}

/// The first bytes of a tree file (no symlinks: the walk listed regular files only).
fn read_head(root: &Path, rel: &str, max: usize) -> Option<String> {
    use std::io::Read;
    let f = std::fs::File::open(root.join(rel)).ok()?;
    let mut buf = Vec::with_capacity(max.min(64 * 1024));
    f.take(max as u64).read_to_end(&mut buf).ok()?;
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// `SEE LICENSE IN <file>`: detects that file, relative to the component's directory, inside the tree.
#[allow(clippy::too_many_arguments)]
fn see_file(
    c: &Component,
    dir: &str,
    file: &str,
    tree: &SourceTree,
    floor: f32,
    aliases: &Aliases,
    detected: &mut Vec<LicenseValue>,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(rel) = join_rel(dir, file) else {
        diags.push(Diagnostic::warning(
            "license-see-file-missing",
            format!("{}: `{file}` leaves the scanned tree", c.display_name()),
        ));
        return;
    };
    match tree.read(&rel) {
        Ok(bytes) => push_file(detected, &detect_one(rel, &String::from_utf8_lossy(&bytes), floor, aliases)),
        Err(_) => diags.push(Diagnostic::warning(
            "license-see-file-missing",
            format!("{}: the declared licence file `{rel}` is not in the scanned tree", c.display_name()),
        )),
    }
}

#[cfg(test)]
mod notice_tests {
    use super::copyright_lines;

    #[test]
    fn notices_but_not_templates() {
        let text = "Apache License\n   Copyright [yyyy] [name of copyright owner]\nCopyright <YEAR> <COPYRIGHT HOLDER>\n\
                    the copyright holders ...\nCopyright (c) 2019-2024 Google LLC\n© 2020 Zhipu AI\nCopyright 2021\n\
                    Copyright (c) 2019-2024 Google LLC\n";
        assert_eq!(copyright_lines(text), ["Copyright (c) 2019-2024 Google LLC", "© 2020 Zhipu AI"]);
    }
}
