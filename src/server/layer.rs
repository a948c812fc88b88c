//! [`VerifyLayer`] and [`VerifyService`]: verify, then call the inner
//! service with the identity in the extensions and a [`VerifiedBody`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::Body;

use super::body::{BoxError, ResponseBody, VerifiedBody};
use super::error::ErrorResponse;
use super::lookup::{SecretLookup, SecretRequest};
use crate::http::signable_request;
use crate::sign::names::{X_AMZ_CONTENT_SHA256, X_AMZ_DECODED_CONTENT_LENGTH};
use crate::sign::verify::{
    access_key_id, session_token, verify_detailed, BodyPolicy, BodyVerifier,
};
use crate::sign::{Error, Payload, SigningSettings, SigningTime, Verified, VerifyOptions};

/// The verifier's clock.
pub type Clock = Arc<dyn Fn() -> SigningTime + Send + Sync>;

/// What every [`VerifyService`] of one layer shares.
#[derive(Clone)]
struct Config {
    lookup: Arc<dyn SecretLookup>,
    region: Option<String>,
    service: Option<String>,
    settings: Option<SigningSettings>,
    max_skew: Duration,
    body_policy: BodyPolicy,
    require_signed_amz: bool,
    clock: Clock,
}

/// A [`tower_layer::Layer`] verifying every request before the inner
/// service sees it (see the [module docs](super)).
#[derive(Clone)]
pub struct VerifyLayer {
    config: Arc<Config>,
}

impl fmt::Debug for VerifyLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.config;
        f.debug_struct("VerifyLayer")
            .field("region", &c.region)
            .field("service", &c.service)
            .field("max_skew", &c.max_skew)
            .field("body_policy", &c.body_policy)
            .finish_non_exhaustive()
    }
}

impl VerifyLayer {
    /// Verifies with secrets from `lookup`: any region and service, S3's
    /// 15 minutes of clock skew, every `x-amz-*` header signed, the system clock, and
    /// [`BodyPolicy::new`] (payloads must be signed).
    pub fn new(lookup: impl SecretLookup + 'static) -> Self {
        Self::from_shared(Arc::new(lookup))
    }

    /// [`new`](Self::new) with a lookup shared with other code.
    pub fn from_shared(lookup: Arc<dyn SecretLookup>) -> Self {
        VerifyLayer {
            config: Arc::new(Config {
                lookup,
                region: None,
                service: None,
                settings: None,
                max_skew: VerifyOptions::DEFAULT_MAX_SKEW,
                body_policy: BodyPolicy::new(),
                require_signed_amz: true,
                clock: Arc::new(SigningTime::now),
            }),
        }
    }

    fn config_mut(&mut self) -> &mut Config {
        // While building the layer is not shared yet; else a copy is made.
        Arc::make_mut(&mut self.config)
    }

    /// Accepts only signatures scoped to `region` (SigV4a: region sets
    /// containing it or `*`). Others are `AuthorizationHeaderMalformed`
    /// (`AuthorizationQueryParametersError` when presigned), with S3's
    /// `<Region>` element naming this one.
    pub fn expect_region(mut self, region: impl Into<String>) -> Self {
        self.config_mut().region = Some(region.into());
        self
    }

    /// Accepts only signatures scoped to `service` (`s3` for an S3 server).
    pub fn expect_service(mut self, service: impl Into<String>) -> Self {
        self.config_mut().service = Some(service.into());
        self
    }

    /// Signing rules instead of those of the signed service.
    pub fn with_settings(mut self, settings: SigningSettings) -> Self {
        self.config_mut().settings = Some(settings);
        self
    }

    /// How far a request's signing time may be from the clock.
    pub fn with_max_skew(mut self, max_skew: Duration) -> Self {
        self.config_mut().max_skew = max_skew;
        self
    }

    /// Whether every `x-amz-*` header a request carries must be signed (on
    /// by default, as S3 requires; off for services that take headers added
    /// after signing). An unsigned one is refused `AccessDenied`.
    pub fn require_signed_amz_headers(mut self, on: bool) -> Self {
        self.config_mut().require_signed_amz = on;
        self
    }

    /// What bodies are accepted (unsigned payloads, chunk limits).
    pub fn with_body_policy(mut self, policy: BodyPolicy) -> Self {
        self.config_mut().body_policy = policy;
        self
    }

    /// The verifier's clock (tests; servers whose clock is corrected).
    pub fn with_clock(mut self, clock: impl Fn() -> SigningTime + Send + Sync + 'static) -> Self {
        self.config_mut().clock = Arc::new(clock);
        self
    }
}

impl<S> tower_layer::Layer<S> for VerifyLayer {
    type Service = VerifyService<S>;

    fn layer(&self, inner: S) -> VerifyService<S> {
        VerifyService {
            config: self.config.clone(),
            inner,
        }
    }
}

/// Verifies each request, then calls the inner service with
/// [`Verified`] in the request's extensions and a [`VerifiedBody`];
/// answers refusals itself with S3's XML errors.
#[derive(Clone)]
pub struct VerifyService<S> {
    config: Arc<Config>,
    inner: S,
}

impl<S> fmt::Debug for VerifyService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyService").finish_non_exhaustive()
    }
}

impl<S, B, ResBody> tower_service::Service<http::Request<B>> for VerifyService<S>
where
    S: tower_service::Service<http::Request<VerifiedBody>, Response = http::Response<ResBody>>
        + Clone
        + Send
        + 'static,
    S::Future: Send,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
    ResBody: Body<Data = Bytes> + Unpin,
{
    type Response = http::Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        // The instance that was polled ready takes this request; a fresh
        // clone waits for the next one.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let config = self.config.clone();
        Box::pin(async move {
            let head = request.method() == http::Method::HEAD;
            match verify(&config, request).await {
                Ok(verified) => Ok(inner.call(verified).await?.map(ResponseBody::Inner)),
                Err(e) if head => Ok(e.into_head_response()),
                Err(e) => Ok(e.into_response()),
            }
        })
    }
}

/// Checks the signature of `request` (looking its secret up) and sets up
/// its body's verification: the request the inner service receives, or
/// the answer to send instead.
async fn verify<B>(
    config: &Config,
    request: http::Request<B>,
) -> Result<http::Request<VerifiedBody>, ErrorResponse>
where
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let resource = request.uri().path().to_string();
    let options = {
        let mut o = VerifyOptions::new((config.clock)())
            .with_max_skew(config.max_skew)
            .require_signed_amz_headers(config.require_signed_amz);
        if let Some(s) = config.settings {
            o = o.with_settings(s);
        }
        o
    };
    let options = match &config.region {
        Some(r) => options.expect_region(r),
        None => options,
    };
    let options = match &config.service {
        Some(s) => options.expect_service(s),
        None => options,
    };
    let secret_request = claim(config, &options, &request, &resource)?;
    let secret = config
        .lookup
        .lookup(secret_request.clone())
        .await
        .map_err(|e| {
            ErrorResponse::from_lookup(&e, secret_request.access_key_id()).with_resource(&resource)
        })?;
    let signable = signable_request(&request, Payload::Unsigned)
        .map_err(|e| refusal(config, &options, &request, e, &resource))?;
    let claimed = secret_request.access_key_id();
    let verified = verify_detailed(
        &signable,
        |key| (key == claimed).then_some(secret.expose()),
        &options,
    )
    .map_err(|r| {
        with_region(
            ErrorResponse::from_rejection(&r, Some(claimed)),
            config,
            r.error(),
        )
        .with_resource(&resource)
    })?;
    let verifier = BodyVerifier::new(&signable, &verified, secret.expose(), &config.body_policy)
        .map_err(|e| ErrorResponse::from_body_error(&e).with_resource(&resource))?;
    let decoded_len = decoded_len(&request);
    drop(signable);
    let (mut parts, body) = request.into_parts();
    parts.extensions.insert(verified);
    Ok(http::Request::from_parts(
        parts,
        VerifiedBody::new(body, verifier, decoded_len),
    ))
}

/// Who `request` claims signed it: the access key id and session token.
fn claim<B>(
    config: &Config,
    options: &VerifyOptions<'_>,
    request: &http::Request<B>,
    resource: &str,
) -> Result<SecretRequest, ErrorResponse> {
    let refuse = |e: Error| refusal(config, options, request, e, resource);
    let signable = signable_request(request, Payload::Unsigned).map_err(refuse)?;
    let id = access_key_id(&signable).map_err(refuse)?;
    let token = session_token(&signable).map_err(refuse)?;
    Ok(SecretRequest::new(id, token))
}

/// The answer to a request refused before its secret was looked up.
fn refusal<B>(
    config: &Config,
    options: &VerifyOptions<'_>,
    request: &http::Request<B>,
    error: Error,
    resource: &str,
) -> ErrorResponse {
    // The core's verdict and S3 code for the same request (it fails the
    // same way: no lookup happens).
    let rejection = signable_request(request, Payload::Unsigned)
        .map_err(|_| ())
        .and_then(|s| verify_detailed(&s, |_| None, options).err().ok_or(()));
    match rejection {
        Ok(r) => with_region(ErrorResponse::from_rejection(&r, None), config, r.error()),
        Err(()) => ErrorResponse::new(400, "InvalidRequest", error.to_string()),
    }
    .with_resource(resource)
}

/// S3 names the expected region in `<Region>` when the scope's is wrong.
fn with_region(e: ErrorResponse, config: &Config, error: &Error) -> ErrorResponse {
    match (error, &config.region) {
        (Error::WrongScope { part: "region" }, Some(region)) => e.with_detail("Region", region),
        _ => e,
    }
}

/// The payload length the request announces: `x-amz-decoded-content-length`
/// for aws-chunked bodies, `content-length` for plain ones.
fn decoded_len<B>(request: &http::Request<B>) -> Option<u64> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
    };
    let chunked = request
        .headers()
        .get(X_AMZ_CONTENT_SHA256)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("STREAMING-"));
    if chunked {
        header(X_AMZ_DECODED_CONTENT_LENGTH)
    } else {
        header(http::header::CONTENT_LENGTH.as_str())
    }
}

/// The identity of a request that passed the layer (for handlers and
/// extractors): its [`Verified`] extension.
pub fn verified<B>(request: &http::Request<B>) -> Option<&Verified> {
    request.extensions().get::<Verified>()
}
