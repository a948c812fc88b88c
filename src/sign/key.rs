//! Signing key derivation and its cache.
//!
//! `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
//! Deriving it costs four HMACs; a signature with a cached key costs one.
//! The cache keeps the HMAC state already keyed with the signing key, so each
//! signature skips the two key-block compressions as well.

use core::cell::UnsafeCell;
use core::fmt;
use core::sync::atomic::{AtomicBool, Ordering};

use alloc::string::String;
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

struct Entry {
    secret: Zeroizing<Vec<u8>>,
    date: [u8; 8],
    region: String,
    service: String,
    key: SigningKey,
    mac: HmacSha256,
}

impl Entry {
    fn matches(&self, secret: &str, date: &str, region: &str, service: &str) -> bool {
        self.date.as_slice() == date.as_bytes()
            && self.region == region
            && self.service == service
            && bool::from(subtle::ConstantTimeEq::ct_eq(
                self.secret.as_slice(),
                secret.as_bytes(),
            ))
    }
}

/// Caches derived signing keys, keyed by secret, date, region and service.
///
/// Holds the last [`SigningKeyCache::SLOTS`] keys (so a client alternating
/// between, say, `s3` and `sts` keeps both), replacing the oldest. Safe to
/// share between threads (it is `Sync`) with or without `std`: a caller that
/// finds the cache busy derives the key itself instead of waiting, so signing
/// never blocks. The cached secret copies are zeroized on drop.
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
    busy: AtomicBool,
    /// Set by [`clear`](Self::clear); whoever holds `busy` next (or holds it
    /// now, when it lets go) empties the slots.
    clear_pending: AtomicBool,
    slots: UnsafeCell<Slots>,
    misses: core::sync::atomic::AtomicUsize,
}

struct Slots {
    entries: [Option<Entry>; SigningKeyCache::SLOTS],
    /// The slot the next new key goes into.
    next: usize,
}

// SAFETY: `slots` is only read or written through a `Busy` guard, held by
// the thread that switched `busy` from false to true (Acquire) until it
// releases the flag (Release); all other threads never touch `slots`. The contents (`Vec`, `String`, plain
// arrays and an HMAC state) are `Send`.
#[allow(unsafe_code)]
unsafe impl Sync for SigningKeyCache {}

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

/// Holds `busy`; empties the slots on the way out when a clear was asked
/// for meanwhile, then lets go.
struct Busy<'a>(&'a SigningKeyCache);

impl<'a> Busy<'a> {
    fn acquire(cache: &'a SigningKeyCache) -> Option<Self> {
        cache
            .busy
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .ok()?;
        let held = Busy(cache);
        held.clear_if_pending();
        Some(held)
    }

    fn slots(&mut self) -> &mut Slots {
        // SAFETY: this thread switched `busy` from false to true in
        // `acquire` and holds it until `self` drops (see `impl Sync`).
        #[allow(unsafe_code)]
        unsafe {
            &mut *self.0.slots.get()
        }
    }

    fn clear_if_pending(&self) {
        if self.0.clear_pending.swap(false, Ordering::AcqRel) {
            // SAFETY: as in `slots`.
            #[allow(unsafe_code)]
            let slots = unsafe { &mut *self.0.slots.get() };
            slots.entries = [None, None, None, None];
        }
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.clear_if_pending();
        self.0.busy.store(false, Ordering::Release);
    }
}

impl SigningKeyCache {
    /// How many keys the cache holds.
    pub const SLOTS: usize = 4;

    /// An empty cache.
    pub const fn new() -> Self {
        SigningKeyCache {
            busy: AtomicBool::new(false),
            clear_pending: AtomicBool::new(false),
            slots: UnsafeCell::new(Slots {
                entries: [None, None, None, None],
                next: 0,
            }),
            misses: core::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// How many times a key had to be derived because the cache did not hold it.
    pub fn misses(&self) -> usize {
        self.misses.load(Ordering::Relaxed)
    }

    /// The signing key for these inputs, derived only when not cached.
    pub fn get(&self, secret: &str, date_stamp: &str, region: &str, service: &str) -> SigningKey {
        self.with_entry(secret, date_stamp, region, service, |e| e.key.clone())
            .unwrap_or_else(|| SigningKey::derive(secret, date_stamp, region, service))
    }

    /// A keyed HMAC state for these inputs (cheaper to clone than to key).
    pub(crate) fn mac(
        &self,
        secret: &str,
        date_stamp: &str,
        region: &str,
        service: &str,
    ) -> HmacSha256 {
        self.with_entry(secret, date_stamp, region, service, |e| e.mac.clone())
            .unwrap_or_else(|| SigningKey::derive(secret, date_stamp, region, service).mac())
    }

    fn with_entry<T>(
        &self,
        secret: &str,
        date: &str,
        region: &str,
        service: &str,
        f: impl FnOnce(&Entry) -> T,
    ) -> Option<T> {
        let mut busy = Busy::acquire(self)?;
        let slots = busy.slots();
        if let Some(e) = slots
            .entries
            .iter()
            .flatten()
            .find(|e| e.matches(secret, date, region, service))
        {
            return Some(f(e));
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let key = SigningKey::derive(secret, date, region, service);
        let mut d = [0u8; 8];
        let n = date.len().min(8);
        d[..n].copy_from_slice(&date.as_bytes()[..n]);
        let entry = Entry {
            secret: Zeroizing::new(secret.as_bytes().to_vec()),
            date: d,
            region: region.into(),
            service: service.into(),
            mac: key.mac(),
            key,
        };
        let out = f(&entry);
        if date.len() == 8 {
            let i = slots.next;
            slots.entries[i] = Some(entry);
            slots.next = (i + 1) % Self::SLOTS;
        }
        Some(out)
    }

    /// Drops every cached key (and the secret copies with them). When
    /// another thread is using the cache at that moment, that thread empties
    /// it as it finishes; either way no lookup that starts after `clear`
    /// returns sees a key cached before.
    pub fn clear(&self) {
        self.clear_pending.store(true, Ordering::Release);
        // Empties the slots now if nobody holds them, else their holder does.
        drop(Busy::acquire(self));
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
                // Holds the cache (a hit) until the main thread has cleared.
                c.with_entry("s", "20150830", "r", "svc", |_| {
                    inside.wait();
                    proceed.wait();
                })
                .expect("the cache was free");
            });
            inside.wait();
            c.clear(); // the cache is busy: the holder must empty it
            proceed.wait();
        });
        c.get("s", "20150830", "r", "svc");
        assert_eq!(c.misses(), 2, "the key cached before clear() was used");
        // And when nobody holds it, clear empties it at once.
        c.clear();
        c.get("s", "20150830", "r", "svc");
        assert_eq!(c.misses(), 3);
    }
}
