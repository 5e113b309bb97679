//! JVM resolver throughput (a plain harness, no criterion): the safe XML reader on a large synthetic pom,
//! the Gradle lockfile parser on a large synthetic lockfile, and a whole-tree scan of the Maven corpus entry.
//!
//! Run: `SOVEREIGN_CORPUS=../shared/corpus cargo bench --bench jvm`

use std::path::PathBuf;

mod common;
use common::measure;

fn main() {
    // 20,000 dependencies in one pom (about 3 MB).
    let mut pom = String::from("<project><artifactId>big</artifactId><dependencies>\n");
    for i in 0..20_000 {
        pom.push_str(&format!(
            "  <dependency>\n    <groupId>org.g{i}</groupId>\n    <artifactId>a{i}</artifactId>\n    <version>1.{i}</version>\n    <scope>test</scope>\n  </dependency>\n"
        ));
    }
    pom.push_str("</dependencies></project>\n");
    measure("pom.xml parse (20,000 dependencies)", pom.len(), || {
        sovereign::resolve::xml::parse(&pom, "pom.xml")
            .ok()
            .and_then(|r| r.child("dependencies").map(|d| d.children.len()))
            .unwrap_or(0)
    });
    // 100,000 lockfile lines.
    let mut lock = String::from("# Gradle lockfile\n");
    for i in 0..100_000 {
        lock.push_str(&format!("org.g{i}:artifact-{i}:1.0.{i}=compileClasspath,runtimeClasspath\n"));
    }
    measure("gradle.lockfile parse (100,000 entries)", lock.len(), || {
        sovereign::resolve::gradle::parse_lockfile(&lock, "gradle.lockfile", None, &mut Vec::new()).len()
    });

    let Some(corpus) = std::env::var_os("SOVEREIGN_CORPUS").map(PathBuf::from) else {
        eprintln!("SOVEREIGN_CORPUS is not set; the corpus scan is skipped");
        return;
    };
    let root = corpus.join("maven/alibaba__nacos");
    let checkout = sovereign::source::Checkout {
        root: root.clone(),
        subject: Default::default(),
        gitlinks: Vec::new(),
        cloned: false,
        notes: Vec::new(),
    };
    measure("whole-tree scan of maven/alibaba__nacos", 0, || {
        sovereign::scan_checkout(&checkout, false).components.len()
    });
}
