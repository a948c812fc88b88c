//! Any query-protocol service (EC2, IAM, SQS, SNS, STS...): `Action`,
//! `Version` and parameters, form-encoded in a signed POST.
//!
//! The endpoint is `https://{service}.{region}.amazonaws.com` (IAM's is
//! global), or the configured override. [`QueryCall`] returns the XML
//! answer; [`DryRun`] runs an EC2 call with `DryRun=true` and reports
//! whether it would have been allowed.
//!
//! ```
//! use sigv4::api::query_protocol::{DryRun, DryRunOutcome, QueryCall};
//! use sigv4::api::{Operation, ServiceConfig};
//!
//! let call = QueryCall::new("ec2", "StopInstances", "2016-11-15").param("InstanceId.1", "i-0123");
//! let dry = DryRun::new(call);
//! let request = dry.build(&ServiceConfig::new("eu-west-1"))?;
//! assert_eq!(request.url, "https://ec2.eu-west-1.amazonaws.com/");
//! assert!(std::str::from_utf8(&request.body).unwrap().ends_with("InstanceId.1=i-0123&DryRun=true"));
//!
//! let denied = http::Response::builder().status(403).body(br#"<Response><Errors><Error>
//!   <Code>UnauthorizedOperation</Code>
//!   <Message>You are not authorized to perform this operation. Encoded authorization failure message: AbCd-123_x</Message>
//!   </Error></Errors><RequestID>r</RequestID></Response>"#.to_vec())?;
//! match dry.parse(denied)? {
//!     DryRunOutcome::NotPermitted { encoded_message, .. } => assert_eq!(encoded_message.as_deref(), Some("AbCd-123_x")),
//!     other => panic!("{other:?}"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::headers::X_AMZN_REQUESTID;
use super::xml;
use super::{check_status, ApiError, ApiRequest, CallError, Operation, ServiceConfig};

/// One query-protocol call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryCall {
    /// The service's endpoint prefix (`ec2`, `iam`, `sqs`...).
    pub service: String,
    /// The signing name, when it differs from `service`.
    pub signing_name: Option<String>,
    /// `Action`.
    pub action: String,
    /// `Version`.
    pub version: String,
    /// Other parameters, in order (flattened lists as `Name.1`, `Name.2`...).
    pub params: Vec<(String, String)>,
}

impl QueryCall {
    /// `action` of `service` at API `version`.
    pub fn new(
        service: impl Into<String>,
        action: impl Into<String>,
        version: impl Into<String>,
    ) -> Self {
        QueryCall {
            service: service.into(),
            signing_name: None,
            action: action.into(),
            version: version.into(),
            params: Vec::new(),
        }
    }

    /// Adds a parameter.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// Signs for `name` instead of the service prefix.
    pub fn signing_name(mut self, name: impl Into<String>) -> Self {
        self.signing_name = Some(name.into());
        self
    }

    fn request(
        &self,
        config: &ServiceConfig,
        extra: &[(&str, &str)],
    ) -> Result<ApiRequest, CallError> {
        let url = format!("{}/", config.endpoint(&self.service)?);
        let signing = self.signing_name.as_deref().unwrap_or(&self.service);
        // IAM is global: signed for us-east-1 on AWS.
        let region = if self.service == "iam"
            && config
                .endpoint_url_for(&self.service.to_ascii_uppercase())
                .is_none()
            && !config.region.starts_with("cn-")
        {
            "us-east-1"
        } else {
            &config.region
        };
        let mut params: Vec<(&str, &str)> =
            vec![("Action", &self.action), ("Version", &self.version)];
        params.extend(self.params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        params.extend_from_slice(extra);
        Ok(ApiRequest::form_post(url, signing, region, &params))
    }
}

/// A query-protocol answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueryResponse {
    /// The HTTP status.
    pub status: u16,
    /// The request id (`ResponseMetadata/RequestId`, EC2's `requestId`, or a header).
    pub request_id: Option<String>,
    /// The XML body.
    pub body: String,
}

impl QueryResponse {
    /// The text of the first element named `name` (local name, anywhere in
    /// the document).
    pub fn find(&self, name: &str) -> Option<String> {
        let root = xml::parse(self.body.as_bytes()).ok()?;
        root.find(name).map(|e| e.text().to_owned())
    }

    /// The texts of every element named `name`, in document order.
    pub fn find_all(&self, name: &str) -> Vec<String> {
        fn walk(e: &xml::Element, name: &str, out: &mut Vec<String>) {
            if e.name == name {
                out.push(e.text().to_owned());
            }
            for c in &e.children {
                walk(c, name, out);
            }
        }
        let mut out = Vec::new();
        if let Ok(root) = xml::parse(self.body.as_bytes()) {
            walk(&root, name, &mut out);
        }
        out
    }
}

impl Operation for QueryCall {
    type Output = QueryResponse;
    fn name(&self) -> &'static str {
        "query"
    }
    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, CallError> {
        self.request(config, &[])
    }
    fn parse(&self, response: http::Response<Vec<u8>>) -> Result<QueryResponse, CallError> {
        let response = check_status(response)?;
        let status = response.status().as_u16();
        let header_id = response
            .headers()
            .get(X_AMZN_REQUESTID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = String::from_utf8(response.into_body())
            .map_err(|_| CallError::parse("query", "the answer is not UTF-8"))?;
        let root =
            xml::parse(body.as_bytes()).map_err(|e| CallError::parse("query", e.to_string()))?;
        let request_id = root
            .path(&["ResponseMetadata", "RequestId"])
            .or_else(|| root.child("requestId"))
            .map(|e| e.text().trim().to_owned())
            .or(header_id);
        Ok(QueryResponse {
            status,
            request_id,
            body,
        })
    }
}

/// An EC2-style call run with `DryRun=true`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DryRun(pub QueryCall);

impl DryRun {
    /// Dry-runs `call`.
    pub fn new(call: QueryCall) -> Self {
        DryRun(call)
    }
}

/// What a dry run said.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DryRunOutcome {
    /// `DryRunOperation`: the call would have succeeded.
    WouldSucceed,
    /// `UnauthorizedOperation` (or `AccessDenied`): not permitted.
    NotPermitted {
        /// The error code.
        code: String,
        /// The service's message.
        message: Option<String>,
        /// The encoded authorization failure message in it, for
        /// [`DecodeAuthorizationMessage`](super::sts::DecodeAuthorizationMessage).
        encoded_message: Option<String>,
        /// The request id.
        request_id: Option<String>,
    },
}

/// The encoded part of an `UnauthorizedOperation` message
/// ("... Encoded authorization failure message: XXXX").
pub fn encoded_authorization_message(message: &str) -> Option<&str> {
    const MARKER: &str = "encoded authorization failure message:";
    let at = message.to_ascii_lowercase().find(MARKER)? + MARKER.len();
    let rest = message[at..].trim_start();
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    Some(&rest[..end]).filter(|s| !s.is_empty())
}

impl Operation for DryRun {
    type Output = DryRunOutcome;
    fn name(&self) -> &'static str {
        "query:DryRun"
    }
    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, CallError> {
        self.0.request(config, &[("DryRun", "true")])
    }
    fn parse(&self, response: http::Response<Vec<u8>>) -> Result<DryRunOutcome, CallError> {
        if response.status().is_success() {
            return Err(CallError::parse(
                "query:DryRun",
                "the service ran the call instead of a dry run (no DryRunOperation answer)",
            ));
        }
        let error = ApiError::from_response(&response);
        match error.code.as_str() {
            "DryRunOperation" => Ok(DryRunOutcome::WouldSucceed),
            "UnauthorizedOperation" | "AccessDenied" | "AccessDeniedException" => {
                Ok(DryRunOutcome::NotPermitted {
                    encoded_message: error
                        .message
                        .as_deref()
                        .and_then(encoded_authorization_message)
                        .map(str::to_owned),
                    code: error.code,
                    message: error.message,
                    request_id: error.request_id,
                })
            }
            _ => Err(error.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> http::Response<Vec<u8>> {
        http::Response::builder()
            .status(status)
            .body(body.as_bytes().to_vec())
            .unwrap()
    }

    #[test]
    fn builds_with_endpoints() {
        let c = QueryCall::new("iam", "ListUsers", "2010-05-08");
        let r = c.build(&ServiceConfig::new("eu-west-1")).unwrap();
        assert_eq!(r.url, "https://iam.amazonaws.com/");
        assert!(
            matches!(&r.signing, crate::api::Signing::SigV4 { region, .. } if region == "us-east-1")
        );
        let r = c
            .build(&ServiceConfig::new("eu-west-1").with_endpoint_url("http://127.0.0.1:1"))
            .unwrap();
        assert_eq!(r.url, "http://127.0.0.1:1/");
        assert!(
            matches!(&r.signing, crate::api::Signing::SigV4 { region, .. } if region == "eu-west-1")
        );
        let r = QueryCall::new("monitoring", "ListMetrics", "2010-08-01")
            .signing_name("cloudwatch")
            .param("Namespace", "AWS/EC2 x")
            .build(&ServiceConfig::new("us-east-2"))
            .unwrap();
        assert!(
            matches!(&r.signing, crate::api::Signing::SigV4 { service, .. } if service == "cloudwatch")
        );
        assert_eq!(
            std::str::from_utf8(&r.body).unwrap(),
            "Action=ListMetrics&Version=2010-08-01&Namespace=AWS%2FEC2%20x"
        );
    }

    #[test]
    fn dry_run_outcomes() {
        let d = DryRun::new(QueryCall::new("ec2", "DescribeInstances", "2016-11-15"));
        let ok = resp(412, "<Response><Errors><Error><Code>DryRunOperation</Code><Message>Request would have succeeded, but DryRun flag is set.</Message></Error></Errors><RequestID>1</RequestID></Response>");
        assert_eq!(d.parse(ok).unwrap(), DryRunOutcome::WouldSucceed);
        let no = resp(403, "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>2</RequestID></Response>");
        assert!(
            matches!(d.parse(no).unwrap(), DryRunOutcome::NotPermitted { encoded_message: None, request_id: Some(id), .. } if id == "2")
        );
        let other = resp(400, "<Response><Errors><Error><Code>InvalidInstanceID.Malformed</Code></Error></Errors></Response>");
        let e = d.parse(other).unwrap_err();
        let api = e.api_error().unwrap_or_else(|| panic!("{e:?}"));
        assert_eq!(
            (api.status, api.code.as_str(), api.format),
            (
                400,
                "InvalidInstanceID.Malformed",
                crate::api::ErrorFormat::Ec2Xml
            )
        );
        match d.parse(resp(200, "<x/>")) {
            Err(CallError::Parse { operation, message }) => assert_eq!(
                (operation, message.as_str()),
                (
                    "query:DryRun",
                    "the service ran the call instead of a dry run (no DryRunOperation answer)"
                )
            ),
            other => panic!("expected Parse: {other:?}"),
        }
        assert_eq!(
            encoded_authorization_message("x. Encoded authorization failure message: abc\n"),
            Some("abc")
        );
        assert_eq!(encoded_authorization_message("nothing"), None);
    }

    #[test]
    fn query_response_lookup() {
        let r = QueryCall::new("iam", "ListUsers", "2010-05-08")
            .parse(resp(200, "<ListUsersResponse><ListUsersResult><Users><member><UserName>a</UserName></member><member><UserName>b</UserName></member></Users></ListUsersResult><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></ListUsersResponse>"))
            .unwrap();
        assert_eq!(r.request_id.as_deref(), Some("rid"));
        assert_eq!(r.find("UserName").as_deref(), Some("a"));
        assert_eq!(r.find_all("UserName"), vec!["a", "b"]);
    }
}
