//! S3 multipart uploads: [`CreateMultipartUpload`], [`UploadPart`],
//! [`CompleteMultipartUpload`], [`AbortMultipartUpload`] and one page of
//! [`ListParts`].
//!
//! A browser (or any client without credentials) can send the parts
//! itself through presigned part URLs
//! ([`S3Location::presign_upload_parts`](crate::s3::S3Location::presign_upload_parts)):
//! the server side creates the upload, hands out one URL per part, and
//! completes the upload with the part numbers and the `ETag`s the part
//! uploads answered with.
//!
//! `CompleteMultipartUpload` can fail after S3 has answered `200 OK`: the
//! error then comes in the body (`<Error>...`), and [`parse`](Operation::parse)
//! turns it into the same [`CallError::Api`] as an error status would.
//!
//! ```
//! use sigv4::api::s3_multipart::{CompleteMultipartUpload, CompletedPart, CreateMultipartUpload};
//! use sigv4::api::{Operation, ServiceConfig};
//!
//! let config = ServiceConfig::new("eu-west-1");
//! let create = CreateMultipartUpload::new("my-bucket", "videos/big.mp4").content_type("video/mp4");
//! let request = create.build(&config)?;
//! assert_eq!(request.url, "https://my-bucket.s3.eu-west-1.amazonaws.com/videos/big.mp4?uploads=");
//!
//! let done = CompleteMultipartUpload::new("my-bucket", "videos/big.mp4", "UPLOAD-ID")
//!     .part(CompletedPart::new(1, "\"etag-1\""))
//!     .part(CompletedPart::new(2, "\"etag-2\""));
//! let request = done.build(&config)?;
//! assert_eq!(request.url, "https://my-bucket.s3.eu-west-1.amazonaws.com/videos/big.mp4?uploadId=UPLOAD-ID");
//! assert!(String::from_utf8_lossy(&request.body)
//!     .contains("<Part><PartNumber>1</PartNumber><ETag>&quot;etag-1&quot;</ETag></Part>"));
//! # Ok::<(), sigv4::api::CallError>(())
//! ```

use super::headers::X_AMZ_META_PREFIX;
use super::s3_objects::{object_request, ObjectMetadata};
use super::xml;
use super::{check_status, ApiError, ApiRequest, CallError, Operation, ServiceConfig};
use crate::s3::{MAX_PART_NUMBER, MIN_PART_NUMBER};

/// The query parameter naming the upload.
const UPLOAD_ID: &str = "uploadId";
/// The query parameter naming the part.
const PART_NUMBER: &str = "partNumber";

fn check_upload_id(upload_id: &str) -> Result<(), CallError> {
    if upload_id.is_empty() {
        return Err(CallError::invalid("an upload id must not be empty"));
    }
    Ok(())
}

fn check_part_number(n: u32) -> Result<(), CallError> {
    if !(MIN_PART_NUMBER..=MAX_PART_NUMBER).contains(&n) {
        return Err(CallError::invalid(format!(
            "part number {n} is outside {MIN_PART_NUMBER}..={MAX_PART_NUMBER}"
        )));
    }
    Ok(())
}

/// Parses an XML answer whose root must be `expected`; an `<Error>` root
/// (S3's error in a 200 answer) is that error.
fn parse_root(
    op: &'static str,
    response: &http::Response<Vec<u8>>,
    expected: &str,
) -> Result<xml::Element, CallError> {
    let root = xml::parse(response.body()).map_err(|e| CallError::parse(op, e.to_string()))?;
    if root.name == "Error" {
        return Err(ApiError::from_response(response).into());
    }
    if root.name != expected {
        return Err(CallError::parse(op, format!("expected <{expected}>")));
    }
    Ok(root)
}

fn required(op: &'static str, e: &xml::Element, name: &str) -> Result<String, CallError> {
    e.child_text(name)
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| CallError::parse(op, format!("missing <{name}>")))
}

fn optional(e: &xml::Element, name: &str) -> Option<String> {
    e.child_text(name)
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// `CreateMultipartUpload`: starts an upload and returns its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateMultipartUpload {
    /// The bucket.
    pub bucket: String,
    /// The key of the object the parts will make.
    pub key: String,
    /// `Content-Type` of the finished object.
    pub content_type: Option<String>,
    /// User metadata (`x-amz-meta-{name}`).
    pub metadata: Vec<(String, String)>,
}

impl CreateMultipartUpload {
    /// An upload of `bucket`/`key`.
    pub fn new(bucket: impl Into<String>, key: impl Into<String>) -> Self {
        CreateMultipartUpload {
            bucket: bucket.into(),
            key: key.into(),
            content_type: None,
            metadata: Vec::new(),
        }
    }

    /// Sets the finished object's `Content-Type`.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Adds `x-amz-meta-{name}: value` to the finished object.
    pub fn metadata(mut self, name: &str, value: impl Into<String>) -> Self {
        self.metadata
            .push((name.to_ascii_lowercase(), value.into()));
        self
    }
}

/// The answer of [`CreateMultipartUpload`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateMultipartUploadOutput {
    /// `Bucket`.
    pub bucket: String,
    /// `Key`.
    pub key: String,
    /// `UploadId`: what every later call of this upload names.
    pub upload_id: String,
}

impl Operation for CreateMultipartUpload {
    type Output = CreateMultipartUploadOutput;
    fn name(&self) -> &'static str {
        "s3:CreateMultipartUpload"
    }
    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, CallError> {
        let mut r = object_request(
            http::Method::POST,
            config,
            &self.bucket,
            &self.key,
            &[("uploads", "")],
        )?;
        if let Some(ct) = &self.content_type {
            r = r.header("content-type", ct.as_str());
        }
        for (n, v) in &self.metadata {
            r = r.header(&format!("{X_AMZ_META_PREFIX}{n}"), v.as_str());
        }
        Ok(r)
    }
    fn parse(
        &self,
        response: http::Response<Vec<u8>>,
    ) -> Result<CreateMultipartUploadOutput, CallError> {
        let op = self.name();
        let response = check_status(response)?;
        let root = parse_root(op, &response, "InitiateMultipartUploadResult")?;
        Ok(CreateMultipartUploadOutput {
            bucket: optional(&root, "Bucket").unwrap_or_else(|| self.bucket.clone()),
            key: root
                .child_text("Key")
                .map(str::to_owned)
                .unwrap_or_else(|| self.key.clone()),
            upload_id: required(op, &root, "UploadId")?,
        })
    }
}

/// `UploadPart`: one part (1 ..= 10 000; every part but the last at least
/// 5 MiB), body held in memory.
#[derive(Clone, PartialEq, Eq)]
pub struct UploadPart {
    /// The bucket.
    pub bucket: String,
    /// The key.
    pub key: String,
    /// The upload.
    pub upload_id: String,
    /// The part number.
    pub part_number: u32,
    /// The part's bytes.
    pub body: Vec<u8>,
}

impl std::fmt::Debug for UploadPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadPart")
            .field("bucket", &self.bucket)
            .field("key", &self.key)
            .field("upload_id", &self.upload_id)
            .field("part_number", &self.part_number)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl UploadPart {
    /// Part `part_number` of upload `upload_id`.
    pub fn new(
        bucket: impl Into<String>,
        key: impl Into<String>,
        upload_id: impl Into<String>,
        part_number: u32,
        body: impl Into<Vec<u8>>,
    ) -> Self {
        UploadPart {
            bucket: bucket.into(),
            key: key.into(),
            upload_id: upload_id.into(),
            part_number,
            body: body.into(),
        }
    }
}

/// The answer of [`UploadPart`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadPartOutput {
    /// The part's `ETag`, for [`CompleteMultipartUpload`].
    pub etag: String,
}

impl Operation for UploadPart {
    type Output = UploadPartOutput;
    fn name(&self) -> &'static str {
        "s3:UploadPart"
    }
    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, CallError> {
        check_upload_id(&self.upload_id)?;
        check_part_number(self.part_number)?;
        let n = self.part_number.to_string();
        Ok(object_request(
            http::Method::PUT,
            config,
            &self.bucket,
            &self.key,
            &[(PART_NUMBER, &n), (UPLOAD_ID, &self.upload_id)],
        )?
        .body(self.body.clone()))
    }
    fn parse(&self, response: http::Response<Vec<u8>>) -> Result<UploadPartOutput, CallError> {
        let response = check_status(response)?;
        let etag = ObjectMetadata::from_response(&response)
            .etag
            .ok_or_else(|| CallError::parse(self.name(), "no ETag header"))?;
        Ok(UploadPartOutput { etag })
    }
}

/// A part as [`CompleteMultipartUpload`] names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletedPart {
    /// The part number.
    pub part_number: u32,
    /// The `ETag` its upload answered with (quotes included, as sent).
    pub etag: String,
}

impl CompletedPart {
    /// Part `part_number` with `etag`.
    pub fn new(part_number: u32, etag: impl Into<String>) -> Self {
        CompletedPart {
            part_number,
            etag: etag.into(),
        }
    }
}

/// `CompleteMultipartUpload`: joins the parts, in part-number order, into the object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompleteMultipartUpload {
    /// The bucket.
    pub bucket: String,
    /// The key.
    pub key: String,
    /// The upload.
    pub upload_id: String,
    /// The parts (sorted by part number when the request is built).
    pub parts: Vec<CompletedPart>,
}

impl CompleteMultipartUpload {
    /// Completes upload `upload_id` of `bucket`/`key`; add the parts with [`part`](Self::part).
    pub fn new(
        bucket: impl Into<String>,
        key: impl Into<String>,
        upload_id: impl Into<String>,
    ) -> Self {
        CompleteMultipartUpload {
            bucket: bucket.into(),
            key: key.into(),
            upload_id: upload_id.into(),
            parts: Vec::new(),
        }
    }

    /// Adds a part.
    pub fn part(mut self, part: CompletedPart) -> Self {
        self.parts.push(part);
        self
    }

    /// The request body: `<CompleteMultipartUpload>` with the parts in order.
    fn body(&self) -> Result<String, CallError> {
        if self.parts.is_empty() {
            return Err(CallError::invalid(
                "a multipart upload is completed with at least one part",
            ));
        }
        let mut parts: Vec<&CompletedPart> = self.parts.iter().collect();
        parts.sort_by_key(|p| p.part_number);
        let mut body = String::from(
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">",
        );
        for (i, p) in parts.iter().enumerate() {
            check_part_number(p.part_number)?;
            if i > 0 && parts[i - 1].part_number == p.part_number {
                return Err(CallError::invalid(format!(
                    "part {} is named twice",
                    p.part_number
                )));
            }
            body.push_str(&format!(
                "<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>",
                p.part_number,
                quick_xml::escape::escape(p.etag.as_str())
            ));
        }
        body.push_str("</CompleteMultipartUpload>");
        Ok(body)
    }
}

/// The answer of [`CompleteMultipartUpload`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CompleteMultipartUploadOutput {
    /// `Location`.
    pub location: Option<String>,
    /// `ETag` of the object (a multipart `ETag`, `"...-N"` on AWS).
    pub etag: Option<String>,
    /// `x-amz-version-id`.
    pub version_id: Option<String>,
}

impl Operation for CompleteMultipartUpload {
    type Output = CompleteMultipartUploadOutput;
    fn name(&self) -> &'static str {
        "s3:CompleteMultipartUpload"
    }
    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, CallError> {
        check_upload_id(&self.upload_id)?;
        let body = self.body()?;
        Ok(object_request(
            http::Method::POST,
            config,
            &self.bucket,
            &self.key,
            &[(UPLOAD_ID, &self.upload_id)],
        )?
        .header("content-type", "application/xml")
        .body(body.into_bytes()))
    }
    fn parse(
        &self,
        response: http::Response<Vec<u8>>,
    ) -> Result<CompleteMultipartUploadOutput, CallError> {
        let response = check_status(response)?;
        let root = parse_root(self.name(), &response, "CompleteMultipartUploadResult")?;
        Ok(CompleteMultipartUploadOutput {
            location: optional(&root, "Location"),
            etag: optional(&root, "ETag"),
            version_id: ObjectMetadata::from_response(&response).version_id,
        })
    }
}

/// `AbortMultipartUpload`: drops the upload and its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AbortMultipartUpload {
    /// The bucket.
    pub bucket: String,
    /// The key.
    pub key: String,
    /// The upload.
    pub upload_id: String,
}

impl AbortMultipartUpload {
    /// Aborts upload `upload_id` of `bucket`/`key`.
    pub fn new(
        bucket: impl Into<String>,
        key: impl Into<String>,
        upload_id: impl Into<String>,
    ) -> Self {
        AbortMultipartUpload {
            bucket: bucket.into(),
            key: key.into(),
            upload_id: upload_id.into(),
        }
    }
}

impl Operation for AbortMultipartUpload {
    type Output = ();
    fn name(&self) -> &'static str {
        "s3:AbortMultipartUpload"
    }
    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, CallError> {
        check_upload_id(&self.upload_id)?;
        object_request(
            http::Method::DELETE,
            config,
            &self.bucket,
            &self.key,
            &[(UPLOAD_ID, &self.upload_id)],
        )
    }
    fn parse(&self, response: http::Response<Vec<u8>>) -> Result<(), CallError> {
        check_status(response).map(|_| ())
    }
}

/// One page of `ListParts`: the parts uploaded so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListParts {
    /// The bucket.
    pub bucket: String,
    /// The key.
    pub key: String,
    /// The upload.
    pub upload_id: String,
    /// `max-parts`.
    pub max_parts: Option<u32>,
    /// `part-number-marker`: list the parts after this one.
    pub part_number_marker: Option<u32>,
}

impl ListParts {
    /// The first page of the parts of upload `upload_id`.
    pub fn new(
        bucket: impl Into<String>,
        key: impl Into<String>,
        upload_id: impl Into<String>,
    ) -> Self {
        ListParts {
            bucket: bucket.into(),
            key: key.into(),
            upload_id: upload_id.into(),
            max_parts: None,
            part_number_marker: None,
        }
    }

    /// Sets `max-parts`.
    pub fn max_parts(mut self, n: u32) -> Self {
        self.max_parts = Some(n);
        self
    }

    /// The request for the page after `page` (`None` when `page` was the last).
    pub fn next_page(&self, page: &ListPartsOutput) -> Option<ListParts> {
        let marker = page.next_part_number_marker.filter(|_| page.is_truncated)?;
        let mut next = self.clone();
        next.part_number_marker = Some(marker);
        Some(next)
    }
}

/// One uploaded part.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Part {
    /// `PartNumber`.
    pub part_number: u32,
    /// `ETag` (S3 always sends it; some compatible stores, s3s-fs 0.14
    /// among them, leave it out).
    pub etag: Option<String>,
    /// `Size` in bytes.
    pub size: u64,
    /// `LastModified` (ISO 8601 text, as sent).
    pub last_modified: Option<String>,
}

/// The answer of [`ListParts`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListPartsOutput {
    /// The parts of this page, sorted by part number (as S3 sends them;
    /// s3s-fs 0.14 sends them in directory order).
    pub parts: Vec<Part>,
    /// More pages follow.
    pub is_truncated: bool,
    /// The marker for the next page.
    pub next_part_number_marker: Option<u32>,
}

impl Operation for ListParts {
    type Output = ListPartsOutput;
    fn name(&self) -> &'static str {
        "s3:ListParts"
    }
    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, CallError> {
        check_upload_id(&self.upload_id)?;
        let max = self.max_parts.map(|n| n.to_string());
        let marker = self.part_number_marker.map(|n| n.to_string());
        let mut query = vec![(UPLOAD_ID, self.upload_id.as_str())];
        query.extend(max.as_deref().map(|m| ("max-parts", m)));
        query.extend(marker.as_deref().map(|m| ("part-number-marker", m)));
        object_request(http::Method::GET, config, &self.bucket, &self.key, &query)
    }
    fn parse(&self, response: http::Response<Vec<u8>>) -> Result<ListPartsOutput, CallError> {
        let op = self.name();
        let response = check_status(response)?;
        let root = parse_root(op, &response, "ListPartsResult")?;
        let number = |e: &xml::Element, name: &str| -> Result<Option<u64>, CallError> {
            optional(e, name)
                .map(|t| {
                    t.parse()
                        .map_err(|_| CallError::parse(op, format!("<{name}> is not a number")))
                })
                .transpose()
        };
        let mut out = ListPartsOutput {
            is_truncated: optional(&root, "IsTruncated").is_some_and(|t| t == "true"),
            next_part_number_marker: number(&root, "NextPartNumberMarker")?
                .and_then(|n| u32::try_from(n).ok()),
            parts: Vec::new(),
        };
        for p in root.children_named("Part") {
            let part_number = number(p, "PartNumber")?
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| CallError::parse(op, "a <Part> without <PartNumber>"))?;
            out.parts.push(Part {
                part_number,
                etag: optional(p, "ETag"),
                size: number(p, "Size")?.unwrap_or(0),
                last_modified: optional(p, "LastModified"),
            });
        }
        out.parts.sort_by_key(|p| p.part_number);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ServiceConfig {
        ServiceConfig::new("us-east-1").with_endpoint_url("http://127.0.0.1:9000")
    }

    fn ok(body: &str) -> http::Response<Vec<u8>> {
        http::Response::new(body.as_bytes().to_vec())
    }

    fn invalid(r: Result<ApiRequest, CallError>) -> String {
        match r {
            Err(CallError::InvalidRequest { message }) => message,
            other => panic!("expected InvalidRequest: {other:?}"),
        }
    }

    #[test]
    fn builds_each_call() {
        let c = config();
        let r = CreateMultipartUpload::new("b", "k k")
            .metadata("Who", "me")
            .build(&c)
            .unwrap();
        assert_eq!(
            (r.method.as_str(), r.url.as_str()),
            ("POST", "http://127.0.0.1:9000/b/k%20k?uploads=")
        );
        assert!(r.headers.contains(&("x-amz-meta-who".into(), "me".into())));
        let r = UploadPart::new("b", "k", "u+1/=", 7, b"data".to_vec())
            .build(&c)
            .unwrap();
        assert_eq!(
            (r.method.as_str(), r.url.as_str(), r.body.as_slice()),
            (
                "PUT",
                "http://127.0.0.1:9000/b/k?partNumber=7&uploadId=u%2B1%2F%3D",
                &b"data"[..]
            )
        );
        let r = AbortMultipartUpload::new("b", "k", "u").build(&c).unwrap();
        assert_eq!(
            (r.method.as_str(), r.url.as_str()),
            ("DELETE", "http://127.0.0.1:9000/b/k?uploadId=u")
        );
        let r = ListParts::new("b", "k", "u")
            .max_parts(2)
            .build(&c)
            .unwrap();
        assert_eq!(r.url, "http://127.0.0.1:9000/b/k?uploadId=u&max-parts=2");
    }

    #[test]
    fn complete_sorts_escapes_and_refuses_impossible_part_lists() {
        let c = config();
        let r = CompleteMultipartUpload::new("b", "k", "u")
            .part(CompletedPart::new(2, "\"two\""))
            .part(CompletedPart::new(1, "<one>&"))
            .build(&c)
            .unwrap();
        assert_eq!(
            String::from_utf8(r.body).unwrap(),
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
             <Part><PartNumber>1</PartNumber><ETag>&lt;one&gt;&amp;</ETag></Part>\
             <Part><PartNumber>2</PartNumber><ETag>&quot;two&quot;</ETag></Part>\
             </CompleteMultipartUpload>"
        );
        assert_eq!(
            invalid(CompleteMultipartUpload::new("b", "k", "u").build(&c)),
            "a multipart upload is completed with at least one part"
        );
        assert_eq!(
            invalid(
                CompleteMultipartUpload::new("b", "k", "u")
                    .part(CompletedPart::new(3, "a"))
                    .part(CompletedPart::new(3, "b"))
                    .build(&c)
            ),
            "part 3 is named twice"
        );
        assert_eq!(
            invalid(
                CompleteMultipartUpload::new("b", "k", "u")
                    .part(CompletedPart::new(0, "a"))
                    .build(&c)
            ),
            "part number 0 is outside 1..=10000"
        );
        assert_eq!(
            invalid(UploadPart::new("b", "k", "u", 10_001, Vec::new()).build(&c)),
            "part number 10001 is outside 1..=10000"
        );
        assert_eq!(
            invalid(UploadPart::new("b", "k", "", 1, Vec::new()).build(&c)),
            "an upload id must not be empty"
        );
    }

    #[test]
    fn parses_answers() {
        let create = CreateMultipartUpload::new("b", "k");
        let out = create
            .parse(ok("<?xml version=\"1.0\"?><InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>b</Bucket><Key>k</Key><UploadId>VXBsb2FkIElE</UploadId></InitiateMultipartUploadResult>"))
            .unwrap();
        assert_eq!(out.upload_id, "VXBsb2FkIElE");
        match create.parse(ok(
            "<InitiateMultipartUploadResult><Bucket>b</Bucket></InitiateMultipartUploadResult>",
        )) {
            Err(CallError::Parse { message, .. }) => assert_eq!(message, "missing <UploadId>"),
            other => panic!("expected Parse: {other:?}"),
        }

        let complete = CompleteMultipartUpload::new("b", "k", "u");
        let out = complete
            .parse(ok("<CompleteMultipartUploadResult><Location>http://x/b/k</Location><Bucket>b</Bucket><Key>k</Key><ETag>\"3858f62230ac3c915f300c664312c11f-9\"</ETag></CompleteMultipartUploadResult>"))
            .unwrap();
        assert_eq!(
            out.etag.as_deref(),
            Some("\"3858f62230ac3c915f300c664312c11f-9\"")
        );
        // S3's documented failure inside a 200 answer.
        let err = complete
            .parse(ok("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>"))
            .unwrap_err();
        assert_eq!(err.code(), Some("InternalError"));

        let list = ListParts::new("b", "k", "u").max_parts(2);
        let page = list
            .parse(ok("<ListPartsResult><Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId><PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>2</NextPartNumberMarker><MaxParts>2</MaxParts><IsTruncated>true</IsTruncated><Part><PartNumber>1</PartNumber><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>\"a\"</ETag><Size>5242880</Size></Part><Part><PartNumber>2</PartNumber><ETag>\"b\"</ETag><Size>3</Size></Part></ListPartsResult>"))
            .unwrap();
        assert_eq!(
            page.parts
                .iter()
                .map(|p| (p.part_number, p.etag.as_deref(), p.size))
                .collect::<Vec<_>>(),
            vec![(1, Some("\"a\""), 5_242_880), (2, Some("\"b\""), 3)]
        );
        let next = list.next_page(&page).unwrap();
        assert_eq!(
            next.build(&config()).unwrap().url,
            "http://127.0.0.1:9000/b/k?uploadId=u&max-parts=2&part-number-marker=2"
        );
        assert!(list.next_page(&ListPartsOutput::default()).is_none());
        match list.parse(ok(
            "<ListPartsResult><Part><PartNumber>x</PartNumber></Part></ListPartsResult>",
        )) {
            Err(CallError::Parse { message, .. }) => {
                assert_eq!(message, "<PartNumber> is not a number");
            }
            other => panic!("expected Parse: {other:?}"),
        }
    }
}
