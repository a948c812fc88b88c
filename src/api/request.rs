//! [`ApiRequest`]: a request ready to be signed, and its signing
//! ([`ApiRequest::sign`], pure: credentials and time are passed in) into a
//! [`SignedApiRequest`].

use std::fmt;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use super::endpoint::ENDPOINT_URL_FORM;
use super::CallError;
use crate::sign::{
    sign_headers, Credentials, Payload, SignableRequest, SigningKeyCache, SigningParams,
    SigningTime,
};
use crate::util::query::encode_pairs;
use crate::util::redact::redact_url;

/// `content-type`.
const CONTENT_TYPE: &str = "content-type";
/// The content type of a query-protocol body.
const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// How a request is authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Signing {
    /// SigV4 for `service` (the signing name) in `region`.
    SigV4 {
        /// The signing name (`sts`, `s3`, `ec2`...).
        service: String,
        /// The signing region.
        region: String,
        /// Sign the body's SHA-256 (`false`: `UNSIGNED-PAYLOAD`).
        sign_payload: bool,
    },
    /// Not signed (e.g. `AssumeRoleWithWebIdentity`).
    Anonymous,
}

/// A request ready to be signed: method, URL, headers, body, and how to sign.
#[derive(Clone)]
pub struct ApiRequest {
    /// The method.
    pub method: http::Method,
    /// The URL as it goes on the wire (percent-encoded).
    pub url: String,
    /// Headers to send and sign (lower-case names), besides `host`.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// How to authenticate.
    pub signing: Signing,
    payload_hash: OnceLock<String>,
}

impl fmt::Debug for ApiRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body may hold a token (web identity): show its length only.
        f.debug_struct("ApiRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("body_len", &self.body.len())
            .field("signing", &self.signing)
            .finish()
    }
}

/// A signed request and what was signed.
pub struct SignedApiRequest {
    /// The request to send.
    pub request: http::Request<Vec<u8>>,
    /// The canonical request (for comparing with a server's on
    /// `SignatureDoesNotMatch`); `None` when unsigned.
    pub canonical_request: Option<String>,
    /// The string to sign; `None` when unsigned.
    pub string_to_sign: Option<String>,
}

impl fmt::Debug for SignedApiRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedApiRequest")
            .field("method", self.request.method())
            .field("uri", self.request.uri())
            .finish_non_exhaustive()
    }
}

impl ApiRequest {
    /// A request with no headers and no body, signed for `service` in
    /// `region` with the body's hash.
    pub fn new(method: http::Method, url: impl Into<String>, service: &str, region: &str) -> Self {
        ApiRequest {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: Vec::new(),
            signing: Signing::SigV4 {
                service: service.into(),
                region: region.into(),
                sign_payload: true,
            },
            payload_hash: OnceLock::new(),
        }
    }

    /// Adds a header (name lower-cased).
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: Vec<u8>) -> Self {
        self.body = body;
        self.payload_hash = OnceLock::new();
        self
    }

    /// Sends the body as `UNSIGNED-PAYLOAD` (S3 only).
    pub fn unsigned_payload(mut self) -> Self {
        if let Signing::SigV4 { sign_payload, .. } = &mut self.signing {
            *sign_payload = false;
        }
        self
    }

    /// Sends the request unsigned.
    pub fn anonymous(mut self) -> Self {
        self.signing = Signing::Anonymous;
        self
    }

    /// An `application/x-www-form-urlencoded` POST of `params` (query
    /// protocol).
    pub fn form_post(
        url: impl Into<String>,
        service: &str,
        region: &str,
        params: &[(&str, &str)],
    ) -> Self {
        let body = encode_pairs(params.iter().copied());
        ApiRequest::new(http::Method::POST, url, service, region)
            .header(CONTENT_TYPE, FORM_CONTENT_TYPE)
            .body(body.into_bytes())
    }

    fn hash(&self) -> &str {
        self.payload_hash.get_or_init(|| {
            let digest: [u8; 32] = Sha256::digest(&self.body).into();
            hex::encode(digest)
        })
    }

    /// Signs the request with `credentials` at `time` (pure; call it again
    /// for each attempt). `credentials` may be `None` for an anonymous
    /// request.
    pub fn sign(
        &self,
        credentials: Option<&Credentials>,
        time: SigningTime,
        key_cache: Option<&SigningKeyCache>,
    ) -> Result<SignedApiRequest, CallError> {
        let mut signable = SignableRequest::new(self.method.as_str(), &self.url)?;
        let Some((scheme, authority)) = signable.origin() else {
            return Err(CallError::invalid(format!(
                "the URL {:?} must be absolute: expected {ENDPOINT_URL_FORM}/path",
                redact_url(&self.url)
            )));
        };
        let mut uri = format!("{scheme}://{authority}{}", signable.path());
        if !signable.query().is_empty() {
            uri.push('?');
            uri.push_str(signable.query());
        }
        let mut builder = http::Request::builder()
            .method(self.method.clone())
            .uri(&uri);
        let (mut canonical_request, mut string_to_sign) = (None, None);
        let mut signed_headers: Vec<(&str, String)> = Vec::new();
        if let Signing::SigV4 {
            service,
            region,
            sign_payload,
        } = &self.signing
        {
            let credentials = credentials
                .ok_or_else(|| CallError::invalid("no credentials given for a signed request"))?;
            let payload = if *sign_payload {
                Payload::Precomputed(self.hash())
            } else {
                Payload::Unsigned
            };
            signable = signable
                .headers(self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
                .payload(payload);
            let mut params = SigningParams::new(credentials, region, service, time);
            if let Some(cache) = key_cache {
                params = params.with_key_cache(cache);
            }
            let signed = sign_headers(&signable, &params)?;
            canonical_request = Some(signed.canonical_request().to_owned());
            string_to_sign = Some(signed.string_to_sign());
            signed_headers = signed.headers().map(|(n, v)| (n, v.to_owned())).collect();
        }
        for (n, v) in &self.headers {
            if !signed_headers
                .iter()
                .any(|(s, _)| s.eq_ignore_ascii_case(n))
            {
                builder = builder.header(n.as_str(), v.as_str());
            }
        }
        for (n, v) in &signed_headers {
            builder = builder.header(*n, v.as_str());
        }
        let request = builder
            .body(self.body.clone())
            .map_err(|e| CallError::invalid(format!("cannot build the HTTP request: {e}")))?;
        Ok(SignedApiRequest {
            request,
            canonical_request,
            string_to_sign,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::names::{AUTHORIZATION, X_AMZ_CONTENT_SHA256};

    #[test]
    fn anonymous_and_unsigned_payload() {
        let creds = Credentials::new("AKIDEXAMPLE", "secret");
        let t = SigningTime::parse_amz_date("20240101T000000Z").unwrap();
        let r = ApiRequest::new(
            http::Method::PUT,
            "https://b.s3.amazonaws.com/a%20b",
            "s3",
            "us-east-1",
        )
        .body(b"data".to_vec())
        .unsigned_payload()
        .sign(Some(&creds), t, None)
        .unwrap();
        assert_eq!(
            r.request.headers()[X_AMZ_CONTENT_SHA256],
            "UNSIGNED-PAYLOAD"
        );
        assert_eq!(r.request.uri().path(), "/a%20b");
        let r = ApiRequest::new(
            http::Method::POST,
            "https://sts.amazonaws.com/",
            "sts",
            "us-east-1",
        )
        .anonymous()
        .sign(None, t, None)
        .unwrap();
        assert!(r.request.headers().get(AUTHORIZATION).is_none());
        assert!(r.canonical_request.is_none());
        let e = ApiRequest::new(
            http::Method::GET,
            "https://x.amazonaws.com/",
            "x",
            "us-east-1",
        )
        .sign(None, t, None)
        .unwrap_err();
        assert!(
            matches!(&e, CallError::InvalidRequest { message } if message == "no credentials given for a signed request"),
            "{e}"
        );
    }

    #[test]
    fn relative_urls_are_refused_with_the_expected_form() {
        let t = SigningTime::parse_amz_date("20240101T000000Z").unwrap();
        let e = ApiRequest::new(http::Method::GET, "/just/a/path", "s3", "us-east-1")
            .sign(None, t, None)
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("expected http(s)://host[:port]/path"),
            "{e}"
        );
    }
}
