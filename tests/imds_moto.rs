//! Third-party check: the instance-profile provider against moto's IMDS
//! (`moto_server`, from the Python package `moto[server]`).
//!
//! moto answers `PUT /latest/api/token` with a fixed token, lists the role
//! `default-role`, and serves its credentials without a `Code` field
//! (`test-key` / `test-secret-key` / `test-session-token`, expiring in a
//! day). `moto_server` is installed from PyPI by the shared test harness
//! when missing.
#![cfg(feature = "client")]

mod common;

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use common::{free_port, wait_for_port, ChildGuard};
use sigv4::credentials::imds::InstanceProfileProvider;
use sigv4::credentials::ProvideCredentials;
use sigv4::imds::{ImdsClient, ImdsConfig, ImdsEndpoint};
use sigv4::transport::UreqTransport;

#[test]
fn instance_profile_against_moto_server() {
    let port = free_port();
    let child = Command::new(common::moto_binary())
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto_server");
    let mut guard = ChildGuard(child);
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    if !wait_for_port(addr, Duration::from_secs(30)) {
        if let Ok(Some(status)) = guard.0.try_wait() {
            panic!("moto_server exited early: {status}");
        }
        panic!("moto_server did not listen on {addr} within 30 s");
    }

    let config = ImdsConfig::new(ImdsEndpoint::parse(&format!("http://{addr}")).unwrap())
        .with_v1_disabled(true);
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
    drop(guard);
}
