//! Service and region from AWS host names. S3 hosts are read by the
//! library's one S3 host parser ([`sigv4::s3::parse_host`]); regions are
//! checked by [`sigv4::config::is_valid_region`].

use sigv4::config::is_valid_region;
use sigv4::s3::parse_host;

/// `(service, region)` for an AWS host name, `None` for other hosts.
///
/// Handles `s3.amazonaws.com`, `bucket.s3.us-west-2.amazonaws.com`,
/// `s3-eu-west-1.amazonaws.com`, `s3.dualstack.eu-west-1.amazonaws.com`,
/// `sts.amazonaws.com`, `sts.eu-west-1.amazonaws.com`,
/// `ec2.us-east-1.amazonaws.com`, `abc.execute-api.eu-west-1.amazonaws.com`.
/// Global endpoints (no region in the name) sign for `us-east-1`.
pub fn service_and_region(host: &str) -> Option<(String, Option<String>)> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host = match host.rsplit_once(':') {
        Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => h.to_string(),
        _ => host,
    };
    if sigv4::s3::mrap::is_mrap_host(&host) {
        // Multi-Region Access Points: global, signed with SigV4a.
        return Some(("s3".into(), None));
    }
    if let Some(s3) = parse_host(&host) {
        return Some(("s3".into(), s3.region.map(str::to_owned)));
    }
    let rest = host
        .strip_suffix(".amazonaws.com")
        .or_else(|| host.strip_suffix(".amazonaws.com.cn"))?;
    let labels: Vec<&str> = rest.split('.').collect();
    let last = *labels.last()?;
    if labels.len() >= 2 && looks_like_region(last) {
        return Some((labels[labels.len() - 2].to_string(), Some(last.to_string())));
    }
    Some((last.to_string(), None))
}

/// A valid region shaped like AWS's names (`us-east-1`, `eu-central-2`,
/// `us-gov-west-1`, `ap-southeast-4`...), not a service's host label.
fn looks_like_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    is_valid_region(s)
        && parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sr(h: &str) -> Option<(String, Option<String>)> {
        service_and_region(h)
    }

    #[test]
    fn aws_hosts() {
        let s = |svc: &str, r: Option<&str>| Some((svc.to_string(), r.map(String::from)));
        assert_eq!(sr("s3.amazonaws.com"), s("s3", None));
        assert_eq!(
            sr("bucket.s3.us-west-2.amazonaws.com"),
            s("s3", Some("us-west-2"))
        );
        assert_eq!(
            sr("my.bucket.s3.eu-west-1.amazonaws.com:443"),
            s("s3", Some("eu-west-1"))
        );
        assert_eq!(sr("s3-eu-west-1.amazonaws.com"), s("s3", Some("eu-west-1")));
        assert_eq!(
            sr("s3.dualstack.ap-south-1.amazonaws.com"),
            s("s3", Some("ap-south-1"))
        );
        assert_eq!(sr("sts.amazonaws.com"), s("sts", None));
        assert_eq!(
            sr("sts.eu-west-1.amazonaws.com"),
            s("sts", Some("eu-west-1"))
        );
        assert_eq!(
            sr("ec2.us-east-1.amazonaws.com"),
            s("ec2", Some("us-east-1"))
        );
        assert_eq!(sr("iam.amazonaws.com"), s("iam", None));
        assert_eq!(
            sr("abc123.execute-api.us-gov-west-1.amazonaws.com"),
            s("execute-api", Some("us-gov-west-1"))
        );
        assert_eq!(sr("S3.AMAZONAWS.COM."), s("s3", None));
        assert_eq!(sr("example.com"), None);
        assert_eq!(sr("127.0.0.1"), None);
    }

    /// `s3-external-1` is the legacy name of us-east-1: the CLI and the S3
    /// module agree (they share the parser).
    #[test]
    fn s3_external_1_signs_for_us_east_1() {
        let s = |r: Option<&str>| Some(("s3".to_string(), r.map(String::from)));
        assert_eq!(sr("s3-external-1.amazonaws.com"), s(Some("us-east-1")));
        assert_eq!(
            sr("bucket.s3-external-1.amazonaws.com:443"),
            s(Some("us-east-1"))
        );
        assert_eq!(sr("bucket.s3-accelerate.amazonaws.com"), s(None));
    }
}
