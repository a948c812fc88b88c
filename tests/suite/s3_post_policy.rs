//! Presigned POST forms checked by real S3 servers: uploads through the
//! fields of `S3Location::presign_post` are stored (and read back byte for
//! byte), and forms that break a condition, or whose policy or signature
//! was changed, are refused with each server's exact status and code.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::support::{
    assert_s3_error, flip_hex_digit, http, post_form, s3_error_code, GarageServer, Response,
    S3Server, ACCESS_KEY, SECRET_KEY,
};
use sigv4::credentials::Credentials;
use sigv4::s3::{PostPolicy, PresignedPost, S3Location};
use sigv4::sign::{Payload, SigningTime};

/// An S3 server with one bucket, and how to reach it.
pub struct Peer {
    pub name: &'static str,
    pub endpoint: String,
    pub credentials: Credentials,
    pub bucket: &'static str,
    _server: Box<dyn std::any::Any>,
}

impl Peer {
    /// s3s-fs with the bucket `bucket`.
    pub fn s3s_fs(bucket: &'static str) -> Peer {
        let server = S3Server::start();
        let peer = Peer {
            name: "s3s-fs",
            endpoint: server.endpoint(),
            credentials: Credentials::new(ACCESS_KEY, SECRET_KEY),
            bucket,
            _server: Box::new(server),
        };
        let r = peer.signed("PUT", "", b"");
        assert!(r.is_success(), "create bucket: {} {}", r.status, r.text());
        peer
    }

    /// garage with the bucket `bucket`.
    pub fn garage(bucket: &'static str) -> Peer {
        let server = GarageServer::start();
        server.create_bucket(bucket);
        Peer {
            name: "garage",
            endpoint: server.endpoint(),
            credentials: Credentials::new(&server.access_key, &server.secret_key),
            bucket,
            _server: Box::new(server),
        }
    }

    /// `key` in the bucket (path style, the server's endpoint).
    pub fn location(&self, key: &str) -> S3Location {
        S3Location::new(self.bucket, key, "us-east-1")
            .unwrap()
            .with_endpoint(&self.endpoint)
            .unwrap()
    }

    /// A header-signed request to `key` (the bucket itself when empty).
    fn signed(&self, method: &str, key: &str, body: &[u8]) -> Response {
        let s = self
            .location(key)
            .sign(
                method,
                &self.credentials,
                SigningTime::now(),
                &[],
                &[],
                Payload::Bytes(body),
            )
            .unwrap();
        http(&s.method, &s.url, &s.headers, body)
    }

    /// A presigned POST for `key` with `policy`, signed now.
    pub fn presign_post(&self, key: &str, policy: &PostPolicy) -> PresignedPost {
        self.location(key)
            .presign_post(&self.credentials, SigningTime::now(), policy)
            .unwrap()
    }

    /// Asserts that `key` holds exactly `body` (`None`: no such key).
    #[track_caller]
    pub fn assert_object(&self, key: &str, body: Option<&[u8]>) -> Response {
        let r = self.signed("GET", key, b"");
        match body {
            Some(body) => assert_eq!(
                (r.status, r.body.as_slice()),
                (200, body),
                "{}: GET {key}: {}",
                self.name,
                r.text()
            ),
            None => assert_s3_error(&r, 404, "NoSuchKey", &format!("{}: {key}", self.name)),
        }
        r
    }
}

/// The text of the first `<tag>` element of `xml`, entities decoded.
fn xml_text(xml: &str, tag: &str) -> Option<String> {
    let start = xml.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = xml[start..].find(&format!("</{tag}>"))? + start;
    Some(
        xml[start..end]
            .replace("&apos;", "'")
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// `fields` with the value of `name` replaced by `value`.
fn with_field(fields: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    assert!(fields.iter().any(|(n, _)| n == name), "no field {name}");
    fields
        .iter()
        .map(|(n, v)| (n.clone(), if n == name { value } else { v }.to_string()))
        .collect()
}

/// Uploads that the policy allows are stored as sent.
fn accepted_uploads(peer: &Peer, expected: &Expected) {
    // An exact key, typed fields, the 201 answer naming the object.
    let policy = PostPolicy::new(Duration::from_secs(300))
        .content_type("text/plain;charset=utf-8")
        .success_action_status(201)
        .meta("origin", "post-test")
        .content_length_range(1, 1024);
    let post = peer.presign_post("docs/hello.txt", &policy);
    assert_eq!(post.url, format!("{}/{}", peer.endpoint, peer.bucket));
    let body = b"hello from a POST form\r\n--not-a-boundary\r\n\x00\xff";
    let r = post_form(&post.url, &post.fields, "local-name.txt", body);
    assert_eq!(r.status, 201, "{}: {}", peer.name, r.text());
    let xml = r.text();
    assert!(xml.contains("<Key>docs/hello.txt</Key>"), "{xml}");
    assert!(
        xml.contains(&format!("<Bucket>{}</Bucket>", peer.bucket)),
        "{xml}"
    );
    let got = peer.assert_object("docs/hello.txt", Some(body));
    assert_eq!(got.header("content-type"), Some("text/plain;charset=utf-8"));
    assert_eq!(got.header("x-amz-meta-origin"), Some("post-test"));

    // `${filename}`: the key is the prefix and the file's name; no
    // success_action_status: 204.
    let post = peer.presign_post(
        "uploads/${filename}",
        &PostPolicy::new(Duration::from_secs(300)),
    );
    assert_eq!(post.field("key"), Some("uploads/${filename}"));
    let r = post_form(
        &post.url,
        &post.fields,
        "a b+c.bin",
        b"named by the browser",
    );
    assert_eq!(r.status, 204, "{}: {}", peer.name, r.text());
    let (stored, not_stored) = if expected.substitutes_filename {
        ("uploads/a b+c.bin", "uploads/${filename}")
    } else {
        ("uploads/${filename}", "uploads/a b+c.bin")
    };
    peer.assert_object(stored, Some(b"named by the browser"));
    peer.assert_object(not_stored, None);
}

/// Each refused form with the status and code the server answers, and the
/// key that must stay absent.
fn refused_uploads(peer: &Peer, expected: &Expected) {
    let policy = PostPolicy::new(Duration::from_secs(300))
        .content_type("text/plain")
        .content_length_range(1, 10);
    let exact = peer.presign_post("neg/exact.txt", &policy);
    let prefixed = peer.presign_post("neg/in/${filename}", &policy);
    let mut tampered_policy = exact.clone();
    let document = exact.policy.replace(
        r#"["content-length-range", 1, 10]"#,
        r#"["content-length-range", 1, 1000]"#,
    );
    assert_ne!(document, exact.policy);
    tampered_policy.fields = with_field(&exact.fields, "policy", &STANDARD.encode(document));
    let signature = exact.field("x-amz-signature").unwrap();
    let tampered_signature = with_field(
        &exact.fields,
        "x-amz-signature",
        &flip_hex_digit(signature, 7),
    );
    // Signed five minutes ago for one minute: within the servers' clock
    // skew (x-amz-date is recent enough), but the policy has expired.
    let past = SigningTime::from_unix_seconds(SigningTime::now().unix_seconds() - 300).unwrap();
    let expired = peer
        .location("neg/exact.txt")
        .presign_post(
            &peer.credentials,
            past,
            &PostPolicy::new(Duration::from_secs(60))
                .content_type("text/plain")
                .content_length_range(1, 10),
        )
        .unwrap();

    let cases = [
        (
            "too large for content-length-range",
            &exact,
            exact.fields.clone(),
            &b"eleven byte"[..],
            expected.too_large,
        ),
        (
            "a key outside the starts-with prefix",
            &prefixed,
            with_field(&prefixed.fields, "key", "neg/out/x.txt"),
            &b"small"[..],
            expected.wrong_key,
        ),
        (
            "another Content-Type",
            &exact,
            with_field(&exact.fields, "Content-Type", "text/html"),
            &b"small"[..],
            expected.wrong_content_type,
        ),
        (
            "an expired policy",
            &expired,
            expired.fields.clone(),
            &b"small"[..],
            expected.expired,
        ),
        (
            "a policy changed after signing",
            &exact,
            tampered_policy.fields.clone(),
            &b"small but more than ten"[..],
            expected.tampered_policy,
        ),
        (
            "one signature digit changed",
            &exact,
            tampered_signature,
            &b"small"[..],
            expected.tampered_signature,
        ),
    ];
    // Every answer first, then one comparison: a failure shows them all.
    // The message shows the refusal is for the condition broken (garage
    // answers InvalidRequest to each).
    let mut answers = Vec::new();
    let mut wanted = Vec::new();
    for (what, post, fields, body, (status, code, message)) in cases {
        let r = post_form(&post.url, &fields, "x.txt", body);
        let text = r.text();
        let says = xml_text(&text, "Message").unwrap_or_default();
        answers.push((what, r.status, s3_error_code(&r), says.contains(message)));
        wanted.push((what, status, Some(code.to_string()), true));
        assert!(!text.is_empty(), "{what}");
    }
    assert_eq!(answers, wanted, "{}", peer.name);
    peer.assert_object("neg/exact.txt", None);
    peer.assert_object("neg/out/x.txt", None);
    // The same forms untampered work.
    let r = post_form(&exact.url, &exact.fields, "x.txt", b"small");
    assert_eq!(r.status, 204, "{}: {}", peer.name, r.text());
    peer.assert_object("neg/exact.txt", Some(b"small"));
}

/// A refusal: status, `<Code>`, and a part of its `<Message>`.
type Answer = (u16, &'static str, &'static str);

/// What a server does: whether it puts the file's name in place of
/// `${filename}`, and its answer to each refused form of
/// [`refused_uploads`].
struct Expected {
    substitutes_filename: bool,
    too_large: Answer,
    wrong_key: Answer,
    wrong_content_type: Answer,
    expired: Answer,
    tampered_policy: Answer,
    tampered_signature: Answer,
}

/// s3s-fs 0.14.1 checks every condition, the expiry and the signature,
/// but does not substitute `${filename}`: it stores the object under the
/// literal key `prefix${filename}` (the substitution is proven on garage).
const S3S_FS: Expected = Expected {
    substitutes_filename: false,
    too_large: (
        400,
        "EntityTooLarge",
        "exceeds the maximum allowed object size",
    ),
    wrong_key: (
        400,
        "InvalidPolicyDocument",
        "Policy condition 'starts-with' for field 'key' failed",
    ),
    wrong_content_type: (
        400,
        "InvalidPolicyDocument",
        "Policy condition 'eq' for field 'content-type' failed",
    ),
    expired: (403, "AccessDenied", "Request has expired"),
    tampered_policy: (403, "SignatureDoesNotMatch", ""),
    tampered_signature: (403, "SignatureDoesNotMatch", ""),
};

/// garage 2.5 checks every condition, the expiry and the signature, and
/// substitutes `${filename}`; it answers InvalidRequest to every broken
/// condition (the message names which) and AccessDenied to a bad signature.
const GARAGE: Expected = Expected {
    substitutes_filename: true,
    too_large: (400, "InvalidRequest", "File size does not match policy"),
    wrong_key: (
        400,
        "InvalidRequest",
        "Key 'key' has value not allowed in policy",
    ),
    wrong_content_type: (
        400,
        "InvalidRequest",
        "Key 'content-type' has value not allowed in policy",
    ),
    expired: (400, "InvalidRequest", "Expiration date is in the past"),
    tampered_policy: (403, "AccessDenied", "Invalid signature"),
    tampered_signature: (403, "AccessDenied", "Invalid signature"),
};

#[test]
fn post_uploads_are_stored_by_garage() {
    accepted_uploads(&Peer::garage("post-ok"), &GARAGE);
}

#[test]
fn post_uploads_breaking_the_policy_are_refused_by_garage() {
    refused_uploads(&Peer::garage("post-neg"), &GARAGE);
}

#[test]
fn post_uploads_are_stored_by_s3s_fs() {
    accepted_uploads(&Peer::s3s_fs("post-ok"), &S3S_FS);
}

#[test]
fn post_uploads_breaking_the_policy_are_refused_by_s3s_fs() {
    refused_uploads(&Peer::s3s_fs("post-neg"), &S3S_FS);
}

/// The upload page of the real `sigv4 presign-post --output html`, opened
/// from disk in headless Chromium: a file is chosen in its file input, the
/// form submitted with its button, and the server's answer (201, XML)
/// loaded; the object holds the file's bytes and the form's metadata.
#[cfg(feature = "cli")]
fn browser_upload(peer: &Peer, expected: &Expected) {
    use crate::cli::{run, sigv4, stderr, stdout};
    use crate::support::{Chromium, TempDir};

    let mut c = sigv4();
    c.env("AWS_ACCESS_KEY_ID", peer.credentials.access_key_id())
        .env(
            "AWS_SECRET_ACCESS_KEY",
            peer.credentials.secret_access_key(),
        )
        .args(["--endpoint-url", &peer.endpoint, "--output", "html"])
        .args(["presign-post", "--expires-in", "300"])
        .args(["--success-action-status", "201"])
        .args(["--content-length-range", "1..100000"])
        .args(["--field", "x-amz-meta-via=chromium <&\">"])
        .arg(format!("s3://{}/browser/", peer.bucket));
    let out = run(c);
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = TempDir::new("post-browser");
    let page = dir.write("upload.html", &stdout(&out));
    let file = dir.path().join("photo 1.bin");
    let bytes: Vec<u8> = (0..3000u32).map(|i| (i * 31 % 256) as u8).collect();
    std::fs::write(&file, &bytes).unwrap();

    let mut chromium = Chromium::start();
    let mut tab = chromium.new_page();
    tab.navigate(&format!("file://{}", page.display()));
    assert_eq!(
        tab.evaluate("document.querySelector('form').action"),
        format!("{}/{}", peer.endpoint, peer.bucket).as_str()
    );
    tab.set_file_input("input[type=file]", &[&file]);
    tab.evaluate("document.querySelector('button[type=submit]').click(); true");
    let answered = format!(
        "location.href.startsWith({:?}) && document.readyState === 'complete'",
        peer.endpoint
    );
    assert!(
        tab.wait_until(&answered, Duration::from_secs(30)),
        "{}: the browser did not reach the server's answer: {}",
        peer.name,
        tab.evaluate("location.href + ' ' + document.documentElement.outerHTML")
    );
    let answer = tab.evaluate("new XMLSerializer().serializeToString(document)");
    let key = if expected.substitutes_filename {
        "browser/photo 1.bin"
    } else {
        "browser/${filename}"
    };
    let answer = answer.as_str().unwrap_or_default();
    assert!(
        answer.contains(&format!("<Key>{key}</Key>")),
        "{}: {answer}",
        peer.name
    );
    let got = peer.assert_object(key, Some(&bytes));
    assert_eq!(got.header("x-amz-meta-via"), Some("chromium <&\">"));
}

#[cfg(feature = "cli")]
#[test]
fn browser_uploads_through_the_html_page_to_s3s_fs() {
    browser_upload(&Peer::s3s_fs("post-browser"), &S3S_FS);
}

#[cfg(feature = "cli")]
#[test]
fn browser_uploads_through_the_html_page_to_garage() {
    browser_upload(&Peer::garage("post-browser"), &GARAGE);
}
