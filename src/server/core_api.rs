//! A stand-in for the core's body verifier while it is being written on
//! `main` (`sign::verify::{BodyPolicy, BodyVerifier, BodyError}`), with the
//! same signatures, over the existing `ChunkedDecoder`. Removed when the
//! core's lands.
#![allow(missing_docs, unreachable_pub, dead_code)]

use core::fmt;

use sha2::{Digest, Sha256};

use crate::sign::chunked::ChunkSigner;
use crate::sign::names::{X_AMZ_CONTENT_SHA256, X_AMZ_DECODED_CONTENT_LENGTH};
use crate::sign::verify::{
    ChunkedDecoder, ChunkedError, ChunkedFraming, ChunkedLimits, ChunkedStep, VerifyChunks,
};
use crate::sign::{Error, SignableRequest, SigningParams, Verified};

fn header<'a>(req: &SignableRequest<'a>, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .and_then(|&(_, v)| core::str::from_utf8(v).ok())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyPolicy {
    allow_unsigned: bool,
    limits: ChunkedLimits,
}

impl Default for BodyPolicy {
    fn default() -> Self {
        Self::new()
    }
}

impl BodyPolicy {
    pub fn new() -> Self {
        BodyPolicy {
            allow_unsigned: false,
            limits: ChunkedLimits::default(),
        }
    }
    pub fn allow_unsigned_payload(mut self, allow: bool) -> Self {
        self.allow_unsigned = allow;
        self
    }
    pub fn chunk_limits(mut self, limits: ChunkedLimits) -> Self {
        self.limits = limits;
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    HashMismatch,
    UnsignedPayload,
    Chunked(ChunkedError),
    Request(Error),
}

impl BodyError {
    pub fn s3_code(&self) -> &'static str {
        match self {
            BodyError::HashMismatch => "XAmzContentSHA256Mismatch",
            BodyError::UnsignedPayload => "AccessDenied",
            BodyError::Chunked(ChunkedError::ChunkSignatureMismatch { .. })
            | BodyError::Chunked(ChunkedError::TrailerSignatureMismatch) => "SignatureDoesNotMatch",
            BodyError::Chunked(ChunkedError::Truncated) => "IncompleteBody",
            BodyError::Chunked(_) => "InvalidRequest",
            BodyError::Request(_) => "InvalidRequest",
        }
    }
    pub fn status(&self) -> u16 {
        match self.s3_code() {
            "SignatureDoesNotMatch" | "AccessDenied" => 403,
            _ => 400,
        }
    }
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyError::HashMismatch => f.write_str("the body does not match x-amz-content-sha256"),
            BodyError::UnsignedPayload => f.write_str("unsigned payloads are not accepted"),
            BodyError::Chunked(e) => e.fmt(f),
            BodyError::Request(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for BodyError {}

/// An owned SigV4 chunk chain: one `ChunkSigner` per chunk from the
/// previous signature (the key comes from the process-wide cache).
struct OwnedChain {
    access_key_id: String,
    secret: zeroize::Zeroizing<String>,
    region: String,
    service: String,
    time: crate::sign::SigningTime,
    previous: String,
}

impl OwnedChain {
    fn step(&mut self, f: impl FnOnce(&mut ChunkSigner<'_>) -> bool) -> bool {
        let params = SigningParams::from_keys(
            &self.access_key_id,
            &self.secret,
            None,
            &self.region,
            &self.service,
            self.time,
        );
        let Ok(mut signer) = ChunkSigner::new(&params, &self.previous) else {
            return false;
        };
        let ok = f(&mut signer);
        self.previous = signer.previous_signature().to_string();
        ok
    }
}

impl VerifyChunks for OwnedChain {
    fn verify_chunk(&mut self, data: &[u8], signature: &[u8]) -> bool {
        self.step(|s| s.verify_chunk(data, signature))
    }
    fn verify_trailer(&mut self, trailers: &[(&str, &str)], signature: &[u8]) -> bool {
        self.step(|s| s.verify_trailer(trailers, signature))
    }
}

enum Mode {
    Plain {
        hasher: Sha256,
        expected: Option<String>,
    },
    Chunked(ChunkedDecoder<OwnedChain>),
}

pub struct BodyVerifier {
    mode: Mode,
    scratch: Vec<u8>,
}

impl fmt::Debug for BodyVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BodyVerifier").finish_non_exhaustive()
    }
}

impl BodyVerifier {
    pub fn new(
        req: &SignableRequest<'_>,
        verified: &Verified,
        secret: &str,
        policy: &BodyPolicy,
    ) -> Result<BodyVerifier, BodyError> {
        let stated = header(req, X_AMZ_CONTENT_SHA256).unwrap_or("UNSIGNED-PAYLOAD");
        let mode = if let Some(framing) = ChunkedFraming::from_content_sha256(stated) {
            let chain = match framing {
                ChunkedFraming::UnsignedTrailer => None,
                _ => Some(OwnedChain {
                    access_key_id: verified.access_key_id().to_string(),
                    secret: zeroize::Zeroizing::new(secret.to_string()),
                    region: verified.region().to_string(),
                    service: verified.service().to_string(),
                    time: verified.time(),
                    previous: verified.signature().to_string(),
                }),
            };
            if chain.is_none() && !policy.allow_unsigned {
                return Err(BodyError::UnsignedPayload);
            }
            let mut decoder = ChunkedDecoder::new(framing, chain, policy.limits);
            if let Some(len) = header(req, X_AMZ_DECODED_CONTENT_LENGTH) {
                let len = len.parse().map_err(|_| {
                    BodyError::Request(Error::MalformedSignature {
                        reason: "x-amz-decoded-content-length is not a number",
                    })
                })?;
                decoder = decoder.expect_decoded_len(len);
            }
            Mode::Chunked(decoder)
        } else if stated == "UNSIGNED-PAYLOAD" {
            if !policy.allow_unsigned {
                return Err(BodyError::UnsignedPayload);
            }
            Mode::Plain {
                hasher: Sha256::new(),
                expected: None,
            }
        } else if stated.len() == 64 && stated.bytes().all(|b| b.is_ascii_hexdigit()) {
            Mode::Plain {
                hasher: Sha256::new(),
                expected: Some(stated.to_ascii_lowercase()),
            }
        } else {
            return Err(BodyError::HashMismatch);
        };
        Ok(BodyVerifier {
            mode,
            scratch: Vec::new(),
        })
    }

    pub fn feed(&mut self, input: &[u8]) -> Result<ChunkedStep<'_>, BodyError> {
        match &mut self.mode {
            Mode::Plain { hasher, .. } => {
                hasher.update(input);
                self.scratch.clear();
                self.scratch.extend_from_slice(input);
                Ok(ChunkedStep {
                    consumed: input.len(),
                    data: &self.scratch,
                })
            }
            Mode::Chunked(d) => d.feed(input).map_err(BodyError::Chunked),
        }
    }

    pub fn finish(&mut self) -> Result<(), BodyError> {
        match &mut self.mode {
            Mode::Plain { hasher, expected } => match expected {
                Some(e) => {
                    let got = hex::encode(hasher.clone().finalize());
                    if &got == e {
                        Ok(())
                    } else {
                        Err(BodyError::HashMismatch)
                    }
                }
                None => Ok(()),
            },
            Mode::Chunked(d) => d.finish().map_err(BodyError::Chunked),
        }
    }
}
