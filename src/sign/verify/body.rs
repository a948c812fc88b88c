//! The body of a verified request, checked as it streams in:
//! [`BodyVerifier`] (feature `std`, for the checksums).
//!
//! After [`verify`](super::verify) has accepted a request's headers (with
//! [`Payload::Unsigned`](crate::sign::Payload::Unsigned): the body has not
//! arrived yet), the body must still prove what the signature claims about
//! it. What it must prove comes from the request:
//!
//! | `x-amz-content-sha256` | the body |
//! | --- | --- |
//! | 64 hex digits | hashed as it streams; the hash is compared after the last byte ([`BodyError::PayloadHashMismatch`]) |
//! | `UNSIGNED-PAYLOAD`, or none on a presigned request | taken as it is, if the [`BodyPolicy`] allows unsigned payloads |
//! | `STREAMING-*` | decoded as aws-chunked by a [`ChunkedDecoder`], each chunk's signature checked before its bytes are released; `x-amz-decoded-content-length` enforced |
//!
//! and in every case an `x-amz-checksum-*` header, or the checksum trailer
//! named by `x-amz-trailer`, is checked against the payload at the end
//! ([`BodyError::ChecksumMismatch`]). A handler must not commit anything
//! before [`finish`](BodyVerifier::finish) succeeds.
//!
//! ```
//! use sigv4::sign::chunked::{ChunkSigner, ChunkedLayout};
//! use sigv4::sign::{sign_headers, Payload, SignableRequest, SigningParams, SigningTime};
//! use sigv4::sign::verify::{verify, BodyPolicy, BodyVerifier, VerifyOptions};
//! use sigv4::Credentials;
//!
//! let now = SigningTime::parse_amz_date("20130524T000000Z")?;
//! let credentials = Credentials::new("AKIAIOSFODNN7EXAMPLE", "secret");
//! let params = SigningParams::new(&credentials, "us-east-1", "s3", now);
//! // The client: a signed aws-chunked PUT.
//! let body = b"hello, chunked world";
//! let layout = ChunkedLayout::new(body.len() as u64, 8192)?;
//! let lengths = layout.headers();
//! let req = SignableRequest::new("PUT", "https://bucket.s3.amazonaws.com/key")?
//!     .headers(lengths.iter().map(|(n, v)| (*n, v.as_str())))
//!     .payload(Payload::StreamingSigned);
//! let seed = sign_headers(&req, &params)?;
//! let wire = layout.encode(body, &mut ChunkSigner::new(&params, seed.signature())?, None)?;
//!
//! // The server: headers first, then the body as it arrives.
//! let received = req.clone().headers(seed.headers()).payload(Payload::Unsigned);
//! let lookup = |_: &str| Some("secret");
//! let verified = verify(&received, lookup, &VerifyOptions::new(now))?;
//! let mut checker = BodyVerifier::new(&received, &verified, "secret", &BodyPolicy::new())?;
//! let mut payload = Vec::new();
//! let mut input = &wire[..];
//! while !input.is_empty() {
//!     let step = checker.feed(input)?;
//!     payload.extend_from_slice(step.data);
//!     input = &input[step.consumed..];
//! }
//! checker.finish()?;
//! assert_eq!(payload, body);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use sha2::{Digest, Sha256};

use super::chunked::{ChunkedDecoder, ChunkedError, ChunkedFraming, ChunkedLimits, ChunkedStep};
use super::{header_count, header_value, Verified};
use crate::sign::checksum::{Checksum, ChecksumAlgorithm, ChecksumValue};
use crate::sign::chunked::ChunkSigner;
use crate::sign::names::{X_AMZ_CONTENT_SHA256, X_AMZ_DECODED_CONTENT_LENGTH, X_AMZ_TRAILER};
use crate::sign::payload::UNSIGNED_PAYLOAD;
use crate::sign::{SignableRequest, SigningParams};

/// What a server accepts of request bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyPolicy {
    allow_unsigned_payload: bool,
    limits: ChunkedLimits,
}

impl Default for BodyPolicy {
    fn default() -> Self {
        Self::new()
    }
}

impl BodyPolicy {
    /// Signed payloads only (no `UNSIGNED-PAYLOAD`), the default chunk limits.
    pub const fn new() -> Self {
        BodyPolicy {
            allow_unsigned_payload: false,
            limits: ChunkedLimits {
                max_chunk_size: 16 * 1024 * 1024,
                max_line: 4096,
                max_trailers: 16,
            },
        }
    }

    /// Accepts `UNSIGNED-PAYLOAD` (and presigned requests, whose payload is
    /// never signed): the body is then taken on TLS's word.
    pub const fn allow_unsigned_payload(mut self, allow: bool) -> Self {
        self.allow_unsigned_payload = allow;
        self
    }

    /// The bounds of aws-chunked decoding.
    pub const fn chunk_limits(mut self, limits: ChunkedLimits) -> Self {
        self.limits = limits;
        self
    }
}

/// Why a body was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyError {
    /// The body's SHA-256 is not `x-amz-content-sha256`.
    PayloadHashMismatch,
    /// `UNSIGNED-PAYLOAD` where the policy requires a signed payload.
    UnsignedPayloadNotAllowed,
    /// A header-signed request without `x-amz-content-sha256`: its body
    /// is part of the signature itself, so it must be read in full and
    /// verified with [`Payload::Bytes`](crate::sign::Payload::Bytes).
    MissingContentSha256,
    /// A body-describing header is missing, repeated or unreadable.
    InvalidHeader {
        /// The header.
        name: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// The aws-chunked body is refused.
    Chunked(ChunkedError),
    /// A checksum header or trailer does not match the payload.
    ChecksumMismatch {
        /// The algorithm (`CRC32`, `SHA256`, ...).
        algorithm: ChecksumAlgorithm,
    },
    /// A checksum value is not the base64 of a digest of its algorithm.
    InvalidChecksum {
        /// The header or trailer name.
        name: String,
    },
    /// A trailer `x-amz-trailer` announced did not come, or one it did not
    /// announce did.
    TrailerMismatch {
        /// The trailer's name.
        name: String,
    },
    /// A SigV4a-signed aws-chunked body, in a build without `sigv4a`.
    Sigv4aUnavailable,
}

impl BodyError {
    /// The S3 error code for the client.
    pub fn s3_code(&self) -> &'static str {
        match self {
            BodyError::PayloadHashMismatch => "XAmzContentSHA256Mismatch",
            BodyError::UnsignedPayloadNotAllowed => "AccessDenied",
            BodyError::MissingContentSha256
            | BodyError::InvalidHeader { .. }
            | BodyError::InvalidChecksum { .. }
            | BodyError::TrailerMismatch { .. } => "InvalidRequest",
            BodyError::ChecksumMismatch { .. } => "BadDigest",
            BodyError::Sigv4aUnavailable => "NotImplemented",
            BodyError::Chunked(e) => match e {
                ChunkedError::ChunkSignatureMismatch { .. }
                | ChunkedError::TrailerSignatureMismatch => "SignatureDoesNotMatch",
                ChunkedError::DecodedLengthMismatch { .. } | ChunkedError::Truncated => {
                    "IncompleteBody"
                }
                ChunkedError::ChunkTooLarge { .. } => "InvalidChunkSizeError",
                _ => "InvalidRequest",
            },
        }
    }

    /// The HTTP status S3 answers with.
    pub fn status(&self) -> u16 {
        match self.s3_code() {
            "NotImplemented" => 501,
            code => super::rejection::s3_status(code),
        }
    }
}

impl From<ChunkedError> for BodyError {
    fn from(e: ChunkedError) -> Self {
        BodyError::Chunked(e)
    }
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyError::PayloadHashMismatch => {
                f.write_str("the body's SHA-256 does not match x-amz-content-sha256")
            }
            BodyError::UnsignedPayloadNotAllowed => {
                f.write_str("UNSIGNED-PAYLOAD is not accepted here: sign the payload")
            }
            BodyError::MissingContentSha256 => f.write_str(
                "no x-amz-content-sha256: the body must be read in full to verify the signature",
            ),
            BodyError::InvalidHeader { name, reason } => write!(f, "{name}: {reason}"),
            BodyError::Chunked(e) => fmt::Display::fmt(e, f),
            BodyError::ChecksumMismatch { algorithm } => {
                write!(f, "the {algorithm} checksum does not match the payload")
            }
            BodyError::InvalidChecksum { name } => {
                write!(f, "{name} is not a valid checksum value")
            }
            BodyError::TrailerMismatch { name } => {
                write!(f, "the trailer {name} does not match x-amz-trailer")
            }
            BodyError::Sigv4aUnavailable => {
                f.write_str("SigV4a aws-chunked bodies need the `sigv4a` feature")
            }
        }
    }
}

impl std::error::Error for BodyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BodyError::Chunked(e) => Some(e),
            _ => None,
        }
    }
}

/// The chunk signature chain of either algorithm.
enum Chain {
    V4(ChunkSigner),
    #[cfg(feature = "sigv4a")]
    V4a(crate::sign::v4a::chunked::ChunkVerifier),
}

impl super::VerifyChunks for Chain {
    fn verify_chunk(&mut self, data: &[u8], signature: &[u8]) -> bool {
        match self {
            Chain::V4(c) => c.verify_chunk(data, signature),
            #[cfg(feature = "sigv4a")]
            Chain::V4a(c) => c.verify_chunk(data, signature),
        }
    }
    fn verifies_sha256(&self) -> bool {
        true
    }
    fn verify_chunk_sha256(&mut self, sha256: &[u8; 32], signature: &[u8]) -> bool {
        match self {
            Chain::V4(c) => c.verify_chunk_sha256(sha256, signature),
            #[cfg(feature = "sigv4a")]
            Chain::V4a(c) => c.verify_chunk_sha256(sha256, signature),
        }
    }
    fn verify_trailer(&mut self, trailers: &[(&str, &str)], signature: &[u8]) -> bool {
        match self {
            Chain::V4(c) => c.verify_trailer(trailers, signature),
            #[cfg(feature = "sigv4a")]
            Chain::V4a(c) => c.verify_trailer(trailers, signature),
        }
    }
}

enum Mode {
    /// A plain body whose SHA-256 was signed.
    Hashed { hasher: Sha256, expected: [u8; 32] },
    /// A plain body taken as it is.
    Unsigned,
    /// aws-chunked (boxed: the decoder holds its buffers and signature).
    Chunked(Box<ChunkedDecoder<Chain>>),
}

/// The streaming checker of one request body (see the [module docs](self)).
pub struct BodyVerifier {
    mode: Mode,
    /// The checksum to compare at the end: from a header (`Some(value)`)
    /// or from the trailer (`None`, then read from the decoder).
    checksum: Option<(Checksum, Option<ChecksumValue>)>,
    /// The trailer names `x-amz-trailer` announced, lowercase.
    trailers: Vec<String>,
}

impl fmt::Debug for BodyVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = match &self.mode {
            Mode::Hashed { .. } => "sha256",
            Mode::Unsigned => "unsigned",
            Mode::Chunked(_) => "aws-chunked",
        };
        f.debug_struct("BodyVerifier")
            .field("mode", &mode)
            .field(
                "checksum",
                &self.checksum.as_ref().map(|(c, _)| c.algorithm()),
            )
            .field("trailers", &self.trailers)
            .finish()
    }
}

fn invalid(name: &'static str, reason: &'static str) -> BodyError {
    BodyError::InvalidHeader { name, reason }
}

/// The one value of header `name`, if present; repeated is an error.
fn single<'a>(req: &SignableRequest<'a>, name: &'static str) -> Result<Option<&'a str>, BodyError> {
    if header_count(req, name) > 1 {
        return Err(invalid(name, "repeated"));
    }
    Ok(header_value(req, name).map(str::trim))
}

impl BodyVerifier {
    /// The checker of the body of `req` (as received, headers only),
    /// which `verified` accepted, signed with `secret`.
    pub fn new(
        req: &SignableRequest<'_>,
        verified: &Verified,
        secret: &str,
        policy: &BodyPolicy,
    ) -> Result<Self, BodyError> {
        let content_sha256 = single(req, X_AMZ_CONTENT_SHA256)?;
        let mut trailers = Vec::new();
        let mode = match content_sha256 {
            None | Some(UNSIGNED_PAYLOAD) => {
                if content_sha256.is_none() && !verified.is_presigned() {
                    return Err(BodyError::MissingContentSha256);
                }
                if !policy.allow_unsigned_payload {
                    return Err(BodyError::UnsignedPayloadNotAllowed);
                }
                Mode::Unsigned
            }
            Some(value) => match ChunkedFraming::from_content_sha256(value) {
                Some(framing) => {
                    let decoded: u64 = single(req, X_AMZ_DECODED_CONTENT_LENGTH)?
                        .ok_or(invalid(X_AMZ_DECODED_CONTENT_LENGTH, "missing"))?
                        .parse()
                        .map_err(|_| invalid(X_AMZ_DECODED_CONTENT_LENGTH, "not a number"))?;
                    if framing.has_trailer() {
                        let names =
                            single(req, X_AMZ_TRAILER)?.ok_or(invalid(X_AMZ_TRAILER, "missing"))?;
                        trailers = names
                            .split(',')
                            .map(|n| n.trim().to_ascii_lowercase())
                            .filter(|n| !n.is_empty())
                            .collect();
                    }
                    let chain = if framing.is_signed() {
                        Some(chain(framing, verified, secret)?)
                    } else {
                        None
                    };
                    Mode::Chunked(Box::new(
                        ChunkedDecoder::new(framing, chain, policy.limits)
                            .expect_decoded_len(decoded),
                    ))
                }
                None => {
                    let mut expected = [0u8; 32];
                    hex::decode_to_slice(value, &mut expected)
                        .ok()
                        .filter(|()| value.bytes().all(|b| !b.is_ascii_uppercase()))
                        .ok_or(invalid(
                            X_AMZ_CONTENT_SHA256,
                            "not a SHA-256 or a known marker",
                        ))?;
                    Mode::Hashed {
                        hasher: Sha256::new(),
                        expected,
                    }
                }
            },
        };
        let checksum = checksum_rule(req, &trailers)?;
        Ok(BodyVerifier {
            mode,
            checksum,
            trailers,
        })
    }

    /// Consumes bytes from `input` and releases checked payload bytes, as
    /// [`ChunkedDecoder::feed`] does: call again with
    /// `&input[step.consumed..]` while that is not empty. A plain body's
    /// bytes are released as they come; only [`finish`](Self::finish)
    /// says whether they were the signed ones.
    pub fn feed<'a>(&'a mut self, input: &'a [u8]) -> Result<ChunkedStep<'a>, BodyError> {
        let step = match &mut self.mode {
            Mode::Hashed { hasher, .. } => {
                hasher.update(input);
                ChunkedStep {
                    consumed: input.len(),
                    data: input,
                }
            }
            Mode::Unsigned => ChunkedStep {
                consumed: input.len(),
                data: input,
            },
            Mode::Chunked(decoder) => decoder.feed(input)?,
        };
        if let Some((c, _)) = &mut self.checksum {
            c.update(step.data);
        }
        Ok(step)
    }

    /// Ends the body: an error unless it is complete and everything it
    /// claimed holds (hash, chunk signatures, length, trailers, checksum).
    pub fn finish(&mut self) -> Result<(), BodyError> {
        if let Mode::Hashed { hasher, expected } = &mut self.mode {
            let got: [u8; 32] = core::mem::take(hasher).finalize().into();
            if got != *expected {
                return Err(BodyError::PayloadHashMismatch);
            }
        }
        let mut trailer_checksum = None;
        if let Mode::Chunked(decoder) = &self.mode {
            decoder.finish()?;
            for (name, _) in decoder.trailers() {
                if !self.trailers.iter().any(|t| t == name) {
                    return Err(BodyError::TrailerMismatch { name: name.into() });
                }
            }
            for name in &self.trailers {
                let value = decoder.trailers().find(|(n, _)| n == name).map(|(_, v)| v);
                let Some(value) = value else {
                    return Err(BodyError::TrailerMismatch { name: name.clone() });
                };
                if let Some(algorithm) = ChecksumAlgorithm::from_header_name(name) {
                    trailer_checksum = Some(parse_checksum(algorithm, name, value)?);
                }
            }
        }
        if let Some((checksum, from_header)) = self.checksum.take() {
            let algorithm = checksum.algorithm();
            let got = checksum.finalize();
            let expected = from_header.or(trailer_checksum);
            if expected.is_some_and(|e| e.digest() != got.digest()) {
                return Err(BodyError::ChecksumMismatch { algorithm });
            }
        }
        Ok(())
    }
}

/// The chunk signature chain for a verified request.
fn chain(framing: ChunkedFraming, verified: &Verified, secret: &str) -> Result<Chain, BodyError> {
    let wrong = |_| {
        invalid(
            X_AMZ_CONTENT_SHA256,
            "does not match the signature's algorithm",
        )
    };
    if framing.is_ecdsa() != verified.is_sigv4a() {
        return Err(wrong(()));
    }
    if framing.is_ecdsa() {
        #[cfg(feature = "sigv4a")]
        {
            let key = crate::sign::v4a::EcdsaKey::derive(verified.access_key_id(), secret)
                .map_err(|_| BodyError::Sigv4aUnavailable)?;
            return Ok(Chain::V4a(crate::sign::v4a::chunked::ChunkVerifier::new(
                key.public_key(),
                verified.time(),
                verified.service(),
                verified.signature(),
            )));
        }
        #[cfg(not(feature = "sigv4a"))]
        return Err(BodyError::Sigv4aUnavailable);
    }
    let params = SigningParams::from_keys(
        verified.access_key_id(),
        secret,
        None,
        verified.region(),
        verified.service(),
        verified.time(),
        crate::sign::SigningSettings::for_service(verified.service()),
    );
    ChunkSigner::new(&params, verified.signature())
        .map(Chain::V4)
        .map_err(|_| invalid("authorization", "the seed signature is not 64 hex digits"))
}

fn parse_checksum(
    algorithm: ChecksumAlgorithm,
    name: &str,
    value: &str,
) -> Result<ChecksumValue, BodyError> {
    ChecksumValue::from_base64(algorithm, value)
        .map_err(|_| BodyError::InvalidChecksum { name: name.into() })
}

/// The checksum the body must match: one `x-amz-checksum-*` header, or the
/// one checksum trailer announced. More than one is refused, as S3 does.
fn checksum_rule(
    req: &SignableRequest<'_>,
    trailers: &[String],
) -> Result<Option<(Checksum, Option<ChecksumValue>)>, BodyError> {
    let mut found: Option<(Checksum, Option<ChecksumValue>)> = None;
    let too_many = invalid("x-amz-checksum-*", "more than one checksum");
    for algorithm in ChecksumAlgorithm::ALL {
        let name = algorithm.header_name();
        let in_trailer = trailers.iter().any(|t| t == name);
        let header = single(req, name)?;
        let value = match (header, in_trailer) {
            (None, false) => continue,
            (Some(_), true) => return Err(too_many),
            (Some(v), false) => Some(parse_checksum(algorithm, name, v)?),
            (None, true) => None,
        };
        if found.is_some() {
            return Err(too_many);
        }
        found = Some((Checksum::new(algorithm), value));
    }
    Ok(found)
}

#[cfg(test)]
mod tests;
