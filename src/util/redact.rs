//! Credentials never leave sovereign: every URL that reaches a log, an error or an SBOM goes through here.

/// Removes user-info secrets from a URL: `https://user:token@host/x` becomes `https://***@host/x`.
/// The conventional `git@` user of scp-like and ssh URLs is kept since it is no secret.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match authority.rfind('@') {
        Some(at) => {
            let userinfo = &authority[..at];
            let keep = userinfo == "git" || userinfo.is_empty();
            let replacement = if keep { userinfo } else { "***" };
            format!(
                "{}://{}@{}{}",
                &url[..scheme_end],
                replacement,
                &authority[at + 1..],
                &rest[authority_end..]
            )
        }
        None => url.to_string(),
    }
}

/// Redacts every URL-looking token inside a free-text message.
pub fn redact_text(text: &str) -> String {
    if !text.contains("://") {
        return text.to_string();
    }
    text.split_inclusive(|c: char| c.is_whitespace() || c == '\'' || c == '"' || c == '`')
        .map(|tok| if tok.contains("://") { redact_url(tok) } else { tok.to_string() })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_removed() {
        assert_eq!(redact_url("https://user:tok@example.com/a/b.git"), "https://***@example.com/a/b.git");
        assert_eq!(redact_url("https://tok@example.com/a"), "https://***@example.com/a");
        assert_eq!(redact_url("ssh://git@example.com/a"), "ssh://git@example.com/a");
        assert_eq!(redact_url("https://example.com/a@b"), "https://example.com/a@b");
        assert_eq!(redact_url("git@example.com:a/b"), "git@example.com:a/b");
        assert_eq!(
            redact_text("failed to fetch 'https://u:p@h/x': 401"),
            "failed to fetch 'https://***@h/x': 401"
        );
    }
}
