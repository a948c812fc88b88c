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
mod tests {
    use super::*;
    use crate::sign::Credentials;
    use crate::sign::{sign_headers, Payload, SignableRequest, SigningTime};
    #[allow(unused_imports)] // the prelude's names, for the no_std build of the tests
    use alloc::{format, string::ToString, vec, vec::Vec};

    /// AWS S3 documentation, "Signature calculations for the Authorization
    /// header: Transferring payload in multiple chunks": 66560 bytes of `a`
    /// in 64 KiB chunks.
    #[test]
    fn s3_documentation_example() {
        let body = alloc::vec![b'a'; 66_560];
        let layout = ChunkedLayout::new(66_560, 65_536).unwrap();
        assert_eq!(layout.encoded_len(), 66_824);
        assert_eq!(layout.data_chunks(), 2);
        let credentials = Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        );
        let params = SigningParams::new(
            &credentials,
            "us-east-1",
            "s3",
            SigningTime::parse_amz_date("20130524T000000Z").unwrap(),
        );
        let hdrs = layout.headers();
        let req = SignableRequest::new(
            "PUT",
            "https://s3.amazonaws.com/examplebucket/chunkObject.txt",
        )
        .unwrap()
        .header("x-amz-storage-class", "REDUCED_REDUNDANCY")
        .headers(hdrs.iter().map(|(n, v)| (*n, v.as_str())))
        .payload(Payload::StreamingSigned);
        let seed = sign_headers(&req, &params).unwrap();
        assert_eq!(
            seed.signed_headers(),
            "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class"
        );
        assert_eq!(
            seed.signature(),
            "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
        );

        let mut signer = ChunkSigner::new(&params, seed.signature()).unwrap();
        let sigs = [
            signer.sign_chunk(&body[..65_536]).to_string(),
            signer.sign_chunk(&body[65_536..]).to_string(),
            signer.sign_chunk(b"").to_string(),
        ];
        assert_eq!(
            sigs,
            [
                "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
                "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
                "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
            ]
        );

        let mut signer = ChunkSigner::new(&params, seed.signature()).unwrap();
        let encoded = layout.encode(&body, &mut signer, None).unwrap();
        assert_eq!(encoded.len(), 66_824);
        let tail = b"0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n";
        assert!(encoded.ends_with(tail));
        let second = b"400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n";
        assert_eq!(&encoded[65_536 + 90..65_536 + 90 + second.len()], second);
    }

    /// AWS S3 documentation, "Signature calculations for trailing headers
    /// (chunked uploads) (AWS Signature Version 4)"
    /// (<https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html>),
    /// "Examples: Checking signature calculations": 66560 bytes of `a` in
    /// 64 KiB chunks with a signed `x-amz-checksum-crc32c` trailer. Every
    /// literal below is the document's.
    ///
    /// The document is not consistent about the seed's signed headers: its
    /// canonical request (and its string to sign, whose hash is
    /// `44d48b8c...`, and the seed `106e2a8a...`) signs
    /// `content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer`,
    /// while its sample `Authorization` line lists another set (with
    /// `content-length`, without `x-amz-trailer`) next to the same signature.
    /// The canonical request is the one the signature comes from, so that is
    /// what is signed here. Its `Content-Length: 66824` is the length of the
    /// body without a trailer (the previous example's); it is not signed, and
    /// the body with this trailer is 66946 bytes.
    #[test]
    fn s3_documentation_trailer_example() {
        const SEED: &str = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
        const CHUNK_SIGNATURES: [&str; 3] = [
            "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
            "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
            "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
        ];
        const TRAILER_SIGNATURE: &str =
            "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435";
        // The documented checksum (no CRC32C implementation is a dependency).
        const TRAILER: (&str, &str) = ("x-amz-checksum-crc32c", "sOO8/Q==");

        let body = alloc::vec![b'a'; 66_560];
        let credentials = Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        );
        let params = SigningParams::new(
            &credentials,
            "us-east-1",
            "s3",
            SigningTime::parse_amz_date("20130524T000000Z").unwrap(),
        );
        let layout = ChunkedLayout::new(66_560, 65_536)
            .unwrap()
            .with_trailer(TRAILER.0.len(), TRAILER.1.len());
        assert_eq!(layout.encoded_len(), 66_946);
        let req = SignableRequest::new(
            "PUT",
            "https://s3.amazonaws.com/examplebucket/chunkObject.txt",
        )
        .unwrap()
        .header("x-amz-storage-class", "REDUCED_REDUNDANCY")
        .header("content-encoding", "aws-chunked")
        .header("x-amz-decoded-content-length", "66560")
        .header("x-amz-trailer", "x-amz-checksum-crc32c")
        .payload(Payload::StreamingSignedTrailer);
        let seed = sign_headers(&req, &params).unwrap();
        assert_eq!(
            seed.canonical_request(),
            "PUT\n/examplebucket/chunkObject.txt\n\n\
             content-encoding:aws-chunked\n\
             host:s3.amazonaws.com\n\
             x-amz-content-sha256:STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER\n\
             x-amz-date:20130524T000000Z\n\
             x-amz-decoded-content-length:66560\n\
             x-amz-storage-class:REDUCED_REDUNDANCY\n\
             x-amz-trailer:x-amz-checksum-crc32c\n\n\
             content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer\n\
             STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
        );
        assert_eq!(
            seed.string_to_sign(),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n\
             44d48b8c2f70eae815a0198cc73d7a546a73a93359c070abbaa5e6c7de112559"
        );
        assert_eq!(seed.signature(), SEED);

        // One signature at a time: the three chunks, then the trailer.
        let mut signer = ChunkSigner::new(&params, SEED).unwrap();
        let sigs = [
            signer.sign_chunk(&body[..65_536]).to_string(),
            signer.sign_chunk(&body[65_536..]).to_string(),
            signer.sign_chunk(b"").to_string(),
        ];
        assert_eq!(sigs, CHUNK_SIGNATURES);
        assert_eq!(signer.sign_trailer(&[TRAILER]), TRAILER_SIGNATURE);

        // The encoded body, frame by frame.
        let mut signer = ChunkSigner::new(&params, SEED).unwrap();
        let encoded = layout.encode(&body, &mut signer, Some(TRAILER)).unwrap();
        let mut expected = alloc::vec::Vec::new();
        expected.extend_from_slice(
            alloc::format!("10000;chunk-signature={}\r\n", CHUNK_SIGNATURES[0]).as_bytes(),
        );
        expected.extend_from_slice(&body[..65_536]);
        expected.extend_from_slice(
            alloc::format!("\r\n400;chunk-signature={}\r\n", CHUNK_SIGNATURES[1]).as_bytes(),
        );
        expected.extend_from_slice(&body[65_536..]);
        expected.extend_from_slice(
            alloc::format!(
                "\r\n0;chunk-signature={}\r\nx-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:{TRAILER_SIGNATURE}\r\n\r\n",
                CHUNK_SIGNATURES[2]
            )
            .as_bytes(),
        );
        assert_eq!(encoded.len(), 66_946);
        assert!(
            encoded == expected,
            "encoded body differs from the documented frames"
        );
        assert_eq!(signer.previous_signature(), TRAILER_SIGNATURE);
    }

    #[test]
    fn trailer_layout_length_matches_the_encoding() {
        let credentials = Credentials::new("AKID", "secret");
        let params = SigningParams::new(
            &credentials,
            "us-east-1",
            "s3",
            SigningTime::from_unix_seconds(0).unwrap(),
        );
        for len in [0u64, 1, 8191, 8192, 8193, 20_000] {
            let body = alloc::vec![7u8; len as usize];
            let layout = ChunkedLayout::new(len, 8192).unwrap().with_trailer(20, 8);
            let mut signer = ChunkSigner::new(&params, &"0".repeat(64)).unwrap();
            let enc = layout
                .encode(
                    &body,
                    &mut signer,
                    Some(("x-amz-checksum-crc32", "AAAAAA==")),
                )
                .unwrap();
            assert_eq!(enc.len() as u64, layout.encoded_len(), "len {len}");
            let plain = ChunkedLayout::new(len, 8192).unwrap();
            let mut signer = ChunkSigner::new(&params, &"0".repeat(64)).unwrap();
            assert_eq!(
                plain.encode(&body, &mut signer, None).unwrap().len() as u64,
                plain.encoded_len()
            );
            for trailer in [
                None,
                Some(("x-amz-checksum-sha1", "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=")),
            ] {
                let mut unsigned = ChunkedLayout::unsigned(len, 8192).unwrap();
                if let Some((n, v)) = trailer {
                    unsigned = unsigned.with_trailer(n.len(), v.len());
                }
                let enc = unsigned
                    .encode(&body, &mut UnsignedChunks, trailer)
                    .unwrap();
                assert_eq!(
                    enc.len() as u64,
                    unsigned.encoded_len(),
                    "unsigned, len {len}"
                );
            }
        }
    }

    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER` framing, byte for byte: the
    /// aws-chunked frames the AWS SDKs send (`hex(len)\r\n`, no chunk
    /// extension, `0\r\n`, the trailer line, `\r\n`).
    #[test]
    fn unsigned_trailer_frames() {
        let body: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
        let trailer = ("x-amz-checksum-crc32c", "sOO8/Q==");
        let layout = ChunkedLayout::unsigned(20_000, 8192)
            .unwrap()
            .with_trailer(trailer.0.len(), trailer.1.len());
        assert!(!layout.is_signed());
        let encoded = layout
            .encode(&body, &mut UnsignedChunks, Some(trailer))
            .unwrap();
        let mut expected = Vec::new();
        expected.extend_from_slice(b"2000\r\n");
        expected.extend_from_slice(&body[..8192]);
        expected.extend_from_slice(b"\r\n2000\r\n");
        expected.extend_from_slice(&body[8192..16_384]);
        expected.extend_from_slice(b"\r\ne20\r\n");
        expected.extend_from_slice(&body[16_384..]);
        expected.extend_from_slice(b"\r\n0\r\nx-amz-checksum-crc32c:sOO8/Q==\r\n\r\n");
        assert!(encoded == expected, "unsigned frames differ");
        assert_eq!(layout.encoded_len(), expected.len() as u64);
        assert_eq!(
            layout.encoded_len(),
            20_000 + 6 + 2 + 6 + 2 + 5 + 2 + 3 + 32 + 2
        );

        // Without a trailer: the final chunk and the blank line.
        let plain = ChunkedLayout::unsigned(3, 8192).unwrap();
        let encoded = plain.encode(b"abc", &mut UnsignedChunks, None).unwrap();
        assert_eq!(encoded, b"3\r\nabc\r\n0\r\n\r\n");
        assert_eq!(plain.encoded_len(), 13);
        // An empty body is the final chunk alone.
        let empty = ChunkedLayout::unsigned(0, 8192)
            .unwrap()
            .with_trailer(20, 8);
        let encoded = empty
            .encode(
                b"",
                &mut UnsignedChunks,
                Some(("x-amz-checksum-crc32", "AAAAAA==")),
            )
            .unwrap();
        assert_eq!(encoded, b"0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n");
        assert_eq!(empty.encoded_len(), encoded.len() as u64);
    }

    /// A signer that does not fit the layout: signatures with unsigned
    /// frames, or none with signed frames.
    #[test]
    fn the_signer_must_fit_the_layout() {
        let credentials = Credentials::new("AKID", "secret");
        let params = SigningParams::new(
            &credentials,
            "us-east-1",
            "s3",
            SigningTime::from_unix_seconds(0).unwrap(),
        );
        let wrong = Err(Error::MalformedSignature {
            reason: "the signer's signatures do not have the layout's length",
        });
        let mut signer = ChunkSigner::new(&params, &"0".repeat(64)).unwrap();
        let unsigned = ChunkedLayout::unsigned(3, 8192).unwrap();
        assert_eq!(unsigned.encode(b"abc", &mut signer, None), wrong);
        let signed = ChunkedLayout::new(3, 8192).unwrap();
        assert_eq!(signed.encode(b"abc", &mut UnsignedChunks, None), wrong);
        let mut out = Vec::new();
        assert_eq!(
            signed.write_final(&mut out, &mut UnsignedChunks, None),
            wrong.map(|_| ())
        );
    }

    #[test]
    fn bad_inputs_are_errors() {
        let credentials = Credentials::new("AKID", "secret");
        let params = SigningParams::new(
            &credentials,
            "us-east-1",
            "s3",
            SigningTime::from_unix_seconds(0).unwrap(),
        );
        let bad_seed = Error::MalformedSignature {
            reason: "seed signature is not 64 lowercase hex digits",
        };
        for seed in [
            String::from("abc"),
            String::new(),
            "G".repeat(64),
            "A".repeat(64),
            "0".repeat(63),
            "0".repeat(65),
        ] {
            assert_eq!(
                ChunkSigner::new(&params, &seed).unwrap_err(),
                bad_seed,
                "seed {seed:?}"
            );
        }
        assert_eq!(
            ChunkedLayout::new(10, 100),
            Err(Error::InvalidChunkSize { size: 100 })
        );
        assert_eq!(
            ChunkedLayout::new(10, MIN_CHUNK_SIZE - 1),
            Err(Error::InvalidChunkSize { size: 8191 })
        );
        assert_eq!(
            ChunkedLayout::new(10, 0),
            Err(Error::InvalidChunkSize { size: 0 })
        );
        assert_eq!(
            ChunkedLayout::new(10, MIN_CHUNK_SIZE).map(|l| l.chunk_size()),
            Ok(8192)
        );
        let layout = ChunkedLayout::new(10, 8192).unwrap();
        let mut signer = ChunkSigner::new(&params, &"0".repeat(64)).unwrap();
        // A body of another length than the layout's: its length is named.
        assert_eq!(
            layout.encode(b"short", &mut signer, None),
            Err(Error::InvalidChunkSize { size: 5 })
        );
        assert_eq!(
            layout.encode(b"0123456789!", &mut signer, None),
            Err(Error::InvalidChunkSize { size: 11 })
        );
        assert_eq!(
            layout.encode(b"0123456789", &mut signer, Some(("x", "y"))),
            Err(Error::MalformedSignature {
                reason: "layout has no trailer"
            })
        );
        // A layout with a trailer: none given, or one of other lengths.
        let with = layout.with_trailer(20, 8);
        let mismatch = Err(Error::MalformedSignature {
            reason: "trailer does not match the layout",
        });
        assert_eq!(with.encode(b"0123456789", &mut signer, None), mismatch);
        assert_eq!(
            with.encode(
                b"0123456789",
                &mut signer,
                Some(("x-amz-checksum-crc32c", "AAAAAA=="))
            ),
            mismatch
        );
        assert_eq!(
            with.encode(
                b"0123456789",
                &mut signer,
                Some(("x-amz-checksum-crc32", "AAAAAA="))
            ),
            mismatch
        );
        // A refused encoding signs nothing: the chain is still at the seed.
        assert_eq!(signer.previous_signature(), "0".repeat(64));
    }
}
