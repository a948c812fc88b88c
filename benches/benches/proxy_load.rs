//! Load through `sigv4 proxy`: 200 concurrent keep-alive connections x 50
//! GETs each, through the proxy to a tiny hyper upstream on 127.0.0.1, and
//! the same load straight to the upstream; throughput, p50/p99 latency and
//! the proxy's added latency. Every request must answer 200 with the
//! upstream's body, and every proxied one must arrive signed. Not
//! criterion: one timed run per side. See `benches/README.md` ("Proxy").
//!
//! Run from the repository root (the proxy is the release binary):
//! `cargo build --release --features cli --bin sigv4 && cargo bench -p sigv4-benches --bench proxy_load`
//! (`SIGV4_BIN=path/to/sigv4` for a binary elsewhere).

use std::convert::Infallible;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};

const ROUNDS: usize = 5;
const CONNECTIONS: usize = 200;
const REQUESTS_PER_CONNECTION: usize = 50;
const BODY: &[u8] = &[b'x'; 1024];

/// Kills the proxy when the bench ends, also on a panic.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The upstream: 200 and 1 KiB for every request; counts the signed ones.
async fn upstream(signed: Arc<AtomicU64>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let signed = signed.clone();
            let service = hyper::service::service_fn(move |request: http::Request<_>| {
                if request.headers().contains_key("authorization") {
                    signed.fetch_add(1, Ordering::Relaxed);
                }
                async {
                    Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::from_static(BODY))))
                }
            });
            tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
        }
    });
    addr
}

fn proxy_binary() -> PathBuf {
    std::env::var_os("SIGV4_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/release/sigv4")
        })
}

fn start_proxy(upstream: SocketAddr) -> (Guard, SocketAddr) {
    let bin = proxy_binary();
    let mut child = Command::new(&bin)
        .env_clear()
        .env("HOME", "/nonexistent")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args([
            "--example-credentials",
            "proxy",
            "--service",
            "s3",
            "--listen",
            "127.0.0.1:0",
        ])
        .args(["--upstream", &format!("http://{upstream}")])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null()) // the access log: 10 000 lines
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "start {}: {e} (build it: cargo build --release --features cli --bin sigv4)",
                bin.display()
            )
        });
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("sigv4 proxy listening on http://")
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("the proxy did not start: {line:?}"));
    (Guard(child), addr)
}

/// One connection's requests, in order; the latency of each.
async fn connection(addr: SocketAddr, host: String, requests: usize) -> Vec<Duration> {
    let stream = TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut latencies = Vec::with_capacity(requests);
    for i in 0..requests {
        let request = http::Request::get(format!("/bucket/object-{i}"))
            .header("host", &host)
            .body(Empty::<Bytes>::new())
            .unwrap();
        let started = Instant::now();
        sender.ready().await.unwrap();
        let response = sender.send_request(request).await.unwrap();
        assert_eq!(response.status(), 200, "request failed");
        let body = response.into_body().collect().await.unwrap().to_bytes();
        latencies.push(started.elapsed());
        assert_eq!(body.len(), BODY.len(), "short body");
    }
    latencies
}

struct Run {
    per_second: f64,
    latencies: Vec<Duration>,
}

impl Run {
    /// The rounds as one: the median round's throughput, every latency.
    fn merge(mut runs: Vec<Run>) -> Run {
        runs.sort_by(|a, b| a.per_second.total_cmp(&b.per_second));
        let per_second = runs[runs.len() / 2].per_second;
        let mut latencies: Vec<Duration> = runs.into_iter().flat_map(|r| r.latencies).collect();
        latencies.sort_unstable();
        Run {
            per_second,
            latencies,
        }
    }

    fn percentile(&self, p: f64) -> Duration {
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[i]
    }
}

/// `connections` at once, `requests` on each.
async fn load_with(addr: SocketAddr, connections: usize, requests: usize) -> Run {
    let started = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|_| tokio::spawn(connection(addr, addr.to_string(), requests)))
        .collect();
    let mut latencies = Vec::with_capacity(connections * requests);
    for t in tasks {
        latencies.extend(t.await.expect("a connection failed"));
    }
    let wall = started.elapsed();
    latencies.sort_unstable();
    assert_eq!(latencies.len(), connections * requests);
    let per_second = latencies.len() as f64 / wall.as_secs_f64();
    Run {
        per_second,
        latencies,
    }
}

async fn load(addr: SocketAddr) -> Run {
    load_with(addr, CONNECTIONS, REQUESTS_PER_CONNECTION).await
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to filter here.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let signed = Arc::new(AtomicU64::new(0));
        let upstream = upstream(signed.clone()).await;
        let (_proxy, proxy) = start_proxy(upstream);
        // Warm-up: connections, the proxy's credentials, the key cache.
        load(upstream).await;
        load(proxy).await;
        signed.store(0, Ordering::Relaxed);

        // Rounds alternate between the two paths, so that a busy stretch
        // of the (shared) machine hits both; the table has the median
        // throughput of the rounds and the percentiles over all requests.
        let (mut direct, mut proxied) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            let before = signed.load(Ordering::Relaxed);
            direct.push(load(upstream).await);
            assert_eq!(signed.load(Ordering::Relaxed), before, "direct requests are not signed");
            proxied.push(load(proxy).await);
        }
        let total = (ROUNDS * CONNECTIONS * REQUESTS_PER_CONNECTION) as u64;
        assert_eq!(signed.load(Ordering::Relaxed), total, "unsigned requests through the proxy");
        let (direct, proxied) = (Run::merge(direct), Run::merge(proxied));
        // One connection, one request at a time: latency without queueing.
        let direct_one = load_with(upstream, 1, 1000).await;
        let proxied_one = load_with(proxy, 1, 1000).await;

        println!(
            "{ROUNDS} rounds of {CONNECTIONS} connections x {REQUESTS_PER_CONNECTION} GETs \
             ({total} requests per path, 1 KiB answers), no failures"
        );
        println!("| path | requests/s (median round) | p50 | p99 |");
        println!("| --- | ---: | ---: | ---: |");
        for (name, run) in [("direct to the upstream", &direct), ("through sigv4 proxy", &proxied)] {
            println!(
                "| {name} | {:.0} | {} | {} |",
                run.per_second,
                ms(run.percentile(0.50)),
                ms(run.percentile(0.99)),
            );
        }
        println!(
            "added by the proxy under load: p50 +{}, p99 +{}",
            ms(proxied.percentile(0.50).saturating_sub(direct.percentile(0.50))),
            ms(proxied.percentile(0.99).saturating_sub(direct.percentile(0.99))),
        );
        println!(
            "one connection, 1000 sequential GETs: direct p50 {} p99 {}, proxied p50 {} p99 {}: added p50 +{}",
            ms(direct_one.percentile(0.50)),
            ms(direct_one.percentile(0.99)),
            ms(proxied_one.percentile(0.50)),
            ms(proxied_one.percentile(0.99)),
            ms(proxied_one.percentile(0.50).saturating_sub(direct_one.percentile(0.50))),
        );
    });
}
