//! pnpm-lock.yaml v5.4, v6 and v9: one project, the same graph from each.

use std::collections::BTreeSet;

use sovereign::model::{ComponentKind, EdgeKind, Scope};

use super::{comp, e, edges, ident, no_warnings, SHA512_B64, SHA512_HEX};
use crate::support::{cdx, scan_dir, validate_cdx, write_files};

pub(super) const PNPM_V9: &str = r#"lockfileVersion: '9.0'

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

pub(super) const PNPM_V6: &str = r#"lockfileVersion: '6.0'

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

pub(super) const PNPM_V5: &str = r#"lockfileVersion: 5.4

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
    // pnpm 10 may write an "env" document (config dependencies) before the lockfile proper.
    let with_env = format!(
        "---\nlockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    configDependencies:\n      cfg:\n        specifier: 1.0.0\n        version: 1.0.0\n\npackages:\n\n  cfg@1.0.0:\n    resolution: {{integrity: sha512-SHA512}}\n\nsnapshots:\n\n  cfg@1.0.0: {{}}\n\n---\n{PNPM_V9}"
    );
    for (label, lock) in
        [("v9", PNPM_V9), ("v6", PNPM_V6), ("v5.4", PNPM_V5), ("v9 after an env document", &with_env)]
    {
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
