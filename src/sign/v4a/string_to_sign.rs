//! The SigV4a credential scope and string to sign.
//!
//! ```text
//! AWS4-ECDSA-P256-SHA256
//! {x-amz-date}
//! {YYYYMMDD}/{service}/aws4_request
//! {hex sha256(canonical request)}
//! ```
//!
//! The scope has no region: the regions are in `X-Amz-Region-Set`, a
//! signed header (or query parameter). The signature is ECDSA-SHA256 of
//! this string.

use alloc::string::String;
use core::fmt;
use sha2::{Digest, Sha256};

use super::ALGORITHM;
use crate::sign::signature::{ascii, hash_hex};
use crate::sign::SigningTime;

/// The region-less credential scope of a SigV4a signature:
/// `YYYYMMDD/service/aws4_request`.
///
/// ```
/// use sigv4::sign::v4a::Scope;
/// use sigv4::sign::SigningTime;
/// let scope = Scope { date: SigningTime::parse_amz_date("20150830T123600Z")?, service: "s3" };
/// assert_eq!(scope.to_string(), "20150830/s3/aws4_request");
/// # Ok::<(), sigv4::sign::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scope<'a> {
    /// The signing time; its date is the scope's date.
    pub date: SigningTime,
    /// The service, e.g. `s3`.
    pub service: &'a str,
}

impl Scope<'_> {
    /// Length of the rendered scope.
    pub fn len(&self) -> usize {
        8 + 1 + self.service.len() + 1 + "aws4_request".len()
    }

    /// Never empty; present for symmetry with [`Scope::len`].
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Appends `YYYYMMDD/service/aws4_request` to `out`.
    pub fn write(&self, out: &mut String) {
        out.push_str(self.date.date_stamp());
        out.push('/');
        out.push_str(self.service);
        out.push_str("/aws4_request");
    }
}

impl fmt::Display for Scope<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/aws4_request",
            self.date.date_stamp(),
            self.service
        )
    }
}

/// Feeds the string to sign to `sink` piece by piece.
fn feed(sink: &mut dyn FnMut(&[u8]), scope: &Scope<'_>, creq_hash_hex: &[u8; 64]) {
    sink(ALGORITHM.as_bytes());
    sink(b"\n");
    sink(scope.date.amz_date().as_bytes());
    sink(b"\n");
    sink(scope.date.date_stamp().as_bytes());
    sink(b"/");
    sink(scope.service.as_bytes());
    sink(b"/aws4_request\n");
    sink(creq_hash_hex);
}

/// The string to sign as text.
pub fn string_to_sign(scope: &Scope<'_>, creq_hash_hex: &[u8; 64]) -> String {
    let mut s = String::with_capacity(ALGORITHM.len() + 18 + scope.len() + 65);
    feed(
        &mut |b| s.push_str(core::str::from_utf8(b).unwrap_or("")),
        scope,
        creq_hash_hex,
    );
    s
}

/// SHA-256 of the string to sign (what ECDSA signs), without building it.
pub(crate) fn string_to_sign_hash(scope: &Scope<'_>, creq_hash_hex: &[u8; 64]) -> [u8; 32] {
    let mut h = Sha256::new();
    feed(&mut |b| h.update(b), scope, creq_hash_hex);
    h.finalize().into()
}

/// What was signed: the canonical request, its hash and the scope. The
/// SigV4a [`HeaderSignature`](super::HeaderSignature) and
/// [`PresignedQuery`](super::PresignedQuery) dereference to it.
#[derive(Clone)]
pub struct SigningDetails<'a> {
    pub(crate) canonical_request: String,
    pub(crate) creq_hash: [u8; 64],
    pub(crate) scope: Scope<'a>,
    pub(crate) region_set: &'a str,
}

impl<'a> SigningDetails<'a> {
    pub(crate) fn new(canonical_request: String, scope: Scope<'a>, region_set: &'a str) -> Self {
        let creq_hash = hash_hex(&canonical_request);
        SigningDetails {
            canonical_request,
            creq_hash,
            scope,
            region_set,
        }
    }

    /// The canonical request that was signed.
    pub fn canonical_request(&self) -> &str {
        &self.canonical_request
    }

    /// The hex SHA-256 of the canonical request (the string to sign's last line).
    pub fn canonical_request_hash(&self) -> &str {
        ascii(&self.creq_hash)
    }

    /// The string to sign (built on demand).
    pub fn string_to_sign(&self) -> String {
        string_to_sign(&self.scope, &self.creq_hash)
    }

    /// SHA-256 of the string to sign.
    pub(crate) fn string_to_sign_hash(&self) -> [u8; 32] {
        string_to_sign_hash(&self.scope, &self.creq_hash)
    }

    /// The region-less credential scope.
    pub fn scope(&self) -> &Scope<'a> {
        &self.scope
    }

    /// The signed region set.
    pub fn region_set(&self) -> &'a str {
        self.region_set
    }

    /// The `X-Amz-Date` value: the signing time.
    pub fn amz_date(&self) -> &str {
        self.scope.date.amz_date()
    }
}

impl fmt::Debug for SigningDetails<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The canonical request can hold a session token: show its hash only.
        f.debug_struct("SigningDetails")
            .field("canonical_request_hash", &self.canonical_request_hash())
            .field("scope", &self.scope)
            .field("region_set", &self.region_set)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_to_sign_layout_and_hash() {
        let scope = Scope {
            date: SigningTime::parse_amz_date("20150830T123600Z").unwrap(),
            service: "service",
        };
        let h = *b"79893373104239a0547df489af395ec3c1b8873a8601f07f11ffd3f1ac557e7d";
        let s = string_to_sign(&scope, &h);
        assert_eq!(
            s,
            "AWS4-ECDSA-P256-SHA256\n20150830T123600Z\n20150830/service/aws4_request\n\
             79893373104239a0547df489af395ec3c1b8873a8601f07f11ffd3f1ac557e7d"
        );
        let direct: [u8; 32] = Sha256::digest(s.as_bytes()).into();
        assert_eq!(string_to_sign_hash(&scope, &h), direct);
        assert_eq!(scope.len(), scope.to_string().len());
    }
}
