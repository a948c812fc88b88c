//! The HTTP transport: one small trait that every network exchange of this
//! crate goes through (feature `http`).
//!
//! Each exchange (IMDS token, IMDS metadata, container credentials, and
//! later STS and S3 calls) is a pair of pure functions, one building an
//! [`http::Request`] and one parsing the [`http::Response`]; the
//! [`Transport`] in between only moves bytes. So:
//!
//! - tests plug a fake transport ([`from_fn`]) or a real one against a local
//!   server;
//! - async users implement [`Transport`] over their own client (blocking in
//!   `spawn_blocking`, or with a runtime handle);
//! - the blocking default, [`UreqTransport`] (feature `client`), uses
//!   [ureq](https://docs.rs/ureq) 3 with rustls.
//!
//! Contract for implementations:
//!
//! - every HTTP status is a response, never an error (a 404 or 500 is
//!   returned as `Ok`);
//! - redirects are not followed (the caller decides);
//! - [`RequestOptions`] timeouts and the response size limit are applied to
//!   this one request;
//! - failures are classified with [`TransportErrorKind`], which a retry
//!   layer uses to decide what to retry (a [`Connect`](TransportErrorKind::Connect)
//!   failure means the request was never sent; a [`Timeout`](TransportErrorKind::Timeout)
//!   may mean it was).
//!
//! ```
//! use std::sync::Arc;
//! use sigv4::transport::{from_fn, RequestOptions, Transport};
//!
//! // A fake transport answering every request with 200 "ok".
//! let transport: Arc<dyn Transport> = Arc::new(from_fn(|request, _options| {
//!     assert_eq!(request.uri().path(), "/ping");
//!     Ok(http::Response::new(b"ok".to_vec()))
//! }));
//! let request = http::Request::get("http://127.0.0.1:1/ping").body(Vec::new())?;
//! let response = transport.send(request, &RequestOptions::new())?;
//! assert_eq!(response.body(), b"ok");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::util::redact::redact_url;

/// Per-request settings a [`Transport`] must apply.
///
/// `None` means "no limit of this kind" (the transport's own default).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestOptions {
    /// Longest time to establish the connection (DNS, TCP and TLS).
    pub connect_timeout: Option<Duration>,
    /// Longest time to wait for the peer in each phase after connecting:
    /// sending the request, receiving the response headers, receiving the
    /// body.
    pub read_timeout: Option<Duration>,
    /// Longest time for the whole exchange.
    pub total_timeout: Option<Duration>,
    /// Largest response body accepted; a larger one is an error of kind
    /// [`TransportErrorKind::Io`].
    pub max_response_bytes: u64,
}

impl RequestOptions {
    /// Default body limit: 10 MiB.
    pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 10 * 1024 * 1024;

    /// No timeouts, the default body limit.
    pub const fn new() -> Self {
        RequestOptions {
            connect_timeout: None,
            read_timeout: None,
            total_timeout: None,
            max_response_bytes: Self::DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// Sets the connect timeout.
    pub const fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Sets the read timeout.
    pub const fn with_read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// Sets the timeout for the whole exchange.
    pub const fn with_total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = Some(timeout);
        self
    }

    /// Sets the largest accepted response body.
    pub const fn with_max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }
}

impl Default for RequestOptions {
    fn default() -> Self {
        Self::new()
    }
}

/// Sends one HTTP request and returns the response, whatever its status.
///
/// Implementations must be cheap to share (`Send + Sync`); the crate holds
/// them as `Arc<dyn Transport>`. See the [module docs](self) for the
/// contract.
pub trait Transport: Send + Sync {
    /// Sends `request`, applying `options`, and reads the whole response.
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
        options: &RequestOptions,
    ) -> Result<http::Response<Vec<u8>>, TransportError>;
}

/// Pointers to a transport are transports: `Arc<dyn Transport>`,
/// `Box<...>`, `&...`.
macro_rules! forward_transport {
    ($($pointer:ty),*) => {$(
        impl<T: Transport + ?Sized> Transport for $pointer {
            fn send(
                &self,
                request: http::Request<Vec<u8>>,
                options: &RequestOptions,
            ) -> Result<http::Response<Vec<u8>>, TransportError> {
                (**self).send(request, options)
            }
        }
    )*};
}
forward_transport!(Arc<T>, Box<T>, &T);

/// A [`Transport`] made from a closure; see [`from_fn`].
#[derive(Clone)]
pub struct FnTransport<F>(F);

impl<F> fmt::Debug for FnTransport<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnTransport")
    }
}

/// Wraps a closure as a [`Transport`] (for tests, or to adapt another
/// client). See the [module example](self).
pub fn from_fn<F>(f: F) -> FnTransport<F>
where
    F: Fn(
            http::Request<Vec<u8>>,
            &RequestOptions,
        ) -> Result<http::Response<Vec<u8>>, TransportError>
        + Send
        + Sync,
{
    FnTransport(f)
}

impl<F> Transport for FnTransport<F>
where
    F: Fn(
            http::Request<Vec<u8>>,
            &RequestOptions,
        ) -> Result<http::Response<Vec<u8>>, TransportError>
        + Send
        + Sync,
{
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
        options: &RequestOptions,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        (self.0)(request, options)
    }
}

/// What kind of failure a [`TransportError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made (refused, unreachable, DNS failure, TLS
    /// handshake failure). The request was not sent.
    Connect,
    /// The connection was not established within the connect timeout. The
    /// request was not sent.
    ConnectTimeout,
    /// Connected, but the response (headers or body) did not arrive within
    /// the read or total timeout. The request may have been processed.
    Timeout,
    /// The connection broke, the peer sent invalid HTTP, or the response
    /// was larger than allowed.
    Io,
    /// The request itself is unusable (bad URI, unsupported scheme).
    InvalidRequest,
    /// Anything else.
    Other,
}

impl TransportErrorKind {
    /// A short lower-case description.
    pub fn as_str(self) -> &'static str {
        match self {
            TransportErrorKind::Connect => "connection failed",
            TransportErrorKind::ConnectTimeout => "connect timed out",
            TransportErrorKind::Timeout => "timed out waiting for the response",
            TransportErrorKind::Io => "I/O error",
            TransportErrorKind::InvalidRequest => "invalid request",
            TransportErrorKind::Other => "transport error",
        }
    }
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request could not be completed (no response, or no complete one).
///
/// Messages never contain request headers or bodies, so no secrets; the
/// request they name ([`with_request`](Self::with_request)) has its
/// signature, credential and security token query values redacted.
#[derive(Clone)]
pub struct TransportError {
    kind: TransportErrorKind,
    message: String,
    request: Option<String>,
    source: Option<Arc<dyn StdError + Send + Sync>>,
}

impl TransportError {
    /// An error of `kind` described by `message`.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        TransportError {
            kind,
            message: message.into(),
            request: None,
            source: None,
        }
    }

    /// Names the request that failed (`GET https://host/path?query`), unless
    /// one is named already. The URL's `X-Amz-Signature`,
    /// `X-Amz-Credential` and `X-Amz-Security-Token` values are redacted.
    pub fn with_request(mut self, method: &str, url: &str) -> Self {
        if self.request.is_none() {
            self.request = Some(format!("{method} {}", redact_url(url)));
        }
        self
    }

    /// The request that failed (`GET https://host/path`), when named.
    pub fn request(&self) -> Option<&str> {
        self.request.as_deref()
    }

    /// Attaches the underlying error.
    pub fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The description (without the kind).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// True when no connection was made ([`Connect`](TransportErrorKind::Connect)
    /// or [`ConnectTimeout`](TransportErrorKind::ConnectTimeout)): the request
    /// was certainly not sent.
    pub fn is_connect(&self) -> bool {
        matches!(
            self.kind,
            TransportErrorKind::Connect | TransportErrorKind::ConnectTimeout
        )
    }

    /// True for either kind of timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self.kind,
            TransportErrorKind::ConnectTimeout | TransportErrorKind::Timeout
        )
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportError")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("request", &self.request)
            .field("source", &self.source.as_ref().map(|s| s.to_string()))
            .finish()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(request) = &self.request {
            write!(f, "{request}: ")?;
        }
        if self.message.is_empty() {
            f.write_str(self.kind.as_str())
        } else {
            write!(f, "{}: {}", self.kind, self.message)
        }
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn StdError + 'static))
    }
}

/// Whether a request goes without a body: an empty one of a method without
/// body semantics (GET, HEAD, OPTIONS, TRACE). Others (PUT, POST...) send
/// theirs sized, so an empty body is `content-length: 0`, never a chunked
/// empty body (which IMDS and some small servers mishandle). Shared by the
/// blocking and async transports.
#[cfg_attr(not(any(feature = "client", feature = "reqwest")), allow(dead_code))]
pub(crate) fn sends_no_body(method: &http::Method, body: &[u8]) -> bool {
    body.is_empty()
        && matches!(
            *method,
            http::Method::GET | http::Method::HEAD | http::Method::OPTIONS | http::Method::TRACE
        )
}

#[cfg(feature = "client")]
pub use self::ureq_transport::{RequestBody, ResponseBody, UreqTransport};

#[cfg(feature = "client")]
mod ureq_transport {
    use super::{RequestOptions, Transport, TransportError, TransportErrorKind};
    use std::io;
    use ureq::Agent;

    /// The blocking default [`Transport`]: [ureq](https://docs.rs/ureq) 3
    /// with rustls and the webpki root certificates (feature `client`).
    ///
    /// It never turns a status into an error, follows no redirects, uses no
    /// proxy (environment proxies would wrongly catch the link-local IMDS and
    /// container addresses; build an [`Agent`] with a proxy and use
    /// [`from_agent`](Self::from_agent) if you need one), and keeps
    /// connections alive between requests. Timeouts and the body limit come
    /// from each request's [`RequestOptions`].
    ///
    /// ```
    /// use sigv4::transport::UreqTransport;
    /// let transport = UreqTransport::new(); // no I/O until `send`
    /// # let _ = transport;
    /// ```
    #[derive(Clone, Debug)]
    pub struct UreqTransport {
        agent: Agent,
    }

    impl UreqTransport {
        /// A transport with its own connection pool.
        pub fn new() -> Self {
            let config = Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .max_redirects_will_error(false)
                .proxy(None)
                .user_agent(concat!("sigv4-rs/", env!("CARGO_PKG_VERSION")))
                .build();
            UreqTransport {
                agent: Agent::new_with_config(config),
            }
        }

        /// Uses `agent` as configured, except that statuses are never
        /// errors (set per request). Redirect and proxy settings are the
        /// agent's.
        pub fn from_agent(agent: Agent) -> Self {
            UreqTransport { agent }
        }
    }

    impl Default for UreqTransport {
        fn default() -> Self {
            Self::new()
        }
    }

    fn classify(error: ureq::Error) -> TransportError {
        use ureq::Error as E;
        use ureq::Timeout as T;
        let kind = match &error {
            E::Timeout(T::Connect | T::Resolve) => TransportErrorKind::ConnectTimeout,
            E::Timeout(_) => TransportErrorKind::Timeout,
            E::HostNotFound | E::ConnectionFailed | E::Tls(_) => TransportErrorKind::Connect,
            E::Io(e) => match e.kind() {
                io::ErrorKind::ConnectionRefused
                | io::ErrorKind::AddrNotAvailable
                | io::ErrorKind::NotFound
                | io::ErrorKind::PermissionDenied => TransportErrorKind::Connect,
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => TransportErrorKind::Timeout,
                _ if is_unreachable(e) => TransportErrorKind::Connect,
                _ => TransportErrorKind::Io,
            },
            E::BadUri(_) | E::Http(_) | E::RedirectFailed | E::InvalidProxyUrl => {
                TransportErrorKind::InvalidRequest
            }
            E::Protocol(_) | E::BodyExceedsLimit(_) => TransportErrorKind::Io,
            _ => TransportErrorKind::Other,
        };
        let message = error.to_string();
        TransportError::new(kind, message).with_source(error)
    }

    /// Network/host unreachable (ENETUNREACH, EHOSTUNREACH): connect-time
    /// errors that `io::ErrorKind` names only on newer Rust versions.
    fn is_unreachable(e: &io::Error) -> bool {
        let text = format!("{:?}", e.kind());
        text.contains("Unreachable")
    }

    /// Applies `options` to one request and runs it on `agent`; the read
    /// timeout bounds the body phases too when `body_timeouts`.
    fn run_configured<B: ureq::AsSendBody>(
        agent: &Agent,
        request: http::Request<B>,
        options: &RequestOptions,
        body_timeouts: bool,
    ) -> Result<http::Response<ureq::Body>, ureq::Error> {
        let body_timeout = options.read_timeout.filter(|_| body_timeouts);
        let request = agent
            .configure_request(request)
            .http_status_as_error(false)
            .timeout_connect(options.connect_timeout)
            .timeout_send_request(options.read_timeout)
            .timeout_send_body(body_timeout)
            .timeout_recv_response(options.read_timeout)
            .timeout_recv_body(body_timeout)
            .timeout_global(options.total_timeout)
            .build();
        agent.run(request)
    }

    /// The body of a response from [`UreqTransport::send_streaming`], read
    /// as it arrives (at most the request's `max_response_bytes`; more is
    /// an error of kind `InvalidData`).
    pub struct ResponseBody(ureq::BodyReader<'static>);

    impl std::fmt::Debug for ResponseBody {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("ResponseBody")
        }
    }

    impl io::Read for ResponseBody {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.0.read(buf)
        }
    }

    /// The body of a request to [`UreqTransport::send_streaming`].
    #[non_exhaustive]
    pub enum RequestBody<'a> {
        /// Bytes in memory, sent with their `content-length` (an empty body
        /// of a GET, HEAD, OPTIONS or TRACE is no body at all, as with
        /// [`Transport::send`]).
        Bytes(&'a [u8]),
        /// Bytes read while they are sent. With a `content-length` header
        /// in the request exactly that many are sent (an aws-chunked upload
        /// knows its length in advance); without one,
        /// `transfer-encoding: chunked`.
        Reader(&'a mut dyn io::Read),
    }

    impl std::fmt::Debug for RequestBody<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self {
                RequestBody::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
                RequestBody::Reader(_) => f.write_str("Reader"),
            }
        }
    }

    impl UreqTransport {
        /// Sends `request` with `body`, and returns the response as soon as
        /// its headers are in, with the body unread: uploads read from a
        /// [`RequestBody::Reader`] and downloads read from the
        /// [`ResponseBody`] go through in constant memory.
        ///
        /// Timeouts: `connect_timeout`, and `read_timeout` for sending the
        /// request head and for waiting for the response head. The body
        /// phases, which take as long as the body needs, are bounded only
        /// by `total_timeout` (unlike [`send`](Transport::send), where
        /// `read_timeout` bounds them too).
        pub fn send_streaming(
            &self,
            request: http::Request<()>,
            body: RequestBody<'_>,
            options: &RequestOptions,
        ) -> Result<http::Response<ResponseBody>, TransportError> {
            let (parts, ()) = request.into_parts();
            let response = match body {
                RequestBody::Bytes(bytes) if super::sends_no_body(&parts.method, bytes) => {
                    run_configured(
                        &self.agent,
                        http::Request::from_parts(parts, ()),
                        options,
                        false,
                    )
                }
                RequestBody::Bytes(bytes) => run_configured(
                    &self.agent,
                    http::Request::from_parts(parts, bytes),
                    options,
                    false,
                ),
                RequestBody::Reader(reader) => run_configured(
                    &self.agent,
                    http::Request::from_parts(parts, ureq::SendBody::from_reader(reader)),
                    options,
                    false,
                ),
            }
            .map_err(classify)?;
            let (parts, body) = response.into_parts();
            let reader = body
                .into_with_config()
                .limit(options.max_response_bytes)
                .reader();
            Ok(http::Response::from_parts(parts, ResponseBody(reader)))
        }
    }

    impl Transport for UreqTransport {
        fn send(
            &self,
            request: http::Request<Vec<u8>>,
            options: &RequestOptions,
        ) -> Result<http::Response<Vec<u8>>, TransportError> {
            let (parts, body) = request.into_parts();
            let response = if super::sends_no_body(&parts.method, &body) {
                run_configured(
                    &self.agent,
                    http::Request::from_parts(parts, ()),
                    options,
                    true,
                )
            } else {
                run_configured(
                    &self.agent,
                    http::Request::from_parts(parts, body),
                    options,
                    true,
                )
            };
            let response = response.map_err(classify)?;
            let (parts, mut body) = response.into_parts();
            let bytes = body
                .with_config()
                .limit(options.max_response_bytes)
                .read_to_vec()
                .map_err(classify)?;
            Ok(http::Response::from_parts(parts, bytes))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_display_and_kinds() {
        let e = TransportError::new(TransportErrorKind::ConnectTimeout, "169.254.169.254:80");
        assert!(e.is_connect() && e.is_timeout());
        assert_eq!(e.to_string(), "connect timed out: 169.254.169.254:80");
        let e = TransportError::new(TransportErrorKind::Timeout, "");
        assert!(!e.is_connect() && e.is_timeout());
        assert_eq!(e.to_string(), "timed out waiting for the response");
        let io = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "pipe");
        let e = TransportError::new(TransportErrorKind::Io, "read").with_source(io);
        assert!(e.source().is_some());
        assert!(format!("{e:?}").contains("pipe"));
    }

    #[test]
    fn errors_name_the_request_without_its_signature() {
        let e = TransportError::new(TransportErrorKind::Connect, "refused")
            .with_request(
                "GET",
                "https://b.s3.amazonaws.com/k?X-Amz-Credential=AKID%2F1&X-Amz-Signature=ff&x=1",
            )
            .with_request("PUT", "http://ignored/");
        assert_eq!(
            e.to_string(),
            "GET https://b.s3.amazonaws.com/k?X-Amz-Credential=<redacted>&X-Amz-Signature=<redacted>&x=1: connection failed: refused"
        );
        assert_eq!(e.request(), Some("GET https://b.s3.amazonaws.com/k?X-Amz-Credential=<redacted>&X-Amz-Signature=<redacted>&x=1"));
        assert!(!format!("{e:?}").contains("ff&"));
    }

    #[test]
    fn options_builder() {
        let o = RequestOptions::new()
            .with_connect_timeout(Duration::from_secs(1))
            .with_read_timeout(Duration::from_secs(2))
            .with_total_timeout(Duration::from_secs(3))
            .with_max_response_bytes(10);
        assert_eq!(o.connect_timeout, Some(Duration::from_secs(1)));
        assert_eq!(o.read_timeout, Some(Duration::from_secs(2)));
        assert_eq!(o.total_timeout, Some(Duration::from_secs(3)));
        assert_eq!(o.max_response_bytes, 10);
        assert_eq!(RequestOptions::default(), RequestOptions::new());
    }
}
