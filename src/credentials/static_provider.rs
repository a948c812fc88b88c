//! Credentials given explicitly by the caller (the first link of the
//! chain, like the AWS CLI's credentials passed to a client).

use super::{Credentials, CredentialsError, ProvideCredentials, SkipReason};

/// Always returns the credentials it was given (or, when built with
/// [`none`](Self::none), is always skipped).
///
/// ```
/// use sigv4::credentials::static_provider::StaticProvider;
/// use sigv4::credentials::{Credentials, ProvideCredentials};
///
/// let provider = StaticProvider::new(Credentials::new("AKIDEXAMPLE", "secret"));
/// let c = provider.provide()?;
/// assert_eq!(c.access_key_id(), "AKIDEXAMPLE");
/// assert_eq!(c.source(), "explicit");
/// assert!(StaticProvider::none().provide().unwrap_err().is_not_loaded());
/// # Ok::<(), sigv4::credentials::CredentialsError>(())
/// ```
#[derive(Clone, Debug)]
pub struct StaticProvider {
    credentials: Option<Credentials>,
}

impl StaticProvider {
    /// The provider's name in a chain.
    pub const NAME: &'static str = "explicit";

    /// Returns `credentials`. Their source is set to `"explicit"` unless it
    /// was changed from the default `"static"`.
    pub fn new(credentials: Credentials) -> Self {
        let credentials = if credentials.source() == "static" {
            credentials.with_source(Self::NAME)
        } else {
            credentials
        };
        StaticProvider {
            credentials: Some(credentials),
        }
    }

    /// A provider with nothing to give (always
    /// [`SkipReason::NoExplicitCredentials`]).
    pub fn none() -> Self {
        StaticProvider { credentials: None }
    }
}

impl ProvideCredentials for StaticProvider {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        self.credentials.clone().ok_or_else(|| {
            CredentialsError::not_loaded(Self::NAME, SkipReason::NoExplicitCredentials)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_a_custom_source() {
        let p = StaticProvider::new(Credentials::new("a", "b").with_source("vault"));
        assert_eq!(p.provide().unwrap().source(), "vault");
        assert!(!format!("{p:?}").contains("\"b\""));
    }
}
