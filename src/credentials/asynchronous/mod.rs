//! Async credentials (feature `async`): the provider trait, the chain, the
//! AWS CLI's default chain and a single-flight cache, runtime-neutral.
//!
//! | concern | file |
//! | --- | --- |
//! | the trait, pointers and `Credentials` as providers | `mod.rs` ([`ProvideCredentialsAsync`]) |
//! | blocking sources on the blocking pool, non-blocking ones inline | [`blocking_source`] ([`BlockingSource`], [`NonBlocking`]) |
//! | the chain and its `explain()` | [`chain`] ([`AsyncCredentialsChain`]) |
//! | the AWS CLI's chain, same order as the blocking one | [`default_chain`] ([`AsyncDefaultChainBuilder`]) |
//! | refresh ahead of expiry, one refresh in flight | [`cache`] ([`AsyncCachedProvider`]) |
//!
//! The sources are the blocking ones, unchanged: every exchange (IMDS
//! token and GET, the container endpoint, STS, the SSO portal and OIDC,
//! the sign-in service) is still built and parsed by the same sans-IO
//! code. The async default chain sends them through the chain's
//! [`AsyncTransport`](crate::transport_async::AsyncTransport) (over a
//! [`BlockingBridge`](crate::transport_async::BlockingBridge)) and runs
//! every source that reads files, runs `credential_process` or uses the
//! network on the runtime's blocking pool
//! ([`SpawnBlocking`](crate::runtime::SpawnBlocking)), so none of them
//! ever blocks an executor thread.
//!
//! ```
//! use sigv4::credentials::asynchronous::{CredentialsFuture, ProvideCredentialsAsync};
//! use sigv4::credentials::Credentials;
//!
//! /// A source that fetches without blocking.
//! struct Vault;
//! impl ProvideCredentialsAsync for Vault {
//!     fn provide_async(&self) -> CredentialsFuture<'_> {
//!         Box::pin(async { Ok(Credentials::new("AKIDVAULT", "secret").with_source("vault")) })
//!     }
//! }
//! let credentials = pollster::block_on(Vault.provide_async())?;
//! assert_eq!(credentials.source(), "vault");
//! # Ok::<(), sigv4::credentials::CredentialsError>(())
//! ```

use std::sync::Arc;

use super::{Credentials, CredentialsError};
use crate::runtime::BoxFuture;

pub mod blocking_source;
pub mod cache;
pub mod chain;
pub mod default_chain;

pub use blocking_source::{BlockingSource, NonBlocking};
pub use cache::AsyncCachedProvider;
pub use chain::AsyncCredentialsChain;
#[cfg(feature = "reqwest")]
pub use default_chain::default_chain_async;
pub use default_chain::AsyncDefaultChainBuilder;

/// What [`ProvideCredentialsAsync`] returns.
pub type CredentialsFuture<'a> = BoxFuture<'a, Result<Credentials, CredentialsError>>;

/// The async [`ProvideCredentials`](super::ProvideCredentials): something
/// that produces [`Credentials`] without blocking.
///
/// The same contract: [`CredentialsError::NotLoaded`] when the source is
/// not set up (a chain moves on), another error when it is set up but
/// fails (a chain stops). Implement one of the two methods; each default
/// calls the other. The methods have their own names so a type may
/// implement both traits without ambiguity.
pub trait ProvideCredentialsAsync: Send + Sync {
    /// Fetches (or returns cached) credentials. The default calls
    /// [`provide_with_warnings_async`](Self::provide_with_warnings_async)
    /// and drops the warnings.
    fn provide_async(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            let mut warnings = Vec::new();
            self.provide_with_warnings_async(&mut warnings).await
        })
    }

    /// Like [`provide_async`](Self::provide_async), also recording
    /// warnings (never secrets) for `explain`. The default calls
    /// `provide_async` and records nothing.
    fn provide_with_warnings_async<'a>(
        &'a self,
        warnings: &'a mut Vec<String>,
    ) -> CredentialsFuture<'a> {
        let _ = warnings;
        self.provide_async()
    }
}

/// Pointers to an async provider are async providers.
macro_rules! forward_provide_credentials_async {
    ($($pointer:ty),*) => {$(
        impl<T: ProvideCredentialsAsync + ?Sized> ProvideCredentialsAsync for $pointer {
            fn provide_async(&self) -> CredentialsFuture<'_> {
                (**self).provide_async()
            }
            fn provide_with_warnings_async<'a>(
                &'a self,
                warnings: &'a mut Vec<String>,
            ) -> CredentialsFuture<'a> {
                (**self).provide_with_warnings_async(warnings)
            }
        }
    )*};
}
forward_provide_credentials_async!(Arc<T>, Box<T>, &T);

impl ProvideCredentialsAsync for Credentials {
    /// A `Credentials` value provides itself.
    fn provide_async(&self) -> CredentialsFuture<'_> {
        let credentials = self.clone();
        Box::pin(async move { Ok(credentials) })
    }
}
