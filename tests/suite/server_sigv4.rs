//! The example S3 server (the verifying tower layer in front of an
//! in-memory store) with our own client, signer and presigner: every
//! request accepted with the stored bytes exact, and tampered variants
//! refused with S3's error codes, nothing stored.
#![cfg(all(feature = "server", feature = "client"))]

use std::time::Duration;

use crate::support::{
    assert_s3_error, find_bytes, flip_hex_digit, http, peer_client, query_value, with_query_value,
    ExampleS3Server, Response, SERVER_ACCESS_KEY, SERVER_REGION, SERVER_SECRET_KEY,
};
use sigv4::api::s3_multipart::{
    AbortMultipartUpload, CompleteMultipartUpload, CompletedPart, CreateMultipartUpload, UploadPart,
};
use sigv4::api::s3_objects::{DeleteObject, GetObject, HeadObject, ListObjectsV2, PutObject};
use sigv4::client::Client;
use sigv4::credentials::Credentials;
use sigv4::s3::{ChunkedUpload, PresignOptions, S3Location, SignedRequest};
use sigv4::sign::checksum::ChecksumAlgorithm;
use sigv4::sign::{Payload, SigningTime};

fn creds() -> Credentials {
    Credentials::new(SERVER_ACCESS_KEY, SERVER_SECRET_KEY)
}

fn client(server: &ExampleS3Server, secret: &str) -> Client {
    peer_client(
        server.endpoint().to_string(),
        Credentials::new(SERVER_ACCESS_KEY, secret),
    )
}

fn location(server: &ExampleS3Server, bucket: &str, key: &str) -> S3Location {
    S3Location::new(bucket, key, SERVER_REGION)
        .unwrap()
        .with_endpoint(server.endpoint())
        .unwrap()
}

fn send(s: &SignedRequest, body: &[u8]) -> Response {
    http(&s.method, &s.url, &s.headers, body)
}

/// The stored object, read with a properly signed GET: `Some(bytes)` or
/// `None` for `NoSuchKey`.
#[track_caller]
fn stored(server: &ExampleS3Server, bucket: &str, key: &str) -> Option<Vec<u8>> {
    let s = location(server, bucket, key)
        .sign(
            "GET",
            &creds(),
            SigningTime::now(),
            &[],
            &[],
            Payload::EMPTY,
        )
        .unwrap();
    let r = send(&s, b"");
    match r.status {
        200 => Some(r.body),
        _ => {
            assert_s3_error(&r, 404, "NoSuchKey", key);
            None
        }
    }
}

/// Signed 8 KiB chunks, with a signed CRC32 trailer or none.
fn chunked(trailer: bool) -> ChunkedUpload {
    let upload = ChunkedUpload::signed_chunks().with_chunk_size(8192);
    match trailer {
        true => upload.with_checksum(ChecksumAlgorithm::Crc32),
        false => upload,
    }
}

/// Bytes with every value, in a pattern that does not repeat at chunk sizes.
fn payload(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

#[test]
fn our_client_s3_calls_are_accepted_and_stored_exactly() {
    let server = ExampleS3Server::start(&["client"]);
    let c = client(&server, SERVER_SECRET_KEY);
    let body = payload(100_000);
    let put = c
        .put_object(
            &PutObject::new("client", "dir/a b+c.bin", body.clone())
                .content_type("application/x-test")
                .metadata("Owner", "tests"),
        )
        .unwrap();
    assert!(put.etag.is_some());
    let got = c
        .get_object(&GetObject::new("client", "dir/a b+c.bin"))
        .unwrap();
    assert_eq!(got.body, body);
    assert_eq!(
        got.metadata.content_type.as_deref(),
        Some("application/x-test")
    );
    assert_eq!(
        got.metadata.metadata,
        vec![("owner".to_string(), "tests".to_string())]
    );
    let range = c
        .get_object(&GetObject::new("client", "dir/a b+c.bin").range(10, Some(19)))
        .unwrap();
    assert_eq!(
        (range.metadata.status, &range.body[..]),
        (206, &body[10..20])
    );
    let head = c
        .head_object(&HeadObject::new("client", "dir/a b+c.bin"))
        .unwrap();
    assert_eq!(head.content_length, Some(100_000));

    // UNSIGNED-PAYLOAD is accepted (the server's policy), bytes exact.
    c.put_object(&PutObject::new("client", "unsigned", b"as sent".to_vec()).unsigned_payload())
        .unwrap();
    assert_eq!(stored(&server, "client", "unsigned").unwrap(), b"as sent");

    // Listing, with pages and a delimiter.
    for key in ["list/1", "list/2 x", "list/3+ü"] {
        c.put_object(&PutObject::new("client", key, key.as_bytes().to_vec()))
            .unwrap();
    }
    let first = ListObjectsV2::new("client").prefix("list/").max_keys(2);
    let page1 = c.list_objects_v2(&first).unwrap();
    assert!(page1.is_truncated);
    let page2 = c
        .list_objects_v2(&first.next_page(&page1).expect("a second page"))
        .unwrap();
    let keys: Vec<&str> = page1
        .contents
        .iter()
        .chain(&page2.contents)
        .map(|o| o.key.as_str())
        .collect();
    assert_eq!(keys, ["list/1", "list/2 x", "list/3+ü"]);
    let delimited = c
        .list_objects_v2(&ListObjectsV2::new("client").delimiter("/"))
        .unwrap();
    assert_eq!(delimited.common_prefixes, ["dir/", "list/"]);

    c.delete_object(&DeleteObject::new("client", "list/1"))
        .unwrap();
    assert_eq!(stored(&server, "client", "list/1"), None);

    // Multipart: two parts, completed; another upload aborted.
    let part1 = payload(5 * 1024 * 1024);
    let part2 = b"the last part".to_vec();
    let up = c
        .create_multipart_upload(&CreateMultipartUpload::new("client", "multi"))
        .unwrap();
    let mut complete = CompleteMultipartUpload::new("client", "multi", &up.upload_id);
    for (n, data) in [(1, &part1), (2, &part2)] {
        let out = c
            .upload_part(&UploadPart::new(
                "client",
                "multi",
                &up.upload_id,
                n,
                data.clone(),
            ))
            .unwrap();
        complete = complete.part(CompletedPart::new(n, out.etag));
    }
    c.complete_multipart_upload(&complete).unwrap();
    assert_eq!(
        stored(&server, "client", "multi").unwrap(),
        [part1.as_slice(), part2.as_slice()].concat()
    );
    let aborted = c
        .create_multipart_upload(&CreateMultipartUpload::new("client", "aborted"))
        .unwrap();
    c.abort_multipart_upload(&AbortMultipartUpload::new(
        "client",
        "aborted",
        &aborted.upload_id,
    ))
    .unwrap();
    let err = c
        .upload_part(&UploadPart::new(
            "client",
            "aborted",
            &aborted.upload_id,
            1,
            b"late".to_vec(),
        ))
        .unwrap_err();
    assert_eq!(
        err.api_error().map(|e| e.code.as_str()),
        Some("NoSuchUpload")
    );
}

/// A wrong secret: `SignatureDoesNotMatch` with the server's canonical
/// request and string to sign, which our client reads, and which are the
/// ones it signed (only the key differs). Nothing is written.
#[test]
fn a_wrong_secret_is_refused_with_the_servers_canonical_request() {
    let server = ExampleS3Server::start(&["mismatch"]);
    let bad = client(&server, "not-the-secret");
    let err = bad
        .put_object(&PutObject::new("mismatch", "k", b"v".to_vec()))
        .unwrap_err();
    let api = err.api_error().expect("an API error");
    assert_eq!(
        (api.status, api.code.as_str()),
        (403, "SignatureDoesNotMatch")
    );
    let mismatch = api.signature_mismatch.as_deref().expect("mismatch details");
    let server_creq = mismatch
        .server_canonical_request
        .as_deref()
        .expect("the server's canonical request");
    assert!(
        server_creq.starts_with("PUT\n/mismatch/k\n"),
        "{server_creq}"
    );
    assert_eq!(
        mismatch.server_canonical_request, mismatch.our_canonical_request,
        "same canonical request"
    );
    assert_eq!(mismatch.server_string_to_sign, mismatch.our_string_to_sign);
    assert_eq!(mismatch.access_key_id.as_deref(), Some(SERVER_ACCESS_KEY));
    assert_eq!(mismatch.first_difference(), None);
    assert!(!err.to_string().contains("not-the-secret"));
    assert_eq!(stored(&server, "mismatch", "k"), None);

    // An unknown access key id.
    let unknown = peer_client(
        server.endpoint().to_string(),
        Credentials::new("AKIAUNKNOWNKEY000000", SERVER_SECRET_KEY),
    );
    let err = unknown
        .get_object(&GetObject::new("mismatch", "k"))
        .unwrap_err();
    let api = err.api_error().expect("an API error");
    assert_eq!((api.status, api.code.as_str()), (403, "InvalidAccessKeyId"));
    // A session token the server's lookup does not know.
    let with_token = peer_client(
        server.endpoint().to_string(),
        creds().with_session_token("not-a-session"),
    );
    let err = with_token
        .get_object(&GetObject::new("mismatch", "k"))
        .unwrap_err();
    let api = err.api_error().expect("an API error");
    assert_eq!((api.status, api.code.as_str()), (400, "InvalidToken"));
}

#[test]
fn signed_presigned_and_chunked_requests_and_their_tampered_variants() {
    let server = ExampleS3Server::start(&["tamper"]);
    let now = SigningTime::now();
    let loc = |key: &str| location(&server, "tamper", key);

    // Header-signed PUT: accepted, then each tampered copy refused.
    let body = payload(3000);
    let s = loc("signed")
        .sign(
            "PUT",
            &creds(),
            now,
            &[],
            &[("content-type", "text/plain")],
            Payload::Bytes(&body),
        )
        .unwrap();
    let mut changed = body.clone();
    changed[1500] ^= 1;
    let r = send(&s, &changed);
    assert_s3_error(&r, 400, "XAmzContentSHA256Mismatch", "a body byte changed");
    assert_eq!(stored(&server, "tamper", "signed"), None);
    let mut headers = s.headers.clone();
    for (n, v) in &mut headers {
        if n == "content-type" {
            *v = "text/html".into();
        }
    }
    let r = http(&s.method, &s.url, &headers, &body);
    assert_s3_error(&r, 403, "SignatureDoesNotMatch", "a signed header changed");
    assert!(
        r.text().contains("<CanonicalRequest>PUT\n/tamper/signed\n"),
        "{}",
        r.text()
    );
    assert!(
        r.text().contains("<StringToSign>AWS4-HMAC-SHA256\n"),
        "{}",
        r.text()
    );
    let mut headers = s.headers.clone();
    for (n, v) in &mut headers {
        if n == "authorization" {
            let at = v.len() - 1;
            *v = format!("{}{}", &v[..at], flip_hex_digit(&v[at..], 0));
        }
    }
    let r = http(&s.method, &s.url, &headers, &body);
    assert_s3_error(&r, 403, "SignatureDoesNotMatch", "the signature changed");
    assert_eq!(stored(&server, "tamper", "signed"), None);
    assert!(send(&s, &body).is_success());
    assert_eq!(stored(&server, "tamper", "signed").unwrap(), body);

    // A skewed clock: signed 20 minutes ago (S3 allows 15).
    let old = now.checked_add_seconds(-20 * 60).unwrap();
    let s = loc("skewed")
        .sign("PUT", &creds(), old, &[], &[], Payload::Bytes(b"x"))
        .unwrap();
    assert_s3_error(&send(&s, b"x"), 403, "RequestTimeTooSkewed", "skewed clock");
    // A wrong region: S3 names the expected one.
    let s = S3Location::new("tamper", "region", "eu-west-1")
        .unwrap()
        .with_endpoint(server.endpoint())
        .unwrap()
        .sign("PUT", &creds(), now, &[], &[], Payload::Bytes(b"x"))
        .unwrap();
    let r = send(&s, b"x");
    assert_s3_error(&r, 400, "AuthorizationHeaderMalformed", "wrong region");
    assert!(
        r.text().contains("<Region>us-east-1</Region>"),
        "{}",
        r.text()
    );
    for key in ["skewed", "region"] {
        assert_eq!(stored(&server, "tamper", key), None, "{key}");
    }

    // Presigned PUT and GET (curl-like: the URL alone).
    let put = loc("presigned")
        .presign(
            "PUT",
            &creds(),
            now,
            &PresignOptions::new(Duration::from_secs(300)),
        )
        .unwrap();
    let r = http("PUT", &put.url, &[], b"through a presigned URL");
    assert!(r.is_success(), "{} {}", r.status, r.text());
    let get = loc("presigned")
        .presign(
            "GET",
            &creds(),
            now,
            &PresignOptions::new(Duration::from_secs(300)),
        )
        .unwrap();
    let r = http("GET", &get.url, &[], b"");
    assert_eq!(
        (r.status, r.body.as_slice()),
        (200, &b"through a presigned URL"[..])
    );
    let signature = query_value(&get.url, "X-Amz-Signature");
    let bad = with_query_value(&get.url, "X-Amz-Signature", &flip_hex_digit(signature, 3));
    assert_s3_error(
        &http("GET", &bad, &[], b""),
        403,
        "SignatureDoesNotMatch",
        "presigned signature",
    );
    let other_key = get.url.replace("/presigned?", "/other?");
    assert_s3_error(
        &http("GET", &other_key, &[], b""),
        403,
        "SignatureDoesNotMatch",
        "presigned path",
    );
    // Expired: signed an hour ago for 60 seconds.
    let expired = loc("presigned")
        .presign(
            "GET",
            &creds(),
            now.checked_add_seconds(-3600).unwrap(),
            &PresignOptions::new(Duration::from_secs(60)),
        )
        .unwrap();
    assert_s3_error(
        &http("GET", &expired.url, &[], b""),
        403,
        "AccessDenied",
        "expired URL",
    );

    // Signed aws-chunked PUTs (with and without a signed CRC32 trailer).
    let body = payload(40_000);
    for trailer in [false, true] {
        let key = format!("chunked-{trailer}");
        let (s, encoded) = loc(&key)
            .sign_chunked_put(&creds(), now, &[], &body, &chunked(trailer))
            .unwrap();
        // A data byte of the third chunk changed: refused, nothing stored.
        let mut bad = encoded.clone();
        let at = find_bytes(&bad, b"\r\n2000;chunk-signature=") + 200;
        let at = at + find_bytes(&bad[at..], b"\r\n") + 2 + 100;
        bad[at] ^= 1;
        assert_s3_error(
            &send(&s, &bad),
            403,
            "SignatureDoesNotMatch",
            "a chunk changed",
        );
        assert_eq!(stored(&server, "tamper", &key), None, "{key}");
        let r = send(&s, &encoded);
        assert!(r.is_success(), "{key}: {} {}", r.status, r.text());
        assert_eq!(stored(&server, "tamper", &key).unwrap(), body, "{key}");
    }
    assert!(
        server.stderr().is_empty() || !server.stderr().contains("panicked"),
        "{}",
        server.stderr()
    );
}

#[cfg(feature = "sigv4a")]
#[test]
fn sigv4a_signed_presigned_and_chunked_requests() {
    let server = ExampleS3Server::start(&["v4a"]);
    let now = SigningTime::now();
    let loc = |key: &str, set: &str| location(&server, "v4a", key).with_region_set(set);
    for set in ["*", "us-east-1", "eu-west-1,us-east-1"] {
        let key = format!("signed-{set}");
        let s = loc(&key, set)
            .sign("PUT", &creds(), now, &[], &[], Payload::Bytes(b"v4a body"))
            .unwrap();
        assert!(s
            .headers
            .iter()
            .any(|(n, v)| n == "authorization" && v.starts_with("AWS4-ECDSA-P256-SHA256 ")));
        let r = send(&s, b"v4a body");
        assert!(r.is_success(), "{set}: {} {}", r.status, r.text());
        assert_eq!(stored(&server, "v4a", &key).unwrap(), b"v4a body");
        assert_s3_error(
            &send(&s, b"v4a bodY"),
            400,
            "XAmzContentSHA256Mismatch",
            "v4a body",
        );
    }
    // A region set without the server's region.
    let s = loc("elsewhere", "eu-west-1")
        .sign("PUT", &creds(), now, &[], &[], Payload::Bytes(b"x"))
        .unwrap();
    assert_s3_error(
        &send(&s, b"x"),
        400,
        "AuthorizationHeaderMalformed",
        "v4a region set",
    );
    // A changed signature (DER hex): refused.
    let mut s = loc("sig", "*")
        .sign("PUT", &creds(), now, &[], &[], Payload::Bytes(b"x"))
        .unwrap();
    for (n, v) in &mut s.headers {
        if n == "authorization" {
            let at = v.len() - 4;
            *v = format!("{}{}", &v[..at], flip_hex_digit(&v[at..], 0));
        }
    }
    assert_s3_error(
        &send(&s, b"x"),
        403,
        "SignatureDoesNotMatch",
        "v4a signature",
    );
    assert_eq!(stored(&server, "v4a", "sig"), None);

    // Presigned GET with SigV4a.
    let get = loc("signed-*", "*")
        .presign(
            "GET",
            &creds(),
            now,
            &PresignOptions::new(Duration::from_secs(300)),
        )
        .unwrap();
    assert!(
        get.url.contains("X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256"),
        "{}",
        get.url
    );
    let r = http("GET", &get.url, &[], b"");
    assert_eq!(
        (r.status, r.body.as_slice()),
        (200, &b"v4a body"[..]),
        "{}",
        r.text()
    );

    // Signed aws-chunked with SigV4a (ECDSA chunk signatures).
    let body = payload(20_000);
    for trailer in [false, true] {
        let key = format!("chunked-{trailer}");
        let (s, encoded) = loc(&key, "*")
            .sign_chunked_put(&creds(), now, &[], &body, &chunked(trailer))
            .unwrap();
        let mut bad = encoded.clone();
        let at = encoded.len() / 2;
        bad[at] ^= 1;
        assert!(!send(&s, &bad).is_success(), "a changed v4a chunk");
        assert_eq!(stored(&server, "v4a", &key), None);
        let r = send(&s, &encoded);
        assert!(r.is_success(), "{key}: {} {}", r.status, r.text());
        assert_eq!(stored(&server, "v4a", &key).unwrap(), body);
    }
}
