//! S3 object calls: [`GetObject`] (with `Range`), [`PutObject`] (signed
//! payload or `UNSIGNED-PAYLOAD`, optionally with an `x-amz-checksum-*`
//! header), [`HeadObject`], [`DeleteObject`] and one page of
//! [`ListObjectsV2`]. The checksums a server returns (`x-amz-checksum-*`
//! headers; on a GET or HEAD only when asked with
//! [`GetObject::checksum_mode`]) are parsed into [`ChecksumValue`]s.
//!
//! URLs, addressing style and key encoding come from
//! [`S3Location`]; requests are signed with S3's
//! rules (single encoding, no path normalization, `x-amz-content-sha256`).
//! Bodies are held in memory.
//!
//! ```
//! use sigv4::api::s3_objects::{GetObject, ListObjectsV2};
//! use sigv4::api::{Operation, ServiceConfig};
//!
//! let config = ServiceConfig::new("eu-west-1");
//! let get = GetObject::new("my-bucket", "photos/cat 1.jpg").range(0, Some(1023));
//! let request = get.build(&config)?;
//! assert_eq!(request.url, "https://my-bucket.s3.eu-west-1.amazonaws.com/photos/cat%201.jpg");
//! assert!(request.headers.contains(&("range".into(), "bytes=0-1023".into())));
//!
//! let list = ListObjectsV2::new("my-bucket").prefix("photos/").max_keys(2);
//! let request = list.build(&config.with_endpoint_url("http://127.0.0.1:9000"))?;
//! assert_eq!(request.url, "http://127.0.0.1:9000/my-bucket?list-type=2&prefix=photos%2F&max-keys=2");
//! # Ok::<(), sigv4::api::CallError>(())
//! ```

use std::time::SystemTime;

use super::headers::{X_AMZ_DELETE_MARKER, X_AMZ_META_PREFIX, X_AMZ_VERSION_ID};
use super::xml;
use super::{check_status, ApiRequest, CallError, Operation, ServiceConfig};
use crate::s3::S3Location;
use crate::sign::checksum::{ChecksumAlgorithm, ChecksumValue};
use crate::sign::names::X_AMZ_SDK_CHECKSUM_ALGORITHM;
use crate::util::query::form_decode;
use crate::util::time::parse_http_date;

/// The header asking GET and HEAD for the object's checksums.
const X_AMZ_CHECKSUM_MODE: &str = "x-amz-checksum-mode";

/// The query parameter selecting an object version.
const VERSION_ID: &str = "versionId";

/// The `versionId` query of a call on one version, empty for the latest.
fn version_query(version_id: Option<&str>) -> Vec<(&'static str, &str)> {
    version_id.map(|v| (VERSION_ID, v)).into_iter().collect()
}

/// The URL of `bucket`/`key` under `config`, with `query` parameters.
fn location(
    config: &ServiceConfig,
    bucket: &str,
    key: &str,
    query: &[(&str, &str)],
) -> Result<String, CallError> {
    let mut loc =
        S3Location::new(bucket, key, &config.region)?.with_style(config.s3_addressing_style);
    if let Some(url) = config.endpoint_url_for("S3") {
        loc = loc.with_endpoint(url.trim())?;
    }
    for (k, v) in query {
        loc = loc.with_query(k, v);
    }
    Ok(loc.url()?)
}

/// A request on the object `bucket`/`key` (which must not be empty).
pub(super) fn object_request(
    method: http::Method,
    config: &ServiceConfig,
    bucket: &str,
    key: &str,
    query: &[(&str, &str)],
) -> Result<ApiRequest, CallError> {
    if key.is_empty() {
        return Err(CallError::invalid("an object key must not be empty"));
    }
    let url = location(config, bucket, key, query)?;
    Ok(ApiRequest::new(method, url, "s3", &config.region))
}

/// An object's headers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectMetadata {
    /// The HTTP status (200, or 206 for a range).
    pub status: u16,
    /// `Content-Length`.
    pub content_length: Option<u64>,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `ETag` (with its quotes).
    pub etag: Option<String>,
    /// `Last-Modified`.
    pub last_modified: Option<SystemTime>,
    /// `Content-Range` of a range answer.
    pub content_range: Option<String>,
    /// `x-amz-version-id`.
    pub version_id: Option<String>,
    /// User metadata: `x-amz-meta-*` headers, names without the prefix.
    pub metadata: Vec<(String, String)>,
    /// The `x-amz-checksum-*` headers that hold a well-formed value, in
    /// [`ChecksumAlgorithm::ALL`] order.
    pub checksums: Vec<ChecksumValue>,
}

/// The well-formed `x-amz-checksum-*` values of `headers`.
fn checksums(headers: &http::HeaderMap) -> Vec<ChecksumValue> {
    ChecksumAlgorithm::ALL
        .into_iter()
        .filter_map(|a| {
            let value = headers.get(a.header_name())?.to_str().ok()?;
            ChecksumValue::from_base64(a, value).ok()
        })
        .collect()
}

impl ObjectMetadata {
    pub(super) fn from_response(response: &http::Response<Vec<u8>>) -> Self {
        let h = response.headers();
        let get = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let mut metadata: Vec<(String, String)> = h
            .iter()
            .filter_map(|(n, v)| {
                let name = n.as_str().strip_prefix(X_AMZ_META_PREFIX)?;
                Some((name.to_owned(), v.to_str().ok()?.to_owned()))
            })
            .collect();
        metadata.sort();
        ObjectMetadata {
            status: response.status().as_u16(),
            content_length: get("content-length").and_then(|v| v.trim().parse().ok()),
            content_type: get("content-type"),
            etag: get("etag"),
            last_modified: get("last-modified").as_deref().and_then(parse_http_date),
            content_range: get("content-range"),
            version_id: get(X_AMZ_VERSION_ID),
            metadata,
            checksums: checksums(h),
        }
    }
}

/// `GetObject`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetObject {
    /// The bucket.
    pub bucket: String,
    /// The key.
    pub key: String,
    /// A `Range` header value (`bytes=0-9`).
    pub range: Option<String>,
    /// `versionId`.
    pub version_id: Option<String>,
    /// Ask for the object's checksums (`x-amz-checksum-mode: ENABLED`).
    pub checksum_mode: bool,
}

impl GetObject {
    /// The whole object.
    pub fn new(bucket: impl Into<String>, key: impl Into<String>) -> Self {
        GetObject {
            bucket: bucket.into(),
            key: key.into(),
            range: None,
            version_id: None,
            checksum_mode: false,
        }
    }

    /// Bytes `start..=end` (`end` `None`: to the end of the object).
    pub fn range(mut self, start: u64, end: Option<u64>) -> Self {
        self.range = Some(match end {
            Some(end) => format!("bytes={start}-{end}"),
            None => format!("bytes={start}-"),
        });
        self
    }

    /// The last `n` bytes.
    pub fn last_bytes(mut self, n: u64) -> Self {
        self.range = Some(format!("bytes=-{n}"));
        self
    }

    /// A given version.
    pub fn version_id(mut self, version: impl Into<String>) -> Self {
        self.version_id = Some(version.into());
        self
    }

    /// Asks for the checksums stored with the object
    /// ([`ObjectMetadata::checksums`]).
    pub fn checksum_mode(mut self) -> Self {
        self.checksum_mode = true;
        self
    }
}

/// The answer of [`GetObject`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetObjectOutput {
    /// The bytes (the requested range only, for a range).
    pub body: Vec<u8>,
    /// The headers.
    pub metadata: ObjectMetadata,
}

impl Operation for GetObject {
    type Output = GetObjectOutput;
    fn name(&self) -> &'static str {
        "s3:GetObject"
    }
    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, CallError> {
        let query = version_query(self.version_id.as_deref());
        let mut r = object_request(http::Method::GET, config, &self.bucket, &self.key, &query)?;
        if let Some(range) = &self.range {
            r = r.header("range", range.as_str());
        }
        if self.checksum_mode {
            r = r.header(X_AMZ_CHECKSUM_MODE, "ENABLED");
        }
        Ok(r)
    }
    fn parse(&self, response: http::Response<Vec<u8>>) -> Result<GetObjectOutput, CallError> {
        let response = check_status(response)?;
        let metadata = ObjectMetadata::from_response(&response);
        Ok(GetObjectOutput {
            body: response.into_body(),
            metadata,
        })
    }
}

/// `HeadObject`: the object's headers. A missing object is an
/// [`ApiError`](super::ApiError) with status 404 (see
/// [`ApiError::is_not_found`](super::ApiError::is_not_found)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeadObject {
    /// The bucket.
    pub bucket: String,
    /// The key.
    pub key: String,
    /// Ask for the object's checksums (`x-amz-checksum-mode: ENABLED`).
    pub checksum_mode: bool,
}

impl HeadObject {
    /// The object `bucket`/`key`.
    pub fn new(bucket: impl Into<String>, key: impl Into<String>) -> Self {
        HeadObject {
            bucket: bucket.into(),
            key: key.into(),
            checksum_mode: false,
        }
    }

    /// Asks for the checksums stored with the object
    /// ([`ObjectMetadata::checksums`]).
    pub fn checksum_mode(mut self) -> Self {
        self.checksum_mode = true;
        self
    }
}

impl Operation for HeadObject {
    type Output = ObjectMetadata;
    fn name(&self) -> &'static str {
        "s3:HeadObject"
    }
    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, CallError> {
        let r = object_request(http::Method::HEAD, config, &self.bucket, &self.key, &[])?;
        Ok(if self.checksum_mode {
            r.header(X_AMZ_CHECKSUM_MODE, "ENABLED")
        } else {
            r
        })
    }
    fn parse(&self, response: http::Response<Vec<u8>>) -> Result<ObjectMetadata, CallError> {
        let response = check_status(response)?;
        Ok(ObjectMetadata::from_response(&response))
    }
}

/// `PutObject`.
#[derive(Clone, PartialEq, Eq)]
pub struct PutObject {
    /// The bucket.
    pub bucket: String,
    /// The key.
    pub key: String,
    /// The bytes.
    pub body: Vec<u8>,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// User metadata (`x-amz-meta-{name}`).
    pub metadata: Vec<(String, String)>,
    /// Send `UNSIGNED-PAYLOAD` instead of the body's SHA-256.
    pub unsigned_payload: bool,
    /// Send this checksum of the body (`x-amz-checksum-*` and
    /// `x-amz-sdk-checksum-algorithm`); the server refuses the upload if
    /// the body it received does not match.
    pub checksum: Option<ChecksumAlgorithm>,
}

impl std::fmt::Debug for PutObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PutObject")
            .field("bucket", &self.bucket)
            .field("key", &self.key)
            .field("body_len", &self.body.len())
            .field("content_type", &self.content_type)
            .field("metadata", &self.metadata)
            .field("unsigned_payload", &self.unsigned_payload)
            .field("checksum", &self.checksum)
            .finish()
    }
}

impl PutObject {
    /// Upload `body` to `bucket`/`key` with a signed payload hash.
    pub fn new(
        bucket: impl Into<String>,
        key: impl Into<String>,
        body: impl Into<Vec<u8>>,
    ) -> Self {
        PutObject {
            bucket: bucket.into(),
            key: key.into(),
            body: body.into(),
            content_type: None,
            metadata: Vec::new(),
            unsigned_payload: false,
            checksum: None,
        }
    }

    /// Sets `Content-Type`.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Adds `x-amz-meta-{name}: value`.
    pub fn metadata(mut self, name: &str, value: impl Into<String>) -> Self {
        self.metadata
            .push((name.to_ascii_lowercase(), value.into()));
        self
    }

    /// Sends `UNSIGNED-PAYLOAD` (the body is not hashed; TLS protects it).
    pub fn unsigned_payload(mut self) -> Self {
        self.unsigned_payload = true;
        self
    }

    /// Sends the `algorithm` checksum of the body in a header
    /// (`x-amz-checksum-crc32: ...`, with `x-amz-sdk-checksum-algorithm`),
    /// computed when the request is built.
    pub fn checksum(mut self, algorithm: ChecksumAlgorithm) -> Self {
        self.checksum = Some(algorithm);
        self
    }
}

/// The answer of [`PutObject`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PutObjectOutput {
    /// `ETag`.
    pub etag: Option<String>,
    /// `x-amz-version-id`.
    pub version_id: Option<String>,
    /// The checksums the server computed (`x-amz-checksum-*`), when it
    /// returns them.
    pub checksums: Vec<ChecksumValue>,
}

impl Operation for PutObject {
    type Output = PutObjectOutput;
    fn name(&self) -> &'static str {
        "s3:PutObject"
    }
    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, CallError> {
        let mut r = object_request(http::Method::PUT, config, &self.bucket, &self.key, &[])?
            .body(self.body.clone());
        if let Some(ct) = &self.content_type {
            r = r.header("content-type", ct.as_str());
        }
        for (n, v) in &self.metadata {
            r = r.header(&format!("{X_AMZ_META_PREFIX}{n}"), v.as_str());
        }
        if self.unsigned_payload {
            r = r.unsigned_payload();
        }
        if let Some(algorithm) = self.checksum {
            let value = algorithm.checksum(&self.body);
            r = r
                .header(algorithm.header_name(), value.base64())
                .header(X_AMZ_SDK_CHECKSUM_ALGORITHM, algorithm.as_str());
        }
        Ok(r)
    }
    fn parse(&self, response: http::Response<Vec<u8>>) -> Result<PutObjectOutput, CallError> {
        let response = check_status(response)?;
        let m = ObjectMetadata::from_response(&response);
        Ok(PutObjectOutput {
            etag: m.etag,
            version_id: m.version_id,
            checksums: m.checksums,
        })
    }
}

/// `DeleteObject` (deleting a missing key succeeds, as on S3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteObject {
    /// The bucket.
    pub bucket: String,
    /// The key.
    pub key: String,
    /// `versionId`.
    pub version_id: Option<String>,
}

impl DeleteObject {
    /// The object `bucket`/`key`.
    pub fn new(bucket: impl Into<String>, key: impl Into<String>) -> Self {
        DeleteObject {
            bucket: bucket.into(),
            key: key.into(),
            version_id: None,
        }
    }
}

/// The answer of [`DeleteObject`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteObjectOutput {
    /// `x-amz-version-id`.
    pub version_id: Option<String>,
    /// `x-amz-delete-marker: true`.
    pub delete_marker: bool,
}

impl Operation for DeleteObject {
    type Output = DeleteObjectOutput;
    fn name(&self) -> &'static str {
        "s3:DeleteObject"
    }
    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, CallError> {
        let query = version_query(self.version_id.as_deref());
        object_request(
            http::Method::DELETE,
            config,
            &self.bucket,
            &self.key,
            &query,
        )
    }
    fn parse(&self, response: http::Response<Vec<u8>>) -> Result<DeleteObjectOutput, CallError> {
        let response = check_status(response)?;
        let h = response.headers();
        Ok(DeleteObjectOutput {
            version_id: h
                .get(X_AMZ_VERSION_ID)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            delete_marker: h
                .get(X_AMZ_DELETE_MARKER)
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"true")),
        })
    }
}

/// One page of `ListObjectsV2`.
///
/// With [`url_encoded_keys`](Self::url_encoded_keys) the keys are requested
/// with `encoding-type=url` (so keys with characters XML 1.0 cannot carry
/// survive) and decoded as AWS encodes them (`+` is a space). Off by
/// default: some S3-compatible servers (s3s-fs 0.14) answer
/// `<EncodingType>url</EncodingType>` without encoding anything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListObjectsV2 {
    /// The bucket.
    pub bucket: String,
    /// `prefix`.
    pub prefix: Option<String>,
    /// `delimiter`.
    pub delimiter: Option<String>,
    /// `continuation-token` from the previous page.
    pub continuation_token: Option<String>,
    /// `start-after`.
    pub start_after: Option<String>,
    /// `max-keys`.
    pub max_keys: Option<u32>,
    /// Ask for `encoding-type=url` and decode the answer.
    pub url_encoded_keys: bool,
}

impl ListObjectsV2 {
    /// The first page of `bucket`.
    pub fn new(bucket: impl Into<String>) -> Self {
        ListObjectsV2 {
            bucket: bucket.into(),
            ..Self::default()
        }
    }
    /// Sets `prefix`.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }
    /// Sets `delimiter`.
    pub fn delimiter(mut self, delimiter: impl Into<String>) -> Self {
        self.delimiter = Some(delimiter.into());
        self
    }
    /// Sets `continuation-token`.
    pub fn continuation_token(mut self, token: impl Into<String>) -> Self {
        self.continuation_token = Some(token.into());
        self
    }
    /// Sets `start-after`.
    pub fn start_after(mut self, key: impl Into<String>) -> Self {
        self.start_after = Some(key.into());
        self
    }
    /// Sets `max-keys`.
    pub fn max_keys(mut self, n: u32) -> Self {
        self.max_keys = Some(n);
        self
    }
    /// Asks for `encoding-type=url` (and decodes the keys).
    pub fn url_encoded_keys(mut self, on: bool) -> Self {
        self.url_encoded_keys = on;
        self
    }

    /// The request for the page after `page` (`None` when `page` was the last).
    pub fn next_page(&self, page: &ListObjectsV2Output) -> Option<ListObjectsV2> {
        let token = page
            .next_continuation_token
            .as_ref()
            .filter(|_| page.is_truncated)?;
        Some(self.clone().continuation_token(token.clone()))
    }
}

/// One listed object.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectSummary {
    /// The key.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// `ETag`.
    pub etag: Option<String>,
    /// `LastModified` (ISO 8601 text, as sent).
    pub last_modified: Option<String>,
    /// `StorageClass`.
    pub storage_class: Option<String>,
}

/// The answer of [`ListObjectsV2`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListObjectsV2Output {
    /// The objects of this page.
    pub contents: Vec<ObjectSummary>,
    /// `CommonPrefixes` (with a delimiter).
    pub common_prefixes: Vec<String>,
    /// More pages follow.
    pub is_truncated: bool,
    /// The token for the next page.
    pub next_continuation_token: Option<String>,
    /// `KeyCount`.
    pub key_count: Option<u64>,
    /// `MaxKeys`.
    pub max_keys: Option<u64>,
    /// `Prefix`.
    pub prefix: Option<String>,
}

impl Operation for ListObjectsV2 {
    type Output = ListObjectsV2Output;
    fn name(&self) -> &'static str {
        "s3:ListObjectsV2"
    }
    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, CallError> {
        let max_keys = self.max_keys.map(|n| n.to_string());
        let mut query: Vec<(&str, &str)> = vec![("list-type", "2")];
        if self.url_encoded_keys {
            query.push(("encoding-type", "url"));
        }
        let optional = [
            ("prefix", self.prefix.as_deref()),
            ("delimiter", self.delimiter.as_deref()),
            ("continuation-token", self.continuation_token.as_deref()),
            ("start-after", self.start_after.as_deref()),
            ("max-keys", max_keys.as_deref()),
        ];
        query.extend(optional.iter().filter_map(|(k, v)| v.map(|v| (*k, v))));
        let url = location(config, &self.bucket, "", &query)?;
        Ok(ApiRequest::new(
            http::Method::GET,
            url,
            "s3",
            &config.region,
        ))
    }
    fn parse(&self, response: http::Response<Vec<u8>>) -> Result<ListObjectsV2Output, CallError> {
        let op = self.name();
        let response = check_status(response)?;
        let root = xml::parse(response.body()).map_err(|e| CallError::parse(op, e.to_string()))?;
        if root.name != "ListBucketResult" {
            return Err(CallError::parse(op, "expected <ListBucketResult>"));
        }
        let encoded = self.url_encoded_keys
            && root
                .child_text("EncodingType")
                .is_some_and(|t| t.trim() == "url");
        let text = |s: &str| {
            if encoded {
                form_decode(s)
            } else {
                s.to_owned()
            }
        };
        let opt = |e: &xml::Element, n: &str| {
            e.child_text(n)
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
        };
        let mut out = ListObjectsV2Output {
            is_truncated: root
                .child_text("IsTruncated")
                .is_some_and(|t| t.trim() == "true"),
            next_continuation_token: opt(&root, "NextContinuationToken"),
            key_count: opt(&root, "KeyCount").and_then(|n| n.parse().ok()),
            max_keys: opt(&root, "MaxKeys").and_then(|n| n.parse().ok()),
            prefix: root
                .child_text("Prefix")
                .map(text)
                .filter(|p| !p.is_empty()),
            ..ListObjectsV2Output::default()
        };
        for c in root.children_named("Contents") {
            let key = c
                .child_text("Key")
                .ok_or_else(|| CallError::parse(op, "a <Contents> without <Key>"))?;
            out.contents.push(ObjectSummary {
                key: text(key),
                size: opt(c, "Size").and_then(|n| n.parse().ok()).unwrap_or(0),
                etag: opt(c, "ETag"),
                last_modified: opt(c, "LastModified"),
                storage_class: opt(c, "StorageClass"),
            });
        }
        for p in root.children_named("CommonPrefixes") {
            if let Some(prefix) = p.child_text("Prefix") {
                out.common_prefixes.push(text(prefix));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds() {
        let c = ServiceConfig::new("us-east-1");
        let r = PutObject::new("bkt", "a/b c", b"hi".to_vec())
            .content_type("text/plain")
            .metadata("Owner", "me")
            .unsigned_payload()
            .build(&c)
            .unwrap();
        assert_eq!(r.url, "https://bkt.s3.amazonaws.com/a/b%20c");
        assert!(r
            .headers
            .contains(&("x-amz-meta-owner".into(), "me".into())));
        assert!(matches!(
            r.signing,
            crate::api::Signing::SigV4 {
                sign_payload: false,
                ..
            }
        ));
        let r = DeleteObject::new("my.bucket", "k").build(&c).unwrap();
        assert_eq!(r.url, "https://s3.amazonaws.com/my.bucket/k");
        let invalid = |r: Result<ApiRequest, CallError>| match r {
            Err(CallError::InvalidRequest { message }) => message,
            other => panic!("expected InvalidRequest: {other:?}"),
        };
        assert_eq!(
            invalid(GetObject::new("b", "").build(&c)),
            "an object key must not be empty"
        );
        assert_eq!(
            invalid(GetObject::new("bad bucket", "k").build(&c)),
            "invalid bucket name \"bad bucket\""
        );
        let r = GetObject::new("bkt", "k")
            .last_bytes(5)
            .version_id("v1")
            .build(&c)
            .unwrap();
        assert_eq!(r.url, "https://bkt.s3.amazonaws.com/k?versionId=v1");
        assert!(r.headers.contains(&("range".into(), "bytes=-5".into())));
    }

    #[test]
    fn parses_list_pages() {
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name><Prefix>p%2F</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><NextContinuationToken>tok==</NextContinuationToken><Contents><Key>p/a+b%2Bc</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>&quot;e&quot;</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>p/%C3%BC</Key><Size>0</Size></Contents><CommonPrefixes><Prefix>p/d%2F</Prefix></CommonPrefixes></ListBucketResult>";
        let list = ListObjectsV2::new("b").max_keys(2).url_encoded_keys(true);
        let page = list
            .parse(http::Response::new(body.as_bytes().to_vec()))
            .unwrap();
        assert!(page.is_truncated);
        assert_eq!(page.prefix.as_deref(), Some("p/"));
        assert_eq!(page.contents[0].key, "p/a b+c");
        assert_eq!(page.contents[0].etag.as_deref(), Some("\"e\""));
        assert_eq!(page.contents[0].size, 3);
        assert_eq!(page.contents[1].key, "p/ü");
        assert_eq!(page.common_prefixes, vec!["p/d/"]);
        let next = list.next_page(&page).unwrap();
        assert_eq!(next.continuation_token.as_deref(), Some("tok=="));
        let url = next.build(&ServiceConfig::new("us-east-1")).unwrap().url;
        assert!(
            url.ends_with("?list-type=2&encoding-type=url&continuation-token=tok%3D%3D&max-keys=2"),
            "{url}"
        );
        let last = ListObjectsV2Output::default();
        assert!(list.next_page(&last).is_none());
        match list.parse(http::Response::new(b"<Other/>".to_vec())) {
            Err(CallError::Parse { operation, message }) => assert_eq!(
                (operation, message.as_str()),
                ("s3:ListObjectsV2", "expected <ListBucketResult>")
            ),
            other => panic!("expected Parse: {other:?}"),
        }
    }

    #[test]
    fn checksums_out_and_back() {
        let c = ServiceConfig::new("us-east-1");
        let r = PutObject::new("bkt", "k", b"123456789".to_vec())
            .checksum(ChecksumAlgorithm::Crc32c)
            .build(&c)
            .unwrap();
        assert!(r
            .headers
            .contains(&("x-amz-checksum-crc32c".into(), "4waSgw==".into())));
        assert!(r
            .headers
            .contains(&("x-amz-sdk-checksum-algorithm".into(), "CRC32C".into())));
        let r = GetObject::new("bkt", "k")
            .checksum_mode()
            .build(&c)
            .unwrap();
        assert!(r
            .headers
            .contains(&("x-amz-checksum-mode".into(), "ENABLED".into())));
        let r = HeadObject::new("bkt", "k")
            .checksum_mode()
            .build(&c)
            .unwrap();
        assert!(r
            .headers
            .contains(&("x-amz-checksum-mode".into(), "ENABLED".into())));
        assert!(!HeadObject::new("bkt", "k")
            .build(&c)
            .unwrap()
            .headers
            .iter()
            .any(|(n, _)| n == "x-amz-checksum-mode"));

        // A malformed value (wrong length for its algorithm) is left out.
        let response = http::Response::builder()
            .header("etag", "\"e\"")
            .header(
                "x-amz-checksum-sha256",
                "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=",
            )
            .header("x-amz-checksum-crc32", "y/Q5Jg==")
            .header("x-amz-checksum-crc64nvme", "y/Q5Jg==")
            .body(Vec::new())
            .unwrap();
        let out = PutObject::new("b", "k", Vec::new())
            .parse(response)
            .unwrap();
        let found: Vec<(ChecksumAlgorithm, &str)> = out
            .checksums
            .iter()
            .map(|c| (c.algorithm(), c.base64()))
            .collect();
        assert_eq!(
            found,
            [
                (ChecksumAlgorithm::Crc32, "y/Q5Jg=="),
                (
                    ChecksumAlgorithm::Sha256,
                    "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
                )
            ]
        );
    }

    #[test]
    fn object_metadata_from_headers() {
        let r = http::Response::builder()
            .status(206)
            .header("content-length", "10")
            .header("content-range", "bytes 0-9/100")
            .header("etag", "\"abc\"")
            .header("last-modified", "Wed, 21 Oct 2015 07:28:00 GMT")
            .header("x-amz-meta-b", "2")
            .header("x-amz-meta-a", "1")
            .body(vec![0; 10])
            .unwrap();
        let out = GetObject::new("b", "k").parse(r).unwrap();
        assert_eq!(out.metadata.status, 206);
        assert_eq!(out.metadata.content_length, Some(10));
        assert_eq!(out.metadata.content_range.as_deref(), Some("bytes 0-9/100"));
        assert!(out.metadata.last_modified.is_some());
        assert_eq!(
            out.metadata.metadata,
            vec![("a".into(), "1".into()), ("b".into(), "2".into())]
        );
    }
}
