//! The HMAC's inner state after the string to sign's first block,
//! remembered per signing key for the signing second.
//!
//! A string to sign starts `AWS4-HMAC-SHA256\n{x-amz-date}\n{scope}\n`
//! and ends with the canonical request's hash. When that start is at
//! least 64 bytes (a scope of 29 bytes or more: `us-east-1` and `s3`
//! already make 34), the first SHA-256 block of the HMAC's inner hash is
//! the same for every signature made with one key in one second. A
//! [`SigningKeyCache`](super::SigningKeyCache) entry keeps the state after
//! that block, keyed by the block's bytes, so a signature in the same
//! second compresses one block fewer (of the eight an S3 GET needs).
//!
//! Shared between threads without a lock a signer could wait on: a
//! sequence counter (a seqlock). A reader copies the block and state and
//! keeps the copy only when the counter was even and unchanged around the
//! copy; a writer takes the counter to odd with a compare-and-swap, and
//! when another writer holds it simply does not store. A reader that sees
//! a write in progress computes the block itself. Every field is an
//! atomic, so a torn read is detected, never undefined; and the memo is
//! keyed by all 64 bytes of the block, so a state is only ever used for
//! the block it was computed from.
//!
//! Written by hand rather than with a seqlock crate: a seqlock over plain
//! memory reads it while a writer may be storing (`unsafe`, racy reads
//! made sound by the counter); with every field an atomic this one needs
//! no `unsafe`, and the value is small (96 bytes) and `no_std`.

use core::sync::atomic::{fence, AtomicU32, Ordering};

/// The block and the state after it, behind a sequence counter.
pub(crate) struct FirstBlock {
    /// Even: stable; odd: a writer is storing; zero: nothing stored.
    seq: AtomicU32,
    block: [AtomicU32; 16],
    state: [AtomicU32; 8],
}

impl FirstBlock {
    /// Nothing remembered (a counter of zero: nothing stored yet).
    pub(crate) const fn new() -> Self {
        FirstBlock {
            seq: AtomicU32::new(0),
            block: [const { AtomicU32::new(0) }; 16],
            state: [const { AtomicU32::new(0) }; 8],
        }
    }

    /// The state remembered for `block`, if it is the one remembered and
    /// no write was in progress.
    #[inline]
    pub(crate) fn get(&self, block: &[u8; 64]) -> Option<[u32; 8]> {
        let before = self.seq.load(Ordering::Acquire);
        if before & 1 != 0 || before == 0 {
            return None;
        }
        let mut same = true;
        for (slot, word) in self.block.iter().zip(block.chunks_exact(4)) {
            same &= slot.load(Ordering::Relaxed) == word_of(word);
        }
        let state: [u32; 8] = core::array::from_fn(|i| self.state[i].load(Ordering::Relaxed));
        // The loads above happen before the counter is read again.
        fence(Ordering::Acquire);
        let after = self.seq.load(Ordering::Relaxed);
        (same && before == after).then_some(state)
    }

    /// Remembers `state` as the state after `block`, unless another
    /// thread is storing at this moment (then its value wins).
    pub(crate) fn put(&self, block: &[u8; 64], state: &[u32; 8]) {
        let seq = self.seq.load(Ordering::Relaxed);
        if seq & 1 != 0
            || self
                .seq
                .compare_exchange(
                    seq,
                    seq.wrapping_add(1),
                    Ordering::Acquire,
                    Ordering::Relaxed,
                )
                .is_err()
        {
            return;
        }
        // The odd counter is visible before any of the stores below.
        fence(Ordering::Release);
        for (slot, word) in self.block.iter().zip(block.chunks_exact(4)) {
            slot.store(word_of(word), Ordering::Relaxed);
        }
        for (slot, &w) in self.state.iter().zip(state) {
            slot.store(w, Ordering::Relaxed);
        }
        self.seq.store(seq.wrapping_add(2), Ordering::Release);
    }
}

impl Drop for FirstBlock {
    /// The state is as secret as the key it came from.
    fn drop(&mut self) {
        for slot in self.state.iter_mut().chain(self.block.iter_mut()) {
            *slot.get_mut() = 0;
        }
    }
}

#[inline(always)]
fn word_of(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_one_block_at_a_time() {
        let memo = FirstBlock::new();
        let a = [b'a'; 64];
        let mut b = a;
        b[63] = b'b';
        assert_eq!(memo.get(&a), None);
        // The empty memo's all-zero block is not remembered either.
        assert_eq!(memo.get(&[0; 64]), None);
        memo.put(&a, &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(memo.get(&a), Some([1, 2, 3, 4, 5, 6, 7, 8]));
        // A block differing in its last byte is not the one remembered.
        assert_eq!(memo.get(&b), None);
        memo.put(&b, &[9; 8]);
        assert_eq!(memo.get(&b), Some([9; 8]));
        assert_eq!(memo.get(&a), None);
    }

    /// Threads storing and reading two blocks whose states are their
    /// blocks' own bytes: a read that returns a state returns the one of
    /// the block asked for, however the writes interleave.
    #[cfg(feature = "std")]
    #[test]
    fn concurrent_reads_never_mix_two_writes() {
        let memo = FirstBlock::new();
        let blocks: [[u8; 64]; 2] = [[0x11; 64], [0x22; 64]];
        let state_of = |b: &[u8; 64]| [u32::from(b[0]); 8];
        let hits = AtomicU32::new(0);
        std::thread::scope(|s| {
            for t in 0..4 {
                let (memo, hits) = (&memo, &hits);
                s.spawn(move || {
                    for i in 0..20_000 {
                        // Each block twice in a row: the second read hits
                        // unless another thread stored in between.
                        let b = &blocks[(i / 2 + t) % 2];
                        match memo.get(b) {
                            Some(state) => {
                                assert_eq!(state, state_of(b));
                                hits.fetch_add(1, Ordering::Relaxed);
                            }
                            None => memo.put(b, &state_of(b)),
                        }
                    }
                });
            }
        });
        assert!(hits.load(Ordering::Relaxed) > 0);
    }
}
