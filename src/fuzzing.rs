//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`): the
//! crate-private readers of untrusted input, one function each, and the
//! internals the targets check against the documented bounds.
//!
//! Not an API: hidden from the docs, no semver promise, and compiled only
//! with the `fuzzing` feature, which nothing but `fuzz/Cargo.toml` enables.

use crate::credentials::{Credentials, CredentialsError};
use crate::sign::verify::{ChunkedDecoder, VerifyChunks};

/// What [`json`] read: the document again, as the writer prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonDocument {
    /// `json.dumps` layout (`", "`, `": "`).
    pub text: String,
    /// Compact layout.
    pub compact: String,
}

/// The strict JSON reader of the credential documents (`util::json`); on
/// success, the document written back both ways.
pub fn json(text: &str) -> Result<JsonDocument, String> {
    let doc = crate::util::json::parse(text).map_err(|e| e.to_string())?;
    Ok(JsonDocument {
        text: doc.to_text().to_string(),
        compact: doc.to_compact_text().to_string(),
    })
}

/// The `credential_process` output reader.
pub fn credential_process(stdout: &str) -> Result<Credentials, CredentialsError> {
    crate::credentials::process::parse_output("process", stdout, "process")
}

/// The capacity of an aws-chunked decoder's chunk buffer, of its line
/// buffer, and the bytes its trailer headers hold.
pub fn chunked_buffer_sizes<V: VerifyChunks>(decoder: &ChunkedDecoder<V>) -> (usize, usize, usize) {
    decoder.buffer_sizes()
}
