//! The SigV4a key cache: derived P-256 keys reused across signatures,
//! shared between threads, without `std`.
//!
//! A SigV4a key depends only on the access key id and the secret (not on
//! date, region or service), so one derivation (an HMAC) serves every
//! request of a set of credentials, and the public key (a scalar
//! multiplication, for verification) is computed at most once too
//! ([`EcdsaKeyCache::public_key`]). A hit clones the key pair (a few dozen
//! bytes) without waiting; a miss derives outside any lock, once per
//! access key, even when many threads miss it at once. The machinery (and
//! why it is written by hand) is the SigV4 key cache's,
//! `src/sign/slot_cache.rs`.
//!
//! [`EcdsaKeyCache::global`] is the process-wide cache that
//! [`SigningParams`](super::SigningParams) uses unless told otherwise.

use core::fmt;

use alloc::string::String;
use alloc::vec::Vec;
use zeroize::Zeroizing;

use super::key::{EcdsaKey, PublicKey};
use crate::sign::constant_time::ct_eq;
use crate::sign::slot_cache::SlotCache;
use crate::sign::Error;

/// Who the key is for: the access key id and a copy of the secret
/// (zeroized when the slot is replaced, cleared or dropped).
struct Owner {
    access_key_id: String,
    secret: Zeroizing<Vec<u8>>,
}

impl Owner {
    fn new(access_key_id: &str, secret: &str) -> Self {
        Owner {
            access_key_id: access_key_id.into(),
            secret: Zeroizing::new(secret.as_bytes().to_vec()),
        }
    }

    fn matches(&self, access_key_id: &str, secret: &str) -> bool {
        self.access_key_id == access_key_id && ct_eq(&self.secret, secret.as_bytes())
    }
}

/// Caches derived SigV4a key pairs, keyed by access key id and secret.
///
/// Holds the last [`EcdsaKeyCache::SLOTS`] credentials, replacing the
/// oldest. `Sync` with or without `std`. The cached secret copies and
/// private keys are zeroized when replaced, cleared or dropped.
///
/// ```
/// use sigv4::sign::v4a::EcdsaKeyCache;
/// let cache = EcdsaKeyCache::new();
/// let a = cache.get("AKID", "secret")?;
/// let b = cache.get("AKID", "secret")?;
/// assert_eq!(a.public_key(), b.public_key());
/// assert_eq!(cache.misses(), 1);
/// # Ok::<(), sigv4::sign::Error>(())
/// ```
pub struct EcdsaKeyCache {
    slots: SlotCache<Owner, EcdsaKey, { EcdsaKeyCache::SLOTS }>,
}

impl Default for EcdsaKeyCache {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for EcdsaKeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EcdsaKeyCache")
            .field("misses", &self.misses())
            .finish_non_exhaustive()
    }
}

static GLOBAL: EcdsaKeyCache = EcdsaKeyCache::new();

impl EcdsaKeyCache {
    /// How many credentials the cache holds.
    pub const SLOTS: usize = 4;

    /// An empty cache.
    pub const fn new() -> Self {
        EcdsaKeyCache {
            slots: SlotCache::new(),
        }
    }

    /// The process-wide cache that SigV4a signing and verification use
    /// when no other cache (or none) is configured.
    pub fn global() -> &'static EcdsaKeyCache {
        &GLOBAL
    }

    /// How many times a key had to be derived because the cache did not hold it.
    pub fn misses(&self) -> usize {
        self.slots.misses()
    }

    /// The key pair of these credentials, derived only when not cached.
    pub fn get(&self, access_key_id: &str, secret: &str) -> Result<EcdsaKey, Error> {
        self.slots.with(
            |o| o.matches(access_key_id, secret),
            || Owner::new(access_key_id, secret),
            || EcdsaKey::derive(access_key_id, secret),
            EcdsaKey::clone,
        )
    }

    /// The public key of these credentials: derived and computed (one
    /// scalar multiplication) only the first time, then kept in the cache
    /// with the private key.
    pub fn public_key(&self, access_key_id: &str, secret: &str) -> Result<PublicKey, Error> {
        let key = self.get(access_key_id, secret)?;
        if key.has_public_key() {
            return Ok(key.public_key());
        }
        let key = key.with_public_key();
        let public = key.public_key();
        self.slots
            .update(|o| o.matches(access_key_id, secret), |cached| *cached = key);
        Ok(public)
    }

    /// Drops every cached key pair (and the secret copies with them).
    pub fn clear(&self) {
        self.slots.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_reuses_replaces_and_clears() {
        let c = EcdsaKeyCache::new();
        let a = c.get("A", "s").unwrap();
        assert_eq!(c.get("A", "s").unwrap().public_key(), a.public_key());
        assert_eq!(c.misses(), 1);
        // Same key id, other secret: another key.
        let other = c.get("A", "t").unwrap();
        assert_ne!(other.public_key(), a.public_key());
        assert_eq!(
            other.public_key(),
            EcdsaKey::derive("A", "t").unwrap().public_key()
        );
        assert_eq!(c.misses(), 2);
        for id in ["B", "C", "D"] {
            c.get(id, "s").unwrap();
        }
        assert_eq!(c.misses(), 5);
        // ("A", "s") was the oldest of five: replaced.
        c.get("A", "s").unwrap();
        assert_eq!(c.misses(), 6);
        c.get("D", "s").unwrap();
        assert_eq!(c.misses(), 6);
        c.clear();
        c.get("D", "s").unwrap();
        assert_eq!(c.misses(), 7);
    }

    #[cfg(feature = "std")]
    #[test]
    fn one_derivation_per_key_under_contention() {
        let c = EcdsaKeyCache::new();
        let want = EcdsaKey::derive("AKID", "secret").unwrap().public_key();
        let barrier = std::sync::Barrier::new(8);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    barrier.wait();
                    for _ in 0..20 {
                        assert_eq!(c.get("AKID", "secret").unwrap().public_key(), want);
                    }
                });
            }
        });
        assert_eq!(c.misses(), 1);
    }

    /// The `unsafe` slot access from many threads: six credentials for four
    /// slots, so entries keep being replaced while others read them and one
    /// thread clears.
    #[cfg(feature = "std")]
    #[test]
    fn cache_stays_correct_under_contention() {
        const IDS: [&str; 6] = ["A", "B", "C", "D", "E", "F"];
        let want: Vec<_> = IDS
            .iter()
            .map(|id| EcdsaKey::derive(id, "secret").unwrap().public_key())
            .collect();
        let c = EcdsaKeyCache::new();
        std::thread::scope(|s| {
            for t in 0..8 {
                let (c, want) = (&c, &want);
                s.spawn(move || {
                    for i in 0..30 {
                        let k = (t + i) % IDS.len();
                        assert_eq!(c.get(IDS[k], "secret").unwrap().public_key(), want[k]);
                        if t == 0 && i % 10 == 0 {
                            c.clear();
                        }
                    }
                });
            }
        });
        assert!(c.misses() >= IDS.len());
    }
}
