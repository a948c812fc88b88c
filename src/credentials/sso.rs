//! IAM Identity Center (SSO) profiles (feature `client`): [`SsoProvider`]
//! reads the AWS CLI's token cache and calls the portal's
//! `GetRoleCredentials`.
//!
//! Both shapes of profile the AWS CLI writes:
//!
//! ```ini
//! [profile dev]              # sso-session shape (refreshable tokens)
//! sso_session = my-sso
//! sso_account_id = 111122223333
//! sso_role_name = Admin
//! [sso-session my-sso]
//! sso_start_url = https://d-1234567890.awsapps.com/start
//! sso_region = us-east-1
//! sso_registration_scopes = sso:account:access
//!
//! [profile legacy]           # legacy shape (token read as is)
//! sso_start_url = https://d-1234567890.awsapps.com/start
//! sso_region = us-east-1
//! sso_account_id = 111122223333
//! sso_role_name = Admin
//! ```
//!
//! The provider is set up when the profile has `sso_account_id` or
//! `sso_role_name` (as in botocore); then every other key must be there.
//! The token is `~/.aws/sso/cache/<SHA-1 of the session name, or of the
//! start URL>.json` ([`sso_token_cache`](super::sso_token_cache)). For an
//! `sso-session` profile a token within 5 minutes of its expiry is
//! refreshed with SSO OIDC `CreateToken` (the refresh token and the client
//! registration cached in the same file) and written back; a token that is
//! expired and cannot be refreshed is an error naming the login command.
//! Role credentials are kept until 5 minutes before they expire.
//!
//! The portal and OIDC endpoints follow the service-specific endpoint
//! rules ([`ConfiguredEndpoints`]: `AWS_ENDPOINT_URL_SSO`,
//! `AWS_ENDPOINT_URL_SSO_OIDC`, `services` sections...).
//!
//! ```
//! use sigv4::config::ProfileSet;
//! use sigv4::credentials::sso::SsoConfig;
//!
//! let profiles = ProfileSet::parse("[profile dev]\nsso_session = my-sso\nsso_account_id = 1\nsso_role_name = R\n\
//!     [sso-session my-sso]\nsso_start_url = https://d-1.awsapps.com/start\nsso_region = eu-west-1\n\
//!     sso_registration_scopes = sso:account:access, codewhisperer:completions\n", "")?;
//! let config = SsoConfig::for_profile(&profiles, "dev")?.expect("an SSO profile");
//! assert_eq!(config.session_name.as_deref(), Some("my-sso"));
//! assert_eq!(config.scopes.as_deref(), Some(&["sso:account:access".to_owned(), "codewhisperer:completions".to_owned()][..]));
//! assert_eq!(config.token_cache_key(), sigv4::credentials::sso_token_cache::token_cache_key("my-sso"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use zeroize::Zeroizing;

use super::sso_token_cache::{
    default_cache_dir, token_cache_key, RefreshWrite, SsoToken, SsoTokenCache,
};
use super::{Credentials, CredentialsError, ProvideCredentials, SkipReason};
use crate::api::call::Caller;
use crate::api::sso::GetRoleCredentials;
use crate::api::sso_oidc::CreateToken;
use crate::api::{CallError, ServiceConfig};
use crate::config::{ConfiguredEndpoints, Env, FileLocations, ProfileSet, Section};
use crate::transport::Transport;
use crate::util::time::format_rfc3339;

/// The provider's name in a chain.
pub const NAME: &str = "sso";

/// Tokens and credentials this close to their expiry are refreshed.
pub const REFRESH_WINDOW: Duration = Duration::from_secs(5 * 60);

fn config_error(message: impl Into<String>) -> CredentialsError {
    CredentialsError::invalid_configuration(NAME, message)
}

fn value<'a>(section: &'a Section, key: &str) -> Option<&'a str> {
    section.get(key).map(str::trim).filter(|v| !v.is_empty())
}

/// `sso_registration_scopes` as the AWS CLI reads it: split at commas,
/// trimmed, empty parts dropped.
pub fn parse_scopes(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// An SSO setup: where to log in, and (for a profile) which role.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SsoConfig {
    /// The profile, when resolved from one.
    pub profile: Option<String>,
    /// The `sso-session` name; `None` for a legacy profile.
    pub session_name: Option<String>,
    /// `sso_start_url`.
    pub start_url: String,
    /// `sso_region`.
    pub region: String,
    /// `sso_registration_scopes` (`None` when not set).
    pub scopes: Option<Vec<String>>,
    /// `sso_account_id` (profiles only).
    pub account_id: Option<String>,
    /// `sso_role_name` (profiles only).
    pub role_name: Option<String>,
}

impl SsoConfig {
    /// The SSO setup of `profile`: `Ok(None)` when it has none of
    /// `sso_account_id`, `sso_role_name`, `sso_session`, `sso_start_url`.
    /// A profile naming a missing `sso-session`, a value that differs
    /// between the profile and its session, or a missing start URL or
    /// region is an error.
    pub fn for_profile(
        profiles: &ProfileSet,
        profile: &str,
    ) -> Result<Option<SsoConfig>, CredentialsError> {
        let Some(section) = profiles.profile(profile) else {
            return Ok(None);
        };
        let keys = [
            "sso_account_id",
            "sso_role_name",
            "sso_session",
            "sso_start_url",
        ];
        if keys.iter().all(|k| value(section, k).is_none()) {
            return Ok(None);
        }
        let mut config = match value(section, "sso_session") {
            Some(name) => {
                let mut c = Self::for_session(profiles, name)?;
                for key in ["sso_start_url", "sso_region"] {
                    let session = profiles.sso_session(name).and_then(|s| value(s, key));
                    if let (Some(p), Some(s)) = (value(section, key), session) {
                        if p != s {
                            return Err(config_error(format!(
                                "the value of {key} differs between profile `{profile}` ({p}) \
                                 and sso-session `{name}` ({s})"
                            )));
                        }
                    }
                }
                c.profile = Some(profile.to_owned());
                c
            }
            None => {
                let missing: Vec<&str> = ["sso_start_url", "sso_region"]
                    .into_iter()
                    .filter(|k| value(section, k).is_none())
                    .collect();
                if !missing.is_empty() {
                    return Err(config_error(format!(
                        "profile `{profile}` is configured to use SSO but is missing required \
                         configuration: {}",
                        missing.join(", ")
                    )));
                }
                SsoConfig {
                    profile: Some(profile.to_owned()),
                    session_name: None,
                    start_url: value(section, "sso_start_url")
                        .unwrap_or_default()
                        .to_owned(),
                    region: value(section, "sso_region").unwrap_or_default().to_owned(),
                    scopes: None,
                    account_id: None,
                    role_name: None,
                }
            }
        };
        config.account_id = value(section, "sso_account_id").map(str::to_owned);
        config.role_name = value(section, "sso_role_name").map(str::to_owned);
        Ok(Some(config))
    }

    /// The setup of `[sso-session name]` (no role).
    pub fn for_session(profiles: &ProfileSet, name: &str) -> Result<SsoConfig, CredentialsError> {
        let session = profiles.sso_session(name).ok_or_else(|| {
            config_error(format!(
                "the sso-session `{name}` does not exist in the config file"
            ))
        })?;
        let missing: Vec<&str> = ["sso_start_url", "sso_region"]
            .into_iter()
            .filter(|k| value(session, k).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(config_error(format!(
                "sso-session `{name}` is missing required configuration: {}",
                missing.join(", ")
            )));
        }
        Ok(SsoConfig {
            profile: None,
            session_name: Some(name.to_owned()),
            start_url: value(session, "sso_start_url")
                .unwrap_or_default()
                .to_owned(),
            region: value(session, "sso_region").unwrap_or_default().to_owned(),
            scopes: value(session, "sso_registration_scopes").map(parse_scopes),
            account_id: None,
            role_name: None,
        })
    }

    /// The token's cache key: SHA-1 of the session name, or of the start
    /// URL for a legacy profile.
    pub fn token_cache_key(&self) -> String {
        token_cache_key(self.session_name.as_deref().unwrap_or(&self.start_url))
    }

    /// The commands that log this setup in, for messages.
    pub fn login_hint(&self) -> String {
        match (&self.profile, &self.session_name) {
            (Some(p), _) => {
                format!("`aws sso login --profile {p}` or `sigv4 sso login --profile {p}`")
            }
            (None, Some(s)) => {
                format!("`aws sso login --sso-session {s}` or `sigv4 sso login --sso-session {s}`")
            }
            (None, None) => "`aws sso login` or `sigv4 sso login`".to_owned(),
        }
    }

    /// How to describe it: `sso-session NAME` or `start URL ...`.
    pub fn describe(&self) -> String {
        match &self.session_name {
            Some(s) => format!("sso-session {s}"),
            None => format!("legacy start URL {}", self.start_url),
        }
    }
}

/// Calls SSO OIDC `CreateToken` with the token's refresh material and
/// writes the new token back into the cache file `key`. Returns the new
/// token, or why it could not.
pub(crate) fn refresh_token(
    caller: &Caller,
    oidc: &ServiceConfig,
    cache: &SsoTokenCache,
    key: &str,
    token: &SsoToken,
    now: SystemTime,
) -> Result<(SsoToken, Option<String>), String> {
    let Some((refresh, client_id, client_secret, registration_expires)) = token.refresh_material()
    else {
        return Err("the cached token has no refresh token and client registration".into());
    };
    if registration_expires <= now {
        return Err(format!(
            "the cached client registration expired at {}",
            format_rfc3339(registration_expires)
        ));
    }
    let out = caller
        .call(
            oidc,
            &CreateToken::refresh(client_id, client_secret, refresh),
            None,
        )
        .map_err(|e: CallError| format!("SSO OIDC CreateToken failed: {e}"))?;
    let used_refresh = refresh.to_owned();
    let used_refresh = zeroize::Zeroizing::new(used_refresh);
    let mut new = token.clone();
    new.access_token = out.access_token;
    new.expires_at = now + out.expires_in;
    if let Some(r) = out.refresh_token {
        new.refresh_token = Some(r);
    }
    match cache.write_refreshed(key, &new, used_refresh.trim(), now) {
        // Another process refreshed first: its file stays, this token is
        // as good for this process.
        Ok(RefreshWrite::Written | RefreshWrite::Superseded) => Ok((new, None)),
        Ok(RefreshWrite::LoggedOut) => {
            Err("the SSO session was logged out while its token was being refreshed".into())
        }
        // The new token in hand is good: use it, and say it was not saved.
        Err(e) => Ok((
            new,
            Some(format!("the refreshed SSO token could not be saved: {e}")),
        )),
    }
}

/// Credentials of an SSO profile; see the [module docs](self).
pub struct SsoProvider {
    env: Env,
    profile: Option<String>,
    locations: Option<FileLocations>,
    cache_dir: Option<PathBuf>,
    transport: Arc<dyn Transport>,
    cached: Mutex<Option<(SsoConfig, Credentials)>>,
}

impl fmt::Debug for SsoProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsoProvider")
            .field("env", &self.env)
            .field("profile", &self.profile)
            .field("locations", &self.locations)
            .field("cache_dir", &self.cache_dir)
            .finish_non_exhaustive()
    }
}

impl SsoProvider {
    /// The provider's name in a chain.
    pub const NAME: &'static str = NAME;

    /// Files, profile and home from `env`; calls over `transport`.
    pub fn new(env: Env, transport: Arc<dyn Transport>) -> Self {
        SsoProvider {
            env,
            profile: None,
            locations: None,
            cache_dir: None,
            transport,
            cached: Mutex::new(None),
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

    /// Reads the token cache from `dir` instead of `~/.aws/sso/cache`.
    pub fn with_cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    fn locations(&self) -> FileLocations {
        FileLocations::fixed_or_from_env(
            self.locations.as_ref(),
            &self.env,
            self.profile.as_deref(),
        )
    }

    fn cache(&self) -> Result<SsoTokenCache, CredentialsError> {
        match &self.cache_dir {
            Some(d) => Ok(SsoTokenCache::new(d.clone())),
            None => default_cache_dir(&self.env)
                .map(SsoTokenCache::new)
                .ok_or_else(|| {
                    config_error("no home directory (HOME) to find the SSO token cache in")
                }),
        }
    }

    fn fetch(
        &self,
        config: &SsoConfig,
        profiles: &ProfileSet,
        warnings: &mut Vec<String>,
    ) -> Result<Credentials, CredentialsError> {
        let (Some(account), Some(role)) = (&config.account_id, &config.role_name) else {
            let missing: Vec<&str> = [
                ("sso_account_id", config.account_id.is_none()),
                ("sso_role_name", config.role_name.is_none()),
            ]
            .into_iter()
            .filter_map(|(k, m)| m.then_some(k))
            .collect();
            return Err(config_error(format!(
                "profile `{}` is configured to use SSO but is missing required configuration: {}",
                config.profile.as_deref().unwrap_or_default(),
                missing.join(", ")
            )));
        };
        let cache = self.cache()?;
        let key = config.token_cache_key();
        let path = cache.path(&key);
        let hint = config.login_hint();
        let token = cache
            .load_token(&key)
            .map_err(|e| config_error(format!("the SSO token cache file {e}; run {hint}")))?
            .ok_or_else(|| {
                CredentialsError::provider_failed(
                    NAME,
                    format!(
                        "no SSO token for {} in {}: run {hint}",
                        config.describe(),
                        path.display()
                    ),
                )
            })?;
        let endpoints = ConfiguredEndpoints::load(&self.env, profiles);
        let service =
            ServiceConfig::new(config.region.clone()).with_configured_endpoints(endpoints);
        let caller = Caller::new(self.transport.clone());
        let now = SystemTime::now();
        let mut token = token;
        if token.expires_at <= now + REFRESH_WINDOW {
            let refreshed = match &config.session_name {
                Some(_) => refresh_token(&caller, &service, &cache, &key, &token, now),
                None => Err(
                    "tokens of legacy SSO profiles (sso_start_url in the profile) are not \
                             refreshed; use an sso-session"
                        .to_owned(),
                ),
            };
            match refreshed {
                Ok((new, unsaved)) => {
                    warnings.extend(unsaved);
                    warnings.push(format!(
                        "refreshed the SSO token in {} (now expires {})",
                        path.display(),
                        format_rfc3339(new.expires_at)
                    ));
                    token = new;
                }
                Err(why) if token.expires_at > now => warnings.push(format!(
                    "the SSO token in {} expires {} and could not be refreshed: {why}",
                    path.display(),
                    format_rfc3339(token.expires_at)
                )),
                Err(why) => {
                    return Err(CredentialsError::provider_failed(
                        NAME,
                        format!(
                            "the SSO token for {} in {} expired at {} and could not be \
                             refreshed ({why}): run {hint}",
                            config.describe(),
                            path.display(),
                            format_rfc3339(token.expires_at)
                        ),
                    ))
                }
            }
        }
        let access_token = Zeroizing::new(token.access_token.to_string());
        let op = GetRoleCredentials::new(account.clone(), role.clone(), &access_token);
        let credentials = caller.call(&service, &op, None).map_err(|e| {
            if e.api_error()
                .is_some_and(|a| a.status == 401 || a.code == "UnauthorizedException")
            {
                CredentialsError::provider_failed(
                    NAME,
                    format!(
                        "the SSO portal rejected the token in {} ({e}): run {hint}",
                        path.display()
                    ),
                )
            } else {
                CredentialsError::from(e)
                    .within(NAME, &format!("GetRoleCredentials {role} in {account}"))
            }
        })?;
        Ok(credentials.with_source(format!(
            "sso: profile {}, {}, account {account}, role {role}, token cache {} (token expires {})",
            config.profile.as_deref().unwrap_or_default(),
            config.describe(),
            path.display(),
            format_rfc3339(token.expires_at)
        )))
    }
}

impl ProvideCredentials for SsoProvider {
    fn provide_with_warnings(
        &self,
        warnings: &mut Vec<String>,
    ) -> Result<Credentials, CredentialsError> {
        let locations = self.locations();
        let profiles =
            ProfileSet::load_from(&locations).map_err(|e| CredentialsError::ProfileFiles {
                provider: NAME.into(),
                source: Arc::new(e),
            })?;
        let name = &locations.profile;
        let has_role = profiles.profile(name).is_some_and(|s| {
            value(s, "sso_account_id").is_some() || value(s, "sso_role_name").is_some()
        });
        if !has_role {
            return Err(CredentialsError::not_loaded(
                NAME,
                SkipReason::Other(format!(
                    "profile `{name}` has no sso_account_id or sso_role_name"
                )),
            ));
        }
        let Some(config) = SsoConfig::for_profile(&profiles, name)? else {
            return Err(CredentialsError::not_loaded(
                NAME,
                SkipReason::Other(format!("profile `{name}` is not an SSO profile")),
            ));
        };
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((c, credentials)) = &*cached {
            let fresh = credentials
                .expires_at()
                .is_some_and(|t| t > SystemTime::now() + REFRESH_WINDOW);
            if *c == config && fresh {
                return Ok(credentials.clone());
            }
        }
        let credentials = self.fetch(&config, &profiles, warnings)?;
        *cached = Some((config, credentials.clone()));
        Ok(credentials)
    }
}
