//! Verification of presigned requests (the signature in `X-Amz-*` query parameters).

use alloc::string::String;
use core::time::Duration;

use super::authorization::parse_credential;
use super::rejection::{with_details, Rejection, Signed};
use super::{
    equal, header_count, malformed, signed_only, unique_query_param, Verified, VerifyOptions,
};
use crate::sign::names::{
    AUTHORIZATION, HOST, Q_ALGORITHM, Q_CREDENTIAL, Q_DATE, Q_EXPIRES, Q_SECURITY_TOKEN,
    Q_SIGNATURE, Q_SIGNED_HEADERS,
};
use crate::sign::{
    presign, Error, SignableRequest, SigningParams, SigningTime, ALGORITHM, MAX_PRESIGN_EXPIRY,
};

/// Verifies a presigned request (signature in the `X-Amz-*` query parameters).
///
/// `req` is the request as received (its query carries the parameters), its
/// payload what was signed for the body ([`Payload::Unsigned`](crate::sign::Payload::Unsigned) for S3). The
/// URL must be used between its `X-Amz-Date` (less the allowed skew) and
/// `X-Amz-Date + X-Amz-Expires`.
pub fn verify_presigned<'s>(
    req: &SignableRequest<'_>,
    lookup: impl FnOnce(&str) -> Option<&'s str>,
    options: &VerifyOptions<'_>,
) -> Result<Verified, Error> {
    checked(req, lookup, options, &mut None)
}

/// [`verify_presigned`], reporting a signature mismatch with the strings
/// the server signed, and S3's codes for presigned requests.
pub(super) fn verify_presigned_detailed<'s>(
    req: &SignableRequest<'_>,
    lookup: impl FnOnce(&str) -> Option<&'s str>,
    options: &VerifyOptions<'_>,
) -> Result<Verified, Rejection> {
    with_details(|signed| checked(req, lookup, options, signed)).map_err(Rejection::in_query)
}

fn checked<'s>(
    req: &SignableRequest<'_>,
    lookup: impl FnOnce(&str) -> Option<&'s str>,
    options: &VerifyOptions<'_>,
    mismatch: &mut Signed,
) -> Result<Verified, Error> {
    let find = |name: &str| unique_query_param(req, name);
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
    let settings = options.settings_for(region, service)?;
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
    options.check_amz_signed(req, &signed)?;
    let filtered = signed_only(req, &signed, &[])?;
    let secret = lookup(akid).ok_or(Error::UnknownAccessKey)?;
    // Whether `X-Amz-Security-Token` is part of the signature is the
    // service's rule (the settings): the query looks the same either way.
    let params = SigningParams::from_keys(
        akid,
        secret,
        token.as_deref(),
        region,
        service,
        time,
        settings,
    );
    let expected = presign(&filtered, &params, Duration::from_secs(expires))?;
    let expected_signed = expected
        .params()
        .find(|(k, _)| *k == Q_SIGNED_HEADERS)
        .map_or("", |(_, v)| v);
    let same_list = equal(expected_signed, &signed);
    if !(equal(expected.signature(), &signature) & same_list) {
        *mismatch = Some((
            String::from(expected.canonical_request()),
            expected.string_to_sign(),
        ));
        return Err(Error::SignatureMismatch);
    }
    let kind = super::Kind {
        presigned: true,
        sigv4a: false,
    };
    Ok(Verified::new(
        String::new(),
        akid,
        region,
        service,
        time,
        &signed,
        &signature,
        kind,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    #[allow(unused_imports)] // the prelude's names, for the no_std build of the tests
    use alloc::{format, string::ToString, vec, vec::Vec};

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
        assert_eq!(ok.access_key_id(), "AKID");
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

    /// A presigned URL tampered with, one way at a time: each refusal has
    /// its exact error.
    #[test]
    fn tampered_presigned_urls_are_refused_with_their_error() {
        let now = t("20130524T000000Z");
        let credentials = Credentials::new("AKID", "secret");
        let params = SigningParams::new(&credentials, "us-east-1", "s3", now);
        let req = SignableRequest::new("GET", "https://b.s3.amazonaws.com/photos/cat.jpg")
            .unwrap()
            .payload(Payload::Unsigned);
        let url = presign(&req, &params, Duration::from_secs(600))
            .unwrap()
            .uri()
            .to_string();
        let verify_url = |u: &str| {
            let got = SignableRequest::new("GET", u)
                .unwrap()
                .payload(Payload::Unsigned);
            verify_presigned(&got, |_| Some("secret"), &VerifyOptions::new(now))
        };
        assert!(verify_url(&url).is_ok());
        let malformed = |reason| Err(Error::MalformedSignature { reason });
        let replace_param = |name: &str, value: &str| -> String {
            let (base, query) = url.split_once('?').unwrap();
            let q: Vec<String> = query
                .split('&')
                .map(|p| match p.split_once('=') {
                    Some((k, _)) if k == name => format!("{k}={value}"),
                    _ => p.to_string(),
                })
                .collect();
            format!("{base}?{}", q.join("&"))
        };
        let sig = url.rsplit("X-Amz-Signature=").next().unwrap();
        let flipped = format!(
            "{}{}",
            if sig.starts_with('0') { "1" } else { "0" },
            &sig[1..]
        );
        for (what, tampered, want) in [
            (
                "signature",
                replace_param("X-Amz-Signature", &flipped),
                Err(Error::SignatureMismatch),
            ),
            (
                "longer expiry",
                replace_param("X-Amz-Expires", "601"),
                Err(Error::SignatureMismatch),
            ),
            (
                "later date",
                replace_param("X-Amz-Date", "20130524T000001Z"),
                Err(Error::SignatureMismatch),
            ),
            (
                "another day",
                replace_param("X-Amz-Date", "20130525T000000Z"),
                malformed("X-Amz-Date does not match the credential date"),
            ),
            (
                "object key",
                url.replace("/photos/cat.jpg", "/photos/dog.jpg"),
                Err(Error::SignatureMismatch),
            ),
            (
                "added parameter",
                url.replacen('?', "?versionId=1&", 1),
                Err(Error::SignatureMismatch),
            ),
            (
                "repeated parameter",
                format!("{url}&X-Amz-Signature={flipped}"),
                malformed("repeated X-Amz-* parameter"),
            ),
            (
                "non-numeric expiry",
                replace_param("X-Amz-Expires", "ten"),
                malformed("X-Amz-Expires is not a number"),
            ),
            (
                "expiry over 7 days",
                replace_param("X-Amz-Expires", "604801"),
                Err(Error::InvalidExpiry { seconds: 604_801 }),
            ),
            (
                "zero expiry",
                replace_param("X-Amz-Expires", "0"),
                Err(Error::InvalidExpiry { seconds: 0 }),
            ),
            (
                "other algorithm",
                replace_param("X-Amz-Algorithm", "AWS4-HMAC-SHA1"),
                malformed("X-Amz-Algorithm is not AWS4-HMAC-SHA256"),
            ),
            (
                "host unsigned",
                replace_param("X-Amz-SignedHeaders", "x-amz-date"),
                malformed("host is not signed"),
            ),
        ] {
            assert_ne!(tampered, url, "{what}: not changed");
            assert_eq!(verify_url(&tampered), want, "{what}");
        }
        // Outside the window.
        let got = SignableRequest::new("GET", &url)
            .unwrap()
            .payload(Payload::Unsigned);
        let late = VerifyOptions::new(t("20130524T001001Z"));
        assert_eq!(
            verify_presigned(&got, |_| Some("secret"), &late),
            Err(Error::Expired)
        );
    }
}
