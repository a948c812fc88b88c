//! The `SignedHeaders` list of a received signature: the request's headers
//! it names, found in one pass over the list.

use super::{authorization, malformed};
use crate::sign::names::HOST;
use crate::sign::request::{Header, HeaderList};
use crate::sign::{Error, SignableRequest};

/// The request restricted to the signed headers, minus `skip` (those the
/// signer adds itself from the parameters).
pub(in crate::sign) fn signed_only<'a>(
    req: &SignableRequest<'a>,
    signed: &str,
    skip: &[&str],
) -> Result<SignableRequest<'a>, Error> {
    let mut out = SignableRequest {
        method: req.method,
        scheme: req.scheme,
        authority: req.authority,
        authority_host: req.authority_host,
        authority_host_plain: req.authority_host_plain,
        path: req.path.clone(),
        query: req.query.clone(),
        headers: HeaderList::new(),
        payload: req.payload,
    };
    signed_headers_into(req, signed, skip, &mut out.headers)?;
    Ok(out)
}

/// Where [`signed_headers_into`] puts the headers it finds: one `push`
/// (`Extend` with `iter::once` reserves and loops for each header).
pub(in crate::sign) trait PushHeader<'a> {
    fn push_header(&mut self, h: Header<'a>);
}

impl<'a> PushHeader<'a> for HeaderList<'a> {
    #[inline]
    fn push_header(&mut self, h: Header<'a>) {
        self.push(h);
    }
}

impl<'a, const N: usize> PushHeader<'a> for smallvec::SmallVec<[Header<'a>; N]> {
    #[inline]
    fn push_header(&mut self, h: Header<'a>) {
        self.push(h);
    }
}

/// A signed-headers list seen by [`signed_headers_into`]: which of the
/// skipped names it held (bit `i` for `skip[i]`), and whether it held `host`.
#[derive(Clone, Copy)]
pub(in crate::sign) struct Seen(u32);

impl Seen {
    const HOST: u32 = 1 << 31;

    pub(super) fn host(self) -> bool {
        self.0 & Self::HOST != 0
    }

    pub(super) fn skipped(self, i: usize) -> bool {
        self.0 & (1 << i) != 0
    }
}

/// Pushes onto `out` the headers of `req` that the `;`-separated list
/// `signed` names (in the list's order; a name's headers in the request's
/// order), leaving out the names in `skip`; tells which names the list held.
///
/// One byte pass over the list; each name is compared with the request's
/// headers by length first. No request is copied: the signer takes the
/// headers as a separate list.
pub(in crate::sign) fn signed_headers_into<'a>(
    req: &SignableRequest<'a>,
    signed: &str,
    skip: &[&str],
    out: &mut impl PushHeader<'a>,
) -> Result<Seen, Error> {
    let mut seen = 0u32;
    let list = signed.as_bytes();
    // Uppercase anywhere, found in one branch-free pass; the names are
    // checked one by one only then (the error comes at the first such name).
    let any_upper = list
        .iter()
        .fold(false, |up, &b| up | (b.wrapping_sub(b'A') < 26));
    let mut start = 0;
    loop {
        let end = authorization::find_byte(&list[start..], b';').map_or(list.len(), |i| start + i);
        let name = &list[start..end];
        if name.is_empty() || (any_upper && name.iter().any(u8::is_ascii_uppercase)) {
            return Err(malformed("signed headers must be lowercase names"));
        }
        let is_host = crate::sign::text::eq_short(name, HOST.as_bytes());
        if is_host {
            seen |= Seen::HOST;
        }
        match skip
            .iter()
            .position(|s| crate::sign::text::eq_short(s.as_bytes(), name))
        {
            Some(i) => seen |= 1 << i,
            None => {
                let mut found = false;
                for &(n, v) in req.headers.iter() {
                    if crate::sign::text::eq_lowercase(n.as_bytes(), name) {
                        out.push_header((n, v));
                        found = true;
                    }
                }
                if !found && !is_host {
                    return Err(malformed("a signed header is missing from the request"));
                }
            }
        }
        if end == list.len() {
            return Ok(Seen(seen));
        }
        start = end + 1;
    }
}
