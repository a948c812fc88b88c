//! IAM Identity Center OIDC (`SSO OIDC`), sans-IO: the calls of the
//! device authorization flow and of token refresh. None is SigV4-signed;
//! bodies are JSON.
//!
//! | call | request | used for |
//! | --- | --- | --- |
//! | [`RegisterClient`] | `POST /client/register` | a public client (cached by the login) |
//! | [`StartDeviceAuthorization`] | `POST /device_authorization` | a user code and verification URL |
//! | [`CreateToken`] | `POST /token` | the device code grant (polled) and `refresh_token` |
//!
//! Errors keep the service's exception name as their code, whether it came
//! in the `x-amzn-errortype` header or as an OAuth `error` member
//! ([`OidcErrorKind`] classifies them).
//!
//! ```
//! use sigv4::api::sso_oidc::{CreateToken, OidcErrorKind};
//! use sigv4::api::{Operation, ServiceConfig};
//!
//! let op = CreateToken::refresh("client-id", "client-secret", "refresh-token");
//! let request = op.build(&ServiceConfig::new("us-east-1"))?;
//! assert_eq!(request.url, "https://oidc.us-east-1.amazonaws.com/token");
//! let body = String::from_utf8(request.body.clone()).unwrap();
//! assert!(body.contains(r#""grantType": "refresh_token""#));
//! assert!(!format!("{op:?}").contains("refresh-token"));
//!
//! let pending = http::Response::builder().status(400)
//!     .body(br#"{"error":"authorization_pending"}"#.to_vec()).unwrap();
//! let e = op.parse(pending).unwrap_err();
//! assert_eq!(OidcErrorKind::of(&e), Some(OidcErrorKind::AuthorizationPending));
//! # Ok::<(), sigv4::api::CallError>(())
//! ```

use std::fmt;
use std::time::Duration;

use zeroize::Zeroizing;

use super::endpoint::check_region;
use super::json_body::{integer, json_post, optional, parse_object, required, required_integer};
use super::sso::dns_suffix;
use super::{ApiRequest, CallError, Operation, ServiceConfig};

/// The service's SDK id (`AWS_ENDPOINT_URL_SSO_OIDC`, `sso_oidc =` in a
/// `services` section).
pub const SERVICE_ID: &str = "SSO OIDC";
/// The device code grant type.
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// The refresh token grant type.
pub const REFRESH_TOKEN_GRANT: &str = "refresh_token";

/// The service's base URL under `config`: a configured endpoint, else
/// `https://oidc.{region}.amazonaws.com`.
pub fn endpoint(config: &ServiceConfig) -> Result<String, CallError> {
    config.endpoint_for(SERVICE_ID, || {
        check_region(&config.region)?;
        Ok(format!(
            "https://oidc.{}.{}",
            config.region,
            dns_suffix(&config.region)
        ))
    })
}

/// The errors of the OIDC calls that callers act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OidcErrorKind {
    /// `AuthorizationPendingException` / `authorization_pending`: poll again.
    AuthorizationPending,
    /// `SlowDownException` / `slow_down`: poll again, 5 s slower.
    SlowDown,
    /// `ExpiredTokenException` / `expired_token`: the device code (or
    /// refresh token) expired.
    ExpiredToken,
    /// `InvalidGrantException` / `invalid_grant`: the grant was refused.
    InvalidGrant,
    /// `InvalidClientException` / `invalid_client`: the registration is gone.
    InvalidClient,
    /// `AccessDeniedException` / `access_denied`: the user refused.
    AccessDenied,
}

impl OidcErrorKind {
    /// The kind of a failed OIDC call, if it is one of these.
    pub fn of(error: &CallError) -> Option<OidcErrorKind> {
        Some(match error.code()? {
            "AuthorizationPendingException" | "authorization_pending" => {
                OidcErrorKind::AuthorizationPending
            }
            "SlowDownException" | "slow_down" => OidcErrorKind::SlowDown,
            "ExpiredTokenException" | "expired_token" => OidcErrorKind::ExpiredToken,
            "InvalidGrantException" | "invalid_grant" => OidcErrorKind::InvalidGrant,
            "InvalidClientException" | "invalid_client" => OidcErrorKind::InvalidClient,
            "AccessDeniedException" | "access_denied" => OidcErrorKind::AccessDenied,
            _ => return None,
        })
    }
}

/// What [`CreateToken`] returns. Secrets zeroized, never in `Debug`.
#[derive(Clone)]
#[non_exhaustive]
pub struct TokenOutput {
    /// `accessToken`.
    pub access_token: Zeroizing<String>,
    /// `expiresIn`.
    pub expires_in: Duration,
    /// `refreshToken`, when the service rotates or issues one.
    pub refresh_token: Option<Zeroizing<String>>,
    /// `tokenType` (`Bearer`).
    pub token_type: Option<String>,
}

impl fmt::Debug for TokenOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenOutput")
            .field("access_token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("token_type", &self.token_type)
            .finish()
    }
}

#[derive(Clone)]
enum Grant {
    Refresh(Zeroizing<String>),
    DeviceCode(Zeroizing<String>),
}

/// `CreateToken` with a refresh token or a device code.
#[derive(Clone)]
pub struct CreateToken {
    client_id: String,
    client_secret: Zeroizing<String>,
    grant: Grant,
}

impl fmt::Debug for CreateToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let grant = match self.grant {
            Grant::Refresh(_) => REFRESH_TOKEN_GRANT,
            Grant::DeviceCode(_) => DEVICE_CODE_GRANT,
        };
        f.debug_struct("CreateToken")
            .field("client_id", &self.client_id)
            .field("grant_type", &grant)
            .finish_non_exhaustive()
    }
}

impl CreateToken {
    /// The `refresh_token` grant.
    pub fn refresh(client_id: &str, client_secret: &str, refresh_token: &str) -> Self {
        CreateToken {
            client_id: client_id.to_owned(),
            client_secret: Zeroizing::new(client_secret.to_owned()),
            grant: Grant::Refresh(Zeroizing::new(refresh_token.to_owned())),
        }
    }

    /// The device code grant (polling after [`StartDeviceAuthorization`]).
    pub fn device_code(client_id: &str, client_secret: &str, device_code: &str) -> Self {
        CreateToken {
            client_id: client_id.to_owned(),
            client_secret: Zeroizing::new(client_secret.to_owned()),
            grant: Grant::DeviceCode(Zeroizing::new(device_code.to_owned())),
        }
    }
}

impl Operation for CreateToken {
    type Output = TokenOutput;

    fn name(&self) -> &'static str {
        "sso-oidc:CreateToken"
    }

    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, CallError> {
        let url = format!("{}/token", endpoint(config)?);
        let (grant, refresh, device) = match &self.grant {
            Grant::Refresh(t) => (REFRESH_TOKEN_GRANT, Some(t.as_str()), None),
            Grant::DeviceCode(c) => (DEVICE_CODE_GRANT, None, Some(c.as_str())),
        };
        Ok(json_post(
            url,
            &[
                ("clientId", Some(&self.client_id)),
                ("clientSecret", Some(&self.client_secret)),
                ("grantType", Some(grant)),
                ("refreshToken", refresh),
                ("deviceCode", device),
            ],
        ))
    }

    fn parse(&self, response: http::Response<Vec<u8>>) -> Result<TokenOutput, CallError> {
        let op = self.name();
        let doc = parse_object(op, response)?;
        let expires_in = required_integer(&doc, "expiresIn", op)?;
        Ok(TokenOutput {
            access_token: Zeroizing::new(required(&doc, "accessToken", op)?.to_owned()),
            expires_in: Duration::from_secs(expires_in.max(0).unsigned_abs()),
            refresh_token: optional(&doc, "refreshToken").map(|t| Zeroizing::new(t.to_owned())),
            token_type: optional(&doc, "tokenType").map(str::to_owned),
        })
    }
}

/// What [`RegisterClient`] returns.
#[derive(Clone)]
#[non_exhaustive]
pub struct RegisteredClient {
    /// `clientId`.
    pub client_id: String,
    /// `clientSecret` (zeroized, never in `Debug`).
    pub client_secret: Zeroizing<String>,
    /// `clientSecretExpiresAt`, Unix seconds.
    pub client_secret_expires_at: i64,
}

impl fmt::Debug for RegisteredClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegisteredClient")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("client_secret_expires_at", &self.client_secret_expires_at)
            .finish()
    }
}

/// `RegisterClient`: a public client named `client_name`, with `scopes`.
#[derive(Clone, Debug)]
pub struct RegisterClient {
    /// `clientName`.
    pub client_name: String,
    /// `scopes` (left out when `None` or empty).
    pub scopes: Option<Vec<String>>,
}

impl Operation for RegisterClient {
    type Output = RegisteredClient;

    fn name(&self) -> &'static str {
        "sso-oidc:RegisterClient"
    }

    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, CallError> {
        let url = format!("{}/client/register", endpoint(config)?);
        let mut request = json_post(
            url,
            &[
                ("clientName", Some(&self.client_name)),
                ("clientType", Some("public")),
            ],
        );
        if let Some(scopes) = self.scopes.as_ref().filter(|s| !s.is_empty()) {
            use crate::util::json::Json;
            let mut doc =
                crate::util::json::parse(std::str::from_utf8(&request.body).unwrap_or("{}"))
                    .unwrap_or(Json::Object(Vec::new()));
            doc.set(
                "scopes",
                Json::Array(scopes.iter().map(|s| Json::string(s)).collect()),
            );
            request = request.body(doc.to_text().as_bytes().to_vec());
        }
        Ok(request)
    }

    fn parse(&self, response: http::Response<Vec<u8>>) -> Result<RegisteredClient, CallError> {
        let op = self.name();
        let doc = parse_object(op, response)?;
        Ok(RegisteredClient {
            client_id: required(&doc, "clientId", op)?.to_owned(),
            client_secret: Zeroizing::new(required(&doc, "clientSecret", op)?.to_owned()),
            client_secret_expires_at: required_integer(&doc, "clientSecretExpiresAt", op)?,
        })
    }
}

/// What [`StartDeviceAuthorization`] returns.
#[derive(Clone)]
#[non_exhaustive]
pub struct DeviceAuthorization {
    /// `deviceCode` (zeroized, never in `Debug`).
    pub device_code: Zeroizing<String>,
    /// `userCode`: what the user confirms in the browser.
    pub user_code: String,
    /// `verificationUri`.
    pub verification_uri: String,
    /// `verificationUriComplete` (the URI with the code filled in).
    pub verification_uri_complete: Option<String>,
    /// `expiresIn`.
    pub expires_in: Duration,
    /// `interval`: how long to wait between polls (default 5 s).
    pub interval: Option<Duration>,
}

impl fmt::Debug for DeviceAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceAuthorization")
            .field("device_code", &"<redacted>")
            .field("user_code", &self.user_code)
            .field("verification_uri", &self.verification_uri)
            .field("expires_in", &self.expires_in)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

/// `StartDeviceAuthorization` for `start_url`.
#[derive(Clone)]
pub struct StartDeviceAuthorization {
    client_id: String,
    client_secret: Zeroizing<String>,
    /// The start URL.
    pub start_url: String,
}

impl fmt::Debug for StartDeviceAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StartDeviceAuthorization")
            .field("client_id", &self.client_id)
            .field("start_url", &self.start_url)
            .finish_non_exhaustive()
    }
}

impl StartDeviceAuthorization {
    /// The call for a registered client.
    pub fn new(client_id: &str, client_secret: &str, start_url: &str) -> Self {
        StartDeviceAuthorization {
            client_id: client_id.to_owned(),
            client_secret: Zeroizing::new(client_secret.to_owned()),
            start_url: start_url.to_owned(),
        }
    }
}

impl Operation for StartDeviceAuthorization {
    type Output = DeviceAuthorization;

    fn name(&self) -> &'static str {
        "sso-oidc:StartDeviceAuthorization"
    }

    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, CallError> {
        let url = format!("{}/device_authorization", endpoint(config)?);
        Ok(json_post(
            url,
            &[
                ("clientId", Some(&self.client_id)),
                ("clientSecret", Some(&self.client_secret)),
                ("startUrl", Some(&self.start_url)),
            ],
        ))
    }

    fn parse(&self, response: http::Response<Vec<u8>>) -> Result<DeviceAuthorization, CallError> {
        let op = self.name();
        let doc = parse_object(op, response)?;
        let secs = |v: i64| Duration::from_secs(v.max(0).unsigned_abs());
        Ok(DeviceAuthorization {
            device_code: Zeroizing::new(required(&doc, "deviceCode", op)?.to_owned()),
            user_code: required(&doc, "userCode", op)?.to_owned(),
            verification_uri: required(&doc, "verificationUri", op)?.to_owned(),
            verification_uri_complete: optional(&doc, "verificationUriComplete").map(str::to_owned),
            expires_in: secs(required_integer(&doc, "expiresIn", op)?),
            interval: integer(&doc, "interval").map(secs),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(status: u16, header: Option<&str>, body: &str) -> CallError {
        let mut b = http::Response::builder().status(status);
        if let Some(h) = header {
            b = b.header("x-amzn-errortype", h);
        }
        CreateToken::device_code("c", "s", "d")
            .parse(b.body(body.as_bytes().to_vec()).unwrap())
            .unwrap_err()
    }

    #[test]
    fn errors_from_the_header_or_the_body() {
        let header = error(
            400,
            Some("SlowDownException:http://internal.amazon.com/coral/com.amazonaws.ssooidc/"),
            r#"{"error":"slow_down","error_description":null}"#,
        );
        assert_eq!(OidcErrorKind::of(&header), Some(OidcErrorKind::SlowDown));
        let body = error(400, None, r#"{"error":"expired_token"}"#);
        assert_eq!(OidcErrorKind::of(&body), Some(OidcErrorKind::ExpiredToken));
        let other = error(500, None, "oops");
        assert_eq!(OidcErrorKind::of(&other), None);
    }

    #[test]
    fn requests() {
        let config = ServiceConfig::new("cn-north-1");
        let r = RegisterClient {
            client_name: "sigv4".into(),
            scopes: Some(vec!["sso:account:access".into()]),
        }
        .build(&config)
        .unwrap();
        assert_eq!(
            r.url,
            "https://oidc.cn-north-1.amazonaws.com.cn/client/register"
        );
        assert_eq!(
            String::from_utf8(r.body).unwrap(),
            r#"{"clientName": "sigv4", "clientType": "public", "scopes": ["sso:account:access"]}"#
        );
        let r = StartDeviceAuthorization::new("c", "s", "https://d/start")
            .build(&config)
            .unwrap();
        assert_eq!(
            String::from_utf8(r.body).unwrap(),
            r#"{"clientId": "c", "clientSecret": "s", "startUrl": "https://d/start"}"#
        );
        let out = CreateToken::device_code("c", "s", "d")
            .parse(http::Response::new(
                br#"{"accessToken":"a","expiresIn":28800,"tokenType":"Bearer"}"#.to_vec(),
            ))
            .unwrap();
        assert_eq!(out.expires_in, Duration::from_secs(28800));
        assert!(out.refresh_token.is_none());
        assert!(!format!("{out:?}").contains("\"a\""));
    }
}
