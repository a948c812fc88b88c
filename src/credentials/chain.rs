//! The provider chain ([`CredentialsChain`]: the first provider with
//! credentials wins) and its explanation ([`ChainReport`]). The AWS CLI's
//! chain itself is built in [`default_chain`](mod@super::default_chain).
//!
//! A provider that is not set up is *skipped* and the next one is tried; a
//! provider that is set up but fails *stops* the chain with its error (so
//! a broken profile never silently falls through to another identity).
//! [`CredentialsChain::explain`] runs the chain and reports, for each
//! provider, whether it was used, skipped (and why), failed, or not
//! reached.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use super::{Credentials, CredentialsError, ProvideCredentials, SkipReason};
use crate::util::time::format_rfc3339;

/// An ordered list of named providers. The first to return credentials
/// wins; see the [module docs](self).
///
/// ```
/// use sigv4::config::Env;
/// use sigv4::credentials::chain::{CredentialsChain, Outcome};
/// use sigv4::credentials::environment::EnvironmentProvider;
/// use sigv4::credentials::static_provider::StaticProvider;
/// use sigv4::credentials::{Credentials, ProvideCredentials};
///
/// let chain = CredentialsChain::new()
///     .with("environment", EnvironmentProvider::new(Env::from_map([("HOME", "/x")])))
///     .with("fallback", StaticProvider::new(Credentials::new("AKIDFALLBACK", "secret")));
/// let report = chain.explain();
/// assert!(matches!(report.steps()[0].outcome, Outcome::Skipped(_)));
/// assert!(matches!(report.steps()[1].outcome, Outcome::Used { .. }));
/// assert_eq!(report.credentials().unwrap().access_key_id(), "AKIDFALLBACK");
/// println!("{report}"); // a table, without secrets
/// ```
#[derive(Clone, Default)]
pub struct CredentialsChain {
    links: Vec<Link>,
}

#[derive(Clone)]
struct Link {
    name: String,
    provider: Arc<dyn ProvideCredentials>,
}

impl fmt::Debug for CredentialsChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsChain")
            .field("providers", &self.names().collect::<Vec<_>>())
            .finish()
    }
}

impl CredentialsChain {
    /// An empty chain (which always fails with
    /// [`CredentialsError::NoCredentials`]).
    pub fn new() -> Self {
        CredentialsChain { links: Vec::new() }
    }

    /// Appends `provider` under `name`.
    pub fn with(
        mut self,
        name: impl Into<String>,
        provider: impl ProvideCredentials + 'static,
    ) -> Self {
        self.push(name, Arc::new(provider));
        self
    }

    /// Appends a shared provider under `name`.
    pub fn push(&mut self, name: impl Into<String>, provider: Arc<dyn ProvideCredentials>) {
        self.links.push(Link {
            name: name.into(),
            provider,
        });
    }

    /// Inserts `provider` before the provider called `before`, or at the
    /// end when there is none. Returns whether `before` was found.
    pub fn insert_before(
        &mut self,
        before: &str,
        name: impl Into<String>,
        provider: Arc<dyn ProvideCredentials>,
    ) -> bool {
        let link = Link {
            name: name.into(),
            provider,
        };
        match self.links.iter().position(|l| l.name == before) {
            Some(i) => {
                self.links.insert(i, link);
                true
            }
            None => {
                self.links.push(link);
                false
            }
        }
    }

    /// The providers' names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        self.links.iter().map(|l| l.name.as_str())
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
    pub fn explain(&self) -> ChainReport {
        let mut report = ReportBuilder::new(self.links.len());
        for link in &self.links {
            if report.decided() {
                report.not_reached(&link.name);
                continue;
            }
            let mut warnings = Vec::new();
            let result = link.provider.provide_with_warnings(&mut warnings);
            report.record(&link.name, result, warnings);
        }
        report.finish()
    }
}

impl ProvideCredentials for CredentialsChain {
    fn provide_with_warnings(
        &self,
        warnings: &mut Vec<String>,
    ) -> Result<Credentials, CredentialsError> {
        let mut skipped = Vec::new();
        for link in &self.links {
            let result = link.provider.provide_with_warnings(warnings);
            if let Some(decided) = skip_or_decide(&mut skipped, &link.name, result) {
                return decided;
            }
        }
        Err(CredentialsError::NoCredentials { skipped })
    }
}

/// One provider's result in a chain: `None` when it was not set up (its
/// reason is added to `skipped`, the chain moves on), else the chain's
/// result. Shared by the blocking and async chains.
pub(crate) fn skip_or_decide(
    skipped: &mut Vec<(String, SkipReason)>,
    name: &str,
    result: Result<Credentials, CredentialsError>,
) -> Option<Result<Credentials, CredentialsError>> {
    match result {
        Err(CredentialsError::NotLoaded { reason, .. }) => {
            skipped.push((name.to_owned(), reason));
            None
        }
        other => Some(other),
    }
}

/// Builds a [`ChainReport`] provider by provider: what `explain` does, for
/// the blocking and the async chain alike.
pub(crate) struct ReportBuilder {
    steps: Vec<ProviderReport>,
    skipped: Vec<(String, SkipReason)>,
    result: Option<Result<Credentials, CredentialsError>>,
}

impl ReportBuilder {
    pub(crate) fn new(providers: usize) -> Self {
        ReportBuilder {
            steps: Vec::with_capacity(providers),
            skipped: Vec::new(),
            result: None,
        }
    }

    /// Whether a provider has decided (the rest are not reached).
    pub(crate) fn decided(&self) -> bool {
        self.result.is_some()
    }

    pub(crate) fn not_reached(&mut self, name: &str) {
        self.steps.push(ProviderReport {
            name: name.to_owned(),
            outcome: Outcome::NotReached,
            warnings: Vec::new(),
        });
    }

    pub(crate) fn record(
        &mut self,
        name: &str,
        result: Result<Credentials, CredentialsError>,
        warnings: Vec<String>,
    ) {
        let outcome = match &result {
            Ok(credentials) => Outcome::Used {
                source: credentials.source().to_owned(),
                access_key_id: credentials.access_key_id().to_owned(),
                expires_at: credentials.expires_at(),
            },
            Err(CredentialsError::NotLoaded { reason, .. }) => Outcome::Skipped(reason.clone()),
            Err(e) => Outcome::Failed(e.clone()),
        };
        if let Some(decided) = skip_or_decide(&mut self.skipped, name, result) {
            self.result = Some(decided);
        }
        self.steps.push(ProviderReport {
            name: name.to_owned(),
            outcome,
            warnings,
        });
    }

    pub(crate) fn finish(self) -> ChainReport {
        ChainReport {
            steps: self.steps,
            result: self.result.unwrap_or(Err(CredentialsError::NoCredentials {
                skipped: self.skipped,
            })),
        }
    }
}

/// What one provider did in [`CredentialsChain::explain`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Outcome {
    /// It returned the credentials the chain uses.
    Used {
        /// [`Credentials::source`].
        source: String,
        /// The access key id (not a secret).
        access_key_id: String,
        /// When they expire.
        expires_at: Option<SystemTime>,
    },
    /// It was not set up; the chain moved on.
    Skipped(SkipReason),
    /// It was set up but failed; the chain stopped.
    Failed(CredentialsError),
    /// An earlier provider decided.
    NotReached,
}

/// One line of a [`ChainReport`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ProviderReport {
    /// The provider's name in the chain.
    pub name: String,
    /// What it did.
    pub outcome: Outcome,
    /// Warnings it recorded (such as the use of expired credentials).
    pub warnings: Vec<String>,
}

/// The result of [`CredentialsChain::explain`]. Its `Display` is a
/// human-readable table, without secrets.
#[derive(Clone, Debug)]
pub struct ChainReport {
    steps: Vec<ProviderReport>,
    result: Result<Credentials, CredentialsError>,
}

impl ChainReport {
    /// One entry per provider, in chain order.
    pub fn steps(&self) -> &[ProviderReport] {
        &self.steps
    }

    /// The entry of provider `name`.
    pub fn step(&self, name: &str) -> Option<&ProviderReport> {
        self.steps.iter().find(|s| s.name == name)
    }

    /// The credentials found, if any.
    pub fn credentials(&self) -> Option<&Credentials> {
        self.result.as_ref().ok()
    }

    /// The chain's result.
    pub fn result(&self) -> &Result<Credentials, CredentialsError> {
        &self.result
    }

    /// The chain's result, by value.
    pub fn into_result(self) -> Result<Credentials, CredentialsError> {
        self.result
    }

    /// Every warning, prefixed with its provider's name.
    pub fn warnings(&self) -> impl Iterator<Item = String> + '_ {
        self.steps
            .iter()
            .flat_map(|s| s.warnings.iter().map(move |w| format!("{}: {w}", s.name)))
    }
}

impl fmt::Display for ChainReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self.steps.iter().map(|s| s.name.len()).max().unwrap_or(0);
        for step in &self.steps {
            write!(f, "{:width$}  ", step.name)?;
            match &step.outcome {
                Outcome::Used {
                    source,
                    access_key_id,
                    expires_at,
                } => {
                    write!(f, "used: {access_key_id} from {source}")?;
                    if let Some(at) = expires_at {
                        write!(f, ", expires {}", format_rfc3339(*at))?;
                    }
                }
                Outcome::Skipped(reason) => write!(f, "skipped: {reason}")?,
                Outcome::Failed(error) => write!(f, "failed: {error}")?,
                Outcome::NotReached => f.write_str("not reached")?,
            }
            writeln!(f)?;
            for warning in &step.warnings {
                writeln!(f, "{:width$}  warning: {warning}", "")?;
            }
        }
        if let Err(CredentialsError::NoCredentials { .. }) = &self.result {
            writeln!(f, "no credentials found")?;
        }
        Ok(())
    }
}

/// A provider that is always skipped for a fixed reason (a placeholder
/// for a link that does not apply).
#[derive(Clone, Debug)]
pub struct Skip {
    name: String,
    reason: SkipReason,
}

impl Skip {
    /// Skips as provider `name` because of `reason`.
    pub fn new(name: impl Into<String>, reason: SkipReason) -> Self {
        Skip {
            name: name.into(),
            reason,
        }
    }
}

impl ProvideCredentials for Skip {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        Err(CredentialsError::not_loaded(
            self.name.clone(),
            self.reason.clone(),
        ))
    }
}
