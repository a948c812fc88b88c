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
//! The list is walked once: each name's request headers are found and
//! written as it comes (no list of the signed headers is collected first),
//! and the names the signer writes itself (`x-amz-date`, the payload hash,
//! the session token) take the values the caller found for them.
//!
//! Anything else (a list out of order, a header value the signer's checks
//! would refuse, a signed header the request lacks) returns `None`, and the
//! verifier collects the signed headers and signs through the signer
//! instead, which decides the outcome and the error. The tests check that
//! both write the same bytes.

use alloc::string::String;

use super::authorization::find_byte;
use crate::sign::canonical_headers::{self as headers, write_canonical_value};
use crate::sign::canonical_request::{write_head, SignerQuery};
use crate::sign::names::{HOST, X_AMZ_CONTENT_SHA256, X_AMZ_DATE, X_AMZ_SECURITY_TOKEN};
use crate::sign::text::{cmp_short, eq_lowercase};
use crate::sign::{SignableRequest, SigningSettings};

/// The values of the signer's own headers, as the verifier found them.
pub(super) struct Own<'v> {
    /// `x-amz-date`.
    pub amz_date: &'v str,
    /// The received `x-amz-content-sha256`, written when the list names it.
    pub content_sha256: Option<&'v str>,
    /// The received session token, written when the list names it.
    pub token: Option<&'v str>,
}

/// Which of the names that change how the rest is signed the list held.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Listed {
    pub host: bool,
    pub token: bool,
    pub content_sha256: bool,
}

/// Appends the canonical request of `req` signed with the received `list`
/// to `creq` up to its tail (the list and the payload hash, which the
/// caller writes with `write_tail` once it knows the hash), or returns
/// `None` (with `creq` partly written: the caller clears it) when the
/// signer must decide.
pub(super) fn write_headers(
    req: &SignableRequest<'_>,
    list: &str,
    settings: &SigningSettings,
    own: &Own<'_>,
    creq: &mut String,
) -> Option<Listed> {
    let bytes = list.as_bytes();
    // Lowercase names only (an uppercase one is the signer's error to
    // report), checked in one branch-free pass.
    if bytes
        .iter()
        .fold(false, |up, &b| up | (b.wrapping_sub(b'A') < 26))
    {
        return None;
    }
    write_head(creq, req, settings, SignerQuery::none());
    let mut listed = Listed {
        host: false,
        token: false,
        content_sha256: false,
    };
    let mut prev: &str = "";
    let mut has_date = false;
    let mut from = 0;
    for k in 0.. {
        // `list.split(';')`, with the byte search (see `authorization`).
        let end = find_byte(&bytes[from..], b';').map_or(list.len(), |i| from + i);
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
                creq.push_str(own.amz_date);
            }
            X_AMZ_CONTENT_SHA256 => {
                listed.content_sha256 = true;
                creq.push_str(own.content_sha256?);
            }
            X_AMZ_SECURITY_TOKEN => {
                listed.token = true;
                write_canonical_value(creq, own.token?);
            }
            _ => {
                let is_host = name == HOST;
                listed.host |= is_host;
                let mut found = false;
                for &(n, v) in req.headers.iter() {
                    if !eq_lowercase(n.as_bytes(), name.as_bytes()) {
                        continue;
                    }
                    let checked = headers::checked(k, n, v).ok()?;
                    if found {
                        creq.push(',');
                    }
                    found = true;
                    headers::write_value(creq, checked.value, checked.plain);
                }
                if !found {
                    if !is_host {
                        return None;
                    }
                    let (host, plain) = req.signed_authority_host()?;
                    headers::write_value(creq, host, plain);
                }
            }
        }
        creq.push('\n');
        if end == list.len() {
            break;
        }
        from = end + 1;
    }
    has_date.then_some(listed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::canonical_request::write_tail;
    use crate::sign::header_signing::sign_parts;
    use crate::sign::request::Header;
    use crate::sign::verify::signed_headers_into;
    use crate::sign::{Payload, SessionTokenMode, SigningParams, SigningSettings, SigningTime};
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
        let seen = signed_headers_into(req, list, &skip, &mut signed).ok()?;
        let hash = payload.resolve().unwrap();
        let own = Own {
            amz_date: time.amz_date(),
            content_sha256: Some(hash.as_str()),
            token,
        };
        let mut direct = String::new();
        let direct = write_headers(req, list, &params.settings, &own, &mut direct).map(|listed| {
            assert_eq!(
                listed,
                Listed {
                    host: seen.host(),
                    token: seen.skipped(1),
                    content_sha256: seen.skipped(2),
                }
            );
            let range = write_tail(&mut direct, |out| out.push_str(list), &hash);
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
