//! Byte strings as text, with a fast path for ASCII.
//!
//! Header values arrive as bytes and must be UTF-8 to be signed. Nearly
//! all are ASCII, and for short strings `core::str::from_utf8` costs about
//! 100 instructions (measured with callgrind on a 12-byte `range` value)
//! where `<[u8]>::is_ascii` costs a fraction; the full check runs only
//! when a byte is not ASCII.

use core::str::Utf8Error;

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
