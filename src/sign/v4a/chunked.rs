//! aws-chunked streaming signatures with SigV4a
//! (`STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD` and the `-TRAILER` form).
//!
//! The rules are SigV4's aws-chunked rules ([`crate::sign::chunked`]) with
//! the SigV4a algorithm names, scope and signatures, as AWS's CRT
//! (aws-c-auth) signs them:
//!
//! - the request is header-signed with SigV4a ([`sign_headers`](super::sign_headers))
//!   and [`Payload::StreamingEcdsaSigned`](crate::sign::Payload::StreamingEcdsaSigned)
//!   (or [`StreamingEcdsaSignedTrailer`](crate::sign::Payload::StreamingEcdsaSignedTrailer))
//!   and the headers of [`layout`]; that signature is the *seed*;
//! - each chunk is signed (ECDSA-SHA256, DER, hex) over
//!
//!   ```text
//!   AWS4-ECDSA-P256-SHA256-PAYLOAD \n date \n YYYYMMDD/service/aws4_request \n
//!   previous-signature \n hex(sha256("")) \n hex(sha256(chunk-data))
//!   ```
//!
//!   and the trailer over
//!
//!   ```text
//!   AWS4-ECDSA-P256-SHA256-TRAILER \n date \n YYYYMMDD/service/aws4_request \n
//!   previous-signature \n hex(sha256("name:value\n"...))
//!   ```
//!
//! - because a DER signature is 70 to 72 bytes, each chunk and trailer
//!   signature is right-padded with `*` to [`SIGNATURE_LEN`] (144)
//!   characters in the body, so the encoded length is known in advance;
//!   the chain uses the signature *without* the padding (the previous
//!   signature of the first chunk is the seed's).
//!
//! ECDSA signatures here are deterministic (RFC 6979); AWS checks any valid
//! signature, so a chunk signature cannot be compared byte for byte with
//! another signer's, only verified ([`chunk_string_to_sign`] and
//! [`PublicKey::verify_message`](super::PublicKey::verify_message)).
//!
//! ```
//! use sigv4::sign::v4a::chunked::{self, ChunkSigner};
//! use sigv4::sign::v4a::{sign_headers, SigningParams};
//! use sigv4::sign::{Payload, SignableRequest, SigningTime};
//! use sigv4::Credentials;
//!
//! let body = vec![b'a'; 66_560];
//! let layout = chunked::layout(body.len() as u64, 65_536)?;
//! let credentials = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
//! let params = SigningParams::new(&credentials, "us-east-1", "s3", SigningTime::parse_amz_date("20130524T000000Z")?);
//! let lengths = layout.headers();
//! let req = SignableRequest::new("PUT", "https://s3.amazonaws.com/examplebucket/chunkObject.txt")?
//!     .headers(lengths.iter().map(|(n, v)| (*n, v.as_str())))
//!     .payload(Payload::StreamingEcdsaSigned);
//! let seed = sign_headers(&req, &params)?;
//!
//! let mut signer = ChunkSigner::new(&params, seed.signature())?;
//! let encoded = layout.encode(&body, &mut signer, None)?;
//! assert_eq!(encoded.len() as u64, layout.encoded_len());
//! assert!(encoded.starts_with(b"10000;chunk-signature=30"));
//!
//! // Anyone with the public key checks a chunk against its string to sign.
//! let first = &encoded[22..22 + chunked::SIGNATURE_LEN];
//! let first = chunked::trim_padding(core::str::from_utf8(first).unwrap());
//! let sts = chunked::chunk_string_to_sign(&params.scope(), seed.signature(), &body[..65_536]);
//! assert!(params.public_key()?.verify_message(sts.as_bytes(), first));
//! # Ok::<(), sigv4::sign::Error>(())
//! ```

use core::fmt;

use alloc::string::String;
use sha2::{Digest, Sha256};

use super::key::{EcdsaKey, PublicKey, MAX_SIGNATURE_HEX};
use super::{Scope, SigningParams};
use crate::sign::chunked::{feed_trailers, ChunkedLayout, SignChunks};
use crate::sign::payload::EMPTY_SHA256;
use crate::sign::Error;

/// Chunk signature algorithm line.
pub const CHUNK_ALGORITHM: &str = "AWS4-ECDSA-P256-SHA256-PAYLOAD";
/// Trailer signature algorithm line.
pub const TRAILER_ALGORITHM: &str = "AWS4-ECDSA-P256-SHA256-TRAILER";
/// Length of every chunk and trailer signature in the body: the longest
/// hex DER P-256 signature, shorter ones right-padded with [`PADDING`].
pub const SIGNATURE_LEN: usize = MAX_SIGNATURE_HEX;
/// The padding character of chunk signatures in the body.
pub const PADDING: char = '*';

/// The layout of a SigV4a aws-chunked body: [`ChunkedLayout::new`] with
/// [`SIGNATURE_LEN`]-character signatures.
///
/// ```
/// let layout = sigv4::sign::v4a::chunked::layout(66_560, 65_536)?;
/// // Three frames (two data chunks and the final one), each with 144 - 64
/// // more signature characters than SigV4's 66 824 bytes.
/// assert_eq!(layout.encoded_len(), 66_824 + 3 * 80);
/// # Ok::<(), sigv4::sign::Error>(())
/// ```
pub fn layout(decoded_len: u64, chunk_size: usize) -> Result<ChunkedLayout, Error> {
    Ok(ChunkedLayout::new(decoded_len, chunk_size)?.with_signature_len(SIGNATURE_LEN))
}

/// A chunk or trailer signature without its `*` padding.
///
/// ```
/// use sigv4::sign::v4a::chunked::trim_padding;
/// assert_eq!(trim_padding("3045ab**"), "3045ab");
/// assert_eq!(trim_padding("3045ab"), "3045ab");
/// ```
pub fn trim_padding(signature: &str) -> &str {
    signature.trim_end_matches(PADDING)
}

fn feed_head(
    sink: &mut dyn FnMut(&[u8]),
    algorithm: &str,
    scope: &Scope<'_>,
    previous_signature: &str,
) {
    sink(algorithm.as_bytes());
    sink(b"\n");
    sink(scope.date.amz_date().as_bytes());
    sink(b"\n");
    sink(scope.date.date_stamp().as_bytes());
    sink(b"/");
    sink(scope.service.as_bytes());
    sink(b"/aws4_request\n");
    sink(trim_padding(previous_signature).as_bytes());
}

fn feed_chunk(sink: &mut dyn FnMut(&[u8]), scope: &Scope<'_>, previous: &str, data_hash: &[u8]) {
    feed_head(sink, CHUNK_ALGORITHM, scope, previous);
    sink(b"\n");
    sink(EMPTY_SHA256.as_bytes());
    sink(b"\n");
    sink(data_hash);
}

fn feed_trailer(
    sink: &mut dyn FnMut(&[u8]),
    scope: &Scope<'_>,
    previous: &str,
    trailers_hash: &[u8],
) {
    feed_head(sink, TRAILER_ALGORITHM, scope, previous);
    sink(b"\n");
    sink(trailers_hash);
}

fn hex_sha256(data: &[u8]) -> [u8; 64] {
    crate::sign::lower_hex::hex32(&Sha256::digest(data).into())
}

fn trailers_hash(trailers: &[(&str, &str)]) -> [u8; 64] {
    let mut h = Sha256::new();
    feed_trailers(trailers, &mut |b| h.update(b));
    crate::sign::lower_hex::hex32(&h.finalize().into())
}

fn collect(feed: impl FnOnce(&mut dyn FnMut(&[u8]))) -> String {
    let mut s = String::with_capacity(400);
    feed(&mut |b| s.push_str(core::str::from_utf8(b).unwrap_or("")));
    s
}

/// The string to sign of a chunk (`data` empty for the final chunk) whose
/// previous signature (the seed's, for the first chunk) is
/// `previous_signature` (padding, if any, is ignored).
///
/// ```
/// use sigv4::sign::v4a::{chunked::chunk_string_to_sign, Scope};
/// use sigv4::sign::SigningTime;
/// let scope = Scope { date: SigningTime::parse_amz_date("20130524T000000Z")?, service: "s3" };
/// assert_eq!(
///     chunk_string_to_sign(&scope, "3045****", b""),
///     "AWS4-ECDSA-P256-SHA256-PAYLOAD\n20130524T000000Z\n20130524/s3/aws4_request\n3045\n\
///      e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
///      e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
/// );
/// # Ok::<(), sigv4::sign::Error>(())
/// ```
pub fn chunk_string_to_sign(scope: &Scope<'_>, previous_signature: &str, data: &[u8]) -> String {
    let hash = hex_sha256(data);
    collect(|sink| feed_chunk(sink, scope, previous_signature, &hash))
}

/// The string to sign of the trailer headers after the final chunk, whose
/// signature is `previous_signature`.
///
/// ```
/// use sigv4::sign::v4a::{chunked::trailer_string_to_sign, Scope};
/// use sigv4::sign::SigningTime;
/// let scope = Scope { date: SigningTime::parse_amz_date("20130524T000000Z")?, service: "s3" };
/// let sts = trailer_string_to_sign(&scope, "3045", &[("x-amz-checksum-crc32", "NSRBwg==")]);
/// assert!(sts.starts_with("AWS4-ECDSA-P256-SHA256-TRAILER\n20130524T000000Z\n20130524/s3/aws4_request\n3045\n"));
/// # Ok::<(), sigv4::sign::Error>(())
/// ```
pub fn trailer_string_to_sign(
    scope: &Scope<'_>,
    previous_signature: &str,
    trailers: &[(&str, &str)],
) -> String {
    let hash = trailers_hash(trailers);
    collect(|sink| feed_trailer(sink, scope, previous_signature, &hash))
}

/// Signs the chunks of one aws-chunked body with SigV4a, chaining each
/// signature on the previous.
///
/// Holds the private key (from the parameters' cache) for the chain's
/// lifetime; it is zeroized on drop and `Debug` does not show it.
pub struct ChunkSigner<'a> {
    key: EcdsaKey,
    scope: Scope<'a>,
    /// The last signature, padded with `*` to [`SIGNATURE_LEN`].
    previous: [u8; SIGNATURE_LEN],
    /// Its length without the padding.
    previous_len: usize,
}

impl fmt::Debug for ChunkSigner<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChunkSigner")
            .field("scope", &self.scope)
            .field("previous_signature", &self.previous_signature())
            .finish_non_exhaustive()
    }
}

impl<'a> ChunkSigner<'a> {
    /// Starts a chain from the seed signature (the request's SigV4a header
    /// signature: lowercase hex, at most 144 digits; `*` padding allowed).
    pub fn new(params: &SigningParams<'a>, seed_signature: &str) -> Result<Self, Error> {
        let seed = trim_padding(seed_signature);
        let ok = !seed.is_empty()
            && seed.len() <= SIGNATURE_LEN
            && seed.len().is_multiple_of(2)
            && seed.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !ok {
            return Err(Error::MalformedSignature {
                reason: "seed signature is not at most 144 lowercase hex digits",
            });
        }
        let mut previous = [PADDING as u8; SIGNATURE_LEN];
        previous[..seed.len()].copy_from_slice(seed.as_bytes());
        Ok(ChunkSigner {
            key: params.key()?,
            scope: params.scope(),
            previous,
            previous_len: seed.len(),
        })
    }

    /// The most recent signature in the chain, without padding.
    pub fn previous_signature(&self) -> &str {
        core::str::from_utf8(&self.previous[..self.previous_len]).unwrap_or("")
    }

    fn padded(&self) -> &str {
        core::str::from_utf8(&self.previous).unwrap_or("")
    }

    fn sign_with(&mut self, feed: impl FnOnce(&mut dyn FnMut(&[u8]), &Scope<'_>, &str)) -> &str {
        let mut h = Sha256::new();
        feed(&mut |b| h.update(b), &self.scope, self.previous_signature());
        let prehash: [u8; 32] = h.finalize().into();
        let mut next = [PADDING as u8; SIGNATURE_LEN];
        let len = self.key.sign_prehash_into(&prehash, &mut next);
        self.previous = next;
        self.previous_len = len;
        self.padded()
    }

    /// Signs the next chunk (`data` empty for the final chunk); returns its
    /// signature padded with `*` to [`SIGNATURE_LEN`] characters, as the
    /// body carries it.
    pub fn sign_chunk(&mut self, data: &[u8]) -> &str {
        let hash = hex_sha256(data);
        self.sign_with(|sink, scope, previous| feed_chunk(sink, scope, previous, &hash))
    }

    /// Signs the trailer headers after the final chunk; returns the
    /// signature padded to [`SIGNATURE_LEN`] characters.
    pub fn sign_trailer(&mut self, trailers: &[(&str, &str)]) -> &str {
        let hash = trailers_hash(trailers);
        self.sign_with(|sink, scope, previous| feed_trailer(sink, scope, previous, &hash))
    }
}

/// Checks the chunk signatures of one SigV4a aws-chunked body (the server
/// side of [`ChunkSigner`]): each ECDSA signature against the signer's
/// public key, over the string to sign that chains on the previous
/// signature as received (unpadded). Owns what it needs.
#[derive(Clone)]
pub struct ChunkVerifier {
    public_key: PublicKey,
    date: crate::sign::SigningTime,
    service: String,
    /// The last signature as received, unpadded.
    previous: String,
}

impl fmt::Debug for ChunkVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChunkVerifier")
            .field("date", &self.date)
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl ChunkVerifier {
    /// A chain from the seed signature (the request's, as verified) for the
    /// signer's `public_key`, at the request's signing time, for `service`.
    pub fn new(
        public_key: PublicKey,
        date: crate::sign::SigningTime,
        service: &str,
        seed_signature: &str,
    ) -> Self {
        ChunkVerifier {
            public_key,
            date,
            service: String::from(service),
            previous: String::from(trim_padding(seed_signature)),
        }
    }

    fn check(
        &mut self,
        signature: &[u8],
        feed: impl FnOnce(&mut dyn FnMut(&[u8]), &Scope<'_>, &str),
    ) -> bool {
        let Ok(signature) = core::str::from_utf8(signature) else {
            return false;
        };
        let signature = trim_padding(signature);
        let scope = Scope {
            date: self.date,
            service: &self.service,
        };
        let mut h = Sha256::new();
        feed(&mut |b| h.update(b), &scope, &self.previous);
        let prehash: [u8; 32] = h.finalize().into();
        let valid = self.public_key.verify_prehash_hex(&prehash, signature);
        self.previous.clear();
        self.previous.push_str(signature);
        valid
    }

    /// Whether `signature` (as the body carries it, padding allowed) signs
    /// the next chunk `data`; the chain moves on to it either way.
    pub fn verify_chunk(&mut self, data: &[u8], signature: &[u8]) -> bool {
        self.verify_chunk_sha256(&Sha256::digest(data).into(), signature)
    }

    /// [`verify_chunk`](Self::verify_chunk) of a chunk whose data has the
    /// SHA-256 `sha256` (hashed as it arrived).
    pub fn verify_chunk_sha256(&mut self, sha256: &[u8; 32], signature: &[u8]) -> bool {
        let hash = crate::sign::lower_hex::hex32(sha256);
        self.check(signature, |sink, scope, previous| {
            feed_chunk(sink, scope, previous, &hash);
        })
    }

    /// Whether `signature` signs the trailer headers.
    pub fn verify_trailer(&mut self, trailers: &[(&str, &str)], signature: &[u8]) -> bool {
        let hash = trailers_hash(trailers);
        self.check(signature, |sink, scope, previous| {
            feed_trailer(sink, scope, previous, &hash);
        })
    }
}

impl SignChunks for ChunkSigner<'_> {
    fn sign_chunk(&mut self, data: &[u8]) -> &str {
        ChunkSigner::sign_chunk(self, data)
    }
    fn sign_trailer(&mut self, trailers: &[(&str, &str)]) -> &str {
        ChunkSigner::sign_trailer(self, trailers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::v4a::{sign_headers, SigningParams};
    use crate::sign::{Credentials, Payload, SignableRequest, SigningTime};
    use alloc::string::ToString;
    use alloc::vec::Vec;

    fn params(c: &Credentials) -> SigningParams<'_> {
        SigningParams::new(
            c,
            "us-east-1",
            "s3",
            SigningTime::parse_amz_date("20130524T000000Z").unwrap(),
        )
    }

    /// (chunk size, padded signature, data).
    type Frame = (usize, String, Vec<u8>);

    /// Splits an encoded body into frames and the trailer lines.
    fn frames(body: &[u8]) -> (Vec<Frame>, Vec<String>) {
        let mut out = Vec::new();
        let mut rest = body;
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let line = core::str::from_utf8(&rest[..line_end]).unwrap();
            let (size, sig) = line.split_once(";chunk-signature=").unwrap();
            let size = usize::from_str_radix(size, 16).unwrap();
            let data = rest[line_end + 2..line_end + 2 + size].to_vec();
            out.push((size, sig.to_string(), data));
            if size == 0 {
                let tail = core::str::from_utf8(&rest[line_end + 2..]).unwrap();
                let lines = tail.split("\r\n").map(ToString::to_string).collect();
                return (out, lines);
            }
            rest = &rest[line_end + 2 + size + 2..];
        }
    }

    #[test]
    fn chain_verifies_and_lengths_match_the_layout() {
        let c = Credentials::new("AKID", "secret");
        let p = params(&c);
        let public = p.public_key().unwrap();
        let body: Vec<u8> = (0..20_000u32).map(|i| i as u8).collect();
        for trailer in [None, Some(("x-amz-checksum-crc32", "AAAAAA=="))] {
            let mut layout = layout(body.len() as u64, 8192).unwrap();
            if let Some((n, v)) = trailer {
                layout = layout.with_trailer(n.len(), v.len());
            }
            let seed = "3045022100aa";
            let mut signer = ChunkSigner::new(&p, seed).unwrap();
            let encoded = layout.encode(&body, &mut signer, trailer).unwrap();
            assert_eq!(encoded.len() as u64, layout.encoded_len());
            let (frames, lines) = frames(&encoded);
            assert_eq!(frames.len(), 4);
            let mut previous = seed.to_string();
            for (size, sig, data) in &frames {
                assert_eq!(sig.len(), SIGNATURE_LEN);
                assert_eq!(*size, data.len());
                let sts = chunk_string_to_sign(&p.scope(), &previous, data);
                assert!(public.verify_message(sts.as_bytes(), trim_padding(sig)));
                previous = trim_padding(sig).to_string();
            }
            match trailer {
                None => assert_eq!(lines, ["", ""]),
                Some((n, v)) => {
                    assert_eq!(lines[0], alloc::format!("{n}:{v}"));
                    let sig = lines[1].strip_prefix("x-amz-trailer-signature:").unwrap();
                    assert_eq!(sig.len(), SIGNATURE_LEN);
                    let sts = trailer_string_to_sign(&p.scope(), &previous, &[(n, v)]);
                    assert!(public.verify_message(sts.as_bytes(), trim_padding(sig)));
                    assert_eq!(&lines[2..], ["", ""]);
                }
            }
        }
    }

    #[test]
    fn seed_must_be_hex_and_sigv4_signers_do_not_fit_the_layout() {
        let c = Credentials::new("AKID", "secret");
        let p = params(&c);
        for bad in ["", "***", "3045G0", "3045A0", "304", &"ab".repeat(73)] {
            assert!(ChunkSigner::new(&p, bad).is_err(), "{bad}");
        }
        assert!(ChunkSigner::new(&p, &"ab".repeat(72)).is_ok());
        // A SigV4 signer (64-digit signatures) with a SigV4a layout.
        let v4 = crate::sign::SigningParams::new(
            &c,
            "us-east-1",
            "s3",
            SigningTime::parse_amz_date("20130524T000000Z").unwrap(),
        );
        let mut signer = crate::sign::chunked::ChunkSigner::new(&v4, &"0".repeat(64)).unwrap();
        assert!(layout(10, 8192)
            .unwrap()
            .encode(&[0; 10], &mut signer, None)
            .is_err());
    }

    #[test]
    fn seed_from_header_signing_and_debug_redacts() {
        let c = Credentials::new("AKIDCHUNK", "CHUNKSECRET");
        let p = params(&c);
        let req = SignableRequest::new("PUT", "https://b.s3.amazonaws.com/k")
            .unwrap()
            .payload(Payload::StreamingEcdsaSigned);
        let seed = sign_headers(&req, &p).unwrap();
        assert!(seed
            .canonical_request()
            .ends_with("\nSTREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"));
        let mut signer = ChunkSigner::new(&p, seed.signature()).unwrap();
        assert_eq!(signer.previous_signature(), seed.signature());
        let first = signer.sign_chunk(b"data").to_string();
        assert_eq!(trim_padding(&first), signer.previous_signature());
        let shown = alloc::format!("{signer:?}");
        assert!(!shown.contains("CHUNKSECRET"), "{shown}");
        let private = hex::encode(p.key().unwrap().scalar.to_bytes());
        assert!(!shown.contains(&private), "{shown}");
    }
}
