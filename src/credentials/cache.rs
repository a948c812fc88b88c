//! A caching wrapper for any provider.
//!
//! [`CachedProvider`] keeps the last credentials and refreshes them a
//! while before they expire (5 minutes by default):
//!
//! - credentials without an expiry are kept for good;
//! - one caller refreshes at a time: while it does, others get the cached
//!   credentials if they have not expired yet, else wait for the refresh
//!   and share its result;
//! - if a refresh fails while the cached credentials are still valid,
//!   they keep being served (with a warning), and the refresh is tried
//!   again at most every 10 seconds;
//! - right after a refresh, the next one is at least 10 seconds away (so
//!   short-lived credentials do not make every call a fetch), but never
//!   after the credentials expire.

use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use super::{Credentials, CredentialsError, ProvideCredentials};
use crate::util::time::format_rfc3339;

/// Shortest time between two refreshes, unless the credentials expire
/// sooner.
const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(10);

type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

struct State {
    cached: Option<Credentials>,
    /// When to refresh; `None`: never (no expiry).
    refresh_at: Option<SystemTime>,
    refreshing: bool,
    /// Completed refreshes.
    generation: u64,
    /// The error of the refresh that completed `generation`, if it failed.
    last_error: Option<(u64, CredentialsError)>,
}

/// Caches what `P` provides; see the [module docs](self).
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::time::{Duration, SystemTime};
/// use sigv4::credentials::cache::CachedProvider;
/// use sigv4::credentials::{Credentials, CredentialsError, ProvideCredentials};
///
/// struct Counting(AtomicUsize);
/// impl ProvideCredentials for Counting {
///     fn provide(&self) -> Result<Credentials, CredentialsError> {
///         self.0.fetch_add(1, Ordering::SeqCst);
///         Ok(Credentials::new("AKID", "secret")
///             .with_expiry(SystemTime::now() + Duration::from_secs(3600)))
///     }
/// }
/// let cached = CachedProvider::new(Counting(AtomicUsize::new(0)));
/// cached.provide()?;
/// cached.provide()?;
/// assert_eq!(cached.inner().0.load(Ordering::SeqCst), 1);
/// # Ok::<(), CredentialsError>(())
/// ```
pub struct CachedProvider<P> {
    inner: P,
    refresh_ahead: Duration,
    clock: Clock,
    state: Mutex<State>,
    refreshed: Condvar,
}

impl<P: fmt::Debug> fmt::Debug for CachedProvider<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedProvider")
            .field("inner", &self.inner)
            .field("refresh_ahead", &self.refresh_ahead)
            .finish_non_exhaustive()
    }
}

impl<P> CachedProvider<P> {
    /// Default time before expiry at which credentials are refreshed.
    pub const DEFAULT_REFRESH_AHEAD: Duration = Duration::from_secs(5 * 60);

    /// Caches `inner`, refreshing 5 minutes before expiry.
    pub fn new(inner: P) -> Self {
        CachedProvider {
            inner,
            refresh_ahead: Self::DEFAULT_REFRESH_AHEAD,
            clock: Arc::new(SystemTime::now),
            state: Mutex::new(State {
                cached: None,
                refresh_at: None,
                refreshing: false,
                generation: 0,
                last_error: None,
            }),
            refreshed: Condvar::new(),
        }
    }

    /// Refreshes `ahead` before expiry instead.
    pub fn with_refresh_ahead(mut self, ahead: Duration) -> Self {
        self.refresh_ahead = ahead;
        self
    }

    /// Uses `clock` instead of [`SystemTime::now`] (for tests).
    pub fn with_clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The wrapped provider.
    pub fn inner(&self) -> &P {
        &self.inner
    }

    /// Forgets the cached credentials: the next call fetches.
    pub fn invalidate(&self) {
        let mut state = self.lock();
        state.cached = None;
        state.refresh_at = None;
    }

    /// The cached credentials, if any (valid or not), without fetching.
    pub fn cached(&self) -> Option<Credentials> {
        self.lock().cached.clone()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// When to refresh `credentials` fetched at `now`, `ahead` of their expiry
/// (`None`: never). Shared with the async cache.
pub(crate) fn refresh_at(
    credentials: &Credentials,
    now: SystemTime,
    ahead: Duration,
) -> Option<SystemTime> {
    let expires = credentials.expires_at()?;
    let ahead = expires.checked_sub(ahead).unwrap_or(SystemTime::UNIX_EPOCH);
    let soonest = (now + MIN_REFRESH_INTERVAL).min(expires);
    Some(ahead.max(soonest))
}

/// What a cache serves at `now` without refreshing: the cached
/// credentials if they have not expired, and whether a refresh is due.
/// Shared with the async cache.
pub(crate) fn usable(
    cached: Option<&Credentials>,
    refresh_at: Option<SystemTime>,
    now: SystemTime,
) -> (Option<Credentials>, bool) {
    let usable = cached.filter(|c| !c.is_expired_at(now)).cloned();
    let due = match refresh_at {
        Some(at) => now >= at,
        None => usable.is_none(),
    };
    (usable, due)
}

/// After a failed refresh at `now`: the still-valid cached credentials to
/// serve instead, when to try again, and the warning to give. Shared with
/// the async cache.
pub(crate) fn fallback_after_failure(
    cached: Option<&Credentials>,
    error: &CredentialsError,
    now: SystemTime,
) -> Option<(Credentials, SystemTime, String)> {
    let cached = cached.filter(|c| !c.is_expired_at(now))?.clone();
    let retry = (now + MIN_REFRESH_INTERVAL).min(cached.expires_at().unwrap_or(now));
    let warning = format!(
        "refresh failed ({error}); still using the cached credentials{}",
        cached
            .expires_at()
            .map(|at| format!(", which expire at {}", format_rfc3339(at)))
            .unwrap_or_default()
    );
    Some((cached, retry, warning))
}

/// Resets `refreshing` even if the inner provider panics.
struct RefreshGuard<'a, P> {
    cache: &'a CachedProvider<P>,
    armed: bool,
}

impl<P> Drop for RefreshGuard<'_, P> {
    fn drop(&mut self) {
        if self.armed {
            let mut state = self.cache.lock();
            state.refreshing = false;
            state.generation += 1;
            self.cache.refreshed.notify_all();
        }
    }
}

impl<P: ProvideCredentials> ProvideCredentials for CachedProvider<P> {
    fn provide_with_warnings(
        &self,
        warnings: &mut Vec<String>,
    ) -> Result<Credentials, CredentialsError> {
        let mut state = self.lock();
        loop {
            let now = (self.clock)();
            let (usable, due) = usable(state.cached.as_ref(), state.refresh_at, now);
            if let Some(cached) = &usable {
                if !due {
                    return Ok(cached.clone());
                }
            }
            if !state.refreshing {
                break;
            }
            // Someone else is refreshing: serve what is still valid, or wait.
            if let Some(cached) = usable {
                return Ok(cached);
            }
            let generation = state.generation;
            while state.refreshing && state.generation == generation {
                state = self
                    .refreshed
                    .wait_timeout(state, Duration::from_secs(1))
                    .map(|(guard, _)| guard)
                    .unwrap_or_else(|p| p.into_inner().0);
            }
            if let Some((g, error)) = &state.last_error {
                let now = (self.clock)();
                let valid = matches!(&state.cached, Some(c) if !c.is_expired_at(now));
                if *g == state.generation && !valid {
                    return Err(error.clone());
                }
            }
        }

        state.refreshing = true;
        drop(state);
        let mut guard = RefreshGuard {
            cache: self,
            armed: true,
        };
        let mut inner_warnings = Vec::new();
        let result = self.inner.provide_with_warnings(&mut inner_warnings);
        guard.armed = false;
        let mut state = self.lock();
        state.refreshing = false;
        state.generation += 1;
        let generation = state.generation;
        let now = (self.clock)();
        let outcome = match result {
            Ok(credentials) => {
                state.refresh_at = refresh_at(&credentials, now, self.refresh_ahead);
                state.cached = Some(credentials.clone());
                state.last_error = None;
                warnings.append(&mut inner_warnings);
                Ok(credentials)
            }
            Err(error) => {
                state.last_error = Some((generation, error.clone()));
                match fallback_after_failure(state.cached.as_ref(), &error, now) {
                    Some((cached, retry, warning)) => {
                        state.refresh_at = Some(retry);
                        warnings.append(&mut inner_warnings);
                        warnings.push(warning);
                        Ok(cached)
                    }
                    None => Err(error),
                }
            }
        };
        self.refreshed.notify_all();
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
    use std::sync::mpsc;

    /// How long a test waits for another thread before it fails (it never
    /// needs that long; the bound only turns a bug into a failure instead
    /// of a hang).
    const PATIENCE: Duration = Duration::from_secs(10);

    /// Holds calls of the inner provider inside `provide` until the test
    /// lets them go, and tells the test when one has come in. With it a
    /// test knows a refresh is in progress instead of hoping so.
    struct Gate {
        entered: Mutex<mpsc::Sender<()>>,
        release: Mutex<mpsc::Receiver<()>>,
    }

    /// The test's side of a [`Gate`] and of the clock.
    struct Probe {
        /// A message each time the inner provider is entered.
        entered: mpsc::Receiver<()>,
        /// Each message lets one call of the inner provider finish.
        release: mpsc::Sender<()>,
        /// A message each time the cache reads its clock.
        clock_reads: mpsc::Receiver<()>,
    }

    impl Probe {
        fn await_entered(&self) {
            self.entered
                .recv_timeout(PATIENCE)
                .expect("the inner provider was not called");
        }

        /// Waits for `n` clock reads. The cache reads the clock under its
        /// lock at the top of its loop; a caller that finds a refresh in
        /// progress and nothing valid cached then waits on the condition
        /// variable, which releases the lock in the same step. So once a
        /// caller's read is seen, the refresher cannot announce its result
        /// before that caller waits for it.
        fn await_clock_reads(&self, n: usize) {
            for i in 0..n {
                self.clock_reads
                    .recv_timeout(PATIENCE)
                    .unwrap_or_else(|_| panic!("only {i} of {n} clock reads"));
            }
        }

        /// Forgets clock reads seen so far.
        fn drain_clock_reads(&self) {
            while self.clock_reads.try_recv().is_ok() {}
        }
    }

    /// A provider whose answers expire `lifetime` after the fake clock's
    /// current time, and which can be made to fail or be held.
    struct Fake {
        calls: AtomicUsize,
        now: Arc<AtomicU64>,
        lifetime: u64,
        fail: AtomicBool,
        gate: Option<Gate>,
    }

    impl ProvideCredentials for Fake {
        fn provide(&self) -> Result<Credentials, CredentialsError> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            if let Some(gate) = &self.gate {
                let _ = gate.entered.lock().unwrap().send(());
                gate.release
                    .lock()
                    .unwrap()
                    .recv_timeout(PATIENCE)
                    .expect("the test did not release the provider");
            }
            if self.fail.load(Ordering::SeqCst) {
                return Err(CredentialsError::provider_failed("fake", "down"));
            }
            let now = SystemTime::UNIX_EPOCH + Duration::from_secs(self.now.load(Ordering::SeqCst));
            Ok(Credentials::new(format!("AKID{n}"), "s")
                .with_expiry(now + Duration::from_secs(self.lifetime)))
        }
    }

    /// The fake clock's start, in seconds since 1970.
    const START: u64 = 1_000_000;

    fn build(lifetime: u64, gate: Option<Gate>) -> (CachedProvider<Fake>, Arc<AtomicU64>) {
        let now = Arc::new(AtomicU64::new(START));
        let fake = Fake {
            calls: AtomicUsize::new(0),
            now: now.clone(),
            lifetime,
            fail: AtomicBool::new(false),
            gate,
        };
        (CachedProvider::new(fake), now)
    }

    fn setup(lifetime: u64) -> (Arc<CachedProvider<Fake>>, Arc<AtomicU64>) {
        let (cached, now) = build(lifetime, None);
        let clock_now = now.clone();
        let cached = cached.with_clock(move || {
            SystemTime::UNIX_EPOCH + Duration::from_secs(clock_now.load(Ordering::SeqCst))
        });
        (Arc::new(cached), now)
    }

    /// [`setup`] with the inner provider held at a [`Gate`], and the clock
    /// reads reported.
    fn setup_gated(lifetime: u64) -> (Arc<CachedProvider<Fake>>, Arc<AtomicU64>, Probe) {
        let (entered_tx, entered) = mpsc::channel();
        let (release, release_rx) = mpsc::channel();
        let (reads_tx, clock_reads) = mpsc::channel();
        let gate = Gate {
            entered: Mutex::new(entered_tx),
            release: Mutex::new(release_rx),
        };
        let (cached, now) = build(lifetime, Some(gate));
        let clock_now = now.clone();
        let reads_tx = Mutex::new(reads_tx);
        let cached = cached.with_clock(move || {
            let _ = reads_tx.lock().unwrap().send(());
            SystemTime::UNIX_EPOCH + Duration::from_secs(clock_now.load(Ordering::SeqCst))
        });
        let probe = Probe {
            entered,
            release,
            clock_reads,
        };
        (Arc::new(cached), now, probe)
    }

    /// The fake's failure, and nothing else.
    fn assert_fake_down(result: Result<Credentials, CredentialsError>) {
        match result {
            Err(CredentialsError::ProviderFailed { provider, message }) => {
                assert_eq!((provider.as_str(), message.as_str()), ("fake", "down"));
            }
            other => panic!("expected the fake's failure: {other:?}"),
        }
    }

    #[test]
    fn refreshes_ahead_of_expiry() {
        let (p, now) = setup(3600);
        assert_eq!(p.provide().unwrap().access_key_id(), "AKID0");
        now.fetch_add(3600 - 301, Ordering::SeqCst);
        assert_eq!(p.provide().unwrap().access_key_id(), "AKID0");
        now.fetch_add(2, Ordering::SeqCst); // 299 s left: inside the 5 min window
        assert_eq!(p.provide().unwrap().access_key_id(), "AKID1");
        assert_eq!(p.inner().calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn keeps_valid_credentials_when_refresh_fails() {
        let (p, now) = setup(3600);
        p.provide().unwrap();
        p.inner().fail.store(true, Ordering::SeqCst);
        now.fetch_add(3500, Ordering::SeqCst);
        let mut warnings = Vec::new();
        assert_eq!(
            p.provide_with_warnings(&mut warnings)
                .unwrap()
                .access_key_id(),
            "AKID0"
        );
        let expiry = format_rfc3339(SystemTime::UNIX_EPOCH + Duration::from_secs(START + 3600));
        assert_eq!(
            warnings,
            [format!(
                "refresh failed (fake: down); still using the cached credentials, which expire at {expiry}"
            )]
        );
        // Not retried within 10 s...
        assert_eq!(p.provide().unwrap().access_key_id(), "AKID0");
        assert_eq!(p.inner().calls.load(Ordering::SeqCst), 2);
        // ...but after (it fails again: the cached ones are still served).
        now.fetch_add(11, Ordering::SeqCst);
        assert_eq!(p.provide().unwrap().access_key_id(), "AKID0");
        assert_eq!(p.inner().calls.load(Ordering::SeqCst), 3);
        // Once expired, the error comes through.
        now.fetch_add(100, Ordering::SeqCst);
        assert_fake_down(p.provide());
        assert_eq!(p.inner().calls.load(Ordering::SeqCst), 4);
        p.inner().fail.store(false, Ordering::SeqCst);
        assert_eq!(p.provide().unwrap().access_key_id(), "AKID4");
    }

    #[test]
    fn short_lived_credentials_are_not_fetched_every_call() {
        let (p, now) = setup(60); // always inside the window
        p.provide().unwrap();
        p.provide().unwrap();
        assert_eq!(p.inner().calls.load(Ordering::SeqCst), 1);
        now.fetch_add(10, Ordering::SeqCst);
        p.provide().unwrap();
        assert_eq!(p.inner().calls.load(Ordering::SeqCst), 2);
    }

    /// Spawns `n` threads calling `provide`, and returns once every one
    /// of them waits for the refresh in progress.
    fn waiters(
        p: &Arc<CachedProvider<Fake>>,
        probe: &Probe,
        n: usize,
    ) -> Vec<std::thread::JoinHandle<Result<Credentials, CredentialsError>>> {
        let threads = (0..n)
            .map(|_| {
                let p = p.clone();
                std::thread::spawn(move || p.provide())
            })
            .collect();
        probe.await_clock_reads(n);
        threads
    }

    #[test]
    fn one_refresh_at_a_time() {
        let (p, _now, probe) = setup_gated(3600);
        let refresher = {
            let p = p.clone();
            std::thread::spawn(move || p.provide())
        };
        // The refresher is inside the inner provider: a refresh is in
        // progress, and nothing is cached.
        probe.await_entered();
        probe.drain_clock_reads();
        let others = waiters(&p, &probe, 7);
        probe.release.send(()).unwrap();
        for t in std::iter::once(refresher).chain(others) {
            assert_eq!(t.join().unwrap().unwrap().access_key_id(), "AKID0");
        }
        assert_eq!(p.inner().calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn waiters_share_a_failed_refresh() {
        let (p, _now, probe) = setup_gated(3600);
        p.inner().fail.store(true, Ordering::SeqCst);
        let refresher = {
            let p = p.clone();
            std::thread::spawn(move || p.provide())
        };
        probe.await_entered();
        probe.drain_clock_reads();
        let others = waiters(&p, &probe, 3);
        probe.release.send(()).unwrap();
        for t in std::iter::once(refresher).chain(others) {
            assert_fake_down(t.join().unwrap());
        }
        assert_eq!(p.inner().calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn others_get_the_valid_cached_value_during_a_refresh() {
        let (p, now, probe) = setup_gated(3600);
        probe.release.send(()).unwrap(); // the first fetch goes through
        assert_eq!(p.provide().unwrap().access_key_id(), "AKID0");
        probe.await_entered();
        now.fetch_add(3400, Ordering::SeqCst); // in the window, still valid
        let refresher = {
            let p = p.clone();
            std::thread::spawn(move || p.provide().unwrap().access_key_id().to_owned())
        };
        // The refresher is held inside the inner provider. Another caller
        // gets the cached value now: it does not wait for the refresh,
        // which cannot finish before the test releases it.
        probe.await_entered();
        let (tx, rx) = mpsc::channel();
        let other = {
            let p = p.clone();
            std::thread::spawn(move || tx.send(p.provide()).unwrap())
        };
        let got = rx
            .recv_timeout(PATIENCE)
            .expect("a caller waited for the refresh although the cache was valid");
        assert_eq!(got.unwrap().access_key_id(), "AKID0");
        other.join().unwrap();
        probe.release.send(()).unwrap();
        assert_eq!(refresher.join().unwrap(), "AKID1");
        assert_eq!(p.inner().calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn no_expiry_is_cached_for_good() {
        struct Once(AtomicUsize);
        impl ProvideCredentials for Once {
            fn provide(&self) -> Result<Credentials, CredentialsError> {
                self.0.fetch_add(1, Ordering::SeqCst);
                Ok(Credentials::new("a", "b"))
            }
        }
        let p = CachedProvider::new(Once(AtomicUsize::new(0)));
        for _ in 0..3 {
            p.provide().unwrap();
        }
        assert_eq!(p.inner().0.load(Ordering::SeqCst), 1);
        p.invalidate();
        p.provide().unwrap();
        assert_eq!(p.inner().0.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_panicking_provider_does_not_wedge_the_cache() {
        struct Panics(AtomicBool);
        impl ProvideCredentials for Panics {
            fn provide(&self) -> Result<Credentials, CredentialsError> {
                if !self.0.swap(true, Ordering::SeqCst) {
                    panic!("boom");
                }
                Ok(Credentials::new("a", "b"))
            }
        }
        let p = Arc::new(CachedProvider::new(Panics(AtomicBool::new(false))));
        let q = p.clone();
        let panic = std::thread::spawn(move || q.provide()).join().unwrap_err();
        assert_eq!(panic.downcast_ref::<&str>(), Some(&"boom"));
        let c = p.provide().unwrap();
        assert_eq!((c.access_key_id(), c.secret_access_key()), ("a", "b"));
    }
}
