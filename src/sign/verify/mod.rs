//! Server-side verification of SigV4 signatures: recompute what the client
//! signed and compare in constant time.
//!
//! [`verify`] checks a request signed either way; [`verify_headers`] only
//! one signed with an `Authorization` header, [`verify_presigned`] only a
//! presigned URL. Each takes the request as received (with its
//! [payload](SignableRequest::payload): the body's bytes, or
//! [`Payload::Unsigned`](super::Payload::Unsigned) when the server does not hash it), a lookup from
//! access key id to secret (unknown keys are a typed error), and
//! [`VerifyOptions`]: the verifier's clock, the allowed clock skew, and
//! optionally the region and service the server accepts. The signing rules
//! default to those of the service named in the signature's scope. Only the
//! headers the client listed in `SignedHeaders` take part, as on AWS.
//!
//! ```
//! use sigv4::sign::{sign_headers, verify, SignableRequest, SigningParams, SigningTime, VerifyOptions};
//! use sigv4::Credentials;
//!
//! let now = SigningTime::parse_amz_date("20150830T123600Z")?;
//! let credentials = Credentials::new("AKIDEXAMPLE", "secret");
//! let req = SignableRequest::new("GET", "https://example.amazonaws.com/path?x=1")?;
//! let signed = sign_headers(&req, &SigningParams::new(&credentials, "us-east-1", "service", now))?;
//!
//! // The server's view: the request with the headers the client sent.
//! let received = req.clone().headers(signed.headers());
//! let options = VerifyOptions::new(now).expect_region("us-east-1");
//! let ok = verify(&received, |key| (key == "AKIDEXAMPLE").then_some("secret"), &options)?;
//! assert_eq!(ok.access_key_id(), "AKIDEXAMPLE");
//! assert!(verify(&received, |_| Some("other secret"), &options).is_err());
//! assert!(verify(&received, |_| None, &options).is_err());
//! # Ok::<(), sigv4::sign::Error>(())
//! ```

mod authorization;
#[cfg(feature = "std")]
pub mod body;
mod canonical_from_list;
pub mod chunked;
mod header;
mod options;
mod presigned;
mod rejection;
mod signed_list;
#[cfg(feature = "sigv4a")]
mod v4a;

pub use authorization::{parse_authorization, Authorization};
#[cfg(feature = "std")]
pub use body::{BodyError, BodyPolicy, BodyVerifier};
pub use chunked::{
    ChunkedDecoder, ChunkedError, ChunkedFraming, ChunkedLimits, ChunkedStep, VerifyChunks,
};
pub use header::verify_headers;
pub use options::VerifyOptions;
pub use presigned::verify_presigned;
pub use rejection::Rejection;
pub(super) use signed_list::{signed_headers_into, signed_only};
#[cfg(feature = "sigv4a")]
#[cfg_attr(docsrs, doc(cfg(feature = "sigv4a")))]
pub use v4a::{
    parse_authorization as parse_authorization_v4a, verify_headers as verify_headers_v4a,
    verify_presigned as verify_presigned_v4a, Authorization as AuthorizationV4a,
};

use alloc::string::String;

use super::canonical_query::parse_query;
use super::names::{AUTHORIZATION, Q_SIGNATURE};
use super::{Error, SignableRequest, SigningTime};

/// What a successful verification establishes: who signed, for which
/// scope, when, and which headers the signature covers.
///
/// Held in one allocation (the verifier's only one besides the canonical
/// request it recomputes).
#[derive(Clone, PartialEq, Eq)]
pub struct Verified {
    /// `access key id`, region, service, the signed headers list and the
    /// signature, back to back.
    text: String,
    /// Where the region, the service, the signed headers list and the
    /// signature start in `text`.
    ends: [usize; 4],
    time: SigningTime,
    kind: Kind,
}

/// How a verified request was signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Kind {
    pub(crate) presigned: bool,
    pub(crate) sigv4a: bool,
}

impl Verified {
    /// The result, written into `text` (cleared first): a verifier hands
    /// over the canonical request's buffer, done with, and saves an
    /// allocation (or passes `String::new()`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        mut text: String,
        access_key_id: &str,
        region: &str,
        service: &str,
        time: SigningTime,
        signed_headers: &str,
        signature: &str,
        kind: Kind,
    ) -> Self {
        text.clear();
        text.reserve(
            access_key_id.len()
                + region.len()
                + service.len()
                + signed_headers.len()
                + signature.len(),
        );
        let mut ends = [0; 4];
        for (i, part) in [access_key_id, region, service, signed_headers]
            .into_iter()
            .enumerate()
        {
            text.push_str(part);
            ends[i] = text.len();
        }
        text.push_str(signature);
        Verified {
            text,
            ends,
            time,
            kind,
        }
    }

    /// Whether the signature was in the query (a presigned URL).
    pub fn is_presigned(&self) -> bool {
        self.kind.presigned
    }

    /// Whether the signature is SigV4a's (ECDSA P-256).
    pub fn is_sigv4a(&self) -> bool {
        self.kind.sigv4a
    }

    /// The access key id that signed.
    pub fn access_key_id(&self) -> &str {
        &self.text[..self.ends[0]]
    }

    /// The region of the scope; for SigV4a, the signed region set (`*` or
    /// `r1,r2,...`).
    pub fn region(&self) -> &str {
        &self.text[self.ends[0]..self.ends[1]]
    }

    /// The service of the scope.
    pub fn service(&self) -> &str {
        &self.text[self.ends[1]..self.ends[2]]
    }

    /// When the request was signed.
    pub fn time(&self) -> SigningTime {
        self.time
    }

    /// The signed headers list as sent (`host;x-amz-date`).
    pub fn signed_headers_list(&self) -> &str {
        &self.text[self.ends[2]..self.ends[3]]
    }

    /// The request's signature as sent: the seed of an aws-chunked body's
    /// chunk signatures.
    pub fn signature(&self) -> &str {
        &self.text[self.ends[3]..]
    }

    /// The signed header names.
    pub fn signed_headers(&self) -> impl Iterator<Item = &str> + '_ {
        self.signed_headers_list().split(';')
    }
}

impl core::fmt::Debug for Verified {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Verified")
            .field("access_key_id", &self.access_key_id())
            .field("region", &self.region())
            .field("service", &self.service())
            .field("time", &self.time)
            .field("signed_headers", &self.signed_headers_list())
            .field("presigned", &self.kind.presigned)
            .field("sigv4a", &self.kind.sigv4a)
            .finish()
    }
}

/// Verifies a request signed either way: [`verify_headers`] when it has an
/// `Authorization` header, [`verify_presigned`] when its query has
/// `X-Amz-Signature`. A request with both, or neither, is malformed.
///
/// With the `sigv4a` feature, SigV4a requests (algorithm
/// `AWS4-ECDSA-P256-SHA256`) go to [`verify_headers_v4a`] and
/// [`verify_presigned_v4a`].
pub fn verify<'s>(
    req: &SignableRequest<'_>,
    lookup: impl FnOnce(&str) -> Option<&'s str>,
    options: &VerifyOptions<'_>,
) -> Result<Verified, Error> {
    verify_detailed(req, lookup, options).map_err(Rejection::into_error)
}

/// [`verify`], for servers that answer clients: a [`Rejection`] carries S3's
/// error code and status, and for a signature mismatch the canonical
/// request and string to sign the server computed (what S3 puts in its
/// `SignatureDoesNotMatch` body). Signature mismatches cost the strings'
/// allocation; accepted requests cost nothing more than with [`verify`].
///
/// ```
/// use sigv4::sign::{sign_headers, verify::verify_detailed, SignableRequest, SigningParams, SigningTime, VerifyOptions};
/// use sigv4::Credentials;
///
/// let now = SigningTime::parse_amz_date("20150830T123600Z")?;
/// let credentials = Credentials::new("AKIDEXAMPLE", "secret");
/// let req = SignableRequest::new("GET", "https://example.amazonaws.com/path")?;
/// let signed = sign_headers(&req, &SigningParams::new(&credentials, "us-east-1", "service", now))?;
/// let received = req.clone().headers(signed.headers());
///
/// let refused = verify_detailed(&received, |_| Some("not the secret"), &VerifyOptions::new(now)).unwrap_err();
/// assert_eq!((refused.status(), refused.s3_code()), (403, "SignatureDoesNotMatch"));
/// assert!(refused.canonical_request().unwrap().starts_with("GET\n/path\n"));
/// assert!(refused.string_to_sign().unwrap().starts_with("AWS4-HMAC-SHA256\n20150830T123600Z\n"));
/// # Ok::<(), sigv4::sign::Error>(())
/// ```
pub fn verify_detailed<'s>(
    req: &SignableRequest<'_>,
    lookup: impl FnOnce(&str) -> Option<&'s str>,
    options: &VerifyOptions<'_>,
) -> Result<Verified, Rejection> {
    let authorization = header_value(req, AUTHORIZATION);
    let has_query = parse_query(&req.query).any(|p| p.key == Q_SIGNATURE);
    match (authorization, has_query) {
        (Some(_), true) => {
            Err(malformed("signed both in the authorization header and in the query").into())
        }
        (None, false) => Err(Error::NotSigned.into()),
        #[cfg(feature = "sigv4a")]
        (Some(value), false) if v4a::is_v4a_authorization(value) => {
            v4a::verify_headers_detailed(req, lookup, options)
        }
        (Some(_), false) => header::verify_headers_detailed(req, lookup, options),
        #[cfg(feature = "sigv4a")]
        (None, true)
            if parse_query(&req.query).any(|p| {
                p.key == super::names::Q_ALGORITHM && p.value == super::v4a::ALGORITHM
            }) =>
        {
            v4a::verify_presigned_detailed(req, lookup, options)
        }
        (None, true) => presigned::verify_presigned_detailed(req, lookup, options),
    }
}

/// The access key id a request is signed with (from its `Authorization`
/// header or its `X-Amz-Credential` parameter, SigV4 or SigV4a), before it
/// is verified: what a server looks the secret up by, when that lookup is
/// asynchronous.
pub fn access_key_id(req: &SignableRequest<'_>) -> Result<String, Error> {
    if let Some(value) = header_value(req, AUTHORIZATION) {
        #[cfg(feature = "sigv4a")]
        if v4a::is_v4a_authorization(value) {
            return Ok(String::from(parse_authorization_v4a(value)?.access_key_id));
        }
        return Ok(String::from(parse_authorization(value)?.access_key_id));
    }
    let credential =
        unique_query_param(req, super::names::Q_CREDENTIAL)?.ok_or(Error::NotSigned)?;
    match credential.split_once('/') {
        Some((akid, _)) if !akid.is_empty() => Ok(String::from(akid)),
        _ => Err(malformed("X-Amz-Credential has no access key id")),
    }
}

/// The session token a request carries (`x-amz-security-token` header or
/// `X-Amz-Security-Token` parameter), for a secret lookup that checks it.
pub fn session_token(req: &SignableRequest<'_>) -> Result<Option<String>, Error> {
    if let Some(token) = header_value(req, super::names::X_AMZ_SECURITY_TOKEN) {
        return Ok(Some(String::from(token)));
    }
    unique_query_param(req, super::names::Q_SECURITY_TOKEN)
}

pub(super) fn header_value<'a>(req: &SignableRequest<'a>, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .and_then(|&(_, v)| core::str::from_utf8(v).ok())
}

/// The decoded value of the query parameter `name`, if the query has it;
/// a repeated one is malformed.
pub(super) fn unique_query_param(
    req: &SignableRequest<'_>,
    name: &str,
) -> Result<Option<String>, Error> {
    let mut found = None;
    for param in parse_query(&req.query).filter(|p| p.key == name) {
        if found.is_some() {
            return Err(malformed("repeated X-Amz-* parameter"));
        }
        let bytes = super::encoding::decoded_bytes(param.value, super::encoding::Input::Decoded);
        found = Some(
            String::from_utf8(bytes.collect())
                .map_err(|_| malformed("query value is not UTF-8"))?,
        );
    }
    Ok(found)
}

pub(super) fn header_count(req: &SignableRequest<'_>, name: &str) -> usize {
    req.headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .count()
}

pub(super) fn equal(a: &str, b: &str) -> bool {
    equal_bytes(a.as_bytes(), b.as_bytes())
}

pub(super) fn equal_bytes(a: &[u8], b: &[u8]) -> bool {
    crate::sign::constant_time::ct_eq(a, b)
}

pub(super) fn malformed(reason: &'static str) -> Error {
    Error::MalformedSignature { reason }
}

#[cfg(test)]
mod test_support {
    use super::*;
    pub(super) use crate::sign::{Credentials, Payload, SigningSettings};
    pub(super) use core::time::Duration;

    /// Options for `now` with these rules and skew (the tests' shorthand).
    fn options(settings: SigningSettings, now: SigningTime, skew: u64) -> VerifyOptions<'static> {
        VerifyOptions::new(now)
            .with_settings(settings)
            .with_max_skew(Duration::from_secs(skew))
    }

    /// [`verify_headers`] with the request's payload and rules given explicitly.
    pub(super) fn vh<'a, 's>(
        req: &SignableRequest<'a>,
        lookup: impl FnOnce(&str) -> Option<&'s str>,
        settings: SigningSettings,
        payload: Payload<'a>,
        now: SigningTime,
        skew: u64,
    ) -> Result<Verified, Error> {
        let req = req.clone().payload(payload);
        verify_headers(&req, lookup, &options(settings, now, skew))
    }

    /// [`verify_presigned`] with the request's payload and rules given explicitly.
    pub(super) fn vp<'a, 's>(
        req: &SignableRequest<'a>,
        lookup: impl FnOnce(&str) -> Option<&'s str>,
        settings: SigningSettings,
        payload: Payload<'a>,
        now: SigningTime,
        skew: u64,
    ) -> Result<Verified, Error> {
        let req = req.clone().payload(payload);
        verify_presigned(&req, lookup, &options(settings, now, skew))
    }

    pub(super) fn t(s: &str) -> SigningTime {
        SigningTime::parse_amz_date(s).unwrap()
    }

    pub(super) fn received<'a, 'b: 'a>(
        req: &SignableRequest<'b>,
        added: &'a [(String, String)],
    ) -> SignableRequest<'a> {
        let copy: SignableRequest<'a> = req.clone();
        copy.headers(added.iter().map(|(n, v)| (n.as_str(), v.as_str())))
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;
    use crate::sign::{presign, sign_headers, SigningParams};

    #[test]
    fn the_key_and_token_are_read_before_verifying() {
        let now = t("20130524T000000Z");
        let creds = Credentials::new("AKIDHEADER", "secret").with_session_token("tok+/=");
        let params = SigningParams::new(&creds, "us-east-1", "s3", now);
        let req = SignableRequest::new("GET", "https://b.s3.amazonaws.com/k").unwrap();
        let signed = sign_headers(&req, &params).unwrap();
        let got = req.clone().headers(signed.headers());
        assert_eq!(access_key_id(&got).unwrap(), "AKIDHEADER");
        assert_eq!(session_token(&got).unwrap().as_deref(), Some("tok+/="));

        let creds = Credentials::new("AKIDQUERY", "secret").with_session_token("q tok");
        let params = SigningParams::new(&creds, "us-east-1", "s3", now);
        let p = presign(&req, &params, Duration::from_secs(60)).unwrap();
        let got = SignableRequest::new("GET", p.uri()).unwrap();
        assert_eq!(access_key_id(&got).unwrap(), "AKIDQUERY");
        assert_eq!(session_token(&got).unwrap().as_deref(), Some("q tok"));

        assert_eq!(access_key_id(&req), Err(Error::NotSigned));
        let no_key = SignableRequest::new(
            "GET",
            "https://b.s3.amazonaws.com/k?X-Amz-Credential=%2F20130524%2Fus-east-1%2Fs3%2Faws4_request",
        )
        .unwrap();
        assert_eq!(
            access_key_id(&no_key),
            Err(malformed("X-Amz-Credential has no access key id"))
        );
        assert_eq!(session_token(&req), Ok(None));
    }

    #[test]
    fn detailed_rejections_carry_the_server_side_strings() {
        let now = t("20130524T000000Z");
        let creds = Credentials::new("AKID", "secret");
        let params = SigningParams::new(&creds, "us-east-1", "s3", now);
        let req = SignableRequest::new("PUT", "https://b.s3.amazonaws.com/k")
            .unwrap()
            .payload(Payload::Unsigned);
        let options = VerifyOptions::new(now);

        // Header-signed, wrong secret: the strings are the signer's own.
        let signed = sign_headers(&req, &params).unwrap();
        let got = req.clone().headers(signed.headers());
        let r = verify_detailed(&got, |_| Some("wrong"), &options).unwrap_err();
        assert_eq!(r.error(), &Error::SignatureMismatch);
        assert_eq!(r.canonical_request(), Some(signed.canonical_request()));
        assert_eq!(r.string_to_sign(), Some(signed.string_to_sign().as_str()));
        assert!(verify_detailed(&got, |_| Some("secret"), &options).is_ok());

        // Presigned: the same, and S3's query codes for other failures.
        let p = presign(&req, &params, Duration::from_secs(60)).unwrap();
        let got = SignableRequest::new("PUT", p.uri())
            .unwrap()
            .payload(Payload::Unsigned);
        let r = verify_detailed(&got, |_| Some("wrong"), &options).unwrap_err();
        assert_eq!(r.canonical_request(), Some(p.canonical_request()));
        assert_eq!(r.string_to_sign(), Some(p.string_to_sign().as_str()));
        assert_eq!((r.status(), r.s3_code()), (403, "SignatureDoesNotMatch"));
        let elsewhere = VerifyOptions::new(now).expect_region("eu-west-1");
        let r = verify_detailed(&got, |_| Some("secret"), &elsewhere).unwrap_err();
        assert_eq!(r.s3_code(), "AuthorizationQueryParametersError");
        let late = VerifyOptions::new(t("20130524T000200Z"));
        let r = verify_detailed(&got, |_| Some("secret"), &late).unwrap_err();
        assert_eq!((r.status(), r.s3_code()), (403, "AccessDenied"));
        // Not a mismatch: no strings.
        assert_eq!(r.canonical_request(), None);
    }

    #[cfg(feature = "sigv4a")]
    #[test]
    fn sigv4a_rejections_carry_the_server_side_strings_too() {
        use crate::sign::v4a;
        let now = t("20130524T000000Z");
        let creds = Credentials::new("AKID", "secret");
        let params = v4a::SigningParams::new(&creds, "*", "s3", now);
        let req = SignableRequest::new("GET", "https://b.s3.amazonaws.com/k")
            .unwrap()
            .payload(Payload::Unsigned);
        let signed = v4a::sign_headers(&req, &params).unwrap();
        let got = req.clone().headers(signed.headers());
        assert_eq!(access_key_id(&got).unwrap(), "AKID");
        let options = VerifyOptions::new(now);
        let r = verify_detailed(&got, |_| Some("wrong"), &options).unwrap_err();
        assert_eq!(r.s3_code(), "SignatureDoesNotMatch");
        assert_eq!(r.canonical_request(), Some(signed.canonical_request()));
        let ok = verify_detailed(&got, |_| Some("secret"), &options).unwrap();
        assert_eq!(ok.signature().len(), signed.signature().len());
        assert_eq!(ok.signature(), signed.signature());

        let p = v4a::presign(&req, &params, Duration::from_secs(60)).unwrap();
        let got = SignableRequest::new("GET", p.uri())
            .unwrap()
            .payload(Payload::Unsigned);
        assert_eq!(access_key_id(&got).unwrap(), "AKID");
        let r = verify_detailed(&got, |_| Some("wrong"), &options).unwrap_err();
        assert_eq!(r.canonical_request(), Some(p.canonical_request()));
        assert_eq!(r.string_to_sign(), Some(p.string_to_sign().as_str()));
    }
}

#[cfg(test)]
mod amz_headers_tests {
    use super::test_support::*;
    use super::*;
    use crate::sign::{presign, sign_headers, SigningParams};

    #[test]
    fn unsigned_amz_headers_are_refused_when_required() {
        let now = t("20130524T000000Z");
        let creds = Credentials::new("AKID", "secret");
        let params = SigningParams::new(&creds, "us-east-1", "s3", now);
        let req = SignableRequest::new("PUT", "https://b.s3.amazonaws.com/k")
            .unwrap()
            .header("x-amz-meta-signed", "1")
            .payload(Payload::Unsigned);
        let strict = VerifyOptions::new(now).require_signed_amz_headers(true);
        let lenient = VerifyOptions::new(now);
        let lookup = |_: &str| Some("secret");

        let signed = sign_headers(&req, &params).unwrap();
        let got = req.clone().headers(signed.headers());
        assert!(verify(&got, lookup, &strict).is_ok());
        let added = got.clone().header("X-Amz-Meta-Added", "2");
        assert!(verify(&added, lookup, &lenient).is_ok());
        let r = verify_detailed(&added, lookup, &strict).unwrap_err();
        assert_eq!(
            r.error(),
            &Error::HeaderNotSigned {
                name: "x-amz-meta-added".into()
            }
        );
        assert_eq!((r.status(), r.s3_code()), (403, "AccessDenied"));
        // Other headers may be added unsigned.
        assert!(verify(&got.clone().header("user-agent", "x"), lookup, &strict).is_ok());

        let p = presign(&req, &params, Duration::from_secs(60)).unwrap();
        let got = SignableRequest::new("PUT", p.uri())
            .unwrap()
            .header("x-amz-meta-signed", "1")
            .payload(Payload::Unsigned);
        assert!(verify(&got, lookup, &strict).is_ok());
        let added = got.header("x-amz-acl", "public-read");
        assert_eq!(
            verify(&added, lookup, &strict),
            Err(Error::HeaderNotSigned {
                name: "x-amz-acl".into()
            })
        );
    }
}
