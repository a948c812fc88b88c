//! The async HTTP transport (feature `async`): the same contract as
//! [`Transport`] (every status is a response,
//! no redirects, per-request timeouts and size limit, classified
//! [`TransportError`]s), with a future instead of a blocking call.
//!
//! - [`AsyncTransport`] is the trait; `Arc<dyn AsyncTransport>` is how the
//!   async chain, cache and client hold one.
//! - [`ReqwestTransport`] (feature `reqwest`) is the default: reqwest with
//!   rustls (ring, webpki roots), no proxy, no redirects.
//! - [`BlockingBridge`] turns an async transport into a blocking
//!   [`Transport`] for code that runs on the blocking pool (the credential
//!   sources driven by the async chain), so every exchange goes through the
//!   one async transport the user configured.
//!
//! ```
//! use std::sync::Arc;
//! use sigv4::runtime::BoxFuture;
//! use sigv4::transport::{RequestOptions, TransportError};
//! use sigv4::transport_async::AsyncTransport;
//!
//! /// Answers every request with 204.
//! struct NoContent;
//! impl AsyncTransport for NoContent {
//!     fn send<'a>(&'a self, _request: http::Request<Vec<u8>>, _options: &'a RequestOptions)
//!         -> BoxFuture<'a, Result<http::Response<Vec<u8>>, TransportError>> {
//!         Box::pin(async { Ok(http::Response::builder().status(204).body(Vec::new()).unwrap()) })
//!     }
//! }
//! let transport: Arc<dyn AsyncTransport> = Arc::new(NoContent);
//! let request = http::Request::get("http://127.0.0.1:1/").body(Vec::new())?;
//! let response = pollster::block_on(transport.send(request, &RequestOptions::new()))?;
//! assert_eq!(response.status(), 204);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::sync::Arc;

use crate::runtime::{block_on, BoxFuture};
use crate::transport::{RequestOptions, Transport, TransportError};

/// What [`AsyncTransport::send`] returns.
pub type SendFuture<'a> = BoxFuture<'a, Result<http::Response<Vec<u8>>, TransportError>>;

/// Sends one HTTP request and reads the whole response, whatever its
/// status, without blocking; see the [module docs](self).
pub trait AsyncTransport: Send + Sync {
    /// Sends `request`, applying `options`.
    fn send<'a>(
        &'a self,
        request: http::Request<Vec<u8>>,
        options: &'a RequestOptions,
    ) -> SendFuture<'a>;
}

/// Pointers to an async transport are async transports.
macro_rules! forward_async_transport {
    ($($pointer:ty),*) => {$(
        impl<T: AsyncTransport + ?Sized> AsyncTransport for $pointer {
            fn send<'a>(
                &'a self,
                request: http::Request<Vec<u8>>,
                options: &'a RequestOptions,
            ) -> SendFuture<'a> {
                (**self).send(request, options)
            }
        }
    )*};
}
forward_async_transport!(Arc<T>, Box<T>, &T);

/// A blocking [`Transport`] over an [`AsyncTransport`]: `send` drives the
/// async request on the calling thread until it completes.
///
/// Only for threads that may block (a blocking pool): the async chain runs
/// the file-based and role credential sources there, over this bridge to
/// the chain's async transport. Calling it on an executor thread would
/// block that thread (and, with tokio's I/O, may deadlock a
/// single-threaded runtime).
#[derive(Clone)]
pub struct BlockingBridge {
    transport: Arc<dyn AsyncTransport>,
}

impl fmt::Debug for BlockingBridge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BlockingBridge")
    }
}

impl BlockingBridge {
    /// Bridges to `transport`.
    pub fn new(transport: Arc<dyn AsyncTransport>) -> Self {
        BlockingBridge { transport }
    }
}

impl Transport for BlockingBridge {
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
        options: &RequestOptions,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        block_on(self.transport.send(request, options))
    }
}

#[cfg(feature = "reqwest")]
pub use self::reqwest_transport::ReqwestTransport;

#[cfg(feature = "reqwest")]
mod reqwest_transport {
    use super::{AsyncTransport, SendFuture};
    use crate::transport::{RequestOptions, TransportError, TransportErrorKind};
    use std::error::Error as _;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    /// The async default [`AsyncTransport`]: [reqwest](https://docs.rs/reqwest)
    /// 0.12 with rustls (ring, webpki roots) on tokio (feature `reqwest`).
    ///
    /// No proxy (environment proxies would catch the link-local IMDS and
    /// container addresses), no redirects, connections kept alive. Each
    /// request's [`RequestOptions`] apply: reqwest sets connect and read
    /// timeouts per client, so the transport keeps one client (and
    /// connection pool) per distinct pair of those timeouts, usually two or
    /// three (IMDS, container endpoint, API calls); the total timeout and
    /// the body limit are per request.
    ///
    /// ```
    /// use sigv4::transport_async::ReqwestTransport;
    /// let transport = ReqwestTransport::new(); // no I/O until `send`
    /// # let _ = transport;
    /// ```
    #[derive(Clone, Debug, Default)]
    pub struct ReqwestTransport {
        given: Option<reqwest::Client>,
        clients: Arc<Mutex<Vec<(Timeouts, reqwest::Client)>>>,
    }

    type Timeouts = (Option<Duration>, Option<Duration>);

    impl ReqwestTransport {
        /// A transport with its own connection pools.
        pub fn new() -> Self {
            Self::default()
        }

        /// Uses `client` as configured for every request (its proxy,
        /// redirect, TLS and timeout settings; only the total timeout and
        /// the body limit of [`RequestOptions`] apply).
        pub fn from_client(client: reqwest::Client) -> Self {
            ReqwestTransport {
                given: Some(client),
                clients: Arc::default(),
            }
        }

        /// The client for `options`.
        /// The client for these timeouts. Never a default client: that one
        /// would read proxy variables and follow redirects, which the
        /// instance metadata and container endpoints must not do.
        fn client(&self, options: &RequestOptions) -> Result<reqwest::Client, TransportError> {
            if let Some(client) = &self.given {
                return Ok(client.clone());
            }
            let key = (options.connect_timeout, options.read_timeout);
            let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((_, client)) = clients.iter().find(|(k, _)| *k == key) {
                return Ok(client.clone());
            }
            let mut builder = reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("sigv4-rs/", env!("CARGO_PKG_VERSION")));
            if let Some(connect) = key.0 {
                builder = builder.connect_timeout(connect);
            }
            if let Some(read) = key.1 {
                builder = builder.read_timeout(read);
            }
            let client = builder.build().map_err(|e| {
                TransportError::new(
                    TransportErrorKind::Other,
                    "could not build the HTTP client (TLS setup)",
                )
                .with_source(e)
            })?;
            clients.push((key, client.clone()));
            Ok(client)
        }
    }

    fn classify(error: reqwest::Error) -> TransportError {
        let kind = if error.is_connect() {
            if error.is_timeout() {
                TransportErrorKind::ConnectTimeout
            } else {
                TransportErrorKind::Connect
            }
        } else if error.is_timeout() {
            TransportErrorKind::Timeout
        } else if error.is_builder() || error.is_request() && error.source().is_none() {
            TransportErrorKind::InvalidRequest
        } else if error.is_body() || error.is_decode() || error.is_request() {
            TransportErrorKind::Io
        } else {
            TransportErrorKind::Other
        };
        // reqwest's message names the URL; ours is added (redacted) by the
        // caller, so keep only the error chain.
        let mut message = String::new();
        let mut source = error.source();
        while let Some(s) = source {
            if !message.is_empty() {
                message.push_str(": ");
            }
            message.push_str(&s.to_string());
            source = s.source();
        }
        if message.is_empty() {
            message = kind.as_str().to_owned();
        }
        TransportError::new(kind, message).with_source(error.without_url())
    }

    fn too_large(limit: u64) -> TransportError {
        TransportError::new(
            TransportErrorKind::Io,
            format!("the response body is larger than {limit} bytes"),
        )
    }

    impl AsyncTransport for ReqwestTransport {
        fn send<'a>(
            &'a self,
            request: http::Request<Vec<u8>>,
            options: &'a RequestOptions,
        ) -> SendFuture<'a> {
            Box::pin(async move {
                let (parts, body) = request.into_parts();
                let bodiless = crate::transport::sends_no_body(&parts.method, &body);
                let mut builder = self
                    .client(options)?
                    .request(parts.method, parts.uri.to_string())
                    .headers(parts.headers)
                    .version(parts.version);
                if !bodiless {
                    builder = builder.body(body);
                }
                if let Some(total) = options.total_timeout {
                    builder = builder.timeout(total);
                }
                let mut response = builder.send().await.map_err(classify)?;
                let limit = options.max_response_bytes;
                if response.content_length().is_some_and(|n| n > limit) {
                    return Err(too_large(limit));
                }
                let mut bytes = Vec::new();
                while let Some(chunk) = response.chunk().await.map_err(classify)? {
                    if bytes.len() as u64 + chunk.len() as u64 > limit {
                        return Err(too_large(limit));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                let mut out = http::Response::new(bytes);
                *out.status_mut() = response.status();
                *out.version_mut() = response.version();
                *out.headers_mut() = std::mem::take(response.headers_mut());
                Ok(out)
            })
        }
    }
}
