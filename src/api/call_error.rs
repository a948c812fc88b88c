//! [`CallError`]: everything an API call of this layer can end with.

use std::error::Error as StdError;
use std::fmt;

use super::ApiError;
use crate::s3::S3Error;
use crate::transport::TransportError;

/// Everything a call can end with, below the credentials layer: no
/// response, an error answer, an unreadable answer, a request that could
/// not be signed or built.
///
/// Messages name the operation, status, code, request id and URL, never a
/// secret.
#[derive(Debug)]
#[non_exhaustive]
pub enum CallError {
    /// No response: the transport failed, after `attempts` attempts.
    Transport {
        /// The last failure (it names the request: method and URL).
        source: TransportError,
        /// Attempts made.
        attempts: u32,
    },
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

impl CallError {
    /// The API error, if the service answered with one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            CallError::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The error code, if the service answered with one.
    pub fn code(&self) -> Option<&str> {
        self.api_error().map(|e| e.code.as_str())
    }

    /// A [`Parse`](Self::Parse) error.
    pub fn parse(operation: &'static str, message: impl Into<String>) -> Self {
        CallError::Parse {
            operation,
            message: message.into(),
        }
    }

    /// An [`InvalidRequest`](Self::InvalidRequest) error.
    pub fn invalid(message: impl Into<String>) -> Self {
        CallError::InvalidRequest {
            message: message.into(),
        }
    }
}

/// Writes a transport failure and how many attempts it took: the one
/// wording of `CallError::Transport` and the client's `ClientError::Transport`.
pub(crate) fn write_transport_failure(
    f: &mut fmt::Formatter<'_>,
    source: &TransportError,
    attempts: u32,
) -> fmt::Result {
    write!(f, "{source}")?;
    if attempts > 1 {
        write!(f, " (after {attempts} attempts)")?;
    }
    Ok(())
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Transport { source, attempts } => {
                write_transport_failure(f, source, *attempts)
            }
            CallError::Api(e) => write!(f, "{e}"),
            CallError::Parse { operation, message } => {
                write!(f, "{operation}: unreadable response: {message}")
            }
            CallError::Signing(e) => write!(f, "signing: {e}"),
            CallError::InvalidRequest { message } => write!(f, "invalid request: {message}"),
        }
    }
}

impl StdError for CallError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            CallError::Transport { source, .. } => Some(source),
            CallError::Api(e) => Some(&**e),
            CallError::Signing(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ApiError> for CallError {
    fn from(e: ApiError) -> Self {
        CallError::Api(Box::new(e))
    }
}

impl From<crate::sign::Error> for CallError {
    fn from(e: crate::sign::Error) -> Self {
        CallError::Signing(e)
    }
}

impl From<S3Error> for CallError {
    fn from(e: S3Error) -> Self {
        match e {
            S3Error::Sign(e) => CallError::Signing(e),
            e => CallError::invalid(e.to_string()),
        }
    }
}
