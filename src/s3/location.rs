//! [`S3Location`]: a bucket, a key and a region, on AWS or a custom
//! endpoint, and the object URL in either addressing style.

use super::{parse_host, Endpoint, S3Error};
use crate::sign::encoding::{encode_into, Input};
use crate::util::query::{decode_pairs, encode_pairs, percent_decode};

/// How the bucket appears in the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AddressingStyle {
    /// Virtual-hosted where it can work, path style otherwise.
    #[default]
    Auto,
    /// `https://bucket.endpoint/key`.
    VirtualHosted,
    /// `https://endpoint/bucket/key`.
    Path,
}

/// A bucket and key in a region, on AWS or a custom endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    bucket: String,
    key: String,
    pub(crate) region: String,
    endpoint: Option<Endpoint>,
    style: AddressingStyle,
    query: Vec<(String, String)>,
    /// Signed with SigV4a for this region set (`*` for an MRAP).
    pub(crate) region_set: Option<String>,
    /// A Multi-Region Access Point: `bucket` is its alias (`NAME.mrap`).
    mrap: bool,
}

/// True when `bucket` can be a DNS label set: 3..=63 of `a-z 0-9 . -`,
/// starting and ending with a letter or digit, no `..`, not an IP address.
pub fn is_dns_compatible(bucket: &str) -> bool {
    let b = bucket.as_bytes();
    (3..=63).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'.' || *c == b'-')
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && !bucket.contains("..")
        && !bucket.contains(".-")
        && !bucket.contains("-.")
        && bucket.parse::<std::net::Ipv4Addr>().is_err()
}

fn validate_bucket(bucket: &str) -> Result<(), S3Error> {
    let ok = !bucket.is_empty()
        && bucket.len() <= 255
        && bucket
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'));
    if ok {
        Ok(())
    } else {
        Err(S3Error::InvalidBucket(bucket.to_string()))
    }
}

impl S3Location {
    /// A bucket and key in `region` on AWS.
    pub fn new(bucket: &str, key: &str, region: &str) -> Result<Self, S3Error> {
        validate_bucket(bucket)?;
        Ok(S3Location {
            bucket: bucket.into(),
            key: key.into(),
            region: region.into(),
            endpoint: None,
            style: AddressingStyle::Auto,
            query: Vec::new(),
            region_set: None,
            mrap: false,
        })
    }

    /// A key of the S3 Multi-Region Access Point named by `arn`
    /// (`arn:aws:s3::ACCOUNT:accesspoint/NAME.mrap`): addressed at
    /// `NAME.mrap.accesspoint.s3-global.amazonaws.com`, signed and
    /// presigned with SigV4a for the region set `*` (feature `sigv4a`).
    /// Its [`bucket`](Self::bucket) is the alias `NAME.mrap`, its
    /// [`region`](Self::region) `*`.
    ///
    /// ```
    /// use sigv4::s3::S3Location;
    /// let l = S3Location::from_mrap_arn("arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap", "a b.txt")?;
    /// assert_eq!(l.url()?, "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/a%20b.txt");
    /// assert_eq!(l.region_set(), Some("*"));
    /// # Ok::<(), sigv4::s3::S3Error>(())
    /// ```
    pub fn from_mrap_arn(arn: &str, key: &str) -> Result<Self, S3Error> {
        let (alias, rest) = super::mrap::split_arn(arn).ok_or(S3Error::InvalidTarget {
            reason:
                "not a Multi-Region Access Point ARN (arn:aws:s3::ACCOUNT:accesspoint/NAME.mrap)",
        })??;
        if !rest.is_empty() {
            return Err(S3Error::InvalidTarget {
                reason: "the ARN has a key after the access point: pass it as the key",
            });
        }
        Ok(Self::mrap(alias, key))
    }

    fn mrap(alias: &str, key: &str) -> Self {
        S3Location {
            bucket: alias.into(),
            key: key.into(),
            region: super::mrap::MRAP_REGION_SET.into(),
            endpoint: None,
            style: AddressingStyle::VirtualHosted,
            query: Vec::new(),
            region_set: Some(super::mrap::MRAP_REGION_SET.into()),
            mrap: true,
        }
    }

    /// Signs and presigns with SigV4a for `region_set` (`*`, or
    /// `r1,r2,...`) instead of SigV4 for the location's region (feature
    /// `sigv4a`; without it, signing fails).
    pub fn with_region_set(mut self, region_set: &str) -> Self {
        self.region_set = Some(region_set.into());
        self
    }

    /// The SigV4a region set, when the location is signed with SigV4a.
    pub fn region_set(&self) -> Option<&str> {
        self.region_set.as_deref()
    }

    /// True for a Multi-Region Access Point.
    pub fn is_mrap(&self) -> bool {
        self.mrap
    }

    /// Parses `s3://bucket/key` or an `http(s)://` URL (AWS virtual-hosted,
    /// AWS path style, or a custom endpoint in path style
    /// `http://host:port/bucket/key`). `region` is used unless the URL is an
    /// AWS host that names its region. A URL's path is percent-decoded into
    /// the key; its query parameters are kept (e.g. `versionId`).
    ///
    /// A Multi-Region Access Point is named by its ARN, bare or after
    /// `s3://` (`[s3://]arn:aws:s3::ACCOUNT:accesspoint/NAME.mrap/key`), or
    /// by its URL (`https://NAME.mrap.accesspoint.s3-global.amazonaws.com/key`):
    /// see [`from_mrap_arn`](Self::from_mrap_arn).
    pub fn parse(target: &str, region: &str) -> Result<Self, S3Error> {
        let arn = target.strip_prefix("s3://").unwrap_or(target);
        if let Some(split) = super::mrap::split_arn(arn) {
            let (alias, key) = split?;
            return Ok(Self::mrap(alias, key));
        }
        if let Some(rest) = target.strip_prefix("s3://") {
            let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
            return Self::new(bucket, key, region);
        }
        let (scheme, rest) = target
            .split_once("://")
            .filter(|(s, _)| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"))
            .ok_or(S3Error::InvalidTarget {
                reason: "expected s3://bucket/key or an http(s):// URL",
            })?;
        let rest = rest.split('#').next().unwrap_or("");
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path_query) = rest.split_at(end);
        let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
        let endpoint = Endpoint::parse(&format!("{scheme}://{authority}"))?;
        let host = endpoint.host().to_string();
        let path = path.strip_prefix('/').unwrap_or(path);
        if let Some(alias) = super::mrap::alias_from_host(&host) {
            let mut l = Self::mrap(alias, &percent_decode(path));
            l.query.extend(decode_pairs(query));
            return Ok(l);
        }
        let mut loc = match parse_host(&host).map(|h| (h.bucket, h.region)) {
            Some((Some(bucket), region_in_host)) => {
                let mut l = Self::new(
                    bucket,
                    &percent_decode(path),
                    region_in_host.unwrap_or(region),
                )?;
                l.style = AddressingStyle::VirtualHosted;
                if endpoint.scheme == "http" {
                    l.endpoint = Some(Endpoint {
                        scheme: "http".into(),
                        authority: endpoint.authority[bucket.len() + 1..].to_string(),
                    });
                }
                l
            }
            Some((None, region_in_host)) => {
                let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
                let mut l = Self::new(
                    &percent_decode(bucket),
                    &percent_decode(key),
                    region_in_host.unwrap_or(region),
                )?;
                l.style = AddressingStyle::Path;
                if endpoint.scheme == "http" {
                    l.endpoint = Some(endpoint);
                }
                l
            }
            None => {
                let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
                if bucket.is_empty() {
                    return Err(S3Error::InvalidTarget {
                        reason: "no bucket in the URL path",
                    });
                }
                let mut l = Self::new(&percent_decode(bucket), &percent_decode(key), region)?;
                l.endpoint = Some(endpoint);
                l.style = AddressingStyle::Path;
                l
            }
        };
        loc.query.extend(decode_pairs(query));
        Ok(loc)
    }

    /// Uses a custom endpoint (`http(s)://host[:port]`).
    pub fn with_endpoint(mut self, endpoint: &str) -> Result<Self, S3Error> {
        self.endpoint = Some(Endpoint::parse(endpoint)?);
        Ok(self)
    }

    /// The same location with another key.
    pub fn with_key(mut self, key: &str) -> Self {
        self.key = key.into();
        self
    }

    /// Sets the addressing style.
    pub fn with_style(mut self, style: AddressingStyle) -> Self {
        self.style = style;
        self
    }

    /// Adds a query parameter (unencoded), e.g. `versionId`.
    pub fn with_query(mut self, key: &str, value: &str) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The style that will be used: [`AddressingStyle::Auto`] resolved.
    pub fn effective_style(&self) -> Result<AddressingStyle, S3Error> {
        let scheme_https = self.endpoint.as_ref().is_none_or(|e| e.scheme == "https");
        let can_virtual = is_dns_compatible(&self.bucket)
            && !(scheme_https && self.bucket.contains('.'))
            && !self
                .endpoint
                .as_ref()
                .is_some_and(Endpoint::is_ip_or_localhost);
        match self.style {
            AddressingStyle::Auto if can_virtual => Ok(AddressingStyle::VirtualHosted),
            AddressingStyle::Auto => Ok(AddressingStyle::Path),
            AddressingStyle::VirtualHosted if !is_dns_compatible(&self.bucket) => {
                Err(S3Error::VirtualHostingUnavailable(self.bucket.clone()))
            }
            s => Ok(s),
        }
    }

    /// Scheme, authority and encoded path of the object URL.
    pub(crate) fn parts(&self) -> Result<(String, String, String), S3Error> {
        if self.mrap && self.endpoint.is_none() {
            let mut path = String::with_capacity(1 + self.key.len() * 3 / 2);
            path.push('/');
            encode_into(&mut path, &self.key, Input::Literal, true);
            let authority = format!("{}{}", self.bucket, super::mrap::MRAP_HOST_SUFFIX);
            return Ok(("https".into(), authority, path));
        }
        let (scheme, base) = match &self.endpoint {
            Some(e) => (e.scheme.clone(), e.authority.clone()),
            None if self.region == "us-east-1" => ("https".into(), "s3.amazonaws.com".into()),
            None => ("https".into(), format!("s3.{}.amazonaws.com", self.region)),
        };
        let mut path = String::with_capacity(self.bucket.len() + self.key.len() * 3 / 2 + 2);
        let authority = match self.effective_style()? {
            AddressingStyle::Path => {
                path.push('/');
                encode_into(&mut path, &self.bucket, Input::Literal, false);
                base
            }
            _ => format!("{}.{}", self.bucket, base),
        };
        // A bucket-level location (empty key) is `/bucket` in path style and `/` otherwise.
        if !self.key.is_empty() || path.is_empty() {
            path.push('/');
            encode_into(&mut path, &self.key, Input::Literal, true);
        }
        Ok((scheme, authority, path))
    }

    /// The object URL without signature.
    pub fn url(&self) -> Result<String, S3Error> {
        let (scheme, authority, path) = self.parts()?;
        let query = encode_pairs(self.query_pairs());
        Ok(join_url(&scheme, &authority, &path, &query))
    }

    /// The bucket URL (the location without its key and query), in the
    /// location's addressing style: `https://bucket.host/` or
    /// `https://host/bucket`.
    pub(crate) fn bucket_url(&self) -> Result<String, S3Error> {
        let bucket = S3Location {
            key: String::new(),
            query: Vec::new(),
            ..self.clone()
        };
        let (scheme, authority, path) = bucket.parts()?;
        Ok(join_url(&scheme, &authority, &path, ""))
    }

    /// The location's own query parameters (unencoded).
    pub(crate) fn query_pairs(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.query.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// `scheme://authority/path[?query]`.
pub(crate) fn join_url(scheme: &str, authority: &str, path: &str, query: &str) -> String {
    let mut url = format!("{scheme}://{authority}{path}");
    if !query.is_empty() {
        url.push('?');
        url.push_str(query);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_by_style_and_endpoint() {
        let l = S3Location::new("examplebucket", "a b/c+d", "us-west-2").unwrap();
        assert_eq!(
            l.url().unwrap(),
            "https://examplebucket.s3.us-west-2.amazonaws.com/a%20b/c%2Bd"
        );
        let p = l.clone().with_style(AddressingStyle::Path);
        assert_eq!(
            p.url().unwrap(),
            "https://s3.us-west-2.amazonaws.com/examplebucket/a%20b/c%2Bd"
        );
        let e = l.clone().with_endpoint("http://127.0.0.1:9000").unwrap();
        assert_eq!(
            e.url().unwrap(),
            "http://127.0.0.1:9000/examplebucket/a%20b/c%2Bd"
        );
        let v = l.clone().with_endpoint("http://minio.local:9000/").unwrap();
        assert_eq!(
            v.url().unwrap(),
            "http://examplebucket.minio.local:9000/a%20b/c%2Bd"
        );
        let dots = S3Location::new("my.bucket", "k", "eu-west-1").unwrap();
        assert_eq!(
            dots.url().unwrap(),
            "https://s3.eu-west-1.amazonaws.com/my.bucket/k"
        );
        let legacy = S3Location::new("Legacy_Bucket", "k", "us-east-1").unwrap();
        assert_eq!(
            legacy.url().unwrap(),
            "https://s3.amazonaws.com/Legacy_Bucket/k"
        );
        assert_eq!(
            legacy.with_style(AddressingStyle::VirtualHosted).url(),
            Err(S3Error::VirtualHostingUnavailable("Legacy_Bucket".into()))
        );
        let bucket = S3Location::new("bkt", "", "us-east-1").unwrap();
        assert_eq!(bucket.url().unwrap(), "https://bkt.s3.amazonaws.com/");
        assert_eq!(
            bucket.with_style(AddressingStyle::Path).url().unwrap(),
            "https://s3.amazonaws.com/bkt"
        );
        let keys = S3Location::new("b", "dir//x/./y/../z~", "us-east-1").unwrap();
        assert_eq!(
            keys.url().unwrap(),
            "https://s3.amazonaws.com/b/dir//x/./y/../z~"
        );
    }

    #[test]
    fn parses_targets() {
        let l = S3Location::parse("s3://bucket/dir/key.txt", "eu-central-1").unwrap();
        assert_eq!(
            (l.bucket(), l.key(), l.region()),
            ("bucket", "dir/key.txt", "eu-central-1")
        );
        let l = S3Location::parse(
            "https://bucket.s3.us-west-2.amazonaws.com/a%20b?versionId=3",
            "x",
        )
        .unwrap();
        assert_eq!(
            (l.bucket(), l.key(), l.region()),
            ("bucket", "a b", "us-west-2")
        );
        assert_eq!(
            l.url().unwrap(),
            "https://bucket.s3.us-west-2.amazonaws.com/a%20b?versionId=3"
        );
        let l = S3Location::parse("https://s3-eu-west-1.amazonaws.com/bucket/k", "x").unwrap();
        assert_eq!(
            (l.bucket(), l.key(), l.region()),
            ("bucket", "k", "eu-west-1")
        );
        let l = S3Location::parse("https://bucket.s3.amazonaws.com/k", "us-east-1").unwrap();
        assert_eq!((l.bucket(), l.region()), ("bucket", "us-east-1"));
        let l = S3Location::parse("http://127.0.0.1:9000/bucket/a/../b", "us-east-1").unwrap();
        assert_eq!((l.bucket(), l.key()), ("bucket", "a/../b"));
        assert_eq!(l.url().unwrap(), "http://127.0.0.1:9000/bucket/a/../b");
        assert_eq!(
            S3Location::parse("ftp://x/y", "r"),
            Err(S3Error::InvalidTarget {
                reason: "expected s3://bucket/key or an http(s):// URL"
            })
        );
        assert_eq!(
            S3Location::parse("s3://", "r"),
            Err(S3Error::InvalidBucket(String::new()))
        );
        // An s3:// target is not a URL: `?` is part of the key.
        let l = S3Location::parse("s3://bad/bucket?/k", "r").unwrap();
        assert_eq!((l.bucket(), l.key(), l.region()), ("bad", "bucket?/k", "r"));
        assert_eq!(
            S3Location::parse("s3://b@d/k", "r"),
            Err(S3Error::InvalidBucket("b@d".into()))
        );
        assert_eq!(
            S3Location::parse("http://127.0.0.1:9000/", "r"),
            Err(S3Error::InvalidTarget {
                reason: "no bucket in the URL path"
            })
        );
        assert_eq!(
            S3Location::parse("http://127.0.0.1:99999/b/k", "r"),
            Err(S3Error::InvalidEndpoint("http://127.0.0.1:99999".into()))
        );
    }

    #[test]
    fn query_parameters_are_split_and_decoded_once() {
        let l = S3Location::parse(
            "https://bkt.s3.amazonaws.com/k?versionId=a%2Bb&x&&y=1",
            "us-east-1",
        )
        .unwrap();
        assert_eq!(
            l.query_pairs().collect::<Vec<_>>(),
            [("versionId", "a+b"), ("x", ""), ("y", "1")]
        );
        assert_eq!(
            l.url().unwrap(),
            "https://bkt.s3.amazonaws.com/k?versionId=a%2Bb&x=&y=1"
        );
        let l = S3Location::parse("https://s3-external-1.amazonaws.com/b/k", "eu-west-1").unwrap();
        assert_eq!((l.bucket(), l.region()), ("b", "us-east-1"));
    }
}
