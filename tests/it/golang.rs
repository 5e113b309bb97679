//! Go resolver: go.mod features, go.sum semantics, go.work workspaces, vendor/modules.txt, bad input, and
//! the corpus's go.mod/go.sum counted independently of the code under test.

use std::collections::BTreeSet;

use sovereign::model::{
    Component, ComponentKind, Ecosystem, EdgeKind, Inventory, Scope, Severity, SourceKind,
};

use crate::support::{cdx, corpus, scan_dir, validate_cdx, write_files};

fn golang(inv: &Inventory) -> Vec<&Component> {
    inv.components.iter().filter(|c| c.ecosystem == Ecosystem::Golang).collect()
}

fn module_path(c: &Component) -> String {
    match &c.namespace {
        Some(ns) => format!("{ns}/{}", c.name),
        None => c.name.clone(),
    }
}

fn get<'a>(inv: &'a Inventory, path: &str) -> &'a Component {
    golang(inv).into_iter().find(|c| module_path(c) == path).unwrap_or_else(|| {
        panic!("no module {path}: {:?}", inv.components.iter().map(|c| &c.id).collect::<Vec<_>>())
    })
}

fn diag<'a>(inv: &'a Inventory, code: &str, path: &str) -> &'a sovereign::model::Diagnostic {
    inv.diagnostics
        .iter()
        .find(|d| d.code == code && d.location.as_ref().is_some_and(|l| l.path == path))
        .unwrap_or_else(|| panic!("no {code} for {path}: {:#?}", inv.diagnostics))
}

const GO_MOD: &str = "module github.com/Example/App

go 1.22.0

toolchain go1.22.4

require (
\tgithub.com/BurntSushi/toml v1.3.2
\tgithub.com/alecthomas/chroma/v2 v2.14.0
\tgithub.com/pkg/browser v0.0.0-20240102092130-5ac0b6a4141c
\tgithub.com/Azure/go-autorest v14.2.0+incompatible // indirect
\tgolang.org/x/sys v0.20.0 // indirect
\tgithub.com/old/lib v1.0.0
\texample.com/localdep v0.0.0
\texample.com/outside v1.0.0
\tgolang.org/x/onlygomod v0.1.0 // indirect
)

replace github.com/old/lib => github.com/new/lib v1.2.0

replace (
\texample.com/localdep => ./localdep
\texample.com/outside v1.0.0 => ../not-in-tree
)

exclude golang.org/x/sys v0.19.0

retract [v1.0.0, v1.0.5] // published by mistake
";

const GO_SUM: &str = "github.com/BurntSushi/toml v1.3.2 h1:o7IhLm0Msx3BaB+n3Ag7L8EVlByGnpq14C4YWiu/gL8=
github.com/BurntSushi/toml v1.3.2/go.mod h1:CxXYINrC8qIiEnFrOxCa7Jy5BFHlXnUU2pbicEuybxQ=
github.com/Azure/go-autorest v14.2.0+incompatible h1:V5VMDjClD3GiElqLWO7mz2MxNAK/vTfRHdAubSIPRgs=
github.com/Azure/go-autorest v14.2.0+incompatible/go.mod h1:r+4oMnoxhatjLLJ6zxSWATqVooLgysK6ZNox3g/xq24=
github.com/alecthomas/chroma/v2 v2.14.0 h1:R3+wzpnUArGcQz7fCETQBzO5n9IMNi13iIs46aU4V9E=
github.com/alecthomas/chroma/v2 v2.14.0/go.mod h1:QolEbTfmUHIMVpBqxeDnNBj2uoeI4EbYP4i6n68SG4I=
github.com/pkg/browser v0.0.0-20240102092130-5ac0b6a4141c h1:KLSvCBh4kplhmo+cyA3BCvUeS2vFWHv3S8wtXUE8x9E=
github.com/pkg/browser v0.0.0-20240102092130-5ac0b6a4141c/go.mod h1:7rwL4CYBLnjLxUqIJNnCWiEdr3bn6IUYi15bNlnbCCU=
golang.org/x/sys v0.20.0 h1:Od9JTbYCk261bKm4M/mw7AklTlFYIa0bIp9BgSm1S8Y=
golang.org/x/sys v0.19.0/go.mod h1:/VUhepiaJMQUp4+oa/7Zr1D23ma6VTLIYjOOTFZPUcA=
golang.org/x/sys v0.20.0/go.mod h1:/VUhepiaJMQUp4+oa/7Zr1D23ma6VTLIYjOOTFZPUcA=
github.com/new/lib v1.2.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
github.com/new/lib v1.2.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
golang.org/x/onlygomod v0.1.0/go.mod h1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=
github.com/stretchr/testify v1.8.0 h1:CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC=
github.com/stretchr/testify v1.9.0 h1:DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD=
github.com/stretchr/testify v1.9.0/go.mod h1:DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD=
gopkg.in/yaml.v3 v3.0.1/go.mod h1:EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE=
";

#[test]
fn go_mod_and_go_sum_every_feature() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("go.mod", GO_MOD),
            ("go.sum", GO_SUM),
            ("localdep/go.mod", "module example.com/localdep\n\ngo 1.22\n"),
            // Test data and vendored copies are not modules of the build.
            ("internal/testdata/go.mod", "module example.com/fixture\n\nrequire example.com/nope v1.0.0\n"),
        ],
    );
    let inv = scan_dir(dir.path());
    let paths: BTreeSet<String> = golang(&inv).iter().map(|c| module_path(c)).collect();
    assert_eq!(
        paths,
        BTreeSet::from(
            [
                "github.com/Example/App",
                "example.com/localdep",
                "github.com/BurntSushi/toml",
                "github.com/alecthomas/chroma/v2",
                "github.com/pkg/browser",
                "github.com/Azure/go-autorest",
                "golang.org/x/sys",
                "github.com/new/lib",
                "example.com/outside",
                "github.com/stretchr/testify",
            ]
            .map(String::from)
        )
    );
    let app = get(&inv, "github.com/Example/App");
    assert_eq!(app.kind, ComponentKind::Application);
    assert_eq!(app.purl.as_deref(), Some("pkg:golang/github.com/Example/App"));
    assert_eq!(app.properties["go-version"], "1.22.0");
    assert_eq!(app.properties["go-toolchain"], "go1.22.4");
    assert_eq!(app.properties["go-retracted"], "[v1.0.0, v1.0.5]");

    // Purls: lowercased as the purl spec requires; the exact path stays in namespace/name.
    let toml = get(&inv, "github.com/BurntSushi/toml");
    assert_eq!(toml.purl.as_deref(), Some("pkg:golang/github.com/BurntSushi/toml@v1.3.2"));
    assert_eq!(toml.namespace.as_deref(), Some("github.com/BurntSushi"));
    assert!(toml.direct);
    assert_eq!(toml.properties["go-sum-h1"], "h1:o7IhLm0Msx3BaB+n3Ag7L8EVlByGnpq14C4YWiu/gL8=");
    assert!(toml.found_in.iter().any(|l| l.path == "go.sum" && l.line == Some(1)));
    assert_eq!(toml.found_in[0].line, Some(8));
    let chroma = get(&inv, "github.com/alecthomas/chroma/v2");
    assert_eq!(chroma.purl.as_deref(), Some("pkg:golang/github.com/alecthomas/chroma/v2@v2.14.0"));
    assert_eq!(chroma.name, "v2");
    assert_eq!(get(&inv, "github.com/pkg/browser").properties["go-pseudo-version"], "true");
    let azure = get(&inv, "github.com/Azure/go-autorest");
    assert_eq!(azure.version.as_deref(), Some("v14.2.0+incompatible"));
    assert_eq!(azure.purl.as_deref(), Some("pkg:golang/github.com/Azure/go-autorest@v14.2.0%2Bincompatible"));
    assert!(!azure.direct, "// indirect");
    // replace by another module: the replacement is what is built.
    let newlib = get(&inv, "github.com/new/lib");
    assert_eq!(newlib.version.as_deref(), Some("v1.2.0"));
    assert_eq!(newlib.properties["go-replaces"], "github.com/old/lib v1.0.0");
    assert!(newlib.direct);
    // replace by a directory of the tree that is a module: an edge to that application.
    assert_eq!(get(&inv, "example.com/localdep").kind, ComponentKind::Application);
    assert!(inv.edges.iter().any(|e| e.from == app.id && e.to == "pkg:golang/example.com/localdep"));
    // replace by a directory outside the tree: a path component without a version.
    let outside = get(&inv, "example.com/outside");
    assert_eq!(outside.version, None);
    assert_eq!(outside.requirement.as_deref(), Some("v1.0.0"));
    assert!(matches!(&outside.source, Some(SourceKind::Path { path }) if path == "../not-in-tree"));
    // Only a /go.mod hash: not built, not a component, and said so.
    assert!(diag(&inv, "go-module-not-built", "go.mod").message.contains("golang.org/x/onlygomod@v0.1.0"));
    // go.sum content hash without a go.mod requirement (Go ≥ 1.17): needed to test dependencies, dev;
    // the highest version only.
    let testify = get(&inv, "github.com/stretchr/testify");
    assert_eq!((testify.version.as_deref(), testify.scope), (Some("v1.9.0"), Scope::Dev));
    assert!(golang(&inv).iter().all(|c| module_path(c) != "gopkg.in/yaml.v3"));
    // Edges: the module to its direct requirements only.
    let direct: BTreeSet<&str> =
        inv.edges.iter().filter(|e| e.from == app.id).map(|e| e.to.as_str()).collect();
    assert_eq!(direct.len(), 6, "{direct:?}");
    assert!(inv.edges.iter().all(|e| e.kind == EdgeKind::Normal));
    assert!(inv.components.iter().all(|c| !c.id.contains("fixture") && !c.id.contains("nope")));
    validate_cdx(&cdx(&inv), "go features");
}

#[test]
fn before_go_1_17_go_sum_extras_are_indirect_runtime_dependencies() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("go.mod", "module example.com/old\n\ngo 1.16\n\nrequire github.com/a/b v1.0.0\n"),
            (
                "go.sum",
                "github.com/a/b v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\ngithub.com/a/b v1.0.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\ngithub.com/c/d v0.3.0 h1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=\ngithub.com/c/d v0.10.0 h1:CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC=\n",
            ),
        ],
    );
    let inv = scan_dir(dir.path());
    let d = get(&inv, "github.com/c/d");
    assert_eq!(d.version.as_deref(), Some("v0.10.0"), "semantic version order, not text order");
    assert_eq!(d.scope, Scope::Runtime);
    assert!(!d.direct);
    assert_eq!(diag(&inv, "go-sum-extra-modules", "go.sum").severity, Severity::Note);
}

#[test]
fn go_work_and_vendor_modules_txt() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("go.work", "go 1.22\n\nuse (\n\t./api\n\t./cmd\n)\n\nuse ./missing\n\nreplace github.com/x/y v1.0.0 => github.com/x/y v1.0.1\n"),
            ("go.work.sum", "github.com/x/y v1.0.1 h1:YYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYY=\n"),
            ("api/go.mod", "module example.com/api\n\ngo 1.22\n\nrequire github.com/x/y v1.0.0\n"),
            (
                "cmd/go.mod",
                "module example.com/cmd\n\ngo 1.22\n\nrequire (\n\texample.com/api v0.0.0-00010101000000-000000000000\n\tgithub.com/vend/one v1.1.0\n)\n",
            ),
            (
                "cmd/vendor/modules.txt",
                "# github.com/vend/one v1.1.0\n## explicit; go 1.20\ngithub.com/vend/one\ngithub.com/vend/one/sub\n# github.com/vend/stale v0.1.0\ngithub.com/vend/stale\n# github.com/vend/unused v0.2.0\n## explicit\n",
            ),
            ("cmd/vendor/github.com/vend/one/go.mod", "module github.com/vend/one\n"),
        ],
    );
    let inv = scan_dir(dir.path());
    let api = get(&inv, "example.com/api");
    let cmd = get(&inv, "example.com/cmd");
    assert_eq!((api.kind, cmd.kind), (ComponentKind::Application, ComponentKind::Application));
    // A workspace module required by another: an edge to the application, no download.
    assert!(inv.edges.iter().any(|e| e.from == cmd.id && e.to == api.id));
    assert!(golang(&inv).iter().all(|c| c.version.as_deref() != Some("v0.0.0-00010101000000-000000000000")));
    // go.work's replace applies to its modules; go.work.sum has the hash.
    let y = get(&inv, "github.com/x/y");
    assert_eq!(y.version.as_deref(), Some("v1.0.1"));
    assert!(y.found_in.iter().any(|l| l.path == "go.work" && l.line == Some(10)));
    assert!(y.found_in.iter().any(|l| l.path == "go.work.sum"));
    assert_eq!(diag(&inv, "workspace-member-missing", "go.work").location.as_ref().unwrap().line, Some(8));
    // vendor/modules.txt: vendored modules are marked; one vendored but not required is reported.
    let one = get(&inv, "github.com/vend/one");
    assert_eq!(one.properties["go-vendored"], "true");
    assert!(one.found_in.iter().any(|l| l.path == "cmd/vendor/modules.txt" && l.line == Some(1)));
    assert_eq!(
        diag(&inv, "vendor-out-of-date", "cmd/vendor/modules.txt").location.as_ref().unwrap().line,
        Some(5)
    );
    assert!(
        golang(&inv).iter().all(|c| c.name != "unused"),
        "a module without vendored packages is not vendored"
    );
    validate_cdx(&cdx(&inv), "go work and vendor");
}

#[test]
fn malformed_go_files_are_diagnostics_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "bad/go.mod",
                "module example.com/bad\n\nrequire (\n\tgithub.com/ok/one v1.0.0\n\tgithub.com/broken\n\t\"unterminated v1.0.0\n\t../../etc/passwd v1.0.0\n\tgithub.com/ok/two v2.0.0\n)\nfrobnicate now\nrequire github.com/open (\n",
            ),
            ("bad/go.sum", "garbage line\ngithub.com/ok/one v1.0.0 h1:QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ=\n\u{0}\u{1}\u{2}\n"),
            ("nomodule/go.mod", "go 1.21\nrequire github.com/lonely/dep v1.0.0\n"),
            ("good/go.mod", "module example.com/good\n\ngo 1.21\n\nrequire github.com/fine/dep v1.0.0\n"),
        ],
    );
    std::fs::create_dir_all(dir.path().join("latin1")).unwrap();
    std::fs::write(dir.path().join("latin1/go.mod"), b"module caf\xe9\n").unwrap();
    let inv = scan_dir(dir.path());
    let lines: BTreeSet<Option<u32>> = inv
        .diagnostics
        .iter()
        .filter(|d| d.code == "invalid-go-mod" && d.location.as_ref().is_some_and(|l| l.path == "bad/go.mod"))
        .map(|d| d.location.as_ref().unwrap().line)
        .collect();
    assert_eq!(
        lines,
        BTreeSet::from([Some(5), Some(6), Some(7), Some(10), Some(11)]),
        "{:#?}",
        inv.diagnostics
    );
    assert_eq!(get(&inv, "github.com/ok/one").version.as_deref(), Some("v1.0.0"));
    assert_eq!(get(&inv, "github.com/ok/two").version.as_deref(), Some("v2.0.0"));
    let sum_lines: BTreeSet<Option<u32>> = inv
        .diagnostics
        .iter()
        .filter(|d| d.code == "invalid-go-sum")
        .map(|d| d.location.as_ref().unwrap().line)
        .collect();
    assert_eq!(sum_lines, BTreeSet::from([Some(1), Some(3)]));
    assert!(diag(&inv, "invalid-go-mod", "nomodule/go.mod").location.as_ref().unwrap().line.is_none());
    assert_eq!(get(&inv, "github.com/lonely/dep").version.as_deref(), Some("v1.0.0"));
    assert_eq!(diag(&inv, "invalid-utf8", "latin1/go.mod").location.as_ref().unwrap().line, Some(1));
    assert_eq!(get(&inv, "example.com/good").kind, ComponentKind::Application);
    validate_cdx(&cdx(&inv), "malformed go");
}

#[test]
fn module_paths_differing_only_by_case_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[(
            "go.mod",
            "module example.com/m\n\ngo 1.21\n\nrequire (\n\tgithub.com/Sirupsen/logrus v1.0.0\n\tgithub.com/sirupsen/logrus v1.0.0\n)\n",
        )],
    );
    let inv = scan_dir(dir.path());
    assert!(inv.diagnostics.iter().any(|d| d.code == "go-module-case-clash"), "{:#?}", inv.diagnostics);
    // Two modules to Go, two components with purls of their own case.
    let logrus: Vec<_> = golang(&inv).into_iter().filter(|c| c.name == "logrus").collect();
    assert_eq!(logrus.len(), 2);
    assert!(logrus.iter().any(|c| c.purl.as_deref() == Some("pkg:golang/github.com/Sirupsen/logrus@v1.0.0")));
}

// ---- The corpus, counted independently -------------------------------------------------------------

#[test]
fn corpus_hugo_gives_exactly_the_modules_of_go_mod_and_go_sum() {
    let Some(root) = corpus("go corpus hugo") else { return };
    let dir = root.join("go/gohugoio__hugo");
    let inv = scan_dir(&dir);
    let go_mod = std::fs::read_to_string(dir.join("go.mod")).unwrap();
    let go_sum = std::fs::read_to_string(dir.join("go.sum")).unwrap();
    // go.mod: every line inside a `require (` block (hugo has no single-line requires, no replace).
    let mut required: BTreeSet<(String, String, bool)> = BTreeSet::new();
    let mut in_block = false;
    for line in go_mod.lines() {
        if line == "require (" {
            in_block = true;
        } else if line == ")" {
            in_block = false;
        } else if in_block {
            let f: Vec<&str> = line.split_whitespace().collect();
            required.insert((f[0].to_string(), f[1].to_string(), line.ends_with("// indirect")));
        }
    }
    assert!(
        !go_mod.contains("replace")
            && !go_mod.lines().any(|l| l.starts_with("require ") && !l.ends_with('('))
    );
    assert_eq!(required.len(), 180);
    // go.sum: modules with a content hash (a line whose version has no `/go.mod` suffix).
    let content: BTreeSet<(String, String)> = go_sum
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (!f[1].ends_with("/go.mod")).then(|| (f[0].to_string(), f[1].to_string()))
        })
        .collect();
    let req_paths: BTreeSet<&str> = required.iter().map(|(p, _, _)| p.as_str()).collect();
    // Every required module was downloaded; the rest of go.sum's content hashes are test-only modules.
    for (p, v, _) in &required {
        assert!(content.contains(&(p.clone(), v.clone())), "{p}@{v} has no h1 hash");
    }
    let extra: BTreeSet<&(String, String)> =
        content.iter().filter(|(p, _)| !req_paths.contains(p.as_str())).collect();
    let extra_paths: BTreeSet<&str> = extra.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(extra_paths.len(), extra.len(), "one version per extra module in this go.sum");
    assert_eq!(extra.len(), 34);

    let got: BTreeSet<(String, String)> = golang(&inv)
        .iter()
        .filter(|c| c.kind == ComponentKind::Library)
        .map(|c| (module_path(c), c.version.clone().unwrap()))
        .collect();
    let want: BTreeSet<(String, String)> = required
        .iter()
        .map(|(p, v, _)| (p.clone(), v.clone()))
        .chain(extra.iter().map(|x| (*x).clone()))
        .collect();
    let missing: Vec<_> = want.difference(&got).take(10).collect();
    let surplus: Vec<_> = got.difference(&want).take(10).collect();
    assert!(missing.is_empty() && surplus.is_empty(), "missing {missing:?}, extra {surplus:?}");
    assert_eq!(golang(&inv).len(), 180 + 34 + 1, "required + test-only + the hugo module");
    for c in golang(&inv) {
        let p = module_path(c);
        if let Some((_, _, indirect)) = required.iter().find(|(rp, _, _)| *rp == p) {
            assert_eq!(c.direct, !indirect, "{p}");
            assert_eq!(c.scope, Scope::Runtime, "{p}");
        } else if c.kind == ComponentKind::Library {
            assert_eq!(c.scope, Scope::Dev, "{p}");
        }
    }
    let direct = required.iter().filter(|(_, _, i)| !i).count();
    assert_eq!(inv.edges.len(), direct);
    let notes: Vec<&str> = inv.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(notes, ["go-sum-extra-modules"]);
    validate_cdx(&cdx(&inv), "corpus hugo");
}
