//! HTTP header names the API layer reads and writes (the signing core's
//! own names are in [`crate::sign::names`]).

/// `date`: the server's clock.
pub(crate) const DATE: &str = "date";
/// `x-amzn-requestid`: the request id (most services).
pub(crate) const X_AMZN_REQUESTID: &str = "x-amzn-requestid";
/// `x-amz-request-id`: the request id (S3).
pub(crate) const X_AMZ_REQUEST_ID: &str = "x-amz-request-id";
/// `x-amz-id-2`: S3's extended request id.
pub(crate) const X_AMZ_ID_2: &str = "x-amz-id-2";
/// `x-amzn-errortype`: the error code (JSON protocols).
pub(crate) const X_AMZN_ERRORTYPE: &str = "x-amzn-errortype";
/// The prefix of S3 user metadata headers.
pub(crate) const X_AMZ_META_PREFIX: &str = "x-amz-meta-";
/// `x-amz-version-id`: the object version S3 stored or served.
pub(crate) const X_AMZ_VERSION_ID: &str = "x-amz-version-id";
/// `x-amz-delete-marker`: a delete created a delete marker.
pub(crate) const X_AMZ_DELETE_MARKER: &str = "x-amz-delete-marker";
