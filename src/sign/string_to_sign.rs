//! The string to sign: algorithm, time, scope and the canonical request's hash.
//!
//! ```text
//! AWS4-HMAC-SHA256
//! {x-amz-date}
//! {YYYYMMDD}/{region}/{service}/aws4_request
//! {hex sha256(canonical request)}
//! ```

use super::{Scope, ALGORITHM};
use alloc::string::String;
use alloc::vec::Vec;

/// Feeds the string to sign to `sink` piece by piece (no allocation):
/// `AWS4-HMAC-SHA256\n{amz date}\n{scope}\n{hex sha256(canonical request)}`.
pub fn feed_string_to_sign(
    sink: &mut impl FnMut(&[u8]),
    scope: &Scope<'_>,
    creq_hash_hex: &[u8; 64],
) {
    let amz = scope.date.amz_bytes();
    sink(ALGORITHM.as_bytes());
    sink(b"\n");
    sink(amz);
    sink(b"\n");
    sink(&amz[..8]);
    sink(b"/");
    sink(scope.region.as_bytes());
    sink(b"/");
    sink(scope.service.as_bytes());
    sink(b"/aws4_request\n");
    sink(creq_hash_hex);
}

/// The string to sign as text.
pub fn string_to_sign(scope: &Scope<'_>, creq_hash_hex: &[u8; 64]) -> String {
    let mut v = Vec::with_capacity(64 + 16 + scope.len() + 20);
    feed_string_to_sign(&mut |b| v.extend_from_slice(b), scope, creq_hash_hex);
    String::from_utf8(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::SigningTime;

    #[test]
    fn string_to_sign_layout() {
        let t = SigningTime::parse_amz_date("20150830T123600Z").unwrap();
        let s = Scope {
            date: t,
            region: "us-east-1",
            service: "iam",
        };
        let h = *b"f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59";
        assert_eq!(
            string_to_sign(&s, &h),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n\
             f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
        );
    }
}
