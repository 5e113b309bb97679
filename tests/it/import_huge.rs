//! 100 MB SBOMs (CycloneDX and SPDX 2.3, in the style of other generators) are read completely, in memory
//! bounded by the input plus the model: each is read in a child process that reports its peak memory.

use std::io::Write;
use std::path::Path;

use sovereign::sbom;

const TARGET: u64 = 100 * 1024 * 1024;

/// Writes a CycloneDX document of about `target` bytes, streaming to disk so the test never holds it.
/// Returns the number of components (they form a chain of dependencies).
fn write_huge_cdx(path: &Path, target: u64) -> usize {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    write!(f, r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":["#).unwrap();
    let mut written = 0u64;
    let mut n = 0usize;
    let pad = "x".repeat(200);
    let h = "0".repeat(64);
    while written < target {
        let entry = format!(
            r#"{}{{"type":"library","bom-ref":"pkg:npm/p{n}@1.0.{n}","name":"p{n}","version":"1.0.{n}","purl":"pkg:npm/p{n}@1.0.{n}","description":"{pad}","licenses":[{{"expression":"MIT"}}],"hashes":[{{"alg":"SHA-256","content":"{h}"}}],"properties":[{{"name":"tool:x","value":"y"}}]}}"#,
            if n == 0 { "" } else { "," },
        );
        f.write_all(entry.as_bytes()).unwrap();
        written += entry.len() as u64;
        n += 1;
    }
    write!(f, r#"],"dependencies":["#).unwrap();
    for i in 1..n {
        let sep = if i == 1 { "" } else { "," };
        write!(
            f,
            r#"{sep}{{"ref":"pkg:npm/p{}@1.0.{}","dependsOn":["pkg:npm/p{i}@1.0.{i}"]}}"#,
            i - 1,
            i - 1
        )
        .unwrap();
    }
    write!(f, "]}}").unwrap();
    f.flush().unwrap();
    n
}

/// The same for SPDX 2.3: NOASSERTION-heavy packages without purl, a chain of DEPENDS_ON.
fn write_huge_spdx(path: &Path, target: u64) -> usize {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    write!(
        f,
        r#"{{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"huge","packages":["#
    )
    .unwrap();
    let mut written = 0u64;
    let mut n = 0usize;
    let pad = "x".repeat(200);
    while written < target {
        let entry = format!(
            r#"{}{{"SPDXID":"SPDXRef-p{n}","name":"p{n}","versionInfo":"1.0.{n}","downloadLocation":"NOASSERTION","supplier":"NOASSERTION","licenseConcluded":"NOASSERTION","licenseDeclared":"MIT","copyrightText":"NOASSERTION","description":"{pad}","checksums":[{{"algorithm":"SHA256","checksumValue":"{h}"}}]}}"#,
            if n == 0 { "" } else { "," },
            h = "1".repeat(64)
        );
        f.write_all(entry.as_bytes()).unwrap();
        written += entry.len() as u64;
        n += 1;
    }
    write!(f, r#"],"relationships":["#).unwrap();
    for i in 1..n {
        let sep = if i == 1 { "" } else { "," };
        write!(
            f,
            r#"{sep}{{"spdxElementId":"SPDXRef-p{}","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-p{i}"}}"#,
            i - 1
        )
        .unwrap();
    }
    write!(f, "]}}").unwrap();
    f.flush().unwrap();
    n
}

/// Peak (`VmHWM:`) or current (`VmRSS:`) resident memory of this process (Linux), in bytes.
fn rss(which: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(which))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Runs in a child process (see `huge_sboms_are_read_in_bounded_memory`): reads the document named by
/// `SOVEREIGN_TEST_HUGE_SBOM` and prints what it found and the memory it took.
#[test]
#[ignore = "run by huge_sboms_are_read_in_bounded_memory in a child process"]
fn huge_sbom_child() {
    let Some(path) = std::env::var_os("SOVEREIGN_TEST_HUGE_SBOM") else { return };
    let before = rss("VmRSS:").unwrap_or(0);
    let bytes = std::fs::read(&path).unwrap();
    let input = bytes.len();
    let start = std::time::Instant::now();
    let inv = sbom::read(&bytes, "huge.json").unwrap();
    let ms = start.elapsed().as_millis();
    let peak = rss("VmHWM:").unwrap_or(0);
    drop(bytes);
    // What the inventory alone occupies (the input's pages go back to the system when dropped).
    let model = rss("VmRSS:").unwrap_or(0).saturating_sub(before);
    let codes: Vec<&str> = inv.diagnostics.iter().map(|d| d.code.as_str()).collect();
    println!(
        "HUGE components={} edges={} diagnostics={} input={input} before={before} peak={peak} model={model} ms={ms} codes={}",
        inv.components.len(),
        inv.edges.len(),
        inv.diagnostics.len(),
        codes.join(",")
    );
}

fn run_child(path: &Path) -> String {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["import_huge::huge_sbom_child", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env("SOVEREIGN_TEST_HUGE_SBOM", path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
        .lines()
        .find_map(|l| l.find("HUGE ").map(|i| l[i..].to_string()))
        .unwrap_or_else(|| panic!("{stdout}"))
}

#[test]
fn huge_sboms_are_read_in_bounded_memory() {
    if !Path::new("/proc/self/status").exists() {
        eprintln!("SKIPPED huge_sboms_are_read_in_bounded_memory: needs /proc (Linux)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, write, codes) in [
        ("huge.cdx.json", write_huge_cdx as fn(&Path, u64) -> usize, "sbom-foreign-property"),
        ("huge.spdx.json", write_huge_spdx, ""),
    ] {
        let path = dir.path().join(name);
        let n = write(&path, TARGET);
        let line = run_child(&path);
        std::fs::remove_file(&path).unwrap();
        let field = |k: &str| -> u64 {
            line.split_whitespace().find_map(|kv| kv.strip_prefix(&format!("{k}="))?.parse().ok()).unwrap()
        };
        eprintln!("{name}: {line}");
        assert_eq!(field("components") as usize, n, "{line}");
        assert_eq!(field("edges") as usize, n - 1, "{line}");
        let got_codes = line.split_whitespace().find_map(|kv| kv.strip_prefix("codes=")).unwrap_or("");
        assert_eq!(got_codes, codes, "one counted note at most, not one per component: {line}");
        let (input, before, peak, model) = (field("input"), field("before"), field("peak"), field("model"));
        assert!(input >= TARGET && model > 0, "{line}");
        // The bytes, the model and the sort's scratch space (half the component array) at most: a reader
        // that built the document as a JSON tree first would need several times the input on top.
        let bound = before + input + model * 3 / 2;
        assert!(peak < bound, "{name}: peak memory {peak} above input + 1.5 × model = {bound}: {line}");
    }
}
