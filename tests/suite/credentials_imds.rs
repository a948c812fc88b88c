//! The instance-profile provider against the IMDS emulator over real HTTP.
#![cfg(all(feature = "client", feature = "imds-emulator"))]

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::support::{closed_port, Attempt, CountingTransport, SilentListener};
use sigv4::config::{Env, ProfileSet};
use sigv4::credentials::imds::InstanceProfileProvider;
use sigv4::credentials::{CredentialsError, ProvideCredentials, SkipReason};
use sigv4::imds::emulator::{EmulatorConfig, ImdsEmulator, RoleCredentials};
use sigv4::imds::protocol::TOKEN_PATH;
use sigv4::imds::{ImdsClient, ImdsConfig, ImdsEndpoint};
use sigv4::transport::{TransportErrorKind, UreqTransport};

fn provider(endpoint: &str) -> InstanceProfileProvider {
    let config = ImdsConfig::new(ImdsEndpoint::parse(endpoint).unwrap());
    InstanceProfileProvider::new(Arc::new(ImdsClient::new(
        Arc::new(UreqTransport::new()),
        config,
    )))
}

/// The provider's `NotOnEc2` detail (any other error fails the test).
fn not_on_ec2(e: &CredentialsError) -> &str {
    match e {
        CredentialsError::NotLoaded {
            provider,
            reason: SkipReason::NotOnEc2 { detail },
        } if provider == "imds" => detail,
        other => panic!("expected imds NotOnEc2: {other:?}"),
    }
}

/// The provider's `ImdsDisabled` reason.
fn imds_disabled(e: &CredentialsError) -> &str {
    match e {
        CredentialsError::NotLoaded {
            provider,
            reason: SkipReason::ImdsDisabled { reason },
        } if provider == "imds" => reason,
        other => panic!("expected imds ImdsDisabled: {other:?}"),
    }
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
    assert_eq!(imds_disabled(&e), "AWS_EC2_METADATA_DISABLED is true");
    assert_eq!(emu.requests().len(), 3, "only the first provider asked");
}

#[test]
fn no_role_is_skipped() {
    let emu = start(EmulatorConfig::default().without_role());
    let e = provider(&emu.endpoint()).provide().unwrap_err();
    assert_eq!(e.provider(), Some("imds"), "{e}");
    assert_eq!(e.skip_reason(), Some(&SkipReason::NoInstanceRole), "{e}");
}

#[test]
fn role_without_credentials_fails() {
    let emu = start(EmulatorConfig::default().with_role("empty-role", None));
    let e = provider(&emu.endpoint()).provide().unwrap_err();
    let CredentialsError::ProviderFailed { provider, message } = &e else {
        panic!("expected ProviderFailed: {e:?}")
    };
    assert_eq!(
        (provider.as_str(), message.as_str()),
        (
            "imds",
            "the instance's role is listed but /latest/meta-data/iam/security-credentials/empty-role \
             answered 404 (role without credentials?)"
        )
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
    assert!(
        warnings[0].starts_with("IMDS returned credentials that expired at ")
            && warnings[0].contains("; using them until ")
            && warnings[0].ends_with(" (static stability)"),
        "{warnings:?}"
    );
    assert!(!warnings[0].contains("emulatorSecret"));
}

#[test]
fn disabled_by_403_is_skipped() {
    let emu = start(EmulatorConfig::default().with_token_status(403));
    let e = provider(&emu.endpoint()).provide().unwrap_err();
    assert_eq!(
        imds_disabled(&e),
        "the token request was answered 403 Forbidden"
    );
    assert_eq!(emu.requests().len(), 1, "{:?}", emu.requests());
}

#[test]
fn not_on_ec2_is_skipped_quickly() {
    // Refused: one attempt, the token request, no retry.
    let transport = CountingTransport::new();
    let config = ImdsConfig::new(
        ImdsEndpoint::parse(&format!("http://127.0.0.1:{}", closed_port())).unwrap(),
    );
    let p = InstanceProfileProvider::new(Arc::new(ImdsClient::new(
        Arc::new(transport.clone()),
        config,
    )));
    let e = p.provide().unwrap_err();
    assert!(not_on_ec2(&e).starts_with("PUT /latest/api/token: "), "{e}");
    assert_eq!(
        transport.attempts(),
        [Attempt {
            method: "PUT".into(),
            path: TOKEN_PATH.into(),
            outcome: Err(TransportErrorKind::Connect)
        }]
    );

    // Never answered, with the client's timeouts at 200 ms: the token
    // request and the IMDSv1 role list request each time out once, then it
    // gives up.
    let silent = SilentListener::start();
    let config = ImdsConfig::new(ImdsEndpoint::parse(&silent.endpoint()).unwrap())
        .with_timeouts(Duration::from_millis(200), Duration::from_millis(200));
    let p = InstanceProfileProvider::new(Arc::new(ImdsClient::new(
        Arc::new(UreqTransport::new()),
        config,
    )));
    let start = Instant::now();
    let e = p.provide().unwrap_err();
    let elapsed = start.elapsed();
    let detail = not_on_ec2(&e);
    assert!(
        detail.starts_with("GET /latest/meta-data/iam/security-credentials/: ")
            && detail.contains("timed out waiting for the response"),
        "{detail}"
    );
    assert_eq!(silent.connections(), 2);
    // Generous: only a hang (or waiting out far longer timeouts) fails.
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
}
