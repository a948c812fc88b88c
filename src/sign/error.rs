//! The signing core's error type.

use alloc::string::String;
use core::fmt;

/// Everything that can go wrong while signing or verifying a request.
///
/// Each variant names the offending input, never a secret. Under `std` this
/// implements [`std::error::Error`] (through [`core::error::Error`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The HTTP method is empty or contains characters outside the RFC 9110 token set.
    InvalidMethod,
    /// The URI could not be split into authority, path and query.
    InvalidUri {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The request has no `host` header and no authority to derive one from.
    MissingHost,
    /// A header name is empty or contains characters outside the token set.
    InvalidHeaderName {
        /// Position of the header in the input (0-based).
        index: usize,
    },
    /// A header value is not UTF-8 or contains control characters.
    InvalidHeaderValue {
        /// The header's name, lowercased.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A precomputed payload hash is not 64 lowercase hex digits.
    InvalidPayloadHash,
    /// The presign expiry is outside 1 second ..= 7 days (604800 seconds).
    InvalidExpiry {
        /// The rejected value in seconds.
        seconds: u64,
    },
    /// The signing time cannot be rendered as `YYYYMMDD'T'HHMMSS'Z'` (year outside 0000..=9999).
    InvalidTime,
    /// Region, service or access key id is empty or contains `/`, whitespace or control characters.
    InvalidScope {
        /// Which part: `"region"`, `"service"` or `"access key id"`.
        part: &'static str,
    },
    /// The session token contains characters that cannot be sent in a header.
    InvalidSessionToken,
    /// The caller's `x-amz-content-sha256` header and the payload it chose
    /// state different hashes: the request would contradict its signature.
    PayloadHashConflict {
        /// The header's value.
        header: String,
        /// The chosen payload's hash (or marker).
        payload: String,
    },
    /// The caller's `x-amz-security-token` header holds another session
    /// token than the signing parameters (neither is shown).
    SessionTokenConflict,
    /// A signing header appears more than once with different values.
    ConflictingHeaders {
        /// The header's name.
        name: &'static str,
    },
    /// An `Authorization` header or presigned query could not be parsed (verification).
    MalformedSignature {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The signature does not match (verification).
    SignatureMismatch,
    /// The access key id is not known to the verifier.
    UnknownAccessKey,
    /// The signature's credential scope names a region or service the
    /// verifier does not accept (verification).
    WrongScope {
        /// Which part: `"region"` or `"service"`.
        part: &'static str,
    },
    /// The request carries no signature at all: no `Authorization` header
    /// and no `X-Amz-Signature`/`X-Amz-Credential` (verification; S3
    /// answers an anonymous request to a private resource `AccessDenied`).
    NotSigned,
    /// A presigned request is used outside its validity window (verification).
    Expired,
    /// A header-signed request's signing time is further from the
    /// verifier's clock than the allowed skew (verification; S3's
    /// `RequestTimeTooSkewed`).
    RequestTimeTooSkewed,
    /// The body's SHA-256 is not the `x-amz-content-sha256` the client
    /// signed (verification; S3's `XAmzContentSHA256Mismatch`).
    PayloadHashMismatch,
    /// The request carries an `x-amz-*` header its signature does not
    /// cover, and the verifier requires them all signed (as S3 does).
    HeaderNotSigned {
        /// The header's name, lowercase.
        name: String,
    },
    /// No SigV4a key could be derived from these credentials (the
    /// derivation's counter ran out; practically impossible).
    KeyDerivation,
    /// An aws-chunked chunk size below 8 KiB, or a body that does not match its layout.
    InvalidChunkSize {
        /// The rejected size in bytes.
        size: usize,
    },
    /// A checksum algorithm name other than `CRC32`, `CRC32C`, `CRC64NVME`,
    /// `SHA1` and `SHA256`.
    UnknownChecksumAlgorithm,
    /// A checksum value that is not the padded base64 of a digest of the
    /// algorithm's length.
    InvalidChecksum {
        /// The algorithm (`CRC32`...).
        algorithm: &'static str,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidMethod => f.write_str("invalid HTTP method: must be a non-empty token"),
            Error::InvalidUri { reason } => write!(f, "invalid URI: {reason}"),
            Error::MissingHost => {
                f.write_str("request has no host: set a `host` header or use an absolute URI")
            }
            Error::InvalidHeaderName { index } => {
                write!(
                    f,
                    "invalid header name at position {index}: must be a non-empty token"
                )
            }
            Error::InvalidHeaderValue { name, reason } => {
                write!(f, "invalid value for header `{name}`: {reason}")
            }
            Error::InvalidPayloadHash => {
                f.write_str("invalid payload hash: expected 64 lowercase hex digits")
            }
            Error::InvalidExpiry { seconds } => write!(
                f,
                "invalid presign expiry {seconds}s: must be between 1 second and 7 days (604800s)"
            ),
            Error::InvalidTime => f.write_str("signing time is outside the years 0000..=9999"),
            Error::InvalidScope { part } => write!(
                f,
                "invalid {part}: must be non-empty without `/`, whitespace or control characters"
            ),
            Error::InvalidSessionToken => {
                f.write_str("session token contains characters not allowed in a header value")
            }
            Error::MalformedSignature { reason } => write!(f, "malformed signature: {reason}"),
            Error::SignatureMismatch => f.write_str("signature does not match"),
            Error::UnknownAccessKey => f.write_str("unknown access key id"),
            Error::PayloadHashConflict { header, payload } => write!(
                f,
                "x-amz-content-sha256 is {header:?} but the payload to sign is {payload:?}: set one of them, or make them agree"
            ),
            Error::SessionTokenConflict => f.write_str(
                "the request's x-amz-security-token header holds another session token than the credentials",
            ),
            Error::ConflictingHeaders { name } => {
                write!(f, "the request has several different {name} headers")
            }
            Error::WrongScope { part } => {
                write!(f, "the signature is scoped to another {part} than this server's")
            }
            Error::Expired => f.write_str("the presigned URL is expired or not yet valid"),
            Error::NotSigned => f.write_str(
                "the request is not signed: no authorization header or X-Amz-Signature",
            ),
            Error::HeaderNotSigned { name } => {
                write!(f, "the request's {name} header is not signed")
            }
            Error::PayloadHashMismatch => {
                f.write_str("the body's SHA-256 does not match x-amz-content-sha256")
            }
            Error::RequestTimeTooSkewed => f.write_str(
                "the request's signing time is outside the allowed clock skew of the server's clock",
            ),
            Error::KeyDerivation => {
                f.write_str("no SigV4a key could be derived from these credentials")
            }
            Error::InvalidChunkSize { size } => write!(
                f,
                "invalid aws-chunked size {size}: chunks must be at least 8192 bytes and the body must match the declared length"
            ),
            Error::UnknownChecksumAlgorithm => f.write_str(
                "unknown checksum algorithm: expected CRC32, CRC32C, CRC64NVME, SHA1 or SHA256",
            ),
            Error::InvalidChecksum { algorithm } => write!(
                f,
                "invalid {algorithm} checksum: expected the base64 of its digest"
            ),
        }
    }
}

impl core::error::Error for Error {}
