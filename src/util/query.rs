//! Query strings and form bodies: encoding `key=value` pairs the SigV4 way
//! and reading them back (splitting with the core's
//! [`parse_query`](crate::sign::canonical_query::parse_query), decoding with
//! [`decoded_bytes`]).

use crate::sign::canonical_query::parse_query;
use crate::sign::encoding::{decoded_bytes, encode_into, Input};

/// `k1=v1&k2=v2`, each key and value percent-encoded as literal text
/// (every byte outside the RFC 3986 unreserved set, `/` included): an S3
/// query string, or an `application/x-www-form-urlencoded` body.
pub(crate) fn encode_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (k, v) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        encode_into(&mut out, k, Input::Literal, false);
        out.push('=');
        encode_into(&mut out, v, Input::Literal, false);
    }
    out
}

/// `s` with its valid `%XX` escapes decoded (`+` stays a `+`); invalid
/// UTF-8 is replaced.
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes: Vec<u8> = decoded_bytes(s, Input::Decoded).collect();
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(feature = "client")]
/// Like [`percent_decode`], `+` read as a space first (form encoding, and
/// S3's `encoding-type=url` listings).
pub(crate) fn form_decode(s: &str) -> String {
    percent_decode(&s.replace('+', " "))
}

/// The decoded `(key, value)` pairs of a raw query string (without `?`).
pub(crate) fn decode_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    parse_query(query).map(|p| (percent_decode(p.key), percent_decode(p.value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let pairs = [("a b", "c/d+e"), ("versionId", ""), ("ü", "%")];
        let text = encode_pairs(pairs);
        assert_eq!(text, "a%20b=c%2Fd%2Be&versionId=&%C3%BC=%25");
        let back: Vec<(String, String)> = decode_pairs(&text).collect();
        assert_eq!(
            back,
            pairs.map(|(k, v)| (k.to_owned(), v.to_owned())).to_vec()
        );
        assert_eq!(
            decode_pairs("&x&y=1&").collect::<Vec<_>>(),
            [("x".to_owned(), String::new()), ("y".into(), "1".into())]
        );
        assert_eq!(percent_decode("a+b%2B%zz"), "a+b+%zz");
        assert_eq!(percent_decode("%ff"), "\u{fffd}");
    }

    #[cfg(feature = "client")]
    #[test]
    fn form_decoding_reads_plus_as_space() {
        assert_eq!(form_decode("a+b%2B"), "a b+");
    }
}
