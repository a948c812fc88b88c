//! Third-party check: the instance-profile provider against moto's IMDS
//! (`moto_server`, from the Python package `moto[server]`).
//!
//! moto answers `PUT /latest/api/token` with a fixed token, lists the role
//! `default-role`, and serves its credentials without a `Code` field
//! (`test-key` / `test-secret-key` / `test-session-token`, expiring in a
//! day). `moto_server` is installed by `ci/install-peers` (run by
//! `ci/test`); when it is missing the test fails with that command.
#![cfg(feature = "client")]

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::support::MotoProcess;
use sigv4::credentials::imds::InstanceProfileProvider;
use sigv4::credentials::ProvideCredentials;
use sigv4::imds::{ImdsClient, ImdsConfig, ImdsEndpoint};
use sigv4::transport::UreqTransport;

#[test]
fn instance_profile_against_moto_server() {
    let moto = MotoProcess::start_unchecked();
    let config =
        ImdsConfig::new(ImdsEndpoint::parse(&moto.endpoint()).unwrap()).with_v1_disabled(true);
    let client = Arc::new(ImdsClient::new(Arc::new(UreqTransport::new()), config));
    let c = InstanceProfileProvider::new(client.clone())
        .provide()
        .unwrap();
    assert_eq!(c.access_key_id(), "test-key");
    assert_eq!(c.secret_access_key(), "test-secret-key");
    assert_eq!(c.session_token(), Some("test-session-token"));
    let left = c
        .expires_at()
        .unwrap()
        .duration_since(SystemTime::now())
        .unwrap();
    assert!(
        left > Duration::from_secs(23 * 3600) && left <= Duration::from_secs(24 * 3600),
        "{left:?}"
    );
    assert_eq!(client.region().unwrap(), "us-east-1");
    assert_eq!(client.instance_id().unwrap(), "i-fake");
    drop(moto);
}
