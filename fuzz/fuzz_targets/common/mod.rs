//! Helpers shared by the targets (each includes this file with `#[path]`).
#![allow(dead_code)]

use sigv4::sign::SigningTime;

/// The test suite's example keys (test-vectors/v4/*/context.json).
pub const ACCESS_KEY_ID: &str = "AKIDEXAMPLE";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// The signing time of the test vectors, the verifiers' clock.
pub fn vector_time() -> SigningTime {
    SigningTime::parse_amz_date("20150830T123600Z").unwrap()
}

/// A request in the test vectors' text form: `METHOD TARGET HTTP/1.1`,
/// `Name:value` lines (a line starting with a space or tab continues the
/// previous value), an empty line, the body.
pub struct RawRequest<'a> {
    pub method: &'a str,
    pub target: &'a str,
    pub headers: Vec<(&'a str, String)>,
    pub body: &'a [u8],
}

pub fn parse_request(data: &[u8]) -> Option<RawRequest<'_>> {
    let head_end = find(data, b"\n\n").map(|i| (i, i + 2));
    let (head, body) = match head_end {
        Some((i, j)) => (&data[..i], &data[j..]),
        None => (data, &[][..]),
    };
    let head = std::str::from_utf8(head).ok()?;
    let mut lines = head.split('\n');
    let first = lines.next()?;
    let (method, rest) = first.split_once(' ')?;
    let target = rest.rsplit_once(' ').map_or(rest, |(t, _)| t);
    let mut headers: Vec<(&str, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = headers.last_mut() {
                v.push('\n');
                v.push_str(line);
            }
            continue;
        }
        let (n, v) = line.split_once(':')?;
        headers.push((n, v.to_string()));
    }
    Some(RawRequest { method, target, headers, body })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Feeds `input` to a streaming decoder in pieces of the given sizes
/// (cycled; 0 counts as 1), calling `step` for every feed until the input
/// is used up or a feed fails.
pub fn pieces<'a>(input: &'a [u8], sizes: &[u16]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let sizes: Vec<usize> = if sizes.is_empty() {
        vec![input.len().max(1)]
    } else {
        sizes.iter().map(|&s| usize::from(s).max(1)).collect()
    };
    let mut at = 0;
    let mut i = 0;
    std::iter::from_fn(move || {
        if at >= input.len() {
            return None;
        }
        let n = sizes[i % sizes.len()].min(input.len() - at);
        i += 1;
        let piece = &input[at..at + n];
        at += n;
        Some(piece)
    })
}

/// One edit of an encoded body.
#[derive(arbitrary::Arbitrary, Debug, Clone)]
pub enum Edit {
    Flip { at: u32, mask: u8 },
    Set { at: u32, byte: u8 },
    Insert { at: u32, bytes: Vec<u8> },
    Delete { at: u32, len: u8 },
}

/// Applies the edits; returns whether the bytes changed.
pub fn apply(bytes: &mut Vec<u8>, edits: &[Edit]) -> bool {
    let original = bytes.clone();
    for e in edits {
        let len = bytes.len();
        let pos = |at: u32| if len == 0 { 0 } else { at as usize % (len + 1) };
        match e {
            Edit::Flip { at, mask } if len > 0 => {
                let i = *at as usize % len;
                bytes[i] ^= mask;
            }
            Edit::Set { at, byte } if len > 0 => {
                let i = *at as usize % len;
                bytes[i] = *byte;
            }
            Edit::Insert { at, bytes: b } => {
                let i = pos(*at);
                bytes.splice(i..i, b.iter().copied());
            }
            Edit::Delete { at, len: n } if len > 0 => {
                let i = *at as usize % len;
                let end = (i + usize::from(*n).max(1)).min(len);
                bytes.drain(i..end);
            }
            _ => {}
        }
    }
    *bytes != original
}

/// The string members of a JSON object (serde_json's reading), `None` when
/// it is not one.
pub fn string_members(text: &str) -> Option<std::collections::BTreeMap<String, String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match serde_json::from_str::<serde_json::Value>(text).ok()? {
        serde_json::Value::Object(m) => Some(
            m.into_iter()
                .filter_map(|(k, v)| match v {
                    serde_json::Value::String(s) => Some((k, s)),
                    _ => None,
                })
                .collect(),
        ),
        _ => None,
    }
}

/// Whether serde_json refuses `text` only for a number beyond f64 (which
/// our reader keeps as text: not an error).
pub fn serde_refuses_a_number(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str::<serde_json::Value>(text).is_err_and(|e| e.to_string().contains("number out of range"))
}

/// Panics if the error message for `text` shows the value of one of the
/// `secret` members of the document: a value of 12 or more characters that
/// the message holds, and no longer holds once the value is replaced in
/// the document (`parse` gives the message for a document). A value that
/// another member holds too (a code or message may be quoted) is skipped.
pub fn assert_no_secret(message: &str, text: &str, secrets: &[&str], parse: impl Fn(&str) -> String) {
    let Some(members) = string_members(text) else { return };
    for name in secrets {
        let Some(value) = members.get(*name) else { continue };
        let value = value.trim();
        if value.len() < 12 || !message.contains(value) || !text.contains(value) {
            continue;
        }
        let elsewhere = members.iter().any(|(k, v)| k != name && v.contains(value));
        let other: String = value.chars().map(|c| if c == 'Q' { 'R' } else { 'Q' }).collect();
        let from_template = parse(&text.replace(value, &other)).contains(value);
        assert!(elsewhere || from_template, "the error shows {name}: {message}");
    }
}
