//! JVM resolvers: Maven poms (inheritance, interpolation, dependency management, hostile XML, the nacos
//! corpus entry) and Gradle (lockfiles, version catalogs, verification metadata, build scripts).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use sovereign::model::{ComponentKind, EdgeKind, Inventory, Scope};

use crate::support::{cdx, corpus, scan_dir, validate_cdx, write_files};

mod gradle;

fn by_purl<'a>(inv: &'a Inventory, purl: &str) -> &'a sovereign::model::Component {
    inv.components.iter().find(|c| c.purl.as_deref() == Some(purl)).unwrap_or_else(|| {
        panic!("no component {purl}; have {:#?}", inv.components.iter().map(|c| &c.id).collect::<Vec<_>>())
    })
}

fn diag_lines(inv: &Inventory, code: &str) -> Vec<String> {
    inv.diagnostics
        .iter()
        .filter(|d| d.code == code)
        .map(|d| d.location.as_ref().map(|l| l.to_string()).unwrap_or_default())
        .collect()
}

fn has_edge(inv: &Inventory, from: &str, to: &str, kind: EdgeKind) -> bool {
    inv.edges.iter().any(|e| e.from == from && e.to == to && e.kind == kind)
}

/// A three-level reactor: `pom.xml` → `platform/pom.xml` → `platform/services/api/pom.xml`, plus an
/// in-repo BOM and a module listed but missing.
fn maven_reactor(dir: &Path) {
    write_files(
        dir,
        &[
            (
                "pom.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>org.example</groupId>
  <artifactId>root</artifactId>
  <version>${revision}</version>
  <packaging>pom</packaging>
  <description>The root &amp; its children</description>
  <url>https://example.org/root</url>
  <licenses>
    <license><name>Apache-2.0</name></license>
  </licenses>
  <developers><developer><name>Ada Lovelace</name></developer></developers>
  <scm><url>https://git.example.org/root</url></scm>
  <properties>
    <revision>2.5.0</revision>
    <base.version>1.7</base.version>
    <mid.version>${base.version}.3</mid.version>
    <guava.version>${mid.version}-jre</guava.version>
  </properties>
  <modules>
    <module>platform</module>
    <module>bom</module>
    <module>gone</module>
  </modules>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>com.google.guava</groupId>
        <artifactId>guava</artifactId>
        <version>${guava.version}</version>
      </dependency>
      <dependency>
        <groupId>${project.groupId}</groupId>
        <artifactId>core</artifactId>
        <version>${project.version}</version>
      </dependency>
      <dependency>
        <groupId>org.junit</groupId>
        <artifactId>junit-bom</artifactId>
        <version>5.10.2</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
      <dependency>
        <groupId>org.example</groupId>
        <artifactId>bom</artifactId>
        <version>${revision}</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>
</project>
"#,
            ),
            (
                "bom/pom.xml",
                r#"<project>
  <groupId>org.example</groupId>
  <artifactId>bom</artifactId>
  <version>2.5.0</version>
  <packaging>pom</packaging>
  <properties><netty.version>4.1.100.Final</netty.version></properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>io.netty</groupId>
        <artifactId>netty-handler</artifactId>
        <version>${netty.version}</version>
      </dependency>
      <dependency>
        <groupId>com.google.guava</groupId>
        <artifactId>guava</artifactId>
        <version>0.0.1-never-used</version>
      </dependency>
    </dependencies>
  </dependencyManagement>
</project>
"#,
            ),
            (
                "platform/pom.xml",
                r#"<project>
  <parent>
    <groupId>org.example</groupId>
    <artifactId>root</artifactId>
    <version>${revision}</version>
  </parent>
  <artifactId>platform</artifactId>
  <packaging>pom</packaging>
  <properties>
    <base.version>1.8</base.version>
    <slf4j.version>2.0.9</slf4j.version>
  </properties>
  <modules><module>services/api</module><module>core</module></modules>
  <dependencies>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-api</artifactId>
      <version>${slf4j.version}</version>
    </dependency>
  </dependencies>
</project>
"#,
            ),
            (
                "platform/core/pom.xml",
                r#"<project>
  <parent>
    <groupId>org.example</groupId>
    <artifactId>platform</artifactId>
    <version>2.5.0</version>
  </parent>
  <artifactId>core</artifactId>
  <properties><slf4j.version>2.0.12</slf4j.version></properties>
  <licenses><license><name>MIT</name></license></licenses>
</project>
"#,
            ),
            (
                "platform/services/api/pom.xml",
                r#"<project>
  <parent>
    <groupId>org.example</groupId>
    <artifactId>platform</artifactId>
    <version>2.5.0</version>
    <relativePath>../../pom.xml</relativePath>
  </parent>
  <artifactId>api</artifactId>
  <properties>
    <self.version>${project.parent.version}-api</self.version>
  </properties>
  <dependencies>
    <dependency>
      <groupId>com.google.guava</groupId>
      <artifactId>guava</artifactId>
    </dependency>
    <dependency>
      <groupId>${project.groupId}</groupId>
      <artifactId>core</artifactId>
    </dependency>
    <dependency>
      <groupId>io.netty</groupId>
      <artifactId>netty-handler</artifactId>
      <optional>true</optional>
    </dependency>
    <dependency>
      <groupId>org.example.tools</groupId>
      <artifactId>natives</artifactId>
      <version>${self.version}</version>
      <classifier>linux-x86_64</classifier>
      <type>zip</type>
      <scope>provided</scope>
    </dependency>
    <dependency>
      <groupId>org.junit.jupiter</groupId>
      <artifactId>junit-jupiter</artifactId>
      <scope>test</scope>
    </dependency>
    <dependency>
      <groupId>org.ranged</groupId>
      <artifactId>ranged</artifactId>
      <version>[1.0,2.0)</version>
    </dependency>
    <dependency>
      <groupId>org.elsewhere</groupId>
      <artifactId>undefined</artifactId>
      <version>${not.in.this.repo}</version>
      <scope>runtime</scope>
    </dependency>
  </dependencies>
</project>
"#,
            ),
            // A test fixture pom that no <modules> lists is not a module.
            (
                "platform/core/src/test/resources/pom.xml",
                "<project><artifactId>fixture</artifactId></project>",
            ),
        ],
    );
}

#[test]
fn maven_inheritance_interpolation_and_management() {
    let dir = tempfile::tempdir().unwrap();
    maven_reactor(dir.path());
    let inv = scan_dir(dir.path());

    // Reactor modules are applications, with the version inherited through two parents.
    let apps: BTreeSet<&str> = inv
        .components
        .iter()
        .filter(|c| c.kind == ComponentKind::Application)
        .map(|c| c.purl.as_deref().unwrap())
        .collect();
    assert_eq!(
        apps,
        BTreeSet::from([
            "pkg:maven/org.example/api@2.5.0",
            "pkg:maven/org.example/bom@2.5.0",
            "pkg:maven/org.example/core@2.5.0",
            "pkg:maven/org.example/platform@2.5.0",
            "pkg:maven/org.example/root@2.5.0",
        ])
    );
    let api = by_purl(&inv, "pkg:maven/org.example/api@2.5.0");
    assert_eq!(api.namespace.as_deref(), Some("org.example"));
    // Licences, developers are inherited from the root (two levels up); the core module states its own.
    let lic = api.license.declared.as_ref().unwrap();
    assert_eq!((lic.expression.as_str(), lic.source.as_str()), ("Apache-2.0", "pom.xml"));
    assert_eq!(api.authors, ["Ada Lovelace"]);
    let core = by_purl(&inv, "pkg:maven/org.example/core@2.5.0");
    assert_eq!(core.license.declared.as_ref().unwrap().expression, "MIT");
    let root = by_purl(&inv, "pkg:maven/org.example/root@2.5.0");
    assert_eq!(root.description.as_deref(), Some("The root & its children"));
    assert_eq!(root.homepage.as_deref(), Some("https://example.org/root"));
    assert_eq!(root.repository.as_deref(), Some("https://git.example.org/root"));

    // guava: managed by the root, `${guava.version}` → `${mid.version}-jre` → `${base.version}.3-jre`, with
    // base.version overridden by the middle parent (1.8), and the root's declaration winning over the BOM's.
    let guava = by_purl(&inv, "pkg:maven/com.google.guava/guava@1.8.3-jre");
    assert_eq!(guava.scope, Scope::Runtime);
    assert!(guava.direct);
    let places: Vec<String> = guava.found_in.iter().map(|l| l.to_string()).collect();
    assert_eq!(places, ["platform/services/api/pom.xml:13", "pom.xml:28"]);
    // netty: from the in-repo BOM import, interpolated in the BOM's own context; optional.
    let netty = by_purl(&inv, "pkg:maven/io.netty/netty-handler@4.1.100.Final");
    assert_eq!(netty.scope, Scope::Optional);
    // classifier and type qualifiers, provided scope, a property chained through project.parent.version.
    let natives =
        by_purl(&inv, "pkg:maven/org.example.tools/natives@2.5.0-api?classifier=linux-x86_64&type=zip");
    assert_eq!(natives.scope, Scope::Build);
    // A dependency on another module is an edge between applications, not a library.
    let api_id = api.id.as_str();
    assert!(has_edge(&inv, api_id, "pkg:maven/org.example/core@2.5.0", EdgeKind::Normal));
    assert!(has_edge(&inv, api_id, &natives.id, EdgeKind::Build));
    assert!(has_edge(&inv, api_id, &netty.id, EdgeKind::Optional));

    // Unresolved versions: declared-unresolved, no version invented, a diagnostic at the declaring line.
    let junit = by_purl(&inv, "pkg:maven/org.junit.jupiter/junit-jupiter");
    assert_eq!((junit.version.as_deref(), junit.scope), (None, Scope::Dev));
    assert!(has_edge(&inv, api_id, &junit.id, EdgeKind::Dev));
    let ranged = by_purl(&inv, "pkg:maven/org.ranged/ranged");
    assert_eq!(ranged.requirement.as_deref(), Some("[1.0,2.0)"));
    assert_eq!(ranged.properties.get("resolution").map(String::as_str), Some("declared-unresolved"));
    let undefined = by_purl(&inv, "pkg:maven/org.elsewhere/undefined");
    assert_eq!(undefined.requirement.as_deref(), Some("${not.in.this.repo}"));
    assert_eq!(
        diag_lines(&inv, "maven-version-unresolved"),
        [
            "platform/services/api/pom.xml:34",
            "platform/services/api/pom.xml:39",
            "platform/services/api/pom.xml:44"
        ]
    );
    assert!(inv
        .diagnostics
        .iter()
        .any(|d| d.code == "maven-version-unresolved" && d.message.contains("org.junit:junit-bom:5.10.2")));
    assert_eq!(diag_lines(&inv, "maven-module-missing"), ["pom.xml:24"]);
    // A parent's <dependencies> are inherited, interpolated in each child's context: the middle parent
    // and `api` get slf4j 2.0.9, `core` overrides the property and gets 2.0.12.
    let platform_id = "pkg:maven/org.example/platform@2.5.0";
    let core_id = "pkg:maven/org.example/core@2.5.0";
    for (from, v) in [(platform_id, "2.0.9"), (api_id, "2.0.9"), (core_id, "2.0.12")] {
        let to = format!("pkg:maven/org.slf4j/slf4j-api@{v}");
        assert!(has_edge(&inv, from, &to, EdgeKind::Normal), "{from} -> {to}");
    }
    assert!(!has_edge(&inv, core_id, "pkg:maven/org.slf4j/slf4j-api@2.0.9", EdgeKind::Normal));
    assert_eq!(
        by_purl(&inv, "pkg:maven/org.slf4j/slf4j-api@2.0.12").found_in[0].to_string(),
        "platform/pom.xml:15"
    );
    // Nothing transitive is invented: the seven declarations of `api` minus the module one, and slf4j twice.
    assert_eq!(inv.components.iter().filter(|c| c.kind == ComponentKind::Library).count(), 8);
    assert!(inv.components.iter().all(|c| c.name != "fixture"));

    validate_cdx(&cdx(&inv), "maven_inheritance");
}

#[test]
fn maven_parent_outside_the_repository() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[(
            "pom.xml",
            r#"<project>
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>3.2.0</version>
    <relativePath/>
  </parent>
  <groupId>com.acme</groupId>
  <artifactId>svc</artifactId>
  <version>${project.parent.version}-acme</version>
  <dependencies>
    <dependency>
      <groupId>org.springframework.boot</groupId>
      <artifactId>spring-boot-starter-web</artifactId>
    </dependency>
    <dependency>
      <groupId>com.acme</groupId>
      <artifactId>lib</artifactId>
      <version>${lib.version}</version>
    </dependency>
  </dependencies>
</project>
"#,
        )],
    );
    let inv = scan_dir(dir.path());
    // project.parent.version is known even though the parent itself is not in the repository.
    let svc = by_purl(&inv, "pkg:maven/com.acme/svc@3.2.0-acme");
    assert_eq!(svc.kind, ComponentKind::Application);
    assert_eq!(diag_lines(&inv, "maven-parent-outside-repo"), ["pom.xml:2"]);
    assert_eq!(diag_lines(&inv, "maven-version-unresolved"), ["pom.xml:12", "pom.xml:16"]);
    let web = inv.diagnostics.iter().find(|d| d.location.as_ref().unwrap().line == Some(12)).unwrap();
    assert!(
        web.message.contains("org.springframework.boot:spring-boot-starter-parent:3.2.0"),
        "{}",
        web.message
    );
    let lib = by_purl(&inv, "pkg:maven/com.acme/lib");
    assert_eq!(lib.requirement.as_deref(), Some("${lib.version}"));
    validate_cdx(&cdx(&inv), "maven_external_parent");
}

fn billion_laughs() -> String {
    let mut s = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE project [\n  <!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 { "lol".to_string() } else { format!("lol{}", i - 1) };
        s.push_str(&format!("  <!ENTITY lol{i} \"{}\">\n", format!("&{prev};").repeat(10)));
    }
    s.push_str("]>\n<project><artifactId>&lol9;</artifactId></project>\n");
    s
}

#[test]
fn hostile_poms_are_refused_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!(
        "<project><artifactId>deep</artifactId>{}{}</project>",
        "<a>".repeat(10_000),
        "</a>".repeat(10_000)
    );
    let xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE project [\n<!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n]>\n<project><artifactId>&xxe;</artifactId></project>\n";
    let dtd = "<!DOCTYPE project SYSTEM \"http://127.0.0.1:9/evil.dtd\">\n<project><artifactId>x</artifactId></project>";
    write_files(
        dir.path(),
        &[
            ("laughs/pom.xml", &billion_laughs()),
            ("xxe/pom.xml", xxe),
            ("dtd/pom.xml", dtd),
            ("deep/pom.xml", &deep),
            ("truncated/pom.xml", "<project>\n<artifactId>t</artifactId>\n<dependencies>\n<dependency>"),
            ("notpom/pom.xml", "<settings/>"),
            (
                "ok/pom.xml",
                "<project><groupId>g</groupId><artifactId>ok</artifactId><version>1</version></project>",
            ),
        ],
    );
    let inv = scan_dir(dir.path());
    assert_eq!(
        diag_lines(&inv, "xml-entity-declaration"),
        ["dtd/pom.xml:1", "laughs/pom.xml:2", "xxe/pom.xml:2"]
    );
    assert_eq!(diag_lines(&inv, "xml-too-deep"), ["deep/pom.xml:1"]);
    assert_eq!(diag_lines(&inv, "invalid-xml"), ["truncated/pom.xml:4"]);
    assert_eq!(diag_lines(&inv, "invalid-manifest"), ["notpom/pom.xml:1"]);
    assert!(inv.diagnostics.iter().all(|d| !d.message.contains("root:")), "nothing of /etc/passwd leaks");
    assert_eq!(inv.components.len(), 1);
    assert_eq!(inv.components[0].purl.as_deref(), Some("pkg:maven/g/ok@1"));
    validate_cdx(&cdx(&inv), "hostile_poms");
}

// ---------------------------------------------------------------------------------------------------------
// The nacos corpus entry, read independently: a line-oriented text reading of the poms, not the resolver.

fn strip(text: &str, open: &str, close: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(open) {
        out.push_str(&rest[..i]);
        match rest[i..].find(close) {
            Some(j) => rest = &rest[i + j + close.len()..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

fn tag<'a>(block: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let i = block.find(&open)? + open.len();
    let j = block[i..].find(&format!("</{name}>"))?;
    Some(block[i..i + j].trim())
}

/// `<dependency>` blocks of a text: (groupId, artifactId, version).
fn dep_blocks(text: &str) -> Vec<(String, String, Option<String>)> {
    text.split("<dependency>")
        .skip(1)
        .map(|b| {
            let b = &b[..b.find("</dependency>").unwrap()];
            (
                tag(b, "groupId").unwrap().to_string(),
                tag(b, "artifactId").unwrap().to_string(),
                tag(b, "version").map(str::to_string),
            )
        })
        .collect()
}

/// `<properties>` entries as simple `<k>v</k>` lines.
fn props_of(text: &str) -> BTreeMap<String, String> {
    let Some(block) = tag(text, "properties") else { return BTreeMap::new() };
    block
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let k = l.strip_prefix('<')?.split('>').next()?;
            let v = l.split_once('>')?.1.strip_suffix(&format!("</{k}>"))?;
            Some((k.to_string(), v.to_string()))
        })
        .collect()
}

#[test]
fn nacos_declared_dependencies_with_versions_from_in_repo_parents_and_properties() {
    let Some(corpus) = corpus("nacos") else { return };
    let root = corpus.join("maven/alibaba__nacos");
    let read = |p: &Path| strip(&std::fs::read_to_string(p).unwrap(), "<!--", "-->");
    let root_text = read(&root.join("pom.xml"));
    let root_props = props_of(&root_text);
    let revision = root_props["revision"].clone();
    assert_eq!(revision, "3.1.0-SNAPSHOT");
    let managed: BTreeMap<(String, String), String> =
        dep_blocks(tag(&root_text, "dependencyManagement").unwrap())
            .into_iter()
            .filter_map(|(g, a, v)| Some(((g.replace("${project.groupId}", "com.alibaba.nacos"), a), v?)))
            .collect();
    let mut poms = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().unwrap() == "pom.xml" {
                poms.push(p);
            }
        }
    }
    assert_eq!(poms.len(), 45);
    // Every module's groupId is the root's; intermediate parents define no properties and no management,
    // so a module's properties are the root's plus its own (checked here, not assumed).
    let mut reactor = BTreeSet::new();
    let mut expected: BTreeSet<String> = BTreeSet::new();
    for p in &poms {
        let text = read(p);
        let body = strip(
            &strip(&strip(&text, "<parent>", "</parent>"), "<build>", "</build>"),
            "<profiles>",
            "</profiles>",
        );
        reactor.insert(
            tag(&strip(&body, "<dependencies>", "</dependencies>"), "artifactId").unwrap().to_string(),
        );
        if p.parent().unwrap() != root && text.contains("<modules>") {
            assert!(
                !text.contains("<properties>") && !text.contains("<dependencyManagement>"),
                "{}",
                p.display()
            );
        }
        let mut props = root_props.clone();
        props.extend(props_of(&body));
        props.insert("project.version".into(), revision.clone());
        props.insert("project.groupId".into(), "com.alibaba.nacos".into());
        let body = strip(&body, "<dependencyManagement>", "</dependencyManagement>");
        for (g, a, v) in dep_blocks(&body) {
            let g = g.replace("${project.groupId}", "com.alibaba.nacos");
            let v = v.or_else(|| managed.get(&(g.clone(), a.clone())).cloned());
            // Up to three rounds of `${…}` substitution (the deepest chain in nacos is two).
            let v = v.map(|mut v| {
                for _ in 0..3 {
                    if let Some(i) = v.find("${") {
                        let j = v[i..].find('}').unwrap() + i;
                        let name = v[i + 2..j].to_string();
                        let value = props.get(&name).unwrap_or_else(|| panic!("{name} in {}", p.display()));
                        v = format!("{}{}{}", &v[..i], value, &v[j + 1..]);
                    }
                }
                v
            });
            expected.insert(format!("{g}:{a}@{}", v.unwrap_or_default()));
        }
    }
    // Dependencies on reactor modules are edges, not libraries.
    expected.retain(|k| {
        !(k.starts_with("com.alibaba.nacos:") && reactor.contains(k[18..].split('@').next().unwrap()))
    });

    eprintln!("nacos: {} expected library components", expected.len());
    assert!(expected.len() > 50, "the text reading found the dependencies");
    let inv = scan_dir(&root);
    let got: BTreeSet<String> = inv
        .components
        .iter()
        .filter(|c| c.ecosystem == sovereign::model::Ecosystem::Maven && c.kind == ComponentKind::Library)
        .map(|c| {
            format!("{}:{}@{}", c.namespace.as_deref().unwrap(), c.name, c.version.as_deref().unwrap_or(""))
        })
        .collect();
    let missing: Vec<_> = expected.difference(&got).collect();
    let extra: Vec<_> = got.difference(&expected).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing {missing:#?}\nextra {extra:#?}");
    let apps = inv
        .components
        .iter()
        .filter(|c| c.kind == ComponentKind::Application && c.ecosystem == sovereign::model::Ecosystem::Maven)
        .count();
    assert_eq!(apps, 45, "every pom is a reactor module");
    // Spot checks read by hand: config/pom.xml declares commons-io without a version; the root manages it
    // with ${commons-io.version} = 2.14.0. logback-adapter-12 pins logback 1.2.13 explicitly.
    assert!(got.contains("commons-io:commons-io@2.14.0"));
    assert!(got.contains("ch.qos.logback:logback-classic@1.2.13"));
    assert!(
        got.contains("org.springframework.boot:spring-boot-starter-web@"),
        "managed only by an external BOM"
    );
    // Each unresolved declaration has a diagnostic with its line.
    let unresolved = inv
        .components
        .iter()
        .filter(|c| {
            c.ecosystem == sovereign::model::Ecosystem::Maven
                && c.version.is_none()
                && c.kind == ComponentKind::Library
        })
        .count();
    assert!(unresolved > 0);
    assert!(inv
        .diagnostics
        .iter()
        .filter(|d| d.code == "maven-version-unresolved")
        .all(|d| d.location.as_ref().is_some_and(|l| l.line.is_some())));
    validate_cdx(&cdx(&inv), "nacos");
}
