//! The async provider chain: the first provider with credentials wins, a
//! provider that is set up but fails stops the chain, and
//! [`explain`](AsyncCredentialsChain::explain) gives the same
//! [`ChainReport`] as the blocking [`CredentialsChain`](crate::credentials::CredentialsChain)
//! (both build it with the same code).

use std::fmt;
use std::sync::Arc;

use super::{CredentialsFuture, ProvideCredentialsAsync};
use crate::credentials::chain::{skip_or_decide, ChainReport, ReportBuilder};
use crate::credentials::CredentialsError;

/// An ordered list of named async providers.
///
/// ```
/// use sigv4::credentials::asynchronous::{AsyncCredentialsChain, NonBlocking};
/// use sigv4::credentials::chain::{Outcome, Skip};
/// use sigv4::credentials::{Credentials, SkipReason};
///
/// let chain = AsyncCredentialsChain::new()
///     .with("first", NonBlocking(Skip::new("first", SkipReason::NoTransport)))
///     .with("fallback", Credentials::new("AKIDFALLBACK", "secret"));
/// let report = pollster::block_on(chain.explain());
/// assert!(matches!(report.steps()[0].outcome, Outcome::Skipped(_)));
/// assert_eq!(report.credentials().unwrap().access_key_id(), "AKIDFALLBACK");
/// ```
#[derive(Clone, Default)]
pub struct AsyncCredentialsChain {
    links: Vec<(String, Arc<dyn ProvideCredentialsAsync>)>,
}

impl fmt::Debug for AsyncCredentialsChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncCredentialsChain")
            .field("providers", &self.names().collect::<Vec<_>>())
            .finish()
    }
}

impl AsyncCredentialsChain {
    /// An empty chain (which always fails with
    /// [`CredentialsError::NoCredentials`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `provider` under `name`.
    pub fn with(
        mut self,
        name: impl Into<String>,
        provider: impl ProvideCredentialsAsync + 'static,
    ) -> Self {
        self.push(name, Arc::new(provider));
        self
    }

    /// Appends a shared provider under `name`.
    pub fn push(&mut self, name: impl Into<String>, provider: Arc<dyn ProvideCredentialsAsync>) {
        self.links.push((name.into(), provider));
    }

    /// Inserts `provider` before the provider called `before`, or at the
    /// end when there is none. Returns whether `before` was found.
    pub fn insert_before(
        &mut self,
        before: &str,
        name: impl Into<String>,
        provider: Arc<dyn ProvideCredentialsAsync>,
    ) -> bool {
        let at = self.links.iter().position(|(n, _)| n == before);
        let link = (name.into(), provider);
        match at {
            Some(i) => self.links.insert(i, link),
            None => self.links.push(link),
        }
        at.is_some()
    }

    /// The providers' names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        self.links.iter().map(|(n, _)| n.as_str())
    }

    /// The number of providers.
    pub fn len(&self) -> usize {
        self.links.len()
    }

    /// Whether the chain has no providers.
    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }

    /// Runs the chain and reports what each provider did.
    pub async fn explain(&self) -> ChainReport {
        let mut report = ReportBuilder::new(self.links.len());
        for (name, provider) in &self.links {
            if report.decided() {
                report.not_reached(name);
                continue;
            }
            let mut warnings = Vec::new();
            let result = provider.provide_with_warnings_async(&mut warnings).await;
            report.record(name, result, warnings);
        }
        report.finish()
    }
}

impl ProvideCredentialsAsync for AsyncCredentialsChain {
    fn provide_with_warnings_async<'a>(
        &'a self,
        warnings: &'a mut Vec<String>,
    ) -> CredentialsFuture<'a> {
        Box::pin(async move {
            let mut skipped = Vec::new();
            for (name, provider) in &self.links {
                let result = provider.provide_with_warnings_async(warnings).await;
                if let Some(decided) = skip_or_decide(&mut skipped, name, result) {
                    return decided;
                }
            }
            Err(CredentialsError::NoCredentials { skipped })
        })
    }
}
