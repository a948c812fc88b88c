//! Server-side verification of SigV4 signatures: recompute what the client
//! signed and compare in constant time.
//!
//! [`verify`] checks a request signed either way; [`verify_headers`] only
//! one signed with an `Authorization` header, [`verify_presigned`] only a
//! presigned URL. Each takes the request as received (with its
//! [payload](SignableRequest::payload): the body's bytes, or
//! [`Payload::Unsigned`] when the server does not hash it), a lookup from
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
//! assert_eq!(ok.access_key_id, "AKIDEXAMPLE");
//! assert!(verify(&received, |_| Some("other secret"), &options).is_err());
//! assert!(verify(&received, |_| None, &options).is_err());
//! # Ok::<(), sigv4::sign::Error>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;
use subtle::ConstantTimeEq;

use super::canonical_query::parse_query;
use super::encoding::{decoded_bytes, Input};
use super::names::{
    AUTHORIZATION, HOST, Q_ALGORITHM, Q_CREDENTIAL, Q_DATE, Q_EXPIRES, Q_SECURITY_TOKEN,
    Q_SIGNATURE, Q_SIGNED_HEADERS, X_AMZ_CONTENT_SHA256, X_AMZ_DATE, X_AMZ_SECURITY_TOKEN,
};
use super::{
    presign, sign_headers, Error, Payload, SessionTokenMode, SignableRequest, SigningParams,
    SigningSettings, SigningTime, ALGORITHM, MAX_PRESIGN_EXPIRY,
};

/// How a server verifies: its clock, the clock skew it allows, and what it
/// expects of the credential scope.
///
/// ```
/// use core::time::Duration;
/// use sigv4::sign::{SigningTime, VerifyOptions};
/// let options = VerifyOptions::new(SigningTime::from_unix_seconds(1_700_000_000)?)
///     .with_max_skew(Duration::from_secs(300))
///     .expect_region("eu-west-1")
///     .expect_service("s3");
/// assert_eq!(options.max_skew(), Duration::from_secs(300));
/// # Ok::<(), sigv4::sign::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions<'a> {
    now: SigningTime,
    max_skew: Duration,
    settings: Option<SigningSettings>,
    region: Option<&'a str>,
    service: Option<&'a str>,
}

impl<'a> VerifyOptions<'a> {
    /// The clock skew S3 allows: 15 minutes.
    pub const DEFAULT_MAX_SKEW: Duration = Duration::from_secs(900);

    /// Verification at `now`, allowing [`DEFAULT_MAX_SKEW`](Self::DEFAULT_MAX_SKEW),
    /// any region and service, and the signed service's rules.
    pub const fn new(now: SigningTime) -> Self {
        VerifyOptions {
            now,
            max_skew: Self::DEFAULT_MAX_SKEW,
            settings: None,
            region: None,
            service: None,
        }
    }

    /// How far the request's signing time may be from `now`.
    pub const fn with_max_skew(mut self, max_skew: Duration) -> Self {
        self.max_skew = max_skew;
        self
    }

    /// Uses these rules instead of [`SigningSettings::for_service`] of the
    /// signed service. Whether `x-amz-content-sha256` and the session token
    /// are signed is always read from the request.
    pub const fn with_settings(mut self, settings: SigningSettings) -> Self {
        self.settings = Some(settings);
        self
    }

    /// Accepts only signatures scoped to `region`.
    pub const fn expect_region(mut self, region: &'a str) -> Self {
        self.region = Some(region);
        self
    }

    /// Accepts only signatures scoped to `service`.
    pub const fn expect_service(mut self, service: &'a str) -> Self {
        self.service = Some(service);
        self
    }

    /// The verifier's clock.
    pub const fn now(&self) -> SigningTime {
        self.now
    }

    /// The allowed clock skew.
    pub const fn max_skew(&self) -> Duration {
        self.max_skew
    }

    fn max_skew_secs(&self) -> i64 {
        i64::try_from(self.max_skew.as_secs()).unwrap_or(i64::MAX)
    }

    /// Checks the scope against the expectations; returns the rules to use.
    fn settings_for(&self, region: &str, service: &str) -> Result<SigningSettings, Error> {
        if self.region.is_some_and(|r| r != region) {
            return Err(Error::WrongScope { part: "region" });
        }
        if self.service.is_some_and(|s| s != service) {
            return Err(Error::WrongScope { part: "service" });
        }
        Ok(self
            .settings
            .unwrap_or_else(|| SigningSettings::for_service(service)))
    }
}

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

fn header_count(req: &SignableRequest<'_>, name: &str) -> usize {
    req.headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .count()
}

fn check_skew(time: SigningTime, now: SigningTime, max_skew_secs: u64) -> Result<(), Error> {
    let diff = now.unix_seconds().abs_diff(time.unix_seconds());
    if diff > max_skew_secs {
        return Err(Error::Expired);
    }
    Ok(())
}

/// The request restricted to the signed headers, minus `skip` (those the
/// signer adds itself from the parameters).
fn signed_only<'a>(
    req: &SignableRequest<'a>,
    signed: &str,
    skip: &[&str],
) -> Result<SignableRequest<'a>, Error> {
    let mut out = req.clone();
    out.headers.clear();
    for name in signed.split(';') {
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(malformed("signed headers must be lowercase names"));
        }
        if skip.contains(&name) {
            continue;
        }
        let mut found = false;
        for &(n, v) in req.headers.iter() {
            if n.eq_ignore_ascii_case(name) {
                out.headers.push((n, v));
                found = true;
            }
        }
        if !found && name != HOST {
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
/// `req` is the request as received, its payload what the body is (see
/// the [module docs](self)). When the client signed `x-amz-content-sha256`,
/// that header's value is what was signed, and it must match the body when
/// the payload is [`Payload::Bytes`]. The signing time (`x-amz-date`) must
/// be within the allowed skew of the verifier's clock.
pub fn verify_headers<'s>(
    req: &SignableRequest<'_>,
    lookup: impl FnOnce(&str) -> Option<&'s str>,
    options: &VerifyOptions<'_>,
) -> Result<Verified, Error> {
    for (name, repeated) in [
        (AUTHORIZATION, "repeated authorization header"),
        (X_AMZ_DATE, "repeated x-amz-date header"),
        (X_AMZ_CONTENT_SHA256, "repeated x-amz-content-sha256 header"),
        (X_AMZ_SECURITY_TOKEN, "repeated x-amz-security-token header"),
    ] {
        if header_count(req, name) > 1 {
            return Err(malformed(repeated));
        }
    }
    let auth = parse_authorization(
        header_value(req, AUTHORIZATION).ok_or(malformed("no authorization header"))?,
    )?;
    let time = SigningTime::parse_amz_date(
        header_value(req, X_AMZ_DATE).ok_or(malformed("no x-amz-date header"))?,
    )?;
    if time.date_stamp() != auth.date {
        return Err(malformed("x-amz-date does not match the credential date"));
    }
    let mut settings = options.settings_for(auth.region, auth.service)?;
    check_skew(time, options.now, options.max_skew.as_secs())?;
    let signed_names = || auth.signed_headers.split(';');
    if !signed_names().any(|n| n == HOST) {
        return Err(malformed("host is not signed"));
    }
    let payload = req.payload.unwrap_or(Payload::EMPTY);
    let filtered = signed_only(
        req,
        auth.signed_headers,
        &[X_AMZ_DATE, X_AMZ_SECURITY_TOKEN, X_AMZ_CONTENT_SHA256],
    )?;
    settings.content_sha256_header = signed_names().any(|n| n == X_AMZ_CONTENT_SHA256);
    let body_hash_header = header_value(req, X_AMZ_CONTENT_SHA256);
    let filtered = match (settings.content_sha256_header, body_hash_header) {
        (true, Some(h)) => {
            // A hash in the header must be the body's (a marker such as
            // UNSIGNED-PAYLOAD says the body is not hashed).
            let stated = payload_from_header(h);
            if let (Payload::Bytes(_), Payload::Precomputed(_)) = (payload, stated) {
                if payload.resolve()?.as_str() != h {
                    return Err(Error::SignatureMismatch);
                }
            }
            filtered.payload(stated)
        }
        (true, None) => return Err(malformed("x-amz-content-sha256 is signed but missing")),
        (false, _) => filtered.payload(payload),
    };
    let token = header_value(req, X_AMZ_SECURITY_TOKEN);
    settings.session_token = if signed_names().any(|n| n == X_AMZ_SECURITY_TOKEN) {
        SessionTokenMode::Signed
    } else {
        SessionTokenMode::AppendedAfterSigning
    };
    let secret = lookup(auth.access_key_id).ok_or(Error::UnknownAccessKey)?;
    let params = SigningParams::from_keys(
        auth.access_key_id,
        secret,
        token,
        auth.region,
        auth.service,
        time,
    )
    .with_settings(settings);
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

/// Verifies a request signed either way: [`verify_headers`] when it has an
/// `Authorization` header, [`verify_presigned`] when its query has
/// `X-Amz-Signature`. A request with both, or neither, is malformed.
pub fn verify<'s>(
    req: &SignableRequest<'_>,
    lookup: impl FnOnce(&str) -> Option<&'s str>,
    options: &VerifyOptions<'_>,
) -> Result<Verified, Error> {
    let has_header = header_value(req, AUTHORIZATION).is_some();
    let has_query = parse_query(&req.query).any(|p| p.key == Q_SIGNATURE);
    match (has_header, has_query) {
        (true, false) => verify_headers(req, lookup, options),
        (false, true) => verify_presigned(req, lookup, options),
        (true, true) => Err(malformed(
            "signed both in the authorization header and in the query",
        )),
        (false, false) => Err(malformed(
            "not signed: no authorization header or X-Amz-Signature",
        )),
    }
}

fn decode(s: &str) -> Result<String, Error> {
    String::from_utf8(decoded_bytes(s, Input::Decoded).collect())
        .map_err(|_| malformed("query value is not UTF-8"))
}

/// Verifies a presigned request (signature in the `X-Amz-*` query parameters).
///
/// `req` is the request as received (its query carries the parameters), its
/// payload what was signed for the body ([`Payload::Unsigned`] for S3). The
/// URL must be used between its `X-Amz-Date` (less the allowed skew) and
/// `X-Amz-Date + X-Amz-Expires`.
pub fn verify_presigned<'s>(
    req: &SignableRequest<'_>,
    lookup: impl FnOnce(&str) -> Option<&'s str>,
    options: &VerifyOptions<'_>,
) -> Result<Verified, Error> {
    let find = |name: &str| -> Result<Option<String>, Error> {
        let mut found = None;
        for param in parse_query(&req.query).filter(|p| p.key == name) {
            if found.is_some() {
                return Err(malformed("repeated X-Amz-* parameter"));
            }
            found = Some(decode(param.value)?);
        }
        Ok(found)
    };
    let need = |v: Option<String>, what: &'static str| v.ok_or(malformed(what));
    if header_count(req, AUTHORIZATION) > 0 {
        return Err(malformed(
            "signed both in the authorization header and in the query",
        ));
    }
    // An authentication parameter may also arrive as a header only with the same value.
    for (param, conflict) in [
        (
            Q_ALGORITHM,
            "X-Amz-Algorithm header disagrees with the query",
        ),
        (
            Q_CREDENTIAL,
            "X-Amz-Credential header disagrees with the query",
        ),
        (Q_DATE, "X-Amz-Date header disagrees with the query"),
        (Q_EXPIRES, "X-Amz-Expires header disagrees with the query"),
        (
            Q_SIGNED_HEADERS,
            "X-Amz-SignedHeaders header disagrees with the query",
        ),
        (
            Q_SECURITY_TOKEN,
            "X-Amz-Security-Token header disagrees with the query",
        ),
        (
            Q_SIGNATURE,
            "X-Amz-Signature header disagrees with the query",
        ),
    ] {
        let in_query = find(param)?;
        for &(n, v) in req.headers.iter() {
            if n.eq_ignore_ascii_case(param) && in_query.as_deref().map(str::as_bytes) != Some(v) {
                return Err(malformed(conflict));
            }
        }
    }
    if need(find(Q_ALGORITHM)?, "no X-Amz-Algorithm")? != ALGORITHM {
        return Err(malformed("X-Amz-Algorithm is not AWS4-HMAC-SHA256"));
    }
    let credential = need(find(Q_CREDENTIAL)?, "no X-Amz-Credential")?;
    let (akid, date, region, service) = parse_credential(&credential)?;
    let time = SigningTime::parse_amz_date(&need(find(Q_DATE)?, "no X-Amz-Date")?)?;
    if time.date_stamp() != date {
        return Err(malformed("X-Amz-Date does not match the credential date"));
    }
    let mut settings = options.settings_for(region, service)?;
    let expires: u64 = need(find(Q_EXPIRES)?, "no X-Amz-Expires")?
        .parse()
        .map_err(|_| malformed("X-Amz-Expires is not a number"))?;
    if !(1..=MAX_PRESIGN_EXPIRY.as_secs()).contains(&expires) {
        return Err(Error::InvalidExpiry { seconds: expires });
    }
    let (start, now_s) = (time.unix_seconds(), options.now.unix_seconds());
    if now_s.saturating_add(options.max_skew_secs()) < start || now_s > start + expires as i64 {
        return Err(Error::Expired);
    }
    let signed = need(find(Q_SIGNED_HEADERS)?, "no X-Amz-SignedHeaders")?;
    if !signed.split(';').any(|n| n == HOST) {
        return Err(malformed("host is not signed"));
    }
    let signature = need(find(Q_SIGNATURE)?, "no X-Amz-Signature")?;
    let token = find(Q_SECURITY_TOKEN)?;
    // Signed headers stay as they came: the signer's rules read them.
    let filtered = signed_only(req, &signed, &[])?;
    let secret = lookup(akid).ok_or(Error::UnknownAccessKey)?;
    settings.session_token = SessionTokenMode::Signed;
    let params = SigningParams::from_keys(akid, secret, token.as_deref(), region, service, time)
        .with_settings(settings);
    let expected = presign(&filtered, &params, Duration::from_secs(expires))?;
    let expected_signed = expected
        .params()
        .find(|(k, _)| *k == Q_SIGNED_HEADERS)
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
    use crate::sign::Credentials;

    /// The verifier with the request's payload and rules given explicitly.
    fn vh<'a, 's>(
        req: &SignableRequest<'a>,
        lookup: impl FnOnce(&str) -> Option<&'s str>,
        settings: SigningSettings,
        payload: Payload<'a>,
        now: SigningTime,
        max_skew_secs: u64,
    ) -> Result<Verified, Error> {
        let options = VerifyOptions::new(now)
            .with_settings(settings)
            .with_max_skew(Duration::from_secs(max_skew_secs));
        verify_headers(&req.clone().payload(payload), lookup, &options)
    }

    /// [`vh`] for presigned requests.
    fn vp<'a, 's>(
        req: &SignableRequest<'a>,
        lookup: impl FnOnce(&str) -> Option<&'s str>,
        settings: SigningSettings,
        payload: Payload<'a>,
        now: SigningTime,
        max_skew_secs: u64,
    ) -> Result<Verified, Error> {
        let options = VerifyOptions::new(now)
            .with_settings(settings)
            .with_max_skew(Duration::from_secs(max_skew_secs));
        verify_presigned(&req.clone().payload(payload), lookup, &options)
    }
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
        let credentials =
            Credentials::new("AKIAIOSFODNN7EXAMPLE", "secret").with_session_token("tok");
        let params = SigningParams::new(&credentials, "us-east-1", "s3", now);
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
        let ok = vh(
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
        assert!(vh(
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
            vh(r, lookup, SigningSettings::s3(), p, at, 900)
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
            vh(&got, |_| None::<&str>, s3, body, now, 900),
            Err(Error::UnknownAccessKey)
        );
        assert_eq!(
            vh(&got, |_| Some("nope"), s3, body, now, 900),
            Err(Error::SignatureMismatch)
        );
    }

    #[test]
    fn presigned_urls_verify_within_their_window() {
        let now = t("20130524T000000Z");
        let credentials = Credentials::new("AKID", "secret");
        let params = SigningParams::new(&credentials, "us-east-1", "s3", now);
        let req = SignableRequest::new("GET", "https://b.s3.amazonaws.com/k?versionId=7")
            .unwrap()
            .header("x-amz-meta-a", "1")
            .payload(Payload::Unsigned);
        let p = presign(&req, &params, Duration::from_secs(60)).unwrap();
        let got = SignableRequest::new("GET", p.uri())
            .unwrap()
            .header("x-amz-meta-a", "1");
        let lookup = |_: &str| Some("secret");
        let s3 = SigningSettings::s3();
        let ok = vp(&got, lookup, s3, Payload::Unsigned, now, 900).unwrap();
        assert_eq!(ok.access_key_id, "AKID");
        assert!(vp(
            &got,
            lookup,
            s3,
            Payload::Unsigned,
            t("20130524T000100Z"),
            900
        )
        .is_ok());
        assert_eq!(
            vp(
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
            vp(
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
            vp(&other, lookup, s3, Payload::Unsigned, now, 900),
            Err(Error::SignatureMismatch)
        );
        let put = SignableRequest::new("PUT", p.uri())
            .unwrap()
            .header("x-amz-meta-a", "1");
        assert_eq!(
            vp(&put, lookup, s3, Payload::Unsigned, now, 900),
            Err(Error::SignatureMismatch)
        );
        let missing = SignableRequest::new("GET", p.uri()).unwrap();
        assert!(matches!(
            vp(&missing, lookup, s3, Payload::Unsigned, now, 900),
            Err(Error::MalformedSignature { .. })
        ));
    }

    #[test]
    fn repeated_signing_headers_are_malformed() {
        let now = t("20130524T000000Z");
        let credentials = Credentials::new("AKID", "secret").with_session_token("tok");
        let params = SigningParams::new(&credentials, "us-east-1", "s3", now);
        let req = SignableRequest::new("GET", "https://b.s3.amazonaws.com/k").unwrap();
        let signed = sign_headers(&req, &params).unwrap();
        let added: Vec<(String, String)> = signed
            .headers()
            .map(|(n, v)| (n.into(), v.into()))
            .collect();
        let got = received(&req, &added);
        let options = VerifyOptions::new(now);
        assert!(verify_headers(&got, |_| Some("secret"), &options).is_ok());
        for (name, reason) in [
            ("authorization", "repeated authorization header"),
            ("x-amz-date", "repeated x-amz-date header"),
            (
                "x-amz-content-sha256",
                "repeated x-amz-content-sha256 header",
            ),
            (
                "X-Amz-Security-Token",
                "repeated x-amz-security-token header",
            ),
        ] {
            // Even a repeat of the same value: only one may arrive.
            let value = added
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
                .unwrap();
            let twice = got.clone().header(name, value);
            assert_eq!(
                verify_headers(&twice, |_| Some("secret"), &options),
                Err(Error::MalformedSignature { reason }),
                "{name}"
            );
        }
    }

    #[test]
    fn presigned_parameters_arriving_as_other_headers_are_malformed() {
        let now = t("20130524T000000Z");
        let credentials = Credentials::new("AKID", "secret").with_session_token("tok");
        let params = SigningParams::new(&credentials, "us-east-1", "s3", now);
        let req = SignableRequest::new("GET", "https://b.s3.amazonaws.com/k")
            .unwrap()
            .payload(Payload::Unsigned);
        let p = presign(&req, &params, Duration::from_secs(60)).unwrap();
        let got = SignableRequest::new("GET", p.uri())
            .unwrap()
            .payload(Payload::Unsigned);
        let options = VerifyOptions::new(now);
        assert!(verify_presigned(&got, |_| Some("secret"), &options).is_ok());
        // The same value as a header is harmless.
        let same = got.clone().header("x-amz-date", "20130524T000000Z");
        assert!(verify_presigned(&same, |_| Some("secret"), &options).is_ok());
        for (name, value, reason) in [
            (
                "x-amz-date",
                "20130524T000001Z",
                "X-Amz-Date header disagrees with the query",
            ),
            (
                "X-Amz-Security-Token",
                "other",
                "X-Amz-Security-Token header disagrees with the query",
            ),
            (
                "x-amz-signature",
                "00",
                "X-Amz-Signature header disagrees with the query",
            ),
            (
                "x-amz-expires",
                "9",
                "X-Amz-Expires header disagrees with the query",
            ),
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=x",
                "signed both in the authorization header and in the query",
            ),
        ] {
            let conflicting = got.clone().header(name, value);
            assert_eq!(
                verify_presigned(&conflicting, |_| Some("secret"), &options),
                Err(Error::MalformedSignature { reason }),
                "{name}"
            );
        }
    }
}
