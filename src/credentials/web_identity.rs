//! Web identity credentials (feature `client`): an OIDC token file
//! exchanged for role credentials with STS `AssumeRoleWithWebIdentity`
//! (unsigned), called through the [`api`](crate::api) layer.
//!
//! [`WebIdentityProvider`] reads `AWS_WEB_IDENTITY_TOKEN_FILE`,
//! `AWS_ROLE_ARN` and `AWS_ROLE_SESSION_NAME` (as on EKS with IRSA). A
//! profile with `role_arn` and `web_identity_token_file` is handled by
//! [`AssumeRoleProvider`](super::assume_role::AssumeRoleProvider), through
//! [`assume_role_with_web_identity_file`]. The token file is read at each
//! call (it is rotated).
//!
//! ```
//! use std::sync::Arc;
//! use sigv4::credentials::web_identity::WebIdentityProvider;
//! use sigv4::config::Env;
//! use sigv4::credentials::ProvideCredentials;
//! use sigv4::transport::from_fn;
//!
//! let dir = std::env::temp_dir().join(format!("sigv4-doc-wi-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! std::fs::write(dir.join("token"), "eyJhbGciOi.fake.token")?;
//! let sts = from_fn(|request, _| {
//!     assert!(request.headers().get("authorization").is_none()); // unsigned
//!     Ok(http::Response::new(b"<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult>\
//!         <AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>\
//!         <Credentials><AccessKeyId>ASIAWEB</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>\
//!         <Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult>\
//!         </AssumeRoleWithWebIdentityResponse>".to_vec()))
//! });
//! let env = Env::from_map([
//!     ("AWS_WEB_IDENTITY_TOKEN_FILE", dir.join("token").to_str().unwrap()),
//!     ("AWS_ROLE_ARN", "arn:aws:iam::1:role/r"),
//!     ("AWS_REGION", "eu-west-1"),
//! ]);
//! let provider = WebIdentityProvider::from_env(env, Arc::new(sts));
//! let credentials = provider.provide()?;
//! assert_eq!(credentials.access_key_id(), "ASIAWEB");
//! assert_eq!(credentials.source(), "web identity: assume role arn:aws:iam::1:role/r with token file (env)");
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::Path;
use std::sync::Arc;

use zeroize::Zeroizing;

use super::sts_settings::StsSettings;
use super::{CredentialsError, ProvideCredentials, SkipReason};
use crate::api::call::Caller;
use crate::api::sts::{default_session_name, AssumeRoleWithWebIdentity, AssumedRole};
use crate::api::ServiceConfig;
use crate::config::env_vars::{AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME, AWS_WEB_IDENTITY_TOKEN_FILE};
use crate::config::{Env, ProfileSet};
use crate::sign::Credentials;
use crate::transport::Transport;

const NAME: &str = "web-identity";

/// Reads `token_file` and calls `AssumeRoleWithWebIdentity` with the STS
/// configuration and driver in `sts`. Errors name the file, never the token.
pub fn assume_role_with_web_identity_file(
    sts: &(ServiceConfig, Caller),
    role_arn: &str,
    session_name: &str,
    token_file: &Path,
    duration_seconds: Option<u32>,
) -> Result<AssumedRole, CredentialsError> {
    let token = std::fs::read_to_string(token_file).map_err(|e| {
        CredentialsError::invalid_configuration(
            NAME,
            format!(
                "cannot read the web identity token file {}: {e}",
                token_file.display()
            ),
        )
    })?;
    let token = Zeroizing::new(token);
    let token = token.trim();
    if token.is_empty() {
        return Err(CredentialsError::invalid_configuration(
            NAME,
            format!(
                "the web identity token file {} is empty",
                token_file.display()
            ),
        ));
    }
    let mut op = AssumeRoleWithWebIdentity::new(role_arn, session_name, token);
    op.duration_seconds = duration_seconds;
    let (config, caller) = sts;
    caller.call(config, &op, None).map_err(|e| {
        CredentialsError::from(e).within(NAME, &format!("AssumeRoleWithWebIdentity {role_arn}"))
    })
}

/// Credentials from `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`
/// (+ `AWS_ROLE_SESSION_NAME`). Not set up (skipped by a chain) when the
/// token file variable is unset; an error when it is set without a role.
///
/// Uncached: put it in a chain wrapped by a
/// [`CachedProvider`](super::cache::CachedProvider).
#[derive(Clone)]
pub struct WebIdentityProvider {
    env: Env,
    sts: StsSettings,
}

impl std::fmt::Debug for WebIdentityProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebIdentityProvider")
            .field("env", &self.env)
            .finish_non_exhaustive()
    }
}

impl WebIdentityProvider {
    /// The provider's name in a chain.
    pub const NAME: &'static str = NAME;

    /// Reads `env`; calls STS over `transport` (region and endpoint as for
    /// [`StsSettings`]).
    pub fn from_env(env: Env, transport: Arc<dyn Transport>) -> Self {
        WebIdentityProvider {
            sts: StsSettings::new(transport),
            env,
        }
    }

    /// Uses these STS settings (endpoint, region, retries).
    pub fn with_sts_settings(mut self, settings: StsSettings) -> Self {
        self.sts = settings;
        self
    }
}

impl ProvideCredentials for WebIdentityProvider {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        let Some(token_file) = self.env.get_non_blank(AWS_WEB_IDENTITY_TOKEN_FILE) else {
            return Err(CredentialsError::not_loaded(
                NAME,
                SkipReason::VariablesUnset(vec![AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN]),
            ));
        };
        let role_arn = self.env.get_non_blank(AWS_ROLE_ARN).ok_or_else(|| {
            CredentialsError::invalid_configuration(
                NAME,
                format!("{AWS_WEB_IDENTITY_TOKEN_FILE} is set but {AWS_ROLE_ARN} is not"),
            )
        })?;
        let session = self
            .env
            .get_non_blank(AWS_ROLE_SESSION_NAME)
            .unwrap_or_else(default_session_name);
        let profiles = ProfileSet::load(&self.env).unwrap_or_default();
        let sts = self.sts.resolve(&self.env, &profiles, NAME)?;
        let role = assume_role_with_web_identity_file(
            &sts,
            role_arn.trim(),
            session.trim(),
            Path::new(token_file.trim()),
            None,
        )?;
        Ok(role.credentials.with_source(format!(
            "web identity: assume role {} with token file (env)",
            role_arn.trim()
        )))
    }
}
