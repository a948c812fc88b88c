//! DPoP proofs (RFC 9449) with a P-256 key, as the sign-in service wants
//! them on `aws login` token refreshes: a compact JWT with header
//! `{"typ":"dpop+jwt","alg":"ES256","jwk":{...}}` and claims `htm`, `htu`,
//! `iat`, `jti`, signed with ES256 (the raw 64-byte `r || s`).
//!
//! Pure: the caller passes the time and the unique `jti`.
//!
//! ```
//! use sigv4::api::dpop::DpopKey;
//!
//! // A SEC1 key as `aws login` caches it ("-----BEGIN EC PRIVATE KEY-----").
//! let pem = "-----BEGIN EC PRIVATE KEY-----\n\
//! MHcCAQEEIAshhwPxxHyW8CR668Cz9f48TSJOn6qBx3dFy6CZr+deoAoGCCqGSM49\n\
//! AwEHoUQDQgAELitykP5J4AbmWcRxX0Z3b38ocz+Hudm5lHmXAdFHLr6bB6jBex5K\n\
//! o5Cfkhi2VhefBBX4DE/nF+JjFAi/YMbofA==\n\
//! -----END EC PRIVATE KEY-----\n";
//! let key = DpopKey::from_sec1_pem(pem)?;
//! let proof = key.proof("POST", "https://us-east-1.signin.aws.amazon.com/v1/token", 1_700_000_000, "id-1");
//! assert_eq!(proof.split('.').count(), 3);
//! assert!(!format!("{key:?}").contains("MHcC"));
//! assert!(DpopKey::from_sec1_pem("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----").is_err());
//! # Ok::<(), sigv4::api::dpop::DpopKeyError>(())
//! ```

use std::fmt;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use zeroize::Zeroizing;

use crate::util::json::Json;

/// Why a key could not be read. Holds none of the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DpopKeyError(&'static str);

impl fmt::Display for DpopKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid DPoP key: {}", self.0)
    }
}

impl std::error::Error for DpopKeyError {}

/// A P-256 private key for DPoP proofs. Never shown by `Debug`.
#[derive(Clone)]
pub struct DpopKey {
    key: SigningKey,
}

impl fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DpopKey(<redacted>)")
    }
}

/// Reads one DER element at `at`: (tag, content start, content end).
fn der_element(der: &[u8], at: usize) -> Option<(u8, usize, usize)> {
    let tag = *der.get(at)?;
    let first = *der.get(at + 1)?;
    let (len, start) = if first < 0x80 {
        (usize::from(first), at + 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 2 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | usize::from(*der.get(at + 2 + i)?);
        }
        (len, at + 2 + n)
    };
    let end = start.checked_add(len)?;
    (end <= der.len()).then_some((tag, start, end))
}

impl DpopKey {
    /// Reads a SEC1 `EC PRIVATE KEY` PEM (what `aws login` caches as
    /// `dpopKey`).
    pub fn from_sec1_pem(pem: &str) -> Result<DpopKey, DpopKeyError> {
        let body: String = pem
            .lines()
            .map(str::trim)
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let der = Zeroizing::new(
            STANDARD
                .decode(body.as_bytes())
                .map_err(|_| DpopKeyError("not base64 PEM"))?,
        );
        Self::from_sec1_der(&der)
    }

    /// Reads a SEC1 `ECPrivateKey` DER structure.
    pub fn from_sec1_der(der: &[u8]) -> Result<DpopKey, DpopKeyError> {
        let bad = DpopKeyError("not a SEC1 EC private key");
        let (tag, start, _) = der_element(der, 0).ok_or(bad.clone())?;
        if tag != 0x30 {
            return Err(bad);
        }
        let (tag, vstart, vend) = der_element(der, start).ok_or(bad.clone())?;
        if tag != 0x02 || der[vstart..vend] != [1] {
            return Err(bad);
        }
        let (tag, kstart, kend) = der_element(der, vend).ok_or(bad.clone())?;
        if tag != 0x04 {
            return Err(bad);
        }
        let key = SigningKey::from_slice(&der[kstart..kend])
            .map_err(|_| DpopKeyError("not a P-256 private key"))?;
        Ok(DpopKey { key })
    }

    /// The public key as a JWK (`kty`, `x`, `y`, `crv`), in botocore's order.
    fn jwk(&self) -> Json {
        let point = self.key.verifying_key().to_sec1_point(false);
        let coord = |c: Option<&p256::FieldBytes>| {
            Json::string(&URL_SAFE_NO_PAD.encode(c.map(|b| b.as_slice()).unwrap_or_default()))
        };
        Json::Object(vec![
            ("kty".into(), Json::string("EC")),
            ("x".into(), coord(point.x())),
            ("y".into(), coord(point.y())),
            ("crv".into(), Json::string("P-256")),
        ])
    }

    /// A proof for `method url` issued at `iat` (Unix seconds) with the
    /// unique id `jti`.
    pub fn proof(&self, method: &str, url: &str, iat: i64, jti: &str) -> String {
        let header = Json::Object(vec![
            ("typ".into(), Json::string("dpop+jwt")),
            ("alg".into(), Json::string("ES256")),
            ("jwk".into(), self.jwk()),
        ]);
        let claims = Json::Object(vec![
            ("htm".into(), Json::string(method)),
            ("htu".into(), Json::string(url)),
            ("iat".into(), Json::Number(iat.to_string())),
            ("jti".into(), Json::string(jti)),
        ]);
        // Compact JSON, as botocore writes it.
        let compact = |j: &Json| j.to_compact_text();
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(compact(&header)),
            URL_SAFE_NO_PAD.encode(compact(&claims))
        );
        let signature: Signature = self.key.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }
}
