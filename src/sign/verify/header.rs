//! Verification of requests signed for the `Authorization` header.

use alloc::string::String;

use super::authorization::parse_authorization;
use super::{equal, header_count, header_value, malformed, signed_only, Verified, VerifyOptions};
use crate::sign::names::{
    AUTHORIZATION, HOST, X_AMZ_CONTENT_SHA256, X_AMZ_DATE, X_AMZ_SECURITY_TOKEN,
};
use crate::sign::{
    sign_headers, Error, Payload, SessionTokenMode, SignableRequest, SigningParams, SigningTime,
};

/// Verifies a request signed for the `Authorization` header.
///
/// `req` is the request as received, its payload what the body is (see
/// the [module docs](super)). When the client signed `x-amz-content-sha256`,
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

fn check_skew(time: SigningTime, now: SigningTime, max_skew_secs: u64) -> Result<(), Error> {
    let diff = now.unix_seconds().abs_diff(time.unix_seconds());
    if diff > max_skew_secs {
        return Err(Error::Expired);
    }
    Ok(())
}

fn payload_from_header(value: &str) -> Payload<'_> {
    match value {
        crate::sign::payload::UNSIGNED_PAYLOAD => Payload::Unsigned,
        crate::sign::payload::STREAMING_PAYLOAD => Payload::StreamingSigned,
        crate::sign::payload::STREAMING_PAYLOAD_TRAILER => Payload::StreamingSignedTrailer,
        crate::sign::payload::STREAMING_UNSIGNED_PAYLOAD_TRAILER => {
            Payload::StreamingUnsignedTrailer
        }
        hex => Payload::Precomputed(hex),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use alloc::vec::Vec;

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
}
