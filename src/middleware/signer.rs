//! [`RequestSigner`]: what the reqwest middleware and the tower layer both
//! sign with (service, region, credentials, body rules), and
//! [`SigningError`].

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use http::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION};

use crate::credentials::asynchronous::ProvideCredentialsAsync;
use crate::credentials::CredentialsError;
use crate::sign::names::X_AMZ_CONTENT_SHA256;
use crate::sign::payload::STREAMING_UNSIGNED_PAYLOAD_TRAILER;
use crate::sign::{
    self, sign_headers, Credentials, Payload, SignableRequest, SigningParams, SigningSettings,
    SigningTime,
};

/// The time source of a [`RequestSigner`].
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// What the body of a request is, for signing.
#[derive(Clone, Copy, Debug)]
pub enum BodyToSign<'a> {
    /// In memory: hashed (an empty slice for no body).
    Bytes(&'a [u8]),
    /// Streamed: `UNSIGNED-PAYLOAD` where the service allows it (or, when
    /// the request's `x-amz-content-sha256` already says
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`, an unsigned aws-chunked body,
    /// signed as declared).
    Streaming,
}

/// What a signature was computed over, for debugging
/// ([`RequestSigner::sign_with_details`]). The canonical request carries
/// the session token when one is signed: redact it before showing it.
#[derive(Clone, Default)]
pub struct SignedDetails {
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
}

impl fmt::Debug for SignedDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedDetails")
            .field("string_to_sign", &self.string_to_sign)
            .finish_non_exhaustive()
    }
}

/// Why a request was not signed. Messages never contain secrets.
#[derive(Debug)]
#[non_exhaustive]
pub enum SigningError {
    /// The request already has an `Authorization` header.
    AlreadySigned,
    /// The body is a stream and the service does not accept
    /// `UNSIGNED-PAYLOAD` (buffer the body, or sign it yourself with a
    /// precomputed hash).
    StreamingBody {
        /// The service signed for.
        service: String,
    },
    /// Credentials could not be obtained.
    Credentials(CredentialsError),
    /// The request could not be signed (invalid URI, header...).
    Signing(sign::Error),
    /// The body could not be read (tower bodies collected for hashing).
    Body(Box<dyn StdError + Send + Sync>),
}

impl fmt::Display for SigningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SigningError::AlreadySigned => f.write_str(
                "the request already has an Authorization header; refusing to sign it again",
            ),
            SigningError::StreamingBody { service } => write!(
                f,
                "the request body is a stream and `{service}` does not accept UNSIGNED-PAYLOAD: \
                 send a body in memory (it is hashed) or sign with a precomputed payload hash"
            ),
            SigningError::Credentials(e) => write!(f, "no credentials to sign with: {e}"),
            SigningError::Signing(e) => write!(f, "the request could not be signed: {e}"),
            SigningError::Body(e) => write!(f, "the request body could not be read: {e}"),
        }
    }
}

impl StdError for SigningError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            SigningError::Credentials(e) => Some(e),
            SigningError::Signing(e) => Some(e),
            SigningError::Body(e) => Some(&**e),
            _ => None,
        }
    }
}

impl From<CredentialsError> for SigningError {
    fn from(e: CredentialsError) -> Self {
        SigningError::Credentials(e)
    }
}

impl From<sign::Error> for SigningError {
    fn from(e: sign::Error) -> Self {
        SigningError::Signing(e)
    }
}

/// Signs requests for one service and region with credentials from an
/// async provider, refreshing through it as needed (wrap a fetching
/// provider in an [`AsyncCachedProvider`](crate::credentials::asynchronous::AsyncCachedProvider)).
///
/// ```
/// use std::sync::Arc;
/// use sigv4::middleware::{BodyToSign, RequestSigner};
/// use sigv4::Credentials;
///
/// let signer = RequestSigner::new("execute-api", "eu-west-1",
///     Arc::new(Credentials::new("AKIDEXAMPLE", "secret")));
/// let mut headers = http::HeaderMap::new();
/// let credentials = pollster::block_on(signer.credentials())?;
/// signer.sign_with(&credentials, &http::Method::POST,
///     "https://abc.execute-api.eu-west-1.amazonaws.com/prod/items", &mut headers,
///     BodyToSign::Bytes(b"{}"))?;
/// assert!(headers["authorization"].to_str()?.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct RequestSigner {
    service: String,
    region: String,
    credentials: Arc<dyn ProvideCredentialsAsync>,
    settings: SigningSettings,
    unsigned_streaming: bool,
    max_buffered_body: u64,
    clock: Clock,
    /// SigV4a: the region set signed for instead of the region.
    #[cfg(feature = "sigv4a")]
    region_set: Option<String>,
}

impl fmt::Debug for RequestSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestSigner")
            .field("service", &self.service)
            .field("region", &self.region)
            .field("settings", &self.settings)
            .field("unsigned_streaming", &self.unsigned_streaming)
            .finish_non_exhaustive()
    }
}

/// The services that accept `UNSIGNED-PAYLOAD`.
fn allows_unsigned_payload(service: &str) -> bool {
    matches!(service, "s3" | "s3-object-lambda" | "s3express")
}

impl RequestSigner {
    /// Default largest body the tower layer collects to hash: 8 MiB.
    pub const DEFAULT_MAX_BUFFERED_BODY: u64 = 8 * 1024 * 1024;

    /// Signs for `service` in `region` with `credentials`, with the
    /// service's rules ([`SigningSettings::for_service`]).
    pub fn new(
        service: impl Into<String>,
        region: impl Into<String>,
        credentials: Arc<dyn ProvideCredentialsAsync>,
    ) -> Self {
        let service = service.into();
        RequestSigner {
            settings: SigningSettings::for_service(&service),
            unsigned_streaming: allows_unsigned_payload(&service),
            service,
            region: region.into(),
            credentials,
            max_buffered_body: Self::DEFAULT_MAX_BUFFERED_BODY,
            clock: Arc::new(SystemTime::now),
            #[cfg(feature = "sigv4a")]
            region_set: None,
        }
    }

    /// Signs with SigV4a (ECDSA P-256) for `region_set` (`*`, one region or
    /// `r1,r2`) instead of SigV4 for the region (feature `sigv4a`). An
    /// invalid set is a [`SigningError::Signing`] at the first signature.
    #[cfg(feature = "sigv4a")]
    pub fn with_region_set(mut self, region_set: impl Into<String>) -> Self {
        self.region_set = Some(region_set.into());
        self
    }

    /// The SigV4a region set, when signing with SigV4a.
    #[cfg(feature = "sigv4a")]
    pub fn region_set(&self) -> Option<&str> {
        self.region_set.as_deref()
    }

    /// Replaces the rules chosen from the service.
    pub fn with_settings(mut self, settings: SigningSettings) -> Self {
        self.settings = settings;
        self
    }

    /// Whether streaming bodies are sent as `UNSIGNED-PAYLOAD` (default:
    /// for the S3 services only).
    pub fn with_unsigned_streaming(mut self, allowed: bool) -> Self {
        self.unsigned_streaming = allowed;
        self
    }

    /// The largest body of known size the tower layer collects and hashes;
    /// larger or unsized bodies are streaming.
    pub fn with_max_buffered_body(mut self, bytes: u64) -> Self {
        self.max_buffered_body = bytes;
        self
    }

    /// Uses `clock` instead of [`SystemTime::now`].
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The service signed for.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The region signed for.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Whether streaming bodies are signed as `UNSIGNED-PAYLOAD` (see
    /// [`with_unsigned_streaming`](Self::with_unsigned_streaming)).
    pub fn unsigned_streaming(&self) -> bool {
        self.unsigned_streaming
    }

    /// See [`with_max_buffered_body`](Self::with_max_buffered_body).
    pub fn max_buffered_body(&self) -> u64 {
        self.max_buffered_body
    }

    /// The credentials to sign with now (from the provider, which caches
    /// and refreshes).
    pub async fn credentials(&self) -> Result<Credentials, SigningError> {
        Ok(self.credentials.provide_async().await?)
    }

    /// Checks what can be checked before credentials are fetched: no
    /// `Authorization` header yet.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), SigningError> {
        if headers.contains_key(AUTHORIZATION) {
            return Err(SigningError::AlreadySigned);
        }
        Ok(())
    }

    /// The payload to sign for `body`, or why it cannot be signed.
    pub fn payload<'a>(&self, body: BodyToSign<'a>) -> Result<Payload<'a>, SigningError> {
        match body {
            BodyToSign::Bytes(bytes) => Ok(Payload::Bytes(bytes)),
            BodyToSign::Streaming if self.unsigned_streaming => Ok(Payload::Unsigned),
            BodyToSign::Streaming => Err(SigningError::StreamingBody {
                service: self.service.clone(),
            }),
        }
    }

    /// Signs a request (`method`, absolute `uri`, `headers`, `body`) with
    /// `credentials`: adds `authorization`, `x-amz-date` and, as
    /// applicable, `x-amz-security-token`, `x-amz-content-sha256` and (SigV4a)
    /// `x-amz-region-set` to `headers`. A `host` header in `headers` is
    /// signed instead of the URI's authority.
    pub fn sign_with(
        &self,
        credentials: &Credentials,
        method: &http::Method,
        uri: &str,
        headers: &mut HeaderMap,
        body: BodyToSign<'_>,
    ) -> Result<(), SigningError> {
        self.sign_inner(credentials, method, uri, headers, body, false)
            .map(drop)
    }

    /// [`sign_with`](Self::sign_with), also returning the canonical request
    /// and the string to sign (a `--debug` view).
    pub fn sign_with_details(
        &self,
        credentials: &Credentials,
        method: &http::Method,
        uri: &str,
        headers: &mut HeaderMap,
        body: BodyToSign<'_>,
    ) -> Result<SignedDetails, SigningError> {
        self.sign_inner(credentials, method, uri, headers, body, true)
            .map(Option::unwrap_or_default)
    }

    fn sign_inner(
        &self,
        credentials: &Credentials,
        method: &http::Method,
        uri: &str,
        headers: &mut HeaderMap,
        body: BodyToSign<'_>,
        keep_details: bool,
    ) -> Result<Option<SignedDetails>, SigningError> {
        self.check(headers)?;
        let declared_unsigned_trailer = matches!(body, BodyToSign::Streaming)
            && self.unsigned_streaming
            && headers
                .get(X_AMZ_CONTENT_SHA256)
                .is_some_and(|v| v.as_bytes() == STREAMING_UNSIGNED_PAYLOAD_TRAILER.as_bytes());
        let payload = self.payload(body)?;
        let time = SigningTime::from((self.clock)());
        let mut request = SignableRequest::new(method.as_str(), uri)?;
        if !declared_unsigned_trailer {
            // Otherwise the header is the payload hash signed.
            request = request.payload(payload);
        }
        for (name, value) in headers.iter() {
            request = request.header_bytes(name.as_str(), value.as_bytes());
        }
        #[cfg(feature = "sigv4a")]
        if let Some(set) = &self.region_set {
            let params = sign::v4a::SigningParams::new(credentials, set, &self.service, time)
                .with_settings(self.settings);
            let signature = sign::v4a::sign_headers(&request, &params)?;
            set_headers(headers, signature.headers())?;
            return Ok(keep_details.then(|| SignedDetails {
                canonical_request: signature.canonical_request().to_owned(),
                string_to_sign: signature.string_to_sign(),
            }));
        }
        let params = SigningParams::new(credentials, &self.region, &self.service, time)
            .with_settings(self.settings);
        let signature = sign_headers(&request, &params)?;
        set_headers(headers, signature.headers())?;
        Ok(keep_details.then(|| SignedDetails {
            canonical_request: signature.canonical_request().to_owned(),
            string_to_sign: signature.string_to_sign(),
        }))
    }
}

/// Puts the signature's headers on the request (each replacing any of the
/// same name); the secret-bearing ones are marked sensitive.
fn set_headers<'v>(
    headers: &mut HeaderMap,
    added: impl Iterator<Item = (&'static str, &'v str)>,
) -> Result<(), SigningError> {
    for (name, value) in added {
        let mut value =
            HeaderValue::from_str(value).map_err(|_| sign::Error::InvalidSessionToken)?;
        if name == "authorization" || name == "x-amz-security-token" {
            value.set_sensitive(true);
        }
        headers.insert(HeaderName::from_static(name), value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(service: &str) -> RequestSigner {
        RequestSigner::new(
            service,
            "us-east-1",
            Arc::new(Credentials::new("AKIDEXAMPLE", "secret")),
        )
    }

    #[test]
    fn body_rules_and_double_signing() {
        let c = Credentials::new("AKIDEXAMPLE", "secret").with_session_token("TOKEN");
        let mut headers = HeaderMap::new();
        let s3 = signer("s3");
        s3.sign_with(
            &c,
            &http::Method::PUT,
            "http://127.0.0.1:9/b/k",
            &mut headers,
            BodyToSign::Streaming,
        )
        .unwrap();
        assert_eq!(headers["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");
        assert!(headers["authorization"].is_sensitive());
        let e = s3
            .sign_with(
                &c,
                &http::Method::PUT,
                "http://127.0.0.1:9/b/k",
                &mut headers,
                BodyToSign::Streaming,
            )
            .unwrap_err();
        assert!(matches!(e, SigningError::AlreadySigned), "{e}");
        let e = signer("sts")
            .sign_with(
                &c,
                &http::Method::POST,
                "http://127.0.0.1:9/",
                &mut HeaderMap::new(),
                BodyToSign::Streaming,
            )
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("`sts` does not accept UNSIGNED-PAYLOAD"),
            "{e}"
        );
        assert!(!format!("{e:?}{e}{headers:?}").contains("secret"));
        assert!(!format!("{headers:?}").contains("TOKEN"));
    }

    /// The details are what was signed; a declared unsigned aws-chunked
    /// body is signed as declared; SigV4a signs for the region set.
    #[test]
    fn details_declared_trailer_and_sigv4a() {
        let c = Credentials::new("AKIDEXAMPLE", "secret");
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-amz-content-sha256",
            HeaderValue::from_static(STREAMING_UNSIGNED_PAYLOAD_TRAILER),
        );
        let details = signer("s3")
            .sign_with_details(
                &c,
                &http::Method::PUT,
                "http://127.0.0.1:9/b/k",
                &mut headers,
                BodyToSign::Streaming,
            )
            .unwrap();
        assert!(
            details
                .canonical_request
                .ends_with(STREAMING_UNSIGNED_PAYLOAD_TRAILER),
            "{details:?}"
        );
        assert!(details.string_to_sign.starts_with("AWS4-HMAC-SHA256\n"));
        assert_eq!(
            headers["x-amz-content-sha256"],
            STREAMING_UNSIGNED_PAYLOAD_TRAILER
        );
        assert!(!format!("{details:?}").contains("x-amz-content-sha256:"));
        #[cfg(feature = "sigv4a")]
        {
            let v4a = signer("s3").with_region_set("*");
            assert_eq!(v4a.region_set(), Some("*"));
            let mut headers = HeaderMap::new();
            v4a.sign_with(
                &c,
                &http::Method::GET,
                "http://127.0.0.1:9/b/k",
                &mut headers,
                BodyToSign::Bytes(b""),
            )
            .unwrap();
            assert_eq!(headers["x-amz-region-set"], "*");
            assert!(headers["authorization"]
                .to_str()
                .unwrap()
                .starts_with("AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/"));
        }
    }
}
