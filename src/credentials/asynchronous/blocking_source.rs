//! Blocking providers in an async chain: [`BlockingSource`] runs one on
//! the runtime's blocking pool; [`NonBlocking`] calls one that does no I/O
//! (explicit credentials, environment variables) in place.

use std::fmt;
use std::sync::Arc;

use super::{CredentialsFuture, ProvideCredentialsAsync};
use crate::credentials::{CredentialsError, ProvideCredentials};
use crate::runtime::{run_blocking, SpawnBlocking};

/// A blocking [`ProvideCredentials`] run on a [`SpawnBlocking`] pool: files,
/// `credential_process` and blocking network calls never block an executor
/// thread. If the future is dropped, the job finishes on the pool and its
/// result is discarded.
///
/// ```
/// use std::sync::Arc;
/// use sigv4::credentials::asynchronous::{BlockingSource, ProvideCredentialsAsync};
/// use sigv4::credentials::Credentials;
/// use sigv4::runtime::TokioRuntime;
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let source = BlockingSource::new("vault", Credentials::new("AKID", "secret"), Arc::new(TokioRuntime::new()));
/// assert_eq!(source.provide_async().await.unwrap().access_key_id(), "AKID");
/// # });
/// ```
#[derive(Clone)]
pub struct BlockingSource {
    name: String,
    provider: Arc<dyn ProvideCredentials>,
    spawner: Arc<dyn SpawnBlocking>,
}

impl fmt::Debug for BlockingSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingSource")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl BlockingSource {
    /// Runs `provider` (called `name` in errors) through `spawner`.
    pub fn new(
        name: impl Into<String>,
        provider: impl ProvideCredentials + 'static,
        spawner: Arc<dyn SpawnBlocking>,
    ) -> Self {
        Self::from_arc(name, Arc::new(provider), spawner)
    }

    /// The same for a shared provider.
    pub fn from_arc(
        name: impl Into<String>,
        provider: Arc<dyn ProvideCredentials>,
        spawner: Arc<dyn SpawnBlocking>,
    ) -> Self {
        BlockingSource {
            name: name.into(),
            provider,
            spawner,
        }
    }
}

impl ProvideCredentialsAsync for BlockingSource {
    fn provide_with_warnings_async<'a>(
        &'a self,
        warnings: &'a mut Vec<String>,
    ) -> CredentialsFuture<'a> {
        let provider = self.provider.clone();
        let job = run_blocking(&*self.spawner, move || {
            let mut warnings = Vec::new();
            let result = provider.provide_with_warnings(&mut warnings);
            (result, warnings)
        });
        Box::pin(async move {
            let (result, mut found) = job.await.map_err(|lost| {
                CredentialsError::provider_failed(self.name.clone(), lost.to_string())
            })?;
            warnings.append(&mut found);
            result
        })
    }
}

/// A blocking [`ProvideCredentials`] that does no I/O (explicit
/// credentials, the environment, a fixed skip), called in place.
#[derive(Clone, Debug)]
pub struct NonBlocking<P>(pub P);

impl<P: ProvideCredentials> ProvideCredentialsAsync for NonBlocking<P> {
    fn provide_with_warnings_async<'a>(
        &'a self,
        warnings: &'a mut Vec<String>,
    ) -> CredentialsFuture<'a> {
        let result = self.0.provide_with_warnings(warnings);
        Box::pin(async move { result })
    }
}
