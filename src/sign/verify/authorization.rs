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

#[cfg(test)]
mod tests {
    use super::*;

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
