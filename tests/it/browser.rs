//! Headless Chromium for the HTML tests: `--dump-dom` gives the DOM after the page's script ran.
//! Chromium must be there in CI (`tools/test-deps.sh` installs Debian's `chromium`); elsewhere a test without it
//! says so and returns.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The browser: `SOVEREIGN_CHROMIUM`, else `chromium`, `chromium-browser` or `google-chrome` on PATH.
/// Missing under CI is a failure, not a skip (`support::tool`).
pub fn chromium(test: &str) -> Option<PathBuf> {
    crate::support::tool(&["chromium", "chromium-browser", "google-chrome"], "SOVEREIGN_CHROMIUM", test)
}

/// The flags every run uses: no sandbox (tests run as root in CI), nothing in the background.
pub fn base_args(profile: &Path) -> Vec<String> {
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect()
}

/// Runs chromium with `args`, killing it after two minutes. Returns standard output.
pub fn run(browser: &Path, args: &[String]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(browser)
        .args(base_args(profile.path()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
        s
    });
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish in two minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().unwrap()
}

/// The DOM of `file` (with an optional `#fragment`) after its script ran.
pub fn dump_dom(browser: &Path, file: &Path, fragment: &str) -> String {
    let url = format!("file://{}{}", file.canonicalize().unwrap().display(), fragment);
    let dom = run(browser, &["--virtual-time-budget=5000".into(), "--dump-dom".into(), url]);
    assert!(dom.contains("</html>"), "chromium gave no DOM: {dom:.300}");
    dom
}

/// The text of the first `<output>` after `marker` (a filter form's "N of M shown").
pub fn output_after(dom: &str, marker: &str) -> String {
    let at = dom.find(marker).unwrap_or_else(|| panic!("{marker} not in the DOM"));
    let rest = &dom[at..];
    let start = rest.find("<output").expect("an <output>");
    let rest = &rest[start..];
    let open_end = rest.find('>').unwrap() + 1;
    let close = rest.find("</output>").unwrap();
    rest[open_end..close].to_string()
}

/// Rows (`<tr ...>` opening tags) of the table with this id.
pub fn rows<'a>(dom: &'a str, table_id: &str) -> Vec<&'a str> {
    let at = dom.find(&format!("id=\"{table_id}\"")).unwrap_or_else(|| panic!("no table {table_id}"));
    let body = &dom[at..];
    let body = &body[body.find("<tbody>").unwrap()..body.find("</tbody>").unwrap()];
    body.match_indices("<tr").map(|(i, _)| &body[i..i + body[i..].find('>').unwrap() + 1]).collect()
}

/// No attribute of the page points outside it.
pub fn assert_self_contained(html: &str) {
    let lower = html.to_ascii_lowercase();
    for bad in [
        "src=\"http",
        "src='http",
        "href=\"http",
        "href='http",
        "url(http",
        "@import",
        "src=\"//",
        "href=\"//",
        "<link",
    ] {
        assert!(!lower.contains(bad), "the page refers outside itself: `{bad}`");
    }
    assert!(
        lower.contains("http-equiv=\"content-security-policy\" content=\"default-src &#39;none&#39;"),
        "no CSP"
    );
}
