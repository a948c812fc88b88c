//! The async client on tokio: STS, IAM and EC2 dry runs against moto with
//! signature checks, instance metadata from the IMDS emulator, and the
//! retry rules against the fault-injecting stub server (127.0.0.1 only).
#![cfg(all(feature = "reqwest", feature = "imds-emulator"))]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::client_retry::http_date;
use crate::support::{create_role, peer_client, MotoServer, Step, StubServer};
use sigv4::api::query_protocol::{DryRunOutcome, QueryCall};
use sigv4::api::sts::{AssumeRole, GetSessionToken};
use sigv4::client::{AsyncClient, ClientError, RetryPolicy};
use sigv4::credentials::Credentials;
use sigv4::imds::emulator::{EmulatorConfig, ImdsEmulator};
use sigv4::imds::{ImdsConfig, ImdsEndpoint};
use sigv4::runtime::{AsyncSleep, BoxFuture, SpawnBlocking, TokioRuntime};
use sigv4::transport::RequestOptions;

const OK_BODY: &str = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/u</Arn>\
<UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult>\
<ResponseMetadata><RequestId>ok-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>";

fn moto_client(moto: &MotoServer, credentials: Credentials) -> AsyncClient {
    AsyncClient::builder()
        .endpoint_url(moto.endpoint())
        .region("us-east-1")
        .credentials(Arc::new(credentials))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sts_iam_and_ec2_through_moto_with_signature_checks() {
    let moto = MotoServer::start();
    let user = Credentials::new(&moto.access_key, &moto.secret_key);
    let client = moto_client(&moto, user.clone());
    let me = client.get_caller_identity().await.unwrap();
    assert!(me.arn.ends_with(":user/sigv4-test"), "{}", me.arn);

    let session = client
        .get_session_token(&GetSessionToken::new().duration(Duration::from_secs(900)))
        .await
        .unwrap();
    assert_eq!(session.source(), "sts:get-session-token");

    // A wrong secret: moto checks the signature and refuses it.
    let wrong = moto_client(&moto, Credentials::new(&moto.access_key, "not-the-secret"));
    let err = wrong.get_caller_identity().await.unwrap_err();
    let api = err.api_error().unwrap_or_else(|| panic!("{err}"));
    assert_eq!(
        (api.status, api.code.as_str()),
        (403, "SignatureDoesNotMatch"),
        "{err}"
    );

    // The role is created with the blocking client (same signatures).
    let blocking = peer_client(moto.endpoint(), user);
    let role_arn = tokio::task::spawn_blocking(move || create_role(&blocking, "sigv4-async-role"))
        .await
        .unwrap();
    let assumed = client
        .assume_role(
            &AssumeRole::new(&role_arn, "async-session").duration(Duration::from_secs(900)),
        )
        .await
        .unwrap();
    let as_role = client.with_credentials(Arc::new(assumed.credentials.clone()));
    assert_eq!(
        as_role.get_caller_identity().await.unwrap().arn,
        assumed.arn
    );

    let users = client
        .query(&QueryCall::new("iam", "ListUsers", "2010-05-08"))
        .await
        .unwrap();
    assert!(users.find("UserName").is_some());
    let dry = client
        .dry_run(&QueryCall::new("ec2", "DescribeInstances", "2016-11-15"))
        .await
        .unwrap();
    assert_eq!(dry, DryRunOutcome::WouldSucceed);
}

#[tokio::test(flavor = "current_thread")]
async fn instance_metadata_from_the_emulator() {
    let emulator =
        ImdsEmulator::start(EmulatorConfig::default().with_region("eu-central-1")).unwrap();
    let client = AsyncClient::builder()
        .credentials(Arc::new(Credentials::new("AKID", "s")))
        .region("eu-central-1")
        .build()
        .unwrap();
    let metadata = client.instance_metadata(ImdsConfig::new(
        ImdsEndpoint::parse(&emulator.endpoint()).unwrap(),
    ));
    assert_eq!(metadata.region().await.unwrap(), "eu-central-1");
    assert!(!metadata.instance_id().await.unwrap().is_empty());
    assert!(metadata
        .get("/latest/meta-data/nope")
        .await
        .unwrap_err()
        .is_not_found());
}

/// Records the waits it is asked for, and does not wait.
#[derive(Default)]
struct Recorder(Mutex<Vec<Duration>>);

impl AsyncSleep for Recorder {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.0.lock().unwrap().push(duration);
        Box::pin(async {})
    }
}

impl SpawnBlocking for Recorder {
    fn spawn_blocking(&self, job: Box<dyn FnOnce() + Send>) {
        TokioRuntime::new().spawn_blocking(job);
    }
}

async fn run(
    script: Vec<Step>,
    read_timeout: Duration,
) -> (
    Result<String, ClientError>,
    usize,
    Vec<Duration>,
    AsyncClient,
) {
    let server = StubServer::start(script);
    let recorder = Arc::new(Recorder::default());
    let client = AsyncClient::builder()
        .endpoint_url(server.endpoint())
        .region("us-east-1")
        .credentials(Arc::new(Credentials::new("AKIDEXAMPLE", "secret")))
        .runtime(recorder.clone())
        .retry_policy(
            RetryPolicy::standard()
                .with_base_delay(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(5)),
        )
        .request_options(
            RequestOptions::new()
                .with_connect_timeout(Duration::from_secs(2))
                .with_read_timeout(read_timeout),
        )
        .build()
        .unwrap();
    let result = client.get_caller_identity().await.map(|id| id.arn);
    let waits = recorder.0.lock().unwrap().clone();
    (result, server.seen().len(), waits, client)
}

fn ok() -> Step {
    Step::xml(200, OK_BODY)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_follow_the_blocking_rules() {
    // 5xx and throttling are retried with full-jitter backoff.
    let (r, n, waits, _) = run(
        vec![Step::xml(503, ""), Step::xml(429, ""), ok()],
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(
        (r.unwrap().as_str(), n),
        ("arn:aws:iam::123456789012:user/u", 3)
    );
    assert_eq!(waits.len(), 2);
    assert!(
        waits[0] <= Duration::from_millis(1) && waits[1] <= Duration::from_millis(2),
        "{waits:?}"
    );
    // A dropped connection is retried.
    let (r, n, _, _) = run(vec![Step::Drop, ok()], Duration::from_secs(5)).await;
    assert!(r.is_ok() && n == 2);
    // A response slower than the timeout is retried.
    let slow = Step::Delay(Duration::from_millis(1500), Box::new(ok()));
    let (r, n, _, _) = run(vec![slow, ok()], Duration::from_millis(200)).await;
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(n, 2);
    // A 403 is not retried.
    let denied = "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>";
    let (r, n, waits, _) = run(vec![Step::xml(403, denied), ok()], Duration::from_secs(5)).await;
    assert_eq!(r.unwrap_err().code(), Some("AccessDenied"));
    assert_eq!((n, waits.len()), (1, 0));
    // Gives up after the policy's attempts with the last answer.
    let (r, n, _, _) = run(
        vec![
            Step::xml(503, ""),
            Step::xml(502, ""),
            Step::xml(500, "<Error><Code>InternalError</Code></Error>"),
        ],
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(r.unwrap_err().code(), Some("InternalError"));
    assert_eq!(n, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clock_skew_is_corrected_once() {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let skewed = |offset: i64| {
        Step::xml(403, "<Error><Code>RequestTimeTooSkewed</Code></Error>")
            .with_header("date", &http_date(now + offset))
    };
    let (r, n, waits, client) = run(vec![skewed(3600), ok()], Duration::from_secs(5)).await;
    assert!(r.is_ok() && n == 2 && waits.is_empty(), "{r:?}");
    assert!((3595..=3605).contains(&client.caller().clock_offset()));
    let (r, n, _, _) = run(
        vec![skewed(-7200), skewed(-7200), ok()],
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(r.unwrap_err().code(), Some("RequestTimeTooSkewed"));
    assert_eq!(n, 2);
}
