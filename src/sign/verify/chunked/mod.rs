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
use sha2::{Digest, Sha256};

mod framing;
pub use framing::{ChunkedError, ChunkedFraming, ChunkedLimits, ChunkedStep, VerifyChunks};

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
mod tests;
