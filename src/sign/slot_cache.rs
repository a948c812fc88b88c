//! A small cache of derived keys shared between threads, without `std`:
//! the machinery under [`SigningKeyCache`](super::SigningKeyCache) and,
//! with the `sigv4a` feature, `EcdsaKeyCache`.
//!
//! A fixed number of slots, each empty, being derived (its key known, its
//! value not yet), or ready. A hit copies what it needs out of a ready slot
//! under a reader count (readers never block readers). Reader counts are
//! striped over cache lines, one stripe per thread (by thread under `std`,
//! by stack address without it), so threads signing at once do not bounce
//! one counter's cache line between cores. A miss derives outside any lock,
//! once per key: the first thread to miss marks the slot as being derived,
//! others asking for the same key wait for that one derivation (for a
//! bounded time) rather than repeating it. The only exclusive sections
//! insert or replace a slot, so no caller waits for more than a derivation.
//!
//! Written by hand (an atomic reader-writer flag over an `UnsafeCell`)
//! because the core is `no_std` and the well-kept lock crates either need
//! `std` (`parking_lot`, `std::sync::RwLock`) or spin without a bound on the
//! critical section (`spin`); the one `unsafe` access is argued at
//! `impl Sync` and exercised from many threads in the tests of both caches.

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use alloc::boxed::Box;

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
enum Slot<K, V> {
    Empty,
    /// A thread is deriving the value for this key.
    Deriving(Box<K>),
    /// The derived value.
    Ready(Box<(K, V)>),
}

impl<K, V> Slot<K, V> {
    fn key(&self) -> Option<&K> {
        match self {
            Slot::Empty => None,
            Slot::Deriving(k) => Some(k),
            Slot::Ready(e) => Some(&e.0),
        }
    }
}

struct Slots<K, V, const N: usize> {
    slots: [Slot<K, V>; N],
    /// The slot the next new key goes into.
    next: usize,
}

impl<K, V, const N: usize> Slots<K, V, N> {
    fn find(&self, is: &impl Fn(&K) -> bool) -> Option<usize> {
        self.slots.iter().position(|s| s.key().is_some_and(is))
    }

    fn clear(&mut self) {
        for slot in &mut self.slots {
            *slot = Slot::Empty;
        }
    }
}

/// `N` slots of keys `K` and derived values `V`; see the [module docs](self).
pub(crate) struct SlotCache<K, V, const N: usize> {
    /// Threads reading `slots`, striped (their sum is the count).
    readers: [Stripe; STRIPES],
    /// Set while a thread holds `slots` exclusively (or waits for readers
    /// to leave before it does).
    writer: AtomicBool,
    /// Set by [`clear`](Self::clear): the next exclusive holder empties the
    /// slots, and readers do not trust them until then.
    clear_pending: AtomicBool,
    slots: UnsafeCell<Slots<K, V, N>>,
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
// it. Shared access hands out `&K` and `&V` to several threads at once
// (so both must be `Sync`), and values are created on one thread and
// dropped on another (so both must be `Send`).
#[allow(unsafe_code)]
unsafe impl<K: Send + Sync, V: Send + Sync, const N: usize> Sync for SlotCache<K, V, N> {}

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
struct Read<'a, K, V, const N: usize> {
    cache: &'a SlotCache<K, V, N>,
    stripe: &'a AtomicUsize,
}

impl<'a, K, V, const N: usize> Read<'a, K, V, N> {
    fn acquire(cache: &'a SlotCache<K, V, N>) -> Self {
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

    fn slots(&self) -> &Slots<K, V, N> {
        // SAFETY: see `impl Sync`: a `Read` guard excludes `Write` guards.
        #[allow(unsafe_code)]
        unsafe {
            &*self.cache.slots.get()
        }
    }
}

impl<K, V, const N: usize> Drop for Read<'_, K, V, N> {
    fn drop(&mut self) {
        self.stripe.fetch_sub(1, Ordering::Release);
    }
}

/// Exclusive access to the slots; empties them first when a clear is pending.
struct Write<'a, K, V, const N: usize>(&'a SlotCache<K, V, N>);

impl<'a, K, V, const N: usize> Write<'a, K, V, N> {
    /// Exclusive access if nobody else holds the slots at this moment.
    fn try_acquire(cache: &'a SlotCache<K, V, N>) -> Option<Self> {
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
    fn acquire(cache: &'a SlotCache<K, V, N>) -> Self {
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

    fn held(cache: &'a SlotCache<K, V, N>) -> Self {
        let mut held = Write(cache);
        if cache.clear_pending.swap(false, Ordering::AcqRel) {
            held.slots().clear();
        }
        held
    }

    fn slots(&mut self) -> &mut Slots<K, V, N> {
        // SAFETY: see `impl Sync`: a `Write` guard is the only guard.
        #[allow(unsafe_code)]
        unsafe {
            &mut *self.0.slots.get()
        }
    }
}

impl<K, V, const N: usize> Drop for Write<'_, K, V, N> {
    fn drop(&mut self) {
        if self.0.clear_pending.swap(false, Ordering::AcqRel) {
            self.slots().clear();
        }
        self.0.writer.store(false, Ordering::Release);
    }
}

/// A slot this thread marked "being derived": dropped before the value is
/// stored (an error, or a panic unwinding), it empties the slot again.
struct Claim<'a, K, V, const N: usize> {
    cache: &'a SlotCache<K, V, N>,
    is: &'a dyn Fn(&K) -> bool,
    /// False once the value is stored.
    armed: bool,
}

impl<K, V, const N: usize> Drop for Claim<'_, K, V, N> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let mut write = Write::acquire(self.cache);
        let slots = write.slots();
        if let Some(i) = slots
            .find(&self.is)
            .filter(|&i| matches!(slots.slots[i], Slot::Deriving(_)))
        {
            slots.slots[i] = Slot::Empty;
        }
    }
}

/// How long a thread waits for another one's derivation of the same key
/// before deriving the value itself (it never waits for more than this).
const MAX_WAIT_SPINS: u32 = 1 << 16;

impl<K, V, const N: usize> SlotCache<K, V, N> {
    /// An empty cache.
    pub(crate) const fn new() -> Self {
        SlotCache {
            readers: [const { Stripe(AtomicUsize::new(0)) }; STRIPES],
            writer: AtomicBool::new(false),
            clear_pending: AtomicBool::new(false),
            slots: UnsafeCell::new(Slots {
                slots: [const { Slot::Empty }; N],
                next: 0,
            }),
            misses: AtomicUsize::new(0),
        }
    }

    /// How many times a value had to be derived because the cache did not hold it.
    pub(crate) fn misses(&self) -> usize {
        self.misses.load(Ordering::Relaxed)
    }

    /// `f` of the value whose key `is` accepts. On a miss, `key` makes the
    /// key to remember and `derive` the value (outside any lock, once per
    /// key however many threads miss it at once); a derivation that fails
    /// caches nothing and its error is returned.
    pub(crate) fn with<T, E>(
        &self,
        is: impl Fn(&K) -> bool,
        key: impl Fn() -> K,
        derive: impl Fn() -> Result<V, E>,
        f: impl Fn(&V) -> T,
    ) -> Result<T, E> {
        let mut spins = 0;
        loop {
            {
                let read = Read::acquire(self);
                if !self.clear_pending.load(Ordering::Acquire) {
                    let slots = read.slots();
                    match slots.find(&is).map(|i| &slots.slots[i]) {
                        Some(Slot::Ready(e)) => return Ok(f(&e.1)),
                        Some(Slot::Deriving(_)) if spins < MAX_WAIT_SPINS => {
                            drop(read);
                            pause(&mut spins);
                            continue;
                        }
                        _ => {}
                    }
                }
            }
            // A miss (or a derivation that takes too long): claim the key.
            let mut write = Write::acquire(self);
            let slots = write.slots();
            match slots.find(&is) {
                Some(i) => match &slots.slots[i] {
                    Slot::Ready(e) => return Ok(f(&e.1)),
                    Slot::Deriving(_) if spins < MAX_WAIT_SPINS => {
                        drop(write);
                        pause(&mut spins);
                        continue;
                    }
                    // Waited long enough: derive without claiming.
                    _ => {
                        drop(write);
                        self.misses.fetch_add(1, Ordering::Relaxed);
                        return derive().map(|v| f(&v));
                    }
                },
                None => {
                    let i = slots.next;
                    slots.next = (i + 1) % N;
                    slots.slots[i] = Slot::Deriving(Box::new(key()));
                }
            }
            drop(write);
            self.misses.fetch_add(1, Ordering::Relaxed);
            // If `derive` or `f` panics, the claim is withdrawn (the slot
            // emptied) rather than left "being derived" for good.
            let mut claim = Claim {
                cache: self,
                is: &is,
                armed: true,
            };
            // An error drops the claim (the slot is emptied) on return.
            let v = derive()?;
            let out = f(&v);
            let mut write = Write::acquire(self);
            let slots = write.slots();
            if let Some(i) = slots
                .find(&is)
                .filter(|&i| matches!(slots.slots[i], Slot::Deriving(_)))
            {
                slots.slots[i] = Slot::Ready(Box::new((key(), v)));
            }
            drop(write);
            claim.armed = false;
            return Ok(out);
        }
    }

    /// Changes the cached value of the key `is` accepts, if it is ready.
    #[cfg(feature = "sigv4a")]
    pub(crate) fn update(&self, is: impl Fn(&K) -> bool, change: impl FnOnce(&mut V)) {
        let mut write = Write::acquire(self);
        let slots = write.slots();
        if let Some(i) = slots.find(&is) {
            if let Slot::Ready(e) = &mut slots.slots[i] {
                change(&mut e.1);
            }
        }
    }

    /// Drops every cached value (and the keys with them). When other
    /// threads are using the cache at that moment, the next thread to
    /// change it empties it, and no lookup that starts after `clear`
    /// returns uses a value cached before.
    pub(crate) fn clear(&self) {
        self.clear_pending.store(true, Ordering::Release);
        // Empties the slots now if nobody holds them.
        drop(Write::try_acquire(self));
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;
    use core::sync::atomic::AtomicU32;

    /// A derivation that panics leaves nothing behind: the next lookup
    /// derives (once) and caches again.
    #[test]
    fn a_panicking_derivation_withdraws_its_claim() {
        let cache: SlotCache<u32, u32, 2> = SlotCache::new();
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            cache.with(
                |k| *k == 7,
                || 7,
                || -> Result<u32, ()> { panic!("boom") },
                |v| *v,
            )
        }));
        assert!(panicked.is_err());
        let derivations = AtomicU32::new(0);
        let derive = || {
            derivations.fetch_add(1, Ordering::Relaxed);
            Ok::<u32, ()>(49)
        };
        for _ in 0..3 {
            assert_eq!(cache.with(|k| *k == 7, || 7, derive, |v| *v), Ok(49));
        }
        assert_eq!(derivations.load(Ordering::Relaxed), 1);
    }

    /// A failed derivation caches nothing and returns its error.
    #[test]
    fn a_failed_derivation_is_not_cached() {
        let cache: SlotCache<u32, u32, 2> = SlotCache::new();
        assert_eq!(
            cache.with(|k| *k == 1, || 1, || Err::<u32, &str>("no"), |v| *v),
            Err("no")
        );
        assert_eq!(
            cache.with(|k| *k == 1, || 1, || Ok::<u32, &str>(5), |v| *v),
            Ok(5)
        );
        assert_eq!(
            cache.with(|k| *k == 1, || 1, || Ok::<u32, &str>(6), |v| *v),
            Ok(5)
        );
        assert_eq!(cache.misses(), 2);
    }
}
