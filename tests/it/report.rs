//! The HTML pages (docs/report.md) opened in headless Chromium: the bundled example's report, hostile
//! names, the audit of local repositories and its dashboard, the simulation page.

use std::io::ErrorKind;
use std::net::TcpListener;
use std::path::Path;

use git2::{Repository, Signature};
use serde_json::Value;

use crate::browser::{assert_self_contained, chromium, dump_dom, output_after, rows};
use crate::support::run;

const POLICY: &str = "rules/policies/sovereign-ai-contest.yaml";

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

#[test]
fn report_of_the_bundled_example_in_chromium() {
    let Some(browser) = chromium("report_of_the_bundled_example_in_chromium") else { return };
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let html = dir.path().join("report.html");
    let out = run(
        &[
            "report",
            "examples/contest-entry",
            "--policy",
            POLICY,
            "--today",
            "2026-01-01",
            "-q",
            "-o",
            html.to_str().unwrap(),
        ],
        &cache,
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "the example fails the contest policy: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // What the page must show, from the JSON verdict of the same scan.
    let check = run(
        &[
            "check",
            "examples/contest-entry",
            "--policy",
            POLICY,
            "--today",
            "2026-01-01",
            "-q",
            "--format",
            "json",
        ],
        &cache,
    );
    let verdict: Value = serde_json::from_slice(&check.stdout).unwrap();
    let findings = verdict["findings"].as_array().unwrap();
    let errors = findings.iter().filter(|f| f["severity"] == "error").count();
    assert!(errors > 0 && errors < findings.len());

    let page = std::fs::read_to_string(&html).unwrap();
    assert_self_contained(&page);
    let dom = dump_dom(&browser, &html, "");
    assert!(dom.contains("data-js=\"ready\""), "the page's script did not run (CSP hash?)");
    assert!(dom.contains("✗ FAILED"));
    for chart in [
        "chart-countries-runtime",
        "chart-countries-all",
        "chart-licenses",
        "chart-vendored",
        "chart-lineage",
    ] {
        let at = dom.find(&format!("id=\"{chart}\"")).unwrap_or_else(|| panic!("{chart} missing"));
        let figure = &dom[at..at + dom[at..].find("</figure>").unwrap()];
        assert!(figure.contains("<svg"), "{chart} has no SVG");
    }
    // The lineage graph names the model, its base and the publisher's country.
    let lineage = &dom[dom.find("id=\"chart-lineage\"").unwrap()..];
    assert!(lineage.contains("zai-org/GLM-4.5-Air") && lineage.contains("(CN)"));
    for name in [
        "Qwen/Qwen2.5-VL-7B-Instruct",
        "glm-rotary",
        "zai-org/GLM-4.5-Air",
        "vendor/glm-rotary/rotary.py:1",
        "config/inference.toml:4",
    ] {
        assert!(dom.contains(name), "{name} not on the page");
    }
    assert_eq!(rows(&dom, "findings-table").len(), findings.len());
    assert_eq!(
        output_after(&dom, "data-table=\"findings-table\""),
        format!("{0} of {0} shown", findings.len())
    );

    // Filters, preset from the fragment the script reads.
    let dom = dump_dom(&browser, &html, "#fsev=error");
    assert_eq!(
        output_after(&dom, "data-table=\"findings-table\""),
        format!("{errors} of {} shown", findings.len())
    );
    for row in rows(&dom, "findings-table") {
        assert_eq!(row.contains("data-severity=\"error\""), !row.contains("hidden"), "{row}");
    }
    let rotary = findings.iter().filter(|f| f.to_string().contains("glm-rotary")).count();
    let dom = dump_dom(&browser, &html, "#fq=glm-rotary&fcountry=cn");
    assert_eq!(
        output_after(&dom, "data-table=\"findings-table\""),
        format!("{rotary} of {} shown", findings.len())
    );
    let dom = dump_dom(&browser, &html, "#cq=serde_json");
    let shown = rows(&dom, "components-table").iter().filter(|r| !r.contains("hidden")).count();
    assert!(shown >= 1 && shown < rows(&dom, "components-table").len(), "component search shows {shown}");
}

fn hostile_inventory(port: u16) -> sovereign::model::Inventory {
    use sovereign::model::*;
    let bad = |what: &str| {
        format!("<img src=\"http://127.0.0.1:{port}/{what}\" onerror=\"fetch('http://127.0.0.1:{port}/e')\">")
    };
    let mut inv = Inventory::default();
    inv.subject.name = format!("</title><script>fetch('http://127.0.0.1:{port}/subject')</script>");
    inv.subject.url = Some(format!("javascript:fetch('http://127.0.0.1:{port}/url')"));
    let mut c = Component::new(Ecosystem::Npm, bad("name"), Some(bad("version")));
    c.id = format!("pkg:npm/{}", bad("id"));
    c.license.declared = Some(LicenseValue::declared(&bad("license"), bad("source")));
    c.origin.country = Some("CN".into());
    c.origin.confidence = 0.9;
    c.origin.organisation = Some(OrganisationRef {
        name: bad("org"),
        country: "CN".into(),
        parent: None,
        parent_country: None,
        url: Some(format!("http://127.0.0.1:{port}/orgurl")),
        source: bad("orgsource"),
    });
    c.found_in.push(Location::new(bad("file"), Some(3)));
    let mut m = Component::new(Ecosystem::Huggingface, bad("model"), None);
    m.id = format!("pkg:huggingface/{}", bad("modelid"));
    m.kind = ComponentKind::MlModel;
    m.model = Some(ModelFacts {
        base_models: vec![BaseModel { component: c.id.clone(), relation: Some(bad("rel")) }],
        ..Default::default()
    });
    inv.components = vec![c, m];
    inv.diagnostics.push(Diagnostic::warning("x", bad("diag")));
    inv
}

#[test]
fn hostile_names_are_escaped_and_nothing_leaves_the_page() {
    let Some(browser) = chromium("hostile_names_are_escaped_and_nothing_leaves_the_page") else { return };
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let inv = hostile_inventory(port);
    let policy = sovereign::policy::from_str(
        "version: 1\nname: \"<b>p</b>\"\norigin:\n  deny: [CN]\nrules:\n  - id: no-models\n    when: { kind: ml-model }\n    severity: warning\n    fix: \"<script>alert(1)</script>\"\n",
        "p.yaml",
    )
    .unwrap();
    let verdict = sovereign::policy::evaluate(&policy, &inv, &Default::default());
    assert!(!verdict.findings.is_empty());
    let mut meta = sovereign::report::html::ReportMeta::new();
    meta.policy_name = Some(policy.name.clone());
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.html");
    std::fs::write(&report, sovereign::report::html::render_report(&inv, Some(&verdict), &meta)).unwrap();
    let row = sovereign::report::html::DashboardRow {
        name: inv.subject.name.clone(),
        url: inv.subject.url.clone().unwrap(),
        verdict: "<i>x</i>".into(),
        report: Some(format!("http://127.0.0.1:{port}/link")),
        models: vec![sovereign::report::html::ModelRow {
            name: inv.components[1].name.clone(),
            country: None,
            flagged: true,
        }],
        ..Default::default()
    };
    let dash = dir.path().join("index.html");
    std::fs::write(&dash, sovereign::report::html::render_dashboard("<b>t</b>", &[row], &meta)).unwrap();
    for page in [&report, &dash] {
        let html = std::fs::read_to_string(page).unwrap();
        assert!(!html.contains("<img") && !html.contains("<b>") && !html.contains("<i>"), "unescaped markup");
        assert_eq!(count(&html, "<script>"), 1, "only our own script");
        let dom = dump_dom(&browser, page, "");
        assert!(dom.contains("data-js=\"ready\""));
        assert!(!dom.contains("<img"), "a hostile name became an element");
        assert!(dom.contains("&lt;img src=\"http://127.0.0.1"), "the hostile text is shown as text");
    }
    assert_self_contained(&std::fs::read_to_string(&report).unwrap());
    assert_self_contained(&std::fs::read_to_string(&dash).unwrap());
    // The browser asked the listener for nothing.
    std::thread::sleep(std::time::Duration::from_millis(300));
    match listener.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        Err(e) => panic!("{e}"),
        Ok((_, from)) => panic!("the page made a request (from {from})"),
    }
}

/// A git repository with one commit; its `file://` URL and the commit.
fn git_repo(dir: &Path, files: &[(&str, &str)]) -> (String, String) {
    let repo = Repository::init(dir).unwrap();
    let mut index = repo.index().unwrap();
    for (path, content) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
        index.add_path(Path::new(path)).unwrap();
    }
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = Signature::new("Test", "test@example.org", &git2::Time::new(1_700_000_000, 0)).unwrap();
    let commit = repo.commit(Some("HEAD"), &sig, &sig, "initial", &tree, &[]).unwrap();
    (format!("file://{}", dir.display()), commit.to_string())
}

const AUDIT_POLICY: &str =
    "version: 1\nname: audit-test\norigin:\n  deny: [CN]\n  unknown: warn\nlicenses:\n  unknown: allow\n";

#[test]
fn audit_of_local_repositories() {
    let dir = tempfile::tempdir().unwrap();
    let (failing, _) = git_repo(
        &dir.path().join("failing"),
        &[
            ("app.toml", "vision_encoder = \"Qwen/Qwen2.5-VL-7B-Instruct\"\n"),
            ("requirements.txt", "requests==2.31.0\n"),
        ],
    );
    let (passing, passing_commit) =
        git_repo(&dir.path().join("passing"), &[("requirements.txt", "requests==2.31.0\n")]);
    let (empty, _) = git_repo(&dir.path().join("empty"), &[("README.md", "# nothing to see\n")]);
    let dead = TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_port = dead.local_addr().unwrap().port();
    drop(dead);
    let subs = dir.path().join("submissions.yaml");
    std::fs::write(
        &subs,
        format!(
            "submissions:\n  - {{name: failing-team, url: \"{failing}\"}}\n  - {{name: passing team, url: \"{passing}\", ref: \"{passing_commit}\"}}\n  - {{name: empty, url: \"{empty}\"}}\n  - {{name: unreachable, url: \"http://127.0.0.1:{dead_port}/nobody.git\"}}\n"
        ),
    )
    .unwrap();
    let policy = dir.path().join("policy.yaml");
    std::fs::write(&policy, AUDIT_POLICY).unwrap();
    let out_dir = dir.path().join("out");
    let store = format!("sqlite:{}", dir.path().join("audits.db").display());
    let out = run(
        &[
            "audit",
            subs.to_str().unwrap(),
            "--policy",
            policy.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
            "--jobs",
            "3",
            "--store",
            &store,
        ],
        &dir.path().join("cache"),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "one could not be scanned: {stderr}");
    assert!(stderr.contains("unreachable: error"), "{stderr}");
    let summary: Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("summary.json")).unwrap()).unwrap();
    let subs_json = summary["submissions"].as_array().unwrap();
    let verdicts: Vec<(&str, &str)> =
        subs_json.iter().map(|s| (s["name"].as_str().unwrap(), s["verdict"].as_str().unwrap())).collect();
    assert_eq!(
        verdicts,
        [
            ("failing-team", "failed"),
            ("passing team", "passed"),
            ("empty", "passed"),
            ("unreachable", "error")
        ]
    );
    assert!(subs_json[0]["errors"].as_u64().unwrap() >= 1);
    assert_eq!(subs_json[0]["countries"]["CN"], 1);
    assert_eq!(subs_json[0]["models"][0]["id"], "Qwen/Qwen2.5-VL-7B-Instruct");
    assert_eq!(subs_json[0]["models"][0]["country"], "CN");
    assert_eq!(subs_json[0]["commit"].as_str().unwrap().len(), 40);
    assert_eq!(subs_json[1]["commit"], passing_commit.as_str());
    assert!(subs_json[3]["error"].as_str().unwrap().contains("127.0.0.1"));
    for name in ["failing-team", "passing team", "empty"] {
        for f in ["sbom.cdx.json", "verdict.json", "report.html"] {
            assert!(out_dir.join(name).join(f).is_file(), "{name}/{f} missing");
        }
    }
    assert!(!out_dir.join("unreachable").exists());
    let v: Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("failing-team/verdict.json")).unwrap()).unwrap();
    assert_eq!(v["passed"], false);
    // `--store`: every scanned submission is recorded under its name (not the unreachable one), and the
    // store answers which one carries the CN model.
    let q = run(&["query", "--store", &store, "--scans", "--format", "json"], &dir.path().join("cache"));
    assert!(q.status.success(), "{}", String::from_utf8_lossy(&q.stderr));
    let scans: Value = serde_json::from_slice(&q.stdout).unwrap();
    let mut stored: Vec<&str> =
        scans.as_array().unwrap().iter().map(|s| s["submission"].as_str().unwrap()).collect();
    stored.sort();
    assert_eq!(stored, ["empty", "failing-team", "passing team"]);
    let q =
        run(&["query", "--store", &store, "--country", "CN", "--format", "json"], &dir.path().join("cache"));
    let rows: Value = serde_json::from_slice(&q.stdout).unwrap();
    let who: Vec<&str> = rows.as_array().unwrap().iter().map(|r| r["submission"].as_str().unwrap()).collect();
    assert_eq!(who, ["failing-team"], "{rows}");

    // Only failing and passing ones: exit 1.
    let subs2 = dir.path().join("two.yaml");
    std::fs::write(
        &subs2,
        format!("submissions:\n  - {{name: a, url: \"{failing}\"}}\n  - {{name: b, url: \"{passing}\"}}\n"),
    )
    .unwrap();
    let out2 = dir.path().join("out2");
    let o = run(
        &[
            "audit",
            subs2.to_str().unwrap(),
            "--policy",
            policy.to_str().unwrap(),
            "--out",
            out2.to_str().unwrap(),
            "-q",
        ],
        &dir.path().join("cache"),
    );
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let subs3 = dir.path().join("one.yaml");
    std::fs::write(&subs3, format!("submissions:\n  - {{name: b, url: \"{passing}\"}}\n")).unwrap();
    let o = run(
        &[
            "audit",
            subs3.to_str().unwrap(),
            "--policy",
            policy.to_str().unwrap(),
            "--out",
            dir.path().join("out3").to_str().unwrap(),
            "-q",
        ],
        &dir.path().join("cache"),
    );
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    // A name that would escape the output directory is refused before anything runs.
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, format!("submissions:\n  - {{name: ../escape, url: \"{passing}\"}}\n")).unwrap();
    let o = run(
        &[
            "audit",
            bad.to_str().unwrap(),
            "--policy",
            policy.to_str().unwrap(),
            "--out",
            dir.path().join("out4").to_str().unwrap(),
        ],
        &dir.path().join("cache"),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("submissions[0].name"));
    assert!(!dir.path().join("escape").exists());

    // The dashboard in the browser.
    let index = out_dir.join("index.html");
    let html = std::fs::read_to_string(&index).unwrap();
    assert_self_contained(&html);
    assert!(html.contains("href=\"passing%20team/report.html\""));
    let Some(browser) = chromium("audit_of_local_repositories") else { return };
    let dom = dump_dom(&browser, &index, "");
    assert!(dom.contains("data-js=\"ready\""));
    for chart in ["chart-verdicts", "chart-submission-countries", "chart-model-countries"] {
        assert!(dom.contains(&format!("id=\"{chart}\"")), "{chart} missing");
    }
    assert!(dom.contains("⚠ <code>Qwen/Qwen2.5-VL-7B-Instruct</code> (CN)"), "the flagged foreign model");
    let dom = dump_dom(&browser, &index, "#sverdict=failed");
    assert_eq!(output_after(&dom, "data-table=\"submissions-table\""), "1 of 4 shown");
    let dom = dump_dom(&browser, &out_dir.join("failing-team/report.html"), "");
    assert!(dom.contains("✗ FAILED") && dom.contains("Qwen/Qwen2.5-VL-7B-Instruct"));
}

#[test]
fn simulation_page_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let sbom = dir.path().join("entry.cdx.json");
    let o = run(&["scan", "examples/contest-entry", "-q", "-o", sbom.to_str().unwrap()], &cache);
    assert!(o.status.success());
    let lenient = dir.path().join("lenient.yaml");
    std::fs::write(&lenient, "version: 1\nname: lenient\nlicenses:\n  unknown: allow\n").unwrap();
    let html = dir.path().join("sim.html");
    let o = run(
        &[
            "policy",
            "simulate",
            "--policy",
            POLICY,
            "--policy",
            lenient.to_str().unwrap(),
            sbom.to_str().unwrap(),
            "--format",
            "html",
            "--today",
            "2026-01-01",
            "-o",
            html.to_str().unwrap(),
        ],
        &cache,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    assert_self_contained(&page);
    assert!(page.contains("id=\"flips-table\""), "the entry fails one policy and passes the other");
    assert!(page.contains("<code>no-foreign-models</code>"), "the rules × submissions matrix");
    let Some(browser) = chromium("simulation_page_in_chromium") else { return };
    let dom = dump_dom(&browser, &html, "");
    assert!(dom.contains("data-js=\"ready\"") && dom.contains("id=\"chart-pass\""));
    assert!(dom.contains("✗ fail") && dom.contains("✓ pass"));
}

#[test]
fn report_without_a_policy_lists_and_does_not_judge() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let sbom = dir.path().join("entry.cdx.json");
    assert!(run(&["scan", "examples/contest-entry", "-q", "-o", sbom.to_str().unwrap()], &cache)
        .status
        .success());
    let html = dir.path().join("r.html");
    let o = run(&["report", sbom.to_str().unwrap(), "-o", html.to_str().unwrap()], &cache);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    assert_self_contained(&page);
    assert!(page.contains("○ NOT JUDGED") && !page.contains("id=\"findings-table\""));
    let doc: Value = serde_json::from_slice(&std::fs::read(&sbom).unwrap()).unwrap();
    let components = doc["components"].as_array().unwrap().len();
    assert_eq!(rows(&page, "components-table").len(), components);
    for chart in [
        "chart-countries-runtime",
        "chart-countries-all",
        "chart-licenses",
        "chart-vendored",
        "chart-lineage",
    ] {
        assert!(page.contains(&format!("id=\"{chart}\"")), "{chart}");
    }
    // Deterministic: the same SBOM gives the same page.
    let again = dir.path().join("r2.html");
    run(&["report", sbom.to_str().unwrap(), "-q", "-o", again.to_str().unwrap()], &cache);
    assert_eq!(page, std::fs::read_to_string(&again).unwrap());
    // A bad policy is an error (exit 2), and nothing is written.
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "version: 1\nname: x\nrules: 3\n").unwrap();
    let none = dir.path().join("none.html");
    let o = run(
        &["report", sbom.to_str().unwrap(), "--policy", bad.to_str().unwrap(), "-o", none.to_str().unwrap()],
        &cache,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!none.exists());
}

#[test]
fn waived_findings_show_their_waiver() {
    use sovereign::model::*;
    let mut inv = Inventory::default();
    inv.subject.name = "waivers".into();
    for (name, cc) in [("left-pad", "CN"), ("right-pad", "CN")] {
        let mut c = Component::new(Ecosystem::Npm, name, Some("1.0.0".into()));
        c.id = format!("pkg:npm/{name}@1.0.0");
        c.purl = Some(c.id.clone());
        c.direct = true;
        c.origin.country = Some(cc.into());
        c.origin.confidence = 0.9;
        c.license.declared = Some(LicenseValue::declared("MIT", "package.json"));
        inv.components.push(c);
    }
    let policy = sovereign::policy::from_str(
        "version: 1\nname: w\norigin:\n  deny: [CN]\nwaivers:\n  - component: \"pkg:npm/left-pad@*\"\n    rule: origin\n    reason: Reviewed <by> the jury\n    approved_by: contest jury\n    expires: 2099-12-31\n",
        "w.yaml",
    )
    .unwrap();
    let verdict = sovereign::policy::evaluate(&policy, &inv, &Default::default());
    assert_eq!(verdict.counts.waived, 1, "{:?}", verdict.findings);
    let page = sovereign::report::html::render_report(&inv, Some(&verdict), &Default::default());
    let rows = rows(&page, "findings-table");
    assert_eq!(rows.len(), 2);
    // Open findings first, then the waived one.
    assert!(rows[0].contains("data-waiver=\"open\"") && rows[1].contains("data-waiver=\"waived\""));
    assert!(
        page.contains("✔ waived: Reviewed &lt;by&gt; the jury; approved by contest jury; expires 2099-12-31")
    );
    assert!(page.contains("✗ FAILED"));
}

#[test]
fn thousands_of_findings_open_fast_and_stay_filterable() {
    let Some(browser) = chromium("thousands_of_findings_open_fast_and_stay_filterable") else { return };
    use crate::policy_eval::{comp, from, inventory, licensed};
    // 700 components from CN under a licence the policy refuses: 1,400 findings (origin and licence).
    let comps = (0..700).map(|i| licensed(from(comp(&format!("c{i}"), "1.0.0"), "CN", 0.9), "GPL-3.0-only"));
    let inv = inventory(comps.collect(), &[]);
    let policy = sovereign::policy::from_str(
        "version: 1\nname: big\norigin:\n  deny: [CN]\nlicenses:\n  allow: [MIT]\n",
        "p.yaml",
    )
    .unwrap();
    let verdict = sovereign::policy::evaluate(&policy, &inv, &Default::default());
    let n = verdict.findings.len();
    assert!(n > 1000, "{n} findings");
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.html");
    let meta = sovereign::report::html::ReportMeta::new();
    std::fs::write(&report, sovereign::report::html::render_report(&inv, Some(&verdict), &meta)).unwrap();
    let dom = dump_dom(&browser, &report, "");
    // The first rows are laid out, the others wait in a closed <details> that opens without JavaScript.
    let (first, rest) = (rows(&dom, "findings-table").len(), rows(&dom, "findings-table-more").len());
    assert_eq!((first, first + rest), (300, n));
    assert!(dom.contains(&format!("Show the other {} findings", n - 300)), "no summary line");
    assert!(!dom.contains("<details class=\"more-rows\" open"), "closed while nothing is filtered");
    assert_eq!(output_after(&dom, "data-table=\"findings-table\""), format!("{n} of {n} shown"));
    // A filter counts and shows rows of both parts, and opens the part that has matches.
    let dom = dump_dom(&browser, &report, "#fq=c699");
    let shown = output_after(&dom, "data-table=\"findings-table\"");
    assert!(shown.ends_with(&format!(" of {n} shown")) && !shown.starts_with("0 "), "{shown}");
    assert!(dom.contains("<details class=\"more-rows\" open"), "the part with the matches stays closed");
}
