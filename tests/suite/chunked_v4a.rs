//! SigV4a aws-chunked signatures (`sign::v4a::chunked`) against AWS's CRT.
//!
//! Two references:
//!
//! - `v4a_chunked_matches_aws_c_auth_test_strings`: aws-c-auth's own test of
//!   SigV4a chunk signing (`tests/test_chunked_signing.c`,
//!   `sigv4a_chunked_signing_test` and `sigv4a_trailing_headers_signing_test`):
//!   the seed's canonical request, the derived public key and the chunk and
//!   trailer strings to sign (its fixed text around the previous signature)
//!   are copied from that file and must equal ours byte for byte; each of
//!   our signatures verifies for them.
//! - `v4a_chunked_against_awscrt`: the CRT itself (the `awscrt` Python
//!   package, `support/awscrt_chunks.py`) header-signs the seed; our verifier
//!   accepts it; a chain seeded with the CRT's signature and signed with the
//!   CRT's ECDSA verifies with our public key over our strings to sign (which
//!   equal the script's), and the CRT's ECDSA verifies each of ours.
#![cfg(feature = "sigv4a")]

use serde_json::{json, Value};
use sigv4::sign::v4a::chunked::{
    self, chunk_string_to_sign, trailer_string_to_sign, trim_padding, ChunkSigner,
};
use sigv4::sign::v4a::{sign_headers, PublicKey, SigningParams};
use sigv4::sign::{verify, Payload, SignableRequest, SigningTime, VerifyOptions};
use sigv4::Credentials;

use super::support::awscrt_chunks;

const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const URL: &str = "https://s3.amazonaws.com/examplebucket/chunkObject.txt";

fn time() -> SigningTime {
    SigningTime::parse_amz_date("20130524T000000Z").unwrap()
}

/// The frames of an encoded body: (data, padded signature), then the lines
/// after the final chunk.
fn frames(body: &[u8]) -> (Vec<(Vec<u8>, String)>, Vec<String>) {
    let mut out = Vec::new();
    let mut rest = body;
    loop {
        let end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
        let line = std::str::from_utf8(&rest[..end]).unwrap();
        let (size, sig) = line.split_once(";chunk-signature=").unwrap();
        let size = usize::from_str_radix(size, 16).unwrap();
        out.push((rest[end + 2..end + 2 + size].to_vec(), sig.to_string()));
        if size == 0 {
            let tail = std::str::from_utf8(&rest[end + 2..]).unwrap();
            return (out, tail.split("\r\n").map(str::to_string).collect());
        }
        rest = &rest[end + 2 + size + 2..];
    }
}

// From aws-c-auth tests/test_chunked_signing.c.
const CRT_PUBLIC_X: &str = "18b7d04643359f6ec270dcbab8dce6d169d66ddc9778c75cfb08dfdb701637ab";
const CRT_PUBLIC_Y: &str = "fa36b35e4fe67e3112261d2e17a956ef85b06e44712d2850bcd3c2161e9993f2";
const CRT_CANONICAL_REQUEST: &str = "PUT\n\
/examplebucket/chunkObject.txt\n\
\n\
content-encoding:aws-chunked\n\
content-length:66824\n\
host:s3.amazonaws.com\n\
x-amz-content-sha256:STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD\n\
x-amz-date:20130524T000000Z\n\
x-amz-decoded-content-length:66560\n\
x-amz-region-set:us-east-1\n\
x-amz-storage-class:REDUCED_REDUNDANCY\n\
\n\
content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-region-set;x-amz-storage-class\n\
STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD";
const CRT_TRAILER_CANONICAL_REQUEST: &str = "PUT\n\
/examplebucket/chunkObject.txt\n\
\n\
content-encoding:aws-chunked\n\
content-length:66824\n\
host:s3.amazonaws.com\n\
x-amz-content-sha256:STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER\n\
x-amz-date:20130524T000000Z\n\
x-amz-decoded-content-length:66560\n\
x-amz-region-set:us-east-1\n\
x-amz-storage-class:REDUCED_REDUNDANCY\n\
x-amz-trailer:first,second,third\n\
\n\
content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-region-set;x-amz-storage-class;x-amz-trailer\n\
STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER";
const CRT_CHUNK_STS_PRE: &str =
    "AWS4-ECDSA-P256-SHA256-PAYLOAD\n20130524T000000Z\n20130524/s3/aws4_request\n";
const CRT_CHUNK_STS_POST: [&str; 3] = [
    "\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
     bf718b6f653bebc184e1479f1935b8da974d701b893afcf49e701f3e2f9f9c5a",
    "\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
     2edc986847e209b4016e141a6dc8716d3207350f416969382d431539bf292e4a",
    "\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
     e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
];
const CRT_TRAILER_STS_PRE: &str =
    "AWS4-ECDSA-P256-SHA256-TRAILER\n20130524T000000Z\n20130524/s3/aws4_request\n";
const CRT_TRAILER_STS_POST: &str =
    "\n83d8f190334fb741bc8daf73c891689d320bd8017756bc730c540021ed48001f";

#[test]
fn v4a_chunked_matches_aws_c_auth_test_strings() {
    let credentials = Credentials::new(AKID, SECRET);
    let params = SigningParams::new(&credentials, "us-east-1", "s3", time());
    let public = params.public_key().unwrap();
    assert_eq!(
        public,
        PublicKey::from_coordinates_hex(CRT_PUBLIC_X, CRT_PUBLIC_Y).unwrap()
    );
    let body = vec![b'a'; 66_560];
    for trailer in [false, true] {
        // The CRT test signs these headers as given (content-length 66824 is
        // SigV4's encoded length; it is only a signed value here).
        let mut req = SignableRequest::new("PUT", URL)
            .unwrap()
            .header("x-amz-storage-class", "REDUCED_REDUNDANCY")
            .header("content-encoding", "aws-chunked")
            .header("x-amz-decoded-content-length", "66560")
            .header("content-length", "66824");
        req = if trailer {
            req.header("x-amz-trailer", "first,second,third")
                .payload(Payload::StreamingEcdsaSignedTrailer)
        } else {
            req.payload(Payload::StreamingEcdsaSigned)
        };
        let seed = sign_headers(&req, &params).unwrap();
        let want = if trailer {
            CRT_TRAILER_CANONICAL_REQUEST
        } else {
            CRT_CANONICAL_REQUEST
        };
        assert_eq!(seed.canonical_request(), want);
        assert!(public.verify_message(seed.string_to_sign().as_bytes(), seed.signature()));

        let mut signer = ChunkSigner::new(&params, seed.signature()).unwrap();
        let mut previous = seed.signature().to_string();
        for (data, post) in [&body[..65_536], &body[65_536..], &[][..]]
            .into_iter()
            .zip(CRT_CHUNK_STS_POST)
        {
            let crt_sts = format!("{CRT_CHUNK_STS_PRE}{previous}{post}");
            assert_eq!(
                chunk_string_to_sign(&params.scope(), &previous, data),
                crt_sts
            );
            let sig = signer.sign_chunk(data).to_string();
            assert_eq!(sig.len(), chunked::SIGNATURE_LEN);
            assert!(public.verify_message(crt_sts.as_bytes(), trim_padding(&sig)));
            previous = trim_padding(&sig).to_string();
        }
        if trailer {
            let trailers = [("first", "1st"), ("second", "2nd"), ("third", "3rd")];
            let crt_sts = format!("{CRT_TRAILER_STS_PRE}{previous}{CRT_TRAILER_STS_POST}");
            assert_eq!(
                trailer_string_to_sign(&params.scope(), &previous, &trailers),
                crt_sts
            );
            let sig = signer.sign_trailer(&trailers).to_string();
            assert!(public.verify_message(crt_sts.as_bytes(), trim_padding(&sig)));
        }
    }
}

#[test]
fn v4a_chunked_against_awscrt() {
    let credentials = Credentials::new(AKID, SECRET);
    let region_set = "us-east-1,eu-west-1";
    let params = SigningParams::new(&credentials, region_set, "s3", time());
    let public = params.public_key().unwrap();
    let (x, y) = public.coordinates_hex();
    let body: Vec<u8> = (0..20_000u32).map(|i| (i * 7) as u8).collect();
    let checksum = ("x-amz-checksum-crc32", "AAAAAA==");
    for trailer in [None, Some(checksum)] {
        let mut layout = chunked::layout(body.len() as u64, 8192).unwrap();
        if let Some((n, v)) = trailer {
            layout = layout.with_trailer(n.len(), v.len());
        }
        let lengths = layout.headers();
        let mut headers: Vec<(&str, &str)> = vec![("x-amz-storage-class", "STANDARD")];
        headers.extend(lengths.iter().map(|(n, v)| (*n, v.as_str())));
        if trailer.is_some() {
            headers.push(("x-amz-trailer", checksum.0));
        }
        let payload = match trailer {
            None => Payload::StreamingEcdsaSigned,
            Some(_) => Payload::StreamingEcdsaSignedTrailer,
        };
        let marker = payload.resolve().unwrap().as_str().to_string();
        let req = SignableRequest::new("PUT", URL)
            .unwrap()
            .headers(headers.iter().copied())
            .payload(payload);
        let seed = sign_headers(&req, &params).unwrap();
        let mut signer = ChunkSigner::new(&params, seed.signature()).unwrap();
        let encoded = layout.encode(&body, &mut signer, trailer).unwrap();
        assert_eq!(encoded.len() as u64, layout.encoded_len());
        let (ours, tail) = frames(&encoded);
        let mut our_signatures: Vec<String> = ours.iter().map(|(_, s)| s.clone()).collect();
        if trailer.is_some() {
            let sig = tail[1].strip_prefix("x-amz-trailer-signature:").unwrap();
            our_signatures.push(sig.to_string());
        }
        let chunks: Vec<String> = ours.iter().map(|(d, _)| hex::encode(d)).collect();

        let mut crt_headers: Vec<(&str, &str)> = vec![("host", "s3.amazonaws.com")];
        crt_headers.extend(headers.iter().copied());
        let answer = awscrt_chunks(&json!({
            "access_key_id": AKID,
            "secret_access_key": SECRET,
            "amz_date": "20130524T000000Z",
            "method": "PUT",
            "path": "/examplebucket/chunkObject.txt",
            "headers": crt_headers,
            "region_set": region_set,
            "payload": marker,
            "chunks": chunks,
            "trailers": trailer.map(|(n, v)| vec![(n, v)]),
            "public_key": [&x, &y],
            "our_seed": seed.signature(),
            "our_signatures": our_signatures,
        }));

        // The CRT's SigV4a seed: our verifier accepts it.
        let crt_added: Vec<(String, String)> = answer["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (h[0].as_str().unwrap().into(), h[1].as_str().unwrap().into()))
            .collect();
        let authorization = crt_added
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
            .map(|(_, v)| v.clone())
            .unwrap();
        let crt_seed = authorization.rsplit_once("Signature=").unwrap().1;
        let received = SignableRequest::new("PUT", URL)
            .unwrap()
            .headers(crt_added.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let lookup = |k: &str| (k == AKID).then_some(SECRET);
        verify(
            &received,
            lookup,
            &VerifyOptions::new(time()).expect_region("eu-west-1"),
        )
        .expect("the CRT's seed verifies");
        assert!(
            authorization.contains("x-amz-region-set"),
            "{authorization}"
        );

        // The chain the CRT's ECDSA signed from that seed verifies with our
        // public key over our strings to sign, which equal the script's.
        let crt_chunks = answer["crt_chunks"].as_array().unwrap();
        assert_eq!(crt_chunks.len(), our_signatures.len());
        let mut previous = crt_seed.to_string();
        for (i, pair) in crt_chunks.iter().enumerate() {
            let (crt_sts, sig) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
            assert_eq!(sig.len(), chunked::SIGNATURE_LEN);
            let ours_sts = match ours.get(i) {
                Some((data, _)) => chunk_string_to_sign(&params.scope(), &previous, data),
                None => trailer_string_to_sign(&params.scope(), &previous, &[checksum]),
            };
            assert_eq!(ours_sts, crt_sts, "string to sign {i}");
            assert!(
                public.verify_message(ours_sts.as_bytes(), trim_padding(sig)),
                "CRT signature {i}"
            );
            previous = trim_padding(sig).to_string();
        }

        // And the CRT's ECDSA verifies every signature of ours.
        let verified = answer["ours_verified"].as_array().unwrap();
        assert_eq!(verified.len(), our_signatures.len());
        assert!(
            verified.iter().all(|v| v == &Value::Bool(true)),
            "{verified:?}"
        );
    }
}
