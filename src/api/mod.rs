//! The AWS API protocol without I/O (feature `client`): operations as pure
//! build/parse pairs, request signing, endpoints, AWS error bodies, retry
//! decisions, and the blocking driver that runs them over a
//! [`Transport`](crate::transport::Transport).
//!
//! It sits below the `credentials` layer so that credential
//! sources which call AWS (assume-role and web identity, through STS) use
//! it directly, without the client; the `client` module is the thin layer
//! on top that adds a credentials provider.
//!
//! | concern | file |
//! | --- | --- |
//! | one call as a pair of pure functions | [`Operation`] |
//! | a request to sign, and its signing | [`ApiRequest`], [`SignedApiRequest`] |
//! | region, endpoint override, AWS endpoints | [`endpoint`] ([`ServiceConfig`], [`aws_endpoint`]) |
//! | what a call can end with | [`CallError`] |
//! | AWS error bodies | [`error`] ([`ApiError`]) |
//! | `SignatureDoesNotMatch`, both sides | [`signature_mismatch`] |
//! | retries, backoff, clock skew | [`retry`] |
//! | the blocking driver | [`call`] ([`Caller`](call::Caller)) |
//! | STS | [`sts`] |
//! | IAM Identity Center portal (`GetRoleCredentials`) | [`sso`] |
//! | SSO OIDC (device authorization, token refresh) | [`sso_oidc`] |
//! | sign-in (`aws login` session refresh) and its DPoP proofs | [`signin`], [`dpop`] |
//! | S3 objects | [`s3_objects`] |
//! | S3 multipart uploads | [`s3_multipart`] |
//! | query-protocol services (EC2, IAM...) | [`query_protocol`] |
//!
//! # With your own (async) HTTP client
//!
//! Nothing here needs the blocking driver: build, sign, send with whatever
//! client you have, let [`RetryState`](retry::RetryState) decide, parse.
//!
//! ```
//! use std::time::SystemTime;
//! use sigv4::api::retry::{Decision, DefaultRandom, RetryPolicy, RetryState};
//! use sigv4::api::sts::{CallerIdentity, GetCallerIdentity};
//! use sigv4::api::{ApiError, CallError, Operation, ServiceConfig};
//! use sigv4::sign::SigningTime;
//! use sigv4::transport::{from_fn, RequestOptions, Transport, TransportError};
//! use sigv4::Credentials;
//!
//! /// Your async client; a stand-in here that answers like STS.
//! async fn send_async(request: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportError> {
//!     let fake = from_fn(|_req, _opts| Ok(http::Response::new(
//!         b"<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/a</Arn>\
//!           <UserId>AIDA</UserId><Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>".to_vec())));
//!     fake.send(request, &RequestOptions::new())
//! }
//!
//! async fn whoami(credentials: &Credentials) -> Result<CallerIdentity, CallError> {
//!     let operation = GetCallerIdentity;
//!     let request = operation.build(&ServiceConfig::new("eu-west-1"))?; // pure
//!     let policy = RetryPolicy::standard();
//!     let (mut retry, random) = (RetryState::new(&policy), DefaultRandom::new());
//!     let mut offset = 0i64; // clock correction, seconds
//!     loop {
//!         // Sign every attempt afresh: new time, new signature.
//!         let now = SigningTime::from_unix_seconds(SigningTime::now().unix_seconds() + offset)?;
//!         let signed = request.sign(Some(credentials), now, None)?;
//!         let decision = match send_async(signed.request).await {
//!             Ok(response) if response.status().is_success() => return operation.parse(response),
//!             Ok(response) => {
//!                 let error = ApiError::from_response(&response);
//!                 match retry.on_response(error.status, &error.code, error.server_time, SystemTime::now(), &random) {
//!                     Decision::Stop => return operation.parse(response), // the typed error
//!                     d => d,
//!                 }
//!             }
//!             Err(e) => match retry.on_transport_error(&e, &random) {
//!                 Decision::Stop => return Err(CallError::Transport { source: e, attempts: retry.attempts() }),
//!                 d => d,
//!             },
//!         };
//!         match decision {
//!             Decision::Retry { after } => { let _ = after; /* your_runtime::sleep(after).await */ }
//!             Decision::CorrectClock { offset_seconds } => offset += offset_seconds,
//!             Decision::Stop => {} // returned above
//!         }
//!     }
//! }
//!
//! let credentials = Credentials::new("AKIDEXAMPLE", "secret");
//! let me = pollster::block_on(whoami(&credentials))?;
//! assert_eq!(me.arn, "arn:aws:iam::1:user/a");
//! # Ok::<(), CallError>(())
//! ```

#[cfg(feature = "async")]
pub mod async_call;
pub mod call;
mod call_error;
pub mod dpop;
pub mod endpoint;
pub mod error;
mod headers;
mod json_body;
mod operation;
pub mod query_protocol;
mod request;
pub mod retry;
pub mod s3_multipart;
pub mod s3_objects;
pub mod signature_mismatch;
pub mod signin;
pub mod sso;
pub mod sso_oidc;
pub mod sts;
mod xml;

pub use call_error::CallError;
pub(crate) use call_error::CallFailure;
pub use endpoint::{aws_endpoint, ServiceConfig, ENDPOINT_URL_FORM};
pub use error::{check_status, ApiError, ErrorFormat};
pub use operation::Operation;
pub use request::{ApiRequest, SignedApiRequest, Signing};
pub use retry::RetryPolicy;
pub use signature_mismatch::SignatureMismatch;

pub use crate::util::redact::redact;
pub use crate::util::time::parse_http_date;
