//! The canonical request of a received header signature, written straight
//! from its `SignedHeaders` list.
//!
//! To sign, the signer filters the request's headers, adds its own (`host`,
//! `x-amz-date`, the payload hash, the session token), sorts them and
//! writes the signed list from the result. A verifier holds that list
//! already: when it is in the form the signer writes (lowercase names in
//! strictly increasing order, `x-amz-date` among them, none of the names
//! that are never signed), its order *is* the canonical order, so the
//! headers are written name by name as the list gives them and the list
//! itself is copied. No sort, no filter, no second pass over the names.
//!
//! Anything else (a list out of order, a header value the signer's checks
//! would refuse, a signed token that did not come) returns `None`, and the
//! verifier signs through the signer instead, which decides the outcome and
//! the error. The tests check that both write the same bytes.

use core::ops::Range;

use alloc::string::String;

use super::authorization::find_byte;
use crate::sign::canonical_headers::{self as headers, write_canonical_value};
use crate::sign::canonical_request::{write_head, write_tail};
use crate::sign::names::{HOST, X_AMZ_CONTENT_SHA256, X_AMZ_DATE, X_AMZ_SECURITY_TOKEN};
use crate::sign::request::Header;
use crate::sign::text::{cmp_short, eq_ignore_case};
use crate::sign::{PayloadHash, SessionTokenMode, SignableRequest, SigningParams};

/// Appends the canonical request of `req` signed with the received `list`
/// to `creq` and returns where the list is in it, or `None` (with `creq`
/// partly written: the caller clears it) when the signer must decide.
///
/// `signed` holds the request's headers named in the list other than the
/// signer's own, in list order (as `signed_headers_into` collects them);
/// `payload` is the payload hash signed.
pub(super) fn write(
    req: &SignableRequest<'_>,
    list: &str,
    signed: &[Header<'_>],
    params: &SigningParams<'_>,
    payload: &PayloadHash,
    creq: &mut String,
) -> Option<Range<usize>> {
    let settings = &params.settings;
    write_head(creq, req, settings, &[], &mut []);
    let mut rest = signed;
    let mut prev: &str = "";
    let mut has_date = false;
    let mut from = 0;
    for k in 0.. {
        // `list.split(';')`, with the byte search (see `authorization`).
        let end = find_byte(&list.as_bytes()[from..], b';').map_or(list.len(), |i| from + i);
        // `;` is ASCII: both cuts are character boundaries.
        let name = &list[from..end];
        // Strictly increasing: also no name twice, and none empty.
        if cmp_short(name.as_bytes(), prev.as_bytes()).is_le() {
            return None;
        }
        prev = name;
        if headers::is_never_signed(name) {
            return None;
        }
        creq.push_str(name);
        creq.push(':');
        match name {
            X_AMZ_DATE => {
                has_date = true;
                creq.push_str(params.time.amz_date());
            }
            X_AMZ_CONTENT_SHA256 if settings.content_sha256_header => {
                creq.push_str(payload.as_str());
            }
            X_AMZ_SECURITY_TOKEN if settings.session_token == SessionTokenMode::Signed => {
                write_canonical_value(creq, params.session_token?);
            }
            X_AMZ_CONTENT_SHA256 | X_AMZ_SECURITY_TOKEN => return None,
            _ => {
                let n = rest
                    .iter()
                    .take_while(|(n, _)| eq_ignore_case(n.as_bytes(), name.as_bytes()))
                    .count();
                let (mine, after) = rest.split_at(n);
                rest = after;
                if mine.is_empty() {
                    if name != HOST {
                        return None;
                    }
                    let (host, plain) = req.signed_authority_host()?;
                    headers::write_value(creq, host, plain);
                }
                for (i, &(n, v)) in mine.iter().enumerate() {
                    let checked = headers::checked(k, n, v).ok()?;
                    if i > 0 {
                        creq.push(',');
                    }
                    headers::write_value(creq, checked.value, checked.plain);
                }
            }
        }
        creq.push('\n');
        if end == list.len() {
            break;
        }
        from = end + 1;
    }
    if !has_date || !rest.is_empty() {
        return None;
    }
    Some(write_tail(creq, |out| out.push_str(list), payload))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::header_signing::sign_parts;
    use crate::sign::verify::signed_headers_into;
    use crate::sign::{Payload, SigningSettings, SigningTime};
    use alloc::vec::Vec;
    use smallvec::SmallVec;

    /// Both writers, for `req` received with `list` (`None` when the
    /// verifier refuses the list before either runs); the direct one's
    /// output is `None` when it declined.
    fn both(
        req: &SignableRequest<'_>,
        list: &str,
        token: Option<&str>,
        payload: Payload<'_>,
    ) -> Option<(Option<String>, Result<String, crate::sign::Error>)> {
        let time = SigningTime::parse_amz_date("20130524T000000Z").unwrap();
        let mut settings = SigningSettings::s3();
        let names: Vec<&str> = list.split(';').collect();
        settings.content_sha256_header = names.contains(&X_AMZ_CONTENT_SHA256);
        settings.session_token = if names.contains(&X_AMZ_SECURITY_TOKEN) {
            SessionTokenMode::Signed
        } else {
            SessionTokenMode::AppendedAfterSigning
        };
        let params =
            SigningParams::from_keys("AKID", "secret", token, "us-east-1", "s3", time, settings);
        let mut signed: SmallVec<[Header<'_>; 12]> = SmallVec::new();
        let skip = [X_AMZ_DATE, X_AMZ_SECURITY_TOKEN, X_AMZ_CONTENT_SHA256];
        signed_headers_into(req, list, &skip, &mut signed).ok()?;
        let hash = payload.resolve().unwrap();
        let mut direct = String::new();
        let direct = write(req, list, &signed, &params, &hash, &mut direct).map(|range| {
            assert_eq!(&direct[range], list);
            direct
        });
        let mut slow = String::new();
        let slow = sign_parts(req, &signed, Some(payload), &params, &mut slow).map(|core| {
            // Only a list the signer would write is comparable.
            if slow[core.signed_headers.clone()] == *list {
                slow
            } else {
                String::from("<another list>")
            }
        });
        Some((direct, slow))
    }

    /// Wherever the direct writer answers, it writes the signer's bytes,
    /// and it answers for every list in the signer's form.
    #[test]
    fn writes_what_the_signer_writes() {
        let extra = [
            ("content-type", "text/plain"),
            ("Content-Type", " a   b "),
            ("range", "bytes=0-9"),
            ("x-amz-meta-a", "1"),
            ("x-amz-meta-a", "2\r\n 3"),
            ("host", "example.com"),
            ("user-agent", "ua"),
            ("x-amz-security-token", "tok"),
            ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
        ];
        let lists = [
            "host;x-amz-date",
            "content-type;host;x-amz-date",
            "content-type;host;range;x-amz-content-sha256;x-amz-date",
            "host;x-amz-content-sha256;x-amz-date;x-amz-meta-a;x-amz-security-token",
            "host;range;x-amz-date;x-amz-meta-a",
            "host;user-agent;x-amz-date",
            "host;x-amz-content-sha256",
            "x-amz-date;host",
            "host;host;x-amz-date",
            "host;x-amz-date;x-amz-security-token",
        ];
        let mut answered = 0;
        let mut compared = 0;
        for mask in 0u32..(1 << extra.len()) {
            for uri in ["https://b.s3.amazonaws.com/a%20b?x=1&a", "/k"] {
                let mut req = SignableRequest::new("PUT", uri).unwrap();
                for (i, &(n, v)) in extra.iter().enumerate() {
                    if mask & (1 << i) != 0 {
                        req = req.header(n, v);
                    }
                }
                for list in lists {
                    for token in [None, Some("tok"), Some(" t  k ")] {
                        for payload in [Payload::Unsigned, Payload::Bytes(b"body")] {
                            let Some((direct, slow)) = both(&req, list, token, payload) else {
                                continue;
                            };
                            if let Some(direct) = direct {
                                answered += 1;
                                assert_eq!(Ok(direct), slow, "{list} {req:?}");
                            } else if let Ok(slow) = slow {
                                // Declined only where the signer's list differs.
                                compared += 1;
                                assert!(
                                    slow == "<another list>"
                                        || list.split(';').any(headers::is_never_signed),
                                    "declined {list} for {req:?}: {slow}"
                                );
                            }
                        }
                    }
                }
            }
        }
        assert!(
            answered > 10_000 && compared > 1_000,
            "{answered} {compared}"
        );
    }
}
