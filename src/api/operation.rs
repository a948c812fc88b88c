//! [`Operation`]: one API call as a pair of pure functions.

use super::{ApiRequest, CallError, ServiceConfig};

/// One API call as a pair of pure functions.
///
/// Implemented by every call of this module ([`AssumeRole`](super::sts::AssumeRole),
/// [`GetObject`](super::s3_objects::GetObject),
/// [`QueryCall`](super::query_protocol::QueryCall)...); implement it for
/// other calls and run them with [`Caller::call`](super::call::Caller::call)
/// or the client's `Client::call`.
pub trait Operation {
    /// The typed result.
    type Output;

    /// A short name for messages (`sts:AssumeRole`).
    fn name(&self) -> &'static str;

    /// Builds the request (no I/O, no clock).
    fn build(&self, config: &ServiceConfig) -> Result<ApiRequest, CallError>;

    /// Reads the final response, whatever its status: a success is parsed
    /// into the output, an error status into [`CallError::Api`] (some
    /// operations turn particular errors into outputs, e.g. a dry run's
    /// `DryRunOperation`).
    fn parse(&self, response: http::Response<Vec<u8>>) -> Result<Self::Output, CallError>;
}
