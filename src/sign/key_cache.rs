//! The signing-key cache: derived keys (and HMAC states already keyed with
//! them) reused across signatures, shared between threads, without `std`.
//!
//! A hit costs one copy of a keyed HMAC state under a reader count (no
//! waiting: readers never block readers). Reader counts are striped over
//! cache lines, one stripe per thread (by thread under `std`, by stack
//! address without it), so threads signing at once do not bounce one
//! counter's cache line between cores. A miss derives the key outside
//! any lock, once per scope: the first thread to miss marks the slot as
//! being derived, and others asking for the same scope wait for that one
//! derivation rather than repeating it. The only exclusive section is the
//! insertion of a slot (a few dozen bytes copied), so no signer waits for
//! more than a key derivation.
//!
//! [`SigningKeyCache::global`] is the process-wide cache that
//! [`SigningParams`](super::SigningParams) uses unless told otherwise, so
//! signing is fast by default.
//!
//! Written by hand (an atomic reader-writer flag over an `UnsafeCell`)
//! because the core is `no_std` and the well-kept lock crates either need
//! `std` (`parking_lot`, `std::sync::RwLock`) or spin without a bound on the
//! critical section (`spin`); the one `unsafe` access is argued at
//! `impl Sync` and exercised from many threads in the tests.

use core::cell::UnsafeCell;
use core::fmt;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use zeroize::Zeroizing;

use super::constant_time::ct_eq;
use super::key::SigningKey;
use super::sha256::HmacKey;

/// How many reader counters a cache has.
const STRIPES: usize = 16;

/// One reader counter, alone on its cache line.
#[repr(align(64))]
struct Stripe(AtomicUsize);

/// The stripe the current thread counts itself in.
fn stripe_index() -> usize {
    #[cfg(feature = "std")]
    {
        use core::cell::Cell;
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        std::thread_local! {
            static INDEX: Cell<usize> = const { Cell::new(usize::MAX) };
        }
        INDEX.with(|i| {
            if i.get() == usize::MAX {
                i.set(NEXT.fetch_add(1, Ordering::Relaxed) % STRIPES);
            }
            i.get()
        })
    }
    #[cfg(not(feature = "std"))]
    {
        // Threads' stacks lie megabytes apart: hash the MiB the stack is in.
        let here = 0u8;
        let mib = (&here as *const u8 as usize) >> 20;
        mib.wrapping_mul(0x9E37_79B9) % STRIPES
    }
}

/// What a slot holds.
#[derive(Default)]
enum Slot {
    #[default]
    Empty,
    /// A thread is deriving the key for this scope.
    Deriving(Box<Scope>),
    /// The derived key.
    Ready(Box<Entry>),
}

struct Scope {
    secret: Zeroizing<Vec<u8>>,
    date: [u8; 8],
    region: String,
    service: String,
}

impl Scope {
    fn matches(&self, secret: &str, date: &str, region: &str, service: &str) -> bool {
        self.date.as_slice() == date.as_bytes()
            && self.region == region
            && self.service == service
            && ct_eq(&self.secret, secret.as_bytes())
    }
}

struct Entry {
    scope: Scope,
    key: SigningKey,
    hmac: HmacKey,
}

impl Slot {
    fn scope(&self) -> Option<&Scope> {
        match self {
            Slot::Empty => None,
            Slot::Deriving(s) => Some(s),
            Slot::Ready(e) => Some(&e.scope),
        }
    }
}

struct Slots {
    slots: [Slot; SigningKeyCache::SLOTS],
    /// The slot the next new scope goes into.
    next: usize,
}

impl Slots {
    fn find(&self, secret: &str, date: &str, region: &str, service: &str) -> Option<usize> {
        self.slots.iter().position(|s| {
            s.scope()
                .is_some_and(|s| s.matches(secret, date, region, service))
        })
    }

    fn clear(&mut self) {
        self.slots = Default::default();
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
    /// Threads reading `slots`, striped (their sum is the count).
    readers: [Stripe; STRIPES],
    /// Set while a thread holds `slots` exclusively (or waits for readers
    /// to leave before it does).
    writer: AtomicBool,
    /// Set by [`clear`](Self::clear): the next exclusive holder empties the
    /// slots, and readers do not trust them until then.
    clear_pending: AtomicBool,
    slots: UnsafeCell<Slots>,
    misses: AtomicUsize,
}

// SAFETY: `slots` is only accessed through a `Read` guard (shared access)
// or a `Write` guard (exclusive access), and the two never coexist: a
// reader adds itself to its stripe and then checks `writer`; a writer sets
// `writer` and then waits until every stripe is zero. All four operations
// are SeqCst, so of a reader and a writer racing, at least one sees the
// other (the reader backs out, or the writer waits). A `Write` guard
// releases `writer` with Release and readers load it with SeqCst
// (Acquire); readers leave with Release and the writer loads the stripes
// with SeqCst: every access happens-after the conflicting ones before
// it. The contents (boxes of strings, byte arrays and HMAC midstates) are
// `Send` and `Sync`.
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

/// Waits a moment in a spin loop (yielding the thread under `std`, where
/// another thread may need the core to finish its short section).
fn pause(spins: &mut u32) {
    *spins += 1;
    if (*spins).is_multiple_of(64) {
        #[cfg(feature = "std")]
        std::thread::yield_now();
    }
    core::hint::spin_loop();
}

/// Shared access to the slots.
struct Read<'a> {
    cache: &'a SigningKeyCache,
    stripe: &'a AtomicUsize,
}

impl<'a> Read<'a> {
    fn acquire(cache: &'a SigningKeyCache) -> Self {
        let stripe = &cache.readers[stripe_index()].0;
        let mut spins = 0;
        loop {
            stripe.fetch_add(1, Ordering::SeqCst);
            if !cache.writer.load(Ordering::SeqCst) {
                return Read { cache, stripe };
            }
            stripe.fetch_sub(1, Ordering::Release);
            while cache.writer.load(Ordering::Relaxed) {
                pause(&mut spins);
            }
        }
    }

    fn slots(&self) -> &Slots {
        // SAFETY: see `impl Sync`: a `Read` guard excludes `Write` guards.
        #[allow(unsafe_code)]
        unsafe {
            &*self.cache.slots.get()
        }
    }
}

impl Drop for Read<'_> {
    fn drop(&mut self) {
        self.stripe.fetch_sub(1, Ordering::Release);
    }
}

/// Exclusive access to the slots; empties them first when a clear is pending.
struct Write<'a>(&'a SigningKeyCache);

impl<'a> Write<'a> {
    /// Exclusive access if nobody else holds the slots at this moment.
    fn try_acquire(cache: &'a SigningKeyCache) -> Option<Self> {
        cache
            .writer
            .compare_exchange(false, true, Ordering::SeqCst, Ordering::Relaxed)
            .ok()?;
        if cache
            .readers
            .iter()
            .any(|r| r.0.load(Ordering::SeqCst) != 0)
        {
            cache.writer.store(false, Ordering::Release);
            return None;
        }
        Some(Self::held(cache))
    }

    /// Exclusive access, waiting for other writers and for the readers
    /// inside (they hold the slots for a copy and a comparison).
    fn acquire(cache: &'a SigningKeyCache) -> Self {
        let mut spins = 0;
        while cache
            .writer
            .compare_exchange_weak(false, true, Ordering::SeqCst, Ordering::Relaxed)
            .is_err()
        {
            pause(&mut spins);
        }
        for stripe in &cache.readers {
            while stripe.0.load(Ordering::SeqCst) != 0 {
                pause(&mut spins);
            }
        }
        Self::held(cache)
    }

    fn held(cache: &'a SigningKeyCache) -> Self {
        let mut held = Write(cache);
        if cache.clear_pending.swap(false, Ordering::AcqRel) {
            held.slots().clear();
        }
        held
    }

    fn slots(&mut self) -> &mut Slots {
        // SAFETY: see `impl Sync`: a `Write` guard is the only guard.
        #[allow(unsafe_code)]
        unsafe {
            &mut *self.0.slots.get()
        }
    }
}

impl Drop for Write<'_> {
    fn drop(&mut self) {
        if self.0.clear_pending.swap(false, Ordering::AcqRel) {
            self.slots().clear();
        }
        self.0.writer.store(false, Ordering::Release);
    }
}

/// How long a thread waits for another one's derivation of the same scope
/// before deriving the key itself (it never waits for more than this).
const MAX_WAIT_SPINS: u32 = 1 << 16;

static GLOBAL: SigningKeyCache = SigningKeyCache::new();

impl SigningKeyCache {
    /// How many scopes the cache holds.
    pub const SLOTS: usize = 4;

    /// An empty cache.
    pub const fn new() -> Self {
        SigningKeyCache {
            readers: [const { Stripe(AtomicUsize::new(0)) }; STRIPES],
            writer: AtomicBool::new(false),
            clear_pending: AtomicBool::new(false),
            slots: UnsafeCell::new(Slots {
                slots: [Slot::Empty, Slot::Empty, Slot::Empty, Slot::Empty],
                next: 0,
            }),
            misses: AtomicUsize::new(0),
        }
    }

    /// The process-wide cache that signing uses when no other cache (or
    /// none at all) is configured on the [`SigningParams`](super::SigningParams).
    pub fn global() -> &'static SigningKeyCache {
        &GLOBAL
    }

    /// How many times a key had to be derived because the cache did not hold it.
    pub fn misses(&self) -> usize {
        self.misses.load(Ordering::Relaxed)
    }

    /// The signing key for these inputs, derived only when not cached.
    pub fn get(&self, secret: &str, date_stamp: &str, region: &str, service: &str) -> SigningKey {
        self.with_entry(secret, date_stamp, region, service, |e| e.key.clone())
    }

    /// The key's HMAC midstates for these inputs (cheaper to copy than to key).
    pub(crate) fn hmac_key(
        &self,
        secret: &str,
        date_stamp: &str,
        region: &str,
        service: &str,
    ) -> HmacKey {
        self.with_entry(secret, date_stamp, region, service, |e| e.hmac.clone())
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
            return f(&derive(secret, date, region, service));
        }
        let mut spins = 0;
        loop {
            {
                let read = Read::acquire(self);
                if !self.clear_pending.load(Ordering::Acquire) {
                    let slots = read.slots();
                    match slots
                        .find(secret, date, region, service)
                        .map(|i| &slots.slots[i])
                    {
                        Some(Slot::Ready(e)) => return f(e),
                        Some(Slot::Deriving(_)) if spins < MAX_WAIT_SPINS => {
                            drop(read);
                            pause(&mut spins);
                            continue;
                        }
                        _ => {}
                    }
                }
            }
            // A miss (or a derivation that takes too long): claim the scope.
            let mut write = Write::acquire(self);
            let slots = write.slots();
            match slots.find(secret, date, region, service) {
                Some(i) => match &slots.slots[i] {
                    Slot::Ready(e) => return f(e),
                    Slot::Deriving(_) if spins < MAX_WAIT_SPINS => {
                        drop(write);
                        pause(&mut spins);
                        continue;
                    }
                    // Waited long enough: derive without claiming.
                    _ => {
                        drop(write);
                        return f(&derive(secret, date, region, service));
                    }
                },
                None => {
                    let i = slots.next;
                    slots.next = (i + 1) % Self::SLOTS;
                    slots.slots[i] = Slot::Deriving(Box::new(scope(secret, date, region, service)));
                }
            }
            drop(write);
            self.misses.fetch_add(1, Ordering::Relaxed);
            let entry = derive(secret, date, region, service);
            let out = f(&entry);
            let mut write = Write::acquire(self);
            let slots = write.slots();
            let claimed = slots.find(secret, date, region, service);
            if let Some(i) = claimed.filter(|&i| matches!(slots.slots[i], Slot::Deriving(_))) {
                slots.slots[i] = Slot::Ready(Box::new(entry));
            }
            return out;
        }
    }

    /// Drops every cached key (and the secret copies with them). When other
    /// threads are using the cache at that moment, the next thread to
    /// change it empties it, and no lookup that starts after `clear`
    /// returns uses a key cached before.
    pub fn clear(&self) {
        self.clear_pending.store(true, Ordering::Release);
        // Empties the slots now if nobody holds them.
        drop(Write::try_acquire(self));
    }
}

fn scope(secret: &str, date: &str, region: &str, service: &str) -> Scope {
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

fn derive(secret: &str, date: &str, region: &str, service: &str) -> Entry {
    let key = SigningKey::derive(secret, date, region, service);
    Entry {
        scope: scope(secret, date, region, service),
        hmac: key.hmac_key(),
        key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
