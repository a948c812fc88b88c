//! Streaming verification of aws-chunked bodies: [`ChunkedDecoder`] takes
//! the body as it arrives, in pieces of any size, and yields the payload
//! one verified chunk at a time.
//!
//! - Framings ([`ChunkedFraming`]): `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`
//!   (signed chunks), `...-PAYLOAD-TRAILER` (signed chunks, signed trailer)
//!   and `STREAMING-UNSIGNED-PAYLOAD-TRAILER` (plain chunks, unsigned trailer).
//! - Each chunk's signature is checked against the chain started by the
//!   seed signature (the request's own) before any of its bytes are
//!   yielded: a bad chunk yields nothing. The final empty chunk's
//!   signature is checked too, and the trailer signature chains from it, as
//!   the AWS specification says.
//! - Memory is bounded: one chunk (at most [`ChunkedLimits::max_chunk_size`],
//!   refused from its size line before anything is allocated), one line,
//!   and the trailer headers (bounded in count and size).
//! - With [`expect_decoded_len`](ChunkedDecoder::expect_decoded_len)
//!   (`x-amz-decoded-content-length`), a body that would exceed it fails at
//!   once, and one that ends short fails in [`finish`](ChunkedDecoder::finish).
//!
//! The decoder is sans-IO and `no_std`: feed it bytes, get payload slices.
//!
//! ```
//! use sigv4::sign::chunked::{ChunkSigner, ChunkedLayout};
//! use sigv4::sign::verify::{ChunkedDecoder, ChunkedFraming, ChunkedLimits};
//! use sigv4::sign::{SigningParams, SigningTime};
//! use sigv4::Credentials;
//!
//! let credentials = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
//! let params = SigningParams::new(&credentials, "us-east-1", "s3", SigningTime::parse_amz_date("20130524T000000Z")?);
//! // The seed: the signature of the request's headers (verified first, e.g. with `verify`).
//! let seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
//! let body = ChunkedLayout::new(66_560, 65_536)?.encode(&vec![b'a'; 66_560], &mut ChunkSigner::new(&params, seed)?, None)?;
//!
//! // The server: the same parameters (secret looked up by access key id), the same seed.
//! let mut decoder = ChunkedDecoder::new(ChunkedFraming::Signed, Some(ChunkSigner::new(&params, seed)?), ChunkedLimits::default())
//!     .expect_decoded_len(66_560);
//! let mut payload = Vec::new();
//! for piece in body.chunks(1000) {          // as it arrives from the network
//!     let mut input = piece;
//!     while !input.is_empty() {
//!         let step = decoder.feed(input)?;
//!         payload.extend_from_slice(step.data);  // verified bytes only
//!         input = &input[step.consumed..];
//!     }
//! }
//! decoder.finish()?;
//! assert_eq!(payload, vec![b'a'; 66_560]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::sign::chunked::ChunkSigner;
use crate::sign::constant_time::ct_eq;
use crate::sign::payload::{
    STREAMING_ECDSA_PAYLOAD, STREAMING_ECDSA_PAYLOAD_TRAILER, STREAMING_PAYLOAD,
    STREAMING_PAYLOAD_TRAILER, STREAMING_UNSIGNED_PAYLOAD_TRAILER,
};
use sha2::{Digest, Sha256};

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

/// What one [`ChunkedDecoder::feed`] did.
#[derive(Debug, PartialEq, Eq)]
pub struct ChunkedStep<'a> {
    /// Bytes of the input consumed (feed the rest again).
    pub consumed: usize,
    /// Payload bytes verified and released by this step (often empty).
    pub data: &'a [u8],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading `hex[;chunk-signature=sig]\r\n`.
    SizeLine,
    /// Reading the chunk's bytes.
    Data,
    /// Reading the `\r\n` after the data (how many of its bytes were seen).
    DataEnd(u8),
    /// After a final chunk without trailer: reading the closing `\r\n`.
    FinalCrlf,
    /// Reading trailer lines up to the empty line.
    Trailers,
    /// The body is complete.
    Done,
}

/// Where the bytes a feed releases are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Release {
    Nothing,
    /// In the decoder's chunk buffer (the chunk came in pieces).
    Buffered,
    /// In the input, at this range (the whole chunk came at once).
    Input(usize, usize),
}

/// Checks chunk number `chunk`'s `signature` over `data` (no verifier: an
/// unsigned framing, nothing to check).
fn check<V: VerifyChunks>(
    verifier: &mut Option<V>,
    data: &[u8],
    signature: &[u8],
    chunk: u64,
) -> Result<(), ChunkedError> {
    if let Some(v) = verifier {
        if !v.verify_chunk(data, signature) {
            return Err(ChunkedError::ChunkSignatureMismatch { chunk });
        }
    }
    Ok(())
}

/// Longest signature in a size line (SigV4a pads to 144).
const MAX_SIGNATURE: usize = 144;

/// The streaming aws-chunked decoder and verifier (see the [module docs](self)).
pub struct ChunkedDecoder<V> {
    framing: ChunkedFraming,
    verifier: Option<V>,
    limits: ChunkedLimits,
    state: State,
    line: Vec<u8>,
    chunk: Vec<u8>,
    /// The SHA-256 of the buffered part of the current chunk, kept as its
    /// pieces arrive when the verifier checks chunks from their hash.
    hasher: Option<Sha256>,
    /// Data bytes of the current chunk still to read.
    remaining: usize,
    signature: [u8; MAX_SIGNATURE],
    signature_len: usize,
    /// Chunks completed (the final one included).
    chunks: u64,
    decoded: u64,
    expected_len: Option<u64>,
    trailers: Vec<(String, String)>,
    trailer_signature: Option<String>,
    failed: Option<ChunkedError>,
}

impl<V> fmt::Debug for ChunkedDecoder<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChunkedDecoder")
            .field("framing", &self.framing)
            .field("state", &self.state)
            .field("chunks", &self.chunks)
            .field("decoded", &self.decoded)
            .finish_non_exhaustive()
    }
}

/// The decoder of an unsigned framing: no verifier type to name.
impl ChunkedDecoder<ChunkSigner> {
    /// A decoder for [`ChunkedFraming::UnsignedTrailer`].
    pub fn unsigned(limits: ChunkedLimits) -> Self {
        ChunkedDecoder::new(ChunkedFraming::UnsignedTrailer, None, limits)
    }
}

impl<V: VerifyChunks> ChunkedDecoder<V> {
    /// A decoder for `framing`; `verifier` (the chain from the seed
    /// signature) is required for the signed framings and must be `None`
    /// for the unsigned one (else every [`feed`](Self::feed) fails with
    /// [`ChunkedError::VerifierMismatch`]).
    pub fn new(framing: ChunkedFraming, verifier: Option<V>, limits: ChunkedLimits) -> Self {
        let failed =
            (framing.is_signed() != verifier.is_some()).then_some(ChunkedError::VerifierMismatch);
        ChunkedDecoder {
            framing,
            verifier,
            limits,
            state: State::SizeLine,
            line: Vec::new(),
            chunk: Vec::new(),
            hasher: None,
            remaining: 0,
            signature: [0; MAX_SIGNATURE],
            signature_len: 0,
            chunks: 0,
            decoded: 0,
            expected_len: None,
            trailers: Vec::new(),
            trailer_signature: None,
            failed,
        }
    }

    /// Checks the payload length against `x-amz-decoded-content-length`.
    pub fn expect_decoded_len(mut self, len: u64) -> Self {
        self.expected_len = Some(len);
        self
    }

    /// The capacities of the decoder's buffers (chunk, line) and the bytes
    /// its trailers hold: what the fuzz targets check against the limits.
    #[cfg(feature = "fuzzing")]
    pub(crate) fn buffer_sizes(&self) -> (usize, usize, usize) {
        let trailers = self
            .trailers
            .iter()
            .map(|(n, v)| n.capacity() + v.capacity())
            .sum::<usize>()
            + self.trailer_signature.as_ref().map_or(0, String::capacity);
        (self.chunk.capacity(), self.line.capacity(), trailers)
    }

    /// Payload bytes released so far.
    pub fn decoded_len(&self) -> u64 {
        self.decoded
    }

    /// Whether the whole body (final chunk and trailer) has been read.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// The trailer headers (lowercase names, trimmed values; the trailer
    /// signature not among them), once [`is_done`](Self::is_done).
    pub fn trailers(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.trailers.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Consumes bytes from `input` until a chunk has been verified (its
    /// payload is in [`ChunkedStep::data`]) or `input` is used up. Call it again
    /// with `&input[step.consumed..]` while that is not empty. After an
    /// error, every later call fails the same way.
    pub fn feed<'a>(&'a mut self, input: &'a [u8]) -> Result<ChunkedStep<'a>, ChunkedError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        match self.advance(input) {
            Ok((consumed, released)) => {
                let data = match released {
                    Release::Nothing => &[][..],
                    Release::Buffered => &self.chunk[..],
                    Release::Input(start, end) => &input[start..end],
                };
                Ok(ChunkedStep { consumed, data })
            }
            Err(e) => {
                self.chunk.clear();
                self.failed = Some(e.clone());
                Err(e)
            }
        }
    }

    /// Ends the body: an error unless the final chunk (and the trailer)
    /// arrived and the payload has the announced length.
    pub fn finish(&self) -> Result<(), ChunkedError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.state != State::Done {
            return Err(ChunkedError::Truncated);
        }
        Ok(())
    }

    fn malformed(&self, reason: &'static str) -> ChunkedError {
        ChunkedError::Malformed {
            reason,
            chunk: self.chunks,
        }
    }

    /// Reads one `\r\n`-terminated line into `self.line`; returns the bytes
    /// consumed and whether the line is complete (without its `\r\n`).
    fn read_line(&mut self, input: &[u8]) -> Result<(usize, bool), ChunkedError> {
        let too_long = ChunkedError::LimitExceeded {
            what: "a line is longer than the limit",
        };
        match input.iter().position(|&b| b == b'\n') {
            Some(i) => {
                if self.line.len() + i > self.limits.max_line {
                    return Err(too_long);
                }
                self.line.extend_from_slice(&input[..i]);
                if self.line.pop() != Some(b'\r') {
                    return Err(self.malformed("a line ends in a bare LF"));
                }
                Ok((i + 1, true))
            }
            None => {
                if self.line.len() + input.len() > self.limits.max_line + 1 {
                    return Err(too_long);
                }
                self.line.extend_from_slice(input);
                Ok((input.len(), false))
            }
        }
    }

    /// One state-machine run over `input`: (consumed, a chunk was released).
    fn advance(&mut self, input: &[u8]) -> Result<(usize, Release), ChunkedError> {
        let mut at = 0;
        if self.state == State::SizeLine && self.remaining == 0 && self.line.is_empty() {
            // A new chunk: the previous one's bytes were handed out.
            self.chunk.clear();
        }
        while at < input.len() {
            let rest = &input[at..];
            match self.state {
                State::SizeLine => {
                    let (n, complete) = self.read_line(rest)?;
                    at += n;
                    if complete {
                        self.size_line()?;
                    }
                }
                State::Data => {
                    let whole = self.remaining;
                    if self.chunk.is_empty() && rest.get(whole..whole + 2) == Some(b"\r\n") {
                        // The whole chunk and its CRLF are in this input:
                        // checked and released from there, not copied.
                        check(
                            &mut self.verifier,
                            &rest[..whole],
                            &self.signature[..self.signature_len],
                            self.chunks,
                        )?;
                        self.remaining = 0;
                        self.count_chunk(whole);
                        return Ok((at + whole + 2, Release::Input(at, at + whole)));
                    }
                    if self.chunk.is_empty() {
                        // Exact: amortized growth could reserve up to
                        // twice `max_chunk_size`.
                        self.chunk.reserve_exact(whole);
                        // Hashed piece by piece while the bytes are hot,
                        // not in a second pass over the buffer.
                        self.hasher = self
                            .verifier
                            .as_ref()
                            .filter(|v| v.verifies_sha256())
                            .map(|_| Sha256::new());
                    }
                    let n = self.remaining.min(rest.len());
                    if let Some(h) = &mut self.hasher {
                        h.update(&rest[..n]);
                    }
                    self.chunk.extend_from_slice(&rest[..n]);
                    self.remaining -= n;
                    at += n;
                    if self.remaining == 0 {
                        self.state = State::DataEnd(0);
                    }
                }
                State::DataEnd(seen) => {
                    let want = b"\r\n"[usize::from(seen)];
                    if rest[0] != want {
                        return Err(self.malformed("chunk data is not followed by CRLF"));
                    }
                    at += 1;
                    if seen == 0 {
                        self.state = State::DataEnd(1);
                    } else {
                        let signature = &self.signature[..self.signature_len];
                        match (self.hasher.take(), &mut self.verifier) {
                            (Some(h), Some(v)) => {
                                if !v.verify_chunk_sha256(&h.finalize().into(), signature) {
                                    return Err(ChunkedError::ChunkSignatureMismatch {
                                        chunk: self.chunks,
                                    });
                                }
                            }
                            _ => check(&mut self.verifier, &self.chunk, signature, self.chunks)?,
                        }
                        self.count_chunk(self.chunk.len());
                        return Ok((at, Release::Buffered));
                    }
                }
                State::FinalCrlf => {
                    let (n, complete) = self.read_line(rest)?;
                    at += n;
                    if complete {
                        if !self.line.is_empty() {
                            return Err(self.malformed("data after the final chunk"));
                        }
                        self.state = State::Done;
                    }
                }
                State::Trailers => {
                    let (n, complete) = self.read_line(rest)?;
                    at += n;
                    if complete {
                        self.trailer_line()?;
                    }
                }
                State::Done => return Err(self.malformed("bytes after the end of the body")),
            }
        }
        Ok((at, Release::Nothing))
    }

    /// Parses `hex[;chunk-signature=sig]` in `self.line`.
    fn size_line(&mut self) -> Result<(), ChunkedError> {
        let line = core::mem::take(&mut self.line);
        let (size, signature) = match line.iter().position(|&b| b == b';') {
            Some(i) => (&line[..i], Some(&line[i + 1..])),
            None => (&line[..], None),
        };
        if size.is_empty() || size.len() > 16 || !size.iter().all(u8::is_ascii_hexdigit) {
            return Err(self.malformed("the chunk size is not hexadecimal"));
        }
        let size = size.iter().fold(0u64, |n, &d| {
            (n << 4) | u64::from(char::from(d).to_digit(16).unwrap_or(0))
        });
        match (self.framing.is_signed(), signature) {
            (true, Some(ext)) => {
                let sig = ext
                    .strip_prefix(b"chunk-signature=")
                    .filter(|s| !s.is_empty() && s.len() <= MAX_SIGNATURE)
                    .ok_or_else(|| self.malformed("expected ;chunk-signature=<signature>"))?;
                self.signature[..sig.len()].copy_from_slice(sig);
                self.signature_len = sig.len();
            }
            (true, None) => return Err(self.malformed("a signed chunk without chunk-signature")),
            (false, Some(_)) => return Err(self.malformed("an unsigned chunk with an extension")),
            (false, None) => {}
        }
        self.line = line;
        self.line.clear();
        if size > self.limits.max_chunk_size as u64 {
            return Err(ChunkedError::ChunkTooLarge {
                size,
                max: self.limits.max_chunk_size,
            });
        }
        if let Some(expected) = self.expected_len {
            if self.decoded + size > expected {
                return Err(ChunkedError::DecodedLengthMismatch {
                    expected,
                    actual: self.decoded + size,
                });
            }
        }
        if size == 0 {
            return self.end_final_chunk();
        }
        // `size` fits: it is at most `max_chunk_size`. The buffer is
        // reserved only if the chunk arrives in pieces.
        self.chunk.clear();
        self.remaining = size as usize;
        self.state = State::Data;
        Ok(())
    }

    /// A data chunk of `len` bytes whose signature held.
    fn count_chunk(&mut self, len: usize) {
        self.chunks += 1;
        self.decoded += len as u64;
        self.state = State::SizeLine;
    }

    fn end_final_chunk(&mut self) -> Result<(), ChunkedError> {
        self.chunk.clear();
        check(
            &mut self.verifier,
            &[],
            &self.signature[..self.signature_len],
            self.chunks,
        )?;
        self.chunks += 1;
        if let Some(expected) = self.expected_len {
            if self.decoded != expected {
                return Err(ChunkedError::DecodedLengthMismatch {
                    expected,
                    actual: self.decoded,
                });
            }
        }
        self.state = if self.framing.has_trailer() {
            State::Trailers
        } else {
            State::FinalCrlf
        };
        Ok(())
    }

    /// One trailer line in `self.line`: a header, the trailer signature,
    /// or the empty line that ends the body.
    fn trailer_line(&mut self) -> Result<(), ChunkedError> {
        let line = core::mem::take(&mut self.line);
        if line.is_empty() {
            return self.end_trailers();
        }
        if self.trailer_signature.is_some() {
            return Err(self.malformed("a trailer after x-amz-trailer-signature"));
        }
        let text =
            core::str::from_utf8(&line).map_err(|_| self.malformed("a trailer is not UTF-8"))?;
        let (name, value) = text
            .split_once(':')
            .ok_or_else(|| self.malformed("a trailer line without `:`"))?;
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(self.malformed("a trailer name is not a token"));
        }
        let value = String::from(value.trim());
        if name == "x-amz-trailer-signature" {
            if !self.framing.is_signed() {
                return Err(self.malformed("a trailer signature in an unsigned body"));
            }
            self.trailer_signature = Some(value);
        } else {
            if self.trailers.len() >= self.limits.max_trailers {
                return Err(ChunkedError::LimitExceeded {
                    what: "more trailer headers than the limit",
                });
            }
            self.trailers.push((name, value));
        }
        self.line = line;
        self.line.clear();
        Ok(())
    }

    fn end_trailers(&mut self) -> Result<(), ChunkedError> {
        if self.framing.is_signed() {
            let Some(signature) = self.trailer_signature.take() else {
                return Err(self.malformed("no x-amz-trailer-signature"));
            };
            let pairs: Vec<(&str, &str)> = self
                .trailers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            let ok = self
                .verifier
                .as_mut()
                .is_some_and(|v| v.verify_trailer(&pairs, signature.as_bytes()));
            if !ok {
                return Err(ChunkedError::TrailerSignatureMismatch);
            }
        }
        self.state = State::Done;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::chunked::ChunkedLayout;
    use crate::sign::{Credentials, SigningParams, SigningTime};
    #[allow(unused_imports)] // the prelude's names, for the no_std build of the tests
    use alloc::{format, string::ToString, vec, vec::Vec};

    const SEED: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";

    fn credentials() -> Credentials {
        Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
    }

    fn params(c: &Credentials) -> SigningParams<'_> {
        SigningParams::new(
            c,
            "us-east-1",
            "s3",
            SigningTime::parse_amz_date("20130524T000000Z").unwrap(),
        )
    }

    /// Feeds `body` in pieces of `piece` bytes; returns the payload released.
    fn decode<V: VerifyChunks>(
        decoder: &mut ChunkedDecoder<V>,
        body: &[u8],
        piece: usize,
    ) -> Result<Vec<u8>, ChunkedError> {
        let mut out = Vec::new();
        for p in body.chunks(piece.max(1)) {
            let mut input = p;
            while !input.is_empty() {
                let step = decoder.feed(input)?;
                out.extend_from_slice(step.data);
                input = &input[step.consumed..];
            }
        }
        decoder.finish()?;
        Ok(out)
    }

    /// The AWS documentation's example: 66 560 bytes of `a` in 64 KiB chunks.
    fn aws_example() -> Vec<u8> {
        let c = credentials();
        let p = params(&c);
        ChunkedLayout::new(66_560, 65_536)
            .unwrap()
            .encode(
                &vec![b'a'; 66_560],
                &mut ChunkSigner::new(&p, SEED).unwrap(),
                None,
            )
            .unwrap()
    }

    #[test]
    fn the_aws_example_decodes_in_any_piece_size() {
        let body = aws_example();
        // The published chunk signatures are in the body.
        for sig in [
            "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
            "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
            "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
        ] {
            assert!(body.windows(64).any(|w| w == sig.as_bytes()), "{sig}");
        }
        let c = credentials();
        let p = params(&c);
        for piece in [1, 2, 7, 64, 1000, 65_536, body.len()] {
            let mut d = ChunkedDecoder::new(
                ChunkedFraming::Signed,
                Some(ChunkSigner::new(&p, SEED).unwrap()),
                ChunkedLimits::default(),
            )
            .expect_decoded_len(66_560);
            assert_eq!(
                decode(&mut d, &body, piece).unwrap(),
                vec![b'a'; 66_560],
                "{piece}"
            );
            assert!(d.is_done());
        }
    }

    /// A verifier that needs the chunk's bytes (the trait's defaults).
    struct BytesOnly(ChunkSigner);

    impl VerifyChunks for BytesOnly {
        fn verify_chunk(&mut self, data: &[u8], signature: &[u8]) -> bool {
            self.0.verify_chunk(data, signature)
        }
        fn verify_trailer(&mut self, trailers: &[(&str, &str)], signature: &[u8]) -> bool {
            self.0.verify_trailer(trailers, signature)
        }
    }

    #[test]
    fn chunks_in_pieces_are_checked_from_their_hash_or_their_bytes() {
        let body = aws_example();
        let c = credentials();
        let p = params(&c);
        for piece in [1, 1000, 16_384, body.len()] {
            let mut d = ChunkedDecoder::new(
                ChunkedFraming::Signed,
                Some(BytesOnly(ChunkSigner::new(&p, SEED).unwrap())),
                ChunkedLimits::default(),
            );
            assert_eq!(decode(&mut d, &body, piece).unwrap(), vec![b'a'; 66_560]);
            let mut bad = body.clone();
            let at = bad.len() - 300;
            bad[at] ^= 1;
            for verifies_sha256 in [false, true] {
                let signer = ChunkSigner::new(&p, SEED).unwrap();
                let r = if verifies_sha256 {
                    let mut d = ChunkedDecoder::new(
                        ChunkedFraming::Signed,
                        Some(signer),
                        ChunkedLimits::default(),
                    );
                    decode(&mut d, &bad, piece)
                } else {
                    let mut d = ChunkedDecoder::new(
                        ChunkedFraming::Signed,
                        Some(BytesOnly(signer)),
                        ChunkedLimits::default(),
                    );
                    decode(&mut d, &bad, piece)
                };
                assert_eq!(
                    r,
                    Err(ChunkedError::ChunkSignatureMismatch { chunk: 1 }),
                    "{piece}"
                );
            }
        }
        // The signer signs a chunk from its hash as from its bytes.
        let mut a = ChunkSigner::new(&p, SEED).unwrap();
        let mut b = ChunkSigner::new(&p, SEED).unwrap();
        let digest: [u8; 32] = Sha256::digest(b"some data").into();
        assert_eq!(a.sign_chunk(b"some data"), b.sign_chunk_sha256(&digest));
    }

    #[test]
    fn a_tampered_chunk_yields_none_of_its_bytes() {
        let c = credentials();
        let p = params(&c);
        let mut body = aws_example();
        // A byte in the second chunk's data (after the first 64 KiB frame).
        let second = body.len() - 200;
        body[second] ^= 1;
        let mut d = ChunkedDecoder::new(
            ChunkedFraming::Signed,
            Some(ChunkSigner::new(&p, SEED).unwrap()),
            ChunkedLimits::default(),
        );
        let mut released = 0;
        let mut input = &body[..];
        let err = loop {
            match d.feed(input) {
                Ok(step) => {
                    released += step.data.len();
                    input = &input[step.consumed..];
                }
                Err(e) => break e,
            }
        };
        assert_eq!(err, ChunkedError::ChunkSignatureMismatch { chunk: 1 });
        assert_eq!(released, 65_536, "only the first chunk was released");
        // And it stays failed.
        assert_eq!(d.feed(b"x"), Err(err.clone()));
        assert_eq!(d.finish(), Err(err));

        // A wrong seed fails at the first chunk.
        let mut d = ChunkedDecoder::new(
            ChunkedFraming::Signed,
            Some(ChunkSigner::new(&p, &"0".repeat(64)).unwrap()),
            ChunkedLimits::default(),
        );
        assert_eq!(
            decode(&mut d, &aws_example(), 4096),
            Err(ChunkedError::ChunkSignatureMismatch { chunk: 0 })
        );
    }

    #[test]
    fn the_final_chunk_and_the_trailer_are_checked() {
        let c = credentials();
        let p = params(&c);
        let layout = ChunkedLayout::new(3, 8192)
            .unwrap()
            .with_trailer("x-amz-checksum-crc32".len(), 8);
        let encode = || {
            layout
                .encode(
                    b"abc",
                    &mut ChunkSigner::new(&p, SEED).unwrap(),
                    Some(("x-amz-checksum-crc32", "NSRBwg==")),
                )
                .unwrap()
        };
        let verifier = || Some(ChunkSigner::new(&p, SEED).unwrap());
        let new = || {
            ChunkedDecoder::new(
                ChunkedFraming::SignedTrailer,
                verifier(),
                ChunkedLimits::default(),
            )
            .expect_decoded_len(3)
        };
        let mut d = new();
        assert_eq!(decode(&mut d, &encode(), 5).unwrap(), b"abc");
        assert_eq!(
            d.trailers().collect::<Vec<_>>(),
            vec![("x-amz-checksum-crc32", "NSRBwg==")]
        );

        let text = String::from_utf8(encode()).unwrap();
        // The final chunk's signature: the one after `0;chunk-signature=`.
        let at = text.find("\r\n0;chunk-signature=").unwrap() + 20;
        let mut bad_final = text.clone().into_bytes();
        bad_final[at] = if bad_final[at] == b'0' { b'1' } else { b'0' };
        assert_eq!(
            decode(&mut new(), &bad_final, 64),
            Err(ChunkedError::ChunkSignatureMismatch { chunk: 1 })
        );
        let bad_trailer = text.replace("NSRBwg==", "AAAAAA==");
        assert_eq!(
            decode(&mut new(), bad_trailer.as_bytes(), 64),
            Err(ChunkedError::TrailerSignatureMismatch)
        );
        let no_signature = text
            .split("x-amz-trailer-signature")
            .next()
            .unwrap()
            .to_string()
            + "\r\n";
        assert_eq!(
            decode(&mut new(), no_signature.as_bytes(), 64),
            Err(ChunkedError::Malformed {
                reason: "no x-amz-trailer-signature",
                chunk: 2
            })
        );
        // Cut anywhere before the end: truncated, never accepted.
        for cut in [1, text.len() / 2, text.len() - 2] {
            assert_eq!(
                decode(&mut new(), &text.as_bytes()[..cut], 64),
                Err(ChunkedError::Truncated),
                "{cut}"
            );
        }
    }

    #[test]
    fn unsigned_trailer_bodies() {
        let body = b"5\r\nhello\r\n3\r\n wo\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
        let mut d = ChunkedDecoder::unsigned(ChunkedLimits::default()).expect_decoded_len(8);
        assert_eq!(decode(&mut d, body, 3).unwrap(), b"hello wo");
        assert_eq!(
            d.trailers().collect::<Vec<_>>(),
            vec![("x-amz-checksum-crc32", "AAAAAA==")]
        );
        // Uppercase hex sizes are hex too.
        let mut d = ChunkedDecoder::unsigned(ChunkedLimits::default());
        let body = b"A\r\n0123456789\r\n0\r\n\r\n";
        assert_eq!(decode(&mut d, body, 100).unwrap(), b"0123456789");

        let refused = |body: &[u8]| {
            decode(
                &mut ChunkedDecoder::unsigned(ChunkedLimits::default()).expect_decoded_len(5),
                body,
                4,
            )
            .unwrap_err()
        };
        assert_eq!(
            refused(b"5;chunk-signature=ab\r\nhello\r\n0\r\n\r\n"),
            ChunkedError::Malformed {
                reason: "an unsigned chunk with an extension",
                chunk: 0
            }
        );
        assert_eq!(
            refused(b"5\r\nhelloXX0\r\n\r\n"),
            ChunkedError::Malformed {
                reason: "chunk data is not followed by CRLF",
                chunk: 0
            }
        );
        assert_eq!(
            refused(b"6\r\nhello!\r\n0\r\n\r\n"),
            ChunkedError::DecodedLengthMismatch {
                expected: 5,
                actual: 6
            }
        );
        assert_eq!(
            refused(b"4\r\nhell\r\n0\r\n\r\n"),
            ChunkedError::DecodedLengthMismatch {
                expected: 5,
                actual: 4
            }
        );
        assert_eq!(
            refused(b"zz\r\n"),
            ChunkedError::Malformed {
                reason: "the chunk size is not hexadecimal",
                chunk: 0
            }
        );
        assert_eq!(
            refused(b"5\nhello"),
            ChunkedError::Malformed {
                reason: "a line ends in a bare LF",
                chunk: 0
            }
        );
        assert_eq!(
            refused(b"5\r\nhello\r\n0\r\n\r\nextra"),
            ChunkedError::Malformed {
                reason: "bytes after the end of the body",
                chunk: 2
            }
        );
        assert_eq!(
            refused(b"5\r\nhello\r\n0\r\nx-amz-trailer-signature:ab\r\n\r\n"),
            ChunkedError::Malformed {
                reason: "a trailer signature in an unsigned body",
                chunk: 2
            }
        );
    }

    #[test]
    fn limits_hold_before_anything_is_allocated() {
        let limits = ChunkedLimits {
            max_chunk_size: 1024,
            max_line: 64,
            max_trailers: 1,
        };
        let mut d = ChunkedDecoder::unsigned(limits);
        assert_eq!(
            d.feed(b"ffffffffffffffff\r\n"),
            Err(ChunkedError::ChunkTooLarge {
                size: u64::MAX,
                max: 1024
            })
        );
        assert_eq!(d.chunk.capacity(), 0);
        let mut d = ChunkedDecoder::unsigned(limits);
        assert_eq!(
            d.feed(&[b'1'; 200]),
            Err(ChunkedError::LimitExceeded {
                what: "a line is longer than the limit"
            })
        );
        assert!(d.line.capacity() <= 256);
        let mut d = ChunkedDecoder::unsigned(limits);
        assert_eq!(
            decode(&mut d, b"0\r\na:1\r\nb:2\r\n\r\n", 100),
            Err(ChunkedError::LimitExceeded {
                what: "more trailer headers than the limit"
            })
        );
        // More than 16 hex digits is not a size.
        let mut d = ChunkedDecoder::unsigned(limits);
        assert!(matches!(
            d.feed(b"00000000000000001\r\n"),
            Err(ChunkedError::Malformed { .. })
        ));
    }

    /// The chunk buffer holds at most `max_chunk_size` bytes, even after a
    /// smaller chunk came in pieces (amortized growth would double it).
    #[test]
    fn the_chunk_buffer_stays_within_the_limit() {
        let limits = ChunkedLimits {
            max_chunk_size: 1000,
            ..ChunkedLimits::default()
        };
        let mut body = b"258\r\n".to_vec();
        body.extend_from_slice(&[b'a'; 600]);
        body.extend_from_slice(b"\r\n3e8\r\n");
        body.extend_from_slice(&[b'b'; 1000]);
        body.extend_from_slice(b"\r\n0\r\n\r\n");
        let mut d = ChunkedDecoder::unsigned(limits);
        let mut out = Vec::new();
        for piece in body.chunks(100) {
            let mut input = piece;
            while !input.is_empty() {
                let step = d.feed(input).unwrap();
                out.extend_from_slice(step.data);
                input = &input[step.consumed..];
                assert!(d.chunk.capacity() <= 1000, "{}", d.chunk.capacity());
            }
        }
        d.finish().unwrap();
        assert_eq!(out.len(), 1600);
    }

    #[test]
    fn the_verifier_must_match_the_framing() {
        let c = credentials();
        let p = params(&c);
        let mut d: ChunkedDecoder<ChunkSigner> =
            ChunkedDecoder::new(ChunkedFraming::Signed, None, ChunkedLimits::default());
        assert_eq!(d.feed(b"0"), Err(ChunkedError::VerifierMismatch));
        let mut d = ChunkedDecoder::new(
            ChunkedFraming::UnsignedTrailer,
            Some(ChunkSigner::new(&p, SEED).unwrap()),
            ChunkedLimits::default(),
        );
        assert_eq!(d.feed(b"0"), Err(ChunkedError::VerifierMismatch));
        assert_eq!(
            ChunkedFraming::from_content_sha256("STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
            Some(ChunkedFraming::UnsignedTrailer)
        );
        assert_eq!(
            ChunkedFraming::from_content_sha256("UNSIGNED-PAYLOAD"),
            None
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(64))]

        /// Whatever the payload, chunk size and network pieces: our
        /// encoding decodes to the payload, and any one flipped byte is
        /// refused (never a wrong payload accepted).
        #[test]
        fn round_trip_and_any_flipped_byte_is_refused(
            payload in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..20_000),
            chunk in 8192usize..12_000,
            piece in 1usize..5000,
            flip in proptest::prelude::any::<proptest::sample::Index>(),
            trailer in proptest::prelude::any::<bool>(),
        ) {
            let c = credentials();
            let p = params(&c);
            let mut layout = ChunkedLayout::new(payload.len() as u64, chunk).unwrap();
            let t = trailer.then_some(("x-amz-checksum-crc32", "AAAAAA=="));
            if trailer {
                layout = layout.with_trailer(20, 8);
            }
            let body = layout.encode(&payload, &mut ChunkSigner::new(&p, SEED).unwrap(), t).unwrap();
            let framing = if trailer { ChunkedFraming::SignedTrailer } else { ChunkedFraming::Signed };
            let new = || ChunkedDecoder::new(framing, Some(ChunkSigner::new(&p, SEED).unwrap()), ChunkedLimits::default())
                .expect_decoded_len(payload.len() as u64);
            proptest::prop_assert_eq!(decode(&mut new(), &body, piece).unwrap(), payload.clone());
            let mut bad = body.clone();
            let at = flip.index(bad.len());
            bad[at] ^= 0x20;
            let got = decode(&mut new(), &bad, piece);
            // Flipping 0x20 of a letter changes its case: in a size line's
            // hex digits or a trailer name that means the same thing, and
            // may be accepted, with the same payload. Anything else fails.
            if let Ok(out) = &got {
                proptest::prop_assert_eq!(out, &payload);
                proptest::prop_assert!(body[at].is_ascii_alphabetic());
            }
        }
    }
}
