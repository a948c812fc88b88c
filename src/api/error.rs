//! [`ApiError`]: what an AWS service answered to a failed call, read from
//! the error body.
//!
//! [`ApiError::from_response`] reads the four error shapes AWS services use:
//!
//! | protocol | body |
//! | --- | --- |
//! | query (STS, IAM, SQS...) | `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>` |
//! | S3 | `<Error><Code/><Message/><RequestId/><HostId/>...</Error>` |
//! | EC2 | `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>` |
//! | JSON (1.0/1.1, REST-JSON) | `{"__type": "ns#Code", "message": "..."}`, or the `x-amzn-errortype` header |
//!
//! A body in none of these shapes (HEAD responses have none) gives a code
//! derived from the status (`NotFound`, `Forbidden`...).
//!
//! ```
//! use sigv4::api::{ApiError, ErrorFormat};
//!
//! let response = http::Response::builder()
//!     .status(403)
//!     .header("x-amzn-requestid", "c6104cbe-af31-11e0-8154-cbc7ccf896c7")
//!     .body(br#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
//!   <Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized</Message></Error>
//!   <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
//! </ErrorResponse>"#.to_vec())?;
//! let error = ApiError::from_response(&response);
//! assert_eq!((error.status, error.code.as_str()), (403, "AccessDenied"));
//! assert_eq!(error.message.as_deref(), Some("not authorized"));
//! assert_eq!(error.format, ErrorFormat::QueryXml);
//! assert_eq!(error.to_string(), "AccessDenied (HTTP 403): not authorized [request id c6104cbe-af31-11e0-8154-cbc7ccf896c7]");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! No message of this module shows a secret: canonical requests and
//! messages are shown with any `x-amz-security-token` value replaced.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::time::SystemTime;

use super::headers::{DATE, X_AMZN_ERRORTYPE, X_AMZN_REQUESTID, X_AMZ_ID_2, X_AMZ_REQUEST_ID};
use super::signature_mismatch::CANONICAL_STRING_MARKER;
use super::{xml, CallError, SignatureMismatch};
use crate::util::redact::redact;
use crate::util::time::parse_http_date;

/// Which error shape a response body had.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorFormat {
    /// `<ErrorResponse><Error>...` (query protocol: STS, IAM, SQS, SNS...).
    QueryXml,
    /// `<Error>...` at the root (S3).
    S3Xml,
    /// `<Response><Errors><Error>...` (EC2).
    Ec2Xml,
    /// A JSON object with `__type`/`code`, or the `x-amzn-errortype` header.
    Json,
    /// No recognizable body: the code comes from the status.
    Unknown,
}

/// A service's answer to a failed call.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// The error code (`AccessDenied`, `NoSuchKey`, `ThrottlingException`...),
    /// without any `namespace#` prefix or `:uri` suffix.
    pub code: String,
    /// The service's message.
    pub message: Option<String>,
    /// The request id (body, `x-amzn-requestid` or `x-amz-request-id`).
    pub request_id: Option<String>,
    /// `Sender` or `Receiver` (query protocol `<Type>`).
    pub error_type: Option<String>,
    /// S3's extended request id (`<HostId>` or `x-amz-id-2`).
    pub host_id: Option<String>,
    /// The server's clock, from the `Date` header.
    pub server_time: Option<SystemTime>,
    /// The body's shape.
    pub format: ErrorFormat,
    /// For `SignatureDoesNotMatch` / `InvalidSignatureException`: the
    /// server's and (filled in by the [`Caller`](super::call::Caller)) our
    /// canonical request and string to sign.
    pub signature_mismatch: Option<Box<SignatureMismatch>>,
    /// Other fields of the error element (S3 adds `Resource`, `BucketName`,
    /// `Key`...), in document order.
    pub details: Vec<(String, String)>,
}

fn header<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// `ns.Service#Code:http://uri` -> `Code`.
fn sanitize_code(raw: &str) -> &str {
    let s = raw.trim();
    let s = s.split(':').next().unwrap_or(s);
    s.rsplit('#').next().unwrap_or(s).trim()
}

/// A code for a status with no error body.
pub(crate) fn code_for_status(status: u16) -> String {
    match status {
        301 => "MovedPermanently".into(),
        304 => "NotModified".into(),
        307 => "TemporaryRedirect".into(),
        400 => "BadRequest".into(),
        401 => "Unauthorized".into(),
        403 => "Forbidden".into(),
        404 => "NotFound".into(),
        405 => "MethodNotAllowed".into(),
        409 => "Conflict".into(),
        412 => "PreconditionFailed".into(),
        416 => "InvalidRange".into(),
        429 => "TooManyRequests".into(),
        500 => "InternalError".into(),
        502 => "BadGateway".into(),
        503 => "ServiceUnavailable".into(),
        504 => "GatewayTimeout".into(),
        s => format!("Http{s}"),
    }
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl ApiError {
    /// Reads an error response (any status; a 2xx gives code `Http200`...).
    pub fn from_response(response: &http::Response<Vec<u8>>) -> ApiError {
        Self::from_parts(
            response.status().as_u16(),
            response.headers(),
            response.body(),
        )
    }

    /// Reads an error from its status, headers and body.
    pub fn from_parts(status: u16, headers: &http::HeaderMap, body: &[u8]) -> ApiError {
        let mut e = ApiError {
            status,
            code: String::new(),
            message: None,
            request_id: header(headers, X_AMZN_REQUESTID)
                .or_else(|| header(headers, X_AMZ_REQUEST_ID))
                .map(str::to_owned),
            error_type: None,
            host_id: header(headers, X_AMZ_ID_2).map(str::to_owned),
            server_time: header(headers, DATE).and_then(parse_http_date),
            format: ErrorFormat::Unknown,
            signature_mismatch: None,
            details: Vec::new(),
        };
        let trimmed = body.trim_ascii_start();
        if trimmed.starts_with(b"<") {
            if let Ok(root) = xml::parse(body) {
                e.read_xml(&root);
            }
        } else if trimmed.starts_with(b"{") {
            e.read_json(body);
        }
        if e.code.is_empty() {
            if let Some(t) = header(headers, X_AMZN_ERRORTYPE) {
                e.code = sanitize_code(t).to_owned();
                e.format = ErrorFormat::Json;
            }
        }
        if e.code.is_empty() {
            e.code = code_for_status(status);
        }
        if e.is_signature_mismatch() {
            e.signature_mismatch = Some(Box::new(SignatureMismatch::from_error(
                &e.details,
                e.message.as_deref(),
            )));
        }
        e
    }

    fn read_error_element(&mut self, error: &xml::Element) {
        for child in &error.children {
            let text = child.text();
            match child.name.as_str() {
                "Code" => self.code = sanitize_code(text).to_owned(),
                "Message" => self.message = non_empty(Some(text)),
                "Type" => self.error_type = non_empty(Some(text)),
                "RequestId" | "RequestID" => {
                    self.request_id = non_empty(Some(text)).or(self.request_id.take());
                }
                "HostId" => self.host_id = non_empty(Some(text)).or(self.host_id.take()),
                _ => self.details.push((child.name.clone(), text.to_owned())),
            }
        }
    }

    fn read_xml(&mut self, root: &xml::Element) {
        match root.name.as_str() {
            "ErrorResponse" => {
                // `<Error>`, or `<Errors><Error>` as moto (and a few services) send it.
                if let Some(error) = root.child("Error").or_else(|| root.find("Error")) {
                    self.read_error_element(error);
                }
                self.format = ErrorFormat::QueryXml;
            }
            "Error" => {
                self.read_error_element(root);
                self.format = ErrorFormat::S3Xml;
            }
            "Response" => {
                if let Some(error) = root.path(&["Errors", "Error"]) {
                    self.read_error_element(error);
                }
                self.format = ErrorFormat::Ec2Xml;
            }
            _ => {
                if let Some(error) = root.find("Error") {
                    self.read_error_element(error);
                    self.format = ErrorFormat::QueryXml;
                }
            }
        }
        for id in ["RequestId", "RequestID"] {
            if let Some(t) = non_empty(root.child_text(id)) {
                self.request_id = Some(t);
            }
        }
    }

    fn read_json(&mut self, body: &[u8]) {
        let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(body) else {
            return;
        };
        let text = |k: &str| map.get(k).and_then(|v| v.as_str());
        if let Some(code) = text("__type")
            .or_else(|| text("code"))
            .or_else(|| text("Code"))
        {
            self.code = sanitize_code(code).to_owned();
        }
        self.message = non_empty(
            text("message")
                .or_else(|| text("Message"))
                .or_else(|| text("errorMessage")),
        );
        self.format = ErrorFormat::Json;
    }

    /// True for `SignatureDoesNotMatch` and `InvalidSignatureException`.
    pub fn is_signature_mismatch(&self) -> bool {
        matches!(
            self.code.as_str(),
            "SignatureDoesNotMatch" | "InvalidSignatureException"
        )
    }

    /// True for a 404 or a `NoSuchKey` / `NoSuchBucket` / `NotFound` code.
    pub fn is_not_found(&self) -> bool {
        self.status == 404
            || matches!(
                self.code.as_str(),
                "NoSuchKey" | "NoSuchBucket" | "NotFound"
            )
    }

    /// The value of an extra field of the error element (`Resource`, `Key`...).
    pub fn detail(&self, name: &str) -> Option<&str> {
        self.details
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The message with any quoted canonical request cut off and security
    /// tokens redacted: what `Display` shows.
    pub fn safe_message(&self) -> Option<Cow<'_, str>> {
        let msg = self.message.as_deref()?;
        let cut = msg
            .find(CANONICAL_STRING_MARKER)
            .map_or(msg, |i| msg[..i].trim_end());
        Some(redact(cut))
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (HTTP {})", self.code, self.status)?;
        if let Some(m) = self.safe_message() {
            write!(f, ": {m}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("code", &self.code)
            .field("message", &self.safe_message())
            .field("request_id", &self.request_id)
            .field("error_type", &self.error_type)
            .field("host_id", &self.host_id)
            .field("format", &self.format)
            .field("signature_mismatch", &self.signature_mismatch)
            .field(
                "details",
                &self
                    .details
                    .iter()
                    .filter(|(n, _)| n != "CanonicalRequest" && !n.ends_with("Bytes"))
                    .map(|(n, v)| (n.as_str(), redact(v)))
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl StdError for ApiError {}

/// Returns the response when its status is 2xx, else its [`ApiError`].
pub fn check_status(
    response: http::Response<Vec<u8>>,
) -> Result<http::Response<Vec<u8>>, CallError> {
    if response.status().is_success() {
        Ok(response)
    } else {
        Err(ApiError::from_response(&response).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> http::Response<Vec<u8>> {
        let mut b = http::Response::builder().status(status);
        for (n, v) in headers {
            b = b.header(*n, *v);
        }
        b.body(body.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn query_xml() {
        let e = ApiError::from_response(&resp(
            400,
            &[("date", "Tue, 15 Nov 1994 08:12:31 GMT")],
            "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>abc</RequestId></ErrorResponse>",
        ));
        assert_eq!(e.code, "Throttling");
        assert_eq!(e.error_type.as_deref(), Some("Sender"));
        assert_eq!(e.request_id.as_deref(), Some("abc"));
        assert_eq!(e.format, ErrorFormat::QueryXml);
        let t = e
            .server_time
            .unwrap()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap();
        assert_eq!(t.as_secs(), 784887151);
    }

    #[test]
    fn s3_xml_signature_mismatch() {
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message><AWSAccessKeyId>AKID</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\nabc</StringToSign><SignatureProvided>ff</SignatureProvided><CanonicalRequest>GET\n/k\n\nhost:b\nx-amz-security-token:SECRETTOKEN\n\nhost;x-amz-security-token\nUNSIGNED-PAYLOAD</CanonicalRequest><RequestId>R1</RequestId><HostId>H1</HostId></Error>";
        let mut e = ApiError::from_response(&resp(403, &[("x-amz-request-id", "R0")], body));
        assert_eq!(e.code, "SignatureDoesNotMatch");
        assert_eq!(e.format, ErrorFormat::S3Xml);
        assert_eq!(e.request_id.as_deref(), Some("R1"));
        assert_eq!(e.host_id.as_deref(), Some("H1"));
        let m = e.signature_mismatch.as_mut().unwrap();
        assert!(m
            .server_canonical_request
            .as_deref()
            .unwrap()
            .starts_with("GET\n/k\n"));
        assert!(m
            .server_string_to_sign
            .as_deref()
            .unwrap()
            .ends_with("\nabc"));
        assert_eq!(m.access_key_id.as_deref(), Some("AKID"));
        m.our_canonical_request =
            Some("GET\n/k\n\nhost:c\nx-amz-security-token:SECRETTOKEN\n".into());
        let (line, server, ours) = m.first_difference().unwrap();
        assert_eq!(
            (line, server.as_str(), ours.as_str()),
            (4, "host:b", "host:c")
        );
        for shown in [format!("{e}"), format!("{e:?}"), format!("{e:#?}")] {
            assert!(!shown.contains("SECRETTOKEN"), "{shown}");
        }
    }

    #[test]
    fn query_signature_mismatch_message() {
        let msg = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'POST\n/\n\nhost:sts.amazonaws.com\nx-amz-security-token:TOK\n\nhost;x-amz-security-token\nabc'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20240101T000000Z\nscope\ndef'\n";
        let body = format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>{}</Message></Error><RequestId>x</RequestId></ErrorResponse>",
            msg.replace('&', "&amp;")
        );
        let e = ApiError::from_response(&resp(403, &[], &body));
        let m = e.signature_mismatch.as_deref().unwrap();
        assert!(m
            .server_canonical_request
            .as_deref()
            .unwrap()
            .ends_with("\nabc"));
        assert!(m
            .server_canonical_request
            .as_deref()
            .unwrap()
            .starts_with("POST\n"));
        assert_eq!(
            m.server_string_to_sign.as_deref(),
            Some("AWS4-HMAC-SHA256\n20240101T000000Z\nscope\ndef")
        );
        let shown = e.to_string();
        assert!(
            !shown.contains("TOK") && !shown.contains("Canonical"),
            "{shown}"
        );
        assert!(!format!("{e:?}").contains("x-amz-security-token:TOK"));
    }

    #[test]
    fn query_xml_with_errors_wrapper() {
        let e = ApiError::from_response(&resp(
            403,
            &[("x-amzn-requestid", "m1")],
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message><Type>Sender</Type></Error></Errors></ErrorResponse>",
        ));
        assert_eq!(
            (e.status, e.code.as_str(), e.format),
            (403, "InvalidClientTokenId", ErrorFormat::QueryXml)
        );
        assert_eq!(
            e.message.as_deref(),
            Some("The security token included in the request is invalid.")
        );
        assert_eq!(e.error_type.as_deref(), Some("Sender"));
        assert_eq!(e.request_id.as_deref(), Some("m1"));
        assert!(e.signature_mismatch.is_none());
    }

    #[test]
    fn ec2_xml() {
        let e = ApiError::from_response(&resp(
            412,
            &[],
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>DryRunOperation</Code><Message>Request would have succeeded, but DryRun flag is set.</Message></Error></Errors><RequestID>59dbff89-35bd-4eac-99ed-be587EXAMPLE</RequestID></Response>",
        ));
        assert_eq!(e.code, "DryRunOperation");
        assert_eq!(e.format, ErrorFormat::Ec2Xml);
        assert_eq!(
            e.request_id.as_deref(),
            Some("59dbff89-35bd-4eac-99ed-be587EXAMPLE")
        );
    }

    #[test]
    fn json_shapes() {
        let e = ApiError::from_response(&resp(
            400,
            &[("x-amzn-requestid", "id1")],
            r#"{"__type":"com.amazon.coral.service#ThrottlingException","message":"slow down"}"#,
        ));
        assert_eq!(
            (e.code.as_str(), e.message.as_deref()),
            ("ThrottlingException", Some("slow down"))
        );
        assert_eq!(e.request_id.as_deref(), Some("id1"));
        assert_eq!(e.format, ErrorFormat::Json);
        let e = ApiError::from_response(&resp(
            400,
            &[],
            r#"{"__type":"ResourceNotFoundException","Message":"gone"}"#,
        ));
        assert_eq!(
            (e.code.as_str(), e.message.as_deref()),
            ("ResourceNotFoundException", Some("gone"))
        );
        let e = ApiError::from_response(&resp(
            400,
            &[(
                "x-amzn-errortype",
                "ValidationException:http://internal.amazon.com/coral/",
            )],
            "{}",
        ));
        assert_eq!(e.code, "ValidationException");
        let e = ApiError::from_response(&resp(
            400,
            &[("x-amzn-errortype", "aws.protocoltests#FooError:http://x")],
            r#"{"message":"m"}"#,
        ));
        assert_eq!(e.code, "FooError");
    }

    /// What a body in no AWS error shape gives: the status, the code
    /// derived from it, and nothing else.
    fn status_only(status: u16, code: &str) -> ApiError {
        ApiError {
            status,
            code: code.to_owned(),
            message: None,
            request_id: None,
            error_type: None,
            host_id: None,
            server_time: None,
            format: ErrorFormat::Unknown,
            signature_mismatch: None,
            details: Vec::new(),
        }
    }

    #[test]
    fn empty_and_garbage_bodies() {
        for (status, body, code) in [
            (404, "", "NotFound"),
            (403, "", "Forbidden"),
            (503, "<html>", "ServiceUnavailable"),
            (
                500,
                "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>",
                "InternalError",
            ),
            (599, "{", "Http599"),
            (400, "not an error body", "BadRequest"),
            (429, "[1,2]", "TooManyRequests"),
            (502, "{\"unrelated\": true}", "BadGateway"),
            (409, "<Other><Thing/></Other>", "Conflict"),
            // A cut-off XML error is not trusted, even the code it shows.
            (400, "<Error><Code>Throttling</Code>", "BadRequest"),
            // Members that are not strings are not a code or a message.
            (400, "{\"__type\": 5, \"message\": [\"m\"]}", "BadRequest"),
        ] {
            let e = ApiError::from_response(&resp(status, &[], body));
            let mut expected = status_only(status, code);
            // A JSON object is read as the JSON shape even without a code.
            if body.starts_with("{\"") {
                expected.format = ErrorFormat::Json;
            }
            assert_eq!(e, expected, "{status} {body:?}");
        }
        assert!(ApiError::from_response(&resp(404, &[], "")).is_not_found());
        assert!(!ApiError::from_response(&resp(403, &[], "")).is_not_found());
    }
}
