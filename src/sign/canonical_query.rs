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
    write_canonical_query_merged(out, params, &[], |_, _| {});
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

/// [`write_canonical_query`] of the request's own `params` merged with
/// the signer's `extra` ones (presign parameters), telling `on_extra`
/// where the encoded value of `extra[i]` went in `out`.
///
/// `extra` are literal parameters with unique keys of unreserved bytes
/// (the `X-Amz-*` names), in any order. They are ordered by key alone
/// (no encoding, no value comparison) and merged into the sorted own
/// parameters, so a request without a query of its own (most presigned
/// URLs) sorts nothing and checks no key.
pub(crate) fn write_canonical_query_merged(
    out: &mut String,
    params: &mut [QueryParam<'_>],
    extra: &[QueryParam<'_>],
    mut on_extra: impl FnMut(usize, core::ops::Range<usize>),
) {
    debug_assert!(extra
        .iter()
        .all(|e| e.input == Input::Literal && is_unreserved_str(e.key)));
    let mut sorted: SmallVec<[Sortable<'_>; 12]> =
        params.iter().map(|&param| Sortable::new(param)).collect();
    if sorted.len() > 1 {
        sorted.sort_unstable_by(Sortable::cmp);
    }
    // The extra parameters' order by key: an insertion sort of at most a
    // handful of indices (the keys are unique, so the order is total).
    let mut order: SmallVec<[usize; 8]> = SmallVec::new();
    for (i, e) in extra.iter().enumerate() {
        let at = order
            .iter()
            .position(|&j| e.key.as_bytes() < extra[j].key.as_bytes())
            .unwrap_or(order.len());
        order.insert(at, i);
    }
    let (mut own, mut ours) = (sorted.iter().peekable(), order.iter().peekable());
    let mut first = true;
    loop {
        let take_own = match (own.peek(), ours.peek()) {
            (Some(o), Some(&&i)) => o.cmp_literal(&extra[i]) != Ordering::Greater,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        if !first {
            out.push('&');
        }
        first = false;
        if take_own {
            if let Some(s) = own.next() {
                s.write(out);
            }
        } else if let Some(&i) = ours.next() {
            let e = &extra[i];
            out.push_str(e.key);
            out.push('=');
            let start = out.len();
            encode_into(out, e.value, Input::Literal, false);
            on_extra(i, start..out.len());
        }
    }
    for (dst, s) in params.iter_mut().zip(&sorted) {
        *dst = s.param;
    }
}

impl Sortable<'_> {
    /// Appends `key=value`, encoded.
    fn write(&self, out: &mut String) {
        let p = &self.param;
        if self.key_plain {
            out.push_str(p.key);
        } else {
            encode_into(out, p.key, p.input, false);
        }
        out.push('=');
        if self.value_plain {
            out.push_str(p.value);
        } else {
            encode_into(out, p.value, p.input, false);
        }
    }

    /// [`cmp`](Self::cmp) against a literal parameter whose key is
    /// unreserved bytes (its own encoding); the values are only compared,
    /// lazily encoded, when the keys tie.
    fn cmp_literal(&self, other: &QueryParam<'_>) -> Ordering {
        let a = &self.param;
        let by_key = if self.key_plain {
            a.key.as_bytes().cmp(other.key.as_bytes())
        } else {
            encoded_bytes(a.key, a.input, false).cmp(other.key.bytes())
        };
        by_key.then_with(|| {
            encoded_bytes(a.value, a.input, false).cmp(encoded_bytes(
                other.value,
                Input::Literal,
                false,
            ))
        })
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

    /// The merge of the signer's parameters into the request's own writes
    /// what one sort of all of them writes, and reports where each of the
    /// signer's encoded values went; own keys that tie with the signer's
    /// (`X-Amz%2DDate` is `X-Amz-Date` encoded) are ordered by value.
    #[test]
    fn merging_is_sorting_everything() {
        use proptest::prelude::*;
        use proptest::test_runner::{Config, TestRunner};
        let keys = [
            "a",
            "X-Amz-Date",
            "X-Amz%2DDate",
            "X-Amz-Expires",
            "X-Amz-Zzz",
            "x-amz-date",
            "%E1%88%B4",
            "X-Amz-Credential",
            "B",
        ];
        let extra_keys = [
            "X-Amz-Algorithm",
            "X-Amz-Credential",
            "X-Amz-Date",
            "X-Amz-Expires",
            "X-Amz-Security-Token",
            "X-Amz-SignedHeaders",
        ];
        let value = || proptest::string::string_regex("[a-zA-Z0-9/;%+= -]{0,6}").unwrap();
        let own = proptest::collection::vec((0..keys.len(), value()), 0..5);
        let extra = proptest::collection::vec((any::<bool>(), value()), extra_keys.len());
        let order = Just((0..extra_keys.len()).collect::<alloc::vec::Vec<_>>()).prop_shuffle();
        TestRunner::new(Config::with_cases(2000))
            .run(&(own, extra, order), |(own, extra, order)| {
                let mut own: alloc::vec::Vec<_> = own
                    .iter()
                    .map(|(k, v)| QueryParam::from_url(keys[*k], v))
                    .collect();
                let extra: alloc::vec::Vec<_> = order
                    .iter()
                    .filter(|&&i| extra[i].0)
                    .map(|&i| QueryParam::literal(extra_keys[i], &extra[i].1))
                    .collect();
                let mut all: alloc::vec::Vec<_> = own.iter().chain(&extra).copied().collect();
                let mut want = String::new();
                write_canonical_query(&mut want, &mut all);
                let mut got = String::new();
                let mut ranges = vec![None; extra.len()];
                write_canonical_query_merged(&mut got, &mut own, &extra, |i, r| {
                    ranges[i] = Some(r);
                });
                prop_assert_eq!(&got, &want);
                for (e, r) in extra.iter().zip(&ranges) {
                    let mut encoded = String::new();
                    encode_into(&mut encoded, e.value, Input::Literal, false);
                    prop_assert_eq!(r.clone().and_then(|r| got.get(r)), Some(encoded.as_str()));
                }
                Ok(())
            })
            .unwrap();
    }
}
