//! The one wildcard dialect of sovereign: `*` (any run), `?` (one byte) and `[abc]` / `[!a-z]` classes.
//! [`glob_match`] applies it to `/`-separated paths (workspace member lists: `*` within a segment, `**`
//! across segments); [`wildcard`] to a whole string (purl patterns of policies and curations). Matching is
//! iterative with backtracking on the last `*`: never exponential.

/// Whether `path` (`/`-separated) matches `pattern`.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    let pat: Vec<&str> =
        pattern.trim_matches('/').split('/').filter(|s| !s.is_empty() && *s != ".").collect();
    let segs: Vec<&str> = path.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    match_segments(&pat, &segs)
}

fn match_segments(pat: &[&str], segs: &[&str]) -> bool {
    match pat.split_first() {
        None => segs.is_empty(),
        Some((&"**", rest)) => (0..=segs.len()).any(|i| match_segments(rest, &segs[i..])),
        Some((p, rest)) => match segs.split_first() {
            Some((s, srest)) => match_segment(p.as_bytes(), s.as_bytes()) && match_segments(rest, srest),
            None => false,
        },
    }
}

/// Whether `text` matches `pattern` as a whole (`*` also crosses `/`).
pub fn wildcard(pattern: &str, text: &str) -> bool {
    match_segment(pattern.as_bytes(), text.as_bytes())
}

fn match_segment(p: &[u8], s: &[u8]) -> bool {
    // Iterative wildcard matching with backtracking on the last `*`.
    let (mut pi, mut si) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while si < s.len() {
        if pi < p.len() && p[pi] == b'[' {
            if let Some((matched, next)) = class(&p[pi..], s[si]) {
                if matched {
                    pi += next;
                    si += 1;
                    continue;
                }
            }
        } else if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
            continue;
        }
        if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// Matches `c` against a `[...]` class at the start of `p`; returns (matched, class length).
fn class(p: &[u8], c: u8) -> Option<(bool, usize)> {
    let end = p.iter().skip(1).position(|&b| b == b']')? + 1;
    let body = &p[1..end];
    let (negate, body) = match body.first() {
        Some(b'!') | Some(b'^') => (true, &body[1..]),
        _ => (false, body),
    };
    let mut i = 0;
    let mut hit = false;
    while i < body.len() {
        if i + 2 < body.len() && body[i + 1] == b'-' {
            hit |= body[i] <= c && c <= body[i + 2];
            i += 3;
        } else {
            hit |= body[i] == c;
            i += 1;
        }
    }
    Some((hit != negate, end + 1))
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn wildcards() {
        assert!(super::wildcard("pkg:npm/@acme/*", "pkg:npm/@acme/ui/x"));
        assert!(!super::wildcard("pkg:npm/@acme/*", "pkg:npm/@acmex/ui"));
        assert!(super::wildcard("pkg:cargo/serde?json", "pkg:cargo/serde_json"));
        let long = "a".repeat(200);
        assert!(!super::wildcard("*a*a*a*a*a*a*a*a*b", &long));
    }

    #[test]
    fn globs() {
        assert!(glob_match("crates/*", "crates/uv"));
        assert!(!glob_match("crates/*", "crates/uv/sub"));
        assert!(glob_match("crates/**", "crates/uv/sub"));
        assert!(glob_match("crates/uv-*", "crates/uv-cli"));
        assert!(glob_match("./crates/a?c", "crates/abc"));
        assert!(glob_match("x/[ab]*", "x/bz"));
        assert!(!glob_match("x/[!ab]*", "x/bz"));
        assert!(glob_match(".", ""));
    }
}
