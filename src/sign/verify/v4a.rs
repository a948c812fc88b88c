//! Verification of SigV4a requests (`AWS4-ECDSA-P256-SHA256`), signed for
//! the `Authorization` header or presigned.
//!
//! The verifier looks the secret up by access key id as for SigV4, derives
//! the key pair (through [`EcdsaKeyCache::global`], so once per access
//! key), rebuilds the canonical request and checks the ECDSA signature
//! against the public key. The region set must contain the verifier's
//! region ([`VerifyOptions::expect_region`]) or `*`.

use alloc::string::String;
use core::time::Duration;

use super::rejection::{with_details, Rejection, Signed};
use super::{
    equal, header_count, header_value, malformed, signed_only, unique_query_param, Verified,
    VerifyOptions,
};
use crate::sign::names::{
    AUTHORIZATION, HOST, Q_ALGORITHM, Q_CREDENTIAL, Q_DATE, Q_EXPIRES, Q_REGION_SET,
    Q_SECURITY_TOKEN, Q_SIGNATURE, Q_SIGNED_HEADERS, X_AMZ_CONTENT_SHA256, X_AMZ_DATE,
    X_AMZ_REGION_SET, X_AMZ_SECURITY_TOKEN,
};
use crate::sign::v4a::{
    header_signing, is_valid_region_set, presign, region_set_contains, SigningParams, ALGORITHM,
};
use crate::sign::{
    Error, Payload, SessionTokenMode, SignableRequest, SigningSettings, SigningTime,
    MAX_PRESIGN_EXPIRY,
};

/// The parts of an `Authorization: AWS4-ECDSA-P256-SHA256 ...` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Authorization<'a> {
    /// The access key id.
    pub access_key_id: &'a str,
    /// The scope's date, `YYYYMMDD`.
    pub date: &'a str,
    /// The scope's service.
    pub service: &'a str,
    /// The `;`-separated signed header names.
    pub signed_headers: &'a str,
    /// The hex DER signature.
    pub signature: &'a str,
}

/// True when `value` is a SigV4a `Authorization` value.
pub(super) fn is_v4a_authorization(value: &str) -> bool {
    value
        .trim_start()
        .strip_prefix(ALGORITHM)
        .is_some_and(|rest| rest.starts_with(' '))
}

/// Splits `AKID/YYYYMMDD/service/aws4_request`.
fn parse_credential(credential: &str) -> Result<(&str, &str, &str), Error> {
    let mut parts = credential.rsplitn(4, '/');
    let terminator = parts.next().ok_or(malformed("empty credential"))?;
    let service = parts.next().ok_or(malformed("credential has no service"))?;
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
    if akid.is_empty() || service.is_empty() {
        return Err(malformed("empty part in the credential"));
    }
    Ok((akid, date, service))
}

fn check_signature_format(signature: &str) -> Result<(), Error> {
    // A DER P-256 signature is 8 to 72 bytes.
    let ok = (16..=144).contains(&signature.len())
        && signature.len().is_multiple_of(2)
        && signature
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if ok {
        Ok(())
    } else {
        Err(malformed("signature is not a hex DER ECDSA signature"))
    }
}

/// Parses a SigV4a `Authorization` header value.
///
/// ```
/// use sigv4::sign::verify::parse_authorization_v4a;
/// let a = parse_authorization_v4a(
///     "AWS4-ECDSA-P256-SHA256 Credential=AKID/20150830/s3/aws4_request, \
///      SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3044022000000000000000",
/// )?;
/// assert_eq!((a.access_key_id, a.date, a.service), ("AKID", "20150830", "s3"));
/// # Ok::<(), sigv4::sign::Error>(())
/// ```
pub fn parse_authorization(value: &str) -> Result<Authorization<'_>, Error> {
    let rest = value
        .trim()
        .strip_prefix(ALGORITHM)
        .filter(|r| r.starts_with(' '))
        .ok_or(malformed("not an AWS4-ECDSA-P256-SHA256 authorization"))?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (k, v) = part
            .trim()
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
    let (access_key_id, date, service) =
        parse_credential(credential.ok_or(malformed("authorization has no Credential"))?)?;
    let signed_headers = signed.ok_or(malformed("authorization has no SignedHeaders"))?;
    let signature = signature.ok_or(malformed("authorization has no Signature"))?;
    check_signature_format(signature)?;
    Ok(Authorization {
        access_key_id,
        date,
        service,
        signed_headers,
        signature,
    })
}

/// Checks the region set and service against the options; returns the rules.
fn settings_for(
    options: &VerifyOptions<'_>,
    region_set: &str,
    service: &str,
) -> Result<SigningSettings, Error> {
    if !is_valid_region_set(region_set) {
        return Err(malformed("X-Amz-Region-Set is not a region set"));
    }
    let region = match options.expected_region() {
        Some(r) if region_set_contains(region_set, r) => r,
        Some(_) => return Err(Error::WrongScope { part: "region" }),
        None => region_set,
    };
    options.settings_for(region, service)
}

fn payload_from_header(value: &str) -> Payload<'_> {
    use crate::sign::payload::{
        STREAMING_ECDSA_PAYLOAD, STREAMING_ECDSA_PAYLOAD_TRAILER, STREAMING_PAYLOAD,
        STREAMING_PAYLOAD_TRAILER, STREAMING_UNSIGNED_PAYLOAD_TRAILER, UNSIGNED_PAYLOAD,
    };
    match value {
        UNSIGNED_PAYLOAD => Payload::Unsigned,
        STREAMING_PAYLOAD => Payload::StreamingSigned,
        STREAMING_PAYLOAD_TRAILER => Payload::StreamingSignedTrailer,
        STREAMING_UNSIGNED_PAYLOAD_TRAILER => Payload::StreamingUnsignedTrailer,
        STREAMING_ECDSA_PAYLOAD => Payload::StreamingEcdsaSigned,
        STREAMING_ECDSA_PAYLOAD_TRAILER => Payload::StreamingEcdsaSignedTrailer,
        hex => Payload::Precomputed(hex),
    }
}

/// Verifies a request signed with SigV4a for the `Authorization` header.
///
/// The same checks as [`verify_headers`](super::verify_headers), and: the
/// `x-amz-region-set` header must be present once and signed, and contain
/// the verifier's region (when it expects one) or `*`.
/// [`Verified::region`] is the signed region set.
pub fn verify_headers<'s>(
    req: &SignableRequest<'_>,
    lookup: impl FnOnce(&str) -> Option<&'s str>,
    options: &VerifyOptions<'_>,
) -> Result<Verified, Error> {
    headers(req, lookup, options, &mut None)
}

/// [`verify_headers`], reporting a mismatch with the strings the server signed.
pub(super) fn verify_headers_detailed<'s>(
    req: &SignableRequest<'_>,
    lookup: impl FnOnce(&str) -> Option<&'s str>,
    options: &VerifyOptions<'_>,
) -> Result<Verified, Rejection> {
    with_details(|signed| headers(req, lookup, options, signed))
}

/// [`verify_presigned`], reporting a mismatch with the strings the server signed.
pub(super) fn verify_presigned_detailed<'s>(
    req: &SignableRequest<'_>,
    lookup: impl FnOnce(&str) -> Option<&'s str>,
    options: &VerifyOptions<'_>,
) -> Result<Verified, Rejection> {
    with_details(|signed| presigned(req, lookup, options, signed)).map_err(Rejection::in_query)
}

fn headers<'s>(
    req: &SignableRequest<'_>,
    lookup: impl FnOnce(&str) -> Option<&'s str>,
    options: &VerifyOptions<'_>,
    mismatch: &mut Signed,
) -> Result<Verified, Error> {
    for (name, repeated) in [
        (AUTHORIZATION, "repeated authorization header"),
        (X_AMZ_DATE, "repeated x-amz-date header"),
        (X_AMZ_CONTENT_SHA256, "repeated x-amz-content-sha256 header"),
        (X_AMZ_SECURITY_TOKEN, "repeated x-amz-security-token header"),
        (X_AMZ_REGION_SET, "repeated x-amz-region-set header"),
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
    let signed_names = || auth.signed_headers.split(';');
    let region_set =
        header_value(req, X_AMZ_REGION_SET).ok_or(malformed("no x-amz-region-set header"))?;
    if !signed_names().any(|n| n == X_AMZ_REGION_SET) {
        return Err(malformed("x-amz-region-set is not signed"));
    }
    let mut settings = settings_for(options, region_set, auth.service)?;
    options.check_skew(time)?;
    if !signed_names().any(|n| n == HOST) {
        return Err(malformed("host is not signed"));
    }
    options.check_amz_signed(req, auth.signed_headers)?;
    let payload = req.payload.unwrap_or(Payload::EMPTY);
    let filtered = signed_only(
        req,
        auth.signed_headers,
        &[
            X_AMZ_DATE,
            X_AMZ_SECURITY_TOKEN,
            X_AMZ_CONTENT_SHA256,
            X_AMZ_REGION_SET,
        ],
    )?;
    settings.content_sha256_header = signed_names().any(|n| n == X_AMZ_CONTENT_SHA256);
    let filtered = match (
        settings.content_sha256_header,
        header_value(req, X_AMZ_CONTENT_SHA256),
    ) {
        (true, Some(h)) => {
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
        region_set,
        auth.service,
        time,
    )
    .with_settings(settings);
    let prepared = header_signing::prepare(&filtered, &params)?;
    let same_list = equal(prepared.signed_headers(), auth.signed_headers);
    let valid = params
        .public_key()?
        .verify_prehash_hex(&prepared.details.string_to_sign_hash(), auth.signature);
    if !(valid & same_list) {
        let details = &prepared.details;
        *mismatch = Some((
            String::from(details.canonical_request()),
            details.string_to_sign(),
        ));
        return Err(Error::SignatureMismatch);
    }
    Ok(Verified::new(
        String::new(),
        auth.access_key_id,
        region_set,
        auth.service,
        time,
        auth.signed_headers,
        auth.signature,
        super::Kind {
            presigned: false,
            sigv4a: true,
        },
    ))
}

/// Verifies a SigV4a presigned request (the signature and
/// `X-Amz-Region-Set` in the query).
///
/// The same checks as [`verify_presigned`](super::verify_presigned), and:
/// `X-Amz-Region-Set` must be present and contain the verifier's region
/// (when it expects one) or `*`. [`Verified::region`] is the signed region set.
pub fn verify_presigned<'s>(
    req: &SignableRequest<'_>,
    lookup: impl FnOnce(&str) -> Option<&'s str>,
    options: &VerifyOptions<'_>,
) -> Result<Verified, Error> {
    presigned(req, lookup, options, &mut None)
}

fn presigned<'s>(
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
    for param in [
        Q_ALGORITHM,
        Q_CREDENTIAL,
        Q_DATE,
        Q_EXPIRES,
        Q_SIGNED_HEADERS,
        Q_SECURITY_TOKEN,
        Q_REGION_SET,
        Q_SIGNATURE,
    ] {
        let in_query = find(param)?;
        for &(n, v) in req.headers.iter() {
            if n.eq_ignore_ascii_case(param) && in_query.as_deref().map(str::as_bytes) != Some(v) {
                return Err(malformed("an X-Amz-* header disagrees with the query"));
            }
        }
    }
    if need(find(Q_ALGORITHM)?, "no X-Amz-Algorithm")? != ALGORITHM {
        return Err(malformed("X-Amz-Algorithm is not AWS4-ECDSA-P256-SHA256"));
    }
    let credential = need(find(Q_CREDENTIAL)?, "no X-Amz-Credential")?;
    let (akid, date, service) = parse_credential(&credential)?;
    let time = SigningTime::parse_amz_date(&need(find(Q_DATE)?, "no X-Amz-Date")?)?;
    if time.date_stamp() != date {
        return Err(malformed("X-Amz-Date does not match the credential date"));
    }
    let region_set = need(find(Q_REGION_SET)?, "no X-Amz-Region-Set")?;
    let settings = settings_for(options, &region_set, service)?;
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
    check_signature_format(&signature)?;
    let token = find(Q_SECURITY_TOKEN)?;
    options.check_amz_signed(req, &signed)?;
    let filtered = signed_only(req, &signed, &[])?;
    let secret = lookup(akid).ok_or(Error::UnknownAccessKey)?;
    let params =
        SigningParams::from_keys(akid, secret, token.as_deref(), &region_set, service, time)
            .with_settings(settings);
    let prepared = presign::prepare(&filtered, &params, Duration::from_secs(expires))?;
    let same_list = equal(prepared.signed_headers(), &signed);
    let valid = params
        .public_key()?
        .verify_prehash_hex(&prepared.details.string_to_sign_hash(), &signature);
    if !(valid & same_list) {
        let details = &prepared.details;
        *mismatch = Some((
            String::from(details.canonical_request()),
            details.string_to_sign(),
        ));
        return Err(Error::SignatureMismatch);
    }
    Ok(Verified::new(
        String::new(),
        akid,
        &region_set,
        service,
        time,
        &signed,
        &signature,
        super::Kind {
            presigned: true,
            sigv4a: true,
        },
    ))
}

impl super::VerifyChunks for crate::sign::v4a::chunked::ChunkVerifier {
    fn verify_chunk(&mut self, data: &[u8], signature: &[u8]) -> bool {
        crate::sign::v4a::chunked::ChunkVerifier::verify_chunk(self, data, signature)
    }
    fn verifies_sha256(&self) -> bool {
        true
    }
    fn verify_chunk_sha256(&mut self, sha256: &[u8; 32], signature: &[u8]) -> bool {
        crate::sign::v4a::chunked::ChunkVerifier::verify_chunk_sha256(self, sha256, signature)
    }
    fn verify_trailer(&mut self, trailers: &[(&str, &str)], signature: &[u8]) -> bool {
        crate::sign::v4a::chunked::ChunkVerifier::verify_trailer(self, trailers, signature)
    }
}
