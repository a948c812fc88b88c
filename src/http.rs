//! Sign and presign [`http::Request`] values (feature `http`).
//!
//! ```
//! use sigv4::http::{presign_request, sign_request};
//! use sigv4::sign::{Payload, SigningParams, SigningTime};
//!
//! let time = SigningTime::parse_amz_date("20150830T123600Z")?;
//! let params = SigningParams::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
//!     "us-east-1", "iam", time);
//!
//! let mut req = http::Request::get("https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08")
//!     .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
//!     .body(())?;
//! sign_request(&mut req, &params, Payload::EMPTY)?;
//! assert!(req.headers()["authorization"].to_str()?.ends_with(
//!     "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"));
//!
//! let url = presign_request(&http::Request::get("https://iam.amazonaws.com/?Action=ListUsers").body(())?,
//!     &params, Payload::EMPTY, 3600)?;
//! assert!(url.to_string().contains("X-Amz-Signature="));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::sign::{
    self, Error, HeaderSignature, Payload, PresignedQuery, SignableRequest, SigningParams,
};
use http::header::{HeaderName, HeaderValue};

fn signable<'a, B>(
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

/// Signs `req` in place: adds `authorization`, `x-amz-date`, and when
/// applicable `x-amz-security-token` and `x-amz-content-sha256`, replacing
/// any previous values. Returns the signature details for debugging.
///
/// The body is not read: say what to sign with `payload`
/// ([`Payload::Bytes`] for a body in memory, [`Payload::Unsigned`], ...).
pub fn sign_request<'a, B>(
    req: &mut http::Request<B>,
    params: &SigningParams<'a>,
    payload: Payload<'_>,
) -> Result<HeaderSignature<'a>, Error> {
    let signature = sign::sign_headers(&signable(req, payload)?, params)?;
    let headers = req.headers_mut();
    for (name, value) in signature.headers() {
        let value = HeaderValue::from_str(value).map_err(|_| Error::InvalidSessionToken)?;
        headers.insert(HeaderName::from_static(name), value);
    }
    Ok(signature)
}

/// Presigns `req` for `expires_in_secs` seconds and returns the URL to use.
///
/// `req` must have an absolute URI. Headers on `req` other than `host` are
/// signed too, and whoever uses the URL must send them.
pub fn presign_request<B>(
    req: &http::Request<B>,
    params: &SigningParams<'_>,
    payload: Payload<'_>,
    expires_in_secs: u64,
) -> Result<http::Uri, Error> {
    let presigned = presign_parts(req, params, payload, expires_in_secs)?;
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
    expires_in_secs: u64,
) -> Result<PresignedQuery<'a>, Error> {
    if req.uri().authority().is_none() {
        return Err(Error::InvalidUri {
            reason: "presigning needs an absolute URI",
        });
    }
    sign::presign(&signable(req, payload)?, params, expires_in_secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::{SigningSettings, SigningTime};

    fn params(time: &str) -> SigningParams<'static> {
        let t = SigningTime::parse_amz_date(time).unwrap();
        SigningParams::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "us-east-1",
            "s3",
            t,
        )
    }

    #[test]
    fn signs_the_s3_get_object_example_in_place() {
        let mut req = http::Request::get("https://examplebucket.s3.amazonaws.com/test.txt")
            .header("Range", "bytes=0-9")
            .header("authorization", "stale")
            .body(())
            .unwrap();
        let p = params("20130524T000000Z").settings(SigningSettings::s3());
        sign_request(&mut req, &p, Payload::EMPTY).unwrap();
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

    #[test]
    fn presigns_the_s3_documentation_url() {
        // AWS S3 documentation, "Authenticating Requests: Using Query Parameters".
        let req = http::Request::get("https://examplebucket.s3.amazonaws.com/test.txt")
            .body(())
            .unwrap();
        let p = params("20130524T000000Z").settings(SigningSettings::s3());
        let uri = presign_request(&req, &p, Payload::Unsigned, 86400).unwrap();
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
            sign_request(&mut req, &p, Payload::EMPTY),
            Err(Error::InvalidHeaderValue { .. })
        ));
        let rel = http::Request::get("/x").body(()).unwrap();
        assert!(matches!(
            presign_request(&rel, &p, Payload::EMPTY, 60),
            Err(Error::InvalidUri { .. })
        ));
        let mut rel = http::Request::get("/x").body(()).unwrap();
        assert_eq!(
            sign_request(&mut rel, &p, Payload::EMPTY).unwrap_err(),
            Error::MissingHost
        );
    }
}
