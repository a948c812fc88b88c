//! Signing headers the caller already set: one rule per header, the same
//! for header signing and presigning (and so for the `http` adapter, S3,
//! the client and the CLI, which all sign through the core).
//!
//! | header on the request | rule |
//! | --- | --- |
//! | `x-amz-content-sha256` | its value is the payload hash that gets signed, for every service (as botocore does), and the signature's headers carry it once (replacing the caller's, repeats included). A payload the caller also chose must agree: [`Payload::Precomputed`], [`Payload::Unsigned`] and the streaming markers must resolve to the same text, and [`Payload::Bytes`] must hash to it when the header holds a hash (with a marker such as `UNSIGNED-PAYLOAD` the body is simply not hashed). Disagreement is [`Error::PayloadHashConflict`]. |
//! | `x-amz-date` | replaced by the signing time of the parameters: never two on the wire, never the caller's value signed. |
//! | `x-amz-security-token` | with no session token in the parameters, it *is* the session token (signed, or left outside the signature under [`SessionTokenMode::AppendedAfterSigning`], and carried once by the signature's headers; presigning moves it into `X-Amz-Security-Token`); the same token as the parameters' is fine; another one is [`Error::SessionTokenConflict`]. |
//! | `authorization` | never signed, replaced by the new signature (a retry, a proxy re-signing). Presigning likewise replaces `X-Amz-*` authentication parameters already in the query. |
//!
//! Each of these headers may appear once; two different values are
//! [`Error::ConflictingHeaders`].
//!
//! [`SessionTokenMode::AppendedAfterSigning`]: super::SessionTokenMode::AppendedAfterSigning

use alloc::string::ToString;

use super::canonical_headers::check_value;
use super::names::{X_AMZ_CONTENT_SHA256, X_AMZ_SECURITY_TOKEN};
use super::payload::{PayloadHash, STREAMING_MARKERS};
use super::request::Header;
use super::{Error, Payload, SignableRequest};

/// The value of a signing header the caller set, if any. Repeats with the
/// same value count once; different values are an error.
pub(crate) fn caller_header<'r>(
    headers: &'r [Header<'_>],
    name: &'static str,
) -> Result<Option<&'r str>, Error> {
    let mut found: Option<&'r str> = None;
    for &(n, v) in headers {
        if !super::text::eq_lowercase(n.as_bytes(), name.as_bytes()) {
            continue;
        }
        let value = check_value(v)
            .map_err(|reason| Error::InvalidHeaderValue {
                name: name.to_string(),
                reason,
            })?
            .trim();
        match found {
            Some(prev) if prev != value => return Err(Error::ConflictingHeaders { name }),
            _ => found = Some(value),
        }
    }
    Ok(found)
}

/// The payload hash to sign, and whether it comes from the caller's
/// `x-amz-content-sha256` header (checked against the chosen payload; the
/// chosen payload, or an empty body, when there is no such header).
pub(crate) fn payload_hash(req: &SignableRequest<'_>) -> Result<(PayloadHash, bool), Error> {
    payload_hash_of(&req.headers, req.payload)
}

/// [`payload_hash`] of a request with these headers and this payload.
pub(crate) fn payload_hash_of(
    headers: &[Header<'_>],
    payload: Option<Payload<'_>>,
) -> Result<(PayloadHash, bool), Error> {
    let Some(header) = caller_header(headers, X_AMZ_CONTENT_SHA256)? else {
        return Ok((payload.unwrap_or(Payload::EMPTY).resolve()?, false));
    };
    let from_header = PayloadHash::parse(header)?;
    let Some(chosen) = payload else {
        return Ok((from_header, true));
    };
    let agrees = match (chosen, from_header) {
        // A marker in the header: the body is not hashed, whatever it is.
        (Payload::Bytes(_), PayloadHash::Literal(l)) if STREAMING_MARKERS.contains(&l) => true,
        _ => chosen.resolve()?.as_str() == from_header.as_str(),
    };
    if agrees {
        Ok((from_header, true))
    } else {
        Err(Error::PayloadHashConflict {
            header: header.to_string(),
            payload: chosen.resolve()?.as_str().to_string(),
        })
    }
}

/// Where the session token to sign comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'t> {
    /// No session token anywhere.
    None,
    /// The parameters' token (a caller's header, if any, holds the same).
    Params(&'t str),
    /// Only the caller's `x-amz-security-token` header.
    Caller(&'t str),
}

impl<'t> Token<'t> {
    pub(crate) fn value(self) -> Option<&'t str> {
        match self {
            Token::None => None,
            Token::Params(t) | Token::Caller(t) => Some(t),
        }
    }
}

/// The session token rule (see the module docs).
pub(crate) fn session_token<'t>(
    req: &'t SignableRequest<'_>,
    params_token: Option<&'t str>,
) -> Result<Token<'t>, Error> {
    session_token_of(&req.headers, params_token)
}

/// [`session_token`] of a request with these headers.
pub(crate) fn session_token_of<'t>(
    headers: &'t [Header<'_>],
    params_token: Option<&'t str>,
) -> Result<Token<'t>, Error> {
    let caller = caller_header(headers, X_AMZ_SECURITY_TOKEN)?;
    Ok(match (params_token, caller) {
        (Some(p), Some(c)) if p != c => return Err(Error::SessionTokenConflict),
        (Some(p), _) => Token::Params(p),
        (None, Some("")) => return Err(Error::InvalidSessionToken),
        (None, Some(c)) => Token::Caller(c),
        (None, None) => Token::None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::payload::{EMPTY_SHA256, UNSIGNED_PAYLOAD};
    use crate::sign::{
        presign, sign_headers, verify, Credentials, SessionTokenMode, SigningParams, SigningTime,
        VerifyOptions,
    };
    use alloc::string::String;
    use alloc::vec::Vec;
    use core::time::Duration;

    const BODY: &[u8] = b"x";
    const BODY_SHA256: &str = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881";

    fn now() -> SigningTime {
        SigningTime::parse_amz_date("20240101T000000Z").unwrap()
    }

    fn creds() -> Credentials {
        Credentials::new("AKIDEXAMPLE", "secret")
    }

    fn api() -> SignableRequest<'static> {
        SignableRequest::new(
            "POST",
            "https://abc.execute-api.us-east-1.amazonaws.com/prod/x",
        )
        .unwrap()
    }

    fn last_line(s: &str) -> &str {
        s.rsplit('\n').next().unwrap()
    }

    /// Header signing output as the request would carry it, then verified.
    fn send_and_verify(
        req: &SignableRequest<'_>,
        params: &SigningParams<'_>,
    ) -> Vec<(String, String)> {
        let signed = sign_headers(req, params).unwrap();
        let mut wire: Vec<(String, String)> = req
            .headers
            .iter()
            .filter(|(n, _)| !signed.headers().any(|(m, _)| m.eq_ignore_ascii_case(n)))
            .map(|(n, v)| {
                (
                    n.to_ascii_lowercase(),
                    String::from_utf8(v.to_vec()).unwrap(),
                )
            })
            .collect();
        wire.extend(signed.headers().map(|(n, v)| (n.into(), v.into())));
        let mut received = req.clone();
        received.headers.clear();
        let received = received.headers(wire.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let secret = params.secret_access_key;
        verify(
            &received,
            |_| Some(secret),
            &VerifyOptions::new(params.time()),
        )
        .unwrap();
        wire
    }

    #[test]
    fn a_callers_content_sha256_is_the_signed_payload_hash_for_every_service() {
        let c = creds();
        let params = SigningParams::new(&c, "us-east-1", "execute-api", now());
        let req = api().header("x-amz-content-sha256", UNSIGNED_PAYLOAD);
        let signed = sign_headers(&req, &params).unwrap();
        assert_eq!(last_line(signed.canonical_request()), UNSIGNED_PAYLOAD);
        assert!(signed.signed_headers().contains("x-amz-content-sha256"));
        send_and_verify(&req, &params);
        // With a body chosen too: a marker wins over hashing the body.
        let with_body = req.clone().payload(Payload::Bytes(BODY));
        let s2 = sign_headers(&with_body, &params).unwrap();
        assert_eq!(s2.signature(), signed.signature());
        // A hash in the header must be the body's.
        let hashed = api().header("X-Amz-Content-Sha256", BODY_SHA256);
        let ok = sign_headers(&hashed.clone().payload(Payload::Bytes(BODY)), &params).unwrap();
        assert_eq!(last_line(ok.canonical_request()), BODY_SHA256);
        assert_eq!(
            sign_headers(&hashed.clone().payload(Payload::Bytes(b"y")), &params).unwrap_err(),
            Error::PayloadHashConflict {
                header: BODY_SHA256.into(),
                payload: "a1fce4363854ff888cff4b8e7875d600c2682390412a8cf79b37d0b11148b0fa".into()
            }
        );
        assert_eq!(
            sign_headers(&hashed.clone().payload(Payload::Unsigned), &params).unwrap_err(),
            Error::PayloadHashConflict {
                header: BODY_SHA256.into(),
                payload: UNSIGNED_PAYLOAD.into()
            }
        );
        assert_eq!(
            sign_headers(
                &req.clone().payload(Payload::Precomputed(EMPTY_SHA256)),
                &params
            )
            .unwrap_err(),
            Error::PayloadHashConflict {
                header: UNSIGNED_PAYLOAD.into(),
                payload: EMPTY_SHA256.into()
            }
        );
        // Not a hash, not a marker.
        assert_eq!(
            sign_headers(&api().header("x-amz-content-sha256", "nope"), &params).unwrap_err(),
            Error::InvalidPayloadHash
        );
        // Presigning signs it the same way.
        let p = presign(&req, &params, Duration::from_secs(60)).unwrap();
        assert_eq!(last_line(p.canonical_request()), UNSIGNED_PAYLOAD);
    }

    #[test]
    fn s3_sends_one_content_sha256_holding_the_callers_value() {
        let c = creds();
        let params = SigningParams::new(&c, "us-east-1", "s3", now());
        let req = SignableRequest::new("PUT", "https://b.s3.amazonaws.com/k")
            .unwrap()
            .header("x-amz-content-sha256", UNSIGNED_PAYLOAD)
            .payload(Payload::Bytes(BODY));
        let wire = send_and_verify(&req, &params);
        let values: Vec<&str> = wire
            .iter()
            .filter(|(n, _)| n == "x-amz-content-sha256")
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(values, [UNSIGNED_PAYLOAD]);
    }

    #[test]
    fn the_signing_time_replaces_a_callers_x_amz_date() {
        let c = creds();
        let params = SigningParams::new(&c, "us-east-1", "execute-api", now());
        let req = api().header("X-Amz-Date", "20000101T000000Z");
        let signed = sign_headers(&req, &params).unwrap();
        assert!(signed
            .canonical_request()
            .contains("x-amz-date:20240101T000000Z\n"));
        assert!(!signed.canonical_request().contains("2000"));
        let wire = send_and_verify(&req, &params);
        let dates: Vec<&str> = wire
            .iter()
            .filter(|(n, _)| n == "x-amz-date")
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(dates, ["20240101T000000Z"]);
        // Presigning leaves the header out of the signature.
        let p = presign(&req, &params, Duration::from_secs(60)).unwrap();
        assert!(!p.canonical_request().contains("2000"));
    }

    #[test]
    fn a_callers_security_token_is_the_session_token() {
        let plain = creds();
        let params = SigningParams::new(&plain, "us-east-1", "execute-api", now());
        let req = api().header("x-amz-security-token", "TOKEN");
        let signed = sign_headers(&req, &params).unwrap();
        assert!(signed.signed_headers().contains("x-amz-security-token"));
        // Carried once by the signature's headers, with the caller's value.
        assert_eq!(
            signed
                .headers()
                .filter(|(n, _)| *n == "x-amz-security-token")
                .collect::<Vec<_>>(),
            [("x-amz-security-token", "TOKEN")]
        );
        send_and_verify(&req, &params);
        // Left unsigned when the service wants the token appended.
        let mut settings = params.settings();
        settings.session_token = SessionTokenMode::AppendedAfterSigning;
        let appended = sign_headers(&req, &params.with_settings(settings)).unwrap();
        assert!(!appended.signed_headers().contains("x-amz-security-token"));
        // Presigning moves it into the query.
        let p = presign(&req, &params, Duration::from_secs(60)).unwrap();
        assert!(p
            .params()
            .any(|(k, v)| (k, v) == ("X-Amz-Security-Token", "TOKEN")));
        assert!(!p.canonical_request().contains("x-amz-security-token"));
        // The same token in the credentials is fine; another one is not.
        let same = creds().with_session_token("TOKEN");
        let p_same = SigningParams::new(&same, "us-east-1", "execute-api", now());
        let wire = send_and_verify(&req, &p_same);
        assert_eq!(
            wire.iter()
                .filter(|(n, _)| n == "x-amz-security-token")
                .count(),
            1
        );
        let other = creds().with_session_token("OTHER");
        let p_other = SigningParams::new(&other, "us-east-1", "execute-api", now());
        assert_eq!(
            sign_headers(&req, &p_other).unwrap_err(),
            Error::SessionTokenConflict
        );
        assert_eq!(
            presign(&req, &p_other, Duration::from_secs(60)).unwrap_err(),
            Error::SessionTokenConflict
        );
        assert!(!alloc::format!("{}", Error::SessionTokenConflict).contains("OTHER"));
    }

    #[test]
    fn an_old_signature_is_replaced_never_signed() {
        let c = creds();
        let params = SigningParams::new(&c, "us-east-1", "execute-api", now());
        let req = api().header("Authorization", "AWS4-HMAC-SHA256 Credential=old");
        let signed = sign_headers(&req, &params).unwrap();
        assert!(!signed.signed_headers().contains("authorization"));
        let wire = send_and_verify(&req, &params);
        assert_eq!(wire.iter().filter(|(n, _)| n == "authorization").count(), 1);
        let old = SignableRequest::new(
            "GET",
            "https://h/x?a=1&X-Amz-Signature=00&X-Amz-Date=20000101T000000Z&X-Amz-Expires=5",
        )
        .unwrap();
        let p = presign(&old, &params, Duration::from_secs(60)).unwrap();
        assert_eq!(p.query_string().matches("X-Amz-Signature=").count(), 1);
        assert_eq!(p.query_string().matches("X-Amz-Date=").count(), 1);
        assert!(p.query_string().starts_with("a=1&X-Amz-Algorithm="));
    }

    #[test]
    fn repeated_signing_headers_must_agree() {
        let c = creds();
        let params = SigningParams::new(&c, "us-east-1", "execute-api", now());
        let twice = api()
            .header("x-amz-content-sha256", UNSIGNED_PAYLOAD)
            .header("x-amz-content-sha256", EMPTY_SHA256);
        assert_eq!(
            sign_headers(&twice, &params).unwrap_err(),
            Error::ConflictingHeaders {
                name: "x-amz-content-sha256"
            }
        );
        let tokens = api()
            .header("x-amz-security-token", "A")
            .header("X-Amz-Security-Token", "B");
        assert_eq!(
            sign_headers(&tokens, &params).unwrap_err(),
            Error::ConflictingHeaders {
                name: "x-amz-security-token"
            }
        );
    }
}
