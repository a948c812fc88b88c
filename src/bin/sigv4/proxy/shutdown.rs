//! Graceful shutdown: SIGINT or SIGTERM stops the accept loop, every
//! connection is told to finish its request in flight and close, and the
//! process waits for them at most `--shutdown-timeout`.

use std::time::Duration;

use hyper_util::server::graceful::GracefulShutdown;

use crate::Failure;

/// The signals that stop the proxy, registered before it listens (a
/// signal sent right after the address is printed is never missed).
pub struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    pub fn register() -> Result<Signals, Failure> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let register = |kind: SignalKind| {
                signal(kind).map_err(|e| Failure::new(format!("cannot handle signals: {e}")))
            };
            Ok(Signals {
                interrupt: register(SignalKind::interrupt())?,
                terminate: register(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    /// Waits for the first signal; returns its name.
    pub async fn recv(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => "SIGINT",
                _ = self.terminate.recv() => "SIGTERM",
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }
    }
}

/// Waits for the watched connections to finish, at most `timeout`.
/// Returns whether they all did.
pub async fn drain(graceful: GracefulShutdown, timeout: Duration) -> bool {
    tokio::time::timeout(timeout, graceful.shutdown())
        .await
        .is_ok()
}
