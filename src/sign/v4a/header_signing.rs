//! SigV4a header signing: `Authorization`, `x-amz-date`, `x-amz-region-set`
//! and the related headers.

use alloc::string::String;
use core::fmt;

use super::key::MAX_SIGNATURE_HEX;
use super::string_to_sign::SigningDetails;
use super::{SigningParams, ALGORITHM};
use crate::sign::canonical_request::{write_canonical_request, Added, CanonicalHeaders};
use crate::sign::header_rules::{self, Token};
use crate::sign::names::{
    AUTHORIZATION, X_AMZ_CONTENT_SHA256, X_AMZ_DATE, X_AMZ_REGION_SET, X_AMZ_SECURITY_TOKEN,
};
use crate::sign::{Error, PayloadHash, SessionTokenMode, SignableRequest};

/// The result of SigV4a header signing: the headers to add, and (through
/// [`SigningDetails`], which it dereferences to) the intermediate strings.
#[derive(Clone)]
pub struct HeaderSignature<'a> {
    authorization: String,
    signature_start: usize,
    signed_headers: core::ops::Range<usize>,
    details: SigningDetails<'a>,
    session_token: Option<&'a str>,
    caller_token: Option<String>,
    content_sha256: Option<PayloadHash>,
}

impl fmt::Debug for HeaderSignature<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeaderSignature")
            .field("authorization", &self.authorization)
            .field("x_amz_date", &self.amz_date())
            .field("x_amz_region_set", &self.details.region_set)
            .field("session_token", &self.token().map(|_| "<redacted>"))
            .field("content_sha256", &self.content_sha256)
            .finish_non_exhaustive()
    }
}

impl<'a> core::ops::Deref for HeaderSignature<'a> {
    type Target = SigningDetails<'a>;
    fn deref(&self) -> &SigningDetails<'a> {
        &self.details
    }
}

impl HeaderSignature<'_> {
    fn token(&self) -> Option<&str> {
        self.session_token.or(self.caller_token.as_deref())
    }

    /// The headers to set on the request, in this order:
    /// `x-amz-security-token` (with a session token), `x-amz-date`,
    /// `x-amz-region-set`, `x-amz-content-sha256` (when the settings ask for
    /// it or the caller set it), `authorization`. Each replaces any existing
    /// header of the same name.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        [
            self.token().map(|t| (X_AMZ_SECURITY_TOKEN, t)),
            Some((X_AMZ_DATE, self.amz_date())),
            Some((X_AMZ_REGION_SET, self.details.region_set)),
            self.content_sha256
                .as_ref()
                .map(|h| (X_AMZ_CONTENT_SHA256, h.as_str())),
            Some((AUTHORIZATION, self.authorization.as_str())),
        ]
        .into_iter()
        .flatten()
    }

    /// The `Authorization` header value:
    /// `AWS4-ECDSA-P256-SHA256 Credential=AKID/date/service/aws4_request, SignedHeaders=..., Signature=...`.
    pub fn authorization(&self) -> &str {
        &self.authorization
    }

    /// The signature: DER-encoded ECDSA, in hex (140 to 144 digits).
    pub fn signature(&self) -> &str {
        self.authorization.get(self.signature_start..).unwrap_or("")
    }

    /// The signed headers list, `;`-separated.
    pub fn signed_headers(&self) -> &str {
        self.details
            .canonical_request
            .get(self.signed_headers.clone())
            .unwrap_or("")
    }
}

/// The canonical request of a header-signed request, before the signature.
pub(crate) struct Prepared<'a> {
    pub(crate) details: SigningDetails<'a>,
    pub(crate) signed_headers: core::ops::Range<usize>,
    caller_token: Option<String>,
    content_sha256: Option<PayloadHash>,
}

impl Prepared<'_> {
    pub(crate) fn signed_headers(&self) -> &str {
        self.details
            .canonical_request
            .get(self.signed_headers.clone())
            .unwrap_or("")
    }
}

/// Builds the canonical request (through the SigV4 builder, with
/// `x-amz-region-set` among the signer's headers).
pub(crate) fn prepare<'a>(
    req: &SignableRequest<'_>,
    params: &SigningParams<'a>,
) -> Result<Prepared<'a>, Error> {
    params.validate()?;
    let (payload, from_header) = header_rules::payload_hash(req)?;
    let token = header_rules::session_token(req, params.session_token)?;
    let settings = &params.settings;
    let content_sha256 = (settings.content_sha256_header || from_header).then_some(payload);
    let signed_token = match settings.session_token {
        SessionTokenMode::Signed => token.value(),
        SessionTokenMode::AppendedAfterSigning => None,
    };
    let mut replaced: [&str; 4] = [X_AMZ_DATE, X_AMZ_REGION_SET, "", ""];
    if token.value().is_some() {
        replaced[2] = X_AMZ_SECURITY_TOKEN;
    }
    if content_sha256.is_some() {
        replaced[3] = X_AMZ_CONTENT_SHA256;
    }
    let added = Added {
        amz_date: Some(params.time.amz_date()),
        security_token: signed_token,
        content_sha256: content_sha256.as_ref().map(PayloadHash::as_str),
        region_set: Some(params.region_set),
        replaced: &replaced,
    };
    let headers = CanonicalHeaders::new(req, &added)?;
    let mut creq =
        String::with_capacity(288 + req.path.len() + req.query.len() + 48 * req.headers.len());
    let signed_range = write_canonical_request(&mut creq, req, settings, &headers, &[], &payload);
    Ok(Prepared {
        details: SigningDetails::new(creq, params.scope(), params.region_set),
        signed_headers: signed_range,
        caller_token: match token {
            Token::Caller(t) => Some(t.into()),
            _ => None,
        },
        content_sha256,
    })
}

/// Signs `req` with SigV4a for the `Authorization` header.
///
/// The same rules as [`crate::sign::sign_headers`] for the headers the
/// request already carries; `x-amz-region-set` is added and signed (a
/// caller's own is replaced). The key pair comes from the parameters' cache
/// (derived once per access key), the signature is deterministic ECDSA
/// (RFC 6979) over P-256 with SHA-256, DER-encoded in hex.
///
/// ```
/// use sigv4::sign::v4a::{sign_headers, SigningParams};
/// use sigv4::sign::{Payload, SignableRequest, SigningTime};
/// use sigv4::Credentials;
///
/// let credentials = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
/// let params = SigningParams::new(&credentials, "us-east-1,us-west-2", "s3",
///     SigningTime::parse_amz_date("20150830T123600Z")?);
/// let req = SignableRequest::new("GET", "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/key")?
///     .payload(Payload::Unsigned);
/// let signed = sign_headers(&req, &params)?;
/// assert!(signed.authorization().starts_with(
///     "AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/s3/aws4_request, \
///      SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-region-set, Signature=30"));
/// assert!(signed.headers().any(|h| h == ("x-amz-region-set", "us-east-1,us-west-2")));
/// // Anyone with the public key can check it.
/// let public = params.key()?.public_key();
/// assert!(public.verify_message(signed.string_to_sign().as_bytes(), signed.signature()));
/// # Ok::<(), sigv4::sign::Error>(())
/// ```
pub fn sign_headers<'a>(
    req: &SignableRequest<'_>,
    params: &SigningParams<'a>,
) -> Result<HeaderSignature<'a>, Error> {
    let prepared = prepare(req, params)?;
    let key = params.key()?;
    // Straight into a stack buffer: no allocation for the signature.
    let mut sig_buf = [0u8; MAX_SIGNATURE_HEX];
    let sig_len = key.sign_prehash_into(&prepared.details.string_to_sign_hash(), &mut sig_buf);
    let signature = core::str::from_utf8(&sig_buf[..sig_len]).map_err(|_| Error::KeyDerivation)?;
    let scope = prepared.details.scope;
    let signed = prepared.signed_headers();
    let mut authorization = String::with_capacity(
        ALGORITHM.len()
            + 48
            + params.access_key_id.len()
            + scope.len()
            + signed.len()
            + signature.len(),
    );
    authorization.push_str(ALGORITHM);
    authorization.push_str(" Credential=");
    authorization.push_str(params.access_key_id);
    authorization.push('/');
    scope.write(&mut authorization);
    authorization.push_str(", SignedHeaders=");
    authorization.push_str(signed);
    authorization.push_str(", Signature=");
    let signature_start = authorization.len();
    authorization.push_str(signature);
    Ok(HeaderSignature {
        authorization,
        signature_start,
        signed_headers: prepared.signed_headers,
        details: prepared.details,
        session_token: params.session_token,
        caller_token: prepared.caller_token,
        content_sha256: prepared.content_sha256,
    })
}
