//! The container credentials provider: every case of the SDKs' shared
//! `ecs-tests.json`, then real HTTP against a local endpoint.

use sigv4::config::Env;
use sigv4::credentials::container::resolve_endpoint;

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
        }
    }
}

#[test]
fn full_uri_rules_beyond_the_vectors() {
    for (uri, ok) in [
        ("http://127.0.0.1:8080/creds", true),
        ("http://127.5.6.7/creds", true),
        ("http://[::1]:9/creds", true),
        ("http://example.com/creds", false),
        ("http://169.254.169.254/creds", false),
        ("http://localhost.example.com/creds", false),
        ("ftp://127.0.0.1/creds", false),
        ("https://example.com/creds", true),
    ] {
        let env = Env::from_map([("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri)]);
        assert_eq!(resolve_endpoint(&env).is_ok(), ok, "{uri}");
    }
}

#[cfg(feature = "client")]
mod http {
    use crate::support::{closed_port, Step, StubServer, TempDir};
    use sigv4::config::Env;
    use sigv4::credentials::container::ContainerProvider;
    use sigv4::credentials::{CredentialsError, ProvideCredentials};
    use sigv4::transport::UreqTransport;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    const OK: &str = r#"{"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"containersecret","Token":"containertoken","Expiration":"2099-01-01T00:00:00Z","RoleArn":"arn:aws:iam::123456789012:role/task"}"#;

    fn provider(vars: Vec<(&str, String)>) -> ContainerProvider {
        ContainerProvider::new(Env::from_map(vars), Arc::new(UreqTransport::new()))
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
        assert!(matches!(e, CredentialsError::ProviderFailed { .. }), "{e}");
        assert!(
            e.to_string()
                .contains("403 AccessDenied: Unable to validate token"),
            "{e}"
        );
        assert_eq!(server.seen().len(), 1);
    }

    #[test]
    fn unreachable_endpoint_fails_fast() {
        let start = Instant::now();
        let e = provider(vec![(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            format!("http://127.0.0.1:{}/creds", closed_port()),
        )])
        .provide()
        .unwrap_err();
        assert!(matches!(e, CredentialsError::Unreachable { .. }), "{e}");
        assert!(start.elapsed() < Duration::from_secs(3));
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
        assert!(
            matches!(e, CredentialsError::InvalidConfiguration { .. }),
            "{e}"
        );
        assert!(e.to_string().contains("/nonexistent/token"));
    }
}
