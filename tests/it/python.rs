//! Python resolver: every format and feature with inline fixtures, bad input, and the real Python files of
//! the corpus counted independently of the code under test.

use std::collections::BTreeSet;

use sovereign::model::{
    Component, ComponentKind, Ecosystem, EdgeKind, Inventory, Scope, Severity, SourceKind,
};

use crate::support::{cdx, scan_dir, validate_cdx, write_files};

pub(crate) fn pypi(inv: &Inventory) -> Vec<&Component> {
    inv.components.iter().filter(|c| c.ecosystem == Ecosystem::Pypi).collect()
}

pub(crate) fn get<'a>(inv: &'a Inventory, name: &str) -> &'a Component {
    inv.components.iter().find(|c| c.ecosystem == Ecosystem::Pypi && c.name == name).unwrap_or_else(|| {
        panic!("no component {name}: {:?}", inv.components.iter().map(|c| &c.id).collect::<Vec<_>>())
    })
}

pub(crate) fn diag<'a>(inv: &'a Inventory, code: &str, path: &str) -> &'a sovereign::model::Diagnostic {
    inv.diagnostics
        .iter()
        .find(|d| d.code == code && d.location.as_ref().is_some_and(|l| l.path == path))
        .unwrap_or_else(|| panic!("no {code} for {path}: {:#?}", inv.diagnostics))
}

pub(crate) fn line_of(d: &sovereign::model::Diagnostic) -> Option<u32> {
    d.location.as_ref().and_then(|l| l.line)
}

pub(crate) fn edge(inv: &Inventory, from: &str, to: &str) -> Option<EdgeKind> {
    let f = &get(inv, from).id;
    let t = &get(inv, to).id;
    inv.edges.iter().find(|e| &e.from == f && &e.to == t).map(|e| e.kind)
}

pub(crate) fn no_secret(inv: &Inventory, secret: &str) {
    let doc = cdx(inv).to_string();
    assert!(!doc.contains(secret), "the secret `{secret}` leaked into the SBOM");
}

#[test]
fn requirements_files_every_feature() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "requirements.txt",
                "# pinned and ranged\n\
                 --index-url https://user:s3cret@pypi.internal.example/simple\n\
                 Django==4.2.1 \\\n    --hash=sha256:AAAA000000000000000000000000000000000000000000000000000000000001\n\
                 requests[socks,security] >= 2.8.1, <3 ; python_version >= \"3.8\"  # trailing comment\n\
                 numpy===1.26.4\n\
                 Flask_Cors==4.0.0 --hash=sha256:1111111111111111111111111111111111111111111111111111111111111111 --hash=sha256:2222222222222222222222222222222222222222222222222222222222222222\n\
                 -r sub/base.txt\n\
                 -c constraints.txt\n\
                 -e git+https://github.com/example/editable-lib.git@0123456789abcdef0123456789abcdef01234567#egg=editable_lib\n\
                 -e ./localpkg\n\
                 pip @ https://files.example.org/pip-23.1-py3-none-any.whl\n\
                 urllib3\n",
            ),
            ("sub/base.txt", "six==1.16.0\n-r ../common.in\n"),
            ("common.in", "attrs>=23\n"),
            ("constraints.txt", "urllib3==2.0.7\nnot-required==9.9\n"),
            ("localpkg/pyproject.toml", "[project]\nname = \"localpkg\"\nversion = \"0.1.0\"\n"),
            ("requirements-dev.txt", "-r requirements.txt\npytest==8.0.0\n"),
        ],
    );
    let inv = scan_dir(dir.path());
    let warnings: Vec<_> = inv.diagnostics.iter().filter(|d| d.severity >= Severity::Warning).collect();
    assert!(warnings.is_empty(), "{warnings:#?}");

    // Components: 8 from requirements.txt (incl. the included six and attrs), pytest, and the local project.
    let names: BTreeSet<&str> = pypi(&inv).iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "attrs",
            "django",
            "editable-lib",
            "flask-cors",
            "localpkg",
            "numpy",
            "pip",
            "pytest",
            "requests",
            "six",
            "urllib3"
        ])
    );
    let django = get(&inv, "django");
    assert_eq!(django.version.as_deref(), Some("4.2.1"));
    assert_eq!(django.found_in[0].line, Some(3), "the line where the continued requirement starts");
    assert_eq!(django.hashes.len(), 1);
    assert_eq!(django.hashes[0].value, format!("aaaa{}1", "0".repeat(59)));
    // The private index is recorded, its credentials are not.
    assert_eq!(
        django.purl.as_deref(),
        Some("pkg:pypi/django@4.2.1?repository_url=https://pypi.internal.example/simple")
    );
    no_secret(&inv, "s3cret");

    let requests = get(&inv, "requests");
    assert_eq!(requests.version, None, "a range is not a version");
    assert_eq!(requests.requirement.as_deref(), Some(">=2.8.1,<3"));
    assert_eq!(requests.properties["python-extras"], "socks,security");
    assert_eq!(requests.properties["python-marker"], "python_version >= \"3.8\"");
    assert_eq!(get(&inv, "numpy").version.as_deref(), Some("1.26.4"));
    let cors = get(&inv, "flask-cors");
    assert!(cors.hashes.is_empty());
    assert_eq!(cors.properties["python-artifact-hashes"].split(' ').count(), 2);
    // Includes are relative to the including file.
    assert_eq!(get(&inv, "attrs").found_in[0].path, "common.in");
    // A constraint pins an unpinned requirement; a constraint alone adds nothing.
    let urllib3 = get(&inv, "urllib3");
    assert_eq!(urllib3.version.as_deref(), Some("2.0.7"));
    assert!(urllib3.found_in.iter().any(|l| l.path == "constraints.txt" && l.line == Some(1)));
    assert!(names.iter().all(|n| *n != "not-required"));
    // Editable VCS requirement: git source with its commit.
    let ed = get(&inv, "editable-lib");
    assert!(matches!(&ed.source, Some(SourceKind::Git { commit: Some(c), .. }) if c.starts_with("01234567")));
    assert_eq!(ed.properties["python-editable"], "true");
    assert!(ed
        .purl
        .as_deref()
        .unwrap()
        .contains("vcs_url=git%2Bhttps://github.com/example/editable-lib.git%40"));
    // A URL requirement with a wheel name gets its version from the file name (a standard).
    let pip = get(&inv, "pip");
    assert_eq!(pip.version.as_deref(), Some("23.1"));
    assert!(matches!(&pip.source, Some(SourceKind::Url { .. })));
    // `-e ./localpkg` is the tree's own project: the application, not a second component.
    assert_eq!(get(&inv, "localpkg").kind, ComponentKind::Application);
    // Scopes: requirements-dev.txt is development; what it includes from requirements.txt stays runtime.
    assert_eq!(get(&inv, "pytest").scope, Scope::Dev);
    assert_eq!(get(&inv, "six").scope, Scope::Runtime);
    validate_cdx(&cdx(&inv), "requirements_files_every_feature");
}

#[test]
fn requirement_include_cycle_and_hostile_lines_are_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("a/requirements.txt", "alpha==1.0\n-r more.txt\n"),
            ("a/more.txt", "beta==2.0\n\n-r requirements.txt\n"),
            (
                "b/requirements.txt",
                "ok-one==1.0\n\
                 evil @ javascript:alert(1)\n\
                 bad @ https://u:pw@host.example/x y.whl\n\
                 -r ../../../etc/passwd\n\
                 -r https://attacker.example/remote.txt\n\
                 git+https://tok:leak@github.com/x/private-repo.git@main#egg=private_repo\n\
                 -e\n\
                 ===weird\n\
                 ok-two==2.0\n",
            ),
        ],
    );
    std::fs::write(
        dir.path().join("b/long-requirements.txt"),
        format!("x @ https://h.example/{}\nfine==1\n", "a".repeat(5000)),
    )
    .unwrap();
    let inv = scan_dir(dir.path());
    // The cycle is reported at the `-r` line that closes it, and both files are still read.
    let cyc = diag(&inv, "requirements-include-cycle", "a/more.txt");
    assert_eq!(line_of(cyc), Some(3));
    assert_eq!(get(&inv, "alpha").version.as_deref(), Some("1.0"));
    assert_eq!(get(&inv, "beta").version.as_deref(), Some("2.0"));

    let lines: BTreeSet<Option<u32>> = inv
        .diagnostics
        .iter()
        .filter(|d| d.location.as_ref().is_some_and(|l| l.path == "b/requirements.txt"))
        .map(line_of)
        .collect();
    // javascript: URL, URL with a space, path leaving the tree, remote include, `-e` without value, no name.
    for l in [2, 3, 4, 5, 7, 8] {
        assert!(lines.contains(&Some(l)), "no diagnostic at line {l}: {:#?}", inv.diagnostics);
    }
    assert_eq!(line_of(diag(&inv, "invalid-requirement", "b/long-requirements.txt")), Some(1));
    assert_eq!(get(&inv, "fine").version.as_deref(), Some("1"));
    assert!(inv.components.iter().all(|c| c.name != "evil" && c.name != "bad"));
    // The VCS requirement is kept, its token is not.
    assert!(get(&inv, "private-repo").purl.is_some());
    no_secret(&inv, "leak");
    no_secret(&inv, "u:pw");
    assert_eq!(get(&inv, "ok-two").version.as_deref(), Some("2.0"));
    validate_cdx(&cdx(&inv), "hostile requirements");
}

#[test]
fn pyproject_and_setup_cfg_without_lockfiles() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "pep621/pyproject.toml",
                "[project]\nname = \"My_Project\"\nversion = \"3.0\"\nlicense = { text = \"BSD-3-Clause\" }\nauthors = [{ name = \"Lin\", email = \"lin@example.cn\" }]\ndependencies = [\n  \"attrs==23.2.0\",\n  \"pyyaml>=6 ; python_version > '3.8'\",\n  \"sibling @ file:///somewhere/sibling\",\n  \"hatchlib @ {root:uri}/../hatchlib\",\n  \"evil @ javascript:alert(1)\",\n]\n\n[project.optional-dependencies]\nplot = [\"matplotlib\"]\n\n[project.urls]\nSource = \"https://git.example.org/lin/my-project\"\n\n[dependency-groups]\ntest = [\"pytest\", { include-group = \"lint\" }]\nlint = [\"ruff==0.4.0\"]\nloop-a = [{ include-group = \"loop-b\" }]\nloop-b = [{ include-group = \"loop-a\" }]\n",
            ),
            (
                "cfg/setup.cfg",
                "[metadata]\nname = cfg-project\nversion = 1.0.0\nlicense = MIT\nauthor = Jo\nauthor_email = jo@example.de\nurl = https://cfg.example.de\n\n[options]\ninstall_requires =\n    requests>=2\n    click==8.1.7  # pinned\n\n[options.extras_require]\nfast =\n    ujson\n",
            ),
            ("tools-only/pyproject.toml", "[tool.black]\nline-length = 100\n"),
        ],
    );
    let inv = scan_dir(dir.path());
    let app = get(&inv, "my-project");
    assert_eq!(app.kind, ComponentKind::Application);
    assert_eq!(app.purl.as_deref(), Some("pkg:pypi/my-project@3.0"));
    assert_eq!(app.license.declared.as_ref().unwrap().expression, "BSD-3-Clause");
    assert_eq!(app.authors, ["Lin <lin@example.cn>"]);
    assert_eq!(app.repository.as_deref(), Some("https://git.example.org/lin/my-project"));
    assert_eq!(get(&inv, "attrs").version.as_deref(), Some("23.2.0"));
    let yaml = get(&inv, "pyyaml");
    assert_eq!((yaml.version.as_deref(), yaml.requirement.as_deref()), (None, Some(">=6")));
    assert_eq!(get(&inv, "matplotlib").scope, Scope::Optional);
    assert_eq!(get(&inv, "pytest").scope, Scope::Dev);
    // include-group: ruff is reached from `test` and declared in `lint`.
    assert_eq!(get(&inv, "ruff").version.as_deref(), Some("0.4.0"));
    assert_eq!(diag(&inv, "dependency-group-cycle", "pep621/pyproject.toml").severity, Severity::Warning);
    assert!(matches!(get(&inv, "sibling").source, Some(SourceKind::Path { .. })));
    // Hatch's `{root:uri}` is a directory relative to the project; a `javascript:` URL is refused.
    assert_eq!(get(&inv, "hatchlib").source, Some(SourceKind::Path { path: "hatchlib".into() }));
    assert_eq!(line_of(diag(&inv, "invalid-requirement", "pep621/pyproject.toml")), Some(11));
    assert!(inv.components.iter().all(|c| c.name != "evil"));
    assert_eq!(diag(&inv, "no-lockfile", "pep621/pyproject.toml").severity, Severity::Note);

    let cfg = get(&inv, "cfg-project");
    assert_eq!(cfg.kind, ComponentKind::Application);
    assert_eq!(cfg.authors, ["Jo <jo@example.de>"]);
    assert_eq!(cfg.license.declared.as_ref().unwrap().expression, "MIT");
    assert_eq!(cfg.homepage.as_deref(), Some("https://cfg.example.de"));
    assert_eq!(get(&inv, "click").version.as_deref(), Some("8.1.7"));
    assert_eq!(get(&inv, "click").found_in[0].line, Some(12));
    assert_eq!(get(&inv, "ujson").scope, Scope::Optional);
    assert_eq!(edge(&inv, "cfg-project", "requests"), Some(EdgeKind::Normal));
    // A tool-only pyproject is no project.
    assert_eq!(inv.components.iter().filter(|c| c.kind == ComponentKind::Application).count(), 2);
    validate_cdx(&cdx(&inv), "pyproject and setup.cfg");
}

#[test]
fn installed_dist_info_metadata_is_read_as_data() {
    let dir = tempfile::tempdir().unwrap();
    let sp = ".venv/lib/python3.12/site-packages";
    write_files(
        dir.path(),
        &[
            (
                &format!("{sp}/requests-2.31.0.dist-info/METADATA"),
                "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nSummary: Python HTTP for Humans.\nHome-page: https://requests.readthedocs.io\nAuthor: Kenneth Reitz\nAuthor-email: me@kennethreitz.org\nLicense: Apache 2.0\nProject-URL: Source, https://github.com/psf/requests\nClassifier: License :: OSI Approved :: Apache Software License\nRequires-Dist: charset-normalizer (<4,>=2)\nRequires-Dist: PySocks (!=1.5.7,>=1.5.6) ; extra == 'socks'\n\nLong description that says Name: not-a-header\n",
            ),
            (
                &format!("{sp}/charset_normalizer-3.3.2.dist-info/METADATA"),
                "Metadata-Version: 2.4\nName: charset-normalizer\nVersion: 3.3.2\nLicense-Expression: MIT\nAuthor-email: \"Ahmed R. TAHRI\" <tahri.ahmed@proton.me>\n",
            ),
            (
                &format!("{sp}/classic-1.0.dist-info/METADATA"),
                "Metadata-Version: 2.1\nName: classic\nVersion: 1.0\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: BSD License\nClassifier: Programming Language :: Python\n",
            ),
            (&format!("{sp}/broken-0.dist-info/METADATA"), "Metadata-Version: 2.1\nSummary: no name\n"),
            (&format!("{sp}/fromgit-0.1.dist-info/METADATA"), "Metadata-Version: 2.1\nName: fromgit\nVersion: 0.1\n"),
            (
                &format!("{sp}/fromgit-0.1.dist-info/direct_url.json"),
                "{\"url\": \"https://user:pat@github.com/example/fromgit.git\", \"vcs_info\": {\"vcs\": \"git\", \"commit_id\": \"fedcba9876543210fedcba9876543210fedcba98\", \"requested_revision\": \"main\"}}",
            ),
            // A pyproject.toml inside site-packages is not the project's own.
            (&format!("{sp}/somepkg/pyproject.toml"), "[project]\nname = \"not-mine\"\n"),
        ],
    );
    let inv = scan_dir(dir.path());
    let req = get(&inv, "requests");
    assert_eq!(req.version.as_deref(), Some("2.31.0"));
    let lic = req.license.declared.as_ref().unwrap();
    // The licence stage normalises what METADATA says and keeps the text as written.
    assert_eq!(lic.original.as_deref(), Some("Apache 2.0"));
    assert_eq!(lic.expression, "Apache-2.0");
    assert!(lic.valid);
    assert_eq!(lic.source, format!("{sp}/requests-2.31.0.dist-info/METADATA"));
    assert_eq!(req.authors, ["Kenneth Reitz <me@kennethreitz.org>"]);
    assert_eq!(req.homepage.as_deref(), Some("https://requests.readthedocs.io"));
    assert_eq!(req.repository.as_deref(), Some("https://github.com/psf/requests"));
    assert_eq!(req.description.as_deref(), Some("Python HTTP for Humans."));
    let cn = get(&inv, "charset-normalizer");
    assert!(cn.license.declared.as_ref().unwrap().valid);
    assert_eq!(cn.authors, ["Ahmed R. TAHRI <tahri.ahmed@proton.me>"]);
    let classic = get(&inv, "classic").license.declared.as_ref().unwrap();
    assert_eq!(classic.expression, "License :: OSI Approved :: BSD License");
    assert!(classic.source.ends_with("(classifier)"));
    assert_eq!(edge(&inv, "requests", "charset-normalizer"), Some(EdgeKind::Normal));
    // PEP 610: installed from git, at a commit; the token is not kept.
    let fromgit = get(&inv, "fromgit");
    assert!(
        matches!(&fromgit.source, Some(SourceKind::Git { commit: Some(c), .. }) if c.starts_with("fedcba"))
    );
    assert!(fromgit.purl.as_deref().unwrap().contains("vcs_url=git%2Bhttps://"));
    no_secret(&inv, "pat@");
    assert!(inv
        .components
        .iter()
        .all(|c| c.name != "pysocks" && c.name != "not-mine" && c.name != "not-a-header"));
    assert_eq!(
        diag(&inv, "invalid-manifest", &format!("{sp}/broken-0.dist-info/METADATA")).severity,
        Severity::Warning
    );
    validate_cdx(&cdx(&inv), "dist-info");
}

#[test]
fn broken_files_and_unknown_lock_versions_are_diagnostics_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("broken-toml/pyproject.toml", "[project]\nname = \"x\"\ndependencies = [\"a\",\n"),
            ("broken-lock/pyproject.toml", "[project]\nname = \"survivor\"\nversion = \"1.0\"\ndependencies = [\"six\"]\n"),
            ("broken-lock/poetry.lock", "[[package]]\nname = \"six\"\nversion = = \"1\"\n"),
            ("future-uv/uv.lock", "version = 99\n\n[[package]]\nname = \"toolz\"\nversion = \"1.16.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n"),
            ("future-poetry/poetry.lock", "[[package]]\nname = \"idna\"\nversion = \"3.6\"\n\n[metadata]\nlock-version = \"9.0\"\n"),
            ("bad-json/Pipfile.lock", "{\n  \"default\": {\n    \"six\": \n"),
            ("bad-req/pyproject.toml", "[project]\nname = \"bad-req\"\ndependencies = [\"ok==1\", \"-nope\", 42]\n"),
            ("bad-name/pyproject.toml", "[project]\nname = \"../../etc\"\n"),
            ("fine/requirements.txt", "click==8.0.0\n"),
            // A dependency the lock does not list: a broken uv.lock (warning), a marker-excluded package in
            // a poetry.lock (note).
            ("dangling-uv/uv.lock", "version = 1\n\n[[package]]\nname = \"alpha\"\nversion = \"1.0\"\nsource = { registry = \"https://pypi.org/simple\" }\ndependencies = [\n    { name = \"ghost\" },\n]\n"),
            ("dangling-poetry/poetry.lock", "[[package]]\nname = \"beta\"\nversion = \"2.0\"\ngroups = [\"main\"]\n\n[package.dependencies]\nexceptiongroup = {version = \"*\", markers = \"python_version < \\\"3.11\\\"\"}\n\n[metadata]\nlock-version = \"2.1\"\n"),
        ],
    );
    std::fs::write(dir.path().join("fine/requirements-latin1.txt"), b"caf\xe9==1.0\n").unwrap();
    let inv = scan_dir(dir.path());
    assert_eq!(line_of(diag(&inv, "invalid-toml", "broken-toml/pyproject.toml")), Some(3));
    assert_eq!(line_of(diag(&inv, "invalid-lockfile", "broken-lock/poetry.lock")), Some(3));
    // The project whose lock is broken still shows, with its declared requirement.
    assert_eq!(get(&inv, "survivor").kind, ComponentKind::Application);
    assert_eq!(line_of(diag(&inv, "unknown-lockfile-version", "future-uv/uv.lock")), Some(1));
    assert_eq!(get(&inv, "toolz").version.as_deref(), Some("1.16.0"), "read best-effort");
    assert_eq!(line_of(diag(&inv, "unknown-lockfile-version", "future-poetry/poetry.lock")), Some(5));
    assert_eq!(get(&inv, "idna").version.as_deref(), Some("3.6"));
    assert!(line_of(diag(&inv, "invalid-lockfile", "bad-json/Pipfile.lock")).is_some());
    assert_eq!(line_of(diag(&inv, "invalid-requirement", "bad-req/pyproject.toml")), Some(3));
    assert_eq!(get(&inv, "ok").version.as_deref(), Some("1"));
    assert_eq!(line_of(diag(&inv, "invalid-manifest", "bad-name/pyproject.toml")), Some(2));
    assert_eq!(line_of(diag(&inv, "invalid-utf8", "fine/requirements-latin1.txt")), Some(1));
    assert_eq!(get(&inv, "click").version.as_deref(), Some("8.0.0"));
    let uv = diag(&inv, "unresolved-lock-reference", "dangling-uv/uv.lock");
    assert_eq!((uv.severity, line_of(uv)), (Severity::Warning, Some(3)));
    assert!(uv.message.contains("alpha -> ghost"), "{}", uv.message);
    let po = diag(&inv, "unresolved-lock-reference", "dangling-poetry/poetry.lock");
    assert_eq!((po.severity, line_of(po)), (Severity::Note, Some(1)));
    assert_eq!(get(&inv, "beta").version.as_deref(), Some("2.0"));
    validate_cdx(&cdx(&inv), "broken python files");
}

#[test]
fn deep_nesting_and_huge_lines_do_not_crash() {
    let dir = tempfile::tempdir().unwrap();
    // A TOML document nested far deeper than any lockfile, and a 5 MB requirement line.
    let deep = format!("[project]\nname = \"deep\"\nx = {}1{}\n", "[".repeat(5000), "]".repeat(5000));
    let huge = format!("{}==1\nsmall==2\n", "a".repeat(5_000_000));
    // A chain of 40 includes, deeper than the bound.
    let mut files: Vec<(String, String)> =
        (0..40).map(|i| (format!("chain/r{i}.txt"), format!("pkg{i}==1\n-r r{}.txt\n", i + 1))).collect();
    files.push(("chain/requirements.txt".into(), "-r r0.txt\n".into()));
    files.push(("deep/pyproject.toml".into(), deep));
    files.push(("huge/requirements.txt".into(), huge));
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    write_files(dir.path(), &refs);
    let inv = scan_dir(dir.path());
    assert!(inv.diagnostics.iter().any(|d| d.code == "requirements-include-too-deep"));
    assert_eq!(get(&inv, "small").version.as_deref(), Some("2"));
    assert!(inv
        .diagnostics
        .iter()
        .any(|d| d.location.as_ref().is_some_and(|l| l.path == "huge/requirements.txt")));
}

#[test]
fn pip_tools_pairs_read_the_compiled_file_with_the_in_file_as_declarations() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("requirements.in", "django>=4\n"),
            (
                "requirements.txt",
                "#\n# This file is autogenerated by pip-compile with Python 3.12\n#\nasgiref==3.8.1\n    # via django\ndjango==4.2.11\n    # via -r requirements.in\nsqlparse==0.5.0\n    # via django\n",
            ),
            // An .in file without a compiled sibling is read on its own.
            ("requirements-docs.in", "sphinx\n"),
        ],
    );
    let inv = scan_dir(dir.path());
    assert!(inv.diagnostics.is_empty(), "{:#?}", inv.diagnostics);
    let ids: BTreeSet<&str> = pypi(&inv).iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        BTreeSet::from([
            "pkg:pypi/asgiref@3.8.1",
            "pkg:pypi/django@4.2.11",
            "pkg:pypi/sphinx",
            "pkg:pypi/sqlparse@0.5.0"
        ])
    );
    let django = get(&inv, "django");
    assert!(django.direct);
    assert!(django.found_in.iter().any(|l| l.path == "requirements.in" && l.line == Some(1)));
    assert!(!get(&inv, "asgiref").direct && !get(&inv, "sqlparse").direct);
    assert_eq!(get(&inv, "sphinx").scope, Scope::Dev);
}

#[test]
fn a_declared_requirement_pinned_beside_it_is_one_component() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("app/pyproject.toml", "[project]\nname = \"app\"\nversion = \"1.0\"\ndependencies = [\"requests>=2\", \"flask\", \"rich\"]\n"),
            ("app/requirements.txt", "requests==2.31.0\nflask==3.0.0\n"),
            ("app/requirements-old.txt", "flask==2.0.0\n"),
            // Another directory's pin says nothing about this project.
            ("other/requirements.txt", "rich==13.0.0\n"),
        ],
    );
    let inv = scan_dir(dir.path());
    let requests: Vec<&Component> = pypi(&inv).into_iter().filter(|c| c.name == "requests").collect();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    assert_eq!(requests[0].version.as_deref(), Some("2.31.0"));
    assert_eq!(requests[0].requirement, None);
    assert!(requests[0].found_in.iter().any(|l| l.path == "app/pyproject.toml" && l.line == Some(4)));
    assert_eq!(edge(&inv, "app", "requests"), Some(EdgeKind::Normal));
    assert!(inv.edges.iter().all(|e| e.to != "pkg:pypi/requests"));
    // Two pinned versions beside it: which is installed is unknown, all three stay.
    assert_eq!(pypi(&inv).iter().filter(|c| c.name == "flask").count(), 3);
    assert_eq!(pypi(&inv).iter().filter(|c| c.name == "rich").count(), 2);
    validate_cdx(&cdx(&inv), "fold");
}

#[test]
fn diamond_includes_do_not_blow_up() {
    // Each file includes the next level twice, 14 levels deep: read naively that is 2^14 reads of the
    // bottom file; the same for PEP 735 groups. Each file and group is read once.
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<(String, String)> = (0..14)
        .map(|i| (format!("d/l{i}.txt"), format!("p{i}==1\n-r l{n}.txt\n-r l{n}.txt\n", n = i + 1)))
        .collect();
    files.push(("d/l14.txt".into(), "bottom==1\n".into()));
    files.push(("d/requirements.txt".into(), "-r l0.txt\n".into()));
    let mut groups = String::from("[project]\nname = \"g\"\n\n[dependency-groups]\n");
    for i in 0..30 {
        groups.push_str(&format!(
            "g{i} = [\"q{i}\", {{ include-group = \"g{n}\" }}, {{ include-group = \"g{n}\" }}]\n",
            n = i + 1
        ));
    }
    groups.push_str("g30 = [\"last\"]\n");
    files.push(("g/pyproject.toml".into(), groups));
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    write_files(dir.path(), &refs);
    let start = std::time::Instant::now();
    let inv = scan_dir(dir.path());
    assert!(start.elapsed() < std::time::Duration::from_secs(20), "took {:?}", start.elapsed());
    assert!(inv.diagnostics.iter().all(|d| d.severity < Severity::Warning), "{:#?}", inv.diagnostics);
    assert_eq!(get(&inv, "bottom").version.as_deref(), Some("1"));
    assert_eq!(get(&inv, "last").scope, Scope::Dev);
}

#[test]
fn egg_info_of_the_tree_itself_is_the_application() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("setup.py", "from setuptools import setup\nsetup(name='legacy')\n"),
            (
                "src/legacy.egg-info/PKG-INFO",
                "Metadata-Version: 2.1\nName: legacy\nVersion: 0.9\nLicense: GPL-2.0-only\nAuthor: Old Timer\nAuthor-email: old@example.fr\n",
            ),
        ],
    );
    let inv = scan_dir(dir.path());
    let legacy = get(&inv, "legacy");
    assert_eq!(legacy.kind, ComponentKind::Application);
    assert_eq!(legacy.source, Some(SourceKind::Local));
    assert_eq!(legacy.license.declared.as_ref().unwrap().expression, "GPL-2.0-only");
    assert_eq!(legacy.authors, ["Old Timer <old@example.fr>"]);
}

/// Pieces of real syntax from every format, shuffled into nonsense: the parsers must give diagnostics, never
/// panic (a panic would show as `resolver-crashed`).
const FRAGMENTS: &[&str] = &[
    "-r ",
    "-e ",
    "-c ",
    "--hash=sha256:",
    "-i https://u:p@h/",
    "git+https://",
    "@",
    "==",
    ">=",
    "~=",
    "[",
    "]",
    ";",
    "#",
    "\\\n",
    "\n",
    "\n",
    "é",
    "日本",
    " ",
    "name",
    "1.0",
    "v1.2.3",
    "require (",
    ")",
    "replace ",
    "=>",
    "module ",
    "\"",
    "`",
    "[[package]]\n",
    "name = \"x\"\n",
    "version = ",
    "{",
    "}",
    "//",
    "../",
    "./",
    "## explicit",
    "Name: ",
    "Version: ",
    "include-group",
    "=",
    ",",
    "(",
    "\t",
    "\r\n",
    "h1:",
    "/go.mod",
    "-",
    "-é",
    "*",
    "+",
    "file:",
    "{root:uri}",
    "egg=",
    "?",
    "%",
    "\u{0}",
    "\u{feff}",
    "javascript:",
    "use ",
    "go 1.",
    ".",
    "_",
];

#[test]
fn shuffled_syntax_never_crashes_a_resolver() {
    let dir = tempfile::tempdir().unwrap();
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let names = [
        "requirements.txt",
        "pyproject.toml",
        "setup.cfg",
        "poetry.lock",
        "uv.lock",
        "pdm.lock",
        "Pipfile.lock",
        "Pipfile",
        "go.mod",
        "go.sum",
        "go.work",
        "vendor/modules.txt",
        "x-1.0.dist-info/METADATA",
        "x-1.0.dist-info/direct_url.json",
        "more.in",
    ];
    let mut files = Vec::new();
    for case in 0..40 {
        for name in names {
            let len = 20 + (next() % 200) as usize;
            let text: String =
                (0..len).map(|_| FRAGMENTS[(next() % FRAGMENTS.len() as u64) as usize]).collect();
            files.push((format!("c{case}/{name}"), text));
        }
    }
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    write_files(dir.path(), &refs);
    let inv = scan_dir(dir.path());
    let crashed: Vec<_> = inv.diagnostics.iter().filter(|d| d.code == "resolver-crashed").collect();
    assert!(crashed.is_empty(), "{crashed:#?}");
    validate_cdx(&cdx(&inv), "shuffled syntax");
}
