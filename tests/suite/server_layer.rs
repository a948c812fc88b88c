//! The verifying tower layer in process (no network): what the handler
//! receives (the identity in the extensions, the decoded body), the
//! lookup's refusals, `HEAD` errors, and a body that fails at its end.
#![cfg(feature = "server")]

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use sigv4::http::sign_request;
use sigv4::s3::{ChunkedUpload, S3Location};
use sigv4::server::{
    lookup_fn, ErrorResponse, LookupError, ResponseBody, Secret, SecretRequest, StaticSecrets,
    VerifiedBody, VerifiedBodyError, VerifyLayer,
};
use sigv4::sign::{SigningParams, SigningTime, Verified};
use sigv4::Credentials;
use tower::{service_fn, Service, ServiceBuilder, ServiceExt};

type Answer = http::Response<ResponseBody<Full<Bytes>>>;

/// What the handler saw of one request.
#[derive(Debug, Default, Clone)]
struct Seen {
    verified: Option<Verified>,
    /// The body, or the error reading it ended with (and the bytes before it).
    body: Vec<u8>,
    body_error: Option<String>,
}

/// What the handler saw, request after request.
type Record = Arc<std::sync::Mutex<Vec<Seen>>>;

/// A service behind the layer whose handler records what it saw.
fn service(
    layer: VerifyLayer,
) -> (
    impl Service<http::Request<Full<Bytes>>, Response = Answer, Error = Infallible> + Clone,
    Record,
) {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    let svc = ServiceBuilder::new().layer(layer).service(service_fn(
        move |request: http::Request<VerifiedBody>| {
            let record = record.clone();
            async move {
                let mut s = Seen {
                    verified: request.extensions().get::<Verified>().cloned(),
                    ..Seen::default()
                };
                let mut body = request.into_body();
                let answer = loop {
                    match body.frame().await {
                        None => break http::Response::new(Full::from("ok")),
                        Some(Ok(frame)) => {
                            if let Ok(data) = frame.into_data() {
                                s.body.extend_from_slice(&data);
                            }
                        }
                        Some(Err(e)) => {
                            s.body_error = Some(e.to_string());
                            assert!(matches!(e, VerifiedBodyError::Verification(_)));
                            break ErrorResponse::from_body_read(&e).into_response();
                        }
                    }
                };
                record.lock().unwrap().push(s);
                Ok::<_, Infallible>(answer)
            }
        },
    ));
    (svc, seen)
}

fn run<S>(svc: S, request: http::Request<Bytes>) -> (u16, String)
where
    S: Service<http::Request<Full<Bytes>>, Response = Answer, Error = Infallible>,
{
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async move {
        let response = svc.oneshot(request.map(Full::new)).await.unwrap();
        let status = response.status().as_u16();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned())
    })
}

fn code(xml: &str) -> &str {
    xml.split("<Code>")
        .nth(1)
        .and_then(|s| s.split("</Code>").next())
        .unwrap_or("")
}

fn signed(credentials: &Credentials, method: &str, body: &'static [u8]) -> http::Request<Bytes> {
    let mut r = http::Request::builder()
        .method(method)
        .uri("http://127.0.0.1:9000/bucket/key")
        .header("content-type", "text/plain")
        .body(Bytes::from_static(body))
        .unwrap();
    sign_request(
        &mut r,
        &SigningParams::new(credentials, "us-east-1", "s3", SigningTime::now()),
    )
    .unwrap();
    r
}

/// As a server receives it: origin-form target, the `Host` header.
fn received(mut r: http::Request<Bytes>) -> http::Request<Bytes> {
    let host = r.uri().authority().unwrap().to_string();
    r.headers_mut().insert("host", host.parse().unwrap());
    *r.uri_mut() = r.uri().path_and_query().unwrap().as_str().parse().unwrap();
    r
}

#[test]
fn the_handler_gets_the_identity_and_the_body() {
    let layer = VerifyLayer::new(StaticSecrets::new().with_key("AKIDLAYER", "secret"))
        .expect_service("s3")
        .expect_region("us-east-1");
    let (svc, seen) = service(layer);
    let credentials = Credentials::new("AKIDLAYER", "secret");
    let (status, text) = run(svc.clone(), received(signed(&credentials, "PUT", b"hello")));
    assert_eq!((status, text.as_str()), (200, "ok"));
    let s = seen.lock().unwrap().pop().unwrap();
    let v = s.verified.expect("Verified in the extensions");
    assert_eq!(
        (v.access_key_id(), v.region(), v.service()),
        ("AKIDLAYER", "us-east-1", "s3")
    );
    assert_eq!(
        v.signed_headers_list(),
        "content-type;host;x-amz-content-sha256;x-amz-date"
    );
    assert_eq!(s.body, b"hello");

    // A changed body byte: the handler gets the bytes, then the error at
    // the end (the hash is only known then), and answers S3's code.
    let mut tampered = received(signed(&credentials, "PUT", b"hello"));
    *tampered.body_mut() = Bytes::from_static(b"hellO");
    let (status, text) = run(svc.clone(), tampered);
    assert_eq!(
        (status, code(&text)),
        (400, "XAmzContentSHA256Mismatch"),
        "{text}"
    );
    let s = seen.lock().unwrap().pop().unwrap();
    assert!(s.body_error.is_some());

    // A signed aws-chunked body: the handler reads the decoded payload.
    let body = vec![b'z'; 20_000];
    let (signed_put, encoded) = S3Location::new("bucket", "key", "us-east-1")
        .unwrap()
        .with_endpoint("http://127.0.0.1:9000")
        .unwrap()
        .sign_chunked_put(
            &credentials,
            SigningTime::now(),
            &[],
            &body,
            &ChunkedUpload::signed_chunks().with_chunk_size(8192),
        )
        .unwrap();
    let mut r = http::Request::builder()
        .method("PUT")
        .uri("/bucket/key")
        .header("host", "127.0.0.1:9000");
    for (n, v) in &signed_put.headers {
        r = r.header(n, v);
    }
    let (status, text) = run(svc, r.body(Bytes::from(encoded)).unwrap());
    assert_eq!((status, text.as_str()), (200, "ok"));
    assert_eq!(seen.lock().unwrap().pop().unwrap().body, body);
}

#[test]
fn the_lookup_decides_on_keys_and_session_tokens() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let lookup = lookup_fn(move |request: SecretRequest| {
        counted.fetch_add(1, Ordering::SeqCst);
        async move {
            match (request.access_key_id(), request.session_token()) {
                ("ASIATEMP", Some("live")) => Ok(Secret::new("temp secret")),
                ("ASIATEMP", Some("old")) => Err(LookupError::ExpiredToken),
                ("ASIATEMP", _) => Err(LookupError::InvalidToken),
                _ => Err(LookupError::InvalidAccessKeyId),
            }
        }
    });
    let (svc, seen) = service(VerifyLayer::new(lookup));
    let temp = |token: &str| Credentials::new("ASIATEMP", "temp secret").with_session_token(token);
    let (status, _) = run(svc.clone(), received(signed(&temp("live"), "GET", b"")));
    assert_eq!(status, 200);
    let v = seen.lock().unwrap().pop().unwrap().verified.unwrap();
    assert!(v.signed_headers().any(|h| h == "x-amz-security-token"));
    for (creds, status_code) in [
        (temp("old"), (400, "ExpiredToken")),
        (temp("forged"), (400, "InvalidToken")),
        (
            Credentials::new("ASIATEMP", "temp secret"),
            (400, "InvalidToken"),
        ),
        (
            Credentials::new("AKIDNOBODY", "x"),
            (403, "InvalidAccessKeyId"),
        ),
    ] {
        let (status, text) = run(svc.clone(), received(signed(&creds, "GET", b"")));
        assert_eq!((status, code(&text)), status_code, "{text}");
        assert!(!text.contains("temp secret"), "{text}");
    }
    assert!(
        seen.lock().unwrap().is_empty(),
        "no refused request reached the handler"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 5);

    // A request without any signature never reaches the lookup.
    let anonymous = http::Request::get("/bucket/key")
        .header("host", "127.0.0.1:9000")
        .body(Bytes::new())
        .unwrap();
    let (status, text) = run(svc.clone(), anonymous);
    // S3 answers an anonymous request to a private object AccessDenied.
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("<Code>AccessDenied</Code>"), "{text}");
    assert_eq!(calls.load(Ordering::SeqCst), 5);
    // A refused HEAD has no body (S3's way).
    let (status, text) = run(
        svc,
        received(signed(&Credentials::new("AKIDNOBODY", "x"), "HEAD", b"")),
    );
    assert_eq!((status, text.as_str()), (403, ""));
}

#[test]
fn an_unsigned_amz_header_is_refused_unless_allowed() {
    let credentials = Credentials::new("AKIDLAYER", "secret");
    let with_added = || {
        let mut r = received(signed(&credentials, "PUT", b"hello"));
        r.headers_mut()
            .insert("x-amz-acl", "public-read".parse().unwrap());
        r
    };
    let strict = VerifyLayer::new(StaticSecrets::new().with_key("AKIDLAYER", "secret"));
    let (svc, seen) = service(strict);
    let (status, text) = run(svc, with_added());
    assert_eq!((status, code(&text)), (403, "AccessDenied"), "{text}");
    assert!(text.contains("x-amz-acl"), "{text}");
    assert!(seen.lock().unwrap().is_empty());

    let lenient = VerifyLayer::new(StaticSecrets::new().with_key("AKIDLAYER", "secret"))
        .require_signed_amz_headers(false);
    let (svc, seen) = service(lenient);
    let (status, text) = run(svc, with_added());
    assert_eq!((status, text.as_str()), (200, "ok"));
    assert_eq!(seen.lock().unwrap().pop().unwrap().body, b"hello");
}
