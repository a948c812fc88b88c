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

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use zeroize::Zeroizing;

use crate::sign::{SigningParams, SigningTime};

mod error;
pub(crate) mod json;
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

/// Parses an RFC 3339 timestamp (`2030-01-01T00:00:00Z`) as used by every
/// credential source for `Expiration`. The error holds no input text.
pub(crate) fn parse_rfc3339(text: &str) -> Result<SystemTime, &'static str> {
    let parsed =
        time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
            .map_err(|_| "not an RFC 3339 timestamp")?;
    let secs = parsed.unix_timestamp();
    let nanos = parsed.nanosecond();
    let base = if secs >= 0 {
        SystemTime::UNIX_EPOCH.checked_add(std::time::Duration::from_secs(secs.unsigned_abs()))
    } else {
        SystemTime::UNIX_EPOCH.checked_sub(std::time::Duration::from_secs(secs.unsigned_abs()))
    };
    base.and_then(|t| t.checked_add(std::time::Duration::from_nanos(u64::from(nanos))))
        .ok_or("timestamp out of range")
}

/// Formats a time as RFC 3339 UTC with second precision, for reports.
pub fn format_rfc3339(t: SystemTime) -> String {
    let secs = match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    };
    match time::OffsetDateTime::from_unix_timestamp(secs) {
        Ok(dt) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            dt.year(),
            u8::from(dt.month()),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        ),
        Err(_) => format!("<{secs} s since 1970>"),
    }
}

/// A set of AWS credentials.
///
/// ```
/// use sigv4::credentials::Credentials;
/// let c = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
///     .with_session_token("token")
///     .with_source("explicit");
/// let shown = format!("{c:?} {c}");
/// assert!(shown.contains("AKIDEXAMPLE"));
/// assert!(!shown.contains("wJalrXUtnFEMI") && !shown.contains("token\""));
/// ```
#[derive(Clone)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: Zeroizing<String>,
    session_token: Option<Zeroizing<String>>,
    expires_at: Option<SystemTime>,
    source: String,
}

impl Credentials {
    /// Long-term credentials (no token, no expiry), source `"static"`.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: Zeroizing::new(secret_access_key.into()),
            session_token: None,
            expires_at: None,
            source: "static".into(),
        }
    }

    /// Adds a session token (temporary credentials).
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(Zeroizing::new(token.into()));
        self
    }

    /// Sets when the credentials expire.
    pub fn with_expiry(mut self, expires_at: SystemTime) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// Names the source that produced them (`"environment"`, `"profile:dev"`, ...).
    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = source.into();
        self
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret access key. Handle with care: never log it.
    pub fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }

    /// The session token, for temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref().map(String::as_str)
    }

    /// When they expire, if they do.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// Where they came from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// True when they expire at or before `now`.
    pub fn is_expired_at(&self, now: SystemTime) -> bool {
        self.expires_at.is_some_and(|e| e <= now)
    }

    /// Signing parameters for `region` and `service` at `time`, with the
    /// service's default settings.
    pub fn signing_params<'a>(
        &'a self,
        region: &'a str,
        service: &'a str,
        time: SigningTime,
    ) -> SigningParams<'a> {
        SigningParams::new(
            &self.access_key_id,
            &self.secret_access_key,
            region,
            service,
            time,
        )
        .session_token(self.session_token())
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_at", &self.expires_at)
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (from {})", self.access_key_id, self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        let c = Credentials::new("AKID", "SECRETVALUE").with_session_token("TOKENVALUE");
        for shown in [format!("{c:?}"), format!("{c:#?}"), c.to_string()] {
            assert!(
                !shown.contains("SECRETVALUE") && !shown.contains("TOKENVALUE"),
                "{shown}"
            );
            assert!(shown.contains("AKID"));
        }
        assert_eq!(c.secret_access_key(), "SECRETVALUE");
        assert_eq!(c.session_token(), Some("TOKENVALUE"));
    }

    #[test]
    fn rfc3339_round_trip() {
        let t = parse_rfc3339("2030-01-02T03:04:05Z").unwrap();
        assert_eq!(format_rfc3339(t), "2030-01-02T03:04:05Z");
        let t = parse_rfc3339(" 2030-01-02T05:04:05.5+02:00 ").unwrap();
        assert_eq!(format_rfc3339(t), "2030-01-02T03:04:05Z");
        assert_eq!(
            t.duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .subsec_millis(),
            500
        );
        assert!(parse_rfc3339("1960-01-01T00:00:00Z").is_ok());
        for bad in ["", "2030-01-02", "tomorrow", "2030-13-01T00:00:00Z"] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn expiry() {
        let now = SystemTime::now();
        let c = Credentials::new("a", "b");
        assert!(!c.is_expired_at(now));
        let c = c.with_expiry(now);
        assert!(c.is_expired_at(now));
        assert!(!c.is_expired_at(now - std::time::Duration::from_secs(1)));
    }
}
