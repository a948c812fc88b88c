//! [`ClientError`]: everything a [`Client`](super::Client) call can end
//! with: what the API layer reports ([`CallError`]) plus credentials that
//! could not be obtained.

use std::error::Error as StdError;
use std::fmt;

use crate::api::{ApiError, CallError, CallFailure};
use crate::credentials::CredentialsError;
use crate::transport::TransportError;

/// Everything a [`Client`](super::Client) call can end with.
///
/// Messages name the operation, status, code, request id and URL, never a
/// secret.
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientError {
    /// No response: the transport failed, after `attempts` attempts.
    Transport {
        /// The last failure (it names the request: method and URL).
        source: TransportError,
        /// Attempts made.
        attempts: u32,
    },
    /// Credentials could not be obtained.
    Credentials(CredentialsError),
    /// The service answered with an error.
    Api(Box<ApiError>),
    /// A successful response could not be read.
    Parse {
        /// The operation (`sts:AssumeRole`...).
        operation: &'static str,
        /// What was wrong (never the response text).
        message: String,
    },
    /// The request could not be signed.
    Signing(crate::sign::Error),
    /// The request could not be built (bad bucket name, endpoint, region...).
    InvalidRequest {
        /// What is wrong.
        message: String,
    },
}

impl ClientError {
    /// The API error, if the service answered with one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            ClientError::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The error code, if the service answered with one.
    pub fn code(&self) -> Option<&str> {
        self.api_error().map(|e| e.code.as_str())
    }
}

impl ClientError {
    /// The API layer's view of this error; `Err` with the credentials
    /// error for [`Credentials`](Self::Credentials).
    fn failure(&self) -> Result<CallFailure<'_>, &CredentialsError> {
        Ok(match self {
            ClientError::Transport { source, attempts } => {
                CallFailure::Transport(source, *attempts)
            }
            ClientError::Credentials(e) => return Err(e),
            ClientError::Api(e) => CallFailure::Api(e),
            ClientError::Parse { operation, message } => CallFailure::Parse(operation, message),
            ClientError::Signing(e) => CallFailure::Signing(e),
            ClientError::InvalidRequest { message } => CallFailure::InvalidRequest(message),
        })
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.failure() {
            Ok(failure) => failure.fmt(f),
            Err(e) => write!(f, "credentials: {e}"),
        }
    }
}

impl StdError for ClientError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self.failure() {
            Ok(failure) => failure.source(),
            Err(e) => Some(e),
        }
    }
}

impl From<CallError> for ClientError {
    /// Variant by variant: code matching on `ClientError::Api(..)` sees the
    /// same errors as before the API layer existed.
    fn from(e: CallError) -> Self {
        match e {
            CallError::Transport { source, attempts } => {
                ClientError::Transport { source, attempts }
            }
            CallError::Api(e) => ClientError::Api(e),
            CallError::Parse { operation, message } => ClientError::Parse { operation, message },
            CallError::Signing(e) => ClientError::Signing(e),
            CallError::InvalidRequest { message } => ClientError::InvalidRequest { message },
        }
    }
}

impl From<ApiError> for ClientError {
    fn from(e: ApiError) -> Self {
        ClientError::Api(Box::new(e))
    }
}

impl From<CredentialsError> for ClientError {
    fn from(e: CredentialsError) -> Self {
        ClientError::Credentials(e)
    }
}

impl From<crate::sign::Error> for ClientError {
    fn from(e: crate::sign::Error) -> Self {
        ClientError::Signing(e)
    }
}

impl From<crate::s3::S3Error> for ClientError {
    fn from(e: crate::s3::S3Error) -> Self {
        CallError::from(e).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::TransportErrorKind;

    #[test]
    fn call_errors_convert_variant_by_variant() {
        let t = TransportError::new(TransportErrorKind::Connect, "refused")
            .with_request("POST", "https://sts.amazonaws.com/");
        let e = ClientError::from(CallError::Transport {
            source: t,
            attempts: 2,
        });
        assert!(matches!(e, ClientError::Transport { attempts: 2, .. }));
        assert_eq!(
            e.to_string(),
            "POST https://sts.amazonaws.com/: connection failed: refused (after 2 attempts)"
        );
        let api = ApiError::from_parts(404, &http::HeaderMap::new(), b"");
        let e = ClientError::from(CallError::from(api));
        assert_eq!(e.code(), Some("NotFound"));
        let e = ClientError::from(CallError::parse("sts:X", "bad"));
        assert!(matches!(
            e,
            ClientError::Parse {
                operation: "sts:X",
                ..
            }
        ));
        assert_eq!(e.to_string(), "sts:X: unreadable response: bad");
        let e = ClientError::from(CallError::invalid("nope"));
        assert_eq!(e.to_string(), "invalid request: nope");
    }
}
