//! The request to sign: method, target, headers and payload, all borrowed.

use super::{canonical_headers as headers, Error, Payload};
use alloc::borrow::Cow;
use alloc::string::String;
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

/// Byte classes for the one pass [`SignableRequest::new`] makes over a URI.
mod class {
    /// A control character: the URI is rejected.
    pub(super) const CONTROL: u8 = 1;
    /// Cannot appear in a request target: percent-encoded (space, non-ASCII,
    /// and the characters RFC 3986 excludes).
    pub(super) const WIRE: u8 = 2;
    /// Not allowed in a host name.
    pub(super) const HOST: u8 = 4;
    /// `#`: a fragment starts.
    pub(super) const FRAGMENT: u8 = 8;

    pub(super) static TABLE: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut b = 0;
        while b < 256 {
            let c = b as u8;
            let mut v = 0;
            if c < 0x20 || c == 0x7f {
                v |= CONTROL;
            }
            if c == b' ' || c >= 0x80 {
                v |= WIRE | HOST;
            }
            if matches!(c, b'"' | b'<' | b'>' | b'\\' | b'{' | b'}' | b'|') {
                v |= WIRE | HOST;
            }
            if matches!(c, b'^' | b'`') {
                v |= WIRE;
            }
            if c == b'#' {
                v |= FRAGMENT;
            }
            t[b] = v;
            b += 1;
        }
        t
    };

    /// The union of the classes of `s`'s bytes.
    #[inline(always)]
    pub(super) fn of(s: &[u8]) -> u8 {
        s.iter().fold(0, |acc, &b| acc | TABLE[b as usize])
    }
}

fn needs_wire_encoding(b: u8) -> bool {
    class::TABLE[b as usize] & class::WIRE != 0
}

fn wire_form(s: &str) -> Cow<'_, str> {
    if class::of(s.as_bytes()) & class::WIRE == 0 {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for &b in s.as_bytes() {
        if needs_wire_encoding(b) {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[(b >> 4) as usize]));
            out.push(char::from(b"0123456789ABCDEF"[(b & 15) as usize]));
        } else {
            out.push(char::from(b));
        }
    }
    Cow::Owned(out)
}

/// Splits `scheme://rest` when `uri` starts with a valid scheme (RFC 3986:
/// a letter, then letters, digits, `+`, `-`, `.`).
fn split_scheme(uri: &str) -> Option<(&str, &str)> {
    // The two schemes nearly every request has, without the scan.
    if let Some(rest) = uri.strip_prefix("https://") {
        return Some((&uri[..5], rest));
    }
    if let Some(rest) = uri.strip_prefix("http://") {
        return Some((&uri[..4], rest));
    }
    let b = uri.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let n = b
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')))?;
    if b.get(n..n + 3)? != b"://" {
        return None;
    }
    Some((&uri[..n], &uri[n + 3..]))
}

/// A request target split into its parts (see [`SignableRequest::new`]).
struct Target<'a> {
    scheme: Option<&'a str>,
    authority: Option<&'a str>,
    host: Option<&'a str>,
    path_raw: &'a str,
    query_raw: &'a str,
    needs_wire_form: bool,
}

impl<'a> Target<'a> {
    /// Checks `method` too, so that [`SignableRequest::new`] has one
    /// result to test.
    fn parse(method: &str, uri: &'a str) -> Result<Self, Error> {
        if !headers::is_valid_name(method) {
            return Err(Error::InvalidMethod);
        }
        let classes = class::of(uri.as_bytes());
        if classes & class::CONTROL != 0 {
            return Err(Error::InvalidUri {
                reason: "contains a control character",
            });
        }
        let uri = if classes & class::FRAGMENT != 0 {
            uri.split('#').next().unwrap_or("")
        } else {
            uri
        };
        let (scheme, authority, host, rest) = if let Some((scheme, after)) = split_scheme(uri) {
            let (authority, host, rest) = scan_authority(scheme, after)?;
            (Some(scheme), Some(authority), Some(host), rest)
        } else if uri.starts_with('/') {
            (None, None, None, uri)
        } else {
            return Err(Error::InvalidUri {
                reason: "expected an absolute URI or a path starting with `/`",
            });
        };
        let (path_raw, query_raw) = match rest.bytes().position(|b| b == b'?') {
            Some(q) => (&rest[..q], &rest[q + 1..]),
            None => (rest, ""),
        };
        Ok(Target {
            scheme,
            authority,
            host,
            path_raw,
            query_raw,
            needs_wire_form: classes & class::WIRE != 0,
        })
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

/// Splits the authority off the front of `after` (what follows `://`, up to
/// `/`, `?` or the end) and checks it, in one pass over its bytes. Returns
/// the authority, the `host` value it gives, and the rest of the URI.
fn scan_authority<'s>(scheme: &str, after: &'s str) -> Result<(&'s str, &'s str, &'s str), Error> {
    let b = after.as_bytes();
    let mut end = b.len();
    // Of `host[:port]`, what follows the last `@`: its start, its last `:`
    // and the classes of its bytes.
    let (mut start, mut colon, mut classes) = (0, None, 0u8);
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'/' | b'?' => {
                end = i;
                break;
            }
            b'@' => {
                (start, colon, classes) = (i + 1, None, 0);
                continue;
            }
            b':' => colon = Some(i),
            _ => {}
        }
        classes |= class::TABLE[c as usize];
    }
    let (authority, rest) = after.split_at(end);
    let host_port = &authority[start..];
    if classes & class::HOST != 0 && !host_port.is_empty() {
        return Err(Error::InvalidUri {
            reason: "invalid character in host",
        });
    }
    let split = match colon {
        // `[v6]:port` and `[v6]` are split at the bracket.
        _ if host_port.starts_with('[') => split_port(host_port),
        Some(i) => (&authority[start..i], Some(&authority[i + 1..])),
        None => (host_port, None),
    };
    let host = check_host_port(Some(scheme), host_port, split)?;
    Ok((authority, host, rest))
}

/// Checks an authority; returns the `host` value it gives. The reference
/// [`scan_authority`] is tested against: several plain passes.
#[cfg(test)]
fn validate_authority<'s>(scheme: Option<&str>, authority: &'s str) -> Result<&'s str, Error> {
    let host_port = after_user_info(authority);
    if class::of(host_port.as_bytes()) & class::HOST != 0 && !host_port.is_empty() {
        return Err(Error::InvalidUri {
            reason: "invalid character in host",
        });
    }
    check_host_port(scheme, host_port, split_port(host_port))
}

/// The checks on `host[:port]` split into host and port; the `host` value.
fn check_host_port<'s>(
    scheme: Option<&str>,
    host_port: &'s str,
    (host, port): (&'s str, Option<&'s str>),
) -> Result<&'s str, Error> {
    if host_port.is_empty() {
        return Err(Error::InvalidUri {
            reason: "empty host",
        });
    }
    if host.is_empty() {
        return Err(Error::InvalidUri {
            reason: "empty host",
        });
    }
    if host.starts_with('[') != host.ends_with(']') {
        return Err(Error::InvalidUri {
            reason: "unbalanced brackets in IPv6 host",
        });
    }
    if let Some(p) = port {
        if p.is_empty()
            || p.len() > 5
            || !p.bytes().all(|c| c.is_ascii_digit())
            || p.parse::<u32>().map_or(true, |n| n > 65535)
        {
            return Err(Error::InvalidUri {
                reason: "invalid port",
            });
        }
    }
    Ok(signed_host(scheme, host_port, host, port))
}

/// `host[:port]` of an authority: what follows the last `@`.
fn after_user_info(authority: &str) -> &str {
    match authority.bytes().rposition(|b| b == b'@') {
        Some(i) => &authority[i + 1..],
        None => authority,
    }
}

fn split_port(host_port: &str) -> (&str, Option<&str>) {
    // `[v6]:port`, `host:port` or `host`.
    if host_port.starts_with('[') {
        if let Some(end) = host_port.find(']') {
            let (h, rest) = host_port.split_at(end + 1);
            return (h, rest.strip_prefix(':'));
        }
        return (host_port, None);
    }
    // A byte loop: `rsplit_once` goes through `memrchr`, slow on short strings.
    match host_port.bytes().rposition(|b| b == b':') {
        Some(i) => (&host_port[..i], Some(&host_port[i + 1..])),
        None => (host_port, None),
    }
}

/// The `host` header for an authority: user info removed, and the port
/// removed when it is the scheme's default (`http` 80, `https` 443).
pub fn host_from_authority<'s>(scheme: Option<&str>, authority: &'s str) -> &'s str {
    let host_port = after_user_info(authority);
    let (host, port) = split_port(host_port);
    signed_host(scheme, host_port, host, port)
}

fn signed_host<'s>(
    scheme: Option<&str>,
    host_port: &'s str,
    host: &'s str,
    port: Option<&str>,
) -> &'s str {
    let Some(port) = port else {
        return host_port;
    };
    let is = |name: &str| scheme.is_some_and(|s| s.eq_ignore_ascii_case(name));
    let default = if is("http") || is("ws") {
        Some("80")
    } else if is("https") || is("wss") {
        Some("443")
    } else {
        None
    };
    match (port, default) {
        (p, Some(d)) if p == d => host,
        ("", _) => host,
        _ => host_port,
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

    /// The one-pass authority scan agrees with the plain passes.
    #[test]
    fn authority_scan_agrees_with_the_plain_checks() {
        let parts = [
            "", "h", "user", "@", ":", "[", "]", "::1", "80", "443", " ", "x.y", "\u{e9}",
        ];
        let mut n = 0;
        for a in parts {
            for b in parts {
                for c in parts {
                    for d in ["", "/p", "?q", "/p?q"] {
                        let authority = alloc::format!("{a}{b}{c}");
                        let after = alloc::format!("{authority}{d}");
                        for scheme in ["https", "http", "s3"] {
                            let want = validate_authority(Some(scheme), &authority)
                                .map(|h| (authority.as_str(), h, d));
                            assert_eq!(scan_authority(scheme, &after), want, "{after:?}");
                            n += 1;
                        }
                    }
                }
            }
        }
        assert!(n > 20_000);
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
