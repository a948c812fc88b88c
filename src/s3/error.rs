//! [`S3Error`]: what the S3 layer reports.

use std::fmt;

use super::post_policy::PostPolicyError;
use super::presign::RESPONSE_OVERRIDES;
use crate::sign;

/// Errors from the S3 layer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum S3Error {
    /// The target is neither `s3://bucket/key` nor an `http(s)://` URL.
    InvalidTarget {
        /// What is wrong.
        reason: &'static str,
    },
    /// The bucket name is empty or has characters S3 never allows.
    InvalidBucket(String),
    /// Virtual-hosted style was forced for a bucket that cannot be a host name.
    VirtualHostingUnavailable(String),
    /// The endpoint is not an `http(s)://host[:port]` URL.
    InvalidEndpoint(String),
    /// A response override name S3 does not know.
    InvalidResponseOverride(String),
    /// The location is signed with SigV4a (a Multi-Region Access Point or
    /// a region set), which this build or this operation cannot do.
    Sigv4aUnavailable {
        /// Why.
        reason: &'static str,
    },
    /// A multipart part number outside 1 ..= 10 000.
    InvalidPartNumber(u32),
    /// A multipart upload that cannot be: no upload id, no key, no parts.
    InvalidUpload {
        /// What is wrong.
        reason: &'static str,
    },
    /// A presigned POST policy that no upload could satisfy.
    PostPolicy(PostPolicyError),
    /// A signing error.
    Sign(sign::Error),
}

impl fmt::Display for S3Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            S3Error::InvalidTarget { reason } => write!(f, "invalid S3 target: {reason}"),
            S3Error::InvalidBucket(b) => write!(f, "invalid bucket name {b:?}"),
            S3Error::VirtualHostingUnavailable(b) => {
                write!(
                    f,
                    "bucket {b:?} cannot be addressed virtual-hosted style; use path style"
                )
            }
            S3Error::InvalidEndpoint(e) => {
                write!(f, "invalid endpoint {e:?}: expected http(s)://host[:port]")
            }
            S3Error::InvalidResponseOverride(n) => write!(
                f,
                "unknown response override {n:?}: expected one of {}",
                RESPONSE_OVERRIDES.join(", ")
            ),
            S3Error::Sigv4aUnavailable { reason } => {
                write!(f, "this location needs SigV4a: {reason}")
            }
            S3Error::InvalidPartNumber(n) => write!(
                f,
                "part number {n} is outside {}..={}",
                super::MIN_PART_NUMBER,
                super::MAX_PART_NUMBER
            ),
            S3Error::InvalidUpload { reason } => write!(f, "invalid multipart upload: {reason}"),
            S3Error::PostPolicy(e) => write!(f, "{e}"),
            S3Error::Sign(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for S3Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            S3Error::Sign(e) => Some(e),
            S3Error::PostPolicy(e) => Some(e),
            _ => None,
        }
    }
}

impl From<sign::Error> for S3Error {
    fn from(e: sign::Error) -> Self {
        S3Error::Sign(e)
    }
}
