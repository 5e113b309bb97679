//! pip requirement files (`requirements*.txt`, `*requirements.txt`, `requirements/*.txt`, and `.in`
//! sources of pip-tools): pins, ranges, extras, markers, `--hash`, `-r`/`-c` includes (relative to the
//! including file, cycles and depth bounded), `-e` editables, VCS and URL requirements, continuation
//! lines, comments and index options (credentials redacted).

use std::collections::BTreeMap;

use crate::model::{Component, Diagnostic, EdgeKind, Hash, HashAlg, Location, Scope, SourceKind};
use crate::resolve::Resolution;
use crate::source::tree::join_rel;
use crate::source::SourceTree;
use crate::util::redact::redact_url;

use super::pep508::{self, Requirement};
use super::reqlines::{check_url, logical_lines, split_option};
use super::{declared_component, declared_source, Project};

/// How deep `-r` / `-c` includes may nest.
const MAX_INCLUDE_DEPTH: usize = 16;

/// Whether a file is a pip requirement file sovereign reads on its own (included files are read too).
pub fn is_requirements_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let Some(stem) = name.strip_suffix(".txt").or_else(|| name.strip_suffix(".in")) else { return false };
    if stem.starts_with("requirements") || stem.ends_with("requirements") {
        return true;
    }
    let parent = path.rsplit('/').nth(1).unwrap_or("").to_ascii_lowercase();
    (parent == "requirements" || parent == "reqs") && name != "readme.txt"
}

/// The scope a file name implies: `requirements-dev.txt`, `test-requirements.txt`, `requirements/docs.in`
/// are development files; everything else is runtime.
pub fn scope_of(path: &str) -> Scope {
    const DEV: [&str; 9] = ["dev", "develop", "test", "tests", "testing", "docs", "doc", "lint", "typing"];
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let dev = name.split(['-', '_', '.']).any(|t| DEV.contains(&t));
    if dev {
        Scope::Dev
    } else {
        Scope::Runtime
    }
}

/// One requirement line, with what the options around it said.
#[derive(Debug, Clone)]
struct Entry {
    req: Requirement,
    source: Option<SourceKind>,
    editable: bool,
    hashes: Vec<String>,
    loc: Location,
    /// A local directory inside the tree (editable or path requirement).
    local_dir: Option<String>,
    /// The name was taken from a URL's last segment, not declared.
    name_guessed: bool,
}

#[derive(Default)]
struct State {
    entries: Vec<Entry>,
    constraints: BTreeMap<String, (String, Location)>,
    index: Option<(String, Location)>,
    extra_index: Vec<(String, Location)>,
    diags: Vec<Diagnostic>,
    /// Files already read (and whether as constraints): a file included twice (a diamond) is read once,
    /// so hostile fan-out cannot make the work grow exponentially.
    read: std::collections::BTreeSet<(String, bool)>,
}

/// Reads every requirement file of the tree. A pip-tools pair (`x.in` declaring, `x.txt` compiled from
/// it) is read as a project and its lock: the `.txt` gives the components and versions, the `.in` says
/// which are direct (pip-compile lists every transitive dependency too) and is not read on its own.
pub fn resolve_all(tree: &SourceTree, projects: &BTreeMap<String, Project>) -> Resolution {
    let mut out = Resolution::default();
    for f in
        tree.files().iter().filter(|f| is_requirements_file(&f.path) && !super::in_installed_tree(&f.path))
    {
        let sibling = |from: &str, to: &str| f.path.strip_suffix(from).map(|stem| format!("{stem}{to}"));
        if sibling(".in", ".txt").is_some_and(|t| tree.contains(&t)) {
            continue;
        }
        let declared = sibling(".txt", ".in").filter(|i| tree.contains(i)).map(|i| {
            let mut st = State::default();
            read_file(tree, &i, false, &mut Vec::new(), &mut st, None);
            out.diagnostics.append(&mut st.diags);
            st.entries
                .into_iter()
                .map(|e| (pep508::normalize(&e.req.name), e.loc))
                .collect::<BTreeMap<String, Location>>()
        });
        let mut st = State::default();
        let mut stack = Vec::new();
        read_file(tree, &f.path, false, &mut stack, &mut st, None);
        let mut res = build(st, scope_of(&f.path), projects);
        if let Some(declared) = declared {
            for c in &mut res.components {
                match declared.get(&c.name) {
                    Some(loc) => c.found_in.push(loc.clone()),
                    None => c.direct = false,
                }
            }
        }
        out.append(res);
    }
    out
}

/// Reads one file (and its includes) into the state. `constraint` files contribute pins only.
fn read_file(
    tree: &SourceTree,
    path: &str,
    constraint: bool,
    stack: &mut Vec<String>,
    st: &mut State,
    from: Option<&Location>,
) {
    if stack.iter().any(|p| p == path) {
        let chain = format!("{} -> {path}", stack.join(" -> "));
        let d = Diagnostic::warning(
            "requirements-include-cycle",
            format!("include cycle: {chain}; not followed again"),
        );
        st.diags.push(match from {
            Some(l) => d.at(&l.path, l.line),
            None => d.at(path, None),
        });
        return;
    }
    if stack.len() >= MAX_INCLUDE_DEPTH {
        let d = Diagnostic::warning(
            "requirements-include-too-deep",
            format!("includes nest deeper than {MAX_INCLUDE_DEPTH} files; `{path}` not read"),
        );
        st.diags.push(match from {
            Some(l) => d.at(&l.path, l.line),
            None => d.at(path, None),
        });
        return;
    }
    if !st.read.insert((path.to_string(), constraint)) {
        return;
    }
    let text = match tree.read_text(path) {
        Ok(t) => t,
        Err(d) => {
            st.diags.push(d);
            return;
        }
    };
    stack.push(path.to_string());
    let dir = path.rfind('/').map(|i| &path[..i]).unwrap_or("");
    for (line, logical) in logical_lines(&text) {
        let loc = Location::new(path, Some(line));
        read_line(tree, &logical, dir, constraint, &loc, stack, st);
    }
    stack.pop();
}

fn read_line(
    tree: &SourceTree,
    line: &str,
    dir: &str,
    constraint: bool,
    loc: &Location,
    stack: &mut Vec<String>,
    st: &mut State,
) {
    if !line.starts_with('-') {
        if let Some(e) = requirement_entry(line, false, dir, loc, st) {
            if constraint {
                if let Some(v) = e.req.exact_version() {
                    st.constraints.insert(pep508::normalize(&e.req.name), (v, loc.clone()));
                }
            } else {
                st.entries.push(e);
            }
        }
        return;
    }
    let (opt, value, rest) = split_option(line);
    let need_value = |st: &mut State| {
        st.diags.push(
            Diagnostic::warning("invalid-requirement", format!("option `{opt}` needs a value"))
                .at(&loc.path, loc.line),
        );
    };
    match opt.as_str() {
        "-r" | "--requirement" | "-c" | "--constraint" => {
            let Some(target) = value else { return need_value(st) };
            if target.contains("://") {
                st.diags.push(
                    Diagnostic::warning(
                        "requirements-include-remote",
                        format!(
                            "include of a URL (`{}`) is not fetched",
                            redact_url(&pep508::truncate(&target, 200))
                        ),
                    )
                    .at(&loc.path, loc.line),
                );
                return;
            }
            let Some(rel) = join_rel(dir, &target).filter(|_| !target.starts_with('/')) else {
                st.diags.push(
                    Diagnostic::error(
                        "path-outside-tree",
                        format!(
                            "include `{}` leaves the scanned tree; not read",
                            pep508::truncate(&target, 200)
                        ),
                    )
                    .at(&loc.path, loc.line),
                );
                return;
            };
            if !tree.contains(&rel) {
                st.diags.push(
                    Diagnostic::warning(
                        "requirements-include-missing",
                        format!("included file `{rel}` is not in the tree"),
                    )
                    .at(&loc.path, loc.line),
                );
                return;
            }
            let as_constraint = constraint || opt == "-c" || opt == "--constraint";
            read_file(tree, &rel, as_constraint, stack, st, Some(loc));
        }
        "-e" | "--editable" => {
            let Some(v) = value else { return need_value(st) };
            let spec = if rest.is_empty() { v } else { format!("{v} {rest}") };
            if let Some(e) = requirement_entry(&spec, true, dir, loc, st) {
                if !constraint {
                    st.entries.push(e);
                }
            }
        }
        "-i" | "--index-url" => {
            let Some(v) = value else { return need_value(st) };
            st.index = Some((redact_url(&v), loc.clone()));
        }
        "--extra-index-url" => {
            let Some(v) = value else { return need_value(st) };
            st.extra_index.push((redact_url(&v), loc.clone()));
        }
        "-f" | "--find-links" | "--no-index" | "--pre" | "--trusted-host" | "--prefer-binary"
        | "--only-binary" | "--no-binary" | "--require-hashes" | "--use-feature" | "--config-settings"
        | "--global-option" => {}
        other => st.diags.push(
            Diagnostic::note(
                "unknown-requirements-option",
                format!("option `{}` is not known; ignored", pep508::truncate(other, 60)),
            )
            .at(&loc.path, loc.line),
        ),
    }
}

/// Reads one requirement (with its trailing per-requirement options).
fn requirement_entry(line: &str, editable: bool, dir: &str, loc: &Location, st: &mut State) -> Option<Entry> {
    // Per-requirement options start at the first ` --`.
    let mut parts = line.split_whitespace().peekable();
    let mut spec_tokens = Vec::new();
    while let Some(t) = parts.peek() {
        if t.starts_with("--") {
            break;
        }
        spec_tokens.push(*t);
        parts.next();
    }
    let mut hashes = Vec::new();
    let opts: Vec<&str> = parts.collect();
    let mut i = 0;
    while i < opts.len() {
        let o = opts[i];
        if let Some(h) = o.strip_prefix("--hash=") {
            hashes.push(h.to_string());
        } else if o == "--hash" {
            if let Some(h) = opts.get(i + 1) {
                hashes.push(h.to_string());
                i += 1;
            }
        }
        i += 1;
    }
    let spec = spec_tokens.join(" ");
    let warn = |st: &mut State, msg: String| {
        st.diags.push(Diagnostic::warning("invalid-requirement", msg).at(&loc.path, loc.line));
    };
    let lower = spec.to_ascii_lowercase();
    let is_url =
        ["git+", "hg+", "svn+", "bzr+", "http://", "https://", "file:"].iter().any(|p| lower.starts_with(p));
    let is_path = !is_url
        && !spec.contains("://")
        && (spec.starts_with('.')
            || spec.starts_with('/')
            || spec.contains('/') && !spec.contains('@') && !spec.contains(';')
            || [".whl", ".tar.gz", ".zip"].iter().any(|s| lower.ends_with(s)));
    if is_url {
        let url = spec.split(';').next().unwrap_or(&spec).trim();
        if let Err(e) = check_url(url) {
            warn(st, format!("requirement URL not accepted: {e}"));
            return None;
        }
        let egg = url.split_once("#").and_then(|(_, frag)| {
            frag.split('&')
                .find_map(|kv| kv.strip_prefix("egg="))
                .map(|n| n.split('[').next().unwrap_or(n).to_string())
        });
        let path_part = url.split(['#', '?']).next().unwrap_or(url);
        let last = path_part.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        let (name, guessed) = match egg.filter(|n| pep508::valid_name(n)) {
            Some(n) => (n, false),
            None => {
                let base = last.trim_end_matches(".git");
                let from_file = base.split('-').next().unwrap_or(base);
                let n = if [".whl", ".tar.gz", ".zip"].iter().any(|s| last.ends_with(s)) {
                    from_file
                } else {
                    base
                };
                if !pep508::valid_name(n) {
                    warn(st, "cannot tell the package name of this URL requirement (add `#egg=name`)".into());
                    return None;
                }
                (n.to_string(), true)
            }
        };
        let req = Requirement { name, url: Some(url.to_string()), ..Requirement::default() };
        let source = declared_source(Some(url), None, None, dir);
        return Some(Entry {
            req,
            source,
            editable,
            hashes,
            loc: loc.clone(),
            local_dir: None,
            name_guessed: guessed,
        });
    }
    if is_path {
        let p = spec.split(';').next().unwrap_or(&spec).trim();
        let p = p.split('[').next().unwrap_or(p);
        let Some(rel) = join_rel(dir, p).filter(|_| !p.starts_with('/')) else {
            warn(st, format!("path requirement `{}` leaves the scanned tree", pep508::truncate(p, 200)));
            return None;
        };
        let last = rel.rsplit('/').next().unwrap_or(&rel).to_string();
        let name = last.split('-').next().unwrap_or(&last).to_string();
        let is_archive = [".whl", ".tar.gz", ".zip"].iter().any(|s| last.ends_with(s));
        let req =
            Requirement { name: if rel.is_empty() { String::new() } else { name }, ..Requirement::default() };
        return Some(Entry {
            req,
            source: Some(SourceKind::Path { path: rel.clone() }),
            editable,
            hashes,
            loc: loc.clone(),
            local_dir: (!is_archive).then_some(rel),
            name_guessed: true,
        });
    }
    match pep508::parse(&spec) {
        Ok(req) => {
            if let Some(u) = &req.url {
                if let Err(e) = check_url(u) {
                    warn(st, format!("requirement URL not accepted: {e}"));
                    return None;
                }
            }
            let source =
                req.url.as_deref().map(|u| declared_source(Some(u), None, None, dir)).unwrap_or(None);
            Some(Entry {
                req,
                source,
                editable,
                hashes,
                loc: loc.clone(),
                local_dir: None,
                name_guessed: false,
            })
        }
        Err(e) => {
            warn(st, format!("cannot read requirement: {}", e.0));
            None
        }
    }
}

fn build(st: State, scope: Scope, projects: &BTreeMap<String, Project>) -> Resolution {
    let mut out = Resolution { diagnostics: st.diags, ..Resolution::default() };
    if let Some((idx, loc)) = &st.index {
        if !st.extra_index.is_empty() {
            let extras: Vec<&str> = st.extra_index.iter().map(|(u, _)| u.as_str()).collect();
            out.diagnostics.push(
                Diagnostic::warning(
                    "ambiguous-package-index",
                    format!(
                        "packages may come from `{idx}` or from the extra index(es) `{}`: pip takes whichever offers the best version",
                        extras.join("`, `")
                    ),
                )
                .at(&loc.path, loc.line),
            );
        }
    } else if let Some((u, loc)) = st.extra_index.first() {
        out.diagnostics.push(
            Diagnostic::warning(
                "ambiguous-package-index",
                format!("packages may come from PyPI or from the extra index `{u}`: pip takes whichever offers the best version"),
            )
            .at(&loc.path, loc.line),
        );
    }
    // One index for every registry requirement: that index. With extra indexes, the source is ambiguous.
    let index =
        st.index.as_ref().map(|(u, _)| u.clone()).filter(|u| !super::is_pypi(u) && st.extra_index.is_empty());
    for e in st.entries {
        let kind = if scope == Scope::Dev { EdgeKind::Dev } else { EdgeKind::Normal };
        if let Some(dir) = &e.local_dir {
            if projects.contains_key(dir) {
                // The tree's own project, already an application.
                continue;
            }
        }
        if e.req.name.is_empty() || !pep508::valid_name(&e.req.name) {
            out.diagnostics.push(
                Diagnostic::warning(
                    "invalid-requirement",
                    "cannot tell the package name of this local requirement",
                )
                .at(&e.loc.path, e.loc.line),
            );
            continue;
        }
        let source =
            e.source.clone().or_else(|| index.clone().map(|u| SourceKind::Registry { url: Some(u) }));
        let mut c: Component = declared_component(&e.req, source, kind, e.loc.clone());
        if c.version.is_none() && e.req.url.is_none() && e.local_dir.is_none() {
            if let Some((v, cloc)) = st.constraints.get(&c.name) {
                c = declared_component(
                    &Requirement { spec: format!("=={v}"), ..e.req.clone() },
                    c.source.clone(),
                    kind,
                    e.loc.clone(),
                );
                if !e.req.spec.is_empty() {
                    c.requirement = Some(e.req.spec.clone());
                }
                c.found_in.push(cloc.clone());
            }
        }
        if e.editable {
            c.properties.insert("python-editable".into(), "true".into());
        }
        if e.name_guessed {
            c.properties.insert("python-name-from".into(), "url-or-path".into());
        }
        let mut hs: Vec<Hash> = Vec::new();
        for h in &e.hashes {
            let (alg, hex) = h.split_once(':').unwrap_or(("", h));
            let alg = match alg {
                "sha256" => HashAlg::Sha256,
                "sha384" => HashAlg::Sha384,
                "sha512" => HashAlg::Sha512,
                _ => continue,
            };
            if hex.bytes().all(|b| b.is_ascii_hexdigit()) && !hex.is_empty() {
                hs.push(Hash { alg, value: hex.to_ascii_lowercase() });
            }
        }
        if hs.len() == 1 {
            c.hashes = hs;
        } else if hs.len() > 1 {
            let joined: Vec<String> = hs.iter().map(|h| format!("{}:{}", h.alg.as_str(), h.value)).collect();
            c.properties.insert("python-artifact-hashes".into(), joined.join(" "));
        }
        out.components.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        for p in [
            "requirements.txt",
            "a/requirements-dev.txt",
            "dev-requirements.txt",
            "requirements/base.in",
            "x/requirements.in",
        ] {
            assert!(is_requirements_file(p), "{p}");
        }
        for p in ["MANIFEST.in", "Makefile.in", "notes.txt", "config.h.in"] {
            assert!(!is_requirements_file(p), "{p}");
        }
        assert_eq!(scope_of("requirements-dev.txt"), Scope::Dev);
        assert_eq!(scope_of("requirements/test.in"), Scope::Dev);
        assert_eq!(scope_of("requirements-perf-vllm.txt"), Scope::Runtime);
    }
}
