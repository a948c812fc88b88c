//! The AWS sign-in service (`Signin`), sans-IO: `CreateOAuth2Token` with
//! the `refresh_token` grant, which renews an `aws login` session. Not
//! SigV4-signed: the request carries a DPoP proof ([`dpop`](super::dpop))
//! for its exact URL, made with the session's key.
//!
//! `POST https://{region}.signin.aws.amazon.com/v1/token` with
//! `{"clientId", "refreshToken", "grantType": "refresh_token"}`; the answer
//! is `{"accessToken": {"accessKeyId", "secretAccessKey", "sessionToken"},
//! "tokenType", "expiresIn", "refreshToken"}`. A session that can no longer
//! be refreshed is `AccessDeniedException` with `error` `TOKEN_EXPIRED`
//! or `USER_CREDENTIALS_CHANGED` ([`SigninErrorKind`]).

use std::fmt;
use std::time::Duration;

use zeroize::Zeroizing;

use super::dpop::DpopKey;
use super::endpoint::check_region;
use super::json_body::{json_post, parse_object, required, required_integer};
use super::{ApiRequest, CallError, Operation, ServiceConfig};
use crate::sign::Credentials;

/// The service's SDK id (`AWS_ENDPOINT_URL_SIGNIN`, `signin =` in a
/// `services` section).
pub const SERVICE_ID: &str = "Signin";
/// The DPoP header.
pub const DPOP_HEADER: &str = "dpop";

/// The service's base URL under `config`: a configured endpoint, else
/// `https://{region}.signin.aws.amazon.com` (`.signin.amazonaws.cn` in
/// China, `.signin.amazonaws-us-gov.com` in GovCloud).
pub fn endpoint(config: &ServiceConfig) -> Result<String, CallError> {
    config.endpoint_for(SERVICE_ID, || {
        let region = &config.region;
        check_region(region)?;
        let domain = if region.starts_with("cn-") {
            "signin.amazonaws.cn"
        } else if region.starts_with("us-gov-") {
            "signin.amazonaws-us-gov.com"
        } else {
            "signin.aws.amazon.com"
        };
        Ok(format!("https://{region}.{domain}"))
    })
}

/// Why a refresh was refused, when it says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SigninErrorKind {
    /// `TOKEN_EXPIRED` / `USER_CREDENTIALS_CHANGED`: log in again.
    LoginRequired,
    /// `INSUFFICIENT_PERMISSIONS`.
    InsufficientPermissions,
}

impl SigninErrorKind {
    /// The kind of a failed refresh. The OAuth `error` member becomes the
    /// code when it is there.
    pub fn of(error: &CallError) -> Option<SigninErrorKind> {
        let api = error.api_error()?;
        let detail = api.message.as_deref().unwrap_or_default();
        match api.code.as_str() {
            "TOKEN_EXPIRED" | "USER_CREDENTIALS_CHANGED" => Some(SigninErrorKind::LoginRequired),
            "INSUFFICIENT_PERMISSIONS" => Some(SigninErrorKind::InsufficientPermissions),
            "AccessDeniedException" if detail.contains("expired") => {
                Some(SigninErrorKind::LoginRequired)
            }
            _ => None,
        }
    }
}

/// What a refresh returns.
#[derive(Clone)]
#[non_exhaustive]
pub struct RefreshedSession {
    /// The new credentials (no expiry set: see `expires_in`).
    pub credentials: Credentials,
    /// `expiresIn`.
    pub expires_in: Duration,
    /// The new `refreshToken` (zeroized, never in `Debug`).
    pub refresh_token: Zeroizing<String>,
}

impl fmt::Debug for RefreshedSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshedSession")
            .field("credentials", &self.credentials)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// `CreateOAuth2Token` with the `refresh_token` grant. The DPoP proof is
/// made at build time from `iat` and `jti`.
#[derive(Clone)]
pub struct RefreshOAuth2Token {
    client_id: String,
    refresh_token: Zeroizing<String>,
    key: DpopKey,
    iat: i64,
    jti: String,
}

impl fmt::Debug for RefreshOAuth2Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshOAuth2Token")
            .field("client_id", &self.client_id)
            .field("iat", &self.iat)
            .finish_non_exhaustive()
    }
}

impl RefreshOAuth2Token {
    /// A refresh of `refresh_token` for `client_id`, proved with `key` at
    /// `iat` (Unix seconds) with the unique id `jti`.
    pub fn new(client_id: &str, refresh_token: &str, key: DpopKey, iat: i64, jti: &str) -> Self {
        RefreshOAuth2Token {
            client_id: client_id.to_owned(),
            refresh_token: Zeroizing::new(refresh_token.to_owned()),
            key,
            iat,
            jti: jti.to_owned(),
        }
    }
}

impl Operation for RefreshOAuth2Token {
    type Output = RefreshedSession;

    fn name(&self) -> &'static str {
        "signin:CreateOAuth2Token"
    }

    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, CallError> {
        let url = format!("{}/v1/token", endpoint(config)?);
        let proof = self.key.proof("POST", &url, self.iat, &self.jti);
        Ok(json_post(
            url,
            &[
                ("clientId", Some(&self.client_id)),
                ("refreshToken", Some(&self.refresh_token)),
                ("grantType", Some("refresh_token")),
            ],
        )
        .header(DPOP_HEADER, proof))
    }

    fn parse(&self, response: http::Response<Vec<u8>>) -> Result<RefreshedSession, CallError> {
        let op = self.name();
        let doc = parse_object(op, response)?;
        let access = doc
            .get("accessToken")
            .filter(|a| a.is_object())
            .ok_or_else(|| CallError::parse(op, "missing \"accessToken\""))?;
        let credentials = Credentials::new(
            required(access, "accessKeyId", op)?,
            required(access, "secretAccessKey", op)?,
        )
        .with_session_token(required(access, "sessionToken", op)?);
        Ok(RefreshedSession {
            credentials,
            expires_in: Duration::from_secs(
                required_integer(&doc, "expiresIn", op)?
                    .max(0)
                    .unsigned_abs(),
            ),
            refresh_token: Zeroizing::new(required(&doc, "refreshToken", op)?.to_owned()),
        })
    }
}
