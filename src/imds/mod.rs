//! The EC2 instance metadata service, IMDS (feature `http`).
//!
//! - [`protocol`]: the exchanges without I/O (request builders, response
//!   parsers, the token cache state machine);
//! - [`endpoint`]: which endpoint to use (explicit, environment, profile,
//!   IPv4/IPv6 mode);
//! - [`ImdsClient`]: the protocol over a [`Transport`](crate::transport::Transport),
//!   with a generic [`get`](ImdsClient::get) and typed getters;
//! - [`resolve_region`]: the region chain with the instance's placement
//!   region as its last resort;
//! - `metadata` (feature `client`): typed instance metadata (identity
//!   document, IAM info, network interfaces...) over [`ImdsClient`];
//! - `emulator` (feature `imds-emulator`): a local IMDS for tests and
//!   `sigv4 imds serve`.
//!
//! Instance-profile credentials are read by the instance-profile provider
//! of the credentials layer, above this one.

#[cfg(feature = "async")]
pub mod async_metadata;
mod client;
pub mod endpoint;
mod error;
#[cfg(feature = "client")]
pub mod metadata;
pub mod protocol;

#[cfg(feature = "imds-emulator")]
pub mod emulator;

pub use client::{
    ImdsClient, ImdsConfig, PROFILE_NUM_ATTEMPTS, PROFILE_TIMEOUT, PROFILE_V1_DISABLED,
};
pub use endpoint::{EndpointMode, ImdsEndpoint};
pub use error::ImdsError;

use crate::config::{resolve_region_with_fallback, Env, ProfileSet, RegionSource};

/// The region: `explicit`, `AWS_REGION`, `AWS_DEFAULT_REGION`, the
/// profile's `region`, then (only if `imds` is given, and only when all
/// of those are empty) the instance's placement region, else `us-east-1`.
///
/// IMDS errors (not on EC2, disabled...) fall through to the default; the
/// lookup is opt-in because it costs up to a couple of seconds off EC2.
///
/// ```
/// use sigv4::config::{Env, ProfileSet, RegionSource};
/// use sigv4::imds::{resolve_region, ImdsClient, ImdsConfig};
/// use std::sync::Arc;
///
/// let env = Env::from_map([("AWS_REGION", "eu-west-3")]);
/// let client = ImdsClient::new(
///     Arc::new(sigv4::transport::from_fn(|_, _| unreachable!("not needed"))),
///     ImdsConfig::default(),
/// );
/// assert_eq!(
///     resolve_region(None, &env, &ProfileSet::default(), Some(&client)),
///     ("eu-west-3".to_owned(), RegionSource::EnvAwsRegion)
/// );
/// ```
pub fn resolve_region(
    explicit: Option<&str>,
    env: &Env,
    profiles: &ProfileSet,
    imds: Option<&ImdsClient>,
) -> (String, RegionSource) {
    match imds {
        Some(client) => {
            let fallback = || client.region().ok();
            resolve_region_with_fallback(explicit, env, profiles, Some(&fallback))
        }
        None => resolve_region_with_fallback(explicit, env, profiles, None),
    }
}
