//! The IMDS protocol without I/O: request builders, response parsers and
//! the token cache, all pure (time is passed in).
//!
//! IMDSv2 in short:
//!
//! 1. `PUT /latest/api/token` with `x-aws-ec2-metadata-token-ttl-seconds:
//!    <1..=21600>` returns a token (and usually echoes the TTL header);
//! 2. every `GET /latest/meta-data/...` carries it as
//!    `x-aws-ec2-metadata-token`; an expired or unknown token gets `401`.
//!
//! What a token request's answer means for the client is decided by
//! [`parse_token_response`]; see [`TokenOutcome`].

use std::time::{Duration, Instant, SystemTime};

use zeroize::Zeroizing;

use super::endpoint::ImdsEndpoint;
use super::ImdsError;
use crate::sign::Credentials;
use crate::util::json;
use crate::util::time::parse_rfc3339;

/// Path of the token request.
pub const TOKEN_PATH: &str = "/latest/api/token";
/// Request (and response) header giving the token's lifetime in seconds.
pub const TOKEN_TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";
/// Request header carrying the token.
pub const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";
/// Shortest token lifetime the service accepts.
pub const MIN_TOKEN_TTL: Duration = Duration::from_secs(1);
/// Longest token lifetime the service accepts, and the default: 6 hours.
pub const MAX_TOKEN_TTL: Duration = Duration::from_secs(21_600);
/// The role list; the role's credentials are at this path plus its name.
pub const SECURITY_CREDENTIALS_PATH: &str = "/latest/meta-data/iam/security-credentials/";
/// The instance's region.
pub const REGION_PATH: &str = "/latest/meta-data/placement/region";
/// The instance id.
pub const INSTANCE_ID_PATH: &str = "/latest/meta-data/instance-id";
/// The instance identity document (JSON).
pub const IDENTITY_DOCUMENT_PATH: &str = "/latest/dynamic/instance-identity/document";

fn invalid_request(what: &str, e: impl std::fmt::Display) -> ImdsError {
    ImdsError::InvalidConfiguration {
        message: format!("could not build the {what} request: {e}"),
    }
}

/// The token request: `PUT {endpoint}/latest/api/token` with the TTL header
/// (`ttl` is clamped to 1..=21600 s and rounded down to whole seconds).
pub fn token_request(
    endpoint: &ImdsEndpoint,
    ttl: Duration,
) -> Result<http::Request<Vec<u8>>, ImdsError> {
    let secs = ttl.clamp(MIN_TOKEN_TTL, MAX_TOKEN_TTL).as_secs();
    http::Request::put(endpoint.url(TOKEN_PATH))
        .header(TOKEN_TTL_HEADER, secs.to_string())
        .body(Vec::new())
        .map_err(|e| invalid_request("token", e))
}

/// A metadata request: `GET {endpoint}{path}`, with the token header when a
/// token is given (IMDSv2) and without it otherwise (IMDSv1). The header is
/// marked sensitive.
pub fn metadata_request(
    endpoint: &ImdsEndpoint,
    path: &str,
    token: Option<&str>,
) -> Result<http::Request<Vec<u8>>, ImdsError> {
    let mut builder = http::Request::get(endpoint.url(path));
    if let Some(token) = token {
        let mut value = http::HeaderValue::from_str(token)
            .map_err(|_| invalid_request("metadata", "the token is not a header value"))?;
        value.set_sensitive(true);
        builder = builder.header(TOKEN_HEADER, value);
    }
    builder
        .body(Vec::new())
        .map_err(|e| invalid_request("metadata", e))
}

/// What the answer to a token request means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenOutcome {
    /// 200: a token valid for `ttl` (the TTL the service echoed, else the
    /// one requested).
    Token {
        /// The token. Zeroized on drop.
        value: Zeroizing<String>,
        /// Its lifetime.
        ttl: Duration,
    },
    /// 403: the metadata service is turned off for this instance (or the
    /// request went through a proxy, which IMDSv2 refuses). No fallback:
    /// IMDSv1 requests would get the same answer.
    Disabled,
    /// 404 or 405: this endpoint does not do IMDSv2 (an old emulator, a
    /// proxy that drops `PUT`): IMDSv1 may be tried if it is allowed.
    V2Unsupported(u16),
    /// 400: the request was invalid (for example a TTL out of range). Not
    /// retried.
    BadRequest,
    /// 5xx or 429: retry.
    Retryable(u16),
    /// Any other status.
    Unexpected(u16),
}

/// Interprets the answer to [`token_request`].
pub fn parse_token_response(
    response: &http::Response<Vec<u8>>,
    requested_ttl: Duration,
) -> TokenOutcome {
    let status = response.status().as_u16();
    match status {
        200 => {}
        403 => return TokenOutcome::Disabled,
        404 | 405 => return TokenOutcome::V2Unsupported(status),
        400 => return TokenOutcome::BadRequest,
        429 | 500..=599 => return TokenOutcome::Retryable(status),
        _ => return TokenOutcome::Unexpected(status),
    }
    let value = match std::str::from_utf8(response.body()) {
        Ok(text) if !text.trim().is_empty() && http::HeaderValue::from_str(text.trim()).is_ok() => {
            Zeroizing::new(text.trim().to_owned())
        }
        _ => return TokenOutcome::Unexpected(status),
    };
    let requested = requested_ttl.clamp(MIN_TOKEN_TTL, MAX_TOKEN_TTL);
    let ttl = response
        .headers()
        .get(TOKEN_TTL_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
        .filter(|ttl| *ttl >= MIN_TOKEN_TTL && *ttl <= requested)
        .unwrap_or(requested);
    TokenOutcome::Token { value, ttl }
}

/// What the answer to a metadata request means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MetadataOutcome {
    /// 200 with its body.
    Ok(Zeroizing<String>),
    /// 401: the token is missing, expired or unknown: get a new one and
    /// retry once.
    Unauthorized,
    /// 5xx or 429: retry.
    Retryable(u16),
    /// Any other status (404: no such path; 403: forbidden).
    Error(u16),
}

/// Interprets the answer to [`metadata_request`]; a 200 whose body is not
/// UTF-8 is an error.
pub fn parse_metadata_response(
    response: &http::Response<Vec<u8>>,
    path: &str,
) -> Result<MetadataOutcome, ImdsError> {
    let status = response.status().as_u16();
    Ok(match status {
        200 => {
            let text =
                std::str::from_utf8(response.body()).map_err(|_| ImdsError::InvalidResponse {
                    path: path.to_owned(),
                    message: "the body is not UTF-8".into(),
                })?;
            MetadataOutcome::Ok(Zeroizing::new(text.to_owned()))
        }
        401 => MetadataOutcome::Unauthorized,
        429 | 500..=599 => MetadataOutcome::Retryable(status),
        _ => MetadataOutcome::Error(status),
    })
}

/// The role name from the role list (its first non-blank line), if any.
pub fn parse_role_list(body: &str) -> Option<&str> {
    body.lines().map(str::trim).find(|l| !l.is_empty())
}

/// Credentials read from IMDS.
#[derive(Clone, Debug)]
pub struct InstanceCredentials {
    /// The credentials; `source` is `"imds"`, expiry as reported.
    pub credentials: Credentials,
    /// The `Expiration` the service reported, if any.
    pub reported_expiry: Option<SystemTime>,
}

/// Parses a role's credentials document:
/// `{"Code": "Success", "AccessKeyId", "SecretAccessKey", "Token", "Expiration", ...}`.
///
/// A missing `Code` is accepted (some emulators leave it out); any other
/// `Code` than `Success` is an error naming it. `Token` and `Expiration`
/// are optional. Errors never contain the document's secrets.
pub fn parse_credentials(body: &str, path: &str) -> Result<InstanceCredentials, ImdsError> {
    let invalid = |message: String| ImdsError::InvalidResponse {
        path: path.to_owned(),
        message,
    };
    let doc = json::parse(body).map_err(|e| invalid(format!("not JSON ({e})")))?;
    if !doc.is_object() {
        return Err(invalid("not a JSON object".into()));
    }
    if let Some(code) = doc.get_str("Code") {
        if code != "Success" {
            let code: String = code.chars().take(64).collect();
            return Err(invalid(format!("Code is `{code}`, not `Success`")));
        }
    }
    let field = |name: &str| {
        doc.get_str(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| invalid(format!("no {name}")))
    };
    let mut credentials =
        Credentials::new(field("AccessKeyId")?, field("SecretAccessKey")?).with_source("imds");
    if let Some(token) = doc.get_str("Token").filter(|t| !t.is_empty()) {
        credentials = credentials.with_session_token(token);
    }
    let mut reported_expiry = None;
    if let Some(expiration) = doc.get_str("Expiration").filter(|t| !t.is_empty()) {
        let at = parse_rfc3339(expiration).map_err(|why| invalid(format!("Expiration: {why}")))?;
        credentials = credentials.with_expiry(at);
        reported_expiry = Some(at);
    }
    Ok(InstanceCredentials {
        credentials,
        reported_expiry,
    })
}

/// How long before its expiry a token is replaced: a quarter of its
/// lifetime, at most 2 minutes.
pub fn token_refresh_margin(ttl: Duration) -> Duration {
    (ttl / 4).min(Duration::from_secs(120))
}

/// What to do for the next metadata request; see [`TokenCache::next`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenAction {
    /// Send this token.
    Use(Zeroizing<String>),
    /// Fetch a new token first.
    Fetch,
    /// Send no token (IMDSv1), because IMDSv2 was found unavailable
    /// recently.
    UseV1,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum TokenState {
    Empty,
    Valid {
        token: Zeroizing<String>,
        refresh_at: Instant,
    },
    V1Until(Instant),
}

/// The token cache state machine.
///
/// ```
/// use std::time::{Duration, Instant};
/// use sigv4::imds::protocol::{TokenAction, TokenCache};
///
/// let t0 = Instant::now();
/// let mut cache = TokenCache::new();
/// assert_eq!(cache.next(t0), TokenAction::Fetch);
/// cache.store("tok".to_owned().into(), Duration::from_secs(21_600), t0);
/// assert!(matches!(cache.next(t0 + Duration::from_secs(60)), TokenAction::Use(_)));
/// // Renewed 2 minutes before it expires.
/// assert_eq!(cache.next(t0 + Duration::from_secs(21_600 - 120)), TokenAction::Fetch);
/// cache.invalidate(); // after a 401
/// assert_eq!(cache.next(t0), TokenAction::Fetch);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenCache {
    state: TokenState,
}

impl Default for TokenCache {
    fn default() -> Self {
        Self::new()
    }
}

impl TokenCache {
    /// How long IMDSv1 is used, after the token request was found
    /// unsupported, before IMDSv2 is tried again: 5 minutes.
    pub const V1_RETRY_AFTER: Duration = Duration::from_secs(300);

    /// An empty cache.
    pub fn new() -> Self {
        TokenCache {
            state: TokenState::Empty,
        }
    }

    /// What to do at `now`.
    pub fn next(&self, now: Instant) -> TokenAction {
        match &self.state {
            TokenState::Valid { token, refresh_at } if now < *refresh_at => {
                TokenAction::Use(token.clone())
            }
            TokenState::V1Until(until) if now < *until => TokenAction::UseV1,
            _ => TokenAction::Fetch,
        }
    }

    /// Stores a token received at `now`, valid for `ttl`.
    pub fn store(&mut self, token: Zeroizing<String>, ttl: Duration, now: Instant) {
        let refresh_at = now + ttl.saturating_sub(token_refresh_margin(ttl));
        self.state = TokenState::Valid { token, refresh_at };
    }

    /// Records that IMDSv2 is unavailable: use IMDSv1 for
    /// [`V1_RETRY_AFTER`](Self::V1_RETRY_AFTER).
    pub fn fall_back_to_v1(&mut self, now: Instant) {
        self.state = TokenState::V1Until(now + Self::V1_RETRY_AFTER);
    }

    /// Forgets the token (after a 401) or the IMDSv1 decision.
    pub fn invalidate(&mut self) {
        self.state = TokenState::Empty;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The path and message of an `InvalidResponse` error.
    fn invalid_response(e: &ImdsError) -> (&str, &str) {
        match e {
            ImdsError::InvalidResponse { path, message } => (path, message),
            other => panic!("expected InvalidResponse: {other:?}"),
        }
    }

    fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
        http::Response::builder()
            .status(status)
            .body(body.as_bytes().to_vec())
            .unwrap()
    }

    #[test]
    fn builds_requests() {
        let e = ImdsEndpoint::default();
        let r = token_request(&e, Duration::from_secs(100_000)).unwrap();
        assert_eq!(r.method(), http::Method::PUT);
        assert_eq!(r.uri(), "http://169.254.169.254/latest/api/token");
        assert_eq!(r.headers()[TOKEN_TTL_HEADER], "21600");
        let r = token_request(&e, Duration::ZERO).unwrap();
        assert_eq!(r.headers()[TOKEN_TTL_HEADER], "1");
        let r = metadata_request(&e, REGION_PATH, Some("tok")).unwrap();
        assert_eq!(r.method(), http::Method::GET);
        assert_eq!(
            r.uri(),
            "http://169.254.169.254/latest/meta-data/placement/region"
        );
        assert!(r.headers()[TOKEN_HEADER].is_sensitive());
        let r = metadata_request(&e, REGION_PATH, None).unwrap();
        assert!(r.headers().get(TOKEN_HEADER).is_none());
        match metadata_request(&e, REGION_PATH, Some("a\nb")) {
            Err(ImdsError::InvalidConfiguration { message }) => assert_eq!(
                message,
                "could not build the metadata request: the token is not a header value"
            ),
            other => panic!("expected InvalidConfiguration: {other:?}"),
        }
    }

    #[test]
    fn token_outcomes() {
        let ttl = Duration::from_secs(600);
        let mut ok = response(200, "tok\n");
        assert_eq!(
            parse_token_response(&ok, ttl),
            TokenOutcome::Token {
                value: Zeroizing::new("tok".into()),
                ttl
            }
        );
        ok.headers_mut()
            .insert(TOKEN_TTL_HEADER, "30".parse().unwrap());
        assert_eq!(
            parse_token_response(&ok, ttl),
            TokenOutcome::Token {
                value: Zeroizing::new("tok".into()),
                ttl: Duration::from_secs(30)
            }
        );
        ok.headers_mut()
            .insert(TOKEN_TTL_HEADER, "99999".parse().unwrap());
        assert_eq!(
            parse_token_response(&ok, ttl),
            TokenOutcome::Token {
                value: Zeroizing::new("tok".into()),
                ttl
            }
        );
        assert_eq!(
            parse_token_response(&response(403, ""), ttl),
            TokenOutcome::Disabled
        );
        assert_eq!(
            parse_token_response(&response(404, ""), ttl),
            TokenOutcome::V2Unsupported(404)
        );
        assert_eq!(
            parse_token_response(&response(405, ""), ttl),
            TokenOutcome::V2Unsupported(405)
        );
        assert_eq!(
            parse_token_response(&response(400, ""), ttl),
            TokenOutcome::BadRequest
        );
        assert_eq!(
            parse_token_response(&response(503, ""), ttl),
            TokenOutcome::Retryable(503)
        );
        assert_eq!(
            parse_token_response(&response(302, ""), ttl),
            TokenOutcome::Unexpected(302)
        );
        assert_eq!(
            parse_token_response(&response(200, " "), ttl),
            TokenOutcome::Unexpected(200)
        );
    }

    #[test]
    fn metadata_outcomes() {
        let p = REGION_PATH;
        assert_eq!(
            parse_metadata_response(&response(200, "eu-west-1"), p).unwrap(),
            MetadataOutcome::Ok(Zeroizing::new("eu-west-1".into()))
        );
        assert_eq!(
            parse_metadata_response(&response(401, ""), p).unwrap(),
            MetadataOutcome::Unauthorized
        );
        assert_eq!(
            parse_metadata_response(&response(500, ""), p).unwrap(),
            MetadataOutcome::Retryable(500)
        );
        assert_eq!(
            parse_metadata_response(&response(404, ""), p).unwrap(),
            MetadataOutcome::Error(404)
        );
        let bad = http::Response::new(vec![0xff]);
        let e = parse_metadata_response(&bad, p).unwrap_err();
        assert_eq!(invalid_response(&e), (p, "the body is not UTF-8"));
        assert_eq!(
            parse_metadata_response(&response(429, ""), p).unwrap(),
            MetadataOutcome::Retryable(429)
        );
        assert_eq!(
            parse_metadata_response(&response(403, ""), p).unwrap(),
            MetadataOutcome::Error(403)
        );
        assert_eq!(parse_role_list("\n  my-role \nother\n"), Some("my-role"));
        assert_eq!(parse_role_list(" \n"), None);
    }

    #[test]
    fn credentials_documents() {
        let c = parse_credentials(
            r#"{"Code":"Success","LastUpdated":"2030-01-01T00:00:00Z","Type":"AWS-HMAC",
                "AccessKeyId":"ASIA","SecretAccessKey":"S3CRET","Token":"T0KEN","Expiration":"2030-01-01T06:00:00Z"}"#,
            "p",
        )
        .unwrap();
        assert_eq!(c.credentials.access_key_id(), "ASIA");
        assert_eq!(c.credentials.session_token(), Some("T0KEN"));
        assert_eq!(c.reported_expiry, c.credentials.expires_at());
        assert!(parse_credentials(r#"{"AccessKeyId":"A","SecretAccessKey":"S"}"#, "p").is_ok());
        for (bad, message) in [
            (
                r#"{"Code":"AssumeRoleUnauthorizedAccess","AccessKeyId":"A","SecretAccessKey":"S3CRET"}"#,
                "Code is `AssumeRoleUnauthorizedAccess`, not `Success`",
            ),
            (
                r#"{"Code":"Success","SecretAccessKey":"S3CRET"}"#,
                "no AccessKeyId",
            ),
            (
                r#"{"AccessKeyId":"A","Token":"S3CRET"}"#,
                "no SecretAccessKey",
            ),
            (
                r#"{"AccessKeyId":"A","SecretAccessKey":"S3CRET","Expiration":"S3CRET"}"#,
                "Expiration: not an RFC 3339 timestamp",
            ),
            (
                r#"S3CRET"#,
                "not JSON (invalid JSON at byte 0: expected a value)",
            ),
            (r#"["S3CRET"]"#, "not a JSON object"),
        ] {
            let e = parse_credentials(bad, "p").unwrap_err();
            assert_eq!(invalid_response(&e), ("p", message), "{bad}");
            assert!(!format!("{e} {e:?}").contains("S3CRET"), "{e}");
        }
        let e = parse_credentials(r#"{"Code":"AssumeRoleUnauthorizedAccess"}"#, "p").unwrap_err();
        assert_eq!(
            invalid_response(&e),
            ("p", "Code is `AssumeRoleUnauthorizedAccess`, not `Success`")
        );
        // A long code is cut to 64 characters.
        let long = "X".repeat(100);
        let e = parse_credentials(&format!(r#"{{"Code":"{long}"}}"#), "p").unwrap_err();
        assert_eq!(
            invalid_response(&e).1,
            format!("Code is `{}`, not `Success`", "X".repeat(64))
        );
    }

    #[test]
    fn token_cache_transitions() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let mut c = TokenCache::new();
        assert_eq!(c.next(t0), TokenAction::Fetch);
        c.store(Zeroizing::new("a".into()), s(4), t0);
        assert_eq!(
            c.next(t0 + s(2)),
            TokenAction::Use(Zeroizing::new("a".into()))
        );
        assert_eq!(c.next(t0 + s(3)), TokenAction::Fetch); // margin: 1 s of 4
        c.fall_back_to_v1(t0);
        assert_eq!(c.next(t0 + s(299)), TokenAction::UseV1);
        assert_eq!(c.next(t0 + s(300)), TokenAction::Fetch);
        c.store(Zeroizing::new("b".into()), s(21_600), t0);
        assert_eq!(
            c.next(t0 + s(21_479)),
            TokenAction::Use(Zeroizing::new("b".into()))
        );
        assert_eq!(c.next(t0 + s(21_480)), TokenAction::Fetch);
        c.invalidate();
        assert_eq!(c.next(t0), TokenAction::Fetch);
        assert_eq!(token_refresh_margin(s(1)), Duration::from_millis(250));
    }
}
