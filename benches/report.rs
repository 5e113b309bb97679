//! The HTML report at scale: a 10,000-component SBOM (generated in memory, with origins, licences,
//! dependency paths and the findings of a strict policy) rendered to a page; its size; and the time
//! headless Chromium takes to open it and run its script (`--dump-dom`). Targets: under 10 MB, opened
//! in under 5 s (docs/report.md).
//!
//! Run: `cargo bench --bench report` (optional argument: COMPONENTS, default 10000). The Chromium step
//! runs when `chromium` is on PATH (or SOVEREIGN_CHROMIUM names it).

mod common;

use std::time::Instant;

use sovereign::model::{Component, Ecosystem, Edge, EdgeKind, Inventory, LicenseValue, Location, Scope};
use sovereign::policy::{self, Date, EvalOptions};
use sovereign::report::html::{render_report, ReportMeta};

const COUNTRIES: [&str; 8] = ["US", "DE", "KR", "FR", "GB", "JP", "CN", "RU"];
const LICENSES: [&str; 6] =
    ["MIT", "Apache-2.0", "MIT OR Apache-2.0", "BSD-3-Clause", "GPL-3.0-or-later", "AGPL-3.0-only"];

fn inventory(n: usize) -> Inventory {
    let mut inv = Inventory::default();
    inv.subject.name = "scale".into();
    inv.subject.commit = Some("0".repeat(40));
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    for i in 0..n {
        let mut c =
            Component::new(Ecosystem::Npm, format!("package-{i}"), Some(format!("1.{}.{}", i % 40, i % 7)));
        c.id = format!("pkg:npm/package-{i}@1.{}.{}", i % 40, i % 7);
        c.purl = Some(c.id.clone());
        c.direct = i < 50;
        c.scope = if i % 5 == 0 { Scope::Dev } else { Scope::Runtime };
        c.found_in.push(Location::new("package-lock.json", Some(10 + i as u32 * 7)));
        let r = next();
        if r % 10 != 0 {
            c.license.declared =
                Some(LicenseValue::declared(LICENSES[(r / 10 % 6) as usize], "package-lock.json"));
        }
        if r % 7 != 0 {
            c.origin.country = Some(COUNTRIES[(r / 70 % 8) as usize].to_string());
            c.origin.confidence = 0.8;
            c.origin.basis = Some("evidence".into());
        }
        if i >= 50 {
            let parent = (next() % i.min(500) as u64) as usize;
            inv.edges.push(Edge {
                from: format!("pkg:npm/package-{parent}@1.{}.{}", parent % 40, parent % 7),
                to: c.id.clone(),
                kind: EdgeKind::Normal,
            });
        }
        inv.components.push(c);
    }
    inv.normalize();
    inv
}

/// CPU time (user + system) of waited-for children, from /proc (Chromium's processes, once it exits).
fn children_cpu() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let f: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = f.get(13)?.parse::<u64>().ok()? + f.get(14)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let inv = inventory(n);
    let policy = policy::from_str(
        "version: 1\nname: strict\norigin:\n  deny: [CN, RU]\n  unknown: warn\nlicenses:\n  deny_categories: [network-copyleft]\n  unknown: warn\n",
        "strict.yaml",
    )
    .expect("policy");
    let verdict = policy::evaluate(&policy, &inv, &EvalOptions { today: Date::parse("2026-01-01").unwrap() });
    let meta = ReportMeta { policy_name: Some("strict".into()), ..ReportMeta::new() };
    let mut size = 0;
    common::measure(
        &format!("render report, {n} components, {} findings", verdict.findings.len()),
        0,
        || {
            let page = render_report(&inv, Some(&verdict), &meta);
            size = page.len();
            n
        },
    );
    println!("report size: {:.2} MB ({size} bytes; target under 10 MB)", size as f64 / 1e6);
    let browser = std::env::var_os("SOVEREIGN_CHROMIUM").map(std::path::PathBuf::from).or_else(|| {
        std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join("chromium")).find(|p| p.is_file())
    });
    let Some(browser) = browser else {
        println!("chromium not found: open time not measured");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    // A second argument keeps the page there (to open it by hand).
    let file = std::env::args()
        .nth(2)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("report.html"));
    std::fs::write(&file, render_report(&inv, Some(&verdict), &meta)).expect("write");
    for run in 0..3 {
        let profile = dir.path().join(format!("profile{run}"));
        let start = Instant::now();
        let cpu = children_cpu();
        let out = std::process::Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                &format!("--user-data-dir={}", profile.display()),
                "--dump-dom",
                &format!("file://{}", file.display()),
            ])
            .stderr(std::process::Stdio::null())
            .output()
            .expect("run chromium");
        let secs = start.elapsed().as_secs_f64();
        let cpu = match (cpu, children_cpu()) {
            (Some(a), Some(b)) => format!("{:.2} s", b - a),
            _ => "?".into(),
        };
        let dom = String::from_utf8_lossy(&out.stdout);
        println!(
            "chromium open + script + DOM dump, run {}: wall {secs:.2} s, CPU {cpu} (script ran: {}; target under 5 s)",
            run + 1,
            dom.contains("data-js=\"ready\"")
        );
    }
}
