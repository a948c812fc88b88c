//! Header signing: the `Authorization`, `x-amz-date` and related headers.

use alloc::string::String;
use core::fmt;

use super::canonical_request::{write_hashing, Added, CanonicalHeaders, SignerQuery};
use super::header_rules::{self, Token};
use super::lower_hex;
use super::names::{AUTHORIZATION, X_AMZ_CONTENT_SHA256, X_AMZ_DATE, X_AMZ_SECURITY_TOKEN};
use super::request::Header;
use super::sha256::Streaming;
use super::signature::{
    ascii, authorization_len, sign_hash, write_authorization_start, SigningDetails,
};
use super::{Error, Payload, PayloadHash, SessionTokenMode, SignableRequest, SigningParams};

/// The result of header signing: the headers to add, and (through
/// [`SigningDetails`], which it dereferences to) the intermediate strings
/// for debugging.
#[derive(Clone)]
pub struct HeaderSignature<'a> {
    authorization: String,
    signed_headers: core::ops::Range<usize>,
    details: SigningDetails<'a>,
    session_token: Option<&'a str>,
    /// The session token when it came from the caller's header only.
    caller_token: Option<String>,
    content_sha256: Option<PayloadHash>,
}

impl fmt::Debug for HeaderSignature<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeaderSignature")
            .field("authorization", &self.authorization)
            .field("x_amz_date", &self.amz_date())
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

    /// The headers to set on the request, in this order: `x-amz-security-token`
    /// (with a session token), `x-amz-date`, `x-amz-content-sha256` (when the
    /// settings ask for it or the caller set it), `authorization`. Each replaces any existing
    /// header of the same name.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        [
            self.token().map(|t| (X_AMZ_SECURITY_TOKEN, t)),
            Some((X_AMZ_DATE, self.amz_date())),
            self.content_sha256
                .as_ref()
                .map(|h| (X_AMZ_CONTENT_SHA256, h.as_str())),
            Some((AUTHORIZATION, self.authorization.as_str())),
        ]
        .into_iter()
        .flatten()
    }

    /// The `Authorization` header value.
    pub fn authorization(&self) -> &str {
        &self.authorization
    }

    /// The `Authorization` header value as an owned `String`: the result's
    /// own buffer, handed over without a copy. This consumes the result:
    /// the other headers to send (`x-amz-date` always, the session token
    /// and payload hash when present) are taken from
    /// [`headers`](Self::headers) before.
    ///
    /// ```
    /// use sigv4::sign::{sign_headers, Payload, SignableRequest, SigningParams, SigningTime};
    /// use sigv4::Credentials;
    ///
    /// let credentials = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    /// let params = SigningParams::new(&credentials, "us-east-1", "s3",
    ///     SigningTime::parse_amz_date("20130524T000000Z")?);
    /// let req = SignableRequest::new("GET", "https://examplebucket.s3.amazonaws.com/test.txt")?
    ///     .header("range", "bytes=0-9")
    ///     .payload(Payload::EMPTY);
    /// let signed = sign_headers(&req, &params)?;
    /// let borrowed = signed.authorization().to_owned();
    /// let others: Vec<(&str, String)> = signed
    ///     .headers()
    ///     .filter(|(name, _)| *name != "authorization")
    ///     .map(|(name, value)| (name, value.to_owned()))
    ///     .collect();
    /// assert_eq!(others[0], ("x-amz-date", "20130524T000000Z".to_owned()));
    /// let authorization: String = signed.into_authorization();
    /// assert_eq!(authorization, borrowed);
    /// assert!(authorization.ends_with("Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
    /// # Ok::<(), sigv4::sign::Error>(())
    /// ```
    pub fn into_authorization(self) -> String {
        self.authorization
    }

    /// The hex signature.
    pub fn signature(&self) -> &str {
        let n = self.authorization.len();
        &self.authorization[n.saturating_sub(64)..]
    }

    /// The signed headers list, `;`-separated.
    pub fn signed_headers(&self) -> &str {
        self.details
            .canonical_request
            .get(self.signed_headers.clone())
            .unwrap_or("")
    }
}

/// Signs `req` for the `Authorization` header.
///
/// Returns the headers to add; each replaces the request's header of the
/// same name. Signing headers the request already carries follow the rules
/// of [`header_rules`](mod@super::header_rules): its `x-amz-content-sha256` is
/// the payload hash signed, its `x-amz-date` is replaced, its
/// `x-amz-security-token` is the session token when the credentials have
/// none, its `authorization` is never signed.
///
/// ```
/// use sigv4::sign::{sign_headers, SignableRequest, SigningParams, SigningTime};
/// use sigv4::Credentials;
///
/// let credentials = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
/// let params = SigningParams::new(&credentials, "us-east-1", "iam",
///     SigningTime::parse_amz_date("20150830T123600Z")?);
/// let req = SignableRequest::new("GET", "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08")?
///     .header("content-type", "application/x-www-form-urlencoded; charset=utf-8");
/// let signed = sign_headers(&req, &params)?;
/// assert_eq!(signed.signature(), "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
/// assert_eq!(signed.signed_headers(), "content-type;host;x-amz-date");
/// # Ok::<(), sigv4::sign::Error>(())
/// ```
pub fn sign_headers<'a>(
    req: &SignableRequest<'_>,
    params: &SigningParams<'a>,
) -> Result<HeaderSignature<'a>, Error> {
    let mut creq =
        String::with_capacity(256 + req.path.len() + req.query.len() + 48 * req.headers.len());
    let written = write_parts(req, &req.headers, req.payload, params, &mut creq)?;
    let signed = creq.get(written.signed_headers.clone()).unwrap_or("");
    let mut auth = String::with_capacity(authorization_len(params, signed));
    // Written while the processor is still hashing the canonical request.
    write_authorization_start(&mut auth, params, signed);
    let core = written.sign(params, &creq);
    auth.push_str(ascii(&core.signature));
    let details = SigningDetails::with_hash(creq, core.creq_hash, params.scope());
    Ok(HeaderSignature {
        authorization: auth,
        signed_headers: core.signed_headers,
        details,
        session_token: params.session_token,
        caller_token: match core.token {
            Token::Caller(t) => Some(t.into()),
            _ => None,
        },
        content_sha256: core.content_sha256,
    })
}

/// Signs `req` with no allocation of its own: the canonical request is
/// written into `scratch` (cleared first; keep it between calls and its
/// capacity is reused), the `Authorization` value is appended to `out`.
/// Returns the other headers to set, borrowed from the request and the
/// parameters.
///
/// For callers who sign many requests and want no allocation per
/// signature; [`sign_headers`] is the same signature with the intermediate
/// strings kept. `scratch` then holds the canonical request, which
/// carries the session token when one is signed: treat it like the
/// credentials.
///
/// ```
/// use sigv4::sign::{write_authorization, Payload, SignableRequest, SigningParams, SigningTime};
/// use sigv4::Credentials;
///
/// let credentials = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
/// let params = SigningParams::new(&credentials, "us-east-1", "iam",
///     SigningTime::parse_amz_date("20150830T123600Z")?);
/// let (mut scratch, mut authorization) = (String::new(), String::new());
/// for _ in 0..2 {
///     let req = SignableRequest::new("GET", "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08")?
///         .header("content-type", "application/x-www-form-urlencoded; charset=utf-8");
///     authorization.clear();
///     let headers = write_authorization(&req, &params, &mut scratch, &mut authorization)?;
///     assert!(authorization.ends_with("Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"));
///     assert_eq!(headers.amz_date(), "20150830T123600Z");
///     assert_eq!(headers.iter().count(), 1); // x-amz-date only
/// }
/// # Ok::<(), sigv4::sign::Error>(())
/// ```
pub fn write_authorization<'r>(
    req: &'r SignableRequest<'_>,
    params: &'r SigningParams<'_>,
    scratch: &mut String,
    out: &mut String,
) -> Result<AddedHeaders<'r>, Error> {
    scratch.clear();
    let written = write_parts(req, &req.headers, req.payload, params, scratch)?;
    let signed = scratch.get(written.signed_headers.clone()).unwrap_or("");
    write_authorization_start(out, params, signed);
    let core = written.sign(params, scratch);
    out.push_str(ascii(&core.signature));
    Ok(AddedHeaders {
        amz_date: params.time.amz_date(),
        token: core.token.value(),
        content_sha256: core.content_sha256,
    })
}

/// The headers [`write_authorization`] asks to set besides `authorization`
/// (each replaces the request's header of the same name).
#[derive(Clone)]
pub struct AddedHeaders<'r> {
    amz_date: &'r str,
    token: Option<&'r str>,
    content_sha256: Option<PayloadHash>,
}

impl fmt::Debug for AddedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AddedHeaders")
            .field("x_amz_date", &self.amz_date)
            .field("session_token", &self.token.map(|_| "<redacted>"))
            .field("content_sha256", &self.content_sha256)
            .finish()
    }
}

impl AddedHeaders<'_> {
    /// The `x-amz-date` value.
    pub fn amz_date(&self) -> &str {
        self.amz_date
    }

    /// `x-amz-security-token` (with a session token), `x-amz-date`,
    /// `x-amz-content-sha256` (when the settings ask for it or the caller
    /// set it), in that order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        [
            self.token.map(|t| (X_AMZ_SECURITY_TOKEN, t)),
            Some((X_AMZ_DATE, self.amz_date)),
            self.content_sha256
                .as_ref()
                .map(|h| (X_AMZ_CONTENT_SHA256, h.as_str())),
        ]
        .into_iter()
        .flatten()
    }
}

/// What a header signature produced besides the canonical request.
pub(crate) struct Core<'r> {
    pub(crate) signature: [u8; 64],
    pub(crate) creq_hash: [u8; 64],
    /// Where the signed headers list is in the canonical request.
    pub(crate) signed_headers: core::ops::Range<usize>,
    pub(crate) token: Token<'r>,
    pub(crate) content_sha256: Option<PayloadHash>,
}

/// The header signature of `req` with `headers` and `payload` in place of
/// its own (the verifier signs the signed headers only, without copying
/// the request), its canonical request appended to `creq`.
#[inline]
pub(crate) fn sign_parts<'r>(
    req: &'r SignableRequest<'_>,
    headers: &'r [Header<'_>],
    payload: Option<Payload<'_>>,
    params: &SigningParams<'r>,
    creq: &mut String,
) -> Result<Core<'r>, Error> {
    Ok(write_parts(req, headers, payload, params, creq)?.sign(params, creq))
}

/// A canonical request written, its hash begun: what is left of a header
/// signature is [`sign`](Self::sign). Callers write what does not depend on
/// the signature (the `Authorization` value's start) in between, which the
/// processor overlaps with the hashing.
pub(crate) struct Written<'r> {
    hash: Streaming,
    /// Where the canonical request starts in the buffer.
    start: usize,
    /// Where the signed headers list is in the canonical request's buffer.
    pub(crate) signed_headers: core::ops::Range<usize>,
    token: Token<'r>,
    content_sha256: Option<PayloadHash>,
}

impl<'r> Written<'r> {
    /// Finishes the hash of the canonical request in `creq` (the buffer it
    /// was written to) and signs it.
    pub(crate) fn sign(self, params: &SigningParams<'_>, creq: &str) -> Core<'r> {
        let whole = creq.as_bytes().get(self.start..).unwrap_or(&[]);
        let creq_hash = lower_hex::hex32(&self.hash.finish(whole));
        Core {
            signature: sign_hash(params, &creq_hash),
            creq_hash,
            signed_headers: self.signed_headers,
            token: self.token,
            content_sha256: self.content_sha256,
        }
    }
}

/// Writes the canonical request of `req` (with `headers` and `payload`) into
/// `creq`, hashing its whole blocks as they are written.
#[inline]
fn write_parts<'r>(
    req: &'r SignableRequest<'_>,
    headers: &'r [Header<'_>],
    payload: Option<Payload<'_>>,
    params: &SigningParams<'r>,
    creq: &mut String,
) -> Result<Written<'r>, Error> {
    params.validate()?;
    let (payload, from_header) = header_rules::payload_hash_of(headers, payload)?;
    let token = header_rules::session_token_of(headers, params.session_token)?;
    let settings = &params.settings;
    // Sent (and signed) once whenever the service wants it or the caller set it.
    let content_sha256 = (settings.content_sha256_header || from_header).then_some(payload);
    let signed_token = match settings.session_token {
        SessionTokenMode::Signed => token.value(),
        SessionTokenMode::AppendedAfterSigning => None,
    };
    let mut replaced: [&str; 3] = [X_AMZ_DATE, "", ""];
    if token.value().is_some() {
        replaced[1] = X_AMZ_SECURITY_TOKEN;
    }
    if content_sha256.is_some() {
        replaced[2] = X_AMZ_CONTENT_SHA256;
    }
    let added = Added {
        amz_date: Some(params.time.amz_date()),
        security_token: signed_token,
        content_sha256: content_sha256.as_ref().map(PayloadHash::as_str),
        region_set: None,
        replaced: &replaced,
    };
    let mut canonical = CanonicalHeaders::empty();
    canonical.fill(headers, req.signed_authority_host(), &added)?;
    let start = creq.len();
    let (signed_headers, hash) = write_hashing(
        creq,
        req,
        settings,
        &canonical,
        SignerQuery::none(),
        &payload,
    );
    Ok(Written {
        hash,
        start,
        signed_headers,
        token,
        content_sha256,
    })
}
