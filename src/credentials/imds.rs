//! Credentials of the EC2 instance profile, from IMDS (feature `http`).
//!
//! The role name comes from `/latest/meta-data/iam/security-credentials/`,
//! then its credentials from `.../<role>`. See [`crate::imds`] for the
//! client (IMDSv2 tokens, IMDSv1 fallback, timeouts).
//!
//! **Static stability.** If IMDS hands out credentials that have already
//! expired (its own credential refresh is late), or fails after having
//! worked, the provider keeps using the credentials it has for a few more
//! minutes (5 to 10, randomised), with a warning, rather than failing:
//! AWS services usually accept them for a while, and IMDS usually
//! recovers. The AWS SDKs do the same.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use super::{Credentials, CredentialsError, ProvideCredentials, SkipReason};
use crate::config::{Env, ProfileSet};
use crate::imds::protocol::{parse_credentials, parse_role_list, SECURITY_CREDENTIALS_PATH};
use crate::imds::{ImdsClient, ImdsConfig, ImdsError};
use crate::transport::Transport;
use crate::util::time::format_rfc3339;

const NAME: &str = "imds";

/// Shortest extension given to expired credentials.
const EXTENSION_MIN: Duration = Duration::from_secs(5 * 60);
/// Random part added to it (0 to 5 minutes).
const EXTENSION_JITTER_SECS: u64 = 5 * 60;

/// Credentials of the instance's IAM role.
///
/// ```
/// use std::sync::Arc;
/// use sigv4::credentials::imds::InstanceProfileProvider;
/// use sigv4::credentials::ProvideCredentials;
/// use sigv4::imds::{ImdsClient, ImdsConfig};
/// use sigv4::transport::from_fn;
///
/// // A canned IMDS.
/// let transport = Arc::new(from_fn(|request, _| {
///     let body = match request.uri().path() {
///         "/latest/api/token" => "token",
///         "/latest/meta-data/iam/security-credentials/" => "my-role",
///         "/latest/meta-data/iam/security-credentials/my-role" => r#"{"Code":"Success",
///             "AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"s","Token":"t",
///             "Expiration":"2100-01-01T00:00:00Z"}"#,
///         _ => "",
///     };
///     Ok(http::Response::new(body.as_bytes().to_vec()))
/// }));
/// let client = Arc::new(ImdsClient::new(transport, ImdsConfig::default()));
/// let c = InstanceProfileProvider::new(client).provide()?;
/// assert_eq!((c.access_key_id(), c.source()), ("ASIAEXAMPLE", "imds"));
/// # Ok::<(), sigv4::credentials::CredentialsError>(())
/// ```
pub struct InstanceProfileProvider {
    client: Result<Arc<ImdsClient>, ImdsError>,
    last: Mutex<Option<Credentials>>,
}

impl std::fmt::Debug for InstanceProfileProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstanceProfileProvider")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

fn jitter_secs() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    u64::from(nanos) % (EXTENSION_JITTER_SECS + 1)
}

impl InstanceProfileProvider {
    /// The provider's name in a chain, and the source of its credentials.
    pub const NAME: &'static str = NAME;

    /// Uses `client`.
    pub fn new(client: Arc<ImdsClient>) -> Self {
        InstanceProfileProvider {
            client: Ok(client),
            last: Mutex::new(None),
        }
    }

    /// A client configured from `env` and `profiles` (see
    /// [`ImdsConfig::from_env`]). A configuration error is reported by
    /// [`provide`](ProvideCredentials::provide), so building never fails.
    pub fn from_env(transport: Arc<dyn Transport>, env: &Env, profiles: &ProfileSet) -> Self {
        InstanceProfileProvider {
            client: ImdsConfig::from_env(env, profiles)
                .map(|config| Arc::new(ImdsClient::new(transport, config))),
            last: Mutex::new(None),
        }
    }

    /// The client, unless its configuration was invalid.
    pub fn client(&self) -> Option<&Arc<ImdsClient>> {
        self.client.as_ref().ok()
    }

    fn last(&self) -> MutexGuard<'_, Option<Credentials>> {
        self.last.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn fetch(&self, client: &ImdsClient) -> Result<(Credentials, Option<SystemTime>), ImdsError> {
        let list = client.get(SECURITY_CREDENTIALS_PATH)?;
        let role = parse_role_list(&list).ok_or_else(|| ImdsError::InvalidResponse {
            path: SECURITY_CREDENTIALS_PATH.into(),
            message: "no role name in the role list".into(),
        })?;
        let path = format!("{SECURITY_CREDENTIALS_PATH}{role}");
        let body = client.get_sensitive(&path)?;
        let parsed = parse_credentials(&body, &path)?;
        Ok((parsed.credentials, parsed.reported_expiry))
    }

    fn extend(&self, credentials: Credentials, now: SystemTime) -> (Credentials, SystemTime) {
        let until = now + EXTENSION_MIN + Duration::from_secs(jitter_secs());
        (credentials.with_expiry(until), until)
    }
}

fn to_credentials_error(e: ImdsError) -> CredentialsError {
    match e {
        ImdsError::Disabled { reason } => CredentialsError::not_loaded(NAME, SkipReason::ImdsDisabled { reason }),
        ImdsError::Unreachable { request, source } => CredentialsError::not_loaded(
            NAME,
            SkipReason::NotOnEc2 {
                detail: format!("{request}: {source}"),
            },
        ),
        ImdsError::ErrorResponse { ref path, status: 404 } if path == SECURITY_CREDENTIALS_PATH => {
            CredentialsError::not_loaded(NAME, SkipReason::NoInstanceRole)
        }
        ImdsError::ErrorResponse { path, status } if path.starts_with(SECURITY_CREDENTIALS_PATH) => {
            CredentialsError::provider_failed(
                NAME,
                format!("the instance's role is listed but {path} answered {status} (role without credentials?)"),
            )
        }
        ImdsError::InvalidResponse { .. } => CredentialsError::invalid_response(NAME, e.to_string()),
        ImdsError::InvalidConfiguration { .. } => CredentialsError::invalid_configuration(NAME, e.to_string()),
        ImdsError::Transport { ref source, .. } => {
            let source = source.clone();
            CredentialsError::unreachable(NAME, e.to_string(), Some(Arc::new(source)))
        }
        other => CredentialsError::provider_failed(NAME, other.to_string()),
    }
}

impl ProvideCredentials for InstanceProfileProvider {
    fn provide_with_warnings(
        &self,
        warnings: &mut Vec<String>,
    ) -> Result<Credentials, CredentialsError> {
        let client = match &self.client {
            Ok(client) => client,
            Err(e) => return Err(to_credentials_error(e.clone())),
        };
        let now = SystemTime::now();
        match self.fetch(client) {
            Ok((credentials, reported)) => {
                let credentials = match reported {
                    Some(expired_at) if expired_at <= now => {
                        let (extended, until) = self.extend(credentials, now);
                        warnings.push(format!(
                            "IMDS returned credentials that expired at {}; using them until {} (static stability)",
                            format_rfc3339(expired_at),
                            format_rfc3339(until)
                        ));
                        extended
                    }
                    _ => credentials,
                };
                *self.last() = Some(credentials.clone());
                Ok(credentials)
            }
            Err(e) => {
                let error = to_credentials_error(e);
                let disabled = matches!(
                    error.skip_reason(),
                    Some(SkipReason::ImdsDisabled { .. } | SkipReason::NoInstanceRole)
                );
                // Keep serving what IMDS gave before, for a few minutes, if it
                // is only failing now.
                match self.last().clone() {
                    Some(previous) if !disabled => {
                        let (extended, until) = self.extend(previous, now);
                        warnings.push(format!(
                            "IMDS failed ({error}); reusing the last credentials until {} (static stability)",
                            format_rfc3339(until)
                        ));
                        Ok(extended)
                    }
                    _ => Err(error),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::{from_fn, TransportError, TransportErrorKind};
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn reuses_last_credentials_when_imds_fails() {
        let down = Arc::new(AtomicBool::new(false));
        let d = down.clone();
        let transport = Arc::new(from_fn(move |request, _| {
            if d.load(Ordering::SeqCst) {
                return Err(TransportError::new(TransportErrorKind::Connect, "refused"));
            }
            let body = match request.uri().path() {
                "/latest/api/token" => "tok",
                "/latest/meta-data/iam/security-credentials/" => "r",
                _ => {
                    r#"{"AccessKeyId":"ASIA","SecretAccessKey":"S3CRET","Expiration":"2100-01-01T00:00:00Z"}"#
                }
            };
            Ok(http::Response::new(body.as_bytes().to_vec()))
        }));
        let p = InstanceProfileProvider::new(Arc::new(ImdsClient::new(
            transport,
            ImdsConfig::default(),
        )));
        let mut warnings = Vec::new();
        let first = p.provide_with_warnings(&mut warnings).unwrap();
        assert_eq!((first.access_key_id(), first.source()), ("ASIA", "imds"));
        assert!(warnings.is_empty());
        down.store(true, Ordering::SeqCst);
        p.client().unwrap().clear_token();
        let c = p.provide_with_warnings(&mut warnings).unwrap();
        assert_eq!(c.access_key_id(), "ASIA");
        let left = c
            .expires_at()
            .unwrap()
            .duration_since(SystemTime::now())
            .unwrap();
        assert!(
            left > Duration::from_secs(4 * 60) && left <= Duration::from_secs(10 * 60),
            "{left:?}"
        );
        assert_eq!(warnings.len(), 1);
        let (reason, rest) = warnings[0]
            .split_once("; reusing the last credentials until ")
            .unwrap_or_else(|| panic!("{warnings:?}"));
        assert_eq!(
            reason,
            "IMDS failed (imds: no credentials: not on EC2: instance metadata service \
             unreachable (PUT /latest/api/token: connection failed: refused))"
        );
        assert!(rest.ends_with(" (static stability)"), "{rest}");
        assert!(!warnings[0].contains("S3CRET"));
    }

    #[test]
    fn invalid_configuration_is_reported_at_provide() {
        let env = Env::from_map([("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv5")]);
        let transport = Arc::new(from_fn(|_, _| unreachable!()));
        let p = InstanceProfileProvider::from_env(transport, &env, &ProfileSet::default());
        let e = p.provide().unwrap_err();
        match &e {
            CredentialsError::InvalidConfiguration { provider, message } => assert_eq!(
                (provider.as_str(), message.as_str()),
                (
                    "imds",
                    "invalid IMDS configuration: `IPv5` is not a valid endpoint mode (expected IPv4 or IPv6)"
                )
            ),
            other => panic!("expected InvalidConfiguration: {other:?}"),
        }
    }
}
