//! One-shot SHA-256 and HMAC-SHA256 from precomputed midstates, over the
//! `sha2` crate's compression function.
//!
//! Written here instead of going through `sha2::Sha256` and `hmac::Hmac`
//! for the signing hot path only: a signature hashes a few hundred bytes
//! once, and with a cached key HMAC-SHA256 is two compressions of the
//! message plus one. The `hmac` crate's keyed state carries two block
//! buffers (about 200 bytes) that are copied for every signature, and its
//! generic finalization adds more; the two midstates here are 64 bytes.
//! The compression itself (SHA-NI or the portable code) is `sha2`'s.
//!
//! The unit tests check both against `sha2` and `hmac` on every message
//! length across three blocks.

use sha2::digest::generic_array::GenericArray;
use zeroize::Zeroize;

/// SHA-256's initial state.
const IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

#[inline]
fn compress(state: &mut [u32; 8], block: &[u8]) {
    sha2::compress256(
        state,
        core::slice::from_ref(GenericArray::from_slice(block)),
    );
}

/// Hashes `msg` into `state`, which has already absorbed `prefix` bytes (a
/// whole number of blocks), pads, and returns the digest.
fn finish(mut state: [u32; 8], prefix: u64, msg: &[u8]) -> [u8; 32] {
    let mut blocks = msg.chunks_exact(64);
    for block in &mut blocks {
        compress(&mut state, block);
    }
    let rest = blocks.remainder();
    let bits = (prefix + msg.len() as u64).wrapping_mul(8);
    let mut tail = [0u8; 128];
    tail[..rest.len()].copy_from_slice(rest);
    tail[rest.len()] = 0x80;
    let n = if rest.len() < 56 { 64 } else { 128 };
    tail[n - 8..n].copy_from_slice(&bits.to_be_bytes());
    for block in tail[..n].chunks_exact(64) {
        compress(&mut state, block);
    }
    let mut out = [0u8; 32];
    for (dst, word) in out.chunks_exact_mut(4).zip(state) {
        dst.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// SHA-256 of `msg`.
pub(crate) fn sha256(msg: &[u8]) -> [u8; 32] {
    finish(IV, 0, msg)
}

/// SHA-256 of a message that is still being written: [`absorb`](Self::absorb)
/// hashes the whole blocks written so far, so that the compressions overlap
/// with writing the rest, and [`finish`](Self::finish) the remainder.
pub(crate) struct Streaming {
    state: [u32; 8],
    done: usize,
}

impl Streaming {
    pub(crate) fn new() -> Self {
        Streaming { state: IV, done: 0 }
    }

    /// Compresses the whole blocks of `msg` (the message so far) not yet hashed.
    #[inline]
    pub(crate) fn absorb(&mut self, msg: &[u8]) {
        while let Some(block) = msg.get(self.done..self.done + 64) {
            compress(&mut self.state, block);
            self.done += 64;
        }
    }

    /// The digest of `msg`, the whole message (its start as absorbed).
    pub(crate) fn finish(self, msg: &[u8]) -> [u8; 32] {
        finish(
            self.state,
            self.done as u64,
            msg.get(self.done..).unwrap_or(&[]),
        )
    }
}

/// An HMAC-SHA256 key as the states after its inner and outer pad blocks.
/// As secret as the key; zeroized on drop.
#[derive(Clone)]
pub(crate) struct HmacKey {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl HmacKey {
    /// The midstates of a 32-byte key.
    pub(crate) fn new(key: &[u8; 32]) -> Self {
        let mut block = [0x36u8; 64];
        for (b, k) in block.iter_mut().zip(key) {
            *b ^= k;
        }
        let mut inner = IV;
        compress(&mut inner, &block);
        for b in block.iter_mut() {
            *b ^= 0x36 ^ 0x5c;
        }
        let mut outer = IV;
        compress(&mut outer, &block);
        block.zeroize();
        HmacKey { inner, outer }
    }

    /// HMAC-SHA256 of `msg`.
    pub(crate) fn sign(&self, msg: &[u8]) -> [u8; 32] {
        let inner = finish(self.inner, 64, msg);
        finish(self.outer, 64, &inner)
    }

    /// The inner hash's state after the message's first block.
    pub(crate) fn after_first_block(&self, block: &[u8; 64]) -> [u32; 8] {
        let mut state = self.inner;
        compress(&mut state, block);
        state
    }

    /// HMAC-SHA256 of a message whose first block took the inner hash to
    /// `state` ([`after_first_block`](Self::after_first_block)); `rest` is
    /// the message after that block.
    pub(crate) fn sign_rest(&self, state: &[u32; 8], rest: &[u8]) -> [u8; 32] {
        let inner = finish(*state, 128, rest);
        finish(self.outer, 64, &inner)
    }
}

impl Drop for HmacKey {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use hmac::Mac;
    use sha2::Digest;

    #[test]
    fn sha256_matches_sha2_at_every_length() {
        let data: Vec<u8> = (0..200u32).map(|i| (i * 7 + 3) as u8).collect();
        for len in 0..=data.len() {
            let want: [u8; 32] = sha2::Sha256::digest(&data[..len]).into();
            assert_eq!(sha256(&data[..len]), want, "length {len}");
        }
    }

    /// Absorbing the message so far at any points gives the one-shot digest.
    #[test]
    fn streaming_matches_sha256_wherever_it_absorbs() {
        let data: Vec<u8> = (0..200u32).map(|i| (i * 11 + 5) as u8).collect();
        for len in 0..=data.len() {
            for at in (0..=len).step_by(7).chain([len]) {
                let mut h = Streaming::new();
                h.absorb(&data[..at]);
                h.absorb(&data[..at]);
                h.absorb(&data[..(at + 64).min(len)]);
                assert_eq!(h.finish(&data[..len]), sha256(&data[..len]), "{len} {at}");
            }
        }
    }

    #[test]
    fn hmac_matches_the_hmac_crate_at_every_length() {
        let key: [u8; 32] = core::array::from_fn(|i| (i as u8).wrapping_mul(29));
        let ours = HmacKey::new(&key);
        let data: Vec<u8> = (0..200u32).map(|i| (i * 13 + 1) as u8).collect();
        for len in 0..=data.len() {
            let mut mac = crate::sign::key::HmacSha256::new_from_slice(&key).unwrap();
            mac.update(&data[..len]);
            let want: [u8; 32] = mac.finalize().into_bytes().into();
            assert_eq!(ours.sign(&data[..len]), want, "length {len}");
            if let Some((first, rest)) = data[..len].split_first_chunk::<64>() {
                let state = ours.after_first_block(first);
                assert_eq!(ours.sign_rest(&state, rest), want, "length {len}, in two");
            }
        }
    }
}
