//! S3-style XML error answers: `<Error><Code>..</Code><Message>..</Message>
//! ..<RequestId>..</RequestId></Error>`, with S3's extra elements
//! (`<StringToSign>`, `<CanonicalRequest>`, ...) where S3 sends them.

use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;

use super::body::VerifiedBodyError;
use super::lookup::LookupError;
use crate::sign::verify::BodyError;
use crate::sign::verify::Rejection;

/// An S3 error answer: status, code, message, request id, and optional
/// extra elements. The layer answers its refusals with one; handlers can
/// answer theirs the same way (`NoSuchKey`, a body that failed
/// verification, ...).
///
/// ```
/// use sigv4::server::ErrorResponse;
/// let e = ErrorResponse::new(404, "NoSuchKey", "The specified key does not exist.")
///     .with_resource("/bucket/key");
/// let response: http::Response<bytes::Bytes> = e.into_response();
/// assert_eq!(response.status(), 404);
/// let xml = std::str::from_utf8(response.body())?;
/// assert!(xml.contains("<Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Resource>/bucket/key</Resource>"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ErrorResponse {
    /// Boxed: handlers return it as their `Err`, small.
    inner: Box<Fields>,
}

#[derive(Clone, PartialEq, Eq)]
struct Fields {
    status: u16,
    code: Cow<'static, str>,
    message: String,
    resource: Option<String>,
    request_id: String,
    /// Elements after `<Message>`, in order (`AWSAccessKeyId`, `StringToSign`, ...).
    details: Vec<(&'static str, String)>,
}

impl ErrorResponse {
    /// An answer with `status`, S3 error `code` and `message`, and a fresh
    /// request id.
    pub fn new(
        status: u16,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        ErrorResponse {
            inner: Box::new(Fields {
                status,
                code: code.into(),
                message: message.into(),
                resource: None,
                request_id: next_request_id(),
                details: Vec::new(),
            }),
        }
    }

    /// The refusal of a request whose signature did not verify: S3's code
    /// and status; for `SignatureDoesNotMatch`, S3's message and the
    /// server's `<StringToSign>` and `<CanonicalRequest>` (what a client
    /// compares with its own), with the `<AWSAccessKeyId>` when known.
    pub fn from_rejection(rejection: &Rejection, access_key_id: Option<&str>) -> Self {
        let code = rejection.s3_code();
        let message = match code {
            "SignatureDoesNotMatch" => SIGNATURE_MISMATCH_MESSAGE.to_string(),
            _ => rejection.error().to_string(),
        };
        let mut e = ErrorResponse::new(rejection.status(), code, message);
        if code == "SignatureDoesNotMatch" {
            if let Some(key) = access_key_id {
                e = e.with_detail("AWSAccessKeyId", key);
            }
            if let Some(sts) = rejection.string_to_sign() {
                e = e.with_detail("StringToSign", sts);
            }
            if let Some(creq) = rejection.canonical_request() {
                e = e.with_detail("CanonicalRequest", creq);
            }
        }
        e
    }

    /// The refusal of the secret lookup (`InvalidAccessKeyId`,
    /// `InvalidToken`, `ExpiredToken`, `InternalError`).
    pub fn from_lookup(error: &LookupError, access_key_id: &str) -> Self {
        let e = ErrorResponse::new(error.status(), error.s3_code(), error.to_string());
        match error {
            LookupError::InvalidAccessKeyId => e.with_detail("AWSAccessKeyId", access_key_id),
            _ => e,
        }
    }

    /// The refusal of a body (before the handler: its framing or
    /// announced hash is unusable; after: what a handler answers when
    /// reading the body failed).
    pub fn from_body_error(error: &BodyError) -> Self {
        ErrorResponse::new(error.status(), error.s3_code(), error.to_string())
    }

    /// What a handler answers when reading a [`VerifiedBody`](super::VerifiedBody) failed:
    /// the verification's S3 code, or `IncompleteBody` (400) when the
    /// connection failed.
    pub fn from_body_read(error: &VerifiedBodyError) -> Self {
        match error {
            VerifiedBodyError::Verification(e) => Self::from_body_error(e),
            VerifiedBodyError::Transport(_) => ErrorResponse::new(
                400,
                "IncompleteBody",
                "You did not provide the number of bytes specified by the Content-Length HTTP header.",
            ),
        }
    }

    /// Adds `<Resource>` (the path the request named).
    pub fn with_resource(mut self, resource: impl Into<String>) -> Self {
        self.inner.resource = Some(resource.into());
        self
    }

    /// Replaces the request id.
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.inner.request_id = request_id.into();
        self
    }

    /// Adds an element after `<Message>` (S3's `<BucketName>`, `<Key>`,
    /// `<AWSAccessKeyId>`, ...). `element` must be an XML name.
    pub fn with_detail(mut self, element: &'static str, value: impl Into<String>) -> Self {
        self.inner.details.push((element, value.into()));
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.inner.status
    }

    /// The S3 error code.
    pub fn code(&self) -> &str {
        &self.inner.code
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The request id (also the `x-amz-request-id` header of the answer).
    pub fn request_id(&self) -> &str {
        &self.inner.request_id
    }

    /// The value of the extra element `element`, if present.
    pub fn detail(&self, element: &str) -> Option<&str> {
        self.inner
            .details
            .iter()
            .find(|(n, _)| *n == element)
            .map(|(_, v)| v.as_str())
    }

    /// The XML document.
    pub fn to_xml(&self) -> String {
        let mut xml = String::with_capacity(
            160 + self.inner.message.len()
                + self
                    .inner
                    .details
                    .iter()
                    .map(|(_, v)| v.len() + 40)
                    .sum::<usize>(),
        );
        xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>");
        push_element(&mut xml, "Code", &self.inner.code);
        push_element(&mut xml, "Message", &self.inner.message);
        if let Some(r) = &self.inner.resource {
            push_element(&mut xml, "Resource", r);
        }
        for (name, value) in &self.inner.details {
            push_element(&mut xml, name, value);
        }
        push_element(&mut xml, "RequestId", &self.inner.request_id);
        xml.push_str("</Error>");
        xml
    }

    /// The answer: status, `content-type: application/xml`,
    /// `x-amz-request-id`, the XML body.
    pub fn into_response<B: From<Bytes>>(self) -> http::Response<B> {
        self.response(true)
    }

    /// The answer to a `HEAD` request: status and headers, no body (as S3).
    pub fn into_head_response<B: From<Bytes>>(self) -> http::Response<B> {
        self.response(false)
    }

    fn response<B: From<Bytes>>(self, with_body: bool) -> http::Response<B> {
        let body = if with_body {
            Bytes::from(self.to_xml())
        } else {
            Bytes::new()
        };
        let mut response = http::Response::new(B::from(body));
        *response.status_mut() =
            http::StatusCode::from_u16(self.inner.status).unwrap_or(http::StatusCode::BAD_REQUEST);
        let headers = response.headers_mut();
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/xml"),
        );
        if let Ok(id) = http::HeaderValue::from_str(&self.inner.request_id) {
            headers.insert("x-amz-request-id", id);
        }
        response
    }
}

/// Shows code, status, message and which extra elements there are, never
/// their values (a canonical request can hold a session token).
impl fmt::Debug for ErrorResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorResponse")
            .field("status", &self.inner.status)
            .field("code", &self.inner.code)
            .field("message", &self.inner.message)
            .field("request_id", &self.inner.request_id)
            .field(
                "details",
                &self
                    .inner
                    .details
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl fmt::Display for ErrorResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.inner.code, self.inner.status, self.inner.message
        )
    }
}

impl std::error::Error for ErrorResponse {}

/// S3's message for `SignatureDoesNotMatch`.
const SIGNATURE_MISMATCH_MESSAGE: &str = "The request signature we calculated does not match \
     the signature you provided. Check your key and signing method.";

/// A request id: 16 uppercase hex digits, unique in the process (a
/// counter scrambled with the process start time, so ids differ between runs).
pub(super) fn next_request_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let start = *START.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    // splitmix64: distinct inputs give distinct outputs.
    let mut z = start.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    format!("{:016X}", z ^ (z >> 31))
}

fn push_element(xml: &mut String, name: &str, value: &str) {
    xml.push('<');
    xml.push_str(name);
    xml.push('>');
    for c in value.chars() {
        match c {
            '&' => xml.push_str("&amp;"),
            '<' => xml.push_str("&lt;"),
            '>' => xml.push_str("&gt;"),
            '"' => xml.push_str("&quot;"),
            '\'' => xml.push_str("&apos;"),
            // XML 1.0 has no other control characters than tab, LF and CR.
            '\t' | '\n' | '\r' => xml.push(c),
            c if (c as u32) < 0x20 => xml.push(char::REPLACEMENT_CHARACTER),
            c => xml.push(c),
        }
    }
    xml.push_str("</");
    xml.push_str(name);
    xml.push('>');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_is_escaped_and_ordered() {
        let e = ErrorResponse::new(403, "SignatureDoesNotMatch", "a < b & c")
            .with_detail("CanonicalRequest", "GET\n/a&b\n<x>")
            .with_request_id("ID1");
        assert_eq!(
            e.to_xml(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code>\
             <Message>a &lt; b &amp; c</Message><CanonicalRequest>GET\n/a&amp;b\n&lt;x&gt;</CanonicalRequest>\
             <RequestId>ID1</RequestId></Error>"
        );
        let shown = format!("{e:?}");
        assert!(!shown.contains("/a&b"), "{shown}");
        let r: http::Response<Bytes> = e.clone().into_head_response();
        assert_eq!((r.status().as_u16(), r.body().len()), (403, 0));
        assert_eq!(r.headers()["x-amz-request-id"], "ID1");
    }

    #[test]
    fn request_ids_differ() {
        let a = next_request_id();
        let b = next_request_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 16);
    }
}
