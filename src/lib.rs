//! AWS Signature Version 4, in pure Rust: a `no_std` signing core that
//! matches AWS byte for byte, S3 presigned URLs and aws-chunked uploads,
//! server-side verification, credentials found where the AWS CLI finds
//! them, a small blocking API client, and the `sigv4` command-line tool.
//!
//! # I want to...
//!
//! | task | use | feature |
//! | --- | --- | --- |
//! | sign a request (any HTTP stack) | [`sign::sign_headers`] with a [`SignableRequest`] and [`SigningParams`] | core |
//! | sign an [`::http::Request`] in place (body hashed for me) | [`http::sign_request`] ([`sign_request_with`](crate::http::sign_request_with) for streams) | `http` |
//! | presign a URL | [`sign::presign()`], [`http::presign_request`] | core, `http` |
//! | presign an S3 object URL (GET/PUT, custom endpoints) | [`s3::S3Location::presign`] | `std` |
//! | sign an S3 request or an aws-chunked upload (streamed, signed chunks or an unsigned checksum trailer) | [`s3::S3Location::sign`], [`s3::S3Location::sign_chunked_upload`], [`sign::chunked`] | `std`, core |
//! | compute an `x-amz-checksum-*` (CRC32, CRC32C, CRC64NVME, SHA1, SHA256) | [`sign::checksum`] | `std` |
//! | verify a signed request on the server | [`http::verify_request`], [`sign::verify()`] with [`sign::VerifyOptions`] | `http`, core |
//! | verify every request of a tower / hyper / axum server (S3 errors, streamed bodies) | `server::VerifyLayer` | `server` |
//! | hand over credentials | [`Credentials`]: every signing entry point takes `&Credentials`, and it is a provider | core |
//! | find credentials like the AWS CLI | [`credentials::default_chain()`] and its `explain()` | `client` (`std` without HTTP sources) |
//! | read `~/.aws/config` and `~/.aws/credentials` | [`config`] | `std` |
//! | call STS, S3, query-protocol APIs with retries | [`Client`] (sans-IO pieces in [`api`]) | `client` |
//! | talk to the EC2 instance metadata service | [`imds`] | `http` |
//! | async credentials, client, reqwest-middleware / tower signing | `credentials::asynchronous`, `client::AsyncClient`, `middleware` (its `RequestSigner`: `async`) | `reqwest`, `reqwest-middleware`, `tower` |
//! | do all of it from a shell | the `sigv4` binary: `cargo install sigv4 --features cli` | `cli` |
//!
//! # Features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `std` | yes | `std::error::Error`, `SystemTime`, credentials, shared config files, S3 helpers, flexible checksums |
//! | `http` | yes | [`http`] integration, [`transport`], [`imds`] (implies `std`) |
//! | `client` | no | the ureq/rustls transport, the API client and the role credential sources |
//! | `async` | no | async credentials (trait, chain, cache), the async call driver and client, runtime traits (implies `client`) |
//! | `tokio` | no | the tokio runtime implementation |
//! | `reqwest` | no | the reqwest/rustls async transport (implies `tokio`) |
//! | `reqwest-middleware` | no | the signing middleware for reqwest-middleware |
//! | `tower` | no | the signing tower layer |
//! | `server` | no | the verifying tower layer (no runtime or client stack) |
//! | `imds-emulator` | no | a local IMDS emulator |
//! | `cli` | no | the `sigv4` command-line tool, `sigv4 proxy` included (implies `reqwest`) |
//!
//! With `default-features = false` the crate is `#![no_std]` and needs only
//! `alloc`. The default features pull no TLS, async or CLI stack.
//!
//! # Example
//!
//! The request from the AWS documentation's walkthrough, signed for the
//! `Authorization` header:
//!
//! ```
//! use sigv4::sign::sign_headers;
//! use sigv4::{Credentials, SignableRequest, SigningParams, SigningTime};
//!
//! let credentials = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
//! let time = SigningTime::parse_amz_date("20150830T123600Z")?; // the core never reads a clock
//! let params = SigningParams::new(&credentials, "us-east-1", "iam", time);
//! let req = SignableRequest::new("GET", "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08")?
//!     .header("content-type", "application/x-www-form-urlencoded; charset=utf-8");
//! let signed = sign_headers(&req, &params)?;
//! assert_eq!(signed.signature(), "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
//! # Ok::<(), sigv4::sign::Error>(())
//! ```
//!
//! # Layers
//!
//! The crate is layered, each layer importing only those below it; see
//! `DESIGN.md` in the repository for one line per module:
//! `sign` (core) <- helpers <- `transport`, `config`, `imds`, `api` <-
//! `credentials` <- `client` <- the CLI.
#![cfg_attr(not(feature = "std"), no_std)]
// The library keeps `pub` for what it exports (the binary's modules are exempt).
#![warn(unreachable_pub)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;

pub mod sign;

#[cfg(feature = "std")]
mod util;

#[cfg(feature = "http")]
pub mod http;

#[cfg(feature = "std")]
pub mod config;

#[cfg(feature = "std")]
pub mod credentials;

#[cfg(feature = "http")]
pub mod transport;

#[cfg(feature = "http")]
pub mod imds;

#[cfg(feature = "async")]
pub mod runtime;

#[cfg(feature = "async")]
pub mod transport_async;

#[cfg(feature = "async")]
pub mod middleware;

#[cfg(feature = "std")]
pub mod s3;

#[cfg(feature = "server")]
pub mod server;

#[cfg(feature = "client")]
pub mod api;

#[cfg(feature = "client")]
pub mod client;

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
#[path = "fuzzing.rs"]
pub mod __fuzz;

pub use sign::{Credentials, Payload, SignableRequest, SigningParams, SigningTime};

#[cfg(feature = "std")]
pub use credentials::ProvideCredentials;

#[cfg(feature = "std")]
pub use s3::S3Location;

#[cfg(feature = "client")]
pub use client::Client;

// The README's examples run as doc tests.
// They use the client and the async middleware, so they run with features
// `client` and `reqwest-middleware` (CI runs all features).
#[cfg(all(doctest, feature = "client", feature = "reqwest-middleware"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
