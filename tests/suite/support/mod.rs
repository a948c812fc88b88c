//! The shared test harness. Every server binds 127.0.0.1, and everything
//! started here is stopped or removed when dropped, also when a test fails.
//!
//! - [`tempdir`]: the temporary directory type.
//! - [`http_client`]: a plain HTTP/1.1 client, and the request reader the
//!   stub server uses.
//! - [`stub_server`]: the scripted HTTP server (canned answers, injected
//!   faults, recorded requests) and a listener that never answers.
//! - [`counting_transport`]: the ureq transport with a record of every
//!   request it sent (attempt counts against a closed port).
//! - [`process`]: child-process guard, free and closed ports.
//! - [`sso_server`]: the fake IAM Identity Center portal, SSO OIDC and
//!   sign-in services.
//! - [`peers`]: the real servers that check our signatures, s3s-fs and moto.
//! - [`garage`]: garage, the second S3 server.
//! - [`form_data`]: multipart/form-data bodies (presigned POST uploads).
//! - [`chromium`]: headless Chromium over the DevTools protocol (the
//!   browser upload test).

#[cfg(feature = "cli")]
mod chromium;
#[cfg(feature = "client")]
mod counting_transport;
mod form_data;
mod garage;
mod http_client;
mod peers;
mod process;
mod s3_objects;
#[cfg(feature = "client")]
mod sso_server;
#[cfg(feature = "client")]
mod stub_server;
mod tempdir;

#[cfg(feature = "cli")]
pub use chromium::Chromium;
#[cfg(feature = "client")]
pub use counting_transport::{Attempt, CountingTransport};
pub use form_data::post_form;
pub use garage::GarageServer;
#[cfg(feature = "client")]
pub use http_client::Seen;
pub use http_client::{http, Response};
#[cfg(feature = "sigv4a")]
pub use peers::awscrt_chunks;
#[cfg(feature = "cli")]
pub use peers::TRUST_ANYONE;
#[cfg(feature = "client")]
pub use peers::{create_role, peer_client, MotoProcess};
pub use peers::{tricky_keys, MotoServer, S3Server, ACCESS_KEY, SECRET_KEY};
#[cfg(feature = "client")]
pub use process::closed_port;
#[cfg(feature = "cli")]
pub use process::ChildGuard;
pub use s3_objects::{
    assert_s3_error, find_bytes, flip_hex_digit, query_value, s3_error_code, with_query_pair,
    with_query_repeated, with_query_value,
};
#[cfg(feature = "client")]
pub use sso_server::{Poll, SsoServer};
#[cfg(all(feature = "client", feature = "imds-emulator"))]
pub use stub_server::SilentListener;
#[cfg(feature = "client")]
pub use stub_server::{Step, StubServer};
pub use tempdir::TempDir;
