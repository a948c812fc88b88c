//! `verify_presigned` (and `verify` / `verify_detailed` on the same
//! request) on requests in the test vectors' text form, seeded with their
//! presigned requests, which verify:
//! - the three agree, and a rejection carries a 4xx status and an S3 code;
//! - an accepted request carries its signature in the query, is presigned,
//!   and is refused with another secret or one signature digit changed.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use common::{parse_request, vector_time, ACCESS_KEY_ID, SECRET};
use libfuzzer_sys::fuzz_target;
use sigv4::sign::verify::verify_detailed;
use sigv4::sign::{verify, verify_presigned, Payload, SignableRequest, VerifyOptions};

fn build<'a>(method: &'a str, target: &'a str, headers: &'a [(&'a str, String)], body: &'a [u8]) -> Option<SignableRequest<'a>> {
    let mut r = SignableRequest::new(method, target).ok()?.payload(Payload::Bytes(body));
    for (n, v) in headers {
        r = r.header(n, v);
    }
    Some(r)
}

fuzz_target!(|data: &[u8]| {
    let Some(raw) = parse_request(data) else { return };
    // The request borrows the target, so each variant is built in place.
    let Some(r) = build(raw.method, raw.target, &raw.headers, raw.body) else { return };
    let options = VerifyOptions::new(vector_time());
    let lookup = |k: &str| (k == ACCESS_KEY_ID).then_some(SECRET);
    let plain = verify_presigned(&r, lookup, &options);
    let any = verify(&r, lookup, &options);
    let detailed = verify_detailed(&r, lookup, &options);
    match &detailed {
        Ok(v) => assert_eq!(any.as_ref().ok(), Some(v)),
        Err(rejection) => {
            assert!(any.is_err());
            assert!((400..=403).contains(&rejection.status()), "{rejection:?}");
            assert!(!rejection.s3_code().is_empty());
        }
    }
    let Ok(v) = plain else { return };
    assert!(v.is_presigned() && !v.is_sigv4a());
    assert_eq!(any.as_ref().ok(), Some(&v));
    assert_eq!(v.signature().len(), 64);
    assert!(r.query().contains(v.signature()));
    assert!(v.signed_headers().any(|h| h == "host"));
    assert!(verify_presigned(&r, |_| Some("another secret"), &options).is_err());
    let at = raw.target.rfind(v.signature()).unwrap();
    for pos in [0, 31, 63] {
        let mut bad = raw.target.to_string().into_bytes();
        bad[at + pos] = if bad[at + pos] == b'0' { b'1' } else { b'0' };
        let bad = String::from_utf8(bad).unwrap();
        let Some(r) = build(raw.method, &bad, &raw.headers, raw.body) else { continue };
        assert!(verify_presigned(&r, lookup, &options).is_err(), "{bad}");
    }
});
