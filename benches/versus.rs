//! End-to-end speed, side by side with cdxgen (a plain harness): the release binary scans each tree as a
//! user would run it, and its wall time and peak memory (`/usr/bin/time -v`) are printed next to cdxgen's
//! on the same tree when cdxgen is installed, with the ratio.
//!
//! Run: `SOVEREIGN_CORPUS=/work/shared/corpus cargo bench --bench versus`. Each tree: best of
//! `SOVEREIGN_BENCH_RUNS` (default 3) runs of each tool by wall time, with that run's CPU time (user +
//! system) and peak memory.
//! - The seven corpus entries: rust/BurntSushi__ripgrep, rust/astral-sh__uv, npm/axios__axios,
//!   npm/vuejs__core, npm/webpack__webpack, python/python-poetry__poetry, go/gohugoio__hugo.
//! - `SOVEREIGN_BENCH_REPO=/path[:/path…]`: more trees (checkouts of a few thousand source files with a
//!   vendored framework; docs/performance.md names the ones measured), each reported on its own line; the
//!   `seven entries` total covers the corpus entries only.
//! - cdxgen: `SOVEREIGN_CDXGEN=/path/to/cdxgen`, else `~/.cache/sovereign-bench/cdxgen/node_modules/.bin/cdxgen`
//!   (install once: `npm install --prefix ~/.cache/sovereign-bench/cdxgen @cyclonedx/cdxgen`). Without it
//!   only sovereign's figures are printed.
//! - `SOVEREIGN_BENCH_CLONE=1`: also the clone benchmark (`clone` below): a repository of 10,000 commits
//!   and 5,000 files built with `git fast-import`, served by `git daemon` on 127.0.0.1; a URL scan against
//!   `git clone --depth 1` plus a directory scan; the same repository as a `file://` URL and a plain path
//!   with `--ref`; a warm-cache re-scan. Wall time, CPU time and peak memory of each.
//!   `SOVEREIGN_BENCH_BIN=/path` runs the clone benchmark with another build of sovereign.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ENTRIES: &[&str] = &[
    "rust/BurntSushi__ripgrep",
    "rust/astral-sh__uv",
    "npm/axios__axios",
    "npm/vuejs__core",
    "npm/webpack__webpack",
    "python/python-poetry__poetry",
    "go/gohugoio__hugo",
];

/// The best of `n` runs by wall time (with that run's CPU time and peak memory).
fn best(n: usize, cmd: &[&str], envs: &[(&str, &str)]) -> Option<Measured> {
    (0..n).filter_map(|_| measured(cmd, envs)).min_by_key(|r| r.wall)
}

/// Runs per tree for both tools (`SOVEREIGN_BENCH_RUNS`, default 3): the same number, so neither gets more
/// chances at a quiet moment of the machine.
fn runs() -> usize {
    std::env::var("SOVEREIGN_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).filter(|n| *n > 0).unwrap_or(3)
}

fn cdxgen() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SOVEREIGN_CDXGEN") {
        return Some(PathBuf::from(p));
    }
    let home = std::env::var_os("HOME")?;
    let p = Path::new(&home).join(".cache/sovereign-bench/cdxgen/node_modules/.bin/cdxgen");
    p.exists().then_some(p)
}

fn scan_dir(bin: &str, dir: &Path, out: &Path) -> Option<Measured> {
    let dir = dir.to_str()?;
    let cache = out.join("cache");
    best(
        runs(),
        &[bin, "scan", dir, "--quiet", "-o", out.join("s.json").to_str()?],
        &[("SOVEREIGN_CACHE", cache.to_str()?)],
    )
}

fn scan_cdxgen(cdx: &Path, dir: &Path, out: &Path) -> Option<Measured> {
    // No package-manager runs (installs) and no network lookups: the same job as an offline scan.
    let envs = [("CDXGEN_DEBUG_MODE", "none"), ("FETCH_LICENSE", "false"), ("CDXGEN_NO_BANNER", "true")];
    let o = out.join("c.json");
    best(runs(), &[cdx.to_str()?, "-r", "--no-install-deps", "-o", o.to_str()?, dir.to_str()?], &envs)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let bin = env!("CARGO_BIN_EXE_sovereign");
    let work = tempfile::tempdir().unwrap();
    let cdx = cdxgen();
    if cdx.is_none() {
        println!("cdxgen not installed: sovereign's figures only (see this file's header)");
    }
    // (name, path, whether it is one of the seven corpus entries the total covers)
    let mut trees: Vec<(String, PathBuf, bool)> = Vec::new();
    if let Some(corpus) = std::env::var_os("SOVEREIGN_CORPUS") {
        for e in ENTRIES {
            trees.push((e.to_string(), Path::new(&corpus).join(e), true));
        }
    } else {
        println!("SOVEREIGN_CORPUS not set: no corpus entries");
    }
    if let Some(repos) = std::env::var_os("SOVEREIGN_BENCH_REPO") {
        for p in std::env::split_paths(&repos) {
            trees.push((p.file_name().unwrap_or_default().to_string_lossy().into_owned(), p, false));
        }
    }
    let zero = || Measured { wall: Duration::ZERO, rss_kib: 0, cpu: Duration::ZERO };
    let (mut ours, mut theirs) = (zero(), zero());
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64().max(1e-9);
    for (name, dir, counted) in &trees {
        let Some(t) = scan_dir(bin, dir, work.path()) else { continue };
        if *counted {
            ours = ours.plus(&t);
        }
        let mut line = format!("{name}: sovereign {}", t.show());
        if let Some(c) = cdx.as_deref().and_then(|c| scan_cdxgen(c, dir, work.path())) {
            if *counted {
                theirs = theirs.plus(&c);
            }
            line += &format!(
                "; cdxgen {}; {:.1}x wall, {:.1}x CPU",
                c.show(),
                ratio(c.wall, t.wall),
                ratio(c.cpu, t.cpu)
            );
        }
        println!("{line}");
    }
    if theirs.wall > Duration::ZERO {
        println!(
            "seven entries: sovereign {}; cdxgen {}; {:.1}x wall, {:.1}x CPU",
            ours.show(),
            theirs.show(),
            ratio(theirs.wall, ours.wall),
            ratio(theirs.cpu, ours.cpu)
        );
    }
    if std::env::var_os("SOVEREIGN_BENCH_CLONE").is_some() {
        clone(bin, work.path());
    }
}

/// Builds a repository of `commits` commits touching `files` files with `git fast-import`.
fn build_history(dir: &Path, commits: usize, files: usize) {
    let run = |args: &[&str]| {
        let ok = Command::new("git").args(args).current_dir(dir).stdout(Stdio::null()).status().unwrap();
        assert!(ok.success(), "git {args:?}");
    };
    run(&["init", "-q", "--bare", "-b", "main"]);
    let mut stream = String::new();
    for c in 0..commits {
        let when = 1_600_000_000 + c * 60;
        let msg = format!("commit {c}");
        stream += &format!(
            "commit refs/heads/main\nmark :{}\ncommitter Bench <bench@example.org> {when} +0000\ndata {}\n{msg}\n",
            c + 1,
            msg.len()
        );
        if c > 0 {
            stream += &format!("from :{c}\n");
        }
        // The first commit writes every file; each later one rewrites a few.
        let touched: Vec<usize> =
            if c == 0 { (0..files).collect() } else { (0..3).map(|k| (c * 7 + k * 131) % files).collect() };
        for f in touched {
            let body = format!(
                "# module {f}, revision {c}\ndef f{f}(x):\n    return x + {c}\n{}",
                "# filler line for a realistic size\n".repeat(20)
            );
            let path = if f % 10 == 0 {
                format!("vendor/lib{}/m{f}.py", f % 50)
            } else {
                format!("pkg{}/m{f}.py", f % 97)
            };
            stream += &format!("M 100644 inline {path}\ndata {}\n{body}\n", body.len());
        }
    }
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(stream.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
}

/// Wall time, peak resident memory and CPU time (user + system) of one run of a command.
struct Measured {
    wall: Duration,
    rss_kib: u64,
    cpu: Duration,
}

impl Measured {
    fn plus(&self, o: &Measured) -> Measured {
        Measured { wall: self.wall + o.wall, rss_kib: self.rss_kib.max(o.rss_kib), cpu: self.cpu + o.cpu }
    }

    fn show(&self) -> String {
        format!(
            "{:.1} ms wall, {:.1} ms CPU, {:.1} MB peak",
            ms(self.wall),
            ms(self.cpu),
            self.rss_kib as f64 / 1024.0
        )
    }
}

/// User + system time of this process's waited-for children so far (and their own waited-for children),
/// to the microsecond: `/usr/bin/time` prints hundredths of a second, too coarse for a 15 ms scan.
fn children_cpu() -> Duration {
    // SAFETY: getrusage only writes the struct it is given, which is plain data.
    let ru = unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru);
        ru
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// One run under `/usr/bin/time -v` (for the peak memory) with its CPU time from [`children_cpu`] (the
/// machine is shared: CPU time is the steadier figure).
fn measured(cmd: &[&str], envs: &[(&str, &str)]) -> Option<Measured> {
    let cpu_before = children_cpu();
    let start = Instant::now();
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .args(cmd)
        .envs(envs.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .ok()?;
    let wall = start.elapsed();
    let cpu = children_cpu().saturating_sub(cpu_before);
    let err = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        eprintln!("{} failed: {}", cmd.join(" "), err.lines().rev().take(15).collect::<Vec<_>>().join(" | "));
        return None;
    }
    let field = |name: &str| err.lines().find_map(|l| l.trim().strip_prefix(name)).map(str::trim);
    let rss_kib = field("Maximum resident set size (kbytes): ").and_then(|v| v.parse().ok()).unwrap_or(0);
    Some(Measured { wall, rss_kib, cpu })
}

/// The clone benchmark over a repository of 10,000 commits and 5,000 files, best of 3 (by wall time):
/// - a `git://` URL scan (shallow single-ref fetch + scan) against `git clone --depth 1` plus a directory
///   scan of the clone, over `git daemon` on 127.0.0.1;
/// - a re-scan of the same URL with the cache warm (a fetch of that ref, nothing new);
/// - a `file://` URL scan and a plain-path `--ref main` scan of the same (bare) repository, against
///   `git clone --depth 1 file://…` plus a directory scan.
///
/// `SOVEREIGN_BENCH_BIN=/path/to/sovereign` measures another build (a "before" binary).
fn clone(bin: &str, work: &Path) {
    let bin = std::env::var("SOVEREIGN_BENCH_BIN").unwrap_or_else(|_| bin.to_string());
    let bin = bin.as_str();
    let base = work.join("served");
    let repo = base.join("big.git");
    std::fs::create_dir_all(&repo).unwrap();
    let started = Instant::now();
    build_history(&repo, 10_000, 5_000);
    println!("clone bench: built 10,000 commits / 5,000 files in {:.1} s", started.elapsed().as_secs_f64());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut daemon = Command::new(git_daemon())
        .args(["--reuseaddr", "--export-all", "--listen=127.0.0.1"])
        .arg(format!("--port={port}"))
        .arg(format!("--base-path={}", base.display()))
        .arg(&base)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let url = format!("git://127.0.0.1:{port}/big.git");
    let file_url = format!("file://{}", repo.display());
    let out = work.join("u.json");
    let out = out.to_str().unwrap();
    let scan = |source: &str, extra: &[&str], cache: &Path| {
        let mut cmd = vec![bin, "scan", source, "--quiet", "-o", out];
        cmd.extend_from_slice(extra);
        measured(&cmd, &[("SOVEREIGN_CACHE", cache.to_str().unwrap())])
    };
    let git_then_scan = |from: &str, dest: &Path| {
        let g = measured(&["git", "clone", "-q", "--depth", "1", from, dest.to_str().unwrap()], &[])?;
        let s = scan(dest.to_str().unwrap(), &[], &work.join("cache-dir"))?;
        Some(g.plus(&s))
    };
    let names = [
        "git:// URL scan",
        "git:// re-scan, warm cache",
        "git clone --depth 1 git:// + directory scan",
        "file:// URL scan",
        "plain path --ref main",
        "git clone --depth 1 file:// + directory scan",
    ];
    let mut runs: Vec<Vec<Measured>> = names.iter().map(|_| Vec::new()).collect();
    for i in 0..3 {
        let cache = work.join(format!("cache{i}"));
        runs[0].extend(scan(&url, &[], &cache));
        runs[1].extend(scan(&url, &[], &cache));
        runs[2].extend(git_then_scan(&url, &work.join(format!("clone{i}"))));
        runs[3].extend(scan(&file_url, &[], &work.join(format!("fcache{i}"))));
        runs[4].extend(scan(repo.to_str().unwrap(), &["--ref", "main"], &work.join(format!("pcache{i}"))));
        runs[5].extend(git_then_scan(&file_url, &work.join(format!("fclone{i}"))));
    }
    let _ = daemon.kill();
    let _ = daemon.wait();
    let best: Vec<Option<&Measured>> = runs.iter().map(|r| r.iter().min_by_key(|m| m.wall)).collect();
    for (name, m) in names.iter().zip(&best) {
        match m {
            Some(m) => println!("clone bench: {name}: {}", m.show()),
            None => println!("clone bench: {name}: failed"),
        }
    }
    let ratio = |a: usize, b: usize| match (best[a], best[b]) {
        (Some(a), Some(b)) => format!(
            "{:.2} (CPU {:.2})",
            a.wall.as_secs_f64() / b.wall.as_secs_f64(),
            a.cpu.as_secs_f64() / b.cpu.as_secs_f64().max(1e-3)
        ),
        _ => "n/a".into(),
    };
    println!("clone bench: git:// URL scan / (git clone --depth 1 + directory scan): {}", ratio(0, 2));
    println!(
        "clone bench: file:// URL scan / (git clone --depth 1 file:// + directory scan): {}",
        ratio(3, 5)
    );
}

/// The `git-daemon` program itself (`git daemon` would fork it, and killing `git` would leave it running).
fn git_daemon() -> std::path::PathBuf {
    let out = std::process::Command::new("git").arg("--exec-path").output().expect("git is installed");
    std::path::Path::new(String::from_utf8_lossy(&out.stdout).trim()).join("git-daemon")
}
