//! Crate-private helpers shared by the std layers: time formats, the strict
//! JSON reader, query-string encoding, and secret redaction in messages.
//!
//! Below everything but the signing core: nothing here imports another
//! module of the crate except `sign`.

pub(crate) mod json;
pub(crate) mod locked_file;
pub(crate) mod query;
#[cfg(feature = "http")]
pub(crate) mod redact;
pub(crate) mod time;
