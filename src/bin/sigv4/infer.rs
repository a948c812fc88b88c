//! Service and region from AWS host names.

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
    let rest = host
        .strip_suffix(".amazonaws.com")
        .or_else(|| host.strip_suffix(".amazonaws.com.cn"))?;
    let labels: Vec<&str> = rest.split('.').collect();
    if let Some(pos) = labels
        .iter()
        .position(|l| *l == "s3" || l.starts_with("s3-"))
    {
        let region = match labels[pos].strip_prefix("s3-") {
            Some(r) if r != "external-1" => Some(r.to_string()),
            Some(_) => None,
            None => labels[pos + 1..]
                .iter()
                .find(|l| !matches!(**l, "dualstack" | "accelerate"))
                .map(|r| r.to_string()),
        };
        return Some(("s3".into(), region));
    }
    let last = *labels.last()?;
    if labels.len() >= 2 && looks_like_region(last) {
        return Some((labels[labels.len() - 2].to_string(), Some(last.to_string())));
    }
    Some((last.to_string(), None))
}

/// `us-east-1`, `eu-central-2`, `us-gov-west-1`, `ap-southeast-4`, ...
fn looks_like_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
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
        assert_eq!(sr("example.com"), None);
        assert_eq!(sr("127.0.0.1"), None);
    }
}
