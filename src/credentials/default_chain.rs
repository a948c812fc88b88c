//! The AWS CLI's provider chain, built in one place: [`DefaultChainBuilder`]
//! and [`default_chain`].
//!
//! | # | name | source |
//! | --- | --- | --- |
//! | 1 | `explicit` | credentials given to the builder |
//! | 2 | `environment` | `AWS_ACCESS_KEY_ID`... (skipped when a profile is chosen explicitly, as the CLI does for `--profile`) |
//! | - | *role slot* | `assume-role` (`role_arn` profiles), `web-identity` (`AWS_WEB_IDENTITY_TOKEN_FILE`) `sso` (`sso_account_id`/`sso_role_name` profiles) and `login` (`login_session` profiles; skipped when the credentials file has the profile's keys, which the AWS CLI tries first) with feature `client`, then any [`role_provider`](DefaultChainBuilder::role_provider)s: where the CLI has them |
//! | 3 | `profile` | credentials file keys, `credential_process`, config file keys |
//! | 4 | `container` | ECS / EKS endpoint (feature `http`) |
//! | 5 | `imds` | EC2 instance profile (feature `http`) |

use std::fmt;
use std::sync::Arc;

#[cfg(feature = "client")]
use super::assume_role::{AssumeRoleProvider, MfaTokenProvider};
use super::chain::{CredentialsChain, Skip};
use super::environment::EnvironmentProvider;
use super::profile::ProfileProvider;
use super::static_provider::StaticProvider;
#[cfg(feature = "client")]
use super::web_identity::WebIdentityProvider;
use super::{Credentials, ProvideCredentials, SkipReason};
use crate::config::Env;
#[cfg(feature = "http")]
use crate::transport::Transport;

/// Builds the AWS CLI's chain; see the [module docs](self).
///
/// With feature `client` the role slot holds the assume-role and
/// web-identity providers (over the builder's transport and MFA token
/// provider), before any added with [`role_provider`](Self::role_provider).
///
/// ```
/// use sigv4::config::Env;
/// use sigv4::credentials::chain::Outcome;
/// use sigv4::credentials::default_chain::DefaultChainBuilder;
/// use sigv4::credentials::Credentials;
///
/// let env = Env::from_map([("HOME", "/nonexistent"), ("AWS_ACCESS_KEY_ID", "AKIDENV"),
///                          ("AWS_SECRET_ACCESS_KEY", "secret")]);
/// let chain = DefaultChainBuilder::new()
///     .env(env)
///     .explicit(Credentials::new("AKIDEXPLICIT", "secret"))
///     .build();
/// let report = chain.explain();
/// assert_eq!(report.credentials().unwrap().access_key_id(), "AKIDEXPLICIT");
/// assert!(matches!(report.step("environment").unwrap().outcome, Outcome::NotReached));
/// ```
#[derive(Clone)]
pub struct DefaultChainBuilder {
    env: Env,
    profile: Option<String>,
    explicit: Option<Credentials>,
    role_providers: Vec<(String, Arc<dyn ProvideCredentials>)>,
    process_timeout: Option<std::time::Duration>,
    #[cfg(feature = "http")]
    transport: Option<Arc<dyn Transport>>,
    #[cfg(feature = "http")]
    imds: Option<Arc<crate::imds::ImdsClient>>,
    #[cfg(feature = "client")]
    mfa: Option<MfaTokenProvider>,
}

impl fmt::Debug for DefaultChainBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultChainBuilder")
            .field("env", &self.env)
            .field("profile", &self.profile)
            .field("explicit", &self.explicit)
            .field(
                "role_providers",
                &self
                    .role_providers
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Default for DefaultChainBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl DefaultChainBuilder {
    /// The real process environment, no explicit credentials or profile,
    /// and (with feature `client`) the default [`UreqTransport`](crate::transport::UreqTransport).
    pub fn new() -> Self {
        DefaultChainBuilder {
            env: Env::real(),
            profile: None,
            explicit: None,
            role_providers: Vec::new(),
            process_timeout: None,
            #[cfg(feature = "http")]
            transport: None,
            #[cfg(feature = "http")]
            imds: None,
            #[cfg(feature = "client")]
            mfa: None,
        }
    }

    /// Reads the environment from `env` instead of the process.
    pub fn env(mut self, env: Env) -> Self {
        self.env = env;
        self
    }

    /// Chooses profile `name` explicitly (a `--profile` option): it wins
    /// over `AWS_PROFILE`, and environment keys are then not used.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.profile = Some(name).filter(|n| !n.trim().is_empty());
        self
    }

    /// Credentials given by the caller; they win over everything else.
    pub fn explicit(mut self, credentials: Credentials) -> Self {
        self.explicit = Some(credentials);
        self
    }

    /// Adds a provider to the role slot, between the environment and the
    /// profile files: the place of the AWS CLI's assume-role
    /// (`role_arn`), web identity (`AWS_WEB_IDENTITY_TOKEN_FILE`) and SSO
    /// providers. Such a provider should return
    /// [`CredentialsError::NotLoaded`](super::CredentialsError::NotLoaded) when the profile or environment does
    /// not call for it. Providers added here run in the order added.
    pub fn role_provider(
        mut self,
        name: impl Into<String>,
        provider: Arc<dyn ProvideCredentials>,
    ) -> Self {
        self.role_providers.push((name.into(), provider));
        self
    }

    /// Limits how long a `credential_process` may run (default 60 s).
    pub fn process_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.process_timeout = Some(timeout);
        self
    }

    /// The HTTP transport for the container and IMDS providers.
    #[cfg(feature = "http")]
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// A ready IMDS client for the instance-profile provider (instead of
    /// one configured from the environment and profile).
    #[cfg(feature = "http")]
    pub fn imds_client(mut self, client: Arc<crate::imds::ImdsClient>) -> Self {
        self.imds = Some(client);
        self
    }

    /// Asks `provider` for MFA token codes (assume-role profiles with
    /// `mfa_serial`).
    #[cfg(feature = "client")]
    pub fn mfa_token_provider(mut self, provider: MfaTokenProvider) -> Self {
        self.mfa = Some(provider);
        self
    }

    /// The role slot with feature `client`: assume-role, web identity,
    /// SSO, login (each reads files and calls a service: blocking).
    #[cfg(feature = "client")]
    fn push_role_providers(&self, links: &mut Vec<ChainLink>, transport: &Arc<dyn Transport>) {
        let mut assume = AssumeRoleProvider::new(self.env.clone(), transport.clone());
        if let Some(p) = &self.profile {
            assume = assume.with_profile(p.clone());
        }
        if let Some(m) = &self.mfa {
            assume = assume.with_mfa_token_provider(m.clone());
        }
        links.push(ChainLink::blocking(AssumeRoleProvider::NAME, assume));
        let web = WebIdentityProvider::from_env(self.env.clone(), transport.clone());
        links.push(ChainLink::blocking(WebIdentityProvider::NAME, web));
        let mut sso = super::sso::SsoProvider::new(self.env.clone(), transport.clone());
        if let Some(p) = &self.profile {
            sso = sso.with_profile(p.clone());
        }
        links.push(ChainLink::blocking(super::sso::SsoProvider::NAME, sso));
        let mut login = super::login::LoginProvider::new(self.env.clone(), transport.clone());
        if let Some(p) = &self.profile {
            login = login.with_profile(p.clone());
        }
        links.push(ChainLink::blocking(
            super::login::LoginProvider::NAME,
            login,
        ));
    }

    /// Builds the chain. Nothing is read or fetched until it is used,
    /// except the profile files when an IMDS client has to be configured
    /// from them.
    pub fn build(self) -> CredentialsChain {
        let mut chain = CredentialsChain::new();
        for link in self.links() {
            chain.push(link.name, link.provider);
        }
        chain
    }

    /// The chain's providers in order, each marked with whether it may
    /// block (read files, run a process, use the network): the blocking
    /// chain runs them all in turn, the async chain runs the blocking ones
    /// on its blocking pool.
    pub(crate) fn links(self) -> Vec<ChainLink> {
        #[cfg(feature = "client")]
        let transport: Option<Arc<dyn Transport>> = Some(
            self.transport
                .clone()
                .unwrap_or_else(|| Arc::new(crate::transport::UreqTransport::new())),
        );
        #[cfg(all(feature = "http", not(feature = "client")))]
        let transport: Option<Arc<dyn Transport>> = self.transport.clone();
        let mut links = Vec::new();
        links.push(ChainLink::inline(
            StaticProvider::NAME,
            match &self.explicit {
                Some(credentials) => StaticProvider::new(credentials.clone()),
                None => StaticProvider::none(),
            },
        ));
        links.push(match &self.profile {
            Some(profile) => ChainLink::inline(
                EnvironmentProvider::NAME,
                Skip::new(
                    EnvironmentProvider::NAME,
                    SkipReason::ExplicitProfile {
                        profile: profile.clone(),
                    },
                ),
            ),
            None => ChainLink::inline(
                EnvironmentProvider::NAME,
                EnvironmentProvider::new(self.env.clone()),
            ),
        });
        #[cfg(feature = "client")]
        if let Some(transport) = &transport {
            self.push_role_providers(&mut links, transport);
        }
        for (name, provider) in &self.role_providers {
            links.push(ChainLink {
                name: name.clone(),
                provider: provider.clone(),
                blocking: true,
            });
        }
        let mut profile = ProfileProvider::new(self.env.clone());
        if let Some(name) = &self.profile {
            profile = profile.with_profile(name.clone());
        }
        if let Some(timeout) = self.process_timeout {
            profile = profile.with_process_timeout(timeout);
        }
        links.push(ChainLink::blocking(ProfileProvider::NAME, profile));
        #[cfg(feature = "http")]
        {
            use super::container::ContainerProvider;
            use super::imds::InstanceProfileProvider;
            match transport {
                Some(transport) => {
                    links.push(ChainLink::blocking(
                        ContainerProvider::NAME,
                        ContainerProvider::new(self.env.clone(), transport.clone()),
                    ));
                    let imds = match self.imds {
                        Some(client) => InstanceProfileProvider::new(client),
                        None => {
                            let profiles = crate::config::ProfileSet::load_with_profile(
                                &self.env,
                                self.profile.as_deref(),
                            )
                            .unwrap_or_default();
                            InstanceProfileProvider::from_env(transport, &self.env, &profiles)
                        }
                    };
                    links.push(ChainLink::blocking(InstanceProfileProvider::NAME, imds));
                }
                None => {
                    for name in [ContainerProvider::NAME, InstanceProfileProvider::NAME] {
                        links.push(ChainLink::inline(
                            name,
                            Skip::new(name, SkipReason::NoTransport),
                        ));
                    }
                }
            }
        }
        links
    }
}

/// One provider of the default chain, and whether it may block.
pub(crate) struct ChainLink {
    pub(crate) name: String,
    pub(crate) provider: Arc<dyn ProvideCredentials>,
    /// Reads files, runs a process or uses the network.
    #[cfg_attr(not(feature = "async"), allow(dead_code))]
    pub(crate) blocking: bool,
}

impl ChainLink {
    fn inline(name: &str, provider: impl ProvideCredentials + 'static) -> Self {
        ChainLink {
            name: name.to_owned(),
            provider: Arc::new(provider),
            blocking: false,
        }
    }

    fn blocking(name: &str, provider: impl ProvideCredentials + 'static) -> Self {
        ChainLink {
            name: name.to_owned(),
            provider: Arc::new(provider),
            blocking: true,
        }
    }
}

/// The AWS CLI's chain for this process's environment over the default
/// transport (feature `client`), with the role slot filled by the
/// assume-role and web-identity providers. Wrap it in a
/// [`CachedProvider`](super::cache::CachedProvider) to avoid fetching at
/// every use.
///
/// ```no_run
/// use sigv4::credentials::cache::CachedProvider;
/// use sigv4::credentials::default_chain::default_chain;
/// use sigv4::credentials::ProvideCredentials;
///
/// let provider = CachedProvider::new(default_chain());
/// let credentials = provider.provide()?;
/// # Ok::<(), sigv4::credentials::CredentialsError>(())
/// ```
///
/// Its providers:
///
/// ```
/// use sigv4::credentials::default_chain::default_chain;
///
/// let chain = default_chain();
/// let names: Vec<&str> = chain.names().collect();
/// assert_eq!(names, ["explicit", "environment", "assume-role", "web-identity", "sso", "login", "profile", "container", "imds"]);
/// ```
#[cfg(feature = "client")]
pub fn default_chain() -> CredentialsChain {
    DefaultChainBuilder::new().build()
}
