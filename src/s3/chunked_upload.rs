//! aws-chunked uploads: a PUT whose body is sent in chunks, each signed
//! (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`, or `-TRAILER` with a signed
//! checksum trailer) or unsigned with a checksum trailer
//! (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`, what the AWS SDKs send over HTTPS).
//!
//! [`ChunkedUpload`] says how; [`S3Location::sign_chunked_upload`] signs
//! the request and returns the body as a [`ChunkedBody`] reader (streamed,
//! one chunk in memory), [`S3Location::sign_chunked_put`] the whole encoded
//! body of bytes in memory. Both take the same steps
//! ([`ChunkedUpload::layout`], [`headers`](ChunkedUpload::headers),
//! [`payload`](ChunkedUpload::payload), the seed signature, the chunk signer),
//! which callers signing with their own request type (the `sigv4` CLI) use
//! too.
//!
//! ```
//! use sigv4::s3::{ChunkedUpload, S3Location};
//! use sigv4::sign::checksum::ChecksumAlgorithm;
//! use sigv4::sign::SigningTime;
//! use sigv4::Credentials;
//! use std::io::Read;
//!
//! let credentials = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
//! let time = SigningTime::parse_amz_date("20130524T000000Z")?;
//! let object = S3Location::parse("s3://examplebucket/chunkObject.txt", "us-east-1")?;
//! let file = std::io::repeat(b'a').take(66_560); // any `Read`: a file, a pipe
//! let upload = ChunkedUpload::unsigned_trailer(ChecksumAlgorithm::Crc32c);
//! let (request, mut body) = object.sign_chunked_upload(&credentials, time, &[], &upload, 66_560, file)?;
//! assert!(request.headers.contains(&("x-amz-trailer".into(), "x-amz-checksum-crc32c".into())));
//! // Send `request.headers` and stream `body` (content-length: body.encoded_len()).
//! let mut sent = Vec::new();
//! body.read_to_end(&mut sent)?;
//! assert_eq!(sent.len() as u64, body.encoded_len());
//! assert!(sent.ends_with(b"\r\n0\r\nx-amz-checksum-crc32c:sOO8/Q==\r\n\r\n"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io::Read;

use super::chunked_body::ChunkedBody;
use super::{S3Error, S3Location, SignedRequest};
use crate::sign::checksum::ChecksumAlgorithm;
use crate::sign::chunked::{ChunkSigner, ChunkedLayout, SignChunks, UnsignedChunks};
use crate::sign::names::{X_AMZ_SDK_CHECKSUM_ALGORITHM, X_AMZ_TRAILER};
use crate::sign::Credentials;
use crate::sign::{Payload, SigningParams, SigningTime};

/// How the chunks of an aws-chunked upload are framed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UploadMode {
    /// Each chunk signed, chained on the request's signature; a checksum,
    /// if any, in a signed trailer.
    #[default]
    SignedChunks,
    /// Unsigned chunks and an unsigned checksum trailer (the request's
    /// headers are still signed; TLS protects the body).
    UnsignedTrailer,
}

/// The settings of one aws-chunked upload: framing, chunk size, checksum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChunkedUpload {
    mode: UploadMode,
    chunk_size: usize,
    checksum: Option<ChecksumAlgorithm>,
}

impl ChunkedUpload {
    /// The chunk size unless set: 64 KiB (the AWS SDKs').
    pub const DEFAULT_CHUNK_SIZE: usize = 64 * 1024;

    /// Signed chunks, no checksum.
    pub const fn signed_chunks() -> Self {
        ChunkedUpload {
            mode: UploadMode::SignedChunks,
            chunk_size: Self::DEFAULT_CHUNK_SIZE,
            checksum: None,
        }
    }

    /// Unsigned chunks with a `checksum` trailer.
    pub const fn unsigned_trailer(checksum: ChecksumAlgorithm) -> Self {
        ChunkedUpload {
            mode: UploadMode::UnsignedTrailer,
            chunk_size: Self::DEFAULT_CHUNK_SIZE,
            checksum: Some(checksum),
        }
    }

    /// Chunks of `size` bytes (at least 8 KiB; checked when signing).
    pub const fn with_chunk_size(mut self, size: usize) -> Self {
        self.chunk_size = size;
        self
    }

    /// Sends a trailer with the `algorithm` checksum of the body (signed
    /// with signed chunks).
    pub const fn with_checksum(mut self, algorithm: ChecksumAlgorithm) -> Self {
        self.checksum = Some(algorithm);
        self
    }

    /// The framing.
    pub const fn mode(&self) -> UploadMode {
        self.mode
    }

    /// The chunk size.
    pub const fn chunk_size(&self) -> usize {
        self.chunk_size
    }

    /// The trailer's checksum algorithm.
    pub const fn checksum(&self) -> Option<ChecksumAlgorithm> {
        self.checksum
    }

    /// The layout of a body of `decoded_len` bytes; `sigv4a`: the chunks
    /// are signed with SigV4a (144-character signatures; without the
    /// `sigv4a` feature that is [`S3Error::Sigv4aUnavailable`]).
    pub fn layout(&self, decoded_len: u64, sigv4a: bool) -> Result<ChunkedLayout, S3Error> {
        let layout = match self.mode {
            UploadMode::UnsignedTrailer => ChunkedLayout::unsigned(decoded_len, self.chunk_size)?,
            UploadMode::SignedChunks => signed_layout(sigv4a, decoded_len, self.chunk_size)?,
        };
        Ok(match self.checksum {
            Some(a) => layout.with_trailer(a.header_name().len(), a.base64_len()),
            None => layout,
        })
    }

    /// The headers the request must carry and sign besides the caller's:
    /// those of [`ChunkedLayout::headers`] (`content-encoding: aws-chunked`,
    /// `x-amz-decoded-content-length`, `content-length` of the encoded
    /// body) and, with a checksum, `x-amz-trailer` and
    /// `x-amz-sdk-checksum-algorithm`.
    pub fn headers(&self, layout: &ChunkedLayout) -> Vec<(&'static str, String)> {
        let mut headers: Vec<(&'static str, String)> = layout.headers().into();
        if let Some(a) = self.checksum {
            headers.push((X_AMZ_TRAILER, a.header_name().into()));
            headers.push((X_AMZ_SDK_CHECKSUM_ALGORITHM, a.as_str().into()));
        }
        headers
    }

    /// What frames the chunks, chained on the request's `seed_signature`:
    /// a SigV4 chunk signer for `region` (or a SigV4a one for
    /// `region_set`, when given), or [`UnsignedChunks`] for the unsigned
    /// trailer.
    pub fn chunk_signer<'a>(
        &self,
        credentials: &'a Credentials,
        region: &'a str,
        region_set: Option<&'a str>,
        service: &'a str,
        time: SigningTime,
        seed_signature: &str,
    ) -> Result<BoxedChunkSigner<'a>, S3Error> {
        Ok(match (self.mode, region_set) {
            (UploadMode::UnsignedTrailer, _) => Box::new(UnsignedChunks),
            (UploadMode::SignedChunks, None) => {
                let params = SigningParams::new(credentials, region, service, time);
                Box::new(ChunkSigner::new(&params, seed_signature)?)
            }
            #[cfg(feature = "sigv4a")]
            (UploadMode::SignedChunks, Some(set)) => {
                use crate::sign::v4a;
                let params = v4a::SigningParams::new(credentials, set, service, time);
                Box::new(v4a::chunked::ChunkSigner::new(&params, seed_signature)?)
            }
            #[cfg(not(feature = "sigv4a"))]
            (UploadMode::SignedChunks, Some(_)) => {
                return Err(S3Error::Sigv4aUnavailable {
                    reason: "built without the `sigv4a` feature",
                })
            }
        })
    }

    /// The payload marker the request is signed with.
    pub const fn payload(&self, sigv4a: bool) -> Payload<'static> {
        match (self.mode, self.checksum.is_some(), sigv4a) {
            (UploadMode::UnsignedTrailer, _, _) => Payload::StreamingUnsignedTrailer,
            (UploadMode::SignedChunks, false, false) => Payload::StreamingSigned,
            (UploadMode::SignedChunks, true, false) => Payload::StreamingSignedTrailer,
            (UploadMode::SignedChunks, false, true) => Payload::StreamingEcdsaSigned,
            (UploadMode::SignedChunks, true, true) => Payload::StreamingEcdsaSignedTrailer,
        }
    }
}

impl Default for ChunkedUpload {
    fn default() -> Self {
        Self::signed_chunks()
    }
}

/// What frames the body's chunks: a SigV4 or SigV4a chunk signer, or
/// [`UnsignedChunks`].
pub type BoxedChunkSigner<'a> = Box<dyn SignChunks + Send + 'a>;

impl S3Location {
    /// Signs a PUT of a body of `decoded_len` bytes read from `body` as an
    /// aws-chunked upload framed as `upload` says. Returns the request
    /// (with the `content-length` of the encoded body) and the encoded
    /// body as a reader that reads, checksums, frames and signs one chunk
    /// at a time. Reading it fails if `body` ends early or holds more.
    ///
    /// A SigV4a location (a Multi-Region Access Point, or
    /// [`with_region_set`](Self::with_region_set)) is signed with SigV4a:
    /// `STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD` (or `-TRAILER`) and ECDSA
    /// chunk signatures padded to 144 characters
    /// ([`sign::v4a::chunked`](crate::sign::v4a::chunked)); without the
    /// `sigv4a` feature that is [`S3Error::Sigv4aUnavailable`].
    pub fn sign_chunked_upload<'a, R: Read>(
        &'a self,
        credentials: &'a Credentials,
        time: SigningTime,
        headers: &[(&str, &str)],
        upload: &ChunkedUpload,
        decoded_len: u64,
        body: R,
    ) -> Result<(SignedRequest, ChunkedBody<R, BoxedChunkSigner<'a>>), S3Error> {
        let (request, layout, signer) =
            self.sign_chunked_seed(credentials, time, headers, upload, decoded_len)?;
        let body = ChunkedBody::new(body, layout, signer, upload.checksum)?;
        Ok((request, body))
    }

    /// Signs a PUT of `body` as an aws-chunked upload framed as `upload`
    /// says; returns the request and the whole encoded body. See
    /// [`sign_chunked_upload`](Self::sign_chunked_upload) for a body that
    /// is not in memory.
    pub fn sign_chunked_put(
        &self,
        credentials: &Credentials,
        time: SigningTime,
        headers: &[(&str, &str)],
        body: &[u8],
        upload: &ChunkedUpload,
    ) -> Result<(SignedRequest, Vec<u8>), S3Error> {
        let (request, layout, mut signer) =
            self.sign_chunked_seed(credentials, time, headers, upload, body.len() as u64)?;
        let checksum = upload.checksum.map(|a| a.checksum(body));
        let trailer = checksum.as_ref().map(|c| c.header());
        let encoded = layout.encode(body, &mut signer, trailer)?;
        Ok((request, encoded))
    }

    /// The steps both take: the layout, the request signed with its
    /// headers (the seed), and the signer of the chunks chained on it.
    fn sign_chunked_seed<'a>(
        &'a self,
        credentials: &'a Credentials,
        time: SigningTime,
        headers: &[(&str, &str)],
        upload: &ChunkedUpload,
        decoded_len: u64,
    ) -> Result<(SignedRequest, ChunkedLayout, BoxedChunkSigner<'a>), S3Error> {
        let v4a = self.region_set.is_some();
        let layout = upload.layout(decoded_len, v4a)?;
        let added = upload.headers(&layout);
        let mut all: Vec<(&str, &str)> = headers.to_vec();
        all.extend(added.iter().map(|(n, v)| (*n, v.as_str())));
        let seed = self.sign("PUT", credentials, time, &[], &all, upload.payload(v4a))?;
        let signer = upload.chunk_signer(
            credentials,
            &self.region,
            self.region_set.as_deref(),
            "s3",
            time,
            &seed.signature,
        )?;
        Ok((seed, layout, signer))
    }
}

/// The signed-chunk layout: SigV4's, or SigV4a's (144-character chunk signatures).
fn signed_layout(v4a: bool, decoded_len: u64, chunk_size: usize) -> Result<ChunkedLayout, S3Error> {
    #[cfg(feature = "sigv4a")]
    if v4a {
        return Ok(crate::sign::v4a::chunked::layout(decoded_len, chunk_size)?);
    }
    #[cfg(not(feature = "sigv4a"))]
    if v4a {
        return Err(S3Error::Sigv4aUnavailable {
            reason: "built without the `sigv4a` feature",
        });
    }
    Ok(ChunkedLayout::new(decoded_len, chunk_size)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::s3::test_support::{example_credentials, t};
    use crate::sign::checksum::ChecksumAlgorithm::{self, *};

    fn location() -> S3Location {
        S3Location::new("examplebucket", "chunkObject.txt", "us-east-1").unwrap()
    }

    fn header<'a>(req: &'a SignedRequest, name: &str) -> Option<&'a str> {
        req.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn chunk_size_below_8_kib_is_refused() {
        let l = location();
        for upload in [
            ChunkedUpload::signed_chunks(),
            ChunkedUpload::signed_chunks().with_checksum(Crc32),
            ChunkedUpload::unsigned_trailer(Sha1),
        ] {
            let upload = upload.with_chunk_size(8191);
            let refused = Err(S3Error::Sign(crate::sign::Error::InvalidChunkSize {
                size: 8191,
            }));
            assert_eq!(
                l.sign_chunked_put(&example_credentials(), t(), &[], b"abc", &upload),
                refused
            );
            let creds = example_credentials();
            let streamed = l
                .sign_chunked_upload(&creds, t(), &[], &upload, 3, &b"abc"[..])
                .map(|_| ());
            assert_eq!(streamed, refused.map(|_| ()));
        }
    }

    #[test]
    fn the_trailer_is_the_checksum_of_the_body() {
        let l = location();
        // "abc": CRC-32 0x352441c2 (the usual check value), base64 `NSRBwg==`.
        let upload = ChunkedUpload::signed_chunks()
            .with_checksum(Crc32)
            .with_chunk_size(8192);
        let (req, encoded) = l
            .sign_chunked_put(&example_credentials(), t(), &[], b"abc", &upload)
            .unwrap();
        assert_eq!(header(&req, "x-amz-trailer"), Some("x-amz-checksum-crc32"));
        assert_eq!(header(&req, "x-amz-sdk-checksum-algorithm"), Some("CRC32"));
        assert_eq!(
            header(&req, "x-amz-content-sha256"),
            Some("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")
        );
        assert_eq!(header(&req, "x-amz-decoded-content-length"), Some("3"));
        assert_eq!(
            header(&req, "content-length"),
            Some(encoded.len().to_string().as_str())
        );
        let text = String::from_utf8(encoded).unwrap();
        assert!(
            text.contains("\r\nx-amz-checksum-crc32:NSRBwg==\r\nx-amz-trailer-signature:"),
            "{text}"
        );
        assert!(text.starts_with("3;chunk-signature="), "{text}");
    }

    /// The unsigned trailer: headers, and the body the SDKs send.
    #[test]
    fn unsigned_trailer_upload() {
        let l = location();
        let body = vec![b'a'; 66_560];
        let upload = ChunkedUpload::unsigned_trailer(Crc32c);
        let (req, encoded) = l
            .sign_chunked_put(&example_credentials(), t(), &[], &body, &upload)
            .unwrap();
        assert_eq!(
            header(&req, "x-amz-content-sha256"),
            Some("STREAMING-UNSIGNED-PAYLOAD-TRAILER")
        );
        assert_eq!(header(&req, "content-encoding"), Some("aws-chunked"));
        assert_eq!(header(&req, "x-amz-trailer"), Some("x-amz-checksum-crc32c"));
        assert_eq!(header(&req, "x-amz-sdk-checksum-algorithm"), Some("CRC32C"));
        assert_eq!(header(&req, "x-amz-decoded-content-length"), Some("66560"));
        let mut expected = b"10000\r\n".to_vec();
        expected.extend_from_slice(&body[..65_536]);
        expected.extend_from_slice(b"\r\n400\r\n");
        expected.extend_from_slice(&body[65_536..]);
        // The checksum is the S3 documentation's for this body.
        expected.extend_from_slice(b"\r\n0\r\nx-amz-checksum-crc32c:sOO8/Q==\r\n\r\n");
        assert!(encoded == expected, "unsigned trailer body differs");
        assert_eq!(
            header(&req, "content-length"),
            Some(expected.len().to_string().as_str())
        );
        // Every signed header is in the signature.
        let signed = req.canonical_request.lines().nth_back(1).unwrap();
        assert_eq!(
            signed,
            "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-sdk-checksum-algorithm;x-amz-trailer"
        );
    }

    /// The streamed body is the in-memory one, for each mode and
    /// checksum, whatever sizes the reader is read in.
    #[test]
    fn streamed_and_in_memory_bodies_are_the_same() {
        let l = location();
        let creds = example_credentials();
        let body: Vec<u8> = (0..30_000u32).map(|i| (i * 31 % 256) as u8).collect();
        let mut uploads = vec![ChunkedUpload::signed_chunks()];
        for a in ChecksumAlgorithm::ALL {
            uploads.push(ChunkedUpload::signed_chunks().with_checksum(a));
            uploads.push(ChunkedUpload::unsigned_trailer(a));
        }
        for upload in uploads {
            let upload = upload.with_chunk_size(8192);
            let (req, encoded) = l
                .sign_chunked_put(&creds, t(), &[], &body, &upload)
                .unwrap();
            let (streamed_req, mut reader) = l
                .sign_chunked_upload(&creds, t(), &[], &upload, body.len() as u64, &body[..])
                .unwrap();
            assert_eq!(streamed_req, req, "{upload:?}");
            assert_eq!(reader.encoded_len(), encoded.len() as u64);
            let mut streamed = Vec::new();
            let mut buf = [0u8; 777];
            loop {
                let n = reader.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                streamed.extend_from_slice(&buf[..n]);
            }
            assert!(streamed == encoded, "{upload:?}");
            assert_eq!(
                reader.checksum().map(|c| c.algorithm()),
                upload.checksum(),
                "{upload:?}"
            );
        }
    }
}
