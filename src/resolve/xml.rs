//! Safe XML reading for the resolvers that read XML (Maven poms, Gradle verification metadata, .NET
//! project files): the document becomes a small owned tree of elements with their lines.
//!
//! Hostile input is refused, never expanded: a `<!DOCTYPE>` that declares entities (the billion-laughs and
//! external-entity attacks) is refused with `xml-entity-declaration`, nothing is ever fetched (quick-xml has
//! no DTD support at all), references to undeclared entities are errors, and nesting deeper than
//! [`MAX_DEPTH`] is refused with `xml-too-deep` before any recursion happens (the tree is built with an
//! explicit stack).

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::model::Diagnostic;

/// The deepest element nesting accepted. Real manifests stay under 20 levels.
pub const MAX_DEPTH: usize = 256;

/// One element: its local name (namespace prefix dropped), attributes, direct text and children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    /// The element's own text (CDATA included), not trimmed.
    pub text: String,
    /// 1-based line of the start tag.
    pub line: u32,
    pub children: Vec<Element>,
}

impl Element {
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of a child, when the child exists and is not empty.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim()).filter(|t| !t.is_empty())
    }

    /// The trimmed text of a path of children (`["parent", "version"]`).
    pub fn path_text(&self, path: &[&str]) -> Option<&str> {
        let (last, init) = path.split_last()?;
        let mut cur = self;
        for p in init {
            cur = cur.child(p)?;
        }
        cur.child_text(last)
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// Counts lines incrementally so positions cost O(n) over the whole document.
struct Lines<'a> {
    text: &'a [u8],
    offset: usize,
    line: u32,
}

impl Lines<'_> {
    fn at(&mut self, offset: usize) -> u32 {
        let offset = offset.min(self.text.len());
        if offset >= self.offset {
            self.line += self.text[self.offset..offset].iter().filter(|&&b| b == b'\n').count() as u32;
        } else {
            self.line = self.text[..offset].iter().filter(|&&b| b == b'\n').count() as u32 + 1;
        }
        self.offset = offset;
        self.line
    }
}

/// Parses a whole XML document. The error is a diagnostic with the file and line.
pub fn parse(text: &str, path: &str) -> Result<Element, Diagnostic> {
    let mut reader = Reader::from_str(text);
    let mut lines = Lines { text: text.as_bytes(), offset: 0, line: 1 };
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let invalid = |line: u32, msg: String| Diagnostic::error("invalid-xml", msg).at(path, Some(line));
    loop {
        let start = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                let line = lines.at(reader.error_position() as usize);
                return Err(invalid(line, format!("not well-formed XML: {e}")));
            }
        };
        match event {
            Event::DocType(d) => {
                let line = lines.at(start);
                let body: &str = &d;
                if body.contains("<!ENTITY") || body.contains("SYSTEM") || body.contains("PUBLIC") {
                    return Err(Diagnostic::error(
                        "xml-entity-declaration",
                        "the document type declares entities or an external DTD (entity expansion and external \
                         entities are refused); not parsed",
                    )
                    .at(path, Some(line)));
                }
            }
            Event::Start(s) | Event::Empty(s) if stack.len() >= MAX_DEPTH => {
                let _ = s;
                let line = lines.at(start);
                return Err(Diagnostic::error(
                    "xml-too-deep",
                    format!("elements nested deeper than {MAX_DEPTH} levels; not parsed"),
                )
                .at(path, Some(line)));
            }
            Event::Start(s) => {
                let line = lines.at(start);
                stack.push(element(&s, line, path)?);
            }
            Event::Empty(s) => {
                let line = lines.at(start);
                let el = element(&s, line, path)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None if root.is_none() => root = Some(el),
                    None => return Err(invalid(line, "more than one root element".into())),
                }
            }
            Event::End(_) => {
                let Some(el) = stack.pop() else {
                    return Err(invalid(lines.at(start), "unexpected end tag".into()));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None if root.is_none() => root = Some(el),
                    None => return Err(invalid(lines.at(start), "more than one root element".into())),
                }
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let line = lines.at(start);
                let ch = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match quick_xml::escape::resolve_predefined_entity(&r) {
                        Some(s) => s.to_string(),
                        None => {
                            return Err(Diagnostic::error(
                                "xml-entity-declaration",
                                format!("reference to the undeclared entity `&{};`; not parsed", &*r),
                            )
                            .at(path, Some(line)))
                        }
                    },
                    Err(e) => return Err(invalid(line, format!("bad character reference: {e}"))),
                };
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&ch);
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if let Some(open) = stack.first() {
        return Err(invalid(lines.at(text.len()), format!("element `{}` is not closed", open.name)));
    }
    root.ok_or_else(|| invalid(1, "no root element".into()))
}

fn element(s: &quick_xml::events::BytesStart<'_>, line: u32, path: &str) -> Result<Element, Diagnostic> {
    let mut attrs = Vec::new();
    for a in s.attributes() {
        let a = a.map_err(|e| {
            Diagnostic::error("invalid-xml", format!("bad attribute: {e}")).at(path, Some(line))
        })?;
        let key = local(a.key.into_inner()).to_string();
        let value = a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_err(|e| {
            Diagnostic::error("xml-entity-declaration", format!("attribute value refused: {e}"))
                .at(path, Some(line))
        })?;
        attrs.push((key, value.into_owned()));
    }
    Ok(Element {
        name: local(s.name().into_inner()).to_string(),
        attrs,
        text: String::new(),
        line,
        children: vec![],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_elements_lines_and_entities() {
        let doc = "<?xml version=\"1.0\"?>\n<a x=\"1 &amp; 2\">\n  <b>t &lt; &#65;</b>\n  <p:c/>\n</a>\n";
        let root = parse(doc, "f.xml").unwrap();
        assert_eq!(root.name, "a");
        assert_eq!(root.attr("x"), Some("1 & 2"));
        assert_eq!(root.child_text("b"), Some("t < A"));
        assert_eq!(root.child("b").unwrap().line, 3);
        assert_eq!(root.child("c").unwrap().line, 4);
    }

    #[test]
    fn refuses_entities_depth_and_garbage() {
        let lol = "<!DOCTYPE l [<!ENTITY a \"aa\"><!ENTITY b \"&a;&a;\">]>\n<l>&b;</l>";
        assert_eq!(parse(lol, "f").unwrap_err().code, "xml-entity-declaration");
        let xxe = "<!DOCTYPE l [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><l>&x;</l>";
        assert_eq!(parse(xxe, "f").unwrap_err().code, "xml-entity-declaration");
        assert_eq!(parse("<l>&undeclared;</l>", "f").unwrap_err().code, "xml-entity-declaration");
        let deep = format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000));
        assert_eq!(parse(&deep, "f").unwrap_err().code, "xml-too-deep");
        assert_eq!(parse("<a><b></a>", "f").unwrap_err().code, "invalid-xml");
        assert_eq!(parse("<a>", "f").unwrap_err().code, "invalid-xml");
        assert_eq!(parse("", "f").unwrap_err().code, "invalid-xml");
        // A plain DOCTYPE without declarations is harmless.
        assert!(parse("<!DOCTYPE a>\n<a/>", "f").is_ok());
    }
}
