//! Presigned multipart uploads: one presigned `UploadPart` URL per part, so
//! that a client without credentials (a browser) can send a large file in
//! parts.
//!
//! The part number and the upload id are in the signed query: a URL is good
//! for exactly one part of one upload. Creating and completing the upload
//! stay with whoever holds the credentials
//! (`api::s3_multipart` / `Client::create_multipart_upload`, feature `client`).
//!
//! ```
//! use sigv4::Credentials;
//! use sigv4::s3::{PresignOptions, S3Location};
//! use sigv4::sign::SigningTime;
//! use std::time::Duration;
//!
//! let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
//! let time = SigningTime::parse_amz_date("20130524T000000Z")?;
//! let object = S3Location::parse("s3://examplebucket/big.bin", "us-east-1")?;
//! let urls = object.presign_upload_parts("UPLOAD-ID", 1..=3, &creds, time, &PresignOptions::new(Duration::from_secs(3600)))?;
//! assert_eq!(urls.len(), 3);
//! assert!(urls[1].url.starts_with("https://examplebucket.s3.amazonaws.com/big.bin?partNumber=2&uploadId=UPLOAD-ID&X-Amz-Algorithm="));
//! assert_eq!(urls[1].method, "PUT");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::ops::RangeInclusive;

use super::{PresignOptions, PresignedUrl, S3Error, S3Location};
use crate::sign::{Credentials, SigningTime};

/// The first part number S3 accepts.
pub const MIN_PART_NUMBER: u32 = 1;
/// The last part number S3 accepts.
pub const MAX_PART_NUMBER: u32 = 10_000;
/// The smallest size of every part but the last (5 MiB).
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;

impl S3Location {
    /// A presigned `PUT` of part `part_number` (1 ..= 10 000) of upload
    /// `upload_id` of this object.
    pub fn presign_upload_part(
        &self,
        upload_id: &str,
        part_number: u32,
        credentials: &Credentials,
        time: SigningTime,
        options: &PresignOptions,
    ) -> Result<PresignedUrl, S3Error> {
        if upload_id.is_empty() {
            return Err(S3Error::InvalidUpload {
                reason: "the upload id is empty",
            });
        }
        if !(MIN_PART_NUMBER..=MAX_PART_NUMBER).contains(&part_number) {
            return Err(S3Error::InvalidPartNumber(part_number));
        }
        if self.key().is_empty() {
            return Err(S3Error::InvalidUpload {
                reason: "a multipart upload needs an object key",
            });
        }
        self.clone()
            .with_query("partNumber", &part_number.to_string())
            .with_query("uploadId", upload_id)
            .presign("PUT", credentials, time, options)
    }

    /// Presigned `PUT`s of the parts `parts` of upload `upload_id`, in
    /// order: one URL per part. The signing key is derived once (cached).
    pub fn presign_upload_parts(
        &self,
        upload_id: &str,
        parts: RangeInclusive<u32>,
        credentials: &Credentials,
        time: SigningTime,
        options: &PresignOptions,
    ) -> Result<Vec<PresignedUrl>, S3Error> {
        if parts.is_empty() {
            return Err(S3Error::InvalidUpload {
                reason: "the range of parts is empty",
            });
        }
        for n in [*parts.start(), *parts.end()] {
            if !(MIN_PART_NUMBER..=MAX_PART_NUMBER).contains(&n) {
                return Err(S3Error::InvalidPartNumber(n));
            }
        }
        parts
            .map(|n| self.presign_upload_part(upload_id, n, credentials, time, options))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::s3::test_support::{example_credentials, t};
    use std::time::Duration;

    fn opts() -> PresignOptions {
        PresignOptions::new(Duration::from_secs(900))
    }

    #[test]
    fn the_part_and_upload_are_in_the_signed_query() {
        let l = S3Location::new("examplebucket", "a b", "us-east-1").unwrap();
        let creds = example_credentials();
        let p = l
            .presign_upload_part("id+/=", 2, &creds, t(), &opts())
            .unwrap();
        assert!(
            p.url.starts_with(
                "https://examplebucket.s3.amazonaws.com/a%20b?partNumber=2&uploadId=id%2B%2F%3D&X-Amz-"
            ),
            "{}",
            p.url
        );
        // A different part or upload is a different signature.
        let sig = |u: &PresignedUrl| u.url.rsplit('=').next().unwrap().to_string();
        let other_part = l
            .presign_upload_part("id+/=", 3, &creds, t(), &opts())
            .unwrap();
        let other_upload = l
            .presign_upload_part("id", 2, &creds, t(), &opts())
            .unwrap();
        assert_ne!(sig(&p), sig(&other_part));
        assert_ne!(sig(&p), sig(&other_upload));
        let all = l
            .presign_upload_parts("id+/=", 1..=3, &creds, t(), &opts())
            .unwrap();
        assert_eq!(all[1], p);
        assert_eq!(all.len(), 3);
    }

    #[test]
    fn impossible_parts_are_refused() {
        let l = S3Location::new("examplebucket", "k", "us-east-1").unwrap();
        let c = example_credentials();
        assert_eq!(
            l.presign_upload_part("u", 0, &c, t(), &opts()),
            Err(S3Error::InvalidPartNumber(0))
        );
        assert_eq!(
            l.presign_upload_parts("u", 9_999..=10_001, &c, t(), &opts()),
            Err(S3Error::InvalidPartNumber(10_001))
        );
        #[allow(clippy::reversed_empty_ranges)]
        let empty = 3..=1;
        assert_eq!(
            l.presign_upload_parts("u", empty, &c, t(), &opts()),
            Err(S3Error::InvalidUpload {
                reason: "the range of parts is empty"
            })
        );
        assert_eq!(
            l.presign_upload_part("", 1, &c, t(), &opts()),
            Err(S3Error::InvalidUpload {
                reason: "the upload id is empty"
            })
        );
        let bucket_only = S3Location::new("examplebucket", "", "us-east-1").unwrap();
        assert_eq!(
            bucket_only.presign_upload_part("u", 1, &c, t(), &opts()),
            Err(S3Error::InvalidUpload {
                reason: "a multipart upload needs an object key"
            })
        );
    }
}
