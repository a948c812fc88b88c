//! Canonical headers and the signed-headers list.
//!
//! Rules: names are lowercased; values are trimmed, and every run of spaces,
//! tabs and obsolete line folds (`CRLF` + whitespace) becomes one space;
//! repeated headers are joined with `,` in the order they appear; headers are
//! sorted by name. A few headers are never signed because proxies and HTTP
//! libraries add or rewrite them in flight: `authorization`, `user-agent`,
//! `x-amzn-trace-id`, `transfer-encoding` (plus `expect` and `connection`,
//! which are hop-by-hop).

use super::Error;
use alloc::string::String;

/// Headers left out of every signature (lowercase).
pub const NEVER_SIGNED: &[&str] = &[
    "authorization",
    "user-agent",
    "x-amzn-trace-id",
    "transfer-encoding",
    "expect",
    "connection",
];

/// True when `lower_name` (already lowercase) is never signed.
pub fn is_never_signed(lower_name: &str) -> bool {
    NEVER_SIGNED.contains(&lower_name)
}

/// RFC 9110 `tchar`.
#[inline]
pub const fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

/// True when `name` is a valid header field name (a non-empty token).
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(is_tchar)
}

/// Checks a header value: UTF-8, and no control characters other than tab and
/// obsolete line folding (a line break followed by a space or tab).
pub fn check_value(value: &[u8]) -> Result<&str, &'static str> {
    let s = core::str::from_utf8(value).map_err(|_| "not valid UTF-8")?;
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\t' => {}
            b'\r' | b'\n' => {
                // Accept CRLF or LF followed by whitespace (obs-fold).
                let mut j = i;
                if b[j] == b'\r' {
                    if b.get(j + 1) != Some(&b'\n') {
                        return Err("contains a bare carriage return");
                    }
                    j += 1;
                }
                if !matches!(b.get(j + 1), Some(b' ' | b'\t')) {
                    return Err("contains a line break that is not a continuation line");
                }
                i = j;
            }
            c if c < 0x20 || c == 0x7f => return Err("contains a control character"),
            _ => {}
        }
        i += 1;
    }
    Ok(s)
}

/// Appends the canonical form of a checked header value: trimmed, with each
/// run of whitespace (spaces, tabs, line folds) collapsed to one space.
pub fn write_canonical_value(out: &mut String, value: &str) {
    let is_ws = |b: u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let bytes = value.as_bytes();
    // The common case: nothing to trim or collapse, one copy.
    let plain = bytes.first().is_none_or(|&b| !is_ws(b))
        && bytes.last().is_none_or(|&b| !is_ws(b))
        && !bytes
            .windows(2)
            .any(|w| is_ws(w[0]) && (is_ws(w[1]) || w[0] != b' '));
    if plain {
        out.push_str(value);
        return;
    }
    let mut first = true;
    for word in value
        .split([' ', '\t', '\r', '\n'])
        .filter(|w| !w.is_empty())
    {
        if !first {
            out.push(' ');
        }
        out.push_str(word);
        first = false;
    }
}

/// Appends `name` in lowercase.
pub fn write_lowercase(out: &mut String, name: &str) {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        out.extend(name.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        out.push_str(name);
    }
}

/// Compares two header names case-insensitively (ASCII) without allocating.
pub fn cmp_lowercase(a: &str, b: &str) -> core::cmp::Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// Validates a header and returns its value as text.
pub(crate) fn checked<'v>(index: usize, name: &str, value: &'v [u8]) -> Result<&'v str, Error> {
    if !is_valid_name(name) {
        return Err(Error::InvalidHeaderName { index });
    }
    check_value(value).map_err(|reason| Error::InvalidHeaderValue {
        name: name.to_ascii_lowercase(),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(v: &str) -> String {
        let mut s = String::new();
        write_canonical_value(&mut s, check_value(v.as_bytes()).unwrap());
        s
    }

    #[test]
    fn values_are_trimmed_and_folded() {
        assert_eq!(canon(" value1 "), "value1");
        assert_eq!(canon("\"a   b   c\""), "\"a b c\"");
        assert_eq!(canon("a\t\t b"), "a b");
        assert_eq!(
            canon("value1\n  value2\n     value3"),
            "value1 value2 value3"
        );
        assert_eq!(canon("value1\r\n value2"), "value1 value2");
        assert_eq!(canon(""), "");
        assert_eq!(canon("   "), "");
    }

    #[test]
    fn control_characters_are_rejected() {
        assert!(check_value(b"a\nb").is_err());
        assert!(check_value(b"a\rb").is_err());
        assert!(check_value(b"a\r\n").is_err());
        assert!(check_value(b"a\x00b").is_err());
        assert!(check_value(b"a\x7fb").is_err());
        assert!(check_value(b"\xff\xfe").is_err());
        assert!(check_value("caf\u{e9}".as_bytes()).is_ok());
    }

    #[test]
    fn names_must_be_tokens() {
        assert!(is_valid_name("X-Amz-Meta-Foo"));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("a b"));
        assert!(!is_valid_name("a:b"));
        assert!(!is_valid_name("\u{e9}"));
    }

    #[test]
    fn never_signed_list() {
        for n in [
            "authorization",
            "user-agent",
            "x-amzn-trace-id",
            "transfer-encoding",
        ] {
            assert!(is_never_signed(n));
        }
        assert!(!is_never_signed("host"));
        assert!(!is_never_signed("x-amz-date"));
    }

    #[test]
    fn lowercase_helpers() {
        let mut s = String::new();
        write_lowercase(&mut s, "My-Header1");
        assert_eq!(s, "my-header1");
        assert_eq!(cmp_lowercase("Host", "host"), core::cmp::Ordering::Equal);
        assert_eq!(cmp_lowercase("a", "B"), core::cmp::Ordering::Less);
    }

    #[test]
    fn canonical_values_trim_and_collapse_on_both_paths() {
        for (value, want) in [
            ("plain", "plain"),
            ("a b c", "a b c"),
            ("", ""),
            (" lead", "lead"),
            ("trail ", "trail"),
            ("a  b", "a b"),
            ("a\tb", "a b"),
            ("a\r\n b", "a b"),
            ("\t", ""),
            ("x\n", "x"),
            ("a \t b", "a b"),
        ] {
            let mut out = String::new();
            write_canonical_value(&mut out, value);
            assert_eq!(out, want, "{value:?}");
        }
    }
}
