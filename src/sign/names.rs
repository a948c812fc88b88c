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
/// `x-amz-checksum-crc32`: a CRC32 checksum of the payload (base64).
pub const X_AMZ_CHECKSUM_CRC32: &str = "x-amz-checksum-crc32";

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
