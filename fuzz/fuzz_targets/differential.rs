//! Signer against verifier. An arbitrary request (method, host, path,
//! query, headers, payload, service, region or region set, time, session
//! token; all from the fuzz input through `arbitrary`) is signed by us for
//! the `Authorization` header or presigned, with SigV4 or SigV4a:
//! - `verify` accepts it, and says who signed, for which scope, how;
//! - the same request with one signed byte changed (the method, a
//!   character of the URL after the scheme, a signed header's value, the
//!   body when it is signed, the signature) is refused.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sigv4::sign::{v4a, verify, Payload, SignableRequest, SigningParams, SigningTime, VerifyOptions};
use sigv4::Credentials;
use std::time::Duration;

const METHODS: [&str; 6] = ["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH"];
const SERVICES: [&str; 6] = ["s3", "service", "iam", "execute-api", "sts", "s3-outposts"];
const REGIONS: [&str; 4] = ["us-east-1", "eu-west-3", "ap-southeast-2", "cn-north-1"];

#[derive(Arbitrary, Debug)]
enum Tamper {
    Method,
    Url(u16),
    Header(u8, u16),
    Payload(u16, u8),
    Signature(u8),
}

#[derive(Arbitrary, Debug)]
struct Input {
    method: u8,
    host: String,
    segments: Vec<String>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    payload: Vec<u8>,
    service: u8,
    region: u8,
    region_set_star: bool,
    seconds: u32,
    token: Option<String>,
    presigned: bool,
    sigv4a: bool,
    unsigned_payload: bool,
    expires: u32,
    tamper: Tamper,
}

fn word(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '~')).take(24).collect()
}

/// The next letter or digit of the same kind: never the same character,
/// not even ignoring case.
fn other(b: u8) -> u8 {
    match b {
        b'z' => b'a',
        b'Z' => b'A',
        b'9' => b'0',
        _ => b + 1,
    }
}

/// Changes the `n`th letter or digit of `s` from `from` on (skipping
/// `%XX` escapes, whose case means nothing); false when there is none.
fn tamper_text(s: &mut String, from: usize, n: usize) -> bool {
    let bytes = s.as_bytes();
    let candidates: Vec<usize> = (from..bytes.len())
        .filter(|&i| bytes[i].is_ascii_alphanumeric())
        .filter(|&i| !(i >= 1 && bytes[i - 1] == b'%') && !(i >= 2 && bytes[i - 2] == b'%'))
        .collect();
    if candidates.is_empty() {
        return false;
    }
    let i = candidates[n % candidates.len()];
    let mut v = std::mem::take(s).into_bytes();
    v[i] = other(v[i]);
    *s = String::from_utf8(v).unwrap();
    true
}

struct Signed {
    uri: String,
    /// Every header the server receives (the caller's, then the signer's).
    headers: Vec<(String, String)>,
    signed_headers: String,
    signature: String,
}

fuzz_target!(|input: Input| {
    let method = METHODS[usize::from(input.method) % METHODS.len()];
    let host = match word(&input.host).to_ascii_lowercase() {
        h if h.is_empty() || h.starts_with('-') => "example.amazonaws.com".to_string(),
        h => format!("{h}.example.com"),
    };
    let path: Vec<String> = input.segments.iter().map(|s| word(s)).filter(|s| !s.is_empty()).collect();
    let query: Vec<String> = input
        .query
        .iter()
        .map(|(k, v)| (word(k), word(v)))
        .filter(|(k, _)| !k.is_empty() && !k.to_ascii_lowercase().starts_with("x-amz-"))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mut uri = format!("https://{host}/{}", path.join("/"));
    if !query.is_empty() {
        uri.push('?');
        uri.push_str(&query.join("&"));
    }
    let headers: Vec<(String, String)> = input
        .headers
        .iter()
        .map(|(n, v)| {
            let name = format!("x-f-{}", word(n).to_ascii_lowercase());
            let value: String = v.chars().filter(|c| c.is_ascii_graphic() || *c == ' ').take(64).collect();
            (name, value.trim().to_string())
        })
        .collect();
    let service = SERVICES[usize::from(input.service) % SERVICES.len()];
    let region = REGIONS[usize::from(input.region) % REGIONS.len()];
    let region_set = if input.region_set_star { "*" } else { region };
    let Ok(time) = SigningTime::from_unix_seconds(i64::from(input.seconds)) else { return };
    let mut credentials = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    let token = input.token.as_deref().map(word).filter(|t| !t.is_empty());
    if let Some(t) = &token {
        credentials = credentials.with_session_token(t.as_str());
    }
    let payload = if input.unsigned_payload { Payload::Unsigned } else { Payload::Bytes(&input.payload) };
    let expires = Duration::from_secs(1 + u64::from(input.expires) % 604_800);

    let mut req = SignableRequest::new(method, &uri).unwrap().payload(payload);
    for (n, v) in &headers {
        req = req.header(n, v);
    }
    let v4_params = SigningParams::new(&credentials, region, service, time);
    let v4a_params = v4a::SigningParams::new(&credentials, region_set, service, time);
    let own = |extra: Vec<(String, String)>| headers.iter().cloned().chain(extra).collect::<Vec<_>>();
    let signed = match (input.presigned, input.sigv4a) {
        (false, false) => {
            let s = sigv4::sign::sign_headers(&req, &v4_params).unwrap();
            let added: Vec<(String, String)> = s.headers().map(|(n, v)| (n.to_string(), v.to_string())).collect();
            Signed { uri: uri.clone(), headers: own(added), signed_headers: s.signed_headers().to_string(), signature: s.signature().to_string() }
        }
        (false, true) => {
            let s = v4a::sign_headers(&req, &v4a_params).unwrap();
            let added: Vec<(String, String)> = s.headers().map(|(n, v)| (n.to_string(), v.to_string())).collect();
            Signed { uri: uri.clone(), headers: own(added), signed_headers: s.signed_headers().to_string(), signature: s.signature().to_string() }
        }
        (true, false) => {
            let p = sigv4::sign::presign(&req, &v4_params, expires).unwrap();
            let signed_headers = p.params().find(|(k, _)| *k == "X-Amz-SignedHeaders").map(|(_, v)| v.to_string()).unwrap();
            Signed { uri: p.uri().to_string(), headers: headers.clone(), signed_headers, signature: p.signature().to_string() }
        }
        (true, true) => {
            let p = v4a::presign(&req, &v4a_params, expires).unwrap();
            let signed_headers = p.params().find(|(k, _)| *k == "X-Amz-SignedHeaders").map(|(_, v)| v.to_string()).unwrap();
            Signed { uri: p.uri().to_string(), headers: headers.clone(), signed_headers, signature: p.signature().to_string() }
        }
    };
    let options = VerifyOptions::new(time);
    let lookup = |k: &str| (k == "AKIDEXAMPLE").then_some("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    let check = |method: &str, uri: &str, headers: &[(String, String)], body: &[u8]| {
        let mut r = SignableRequest::new(method, uri).unwrap();
        r = r.payload(if input.unsigned_payload { Payload::Unsigned } else { Payload::Bytes(body) });
        for (n, v) in headers {
            r = r.header(n, v);
        }
        verify(&r, lookup, &options)
    };
    let v = check(method, &signed.uri, &signed.headers, &input.payload)
        .unwrap_or_else(|e| panic!("our own signature is refused: {e}\n{} {}\n{:?}", method, signed.uri, signed.headers));
    assert_eq!(v.access_key_id(), "AKIDEXAMPLE");
    assert_eq!(v.service(), service);
    assert_eq!(v.region(), if input.sigv4a { region_set } else { region });
    assert_eq!(v.is_presigned(), input.presigned);
    assert_eq!(v.is_sigv4a(), input.sigv4a);
    assert_eq!(v.signed_headers_list(), signed.signed_headers);
    assert_eq!(v.time(), time);

    // One signed byte changed.
    let (mut m, mut u, mut h, mut body) = (method.to_string(), signed.uri.clone(), signed.headers.clone(), input.payload.clone());
    let changed = match input.tamper {
        Tamper::Method => {
            m = METHODS[(usize::from(input.method) + 1) % METHODS.len()].to_string();
            true
        }
        Tamper::Url(n) => tamper_text(&mut u, "https://".len(), usize::from(n)),
        Tamper::Header(i, n) => {
            let signed_names: Vec<&str> = signed.signed_headers.split(';').collect();
            let idx: Vec<usize> = (0..h.len()).filter(|&j| signed_names.contains(&h[j].0.to_ascii_lowercase().as_str())).collect();
            if idx.is_empty() {
                false
            } else {
                let j = idx[usize::from(i) % idx.len()];
                let from = if h[j].0.eq_ignore_ascii_case("authorization") { h[j].1.len() } else { 0 };
                tamper_text(&mut h[j].1, from, usize::from(n))
            }
        }
        Tamper::Payload(i, mask) if !input.unsigned_payload && !input.presigned && !body.is_empty() && mask != 0 => {
            let i = usize::from(i) % body.len();
            body[i] ^= mask;
            true
        }
        Tamper::Payload(..) => false,
        Tamper::Signature(n) => {
            let sig = &signed.signature;
            let pos = usize::from(n) % sig.len();
            let mut bad = sig.clone().into_bytes();
            bad[pos] = if bad[pos] == b'0' { b'1' } else { b'0' };
            let bad = String::from_utf8(bad).unwrap();
            if input.presigned {
                u = u.replace(sig.as_str(), &bad);
            } else {
                for (n, v) in h.iter_mut() {
                    if n.eq_ignore_ascii_case("authorization") {
                        *v = v.replace(sig.as_str(), &bad);
                    }
                }
            }
            true
        }
    };
    if changed {
        if let Ok(v) = check(&m, &u, &h, &body) {
            panic!("a tampered request was accepted ({:?}): {m} {u}\n{h:?}\n{v:?}", input.tamper);
        }
    }
});
