//! Tests of `body` (kept apart from the code: the file was over 600 lines).

use super::*;
use crate::s3::{ChunkedUpload, S3Location, SignedRequest};
use crate::sign::verify::{verify, VerifyOptions};
use crate::sign::{Credentials, Payload, SigningTime};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn now() -> SigningTime {
    SigningTime::parse_amz_date("20130524T000000Z").unwrap()
}

fn creds() -> Credentials {
    Credentials::new("AKIAIOSFODNN7EXAMPLE", SECRET)
}

fn location() -> S3Location {
    S3Location::new("examplebucket", "k", "us-east-1").unwrap()
}

/// The server side: verify the headers, then stream `wire` through a
/// body verifier in pieces of `piece` bytes.
fn receive(
    signed: &SignedRequest,
    wire: &[u8],
    policy: &BodyPolicy,
    piece: usize,
) -> Result<Vec<u8>, BodyError> {
    let req = SignableRequest::new(&signed.method, &signed.url)
        .unwrap()
        .headers(signed.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .payload(Payload::Unsigned);
    let verified = verify(&req, |_| Some(SECRET), &VerifyOptions::new(now())).unwrap();
    let mut checker = BodyVerifier::new(&req, &verified, SECRET, policy)?;
    let mut out = Vec::new();
    for p in wire.chunks(piece) {
        let mut input = p;
        while !input.is_empty() {
            let step = checker.feed(input)?;
            out.extend_from_slice(step.data);
            input = &input[step.consumed..];
        }
    }
    checker.finish()?;
    Ok(out)
}

fn body() -> Vec<u8> {
    (0..20_000u32).map(|i| (i * 7 % 251) as u8).collect()
}

#[test]
fn plain_bodies_are_hashed_as_they_stream() {
    let body = body();
    let signed = location()
        .sign("PUT", &creds(), now(), &[], &[], Payload::Bytes(&body))
        .unwrap();
    let policy = BodyPolicy::new();
    assert_eq!(receive(&signed, &body, &policy, 333).unwrap(), body);
    let mut other = body.clone();
    other[19_999] ^= 1;
    assert_eq!(
        receive(&signed, &other, &policy, 333),
        Err(BodyError::PayloadHashMismatch)
    );
    assert_eq!(
        receive(&signed, &body[..100], &policy, 333),
        Err(BodyError::PayloadHashMismatch)
    );
}

#[test]
fn unsigned_payloads_only_where_the_policy_allows() {
    let signed = location()
        .sign("PUT", &creds(), now(), &[], &[], Payload::Unsigned)
        .unwrap();
    assert_eq!(
        receive(&signed, b"anything", &BodyPolicy::new(), 3),
        Err(BodyError::UnsignedPayloadNotAllowed)
    );
    let open = BodyPolicy::new().allow_unsigned_payload(true);
    assert_eq!(
        receive(&signed, b"anything", &open, 3).unwrap(),
        b"anything"
    );
    assert_eq!(
        BodyError::UnsignedPayloadNotAllowed.s3_code(),
        "AccessDenied"
    );
}

#[test]
fn a_checksum_header_is_checked_against_the_payload() {
    let body = body();
    for algorithm in ChecksumAlgorithm::ALL {
        let value = algorithm.checksum(&body);
        let (name, v) = value.header();
        let signed = location()
            .sign(
                "PUT",
                &creds(),
                now(),
                &[],
                &[(name, v)],
                Payload::Bytes(&body),
            )
            .unwrap();
        let policy = BodyPolicy::new().allow_unsigned_payload(true);
        assert_eq!(receive(&signed, &body, &policy, 4096).unwrap(), body);
        // The checksum of other bytes, on an unsigned payload.
        let wrong = algorithm.checksum(b"other");
        let (name, v) = wrong.header();
        let signed = location()
            .sign("PUT", &creds(), now(), &[], &[(name, v)], Payload::Unsigned)
            .unwrap();
        assert_eq!(
            receive(&signed, &body, &policy, 4096),
            Err(BodyError::ChecksumMismatch { algorithm })
        );
    }
    let signed = location()
        .sign(
            "PUT",
            &creds(),
            now(),
            &[],
            &[("x-amz-checksum-crc32", "not base64!")],
            Payload::Unsigned,
        )
        .unwrap();
    assert_eq!(
        receive(
            &signed,
            b"",
            &BodyPolicy::new().allow_unsigned_payload(true),
            1
        ),
        Err(BodyError::InvalidChecksum {
            name: "x-amz-checksum-crc32".into()
        })
    );
}

#[test]
fn chunked_uploads_with_every_checksum_in_both_framings() {
    let body = body();
    for algorithm in ChecksumAlgorithm::ALL {
        for upload in [
            ChunkedUpload::signed_chunks().with_checksum(algorithm),
            ChunkedUpload::unsigned_trailer(algorithm),
        ] {
            let upload = upload.with_chunk_size(8192);
            let (signed, wire) = location()
                .sign_chunked_put(&creds(), now(), &[], &body, &upload)
                .unwrap();
            for piece in [1000, wire.len()] {
                assert_eq!(
                    receive(&signed, &wire, &BodyPolicy::new(), piece).unwrap(),
                    body,
                    "{algorithm} {upload:?}"
                );
            }
        }
    }
}

#[test]
fn a_correctly_framed_wrong_checksum_is_refused() {
    use crate::sign::chunked::UnsignedChunks;
    let body = body();
    let upload = ChunkedUpload::unsigned_trailer(ChecksumAlgorithm::Crc32c).with_chunk_size(8192);
    let (signed, _) = location()
        .sign_chunked_put(&creds(), now(), &[], &body, &upload)
        .unwrap();
    // The client's frames, with another body's CRC32C in the trailer.
    let layout = upload.layout(body.len() as u64, false).unwrap();
    let wrong = ChecksumAlgorithm::Crc32c.checksum(b"not the body");
    let wire = layout
        .encode(&body, &mut UnsignedChunks, Some(wrong.header()))
        .unwrap();
    assert_eq!(
        receive(&signed, &wire, &BodyPolicy::new(), 4096),
        Err(BodyError::ChecksumMismatch {
            algorithm: ChecksumAlgorithm::Crc32c
        })
    );
    assert_eq!(
        BodyError::ChecksumMismatch {
            algorithm: ChecksumAlgorithm::Crc32c
        }
        .s3_code(),
        "BadDigest"
    );
    // A trailer x-amz-trailer did not announce, and the announced one missing.
    let (signed, _) = location()
        .sign_chunked_put(&creds(), now(), &[], b"abc", &upload)
        .unwrap();
    let unannounced = b"3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\n";
    assert_eq!(
        receive(&signed, unannounced, &BodyPolicy::new(), 5),
        Err(BodyError::TrailerMismatch {
            name: "x-amz-checksum-crc32".into()
        })
    );
    assert_eq!(
        receive(&signed, b"3\r\nabc\r\n0\r\n\r\n", &BodyPolicy::new(), 5),
        Err(BodyError::TrailerMismatch {
            name: "x-amz-checksum-crc32c".into()
        })
    );
    let right = ChecksumAlgorithm::Crc32c.checksum(b"abc");
    let wire = alloc::format!(
        "3\r\nabc\r\n0\r\nx-amz-checksum-crc32c:{}\r\n\r\n",
        right.base64()
    );
    assert_eq!(
        receive(&signed, wire.as_bytes(), &BodyPolicy::new(), 5).unwrap(),
        b"abc"
    );
}

#[test]
fn chunk_tampering_and_framing_mismatches_are_refused() {
    let body = body();
    let upload = ChunkedUpload::signed_chunks().with_chunk_size(8192);
    let (signed, mut wire) = location()
        .sign_chunked_put(&creds(), now(), &[], &body, &upload)
        .unwrap();
    let at = wire.len() / 2;
    wire[at] ^= 1;
    let err = receive(&signed, &wire, &BodyPolicy::new(), 4096).unwrap_err();
    assert!(
        matches!(
            err,
            BodyError::Chunked(ChunkedError::ChunkSignatureMismatch { chunk: 1 })
        ),
        "{err:?}"
    );
    assert_eq!(
        (err.s3_code(), err.status()),
        ("SignatureDoesNotMatch", 403)
    );

    // Header-signed without x-amz-content-sha256 (not S3's rules).
    let req = SignableRequest::new("PUT", "https://example.amazonaws.com/")
        .unwrap()
        .payload(Payload::Bytes(b"x"));
    let credentials = creds();
    let params = SigningParams::new(&credentials, "us-east-1", "execute-api", now());
    let s = crate::sign::sign_headers(&req, &params).unwrap();
    let got = req.clone().headers(s.headers());
    let verified = verify(&got, |_| Some(SECRET), &VerifyOptions::new(now())).unwrap();
    assert_eq!(
        BodyVerifier::new(&got, &verified, SECRET, &BodyPolicy::new()).unwrap_err(),
        BodyError::MissingContentSha256
    );
}

#[cfg(feature = "sigv4a")]
#[test]
fn sigv4a_chunked_bodies_are_verified_with_the_public_key() {
    let body = body();
    let l = location().with_region_set("*");
    let upload = ChunkedUpload::signed_chunks()
        .with_chunk_size(8192)
        .with_checksum(ChecksumAlgorithm::Sha256);
    let (signed, wire) = l
        .sign_chunked_put(&creds(), now(), &[], &body, &upload)
        .unwrap();
    assert_eq!(
        receive(&signed, &wire, &BodyPolicy::new(), 777).unwrap(),
        body
    );
    let mut bad = wire.clone();
    bad[100] ^= 1;
    assert!(matches!(
        receive(&signed, &bad, &BodyPolicy::new(), 777),
        Err(BodyError::Chunked(ChunkedError::ChunkSignatureMismatch {
            chunk: 0
        }))
    ));
}
