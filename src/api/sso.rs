//! The IAM Identity Center portal (`SSO`), sans-IO: `GetRoleCredentials`
//! turns an SSO access token into role credentials.
//!
//! The call is not SigV4-signed: the token goes in the
//! `x-amz-sso_bearer_token` header of
//! `GET https://portal.sso.{region}.amazonaws.com/federation/credentials?account_id=..&role_name=..`.
//! A rejected token is HTTP 401 `UnauthorizedException`.
//!
//! ```
//! use sigv4::api::sso::GetRoleCredentials;
//! use sigv4::api::{Operation, ServiceConfig};
//!
//! let op = GetRoleCredentials::new("111122223333", "Admin", "token-value");
//! let request = op.build(&ServiceConfig::new("eu-west-1"))?;
//! assert_eq!(request.url, "https://portal.sso.eu-west-1.amazonaws.com/federation/credentials?account_id=111122223333&role_name=Admin");
//! assert!(!format!("{op:?}").contains("token-value"));
//! let response = http::Response::new(br#"{"roleCredentials":{"accessKeyId":"ASIA1","secretAccessKey":"s",
//!     "sessionToken":"t","expiration":1893456000000}}"#.to_vec());
//! let credentials = op.parse(response)?;
//! assert_eq!(credentials.access_key_id(), "ASIA1");
//! assert_eq!(sigv4::credentials::format_rfc3339(credentials.expires_at().unwrap()), "2030-01-01T00:00:00Z");
//! # Ok::<(), sigv4::api::CallError>(())
//! ```

use std::fmt;

use zeroize::Zeroizing;

use super::endpoint::check_region;
use super::json_body::{parse_object, required, required_integer};
use super::{ApiRequest, CallError, Operation, ServiceConfig};
use crate::sign::Credentials;
use crate::util::query::encode_pairs;
use crate::util::time::from_unix_seconds;

/// The service's SDK id (`AWS_ENDPOINT_URL_SSO`, `sso =` in a `services` section).
pub const SERVICE_ID: &str = "SSO";
/// The header carrying the access token.
pub const BEARER_TOKEN_HEADER: &str = "x-amz-sso_bearer_token";

/// The portal's base URL under `config`: a configured endpoint, else
/// `https://portal.sso.{region}.amazonaws.com` (`.amazonaws.com.cn` in China).
pub fn endpoint(config: &ServiceConfig) -> Result<String, CallError> {
    config.endpoint_for(SERVICE_ID, || {
        check_region(&config.region)?;
        Ok(format!(
            "https://portal.sso.{}.{}",
            config.region,
            dns_suffix(&config.region)
        ))
    })
}

/// The DNS suffix of `region`'s partition.
pub(crate) fn dns_suffix(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    }
}

/// `GetRoleCredentials`: the credentials of `role_name` in `account_id`.
#[derive(Clone)]
pub struct GetRoleCredentials {
    /// `sso_account_id`.
    pub account_id: String,
    /// `sso_role_name`.
    pub role_name: String,
    access_token: Zeroizing<String>,
}

impl fmt::Debug for GetRoleCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GetRoleCredentials")
            .field("account_id", &self.account_id)
            .field("role_name", &self.role_name)
            .field("access_token", &"<redacted>")
            .finish()
    }
}

impl GetRoleCredentials {
    /// The call for `role_name` in `account_id` with `access_token`.
    pub fn new(
        account_id: impl Into<String>,
        role_name: impl Into<String>,
        access_token: &str,
    ) -> Self {
        GetRoleCredentials {
            account_id: account_id.into(),
            role_name: role_name.into(),
            access_token: Zeroizing::new(access_token.to_owned()),
        }
    }
}

impl Operation for GetRoleCredentials {
    type Output = Credentials;

    fn name(&self) -> &'static str {
        "sso:GetRoleCredentials"
    }

    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, CallError> {
        let query = encode_pairs([
            ("account_id", self.account_id.as_str()),
            ("role_name", self.role_name.as_str()),
        ]);
        let url = format!("{}/federation/credentials?{query}", endpoint(config)?);
        Ok(ApiRequest::new(http::Method::GET, url, "", "")
            .anonymous()
            .header(BEARER_TOKEN_HEADER, self.access_token.as_str()))
    }

    fn parse(&self, response: http::Response<Vec<u8>>) -> Result<Credentials, CallError> {
        let op = self.name();
        let doc = parse_object(op, response)?;
        let c = doc
            .get("roleCredentials")
            .filter(|c| c.is_object())
            .ok_or_else(|| CallError::parse(op, "missing \"roleCredentials\""))?;
        let ms = required_integer(c, "expiration", op)?;
        let expires = from_unix_seconds(ms.div_euclid(1000))
            .ok_or_else(|| CallError::parse(op, "\"expiration\" out of range"))?;
        Ok(Credentials::new(
            required(c, "accessKeyId", op)?,
            required(c, "secretAccessKey", op)?,
        )
        .with_session_token(required(c, "sessionToken", op)?)
        .with_expiry(expires))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ConfiguredEndpoints, Env, ProfileSet};

    #[test]
    fn builds_an_unsigned_request_with_the_token_header() {
        let op = GetRoleCredentials::new("1", "a b", "tok");
        let config =
            ServiceConfig::new("us-east-1").with_configured_endpoints(ConfiguredEndpoints::load(
                &Env::from_map([("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9/")]),
                &ProfileSet::default(),
            ));
        let r = op.build(&config).unwrap();
        assert_eq!(
            r.url,
            "http://127.0.0.1:9/federation/credentials?account_id=1&role_name=a%20b"
        );
        assert_eq!(r.signing, super::super::Signing::Anonymous);
        assert_eq!(
            r.headers,
            [(BEARER_TOKEN_HEADER.to_owned(), "tok".to_owned())]
        );
        assert!(matches!(
            endpoint(&ServiceConfig::new("bad/region")),
            Err(CallError::InvalidRequest { .. })
        ));
    }

    #[test]
    fn unauthorized_is_an_api_error() {
        let response = http::Response::builder()
            .status(401)
            .header("x-amzn-errortype", "UnauthorizedException")
            .body(br#"{"message":"Session token not found or invalid"}"#.to_vec())
            .unwrap();
        let e = GetRoleCredentials::new("1", "r", "t")
            .parse(response)
            .unwrap_err();
        assert_eq!(e.code(), Some("UnauthorizedException"));
        let missing = http::Response::new(br#"{"roleCredentials":{"accessKeyId":"A"}}"#.to_vec());
        let e = GetRoleCredentials::new("1", "r", "t")
            .parse(missing)
            .unwrap_err();
        assert!(e.to_string().contains("expiration"), "{e}");
    }
}
