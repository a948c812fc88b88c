//! A local EC2 instance metadata service (feature `imds-emulator`), for
//! tests and `sigv4 imds serve`.
//!
//! It speaks IMDSv2 like the real service:
//!
//! - `PUT /latest/api/token` needs `x-aws-ec2-metadata-token-ttl-seconds`
//!   between 1 and 21600 (else `400`), refuses requests with
//!   `X-Forwarded-For` (`403`) and returns a token valid for that long,
//!   echoing the TTL header;
//! - `GET` requests with an unknown or expired token get `401`; without a
//!   token they get `401` when tokens are required (the default, like
//!   `HttpTokens=required`) and are served otherwise (IMDSv1);
//! - `/latest/meta-data/...` serves the configured metadata (with
//!   directory listings), `/latest/meta-data/iam/security-credentials/`
//!   the role name and `.../<role>` its credentials document;
//!   `/latest/dynamic/instance-identity/document` the identity document;
//! - other methods get `405`.
//!
//! Faults can be injected: the next N token requests or N metadata
//! requests answered `500`, every token request answered with a fixed
//! status (`403` as when IMDS is disabled, `404` as an IMDSv1-only
//! service), a role without credentials, expired credentials (set an
//! expiration in the past), tokens expired on demand.
//!
//! ```
//! use sigv4::imds::emulator::{EmulatorConfig, ImdsEmulator};
//!
//! let emulator = ImdsEmulator::start(EmulatorConfig::default().with_region("eu-north-1"))?;
//! let endpoint = emulator.endpoint(); // "http://127.0.0.1:<port>"
//! # assert!(endpoint.starts_with("http://127.0.0.1:"));
//! // ... point an ImdsClient at `endpoint` ...
//! emulator.shutdown(); // also done on drop
//! # Ok::<(), std::io::Error>(())
//! ```

mod config;
mod routes;
mod state;

use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub use config::{EmulatorConfig, RoleCredentials};
pub use state::RecordedRequest;

use super::protocol::{TOKEN_HEADER, TOKEN_PATH, TOKEN_TTL_HEADER};
use routes::respond;
use state::{lock, State};

/// A running emulator, serving on a local port until shut down or dropped.
pub struct ImdsEmulator {
    server: Arc<tiny_http::Server>,
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl fmt::Debug for ImdsEmulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImdsEmulator")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl ImdsEmulator {
    /// Starts on `127.0.0.1` with a free port.
    pub fn start(config: EmulatorConfig) -> io::Result<Self> {
        Self::bind("127.0.0.1:0", config)
    }

    /// Starts on `addr`.
    pub fn bind(addr: impl ToSocketAddrs, config: EmulatorConfig) -> io::Result<Self> {
        let server = tiny_http::Server::http(addr).map_err(io::Error::other)?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| io::Error::other("the emulator is not listening on an IP address"))?;
        let server = Arc::new(server);
        let state = Arc::new(Mutex::new(State::new(config)));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (server, state, stop) = (server.clone(), state.clone(), stop.clone());
            std::thread::Builder::new()
                .name("imds-emulator".into())
                .spawn(move || serve(&server, &state, &stop))?
        };
        Ok(ImdsEmulator {
            server,
            addr,
            state,
            stop,
            thread: Some(thread),
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its base URL, `http://127.0.0.1:<port>` (IPv6 addresses in brackets).
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Changes the configuration while running.
    pub fn update(&self, f: impl FnOnce(&mut EmulatorConfig)) {
        f(&mut lock(&self.state).config);
    }

    /// Makes every token issued so far invalid (as if expired).
    pub fn expire_tokens(&self) {
        lock(&self.state).tokens.clear();
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state).requests.clone()
    }

    /// How many token requests (`PUT /latest/api/token`) were received.
    pub fn token_requests(&self) -> usize {
        lock(&self.state)
            .requests
            .iter()
            .filter(|r| r.method == "PUT" && r.path == TOKEN_PATH)
            .count()
    }

    /// Serves until the process ends (for `sigv4 imds serve`).
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }

    /// Stops serving and waits for the server thread.
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for ImdsEmulator {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(server: &tiny_http::Server, state: &Mutex<State>, stop: &AtomicBool) {
    while !stop.load(Ordering::SeqCst) {
        match server.recv_timeout(Duration::from_millis(100)) {
            Ok(Some(request)) => handle(request, state),
            Ok(None) => {}
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

fn handle(request: tiny_http::Request, state: &Mutex<State>) {
    let header = |name: &str| {
        request
            .headers()
            .iter()
            .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str().to_owned())
    };
    let method = request.method().as_str().to_owned();
    let path = request
        .url()
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    let token = header(TOKEN_HEADER);
    let ttl_header = header(TOKEN_TTL_HEADER);
    let forwarded = header("x-forwarded-for").is_some();

    let answer = {
        let mut state = lock(state);
        let answer = respond(
            &mut state,
            &method,
            &path,
            token.as_deref(),
            ttl_header.as_deref(),
            forwarded,
        );
        state.requests.push(RecordedRequest {
            method,
            path,
            had_token: token.is_some(),
            ttl_header,
            status: answer.status,
        });
        answer
    };
    let mut response =
        tiny_http::Response::from_string(answer.body).with_status_code(answer.status);
    for (name, value) in answer.headers {
        if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response = response.with_header(h);
        }
    }
    if let Ok(h) = tiny_http::Header::from_bytes(&b"Content-Type"[..], &b"text/plain"[..]) {
        response = response.with_header(h);
    }
    let _ = request.respond(response);
}
