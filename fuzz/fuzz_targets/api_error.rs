//! AWS error bodies (`ApiError::from_parts`: S3, query and EC2 XML, JSON;
//! the small XML tree under it). Input: two status bytes, a header
//! selector byte, then the body.
//! - never panics, and the error always has a code: one with no `#`, `:`
//!   or surrounding whitespace;
//! - the status and the request id header are kept unless the body names
//!   another request id;
//! - Display, `safe_message` and the signature-mismatch details never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigv4::api::error::ApiError;

fuzz_target!(|data: &[u8]| {
    let [a, b, h, body @ ..] = data else { return };
    let status = 200 + u16::from_le_bytes([*a, *b]) % 400;
    let mut headers = http::HeaderMap::new();
    if h & 1 != 0 {
        headers.insert("x-amzn-requestid", "req-header".parse().unwrap());
    }
    if h & 2 != 0 {
        headers.insert("x-amzn-errortype", "ns#HeaderCode:http://x".parse().unwrap());
    }
    if h & 4 != 0 {
        headers.insert("date", "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap());
    }
    let e = ApiError::from_parts(status, &headers, body);
    assert_eq!(e.status, status);
    assert!(!e.code.is_empty());
    assert!(!e.code.contains(':') && e.code.trim() == e.code, "{:?}", e.code);
    assert!(!e.code.contains('#') , "{:?}", e.code);
    if h & 1 != 0 {
        assert!(e.request_id.is_some());
    }
    let _ = e.to_string();
    let _ = e.safe_message();
    let _ = (e.is_signature_mismatch(), e.is_not_found(), e.detail("StringToSign"));
    if let Some(m) = &e.signature_mismatch {
        let _ = format!("{m:?}");
    }
});
