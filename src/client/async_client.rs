//! The async client (feature `async`): [`AsyncClient`] runs the same
//! [`api`](crate::api) operations as the blocking [`Client`](super::Client),
//! with the same retry rules and the same decisions
//! ([`AsyncCaller`] shares them with
//! the blocking driver), credentials from an async provider, and the same
//! typed [`ClientError`].
//!
//! ```
//! use std::sync::Arc;
//! use sigv4::client::AsyncClient;
//! use sigv4::runtime::TokioRuntime;
//! use sigv4::transport::RequestOptions;
//! use sigv4::transport_async::{AsyncTransport, SendFuture};
//! use sigv4::Credentials;
//!
//! // A fake STS (ReqwestTransport is the real default).
//! struct Sts;
//! impl AsyncTransport for Sts {
//!     fn send<'a>(&'a self, request: http::Request<Vec<u8>>, _: &'a RequestOptions) -> SendFuture<'a> {
//!         assert!(request.headers()["authorization"].to_str().unwrap().starts_with("AWS4-HMAC-SHA256"));
//!         Box::pin(async {
//!             Ok(http::Response::new(b"<GetCallerIdentityResponse><GetCallerIdentityResult>\
//!                 <Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDA</UserId>\
//!                 <Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>".to_vec()))
//!         })
//!     }
//! }
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let client = AsyncClient::builder()
//!     .transport(Arc::new(Sts))
//!     .runtime(Arc::new(TokioRuntime::new()))
//!     .credentials(Arc::new(Credentials::new("AKIDEXAMPLE", "secret")))
//!     .region("eu-west-1")
//!     .build()?;
//! assert_eq!(client.get_caller_identity().await?.account, "123456789012");
//! # Ok::<(), sigv4::client::ClientError>(())
//! # }).unwrap();
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use super::async_builder::AsyncClientBuilder;
use super::ClientError;
use crate::api::async_call::AsyncCaller;
use crate::api::query_protocol::{DryRun, DryRunOutcome, QueryCall, QueryResponse};
use crate::api::s3_multipart::{
    AbortMultipartUpload, CompleteMultipartUpload, CompleteMultipartUploadOutput,
    CreateMultipartUpload, CreateMultipartUploadOutput, ListParts, ListPartsOutput, UploadPart,
    UploadPartOutput,
};
use crate::api::s3_objects::{
    DeleteObject, DeleteObjectOutput, GetObject, GetObjectOutput, HeadObject, ListObjectsV2,
    ListObjectsV2Output, ObjectMetadata, PutObject, PutObjectOutput,
};
use crate::api::sts::{
    AssumeRole, AssumeRoleWithWebIdentity, AssumedRole, CallerIdentity, DecodeAuthorizationMessage,
    GetCallerIdentity, GetSessionToken,
};
use crate::api::{ApiRequest, Operation, ServiceConfig};
use crate::credentials::asynchronous::ProvideCredentialsAsync;
use crate::imds::async_metadata::AsyncInstanceMetadata;
use crate::imds::ImdsConfig;
use crate::runtime::Runtime;
use crate::sign::Credentials;

struct Inner {
    caller: AsyncCaller,
    credentials: Arc<dyn ProvideCredentialsAsync>,
    config: ServiceConfig,
    runtime: Arc<dyn Runtime>,
}

/// The async client; see the [module docs](self). Cheap to clone.
#[derive(Clone)]
pub struct AsyncClient {
    inner: Arc<Inner>,
}

impl fmt::Debug for AsyncClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncClient")
            .field("config", &self.inner.config)
            .field("caller", &self.inner.caller)
            .finish_non_exhaustive()
    }
}

impl AsyncClient {
    /// A builder with the defaults.
    pub fn builder() -> AsyncClientBuilder {
        AsyncClientBuilder::default()
    }

    pub(crate) fn from_parts(
        caller: AsyncCaller,
        credentials: Arc<dyn ProvideCredentialsAsync>,
        config: ServiceConfig,
        runtime: Arc<dyn Runtime>,
    ) -> Self {
        AsyncClient {
            inner: Arc::new(Inner {
                caller,
                credentials,
                config,
                runtime,
            }),
        }
    }

    /// The region, endpoint override and service switches.
    pub fn config(&self) -> &ServiceConfig {
        &self.inner.config
    }

    /// The region.
    pub fn region(&self) -> &str {
        &self.inner.config.region
    }

    /// The call driver: transport, retry policy, clock and its correction.
    pub fn caller(&self) -> &AsyncCaller {
        &self.inner.caller
    }

    /// Our clock with the correction applied.
    pub fn now(&self) -> SystemTime {
        self.inner.caller.now()
    }

    /// The same client (transport, runtime, settings, clock correction)
    /// with other credentials.
    pub fn with_credentials(&self, credentials: Arc<dyn ProvideCredentialsAsync>) -> AsyncClient {
        AsyncClient::from_parts(
            self.inner.caller.fork(),
            credentials,
            self.inner.config.clone(),
            self.inner.runtime.clone(),
        )
    }

    /// Runs `operation`: build, then sign/send/retry, then parse.
    pub async fn call<O: Operation + ?Sized>(
        &self,
        operation: &O,
    ) -> Result<O::Output, ClientError> {
        let credentials = &self.inner.credentials;
        self.inner
            .caller
            .call_with(&self.inner.config, operation, || async move {
                Ok(credentials.provide_async().await?)
            })
            .await
    }

    /// Sends `request` with signing and retries; returns the final response
    /// whatever its status.
    pub async fn send(&self, request: &ApiRequest) -> Result<http::Response<Vec<u8>>, ClientError> {
        let credentials = &self.inner.credentials;
        self.inner
            .caller
            .send_with(
                request,
                || async move { Ok(credentials.provide_async().await?) },
            )
            .await
    }

    /// `sts:GetCallerIdentity`.
    pub async fn get_caller_identity(&self) -> Result<CallerIdentity, ClientError> {
        self.call(&GetCallerIdentity).await
    }

    /// `sts:GetSessionToken`.
    pub async fn get_session_token(
        &self,
        request: &GetSessionToken,
    ) -> Result<Credentials, ClientError> {
        self.call(request).await
    }

    /// `sts:AssumeRole`.
    pub async fn assume_role(&self, request: &AssumeRole) -> Result<AssumedRole, ClientError> {
        self.call(request).await
    }

    /// `sts:AssumeRoleWithWebIdentity` (unsigned).
    pub async fn assume_role_with_web_identity(
        &self,
        request: &AssumeRoleWithWebIdentity,
    ) -> Result<AssumedRole, ClientError> {
        self.call(request).await
    }

    /// `sts:DecodeAuthorizationMessage`: the decoded JSON text.
    pub async fn decode_authorization_message(&self, encoded: &str) -> Result<String, ClientError> {
        self.call(&DecodeAuthorizationMessage::new(encoded)).await
    }

    /// `s3:GetObject`.
    pub async fn get_object(&self, request: &GetObject) -> Result<GetObjectOutput, ClientError> {
        self.call(request).await
    }

    /// `s3:PutObject`.
    pub async fn put_object(&self, request: &PutObject) -> Result<PutObjectOutput, ClientError> {
        self.call(request).await
    }

    /// `s3:HeadObject`.
    pub async fn head_object(&self, request: &HeadObject) -> Result<ObjectMetadata, ClientError> {
        self.call(request).await
    }

    /// `s3:DeleteObject`.
    pub async fn delete_object(
        &self,
        request: &DeleteObject,
    ) -> Result<DeleteObjectOutput, ClientError> {
        self.call(request).await
    }

    /// `s3:ListObjectsV2` (one page).
    pub async fn list_objects_v2(
        &self,
        request: &ListObjectsV2,
    ) -> Result<ListObjectsV2Output, ClientError> {
        self.call(request).await
    }

    /// `s3:CreateMultipartUpload`.
    pub async fn create_multipart_upload(
        &self,
        request: &CreateMultipartUpload,
    ) -> Result<CreateMultipartUploadOutput, ClientError> {
        self.call(request).await
    }

    /// `s3:UploadPart`.
    pub async fn upload_part(&self, request: &UploadPart) -> Result<UploadPartOutput, ClientError> {
        self.call(request).await
    }

    /// `s3:CompleteMultipartUpload`.
    pub async fn complete_multipart_upload(
        &self,
        request: &CompleteMultipartUpload,
    ) -> Result<CompleteMultipartUploadOutput, ClientError> {
        self.call(request).await
    }

    /// `s3:AbortMultipartUpload`.
    pub async fn abort_multipart_upload(
        &self,
        request: &AbortMultipartUpload,
    ) -> Result<(), ClientError> {
        self.call(request).await
    }

    /// `s3:ListParts` (one page).
    pub async fn list_parts(&self, request: &ListParts) -> Result<ListPartsOutput, ClientError> {
        self.call(request).await
    }

    /// Runs a query-protocol call.
    pub async fn query(&self, call: &QueryCall) -> Result<QueryResponse, ClientError> {
        self.call(call).await
    }

    /// Runs `call` with `DryRun=true`.
    pub async fn dry_run(&self, call: &QueryCall) -> Result<DryRunOutcome, ClientError> {
        self.call(&DryRun::new(call.clone())).await
    }

    /// Instance metadata over this client's transport and runtime, IMDS
    /// configured by `config` (e.g. [`ImdsConfig::from_env`]).
    pub fn instance_metadata(&self, config: ImdsConfig) -> AsyncInstanceMetadata {
        AsyncInstanceMetadata::new(
            self.inner.caller.transport().clone(),
            config,
            self.inner.runtime.clone(),
        )
    }
}
