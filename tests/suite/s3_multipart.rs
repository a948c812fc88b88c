//! Presigned multipart uploads on two real S3 servers, s3s-fs and garage:
//! our client creates and completes the upload, plain `curl` sends each
//! part through a presigned part URL (one of them printed by the `sigv4`
//! binary), and the object is read back byte-exact. Both servers check
//! every signature. s3s-fs 0.14 lists parts without their ETags, so the
//! listed ETags are compared on garage only.
#![cfg(feature = "cli")]

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::support::{
    assert_s3_error, peer_client, GarageServer, Response, S3Server, TempDir, ACCESS_KEY, SECRET_KEY,
};
use sigv4::api::s3_multipart::{
    AbortMultipartUpload, CompleteMultipartUpload, CompletedPart, CreateMultipartUpload, ListParts,
    UploadPart,
};
use sigv4::api::s3_objects::GetObject;
use sigv4::api::ApiRequest;
use sigv4::client::Client;
use sigv4::credentials::Credentials;
use sigv4::s3::{PresignOptions, S3Location, MIN_PART_SIZE};
use sigv4::sign::SigningTime;

const BIN: &str = env!("CARGO_BIN_EXE_sigv4");

/// One S3 server under test: its endpoint and key pair.
struct Peer {
    endpoint: String,
    access_key: String,
    secret_key: String,
    /// The error code for completing an aborted upload: S3 says
    /// `NoSuchUpload`; s3s-fs 0.14 says `AccessDenied` (it cannot tell an
    /// upload it never had from one of another owner).
    aborted_upload_code: &'static str,
    /// The error code for a wrong signature: S3 and s3s-fs say
    /// `SignatureDoesNotMatch`; garage 2.5 says `AccessDenied` ("Invalid
    /// signature").
    bad_signature_code: &'static str,
}

impl Peer {
    fn credentials(&self) -> Credentials {
        Credentials::new(&self.access_key, &self.secret_key)
    }

    fn client(&self) -> Client {
        peer_client(self.endpoint.clone(), self.credentials())
    }

    fn location(&self, bucket: &str, key: &str) -> S3Location {
        S3Location::new(bucket, key, "us-east-1")
            .unwrap()
            .with_endpoint(&self.endpoint)
            .unwrap()
    }
}

fn create_bucket(peer: &Peer, bucket: &str) {
    let request = ApiRequest::new(
        http::Method::PUT,
        format!("{}/{bucket}", peer.endpoint),
        "s3",
        "us-east-1",
    );
    let response = peer.client().send(&request).unwrap();
    assert!(
        response.status().is_success(),
        "create bucket: {:?}",
        response.status()
    );
}

/// Deterministic, non-repeating-looking content.
fn content(len: usize, seed: u8) -> Vec<u8> {
    let mut x = u32::from(seed) | 0x9e37_0000;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

/// `curl -X PUT --upload-file FILE URL`: the status, headers and body.
fn curl_put(url: &str, file: &Path) -> Response {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "60", "-X", "PUT", "--upload-file"])
        .arg(file)
        .args(["-D", "-", "-o", "/dev/stderr", "-w", "%{http_code}"])
        .arg(url)
        .output()
        .expect("run curl");
    let head = String::from_utf8_lossy(&out.stdout).to_string();
    let status: u16 = head
        .rsplit('\n')
        .next()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| panic!("curl gave no status: {head}"));
    let headers = head
        .lines()
        .filter_map(|l| {
            let (n, v) = l.split_once(':')?;
            Some((n.trim().to_ascii_lowercase(), v.trim().to_string()))
        })
        .collect();
    Response {
        status,
        headers,
        body: out.stderr,
    }
}

/// `sigv4 presign -X PUT --part-number N --upload-id ID`: the part URL it prints.
fn cli_part_url(peer: &Peer, target: &str, part: u32, upload_id: &str) -> String {
    let out = Command::new(BIN)
        .args(["--endpoint-url", &peer.endpoint, "--region", "us-east-1"])
        .args(["presign", "-X", "PUT", "--expires-in", "600"])
        .args(["--part-number", &part.to_string(), "--upload-id", upload_id])
        .arg(target)
        .env("AWS_ACCESS_KEY_ID", &peer.access_key)
        .env("AWS_SECRET_ACCESS_KEY", &peer.secret_key)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .output()
        .expect("run sigv4");
    assert!(
        out.status.success(),
        "sigv4 presign: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// The whole flow on one server.
fn three_parts_through_presigned_urls(peer: &Peer) {
    let (bucket, key) = ("multipart", "big/file a+b.bin");
    create_bucket(peer, bucket);
    let client = peer.client();
    let upload = client
        .create_multipart_upload(
            &CreateMultipartUpload::new(bucket, key).content_type("application/x-test"),
        )
        .unwrap();
    assert!(!upload.upload_id.is_empty());

    let part = MIN_PART_SIZE as usize;
    let parts = [content(part, 1), content(part, 2), content(1234, 3)];
    let dir = TempDir::new("multipart");
    let location = peer.location(bucket, key);
    let options = PresignOptions::new(Duration::from_secs(600));
    let mut urls: Vec<String> = location
        .presign_upload_parts(
            &upload.upload_id,
            1..=3,
            &peer.credentials(),
            SigningTime::now(),
            &options,
        )
        .unwrap()
        .into_iter()
        .map(|u| u.url)
        .collect();
    // Part 2's URL comes from the command-line tool instead.
    urls[1] = cli_part_url(peer, &format!("s3://{bucket}/{key}"), 2, &upload.upload_id);

    // A part URL with another part number in it is refused: it is signed.
    let file = dir.path().join("part-1");
    std::fs::write(&file, &parts[0]).unwrap();
    let forged = urls[0].replacen("partNumber=1", "partNumber=4", 1);
    let r = curl_put(&forged, &file);
    assert_s3_error(
        &r,
        403,
        peer.bad_signature_code,
        "a part URL with a changed part number",
    );

    let mut completed = CompleteMultipartUpload::new(bucket, key, &upload.upload_id);
    for (i, (url, data)) in urls.iter().zip(&parts).enumerate() {
        let file = dir.path().join(format!("part-{}", i + 1));
        std::fs::write(&file, data).unwrap();
        let r = curl_put(url, &file);
        assert_eq!(r.status, 200, "part {}: {}", i + 1, r.text());
        let etag = r
            .header("etag")
            .unwrap_or_else(|| panic!("part {} answered no ETag", i + 1));
        completed = completed.part(CompletedPart::new(i as u32 + 1, etag));
    }

    let listed = client
        .list_parts(&ListParts::new(bucket, key, &upload.upload_id))
        .unwrap();
    assert_eq!(
        listed
            .parts
            .iter()
            .map(|p| (p.part_number, p.size))
            .collect::<Vec<_>>(),
        vec![(1, part as u64), (2, part as u64), (3, 1234)]
    );
    // s3s-fs 0.14 lists parts without their ETags; garage lists them.
    if listed.parts.iter().any(|p| p.etag.is_some()) {
        assert_eq!(
            listed
                .parts
                .iter()
                .map(|p| p.etag.as_deref())
                .collect::<Vec<_>>(),
            completed
                .parts
                .iter()
                .map(|p| Some(p.etag.as_str()))
                .collect::<Vec<_>>()
        );
    }

    let done = client.complete_multipart_upload(&completed).unwrap();
    assert!(done.etag.is_some());
    let object = client.get_object(&GetObject::new(bucket, key)).unwrap();
    let expected: Vec<u8> = parts.concat();
    assert_eq!(object.body.len(), expected.len());
    assert!(object.body == expected, "the object differs from its parts");
    assert_eq!(
        object.metadata.content_type.as_deref(),
        Some("application/x-test")
    );

    // An aborted upload is gone: its part cannot make an object.
    let other = client
        .create_multipart_upload(&CreateMultipartUpload::new(bucket, "aborted"))
        .unwrap();
    let sent = client
        .upload_part(&UploadPart::new(
            bucket,
            "aborted",
            &other.upload_id,
            1,
            b"abandoned".to_vec(),
        ))
        .unwrap();
    client
        .abort_multipart_upload(&AbortMultipartUpload::new(
            bucket,
            "aborted",
            &other.upload_id,
        ))
        .unwrap();
    let err = client
        .complete_multipart_upload(
            &CompleteMultipartUpload::new(bucket, "aborted", &other.upload_id)
                .part(CompletedPart::new(1, sent.etag)),
        )
        .unwrap_err();
    assert_eq!(err.code(), Some(peer.aborted_upload_code), "{err}");
    let err = client
        .get_object(&GetObject::new(bucket, "aborted"))
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchKey"), "{err}");
}

#[test]
fn presigned_multipart_upload_on_s3s_fs() {
    let server = S3Server::start();
    three_parts_through_presigned_urls(&Peer {
        endpoint: server.endpoint(),
        access_key: ACCESS_KEY.into(),
        secret_key: SECRET_KEY.into(),
        aborted_upload_code: "AccessDenied",
        bad_signature_code: "SignatureDoesNotMatch",
    });
}

#[test]
fn presigned_multipart_upload_on_garage() {
    let server = GarageServer::start();
    three_parts_through_presigned_urls(&Peer {
        endpoint: server.endpoint(),
        access_key: server.access_key.clone(),
        secret_key: server.secret_key.clone(),
        aborted_upload_code: "NoSuchUpload",
        bad_signature_code: "AccessDenied",
    });
}

/// A part URL past its expiry is refused by the server, not only by us.
#[test]
fn an_expired_part_url_is_refused() {
    let server = S3Server::start();
    let peer = Peer {
        endpoint: server.endpoint(),
        access_key: ACCESS_KEY.into(),
        secret_key: SECRET_KEY.into(),
        aborted_upload_code: "AccessDenied",
        bad_signature_code: "SignatureDoesNotMatch",
    };
    create_bucket(&peer, "expiry");
    let upload = peer
        .client()
        .create_multipart_upload(&CreateMultipartUpload::new("expiry", "k"))
        .unwrap();
    let an_hour_ago =
        SigningTime::from_unix_seconds(SigningTime::now().unix_seconds() - 3600).unwrap();
    let url = peer
        .location("expiry", "k")
        .presign_upload_part(
            &upload.upload_id,
            1,
            &peer.credentials(),
            an_hour_ago,
            &PresignOptions::new(Duration::from_secs(60)),
        )
        .unwrap();
    let dir = TempDir::new("expired-part");
    let file = dir.path().join("p");
    std::fs::write(&file, b"late").unwrap();
    assert_s3_error(
        &curl_put(&url.url, &file),
        403,
        "AccessDenied",
        "an expired part URL",
    );
}
