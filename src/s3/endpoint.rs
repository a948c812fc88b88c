//! Where S3 is: a custom endpoint ([`Endpoint`], `http(s)://host[:port]`)
//! and what an AWS S3 host name says ([`parse_host`]: bucket and region).

use super::S3Error;
use crate::sign::SignableRequest;

/// A custom S3 endpoint: scheme and `host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub(crate) scheme: String,
    pub(crate) authority: String,
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
        // One `:`, before the port, outside an IPv6 literal.
        if !authority.starts_with('[') && authority.matches(':').count() > 1 {
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

    /// The host without the port (IPv6 addresses keep their brackets).
    pub(crate) fn host(&self) -> &str {
        let a = self.authority.as_str();
        if a.starts_with('[') {
            return a.split_inclusive(']').next().unwrap_or(a);
        }
        a.rsplit_once(':').map_or(a, |(h, _)| h)
    }

    pub(crate) fn is_ip_or_localhost(&self) -> bool {
        let h = self.host();
        h == "localhost" || h.starts_with('[') || h.parse::<std::net::Ipv4Addr>().is_ok()
    }
}

/// What an AWS S3 host name says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct S3Host<'a> {
    /// The bucket, for a virtual-hosted-style host (`bucket.s3...`).
    pub bucket: Option<&'a str>,
    /// The region the host names; `None` for global hosts
    /// (`s3.amazonaws.com`, `s3-accelerate.amazonaws.com`).
    pub region: Option<&'a str>,
}

/// Parses an AWS S3 host name (lower case, without port):
/// `s3.amazonaws.com`, `s3.us-west-2.amazonaws.com`,
/// `s3-us-west-2.amazonaws.com`, `s3.dualstack.eu-west-1.amazonaws.com`,
/// `bucket.s3.eu-west-1.amazonaws.com`, `s3-external-1.amazonaws.com`
/// (the legacy name of `us-east-1`), `bucket.s3-accelerate.amazonaws.com`
/// (global), and the same under `amazonaws.com.cn`. `None` for other hosts.
///
/// The one S3 host parser: [`S3Location::parse`](super::S3Location::parse)
/// and the `sigv4` CLI both use it.
///
/// ```
/// use sigv4::s3::parse_host;
///
/// let h = parse_host("my.bucket.s3.eu-west-1.amazonaws.com").unwrap();
/// assert_eq!((h.bucket, h.region), (Some("my.bucket"), Some("eu-west-1")));
/// assert_eq!(parse_host("s3-external-1.amazonaws.com").unwrap().region, Some("us-east-1"));
/// assert_eq!(parse_host("example.com"), None);
/// ```
pub fn parse_host(host: &str) -> Option<S3Host<'_>> {
    // An AWS host is a DNS name: anything else (a `:` left of a port, say)
    // is not one of ours.
    if !host
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return None;
    }
    let rest = host
        .strip_suffix(".amazonaws.com")
        .or_else(|| host.strip_suffix(".amazonaws.com.cn"))?;
    // Find the `s3` label: everything before it is the bucket. The last
    // one: a bucket may be named `s3-logs` (only region, `dualstack` and
    // `accelerate` labels come after the service's).
    let labels: Vec<&str> = rest.split('.').collect();
    let pos = labels
        .iter()
        .rposition(|l| *l == "s3" || l.starts_with("s3-"))?;
    let bucket_len = labels[..pos].iter().map(|l| l.len() + 1).sum::<usize>();
    let bucket = (pos > 0).then(|| &rest[..bucket_len - 1]);
    let region = match labels[pos].strip_prefix("s3-") {
        // The legacy global endpoint name of us-east-1.
        Some("external-1") => Some("us-east-1"),
        // Transfer acceleration is global.
        Some("accelerate") => None,
        Some(region) => Some(region),
        None => labels[pos + 1..]
            .iter()
            .copied()
            .find(|l| *l != "dualstack" && *l != "accelerate"),
    };
    // No region is named like the service (`s3-s3-x`): such a host would
    // not read back from the URL made of its parts.
    if region.is_some_and(|r| r == "s3" || r.starts_with("s3-")) {
        return None;
    }
    Some(S3Host { bucket, region })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_hosts() {
        let p = |h| parse_host(h).map(|h| (h.bucket, h.region));
        assert_eq!(p("s3.amazonaws.com"), Some((None, None)));
        assert_eq!(
            p("bucket.s3.us-west-2.amazonaws.com"),
            Some((Some("bucket"), Some("us-west-2")))
        );
        assert_eq!(
            p("my.bucket.s3.eu-west-1.amazonaws.com"),
            Some((Some("my.bucket"), Some("eu-west-1")))
        );
        assert_eq!(
            p("s3-eu-west-1.amazonaws.com"),
            Some((None, Some("eu-west-1")))
        );
        assert_eq!(
            p("s3.dualstack.ap-south-1.amazonaws.com"),
            Some((None, Some("ap-south-1")))
        );
        assert_eq!(
            p("b.s3.cn-north-1.amazonaws.com.cn"),
            Some((Some("b"), Some("cn-north-1")))
        );
        assert_eq!(p("example.com"), None);
        assert_eq!(p("sts.amazonaws.com"), None);
    }

    /// Found by the `s3_location` fuzz target: `https://a.s3-g:obal.amazonaws.com:8/k`
    /// read region `g:obal`, and the URL made from it did not parse back.
    #[test]
    fn hosts_that_are_not_dns_names() {
        assert_eq!(parse_host("a.s3-g:obal.amazonaws.com"), None);
        assert_eq!(parse_host("a_b.s3.amazonaws.com"), None);
        assert!(Endpoint::parse("https://a.s3-g:obal.amazonaws.com:8").is_err());
        assert!(Endpoint::parse("http://[::1]:9000").is_ok());
        assert!(Endpoint::parse("http://127.0.0.1:9000").is_ok());
        assert!(crate::s3::S3Location::parse(
            "Https://http.accesspoint.s3-g:obal.amazonaws.com:8/.sp",
            "us-east-1"
        )
        .is_err());
    }

    /// Found by the `s3_location` fuzz target: a bucket whose name starts
    /// with `s3-` (or is `s3`) is not the service label, and no region is
    /// named like it.
    #[test]
    fn buckets_named_like_the_service() {
        let p = |h| parse_host(h).map(|h| (h.bucket, h.region));
        assert_eq!(p("s3-logs.s3.amazonaws.com"), Some((Some("s3-logs"), None)));
        assert_eq!(
            p("s3.s3.eu-west-1.amazonaws.com"),
            Some((Some("s3"), Some("eu-west-1")))
        );
        assert_eq!(
            p("a.s3-b.s3-us-west-2.amazonaws.com"),
            Some((Some("a.s3-b"), Some("us-west-2")))
        );
        assert_eq!(p("b.s3-s3-x.amazonaws.com"), None);
        for target in ["s3://s3-c", "https://b.c.s3-s3-x.amazonaws.com/k"] {
            let l = crate::s3::S3Location::parse(target, "us-east-1").unwrap();
            let url = l.url().unwrap();
            let again = crate::s3::S3Location::parse(&url, "us-east-1").unwrap();
            assert_eq!(
                (again.bucket(), again.key()),
                (l.bucket(), l.key()),
                "{url}"
            );
        }
    }

    /// `s3-external-1` is the legacy name of the us-east-1 endpoint: sign for us-east-1.
    #[test]
    fn s3_external_1_is_us_east_1() {
        assert_eq!(
            parse_host("s3-external-1.amazonaws.com"),
            Some(S3Host {
                bucket: None,
                region: Some("us-east-1")
            })
        );
        assert_eq!(
            parse_host("bucket.s3-external-1.amazonaws.com"),
            Some(S3Host {
                bucket: Some("bucket"),
                region: Some("us-east-1")
            })
        );
    }

    #[test]
    fn accelerate_is_global() {
        assert_eq!(
            parse_host("bucket.s3-accelerate.amazonaws.com"),
            Some(S3Host {
                bucket: Some("bucket"),
                region: None
            })
        );
        assert_eq!(
            parse_host("bucket.s3-accelerate.dualstack.amazonaws.com").map(|h| h.region),
            Some(None)
        );
    }

    #[test]
    fn endpoints() {
        let e = Endpoint::parse("HTTP://MinIO.local:9000/").unwrap();
        assert_eq!(
            (e.scheme(), e.authority(), e.host()),
            ("http", "minio.local:9000", "minio.local")
        );
        assert!(!e.is_ip_or_localhost());
        assert!(Endpoint::parse("http://[::1]:9000")
            .unwrap()
            .is_ip_or_localhost());
        for bad in [
            "127.0.0.1:9000",
            "ftp://x",
            "http://",
            "http://a/b",
            "http://u@h",
        ] {
            let e = Endpoint::parse(bad).unwrap_err();
            assert!(
                e.to_string().contains("expected http(s)://host[:port]"),
                "{e}"
            );
        }
    }
}
