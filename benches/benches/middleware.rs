//! The signing middleware's overhead per request, beside a bare signature
//! of the same request in the same run. No network: the reqwest request is
//! built and signed in memory; the full-stack case ends in a middleware
//! that answers without sending. See `benches/README.md` ("Middleware").
//!
//! Run from the repository root:
//! `cargo bench -p sigv4-benches --bench middleware -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use criterion::{criterion_group, criterion_main, Criterion};
use http::Extensions;
use reqwest_middleware::{ClientBuilder, Middleware, Next};
use sigv4::credentials::asynchronous::{AsyncCachedProvider, ProvideCredentialsAsync};
use sigv4::middleware::reqwest::SigningMiddleware;
use sigv4::sign::{SigningParams, SigningTime};
use sigv4::Credentials;

const URI: &str = "https://examplebucket.s3.amazonaws.com/photos/2024/cat.jpg";
const BODY: &[u8] = b"{\"name\":\"widget\",\"count\":3}";

fn credentials() -> Credentials {
    Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    .with_session_token("FwoGZXIvYXdzEXAMPLETOKEN")
    .with_expiry(SystemTime::now() + Duration::from_secs(3600))
}

fn reqwest_request() -> reqwest::Request {
    let mut request = reqwest::Request::new(reqwest::Method::PUT, URI.parse().unwrap());
    request
        .headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    *request.body_mut() = Some(BODY.to_vec().into());
    request
}

/// Answers every request with 200, never sending it.
struct Answer;

#[async_trait::async_trait]
impl Middleware for Answer {
    async fn handle(
        &self,
        request: reqwest::Request,
        _: &mut Extensions,
        _: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        assert!(request.headers().contains_key("authorization"));
        Ok(http::Response::new(Vec::<u8>::new()).into())
    }
}

fn bench(c: &mut Criterion) {
    let cache = Arc::new(AsyncCachedProvider::new(credentials()));
    let middleware = SigningMiddleware::new("s3", "us-east-1", cache.clone());
    // Warm the cache and check both paths sign.
    pollster::block_on(cache.provide_async()).unwrap();
    let mut check = reqwest_request();
    pollster::block_on(middleware.sign(&mut check)).unwrap();
    assert!(check.headers()["authorization"]
        .to_str()
        .unwrap()
        .starts_with("AWS4-HMAC-SHA256"));

    let mut group = c.benchmark_group("middleware, S3 PUT, 27-byte body");
    let creds = credentials();
    group.bench_function("bare signature (sigv4::http::sign_request)", |b| {
        b.iter(|| {
            let mut request = http::Request::put(URI)
                .header("content-type", "application/json")
                .body(BODY.to_vec())
                .unwrap();
            let params = SigningParams::new(&creds, "us-east-1", "s3", SigningTime::now());
            sigv4::http::sign_request(&mut request, &params).unwrap();
            black_box(request)
        });
    });
    group.bench_function("middleware sign: credential lookup + signature", |b| {
        b.iter(|| {
            let mut request = reqwest_request();
            pollster::block_on(middleware.sign(&mut request)).unwrap();
            black_box(request)
        });
    });
    let client = ClientBuilder::new(reqwest::Client::new())
        .with(middleware.clone())
        .with(Answer)
        .build();
    group.bench_function("full reqwest-middleware stack, no network", |b| {
        b.iter(|| {
            let response = pollster::block_on(
                client
                    .put(URI)
                    .header("content-type", "application/json")
                    .body(BODY.to_vec())
                    .send(),
            )
            .unwrap();
            black_box(response)
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
