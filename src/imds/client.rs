//! The IMDS client: [`protocol`](super::protocol) over a [`Transport`].

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use super::endpoint::{resolve_endpoint, EndpointMode, ImdsEndpoint};
use super::protocol::{
    metadata_request, parse_metadata_response, parse_token_response, token_request,
    MetadataOutcome, TokenAction, TokenCache, TokenOutcome, INSTANCE_ID_PATH, MAX_TOKEN_TTL,
    REGION_PATH, TOKEN_PATH,
};
use super::ImdsError;
use crate::config::env_vars::{
    AWS_EC2_METADATA_DISABLED, AWS_EC2_METADATA_V1_DISABLED, AWS_METADATA_SERVICE_NUM_ATTEMPTS,
    AWS_METADATA_SERVICE_TIMEOUT,
};
use crate::config::{Env, ProfileSet};
use crate::transport::{RequestOptions, Transport, TransportErrorKind};

/// Profile key: `true` forbids the IMDSv1 fallback.
pub const PROFILE_V1_DISABLED: &str = "ec2_metadata_v1_disabled";
/// Profile key: connect and read timeout, in seconds.
pub const PROFILE_TIMEOUT: &str = "metadata_service_timeout";
/// Profile key: attempts per request.
pub const PROFILE_NUM_ATTEMPTS: &str = "metadata_service_num_attempts";

/// Largest IMDS answer accepted.
const MAX_RESPONSE_BYTES: u64 = 256 * 1024;
/// Most attempts allowed by configuration.
const MAX_ATTEMPTS: u32 = 10;
/// Longest timeout allowed by configuration.
const MAX_TIMEOUT: Duration = Duration::from_secs(60);

/// How the client talks to IMDS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImdsConfig {
    endpoint: ImdsEndpoint,
    disabled: bool,
    v1_disabled: bool,
    token_ttl: Duration,
    connect_timeout: Duration,
    read_timeout: Duration,
    max_attempts: u32,
}

impl Default for ImdsConfig {
    fn default() -> Self {
        Self::new(ImdsEndpoint::default())
    }
}

fn is_true(value: Option<&str>) -> bool {
    value.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

impl ImdsConfig {
    /// Default token lifetime: 6 hours.
    pub const DEFAULT_TOKEN_TTL: Duration = MAX_TOKEN_TTL;
    /// Default connect and read timeouts: 1 s each.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);
    /// Default attempts for a request answered 5xx or broken off: 3.
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;

    /// Defaults for `endpoint`: enabled, IMDSv1 fallback allowed, 6 h
    /// tokens, 1 s timeouts, 3 attempts.
    pub fn new(endpoint: ImdsEndpoint) -> Self {
        ImdsConfig {
            endpoint,
            disabled: false,
            v1_disabled: false,
            token_ttl: Self::DEFAULT_TOKEN_TTL,
            connect_timeout: Self::DEFAULT_TIMEOUT,
            read_timeout: Self::DEFAULT_TIMEOUT,
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
        }
    }

    /// The settings from the environment and the selected profile:
    /// endpoint (see [`resolve_endpoint`]), `AWS_EC2_METADATA_DISABLED`,
    /// `AWS_EC2_METADATA_V1_DISABLED` / `ec2_metadata_v1_disabled`,
    /// `AWS_METADATA_SERVICE_TIMEOUT` / `metadata_service_timeout` (seconds,
    /// up to 60) and `AWS_METADATA_SERVICE_NUM_ATTEMPTS` /
    /// `metadata_service_num_attempts` (1 to 10). Booleans are true only
    /// for `true` (any case), as in the AWS CLI.
    pub fn from_env(env: &Env, profiles: &ProfileSet) -> Result<Self, ImdsError> {
        Self::resolve(None, None, env, profiles)
    }

    /// [`from_env`](Self::from_env) with an explicit endpoint or endpoint
    /// mode, which win over the environment as described in
    /// [`resolve_endpoint`].
    pub fn resolve(
        explicit_endpoint: Option<&str>,
        explicit_mode: Option<EndpointMode>,
        env: &Env,
        profiles: &ProfileSet,
    ) -> Result<Self, ImdsError> {
        let setting = |var: &str, key: &str| {
            env.get_non_blank(var)
                .or_else(|| profiles.get_selected(key).map(str::to_owned))
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let disabled = is_true(env.get(AWS_EC2_METADATA_DISABLED).as_deref());
        // A disabled client never uses its endpoint: do not fail on it.
        let endpoint = match resolve_endpoint(explicit_endpoint, explicit_mode, env, profiles) {
            Ok(endpoint) => endpoint,
            Err(_) if disabled => ImdsEndpoint::default(),
            Err(e) => return Err(e),
        };
        let mut config = ImdsConfig::new(endpoint)
            .with_disabled(disabled)
            .with_v1_disabled(is_true(
                setting(AWS_EC2_METADATA_V1_DISABLED, PROFILE_V1_DISABLED).as_deref(),
            ));
        if let Some(text) = setting(AWS_METADATA_SERVICE_TIMEOUT, PROFILE_TIMEOUT) {
            let timeout = text
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s > 0.0 && *s <= MAX_TIMEOUT.as_secs_f64())
                .map(Duration::from_secs_f64)
                .ok_or_else(|| ImdsError::InvalidConfiguration {
                    message: format!("{AWS_METADATA_SERVICE_TIMEOUT} / {PROFILE_TIMEOUT} must be a number of seconds in (0, 60]"),
                })?;
            config = config.with_timeouts(timeout, timeout);
        }
        if let Some(text) = setting(AWS_METADATA_SERVICE_NUM_ATTEMPTS, PROFILE_NUM_ATTEMPTS) {
            let attempts = text
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_ATTEMPTS).contains(n))
                .ok_or_else(|| ImdsError::InvalidConfiguration {
                    message: format!(
                        "{AWS_METADATA_SERVICE_NUM_ATTEMPTS} / {PROFILE_NUM_ATTEMPTS} must be a whole number from 1 to {MAX_ATTEMPTS}"
                    ),
                })?;
            config = config.with_max_attempts(attempts);
        }
        Ok(config)
    }

    /// Sets the endpoint.
    pub fn with_endpoint(mut self, endpoint: ImdsEndpoint) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// Turns the client off (every request fails with
    /// [`ImdsError::Disabled`], without I/O).
    pub fn with_disabled(mut self, disabled: bool) -> Self {
        self.disabled = disabled;
        self
    }

    /// Forbids (`true`) or allows the IMDSv1 fallback.
    pub fn with_v1_disabled(mut self, v1_disabled: bool) -> Self {
        self.v1_disabled = v1_disabled;
        self
    }

    /// Sets the token lifetime requested (clamped to 1 s..6 h).
    pub fn with_token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl.clamp(Duration::from_secs(1), MAX_TOKEN_TTL);
        self
    }

    /// Sets the connect and read timeouts.
    pub fn with_timeouts(mut self, connect: Duration, read: Duration) -> Self {
        self.connect_timeout = connect;
        self.read_timeout = read;
        self
    }

    /// Sets the attempts for a request answered 5xx or broken off (1 to 10).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.clamp(1, MAX_ATTEMPTS);
        self
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &ImdsEndpoint {
        &self.endpoint
    }

    /// Whether IMDS is turned off.
    pub fn is_disabled(&self) -> bool {
        self.disabled
    }

    /// Whether the IMDSv1 fallback is forbidden.
    pub fn is_v1_disabled(&self) -> bool {
        self.v1_disabled
    }

    /// The token lifetime requested.
    pub fn token_ttl(&self) -> Duration {
        self.token_ttl
    }

    /// The connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// The read timeout.
    pub fn read_timeout(&self) -> Duration {
        self.read_timeout
    }

    /// The attempts per request.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }
}

/// A blocking IMDS client (IMDSv2 with an optional IMDSv1 fallback).
///
/// - The token is fetched on first use, cached, and renewed shortly
///   before it expires; a `401` drops it and the request is retried once
///   with a new one.
/// - Token request answered 403: IMDS is disabled ([`ImdsError::Disabled`],
///   no fallback). Answered 404/405, or timed out after connecting (the
///   usual symptom of a container behind a hop limit of 1): IMDSv1 is used
///   for the next 5 minutes, unless it is disabled
///   ([`ImdsError::TokenUnavailable`]).
/// - A connection failure or timeout gives up at once
///   ([`ImdsError::Unreachable`]): with the default 1 s timeouts a machine
///   that is not on EC2 knows within about 2 s. 5xx answers and broken
///   connections are retried (3 attempts in all by default, 100 ms then
///   200 ms apart).
///
/// ```
/// use std::sync::Arc;
/// use sigv4::imds::{ImdsClient, ImdsConfig};
/// use sigv4::transport::from_fn;
///
/// // A canned IMDS: a token, then the region.
/// let transport = Arc::new(from_fn(|request, _| {
///     let body: &[u8] = match (request.method().as_str(), request.uri().path()) {
///         ("PUT", "/latest/api/token") => b"token",
///         ("GET", "/latest/meta-data/placement/region") => {
///             assert_eq!(request.headers()["x-aws-ec2-metadata-token"], "token");
///             b"eu-central-1"
///         }
///         _ => return Ok(http::Response::builder().status(404).body(Vec::new()).unwrap()),
///     };
///     Ok(http::Response::new(body.to_vec()))
/// }));
/// let client = ImdsClient::new(transport, ImdsConfig::default());
/// assert_eq!(client.region()?, "eu-central-1");
/// assert!(client.get("/latest/meta-data/nope").unwrap_err().is_not_found());
/// # Ok::<(), sigv4::imds::ImdsError>(())
/// ```
pub struct ImdsClient {
    transport: Arc<dyn Transport>,
    config: ImdsConfig,
    token: Mutex<TokenCache>,
}

impl std::fmt::Debug for ImdsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImdsClient")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The cache holds no invariant a panic could break: keep using it.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn backoff(attempt: u32) {
    let shift = attempt.saturating_sub(1).min(4);
    std::thread::sleep(Duration::from_millis(100 << shift));
}

impl ImdsClient {
    /// A client sending over `transport` with `config`.
    pub fn new(transport: Arc<dyn Transport>, config: ImdsConfig) -> Self {
        ImdsClient {
            transport,
            config,
            token: Mutex::new(TokenCache::new()),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ImdsConfig {
        &self.config
    }

    fn options(&self) -> RequestOptions {
        RequestOptions::new()
            .with_connect_timeout(self.config.connect_timeout)
            .with_read_timeout(self.config.read_timeout)
            .with_max_response_bytes(MAX_RESPONSE_BYTES)
    }

    /// The token to send, `None` for IMDSv1.
    fn token(&self) -> Result<Option<Zeroizing<String>>, ImdsError> {
        let mut cache = lock(&self.token);
        match cache.next(Instant::now()) {
            TokenAction::Use(token) => return Ok(Some(token)),
            TokenAction::UseV1 => return Ok(None),
            TokenAction::Fetch => {}
        }
        let put = || format!("PUT {TOKEN_PATH}");
        let v1_or = |cache: &mut TokenCache, reason: String| {
            if self.config.v1_disabled {
                Err(ImdsError::TokenUnavailable { reason })
            } else {
                cache.fall_back_to_v1(Instant::now());
                Ok(None)
            }
        };
        let mut attempt = 1;
        loop {
            let request = token_request(&self.config.endpoint, self.config.token_ttl)?;
            match self.transport.send(request, &self.options()) {
                Err(e) if e.is_connect() => {
                    return Err(ImdsError::Unreachable {
                        request: put(),
                        source: e,
                    })
                }
                Err(e) if e.kind() == TransportErrorKind::Timeout => {
                    return v1_or(&mut cache, format!("the token request timed out ({e})"));
                }
                Err(e) => {
                    if attempt >= self.config.max_attempts {
                        return Err(ImdsError::Transport {
                            request: put(),
                            source: e,
                        });
                    }
                }
                Ok(response) => match parse_token_response(&response, self.config.token_ttl) {
                    TokenOutcome::Token { value, ttl } => {
                        cache.store(value.clone(), ttl, Instant::now());
                        return Ok(Some(value));
                    }
                    TokenOutcome::Disabled => {
                        return Err(ImdsError::Disabled {
                            reason: "the token request was answered 403 Forbidden".into(),
                        })
                    }
                    TokenOutcome::V2Unsupported(status) => {
                        return v1_or(
                            &mut cache,
                            format!("the token request was answered {status}"),
                        );
                    }
                    TokenOutcome::Retryable(status) if attempt >= self.config.max_attempts => {
                        return Err(ImdsError::ErrorResponse {
                            path: TOKEN_PATH.into(),
                            status,
                        })
                    }
                    TokenOutcome::Retryable(_) => {}
                    TokenOutcome::BadRequest => {
                        return Err(ImdsError::ErrorResponse {
                            path: TOKEN_PATH.into(),
                            status: 400,
                        })
                    }
                    TokenOutcome::Unexpected(status) => {
                        return Err(ImdsError::ErrorResponse {
                            path: TOKEN_PATH.into(),
                            status,
                        })
                    }
                },
            }
            backoff(attempt);
            attempt += 1;
        }
    }

    /// `GET path` (such as `/latest/meta-data/instance-id`), returning the
    /// body. A `404` is [`ImdsError::ErrorResponse`] with
    /// [`is_not_found`](ImdsError::is_not_found).
    pub fn get(&self, path: &str) -> Result<String, ImdsError> {
        self.get_sensitive(path)
            .map(|body| body.as_str().to_owned())
    }

    /// [`get`](Self::get) for answers holding secrets: the body is zeroized
    /// when dropped.
    pub fn get_sensitive(&self, path: &str) -> Result<Zeroizing<String>, ImdsError> {
        self.fetch(path, |body| {
            String::from_utf8(body)
                .map(Zeroizing::new)
                .map_err(|_| ImdsError::InvalidResponse {
                    path: path.to_owned(),
                    message: "the body is not UTF-8".into(),
                })
        })
    }

    /// `GET path` returning the raw body, for answers that need not be
    /// text (user data is often gzip-compressed).
    pub fn get_bytes(&self, path: &str) -> Result<Vec<u8>, ImdsError> {
        self.fetch(path, Ok)
    }

    /// The request loop shared by the getters: token, 401 renewal, retries;
    /// `on_ok` turns a 200 body into the result.
    fn fetch<T>(
        &self,
        path: &str,
        on_ok: impl Fn(Vec<u8>) -> Result<T, ImdsError>,
    ) -> Result<T, ImdsError> {
        if self.config.disabled {
            return Err(ImdsError::Disabled {
                reason: format!("{AWS_EC2_METADATA_DISABLED} is true"),
            });
        }
        let get = || format!("GET {path}");
        let mut renewed_after_401 = false;
        let mut attempt = 1;
        loop {
            let token = self.token()?;
            let request = metadata_request(
                &self.config.endpoint,
                path,
                token.as_deref().map(String::as_str),
            )?;
            match self.transport.send(request, &self.options()) {
                Err(e) if e.is_connect() || e.is_timeout() => {
                    return Err(ImdsError::Unreachable {
                        request: get(),
                        source: e,
                    })
                }
                Err(e) => {
                    if attempt >= self.config.max_attempts {
                        return Err(ImdsError::Transport {
                            request: get(),
                            source: e,
                        });
                    }
                }
                Ok(response) if response.status() == http::StatusCode::OK => {
                    return on_ok(response.into_body());
                }
                Ok(response) => match parse_metadata_response(&response, path)? {
                    MetadataOutcome::Ok(body) => return on_ok(body.as_bytes().to_vec()),
                    MetadataOutcome::Unauthorized if !renewed_after_401 => {
                        renewed_after_401 = true;
                        lock(&self.token).invalidate();
                        continue;
                    }
                    MetadataOutcome::Unauthorized if token.is_none() => {
                        return Err(ImdsError::TokenUnavailable {
                            reason: format!(
                                "{path} requires a token (answered 401) and none could be obtained"
                            ),
                        })
                    }
                    MetadataOutcome::Retryable(_) if attempt < self.config.max_attempts => {}
                    MetadataOutcome::Unauthorized => {
                        return Err(ImdsError::ErrorResponse {
                            path: path.to_owned(),
                            status: 401,
                        })
                    }
                    MetadataOutcome::Retryable(status) | MetadataOutcome::Error(status) => {
                        return Err(ImdsError::ErrorResponse {
                            path: path.to_owned(),
                            status,
                        })
                    }
                },
            }
            backoff(attempt);
            attempt += 1;
        }
    }

    /// The instance's region (`/latest/meta-data/placement/region`).
    pub fn region(&self) -> Result<String, ImdsError> {
        Ok(self.get(REGION_PATH)?.trim().to_owned())
    }

    /// The instance id (`/latest/meta-data/instance-id`).
    pub fn instance_id(&self) -> Result<String, ImdsError> {
        Ok(self.get(INSTANCE_ID_PATH)?.trim().to_owned())
    }

    /// Forgets the cached token (and any IMDSv1 decision).
    pub fn clear_token(&self) {
        lock(&self.token).invalidate();
    }
}
