//! Tests of `chunked` (kept apart from the code: the file was over 600 lines).

use super::*;
use crate::sign::Credentials;
use crate::sign::{sign_headers, Payload, SignableRequest, SigningTime};
#[allow(unused_imports)] // the prelude's names, for the no_std build of the tests
use alloc::{format, string::ToString, vec, vec::Vec};

/// The credentials of AWS's S3 chunked-upload examples (also used by the
/// decoder's tests).
pub(crate) fn aws_example_credentials() -> Credentials {
    Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
}

/// The parameters of those examples: us-east-1, s3, 2013-05-24 00:00:00.
pub(crate) fn aws_example_params(credentials: &Credentials) -> SigningParams<'_> {
    SigningParams::new(
        credentials,
        "us-east-1",
        "s3",
        SigningTime::parse_amz_date("20130524T000000Z").unwrap(),
    )
}

/// AWS S3 documentation, "Signature calculations for the Authorization
/// header: Transferring payload in multiple chunks": 66560 bytes of `a`
/// in 64 KiB chunks.
#[test]
fn s3_documentation_example() {
    let body = alloc::vec![b'a'; 66_560];
    let layout = ChunkedLayout::new(66_560, 65_536).unwrap();
    assert_eq!(layout.encoded_len(), 66_824);
    assert_eq!(layout.data_chunks(), 2);
    let credentials = aws_example_credentials();
    let params = aws_example_params(&credentials);
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
    let second =
        b"400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n";
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
    let credentials = aws_example_credentials();
    let params = aws_example_params(&credentials);
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
