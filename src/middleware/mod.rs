//! Signing middleware for async HTTP stacks: every outgoing request is
//! signed for one service and region with credentials from an async
//! provider (the async default chain, cached, or any other).
//!
//! | concern | file | feature |
//! | --- | --- | --- |
//! | what both sign with (and `sigv4 proxy`), the body rules, the errors, SigV4a (`with_region_set`) | [`signer`] ([`RequestSigner`], [`BodyToSign`], [`SignedDetails`], [`SigningError`]) | `async` |
//! | `reqwest-middleware` | [`reqwest`](mod@self::reqwest) (`SigningMiddleware`) | `reqwest-middleware` |
//! | a `tower` layer for `http::Request<B>` | [`tower`](mod@self::tower) (`SigningLayer`) | `tower` |
//!
//! The body rules, the same for both:
//!
//! - a body in memory (reqwest's buffered bodies; tower bodies of known
//!   size up to [`RequestSigner::max_buffered_body`]) is hashed;
//! - a streaming body is sent as `UNSIGNED-PAYLOAD` where the service
//!   allows it (S3), and is a [`SigningError::StreamingBody`] otherwise;
//! - S3's rules when the service is `s3` (single URI encoding, no path
//!   normalization, `x-amz-content-sha256`);
//! - a request that already has an `Authorization` header is
//!   [`SigningError::AlreadySigned`], not signed twice.

pub mod signer;

#[cfg(feature = "reqwest-middleware")]
pub mod reqwest;
#[cfg(feature = "tower")]
pub mod tower;

pub use signer::{BodyToSign, RequestSigner, SignedDetails, SigningError};
