//! `sigv4 proxy`: a local signing reverse proxy, for tools that speak
//! plain HTTP and cannot sign (Prometheus remote-write to AMP, dashboards
//! in front of OpenSearch, curl scripts).
//!
//! Each request that arrives (HTTP/1.1, keep-alive, any number of
//! connections: a hyper 1 server on a multi-threaded tokio runtime) loses
//! whatever signing headers and presigned query parameters it had, is
//! signed for the upstream with credentials from the async default chain
//! behind an [`AsyncCachedProvider`] (refreshed ahead of expiry: SSO,
//! roles and IMDS work because it is the same chain as every other
//! command's), forwarded, and its answer streams back as the upstream
//! gave it.
//!
//! | concern | file |
//! | --- | --- |
//! | the options, checked once: upstream URL, listen address, service, region, limits | [`config`] |
//! | which headers and query parameters go upstream, which response headers come back | [`headers`] |
//! | one request: health path, body rule, signing, the upstream call, the proxy's own answers | [`forward`] |
//! | the bodies as they stream: counted, idle timeouts | [`body`] |
//! | one access-log line per request | [`access_log`] |
//! | SIGINT/SIGTERM, the bounded drain | [`shutdown`] |
//!
//! Decisions:
//!
//! - **The forwarding client is hyper-util's, with hyper-rustls**, not
//!   reqwest: reqwest takes a `url::Url`, whose parser rewrites paths
//!   (`/a/./b` becomes `/a/b`, `%2e` segments are resolved, some bytes get
//!   percent-encoded), so the request sent would not be the request signed
//!   (S3 keys such as `a/../b` are legal). hyper-util sends the
//!   `http::Uri` byte for byte. hyper-rustls uses the rustls (ring) and
//!   webpki roots that reqwest already brings for the credential chain:
//!   no second TLS stack.
//! - **It lives in the binary, not the library**: the library already has
//!   the reusable parts (the signer of [`sigv4::middleware`] with its body
//!   rules, the async chain and cache, the host inference the CLI shares);
//!   what is here is a program (a listener, a log, signals, answers with
//!   reasons), and a library server would fix choices (hyper, a runtime,
//!   a log format) for every user of the crate.
//! - **Timeouts count from the last progress**: `--upstream-timeout` is
//!   the time without any bytes moving (connecting, the request body
//!   going up, the response head, then between response body frames), so
//!   a slow 1 GiB upload is not cut off while a stalled upstream is (504
//!   before the answer, a cut body after it).
//! - **The health path answers GET and HEAD only** (other methods on it
//!   go upstream), and is off unless `--health-path` is given.

mod access_log;
mod body;
mod config;
mod forward;
mod headers;
mod shutdown;

use std::convert::Infallible;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use sigv4::credentials::asynchronous::{
    AsyncCachedProvider, AsyncCredentialsChain, AsyncDefaultChainBuilder, ProvideCredentialsAsync,
};
use sigv4::middleware::RequestSigner;
use sigv4::runtime::TokioRuntime;
use sigv4::sign::SigningSettings;
use sigv4::transport_async::ReqwestTransport;
use sigv4::Credentials;
use tokio::net::TcpListener;

use crate::cli::ProxyArgs;
use crate::commands::{credentials_from_report, Context};
use crate::Failure;
use config::Config;
use forward::Forwarder;
use shutdown::Signals;

type Provider = AsyncCachedProvider<AsyncCredentialsChain>;

/// Runs `sigv4 proxy` until SIGINT or SIGTERM.
pub fn run(ctx: &Context, args: &ProxyArgs) -> Result<(), Failure> {
    let config = Config::from_args(ctx, args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(format!("cannot start the async runtime: {e}")))?;
    let result = runtime.block_on(serve(ctx, config));
    // A credential fetch may still run on the blocking pool: not waited for.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

/// The async default chain (same settings as every other command's),
/// cached; the example keys alone with `--example-credentials`.
fn provider(ctx: &Context) -> Provider {
    let chain = match ctx.example_credentials() {
        Some(example) => AsyncCredentialsChain::new().with("example", Arc::new(example)),
        None => AsyncDefaultChainBuilder::new(
            Arc::new(ReqwestTransport::new()),
            Arc::new(TokioRuntime::new()),
        )
        .settings(ctx.chain_builder())
        .build(),
    };
    AsyncCachedProvider::new(chain)
}

/// The first credentials, or the chain's explanation of why there are none.
async fn first_credentials(provider: &Provider) -> Result<Credentials, Failure> {
    match provider.provide_async().await {
        Ok(credentials) => Ok(credentials),
        Err(_) => credentials_from_report(provider.inner().explain().await)
            .map_err(|f| Failure::new(format!("no credentials to sign with: {}", f.message))),
    }
}

fn signer(config: &Config, provider: Provider) -> RequestSigner {
    let mut settings = SigningSettings::for_service(&config.service);
    let mut signer = RequestSigner::new(&config.service, &config.region, Arc::new(provider));
    if config.unsigned_payload {
        settings.content_sha256_header = true;
        signer = signer.with_unsigned_streaming(true);
    }
    signer = signer.with_settings(settings);
    if let Some(set) = &config.region_set {
        signer = signer.with_region_set(set.clone());
    }
    signer
}

fn bind_failure(addr: SocketAddr, e: &std::io::Error) -> Failure {
    let hint = match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            " (another process listens there: stop it or pick another --listen port)"
        }
        std::io::ErrorKind::PermissionDenied => " (ports below 1024 need privileges)",
        std::io::ErrorKind::AddrNotAvailable => " (not an address of this machine)",
        _ => "",
    };
    Failure::new(format!("cannot listen on {addr}: {e}{hint}"))
}

async fn serve(ctx: &Context, config: Config) -> Result<(), Failure> {
    let mut signals = Signals::register()?;
    let provider = provider(ctx);
    let credentials = first_credentials(&provider).await?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| bind_failure(config.listen, &e))?;
    let local = listener
        .local_addr()
        .map_err(|e| bind_failure(config.listen, &e))?;

    let scope = match &config.region_set {
        Some(set) => format!("SigV4a region set {set}"),
        None => format!("region {} (from {})", config.region, config.region_source),
    };
    let signer = signer(&config, provider);
    let bodies = if signer.unsigned_streaming() {
        "bodies streamed as UNSIGNED-PAYLOAD".to_string()
    } else {
        format!(
            "bodies hashed and signed up to {} bytes (--max-body-bytes)",
            config.max_body_bytes
        )
    };
    eprintln!(
        "sigv4 proxy: http://{local} -> {}{}, service {}, {scope}, credentials {} from {}, {bodies}",
        config.upstream.origin(),
        config.upstream.base_path,
        config.service,
        credentials.access_key_id(),
        credentials.source(),
    );
    drop(credentials);
    let shutdown_timeout = config.shutdown_timeout;
    let forwarder = Arc::new(Forwarder::new(config, signer)?);
    // The address line last: once it is printed, the proxy serves.
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "sigv4 proxy listening on http://{local}");
        let _ = out.flush();
    }

    let graceful = GracefulShutdown::new();
    let signal = loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let forwarder = forwarder.clone();
                    let service = hyper::service::service_fn(move |request| {
                        let forwarder = forwarder.clone();
                        async move { Ok::<_, Infallible>(forwarder.handle(request, peer).await) }
                    });
                    let connection = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service);
                    let connection = graceful.watch(connection);
                    tokio::spawn(async move {
                        // A client that resets its connection is its own business.
                        let _ = connection.await;
                    });
                }
                Err(e) => {
                    // Out of file descriptors, usually: wait a little, go on.
                    eprintln!("sigv4 proxy: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            name = signals.recv() => break name,
        }
    };
    drop(listener);
    eprintln!(
        "sigv4 proxy: {signal}: not accepting; waiting up to {} s for requests in flight",
        shutdown_timeout.as_secs()
    );
    if shutdown::drain(graceful, shutdown_timeout).await {
        eprintln!("sigv4 proxy: stopped");
    } else {
        eprintln!(
            "sigv4 proxy: requests still in flight after {} s (--shutdown-timeout): stopping anyway",
            shutdown_timeout.as_secs()
        );
    }
    Ok(())
}
