//! `aws sso login`'s device authorization flow (feature `client`):
//! [`SsoLogin`] registers a client (cached), starts a device
//! authorization, shows the user where to confirm it, polls `CreateToken`
//! and writes the token cache exactly as AWS CLI v2 does
//! ([`sso_token_cache`](super::sso_token_cache)), so the AWS CLI, the AWS
//! SDKs and [`SsoProvider`](super::sso::SsoProvider) all use it.
//!
//! Polling honours the service: the announced `interval` (default 5 s),
//! `authorization_pending` (poll again), `slow_down` (5 s more between
//! polls, as RFC 8628 says), `expired_token` (stop). It never polls past
//! the device code's `expiresIn`.
//!
//! A cached client registration is reused unless it expires within 15
//! minutes or AWS CLI v2 made it for its authorization-code login
//! ([`ClientRegistration::is_for_authorization_code`](super::sso_token_cache::ClientRegistration::is_for_authorization_code)),
//! as AWS CLI v2's own device flow decides; a new registration replaces
//! the file.
//!
//! ```no_run
//! use std::sync::Arc;
//! use sigv4::config::{ConfiguredEndpoints, Env, ProfileSet};
//! use sigv4::credentials::sso::SsoConfig;
//! use sigv4::credentials::sso_login::SsoLogin;
//! use sigv4::credentials::sso_token_cache::{default_cache_dir, SsoTokenCache};
//! use sigv4::transport::UreqTransport;
//!
//! let env = Env::real();
//! let profiles = ProfileSet::load(&env)?;
//! let config = SsoConfig::for_session(&profiles, "my-sso")?;
//! let cache = SsoTokenCache::new(default_cache_dir(&env).expect("a home directory"));
//! let login = SsoLogin::new(Arc::new(UreqTransport::new()), cache)
//!     .with_endpoints(ConfiguredEndpoints::load(&env, &profiles));
//! let token = login.login(&config, &mut |auth| {
//!     eprintln!("open {} and confirm {}", auth.verification_uri, auth.user_code);
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::sso::SsoConfig;
use super::sso_token_cache::{registration_cache_key, ClientRegistration, SsoToken, SsoTokenCache};
use super::CredentialsError;
use crate::api::call::Caller;
use crate::api::retry::{Sleeper, ThreadSleeper};
use crate::api::sso_oidc::{
    CreateToken, DeviceAuthorization, OidcErrorKind, RegisterClient, StartDeviceAuthorization,
    TokenOutput,
};
use crate::api::{CallError, ServiceConfig};
use crate::config::ConfiguredEndpoints;
use crate::transport::Transport;
use crate::util::time::from_unix_seconds;

/// The name errors of the login carry.
pub const NAME: &str = "sso login";
/// The poll interval when the service announces none (RFC 8628).
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
/// What `slow_down` adds to the interval.
pub const SLOW_DOWN_DELAY: Duration = Duration::from_secs(5);
/// A cached registration this close to its expiry is replaced.
pub const REGISTRATION_EXPIRY_WINDOW: Duration = Duration::from_secs(15 * 60);

fn failed(message: impl Into<String>) -> CredentialsError {
    CredentialsError::provider_failed(NAME, message)
}

fn call_failed(what: &str, e: CallError) -> CredentialsError {
    CredentialsError::from(e).within(NAME, what)
}

/// Runs the device authorization flow; see the [module docs](self).
pub struct SsoLogin {
    caller: Caller,
    cache: SsoTokenCache,
    endpoints: ConfiguredEndpoints,
    sleeper: Arc<dyn Sleeper>,
}

impl fmt::Debug for SsoLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsoLogin")
            .field("cache", &self.cache)
            .field("endpoints", &self.endpoints)
            .finish_non_exhaustive()
    }
}

impl SsoLogin {
    /// Calls over `transport`, writes into `cache`; AWS endpoints, real sleeps.
    pub fn new(transport: Arc<dyn Transport>, cache: SsoTokenCache) -> Self {
        SsoLogin {
            caller: Caller::new(transport),
            cache,
            endpoints: ConfiguredEndpoints::none(),
            sleeper: Arc::new(ThreadSleeper),
        }
    }

    /// Uses the configured OIDC endpoint (`AWS_ENDPOINT_URL_SSO_OIDC`...).
    pub fn with_endpoints(mut self, endpoints: ConfiguredEndpoints) -> Self {
        self.endpoints = endpoints;
        self
    }

    /// Waits between polls with `sleeper` (tests record the waits).
    pub fn with_sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Self {
        self.sleeper = sleeper;
        self
    }

    fn service(&self, config: &SsoConfig) -> ServiceConfig {
        ServiceConfig::new(config.region.clone()).with_configured_endpoints(self.endpoints.clone())
    }

    /// The cached registration for `config`, or a new one (cached).
    fn registration(
        &self,
        config: &SsoConfig,
        service: &ServiceConfig,
        now: SystemTime,
    ) -> Result<ClientRegistration, CredentialsError> {
        let key = registration_cache_key(
            &config.start_url,
            config.session_name.as_deref(),
            &config.region,
            config.scopes.as_deref(),
        );
        // AWS CLI v2's default (authorization-code) login caches its
        // registration under the same key; like the AWS CLI's device flow,
        // do not reuse it (the service would refuse it the device grant).
        if let Some(r) = self.cache.load_registration(&key) {
            if r.expires_at > now + REGISTRATION_EXPIRY_WINDOW && !r.is_for_authorization_code() {
                return Ok(r);
            }
        }
        let name = match &config.session_name {
            Some(s) => format!("sigv4-{s}"),
            None => format!("sigv4-anonymous-{}", crate::util::time::unix_seconds(now)),
        };
        let registered = self
            .caller
            .call(
                service,
                &RegisterClient {
                    client_name: name,
                    scopes: config.scopes.clone(),
                },
                None,
            )
            .map_err(|e| call_failed("SSO OIDC RegisterClient", e))?;
        let registration = ClientRegistration {
            client_id: registered.client_id,
            client_secret: registered.client_secret,
            expires_at: from_unix_seconds(registered.client_secret_expires_at)
                .ok_or_else(|| failed("RegisterClient: clientSecretExpiresAt out of range"))?,
            scopes: config.scopes.clone().filter(|s| !s.is_empty()),
            grant_types: None,
        };
        self.cache
            .write_registration(&key, &registration, now)
            .map_err(|e| failed(format!("the client registration could not be saved: {e}")))?;
        Ok(registration)
    }

    /// Logs `config` in: `on_pending` is called once with the verification
    /// URL and user code (unless the first poll already succeeds); returns
    /// the token, written to the cache.
    pub fn login(
        &self,
        config: &SsoConfig,
        on_pending: &mut dyn FnMut(&DeviceAuthorization),
    ) -> Result<SsoToken, CredentialsError> {
        let service = self.service(config);
        let registration = self.registration(config, &service, SystemTime::now())?;
        let auth = self
            .caller
            .call(
                &service,
                &StartDeviceAuthorization::new(
                    &registration.client_id,
                    &registration.client_secret,
                    &config.start_url,
                ),
                None,
            )
            .map_err(|e| call_failed("SSO OIDC StartDeviceAuthorization", e))?;
        let poll = CreateToken::device_code(
            &registration.client_id,
            &registration.client_secret,
            &auth.device_code,
        );
        let mut interval = auth.interval.unwrap_or(DEFAULT_INTERVAL);
        let mut waited = Duration::ZERO;
        let mut shown = false;
        let output: TokenOutput = loop {
            match self.caller.call(&service, &poll, None) {
                Ok(out) => break out,
                Err(e) => match OidcErrorKind::of(&e) {
                    Some(OidcErrorKind::AuthorizationPending) => {}
                    Some(OidcErrorKind::SlowDown) => interval += SLOW_DOWN_DELAY,
                    Some(OidcErrorKind::ExpiredToken) => {
                        return Err(failed(
                            "the device authorization expired before it was confirmed; run the login again",
                        ))
                    }
                    _ => return Err(call_failed("SSO OIDC CreateToken", e)),
                },
            }
            if !shown {
                on_pending(&auth);
                shown = true;
            }
            if waited + interval > auth.expires_in {
                return Err(failed(format!(
                    "the device authorization was not confirmed within {} s",
                    auth.expires_in.as_secs()
                )));
            }
            self.sleeper.sleep(interval);
            waited += interval;
        };
        let now = SystemTime::now();
        let token = SsoToken {
            access_token: output.access_token,
            expires_at: now + output.expires_in,
            refresh_token: output.refresh_token,
            client_id: Some(registration.client_id.clone()),
            client_secret: Some(registration.client_secret.clone()),
            registration_expires_at: Some(registration.expires_at),
            start_url: Some(config.start_url.clone()),
            region: Some(config.region.clone()),
        };
        self.cache
            .write_token(&config.token_cache_key(), &token, now)
            .map_err(|e| failed(format!("the token could not be saved: {e}")))?;
        Ok(token)
    }

    /// Removes the cached token and client registration of `config`;
    /// returns whether there was a token.
    pub fn logout(&self, config: &SsoConfig) -> Result<bool, CredentialsError> {
        let registration = registration_cache_key(
            &config.start_url,
            config.session_name.as_deref(),
            &config.region,
            config.scopes.as_deref(),
        );
        self.cache
            .remove(&registration)
            .map_err(|e| failed(e.to_string()))?;
        self.cache
            .remove(&config.token_cache_key())
            .map_err(|e| failed(e.to_string()))
    }
}
