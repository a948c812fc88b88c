//! Retries: what to retry, how long to wait, and clock-skew correction.
//!
//! [`RetryPolicy`] is exponential backoff with full jitter: before retry
//! `n` (0 for the first retry) the client sleeps a uniformly random time in
//! `[0, min(max_backoff, base_delay * 2^n)]`. The defaults are the AWS
//! SDKs' "standard" retry mode: 3 attempts in all, a 1 s base, a 20 s cap.
//!
//! What is retried ([`classify_response`], [`classify_transport`]):
//!
//! - transient failures: 5xx statuses (but `501 Not Implemented`), and
//!   transport failures of kind connect, connect timeout, timeout and I/O
//!   (a broken connection);
//! - throttling: status 429 and the codes in [`THROTTLING_CODES`], whatever
//!   the status;
//! - clock skew: the codes in [`CLOCK_SKEW_CODES`] (and a signature error
//!   while the server's `Date` is more than 4 minutes from ours): the
//!   client's clock offset is set from the response's `Date` header and the
//!   request is signed again, once per call, at once and without using up
//!   an attempt;
//! - nothing else (in particular no other 4xx).
//!
//! [`RetryState`] is the decision loop as a value, so a caller with its own
//! (async) client can drive it; the blocking driver [`Caller`](super::call::Caller)
//! uses it too.
//! Randomness and sleeping are behind [`RandomSource`] and [`Sleeper`], so
//! tests can check delays without waiting.
//!
//! ```
//! use std::time::Duration;
//! use sigv4::api::retry::{Decision, RetryPolicy, RetryState, SequenceRandom};
//!
//! let policy = RetryPolicy::standard().with_base_delay(Duration::from_millis(100));
//! let random = SequenceRandom::new([u64::MAX]); // always the longest delay
//! let mut state = RetryState::new(&policy);
//! let now = std::time::SystemTime::now();
//! assert_eq!(state.on_response(503, "ServiceUnavailable", None, now, &random),
//!            Decision::Retry { after: Duration::from_millis(100) });
//! assert!(matches!(state.on_response(429, "TooManyRequests", None, now, &random),
//!            Decision::Retry { after } if after <= Duration::from_millis(200)));
//! assert_eq!(state.on_response(503, "ServiceUnavailable", None, now, &random), Decision::Stop);
//! assert_eq!(state.attempts(), 3);
//! ```

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use crate::transport::{TransportError, TransportErrorKind};
use crate::util::time::seconds_between;

/// Error codes that mean "slow down", retried whatever the status.
pub const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
    "BandwidthLimitExceeded",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
    "RequestThrottled",
];

/// Error codes that mean "your clock is off": corrected once per call.
pub const CLOCK_SKEW_CODES: &[&str] = &[
    "RequestTimeTooSkewed",
    "SignatureExpired",
    "RequestExpired",
    "RequestInTheFuture",
];

/// Signature errors that are treated as clock skew when the server's clock
/// differs from ours by more than [`SKEW_THRESHOLD`].
const SKEW_SUSPECT_CODES: &[&str] = &[
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "AuthFailure",
];

/// A server clock further than this from ours makes a signature error look
/// like clock skew.
pub const SKEW_THRESHOLD: Duration = Duration::from_secs(240);

/// Why a failure may be retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryKind {
    /// A server or network failure that may not happen again.
    Transient,
    /// The service asked to slow down.
    Throttling,
    /// The signature was refused because our clock is off.
    ClockSkew,
    /// Retrying would give the same answer.
    NotRetryable,
}

/// Classifies an error response by status and error code.
pub fn classify_response(status: u16, code: &str) -> RetryKind {
    if CLOCK_SKEW_CODES.contains(&code) {
        RetryKind::ClockSkew
    } else if status == 429 || THROTTLING_CODES.contains(&code) {
        RetryKind::Throttling
    } else if status >= 500 && status != 501 && status < 600 {
        RetryKind::Transient
    } else {
        RetryKind::NotRetryable
    }
}

/// Classifies a transport failure: connection failures, timeouts and
/// broken connections are transient; an invalid request is not.
pub fn classify_transport(error: &TransportError) -> RetryKind {
    match error.kind() {
        TransportErrorKind::Connect
        | TransportErrorKind::ConnectTimeout
        | TransportErrorKind::Timeout
        | TransportErrorKind::Io => RetryKind::Transient,
        _ => RetryKind::NotRetryable,
    }
}

/// How many attempts, and how long to wait between them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1).
    pub max_attempts: u32,
    /// The backoff base: retry `n` waits at most `base_delay * 2^n`.
    pub base_delay: Duration,
    /// The longest wait between two attempts.
    pub max_backoff: Duration,
}

impl RetryPolicy {
    /// The SDKs' standard mode: 3 attempts, 1 s base, 20 s cap.
    pub const fn standard() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
        }
    }

    /// One attempt, no retry (clock skew is still corrected once).
    pub const fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::standard()
        }
    }

    /// Sets the number of attempts (0 is taken as 1).
    pub const fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = if attempts == 0 { 1 } else { attempts };
        self
    }

    /// Sets the backoff base.
    pub const fn with_base_delay(mut self, base: Duration) -> Self {
        self.base_delay = base;
        self
    }

    /// Sets the longest wait.
    pub const fn with_max_backoff(mut self, cap: Duration) -> Self {
        self.max_backoff = cap;
        self
    }

    /// The upper bound of the wait before retry `retry` (0-based):
    /// `min(max_backoff, base_delay * 2^retry)`.
    pub fn max_delay(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX);
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(Duration::MAX)
            .min(self.max_backoff)
    }

    /// A wait before retry `retry`, uniform in `[0, max_delay(retry)]`.
    pub fn delay(&self, retry: u32, random: &dyn RandomSource) -> Duration {
        let max = self.max_delay(retry);
        // 53 random bits: a fraction in [0, 1].
        let fraction = (random.next_u64() >> 11) as f64 / ((1u64 << 53) - 1) as f64;
        Duration::try_from_secs_f64(max.as_secs_f64() * fraction.clamp(0.0, 1.0))
            .unwrap_or(max)
            .min(max)
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::standard()
    }
}

/// A source of uniformly distributed random numbers, for jitter.
pub trait RandomSource: Send + Sync {
    /// A uniformly random `u64`.
    fn next_u64(&self) -> u64;
}

/// The default [`RandomSource`]: the standard library's randomly seeded
/// SipHash over a counter (no `rand` dependency; fine for jitter, not for
/// cryptography).
#[derive(Debug, Default)]
pub struct DefaultRandom {
    state: RandomState,
    counter: AtomicU64,
}

impl DefaultRandom {
    /// A source with a fresh random seed.
    pub fn new() -> Self {
        Self::default()
    }
}

impl RandomSource for DefaultRandom {
    fn next_u64(&self) -> u64 {
        let mut h = self.state.build_hasher();
        h.write_u64(self.counter.fetch_add(1, Ordering::Relaxed));
        h.finish()
    }
}

/// A [`RandomSource`] repeating a fixed sequence (for tests).
#[derive(Debug)]
pub struct SequenceRandom {
    values: Vec<u64>,
    next: AtomicU64,
}

impl SequenceRandom {
    /// Yields `values` in turn, cycling (an empty sequence yields 0).
    pub fn new(values: impl IntoIterator<Item = u64>) -> Self {
        SequenceRandom {
            values: values.into_iter().collect(),
            next: AtomicU64::new(0),
        }
    }
}

impl RandomSource for SequenceRandom {
    fn next_u64(&self) -> u64 {
        if self.values.is_empty() {
            return 0;
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed) as usize % self.values.len();
        self.values[i]
    }
}

/// Waits between attempts.
pub trait Sleeper: Send + Sync {
    /// Blocks for `duration`.
    fn sleep(&self, duration: Duration);
}

/// The default [`Sleeper`]: `std::thread::sleep`.
#[derive(Clone, Copy, Debug, Default)]
pub struct ThreadSleeper;

impl Sleeper for ThreadSleeper {
    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// A [`Sleeper`] that only records the requested waits (for tests).
#[derive(Debug, Default)]
pub struct RecordingSleeper {
    waits: Mutex<Vec<Duration>>,
}

impl RecordingSleeper {
    /// An empty record.
    pub fn new() -> Self {
        Self::default()
    }

    /// The waits requested so far.
    pub fn waits(&self) -> Vec<Duration> {
        self.waits.lock().map(|w| w.clone()).unwrap_or_default()
    }
}

impl Sleeper for RecordingSleeper {
    fn sleep(&self, duration: Duration) {
        if let Ok(mut w) = self.waits.lock() {
            w.push(duration);
        }
    }
}

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Sign the request again and send it after waiting `after`.
    Retry {
        /// How long to wait first.
        after: Duration,
    },
    /// Add `offset_seconds` to the local clock (server time minus ours),
    /// sign again and send at once.
    CorrectClock {
        /// Server time minus local time, in seconds.
        offset_seconds: i64,
    },
    /// Give up: return this failure.
    Stop,
}

/// The retry decisions of one call, as a value.
///
/// Create one per call, report each failed attempt, and follow the
/// [`Decision`]. Successful responses need no report.
#[derive(Debug)]
pub struct RetryState<'a> {
    policy: &'a RetryPolicy,
    attempts: u32,
    retries: u32,
    skew_corrected: bool,
}

impl<'a> RetryState<'a> {
    /// The state before the first attempt.
    pub fn new(policy: &'a RetryPolicy) -> Self {
        RetryState {
            policy,
            attempts: 0,
            retries: 0,
            skew_corrected: false,
        }
    }

    /// Attempts reported so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    fn retry(&mut self, random: &dyn RandomSource) -> Decision {
        if self.retries + 1 >= self.policy.max_attempts.max(1) {
            return Decision::Stop;
        }
        let after = self.policy.delay(self.retries, random);
        self.retries += 1;
        Decision::Retry { after }
    }

    /// Reports an attempt that got no response.
    pub fn on_transport_error(
        &mut self,
        error: &TransportError,
        random: &dyn RandomSource,
    ) -> Decision {
        self.attempts += 1;
        match classify_transport(error) {
            RetryKind::NotRetryable => Decision::Stop,
            _ => self.retry(random),
        }
    }

    /// Reports an attempt answered with error `code` and `status`;
    /// `server_time` is the response's `Date`, `local_now` our clock (with
    /// any offset already applied) when the response arrived.
    pub fn on_response(
        &mut self,
        status: u16,
        code: &str,
        server_time: Option<SystemTime>,
        local_now: SystemTime,
        random: &dyn RandomSource,
    ) -> Decision {
        self.attempts += 1;
        let offset = server_time.map(|server| seconds_between(server, local_now));
        let mut kind = classify_response(status, code);
        if kind == RetryKind::NotRetryable
            && SKEW_SUSPECT_CODES.contains(&code)
            && offset.is_some_and(|o| o.unsigned_abs() > SKEW_THRESHOLD.as_secs())
        {
            kind = RetryKind::ClockSkew;
        }
        match kind {
            RetryKind::ClockSkew => match offset {
                Some(offset_seconds) if !self.skew_corrected => {
                    self.skew_corrected = true;
                    Decision::CorrectClock { offset_seconds }
                }
                _ => Decision::Stop,
            },
            RetryKind::Transient | RetryKind::Throttling => self.retry(random),
            RetryKind::NotRetryable => Decision::Stop,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert_eq!(
            classify_response(503, "ServiceUnavailable"),
            RetryKind::Transient
        );
        assert_eq!(
            classify_response(500, "InternalError"),
            RetryKind::Transient
        );
        assert_eq!(
            classify_response(501, "NotImplemented"),
            RetryKind::NotRetryable
        );
        assert_eq!(classify_response(429, "Whatever"), RetryKind::Throttling);
        for code in THROTTLING_CODES {
            assert_eq!(classify_response(400, code), RetryKind::Throttling);
        }
        assert_eq!(classify_response(503, "SlowDown"), RetryKind::Throttling);
        assert_eq!(
            classify_response(403, "RequestTimeTooSkewed"),
            RetryKind::ClockSkew
        );
        for (status, code) in [
            (400, "ValidationError"),
            (403, "AccessDenied"),
            (404, "NoSuchKey"),
            (409, "Conflict"),
        ] {
            assert_eq!(classify_response(status, code), RetryKind::NotRetryable);
        }
        let t = |k| classify_transport(&TransportError::new(k, ""));
        assert_eq!(t(TransportErrorKind::Connect), RetryKind::Transient);
        assert_eq!(t(TransportErrorKind::Timeout), RetryKind::Transient);
        assert_eq!(t(TransportErrorKind::Io), RetryKind::Transient);
        assert_eq!(
            t(TransportErrorKind::InvalidRequest),
            RetryKind::NotRetryable
        );
    }

    #[test]
    fn delays_stay_within_full_jitter_bounds() {
        let policy = RetryPolicy::standard();
        assert_eq!(policy.max_delay(0), Duration::from_secs(1));
        assert_eq!(policy.max_delay(3), Duration::from_secs(8));
        assert_eq!(policy.max_delay(5), Duration::from_secs(20));
        assert_eq!(policy.max_delay(400), Duration::from_secs(20));
        let random = DefaultRandom::new();
        let mut max_seen = [Duration::ZERO; 8];
        for _ in 0..2000 {
            for (retry, seen) in max_seen.iter_mut().enumerate() {
                let d = policy.delay(retry as u32, &random);
                assert!(d <= policy.max_delay(retry as u32), "{d:?}");
                *seen = (*seen).max(d);
            }
        }
        // With 2000 draws the largest is close to the bound: jitter covers the range.
        for (retry, seen) in max_seen.iter().enumerate() {
            assert!(*seen >= policy.max_delay(retry as u32).mul_f64(0.9));
        }
        assert_eq!(policy.delay(2, &SequenceRandom::new([0])), Duration::ZERO);
        assert_eq!(
            policy.delay(2, &SequenceRandom::new([u64::MAX])),
            Duration::from_secs(4)
        );
        let huge = RetryPolicy::standard()
            .with_base_delay(Duration::MAX)
            .with_max_backoff(Duration::from_secs(7));
        assert_eq!(huge.max_delay(60), Duration::from_secs(7));
        let unbounded = RetryPolicy::standard()
            .with_base_delay(Duration::MAX)
            .with_max_backoff(Duration::MAX);
        assert!(unbounded.delay(3, &SequenceRandom::new([u64::MAX])) <= Duration::MAX);
    }

    #[test]
    fn state_counts_attempts_and_corrects_skew_once() {
        let policy = RetryPolicy::standard().with_max_attempts(2);
        let random = SequenceRandom::new([u64::MAX]);
        let now = SystemTime::now();
        let later = now + Duration::from_secs(900);
        let mut s = RetryState::new(&policy);
        assert_eq!(
            s.on_response(403, "RequestTimeTooSkewed", Some(later), now, &random),
            Decision::CorrectClock {
                offset_seconds: 900
            }
        );
        assert_eq!(
            s.on_response(403, "RequestTimeTooSkewed", Some(later), now, &random),
            Decision::Stop
        );
        let mut s = RetryState::new(&policy);
        assert_eq!(
            s.on_response(403, "RequestTimeTooSkewed", None, now, &random),
            Decision::Stop
        );
        let mut s = RetryState::new(&policy);
        assert_eq!(
            s.on_response(403, "SignatureDoesNotMatch", Some(now), now, &random),
            Decision::Stop
        );
        let mut s = RetryState::new(&policy);
        assert_eq!(
            s.on_response(
                403,
                "SignatureDoesNotMatch",
                Some(now - Duration::from_secs(600)),
                now,
                &random
            ),
            Decision::CorrectClock {
                offset_seconds: -600
            }
        );
        let mut s = RetryState::new(&policy);
        let e = TransportError::new(TransportErrorKind::Io, "reset");
        assert_eq!(
            s.on_transport_error(&e, &random),
            Decision::Retry {
                after: Duration::from_secs(1)
            }
        );
        assert_eq!(s.on_transport_error(&e, &random), Decision::Stop);
        assert_eq!(s.attempts(), 2);
        let mut s = RetryState::new(&policy);
        assert_eq!(
            s.on_response(400, "ValidationError", None, now, &random),
            Decision::Stop
        );
        let none = RetryPolicy::none();
        let mut s = RetryState::new(&none);
        assert_eq!(s.on_response(503, "x", None, now, &random), Decision::Stop);
    }

    #[test]
    fn recording_sleeper() {
        let s = RecordingSleeper::new();
        s.sleep(Duration::from_millis(3));
        assert_eq!(s.waits(), vec![Duration::from_millis(3)]);
    }
}
