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
//! | profiles with `role_arn` (assume-role chains, planned by [`role_chain`]) | `assume_role::AssumeRoleProvider` | `client` |
//! | `AWS_WEB_IDENTITY_TOKEN_FILE` (EKS IRSA) | `web_identity::WebIdentityProvider` | `client` |
//! | `aws login` sessions (`login_session`) | `login::LoginProvider` (cache: `login_token_cache`) | `client` |
//! | IAM Identity Center profiles (`sso_session`, `sso_start_url`) | `sso::SsoProvider` (token cache: `sso_token_cache`) | `client` |
//!
//! [`chain::CredentialsChain`] tries them in order and
//! [explains](chain::CredentialsChain::explain) what each one did;
//! [`cache::CachedProvider`] keeps the result until shortly before it
//! expires. [`default_chain()`] builds the AWS CLI's chain in one place
//! ([`DefaultChainBuilder`]; with
//! feature `client` its role slot holds assume-role and web identity).
//! Providers that call STS use the sans-IO [`api`](crate::api) layer
//! below this one, never the client above it.
//!
//! All environment access goes through [`crate::config::Env`], so a chain
//! can be built for a fake environment.
//!
//! ```
//! use sigv4::config::Env;
//! use sigv4::credentials::default_chain::DefaultChainBuilder;
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
pub(crate) mod process;

#[cfg(feature = "client")]
pub mod assume_role;
#[cfg(feature = "async")]
pub mod asynchronous;
pub mod cache;
pub mod chain;
#[cfg(feature = "http")]
pub mod container;
pub mod default_chain;
pub mod environment;
#[cfg(feature = "http")]
pub mod imds;
#[cfg(feature = "client")]
pub mod login;
#[cfg(feature = "client")]
pub mod login_token_cache;
pub mod profile;
pub mod role_chain;
#[cfg(feature = "client")]
pub mod sso;
#[cfg(feature = "client")]
pub mod sso_login;
#[cfg(feature = "client")]
pub mod sso_token_cache;
pub mod static_provider;
#[cfg(feature = "client")]
pub mod sts_settings;
#[cfg(feature = "client")]
pub mod web_identity;

pub use cache::CachedProvider;
pub use chain::{ChainReport, CredentialsChain, Outcome};
#[cfg(feature = "client")]
pub use default_chain::default_chain;
pub use default_chain::DefaultChainBuilder;
pub use error::{CredentialsError, SkipReason};

/// Something that produces [`Credentials`]: one source, a chain of them, or
/// a cache in front of either.
///
/// Implementations return [`CredentialsError::NotLoaded`] when their source
/// is not set up at all (so a chain moves on) and another error when it is
/// set up but fails (so a chain stops, as the AWS CLI does).
///
/// Implement one of the two methods, each default calls the other:
/// [`provide`](Self::provide) for a source that never warns,
/// [`provide_with_warnings`](Self::provide_with_warnings) for one that may
/// (then `provide` drops the warnings).
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
    /// Fetches (or returns cached) credentials. The default calls
    /// [`provide_with_warnings`](Self::provide_with_warnings) and drops the
    /// warnings.
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        self.provide_with_warnings(&mut Vec::new())
    }

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

/// Pointers to a provider are providers: `Arc<dyn ProvideCredentials>`,
/// `Box<...>`, `&...`.
macro_rules! forward_provide_credentials {
    ($($pointer:ty),*) => {$(
        impl<T: ProvideCredentials + ?Sized> ProvideCredentials for $pointer {
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
    )*};
}
forward_provide_credentials!(Arc<T>, Box<T>, &T);

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
            (
                provided.access_key_id(),
                provided.secret_access_key(),
                provided.source()
            ),
            ("AKID", "SECRET", "explicit")
        );
    }

    #[test]
    fn either_method_is_enough() {
        struct Warns;
        impl ProvideCredentials for Warns {
            fn provide_with_warnings(
                &self,
                warnings: &mut Vec<String>,
            ) -> Result<Credentials, CredentialsError> {
                warnings.push("stale".into());
                Ok(Credentials::new("AKIDWARN", "s"))
            }
        }
        assert_eq!(Warns.provide().unwrap().access_key_id(), "AKIDWARN");
        let mut warnings = Vec::new();
        let plain = Credentials::new("AKIDPLAIN", "s");
        assert_eq!(
            plain
                .provide_with_warnings(&mut warnings)
                .unwrap()
                .access_key_id(),
            "AKIDPLAIN"
        );
        assert!(warnings.is_empty());
        Warns.provide_with_warnings(&mut warnings).unwrap();
        assert_eq!(warnings, ["stale"]);
    }
}
