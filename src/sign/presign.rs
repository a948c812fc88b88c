//! Presigning: the signature in `X-Amz-*` query parameters, and the URI
//! that carries them.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use super::canonical_query::QueryParam;
use super::canonical_request::{write_hashing, Added, CanonicalHeaders, SignerQuery, WriteEncoded};
use super::encoding::{self, Decimal};
use super::header_rules;
use super::lower_hex;
use super::names::{
    PRESIGN_PARAMS, Q_ALGORITHM, Q_CREDENTIAL, Q_DATE, Q_EXPIRES, Q_SECURITY_TOKEN, Q_SIGNATURE,
    Q_SIGNED_HEADERS, X_AMZ_CONTENT_SHA256, X_AMZ_DATE, X_AMZ_SECURITY_TOKEN,
};
use super::signature::{ascii, sign_hash, SigningDetails};
use super::{
    Error, SessionTokenMode, SignableRequest, SigningParams, SigningTime, ALGORITHM,
    MAX_PRESIGN_EXPIRY,
};

/// Parameter names and value ranges, in output order.
type Ranges = [(&'static str, core::ops::Range<usize>); 7];

/// The result of presigning: query parameters to add to the URL, and
/// (through [`SigningDetails`], which it dereferences to) the intermediate
/// strings for debugging.
#[derive(Clone)]
pub struct PresignedQuery<'a> {
    /// The unencoded parameter values back to back (`params` indexes into
    /// them), then the URI from `uri_start` on, whose last 64 bytes are the
    /// signature's value: one allocation for both.
    text: String,
    params: Ranges,
    nparams: usize,
    uri_start: usize,
    /// Where the URI's query starts in `text`.
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
    /// `-Expires`, `-Security-Token` (with a session token), `-Signature`.
    pub fn params(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        self.params[..self.nparams]
            .iter()
            .map(|(k, r)| (*k, self.text.get(r.clone()).unwrap_or("")))
    }

    /// The full query string to send (without `?`): the request's own
    /// parameters as they were, then the added ones, encoded.
    pub fn query_string(&self) -> &str {
        self.text.get(self.query_start..).unwrap_or("")
    }

    /// The presigned URI: absolute (`scheme://authority/path?query`) when
    /// the request was built from an absolute URI, else `/path?query`.
    pub fn uri(&self) -> &str {
        self.text.get(self.uri_start..).unwrap_or("")
    }

    /// The presigned URI as an owned `String`: the text of [`uri`](Self::uri),
    /// moved to the front of this result's own buffer instead of copied
    /// into a new allocation.
    ///
    /// ```
    /// use core::time::Duration;
    /// use sigv4::sign::{presign, Payload, SignableRequest, SigningParams, SigningTime};
    /// use sigv4::Credentials;
    ///
    /// let credentials = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    /// let params = SigningParams::new(&credentials, "us-east-1", "s3",
    ///     SigningTime::parse_amz_date("20130524T000000Z")?);
    /// let req = SignableRequest::new("GET", "https://examplebucket.s3.amazonaws.com/test.txt")?
    ///     .payload(Payload::Unsigned);
    /// let presigned = presign(&req, &params, Duration::from_secs(86400))?;
    /// let borrowed = presigned.uri().to_owned();
    /// let url: String = presigned.into_uri();
    /// assert_eq!(url, borrowed);
    /// assert!(url.ends_with("X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"));
    /// # Ok::<(), sigv4::sign::Error>(())
    /// ```
    pub fn into_uri(self) -> String {
        let mut text = self.text;
        text.drain(..self.uri_start.min(text.len()));
        text
    }

    /// The hex signature.
    pub fn signature(&self) -> &str {
        self.params().last().map_or("", |(_, v)| v)
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

/// Presigns `req`: the signature goes into query parameters valid for
/// `expires_in` (whole seconds, 1 s ..= 7 days; a fraction of a second is
/// dropped).
///
/// Any `X-Amz-*` presign parameter already in the query is replaced. The
/// payload is signed as given (use [`Payload::Unsigned`](super::Payload::Unsigned)
/// for S3 URLs); no `x-amz-content-sha256` header is added. Headers in the
/// request (besides `host`) are signed and must be sent by whoever uses the URL.
///
/// ```
/// use core::time::Duration;
/// use sigv4::sign::{presign, Payload, SignableRequest, SigningParams, SigningTime};
/// use sigv4::Credentials;
///
/// let credentials = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
/// let params = SigningParams::new(&credentials, "us-east-1", "s3",
///     SigningTime::parse_amz_date("20130524T000000Z")?);
/// let req = SignableRequest::new("GET", "https://examplebucket.s3.amazonaws.com/test.txt")?
///     .payload(Payload::Unsigned);
/// let url = presign(&req, &params, Duration::from_secs(86400))?;
/// assert!(url.uri().ends_with("X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"));
/// # Ok::<(), sigv4::sign::Error>(())
/// ```
pub fn presign<'a>(
    req: &SignableRequest<'_>,
    params: &SigningParams<'a>,
    expires_in: Duration,
) -> Result<PresignedQuery<'a>, Error> {
    let (mut creq, mut text) = (String::new(), String::new());
    let p = presign_into(req, params, expires_in, &mut creq, &mut text)?;
    Ok(PresignedQuery {
        text,
        params: p.ranges,
        nparams: p.nparams,
        uri_start: p.uri_start,
        query_start: p.query_start,
        details: SigningDetails::with_hash(creq, p.creq_hash, params.scope()),
        expires_in: p.expires_in,
    })
}

/// Presigns `req` into the caller's buffers: the presigned URI is appended
/// to `out`, the canonical request is written into `scratch` (cleared
/// first). Once both have grown to fit, no allocation happens. Both then
/// hold the session token, if any: treat them like the credentials.
///
/// ```
/// use core::time::Duration;
/// use sigv4::sign::{write_presigned_uri, Payload, SignableRequest, SigningParams, SigningTime};
/// use sigv4::Credentials;
///
/// let credentials = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
/// let params = SigningParams::new(&credentials, "us-east-1", "s3",
///     SigningTime::parse_amz_date("20130524T000000Z")?);
/// let req = SignableRequest::new("GET", "https://examplebucket.s3.amazonaws.com/test.txt")?
///     .payload(Payload::Unsigned);
/// let (mut scratch, mut url) = (String::new(), String::from("URL: "));
/// write_presigned_uri(&req, &params, Duration::from_secs(86400), &mut scratch, &mut url)?;
/// assert!(url.starts_with("URL: https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm="));
/// assert!(url.ends_with("X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"));
/// # Ok::<(), sigv4::sign::Error>(())
/// ```
pub fn write_presigned_uri(
    req: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    expires_in: Duration,
    scratch: &mut String,
    out: &mut String,
) -> Result<(), Error> {
    scratch.clear();
    let start = out.len();
    match presign_into(req, params, expires_in, scratch, out) {
        Ok(p) => {
            // The parameter values were written ahead of the URI: drop them.
            out.drain(start..p.uri_start);
            Ok(())
        }
        Err(e) => {
            out.truncate(start);
            Err(e)
        }
    }
}

/// Where [`presign_into`] put things.
struct Presigned {
    ranges: Ranges,
    nparams: usize,
    uri_start: usize,
    query_start: usize,
    creq_hash: [u8; 64],
    expires_in: u64,
}

/// Presigns `req`: the canonical request is appended to `creq`; the
/// parameter values, then the URI, to `text`.
fn presign_into(
    req: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    expires_in: Duration,
    creq: &mut String,
    text: &mut String,
) -> Result<Presigned, Error> {
    let values = text;
    let expires_in_secs = expires_in.as_secs();
    if !(1..=MAX_PRESIGN_EXPIRY.as_secs()).contains(&expires_in_secs) {
        return Err(Error::InvalidExpiry {
            seconds: expires_in_secs,
        });
    }
    params.validate()?;
    let (payload, from_header) = header_rules::payload_hash(req)?;
    // The token goes into the query, wherever it came from.
    let session_token = header_rules::session_token(req, params.session_token)?.value();
    let settings = &params.settings;
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
        // The caller's hash header is signed once, as the payload says.
        content_sha256: from_header.then_some(payload.as_str()),
        region_set: None,
        replaced: &replaced,
    };
    let mut headers = CanonicalHeaders::empty();
    headers.fill(&req.headers, req.signed_authority_host(), &added)?;
    let scope = params.scope();
    let expires_buf = Decimal::new(expires_in_secs);
    let expires = expires_buf.as_str();
    let token = session_token.unwrap_or("");

    // All parameter values in one buffer, in output order, with room for
    // the URI after them (its parameters take at most three bytes a byte).
    let values_len = ALGORITHM.len()
        + params.access_key_id.len()
        + 1
        + scope.len()
        + 16
        + 32 * (req.headers.len() + 1)
        + expires.len()
        + token.len()
        + 64;
    let origin_len = req.origin().map_or(0, |(s, a)| s.len() + 3 + a.len());
    values.reserve(
        values_len + origin_len + 1 + req.path.len() + req.query.len() + 2 + 3 * values_len + 160,
    );
    let mut ranges: Ranges = Default::default();
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
    put(values, &mut ranges, 0, Q_ALGORITHM, &|v| {
        v.push_str(ALGORITHM);
    });
    put(values, &mut ranges, 1, Q_CREDENTIAL, &|v| {
        v.push_str(params.access_key_id);
        v.push('/');
        scope.write(v);
    });
    put(values, &mut ranges, 2, Q_DATE, &|v| {
        v.push_str(params.time.amz_date());
    });
    put(values, &mut ranges, 3, Q_SIGNED_HEADERS, &|v| {
        headers.write_signed(v);
    });
    put(values, &mut ranges, 4, Q_EXPIRES, &|v| {
        v.push_str(expires);
    });
    let mut n = 5;
    if session_token.is_some() {
        put(values, &mut ranges, 5, Q_SECURITY_TOKEN, &|v| {
            v.push_str(token);
        });
        n = 6;
    }

    creq.reserve(512 + req.path.len() + req.query.len() + 48 * req.headers.len());
    let creq_start = creq.len();
    // Where each parameter's encoded value lands in the canonical request
    // (indexed like `ranges`), for the URI to copy.
    let mut encoded: [Option<core::ops::Range<usize>>; 7] = Default::default();
    let hash = {
        let value = |i: usize| values.get(ranges[i].1.clone()).unwrap_or("");
        let mut extra: smallvec::SmallVec<[QueryParam<'_>; 6]> = smallvec::SmallVec::new();
        let mut order: smallvec::SmallVec<[usize; 6]> = smallvec::SmallVec::new();
        // In key order (-Algorithm, -Credential, -Date, -Expires,
        // -Security-Token when signed, -SignedHeaders): alone in the query,
        // they are written as they come.
        let token_signed = n == 6 && settings.session_token == SessionTokenMode::Signed;
        for i in [0, 1, 2, 4, 5, 3] {
            if i != 5 || token_signed {
                extra.push(QueryParam::literal(ranges[i].0, value(i)));
                order.push(i);
            }
        }
        // The credential (`extra[1]`) written already encoded, from its
        // parts: its `/`s would take the encoder's slow path.
        let write_credential = |out: &mut String| {
            encoding::encode_into(out, params.access_key_id, encoding::Input::Literal, false);
            out.push_str("%2F");
            scope.write_query_encoded(out);
        };
        let direct: [Option<WriteEncoded<'_>>; 2] = [None, Some(&write_credential)];
        let mut found: [Option<core::ops::Range<usize>>; 6] = Default::default();
        let query = SignerQuery {
            params: &extra,
            encoded: &mut found,
            direct: &direct,
        };
        let (_, hash) = write_hashing(creq, req, settings, &headers, query, &payload);
        for (j, &i) in order.iter().enumerate() {
            encoded[i] = found[j].take();
        }
        hash
    };
    // The URI up to the signature is written while the processor is still
    // hashing the canonical request; the signature's value is the URI's end.
    let uri_start = values.len();
    let query_start = render_uri(req, values, &ranges[..n], creq, &encoded);
    values.push('&');
    values.push_str(Q_SIGNATURE);
    values.push('=');
    let creq_hash =
        lower_hex::hex32(&hash.finish(creq.as_bytes().get(creq_start..).unwrap_or(&[])));
    let signature = sign_hash(params, &creq_hash);
    put(values, &mut ranges, n, Q_SIGNATURE, &|v| {
        v.push_str(ascii(&signature));
    });
    let nparams = n + 1;
    Ok(Presigned {
        ranges,
        nparams,
        uri_start,
        query_start,
        creq_hash,
        expires_in: expires_in_secs,
    })
}

/// Appends the presigned URI but its signature to `text`, whose start
/// holds the parameter values: origin, path, the request's own query minus
/// the replaced parameters, then `params` (encoded; the signature follows
/// as `&X-Amz-Signature=…`). Returns where its query starts.
fn render_uri(
    req: &SignableRequest<'_>,
    text: &mut String,
    params: &[(&'static str, core::ops::Range<usize>)],
    creq: &str,
    encoded: &[Option<core::ops::Range<usize>>],
) -> usize {
    if let Some((scheme, authority)) = req.origin() {
        text.push_str(scheme);
        text.push_str("://");
        text.push_str(authority);
    }
    if !req.path.starts_with('/') {
        text.push('/');
    }
    text.push_str(&req.path);
    text.push('?');
    let query_start = text.len();
    for piece in req.query.split('&').filter(|p| !p.is_empty()) {
        let key = piece.split_once('=').map_or(piece, |(k, _)| k);
        if PRESIGN_PARAMS.contains(&key) {
            continue;
        }
        text.push_str(piece);
        text.push('&');
    }
    for (i, (k, r)) in params.iter().enumerate() {
        if i > 0 {
            text.push('&');
        }
        text.push_str(k);
        text.push('=');
        // Encoded once, in the canonical request; a token appended after
        // signing is encoded here.
        match encoded[i].clone().and_then(|e| creq.get(e)) {
            Some(value) => text.push_str(value),
            None => encoding::encode_within(text, r.clone()),
        }
    }
    query_start
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::encoding::{encode_into, Input};
    use crate::sign::{Credentials, Payload};

    /// `into_uri` is `uri` owned, for absolute and relative URIs, with and
    /// without a token, a query of the request's own and a signed header.
    #[test]
    fn into_uri_is_the_uri() {
        let time = SigningTime::parse_amz_date("20130524T000000Z").unwrap();
        let plain = Credentials::new("AKID", "secret");
        let with_token = Credentials::new("AKID", "secret").with_session_token("t/o+k=en");
        for credentials in [&plain, &with_token] {
            let params = SigningParams::new(credentials, "us-east-1", "s3", time);
            for uri in [
                "https://b.s3.amazonaws.com/k",
                "/k?a=1&b",
                "https://h:9000/b/k%20x?list-type=2",
            ] {
                let mut req = SignableRequest::new("PUT", uri)
                    .unwrap()
                    .payload(Payload::Unsigned);
                if !uri.starts_with("https") {
                    req = req.header("host", "h");
                }
                let req = req.header("x-amz-meta-a", "b");
                let p = presign(&req, &params, Duration::from_secs(60)).unwrap();
                let want = String::from(p.uri());
                assert!(want.contains("X-Amz-Signature="), "{uri}");
                assert_eq!(p.into_uri(), want, "{uri}");
            }
        }
    }

    /// Values too long for the stack copy (a long session token) are
    /// encoded from the buffer itself, to the same URI.
    #[test]
    fn long_values_are_encoded_in_place_the_same() {
        let time = SigningTime::parse_amz_date("20130524T000000Z").unwrap();
        for len in [10, 400, 2000] {
            let token: String = (0..len).map(|i| ["a", "/", "+", "=", "Z"][i % 5]).collect();
            let credentials = Credentials::new("AKID", "secret").with_session_token(token.clone());
            let params = SigningParams::new(&credentials, "us-east-1", "s3", time);
            let req = SignableRequest::new("GET", "https://b.s3.amazonaws.com/k")
                .unwrap()
                .payload(Payload::Unsigned);
            let url = presign(&req, &params, Duration::from_secs(60)).unwrap();
            let mut want = String::from("X-Amz-Security-Token=");
            encode_into(&mut want, &token, Input::Literal, false);
            want.push('&');
            assert!(url.uri().contains(&want), "length {len}");
            let (token_param, value) = url.params().nth(5).unwrap();
            assert_eq!((token_param, value), (Q_SECURITY_TOKEN, token.as_str()));
        }
    }

    /// The credential written from its parts (no query: the fast path)
    /// is the encoder's output for the whole value, in the canonical
    /// request and the URI, for keys and scope parts that need escapes;
    /// with a query of the request's own (the merge) the same bytes.
    #[test]
    fn credentials_written_from_parts_are_the_encoded_value() {
        let time = SigningTime::parse_amz_date("20130524T000000Z").unwrap();
        for (akid, region, service) in [
            ("AKIAIOSFODNN7EXAMPLE", "us-east-1", "s3"),
            ("AK+I%D=", "r\u{e9}gion~1", "svc.x_y"),
            ("A", "x:y", "s%41"),
        ] {
            let credentials = Credentials::new(akid, "secret");
            let params = SigningParams::new(&credentials, region, service, time);
            let mut want = String::from("X-Amz-Credential=");
            let raw = alloc::format!("{akid}/20130524/{region}/{service}/aws4_request");
            encode_into(&mut want, &raw, Input::Literal, false);
            want.push('&');
            for uri in ["https://b.example/k", "https://b.example/k?a=b"] {
                let req = SignableRequest::new("GET", uri).unwrap();
                let url = presign(&req, &params, Duration::from_secs(60)).unwrap();
                assert!(url.canonical_request().contains(&want), "{akid} {uri}");
                assert!(url.uri().contains(&want), "{akid} {uri}");
                assert_eq!(url.params().nth(1), Some((Q_CREDENTIAL, raw.as_str())));
            }
        }
    }

    /// A token appended after signing is in the URI (encoded) but not in
    /// the canonical request; the signed parameters are copied encoded.
    #[test]
    fn appended_tokens_are_encoded_into_the_uri_only() {
        use crate::sign::{SessionTokenMode, SigningSettings};
        let time = SigningTime::parse_amz_date("20130524T000000Z").unwrap();
        let credentials = Credentials::new("AKID", "secret").with_session_token("a/b+c=");
        let settings = SigningSettings {
            session_token: SessionTokenMode::AppendedAfterSigning,
            ..SigningSettings::new()
        };
        let params =
            SigningParams::new(&credentials, "us-east-1", "iot", time).with_settings(settings);
        let req = SignableRequest::new("GET", "https://h.example/p?x=1").unwrap();
        let url = presign(&req, &params, Duration::from_secs(60)).unwrap();
        assert!(url
            .uri()
            .contains("&X-Amz-Security-Token=a%2Fb%2Bc%3D&X-Amz-Signature="));
        assert!(!url.canonical_request().contains("X-Amz-Security-Token"));
        assert!(url
            .uri()
            .starts_with("https://h.example/p?x=1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20130524%2Fus-east-1%2Fiot%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=60&"));
    }
}
