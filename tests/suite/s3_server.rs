//! S3 signing checked by a real S3 server: s3s-fs on 127.0.0.1 verifies
//! every signature we produce (header-signed, presigned, aws-chunked).

use std::time::Duration;

use crate::support::{http, tricky_keys, Response, S3Server, ACCESS_KEY, SECRET_KEY};
use sigv4::credentials::Credentials;
use sigv4::s3::{AddressingStyle, PresignOptions, S3Location, SignedRequest};
use sigv4::sign::{Payload, SigningTime};

fn creds() -> Credentials {
    Credentials::new(ACCESS_KEY, SECRET_KEY)
}

fn now() -> SigningTime {
    SigningTime::now()
}

fn send(s: &SignedRequest, body: &[u8]) -> Response {
    http(&s.method, &s.url, &s.headers, body)
}

fn location(server: &S3Server, bucket: &str, key: &str) -> S3Location {
    S3Location::new(bucket, key, "us-east-1")
        .unwrap()
        .with_endpoint(&server.endpoint())
        .unwrap()
}

fn create_bucket(server: &S3Server, bucket: &str) {
    let s = location(server, bucket, "")
        .sign("PUT", &creds(), now(), &[], &[], Payload::EMPTY)
        .unwrap();
    let r = send(&s, b"");
    assert!(r.is_success(), "create bucket: {} {}", r.status, r.text());
}

fn put(server: &S3Server, bucket: &str, key: &str, body: &[u8]) -> Response {
    let s = location(server, bucket, key)
        .sign("PUT", &creds(), now(), &[], &[], Payload::Bytes(body))
        .unwrap();
    send(&s, body)
}

fn get(server: &S3Server, bucket: &str, key: &str) -> Response {
    let s = location(server, bucket, key)
        .sign("GET", &creds(), now(), &[], &[], Payload::EMPTY)
        .unwrap();
    send(&s, b"")
}

fn list(server: &S3Server, bucket: &str, prefix: &str) -> Response {
    let q = [("list-type", "2"), ("prefix", prefix)];
    let s = location(server, bucket, "")
        .sign("GET", &creds(), now(), &q, &[], Payload::EMPTY)
        .unwrap();
    send(&s, b"")
}

/// The `<Key>` values of a ListObjectsV2 answer, XML entities decoded.
fn listed_keys(xml: &str) -> Vec<String> {
    xml.split("<Key>")
        .skip(1)
        .filter_map(|s| s.split("</Key>").next())
        .map(|k| {
            k.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&#39;", "'")
                .replace("&#x9;", "\t")
                .replace("&#9;", "\t")
                .replace("&amp;", "&")
        })
        .collect()
}

#[test]
fn header_signed_object_calls() {
    let server = S3Server::start();
    create_bucket(&server, "calls");
    let r = put(&server, "calls", "docs/hello.txt", b"hello world");
    assert!(r.is_success(), "put: {} {}", r.status, r.text());
    put(&server, "calls", "other/x.txt", b"x");

    let r = get(&server, "calls", "docs/hello.txt");
    assert!(r.is_success(), "get: {}", r.status);
    assert_eq!(r.body, b"hello world");

    let s = location(&server, "calls", "docs/hello.txt")
        .sign("HEAD", &creds(), now(), &[], &[], Payload::EMPTY)
        .unwrap();
    let r = send(&s, b"");
    assert!(r.is_success(), "head: {}", r.status);
    assert_eq!(r.header("content-length"), Some("11"));

    let r = list(&server, "calls", "docs/");
    assert!(r.is_success(), "list: {} {}", r.status, r.text());
    assert_eq!(listed_keys(&r.text()), vec!["docs/hello.txt"]);

    // A Range GET and an UNSIGNED-PAYLOAD PUT.
    let s = location(&server, "calls", "docs/hello.txt")
        .sign(
            "GET",
            &creds(),
            now(),
            &[],
            &[("range", "bytes=0-4")],
            Payload::EMPTY,
        )
        .unwrap();
    let r = send(&s, b"");
    assert_eq!((r.status, r.body.as_slice()), (206, &b"hello"[..]));
    let s = location(&server, "calls", "unsigned.bin")
        .sign("PUT", &creds(), now(), &[], &[], Payload::Unsigned)
        .unwrap();
    assert!(send(&s, b"body").is_success());

    let s = location(&server, "calls", "docs/hello.txt")
        .sign("DELETE", &creds(), now(), &[], &[], Payload::EMPTY)
        .unwrap();
    let r = send(&s, b"");
    assert!(r.is_success(), "delete: {}", r.status);
    assert_eq!(get(&server, "calls", "docs/hello.txt").status, 404);
}

#[test]
fn virtual_hosted_style_against_a_custom_domain() {
    let server = S3Server::start();
    create_bucket(&server, "vhost");
    let loc = S3Location::new("vhost", "v.txt", "us-east-1")
        .unwrap()
        .with_endpoint(&format!("http://s3.localhost:{}", server.port))
        .unwrap()
        .with_style(AddressingStyle::VirtualHosted);
    let s = loc
        .sign("PUT", &creds(), now(), &[], &[], Payload::Bytes(b"v"))
        .unwrap();
    assert!(s.url.starts_with("http://vhost.s3.localhost:"), "{}", s.url);
    let r = send(&s, b"v");
    assert!(
        r.is_success(),
        "virtual-hosted put: {} {}",
        r.status,
        r.text()
    );
    let p = loc
        .presign(
            "GET",
            &creds(),
            now(),
            &PresignOptions::new(Duration::from_secs(60)),
        )
        .unwrap();
    let r = http("GET", &p.url, &[], b"");
    assert_eq!((r.status, r.body.as_slice()), (200, &b"v"[..]));
}

#[test]
fn presigned_urls_need_no_signing_code() {
    let server = S3Server::start();
    create_bucket(&server, "presign");
    let loc = location(&server, "presign", "up/file.txt");
    let opts = PresignOptions::new(Duration::from_secs(300))
        .header("content-type", "text/plain")
        .header("x-amz-meta-origin", "test");
    let put_url = loc.presign("PUT", &creds(), now(), &opts).unwrap();
    let headers = put_url.headers.clone();
    let r = http("PUT", &put_url.url, &headers, b"uploaded via presigned PUT");
    assert!(r.is_success(), "presigned put: {} {}", r.status, r.text());

    let get_url = loc
        .presign(
            "GET",
            &creds(),
            now(),
            &PresignOptions::new(Duration::from_secs(300))
                .response_override("response-content-type", "application/x-test"),
        )
        .unwrap();
    let r = http("GET", &get_url.url, &[], b"");
    assert!(r.is_success(), "presigned get: {} {}", r.status, r.text());
    assert_eq!(r.body, b"uploaded via presigned PUT");

    let head_url = loc
        .presign(
            "HEAD",
            &creds(),
            now(),
            &PresignOptions::new(Duration::from_secs(300)),
        )
        .unwrap();
    assert!(http("HEAD", &head_url.url, &[], b"").is_success());
    let del_url = loc
        .presign(
            "DELETE",
            &creds(),
            now(),
            &PresignOptions::new(Duration::from_secs(300)),
        )
        .unwrap();
    assert!(http("DELETE", &del_url.url, &[], b"").is_success());
    assert_eq!(http("GET", &get_url.url, &[], b"").status, 404);
}

#[test]
fn aws_chunked_upload_in_several_chunks() {
    let server = S3Server::start();
    create_bucket(&server, "chunked");
    let body: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let loc = location(&server, "chunked", "big.bin");
    let (req, encoded) = loc
        .sign_chunked_put(&creds(), now(), &[], &body, 8192, false)
        .unwrap();
    assert!(encoded.len() > body.len());
    assert_eq!(
        encoded
            .windows(16)
            .filter(|w| *w == b";chunk-signature")
            .count(),
        4,
        "3 data chunks + final"
    );
    let r = send(&req, &encoded);
    assert!(r.is_success(), "chunked put: {} {}", r.status, r.text());
    let r = get(&server, "chunked", "big.bin");
    assert_eq!(r.body, body);

    // The -TRAILER form with a signed x-amz-checksum-crc32 trailer.
    let loc = location(&server, "chunked", "trailer.bin");
    let (req, encoded) = loc
        .sign_chunked_put(&creds(), now(), &[], &body, 8192, true)
        .unwrap();
    assert!(encoded
        .windows(24)
        .any(|w| w == b"x-amz-trailer-signature:"));
    let r = send(&req, &encoded);
    assert!(
        r.is_success(),
        "chunked put with trailer: {} {}",
        r.status,
        r.text()
    );
    assert_eq!(get(&server, "chunked", "trailer.bin").body, body);

    // A chunk altered after signing is refused.
    let (req, mut encoded) = loc
        .sign_chunked_put(&creds(), now(), &[], &body, 8192, false)
        .unwrap();
    let i = encoded.len() / 2;
    encoded[i] ^= 1;
    let r = send(&req, &encoded);
    assert!(!r.is_success(), "tampered chunk accepted: {}", r.status);
}

#[test]
fn tricky_keys_round_trip() {
    let server = S3Server::start();
    create_bucket(&server, "keys");
    let mut failures = Vec::new();
    for (i, key) in tricky_keys().iter().enumerate() {
        let body = format!("body of key {i}");
        let r = put(&server, "keys", key, body.as_bytes());
        if key.len() > 160 {
            // s3s-fs keeps per-object metadata in a file named after the
            // base64 of the key, which exceeds Linux's 255-byte file name
            // limit: it answers 500 InternalError after verifying the
            // signature. A signature problem would be 403. The full round
            // trip of this key runs against moto (tests/suite/s3_moto.rs).
            assert!(
                r.status != 403 && r.text().contains("InternalError"),
                "long key: {} {}",
                r.status,
                r.text()
            );
            continue;
        }
        if !r.is_success() {
            failures.push(format!("put {key:?}: {} {}", r.status, r.text()));
            continue;
        }
        let r = get(&server, "keys", key);
        if r.body != body.as_bytes() {
            failures.push(format!("get {key:?}: {} {}", r.status, r.text()));
        }
        // s3s-fs stores keys as file paths, so it lists `dir//x`, `a/./b`
        // and `a/../b` under their normalized paths; for those keys the
        // listing (whose signed prefix is the raw key) must still be accepted
        // and contain that stored name.
        let r = list(&server, "keys", key);
        let stored = match key.as_str() {
            "dir//x" => "dir/x",
            "a/./b" => "a/b",
            "a/../b" => "b",
            k => k,
        };
        let r_stored = if stored == key {
            None
        } else {
            Some(list(&server, "keys", stored))
        };
        let ok = r.is_success()
            && match &r_stored {
                None => listed_keys(&r.text()).contains(key),
                Some(rs) => rs.is_success() && listed_keys(&rs.text()).iter().any(|k| k == stored),
            };
        if !ok {
            failures.push(format!("list {key:?}: {} {}", r.status, r.text()));
        }
        let url = location(&server, "keys", key)
            .presign(
                "GET",
                &creds(),
                now(),
                &PresignOptions::new(Duration::from_secs(60)),
            )
            .unwrap();
        let r = http("GET", &url.url, &[], b"");
        if r.body != body.as_bytes() {
            failures.push(format!("presigned get {key:?}: {} {}", r.status, r.text()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn tampering_is_rejected() {
    let server = S3Server::start();
    create_bucket(&server, "neg");
    assert!(put(&server, "neg", "k", b"original").is_success());
    let loc = location(&server, "neg", "k");

    // A flipped signature character.
    let mut s = loc
        .sign("GET", &creds(), now(), &[], &[], Payload::EMPTY)
        .unwrap();
    for (n, v) in s.headers.iter_mut() {
        if n == "authorization" {
            let last = v.pop().unwrap();
            v.push(if last == '0' { '1' } else { '0' });
        }
    }
    let r = send(&s, b"");
    assert_eq!(r.status, 403, "flipped signature: {}", r.text());
    assert!(r.text().contains("SignatureDoesNotMatch"), "{}", r.text());

    // A wrong secret.
    let wrong = Credentials::new(ACCESS_KEY, "not-the-secret");
    let r = send(
        &loc.sign("GET", &wrong, now(), &[], &[], Payload::EMPTY)
            .unwrap(),
        b"",
    );
    assert_eq!(r.status, 403, "wrong secret");

    // An expired presigned URL: signed two minutes ago, valid for one second.
    let past = SigningTime::from_unix_seconds(now().unix_seconds() - 120).unwrap();
    let url = loc
        .presign(
            "GET",
            &creds(),
            past,
            &PresignOptions::new(Duration::from_secs(1)),
        )
        .unwrap();
    let r = http("GET", &url.url, &[], b"");
    assert!(
        !r.is_success(),
        "expired presigned URL accepted: {}",
        r.status
    );
    assert_eq!(r.status, 403, "{}", r.text());

    // The body changed after signing (s3s-fs answers 4xx or 500 here: not 2xx is the contract).
    let s = loc
        .sign(
            "PUT",
            &creds(),
            now(),
            &[],
            &[],
            Payload::Bytes(b"signed body"),
        )
        .unwrap();
    let r = send(&s, b"other body!");
    assert!(!r.is_success(), "changed body accepted: {}", r.status);

    // A signed header changed after signing.
    let mut s = loc
        .sign(
            "PUT",
            &creds(),
            now(),
            &[],
            &[("x-amz-meta-color", "blue")],
            Payload::Bytes(b"x"),
        )
        .unwrap();
    for (n, v) in s.headers.iter_mut() {
        if n == "x-amz-meta-color" {
            *v = "red".into();
        }
    }
    let r = send(&s, b"x");
    assert_eq!(r.status, 403, "changed header: {}", r.text());

    // Nothing above changed the object.
    assert_eq!(get(&server, "neg", "k").body, b"original");
}
