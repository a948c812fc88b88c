//! What the emulator serves and which faults it injects:
//! [`EmulatorConfig`] and the role's [`RoleCredentials`].

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, SystemTime};

use crate::util::time::format_rfc3339;

/// The credentials served for the role.
#[derive(Clone, PartialEq, Eq)]
pub struct RoleCredentials {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token.
    pub token: String,
    /// The `Expiration` served (may be in the past, to test expired
    /// credentials).
    pub expiration: SystemTime,
}

impl RoleCredentials {
    /// Example credentials (`ASIAEMULATOREXAMPLE`) expiring `valid_for`
    /// from now.
    pub fn example(valid_for: Duration) -> Self {
        RoleCredentials {
            access_key_id: "ASIAEMULATOREXAMPLE".into(),
            secret_access_key: "emulatorSecretAccessKeyEXAMPLEKEY".into(),
            token: "emulatorSessionTokenEXAMPLE".into(),
            expiration: SystemTime::now() + valid_for,
        }
    }

    /// Example credentials that expired `ago` ago.
    pub fn expired(ago: Duration) -> Self {
        RoleCredentials {
            expiration: SystemTime::now()
                .checked_sub(ago)
                .unwrap_or(SystemTime::UNIX_EPOCH),
            ..Self::example(Duration::ZERO)
        }
    }
}

impl fmt::Debug for RoleCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RoleCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("token", &"<redacted>")
            .field("expiration", &format_rfc3339(self.expiration))
            .finish()
    }
}

/// What the emulator serves and which faults it injects. Start from
/// [`Default`] and change fields or use the `with_*` methods.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct EmulatorConfig {
    /// Tokenless (IMDSv1) requests get `401` (default `true`).
    pub require_token: bool,
    /// Every token request is answered with this status instead (`403`:
    /// IMDS disabled; `404`: an IMDSv1-only service).
    pub token_status: Option<u16>,
    /// The next this many token requests are answered `500`.
    pub fail_next_token_requests: u32,
    /// The next this many metadata requests are answered `500`.
    pub fail_next_metadata_requests: u32,
    /// Metadata paths under `/latest/meta-data/` (without the leading
    /// `/`) and their values.
    pub metadata: BTreeMap<String, String>,
    /// The instance identity document; `None` builds one from `metadata`.
    pub identity_document: Option<String>,
    /// The IAM role's name; `None`: no instance profile.
    pub role: Option<String>,
    /// The role's credentials; `None` with a role: the role is listed but
    /// its credentials path answers `404`.
    pub credentials: Option<RoleCredentials>,
}

impl Default for EmulatorConfig {
    /// Tokens required; instance `i-0123456789abcdef0` in `us-east-1a`;
    /// role `sigv4-emulator-role` with [`RoleCredentials::example`] valid
    /// 6 hours.
    fn default() -> Self {
        let metadata = [
            ("ami-id", "ami-0123456789abcdef0"),
            ("hostname", "ip-10-0-0-1.ec2.internal"),
            ("instance-id", "i-0123456789abcdef0"),
            ("instance-type", "t3.micro"),
            ("local-ipv4", "10.0.0.1"),
            ("placement/availability-zone", "us-east-1a"),
            ("placement/region", "us-east-1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        EmulatorConfig {
            require_token: true,
            token_status: None,
            fail_next_token_requests: 0,
            fail_next_metadata_requests: 0,
            metadata,
            identity_document: None,
            role: Some("sigv4-emulator-role".into()),
            credentials: Some(RoleCredentials::example(Duration::from_secs(6 * 3600))),
        }
    }
}

impl EmulatorConfig {
    /// Serves tokenless (IMDSv1) requests too.
    pub fn allow_v1(mut self) -> Self {
        self.require_token = false;
        self
    }

    /// Sets the placement region (and availability zone `<region>a`).
    pub fn with_region(mut self, region: &str) -> Self {
        self.metadata
            .insert("placement/region".into(), region.to_owned());
        self.metadata
            .insert("placement/availability-zone".into(), format!("{region}a"));
        self
    }

    /// Sets the role and its credentials (`None`: role without
    /// credentials).
    pub fn with_role(mut self, name: &str, credentials: Option<RoleCredentials>) -> Self {
        self.role = Some(name.to_owned());
        self.credentials = credentials;
        self
    }

    /// No instance profile.
    pub fn without_role(mut self) -> Self {
        self.role = None;
        self.credentials = None;
        self
    }

    /// Answers every token request with `status`.
    pub fn with_token_status(mut self, status: u16) -> Self {
        self.token_status = Some(status);
        self
    }
}
