//! S3 signing checked by a second real server: moto verifies header
//! signatures with botocore's S3 signer. It stores keys in memory, so it
//! round-trips the 1024-byte key and the keys that s3s-fs can only store
//! under a normalized file path (`dir//x`, `a/./b`, `a/../b`).
//!
//! moto rebuilds the canonical URI from the already-encoded path and encodes
//! it again for reserved characters and non-ASCII (`a+b` becomes `a%252Bb`),
//! which real S3 and s3s-fs do not: keys with those characters are checked
//! against s3s-fs only (`tests/suite/s3_server.rs`). moto's check of presigned
//! URLs (it answers 500) and of list prefixes containing `/` (403) also
//! departs from S3, so here the keys round-trip through header-signed PUT
//! and GET.

use crate::support::{http, tricky_keys, MotoServer};
use sigv4::credentials::Credentials;
use sigv4::s3::S3Location;
use sigv4::sign::{Payload, SigningTime};

#[test]
fn tricky_keys_round_trip_on_moto() {
    let moto = MotoServer::start();
    let creds = Credentials::new(&moto.access_key, &moto.secret_key);
    let loc = |key: &str| {
        S3Location::new("sigv4-keys", key, "us-east-1")
            .unwrap()
            .with_endpoint(&moto.endpoint())
            .unwrap()
    };
    let send = |method: &str, key: &str, body: &[u8]| {
        let s = loc(key)
            .sign(
                method,
                &creds,
                SigningTime::now(),
                &[],
                &[],
                Payload::Bytes(body),
            )
            .unwrap();
        http(&s.method, &s.url, &s.headers, body)
    };
    let r = send("PUT", "", b"");
    assert!(r.is_success(), "create bucket: {} {}", r.status, r.text());

    // A wrong secret is refused, so moto really checks.
    let wrong = Credentials::new(&moto.access_key, "wrong-secret");
    let s = loc("x")
        .sign("GET", &wrong, SigningTime::now(), &[], &[], Payload::EMPTY)
        .unwrap();
    let r = http(&s.method, &s.url, &s.headers, b"");
    assert_eq!(r.status, 403, "moto accepted a wrong secret: {}", r.text());

    let mut failures = Vec::new();
    let keys: Vec<String> = tricky_keys()
        .into_iter()
        .filter(|k| {
            k.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/. \t~".contains(&b))
        })
        .collect();
    assert!(
        keys.iter().any(|k| k.len() == 1024)
            && keys.contains(&"dir//x".to_string())
            && keys.len() >= 6
    );
    for (i, key) in keys.iter().enumerate() {
        let body = format!("moto body {i}");
        let r = send("PUT", key, body.as_bytes());
        if !r.is_success() {
            failures.push(format!("put {key:?}: {} {}", r.status, r.text()));
            continue;
        }
        let r = send("GET", key, b"");
        if r.body != body.as_bytes() {
            failures.push(format!("get {key:?}: {} {}", r.status, r.text()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
