//! SigV4a presigning: the signature and `X-Amz-Region-Set` in `X-Amz-*`
//! query parameters, and the URI that carries them.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use super::string_to_sign::SigningDetails;
use super::{SigningParams, ALGORITHM};
use crate::sign::canonical_query::QueryParam;
use crate::sign::canonical_request::{write_canonical_request, Added, CanonicalHeaders};
use crate::sign::encoding::{self, Decimal};
use crate::sign::header_rules;
use crate::sign::names::{
    PRESIGN_PARAMS, Q_ALGORITHM, Q_CREDENTIAL, Q_DATE, Q_EXPIRES, Q_REGION_SET, Q_SECURITY_TOKEN,
    Q_SIGNATURE, Q_SIGNED_HEADERS, X_AMZ_CONTENT_SHA256, X_AMZ_DATE, X_AMZ_SECURITY_TOKEN,
};
use crate::sign::{Error, SessionTokenMode, SignableRequest, SigningTime, MAX_PRESIGN_EXPIRY};

/// The result of SigV4a presigning: query parameters to add to the URL,
/// and (through [`SigningDetails`]) the intermediate strings.
#[derive(Clone)]
pub struct PresignedQuery<'a> {
    /// `(name, unencoded value)` in output order.
    params: Vec<(&'static str, String)>,
    uri: String,
    query_start: usize,
    details: SigningDetails<'a>,
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

impl<'a> core::ops::Deref for PresignedQuery<'a> {
    type Target = SigningDetails<'a>;
    fn deref(&self) -> &SigningDetails<'a> {
        &self.details
    }
}

impl PresignedQuery<'_> {
    /// The added parameters, unencoded, in the order they are appended:
    /// `X-Amz-Algorithm`, `-Credential`, `-Date`, `-SignedHeaders`,
    /// `-Expires`, `-Security-Token` (with a session token), `-Region-Set`,
    /// `-Signature`.
    pub fn params(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        self.params.iter().map(|(k, v)| (*k, v.as_str()))
    }

    /// The full query string to send (without `?`).
    pub fn query_string(&self) -> &str {
        self.uri.get(self.query_start..).unwrap_or("")
    }

    /// The presigned URI: absolute when the request was built from an
    /// absolute URI, else `/path?query`.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The signature: DER-encoded ECDSA, in hex.
    pub fn signature(&self) -> &str {
        self.params.last().map_or("", |(_, v)| v.as_str())
    }

    /// How long the URL stays valid.
    pub fn expires_in(&self) -> Duration {
        Duration::from_secs(self.expires_in)
    }

    /// When the URL stops being valid.
    pub fn expires_at(&self) -> Result<SigningTime, Error> {
        self.details
            .scope
            .date
            .checked_add_seconds(self.expires_in as i64)
    }
}

/// True for the parameters presigning sets (and so replaces).
fn is_ours(key: &str) -> bool {
    PRESIGN_PARAMS.contains(&key) || key == Q_REGION_SET
}

/// The canonical request of a presigned request, before the signature.
pub(crate) struct Prepared<'a> {
    pub(crate) details: SigningDetails<'a>,
    pub(crate) params: Vec<(&'static str, String)>,
    expires_in: u64,
}

impl Prepared<'_> {
    pub(crate) fn signed_headers(&self) -> &str {
        self.params
            .iter()
            .find(|(k, _)| *k == Q_SIGNED_HEADERS)
            .map_or("", |(_, v)| v.as_str())
    }
}

pub(crate) fn prepare<'a>(
    req: &SignableRequest<'_>,
    params: &SigningParams<'a>,
    expires_in: Duration,
) -> Result<Prepared<'a>, Error> {
    let expires_in_secs = expires_in.as_secs();
    if !(1..=MAX_PRESIGN_EXPIRY.as_secs()).contains(&expires_in_secs) {
        return Err(Error::InvalidExpiry {
            seconds: expires_in_secs,
        });
    }
    params.validate()?;
    let (payload, from_header) = header_rules::payload_hash(req)?;
    let session_token = header_rules::session_token(req, params.session_token)?.value();
    let token_name = if session_token.is_some() {
        X_AMZ_SECURITY_TOKEN
    } else {
        ""
    };
    let content_name = if from_header {
        X_AMZ_CONTENT_SHA256
    } else {
        ""
    };
    let replaced: [&str; 3] = [X_AMZ_DATE, token_name, content_name];
    let added = Added {
        amz_date: None,
        security_token: None,
        content_sha256: from_header.then_some(payload.as_str()),
        region_set: None,
        replaced: &replaced,
    };
    let headers = CanonicalHeaders::new(req, &added)?;
    let scope = params.scope();
    let mut credential = String::with_capacity(params.access_key_id.len() + 1 + scope.len());
    credential.push_str(params.access_key_id);
    credential.push('/');
    scope.write(&mut credential);
    let mut signed = String::with_capacity(32 * (req.headers.len() + 1));
    headers.write_signed(&mut signed);
    let mut out: Vec<(&'static str, String)> = Vec::with_capacity(8);
    out.push((Q_ALGORITHM, ALGORITHM.into()));
    out.push((Q_CREDENTIAL, credential));
    out.push((Q_DATE, params.time.amz_date().into()));
    out.push((Q_SIGNED_HEADERS, signed));
    out.push((Q_EXPIRES, Decimal::new(expires_in_secs).as_str().into()));
    if let Some(t) = session_token {
        out.push((Q_SECURITY_TOKEN, t.into()));
    }
    out.push((Q_REGION_SET, params.region_set.into()));

    // The request's own `X-Amz-Region-Set` is replaced like the other
    // presign parameters (the builder drops those itself).
    let own_region_set =
        crate::sign::canonical_query::parse_query(&req.query).any(|p| p.key == Q_REGION_SET);
    let filtered;
    let req = if own_region_set {
        let mut r = req.clone();
        r.query = Cow::Owned(own_query(&req.query));
        filtered = r;
        &filtered
    } else {
        req
    };
    let mut extra: Vec<QueryParam<'_>> = Vec::with_capacity(8);
    for (k, v) in &out {
        let signed_token = params.settings.session_token == SessionTokenMode::Signed;
        if *k != Q_SECURITY_TOKEN || signed_token {
            extra.push(QueryParam::literal(k, v));
        }
    }
    let mut creq =
        String::with_capacity(640 + req.path.len() + req.query.len() + 48 * req.headers.len());
    write_canonical_request(&mut creq, req, &params.settings, &headers, &extra, &payload);
    drop(extra);
    Ok(Prepared {
        details: SigningDetails::new(creq, scope, params.region_set),
        params: out,
        expires_in: expires_in_secs,
    })
}

/// The request's own query pieces, without the presign parameters.
fn own_query(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    for piece in query.split('&').filter(|p| !p.is_empty()) {
        let key = piece.split_once('=').map_or(piece, |(k, _)| k);
        if is_ours(key) {
            continue;
        }
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(piece);
    }
    out
}

/// Presigns `req` with SigV4a: the signature goes into query parameters
/// valid for `expires_in` (1 s ..= 7 days), with `X-Amz-Region-Set`.
///
/// The same rules as [`crate::sign::presign()`]; any `X-Amz-*` presign
/// parameter (`X-Amz-Region-Set` included) already in the query is
/// replaced.
///
/// ```
/// use core::time::Duration;
/// use sigv4::sign::v4a::{presign, SigningParams};
/// use sigv4::sign::{Payload, SignableRequest, SigningTime};
/// use sigv4::Credentials;
///
/// let credentials = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
/// let params = SigningParams::new(&credentials, "*", "s3",
///     SigningTime::parse_amz_date("20150830T123600Z")?);
/// let req = SignableRequest::new("GET", "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/key")?
///     .payload(Payload::Unsigned);
/// let url = presign(&req, &params, Duration::from_secs(3600))?;
/// assert!(url.uri().contains("X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&"));
/// assert!(url.uri().contains("&X-Amz-Region-Set=%2A&X-Amz-Signature=30"));
/// # Ok::<(), sigv4::sign::Error>(())
/// ```
pub fn presign<'a>(
    req: &SignableRequest<'_>,
    params: &SigningParams<'a>,
    expires_in: Duration,
) -> Result<PresignedQuery<'a>, Error> {
    let mut prepared = prepare(req, params, expires_in)?;
    let key = params.key()?;
    let signature = key.sign_prehash_hex(&prepared.details.string_to_sign_hash())?;
    prepared.params.push((Q_SIGNATURE, signature));
    let (uri, query_start) = render_uri(req, &prepared.params);
    Ok(PresignedQuery {
        params: prepared.params,
        uri,
        query_start,
        details: prepared.details,
        expires_in: prepared.expires_in,
    })
}

/// The presigned URI: origin, path, the request's own query minus the
/// replaced parameters, then ours (encoded).
fn render_uri(req: &SignableRequest<'_>, params: &[(&'static str, String)]) -> (String, usize) {
    let mut uri = String::with_capacity(
        64 + req.path.len()
            + req.query.len()
            + params.iter().map(|p| 3 * p.1.len() + 20).sum::<usize>(),
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
    let own = own_query(&req.query);
    if !own.is_empty() {
        uri.push_str(&own);
        uri.push('&');
    }
    for (i, (k, v)) in params.iter().enumerate() {
        if i > 0 {
            uri.push('&');
        }
        uri.push_str(k);
        uri.push('=');
        encoding::encode_into(&mut uri, v, encoding::Input::Literal, false);
    }
    (uri, query_start)
}
