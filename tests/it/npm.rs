//! JavaScript resolver: every lockfile format and version with its features, package.json alone, bad input,
//! and (in npm/corpus.rs) the real lockfiles of the corpus.

mod corpus;

use std::collections::BTreeSet;

use sovereign::model::{Component, ComponentKind, EdgeKind, HashAlg, Inventory, Scope, Severity, SourceKind};

use crate::support::{cdx, scan_dir, validate_cdx, write_files};

/// sha512("") and sha1(""), as npm writes them (base64) and as the SBOM wants them (hex).
const SHA512_B64: &str =
    "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==";
const SHA512_HEX: &str = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";
const SHA1_B64: &str = "2jmj7l5rSw0yVb/vlWAYkK/YBwk=";
const SHA1_HEX: &str = "da39a3ee5e6b4b0d3255bfef95601890afd80709";

fn full_name(c: &Component) -> String {
    match &c.namespace {
        Some(ns) => format!("{ns}/{}", c.name),
        None => c.name.clone(),
    }
}

fn ident(c: &Component) -> String {
    format!("{}@{}", full_name(c), c.version.as_deref().unwrap_or("?"))
}

fn comp<'a>(inv: &'a Inventory, id: &str) -> &'a Component {
    inv.components.iter().find(|c| ident(c) == id).unwrap_or_else(|| {
        panic!("no component {id}; have {:?}", inv.components.iter().map(ident).collect::<Vec<_>>())
    })
}

fn edges(inv: &Inventory) -> BTreeSet<(String, String, EdgeKind)> {
    inv.edges
        .iter()
        .map(|e| (ident(inv.component(&e.from).unwrap()), ident(inv.component(&e.to).unwrap()), e.kind))
        .collect()
}

fn e(from: &str, to: &str, kind: EdgeKind) -> (String, String, EdgeKind) {
    (from.to_string(), to.to_string(), kind)
}

fn no_warnings(inv: &Inventory) {
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
fn packages_lock(version: u32) -> String {
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
                r#"{"name":"app","version":"1.0.0","dependencies":{"a":"^1","alias-b":"npm:b@^2","gitdep":"github:o/gitdep#main"},"devDependencies":{"d":"^1"},"optionalDependencies":{"o":"^1"}}"#,
            ),
            ("package-lock.json", &lock),
        ],
    );
    let inv = scan_dir(dir.path());
    no_warnings(&inv);
    let all: BTreeSet<String> = inv.components.iter().map(ident).collect();
    let want: BTreeSet<String> =
        ["app@1.0.0", "a@1.0.0", "b@2.0.0", "c@1.0.0", "c@2.0.0", "d@1.0.0", "gitdep@?", "o@1.0.0"]
            .into_iter()
            .map(String::from)
            .collect();
    assert_eq!(all, want);
    let git = comp(&inv, "gitdep@?");
    assert_eq!(git.version, None, "a v1 git dependency records no version; none is invented");
    assert!(matches!(&git.source, Some(SourceKind::Git { commit: Some(_), .. })));
    assert_eq!(comp(&inv, "a@1.0.0").hashes[0].value, SHA512_HEX);
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
            e("a@1.0.0", "c@1.0.0", EdgeKind::Normal),
            e("d@1.0.0", "c@2.0.0", EdgeKind::Normal),
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

fn yarn_workspace(dir: &std::path::Path) {
    write_files(
        dir,
        &[
            (
                "package.json",
                r#"{"name":"mono","version":"0.0.1","private":true,"workspaces":["packages/*","!packages/ignored"],"devDependencies":{"jest":"^29.0.0"}}"#,
            ),
            (
                "packages/lib/package.json",
                r#"{"name":"@m/lib","version":"1.0.0","license":"BSD-3-Clause","dependencies":{"lodash":"^4.17.0","left":"npm:left-pad@^1.3.0"}}"#,
            ),
            (
                "packages/app/package.json",
                r#"{"name":"@m/app","version":"2.0.0","dependencies":{"@m/lib":"^1.0.0","gitpkg":"github:o/gitpkg#v1"},"devDependencies":{"lodash":"^4.17.21"}}"#,
            ),
            ("packages/ignored/package.json", r#"{"name":"ignored","version":"9.0.0"}"#),
        ],
    );
}

#[test]
fn yarn_classic_with_workspaces() {
    let dir = tempfile::tempdir().unwrap();
    yarn_workspace(dir.path());
    write_files(
        dir.path(),
        &[(
            "yarn.lock",
            &format!(
                r#"# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"gitpkg@github:o/gitpkg#v1":
  version "1.0.0"
  resolved "https://codeload.github.com/o/gitpkg/tar.gz/0123456789abcdef0123456789abcdef01234567"

jest@^29.0.0:
  version "29.7.0"
  resolved "https://registry.yarnpkg.com/jest/-/jest-29.7.0.tgz#{SHA1_HEX}"
  dependencies:
    lodash "^4.17.21"
  optionalDependencies:
    fsevents "^2.3.2"
    optdep "^1.0.0"

"left@npm:left-pad@^1.3.0":
  version "1.3.0"
  resolved "https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#5b8a3a7765dfe001261dde915589e782f8c94d1e"
  integrity sha512-{SHA512_B64}

lodash@^4.17.0, lodash@^4.17.21:
  version "4.17.21"
  resolved "https://registry.yarnpkg.com/lodash/-/lodash-4.17.21.tgz"

optdep@^1.0.0:
  version "1.0.0"
  resolved "https://registry.yarnpkg.com/optdep/-/optdep-1.0.0.tgz"
"#
            ),
        )],
    );
    let inv = scan_dir(dir.path());
    no_warnings(&inv);
    let all: BTreeSet<String> = inv.components.iter().map(ident).collect();
    let want: BTreeSet<String> = [
        "mono@0.0.1",
        "@m/lib@1.0.0",
        "@m/app@2.0.0",
        "ignored@9.0.0",
        "gitpkg@1.0.0",
        "jest@29.7.0",
        "left-pad@1.3.0",
        "lodash@4.17.21",
        "optdep@1.0.0",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(all, want);
    for m in ["mono@0.0.1", "@m/lib@1.0.0", "@m/app@2.0.0"] {
        assert_eq!(comp(&inv, m).kind, ComponentKind::Application, "{m}");
    }
    // The excluded member is a project of its own (no lockfile covers it): still an application.
    assert_eq!(comp(&inv, "ignored@9.0.0").kind, ComponentKind::Application);
    // Scopes from the manifests, propagated: jest and its optional dependency are dev; lodash is runtime
    // (a runtime dependency of @m/lib) although jest and @m/app's devDependencies also reach it.
    assert_eq!(comp(&inv, "jest@29.7.0").scope, Scope::Dev);
    assert_eq!(comp(&inv, "optdep@1.0.0").scope, Scope::Dev);
    assert_eq!(comp(&inv, "lodash@4.17.21").scope, Scope::Runtime);
    assert_eq!(comp(&inv, "left-pad@1.3.0").hashes[0].value, SHA512_HEX);
    let jest = comp(&inv, "jest@29.7.0");
    assert_eq!((jest.hashes[0].alg, jest.hashes[0].value.as_str()), (HashAlg::Sha1, SHA1_HEX));
    assert!(matches!(&comp(&inv, "gitpkg@1.0.0").source,
        Some(SourceKind::Git { url, commit: Some(_), .. }) if url == "https://github.com/o/gitpkg"));
    assert_eq!(
        edges(&inv),
        BTreeSet::from([
            e("mono@0.0.1", "jest@29.7.0", EdgeKind::Dev),
            e("jest@29.7.0", "lodash@4.17.21", EdgeKind::Normal),
            e("jest@29.7.0", "optdep@1.0.0", EdgeKind::Optional),
            e("@m/lib@1.0.0", "lodash@4.17.21", EdgeKind::Normal),
            e("@m/lib@1.0.0", "left-pad@1.3.0", EdgeKind::Normal),
            e("@m/app@2.0.0", "@m/lib@1.0.0", EdgeKind::Normal),
            e("@m/app@2.0.0", "gitpkg@1.0.0", EdgeKind::Normal),
            e("@m/app@2.0.0", "lodash@4.17.21", EdgeKind::Dev),
        ])
    );
    validate_cdx(&cdx(&inv), "yarn_classic");
}

const BERRY_LOCK: &str = r#"# This file is generated by running "yarn install" inside your project.
# Manual changes might be lost - proceed with caution!

__metadata:
  version: 8
  cacheKey: 10c0

"a@workspace:packages/a":
  version: 0.0.0-use.local
  resolution: "a@workspace:packages/a"
  dependencies:
    b: "workspace:^"
    left-pad: "npm:^1.3.0"
    local: "portal:../../vendor/local::locator=a%40workspace%3Apackages%2Fa"
  languageName: unknown
  linkType: soft

"b@workspace:^, b@workspace:packages/b":
  version: 0.0.0-use.local
  resolution: "b@workspace:packages/b"
  languageName: unknown
  linkType: soft

"berry-root@workspace:.":
  version: 0.0.0-use.local
  resolution: "berry-root@workspace:."
  dependencies:
    resolve: "patch:resolve@npm%3A^1.22.0#optional!builtin<compat/resolve>"
    typescript: "npm:^5.0.0"
  languageName: unknown
  linkType: soft

"left-pad@npm:^1.3.0":
  version: 1.3.0
  resolution: "left-pad@npm:1.3.0"
  checksum: 10c0/3e3d6e8a3d0ce46a7c5b7a8b9b2e0f1d
  languageName: node
  linkType: hard

"local@portal:../../vendor/local::locator=a%40workspace%3Apackages%2Fa":
  version: 0.0.0-use.local
  resolution: "local@portal:../../vendor/local::locator=a%40workspace%3Apackages%2Fa"
  languageName: node
  linkType: soft

"resolve@npm:1.22.8":
  version: 1.22.8
  resolution: "resolve@npm:1.22.8"
  dependencies:
    fsevents: "npm:^2.3.2"
  dependenciesMeta:
    fsevents:
      optional: true
  checksum: 10c0/aaaa
  languageName: node
  linkType: hard

"resolve@patch:resolve@npm%3A^1.22.0#optional!builtin<compat/resolve>":
  version: 1.22.8
  resolution: "resolve@patch:resolve@npm%3A1.22.8#optional!builtin<compat/resolve>::version=1.22.8&hash=c3c19d"
  dependencies:
    fsevents: "npm:^2.3.2"
  dependenciesMeta:
    fsevents:
      optional: true
  checksum: 10c0/bbbb
  languageName: node
  linkType: hard

"typescript@npm:^5.0.0":
  version: 5.4.5
  resolution: "typescript@npm:5.4.5"
  checksum: 10c0/cccc
  languageName: node
  linkType: hard
"#;

#[test]
fn yarn_berry_protocols() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "package.json",
                r#"{"name":"berry-root","version":"0.0.0","workspaces":["packages/*"],"dependencies":{"resolve":"^1.22.0"},"devDependencies":{"typescript":"^5.0.0"}}"#,
            ),
            (
                "packages/a/package.json",
                r#"{"name":"a","version":"1.2.3","dependencies":{"left-pad":"^1.3.0","local":"portal:../../vendor/local","b":"workspace:^"}}"#,
            ),
            ("packages/b/package.json", r#"{"name":"b","version":"0.1.0"}"#),
            ("yarn.lock", BERRY_LOCK),
        ],
    );
    let inv = scan_dir(dir.path());
    no_warnings(&inv);
    let all: BTreeSet<String> = inv.components.iter().map(ident).collect();
    let want: BTreeSet<String> = [
        "berry-root@0.0.0",
        "a@1.2.3",
        "b@0.1.0",
        "left-pad@1.3.0",
        "local@?",
        "resolve@1.22.8",
        "typescript@5.4.5",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(all, want, "the patched resolve is the same package as resolve@npm:1.22.8");
    for m in ["berry-root@0.0.0", "a@1.2.3", "b@0.1.0"] {
        assert_eq!(comp(&inv, m).kind, ComponentKind::Application, "{m}");
    }
    let lp = comp(&inv, "left-pad@1.3.0");
    assert!(lp.hashes.is_empty(), "a Berry checksum hashes yarn's zip, not the package: not a package hash");
    assert_eq!(
        lp.properties.get("yarn-checksum").map(String::as_str),
        Some("10c0/3e3d6e8a3d0ce46a7c5b7a8b9b2e0f1d")
    );
    assert_eq!(comp(&inv, "local@?").source, Some(SourceKind::Path { path: "../../vendor/local".into() }));
    assert_eq!(comp(&inv, "resolve@1.22.8").properties.get("yarn-patched").map(String::as_str), Some("true"));
    assert_eq!(comp(&inv, "typescript@5.4.5").scope, Scope::Dev);
    assert_eq!(comp(&inv, "resolve@1.22.8").scope, Scope::Runtime);
    assert_eq!(
        edges(&inv),
        BTreeSet::from([
            e("berry-root@0.0.0", "resolve@1.22.8", EdgeKind::Normal),
            e("berry-root@0.0.0", "typescript@5.4.5", EdgeKind::Dev),
            e("a@1.2.3", "b@0.1.0", EdgeKind::Normal),
            e("a@1.2.3", "left-pad@1.3.0", EdgeKind::Normal),
            e("a@1.2.3", "local@?", EdgeKind::Normal),
        ])
    );
    validate_cdx(&cdx(&inv), "yarn_berry");
}

const PNPM_V9: &str = r#"lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

catalogs:
  default:
    typescript:
      specifier: ^5.4.0
      version: 5.4.5

importers:

  .:
    dependencies:
      ui:
        specifier: workspace:*
        version: link:packages/ui
    devDependencies:
      typescript:
        specifier: 'catalog:'
        version: 5.4.5

  packages/ui:
    dependencies:
      react:
        specifier: ^18.2.0
        version: 18.2.0
      react-dom:
        specifier: ^18.2.0
        version: 18.2.0(react@18.2.0)
    optionalDependencies:
      fsevents:
        specifier: ^2.3.3
        version: 2.3.3

packages:

  fsevents@2.3.3:
    resolution: {integrity: sha512-SHA512}
    os: [darwin]

  js-tokens@4.0.0:
    resolution: {integrity: sha512-SHA512}

  loose-envify@1.4.0:
    resolution: {integrity: sha512-SHA512}
    hasBin: true

  react-dom@18.2.0:
    resolution: {integrity: sha512-SHA512}
    peerDependencies:
      react: ^18.2.0

  react@18.2.0:
    resolution: {integrity: sha512-SHA512}

  scheduler@0.23.0:
    resolution: {integrity: sha512-SHA512}

  typescript@5.4.5:
    resolution: {integrity: sha512-SHA512}

snapshots:

  fsevents@2.3.3:
    optional: true

  js-tokens@4.0.0: {}

  loose-envify@1.4.0:
    dependencies:
      js-tokens: 4.0.0

  react-dom@18.2.0(react@18.2.0):
    dependencies:
      loose-envify: 1.4.0
      react: 18.2.0
      scheduler: 0.23.0

  react@18.2.0:
    dependencies:
      loose-envify: 1.4.0

  scheduler@0.23.0:
    dependencies:
      loose-envify: 1.4.0

  typescript@5.4.5: {}
"#;

const PNPM_V6: &str = r#"lockfileVersion: '6.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      ui:
        specifier: workspace:*
        version: link:packages/ui
    devDependencies:
      typescript:
        specifier: ^5.4.0
        version: 5.4.5

  packages/ui:
    dependencies:
      react:
        specifier: ^18.2.0
        version: 18.2.0
      react-dom:
        specifier: ^18.2.0
        version: 18.2.0(react@18.2.0)
    optionalDependencies:
      fsevents:
        specifier: ^2.3.3
        version: 2.3.3

packages:

  /fsevents@2.3.3:
    resolution: {integrity: sha512-SHA512}
    os: [darwin]
    requiresBuild: true
    dev: false
    optional: true

  /js-tokens@4.0.0:
    resolution: {integrity: sha512-SHA512}
    dev: false

  /loose-envify@1.4.0:
    resolution: {integrity: sha512-SHA512}
    hasBin: true
    dependencies:
      js-tokens: 4.0.0
    dev: false

  /react-dom@18.2.0(react@18.2.0):
    resolution: {integrity: sha512-SHA512}
    peerDependencies:
      react: ^18.2.0
    dependencies:
      loose-envify: 1.4.0
      react: 18.2.0
      scheduler: 0.23.0
    dev: false

  /react@18.2.0:
    resolution: {integrity: sha512-SHA512}
    dependencies:
      loose-envify: 1.4.0
    dev: false

  /scheduler@0.23.0:
    resolution: {integrity: sha512-SHA512}
    dependencies:
      loose-envify: 1.4.0
    dev: false

  /typescript@5.4.5:
    resolution: {integrity: sha512-SHA512}
    hasBin: true
    dev: true
"#;

const PNPM_V5: &str = r#"lockfileVersion: 5.4

importers:

  .:
    specifiers:
      typescript: ^5.4.0
      ui: workspace:*
    dependencies:
      ui: link:packages/ui
    devDependencies:
      typescript: 5.4.5

  packages/ui:
    specifiers:
      fsevents: ^2.3.3
      react: ^18.2.0
      react-dom: ^18.2.0
    dependencies:
      react: 18.2.0
      react-dom: 18.2.0_react@18.2.0
    optionalDependencies:
      fsevents: 2.3.3

packages:

  /fsevents/2.3.3:
    resolution: {integrity: sha512-SHA512}
    os: [darwin]
    requiresBuild: true
    dev: false
    optional: true

  /js-tokens/4.0.0:
    resolution: {integrity: sha512-SHA512}
    dev: false

  /loose-envify/1.4.0:
    resolution: {integrity: sha512-SHA512}
    hasBin: true
    dependencies:
      js-tokens: 4.0.0
    dev: false

  /react-dom/18.2.0_react@18.2.0:
    resolution: {integrity: sha512-SHA512}
    peerDependencies:
      react: ^18.2.0
    dependencies:
      loose-envify: 1.4.0
      react: 18.2.0
      scheduler: 0.23.0
    dev: false

  /react/18.2.0:
    resolution: {integrity: sha512-SHA512}
    dependencies:
      loose-envify: 1.4.0
    dev: false

  /scheduler/0.23.0:
    resolution: {integrity: sha512-SHA512}
    dependencies:
      loose-envify: 1.4.0
    dev: false

  /typescript/5.4.5:
    resolution: {integrity: sha512-SHA512}
    hasBin: true
    dev: true
"#;

#[test]
fn pnpm_v5_v6_v9_give_the_same_graph() {
    for (label, lock) in [("v9", PNPM_V9), ("v6", PNPM_V6), ("v5.4", PNPM_V5)] {
        let dir = tempfile::tempdir().unwrap();
        write_files(
            dir.path(),
            &[
                ("package.json", r#"{"name":"mono-pnpm","version":"1.0.0","license":"MIT"}"#),
                ("pnpm-workspace.yaml", "packages:\n  - 'packages/*'\n"),
                ("packages/ui/package.json", r#"{"name":"@m/ui","version":"1.0.0","license":"MIT"}"#),
                ("pnpm-lock.yaml", &lock.replace("SHA512", SHA512_B64)),
            ],
        );
        let inv = scan_dir(dir.path());
        no_warnings(&inv);
        let all: BTreeSet<String> = inv.components.iter().map(ident).collect();
        let want: BTreeSet<String> = [
            "mono-pnpm@1.0.0",
            "@m/ui@1.0.0",
            "fsevents@2.3.3",
            "js-tokens@4.0.0",
            "loose-envify@1.4.0",
            "react-dom@18.2.0",
            "react@18.2.0",
            "scheduler@0.23.0",
            "typescript@5.4.5",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        assert_eq!(all, want, "{label}: the peer suffix is not part of the identity");
        assert_eq!(comp(&inv, "@m/ui@1.0.0").kind, ComponentKind::Application, "{label}");
        assert_eq!(comp(&inv, "typescript@5.4.5").scope, Scope::Dev, "{label}");
        assert_eq!(comp(&inv, "fsevents@2.3.3").scope, Scope::Optional, "{label}");
        assert_eq!(comp(&inv, "js-tokens@4.0.0").scope, Scope::Runtime, "{label}");
        assert_eq!(comp(&inv, "react@18.2.0").hashes[0].value, SHA512_HEX, "{label}");
        assert_eq!(comp(&inv, "react-dom@18.2.0").purl.as_deref(), Some("pkg:npm/react-dom@18.2.0"));
        assert_eq!(
            edges(&inv),
            BTreeSet::from([
                e("mono-pnpm@1.0.0", "@m/ui@1.0.0", EdgeKind::Normal),
                e("mono-pnpm@1.0.0", "typescript@5.4.5", EdgeKind::Dev),
                e("@m/ui@1.0.0", "react@18.2.0", EdgeKind::Normal),
                e("@m/ui@1.0.0", "react-dom@18.2.0", EdgeKind::Normal),
                e("@m/ui@1.0.0", "fsevents@2.3.3", EdgeKind::Optional),
                e("react@18.2.0", "loose-envify@1.4.0", EdgeKind::Normal),
                e("react-dom@18.2.0", "loose-envify@1.4.0", EdgeKind::Normal),
                e("react-dom@18.2.0", "react@18.2.0", EdgeKind::Normal),
                e("react-dom@18.2.0", "scheduler@0.23.0", EdgeKind::Normal),
                e("loose-envify@1.4.0", "js-tokens@4.0.0", EdgeKind::Normal),
                e("scheduler@0.23.0", "loose-envify@1.4.0", EdgeKind::Normal),
            ]),
            "{label}"
        );
        validate_cdx(&cdx(&inv), "pnpm");
    }
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
fn bad_input_is_diagnosed_with_file_and_line_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    // 200 levels of nested v1 `dependencies`, each package requiring the next.
    let mut deep = String::from(r#"{"version":"1.0.0"}"#);
    for i in (0..200).rev() {
        deep = format!(
            "{{\"version\":\"1.0.0\",\"requires\":{{\"p{}\":\"1\"}},\"dependencies\":{{\"p{}\":{deep}}}}}",
            i + 1,
            i + 1
        );
        if i == 0 {
            deep = format!("{{\"name\":\"deep\",\"lockfileVersion\":1,\"dependencies\":{{\"p0\":{deep}}}}}");
        }
    }
    // Put each level on its own line so the diagnostic's line says which level was cut.
    let deep = deep.replace("\"dependencies\":{", "\n\"dependencies\":{");
    let bomb = "a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\nlockfileVersion: '9.0'\n";
    write_files(
        dir.path(),
        &[
            ("truncated/package.json", r#"{"name":"truncated","version":"1.0.0","dependencies":{"a":"^1"}}"#),
            ("truncated/package-lock.json", "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {\n      \"name\": \"truncated\""),
            ("deep/package-lock.json", &deep),
            ("yarnbad/package.json", r#"{"name":"yarnbad","version":"1.0.0","dependencies":{"ok":"^1.0.0"}}"#),
            (
                "yarnbad/yarn.lock",
                "# yarn lockfile v1\n\n\"broken@^1.0.0:\n  version \"1.0.0\"\n\nok@^1.0.0:\n  version \"1.0.0\"\n  resolved \"https://registry.yarnpkg.com/ok/-/ok-1.0.0.tgz\"\n\ncut@^2.0.0:\n  resolved \"https://registry.yarnpkg.com/cut/-/cut-2.0.0.tgz\"\n",
            ),
            (
                "pnpmnew/pnpm-lock.yaml",
                "\nlockfileVersion: '42.0'\n\nimporters:\n\n  .:\n    dependencies:\n      left-pad:\n        specifier: ^1.3.0\n        version: 1.3.0\n\npackages:\n\n  left-pad@1.3.0:\n    resolution: {integrity: sha512-AAAA}\n\nsnapshots:\n\n  left-pad@1.3.0: {}\n",
            ),
            ("bomb/pnpm-lock.yaml", bomb),
            ("badjson/package.json", "{\"name\": \"x\",\n\"version\": 1.0.0}"),
            ("healthy/package.json", r#"{"name":"healthy","version":"1.0.0","dependencies":{"q":"^1"}}"#),
            (
                "healthy/package-lock.json",
                r#"{"lockfileVersion":3,"packages":{"":{"name":"healthy","version":"1.0.0","dependencies":{"q":"^1"}},"node_modules/q":{"version":"1.2.3"}}}"#,
            ),
        ],
    );
    std::fs::create_dir_all(dir.path().join("latin1")).unwrap();
    std::fs::write(dir.path().join("latin1/yarn.lock"), b"caf\xe9@^1:\n  version \"1\"\n").unwrap();
    let inv = scan_dir(dir.path());
    let find = |code: &str, path: &str| {
        inv.diagnostics
            .iter()
            .find(|d| d.code == code && d.location.as_ref().is_some_and(|l| l.path == path))
            .unwrap_or_else(|| panic!("no {code} for {path}: {:#?}", inv.diagnostics))
    };
    let line = |code: &str, path: &str| find(code, path).location.as_ref().unwrap().line;
    assert_eq!(line("invalid-lockfile", "truncated/package-lock.json"), Some(5));
    // The lockfile lost, its package.json still gives the project and its declared dependency.
    assert_eq!(comp(&inv, "truncated@1.0.0").kind, ComponentKind::Application);
    assert_eq!(comp(&inv, "a@?").requirement.as_deref(), Some("^1"));
    // The deep lock: the first 128 levels (p0..p127) are kept; the cut is reported at the line of
    // p127's own `dependencies` (line 2 holds the top-level `dependencies`, p_k's is on line k + 3).
    assert_eq!(line("lockfile-too-deep", "deep/package-lock.json"), Some(130));
    let deep_pkgs = inv
        .components
        .iter()
        .filter(|c| c.name.starts_with('p') && c.name[1..].parse::<u32>().is_ok())
        .count();
    assert_eq!(deep_pkgs, 128);
    // yarn.lock: the unterminated header is an error at its line, the block without a version a warning;
    // the good block is kept.
    assert_eq!(line("invalid-lockfile", "yarnbad/yarn.lock"), Some(3));
    assert_eq!(line("incomplete-lock-entry", "yarnbad/yarn.lock"), Some(10));
    assert!(comp(&inv, "ok@1.0.0").direct);
    // pnpm: an unknown lockfileVersion is read best-effort with a warning at its line.
    assert_eq!(line("unknown-lockfile-version", "pnpmnew/pnpm-lock.yaml"), Some(2));
    assert_eq!(comp(&inv, "left-pad@1.3.0").scope, Scope::Runtime);
    // An alias bomb is refused, not expanded.
    assert_eq!(find("invalid-lockfile", "bomb/pnpm-lock.yaml").severity, Severity::Error);
    assert_eq!(line("invalid-json", "badjson/package.json"), Some(2));
    assert_eq!(line("invalid-utf8", "latin1/yarn.lock"), Some(1));
    // And the healthy project beside them is complete.
    assert!(edges(&inv).contains(&e("healthy@1.0.0", "q@1.2.3", EdgeKind::Normal)));
    validate_cdx(&cdx(&inv), "npm_bad_input");
}

#[test]
fn unresolvable_references_are_reported_at_their_line() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[(
            "package-lock.json",
            "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": { \"name\": \"r\", \"version\": \"1.0.0\" },\n    \"node_modules/a\": {\n      \"version\": \"1.0.0\",\n      \"dependencies\": {\n        \"missing\": \"^1\"\n      }\n    }\n  }\n}\n",
        )],
    );
    let inv = scan_dir(dir.path());
    let d = inv.diagnostics.iter().find(|d| d.code == "unresolved-lock-reference").expect("diagnostic");
    assert_eq!(d.location.as_ref().unwrap().line, Some(8));
    assert!(d.message.contains("missing"));
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
    "": { "name": "npmapp", "version": "1.0.0", "dependencies": { "sibling": "file:../sibling", "vend": "file:vend-1.0.0.tgz" } },
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
            ("n/app/package.json", r#"{"name":"npmapp","version":"1.0.0"}"#),
            ("n/app/package-lock.json", lock),
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
    assert_eq!(comp(&inv, "sibling@0.0.1").source, Some(SourceKind::Path { path: "n/sibling".into() }));
    assert_eq!(comp(&inv, "vend@1.0.0").source, Some(SourceKind::Path { path: "vend-1.0.0.tgz".into() }));
    assert!(edges(&inv).contains(&e("npmapp@1.0.0", "sibling@0.0.1", EdgeKind::Normal)));
    assert!(edges(&inv).contains(&e("npmapp@1.0.0", "vend@1.0.0", EdgeKind::Normal)));
    validate_cdx(&cdx(&inv), "npm_edge_cases");
}

/// Every prefix of every fixture lockfile (a file cut anywhere) is read without a panic: an error
/// diagnostic with a line, or a partial result.
#[test]
fn every_truncation_is_read_without_panic() {
    use sovereign::resolve::npm::{package_lock, pnpm, yarn};
    let dir = tempfile::tempdir().unwrap();
    let tree = sovereign::source::SourceTree::walk(dir.path());
    let boundaries = |s: &str| (0..=s.len()).filter(|&i| s.is_char_boundary(i)).collect::<Vec<_>>();
    let v3 = packages_lock(3);
    for i in boundaries(&v3) {
        let mut d = Vec::new();
        if let Err(diag) = package_lock::read(&v3[..i], "package-lock.json", &tree, None, &mut d) {
            assert!(diag.location.as_ref().and_then(|l| l.line).is_some(), "cut at {i}: {diag}");
        }
    }
    for lock in [BERRY_LOCK] {
        for i in boundaries(lock) {
            let mut d = Vec::new();
            let parsed = yarn::parse(&lock[..i], "yarn.lock", &mut d);
            yarn::graph(&parsed, "yarn.lock", &[], &mut d);
        }
    }
    // YAML parsing is slower: every 7th byte.
    for lock in [PNPM_V9, PNPM_V6, PNPM_V5] {
        for i in boundaries(lock).into_iter().step_by(7) {
            let mut d = Vec::new();
            let _ = pnpm::read(&lock[..i], "pnpm-lock.yaml", &tree, &mut d);
        }
    }
}
