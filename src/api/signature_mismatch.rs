//! [`SignatureMismatch`]: both sides of a `SignatureDoesNotMatch`, read
//! from the server's error and completed with ours, and where they differ.

use std::fmt;

use crate::util::redact::redact;

/// Where a query service's message starts quoting its canonical request.
pub(crate) const CANONICAL_STRING_MARKER: &str = "The Canonical String for this request";

/// Both sides of a signature mismatch, to compare line by line.
///
/// `Debug` shows canonical requests with security tokens redacted.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignatureMismatch {
    /// The canonical request the server computed (S3's
    /// `<CanonicalRequest>`, or quoted in a query service's message).
    pub server_canonical_request: Option<String>,
    /// The string to sign the server computed.
    pub server_string_to_sign: Option<String>,
    /// The canonical request we signed.
    pub our_canonical_request: Option<String>,
    /// The string to sign we signed.
    pub our_string_to_sign: Option<String>,
    /// The access key id the server saw.
    pub access_key_id: Option<String>,
    /// The signature the server received.
    pub signature_provided: Option<String>,
}

impl SignatureMismatch {
    /// The first line where the two canonical requests differ (1-based),
    /// with the server's and our line; `None` when either side is missing
    /// or they are equal.
    pub fn first_difference(&self) -> Option<(usize, String, String)> {
        let server = self.server_canonical_request.as_deref()?;
        let ours = self.our_canonical_request.as_deref()?;
        let mut a = server.split('\n');
        let mut b = ours.split('\n');
        for line in 1.. {
            match (a.next(), b.next()) {
                (None, None) => return None,
                (x, y) if x == y => continue,
                (x, y) => {
                    return Some((
                        line,
                        redact(x.unwrap_or("<end>")).into_owned(),
                        redact(y.unwrap_or("<end>")).into_owned(),
                    ))
                }
            }
        }
        None
    }
}

impl fmt::Debug for SignatureMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = |s: &Option<String>| s.as_deref().map(|s| redact(s).into_owned());
        f.debug_struct("SignatureMismatch")
            .field(
                "server_canonical_request",
                &r(&self.server_canonical_request),
            )
            .field("server_string_to_sign", &self.server_string_to_sign)
            .field("our_canonical_request", &r(&self.our_canonical_request))
            .field("our_string_to_sign", &self.our_string_to_sign)
            .field("access_key_id", &self.access_key_id)
            .field("signature_provided", &self.signature_provided)
            .finish()
    }
}

impl SignatureMismatch {
    /// The server's side, from the error element's fields (S3:
    /// `<CanonicalRequest>`, `<StringToSign>`...) or quoted in the message
    /// (query services). Our side is left empty.
    pub(crate) fn from_error(details: &[(String, String)], message: Option<&str>) -> Self {
        let detail = |name: &str| {
            details
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let mut m = SignatureMismatch {
            server_canonical_request: detail("CanonicalRequest"),
            server_string_to_sign: detail("StringToSign"),
            access_key_id: detail("AWSAccessKeyId"),
            signature_provided: detail("SignatureProvided"),
            ..SignatureMismatch::default()
        };
        // Query services quote both in the message:
        // "... The Canonical String for this request should have been\n'...'\n\nThe String-to-Sign should have been\n'...'\n"
        if let Some(msg) = message {
            if m.server_canonical_request.is_none() {
                m.server_canonical_request =
                    quoted_after(msg, &format!("{CANONICAL_STRING_MARKER} should have been"));
            }
            if m.server_string_to_sign.is_none() {
                m.server_string_to_sign = quoted_after(msg, "The String-to-Sign should have been");
            }
        }
        m
    }
}

fn quoted_after(msg: &str, marker: &str) -> Option<String> {
    let after = &msg[msg.find(marker)? + marker.len()..];
    let start = after.find('\'')? + 1;
    let end = after[start..]
        .find("'\n")
        .or_else(|| after[start..].rfind('\''))?
        + start;
    Some(after[start..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_difference_is_redacted() {
        let m = SignatureMismatch {
            server_canonical_request: Some("GET\n/\nx-amz-security-token:TOK\nhost:a".into()),
            our_canonical_request: Some("GET\n/\nx-amz-security-token:TOK\nhost:b\nextra".into()),
            ..SignatureMismatch::default()
        };
        assert_eq!(
            m.first_difference(),
            Some((4, "host:a".into(), "host:b".into()))
        );
        let same = SignatureMismatch {
            our_canonical_request: m.server_canonical_request.clone(),
            ..m.clone()
        };
        assert_eq!(same.first_difference(), None);
        let token_line = SignatureMismatch {
            server_canonical_request: Some("x-amz-security-token:A".into()),
            our_canonical_request: Some("x-amz-security-token:B".into()),
            ..SignatureMismatch::default()
        };
        assert_eq!(
            token_line.first_difference(),
            Some((
                1,
                "x-amz-security-token:<redacted>".into(),
                "x-amz-security-token:<redacted>".into()
            ))
        );
        assert!(!format!("{m:?}").contains("TOK"));
    }
}
