//! Signing key derivation.
//!
//! `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
//! Deriving it costs four HMACs; a signature with a cached key
//! ([`key_cache`](super::key_cache)) costs one.

use core::fmt;

use alloc::vec::Vec;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

/// HMAC-SHA256.
pub type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length: `new_from_slice` cannot fail for it.
    let Ok(mut mac) = HmacSha256::new_from_slice(key) else {
        unreachable_hmac()
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

#[cold]
fn unreachable_hmac() -> ! {
    // `Hmac::new_from_slice` only fails for fixed-size-key MACs.
    unreachable!("HMAC accepts keys of any length")
}

/// A derived SigV4 signing key. Zeroized on drop; `Debug` shows nothing of it.
#[derive(Clone)]
pub struct SigningKey {
    bytes: [u8; 32],
}

impl SigningKey {
    /// Derives the key for `date_stamp` (`YYYYMMDD`), `region` and `service`.
    ///
    /// ```
    /// // The AWS documentation's example (IAM, us-east-1, 2015-08-30).
    /// let key = sigv4::sign::SigningKey::derive(
    ///     "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam");
    /// assert_eq!(hex::encode(key.as_bytes()),
    ///     "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
    /// ```
    pub fn derive(secret_access_key: &str, date_stamp: &str, region: &str, service: &str) -> Self {
        let mut k_secret = Zeroizing::new(Vec::with_capacity(4 + secret_access_key.len()));
        k_secret.extend_from_slice(b"AWS4");
        k_secret.extend_from_slice(secret_access_key.as_bytes());
        let mut k = hmac(&k_secret, date_stamp.as_bytes());
        let mut next = hmac(&k, region.as_bytes());
        k.zeroize();
        k = hmac(&next, service.as_bytes());
        next.zeroize();
        let bytes = hmac(&k, b"aws4_request");
        k.zeroize();
        SigningKey { bytes }
    }

    /// The raw 32 key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// An HMAC state keyed with this key, ready to sign.
    pub fn mac(&self) -> HmacSha256 {
        match HmacSha256::new_from_slice(&self.bytes) {
            Ok(m) => m,
            Err(_) => unreachable_hmac(),
        }
    }

    /// The key's HMAC midstates, for the signing hot path.
    pub(crate) fn hmac_key(&self) -> super::sha256::HmacKey {
        super::sha256::HmacKey::new(&self.bytes)
    }

    /// HMAC-SHA256 of `data` with this key.
    pub fn sign(&self, data: &[u8]) -> [u8; 32] {
        hmac(&self.bytes, data)
    }
}

impl Drop for SigningKey {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_the_documented_key() {
        let k = SigningKey::derive(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20150830",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            hex::encode(k.as_bytes()),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
        );
        assert_eq!(alloc::format!("{k:?}"), "SigningKey(<redacted>)");
    }
}
