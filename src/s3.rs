//! S3: object locations, presigned URLs, S3 header signing and aws-chunked uploads (feature `std`).
//!
//! An [`S3Location`] is a bucket, a key and a region, optionally on a
//! custom endpoint (MinIO, a local server, any S3-compatible store). It
//! resolves to a URL in virtual-hosted style (`https://bucket.s3.region.amazonaws.com/key`)
//! or path style (`https://s3.region.amazonaws.com/bucket/key`):
//!
//! - [`AddressingStyle::Auto`] (default) picks virtual-hosted style unless it
//!   cannot work: a bucket name that is not a DNS label, a bucket with dots
//!   under TLS (the wildcard certificate does not cover them), or a custom
//!   endpoint whose host is an IP address or `localhost`.
//! - Keys are encoded exactly once: `/` is kept, every byte outside the RFC 3986
//!   unreserved set is percent-encoded, and nothing is normalized (`a/./b`,
//!   `dir//x` stay as they are).
//!
//! URL parsing is written by hand (not with `url::Url`) because the WHATWG
//! parser removes dot segments, which would silently change keys such as
//! `a/../b`.
//!
//! ```
//! use sigv4::credentials::Credentials;
//! use sigv4::s3::{PresignOptions, S3Location};
//! use sigv4::sign::SigningTime;
//!
//! let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
//! let time = SigningTime::parse_amz_date("20130524T000000Z")?;
//! let object = S3Location::parse("s3://examplebucket/test.txt", "us-east-1")?;
//! let url = object.presign("GET", &creds, time, &PresignOptions::new(86_400))?;
//! assert_eq!(url.url, "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
//! &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z\
//! &X-Amz-SignedHeaders=host&X-Amz-Expires=86400\
//! &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use crate::sign::chunked::{ChunkSigner, ChunkedLayout};
use crate::sign::encoding::{decoded_bytes, encode_into, Input};
use crate::sign::{self, Credentials, Payload, SignableRequest, SigningParams, SigningTime};
use core::time::Duration;

/// Errors from the S3 layer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum S3Error {
    /// The target is neither `s3://bucket/key` nor an `http(s)://` URL.
    InvalidTarget {
        /// What is wrong.
        reason: &'static str,
    },
    /// The bucket name is empty or has characters S3 never allows.
    InvalidBucket(String),
    /// Virtual-hosted style was forced for a bucket that cannot be a host name.
    VirtualHostingUnavailable(String),
    /// The endpoint is not an `http(s)://host[:port]` URL.
    InvalidEndpoint(String),
    /// A response override name S3 does not know.
    InvalidResponseOverride(String),
    /// A signing error.
    Sign(sign::Error),
}

impl fmt::Display for S3Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            S3Error::InvalidTarget { reason } => write!(f, "invalid S3 target: {reason}"),
            S3Error::InvalidBucket(b) => write!(f, "invalid bucket name {b:?}"),
            S3Error::VirtualHostingUnavailable(b) => {
                write!(
                    f,
                    "bucket {b:?} cannot be addressed virtual-hosted style; use path style"
                )
            }
            S3Error::InvalidEndpoint(e) => {
                write!(f, "invalid endpoint {e:?}: expected http(s)://host[:port]")
            }
            S3Error::InvalidResponseOverride(n) => write!(
                f,
                "unknown response override {n:?}: expected one of {}",
                RESPONSE_OVERRIDES.join(", ")
            ),
            S3Error::Sign(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for S3Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            S3Error::Sign(e) => Some(e),
            _ => None,
        }
    }
}

impl From<sign::Error> for S3Error {
    fn from(e: sign::Error) -> Self {
        S3Error::Sign(e)
    }
}

/// Query parameters that override response headers of a GET.
pub const RESPONSE_OVERRIDES: &[&str] = &[
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
];

/// How the bucket appears in the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AddressingStyle {
    /// Virtual-hosted where it can work, path style otherwise.
    #[default]
    Auto,
    /// `https://bucket.endpoint/key`.
    VirtualHosted,
    /// `https://endpoint/bucket/key`.
    Path,
}

/// A custom S3 endpoint: scheme and `host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    scheme: String,
    authority: String,
}

impl Endpoint {
    /// Parses `http(s)://host[:port]` (a trailing `/` is allowed).
    pub fn parse(url: &str) -> Result<Self, S3Error> {
        let bad = || S3Error::InvalidEndpoint(url.to_string());
        let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(bad());
        }
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.is_empty() || authority.contains(['/', '?', '#', '@', ' ']) {
            return Err(bad());
        }
        // Reuse the core's URI checks (port range, brackets, characters).
        SignableRequest::new("GET", url).map_err(|_| bad())?;
        Ok(Endpoint {
            scheme,
            authority: authority.to_ascii_lowercase(),
        })
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// `host[:port]`.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    fn host(&self) -> &str {
        let a = self.authority.as_str();
        if a.starts_with('[') {
            return a.split_inclusive(']').next().unwrap_or(a);
        }
        a.rsplit_once(':').map_or(a, |(h, _)| h)
    }

    fn is_ip_or_localhost(&self) -> bool {
        let h = self.host();
        h == "localhost" || h.starts_with('[') || h.parse::<std::net::Ipv4Addr>().is_ok()
    }
}

/// A bucket and key in a region, on AWS or a custom endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    bucket: String,
    key: String,
    region: String,
    endpoint: Option<Endpoint>,
    style: AddressingStyle,
    query: Vec<(String, String)>,
}

/// True when `bucket` can be a DNS label set: 3..=63 of `a-z 0-9 . -`,
/// starting and ending with a letter or digit, no `..`, not an IP address.
pub fn is_dns_compatible(bucket: &str) -> bool {
    let b = bucket.as_bytes();
    (3..=63).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'.' || *c == b'-')
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && !bucket.contains("..")
        && !bucket.contains(".-")
        && !bucket.contains("-.")
        && bucket.parse::<std::net::Ipv4Addr>().is_err()
}

fn validate_bucket(bucket: &str) -> Result<(), S3Error> {
    let ok = !bucket.is_empty()
        && bucket.len() <= 255
        && bucket
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'));
    if ok {
        Ok(())
    } else {
        Err(S3Error::InvalidBucket(bucket.to_string()))
    }
}

fn percent_decode(s: &str) -> String {
    let bytes: Vec<u8> = decoded_bytes(s, Input::Decoded).collect();
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Region of an AWS S3 host name (`s3.amazonaws.com`, `s3.us-west-2.amazonaws.com`,
/// `s3-us-west-2.amazonaws.com`, `s3.dualstack.eu-west-1.amazonaws.com`), and
/// the bucket if the host is virtual-hosted.
fn parse_aws_host(host: &str) -> Option<(Option<&str>, Option<&str>)> {
    let rest = host
        .strip_suffix(".amazonaws.com")
        .or_else(|| host.strip_suffix(".amazonaws.com.cn"))?;
    // Find the `s3` label: everything before it is the bucket.
    let labels: Vec<&str> = rest.split('.').collect();
    let pos = labels
        .iter()
        .position(|l| *l == "s3" || l.starts_with("s3-"))?;
    let bucket_len = labels[..pos].iter().map(|l| l.len() + 1).sum::<usize>();
    let bucket = (pos > 0).then(|| &rest[..bucket_len - 1]);
    let s3_label = labels[pos];
    let region = if let Some(r) = s3_label.strip_prefix("s3-") {
        Some(r)
    } else {
        labels[pos + 1..]
            .iter()
            .copied()
            .find(|l| *l != "dualstack" && *l != "accelerate")
    };
    let region_start = region.map(|r| r.as_ptr() as usize - rest.as_ptr() as usize);
    Some((
        bucket,
        region_start.and_then(|start| rest.get(start..start + region?.len())),
    ))
}

impl S3Location {
    /// A bucket and key in `region` on AWS.
    pub fn new(bucket: &str, key: &str, region: &str) -> Result<Self, S3Error> {
        validate_bucket(bucket)?;
        Ok(S3Location {
            bucket: bucket.into(),
            key: key.into(),
            region: region.into(),
            endpoint: None,
            style: AddressingStyle::Auto,
            query: Vec::new(),
        })
    }

    /// Parses `s3://bucket/key` or an `http(s)://` URL (AWS virtual-hosted,
    /// AWS path style, or a custom endpoint in path style
    /// `http://host:port/bucket/key`). `region` is used unless the URL is an
    /// AWS host that names its region. A URL's path is percent-decoded into
    /// the key; its query parameters are kept (e.g. `versionId`).
    pub fn parse(target: &str, region: &str) -> Result<Self, S3Error> {
        if let Some(rest) = target.strip_prefix("s3://") {
            let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
            return Self::new(bucket, key, region);
        }
        let (scheme, rest) = target
            .split_once("://")
            .filter(|(s, _)| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"))
            .ok_or(S3Error::InvalidTarget {
                reason: "expected s3://bucket/key or an http(s):// URL",
            })?;
        let rest = rest.split('#').next().unwrap_or("");
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path_query) = rest.split_at(end);
        let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
        let endpoint = Endpoint::parse(&format!("{scheme}://{authority}"))?;
        let host = endpoint.host().to_string();
        let path = path.strip_prefix('/').unwrap_or(path);
        let mut loc = match parse_aws_host(&host) {
            Some((Some(bucket), region_in_host)) => {
                let mut l = Self::new(
                    bucket,
                    &percent_decode(path),
                    region_in_host.unwrap_or(region),
                )?;
                l.style = AddressingStyle::VirtualHosted;
                if endpoint.scheme == "http" {
                    l.endpoint = Some(Endpoint {
                        scheme: "http".into(),
                        authority: endpoint.authority[bucket.len() + 1..].to_string(),
                    });
                }
                l
            }
            Some((None, region_in_host)) => {
                let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
                let mut l = Self::new(
                    &percent_decode(bucket),
                    &percent_decode(key),
                    region_in_host.unwrap_or(region),
                )?;
                l.style = AddressingStyle::Path;
                if endpoint.scheme == "http" {
                    l.endpoint = Some(endpoint);
                }
                l
            }
            None => {
                let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
                if bucket.is_empty() {
                    return Err(S3Error::InvalidTarget {
                        reason: "no bucket in the URL path",
                    });
                }
                let mut l = Self::new(&percent_decode(bucket), &percent_decode(key), region)?;
                l.endpoint = Some(endpoint);
                l.style = AddressingStyle::Path;
                l
            }
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            loc.query.push((percent_decode(k), percent_decode(v)));
        }
        Ok(loc)
    }

    /// Uses a custom endpoint (`http(s)://host[:port]`).
    pub fn with_endpoint(mut self, endpoint: &str) -> Result<Self, S3Error> {
        self.endpoint = Some(Endpoint::parse(endpoint)?);
        Ok(self)
    }

    /// Sets the addressing style.
    pub fn with_style(mut self, style: AddressingStyle) -> Self {
        self.style = style;
        self
    }

    /// Adds a query parameter (unencoded), e.g. `versionId`.
    pub fn with_query(mut self, key: &str, value: &str) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The style that will be used: [`AddressingStyle::Auto`] resolved.
    pub fn effective_style(&self) -> Result<AddressingStyle, S3Error> {
        let scheme_https = self.endpoint.as_ref().is_none_or(|e| e.scheme == "https");
        let can_virtual = is_dns_compatible(&self.bucket)
            && !(scheme_https && self.bucket.contains('.'))
            && !self
                .endpoint
                .as_ref()
                .is_some_and(Endpoint::is_ip_or_localhost);
        match self.style {
            AddressingStyle::Auto if can_virtual => Ok(AddressingStyle::VirtualHosted),
            AddressingStyle::Auto => Ok(AddressingStyle::Path),
            AddressingStyle::VirtualHosted if !is_dns_compatible(&self.bucket) => {
                Err(S3Error::VirtualHostingUnavailable(self.bucket.clone()))
            }
            s => Ok(s),
        }
    }

    /// Scheme, authority and encoded path of the object URL.
    fn parts(&self) -> Result<(String, String, String), S3Error> {
        let (scheme, base) = match &self.endpoint {
            Some(e) => (e.scheme.clone(), e.authority.clone()),
            None if self.region == "us-east-1" => ("https".into(), "s3.amazonaws.com".into()),
            None => ("https".into(), format!("s3.{}.amazonaws.com", self.region)),
        };
        let mut path = String::with_capacity(self.bucket.len() + self.key.len() * 3 / 2 + 2);
        let authority = match self.effective_style()? {
            AddressingStyle::Path => {
                path.push('/');
                encode_into(&mut path, &self.bucket, Input::Literal, false);
                base
            }
            _ => format!("{}.{}", self.bucket, base),
        };
        // A bucket-level location (empty key) is `/bucket` in path style and `/` otherwise.
        if !self.key.is_empty() || path.is_empty() {
            path.push('/');
            encode_into(&mut path, &self.key, Input::Literal, true);
        }
        Ok((scheme, authority, path))
    }

    /// The object URL without signature.
    pub fn url(&self) -> Result<String, S3Error> {
        let (scheme, authority, path) = self.parts()?;
        let query = encode_query(self.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        Ok(join_url(&scheme, &authority, &path, &query))
    }

    /// A presigned URL for `method` (GET, PUT, HEAD, DELETE, ...).
    pub fn presign(
        &self,
        method: &str,
        credentials: &Credentials,
        time: SigningTime,
        options: &PresignOptions,
    ) -> Result<PresignedUrl, S3Error> {
        for (name, _) in &options.response_overrides {
            if !RESPONSE_OVERRIDES.contains(&name.as_str()) {
                return Err(S3Error::InvalidResponseOverride(name.clone()));
            }
        }
        let (scheme, authority, path) = self.parts()?;
        let query = encode_query(
            self.query
                .iter()
                .chain(&options.response_overrides)
                .map(|(k, v)| (k.as_str(), v.as_str())),
        );
        let mut req = SignableRequest::from_parts(method, &path, &query)?
            .authority(Some(&scheme), &authority)
            .payload(Payload::Unsigned);
        for (n, v) in &options.headers {
            req = req.header(n, v);
        }
        let params = SigningParams::new(credentials, &self.region, "s3", time);
        let presigned = sign::presign(&req, &params, options.expires_in)?;
        Ok(PresignedUrl {
            url: presigned.uri().to_string(),
            method: method.to_string(),
            expires_at: presigned.expires_at()?,
            headers: options.headers.clone(),
        })
    }

    /// Signs a request to this object with S3's rules (single encoding, no
    /// normalization, `x-amz-content-sha256` always): `query` is added to the
    /// location's own query parameters, `headers` are signed and returned
    /// with the signature headers.
    pub fn sign(
        &self,
        method: &str,
        credentials: &Credentials,
        time: SigningTime,
        query: &[(&str, &str)],
        headers: &[(&str, &str)],
        payload: Payload<'_>,
    ) -> Result<SignedRequest, S3Error> {
        let (scheme, authority, path) = self.parts()?;
        let query = encode_query(
            self.query
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .chain(query.iter().copied()),
        );
        let req = SignableRequest::from_parts(method, &path, &query)?
            .authority(Some(&scheme), &authority)
            .headers(headers.iter().copied())
            .payload(payload);
        let params = SigningParams::new(credentials, &self.region, "s3", time);
        let signed = sign::sign_headers(&req, &params)?;
        let mut out_headers: Vec<(String, String)> = headers
            .iter()
            .filter(|(n, _)| !signed.headers().any(|(m, _)| m.eq_ignore_ascii_case(n)))
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        out_headers.extend(
            signed
                .headers()
                .map(|(n, v)| (n.to_string(), v.to_string())),
        );
        Ok(SignedRequest {
            method: method.to_string(),
            url: join_url(&scheme, &authority, &path, &query),
            headers: out_headers,
            canonical_request: signed.canonical_request().to_string(),
            string_to_sign: signed.string_to_sign(),
            signature: signed.signature().to_string(),
        })
    }

    /// Signs a PUT of `body` as an aws-chunked upload in chunks of
    /// `chunk_size` bytes (at least 8 KiB), each chunk signed, optionally
    /// with a signed `x-amz-checksum-crc32` trailer. Returns the request
    /// (with `content-length` of the encoded body) and the encoded body.
    pub fn sign_chunked_put(
        &self,
        credentials: &Credentials,
        time: SigningTime,
        headers: &[(&str, &str)],
        body: &[u8],
        chunk_size: usize,
        crc32_trailer: bool,
    ) -> Result<(SignedRequest, Vec<u8>), S3Error> {
        const TRAILER: &str = "x-amz-checksum-crc32";
        let checksum = crc32_trailer.then(|| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(crc32fast::hash(body).to_be_bytes())
        });
        let mut layout = ChunkedLayout::new(body.len() as u64, chunk_size)?;
        if let Some(c) = &checksum {
            layout = layout.with_trailer(TRAILER.len(), c.len());
        }
        let lengths = layout.headers();
        let mut all: Vec<(&str, &str)> = headers.to_vec();
        all.extend(lengths.iter().map(|(n, v)| (*n, v.as_str())));
        let payload = if checksum.is_some() {
            all.push(("x-amz-trailer", TRAILER));
            Payload::StreamingSignedTrailer
        } else {
            Payload::StreamingSigned
        };
        let seed = self.sign("PUT", credentials, time, &[], &all, payload)?;
        let params = SigningParams::new(credentials, &self.region, "s3", time);
        let mut signer = ChunkSigner::new(&params, &seed.signature)?;
        let encoded =
            layout.encode(body, &mut signer, checksum.as_deref().map(|c| (TRAILER, c)))?;
        Ok((seed, encoded))
    }
}

/// `scheme://authority/path[?query]`.
fn join_url(scheme: &str, authority: &str, path: &str, query: &str) -> String {
    let mut url = format!("{scheme}://{authority}{path}");
    if !query.is_empty() {
        url.push('?');
        url.push_str(query);
    }
    url
}

fn encode_query<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (k, v) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        encode_into(&mut out, k, Input::Literal, false);
        out.push('=');
        encode_into(&mut out, v, Input::Literal, false);
    }
    out
}

/// Options of a presigned URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignOptions {
    /// Validity, 1 s ..= 7 days.
    pub expires_in: Duration,
    /// Extra headers to sign (e.g. `content-type`, `x-amz-meta-*`, checksum
    /// headers for a PUT); whoever uses the URL must send them.
    pub headers: Vec<(String, String)>,
    /// `response-*` overrides added to the query (GET only).
    pub response_overrides: Vec<(String, String)>,
}

impl PresignOptions {
    /// A URL valid for `expires_in` (1 s ..= 7 days), with no extra headers.
    pub fn new(expires_in: Duration) -> Self {
        PresignOptions {
            expires_in,
            headers: Vec::new(),
            response_overrides: Vec::new(),
        }
    }

    /// Adds a header to sign.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    /// Adds a response override (`response-content-disposition`, ...).
    pub fn response_override(mut self, name: &str, value: &str) -> Self {
        self.response_overrides.push((name.into(), value.into()));
        self
    }
}

/// A presigned URL and the headers its user must send.
#[derive(Clone, PartialEq, Eq)]
pub struct PresignedUrl {
    /// The URL (carries the signature and, with temporary credentials, the session token).
    pub url: String,
    /// The method it is valid for.
    pub method: String,
    /// When it stops being valid.
    pub expires_at: SigningTime,
    /// Headers that were signed and must be sent with the request.
    pub headers: Vec<(String, String)>,
}

impl fmt::Debug for PresignedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL is a bearer credential: show it without its query.
        let base = self.url.split('?').next().unwrap_or("");
        f.debug_struct("PresignedUrl")
            .field("url", &format_args!("{base}?<signed>"))
            .field("method", &self.method)
            .field("expires_at", &self.expires_at)
            .field("headers", &self.headers)
            .finish()
    }
}

/// A header-signed request: send `method` to `url` with `headers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// The method.
    pub method: String,
    /// The full URL.
    pub url: String,
    /// Every header to send besides `host` (which the HTTP client derives
    /// from the URL): the caller's headers, then the signature headers.
    pub headers: Vec<(String, String)>,
    /// The canonical request, for debugging.
    pub canonical_request: String,
    /// The string to sign, for debugging.
    pub string_to_sign: String,
    /// The hex signature.
    pub signature: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> SigningTime {
        SigningTime::parse_amz_date("20130524T000000Z").unwrap()
    }

    #[test]
    fn urls_by_style_and_endpoint() {
        let l = S3Location::new("examplebucket", "a b/c+d", "us-west-2").unwrap();
        assert_eq!(
            l.url().unwrap(),
            "https://examplebucket.s3.us-west-2.amazonaws.com/a%20b/c%2Bd"
        );
        let p = l.clone().with_style(AddressingStyle::Path);
        assert_eq!(
            p.url().unwrap(),
            "https://s3.us-west-2.amazonaws.com/examplebucket/a%20b/c%2Bd"
        );
        let e = l.clone().with_endpoint("http://127.0.0.1:9000").unwrap();
        assert_eq!(
            e.url().unwrap(),
            "http://127.0.0.1:9000/examplebucket/a%20b/c%2Bd"
        );
        let v = l.clone().with_endpoint("http://minio.local:9000/").unwrap();
        assert_eq!(
            v.url().unwrap(),
            "http://examplebucket.minio.local:9000/a%20b/c%2Bd"
        );
        let dots = S3Location::new("my.bucket", "k", "eu-west-1").unwrap();
        assert_eq!(
            dots.url().unwrap(),
            "https://s3.eu-west-1.amazonaws.com/my.bucket/k"
        );
        let legacy = S3Location::new("Legacy_Bucket", "k", "us-east-1").unwrap();
        assert_eq!(
            legacy.url().unwrap(),
            "https://s3.amazonaws.com/Legacy_Bucket/k"
        );
        assert_eq!(
            legacy.with_style(AddressingStyle::VirtualHosted).url(),
            Err(S3Error::VirtualHostingUnavailable("Legacy_Bucket".into()))
        );
        let bucket = S3Location::new("bkt", "", "us-east-1").unwrap();
        assert_eq!(bucket.url().unwrap(), "https://bkt.s3.amazonaws.com/");
        assert_eq!(
            bucket.with_style(AddressingStyle::Path).url().unwrap(),
            "https://s3.amazonaws.com/bkt"
        );
        let keys = S3Location::new("b", "dir//x/./y/../z~", "us-east-1").unwrap();
        assert_eq!(
            keys.url().unwrap(),
            "https://s3.amazonaws.com/b/dir//x/./y/../z~"
        );
    }

    #[test]
    fn parses_targets() {
        let l = S3Location::parse("s3://bucket/dir/key.txt", "eu-central-1").unwrap();
        assert_eq!(
            (l.bucket(), l.key(), l.region()),
            ("bucket", "dir/key.txt", "eu-central-1")
        );
        let l = S3Location::parse(
            "https://bucket.s3.us-west-2.amazonaws.com/a%20b?versionId=3",
            "x",
        )
        .unwrap();
        assert_eq!(
            (l.bucket(), l.key(), l.region()),
            ("bucket", "a b", "us-west-2")
        );
        assert_eq!(
            l.url().unwrap(),
            "https://bucket.s3.us-west-2.amazonaws.com/a%20b?versionId=3"
        );
        let l = S3Location::parse("https://s3-eu-west-1.amazonaws.com/bucket/k", "x").unwrap();
        assert_eq!(
            (l.bucket(), l.key(), l.region()),
            ("bucket", "k", "eu-west-1")
        );
        let l = S3Location::parse("https://bucket.s3.amazonaws.com/k", "us-east-1").unwrap();
        assert_eq!((l.bucket(), l.region()), ("bucket", "us-east-1"));
        let l = S3Location::parse("http://127.0.0.1:9000/bucket/a/../b", "us-east-1").unwrap();
        assert_eq!((l.bucket(), l.key()), ("bucket", "a/../b"));
        assert_eq!(l.url().unwrap(), "http://127.0.0.1:9000/bucket/a/../b");
        assert!(S3Location::parse("ftp://x/y", "r").is_err());
        assert!(S3Location::parse("s3://", "r").is_err());
        assert!(S3Location::parse("s3://bad/bucket?/k", "r").is_ok());
        assert!(S3Location::parse("s3://b@d/k", "r").is_err());
        assert!(S3Location::parse("http://127.0.0.1:9000/", "r").is_err());
        assert!(S3Location::parse("http://127.0.0.1:99999/b/k", "r").is_err());
    }

    #[test]
    fn presign_options() {
        let creds = Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .with_session_token("tok/en+=");
        let l = S3Location::new("examplebucket", "test.txt", "us-east-1").unwrap();
        let opts = PresignOptions::new(Duration::from_secs(3600))
            .header("Content-Type", "text/plain")
            .response_override(
                "response-content-disposition",
                "attachment; filename=\"a b.txt\"",
            );
        let p = l.presign("PUT", &creds, t(), &opts).unwrap();
        assert!(p.url.contains("response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22&X-Amz-Algorithm"));
        assert!(p.url.contains("X-Amz-SignedHeaders=content-type%3Bhost"));
        assert!(p.url.contains("X-Amz-Security-Token=tok%2Fen%2B%3D"));
        assert_eq!(
            p.headers,
            vec![("content-type".to_string(), "text/plain".to_string())]
        );
        assert_eq!(p.expires_at.amz_date(), "20130524T010000Z");
        assert!(!format!("{p:?}").contains("Signature"));
        let bad = PresignOptions::new(Duration::from_secs(3600)).response_override("x-nope", "1");
        assert_eq!(
            l.presign("GET", &creds, t(), &bad),
            Err(S3Error::InvalidResponseOverride("x-nope".into()))
        );
        assert!(matches!(
            l.presign("GET", &creds, t(), &PresignOptions::new(Duration::ZERO)),
            Err(S3Error::Sign(sign::Error::InvalidExpiry { seconds: 0 }))
        ));
    }

    #[test]
    fn header_signing_uses_s3_rules() {
        // AWS S3 documentation: GET Object example.
        let creds = Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        );
        let l = S3Location::new("examplebucket", "test.txt", "us-east-1").unwrap();
        let s = l
            .sign(
                "GET",
                &creds,
                t(),
                &[],
                &[("range", "bytes=0-9")],
                Payload::EMPTY,
            )
            .unwrap();
        assert_eq!(
            s.signature,
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
        assert_eq!(s.url, "https://examplebucket.s3.amazonaws.com/test.txt");
        assert!(s
            .headers
            .iter()
            .any(|(n, v)| n == "x-amz-content-sha256" && v == sign::payload::EMPTY_SHA256));
        let u = l
            .sign("PUT", &creds, t(), &[], &[], Payload::Unsigned)
            .unwrap();
        assert!(u
            .headers
            .iter()
            .any(|(n, v)| n == "x-amz-content-sha256" && v == "UNSIGNED-PAYLOAD"));
    }
}
