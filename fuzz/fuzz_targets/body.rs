//! `BodyVerifier` behind a real header verification. A PUT is signed by our
//! S3 signer (plain hashed body, `UNSIGNED-PAYLOAD`, a checksum header,
//! signed aws-chunked with or without a checksum trailer, SigV4a chunks,
//! the unsigned checksum trailer), unsigned headers may be added to what
//! the server receives, and the wire body is edited and fed in pieces:
//! - whenever the body is protected by a signature or a cryptographic hash
//!   (hashed, signed chunks, SHA-1/SHA-256 checksums), `finish` succeeding
//!   means exactly the signed payload came through;
//! - signed chunks release only a prefix of the payload;
//! - the unedited body with the request's own headers is accepted.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use arbitrary::Arbitrary;
use common::{apply, pieces, Edit};
use libfuzzer_sys::fuzz_target;
use sigv4::s3::{ChunkedUpload, S3Location};
use sigv4::sign::checksum::ChecksumAlgorithm;
use sigv4::sign::verify::{BodyPolicy, BodyVerifier, ChunkedLimits};
use sigv4::sign::{verify, Payload, SignableRequest, SigningTime, VerifyOptions};
use sigv4::Credentials;

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Alg {
    Crc32,
    Crc32c,
    Crc64Nvme,
    Sha1,
    Sha256,
}

impl Alg {
    fn get(self) -> ChecksumAlgorithm {
        match self {
            Alg::Crc32 => ChecksumAlgorithm::Crc32,
            Alg::Crc32c => ChecksumAlgorithm::Crc32c,
            Alg::Crc64Nvme => ChecksumAlgorithm::Crc64Nvme,
            Alg::Sha1 => ChecksumAlgorithm::Sha1,
            Alg::Sha256 => ChecksumAlgorithm::Sha256,
        }
    }
    fn strong(self) -> bool {
        matches!(self, Alg::Sha1 | Alg::Sha256)
    }
}

#[derive(Arbitrary, Debug)]
enum Mode {
    Hashed,
    Unsigned,
    ChecksumHeader { alg: Alg, signed_payload: bool },
    SignedChunks { checksum: Option<Alg>, sigv4a: bool },
    UnsignedTrailer { alg: Alg },
}

const EXTRA_NAMES: &[&str] = &[
    "x-amz-content-sha256",
    "x-amz-decoded-content-length",
    "x-amz-trailer",
    "x-amz-checksum-crc32",
    "x-amz-checksum-crc32c",
    "x-amz-checksum-crc64nvme",
    "x-amz-checksum-sha1",
    "x-amz-checksum-sha256",
    "content-encoding",
];

#[derive(Arbitrary, Debug)]
struct Input {
    mode: Mode,
    seed: Vec<u8>,
    len: u16,
    chunk_extra: u16,
    allow_unsigned: bool,
    extra: Vec<(u8, String)>,
    edits: Vec<Edit>,
    pieces: Vec<u16>,
    small_limits: bool,
}

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fuzz_target!(|input: Input| {
    let len = usize::from(input.len) % 30_000;
    let payload: Vec<u8> = if input.seed.is_empty() {
        vec![b'z'; len]
    } else {
        input.seed.iter().copied().cycle().take(len).collect()
    };
    let credentials = Credentials::new("AKIAIOSFODNN7EXAMPLE", SECRET);
    let now = SigningTime::parse_amz_date("20130524T000000Z").unwrap();
    let location = S3Location::new("examplebucket", "some/key", "us-east-1").unwrap();
    let chunk_size = 8192 + usize::from(input.chunk_extra) % 8192;
    let checksum_header;
    let (signed, wire, protected) = match input.mode {
        Mode::Hashed => (location.sign("PUT", &credentials, now, &[], &[], Payload::Bytes(&payload)).unwrap(), payload.clone(), true),
        Mode::Unsigned => (location.sign("PUT", &credentials, now, &[], &[], Payload::Unsigned).unwrap(), payload.clone(), false),
        Mode::ChecksumHeader { alg, signed_payload } => {
            checksum_header = alg.get().checksum(&payload);
            let h = checksum_header.header();
            let p = if signed_payload { Payload::Bytes(&payload) } else { Payload::Unsigned };
            (location.sign("PUT", &credentials, now, &[], &[h], p).unwrap(), payload.clone(), signed_payload || alg.strong())
        }
        Mode::SignedChunks { checksum, sigv4a } => {
            let mut upload = ChunkedUpload::signed_chunks().with_chunk_size(chunk_size);
            if let Some(a) = checksum {
                upload = upload.with_checksum(a.get());
            }
            let l = if sigv4a { location.clone().with_region_set("*") } else { location.clone() };
            let (s, w) = l.sign_chunked_put(&credentials, now, &[], &payload, &upload).unwrap();
            (s, w, true)
        }
        Mode::UnsignedTrailer { alg } => {
            let upload = ChunkedUpload::unsigned_trailer(alg.get()).with_chunk_size(chunk_size);
            let (s, w) = location.sign_chunked_put(&credentials, now, &[], &payload, &upload).unwrap();
            (s, w, alg.strong())
        }
    };
    let mut wire = wire;
    let edited = apply(&mut wire, &input.edits);
    let extra: Vec<(&str, &str)> = input
        .extra
        .iter()
        .map(|(i, v)| (EXTRA_NAMES[usize::from(*i) % EXTRA_NAMES.len()], v.as_str()))
        .collect();
    let mut req = SignableRequest::new(&signed.method, &signed.url)
        .unwrap()
        .headers(signed.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .payload(Payload::Unsigned);
    for (n, v) in &extra {
        req = req.header(n, v);
    }
    let Ok(verified) = verify(&req, |_| Some(SECRET), &VerifyOptions::new(now)) else {
        assert!(!extra.is_empty(), "our own signed request was refused");
        return;
    };
    let mut policy = BodyPolicy::new().allow_unsigned_payload(input.allow_unsigned);
    if input.small_limits {
        policy = policy.chunk_limits(ChunkedLimits { max_chunk_size: 4096, max_line: 100, max_trailers: 1 });
    }
    let checker = BodyVerifier::new(&req, &verified, SECRET, &policy);
    let expect_ok = !edited && extra.is_empty() && !input.small_limits && (input.allow_unsigned || !matches!(input.mode, Mode::Unsigned | Mode::ChecksumHeader { signed_payload: false, .. }));
    let mut checker = match checker {
        Ok(c) => c,
        Err(e) => {
            assert!(!expect_ok, "{e:?}");
            let _ = (e.s3_code(), e.status());
            return;
        }
    };
    let signed_chunks = matches!(input.mode, Mode::SignedChunks { .. });
    let mut out = Vec::new();
    let mut result = Ok(());
    'feed: for piece in pieces(&wire, &input.pieces) {
        let mut rest = piece;
        while !rest.is_empty() {
            match checker.feed(rest) {
                Ok(step) => {
                    out.extend_from_slice(step.data);
                    rest = &rest[step.consumed..];
                }
                Err(e) => {
                    result = Err(e);
                    break 'feed;
                }
            }
        }
    }
    if signed_chunks {
        assert!(payload.starts_with(&out), "unsigned bytes released");
    }
    if result.is_ok() {
        result = checker.finish();
    }
    if let Err(e) = &result {
        assert!((400..=500).contains(&e.status()));
        assert!(!e.s3_code().is_empty());
    }
    if result.is_ok() && protected {
        assert_eq!(out, payload, "a changed body was accepted");
    }
    if expect_ok {
        assert_eq!(result, Ok(()));
        assert_eq!(out, payload);
    }
});
