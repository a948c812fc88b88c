//! The credentials a signature is made with.
//!
//! One type for every entry point: the core ([`SigningParams::new`]), the
//! `http` adapter, S3 presigning and the API client all take
//! `&Credentials`, and under `std` a `Credentials` value is itself a
//! credentials provider (it provides itself).
//!
//! [`SigningParams::new`]: super::SigningParams::new

use alloc::string::String;
use core::fmt;
use zeroize::Zeroizing;

/// A set of AWS credentials: access key id, secret access key, an optional
/// session token and (under `std`) an optional expiry, and the name of the
/// source that produced them.
///
/// The secret and token are zeroized on drop and never shown by `Debug` or
/// `Display`.
///
/// ```
/// use sigv4::Credentials;
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
    #[cfg(feature = "std")]
    expires_at: Option<std::time::SystemTime>,
    source: String,
}

impl Credentials {
    /// Long-term credentials (no token, no expiry), source `"static"`.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: Zeroizing::new(secret_access_key.into()),
            session_token: None,
            #[cfg(feature = "std")]
            expires_at: None,
            source: String::from("static"),
        }
    }

    /// Adds a session token (temporary credentials).
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(Zeroizing::new(token.into()));
        self
    }

    /// Sets when the credentials expire.
    #[cfg(feature = "std")]
    pub fn with_expiry(mut self, expires_at: std::time::SystemTime) -> Self {
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
    #[cfg(feature = "std")]
    pub fn expires_at(&self) -> Option<std::time::SystemTime> {
        self.expires_at
    }

    /// True when they expire at or before `now`.
    #[cfg(feature = "std")]
    pub fn is_expired_at(&self, now: std::time::SystemTime) -> bool {
        self.expires_at.is_some_and(|e| e <= now)
    }

    /// Where they came from.
    pub fn source(&self) -> &str {
        &self.source
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Credentials");
        d.field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            );
        #[cfg(feature = "std")]
        d.field("expires_at", &self.expires_at);
        d.field("source", &self.source).finish()
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
    use alloc::format;
    use alloc::string::ToString;

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

    #[cfg(feature = "std")]
    #[test]
    fn expiry() {
        let now = std::time::SystemTime::now();
        let c = Credentials::new("a", "b");
        assert!(!c.is_expired_at(now));
        let c = c.with_expiry(now);
        assert!(c.is_expired_at(now));
        assert!(!c.is_expired_at(now - core::time::Duration::from_secs(1)));
    }
}
