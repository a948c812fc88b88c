//! aws-chunked streaming signatures (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`
//! and the `-TRAILER` form).
//!
//! The request itself is header-signed with [`Payload::StreamingSigned`](super::Payload::StreamingSigned) (or
//! [`Payload::StreamingSignedTrailer`](super::Payload::StreamingSignedTrailer)) and the headers from
//! [`ChunkedLayout::headers`]; that signature is the *seed*. Each chunk's
//! signature chains on the previous one:
//!
//! ```text
//! AWS4-HMAC-SHA256-PAYLOAD \n date \n scope \n previous-signature \n
//! hex(sha256("")) \n hex(sha256(chunk-data))
//! ```
//!
//! and the body is framed as `hex(len);chunk-signature=sig\r\n data \r\n`,
//! ending with an empty chunk. With a trailer, the final chunk is followed by
//! the trailer headers and `x-amz-trailer-signature`, signed over
//! `AWS4-HMAC-SHA256-TRAILER \n date \n scope \n previous-signature \n
//! hex(sha256("name:value\n"...))`.
//!
//! `STREAMING-UNSIGNED-PAYLOAD-TRAILER` (what the AWS SDKs send over HTTPS)
//! frames the same body without signatures: `hex(len)\r\n data \r\n`, the
//! final `0\r\n`, the trailer lines (`x-amz-checksum-crc32:value\r\n`) and
//! `\r\n`. Its layout is [`ChunkedLayout::unsigned`] and its "signer"
//! [`UnsignedChunks`]: a layout whose signatures have length 0 frames
//! unsigned chunks, so both framings share one encoder. The request is
//! header-signed with [`Payload::StreamingUnsignedTrailer`](super::Payload::StreamingUnsignedTrailer).
//!
//! [`ChunkedLayout::encode`] frames a body held in memory; a streaming
//! encoder calls [`ChunkedLayout::write_chunk`] per chunk and
//! [`ChunkedLayout::write_final`] at the end (`s3::ChunkedBody` does, as a
//! `std::io::Read`).
//!
//! ```
//! use sigv4::sign::chunked::{ChunkSigner, ChunkedLayout};
//! use sigv4::sign::{sign_headers, Payload, SignableRequest, SigningParams, SigningTime};
//! use sigv4::Credentials;
//!
//! let body = vec![b'a'; 66_560];
//! let layout = ChunkedLayout::new(body.len() as u64, 65_536)?;
//! let credentials = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
//! let params = SigningParams::new(&credentials, "us-east-1", "s3", SigningTime::parse_amz_date("20130524T000000Z")?);
//! let lengths = layout.headers();
//! let req = SignableRequest::new("PUT", "https://s3.amazonaws.com/examplebucket/chunkObject.txt")?
//!     .header("x-amz-storage-class", "REDUCED_REDUNDANCY")
//!     .headers(lengths.iter().map(|(n, v)| (*n, v.as_str())))
//!     .payload(Payload::StreamingSigned);
//! let seed = sign_headers(&req, &params)?;
//! assert_eq!(seed.signature(), "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
//!
//! let mut signer = ChunkSigner::new(&params, seed.signature())?;
//! let encoded = layout.encode(&body, &mut signer, None)?;
//! assert_eq!(encoded.len() as u64, layout.encoded_len());
//! assert!(encoded.starts_with(b"10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n"));
//! # Ok::<(), sigv4::sign::Error>(())
//! ```

use super::payload::EMPTY_SHA256;
use super::{Error, Scope, SigningParams};
use alloc::string::String;
use alloc::vec::Vec;
use hmac::Mac;
use sha2::{Digest, Sha256};

/// Chunk signature algorithm line.
pub const CHUNK_ALGORITHM: &str = "AWS4-HMAC-SHA256-PAYLOAD";
/// Trailer signature algorithm line.
pub const TRAILER_ALGORITHM: &str = "AWS4-HMAC-SHA256-TRAILER";
/// Smallest chunk S3 accepts (all chunks but the last must be at least this).
pub const MIN_CHUNK_SIZE: usize = 8 * 1024;

const SIG_EXT: &str = ";chunk-signature=";
const TRAILER_SIG: &str = "x-amz-trailer-signature:";

/// What signs the chunks of one aws-chunked body, each signature chained on
/// the previous: [`ChunkSigner`] (SigV4) or
#[cfg_attr(
    feature = "sigv4a",
    doc = "[`v4a::chunked::ChunkSigner`](crate::sign::v4a::chunked::ChunkSigner)"
)]
#[cfg_attr(not(feature = "sigv4a"), doc = "`v4a::chunked::ChunkSigner`")]
/// (SigV4a, feature `sigv4a`). [`ChunkedLayout::encode`] and
/// [`write_chunk`] frame a body with either.
pub trait SignChunks {
    /// Signs the next chunk (`data` empty for the final chunk); returns the
    /// signature as the body carries it after `chunk-signature=`.
    fn sign_chunk(&mut self, data: &[u8]) -> &str;
    /// Signs the trailer headers after the final chunk; returns the
    /// signature as the body carries it after `x-amz-trailer-signature:`.
    fn sign_trailer(&mut self, trailers: &[(&str, &str)]) -> &str;
}

impl<T: SignChunks + ?Sized> SignChunks for &mut T {
    fn sign_chunk(&mut self, data: &[u8]) -> &str {
        (**self).sign_chunk(data)
    }
    fn sign_trailer(&mut self, trailers: &[(&str, &str)]) -> &str {
        (**self).sign_trailer(trailers)
    }
}

impl<T: SignChunks + ?Sized> SignChunks for alloc::boxed::Box<T> {
    fn sign_chunk(&mut self, data: &[u8]) -> &str {
        (**self).sign_chunk(data)
    }
    fn sign_trailer(&mut self, trailers: &[(&str, &str)]) -> &str {
        (**self).sign_trailer(trailers)
    }
}

/// The "signer" of `STREAMING-UNSIGNED-PAYLOAD-TRAILER` bodies: no
/// signatures (empty ones), for a layout made with [`ChunkedLayout::unsigned`].
///
/// ```
/// use sigv4::sign::chunked::{ChunkedLayout, UnsignedChunks};
///
/// let layout = ChunkedLayout::unsigned(10_000, 8192)?.with_trailer(20, 8);
/// let body = layout.encode(&[b'x'; 10_000], &mut UnsignedChunks, Some(("x-amz-checksum-crc32", "AAAAAA==")))?;
/// assert!(body.starts_with(b"2000\r\nxxx"));
/// assert!(body.ends_with(b"xx\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"));
/// assert_eq!(body.len() as u64, layout.encoded_len());
/// # Ok::<(), sigv4::sign::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnsignedChunks;

impl SignChunks for UnsignedChunks {
    fn sign_chunk(&mut self, _: &[u8]) -> &str {
        ""
    }
    fn sign_trailer(&mut self, _: &[(&str, &str)]) -> &str {
        ""
    }
}

impl SignChunks for ChunkSigner {
    fn sign_chunk(&mut self, data: &[u8]) -> &str {
        ChunkSigner::sign_chunk(self, data)
    }
    fn sign_trailer(&mut self, trailers: &[(&str, &str)]) -> &str {
        ChunkSigner::sign_trailer(self, trailers)
    }
}

/// The canonical trailer headers, `name:value\n` each (lowercase names,
/// trimmed values), fed to `sink`: what the trailer signature hashes.
pub(crate) fn feed_trailers(trailers: &[(&str, &str)], sink: &mut dyn FnMut(&[u8])) {
    for (name, value) in trailers {
        for b in name.bytes() {
            sink(&[b.to_ascii_lowercase()]);
        }
        sink(b":");
        sink(value.trim().as_bytes());
        sink(b"\n");
    }
}

/// Signs the chunks of one aws-chunked body, chaining each signature on the previous.
///
/// It owns what it needs (the signing key's HMAC state, the date and the
/// scope), so a server can keep one beside a body that streams in after the
/// request that carried its seed is gone.
pub struct ChunkSigner {
    mac: super::key::HmacSha256,
    /// `amz-date \n date/region/service/aws4_request \n`: the part of every
    /// string to sign between the algorithm line and the previous signature.
    head: String,
    previous: [u8; 64],
}

impl core::fmt::Debug for ChunkSigner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ChunkSigner")
            .field("scope", &self.head.trim_end())
            .finish_non_exhaustive()
    }
}

impl ChunkSigner {
    /// Starts a chain from the seed signature (the request's header signature).
    pub fn new(params: &SigningParams<'_>, seed_signature: &str) -> Result<Self, Error> {
        let previous: [u8; 64] = seed_signature
            .as_bytes()
            .try_into()
            .ok()
            .filter(|s: &[u8; 64]| s.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .ok_or(Error::MalformedSignature {
                reason: "seed signature is not 64 lowercase hex digits",
            })?;
        let scope: Scope<'_> = params.scope();
        let mut head = String::with_capacity(16 + 2 + scope.len());
        head.push_str(scope.date.amz_date());
        head.push('\n');
        scope.write(&mut head);
        head.push('\n');
        Ok(ChunkSigner {
            mac: params.signing_key().mac(),
            head,
            previous,
        })
    }

    fn sign_parts(&mut self, algorithm: &str, tail: &[&[u8]]) -> &str {
        let mut mac = self.mac.clone();
        for part in [
            algorithm.as_bytes(),
            b"\n",
            self.head.as_bytes(),
            &self.previous,
        ] {
            mac.update(part);
        }
        for part in tail {
            mac.update(b"\n");
            mac.update(part);
        }
        self.previous = super::lower_hex::hex32(&mac.finalize().into_bytes().into());
        core::str::from_utf8(&self.previous).unwrap_or("")
    }

    /// Signs the next chunk (`data` empty for the final chunk); returns its hex signature.
    pub fn sign_chunk(&mut self, data: &[u8]) -> &str {
        self.sign_chunk_sha256(&Sha256::digest(data).into())
    }

    /// Signs the next chunk from the SHA-256 of its data (hashed as it
    /// streamed); the same signature as [`sign_chunk`](Self::sign_chunk).
    pub fn sign_chunk_sha256(&mut self, sha256: &[u8; 32]) -> &str {
        let hash = super::lower_hex::hex32(sha256);
        self.sign_parts(CHUNK_ALGORITHM, &[EMPTY_SHA256.as_bytes(), &hash])
    }

    /// Signs the trailer headers after the final chunk; returns the hex signature.
    pub fn sign_trailer(&mut self, trailers: &[(&str, &str)]) -> &str {
        let mut h = Sha256::new();
        feed_trailers(trailers, &mut |b| h.update(b));
        let hash = super::lower_hex::hex32(&h.finalize().into());
        self.sign_parts(TRAILER_ALGORITHM, &[&hash])
    }

    /// The most recent signature in the chain.
    pub fn previous_signature(&self) -> &str {
        core::str::from_utf8(&self.previous).unwrap_or("")
    }
}

/// Sizes of an aws-chunked body of known length cut into chunks of a chosen size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkedLayout {
    decoded_len: u64,
    chunk_size: usize,
    trailer: Option<(usize, usize)>,
    signature_len: usize,
}

fn hex_digits(mut n: u64) -> u64 {
    let mut d = 1;
    while n >= 16 {
        n >>= 4;
        d += 1;
    }
    d
}

impl ChunkedLayout {
    /// A body of `decoded_len` bytes in signed chunks of `chunk_size` (at least 8 KiB).
    pub fn new(decoded_len: u64, chunk_size: usize) -> Result<Self, Error> {
        if chunk_size < MIN_CHUNK_SIZE {
            return Err(Error::InvalidChunkSize { size: chunk_size });
        }
        Ok(ChunkedLayout {
            decoded_len,
            chunk_size,
            trailer: None,
            signature_len: 64,
        })
    }

    /// A body of `decoded_len` bytes in unsigned chunks of `chunk_size`
    /// (at least 8 KiB), for `STREAMING-UNSIGNED-PAYLOAD-TRAILER`; framed
    /// with [`UnsignedChunks`].
    pub fn unsigned(decoded_len: u64, chunk_size: usize) -> Result<Self, Error> {
        let mut layout = Self::new(decoded_len, chunk_size)?;
        layout.signature_len = 0;
        Ok(layout)
    }

    /// Whether the chunks are signed (false for [`unsigned`](Self::unsigned)).
    pub fn is_signed(&self) -> bool {
        self.signature_len > 0
    }

    /// The lengths of the trailer's name and value, if it has one.
    pub fn trailer(&self) -> Option<(usize, usize)> {
        self.trailer
    }

    /// The same layout for signatures of `len` characters in the body (64
    /// for SigV4's HMAC; SigV4a pads its ECDSA signatures to 144).
    #[cfg(feature = "sigv4a")]
    pub(crate) fn with_signature_len(mut self, len: usize) -> Self {
        self.signature_len = len;
        self
    }

    /// Adds one trailer header whose name and value have these lengths
    /// (e.g. `x-amz-checksum-crc32` and 8 base64 characters), signed when
    /// the chunks are.
    pub fn with_trailer(mut self, name_len: usize, value_len: usize) -> Self {
        self.trailer = Some((name_len, value_len));
        self
    }

    /// The body length before encoding (`x-amz-decoded-content-length`).
    pub fn decoded_len(&self) -> u64 {
        self.decoded_len
    }

    /// The chunk size.
    pub fn chunk_size(&self) -> usize {
        self.chunk_size
    }

    /// Number of data chunks (the final empty chunk not counted).
    pub fn data_chunks(&self) -> u64 {
        self.decoded_len.div_ceil(self.chunk_size as u64)
    }

    /// The length of `hex(size);chunk-signature=<sig>\r\n` (or
    /// `hex(size)\r\n` unsigned).
    fn chunk_head_len(&self, size: u64) -> u64 {
        let extension = if self.is_signed() {
            (SIG_EXT.len() + self.signature_len) as u64
        } else {
            0
        };
        hex_digits(size) + extension + 2
    }

    fn frame_len(&self, size: u64) -> u64 {
        self.chunk_head_len(size) + size + 2
    }

    /// The encoded body length (`content-length`).
    pub fn encoded_len(&self) -> u64 {
        let size = self.chunk_size as u64;
        let full = self.decoded_len / size;
        let rest = self.decoded_len % size;
        let mut n = full * self.frame_len(size);
        if rest > 0 {
            n += self.frame_len(rest);
        }
        // The final chunk's head, then (with a trailer) `name:value\r\n`
        // and, signed, `x-amz-trailer-signature:<sig>\r\n`; then `\r\n`.
        n += self.chunk_head_len(0);
        if let Some((name, value)) = self.trailer {
            n += (name + 1 + value + 2) as u64;
            if self.is_signed() {
                n += (TRAILER_SIG.len() + self.signature_len + 2) as u64;
            }
        }
        n + 2
    }

    /// The headers the seed request must carry: `content-encoding`,
    /// `x-amz-decoded-content-length` and `content-length`.
    pub fn headers(&self) -> [(&'static str, String); 3] {
        [
            ("content-encoding", String::from("aws-chunked")),
            (
                super::names::X_AMZ_DECODED_CONTENT_LENGTH,
                alloc::format!("{}", self.decoded_len),
            ),
            ("content-length", alloc::format!("{}", self.encoded_len())),
        ]
    }

    /// Frames and signs `body` (which must be `decoded_len` bytes) into the
    /// encoded body, with `trailer` (one header) after the final chunk when
    /// the layout has one.
    pub fn encode(
        &self,
        body: &[u8],
        signer: &mut impl SignChunks,
        trailer: Option<(&str, &str)>,
    ) -> Result<Vec<u8>, Error> {
        if body.len() as u64 != self.decoded_len {
            return Err(Error::InvalidChunkSize { size: body.len() });
        }
        // Checked before anything is signed: a refused encoding leaves the
        // signer's chain at its start.
        self.check_trailer(trailer)?;
        let mut out = Vec::with_capacity(usize::try_from(self.encoded_len()).unwrap_or(0));
        for chunk in body.chunks(self.chunk_size) {
            self.write_chunk(&mut out, chunk, signer)?;
        }
        self.write_final(&mut out, signer, trailer)?;
        Ok(out)
    }

    /// Whether `trailer` is the one the layout has room for.
    fn check_trailer(&self, trailer: Option<(&str, &str)>) -> Result<(), Error> {
        match (self.trailer, trailer) {
            (Some((n, v)), Some((name, value))) if n == name.len() && v == value.len() => Ok(()),
            (None, None) => Ok(()),
            (Some(_), _) => Err(Error::MalformedSignature {
                reason: "trailer does not match the layout",
            }),
            (None, Some(_)) => Err(Error::MalformedSignature {
                reason: "layout has no trailer",
            }),
        }
    }

    fn check_signature(&self, len: usize) -> Result<(), Error> {
        if len == self.signature_len {
            Ok(())
        } else {
            Err(Error::MalformedSignature {
                reason: "the signer's signatures do not have the layout's length",
            })
        }
    }

    /// Appends the frame of one data chunk (signed by `signer`, when the
    /// layout's chunks are signed) to `out`: the step of a streaming
    /// encoder. The caller cuts the body into chunks of
    /// [`chunk_size`](Self::chunk_size) bytes, the last one shorter.
    pub fn write_chunk(
        &self,
        out: &mut Vec<u8>,
        data: &[u8],
        signer: &mut impl SignChunks,
    ) -> Result<(), Error> {
        self.check_signature(write_chunk(out, data, signer))
    }

    /// Appends the end of the body to `out`: the final empty chunk, then
    /// `trailer` (the one header the layout has room for) with its
    /// signature when the chunks are signed, then the closing `\r\n`.
    pub fn write_final(
        &self,
        out: &mut Vec<u8>,
        signer: &mut impl SignChunks,
        trailer: Option<(&str, &str)>,
    ) -> Result<(), Error> {
        self.check_trailer(trailer)?;
        self.write_chunk(out, b"", signer)?;
        // `write_chunk` ended the empty chunk with its data's `\r\n`: the
        // final chunk has none, its head's `\r\n` is the last of it.
        out.truncate(out.len() - 2);
        if let Some((name, value)) = trailer {
            out.extend_from_slice(name.as_bytes());
            out.push(b':');
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
            if self.is_signed() {
                let sig = signer.sign_trailer(&[(name, value)]);
                let len = sig.len();
                out.extend_from_slice(TRAILER_SIG.as_bytes());
                out.extend_from_slice(sig.as_bytes());
                out.extend_from_slice(b"\r\n");
                self.check_signature(len)?;
            }
        }
        out.extend_from_slice(b"\r\n");
        Ok(())
    }
}

/// Appends one chunk frame for `data` to `out`, signed by `signer`
/// (`hex(len);chunk-signature=sig\r\n data \r\n`, or `hex(len)\r\n data \r\n`
/// when the signature is empty: [`UnsignedChunks`]); returns the length of
/// the signature written.
pub fn write_chunk(out: &mut Vec<u8>, data: &[u8], signer: &mut impl SignChunks) -> usize {
    let sig = signer.sign_chunk(data);
    let mut size = [0u8; 16];
    let digits = hex_digits(data.len() as u64) as usize;
    let mut n = data.len();
    for i in (0..digits).rev() {
        size[i] = b"0123456789abcdef"[n & 15];
        n >>= 4;
    }
    out.extend_from_slice(&size[..digits]);
    if !sig.is_empty() {
        out.extend_from_slice(SIG_EXT.as_bytes());
        out.extend_from_slice(sig.as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    sig.len()
}

#[cfg(test)]
pub(crate) mod tests;
