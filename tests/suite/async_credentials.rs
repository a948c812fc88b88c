//! The async credentials chain and cache on tokio, over real HTTP on
//! 127.0.0.1: the IMDS emulator, a container endpoint (the stub server,
//! which counts requests), a slow `credential_process`.
#![cfg(all(feature = "reqwest", feature = "imds-emulator"))]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::credentials_chain::outcome_names;
use crate::support::{Step, StubServer, TempDir};
use sigv4::config::Env;
use sigv4::credentials::asynchronous::{
    AsyncCachedProvider, AsyncCredentialsChain, AsyncDefaultChainBuilder, ProvideCredentialsAsync,
};
use sigv4::credentials::chain::Outcome;
use sigv4::credentials::DefaultChainBuilder;
use sigv4::imds::emulator::{EmulatorConfig, ImdsEmulator};
use sigv4::runtime::TokioRuntime;
use sigv4::transport::UreqTransport;
use sigv4::transport_async::ReqwestTransport;

/// 2100-01-01T00:00:00Z.
const Y2100: u64 = 4_102_444_800;
/// Every test is bounded: a bug fails instead of hanging.
const BOUND: Duration = Duration::from_secs(20);

fn env(home: &TempDir, vars: &[(&str, String)]) -> Env {
    let mut all = vec![("HOME".to_owned(), home.path().display().to_string())];
    all.extend(vars.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    Env::from_map(all)
}

fn chain(env: Env) -> AsyncCredentialsChain {
    AsyncDefaultChainBuilder::new(
        Arc::new(ReqwestTransport::new()),
        Arc::new(TokioRuntime::new()),
    )
    .env(env)
    .build()
}

fn container_json(key: &str, expiration: &str) -> String {
    format!(
        r#"{{"AccessKeyId":"{key}","SecretAccessKey":"container-secret","Token":"tok","Expiration":"{expiration}"}}"#
    )
}

async fn bounded<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(BOUND, f)
        .await
        .expect("the test took too long")
}

/// The async chain against the IMDS emulator: same order, same report as
/// the blocking chain over the same environment. On a single-threaded
/// runtime, so the blocking sources must be off the executor thread.
#[tokio::test(flavor = "current_thread")]
async fn async_chain_explains_like_the_blocking_one_against_the_imds_emulator() {
    let emulator = ImdsEmulator::start(EmulatorConfig::default()).unwrap();
    let home = TempDir::new("async-imds");
    let vars = [("AWS_EC2_METADATA_SERVICE_ENDPOINT", emulator.endpoint())];
    let report = bounded(chain(env(&home, &vars)).explain()).await;
    let blocking = DefaultChainBuilder::new()
        .env(env(&home, &vars))
        .transport(Arc::new(UreqTransport::new()))
        .build();
    let names: Vec<String> = blocking.names().map(String::from).collect();
    let expected = tokio::task::spawn_blocking(move || blocking.explain())
        .await
        .unwrap();
    assert_eq!(outcome_names(&report), outcome_names(&expected));
    assert_eq!(report.to_string(), expected.to_string());
    assert_eq!(
        report
            .steps()
            .iter()
            .map(|s| s.name.clone())
            .collect::<Vec<_>>(),
        names
    );
    let c = report.credentials().expect("imds credentials");
    assert_eq!(
        (c.access_key_id(), c.source()),
        ("ASIAEMULATOREXAMPLE", "imds")
    );
    assert!(
        emulator.token_requests() >= 2,
        "IMDSv2 tokens used by both chains"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_chain_reads_a_container_endpoint_over_http() {
    let server = StubServer::start(vec![Step::json(
        200,
        &container_json("AKIDCONTAINER", "2100-01-01T00:00:00Z"),
    )]);
    let home = TempDir::new("async-container");
    let vars = [
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url("/creds")),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            "Basic c2VjcmV0".to_owned(),
        ),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ];
    let report = bounded(chain(env(&home, &vars)).explain()).await;
    assert_eq!(
        report.credentials().unwrap().access_key_id(),
        "AKIDCONTAINER"
    );
    let step = report.step("container").unwrap();
    assert!(matches!(step.outcome, Outcome::Used { .. }), "{report}");
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].header("authorization"), Some("Basic c2VjcmV0"));
    assert!(!report.to_string().contains("container-secret"));
}

/// A cache over the async chain reading the container endpoint at
/// `server`, with a clock the test moves.
fn cached_container(
    server: &StubServer,
    home: &TempDir,
) -> (AsyncCachedProvider<AsyncCredentialsChain>, Arc<AtomicU64>) {
    let vars = [
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url("/creds")),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ];
    let now = Arc::new(AtomicU64::new(Y2100 - 7200));
    let clock = now.clone();
    let cache = AsyncCachedProvider::new(chain(env(home, &vars)))
        .with_clock(move || UNIX_EPOCH + Duration::from_secs(clock.load(Ordering::SeqCst)));
    (cache, now)
}

/// 100 tasks find the cached credentials expired: one request reaches the
/// source, and all 100 get its answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_tasks_with_expired_credentials_cause_one_request() {
    let server = StubServer::start(vec![
        Step::json(200, &container_json("AKIDFIRST", "2100-01-01T00:00:00Z")),
        Step::Delay(
            Duration::from_millis(300),
            Box::new(Step::json(
                200,
                &container_json("AKIDSECOND", "2200-01-01T00:00:00Z"),
            )),
        ),
    ]);
    let home = TempDir::new("async-single-flight");
    let (cache, now) = cached_container(&server, &home);
    assert_eq!(
        bounded(cache.provide_async())
            .await
            .unwrap()
            .access_key_id(),
        "AKIDFIRST"
    );
    assert_eq!(server.seen().len(), 1);
    now.store(Y2100 + 60, Ordering::SeqCst); // expired
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move { cache.provide_async().await })
        })
        .collect();
    for task in tasks {
        let c = bounded(task).await.unwrap().unwrap();
        assert_eq!(c.access_key_id(), "AKIDSECOND");
    }
    assert_eq!(server.seen().len(), 2, "exactly one refresh request");
}

/// While a refresh runs, tasks that find valid credentials get them at
/// once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valid_credentials_are_served_while_a_refresh_runs() {
    let server = StubServer::start(vec![
        Step::json(200, &container_json("AKIDFIRST", "2100-01-01T00:00:00Z")),
        Step::Delay(
            Duration::from_millis(800),
            Box::new(Step::json(
                200,
                &container_json("AKIDSECOND", "2200-01-01T00:00:00Z"),
            )),
        ),
    ]);
    let home = TempDir::new("async-refresh-ahead");
    let (cache, now) = cached_container(&server, &home);
    bounded(cache.provide_async()).await.unwrap();
    now.store(Y2100 - 60, Ordering::SeqCst); // inside the 5-minute refresh window
    let leader = {
        let cache = cache.clone();
        tokio::spawn(async move { cache.provide_async().await })
    };
    let started = Instant::now();
    while !cache.is_refreshing() {
        assert!(started.elapsed() < BOUND, "the refresh never started");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for _ in 0..20 {
        let at = Instant::now();
        let c = bounded(cache.provide_async()).await.unwrap();
        assert_eq!(c.access_key_id(), "AKIDFIRST");
        assert!(
            at.elapsed() < Duration::from_millis(200),
            "served from the cache, not the refresh"
        );
    }
    assert!(cache.is_refreshing());
    assert_eq!(
        bounded(leader).await.unwrap().unwrap().access_key_id(),
        "AKIDSECOND"
    );
    assert_eq!(server.seen().len(), 2);
}

/// A task dropped in the middle of the refresh (cancelled by a timeout)
/// leaves the cache usable: the next task resumes that refresh rather than
/// sending a second request beside it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_refresh_leaves_the_cache_usable() {
    let server = StubServer::start(vec![
        Step::Delay(
            Duration::from_secs(2),
            Box::new(Step::json(
                200,
                &container_json("AKIDSLOW", "2100-01-01T00:00:00Z"),
            )),
        ),
        Step::json(200, &container_json("AKIDNEXT", "2100-01-01T00:00:00Z")),
    ]);
    let home = TempDir::new("async-cancel");
    let (cache, _now) = cached_container(&server, &home);
    let cancelled = tokio::time::timeout(Duration::from_millis(200), cache.provide_async()).await;
    assert!(
        cancelled.is_err(),
        "the first refresh should still be running"
    );
    assert!(
        cache.is_refreshing(),
        "the dropped refresh is kept for the next task"
    );
    let c = bounded(cache.provide_async()).await.unwrap();
    assert_eq!(c.access_key_id(), "AKIDSLOW");
    assert_eq!(cache.cached().unwrap().access_key_id(), "AKIDSLOW");
    assert!(!cache.is_refreshing());
    assert_eq!(server.seen().len(), 1, "one request to the source");
}

/// A `credential_process` that takes a second runs off the executor: on a
/// single-threaded runtime another task keeps ticking meanwhile.
#[tokio::test(flavor = "current_thread")]
async fn credential_process_never_blocks_the_executor() {
    let home = TempDir::new("async-process");
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    let script = home.write(
        "slow-process.sh",
        "#!/bin/sh\nsleep 1\necho '{\"Version\":1,\"AccessKeyId\":\"AKIDPROCESS\",\"SecretAccessKey\":\"process-secret\"}'\n",
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    home.write(
        ".aws/config",
        &format!("[default]\ncredential_process = {}\n", script.display()),
    );
    let chain = chain(env(
        &home,
        &[("AWS_EC2_METADATA_DISABLED", "true".to_owned())],
    ));
    let ticks = Arc::new(AtomicU64::new(0));
    let ticker = {
        let ticks = ticks.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(20)).await;
                ticks.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    let c = bounded(chain.provide_async()).await.unwrap();
    ticker.abort();
    assert_eq!(
        (c.access_key_id(), c.source()),
        ("AKIDPROCESS", "profile:default:credential_process")
    );
    let ticks = ticks.load(Ordering::SeqCst);
    assert!(
        ticks >= 20,
        "the executor thread was blocked: {ticks} ticks in a second"
    );
}

#[test]
fn the_async_default_chain_has_the_blocking_order() {
    let home = TempDir::new("async-order");
    let blocking: Vec<String> = DefaultChainBuilder::new()
        .env(env(&home, &[]))
        .build()
        .names()
        .map(String::from)
        .collect();
    let asynchronous: Vec<String> = chain(env(&home, &[])).names().map(String::from).collect();
    assert_eq!(asynchronous, blocking);
    let _ = SystemTime::now();
}
