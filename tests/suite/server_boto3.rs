//! The example S3 server (the verifying tower layer) with boto3: a
//! `put_object` with each `ChecksumAlgorithm`, over HTTP (a signed body,
//! the checksum in a header) and over HTTPS with a self-signed certificate
//! (botocore's aws-chunked body with an unsigned checksum trailer), then
//! `get_object`: the bytes come back equal.
#![cfg(all(feature = "server", feature = "client"))]

use std::path::Path;
use std::process::Command;

use crate::support::{ExampleS3Server, SERVER_ACCESS_KEY, SERVER_SECRET_KEY};

const ALGORITHMS: [&str; 5] = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];

/// A wrong checksum was refused with S3's `BadDigest` and not stored.
#[track_caller]
fn assert_wrong_checksum_refused(out: &serde_json::Value) {
    let wrong = &out["wrong"];
    assert_eq!(
        (&wrong["error"], &wrong["status"], &wrong["stored"]),
        (&"BadDigest".into(), &400.into(), &false.into()),
        "{wrong}"
    );
}

/// Runs `support/boto3_checksums.py` against `server`; its JSON answer.
fn boto3(server: &ExampleS3Server, ca_bundle: Option<&Path>, size: usize) -> serde_json::Value {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suite/support/boto3_checksums.py");
    let mut c = Command::new("python3");
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("AWS_") {
            c.env_remove(name);
        }
    }
    c.arg(script)
        .args([server.endpoint(), "boto3", &size.to_string()])
        .env("AWS_ACCESS_KEY_ID", SERVER_ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SERVER_SECRET_KEY)
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    if let Some(ca) = ca_bundle {
        c.env("AWS_CA_BUNDLE", ca);
    }
    let o = c.output().expect("run python3");
    assert!(
        o.status.success(),
        "boto3_checksums.py (boto3 and awscrt: ci/install-peers): {}\nserver: {}",
        String::from_utf8_lossy(&o.stderr),
        server.stderr()
    );
    serde_json::from_slice(&o.stdout).expect("JSON from boto3_checksums.py")
}

#[test]
fn boto3_put_object_with_each_checksum_over_http() {
    let server = ExampleS3Server::start(&["boto3"]);
    let out = boto3(&server, None, 300_000);
    for algorithm in ALGORITHMS {
        let r = &out[algorithm];
        assert_eq!(r["equal"], true, "{algorithm}: {r}");
        let sent = &r["sent"];
        // Plain HTTP: the body is signed (its SHA-256), the checksum a header.
        assert_eq!(
            sent["x-amz-content-sha256"], r["sha256"],
            "{algorithm}: {sent}"
        );
        let header = format!("x-amz-checksum-{}", algorithm.to_lowercase());
        assert!(sent[&header].is_string(), "{algorithm}: {sent}");
        assert!(sent.get("x-amz-trailer").is_none(), "{algorithm}: {sent}");
    }
    assert_wrong_checksum_refused(&out);
}

#[test]
fn boto3_put_object_with_each_checksum_over_https_as_aws_chunked_with_trailers() {
    let server = ExampleS3Server::start_tls(&["boto3"]);
    // Over 1 MiB: botocore's aws-chunked body has several chunks.
    let out = boto3(&server, Some(&server.ca_bundle()), 2_500_000);
    for algorithm in ALGORITHMS {
        let r = &out[algorithm];
        assert_eq!(r["equal"], true, "{algorithm}: {r}");
        let sent = &r["sent"];
        assert_eq!(
            sent["x-amz-content-sha256"], "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            "{algorithm}: {sent}"
        );
        assert!(
            sent["content-encoding"]
                .as_str()
                .is_some_and(|e| e.contains("aws-chunked")),
            "{algorithm}: {sent}"
        );
        let header = format!("x-amz-checksum-{}", algorithm.to_lowercase());
        assert_eq!(
            sent["x-amz-trailer"],
            header.as_str(),
            "{algorithm}: {sent}"
        );
        assert_eq!(
            sent["x-amz-decoded-content-length"], "2500000",
            "{algorithm}: {sent}"
        );
    }
}
