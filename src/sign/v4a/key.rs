//! SigV4a key derivation: access key id and secret to a P-256 key pair.
//!
//! The private key is derived with the NIST SP 800-108 counter-mode KDF
//! over HMAC-SHA256, one 256-bit block:
//!
//! ```text
//! input key  = "AWS4A" || secret access key
//! fixed input = be32(1) || "AWS4-ECDSA-P256-SHA256" || 0x00 || access key id || counter || be32(256)
//! candidate  = HMAC-SHA256(input key, fixed input)      (a 256-bit big-endian integer)
//! ```
//!
//! starting with `counter = 1` and incrementing it while the candidate is
//! greater than `n - 2` (`n` the order of P-256); the private scalar is
//! then `candidate + 1`, so it lies in `1 ..= n - 1`. The key does not
//! depend on date, region or service: one derivation per access key (see
//! [`key_cache`](super::key_cache)). All curve arithmetic is RustCrypto's
//! `p256`.

use core::fmt;

use alloc::string::String;
use alloc::vec::Vec;
use ecdsa::hazmat::sign_prehashed_rfc6979;
use ecdsa::signature::hazmat::PrehashVerifier;
use ecdsa::DigestAlgorithm;
use hmac::Mac;
use p256::ecdsa::{DerSignature, Signature, VerifyingKey};
use p256::elliptic_curve::bigint::U256;
use p256::elliptic_curve::subtle::ConstantTimeLess;
use p256::elliptic_curve::Curve;
use p256::{NistP256, NonZeroScalar};
use zeroize::{Zeroize, Zeroizing};

use super::ALGORITHM;
use crate::sign::key::HmacSha256;
use crate::sign::Error;

/// `n - 1`: a candidate below it (so at most `n - 2`) is accepted.
const N_MINUS_1: U256 = NistP256::ORDER.as_ref().wrapping_sub(&U256::ONE);

/// The longest hex DER-encoded P-256 signature: 72 bytes.
pub(crate) const MAX_SIGNATURE_HEX: usize = 144;

/// Highest value of the derivation counter (it is one byte).
const MAX_COUNTER: u8 = 254;

/// A derived SigV4a key: the P-256 private key that signs, and its public
/// key once computed.
///
/// Deriving costs HMACs only; the public key (a scalar multiplication) is
/// computed when first asked for ([`public_key`](Self::public_key),
/// [`with_public_key`](Self::with_public_key)): signing never needs it.
/// The private scalar is zeroized on drop and `Debug` never shows it.
///
/// ```
/// use sigv4::sign::v4a::EcdsaKey;
/// let key = EcdsaKey::derive("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")?;
/// let public = key.public_key();
/// assert_eq!(public.to_sec1_hex(true).len(), 66); // compressed: 02/03 and X
/// assert!(!format!("{key:?}").contains("wJalrXUtnFEMI"));
/// # Ok::<(), sigv4::sign::Error>(())
/// ```
#[derive(Clone)]
pub struct EcdsaKey {
    pub(super) scalar: NonZeroScalar,
    public: Option<PublicKey>,
}

impl Drop for EcdsaKey {
    fn drop(&mut self) {
        self.scalar.zeroize();
    }
}

impl EcdsaKey {
    /// Derives the private key of these credentials (one HMAC per counter
    /// value tried, almost always one; no curve arithmetic).
    ///
    /// Fails only with [`Error::KeyDerivation`], when every counter value
    /// gives an out-of-range candidate (probability about 2^-8000).
    pub fn derive(access_key_id: &str, secret_access_key: &str) -> Result<Self, Error> {
        let mut input_key = Zeroizing::new(Vec::with_capacity(5 + secret_access_key.len()));
        input_key.extend_from_slice(b"AWS4A");
        input_key.extend_from_slice(secret_access_key.as_bytes());
        // HMAC accepts keys of any length.
        let keyed = HmacSha256::new_from_slice(&input_key).map_err(|_| Error::KeyDerivation)?;
        for counter in 1..=MAX_COUNTER {
            let mut mac = keyed.clone();
            mac.update(&1u32.to_be_bytes());
            mac.update(ALGORITHM.as_bytes());
            mac.update(&[0]);
            mac.update(access_key_id.as_bytes());
            mac.update(&[counter]);
            mac.update(&256u32.to_be_bytes());
            let mut tag: [u8; 32] = mac.finalize().into_bytes().into();
            let mut candidate = U256::from_be_slice(&tag);
            tag.zeroize();
            let in_range = bool::from(candidate.ct_lt(&N_MINUS_1));
            let mut d = candidate.wrapping_add(&U256::ONE);
            candidate.zeroize();
            if in_range {
                let scalar = NonZeroScalar::from_uint(d);
                d.zeroize();
                if let Some(scalar) = Option::<NonZeroScalar>::from(scalar) {
                    return Ok(EcdsaKey {
                        scalar,
                        public: None,
                    });
                }
            }
            d.zeroize();
        }
        Err(Error::KeyDerivation)
    }

    /// The public key (computed now when it was not yet: one scalar
    /// multiplication).
    pub fn public_key(&self) -> PublicKey {
        match self.public {
            Some(p) => p,
            None => self.compute_public_key(),
        }
    }

    /// The same key, with its public key computed and kept.
    pub fn with_public_key(mut self) -> Self {
        self.public = Some(self.public_key());
        self
    }

    /// True when the public key is already computed.
    pub fn has_public_key(&self) -> bool {
        self.public.is_some()
    }

    fn compute_public_key(&self) -> PublicKey {
        PublicKey(VerifyingKey::from(p256::PublicKey::from_secret_scalar(
            &self.scalar,
        )))
    }

    /// The DER-encoded ECDSA signature of `prehash` (the SHA-256 of the
    /// string to sign), in lowercase hex. Deterministic (RFC 6979).
    pub(crate) fn sign_prehash_hex(&self, prehash: &[u8; 32]) -> Result<String, Error> {
        let mut out = [0u8; MAX_SIGNATURE_HEX];
        let len = self.sign_prehash_into(prehash, &mut out);
        Ok(core::str::from_utf8(&out[..len]).unwrap_or("").into())
    }

    /// The same, written into `out`; returns its length (140 to 144 hex
    /// digits, never more: a DER P-256 signature is at most 72 bytes).
    pub(crate) fn sign_prehash_into(
        &self,
        prehash: &[u8; 32],
        out: &mut [u8; MAX_SIGNATURE_HEX],
    ) -> usize {
        let (sig, _): (Signature, _) = sign_prehashed_rfc6979::<
            NistP256,
            <NistP256 as DigestAlgorithm>::Digest,
        >(&self.scalar, prehash, &[]);
        let der: DerSignature = sig.to_der();
        let bytes = der.as_bytes();
        let len = 2 * bytes.len();
        match out.get_mut(..len) {
            // Encoding n bytes into 2n always fits.
            Some(dst) => hex::encode_to_slice(bytes, dst).map_or(0, |()| len),
            None => 0,
        }
    }
}

impl fmt::Debug for EcdsaKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EcdsaKey")
            .field("public_key", &self.public_key())
            .field("private_key", &"<redacted>")
            .finish()
    }
}

/// A SigV4a public key (P-256): what a verifier needs, safe to share.
///
/// ```
/// use sigv4::sign::v4a::{EcdsaKey, PublicKey};
/// let key = EcdsaKey::derive("AKID", "secret")?;
/// let hex = key.public_key().to_sec1_hex(true);
/// assert_eq!(PublicKey::from_sec1_hex(&hex)?, key.public_key());
/// # Ok::<(), sigv4::sign::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// From SEC1 bytes in hex: compressed (`02`/`03` and X) or uncompressed
    /// (`04`, X and Y).
    pub fn from_sec1_hex(hex_str: &str) -> Result<Self, Error> {
        let bytes = hex::decode(hex_str).map_err(|_| bad_key())?;
        VerifyingKey::from_sec1_bytes(&bytes)
            .map(PublicKey)
            .map_err(|_| bad_key())
    }

    /// From the affine coordinates, 32 bytes each, big-endian, in hex.
    pub fn from_coordinates_hex(x: &str, y: &str) -> Result<Self, Error> {
        let mut sec1 = String::with_capacity(130);
        sec1.push_str("04");
        sec1.push_str(x);
        sec1.push_str(y);
        Self::from_sec1_hex(&sec1)
    }

    /// The SEC1 encoding in lowercase hex: 33 bytes compressed, 65 bytes
    /// uncompressed.
    pub fn to_sec1_hex(&self, compressed: bool) -> String {
        hex::encode(self.0.to_sec1_point(compressed).as_bytes())
    }

    /// The affine X and Y coordinates, 32 bytes each, in lowercase hex.
    pub fn coordinates_hex(&self) -> (String, String) {
        let point = self.0.to_sec1_point(false);
        let hex_of = |c: Option<&p256::FieldBytes>| c.map(hex::encode).unwrap_or_default();
        (hex_of(point.x()), hex_of(point.y()))
    }

    /// Checks a hex DER-encoded ECDSA-SHA256 signature of the string to sign
    /// whose SHA-256 is `prehash`.
    pub(crate) fn verify_prehash_hex(&self, prehash: &[u8; 32], sig_hex: &str) -> bool {
        let Some(der) = decode_der(sig_hex) else {
            return false;
        };
        self.0.verify_prehash(prehash, &der).is_ok()
    }

    /// Checks a hex DER-encoded ECDSA-SHA256 signature of `message` (a
    /// string to sign, as bytes).
    ///
    /// ```
    /// use sigv4::sign::v4a::EcdsaKey;
    /// let key = EcdsaKey::derive("AKID", "secret")?;
    /// let signature = key.sign_message(b"hello")?;
    /// assert!(key.public_key().verify_message(b"hello", &signature));
    /// assert!(!key.public_key().verify_message(b"hellO", &signature));
    /// # Ok::<(), sigv4::sign::Error>(())
    /// ```
    pub fn verify_message(&self, message: &[u8], sig_hex: &str) -> bool {
        self.verify_prehash_hex(&sha256(message), sig_hex)
    }
}

impl EcdsaKey {
    /// The hex DER-encoded ECDSA-SHA256 signature of `message` (a string to
    /// sign, as bytes). Deterministic (RFC 6979).
    pub fn sign_message(&self, message: &[u8]) -> Result<String, Error> {
        self.sign_prehash_hex(&sha256(message))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_sec1_hex(true))
    }
}

fn sha256(message: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(message).into()
}

fn decode_der(sig_hex: &str) -> Option<DerSignature> {
    // A DER P-256 signature is at most 72 bytes.
    if sig_hex.len() > MAX_SIGNATURE_HEX || sig_hex.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let bytes = hex::decode(sig_hex).ok()?;
    DerSignature::from_bytes(&bytes).ok()
}

fn bad_key() -> Error {
    Error::MalformedSignature {
        reason: "not a P-256 public key in SEC1 hex",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_check_is_at_n_minus_2() {
        // n - 1 as bytes, recomputed here independently of the constant.
        let n = hex::decode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
            .unwrap();
        let mut n_minus_1 = n.clone();
        *n_minus_1.last_mut().unwrap() -= 1;
        assert_eq!(N_MINUS_1.to_be_bytes().as_ref(), n_minus_1.as_slice());
    }

    #[test]
    fn derivation_is_deterministic_and_depends_on_both_keys() {
        let a = EcdsaKey::derive("AKID", "secret").unwrap();
        let b = EcdsaKey::derive("AKID", "secret").unwrap();
        assert_eq!(a.public_key(), b.public_key());
        assert_ne!(
            a.public_key(),
            EcdsaKey::derive("AKID2", "secret").unwrap().public_key()
        );
        assert_ne!(
            a.public_key(),
            EcdsaKey::derive("AKID", "secret2").unwrap().public_key()
        );
    }

    #[test]
    fn signatures_verify_and_debug_redacts() {
        let key = EcdsaKey::derive("AKID", "TOPSECRET").unwrap();
        let sig = key.sign_message(b"string to sign").unwrap();
        assert!(sig.starts_with("30"), "DER sequence: {sig}");
        assert!(key.public_key().verify_message(b"string to sign", &sig));
        assert!(!key.public_key().verify_message(b"string to sigN", &sig));
        assert!(!key.public_key().verify_message(b"string to sign", "30"));
        assert!(!key
            .public_key()
            .verify_message(b"string to sign", &sig.to_uppercase()));
        let shown = alloc::format!("{key:?} {:?}", key.public_key());
        assert!(!shown.contains("TOPSECRET"), "{shown}");
        assert!(shown.contains("<redacted>"));
        let (x, y) = key.public_key().coordinates_hex();
        assert_eq!(
            PublicKey::from_coordinates_hex(&x, &y).unwrap(),
            key.public_key()
        );
        assert!(PublicKey::from_sec1_hex("02zz").is_err());
    }
}
