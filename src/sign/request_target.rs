//! The request target: a URI split into scheme, authority, `host`, path
//! and query, checked in one pass over its bytes, and the `host` value an
//! authority gives.

use super::{canonical_headers as headers, Error};
use alloc::borrow::Cow;
use alloc::string::String;

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
    /// `@`: there may be user info.
    pub(super) const AT: u8 = 16;
    /// `:`: there may be a port.
    pub(super) const COLON: u8 = 32;
    /// `?`: there may be a query.
    pub(super) const QUERY: u8 = 64;

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
            v |= match c {
                b'#' => FRAGMENT,
                b'@' => AT,
                b':' => COLON,
                b'?' => QUERY,
                _ => 0,
            };
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

pub(super) fn wire_form(s: &str) -> Cow<'_, str> {
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
pub(super) struct Target<'a> {
    pub(super) scheme: Option<&'a str>,
    pub(super) authority: Option<&'a str>,
    pub(super) host: Option<&'a str>,
    pub(super) path_raw: &'a str,
    pub(super) query_raw: &'a str,
    pub(super) needs_wire_form: bool,
}

impl<'a> Target<'a> {
    /// Checks `method` too, so that [`SignableRequest::new`] has one
    /// result to test.
    ///
    /// One table pass over the URI after its scheme gives every class of
    /// byte in it: what is rejected, what needs encoding, and whether a
    /// `@`, `:`, `?` or `#` is there at all; the searches for those run
    /// only when one is.
    pub(super) fn parse(method: &str, uri: &'a str) -> Result<Self, Error> {
        if !headers::is_valid_name(method) {
            return Err(Error::InvalidMethod);
        }
        let split = split_scheme(uri);
        let scanned = split.map_or(uri, |(_, after)| after);
        let classes = class::of(scanned.as_bytes());
        // (A scheme that `split_scheme` accepts has no control characters.)
        if classes & class::CONTROL != 0 {
            return Err(Error::InvalidUri {
                reason: "contains a control character",
            });
        }
        let cut = |s: &'a str| {
            if classes & class::FRAGMENT != 0 {
                s.split('#').next().unwrap_or("")
            } else {
                s
            }
        };
        let (scheme, authority, host, rest) = if let Some((scheme, after)) = split {
            let (authority, host, rest) = scan_authority(scheme, cut(after), classes)?;
            (Some(scheme), Some(authority), Some(host), rest)
        } else if uri.starts_with('/') {
            (None, None, None, cut(uri))
        } else {
            return Err(Error::InvalidUri {
                reason: "expected an absolute URI or a path starting with `/`",
            });
        };
        let query_at = if classes & class::QUERY != 0 {
            rest.bytes().position(|b| b == b'?')
        } else {
            None
        };
        let (path_raw, query_raw) = match query_at {
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

/// Splits the authority off the front of `after` (what follows `://`, up to
/// `/`, `?` or the end) and checks it. `classes` are those of `after`'s
/// bytes ([`class::of`]): a search for user info, a port or a bad host
/// byte runs only when such a byte is somewhere in `after`. Returns the
/// authority, the `host` value it gives, and the rest of the URI.
fn scan_authority<'s>(
    scheme: &str,
    after: &'s str,
    classes: u8,
) -> Result<(&'s str, &'s str, &'s str), Error> {
    let end = after
        .bytes()
        .position(|c| c == b'/' || c == b'?')
        .unwrap_or(after.len());
    let (authority, rest) = after.split_at(end);
    let host_port = if classes & class::AT != 0 {
        after_user_info(authority)
    } else {
        authority
    };
    if classes & class::HOST != 0
        && class::of(host_port.as_bytes()) & class::HOST != 0
        && !host_port.is_empty()
    {
        return Err(Error::InvalidUri {
            reason: "invalid character in host",
        });
    }
    let split = if host_port.starts_with('[') || classes & class::COLON != 0 {
        split_port(host_port)
    } else {
        (host_port, None)
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
                            let classes = class::of(after.as_bytes());
                            assert_eq!(scan_authority(scheme, &after, classes), want, "{after:?}");
                            n += 1;
                        }
                    }
                }
            }
        }
        assert!(n > 20_000);
    }
}
