//! [`SigningLayer`]: a `tower` layer that signs `http::Request<B>` for any
//! tower `Service` (feature `tower`): hyper's client, `ServiceBuilder`
//! stacks. The rules are in the [parent module](super).
//!
//! A body whose size is known (`size_hint().exact()`) and at most
//! [`RequestSigner::max_buffered_body`] is collected, hashed and sent from
//! memory; any other body is streaming. The inner service receives
//! [`SignedBody<B>`].

//!
//! ```no_run
//! use std::sync::Arc;
//! use bytes::Bytes;
//! use http_body_util::Full;
//! use hyper_util::client::legacy::Client;
//! use hyper_util::rt::TokioExecutor;
//! use sigv4::credentials::asynchronous::{default_chain_async, AsyncCachedProvider};
//! use sigv4::middleware::tower::{SignedBody, SigningLayer};
//! use tower::{Service, ServiceBuilder, ServiceExt};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let credentials = Arc::new(AsyncCachedProvider::new(default_chain_async()));
//! let hyper = Client::builder(TokioExecutor::new()).build_http::<SignedBody<Full<Bytes>>>();
//! let mut client = ServiceBuilder::new()
//!     .layer(SigningLayer::new("s3", "eu-west-1", credentials))
//!     .service(hyper);
//! let request = http::Request::get("http://my-bucket.s3.eu-west-1.amazonaws.com/key")
//!     .body(Full::new(Bytes::new()))?;
//! let response = client.ready().await?.call(request).await?;
//! # let _ = response; Ok(()) }
//! ```

use std::error::Error as StdError;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;

use super::{BodyToSign, RequestSigner, SigningError};
use crate::credentials::asynchronous::ProvideCredentialsAsync;

/// What the layer's service and its body return as errors.
pub type BoxError = Box<dyn StdError + Send + Sync>;

/// A [`tower_layer::Layer`] wrapping services in [`SigningService`].
#[derive(Clone, Debug)]
pub struct SigningLayer {
    signer: RequestSigner,
}

impl SigningLayer {
    /// Signs for `service` in `region` with `credentials`.
    pub fn new(
        service: impl Into<String>,
        region: impl Into<String>,
        credentials: Arc<dyn ProvideCredentialsAsync>,
    ) -> Self {
        Self::from_signer(RequestSigner::new(service, region, credentials))
    }

    /// Signs with a configured [`RequestSigner`].
    pub fn from_signer(signer: RequestSigner) -> Self {
        SigningLayer { signer }
    }
}

impl<S> tower_layer::Layer<S> for SigningLayer {
    type Service = SigningService<S>;

    fn layer(&self, inner: S) -> SigningService<S> {
        SigningService {
            signer: self.signer.clone(),
            inner,
        }
    }
}

/// Signs each request, then calls the inner service with a
/// [`SignedBody`]. Errors are [`BoxError`]s: a [`SigningError`] or the
/// inner service's.
#[derive(Clone, Debug)]
pub struct SigningService<S> {
    signer: RequestSigner,
    inner: S,
}

/// The body the inner service receives: the collected bytes of a body that
/// was hashed, or the original stream.
#[derive(Debug)]
pub enum SignedBody<B> {
    /// Collected and hashed (`None` once sent).
    Buffered(Option<Bytes>),
    /// Sent as it comes (`UNSIGNED-PAYLOAD`).
    Streaming(B),
}

impl<B> Body for SignedBody<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match self.get_mut() {
            SignedBody::Buffered(bytes) => Poll::Ready(
                bytes
                    .take()
                    .filter(|b| !b.is_empty())
                    .map(|b| Ok(Frame::data(b))),
            ),
            SignedBody::Streaming(body) => Pin::new(body)
                .poll_frame(cx)
                .map(|f| f.map(|r| r.map_err(Into::into))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            SignedBody::Buffered(bytes) => bytes.as_ref().is_none_or(Bytes::is_empty),
            SignedBody::Streaming(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            SignedBody::Buffered(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            SignedBody::Streaming(body) => body.size_hint(),
        }
    }
}

/// Signs `request`: collects and hashes a small body of known size,
/// streams any other. What [`SigningService`] does before calling the
/// inner service.
pub async fn sign_request<B>(
    signer: &RequestSigner,
    request: http::Request<B>,
) -> Result<http::Request<SignedBody<B>>, SigningError>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    signer.check(request.headers())?;
    let (mut parts, body) = request.into_parts();
    let body = match body.size_hint().exact() {
        Some(size) if size <= signer.max_buffered_body() => {
            let collected = body
                .collect()
                .await
                .map_err(|e| SigningError::Body(e.into()))?;
            SignedBody::Buffered(Some(collected.to_bytes()))
        }
        _ => SignedBody::Streaming(body),
    };
    let credentials = signer.credentials().await?;
    let uri = parts.uri.to_string();
    let to_sign = match &body {
        SignedBody::Buffered(bytes) => BodyToSign::Bytes(bytes.as_deref().unwrap_or_default()),
        SignedBody::Streaming(_) => BodyToSign::Streaming,
    };
    signer.sign_with(
        &credentials,
        &parts.method,
        &uri,
        &mut parts.headers,
        to_sign,
    )?;
    Ok(http::Request::from_parts(parts, body))
}

impl<S, B> tower_service::Service<http::Request<B>> for SigningService<S>
where
    S: tower_service::Service<http::Request<SignedBody<B>>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Into<BoxError>,
    B: Body<Data = Bytes> + Unpin + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        // The instance that was polled ready takes this request; a fresh
        // clone waits for the next one.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let signer = self.signer.clone();
        Box::pin(async move {
            let signed = sign_request(&signer, request).await?;
            inner.call(signed).await.map_err(Into::into)
        })
    }
}
