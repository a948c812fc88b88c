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
    /// Streamed: `UNSIGNED-PAYLOAD` where the service allows it.
    Streaming,
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
        }
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
    /// applicable, `x-amz-security-token` and `x-amz-content-sha256` to
    /// `headers`.
    pub fn sign_with(
        &self,
        credentials: &Credentials,
        method: &http::Method,
        uri: &str,
        headers: &mut HeaderMap,
        body: BodyToSign<'_>,
    ) -> Result<(), SigningError> {
        self.check(headers)?;
        let payload = self.payload(body)?;
        let time = SigningTime::from((self.clock)());
        let params = SigningParams::new(credentials, &self.region, &self.service, time)
            .with_settings(self.settings);
        let mut request = SignableRequest::new(method.as_str(), uri)?.payload(payload);
        for (name, value) in headers.iter() {
            request = request.header_bytes(name.as_str(), value.as_bytes());
        }
        let signature = sign_headers(&request, &params)?;
        for (name, value) in signature.headers() {
            let mut value =
                HeaderValue::from_str(value).map_err(|_| sign::Error::InvalidSessionToken)?;
            if name == "authorization" || name == "x-amz-security-token" {
                value.set_sensitive(true);
            }
            headers.insert(HeaderName::from_static(name), value);
        }
        Ok(())
    }
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
}
