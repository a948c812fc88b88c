//! Header and query parameter names the signature uses, in one place.
//!
//! Header names are lowercase (HTTP header names are case-insensitive and
//! the canonical request lowercases them); presigned query parameter names
//! are case-sensitive and spelled as AWS spells them.

/// `authorization`: the header-signed request's signature.
pub const AUTHORIZATION: &str = "authorization";
/// `host`: always signed.
pub const HOST: &str = "host";
/// `x-amz-date`: the signing time, `YYYYMMDD'T'HHMMSS'Z'`.
pub const X_AMZ_DATE: &str = "x-amz-date";
/// `x-amz-security-token`: the session token of temporary credentials.
pub const X_AMZ_SECURITY_TOKEN: &str = "x-amz-security-token";
/// `x-amz-content-sha256`: the payload hash (S3 and others).
pub const X_AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";
/// `x-amz-decoded-content-length`: the payload length of an aws-chunked body.
pub const X_AMZ_DECODED_CONTENT_LENGTH: &str = "x-amz-decoded-content-length";
/// `x-amz-trailer`: the trailing headers of an aws-chunked body.
pub const X_AMZ_TRAILER: &str = "x-amz-trailer";
/// `x-amz-region-set`: the regions a SigV4a signature is valid in.
pub const X_AMZ_REGION_SET: &str = "x-amz-region-set";
/// `x-amz-checksum-crc32`: a CRC-32 checksum of the payload (base64).
pub const X_AMZ_CHECKSUM_CRC32: &str = "x-amz-checksum-crc32";
/// `x-amz-checksum-crc32c`: a CRC-32C checksum of the payload (base64).
pub const X_AMZ_CHECKSUM_CRC32C: &str = "x-amz-checksum-crc32c";
/// `x-amz-checksum-crc64nvme`: a CRC-64/NVME checksum of the payload (base64).
pub const X_AMZ_CHECKSUM_CRC64NVME: &str = "x-amz-checksum-crc64nvme";
/// `x-amz-checksum-sha1`: a SHA-1 checksum of the payload (base64).
pub const X_AMZ_CHECKSUM_SHA1: &str = "x-amz-checksum-sha1";
/// `x-amz-checksum-sha256`: a SHA-256 checksum of the payload (base64).
pub const X_AMZ_CHECKSUM_SHA256: &str = "x-amz-checksum-sha256";
/// `x-amz-sdk-checksum-algorithm`: which checksum an upload carries
/// (`CRC32`, `CRC32C`, `CRC64NVME`, `SHA1`, `SHA256`).
pub const X_AMZ_SDK_CHECKSUM_ALGORITHM: &str = "x-amz-sdk-checksum-algorithm";
/// `content-encoding`: `aws-chunked` for an aws-chunked body.
pub const CONTENT_ENCODING: &str = "content-encoding";

/// `X-Amz-Algorithm` (presigned query).
pub const Q_ALGORITHM: &str = "X-Amz-Algorithm";
/// `X-Amz-Credential` (presigned query).
pub const Q_CREDENTIAL: &str = "X-Amz-Credential";
/// `X-Amz-Date` (presigned query).
pub const Q_DATE: &str = "X-Amz-Date";
/// `X-Amz-Expires` (presigned query).
pub const Q_EXPIRES: &str = "X-Amz-Expires";
/// `X-Amz-SignedHeaders` (presigned query).
pub const Q_SIGNED_HEADERS: &str = "X-Amz-SignedHeaders";
/// `X-Amz-Security-Token` (presigned query).
pub const Q_SECURITY_TOKEN: &str = "X-Amz-Security-Token";
/// `X-Amz-Region-Set` (presigned SigV4a query).
pub const Q_REGION_SET: &str = "X-Amz-Region-Set";
/// `X-Amz-Signature` (presigned query).
pub const Q_SIGNATURE: &str = "X-Amz-Signature";

/// Query parameters a presigned URL carries; any already in the request are replaced.
pub const PRESIGN_PARAMS: &[&str] = &[
    Q_ALGORITHM,
    Q_CREDENTIAL,
    Q_DATE,
    Q_EXPIRES,
    Q_SIGNED_HEADERS,
    Q_SECURITY_TOKEN,
    Q_SIGNATURE,
];
