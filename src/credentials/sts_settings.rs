//! [`StsSettings`]: how the credential providers that call STS
//! (assume-role, web identity) reach it: transport, region, endpoint,
//! retries (feature `client`).

use std::fmt;
use std::sync::Arc;

use super::CredentialsError;
use crate::api::call::Caller;
use crate::api::{RetryPolicy, ServiceConfig};
use crate::config::{resolve_region, ConfiguredEndpoints, Env, ProfileSet};
use crate::transport::{RequestOptions, Transport};

/// How providers reach STS: transport, and optionally region, endpoint and
/// retry policy.
///
/// Unless set, the region is the environment's or the selected profile's
/// (else `us-east-1`), and the endpoint is `AWS_ENDPOINT_URL_STS`, then
/// `AWS_ENDPOINT_URL`, then the profile's `services` section, then its
/// `endpoint_url` (none of them when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`;
/// see [`ConfiguredEndpoints`]), else AWS. A client's own settings are
/// `Client::sts_settings`.
#[derive(Clone)]
pub struct StsSettings {
    transport: Arc<dyn Transport>,
    region: Option<String>,
    endpoint_url: Option<String>,
    retry: Option<RetryPolicy>,
    options: Option<RequestOptions>,
}

impl fmt::Debug for StsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StsSettings")
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl StsSettings {
    /// Defaults over `transport`.
    pub fn new(transport: Arc<dyn Transport>) -> Self {
        StsSettings {
            transport,
            region: None,
            endpoint_url: None,
            retry: None,
            options: None,
        }
    }

    /// The transport.
    pub fn transport(&self) -> &Arc<dyn Transport> {
        &self.transport
    }

    /// Sets the region.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sets the endpoint (`http(s)://host[:port]`).
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// Sets the retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sets timeouts and limits for each attempt.
    pub fn request_options(mut self, options: RequestOptions) -> Self {
        self.options = Some(options);
        self
    }

    /// The service configuration and call driver for STS under `env` and
    /// `profiles`; errors are `provider`'s invalid configuration.
    pub(crate) fn resolve(
        &self,
        env: &Env,
        profiles: &ProfileSet,
        provider: &str,
    ) -> Result<(ServiceConfig, Caller), CredentialsError> {
        let region = match &self.region {
            Some(r) => r.trim().to_owned(),
            None => resolve_region(None, env, profiles).0,
        };
        let mut config = ServiceConfig::new(region);
        match &self.endpoint_url {
            Some(url) => config.endpoint_url = Some(url.clone()),
            None => config.configured_endpoints = ConfiguredEndpoints::load(env, profiles),
        }
        config
            .validate()
            .and_then(|()| crate::api::sts::endpoint(&config).map(drop))
            .map_err(|e| {
                CredentialsError::invalid_configuration(provider, format!("STS client: {e}"))
            })?;
        let mut caller = Caller::new(self.transport.clone());
        if let Some(retry) = self.retry {
            caller = caller.with_retry_policy(retry);
        }
        if let Some(options) = &self.options {
            caller = caller.with_request_options(options.clone());
        }
        Ok((config, caller))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::from_fn;

    #[test]
    fn region_and_endpoint_from_the_environment() {
        let settings = StsSettings::new(Arc::new(from_fn(|_, _| unreachable!())));
        let env = Env::from_map([
            ("AWS_REGION", "eu-north-1"),
            ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:5000"),
        ]);
        let (config, _) = settings
            .resolve(&env, &ProfileSet::default(), "test")
            .unwrap();
        assert_eq!(config.region, "eu-north-1");
        assert_eq!(config.endpoint("sts").unwrap(), "http://127.0.0.1:5000");
        let bad = Env::from_map([("AWS_ENDPOINT_URL", "127.0.0.1:5055")]);
        let e = settings
            .resolve(&bad, &ProfileSet::default(), "test")
            .unwrap_err();
        match &e {
            CredentialsError::InvalidConfiguration { provider, message } => assert_eq!(
                (provider.as_str(), message.as_str()),
                (
                    "test",
                    "STS client: invalid request: invalid endpoint URL \"127.0.0.1:5055\": \
                     expected http(s)://host[:port]"
                )
            ),
            other => panic!("expected InvalidConfiguration: {other:?}"),
        }
    }
}
