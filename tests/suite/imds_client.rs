//! The IMDS client over real HTTP (ureq) against the emulator on
//! 127.0.0.1, and against endpoints that refuse or never answer.
#![cfg(all(feature = "client", feature = "imds-emulator"))]

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::{closed_port, SilentListener};
use sigv4::config::{Env, ProfileSet, RegionSource};
use sigv4::imds::emulator::{EmulatorConfig, ImdsEmulator};
use sigv4::imds::protocol::{REGION_PATH, TOKEN_PATH};
use sigv4::imds::{resolve_region, ImdsClient, ImdsConfig, ImdsEndpoint, ImdsError};
use sigv4::transport::{RequestOptions, Transport, UreqTransport};

fn client_for(endpoint: &str, configure: impl FnOnce(ImdsConfig) -> ImdsConfig) -> ImdsClient {
    let config = configure(ImdsConfig::new(ImdsEndpoint::parse(endpoint).unwrap()));
    ImdsClient::new(Arc::new(UreqTransport::new()), config)
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
    assert!(e.is_not_found(), "{e}");
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
    // client tries IMDSv1, gets 401, tries for a token again, and gives up.
    emu.update(|c| c.token_status = Some(404));
    let client = client_for(&emu.endpoint(), |c| c);
    let e = client.region().unwrap_err();
    assert!(matches!(e, ImdsError::TokenUnavailable { .. }), "{e}");
    assert!(emu.requests().len() <= 6, "bounded: {:?}", emu.requests());
}

#[test]
fn token_is_renewed_before_it_expires() {
    let emu = start(EmulatorConfig::default());
    let client = client_for(&emu.endpoint(), |c| {
        c.with_token_ttl(Duration::from_secs(2))
    });
    client.region().unwrap();
    client.region().unwrap();
    assert_eq!(emu.token_requests(), 1);
    assert_eq!(emu.requests()[0].ttl_header.as_deref(), Some("2"));
    // The 2 s token is renewed half a second before it expires.
    std::thread::sleep(Duration::from_millis(1600));
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
    assert!(matches!(e, ImdsError::Disabled { .. }), "{e}");
    assert_eq!(
        emu.requests().len(),
        1,
        "no IMDSv1 request: {:?}",
        emu.requests()
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
    assert!(matches!(e, ImdsError::TokenUnavailable { .. }), "{e}");
    assert_eq!(
        emu.requests().len(),
        1,
        "no tokenless GET: {:?}",
        emu.requests()
    );
    // Same through the environment variable.
    let env = Env::from_map([
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", emu.endpoint()),
        ("AWS_EC2_METADATA_V1_DISABLED", "true".into()),
    ]);
    let config = ImdsConfig::from_env(&env, &ProfileSet::default()).unwrap();
    let client = ImdsClient::new(Arc::new(UreqTransport::new()), config);
    assert!(matches!(
        client.region(),
        Err(ImdsError::TokenUnavailable { .. })
    ));
    assert_eq!(emu.requests().len(), 2);
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
    assert_eq!(e.status(), Some(500), "{e}");
    assert_eq!(
        emu.requests().len(),
        4 + ImdsConfig::DEFAULT_MAX_ATTEMPTS as usize
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
    assert!(matches!(client.region(), Err(ImdsError::Disabled { .. })));
    assert!(emu.requests().is_empty());
}

#[test]
fn refused_connection_gives_up_at_once() {
    let start = Instant::now();
    let client = client_for(&format!("http://127.0.0.1:{}", closed_port()), |c| c);
    let e = client.region().unwrap_err();
    assert!(matches!(e, ImdsError::Unreachable { .. }), "{e}");
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn silent_endpoint_gives_up_within_the_timeouts() {
    let silent = SilentListener::start();
    let start = Instant::now();
    let e = client_for(&silent.endpoint(), |c| c).region().unwrap_err();
    // Token PUT times out (1 s), IMDSv1 is tried (1 s), then it gives up.
    assert!(matches!(e, ImdsError::Unreachable { .. }), "{e}");
    let elapsed = start.elapsed();
    assert!(
        elapsed >= Duration::from_millis(1500) && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );
    let start = Instant::now();
    let e = client_for(&silent.endpoint(), |c| c.with_v1_disabled(true))
        .region()
        .unwrap_err();
    assert!(matches!(e, ImdsError::TokenUnavailable { .. }), "{e}");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
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
        resolve_region(None, &empty, &profiles, Some(&down)).1,
        RegionSource::Default
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
                &RequestOptions::new().with_read_timeout(Duration::from_millis(300)),
            )
            .unwrap_err();
        assert_eq!(e.kind(), TransportErrorKind::Timeout, "{e}");
        assert!(start.elapsed() < Duration::from_secs(2));

        let bad = http::Request::get("ftp://127.0.0.1/")
            .body(Vec::new())
            .unwrap();
        let e = t.send(bad, &RequestOptions::new()).unwrap_err();
        assert!(!e.is_connect() && !e.is_timeout(), "{e}");
    }
}
