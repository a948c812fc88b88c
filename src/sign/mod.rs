//! The signing core: `no_std` + `alloc`, no I/O, no clock.
//!
//! One file per step of the SigV4 specification:
//!
//! | step | file |
//! | --- | --- |
//! | the request to sign | [`request`] |
//! | URI encoding | [`encoding`] |
//! | canonical URI (path) | [`path`] |
//! | canonical query string | [`query`] |
//! | canonical headers and signed headers | [`headers`] |
//! | payload hash | [`payload`] |
//! | canonical request | [`canonical`] |
//! | credential scope and string to sign | [`scope`] |
//! | signing key and its cache | [`key`] |
//! | signing time | [`time`](mod@time) |
//! | aws-chunked streaming signatures | [`chunked`] |
//! | server-side verification | [`verify`] |
//! | header signing and presigning | this module ([`sign_headers`], [`presign`]) |
//!
//! ```
//! use sigv4::sign::{sign_headers, Payload, SignableRequest, SigningParams, SigningSettings, SigningTime};
//!
//! let time = SigningTime::parse_amz_date("20130524T000000Z")?;
//! let params = SigningParams::new(
//!     "AKIAIOSFODNN7EXAMPLE",
//!     "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
//!     "us-east-1",
//!     "s3",
//!     time,
//! )
//! .settings(SigningSettings::s3());
//! let req = SignableRequest::new("GET", "https://examplebucket.s3.amazonaws.com/test.txt")?
//!     .header("range", "bytes=0-9")
//!     .payload(Payload::EMPTY);
//! let signed = sign_headers(&req, &params)?;
//! assert_eq!(signed.signature(), "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
//! for (name, value) in signed.headers() {
//!     // add `name: value` to the outgoing request
//!     # let _ = (name, value);
//! }
//! # Ok::<(), sigv4::sign::Error>(())
//! ```

pub mod canonical;
pub mod chunked;
pub mod encoding;
mod error;
pub mod headers;
pub mod key;
pub mod path;
pub mod payload;
pub mod query;
pub mod request;
pub mod scope;
pub mod time;
pub mod verify;

pub use error::Error;
pub use key::{SigningKey, SigningKeyCache};
pub use path::UriEncoding;
pub use payload::{Payload, PayloadHash};
pub use request::SignableRequest;
pub use scope::Scope;
pub use time::SigningTime;

use alloc::string::String;
use alloc::vec::Vec;
use canonical::{write_canonical_request, Added, CanonicalHeaders};
use core::fmt;
use hmac::Mac;
use query::QueryParam;

/// The signature algorithm name.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// Longest presign expiry AWS accepts: 7 days.
pub const MAX_PRESIGN_EXPIRY_SECS: u64 = 604_800;

/// Whether the session token is part of the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SessionTokenMode {
    /// Signed like any other header or query parameter (the usual rule).
    #[default]
    Signed,
    /// Added to the request after signing, outside the signature (a few
    /// services, e.g. IoT, want this).
    AppendedAfterSigning,
}

/// Service-specific signing rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SigningSettings {
    /// How the path is encoded (double for most services, single for S3).
    pub uri_encoding: UriEncoding,
    /// Remove dot segments and empty segments from the path (not for S3).
    pub normalize_path: bool,
    /// Add and sign an `x-amz-content-sha256` header (header signing only).
    pub content_sha256_header: bool,
    /// Whether the session token is signed.
    pub session_token: SessionTokenMode,
}

impl SigningSettings {
    /// The general rules: double encoding, path normalization, no content header.
    pub const fn new() -> Self {
        SigningSettings {
            uri_encoding: UriEncoding::Double,
            normalize_path: true,
            content_sha256_header: false,
            session_token: SessionTokenMode::Signed,
        }
    }

    /// S3's rules: single encoding, no normalization, `x-amz-content-sha256` always.
    pub const fn s3() -> Self {
        SigningSettings {
            uri_encoding: UriEncoding::Single,
            normalize_path: false,
            content_sha256_header: true,
            session_token: SessionTokenMode::Signed,
        }
    }

    /// The rules for `service`: [`SigningSettings::s3`] for `s3` and
    /// `s3-object-lambda`, [`SigningSettings::new`] otherwise.
    pub fn for_service(service: &str) -> Self {
        if service == "s3" || service == "s3-object-lambda" || service == "s3express" {
            Self::s3()
        } else {
            Self::new()
        }
    }
}

impl Default for SigningSettings {
    fn default() -> Self {
        Self::new()
    }
}

/// Who signs, for which region and service, at what time, by which rules.
///
/// Borrowed and `Copy`. `Debug` never shows the secret or the session token.
#[derive(Clone, Copy)]
pub struct SigningParams<'a> {
    /// The access key id (`AKIA...` / `ASIA...`).
    pub access_key_id: &'a str,
    /// The secret access key.
    pub secret_access_key: &'a str,
    /// The session token of temporary credentials.
    pub session_token: Option<&'a str>,
    /// The region in the scope, e.g. `us-east-1`.
    pub region: &'a str,
    /// The service in the scope, e.g. `s3`.
    pub service: &'a str,
    /// The signing time.
    pub time: SigningTime,
    /// The service's rules.
    pub settings: SigningSettings,
    /// A signing-key cache to reuse keys across signatures.
    pub key_cache: Option<&'a SigningKeyCache>,
}

impl fmt::Debug for SigningParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningParams")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("session_token", &self.session_token.map(|_| "<redacted>"))
            .field("region", &self.region)
            .field("service", &self.service)
            .field("time", &self.time)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl<'a> SigningParams<'a> {
    /// Parameters with the general settings, no session token and no cache.
    pub fn new(
        access_key_id: &'a str,
        secret_access_key: &'a str,
        region: &'a str,
        service: &'a str,
        time: SigningTime,
    ) -> Self {
        SigningParams {
            access_key_id,
            secret_access_key,
            session_token: None,
            region,
            service,
            time,
            settings: SigningSettings::for_service(service),
            key_cache: None,
        }
    }

    /// Sets the session token.
    pub fn session_token(mut self, token: Option<&'a str>) -> Self {
        self.session_token = token;
        self
    }

    /// Sets the rules.
    pub fn settings(mut self, settings: SigningSettings) -> Self {
        self.settings = settings;
        self
    }

    /// Uses `cache` for the signing key.
    pub fn key_cache(mut self, cache: &'a SigningKeyCache) -> Self {
        self.key_cache = Some(cache);
        self
    }

    /// The credential scope.
    pub fn scope(&self) -> Scope<'a> {
        Scope {
            date: self.time,
            region: self.region,
            service: self.service,
        }
    }

    fn validate(&self) -> Result<(), Error> {
        self.scope().validate()?;
        if !scope::is_scope_part(self.access_key_id) {
            return Err(Error::InvalidScope {
                part: "access key id",
            });
        }
        if let Some(t) = self.session_token {
            if t.is_empty()
                || headers::check_value(t.as_bytes()).is_err()
                || t.contains(['\r', '\n'])
            {
                return Err(Error::InvalidSessionToken);
            }
        }
        Ok(())
    }

    fn mac(&self) -> key::HmacSha256 {
        let date = self.time.date_stamp();
        match self.key_cache {
            Some(c) => c.mac(self.secret_access_key, date, self.region, self.service),
            None => {
                SigningKey::derive(self.secret_access_key, date, self.region, self.service).mac()
            }
        }
    }

    /// Signs a canonical request whose SHA-256 is `creq_hash`; returns hex.
    fn signature(&self, creq_hash: &[u8; 64]) -> [u8; 64] {
        let mut mac = self.mac();
        scope::feed_string_to_sign(&mut |b| mac.update(b), &self.scope(), creq_hash);
        let sig: [u8; 32] = mac.finalize().into_bytes().into();
        let mut out = [0u8; 64];
        let _ = hex::encode_to_slice(sig, &mut out);
        out
    }
}

fn hash_hex(s: &str) -> [u8; 64] {
    use sha2::Digest;
    let mut out = [0u8; 64];
    let _ = hex::encode_to_slice(sha2::Sha256::digest(s.as_bytes()), &mut out);
    out
}

fn ascii(b: &[u8]) -> &str {
    // Only called on buffers filled with hex digits.
    core::str::from_utf8(b).unwrap_or("")
}

/// The result of header signing: the headers to add, and the intermediate
/// strings for debugging.
#[derive(Clone)]
pub struct HeaderSignature<'a> {
    authorization: String,
    signed_headers: core::ops::Range<usize>,
    canonical_request: String,
    creq_hash: [u8; 64],
    scope: Scope<'a>,
    session_token: Option<&'a str>,
    content_sha256: Option<PayloadHash>,
}

impl fmt::Debug for HeaderSignature<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeaderSignature")
            .field("authorization", &self.authorization)
            .field("x_amz_date", &self.amz_date())
            .field("session_token", &self.session_token.map(|_| "<redacted>"))
            .field("content_sha256", &self.content_sha256)
            .finish_non_exhaustive()
    }
}

impl<'a> HeaderSignature<'a> {
    /// The headers to set on the request, in this order: `x-amz-security-token`
    /// (with a session token), `x-amz-date`, `x-amz-content-sha256` (when the
    /// settings ask for it), `authorization`. Each replaces any existing
    /// header of the same name.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        [
            self.session_token.map(|t| ("x-amz-security-token", t)),
            Some(("x-amz-date", self.amz_date())),
            self.content_sha256
                .as_ref()
                .map(|h| ("x-amz-content-sha256", h.as_str())),
            Some(("authorization", self.authorization.as_str())),
        ]
        .into_iter()
        .flatten()
    }

    /// The `Authorization` header value.
    pub fn authorization(&self) -> &str {
        &self.authorization
    }

    /// The hex signature.
    pub fn signature(&self) -> &str {
        let n = self.authorization.len();
        &self.authorization[n.saturating_sub(64)..]
    }

    /// The `X-Amz-Date` value.
    pub fn amz_date(&self) -> &str {
        self.scope.date.amz_date()
    }

    /// The signed headers list, `;`-separated.
    pub fn signed_headers(&self) -> &str {
        self.canonical_request
            .get(self.signed_headers.clone())
            .unwrap_or("")
    }

    /// The canonical request that was signed.
    pub fn canonical_request(&self) -> &str {
        &self.canonical_request
    }

    /// The string to sign (built on demand).
    pub fn string_to_sign(&self) -> String {
        scope::string_to_sign(&self.scope, &self.creq_hash)
    }

    /// The credential scope.
    pub fn scope(&self) -> &Scope<'a> {
        &self.scope
    }
}

/// Signs `req` for the `Authorization` header.
///
/// Returns the headers to add; the request's own `x-amz-date` (and
/// `x-amz-security-token` / `x-amz-content-sha256` when the signer sets them)
/// are replaced, never signed twice.
pub fn sign_headers<'a>(
    req: &SignableRequest<'_>,
    params: &SigningParams<'a>,
) -> Result<HeaderSignature<'a>, Error> {
    params.validate()?;
    let payload = req.payload.resolve()?;
    let settings = &params.settings;
    let content_sha256 = settings.content_sha256_header.then_some(payload);
    let signed_token = match settings.session_token {
        SessionTokenMode::Signed => params.session_token,
        SessionTokenMode::AppendedAfterSigning => None,
    };
    let mut replaced: [&str; 3] = ["x-amz-date", "", ""];
    if params.session_token.is_some() {
        replaced[1] = "x-amz-security-token";
    }
    if content_sha256.is_some() {
        replaced[2] = "x-amz-content-sha256";
    }
    let added = Added {
        amz_date: Some(params.time.amz_date()),
        security_token: signed_token,
        content_sha256: content_sha256.as_ref().map(PayloadHash::as_str),
        replaced: &replaced,
    };
    let headers = CanonicalHeaders::new(req, &added)?;
    let mut creq =
        String::with_capacity(256 + req.path.len() + req.query.len() + 48 * req.headers.len());
    let signed_range = write_canonical_request(&mut creq, req, settings, &headers, &[], &payload);
    let creq_hash = hash_hex(&creq);
    let signature = params.signature(&creq_hash);

    let scope = params.scope();
    let signed = creq.get(signed_range.clone()).unwrap_or("");
    let mut auth = String::with_capacity(
        ALGORITHM.len() + 64 + params.access_key_id.len() + scope.len() + signed.len() + 64,
    );
    auth.push_str(ALGORITHM);
    auth.push_str(" Credential=");
    auth.push_str(params.access_key_id);
    auth.push('/');
    scope.write(&mut auth);
    auth.push_str(", SignedHeaders=");
    auth.push_str(signed);
    auth.push_str(", Signature=");
    auth.push_str(ascii(&signature));
    Ok(HeaderSignature {
        authorization: auth,
        signed_headers: signed_range,
        canonical_request: creq,
        creq_hash,
        scope,
        session_token: params.session_token,
        content_sha256,
    })
}

/// The result of presigning: query parameters to add to the URL.
#[derive(Clone)]
pub struct PresignedQuery<'a> {
    /// Unencoded parameter values, back to back; `params` indexes into it.
    values: String,
    params: [(&'static str, core::ops::Range<usize>); 7],
    nparams: usize,
    uri: String,
    query_start: usize,
    canonical_request: String,
    creq_hash: [u8; 64],
    scope: Scope<'a>,
    expires_in: u64,
}

impl fmt::Debug for PresignedQuery<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URI carries the session token: show only the parameter names.
        f.debug_struct("PresignedQuery")
            .field("params", &self.params().map(|(k, _)| k).collect::<Vec<_>>())
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

impl<'a> PresignedQuery<'a> {
    /// The added parameters, unencoded, in the order they are appended:
    /// `X-Amz-Algorithm`, `-Credential`, `-Date`, `-SignedHeaders`,
    /// `-Expires`, `-Security-Token` (with a session token), `-Signature`.
    pub fn params(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        self.params[..self.nparams]
            .iter()
            .map(|(k, r)| (*k, self.values.get(r.clone()).unwrap_or("")))
    }

    /// The full query string to send (without `?`): the request's own
    /// parameters as they were, then the added ones, encoded.
    pub fn query_string(&self) -> &str {
        self.uri.get(self.query_start..).unwrap_or("")
    }

    /// The presigned URI: absolute (`scheme://authority/path?query`) when
    /// the request was built from an absolute URI, else `/path?query`.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The hex signature.
    pub fn signature(&self) -> &str {
        self.params().last().map_or("", |(_, v)| v)
    }

    /// Seconds the URL stays valid.
    pub fn expires_in(&self) -> u64 {
        self.expires_in
    }

    /// When the URL stops being valid.
    pub fn expires_at(&self) -> Result<SigningTime, Error> {
        self.scope.date.checked_add_seconds(self.expires_in as i64)
    }

    /// The canonical request that was signed.
    pub fn canonical_request(&self) -> &str {
        &self.canonical_request
    }

    /// The string to sign (built on demand).
    pub fn string_to_sign(&self) -> String {
        scope::string_to_sign(&self.scope, &self.creq_hash)
    }

    /// The credential scope.
    pub fn scope(&self) -> &Scope<'a> {
        &self.scope
    }
}

/// Presigns `req`: the signature goes into query parameters valid for
/// `expires_in_secs` seconds (1 ..= 604800).
///
/// Any `X-Amz-*` presign parameter already in the query is replaced. The
/// payload is signed as given (use [`Payload::Unsigned`] for S3 URLs); no
/// `x-amz-content-sha256` header is added. Headers in the request (besides
/// `host`) are signed and must be sent by whoever uses the URL.
pub fn presign<'a>(
    req: &SignableRequest<'_>,
    params: &SigningParams<'a>,
    expires_in_secs: u64,
) -> Result<PresignedQuery<'a>, Error> {
    if !(1..=MAX_PRESIGN_EXPIRY_SECS).contains(&expires_in_secs) {
        return Err(Error::InvalidExpiry {
            seconds: expires_in_secs,
        });
    }
    params.validate()?;
    let payload = req.payload.resolve()?;
    let settings = &params.settings;
    let token_name = if params.session_token.is_some() {
        "x-amz-security-token"
    } else {
        ""
    };
    let replaced: [&str; 2] = ["x-amz-date", token_name];
    let added = Added {
        amz_date: None,
        security_token: None,
        content_sha256: None,
        replaced: &replaced,
    };
    let headers = CanonicalHeaders::new(req, &added)?;
    let scope = params.scope();
    let expires_buf = itoa_buf(expires_in_secs);
    let expires = expires_buf.as_str();
    let token = params.session_token.unwrap_or("");

    // All parameter values in one buffer, in output order.
    let mut values = String::with_capacity(
        ALGORITHM.len()
            + params.access_key_id.len()
            + 1
            + scope.len()
            + 16
            + 32 * (req.headers.len() + 1)
            + expires.len()
            + token.len()
            + 64,
    );
    let mut ranges: [(&'static str, core::ops::Range<usize>); 7] = Default::default();
    type Ranges = [(&'static str, core::ops::Range<usize>); 7];
    fn put(
        values: &mut String,
        ranges: &mut Ranges,
        i: usize,
        name: &'static str,
        write: &dyn Fn(&mut String),
    ) {
        let start = values.len();
        write(values);
        ranges[i] = (name, start..values.len());
    }
    put(&mut values, &mut ranges, 0, "X-Amz-Algorithm", &|v| {
        v.push_str(ALGORITHM)
    });
    put(&mut values, &mut ranges, 1, "X-Amz-Credential", &|v| {
        v.push_str(params.access_key_id);
        v.push('/');
        scope.write(v);
    });
    put(&mut values, &mut ranges, 2, "X-Amz-Date", &|v| {
        v.push_str(params.time.amz_date())
    });
    put(&mut values, &mut ranges, 3, "X-Amz-SignedHeaders", &|v| {
        headers.write_signed(v)
    });
    put(&mut values, &mut ranges, 4, "X-Amz-Expires", &|v| {
        v.push_str(expires)
    });
    let mut n = 5;
    if params.session_token.is_some() {
        put(&mut values, &mut ranges, 5, "X-Amz-Security-Token", &|v| {
            v.push_str(token)
        });
        n = 6;
    }

    let mut creq =
        String::with_capacity(512 + req.path.len() + req.query.len() + 48 * req.headers.len());
    {
        let value = |i: usize| values.get(ranges[i].1.clone()).unwrap_or("");
        let mut extra: smallvec::SmallVec<[QueryParam<'_>; 6]> = smallvec::SmallVec::new();
        for i in [0, 1, 2, 4, 3] {
            extra.push(QueryParam::literal(ranges[i].0, value(i)));
        }
        if n == 6 && settings.session_token == SessionTokenMode::Signed {
            extra.push(QueryParam::literal(ranges[5].0, value(5)));
        }
        write_canonical_request(&mut creq, req, settings, &headers, &extra, &payload);
    }
    let creq_hash = hash_hex(&creq);
    let signature = params.signature(&creq_hash);
    put(&mut values, &mut ranges, n, "X-Amz-Signature", &|v| {
        v.push_str(ascii(&signature))
    });
    let nparams = n + 1;

    // Render the URI: origin, path, the request's own query minus replaced params, then ours.
    let (origin_len, path_extra) = match req.origin() {
        Some((s, a)) => (s.len() + 3 + a.len(), 1),
        None => (0, 1),
    };
    let mut uri = String::with_capacity(
        origin_len + path_extra + req.path.len() + req.query.len() + 2 + 3 * values.len() + 160,
    );
    if let Some((scheme, authority)) = req.origin() {
        uri.push_str(scheme);
        uri.push_str("://");
        uri.push_str(authority);
    }
    if !req.path.starts_with('/') {
        uri.push('/');
    }
    uri.push_str(&req.path);
    uri.push('?');
    let query_start = uri.len();
    for piece in req.query.split('&').filter(|p| !p.is_empty()) {
        let key = piece.split_once('=').map_or(piece, |(k, _)| k);
        if canonical::PRESIGN_PARAMS.contains(&key) {
            continue;
        }
        uri.push_str(piece);
        uri.push('&');
    }
    for (i, (k, r)) in ranges[..nparams].iter().enumerate() {
        if i > 0 {
            uri.push('&');
        }
        uri.push_str(k);
        uri.push('=');
        encoding::encode_into(
            &mut uri,
            values.get(r.clone()).unwrap_or(""),
            encoding::Input::Literal,
            false,
        );
    }
    Ok(PresignedQuery {
        values,
        params: ranges,
        nparams,
        uri,
        query_start,
        canonical_request: creq,
        creq_hash,
        scope,
        expires_in: expires_in_secs,
    })
}

/// A decimal number rendered on the stack.
struct ItoaBuf {
    buf: [u8; 20],
    start: usize,
}

impl ItoaBuf {
    fn as_str(&self) -> &str {
        core::str::from_utf8(&self.buf[self.start..]).unwrap_or("0")
    }
}

fn itoa_buf(mut v: u64) -> ItoaBuf {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    ItoaBuf { buf, start: i }
}
