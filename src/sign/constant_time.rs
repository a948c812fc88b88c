//! Constant-time comparison of secrets and signatures.
//!
//! Eight bytes at a time with `subtle` deciding on the folded difference:
//! the same guarantee as `subtle`'s byte-wise `ct_eq` (no early exit, no
//! branch on the data), at an eighth of the loop iterations.

/// Constant-time equality of two byte strings (unequal lengths compare
/// unequal at once: a length is not hidden).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (a8, a_rest) = a.as_chunks::<8>();
    let (b8, b_rest) = b.as_chunks::<8>();
    let mut diff = 0u64;
    for (x, y) in a8.iter().zip(b8) {
        diff |= u64::from_ne_bytes(*x) ^ u64::from_ne_bytes(*y);
    }
    for (x, y) in a_rest.iter().zip(b_rest) {
        diff |= u64::from(x ^ y);
    }
    bool::from(subtle::ConstantTimeEq::ct_eq(&diff, &0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn ct_eq_finds_every_difference() {
        for len in 0..=24usize {
            let a: Vec<u8> = (0..len as u8).map(|i| i.wrapping_mul(37)).collect();
            assert!(ct_eq(&a, &a.clone()));
            for i in 0..len {
                for bit in [0x01, 0x80] {
                    let mut b = a.clone();
                    b[i] ^= bit;
                    assert!(!ct_eq(&a, &b), "len {len}, byte {i}");
                }
            }
            if len > 0 {
                assert!(!ct_eq(&a, &a[..len - 1]));
            }
        }
    }
}
