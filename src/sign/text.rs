//! Byte strings as text, with a fast path for ASCII.
//!
//! Header values arrive as bytes and must be UTF-8 to be signed. Nearly
//! all are ASCII, and for short strings `core::str::from_utf8` costs about
//! 100 instructions (measured with callgrind on a 12-byte `range` value)
//! where `<[u8]>::is_ascii` costs a fraction; the full check runs only
//! when a byte is not ASCII.

use core::cmp::Ordering;
use core::str::Utf8Error;

/// `a == b` for short byte strings (header names) without a call to
/// `memcmp`: slice equality of a length only known at run time calls it
/// through the PLT, which costs more than the bytes on names this short.
#[inline]
pub(crate) fn eq_short(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0, |d, (x, y)| d | (x ^ y)) == 0
}

/// `a.eq_ignore_ascii_case(b)` for short byte strings: one pass without
/// early exit, inlined (the standard one is an out-of-line call per
/// comparison, and header names are compared several times a signature).
#[inline]
pub(crate) fn eq_ignore_case(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).fold(0, |d, (x, y)| {
            d | (x.to_ascii_lowercase() ^ y.to_ascii_lowercase())
        }) == 0
}

/// `a.cmp(b)` for short byte strings, without `memcmp` (see [`eq_short`]).
#[inline]
pub(crate) fn cmp_short(a: &[u8], b: &[u8]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

/// `bytes` as a `str`: the same result as `core::str::from_utf8`.
#[inline]
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, Utf8Error> {
    if bytes.is_ascii() {
        // SAFETY: every byte is below 0x80, and ASCII is valid UTF-8.
        #[allow(unsafe_code)]
        unsafe {
            Ok(core::str::from_utf8_unchecked(bytes))
        }
    } else {
        core::str::from_utf8(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_comparisons_are_the_slice_ones() {
        let words: [&[u8]; 12] = [
            b"",
            b"a",
            b"b",
            b"ab",
            b"ba",
            b"host",
            b"hosts",
            b"x-amz-date",
            b"x-amz-datf",
            b"X-Amz-Date",
            b"x-amz-[ate",
            b"x-amz-{ate",
        ];
        for a in words {
            for b in words {
                assert_eq!(eq_short(a, b), a == b, "{a:?} {b:?}");
                assert_eq!(eq_ignore_case(a, b), a.eq_ignore_ascii_case(b));
                let upper = a.to_ascii_uppercase();
                assert_eq!(eq_ignore_case(&upper, b), upper.eq_ignore_ascii_case(b));
                assert_eq!(cmp_short(a, b), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn same_as_from_utf8() {
        for b in [
            &b""[..],
            b"bytes=0-1023",
            b"caf\xc3\xa9",
            b"\xff",
            b"a\xc3",
            b"\x00\x7f",
            "\u{10ffff}".as_bytes(),
        ] {
            assert_eq!(utf8(b), core::str::from_utf8(b), "{b:?}");
        }
    }
}
