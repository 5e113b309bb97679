//! A small JSON reader made for lockfiles: one pass over the bytes, strings borrowed from the input
//! (copied only when they hold escapes), the line of every value recorded, nesting bounded.
//!
//! serde_json would give the structure but not the lines, and stops at 128 levels of nesting, which a
//! legitimate (if unusual) `package-lock.json` v1 can exceed.

use std::borrow::Cow;

/// Deeper documents are refused with an error naming the line.
pub const MAX_DEPTH: usize = 1024;

/// A JSON value with the line (1-based) where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node<'a> {
    pub line: u32,
    pub value: Value<'a>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    Number(&'a str),
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    /// Members in document order; keys carry the line of the key.
    Object(Vec<(Cow<'a, str>, Node<'a>)>),
}

/// Why a document could not be read, with the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub line: u32,
    pub message: String,
}

impl<'a> Node<'a> {
    /// A member of an object (the last one when a key repeats, as JavaScript reads it).
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        match &self.value {
            Value::Object(m) => m.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A string member.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::as_str)
    }

    /// A boolean member (absent or not a boolean: false).
    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key).map(|n| &n.value), Some(Value::Bool(true)))
    }

    pub fn members(&self) -> &[(Cow<'a, str>, Node<'a>)] {
        match &self.value {
            Value::Object(m) => m,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node<'a>] {
        match &self.value {
            Value::Array(a) => a,
            _ => &[],
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self.value, Value::Object(_))
    }
}

/// Parses a whole document.
pub fn parse(text: &str) -> Result<Node<'_>, JsonError> {
    let mut p = Parser { s: text.as_bytes(), text, pos: 0, line: 1 };
    p.ws();
    let v = p.value()?;
    p.ws();
    if p.pos < p.s.len() {
        return Err(p.err("unexpected text after the JSON document"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
    line: u32,
}

impl<'a> Parser<'a> {
    fn err(&self, message: &str) -> JsonError {
        JsonError { line: self.line, message: message.to_string() }
    }

    fn eof(&self) -> JsonError {
        self.err("unexpected end of file (truncated?)")
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(&b) = self.s.get(self.pos) {
            match b {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                }
                _ => break,
            }
        }
    }

    /// One value, without recursion: open containers wait on an explicit stack, so nesting costs heap,
    /// not call stack, and is bounded by [`MAX_DEPTH`].
    fn value(&mut self) -> Result<Node<'a>, JsonError> {
        enum Frame<'a> {
            Array(u32, Vec<Node<'a>>),
            Object(u32, Vec<(Cow<'a, str>, Node<'a>)>, Cow<'a, str>, u32),
        }
        let mut stack: Vec<Frame<'a>> = Vec::new();
        loop {
            self.ws();
            let line = self.line;
            let mut node = match self.s.get(self.pos) {
                None => return Err(self.eof()),
                Some(b'{') => {
                    self.pos += 1;
                    self.ws();
                    if self.s.get(self.pos) == Some(&b'}') {
                        self.pos += 1;
                        Node { line, value: Value::Object(Vec::new()) }
                    } else {
                        if stack.len() >= MAX_DEPTH {
                            return Err(self.err(&format!("nesting deeper than {MAX_DEPTH} levels")));
                        }
                        let (key, key_line) = self.key()?;
                        stack.push(Frame::Object(line, Vec::new(), key, key_line));
                        continue;
                    }
                }
                Some(b'[') => {
                    self.pos += 1;
                    self.ws();
                    if self.s.get(self.pos) == Some(&b']') {
                        self.pos += 1;
                        Node { line, value: Value::Array(Vec::new()) }
                    } else {
                        if stack.len() >= MAX_DEPTH {
                            return Err(self.err(&format!("nesting deeper than {MAX_DEPTH} levels")));
                        }
                        stack.push(Frame::Array(line, Vec::new()));
                        continue;
                    }
                }
                Some(b'"') => Node { line, value: Value::String(self.string()?) },
                Some(b't') => Node { line, value: self.keyword("true", Value::Bool(true))? },
                Some(b'f') => Node { line, value: self.keyword("false", Value::Bool(false))? },
                Some(b'n') => Node { line, value: self.keyword("null", Value::Null)? },
                Some(b'-' | b'0'..=b'9') => Node { line, value: self.number()? },
                Some(_) => return Err(self.err("expected a JSON value")),
            };
            // Attach the finished value to its container; close every container that ends here.
            loop {
                match stack.last_mut() {
                    None => return Ok(node),
                    Some(Frame::Array(_, items)) => {
                        items.push(node);
                        self.ws();
                        match self.s.get(self.pos) {
                            Some(b',') => {
                                self.pos += 1;
                                break;
                            }
                            Some(b']') => {
                                self.pos += 1;
                                let Some(Frame::Array(l, items)) = stack.pop() else { unreachable!() };
                                node = Node { line: l, value: Value::Array(items) };
                            }
                            None => return Err(self.eof()),
                            Some(_) => return Err(self.err("expected `,` or `]`")),
                        }
                    }
                    Some(Frame::Object(_, members, key, key_line)) => {
                        // Containers start at their key's line, which is what a reader looks for.
                        if matches!(node.value, Value::Object(_) | Value::Array(_)) {
                            node.line = *key_line;
                        }
                        members.push((std::mem::take(key), node));
                        self.ws();
                        match self.s.get(self.pos) {
                            Some(b',') => {
                                self.pos += 1;
                                let (k, kl) = self.key()?;
                                *key = k;
                                *key_line = kl;
                                break;
                            }
                            Some(b'}') => {
                                self.pos += 1;
                                let Some(Frame::Object(l, members, ..)) = stack.pop() else { unreachable!() };
                                node = Node { line: l, value: Value::Object(members) };
                            }
                            None => return Err(self.eof()),
                            Some(_) => return Err(self.err("expected `,` or `}`")),
                        }
                    }
                }
            }
        }
    }

    /// An object key and the `:` after it.
    fn key(&mut self) -> Result<(Cow<'a, str>, u32), JsonError> {
        self.ws();
        match self.s.get(self.pos) {
            Some(b'"') => {}
            None => return Err(self.eof()),
            Some(_) => return Err(self.err("expected a string key")),
        }
        let line = self.line;
        let key = self.string()?;
        self.ws();
        match self.s.get(self.pos) {
            Some(b':') => self.pos += 1,
            None => return Err(self.eof()),
            Some(_) => return Err(self.err("expected `:` after an object key")),
        }
        Ok((key, line))
    }

    fn keyword(&mut self, word: &str, v: Value<'a>) -> Result<Value<'a>, JsonError> {
        if self.s[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err(self.err("expected a JSON value"))
        }
    }

    fn number(&mut self) -> Result<Value<'a>, JsonError> {
        let start = self.pos;
        while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = self.s.get(self.pos) {
            self.pos += 1;
        }
        let n = &self.text[start..self.pos];
        if n.parse::<f64>().is_err() {
            return Err(self.err("invalid number"));
        }
        Ok(Value::Number(n))
    }

    fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.pos += 1;
        let start = self.pos;
        // Fast path: no escapes.
        let Some(rel) = memchr::memchr2(b'"', b'\\', &self.s[self.pos..]) else {
            return Err(self.eof());
        };
        let end = self.pos + rel;
        if self.s[end] == b'"' {
            let raw = &self.text[start..end];
            if raw.bytes().any(|b| b < 0x20) {
                return Err(self.err("control character in a string"));
            }
            self.pos = end + 1;
            return Ok(Cow::Borrowed(raw));
        }
        let mut out = String::with_capacity(end - start + 16);
        out.push_str(&self.text[start..end]);
        self.pos = end;
        loop {
            let Some(&b) = self.s.get(self.pos) else { return Err(self.eof()) };
            match b {
                b'"' => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                b'\\' => {
                    let Some(&e) = self.s.get(self.pos + 1) else { return Err(self.eof()) };
                    self.pos += 2;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&hi) {
                                if self.s.get(self.pos) == Some(&b'\\')
                                    && self.s.get(self.pos + 1) == Some(&b'u')
                                {
                                    self.pos += 2;
                                    let lo = self.hex4()?;
                                    let cp =
                                        0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF);
                                    char::from_u32(cp).unwrap_or('\u{FFFD}')
                                } else {
                                    '\u{FFFD}'
                                }
                            } else {
                                char::from_u32(hi).unwrap_or('\u{FFFD}')
                            };
                            out.push(c);
                        }
                        _ => return Err(self.err("invalid escape in a string")),
                    }
                }
                b if b < 0x20 => return Err(self.err("control character in a string")),
                _ => {
                    // Copy up to the next quote or backslash in one go (the text is valid UTF-8 and
                    // both delimiters are ASCII, so the slice boundaries are character boundaries).
                    let rel = memchr::memchr2(b'"', b'\\', &self.s[self.pos..]).ok_or_else(|| self.eof())?;
                    let chunk = &self.text[self.pos..self.pos + rel];
                    if chunk.bytes().any(|b| b < 0x20) {
                        return Err(self.err("control character in a string"));
                    }
                    out.push_str(chunk);
                    self.pos += rel;
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let h = self.s.get(self.pos..self.pos + 4).ok_or_else(|| self.eof())?;
        let h = std::str::from_utf8(h).map_err(|_| self.err("invalid \\u escape"))?;
        let v = u32::from_str_radix(h, 16).map_err(|_| self.err("invalid \\u escape"))?;
        self.pos += 4;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_lines_and_escapes() {
        let doc =
            parse("{\n \"a\": [1, -2.5e3, true, null],\n \"b\": {\"c\": \"x\\u00e9\\n\\ud83d\\ude00\"}\n}")
                .unwrap();
        assert_eq!(doc.get("a").unwrap().line, 2);
        assert_eq!(doc.get("b").unwrap().line, 3);
        assert_eq!(doc.get("b").unwrap().str("c"), Some("xé\n😀"));
        assert_eq!(doc.get("a").unwrap().items().len(), 4);
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(parse("{\n\"a\": 1,\n").unwrap_err().line, 3);
        assert_eq!(parse("{\"a\" 1}").unwrap_err().message, "expected `:` after an object key");
        assert!(parse("[1] x").is_err());
        assert!(parse("\"abc").is_err());
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 2), "]".repeat(MAX_DEPTH + 2));
        assert!(parse(&deep).unwrap_err().message.contains("nesting"));
    }
}
