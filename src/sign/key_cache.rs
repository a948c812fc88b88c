//! The signing-key cache: derived keys (and the HMAC midstates keyed with
//! them) reused across signatures, shared between threads, without `std`.
//!
//! A hit copies the key's HMAC midstates (64 bytes) out of the cache
//! without waiting (readers never block readers, and threads count
//! themselves on separate cache lines); a miss derives the key outside any
//! lock, once per scope, even when many threads miss it at once. How, and
//! why it is written by hand: `src/sign/slot_cache.rs`, shared with the
//! SigV4a key cache.
//!
//! Each entry also remembers the HMAC's state after the first block of the
//! last second's strings to sign (`src/sign/first_block.rs`): signatures
//! within one second compress one block fewer. That state is copied out
//! with the midstates, and hashing happens outside the cache, so readers
//! still hold it only for a copy and a comparison.
//!
//! [`SigningKeyCache::global`] is the process-wide cache that
//! [`SigningParams`](super::SigningParams) uses unless told otherwise, so
//! signing is fast by default.

use core::convert::Infallible;
use core::fmt;

use alloc::string::String;
use alloc::vec::Vec;
use zeroize::Zeroizing;

use super::constant_time::ct_eq;
use super::first_block::FirstBlock;
use super::key::SigningKey;
use super::sha256::HmacKey;
use super::slot_cache::SlotCache;

/// What a signing key is derived from (the secret copy is zeroized when
/// the slot is replaced, cleared or dropped).
struct Scope {
    secret: Zeroizing<Vec<u8>>,
    date: [u8; 8],
    region: String,
    service: String,
}

impl Scope {
    fn new(secret: &str, date: &str, region: &str, service: &str) -> Self {
        let mut d = [0u8; 8];
        let n = date.len().min(8);
        d[..n].copy_from_slice(&date.as_bytes()[..n]);
        Scope {
            secret: Zeroizing::new(secret.as_bytes().to_vec()),
            date: d,
            region: region.into(),
            service: service.into(),
        }
    }

    fn matches(&self, secret: &str, date: &str, region: &str, service: &str) -> bool {
        self.date.as_slice() == date.as_bytes()
            && self.region == region
            && self.service == service
            && ct_eq(&self.secret, secret.as_bytes())
    }
}

/// A derived key, its HMAC midstates, and the state after the first
/// block of this second's strings to sign (see `first_block`).
struct Entry {
    key: SigningKey,
    hmac: HmacKey,
    first: FirstBlock,
}

impl Entry {
    fn derive(secret: &str, date: &str, region: &str, service: &str) -> Self {
        let key = SigningKey::derive(secret, date, region, service);
        Entry {
            hmac: key.hmac_key(),
            key,
            first: FirstBlock::new(),
        }
    }
}

/// Caches derived signing keys, keyed by secret, date, region and service.
///
/// Holds the last [`SigningKeyCache::SLOTS`] scopes (so a client
/// alternating between, say, `s3` and `sts` keeps both), replacing the
/// oldest. Safe to share between threads (it is `Sync`) with or without
/// `std`; see the [module docs](self) for how it behaves under contention.
/// The cached secret copies are zeroized when replaced, cleared or dropped.
///
/// ```
/// use sigv4::sign::SigningKeyCache;
/// let cache = SigningKeyCache::new();
/// let a = cache.get("secret", "20150830", "us-east-1", "s3");
/// let b = cache.get("secret", "20150830", "us-east-1", "s3");
/// assert_eq!(a.as_bytes(), b.as_bytes());
/// assert_eq!(cache.misses(), 1);
/// ```
pub struct SigningKeyCache {
    slots: SlotCache<Scope, Entry, { SigningKeyCache::SLOTS }>,
}

impl Default for SigningKeyCache {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeyCache")
            .field("misses", &self.misses())
            .finish_non_exhaustive()
    }
}

static GLOBAL: SigningKeyCache = SigningKeyCache::new();

impl SigningKeyCache {
    /// How many scopes the cache holds.
    pub const SLOTS: usize = 4;

    /// An empty cache.
    pub const fn new() -> Self {
        SigningKeyCache {
            slots: SlotCache::new(),
        }
    }

    /// The process-wide cache that signing uses when no other cache (or
    /// none at all) is configured on the [`SigningParams`](super::SigningParams).
    pub fn global() -> &'static SigningKeyCache {
        &GLOBAL
    }

    /// How many times a key had to be derived because the cache did not hold it.
    pub fn misses(&self) -> usize {
        self.slots.misses()
    }

    /// The signing key for these inputs, derived only when not cached.
    pub fn get(&self, secret: &str, date_stamp: &str, region: &str, service: &str) -> SigningKey {
        self.with_entry(secret, date_stamp, region, service, |e| e.key.clone())
    }

    /// HMAC-SHA256 of a SigV4 string to sign (`AWS4-HMAC-SHA256\n...`)
    /// under the key for these inputs, its first block's compression
    /// reused from an earlier signature when that block was the same.
    pub(crate) fn sign_string_to_sign(
        &self,
        secret: &str,
        date_stamp: &str,
        region: &str,
        service: &str,
        sts: &[u8],
    ) -> [u8; 32] {
        // Only when the first block lies before the hash at the end (the
        // 64 hex digits): then it is the same all second.
        let Some((first, rest)) = sts.split_first_chunk::<64>().filter(|(_, r)| r.len() >= 64)
        else {
            return self
                .with_entry(secret, date_stamp, region, service, |e| e.hmac.clone())
                .sign(sts);
        };
        let (hmac, state) = self.with_entry(secret, date_stamp, region, service, |e| {
            (e.hmac.clone(), e.first.get(first))
        });
        let state = state.unwrap_or_else(|| {
            let state = hmac.after_first_block(first);
            // Once a second: stored through a second lookup, so that no
            // hashing happens while the cache is held.
            self.with_entry(secret, date_stamp, region, service, |e| {
                e.first.put(first, &state);
            });
            state
        });
        hmac.sign_rest(&state, rest)
    }

    fn with_entry<T>(
        &self,
        secret: &str,
        date: &str,
        region: &str,
        service: &str,
        f: impl Fn(&Entry) -> T,
    ) -> T {
        if date.len() != 8 {
            // Not a date stamp the cache can key on: derive, do not cache.
            return f(&Entry::derive(secret, date, region, service));
        }
        let found = self.slots.with(
            |s| s.matches(secret, date, region, service),
            || Scope::new(secret, date, region, service),
            || Ok::<_, Infallible>(Entry::derive(secret, date, region, service)),
            f,
        );
        match found {
            Ok(t) => t,
            Err(never) => match never {},
        }
    }

    /// Drops every cached key (and the secret copies with them). When other
    /// threads are using the cache at that moment, the next thread to
    /// change it empties it, and no lookup that starts after `clear`
    /// returns uses a key cached before.
    pub fn clear(&self) {
        self.slots.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Signatures through the cache (whose entries remember the first
    /// block of the second) are the uncached ones: seconds alternating so
    /// the memo is replaced, scopes short enough that the first block
    /// holds part of the hash (never remembered), and threads signing in
    /// different seconds with one cache at once.
    #[cfg(feature = "std")]
    #[test]
    fn remembered_first_blocks_sign_the_same() {
        use crate::sign::{sign_headers, Credentials, SignableRequest, SigningParams, SigningTime};
        let credentials = Credentials::new("AKID", "secret");
        let cache = SigningKeyCache::new();
        let sign = |region: &str, service: &str, second: i64, cached: bool| {
            let time = SigningTime::from_unix_seconds(1_369_353_600 + second).unwrap();
            let params = SigningParams::new(&credentials, region, service, time);
            let params = if cached {
                params.with_key_cache(&cache)
            } else {
                params.without_key_cache()
            };
            let req = SignableRequest::new("GET", "https://h.example/k").unwrap();
            String::from(sign_headers(&req, &params).unwrap().signature())
        };
        for second in [0, 1, 0, 0, 86_399, 2, 2] {
            for (region, service) in [("us-east-1", "s3"), ("a", "s"), ("eu-central-1", "sts")] {
                assert_eq!(
                    sign(region, service, second, true),
                    sign(region, service, second, false),
                    "{region} {service} {second}"
                );
            }
        }
        std::thread::scope(|s| {
            for t in 0..4i64 {
                s.spawn(move || {
                    for i in 0..300 {
                        let second = (i + t) % 3;
                        assert_eq!(
                            sign("us-east-1", "s3", second, true),
                            sign("us-east-1", "s3", second, false)
                        );
                    }
                });
            }
        });
    }

    #[test]
    fn cache_reuses_and_invalidates() {
        let c = SigningKeyCache::new();
        let a = c.get("s", "20150830", "us-east-1", "iam");
        c.get("s", "20150830", "us-east-1", "iam");
        assert_eq!(c.misses(), 1);
        for (secret, date, region, service) in [
            ("t", "20150830", "us-east-1", "iam"),
            ("t", "20150831", "us-east-1", "iam"),
            ("t", "20150831", "eu-west-1", "iam"),
            ("t", "20150831", "eu-west-1", "s3"),
        ] {
            let k = c.get(secret, date, region, service);
            assert_eq!(
                k.as_bytes(),
                SigningKey::derive(secret, date, region, service).as_bytes()
            );
            assert_ne!(k.as_bytes(), a.as_bytes());
        }
        assert_eq!(c.misses(), 5);
        // The last four keys stay cached; the first one was replaced.
        c.get("t", "20150830", "us-east-1", "iam");
        c.get("t", "20150831", "eu-west-1", "s3");
        assert_eq!(c.misses(), 5);
        c.get("s", "20150830", "us-east-1", "iam");
        assert_eq!(c.misses(), 6);
        c.clear();
        c.get("t", "20150831", "eu-west-1", "s3");
        assert_eq!(c.misses(), 7);
    }

    #[cfg(feature = "std")]
    #[test]
    fn cache_is_shared_between_threads() {
        let c = SigningKeyCache::new();
        let want = SigningKey::derive("s", "20150830", "r", "svc");
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..200 {
                        assert_eq!(
                            c.get("s", "20150830", "r", "svc").as_bytes(),
                            want.as_bytes()
                        );
                    }
                });
            }
        });
        assert!(c.misses() >= 1);
    }

    /// Exercises the `unsafe` slot access from many threads at once: with
    /// six scopes for four slots every thread keeps replacing entries while
    /// others read them and one clears, and every key handed out must still
    /// be the derived one.
    #[cfg(feature = "std")]
    #[test]
    fn cache_stays_correct_under_contention() {
        const SCOPES: [(&str, &str); 6] = [
            ("us-east-1", "s3"),
            ("us-east-1", "sts"),
            ("eu-west-1", "s3"),
            ("eu-west-1", "sts"),
            ("ap-south-1", "iam"),
            ("sa-east-1", "ec2"),
        ];
        let want: alloc::vec::Vec<SigningKey> = SCOPES
            .iter()
            .map(|(r, s)| SigningKey::derive("secret", "20150830", r, s))
            .collect();
        let c = SigningKeyCache::new();
        let barrier = std::sync::Barrier::new(16);
        std::thread::scope(|s| {
            for t in 0..16 {
                let (c, want, barrier) = (&c, &want, &barrier);
                s.spawn(move || {
                    barrier.wait();
                    for i in 0..500 {
                        let k = (t + i) % SCOPES.len();
                        let (region, service) = SCOPES[k];
                        assert_eq!(
                            c.get("secret", "20150830", region, service).as_bytes(),
                            want[k].as_bytes()
                        );
                        if t == 0 && i % 50 == 0 {
                            c.clear();
                        }
                    }
                });
            }
        });
        assert!(c.misses() >= SCOPES.len());
    }

    /// `clear` while another thread holds the cache still takes effect.
    #[cfg(feature = "std")]
    #[test]
    fn clear_takes_effect_while_the_cache_is_busy() {
        let c = SigningKeyCache::new();
        c.get("s", "20150830", "r", "svc");
        assert_eq!(c.misses(), 1);
        let (inside, proceed) = (std::sync::Barrier::new(2), std::sync::Barrier::new(2));
        std::thread::scope(|s| {
            s.spawn(|| {
                // Reads the cache (a hit) until the main thread has cleared.
                c.with_entry("s", "20150830", "r", "svc", |_| {
                    inside.wait();
                    proceed.wait();
                });
            });
            inside.wait();
            c.clear(); // the cache is being read: it must still take effect
            proceed.wait();
        });
        c.get("s", "20150830", "r", "svc");
        assert_eq!(c.misses(), 2, "the key cached before clear() was used");
        // And when nobody holds it, clear empties it at once.
        c.clear();
        c.get("s", "20150830", "r", "svc");
        assert_eq!(c.misses(), 3);
    }

    /// Many threads missing the same scope at once derive its key once.
    #[cfg(feature = "std")]
    #[test]
    fn one_derivation_per_scope_under_contention() {
        let c = SigningKeyCache::new();
        let want = SigningKey::derive("secret", "20240101", "eu-west-1", "s3");
        let barrier = std::sync::Barrier::new(16);
        std::thread::scope(|s| {
            for _ in 0..16 {
                s.spawn(|| {
                    barrier.wait();
                    let k = c.get("secret", "20240101", "eu-west-1", "s3");
                    assert_eq!(k.as_bytes(), want.as_bytes());
                });
            }
        });
        assert_eq!(c.misses(), 1);
    }

    #[test]
    fn the_global_cache_is_the_default() {
        let credentials = crate::sign::Credentials::new("AKIDGLOBAL", "global-cache-test-secret");
        let time = crate::sign::SigningTime::parse_amz_date("20240101T000000Z").unwrap();
        let params = crate::sign::SigningParams::new(&credentials, "us-east-1", "iam", time);
        assert!(params
            .key_cache
            .is_some_and(|c| core::ptr::eq(c, SigningKeyCache::global())));
        assert!(params.without_key_cache().key_cache.is_none());
        let own = SigningKeyCache::new();
        assert!(params
            .with_key_cache(&own)
            .key_cache
            .is_some_and(|c| core::ptr::eq(c, &own)));
        // Signatures through it are the uncached ones.
        let req = crate::sign::SignableRequest::new("GET", "https://iam.amazonaws.com/").unwrap();
        let a = crate::sign::sign_headers(&req, &params).unwrap();
        let uncached = crate::sign::sign_headers(&req, &params.without_key_cache()).unwrap();
        assert_eq!(a.signature(), uncached.signature());
    }
}
