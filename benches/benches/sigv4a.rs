//! SigV4a: our signer beside aws-sigv4's own (its `sigv4a` feature), in
//! the same run. See the "SigV4a" section of `benches/README.md`.
//!
//! Before measuring, each group checks that both sides produce signatures
//! our verifier accepts for the same request (aws-sigv4's included), so the
//! two do the same work.
//!
//! Run from the repository root:
//! `cargo bench -p sigv4-benches --bench sigv4a -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};

use criterion::{criterion_group, criterion_main, Criterion};
use sigv4::sign::v4a::{sign_headers, EcdsaKey, EcdsaKeyCache, SigningParams};
use sigv4::sign::{verify, Payload, SignableRequest, SigningTime, VerifyOptions};
use sigv4::Credentials;

use aws_sigv4::http_request::{
    sign as aws_sign, PayloadChecksumKind, PercentEncodingMode, SignableBody,
    SignableRequest as AwsRequest, SigningParams as AwsParams, SigningSettings as AwsSettings,
    UriPathNormalizationMode,
};
use aws_sigv4::sign::v4a as aws_v4a;
use aws_smithy_runtime_api::client::identity::Identity;

const ACCESS_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const REGION_SET: &str = "*";
const SERVICE: &str = "s3";
const HOST: &str = "examplebucket.s3.amazonaws.com";
const URI: &str = "https://examplebucket.s3.amazonaws.com/photos/2024/cat.jpg";
const RANGE: &str = "bytes=0-1023";
/// 2013-05-24T00:00:00Z.
const UNIX: u64 = 1_369_353_600;

fn our_time() -> SigningTime {
    SigningTime::from_unix_seconds(UNIX as i64).unwrap()
}

/// The S3 GET: URI, `range`, unsigned payload.
fn s3_get() -> SignableRequest<'static> {
    SignableRequest::new("GET", URI)
        .unwrap()
        .header("range", RANGE)
        .payload(Payload::Unsigned)
}

/// Header-signs the S3 GET with our signer; returns the `Authorization` value.
fn ours(params: &SigningParams<'_>) -> String {
    sign_headers(&s3_get(), params)
        .unwrap()
        .authorization()
        .to_owned()
}

fn aws_settings() -> AwsSettings {
    let mut s = AwsSettings::default();
    s.percent_encoding_mode = PercentEncodingMode::Single;
    s.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    s.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    s
}

/// Header-signs the S3 GET with aws-sigv4's SigV4a signer; returns the
/// headers it adds.
fn theirs(params: &AwsParams<'_>) -> Vec<(String, String)> {
    let req = AwsRequest::new(
        "GET",
        URI,
        [("host", HOST), ("range", RANGE)].into_iter(),
        SignableBody::UnsignedPayload,
    )
    .unwrap();
    let (instructions, _) = aws_sign(req, params).unwrap().into_parts();
    instructions
        .headers()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

/// Both signatures verify with our verifier, in any region.
fn check_both(ours_auth: &str, theirs_headers: &[(String, String)]) {
    let lookup = |k: &str| (k == ACCESS_KEY_ID).then_some(SECRET);
    let options = VerifyOptions::new(our_time()).expect_region("eu-west-1");
    let credentials = Credentials::new(ACCESS_KEY_ID, SECRET);
    let params = SigningParams::new(&credentials, REGION_SET, SERVICE, our_time());
    let signed = sign_headers(&s3_get(), &params).unwrap();
    assert_eq!(signed.authorization(), ours_auth);
    let received = s3_get().headers(signed.headers());
    verify(&received, lookup, &options).expect("our signature verifies");
    let received = s3_get().headers(theirs_headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    verify(&received, lookup, &options).expect("aws-sigv4's signature verifies");
}

fn header_signing(c: &mut Criterion) {
    let credentials = Credentials::new(ACCESS_KEY_ID, SECRET);
    let params = SigningParams::new(&credentials, REGION_SET, SERVICE, our_time());
    let identity: Identity =
        aws_credential_types::Credentials::new(ACCESS_KEY_ID, SECRET, None, None, "bench").into();
    let aws_params: AwsParams<'_> = aws_v4a::SigningParams::builder()
        .identity(&identity)
        .region_set(REGION_SET)
        .name(SERVICE)
        .time(UNIX_EPOCH + Duration::from_secs(UNIX))
        .settings(aws_settings())
        .build()
        .unwrap()
        .into();
    check_both(&ours(&params), &theirs(&aws_params));
    // Warm: the process-wide cache holds the key pair.
    ours(&params);
    let mut g = c.benchmark_group("sigv4a header signing, S3 GET");
    g.bench_function("sigv4 (warm key cache)", |b| {
        b.iter(|| ours(black_box(&params)))
    });
    g.bench_function("aws-sigv4", |b| b.iter(|| theirs(black_box(&aws_params))));
    g.finish();
}

fn key_derivation(c: &mut Criterion) {
    // The same private key from both.
    let ours_key = EcdsaKey::derive(ACCESS_KEY_ID, SECRET).unwrap();
    let their_key = aws_v4a::generate_signing_key(ACCESS_KEY_ID, SECRET);
    let sts = b"AWS4-ECDSA-P256-SHA256\n20130524T000000Z\n20130524/s3/aws4_request\n\
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    let their_sig = aws_v4a::calculate_signature(&their_key, sts);
    assert!(ours_key.public_key().verify_message(sts, &their_sig));
    let mut g = c.benchmark_group("sigv4a key derivation (cold)");
    g.bench_function("sigv4 EcdsaKey::derive", |b| {
        b.iter(|| EcdsaKey::derive(black_box(ACCESS_KEY_ID), black_box(SECRET)).unwrap())
    });
    g.bench_function("aws-sigv4 generate_signing_key", |b| {
        b.iter(|| aws_v4a::generate_signing_key(black_box(ACCESS_KEY_ID), black_box(SECRET)))
    });
    g.bench_function("sigv4 cache miss (key pair: derive + public key)", |b| {
        b.iter(|| {
            let cache = EcdsaKeyCache::new();
            cache
                .public_key(black_box(ACCESS_KEY_ID), black_box(SECRET))
                .unwrap()
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = header_signing, key_derivation
}
criterion_main!(benches);
