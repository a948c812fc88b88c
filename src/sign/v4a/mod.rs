//! SigV4a: AWS Signature Version 4 with ECDSA P-256, one signature for a
//! set of regions (feature `sigv4a`, `no_std` + `alloc` like the rest of
//! the core).
//!
//! What differs from SigV4, one file each:
//!
//! | step | file |
//! | --- | --- |
//! | the key pair, derived from access key id and secret | [`key`] |
//! | the key pair cache (process-wide by default) | [`key_cache`] |
//! | parameters: a region set instead of a region | [`params`] |
//! | region-less scope, string to sign | [`string_to_sign`] |
//! | header signing (`x-amz-region-set` signed) | [`header_signing`] ([`sign_headers`]) |
//! | presigning (`X-Amz-Region-Set` in the query) | [`presign`](mod@presign) ([`presign()`]) |
//! | aws-chunked chunk and trailer signatures | [`chunked`] ([`chunked::ChunkSigner`]) |
//!
//! The canonical request is SigV4's, built by the same code (and so the
//! same service rules: S3's single encoding without normalization and its
//! `x-amz-content-sha256` come from [`SigningSettings`](crate::sign::SigningSettings)),
//! with `x-amz-region-set` among the signed headers. The algorithm is
//! `AWS4-ECDSA-P256-SHA256`, the scope `YYYYMMDD/service/aws4_request`, and
//! the signature the DER-encoded ECDSA-SHA256 signature of the string to
//! sign, in hex. Signatures here are deterministic (RFC 6979); AWS accepts
//! any valid ECDSA signature. Verification is in
//! [`verify`](crate::sign::verify()), which recognizes SigV4a requests.
//!
//! Session tokens are signed (or appended after signing) as in SigV4.
//!
//! The private key is derived once per access key and secret and kept in
//! [`EcdsaKeyCache`] (process-wide by default, `no_std`); signing needs
//! no public key, so the scalar multiplication for it is done only when a
//! verifier or [`SigningParams::public_key`] asks, and then once.
//!
//! **aws-chunked bodies** are signed with SigV4a too ([`chunked`]): the
//! derivation does not depend on the request, and the chunk rules are
//! SigV4's with the `AWS4-ECDSA-P256-SHA256-PAYLOAD` /
//! `-TRAILER` strings to sign, the region-less scope, the seed request's
//! payload `STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD` (or `-TRAILER`), and
//! each chunk signature right-padded with `*` to 144 characters in the
//! body (unpadded when chained), as AWS's CRT (aws-c-auth) signs them.
//!
//! ```
//! use sigv4::sign::v4a::{sign_headers, SigningParams};
//! use sigv4::sign::{verify, Payload, SignableRequest, SigningTime, VerifyOptions};
//! use sigv4::Credentials;
//!
//! let credentials = Credentials::new("AKIDEXAMPLE", "secret");
//! let now = SigningTime::parse_amz_date("20150830T123600Z")?;
//! let params = SigningParams::new(&credentials, "us-east-1,eu-west-1", "s3", now);
//! let req = SignableRequest::new("GET", "https://example.s3.amazonaws.com/key")?
//!     .payload(Payload::Unsigned);
//! let signed = sign_headers(&req, &params)?;
//!
//! // A server in eu-west-1 accepts it; one in ap-south-1 does not.
//! let received = req.clone().headers(signed.headers());
//! let lookup = |key: &str| (key == "AKIDEXAMPLE").then_some("secret");
//! assert!(verify(&received, lookup, &VerifyOptions::new(now).expect_region("eu-west-1")).is_ok());
//! assert!(verify(&received, lookup, &VerifyOptions::new(now).expect_region("ap-south-1")).is_err());
//! # Ok::<(), sigv4::sign::Error>(())
//! ```

pub mod chunked;
pub mod header_signing;
pub mod key;
pub mod key_cache;
pub mod params;
pub mod presign;
pub mod string_to_sign;

pub use header_signing::{sign_headers, HeaderSignature};
pub use key::{EcdsaKey, PublicKey};
pub use key_cache::EcdsaKeyCache;
pub use params::{is_valid_region_set, region_set_contains, SigningParams};
pub use presign::{presign, PresignedQuery};
pub use string_to_sign::{Scope, SigningDetails};

/// The SigV4a signature algorithm name.
pub const ALGORITHM: &str = "AWS4-ECDSA-P256-SHA256";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::{Credentials, Payload, SignableRequest, SigningTime};
    use alloc::format;

    /// No secret, private key or session token in any `Debug` output.
    #[test]
    fn debug_output_never_shows_secrets() {
        let credentials =
            Credentials::new("AKIDDEBUG", "SECRETVALUE").with_session_token("TOKENVALUE");
        let time = SigningTime::parse_amz_date("20150830T123600Z").unwrap();
        let cache = EcdsaKeyCache::new();
        let params = SigningParams::new(&credentials, "*", "s3", time).with_key_cache(&cache);
        let req = SignableRequest::new("GET", "https://b.s3.amazonaws.com/k")
            .unwrap()
            .payload(Payload::Unsigned);
        let signed = sign_headers(&req, &params).unwrap();
        let url = presign(&req, &params, core::time::Duration::from_secs(60)).unwrap();
        let key = params.key().unwrap().with_public_key();
        let private_hex = hex::encode(key.scalar.to_bytes());
        for shown in [
            format!("{params:?}"),
            format!("{signed:?}"),
            format!("{:?}", &*signed),
            format!("{url:?}"),
            format!("{key:#?}"),
            format!("{cache:?}"),
        ] {
            assert!(!shown.contains("SECRETVALUE"), "{shown}");
            assert!(!shown.contains("TOKENVALUE"), "{shown}");
            assert!(!shown.contains(&private_hex), "{shown}");
        }
        // The public key is computed once per access key, through the cache.
        assert_eq!(cache.misses(), 1);
        assert_eq!(params.public_key().unwrap(), key.public_key());
        assert!(cache
            .get("AKIDDEBUG", "SECRETVALUE")
            .unwrap()
            .has_public_key());
        assert_eq!(cache.misses(), 1);
    }
}
