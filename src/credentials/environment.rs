//! Credentials from environment variables: `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (or its legacy name
//! `AWS_SECURITY_TOKEN`) and `AWS_CREDENTIAL_EXPIRATION`.

use super::{Credentials, CredentialsError, ProvideCredentials, SkipReason};
use crate::config::env_vars::{
    AWS_ACCESS_KEY_ID, AWS_CREDENTIAL_EXPIRATION, AWS_SECRET_ACCESS_KEY, AWS_SECURITY_TOKEN,
    AWS_SESSION_TOKEN,
};
use crate::config::Env;
use crate::util::time::parse_rfc3339;

/// Reads credentials from an [`Env`] at each call.
///
/// Values are trimmed; blank values count as unset. Neither key set means
/// [`SkipReason::VariablesUnset`]; only one of them set is an
/// [`InvalidConfiguration`](CredentialsError::InvalidConfiguration) error
/// (as the AWS CLI's "partial credentials"), and so is an unparsable
/// `AWS_CREDENTIAL_EXPIRATION`.
///
/// ```
/// use sigv4::config::Env;
/// use sigv4::credentials::environment::EnvironmentProvider;
/// use sigv4::credentials::ProvideCredentials;
///
/// let env = Env::from_map([
///     ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
///     ("AWS_SECRET_ACCESS_KEY", "secret"),
///     ("AWS_SESSION_TOKEN", "token"),
/// ]);
/// let c = EnvironmentProvider::new(env).provide()?;
/// assert_eq!((c.access_key_id(), c.session_token()), ("AKIDEXAMPLE", Some("token")));
/// assert_eq!(c.source(), "environment");
/// # Ok::<(), sigv4::credentials::CredentialsError>(())
/// ```
#[derive(Clone, Debug)]
pub struct EnvironmentProvider {
    env: Env,
}

impl EnvironmentProvider {
    /// The provider's name in a chain, and the source of its credentials.
    pub const NAME: &'static str = "environment";

    /// Reads from `env`.
    pub fn new(env: Env) -> Self {
        EnvironmentProvider { env }
    }

    fn get(&self, name: &str) -> Option<String> {
        self.env.get_non_blank(name).map(|v| v.trim().to_owned())
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        let key = self.get(AWS_ACCESS_KEY_ID);
        let secret = self.get(AWS_SECRET_ACCESS_KEY).map(zeroize::Zeroizing::new);
        let (key, secret) = match (key, secret) {
            (Some(key), Some(secret)) => (key, secret),
            (None, None) => {
                return Err(CredentialsError::not_loaded(
                    Self::NAME,
                    SkipReason::VariablesUnset(vec![AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY]),
                ))
            }
            (Some(_), None) => {
                return Err(CredentialsError::invalid_configuration(
                    Self::NAME,
                    format!("{AWS_ACCESS_KEY_ID} is set but {AWS_SECRET_ACCESS_KEY} is not"),
                ))
            }
            (None, Some(_)) => {
                return Err(CredentialsError::invalid_configuration(
                    Self::NAME,
                    format!("{AWS_SECRET_ACCESS_KEY} is set but {AWS_ACCESS_KEY_ID} is not"),
                ))
            }
        };
        let mut credentials = Credentials::new(key, secret.as_str()).with_source(Self::NAME);
        if let Some(token) = self
            .get(AWS_SESSION_TOKEN)
            .or_else(|| self.get(AWS_SECURITY_TOKEN))
        {
            let token = zeroize::Zeroizing::new(token);
            credentials = credentials.with_session_token(token.as_str());
        }
        if let Some(expiration) = self.get(AWS_CREDENTIAL_EXPIRATION) {
            let expires_at = parse_rfc3339(&expiration).map_err(|why| {
                CredentialsError::invalid_configuration(
                    Self::NAME,
                    format!("{AWS_CREDENTIAL_EXPIRATION}: {why}"),
                )
            })?;
            credentials = credentials.with_expiry(expires_at);
        }
        Ok(credentials)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    fn provide(vars: &[(&str, &str)]) -> Result<Credentials, CredentialsError> {
        EnvironmentProvider::new(Env::from_map(vars.iter().copied())).provide()
    }

    #[test]
    fn keys_token_and_expiry() {
        let c = provide(&[
            (AWS_ACCESS_KEY_ID, " AKID "),
            (AWS_SECRET_ACCESS_KEY, "SECRET"),
            (AWS_SECURITY_TOKEN, "LEGACY"),
            (AWS_CREDENTIAL_EXPIRATION, "2030-01-01T00:00:00Z"),
        ])
        .unwrap();
        assert_eq!(c.access_key_id(), "AKID");
        assert_eq!(c.secret_access_key(), "SECRET");
        assert_eq!(c.session_token(), Some("LEGACY"));
        assert_eq!(
            c.expires_at(),
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_893_456_000))
        );
        let c = provide(&[
            (AWS_ACCESS_KEY_ID, "AKID"),
            (AWS_SECRET_ACCESS_KEY, "SECRET"),
            (AWS_SESSION_TOKEN, "TOKEN"),
            (AWS_SECURITY_TOKEN, "LEGACY"),
            (AWS_CREDENTIAL_EXPIRATION, " "),
        ])
        .unwrap();
        assert_eq!(c.session_token(), Some("TOKEN"));
        assert_eq!(c.expires_at(), None);
    }

    #[test]
    fn blank_is_unset_and_partial_is_an_error() {
        let e = provide(&[(AWS_ACCESS_KEY_ID, " "), (AWS_SECRET_ACCESS_KEY, "")]).unwrap_err();
        assert_eq!(
            (e.provider(), e.skip_reason()),
            (
                Some("environment"),
                Some(&SkipReason::VariablesUnset(vec![
                    AWS_ACCESS_KEY_ID,
                    AWS_SECRET_ACCESS_KEY
                ]))
            ),
            "{e}"
        );
        let invalid = |e: &CredentialsError| match e {
            CredentialsError::InvalidConfiguration { provider, message } => {
                (provider.clone(), message.clone())
            }
            other => panic!("expected InvalidConfiguration: {other:?}"),
        };
        let e = provide(&[(AWS_ACCESS_KEY_ID, "AKID"), (AWS_SECRET_ACCESS_KEY, "\t")]).unwrap_err();
        assert_eq!(
            invalid(&e),
            (
                "environment".to_owned(),
                "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not".to_owned()
            )
        );
        let e = provide(&[(AWS_SECRET_ACCESS_KEY, "SECRET")]).unwrap_err();
        assert_eq!(
            invalid(&e),
            (
                "environment".to_owned(),
                "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not".to_owned()
            )
        );
        assert!(!e.to_string().contains("SECRET\""));
        assert!(!format!("{e:?}").contains("\"SECRET"));
    }

    #[test]
    fn bad_expiration_is_an_error_without_the_value() {
        let e = provide(&[
            (AWS_ACCESS_KEY_ID, "AKID"),
            (AWS_SECRET_ACCESS_KEY, "SECRET"),
            (AWS_CREDENTIAL_EXPIRATION, "next-tuesday"),
        ])
        .unwrap_err();
        match &e {
            CredentialsError::InvalidConfiguration { provider, message } => assert_eq!(
                (provider.as_str(), message.as_str()),
                (
                    "environment",
                    "AWS_CREDENTIAL_EXPIRATION: not an RFC 3339 timestamp"
                )
            ),
            other => panic!("expected InvalidConfiguration: {other:?}"),
        }
        assert!(!format!("{e} {e:?}").contains("next-tuesday"));
    }
}
