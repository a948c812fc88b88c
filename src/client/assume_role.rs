//! Profiles that assume roles: `role_arn` with `source_profile` (chains of
//! any length) or `credential_source`, `web_identity_token_file`,
//! `mfa_serial`, `external_id`, `role_session_name`, `duration_seconds`.
//!
//! [`plan`] reads the profiles (no I/O) into a [`RoleChain`]: where the
//! first credentials come from and the roles to assume from there.
//! [`AssumeRoleProvider`] runs it with STS. The rules, those of the AWS
//! SDKs:
//!
//! - the selected profile must have `role_arn`, else the provider is not
//!   set up (a chain moves on);
//! - a profile with `role_arn` names exactly one of `source_profile`,
//!   `credential_source` (`Environment`, `Ec2InstanceMetadata`,
//!   `EcsContainer`) or `web_identity_token_file`;
//! - a *source* profile with static keys ends the chain with those keys,
//!   even if it also has `role_arn`; a profile naming itself as
//!   `source_profile` uses its own keys;
//! - a source profile without `role_arn` and without keys is read by the
//!   profile provider (`credential_process`);
//! - a cycle (`a -> b -> a`) is an error naming the profiles.
//!
//! ```
//! use sigv4::client::assume_role::plan;
//! use sigv4::config::ProfileSet;
//!
//! let config = "\
//! [profile dev]
//! role_arn = arn:aws:iam::111111111111:role/dev
//! source_profile = mid
//! mfa_serial = arn:aws:iam::000000000000:mfa/me
//! [profile mid]
//! role_arn = arn:aws:iam::222222222222:role/mid
//! source_profile = base
//! external_id = x-1
//! [profile base]
//! aws_access_key_id = AKIDBASE
//! aws_secret_access_key = secret
//! [profile loop-a]
//! role_arn = arn:aws:iam::1:role/a
//! source_profile = loop-b
//! [profile loop-b]
//! role_arn = arn:aws:iam::1:role/b
//! source_profile = loop-a
//! ";
//! let profiles = ProfileSet::parse(config, "")?;
//! let chain = plan(&profiles, "dev")?.expect("dev assumes a role");
//! assert_eq!(chain.hops.len(), 2);
//! assert_eq!(chain.to_string(), "profile dev: assume role arn:aws:iam::111111111111:role/dev (MFA) \
//!     via source_profile mid: assume role arn:aws:iam::222222222222:role/mid \
//!     via source_profile base (static keys)");
//! let cycle = plan(&profiles, "loop-a").unwrap_err();
//! assert!(cycle.to_string().contains("loop-a -> loop-b -> loop-a"), "{cycle}");
//! assert!(plan(&profiles, "base")?.is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use super::sts::AssumeRole;
use super::web_identity::{assume_role_with_web_identity_file, default_session_name};
use super::{Client, ClientError, RetryPolicy};
use crate::config::{Env, FileLocations, ProfileSet, Section};
use crate::credentials::static_provider::StaticProvider;
use crate::credentials::{Credentials, CredentialsError, ProvideCredentials, SkipReason};
use crate::transport::{RequestOptions, Transport};

const NAME: &str = "assume-role";

/// Where the first credentials of a role chain come from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BaseCredentials {
    /// `aws_access_key_id` / `aws_secret_access_key` of this profile.
    StaticKeys {
        /// The profile.
        profile: String,
    },
    /// This profile read by the profile provider (`credential_process`).
    Profile {
        /// The profile.
        profile: String,
    },
    /// `credential_source = Environment`.
    Environment,
    /// `credential_source = Ec2InstanceMetadata`.
    Ec2InstanceMetadata,
    /// `credential_source = EcsContainer`.
    EcsContainer,
    /// `web_identity_token_file` with the profile's `role_arn`.
    WebIdentity {
        /// The profile.
        profile: String,
        /// The role.
        role_arn: String,
        /// The token file.
        token_file: PathBuf,
        /// `role_session_name`.
        session_name: Option<String>,
        /// `duration_seconds`.
        duration_seconds: Option<u32>,
    },
}

/// One `AssumeRole` call of a chain.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RoleHop {
    /// The profile that names the role.
    pub profile: String,
    /// `role_arn`.
    pub role_arn: String,
    /// `role_session_name`.
    pub session_name: Option<String>,
    /// `external_id`.
    pub external_id: Option<String>,
    /// `mfa_serial`.
    pub mfa_serial: Option<String>,
    /// `duration_seconds`.
    pub duration_seconds: Option<u32>,
    /// How this hop's source was named (`source_profile NAME` or
    /// `credential_source NAME`).
    pub via: String,
}

/// A planned role chain: `hops[0]` is the selected profile's role, each
/// next hop provides the credentials for the one before, and `base` the
/// credentials for the last hop.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RoleChain {
    /// The selected profile.
    pub profile: String,
    /// The roles, from the selected profile's down.
    pub hops: Vec<RoleHop>,
    /// The first credentials.
    pub base: BaseCredentials,
}

impl fmt::Display for RoleChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "profile {}: ", self.profile)?;
        for (i, hop) in self.hops.iter().enumerate() {
            if i > 0 {
                f.write_str(": ")?;
            }
            write!(f, "assume role {}", hop.role_arn)?;
            if hop.mfa_serial.is_some() {
                f.write_str(" (MFA)")?;
            }
            write!(f, " via {}", hop.via)?;
        }
        match &self.base {
            BaseCredentials::StaticKeys { .. } => f.write_str(" (static keys)"),
            BaseCredentials::Profile { .. } => f.write_str(" (credential_process)"),
            BaseCredentials::Environment
            | BaseCredentials::Ec2InstanceMetadata
            | BaseCredentials::EcsContainer => Ok(()),
            BaseCredentials::WebIdentity { role_arn, .. } => {
                if self.hops.is_empty() {
                    write!(f, "assume role {role_arn} with web identity token file")
                } else {
                    write!(f, ": assume role {role_arn} with web identity token file")
                }
            }
        }
    }
}

fn config_error(message: impl Into<String>) -> CredentialsError {
    CredentialsError::invalid_configuration(NAME, message)
}

fn non_blank<'a>(section: &'a Section, key: &str) -> Option<&'a str> {
    section.get(key).map(str::trim).filter(|v| !v.is_empty())
}

fn has_static_keys(section: &Section) -> bool {
    non_blank(section, "aws_access_key_id").is_some()
        && non_blank(section, "aws_secret_access_key").is_some()
}

fn duration(section: &Section) -> Result<Option<u32>, CredentialsError> {
    match non_blank(section, "duration_seconds") {
        None => Ok(None),
        Some(v) => v.parse::<u32>().map(Some).map_err(|_| {
            config_error(format!(
                "profile `{}`: duration_seconds = {v:?} is not a number of seconds",
                section.name()
            ))
        }),
    }
}

/// Plans the role chain of `profile`: `Ok(None)` when it assumes no role
/// (no `role_arn`).
pub fn plan(profiles: &ProfileSet, profile: &str) -> Result<Option<RoleChain>, CredentialsError> {
    let Some(first) = profiles.profile(profile) else {
        return Ok(None);
    };
    if non_blank(first, "role_arn").is_none() {
        return Ok(None);
    }
    let mut visited: Vec<String> = vec![profile.to_owned()];
    let mut hops: Vec<RoleHop> = Vec::new();
    let mut current = profile.to_owned();
    let base = loop {
        let section = profiles.profile(&current).ok_or_else(|| {
            let by = hops.last().map_or(profile, |h| h.profile.as_str());
            config_error(format!(
                "profile `{current}` (the source_profile of `{by}`) does not exist"
            ))
        })?;
        let is_source = !hops.is_empty();
        if is_source && has_static_keys(section) {
            break BaseCredentials::StaticKeys { profile: current };
        }
        let Some(role_arn) = non_blank(section, "role_arn") else {
            if has_static_keys(section) {
                break BaseCredentials::StaticKeys { profile: current };
            }
            break BaseCredentials::Profile { profile: current };
        };
        let source_profile = non_blank(section, "source_profile");
        let credential_source = non_blank(section, "credential_source");
        let token_file = non_blank(section, "web_identity_token_file");
        let named = [
            source_profile.is_some(),
            credential_source.is_some(),
            token_file.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if named != 1 {
            return Err(config_error(format!(
                "profile `{current}` has role_arn and must name exactly one of source_profile, \
                 credential_source or web_identity_token_file ({named} given)"
            )));
        }
        if let Some(file) = token_file {
            break BaseCredentials::WebIdentity {
                profile: current.clone(),
                role_arn: role_arn.to_owned(),
                token_file: PathBuf::from(file),
                session_name: non_blank(section, "role_session_name").map(str::to_owned),
                duration_seconds: duration(section)?,
            };
        }
        let mut hop = RoleHop {
            profile: current.clone(),
            role_arn: role_arn.to_owned(),
            session_name: non_blank(section, "role_session_name").map(str::to_owned),
            external_id: non_blank(section, "external_id").map(str::to_owned),
            mfa_serial: non_blank(section, "mfa_serial").map(str::to_owned),
            duration_seconds: duration(section)?,
            via: String::new(),
        };
        if let Some(source) = credential_source {
            let base = match source {
                "Environment" => BaseCredentials::Environment,
                "Ec2InstanceMetadata" => BaseCredentials::Ec2InstanceMetadata,
                "EcsContainer" => BaseCredentials::EcsContainer,
                other => {
                    return Err(config_error(format!(
                        "profile `{current}`: credential_source = {other:?} is not one of \
                         Environment, Ec2InstanceMetadata, EcsContainer"
                    )))
                }
            };
            hop.via = format!("credential_source {source}");
            hops.push(hop);
            break base;
        }
        let source = source_profile.unwrap_or_default().to_owned();
        hop.via = format!("source_profile {source}");
        hops.push(hop);
        if source == current {
            if !has_static_keys(section) {
                return Err(config_error(format!(
                    "profile `{current}` is its own source_profile but has no static keys"
                )));
            }
            break BaseCredentials::StaticKeys { profile: current };
        }
        if visited.contains(&source) {
            visited.push(source);
            return Err(config_error(format!(
                "source_profile cycle: {}",
                visited.join(" -> ")
            )));
        }
        visited.push(source.clone());
        current = source;
    };
    Ok(Some(RoleChain {
        profile: profile.to_owned(),
        hops,
        base,
    }))
}

/// Supplies MFA token codes: called with the profile and its `mfa_serial`,
/// returns the current code (or an error message).
pub type MfaTokenProvider = Arc<dyn Fn(&str, &str) -> Result<String, String> + Send + Sync>;

/// How providers reach STS: transport, and optionally region, endpoint and
/// retry policy.
///
/// Unless set, the region is the environment's or the selected profile's
/// (else `us-east-1`), and the endpoint is `AWS_ENDPOINT_URL_STS`, then
/// `AWS_ENDPOINT_URL`, then the profile's `endpoint_url` (none of them
/// when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`), else AWS.
#[derive(Clone)]
pub struct StsSettings {
    transport: Arc<dyn Transport>,
    region: Option<String>,
    endpoint_url: Option<String>,
    retry: Option<RetryPolicy>,
    options: Option<RequestOptions>,
}

impl fmt::Debug for StsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StsSettings")
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl StsSettings {
    /// Defaults over `transport`.
    pub fn new(transport: Arc<dyn Transport>) -> Self {
        StsSettings {
            transport,
            region: None,
            endpoint_url: None,
            retry: None,
            options: None,
        }
    }

    /// The transport, region and endpoint of `client`.
    pub fn from_client(client: &Client) -> Self {
        StsSettings {
            transport: client.transport().clone(),
            region: Some(client.region().to_owned()),
            endpoint_url: client.config().endpoint_url.clone(),
            retry: None,
            options: None,
        }
    }

    /// Sets the region.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sets the endpoint (`http(s)://host[:port]`).
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// Sets the retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sets timeouts and limits for each attempt.
    pub fn request_options(mut self, options: RequestOptions) -> Self {
        self.options = Some(options);
        self
    }

    /// An STS client without credentials (give them with
    /// [`Client::with_credentials`]).
    pub(crate) fn client(
        &self,
        env: &Env,
        profiles: &ProfileSet,
        provider: &str,
    ) -> Result<Client, CredentialsError> {
        let region = match &self.region {
            Some(r) => r.clone(),
            None => crate::config::resolve_region(None, env, profiles).0,
        };
        let ignore = env
            .get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
            || profiles
                .get_selected("ignore_configured_endpoint_urls")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        let endpoint = self.endpoint_url.clone().or_else(|| {
            if ignore {
                return None;
            }
            env.get_non_blank("AWS_ENDPOINT_URL_STS")
                .or_else(|| env.get_non_blank("AWS_ENDPOINT_URL"))
                .or_else(|| profiles.get_selected("endpoint_url").map(str::to_owned))
                .map(|s| s.trim().to_owned())
        });
        let mut builder = Client::builder()
            .transport(self.transport.clone())
            .credentials(Arc::new(StaticProvider::none()))
            .region(region);
        if let Some(url) = endpoint {
            builder = builder.endpoint_url(url);
        }
        if let Some(retry) = self.retry {
            builder = builder.retry_policy(retry);
        }
        if let Some(options) = &self.options {
            builder = builder.request_options(options.clone());
        }
        builder.build().map_err(|e| {
            CredentialsError::invalid_configuration(provider, format!("STS client: {e}"))
        })
    }
}

/// Maps a client error to a credentials error of `provider`, naming `what`.
pub(crate) fn client_error_to_credentials(
    provider: &str,
    what: &str,
    e: ClientError,
) -> CredentialsError {
    match e {
        ClientError::Transport { source, attempts } => CredentialsError::unreachable(
            provider,
            format!("{what}: STS unreachable after {attempts} attempt(s)"),
            Some(Arc::new(source)),
        ),
        ClientError::Credentials(inner) => inner,
        ClientError::Parse { .. } => {
            CredentialsError::invalid_response(provider, format!("{what}: {e}"))
        }
        e => CredentialsError::provider_failed(provider, format!("{what}: {e}")),
    }
}

/// Credentials for a profile that assumes a role; see the [module docs](self).
///
/// Not set up (skipped by a chain) when the selected profile has no
/// `role_arn`. The files are read at each call. Uncached: wrap it (or the
/// chain holding it) in a [`CachedProvider`](crate::credentials::cache::CachedProvider),
/// especially with MFA.
///
/// The credentials' [`source`](Credentials::source) is the chain's
/// description ([`RoleChain`]'s `Display`), so a chain's
/// [`explain`](crate::credentials::chain::CredentialsChain::explain) shows
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
        match &self.locations {
            Some(l) => {
                let mut l = l.clone();
                if let Some(p) = &self.profile {
                    l.profile = p.clone();
                }
                l
            }
            None => FileLocations::from_env(&self.env, self.profile.as_deref()),
        }
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
        client: &Client,
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
                crate::credentials::profile::ProfileProvider::from_locations(l)
                    .provide()
                    .map_err(|e| configured(&format!("source_profile {profile}"), e))
            }
            BaseCredentials::Environment => {
                crate::credentials::environment::EnvironmentProvider::new(self.env.clone())
                    .provide()
                    .map_err(|e| configured("credential_source Environment", e))
            }
            BaseCredentials::Ec2InstanceMetadata => {
                use crate::credentials::imds::InstanceProfileProvider;
                let provider = match &self.imds {
                    Some(c) => InstanceProfileProvider::new(c.clone()),
                    None => InstanceProfileProvider::from_env(
                        self.sts.transport.clone(),
                        &self.env,
                        profiles,
                    ),
                };
                provider
                    .provide()
                    .map_err(|e| configured("credential_source Ec2InstanceMetadata", e))
            }
            BaseCredentials::EcsContainer => crate::credentials::container::ContainerProvider::new(
                self.env.clone(),
                self.sts.transport.clone(),
            )
            .provide()
            .map_err(|e| configured("credential_source EcsContainer", e)),
            BaseCredentials::WebIdentity {
                role_arn,
                token_file,
                session_name,
                duration_seconds,
                ..
            } => {
                let session = session_name.clone().unwrap_or_else(default_session_name);
                Ok(assume_role_with_web_identity_file(
                    client,
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
        let sts = self.sts.client(&self.env, profiles, NAME)?;
        let mut credentials = self.base_credentials(chain, profiles, locations, &sts)?;
        for hop in chain.hops.iter().rev() {
            let session = hop
                .session_name
                .clone()
                .unwrap_or_else(default_session_name);
            let mut op = AssumeRole::new(&hop.role_arn, session);
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
            let client = sts.with_credentials(Arc::new(StaticProvider::new(credentials)));
            let what = format!("profile `{}`: AssumeRole {}", hop.profile, hop.role_arn);
            credentials = client
                .assume_role(&op)
                .map_err(|e| client_error_to_credentials(NAME, &what, e))?
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

/// The AWS CLI's chain with the role slot filled: [`AssumeRoleProvider`]
/// (`assume-role`) and [`WebIdentityProvider`](super::web_identity::WebIdentityProvider)
/// (`web-identity`) between the environment and the profile files, all
/// over `transport`. Uncached: wrap it in a
/// [`CachedProvider`](crate::credentials::cache::CachedProvider).
///
/// ```
/// use std::sync::Arc;
/// use sigv4::client::assume_role::role_aware_chain;
/// use sigv4::config::Env;
/// use sigv4::transport::from_fn;
///
/// let transport = Arc::new(from_fn(|_, _| unreachable!("not called here")));
/// let chain = role_aware_chain(Env::from_map([("HOME", "/nonexistent")]), None, transport, None);
/// let names: Vec<&str> = chain.names().collect();
/// assert_eq!(names, ["explicit", "environment", "assume-role", "web-identity", "profile", "container", "imds"]);
/// ```
pub fn role_aware_chain(
    env: Env,
    profile: Option<&str>,
    transport: Arc<dyn Transport>,
    mfa: Option<MfaTokenProvider>,
) -> crate::credentials::chain::CredentialsChain {
    let mut assume = AssumeRoleProvider::new(env.clone(), transport.clone());
    if let Some(p) = profile {
        assume = assume.with_profile(p);
    }
    if let Some(m) = mfa {
        assume = assume.with_mfa_token_provider(m);
    }
    let web = super::web_identity::WebIdentityProvider::from_env(env.clone(), transport.clone());
    let mut builder = crate::credentials::chain::DefaultChainBuilder::new()
        .env(env)
        .transport(transport)
        .role_provider(AssumeRoleProvider::NAME, Arc::new(assume))
        .role_provider(
            super::web_identity::WebIdentityProvider::NAME,
            Arc::new(web),
        );
    if let Some(p) = profile {
        builder = builder.profile(p);
    }
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profiles(config: &str) -> ProfileSet {
        ProfileSet::parse(config, "").unwrap()
    }

    #[test]
    fn plans() {
        let p = profiles(
            "[profile a]\nrole_arn = arn:a\nsource_profile = b\nrole_session_name = s\nduration_seconds = 900\n\
             [profile b]\nrole_arn = arn:b\naws_access_key_id = AK\naws_secret_access_key = S\nsource_profile = c\n\
             [profile self]\nrole_arn = arn:self\nsource_profile = self\naws_access_key_id = AK\naws_secret_access_key = S\n\
             [profile env]\nrole_arn = arn:e\ncredential_source = Environment\n\
             [profile proc]\nrole_arn = arn:p\nsource_profile = pp\n[profile pp]\ncredential_process = echo\n\
             [profile web]\nrole_arn = arn:w\nweb_identity_token_file = /t\n\
             [profile onweb]\nrole_arn = arn:o\nsource_profile = web\n\
             [profile both]\nrole_arn = arn:x\nsource_profile = b\ncredential_source = Environment\n\
             [profile none]\nrole_arn = arn:x\n\
             [profile badsrc]\nrole_arn = arn:x\ncredential_source = Moon\n\
             [profile missing]\nrole_arn = arn:x\nsource_profile = ghost\n\
             [profile baddur]\nrole_arn = arn:x\nsource_profile = b\nduration_seconds = 1h\n",
        );
        let a = plan(&p, "a").unwrap().unwrap();
        assert_eq!(a.hops.len(), 1);
        assert_eq!(a.hops[0].duration_seconds, Some(900));
        assert_eq!(
            a.base,
            BaseCredentials::StaticKeys {
                profile: "b".into()
            }
        );
        let s = plan(&p, "self").unwrap().unwrap();
        assert_eq!(
            (s.hops.len(), &s.base),
            (
                1,
                &BaseCredentials::StaticKeys {
                    profile: "self".into()
                }
            )
        );
        let e = plan(&p, "env").unwrap().unwrap();
        assert_eq!(e.base, BaseCredentials::Environment);
        assert_eq!(
            e.to_string(),
            "profile env: assume role arn:e via credential_source Environment"
        );
        assert_eq!(
            plan(&p, "proc").unwrap().unwrap().base,
            BaseCredentials::Profile {
                profile: "pp".into()
            }
        );
        let w = plan(&p, "web").unwrap().unwrap();
        assert!(w.hops.is_empty());
        assert_eq!(
            w.to_string(),
            "profile web: assume role arn:w with web identity token file"
        );
        let o = plan(&p, "onweb").unwrap().unwrap();
        assert_eq!(o.hops.len(), 1);
        assert!(matches!(o.base, BaseCredentials::WebIdentity { .. }));
        for bad in ["both", "none", "badsrc", "missing", "baddur"] {
            let e = plan(&p, bad).unwrap_err();
            assert!(
                e.to_string()
                    .contains(if bad == "missing" { "ghost" } else { bad }),
                "{bad}: {e}"
            );
        }
        assert!(plan(&p, "pp").unwrap().is_none());
        assert!(plan(&p, "nonexistent").unwrap().is_none());
    }

    #[test]
    fn long_chains_and_cycles() {
        let mut config = String::new();
        for i in 0..20 {
            config.push_str(&format!(
                "[profile p{i}]\nrole_arn = arn:{i}\nsource_profile = p{}\n",
                i + 1
            ));
        }
        config.push_str("[profile p20]\naws_access_key_id = AK\naws_secret_access_key = S\n");
        config.push_str("[profile x]\nrole_arn = arn:x\nsource_profile = y\n[profile y]\nrole_arn = arn:y\nsource_profile = z\n[profile z]\nrole_arn = arn:z\nsource_profile = y\n");
        let p = profiles(&config);
        assert_eq!(plan(&p, "p0").unwrap().unwrap().hops.len(), 20);
        let e = plan(&p, "x").unwrap_err();
        assert!(
            e.to_string()
                .contains("source_profile cycle: x -> y -> z -> y"),
            "{e}"
        );
    }
}
