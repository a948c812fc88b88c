//! Parsing `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.

use super::malformed;
use crate::sign::{Error, ALGORITHM};

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

/// Splits `AKID/YYYYMMDD/region/service/aws4_request`.
pub(super) fn parse_credential(credential: &str) -> Result<(&str, &str, &str, &str), Error> {
    // The last four `/` (the access key id may hold more), found with a byte
    // loop: `rsplitn` goes through `memrchr`, slow on strings this short.
    let mut cuts = [0usize; 4];
    let mut found = 0;
    for (i, &b) in credential.as_bytes().iter().enumerate().rev() {
        if b == b'/' {
            cuts[found] = i;
            found += 1;
            if found == 4 {
                break;
            }
        }
    }
    let missing = [
        "credential has no service",
        "credential has no region",
        "credential has no date",
        "credential has no access key id",
    ];
    if found < 4 {
        return Err(malformed(missing[found]));
    }
    let [t, s, r, d] = cuts;
    let terminator = &credential[t + 1..];
    let service = &credential[s + 1..t];
    let region = &credential[r + 1..s];
    let date = &credential[d + 1..r];
    let akid = &credential[..d];
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
    // The `,`-separated parts, as `split(',')` gives them.
    let mut rest = rest;
    loop {
        let end = rest.find(',').unwrap_or(rest.len());
        let part = rest[..end].trim();
        let last = end == rest.len();
        rest = rest.get(end + 1..).unwrap_or("");
        let eq = part
            .find('=')
            .ok_or(malformed("authorization part without `=`"))?;
        let (k, v) = (&part[..eq], &part[eq + 1..]);
        let slot = match k {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => return Err(malformed("unknown authorization part")),
        };
        if slot.replace(v).is_some() {
            return Err(malformed("repeated authorization part"));
        }
        if last {
            break;
        }
    }
    let (access_key_id, date, region, service) =
        parse_credential(credential.ok_or(malformed("authorization has no Credential"))?)?;
    let signed_headers = signed.ok_or(malformed("authorization has no SignedHeaders"))?;
    let signature = signature.ok_or(malformed("authorization has no Signature"))?;
    // Folded without early exit, so the 64 bytes are checked in a few vector steps.
    let lowercase_hex = signature.bytes().fold(true, |ok, b| {
        ok & ((b.wrapping_sub(b'0') < 10) | (b.wrapping_sub(b'a') < 6))
    });
    if signature.len() != 64 || !lowercase_hex {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_split_at_the_last_four_slashes() {
        assert_eq!(
            parse_credential("A/K/20150830/us-east-1/iam/aws4_request").unwrap(),
            ("A/K", "20150830", "us-east-1", "iam")
        );
        for (credential, reason) in [
            ("aws4_request", "credential has no service"),
            ("iam/aws4_request", "credential has no region"),
            ("us-east-1/iam/aws4_request", "credential has no date"),
            (
                "20150830/us-east-1/iam/aws4_request",
                "credential has no access key id",
            ),
            (
                "AKID/20150830/us-east-1/iam/aws4",
                "credential scope does not end with aws4_request",
            ),
            (
                "/20150830/us-east-1/iam/aws4_request",
                "empty part in the credential",
            ),
        ] {
            assert_eq!(
                parse_credential(credential),
                Err(Error::MalformedSignature { reason }),
                "{credential}"
            );
        }
        // Parts as `split(',')` gives them: an empty last part is an error.
        assert!(parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7,"
        )
        .is_err());
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
}
