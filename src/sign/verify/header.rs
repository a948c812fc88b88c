//! Verification of requests signed for the `Authorization` header.

use super::authorization::parse_authorization;
use super::canonical_from_list;
use super::rejection::{with_details, Rejection, Signed};
use super::{equal, equal_bytes, malformed, signed_headers_into, Verified, VerifyOptions};
use crate::sign::canonical_request::write_tail;
use crate::sign::header_signing::sign_parts;
use crate::sign::names::{AUTHORIZATION, X_AMZ_CONTENT_SHA256, X_AMZ_DATE, X_AMZ_SECURITY_TOKEN};
use crate::sign::request::Header;
use crate::sign::signature::{hash_hex, sign_hash};
use crate::sign::string_to_sign::string_to_sign;
use crate::sign::text::eq_lowercase;
use crate::sign::{
    Error, Payload, PayloadHash, SessionTokenMode, SignableRequest, SigningParams, SigningTime,
};
use alloc::string::String;
use smallvec::SmallVec;

/// The signing headers of a received request, each at most once.
struct SigningHeaders<'a> {
    authorization: Option<&'a str>,
    amz_date: Option<&'a str>,
    content_sha256: Option<&'a str>,
    security_token: Option<&'a str>,
}

impl<'a> SigningHeaders<'a> {
    /// One pass over the headers; a repeated signing header is malformed.
    fn scan(req: &SignableRequest<'a>) -> Result<Self, Error> {
        let mut found = SigningHeaders {
            authorization: None,
            amz_date: None,
            content_sha256: None,
            security_token: None,
        };
        for &(name, value) in req.headers.iter() {
            // By length first: most headers are none of the four.
            let (slot, repeated) = match name.len() {
                13 if eq_lowercase(name.as_bytes(), AUTHORIZATION.as_bytes()) => {
                    (&mut found.authorization, "repeated authorization header")
                }
                10 if eq_lowercase(name.as_bytes(), X_AMZ_DATE.as_bytes()) => {
                    (&mut found.amz_date, "repeated x-amz-date header")
                }
                20 if eq_lowercase(name.as_bytes(), X_AMZ_CONTENT_SHA256.as_bytes()) => (
                    &mut found.content_sha256,
                    "repeated x-amz-content-sha256 header",
                ),
                20 if eq_lowercase(name.as_bytes(), X_AMZ_SECURITY_TOKEN.as_bytes()) => (
                    &mut found.security_token,
                    "repeated x-amz-security-token header",
                ),
                _ => continue,
            };
            if slot.is_some() {
                return Err(malformed(repeated));
            }
            // A value that is not UTF-8 counts as present and empty: it
            // fails its own check later (a malformed or mismatched signature).
            *slot = Some(crate::sign::text::utf8(value).unwrap_or(""));
        }
        Ok(found)
    }
}

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
    checked(req, lookup, options, &mut None)
}

/// [`verify_headers`], reporting a signature mismatch with the strings the
/// server signed.
pub(super) fn verify_headers_detailed<'s>(
    req: &SignableRequest<'_>,
    lookup: impl FnOnce(&str) -> Option<&'s str>,
    options: &VerifyOptions<'_>,
) -> Result<Verified, Rejection> {
    with_details(|signed| checked(req, lookup, options, signed))
}

fn checked<'s>(
    req: &SignableRequest<'_>,
    lookup: impl FnOnce(&str) -> Option<&'s str>,
    options: &VerifyOptions<'_>,
    mismatch: &mut Signed,
) -> Result<Verified, Error> {
    let found = SigningHeaders::scan(req)?;
    let auth = parse_authorization(
        found
            .authorization
            .ok_or(malformed("no authorization header"))?,
    )?;
    let time =
        SigningTime::parse_amz_date(found.amz_date.ok_or(malformed("no x-amz-date header"))?)?;
    if time.date_stamp() != auth.date {
        return Err(malformed("x-amz-date does not match the credential date"));
    }
    let mut settings = options.settings_for(auth.region, auth.service)?;
    options.check_skew(time)?;
    let payload = req.payload.unwrap_or(Payload::EMPTY);
    options.check_amz_signed(req, auth.signed_headers)?;
    let list = auth.signed_headers;
    let mut creq = String::with_capacity(256 + req.path.len() + req.query.len() + 4 * list.len());
    // The canonical request written straight from the received list when
    // it is in the signer's form (see `canonical_from_list`); else the
    // signed headers, collected from the list for the signer (in a list on
    // the stack, left uninitialized until pushed: the request is not
    // copied), which also finds the list's errors.
    let own = canonical_from_list::Own {
        amz_date: time.amz_date(),
        content_sha256: found.content_sha256,
        token: found.security_token,
    };
    let mut signed: SmallVec<[Header<'_>; 12]> = SmallVec::new();
    let direct = canonical_from_list::write_headers(req, list, &settings, &own, &mut creq);
    let collected = direct.is_none();
    let listed = match direct {
        Some(listed) => listed,
        None => {
            creq.clear();
            collect(req, list, &mut signed)?
        }
    };
    if !listed.host {
        return Err(malformed("host is not signed"));
    }
    settings.content_sha256_header = listed.content_sha256;
    let body_hash_header = found.content_sha256;
    let payload = match (settings.content_sha256_header, body_hash_header) {
        (true, Some(h)) => {
            // A hash in the header must be the body's (a marker such as
            // UNSIGNED-PAYLOAD says the body is not hashed).
            let stated = payload_from_header(h);
            if let (Payload::Bytes(_), Payload::Precomputed(_)) = (payload, stated) {
                if payload.resolve()?.as_str() != h {
                    return Err(Error::PayloadHashMismatch);
                }
            }
            stated
        }
        (true, None) => return Err(malformed("x-amz-content-sha256 is signed but missing")),
        (false, _) => payload,
    };
    let token = found.security_token;
    settings.session_token = if listed.token {
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
        settings,
    );
    // The signer's first checks, in its order.
    params.validate()?;
    let hash = payload.resolve()?;
    // The direct writer wrote the received payload hash header: the
    // signer writes the hash it resolves, which is that one when it is
    // valid.
    let direct = !collected && (!listed.content_sha256 || body_hash_header == Some(hash.as_str()));
    let (signature, creq_hash, signers_list) = if direct {
        write_tail(&mut creq, |out| out.push_str(list), &hash);
        let creq_hash = hash_hex(&creq);
        (sign_hash(&params, &creq_hash), creq_hash, None)
    } else {
        creq.clear();
        if !collected {
            collect(req, list, &mut signed)?;
        }
        // The body is hashed once: its hash stands for it.
        let payload = match &hash {
            PayloadHash::Hex(_) => Payload::Precomputed(hash.as_str()),
            PayloadHash::Literal(_) => payload,
        };
        let core = sign_parts(req, &signed, Some(payload), &params, &mut creq)?;
        (core.signature, core.creq_hash, Some(core.signed_headers))
    };
    // The recomputed list must be the client's list exactly (same headers,
    // same order): the signer's is compared, the direct writer copied it.
    let same_list = signers_list.is_none_or(|range| equal(creq.get(range).unwrap_or(""), list));
    if !(equal_bytes(&signature, auth.signature.as_bytes()) & same_list) {
        let string_to_sign = string_to_sign(&params.scope(), &creq_hash);
        *mismatch = Some((creq, string_to_sign));
        return Err(Error::SignatureMismatch);
    }
    // The canonical request (it can hold the session token) is cleared,
    // and its buffer holds the result.
    Ok(Verified::new(
        creq,
        auth.access_key_id,
        auth.region,
        auth.service,
        time,
        auth.signed_headers,
        auth.signature,
        super::Kind {
            presigned: false,
            sigv4a: false,
        },
    ))
}

/// The request's headers named in the signed `list`, for the signer, and
/// which of the names that change the rules the list held.
fn collect<'a>(
    req: &SignableRequest<'a>,
    list: &str,
    signed: &mut SmallVec<[Header<'a>; 12]>,
) -> Result<canonical_from_list::Listed, Error> {
    let skip = [X_AMZ_DATE, X_AMZ_SECURITY_TOKEN, X_AMZ_CONTENT_SHA256];
    let seen = signed_headers_into(req, list, &skip, signed)?;
    Ok(canonical_from_list::Listed {
        host: seen.host(),
        token: seen.skipped(1),
        content_sha256: seen.skipped(2),
    })
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
    use crate::sign::sign_headers;
    #[allow(unused_imports)] // the prelude's names, for the no_std build of the tests
    use alloc::{format, string::ToString, vec, vec::Vec};

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
            ok.signed_headers().collect::<Vec<_>>(),
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
        // Another body than x-amz-content-sha256 says.
        assert_eq!(
            check(&got, Payload::Bytes(b"other"), now),
            Err(Error::PayloadHashMismatch)
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
            Err(Error::RequestTimeTooSkewed)
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

    /// A request signed by us for S3, as received, with its headers.
    fn signed_s3_put(body: &'static [u8]) -> (Vec<(String, String)>, SigningTime) {
        let now = t("20130524T000000Z");
        let credentials = Credentials::new("AKID", "secret");
        let params = SigningParams::new(&credentials, "us-east-1", "s3", now);
        let req = SignableRequest::new("PUT", "https://b.s3.amazonaws.com/k")
            .unwrap()
            .header("content-type", "text/plain")
            .payload(Payload::Bytes(body));
        let signed = sign_headers(&req, &params).unwrap();
        let mut all: Vec<(String, String)> = vec![("content-type".into(), "text/plain".into())];
        all.extend(
            signed
                .headers()
                .map(|(n, v)| (n.to_string(), v.to_string())),
        );
        (all, now)
    }

    fn with(
        headers: &[(String, String)],
        change: impl Fn(&str, &str) -> Option<String>,
    ) -> Vec<(String, String)> {
        headers
            .iter()
            .filter_map(|(n, v)| {
                change(n, v)
                    .map(|v| (n.clone(), v))
                    .or(Some((n.clone(), v.clone())))
            })
            .collect()
    }

    fn check(
        headers: &[(String, String)],
        body: &'static [u8],
        now: SigningTime,
    ) -> Result<Verified, Error> {
        let req = SignableRequest::new("PUT", "https://b.s3.amazonaws.com/k")
            .unwrap()
            .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .payload(Payload::Bytes(body));
        verify_headers(&req, |_| Some("secret"), &VerifyOptions::new(now))
    }

    /// Each refusal of `verify_headers`, with its exact error.
    #[test]
    fn every_verifier_branch_has_its_error() {
        let (headers, now) = signed_s3_put(b"body");
        assert!(check(&headers, b"body", now).is_ok());
        let auth = |h: &[(String, String)]| {
            h.iter()
                .find(|(n, _)| n == "authorization")
                .unwrap()
                .1
                .clone()
        };
        let malformed = |reason| Err(Error::MalformedSignature { reason });

        // `host` not signed (the list rewritten without it).
        let no_host = with(&headers, |n, v| {
            (n == "authorization").then(|| {
                v.replace(
                    "SignedHeaders=content-type;host;",
                    "SignedHeaders=content-type;",
                )
            })
        });
        assert_ne!(auth(&no_host), auth(&headers));
        assert_eq!(
            check(&no_host, b"body", now),
            malformed("host is not signed")
        );

        // `x-amz-date` on another day than the credential scope.
        let other_day = with(&headers, |n, _| {
            (n == "x-amz-date").then(|| "20130525T000000Z".to_string())
        });
        assert_eq!(
            check(&other_day, b"body", t("20130525T000000Z")),
            malformed("x-amz-date does not match the credential date")
        );
        // Same day, outside the skew window.
        assert_eq!(
            check(&headers, b"body", t("20130524T001501Z")),
            Err(Error::RequestTimeTooSkewed)
        );

        // `x-amz-content-sha256` signed but missing.
        let no_hash: Vec<_> = headers
            .iter()
            .filter(|(n, _)| n != "x-amz-content-sha256")
            .cloned()
            .collect();
        assert_eq!(
            check(&no_hash, b"body", now),
            malformed("x-amz-content-sha256 is signed but missing")
        );

        // A hash that does not match the body the server received.
        assert_eq!(
            check(&headers, b"other body", now),
            Err(Error::PayloadHashMismatch)
        );

        // The SignedHeaders list reordered (same names).
        let reordered = with(&headers, |n, v| {
            (n == "authorization").then(|| {
                v.replace(
                    "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date",
                    "SignedHeaders=host;content-type;x-amz-content-sha256;x-amz-date",
                )
            })
        });
        assert_ne!(auth(&reordered), auth(&headers));
        assert_eq!(
            check(&reordered, b"body", now),
            Err(Error::SignatureMismatch)
        );

        // A repeated part of the Authorization value.
        let repeated = with(&headers, |n, v| {
            (n == "authorization").then(|| format!("{v}, Signature={}", "0".repeat(64)))
        });
        assert_eq!(
            check(&repeated, b"body", now),
            malformed("repeated authorization part")
        );

        // Uppercase in the signed list, a signed header that is absent.
        let upper = with(&headers, |n, v| {
            (n == "authorization").then(|| v.replace("content-type;", "Content-Type;"))
        });
        assert_eq!(
            check(&upper, b"body", now),
            malformed("signed headers must be lowercase names")
        );
        let absent: Vec<_> = headers
            .iter()
            .filter(|(n, _)| n != "content-type")
            .cloned()
            .collect();
        assert_eq!(
            check(&absent, b"body", now),
            malformed("a signed header is missing from the request")
        );

        // No authorization, no date.
        let no_auth: Vec<_> = headers
            .iter()
            .filter(|(n, _)| n != "authorization")
            .cloned()
            .collect();
        assert_eq!(
            check(&no_auth, b"body", now),
            malformed("no authorization header")
        );
        let no_date: Vec<_> = headers
            .iter()
            .filter(|(n, _)| n != "x-amz-date")
            .cloned()
            .collect();
        assert_eq!(
            check(&no_date, b"body", now),
            malformed("no x-amz-date header")
        );

        // Unknown key, wrong scope.
        let req = SignableRequest::new("PUT", "https://b.s3.amazonaws.com/k")
            .unwrap()
            .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .payload(Payload::Bytes(b"body"));
        assert_eq!(
            verify_headers(&req, |_| None, &VerifyOptions::new(now)),
            Err(Error::UnknownAccessKey)
        );
        assert_eq!(
            verify_headers(
                &req,
                |_| Some("secret"),
                &VerifyOptions::new(now).expect_region("eu-west-1")
            ),
            Err(Error::WrongScope { part: "region" })
        );
    }
}
