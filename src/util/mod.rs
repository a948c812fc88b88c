//! Crate-private helpers shared by the std layers (time formats, JSON).
//!
//! Below everything but the signing core: nothing here imports another
//! module of the crate except `sign`.

pub(crate) mod locked_file;
pub(crate) mod time;
