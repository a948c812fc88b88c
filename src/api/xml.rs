//! A small element tree over `quick-xml`, for the AWS XML answers (query
//! protocol, EC2, S3). Only elements and their text are kept; attributes,
//! comments and processing instructions are dropped; names are local names
//! (namespace prefixes removed). Text is zeroized on drop, since answers
//! such as `AssumeRole` carry secrets.

use std::fmt;

use quick_xml::events::Event;
use quick_xml::Reader;
use zeroize::Zeroizing;

/// Deepest nesting accepted.
const MAX_DEPTH: usize = 64;

/// An XML element: local name, concatenated text, child elements.
#[derive(Clone, Default)]
pub(crate) struct Element {
    pub(crate) name: String,
    text: Zeroizing<String>,
    pub(crate) children: Vec<Element>,
}

impl fmt::Debug for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Text may hold secrets: show the shape only.
        f.debug_struct("Element")
            .field("name", &self.name)
            .field("children", &self.children)
            .finish_non_exhaustive()
    }
}

impl Element {
    /// The element's own text (character data directly inside it).
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The first child named `name`.
    pub(crate) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`.
    pub(crate) fn children_named<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of the first child named `name`.
    pub(crate) fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(Element::text)
    }

    /// The element reached by following child names.
    pub(crate) fn path(&self, names: &[&str]) -> Option<&Element> {
        names.iter().try_fold(self, |e, n| e.child(n))
    }

    /// The first element named `name` in document order (self included).
    pub(crate) fn find(&self, name: &str) -> Option<&Element> {
        if self.name == name {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(name))
    }
}

/// Why a document is not well-formed XML. Holds no document text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct XmlError {
    /// Byte offset where reading stopped.
    pub(crate) offset: u64,
    /// What was wrong.
    pub(crate) reason: &'static str,
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed XML at byte {}: {}", self.offset, self.reason)
    }
}

fn local_name(raw: &[u8]) -> String {
    let local = raw.rsplit(|b| *b == b':').next().unwrap_or(raw);
    String::from_utf8_lossy(local).into_owned()
}

/// Parses a whole document and returns its root element.
pub(crate) fn parse(bytes: &[u8]) -> Result<Element, XmlError> {
    let text = std::str::from_utf8(bytes).map_err(|e| XmlError {
        offset: e.valid_up_to() as u64,
        reason: "not UTF-8",
    })?;
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let offset = reader.buffer_position();
        let err = |reason| XmlError { offset, reason };
        let event = reader.read_event().map_err(|_| err("syntax error"))?;
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(err("content after the root element"));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(err("nested too deeply"));
                }
                stack.push(Element {
                    name: local_name(start.name().as_ref()),
                    ..Element::default()
                });
            }
            Event::Empty(start) => {
                let e = Element {
                    name: local_name(start.name().as_ref()),
                    ..Element::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(e),
                    None if root.is_none() => root = Some(e),
                    None => return Err(err("content after the root element")),
                }
            }
            Event::End(_) => {
                let e = stack.pop().ok_or_else(|| err("unexpected end tag"))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(e),
                    None => root = Some(e),
                }
            }
            Event::Text(t) => {
                let s = t.xml10_content().map_err(|_| err("bad text encoding"))?;
                match stack.last_mut() {
                    Some(e) => e.text.push_str(&s),
                    None if s.trim().is_empty() => {}
                    None => return Err(err("text outside the root element")),
                }
            }
            Event::CData(t) => {
                let s = t.decode().map_err(|_| err("bad CDATA encoding"))?;
                match stack.last_mut() {
                    Some(e) => e.text.push_str(&s),
                    None => return Err(err("text outside the root element")),
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => match r.decode().map_err(|_| err("bad entity"))?.as_ref() {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        _ => return Err(err("unknown entity")),
                    },
                    Err(_) => return Err(err("bad character reference")),
                };
                match stack.last_mut() {
                    Some(e) => e.text.push(c),
                    None => return Err(err("text outside the root element")),
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(XmlError {
            offset: reader.buffer_position(),
            reason: "unclosed element",
        });
    }
    root.ok_or(XmlError {
        offset: 0,
        reason: "no root element",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_elements_text_and_entities() {
        let doc = br#"<?xml version="1.0" encoding="UTF-8"?>
<r:Root xmlns:r="urn:x"><A>1 &lt; 2 &amp;&#65;&#x42;</A><B/><A><![CDATA[<raw>]]></A><!-- c --></r:Root>"#;
        let root = parse(doc).unwrap();
        assert_eq!(root.name, "Root");
        assert_eq!(root.child_text("A"), Some("1 < 2 &AB"));
        assert_eq!(root.children_named("A").count(), 2);
        assert_eq!(root.children_named("A").nth(1).unwrap().text(), "<raw>");
        assert_eq!(root.child_text("B"), Some(""));
        assert_eq!(
            root.find("B").map(|b| (b.name.as_str(), b.text())),
            Some(("B", ""))
        );
        assert_eq!(root.find("Root").map(|r| r.children.len()), Some(3));
        assert!(root.find("C").is_none());
        assert_eq!(root.path(&["A"]).map(Element::text), Some("1 < 2 &AB"));
        assert!(root.path(&["B", "A"]).is_none());
        assert!(!format!("{root:?}").contains("1 <"));
    }

    #[test]
    fn rejects_malformed() {
        for (bad, offset, reason) in [
            (&b""[..], 0, "no root element"),
            (b"<a>", 3, "unclosed element"),
            (b"<a></b>", 3, "syntax error"),
            (b"<a/><b/>", 4, "content after the root element"),
            (b"<a></a><b></b>", 7, "content after the root element"),
            (b"text", 0, "text outside the root element"),
            (b"<a/>text", 4, "text outside the root element"),
            // Character data outside the root in any form, also as an
            // entity or a CDATA section, is not well-formed.
            (b"<a/>&lt;", 4, "text outside the root element"),
            (b"&lt;<a/>", 0, "text outside the root element"),
            (b"<a/><![CDATA[x]]>", 4, "text outside the root element"),
            (b"<![CDATA[x]]><a/>", 0, "text outside the root element"),
            (b"</a>", 0, "syntax error"),
            (b"<a>&nope;</a>", 3, "unknown entity"),
            (b"<a>&#xD800;</a>", 3, "bad character reference"),
            (b"\xff", 0, "not UTF-8"),
            (b"<a>\xff</a>", 3, "not UTF-8"),
        ] {
            assert_eq!(
                parse(bad).unwrap_err(),
                XmlError { offset, reason },
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        // 64 levels are the most: the 65th start tag is refused.
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert_eq!(
            parse(deep.as_bytes()).unwrap_err(),
            XmlError {
                offset: 3 * MAX_DEPTH as u64,
                reason: "nested too deeply"
            }
        );
        let limit = "<a>".repeat(MAX_DEPTH) + &"</a>".repeat(MAX_DEPTH);
        assert_eq!(parse(limit.as_bytes()).unwrap().name, "a");
        assert_eq!(
            XmlError {
                offset: 7,
                reason: "unknown entity"
            }
            .to_string(),
            "malformed XML at byte 7: unknown entity"
        );
    }
}
