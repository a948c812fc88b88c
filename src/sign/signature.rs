//! The signature: HMAC-SHA256 of the string to sign under the signing key,
//! the `Authorization` header value built from it, and the intermediate
//! steps every signing result exposes ([`SigningDetails`]).

use alloc::string::String;
use core::fmt;

use super::string_to_sign::{feed_string_to_sign, string_to_sign};
use super::{Scope, SigningParams, ALGORITHM};

/// SHA-256 of the canonical request, as 64 lowercase hex digits.
pub(crate) fn hash_hex(s: &str) -> [u8; 64] {
    super::lower_hex::hex32(&super::sha256::sha256(s.as_bytes()))
}

/// The hex signature of the canonical request whose SHA-256 is `creq_hash`.
pub(crate) fn sign_hash(params: &SigningParams<'_>, creq_hash: &[u8; 64]) -> [u8; 64] {
    let scope = params.scope();
    // Assembled on the stack; a scope too long for it goes through a `String`.
    let mut buf = StackBuf::<256>::new();
    feed_string_to_sign(&mut |b| buf.push(b), &scope, creq_hash);
    let sig = match buf.filled() {
        Some(bytes) => params.sign_string_to_sign(bytes),
        None => params.sign_string_to_sign(string_to_sign(&scope, creq_hash).as_bytes()),
    };
    super::lower_hex::hex32(&sig)
}

/// A fixed buffer that remembers whether everything pushed fitted.
pub(crate) struct StackBuf<const N: usize> {
    buf: [u8; N],
    len: usize,
    overflowed: bool,
}

impl<const N: usize> StackBuf<N> {
    pub(crate) fn new() -> Self {
        StackBuf {
            buf: [0; N],
            len: 0,
            overflowed: false,
        }
    }

    #[inline]
    pub(crate) fn push(&mut self, b: &[u8]) {
        match self.buf.get_mut(self.len..self.len + b.len()) {
            Some(dst) => {
                dst.copy_from_slice(b);
                self.len += b.len();
            }
            None => self.overflowed = true,
        }
    }

    /// The bytes pushed, unless some did not fit.
    pub(crate) fn filled(&self) -> Option<&[u8]> {
        (!self.overflowed).then(|| &self.buf[..self.len])
    }
}

/// A buffer of hex digits as text.
pub(crate) fn ascii(b: &[u8]) -> &str {
    // Only called on buffers filled with hex digits.
    super::text::utf8(b).unwrap_or("")
}

/// The length of the `Authorization` value for these parameters.
pub(crate) fn authorization_len(params: &SigningParams<'_>, signed_headers: &str) -> usize {
    ALGORITHM.len()
        + 64
        + params.access_key_id.len()
        + params.scope().len()
        + signed_headers.len()
        + 64
}

/// Appends the `Authorization` header value up to its signature to `out`:
/// `AWS4-HMAC-SHA256 Credential=AKID/scope, SignedHeaders=a;b, Signature=`
/// (the hex signature follows).
pub(crate) fn write_authorization_start(
    out: &mut String,
    params: &SigningParams<'_>,
    signed_headers: &str,
) {
    out.push_str(ALGORITHM);
    out.push_str(" Credential=");
    out.push_str(params.access_key_id);
    out.push('/');
    params.scope().write(out);
    out.push_str(", SignedHeaders=");
    out.push_str(signed_headers);
    out.push_str(", Signature=");
}

/// What was signed: the canonical request, its hash and the scope, from
/// which the string to sign is rebuilt on demand. Both
/// [`HeaderSignature`](super::HeaderSignature) and
/// [`PresignedQuery`](super::PresignedQuery) dereference to it.
#[derive(Clone)]
pub struct SigningDetails<'a> {
    pub(crate) canonical_request: String,
    pub(crate) creq_hash: [u8; 64],
    pub(crate) scope: Scope<'a>,
}

impl<'a> SigningDetails<'a> {
    /// Details whose canonical request's hash is known.
    pub(crate) fn with_hash(
        canonical_request: String,
        creq_hash: [u8; 64],
        scope: Scope<'a>,
    ) -> Self {
        SigningDetails {
            canonical_request,
            creq_hash,
            scope,
        }
    }

    /// The canonical request that was signed.
    pub fn canonical_request(&self) -> &str {
        &self.canonical_request
    }

    /// The hex SHA-256 of the canonical request (the string to sign's last line).
    pub fn canonical_request_hash(&self) -> &str {
        ascii(&self.creq_hash)
    }

    /// The string to sign (built on demand).
    pub fn string_to_sign(&self) -> String {
        string_to_sign(&self.scope, &self.creq_hash)
    }

    /// The credential scope.
    pub fn scope(&self) -> &Scope<'a> {
        &self.scope
    }

    /// The `X-Amz-Date` value: the signing time.
    pub fn amz_date(&self) -> &str {
        self.scope.date.amz_date()
    }
}

impl fmt::Debug for SigningDetails<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The canonical request can hold a session token: show its hash only.
        f.debug_struct("SigningDetails")
            .field("canonical_request_hash", &self.canonical_request_hash())
            .field("scope", &self.scope)
            .finish()
    }
}
