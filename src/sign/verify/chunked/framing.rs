//! What the decoder works with: the framing a body declares, the limits
//! it enforces, its errors and steps, and the chunk signature check it
//! calls ([`VerifyChunks`]).

use core::fmt;

use crate::sign::chunked::ChunkSigner;
use crate::sign::constant_time::ct_eq;
use crate::sign::payload::{
    STREAMING_ECDSA_PAYLOAD, STREAMING_ECDSA_PAYLOAD_TRAILER, STREAMING_PAYLOAD,
    STREAMING_PAYLOAD_TRAILER, STREAMING_UNSIGNED_PAYLOAD_TRAILER,
};

/// How an aws-chunked body is framed, from its `x-amz-content-sha256`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkedFraming {
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: signed chunks, no trailer.
    Signed,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed chunks and a signed trailer.
    SignedTrailer,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: plain chunks and an unsigned trailer.
    UnsignedTrailer,
    /// `STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD`: SigV4a-signed chunks.
    EcdsaSigned,
    /// `STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER`: SigV4a-signed
    /// chunks and trailer.
    EcdsaSignedTrailer,
}

impl ChunkedFraming {
    /// The framing an `x-amz-content-sha256` value announces, if it is an
    /// aws-chunked one this decoder reads.
    pub fn from_content_sha256(value: &str) -> Option<Self> {
        match value {
            STREAMING_PAYLOAD => Some(ChunkedFraming::Signed),
            STREAMING_PAYLOAD_TRAILER => Some(ChunkedFraming::SignedTrailer),
            STREAMING_UNSIGNED_PAYLOAD_TRAILER => Some(ChunkedFraming::UnsignedTrailer),
            STREAMING_ECDSA_PAYLOAD => Some(ChunkedFraming::EcdsaSigned),
            STREAMING_ECDSA_PAYLOAD_TRAILER => Some(ChunkedFraming::EcdsaSignedTrailer),
            _ => None,
        }
    }

    /// Whether the chunks carry signatures.
    pub fn is_signed(self) -> bool {
        !matches!(self, ChunkedFraming::UnsignedTrailer)
    }

    /// Whether the signatures are SigV4a's (ECDSA).
    pub fn is_ecdsa(self) -> bool {
        matches!(
            self,
            ChunkedFraming::EcdsaSigned | ChunkedFraming::EcdsaSignedTrailer
        )
    }

    /// Whether trailer headers follow the final chunk.
    pub fn has_trailer(self) -> bool {
        !matches!(self, ChunkedFraming::Signed | ChunkedFraming::EcdsaSigned)
    }
}

/// What checks the chunk signatures of one body: the chain from the seed
/// signature. [`ChunkSigner`] (SigV4) recomputes each signature and
/// compares in constant time.
pub trait VerifyChunks {
    /// Whether `signature` (as the body carries it) signs the next chunk
    /// `data` (empty for the final chunk); moves the chain on.
    fn verify_chunk(&mut self, data: &[u8], signature: &[u8]) -> bool;
    /// Whether `signature` signs the trailer headers after the final chunk.
    fn verify_trailer(&mut self, trailers: &[(&str, &str)], signature: &[u8]) -> bool;
    /// Whether this verifier checks a chunk from the SHA-256 of its data
    /// alone ([`verify_chunk_sha256`](Self::verify_chunk_sha256)). When it
    /// does, the decoder hashes a chunk that arrives in pieces as the pieces
    /// come, instead of in a second pass over the buffered chunk. Default:
    /// no.
    fn verifies_sha256(&self) -> bool {
        false
    }
    /// [`verify_chunk`](Self::verify_chunk) of a chunk whose data has the
    /// SHA-256 `sha256`; called only when
    /// [`verifies_sha256`](Self::verifies_sha256) says so (the default
    /// refuses).
    fn verify_chunk_sha256(&mut self, sha256: &[u8; 32], signature: &[u8]) -> bool {
        let _ = (sha256, signature);
        false
    }
}

impl VerifyChunks for ChunkSigner {
    fn verify_chunk(&mut self, data: &[u8], signature: &[u8]) -> bool {
        ct_eq(self.sign_chunk(data).as_bytes(), signature)
    }
    fn verifies_sha256(&self) -> bool {
        true
    }
    fn verify_chunk_sha256(&mut self, sha256: &[u8; 32], signature: &[u8]) -> bool {
        ct_eq(self.sign_chunk_sha256(sha256).as_bytes(), signature)
    }
    fn verify_trailer(&mut self, trailers: &[(&str, &str)], signature: &[u8]) -> bool {
        ct_eq(self.sign_trailer(trailers).as_bytes(), signature)
    }
}

/// The bounds that keep a malicious body from making the decoder allocate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkedLimits {
    /// The largest chunk accepted (default 16 MiB; the AWS SDKs send 64 KiB
    /// to 1 MiB). A size line above it fails before anything is allocated.
    pub max_chunk_size: usize,
    /// The longest chunk size line or trailer line (default 4 KiB).
    pub max_line: usize,
    /// The most trailer headers (default 16).
    pub max_trailers: usize,
}

impl Default for ChunkedLimits {
    fn default() -> Self {
        ChunkedLimits {
            max_chunk_size: 16 * 1024 * 1024,
            max_line: 4096,
            max_trailers: 16,
        }
    }
}

/// Why an aws-chunked body was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChunkedError {
    /// The framing is broken: what was expected.
    Malformed {
        /// What is wrong.
        reason: &'static str,
        /// The chunk (0-based) it was found in.
        chunk: u64,
    },
    /// A chunk size line above [`ChunkedLimits::max_chunk_size`].
    ChunkTooLarge {
        /// The announced size.
        size: u64,
        /// The limit.
        max: usize,
    },
    /// A line above [`ChunkedLimits::max_line`], or more trailers than allowed.
    LimitExceeded {
        /// Which limit.
        what: &'static str,
    },
    /// A chunk whose signature does not match (its bytes were not yielded).
    ChunkSignatureMismatch {
        /// The chunk (0-based; the final empty chunk counts).
        chunk: u64,
    },
    /// The trailer signature does not match.
    TrailerSignatureMismatch,
    /// The payload is not `x-amz-decoded-content-length` bytes long.
    DecodedLengthMismatch {
        /// The announced length.
        expected: u64,
        /// The length received (so far, when too long).
        actual: u64,
    },
    /// The body ended before the final chunk (and trailer).
    Truncated,
    /// A signed framing without a verifier, or the reverse.
    VerifierMismatch,
}

impl fmt::Display for ChunkedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChunkedError::Malformed { reason, chunk } => {
                write!(f, "malformed aws-chunked body in chunk {chunk}: {reason}")
            }
            ChunkedError::ChunkTooLarge { size, max } => {
                write!(
                    f,
                    "aws-chunked chunk of {size} bytes is over the limit of {max}"
                )
            }
            ChunkedError::LimitExceeded { what } => write!(f, "aws-chunked body: {what}"),
            ChunkedError::ChunkSignatureMismatch { chunk } => {
                write!(f, "the signature of chunk {chunk} does not match")
            }
            ChunkedError::TrailerSignatureMismatch => {
                f.write_str("the trailer signature does not match")
            }
            ChunkedError::DecodedLengthMismatch { expected, actual } => write!(
                f,
                "x-amz-decoded-content-length is {expected} but the body carries {actual} bytes"
            ),
            ChunkedError::Truncated => f.write_str("the aws-chunked body ended early"),
            ChunkedError::VerifierMismatch => f.write_str(
                "signed aws-chunked framings need a chunk verifier, unsigned ones take none",
            ),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ChunkedError {}

/// What one [`ChunkedDecoder::feed`](super::ChunkedDecoder::feed) did.
#[derive(Debug, PartialEq, Eq)]
pub struct ChunkedStep<'a> {
    /// Bytes of the input consumed (feed the rest again).
    pub consumed: usize,
    /// Payload bytes verified and released by this step (often empty).
    pub data: &'a [u8],
}
