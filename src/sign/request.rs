//! The request to sign: method, target, headers and payload, all borrowed.

pub use super::request_target::host_from_authority;
use super::request_target::{wire_form, Target};
use super::{canonical_headers as headers, Error, Payload};
use alloc::borrow::Cow;
use alloc::vec::Vec;

/// A request as the signer sees it. Nothing is copied except when a URI
/// needs percent-encoding to become a valid request target.
///
/// Signing headers already on the request follow one rule each (see
/// [`header_rules`](super::header_rules)): `x-amz-content-sha256` is the
/// payload hash that gets signed (and must agree with a chosen
/// [`payload`](Self::payload)), `x-amz-date` is replaced by the signing
/// time, `x-amz-security-token` is the session token when the credentials
/// have none (another token than theirs is an error), and `authorization`
/// is never signed but replaced.
///
/// ```
/// use sigv4::sign::{Payload, SignableRequest};
/// let req = SignableRequest::new("GET", "https://examplebucket.s3.amazonaws.com/test.txt?versionId=3")
///     .unwrap()
///     .header("range", "bytes=0-9")
///     .payload(Payload::Unsigned);
/// assert_eq!(req.path(), "/test.txt");
/// assert_eq!(req.query(), "versionId=3");
/// assert_eq!(req.host(), Some("examplebucket.s3.amazonaws.com"));
/// ```
#[derive(Debug, Clone)]
pub struct SignableRequest<'a> {
    pub(crate) method: &'a str,
    pub(crate) scheme: Option<&'a str>,
    pub(crate) authority: Option<&'a str>,
    /// The `host` value the authority gives (user info and default port removed).
    pub(crate) authority_host: Option<&'a str>,
    /// `authority_host` is already a canonical header value (a parsed URI's
    /// host is checked for spaces and controls; one set through
    /// [`authority`](Self::authority) is scanned when set).
    pub(crate) authority_host_plain: bool,
    pub(crate) path: Cow<'a, str>,
    pub(crate) query: Cow<'a, str>,
    pub(crate) headers: HeaderList<'a>,
    /// What the caller chose for the body (`None`: not chosen, an empty body
    /// unless `x-amz-content-sha256` says otherwise).
    pub(crate) payload: Option<Payload<'a>>,
}

/// One header as given: name and raw value.
pub(crate) type Header<'a> = (&'a str, &'a [u8]);

const INLINE_HEADERS: usize = 12;

/// The request's headers: up to 12 inline, then on the heap.
///
/// Written here instead of using `smallvec` because `SmallVec<[T; N]>` is
/// invariant in `T` (it goes through an associated type), which would make
/// [`SignableRequest`] invariant in its lifetime and force callers to give
/// every borrowed part the same lifetime.
#[derive(Clone)]
pub(crate) struct HeaderList<'a> {
    inline: [Header<'a>; INLINE_HEADERS],
    len: usize,
    /// All headers once there are more than fit inline.
    spill: Vec<Header<'a>>,
}

impl<'a> HeaderList<'a> {
    #[inline(always)]
    pub(crate) const fn new() -> Self {
        HeaderList {
            inline: [("", &[]); INLINE_HEADERS],
            len: 0,
            spill: Vec::new(),
        }
    }

    #[inline(always)]
    pub(crate) fn push(&mut self, h: Header<'a>) {
        if self.len < INLINE_HEADERS {
            self.inline[self.len] = h;
        } else {
            if self.len == INLINE_HEADERS {
                self.spill.extend_from_slice(&self.inline);
            }
            self.spill.push(h);
        }
        self.len += 1;
    }

    #[cfg(test)]
    pub(crate) fn clear(&mut self) {
        self.len = 0;
        self.spill.clear();
    }
}

impl<'a> core::ops::Deref for HeaderList<'a> {
    type Target = [Header<'a>];
    fn deref(&self) -> &[Header<'a>] {
        if self.len > INLINE_HEADERS {
            &self.spill
        } else {
            &self.inline[..self.len]
        }
    }
}

impl<'a> core::ops::DerefMut for HeaderList<'a> {
    fn deref_mut(&mut self) -> &mut [Header<'a>] {
        if self.len > INLINE_HEADERS {
            &mut self.spill
        } else {
            &mut self.inline[..self.len]
        }
    }
}

impl<'a> Extend<Header<'a>> for HeaderList<'a> {
    fn extend<I: IntoIterator<Item = Header<'a>>>(&mut self, iter: I) {
        for h in iter {
            self.push(h);
        }
    }
}

impl core::fmt::Debug for HeaderList<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Names only: values may carry tokens.
        f.debug_list().entries(self.iter().map(|(n, _)| n)).finish()
    }
}

impl<'a> SignableRequest<'a> {
    /// A request for an absolute URI (`https://host[:port]/path?query`) or an
    /// origin-form target (`/path?query`, host then comes from a `host` header).
    ///
    /// The URI is taken as it goes on the wire: existing percent-encoding is
    /// kept, and characters that cannot appear in a URI (space, non-ASCII,
    /// `"<>\^`{|}`) are percent-encoded. A fragment is dropped. Control
    /// characters, an empty host, a bad port or a missing path are errors.
    #[inline(always)]
    pub fn new(method: &'a str, uri: &'a str) -> Result<Self, Error> {
        // The parsing is out of line; the (large) request value is built
        // here, inline, in one expression, so that it lands where the
        // caller keeps it instead of being moved there.
        let t = Target::parse(method, uri)?;
        let (path, query) = if t.needs_wire_form {
            (wire_form(t.path_raw), wire_form(t.query_raw))
        } else {
            (Cow::Borrowed(t.path_raw), Cow::Borrowed(t.query_raw))
        };
        Ok(SignableRequest {
            method,
            scheme: t.scheme,
            authority: t.authority,
            authority_host: t.host,
            authority_host_plain: true,
            path,
            query,
            headers: HeaderList::new(),
            payload: None,
        })
    }

    /// A request from already separated parts, used verbatim: `path` and
    /// `query` exactly as they go on the wire (no `?`).
    ///
    /// Bytes that are not valid on the wire (a raw space, say) are not fixed
    /// here; they are signed as the canonical encoding of those bytes.
    #[inline(always)]
    pub fn from_parts(method: &'a str, path: &'a str, query: &'a str) -> Result<Self, Error> {
        if !headers::is_valid_name(method) {
            return Err(Error::InvalidMethod);
        }
        Ok(SignableRequest {
            method,
            scheme: None,
            authority: None,
            authority_host: None,
            authority_host_plain: true,
            path: Cow::Borrowed(path),
            query: Cow::Borrowed(query),
            headers: HeaderList::new(),
            payload: None,
        })
    }

    /// Sets the authority (`host[:port]`) the `host` header is derived from
    /// when the request has no `host` header, and the scheme that decides
    /// which port is the default (`http` 80, `https` 443).
    #[inline(always)]
    pub fn authority(mut self, scheme: Option<&'a str>, authority: &'a str) -> Self {
        self.scheme = scheme;
        self.authority = Some(authority);
        let host = host_from_authority(scheme, authority);
        self.authority_host = Some(host);
        self.authority_host_plain = headers::is_canonical_value(host);
        self
    }

    /// Adds a header (checked when signing).
    #[inline(always)]
    pub fn header(mut self, name: &'a str, value: &'a str) -> Self {
        self.headers.push((name, value.as_bytes()));
        self
    }

    /// Adds a header whose value is raw bytes (must be UTF-8 when signing).
    #[inline(always)]
    pub fn header_bytes(mut self, name: &'a str, value: &'a [u8]) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Adds several headers.
    #[inline(always)]
    pub fn headers<'n: 'a, 'v: 'a, I: IntoIterator<Item = (&'n str, &'v str)>>(
        mut self,
        headers: I,
    ) -> Self {
        self.headers
            .extend(headers.into_iter().map(|(n, v)| (n, v.as_bytes())));
        self
    }

    /// Sets what the signature says about the body. Without it the body is
    /// empty, unless the request carries an `x-amz-content-sha256` header,
    /// whose value is then signed (see [`header_rules`](super::header_rules)
    /// for how signing headers the caller set are treated).
    #[inline(always)]
    pub fn payload(mut self, payload: Payload<'a>) -> Self {
        self.payload = Some(payload);
        self
    }

    /// The method.
    pub fn method(&self) -> &str {
        self.method
    }

    /// The wire path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The wire query (without `?`).
    pub fn query(&self) -> &str {
        &self.query
    }

    /// The `host` header value that will be signed: the request's `host`
    /// header if any, else the authority without user info and default port.
    pub fn host(&self) -> Option<&str> {
        if let Some((_, v)) = self
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("host"))
        {
            return core::str::from_utf8(v).ok();
        }
        self.authority_host
    }

    /// The authority's `host` value and whether it is already canonical.
    #[inline]
    pub(crate) fn signed_authority_host(&self) -> Option<(&'a str, bool)> {
        self.authority_host.map(|h| (h, self.authority_host_plain))
    }

    /// The scheme and authority, when built from an absolute URI.
    pub fn origin(&self) -> Option<(&str, &str)> {
        Some((self.scheme?, self.authority?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_list_spills_to_the_heap_in_order() {
        let names: alloc::vec::Vec<alloc::string::String> =
            (0..30).map(|i| alloc::format!("h{i}")).collect();
        let mut list = HeaderList::new();
        for (i, n) in names.iter().enumerate() {
            list.push((n, b"v"));
            assert_eq!(list.len(), i + 1);
            assert!(list
                .iter()
                .map(|(n, _)| *n)
                .eq(names[..=i].iter().map(|s| s.as_str())));
        }
        list.clear();
        assert!(list.is_empty());
        list.push(("a", b"1"));
        assert_eq!(&*list, &[("a", &b"1"[..])]);
    }

    /// `SignableRequest` is covariant: parts with different lifetimes mix.
    #[test]
    fn request_lifetimes_shrink() {
        fn shorten<'a>(r: SignableRequest<'static>, _: &'a str) -> SignableRequest<'a> {
            r
        }
        let owned = alloc::string::String::from("late");
        let r = shorten(SignableRequest::new("GET", "https://h/").unwrap(), &owned)
            .header("x-late", &owned);
        assert_eq!(r.headers.len(), 1);
    }

    #[test]
    fn splits_absolute_uris() {
        let r =
            SignableRequest::new("GET", "https://user:pw@example.com:443/a/b?x=1&y#frag").unwrap();
        assert_eq!((r.path(), r.query()), ("/a/b", "x=1&y"));
        assert_eq!(r.host(), Some("example.com"));
        let r = SignableRequest::new("GET", "http://127.0.0.1:9000").unwrap();
        assert_eq!((r.path(), r.query()), ("", ""));
        assert_eq!(r.host(), Some("127.0.0.1:9000"));
        let r = SignableRequest::new("GET", "http://[::1]:80/x").unwrap();
        assert_eq!(r.host(), Some("[::1]"));
        let r = SignableRequest::new("GET", "https://h:80/").unwrap();
        assert_eq!(r.host(), Some("h:80"));
    }

    #[test]
    fn origin_form_uses_the_host_header() {
        let r = SignableRequest::new("GET", "/x?y=1").unwrap();
        assert_eq!(r.host(), None);
        let r = r.header("Host", "example.amazonaws.com");
        assert_eq!(r.host(), Some("example.amazonaws.com"));
    }

    #[test]
    fn encodes_what_cannot_be_on_the_wire() {
        let r = SignableRequest::new("GET", "https://h/a b/\u{fc}%41?q=a b").unwrap();
        assert_eq!(r.path(), "/a%20b/%C3%BC%41");
        assert_eq!(r.query(), "q=a%20b");
    }

    #[test]
    fn rejects_malformed_uris() {
        for uri in [
            "",
            "example.com/x",
            "https:///x",
            "https://h:99999/",
            "https://h:x/",
            "https://h/\n",
            "http://[::1/",
            "https://user@/x",
            "https://h o/",
        ] {
            assert!(
                matches!(
                    SignableRequest::new("GET", uri),
                    Err(Error::InvalidUri { .. })
                ),
                "{uri:?}"
            );
        }
        assert_eq!(
            SignableRequest::new("G ET", "/").unwrap_err(),
            Error::InvalidMethod
        );
        assert_eq!(
            SignableRequest::new("", "/").unwrap_err(),
            Error::InvalidMethod
        );
    }
}
