//! Our signing path beside the crates users would pick instead.
//!
//! Every group measures ours and each competitor on the same request in the
//! same run, and before measuring asserts that they all produce the same
//! signature for the same inputs and time. See `benches/README.md`.
//!
//! Run from the repository root:
//! `cargo bench -p sigv4-benches --bench signing -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use sigv4::sign::{
    presign, sign_headers, Payload, SignableRequest, SigningKey, SigningKeyCache, SigningParams,
    SigningSettings, SigningTime,
};
use sigv4::Credentials;

use aws_sigv4::http_request::{PayloadChecksumKind, SignatureLocation};
use rusty_s3::S3Action as _;

#[path = "signing/others.rs"]
mod others;
#[path = "signing/raw.rs"]
mod raw;
use others::{
    aws_header_sign, aws_identity, aws_params, aws_presign, aws_s3_settings, get_request,
    reqsign_credential, reqsign_sign, s3_get_parts,
};

const ACCESS_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const REGION: &str = "us-east-1";
const SERVICE: &str = "s3";
const BUCKET: &str = "examplebucket";
const KEY: &str = "photos/2024/cat.jpg";
const URI: &str = "https://examplebucket.s3.amazonaws.com/photos/2024/cat.jpg";
const RANGE: &str = "bytes=0-1023";
/// 2013-05-24T00:00:00Z, the date of the AWS S3 examples.
const UNIX: u64 = 1_369_353_600;
const DATE_STAMP: &str = "20130524";
const EXPIRES: u64 = 3600;

fn our_time() -> SigningTime {
    SigningTime::from_unix_seconds(UNIX as i64).unwrap()
}

fn system_time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(UNIX)
}

// ---------------------------------------------------------------- ours

fn our_credentials() -> &'static Credentials {
    static CREDENTIALS: OnceLock<Credentials> = OnceLock::new();
    CREDENTIALS.get_or_init(|| Credentials::new(ACCESS_KEY_ID, SECRET))
}

/// Our parameters as a user gets them: S3 rules from the service, the
/// process-wide key cache.
fn our_params(time: SigningTime) -> SigningParams<'static> {
    let params = SigningParams::new(our_credentials(), REGION, SERVICE, time);
    assert_eq!(params.settings(), SigningSettings::s3());
    params
}

/// The S3 GET as a user builds it: URI, `range`, unsigned payload.
fn s3_get() -> SignableRequest<'static> {
    SignableRequest::new("GET", URI)
        .unwrap()
        .header("range", RANGE)
        .payload(Payload::Unsigned)
}

/// Header-signs the S3 GET; returns the `Authorization` value.
fn ours_header_sign(params: &SigningParams<'_>) -> String {
    sign_headers(&s3_get(), params)
        .unwrap()
        .into_authorization()
}

/// Presigns the S3 GET; returns the URL (owned, as rusty-s3's `Url` is).
fn ours_presign(params: &SigningParams<'_>) -> String {
    let req = SignableRequest::new("GET", URI)
        .unwrap()
        .payload(Payload::Unsigned);
    presign(&req, params, Duration::from_secs(EXPIRES))
        .unwrap()
        .into_uri()
}

// ---------------------------------------------------------------- helpers

/// The query of `url`, decoded, sorted.
fn sorted_query(url: &str) -> Vec<(String, String)> {
    let url = url::Url::parse(url).unwrap();
    let mut q: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    q.sort();
    q
}

fn query_value(url: &str, name: &str) -> String {
    sorted_query(url)
        .into_iter()
        .find(|(k, _)| k == name)
        .unwrap_or_else(|| panic!("{name} in {url}"))
        .1
}

// ---------------------------------------------------------------- groups

fn header_sign_s3_get(c: &mut Criterion) {
    let cache = SigningKeyCache::new();
    let params = our_params(our_time()).with_key_cache(&cache);
    let params_default = our_params(our_time());
    let params_no_cache = our_params(our_time()).without_key_cache();
    let identity = aws_identity();
    let aws = aws_params(&identity, aws_s3_settings(), system_time());
    let signer = reqsign::aws::RequestSigner::new(SERVICE, REGION);
    let ctx = reqsign::Context::new();
    let cred = reqsign_credential();

    // Same work: ours and aws-sigv4 must agree byte for byte at the fixed time.
    let ours = ours_header_sign(&params);
    assert_eq!(ours, aws_header_sign(&aws), "ours vs aws-sigv4");
    assert_eq!(ours, ours_header_sign(&params_no_cache));
    assert!(
        ours.contains("SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature="),
        "{ours}"
    );
    // reqsign cannot be given a time (its `with_time` is `#[cfg(test)]`): it
    // signs at `now`. Sign ours at the time reqsign put in `x-amz-date`.
    let mut parts = s3_get_parts();
    reqsign_sign(&signer, &ctx, &cred, &mut parts, None);
    let amz_date = parts.headers["x-amz-date"].to_str().unwrap();
    let at = our_params(SigningTime::parse_amz_date(amz_date).unwrap());
    assert_eq!(parts.headers["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");
    assert_eq!(
        parts.headers["authorization"].to_str().unwrap(),
        ours_header_sign(&at),
        "ours vs reqsign"
    );

    let mut g = c.benchmark_group("header_sign_s3_get");
    g.bench_function("sigv4 (warm key cache)", |b| {
        b.iter(|| ours_header_sign(black_box(&params)))
    });
    // The key cache also remembers the string to sign's first block for
    // the signing second (`src/sign/first_block.rs`): here every signature
    // is in a new second of the same day, so the key is cached and that
    // block never is.
    let mut second = 0i64;
    g.bench_function(
        "sigv4 (warm key cache, a new second every signature)",
        |b| {
            b.iter(|| {
                second = (second + 1) % 86_400;
                let time = SigningTime::from_unix_seconds(UNIX as i64 + second).unwrap();
                let params = SigningParams::new(our_credentials(), REGION, SERVICE, time)
                    .with_key_cache(&cache);
                ours_header_sign(black_box(&params))
            })
        },
    );
    g.bench_function("sigv4 (default: process-wide key cache)", |b| {
        b.iter(|| ours_header_sign(black_box(&params_default)))
    });
    g.bench_function("sigv4 (no key cache)", |b| {
        b.iter(|| ours_header_sign(black_box(&params_no_cache)))
    });
    g.bench_function("aws-sigv4", |b| b.iter(|| aws_header_sign(black_box(&aws))));
    // The request head is built outside the timing (a reqsign user has one);
    // reqsign then inserts the headers into it, which is part of its API.
    g.bench_function("reqsign", |b| {
        b.iter_batched_ref(
            s3_get_parts,
            |p| reqsign_sign(&signer, &ctx, &cred, p, None),
            BatchSize::SmallInput,
        )
    });
    g.finish();
    assert_eq!(cache.misses(), 1, "the key cache stayed warm");
}

fn presign_s3_get(c: &mut Criterion) {
    let cache = SigningKeyCache::new();
    let params = our_params(our_time()).with_key_cache(&cache);
    let identity = aws_identity();
    let mut settings = aws_s3_settings();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(Duration::from_secs(EXPIRES));
    settings.payload_checksum_kind = PayloadChecksumKind::NoHeader;
    let aws = aws_params(&identity, settings, system_time());
    let bucket = rusty_s3::Bucket::new(
        "https://s3.amazonaws.com".parse().unwrap(),
        rusty_s3::UrlStyle::VirtualHost,
        BUCKET,
        REGION,
    )
    .unwrap();
    let rusty_creds = rusty_s3::Credentials::new(ACCESS_KEY_ID, SECRET);
    let jiff_time = jiff::Timestamp::from_second(UNIX as i64).unwrap();
    let rusty = || {
        rusty_s3::actions::GetObject::new(&bucket, Some(&rusty_creds), KEY)
            .sign_with_time(Duration::from_secs(EXPIRES), &jiff_time)
    };
    let signer = reqsign::aws::RequestSigner::new(SERVICE, REGION);
    let ctx = reqsign::Context::new();
    let cred = reqsign_credential();

    // Same work: the same URL (same query parameters, same signature).
    let ours = ours_presign(&params);
    assert!(ours.starts_with(URI), "{ours}");
    let want = sorted_query(&ours);
    let rusty_url = rusty();
    assert_eq!(rusty_url.as_str().split('?').next(), Some(URI));
    assert_eq!(sorted_query(rusty_url.as_str()), want, "ours vs rusty-s3");
    let mut req = get_request();
    aws_presign(&aws, &mut req);
    assert_eq!(
        sorted_query(&req.uri().to_string()),
        want,
        "ours vs aws-sigv4"
    );
    // reqsign signs at `now`: sign ours at the X-Amz-Date it used.
    let mut parts = get_request().into_parts().0;
    reqsign_sign(
        &signer,
        &ctx,
        &cred,
        &mut parts,
        Some(Duration::from_secs(EXPIRES)),
    );
    let reqsign_url = parts.uri.to_string();
    let at =
        our_params(SigningTime::parse_amz_date(&query_value(&reqsign_url, "X-Amz-Date")).unwrap());
    assert_eq!(
        sorted_query(&reqsign_url),
        sorted_query(&ours_presign(&at)),
        "ours vs reqsign"
    );

    let mut g = c.benchmark_group("presign_s3_get");
    g.bench_function("sigv4 (warm key cache)", |b| {
        b.iter(|| ours_presign(black_box(&params)))
    });
    g.bench_function("rusty-s3", |b| b.iter(|| black_box(rusty())));
    // aws-sigv4 and reqsign write the URL into a request whose creation is
    // outside the timing.
    g.bench_function("aws-sigv4", |b| {
        b.iter_batched_ref(
            get_request,
            |r| aws_presign(black_box(&aws), r),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("reqsign", |b| {
        b.iter_batched_ref(
            || get_request().into_parts().0,
            |p| reqsign_sign(&signer, &ctx, &cred, p, Some(Duration::from_secs(EXPIRES))),
            BatchSize::SmallInput,
        )
    });
    g.finish();
    assert_eq!(cache.misses(), 1, "the key cache stayed warm");
}

fn derive_signing_key(c: &mut Criterion) {
    let ours = SigningKey::derive(SECRET, DATE_STAMP, REGION, SERVICE);
    let aws = aws_sigv4::sign::v4::generate_signing_key(SECRET, system_time(), REGION, SERVICE);
    assert_eq!(
        ours.as_bytes().as_slice(),
        aws.as_ref(),
        "ours vs aws-sigv4"
    );

    let mut g = c.benchmark_group("derive_signing_key");
    g.bench_function("sigv4", |b| {
        b.iter(|| {
            SigningKey::derive(
                black_box(SECRET),
                black_box(DATE_STAMP),
                black_box(REGION),
                black_box(SERVICE),
            )
        })
    });
    // aws-sigv4 takes a SystemTime and formats the date stamp itself.
    g.bench_function("aws-sigv4", |b| {
        b.iter(|| {
            aws_sigv4::sign::v4::generate_signing_key(
                black_box(SECRET),
                black_box(system_time()),
                black_box(REGION),
                black_box(SERVICE),
            )
        })
    });
    g.finish();
}

fn hash_1mib_payload(c: &mut Criterion) {
    use sha2::Digest;
    let buf: Vec<u8> = (0..1usize << 20).map(|i| (i * 31 + 7) as u8).collect();
    let floor = || hex::encode(sha2::Sha256::digest(black_box(&buf[..])));
    assert_eq!(Payload::Bytes(&buf).resolve().unwrap().as_str(), floor());

    let mut g = c.benchmark_group("hash_1mib_payload");
    g.throughput(Throughput::Bytes(buf.len() as u64));
    // ~0.6 ms per hash: 30 samples fit in a 3 s measurement.
    g.sample_size(30);
    g.bench_function("sigv4 Payload::resolve", |b| {
        b.iter(|| Payload::Bytes(black_box(&buf)).resolve().unwrap())
    });
    g.bench_function("sha2 + hex (floor)", |b| b.iter(floor));
    g.finish();
}

/// The floor's inputs: our canonical request and string to sign for the
/// S3 GET, the HMAC state keyed with its signing key, and the signature.
struct Floor {
    creq: String,
    sts: String,
    keyed: hmac::Hmac<sha2::Sha256>,
    signature: String,
}

impl Floor {
    fn new() -> Self {
        let signed = sign_headers(&s3_get(), &our_params(our_time())).unwrap();
        Floor {
            creq: signed.canonical_request().to_string(),
            sts: signed.string_to_sign().to_string(),
            keyed: SigningKey::derive(SECRET, DATE_STAMP, REGION, SERVICE).mac(),
            signature: signed.signature().to_string(),
        }
    }

    /// The floor's work: SHA-256 of the canonical request and HMAC of the
    /// string to sign from the keyed state, both in hex.
    fn hash(&self) -> ([u8; 64], [u8; 64]) {
        use hmac::Mac;
        use sha2::Digest;
        let mut h = [0u8; 64];
        let _ = hex::encode_to_slice(
            sha2::Sha256::digest(black_box(self.creq.as_bytes())),
            &mut h,
        );
        let mut mac = black_box(&self.keyed).clone();
        mac.update(black_box(self.sts.as_bytes()));
        let mut out = [0u8; 64];
        let _ = hex::encode_to_slice(mac.finalize().into_bytes(), &mut out);
        (h, out)
    }
}

/// Exactly the hashing the S3 GET's header signature needs, with nothing
/// else: SHA-256 over our canonical request bytes, HMAC-SHA256 of our
/// string to sign from an already keyed state, and the hex of both. Every
/// other figure reads against this one.
fn floor(c: &mut Criterion) {
    let f = Floor::new();
    let (creq, sts) = (&f.creq, &f.sts);
    // The floor computes the same signature.
    let (hash, signature) = f.hash();
    assert_eq!(std::str::from_utf8(&signature).unwrap(), f.signature);
    assert_eq!(
        std::str::from_utf8(&hash).unwrap(),
        sts.rsplit('\n').next().unwrap()
    );

    let mut g = c.benchmark_group("floor");
    g.bench_function(
        "sha256(canonical request) + hmac(string to sign) + hex",
        |b| b.iter(|| black_box(&f).hash()),
    );
    // The same hashing with nothing but SHA-256 compressions: the canonical
    // request's blocks, and HMAC from the key's inner and outer midstates.
    let midstates =
        raw::midstates(SigningKey::derive(SECRET, DATE_STAMP, REGION, SERVICE).as_bytes());
    let mut out = [0u8; 64];
    let _ = hex::encode_to_slice(raw::hmac(&midstates, sts.as_bytes()), &mut out);
    assert_eq!(std::str::from_utf8(&out).unwrap(), f.signature);
    g.bench_function(
        "raw compressions: sha256(canonical request) + hmac from midstates + hex",
        |b| {
            b.iter(|| {
                let mut h = [0u8; 64];
                let _ = hex::encode_to_slice(raw::sha256(black_box(creq.as_bytes())), &mut h);
                let mut out = [0u8; 64];
                let _ = hex::encode_to_slice(
                    raw::hmac(black_box(&midstates), black_box(sts.as_bytes())),
                    &mut out,
                );
                (h, out)
            })
        },
    );
    g.finish();
}

/// Header verification of the S3 GET beside header signing of it. Both
/// requests are built once, outside the timing: what is timed is
/// `sign_headers` of the request (to its `HeaderSignature`) and
/// `verify_headers` / `verify_detailed` of the request as received (the
/// same request with the four signature headers added, to `Verified`).
fn verify_s3_get(c: &mut Criterion) {
    use sigv4::sign::verify::verify_detailed;
    use sigv4::sign::{verify_headers, VerifyOptions};
    let params = our_params(our_time());
    let req = s3_get();
    let signed = sign_headers(&req, &params).unwrap();
    let sent: Vec<(String, String)> = signed
        .headers()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let options = VerifyOptions::new(our_time());
    let lookup = |k: &str| (k == ACCESS_KEY_ID).then_some(SECRET);
    let received = s3_get().headers(sent.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    let ok = verify_headers(&received, lookup, &options).unwrap();
    assert_eq!(ok.signature(), signed.signature());
    assert!(verify_detailed(&received, lookup, &options).is_ok());
    let mut g = c.benchmark_group("verify_s3_get");
    g.bench_function("sigv4 sign_headers", |b| {
        b.iter(|| sign_headers(black_box(&req), black_box(&params)).unwrap())
    });
    g.bench_function("sigv4 verify_headers", |b| {
        b.iter(|| verify_headers(black_box(&received), lookup, black_box(&options)).unwrap())
    });
    g.bench_function("sigv4 verify_detailed", |b| {
        b.iter(|| verify_detailed(black_box(&received), lookup, black_box(&options)).unwrap())
    });
    g.finish();
}

/// Streaming verification of an aws-chunked body of 16 signed 64 KiB
/// chunks (1 MiB of payload) beside raw SHA-256 of the same 16 chunks. Timed:
/// a new `ChunkedDecoder` (and its `ChunkSigner`) per body, then `feed`
/// until the body is used up, the input given whole (each chunk released
/// from the input) or in 16 KiB pieces as a socket gives them (each chunk
/// buffered, hashed as its pieces arrive).
fn chunk_verify_64k(c: &mut Criterion) {
    use sha2::Digest;
    use sigv4::sign::chunked::{ChunkSigner, ChunkedLayout};
    use sigv4::sign::verify::{ChunkedDecoder, ChunkedFraming, ChunkedLimits};
    let params = our_params(our_time());
    let seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    let payload = vec![b'a'; 16 * 65_536];
    let layout = ChunkedLayout::new(payload.len() as u64, 65_536).unwrap();
    let body = layout
        .encode(
            &payload,
            &mut ChunkSigner::new(&params, seed).unwrap(),
            None,
        )
        .unwrap();
    let decode = |body: &[u8], piece: usize| {
        let mut d = ChunkedDecoder::new(
            ChunkedFraming::Signed,
            Some(ChunkSigner::new(&params, seed).unwrap()),
            ChunkedLimits::default(),
        )
        .expect_decoded_len(payload.len() as u64);
        let mut total = 0;
        for p in body.chunks(piece) {
            let mut input = p;
            while !input.is_empty() {
                let step = d.feed(input).unwrap();
                total += step.data.len();
                input = &input[step.consumed..];
            }
        }
        d.finish().unwrap();
        total
    };
    assert_eq!(decode(&body, body.len()), payload.len());
    assert_eq!(decode(&body, 16_384), payload.len());
    let mut g = c.benchmark_group("chunk_verify_64k");
    g.throughput(Throughput::Bytes(payload.len() as u64));
    g.bench_function("sigv4 ChunkedDecoder::feed, whole body", |b| {
        b.iter(|| decode(black_box(&body), body.len()))
    });
    g.bench_function("sigv4 ChunkedDecoder::feed, 16 KiB pieces", |b| {
        b.iter(|| decode(black_box(&body), 16_384))
    });
    g.bench_function("sha2 Sha256::digest of each chunk (floor)", |b| {
        b.iter(|| {
            for chunk in payload.chunks(65_536) {
                black_box(sha2::Sha256::digest(black_box(chunk)));
            }
        })
    });
    g.finish();
}

/// aws-chunked signing of 64 KiB chunks beside raw SHA-256 of the same bytes.
fn chunk_signing_64k(c: &mut Criterion) {
    use sha2::Digest;
    use sigv4::sign::chunked::ChunkSigner;
    let params = our_params(our_time());
    let chunk = vec![b'a'; 65_536];
    let seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    let mut g = c.benchmark_group("chunk_64k");
    g.throughput(Throughput::Bytes(chunk.len() as u64));
    g.bench_function("sigv4 ChunkSigner::sign_chunk", |b| {
        let mut signer = ChunkSigner::new(&params, seed).unwrap();
        b.iter(|| signer.sign_chunk(black_box(&chunk)).len())
    });
    g.bench_function("sha2 Sha256::digest (floor)", |b| {
        b.iter(|| sha2::Sha256::digest(black_box(&chunk)))
    });
    g.finish();
}

/// Signing from 1, 2 and 8 threads at once, sharing one key cache (the
/// process-wide default, and an explicit shared one): time per signature
/// across all threads, so throughput scales as the time drops. Beside them,
/// the floor's hashing alone from as many threads, sharing nothing: how
/// far this machine scales in the same run.
fn threads(c: &mut Criterion) {
    #[derive(Clone, Copy, PartialEq)]
    enum Work {
        Default,
        Shared,
        Floor,
    }
    let shared = SigningKeyCache::new();
    let ran = std::sync::atomic::AtomicBool::new(false);
    let floor = Floor::new();
    let mut g = c.benchmark_group("threads");
    for (label, work) in [
        ("default cache", Work::Default),
        ("shared cache", Work::Shared),
        ("floor hashing only", Work::Floor),
    ] {
        for n in [1usize, 2, 8] {
            g.bench_function(format!("{label}, {n} threads"), |b| {
                b.iter_custom(|iters| {
                    if work == Work::Shared {
                        ran.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                    let per = iters.div_ceil(n as u64);
                    let barrier = std::sync::Barrier::new(n + 1);
                    std::thread::scope(|s| {
                        for _ in 0..n {
                            s.spawn(|| {
                                let mut params = our_params(our_time());
                                if work == Work::Shared {
                                    params = params.with_key_cache(&shared);
                                }
                                barrier.wait();
                                for _ in 0..per {
                                    if work == Work::Floor {
                                        black_box(floor.hash());
                                    } else {
                                        black_box(ours_header_sign(&params));
                                    }
                                }
                                barrier.wait();
                            });
                        }
                        barrier.wait();
                        let start = std::time::Instant::now();
                        barrier.wait();
                        start.elapsed()
                    })
                })
            });
        }
    }
    g.finish();
    // (A run filtered to other groups signs nothing here.)
    if ran.load(std::sync::atomic::Ordering::Relaxed) {
        assert_eq!(
            shared.misses(),
            1,
            "one derivation for the shared cache's scope"
        );
    }
}

criterion_group!(
    benches,
    floor,
    header_sign_s3_get,
    presign_s3_get,
    verify_s3_get,
    chunk_signing_64k,
    chunk_verify_64k,
    threads,
    derive_signing_key,
    hash_1mib_payload
);
criterion_main!(benches);
