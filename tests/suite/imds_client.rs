//! The IMDS client over real HTTP (ureq) against the emulator on
//! 127.0.0.1, and against endpoints that refuse or never answer.
#![cfg(all(feature = "client", feature = "imds-emulator"))]

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::{closed_port, Attempt, CountingTransport, SilentListener};
use sigv4::config::{Env, ProfileSet, RegionSource};
use sigv4::imds::emulator::{EmulatorConfig, ImdsEmulator, RecordedRequest};
use sigv4::imds::protocol::{REGION_PATH, TOKEN_PATH};
use sigv4::imds::{resolve_region, ImdsClient, ImdsConfig, ImdsEndpoint, ImdsError};
use sigv4::transport::{RequestOptions, Transport, TransportErrorKind, UreqTransport};

fn client_for(endpoint: &str, configure: impl FnOnce(ImdsConfig) -> ImdsConfig) -> ImdsClient {
    let config = configure(ImdsConfig::new(ImdsEndpoint::parse(endpoint).unwrap()));
    ImdsClient::new(Arc::new(UreqTransport::new()), config)
}

/// Connect and read timeouts of 200 ms, through the client's own option.
fn short_timeouts(config: ImdsConfig) -> ImdsConfig {
    config.with_timeouts(Duration::from_millis(200), Duration::from_millis(200))
}

/// `(method, path, status)` of each request the emulator answered.
fn exchanges(requests: &[RecordedRequest]) -> Vec<(&str, &str, u16)> {
    requests
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str(), r.status))
        .collect()
}

/// The request and transport failure kind of an `Unreachable` error.
fn unreachable(e: &ImdsError) -> (&str, TransportErrorKind) {
    match e {
        ImdsError::Unreachable { request, source } => (request, source.kind()),
        other => panic!("expected Unreachable: {other:?}"),
    }
}

/// The reason of a `TokenUnavailable` error.
fn token_unavailable(e: &ImdsError) -> &str {
    match e {
        ImdsError::TokenUnavailable { reason } => reason,
        other => panic!("expected TokenUnavailable: {other:?}"),
    }
}

fn start(config: EmulatorConfig) -> ImdsEmulator {
    ImdsEmulator::start(config).expect("start emulator")
}

#[test]
fn v2_happy_path() {
    let emu = start(EmulatorConfig::default().with_region("eu-north-1"));
    let client = client_for(&emu.endpoint(), |c| c);
    assert_eq!(client.region().unwrap(), "eu-north-1");
    assert_eq!(client.instance_id().unwrap(), "i-0123456789abcdef0");
    let doc = client
        .get("/latest/dynamic/instance-identity/document")
        .unwrap();
    assert!(doc.contains("\"region\" : \"eu-north-1\""), "{doc}");
    let requests = emu.requests();
    assert_eq!(requests.len(), 4, "{requests:?}");
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("PUT", TOKEN_PATH)
    );
    assert_eq!(requests[0].ttl_header.as_deref(), Some("21600"));
    assert!(requests[1..]
        .iter()
        .all(|r| r.method == "GET" && r.had_token && r.status == 200));
}

#[test]
fn generic_get_reports_not_found() {
    let emu = start(EmulatorConfig::default());
    let client = client_for(&emu.endpoint(), |c| c);
    let e = client.get("/latest/meta-data/no-such-thing").unwrap_err();
    match &e {
        ImdsError::ErrorResponse { path, status } => assert_eq!(
            (path.as_str(), *status),
            ("/latest/meta-data/no-such-thing", 404)
        ),
        other => panic!("expected ErrorResponse: {other:?}"),
    }
    assert!(e.is_not_found());
    assert_eq!(
        client.get("/latest/meta-data/placement/").unwrap(),
        "availability-zone\nregion"
    );
}

#[test]
fn v2_required_tokenless_requests_get_401() {
    let emu = start(EmulatorConfig::default());
    let transport = UreqTransport::new();
    let request = http::Request::get(format!("{}{REGION_PATH}", emu.endpoint()))
        .body(Vec::new())
        .unwrap();
    let response = transport.send(request, &RequestOptions::new()).unwrap();
    assert_eq!(response.status(), 401);
    // An endpoint that requires tokens but refuses to issue them: the
    // client tries IMDSv1, gets 401, tries for a token again once, gets
    // 401 again without one, and gives up.
    emu.update(|c| c.token_status = Some(404));
    let client = client_for(&emu.endpoint(), |c| c);
    let e = client.region().unwrap_err();
    assert_eq!(
        token_unavailable(&e),
        format!("{REGION_PATH} requires a token (answered 401) and none could be obtained")
    );
    let requests = emu.requests();
    assert_eq!(
        exchanges(&requests),
        [
            ("GET", REGION_PATH, 401),
            ("PUT", TOKEN_PATH, 404),
            ("GET", REGION_PATH, 401),
            ("PUT", TOKEN_PATH, 404),
            ("GET", REGION_PATH, 401),
        ]
    );
}

#[test]
fn token_is_renewed_before_it_expires() {
    let emu = start(EmulatorConfig::default());
    let client = client_for(&emu.endpoint(), |c| {
        c.with_token_ttl(Duration::from_secs(4))
    });
    client.region().unwrap();
    client.region().unwrap();
    // Both within the token's first 3 s (it is renewed after that).
    assert_eq!(emu.token_requests(), 1);
    assert_eq!(emu.requests()[0].ttl_header.as_deref(), Some("4"));
    // The 4 s token is renewed a quarter of its life (1 s) before it
    // expires. This sleep lets the token age, which is what is under test
    // (the logic itself is tested on a fake clock in the unit tests); it
    // waits for no other thread, and more time passing changes nothing:
    // the token is renewed from 3 s on.
    std::thread::sleep(Duration::from_millis(3100));
    client.region().unwrap();
    assert_eq!(emu.token_requests(), 2);
    assert!(
        emu.requests().iter().all(|r| r.status == 200),
        "{:?}",
        emu.requests()
    );
}

#[test]
fn a_401_drops_the_token_and_retries_once() {
    let emu = start(EmulatorConfig::default());
    let client = client_for(&emu.endpoint(), |c| c);
    client.region().unwrap();
    emu.expire_tokens(); // the server forgot it (expired, or IMDS restarted)
    assert_eq!(client.region().unwrap(), "us-east-1");
    let statuses: Vec<_> = emu
        .requests()
        .iter()
        .map(|r| (r.method.clone(), r.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("PUT", 200),
            ("GET", 200),
            ("GET", 401),
            ("PUT", 200),
            ("GET", 200)
        ]
        .map(|(m, s)| (m.to_owned(), s))
        .to_vec()
    );
}

#[test]
fn token_put_403_means_disabled_without_fallback() {
    let emu = start(EmulatorConfig::default().allow_v1().with_token_status(403));
    let client = client_for(&emu.endpoint(), |c| c);
    let e = client.region().unwrap_err();
    match &e {
        ImdsError::Disabled { reason } => {
            assert_eq!(reason, "the token request was answered 403 Forbidden");
        }
        other => panic!("expected Disabled: {other:?}"),
    }
    assert_eq!(
        exchanges(&emu.requests()),
        [("PUT", TOKEN_PATH, 403)],
        "no IMDSv1 request"
    );
}

#[test]
fn token_put_404_falls_back_to_v1_when_allowed() {
    let emu = start(EmulatorConfig::default().allow_v1().with_token_status(404));
    let client = client_for(&emu.endpoint(), |c| c);
    assert_eq!(client.region().unwrap(), "us-east-1");
    assert_eq!(client.instance_id().unwrap(), "i-0123456789abcdef0");
    let requests = emu.requests();
    // The fallback is remembered: one token request, then plain GETs.
    assert_eq!(emu.token_requests(), 1, "{requests:?}");
    assert!(requests[1..]
        .iter()
        .all(|r| r.method == "GET" && !r.had_token && r.status == 200));
}

#[test]
fn token_put_404_is_refused_when_v1_is_disabled() {
    let emu = start(EmulatorConfig::default().allow_v1().with_token_status(404));
    let client = client_for(&emu.endpoint(), |c| c.with_v1_disabled(true));
    let e = client.region().unwrap_err();
    assert_eq!(token_unavailable(&e), "the token request was answered 404");
    assert_eq!(
        exchanges(&emu.requests()),
        [("PUT", TOKEN_PATH, 404)],
        "no tokenless GET"
    );
    // Same through the environment variable.
    let env = Env::from_map([
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", emu.endpoint()),
        ("AWS_EC2_METADATA_V1_DISABLED", "true".into()),
    ]);
    let config = ImdsConfig::from_env(&env, &ProfileSet::default()).unwrap();
    let client = ImdsClient::new(Arc::new(UreqTransport::new()), config);
    let e = client.region().unwrap_err();
    assert_eq!(token_unavailable(&e), "the token request was answered 404");
    assert_eq!(
        exchanges(&emu.requests()),
        [("PUT", TOKEN_PATH, 404), ("PUT", TOKEN_PATH, 404)]
    );
}

#[test]
fn server_errors_are_retried() {
    let emu = start(EmulatorConfig::default());
    emu.update(|c| {
        c.fail_next_token_requests = 1;
        c.fail_next_metadata_requests = 1;
    });
    let client = client_for(&emu.endpoint(), |c| c);
    assert_eq!(client.region().unwrap(), "us-east-1");
    let statuses: Vec<_> = emu.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [500, 200, 500, 200]);
    // Retries are bounded.
    emu.update(|c| c.fail_next_metadata_requests = 100);
    let e = client.region().unwrap_err();
    match &e {
        ImdsError::ErrorResponse { path, status } => {
            assert_eq!((path.as_str(), *status), (REGION_PATH, 500));
        }
        other => panic!("expected ErrorResponse: {other:?}"),
    }
    let requests = emu.requests();
    assert_eq!(
        exchanges(&requests[4..]),
        vec![("GET", REGION_PATH, 500); ImdsConfig::DEFAULT_MAX_ATTEMPTS as usize]
    );
}

#[test]
fn disabled_client_sends_nothing() {
    let emu = start(EmulatorConfig::default());
    let env = Env::from_map([
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", emu.endpoint()),
        ("AWS_EC2_METADATA_DISABLED", "TRUE".into()),
    ]);
    let config = ImdsConfig::from_env(&env, &ProfileSet::default()).unwrap();
    let client = ImdsClient::new(Arc::new(UreqTransport::new()), config);
    match client.region() {
        Err(ImdsError::Disabled { reason }) => {
            assert_eq!(reason, "AWS_EC2_METADATA_DISABLED is true");
        }
        other => panic!("expected Disabled: {other:?}"),
    }
    assert!(emu.requests().is_empty());
}

#[test]
fn refused_connection_gives_up_at_once() {
    let transport = CountingTransport::new();
    let config = ImdsConfig::new(
        ImdsEndpoint::parse(&format!("http://127.0.0.1:{}", closed_port())).unwrap(),
    );
    let client = ImdsClient::new(Arc::new(transport.clone()), config);
    let e = client.region().unwrap_err();
    // Refused, not timed out; one attempt, no retry and no IMDSv1 request.
    assert_eq!(
        unreachable(&e),
        ("PUT /latest/api/token", TransportErrorKind::Connect)
    );
    assert_eq!(
        transport.attempts(),
        [Attempt {
            method: "PUT".into(),
            path: TOKEN_PATH.into(),
            outcome: Err(TransportErrorKind::Connect)
        }]
    );
}

#[test]
fn silent_endpoint_gives_up_within_the_timeouts() {
    // Token PUT times out (200 ms), IMDSv1 is tried and times out (200 ms),
    // then it gives up: two requests, each waited out once.
    let silent = SilentListener::start();
    let start = Instant::now();
    let e = client_for(&silent.endpoint(), short_timeouts)
        .region()
        .unwrap_err();
    let elapsed = start.elapsed();
    assert_eq!(
        unreachable(&e),
        (
            "GET /latest/meta-data/placement/region",
            TransportErrorKind::Timeout
        )
    );
    assert_eq!(silent.connections(), 2);
    // Both timeouts were waited out; the upper bound only catches a hang
    // (the default 1 s timeouts alone would make 2 s).
    assert!(
        elapsed >= Duration::from_millis(400) && elapsed < Duration::from_secs(10),
        "{elapsed:?}"
    );

    // With IMDSv1 disabled the token timeout is the end: one request.
    let silent = SilentListener::start();
    let e = client_for(&silent.endpoint(), |c| {
        short_timeouts(c).with_v1_disabled(true)
    })
    .region()
    .unwrap_err();
    let reason = token_unavailable(&e);
    assert!(
        reason.starts_with("the token request timed out (")
            && reason.contains("timed out waiting for the response"),
        "{reason}"
    );
    assert_eq!(silent.connections(), 1);
}

#[test]
fn region_fallback_is_opt_in_and_last() {
    let emu = start(EmulatorConfig::default().with_region("ap-southeast-2"));
    let client = client_for(&emu.endpoint(), |c| c);
    let empty = Env::from_map([("HOME", "/nonexistent")]);
    let profiles = ProfileSet::default();
    assert_eq!(
        resolve_region(None, &empty, &profiles, Some(&client)),
        ("ap-southeast-2".to_owned(), RegionSource::Imds)
    );
    let requests = emu.requests().len();
    let env = Env::from_map([("AWS_DEFAULT_REGION", "ca-central-1")]);
    assert_eq!(
        resolve_region(None, &env, &profiles, Some(&client)),
        ("ca-central-1".to_owned(), RegionSource::EnvAwsDefaultRegion)
    );
    assert_eq!(
        emu.requests().len(),
        requests,
        "IMDS not asked when not needed"
    );
    assert_eq!(
        resolve_region(None, &empty, &profiles, None),
        ("us-east-1".to_owned(), RegionSource::Default)
    );
    let down = client_for(&format!("http://127.0.0.1:{}", closed_port()), |c| c);
    assert_eq!(
        resolve_region(None, &empty, &profiles, Some(&down)),
        ("us-east-1".to_owned(), RegionSource::Default)
    );
}

/// The transport itself: empty `PUT` bodies are sized (`content-length:
/// 0`), not chunked; failures are classified.
mod transport {
    use crate::support::{closed_port, SilentListener, Step, StubServer};
    use sigv4::transport::{RequestOptions, Transport, TransportErrorKind, UreqTransport};
    use std::time::{Duration, Instant};

    #[test]
    fn empty_put_is_sized_and_statuses_are_not_errors() {
        let server = StubServer::start(vec![Step::json(404, "nope")]);
        let t = UreqTransport::new();
        let request = http::Request::put(server.url("/latest/api/token"))
            .header("x-aws-ec2-metadata-token-ttl-seconds", "5")
            .body(Vec::new())
            .unwrap();
        let response = t.send(request, &RequestOptions::new()).unwrap();
        assert_eq!(
            (response.status().as_u16(), response.body().as_slice()),
            (404, &b"nope"[..])
        );
        let seen = server.seen();
        assert_eq!(seen[0].header("content-length"), Some("0"));
        assert_eq!(seen[0].header("transfer-encoding"), None);
    }

    #[test]
    fn response_size_is_limited() {
        let server = StubServer::start(vec![Step::json(200, &"x".repeat(1000))]);
        let request = http::Request::get(server.url("/"))
            .body(Vec::new())
            .unwrap();
        let e = UreqTransport::new()
            .send(request, &RequestOptions::new().with_max_response_bytes(100))
            .unwrap_err();
        assert_eq!(e.kind(), TransportErrorKind::Io, "{e}");
    }

    #[test]
    fn failures_are_classified() {
        let t = UreqTransport::new();
        let refused = http::Request::get(format!("http://127.0.0.1:{}/", closed_port()))
            .body(Vec::new())
            .unwrap();
        let e = t.send(refused, &RequestOptions::new()).unwrap_err();
        assert_eq!(e.kind(), TransportErrorKind::Connect, "{e}");
        assert!(e.is_connect() && !e.is_timeout());

        let silent = SilentListener::start();
        let request = http::Request::get(format!("{}/", silent.endpoint()))
            .body(Vec::new())
            .unwrap();
        let start = Instant::now();
        let e = t
            .send(
                request,
                &RequestOptions::new().with_read_timeout(Duration::from_millis(200)),
            )
            .unwrap_err();
        let elapsed = start.elapsed();
        assert_eq!(e.kind(), TransportErrorKind::Timeout, "{e}");
        assert!(!e.is_connect() && e.is_timeout());
        assert_eq!(silent.connections(), 1);
        // The timeout was waited out, and did not hang (generous bound).
        assert!(
            elapsed >= Duration::from_millis(200) && elapsed < Duration::from_secs(10),
            "{elapsed:?}"
        );

        let bad = http::Request::get("ftp://127.0.0.1/")
            .body(Vec::new())
            .unwrap();
        let e = t.send(bad, &RequestOptions::new()).unwrap_err();
        assert_eq!(e.kind(), TransportErrorKind::InvalidRequest, "{e}");
        assert!(!e.is_connect() && !e.is_timeout(), "{e}");
    }
}
