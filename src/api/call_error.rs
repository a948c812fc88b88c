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

/// The cases [`CallError`] and the client's `ClientError` share, borrowed:
/// the one place their messages and sources are written.
#[derive(Clone, Copy)]
pub(crate) enum CallFailure<'a> {
    Transport(&'a TransportError, u32),
    Api(&'a ApiError),
    Parse(&'static str, &'a str),
    Signing(&'a crate::sign::Error),
    InvalidRequest(&'a str),
}

impl<'a> CallFailure<'a> {
    /// The underlying error, for `Error::source`.
    pub(crate) fn source(self) -> Option<&'a (dyn StdError + 'static)> {
        match self {
            CallFailure::Transport(source, _) => Some(source),
            CallFailure::Api(e) => Some(e),
            CallFailure::Signing(e) => Some(e),
            CallFailure::Parse(..) | CallFailure::InvalidRequest(_) => None,
        }
    }
}

impl fmt::Display for CallFailure<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallFailure::Transport(source, attempts) => {
                write!(f, "{source}")?;
                if *attempts > 1 {
                    write!(f, " (after {attempts} attempts)")?;
                }
                Ok(())
            }
            CallFailure::Api(e) => write!(f, "{e}"),
            CallFailure::Parse(operation, message) => {
                write!(f, "{operation}: unreadable response: {message}")
            }
            CallFailure::Signing(e) => write!(f, "signing: {e}"),
            CallFailure::InvalidRequest(message) => write!(f, "invalid request: {message}"),
        }
    }
}

impl CallError {
    pub(crate) fn failure(&self) -> CallFailure<'_> {
        match self {
            CallError::Transport { source, attempts } => CallFailure::Transport(source, *attempts),
            CallError::Api(e) => CallFailure::Api(e),
            CallError::Parse { operation, message } => CallFailure::Parse(operation, message),
            CallError::Signing(e) => CallFailure::Signing(e),
            CallError::InvalidRequest { message } => CallFailure::InvalidRequest(message),
        }
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.failure().fmt(f)
    }
}

impl StdError for CallError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.failure().source()
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
