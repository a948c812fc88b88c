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

/// `a.eq_ignore_ascii_case(lower)` where `lower` has no ASCII uppercase
/// letter (a name from our tables, or from a list already checked to be
/// lowercase): only `a` is folded, eight bytes at a time from eight bytes
/// on (header names such as `x-amz-content-sha256` are compared as three
/// words, not twenty bytes each folded on both sides).
#[inline]
pub(crate) fn eq_lowercase(a: &[u8], lower: &[u8]) -> bool {
    debug_assert!(!lower.iter().any(u8::is_ascii_uppercase));
    let n = a.len();
    if n != lower.len() {
        return false;
    }
    if n < 8 {
        return a
            .iter()
            .zip(lower)
            .fold(0, |d, (x, y)| d | (x.to_ascii_lowercase() ^ y))
            == 0;
    }
    let word = |s: &[u8], i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[i..i + 8]);
        u64::from_le_bytes(w)
    };
    let mut d = 0;
    let mut i = 0;
    while i + 8 < n {
        d |= lower_word(word(a, i)) ^ word(lower, i);
        i += 8;
    }
    // The last eight bytes, overlapping the words before when `n` is not
    // a multiple of eight.
    d |= lower_word(word(a, n - 8)) ^ word(lower, n - 8);
    d == 0
}

/// Each byte of `x` that is an ASCII uppercase letter, lowercased (SWAR:
/// no carry crosses a byte, since each sum is of a byte below 0x80 and a
/// constant below 0x40).
#[inline]
fn lower_word(x: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let h = x & LOW7;
    // Bit 7 of each byte: at least 'A' (0x41), and above 'Z' (0x5a).
    let at_least_a = h + 0x3f3f_3f3f_3f3f_3f3f;
    let above_z = h + 0x2525_2525_2525_2525;
    let upper = at_least_a & !above_z & !x & HIGH;
    x | (upper >> 2)
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
    fn lowercase_comparison_is_the_ignore_case_one() {
        // Every byte value at every position of names of 1 to 24 bytes,
        // against lowercase names that differ from it there or nowhere.
        let base = b"x-amz-content-sha256-abc";
        for n in 1..=base.len() {
            let lower = &base[..n];
            for pos in 0..n {
                for byte in 0..=255u8 {
                    let mut a = lower.to_vec();
                    a[pos] = byte;
                    assert_eq!(
                        eq_lowercase(&a, lower),
                        a.eq_ignore_ascii_case(lower),
                        "{a:?} {lower:?}"
                    );
                    let upper = a.to_ascii_uppercase();
                    assert_eq!(
                        eq_lowercase(&upper, lower),
                        upper.eq_ignore_ascii_case(lower)
                    );
                }
            }
            assert!(!eq_lowercase(&base[..n - 1], lower));
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
