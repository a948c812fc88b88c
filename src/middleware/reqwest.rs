//! [`SigningMiddleware`]: a `reqwest-middleware` middleware that signs
//! every request (feature `reqwest-middleware`); the rules are in the
//! [parent module](super).
//!
//! ```no_run
//! use std::sync::Arc;
//! use sigv4::credentials::asynchronous::{default_chain_async, AsyncCachedProvider};
//! use sigv4::middleware::reqwest::SigningMiddleware;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let credentials = Arc::new(AsyncCachedProvider::new(default_chain_async()));
//! let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
//!     .with(SigningMiddleware::new("s3", "eu-west-1", credentials))
//!     .build();
//! let object = client.get("https://my-bucket.s3.eu-west-1.amazonaws.com/key").send().await?;
//! # let _ = object; Ok(()) }
//! ```

use std::sync::Arc;

use http::Extensions;
use reqwest_middleware::{Middleware, Next};

use super::{BodyToSign, RequestSigner, SigningError};
use crate::credentials::asynchronous::ProvideCredentialsAsync;
use crate::sign::Credentials;

/// Signs every request for one service and region; see the
/// [module docs](self).
#[derive(Clone, Debug)]
pub struct SigningMiddleware {
    signer: RequestSigner,
}

impl SigningMiddleware {
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
        SigningMiddleware { signer }
    }

    /// The signer.
    pub fn signer(&self) -> &RequestSigner {
        &self.signer
    }

    /// Signs `request` in place (what [`Middleware::handle`] does before
    /// passing it on).
    pub async fn sign(&self, request: &mut reqwest::Request) -> Result<(), SigningError> {
        self.signer.check(request.headers())?;
        let credentials = self.signer.credentials().await?;
        self.sign_with(&credentials, request)
    }

    /// Signs `request` with `credentials` (no provider call).
    pub fn sign_with(
        &self,
        credentials: &Credentials,
        request: &mut reqwest::Request,
    ) -> Result<(), SigningError> {
        let mut headers = std::mem::take(request.headers_mut());
        let body = match request.body() {
            None => BodyToSign::Bytes(b""),
            Some(body) => body
                .as_bytes()
                .map_or(BodyToSign::Streaming, BodyToSign::Bytes),
        };
        let result = self.signer.sign_with(
            credentials,
            request.method(),
            request.url().as_str(),
            &mut headers,
            body,
        );
        *request.headers_mut() = headers;
        result
    }
}

#[async_trait::async_trait]
impl Middleware for SigningMiddleware {
    async fn handle(
        &self,
        mut request: reqwest::Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        self.sign(&mut request)
            .await
            .map_err(reqwest_middleware::Error::middleware)?;
        next.run(request, extensions).await
    }
}
