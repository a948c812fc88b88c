//! [`CredentialsError`] and [`SkipReason`].

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use crate::config::env_vars::{
    AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
};
use crate::config::ProfileLoadError;

/// Why a provider had nothing to offer, which is not an error: the chain
/// moves on to the next provider.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// No explicit credentials were given.
    NoExplicitCredentials,
    /// None of these environment variables is set (or all are blank).
    VariablesUnset(Vec<&'static str>),
    /// The environment is not consulted because a profile was chosen
    /// explicitly (as the AWS CLI does for `--profile`).
    ExplicitProfile {
        /// The chosen profile.
        profile: String,
    },
    /// The selected profile is in neither file.
    ProfileMissing {
        /// The profile's name.
        profile: String,
    },
    /// The profile exists but holds no keys and no `credential_process`.
    NoCredentialsInProfile {
        /// The profile's name.
        profile: String,
    },
    /// No `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or
    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
    ContainerNotConfigured,
    /// The instance metadata service is turned off.
    ImdsDisabled {
        /// How (`AWS_EC2_METADATA_DISABLED=true`, or a 403 from the service).
        reason: String,
    },
    /// The instance metadata service could not be reached: this is not an
    /// EC2 instance (or its metadata endpoint is blocked).
    NotOnEc2 {
        /// What failed (connect error, timeout...).
        detail: String,
    },
    /// The instance has no IAM role (instance profile) attached.
    NoInstanceRole,
    /// No HTTP transport was configured for a provider that needs one.
    NoTransport,
    /// Anything else (for providers outside this crate).
    Other(String),
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::NoExplicitCredentials => f.write_str("no explicit credentials given"),
            SkipReason::VariablesUnset(names) => {
                write!(
                    f,
                    "environment variable{} ",
                    if names.len() == 1 { "" } else { "s" }
                )?;
                for (i, name) in names.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(name)?;
                }
                f.write_str(" not set")
            }
            SkipReason::ExplicitProfile { profile } => write!(
                f,
                "profile `{profile}` was chosen explicitly, so environment credentials are not used"
            ),
            SkipReason::ProfileMissing { profile } => {
                write!(
                    f,
                    "profile `{profile}` not found in the shared config or credentials file"
                )
            }
            SkipReason::NoCredentialsInProfile { profile } => write!(
                f,
                "profile `{profile}` has no aws_access_key_id and no credential_process"
            ),
            SkipReason::ContainerNotConfigured => write!(
                f,
                "No environment variables were set to configure ECS provider \
                 ({AWS_CONTAINER_CREDENTIALS_RELATIVE_URI}, {AWS_CONTAINER_CREDENTIALS_FULL_URI})"
            ),
            SkipReason::ImdsDisabled { reason } => write!(f, "IMDS disabled: {reason}"),
            SkipReason::NotOnEc2 { detail } => {
                write!(
                    f,
                    "not on EC2: instance metadata service unreachable ({detail})"
                )
            }
            SkipReason::NoInstanceRole => f.write_str("no IAM role attached to this instance"),
            SkipReason::NoTransport => f.write_str("no HTTP transport configured"),
            SkipReason::Other(reason) => f.write_str(reason),
        }
    }
}

/// Why credentials could not be obtained.
///
/// Messages name the provider, the file, variable, URL or status involved,
/// never a secret value. [`NotLoaded`](Self::NotLoaded) is not really a
/// failure: it tells a chain to try the next provider.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum CredentialsError {
    /// The provider is not set up here (see [`SkipReason`]).
    NotLoaded {
        /// The provider's name.
        provider: String,
        /// Why.
        reason: SkipReason,
    },
    /// The provider is set up, but wrongly (partial keys, an invalid URI,
    /// a disallowed host, an unreadable token file...).
    InvalidConfiguration {
        /// The provider's name.
        provider: String,
        /// What is wrong.
        message: String,
    },
    /// A shared config or credentials file could not be read or parsed.
    ProfileFiles {
        /// The provider's name.
        provider: String,
        /// The load error (names the file).
        source: Arc<ProfileLoadError>,
    },
    /// The credential service could not be reached (no response).
    Unreachable {
        /// The provider's name.
        provider: String,
        /// What was tried.
        message: String,
        /// The transport error, if any.
        source: Option<Arc<dyn StdError + Send + Sync>>,
    },
    /// The credential source answered with something unusable (an
    /// unexpected status, malformed JSON, missing fields).
    InvalidResponse {
        /// The provider's name.
        provider: String,
        /// What was wrong.
        message: String,
    },
    /// The credential source reported a failure (a `credential_process`
    /// exit status, an error document, an IMDS `Code` other than
    /// `Success`...).
    ProviderFailed {
        /// The provider's name.
        provider: String,
        /// What it said.
        message: String,
    },
    /// Every provider of a chain was skipped.
    NoCredentials {
        /// Each provider's name and why it was skipped.
        skipped: Vec<(String, SkipReason)>,
    },
}

impl CredentialsError {
    /// A [`NotLoaded`](Self::NotLoaded) error.
    pub fn not_loaded(provider: impl Into<String>, reason: SkipReason) -> Self {
        CredentialsError::NotLoaded {
            provider: provider.into(),
            reason,
        }
    }

    /// An [`InvalidConfiguration`](Self::InvalidConfiguration) error.
    pub fn invalid_configuration(provider: impl Into<String>, message: impl Into<String>) -> Self {
        CredentialsError::InvalidConfiguration {
            provider: provider.into(),
            message: message.into(),
        }
    }

    /// An [`InvalidResponse`](Self::InvalidResponse) error.
    pub fn invalid_response(provider: impl Into<String>, message: impl Into<String>) -> Self {
        CredentialsError::InvalidResponse {
            provider: provider.into(),
            message: message.into(),
        }
    }

    /// A [`ProviderFailed`](Self::ProviderFailed) error.
    pub fn provider_failed(provider: impl Into<String>, message: impl Into<String>) -> Self {
        CredentialsError::ProviderFailed {
            provider: provider.into(),
            message: message.into(),
        }
    }

    /// An [`Unreachable`](Self::Unreachable) error with its cause.
    pub fn unreachable(
        provider: impl Into<String>,
        message: impl Into<String>,
        source: Option<Arc<dyn StdError + Send + Sync>>,
    ) -> Self {
        CredentialsError::Unreachable {
            provider: provider.into(),
            message: message.into(),
            source,
        }
    }

    /// The provider the error is about (`None` for
    /// [`NoCredentials`](Self::NoCredentials)).
    pub fn provider(&self) -> Option<&str> {
        match self {
            CredentialsError::NotLoaded { provider, .. }
            | CredentialsError::InvalidConfiguration { provider, .. }
            | CredentialsError::ProfileFiles { provider, .. }
            | CredentialsError::Unreachable { provider, .. }
            | CredentialsError::InvalidResponse { provider, .. }
            | CredentialsError::ProviderFailed { provider, .. } => Some(provider),
            CredentialsError::NoCredentials { .. } => None,
        }
    }

    /// Why the provider was skipped, for [`NotLoaded`](Self::NotLoaded).
    pub fn skip_reason(&self) -> Option<&SkipReason> {
        match self {
            CredentialsError::NotLoaded { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// The same error reported by `provider`, its message (if it has one)
    /// prefixed with `what` (the call or setting it is about): how a
    /// provider that delegates to another, or to STS, names itself.
    pub fn within(self, provider: &str, what: &str) -> Self {
        let prefixed = |message: String| format!("{what}: {message}");
        match self {
            CredentialsError::NotLoaded { reason, .. } => {
                CredentialsError::not_loaded(provider, reason)
            }
            CredentialsError::InvalidConfiguration { message, .. } => {
                CredentialsError::invalid_configuration(provider, prefixed(message))
            }
            CredentialsError::ProfileFiles { source, .. } => CredentialsError::ProfileFiles {
                provider: provider.into(),
                source,
            },
            CredentialsError::Unreachable {
                message, source, ..
            } => CredentialsError::unreachable(provider, prefixed(message), source),
            CredentialsError::InvalidResponse { message, .. } => {
                CredentialsError::invalid_response(provider, prefixed(message))
            }
            CredentialsError::ProviderFailed { message, .. } => {
                CredentialsError::provider_failed(provider, prefixed(message))
            }
            e @ CredentialsError::NoCredentials { .. } => e,
        }
    }

    /// True for [`NotLoaded`](Self::NotLoaded): the provider is not set up,
    /// so a chain tries the next one.
    pub fn is_not_loaded(&self) -> bool {
        matches!(self, CredentialsError::NotLoaded { .. })
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialsError::NotLoaded { provider, reason } => {
                write!(f, "{provider}: no credentials: {reason}")
            }
            CredentialsError::InvalidConfiguration { provider, message } => {
                write!(f, "{provider}: invalid configuration: {message}")
            }
            CredentialsError::ProfileFiles { provider, source } => {
                write!(f, "{provider}: {source}")
            }
            CredentialsError::Unreachable {
                provider,
                message,
                source,
            } => {
                write!(f, "{provider}: {message}")?;
                if let Some(source) = source {
                    write!(f, ": {source}")?;
                }
                Ok(())
            }
            CredentialsError::InvalidResponse { provider, message } => {
                write!(f, "{provider}: invalid response: {message}")
            }
            CredentialsError::ProviderFailed { provider, message } => {
                write!(f, "{provider}: {message}")
            }
            CredentialsError::NoCredentials { skipped } => {
                f.write_str("no credentials found")?;
                for (i, (name, reason)) in skipped.iter().enumerate() {
                    f.write_str(if i == 0 { ": " } else { "; " })?;
                    write!(f, "{name}: {reason}")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(feature = "client")]
impl From<crate::api::CallError> for CredentialsError {
    /// A failed STS call as an error of provider `sts`: unreachable (no
    /// response), an invalid response (unreadable answer), or a failure
    /// (the service's error, a request that could not be built). Providers
    /// name themselves and the call with [`within`](Self::within).
    fn from(e: crate::api::CallError) -> Self {
        use crate::api::CallError;
        const STS: &str = "sts";
        match e {
            CallError::Transport { source, attempts } => CredentialsError::unreachable(
                STS,
                format!("STS unreachable after {attempts} attempt(s)"),
                Some(Arc::new(source)),
            ),
            e @ CallError::Parse { .. } => CredentialsError::invalid_response(STS, e.to_string()),
            e => CredentialsError::provider_failed(STS, e.to_string()),
        }
    }
}

impl StdError for CredentialsError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            CredentialsError::ProfileFiles { source, .. } => Some(&**source),
            CredentialsError::Unreachable {
                source: Some(source),
                ..
            } => Some(&**source as &(dyn StdError + 'static)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display() {
        let e = CredentialsError::not_loaded(
            "environment",
            SkipReason::VariablesUnset(vec!["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]),
        );
        assert_eq!(
            e.to_string(),
            "environment: no credentials: environment variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY not set"
        );
        assert!(e.is_not_loaded());
        assert_eq!(e.provider(), Some("environment"));
        let e = CredentialsError::NoCredentials {
            skipped: vec![
                ("explicit".into(), SkipReason::NoExplicitCredentials),
                ("imds".into(), SkipReason::NoInstanceRole),
            ],
        };
        assert_eq!(
            e.to_string(),
            "no credentials found: explicit: no explicit credentials given; imds: no IAM role attached to this instance"
        );
        assert_eq!(e.provider(), None);
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let e = CredentialsError::unreachable("container", "GET http://x/", Some(Arc::new(io)));
        assert_eq!(e.to_string(), "container: GET http://x/: refused");
        assert_eq!(
            e.source().map(|s| s.to_string()).as_deref(),
            Some("refused")
        );
    }

    #[test]
    fn within_names_the_provider_and_the_call() {
        let e = CredentialsError::provider_failed("sts", "AccessDenied (HTTP 403)")
            .within("assume-role", "profile `dev`: AssumeRole arn:r");
        assert_eq!(
            e.to_string(),
            "assume-role: profile `dev`: AssumeRole arn:r: AccessDenied (HTTP 403)"
        );
        let skipped = CredentialsError::not_loaded("x", SkipReason::NoTransport).within("y", "z");
        assert_eq!(skipped.provider(), Some("y"));
        assert_eq!(skipped.skip_reason(), Some(&SkipReason::NoTransport));
    }

    #[cfg(feature = "client")]
    #[test]
    fn call_errors_convert() {
        use crate::api::CallError;
        use crate::transport::{TransportError, TransportErrorKind};
        let t = TransportError::new(TransportErrorKind::Connect, "refused")
            .with_request("POST", "https://sts.amazonaws.com/");
        let e = CredentialsError::from(CallError::Transport {
            source: t,
            attempts: 3,
        })
        .within("web-identity", "AssumeRoleWithWebIdentity arn:r");
        match &e {
            CredentialsError::Unreachable {
                provider,
                source: Some(source),
                ..
            } => {
                assert_eq!(provider, "web-identity");
                let t = source
                    .downcast_ref::<TransportError>()
                    .expect("the transport error");
                assert_eq!(t.kind(), TransportErrorKind::Connect);
            }
            other => panic!("expected Unreachable with its cause: {other:?}"),
        }
        assert_eq!(
            e.to_string(),
            "web-identity: AssumeRoleWithWebIdentity arn:r: STS unreachable after 3 attempt(s): \
             POST https://sts.amazonaws.com/: connection failed: refused"
        );
        let e = CredentialsError::from(CallError::parse("sts:AssumeRole", "missing <Arn>"));
        match &e {
            CredentialsError::InvalidResponse { provider, message } => assert_eq!(
                (provider.as_str(), message.as_str()),
                ("sts", "sts:AssumeRole: unreadable response: missing <Arn>")
            ),
            other => panic!("expected InvalidResponse: {other:?}"),
        }
    }
}
