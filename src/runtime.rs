//! The two things async code here needs from a runtime, as small traits
//! (feature `async`): waiting ([`AsyncSleep`], for retry backoff) and
//! running blocking work off the executor's threads ([`SpawnBlocking`],
//! for files, `credential_process` and the blocking credential sources).
//!
//! Nothing else of the async layer names a runtime. [`TokioRuntime`]
//! (feature `tokio`) implements both; another runtime implements the two
//! methods.
//!
//! ```
//! use std::time::Duration;
//! use sigv4::runtime::{run_blocking, AsyncSleep, BoxFuture, SpawnBlocking};
//!
//! /// A runtime that runs blocking jobs on a fresh thread and never sleeps.
//! struct Threads;
//! impl SpawnBlocking for Threads {
//!     fn spawn_blocking(&self, job: Box<dyn FnOnce() + Send>) {
//!         std::thread::spawn(job);
//!     }
//! }
//! impl AsyncSleep for Threads {
//!     fn sleep(&self, _: Duration) -> BoxFuture<'static, ()> {
//!         Box::pin(async {})
//!     }
//! }
//! let answer = pollster::block_on(run_blocking(&Threads, || 6 * 7));
//! assert_eq!(answer.ok(), Some(42));
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

/// A boxed, `Send` future: what the object-safe async traits of this crate
/// return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Waits without blocking a thread.
pub trait AsyncSleep: Send + Sync {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// Runs blocking work where it may block (a thread pool for that, never the
/// executor's own threads).
pub trait SpawnBlocking: Send + Sync {
    /// Runs `job` to completion on a thread that may block.
    fn spawn_blocking(&self, job: Box<dyn FnOnce() + Send>);
}

/// Pointers to a runtime are runtimes.
macro_rules! forward_runtime {
    ($($pointer:ty),*) => {$(
        impl<T: AsyncSleep + ?Sized> AsyncSleep for $pointer {
            fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
                (**self).sleep(duration)
            }
        }
        impl<T: SpawnBlocking + ?Sized> SpawnBlocking for $pointer {
            fn spawn_blocking(&self, job: Box<dyn FnOnce() + Send>) {
                (**self).spawn_blocking(job)
            }
        }
    )*};
}
forward_runtime!(Arc<T>, Box<T>, &T);

/// Both traits: what the async chain, cache and client take.
pub trait Runtime: AsyncSleep + SpawnBlocking {}
impl<T: AsyncSleep + SpawnBlocking + ?Sized> Runtime for T {}

/// The blocking job was dropped before it finished (it panicked, or the
/// runtime shut down).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobLost;

impl fmt::Display for JobLost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the blocking job ended without a result (panic or runtime shutdown)")
    }
}

impl std::error::Error for JobLost {}

/// Runs `f` through `spawner` and awaits its result.
pub fn run_blocking<T, F>(
    spawner: &(impl SpawnBlocking + ?Sized),
    f: F,
) -> impl Future<Output = Result<T, JobLost>> + Send + 'static
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (tx, rx) = futures_channel::oneshot::channel();
    spawner.spawn_blocking(Box::new(move || {
        let _ = tx.send(f());
    }));
    async move { rx.await.map_err(|_| JobLost) }
}

/// Wakes a parked thread.
struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Drives `future` on this thread, parking between polls. Only for
/// threads that may block (the blocking pool): the bridge from the
/// blocking credential sources to an async transport.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return output,
            Poll::Pending => thread::park(),
        }
    }
}

#[cfg(feature = "tokio")]
pub use self::tokio_runtime::TokioRuntime;

#[cfg(feature = "tokio")]
mod tokio_runtime {
    use super::{AsyncSleep, BoxFuture, SpawnBlocking};
    use std::time::Duration;
    use tokio::runtime::Handle;

    /// [`AsyncSleep`] and [`SpawnBlocking`] on tokio (feature `tokio`):
    /// `tokio::time::sleep` and `spawn_blocking` on the runtime current at
    /// each call, or on a given [`Handle`].
    ///
    /// Outside a runtime and without a handle, a blocking job runs on a new
    /// thread and a sleep on a timer thread of its own: it still never
    /// blocks the caller.
    ///
    /// ```
    /// use sigv4::runtime::{run_blocking, TokioRuntime};
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let sum = run_blocking(&TokioRuntime::new(), || (1..=10).sum::<u32>()).await;
    /// assert_eq!(sum.ok(), Some(55));
    /// # });
    /// ```
    #[derive(Clone, Debug, Default)]
    pub struct TokioRuntime {
        handle: Option<Handle>,
    }

    impl TokioRuntime {
        /// Uses the runtime current at each call.
        pub fn new() -> Self {
            TokioRuntime { handle: None }
        }

        /// Uses `handle`'s runtime.
        pub fn with_handle(handle: Handle) -> Self {
            TokioRuntime {
                handle: Some(handle),
            }
        }

        fn handle(&self) -> Option<Handle> {
            self.handle.clone().or_else(|| Handle::try_current().ok())
        }
    }

    impl AsyncSleep for TokioRuntime {
        fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
            match self.handle() {
                Some(handle) => {
                    let _guard = handle.enter();
                    Box::pin(tokio::time::sleep(duration))
                }
                None => {
                    let (tx, rx) = futures_channel::oneshot::channel::<()>();
                    std::thread::spawn(move || {
                        std::thread::sleep(duration);
                        let _ = tx.send(());
                    });
                    Box::pin(async move {
                        let _ = rx.await;
                    })
                }
            }
        }
    }

    impl SpawnBlocking for TokioRuntime {
        fn spawn_blocking(&self, job: Box<dyn FnOnce() + Send>) {
            match self.handle() {
                Some(handle) => {
                    drop(handle.spawn_blocking(job));
                }
                None => {
                    std::thread::spawn(job);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Threads;
    impl SpawnBlocking for Threads {
        fn spawn_blocking(&self, job: Box<dyn FnOnce() + Send>) {
            std::thread::spawn(job);
        }
    }

    #[test]
    fn a_panicking_job_is_reported_not_hung() {
        let r: Result<(), JobLost> = block_on(run_blocking(&Threads, || panic!("boom")));
        assert_eq!(r, Err(JobLost));
        assert!(JobLost.to_string().contains("panic"));
    }
}
