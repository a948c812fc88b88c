//! [`ProfileLoadError`]: why the shared files could not be loaded (syntax
//! errors themselves are [`ProfileParseError`]s of the parser).

use std::fmt;
use std::path::{Path, PathBuf};

use super::parse::{FileKind, ProfileParseError};

/// Why [`ProfileSet::load`](super::ProfileSet::load) failed. Every variant names the file's path.
#[derive(Debug)]
#[non_exhaustive]
pub enum ProfileLoadError {
    /// The file exists (or its existence could not be checked) but could
    /// not be read.
    Read {
        /// Which of the two files.
        file: FileKind,
        /// Its path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid UTF-8.
    InvalidUtf8 {
        /// Which of the two files.
        file: FileKind,
        /// Its path.
        path: PathBuf,
        /// The byte offset of the first invalid byte.
        valid_up_to: usize,
    },
    /// The file has a syntax error.
    Parse {
        /// Its path.
        path: PathBuf,
        /// The syntax error (which also tells which file kind).
        source: ProfileParseError,
    },
}

impl ProfileLoadError {
    /// The path of the file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ProfileLoadError::Read { path, .. }
            | ProfileLoadError::InvalidUtf8 { path, .. }
            | ProfileLoadError::Parse { path, .. } => path,
        }
    }
}

impl fmt::Display for ProfileLoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProfileLoadError::Read { file, path, source } => write!(
                f,
                "could not read the AWS shared {file} file {}: {source}",
                path.display()
            ),
            ProfileLoadError::InvalidUtf8 {
                file,
                path,
                valid_up_to,
            } => write!(
                f,
                "the AWS shared {file} file {} is not valid UTF-8 (at byte {valid_up_to})",
                path.display()
            ),
            ProfileLoadError::Parse { path, source } => {
                write!(f, "error in {}: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for ProfileLoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ProfileLoadError::Read { source, .. } => Some(source),
            ProfileLoadError::Parse { source, .. } => Some(source),
            ProfileLoadError::InvalidUtf8 { .. } => None,
        }
    }
}
