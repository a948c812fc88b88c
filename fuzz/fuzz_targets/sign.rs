//! Feeds arbitrary requests to the signer: any input gives a signature or a
//! typed error, never a panic, and every signature is well formed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigv4::sign::{presign, sign_headers, Payload, SignableRequest, SigningParams, SigningSettings, SigningTime};

fuzz_target!(|data: &[u8]| {
    // Fields separated by 0xFF: method, uri, region, service, token, then header name/value pairs.
    let mut fields = data.split(|&b| b == 0xff);
    let mut text = || fields.next().map(|f| String::from_utf8_lossy(f).into_owned()).unwrap_or_default();
    let (method, uri, region, service, token) = (text(), text(), text(), text(), text());
    let flags = data.first().copied().unwrap_or(0);
    let seconds = i64::from(u32::from_le_bytes(data.get(..4).and_then(|b| b.try_into().ok()).unwrap_or([0; 4])));
    let Ok(time) = SigningTime::from_unix_seconds(seconds) else { return };
    let settings = if flags & 1 == 1 { SigningSettings::s3() } else { SigningSettings::new() };
    let params = SigningParams::new("AKIDEXAMPLE", "secret", &region, &service, time)
        .settings(settings)
        .session_token((flags & 2 == 2).then_some(token.as_str()));
    let mut headers = Vec::new();
    loop {
        let (n, v) = (text(), text());
        if n.is_empty() && v.is_empty() {
            break;
        }
        headers.push((n, v));
    }
    let Ok(mut req) = SignableRequest::new(&method, &uri) else { return };
    for (n, v) in &headers {
        req = req.header(n, v);
    }
    let req = req.payload(if flags & 4 == 4 { Payload::Unsigned } else { Payload::Bytes(data) });
    if let Ok(s) = sign_headers(&req, &params) {
        assert_eq!(s.signature().len(), 64);
        assert!(s.signature().bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(s.authorization().ends_with(s.signature()));
        assert!(s.canonical_request().starts_with(method.as_str()));
    }
    if let Ok(p) = presign(&req, &params, u64::from(flags) * 1000 + 1) {
        assert!(p.uri().contains(p.signature()));
    }
});
