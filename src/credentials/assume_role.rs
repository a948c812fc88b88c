//! Credentials of a profile that assumes a role (feature `client`):
//! [`AssumeRoleProvider`] runs the [`RoleChain`] that
//! [`role_chain::plan`](super::role_chain::plan) makes of the profiles,
//! with STS `AssumeRole` calls of the [`api`](crate::api) layer: base
//! credentials first (static keys, a source profile, `credential_source`,
//! or a web identity token), then each role from the innermost hop out.
//!
//! ```
//! use std::sync::Arc;
//! use sigv4::config::{Env, FileLocations};
//! use sigv4::credentials::assume_role::AssumeRoleProvider;
//! use sigv4::credentials::ProvideCredentials;
//! use sigv4::transport::from_fn;
//!
//! let dir = std::env::temp_dir().join(format!("sigv4-doc-ar-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! std::fs::write(dir.join("config"), "[profile dev]\nrole_arn = arn:aws:iam::1:role/dev\nsource_profile = base\n\
//!     [profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = secret\n")?;
//! let sts = from_fn(|request, _| {
//!     assert!(request.headers()["authorization"].to_str().unwrap().contains("Credential=AKIDBASE/"));
//!     Ok(http::Response::new(b"<AssumeRoleResponse><AssumeRoleResult>\
//!         <AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/dev/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>\
//!         <Credentials><AccessKeyId>ASIADEV</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>\
//!         <Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>".to_vec()))
//! });
//! let locations = FileLocations { config: Some(dir.join("config")), credentials: None, profile: "dev".into() };
//! let provider = AssumeRoleProvider::new(Env::from_map([("AWS_REGION", "eu-west-1")]), Arc::new(sts))
//!     .with_locations(locations);
//! let credentials = provider.provide()?;
//! assert_eq!(credentials.access_key_id(), "ASIADEV");
//! assert_eq!(credentials.source(), "profile dev: assume role arn:aws:iam::1:role/dev via source_profile base (static keys)");
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::sync::Arc;

use super::container::ContainerProvider;
use super::environment::EnvironmentProvider;
use super::imds::InstanceProfileProvider;
use super::profile::ProfileProvider;
use super::role_chain::{config_error, non_blank, plan, BaseCredentials, RoleChain, NAME};
use super::sts_settings::StsSettings;
use super::web_identity::assume_role_with_web_identity_file;
use super::{Credentials, CredentialsError, ProvideCredentials, SkipReason};
use crate::api::call::Caller;
use crate::api::sts::{default_session_name, AssumeRole};
use crate::api::ServiceConfig;
use crate::config::{Env, FileLocations, ProfileSet};
use crate::transport::Transport;

/// Supplies MFA token codes: called with the profile and its `mfa_serial`,
/// returns the current code (or an error message).
pub type MfaTokenProvider = Arc<dyn Fn(&str, &str) -> Result<String, String> + Send + Sync>;

/// Credentials for a profile that assumes a role; see the [module docs](self).
///
/// Not set up (skipped by a chain) when the selected profile has no
/// `role_arn`. The files are read at each call. Uncached: wrap it (or the
/// chain holding it) in a [`CachedProvider`](super::cache::CachedProvider),
/// especially with MFA.
///
/// The credentials' [`source`](Credentials::source) is the chain's
/// description ([`RoleChain`]'s `Display`), so a chain's
/// [`explain`](super::chain::CredentialsChain::explain) shows
/// the hops.
#[derive(Clone)]
pub struct AssumeRoleProvider {
    env: Env,
    profile: Option<String>,
    locations: Option<FileLocations>,
    sts: StsSettings,
    mfa: Option<MfaTokenProvider>,
    imds: Option<Arc<crate::imds::ImdsClient>>,
}

impl fmt::Debug for AssumeRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssumeRoleProvider")
            .field("env", &self.env)
            .field("profile", &self.profile)
            .field("locations", &self.locations)
            .field("sts", &self.sts)
            .field("mfa", &self.mfa.is_some())
            .finish_non_exhaustive()
    }
}

impl AssumeRoleProvider {
    /// The provider's name in a chain.
    pub const NAME: &'static str = NAME;

    /// Files and profile from `env`; STS over `transport`.
    pub fn new(env: Env, transport: Arc<dyn Transport>) -> Self {
        AssumeRoleProvider {
            env,
            profile: None,
            locations: None,
            sts: StsSettings::new(transport),
            mfa: None,
            imds: None,
        }
    }

    /// Uses profile `name` instead of `AWS_PROFILE` (a `--profile` option).
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

    /// Uses these STS settings.
    pub fn with_sts_settings(mut self, settings: StsSettings) -> Self {
        self.sts = settings;
        self
    }

    /// Asks `provider` for MFA token codes (profiles with `mfa_serial`).
    pub fn with_mfa_token_provider(mut self, provider: MfaTokenProvider) -> Self {
        self.mfa = Some(provider);
        self
    }

    /// The IMDS client for `credential_source = Ec2InstanceMetadata`.
    pub fn with_imds_client(mut self, client: Arc<crate::imds::ImdsClient>) -> Self {
        self.imds = Some(client);
        self
    }

    fn locations(&self) -> FileLocations {
        FileLocations::fixed_or_from_env(
            self.locations.as_ref(),
            &self.env,
            self.profile.as_deref(),
        )
    }

    /// Reads the files and plans the chain of the selected profile.
    pub fn plan(&self) -> Result<Option<RoleChain>, CredentialsError> {
        let locations = self.locations();
        let profiles = self.load(&locations)?;
        plan(&profiles, &locations.profile)
    }

    fn load(&self, locations: &FileLocations) -> Result<ProfileSet, CredentialsError> {
        ProfileSet::load_from(locations).map_err(|e| CredentialsError::ProfileFiles {
            provider: NAME.into(),
            source: Arc::new(e),
        })
    }

    fn base_credentials(
        &self,
        chain: &RoleChain,
        profiles: &ProfileSet,
        locations: &FileLocations,
        sts: &(ServiceConfig, Caller),
    ) -> Result<Credentials, CredentialsError> {
        let configured = |what: &str, e: CredentialsError| {
            if e.is_not_loaded() {
                config_error(format!(
                    "profile `{}`: {what} gave no credentials: {e}",
                    chain
                        .hops
                        .last()
                        .map_or(chain.profile.as_str(), |h| h.profile.as_str())
                ))
            } else {
                e
            }
        };
        match &chain.base {
            BaseCredentials::StaticKeys { profile } => {
                let section = profiles
                    .profile(profile)
                    .ok_or_else(|| config_error(format!("profile `{profile}` does not exist")))?;
                let (Some(id), Some(secret)) = (
                    non_blank(section, "aws_access_key_id"),
                    non_blank(section, "aws_secret_access_key"),
                ) else {
                    return Err(config_error(format!(
                        "profile `{profile}` has no static keys"
                    )));
                };
                let mut c = Credentials::new(id, secret).with_source(format!("profile:{profile}"));
                if let Some(token) = non_blank(section, "aws_session_token") {
                    c = c.with_session_token(token);
                }
                Ok(c)
            }
            BaseCredentials::Profile { profile } => {
                let mut l = locations.clone();
                l.profile = profile.clone();
                ProfileProvider::from_locations(l)
                    .provide()
                    .map_err(|e| configured(&format!("source_profile {profile}"), e))
            }
            BaseCredentials::Environment => EnvironmentProvider::new(self.env.clone())
                .provide()
                .map_err(|e| configured("credential_source Environment", e)),
            BaseCredentials::Ec2InstanceMetadata => {
                let provider = match &self.imds {
                    Some(c) => InstanceProfileProvider::new(c.clone()),
                    None => InstanceProfileProvider::from_env(
                        self.sts.transport().clone(),
                        &self.env,
                        profiles,
                    ),
                };
                provider
                    .provide()
                    .map_err(|e| configured("credential_source Ec2InstanceMetadata", e))
            }
            BaseCredentials::EcsContainer => {
                ContainerProvider::new(self.env.clone(), self.sts.transport().clone())
                    .provide()
                    .map_err(|e| configured("credential_source EcsContainer", e))
            }
            BaseCredentials::WebIdentity {
                role_arn,
                token_file,
                session_name,
                duration_seconds,
                ..
            } => {
                let session = session_name.clone().unwrap_or_else(default_session_name);
                Ok(assume_role_with_web_identity_file(
                    sts,
                    role_arn,
                    &session,
                    token_file,
                    *duration_seconds,
                )?
                .credentials)
            }
        }
    }

    /// Runs `chain`: base credentials, then each `AssumeRole` from the
    /// innermost hop out.
    fn run(
        &self,
        chain: &RoleChain,
        profiles: &ProfileSet,
        locations: &FileLocations,
    ) -> Result<Credentials, CredentialsError> {
        let sts = self.sts.resolve(&self.env, profiles, NAME)?;
        let (config, caller) = &sts;
        let mut credentials = self.base_credentials(chain, profiles, locations, &sts)?;
        for hop in chain.hops.iter().rev() {
            let session = hop
                .session_name
                .clone()
                .unwrap_or_else(default_session_name);
            let mut op = AssumeRole::new(&hop.role_arn, session);
            // The profile's integer, as is.
            op.duration_seconds = hop.duration_seconds;
            op.external_id = hop.external_id.clone();
            if let Some(serial) = &hop.mfa_serial {
                let mfa = self.mfa.as_ref().ok_or_else(|| {
                    config_error(format!(
                        "profile `{}` has mfa_serial but no MFA token provider was given",
                        hop.profile
                    ))
                })?;
                let code = mfa(&hop.profile, serial).map_err(|m| {
                    CredentialsError::provider_failed(
                        NAME,
                        format!("profile `{}`: no MFA token code: {m}", hop.profile),
                    )
                })?;
                op = op.mfa(serial.clone(), code.trim());
            }
            let what = format!("profile `{}`: AssumeRole {}", hop.profile, hop.role_arn);
            credentials = caller
                .call(config, &op, Some(&credentials))
                .map_err(|e| CredentialsError::from(e).within(NAME, &what))?
                .credentials;
        }
        Ok(credentials.with_source(chain.to_string()))
    }
}

impl ProvideCredentials for AssumeRoleProvider {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        let locations = self.locations();
        let profiles = self.load(&locations)?;
        match plan(&profiles, &locations.profile)? {
            Some(chain) => self.run(&chain, &profiles, &locations),
            None => Err(CredentialsError::not_loaded(
                NAME,
                SkipReason::Other(format!("profile `{}` has no role_arn", locations.profile)),
            )),
        }
    }
}
