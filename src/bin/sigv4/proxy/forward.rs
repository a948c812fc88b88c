//! One request, start to end: the health path, the upstream URI, the
//! headers, the body rule (streamed as `UNSIGNED-PAYLOAD`, or hashed up to
//! `--max-body-bytes`, else 413), signing with the shared
//! [`RequestSigner`], the upstream call under `--upstream-timeout`, and
//! the answers the proxy gives itself (400, 413, 502, 504, each with its
//! reason in the body).

use std::error::Error as StdError;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderMap, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use http::{Method, Request, Response, StatusCode, Version};
use http_body::Body as _;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use sigv4::api::redact;
use sigv4::middleware::{BodyToSign, RequestSigner, SigningError};
use tokio::time::Instant;

use super::access_log::{LogEntry, Logged};
use super::body::{BoxError, IdleTimeout, Inbound, Meter};
use super::config::Config;
use super::headers::{request_headers, response_headers, strip_auth_query, Host};
use crate::cli::HostHeader;
use crate::Failure;

/// A body going out (upstream, or back to the client).
pub type OutBody = UnsyncBoxBody<Bytes, BoxError>;

/// What the client receives: the body, logged when done.
pub type ClientBody = Logged;

/// An answer of the proxy's own.
struct Refusal {
    status: StatusCode,
    reason: String,
}

impl Refusal {
    fn new(status: StatusCode, reason: impl Into<String>) -> Self {
        Refusal {
            status,
            reason: reason.into(),
        }
    }

    fn into_response(self) -> Response<OutBody> {
        text(self.status, format!("sigv4 proxy: {}\n", self.reason))
    }
}

fn text(status: StatusCode, body: String) -> Response<OutBody> {
    let mut response = Response::new(
        Full::new(Bytes::from(body))
            .map_err(|n| match n {})
            .boxed_unsync(),
    );
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn empty() -> OutBody {
    Empty::new().map_err(|n| match n {}).boxed_unsync()
}

/// `error` and its sources, `: `-separated (hyper's own message is only
/// its kind; the reason is in the sources). No URL is in any of them.
fn chain(error: &dyn StdError) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The upstream's TLS: rustls with ring, trusting the webpki roots, or
/// only the authorities of `ca_bundle` (as the AWS CLI's `--ca-bundle` and
/// `AWS_CA_BUNDLE` do).
fn tls_config(ca_bundle: Option<&std::path::Path>) -> Result<rustls::ClientConfig, Failure> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    let mut roots = rustls::RootCertStore::empty();
    match ca_bundle {
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Some(path) => {
            let bad = |why: String| Failure::new(format!("CA bundle {}: {why}", path.display()));
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| bad(e.to_string()))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| bad(e.to_string()))?;
            if certs.is_empty() {
                return Err(bad("no certificate in it".into()));
            }
            for cert in certs {
                roots.add(cert).map_err(|e| bad(e.to_string()))?;
            }
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Failure::new(format!("cannot set up TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// Forwards requests; shared by every connection.
pub struct Forwarder {
    config: Config,
    /// `scheme://authority` followed by the base path.
    prefix: String,
    signer: RequestSigner,
    client: Client<HttpsConnector<HttpConnector>, OutBody>,
}

impl Forwarder {
    pub fn new(config: Config, signer: RequestSigner) -> Result<Forwarder, Failure> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(config.upstream_timeout));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls_config(config.ca_bundle.as_deref())?)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(https);
        Ok(Forwarder {
            prefix: format!("{}{}", config.upstream.origin(), config.upstream.base_path),
            config,
            signer,
            client,
        })
    }

    /// Answers one request; never fails (errors are answers with a
    /// reason), and writes its access-log line.
    pub async fn handle(
        &self,
        request: Request<Incoming>,
        peer: SocketAddr,
    ) -> Response<ClientBody> {
        let meter = Meter::new();
        let mut entry = LogEntry::new(
            peer,
            request.method().clone(),
            request.uri().path(),
            meter.clone(),
        );
        let response = match self.forward(request, &meter).await {
            Ok(response) => {
                entry.answered(response.status(), None);
                response
            }
            Err(refusal) => {
                entry.answered(refusal.status, Some(refusal.reason.clone()));
                refusal.into_response()
            }
        };
        let (parts, body) = response.into_parts();
        Response::from_parts(parts, Logged::new(body, entry))
    }

    async fn forward(
        &self,
        request: Request<Incoming>,
        meter: &Arc<Meter>,
    ) -> Result<Response<OutBody>, Refusal> {
        let (parts, body) = request.into_parts();
        let path = parts.uri.path();
        if self.config.health_path.as_deref() == Some(path)
            && matches!(parts.method, Method::GET | Method::HEAD)
        {
            return Ok(text(StatusCode::OK, "ok\n".into()));
        }
        if parts.method == Method::CONNECT || !path.starts_with('/') {
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                "a reverse proxy: send requests for paths (GET /key), not CONNECT or absolute targets elsewhere",
            ));
        }
        let mut target = format!("{}{path}", self.prefix);
        let query = strip_auth_query(parts.uri.query().unwrap_or(""));
        if !query.is_empty() {
            target.push('?');
            target.push_str(&query);
        }
        let uri: http::Uri = target.parse().map_err(|_| {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                "the request target cannot be forwarded",
            )
        })?;
        let host = match self.config.host_header {
            HostHeader::Upstream => Host::Upstream(&self.config.upstream.host),
            HostHeader::Keep => Host::Keep(&self.config.upstream.host),
        };
        let mut headers = request_headers(parts.headers, &self.config.strip_headers, host)
            .map_err(|reason| Refusal::new(StatusCode::BAD_REQUEST, reason))?;

        // The body rule: nothing, streamed (UNSIGNED-PAYLOAD), or hashed.
        let (out, hashed): (OutBody, Option<Bytes>) = if body.is_end_stream() {
            (empty(), Some(Bytes::new()))
        } else if self.signer.unsigned_streaming() {
            (Inbound::new(body, meter.clone()).boxed_unsync(), None)
        } else {
            let bytes = self.read_body(&headers, body, meter).await?;
            headers.insert(CONTENT_LENGTH, HeaderValue::from(bytes.len()));
            let out = Full::new(bytes.clone())
                .map_err(|n| match n {})
                .boxed_unsync();
            (out, Some(bytes))
        };
        let to_sign = match &hashed {
            Some(bytes) => BodyToSign::Bytes(bytes),
            None => BodyToSign::Streaming,
        };

        let credentials = self.signer.credentials().await.map_err(signing_refusal)?;
        if self.config.debug {
            let details = self
                .signer
                .sign_with_details(&credentials, &parts.method, &target, &mut headers, to_sign)
                .map_err(signing_refusal)?;
            let what = format!("{} {path}", parts.method);
            eprint!(
                "{}{}",
                crate::output::debug_block(
                    &format!("canonical request ({what})"),
                    &redact(&details.canonical_request)
                ),
                crate::output::debug_block(
                    &format!("string to sign ({what})"),
                    &details.string_to_sign
                )
            );
        } else {
            self.signer
                .sign_with(&credentials, &parts.method, &target, &mut headers, to_sign)
                .map_err(signing_refusal)?;
        }
        drop(credentials);

        let mut upstream = Request::new(out);
        *upstream.method_mut() = parts.method;
        *upstream.uri_mut() = uri;
        *upstream.version_mut() = Version::HTTP_11;
        *upstream.headers_mut() = headers;
        let response = self.send(upstream, meter).await?;
        let (mut parts, body) = response.into_parts();
        response_headers(&mut parts.headers);
        let body = IdleTimeout::new(body, self.config.upstream_timeout).boxed_unsync();
        Ok(Response::from_parts(parts, body))
    }

    /// Reads a body to hash: at most `--max-body-bytes`, else 413 (at once
    /// when its `content-length` says so, before reading any of it).
    async fn read_body(
        &self,
        headers: &HeaderMap,
        body: Incoming,
        meter: &Arc<Meter>,
    ) -> Result<Bytes, Refusal> {
        let limit = self.config.max_body_bytes;
        let too_large = || {
            Refusal::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the body is larger than --max-body-bytes ({limit} bytes): bodies for `{}` \
                     are read, hashed and signed; raise --max-body-bytes, or pass \
                     --unsigned-payload if the service accepts UNSIGNED-PAYLOAD",
                    self.config.service
                ),
            )
        };
        let declared = headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let limited = Limited::new(
            Inbound::new(body, meter.clone()),
            usize::try_from(limit).unwrap_or(usize::MAX),
        );
        match limited.collect().await {
            Ok(collected) => Ok(collected.to_bytes()),
            Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
            Err(e) => Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                format!("reading the request body: {}", chain(&*e)),
            )),
        }
    }

    /// Sends `request` upstream; 504 when nothing moves (no request body
    /// bytes taken, no answer) for `--upstream-timeout`, 502 when the
    /// upstream cannot be reached or breaks off.
    async fn send(
        &self,
        request: Request<OutBody>,
        meter: &Meter,
    ) -> Result<Response<Incoming>, Refusal> {
        let timeout = self.config.upstream_timeout;
        meter.touch();
        let mut pending = std::pin::pin!(self.client.request(request));
        // Each turn waits until `timeout` after the last progress; it ends
        // with the answer, or when a whole `timeout` passed without progress.
        loop {
            let deadline = meter.last_progress() + timeout;
            tokio::select! {
                result = &mut pending => {
                    return result.map_err(|e| self.upstream_error(&e));
                }
                () = tokio::time::sleep_until(deadline) => {
                    if meter.last_progress() + timeout <= Instant::now() {
                        return Err(Refusal::new(
                            StatusCode::GATEWAY_TIMEOUT,
                            format!(
                                "the upstream {} did not answer within {} s (--upstream-timeout)",
                                self.config.upstream.authority,
                                timeout.as_secs()
                            ),
                        ));
                    }
                }
            }
        }
    }

    fn upstream_error(&self, error: &hyper_util::client::legacy::Error) -> Refusal {
        let authority = &self.config.upstream.authority;
        let reason = match error.source() {
            Some(source) => chain(source),
            None => error.to_string(),
        };
        let reason = if error.is_connect() {
            format!("cannot connect to the upstream {authority}: {reason}")
        } else {
            format!("the upstream {authority} failed: {reason}")
        };
        Refusal::new(StatusCode::BAD_GATEWAY, reason)
    }
}

/// The answer when a request cannot be signed.
fn signing_refusal(error: SigningError) -> Refusal {
    match error {
        SigningError::Credentials(e) => Refusal::new(
            StatusCode::BAD_GATEWAY,
            format!("no credentials to sign with: {e}"),
        ),
        SigningError::Signing(e) => Refusal::new(
            StatusCode::BAD_REQUEST,
            format!("the request cannot be signed: {e}"),
        ),
        other => Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, other.to_string()),
    }
}
