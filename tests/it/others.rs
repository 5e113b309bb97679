//! The smaller ecosystems: Ruby, PHP, .NET, Swift, Dart, Conan, vcpkg, CocoaPods. Each fixture is written
//! here, its expected components worked out from the fixture text, and its CycloneDX output validated.

use std::collections::BTreeSet;

use sovereign::model::{ComponentKind, EdgeKind, HashAlg, Inventory, Scope, SourceKind};

use crate::support::{cdx, scan_dir, validate_cdx, write_files};

fn scan(files: &[(&str, &str)]) -> Inventory {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), files);
    scan_dir(dir.path())
}

fn by_purl<'a>(inv: &'a Inventory, purl: &str) -> &'a sovereign::model::Component {
    inv.components.iter().find(|c| c.purl.as_deref() == Some(purl)).unwrap_or_else(|| {
        panic!("no {purl}; have {:#?}", inv.components.iter().map(|c| &c.id).collect::<Vec<_>>())
    })
}

fn purls(inv: &Inventory) -> BTreeSet<String> {
    inv.components
        .iter()
        .filter(|c| c.kind == ComponentKind::Library)
        .filter_map(|c| c.purl.clone())
        .collect()
}

fn edge(inv: &Inventory, from: &str, to: &str) -> Option<EdgeKind> {
    inv.edges.iter().find(|e| e.from == from && e.to == to).map(|e| e.kind)
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

const GEMFILE_LOCK: &str = "GIT
  remote: https://github.com/rails/rails.git
  revision: 0123456789abcdef0123456789abcdef01234567
  branch: main
  specs:
    rails (7.2.0.alpha)
      rack (>= 2.2)

PATH
  remote: engines/billing
  specs:
    billing (0.1.0)
      rack

GEM
  remote: https://rubygems.org/
  specs:
    nokogiri (1.16.0-x86_64-linux)
      racc (~> 1.4)
    racc (1.7.3)
    rack (3.0.8)
    rspec (3.12.0)
      rspec-core (~> 3.12.0)
    rspec-core (3.12.2)

PLATFORMS
  x86_64-linux

DEPENDENCIES
  billing!
  nokogiri (~> 1.16)
  rails!
  rspec

CHECKSUMS
  rack (3.0.8) sha256=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa

BUNDLED WITH
   2.5.3
";

#[test]
fn ruby_gemfile_lock() {
    let gemfile = "source 'https://rubygems.org'\ngem 'rails', github: 'rails/rails'\ngem 'nokogiri'\ngem 'billing', path: 'engines/billing'\ngroup :development, :test do\n  gem 'rspec'\nend\n";
    let inv = scan(&[("Gemfile.lock", GEMFILE_LOCK), ("Gemfile", gemfile)]);
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    assert_eq!(
        purls(&inv),
        set(&[
            "pkg:gem/nokogiri@1.16.0?platform=x86_64-linux",
            "pkg:gem/racc@1.7.3",
            "pkg:gem/rack@3.0.8",
            "pkg:gem/rails@7.2.0.alpha?vcs_url=git%2Bhttps://github.com/rails/rails.git%400123456789abcdef0123456789abcdef01234567",
            "pkg:gem/rspec-core@3.12.2",
            "pkg:gem/rspec@3.12.0",
        ])
    );
    // The PATH gem is part of the tree.
    assert_eq!(by_purl(&inv, "pkg:gem/billing@0.1.0").kind, ComponentKind::Application);
    let rack = by_purl(&inv, "pkg:gem/rack@3.0.8");
    assert_eq!(
        (rack.hashes[0].alg, rack.hashes[0].value.as_str()),
        (HashAlg::Sha256, "a".repeat(64).as_str())
    );
    assert_eq!(rack.scope, Scope::Runtime);
    assert!(!rack.direct);
    // rspec is only in the development/test group: dev, and so is what only it pulls in.
    assert_eq!(by_purl(&inv, "pkg:gem/rspec@3.12.0").scope, Scope::Dev);
    assert_eq!(by_purl(&inv, "pkg:gem/rspec-core@3.12.2").scope, Scope::Dev);
    let rails = by_purl(&inv, "pkg:gem/rails@7.2.0.alpha?vcs_url=git%2Bhttps://github.com/rails/rails.git%400123456789abcdef0123456789abcdef01234567");
    assert!(matches!(&rails.source, Some(SourceKind::Git { commit: Some(c), .. }) if c.starts_with("0123")));
    assert!(edge(&inv, &rails.id, "pkg:gem/rack@3.0.8").is_some());
    let app = inv.components.iter().find(|c| c.id == "gem-project:.").unwrap();
    assert_eq!(app.properties.get("bundled-with").map(String::as_str), Some("2.5.3"));
    assert_eq!(edge(&inv, "gem-project:.", "pkg:gem/rspec@3.12.0"), Some(EdgeKind::Dev));
    validate_cdx(&cdx(&inv), "ruby");
}

#[test]
fn php_composer_lock() {
    let lock = r#"{
    "content-hash": "x",
    "packages": [
        {
            "name": "monolog/monolog",
            "version": "3.5.0",
            "source": {"type": "git", "url": "https://github.com/Seldaek/monolog.git", "reference": "c915e2634718dbc8a4a15c61b0e62e7a44e14448"},
            "dist": {"type": "zip", "url": "https://api.github.com/repos/Seldaek/monolog/zipball/c915e26", "reference": "c915e26", "shasum": "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"},
            "require": {"php": ">=8.1", "psr/log": "^2.0 || ^3.0"},
            "license": ["MIT"],
            "authors": [{"name": "Jordi Boggiano", "email": "j.boggiano@seld.be"}],
            "description": "Sends your logs to files",
            "homepage": "https://github.com/Seldaek/monolog"
        },
        {
            "name": "psr/log",
            "version": "3.0.0",
            "dist": {"type": "zip", "url": "https://example.invalid/psr-log.zip", "shasum": ""},
            "license": ["MIT", "Apache-2.0"]
        }
    ],
    "packages-dev": [
        {"name": "phpunit/phpunit", "version": "10.5.0", "license": ["BSD-3-Clause"]}
    ]
}"#;
    let manifest = r#"{"name": "acme/shop", "license": "proprietary", "require": {"monolog/monolog": "^3.5"}, "require-dev": {"phpunit/phpunit": "^10"}}"#;
    let inv = scan(&[("composer.lock", lock), ("composer.json", manifest)]);
    // The licence stage notes how it read Composer's `proprietary`; nothing else is to be said.
    let unexpected: Vec<_> = inv.diagnostics.iter().filter(|d| d.code != "license-normalised").collect();
    assert!(unexpected.is_empty(), "{unexpected:?}");
    assert_eq!(
        purls(&inv),
        set(&[
            "pkg:composer/monolog/monolog@3.5.0",
            "pkg:composer/phpunit/phpunit@10.5.0",
            "pkg:composer/psr/log@3.0.0"
        ])
    );
    let mono = by_purl(&inv, "pkg:composer/monolog/monolog@3.5.0");
    assert_eq!(mono.namespace.as_deref(), Some("monolog"));
    assert!(mono.direct);
    assert_eq!(mono.license.declared.as_ref().unwrap().expression, "MIT");
    assert_eq!(mono.authors, ["Jordi Boggiano <j.boggiano@seld.be>"]);
    assert_eq!(mono.hashes[0].value, "b".repeat(40));
    assert_eq!(mono.repository.as_deref(), Some("https://github.com/Seldaek/monolog.git"));
    assert_eq!(mono.found_in[0].line, Some(5));
    let psr = by_purl(&inv, "pkg:composer/psr/log@3.0.0");
    assert_eq!(psr.license.declared.as_ref().unwrap().expression, "MIT OR Apache-2.0");
    assert!(!psr.direct);
    assert!(psr.hashes.is_empty(), "an empty shasum is no hash");
    assert_eq!(by_purl(&inv, "pkg:composer/phpunit/phpunit@10.5.0").scope, Scope::Dev);
    assert_eq!(edge(&inv, &mono.id, &psr.id), Some(EdgeKind::Normal));
    assert_eq!(edge(&inv, "composer-project:.", "pkg:composer/phpunit/phpunit@10.5.0"), Some(EdgeKind::Dev));
    let app = inv.components.iter().find(|c| c.id == "composer-project:.").unwrap();
    assert_eq!(app.name, "acme/shop");
    validate_cdx(&cdx(&inv), "php");
}

#[test]
fn dotnet_lockfile_and_project_files() {
    // SHA-512 of nothing, base64: the decoded hex is checked against the well-known value.
    let empty_sha512_b64 =
        "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==";
    let empty_sha512_hex = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";
    let lock = format!(
        r#"{{
  "version": 1,
  "dependencies": {{
    "net8.0": {{
      "Newtonsoft.Json": {{
        "type": "Direct",
        "requested": "[13.0.3, )",
        "resolved": "13.0.3",
        "contentHash": "{empty_sha512_b64}",
        "dependencies": {{ "system.memory": "4.5.5" }}
      }},
      "System.Memory": {{ "type": "Transitive", "resolved": "4.5.5", "contentHash": "not base64!" }},
      "Shared.Lib": {{ "type": "Project" }}
    }}
  }}
}}"#
    );
    let csproj = r#"<Project Sdk="Microsoft.NET.Sdk">
  <ItemGroup>
    <PackageReference Include="Newtonsoft.Json" Version="13.0.3" />
    <PackageReference Include="Serilog" />
    <PackageReference Include="StyleCop.Analyzers" Version="1.1.118" PrivateAssets="all" />
    <PackageReference Include="Floating.Pkg" Version="2.*" />
  </ItemGroup>
</Project>
"#;
    let props =
        r#"<Project><ItemGroup><PackageVersion Include="Serilog" Version="3.1.1" /></ItemGroup></Project>"#;
    let inv = scan(&[
        ("src/App/App.csproj", csproj),
        ("src/App/packages.lock.json", &lock),
        ("Directory.Packages.props", props),
        ("evil/Evil.csproj", "<!DOCTYPE p [<!ENTITY a \"b\">]><Project>&a;</Project>"),
    ]);
    assert_eq!(
        purls(&inv),
        set(&[
            "pkg:nuget/Floating.Pkg",
            "pkg:nuget/Newtonsoft.Json@13.0.3",
            "pkg:nuget/Serilog@3.1.1",
            "pkg:nuget/StyleCop.Analyzers@1.1.118",
            "pkg:nuget/System.Memory@4.5.5",
        ])
    );
    let nj = by_purl(&inv, "pkg:nuget/Newtonsoft.Json@13.0.3");
    assert!(nj.direct);
    assert_eq!((nj.hashes[0].alg, nj.hashes[0].value.as_str()), (HashAlg::Sha512, empty_sha512_hex));
    assert!(by_purl(&inv, "pkg:nuget/System.Memory@4.5.5").hashes.is_empty());
    assert_eq!(edge(&inv, &nj.id, "pkg:nuget/System.Memory@4.5.5"), Some(EdgeKind::Normal));
    let serilog = by_purl(&inv, "pkg:nuget/Serilog@3.1.1");
    assert!(serilog.found_in.iter().any(|l| l.path == "Directory.Packages.props"));
    assert_eq!(by_purl(&inv, "pkg:nuget/StyleCop.Analyzers@1.1.118").scope, Scope::Build);
    assert_eq!(by_purl(&inv, "pkg:nuget/Floating.Pkg").requirement.as_deref(), Some("2.*"));
    let diags: Vec<String> =
        inv.diagnostics.iter().map(|d| format!("{}@{}", d.code, d.location.as_ref().unwrap())).collect();
    assert_eq!(
        diags,
        ["nuget-version-unresolved@src/App/App.csproj:6", "xml-entity-declaration@evil/Evil.csproj:1"]
    );
    validate_cdx(&cdx(&inv), "dotnet");
}

#[test]
fn swift_package_resolved_v1_v2_v3() {
    let v1 = r#"{"object": {"pins": [{"package": "Alamofire", "repositoryURL": "https://github.com/Alamofire/Alamofire.git", "state": {"branch": null, "revision": "abc", "version": "5.4.3"}}]}, "version": 1}"#;
    let v2 = r#"{"pins": [{"identity": "swift-log", "kind": "remoteSourceControl", "location": "https://github.com/apple/swift-log.git", "state": {"revision": "def", "version": "1.5.3"}}], "version": 2}"#;
    let v3 = r#"{"originHash": "x", "pins": [{"identity": "rxflow", "kind": "remoteSourceControl", "location": "git@github.com:RxSwiftCommunity/RxFlow.git", "state": {"branch": "main", "revision": "0123"}}], "version": 3}"#;
    let inv = scan(&[("a/Package.resolved", v1), ("b/Package.resolved", v2), ("c/Package.resolved", v3)]);
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    assert_eq!(
        purls(&inv),
        set(&[
            "pkg:swift/github.com/Alamofire/Alamofire@5.4.3",
            "pkg:swift/github.com/RxSwiftCommunity/RxFlow",
            "pkg:swift/github.com/apple/swift-log@1.5.3",
        ])
    );
    let rx = by_purl(&inv, "pkg:swift/github.com/RxSwiftCommunity/RxFlow");
    assert_eq!(rx.version, None, "a branch pin has no version");
    assert!(matches!(&rx.source, Some(SourceKind::Git { commit: Some(c), .. }) if c == "0123"));
    assert_eq!(by_purl(&inv, "pkg:swift/github.com/apple/swift-log@1.5.3").found_in[0].line, Some(1));
    validate_cdx(&cdx(&inv), "swift");
}

#[test]
fn dart_pubspec_lock() {
    let lock = r#"# Generated by pub
packages:
  async:
    dependency: transitive
    description:
      name: async
      sha256: "947bfcf187f74dbc5e146c9eb9c0f10c9f8b30743e341481c1e2ed3ecc18c20c"
      url: "https://pub.dev"
    source: hosted
    version: "2.11.0"
  flutter:
    dependency: "direct main"
    description: flutter
    source: sdk
    version: "0.0.0"
  http:
    dependency: "direct main"
    description:
      name: http
      sha256: "a2bbf9d017fcced29139daa8ed2bba4ece450ab222871df93ca9eec6f80c34ba"
      url: "https://pub.dev"
    source: hosted
    version: "1.2.0"
  mocktail:
    dependency: "direct dev"
    description:
      name: mocktail
      url: "https://pub.example.org"
    source: hosted
    version: "1.0.3"
  local_utils:
    dependency: "direct main"
    description:
      path: "../utils"
      relative: true
    source: path
    version: "0.1.0"
sdks:
  dart: ">=3.2.0 <4.0.0"
"#;
    let inv = scan(&[("app/pubspec.lock", lock)]);
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    assert_eq!(
        purls(&inv),
        set(&[
            "pkg:pub/async@2.11.0",
            "pkg:pub/http@1.2.0",
            "pkg:pub/local_utils@0.1.0",
            "pkg:pub/mocktail@1.0.3?repository_url=https://pub.example.org",
        ])
    );
    let http = by_purl(&inv, "pkg:pub/http@1.2.0");
    assert!(http.direct);
    assert_eq!(http.found_in[0].line, Some(16));
    assert_eq!(http.hashes[0].value, "a2bbf9d017fcced29139daa8ed2bba4ece450ab222871df93ca9eec6f80c34ba");
    assert!(!by_purl(&inv, "pkg:pub/async@2.11.0").direct);
    assert_eq!(
        by_purl(&inv, "pkg:pub/mocktail@1.0.3?repository_url=https://pub.example.org").scope,
        Scope::Dev
    );
    assert!(
        matches!(&by_purl(&inv, "pkg:pub/local_utils@0.1.0").source, Some(SourceKind::Path { path }) if path == "utils")
    );
    validate_cdx(&cdx(&inv), "dart");
}

#[test]
fn conan_lock_v2_and_v1() {
    let v2 = r#"{
    "version": "0.5",
    "requires": [
        "zlib/1.3#b3b71bfe8dd07abc7b82ff2bd0eac021%1700000000.0",
        "openssl/3.2.0@acme/stable#aaaa%1700000001.0"
    ],
    "build_requires": ["cmake/3.28.1#cccc%1700000002.0"],
    "python_requires": []
}"#;
    let v1 = r#"{"graph_lock": {"nodes": {
        "0": {"ref": "conanfile.txt", "requires": ["1"], "build_requires": ["2"]},
        "1": {"ref": "fmt/10.1.1#dddd", "requires": ["3"]},
        "2": {"ref": "ninja/1.11.1"},
        "3": {"ref": "not a reference"}
    }}, "version": "0.4"}"#;
    let inv = scan(&[("v2/conan.lock", v2), ("v1/conan.lock", v1)]);
    assert_eq!(
        purls(&inv),
        set(&[
            "pkg:conan/cmake@3.28.1?rrev=cccc",
            "pkg:conan/fmt@10.1.1?rrev=dddd",
            "pkg:conan/ninja@1.11.1",
            "pkg:conan/openssl@3.2.0?channel=stable&rrev=aaaa&user=acme",
            "pkg:conan/zlib@1.3?rrev=b3b71bfe8dd07abc7b82ff2bd0eac021",
        ])
    );
    assert_eq!(by_purl(&inv, "pkg:conan/cmake@3.28.1?rrev=cccc").scope, Scope::Build);
    assert_eq!(
        by_purl(&inv, "pkg:conan/zlib@1.3?rrev=b3b71bfe8dd07abc7b82ff2bd0eac021").found_in[0].line,
        Some(4)
    );
    assert_eq!(edge(&inv, "conan-project:v1", "pkg:conan/ninja@1.11.1"), Some(EdgeKind::Build));
    validate_cdx(&cdx(&inv), "conan");
}

#[test]
fn vcpkg_manifest() {
    let manifest = r#"{
  "name": "my-app",
  "version": "1.2.0",
  "license": "MIT",
  "builtin-baseline": "3426db05b996481ca31e95fff3734cf23e0f51bc",
  "dependencies": [
    "fmt",
    { "name": "boost-asio", "version>=": "1.83.0" },
    { "name": "vcpkg-cmake", "host": true }
  ],
  "overrides": [ { "name": "fmt", "version": "10.1.1", "port-version": 2 } ]
}"#;
    let inv = scan(&[("vcpkg.json", manifest)]);
    assert_eq!(
        purls(&inv),
        set(&["pkg:vcpkg/boost-asio", "pkg:vcpkg/fmt@10.1.1?port_version=2", "pkg:vcpkg/vcpkg-cmake"])
    );
    let boost = by_purl(&inv, "pkg:vcpkg/boost-asio");
    assert_eq!(boost.requirement.as_deref(), Some(">= 1.83.0"));
    assert_eq!(boost.found_in[0].line, Some(8));
    assert_eq!(by_purl(&inv, "pkg:vcpkg/vcpkg-cmake").scope, Scope::Build);
    let app = by_purl(&inv, "pkg:vcpkg/my-app@1.2.0");
    assert_eq!(app.license.declared.as_ref().unwrap().expression, "MIT");
    let notes: Vec<&str> = inv.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(notes, ["vcpkg-version-unresolved"]);
    validate_cdx(&cdx(&inv), "vcpkg");
}

#[test]
fn cocoapods_podfile_lock() {
    let lock = r#"PODS:
  - Alamofire (5.8.1)
  - Firebase/Core (10.18.0):
    - Firebase/CoreOnly
    - FirebaseAnalytics (~> 10.18.0)
  - Firebase/CoreOnly (10.18.0)
  - FirebaseAnalytics (10.18.0)
  - MyKit (0.1.0)

DEPENDENCIES:
  - Alamofire (~> 5.8)
  - Firebase/Core
  - MyKit (from `../MyKit`)

SPEC REPOS:
  trunk:
    - Alamofire
    - Firebase
    - FirebaseAnalytics

EXTERNAL SOURCES:
  MyKit:
    :path: "../MyKit"

SPEC CHECKSUMS:
  Alamofire: 3ca42e259043ee0dc5c0cdd76c4bc568b8e42af7

PODFILE CHECKSUM: 0000

COCOAPODS: 1.14.3
"#;
    let inv = scan(&[("ios/Podfile.lock", lock), ("broken/Podfile.lock", "PODS: [unclosed\n")]);
    assert_eq!(
        purls(&inv),
        set(&[
            "pkg:cocoapods/Alamofire@5.8.1",
            "pkg:cocoapods/Firebase@10.18.0#Core",
            "pkg:cocoapods/Firebase@10.18.0#CoreOnly",
            "pkg:cocoapods/FirebaseAnalytics@10.18.0",
            "pkg:cocoapods/MyKit@0.1.0",
        ])
    );
    let core = by_purl(&inv, "pkg:cocoapods/Firebase@10.18.0#Core");
    assert!(core.direct);
    assert_eq!(core.found_in[0].line, Some(3));
    assert_eq!(edge(&inv, &core.id, "pkg:cocoapods/FirebaseAnalytics@10.18.0"), Some(EdgeKind::Normal));
    assert!(!by_purl(&inv, "pkg:cocoapods/FirebaseAnalytics@10.18.0").direct);
    assert!(
        matches!(&by_purl(&inv, "pkg:cocoapods/MyKit@0.1.0").source, Some(SourceKind::Path { path }) if path == "MyKit")
    );
    let af = by_purl(&inv, "pkg:cocoapods/Alamofire@5.8.1");
    assert_eq!(
        af.properties.get("podspec-sha1").map(String::as_str),
        Some("3ca42e259043ee0dc5c0cdd76c4bc568b8e42af7")
    );
    assert!(af.hashes.is_empty(), "a podspec checksum is not the pod's hash");
    let broken: Vec<_> = inv.diagnostics.iter().filter(|d| d.code == "invalid-lockfile").collect();
    assert_eq!(broken.len(), 1);
    assert_eq!(broken[0].location.as_ref().unwrap().path, "broken/Podfile.lock");
    validate_cdx(&cdx(&inv), "cocoapods");
}

#[test]
fn malformed_lockfiles_are_diagnostics_and_the_scan_goes_on() {
    let inv = scan(&[
        ("php/composer.lock", "{\n  \"packages\": [\n    {\"name\": \"a/b\",\n"),
        ("net/packages.lock.json", "{\"version\": 1}"),
        ("swift/Package.resolved", "[1, 2"),
        ("dart/pubspec.lock", "packages:\n  a: [\n"),
        ("conan/conan.lock", "not json"),
        ("vcpkg/vcpkg.json", "{\"dependencies\": [ }"),
        ("ruby/Gemfile.lock", "garbage\n  with lines\n"),
        (
            "ok/Gemfile.lock",
            "GEM\n  remote: https://rubygems.org/\n  specs:\n    rake (13.1.0)\n\nDEPENDENCIES\n  rake\n",
        ),
    ]);
    let got: BTreeSet<String> = inv
        .diagnostics
        .iter()
        .map(|d| format!("{} {}", d.code, d.location.as_ref().map(|l| l.path.as_str()).unwrap_or("")))
        .collect();
    assert_eq!(
        got,
        set(&[
            "invalid-lockfile conan/conan.lock",
            "invalid-lockfile dart/pubspec.lock",
            "invalid-lockfile net/packages.lock.json",
            "invalid-lockfile php/composer.lock",
            "invalid-lockfile ruby/Gemfile.lock",
            "invalid-lockfile swift/Package.resolved",
            "invalid-manifest vcpkg/vcpkg.json",
        ])
    );
    assert!(
        inv.diagnostics.iter().all(|d| d.location.as_ref().is_some_and(|l| l.line.is_some())),
        "{:#?}",
        inv.diagnostics
    );
    assert_eq!(by_purl(&inv, "pkg:gem/rake@13.1.0").scope, Scope::Runtime);
}
