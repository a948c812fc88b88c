//! S3 multipart upload methods of the [`Client`]: the
//! [`api::s3_multipart`](crate::api::s3_multipart) operations with the
//! client's credentials.

use super::{Client, ClientError};
use crate::api::s3_multipart::{
    AbortMultipartUpload, CompleteMultipartUpload, CompleteMultipartUploadOutput,
    CreateMultipartUpload, CreateMultipartUploadOutput, ListParts, ListPartsOutput, UploadPart,
    UploadPartOutput,
};

impl Client {
    /// `s3:CreateMultipartUpload`.
    pub fn create_multipart_upload(
        &self,
        request: &CreateMultipartUpload,
    ) -> Result<CreateMultipartUploadOutput, ClientError> {
        self.call(request)
    }
    /// `s3:UploadPart`.
    pub fn upload_part(&self, request: &UploadPart) -> Result<UploadPartOutput, ClientError> {
        self.call(request)
    }
    /// `s3:CompleteMultipartUpload`.
    pub fn complete_multipart_upload(
        &self,
        request: &CompleteMultipartUpload,
    ) -> Result<CompleteMultipartUploadOutput, ClientError> {
        self.call(request)
    }
    /// `s3:AbortMultipartUpload`.
    pub fn abort_multipart_upload(
        &self,
        request: &AbortMultipartUpload,
    ) -> Result<(), ClientError> {
        self.call(request)
    }
    /// `s3:ListParts` (one page).
    pub fn list_parts(&self, request: &ListParts) -> Result<ListPartsOutput, ClientError> {
        self.call(request)
    }
}
