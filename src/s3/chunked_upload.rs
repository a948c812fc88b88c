//! aws-chunked uploads: a PUT whose body is sent in signed chunks, with
//! an optional signed CRC32 trailer.

use super::{S3Error, S3Location, SignedRequest};
use crate::sign::chunked::{ChunkSigner, ChunkedLayout};
use crate::sign::names::{X_AMZ_CHECKSUM_CRC32, X_AMZ_TRAILER};
use crate::sign::Credentials;
use crate::sign::{Payload, SigningParams, SigningTime};

impl S3Location {
    /// Signs a PUT of `body` as an aws-chunked upload in chunks of
    /// `chunk_size` bytes (at least 8 KiB), each chunk signed, optionally
    /// with a signed `x-amz-checksum-crc32` trailer. Returns the request
    /// (with `content-length` of the encoded body) and the encoded body.
    ///
    /// A SigV4a location (a Multi-Region Access Point, or
    /// [`with_region_set`](Self::with_region_set)) is signed with SigV4a:
    /// `STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD` (or `-TRAILER`) and ECDSA
    /// chunk signatures padded to 144 characters
    /// ([`sign::v4a::chunked`](crate::sign::v4a::chunked)); without the
    /// `sigv4a` feature that is [`S3Error::Sigv4aUnavailable`].
    pub fn sign_chunked_put(
        &self,
        credentials: &Credentials,
        time: SigningTime,
        headers: &[(&str, &str)],
        body: &[u8],
        chunk_size: usize,
        crc32_trailer: bool,
    ) -> Result<(SignedRequest, Vec<u8>), S3Error> {
        const TRAILER: &str = X_AMZ_CHECKSUM_CRC32;
        let v4a = self.region_set.is_some();
        let checksum = crc32_trailer.then(|| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(crc32fast::hash(body).to_be_bytes())
        });
        let mut layout = chunked_layout(v4a, body.len() as u64, chunk_size)?;
        if let Some(c) = &checksum {
            layout = layout.with_trailer(TRAILER.len(), c.len());
        }
        let lengths = layout.headers();
        let mut all: Vec<(&str, &str)> = headers.to_vec();
        all.extend(lengths.iter().map(|(n, v)| (*n, v.as_str())));
        let payload = match (checksum.is_some(), v4a) {
            (false, false) => Payload::StreamingSigned,
            (true, false) => Payload::StreamingSignedTrailer,
            (false, true) => Payload::StreamingEcdsaSigned,
            (true, true) => Payload::StreamingEcdsaSignedTrailer,
        };
        if checksum.is_some() {
            all.push((X_AMZ_TRAILER, TRAILER));
        }
        let seed = self.sign("PUT", credentials, time, &[], &all, payload)?;
        let trailer = checksum.as_deref().map(|c| (TRAILER, c));
        let encoded = match &self.region_set {
            None => {
                let params = SigningParams::new(credentials, &self.region, "s3", time);
                let mut signer = ChunkSigner::new(&params, &seed.signature)?;
                layout.encode(body, &mut signer, trailer)?
            }
            #[cfg(feature = "sigv4a")]
            Some(set) => {
                use crate::sign::v4a;
                let params = v4a::SigningParams::new(credentials, set, "s3", time);
                let mut signer = v4a::chunked::ChunkSigner::new(&params, &seed.signature)?;
                layout.encode(body, &mut signer, trailer)?
            }
            // `sign` above already refused it.
            #[cfg(not(feature = "sigv4a"))]
            Some(_) => {
                return Err(S3Error::Sigv4aUnavailable {
                    reason: "built without the `sigv4a` feature",
                })
            }
        };
        Ok((seed, encoded))
    }
}

/// The layout: SigV4's, or SigV4a's (144-character chunk signatures).
fn chunked_layout(
    v4a: bool,
    decoded_len: u64,
    chunk_size: usize,
) -> Result<ChunkedLayout, S3Error> {
    #[cfg(feature = "sigv4a")]
    if v4a {
        return Ok(crate::sign::v4a::chunked::layout(decoded_len, chunk_size)?);
    }
    let _ = v4a;
    Ok(ChunkedLayout::new(decoded_len, chunk_size)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::s3::test_support::{example_credentials, t};

    #[test]
    fn chunk_size_below_8_kib_is_refused() {
        let l = S3Location::new("examplebucket", "chunkObject.txt", "us-east-1").unwrap();
        for trailer in [false, true] {
            assert_eq!(
                l.sign_chunked_put(&example_credentials(), t(), &[], b"abc", 8191, trailer),
                Err(S3Error::Sign(crate::sign::Error::InvalidChunkSize {
                    size: 8191
                }))
            );
        }
    }

    #[test]
    fn the_trailer_is_the_crc32_of_the_body() {
        let l = S3Location::new("examplebucket", "chunkObject.txt", "us-east-1").unwrap();
        let (req, encoded) = l
            .sign_chunked_put(&example_credentials(), t(), &[], b"abc", 8192, true)
            .unwrap();
        let header = |name: &str| {
            req.headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(header("x-amz-trailer"), Some("x-amz-checksum-crc32"));
        assert_eq!(
            header("x-amz-content-sha256"),
            Some("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")
        );
        assert_eq!(header("x-amz-decoded-content-length"), Some("3"));
        assert_eq!(
            header("content-length"),
            Some(encoded.len().to_string().as_str())
        );
        // CRC-32 of "abc" is 0x352441c2 (the usual check value), base64 `NSRBwg==`.
        let text = String::from_utf8(encoded).unwrap();
        assert!(
            text.contains("\r\nx-amz-checksum-crc32:NSRBwg==\r\nx-amz-trailer-signature:"),
            "{text}"
        );
        assert!(text.starts_with("3;chunk-signature="), "{text}");
    }
}
