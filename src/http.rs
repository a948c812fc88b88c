//! Sign, presign and verify [`http::Request`] values (feature `http`).
//!
//! Signing a request whose body is in memory (`B: AsRef<[u8]>`: `Vec<u8>`,
//! `String`, `&str`, `bytes::Bytes`...) hashes the body itself:
//!
//! ```
//! use sigv4::http::sign_request;
//! use sigv4::sign::{SigningParams, SigningTime};
//! use sigv4::Credentials;
//!
//! let credentials = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
//! let params = SigningParams::new(&credentials, "us-east-1", "execute-api",
//!     SigningTime::parse_amz_date("20150830T123600Z")?);
//! let mut req = http::Request::post("https://abc123.execute-api.us-east-1.amazonaws.com/prod/items")
//!     .header("content-type", "application/json")
//!     .body(r#"{"name":"widget"}"#.to_string())?;
//! sign_request(&mut req, &params)?;
//! assert!(req.headers()["authorization"].to_str()?.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! For a body that is not in memory (a stream, a file), say what to sign
//! with [`sign_request_with`]: [`Payload::Precomputed`] with a hash computed
//! elsewhere, [`Payload::Unsigned`] where the service allows it (S3), or an
//! aws-chunked variant. The same split exists for [`verify_request`] and
//! [`verify_request_with`] on the server side, and [`presign_request`]
//! turns a request into a URL.
//!
//! ```
//! use core::time::Duration;
//! use sigv4::http::{presign_request, sign_request_with};
//! use sigv4::sign::{Payload, SigningParams, SigningTime};
//! use sigv4::Credentials;
//!
//! let credentials = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
//! let params = SigningParams::new(&credentials, "us-east-1", "iam",
//!     SigningTime::parse_amz_date("20150830T123600Z")?);
//! let mut req = http::Request::get("https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08")
//!     .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
//!     .body(())?;
//! sign_request_with(&mut req, &params, Payload::EMPTY)?;
//! assert!(req.headers()["authorization"].to_str()?.ends_with(
//!     "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"));
//!
//! let url = presign_request(&http::Request::get("https://iam.amazonaws.com/?Action=ListUsers").body(())?,
//!     &params, Payload::EMPTY, Duration::from_secs(3600))?;
//! assert!(url.to_string().contains("X-Amz-Signature="));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::time::Duration;

use crate::sign::{
    self, Error, HeaderSignature, Payload, PresignedQuery, SignableRequest, SigningParams,
    Verified, VerifyOptions,
};
use http::header::{HeaderName, HeaderValue};

/// The signer's view of `req`: method, URI (wire form), headers, and `payload`.
///
/// ```
/// use sigv4::http::signable_request;
/// use sigv4::sign::Payload;
/// let req = http::Request::get("https://example.com/a%20b?x=1").header("range", "bytes=0-9").body(())?;
/// let signable = signable_request(&req, Payload::Unsigned)?;
/// assert_eq!((signable.path(), signable.query(), signable.host()), ("/a%20b", "x=1", Some("example.com")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn signable_request<'a, B>(
    req: &'a http::Request<B>,
    payload: Payload<'a>,
) -> Result<SignableRequest<'a>, Error> {
    let uri = req.uri();
    let mut s =
        SignableRequest::from_parts(req.method().as_str(), uri.path(), uri.query().unwrap_or(""))?
            .payload(payload);
    if let Some(authority) = uri.authority() {
        s = s.authority(uri.scheme_str(), authority.as_str());
    }
    for (name, value) in req.headers() {
        s = s.header_bytes(name.as_str(), value.as_bytes());
    }
    Ok(s)
}

/// Signs `req` in place, hashing its in-memory body: adds `authorization`,
/// `x-amz-date`, and when applicable `x-amz-security-token` and
/// `x-amz-content-sha256`, replacing any previous values. Returns the
/// signature details for debugging.
pub fn sign_request<'a, B: AsRef<[u8]>>(
    req: &mut http::Request<B>,
    params: &SigningParams<'a>,
) -> Result<HeaderSignature<'a>, Error> {
    let signature = sign::sign_headers(
        &signable_request(req, Payload::Bytes(req.body().as_ref()))?,
        params,
    )?;
    apply(req, &signature)?;
    Ok(signature)
}

/// Like [`sign_request`], for any body type: the body is not read, and
/// `payload` says what to sign ([`Payload::Precomputed`],
/// [`Payload::Unsigned`], [`Payload::EMPTY`], ...).
pub fn sign_request_with<'a, B>(
    req: &mut http::Request<B>,
    params: &SigningParams<'a>,
    payload: Payload<'_>,
) -> Result<HeaderSignature<'a>, Error> {
    let signature = sign::sign_headers(&signable_request(req, payload)?, params)?;
    apply(req, &signature)?;
    Ok(signature)
}

fn apply<B>(req: &mut http::Request<B>, signature: &HeaderSignature<'_>) -> Result<(), Error> {
    let headers = req.headers_mut();
    for (name, value) in signature.headers() {
        // Every value was checked as a header value while signing.
        let value = HeaderValue::from_str(value).map_err(|_| Error::InvalidSessionToken)?;
        headers.insert(HeaderName::from_static(name), value);
    }
    Ok(())
}

/// Presigns `req` for `expires_in` and returns the URL to use.
///
/// `req` must have an absolute URI. Headers on `req` other than `host` are
/// signed too, and whoever uses the URL must send them.
pub fn presign_request<B>(
    req: &http::Request<B>,
    params: &SigningParams<'_>,
    payload: Payload<'_>,
    expires_in: Duration,
) -> Result<http::Uri, Error> {
    let presigned = presign_parts(req, params, payload, expires_in)?;
    presigned.uri().parse().map_err(|_| Error::InvalidUri {
        reason: "presigned URI does not parse",
    })
}

/// Like [`presign_request`], but returns the full presigning result
/// (parameters, canonical request, string to sign).
pub fn presign_parts<'a, B>(
    req: &http::Request<B>,
    params: &SigningParams<'a>,
    payload: Payload<'_>,
    expires_in: Duration,
) -> Result<PresignedQuery<'a>, Error> {
    if req.uri().authority().is_none() {
        return Err(Error::InvalidUri {
            reason: "presigning needs an absolute URI",
        });
    }
    sign::presign(&signable_request(req, payload)?, params, expires_in)
}

/// Verifies a received request whose body is in memory, signed with an
/// `Authorization` header or presigned (see [`sign::verify()`]).
///
/// On a server the request URI is usually origin-form (`/path?query`):
/// the signed `host` comes from the `Host` header.
///
/// ```
/// use sigv4::http::{sign_request, verify_request};
/// use sigv4::sign::{SigningParams, SigningTime, VerifyOptions};
/// use sigv4::Credentials;
///
/// let now = SigningTime::parse_amz_date("20150830T123600Z")?;
/// let credentials = Credentials::new("AKIDEXAMPLE", "secret");
/// let mut req = http::Request::post("https://api.example.com/items").body(b"{}".to_vec())?;
/// sign_request(&mut req, &SigningParams::new(&credentials, "us-east-1", "execute-api", now))?;
///
/// let options = VerifyOptions::new(now).expect_service("execute-api");
/// let verified = verify_request(&req, |key| (key == "AKIDEXAMPLE").then_some("secret"), &options)?;
/// assert_eq!(verified.region(), "us-east-1");
/// *req.body_mut() = b"{\"tampered\":1}".to_vec();
/// assert!(verify_request(&req, |_| Some("secret"), &options).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_request<'s, B: AsRef<[u8]>>(
    req: &http::Request<B>,
    lookup: impl FnOnce(&str) -> Option<&'s str>,
    options: &VerifyOptions<'_>,
) -> Result<Verified, Error> {
    let signable = signable_request(req, Payload::Bytes(req.body().as_ref()))?;
    sign::verify(&signable, lookup, options)
}

/// Like [`verify_request`], for any body type: `payload` says what the body
/// is ([`Payload::Unsigned`] when the server does not hash it, or a hash
/// computed while it streamed in).
pub fn verify_request_with<'s, B>(
    req: &http::Request<B>,
    payload: Payload<'_>,
    lookup: impl FnOnce(&str) -> Option<&'s str>,
    options: &VerifyOptions<'_>,
) -> Result<Verified, Error> {
    sign::verify(&signable_request(req, payload)?, lookup, options)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::{Credentials, SigningSettings, SigningTime};
    use std::sync::OnceLock;

    fn example_credentials() -> &'static Credentials {
        static C: OnceLock<Credentials> = OnceLock::new();
        C.get_or_init(|| {
            Credentials::new(
                "AKIAIOSFODNN7EXAMPLE",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            )
        })
    }

    fn params(time: &str) -> SigningParams<'static> {
        let t = SigningTime::parse_amz_date(time).unwrap();
        SigningParams::new(example_credentials(), "us-east-1", "s3", t)
    }

    #[test]
    fn signs_the_s3_get_object_example_in_place() {
        let mut req = http::Request::get("https://examplebucket.s3.amazonaws.com/test.txt")
            .header("Range", "bytes=0-9")
            .header("authorization", "stale")
            .body(())
            .unwrap();
        let p = params("20130524T000000Z");
        assert_eq!(p.settings(), SigningSettings::s3());
        sign_request_with(&mut req, &p, Payload::EMPTY).unwrap();
        let h = req.headers();
        assert_eq!(h.get_all("authorization").iter().count(), 1);
        assert_eq!(
            h["authorization"],
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
             SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
        assert_eq!(h["x-amz-date"], "20130524T000000Z");
        assert_eq!(
            h["x-amz-content-sha256"],
            crate::sign::payload::EMPTY_SHA256
        );
    }

    /// The AWS S3 documentation's PUT example ("Welcome to Amazon S3.").
    #[test]
    fn sign_request_hashes_the_body_itself() {
        let build = || {
            http::Request::put("https://examplebucket.s3.amazonaws.com/test$file.text")
                .header("date", "Fri, 24 May 2013 00:00:00 GMT")
                .header("x-amz-storage-class", "REDUCED_REDUNDANCY")
                .body(b"Welcome to Amazon S3.".to_vec())
                .unwrap()
        };
        let p = params("20130524T000000Z");
        let mut req = build();
        let signed = sign_request(&mut req, &p).unwrap();
        assert_eq!(
            signed.signature(),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"
        );
        assert_eq!(
            req.headers()["x-amz-content-sha256"],
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
        );
        // The same as hashing first and passing the hash.
        let mut other = build();
        let hash = Payload::Bytes(b"Welcome to Amazon S3.").resolve().unwrap();
        sign_request_with(&mut other, &p, Payload::Precomputed(hash.as_str())).unwrap();
        assert_eq!(req.headers(), other.headers());
    }

    #[test]
    fn verify_request_accepts_what_sign_request_made_and_nothing_else() {
        let now = SigningTime::parse_amz_date("20130524T000000Z").unwrap();
        let mut req = http::Request::post("https://api.example.com/items?x=1")
            .header("content-type", "application/json")
            .body(br#"{"a":1}"#.to_vec())
            .unwrap();
        let creds = example_credentials();
        sign_request(
            &mut req,
            &SigningParams::new(creds, "eu-west-1", "execute-api", now),
        )
        .unwrap();
        let lookup = |k: &str| (k == creds.access_key_id()).then_some(creds.secret_access_key());
        let options = VerifyOptions::new(now);
        let ok = verify_request(&req, lookup, &options).unwrap();
        assert_eq!((ok.region(), ok.service()), ("eu-west-1", "execute-api"));
        assert_eq!(
            verify_request(&req, lookup, &options.expect_region("us-east-1")),
            Err(Error::WrongScope { part: "region" })
        );
        assert_eq!(
            verify_request(&req, lookup, &options.expect_service("s3")),
            Err(Error::WrongScope { part: "service" })
        );
        assert_eq!(
            verify_request(&req, |_| None, &options),
            Err(Error::UnknownAccessKey)
        );
        // Not hashing the body on the server side: the signature covers it.
        assert_eq!(
            verify_request_with(&req, Payload::Unsigned, lookup, &options),
            Err(Error::SignatureMismatch)
        );
        let mut tampered = req.clone();
        tampered.body_mut().push(b' ');
        assert_eq!(
            verify_request(&tampered, lookup, &options),
            Err(Error::SignatureMismatch)
        );
        // Too far from the verifier's clock.
        let later = VerifyOptions::new(now.checked_add_seconds(901).unwrap());
        assert_eq!(
            verify_request(&req, lookup, &later),
            Err(Error::RequestTimeTooSkewed)
        );
        let lenient = later.with_max_skew(Duration::from_secs(901));
        assert!(verify_request(&req, lookup, &lenient).is_ok());
    }

    #[test]
    fn verify_request_takes_presigned_urls_too() {
        let now = SigningTime::parse_amz_date("20130524T000000Z").unwrap();
        let p = params("20130524T000000Z");
        let url = presign_request(
            &http::Request::get("https://examplebucket.s3.amazonaws.com/test.txt")
                .body(())
                .unwrap(),
            &p,
            Payload::Unsigned,
            Duration::from_secs(60),
        )
        .unwrap();
        // What the server receives: origin-form target plus a Host header.
        let received = http::Request::get(url.path_and_query().unwrap().as_str())
            .header("host", "examplebucket.s3.amazonaws.com")
            .body(())
            .unwrap();
        let creds = example_credentials();
        let lookup = |_: &str| Some(creds.secret_access_key());
        let options = VerifyOptions::new(now);
        let ok = verify_request_with(&received, Payload::Unsigned, lookup, &options).unwrap();
        assert_eq!(ok.signed_headers_list(), "host");
        let mut both = received;
        both.headers_mut().insert(
            "authorization",
            HeaderValue::from_static("AWS4-HMAC-SHA256 x"),
        );
        assert!(matches!(
            verify_request_with(&both, Payload::Unsigned, lookup, &options),
            Err(Error::MalformedSignature { .. })
        ));
        let unsigned = http::Request::get("/x")
            .header("host", "h")
            .body(())
            .unwrap();
        assert_eq!(
            verify_request_with(&unsigned, Payload::Unsigned, lookup, &options),
            Err(Error::NotSigned)
        );
    }

    #[test]
    fn presigns_the_s3_documentation_url() {
        // AWS S3 documentation, "Authenticating Requests: Using Query Parameters".
        let req = http::Request::get("https://examplebucket.s3.amazonaws.com/test.txt")
            .body(())
            .unwrap();
        let p = params("20130524T000000Z");
        let uri = presign_request(&req, &p, Payload::Unsigned, Duration::from_secs(86400)).unwrap();
        assert_eq!(
            uri.to_string(),
            "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
             &X-Amz-Date=20130524T000000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=86400\
             &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        );
    }

    #[test]
    fn rejects_non_utf8_header_values_and_relative_presign() {
        let mut req = http::Request::get("https://h/").body(()).unwrap();
        req.headers_mut()
            .insert("x-bin", HeaderValue::from_bytes(b"\xff\xfe").unwrap());
        let p = params("20130524T000000Z");
        assert!(matches!(
            sign_request_with(&mut req, &p, Payload::EMPTY),
            Err(Error::InvalidHeaderValue { .. })
        ));
        let rel = http::Request::get("/x").body(()).unwrap();
        assert!(matches!(
            presign_request(&rel, &p, Payload::EMPTY, Duration::from_secs(60)),
            Err(Error::InvalidUri { .. })
        ));
        let mut rel = http::Request::get("/x").body(()).unwrap();
        assert_eq!(
            sign_request_with(&mut rel, &p, Payload::EMPTY).unwrap_err(),
            Error::MissingHost
        );
    }
}
