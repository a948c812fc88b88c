//! Canonical query string.
//!
//! Rules: split on `&`, split each pair at the first `=` (a pair without `=`
//! has an empty value), never turn `+` into a space, decode valid `%XX`
//! escapes and re-encode every byte outside the unreserved set with uppercase
//! hex, then sort by encoded key and, for repeated keys, by encoded value.
//! Sorting compares the encoded forms lazily, so nothing is allocated per
//! parameter.

use super::encoding::{encode_into, encoded_bytes, is_unreserved_str, Input};
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;
use smallvec::SmallVec;

/// One query parameter as it enters the canonical query string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryParam<'a> {
    /// The key, as written in the URL (`Input::Decoded`) or literal (`Input::Literal`).
    pub key: &'a str,
    /// The value, read the same way as the key.
    pub value: &'a str,
    /// How `key` and `value` are read before encoding.
    pub input: Input,
}

impl<'a> QueryParam<'a> {
    /// A parameter taken from a URL's query string: existing escapes are decoded once.
    pub const fn from_url(key: &'a str, value: &'a str) -> Self {
        QueryParam {
            key,
            value,
            input: Input::Decoded,
        }
    }

    /// A parameter whose key and value are literal text (every `%` is data).
    pub const fn literal(key: &'a str, value: &'a str) -> Self {
        QueryParam {
            key,
            value,
            input: Input::Literal,
        }
    }

    /// Orders parameters by encoded key, then encoded value.
    pub fn canonical_cmp(&self, other: &Self) -> Ordering {
        Sortable::new(*self).cmp(&Sortable::new(*other))
    }
}

/// Splits a raw query string (without `?`) into parameters, skipping empty pieces.
pub fn parse_query(query: &str) -> impl Iterator<Item = QueryParam<'_>> + Clone {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => QueryParam::from_url(k, v),
            None => QueryParam::from_url(pair, ""),
        })
}

/// Sorts `params` canonically and appends the canonical query string to `out`.
pub fn write_canonical_query(out: &mut String, params: &mut [QueryParam<'_>]) {
    write_canonical_query_with(out, params, |_, _| {});
}

/// A parameter with whether its key and value are their own encoding
/// (all unreserved bytes: no `%`, so the same in both input modes), found
/// once rather than at every comparison of the sort.
#[derive(Clone, Copy)]
struct Sortable<'a> {
    param: QueryParam<'a>,
    key_plain: bool,
    value_plain: bool,
}

impl<'a> Sortable<'a> {
    fn new(param: QueryParam<'a>) -> Self {
        Sortable {
            param,
            key_plain: is_unreserved_str(param.key),
            value_plain: is_unreserved_str(param.value),
        }
    }

    /// [`QueryParam::canonical_cmp`]: keys of unreserved bytes only (all
    /// of the presign parameters, most keys) are their own encoding, and
    /// are compared as they are.
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (&self.param, &other.param);
        let by_key = if self.key_plain && other.key_plain {
            a.key.as_bytes().cmp(b.key.as_bytes())
        } else {
            encoded_bytes(a.key, a.input, false).cmp(encoded_bytes(b.key, b.input, false))
        };
        by_key.then_with(|| {
            if self.value_plain && other.value_plain {
                a.value.as_bytes().cmp(b.value.as_bytes())
            } else {
                encoded_bytes(a.value, a.input, false).cmp(encoded_bytes(b.value, b.input, false))
            }
        })
    }
}

/// [`write_canonical_query`], telling `on_value` where each parameter's
/// encoded value went in `out`.
pub(crate) fn write_canonical_query_with(
    out: &mut String,
    params: &mut [QueryParam<'_>],
    mut on_value: impl FnMut(&QueryParam<'_>, core::ops::Range<usize>),
) {
    let mut sorted: SmallVec<[Sortable<'_>; 12]> =
        params.iter().map(|&param| Sortable::new(param)).collect();
    sorted.sort_unstable_by(Sortable::cmp);
    for (i, s) in sorted.iter().enumerate() {
        let p = &s.param;
        if i > 0 {
            out.push('&');
        }
        if s.key_plain {
            out.push_str(p.key);
        } else {
            encode_into(out, p.key, p.input, false);
        }
        out.push('=');
        let start = out.len();
        if s.value_plain {
            out.push_str(p.value);
        } else {
            encode_into(out, p.value, p.input, false);
        }
        on_value(p, start..out.len());
    }
    for (dst, s) in params.iter_mut().zip(&sorted) {
        *dst = s.param;
    }
}

/// The canonical query string of a raw query as a new string.
pub fn canonical_query(query: &str) -> String {
    let mut params: Vec<_> = parse_query(query).collect();
    let mut out = String::with_capacity(query.len() + 16);
    write_canonical_query(&mut out, &mut params);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn sorts_by_encoded_key_then_value() {
        assert_eq!(canonical_query("b=2&a=1&a=0"), "a=0&a=1&b=2");
        assert_eq!(
            canonical_query("Param2=value2&Param1=value1"),
            "Param1=value1&Param2=value2"
        );
        // Uppercase sorts before lowercase (byte order).
        assert_eq!(canonical_query("a=1&B=2"), "B=2&a=1");
        // Sorting uses the encoded form: `%E1...` < `P`.
        assert_eq!(
            canonical_query("Param-3=Value3&Param=Value2&%E1%88%B4=Value1"),
            "%E1%88%B4=Value1&Param=Value2&Param-3=Value3"
        );
    }

    #[test]
    fn plus_is_not_a_space() {
        assert_eq!(canonical_query("q=a+b"), "q=a%2Bb");
        assert_eq!(canonical_query("q=a%20b"), "q=a%20b");
        assert_eq!(canonical_query("q=a b"), "q=a%20b");
    }

    #[test]
    fn empty_values_and_keys_without_equals() {
        assert_eq!(canonical_query("acl"), "acl=");
        assert_eq!(canonical_query("a=&b"), "a=&b=");
        assert_eq!(canonical_query("&&a=1&"), "a=1");
        assert_eq!(canonical_query(""), "");
        assert_eq!(canonical_query("a=b=c"), "a=b%3Dc");
    }

    #[test]
    fn escapes_are_normalized() {
        assert_eq!(canonical_query("k%7e=%2fv%2F"), "k~=%2Fv%2F");
        assert_eq!(canonical_query("\u{1234}=bar"), "%E1%88%B4=bar");
        assert_eq!(canonical_query("a=100%"), "a=100%25");
    }

    #[test]
    fn literal_params_encode_percent() {
        let mut params = vec![
            QueryParam::literal("tok", "a%41/b+="),
            QueryParam::from_url("a", "1"),
        ];
        let mut out = String::new();
        write_canonical_query(&mut out, &mut params);
        assert_eq!(out, "a=1&tok=a%2541%2Fb%2B%3D");
    }
}
