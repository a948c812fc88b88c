//! Credentials from the ECS / EKS container credentials endpoint (feature
//! `http`).
//!
//! Configuration, all from the environment:
//!
//! - `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`: a path on the ECS agent at
//!   `http://169.254.170.2`; wins over the full URI;
//! - `AWS_CONTAINER_CREDENTIALS_FULL_URI`: any `https` URL, or an `http`
//!   URL whose host is a loopback address (`localhost`, `127.0.0.0/8`,
//!   `::1`), the ECS agent `169.254.170.2` or the EKS Pod Identity agent
//!   `169.254.170.23` / `fd00:ec2::23`. Host names are not resolved to
//!   check them (as the AWS CLI does);
//! - `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (re-read at each fetch) or
//!   else `AWS_CONTAINER_AUTHORIZATION_TOKEN`: sent as the `Authorization`
//!   header.
//!
//! The exchange is sans-IO: [`resolve_endpoint`], [`build_request`] and
//! [`parse_response`] are pure; [`ContainerProvider`] runs them over a
//! [`Transport`].

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use zeroize::Zeroizing;

use super::{Credentials, CredentialsError, ProvideCredentials, SkipReason};
use crate::config::env_vars::{
    AWS_CONTAINER_AUTHORIZATION_TOKEN, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE,
    AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
};
use crate::config::Env;
use crate::transport::{RequestOptions, Transport};
use crate::util::json;
use crate::util::time::parse_rfc3339;

/// The ECS agent's address, for relative URIs.
pub const ECS_HOST: &str = "169.254.170.2";
/// The EKS Pod Identity agent's IPv4 address.
pub const EKS_HOST_V4: &str = "169.254.170.23";
/// The EKS Pod Identity agent's IPv6 address.
pub const EKS_HOST_V6: &str = "fd00:ec2::23";

const NAME: &str = "container";

fn invalid(message: impl Into<String>) -> CredentialsError {
    CredentialsError::invalid_configuration(NAME, message)
}

/// Whether plain `http` may be used to reach `host` (the host part of a
/// URI, IPv6 addresses in brackets).
pub fn is_allowed_http_host(host: &str) -> bool {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if bare.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match bare.parse::<IpAddr>() {
        Ok(ip) => {
            ip.is_loopback()
                || ip == IpAddr::from([169, 254, 170, 2])
                || ip == IpAddr::from([169, 254, 170, 23])
                || ip == IpAddr::from([0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23])
        }
        Err(_) => false,
    }
}

/// The endpoint configured by `env`, or why there is none.
///
/// Returns [`CredentialsError::NotLoaded`] with
/// [`SkipReason::ContainerNotConfigured`] when neither variable is set (or
/// both are blank), and [`CredentialsError::InvalidConfiguration`] for an
/// unusable URI.
///
/// ```
/// use sigv4::config::Env;
/// use sigv4::credentials::container::resolve_endpoint;
///
/// let env = Env::from_map([("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc")]);
/// assert_eq!(resolve_endpoint(&env)?.to_string(), "http://169.254.170.2/v2/credentials/abc");
/// let env = Env::from_map([("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds")]);
/// assert!(resolve_endpoint(&env).is_err()); // plain http to a non-local host
/// # Ok::<(), sigv4::credentials::CredentialsError>(())
/// ```
pub fn resolve_endpoint(env: &Env) -> Result<http::Uri, CredentialsError> {
    if let Some(relative) = env.get_non_blank(AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) {
        let relative = relative.trim();
        let separator = if relative.starts_with('/') { "" } else { "/" };
        let url = format!("http://{ECS_HOST}{separator}{relative}");
        return url.parse::<http::Uri>().map_err(|e| {
            invalid(format!(
                "{AWS_CONTAINER_CREDENTIALS_RELATIVE_URI} is not a valid path: {e}"
            ))
        });
    }
    let Some(full) = env.get_non_blank(AWS_CONTAINER_CREDENTIALS_FULL_URI) else {
        return Err(CredentialsError::not_loaded(
            NAME,
            SkipReason::ContainerNotConfigured,
        ));
    };
    let uri = full.trim().parse::<http::Uri>().map_err(|e| {
        invalid(format!(
            "{AWS_CONTAINER_CREDENTIALS_FULL_URI} is not a valid URI: {e}"
        ))
    })?;
    let Some(host) = uri.host() else {
        return Err(invalid(format!(
            "{AWS_CONTAINER_CREDENTIALS_FULL_URI}: URI did not specify a host"
        )));
    };
    match uri.scheme_str() {
        Some("https") => Ok(uri),
        Some("http") if is_allowed_http_host(host) => Ok(uri),
        Some("http") => Err(invalid(format!(
            "{AWS_CONTAINER_CREDENTIALS_FULL_URI}: plain http is only allowed to a loopback address, \
             {ECS_HOST}, {EKS_HOST_V4} or [{EKS_HOST_V6}], not `{host}`; use https"
        ))),
        _ => Err(invalid(format!(
            "{AWS_CONTAINER_CREDENTIALS_FULL_URI}: the scheme must be http or https"
        ))),
    }
}

/// The `Authorization` value from `env`: the token file's content (trimmed)
/// when `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` is set, else
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN`, else none.
pub fn authorization(env: &Env) -> Result<Option<Zeroizing<String>>, CredentialsError> {
    let token = if let Some(path) = env.get_non_blank(AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) {
        let bytes = Zeroizing::new(std::fs::read(path.trim()).map_err(|e| {
            invalid(format!(
                "could not read {AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE} `{}`: {e}",
                path.trim()
            ))
        })?);
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            invalid(format!(
                "{AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE}: the file is not UTF-8"
            ))
        })?;
        Zeroizing::new(text.trim().to_owned())
    } else if let Some(token) = env.get(AWS_CONTAINER_AUTHORIZATION_TOKEN) {
        Zeroizing::new(token.trim().to_owned())
    } else {
        return Ok(None);
    };
    if token.is_empty() {
        return Ok(None);
    }
    if token.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
        return Err(invalid(
            "the container authorization token contains a line break or NUL byte",
        ));
    }
    Ok(Some(token))
}

/// The credentials request: `GET uri` with `Accept: application/json` and
/// the `Authorization` header when a token is given.
pub fn build_request(
    uri: &http::Uri,
    authorization: Option<&str>,
) -> Result<http::Request<Vec<u8>>, CredentialsError> {
    let mut builder =
        http::Request::get(uri.clone()).header(http::header::ACCEPT, "application/json");
    if let Some(token) = authorization {
        let mut value = http::HeaderValue::from_str(token).map_err(|_| {
            invalid("the container authorization token is not a valid header value")
        })?;
        value.set_sensitive(true);
        builder = builder.header(http::header::AUTHORIZATION, value);
    }
    builder
        .body(Vec::new())
        .map_err(|e| invalid(format!("could not build the request: {e}")))
}

/// Reads the endpoint's answer: on 200 the JSON document
/// `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}`; otherwise
/// an error with the document's `code` and `message` when it has them.
pub fn parse_response(response: &http::Response<Vec<u8>>) -> Result<Credentials, CredentialsError> {
    let status = response.status();
    let text = std::str::from_utf8(response.body()).map_err(|_| {
        CredentialsError::invalid_response(
            NAME,
            format!("status {}, body is not UTF-8", status.as_u16()),
        )
    })?;
    if !status.is_success() {
        return Err(error_response(status.as_u16(), text));
    }
    let doc = json::parse(text)
        .map_err(|e| CredentialsError::invalid_response(NAME, format!("body is not JSON ({e})")))?;
    let field = |name: &str| {
        doc.get_str(name).filter(|v| !v.is_empty()).ok_or_else(|| {
            CredentialsError::invalid_response(NAME, format!("no {name} in the response"))
        })
    };
    let mut credentials =
        Credentials::new(field("AccessKeyId")?, field("SecretAccessKey")?).with_source(NAME);
    if let Some(token) = doc.get_str("Token").filter(|t| !t.is_empty()) {
        credentials = credentials.with_session_token(token);
    }
    if let Some(expiration) = doc.get_str("Expiration").filter(|t| !t.is_empty()) {
        let at = parse_rfc3339(expiration).map_err(|why| {
            CredentialsError::invalid_response(NAME, format!("Expiration: {why}"))
        })?;
        credentials = credentials.with_expiry(at);
    }
    Ok(credentials)
}

fn error_response(status: u16, text: &str) -> CredentialsError {
    fn short(s: &str) -> String {
        let s = s.trim();
        match s.char_indices().nth(200) {
            Some((i, _)) => format!("{}...", &s[..i]),
            None => s.to_owned(),
        }
    }
    let mut message = format!("the endpoint answered {status}");
    if let Ok(doc) = json::parse(text) {
        let code = doc.get_str("code").or_else(|| doc.get_str("Code"));
        let detail = doc.get_str("message").or_else(|| doc.get_str("Message"));
        if let Some(code) = code {
            message.push_str(&format!(" {}", short(code)));
        }
        if let Some(detail) = detail {
            message.push_str(&format!(": {}", short(detail)));
        }
    }
    CredentialsError::provider_failed(NAME, message)
}

/// Fetches credentials from the container endpoint.
///
/// Timeouts: 2 s to connect, 5 s to read. Up to 3 attempts, retrying
/// connection failures, timeouts, 429 and 5xx answers after 100 ms, then
/// 200 ms.
///
/// ```
/// use std::sync::Arc;
/// use sigv4::config::Env;
/// use sigv4::credentials::container::ContainerProvider;
/// use sigv4::credentials::ProvideCredentials;
/// use sigv4::transport::from_fn;
///
/// let env = Env::from_map([
///     ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9911/creds"),
///     ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic abc"),
/// ]);
/// // A canned endpoint instead of a real one.
/// let transport = Arc::new(from_fn(|request, _| {
///     assert_eq!(request.headers()["authorization"], "Basic abc");
///     let body = r#"{"AccessKeyId":"AKIDCONTAINER","SecretAccessKey":"s","Token":"t",
///                    "Expiration":"2030-01-01T00:00:00Z"}"#;
///     Ok(http::Response::new(body.as_bytes().to_vec()))
/// }));
/// let c = ContainerProvider::new(env, transport).provide()?;
/// assert_eq!((c.access_key_id(), c.source()), ("AKIDCONTAINER", "container"));
/// # Ok::<(), sigv4::credentials::CredentialsError>(())
/// ```
#[derive(Clone)]
pub struct ContainerProvider {
    env: Env,
    transport: Arc<dyn Transport>,
    options: RequestOptions,
    max_attempts: u32,
}

impl std::fmt::Debug for ContainerProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContainerProvider")
            .field("env", &self.env)
            .field("options", &self.options)
            .field("max_attempts", &self.max_attempts)
            .finish_non_exhaustive()
    }
}

impl ContainerProvider {
    /// The provider's name in a chain, and the source of its credentials.
    pub const NAME: &'static str = NAME;

    /// Reads its settings from `env` at each call and sends over
    /// `transport`.
    pub fn new(env: Env, transport: Arc<dyn Transport>) -> Self {
        ContainerProvider {
            env,
            transport,
            options: RequestOptions::new()
                .with_connect_timeout(Duration::from_secs(2))
                .with_read_timeout(Duration::from_secs(5))
                .with_max_response_bytes(64 * 1024),
            max_attempts: 3,
        }
    }

    /// Replaces the request options (timeouts).
    pub fn with_request_options(mut self, options: RequestOptions) -> Self {
        self.options = options;
        self
    }

    /// Sets the number of attempts (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }
}

impl ProvideCredentials for ContainerProvider {
    fn provide(&self) -> Result<Credentials, CredentialsError> {
        let uri = resolve_endpoint(&self.env)?;
        let mut last_error = None;
        for attempt in 1..=self.max_attempts {
            if attempt > 1 {
                std::thread::sleep(Duration::from_millis(100 * u64::from(attempt - 1)));
            }
            // Re-read the token each attempt: the file may be rotated.
            let token = authorization(&self.env)?;
            let request = build_request(&uri, token.as_deref().map(String::as_str))?;
            match self.transport.send(request, &self.options) {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retryable = status == 429 || status >= 500;
                    match parse_response(&response) {
                        Ok(c) => return Ok(c),
                        Err(e) if retryable => last_error = Some(e),
                        Err(e) => return Err(e),
                    }
                }
                Err(e) => {
                    last_error = Some(CredentialsError::unreachable(
                        NAME,
                        format!("GET {uri} failed"),
                        Some(Arc::new(e)),
                    ));
                }
            }
        }
        Err(last_error
            .unwrap_or_else(|| CredentialsError::provider_failed(NAME, "no attempt made")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_hosts() {
        for host in [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.1.2.3",
            "[::1]",
            "169.254.170.2",
            "169.254.170.23",
            "[fd00:ec2::23]",
        ] {
            assert!(is_allowed_http_host(host), "{host}");
        }
        for host in [
            "example.com",
            "169.254.169.254",
            "10.0.0.1",
            "[fd00:ec2::254]",
            "localhost.evil",
        ] {
            assert!(!is_allowed_http_host(host), "{host}");
        }
    }

    /// The variant's name, provider and message of `e`.
    fn parts(e: &CredentialsError) -> (&'static str, &str, &str) {
        match e {
            CredentialsError::InvalidConfiguration { provider, message } => {
                ("InvalidConfiguration", provider, message)
            }
            CredentialsError::InvalidResponse { provider, message } => {
                ("InvalidResponse", provider, message)
            }
            CredentialsError::ProviderFailed { provider, message } => {
                ("ProviderFailed", provider, message)
            }
            other => panic!("unexpected variant: {other:?}"),
        }
    }

    #[test]
    fn error_documents_are_summarised() {
        let r = http::Response::builder()
            .status(403)
            .body(br#"{"code":"AccessDenied","message":"token rejected"}"#.to_vec())
            .unwrap();
        let e = parse_response(&r).unwrap_err();
        assert_eq!(
            parts(&e),
            (
                "ProviderFailed",
                "container",
                "the endpoint answered 403 AccessDenied: token rejected"
            )
        );
        assert_eq!(
            e.to_string(),
            "container: the endpoint answered 403 AccessDenied: token rejected"
        );
        for (status, body, message) in [
            (500, &b"oops"[..], "the endpoint answered 500"),
            (
                400,
                br#"{"Code":"BadRequest"}"#,
                "the endpoint answered 400 BadRequest",
            ),
            (
                401,
                br#"{"Message":"no token"}"#,
                "the endpoint answered 401: no token",
            ),
        ] {
            let r = http::Response::builder()
                .status(status)
                .body(body.to_vec())
                .unwrap();
            let e = parse_response(&r).unwrap_err();
            assert_eq!(parts(&e), ("ProviderFailed", "container", message));
        }
        // A body that is not UTF-8 is unusable whatever the status.
        let r = http::Response::builder()
            .status(503)
            .body(b"\xff".to_vec())
            .unwrap();
        let e = parse_response(&r).unwrap_err();
        assert_eq!(
            parts(&e),
            (
                "InvalidResponse",
                "container",
                "status 503, body is not UTF-8"
            )
        );
    }

    #[test]
    fn parse_ok_and_missing_fields() {
        let r = http::Response::new(
            br#"{"AccessKeyId":"A","SecretAccessKey":"S3CRET","Token":"T","Expiration":"2030-01-01T00:00:00Z","RoleArn":"x"}"#.to_vec(),
        );
        let c = parse_response(&r).unwrap();
        assert_eq!((c.access_key_id(), c.session_token()), ("A", Some("T")));
        for (body, message) in [
            (
                &br#"{"AccessKeyId":"A","Token":"S3CRET"}"#[..],
                "no SecretAccessKey in the response",
            ),
            (
                br#"{"AccessKeyId":"","SecretAccessKey":"S3CRET"}"#,
                "no AccessKeyId in the response",
            ),
            (
                br#"{"AccessKeyId":"A","SecretAccessKey":"S3CRET","Expiration":"S3CRET"}"#,
                "Expiration: not an RFC 3339 timestamp",
            ),
            (
                br#"{"AccessKeyId":"A","SecretAccessKey":"S3CRET""#,
                "body is not JSON (invalid JSON at byte 45: expected ',' or '}')",
            ),
        ] {
            let e = parse_response(&http::Response::new(body.to_vec())).unwrap_err();
            assert_eq!(parts(&e), ("InvalidResponse", "container", message));
            assert!(!format!("{e} {e:?}").contains("S3CRET"));
        }
    }

    #[test]
    fn authorization_header_is_sensitive_and_validated() {
        let uri: http::Uri = "http://127.0.0.1/x".parse().unwrap();
        let r = build_request(&uri, Some("tok")).unwrap();
        assert!(r.headers()[http::header::AUTHORIZATION].is_sensitive());
        let env = Env::from_map([(AWS_CONTAINER_AUTHORIZATION_TOKEN, "a\r\nX-Evil: 1")]);
        let e = authorization(&env).unwrap_err();
        assert_eq!(
            parts(&e),
            (
                "InvalidConfiguration",
                "container",
                "the container authorization token contains a line break or NUL byte"
            )
        );
        assert!(!e.to_string().contains("Evil"));
        let e = build_request(&uri, Some("a\u{7f}b")).unwrap_err();
        assert_eq!(
            parts(&e),
            (
                "InvalidConfiguration",
                "container",
                "the container authorization token is not a valid header value"
            )
        );
        let env = Env::from_map([(AWS_CONTAINER_AUTHORIZATION_TOKEN, "  ")]);
        assert!(authorization(&env).unwrap().is_none());
    }
}
