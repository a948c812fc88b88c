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
    NEVER_SIGNED
        .iter()
        .any(|n| super::text::eq_short(n.as_bytes(), lower_name.as_bytes()))
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

/// [`is_tchar`] for every byte, looked up rather than matched.
static TCHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = is_tchar(b as u8);
        b += 1;
    }
    t
};

/// True when `name` is a valid header field name (a non-empty token).
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| TCHAR[b as usize])
}

/// Checks a header value: UTF-8, and no control characters other than tab and
/// obsolete line folding (a line break followed by a space or tab).
pub fn check_value(value: &[u8]) -> Result<&str, &'static str> {
    scan_value(value).map(|(s, _)| s)
}

/// [`check_value`], also telling whether the value is already canonical
/// (nothing to trim, no run of whitespace to collapse, no tab or fold).
fn scan_value(value: &[u8]) -> Result<(&str, bool), &'static str> {
    // Most values are visible ASCII without spaces (`bytes=0-1023`, a
    // date, a hash): valid and canonical, found in one branch-free pass.
    let visible = value
        .iter()
        .fold(true, |ok, &b| ok & (b.wrapping_sub(0x21) < 0x5e));
    if visible {
        if let Ok(s) = super::text::utf8(value) {
            return Ok((s, true));
        }
    }
    let s = super::text::utf8(value).map_err(|_| "not valid UTF-8")?;
    let b = s.as_bytes();
    let mut plain = true;
    // Starts true so that leading whitespace is not plain.
    let mut prev_ws = true;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c > b' ' && c != 0x7f {
            prev_ws = false;
            i += 1;
            continue;
        }
        match c {
            b' ' => plain &= !prev_ws,
            b'\t' => plain = false,
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
                plain = false;
                i = j;
            }
            _ => return Err("contains a control character"),
        }
        prev_ws = true;
        i += 1;
    }
    if prev_ws && !b.is_empty() {
        plain = false;
    }
    Ok((s, plain))
}

/// Appends the canonical form of a checked header value: trimmed, with each
/// run of whitespace (spaces, tabs, line folds) collapsed to one space.
pub fn write_canonical_value(out: &mut String, value: &str) {
    write_value(out, value, is_canonical_value(value));
}

/// Appends a checked value known to be canonical (`plain`) or not.
#[inline]
pub(crate) fn write_value(out: &mut String, value: &str, plain: bool) {
    if plain {
        out.push_str(value);
    } else {
        write_folded_value(out, value);
    }
}

/// True when `value` is already in canonical form (checked, nothing to fold).
pub(crate) fn is_canonical_value(value: &str) -> bool {
    scan_value(value.as_bytes()).is_ok_and(|(_, plain)| plain)
}

/// Appends `value` trimmed, with each run of whitespace collapsed to one space.
pub(crate) fn write_folded_value(out: &mut String, value: &str) {
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

/// A checked header: its value as text, and what writing it canonically needs.
pub(crate) struct Checked<'v> {
    pub(crate) value: &'v str,
    /// The name has uppercase letters to lower.
    pub(crate) upper: bool,
    /// The value is already canonical.
    pub(crate) plain: bool,
}

/// Validates a header and returns its value as text.
pub(crate) fn checked<'v>(index: usize, name: &str, value: &'v [u8]) -> Result<Checked<'v>, Error> {
    let mut upper = false;
    let valid = !name.is_empty()
        && name.bytes().all(|b| {
            upper |= b.is_ascii_uppercase();
            TCHAR[b as usize]
        });
    if !valid {
        return Err(Error::InvalidHeaderName { index });
    }
    let (value, plain) = scan_value(value).map_err(|reason| Error::InvalidHeaderValue {
        name: name.to_ascii_lowercase(),
        reason,
    })?;
    Ok(Checked {
        value,
        upper,
        plain,
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
        for n in NEVER_SIGNED {
            assert!(is_never_signed(n));
            // Neither a prefix nor a name one byte longer or changed.
            assert!(!is_never_signed(&n[..n.len() - 1]));
            assert!(!is_never_signed(&alloc::format!("{n}s")));
            assert!(!is_never_signed(&alloc::format!("_{}", &n[1..])));
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

    /// The one-pass scan calls a value plain exactly when folding would not change it.
    #[test]
    fn plain_means_folding_changes_nothing() {
        let alphabet = [b'a', b' ', b'\t', b'\r', b'\n', b'x'];
        // Every value of up to 5 bytes over the alphabet.
        let mut count = 0;
        for len in 0..=5u32 {
            for n in 0..alphabet.len().pow(len) {
                let mut v = alloc::vec::Vec::new();
                let mut k = n;
                for _ in 0..len {
                    v.push(alphabet[k % alphabet.len()]);
                    k /= alphabet.len();
                }
                let Ok((text, plain)) = scan_value(&v) else {
                    continue;
                };
                let mut folded = String::new();
                write_folded_value(&mut folded, text);
                assert_eq!(plain, folded == text, "{text:?}");
                count += 1;
            }
        }
        assert!(count > 1000, "{count}");
    }
}
