//! `parse_authorization` and `verify_headers` on requests in the test
//! vectors' text form (seeded with their signed requests, which verify):
//! - a parsed `Authorization` is well formed and renders back to itself;
//! - `verify_headers`, `verify` and `verify_detailed` agree;
//! - an accepted request is what its `Authorization` says (key, scope,
//!   signed headers, signature) and no longer verifies with any one
//!   signature digit changed, nor with another secret.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use common::{parse_request, vector_time, ACCESS_KEY_ID, SECRET};
use libfuzzer_sys::fuzz_target;
use sigv4::sign::verify::{parse_authorization, parse_authorization_v4a, verify_detailed};
use sigv4::sign::{verify, verify_headers, Payload, SignableRequest, VerifyOptions};

fn check_authorization(value: &str) {
    let _ = parse_authorization_v4a(value);
    let Ok(a) = parse_authorization(value) else { return };
    assert_eq!(a.signature.len(), 64);
    assert!(a.signature.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
    assert!(a.date.len() == 8 && a.date.bytes().all(|b| b.is_ascii_digit()));
    assert!(!a.access_key_id.is_empty() && !a.region.is_empty() && !a.service.is_empty());
    let rendered = format!(
        "AWS4-HMAC-SHA256 Credential={}/{}/{}/{}/aws4_request, SignedHeaders={}, Signature={}",
        a.access_key_id, a.date, a.region, a.service, a.signed_headers, a.signature
    );
    assert_eq!(parse_authorization(&rendered).unwrap(), a, "{rendered:?}");
}

fn build<'a>(req: SignableRequest<'a>, body: &'a [u8], headers: &'a [(&'a str, String)]) -> SignableRequest<'a> {
    let mut r = req.payload(Payload::Bytes(body));
    for (n, v) in headers {
        r = r.header(n, v);
    }
    r
}

fuzz_target!(|data: &[u8]| {
    let Some(raw) = parse_request(data) else { return };
    for (n, v) in &raw.headers {
        if n.eq_ignore_ascii_case("authorization") {
            check_authorization(v);
        }
    }
    let Ok(req) = SignableRequest::new(raw.method, raw.target) else { return };
    let r = build(req.clone(), raw.body, &raw.headers);
    let options = VerifyOptions::new(vector_time());
    let lookup = |k: &str| (k == ACCESS_KEY_ID).then_some(SECRET);
    let plain = verify_headers(&r, lookup, &options);
    let any = verify(&r, lookup, &options);
    let detailed = verify_detailed(&r, lookup, &options);
    if any.is_ok() || detailed.is_ok() {
        // `verify` dispatches: a request it accepts as header-signed SigV4
        // is what `verify_headers` accepts.
        assert_eq!(any.as_ref().ok(), detailed.as_ref().ok());
    }
    match &detailed {
        Ok(v) => assert_eq!(any.as_ref().unwrap(), v),
        Err(rejection) => {
            assert!(any.is_err());
            assert!((400..=403).contains(&rejection.status()), "{rejection:?}");
            assert!(!rejection.s3_code().is_empty());
        }
    }
    let Ok(v) = plain else { return };
    assert!(!v.is_presigned() && !v.is_sigv4a());
    assert_eq!(any.as_ref().ok(), Some(&v));
    let (i, auth_value) = raw
        .headers
        .iter()
        .enumerate()
        .find(|(_, (n, _))| n.eq_ignore_ascii_case("authorization"))
        .map(|(i, (_, v))| (i, v.clone()))
        .expect("accepted without an authorization header");
    let a = parse_authorization(&auth_value).unwrap();
    assert_eq!(v.access_key_id(), a.access_key_id);
    assert_eq!((v.region(), v.service()), (a.region, a.service));
    assert_eq!(v.signed_headers_list(), a.signed_headers);
    assert_eq!(v.signature(), a.signature);
    assert_eq!(v.time().date_stamp(), a.date);
    assert!(v.signed_headers().any(|h| h == "host"));
    // Another secret, or any one signature digit changed: refused.
    assert!(verify_headers(&r, |_| Some("another secret"), &options).is_err());
    let at = auth_value.rfind(a.signature).unwrap();
    for pos in [0, 31, 63] {
        let mut bad = auth_value.clone().into_bytes();
        bad[at + pos] = if bad[at + pos] == b'0' { b'1' } else { b'0' };
        let mut headers = raw.headers.clone();
        headers[i].1 = String::from_utf8(bad).unwrap();
        assert!(verify_headers(&build(req.clone(), raw.body, &headers), lookup, &options).is_err());
    }
});
