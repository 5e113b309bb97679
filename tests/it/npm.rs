//! JavaScript resolver: every lockfile format and version with its features, package.json alone, bad input,
//! and (in npm/corpus.rs) the real lockfiles of the corpus.

mod bad_input;
mod corpus;
mod pnpm;
mod yarn;

use std::collections::BTreeSet;

use sovereign::model::{Component, ComponentKind, EdgeKind, HashAlg, Inventory, Scope, Severity, SourceKind};

use crate::support::{cdx, scan_dir, validate_cdx, write_files};

/// sha512("") and sha1(""), as npm writes them (base64) and as the SBOM wants them (hex).
pub(super) const SHA512_B64: &str =
    "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==";
pub(super) const SHA512_HEX: &str = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";
pub(super) const SHA1_B64: &str = "2jmj7l5rSw0yVb/vlWAYkK/YBwk=";
pub(super) const SHA1_HEX: &str = "da39a3ee5e6b4b0d3255bfef95601890afd80709";

pub(super) fn full_name(c: &Component) -> String {
    match &c.namespace {
        Some(ns) => format!("{ns}/{}", c.name),
        None => c.name.clone(),
    }
}

pub(super) fn ident(c: &Component) -> String {
    format!("{}@{}", full_name(c), c.version.as_deref().unwrap_or("?"))
}

pub(super) fn comp<'a>(inv: &'a Inventory, id: &str) -> &'a Component {
    inv.components.iter().find(|c| ident(c) == id).unwrap_or_else(|| {
        panic!("no component {id}; have {:?}", inv.components.iter().map(ident).collect::<Vec<_>>())
    })
}

pub(super) fn edges(inv: &Inventory) -> BTreeSet<(String, String, EdgeKind)> {
    inv.edges
        .iter()
        .map(|e| (ident(inv.component(&e.from).unwrap()), ident(inv.component(&e.to).unwrap()), e.kind))
        .collect()
}

pub(super) fn e(from: &str, to: &str, kind: EdgeKind) -> (String, String, EdgeKind) {
    (from.to_string(), to.to_string(), kind)
}

pub(super) fn no_warnings(inv: &Inventory) {
    let w: Vec<String> =
        inv.diagnostics.iter().filter(|d| d.severity >= Severity::Warning).map(|d| d.to_string()).collect();
    assert!(w.is_empty(), "{w:#?}");
}

const ROOT_MANIFEST: &str = r#"{
  "name": "app",
  "version": "1.0.0",
  "license": "MIT",
  "workspaces": ["packages/*"],
  "dependencies": {
    "a": "^1.0.0",
    "alias-b": "npm:b@^2.0.0",
    "gitdep": "github:o/gitdep#main",
    "tar": "https://example.com/tar-1.0.0.tgz",
    "@s/w": "*"
  },
  "devDependencies": { "d": "^1.0.0" },
  "optionalDependencies": { "o": "^1.0.0" }
}
"#;

/// A v2 or v3 lockfile using every feature: a workspace link, an alias, git and tarball sources, a nested
/// duplicate, dev / optional / devOptional / peer flags, a missing optional peer, licences, integrity.
pub(super) fn packages_lock(version: u32) -> String {
    let v1_compat = if version == 2 { r#", "dependencies": { "a": { "version": "1.0.0" } }"# } else { "" };
    format!(
        r#"{{
  "name": "app",
  "version": "1.0.0",
  "lockfileVersion": {version},
  "requires": true,
  "packages": {{
    "": {{
      "name": "app", "version": "1.0.0", "license": "MIT", "workspaces": ["packages/*"],
      "dependencies": {{ "a": "^1.0.0", "alias-b": "npm:b@^2.0.0", "gitdep": "github:o/gitdep#main",
        "tar": "https://example.com/tar-1.0.0.tgz", "@s/w": "*" }},
      "devDependencies": {{ "d": "^1.0.0" }},
      "optionalDependencies": {{ "o": "^1.0.0" }}
    }},
    "node_modules/@s/w": {{ "resolved": "packages/w", "link": true }},
    "node_modules/a": {{
      "version": "1.0.0",
      "resolved": "https://registry.npmjs.org/a/-/a-1.0.0.tgz",
      "integrity": "sha512-{SHA512_B64}",
      "license": "ISC",
      "dependencies": {{ "c": "^1.0.0" }},
      "peerDependencies": {{ "p": "^1.0.0", "q": "^1.0.0" }},
      "peerDependenciesMeta": {{ "q": {{ "optional": true }} }}
    }},
    "node_modules/alias-b": {{
      "name": "b",
      "version": "2.0.0",
      "resolved": "https://registry.npmjs.org/b/-/b-2.0.0.tgz",
      "integrity": "sha1-{SHA1_B64}"
    }},
    "node_modules/c": {{ "version": "1.0.0", "resolved": "https://registry.npmjs.org/c/-/c-1.0.0.tgz" }},
    "node_modules/d": {{
      "version": "1.0.0",
      "resolved": "https://registry.npmjs.org/d/-/d-1.0.0.tgz",
      "dev": true,
      "dependencies": {{ "c": "^2.0.0", "x": "^1.0.0" }}
    }},
    "node_modules/d/node_modules/c": {{
      "version": "2.0.0",
      "resolved": "https://registry.npmjs.org/c/-/c-2.0.0.tgz",
      "dev": true
    }},
    "node_modules/gitdep": {{
      "version": "3.0.0",
      "resolved": "git+ssh://git@github.com/o/gitdep.git#0123456789abcdef0123456789abcdef01234567",
      "license": "MIT"
    }},
    "node_modules/o": {{
      "version": "1.0.0",
      "resolved": "https://registry.npmjs.org/o/-/o-1.0.0.tgz",
      "optional": true,
      "hasInstallScript": true,
      "dependencies": {{ "x": "^1.0.0" }}
    }},
    "node_modules/p": {{ "version": "1.0.0", "resolved": "https://registry.npmjs.org/p/-/p-1.0.0.tgz", "peer": true }},
    "node_modules/tar": {{ "version": "1.0.0", "resolved": "https://example.com/tar-1.0.0.tgz" }},
    "node_modules/x": {{
      "version": "1.0.0",
      "resolved": "https://npm.example.org/mirror/x/-/x-1.0.0.tgz",
      "devOptional": true,
      "inBundle": true
    }},
    "packages/w": {{ "name": "@s/w", "version": "0.2.0", "license": "Apache-2.0", "dependencies": {{ "a": "^2.0.0" }} }},
    "packages/w/node_modules/a": {{ "version": "2.0.0", "resolved": "https://registry.npmjs.org/a/-/a-2.0.0.tgz" }}
  }}{v1_compat}
}}
"#
    )
}

#[test]
fn package_lock_v2_and_v3_features() {
    for version in [3, 2] {
        let dir = tempfile::tempdir().unwrap();
        write_files(
            dir.path(),
            &[
                ("package.json", ROOT_MANIFEST),
                (
                    "packages/w/package.json",
                    r#"{"name":"@s/w","version":"0.2.0","license":"Apache-2.0","dependencies":{"a":"^2.0.0"}}"#,
                ),
                ("package-lock.json", &packages_lock(version)),
                // Installed metadata: read, never walked.
                (
                    "node_modules/a/package.json",
                    r#"{"name":"a","version":"1.0.0","description":"The a package","author":"Ann Example <ann@example.com>","repository":{"type":"git","url":"git+https://github.com/example/a.git"},"homepage":"https://a.example.com"}"#,
                ),
            ],
        );
        let inv = scan_dir(dir.path());
        no_warnings(&inv);
        let label = format!("v{version}");
        let all: BTreeSet<String> = inv.components.iter().map(ident).collect();
        let want: BTreeSet<String> = [
            "app@1.0.0",
            "@s/w@0.2.0",
            "a@1.0.0",
            "a@2.0.0",
            "b@2.0.0",
            "c@1.0.0",
            "c@2.0.0",
            "d@1.0.0",
            "gitdep@3.0.0",
            "o@1.0.0",
            "p@1.0.0",
            "tar@1.0.0",
            "x@1.0.0",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        assert_eq!(all, want, "{label}");

        // Members are applications; the link resolves to the member.
        assert_eq!(comp(&inv, "app@1.0.0").kind, ComponentKind::Application);
        let w = comp(&inv, "@s/w@0.2.0");
        assert_eq!(w.kind, ComponentKind::Application);
        assert_eq!(w.purl.as_deref(), Some("pkg:npm/%40s/w@0.2.0"));
        assert_eq!(w.license.declared.as_ref().unwrap().expression, "Apache-2.0");

        // Scopes from npm's flags.
        for (id, scope) in [
            ("a@1.0.0", Scope::Runtime),
            ("c@1.0.0", Scope::Runtime),
            ("p@1.0.0", Scope::Runtime),
            ("a@2.0.0", Scope::Runtime),
            ("d@1.0.0", Scope::Dev),
            ("c@2.0.0", Scope::Dev),
            ("o@1.0.0", Scope::Optional),
            ("x@1.0.0", Scope::Optional),
        ] {
            assert_eq!(comp(&inv, id).scope, scope, "{label} {id}");
        }

        // Sources, purls, hashes, licences, installed metadata.
        let a = comp(&inv, "a@1.0.0");
        assert_eq!(a.purl.as_deref(), Some("pkg:npm/a@1.0.0"));
        assert_eq!(a.hashes.len(), 1);
        assert_eq!((a.hashes[0].alg, a.hashes[0].value.as_str()), (HashAlg::Sha512, SHA512_HEX));
        let lic = a.license.declared.as_ref().unwrap();
        assert_eq!((lic.expression.as_str(), lic.source.as_str()), ("ISC", "package-lock.json"));
        assert_eq!(a.description.as_deref(), Some("The a package"));
        assert_eq!(a.authors, ["Ann Example <ann@example.com>"]);
        assert_eq!(a.repository.as_deref(), Some("https://github.com/example/a.git"));
        assert_eq!(a.homepage.as_deref(), Some("https://a.example.com"));
        assert!(a.direct);
        assert!(a.found_in.iter().any(|l| l.path == "package.json" && l.line == Some(7)), "{:?}", a.found_in);
        assert!(!comp(&inv, "c@1.0.0").direct);
        let b = comp(&inv, "b@2.0.0");
        assert_eq!(b.purl.as_deref(), Some("pkg:npm/b@2.0.0"), "the alias resolves to the real package");
        assert_eq!((b.hashes[0].alg, b.hashes[0].value.as_str()), (HashAlg::Sha1, SHA1_HEX));
        let git = comp(&inv, "gitdep@3.0.0");
        assert!(
            matches!(&git.source, Some(SourceKind::Git { url, commit: Some(c), .. })
                if url == "ssh://git@github.com/o/gitdep.git" && c.starts_with("0123456789abcdef")),
            "{:?}",
            git.source
        );
        assert!(git.purl.as_deref().unwrap().starts_with("pkg:npm/gitdep@3.0.0?vcs_url="), "{:?}", git.purl);
        let tar = comp(&inv, "tar@1.0.0");
        assert_eq!(tar.source, Some(SourceKind::Url { url: "https://example.com/tar-1.0.0.tgz".into() }));
        assert_eq!(
            tar.purl.as_deref(),
            Some("pkg:npm/tar@1.0.0?download_url=https://example.com/tar-1.0.0.tgz")
        );
        let x = comp(&inv, "x@1.0.0");
        assert_eq!(x.purl.as_deref(), Some("pkg:npm/x@1.0.0?repository_url=https://npm.example.org/mirror"));
        assert_eq!(x.properties.get("npm-in-bundle").map(String::as_str), Some("true"));
        assert_eq!(
            comp(&inv, "o@1.0.0").properties.get("npm-install-script").map(String::as_str),
            Some("true")
        );

        // Edges: Node's nearest node_modules (d gets its own c@2, the member its own a@2), kinds from the
        // sections, the optional peer q left out without a diagnostic.
        let want_edges = BTreeSet::from([
            e("app@1.0.0", "a@1.0.0", EdgeKind::Normal),
            e("app@1.0.0", "b@2.0.0", EdgeKind::Normal),
            e("app@1.0.0", "gitdep@3.0.0", EdgeKind::Normal),
            e("app@1.0.0", "tar@1.0.0", EdgeKind::Normal),
            e("app@1.0.0", "@s/w@0.2.0", EdgeKind::Normal),
            e("app@1.0.0", "d@1.0.0", EdgeKind::Dev),
            e("app@1.0.0", "o@1.0.0", EdgeKind::Optional),
            e("a@1.0.0", "c@1.0.0", EdgeKind::Normal),
            e("a@1.0.0", "p@1.0.0", EdgeKind::Peer),
            e("d@1.0.0", "c@2.0.0", EdgeKind::Normal),
            e("d@1.0.0", "x@1.0.0", EdgeKind::Normal),
            e("o@1.0.0", "x@1.0.0", EdgeKind::Normal),
            e("@s/w@0.2.0", "a@2.0.0", EdgeKind::Normal),
        ]);
        assert_eq!(edges(&inv), want_edges, "{label}");
        validate_cdx(&cdx(&inv), "package_lock_features");
    }
}

#[test]
fn package_lock_v1_nested_tree() {
    let dir = tempfile::tempdir().unwrap();
    let lock = format!(
        r#"{{
  "name": "app",
  "version": "1.0.0",
  "lockfileVersion": 1,
  "requires": true,
  "dependencies": {{
    "a": {{
      "version": "1.0.0",
      "resolved": "https://registry.npmjs.org/a/-/a-1.0.0.tgz",
      "integrity": "sha512-{SHA512_B64}",
      "requires": {{ "c": "^1.0.0" }}
    }},
    "alias-b": {{ "version": "npm:b@2.0.0", "resolved": "https://registry.npmjs.org/b/-/b-2.0.0.tgz" }},
    "c": {{ "version": "1.0.0", "resolved": "https://registry.npmjs.org/c/-/c-1.0.0.tgz" }},
    "d": {{
      "version": "1.0.0",
      "dev": true,
      "requires": {{ "c": "^2.0.0" }},
      "dependencies": {{ "c": {{ "version": "2.0.0", "dev": true }} }}
    }},
    "gitdep": {{
      "version": "git+ssh://git@github.com/o/gitdep.git#0123456789abcdef0123456789abcdef01234567",
      "from": "gitdep@github:o/gitdep#main"
    }},
    "local": {{ "version": "file:packages/local", "requires": {{ "c": "^1.0.0" }} }},
    "o": {{ "version": "1.0.0", "optional": true }}
  }}
}}
"#
    );
    write_files(
        dir.path(),
        &[
            (
                "package.json",
                r#"{"name":"app","version":"1.0.0","dependencies":{"a":"^1","alias-b":"npm:b@^2","gitdep":"github:o/gitdep#main","local":"file:packages/local"},"devDependencies":{"d":"^1"},"optionalDependencies":{"o":"^1"}}"#,
            ),
            (
                "packages/local/package.json",
                r#"{"name":"local","version":"0.5.0","dependencies":{"c":"^1.0.0"}}"#,
            ),
            ("package-lock.json", &lock),
        ],
    );
    let inv = scan_dir(dir.path());
    no_warnings(&inv);
    let all: BTreeSet<String> = inv.components.iter().map(ident).collect();
    let want: BTreeSet<String> = [
        "app@1.0.0",
        "a@1.0.0",
        "b@2.0.0",
        "c@1.0.0",
        "c@2.0.0",
        "d@1.0.0",
        "gitdep@?",
        "local@0.5.0",
        "o@1.0.0",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(all, want);
    let git = comp(&inv, "gitdep@?");
    assert_eq!(git.version, None, "a v1 git dependency records no version; none is invented");
    assert!(matches!(&git.source, Some(SourceKind::Git { commit: Some(_), .. })));
    assert_eq!(comp(&inv, "a@1.0.0").hashes[0].value, SHA512_HEX);
    // A `file:` directory of the tree is a local package: an application, covered by the lockfile.
    assert_eq!(comp(&inv, "local@0.5.0").kind, ComponentKind::Application);
    assert!(inv.diagnostics.iter().all(|d| d.code != "no-lockfile"), "{:?}", inv.diagnostics);
    assert_eq!(comp(&inv, "c@2.0.0").scope, Scope::Dev);
    assert_eq!(comp(&inv, "o@1.0.0").scope, Scope::Optional);
    assert_eq!(comp(&inv, "c@1.0.0").scope, Scope::Runtime);
    assert_eq!(
        edges(&inv),
        BTreeSet::from([
            e("app@1.0.0", "a@1.0.0", EdgeKind::Normal),
            e("app@1.0.0", "b@2.0.0", EdgeKind::Normal),
            e("app@1.0.0", "gitdep@?", EdgeKind::Normal),
            e("app@1.0.0", "d@1.0.0", EdgeKind::Dev),
            e("app@1.0.0", "o@1.0.0", EdgeKind::Optional),
            e("app@1.0.0", "local@0.5.0", EdgeKind::Normal),
            e("a@1.0.0", "c@1.0.0", EdgeKind::Normal),
            e("d@1.0.0", "c@2.0.0", EdgeKind::Normal),
            e("local@0.5.0", "c@1.0.0", EdgeKind::Normal),
        ])
    );
    validate_cdx(&cdx(&inv), "package_lock_v1");
}

#[test]
fn npm_shrinkwrap_wins_over_package_lock() {
    let dir = tempfile::tempdir().unwrap();
    let lock = |v: &str| {
        format!(
            r#"{{"lockfileVersion":3,"packages":{{"":{{"name":"s","version":"1.0.0","dependencies":{{"q":"*"}}}},"node_modules/q":{{"version":"{v}"}}}}}}"#
        )
    };
    write_files(
        dir.path(),
        &[("npm-shrinkwrap.json", &lock("2.0.0")), ("package-lock.json", &lock("1.0.0"))],
    );
    let inv = scan_dir(dir.path());
    let qs: Vec<String> = inv.components.iter().filter(|c| c.name == "q").map(ident).collect();
    assert_eq!(qs, ["q@2.0.0"]);
}

#[test]
fn package_json_alone_gives_declared_ranges_never_versions() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "package.json",
                r#"{
  "name": "solo",
  "version": "1.0.0",
  "workspaces": ["packages/*"],
  "dependencies": {
    "express": "^4.18.0",
    "alias": "npm:left-pad@^1.3.0",
    "gh": "o/r#v1",
    "@s/member": "workspace:*"
  },
  "devDependencies": { "jest": "29" },
  "optionalDependencies": { "fsevents": "~2.3.0" }
}
"#,
            ),
            ("packages/member/package.json", r#"{"name":"@s/member","version":"0.1.0"}"#),
        ],
    );
    let inv = scan_dir(dir.path());
    let express = comp(&inv, "express@?");
    assert_eq!(express.version, None, "no version is invented");
    assert_eq!(express.requirement.as_deref(), Some("^4.18.0"));
    assert_eq!(express.purl.as_deref(), Some("pkg:npm/express"));
    assert_eq!(express.scope, Scope::Runtime);
    assert!(express.direct);
    assert!(express.found_in.iter().any(|l| l.path == "package.json" && l.line == Some(6)));
    assert_eq!(comp(&inv, "left-pad@?").requirement.as_deref(), Some("npm:left-pad@^1.3.0"));
    assert!(matches!(&comp(&inv, "gh@?").source,
        Some(SourceKind::Git { url, reference: Some(r), .. }) if url == "https://github.com/o/r" && r == "v1"));
    assert_eq!(comp(&inv, "jest@?").scope, Scope::Dev);
    assert_eq!(comp(&inv, "fsevents@?").scope, Scope::Optional);
    assert_eq!(comp(&inv, "@s/member@0.1.0").kind, ComponentKind::Application);
    assert!(edges(&inv).contains(&e("solo@1.0.0", "@s/member@0.1.0", EdgeKind::Normal)));
    let note = inv.diagnostics.iter().find(|d| d.code == "no-lockfile").expect("a no-lockfile note");
    assert_eq!(note.location.as_ref().unwrap().path, "package.json");
    assert!(note.message.contains("ranges"));
    validate_cdx(&cdx(&inv), "package_json_alone");
}

#[test]
fn real_world_edge_cases() {
    let dir = tempfile::tempdir().unwrap();
    // Windows line endings and a BOM in a yarn classic lockfile.
    let yarn = "\u{feff}# yarn lockfile v1\r\n\r\n\"@scope/pkg@^1.0.0\", \"@scope/pkg@~1.0.0\":\r\n  version \"1.0.5\"\r\n  resolved \"https://registry.yarnpkg.com/@scope/pkg/-/pkg-1.0.5.tgz\"\r\n";
    // pnpm v9 git and tarball packages, and a `file:` directory.
    let pnpm = r#"lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      fromgit:
        specifier: github:o/fromgit#main
        version: https://codeload.github.com/o/fromgit/tar.gz/0123456789abcdef0123456789abcdef01234567
      tarred:
        specifier: https://example.com/tarred-2.0.0.tgz
        version: https://example.com/tarred-2.0.0.tgz
      localdir:
        specifier: file:vendor/localdir
        version: file:vendor/localdir

packages:

  fromgit@https://codeload.github.com/o/fromgit/tar.gz/0123456789abcdef0123456789abcdef01234567:
    resolution: {tarball: https://codeload.github.com/o/fromgit/tar.gz/0123456789abcdef0123456789abcdef01234567}
    version: 1.4.0

  tarred@https://example.com/tarred-2.0.0.tgz:
    resolution: {tarball: https://example.com/tarred-2.0.0.tgz}
    version: 2.0.0

  localdir@file:vendor/localdir:
    resolution: {directory: vendor/localdir, type: directory}
    version: 0.3.0

snapshots:

  fromgit@https://codeload.github.com/o/fromgit/tar.gz/0123456789abcdef0123456789abcdef01234567: {}

  tarred@https://example.com/tarred-2.0.0.tgz: {}

  localdir@file:vendor/localdir: {}
"#;
    // package-lock v3: a `file:` dependency outside the lock's directory and a local tarball.
    let lock = r#"{
  "lockfileVersion": 3,
  "packages": {
    "": { "name": "npmapp", "version": "1.0.0", "dependencies": { "sibling": "file:../sibling", "vend": "file:vend-1.0.0.tgz", "priv": "git+https://bot:s3cret-token@git.example.com/o/priv.git" } },
    "node_modules/priv": { "version": "0.1.0", "resolved": "git+https://bot:s3cret-token@git.example.com/o/priv.git#89abcdef0123456789abcdef0123456789abcdef" },
    "../sibling": { "name": "sibling", "version": "0.0.1" },
    "node_modules/sibling": { "resolved": "../sibling", "link": true },
    "node_modules/vend": { "version": "1.0.0", "resolved": "file:vend-1.0.0.tgz", "integrity": "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==" }
  }
}
"#;
    write_files(
        dir.path(),
        &[
            ("y/package.json", r#"{"name":"y","version":"1.0.0","dependencies":{"@scope/pkg":"^1.0.0"}}"#),
            ("y/yarn.lock", yarn),
            ("p/package.json", r#"{"name":"p","version":"1.0.0"}"#),
            ("p/pnpm-lock.yaml", pnpm),
            // pnpm v6, a single project (no `importers`) with a git dependency keyed by its host path.
            ("p6/package.json", r#"{"name":"p6","version":"1.0.0"}"#),
            (
                "p6/pnpm-lock.yaml",
                "lockfileVersion: '6.0'\n\ndependencies:\n  gitdep:\n    specifier: github:o/gitdep\n    version: github.com/o/gitdep/0123456789abcdef0123456789abcdef01234567\n\npackages:\n\n  github.com/o/gitdep/0123456789abcdef0123456789abcdef01234567:\n    resolution: {tarball: https://codeload.github.com/o/gitdep/tar.gz/0123456789abcdef0123456789abcdef01234567}\n    name: gitdep\n    version: 2.1.0\n    dev: false\n",
            ),
            ("n/app/package.json", r#"{"name":"npmapp","version":"1.0.0"}"#),
            ("n/app/package-lock.json", lock),
            (
                "m/package.json",
                r#"{"name":"m","dependencies":{"priv2":"git+https://bot:s3cret-token@git.example.com/o/priv2.git#main"}}"#,
            ),
        ],
    );
    let inv = scan_dir(dir.path());
    no_warnings(&inv);
    let pkg = comp(&inv, "@scope/pkg@1.0.5");
    assert_eq!(pkg.purl.as_deref(), Some("pkg:npm/%40scope/pkg@1.0.5"));
    assert!(pkg.direct);
    let git = comp(&inv, "fromgit@1.4.0");
    assert!(
        matches!(&git.source, Some(SourceKind::Git { url, commit: Some(c), .. })
            if url == "https://github.com/o/fromgit" && c.starts_with("0123")),
        "{:?}",
        git.source
    );
    assert_eq!(
        comp(&inv, "tarred@2.0.0").source,
        Some(SourceKind::Url { url: "https://example.com/tarred-2.0.0.tgz".into() })
    );
    assert_eq!(
        comp(&inv, "localdir@0.3.0").source,
        Some(SourceKind::Path { path: "p/vendor/localdir".into() })
    );
    for to in ["fromgit@1.4.0", "tarred@2.0.0", "localdir@0.3.0"] {
        assert!(edges(&inv).contains(&e("p@1.0.0", to, EdgeKind::Normal)), "{to}");
    }
    assert!(matches!(&comp(&inv, "gitdep@2.1.0").source, Some(SourceKind::Git { commit: Some(_), .. })));
    assert!(edges(&inv).contains(&e("p6@1.0.0", "gitdep@2.1.0", EdgeKind::Normal)));
    assert_eq!(comp(&inv, "sibling@0.0.1").source, Some(SourceKind::Path { path: "n/sibling".into() }));
    assert_eq!(comp(&inv, "vend@1.0.0").source, Some(SourceKind::Path { path: "vend-1.0.0.tgz".into() }));
    assert!(edges(&inv).contains(&e("npmapp@1.0.0", "sibling@0.0.1", EdgeKind::Normal)));
    assert!(edges(&inv).contains(&e("npmapp@1.0.0", "vend@1.0.0", EdgeKind::Normal)));
    // Credentials in a git URL never reach the SBOM.
    let doc = cdx(&inv);
    assert!(!doc.to_string().contains("s3cret"), "a credential leaked");
    assert!(
        matches!(&comp(&inv, "priv@0.1.0").source, Some(SourceKind::Git { url, .. }) if url.contains("***@git.example.com"))
    );
    validate_cdx(&doc, "npm_edge_cases");
}
