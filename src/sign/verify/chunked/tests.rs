//! The decoder's tests: the AWS example in every piece size, tampering,
//! truncation, limits, and a property test.

use super::*;
use crate::sign::chunked::tests::{
    aws_example_credentials as credentials, aws_example_params as params,
};
use crate::sign::chunked::ChunkedLayout;
#[allow(unused_imports)] // the prelude's names, for the no_std build of the tests
use alloc::{format, string::ToString, vec, vec::Vec};

const SEED: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";

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
