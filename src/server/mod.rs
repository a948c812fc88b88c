//! Server-side verification as a `tower` layer (feature `server`):
//! [`VerifyLayer`] wraps any tower `Service<http::Request<VerifiedBody>>`
//! (an axum router, a hyper `service_fn`) and lets through only requests
//! that are signed, SigV4 or SigV4a (feature `sigv4a`), in the
//! `Authorization` header or presigned.
//!
//! | concern | file |
//! | --- | --- |
//! | the secret of an access key id (+ session token), or a typed refusal | [`lookup`] ([`SecretLookup`], [`StaticSecrets`], [`lookup_fn`]) |
//! | the layer, the service, the order of the checks | [`layer`] ([`VerifyLayer`], [`VerifyService`]) |
//! | the body the handler reads, verified as it streams; the answer's body | [`body`] ([`VerifiedBody`], [`ResponseBody`]) |
//! | S3's XML error answers | [`error`] ([`ErrorResponse`]) |
//!
//! For each request the service:
//!
//! 1. reads the access key id (and session token) the request claims, and
//!    asks the [`SecretLookup`] for its secret: an unknown key is answered
//!    `InvalidAccessKeyId`, a bad or expired token `InvalidToken` /
//!    `ExpiredToken`, as the lookup decides;
//! 2. verifies the signature with the core (`sign::verify`): a mismatch is
//!    `SignatureDoesNotMatch` with the server's `<StringToSign>` and
//!    `<CanonicalRequest>`, as S3 sends them; a signing time outside the
//!    skew `RequestTimeTooSkewed`, an expired presigned URL `AccessDenied`,
//!    a wrong region `AuthorizationHeaderMalformed` (with `<Region>`);
//! 3. sets up the body's verification (a plain body's SHA-256, aws-chunked
//!    decoding with chunk signatures, trailing checksums) and calls the
//!    inner service with [`Verified`](crate::sign::Verified) (who signed,
//!    region, service, signed headers, time) in the request's extensions
//!    and a [`VerifiedBody`] that yields the *decoded payload*. A body
//!    that fails verification at its end fails the body stream with
//!    [`VerifiedBodyError::Verification`]: a handler that collects the body
//!    before committing it never commits a bad one.
//!
//! Refusals before the handler are answered by the layer (S3's XML, the
//! right status; no body for `HEAD`). Nothing secret is logged or shown:
//! the secret stays in the lookup's [`Secret`] (zeroized, redacted `Debug`).
//!
//! ```
//! use std::convert::Infallible;
//! use bytes::Bytes;
//! use http_body_util::{BodyExt, Full};
//! use sigv4::http::sign_request;
//! use sigv4::server::{ErrorResponse, StaticSecrets, VerifiedBody, VerifyLayer};
//! use sigv4::sign::{SigningParams, SigningTime, Verified};
//! use sigv4::Credentials;
//! use tower::{service_fn, ServiceBuilder, ServiceExt};
//!
//! // The handler: who signed is in the extensions, the body is verified as read.
//! async fn handler(request: http::Request<VerifiedBody>) -> Result<http::Response<Full<Bytes>>, Infallible> {
//!     let who = request.extensions().get::<Verified>().unwrap().access_key_id().to_string();
//!     match request.into_body().collect().await {
//!         Ok(body) => Ok(http::Response::new(Full::from(format!("{who} sent {} bytes", body.to_bytes().len())))),
//!         Err(e) => Ok(ErrorResponse::from_body_read(&e).into_response()),
//!     }
//! }
//!
//! let server = ServiceBuilder::new()
//!     .layer(VerifyLayer::new(StaticSecrets::new().with_key("AKIDEXAMPLE", "secret")).expect_service("s3"))
//!     .service(service_fn(handler));
//!
//! // A client signs a PUT ...
//! let credentials = Credentials::new("AKIDEXAMPLE", "secret");
//! let params = SigningParams::new(&credentials, "us-east-1", "s3", SigningTime::now());
//! let mut put = http::Request::put("http://127.0.0.1/bucket/key").body(Bytes::from_static(b"hello"))?;
//! sign_request(&mut put, &params)?;
//! let response = pollster::block_on(server.clone().oneshot(put.map(Full::new)))?;
//! assert_eq!(response.status(), 200);
//! let text = pollster::block_on(response.into_body().collect())?.to_bytes();
//! assert_eq!(text, "AKIDEXAMPLE sent 5 bytes");
//!
//! // ... and one signed with another secret is refused before the handler.
//! let other = Credentials::new("AKIDEXAMPLE", "not the secret");
//! let mut bad = http::Request::get("http://127.0.0.1/bucket/key").body(Bytes::new())?;
//! sign_request(&mut bad, &SigningParams::new(&other, "us-east-1", "s3", SigningTime::now()))?;
//! let response = pollster::block_on(server.oneshot(bad.map(Full::new)))?;
//! assert_eq!(response.status(), 403);
//! let xml = pollster::block_on(response.into_body().collect())?.to_bytes();
//! assert!(std::str::from_utf8(&xml)?.contains("<Code>SignatureDoesNotMatch</Code>"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod body;
pub mod error;
pub mod layer;
pub mod lookup;

pub use crate::sign::verify::{BodyError, BodyPolicy};
pub use body::{BoxError, ResponseBody, VerifiedBody, VerifiedBodyError};
pub use error::ErrorResponse;
pub use layer::{verified, Clock, VerifyLayer, VerifyService};
pub use lookup::{
    lookup_fn, LookupError, LookupFn, LookupFuture, Secret, SecretLookup, SecretRequest,
    StaticSecrets,
};
