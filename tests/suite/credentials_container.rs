//! The container credentials provider: every case of the SDKs' shared
//! `ecs-tests.json`, then real HTTP against a local endpoint.

use sigv4::config::Env;
use sigv4::credentials::container::resolve_endpoint;
use sigv4::credentials::{CredentialsError, SkipReason};

/// The message of a container `InvalidConfiguration` error (any other
/// variant or provider fails the test).
fn invalid_configuration(e: &CredentialsError) -> &str {
    match e {
        CredentialsError::InvalidConfiguration { provider, message } if provider == "container" => {
            message
        }
        other => panic!("expected the container's InvalidConfiguration: {other:?}"),
    }
}

fn load_cases() -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/test-vectors/sdk-config/ecs-tests.json"
    ))
    .expect("ecs-tests.json");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    doc["tests"].as_array().expect("tests").clone()
}

fn env_of(case: &serde_json::Value) -> Env {
    let vars = case["env"].as_object().expect("env");
    Env::from_map(
        vars.iter()
            .map(|(k, v)| (k.clone(), v.as_str().expect("string").to_owned())),
    )
}

#[test]
fn ecs_endpoint_resolution_vectors() {
    let cases = load_cases();
    assert_eq!(cases.len(), 11);
    for case in &cases {
        let docs = case["docs"].as_str().unwrap();
        let result = resolve_endpoint(&env_of(case));
        if let Some(expected) = case["result"]["Ok"].as_str() {
            let uri = result.unwrap_or_else(|e| panic!("{docs}: {e}"));
            assert_eq!(uri.to_string(), expected, "{docs}");
        } else {
            let needle = case["result"]["ErrorContains"]
                .as_str()
                .expect("ErrorContains");
            let e = result.expect_err(docs);
            assert!(
                e.to_string().contains(needle),
                "{docs}: `{e}` lacks `{needle}`"
            );
            // Nothing set: the provider is skipped; a set but unusable URI
            // is a configuration error.
            if case["env"].as_object().unwrap().is_empty() {
                assert_eq!(
                    (e.provider(), e.skip_reason()),
                    (Some("container"), Some(&SkipReason::ContainerNotConfigured)),
                    "{docs}"
                );
            } else {
                invalid_configuration(&e);
            }
        }
    }
}

#[test]
fn full_uri_rules_beyond_the_vectors() {
    for uri in [
        "http://127.0.0.1:8080/creds",
        "http://127.5.6.7/creds",
        "http://[::1]:9/creds",
        "https://example.com/creds",
    ] {
        let env = Env::from_map([("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri)]);
        assert_eq!(resolve_endpoint(&env).unwrap().to_string(), uri);
    }
    let plain_http = |host: &str| {
        format!(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI: plain http is only allowed to a loopback address, \
             169.254.170.2, 169.254.170.23 or [fd00:ec2::23], not `{host}`; use https"
        )
    };
    for (uri, message) in [
        ("http://example.com/creds", plain_http("example.com")),
        (
            "http://169.254.169.254/creds",
            plain_http("169.254.169.254"),
        ),
        (
            "http://localhost.example.com/creds",
            plain_http("localhost.example.com"),
        ),
        (
            "ftp://127.0.0.1/creds",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI: the scheme must be http or https".to_owned(),
        ),
    ] {
        let env = Env::from_map([("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri)]);
        let e = resolve_endpoint(&env).unwrap_err();
        assert_eq!(invalid_configuration(&e), message, "{uri}");
    }
}

#[cfg(feature = "client")]
mod http {
    use crate::support::{closed_port, Step, StubServer, TempDir};
    use sigv4::config::Env;
    use sigv4::credentials::container::ContainerProvider;
    use sigv4::credentials::{CredentialsError, ProvideCredentials};
    use sigv4::transport::{RequestOptions, TransportError, TransportErrorKind, UreqTransport};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    const OK: &str = r#"{"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"containersecret","Token":"containertoken","Expiration":"2099-01-01T00:00:00Z","RoleArn":"arn:aws:iam::123456789012:role/task"}"#;

    fn provider(vars: Vec<(&str, String)>) -> ContainerProvider {
        ContainerProvider::new(Env::from_map(vars), Arc::new(UreqTransport::new()))
    }

    /// The provider's own timeouts, short: 200 ms to connect and to read.
    fn short_timeouts() -> RequestOptions {
        RequestOptions::new()
            .with_connect_timeout(Duration::from_millis(200))
            .with_read_timeout(Duration::from_millis(200))
    }

    /// The message and transport failure of the container's `Unreachable`
    /// error.
    fn unreachable(e: &CredentialsError) -> (&str, &TransportError) {
        match e {
            CredentialsError::Unreachable {
                provider,
                message,
                source: Some(source),
            } if provider == "container" => {
                let transport = source
                    .downcast_ref::<TransportError>()
                    .unwrap_or_else(|| panic!("not a transport error: {source:?}"));
                (message, transport)
            }
            other => panic!("expected the container's Unreachable: {other:?}"),
        }
    }

    #[test]
    fn fetches_with_the_authorization_token() {
        let server = StubServer::start(vec![Step::json(200, OK)]);
        let c = provider(vec![
            (
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                server.url("/v1/credentials?x=1"),
            ),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                "Bearer env-token".into(),
            ),
        ])
        .provide()
        .unwrap();
        assert_eq!(c.access_key_id(), "ASIACONTAINER");
        assert_eq!(c.secret_access_key(), "containersecret");
        assert_eq!(c.session_token(), Some("containertoken"));
        assert!(c.expires_at().is_some());
        let seen = server.seen();
        assert_eq!(seen.len(), 1);
        assert_eq!(
            (seen[0].method.as_str(), seen[0].target.as_str()),
            ("GET", "/v1/credentials?x=1")
        );
        assert_eq!(seen[0].header("authorization"), Some("Bearer env-token"));
    }

    #[test]
    fn token_file_wins_and_is_reread_each_fetch() {
        let dir = TempDir::new("container-token");
        let file = dir.write("token", "file-token-1\n");
        let server = StubServer::start(vec![Step::json(200, OK)]);
        let p = provider(vec![
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url("/creds")),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "env-token".into()),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                file.display().to_string(),
            ),
        ]);
        p.provide().unwrap();
        std::fs::write(&file, "file-token-2").unwrap();
        p.provide().unwrap();
        let tokens: Vec<_> = server
            .seen()
            .iter()
            .map(|s| s.header("authorization").map(str::to_owned))
            .collect();
        assert_eq!(
            tokens,
            vec![
                Some("file-token-1".to_owned()),
                Some("file-token-2".to_owned())
            ]
        );
    }

    #[test]
    fn retries_server_errors_then_succeeds() {
        let server = StubServer::start(vec![
            Step::json(500, "{}"),
            Step::json(503, "{}"),
            Step::json(200, OK),
        ]);
        let c = provider(vec![(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            server.url("/creds"),
        )])
        .provide()
        .unwrap();
        assert_eq!(c.access_key_id(), "ASIACONTAINER");
        assert_eq!(server.seen().len(), 3);
    }

    #[test]
    fn client_errors_are_not_retried_and_are_summarised() {
        let server = StubServer::start(vec![Step::json(
            403,
            r#"{"code":"AccessDenied","message":"Unable to validate token"}"#,
        )]);
        let e = provider(vec![(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            server.url("/creds"),
        )])
        .provide()
        .unwrap_err();
        let CredentialsError::ProviderFailed { provider, message } = &e else {
            panic!("expected ProviderFailed: {e:?}")
        };
        assert_eq!(
            (provider.as_str(), message.as_str()),
            (
                "container",
                "the endpoint answered 403 AccessDenied: Unable to validate token"
            )
        );
        assert_eq!(server.seen().len(), 1);
    }

    #[test]
    fn server_errors_on_every_attempt_give_the_last_answer() {
        let server = StubServer::start(vec![
            Step::json(500, r#"{"code":"First"}"#),
            Step::json(503, r#"{"code":"Second"}"#),
            Step::json(502, r#"{"code":"Third","message":"still down"}"#),
        ]);
        let e = provider(vec![(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            server.url("/creds"),
        )])
        .provide()
        .unwrap_err();
        let CredentialsError::ProviderFailed { provider, message } = &e else {
            panic!("expected ProviderFailed: {e:?}")
        };
        assert_eq!(
            (provider.as_str(), message.as_str()),
            ("container", "the endpoint answered 502 Third: still down")
        );
        assert_eq!(server.seen().len(), 3);
    }

    /// Each attempt waits the provider's read timeout (200 ms here) for an
    /// endpoint that answers too late, then gives up: three requests, each
    /// a timeout. Without the timeout each attempt would wait the 5 s delay.
    #[test]
    fn a_slow_endpoint_times_out_on_each_attempt() {
        let server = StubServer::start(vec![Step::Delay(
            Duration::from_secs(5),
            Box::new(Step::json(200, OK)),
        )]);
        let url = server.url("/creds");
        let start = Instant::now();
        let e = provider(vec![("AWS_CONTAINER_CREDENTIALS_FULL_URI", url.clone())])
            .with_request_options(short_timeouts())
            .provide()
            .unwrap_err();
        let elapsed = start.elapsed();
        let (message, transport) = unreachable(&e);
        assert_eq!(message, format!("GET {url} failed"));
        assert_eq!(transport.kind(), TransportErrorKind::Timeout, "{transport}");
        // Exactly three attempts, each of which reached the server.
        assert_eq!(server.connections(), 3, "{e}");
        assert_eq!(
            server.seen_at_least(3, Duration::from_secs(10)).len(),
            3,
            "{e}"
        );
        // 3 × 200 ms plus the 100 + 200 ms pauses; far below 3 × 5 s.
        assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    }

    /// An endpoint that reads the request and closes the connection: each
    /// of the three attempts reaches it, and the error names the request.
    #[test]
    fn a_dropped_connection_is_retried_then_unreachable() {
        let server = StubServer::start(vec![Step::Drop]);
        let url = server.url("/creds");
        let e = provider(vec![("AWS_CONTAINER_CREDENTIALS_FULL_URI", url.clone())])
            .with_request_options(short_timeouts())
            .provide()
            .unwrap_err();
        let (message, transport) = unreachable(&e);
        assert_eq!(message, format!("GET {url} failed"));
        assert_eq!(transport.kind(), TransportErrorKind::Io, "{transport}");
        assert_eq!(server.connections(), 3);
        assert_eq!(server.seen().len(), 3);
    }

    #[test]
    fn unreachable_endpoint_fails_fast() {
        let url = format!("http://127.0.0.1:{}/creds", closed_port());
        let start = Instant::now();
        let e = provider(vec![("AWS_CONTAINER_CREDENTIALS_FULL_URI", url.clone())])
            .provide()
            .unwrap_err();
        let elapsed = start.elapsed();
        let (message, transport) = unreachable(&e);
        assert_eq!(message, format!("GET {url} failed"));
        // Refused at once, not a connect timeout.
        assert_eq!(transport.kind(), TransportErrorKind::Connect, "{transport}");
        // Three refused connections and 300 ms of pauses; waiting out the
        // default 2 s connect timeout three times would take over 6 s.
        assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    }

    #[test]
    fn unusable_token_file_is_an_error() {
        let e = provider(vec![
            (
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://127.0.0.1:9/creds".into(),
            ),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                "/nonexistent/token".into(),
            ),
        ])
        .provide()
        .unwrap_err();
        let CredentialsError::InvalidConfiguration { provider, message } = &e else {
            panic!("expected InvalidConfiguration: {e:?}")
        };
        assert_eq!(provider, "container");
        assert!(
            message.starts_with(
                "could not read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE `/nonexistent/token`: "
            ),
            "{message}"
        );
    }
}
