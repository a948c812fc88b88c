//! Which IMDS endpoint to use.
//!
//! First match wins:
//!
//! 1. an endpoint given explicitly (an option of the program);
//! 2. `AWS_EC2_METADATA_SERVICE_ENDPOINT`;
//! 3. the profile's `ec2_metadata_service_endpoint`;
//! 4. the endpoint mode given explicitly, else
//!    `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE`, else the profile's
//!    `ec2_metadata_service_endpoint_mode` (`IPv4` or `IPv6`, any case):
//!    `http://169.254.169.254` or `http://[fd00:ec2::254]`;
//! 5. `http://169.254.169.254`.
//!
//! An invalid mode is an error only when the mode is used. This passes
//! the AWS SDKs' shared endpoint cases (`tests/suite/imds_endpoint.rs`).

use std::fmt;
use std::str::FromStr;

use super::ImdsError;
use crate::config::env_vars::{
    AWS_EC2_METADATA_SERVICE_ENDPOINT, AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE,
};
use crate::config::{Env, ProfileSet};

/// Profile key: the endpoint URL.
pub const PROFILE_ENDPOINT: &str = "ec2_metadata_service_endpoint";
/// Profile key: the endpoint mode.
pub const PROFILE_ENDPOINT_MODE: &str = "ec2_metadata_service_endpoint_mode";
/// The IPv4 endpoint.
pub const IPV4_ENDPOINT: &str = "http://169.254.169.254";
/// The IPv6 endpoint.
pub const IPV6_ENDPOINT: &str = "http://[fd00:ec2::254]";

/// IPv4 or IPv6 endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum EndpointMode {
    /// `http://169.254.169.254`.
    #[default]
    IpV4,
    /// `http://[fd00:ec2::254]`.
    IpV6,
}

impl EndpointMode {
    /// The endpoint for this mode.
    pub fn endpoint(self) -> ImdsEndpoint {
        let base = match self {
            EndpointMode::IpV4 => IPV4_ENDPOINT,
            EndpointMode::IpV6 => IPV6_ENDPOINT,
        };
        ImdsEndpoint {
            base: base.to_owned(),
        }
    }
}

impl FromStr for EndpointMode {
    type Err = ImdsError;

    /// `IPv4` or `IPv6`, compared case-insensitively.
    fn from_str(s: &str) -> Result<Self, ImdsError> {
        let trimmed = s.trim();
        if trimmed.eq_ignore_ascii_case("ipv4") {
            Ok(EndpointMode::IpV4)
        } else if trimmed.eq_ignore_ascii_case("ipv6") {
            Ok(EndpointMode::IpV6)
        } else {
            Err(ImdsError::InvalidConfiguration {
                message: format!(
                    "`{trimmed}` is not a valid endpoint mode (expected IPv4 or IPv6)"
                ),
            })
        }
    }
}

impl fmt::Display for EndpointMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EndpointMode::IpV4 => "IPv4",
            EndpointMode::IpV6 => "IPv6",
        })
    }
}

/// The base URL of the metadata service: scheme, authority and an optional
/// path prefix, without a trailing `/`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImdsEndpoint {
    base: String,
}

impl ImdsEndpoint {
    /// Parses and checks an endpoint URL (`http://169.254.169.254`,
    /// `http://127.0.0.1:8080`...): it needs a scheme (`http` or `https`) and
    /// a host; a query is not allowed.
    pub fn parse(url: &str) -> Result<Self, ImdsError> {
        let url = url.trim();
        let invalid = |why: &str| ImdsError::InvalidConfiguration {
            message: format!("invalid IMDS endpoint `{url}`: {why}"),
        };
        let uri: http::Uri = url
            .parse()
            .map_err(|e: http::uri::InvalidUri| invalid(&e.to_string()))?;
        match uri.scheme_str() {
            Some("http" | "https") => {}
            Some(_) => return Err(invalid("the scheme must be http or https")),
            None => return Err(invalid("no scheme (expected http:// or https://)")),
        }
        match uri.host() {
            Some(host) if !host.is_empty() => {}
            _ => return Err(invalid("no host")),
        }
        if uri.query().is_some() {
            return Err(invalid("a query is not allowed"));
        }
        let base = url.trim_end_matches('/').to_owned();
        Ok(ImdsEndpoint { base })
    }

    /// The base URL, without a trailing `/`.
    pub fn as_str(&self) -> &str {
        &self.base
    }

    /// The full URL of `path` (which should start with `/`).
    pub fn url(&self, path: &str) -> String {
        if path.starts_with('/') {
            format!("{}{path}", self.base)
        } else {
            format!("{}/{path}", self.base)
        }
    }
}

impl Default for ImdsEndpoint {
    /// `http://169.254.169.254`.
    fn default() -> Self {
        EndpointMode::IpV4.endpoint()
    }
}

impl fmt::Display for ImdsEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base)
    }
}

/// Resolves the endpoint as described in the [module docs](self).
///
/// ```
/// use sigv4::config::{Env, ProfileSet};
/// use sigv4::imds::endpoint::{resolve_endpoint, EndpointMode};
///
/// let profiles = ProfileSet::parse("[default]\nec2_metadata_service_endpoint_mode = IPv6", "")?;
/// let env = Env::from_map(Vec::<(String, String)>::new());
/// assert_eq!(resolve_endpoint(None, None, &env, &profiles)?.as_str(), "http://[fd00:ec2::254]");
/// let env = Env::from_map([("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1338/")]);
/// assert_eq!(
///     resolve_endpoint(None, Some(EndpointMode::IpV6), &env, &profiles)?.as_str(),
///     "http://127.0.0.1:1338"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn resolve_endpoint(
    explicit_endpoint: Option<&str>,
    explicit_mode: Option<EndpointMode>,
    env: &Env,
    profiles: &ProfileSet,
) -> Result<ImdsEndpoint, ImdsError> {
    let non_blank = |v: Option<&str>| {
        v.map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    if let Some(url) = non_blank(explicit_endpoint)
        .or_else(|| non_blank(env.get(AWS_EC2_METADATA_SERVICE_ENDPOINT).as_deref()))
        .or_else(|| non_blank(profiles.get_selected(PROFILE_ENDPOINT)))
    {
        return ImdsEndpoint::parse(&url);
    }
    let mode = match explicit_mode {
        Some(mode) => mode,
        None => match non_blank(env.get(AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE).as_deref())
            .or_else(|| non_blank(profiles.get_selected(PROFILE_ENDPOINT_MODE)))
        {
            Some(text) => text.parse()?,
            None => EndpointMode::IpV4,
        },
    };
    Ok(mode.endpoint())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_endpoints() {
        assert_eq!(
            ImdsEndpoint::parse("http://a:1/").unwrap().url("/x"),
            "http://a:1/x"
        );
        assert_eq!(
            ImdsEndpoint::parse("https://a/prefix").unwrap().url("x"),
            "https://a/prefix/x"
        );
        for (bad, why) in [
            ("", "empty string"),
            (
                "169.254.169.254",
                "no scheme (expected http:// or https://)",
            ),
            ("ftp://a", "the scheme must be http or https"),
            ("http://a/?q", "a query is not allowed"),
            ("not a uri", "invalid uri character"),
            ("/path", "no scheme (expected http:// or https://)"),
        ] {
            match ImdsEndpoint::parse(bad) {
                Err(ImdsError::InvalidConfiguration { message }) => {
                    assert_eq!(message, format!("invalid IMDS endpoint `{bad}`: {why}"));
                }
                other => panic!("{bad}: expected InvalidConfiguration: {other:?}"),
            }
        }
        match " IPv5 ".parse::<EndpointMode>() {
            Err(ImdsError::InvalidConfiguration { message }) => assert_eq!(
                message,
                "`IPv5` is not a valid endpoint mode (expected IPv4 or IPv6)"
            ),
            other => panic!("expected InvalidConfiguration: {other:?}"),
        }
        assert_eq!(ImdsEndpoint::default().as_str(), IPV4_ENDPOINT);
        assert_eq!(
            " ipv6 ".parse::<EndpointMode>().unwrap(),
            EndpointMode::IpV6
        );
        assert_eq!(EndpointMode::IpV6.to_string(), "IPv6");
    }
}
