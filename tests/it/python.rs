//! Python resolver: every format and feature with inline fixtures, bad input, and the real Python files of
//! the corpus counted independently of the code under test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use sovereign::model::{
    Component, ComponentKind, Ecosystem, EdgeKind, Inventory, Scope, Severity, SourceKind,
};

use crate::support::{cdx, corpus, scan_dir, validate_cdx, write_files};

fn pypi(inv: &Inventory) -> Vec<&Component> {
    inv.components.iter().filter(|c| c.ecosystem == Ecosystem::Pypi).collect()
}

fn get<'a>(inv: &'a Inventory, name: &str) -> &'a Component {
    inv.components.iter().find(|c| c.ecosystem == Ecosystem::Pypi && c.name == name).unwrap_or_else(|| {
        panic!("no component {name}: {:?}", inv.components.iter().map(|c| &c.id).collect::<Vec<_>>())
    })
}

fn diag<'a>(inv: &'a Inventory, code: &str, path: &str) -> &'a sovereign::model::Diagnostic {
    inv.diagnostics
        .iter()
        .find(|d| d.code == code && d.location.as_ref().is_some_and(|l| l.path == path))
        .unwrap_or_else(|| panic!("no {code} for {path}: {:#?}", inv.diagnostics))
}

fn line_of(d: &sovereign::model::Diagnostic) -> Option<u32> {
    d.location.as_ref().and_then(|l| l.line)
}

fn edge(inv: &Inventory, from: &str, to: &str) -> Option<EdgeKind> {
    let f = &get(inv, from).id;
    let t = &get(inv, to).id;
    inv.edges.iter().find(|e| &e.from == f && &e.to == t).map(|e| e.kind)
}

fn no_secret(inv: &Inventory, secret: &str) {
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

const POETRY_PYPROJECT: &str = r#"[tool.poetry]
name = "demo-app"
version = "1.2.0"
description = "A demo"
license = "Apache-2.0"
authors = ["Ada Lovelace <ada@example.org>"]
homepage = "https://demo.example.org"
repository = "https://github.com/example/demo"

[tool.poetry.dependencies]
python = "^3.10"
requests = "^2.31"
private-lib = { version = "^1.0", source = "internal" }
gitdep = { git = "https://github.com/example/gitdep.git", rev = "main" }
extra-only = { version = "*", optional = true }

[tool.poetry.group.test.dependencies]
pytest = "^8.0"
"#;

#[test]
fn poetry_lock_2x_groups_sources_and_edges() {
    let dir = tempfile::tempdir().unwrap();
    let sha = |c: char| c.to_string().repeat(64);
    write_files(
        dir.path(),
        &[
            ("pyproject.toml", POETRY_PYPROJECT),
            (
                "poetry.lock",
                &format!(
                    r#"# This file is automatically @generated by Poetry 2.0.0 and should not be changed by hand.

[[package]]
name = "certifi"
version = "2024.2.2"
description = "Python package for providing Mozilla's CA Bundle."
optional = false
python-versions = ">=3.6"
groups = ["main"]
files = [
    {{file = "certifi-2024.2.2-py3-none-any.whl", hash = "sha256:{w}"}},
    {{file = "certifi-2024.2.2.tar.gz", hash = "sha256:{s}"}},
]

[[package]]
name = "extra-only"
version = "0.1.0"
description = ""
optional = true
python-versions = "*"
groups = ["main"]
files = []

[[package]]
name = "gitdep"
version = "0.3.0"
description = ""
optional = false
python-versions = "*"
groups = ["main"]
files = []
develop = false

[package.source]
type = "git"
url = "https://github.com/example/gitdep.git"
reference = "main"
resolved_reference = "abcdefabcdefabcdefabcdefabcdefabcdefabcd"

[[package]]
name = "pluggy"
version = "1.4.0"
description = "plugin and hook calling mechanisms for python"
optional = false
python-versions = ">=3.8"
groups = ["test"]
files = []

[[package]]
name = "private-lib"
version = "1.0.3"
description = ""
optional = false
python-versions = "*"
groups = ["main"]
files = []

[package.source]
type = "legacy"
url = "https://deploy:hunter2@pkgs.internal.example/simple"
reference = "internal"

[[package]]
name = "pytest"
version = "8.0.0"
description = "pytest: simple powerful testing with Python"
optional = false
python-versions = ">=3.8"
groups = ["test"]
files = []

[package.dependencies]
pluggy = ">=1.3.0,<2.0"
certifi = {{version = "*", markers = "sys_platform == \"win32\""}}

[[package]]
name = "requests"
version = "2.31.0"
description = "Python HTTP for Humans."
optional = false
python-versions = ">=3.7"
groups = ["main"]
files = []

[package.dependencies]
certifi = ">=2017.4.17"

[package.extras]
socks = ["PySocks (>=1.5.6,!=1.5.7)"]

[metadata]
lock-version = "2.1"
python-versions = "^3.10"
content-hash = "00"
"#,
                    w = sha('b'),
                    s = sha('a')
                ),
            ),
        ],
    );
    let inv = scan_dir(dir.path());
    assert!(inv.diagnostics.is_empty(), "{:#?}", inv.diagnostics);
    assert_eq!(pypi(&inv).len(), 8, "7 locked packages and the project");
    let app = get(&inv, "demo-app");
    assert_eq!(app.kind, ComponentKind::Application);
    assert_eq!(app.version.as_deref(), Some("1.2.0"));
    assert_eq!(app.license.declared.as_ref().unwrap().expression, "Apache-2.0");
    assert_eq!(app.license.declared.as_ref().unwrap().source, "pyproject.toml");
    assert_eq!(app.authors, ["Ada Lovelace <ada@example.org>"]);
    assert_eq!(app.homepage.as_deref(), Some("https://demo.example.org"));
    assert_eq!(app.repository.as_deref(), Some("https://github.com/example/demo"));
    // The sdist hash, not a wheel's.
    assert_eq!(get(&inv, "certifi").hashes[0].value, sha('a'));
    // Scopes come from the lock's groups: certifi is main (runtime) even though pytest also needs it.
    assert_eq!(get(&inv, "certifi").scope, Scope::Runtime);
    assert_eq!(get(&inv, "pytest").scope, Scope::Dev);
    assert_eq!(get(&inv, "pluggy").scope, Scope::Dev);
    assert_eq!(get(&inv, "extra-only").scope, Scope::Optional);
    let git = get(&inv, "gitdep");
    assert_eq!(
        git.source,
        Some(SourceKind::Git {
            url: "https://github.com/example/gitdep.git".into(),
            commit: Some("abcdef".repeat(6) + "abcd"),
            reference: Some("main".into())
        })
    );
    let private = get(&inv, "private-lib");
    assert!(private
        .purl
        .as_deref()
        .unwrap()
        .ends_with("?repository_url=https://pkgs.internal.example/simple"));
    no_secret(&inv, "hunter2");
    // Edges: project → its declarations (kinds from the pyproject), lock → lock.
    assert_eq!(edge(&inv, "demo-app", "requests"), Some(EdgeKind::Normal));
    assert_eq!(edge(&inv, "demo-app", "pytest"), Some(EdgeKind::Dev));
    assert_eq!(edge(&inv, "demo-app", "extra-only"), Some(EdgeKind::Optional));
    assert_eq!(edge(&inv, "requests", "certifi"), Some(EdgeKind::Normal));
    assert_eq!(edge(&inv, "pytest", "pluggy"), Some(EdgeKind::Normal));
    assert!(get(&inv, "requests").direct && !get(&inv, "certifi").direct);
    validate_cdx(&cdx(&inv), "poetry 2.x");
}

#[test]
fn poetry_lock_1x_categories_and_metadata_files() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("pyproject.toml", "[tool.poetry]\nname = \"old\"\nversion = \"0.1.0\"\n\n[tool.poetry.dependencies]\npython = \"^3.8\"\nsix = \"^1.16\"\n\n[tool.poetry.dev-dependencies]\nblack = \"^22\"\n"),
            (
                "poetry.lock",
                &format!(
                    "[[package]]\nname = \"black\"\nversion = \"22.1.0\"\ndescription = \"\"\ncategory = \"dev\"\noptional = false\npython-versions = \"*\"\n\n[[package]]\nname = \"six\"\nversion = \"1.16.0\"\ndescription = \"\"\ncategory = \"main\"\noptional = false\npython-versions = \"*\"\n\n[metadata]\nlock-version = \"1.1\"\npython-versions = \"^3.8\"\ncontent-hash = \"00\"\n\n[metadata.files]\nblack = []\nsix = [\n    {{file = \"six-1.16.0.tar.gz\", hash = \"sha256:{}\"}},\n]\n",
                    "e".repeat(64)
                ),
            ),
        ],
    );
    let inv = scan_dir(dir.path());
    assert!(inv.diagnostics.is_empty(), "{:#?}", inv.diagnostics);
    assert_eq!(get(&inv, "black").scope, Scope::Dev);
    assert_eq!(get(&inv, "six").scope, Scope::Runtime);
    assert_eq!(get(&inv, "six").hashes[0].value, "e".repeat(64));
    assert_eq!(get(&inv, "black").found_in.iter().find(|l| l.path == "poetry.lock").unwrap().line, Some(1));
    assert_eq!(edge(&inv, "old", "black"), Some(EdgeKind::Dev));
}

#[test]
fn uv_lock_workspace_sources_extras_and_dev_groups() {
    let dir = tempfile::tempdir().unwrap();
    let h = "c".repeat(64);
    write_files(
        dir.path(),
        &[
            (
                "pyproject.toml",
                "[project]\nname = \"root-app\"\nversion = \"0.1.0\"\nlicense = \"MIT\"\nauthors = [{ name = \"Grace\", email = \"grace@example.org\" }]\ndependencies = [\"lib-a\", \"httpx>=0.27\"]\n\n[project.optional-dependencies]\nfast = [\"orjson\"]\n\n[dependency-groups]\ndev = [\"pytest\"]\n\n[tool.uv.workspace]\nmembers = [\"packages/*\"]\n",
            ),
            ("packages/lib-a/pyproject.toml", "[project]\nname = \"lib-a\"\ndynamic = [\"version\"]\ndescription = \"member\"\ndependencies = [\"vendored-wheel\"]\n"),
            (
                "uv.lock",
                &format!(
                    r#"version = 1
revision = 2
requires-python = ">=3.11"

[manifest]
members = ["lib-a", "root-app"]

[[package]]
name = "anyio"
version = "4.4.0"
source = {{ registry = "https://pypi.org/simple" }}
sdist = {{ url = "https://files.pythonhosted.org/anyio-4.4.0.tar.gz", hash = "sha256:{h}", size = 1 }}

[[package]]
name = "httpx"
version = "0.27.0"
source = {{ git = "https://github.com/encode/httpx?tag=0.27.0#1111111111111111111111111111111111111111" }}
dependencies = [
    {{ name = "anyio" }},
]

[[package]]
name = "iniconfig"
version = "2.0.0"
source = {{ registry = "https://pypi.org/simple" }}

[[package]]
name = "lib-a"
source = {{ editable = "packages/lib-a" }}
dependencies = [
    {{ name = "vendored-wheel" }},
]

[[package]]
name = "orjson"
version = "3.10.0"
source = {{ registry = "https://mirror.example/simple" }}

[[package]]
name = "pytest"
version = "8.2.0"
source = {{ registry = "https://pypi.org/simple" }}
dependencies = [
    {{ name = "iniconfig" }},
    {{ name = "anyio", marker = "sys_platform == 'win32'" }},
]

[[package]]
name = "root-app"
version = "0.1.0"
source = {{ virtual = "." }}
dependencies = [
    {{ name = "httpx" }},
    {{ name = "lib-a" }},
]

[package.optional-dependencies]
fast = [
    {{ name = "orjson" }},
]

[package.dev-dependencies]
dev = [
    {{ name = "pytest" }},
]

[[package]]
name = "vendored-wheel"
version = "1.0.0"
source = {{ path = "wheels/vendored_wheel-1.0.0-py3-none-any.whl" }}
"#
                ),
            ),
        ],
    );
    let inv = scan_dir(dir.path());
    assert!(inv.diagnostics.is_empty(), "{:#?}", inv.diagnostics);
    assert_eq!(pypi(&inv).len(), 8);
    // Workspace members are applications; their pyproject metadata is kept.
    let root = get(&inv, "root-app");
    assert_eq!(root.kind, ComponentKind::Application);
    assert_eq!(root.license.declared.as_ref().unwrap().expression, "MIT");
    assert_eq!(root.authors, ["Grace <grace@example.org>"]);
    let lib = get(&inv, "lib-a");
    assert_eq!(lib.kind, ComponentKind::Application);
    assert_eq!(lib.version, None, "dynamic version: not invented");
    assert_eq!(lib.purl.as_deref(), Some("pkg:pypi/lib-a"));
    assert_eq!(lib.description.as_deref(), Some("member"));
    // Scopes propagate from the members: anyio is runtime through httpx even though pytest needs it too.
    assert_eq!(get(&inv, "anyio").scope, Scope::Runtime);
    assert_eq!(get(&inv, "pytest").scope, Scope::Dev);
    assert_eq!(get(&inv, "iniconfig").scope, Scope::Dev);
    assert_eq!(get(&inv, "orjson").scope, Scope::Optional);
    assert_eq!(get(&inv, "vendored-wheel").scope, Scope::Runtime);
    assert_eq!(get(&inv, "anyio").hashes[0].value, h);
    let httpx = get(&inv, "httpx");
    assert!(
        matches!(&httpx.source, Some(SourceKind::Git { commit: Some(c), reference: Some(r), .. }) if c.starts_with("1111") && r == "tag=0.27.0")
    );
    assert!(httpx.direct);
    assert!(get(&inv, "orjson")
        .purl
        .as_deref()
        .unwrap()
        .ends_with("?repository_url=https://mirror.example/simple"));
    assert_eq!(
        get(&inv, "vendored-wheel").source,
        Some(SourceKind::Path { path: "wheels/vendored_wheel-1.0.0-py3-none-any.whl".into() })
    );
    assert_eq!(edge(&inv, "root-app", "orjson"), Some(EdgeKind::Optional));
    assert_eq!(edge(&inv, "root-app", "pytest"), Some(EdgeKind::Dev));
    assert_eq!(edge(&inv, "root-app", "lib-a"), Some(EdgeKind::Normal));
    assert_eq!(edge(&inv, "lib-a", "vendored-wheel"), Some(EdgeKind::Normal));
    validate_cdx(&cdx(&inv), "uv workspace");
}

#[test]
fn pipfile_lock_and_pdm_lock() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("pipenv/Pipfile", "[[source]]\nurl = \"https://pypi.org/simple\"\nname = \"pypi\"\n\n[packages]\nrequests = \"*\"\n\n[dev-packages]\npytest = \"*\"\n"),
            (
                "pipenv/Pipfile.lock",
                r#"{
    "_meta": {
        "hash": {"sha256": "00"},
        "pipfile-spec": 6,
        "requires": {"python_version": "3.11"},
        "sources": [
            {"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": true},
            {"name": "corp", "url": "https://ci:t0ken@corp.example/simple", "verify_ssl": true}
        ]
    },
    "default": {
        "idna": {
            "hashes": ["sha256:aaaa000000000000000000000000000000000000000000000000000000000000"],
            "markers": "python_version >= '3.5'",
            "version": "==3.6"
        },
        "internal": {"index": "corp", "version": "==0.9.0"},
        "requests": {
            "hashes": [
                "sha256:1111111111111111111111111111111111111111111111111111111111111111",
                "sha256:2222222222222222222222222222222222222222222222222222222222222222"
            ],
            "version": "==2.31.0"
        },
        "mylib": {"git": "https://github.com/example/mylib.git", "ref": "89abcdef89abcdef89abcdef89abcdef89abcdef"}
    },
    "develop": {
        "pytest": {"version": "==8.0.0"},
        "idna": {"version": "==3.6"}
    }
}
"#,
            ),
            ("pdm/pyproject.toml", "[project]\nname = \"pdm-app\"\nversion = \"2.0.0\"\ndependencies = [\"click>=8\"]\n\n[tool.pdm.dev-dependencies]\ntest = [\"pytest-cov\"]\n"),
            (
                "pdm/pdm.lock",
                "# This file is @generated by PDM.\n\n[metadata]\ngroups = [\"default\", \"test\"]\nstrategy = [\"cross_platform\"]\nlock_version = \"4.4.1\"\ncontent_hash = \"sha256:00\"\n\n[[package]]\nname = \"click\"\nversion = \"8.1.7\"\nrequires_python = \">=3.7\"\nsummary = \"Composable command line interface toolkit\"\ngroups = [\"default\"]\ndependencies = [\n    \"colorama; platform_system == \\\"Windows\\\"\",\n]\nfiles = [\n    {file = \"click-8.1.7.tar.gz\", hash = \"sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd\"},\n]\n\n[[package]]\nname = \"colorama\"\nversion = \"0.4.6\"\nsummary = \"\"\ngroups = [\"default\"]\n\n[[package]]\nname = \"pytest-cov\"\nversion = \"5.0.0\"\nsummary = \"\"\ngroups = [\"test\"]\n",
            ),
        ],
    );
    let inv = scan_dir(dir.path());
    assert!(inv.diagnostics.is_empty(), "{:#?}", inv.diagnostics);
    // Pipfile.lock: idna is in both sections, runtime wins; develop-only pytest is dev.
    assert_eq!(get(&inv, "idna").scope, Scope::Runtime);
    assert_eq!(get(&inv, "idna").hashes.len(), 1);
    assert_eq!(get(&inv, "pytest").scope, Scope::Dev);
    assert_eq!(get(&inv, "requests").properties["python-artifact-hashes"].split(' ').count(), 2);
    assert!(get(&inv, "requests").direct, "declared in the Pipfile");
    assert!(!get(&inv, "idna").direct);
    assert_eq!(get(&inv, "idna").found_in[0].line, Some(12));
    assert!(get(&inv, "internal")
        .purl
        .as_deref()
        .unwrap()
        .ends_with("?repository_url=https://corp.example/simple"));
    no_secret(&inv, "t0ken");
    assert!(matches!(&get(&inv, "mylib").source, Some(SourceKind::Git { commit: Some(_), .. })));
    // pdm.lock: groups, edges from PEP 508 strings, the project as application.
    assert_eq!(get(&inv, "pdm-app").kind, ComponentKind::Application);
    assert_eq!(get(&inv, "click").scope, Scope::Runtime);
    assert_eq!(get(&inv, "pytest-cov").scope, Scope::Dev);
    assert_eq!(edge(&inv, "click", "colorama"), Some(EdgeKind::Normal));
    assert_eq!(edge(&inv, "pdm-app", "pytest-cov"), Some(EdgeKind::Dev));
    assert_eq!(get(&inv, "click").hashes[0].value, "d".repeat(64));
    validate_cdx(&cdx(&inv), "pipfile and pdm");
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
    assert_eq!(lic.expression, "Apache 2.0");
    assert!(!lic.valid);
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

// ---- The corpus, counted independently -------------------------------------------------------------

/// `[[package]]` entries of a TOML lockfile (poetry.lock, uv.lock) as `name@version`, read line by line:
/// the first `name = ` and `version = ` after each header.
fn toml_lock_packages(text: &str) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    let mut in_pkg = false;
    for line in text.lines() {
        if line == "[[package]]" {
            in_pkg = true;
            out.push((String::new(), None));
            continue;
        }
        if line.starts_with('[') {
            in_pkg = false;
        }
        if !in_pkg {
            continue;
        }
        let last = out.last_mut().unwrap();
        if let Some(v) = line.strip_prefix("name = ") {
            last.0 = v.trim_matches('"').to_string();
        } else if let Some(v) = line.strip_prefix("version = ") {
            last.1 = Some(v.trim_matches('"').to_string());
        }
    }
    out
}

fn pep503(name: &str) -> String {
    let mut s = name.to_lowercase().replace(['_', '.'], "-");
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    s
}

fn assert_same<T: Ord + std::fmt::Debug>(got: &BTreeSet<T>, want: &BTreeSet<T>, what: &str) {
    let missing: Vec<_> = want.difference(got).take(10).collect();
    let extra: Vec<_> = got.difference(want).take(10).collect();
    assert!(missing.is_empty() && extra.is_empty(), "{what} differ: missing {missing:?}, extra {extra:?}");
}

fn ids(inv: &Inventory) -> BTreeSet<String> {
    pypi(inv).iter().map(|c| format!("{}@{}", c.name, c.version.as_deref().unwrap_or("?"))).collect()
}

#[test]
fn corpus_poetry_lock_gives_exactly_its_packages() {
    let Some(root) = corpus("python corpus poetry") else { return };
    let dir = root.join("python/python-poetry__poetry");
    let inv = scan_dir(&dir);
    let text = std::fs::read_to_string(dir.join("poetry.lock")).unwrap();
    let locked = toml_lock_packages(&text);
    // 78 `[[package]]` entries, all distinct names; the project itself (pyproject.toml) makes 79.
    assert_eq!(locked.len(), text.lines().filter(|l| *l == "[[package]]").count());
    let mut want: BTreeSet<String> =
        locked.iter().map(|(n, v)| format!("{}@{}", pep503(n), v.as_deref().unwrap())).collect();
    want.insert("poetry@2.5.0.dev0".into());
    assert_same(&ids(&inv), &want, "poetry packages");
    assert_eq!(pypi(&inv).len(), locked.len() + 1);
    // Dev scope: exactly the entries whose `groups` line lacks "main".
    let mut want_dev = BTreeSet::new();
    let mut cur = String::new();
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("name = ") {
            cur = pep503(v.trim_matches('"'));
        } else if let Some(g) = line.strip_prefix("groups = ") {
            if !g.contains("\"main\"") {
                want_dev.insert(cur.clone());
            }
        }
    }
    let got_dev: BTreeSet<String> =
        pypi(&inv).iter().filter(|c| c.scope == Scope::Dev).map(|c| c.name.clone()).collect();
    assert_same(&got_dev, &want_dev, "dev-only packages");
    // Edges: every `[package.dependencies]` key that names a locked package (extras' deps are not edges).
    let mut want_edges = BTreeSet::new();
    let mut in_deps = false;
    let names: BTreeSet<String> = locked.iter().map(|(n, _)| pep503(n)).collect();
    for line in text.lines() {
        if line.starts_with('[') {
            in_deps = line == "[package.dependencies]";
            continue;
        }
        if let Some(v) = line.strip_prefix("name = ") {
            cur = pep503(v.trim_matches('"'));
        } else if in_deps {
            if let Some((k, _)) = line.split_once(" = ") {
                let k = pep503(k.trim_matches('"'));
                if names.contains(&k) {
                    want_edges.insert((cur.clone(), k));
                }
            }
        }
    }
    let name_of = |id: &str| inv.component(id).unwrap().name.clone();
    let got_edges: BTreeSet<(String, String)> = inv
        .edges
        .iter()
        .filter(|e| !e.from.starts_with("pkg:pypi/poetry@"))
        .map(|e| (name_of(&e.from), name_of(&e.to)))
        .collect();
    assert_same(&got_edges, &want_edges, "lock edges");
    // Every dependency a locked package names is itself locked: no diagnostic at all.
    assert!(inv.diagnostics.is_empty(), "{:#?}", inv.diagnostics);
    validate_cdx(&cdx(&inv), "corpus poetry");
}

#[test]
fn corpus_uv_benchmark_lock_gives_exactly_its_packages() {
    let Some(root) = corpus("python corpus uv") else { return };
    let dir = root.join("rust/astral-sh__uv/scripts/benchmark");
    let inv = scan_dir(&dir);
    let text = std::fs::read_to_string(dir.join("uv.lock")).unwrap();
    let locked = toml_lock_packages(&text);
    assert_eq!(locked.len(), 77);
    let want: BTreeSet<String> =
        locked.iter().map(|(n, v)| format!("{}@{}", pep503(n), v.as_deref().unwrap_or("?"))).collect();
    assert_same(&ids(&inv), &want, "uv packages");
    assert_eq!(
        pypi(&inv).len(),
        locked.len(),
        "the project is the lock's editable member, not an extra component"
    );
    let app = get(&inv, "benchmark");
    assert_eq!(app.kind, ComponentKind::Application);
    assert_eq!(app.description.as_deref(), Some("Benchmark package resolution tools"));
    // The seven declared dependencies are the direct ones.
    let direct: BTreeSet<&str> = pypi(&inv).iter().filter(|c| c.direct).map(|c| c.name.as_str()).collect();
    assert_eq!(
        direct,
        BTreeSet::from(["pdm", "pip-tools", "pipx", "poetry", "tomli", "tomli-w", "virtualenv"])
    );
    // Every `{ name = … }` inside a `dependencies = [` block, or inside an array of the
    // `[package.optional-dependencies]` / `[package.dev-dependencies]` tables, is one edge.
    let mut want_edges = BTreeSet::new();
    let (mut cur, mut in_deps, mut section) = (String::new(), false, String::new());
    for line in text.lines() {
        if line.starts_with('[') {
            section = line.to_string();
        }
        let dep_table =
            section == "[package.optional-dependencies]" || section == "[package.dev-dependencies]";
        if let Some(v) = line.strip_prefix("name = ") {
            cur = v.trim_matches('"').to_string();
        } else if (section == "[[package]]" && line == "dependencies = [")
            || (dep_table && line.ends_with(" = ["))
        {
            in_deps = true;
        } else if line == "]" {
            in_deps = false;
        } else if in_deps {
            if let Some(rest) = line.trim().strip_prefix("{ name = \"") {
                want_edges.insert((cur.clone(), rest.split('"').next().unwrap().to_string()));
            }
        }
    }
    let name_of = |id: &str| inv.component(id).unwrap().name.clone();
    let got_edges: BTreeSet<(String, String)> =
        inv.edges.iter().map(|e| (name_of(&e.from), name_of(&e.to))).collect();
    assert_same(&got_edges, &want_edges, "uv edges");
    assert!(inv.diagnostics.is_empty(), "{:#?}", inv.diagnostics);
    validate_cdx(&cdx(&inv), "corpus uv benchmark");
}

/// A requirement line's name and whether it is an exact pin, read with a split on the operator characters.
fn req_line(line: &str) -> Option<(String, Option<String>)> {
    let l = line.split('#').next().unwrap().trim();
    if l.is_empty() || l.starts_with('-') {
        return None;
    }
    let name_end = l.find(|c: char| "<>=!~[; ".contains(c)).unwrap_or(l.len());
    let name = pep503(&l[..name_end]);
    let version = l
        .split_once("==")
        .filter(|(_, v)| !v.contains(',') && !v.contains('*'))
        .map(|(_, v)| v.trim().to_string());
    Some((name, version))
}

#[test]
fn corpus_ai_requirement_files_give_exactly_their_packages() {
    let Some(root) = corpus("python corpus ai") else { return };
    for project in ["ai/QwenLM__Qwen3", "ai/deepseek-ai__DeepSeek-V3", "ai/LG-AI-EXAONE__EXAONE-3.5"] {
        let dir = root.join(project);
        let inv = scan_dir(&dir);
        let mut want: BTreeMap<String, Option<String>> = BTreeMap::new();
        let mut files = Vec::new();
        collect(&dir, &mut files);
        for f in files.iter().filter(|f| f.file_name().unwrap().to_string_lossy().starts_with("requirements"))
        {
            for line in std::fs::read_to_string(f).unwrap().lines() {
                if let Some((n, v)) = req_line(line) {
                    // The same name pinned in one file and ranged in another would be two components.
                    assert!(want.get(&n).is_none_or(|old| old == &v), "{n} differs between files");
                    want.insert(n, v);
                }
            }
        }
        let want: BTreeSet<String> =
            want.into_iter().map(|(n, v)| format!("{n}@{}", v.as_deref().unwrap_or("?"))).collect();
        assert_same(&ids(&inv), &want, project);
        assert!(inv.diagnostics.is_empty(), "{project}: {:#?}", inv.diagnostics);
        validate_cdx(&cdx(&inv), project);
    }
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
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
fn pipfile_without_lock_and_local_package_sources() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "solo/Pipfile",
                "[[source]]\nurl = \"https://pypi.org/simple\"\nname = \"pypi\"\n\n[packages]\nrequests = \"*\"\nflask = \"==3.0.0\"\nmylib = { git = \"https://github.com/example/mylib.git\", ref = \"v1\" }\n\n[dev-packages]\npytest = \">=8\"\n",
            ),
            (
                "flat/uv.lock",
                "version = 1\n\n[[package]]\nname = \"inhouse\"\nversion = \"0.3.0\"\nsource = { registry = \"../wheels\" }\n",
            ),
            (
                "po/sub/poetry.lock",
                "[[package]]\nname = \"sibling\"\nversion = \"0.1.0\"\ngroups = [\"main\"]\nfiles = []\n\n[package.source]\ntype = \"directory\"\nurl = \"../libs/sibling\"\n\n[metadata]\nlock-version = \"2.1\"\n",
            ),
        ],
    );
    let inv = scan_dir(dir.path());
    assert_eq!(line_of(diag(&inv, "no-lockfile", "solo/Pipfile")), None);
    assert_eq!(get(&inv, "requests").requirement, None, "`*` is no requirement");
    assert_eq!(get(&inv, "flask").version.as_deref(), Some("3.0.0"));
    assert_eq!(get(&inv, "flask").found_in[0].line, Some(7));
    assert!(
        matches!(&get(&inv, "mylib").source, Some(SourceKind::Git { reference: Some(r), .. }) if r == "v1")
    );
    let pytest = get(&inv, "pytest");
    assert_eq!((pytest.scope, pytest.requirement.as_deref()), (Scope::Dev, Some(">=8")));
    // A uv registry that is a local directory is a path, not PyPI.
    assert_eq!(get(&inv, "inhouse").source, Some(SourceKind::Path { path: "wheels".into() }));
    // Poetry directory sources are relative to the lockfile.
    assert_eq!(get(&inv, "sibling").source, Some(SourceKind::Path { path: "po/libs/sibling".into() }));
    validate_cdx(&cdx(&inv), "pipfile without lock");
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
