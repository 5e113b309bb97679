//! The diff as text for a person, Markdown for a pull request comment, or JSON for a program.

use std::fmt::Write as _;

use super::{ChangeKind, Diff, Entry, ValueChange, VersionChange};

/// How `sovereign diff` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Plain text for a terminal.
    Human,
    /// Markdown tables (a pull request comment, a report).
    Markdown,
    /// JSON (docs/diff.md has the shape).
    Json,
}

/// Renders a diff; `old` and `new` name the two sides.
pub fn render(d: &Diff, format: DiffFormat, old: &str, new: &str) -> String {
    match format {
        DiffFormat::Human => human(d, old, new),
        DiffFormat::Markdown => markdown(d, old, new),
        DiffFormat::Json => json(d, old, new),
    }
}

fn or_unknown(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("unknown")
}

fn ver(e: &Entry) -> &str {
    e.version.as_deref().unwrap_or("(no version)")
}

fn summary(d: &Diff) -> Vec<(&'static str, usize)> {
    vec![
        ("added", d.count(ChangeKind::Added)),
        ("removed", d.count(ChangeKind::Removed)),
        ("upgraded", d.count(ChangeKind::Upgraded)),
        ("downgraded", d.count(ChangeKind::Downgraded)),
        ("version changed", d.version_changed.len()),
        ("licence changes", d.count(ChangeKind::License)),
        ("origin changes", d.count(ChangeKind::Origin)),
    ]
}

fn human(d: &Diff, old: &str, new: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "sovereign diff {old} → {new}");
    if d.is_empty() {
        let _ = writeln!(s, "no differences");
        return s;
    }
    let parts: Vec<String> =
        summary(d).into_iter().filter(|(_, n)| *n > 0).map(|(k, n)| format!("{n} {k}")).collect();
    let _ = writeln!(s, "{}", parts.join(", "));
    let entries = |s: &mut String, title: &str, sign: char, list: &[Entry]| {
        if !list.is_empty() {
            let _ = writeln!(s, "\n{title}:");
            for e in list {
                let _ = writeln!(
                    s,
                    "  {sign} {} {} {}  licence {}  origin {}",
                    e.ecosystem,
                    e.name,
                    ver(e),
                    or_unknown(&e.license),
                    or_unknown(&e.country)
                );
            }
        }
    };
    entries(&mut s, "added", '+', &d.added);
    entries(&mut s, "removed", '-', &d.removed);
    let versions = |s: &mut String, title: &str, list: &[VersionChange]| {
        if !list.is_empty() {
            let _ = writeln!(s, "\n{title}:");
            for c in list {
                let _ = writeln!(s, "  ~ {} {} {} → {}", c.ecosystem, c.name, ver(&c.from), ver(&c.to));
            }
        }
    };
    versions(&mut s, "upgraded", &d.upgraded);
    versions(&mut s, "downgraded", &d.downgraded);
    versions(&mut s, "version changed", &d.version_changed);
    let values = |s: &mut String, title: &str, list: &[ValueChange]| {
        if !list.is_empty() {
            let _ = writeln!(s, "\n{title}:");
            for c in list {
                let _ = writeln!(
                    s,
                    "  ! {} {} {}: {} → {}",
                    c.ecosystem,
                    c.name,
                    version_span(c),
                    or_unknown(&c.from),
                    or_unknown(&c.to)
                );
            }
        }
    };
    values(&mut s, "licence changes", &d.license_changes);
    values(&mut s, "origin changes", &d.origin_changes);
    s
}

fn version_span(c: &ValueChange) -> String {
    let (a, b) = (or_unknown(&c.from_version), or_unknown(&c.to_version));
    if a == b {
        a.to_string()
    } else {
        format!("{a} → {b}")
    }
}

/// Escapes a cell: `|` and line breaks would break the table.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn markdown(d: &Diff, old: &str, new: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "## sovereign diff\n\n`{}` → `{}`\n", cell(old), cell(new));
    if d.is_empty() {
        let _ = writeln!(s, "No differences.");
        return s;
    }
    let _ = writeln!(s, "| change | count |\n|---|---:|");
    for (k, n) in summary(d) {
        let _ = writeln!(s, "| {k} | {n} |");
    }
    let entries = |s: &mut String, title: &str, list: &[Entry]| {
        if !list.is_empty() {
            let _ = writeln!(s, "\n### {title}\n\n| ecosystem | package | version | licence | origin |\n|---|---|---|---|---|");
            for e in list {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} |",
                    cell(&e.ecosystem),
                    cell(&e.name),
                    cell(ver(e)),
                    cell(or_unknown(&e.license)),
                    cell(or_unknown(&e.country))
                );
            }
        }
    };
    entries(&mut s, "Added", &d.added);
    entries(&mut s, "Removed", &d.removed);
    let versions = |s: &mut String, title: &str, list: &[VersionChange]| {
        if !list.is_empty() {
            let _ = writeln!(s, "\n### {title}\n\n| ecosystem | package | from | to |\n|---|---|---|---|");
            for c in list {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} |",
                    cell(&c.ecosystem),
                    cell(&c.name),
                    cell(ver(&c.from)),
                    cell(ver(&c.to))
                );
            }
        }
    };
    versions(&mut s, "Upgraded", &d.upgraded);
    versions(&mut s, "Downgraded", &d.downgraded);
    versions(&mut s, "Version changed", &d.version_changed);
    let values = |s: &mut String, title: &str, list: &[ValueChange]| {
        if !list.is_empty() {
            let _ = writeln!(
                s,
                "\n### {title}\n\n| ecosystem | package | version | from | to |\n|---|---|---|---|---|"
            );
            for c in list {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} |",
                    cell(&c.ecosystem),
                    cell(&c.name),
                    cell(&version_span(c)),
                    cell(or_unknown(&c.from)),
                    cell(or_unknown(&c.to))
                );
            }
        }
    };
    values(&mut s, "Licence changes", &d.license_changes);
    values(&mut s, "Origin changes", &d.origin_changes);
    s
}

fn json(d: &Diff, old: &str, new: &str) -> String {
    let counts: serde_json::Map<String, serde_json::Value> = [
        ("added", ChangeKind::Added),
        ("removed", ChangeKind::Removed),
        ("upgraded", ChangeKind::Upgraded),
        ("downgraded", ChangeKind::Downgraded),
        ("license_changes", ChangeKind::License),
        ("origin_changes", ChangeKind::Origin),
    ]
    .into_iter()
    .map(|(k, kind)| (k.to_string(), serde_json::json!(d.count(kind))))
    .chain([("version_changed".to_string(), serde_json::json!(d.version_changed.len()))])
    .collect();
    let mut v = serde_json::json!({"old": old, "new": new, "summary": counts});
    if let (Some(obj), Ok(serde_json::Value::Object(body))) = (v.as_object_mut(), serde_json::to_value(d)) {
        obj.extend(body);
    }
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}
