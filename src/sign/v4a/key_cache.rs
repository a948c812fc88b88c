//! The SigV4a key cache: derived P-256 keys reused across signatures,
//! shared between threads, without `std`.
//!
//! A SigV4a key depends only on the access key id and the secret (not on
//! date, region or service), so one derivation (an HMAC) serves every
//! request of a set of credentials, and the public key (a scalar
//! multiplication, for verification) is computed at most once too
//! ([`EcdsaKeyCache::public_key`]). A hit clones the key pair (a few dozen bytes) under a short
//! lock; a miss derives outside the lock, once per access key: the first
//! thread to miss marks the slot, the others wait for that derivation
//! (for a bounded time) rather than repeating it.
//!
//! [`EcdsaKeyCache::global`] is the process-wide cache that
//! [`SigningParams`](super::SigningParams) uses unless told otherwise.
//!
//! The lock is a spin lock over an `UnsafeCell` (the core is `no_std`, see
//! [`SigningKeyCache`](crate::sign::SigningKeyCache) for why no lock crate):
//! its critical sections never derive, sign or allocate more than one box,
//! so nobody spins for long. The one `unsafe` access is argued at
//! `impl Sync` and exercised from many threads in the tests.

use core::cell::UnsafeCell;
use core::fmt;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use zeroize::Zeroizing;

use super::key::{EcdsaKey, PublicKey};
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
        self.access_key_id == access_key_id
            && bool::from(subtle::ConstantTimeEq::ct_eq(
                self.secret.as_slice(),
                secret.as_bytes(),
            ))
    }
}

#[derive(Default)]
enum Slot {
    #[default]
    Empty,
    /// A thread is deriving this owner's key.
    Deriving(Box<Owner>),
    Ready(Box<(Owner, EcdsaKey)>),
}

impl Slot {
    fn owner(&self) -> Option<&Owner> {
        match self {
            Slot::Empty => None,
            Slot::Deriving(o) => Some(o),
            Slot::Ready(e) => Some(&e.0),
        }
    }
}

struct Slots {
    slots: [Slot; EcdsaKeyCache::SLOTS],
    next: usize,
}

impl Slots {
    fn find(&self, access_key_id: &str, secret: &str) -> Option<usize> {
        self.slots
            .iter()
            .position(|s| s.owner().is_some_and(|o| o.matches(access_key_id, secret)))
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
    locked: AtomicBool,
    slots: UnsafeCell<Slots>,
    misses: AtomicUsize,
}

// SAFETY: `slots` is only accessed through a `Guard`, and a `Guard` exists
// only while `locked` went from false to true by this thread's
// compare-exchange (Acquire) and is set back to false when it drops
// (Release): at most one thread accesses the slots at a time, and each
// access happens-after the previous one. The contents (boxes of strings,
// byte vectors and key pairs) are `Send`.
#[allow(unsafe_code)]
unsafe impl Sync for EcdsaKeyCache {}

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

fn pause(spins: &mut u32) {
    *spins += 1;
    if (*spins).is_multiple_of(64) {
        #[cfg(feature = "std")]
        std::thread::yield_now();
    }
    core::hint::spin_loop();
}

/// Exclusive access to the slots.
struct Guard<'a>(&'a EcdsaKeyCache);

impl<'a> Guard<'a> {
    fn acquire(cache: &'a EcdsaKeyCache) -> Self {
        let mut spins = 0;
        while cache
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            pause(&mut spins);
        }
        Guard(cache)
    }

    fn slots(&mut self) -> &mut Slots {
        // SAFETY: see `impl Sync`: a `Guard` is the only access.
        #[allow(unsafe_code)]
        unsafe {
            &mut *self.0.slots.get()
        }
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        self.0.locked.store(false, Ordering::Release);
    }
}

/// How long a thread waits for another one's derivation of the same key
/// before deriving it itself.
const MAX_WAIT_SPINS: u32 = 1 << 16;

static GLOBAL: EcdsaKeyCache = EcdsaKeyCache::new();

impl EcdsaKeyCache {
    /// How many credentials the cache holds.
    pub const SLOTS: usize = 4;

    /// An empty cache.
    pub const fn new() -> Self {
        EcdsaKeyCache {
            locked: AtomicBool::new(false),
            slots: UnsafeCell::new(Slots {
                slots: [Slot::Empty, Slot::Empty, Slot::Empty, Slot::Empty],
                next: 0,
            }),
            misses: AtomicUsize::new(0),
        }
    }

    /// The process-wide cache that SigV4a signing and verification use
    /// when no other cache (or none) is configured.
    pub fn global() -> &'static EcdsaKeyCache {
        &GLOBAL
    }

    /// How many times a key had to be derived because the cache did not hold it.
    pub fn misses(&self) -> usize {
        self.misses.load(Ordering::Relaxed)
    }

    /// The key pair of these credentials, derived only when not cached.
    pub fn get(&self, access_key_id: &str, secret: &str) -> Result<EcdsaKey, Error> {
        let mut spins = 0;
        loop {
            let mut guard = Guard::acquire(self);
            let slots = guard.slots();
            match slots.find(access_key_id, secret) {
                Some(i) => match &slots.slots[i] {
                    Slot::Ready(e) => return Ok(e.1.clone()),
                    _ if spins < MAX_WAIT_SPINS => {
                        drop(guard);
                        pause(&mut spins);
                        continue;
                    }
                    // Waited long enough: derive without claiming.
                    _ => {
                        drop(guard);
                        return EcdsaKey::derive(access_key_id, secret);
                    }
                },
                None => {
                    let i = slots.next;
                    slots.next = (i + 1) % Self::SLOTS;
                    slots.slots[i] = Slot::Deriving(Box::new(Owner::new(access_key_id, secret)));
                }
            }
            drop(guard);
            self.misses.fetch_add(1, Ordering::Relaxed);
            let derived = EcdsaKey::derive(access_key_id, secret);
            let mut guard = Guard::acquire(self);
            let slots = guard.slots();
            if let Some(i) = slots.find(access_key_id, secret) {
                if matches!(slots.slots[i], Slot::Deriving(_)) {
                    slots.slots[i] = match &derived {
                        Ok(key) => {
                            Slot::Ready(Box::new((Owner::new(access_key_id, secret), key.clone())))
                        }
                        Err(_) => Slot::Empty,
                    };
                }
            }
            return derived;
        }
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
        let mut guard = Guard::acquire(self);
        let slots = guard.slots();
        if let Some(i) = slots.find(access_key_id, secret) {
            if let Slot::Ready(e) = &mut slots.slots[i] {
                e.1 = key;
            }
        }
        Ok(public)
    }

    /// Drops every cached key pair (and the secret copies with them).
    pub fn clear(&self) {
        let mut guard = Guard::acquire(self);
        guard.slots().slots = Default::default();
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
