//! Credential scope (`date/region/service/aws4_request`) and the string to sign.

use super::{Error, SigningTime, ALGORITHM};
use alloc::string::String;

/// The credential scope of a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scope<'a> {
    /// The signing time; its date is the scope's date.
    pub date: SigningTime,
    /// The region, e.g. `us-east-1`.
    pub region: &'a str,
    /// The service, e.g. `s3`.
    pub service: &'a str,
}

/// True when `s` can be part of a scope: non-empty, no `/`, whitespace or controls.
pub fn is_scope_part(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b > 0x20 && b != 0x7f && b != b'/')
}

impl Scope<'_> {
    /// Checks region and service.
    pub fn validate(&self) -> Result<(), Error> {
        if !is_scope_part(self.region) {
            return Err(Error::InvalidScope { part: "region" });
        }
        if !is_scope_part(self.service) {
            return Err(Error::InvalidScope { part: "service" });
        }
        Ok(())
    }

    /// Length of the rendered scope.
    pub fn len(&self) -> usize {
        8 + 1 + self.region.len() + 1 + self.service.len() + 1 + "aws4_request".len()
    }

    /// Never empty; present for symmetry with [`Scope::len`].
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Appends `YYYYMMDD/region/service/aws4_request` to `out`.
    pub fn write(&self, out: &mut String) {
        for (i, part) in [
            self.date.date_stamp(),
            self.region,
            self.service,
            "aws4_request",
        ]
        .iter()
        .enumerate()
        {
            if i > 0 {
                out.push('/');
            }
            out.push_str(part);
        }
    }
}

impl core::fmt::Display for Scope<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{}/{}/{}/aws4_request",
            self.date.date_stamp(),
            self.region,
            self.service
        )
    }
}

/// Feeds the string to sign to `sink` piece by piece (no allocation):
/// `AWS4-HMAC-SHA256\n{amz date}\n{scope}\n{hex sha256(canonical request)}`.
pub fn feed_string_to_sign(
    sink: &mut dyn FnMut(&[u8]),
    scope: &Scope<'_>,
    creq_hash_hex: &[u8; 64],
) {
    sink(ALGORITHM.as_bytes());
    sink(b"\n");
    sink(scope.date.amz_date().as_bytes());
    sink(b"\n");
    sink(scope.date.date_stamp().as_bytes());
    sink(b"/");
    sink(scope.region.as_bytes());
    sink(b"/");
    sink(scope.service.as_bytes());
    sink(b"/aws4_request\n");
    sink(creq_hash_hex);
}

/// The string to sign as text.
pub fn string_to_sign(scope: &Scope<'_>, creq_hash_hex: &[u8; 64]) -> String {
    let mut v = alloc::vec::Vec::with_capacity(64 + 16 + scope.len() + 20);
    feed_string_to_sign(&mut |b| v.extend_from_slice(b), scope, creq_hash_hex);
    String::from_utf8(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_renders_and_validates() {
        let t = SigningTime::parse_amz_date("20150830T123600Z").unwrap();
        let s = Scope {
            date: t,
            region: "us-east-1",
            service: "iam",
        };
        let mut out = String::new();
        s.write(&mut out);
        assert_eq!(out, "20150830/us-east-1/iam/aws4_request");
        assert_eq!(out.len(), s.len());
        assert_eq!(alloc::format!("{s}"), out);
        assert!(s.validate().is_ok());
        for bad in ["", "us east", "us/east", "us\u{7f}"] {
            assert!(Scope { region: bad, ..s }.validate().is_err());
            assert!(Scope { service: bad, ..s }.validate().is_err());
        }
    }

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
