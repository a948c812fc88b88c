//! SHA-256 and HMAC-SHA256 straight from `sha2`'s compression function: the
//! least hashing a signature can do (what the floor's second line measures).

use sha2::digest::generic_array::GenericArray;

const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

fn digest(mut state: [u32; 8], prefix: u64, msg: &[u8]) -> [u8; 32] {
    let blocks = msg.len() / 64;
    for b in msg[..blocks * 64].chunks_exact(64) {
        sha2::compress256(&mut state, &[*GenericArray::from_slice(b)]);
    }
    let rest = &msg[blocks * 64..];
    let mut tail = [0u8; 128];
    tail[..rest.len()].copy_from_slice(rest);
    tail[rest.len()] = 0x80;
    let n = if rest.len() < 56 { 64 } else { 128 };
    tail[n - 8..n].copy_from_slice(&((prefix + msg.len() as u64) * 8).to_be_bytes());
    for b in tail[..n].chunks_exact(64) {
        sha2::compress256(&mut state, &[*GenericArray::from_slice(b)]);
    }
    let mut out = [0u8; 32];
    for (o, w) in out.chunks_exact_mut(4).zip(state) {
        o.copy_from_slice(&w.to_be_bytes());
    }
    out
}

pub fn sha256(msg: &[u8]) -> [u8; 32] {
    digest(IV, 0, msg)
}

pub fn midstates(key: &[u8; 32]) -> ([u32; 8], [u32; 8]) {
    let pad = |x: u8| {
        let mut block = [x; 64];
        for (b, k) in block.iter_mut().zip(key) {
            *b ^= k;
        }
        let mut state = IV;
        sha2::compress256(&mut state, &[*GenericArray::from_slice(&block)]);
        state
    };
    (pad(0x36), pad(0x5c))
}

pub fn hmac(mid: &([u32; 8], [u32; 8]), msg: &[u8]) -> [u8; 32] {
    digest(mid.1, 64, &digest(mid.0, 64, msg))
}
