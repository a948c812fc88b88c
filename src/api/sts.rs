//! AWS STS over the query protocol (`Version=2011-06-15`, form-encoded POST).
//!
//! The endpoint is regional (`https://sts.{region}.amazonaws.com`), or the
//! global `https://sts.amazonaws.com` (signed for `us-east-1`) with
//! [`ServiceConfig::sts_global_endpoint`], or the configured override.
//!
//! | operation | output |
//! | --- | --- |
//! | [`GetCallerIdentity`] | [`CallerIdentity`] |
//! | [`GetSessionToken`] | [`Credentials`] (source `sts:get-session-token`) |
//! | [`AssumeRole`] | [`AssumedRole`] (source `sts:assume-role`) |
//! | [`AssumeRoleWithWebIdentity`] (unsigned) | [`AssumedRole`] (source `sts:assume-role-with-web-identity`) |
//! | [`DecodeAuthorizationMessage`] | the decoded JSON text |
//!
//! ```
//! use sigv4::api::sts::{AssumeRole, AssumedRole};
//! use sigv4::api::{Operation, ServiceConfig};
//! use std::time::Duration;
//!
//! let op = AssumeRole::new("arn:aws:iam::123456789012:role/demo", "session-1")
//!     .duration(Duration::from_secs(900))
//!     .external_id("ext-1");
//! let request = op.build(&ServiceConfig::new("eu-west-1"))?;
//! assert_eq!(request.url, "https://sts.eu-west-1.amazonaws.com/");
//! assert_eq!(std::str::from_utf8(&request.body).unwrap(),
//!     "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo\
//!      &RoleSessionName=session-1&DurationSeconds=900&ExternalId=ext-1");
//!
//! let response = http::Response::new(br#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
//!   <AssumeRoleResult>
//!     <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/demo/session-1</Arn>
//!       <AssumedRoleId>ARO123EXAMPLE123:session-1</AssumedRoleId></AssumedRoleUser>
//!     <Credentials><AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId><SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
//!       <SessionToken>AQoDYXdzEPT//////////wEXAMPLE</SessionToken><Expiration>2030-07-15T23:28:33.359Z</Expiration></Credentials>
//!   </AssumeRoleResult><ResponseMetadata><RequestId>c6104cbe</RequestId></ResponseMetadata></AssumeRoleResponse>"#.to_vec());
//! let role: AssumedRole = op.parse(response)?;
//! assert_eq!(role.credentials.access_key_id(), "ASIAIOSFODNN7EXAMPLE");
//! assert_eq!(role.credentials.source(), "sts:assume-role");
//! assert_eq!(role.account(), Some("123456789012"));
//! # Ok::<(), sigv4::api::CallError>(())
//! ```

use std::time::{Duration, SystemTime};

use zeroize::Zeroizing;

use super::xml::{self, Element};
use super::{check_status, ApiRequest, CallError, Operation, ServiceConfig};
use crate::sign::Credentials;
use crate::util::time::{parse_rfc3339, unix_seconds};

/// The STS API version.
pub const VERSION: &str = "2011-06-15";
/// The global endpoint.
pub const GLOBAL_ENDPOINT: &str = "https://sts.amazonaws.com";

/// The URL and signing region for STS under `config`.
pub fn endpoint(config: &ServiceConfig) -> Result<(String, String), CallError> {
    if config.endpoint_url_for("STS").is_none() && config.sts_global_endpoint {
        return Ok((format!("{GLOBAL_ENDPOINT}/"), "us-east-1".into()));
    }
    Ok((
        format!("{}/", config.endpoint("sts")?),
        config.region.clone(),
    ))
}

fn request(
    config: &ServiceConfig,
    action: &str,
    params: &[(&str, &str)],
) -> Result<ApiRequest, CallError> {
    let (url, region) = endpoint(config)?;
    let mut all: Vec<(&str, &str)> = vec![("Action", action), ("Version", VERSION)];
    all.extend_from_slice(params);
    Ok(ApiRequest::form_post(url, "sts", &region, &all))
}

/// Checks the status, parses the XML (zeroizing the body) and returns the
/// `{Action}Result` element's parent document.
fn parse_result(
    operation: &'static str,
    action: &str,
    response: http::Response<Vec<u8>>,
) -> Result<Element, CallError> {
    let response = check_status(response)?;
    let body = Zeroizing::new(response.into_body());
    let root = xml::parse(&body).map_err(|e| CallError::parse(operation, e.to_string()))?;
    let result_name = format!("{action}Result");
    if root.child(&result_name).is_none() {
        return Err(CallError::parse(
            operation,
            format!("no <{result_name}> element"),
        ));
    }
    Ok(root)
}

fn result<'a>(root: &'a Element, action: &str) -> &'a Element {
    root.child(&format!("{action}Result")).unwrap_or(root)
}

fn required<'a>(e: &'a Element, name: &str, operation: &'static str) -> Result<&'a str, CallError> {
    e.child_text(name)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| CallError::parse(operation, format!("missing <{name}>")))
}

/// Reads a `<Credentials>` element.
fn credentials(
    result: &Element,
    operation: &'static str,
    source: &str,
) -> Result<Credentials, CallError> {
    let c = result
        .child("Credentials")
        .ok_or_else(|| CallError::parse(operation, "missing <Credentials>"))?;
    let expiration = required(c, "Expiration", operation)?;
    let expires = parse_rfc3339(expiration)
        .map_err(|m| CallError::parse(operation, format!("<Expiration>: {m}")))?;
    Ok(Credentials::new(
        required(c, "AccessKeyId", operation)?,
        required(c, "SecretAccessKey", operation)?,
    )
    .with_session_token(required(c, "SessionToken", operation)?)
    .with_expiry(expires)
    .with_source(source))
}

/// The request id of a query-protocol answer.
fn request_id(root: &Element) -> Option<String> {
    root.path(&["ResponseMetadata", "RequestId"])
        .map(|e| e.text().trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// A session name for calls that need one and were given none:
/// `sigv4-<unix seconds>`.
pub fn default_session_name() -> String {
    format!("sigv4-{}", unix_seconds(SystemTime::now()).max(0))
}

/// `DurationSeconds` from a duration: whole seconds, saturating.
fn whole_seconds(duration: Duration) -> u32 {
    u32::try_from(duration.as_secs()).unwrap_or(u32::MAX)
}

/// The account of an ARN (`arn:partition:service:region:account:resource`).
pub fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// `GetCallerIdentity`: who the credentials belong to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GetCallerIdentity;

/// The answer of [`GetCallerIdentity`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallerIdentity {
    /// The account id.
    pub account: String,
    /// The ARN of the user or assumed role.
    pub arn: String,
    /// The unique id (`AIDA...`, `AROA...:session`).
    pub user_id: String,
    /// The request id.
    pub request_id: Option<String>,
}

impl Operation for GetCallerIdentity {
    type Output = CallerIdentity;
    fn name(&self) -> &'static str {
        "sts:GetCallerIdentity"
    }
    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, CallError> {
        request(config, "GetCallerIdentity", &[])
    }
    fn parse(&self, response: http::Response<Vec<u8>>) -> Result<CallerIdentity, CallError> {
        let op = self.name();
        let root = parse_result(op, "GetCallerIdentity", response)?;
        let r = result(&root, "GetCallerIdentity");
        Ok(CallerIdentity {
            account: required(r, "Account", op)?.to_owned(),
            arn: required(r, "Arn", op)?.to_owned(),
            user_id: required(r, "UserId", op)?.to_owned(),
            request_id: request_id(&root),
        })
    }
}

/// `GetSessionToken`: temporary credentials for the caller, optionally
/// MFA-authenticated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetSessionToken {
    /// `DurationSeconds` (900 ..= 129600).
    pub duration_seconds: Option<u32>,
    /// `SerialNumber` of the MFA device.
    pub serial_number: Option<String>,
    /// `TokenCode` from the MFA device.
    pub token_code: Option<String>,
}

impl GetSessionToken {
    /// No options.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets `DurationSeconds` (whole seconds of `duration`).
    pub fn duration(mut self, duration: Duration) -> Self {
        self.duration_seconds = Some(whole_seconds(duration));
        self
    }
    /// Sets `SerialNumber` and `TokenCode`.
    pub fn mfa(mut self, serial_number: impl Into<String>, token_code: impl Into<String>) -> Self {
        self.serial_number = Some(serial_number.into());
        self.token_code = Some(token_code.into());
        self
    }
}

impl Operation for GetSessionToken {
    type Output = Credentials;
    fn name(&self) -> &'static str {
        "sts:GetSessionToken"
    }
    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, CallError> {
        let duration = self.duration_seconds.map(|d| d.to_string());
        let mut p: Vec<(&str, &str)> = Vec::new();
        if let Some(d) = &duration {
            p.push(("DurationSeconds", d));
        }
        if let Some(s) = &self.serial_number {
            p.push(("SerialNumber", s));
        }
        if let Some(t) = &self.token_code {
            p.push(("TokenCode", t));
        }
        request(config, "GetSessionToken", &p)
    }
    fn parse(&self, response: http::Response<Vec<u8>>) -> Result<Credentials, CallError> {
        let root = parse_result(self.name(), "GetSessionToken", response)?;
        credentials(
            result(&root, "GetSessionToken"),
            self.name(),
            "sts:get-session-token",
        )
    }
}

/// `AssumeRole`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssumeRole {
    /// `RoleArn`.
    pub role_arn: String,
    /// `RoleSessionName`.
    pub role_session_name: String,
    /// `DurationSeconds`.
    pub duration_seconds: Option<u32>,
    /// `ExternalId`.
    pub external_id: Option<String>,
    /// `SerialNumber` of the MFA device.
    pub serial_number: Option<String>,
    /// `TokenCode` from the MFA device.
    pub token_code: Option<String>,
    /// `Policy`: an inline session policy (JSON).
    pub policy: Option<String>,
    /// `SourceIdentity`.
    pub source_identity: Option<String>,
}

impl AssumeRole {
    /// Assume `role_arn` as session `role_session_name`.
    pub fn new(role_arn: impl Into<String>, role_session_name: impl Into<String>) -> Self {
        AssumeRole {
            role_arn: role_arn.into(),
            role_session_name: role_session_name.into(),
            duration_seconds: None,
            external_id: None,
            serial_number: None,
            token_code: None,
            policy: None,
            source_identity: None,
        }
    }
    /// Sets `DurationSeconds` (whole seconds of `duration`).
    pub fn duration(mut self, duration: Duration) -> Self {
        self.duration_seconds = Some(whole_seconds(duration));
        self
    }
    /// Sets `ExternalId`.
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }
    /// Sets `SerialNumber` and `TokenCode`.
    pub fn mfa(mut self, serial_number: impl Into<String>, token_code: impl Into<String>) -> Self {
        self.serial_number = Some(serial_number.into());
        self.token_code = Some(token_code.into());
        self
    }
    /// Sets an inline session `Policy`.
    pub fn policy(mut self, policy: impl Into<String>) -> Self {
        self.policy = Some(policy.into());
        self
    }
}

/// The answer of [`AssumeRole`] and [`AssumeRoleWithWebIdentity`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct AssumedRole {
    /// The temporary credentials, with expiry and source.
    pub credentials: Credentials,
    /// The assumed role user's ARN
    /// (`arn:aws:sts::123456789012:assumed-role/name/session`).
    pub arn: String,
    /// The assumed role id (`AROA...:session`).
    pub assumed_role_id: String,
    /// `PackedPolicySize`.
    pub packed_policy_size: Option<u32>,
    /// `SourceIdentity`.
    pub source_identity: Option<String>,
    /// Web identity only: `SubjectFromWebIdentityToken`.
    pub subject_from_web_identity_token: Option<String>,
    /// Web identity only: `Provider`.
    pub provider: Option<String>,
    /// Web identity only: `Audience`.
    pub audience: Option<String>,
    /// The request id.
    pub request_id: Option<String>,
}

impl AssumedRole {
    /// The account of the assumed role (from its ARN).
    pub fn account(&self) -> Option<&str> {
        arn_account(&self.arn)
    }

    /// When the credentials expire.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.credentials.expires_at()
    }
}

fn assumed_role(
    operation: &'static str,
    action: &str,
    source: &str,
    response: http::Response<Vec<u8>>,
) -> Result<AssumedRole, CallError> {
    let root = parse_result(operation, action, response)?;
    let r = result(&root, action);
    let user = r
        .child("AssumedRoleUser")
        .ok_or_else(|| CallError::parse(operation, "missing <AssumedRoleUser>"))?;
    let opt = |name: &str| {
        r.child_text(name)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    Ok(AssumedRole {
        credentials: credentials(r, operation, source)?,
        arn: required(user, "Arn", operation)?.to_owned(),
        assumed_role_id: required(user, "AssumedRoleId", operation)?.to_owned(),
        packed_policy_size: opt("PackedPolicySize").and_then(|s| s.parse().ok()),
        source_identity: opt("SourceIdentity"),
        subject_from_web_identity_token: opt("SubjectFromWebIdentityToken"),
        provider: opt("Provider"),
        audience: opt("Audience"),
        request_id: request_id(&root),
    })
}

impl Operation for AssumeRole {
    type Output = AssumedRole;
    fn name(&self) -> &'static str {
        "sts:AssumeRole"
    }
    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, CallError> {
        let duration = self.duration_seconds.map(|d| d.to_string());
        let mut p: Vec<(&str, &str)> = vec![
            ("RoleArn", &self.role_arn),
            ("RoleSessionName", &self.role_session_name),
        ];
        let optional = [
            ("DurationSeconds", duration.as_deref()),
            ("ExternalId", self.external_id.as_deref()),
            ("SerialNumber", self.serial_number.as_deref()),
            ("TokenCode", self.token_code.as_deref()),
            ("Policy", self.policy.as_deref()),
            ("SourceIdentity", self.source_identity.as_deref()),
        ];
        p.extend(optional.iter().filter_map(|(k, v)| v.map(|v| (*k, v))));
        request(config, "AssumeRole", &p)
    }
    fn parse(&self, response: http::Response<Vec<u8>>) -> Result<AssumedRole, CallError> {
        assumed_role(self.name(), "AssumeRole", "sts:assume-role", response)
    }
}

/// `AssumeRoleWithWebIdentity`: exchanges an OIDC token for credentials.
/// The request is not signed.
#[derive(Clone)]
pub struct AssumeRoleWithWebIdentity {
    /// `RoleArn`.
    pub role_arn: String,
    /// `RoleSessionName`.
    pub role_session_name: String,
    /// `WebIdentityToken` (a bearer token: never shown by `Debug`).
    pub web_identity_token: Zeroizing<String>,
    /// `DurationSeconds`.
    pub duration_seconds: Option<u32>,
    /// `ProviderId` (OAuth 2.0 providers only).
    pub provider_id: Option<String>,
    /// `Policy`.
    pub policy: Option<String>,
}

impl std::fmt::Debug for AssumeRoleWithWebIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssumeRoleWithWebIdentity")
            .field("role_arn", &self.role_arn)
            .field("role_session_name", &self.role_session_name)
            .field("web_identity_token", &"<redacted>")
            .field("duration_seconds", &self.duration_seconds)
            .finish_non_exhaustive()
    }
}

impl AssumeRoleWithWebIdentity {
    /// Assume `role_arn` as `role_session_name` with `token`.
    pub fn new(
        role_arn: impl Into<String>,
        role_session_name: impl Into<String>,
        token: impl Into<String>,
    ) -> Self {
        AssumeRoleWithWebIdentity {
            role_arn: role_arn.into(),
            role_session_name: role_session_name.into(),
            web_identity_token: Zeroizing::new(token.into()),
            duration_seconds: None,
            provider_id: None,
            policy: None,
        }
    }
    /// Sets `DurationSeconds` (whole seconds of `duration`).
    pub fn duration(mut self, duration: Duration) -> Self {
        self.duration_seconds = Some(whole_seconds(duration));
        self
    }
}

impl Operation for AssumeRoleWithWebIdentity {
    type Output = AssumedRole;
    fn name(&self) -> &'static str {
        "sts:AssumeRoleWithWebIdentity"
    }
    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, CallError> {
        let duration = self.duration_seconds.map(|d| d.to_string());
        let mut p: Vec<(&str, &str)> = vec![
            ("RoleArn", &self.role_arn),
            ("RoleSessionName", &self.role_session_name),
            ("WebIdentityToken", self.web_identity_token.as_str()),
        ];
        let optional = [
            ("DurationSeconds", duration.as_deref()),
            ("ProviderId", self.provider_id.as_deref()),
            ("Policy", self.policy.as_deref()),
        ];
        p.extend(optional.iter().filter_map(|(k, v)| v.map(|v| (*k, v))));
        Ok(request(config, "AssumeRoleWithWebIdentity", &p)?.anonymous())
    }
    fn parse(&self, response: http::Response<Vec<u8>>) -> Result<AssumedRole, CallError> {
        assumed_role(
            self.name(),
            "AssumeRoleWithWebIdentity",
            "sts:assume-role-with-web-identity",
            response,
        )
    }
}

/// `DecodeAuthorizationMessage`: decodes the encoded message of an
/// authorization failure (e.g. EC2's `UnauthorizedOperation`). The output
/// is the decoded JSON text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeAuthorizationMessage {
    /// `EncodedMessage`.
    pub encoded_message: String,
}

impl DecodeAuthorizationMessage {
    /// Decode `encoded_message`.
    pub fn new(encoded_message: impl Into<String>) -> Self {
        DecodeAuthorizationMessage {
            encoded_message: encoded_message.into(),
        }
    }
}

impl Operation for DecodeAuthorizationMessage {
    type Output = String;
    fn name(&self) -> &'static str {
        "sts:DecodeAuthorizationMessage"
    }
    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, CallError> {
        request(
            config,
            "DecodeAuthorizationMessage",
            &[("EncodedMessage", &self.encoded_message)],
        )
    }
    fn parse(&self, response: http::Response<Vec<u8>>) -> Result<String, CallError> {
        let root = parse_result(self.name(), "DecodeAuthorizationMessage", response)?;
        let r = result(&root, "DecodeAuthorizationMessage");
        Ok(required(r, "DecodedMessage", self.name())?.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &str) -> http::Response<Vec<u8>> {
        http::Response::new(body.as_bytes().to_vec())
    }

    #[test]
    fn builds_requests() {
        let c = ServiceConfig::new("us-west-2");
        let r = GetCallerIdentity.build(&c).unwrap();
        assert_eq!(r.url, "https://sts.us-west-2.amazonaws.com/");
        assert_eq!(r.body, b"Action=GetCallerIdentity&Version=2011-06-15");
        assert!(
            matches!(&r.signing, crate::api::Signing::SigV4 { region, service, .. } if region == "us-west-2" && service == "sts")
        );
        let mut g = c.clone();
        g.sts_global_endpoint = true;
        let r = GetSessionToken::new()
            .duration(Duration::from_secs(900))
            .mfa("arn:aws:iam::1:mfa/u", "123456")
            .build(&g)
            .unwrap();
        assert_eq!(r.url, "https://sts.amazonaws.com/");
        assert!(
            matches!(&r.signing, crate::api::Signing::SigV4 { region, .. } if region == "us-east-1")
        );
        assert_eq!(
            std::str::from_utf8(&r.body).unwrap(),
            "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=900&SerialNumber=arn%3Aaws%3Aiam%3A%3A1%3Amfa%2Fu&TokenCode=123456"
        );
        let w = AssumeRoleWithWebIdentity::new("arn:r", "s", "tok.en");
        let r = w.build(&c).unwrap();
        assert_eq!(r.signing, crate::api::Signing::Anonymous);
        assert!(!format!("{w:?} {r:?}").contains("tok.en"));
    }

    #[test]
    fn parses_answers() {
        let id = GetCallerIdentity
            .parse(ok("<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/u</Arn><UserId>AIDA</UserId><Account>1</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>"))
            .unwrap();
        assert_eq!(
            (id.account.as_str(), id.request_id.as_deref()),
            ("1", Some("r"))
        );
        let c = GetSessionToken::new()
            .parse(ok("<GetSessionTokenResponse><GetSessionTokenResult><Credentials><SessionToken>T</SessionToken><SecretAccessKey>S</SecretAccessKey><Expiration>2030-01-01T00:00:00Z</Expiration><AccessKeyId>ASIA</AccessKeyId></Credentials></GetSessionTokenResult></GetSessionTokenResponse>"))
            .unwrap();
        assert_eq!(
            (c.access_key_id(), c.secret_access_key(), c.session_token()),
            ("ASIA", "S", Some("T"))
        );
        assert_eq!(c.source(), "sts:get-session-token");
        assert!(c.expires_at().is_some());
        let w = AssumeRoleWithWebIdentity::new("arn:r", "s", "t")
            .parse(ok("<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><SubjectFromWebIdentityToken>sub</SubjectFromWebIdentityToken><Audience>aud</Audience><AssumedRoleUser><Arn>arn:aws:sts::2:assumed-role/r/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser><Credentials><SessionToken>T</SessionToken><SecretAccessKey>S</SecretAccessKey><Expiration>2030-01-01T00:00:00Z</Expiration><AccessKeyId>ASIA</AccessKeyId></Credentials><Provider>www.amazon.com</Provider></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"))
            .unwrap();
        assert_eq!(w.account(), Some("2"));
        assert_eq!(w.subject_from_web_identity_token.as_deref(), Some("sub"));
        assert_eq!(w.credentials.source(), "sts:assume-role-with-web-identity");
    }

    /// The shape of AWS's answer (from the STS API reference; moto does not
    /// implement this action).
    #[test]
    fn decode_authorization_message() {
        let op = DecodeAuthorizationMessage::new("EXAMPLE-encoded");
        let r = op.build(&ServiceConfig::new("us-east-1")).unwrap();
        assert_eq!(
            std::str::from_utf8(&r.body).unwrap(),
            "Action=DecodeAuthorizationMessage&Version=2011-06-15&EncodedMessage=EXAMPLE-encoded"
        );
        let body = r#"<DecodeAuthorizationMessageResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <DecodeAuthorizationMessageResult>
    <DecodedMessage>{"allowed":"false","explicitDeny":"false","matchedStatements":"","failures":"","context":{"principal":{"id":"AIDACKCEVSQ6C2EXAMPLE","name":"Bob","arn":"arn:aws:iam::123456789012:user/Bob"},"action":"ec2:StopInstances","resource":"arn:aws:ec2:us-east-1:123456789012:instance/i-dd01c9bd","conditions":[{"item":{"key":"ec2:Tenancy","values":["default"]}}]}}</DecodedMessage>
  </DecodeAuthorizationMessageResult>
  <ResponseMetadata><RequestId>6624a9ca-cd25-4f50-b2a5-7ba65bf07453</RequestId></ResponseMetadata>
</DecodeAuthorizationMessageResponse>"#;
        let text = op.parse(ok(body)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["context"]["action"], "ec2:StopInstances");
    }

    #[test]
    fn errors_and_malformed_answers() {
        let e = GetCallerIdentity
            .parse(http::Response::builder().status(403).body(b"<ErrorResponse><Error><Code>InvalidClientTokenId</Code></Error></ErrorResponse>".to_vec()).unwrap())
            .unwrap_err();
        let api = e.api_error().unwrap_or_else(|| panic!("{e:?}"));
        assert_eq!(
            (api.status, api.code.as_str()),
            (403, "InvalidClientTokenId")
        );
        for (bad, reason) in [
            ("", "malformed XML at byte 0: no root element"),
            ("<x/>", "no <GetCallerIdentityResult> element"),
            (
                "<GetCallerIdentityResponse><GetCallerIdentityResult/></GetCallerIdentityResponse>",
                "missing <Account>",
            ),
        ] {
            match GetCallerIdentity.parse(ok(bad)) {
                Err(CallError::Parse { operation, message }) => assert_eq!(
                    (operation, message.as_str()),
                    ("sts:GetCallerIdentity", reason),
                    "{bad}"
                ),
                other => panic!("{bad}: expected Parse: {other:?}"),
            }
        }
        let e = AssumeRole::new("a", "b")
            .parse(ok("<AssumeRoleResponse><AssumeRoleResult><AssumedRoleUser><Arn>a</Arn><AssumedRoleId>i</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>SECRETX</SecretAccessKey><SessionToken>T</SessionToken><Expiration>soon</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>"))
            .unwrap_err();
        match &e {
            CallError::Parse { operation, message } => assert_eq!(
                (*operation, message.as_str()),
                ("sts:AssumeRole", "<Expiration>: not an RFC 3339 timestamp")
            ),
            other => panic!("expected Parse: {other:?}"),
        }
        assert!(!format!("{e} {e:?}").contains("SECRETX"), "{e}");
    }
}
