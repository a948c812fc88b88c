//! S3: object locations, presigned URLs and POST forms, S3 header signing and aws-chunked uploads (feature `std`).
//!
//! | concern | file |
//! | --- | --- |
//! | errors | [`error`](S3Error) |
//! | custom endpoints and AWS S3 host names | [`endpoint`] ([`Endpoint`], [`parse_host`]) |
//! | bucket, key, region, addressing style, URL | [`location`](S3Location) |
//! | presigned URLs | [`presign`](PresignOptions) |
//! | presigned multipart parts | [`multipart`] ([`S3Location::presign_upload_parts`]) |
//! | presigned POST (browser uploads with a policy) | [`post_policy`] ([`PostPolicy`], [`S3Location::presign_post`]) |
//! | header signing with S3's rules | [`signing`](SignedRequest) |
//! | aws-chunked uploads: signed chunks or the unsigned checksum trailer | [`chunked_upload`](ChunkedUpload) ([`S3Location::sign_chunked_upload`], [`S3Location::sign_chunked_put`]) |
//! | the streamed aws-chunked body (a `Read`, one chunk in memory) | [`chunked_body`](ChunkedBody) |
//! | Multi-Region Access Points (SigV4a) | [`mrap`] ([`S3Location::from_mrap_arn`]) |
//!
//! An [`S3Location`] is a bucket, a key and a region, optionally on a
//! custom endpoint (MinIO, a local server, any S3-compatible store). It
//! resolves to a URL in virtual-hosted style (`https://bucket.s3.region.amazonaws.com/key`)
//! or path style (`https://s3.region.amazonaws.com/bucket/key`):
//!
//! - [`AddressingStyle::Auto`] (default) picks virtual-hosted style unless it
//!   cannot work: a bucket name that is not a DNS label, a bucket with dots
//!   under TLS (the wildcard certificate does not cover them), or a custom
//!   endpoint whose host is an IP address or `localhost`.
//! - Keys are encoded exactly once: `/` is kept, every byte outside the RFC 3986
//!   unreserved set is percent-encoded, and nothing is normalized (`a/./b`,
//!   `dir//x` stay as they are).
//!
//! URL parsing is written by hand (not with `url::Url`) because the WHATWG
//! parser removes dot segments, which would silently change keys such as
//! `a/../b`.
//!
//! ```
//! use sigv4::Credentials;
//! use sigv4::s3::{PresignOptions, S3Location};
//! use sigv4::sign::SigningTime;
//! use std::time::Duration;
//!
//! let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
//! let time = SigningTime::parse_amz_date("20130524T000000Z")?;
//! let object = S3Location::parse("s3://examplebucket/test.txt", "us-east-1")?;
//! let url = object.presign("GET", &creds, time, &PresignOptions::new(Duration::from_secs(86_400)))?;
//! assert_eq!(url.url, "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
//! &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z\
//! &X-Amz-SignedHeaders=host&X-Amz-Expires=86400\
//! &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod chunked_body;
mod chunked_upload;
pub mod endpoint;
mod error;
mod location;
pub mod mrap;
pub mod multipart;
pub mod post_policy;
mod presign;
mod signing;

pub use chunked_body::ChunkedBody;
pub use chunked_upload::{BoxedChunkSigner, ChunkedUpload, UploadMode};
pub use endpoint::{parse_host, Endpoint, S3Host};
pub use error::S3Error;
pub use location::{is_dns_compatible, AddressingStyle, S3Location};
pub use multipart::{MAX_PART_NUMBER, MIN_PART_NUMBER, MIN_PART_SIZE};
pub use post_policy::{Condition, PostPolicy, PostPolicyError, PresignedPost, FILE_FIELD};
pub use presign::{PresignOptions, PresignedUrl, RESPONSE_OVERRIDES};
pub use signing::SignedRequest;

/// The AWS S3 documentation's example key and time, for the tests of this
/// module's files.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::sign::{Credentials, SigningTime};

    /// `AKIAIOSFODNN7EXAMPLE` and its secret.
    pub(crate) fn example_credentials() -> Credentials {
        Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
    }

    /// `20130524T000000Z`.
    pub(crate) fn t() -> SigningTime {
        SigningTime::parse_amz_date("20130524T000000Z").unwrap()
    }
}
