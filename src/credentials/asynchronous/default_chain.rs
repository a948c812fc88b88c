//! The AWS CLI's chain for async code: [`AsyncDefaultChainBuilder`] and
//! [`default_chain_async`]. The providers, their order and their names are
//! those of the blocking [`DefaultChainBuilder`] (the links come from it):
//! `explicit`, `environment`, `assume-role`, `web-identity`, `sso`,
//! `login`, `profile`, `container`, `imds`.
//!
//! Every provider that may block runs on the runtime's blocking pool
//! ([`BlockingSource`]) and sends its requests through the chain's
//! [`AsyncTransport`] (over a [`BlockingBridge`]); explicit credentials
//! and the environment are read in place ([`NonBlocking`]).

use std::fmt;
use std::sync::Arc;

use super::{AsyncCredentialsChain, BlockingSource, NonBlocking, ProvideCredentialsAsync};
use crate::config::Env;
use crate::credentials::default_chain::DefaultChainBuilder;
use crate::credentials::profile::ProfileProvider;
use crate::credentials::Credentials;
use crate::runtime::Runtime;
use crate::transport_async::{AsyncTransport, BlockingBridge};

/// Builds the async default chain; see the [module docs](self).
///
/// ```
/// use std::sync::Arc;
/// use sigv4::config::Env;
/// use sigv4::credentials::asynchronous::AsyncDefaultChainBuilder;
/// use sigv4::runtime::TokioRuntime;
/// use sigv4::transport_async::ReqwestTransport;
///
/// let env = Env::from_map([("HOME", "/nonexistent"), ("AWS_ACCESS_KEY_ID", "AKIDENV"),
///                          ("AWS_SECRET_ACCESS_KEY", "secret")]);
/// let chain = AsyncDefaultChainBuilder::new(Arc::new(ReqwestTransport::new()), Arc::new(TokioRuntime::new()))
///     .env(env)
///     .build();
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let report = chain.explain().await;
/// assert_eq!(report.credentials().unwrap().access_key_id(), "AKIDENV");
/// # });
/// ```
#[derive(Clone)]
pub struct AsyncDefaultChainBuilder {
    blocking: DefaultChainBuilder,
    transport: Arc<dyn AsyncTransport>,
    runtime: Arc<dyn Runtime>,
    role_providers: Vec<(String, Arc<dyn ProvideCredentialsAsync>)>,
}

impl fmt::Debug for AsyncDefaultChainBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncDefaultChainBuilder")
            .field("blocking", &self.blocking)
            .finish_non_exhaustive()
    }
}

impl AsyncDefaultChainBuilder {
    /// The chain over `transport`, running blocking sources on `runtime`;
    /// the process environment, no explicit credentials or profile.
    pub fn new(transport: Arc<dyn AsyncTransport>, runtime: Arc<dyn Runtime>) -> Self {
        AsyncDefaultChainBuilder {
            blocking: DefaultChainBuilder::new(),
            transport,
            runtime,
            role_providers: Vec::new(),
        }
    }

    /// Takes every setting of `builder` (environment, profile, explicit
    /// credentials, MFA, process timeout, blocking role providers, IMDS
    /// client); its transport is replaced by this chain's.
    pub fn settings(mut self, builder: DefaultChainBuilder) -> Self {
        self.blocking = builder;
        self
    }

    /// Reads the environment from `env` instead of the process.
    pub fn env(mut self, env: Env) -> Self {
        self.blocking = self.blocking.env(env);
        self
    }

    /// Chooses profile `name` explicitly (a `--profile` option).
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.blocking = self.blocking.profile(name);
        self
    }

    /// Credentials given by the caller; they win over everything else.
    pub fn explicit(mut self, credentials: Credentials) -> Self {
        self.blocking = self.blocking.explicit(credentials);
        self
    }

    /// Adds an async provider to the role slot (after the built-in role
    /// sources, before `profile`), as
    /// [`DefaultChainBuilder::role_provider`] does for blocking ones.
    pub fn role_provider(
        mut self,
        name: impl Into<String>,
        provider: Arc<dyn ProvideCredentialsAsync>,
    ) -> Self {
        self.role_providers.push((name.into(), provider));
        self
    }

    /// Builds the chain. As for the blocking chain, nothing is fetched
    /// until it is used (the profile files are read when an IMDS client
    /// has to be configured from them).
    pub fn build(self) -> AsyncCredentialsChain {
        let bridge = Arc::new(BlockingBridge::new(self.transport.clone()));
        let spawner = self.runtime.clone();
        let mut chain = AsyncCredentialsChain::new();
        for link in self.blocking.transport(bridge).links() {
            let provider: Arc<dyn ProvideCredentialsAsync> = if link.blocking {
                Arc::new(BlockingSource::from_arc(
                    link.name.clone(),
                    link.provider,
                    spawner.clone(),
                ))
            } else {
                Arc::new(NonBlocking(link.provider))
            };
            chain.push(link.name, provider);
        }
        for (name, provider) in self.role_providers {
            chain.insert_before(ProfileProvider::NAME, name, provider);
        }
        chain
    }
}

/// The AWS CLI's chain for this process's environment, over
/// [`ReqwestTransport`](crate::transport_async::ReqwestTransport) and
/// [`TokioRuntime`](crate::runtime::TokioRuntime) (feature `reqwest`).
/// Wrap it in an [`AsyncCachedProvider`](super::AsyncCachedProvider).
///
/// ```
/// use sigv4::credentials::asynchronous::default_chain_async;
///
/// let names: Vec<String> = default_chain_async().names().map(String::from).collect();
/// assert_eq!(names, ["explicit", "environment", "assume-role", "web-identity", "sso", "login", "profile", "container", "imds"]);
/// ```
#[cfg(feature = "reqwest")]
pub fn default_chain_async() -> AsyncCredentialsChain {
    AsyncDefaultChainBuilder::new(
        Arc::new(crate::transport_async::ReqwestTransport::new()),
        Arc::new(crate::runtime::TokioRuntime::new()),
    )
    .build()
}
