//! The integration tests, in one binary so the crate is linked once.
//!
//! One module per area; the shared harness is in `support`. Only
//! `tests/allocations.rs` stays a binary of its own: it installs a counting
//! `#[global_allocator]` and must be the only test running in its process.

mod support;

mod async_client;
mod async_credentials;
mod async_middleware;
mod chunked_v4a;
mod cli;
mod cli_presign_post;
mod cli_proxy;
mod cli_sigv4a;
mod cli_sso;
mod cli_streaming;
mod client_assume_role;
mod client_imds;
mod client_retry;
mod client_s3;
mod client_sts_moto;
mod concurrent_writes;
mod conformance;
mod conformance_v4a;
mod credentials_chain;
mod credentials_container;
mod credentials_imds;
mod credentials_login;
mod credentials_providers;
mod credentials_sso;
mod examples;
mod imds_client;
mod imds_endpoint;
mod imds_moto;
mod properties;
mod properties_v4a;
mod s3_checksums;
mod s3_moto;
mod s3_multipart;
mod s3_post_policy;
mod s3_server;
mod sdk_config;
mod server_aws_cli;
mod server_boto3;
mod server_layer;
mod server_sigv4;
