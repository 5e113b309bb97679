//! The line layer of pip requirement files: `\` continuations, comments, option tokens, and the URL check.

use super::pep508;

/// The longest URL accepted in a requirement.
const MAX_URL_LEN: usize = 2048;

/// Joins `\` continuations and strips comments (`#` at the start or after whitespace), as pip does.
pub fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = 0u32;
    for (i, raw) in text.lines().enumerate() {
        if cur.is_empty() {
            start = i as u32 + 1;
        }
        match raw.strip_suffix('\\') {
            Some(head) => {
                cur.push_str(head);
                cur.push(' ');
            }
            None => {
                cur.push_str(raw);
                out.push((start, strip_comment(&std::mem::take(&mut cur))));
            }
        }
    }
    if !cur.is_empty() {
        out.push((start, strip_comment(&cur)));
    }
    out.retain(|(_, l)| !l.is_empty());
    out
}

fn strip_comment(line: &str) -> String {
    let mut prev_ws = true;
    for (i, c) in line.char_indices() {
        if c == '#' && prev_ws {
            return line[..i].trim().to_string();
        }
        prev_ws = c.is_whitespace();
    }
    line.trim().to_string()
}

/// Splits `-rfile`, `-r file`, `--requirement=file`, `--requirement file` into (option, value, rest).
pub fn split_option(line: &str) -> (String, Option<String>, String) {
    let mut tokens = line.split_whitespace();
    let first = tokens.next().unwrap_or_default();
    let rest: Vec<&str> = tokens.collect();
    let (opt, inline) = if let Some(long) = first.strip_prefix("--") {
        match long.split_once('=') {
            Some((o, v)) => (format!("--{o}"), Some(v.to_string())),
            None => (first.to_string(), None),
        }
    } else if let Some((i, _)) = first.char_indices().nth(2) {
        // `-rfile`: the option is the first two characters (not bytes: `-é…` must not split a character).
        (first[..i].to_string(), Some(first[i..].trim_start_matches('=').to_string()))
    } else {
        (first.to_string(), None)
    };
    match inline {
        Some(v) => (opt, Some(v), rest.join(" ")),
        None if takes_value(&opt) => {
            let mut it = rest.into_iter();
            let v = it.next().map(str::to_string);
            (opt, v, it.collect::<Vec<_>>().join(" "))
        }
        None => (opt, None, rest.join(" ")),
    }
}

fn takes_value(opt: &str) -> bool {
    matches!(
        opt,
        "-r" | "--requirement"
            | "-c"
            | "--constraint"
            | "-e"
            | "--editable"
            | "-i"
            | "--index-url"
            | "--extra-index-url"
            | "-f"
            | "--find-links"
            | "--trusted-host"
            | "--only-binary"
            | "--no-binary"
            | "--use-feature"
            | "--config-settings"
            | "--global-option"
            | "--hash"
    )
}

/// Checks a URL of a requirement: bounded length, no whitespace or control characters, a scheme pip
/// installs from.
pub fn check_url(url: &str) -> Result<(), String> {
    if url.len() > MAX_URL_LEN {
        return Err(format!("URL longer than {MAX_URL_LEN} characters"));
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("URL contains whitespace or control characters".into());
    }
    let scheme = url.split("://").next().unwrap_or("").to_ascii_lowercase();
    let ok = matches!(scheme.as_str(), "http" | "https" | "file")
        || ["git+", "hg+", "svn+", "bzr+"].iter().any(|p| scheme.starts_with(p));
    if !url.contains("://") || !ok {
        return Err(format!("unsupported URL scheme `{}`", pep508::truncate(&scheme, 20)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_options() {
        let l = logical_lines("a==1 \\\n  --hash=sha256:ab # c\n# only\n\nb>=2 #x\nurl#frag\n");
        assert_eq!(
            l,
            vec![(1, "a==1    --hash=sha256:ab".to_string()), (5, "b>=2".into()), (6, "url#frag".into())]
        );
        assert_eq!(split_option("-rbase.txt"), ("-r".into(), Some("base.txt".into()), String::new()));
        assert_eq!(
            split_option("--requirement=b.txt"),
            ("--requirement".into(), Some("b.txt".into()), String::new())
        );
        assert_eq!(
            split_option("-e git+https://x/y#egg=y"),
            ("-e".into(), Some("git+https://x/y#egg=y".into()), String::new())
        );
        assert_eq!(split_option("-éx"), ("-é".into(), Some("x".into()), String::new()));
        assert_eq!(split_option("-"), ("-".into(), None, String::new()));
        assert!(check_url("javascript:alert(1)").is_err());
        assert!(check_url("https://ok.example/x.whl").is_ok());
    }
}
