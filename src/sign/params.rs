//! Signing parameters: who signs, for which region and service, when, by
//! which rules.

use core::fmt;

use super::canonical_headers::check_value;
use super::key::SigningKey;
use super::key_cache::SigningKeyCache;
use super::scope::{is_scope_part, Scope};
use super::{Credentials, Error, SigningSettings, SigningTime};

/// Who signs, for which region and service, at what time, by which rules.
///
/// Borrowed and `Copy`. `Debug` never shows the secret or the session token.
///
/// ```
/// use sigv4::sign::{SigningParams, SigningSettings, SigningTime};
/// use sigv4::Credentials;
///
/// let credentials = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
/// let time = SigningTime::parse_amz_date("20150830T123600Z")?;
/// let params = SigningParams::new(&credentials, "us-east-1", "s3", time);
/// assert_eq!(params.settings(), SigningSettings::s3()); // chosen from the service
/// assert!(!format!("{params:?}").contains("wJalrXUtnFEMI"));
/// # Ok::<(), sigv4::sign::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct SigningParams<'a> {
    pub(crate) access_key_id: &'a str,
    pub(crate) secret_access_key: &'a str,
    pub(crate) session_token: Option<&'a str>,
    pub(crate) region: &'a str,
    pub(crate) service: &'a str,
    pub(crate) time: SigningTime,
    pub(crate) settings: SigningSettings,
    pub(crate) key_cache: Option<&'a SigningKeyCache>,
    /// What [`validate`](Self::validate) finds, worked out once when the
    /// parameters are made (they are immutable after), not per signature.
    problem: Option<Problem>,
}

/// Why parameters cannot sign (a copyable form of the [`Error`]).
#[derive(Clone, Copy, Debug)]
enum Problem {
    Scope(&'static str),
    SessionToken,
}

impl fmt::Debug for SigningParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningParams")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("session_token", &self.session_token.map(|_| "<redacted>"))
            .field("region", &self.region)
            .field("service", &self.service)
            .field("time", &self.time)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl<'a> SigningParams<'a> {
    /// Parameters for `credentials` (their session token included), with
    /// the settings of `service` ([`SigningSettings::for_service`]) and the
    /// process-wide key cache ([`SigningKeyCache::global`]).
    pub fn new(
        credentials: &'a Credentials,
        region: &'a str,
        service: &'a str,
        time: SigningTime,
    ) -> Self {
        Self::from_keys(
            credentials.access_key_id(),
            credentials.secret_access_key(),
            credentials.session_token(),
            region,
            service,
            time,
            SigningSettings::for_service(service),
        )
    }

    /// The same from borrowed keys and with these rules (the verifier's
    /// path: no allocation, and the rules are the request's).
    pub(crate) fn from_keys(
        access_key_id: &'a str,
        secret_access_key: &'a str,
        session_token: Option<&'a str>,
        region: &'a str,
        service: &'a str,
        time: SigningTime,
        settings: SigningSettings,
    ) -> Self {
        let mut params = SigningParams {
            access_key_id,
            secret_access_key,
            session_token,
            region,
            service,
            time,
            settings,
            key_cache: Some(SigningKeyCache::global()),
            problem: None,
        };
        params.problem = params.check().err();
        params
    }

    /// Replaces the rules chosen from the service.
    pub fn with_settings(mut self, settings: SigningSettings) -> Self {
        self.settings = settings;
        self
    }

    /// Uses `cache` for the signing key instead of the process-wide
    /// [`SigningKeyCache::global`].
    pub fn with_key_cache(mut self, cache: &'a SigningKeyCache) -> Self {
        self.key_cache = Some(cache);
        self
    }

    /// Derives the signing key afresh for every signature (no cache: no
    /// copy of the secret is kept anywhere).
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

    /// The region in the scope.
    pub fn region(&self) -> &'a str {
        self.region
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

    /// The credential scope.
    pub fn scope(&self) -> Scope<'a> {
        Scope {
            date: self.time,
            region: self.region,
            service: self.service,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        match self.problem {
            None => Ok(()),
            Some(Problem::Scope(part)) => Err(Error::InvalidScope { part }),
            Some(Problem::SessionToken) => Err(Error::InvalidSessionToken),
        }
    }

    fn check(&self) -> Result<(), Problem> {
        for (part, value) in [
            ("region", self.region),
            ("service", self.service),
            ("access key id", self.access_key_id),
        ] {
            if !is_scope_part(value) {
                return Err(Problem::Scope(part));
            }
        }
        if let Some(t) = self.session_token {
            if t.is_empty() || check_value(t.as_bytes()).is_err() || t.contains(['\r', '\n']) {
                return Err(Problem::SessionToken);
            }
        }
        Ok(())
    }

    /// The signing key (from the cache when there is one).
    pub(crate) fn signing_key(&self) -> SigningKey {
        let date = self.time.date_stamp();
        match self.key_cache {
            Some(c) => c.get(self.secret_access_key, date, self.region, self.service),
            None => SigningKey::derive(self.secret_access_key, date, self.region, self.service),
        }
    }

    /// HMAC-SHA256 of the string to sign `sts` under the signing key
    /// (from the cache when there is one, which also remembers the
    /// string's first block for the second: see `first_block`).
    pub(crate) fn sign_string_to_sign(&self, sts: &[u8]) -> [u8; 32] {
        let date = self.time.date_stamp();
        match self.key_cache {
            Some(c) => {
                c.sign_string_to_sign(self.secret_access_key, date, self.region, self.service, sts)
            }
            None => SigningKey::derive(self.secret_access_key, date, self.region, self.service)
                .hmac_key()
                .sign(sts),
        }
    }
}
