//! The default chain in the AWS CLI's order, `explain()`, the role slot,
//! and the chain over real HTTP (container endpoint, IMDS emulator).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::support::TempDir;
use sigv4::config::Env;
use sigv4::credentials::{Credentials, CredentialsError, ProvideCredentials, SkipReason};
use sigv4::credentials::{CredentialsChain, DefaultChainBuilder, Outcome};

fn base_env(dir: &TempDir, vars: &[(&str, String)]) -> Env {
    let mut all = vec![("HOME".to_owned(), dir.path().display().to_string())];
    all.extend(vars.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    Env::from_map(all)
}

pub(crate) fn outcome_names(
    report: &sigv4::credentials::chain::ChainReport,
) -> Vec<(String, &'static str)> {
    report
        .steps()
        .iter()
        .map(|s| {
            let kind = match s.outcome {
                Outcome::Used { .. } => "used",
                Outcome::Skipped(_) => "skipped",
                Outcome::Failed(_) => "failed",
                Outcome::NotReached => "not reached",
                _ => "other",
            };
            (s.name.clone(), kind)
        })
        .collect()
}

#[cfg(all(feature = "client", feature = "imds-emulator"))]
fn names(pairs: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
    pairs.iter().map(|(n, k)| ((*n).to_owned(), *k)).collect()
}

/// A transport that must not be used (the test fails if it is).
#[cfg(feature = "http")]
fn no_network() -> Arc<dyn sigv4::transport::Transport> {
    Arc::new(sigv4::transport::from_fn(|request, _| {
        panic!("unexpected request to {}", request.uri())
    }))
}

#[cfg(feature = "http")]
#[test]
fn the_chain_has_the_aws_cli_order() {
    let dir = TempDir::new("chain-order");
    let chain = DefaultChainBuilder::new()
        .env(base_env(&dir, &[]))
        .transport(no_network())
        .build();
    // With the client, the role slot holds assume-role and web identity.
    #[cfg(feature = "client")]
    let want = [
        "explicit",
        "environment",
        "assume-role",
        "web-identity",
        "sso",
        "login",
        "profile",
        "container",
        "imds",
    ]
    .as_slice();
    #[cfg(not(feature = "client"))]
    let want = ["explicit", "environment", "profile", "container", "imds"].as_slice();
    assert_eq!(chain.names().collect::<Vec<_>>(), want);
}

#[test]
fn explicit_credentials_win_over_everything() {
    let dir = TempDir::new("chain-explicit");
    let env = base_env(
        &dir,
        &[
            ("AWS_ACCESS_KEY_ID", "AKIDENV".into()),
            ("AWS_SECRET_ACCESS_KEY", "envsecret".into()),
        ],
    );
    let report = DefaultChainBuilder::new()
        .env(env)
        .explicit(Credentials::new("AKIDEXPLICIT", "explicitsecret"))
        .build()
        .explain();
    assert_eq!(
        report.credentials().unwrap().access_key_id(),
        "AKIDEXPLICIT"
    );
    match &report.step("explicit").unwrap().outcome {
        Outcome::Used {
            source,
            access_key_id,
            expires_at,
        } => assert_eq!(
            (source.as_str(), access_key_id.as_str(), *expires_at),
            ("explicit", "AKIDEXPLICIT", None)
        ),
        other => panic!("{other:?}"),
    }
    assert!(report.steps()[1..]
        .iter()
        .all(|s| matches!(s.outcome, Outcome::NotReached)));
}

#[test]
fn an_explicit_profile_turns_the_environment_off() {
    let dir = TempDir::new("chain-profile");
    std::fs::create_dir_all(dir.path().join(".aws")).unwrap();
    dir.write(
        ".aws/credentials",
        "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = devsecret\n",
    );
    let vars = [
        ("AWS_ACCESS_KEY_ID", "AKIDENV".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "envsecret".to_owned()),
    ];
    // AWS_PROFILE does not beat environment keys...
    let mut with_var = vars.to_vec();
    with_var.push(("AWS_PROFILE", "dev".into()));
    let c = DefaultChainBuilder::new()
        .env(base_env(&dir, &with_var))
        .build()
        .provide()
        .unwrap();
    assert_eq!(c.access_key_id(), "AKIDENV");
    // ...but an explicitly chosen profile does (the CLI's --profile).
    let report = DefaultChainBuilder::new()
        .env(base_env(&dir, &vars))
        .profile("dev")
        .build()
        .explain();
    assert_eq!(report.credentials().unwrap().access_key_id(), "AKIDDEV");
    match &report.step("environment").unwrap().outcome {
        Outcome::Skipped(SkipReason::ExplicitProfile { profile }) => assert_eq!(profile, "dev"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_failing_provider_stops_the_chain() {
    let dir = TempDir::new("chain-fail");
    let env = base_env(&dir, &[("AWS_ACCESS_KEY_ID", "AKIDPARTIAL".into())]);
    let report = DefaultChainBuilder::new().env(env).build().explain();
    let kinds = outcome_names(&report);
    assert_eq!(kinds[0], ("explicit".to_owned(), "skipped"));
    assert_eq!(kinds[1], ("environment".to_owned(), "failed"));
    assert!(
        kinds[2..].iter().all(|(_, k)| *k == "not reached"),
        "{kinds:?}"
    );
    match report.result() {
        Err(CredentialsError::InvalidConfiguration { provider, message }) => assert_eq!(
            (provider.as_str(), message.as_str()),
            (
                "environment",
                "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
            )
        ),
        other => panic!("{other:?}"),
    }
    match &report.step("environment").unwrap().outcome {
        Outcome::Failed(CredentialsError::InvalidConfiguration { provider, .. }) => {
            assert_eq!(provider, "environment");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_role_slot_sits_between_environment_and_profile() {
    struct Counting(AtomicUsize, Option<&'static str>);
    impl ProvideCredentials for Counting {
        fn provide(&self) -> Result<Credentials, CredentialsError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            match self.1 {
                Some(key) => Ok(Credentials::new(key, "s").with_source("assume-role")),
                None => Err(CredentialsError::not_loaded(
                    "assume-role",
                    SkipReason::Other("no role_arn".into()),
                )),
            }
        }
    }
    let dir = TempDir::new("chain-slot");
    std::fs::create_dir_all(dir.path().join(".aws")).unwrap();
    dir.write(
        ".aws/credentials",
        "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n",
    );
    let env_keys = [
        ("AWS_ACCESS_KEY_ID", "AKIDENV".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "s".to_owned()),
    ];
    let role = Arc::new(Counting(AtomicUsize::new(0), Some("ASIAROLE")));
    let build = |vars: &[(&str, String)]| {
        DefaultChainBuilder::new()
            .env(base_env(&dir, vars))
            .role_provider("assume-role", role.clone())
            .build()
    };
    assert_eq!(
        build(&env_keys).provide().unwrap().access_key_id(),
        "AKIDENV"
    );
    assert_eq!(role.0.load(Ordering::SeqCst), 0);
    let report = build(&[]).explain();
    assert_eq!(report.credentials().unwrap().access_key_id(), "ASIAROLE");
    assert_eq!(report.steps()[2].name, "assume-role");
    assert!(matches!(
        report.step("profile").unwrap().outcome,
        Outcome::NotReached
    ));
    let skipping = Arc::new(Counting(AtomicUsize::new(0), None));
    let c = DefaultChainBuilder::new()
        .env(base_env(&dir, &[]))
        .role_provider("assume-role", skipping)
        .build()
        .provide()
        .unwrap();
    assert_eq!(c.access_key_id(), "AKIDFILE");
}

#[test]
fn an_empty_chain_explains_itself() {
    let report = CredentialsChain::new().explain();
    match report.result() {
        Err(CredentialsError::NoCredentials { skipped }) => {
            assert!(skipped.is_empty(), "{skipped:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(report.steps().is_empty());
    assert!(report.to_string().contains("no credentials found"));
}

#[cfg(all(feature = "client", feature = "imds-emulator"))]
mod over_http {
    use super::*;
    use crate::support::{
        closed_port, Attempt, CountingTransport, SilentListener, Step, StubServer,
    };
    use sigv4::credentials::cache::CachedProvider;
    use sigv4::imds::emulator::{EmulatorConfig, ImdsEmulator};
    use sigv4::imds::protocol::{SECURITY_CREDENTIALS_PATH, TOKEN_PATH};
    use sigv4::transport::TransportErrorKind;
    use std::time::{Duration, Instant};

    fn imds_env(emu_endpoint: String) -> (&'static str, String) {
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", emu_endpoint)
    }

    #[test]
    fn environment_keys_beat_the_instance_profile() {
        // The classic trap: keys left in the environment on an EC2
        // instance win over its role.
        let emu = ImdsEmulator::start(EmulatorConfig::default()).unwrap();
        let dir = TempDir::new("chain-trap");
        let env = base_env(
            &dir,
            &[
                ("AWS_ACCESS_KEY_ID", "AKIDSTALEENV".into()),
                ("AWS_SECRET_ACCESS_KEY", "stalesecret".into()),
                imds_env(emu.endpoint()),
            ],
        );
        let chain = DefaultChainBuilder::new().env(env.clone()).build();
        let report = chain.explain();
        assert_eq!(
            report.credentials().unwrap().access_key_id(),
            "AKIDSTALEENV"
        );
        assert_eq!(
            outcome_names(&report),
            names(&[
                ("explicit", "skipped"),
                ("environment", "used"),
                ("assume-role", "not reached"),
                ("web-identity", "not reached"),
                ("sso", "not reached"),
                ("login", "not reached"),
                ("profile", "not reached"),
                ("container", "not reached"),
                ("imds", "not reached"),
            ])
        );
        assert!(emu.requests().is_empty(), "IMDS was not even asked");
        let shown = report.to_string();
        assert!(
            shown.contains("imds") && shown.contains("not reached"),
            "{shown}"
        );
        assert!(!shown.contains("stalesecret"), "{shown}");

        // Without the stale keys, the instance profile is used.
        let env = base_env(&dir, &[imds_env(emu.endpoint())]);
        let report = DefaultChainBuilder::new().env(env).build().explain();
        assert_eq!(
            report.credentials().unwrap().access_key_id(),
            "ASIAEMULATOREXAMPLE"
        );
        assert_eq!(
            outcome_names(&report),
            names(&[
                ("explicit", "skipped"),
                ("environment", "skipped"),
                ("assume-role", "skipped"),
                ("web-identity", "skipped"),
                ("sso", "skipped"),
                ("login", "skipped"),
                ("profile", "skipped"),
                ("container", "skipped"),
                ("imds", "used"),
            ])
        );
        let skip = |name: &str| match &report.step(name).unwrap().outcome {
            Outcome::Skipped(reason) => reason.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            skip("environment"),
            SkipReason::VariablesUnset(vec!["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
        );
        assert_eq!(
            skip("profile"),
            SkipReason::ProfileMissing {
                profile: "default".into()
            }
        );
        assert_eq!(skip("container"), SkipReason::ContainerNotConfigured);
        let shown = report.to_string();
        assert!(
            shown.contains("used: ASIAEMULATOREXAMPLE from imds"),
            "{shown}"
        );
        assert!(
            !shown.contains("emulatorSecret") && !shown.contains("emulatorSessionToken"),
            "{shown}"
        );
    }

    #[test]
    fn container_comes_before_the_instance_profile() {
        let emu = ImdsEmulator::start(EmulatorConfig::default()).unwrap();
        let container = StubServer::start(vec![Step::json(
            200,
            r#"{"AccessKeyId":"ASIATASK","SecretAccessKey":"s","Token":"t","Expiration":"2099-01-01T00:00:00Z"}"#,
        )]);
        let dir = TempDir::new("chain-container");
        let env = base_env(
            &dir,
            &[
                (
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                    container.url("/creds"),
                ),
                imds_env(emu.endpoint()),
            ],
        );
        let report = DefaultChainBuilder::new().env(env).build().explain();
        assert_eq!(report.credentials().unwrap().access_key_id(), "ASIATASK");
        assert!(matches!(
            report.step("imds").unwrap().outcome,
            Outcome::NotReached
        ));
        assert!(emu.requests().is_empty());
    }

    #[test]
    fn expired_instance_credentials_warn_in_the_report() {
        let emu = ImdsEmulator::start(EmulatorConfig::default().with_role(
            "r",
            Some(sigv4::imds::emulator::RoleCredentials::expired(
                Duration::from_secs(60),
            )),
        ))
        .unwrap();
        let dir = TempDir::new("chain-expired");
        let report = DefaultChainBuilder::new()
            .env(base_env(&dir, &[imds_env(emu.endpoint())]))
            .build()
            .explain();
        assert!(report.credentials().is_some());
        let warnings: Vec<_> = report.warnings().collect();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("imds: IMDS returned credentials that expired"),
            "{warnings:?}"
        );
        assert!(report
            .to_string()
            .contains("warning: IMDS returned credentials that expired"));
    }

    /// Off EC2 (nothing listens, or something accepts and never answers)
    /// every provider is skipped and IMDS gives up after its attempts:
    /// one refused token request; or, never answered, the token request
    /// and the IMDSv1 role list request, each waited out once. The IMDS
    /// timeouts are set to 200 ms through `AWS_METADATA_SERVICE_TIMEOUT`;
    /// the attempts are counted, and the 3 s bound has ample slack.
    #[test]
    fn off_ec2_the_whole_chain_gives_up_in_under_3_seconds() {
        let dir = TempDir::new("chain-offline");
        let silent = SilentListener::start();
        let token = |outcome| Attempt {
            method: "PUT".into(),
            path: TOKEN_PATH.into(),
            outcome,
        };
        let role_list = |outcome| Attempt {
            method: "GET".into(),
            path: SECURITY_CREDENTIALS_PATH.into(),
            outcome,
        };
        for (endpoint, attempts, connections, failed_request) in [
            (
                format!("http://127.0.0.1:{}", closed_port()),
                vec![token(Err(TransportErrorKind::Connect))],
                0,
                "PUT /latest/api/token: ",
            ),
            (
                silent.endpoint(),
                vec![
                    token(Err(TransportErrorKind::Timeout)),
                    role_list(Err(TransportErrorKind::Timeout)),
                ],
                2,
                "GET /latest/meta-data/iam/security-credentials/: ",
            ),
        ] {
            let transport = CountingTransport::new();
            let start = Instant::now();
            let report = DefaultChainBuilder::new()
                .env(base_env(
                    &dir,
                    &[
                        imds_env(endpoint.clone()),
                        ("AWS_METADATA_SERVICE_TIMEOUT", "0.2".into()),
                    ],
                ))
                .transport(Arc::new(transport.clone()))
                .build()
                .explain();
            let elapsed = start.elapsed();
            assert_eq!(transport.attempts(), attempts, "{endpoint}");
            // The listener's count so far: none from the closed port.
            assert_eq!(silent.connections(), connections, "{endpoint}");
            assert!(elapsed < Duration::from_secs(3), "{endpoint}: {elapsed:?}");
            match report.result() {
                Err(CredentialsError::NoCredentials { skipped }) => {
                    let names: Vec<_> = skipped.iter().map(|(n, _)| n.as_str()).collect();
                    assert_eq!(
                        names,
                        [
                            "explicit",
                            "environment",
                            "assume-role",
                            "web-identity",
                            "sso",
                            "login",
                            "profile",
                            "container",
                            "imds"
                        ],
                        "{skipped:?}"
                    );
                }
                other => panic!("{other:?}"),
            }
            match &report.step("imds").unwrap().outcome {
                Outcome::Skipped(SkipReason::NotOnEc2 { detail }) => {
                    assert!(detail.starts_with(failed_request), "{endpoint}: {detail}");
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn cached_chain_fetches_once() {
        let emu = ImdsEmulator::start(EmulatorConfig::default()).unwrap();
        let dir = TempDir::new("chain-cache");
        let chain = DefaultChainBuilder::new()
            .env(base_env(&dir, &[imds_env(emu.endpoint())]))
            .build();
        let cached = CachedProvider::new(chain);
        for _ in 0..5 {
            assert_eq!(
                cached.provide().unwrap().access_key_id(),
                "ASIAEMULATOREXAMPLE"
            );
        }
        assert_eq!(emu.requests().len(), 3, "{:?}", emu.requests());
    }
}
