//! Credential scope: `date/region/service/aws4_request`.

use super::{Error, SigningTime};
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

/// True when `s` can be part of a scope: non-empty, no `/`, `,`,
/// whitespace or controls (`/` separates the scope's parts, `,` the
/// `Authorization` header's: a credential holding either would not read
/// back).
pub fn is_scope_part(s: &str) -> bool {
    // Folded without early exit: scope parts are short, and the loop vectorizes.
    !s.is_empty()
        && !s.bytes().fold(false, |bad, b| {
            bad | (b <= 0x20) | (b == 0x7f) | (b == b'/') | (b == b',')
        })
}

#[cfg(test)]
mod scope_part_tests {
    use super::*;

    /// Found by the `sign` fuzz target: a region with a comma was signed,
    /// and the `Authorization` value written did not parse back.
    #[test]
    fn no_scope_part_breaks_the_authorization_header() {
        for bad in ["", "us,east", "a/b", "a b", "a\tb", "a\u{7f}"] {
            assert!(!is_scope_part(bad), "{bad:?}");
        }
        assert!(is_scope_part("us-east-1"));
        assert!(is_scope_part("execute-api"));
    }
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
}
