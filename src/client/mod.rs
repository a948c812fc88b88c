//! A minimal AWS API client (feature `client`): signed requests over a
//! [`Transport`], retries with backoff, typed errors, and a few calls (STS,
//! S3 objects, any query-protocol service, EC2 instance metadata), plus the
//! credential providers that need them (assume-role and web-identity
//! profiles).
//!
//! # Sans-IO
//!
//! Every call is an [`Operation`]: a pure [`build`](Operation::build) that
//! turns the input into an [`ApiRequest`], and a pure
//! [`parse`](Operation::parse) that turns the response into a typed result.
//! Signing is pure too ([`ApiRequest::sign`], given credentials and a time),
//! and so are the retry decisions ([`retry::RetryState`]). The [`Client`]
//! is the thin blocking loop over them: get credentials, sign with the
//! current time (plus any clock correction), send, decide, repeat.
//!
//! ```
//! use std::sync::Arc;
//! use sigv4::client::Client;
//! use sigv4::credentials::{static_provider::StaticProvider, Credentials};
//! use sigv4::transport::from_fn;
//!
//! // A fake STS answering GetCallerIdentity (any real transport works the same).
//! let sts = from_fn(|request, _options| {
//!     assert!(request.headers()["authorization"].to_str().unwrap().starts_with("AWS4-HMAC-SHA256"));
//!     Ok(http::Response::new(br#"<GetCallerIdentityResponse><GetCallerIdentityResult>
//!         <Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDAEXAMPLE</UserId>
//!         <Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"#.to_vec()))
//! });
//! let client = Client::builder()
//!     .transport(Arc::new(sts))
//!     .credentials(Arc::new(StaticProvider::new(Credentials::new("AKIDEXAMPLE", "secret"))))
//!     .region("eu-west-1")
//!     .build()?;
//! let me = client.get_caller_identity()?;
//! assert_eq!(me.account, "123456789012");
//! # Ok::<(), sigv4::client::ClientError>(())
//! ```
//!
//! # With your own (async) HTTP client
//!
//! Nothing above needs the [`Client`]: build, sign, send with whatever
//! client you have, let [`RetryState`](retry::RetryState) decide, parse.
//!
//! ```
//! use std::time::SystemTime;
//! use sigv4::client::retry::{Decision, DefaultRandom, RetryPolicy, RetryState};
//! use sigv4::client::sts::{CallerIdentity, GetCallerIdentity};
//! use sigv4::client::{ApiError, ClientError, Operation, ServiceConfig};
//! use sigv4::credentials::Credentials;
//! use sigv4::sign::SigningTime;
//! use sigv4::transport::{from_fn, RequestOptions, Transport, TransportError};
//!
//! /// Your async client; a stand-in here that answers like STS.
//! async fn send_async(request: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportError> {
//!     let fake = from_fn(|_req, _opts| Ok(http::Response::new(
//!         b"<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/a</Arn>\
//!           <UserId>AIDA</UserId><Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>".to_vec())));
//!     fake.send(request, &RequestOptions::new())
//! }
//!
//! async fn whoami(credentials: &Credentials) -> Result<CallerIdentity, ClientError> {
//!     let operation = GetCallerIdentity;
//!     let request = operation.build(&ServiceConfig::new("eu-west-1"))?; // pure
//!     let policy = RetryPolicy::standard();
//!     let (mut retry, random) = (RetryState::new(&policy), DefaultRandom::new());
//!     let mut offset = 0i64; // clock correction, seconds
//!     loop {
//!         // Sign every attempt afresh: new time, new signature.
//!         let now = SigningTime::from_unix_seconds(SigningTime::now().unix_seconds() + offset)?;
//!         let signed = request.sign(Some(credentials), now, None)?;
//!         let decision = match send_async(signed.request).await {
//!             Ok(response) if response.status().is_success() => return operation.parse(response),
//!             Ok(response) => {
//!                 let error = ApiError::from_response(&response);
//!                 match retry.on_response(error.status, &error.code, error.server_time, SystemTime::now(), &random) {
//!                     Decision::Stop => return operation.parse(response), // the typed error
//!                     d => d,
//!                 }
//!             }
//!             Err(e) => match retry.on_transport_error(&e, &random) {
//!                 Decision::Stop => return Err(ClientError::Transport { source: e, attempts: retry.attempts() }),
//!                 d => d,
//!             },
//!         };
//!         match decision {
//!             Decision::Retry { after } => { let _ = after; /* your_runtime::sleep(after).await */ }
//!             Decision::CorrectClock { offset_seconds } => offset += offset_seconds,
//!             Decision::Stop => {} // returned above
//!         }
//!     }
//! }
//!
//! let credentials = Credentials::new("AKIDEXAMPLE", "secret");
//! let me = pollster::block_on(whoami(&credentials))?;
//! assert_eq!(me.arn, "arn:aws:iam::1:user/a");
//! # Ok::<(), ClientError>(())
//! ```

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use crate::credentials::{Credentials, CredentialsError, ProvideCredentials, SkipReason};
use crate::s3::AddressingStyle;
use crate::sign::{self, Payload, SignableRequest, SigningKeyCache, SigningTime};
use crate::transport::{RequestOptions, Transport};

pub mod assume_role;
pub mod error;
pub mod imds_metadata;
pub mod query;
pub mod retry;
pub mod s3;
pub mod sts;
pub mod web_identity;
mod xml;

pub use error::{ApiError, ClientError, ErrorFormat, SignatureMismatch};
pub use retry::RetryPolicy;

/// One API call as a pair of pure functions.
///
/// Implemented by every call of this module ([`sts::AssumeRole`],
/// [`s3::GetObject`], [`query::QueryCall`]...); implement it for other calls
/// and run them with [`Client::call`].
pub trait Operation {
    /// The typed result.
    type Output;

    /// A short name for messages (`sts:AssumeRole`).
    fn name(&self) -> &'static str;

    /// Builds the request (no I/O, no clock).
    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, ClientError>;

    /// Reads the final response, whatever its status: a success is parsed
    /// into the output, an error status into [`ClientError::Api`] (some
    /// operations turn particular errors into outputs, e.g. a dry run's
    /// `DryRunOperation`).
    fn parse(&self, response: http::Response<Vec<u8>>) -> Result<Self::Output, ClientError>;
}

/// Where requests go: the region, an optional endpoint override, and
/// per-service switches.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceConfig {
    /// The region requests are signed for and sent to.
    pub region: String,
    /// An endpoint for every service (`http://127.0.0.1:5000` for a local
    /// emulator), instead of the AWS endpoints.
    pub endpoint_url: Option<String>,
    /// Send STS calls to the global `https://sts.amazonaws.com` (signed for
    /// `us-east-1`) instead of the regional endpoint.
    pub sts_global_endpoint: bool,
    /// S3 addressing style.
    pub s3_addressing_style: AddressingStyle,
}

impl ServiceConfig {
    /// AWS endpoints in `region`.
    pub fn new(region: impl Into<String>) -> Self {
        ServiceConfig {
            region: region.into(),
            endpoint_url: None,
            sts_global_endpoint: false,
            s3_addressing_style: AddressingStyle::Auto,
        }
    }

    /// Sends every call to `url` (`http(s)://host[:port]`).
    pub fn with_endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// The base URL (no trailing `/`) for `service`: the override, or
    /// [`aws_endpoint`].
    pub fn endpoint(&self, service: &str) -> Result<String, ClientError> {
        match &self.endpoint_url {
            Some(url) => {
                let trimmed = url.trim().trim_end_matches('/');
                let parsed = crate::s3::Endpoint::parse(trimmed).map_err(|_| {
                    ClientError::invalid(format!("invalid endpoint URL {trimmed:?}"))
                })?;
                Ok(format!("{}://{}", parsed.scheme(), parsed.authority()))
            }
            None => aws_endpoint(service, &self.region),
        }
    }
}

/// True when `region` can be part of a host name and a credential scope.
fn valid_region(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 64
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The AWS endpoint of `service` in `region`: `https://{service}.{region}.amazonaws.com`
/// (`.amazonaws.com.cn` in China regions); IAM is global
/// (`https://iam.amazonaws.com`).
pub fn aws_endpoint(service: &str, region: &str) -> Result<String, ClientError> {
    if !valid_region(region) {
        return Err(ClientError::invalid(format!("invalid region {region:?}")));
    }
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    if service == "iam" && suffix == "amazonaws.com" {
        return Ok("https://iam.amazonaws.com".into());
    }
    Ok(format!("https://{service}.{region}.{suffix}"))
}

/// How a request is authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Signing {
    /// SigV4 for `service` (the signing name) in `region`.
    SigV4 {
        /// The signing name (`sts`, `s3`, `ec2`...).
        service: String,
        /// The signing region.
        region: String,
        /// Sign the body's SHA-256 (`false`: `UNSIGNED-PAYLOAD`).
        sign_payload: bool,
    },
    /// Not signed (e.g. `AssumeRoleWithWebIdentity`).
    Anonymous,
}

/// A request ready to be signed: method, URL, headers, body, and how to sign.
#[derive(Clone)]
pub struct ApiRequest {
    /// The method.
    pub method: http::Method,
    /// The URL as it goes on the wire (percent-encoded).
    pub url: String,
    /// Headers to send and sign (lower-case names), besides `host`.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// How to authenticate.
    pub signing: Signing,
    payload_hash: OnceLock<String>,
}

impl fmt::Debug for ApiRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body may hold a token (web identity): show its length only.
        f.debug_struct("ApiRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("body_len", &self.body.len())
            .field("signing", &self.signing)
            .finish()
    }
}

/// A signed request and what was signed.
pub struct SignedApiRequest {
    /// The request to send.
    pub request: http::Request<Vec<u8>>,
    /// The canonical request (for comparing with a server's on
    /// `SignatureDoesNotMatch`); `None` when unsigned.
    pub canonical_request: Option<String>,
    /// The string to sign; `None` when unsigned.
    pub string_to_sign: Option<String>,
}

impl fmt::Debug for SignedApiRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedApiRequest")
            .field("method", self.request.method())
            .field("uri", self.request.uri())
            .finish_non_exhaustive()
    }
}

impl ApiRequest {
    /// A request with no headers and no body, signed for `service` in
    /// `region` with the body's hash.
    pub fn new(method: http::Method, url: impl Into<String>, service: &str, region: &str) -> Self {
        ApiRequest {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: Vec::new(),
            signing: Signing::SigV4 {
                service: service.into(),
                region: region.into(),
                sign_payload: true,
            },
            payload_hash: OnceLock::new(),
        }
    }

    /// Adds a header (name lower-cased).
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: Vec<u8>) -> Self {
        self.body = body;
        self.payload_hash = OnceLock::new();
        self
    }

    /// Sends the body as `UNSIGNED-PAYLOAD` (S3 only).
    pub fn unsigned_payload(mut self) -> Self {
        if let Signing::SigV4 { sign_payload, .. } = &mut self.signing {
            *sign_payload = false;
        }
        self
    }

    /// Sends the request unsigned.
    pub fn anonymous(mut self) -> Self {
        self.signing = Signing::Anonymous;
        self
    }

    /// An `application/x-www-form-urlencoded` POST of `params` (query
    /// protocol).
    pub fn form_post(
        url: impl Into<String>,
        service: &str,
        region: &str,
        params: &[(&str, &str)],
    ) -> Self {
        let mut body = String::new();
        for (k, v) in params {
            if !body.is_empty() {
                body.push('&');
            }
            sign::encoding::encode_into(&mut body, k, sign::encoding::Input::Literal, false);
            body.push('=');
            sign::encoding::encode_into(&mut body, v, sign::encoding::Input::Literal, false);
        }
        ApiRequest::new(http::Method::POST, url, service, region)
            .header(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .body(body.into_bytes())
    }

    fn hash(&self) -> &str {
        self.payload_hash.get_or_init(|| {
            let digest: [u8; 32] = Sha256::digest(&self.body).into();
            hex::encode(digest)
        })
    }

    /// Signs the request with `credentials` at `time` (pure; call it again
    /// for each attempt). `credentials` may be `None` for an anonymous
    /// request.
    pub fn sign(
        &self,
        credentials: Option<&Credentials>,
        time: SigningTime,
        key_cache: Option<&SigningKeyCache>,
    ) -> Result<SignedApiRequest, ClientError> {
        let mut signable = SignableRequest::new(self.method.as_str(), &self.url)?;
        let Some((scheme, authority)) = signable.origin() else {
            return Err(ClientError::invalid("the URL must be absolute"));
        };
        let mut uri = format!("{scheme}://{authority}{}", signable.path());
        if !signable.query().is_empty() {
            uri.push('?');
            uri.push_str(signable.query());
        }
        let mut builder = http::Request::builder()
            .method(self.method.clone())
            .uri(&uri);
        let (mut canonical_request, mut string_to_sign) = (None, None);
        let mut signed_headers: Vec<(&str, String)> = Vec::new();
        if let Signing::SigV4 {
            service,
            region,
            sign_payload,
        } = &self.signing
        {
            let credentials = credentials.ok_or_else(|| {
                ClientError::Credentials(CredentialsError::not_loaded(
                    "client",
                    SkipReason::Other("no credentials given for a signed request".into()),
                ))
            })?;
            let payload = if *sign_payload {
                Payload::Precomputed(self.hash())
            } else {
                Payload::Unsigned
            };
            signable = signable
                .headers(self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
                .payload(payload);
            let mut params = sign::SigningParams::new(credentials, region, service, time);
            if let Some(cache) = key_cache {
                params = params.with_key_cache(cache);
            }
            let signed = sign::sign_headers(&signable, &params)?;
            canonical_request = Some(signed.canonical_request().to_owned());
            string_to_sign = Some(signed.string_to_sign());
            signed_headers = signed.headers().map(|(n, v)| (n, v.to_owned())).collect();
        }
        for (n, v) in &self.headers {
            if !signed_headers
                .iter()
                .any(|(s, _)| s.eq_ignore_ascii_case(n))
            {
                builder = builder.header(n.as_str(), v.as_str());
            }
        }
        for (n, v) in &signed_headers {
            builder = builder.header(*n, v.as_str());
        }
        let request = builder
            .body(self.body.clone())
            .map_err(|e| ClientError::invalid(format!("cannot build the HTTP request: {e}")))?;
        Ok(SignedApiRequest {
            request,
            canonical_request,
            string_to_sign,
        })
    }
}

/// The time source of a [`Client`].
pub type ClockFn = Arc<dyn Fn() -> SystemTime + Send + Sync>;

struct Inner {
    transport: Arc<dyn Transport>,
    credentials: Arc<dyn ProvideCredentials>,
    config: ServiceConfig,
    retry: RetryPolicy,
    options: RequestOptions,
    clock_offset: AtomicI64,
    random: Arc<dyn retry::RandomSource>,
    sleeper: Arc<dyn retry::Sleeper>,
    clock: ClockFn,
    key_cache: SigningKeyCache,
}

/// The blocking client: signs each attempt afresh, sends it through the
/// transport, retries what is worth retrying, and parses the result.
///
/// Cheap to clone (shared state). See the [module docs](self).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .field("retry", &self.inner.retry)
            .field("options", &self.inner.options)
            .field("clock_offset", &self.clock_offset())
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`].
#[derive(Clone, Default)]
pub struct ClientBuilder {
    transport: Option<Arc<dyn Transport>>,
    credentials: Option<Arc<dyn ProvideCredentials>>,
    region: Option<String>,
    endpoint_url: Option<String>,
    sts_global_endpoint: bool,
    s3_addressing_style: AddressingStyle,
    retry: Option<RetryPolicy>,
    options: Option<RequestOptions>,
    random: Option<Arc<dyn retry::RandomSource>>,
    sleeper: Option<Arc<dyn retry::Sleeper>>,
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
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);
    /// Default read timeout: 60 s.
    pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);
    /// Default largest response body: 256 MiB (S3 objects are read into memory).
    pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 256 * 1024 * 1024;

    /// The HTTP transport (default: [`UreqTransport`](crate::transport::UreqTransport)).
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Where credentials come from. The client asks for them at every
    /// attempt, so a provider that fetches should be wrapped in a
    /// [`CachedProvider`](crate::credentials::cache::CachedProvider).
    /// Default: the AWS CLI's chain with assume-role and web-identity
    /// profiles ([`assume_role::role_aware_chain`]), cached.
    pub fn credentials(mut self, provider: Arc<dyn ProvideCredentials>) -> Self {
        self.credentials = Some(provider);
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
    pub fn random_source(mut self, random: Arc<dyn retry::RandomSource>) -> Self {
        self.random = Some(random);
        self
    }

    /// How to wait between attempts.
    pub fn sleeper(mut self, sleeper: Arc<dyn retry::Sleeper>) -> Self {
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
        let region = match self.region {
            Some(r) => r.trim().to_owned(),
            None => {
                let env = crate::config::Env::real();
                let profiles = crate::config::ProfileSet::load(&env).unwrap_or_default();
                crate::config::resolve_region(None, &env, &profiles).0
            }
        };
        if !valid_region(&region) {
            return Err(ClientError::invalid(format!("invalid region {region:?}")));
        }
        let config = ServiceConfig {
            region,
            endpoint_url: self.endpoint_url,
            sts_global_endpoint: self.sts_global_endpoint,
            s3_addressing_style: self.s3_addressing_style,
        };
        // Validate the override once, here.
        config.endpoint("sts")?;
        let transport = match self.transport {
            Some(t) => t,
            None => Arc::new(crate::transport::UreqTransport::new()),
        };
        let credentials = match self.credentials {
            Some(c) => c,
            None => default_credentials(&transport),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                transport,
                credentials,
                config,
                retry: self.retry.unwrap_or_default(),
                options: self.options.unwrap_or_else(|| {
                    RequestOptions::new()
                        .with_connect_timeout(Self::DEFAULT_CONNECT_TIMEOUT)
                        .with_read_timeout(Self::DEFAULT_READ_TIMEOUT)
                        .with_max_response_bytes(Self::DEFAULT_MAX_RESPONSE_BYTES)
                }),
                clock_offset: AtomicI64::new(self.clock_offset),
                random: self
                    .random
                    .unwrap_or_else(|| Arc::new(retry::DefaultRandom::new())),
                sleeper: self
                    .sleeper
                    .unwrap_or_else(|| Arc::new(retry::ThreadSleeper)),
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemTime::now)),
                key_cache: SigningKeyCache::new(),
            }),
        })
    }
}

/// The default credentials when none are given: the AWS CLI's chain with
/// the role slot filled ([`assume_role::role_aware_chain`]), cached.
fn default_credentials(transport: &Arc<dyn Transport>) -> Arc<dyn ProvideCredentials> {
    let chain =
        assume_role::role_aware_chain(crate::config::Env::real(), None, transport.clone(), None);
    Arc::new(crate::credentials::cache::CachedProvider::new(chain))
}

/// `time` moved by `seconds`.
fn shift(time: SystemTime, seconds: i64) -> SystemTime {
    let d = Duration::from_secs(seconds.unsigned_abs());
    let moved = if seconds >= 0 {
        time.checked_add(d)
    } else {
        time.checked_sub(d)
    };
    moved.unwrap_or(time)
}

impl Client {
    /// A builder with the defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The region, endpoint override and service switches.
    pub fn config(&self) -> &ServiceConfig {
        &self.inner.config
    }

    /// The region.
    pub fn region(&self) -> &str {
        &self.inner.config.region
    }

    /// The current clock correction, seconds (server time minus ours).
    pub fn clock_offset(&self) -> i64 {
        self.inner.clock_offset.load(Ordering::Relaxed)
    }

    /// Sets the clock correction.
    pub fn set_clock_offset(&self, seconds: i64) {
        self.inner.clock_offset.store(seconds, Ordering::Relaxed);
    }

    /// Our clock with the correction applied.
    pub fn now(&self) -> SystemTime {
        shift((self.inner.clock)(), self.clock_offset())
    }

    /// The same client (transport, settings, clock correction) with other
    /// credentials.
    pub fn with_credentials(&self, credentials: Arc<dyn ProvideCredentials>) -> Client {
        self.rebuild(credentials, self.inner.config.clone())
    }

    /// The same client in another region.
    pub fn with_region(&self, region: impl Into<String>) -> Result<Client, ClientError> {
        let region = region.into();
        if !valid_region(&region) {
            return Err(ClientError::invalid(format!("invalid region {region:?}")));
        }
        let config = ServiceConfig {
            region,
            ..self.inner.config.clone()
        };
        Ok(self.rebuild(self.inner.credentials.clone(), config))
    }

    fn rebuild(&self, credentials: Arc<dyn ProvideCredentials>, config: ServiceConfig) -> Client {
        let i = &self.inner;
        Client {
            inner: Arc::new(Inner {
                transport: i.transport.clone(),
                credentials,
                config,
                retry: i.retry,
                options: i.options.clone(),
                clock_offset: AtomicI64::new(self.clock_offset()),
                random: i.random.clone(),
                sleeper: i.sleeper.clone(),
                clock: i.clock.clone(),
                key_cache: SigningKeyCache::new(),
            }),
        }
    }

    /// The transport.
    pub fn transport(&self) -> &Arc<dyn Transport> {
        &self.inner.transport
    }

    /// Runs `operation`: build, then sign/send/retry, then parse.
    pub fn call<O: Operation + ?Sized>(&self, operation: &O) -> Result<O::Output, ClientError> {
        let request = operation.build(&self.inner.config)?;
        let (response, ours) = self.execute(&request)?;
        operation.parse(response).map_err(|e| match e {
            ClientError::Api(mut api) => {
                if let (Some(m), Some((creq, sts))) = (api.signature_mismatch.as_mut(), ours) {
                    m.our_canonical_request = Some(creq);
                    m.our_string_to_sign = Some(sts);
                }
                ClientError::Api(api)
            }
            e => e,
        })
    }

    /// Sends `request` with signing and retries; returns the final response
    /// whatever its status (transport failures that outlast the retries
    /// are errors).
    pub fn send(&self, request: &ApiRequest) -> Result<http::Response<Vec<u8>>, ClientError> {
        self.execute(request).map(|(r, _)| r)
    }

    #[allow(clippy::type_complexity)]
    fn execute(
        &self,
        request: &ApiRequest,
    ) -> Result<(http::Response<Vec<u8>>, Option<(String, String)>), ClientError> {
        let inner = &*self.inner;
        let mut state = retry::RetryState::new(&inner.retry);
        loop {
            let credentials = match request.signing {
                Signing::Anonymous => None,
                Signing::SigV4 { .. } => Some(inner.credentials.provide()?),
            };
            let time = SigningTime::from(self.now());
            let signed = request.sign(credentials.as_ref(), time, Some(&inner.key_cache))?;
            let ours = signed.canonical_request.zip(signed.string_to_sign);
            let decision = match inner.transport.send(signed.request, &inner.options) {
                Ok(response) if response.status().is_success() => return Ok((response, ours)),
                Ok(response) => {
                    let error = ApiError::from_response(&response);
                    let decision = state.on_response(
                        error.status,
                        &error.code,
                        error.server_time,
                        self.now(),
                        &*inner.random,
                    );
                    if decision == retry::Decision::Stop {
                        return Ok((response, ours));
                    }
                    decision
                }
                Err(e) => {
                    let decision = state.on_transport_error(&e, &*inner.random);
                    if decision == retry::Decision::Stop {
                        return Err(ClientError::Transport {
                            source: e,
                            attempts: state.attempts(),
                        });
                    }
                    decision
                }
            };
            match decision {
                retry::Decision::Retry { after } => inner.sleeper.sleep(after),
                retry::Decision::CorrectClock { offset_seconds } => {
                    let _ = inner.clock_offset.fetch_update(
                        Ordering::Relaxed,
                        Ordering::Relaxed,
                        |o| Some(o.saturating_add(offset_seconds)),
                    );
                }
                retry::Decision::Stop => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::static_provider::StaticProvider;
    use crate::transport::{from_fn, TransportError, TransportErrorKind};
    use std::sync::Mutex;

    fn client_with(
        transport: impl Transport + 'static,
        sleeper: Arc<retry::RecordingSleeper>,
    ) -> Client {
        Client::builder()
            .transport(Arc::new(transport))
            .credentials(Arc::new(StaticProvider::new(Credentials::new(
                "AKIDEXAMPLE",
                "secret",
            ))))
            .region("us-east-1")
            .retry_policy(RetryPolicy::standard().with_base_delay(Duration::from_millis(10)))
            .sleeper(sleeper)
            .build()
            .unwrap()
    }

    #[test]
    fn retries_503_then_succeeds_with_fresh_signatures() {
        let seen = Arc::new(Mutex::new(Vec::<String>::new()));
        let s = seen.clone();
        let transport = from_fn(move |req, _| {
            let mut seen = s.lock().unwrap();
            seen.push(req.headers()["authorization"].to_str().unwrap().to_owned());
            let status = if seen.len() < 3 { 503 } else { 200 };
            Ok(http::Response::builder()
                .status(status)
                .body(b"ok".to_vec())
                .unwrap())
        });
        let sleeper = Arc::new(retry::RecordingSleeper::new());
        let client = client_with(transport, sleeper.clone());
        let req = ApiRequest::new(
            http::Method::GET,
            "https://example.amazonaws.com/",
            "svc",
            "us-east-1",
        );
        let resp = client.send(&req).unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(seen.lock().unwrap().len(), 3);
        let waits = sleeper.waits();
        assert_eq!(waits.len(), 2);
        assert!(waits[0] <= Duration::from_millis(10) && waits[1] <= Duration::from_millis(20));
    }

    #[test]
    fn transport_errors_give_up_after_max_attempts() {
        let count = Arc::new(AtomicI64::new(0));
        let c = count.clone();
        let transport = from_fn(move |_, _| {
            c.fetch_add(1, Ordering::Relaxed);
            Err(TransportError::new(TransportErrorKind::Connect, "refused"))
        });
        let client = client_with(transport, Arc::new(retry::RecordingSleeper::new()));
        let req = ApiRequest::new(
            http::Method::GET,
            "https://example.amazonaws.com/",
            "svc",
            "us-east-1",
        );
        let err = client.send(&req).unwrap_err();
        assert!(
            matches!(err, ClientError::Transport { attempts: 3, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("after 3 attempts"));
        assert_eq!(count.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn anonymous_and_unsigned_payload() {
        let creds = Credentials::new("AKIDEXAMPLE", "secret");
        let t = SigningTime::parse_amz_date("20240101T000000Z").unwrap();
        let r = ApiRequest::new(
            http::Method::PUT,
            "https://b.s3.amazonaws.com/a%20b",
            "s3",
            "us-east-1",
        )
        .body(b"data".to_vec())
        .unsigned_payload()
        .sign(Some(&creds), t, None)
        .unwrap();
        assert_eq!(
            r.request.headers()["x-amz-content-sha256"],
            "UNSIGNED-PAYLOAD"
        );
        assert_eq!(r.request.uri().path(), "/a%20b");
        let r = ApiRequest::new(
            http::Method::POST,
            "https://sts.amazonaws.com/",
            "sts",
            "us-east-1",
        )
        .anonymous()
        .sign(None, t, None)
        .unwrap();
        assert!(r.request.headers().get("authorization").is_none());
        assert!(r.canonical_request.is_none());
        let e = ApiRequest::new(
            http::Method::GET,
            "https://x.amazonaws.com/",
            "x",
            "us-east-1",
        )
        .sign(None, t, None)
        .unwrap_err();
        assert!(matches!(e, ClientError::Credentials(_)));
    }

    #[test]
    fn endpoints() {
        assert_eq!(
            aws_endpoint("sts", "eu-west-1").unwrap(),
            "https://sts.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            aws_endpoint("ec2", "cn-north-1").unwrap(),
            "https://ec2.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            aws_endpoint("iam", "eu-west-1").unwrap(),
            "https://iam.amazonaws.com"
        );
        assert!(aws_endpoint("sts", "evil.com/").is_err());
        let c = ServiceConfig::new("us-east-1").with_endpoint_url("http://127.0.0.1:5000/");
        assert_eq!(c.endpoint("sts").unwrap(), "http://127.0.0.1:5000");
        let c = ServiceConfig::new("us-east-1").with_endpoint_url("ftp://x");
        assert!(c.endpoint("sts").is_err());
        assert!(Client::builder().region("bad region").build().is_err());
    }
}
