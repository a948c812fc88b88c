//! Presigned URLs: [`PresignOptions`] in, [`PresignedUrl`] out.

use core::time::Duration;
use std::fmt;

use super::{S3Error, S3Location};
use crate::sign::Credentials;
use crate::sign::{self, Payload, SignableRequest, SigningParams, SigningTime};
use crate::util::query::encode_pairs;

/// Query parameters that override response headers of a GET.
pub const RESPONSE_OVERRIDES: &[&str] = &[
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
];

impl S3Location {
    /// A presigned URL for `method` (GET, PUT, HEAD, DELETE, ...).
    pub fn presign(
        &self,
        method: &str,
        credentials: &Credentials,
        time: SigningTime,
        options: &PresignOptions,
    ) -> Result<PresignedUrl, S3Error> {
        for (name, _) in &options.response_overrides {
            if !RESPONSE_OVERRIDES.contains(&name.as_str()) {
                return Err(S3Error::InvalidResponseOverride(name.clone()));
            }
        }
        let (scheme, authority, path) = self.parts()?;
        let query = encode_pairs(
            self.query_pairs().chain(
                options
                    .response_overrides
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str())),
            ),
        );
        let mut req = SignableRequest::from_parts(method, &path, &query)?
            .authority(Some(&scheme), &authority)
            .payload(Payload::Unsigned);
        for (n, v) in &options.headers {
            req = req.header(n, v);
        }
        let (url, expires_at) = match &self.region_set {
            None => {
                let params = SigningParams::new(credentials, &self.region, "s3", time);
                let presigned = sign::presign(&req, &params, options.expires_in)?;
                let expires_at = presigned.expires_at()?;
                (presigned.into_uri(), expires_at)
            }
            Some(set) => presign_v4a(&req, credentials, set, time, options.expires_in)?,
        };
        Ok(PresignedUrl {
            url,
            method: method.to_string(),
            expires_at,
            headers: options.headers.clone(),
        })
    }
}

#[cfg(feature = "sigv4a")]
fn presign_v4a(
    req: &SignableRequest<'_>,
    credentials: &Credentials,
    region_set: &str,
    time: SigningTime,
    expires_in: Duration,
) -> Result<(String, SigningTime), S3Error> {
    let params = sign::v4a::SigningParams::new(credentials, region_set, "s3", time);
    let presigned = sign::v4a::presign(req, &params, expires_in)?;
    Ok((presigned.uri().to_string(), presigned.expires_at()?))
}

#[cfg(not(feature = "sigv4a"))]
fn presign_v4a(
    _: &SignableRequest<'_>,
    _: &Credentials,
    _: &str,
    _: SigningTime,
    _: Duration,
) -> Result<(String, SigningTime), S3Error> {
    Err(S3Error::Sigv4aUnavailable {
        reason: "built without the `sigv4a` feature",
    })
}

/// Options of a presigned URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignOptions {
    /// Validity, 1 s ..= 7 days.
    pub expires_in: Duration,
    /// Extra headers to sign (e.g. `content-type`, `x-amz-meta-*`, checksum
    /// headers for a PUT); whoever uses the URL must send them.
    pub headers: Vec<(String, String)>,
    /// `response-*` overrides added to the query (GET only).
    pub response_overrides: Vec<(String, String)>,
}

impl PresignOptions {
    /// A URL valid for `expires_in` (1 s ..= 7 days), with no extra headers.
    pub fn new(expires_in: Duration) -> Self {
        PresignOptions {
            expires_in,
            headers: Vec::new(),
            response_overrides: Vec::new(),
        }
    }

    /// Adds a header to sign.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    /// Adds a response override (`response-content-disposition`, ...).
    pub fn response_override(mut self, name: &str, value: &str) -> Self {
        self.response_overrides.push((name.into(), value.into()));
        self
    }
}

/// A presigned URL and the headers its user must send.
#[derive(Clone, PartialEq, Eq)]
pub struct PresignedUrl {
    /// The URL (carries the signature and, with temporary credentials, the session token).
    pub url: String,
    /// The method it is valid for.
    pub method: String,
    /// When it stops being valid.
    pub expires_at: SigningTime,
    /// Headers that were signed and must be sent with the request.
    pub headers: Vec<(String, String)>,
}

impl fmt::Debug for PresignedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL is a bearer credential: show it without its query.
        let base = self.url.split('?').next().unwrap_or("");
        f.debug_struct("PresignedUrl")
            .field("url", &format_args!("{base}?<signed>"))
            .field("method", &self.method)
            .field("expires_at", &self.expires_at)
            .field("headers", &self.headers)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::s3::test_support::{example_credentials, t};

    #[test]
    fn presign_options() {
        let creds = example_credentials().with_session_token("tok/en+=");
        let l = S3Location::new("examplebucket", "test.txt", "us-east-1").unwrap();
        let opts = PresignOptions::new(Duration::from_secs(3600))
            .header("Content-Type", "text/plain")
            .response_override(
                "response-content-disposition",
                "attachment; filename=\"a b.txt\"",
            );
        let p = l.presign("PUT", &creds, t(), &opts).unwrap();
        assert!(p.url.contains("response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22&X-Amz-Algorithm"));
        assert!(p.url.contains("X-Amz-SignedHeaders=content-type%3Bhost"));
        assert!(p.url.contains("X-Amz-Security-Token=tok%2Fen%2B%3D"));
        assert_eq!(
            p.headers,
            vec![("content-type".to_string(), "text/plain".to_string())]
        );
        assert_eq!(p.expires_at.amz_date(), "20130524T010000Z");
        assert!(!format!("{p:?}").contains("Signature"));
        let bad = PresignOptions::new(Duration::from_secs(3600)).response_override("x-nope", "1");
        assert_eq!(
            l.presign("GET", &creds, t(), &bad),
            Err(S3Error::InvalidResponseOverride("x-nope".into()))
        );
        assert_eq!(
            l.presign("GET", &creds, t(), &PresignOptions::new(Duration::ZERO)),
            Err(S3Error::Sign(sign::Error::InvalidExpiry { seconds: 0 }))
        );
        assert_eq!(
            l.presign(
                "GET",
                &creds,
                t(),
                &PresignOptions::new(Duration::from_secs(604_801))
            ),
            Err(S3Error::Sign(sign::Error::InvalidExpiry {
                seconds: 604_801
            }))
        );
    }
}
