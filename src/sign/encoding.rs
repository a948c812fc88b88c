//! URI encoding as SigV4 defines it (RFC 3986 unreserved set, uppercase hex).
//!
//! Written by hand rather than with `percent-encoding` because the hot path
//! needs three modes the crate does not offer without allocating: encoding
//! that re-encodes `%` (double encoding), encoding that first decodes valid
//! `%XX` escapes and re-encodes (normalized single encoding), and a
//! comparison of two encoded forms without materializing either.

use alloc::string::String;

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// RFC 3986 unreserved: `A-Z a-z 0-9 - . _ ~`.
///
/// Arithmetic without branches, so that a loop over a string of it
/// vectorizes (the check of whole query values uses it).
#[inline(always)]
pub const fn is_unreserved(b: u8) -> bool {
    ((b | 0x20).wrapping_sub(b'a') < 26)
        | (b.wrapping_sub(b'0') < 10)
        | (b == b'-')
        | (b == b'.')
        | (b == b'_')
        | (b == b'~')
}

/// Bytes copied as they are: bit 0 unreserved, bit 1 unreserved or `/`.
static KEEP: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        if is_unreserved(b as u8) {
            t[b] = 3;
        }
        b += 1;
    }
    t[b'/' as usize] = 2;
    t
};

#[inline]
fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// How the input text is read before encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// Every byte is literal: `%` itself is encoded as `%25`.
    Literal,
    /// Valid `%XX` escapes are decoded first, so already-encoded text is
    /// encoded once (`%7e` becomes `~`, `%2f` becomes `%2F`). Invalid escapes
    /// are taken literally.
    Decoded,
}

/// Iterator over the decoded bytes of `s` in the given input mode.
#[derive(Clone)]
pub struct DecodedBytes<'a> {
    bytes: &'a [u8],
    pos: usize,
    mode: Input,
}

impl Iterator for DecodedBytes<'_> {
    type Item = u8;
    #[inline]
    fn next(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.pos)?;
        if b == b'%' && self.mode == Input::Decoded {
            if let (Some(h), Some(l)) = (
                self.bytes.get(self.pos + 1).copied().and_then(hex_val),
                self.bytes.get(self.pos + 2).copied().and_then(hex_val),
            ) {
                self.pos += 3;
                return Some(h << 4 | l);
            }
        }
        self.pos += 1;
        Some(b)
    }
}

/// Decodes `s` byte by byte in `mode`.
pub fn decoded_bytes(s: &str, mode: Input) -> DecodedBytes<'_> {
    DecodedBytes {
        bytes: s.as_bytes(),
        pos: 0,
        mode,
    }
}

/// The bytes of the SigV4 encoding of `s`, lazily: used to sort query
/// parameters by their encoded form without allocating.
#[derive(Clone)]
pub struct EncodedBytes<'a> {
    inner: DecodedBytes<'a>,
    keep_slash: bool,
    pending: [u8; 2],
    npending: u8,
}

impl Iterator for EncodedBytes<'_> {
    type Item = u8;
    #[inline]
    fn next(&mut self) -> Option<u8> {
        if self.npending > 0 {
            let b = self.pending[2 - self.npending as usize];
            self.npending -= 1;
            return Some(b);
        }
        let b = self.inner.next()?;
        if is_unreserved(b) || (self.keep_slash && b == b'/') {
            Some(b)
        } else {
            self.pending = [HEX_UPPER[(b >> 4) as usize], HEX_UPPER[(b & 15) as usize]];
            self.npending = 2;
            Some(b'%')
        }
    }
}

/// Lazily encodes `s` (read in `mode`), keeping `/` when `keep_slash`.
pub fn encoded_bytes(s: &str, mode: Input, keep_slash: bool) -> EncodedBytes<'_> {
    EncodedBytes {
        inner: decoded_bytes(s, mode),
        keep_slash,
        pending: [0; 2],
        npending: 0,
    }
}

/// `%XX` for every byte value, back to back: an escape is one `push_str`
/// of three bytes rather than three `push`es.
const ESCAPES: &str = "%00%01%02%03%04%05%06%07%08%09%0A%0B%0C%0D%0E%0F%10%11%12%13%14%15%16%17%18%19%1A%1B%1C%1D%1E%1F\
    %20%21%22%23%24%25%26%27%28%29%2A%2B%2C%2D%2E%2F%30%31%32%33%34%35%36%37%38%39%3A%3B%3C%3D%3E%3F\
    %40%41%42%43%44%45%46%47%48%49%4A%4B%4C%4D%4E%4F%50%51%52%53%54%55%56%57%58%59%5A%5B%5C%5D%5E%5F\
    %60%61%62%63%64%65%66%67%68%69%6A%6B%6C%6D%6E%6F%70%71%72%73%74%75%76%77%78%79%7A%7B%7C%7D%7E%7F\
    %80%81%82%83%84%85%86%87%88%89%8A%8B%8C%8D%8E%8F%90%91%92%93%94%95%96%97%98%99%9A%9B%9C%9D%9E%9F\
    %A0%A1%A2%A3%A4%A5%A6%A7%A8%A9%AA%AB%AC%AD%AE%AF%B0%B1%B2%B3%B4%B5%B6%B7%B8%B9%BA%BB%BC%BD%BE%BF\
    %C0%C1%C2%C3%C4%C5%C6%C7%C8%C9%CA%CB%CC%CD%CE%CF%D0%D1%D2%D3%D4%D5%D6%D7%D8%D9%DA%DB%DC%DD%DE%DF\
    %E0%E1%E2%E3%E4%E5%E6%E7%E8%E9%EA%EB%EC%ED%EE%EF%F0%F1%F2%F3%F4%F5%F6%F7%F8%F9%FA%FB%FC%FD%FE%FF";

/// The `%XX` escape of `b`.
#[inline]
fn escape(b: u8) -> &'static str {
    let i = 3 * b as usize;
    ESCAPES.get(i..i + 3).unwrap_or("")
}

/// True when `s` is all unreserved bytes: its encoding is itself.
#[inline]
pub(crate) fn is_unreserved_str(s: &str) -> bool {
    // Arithmetic instead of the table, and no early exit: the loop
    // vectorizes (query values such as a credential are 50-100 bytes).
    s.bytes().fold(true, |ok, b| ok & is_unreserved(b))
}

/// Appends to `text` the SigV4 URI encoding (of literal bytes, `/`
/// encoded) of its own bytes in `range`: a query value already in the
/// buffer, encoded without a second buffer.
pub(crate) fn encode_within(text: &mut String, range: core::ops::Range<usize>) {
    let mut i = range.start;
    let end = range.end.min(text.len());
    while i < end {
        let b = text.as_bytes()[i];
        if KEEP[b as usize] & 1 == 0 {
            text.push_str(escape(b));
            i += 1;
            continue;
        }
        // A run of unreserved bytes (ASCII, so its ends are character
        // boundaries), copied from the buffer being appended to.
        let start = i;
        while i < end && KEEP[text.as_bytes()[i] as usize] & 1 != 0 {
            i += 1;
        }
        text.extend_from_within(start..i);
    }
}

/// Appends the SigV4 URI encoding of `s` (read in `mode`) to `out`.
///
/// Every byte outside the unreserved set is written as `%XX` with uppercase
/// hex; `/` is kept when `keep_slash` is true (paths) and encoded otherwise
/// (query keys and values).
pub fn encode_into(out: &mut String, s: &str, mode: Input, keep_slash: bool) {
    let bytes = s.as_bytes();
    let keep = if keep_slash { 2 } else { 1 };
    // The unreserved start is copied as it is (often the whole string).
    let Some(first) = bytes.iter().position(|&b| KEEP[b as usize] & keep == 0) else {
        out.push_str(s);
        return;
    };
    out.push_str(s.get(..first).unwrap_or(""));
    // The rest goes through a stack buffer, copied out when full: one copy
    // per buffer instead of one per run and per escape.
    let mut buf = [0u8; 128];
    let mut n = 0;
    let mut i = first;
    while let Some(&b) = bytes.get(i) {
        if n > buf.len() - 3 {
            push_ascii(out, &buf[..n]);
            n = 0;
        }
        let mut decoded = b;
        let mut width = 1;
        if b == b'%' && mode == Input::Decoded {
            if let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex_val),
                bytes.get(i + 2).copied().and_then(hex_val),
            ) {
                decoded = h << 4 | l;
                width = 3;
            }
        }
        if KEEP[decoded as usize] & keep != 0 {
            buf[n] = decoded;
            n += 1;
        } else {
            buf[n..n + 3].copy_from_slice(escape(decoded).as_bytes());
            n += 3;
        }
        i += width;
    }
    push_ascii(out, &buf[..n]);
}

/// Appends `ascii` (unreserved bytes and escapes only) to `out`.
#[inline]
fn push_ascii(out: &mut String, ascii: &[u8]) {
    out.push_str(super::text::utf8(ascii).unwrap_or(""));
}

/// Returns the SigV4 URI encoding of `s` as a new string.
pub fn encode(s: &str, mode: Input, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    encode_into(&mut out, s, mode, keep_slash);
    out
}

/// A decimal number rendered on the stack (no allocation, no `core::fmt`).
pub(crate) struct Decimal {
    buf: [u8; 20],
    start: usize,
}

impl Decimal {
    pub(crate) fn new(mut v: u64) -> Self {
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        loop {
            i -= 1;
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        Decimal { buf, start: i }
    }

    pub(crate) fn as_str(&self) -> &str {
        core::str::from_utf8(&self.buf[self.start..]).unwrap_or("0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// The arithmetic is RFC 3986's list, for every byte.
    #[test]
    fn unreserved_arithmetic_is_the_rfc_list() {
        for b in 0..=255u8 {
            let listed = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
            assert_eq!(is_unreserved(b), listed, "{b:#x}");
            assert_eq!(KEEP[b as usize] & 1 != 0, listed, "{b:#x}");
        }
    }

    #[test]
    fn the_escape_table_is_every_byte() {
        for b in 0..=255u8 {
            assert_eq!(escape(b), alloc::format!("%{b:02X}"));
        }
    }

    /// Encoding a value from inside the buffer gives what encoding it from outside does.
    #[test]
    fn encode_within_matches_encode_into() {
        for value in [
            "",
            "AKID/20130524/us-east-1/s3/aws4_request",
            "a b+c=d&e%f~g",
            "r\u{e9}gion/\u{1f600}",
            "host;x-amz-date",
        ] {
            let mut want = String::from("prefix=");
            encode_into(&mut want, value, Input::Literal, false);
            let mut text = String::from(value);
            text.push_str("prefix=");
            encode_within(&mut text, 0..value.len());
            assert_eq!(&text[value.len()..], want, "{value:?}");
        }
    }

    #[test]
    fn unreserved_is_kept() {
        let all = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        assert_eq!(encode(all, Input::Literal, false), all);
    }

    #[test]
    fn reserved_and_utf8_are_encoded_uppercase() {
        assert_eq!(
            encode("a b+c=d&e/f", Input::Literal, false),
            "a%20b%2Bc%3Dd%26e%2Ff"
        );
        assert_eq!(encode("a/b c", Input::Literal, true), "a/b%20c");
        assert_eq!(encode("\u{1234}", Input::Literal, true), "%E1%88%B4");
        assert_eq!(encode("*", Input::Literal, true), "%2A");
    }

    #[test]
    fn literal_mode_encodes_percent() {
        assert_eq!(encode("a%3Ab", Input::Literal, true), "a%253Ab");
    }

    #[test]
    fn decoded_mode_normalizes_escapes() {
        assert_eq!(encode("a%3ab%7E%2f", Input::Decoded, true), "a%3Ab~/");
        assert_eq!(encode("a%3ab%7E%2f", Input::Decoded, false), "a%3Ab~%2F");
        // Invalid escapes are literal percent signs.
        assert_eq!(encode("100%", Input::Decoded, false), "100%25");
        assert_eq!(encode("%zz%4", Input::Decoded, false), "%25zz%254");
    }

    #[test]
    fn lazy_encoding_matches_eager() {
        for s in ["", "abc", "a b%20c%zz/d", "\u{e9}\u{1234}~", "%%%", "x%2"] {
            for mode in [Input::Literal, Input::Decoded] {
                for keep in [true, false] {
                    let lazy: Vec<u8> = encoded_bytes(s, mode, keep).collect();
                    assert_eq!(
                        lazy,
                        encode(s, mode, keep).into_bytes(),
                        "{s:?} {mode:?} {keep}"
                    );
                }
            }
        }
    }

    /// Long values cross the stack buffer's flushes at every alignment: an
    /// escape, a decoded escape or a kept byte at each buffer boundary.
    #[test]
    fn long_values_encode_like_the_lazy_encoder() {
        let pieces = ["a", "/", "%2f", "%zz", "\u{e9}", "~", " ", "%41"];
        for len in 0..=300 {
            for shift in 0..pieces.len() {
                let s: String = (0..len)
                    .map(|i| pieces[(i * 7 + shift) % pieces.len()])
                    .collect();
                for mode in [Input::Literal, Input::Decoded] {
                    for keep in [true, false] {
                        let lazy: Vec<u8> = encoded_bytes(&s, mode, keep).collect();
                        let mut out = String::from("x=");
                        encode_into(&mut out, &s, mode, keep);
                        assert_eq!(
                            &out.as_bytes()[2..],
                            &lazy[..],
                            "{len} {shift} {mode:?} {keep}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn decimal_renders_every_width() {
        for v in [0u64, 7, 10, 604_800, u64::MAX] {
            assert_eq!(Decimal::new(v).as_str(), alloc::format!("{v}"));
        }
    }
}
