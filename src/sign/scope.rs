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
    // One table load per byte, folded without early exit: scope parts are
    // short (a verifier checks three per request).
    !s.is_empty()
        && s.bytes()
            .fold(true, |ok, b| ok & SCOPE_BYTE[usize::from(b)])
}

/// The bytes [`is_scope_part`] allows.
static SCOPE_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = b > 0x20 && b != 0x7f && b != b'/' as usize && b != b',' as usize;
        b += 1;
    }
    table
};

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
        for b in 0..=255u8 {
            let allowed = !(b <= 0x20 || b == 0x7f || b == b'/' || b == b',');
            let mut buf = [b'a', b, b'z'];
            let part = core::str::from_utf8(&buf);
            // One byte alone, and inside a part (non-ASCII bytes inside
            // a character).
            assert_eq!(
                part.map(is_scope_part).unwrap_or(allowed),
                allowed,
                "{b:#x}"
            );
            buf[1] = b'b';
            assert!(is_scope_part(core::str::from_utf8(&buf).unwrap()));
        }
        assert!(is_scope_part("é"));
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

    /// Appends the query encoding of `YYYYMMDD/region/service/aws4_request`
    /// (what [`encode_into`](super::encoding::encode_into) makes of
    /// [`write`](Self::write)'s text) to `out`, part by part.
    pub(crate) fn write_query_encoded(&self, out: &mut String) {
        use super::encoding::{encode_into, Input};
        out.push_str(self.date.date_stamp());
        out.push_str("%2F");
        encode_into(out, self.region, Input::Literal, false);
        out.push_str("%2F");
        encode_into(out, self.service, Input::Literal, false);
        out.push_str("%2Faws4_request");
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
