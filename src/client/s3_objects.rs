//! S3 object methods of the [`Client`]: the
//! [`api::s3_objects`](crate::api::s3_objects) operations with the client's
//! credentials.

use super::{Client, ClientError};
use crate::api::s3_objects::{
    DeleteObject, DeleteObjectOutput, GetObject, GetObjectOutput, HeadObject, ListObjectsV2,
    ListObjectsV2Output, ObjectMetadata, PutObject, PutObjectOutput,
};

impl Client {
    /// `s3:GetObject`.
    pub fn get_object(&self, request: &GetObject) -> Result<GetObjectOutput, ClientError> {
        self.call(request)
    }
    /// `s3:PutObject`.
    pub fn put_object(&self, request: &PutObject) -> Result<PutObjectOutput, ClientError> {
        self.call(request)
    }
    /// `s3:HeadObject`.
    pub fn head_object(&self, request: &HeadObject) -> Result<ObjectMetadata, ClientError> {
        self.call(request)
    }
    /// `s3:DeleteObject`.
    pub fn delete_object(&self, request: &DeleteObject) -> Result<DeleteObjectOutput, ClientError> {
        self.call(request)
    }
    /// `s3:ListObjectsV2` (one page).
    pub fn list_objects_v2(
        &self,
        request: &ListObjectsV2,
    ) -> Result<ListObjectsV2Output, ClientError> {
        self.call(request)
    }
}
