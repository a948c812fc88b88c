//! Header signing with S3's rules: [`S3Location::sign`] gives a
//! [`SignedRequest`].

use super::location::join_url;
use super::{S3Error, S3Location};
use crate::sign::Credentials;
use crate::sign::{self, Payload, SignableRequest, SigningParams, SigningTime};
use crate::util::query::encode_pairs;

impl S3Location {
    /// Signs a request to this object with S3's rules (single encoding, no
    /// normalization, `x-amz-content-sha256` always): `query` is added to the
    /// location's own query parameters, `headers` are signed and returned
    /// with the signature headers.
    pub fn sign(
        &self,
        method: &str,
        credentials: &Credentials,
        time: SigningTime,
        query: &[(&str, &str)],
        headers: &[(&str, &str)],
        payload: Payload<'_>,
    ) -> Result<SignedRequest, S3Error> {
        let (scheme, authority, path) = self.parts()?;
        let query = encode_pairs(self.query_pairs().chain(query.iter().copied()));
        let req = SignableRequest::from_parts(method, &path, &query)?
            .authority(Some(&scheme), &authority)
            .headers(headers.iter().copied())
            .payload(payload);
        let (added, canonical_request, string_to_sign, signature) = match &self.region_set {
            None => {
                let params = SigningParams::new(credentials, &self.region, "s3", time);
                let signed = sign::sign_headers(&req, &params)?;
                let added: Vec<(String, String)> = signed
                    .headers()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect();
                let creq = signed.canonical_request().to_string();
                (
                    added,
                    creq,
                    signed.string_to_sign(),
                    signed.signature().into(),
                )
            }
            Some(set) => sign_v4a(&req, credentials, set, time)?,
        };
        let mut out_headers: Vec<(String, String)> = headers
            .iter()
            .filter(|(n, _)| !added.iter().any(|(m, _)| m.eq_ignore_ascii_case(n)))
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        out_headers.extend(added);
        Ok(SignedRequest {
            method: method.to_string(),
            url: join_url(&scheme, &authority, &path, &query),
            headers: out_headers,
            canonical_request,
            string_to_sign,
            signature,
        })
    }
}

/// The added headers, canonical request, string to sign and signature.
type Signed = (Vec<(String, String)>, String, String, String);

#[cfg(feature = "sigv4a")]
fn sign_v4a(
    req: &SignableRequest<'_>,
    credentials: &Credentials,
    region_set: &str,
    time: SigningTime,
) -> Result<Signed, S3Error> {
    let params = sign::v4a::SigningParams::new(credentials, region_set, "s3", time);
    let signed = sign::v4a::sign_headers(req, &params)?;
    let added = signed
        .headers()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let creq = signed.canonical_request().to_string();
    Ok((
        added,
        creq,
        signed.string_to_sign(),
        signed.signature().into(),
    ))
}

#[cfg(not(feature = "sigv4a"))]
fn sign_v4a(
    _: &SignableRequest<'_>,
    _: &Credentials,
    _: &str,
    _: SigningTime,
) -> Result<Signed, S3Error> {
    Err(S3Error::Sigv4aUnavailable {
        reason: "built without the `sigv4a` feature",
    })
}

/// A header-signed request: send `method` to `url` with `headers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// The method.
    pub method: String,
    /// The full URL.
    pub url: String,
    /// Every header to send besides `host` (which the HTTP client derives
    /// from the URL): the caller's headers, then the signature headers.
    pub headers: Vec<(String, String)>,
    /// The canonical request, for debugging.
    pub canonical_request: String,
    /// The string to sign, for debugging.
    pub string_to_sign: String,
    /// The signature: hex HMAC (SigV4) or hex DER ECDSA (SigV4a).
    pub signature: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::s3::test_support::{example_credentials, t};

    #[test]
    fn header_signing_uses_s3_rules() {
        // AWS S3 documentation: GET Object example.
        let creds = example_credentials();
        let l = S3Location::new("examplebucket", "test.txt", "us-east-1").unwrap();
        let s = l
            .sign(
                "GET",
                &creds,
                t(),
                &[],
                &[("range", "bytes=0-9")],
                Payload::EMPTY,
            )
            .unwrap();
        assert_eq!(
            s.signature,
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
        assert_eq!(s.url, "https://examplebucket.s3.amazonaws.com/test.txt");
        assert!(s
            .headers
            .iter()
            .any(|(n, v)| n == "x-amz-content-sha256" && v == sign::payload::EMPTY_SHA256));
        let u = l
            .sign("PUT", &creds, t(), &[], &[], Payload::Unsigned)
            .unwrap();
        assert!(u
            .headers
            .iter()
            .any(|(n, v)| n == "x-amz-content-sha256" && v == "UNSIGNED-PAYLOAD"));
    }
}
