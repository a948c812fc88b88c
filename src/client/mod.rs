//! A minimal AWS API client (feature `client`): the [`api`](crate::api)
//! layer's operations run with credentials from a provider.
//!
//! Every call is an [`crate::api::Operation`] of the sans-IO
//! [`api`](crate::api) layer, run by its blocking driver
//! ([`crate::api::call::Caller`]): build, get credentials, sign
//! with the current time (plus any clock correction), send, decide, repeat,
//! parse. The [`Client`] adds what a caller should not have to carry: where
//! credentials come from (a [`ProvideCredentials`], by default the AWS
//! CLI's chain, cached), the region and endpoint, and typed methods
//! ([`sts`], [`s3_objects`], [`query_protocol`]).
//!
//! | concern | file |
//! | --- | --- |
//! | the client and its shared state | `mod.rs` ([`Client`]) |
//! | building one | [`builder`] ([`ClientBuilder`]) |
//! | what a call ends with | [`error`] ([`ClientError`]) |
//! | STS, S3 objects, query-protocol methods | [`sts`], [`s3_objects`], [`query_protocol`] |
//! | the async client and its builder (feature `async`) | `async_client` (`AsyncClient`), `async_builder` (`AsyncClientBuilder`) |
//!
//! ```
//! use std::sync::Arc;
//! use sigv4::{Client, Credentials};
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
//!     .credentials(Credentials::new("AKIDEXAMPLE", "secret"))
//!     .region("eu-west-1")
//!     .build()?;
//! let me = client.get_caller_identity()?;
//! assert_eq!(me.account, "123456789012");
//! # Ok::<(), sigv4::client::ClientError>(())
//! ```
//!

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use crate::api::call::Caller;
use crate::api::{ApiRequest, Operation, ServiceConfig};
use crate::credentials::sts_settings::StsSettings;
use crate::credentials::ProvideCredentials;
use crate::transport::Transport;

#[cfg(feature = "async")]
pub mod async_builder;
#[cfg(feature = "async")]
pub mod async_client;
pub mod builder;
pub mod error;
pub mod query_protocol;
pub mod s3_multipart;
pub mod s3_objects;
pub mod sts;

#[cfg(feature = "async")]
pub use async_builder::AsyncClientBuilder;
#[cfg(feature = "async")]
pub use async_client::AsyncClient;
pub use builder::ClientBuilder;
pub use error::ClientError;

pub use crate::api::{ApiError, RetryPolicy, SignatureMismatch};

struct Inner {
    caller: Caller,
    credentials: Arc<dyn ProvideCredentials>,
    config: ServiceConfig,
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
            .field("caller", &self.inner.caller)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder with the defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    fn from_parts(
        caller: Caller,
        credentials: Arc<dyn ProvideCredentials>,
        config: ServiceConfig,
    ) -> Client {
        Client {
            inner: Arc::new(Inner {
                caller,
                credentials,
                config,
            }),
        }
    }

    /// The region, endpoint override and service switches.
    pub fn config(&self) -> &ServiceConfig {
        &self.inner.config
    }

    /// The region.
    pub fn region(&self) -> &str {
        &self.inner.config.region
    }

    /// The call driver: transport, retry policy, clock and its correction.
    pub fn caller(&self) -> &Caller {
        &self.inner.caller
    }

    /// The current clock correction, seconds (server time minus ours).
    pub fn clock_offset(&self) -> i64 {
        self.inner.caller.clock_offset()
    }

    /// Sets the clock correction.
    pub fn set_clock_offset(&self, seconds: i64) {
        self.inner.caller.set_clock_offset(seconds);
    }

    /// Our clock with the correction applied.
    pub fn now(&self) -> SystemTime {
        self.inner.caller.now()
    }

    /// The same client (transport, settings, clock correction) with other
    /// credentials: a [`Credentials`](crate::Credentials) value, any
    /// provider, or a shared `Arc<dyn ProvideCredentials>`.
    pub fn with_credentials(&self, credentials: impl ProvideCredentials + 'static) -> Client {
        Client::from_parts(
            self.inner.caller.fork(),
            Arc::new(credentials),
            self.inner.config.clone(),
        )
    }

    /// The same client in another region.
    pub fn with_region(&self, region: impl Into<String>) -> Result<Client, ClientError> {
        let config = ServiceConfig {
            region: region.into(),
            ..self.inner.config.clone()
        };
        crate::api::endpoint::check_region(&config.region)?;
        Ok(Client::from_parts(
            self.inner.caller.fork(),
            self.inner.credentials.clone(),
            config,
        ))
    }

    /// The transport.
    pub fn transport(&self) -> &Arc<dyn Transport> {
        self.inner.caller.transport()
    }

    /// How the credential providers that call STS (assume-role, web
    /// identity) should reach it to match this client: its transport,
    /// region and endpoint override.
    pub fn sts_settings(&self) -> StsSettings {
        let mut settings = StsSettings::new(self.transport().clone()).region(self.region());
        if let Some(url) = self.inner.config.endpoint_url_for("STS") {
            settings = settings.endpoint_url(url);
        }
        settings
    }

    /// Runs `operation`: build, then sign/send/retry, then parse.
    pub fn call<O: Operation + ?Sized>(&self, operation: &O) -> Result<O::Output, ClientError> {
        self.inner
            .caller
            .call_with(&self.inner.config, operation, || {
                Ok(self.inner.credentials.provide()?)
            })
    }

    /// Sends `request` with signing and retries; returns the final response
    /// whatever its status (transport failures that outlast the retries
    /// are errors).
    pub fn send(&self, request: &ApiRequest) -> Result<http::Response<Vec<u8>>, ClientError> {
        self.inner
            .caller
            .send_with(request, || Ok(self.inner.credentials.provide()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::retry;
    use crate::api::ApiRequest;
    use crate::api::RetryPolicy;
    use crate::credentials::static_provider::StaticProvider;
    use crate::sign::names::AUTHORIZATION;
    use crate::transport::{from_fn, TransportError, TransportErrorKind};
    use crate::Credentials;
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::sync::Mutex;
    use std::time::Duration;

    fn client_with(
        transport: impl Transport + 'static,
        sleeper: Arc<retry::RecordingSleeper>,
    ) -> Client {
        Client::builder()
            .transport(Arc::new(transport))
            .credentials(StaticProvider::new(Credentials::new(
                "AKIDEXAMPLE",
                "secret",
            )))
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
            seen.push(req.headers()[AUTHORIZATION].to_str().unwrap().to_owned());
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
    fn invalid_regions_and_endpoints_fail_at_build() {
        assert!(Client::builder().region("bad region").build().is_err());
        let e = Client::builder()
            .transport(Arc::new(from_fn(|_, _| unreachable!())))
            .credentials(Credentials::new("AKID", "s"))
            .region("us-east-1")
            .endpoint_url("127.0.0.1:5055")
            .build()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid request: invalid endpoint URL \"127.0.0.1:5055\": expected http(s)://host[:port]"
        );
    }

    #[test]
    fn static_credentials_and_shared_providers_both_work() {
        let transport = Arc::new(from_fn(|req, _| {
            let auth = req.headers()[AUTHORIZATION].to_str().unwrap().to_owned();
            Ok(http::Response::new(auth.into_bytes()))
        }));
        let send = |client: &Client| {
            let r = ApiRequest::new(
                http::Method::GET,
                "https://x.amazonaws.com/",
                "x",
                "us-east-1",
            );
            String::from_utf8(client.send(&r).unwrap().into_body()).unwrap()
        };
        let direct = Client::builder()
            .transport(transport.clone())
            .credentials(Credentials::new("AKIDDIRECT", "s"))
            .region("us-east-1")
            .build()
            .unwrap();
        assert!(send(&direct).contains("Credential=AKIDDIRECT/"));
        let shared: Arc<dyn ProvideCredentials> = Arc::new(Credentials::new("AKIDSHARED", "s"));
        let other = direct.with_credentials(shared);
        assert!(send(&other).contains("Credential=AKIDSHARED/"));
    }
}
