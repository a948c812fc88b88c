//! S3's flexible checksums: `x-amz-checksum-{crc32,crc32c,crc64nvme,sha1,sha256}`
//! (feature `std`; no allocation).
//!
//! A checksum value is the base64 of the big-endian digest: 4 bytes for
//! CRC-32 and CRC-32C, 8 for CRC-64/NVME, 20 for SHA-1, 32 for SHA-256.
//! An upload carries it either as a header (`x-amz-checksum-crc32: NSRBwg==`,
//! computed before sending) or as an aws-chunked trailer
//! ([`chunked`](super::chunked), computed while streaming), and names the
//! algorithm in `x-amz-sdk-checksum-algorithm` (`CRC32`, `CRC32C`,
//! `CRC64NVME`, `SHA1`, `SHA256`), as the AWS SDKs do.
//!
//! The digests come from crates, not from code of ours: `crc-fast` (SIMD
//! CRC-32, CRC-32C and CRC-64/NVME; what the AWS Rust SDK and s3s use),
//! `sha1` and `sha2` (RustCrypto); `base64` encodes. This module only names
//! the algorithms and keeps the fixed-size results. The code here needs no
//! `std`, but crc-fast 1.10 does not build without its `std` feature on
//! x86_64 (its AVX-512 code imports `std::arch`), so the module is under
//! `std` rather than in the `no_std` core.
//!
//! ```
//! use sigv4::sign::checksum::{Checksum, ChecksumAlgorithm};
//!
//! // One shot, or incrementally as the body streams by.
//! let value = ChecksumAlgorithm::Crc32.checksum(b"123456789");
//! assert_eq!(value.digest(), &0xCBF4_3926u32.to_be_bytes());
//! assert_eq!(value.header(), ("x-amz-checksum-crc32", "y/Q5Jg=="));
//!
//! let mut hasher = Checksum::new(ChecksumAlgorithm::Sha256);
//! hasher.update(b"ab");
//! hasher.update(b"c");
//! assert_eq!(hasher.finalize().base64(), "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
//!
//! // Names as S3 writes them, in either spelling.
//! let algorithm: ChecksumAlgorithm = "CRC64NVME".parse()?;
//! assert_eq!(algorithm.header_name(), "x-amz-checksum-crc64nvme");
//! assert_eq!(algorithm, "crc64nvme".parse()?);
//! # Ok::<(), sigv4::sign::Error>(())
//! ```

use core::fmt;
use core::str::FromStr;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha1::Digest as _;

use super::names;
use super::Error;

/// One of S3's checksum algorithms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChecksumAlgorithm {
    /// CRC-32 (ISO-HDLC, the zlib/PNG CRC).
    Crc32,
    /// CRC-32C (Castagnoli, iSCSI).
    Crc32c,
    /// CRC-64/NVME.
    Crc64Nvme,
    /// SHA-1.
    Sha1,
    /// SHA-256.
    Sha256,
}

/// Longest digest (SHA-256).
const MAX_DIGEST: usize = 32;
/// Longest base64 value (of a SHA-256 digest).
const MAX_BASE64: usize = 44;

impl ChecksumAlgorithm {
    /// Every algorithm, CRCs first.
    pub const ALL: [ChecksumAlgorithm; 5] = [
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32c,
        ChecksumAlgorithm::Crc64Nvme,
        ChecksumAlgorithm::Sha1,
        ChecksumAlgorithm::Sha256,
    ];

    /// The header (or trailer) carrying the value: `x-amz-checksum-crc32`...
    pub const fn header_name(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => names::X_AMZ_CHECKSUM_CRC32,
            ChecksumAlgorithm::Crc32c => names::X_AMZ_CHECKSUM_CRC32C,
            ChecksumAlgorithm::Crc64Nvme => names::X_AMZ_CHECKSUM_CRC64NVME,
            ChecksumAlgorithm::Sha1 => names::X_AMZ_CHECKSUM_SHA1,
            ChecksumAlgorithm::Sha256 => names::X_AMZ_CHECKSUM_SHA256,
        }
    }

    /// The name S3 uses (`x-amz-sdk-checksum-algorithm`,
    /// `ChecksumAlgorithm` in XML): `CRC32`, `CRC32C`, `CRC64NVME`, `SHA1`, `SHA256`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "CRC32",
            ChecksumAlgorithm::Crc32c => "CRC32C",
            ChecksumAlgorithm::Crc64Nvme => "CRC64NVME",
            ChecksumAlgorithm::Sha1 => "SHA1",
            ChecksumAlgorithm::Sha256 => "SHA256",
        }
    }

    /// The digest length in bytes (4, 4, 8, 20, 32).
    pub const fn digest_len(self) -> usize {
        match self {
            ChecksumAlgorithm::Crc32 | ChecksumAlgorithm::Crc32c => 4,
            ChecksumAlgorithm::Crc64Nvme => 8,
            ChecksumAlgorithm::Sha1 => 20,
            ChecksumAlgorithm::Sha256 => 32,
        }
    }

    /// The length of the base64 value (8, 8, 12, 28, 44): what a trailer's
    /// length in an aws-chunked layout needs before the value is known.
    pub const fn base64_len(self) -> usize {
        self.digest_len().div_ceil(3) * 4
    }

    /// The algorithm whose header is `name` (`x-amz-checksum-sha1`,
    /// any case).
    pub fn from_header_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.header_name().eq_ignore_ascii_case(name))
    }

    /// The checksum of `data`.
    pub fn checksum(self, data: &[u8]) -> ChecksumValue {
        let mut hasher = Checksum::new(self);
        hasher.update(data);
        hasher.finalize()
    }
}

impl fmt::Display for ChecksumAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ChecksumAlgorithm {
    type Err = Error;

    /// `CRC32`, `CRC32C`, `CRC64NVME`, `SHA1` or `SHA256`, any case.
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(s))
            .ok_or(Error::UnknownChecksumAlgorithm)
    }
}

#[derive(Clone)]
enum State {
    Crc(crc_fast::Digest),
    Sha1(sha1::Sha1),
    Sha256(sha2::Sha256),
}

/// An incremental checksum: [`update`](Self::update) with each piece of the
/// body, then [`finalize`](Self::finalize).
#[derive(Clone)]
pub struct Checksum {
    algorithm: ChecksumAlgorithm,
    state: State,
}

impl fmt::Debug for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checksum")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl Checksum {
    /// A checksum of nothing yet.
    pub fn new(algorithm: ChecksumAlgorithm) -> Self {
        use crc_fast::CrcAlgorithm as C;
        let state = match algorithm {
            ChecksumAlgorithm::Crc32 => State::Crc(crc_fast::Digest::new(C::Crc32IsoHdlc)),
            ChecksumAlgorithm::Crc32c => State::Crc(crc_fast::Digest::new(C::Crc32Iscsi)),
            ChecksumAlgorithm::Crc64Nvme => State::Crc(crc_fast::Digest::new(C::Crc64Nvme)),
            ChecksumAlgorithm::Sha1 => State::Sha1(sha1::Sha1::new()),
            ChecksumAlgorithm::Sha256 => State::Sha256(sha2::Sha256::new()),
        };
        Checksum { algorithm, state }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> ChecksumAlgorithm {
        self.algorithm
    }

    /// Adds `data`.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.state {
            State::Crc(d) => d.update(data),
            State::Sha1(d) => d.update(data),
            State::Sha256(d) => d.update(data),
        }
    }

    /// The checksum of everything added.
    pub fn finalize(self) -> ChecksumValue {
        let mut digest = [0u8; MAX_DIGEST];
        let len = self.algorithm.digest_len();
        match self.state {
            State::Crc(d) => {
                // crc-fast returns CRC-32s in the low 32 bits of a u64.
                let be = d.finalize().to_be_bytes();
                digest[..len].copy_from_slice(&be[8 - len..]);
            }
            State::Sha1(d) => digest[..len].copy_from_slice(&d.finalize()),
            State::Sha256(d) => digest[..len].copy_from_slice(&d.finalize()),
        }
        ChecksumValue::from_digest(self.algorithm, &digest[..len])
    }
}

impl std::io::Write for Checksum {
    /// Adds `buf` (so `std::io::copy(&mut file, &mut checksum)` checksums a file).
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A computed (or received) checksum: the digest and its base64 text, held
/// inline.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChecksumValue {
    algorithm: ChecksumAlgorithm,
    digest: [u8; MAX_DIGEST],
    base64: [u8; MAX_BASE64],
}

impl ChecksumValue {
    fn from_digest(algorithm: ChecksumAlgorithm, digest: &[u8]) -> Self {
        let mut value = ChecksumValue {
            algorithm,
            digest: [0; MAX_DIGEST],
            base64: [0; MAX_BASE64],
        };
        value.digest[..digest.len()].copy_from_slice(digest);
        // 32 bytes encode to 44 characters: always fits.
        let _ = STANDARD.encode_slice(digest, &mut value.base64);
        value
    }

    /// Parses a value as sent in a header or trailer: padded standard
    /// base64 of exactly the algorithm's digest length.
    pub fn from_base64(algorithm: ChecksumAlgorithm, text: &str) -> Result<Self, Error> {
        let text = text.trim();
        let mut digest = [0u8; MAX_DIGEST + 3];
        match STANDARD.decode_slice(text, &mut digest) {
            Ok(n) if n == algorithm.digest_len() && text.len() == algorithm.base64_len() => {
                Ok(Self::from_digest(algorithm, &digest[..n]))
            }
            _ => Err(Error::InvalidChecksum {
                algorithm: algorithm.as_str(),
            }),
        }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> ChecksumAlgorithm {
        self.algorithm
    }

    /// The big-endian digest.
    pub fn digest(&self) -> &[u8] {
        &self.digest[..self.algorithm.digest_len()]
    }

    /// The base64 of the digest: the header's value.
    pub fn base64(&self) -> &str {
        // Only ever filled with base64 characters.
        core::str::from_utf8(&self.base64[..self.algorithm.base64_len()]).unwrap_or("")
    }

    /// The header (or trailer) to send: `(x-amz-checksum-..., base64)`.
    pub fn header(&self) -> (&'static str, &str) {
        (self.algorithm.header_name(), self.base64())
    }
}

impl fmt::Debug for ChecksumValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChecksumValue({}: {})", self.algorithm, self.base64())
    }
}

impl fmt::Display for ChecksumValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.base64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ChecksumAlgorithm::*;

    /// The check values of the CRC catalogue (Greg Cook, "Catalogue of
    /// parametrised CRC algorithms": CRC-32/ISO-HDLC, CRC-32/ISCSI,
    /// CRC-64/NVME, `check` = the CRC of the ASCII string "123456789"), and
    /// SHA-1 and SHA-256 of "abc" from FIPS 180-4's examples (NIST CSRC,
    /// "Examples with Intermediate Values": SHA1.pdf, SHA256.pdf).
    const KNOWN: [(ChecksumAlgorithm, &[u8], &str); 5] = [
        (Crc32, b"123456789", "cbf43926"),
        (Crc32c, b"123456789", "e3069283"),
        (Crc64Nvme, b"123456789", "ae8b14860a799888"),
        (Sha1, b"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        (
            Sha256,
            b"abc",
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ),
    ];

    /// The header forms of the same values: base64 of the big-endian digest.
    const HEADERS: [(&str, &str); 5] = [
        ("x-amz-checksum-crc32", "y/Q5Jg=="),
        ("x-amz-checksum-crc32c", "4waSgw=="),
        ("x-amz-checksum-crc64nvme", "rosUhgp5mIg="),
        ("x-amz-checksum-sha1", "qZk+NkcGgWq6PiVxeFDCbJzQ2J0="),
        (
            "x-amz-checksum-sha256",
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=",
        ),
    ];

    #[test]
    fn published_check_values() {
        for ((algorithm, input, hex_digest), header) in KNOWN.into_iter().zip(HEADERS) {
            let value = algorithm.checksum(input);
            assert_eq!(hex::encode(value.digest()), hex_digest, "{algorithm}");
            assert_eq!(value.header(), header, "{algorithm}");
            assert_eq!(value.base64().len(), algorithm.base64_len());
            assert_eq!(value.digest().len(), algorithm.digest_len());
            // Incremental, one byte at a time, gives the same value.
            let mut hasher = Checksum::new(algorithm);
            for b in input {
                hasher.update(core::slice::from_ref(b));
            }
            assert_eq!(hasher.finalize(), value, "{algorithm} incremental");
            // And the header value parses back to it.
            assert_eq!(
                ChecksumValue::from_base64(algorithm, header.1),
                Ok(value),
                "{algorithm}"
            );
        }
    }

    /// The AWS S3 documentation's trailer example (sigv4-streaming-trailers):
    /// `x-amz-checksum-crc32c:sOO8/Q==` for 66560 bytes of `a`.
    #[test]
    fn s3_documentation_crc32c() {
        let body = alloc::vec![b'a'; 66_560];
        assert_eq!(Crc32c.checksum(&body).base64(), "sOO8/Q==");
    }

    #[test]
    fn names_and_parsing() {
        for a in ChecksumAlgorithm::ALL {
            assert_eq!(a.as_str().parse::<ChecksumAlgorithm>(), Ok(a));
            assert_eq!(a.as_str().to_ascii_lowercase().parse(), Ok(a));
            assert_eq!(
                ChecksumAlgorithm::from_header_name(a.header_name()),
                Some(a)
            );
            assert_eq!(
                a.header_name(),
                alloc::format!("x-amz-checksum-{}", a.as_str().to_ascii_lowercase())
            );
        }
        for bad in ["", "crc", "md5", "CRC64", "sha-256", " crc32"] {
            assert_eq!(
                bad.parse::<ChecksumAlgorithm>(),
                Err(Error::UnknownChecksumAlgorithm),
                "{bad:?}"
            );
        }
        assert_eq!(
            ChecksumAlgorithm::from_header_name("x-amz-checksum-md5"),
            None
        );
    }

    #[test]
    fn malformed_values_are_errors() {
        let bad = |a: ChecksumAlgorithm| {
            Err(Error::InvalidChecksum {
                algorithm: a.as_str(),
            })
        };
        // Wrong length for the algorithm, not base64, unpadded, too long.
        assert_eq!(
            ChecksumValue::from_base64(Crc32, "rosUhgp5mIg="),
            bad(Crc32)
        );
        assert_eq!(ChecksumValue::from_base64(Crc32, "y/Q5Jg="), bad(Crc32));
        assert_eq!(ChecksumValue::from_base64(Crc32, "y/Q5Jg"), bad(Crc32));
        assert_eq!(ChecksumValue::from_base64(Crc32, "y/Q5Jg==="), bad(Crc32));
        assert_eq!(ChecksumValue::from_base64(Crc32, "y/Q5J!=="), bad(Crc32));
        assert_eq!(ChecksumValue::from_base64(Crc32, ""), bad(Crc32));
        let long = "A".repeat(200);
        assert_eq!(ChecksumValue::from_base64(Sha256, &long), bad(Sha256));
        assert_eq!(
            ChecksumValue::from_base64(Sha1, "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="),
            bad(Sha1)
        );
    }

    #[test]
    fn empty_input() {
        // CRCs of nothing are 0 (init and xorout cancel); SHA-256 of "" is
        // the empty payload hash.
        assert_eq!(Crc32.checksum(b"").base64(), "AAAAAA==");
        assert_eq!(Crc64Nvme.checksum(b"").base64(), "AAAAAAAAAAA=");
        assert_eq!(
            hex::encode(Sha256.checksum(b"").digest()),
            crate::sign::payload::EMPTY_SHA256
        );
    }
}
