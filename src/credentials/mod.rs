//! AWS credentials (feature `std`).
//!
//! [`Credentials`] holds an access key id, a secret, an optional session
//! token and expiry, and the name of the source that produced them. The
//! secret and token are zeroized on drop and never shown by `Debug` or
//! `Display`.
//!
//! Where they come from, one file per source, each a [`ProvideCredentials`]:
//!
//! | source | provider | feature |
//! | --- | --- | --- |
//! | given by the caller | [`static_provider::StaticProvider`] | `std` |
//! | `AWS_ACCESS_KEY_ID`... | [`environment::EnvironmentProvider`] | `std` |
//! | `~/.aws/credentials`, `~/.aws/config`, `credential_process` | [`profile::ProfileProvider`] | `std` |
//! | ECS / EKS container endpoint | [`container::ContainerProvider`] | `http` |
//! | EC2 instance profile (IMDSv2) | [`imds::InstanceProfileProvider`] | `http` |
//!
//! [`chain::CredentialsChain`] tries them in the AWS CLI's order and
//! [explains](chain::CredentialsChain::explain) what each one did;
//! [`cache::CachedProvider`] keeps the result until shortly before it
//! expires. [`chain::default_chain`] (feature `client`) builds the whole
//! thing over the default HTTP transport.
//!
//! All environment access goes through [`crate::config::Env`], so a chain
//! can be built for a fake environment.
//!
//! ```
//! use sigv4::config::Env;
//! use sigv4::credentials::chain::DefaultChainBuilder;
//! use sigv4::credentials::ProvideCredentials;
//!
//! let env = Env::from_map([
//!     ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
//!     ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
//!     ("HOME", "/nonexistent"),
//! ]);
//! let chain = DefaultChainBuilder::new().env(env).build();
//! let credentials = chain.provide()?;
//! assert_eq!(credentials.source(), "environment");
//! # Ok::<(), sigv4::credentials::CredentialsError>(())
//! ```

use std::sync::Arc;

pub use crate::sign::Credentials;
pub use crate::util::time::format_rfc3339;

mod error;
mod process;

pub mod cache;
pub mod chain;
#[cfg(feature = "http")]
pub mod container;
pub mod environment;
#[cfg(feature = "http")]
pub mod imds;
pub mod profile;
pub mod static_provider;

pub use error::{CredentialsError, SkipReason};

/// Something that produces [`Credentials`]: one source, a chain of them, or
/// a cache in front of either.
///
/// Implementations return [`CredentialsError::NotLoaded`] when their source
/// is not set up at all (so a chain moves on) and another error when it is
/// set up but fails (so a chain stops, as the AWS CLI does).
///
/// ```
/// use sigv4::credentials::{Credentials, CredentialsError, ProvideCredentials};
///
/// struct Vault;
/// impl ProvideCredentials for Vault {
///     fn provide(&self) -> Result<Credentials, CredentialsError> {
///         Ok(Credentials::new("AKIDVAULT", "secret").with_source("vault"))
///     }
/// }
/// assert_eq!(Vault.provide()?.source(), "vault");
/// # Ok::<(), CredentialsError>(())
/// ```
pub trait ProvideCredentials: Send + Sync {
    /// Fetches (or returns cached) credentials.
    fn provide(&self) -> Result<Credentials, CredentialsError>;

    /// Like [`provide`](Self::provide), also recording warnings (such as
    /// "using expired credentials for a few more minutes") for
    /// [`explain`](chain::CredentialsChain::explain). The default calls
    /// `provide` and records nothing. Warnings never contain secrets.
    fn provide_with_warnings(
        &self,
        warnings: &mut Vec<String>,
    ) -> Result<Credentials, CredentialsError> {
        let _ = warnings;
        self.provide()
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Arc<T> {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        (**self).provide()
    }
    fn provide_with_warnings(
        &self,
        warnings: &mut Vec<String>,
    ) -> Result<Credentials, CredentialsError> {
        (**self).provide_with_warnings(warnings)
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Box<T> {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        (**self).provide()
    }
    fn provide_with_warnings(
        &self,
        warnings: &mut Vec<String>,
    ) -> Result<Credentials, CredentialsError> {
        (**self).provide_with_warnings(warnings)
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for &T {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        (**self).provide()
    }
    fn provide_with_warnings(
        &self,
        warnings: &mut Vec<String>,
    ) -> Result<Credentials, CredentialsError> {
        (**self).provide_with_warnings(warnings)
    }
}

impl ProvideCredentials for Credentials {
    /// A `Credentials` value provides itself: pass it wherever a provider
    /// is expected.
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        Ok(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_provide_themselves() {
        let c = Credentials::new("AKID", "SECRET").with_source("explicit");
        let provided = c.provide().unwrap();
        assert_eq!(
            (provided.access_key_id(), provided.secret_access_key(), provided.source()),
            ("AKID", "SECRET", "explicit")
        );
    }
}
