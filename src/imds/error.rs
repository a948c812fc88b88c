//! [`ImdsError`].

use std::error::Error as StdError;
use std::fmt;

use crate::transport::TransportError;

/// Why an instance metadata request failed. Messages hold paths, statuses
/// and setting names, never tokens or credentials.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ImdsError {
    /// IMDS is turned off: `AWS_EC2_METADATA_DISABLED=true`, or the token
    /// request was answered `403 Forbidden` (the instance's metadata
    /// service is disabled).
    Disabled {
        /// Which of the two.
        reason: String,
    },
    /// No answer from the service: connection refused or timed out. On a
    /// machine that is not an EC2 instance this is the expected result.
    Unreachable {
        /// The request that failed (`PUT /latest/api/token`...).
        request: String,
        /// The transport failure.
        source: TransportError,
    },
    /// An IMDSv2 token could not be obtained and IMDSv1 is not allowed
    /// (`AWS_EC2_METADATA_V1_DISABLED` / `ec2_metadata_v1_disabled`), or the
    /// service requires a token the client could not get.
    TokenUnavailable {
        /// What happened to the token request.
        reason: String,
    },
    /// The service answered with an error status.
    ErrorResponse {
        /// The path requested.
        path: String,
        /// The HTTP status.
        status: u16,
    },
    /// The service's answer could not be used (not UTF-8, malformed JSON,
    /// missing fields).
    InvalidResponse {
        /// The path requested.
        path: String,
        /// What was wrong.
        message: String,
    },
    /// A setting is invalid (endpoint URI, endpoint mode, timeout...).
    InvalidConfiguration {
        /// What is wrong.
        message: String,
    },
    /// The transport failed in a way that is not "unreachable" (broken
    /// connection, invalid HTTP) and retries did not help.
    Transport {
        /// The request that failed.
        request: String,
        /// The transport failure.
        source: TransportError,
    },
}

impl ImdsError {
    /// The HTTP status of an [`ErrorResponse`](Self::ErrorResponse).
    pub fn status(&self) -> Option<u16> {
        match self {
            ImdsError::ErrorResponse { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// True for a `404 Not Found` answer (no such metadata path).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }
}

impl fmt::Display for ImdsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImdsError::Disabled { reason } => write!(f, "IMDS is disabled: {reason}"),
            ImdsError::Unreachable { request, source } => {
                write!(f, "IMDS unreachable: {request}: {source}")
            }
            ImdsError::TokenUnavailable { reason } => {
                write!(f, "no IMDSv2 token and IMDSv1 is not allowed: {reason}")
            }
            ImdsError::ErrorResponse { path, status } => {
                write!(f, "IMDS answered {status} for {path}")
            }
            ImdsError::InvalidResponse { path, message } => {
                write!(f, "IMDS answer for {path} is unusable: {message}")
            }
            ImdsError::InvalidConfiguration { message } => {
                write!(f, "invalid IMDS configuration: {message}")
            }
            ImdsError::Transport { request, source } => write!(f, "IMDS {request}: {source}"),
        }
    }
}

impl StdError for ImdsError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            ImdsError::Unreachable { source, .. } | ImdsError::Transport { source, .. } => {
                Some(source)
            }
            _ => None,
        }
    }
}
