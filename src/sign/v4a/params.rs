//! SigV4a signing parameters: who signs, for which region set and service,
//! when, by which rules.

use core::fmt;

use super::key::EcdsaKey;
use super::key_cache::EcdsaKeyCache;
use super::string_to_sign::Scope;
use crate::sign::canonical_headers::check_value;
use crate::sign::scope::is_scope_part;
use crate::sign::{Credentials, Error, SigningSettings, SigningTime};

/// True when `set` is a valid `X-Amz-Region-Set` value: `*`, or one or
/// more comma-separated region names (each non-empty, without whitespace,
/// `/` or control characters; a `*` inside a name is a wildcard to AWS and
/// passed as is).
///
/// ```
/// use sigv4::sign::v4a::is_valid_region_set;
/// assert!(is_valid_region_set("*"));
/// assert!(is_valid_region_set("us-east-1,eu-west-1"));
/// assert!(!is_valid_region_set(""));
/// assert!(!is_valid_region_set("us-east-1,"));
/// assert!(!is_valid_region_set("us-east-1, eu-west-1"));
/// ```
pub fn is_valid_region_set(set: &str) -> bool {
    !set.is_empty() && set.split(',').all(is_scope_part)
}

/// True when `region` is one of `set`'s regions, or `set` contains `*`.
///
/// ```
/// use sigv4::sign::v4a::region_set_contains;
/// assert!(region_set_contains("*", "ap-south-1"));
/// assert!(region_set_contains("us-east-1,eu-west-1", "eu-west-1"));
/// assert!(!region_set_contains("us-east-1,eu-west-1", "eu-west-2"));
/// ```
pub fn region_set_contains(set: &str, region: &str) -> bool {
    set.split(',').any(|r| r == "*" || r == region)
}

/// SigV4a parameters: like [`crate::sign::SigningParams`], with a region
/// set instead of a region and a key pair cache instead of a signing-key
/// cache.
///
/// Borrowed and `Copy`. `Debug` never shows the secret or the session token.
///
/// ```
/// use sigv4::sign::v4a::SigningParams;
/// use sigv4::sign::{SigningSettings, SigningTime};
/// use sigv4::Credentials;
///
/// let credentials = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
/// let time = SigningTime::parse_amz_date("20150830T123600Z")?;
/// let params = SigningParams::new(&credentials, "*", "s3", time);
/// assert_eq!(params.settings(), SigningSettings::s3());
/// assert_eq!(params.region_set(), "*");
/// assert!(!format!("{params:?}").contains("wJalrXUtnFEMI"));
/// # Ok::<(), sigv4::sign::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct SigningParams<'a> {
    pub(crate) access_key_id: &'a str,
    pub(crate) secret_access_key: &'a str,
    pub(crate) session_token: Option<&'a str>,
    pub(crate) region_set: &'a str,
    pub(crate) service: &'a str,
    pub(crate) time: SigningTime,
    pub(crate) settings: SigningSettings,
    pub(crate) key_cache: Option<&'a EcdsaKeyCache>,
}

impl fmt::Debug for SigningParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningParams")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("session_token", &self.session_token.map(|_| "<redacted>"))
            .field("region_set", &self.region_set)
            .field("service", &self.service)
            .field("time", &self.time)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl<'a> SigningParams<'a> {
    /// Parameters for `credentials` (their session token included), the
    /// `region_set` (`*`, one region or `r1,r2`), the settings of
    /// `service` ([`SigningSettings::for_service`]) and the process-wide
    /// key cache ([`EcdsaKeyCache::global`]).
    pub fn new(
        credentials: &'a Credentials,
        region_set: &'a str,
        service: &'a str,
        time: SigningTime,
    ) -> Self {
        Self::from_keys(
            credentials.access_key_id(),
            credentials.secret_access_key(),
            credentials.session_token(),
            region_set,
            service,
            time,
        )
    }

    /// The same from borrowed keys.
    pub(crate) fn from_keys(
        access_key_id: &'a str,
        secret_access_key: &'a str,
        session_token: Option<&'a str>,
        region_set: &'a str,
        service: &'a str,
        time: SigningTime,
    ) -> Self {
        SigningParams {
            access_key_id,
            secret_access_key,
            session_token,
            region_set,
            service,
            time,
            settings: SigningSettings::for_service(service),
            key_cache: Some(EcdsaKeyCache::global()),
        }
    }

    /// Replaces the rules chosen from the service.
    pub fn with_settings(mut self, settings: SigningSettings) -> Self {
        self.settings = settings;
        self
    }

    /// Uses `cache` for the key pair instead of [`EcdsaKeyCache::global`].
    pub fn with_key_cache(mut self, cache: &'a EcdsaKeyCache) -> Self {
        self.key_cache = Some(cache);
        self
    }

    /// Derives the key pair afresh for every signature (no copy of the
    /// secret is kept anywhere).
    pub fn without_key_cache(mut self) -> Self {
        self.key_cache = None;
        self
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &'a str {
        self.access_key_id
    }

    /// The session token, when the credentials have one.
    pub fn session_token(&self) -> Option<&'a str> {
        self.session_token
    }

    /// The region set signed in `X-Amz-Region-Set`.
    pub fn region_set(&self) -> &'a str {
        self.region_set
    }

    /// The service in the scope.
    pub fn service(&self) -> &'a str {
        self.service
    }

    /// The signing time.
    pub fn time(&self) -> SigningTime {
        self.time
    }

    /// The rules in force.
    pub fn settings(&self) -> SigningSettings {
        self.settings
    }

    /// The region-less credential scope.
    pub fn scope(&self) -> Scope<'a> {
        Scope {
            date: self.time,
            service: self.service,
        }
    }

    /// The key pair that signs (from the cache when there is one).
    pub fn key(&self) -> Result<EcdsaKey, Error> {
        match self.key_cache {
            Some(c) => c.get(self.access_key_id, self.secret_access_key),
            None => EcdsaKey::derive(self.access_key_id, self.secret_access_key),
        }
    }

    /// The public key of the signing key (from the cache when there is
    /// one, computed at most once per access key there).
    pub fn public_key(&self) -> Result<super::key::PublicKey, Error> {
        match self.key_cache {
            Some(c) => c.public_key(self.access_key_id, self.secret_access_key),
            None => Ok(EcdsaKey::derive(self.access_key_id, self.secret_access_key)?.public_key()),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        if !is_valid_region_set(self.region_set) {
            return Err(Error::InvalidScope { part: "region set" });
        }
        if !is_scope_part(self.service) {
            return Err(Error::InvalidScope { part: "service" });
        }
        if !is_scope_part(self.access_key_id) {
            return Err(Error::InvalidScope {
                part: "access key id",
            });
        }
        if let Some(t) = self.session_token {
            if t.is_empty() || check_value(t.as_bytes()).is_err() || t.contains(['\r', '\n']) {
                return Err(Error::InvalidSessionToken);
            }
        }
        Ok(())
    }
}
