//! Where requests go: [`ServiceConfig`] (region, endpoint override,
//! per-service switches) and [`aws_endpoint`], the AWS endpoint of a
//! service in a region.

use super::CallError;
use crate::config::{is_valid_region, ConfiguredEndpoints};
use crate::s3::{AddressingStyle, Endpoint};

/// The form an endpoint URL must have, for messages.
pub const ENDPOINT_URL_FORM: &str = "http(s)://host[:port]";

/// Where requests go: the region, an optional endpoint override, and
/// per-service switches.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceConfig {
    /// The region requests are signed for and sent to.
    pub region: String,
    /// An endpoint for every service (`http://127.0.0.1:5000` for a local
    /// emulator), instead of the AWS endpoints.
    pub endpoint_url: Option<String>,
    /// Send STS calls to the global `https://sts.amazonaws.com` (signed for
    /// `us-east-1`) instead of the regional endpoint.
    pub sts_global_endpoint: bool,
    /// S3 addressing style.
    pub s3_addressing_style: AddressingStyle,
    /// Endpoints configured per service in the environment and the profile
    /// (`AWS_ENDPOINT_URL_STS`, a `services` section...), used when
    /// [`endpoint_url`](Self::endpoint_url) is not set.
    pub configured_endpoints: ConfiguredEndpoints,
}

impl ServiceConfig {
    /// AWS endpoints in `region`.
    pub fn new(region: impl Into<String>) -> Self {
        ServiceConfig {
            region: region.into(),
            endpoint_url: None,
            sts_global_endpoint: false,
            s3_addressing_style: AddressingStyle::Auto,
            configured_endpoints: ConfiguredEndpoints::none(),
        }
    }

    /// Uses the endpoints configured per service (see [`ConfiguredEndpoints`]).
    pub fn with_configured_endpoints(mut self, endpoints: ConfiguredEndpoints) -> Self {
        self.configured_endpoints = endpoints;
        self
    }

    /// The endpoint URL overriding AWS for the service with SDK id
    /// `service_id` (`STS`, `S3`, `SSO`, `SSO OIDC`, `Signin`...):
    /// [`endpoint_url`](Self::endpoint_url), else the configured one; `None`:
    /// the AWS endpoint.
    pub fn endpoint_url_for(&self, service_id: &str) -> Option<&str> {
        self.endpoint_url
            .as_deref()
            .or_else(|| self.configured_endpoints.url_for(service_id))
    }

    /// The base URL (no trailing `/`) for the service with SDK id
    /// `service_id`: its [`endpoint_url_for`](Self::endpoint_url_for),
    /// checked, else `aws_default()`.
    pub fn endpoint_for(
        &self,
        service_id: &str,
        aws_default: impl FnOnce() -> Result<String, CallError>,
    ) -> Result<String, CallError> {
        match self.endpoint_url_for(service_id) {
            Some(url) => base_url(url),
            None => aws_default(),
        }
    }

    /// Sends every call to `url` (`http(s)://host[:port]`).
    pub fn with_endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// Checks the region and the endpoint override: what every call would
    /// fail on, found before the first one.
    pub fn validate(&self) -> Result<(), CallError> {
        check_region(&self.region)?;
        match &self.endpoint_url {
            Some(url) => base_url(url).map(drop),
            None => Ok(()),
        }
    }

    /// The base URL (no trailing `/`) for `service` (an endpoint prefix:
    /// `sts`, `ec2`...; its SDK id is the prefix upper-cased): the
    /// override, or [`aws_endpoint`].
    pub fn endpoint(&self, service: &str) -> Result<String, CallError> {
        self.endpoint_for(&service.to_ascii_uppercase(), || {
            aws_endpoint(service, &self.region)
        })
    }
}

/// `url` checked and reduced to `scheme://authority`.
fn base_url(url: &str) -> Result<String, CallError> {
    let trimmed = url.trim().trim_end_matches('/');
    let parsed = Endpoint::parse(trimmed).map_err(|_| {
        CallError::invalid(format!(
            "invalid endpoint URL {trimmed:?}: expected {ENDPOINT_URL_FORM}"
        ))
    })?;
    Ok(format!("{}://{}", parsed.scheme(), parsed.authority()))
}

/// `region`, or an error naming it.
pub(crate) fn check_region(region: &str) -> Result<(), CallError> {
    if is_valid_region(region) {
        Ok(())
    } else {
        Err(CallError::invalid(format!("invalid region {region:?}")))
    }
}

/// The AWS endpoint of `service` in `region`: `https://{service}.{region}.amazonaws.com`
/// (`.amazonaws.com.cn` in China regions); IAM is global
/// (`https://iam.amazonaws.com`).
pub fn aws_endpoint(service: &str, region: &str) -> Result<String, CallError> {
    check_region(region)?;
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    if service == "iam" && suffix == "amazonaws.com" {
        return Ok("https://iam.amazonaws.com".into());
    }
    Ok(format!("https://{service}.{region}.{suffix}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message of an `InvalidRequest` error (any other variant fails).
    fn invalid_request<T: std::fmt::Debug>(r: Result<T, CallError>) -> String {
        match r {
            Err(CallError::InvalidRequest { message }) => message,
            other => panic!("expected InvalidRequest: {other:?}"),
        }
    }

    #[test]
    fn endpoints() {
        assert_eq!(
            aws_endpoint("sts", "eu-west-1").unwrap(),
            "https://sts.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            aws_endpoint("ec2", "cn-north-1").unwrap(),
            "https://ec2.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            aws_endpoint("iam", "eu-west-1").unwrap(),
            "https://iam.amazonaws.com"
        );
        assert_eq!(
            invalid_request(aws_endpoint("sts", "evil.com/")),
            "invalid region \"evil.com/\""
        );
        let c = ServiceConfig::new("us-east-1").with_endpoint_url("http://127.0.0.1:5000/");
        assert_eq!(c.endpoint("sts").unwrap(), "http://127.0.0.1:5000");
        let c = ServiceConfig::new("us-east-1").with_endpoint_url("ftp://x");
        assert_eq!(
            invalid_request(c.endpoint("sts")),
            "invalid endpoint URL \"ftp://x\": expected http(s)://host[:port]"
        );
        assert_eq!(
            invalid_request(ServiceConfig::new("bad region").validate()),
            "invalid region \"bad region\""
        );
    }

    #[test]
    fn errors_name_the_expected_form() {
        let e = ServiceConfig::new("us-east-1")
            .with_endpoint_url("127.0.0.1:5055")
            .validate()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid request: invalid endpoint URL \"127.0.0.1:5055\": expected http(s)://host[:port]"
        );
    }
}
