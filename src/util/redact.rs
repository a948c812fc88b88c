//! Secret redaction for messages: security tokens in canonical requests
//! and query strings, and the signature parts of URLs.

use std::borrow::Cow;

use crate::sign::canonical_query::parse_query;
#[cfg(feature = "client")]
use crate::sign::names::X_AMZ_SECURITY_TOKEN;
use crate::sign::names::{Q_CREDENTIAL, Q_SECURITY_TOKEN, Q_SIGNATURE};

/// Replaces the value of every `x-amz-security-token` header line and
/// `X-Amz-Security-Token` query parameter in `text`.
#[cfg(feature = "client")]
pub fn redact(text: &str) -> Cow<'_, str> {
    let lower = text.to_ascii_lowercase();
    if !lower.contains(X_AMZ_SECURITY_TOKEN) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    let mut search = 0;
    while let Some(found) = lower[search..].find(X_AMZ_SECURITY_TOKEN) {
        let name_end = search + found + X_AMZ_SECURITY_TOKEN.len();
        let bytes = text.as_bytes();
        if name_end < text.len() && matches!(bytes[name_end], b':' | b'=') {
            let value_start = name_end + 1;
            let value_end = text[value_start..]
                .find(['\n', '&', ' ', '\'', '"', '<'])
                .map_or(text.len(), |i| value_start + i);
            out.push_str(&text[rest..value_start]);
            out.push_str("<redacted>");
            rest = value_end;
            search = value_end;
        } else {
            search = name_end;
        }
    }
    out.push_str(&text[rest..]);
    Cow::Owned(out)
}

/// Query parameters whose values are secret or single-use: a presigned
/// URL's signature, credential scope (it names the key) and session token.
const SECRET_QUERY_PARAMS: [&str; 3] = [Q_SIGNATURE, Q_SECURITY_TOKEN, Q_CREDENTIAL];

/// `url` for a message: the values of `X-Amz-Signature`,
/// `X-Amz-Security-Token` and `X-Amz-Credential` replaced by `<redacted>`,
/// any fragment removed; the rest of the query is kept.
pub(crate) fn redact_url(url: &str) -> Cow<'_, str> {
    let url = url.split('#').next().unwrap_or_default();
    let Some((base, query)) = url.split_once('?') else {
        return Cow::Borrowed(url);
    };
    let secret = |key: &str| {
        SECRET_QUERY_PARAMS
            .iter()
            .any(|s| s.eq_ignore_ascii_case(key))
    };
    if !parse_query(query).any(|p| secret(p.key)) {
        return Cow::Borrowed(url);
    }
    let mut out = String::with_capacity(url.len());
    out.push_str(base);
    for (i, p) in parse_query(query).enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(p.key);
        out.push('=');
        out.push_str(if secret(p.key) { "<redacted>" } else { p.value });
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "client")]
    #[test]
    fn redaction() {
        assert_eq!(
            redact("a\nx-amz-security-token:abc\nb&X-Amz-Security-Token=q%2F&c=1"),
            "a\nx-amz-security-token:<redacted>\nb&X-Amz-Security-Token=<redacted>&c=1"
        );
        assert!(matches!(redact("plain"), Cow::Borrowed("plain")));
    }

    #[test]
    fn urls_lose_their_signatures_only() {
        assert_eq!(
            redact_url("https://b.s3.amazonaws.com/k?versionId=3&X-Amz-Credential=AKID%2F2013&X-Amz-Security-Token=T0K&X-Amz-Signature=abc#frag"),
            "https://b.s3.amazonaws.com/k?versionId=3&X-Amz-Credential=<redacted>&X-Amz-Security-Token=<redacted>&X-Amz-Signature=<redacted>"
        );
        assert!(matches!(
            redact_url("http://127.0.0.1:9000/b?list-type=2"),
            Cow::Borrowed("http://127.0.0.1:9000/b?list-type=2")
        ));
        assert_eq!(
            redact_url("https://sts.amazonaws.com/"),
            "https://sts.amazonaws.com/"
        );
    }
}
