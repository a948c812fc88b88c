//! Payload hash: the last line of the canonical request.

use super::Error;
use sha2::{Digest, Sha256};

/// SHA-256 of the empty string, hex: the payload hash of a request without body.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// Literal payload hash for a body that is not signed (S3 and presigned URLs).
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// aws-chunked body whose chunks are each signed.
pub const STREAMING_PAYLOAD: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
/// aws-chunked body with signed chunks and a signed trailer.
pub const STREAMING_PAYLOAD_TRAILER: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
/// aws-chunked body with unsigned chunks and an unsigned trailer (checksum).
pub const STREAMING_UNSIGNED_PAYLOAD_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
/// aws-chunked body whose chunks are each signed with SigV4a (ECDSA).
pub const STREAMING_ECDSA_PAYLOAD: &str = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD";
/// aws-chunked body with SigV4a-signed chunks and a SigV4a-signed trailer.
pub const STREAMING_ECDSA_PAYLOAD_TRAILER: &str =
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER";

/// The literal payload markers: the body is not hashed into the signature.
pub const STREAMING_MARKERS: &[&str] = &[
    UNSIGNED_PAYLOAD,
    STREAMING_PAYLOAD,
    STREAMING_PAYLOAD_TRAILER,
    STREAMING_UNSIGNED_PAYLOAD_TRAILER,
    STREAMING_ECDSA_PAYLOAD,
    STREAMING_ECDSA_PAYLOAD_TRAILER,
];

/// What the signature says about the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Payload<'a> {
    /// The body itself: its SHA-256 is computed.
    Bytes(&'a [u8]),
    /// A SHA-256 computed elsewhere, as 64 lowercase hex digits.
    Precomputed(&'a str),
    /// `UNSIGNED-PAYLOAD`.
    Unsigned,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` (aws-chunked, signed chunks).
    StreamingSigned,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER` (signed chunks and trailer).
    StreamingSignedTrailer,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER` (unsigned chunks, trailing checksum).
    StreamingUnsignedTrailer,
    /// `STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD` (aws-chunked, SigV4a-signed
    /// chunks: `sign::v4a::chunked`).
    StreamingEcdsaSigned,
    /// `STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER` (SigV4a-signed
    /// chunks and trailer).
    StreamingEcdsaSignedTrailer,
}

impl Payload<'_> {
    /// An empty body.
    pub const EMPTY: Payload<'static> = Payload::Bytes(b"");

    /// Resolves the hash text: hashes bytes, validates precomputed hex.
    pub fn resolve(&self) -> Result<PayloadHash, Error> {
        Ok(match *self {
            Payload::Bytes([]) => PayloadHash::Literal(EMPTY_SHA256),
            Payload::Bytes(b) => PayloadHash::from_digest(&Sha256::digest(b).into()),
            Payload::Precomputed(h) => {
                let ok = h.len() == 64 && h.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'));
                if !ok {
                    return Err(Error::InvalidPayloadHash);
                }
                let mut buf = [0u8; 64];
                buf.copy_from_slice(h.as_bytes());
                PayloadHash::Hex(buf)
            }
            Payload::Unsigned => PayloadHash::Literal(UNSIGNED_PAYLOAD),
            Payload::StreamingSigned => PayloadHash::Literal(STREAMING_PAYLOAD),
            Payload::StreamingSignedTrailer => PayloadHash::Literal(STREAMING_PAYLOAD_TRAILER),
            Payload::StreamingUnsignedTrailer => {
                PayloadHash::Literal(STREAMING_UNSIGNED_PAYLOAD_TRAILER)
            }
            Payload::StreamingEcdsaSigned => PayloadHash::Literal(STREAMING_ECDSA_PAYLOAD),
            Payload::StreamingEcdsaSignedTrailer => {
                PayloadHash::Literal(STREAMING_ECDSA_PAYLOAD_TRAILER)
            }
        })
    }
}

/// A resolved payload hash: 64 hex digits or one of the literal markers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PayloadHash {
    /// Lowercase hex SHA-256.
    Hex([u8; 64]),
    /// A literal such as `UNSIGNED-PAYLOAD`, or the empty-body hash.
    Literal(&'static str),
}

impl PayloadHash {
    /// The hash an `x-amz-content-sha256` value states: 64 lowercase hex
    /// digits or one of the [literal markers](STREAMING_MARKERS).
    pub fn parse(value: &str) -> Result<Self, Error> {
        if let Some(marker) = STREAMING_MARKERS.iter().find(|m| **m == value) {
            return Ok(PayloadHash::Literal(marker));
        }
        Payload::Precomputed(value).resolve()
    }

    /// Lowercase hex of a SHA-256 digest.
    pub fn from_digest(digest: &[u8; 32]) -> Self {
        PayloadHash::Hex(super::lower_hex::hex32(digest))
    }

    /// The text written into the canonical request and `x-amz-content-sha256`.
    pub fn as_str(&self) -> &str {
        match self {
            // Only ever filled with ASCII hex digits.
            PayloadHash::Hex(b) => core::str::from_utf8(b).unwrap_or(EMPTY_SHA256),
            PayloadHash::Literal(s) => s,
        }
    }
}

impl core::fmt::Debug for PayloadHash {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_resolve_to_their_text() {
        assert_eq!(Payload::EMPTY.resolve().unwrap().as_str(), EMPTY_SHA256);
        assert_eq!(
            Payload::Bytes(b"Param1=value1").resolve().unwrap().as_str(),
            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"
        );
        assert_eq!(
            Payload::Unsigned.resolve().unwrap().as_str(),
            "UNSIGNED-PAYLOAD"
        );
        assert_eq!(
            Payload::StreamingSigned.resolve().unwrap().as_str(),
            STREAMING_PAYLOAD
        );
        assert_eq!(
            Payload::StreamingSignedTrailer.resolve().unwrap().as_str(),
            STREAMING_PAYLOAD_TRAILER
        );
        assert_eq!(
            Payload::StreamingUnsignedTrailer
                .resolve()
                .unwrap()
                .as_str(),
            STREAMING_UNSIGNED_PAYLOAD_TRAILER
        );
        assert_eq!(
            Payload::Precomputed(EMPTY_SHA256)
                .resolve()
                .unwrap()
                .as_str(),
            EMPTY_SHA256
        );
    }

    #[test]
    fn precomputed_must_be_lowercase_hex() {
        for bad in [
            "",
            "abc",
            &EMPTY_SHA256.to_ascii_uppercase(),
            &EMPTY_SHA256[1..],
            "g".repeat(64).as_str(),
        ] {
            assert_eq!(
                Payload::Precomputed(bad).resolve(),
                Err(Error::InvalidPayloadHash),
                "{bad}"
            );
        }
    }
}
