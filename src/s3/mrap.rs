//! S3 Multi-Region Access Points: ARNs and host names.
//!
//! An MRAP is named by its ARN, `arn:aws:s3::ACCOUNT:accesspoint/ALIAS.mrap`,
//! and reached at `ALIAS.mrap.accesspoint.s3-global.amazonaws.com`. Requests
//! to it are signed with SigV4a for the region set `*` (S3 routes them to
//! any of the access point's regions).

use super::S3Error;

/// The host name suffix of every Multi-Region Access Point.
pub const MRAP_HOST_SUFFIX: &str = ".accesspoint.s3-global.amazonaws.com";

/// The region set MRAP requests are signed for.
pub const MRAP_REGION_SET: &str = "*";

/// True for a Multi-Region Access Point host name,
/// `NAME.mrap.accesspoint.s3-global.amazonaws.com`.
///
/// ```
/// use sigv4::s3::mrap::is_mrap_host;
/// assert!(is_mrap_host("mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com"));
/// assert!(!is_mrap_host("bucket.s3.amazonaws.com"));
/// ```
pub fn is_mrap_host(host: &str) -> bool {
    alias_from_host(host).is_some()
}

/// True for `NAME.mrap` with `NAME` one DNS label (lowercase letters,
/// digits, `-`).
fn is_alias(alias: &str) -> bool {
    alias.strip_suffix(".mrap").is_some_and(|name| {
        (1..=63).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !name.starts_with('-')
            && !name.ends_with('-')
    })
}

/// Splits `arn:aws:s3::ACCOUNT:accesspoint/ALIAS.mrap[/key]` into the alias
/// and the key (empty when absent). `None` when `s` is not an S3 access
/// point ARN at all; an error when it is one but not a usable MRAP ARN.
pub(crate) fn split_arn(s: &str) -> Option<Result<(&str, &str), S3Error>> {
    let rest = s.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let (partition, service, region, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if service != "s3" || !resource.starts_with("accesspoint/") {
        return None;
    }
    let invalid = |reason| Some(Err(S3Error::InvalidTarget { reason }));
    if !region.is_empty() {
        return invalid("a regional access point ARN: only Multi-Region Access Points (empty region) are supported");
    }
    if partition != "aws" {
        return invalid("Multi-Region Access Points are only supported in the aws partition");
    }
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return invalid("the ARN's account is not 12 digits");
    }
    let resource = &resource["accesspoint/".len()..];
    let (alias, key) = resource.split_once('/').unwrap_or((resource, ""));
    if !is_alias(alias) {
        return invalid("the access point is not NAME.mrap");
    }
    Some(Ok((alias, key)))
}

/// The alias (`NAME.mrap`) of an MRAP host name.
pub(crate) fn alias_from_host(host: &str) -> Option<&str> {
    host.strip_suffix(MRAP_HOST_SUFFIX).filter(|a| is_alias(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_and_hosts() {
        assert_eq!(
            split_arn("arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap"),
            Some(Ok(("mfzwi23gnjvgw.mrap", "")))
        );
        assert_eq!(
            split_arn("arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap/dir/k.txt"),
            Some(Ok(("mfzwi23gnjvgw.mrap", "dir/k.txt")))
        );
        assert_eq!(split_arn("arn:aws:iam::123456789012:role/x"), None);
        assert_eq!(split_arn("bucket/key"), None);
        for bad in [
            "arn:aws:s3:us-east-1:123456789012:accesspoint/ap",
            "arn:aws-cn:s3::123456789012:accesspoint/a.mrap",
            "arn:aws:s3::1234:accesspoint/a.mrap",
            "arn:aws:s3::123456789012:accesspoint/plain",
            "arn:aws:s3::123456789012:accesspoint/UPPER.mrap",
        ] {
            assert!(matches!(split_arn(bad), Some(Err(_))), "{bad}");
        }
        assert_eq!(
            alias_from_host("mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com"),
            Some("mfzwi23gnjvgw.mrap")
        );
        assert_eq!(
            alias_from_host("bucket.s3.accesspoint.s3-global.amazonaws.com"),
            None
        );
    }

    #[test]
    fn locations_from_every_mrap_form() {
        use crate::s3::S3Location;
        const ARN: &str = "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap";
        let want = "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/dir/a%20b";
        for target in [
            format!("{ARN}/dir/a b"),
            format!("s3://{ARN}/dir/a b"),
            want.to_string(),
        ] {
            let l = S3Location::parse(&target, "eu-west-1").unwrap();
            assert!(l.is_mrap(), "{target}");
            assert_eq!(l.url().unwrap(), want, "{target}");
            assert_eq!((l.bucket(), l.key()), ("mfzwi23gnjvgw.mrap", "dir/a b"));
            assert_eq!(l.region_set(), Some("*"));
        }
        let l = S3Location::from_mrap_arn(ARN, "dir/a b").unwrap();
        assert_eq!(l.url().unwrap(), want);
        assert!(S3Location::from_mrap_arn(&format!("{ARN}/k"), "k").is_err());
        assert!(S3Location::from_mrap_arn("arn:aws:s3:::bucket", "k").is_err());
        // A plain bucket stays SigV4.
        let plain = S3Location::parse("s3://bucket/k", "eu-west-1").unwrap();
        assert!(!plain.is_mrap() && plain.region_set().is_none());
    }

    /// MRAP requests are signed and presigned with SigV4a for `*`, and a
    /// verifier in any region accepts them.
    #[cfg(feature = "sigv4a")]
    #[test]
    fn mrap_requests_are_signed_with_sigv4a_for_every_region() {
        use crate::s3::test_support::{example_credentials, t};
        use crate::s3::{PresignOptions, S3Location};
        use crate::sign::{verify, Payload, SignableRequest, VerifyOptions};
        let creds = example_credentials();
        let l = S3Location::from_mrap_arn(
            "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap",
            "photos/cat.jpg",
        )
        .unwrap();
        let s = l
            .sign(
                "GET",
                &creds,
                t(),
                &[],
                &[("range", "bytes=0-9")],
                Payload::Unsigned,
            )
            .unwrap();
        let header = |name: &str| {
            s.headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(header("x-amz-region-set"), Some("*"));
        assert_eq!(header("x-amz-content-sha256"), Some("UNSIGNED-PAYLOAD"));
        let auth = header("authorization").unwrap();
        assert!(
            auth.starts_with(
                "AWS4-ECDSA-P256-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/s3/aws4_request, \
             SignedHeaders=host;range;x-amz-content-sha256;x-amz-date;x-amz-region-set, Signature="
            ),
            "{auth}"
        );
        assert!(s
            .canonical_request
            .contains("\nhost:mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com\n"));
        let lookup = |k: &str| (k == "AKIAIOSFODNN7EXAMPLE").then_some(creds.secret_access_key());
        let received = SignableRequest::new("GET", &s.url)
            .unwrap()
            .headers(s.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .payload(Payload::Unsigned);
        for region in ["us-east-1", "ap-southeast-2"] {
            let ok = verify(
                &received,
                lookup,
                &VerifyOptions::new(t()).expect_region(region),
            )
            .unwrap();
            assert_eq!(ok.region(), "*");
        }

        let p = l
            .presign(
                "GET",
                &creds,
                t(),
                &PresignOptions::new(core::time::Duration::from_secs(60)),
            )
            .unwrap();
        assert!(p.url.starts_with(
            "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/photos/cat.jpg?X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&"
        ));
        assert!(p.url.contains("&X-Amz-Region-Set=%2A&X-Amz-Signature="));
        let received = SignableRequest::new("GET", &p.url)
            .unwrap()
            .payload(Payload::Unsigned);
        assert!(verify(
            &received,
            lookup,
            &VerifyOptions::new(t()).expect_region("eu-west-3")
        )
        .is_ok());
        // Chunked uploads are signed with SigV4a too: the seed verifies.
        let (put, body) = l
            .sign_chunked_put(
                &creds,
                t(),
                &[],
                &[0; 10],
                &crate::s3::ChunkedUpload::signed_chunks()
                    .with_chunk_size(8192)
                    .with_checksum(crate::sign::checksum::ChecksumAlgorithm::Crc32),
            )
            .unwrap();
        assert!(put.headers.iter().any(|(n, v)| n == "x-amz-content-sha256"
            && v == "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"));
        let received = SignableRequest::new("PUT", &put.url)
            .unwrap()
            .headers(put.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        assert!(verify(
            &received,
            lookup,
            &VerifyOptions::new(t()).expect_region("eu-west-3")
        )
        .is_ok());
        assert!(body.starts_with(b"a;chunk-signature=30"));
    }
}
