//! The signing core: `no_std` + `alloc`, no I/O, no clock (the caller
//! passes the time).
//!
//! One file per step of the SigV4 specification:
//!
//! | step | file |
//! | --- | --- |
//! | the credentials that sign | [`credentials`] |
//! | the request to sign | [`request`] |
//! | service rules (encoding, normalization, content hash header, token) | [`settings`] |
//! | who signs, where, when: the parameters | [`params`] |
//! | header and query parameter names | [`names`] |
//! | URI encoding | [`encoding`] |
//! | canonical URI (path) | [`canonical_uri`] |
//! | canonical query string | [`canonical_query`] |
//! | canonical headers and signed headers | [`canonical_headers`] |
//! | payload hash | [`payload`] |
//! | canonical request | [`canonical_request`] |
//! | credential scope | [`scope`] |
//! | string to sign | [`string_to_sign`] |
//! | signing key | [`key`] |
//! | signing-key cache (process-wide by default) | [`key_cache`] |
//! | signature and the `Authorization` value | [`signature`] |
//! | signing headers the caller already set | [`header_rules`] |
//! | header signing | [`header_signing`] ([`sign_headers`]) |
//! | presigning | [`presign`](mod@presign) ([`presign()`]) |
//! | signing time | [`time`](mod@time) |
//! | aws-chunked streaming signatures | [`chunked`] |
//! | flexible checksums (`x-amz-checksum-*`; feature `std`) | `checksum` |
//! | server-side verification | [`verify`](mod@verify) |
//! | SigV4a (ECDSA P-256, multi-region; feature `sigv4a`) | `v4a` |
//!
//! ```
//! use sigv4::sign::{sign_headers, Payload, SignableRequest, SigningParams, SigningTime};
//! use sigv4::Credentials;
//!
//! let credentials = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
//! let time = SigningTime::parse_amz_date("20130524T000000Z")?;
//! let params = SigningParams::new(&credentials, "us-east-1", "s3", time); // S3 rules, from the service
//! let req = SignableRequest::new("GET", "https://examplebucket.s3.amazonaws.com/test.txt")?
//!     .header("range", "bytes=0-9")
//!     .payload(Payload::EMPTY);
//! let signed = sign_headers(&req, &params)?;
//! assert_eq!(signed.signature(), "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
//! for (name, value) in signed.headers() {
//!     // add `name: value` to the outgoing request
//!     # let _ = (name, value);
//! }
//! # Ok::<(), sigv4::sign::Error>(())
//! ```

pub mod canonical_headers;
pub mod canonical_query;
pub mod canonical_request;
pub mod canonical_uri;
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub mod checksum;
pub mod chunked;
mod constant_time;
pub mod credentials;
pub mod encoding;
mod error;
mod first_block;
pub mod header_rules;
pub mod header_signing;
pub mod key;
pub mod key_cache;
mod lower_hex;
pub mod names;
pub mod params;
pub mod payload;
pub mod presign;
pub mod request;
mod request_target;
pub mod scope;
pub mod settings;
mod sha256;
pub mod signature;
mod slot_cache;
pub mod string_to_sign;
mod text;
pub mod time;
#[cfg(feature = "sigv4a")]
#[cfg_attr(docsrs, doc(cfg(feature = "sigv4a")))]
pub mod v4a;
pub mod verify;

pub use canonical_uri::UriEncoding;
pub use credentials::Credentials;
pub use error::Error;
pub use header_signing::{sign_headers, write_authorization, AddedHeaders, HeaderSignature};
pub use key::SigningKey;
pub use key_cache::SigningKeyCache;
pub use params::SigningParams;
pub use payload::{Payload, PayloadHash};
pub use presign::{presign, write_presigned_uri, PresignedQuery};
pub use request::SignableRequest;
pub use scope::Scope;
pub use settings::{SessionTokenMode, SigningSettings};
pub use signature::SigningDetails;
pub use time::SigningTime;
pub use verify::{verify, verify_headers, verify_presigned, Verified, VerifyOptions};

/// The signature algorithm name.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// Longest presign expiry AWS accepts: 7 days.
pub const MAX_PRESIGN_EXPIRY: core::time::Duration = core::time::Duration::from_secs(604_800);
