//! The async secret lookup: access key id (and session token, when the
//! request carries one) to secret, or a typed refusal.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use zeroize::Zeroizing;

/// What the verifier asks for: who claims to have signed.
///
/// `Debug` shows the access key id, never the session token.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretRequest {
    access_key_id: String,
    session_token: Option<Zeroizing<String>>,
}

impl SecretRequest {
    /// A request for `access_key_id`'s secret, with the session token the
    /// request carried (`x-amz-security-token` or `X-Amz-Security-Token`).
    pub fn new(access_key_id: impl Into<String>, session_token: Option<String>) -> Self {
        SecretRequest {
            access_key_id: access_key_id.into(),
            session_token: session_token.map(Zeroizing::new),
        }
    }

    /// The access key id of the signature.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The session token the request carried, if any. The lookup decides
    /// whether it is valid (and refuses with [`LookupError::InvalidToken`]
    /// or [`LookupError::ExpiredToken`]); the signature check then proves
    /// the client holds the matching secret.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref().map(String::as_str)
    }
}

impl fmt::Debug for SecretRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretRequest")
            .field("access_key_id", &self.access_key_id)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// A secret access key, zeroized on drop; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps `secret`.
    pub fn new(secret: impl Into<String>) -> Self {
        Secret(Zeroizing::new(secret.into()))
    }

    /// The secret itself (for the verifier).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Why the lookup gives no secret. Each is answered with S3's error code
/// before the signature is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LookupError {
    /// The access key id is unknown: `InvalidAccessKeyId` (403).
    InvalidAccessKeyId,
    /// The session token is not valid for this key, or one is required
    /// and missing: `InvalidToken` (400).
    InvalidToken,
    /// The session token has expired: `ExpiredToken` (400).
    ExpiredToken,
    /// The store of secrets failed (`reason` is logged by no one here and
    /// sent to the client as the message): `InternalError` (500).
    Unavailable {
        /// What went wrong, without secrets.
        reason: String,
    },
}

impl LookupError {
    /// S3's error code for this refusal.
    pub fn s3_code(&self) -> &'static str {
        match self {
            LookupError::InvalidAccessKeyId => "InvalidAccessKeyId",
            LookupError::InvalidToken => "InvalidToken",
            LookupError::ExpiredToken => "ExpiredToken",
            LookupError::Unavailable { .. } => "InternalError",
        }
    }

    /// The HTTP status S3 answers this refusal with.
    pub fn status(&self) -> u16 {
        match self {
            LookupError::InvalidAccessKeyId => 403,
            LookupError::InvalidToken | LookupError::ExpiredToken => 400,
            LookupError::Unavailable { .. } => 500,
        }
    }
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupError::InvalidAccessKeyId => {
                f.write_str("The AWS Access Key Id you provided does not exist in our records.")
            }
            LookupError::InvalidToken => {
                f.write_str("The provided token is malformed or otherwise invalid.")
            }
            LookupError::ExpiredToken => f.write_str("The provided token has expired."),
            LookupError::Unavailable { reason } => {
                write!(f, "the secret lookup failed: {reason}")
            }
        }
    }
}

impl std::error::Error for LookupError {}

/// The future a [`SecretLookup`] returns.
pub type LookupFuture<'a> = Pin<Box<dyn Future<Output = Result<Secret, LookupError>> + Send + 'a>>;

/// Where the verifier gets secrets: a database, a secrets manager, a map.
///
/// Implemented for [`StaticSecrets`] and, through [`lookup_fn`], for any
/// async closure.
pub trait SecretLookup: Send + Sync {
    /// The secret of `request.access_key_id()`, or why there is none.
    fn lookup(&self, request: SecretRequest) -> LookupFuture<'_>;
}

/// A fixed set of long-term keys (no session tokens: a request carrying
/// one is refused with [`LookupError::InvalidToken`]).
///
/// ```
/// use sigv4::server::{LookupError, SecretLookup, SecretRequest, StaticSecrets};
/// let secrets = StaticSecrets::new().with_key("AKIDEXAMPLE", "secret");
/// let found = pollster::block_on(secrets.lookup(SecretRequest::new("AKIDEXAMPLE", None)));
/// assert_eq!(found.unwrap().expose(), "secret");
/// let unknown = pollster::block_on(secrets.lookup(SecretRequest::new("AKIDOTHER", None)));
/// assert_eq!(unknown.unwrap_err(), LookupError::InvalidAccessKeyId);
/// ```
#[derive(Clone, Default)]
pub struct StaticSecrets {
    keys: HashMap<String, Secret>,
}

impl StaticSecrets {
    /// No keys.
    pub fn new() -> Self {
        StaticSecrets::default()
    }

    /// Adds (or replaces) a key pair.
    pub fn with_key(mut self, access_key_id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.keys.insert(access_key_id.into(), Secret::new(secret));
        self
    }
}

impl fmt::Debug for StaticSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticSecrets")
            .field("access_key_ids", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl SecretLookup for StaticSecrets {
    fn lookup(&self, request: SecretRequest) -> LookupFuture<'_> {
        let found = match (
            self.keys.get(request.access_key_id()),
            request.session_token(),
        ) {
            (None, _) => Err(LookupError::InvalidAccessKeyId),
            (Some(_), Some(_)) => Err(LookupError::InvalidToken),
            (Some(secret), None) => Ok(secret.clone()),
        };
        Box::pin(std::future::ready(found))
    }
}

/// A [`SecretLookup`] from an async closure (see [`lookup_fn`]).
#[derive(Clone)]
pub struct LookupFn<F>(F);

impl<F> fmt::Debug for LookupFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LookupFn")
    }
}

/// A [`SecretLookup`] from a closure returning a future: temporary
/// credentials checked against a session store, keys from a database.
///
/// ```
/// use sigv4::server::{lookup_fn, LookupError, Secret, SecretLookup, SecretRequest};
/// let lookup = lookup_fn(|request: SecretRequest| async move {
///     match (request.access_key_id(), request.session_token()) {
///         ("ASIAEXAMPLE", Some("token-1")) => Ok(Secret::new("temporary secret")),
///         ("ASIAEXAMPLE", Some(_)) => Err(LookupError::ExpiredToken),
///         ("ASIAEXAMPLE", None) => Err(LookupError::InvalidToken),
///         _ => Err(LookupError::InvalidAccessKeyId),
///     }
/// });
/// let request = SecretRequest::new("ASIAEXAMPLE", Some("old".into()));
/// assert_eq!(pollster::block_on(lookup.lookup(request)).unwrap_err(), LookupError::ExpiredToken);
/// ```
pub fn lookup_fn<F, Fut>(f: F) -> LookupFn<F>
where
    F: Fn(SecretRequest) -> Fut + Send + Sync,
    Fut: Future<Output = Result<Secret, LookupError>> + Send + 'static,
{
    LookupFn(f)
}

impl<F, Fut> SecretLookup for LookupFn<F>
where
    F: Fn(SecretRequest) -> Fut + Send + Sync,
    Fut: Future<Output = Result<Secret, LookupError>> + Send + 'static,
{
    fn lookup(&self, request: SecretRequest) -> LookupFuture<'_> {
        Box::pin((self.0)(request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_tokens_stay_out_of_debug() {
        let request = SecretRequest::new("AKID", Some("the-token".into()));
        let shown = format!("{request:?}");
        assert!(
            shown.contains("AKID") && !shown.contains("the-token"),
            "{shown}"
        );
        let secrets = StaticSecrets::new().with_key("AKID", "the-secret");
        let shown = format!("{secrets:?} {:?}", Secret::new("the-secret"));
        assert!(
            shown.contains("AKID") && !shown.contains("the-secret"),
            "{shown}"
        );
    }

    #[test]
    fn static_secrets_refuse_session_tokens() {
        let secrets = StaticSecrets::new().with_key("AKID", "s");
        let got = pollster::block_on(secrets.lookup(SecretRequest::new("AKID", Some("t".into()))));
        assert_eq!(got, Err(LookupError::InvalidToken));
        assert_eq!(LookupError::InvalidToken.status(), 400);
        assert_eq!(LookupError::InvalidAccessKeyId.status(), 403);
    }
}
