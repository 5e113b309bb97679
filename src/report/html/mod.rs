//! Self-contained HTML pages: the report of one submission, the audit dashboard of many, and the policy
//! maker's simulation view. One page shell ([`page`]) for all three: inline CSS and script, allowed by
//! hash in a Content-Security-Policy of `default-src 'none'`, so an opened page can fetch nothing.
//! Every text from a scanned repository goes through [`esc`]. Readable without JavaScript; the script
//! adds sorting and filtering (filters can be preset from the URL fragment: `#fsev=error&fq=serde`).

mod charts;
mod dashboard;
mod lineage;
mod report;
mod simulation;

pub use dashboard::{render_dashboard, DashboardRow, ModelRow};
pub use report::{facet_cells, license_category, render_report, ReportMeta};
pub use simulation::render_simulation;

use sha2::{Digest, Sha256};

const CSS: &str = include_str!("page.css");
const JS: &str = include_str!("page.js");

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Controls other than tab and line breaks have no place in a page.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A URL from the scanned data, shown as text: the page holds no outgoing `src` or `href` at all.
pub(crate) fn url_text(url: &str) -> String {
    format!("<code>{}</code>", esc(url))
}

/// Standard base64 (RFC 4648, padded), for CSP hashes.
fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn csp_hash(text: &str) -> String {
    format!("'sha256-{}'", base64(&Sha256::digest(text.as_bytes())))
}

/// The Content-Security-Policy of every page: nothing may be fetched; only our own style and script run.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; style-src {}; script-src {}; img-src data:; base-uri 'none'; form-action 'none'",
        csp_hash(CSS),
        csp_hash(JS)
    )
}

/// The page shell: doctype, CSP, title, style, the body, the script.
pub fn page(title: &str, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + CSS.len() + JS.len() + 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n",
        esc(&content_security_policy())
    ));
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n");
    out.push_str(&format!("<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n", esc(title)));
    out.push_str(body);
    out.push_str(&format!("\n<script>{JS}</script>\n</body>\n</html>\n"));
    out
}

/// SHA-256 over the policy files in the order read (the policy itself, then what it extends), as
/// `sha256:<hex>`; `None` when one cannot be read.
pub fn policy_digest(files: &[String]) -> Option<String> {
    let mut h = Sha256::new();
    for f in files {
        let bytes = std::fs::read(f).ok()?;
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(&bytes);
    }
    Some(format!("sha256:{}", hex::encode(h.finalize())))
}

/// `12.5 %`.
pub(crate) fn share(n: usize, total: usize) -> String {
    if total == 0 {
        "0 %".into()
    } else {
        format!("{:.1} %", n as f64 * 100.0 / total as f64)
    }
}

/// A verdict word with its symbol (colour is never the only signal).
pub(crate) fn verdict_mark(v: &str) -> String {
    match v {
        "passed" => "<span class=\"pass\">✓ passed</span>".into(),
        "failed" => "<span class=\"fail\">✗ failed</span>".into(),
        _ => format!("<span class=\"err\">⚠ {}</span>", esc(v)),
    }
}

/// Text filter and select controls for a table; hidden until the script shows them.
pub(crate) struct Filter<'a> {
    pub name: &'a str,
    pub label: &'a str,
    /// `text` (row text contains), or a row attribute `data-KEY` (space-separated values).
    pub key: &'a str,
    /// Choices for a select; empty: a text box.
    pub options: Vec<String>,
}

pub(crate) fn filter_form(table_id: &str, filters: &[Filter<'_>]) -> String {
    let mut out = format!(
        "<form class=\"controls filters\" data-table=\"{}\" hidden role=\"search\" aria-label=\"Filter\">",
        esc(table_id)
    );
    for f in filters {
        out.push_str(&format!("<label>{}", esc(f.label)));
        if f.options.is_empty() {
            out.push_str(&format!(
                "<input type=\"search\" name=\"{}\" data-key=\"{}\" autocomplete=\"off\">",
                esc(f.name),
                esc(f.key)
            ));
        } else {
            out.push_str(&format!(
                "<select name=\"{}\" data-key=\"{}\"><option value=\"\">all</option>",
                esc(f.name),
                esc(f.key)
            ));
            for o in &f.options {
                out.push_str(&format!("<option value=\"{0}\">{0}</option>", esc(o)));
            }
            out.push_str("</select>");
        }
        out.push_str("</label>");
    }
    out.push_str("<output aria-live=\"polite\"></output></form>");
    out
}

/// A value usable as one token of a `data-*` filter attribute.
pub(crate) fn token(s: &str) -> String {
    s.chars().map(|c| if c.is_whitespace() { '_' } else { c }).collect::<String>().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<script>\"x\"&'y'</script>"),
            "&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/script&gt;"
        );
        assert_eq!(esc("a\u{0}b"), "a\u{FFFD}b");
    }

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn page_has_a_csp_matching_its_inline_code() {
        let p = page("<t>", "<p>b</p>");
        assert!(p.contains("default-src &#39;none&#39;"));
        assert!(p.contains(&esc(&csp_hash(JS))) && p.contains(&esc(&csp_hash(CSS))));
        assert!(p.contains("<title>&lt;t&gt;</title>"));
    }
}
