//! Canonical request assembly: method, path, query, headers, signed headers, payload hash.

use super::canonical_headers::{self as headers, cmp_lowercase};
use super::canonical_query::{parse_query, write_canonical_query_merged, QueryParam};
use super::canonical_uri::write_canonical_path;
use super::encoding::{encode_into, is_unreserved_str, Input};
use super::names::{PRESIGN_PARAMS, X_AMZ_CONTENT_SHA256, X_AMZ_DATE, X_AMZ_SECURITY_TOKEN};
use super::request::Header;
use super::sha256::Streaming;
use super::text::cmp_short;
use super::{Error, PayloadHash, SignableRequest, SigningSettings};
use alloc::string::String;
use smallvec::SmallVec;

/// Headers the signer adds itself, with the values to sign.
pub(crate) struct Added<'a> {
    pub(crate) amz_date: Option<&'a str>,
    pub(crate) security_token: Option<&'a str>,
    pub(crate) content_sha256: Option<&'a str>,
    /// `x-amz-region-set` (SigV4a header signing only).
    pub(crate) region_set: Option<&'a str>,
    /// Names (lowercase) to drop from the request's own headers because the
    /// signer adds or replaces them.
    pub(crate) replaced: &'a [&'a str],
}

/// One header in canonical order.
#[derive(Clone, Copy)]
struct Entry<'a> {
    name: &'a str,
    value: &'a str,
    /// Position in the request (ties between equal names keep it).
    index: usize,
    /// The name has uppercase letters.
    upper: bool,
    /// The value is already canonical.
    plain: bool,
}

impl Entry<'_> {
    fn same_name(&self, other: &Entry<'_>) -> bool {
        if self.upper || other.upper {
            self.name.eq_ignore_ascii_case(other.name)
        } else {
            self.name == other.name
        }
    }

    fn write_name(&self, out: &mut String) {
        if self.upper {
            out.extend(self.name.chars().map(|c| c.to_ascii_lowercase()));
        } else {
            out.push_str(self.name);
        }
    }
}

/// The canonical headers of a request: sorted, filtered, with the signer's own.
pub(crate) struct CanonicalHeaders<'a> {
    entries: SmallVec<[Entry<'a>; 16]>,
}

impl<'a> CanonicalHeaders<'a> {
    #[cfg(feature = "sigv4a")]
    pub(crate) fn new(req: &'a SignableRequest<'_>, added: &Added<'a>) -> Result<Self, Error> {
        let mut headers = Self::empty();
        headers.fill(&req.headers, req.signed_authority_host(), added)?;
        Ok(headers)
    }

    /// No headers yet (see [`fill`](Self::fill)).
    pub(crate) fn empty() -> Self {
        CanonicalHeaders {
            entries: SmallVec::new(),
        }
    }

    /// Collects a request's `headers` and the signer's own, in canonical
    /// order, into `self` (in place: the list is large to move);
    /// `authority_host` is the `host` value when no header gives one, and
    /// whether it is already canonical.
    pub(crate) fn fill(
        &mut self,
        headers: &'a [Header<'_>],
        authority_host: Option<(&'a str, bool)>,
        added: &Added<'a>,
    ) -> Result<(), Error> {
        let entries = &mut self.entries;
        entries.clear();
        let mut has_host = false;
        for (index, &(name, value)) in headers.iter().enumerate() {
            let checked = headers::checked(index, name, value)?;
            let skip = headers::NEVER_SIGNED
                .iter()
                .chain(added.replaced)
                .any(|n| super::text::eq_ignore_case(n.as_bytes(), name.as_bytes()));
            if skip {
                continue;
            }
            has_host |= super::text::eq_ignore_case(name.as_bytes(), super::names::HOST.as_bytes());
            entries.push(Entry {
                name,
                value: checked.value,
                index,
                upper: checked.upper,
                plain: checked.plain,
            });
        }
        let n = headers.len();
        let ours = |name, value, index| Entry {
            name,
            value,
            index,
            upper: false,
            plain: true,
        };
        if !has_host {
            let (host, plain) = authority_host.ok_or(Error::MissingHost)?;
            let mut entry = ours(super::names::HOST, host, n);
            // An authority set through `SignableRequest::authority` is
            // folded like any value when it is not canonical.
            entry.plain = plain;
            entries.push(entry);
        }
        for (k, (name, value)) in [
            (X_AMZ_DATE, added.amz_date),
            (X_AMZ_SECURITY_TOKEN, added.security_token),
            (X_AMZ_CONTENT_SHA256, added.content_sha256),
            (super::names::X_AMZ_REGION_SET, added.region_set),
        ]
        .into_iter()
        .enumerate()
        {
            if let Some(v) = value {
                let mut entry = ours(name, v, n + 1 + k);
                // The date and the payload hash are canonical as written; a
                // session token or region set is folded like any value.
                if k == 1 || k == 3 {
                    entry.plain = headers::is_canonical_value(v);
                }
                entries.push(entry);
            }
        }
        entries.sort_unstable_by(|a, b| {
            let by_name = if a.upper || b.upper {
                cmp_lowercase(a.name, b.name)
            } else {
                a.name.cmp(b.name)
            };
            by_name.then(a.index.cmp(&b.index))
        });
        Ok(())
    }

    /// Appends `name:value\n` lines, joining repeated names with `,`.
    pub(crate) fn write_headers(&self, out: &mut String) {
        let mut prev: Option<&Entry<'_>> = None;
        for e in &self.entries {
            if prev.is_some_and(|p| p.same_name(e)) {
                out.push(',');
            } else {
                if prev.is_some() {
                    out.push('\n');
                }
                e.write_name(out);
                out.push(':');
            }
            headers::write_value(out, e.value, e.plain);
            prev = Some(e);
        }
        if prev.is_some() {
            out.push('\n');
        }
    }

    /// Appends the signed headers list: unique lowercase names joined by `;`.
    pub(crate) fn write_signed(&self, out: &mut String) {
        let mut prev: Option<&Entry<'_>> = None;
        for e in &self.entries {
            if prev.is_some_and(|p| p.same_name(e)) {
                continue;
            }
            if prev.is_some() {
                out.push(';');
            }
            e.write_name(out);
            prev = Some(e);
        }
    }
}

/// Writes the canonical request into `out`; returns the byte range of the
/// signed headers list inside it.
#[cfg(feature = "sigv4a")]
pub(crate) fn write_canonical_request(
    out: &mut String,
    req: &SignableRequest<'_>,
    settings: &SigningSettings,
    headers: &CanonicalHeaders<'_>,
    extra_query: &[QueryParam<'_>],
    payload: &PayloadHash,
) -> core::ops::Range<usize> {
    let query = SignerQuery {
        params: extra_query,
        ..SignerQuery::none()
    };
    write_head(out, req, settings, query);
    headers.write_headers(out);
    write_tail(out, |out| headers.write_signed(out), payload)
}

/// The signer's own query parameters, merged into the request's (a
/// presigned URL's `X-Amz-*`), and what writing them records.
pub(crate) struct SignerQuery<'q, 'a> {
    /// The parameters.
    pub(crate) params: &'q [QueryParam<'a>],
    /// Filled in: where the encoded value of `params[i]` is in the output
    /// (a presigned URI reuses it rather than encoding the value again).
    pub(crate) encoded: &'q mut [Option<core::ops::Range<usize>>],
    /// `direct[i]`, when given, writes the value of `params[i]` already
    /// encoded (see [`write_head`]).
    pub(crate) direct: &'q [Option<WriteEncoded<'q>>],
}

impl SignerQuery<'_, '_> {
    /// No parameters of the signer's (a header signature's query).
    pub(crate) fn none() -> Self {
        SignerQuery {
            params: &[],
            encoded: &mut [],
            direct: &[],
        }
    }
}

/// Writes the canonical request into `out` (the signer's parameters as
/// `query` says) and hashes it as it goes: the whole
/// blocks written by the end of the headers are compressed before the
/// rest is written, which lets the processor overlap the two. Returns the
/// signed headers' range and the hash, to be finished over the canonical
/// request (`out` from where it was when called).
pub(crate) fn write_hashing(
    out: &mut String,
    req: &SignableRequest<'_>,
    settings: &SigningSettings,
    headers: &CanonicalHeaders<'_>,
    query: SignerQuery<'_, '_>,
    payload: &PayloadHash,
) -> (core::ops::Range<usize>, Streaming) {
    let start = out.len();
    write_head(out, req, settings, query);
    headers.write_headers(out);
    let mut hash = Streaming::new();
    hash.absorb(out.as_bytes().get(start..).unwrap_or(&[]));
    let signed = write_tail(out, |out| headers.write_signed(out), payload);
    (signed, hash)
}

/// The canonical request's end: the blank line after the headers, the
/// signed headers list (`signed` writes it) and the payload hash. Returns
/// where the list is.
pub(crate) fn write_tail(
    out: &mut String,
    signed: impl FnOnce(&mut String),
    payload: &PayloadHash,
) -> core::ops::Range<usize> {
    out.push('\n');
    let start = out.len();
    signed(out);
    let range = start..out.len();
    out.push('\n');
    out.push_str(payload.as_str());
    range
}

/// Writes a parameter value already encoded: what [`encode_into`] makes of
/// the value, written from its parts (a presigned URL's credential, whose
/// four `/` would take the encoder's slow path).
pub(crate) type WriteEncoded<'w> = &'w dyn Fn(&mut String);

/// The canonical request's first three lines (method, path, query), each
/// with its `\n`, the signer's parameters merged into the query. When the
/// query is only the signer's, in key order, a value with a `direct`
/// writer is written by it (which must write what the encoder would: the
/// merge, taken otherwise, encodes the value itself).
pub(crate) fn write_head(
    out: &mut String,
    req: &SignableRequest<'_>,
    settings: &SigningSettings,
    query: SignerQuery<'_, '_>,
) {
    let SignerQuery {
        params: extra_query,
        encoded,
        direct,
    } = query;
    out.push_str(req.method);
    out.push('\n');
    write_canonical_path(
        out,
        &req.path,
        settings.uri_encoding,
        settings.normalize_path,
    );
    out.push('\n');
    // Most requests have no query (and header signing adds none): skip the
    // parameter list entirely then.
    if req.query.is_empty() && in_key_order(extra_query) {
        // Only the signer's parameters, given in order (a presigned URL of
        // a request without a query): written as they come, as the merge
        // below would.
        for (i, e) in extra_query.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            out.push_str(e.key);
            out.push('=');
            let start = out.len();
            match direct.get(i) {
                Some(Some(write)) => write(out),
                _ => encode_into(out, e.value, e.input, false),
            }
            if let Some(slot) = encoded.get_mut(i) {
                *slot = Some(start..out.len());
            }
        }
    } else {
        // The request's own copies of the signer's parameters are dropped:
        // the keys merged in are unique.
        let drop_presign = !extra_query.is_empty();
        let mut params: SmallVec<[QueryParam<'_>; 12]> = parse_query(&req.query)
            .filter(|p| !(drop_presign && PRESIGN_PARAMS.contains(&p.key)))
            .collect();
        write_canonical_query_merged(out, &mut params, extra_query, |i, range| {
            if let Some(slot) = encoded.get_mut(i) {
                *slot = Some(range);
            }
        });
    }
    out.push('\n');
}

/// Whether the signer's `extra` parameters are in strictly increasing key
/// order, their keys unreserved bytes (their own encoding), their values
/// literal: then, alone in a query, they are written as they come.
fn in_key_order(extra: &[QueryParam<'_>]) -> bool {
    extra
        .iter()
        .all(|e| e.input == Input::Literal && is_unreserved_str(e.key))
        && extra
            .windows(2)
            .all(|w| cmp_short(w[0].key.as_bytes(), w[1].key.as_bytes()).is_lt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::canonical_query::QueryParam;
    use alloc::vec::Vec;

    /// Parameters alone in a query, in key order, are written as the merge
    /// writes them (the same bytes and the same recorded ranges); out of
    /// order (or with a key repeated), they take the merge.
    #[test]
    fn parameters_in_order_are_written_as_the_merge_writes_them() {
        let req = SignableRequest::new("GET", "https://h.example/a%20b/c").unwrap();
        let settings = SigningSettings::default();
        let p = QueryParam::literal;
        let lists: [&[QueryParam<'_>]; 6] = [
            &[],
            &[p("X-Amz-Algorithm", "AWS4-HMAC-SHA256")],
            &[
                p("A", "a/b c"),
                p("B", "%41"),
                p("C", ""),
                p("D", "\u{e9}~"),
            ],
            &[p("B", "1"), p("A", "2")],
            &[p("A", "1"), p("A", "2")],
            &[p("a", "1"), p("B", "2"), p("C", "3")],
        ];
        for extra in lists {
            let mut direct = String::new();
            let mut ranges: Vec<Option<core::ops::Range<usize>>> = alloc::vec![None; extra.len()];
            let query = SignerQuery {
                params: extra,
                encoded: &mut ranges,
                direct: &[],
            };
            write_head(&mut direct, &req, &settings, query);
            let mut merged = String::from("GET\n");
            write_canonical_path(
                &mut merged,
                &req.path,
                settings.uri_encoding,
                settings.normalize_path,
            );
            merged.push('\n');
            let mut want: Vec<Option<core::ops::Range<usize>>> = alloc::vec![None; extra.len()];
            if !extra.is_empty() {
                write_canonical_query_merged(&mut merged, &mut [], extra, |i, r| want[i] = Some(r));
            }
            merged.push('\n');
            assert_eq!(
                direct,
                merged,
                "{:?}",
                extra.iter().map(|e| e.key).collect::<Vec<_>>()
            );
            assert_eq!(ranges, want);
        }
    }
}
