//! Parsing `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.

use super::malformed;
use crate::sign::{Error, ALGORITHM};

/// The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Authorization<'a> {
    /// The access key id.
    pub access_key_id: &'a str,
    /// The scope's date, `YYYYMMDD`.
    pub date: &'a str,
    /// The scope's region.
    pub region: &'a str,
    /// The scope's service.
    pub service: &'a str,
    /// The `;`-separated signed header names.
    pub signed_headers: &'a str,
    /// The hex signature.
    pub signature: &'a str,
}

/// `str::trim`, without decoding characters while the ends are ASCII:
/// ASCII whitespace (tab to carriage return, space) is cut byte by byte,
/// and `str::trim` runs only on what is left when an end is beyond ASCII
/// (where Unicode whitespace may be). The parts of an `Authorization`
/// value after a `,` start with one space.
#[inline]
pub(super) fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let space = |c: u8| c == b' ' || (0x09..=0x0d).contains(&c);
    let mut start = 0;
    while start < b.len() && space(b[start]) {
        start += 1;
    }
    let mut end = b.len();
    while end > start && space(b[end - 1]) {
        end -= 1;
    }
    // Both cuts are next to ASCII bytes: character boundaries.
    let s = &s[start..end];
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(&f), Some(&l)) if f >= 0x80 || l >= 0x80 => s.trim(),
        _ => s,
    }
}

const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// 0x80 in exactly the bytes of `word` that equal `needle` (no false
/// positives, unlike the borrow trick, so the highest flag is exact too).
#[inline(always)]
fn matches(word: &[u8], needle: u8) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(word);
    let x = u64::from_le_bytes(w) ^ (0x0101_0101_0101_0101 * u64::from(needle));
    !(((x & LO7).wrapping_add(LO7)) | x | LO7)
}

/// The first `needle` in `hay`, eight bytes at a time (`str::find` goes
/// through a char searcher and `memchr`, slow on strings this short).
#[inline]
pub(super) fn find_byte(hay: &[u8], needle: u8) -> Option<usize> {
    let mut i = 0;
    while let Some(word) = hay.get(i..i + 8) {
        let m = matches(word, needle);
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    hay[i..].iter().position(|&b| b == needle).map(|p| i + p)
}

/// The last `needle` in `hay`, eight bytes at a time.
#[inline]
pub(super) fn rfind_byte(hay: &[u8], needle: u8) -> Option<usize> {
    let mut end = hay.len();
    while end >= 8 {
        let m = matches(&hay[end - 8..end], needle);
        if m != 0 {
            return Some(end - 8 + (7 - m.leading_zeros() / 8) as usize);
        }
        end -= 8;
    }
    hay[..end].iter().rposition(|&b| b == needle)
}

/// Splits `AKID/YYYYMMDD/region/service/aws4_request`.
pub(super) fn parse_credential(credential: &str) -> Result<(&str, &str, &str, &str), Error> {
    well_formed_credential(credential).map_or_else(|| credential_parts(credential), Ok)
}

/// [`parse_credential`] for a credential with every part in place: the
/// terminator and the date are checked where they must be instead of
/// searched for. `None` for anything else, which [`credential_parts`] then
/// reads (and reports).
#[inline]
fn well_formed_credential(credential: &str) -> Option<(&str, &str, &str, &str)> {
    let rest = credential.strip_suffix("/aws4_request")?;
    let s = rfind_byte(rest.as_bytes(), b'/')?;
    let r = rfind_byte(&rest.as_bytes()[..s], b'/')?;
    // `/YYYYMMDD` before the region; the key id before that, not empty.
    let d = r.checked_sub(9).filter(|&d| d > 0)?;
    let date = rest.as_bytes().get(d..r)?;
    let digits = date[1..].iter().fold(true, |ok, b| ok & b.is_ascii_digit());
    let (service, region) = (&rest[s + 1..], &rest[r + 1..s]);
    (date[0] == b'/' && digits && !region.is_empty() && !service.is_empty())
        .then(|| (&rest[..d], &rest[d + 1..r], region, service))
}

/// [`parse_credential`] for any credential: the last four `/` found from
/// the end, each part then checked.
fn credential_parts(credential: &str) -> Result<(&str, &str, &str, &str), Error> {
    // The last four `/` (the access key id may hold more).
    let mut cuts = [0usize; 4];
    let mut found = 0;
    let mut end = credential.len();
    while found < 4 {
        match rfind_byte(&credential.as_bytes()[..end], b'/') {
            Some(i) => {
                cuts[found] = i;
                found += 1;
                end = i;
            }
            None => break,
        }
    }
    let missing = [
        "credential has no service",
        "credential has no region",
        "credential has no date",
        "credential has no access key id",
    ];
    if found < 4 {
        return Err(malformed(missing[found]));
    }
    let [t, s, r, d] = cuts;
    let terminator = &credential[t + 1..];
    let service = &credential[s + 1..t];
    let region = &credential[r + 1..s];
    let date = &credential[d + 1..r];
    let akid = &credential[..d];
    if terminator != "aws4_request" {
        return Err(malformed("credential scope does not end with aws4_request"));
    }
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed("credential date is not YYYYMMDD"));
    }
    if akid.is_empty() || region.is_empty() || service.is_empty() {
        return Err(malformed("empty part in the credential"));
    }
    Ok((akid, date, region, service))
}

/// Parses an `Authorization` header value.
pub fn parse_authorization(value: &str) -> Result<Authorization<'_>, Error> {
    match signers_layout(value) {
        Some((credential, signed_headers, signature)) => {
            // The layout check read the signature as 64 hex digits already.
            authorization(
                Some(credential),
                Some(signed_headers),
                Some(signature),
                true,
            )
        }
        None => parse_any_layout(value),
    }
}

/// The three values of an `Authorization` value written the way signers
/// write it, `AWS4-HMAC-SHA256 Credential=C, SignedHeaders=S, Signature=X`
/// (one space after each comma, nothing to trim, no other part, 64 hex
/// digits): three prefix comparisons and two byte searches. `None` for
/// any other layout, which [`parse_any_layout`] then reads (the same
/// values wherever this gives some: tested).
fn signers_layout(value: &str) -> Option<(&str, &str, &str)> {
    // What `trim` would cut from the end of a part.
    let untrimmed = |s: &str| s.as_bytes().last().is_some_and(|&b| b > b' ' && b < 0x80);
    let rest = value.strip_prefix("AWS4-HMAC-SHA256 Credential=")?;
    let c = find_byte(rest.as_bytes(), b',')?;
    let (credential, rest) = rest.split_at(c);
    let rest = rest.strip_prefix(", SignedHeaders=")?;
    let s = find_byte(rest.as_bytes(), b',')?;
    let (signed, rest) = rest.split_at(s);
    let signature = rest.strip_prefix(", Signature=")?;
    (untrimmed(credential) && untrimmed(signed) && is_signature_hex(signature))
        .then_some((credential, signed, signature))
}

/// 64 lowercase hex digits, folded without early exit (the 64 bytes are
/// checked in a few vector steps).
#[inline]
fn is_signature_hex(signature: &str) -> bool {
    signature.len() == 64
        && signature.bytes().fold(true, |ok, b| {
            ok & ((b.wrapping_sub(b'0') < 10) | (b.wrapping_sub(b'a') < 6))
        })
}

/// [`parse_authorization`] for any layout: parts in any order, with
/// whitespace around them.
fn parse_any_layout(value: &str) -> Result<Authorization<'_>, Error> {
    let rest = trim(value)
        .strip_prefix(ALGORITHM)
        .ok_or(malformed("not an AWS4-HMAC-SHA256 authorization"))?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    // The `,`-separated parts, as `split(',')` gives them, found with byte
    // loops: `str::find` goes through a char searcher and `memchr`, slow on
    // strings this short.
    let mut rest = rest;
    loop {
        let bytes = rest.as_bytes();
        let end = find_byte(bytes, b',').unwrap_or(bytes.len());
        let last = end == bytes.len();
        // `,` is ASCII: both cuts are on character boundaries.
        let part = trim(&rest[..end]);
        rest = if last { "" } else { &rest[end + 1..] };
        // The key is what precedes the first `=`: a part starting with a
        // known key and `=` is that key (no search for the `=`).
        let p = part.as_bytes();
        let (slot, key_len) = if p.starts_with(b"Credential=") {
            (&mut credential, 10)
        } else if p.starts_with(b"SignedHeaders=") {
            (&mut signed, 13)
        } else if p.starts_with(b"Signature=") {
            (&mut signature, 9)
        } else if p.contains(&b'=') {
            return Err(malformed("unknown authorization part"));
        } else {
            return Err(malformed("authorization part without `=`"));
        };
        if slot.replace(&part[key_len + 1..]).is_some() {
            return Err(malformed("repeated authorization part"));
        }
        if last {
            break;
        }
    }
    authorization(credential, signed, signature, false)
}

/// The parsed `Authorization` from its three values, when each came;
/// `hex_checked`: the signature is known to be 64 lowercase hex digits.
fn authorization<'a>(
    credential: Option<&'a str>,
    signed: Option<&'a str>,
    signature: Option<&'a str>,
    hex_checked: bool,
) -> Result<Authorization<'a>, Error> {
    let (access_key_id, date, region, service) =
        parse_credential(credential.ok_or(malformed("authorization has no Credential"))?)?;
    let signed_headers = signed.ok_or(malformed("authorization has no SignedHeaders"))?;
    let signature = signature.ok_or(malformed("authorization has no Signature"))?;
    if !hex_checked && !is_signature_hex(signature) {
        return Err(malformed("signature is not 64 lowercase hex digits"));
    }
    Ok(Authorization {
        access_key_id,
        date,
        region,
        service,
        signed_headers,
        signature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_split_at_the_last_four_slashes() {
        assert_eq!(
            parse_credential("A/K/20150830/us-east-1/iam/aws4_request").unwrap(),
            ("A/K", "20150830", "us-east-1", "iam")
        );
        for (credential, reason) in [
            ("aws4_request", "credential has no service"),
            ("iam/aws4_request", "credential has no region"),
            ("us-east-1/iam/aws4_request", "credential has no date"),
            (
                "20150830/us-east-1/iam/aws4_request",
                "credential has no access key id",
            ),
            (
                "AKID/20150830/us-east-1/iam/aws4",
                "credential scope does not end with aws4_request",
            ),
            (
                "/20150830/us-east-1/iam/aws4_request",
                "empty part in the credential",
            ),
        ] {
            assert_eq!(
                parse_credential(credential),
                Err(Error::MalformedSignature { reason }),
                "{credential}"
            );
        }
        // Parts as `split(',')` gives them: an empty last part is an error.
        assert!(parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7,"
        )
        .is_err());
    }

    /// The well-formed credential's reading is the general one, over every
    /// edit of a valid credential at every position.
    #[test]
    fn well_formed_credentials_are_read_like_any() {
        let good = "AK/ID/20150830/us-east-1/iam/aws4_request";
        assert!(well_formed_credential(good).is_some());
        let edits = [
            "",
            "/",
            "//",
            "0",
            "a",
            "é",
            "aws4_request",
            "/aws4_request",
        ];
        let (mut fast, mut n) = (0, 0);
        for cut in (0..=good.len()).filter(|&i| good.is_char_boundary(i)) {
            for removed in [0, 1, 9] {
                for edit in edits {
                    let end = (cut + removed).min(good.len());
                    let c = alloc::format!("{}{edit}{}", &good[..cut], &good[end..]);
                    let quick = well_formed_credential(&c);
                    assert_eq!(parse_credential(&c), credential_parts(&c), "{c:?}");
                    if let Some(parts) = quick {
                        assert_eq!(Ok(parts), credential_parts(&c), "{c:?}");
                        fast += 1;
                    }
                    n += 1;
                }
            }
        }
        // Both readers were exercised.
        assert!(fast > 100 && n - fast > 100, "{fast} of {n}");
    }

    /// The signers' layout gives what the general parser gives, over
    /// every edit of a valid value at every position.
    #[test]
    fn signers_layout_is_read_like_any_layout() {
        let good = "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, \
                    SignedHeaders=host;x-amz-date, \
                    Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
        assert!(signers_layout(good).is_some());
        assert_eq!(parse_authorization(good), parse_any_layout(good));
        let edits = [
            " ", "  ", ",", ", ", "\t", "\u{a0}", "=", "a", "A", "/", ";", "",
        ];
        let (mut fast, mut n) = (0, 0);
        for cut in (0..=good.len()).filter(|&i| good.is_char_boundary(i)) {
            for removed in [0, 1] {
                for edit in edits {
                    let end = (cut + removed).min(good.len());
                    let v = alloc::format!("{}{edit}{}", &good[..cut], &good[end..]);
                    assert_eq!(parse_authorization(&v), parse_any_layout(&v), "{v:?}");
                    fast += usize::from(signers_layout(&v).is_some());
                    n += 1;
                }
            }
        }
        // Parts reordered: the general parser's.
        let reordered = "AWS4-HMAC-SHA256 SignedHeaders=host, Credential=AKID/20150830/us-east-1/iam/aws4_request, \
                         Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
        assert!(signers_layout(reordered).is_none());
        assert!(parse_authorization(reordered).is_ok());
        assert!(fast > 500 && n > 4000, "{fast} of {n}");
    }

    #[test]
    fn byte_searches_agree_with_the_iterators() {
        let hay: alloc::vec::Vec<u8> = (0..40usize).map(|i| b"ab,/;x"[i * 7 % 6]).collect();
        for start in 0..hay.len() {
            for end in start..=hay.len() {
                let h = &hay[start..end];
                for needle in [b',', b'/', b';', b'q', 0x80] {
                    assert_eq!(find_byte(h, needle), h.iter().position(|&b| b == needle));
                    assert_eq!(rfind_byte(h, needle), h.iter().rposition(|&b| b == needle));
                }
            }
        }
        // Bytes around a match that the borrow trick would flag falsely.
        let tricky = [0x01, 0x00, 0x01, 0x2c, 0x2d, 0x2b, 0xac, 0x2c, 0x01, 0x2c];
        for n in 0..=tricky.len() {
            let h = &tricky[..n];
            for needle in [0x2c, 0x00, 0x01, 0xac] {
                assert_eq!(find_byte(h, needle), h.iter().position(|&b| b == needle));
                assert_eq!(rfind_byte(h, needle), h.iter().rposition(|&b| b == needle));
            }
        }
    }

    #[test]
    fn trim_is_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a ",
            "\u{b}a",
            "a\u{85}",
            "\u{a0}x\u{3000}",
            "\u{7f}",
            "x\u{1f}",
            "é",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
        // Every string of up to four pieces of ASCII and Unicode whitespace
        // and text.
        let pieces = [
            " ", "\t", "\r\n", "\u{b}", "\u{1c}", "\u{85}", "\u{a0}", "\u{3000}", "a", "é",
        ];
        let mut n = 0;
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    for d in pieces {
                        let s = alloc::format!("{a}{b}{c}{d}");
                        assert_eq!(trim(&s), s.trim(), "{s:?}");
                        n += 1;
                    }
                }
            }
        }
        assert_eq!(n, 10_000);
    }

    #[test]
    fn parses_authorization() {
        let a = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, \
             Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        )
        .unwrap();
        assert_eq!(
            (a.access_key_id, a.date, a.region, a.service),
            ("AKID", "20150830", "us-east-1", "iam")
        );
        assert_eq!(a.signed_headers, "content-type;host;x-amz-date");
        for bad in [
            "",
            "AWS4-HMAC-SHA1 Credential=a/20150830/r/s/aws4_request, SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 Credential=a/2015/r/s/aws4_request, SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 Credential=a/20150830/r/s/aws4, SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 Credential=a/20150830/r/s/aws4_request, SignedHeaders=host",
            "AWS4-HMAC-SHA256 Credential=a/20150830/r/s/aws4_request, SignedHeaders=host, Signature=XYZ",
            "AWS4-HMAC-SHA256 Credential=a/20150830/r/s/aws4_request, Credential=b, SignedHeaders=host, Signature=00",
        ] {
            assert!(parse_authorization(bad).is_err(), "{bad}");
        }
    }
}
