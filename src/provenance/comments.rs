//! Language-aware comment extraction: the parts of a source file where a notice may stand. String
//! literals and code are never returned, so `assert!(x.contains("Copyright 2024 Foo"))` is no notice.
//!
//! A small byte-level scanner per comment syntax (C-like `//` and `/* */`, `#`, `--`, `;`, `<!-- -->`,
//! Python docstrings); licence, NOTICE, README and other prose files are read whole (fenced code blocks
//! excepted). One pass, no allocation but the list of comment pieces.

use std::ops::Range;

/// How a file's notices are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Prose (licence texts, NOTICE, README, Markdown, plain text): every line but fenced code blocks.
    Prose,
    /// Source with comments: only the comments (and, in Python, docstrings).
    Code(&'static Lang),
    /// Data (JSON, CSV, lockfiles …): no notices.
    None,
    /// An unknown text format: only the lines that begin with a comment leader.
    Leading,
}

/// The comment syntax of one language family.
#[derive(Debug, PartialEq, Eq)]
pub struct Lang {
    line: &'static [&'static str],
    block: Option<(&'static str, &'static str)>,
    /// String delimiters that end at the end of the line at the latest.
    quotes: &'static [u8],
    /// A delimiter whose strings may span lines (JS template literals, Go raw strings).
    multiline_quote: Option<u8>,
    /// Python: triple-quoted strings; those that open a statement are docstrings (read as comments).
    python: bool,
    /// Rust: `"` strings span lines, `r#"…"#` raw strings, `'a` lifetimes.
    rust: bool,
    /// `#` starts a comment only at the start of a line or after a blank (shell, YAML, TOML).
    hash_after_blank: bool,
}

const C_LIKE: Lang = Lang {
    line: &["//"],
    block: Some(("/*", "*/")),
    quotes: b"\"'",
    multiline_quote: None,
    python: false,
    rust: false,
    hash_after_blank: false,
};
const JS: Lang = Lang { multiline_quote: Some(b'`'), ..C_LIKE };
const GO: Lang = Lang { quotes: b"\"'", multiline_quote: Some(b'`'), ..C_LIKE };
const RUST: Lang = Lang { quotes: b"", rust: true, ..C_LIKE };
const CSS: Lang = Lang { line: &[], ..C_LIKE };
const PHP: Lang = Lang { line: &["//", "#"], ..C_LIKE };
const PYTHON: Lang = Lang {
    line: &["#"],
    block: None,
    quotes: b"\"'",
    multiline_quote: None,
    python: true,
    rust: false,
    hash_after_blank: false,
};
const HASH: Lang = Lang { python: false, hash_after_blank: true, ..PYTHON };
const DASH: Lang = Lang { line: &["--"], block: Some(("/*", "*/")), ..PYTHON_PLAIN };
const LUA: Lang = Lang { line: &["--"], block: Some(("--[[", "]]")), ..PYTHON_PLAIN };
const SEMI: Lang = Lang { line: &[";"], ..PYTHON_PLAIN };
const PERCENT: Lang = Lang { line: &["%"], ..PYTHON_PLAIN };
const MARKUP: Lang = Lang { line: &[], block: Some(("<!--", "-->")), quotes: b"", ..PYTHON_PLAIN };
const PYTHON_PLAIN: Lang = Lang {
    line: &["#"],
    block: None,
    quotes: b"\"'",
    multiline_quote: None,
    python: false,
    rust: false,
    hash_after_blank: false,
};

/// The syntax of a file, by its name.
pub fn syntax_of(name: &str) -> Syntax {
    let upper = name.to_ascii_uppercase();
    let by_ext = syntax_by_ext(name);
    // `LICENSE`, `LICENSE-MIT`, `NOTICE.txt`, `COPYING.LESSER`: prose (`notices.rs` is Rust).
    if matches!(by_ext, Syntax::Leading | Syntax::Prose)
        && [
            "LICENSE",
            "LICENCE",
            "COPYING",
            "COPYRIGHT",
            "UNLICENSE",
            "NOTICE",
            "AUTHORS",
            "README",
            "PATENTS",
        ]
        .iter()
        .any(|p| upper.starts_with(p))
    {
        return Syntax::Prose;
    }
    by_ext
}

fn syntax_by_ext(name: &str) -> Syntax {
    match name {
        "Dockerfile" | "Makefile" | "CMakeLists.txt" | "BUILD" | "BUILD.bazel" | "WORKSPACE"
        | "Modelfile" | "Gemfile" | "Rakefile" | "Podfile" | "Containerfile" | "Justfile" | "justfile" => {
            return Syntax::Code(&HASH)
        }
        _ => {}
    }
    let Some((_, ext)) = name.rsplit_once('.') else { return Syntax::Leading };
    let ext = ext.to_ascii_lowercase();
    Syntax::Code(match ext.as_str() {
        "md" | "markdown" | "rst" | "txt" | "adoc" | "org" | "text" => return Syntax::Prose,
        "json" | "jsonl" | "ipynb" | "csv" | "tsv" | "lock" | "sum" | "svg" | "map" | "snap" | "pem"
        | "crt" | "key" | "pbtxt" | "prototxt" | "vocab" | "merges" => return Syntax::None,
        "c" | "h" | "cc" | "cpp" | "cxx" | "hpp" | "hh" | "hxx" | "inl" | "ipp" | "tcc" | "cu" | "cuh"
        | "m" | "mm" | "java" | "kt" | "kts" | "scala" | "sc" | "groovy" | "gradle" | "cs" | "swift"
        | "dart" | "proto" | "zig" | "sol" | "v" | "sv" | "glsl" | "hlsl" | "metal" | "frag" | "vert"
        | "cl" | "fbs" | "thrift" | "jsonc" | "json5" | "c++" | "h++" | "d" => &C_LIKE,
        "js" | "jsx" | "ts" | "tsx" | "mjs" | "cjs" | "mts" | "cts" => &JS,
        "go" => &GO,
        "rs" => &RUST,
        "css" => &CSS,
        "scss" | "less" | "styl" => &C_LIKE,
        "php" => &PHP,
        "py" | "pyi" | "pyx" | "pxd" | "bzl" | "star" => &PYTHON,
        "sh" | "bash" | "zsh" | "fish" | "ksh" | "yaml" | "yml" | "toml" | "rb" | "pl" | "pm" | "r"
        | "cmake" | "mk" | "cfg" | "conf" | "ini" | "env" | "tf" | "hcl" | "nix" | "ps1" | "properties"
        | "gitignore" | "dockerfile" | "jl" | "cr" | "ex" | "exs" | "nim" | "tcl" | "awk" | "sed" | "in"
        | "mojo" => &HASH,
        "sql" | "hs" | "elm" | "ada" | "adb" | "vhd" | "vhdl" => &DASH,
        "lua" => &LUA,
        "el" | "lisp" | "clj" | "cljs" | "scm" | "asm" | "s" => &SEMI,
        "tex" | "sty" | "erl" | "hrl" => &PERCENT,
        "html" | "htm" | "xml" | "xhtml" | "vue" | "svelte" | "xsd" | "xsl" | "pom" | "plist" | "csproj"
        | "props" | "targets" => &MARKUP,
        _ => return Syntax::Leading,
    })
}

/// The pieces of `text` where a notice may stand, as (1-based line, byte range) pairs in text order.
/// A comment spanning several lines gives one piece per line.
pub fn pieces(syntax: Syntax, text: &str) -> Vec<(u32, Range<usize>)> {
    pieces_upto(syntax, text, usize::MAX)
}

/// [`pieces`], up to the end of the line holding byte `upto` (the pieces of the lines after it are left
/// out; those before are the same as [`pieces`] gives).
pub fn pieces_upto(syntax: Syntax, text: &str, upto: usize) -> Vec<(u32, Range<usize>)> {
    match syntax {
        Syntax::None => Vec::new(),
        Syntax::Prose => prose(text, upto),
        Syntax::Leading => leading(text, upto),
        Syntax::Code(lang) => code(lang, text, upto),
    }
}

fn prose(text: &str, upto: usize) -> Vec<(u32, Range<usize>)> {
    let mut out = Vec::new();
    let mut fenced = false;
    let mut start = 0;
    for (i, line) in text.split('\n').enumerate() {
        if start > upto {
            break;
        }
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fenced = !fenced;
        } else if !fenced {
            out.push(((i + 1) as u32, start..start + line.len()));
        }
        start += line.len() + 1;
    }
    out
}

fn leading(text: &str, upto: usize) -> Vec<(u32, Range<usize>)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, line) in text.split('\n').enumerate() {
        if start > upto {
            break;
        }
        let t = line.trim_start();
        if ["#", "//", "/*", "*", "--", ";", "%", "<!--", "REM ", "rem ", "::"]
            .iter()
            .any(|l| t.starts_with(l))
        {
            out.push(((i + 1) as u32, start..start + line.len()));
        }
        start += line.len() + 1;
    }
    out
}

/// Scanner state between bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Code,
    /// In a comment that ends at the end of the line.
    LineComment,
    /// In a block comment.
    Block,
    /// In a string ending with this delimiter (`"`, `'`, `` ` ``).
    Str(u8),
    /// In a Rust raw string closed by `"` and this many `#`.
    RawStr(usize),
    /// In a Python triple-quoted string (delimiter byte), and whether it is a docstring.
    Triple(u8, bool),
}

/// The bytes at which something may begin in code (a comment, a string): the scanner steps over the others.
fn code_stops(lang: &Lang) -> [bool; 256] {
    let mut t = [false; 256];
    t[b'\n' as usize] = true;
    if let Some((open, _)) = lang.block {
        t[open.as_bytes()[0] as usize] = true;
    }
    for l in lang.line {
        t[l.as_bytes()[0] as usize] = true;
    }
    for &q in lang.quotes.iter().chain(&lang.multiline_quote) {
        t[q as usize] = true;
    }
    if lang.python || lang.rust {
        t[b'"' as usize] = true;
        t[b'\'' as usize] = true;
    }
    if lang.rust {
        t[b'r' as usize] = true;
    }
    t
}

/// The offset from `i` of the next of `a` or `b` or a newline after `i` (the end of `bytes` when none).
fn next_stop(bytes: &[u8], i: usize, a: u8, b: u8) -> usize {
    memchr::memchr3(a, b, b'\n', &bytes[i + 1..]).map_or(bytes.len(), |k| i + 1 + k)
}

fn code(lang: &Lang, text: &str, upto: usize) -> Vec<(u32, Range<usize>)> {
    let stops = code_stops(lang);
    let b = text.as_bytes();
    let mut out: Vec<(u32, Range<usize>)> = Vec::new();
    let mut line = 1u32;
    let mut state = State::Code;
    // Start of the current comment piece on this line, when in a comment.
    let mut piece: Option<usize> = None;
    // Whether only blanks came before on this line (for docstrings and `#` after blanks).
    let mut line_start = true;
    let mut i = 0;
    let push = |out: &mut Vec<(u32, Range<usize>)>, line: u32, r: Range<usize>| {
        if r.end > r.start {
            out.push((line, r));
        }
    };
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            if let Some(s) = piece.take() {
                push(&mut out, line, s..i);
            }
            if i >= upto {
                return out;
            }
            line += 1;
            line_start = true;
            state = match state {
                State::LineComment => State::Code,
                State::Block => {
                    piece = Some(i + 1);
                    State::Block
                }
                State::Triple(q, true) => {
                    piece = Some(i + 1);
                    State::Triple(q, true)
                }
                State::Str(q) if Some(q) == lang.multiline_quote || (lang.rust && q == b'"') => State::Str(q),
                State::Str(_) => State::Code,
                s => s,
            };
            i += 1;
            continue;
        }
        // Bytes that can change nothing are stepped over (`line_start` only matters in code, and a
        // newline resets it).
        match state {
            State::Code if !stops[c as usize] => {
                if !c.is_ascii_whitespace() {
                    line_start = false;
                }
                i += 1;
                continue;
            }
            State::LineComment => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |k| i + k);
                continue;
            }
            State::Block if lang.block.is_some_and(|(_, close)| c != close.as_bytes()[0]) => {
                let close0 = lang.block.map_or(b'\n', |(_, close)| close.as_bytes()[0]);
                i = next_stop(b, i, close0, close0);
                continue;
            }
            State::Str(q) | State::Triple(q, _) if c != q && c != b'\\' => {
                i = next_stop(b, i, q, b'\\');
                continue;
            }
            State::RawStr(_) if c != b'"' => {
                i = next_stop(b, i, b'"', b'"');
                continue;
            }
            _ => {}
        }
        match state {
            State::LineComment => {}
            State::Block => {
                if let Some((_, close)) = lang.block {
                    if b[i..].starts_with(close.as_bytes()) {
                        if let Some(s) = piece.take() {
                            push(&mut out, line, s..i);
                        }
                        state = State::Code;
                        i += close.len();
                        line_start = false;
                        continue;
                    }
                }
            }
            State::Str(q) => {
                if c == b'\\' && b.get(i + 1) != Some(&b'\n') {
                    i += 2;
                    continue;
                }
                if c == q {
                    state = State::Code;
                }
            }
            State::RawStr(hashes) => {
                if c == b'"' && b[i + 1..].iter().take(hashes).filter(|&&h| h == b'#').count() == hashes {
                    state = State::Code;
                    i += 1 + hashes;
                    continue;
                }
            }
            State::Triple(q, doc) => {
                if c == b'\\' && b.get(i + 1) != Some(&b'\n') {
                    i += 2;
                    continue;
                }
                if c == q && b[i..].starts_with(&[q, q, q]) {
                    if doc {
                        if let Some(s) = piece.take() {
                            push(&mut out, line, s..i);
                        }
                    }
                    state = State::Code;
                    i += 3;
                    line_start = false;
                    continue;
                }
            }
            State::Code => {
                let rest = &b[i..];
                if let Some((open, _)) = lang.block {
                    if rest.starts_with(open.as_bytes()) {
                        state = State::Block;
                        i += open.len();
                        piece = Some(i);
                        continue;
                    }
                }
                if let Some(l) = lang.line.iter().find(|l| rest.starts_with(l.as_bytes())) {
                    let ok = !(lang.hash_after_blank && *l == "#")
                        || i == 0
                        || b[i - 1].is_ascii_whitespace()
                        || line_start;
                    if ok {
                        state = State::LineComment;
                        i += l.len();
                        piece = Some(i);
                        continue;
                    }
                }
                if lang.python && (c == b'"' || c == b'\'') && rest.starts_with(&[c, c, c]) {
                    state = State::Triple(c, line_start || prefixed_docstring(b, i));
                    i += 3;
                    if matches!(state, State::Triple(_, true)) {
                        piece = Some(i);
                    }
                    continue;
                }
                if lang.rust {
                    if c == b'r' && (i == 0 || !is_ident(b[i - 1])) {
                        let hashes = rest[1..].iter().take_while(|&&h| h == b'#').count();
                        if rest.get(1 + hashes) == Some(&b'"') {
                            state = State::RawStr(hashes);
                            i += 2 + hashes;
                            continue;
                        }
                    }
                    if c == b'"' {
                        state = State::Str(b'"');
                    } else if c == b'\'' {
                        // A char literal (`'"'`, `'\''`) is skipped whole; otherwise a lifetime.
                        if rest.get(1) == Some(&b'\\') {
                            if let Some(end) = rest[2..].iter().take(10).position(|&x| x == b'\'') {
                                i += 3 + end;
                                continue;
                            }
                        } else if rest.get(2) == Some(&b'\'') {
                            i += 3;
                            continue;
                        }
                    }
                } else if lang.quotes.contains(&c) || lang.multiline_quote == Some(c) {
                    state = State::Str(c);
                }
            }
        }
        if !c.is_ascii_whitespace() {
            line_start = false;
        }
        i += 1;
    }
    if let Some(s) = piece {
        push(&mut out, line, s..b.len().max(s));
    }
    out
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// `r"""…`, `u"""…` at the start of a line: still a docstring.
fn prefixed_docstring(b: &[u8], i: usize) -> bool {
    let mut j = i;
    while j > 0 && b[j - 1].is_ascii_alphabetic() && i - j < 2 {
        j -= 1;
    }
    j < i
        && (j == 0
            || b[j - 1] == b'\n'
            || b[..j].iter().rev().take_while(|&&c| c != b'\n').all(|c| c.is_ascii_whitespace()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(name: &str, text: &str) -> Vec<(u32, String)> {
        pieces(syntax_of(name), text)
            .into_iter()
            .map(|(l, r)| (l, text[r].trim().to_string()))
            .filter(|(_, t)| !t.is_empty())
            .collect()
    }

    #[test]
    fn rust_comments_not_strings() {
        let src = "// Copyright 2024 Acme\nfn f<'a>() { let c = '\"'; let s = \"// Copyright X\"; }\n\
                   let r = r#\"/* Copyright Y */\"#;\n/* block\n * Copyright Z\n */\nlet m = \"a\nCopyright W\";\n";
        assert_eq!(
            texts("a.rs", src),
            vec![
                (1, "Copyright 2024 Acme".to_string()),
                (4, "block".to_string()),
                (5, "* Copyright Z".to_string()),
            ]
        );
    }

    #[test]
    fn python_docstrings_and_hash() {
        let src = "\"\"\"Module.\n\nCopyright 2023 Foo Ltd\n\"\"\"\nx = \"\"\"Copyright Bar\"\"\"\ny = '# not' # Copyright Baz\n";
        let got = texts("m.py", src);
        assert!(got.contains(&(3, "Copyright 2023 Foo Ltd".to_string())), "{got:?}");
        assert!(got.contains(&(6, "Copyright Baz".to_string())), "{got:?}");
        assert!(!got.iter().any(|(_, t)| t.contains("Bar") || t.contains("not")), "{got:?}");
    }

    #[test]
    fn shell_yaml_js_markup_prose() {
        assert_eq!(texts("a.sh", "echo \"#x\" a#b # Copyright Q\n"), vec![(1, "Copyright Q".to_string())]);
        assert_eq!(texts("a.ts", "const s = `\n// Copyright T\n`; // ok\n"), vec![(3, "ok".to_string())]);
        assert_eq!(
            texts("a.html", "<p>Copyright P</p><!-- Copyright H -->\n"),
            vec![(1, "Copyright H".to_string())]
        );
        assert_eq!(texts("package.json", "{\"author\": \"Copyright J\"}"), vec![]);
        assert_eq!(texts("README.md", "Copyright M\n```\nCopyright C\n```\n").len(), 1);
        assert_eq!(syntax_of("notices.rs"), Syntax::Code(&RUST));
        assert_eq!(syntax_of("LICENSE-APACHE"), Syntax::Prose);
        assert_eq!(syntax_of("NOTICE.txt"), Syntax::Prose);
        assert_eq!(
            texts("notes.weird", "x = 'Copyright S'\n# Copyright L\n"),
            vec![(2, "# Copyright L".to_string())]
        );
    }

    #[test]
    fn pieces_upto_is_a_prefix_of_pieces() {
        let cases = [
            ("a.rs", "// one\nlet s = \"// no\"; /* two\n three */ x\n// four\nr#\"// no\"#; // five\n"),
            ("m.py", "# one\n\"\"\"doc\nCopyright X\n\"\"\"\nx = 1  # two\ny = '# no'\n# three\n"),
            ("a.sh", "echo a#b # one\n# two\nx=\"# no\"\n"),
            ("README.md", "one\n```\nno\n```\ntwo\nthree\n"),
            ("notes.weird", "// one\nx\n# two\n"),
        ];
        for (name, text) in cases {
            let all = pieces(syntax_of(name), text);
            for upto in 0..=text.len() {
                let some = pieces_upto(syntax_of(name), text, upto);
                assert_eq!(&all[..some.len()], &some[..], "{name} up to {upto}");
                assert!(all[some.len()..].iter().all(|(_, r)| r.start > upto), "{name} up to {upto}");
            }
        }
    }
}
