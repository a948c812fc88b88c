//! The async cache: [`AsyncCachedProvider`] keeps the last credentials and
//! refreshes them ahead of expiry (5 minutes by default) with the blocking
//! cache's rules (the same code decides), and with one refresh in flight:
//!
//! - the first task that needs a refresh starts it; every task that then
//!   finds no valid credentials joins that same refresh (100 tasks, one
//!   request to the source);
//! - while a refresh runs, tasks that find valid credentials get them at
//!   once;
//! - a refresh is polled by the tasks awaiting it. If every one of them
//!   is dropped (cancelled), the refresh is kept, paused, and the next
//!   task that needs it resumes it (a blocking source's job keeps running
//!   on the pool meanwhile): a cancelled task never leaves the cache
//!   stuck, and never makes a second request to the source beside the
//!   first;
//! - a failed refresh while the cached credentials are still valid serves
//!   those (with a warning) and tries again at most every 10 seconds.
//!
//! Nothing here blocks or names a runtime: the lock is only held between
//! two `await`s.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use futures_util::future::{FutureExt, Shared};

use super::{CredentialsFuture, ProvideCredentialsAsync};
use crate::credentials::cache::{fallback_after_failure, refresh_at, usable};
use crate::credentials::{Credentials, CredentialsError};
use crate::runtime::BoxFuture;

type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;
type Outcome = Result<(Credentials, Vec<String>), CredentialsError>;
type Refresh = Shared<BoxFuture<'static, Outcome>>;

struct State {
    cached: Option<Credentials>,
    refresh_at: Option<SystemTime>,
    /// The refresh in flight, by id. Kept (not just a weak handle) while
    /// nobody awaits it, so that the next caller resumes this refresh
    /// instead of starting a second one beside it (a blocking source's job
    /// keeps running on the pool meanwhile). It holds the provider and a
    /// weak handle to this state: no reference cycle.
    inflight: Option<(u64, Refresh)>,
    next_id: u64,
}

struct Inner<P> {
    provider: Arc<P>,
    refresh_ahead: Duration,
    clock: Clock,
    state: Mutex<State>,
}

impl<P> Inner<P> {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Caches what `P` provides; see the [module docs](self). Cheap to clone
/// (clones share the cache).
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::time::{Duration, SystemTime};
/// use sigv4::credentials::asynchronous::{AsyncCachedProvider, CredentialsFuture, ProvideCredentialsAsync};
/// use sigv4::credentials::Credentials;
///
/// struct Counting(AtomicUsize);
/// impl ProvideCredentialsAsync for Counting {
///     fn provide_async(&self) -> CredentialsFuture<'_> {
///         self.0.fetch_add(1, Ordering::SeqCst);
///         Box::pin(async {
///             Ok(Credentials::new("AKID", "secret").with_expiry(SystemTime::now() + Duration::from_secs(3600)))
///         })
///     }
/// }
/// let cached = AsyncCachedProvider::new(Counting(AtomicUsize::new(0)));
/// pollster::block_on(async {
///     cached.provide_async().await?;
///     cached.provide_async().await
/// })?;
/// assert_eq!(cached.inner().0.load(Ordering::SeqCst), 1);
/// # Ok::<(), sigv4::credentials::CredentialsError>(())
/// ```
pub struct AsyncCachedProvider<P> {
    inner: Arc<Inner<P>>,
}

impl<P> Clone for AsyncCachedProvider<P> {
    fn clone(&self) -> Self {
        AsyncCachedProvider {
            inner: self.inner.clone(),
        }
    }
}

impl<P: fmt::Debug> fmt::Debug for AsyncCachedProvider<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncCachedProvider")
            .field("inner", &self.inner.provider)
            .field("refresh_ahead", &self.inner.refresh_ahead)
            .finish_non_exhaustive()
    }
}

impl<P> AsyncCachedProvider<P> {
    /// Default time before expiry at which credentials are refreshed.
    pub const DEFAULT_REFRESH_AHEAD: Duration = Duration::from_secs(5 * 60);

    /// Caches `provider`, refreshing 5 minutes before expiry.
    pub fn new(provider: P) -> Self {
        Self::build(
            provider,
            Self::DEFAULT_REFRESH_AHEAD,
            Arc::new(SystemTime::now),
        )
    }

    fn build(provider: P, refresh_ahead: Duration, clock: Clock) -> Self {
        AsyncCachedProvider {
            inner: Arc::new(Inner {
                provider: Arc::new(provider),
                refresh_ahead,
                clock,
                state: Mutex::new(State {
                    cached: None,
                    refresh_at: None,
                    inflight: None,
                    next_id: 0,
                }),
            }),
        }
    }

    fn reconfigured(self, f: impl FnOnce(&mut Duration, &mut Clock)) -> Self {
        match Arc::try_unwrap(self.inner) {
            Ok(mut inner) => {
                f(&mut inner.refresh_ahead, &mut inner.clock);
                AsyncCachedProvider {
                    inner: Arc::new(inner),
                }
            }
            // Shared already: settings are fixed.
            Err(inner) => AsyncCachedProvider { inner },
        }
    }

    /// Refreshes `ahead` before expiry instead (set before cloning).
    pub fn with_refresh_ahead(self, ahead: Duration) -> Self {
        self.reconfigured(|a, _| *a = ahead)
    }

    /// Uses `clock` instead of [`SystemTime::now`] (for tests; set before
    /// cloning).
    pub fn with_clock(self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.reconfigured(|_, c| *c = Arc::new(clock))
    }

    /// The wrapped provider.
    pub fn inner(&self) -> &P {
        &self.inner.provider
    }

    /// Forgets the cached credentials: the next call fetches.
    pub fn invalidate(&self) {
        let mut state = self.inner.lock();
        state.cached = None;
        state.refresh_at = None;
    }

    /// The cached credentials, if any (valid or not), without fetching.
    pub fn cached(&self) -> Option<Credentials> {
        self.inner.lock().cached.clone()
    }

    /// Whether a refresh is in flight (started and not finished, whether
    /// or not a task awaits it right now).
    pub fn is_refreshing(&self) -> bool {
        self.inner.lock().inflight.is_some()
    }
}

impl<P: ProvideCredentialsAsync + 'static> AsyncCachedProvider<P> {
    /// The refresh to await, or the credentials to serve now.
    fn next(&self) -> Result<Credentials, Refresh> {
        let mut state = self.inner.lock();
        let now = (self.inner.clock)();
        let (usable, due) = usable(state.cached.as_ref(), state.refresh_at, now);
        if let Some(cached) = &usable {
            if !due {
                return Ok(cached.clone());
            }
        }
        let running = state.inflight.as_ref().map(|(_, refresh)| refresh.clone());
        if let Some(refresh) = running {
            // Someone is refreshing: serve what is still valid, or join.
            return usable.ok_or(refresh);
        }
        let id = state.next_id;
        state.next_id += 1;
        let provider = self.inner.provider.clone();
        let cache = Arc::downgrade(&self.inner);
        let future: BoxFuture<'static, Outcome> = Box::pin(async move {
            let mut warnings = Vec::new();
            let result = provider.provide_with_warnings_async(&mut warnings).await;
            match cache.upgrade() {
                Some(inner) => settle(&inner, id, result, warnings),
                // The cache is gone: nobody to store the result for.
                None => result.map(|c| (c, warnings)),
            }
        });
        let refresh = future.shared();
        state.inflight = Some((id, refresh.clone()));
        Err(refresh)
    }
}

/// Stores the result of refresh `id` and says what its tasks get.
fn settle<P>(
    inner: &Inner<P>,
    id: u64,
    result: Result<Credentials, CredentialsError>,
    mut warnings: Vec<String>,
) -> Outcome {
    let mut state = inner.lock();
    if matches!(&state.inflight, Some((current, _)) if *current == id) {
        state.inflight = None;
    }
    let now = (inner.clock)();
    match result {
        Ok(credentials) => {
            state.refresh_at = refresh_at(&credentials, now, inner.refresh_ahead);
            state.cached = Some(credentials.clone());
            Ok((credentials, warnings))
        }
        Err(error) => match fallback_after_failure(state.cached.as_ref(), &error, now) {
            Some((cached, retry, warning)) => {
                state.refresh_at = Some(retry);
                warnings.push(warning);
                Ok((cached, warnings))
            }
            None => Err(error),
        },
    }
}

impl<P: ProvideCredentialsAsync + 'static> ProvideCredentialsAsync for AsyncCachedProvider<P> {
    fn provide_with_warnings_async<'a>(
        &'a self,
        warnings: &'a mut Vec<String>,
    ) -> CredentialsFuture<'a> {
        let next = self.next();
        Box::pin(async move {
            match next {
                Ok(credentials) => Ok(credentials),
                Err(refresh) => {
                    let (credentials, mut found) = refresh.await?;
                    warnings.append(&mut found);
                    Ok(credentials)
                }
            }
        })
    }
}
