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

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use super::protocol::{MAX_TOKEN_TTL, TOKEN_HEADER, TOKEN_PATH, TOKEN_TTL_HEADER};
use crate::util::time::format_rfc3339;

const META_DATA: &str = "/latest/meta-data/";
const ROLES: &str = "iam/security-credentials/";
const IDENTITY_DOCUMENT: &str = "/latest/dynamic/instance-identity/document";

/// The credentials served for the role.
#[derive(Clone, PartialEq, Eq)]
pub struct RoleCredentials {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token.
    pub token: String,
    /// The `Expiration` served (may be in the past, to test expired
    /// credentials).
    pub expiration: SystemTime,
}

impl RoleCredentials {
    /// Example credentials (`ASIAEMULATOREXAMPLE`) expiring `valid_for`
    /// from now.
    pub fn example(valid_for: Duration) -> Self {
        RoleCredentials {
            access_key_id: "ASIAEMULATOREXAMPLE".into(),
            secret_access_key: "emulatorSecretAccessKeyEXAMPLEKEY".into(),
            token: "emulatorSessionTokenEXAMPLE".into(),
            expiration: SystemTime::now() + valid_for,
        }
    }

    /// Example credentials that expired `ago` ago.
    pub fn expired(ago: Duration) -> Self {
        RoleCredentials {
            expiration: SystemTime::now()
                .checked_sub(ago)
                .unwrap_or(SystemTime::UNIX_EPOCH),
            ..Self::example(Duration::ZERO)
        }
    }
}

impl fmt::Debug for RoleCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RoleCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("token", &"<redacted>")
            .field("expiration", &format_rfc3339(self.expiration))
            .finish()
    }
}

/// What the emulator serves and which faults it injects. Start from
/// [`Default`] and change fields or use the `with_*` methods.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct EmulatorConfig {
    /// Tokenless (IMDSv1) requests get `401` (default `true`).
    pub require_token: bool,
    /// Every token request is answered with this status instead (`403`:
    /// IMDS disabled; `404`: an IMDSv1-only service).
    pub token_status: Option<u16>,
    /// The next this many token requests are answered `500`.
    pub fail_next_token_requests: u32,
    /// The next this many metadata requests are answered `500`.
    pub fail_next_metadata_requests: u32,
    /// Metadata paths under `/latest/meta-data/` (without the leading
    /// `/`) and their values.
    pub metadata: BTreeMap<String, String>,
    /// The instance identity document; `None` builds one from `metadata`.
    pub identity_document: Option<String>,
    /// The IAM role's name; `None`: no instance profile.
    pub role: Option<String>,
    /// The role's credentials; `None` with a role: the role is listed but
    /// its credentials path answers `404`.
    pub credentials: Option<RoleCredentials>,
}

impl Default for EmulatorConfig {
    /// Tokens required; instance `i-0123456789abcdef0` in `us-east-1a`;
    /// role `sigv4-emulator-role` with [`RoleCredentials::example`] valid
    /// 6 hours.
    fn default() -> Self {
        let metadata = [
            ("ami-id", "ami-0123456789abcdef0"),
            ("hostname", "ip-10-0-0-1.ec2.internal"),
            ("instance-id", "i-0123456789abcdef0"),
            ("instance-type", "t3.micro"),
            ("local-ipv4", "10.0.0.1"),
            ("placement/availability-zone", "us-east-1a"),
            ("placement/region", "us-east-1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        EmulatorConfig {
            require_token: true,
            token_status: None,
            fail_next_token_requests: 0,
            fail_next_metadata_requests: 0,
            metadata,
            identity_document: None,
            role: Some("sigv4-emulator-role".into()),
            credentials: Some(RoleCredentials::example(Duration::from_secs(6 * 3600))),
        }
    }
}

impl EmulatorConfig {
    /// Serves tokenless (IMDSv1) requests too.
    pub fn allow_v1(mut self) -> Self {
        self.require_token = false;
        self
    }

    /// Sets the placement region (and availability zone `<region>a`).
    pub fn with_region(mut self, region: &str) -> Self {
        self.metadata
            .insert("placement/region".into(), region.to_owned());
        self.metadata
            .insert("placement/availability-zone".into(), format!("{region}a"));
        self
    }

    /// Sets the role and its credentials (`None`: role without
    /// credentials).
    pub fn with_role(mut self, name: &str, credentials: Option<RoleCredentials>) -> Self {
        self.role = Some(name.to_owned());
        self.credentials = credentials;
        self
    }

    /// No instance profile.
    pub fn without_role(mut self) -> Self {
        self.role = None;
        self.credentials = None;
        self
    }

    /// Answers every token request with `status`.
    pub fn with_token_status(mut self, status: u16) -> Self {
        self.token_status = Some(status);
        self
    }

    fn identity_document(&self) -> String {
        if let Some(doc) = &self.identity_document {
            return doc.clone();
        }
        let get = |k: &str| self.metadata.get(k).map_or("", String::as_str);
        format!(
            "{{\n  \"accountId\" : \"123456789012\",\n  \"architecture\" : \"x86_64\",\n  \
             \"availabilityZone\" : {},\n  \"imageId\" : {},\n  \"instanceId\" : {},\n  \
             \"instanceType\" : {},\n  \"privateIp\" : {},\n  \"region\" : {},\n  \"version\" : \"2017-09-30\"\n}}",
            json_string(get("placement/availability-zone")),
            json_string(get("ami-id")),
            json_string(get("instance-id")),
            json_string(get("instance-type")),
            json_string(get("local-ipv4")),
            json_string(get("placement/region")),
        )
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One request the emulator received.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// `GET`, `PUT`...
    pub method: String,
    /// The path (query removed).
    pub path: String,
    /// Whether it carried `x-aws-ec2-metadata-token`.
    pub had_token: bool,
    /// Its `x-aws-ec2-metadata-token-ttl-seconds`, if any.
    pub ttl_header: Option<String>,
    /// The status answered.
    pub status: u16,
}

struct State {
    config: EmulatorConfig,
    tokens: HashMap<String, Instant>,
    requests: Vec<RecordedRequest>,
}

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

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|p| p.into_inner())
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
        let state = Arc::new(Mutex::new(State {
            config,
            tokens: HashMap::new(),
            requests: Vec::new(),
        }));
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

struct Answer {
    status: u16,
    body: String,
    headers: Vec<(&'static str, String)>,
}

fn answer(status: u16, body: impl Into<String>) -> Answer {
    Answer {
        status,
        body: body.into(),
        headers: Vec::new(),
    }
}

fn new_token() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("EMU{n:04}x{nanos:08x}AQAEAL0bDhVaMbXGGExamp1eT0ken==")
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

fn respond(
    state: &mut State,
    method: &str,
    path: &str,
    token: Option<&str>,
    ttl: Option<&str>,
    forwarded: bool,
) -> Answer {
    let now = Instant::now();
    if path == TOKEN_PATH {
        if method != "PUT" {
            return answer(405, "");
        }
        if state.config.fail_next_token_requests > 0 {
            state.config.fail_next_token_requests -= 1;
            return answer(500, "injected fault");
        }
        if let Some(status) = state.config.token_status {
            return answer(status, "");
        }
        if forwarded {
            return answer(403, "");
        }
        let ttl = match ttl.and_then(|t| t.trim().parse::<u64>().ok()) {
            Some(secs) if (1..=MAX_TOKEN_TTL.as_secs()).contains(&secs) => secs,
            _ => return answer(400, ""),
        };
        let token = new_token();
        state.tokens.retain(|_, expires| *expires > now);
        state
            .tokens
            .insert(token.clone(), now + Duration::from_secs(ttl));
        return Answer {
            status: 200,
            body: token,
            headers: vec![(TOKEN_TTL_HEADER, ttl.to_string())],
        };
    }
    if method != "GET" {
        return answer(405, "");
    }
    let authorized = match token {
        Some(token) => matches!(state.tokens.get(token), Some(expires) if *expires > now),
        None => !state.config.require_token,
    };
    if !authorized {
        return answer(401, "");
    }
    if state.config.fail_next_metadata_requests > 0 {
        state.config.fail_next_metadata_requests -= 1;
        return answer(500, "injected fault");
    }
    if path == IDENTITY_DOCUMENT {
        return answer(200, state.config.identity_document());
    }
    let Some(rest) = path
        .strip_prefix(META_DATA)
        .or_else(|| (path == "/latest/meta-data").then_some(""))
    else {
        return answer(404, "");
    };
    metadata(&state.config, rest)
}

fn metadata(config: &EmulatorConfig, rest: &str) -> Answer {
    let role_dir = ROLES.trim_end_matches('/');
    if rest == ROLES || rest == role_dir {
        return match &config.role {
            Some(role) => answer(200, role.clone()),
            None => answer(404, ""),
        };
    }
    if let Some(role) = rest.strip_prefix(ROLES) {
        return match (&config.role, &config.credentials) {
            (Some(name), Some(c)) if name == role.trim_end_matches('/') => {
                let now = format_rfc3339(SystemTime::now());
                answer(
                    200,
                    format!(
                        "{{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : {},\n  \"Type\" : \"AWS-HMAC\",\n  \
                         \"AccessKeyId\" : {},\n  \"SecretAccessKey\" : {},\n  \"Token\" : {},\n  \"Expiration\" : {}\n}}",
                        json_string(&now),
                        json_string(&c.access_key_id),
                        json_string(&c.secret_access_key),
                        json_string(&c.token),
                        json_string(&format_rfc3339(c.expiration)),
                    ),
                )
            }
            _ => answer(404, ""),
        };
    }
    if let Some(value) = config.metadata.get(rest) {
        return answer(200, value.clone());
    }
    // A directory: list the next path segment of every key under it.
    let prefix = if rest.is_empty() || rest.ends_with('/') {
        rest.to_owned()
    } else {
        format!("{rest}/")
    };
    let mut keys: Vec<&str> = config.metadata.keys().map(String::as_str).collect();
    if config.role.is_some() {
        keys.push("iam/security-credentials/");
    }
    let entries: BTreeSet<String> = keys
        .into_iter()
        .filter_map(|k| k.strip_prefix(prefix.as_str()))
        .filter(|k| !k.is_empty())
        .map(|k| match k.find('/') {
            Some(i) => k[..=i].to_owned(),
            None => k.to_owned(),
        })
        .collect();
    if entries.is_empty() {
        return answer(404, "");
    }
    answer(200, entries.into_iter().collect::<Vec<_>>().join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(config: EmulatorConfig) -> State {
        State {
            config,
            tokens: HashMap::new(),
            requests: Vec::new(),
        }
    }

    #[test]
    fn token_rules() {
        let mut s = state(EmulatorConfig::default());
        for bad in [None, Some("0"), Some("21601"), Some("x")] {
            assert_eq!(
                respond(&mut s, "PUT", TOKEN_PATH, None, bad, false).status,
                400
            );
        }
        assert_eq!(
            respond(&mut s, "PUT", TOKEN_PATH, None, Some("60"), true).status,
            403
        );
        assert_eq!(
            respond(&mut s, "GET", TOKEN_PATH, None, Some("60"), false).status,
            405
        );
        let ok = respond(&mut s, "PUT", TOKEN_PATH, None, Some("60"), false);
        assert_eq!(ok.status, 200);
        assert_eq!(ok.headers, vec![(TOKEN_TTL_HEADER, "60".to_owned())]);
        let r = |s: &mut State, path: &str, token: Option<&str>| {
            respond(s, "GET", path, token, None, false)
        };
        assert_eq!(r(&mut s, "/latest/meta-data/instance-id", None).status, 401);
        assert_eq!(
            r(&mut s, "/latest/meta-data/instance-id", Some("forged")).status,
            401
        );
        let got = r(&mut s, "/latest/meta-data/instance-id", Some(&ok.body));
        assert_eq!(
            (got.status, got.body.as_str()),
            (200, "i-0123456789abcdef0")
        );
        assert_eq!(
            r(&mut s, "/latest/meta-data/", Some(&ok.body)).body,
            "ami-id\nhostname\niam/\ninstance-id\ninstance-type\nlocal-ipv4\nplacement/"
        );
        assert_eq!(
            r(&mut s, "/latest/meta-data/placement", Some(&ok.body)).body,
            "availability-zone\nregion"
        );
        assert_eq!(
            r(&mut s, "/latest/meta-data/nope", Some(&ok.body)).status,
            404
        );
        let doc = r(&mut s, IDENTITY_DOCUMENT, Some(&ok.body)).body;
        let parsed = crate::util::json::parse(&doc).unwrap();
        assert_eq!(parsed.get_str("region"), Some("us-east-1"));
        s.tokens.clear();
        assert_eq!(
            r(&mut s, "/latest/meta-data/instance-id", Some(&ok.body)).status,
            401
        );
        s.config.require_token = false;
        assert_eq!(r(&mut s, "/latest/meta-data/instance-id", None).status, 200);
    }

    #[test]
    fn roles_and_faults() {
        let mut s = state(EmulatorConfig::default().allow_v1());
        let r = |s: &mut State, path: &str| respond(s, "GET", path, None, None, false);
        assert_eq!(
            r(&mut s, "/latest/meta-data/iam/security-credentials/").body,
            "sigv4-emulator-role"
        );
        let creds = r(
            &mut s,
            "/latest/meta-data/iam/security-credentials/sigv4-emulator-role",
        );
        let doc = crate::util::json::parse(&creds.body).unwrap();
        assert_eq!(doc.get_str("Code"), Some("Success"));
        assert_eq!(
            r(&mut s, "/latest/meta-data/iam/security-credentials/other").status,
            404
        );
        s.config = s.config.clone().with_role("r", None);
        assert_eq!(
            r(&mut s, "/latest/meta-data/iam/security-credentials/").body,
            "r"
        );
        assert_eq!(
            r(&mut s, "/latest/meta-data/iam/security-credentials/r").status,
            404
        );
        s.config = s.config.clone().without_role();
        assert_eq!(
            r(&mut s, "/latest/meta-data/iam/security-credentials/").status,
            404
        );
        s.config.fail_next_metadata_requests = 1;
        assert_eq!(r(&mut s, "/latest/meta-data/instance-id").status, 500);
        assert_eq!(r(&mut s, "/latest/meta-data/instance-id").status, 200);
        s.config.fail_next_token_requests = 1;
        assert_eq!(
            respond(&mut s, "PUT", TOKEN_PATH, None, Some("5"), false).status,
            500
        );
        s.config.token_status = Some(404);
        assert_eq!(
            respond(&mut s, "PUT", TOKEN_PATH, None, Some("5"), false).status,
            404
        );
        assert!(
            !format!("{:?}", RoleCredentials::example(Duration::ZERO)).contains("emulatorSecret")
        );
        assert_eq!(json_string("a\"\\\n\u{1}"), "\"a\\\"\\\\\\n\\u0001\"");
    }
}
