//! Server-side verification of SigV4 signatures: recompute what the client
//! signed and compare in constant time.
//!
//! [`verify_headers`] checks a request signed with an `Authorization`
//! header; [`verify_presigned`] checks a presigned URL. Both take the
//! request as received, the secret for its access key (through a lookup, so
//! unknown keys are a typed error), the service's [`SigningSettings`], what
//! the body is, and the verifier's clock. Only the headers the client listed
//! in `SignedHeaders` take part, as on AWS.
//!
//! ```
//! use sigv4::sign::verify::verify_headers;
//! use sigv4::sign::{sign_headers, Payload, SignableRequest, SigningParams, SigningSettings, SigningTime};
//!
//! let now = SigningTime::parse_amz_date("20150830T123600Z")?;
//! let params = SigningParams::new("AKIDEXAMPLE", "secret", "us-east-1", "service", now);
//! let req = SignableRequest::new("GET", "https://example.amazonaws.com/path?x=1")?;
//! let signed = sign_headers(&req, &params)?;
//!
//! // The server's view: the request with the headers the client sent.
//! let received = req.clone().headers(signed.headers());
//! let ok = verify_headers(&received, |key| (key == "AKIDEXAMPLE").then_some("secret"),
//!     SigningSettings::new(), Payload::EMPTY, now, 900)?;
//! assert_eq!(ok.access_key_id, "AKIDEXAMPLE");
//! assert!(verify_headers(&received, |_| Some("other secret"), SigningSettings::new(),
//!     Payload::EMPTY, now, 900).is_err());
//! # Ok::<(), sigv4::sign::Error>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use subtle::ConstantTimeEq;

use super::encoding::{decoded_bytes, Input};
use super::{
    presign, sign_headers, Error, Payload, SessionTokenMode, SignableRequest, SigningParams,
    SigningSettings, SigningTime, ALGORITHM, MAX_PRESIGN_EXPIRY_SECS,
};

/// The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Authorization<'a> {
    /// The access key id.
    pub access_key_id: &'a str,
    /// The scope's date, `YYYYMMDD`.
    pub date: &'a str,
    /// The scope's region.
    pub region: &'a str,
    /// The scope's service.
    pub service: &'a str,
    /// The `;`-separated signed header names.
    pub signed_headers: &'a str,
    /// The hex signature.
    pub signature: &'a str,
}

fn malformed(reason: &'static str) -> Error {
    Error::MalformedSignature { reason }
}

/// Splits `AKID/YYYYMMDD/region/service/aws4_request`.
fn parse_credential(credential: &str) -> Result<(&str, &str, &str, &str), Error> {
    let mut parts = credential.rsplitn(5, '/');
    let terminator = parts.next().ok_or(malformed("empty credential"))?;
    let service = parts.next().ok_or(malformed("credential has no service"))?;
    let region = parts.next().ok_or(malformed("credential has no region"))?;
    let date = parts.next().ok_or(malformed("credential has no date"))?;
    let akid = parts
        .next()
        .ok_or(malformed("credential has no access key id"))?;
    if terminator != "aws4_request" {
        return Err(malformed("credential scope does not end with aws4_request"));
    }
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed("credential date is not YYYYMMDD"));
    }
    if akid.is_empty() || region.is_empty() || service.is_empty() {
        return Err(malformed("empty part in the credential"));
    }
    Ok((akid, date, region, service))
}

/// Parses an `Authorization` header value.
pub fn parse_authorization(value: &str) -> Result<Authorization<'_>, Error> {
    let rest = value
        .trim()
        .strip_prefix(ALGORITHM)
        .ok_or(malformed("not an AWS4-HMAC-SHA256 authorization"))?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        let (k, v) = part
            .split_once('=')
            .ok_or(malformed("authorization part without `=`"))?;
        let slot = match k {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => return Err(malformed("unknown authorization part")),
        };
        if slot.replace(v).is_some() {
            return Err(malformed("repeated authorization part"));
        }
    }
    let (access_key_id, date, region, service) =
        parse_credential(credential.ok_or(malformed("authorization has no Credential"))?)?;
    let signed_headers = signed.ok_or(malformed("authorization has no SignedHeaders"))?;
    let signature = signature.ok_or(malformed("authorization has no Signature"))?;
    if signature.len() != 64
        || !signature
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(malformed("signature is not 64 lowercase hex digits"));
    }
    Ok(Authorization {
        access_key_id,
        date,
        region,
        service,
        signed_headers,
        signature,
    })
}

/// What a successful verification establishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The access key id that signed.
    pub access_key_id: String,
    /// The region of the scope.
    pub region: String,
    /// The service of the scope.
    pub service: String,
    /// When the request was signed.
    pub time: SigningTime,
    /// The signed header names.
    pub signed_headers: Vec<String>,
}

fn header_value<'a>(req: &SignableRequest<'a>, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .and_then(|&(_, v)| core::str::from_utf8(v).ok())
}

fn check_skew(time: SigningTime, now: SigningTime, max_skew_secs: u64) -> Result<(), Error> {
    let diff = now.unix_seconds().abs_diff(time.unix_seconds());
    if diff > max_skew_secs {
        return Err(Error::Expired);
    }
    Ok(())
}

/// The request restricted to the signed headers, minus those the signer adds itself.
fn signed_only<'a>(req: &SignableRequest<'a>, signed: &str) -> Result<SignableRequest<'a>, Error> {
    let mut out = req.clone();
    out.headers.clear();
    for name in signed.split(';') {
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(malformed("signed headers must be lowercase names"));
        }
        if matches!(
            name,
            "x-amz-date" | "x-amz-security-token" | "x-amz-content-sha256"
        ) {
            continue;
        }
        let mut found = false;
        for &(n, v) in req.headers.iter() {
            if n.eq_ignore_ascii_case(name) {
                out.headers.push((n, v));
                found = true;
            }
        }
        if !found && name != "host" {
            return Err(malformed("a signed header is missing from the request"));
        }
    }
    Ok(out)
}

fn payload_from_header(value: &str) -> Payload<'_> {
    match value {
        super::payload::UNSIGNED_PAYLOAD => Payload::Unsigned,
        super::payload::STREAMING_PAYLOAD => Payload::StreamingSigned,
        super::payload::STREAMING_PAYLOAD_TRAILER => Payload::StreamingSignedTrailer,
        super::payload::STREAMING_UNSIGNED_PAYLOAD_TRAILER => Payload::StreamingUnsignedTrailer,
        hex => Payload::Precomputed(hex),
    }
}

fn equal(a: &str, b: &str) -> bool {
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Verifies a request signed for the `Authorization` header.
///
/// `req` is the request as received; `lookup` returns the secret of an
/// access key id; `payload` is what the body is (its bytes, or
/// [`Payload::Unsigned`] when the server does not hash it). When the client
/// signed `x-amz-content-sha256`, that header's value is what was signed and
/// it must match `payload` when `payload` is [`Payload::Bytes`]. The signing
/// time (`x-amz-date`) must be within `max_skew_secs` of `now` (AWS allows 900).
pub fn verify_headers<'a, S: AsRef<str>>(
    req: &SignableRequest<'a>,
    lookup: impl FnOnce(&str) -> Option<S>,
    settings: SigningSettings,
    payload: Payload<'a>,
    now: SigningTime,
    max_skew_secs: u64,
) -> Result<Verified, Error> {
    let auth = parse_authorization(
        header_value(req, "authorization").ok_or(malformed("no authorization header"))?,
    )?;
    let time = SigningTime::parse_amz_date(
        header_value(req, "x-amz-date").ok_or(malformed("no x-amz-date header"))?,
    )?;
    if time.date_stamp() != auth.date {
        return Err(malformed("x-amz-date does not match the credential date"));
    }
    check_skew(time, now, max_skew_secs)?;
    let signed_names = || auth.signed_headers.split(';');
    if !signed_names().any(|n| n == "host") {
        return Err(malformed("host is not signed"));
    }
    let filtered = signed_only(req, auth.signed_headers)?;
    let mut settings = settings;
    settings.content_sha256_header = signed_names().any(|n| n == "x-amz-content-sha256");
    let body_hash_header = header_value(req, "x-amz-content-sha256");
    let filtered = match (settings.content_sha256_header, body_hash_header) {
        (true, Some(h)) => {
            if let Payload::Bytes(_) = payload {
                if payload.resolve()?.as_str() != h {
                    return Err(Error::SignatureMismatch);
                }
            }
            filtered.payload(payload_from_header(h))
        }
        (true, None) => return Err(malformed("x-amz-content-sha256 is signed but missing")),
        (false, _) => filtered.payload(payload),
    };
    let token = header_value(req, "x-amz-security-token");
    settings.session_token = if signed_names().any(|n| n == "x-amz-security-token") {
        SessionTokenMode::Signed
    } else {
        SessionTokenMode::AppendedAfterSigning
    };
    let secret = lookup(auth.access_key_id).ok_or(Error::UnknownAccessKey)?;
    let params = SigningParams::new(
        auth.access_key_id,
        secret.as_ref(),
        auth.region,
        auth.service,
        time,
    )
    .settings(settings)
    .session_token(token);
    let expected = sign_headers(&filtered, &params)?;
    // The recomputed list must be the client's list exactly (same headers, same order).
    let same_list = equal(expected.signed_headers(), auth.signed_headers);
    if !(equal(expected.signature(), auth.signature) & same_list) {
        return Err(Error::SignatureMismatch);
    }
    Ok(Verified {
        access_key_id: auth.access_key_id.into(),
        region: auth.region.into(),
        service: auth.service.into(),
        time,
        signed_headers: signed_names().map(String::from).collect(),
    })
}

fn decode(s: &str) -> Result<String, Error> {
    String::from_utf8(decoded_bytes(s, Input::Decoded).collect())
        .map_err(|_| malformed("query value is not UTF-8"))
}

/// Verifies a presigned request (signature in the `X-Amz-*` query parameters).
///
/// `req` is the request as received (its query carries the parameters);
/// `payload` is what was signed for the body ([`Payload::Unsigned`] for S3).
/// The URL must be used between its `X-Amz-Date` (less `max_skew_secs`) and
/// `X-Amz-Date + X-Amz-Expires`.
pub fn verify_presigned<'a, S: AsRef<str>>(
    req: &SignableRequest<'a>,
    lookup: impl FnOnce(&str) -> Option<S>,
    settings: SigningSettings,
    payload: Payload<'a>,
    now: SigningTime,
    max_skew_secs: u64,
) -> Result<Verified, Error> {
    let find = |name: &str| -> Result<Option<String>, Error> {
        let mut found = None;
        for piece in req.query.split('&') {
            let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
            if k == name {
                if found.is_some() {
                    return Err(malformed("repeated X-Amz-* parameter"));
                }
                found = Some(decode(v)?);
            }
        }
        Ok(found)
    };
    let need = |v: Option<String>, what: &'static str| v.ok_or(malformed(what));
    if need(find("X-Amz-Algorithm")?, "no X-Amz-Algorithm")? != ALGORITHM {
        return Err(malformed("X-Amz-Algorithm is not AWS4-HMAC-SHA256"));
    }
    let credential = need(find("X-Amz-Credential")?, "no X-Amz-Credential")?;
    let (akid, date, region, service) = parse_credential(&credential)?;
    let time = SigningTime::parse_amz_date(&need(find("X-Amz-Date")?, "no X-Amz-Date")?)?;
    if time.date_stamp() != date {
        return Err(malformed("X-Amz-Date does not match the credential date"));
    }
    let expires: u64 = need(find("X-Amz-Expires")?, "no X-Amz-Expires")?
        .parse()
        .map_err(|_| malformed("X-Amz-Expires is not a number"))?;
    if !(1..=MAX_PRESIGN_EXPIRY_SECS).contains(&expires) {
        return Err(Error::InvalidExpiry { seconds: expires });
    }
    let (start, now_s) = (time.unix_seconds(), now.unix_seconds());
    if now_s + (max_skew_secs as i64) < start || now_s > start + expires as i64 {
        return Err(Error::Expired);
    }
    let signed = need(find("X-Amz-SignedHeaders")?, "no X-Amz-SignedHeaders")?;
    if !signed.split(';').any(|n| n == "host") {
        return Err(malformed("host is not signed"));
    }
    let signature = need(find("X-Amz-Signature")?, "no X-Amz-Signature")?;
    let token = find("X-Amz-Security-Token")?;
    let filtered = signed_only(req, &signed)?.payload(payload);
    let secret = lookup(akid).ok_or(Error::UnknownAccessKey)?;
    let mut settings = settings;
    settings.session_token = SessionTokenMode::Signed;
    let params = SigningParams::new(akid, secret.as_ref(), region, service, time)
        .settings(settings)
        .session_token(token.as_deref());
    let expected = presign(&filtered, &params, expires)?;
    let expected_signed = expected
        .params()
        .find(|(k, _)| *k == "X-Amz-SignedHeaders")
        .map_or("", |(_, v)| v);
    let same_list = equal(expected_signed, &signed);
    if !(equal(expected.signature(), &signature) & same_list) {
        return Err(Error::SignatureMismatch);
    }
    Ok(Verified {
        access_key_id: akid.into(),
        region: region.into(),
        service: service.into(),
        time,
        signed_headers: signed.split(';').map(String::from).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::SigningSettings;

    fn t(s: &str) -> SigningTime {
        SigningTime::parse_amz_date(s).unwrap()
    }

    fn received<'a, 'b: 'a>(
        req: &SignableRequest<'b>,
        added: &'a [(String, String)],
    ) -> SignableRequest<'a> {
        let copy: SignableRequest<'a> = req.clone();
        copy.headers(added.iter().map(|(n, v)| (n.as_str(), v.as_str())))
    }

    #[test]
    fn parses_authorization() {
        let a = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, \
             Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        )
        .unwrap();
        assert_eq!(
            (a.access_key_id, a.date, a.region, a.service),
            ("AKID", "20150830", "us-east-1", "iam")
        );
        assert_eq!(a.signed_headers, "content-type;host;x-amz-date");
        for bad in [
            "",
            "AWS4-HMAC-SHA1 Credential=a/20150830/r/s/aws4_request, SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 Credential=a/2015/r/s/aws4_request, SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 Credential=a/20150830/r/s/aws4, SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 Credential=a/20150830/r/s/aws4_request, SignedHeaders=host",
            "AWS4-HMAC-SHA256 Credential=a/20150830/r/s/aws4_request, SignedHeaders=host, Signature=XYZ",
            "AWS4-HMAC-SHA256 Credential=a/20150830/r/s/aws4_request, Credential=b, SignedHeaders=host, Signature=00",
        ] {
            assert!(parse_authorization(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn header_signatures_verify_and_tampering_fails() {
        let now = t("20130524T000000Z");
        let params = SigningParams::new("AKIAIOSFODNN7EXAMPLE", "secret", "us-east-1", "s3", now)
            .settings(SigningSettings::s3())
            .session_token(Some("tok"));
        let req = SignableRequest::new("PUT", "https://b.s3.amazonaws.com/a%20b?x=1")
            .unwrap()
            .header("content-type", "text/plain")
            .header("user-agent", "not signed")
            .payload(Payload::Bytes(b"body"));
        let signed = sign_headers(&req, &params).unwrap();
        let added: Vec<(String, String)> = signed
            .headers()
            .map(|(n, v)| (n.into(), v.into()))
            .collect();
        fn lookup(k: &str) -> Option<&'static str> {
            (k == "AKIAIOSFODNN7EXAMPLE").then_some("secret")
        }
        let got = received(&req, &added);
        let ok = verify_headers(
            &got,
            lookup,
            SigningSettings::s3(),
            Payload::Bytes(b"body"),
            now,
            900,
        )
        .unwrap();
        assert_eq!(
            ok.signed_headers,
            [
                "content-type",
                "host",
                "x-amz-content-sha256",
                "x-amz-date",
                "x-amz-security-token"
            ]
        );
        // An unsigned header may change.
        let ua = received(&req, &added).header("user-agent", "changed");
        assert!(verify_headers(
            &ua,
            lookup,
            SigningSettings::s3(),
            Payload::Bytes(b"body"),
            now,
            900
        )
        .is_ok());

        let s3 = SigningSettings::s3();
        let body = Payload::Bytes(b"body");
        fn check<'a>(
            r: &SignableRequest<'a>,
            p: Payload<'a>,
            at: SigningTime,
        ) -> Result<Verified, Error> {
            verify_headers(r, lookup, SigningSettings::s3(), p, at, 900)
        }
        // Another body.
        assert_eq!(
            check(&got, Payload::Bytes(b"other"), now),
            Err(Error::SignatureMismatch)
        );
        // Another signed header value.
        let mut changed = got.clone();
        for h in changed.headers.iter_mut() {
            if h.0 == "content-type" {
                h.1 = b"text/html";
            }
        }
        assert_eq!(check(&changed, body, now), Err(Error::SignatureMismatch));
        // Another path or query.
        let mut moved = got.clone();
        moved.path = "/a%20c".into();
        assert_eq!(check(&moved, body, now), Err(Error::SignatureMismatch));
        let mut q = got.clone();
        q.query = "x=2".into();
        assert_eq!(check(&q, body, now), Err(Error::SignatureMismatch));
        // Too late, unknown key, wrong secret.
        assert_eq!(
            check(&got, body, t("20130524T001501Z")),
            Err(Error::Expired)
        );
        assert!(check(&got, body, t("20130524T001500Z")).is_ok());
        assert_eq!(
            verify_headers(&got, |_| None::<&str>, s3, body, now, 900),
            Err(Error::UnknownAccessKey)
        );
        assert_eq!(
            verify_headers(&got, |_| Some("nope"), s3, body, now, 900),
            Err(Error::SignatureMismatch)
        );
    }

    #[test]
    fn presigned_urls_verify_within_their_window() {
        let now = t("20130524T000000Z");
        let params = SigningParams::new("AKID", "secret", "us-east-1", "s3", now)
            .settings(SigningSettings::s3());
        let req = SignableRequest::new("GET", "https://b.s3.amazonaws.com/k?versionId=7")
            .unwrap()
            .header("x-amz-meta-a", "1")
            .payload(Payload::Unsigned);
        let p = presign(&req, &params, 60).unwrap();
        let got = SignableRequest::new("GET", p.uri())
            .unwrap()
            .header("x-amz-meta-a", "1");
        let lookup = |_: &str| Some("secret");
        let s3 = SigningSettings::s3();
        let ok = verify_presigned(&got, lookup, s3, Payload::Unsigned, now, 900).unwrap();
        assert_eq!(ok.access_key_id, "AKID");
        assert!(verify_presigned(
            &got,
            lookup,
            s3,
            Payload::Unsigned,
            t("20130524T000100Z"),
            900
        )
        .is_ok());
        assert_eq!(
            verify_presigned(
                &got,
                lookup,
                s3,
                Payload::Unsigned,
                t("20130524T000101Z"),
                900
            ),
            Err(Error::Expired)
        );
        assert_eq!(
            verify_presigned(
                &got,
                lookup,
                s3,
                Payload::Unsigned,
                t("20130523T234459Z"),
                900
            ),
            Err(Error::Expired)
        );
        let other = SignableRequest::new("GET", p.uri())
            .unwrap()
            .header("x-amz-meta-a", "2");
        assert_eq!(
            verify_presigned(&other, lookup, s3, Payload::Unsigned, now, 900),
            Err(Error::SignatureMismatch)
        );
        let put = SignableRequest::new("PUT", p.uri())
            .unwrap()
            .header("x-amz-meta-a", "1");
        assert_eq!(
            verify_presigned(&put, lookup, s3, Payload::Unsigned, now, 900),
            Err(Error::SignatureMismatch)
        );
        let missing = SignableRequest::new("GET", p.uri()).unwrap();
        assert!(matches!(
            verify_presigned(&missing, lookup, s3, Payload::Unsigned, now, 900),
            Err(Error::MalformedSignature { .. })
        ));
    }
}
