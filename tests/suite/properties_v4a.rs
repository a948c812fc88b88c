//! Property tests of SigV4a signing and verification (as `properties.rs`
//! does for SigV4): what we sign verifies, in every region of the set and
//! nowhere else, and any change to a signed component is refused.
#![cfg(feature = "sigv4a")]

use std::time::Duration;

use proptest::prelude::*;
use sigv4::sign::v4a::{presign, sign_headers, EcdsaKeyCache, SigningParams};
use sigv4::sign::{verify, Error, Payload, SignableRequest, SigningTime, VerifyOptions};
use sigv4::Credentials;

#[derive(Debug, Clone)]
struct Input {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    payload: Vec<u8>,
    time: i64,
    /// Regions of the set; empty for `*`.
    regions: Vec<String>,
    service: String,
    secret: String,
    token: Option<String>,
}

impl Input {
    fn region_set(&self) -> String {
        if self.regions.is_empty() {
            "*".into()
        } else {
            self.regions.join(",")
        }
    }
}

fn input() -> impl Strategy<Value = Input> {
    (
        prop::sample::select(vec!["GET", "PUT", "POST", "DELETE"]),
        prop::collection::vec("[a-zA-Z0-9._~ +%!$&'()*,;=:@\u{e9}-]{1,8}", 1..3),
        prop::collection::vec(("[a-zA-Z0-9_.~-]{1,8}", "[a-zA-Z0-9 +/=%-]{0,8}"), 0..3),
        prop::collection::vec(("x-[a-z0-9-]{1,10}", "[ -~]{0,16}"), 0..3),
        prop::collection::vec(any::<u8>(), 0..32),
        0i64..4_102_444_800,
        prop::collection::vec("[a-z]{2}-[a-z]{4,7}-[1-3]", 0..3),
        prop::sample::select(vec!["s3", "service", "events"]),
        "[ -~]{1,40}",
        proptest::option::of("[A-Za-z0-9+/=]{1,40}"),
    )
        .prop_map(
            |(method, segs, query, headers, payload, time, regions, service, secret, token)| {
                Input {
                    method: method.to_string(),
                    path: format!("/{}", segs.join("/")),
                    query,
                    headers,
                    payload,
                    time,
                    regions,
                    service: service.to_string(),
                    secret,
                    token,
                }
            },
        )
}

fn query_string(pairs: &[(String, String)]) -> String {
    let enc = |s: &str| {
        s.replace('%', "%25")
            .replace('&', "%26")
            .replace('=', "%3D")
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn credentials(i: &Input) -> Credentials {
    let c = Credentials::new("AKIDEXAMPLE", i.secret.as_str());
    match &i.token {
        Some(t) => c.with_session_token(t.as_str()),
        None => c,
    }
}

/// The request as the server receives it: `i`'s parts plus `added` headers.
fn received<'a>(
    i: &'a Input,
    path: &'a str,
    query: &'a str,
    added: &'a [(String, String)],
) -> SignableRequest<'a> {
    SignableRequest::from_parts(&i.method, path, query)
        .unwrap()
        .header("host", "example.amazonaws.com")
        .headers(i.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .headers(added.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .payload(Payload::Bytes(&i.payload))
}

/// Header-signs `i`; returns the headers the signer added.
fn header_signed(i: &Input, cache: &EcdsaKeyCache) -> Vec<(String, String)> {
    let q = query_string(&i.query);
    let req = received(i, &i.path, &q, &[]);
    let credentials = credentials(i);
    let set = i.region_set();
    let time = SigningTime::from_unix_seconds(i.time).unwrap();
    let params = SigningParams::new(&credentials, &set, &i.service, time).with_key_cache(cache);
    let signed = sign_headers(&req, &params).unwrap();
    signed
        .headers()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

/// Presigns `i`; returns the signed URI's path and query.
fn presigned(i: &Input, cache: &EcdsaKeyCache) -> (String, String) {
    let q = query_string(&i.query);
    let req = received(i, &i.path, &q, &[]);
    let credentials = credentials(i);
    let set = i.region_set();
    let time = SigningTime::from_unix_seconds(i.time).unwrap();
    let params = SigningParams::new(&credentials, &set, &i.service, time).with_key_cache(cache);
    let p = presign(&req, &params, Duration::from_secs(600)).unwrap();
    let (path, query) = p.uri().split_once('?').unwrap();
    (path.to_string(), query.to_string())
}

fn options(i: &Input) -> VerifyOptions<'static> {
    VerifyOptions::new(SigningTime::from_unix_seconds(i.time).unwrap())
}

/// Changes one signed component of the received request, by name.
fn mutations(i: &Input) -> Vec<(&'static str, Input)> {
    let mut out = Vec::new();
    let mut m = i.clone();
    m.method = if i.method == "GET" { "PUT" } else { "GET" }.into();
    out.push(("method", m));
    let mut m = i.clone();
    m.path.push('x');
    out.push(("path", m));
    let mut m = i.clone();
    m.query.push(("added".into(), "1".into()));
    out.push(("query pair added", m));
    if !i.headers.is_empty() {
        let mut m = i.clone();
        m.headers[0].1.push('z');
        out.push(("header value", m));
    }
    let mut m = i.clone();
    m.payload.push(0);
    out.push(("payload", m));
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Header-signed: accepted by `verify` in every region of the set (any
    /// region for `*`), refused elsewhere, refused once a signed part or
    /// the region set changes, and refused with another secret.
    #[test]
    fn v4a_header_signatures_verify_in_their_regions_only(i in input()) {
        let cache = EcdsaKeyCache::new();
        let added = header_signed(&i, &cache);
        let q = query_string(&i.query);
        let lookup = |k: &str| (k == "AKIDEXAMPLE").then_some(i.secret.as_str());
        let got = received(&i, &i.path, &q, &added);
        let ok = verify(&got, lookup, &options(&i));
        prop_assert!(ok.is_ok(), "{:?}", ok);
        let ok = ok.unwrap();
        prop_assert_eq!(ok.region(), i.region_set());
        for r in &i.regions {
            prop_assert!(verify(&got, lookup, &options(&i).expect_region(r)).is_ok());
        }
        let outside = verify(&got, lookup, &options(&i).expect_region("zz-nowhere-9"));
        if i.regions.is_empty() {
            prop_assert!(outside.is_ok());
        } else {
            prop_assert_eq!(outside, Err(Error::WrongScope { part: "region" }));
        }
        for (what, m) in mutations(&i) {
            let mq = query_string(&m.query);
            let changed = received(&m, &m.path, &mq, &added);
            prop_assert_eq!(verify(&changed, lookup, &options(&i)), Err(Error::SignatureMismatch), "{}", what);
        }
        // Another region set in the header.
        let other: Vec<(String, String)> = added
            .iter()
            .map(|(n, v)| if n == "x-amz-region-set" { (n.clone(), format!("{v},ap-south-1")) } else { (n.clone(), v.clone()) })
            .collect();
        let changed = received(&i, &i.path, &q, &other);
        prop_assert_eq!(verify(&changed, lookup, &options(&i)), Err(Error::SignatureMismatch));
        let wrong_secret = format!("{}x", i.secret);
        prop_assert_eq!(verify(&got, |_| Some(wrong_secret.as_str()), &options(&i)), Err(Error::SignatureMismatch));
    }

    /// Presigned: accepted within the window, refused after it, refused once
    /// a signed part or the region set changes.
    #[test]
    fn v4a_presigned_urls_verify_and_refuse_changes(i in input()) {
        let cache = EcdsaKeyCache::new();
        let (path, query) = presigned(&i, &cache);
        let lookup = |k: &str| (k == "AKIDEXAMPLE").then_some(i.secret.as_str());
        let got = received(&i, &path, &query, &[]);
        prop_assert!(verify(&got, lookup, &options(&i)).is_ok());
        let late = VerifyOptions::new(SigningTime::from_unix_seconds(i.time + 601).unwrap());
        prop_assert_eq!(verify(&got, lookup, &late), Err(Error::Expired));
        let widened = query.replace("X-Amz-Region-Set=", "X-Amz-Region-Set=eu-west-9%2C");
        prop_assert_ne!(&widened, &query);
        let changed = received(&i, &path, &widened, &[]);
        prop_assert_eq!(verify(&changed, lookup, &options(&i)), Err(Error::SignatureMismatch));
        let moved = format!("{path}x");
        let changed = received(&i, &moved, &query, &[]);
        prop_assert_eq!(verify(&changed, lookup, &options(&i)), Err(Error::SignatureMismatch));
        if let Some((name, _)) = i.headers.first() {
            let tampered = got.clone().header(name, "tampered");
            prop_assert!(verify(&tampered, lookup, &options(&i)).is_err());
        }
    }

    /// Signing is deterministic, and the cache changes nothing but the cost.
    #[test]
    fn v4a_signatures_are_deterministic_and_cached_once(i in input()) {
        let cache = EcdsaKeyCache::new();
        let a = header_signed(&i, &cache);
        let b = header_signed(&i, &cache);
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(cache.misses(), 1);
        let uncached = {
            let q = query_string(&i.query);
            let req = received(&i, &i.path, &q, &[]);
            let credentials = credentials(&i);
            let set = i.region_set();
            let time = SigningTime::from_unix_seconds(i.time).unwrap();
            let params = SigningParams::new(&credentials, &set, &i.service, time).without_key_cache();
            sign_headers(&req, &params).unwrap().authorization().to_string()
        };
        let auth = a.iter().find(|(n, _)| n == "authorization").map(|(_, v)| v.clone());
        prop_assert_eq!(auth, Some(uncached));
    }
}
