//! The blocking call driver: [`Caller`] signs each attempt afresh, sends it
//! through the [`Transport`], lets [`RetryState`] decide, corrects the
//! clock once on skew, and parses the result.
//!
//! Credentials are given per call, explicitly ([`Caller::call`]) or as a
//! closure asked at each attempt ([`Caller::call_with`]), so the driver
//! knows nothing of where they come from: the assume-role and web-identity
//! providers run STS calls with it, and the client's `Client` runs every
//! call with it over its credentials provider.
//!
//! ```
//! use std::sync::Arc;
//! use sigv4::api::call::Caller;
//! use sigv4::api::sts::GetCallerIdentity;
//! use sigv4::api::ServiceConfig;
//! use sigv4::transport::from_fn;
//! use sigv4::Credentials;
//!
//! let sts = from_fn(|_request, _options| {
//!     Ok(http::Response::new(b"<GetCallerIdentityResponse><GetCallerIdentityResult>\
//!         <Arn>arn:aws:iam::1:user/a</Arn><UserId>AIDA</UserId><Account>1</Account>\
//!         </GetCallerIdentityResult></GetCallerIdentityResponse>".to_vec()))
//! });
//! let caller = Caller::new(Arc::new(sts));
//! let credentials = Credentials::new("AKIDEXAMPLE", "secret");
//! let me = caller.call(&ServiceConfig::new("eu-west-1"), &GetCallerIdentity, Some(&credentials))?;
//! assert_eq!(me.account, "1");
//! # Ok::<(), sigv4::api::CallError>(())
//! ```

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::retry::{
    Decision, DefaultRandom, RandomSource, RetryPolicy, RetryState, Sleeper, ThreadSleeper,
};
use super::{ApiError, ApiRequest, CallError, Operation, ServiceConfig, Signing};
use crate::sign::{Credentials, SigningKeyCache, SigningTime};
use crate::transport::{RequestOptions, Transport, TransportError};
use crate::util::time::shift;

/// The time source of a [`Caller`].
pub type ClockFn = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// A final response and, when the request was signed, our canonical
/// request and string to sign.
pub(crate) type Sent = (http::Response<Vec<u8>>, Ours);

/// Our canonical request and string to sign, when the request was signed.
pub(crate) type Ours = Option<(String, String)>;

/// How calls are sent, whatever drives them: transport `T`, per-attempt
/// options, retry policy, jitter, waiting `S`, the clock and its
/// correction, a signing key cache. Shared by every call made through it
/// (the clock correction learned by one call serves the next).
///
/// The blocking driver is [`Caller`] (`CallDriver<dyn Transport, dyn
/// Sleeper>`); the async one is `AsyncCaller` (feature `async`). Both run
/// the same decisions ([`RetryState`], the clock correction, parsing); only
/// the sending and the waiting differ.
pub struct CallDriver<T: ?Sized, S: ?Sized> {
    transport: Arc<T>,
    options: RequestOptions,
    retry: RetryPolicy,
    random: Arc<dyn RandomSource>,
    sleeper: Arc<S>,
    clock: ClockFn,
    clock_offset: AtomicI64,
    key_cache: SigningKeyCache,
}

/// The blocking call driver: sign each attempt afresh, send, let
/// [`RetryState`] decide, correct the clock once on skew, parse. See the
/// [module docs](self).
pub type Caller = CallDriver<dyn Transport, dyn Sleeper>;

impl<T: ?Sized, S: ?Sized> fmt::Debug for CallDriver<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Caller")
            .field("options", &self.options)
            .field("retry", &self.retry)
            .field("clock_offset", &self.clock_offset())
            .finish_non_exhaustive()
    }
}

/// What a driver does after an attempt.
pub(crate) enum Next {
    /// The final response.
    Done(Sent),
    /// The call failed.
    Failed(CallError),
    /// Wait, then sign and send again.
    Wait(Duration),
    /// Sign and send again at once (the clock was corrected).
    Again,
}

impl Caller {
    /// Calls over `transport` with the defaults: [`default_request_options`](Self::default_request_options),
    /// [`RetryPolicy::standard`], [`DefaultRandom`], [`ThreadSleeper`],
    /// `SystemTime::now`, no clock correction.
    pub fn new(transport: Arc<dyn Transport>) -> Self {
        CallDriver::with_parts(transport, Arc::new(ThreadSleeper))
    }

    /// Runs `operation` under `config`, signed with `credentials` (`None`
    /// for an unsigned operation such as `AssumeRoleWithWebIdentity`).
    pub fn call<O: Operation + ?Sized>(
        &self,
        config: &ServiceConfig,
        operation: &O,
        credentials: Option<&Credentials>,
    ) -> Result<O::Output, CallError> {
        self.call_with(config, operation, || given(credentials))
    }

    /// Runs `operation` under `config`: build, then sign/send/retry, then
    /// parse. `credentials` is asked before each signed attempt (never for
    /// an unsigned operation); its error ends the call.
    ///
    /// On `SignatureDoesNotMatch`, the error's
    /// [`SignatureMismatch`](super::SignatureMismatch) gets our canonical
    /// request and string to sign beside the server's.
    pub fn call_with<O, E, F>(
        &self,
        config: &ServiceConfig,
        operation: &O,
        credentials: F,
    ) -> Result<O::Output, E>
    where
        O: Operation + ?Sized,
        E: From<CallError>,
        F: FnMut() -> Result<Credentials, E>,
    {
        let request = operation.build(config)?;
        let sent = self.execute(&request, credentials)?;
        Ok(finish(operation, sent)?)
    }

    /// Sends `request` with signing and retries; returns the final response
    /// whatever its status (transport failures that outlast the retries
    /// are errors).
    pub fn send_with<E, F>(
        &self,
        request: &ApiRequest,
        credentials: F,
    ) -> Result<http::Response<Vec<u8>>, E>
    where
        E: From<CallError>,
        F: FnMut() -> Result<Credentials, E>,
    {
        self.execute(request, credentials).map(|(r, _)| r)
    }

    fn execute<E, F>(&self, request: &ApiRequest, mut credentials: F) -> Result<Sent, E>
    where
        E: From<CallError>,
        F: FnMut() -> Result<Credentials, E>,
    {
        let mut state = RetryState::new(&self.retry);
        loop {
            let credentials = match request.signing {
                Signing::Anonymous => None,
                Signing::SigV4 { .. } => Some(credentials()?),
            };
            let (signed, ours) = self.sign_attempt(request, credentials.as_ref())?;
            let result = self.transport.send(signed, &self.options);
            match self.after_attempt(&mut state, request, result, ours) {
                Next::Done(sent) => return Ok(sent),
                Next::Failed(e) => return Err(e.into()),
                Next::Wait(after) => self.sleeper.sleep(after),
                Next::Again => {}
            }
        }
    }
}

/// The credentials given to [`Caller::call`], or the error of a signed
/// request without them.
pub(crate) fn given(credentials: Option<&Credentials>) -> Result<Credentials, CallError> {
    credentials
        .cloned()
        .ok_or_else(|| CallError::invalid("no credentials given for a signed request"))
}

/// Parses the final response of `operation`; on `SignatureDoesNotMatch`
/// adds our canonical request and string to sign to the error.
pub(crate) fn finish<O: Operation + ?Sized>(
    operation: &O,
    (response, ours): Sent,
) -> Result<O::Output, CallError> {
    operation.parse(response).map_err(|e| match e {
        CallError::Api(mut api) => {
            if let (Some(m), Some((creq, sts))) = (api.signature_mismatch.as_mut(), ours) {
                m.our_canonical_request = Some(creq);
                m.our_string_to_sign = Some(sts);
            }
            CallError::Api(api)
        }
        e => e,
    })
}

impl<T: ?Sized, S: ?Sized> CallDriver<T, S> {
    /// Default connect timeout: 3.1 s, as the AWS SDKs.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);
    /// Default read timeout: 60 s.
    pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);
    /// Default largest response body: 256 MiB (S3 objects are read into memory).
    pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 256 * 1024 * 1024;

    /// The default request options: connect 3.1 s, read 60 s, 256 MiB.
    pub fn default_request_options() -> RequestOptions {
        RequestOptions::new()
            .with_connect_timeout(Self::DEFAULT_CONNECT_TIMEOUT)
            .with_read_timeout(Self::DEFAULT_READ_TIMEOUT)
            .with_max_response_bytes(Self::DEFAULT_MAX_RESPONSE_BYTES)
    }

    /// A driver over `transport`, waiting with `sleeper`, with the other
    /// defaults of [`Caller::new`].
    pub fn with_parts(transport: Arc<T>, sleeper: Arc<S>) -> Self {
        CallDriver {
            transport,
            options: Self::default_request_options(),
            retry: RetryPolicy::standard(),
            random: Arc::new(DefaultRandom::new()),
            sleeper,
            clock: Arc::new(SystemTime::now),
            clock_offset: AtomicI64::new(0),
            key_cache: SigningKeyCache::new(),
        }
    }

    /// Timeouts and body limit for each attempt.
    pub fn with_request_options(mut self, options: RequestOptions) -> Self {
        self.options = options;
        self
    }

    /// The retry policy.
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The random source for jitter.
    pub fn with_random_source(mut self, random: Arc<dyn RandomSource>) -> Self {
        self.random = random;
        self
    }

    /// How to wait between attempts.
    pub fn with_sleeper(mut self, sleeper: Arc<S>) -> Self {
        self.sleeper = sleeper;
        self
    }

    /// The clock.
    pub fn with_clock(mut self, clock: ClockFn) -> Self {
        self.clock = clock;
        self
    }

    /// A known clock correction in seconds (server time minus ours).
    pub fn with_clock_offset(self, seconds: i64) -> Self {
        self.set_clock_offset(seconds);
        self
    }

    /// The same settings and current clock correction, with a key cache of
    /// its own.
    pub fn fork(&self) -> Self {
        CallDriver {
            transport: self.transport.clone(),
            options: self.options.clone(),
            retry: self.retry,
            random: self.random.clone(),
            sleeper: self.sleeper.clone(),
            clock: self.clock.clone(),
            clock_offset: AtomicI64::new(self.clock_offset()),
            key_cache: SigningKeyCache::new(),
        }
    }

    /// The transport.
    pub fn transport(&self) -> &Arc<T> {
        &self.transport
    }

    /// The options of each attempt.
    pub fn request_options(&self) -> &RequestOptions {
        &self.options
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The current clock correction, seconds (server time minus ours).
    pub fn clock_offset(&self) -> i64 {
        self.clock_offset.load(Ordering::Relaxed)
    }

    /// Sets the clock correction.
    pub fn set_clock_offset(&self, seconds: i64) {
        self.clock_offset.store(seconds, Ordering::Relaxed);
    }

    /// Our clock with the correction applied.
    pub fn now(&self) -> SystemTime {
        shift((self.clock)(), self.clock_offset())
    }

    #[cfg_attr(not(feature = "async"), allow(dead_code))]
    pub(crate) fn sleeper(&self) -> &Arc<S> {
        &self.sleeper
    }

    /// Signs one attempt of `request` at the corrected time.
    pub(crate) fn sign_attempt(
        &self,
        request: &ApiRequest,
        credentials: Option<&Credentials>,
    ) -> Result<(http::Request<Vec<u8>>, Ours), CallError> {
        let time = SigningTime::from(self.now());
        let signed = request.sign(credentials, time, Some(&self.key_cache))?;
        let ours = signed.canonical_request.zip(signed.string_to_sign);
        Ok((signed.request, ours))
    }

    /// Decides after an attempt of `request` answered `result`; applies a
    /// clock correction itself.
    pub(crate) fn after_attempt(
        &self,
        state: &mut RetryState<'_>,
        request: &ApiRequest,
        result: Result<http::Response<Vec<u8>>, TransportError>,
        ours: Ours,
    ) -> Next {
        let decision = match result {
            Ok(response) if response.status().is_success() => return Next::Done((response, ours)),
            Ok(response) => {
                let error = ApiError::from_response(&response);
                let decision = state.on_response(
                    error.status,
                    &error.code,
                    error.server_time,
                    self.now(),
                    &*self.random,
                );
                if decision == Decision::Stop {
                    return Next::Done((response, ours));
                }
                decision
            }
            Err(e) => {
                let decision = state.on_transport_error(&e, &*self.random);
                if decision == Decision::Stop {
                    return Next::Failed(CallError::Transport {
                        source: e.with_request(request.method.as_str(), &request.url),
                        attempts: state.attempts(),
                    });
                }
                decision
            }
        };
        match decision {
            Decision::Retry { after } => Next::Wait(after),
            Decision::CorrectClock { offset_seconds } => {
                let _ = self
                    .clock_offset
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |o| {
                        Some(o.saturating_add(offset_seconds))
                    });
                Next::Again
            }
            // Stop returned above.
            Decision::Stop => Next::Again,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::retry::RecordingSleeper;
    use crate::sign::names::AUTHORIZATION;
    use crate::transport::{from_fn, TransportError, TransportErrorKind};
    use std::sync::Mutex;

    fn caller(transport: impl Transport + 'static) -> Caller {
        Caller::new(Arc::new(transport))
            .with_retry_policy(RetryPolicy::standard().with_base_delay(Duration::from_millis(1)))
            .with_sleeper(Arc::new(RecordingSleeper::new()))
    }

    #[test]
    fn transport_errors_name_the_request_without_secrets() {
        let transport =
            from_fn(|_, _| Err(TransportError::new(TransportErrorKind::Connect, "refused")));
        let request = ApiRequest::new(
            http::Method::GET,
            "https://b.s3.amazonaws.com/k?versionId=1&X-Amz-Security-Token=SECRETTOKEN&X-Amz-Signature=abc",
            "s3",
            "us-east-1",
        );
        let credentials = Credentials::new("AKIDEXAMPLE", "secret");
        let e: CallError = caller(transport)
            .send_with(&request, || Ok(credentials.clone()))
            .unwrap_err();
        let shown = e.to_string();
        assert_eq!(
            shown,
            "GET https://b.s3.amazonaws.com/k?versionId=1&X-Amz-Security-Token=<redacted>&X-Amz-Signature=<redacted>: \
             connection failed: refused (after 3 attempts)"
        );
        match &e {
            CallError::Transport { source, attempts } => {
                assert_eq!((source.kind(), *attempts), (TransportErrorKind::Connect, 3));
            }
            other => panic!("expected Transport: {other:?}"),
        }
    }

    #[test]
    fn credentials_are_asked_at_each_signed_attempt_only() {
        let seen = Arc::new(Mutex::new(Vec::<bool>::new()));
        let s = seen.clone();
        let transport = from_fn(move |req, _| {
            let mut seen = s.lock().unwrap();
            seen.push(req.headers().contains_key(AUTHORIZATION));
            let status = if seen.len() < 2 { 503 } else { 200 };
            Ok(http::Response::builder()
                .status(status)
                .body(Vec::new())
                .unwrap())
        });
        let caller = caller(transport);
        let asked = std::cell::Cell::new(0);
        let signed = ApiRequest::new(
            http::Method::GET,
            "https://x.amazonaws.com/",
            "x",
            "us-east-1",
        );
        let r: Result<_, CallError> = caller.send_with(&signed, || {
            asked.set(asked.get() + 1);
            Ok(Credentials::new("AKID", "s"))
        });
        assert_eq!(r.unwrap().status(), 200);
        assert_eq!(asked.get(), 2);
        let unsigned = signed.clone().anonymous();
        let r: Result<_, CallError> = caller.send_with(&unsigned, || {
            unreachable!("an unsigned request needs no credentials")
        });
        assert_eq!(r.unwrap().status(), 200);
        assert_eq!(*seen.lock().unwrap(), [true, true, false]);
    }
}
