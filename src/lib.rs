//! AWS Signature Version 4, in pure Rust.
//!
//! - [`sign`]: the signing core, `no_std` + `alloc`, no I/O, no clock: turns a
//!   request (method, path, query, headers, payload hash) into an
//!   `Authorization` header or a presigned query string, exactly as AWS
//!   computes them (all 40 cases of the AWS SigV4 test suite pass byte for
//!   byte).
//! - [`http`](crate::http) (feature `http`, default): sign an [`::http::Request`] in place,
//!   or presign it into a URL.
//! - [`s3`] (feature `std`, default): S3 presigned URLs, S3 signing rules, aws-chunked uploads.
//! - [`credentials`] (feature `std`, default): credentials and where they come from.
//! - [`config`] (feature `std`, default): the shared `~/.aws/config` and
//!   `~/.aws/credentials` files.
//! - [`transport`] (feature `http`, default): the HTTP `Transport` trait every network call goes through; a blocking ureq/rustls implementation with feature `client`.
//! - [`imds`] (feature `http`, default): the EC2 instance metadata service (IMDSv2), sans-IO protocol and client; a local emulator with feature `imds-emulator`.
//! - `client` (feature `client`): a minimal API client: signed requests with retries and backoff, typed AWS errors, STS, S3 objects, query-protocol calls (EC2 dry runs), instance metadata, assume-role and web-identity profiles.
//!
//! # Features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `std` | yes | `std::error::Error`, `SystemTime`, shared config files |
//! | `http` | yes | [`http`](crate::http) integration, [`transport`], [`imds`] (implies `std`) |
//! | `client` | no | the ureq transport and the API client (`client` module) |
//! | `imds-emulator` | no | a local IMDS emulator (`imds::emulator`) |
//! | `cli` | no | the `sigv4` command-line tool |
//!
//! With `default-features = false` the crate is `#![no_std]` and needs only
//! `alloc`.
//!
//! # Example
//!
//! The request from the AWS documentation's walkthrough, signed for the
//! `Authorization` header:
//!
//! ```
//! use sigv4::sign::{sign_headers, SignableRequest, SigningParams, SigningTime};
//!
//! let credentials = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
//! let params = SigningParams::new(&credentials, "us-east-1",
//!     "iam",
//!     SigningTime::parse_amz_date("20150830T123600Z")?,
//! );
//! let req = SignableRequest::new("GET", "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08")?
//!     .header("content-type", "application/x-www-form-urlencoded; charset=utf-8");
//! let signed = sign_headers(&req, &params)?;
//! assert_eq!(signed.signature(), "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
//! # Ok::<(), sigv4::sign::Error>(())
//! ```
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs, rust_2018_idioms, unreachable_pub)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

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

#[cfg(feature = "std")]
pub mod s3;

#[cfg(feature = "client")]
pub mod api;

#[cfg(feature = "client")]
pub mod client;

pub use sign::{Credentials, Payload, SignableRequest, SigningParams, SigningTime};

#[cfg(feature = "std")]
pub use credentials::ProvideCredentials;

#[cfg(feature = "std")]
pub use s3::S3Location;

#[cfg(feature = "client")]
pub use client::Client;

// The README's examples run as doc tests.
#[cfg(all(doctest, feature = "std"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
