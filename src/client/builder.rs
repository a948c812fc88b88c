//! [`ClientBuilder`]: transport, credentials, region, endpoint, retries,
//! timeouts and clock of a [`Client`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::{Client, ClientError};
use crate::api::call::{CallDriver, Caller, ClockFn};
use crate::api::retry::{RandomSource, Sleeper};
use crate::api::{RetryPolicy, ServiceConfig};
use crate::config::{resolve_region, ConfiguredEndpoints, Env, ProfileSet};
use crate::credentials::cache::CachedProvider;
use crate::credentials::default_chain::DefaultChainBuilder;
use crate::credentials::ProvideCredentials;
use crate::s3::AddressingStyle;
use crate::transport::{RequestOptions, Transport, UreqTransport};

/// Builds a [`Client`].
#[derive(Clone, Default)]
pub struct ClientBuilder {
    transport: Option<Arc<dyn Transport>>,
    credentials: Option<Arc<dyn ProvideCredentials>>,
    region: Option<String>,
    endpoint_url: Option<String>,
    configured_endpoints: Option<ConfiguredEndpoints>,
    sts_global_endpoint: bool,
    s3_addressing_style: AddressingStyle,
    retry: Option<RetryPolicy>,
    options: Option<RequestOptions>,
    random: Option<Arc<dyn RandomSource>>,
    sleeper: Option<Arc<dyn Sleeper>>,
    clock: Option<ClockFn>,
    clock_offset: i64,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Default connect timeout: 3.1 s, as the AWS SDKs.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Caller::DEFAULT_CONNECT_TIMEOUT;
    /// Default read timeout: 60 s.
    pub const DEFAULT_READ_TIMEOUT: Duration = Caller::DEFAULT_READ_TIMEOUT;
    /// Default largest response body: 256 MiB (S3 objects are read into memory).
    pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = Caller::DEFAULT_MAX_RESPONSE_BYTES;

    /// The HTTP transport (default: [`UreqTransport`]).
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Where credentials come from: a [`Credentials`](crate::Credentials)
    /// value, any provider, or a shared `Arc<dyn ProvideCredentials>`. The
    /// client asks for them at every attempt, so a provider that fetches
    /// should be wrapped in a [`CachedProvider`]. Default: the AWS CLI's
    /// chain with assume-role and web-identity profiles
    /// ([`DefaultChainBuilder`]), cached.
    pub fn credentials(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.credentials = Some(Arc::new(provider));
        self
    }

    /// The region (default: `AWS_REGION`, `AWS_DEFAULT_REGION`, the
    /// selected profile's `region`, else `us-east-1`).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sends every call to `url` (`http(s)://host[:port]`), e.g. a local
    /// emulator.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// The endpoints configured per service (default: read from the
    /// process environment and the selected profile, see
    /// [`ConfiguredEndpoints`]; [`ConfiguredEndpoints::none`] for AWS
    /// everywhere). An [`endpoint_url`](Self::endpoint_url) wins over them.
    pub fn configured_endpoints(mut self, endpoints: ConfiguredEndpoints) -> Self {
        self.configured_endpoints = Some(endpoints);
        self
    }

    /// Uses the global STS endpoint `https://sts.amazonaws.com`.
    pub fn sts_global_endpoint(mut self, global: bool) -> Self {
        self.sts_global_endpoint = global;
        self
    }

    /// The S3 addressing style (default: automatic).
    pub fn s3_addressing_style(mut self, style: AddressingStyle) -> Self {
        self.s3_addressing_style = style;
        self
    }

    /// The retry policy (default: [`RetryPolicy::standard`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Timeouts and body limit for each attempt (default: connect 3.1 s,
    /// read 60 s, 256 MiB).
    pub fn request_options(mut self, options: RequestOptions) -> Self {
        self.options = Some(options);
        self
    }

    /// The random source for jitter.
    pub fn random_source(mut self, random: Arc<dyn RandomSource>) -> Self {
        self.random = Some(random);
        self
    }

    /// How to wait between attempts.
    pub fn sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Self {
        self.sleeper = Some(sleeper);
        self
    }

    /// The clock (default: `SystemTime::now`).
    pub fn clock(mut self, clock: ClockFn) -> Self {
        self.clock = Some(clock);
        self
    }

    /// A known clock correction in seconds (server time minus ours).
    pub fn clock_offset(mut self, seconds: i64) -> Self {
        self.clock_offset = seconds;
        self
    }

    /// Builds the client. Fails on an invalid region or endpoint URL.
    pub fn build(self) -> Result<Client, ClientError> {
        let config = self.service_config()?;
        let transport = match &self.transport {
            Some(t) => t.clone(),
            None => Arc::new(UreqTransport::new()),
        };
        let credentials = match &self.credentials {
            Some(c) => c.clone(),
            None => default_credentials(&transport),
        };
        let mut caller = self.configure(Caller::new(transport));
        if let Some(sleeper) = self.sleeper {
            caller = caller.with_sleeper(sleeper);
        }
        Ok(Client::from_parts(caller, credentials, config))
    }

    /// The region (given, else from the environment and profile), endpoint
    /// and service switches, validated. Shared with the async client.
    pub(crate) fn service_config(&self) -> Result<ServiceConfig, ClientError> {
        let env = Env::real();
        let needs_files = self.region.is_none()
            || (self.endpoint_url.is_none() && self.configured_endpoints.is_none());
        let profiles = if needs_files {
            ProfileSet::load(&env).unwrap_or_default()
        } else {
            ProfileSet::default()
        };
        let region = match &self.region {
            Some(r) => r.trim().to_owned(),
            None => resolve_region(None, &env, &profiles).0,
        };
        let configured_endpoints = match (&self.configured_endpoints, &self.endpoint_url) {
            (Some(c), _) => c.clone(),
            (None, Some(_)) => ConfiguredEndpoints::none(),
            (None, None) => ConfiguredEndpoints::load(&env, &profiles),
        };
        let config = ServiceConfig {
            region,
            endpoint_url: self.endpoint_url.clone(),
            sts_global_endpoint: self.sts_global_endpoint,
            s3_addressing_style: self.s3_addressing_style,
            configured_endpoints,
        };
        config.validate()?;
        Ok(config)
    }

    /// Applies the retry policy, options, random source, clock and clock
    /// offset to a driver (blocking or async).
    pub(crate) fn configure<T: ?Sized, S: ?Sized>(
        &self,
        driver: CallDriver<T, S>,
    ) -> CallDriver<T, S> {
        let mut driver = driver.with_clock_offset(self.clock_offset);
        if let Some(policy) = self.retry {
            driver = driver.with_retry_policy(policy);
        }
        if let Some(options) = &self.options {
            driver = driver.with_request_options(options.clone());
        }
        if let Some(random) = &self.random {
            driver = driver.with_random_source(random.clone());
        }
        if let Some(clock) = &self.clock {
            driver = driver.with_clock(clock.clone());
        }
        driver
    }
}

/// The default credentials when none are given: the AWS CLI's chain with
/// the role slot filled, over the client's transport, cached.
fn default_credentials(transport: &Arc<dyn Transport>) -> Arc<dyn ProvideCredentials> {
    let chain = DefaultChainBuilder::new()
        .transport(transport.clone())
        .build();
    Arc::new(CachedProvider::new(chain))
}
