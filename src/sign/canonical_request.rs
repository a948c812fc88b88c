//! Canonical request assembly: method, path, query, headers, signed headers, payload hash.

use super::canonical_headers::{
    self as headers, cmp_lowercase, write_canonical_value, write_lowercase,
};
use super::canonical_query::{parse_query, write_canonical_query, QueryParam};
use super::canonical_uri::write_canonical_path;
use super::names::{PRESIGN_PARAMS, X_AMZ_CONTENT_SHA256, X_AMZ_DATE, X_AMZ_SECURITY_TOKEN};
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
type Entry<'a> = (&'a str, &'a str, usize);

/// The canonical headers of a request: sorted, filtered, with the signer's own.
pub(crate) struct CanonicalHeaders<'a> {
    entries: SmallVec<[Entry<'a>; 16]>,
}

impl<'a> CanonicalHeaders<'a> {
    pub(crate) fn new(req: &'a SignableRequest<'_>, added: &Added<'a>) -> Result<Self, Error> {
        let mut entries: SmallVec<[Entry<'a>; 16]> = SmallVec::new();
        let mut has_host = false;
        for (i, &(name, value)) in req.headers.iter().enumerate() {
            let value = headers::checked(i, name, value)?;
            let skip = headers::NEVER_SIGNED
                .iter()
                .chain(added.replaced)
                .any(|n| n.eq_ignore_ascii_case(name));
            if skip {
                continue;
            }
            has_host |= name.eq_ignore_ascii_case(super::names::HOST);
            entries.push((name, value, i));
        }
        let n = req.headers.len();
        if !has_host {
            let host = req
                .authority
                .map(|a| super::request::host_from_authority(req.scheme, a))
                .ok_or(Error::MissingHost)?;
            entries.push((super::names::HOST, host, n));
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
                entries.push((name, v, n + 1 + k));
            }
        }
        entries.sort_unstable_by(|a, b| cmp_lowercase(a.0, b.0).then(a.2.cmp(&b.2)));
        Ok(CanonicalHeaders { entries })
    }

    /// Appends `name:value\n` lines, joining repeated names with `,`.
    pub(crate) fn write_headers(&self, out: &mut String) {
        let mut prev: Option<&str> = None;
        for &(name, value, _) in &self.entries {
            if prev.is_some_and(|p| p.eq_ignore_ascii_case(name)) {
                out.push(',');
            } else {
                if prev.is_some() {
                    out.push('\n');
                }
                write_lowercase(out, name);
                out.push(':');
            }
            write_canonical_value(out, value);
            prev = Some(name);
        }
        if prev.is_some() {
            out.push('\n');
        }
    }

    /// Appends the signed headers list: unique lowercase names joined by `;`.
    pub(crate) fn write_signed(&self, out: &mut String) {
        let mut prev: Option<&str> = None;
        for &(name, _, _) in &self.entries {
            if prev.is_some_and(|p| p.eq_ignore_ascii_case(name)) {
                continue;
            }
            if prev.is_some() {
                out.push(';');
            }
            write_lowercase(out, name);
            prev = Some(name);
        }
    }
}

/// Writes the canonical request into `out`; returns the byte range of the
/// signed headers list inside it.
pub(crate) fn write_canonical_request(
    out: &mut String,
    req: &SignableRequest<'_>,
    settings: &SigningSettings,
    headers: &CanonicalHeaders<'_>,
    extra_query: &[QueryParam<'_>],
    payload: &PayloadHash,
) -> core::ops::Range<usize> {
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
    if !req.query.is_empty() || !extra_query.is_empty() {
        let drop_presign = !extra_query.is_empty();
        let mut params: SmallVec<[QueryParam<'_>; 12]> = parse_query(&req.query)
            .filter(|p| !(drop_presign && PRESIGN_PARAMS.contains(&p.key)))
            .chain(extra_query.iter().copied())
            .collect();
        write_canonical_query(out, &mut params);
    }
    out.push('\n');
    headers.write_headers(out);
    out.push('\n');
    let start = out.len();
    headers.write_signed(out);
    let range = start..out.len();
    out.push('\n');
    out.push_str(payload.as_str());
    range
}
