//! `aws login` sessions (feature `client`): [`LoginProvider`] serves a
//! profile with `login_session` from the AWS CLI's login token cache
//! ([`login_token_cache`](super::login_token_cache)), and refreshes it
//! through the sign-in service's `CreateOAuth2Token` with a DPoP proof
//! ([`api::signin`](crate::api::signin)) when it is within 5 minutes of
//! its expiry, writing the new credentials and refresh token back.
//!
//! The AWS CLI tries it after the credentials file: a profile whose
//! credentials-file entry has keys uses those, so this provider is
//! skipped for it. A session that can no longer be refreshed is an error
//! saying to run `aws login`. The sign-in endpoint follows the
//! service-specific endpoint rules (`AWS_ENDPOINT_URL_SIGNIN`...); its
//! region is the profile's.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::login_token_cache::{default_login_cache_dir, load, login_cache_key, write_refreshed};
use super::sso_token_cache::RefreshWrite;
use super::{Credentials, CredentialsError, ProvideCredentials, SkipReason};
use crate::api::call::Caller;
use crate::api::dpop::DpopKey;
use crate::api::retry::{DefaultRandom, RandomSource};
use crate::api::signin::{RefreshOAuth2Token, SigninErrorKind};
use crate::api::ServiceConfig;
use crate::config::{resolve_region, ConfiguredEndpoints, Env, FileLocations, ProfileSet};
use crate::transport::Transport;
use crate::util::time::{format_rfc3339, unix_seconds};

/// The provider's name in a chain.
pub const NAME: &str = "login";
/// Credentials this close to their expiry are refreshed.
pub const REFRESH_WINDOW: Duration = Duration::from_secs(5 * 60);

/// A random version-4 UUID (the DPoP `jti`).
fn uuid_v4(random: &dyn RandomSource) -> String {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&random.next_u64().to_be_bytes());
    b[8..].copy_from_slice(&random.next_u64().to_be_bytes());
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// Credentials of a `login_session` profile; see the [module docs](self).
pub struct LoginProvider {
    env: Env,
    profile: Option<String>,
    locations: Option<FileLocations>,
    cache_dir: Option<PathBuf>,
    transport: Arc<dyn Transport>,
}

impl fmt::Debug for LoginProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginProvider")
            .field("env", &self.env)
            .field("profile", &self.profile)
            .field("cache_dir", &self.cache_dir)
            .finish_non_exhaustive()
    }
}

impl LoginProvider {
    /// The provider's name in a chain.
    pub const NAME: &'static str = NAME;

    /// Files, profile and home from `env`; calls over `transport`.
    pub fn new(env: Env, transport: Arc<dyn Transport>) -> Self {
        LoginProvider {
            env,
            profile: None,
            locations: None,
            cache_dir: None,
            transport,
        }
    }

    /// Uses profile `name` instead of `AWS_PROFILE` (blank: ignored).
    pub fn with_profile(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        if !name.trim().is_empty() {
            self.profile = Some(name);
        }
        self
    }

    /// Reads exactly these files and this profile.
    pub fn with_locations(mut self, locations: FileLocations) -> Self {
        self.locations = Some(locations);
        self
    }

    /// Reads the login cache from `dir`.
    pub fn with_cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }
}

impl ProvideCredentials for LoginProvider {
    fn provide_with_warnings(
        &self,
        warnings: &mut Vec<String>,
    ) -> Result<Credentials, CredentialsError> {
        let locations = FileLocations::fixed_or_from_env(
            self.locations.as_ref(),
            &self.env,
            self.profile.as_deref(),
        );
        let files = |l: FileLocations| {
            ProfileSet::load_from(&l).map_err(|e| CredentialsError::ProfileFiles {
                provider: NAME.into(),
                source: Arc::new(e),
            })
        };
        let profiles = files(locations.clone())?;
        let name = locations.profile.clone();
        let Some(session) = profiles
            .get(&name, "login_session")
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
        else {
            return Err(CredentialsError::not_loaded(
                NAME,
                SkipReason::Other(format!("profile `{name}` has no login_session")),
            ));
        };
        let credentials_file = files(FileLocations {
            config: None,
            ..locations.clone()
        })?;
        if credentials_file
            .get(&name, "aws_access_key_id")
            .is_some_and(|v| !v.trim().is_empty())
        {
            return Err(CredentialsError::not_loaded(
                NAME,
                SkipReason::Other(format!(
                    "profile `{name}` has keys in the credentials file, which come first"
                )),
            ));
        }
        let dir = match &self.cache_dir {
            Some(d) => d.clone(),
            None => default_login_cache_dir(&self.env).ok_or_else(|| {
                CredentialsError::invalid_configuration(
                    NAME,
                    "no home directory for the login cache",
                )
            })?,
        };
        let path = dir.join(format!("{}.json", login_cache_key(&session)));
        let relogin = "run `aws login`";
        let token = load(&path)
            .map_err(|e| {
                CredentialsError::provider_failed(
                    NAME,
                    format!("the login cache file {e}; {relogin}"),
                )
            })?
            .ok_or_else(|| {
                CredentialsError::provider_failed(
                    NAME,
                    format!(
                        "no login session {session} in {}: {relogin}",
                        path.display()
                    ),
                )
            })?;
        let source = |expires: SystemTime| {
            format!(
                "login: profile {name}, session {session}, cache {} (expires {})",
                path.display(),
                format_rfc3339(expires)
            )
        };
        let now = SystemTime::now();
        let expires = token.credentials.expires_at().unwrap_or(now);
        if expires > now + REFRESH_WINDOW {
            return Ok(token.credentials.clone().with_source(source(expires)));
        }
        let key = DpopKey::from_sec1_pem(&token.dpop_key).map_err(|e| {
            CredentialsError::provider_failed(NAME, format!("{}: {e}; {relogin}", path.display()))
        })?;
        let region = resolve_region(None, &self.env, &profiles).0;
        let service = ServiceConfig::new(region)
            .with_configured_endpoints(ConfiguredEndpoints::load(&self.env, &profiles));
        let op = RefreshOAuth2Token::new(
            &token.client_id,
            &token.refresh_token,
            key,
            unix_seconds(now),
            &uuid_v4(&DefaultRandom::new()),
        );
        match Caller::new(self.transport.clone()).call(&service, &op, None) {
            Ok(refreshed) => {
                let new_expiry = now + refreshed.expires_in;
                let written = write_refreshed(
                    &path,
                    &refreshed.credentials,
                    new_expiry,
                    &refreshed.refresh_token,
                    token.refresh_token.trim(),
                );
                match written {
                    Ok(RefreshWrite::Written) => warnings
                        .push(format!("refreshed the login session in {}", path.display())),
                    Ok(RefreshWrite::Superseded) => warnings.push(format!(
                        "refreshed the login session; {} was refreshed by another process meanwhile and is kept",
                        path.display()
                    )),
                    Ok(RefreshWrite::LoggedOut) => {
                        return Err(CredentialsError::provider_failed(
                            NAME,
                            format!("the login session was logged out while it was being refreshed; {relogin}"),
                        ))
                    }
                    // The credentials in hand are good: use them, and say the
                    // session could not be saved.
                    Err(e) => warnings.push(format!(
                        "refreshed the login session but could not save it: {e}"
                    )),
                }
                Ok(refreshed
                    .credentials
                    .with_expiry(new_expiry)
                    .with_source(source(new_expiry)))
            }
            Err(e) if expires > now => {
                warnings.push(format!(
                    "the login session could not be refreshed ({e}); using it until it expires"
                ));
                Ok(token.credentials.clone().with_source(source(expires)))
            }
            Err(e) => {
                let why = match SigninErrorKind::of(&e) {
                    Some(SigninErrorKind::LoginRequired) => {
                        "the session can no longer be refreshed"
                    }
                    _ => "the refresh failed",
                };
                Err(CredentialsError::provider_failed(
                    NAME,
                    format!(
                        "login session {session} in {} expired at {}, {why} ({e}): {relogin}",
                        path.display(),
                        format_rfc3339(expires)
                    ),
                ))
            }
        }
    }
}
