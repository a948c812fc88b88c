//! What goes upstream and what comes back: the request headers (incoming
//! signing headers, hop-by-hop headers and `--strip-header` names removed,
//! `host` chosen), the query (presigned `X-Amz-*` parameters removed), and
//! the response headers (hop-by-hop ones removed; hyper frames the body
//! again).

use std::borrow::Cow;

use http::header::{HeaderMap, HeaderName, HeaderValue, CONNECTION, HOST};
use sigv4::sign::names;
use sigv4::sign::payload::{
    STREAMING_ECDSA_PAYLOAD, STREAMING_ECDSA_PAYLOAD_TRAILER, STREAMING_PAYLOAD,
    STREAMING_PAYLOAD_TRAILER, STREAMING_UNSIGNED_PAYLOAD_TRAILER,
};

/// Request headers of an incoming signature: the proxy signs again, so
/// whatever the client signed (or tried to) is dropped. The presigned
/// query names are here too, as headers: a client that sends them as
/// headers gets them dropped as well.
const SIGNING_HEADERS: &[&str] = &[
    names::AUTHORIZATION,
    names::X_AMZ_DATE,
    names::X_AMZ_SECURITY_TOKEN,
    names::X_AMZ_CONTENT_SHA256,
    names::X_AMZ_REGION_SET,
    "x-amz-algorithm",
    "x-amz-credential",
    "x-amz-expires",
    "x-amz-signedheaders",
    "x-amz-signature",
];

/// Hop-by-hop headers (RFC 9110 section 7.6.1, and `expect`, which hyper
/// answers on the client side of the proxy): never forwarded either way.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "expect",
];

/// aws-chunked bodies whose chunks carry the client's signatures: they
/// cannot be signed again without decoding the body.
const SIGNED_CHUNKS: &[&str] = &[
    STREAMING_PAYLOAD,
    STREAMING_PAYLOAD_TRAILER,
    STREAMING_ECDSA_PAYLOAD,
    STREAMING_ECDSA_PAYLOAD_TRAILER,
];

/// Presigned URL parameters, removed from the query.
fn is_presign_param(name: &str) -> bool {
    names::PRESIGN_PARAMS
        .iter()
        .chain([&names::Q_REGION_SET])
        .any(|p| p.eq_ignore_ascii_case(name))
}

/// Removes every hop-by-hop header, and the headers the `Connection`
/// header names.
fn remove_hop_by_hop(headers: &mut HeaderMap) {
    let listed: Vec<HeaderName> = headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|n| HeaderName::from_bytes(n.trim().as_bytes()).ok())
        .collect();
    for name in listed {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(*name);
    }
}

/// The `host` to send and sign.
pub enum Host<'a> {
    /// This value (the upstream's host).
    Upstream(&'a str),
    /// The client's `host` header; this value when it sent none (HTTP/1.0).
    Keep(&'a str),
}

/// The headers to forward (before signing), from the client's. An
/// aws-chunked body with signed chunks is refused (the message says why).
pub fn request_headers(
    incoming: HeaderMap,
    strip: &[HeaderName],
    host: Host<'_>,
) -> Result<HeaderMap, String> {
    let mut headers = incoming;
    remove_hop_by_hop(&mut headers);
    for name in strip {
        headers.remove(name);
    }
    let declared = headers
        .get(names::X_AMZ_CONTENT_SHA256)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string());
    if let Some(marker) = declared.as_deref().filter(|d| SIGNED_CHUNKS.contains(d)) {
        return Err(format!(
            "the body is aws-chunked with chunk signatures (x-amz-content-sha256: {marker}), \
             which cannot be signed again: send the request unsigned \
             (e.g. aws --no-sign-request) and the proxy signs it"
        ));
    }
    for name in SIGNING_HEADERS {
        headers.remove(*name);
    }
    if declared.as_deref() == Some(STREAMING_UNSIGNED_PAYLOAD_TRAILER) {
        // An unsigned aws-chunked body with a trailing checksum: forwarded
        // as declared, and the declaration is what gets signed.
        headers.insert(
            names::X_AMZ_CONTENT_SHA256,
            HeaderValue::from_static(STREAMING_UNSIGNED_PAYLOAD_TRAILER),
        );
    }
    let fallback = match host {
        Host::Upstream(h) => {
            headers.remove(HOST);
            h
        }
        Host::Keep(h) => h,
    };
    if !headers.contains_key(HOST) {
        let value = HeaderValue::from_str(fallback)
            .map_err(|_| format!("the host {fallback:?} is not a valid header value"))?;
        headers.insert(HOST, value);
    }
    Ok(headers)
}

/// The query without presigned-URL authentication parameters (every other
/// parameter kept byte for byte, in order).
pub fn strip_auth_query(query: &str) -> Cow<'_, str> {
    let is_auth = |pair: &str| is_presign_param(pair.split('=').next().unwrap_or(""));
    if !query.split('&').any(is_auth) {
        return Cow::Borrowed(query);
    }
    Cow::Owned(
        query
            .split('&')
            .filter(|p| !p.is_empty() && !is_auth(p))
            .collect::<Vec<_>>()
            .join("&"),
    )
}

/// The upstream's response headers as they go back (hop-by-hop removed).
pub fn response_headers(headers: &mut HeaderMap) {
    remove_hop_by_hop(headers);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (n, v) in pairs {
            m.append(
                HeaderName::from_bytes(n.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        m
    }

    #[test]
    fn signing_and_hop_by_hop_headers_go() {
        let incoming = map(&[
            ("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/..."),
            ("X-Amz-Date", "20240101T000000Z"),
            ("x-amz-security-token", "TOKEN"),
            ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
            ("x-amz-signature", "abc"),
            ("x-amz-region-set", "*"),
            ("x-amz-meta-owner", "alice"),
            ("x-amz-acl", "private"),
            ("connection", "keep-alive, x-private"),
            ("x-private", "1"),
            ("transfer-encoding", "chunked"),
            ("expect", "100-continue"),
            ("proxy-authorization", "Basic xyz"),
            ("x-drop-me", "1"),
            ("content-type", "text/plain"),
            ("host", "127.0.0.1:8080"),
        ]);
        let strip = [HeaderName::from_static("x-drop-me")];
        let out =
            request_headers(incoming.clone(), &strip, Host::Upstream("s3.amazonaws.com")).unwrap();
        let mut names: Vec<&str> = out.keys().map(HeaderName::as_str).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            ["content-type", "host", "x-amz-acl", "x-amz-meta-owner"]
        );
        assert_eq!(out["host"], "s3.amazonaws.com");
        let kept = request_headers(incoming, &[], Host::Keep("unused")).unwrap();
        assert_eq!(kept["host"], "127.0.0.1:8080");
        assert!(kept.contains_key("x-drop-me"));
        let no_host = request_headers(HeaderMap::new(), &[], Host::Keep("up:1")).unwrap();
        assert_eq!(no_host["host"], "up:1");
    }

    #[test]
    fn aws_chunked_bodies() {
        let unsigned = map(&[("x-amz-content-sha256", STREAMING_UNSIGNED_PAYLOAD_TRAILER)]);
        let out = request_headers(unsigned, &[], Host::Upstream("h")).unwrap();
        assert_eq!(
            out["x-amz-content-sha256"],
            STREAMING_UNSIGNED_PAYLOAD_TRAILER
        );
        for marker in SIGNED_CHUNKS {
            let e = request_headers(
                map(&[("x-amz-content-sha256", marker)]),
                &[],
                Host::Upstream("h"),
            )
            .unwrap_err();
            assert!(e.contains("--no-sign-request"), "{e}");
        }
    }

    #[test]
    fn presigned_query_parameters_go() {
        assert_eq!(strip_auth_query(""), "");
        assert_eq!(
            strip_auth_query("list-type=2&prefix=a%20b"),
            "list-type=2&prefix=a%20b"
        );
        assert_eq!(
            strip_auth_query(
                "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20240101&uploads&\
                 x-amz-signature=abc&X-Amz-Security-Token=T&X-Amz-Date=1&X-Amz-Expires=60&\
                 X-Amz-SignedHeaders=host&X-Amz-Region-Set=*&partNumber=2"
            ),
            "uploads&partNumber=2"
        );
        assert_eq!(strip_auth_query("X-Amz-Signature"), "");
        // Only the exact names: other x-amz-* parameters stay.
        assert_eq!(strip_auth_query("x-amz-meta=1"), "x-amz-meta=1");
    }

    #[test]
    fn response_hop_by_hop_headers_go() {
        let mut h = map(&[
            ("content-length", "5"),
            ("connection", "close"),
            ("transfer-encoding", "chunked"),
            ("etag", "\"x\""),
        ]);
        response_headers(&mut h);
        let mut names: Vec<&str> = h.keys().map(HeaderName::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["content-length", "etag"]);
    }
}
