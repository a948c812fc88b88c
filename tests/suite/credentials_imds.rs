//! The instance-profile provider against the IMDS emulator over real HTTP.
#![cfg(all(feature = "client", feature = "imds-emulator"))]

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::support::{closed_port, SilentListener};
use sigv4::config::{Env, ProfileSet};
use sigv4::credentials::imds::InstanceProfileProvider;
use sigv4::credentials::{CredentialsError, ProvideCredentials, SkipReason};
use sigv4::imds::emulator::{EmulatorConfig, ImdsEmulator, RoleCredentials};
use sigv4::imds::{ImdsClient, ImdsConfig, ImdsEndpoint};
use sigv4::transport::UreqTransport;

fn provider(endpoint: &str) -> InstanceProfileProvider {
    let config = ImdsConfig::new(ImdsEndpoint::parse(endpoint).unwrap());
    InstanceProfileProvider::new(Arc::new(ImdsClient::new(
        Arc::new(UreqTransport::new()),
        config,
    )))
}

fn start(config: EmulatorConfig) -> ImdsEmulator {
    ImdsEmulator::start(config).expect("start emulator")
}

#[test]
fn role_credentials() {
    let expiration = SystemTime::UNIX_EPOCH + Duration::from_secs(4_070_908_800);
    let emu = start(EmulatorConfig::default().with_role(
        "web-server",
        Some(RoleCredentials {
            access_key_id: "ASIAWEB".into(),
            secret_access_key: "websecret".into(),
            token: "webtoken".into(),
            expiration,
        }),
    ));
    let mut warnings = Vec::new();
    let c = provider(&emu.endpoint())
        .provide_with_warnings(&mut warnings)
        .unwrap();
    assert_eq!(c.access_key_id(), "ASIAWEB");
    assert_eq!(c.secret_access_key(), "websecret");
    assert_eq!(c.session_token(), Some("webtoken"));
    assert_eq!(c.expires_at(), Some(expiration));
    assert_eq!(c.source(), "imds");
    assert!(warnings.is_empty());
    let paths: Vec<_> = emu.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/latest/api/token",
            "/latest/meta-data/iam/security-credentials/",
            "/latest/meta-data/iam/security-credentials/web-server"
        ]
    );
}

#[test]
fn configured_from_the_environment() {
    let emu = start(EmulatorConfig::default());
    let env = Env::from_map([("AWS_EC2_METADATA_SERVICE_ENDPOINT", emu.endpoint())]);
    let p = InstanceProfileProvider::from_env(
        Arc::new(UreqTransport::new()),
        &env,
        &ProfileSet::default(),
    );
    assert_eq!(p.provide().unwrap().access_key_id(), "ASIAEMULATOREXAMPLE");
    let env = Env::from_map([
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", emu.endpoint()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
    ]);
    let p = InstanceProfileProvider::from_env(
        Arc::new(UreqTransport::new()),
        &env,
        &ProfileSet::default(),
    );
    let e = p.provide().unwrap_err();
    assert!(
        matches!(e.skip_reason(), Some(SkipReason::ImdsDisabled { .. })),
        "{e}"
    );
}

#[test]
fn no_role_is_skipped() {
    let emu = start(EmulatorConfig::default().without_role());
    let e = provider(&emu.endpoint()).provide().unwrap_err();
    assert_eq!(e.skip_reason(), Some(&SkipReason::NoInstanceRole), "{e}");
}

#[test]
fn role_without_credentials_fails() {
    let emu = start(EmulatorConfig::default().with_role("empty-role", None));
    let e = provider(&emu.endpoint()).provide().unwrap_err();
    assert!(matches!(e, CredentialsError::ProviderFailed { .. }), "{e}");
    assert!(
        e.to_string().contains("empty-role") && e.to_string().contains("404"),
        "{e}"
    );
}

#[test]
fn expired_credentials_are_extended_with_a_warning() {
    let emu = start(EmulatorConfig::default().with_role(
        "late-role",
        Some(RoleCredentials::expired(Duration::from_secs(3600))),
    ));
    let mut warnings = Vec::new();
    let c = provider(&emu.endpoint())
        .provide_with_warnings(&mut warnings)
        .unwrap();
    let left = c
        .expires_at()
        .unwrap()
        .duration_since(SystemTime::now())
        .unwrap();
    assert!(
        left > Duration::from_secs(290) && left <= Duration::from_secs(600),
        "{left:?}"
    );
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("expired") && warnings[0].contains("static stability"));
    assert!(!warnings[0].contains("emulatorSecret"));
}

#[test]
fn disabled_by_403_is_skipped() {
    let emu = start(EmulatorConfig::default().with_token_status(403));
    let e = provider(&emu.endpoint()).provide().unwrap_err();
    assert!(
        matches!(e.skip_reason(), Some(SkipReason::ImdsDisabled { .. })),
        "{e}"
    );
}

#[test]
fn not_on_ec2_is_skipped_quickly() {
    let start = Instant::now();
    let e = provider(&format!("http://127.0.0.1:{}", closed_port()))
        .provide()
        .unwrap_err();
    assert!(
        matches!(e.skip_reason(), Some(SkipReason::NotOnEc2 { .. })),
        "{e}"
    );
    assert!(start.elapsed() < Duration::from_secs(3));

    let silent = SilentListener::start();
    let start = Instant::now();
    let e = provider(&silent.endpoint()).provide().unwrap_err();
    assert!(
        matches!(e.skip_reason(), Some(SkipReason::NotOnEc2 { .. })),
        "{e}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
}
