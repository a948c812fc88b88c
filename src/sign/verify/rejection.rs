//! [`Rejection`]: why a request was refused, with what a server tells the
//! client: S3's error code and HTTP status, and, for a signature that does
//! not match, the canonical request and string to sign the server computed
//! (S3 sends both in its `SignatureDoesNotMatch` body so the client can
//! diff them against its own).

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;

use crate::sign::Error;

/// A refused request: the [`Error`], and for signature mismatches the
/// strings the server signed.
#[derive(Clone, PartialEq, Eq)]
pub struct Rejection {
    error: Error,
    /// Presigned requests are reported with S3's query-parameter codes.
    presigned: bool,
    /// The canonical request and the string to sign (mismatches only).
    signed: Option<Box<(String, String)>>,
}

impl Rejection {
    /// A signature mismatch, with the strings the server signed.
    pub(crate) fn mismatch(canonical_request: String, string_to_sign: String) -> Self {
        Rejection {
            error: Error::SignatureMismatch,
            presigned: false,
            signed: Some(Box::new((canonical_request, string_to_sign))),
        }
    }

    /// Marks the rejection as one of a presigned request (the codes differ
    /// for malformed input: `AuthorizationQueryParametersError`).
    pub(crate) fn in_query(mut self) -> Self {
        self.presigned = true;
        self
    }

    /// The error.
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// The error, dropping the details.
    pub fn into_error(self) -> Error {
        self.error
    }

    /// The canonical request the server computed (signature mismatches only).
    pub fn canonical_request(&self) -> Option<&str> {
        self.signed.as_deref().map(|(c, _)| c.as_str())
    }

    /// The string to sign the server computed (signature mismatches only).
    pub fn string_to_sign(&self) -> Option<&str> {
        self.signed.as_deref().map(|(_, s)| s.as_str())
    }

    /// The S3 error code for the client (`SignatureDoesNotMatch`,
    /// `RequestTimeTooSkewed`, `AuthorizationHeaderMalformed`, ...).
    pub fn s3_code(&self) -> &'static str {
        s3_code(&self.error, self.presigned)
    }

    /// The HTTP status S3 answers with for [`s3_code`](Self::s3_code).
    pub fn status(&self) -> u16 {
        s3_status(self.s3_code())
    }
}

impl From<Error> for Rejection {
    fn from(error: Error) -> Self {
        Rejection {
            error,
            presigned: false,
            signed: None,
        }
    }
}

impl fmt::Debug for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The canonical request can hold a session token: not shown.
        f.debug_struct("Rejection")
            .field("error", &self.error)
            .field("s3_code", &self.s3_code())
            .field("has_details", &self.signed.is_some())
            .finish()
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Rejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// The canonical request and string to sign a mismatching signature was
/// checked against, filled in by a verifier on its mismatch path.
pub(crate) type Signed = Option<(String, String)>;

/// Runs a verifier that fills in the strings of a mismatch, and attaches
/// them to its error.
pub(crate) fn with_details<T>(
    verify: impl FnOnce(&mut Signed) -> Result<T, Error>,
) -> Result<T, Rejection> {
    let mut signed = None;
    let result = verify(&mut signed);
    result.map_err(|e| match (e, signed) {
        (Error::SignatureMismatch, Some((creq, sts))) => Rejection::mismatch(creq, sts),
        (e, _) => e.into(),
    })
}

/// S3's error code for a verification error.
pub(crate) fn s3_code(error: &Error, presigned: bool) -> &'static str {
    match error {
        Error::SignatureMismatch => "SignatureDoesNotMatch",
        Error::UnknownAccessKey => "InvalidAccessKeyId",
        Error::RequestTimeTooSkewed => "RequestTimeTooSkewed",
        // S3: "Request has expired" (or "not yet valid") is AccessDenied.
        Error::Expired => "AccessDenied",
        Error::InvalidExpiry { .. } if presigned => "AuthorizationQueryParametersError",
        Error::WrongScope { .. }
        | Error::MalformedSignature { .. }
        | Error::InvalidScope { .. }
            if presigned =>
        {
            "AuthorizationQueryParametersError"
        }
        Error::WrongScope { .. }
        | Error::MalformedSignature { .. }
        | Error::InvalidScope { .. } => "AuthorizationHeaderMalformed",
        Error::InvalidSessionToken | Error::SessionTokenConflict => "InvalidToken",
        Error::PayloadHashMismatch => "XAmzContentSHA256Mismatch",
        Error::InvalidPayloadHash | Error::PayloadHashConflict { .. } => "InvalidArgument",
        Error::InvalidTime | Error::HeaderNotSigned { .. } | Error::NotSigned => "AccessDenied",
        _ => "InvalidRequest",
    }
}

/// The HTTP status S3 uses with an error code.
pub(crate) fn s3_status(code: &str) -> u16 {
    match code {
        "SignatureDoesNotMatch"
        | "InvalidAccessKeyId"
        | "RequestTimeTooSkewed"
        | "AccessDenied"
        | "ExpiredToken" => 403,
        "InvalidToken"
        | "AuthorizationHeaderMalformed"
        | "AuthorizationQueryParametersError"
        | "XAmzContentSHA256Mismatch"
        | "BadDigest"
        | "InvalidDigest"
        | "IncompleteBody"
        | "InvalidChunkSizeError"
        | "InvalidRequest"
        | "InvalidArgument" => 400,
        "EntityTooLarge" => 400,
        _ => 400,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses() {
        let cases = [
            (
                Error::SignatureMismatch,
                false,
                "SignatureDoesNotMatch",
                403,
            ),
            (Error::UnknownAccessKey, false, "InvalidAccessKeyId", 403),
            (
                Error::RequestTimeTooSkewed,
                false,
                "RequestTimeTooSkewed",
                403,
            ),
            (Error::Expired, true, "AccessDenied", 403),
            (
                Error::WrongScope { part: "region" },
                false,
                "AuthorizationHeaderMalformed",
                400,
            ),
            (
                Error::WrongScope { part: "region" },
                true,
                "AuthorizationQueryParametersError",
                400,
            ),
            (
                Error::InvalidExpiry { seconds: 604_801 },
                true,
                "AuthorizationQueryParametersError",
                400,
            ),
            (Error::InvalidSessionToken, false, "InvalidToken", 400),
            (Error::NotSigned, false, "AccessDenied", 403),
            (Error::NotSigned, true, "AccessDenied", 403),
        ];
        for (error, presigned, code, status) in cases {
            let mut r = Rejection::from(error.clone());
            if presigned {
                r = r.in_query();
            }
            assert_eq!((r.s3_code(), r.status()), (code, status), "{error:?}");
        }
        let m = Rejection::mismatch("GET\n/\n".into(), "AWS4-HMAC-SHA256\n...".into());
        assert_eq!(m.canonical_request(), Some("GET\n/\n"));
        assert_eq!(m.string_to_sign(), Some("AWS4-HMAC-SHA256\n..."));
        assert!(!alloc::format!("{m:?}").contains("GET"));
        assert_eq!(
            Rejection::from(Error::Expired).in_query().s3_code(),
            "AccessDenied"
        );
    }
}
