//! Property tests of the signing core.

use std::time::Duration;

use proptest::prelude::*;
use sigv4::sign::{
    presign, sign_headers, write_authorization, write_presigned_uri, Payload, SignableRequest,
    SigningParams, SigningTime, VerifyOptions,
};
use sigv4::Credentials;

#[derive(Debug, Clone)]
struct Input {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    payload: Vec<u8>,
    time: i64,
    region: String,
    service: String,
    secret: String,
}

fn token() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,12}"
}

fn input() -> impl Strategy<Value = Input> {
    (
        prop::sample::select(vec!["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH"]),
        prop::collection::vec("[a-zA-Z0-9._~ +%!$&'()*,;=:@\u{e9}\u{1234}-]{1,8}", 1..4),
        prop::collection::vec(
            ("[a-zA-Z0-9_.~-]{1,8}", "[a-zA-Z0-9 +/=%\u{fc}-]{0,8}"),
            0..5,
        ),
        prop::collection::vec(("x-[a-z0-9-]{1,10}", "[ -~]{0,16}"), 0..5),
        prop::collection::vec(any::<u8>(), 0..64),
        0i64..4_102_444_800,
        token(),
        token(),
        "[ -~]{1,40}",
    )
        .prop_map(
            |(method, segs, query, headers, payload, time, region, service, secret)| Input {
                method: method.to_string(),
                path: format!("/{}", segs.join("/")),
                query,
                headers,
                payload,
                time,
                region,
                service,
                secret,
            },
        )
}

fn query_string(pairs: &[(String, String)]) -> String {
    // Encode the pieces that would change the pair structure.
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

struct Signed {
    signature: String,
    canonical_request: String,
}

/// The request described by `i` (with query string `q`), headers included.
fn signable<'a>(i: &'a Input, q: &'a str) -> SignableRequest<'a> {
    SignableRequest::from_parts(&i.method, &i.path, q)
        .unwrap()
        .header("host", "example.amazonaws.com")
        .headers(i.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .payload(Payload::Bytes(&i.payload))
}

fn sign(i: &Input, extra_header: Option<(&str, &str)>) -> Signed {
    let q = query_string(&i.query);
    let mut req = signable(i, &q);
    if let Some((n, v)) = extra_header {
        req = req.header(n, v);
    }
    let time = SigningTime::from_unix_seconds(i.time).unwrap();
    let credentials = Credentials::new("AKIDEXAMPLE", i.secret.as_str());
    let params = SigningParams::new(&credentials, &i.region, &i.service, time);
    let s = sign_headers(&req, &params).unwrap();
    Signed {
        signature: s.signature().to_string(),
        canonical_request: s.canonical_request().to_string(),
    }
}

/// Every way of changing one signed component of `i`, with its name.
fn mutations(i: &Input) -> Vec<(&'static str, Input)> {
    let mut out = Vec::new();
    let mut m = i.clone();
    m.method = if i.method == "GET" {
        "PUT".into()
    } else {
        "GET".into()
    };
    out.push(("method", m));
    let mut m = i.clone();
    m.path.push('x');
    out.push(("path", m));
    let mut m = i.clone();
    m.query.push(("added".into(), "1".into()));
    out.push(("query pair added", m));
    if !i.query.is_empty() {
        let mut m = i.clone();
        m.query[0].1.push('z');
        out.push(("query value", m));
    }
    if !i.headers.is_empty() {
        let mut m = i.clone();
        m.headers[0].1.push('z');
        out.push(("header value", m));
    }
    let mut m = i.clone();
    m.payload.push(0);
    out.push(("payload", m));
    let mut m = i.clone();
    m.time += 1;
    out.push(("time", m));
    let mut m = i.clone();
    m.region.push('x');
    out.push(("region", m));
    let mut m = i.clone();
    m.service.push('x');
    out.push(("service", m));
    let mut m = i.clone();
    m.secret.push('x');
    out.push(("secret", m));
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn changing_any_signed_component_changes_the_signature(i in input()) {
        let base = sign(&i, None);
        for (what, m) in mutations(&i) {
            let other = sign(&m, None);
            prop_assert_ne!(&base.signature, &other.signature, "changing the {} kept the signature", what);
        }
    }

    #[test]
    fn unsigned_headers_do_not_change_the_signature(i in input(), v in "[ -~]{0,20}") {
        let base = sign(&i, None);
        for name in ["user-agent", "User-Agent", "authorization", "x-amzn-trace-id", "transfer-encoding"] {
            let other = sign(&i, Some((name, &v)));
            prop_assert_eq!(&base.signature, &other.signature, "{} changed the signature", name);
        }
    }

    #[test]
    fn canonical_query_is_independent_of_pair_order(i in input(), seed in any::<u64>()) {
        let mut shuffled = i.clone();
        // Deterministic Fisher-Yates from the seed.
        let mut s = seed;
        for k in (1..shuffled.query.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.query.swap(k, (s >> 33) as usize % (k + 1));
        }
        let a = sign(&i, None);
        let b = sign(&shuffled, None);
        prop_assert_eq!(a.canonical_request, b.canonical_request);
        prop_assert_eq!(a.signature, b.signature);
    }

    #[test]
    fn presign_and_header_signing_agree_on_scope_and_credential(i in input(), expires in 1u64..=604_800) {
        let q = query_string(&i.query);
        let req = SignableRequest::from_parts(&i.method, &i.path, &q).unwrap().header("host", "h");
        let time = SigningTime::from_unix_seconds(i.time).unwrap();
        let credentials = Credentials::new("AKIDEXAMPLE", i.secret.as_str());
    let params = SigningParams::new(&credentials, &i.region, &i.service, time);
        let h = sign_headers(&req, &params).unwrap();
        let p = presign(&req, &params, Duration::from_secs(expires)).unwrap();
        prop_assert_eq!(h.scope(), p.scope());
        let credential = p.params().find(|(k, _)| *k == "X-Amz-Credential").unwrap().1.to_string();
        let from_header = h.authorization().split("Credential=").nth(1).unwrap().split(',').next().unwrap();
        prop_assert_eq!(credential, from_header);
        let date = p.params().find(|(k, _)| *k == "X-Amz-Date").unwrap().1.to_string();
        prop_assert_eq!(date, h.amz_date());
        let h_sts = h.string_to_sign();
        let p_sts = p.string_to_sign();
        prop_assert_eq!(h_sts.lines().take(3).collect::<Vec<_>>(), p_sts.lines().take(3).collect::<Vec<_>>());
    }

    /// The caller-buffer entry points give exactly what the allocating ones
    /// do, with a session token and whatever the buffers held before.
    #[test]
    fn caller_buffer_signing_matches(i in input(), expires in 1u64..=604_800, token in proptest::option::of("[A-Za-z0-9+/=]{1,40}"), junk in "[ -~]{0,30}") {
        let q = query_string(&i.query);
        let req = signable(&i, &q);
        let time = SigningTime::from_unix_seconds(i.time).unwrap();
        let mut credentials = Credentials::new("AKIDEXAMPLE", i.secret.as_str());
        if let Some(t) = &token {
            credentials = credentials.with_session_token(t.as_str());
        }
        let params = SigningParams::new(&credentials, &i.region, &i.service, time);
        let (mut scratch, mut out) = (junk.clone(), junk.clone());
        let added = write_authorization(&req, &params, &mut scratch, &mut out).unwrap();
        let h = sign_headers(&req, &params).unwrap();
        prop_assert_eq!(&out[junk.len()..], h.authorization());
        prop_assert!(out.starts_with(&junk));
        let mut want: Vec<_> = h.headers().collect();
        want.pop(); // authorization
        prop_assert_eq!(added.iter().collect::<Vec<_>>(), want);
        let expiry = Duration::from_secs(expires);
        out.clear();
        out.push_str(&junk);
        write_presigned_uri(&req, &params, expiry, &mut scratch, &mut out).unwrap();
        let presigned = presign(&req, &params, expiry).unwrap();
        prop_assert_eq!(&out[junk.len()..], presigned.uri());
    }

    /// Arbitrary text in every input: an error or a signature, never a panic.
    #[test]
    fn arbitrary_input_never_panics(
        method in ".{0,8}", uri in ".{0,64}", headers in prop::collection::vec((".{0,12}", any::<Vec<u8>>()), 0..6),
        region in ".{0,12}", service in ".{0,12}", key in ".{0,12}", token in proptest::option::of(".{0,20}"),
        time in any::<i64>(), expires in any::<u64>(), hash in ".{0,70}",
    ) {
        let Ok(time) = SigningTime::from_unix_seconds(time) else { return Ok(()) };
        let mut credentials = Credentials::new(key.as_str(), "secret");
        if let Some(token) = &token {
            credentials = credentials.with_session_token(token.as_str());
        }
        let params = SigningParams::new(&credentials, &region, &service, time);
        if let Ok(mut req) = SignableRequest::new(&method, &uri) {
            for (n, v) in &headers {
                req = req.header_bytes(n, v);
            }
            let _ = sign_headers(&req, &params);
            let _ = presign(&req, &params, Duration::from_secs(expires));
            let _ = sign_headers(&req.clone().payload(Payload::Precomputed(&hash)), &params);
        }
    }
}

#[test]
fn bad_inputs_are_typed_errors() {
    use sigv4::sign::Error;
    let t = SigningTime::from_unix_seconds(0).unwrap();
    let credentials = Credentials::new("AKID", "s");
    let p = SigningParams::new(&credentials, "us-east-1", "svc", t);
    let req = SignableRequest::new("GET", "https://h/").unwrap();
    assert_eq!(
        presign(&req, &p, Duration::from_secs(0)).unwrap_err(),
        Error::InvalidExpiry { seconds: 0 }
    );
    assert_eq!(
        presign(&req, &p, Duration::from_secs(604_801)).unwrap_err(),
        Error::InvalidExpiry { seconds: 604_801 }
    );
    assert!(presign(&req, &p, Duration::from_secs(604_800)).is_ok());
    assert!(presign(&req, &p, Duration::from_secs(1)).is_ok());
    let bad = req.clone().header("x-a", "line\nbreak");
    assert!(
        matches!(sign_headers(&bad, &p), Err(Error::InvalidHeaderValue { ref name, .. }) if name == "x-a")
    );
    let bad = req.clone().header("bad name", "v");
    assert_eq!(
        sign_headers(&bad, &p).unwrap_err(),
        Error::InvalidHeaderName { index: 0 }
    );
    let bad = req.clone().header_bytes("x-bin", b"\xc3\x28");
    assert!(matches!(
        sign_headers(&bad, &p),
        Err(Error::InvalidHeaderValue { .. })
    ));
    let no_host = SignableRequest::new("GET", "/x").unwrap();
    assert_eq!(sign_headers(&no_host, &p).unwrap_err(), Error::MissingHost);
    let credentials = Credentials::new("AKID", "s");
    let p2 = SigningParams::new(&credentials, "", "svc", t);
    assert_eq!(
        sign_headers(&req, &p2).unwrap_err(),
        Error::InvalidScope { part: "region" }
    );
    let bad_token = Credentials::new("AKID", "s").with_session_token("tok\nen");
    let p3 = SigningParams::new(&bad_token, "us-east-1", "svc", t);
    assert_eq!(
        sign_headers(&req, &p3).unwrap_err(),
        Error::InvalidSessionToken
    );
    // Messages name the problem, never the secret.
    for e in [
        Error::InvalidExpiry { seconds: 0 },
        Error::MissingHost,
        Error::InvalidPayloadHash,
    ] {
        let msg = e.to_string();
        assert!(!msg.is_empty() && !msg.contains("secret"));
    }
    let with_token = Credentials::new("AKID", "s").with_session_token("SESSIONTOKEN");
    let dbg = format!(
        "{:?}",
        SigningParams::new(&with_token, "us-east-1", "svc", t)
    );
    assert!(
        !dbg.contains("SESSIONTOKEN") && !dbg.contains("\"s\""),
        "{dbg}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// What we sign, our verifier accepts; a changed signed header it refuses.
    #[test]
    fn verification_accepts_what_we_sign(i in input(), token in proptest::option::of("[A-Za-z0-9+/=]{1,40}")) {
        use sigv4::sign::verify::{verify_headers, verify_presigned};
        let q = query_string(&i.query);
        let req = signable(&i, &q);
        let time = SigningTime::from_unix_seconds(i.time).unwrap();
        let mut credentials = Credentials::new("AKIDEXAMPLE", i.secret.as_str());
        if let Some(token) = &token {
            credentials = credentials.with_session_token(token.as_str());
        }
        let params = SigningParams::new(&credentials, &i.region, &i.service, time);
        let signed = sign_headers(&req, &params).unwrap();
        let added: Vec<(String, String)> = signed.headers().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        let got = req.clone().headers(added.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let lookup = |k: &str| (k == "AKIDEXAMPLE").then_some(i.secret.as_str());
        let options = VerifyOptions::new(time).with_settings(params.settings());
        let got = got.payload(Payload::Bytes(&i.payload));
        prop_assert!(verify_headers(&got, lookup, &options).is_ok());
        if let Some((name, _)) = i.headers.first() {
            let tampered = got.clone().header(name, "tampered");
            prop_assert!(verify_headers(&tampered, lookup, &options).is_err());
        }

        let p = presign(&req, &params, Duration::from_secs(600)).unwrap();
        let (path, query) = p.uri().split_once('?').unwrap();
        let mut got = SignableRequest::from_parts(&i.method, path, query).unwrap().header("host", "example.amazonaws.com");
        for (n, v) in &i.headers {
            got = got.header(n, v);
        }
        let got = got.payload(Payload::Bytes(&i.payload));
        prop_assert!(verify_presigned(&got, lookup, &options).is_ok());
        let late = SigningTime::from_unix_seconds(i.time + 601).unwrap();
        prop_assert!(verify_presigned(&got, lookup, &VerifyOptions::new(late).with_settings(params.settings())).is_err());
    }
}

/// A signing header the caller may already have set, in any case.
#[derive(Debug, Clone)]
enum CallerHeader {
    /// `x-amz-content-sha256`: a marker, the body's hash, or another hash.
    ContentSha256(&'static str),
    ContentSha256OfBody,
    ContentSha256Other(String),
    /// `x-amz-date` with any (stale) value.
    Date(String),
    /// `x-amz-security-token`: the credentials' token, or another one.
    TokenSame,
    TokenOther(String),
    /// A stale `authorization`.
    Authorization(String),
}

fn caller_header() -> impl Strategy<Value = CallerHeader> {
    prop_oneof![
        prop::sample::select(vec![
            "UNSIGNED-PAYLOAD",
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        ])
        .prop_map(CallerHeader::ContentSha256),
        Just(CallerHeader::ContentSha256OfBody),
        "[0-9a-f]{64}".prop_map(CallerHeader::ContentSha256Other),
        "[0-9TZ]{1,20}".prop_map(CallerHeader::Date),
        Just(CallerHeader::TokenSame),
        "[A-Za-z0-9+/=]{1,30}".prop_map(CallerHeader::TokenOther),
        "AWS4-HMAC-SHA256 [ -~]{0,40}".prop_map(CallerHeader::Authorization),
    ]
}

/// `name` with each letter's case chosen by the bits of `mask`.
fn recase(name: &str, mask: u32) -> String {
    name.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 32) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Requests that already carry signing headers: either the typed error
    /// the rules predict, or a request whose headers (the caller's, minus
    /// those the signature replaces, plus the signature's) our verifier
    /// accepts, with each signing header exactly once.
    #[test]
    fn caller_set_signing_headers_follow_the_rules(
        i in input(),
        extra in prop::collection::vec((caller_header(), any::<u32>()), 1..4),
        with_token in any::<bool>(),
        s3 in any::<bool>(),
    ) {
        use sigv4::sign::{verify, Error};
        let q = query_string(&i.query);
        let body_hash = Payload::Bytes(&i.payload).resolve().unwrap().as_str().to_string();
        let service = if s3 { "s3" } else { i.service.as_str() };
        let time = SigningTime::from_unix_seconds(i.time).unwrap();
        let mut credentials = Credentials::new("AKIDEXAMPLE", i.secret.as_str());
        if with_token {
            credentials = credentials.with_session_token("CREDENTIALSTOKEN");
        }
        let params = SigningParams::new(&credentials, &i.region, service, time);

        // The caller's headers, rendered.
        let mut set: Vec<(String, String)> = Vec::new();
        for (h, mask) in &extra {
            let (name, value) = match h {
                CallerHeader::ContentSha256(m) => ("x-amz-content-sha256", m.to_string()),
                CallerHeader::ContentSha256OfBody => ("x-amz-content-sha256", body_hash.clone()),
                CallerHeader::ContentSha256Other(h) => ("x-amz-content-sha256", h.clone()),
                CallerHeader::Date(d) => ("x-amz-date", d.clone()),
                CallerHeader::TokenSame => ("x-amz-security-token", "CREDENTIALSTOKEN".to_string()),
                CallerHeader::TokenOther(t) => ("x-amz-security-token", t.clone()),
                CallerHeader::Authorization(a) => ("authorization", a.clone()),
            };
            set.push((recase(name, *mask), value));
        }
        let req = signable(&i, &q).headers(set.iter().map(|(n, v)| (n.as_str(), v.as_str())));

        // What the rules predict.
        let values = |name: &str| -> Vec<&str> {
            let mut v: Vec<&str> = set.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).collect();
            v.dedup();
            v.sort_unstable();
            v.dedup();
            v
        };
        let hashes = values("x-amz-content-sha256");
        let tokens = values("x-amz-security-token");
        let markers = ["UNSIGNED-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"];
        // The payload hash is checked before the session token.
        let expected: Option<Error> = if hashes.len() > 1 {
            Some(Error::ConflictingHeaders { name: "x-amz-content-sha256" })
        } else if let Some(h) = hashes.first().filter(|h| !markers.contains(h) && **h != body_hash) {
            Some(Error::PayloadHashConflict { header: h.to_string(), payload: body_hash.clone() })
        } else if tokens.len() > 1 {
            Some(Error::ConflictingHeaders { name: "x-amz-security-token" })
        } else if with_token && tokens.first().is_some_and(|t| *t != "CREDENTIALSTOKEN") {
            Some(Error::SessionTokenConflict)
        } else {
            None
        };

        let result = sign_headers(&req, &params);
        match (&expected, result) {
            (Some(want), Err(got)) => prop_assert_eq!(want, &got),
            (Some(want), Ok(_)) => prop_assert!(false, "signed although {:?} was expected", want),
            (None, Err(e)) => prop_assert!(false, "unexpected error {:?}", e),
            (None, Ok(signed)) => {
                // The request as sent: the caller's headers minus replaced ones, plus ours.
                let mut wire: Vec<(String, String)> = set
                    .iter()
                    .filter(|(n, _)| !signed.headers().any(|(m, _)| m.eq_ignore_ascii_case(n)))
                    .cloned()
                    .collect();
                // A repeated caller header with one value goes out once.
                wire.sort();
                wire.dedup_by(|a, b| a.0.eq_ignore_ascii_case(&b.0) && a.1 == b.1);
                wire.extend(signed.headers().map(|(n, v)| (n.to_string(), v.to_string())));
                for name in ["authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"] {
                    prop_assert!(wire.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).count() <= 1, "two {} headers", name);
                }
                // The signed payload hash is the caller's header when set.
                let last = signed.canonical_request().rsplit('\n').next().unwrap();
                prop_assert_eq!(last, hashes.first().copied().unwrap_or(body_hash.as_str()));
                prop_assert!(!signed.signed_headers().contains("authorization"));
                let received = signable(&i, &q).headers(wire.iter().map(|(n, v)| (n.as_str(), v.as_str())));
                let lookup = |_: &str| Some(i.secret.as_str());
                let ok = verify(&received, lookup, &VerifyOptions::new(time));
                prop_assert!(ok.is_ok(), "{:?}\n{:?}", ok, wire);
            }
        }
    }
}
