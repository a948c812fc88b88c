//! Credentials from the shared files: static keys in `~/.aws/credentials`,
//! then `credential_process`, then static keys in `~/.aws/config`.
//!
//! That is the AWS CLI's order (its `shared-credentials-file`,
//! `custom-process` and `config-file` providers). The files, the profile
//! and the environment variables that move them (`AWS_CONFIG_FILE`,
//! `AWS_SHARED_CREDENTIALS_FILE`, `AWS_PROFILE`) are resolved by
//! [`crate::config`]. Files are re-read at each call.
//!
//! Profiles that need a provider this module does not implement
//! (`role_arn`, `web_identity_token_file`, `credential_source`, SSO) are an
//! error here rather than silently answered with other keys: such a
//! provider belongs in the chain's role slot, before this one (see
//! [`DefaultChainBuilder::role_provider`](super::default_chain::DefaultChainBuilder::role_provider)).

use std::time::Duration;

use super::{process, Credentials, CredentialsError, ProvideCredentials, SkipReason};
use crate::config::{Env, FileLocations, ProfileSet, Section, DEFAULT_PROFILE};

/// Profile keys that call for a provider not implemented here.
#[cfg(not(feature = "client"))]
const UNSUPPORTED_KEYS: &[&str] = &[
    "role_arn",
    "web_identity_token_file",
    "credential_source",
    "sso_session",
    "sso_start_url",
];
/// Profile keys that call for a provider not implemented here. With
/// feature `client` the SSO provider runs before this one: a profile with
/// an `sso_session` but no role (one used to log in) reaches this
/// provider, which then finds nothing, as in the AWS CLI.
#[cfg(feature = "client")]
const UNSUPPORTED_KEYS: &[&str] = &["role_arn", "web_identity_token_file", "credential_source"];

/// Reads credentials for the selected profile.
///
/// ```
/// use std::path::PathBuf;
/// use sigv4::config::FileLocations;
/// use sigv4::credentials::profile::ProfileProvider;
/// use sigv4::credentials::ProvideCredentials;
///
/// let dir = std::env::temp_dir().join(format!("sigv4-doc-profile-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let credentials = dir.join("credentials");
/// std::fs::write(&credentials, "[dev]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n")?;
/// let provider = ProfileProvider::from_locations(FileLocations {
///     config: None,
///     credentials: Some(credentials),
///     profile: "dev".into(),
/// });
/// let c = provider.provide()?;
/// assert_eq!(c.access_key_id(), "AKIDEXAMPLE");
/// assert_eq!(c.source(), "profile:dev:credentials-file");
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct ProfileProvider {
    files: Files,
    process_timeout: Duration,
}

#[derive(Clone, Debug)]
enum Files {
    /// Resolved at each call from an environment and an optional explicit
    /// profile.
    FromEnv { env: Env, profile: Option<String> },
    /// Fixed.
    Fixed(FileLocations),
}

impl ProfileProvider {
    /// The provider's name in a chain.
    pub const NAME: &'static str = "profile";
    /// Default limit for a `credential_process` run: 60 s.
    pub const DEFAULT_PROCESS_TIMEOUT: Duration = Duration::from_secs(60);

    /// Files and profile from `env` (`AWS_CONFIG_FILE`,
    /// `AWS_SHARED_CREDENTIALS_FILE`, `AWS_PROFILE`, `HOME`...).
    pub fn new(env: Env) -> Self {
        ProfileProvider {
            files: Files::FromEnv { env, profile: None },
            process_timeout: Self::DEFAULT_PROCESS_TIMEOUT,
        }
    }

    /// Exactly these files and this profile.
    pub fn from_locations(locations: FileLocations) -> Self {
        ProfileProvider {
            files: Files::Fixed(locations),
            process_timeout: Self::DEFAULT_PROCESS_TIMEOUT,
        }
    }

    /// Uses profile `name` (a `--profile` option) instead of `AWS_PROFILE`.
    /// A blank name is ignored.
    pub fn with_profile(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        match &mut self.files {
            Files::FromEnv { profile, .. } => *profile = Some(name),
            Files::Fixed(locations) => {
                if !name.trim().is_empty() {
                    locations.profile = name;
                }
            }
        }
        self
    }

    /// Limits how long a `credential_process` may run.
    pub fn with_process_timeout(mut self, timeout: Duration) -> Self {
        self.process_timeout = timeout;
        self
    }

    fn locations(&self) -> FileLocations {
        match &self.files {
            Files::FromEnv { env, profile } => FileLocations::from_env(env, profile.as_deref()),
            Files::Fixed(locations) => locations.clone(),
        }
    }

    fn load(&self, locations: FileLocations) -> Result<ProfileSet, CredentialsError> {
        ProfileSet::load_from(&locations).map_err(|e| CredentialsError::ProfileFiles {
            provider: Self::NAME.into(),
            source: std::sync::Arc::new(e),
        })
    }

    fn static_keys(
        section: &Section,
        profile: &str,
        file: &str,
    ) -> Result<Option<Credentials>, CredentialsError> {
        let value = |key: &str| section.get(key).map(str::trim).filter(|v| !v.is_empty());
        let Some(key) = value("aws_access_key_id") else {
            return Ok(None);
        };
        let Some(secret) = value("aws_secret_access_key") else {
            return Err(CredentialsError::invalid_configuration(
                Self::NAME,
                format!("profile `{profile}` in the {file} has aws_access_key_id but no aws_secret_access_key"),
            ));
        };
        let mut credentials = Credentials::new(key, secret)
            .with_source(format!("profile:{profile}:{file}").replace(' ', "-"));
        if let Some(token) = value("aws_session_token").or_else(|| value("aws_security_token")) {
            credentials = credentials.with_session_token(token);
        }
        Ok(Some(credentials))
    }
}

impl ProvideCredentials for ProfileProvider {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        let locations = self.locations();
        let name = locations.profile.clone();
        let credentials_file = self.load(FileLocations {
            config: None,
            ..locations.clone()
        })?;
        let config_file = self.load(FileLocations {
            credentials: None,
            ..locations.clone()
        })?;
        let from_credentials = credentials_file.profile(&name);
        let from_config = config_file.profile(&name);
        if from_credentials.is_none() && from_config.is_none() {
            if name == DEFAULT_PROFILE {
                return Err(CredentialsError::not_loaded(
                    Self::NAME,
                    SkipReason::ProfileMissing { profile: name },
                ));
            }
            // A profile chosen by name must exist (the AWS CLI stops with
            // "The config profile (...) could not be found").
            return Err(CredentialsError::invalid_configuration(
                Self::NAME,
                format!("profile `{name}` was selected but is in neither the config nor the credentials file"),
            ));
        }
        let get = |key: &str| {
            from_credentials
                .and_then(|s| s.get(key))
                .or_else(|| from_config.and_then(|s| s.get(key)))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        if let Some(key) = UNSUPPORTED_KEYS.iter().find(|k| get(k).is_some()) {
            return Err(CredentialsError::invalid_configuration(
                Self::NAME,
                format!(
                    "profile `{name}` sets `{key}`, which needs a provider this chain does not have \
                     (add one in the chain's role slot)"
                ),
            ));
        }
        if let Some(section) = from_credentials {
            if let Some(c) = Self::static_keys(section, &name, "credentials file")? {
                return Ok(c);
            }
        }
        if let Some(command) = get("credential_process") {
            let source = format!("profile:{name}:credential_process");
            return process::run(Self::NAME, command, self.process_timeout, &source);
        }
        if let Some(section) = from_config {
            if let Some(c) = Self::static_keys(section, &name, "config file")? {
                return Ok(c);
            }
        }
        Err(CredentialsError::not_loaded(
            Self::NAME,
            SkipReason::NoCredentialsInProfile { profile: name },
        ))
    }
}
