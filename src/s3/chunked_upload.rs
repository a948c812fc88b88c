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
        let checksum = crc32_trailer.then(|| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(crc32fast::hash(body).to_be_bytes())
        });
        let mut layout = ChunkedLayout::new(body.len() as u64, chunk_size)?;
        if let Some(c) = &checksum {
            layout = layout.with_trailer(TRAILER.len(), c.len());
        }
        let lengths = layout.headers();
        let mut all: Vec<(&str, &str)> = headers.to_vec();
        all.extend(lengths.iter().map(|(n, v)| (*n, v.as_str())));
        let payload = if checksum.is_some() {
            all.push((X_AMZ_TRAILER, TRAILER));
            Payload::StreamingSignedTrailer
        } else {
            Payload::StreamingSigned
        };
        let seed = self.sign("PUT", credentials, time, &[], &all, payload)?;
        let params = SigningParams::new(credentials, &self.region, "s3", time);
        let mut signer = ChunkSigner::new(&params, &seed.signature)?;
        let encoded =
            layout.encode(body, &mut signer, checksum.as_deref().map(|c| (TRAILER, c)))?;
        Ok((seed, encoded))
    }
}
