//! [`AsyncClientBuilder`]: the async client's transport, runtime and
//! credentials; everything else (region, endpoints, retries, timeouts,
//! clock) is a [`ClientBuilder`]'s, resolved by the same code.

use std::fmt;
use std::sync::Arc;

use super::async_client::AsyncClient;
use super::{ClientBuilder, ClientError};
use crate::api::async_call::AsyncCaller;
use crate::api::call::CallDriver;
use crate::api::RetryPolicy;
use crate::credentials::asynchronous::{
    AsyncCachedProvider, AsyncDefaultChainBuilder, ProvideCredentialsAsync,
};
use crate::runtime::Runtime;
use crate::transport::RequestOptions;
use crate::transport_async::AsyncTransport;

/// Builds an [`AsyncClient`].
///
/// ```
/// use std::sync::Arc;
/// use sigv4::client::AsyncClient;
/// use sigv4::Credentials;
///
/// let client = AsyncClient::builder()
///     .credentials(Arc::new(Credentials::new("AKIDEXAMPLE", "secret")))
///     .region("eu-west-1")
///     .build()?; // ReqwestTransport and TokioRuntime by default (feature `reqwest`)
/// assert_eq!(client.region(), "eu-west-1");
/// # Ok::<(), sigv4::client::ClientError>(())
/// ```
#[derive(Clone, Default)]
pub struct AsyncClientBuilder {
    common: ClientBuilder,
    transport: Option<Arc<dyn AsyncTransport>>,
    runtime: Option<Arc<dyn Runtime>>,
    credentials: Option<Arc<dyn ProvideCredentialsAsync>>,
}

impl fmt::Debug for AsyncClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncClientBuilder")
            .field("common", &self.common)
            .finish_non_exhaustive()
    }
}

impl AsyncClientBuilder {
    /// The async transport (default with feature `reqwest`:
    /// [`ReqwestTransport`](crate::transport_async::ReqwestTransport)).
    pub fn transport(mut self, transport: Arc<dyn AsyncTransport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// How to sleep between attempts and where blocking work runs (default
    /// with feature `tokio`: [`TokioRuntime`](crate::runtime::TokioRuntime)).
    pub fn runtime(mut self, runtime: Arc<dyn Runtime>) -> Self {
        self.runtime = Some(runtime);
        self
    }

    /// Where credentials come from: a [`Credentials`](crate::Credentials)
    /// value or any async provider, asked at every attempt (wrap a fetching
    /// one in an [`AsyncCachedProvider`]). Default: the async default chain
    /// over this client's transport and runtime, cached.
    pub fn credentials(mut self, provider: Arc<dyn ProvideCredentialsAsync>) -> Self {
        self.credentials = Some(provider);
        self
    }

    /// Region, endpoints, retries, timeouts and clock as for the blocking
    /// client (its transport, credentials and sleeper are not used).
    pub fn common(mut self, common: ClientBuilder) -> Self {
        self.common = common;
        self
    }

    /// The region; see [`ClientBuilder::region`].
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.common = self.common.region(region);
        self
    }

    /// Sends every call to `url`; see [`ClientBuilder::endpoint_url`].
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.common = self.common.endpoint_url(url);
        self
    }

    /// The retry policy; see [`ClientBuilder::retry_policy`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.common = self.common.retry_policy(policy);
        self
    }

    /// Timeouts and body limit; see [`ClientBuilder::request_options`].
    pub fn request_options(mut self, options: RequestOptions) -> Self {
        self.common = self.common.request_options(options);
        self
    }

    /// Builds the client. Fails on an invalid region or endpoint URL, or
    /// when no transport or runtime is given and the features providing
    /// defaults (`reqwest`, `tokio`) are off.
    pub fn build(self) -> Result<AsyncClient, ClientError> {
        let config = self.common.service_config()?;
        let transport = match self.transport {
            Some(t) => t,
            None => default_transport()?,
        };
        let runtime = match self.runtime {
            Some(r) => r,
            None => default_runtime()?,
        };
        let credentials = match self.credentials {
            Some(c) => c,
            None => Arc::new(AsyncCachedProvider::new(
                AsyncDefaultChainBuilder::new(transport.clone(), runtime.clone()).build(),
            )),
        };
        let caller: AsyncCaller = self
            .common
            .configure(CallDriver::with_parts(transport, runtime.clone()));
        Ok(AsyncClient::from_parts(
            caller,
            credentials,
            config,
            runtime,
        ))
    }
}

#[cfg_attr(all(feature = "reqwest", feature = "tokio"), allow(dead_code))]
fn missing(what: &str, feature: &str) -> ClientError {
    ClientError::InvalidRequest {
        message: format!("no async {what} given (enable feature `{feature}` for the default)"),
    }
}

fn default_transport() -> Result<Arc<dyn AsyncTransport>, ClientError> {
    #[cfg(feature = "reqwest")]
    return Ok(Arc::new(crate::transport_async::ReqwestTransport::new()));
    #[cfg(not(feature = "reqwest"))]
    Err(missing("transport", "reqwest"))
}

fn default_runtime() -> Result<Arc<dyn Runtime>, ClientError> {
    #[cfg(feature = "tokio")]
    return Ok(Arc::new(crate::runtime::TokioRuntime::new()));
    #[cfg(not(feature = "tokio"))]
    Err(missing("runtime", "tokio"))
}
