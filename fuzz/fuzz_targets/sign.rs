//! Feeds arbitrary requests to the signer: any input gives a signature or a
//! typed error, never a panic, and every signature is well formed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigv4::sign::{presign, sign_headers, Payload, SignableRequest, SigningParams, SigningSettings, SigningTime};
use sigv4::Credentials;

fuzz_target!(|data: &[u8]| {
    // Fields separated by 0xFF: method, uri, region, service, token, then header name/value pairs.
    let mut fields = data.split(|&b| b == 0xff);
    let mut text = || fields.next().map(|f| String::from_utf8_lossy(f).into_owned()).unwrap_or_default();
    let (method, uri, region, service, token) = (text(), text(), text(), text(), text());
    let flags = data.first().copied().unwrap_or(0);
    let seconds = i64::from(u32::from_le_bytes(data.get(..4).and_then(|b| b.try_into().ok()).unwrap_or([0; 4])));
    let Ok(time) = SigningTime::from_unix_seconds(seconds) else { return };
    let settings = if flags & 1 == 1 { SigningSettings::s3() } else { SigningSettings::new() };
    let mut credentials = Credentials::new("AKIDEXAMPLE", "secret");
    if flags & 2 == 2 {
        credentials = credentials.with_session_token(token.as_str());
    }
    let params = SigningParams::new(&credentials, &region, &service, time).with_settings(settings);
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
        // What the signer writes, the verifier's parser reads back.
        let auth = sigv4::sign::verify::parse_authorization(s.authorization()).unwrap();
        assert_eq!(auth.signature, s.signature());
        assert_eq!(auth.signed_headers, s.signed_headers());
        assert_eq!((auth.region, auth.service), (region.as_str(), service.as_str()));
    }
    if let Ok(p) = presign(&req, &params, std::time::Duration::from_secs(u64::from(flags) * 1000 + 1)) {
        assert!(p.uri().contains(p.signature()));
        assert_eq!(p.signature().len(), 64);
    }
});
