//! A fake IAM Identity Center on 127.0.0.1: the portal
//! (`GetRoleCredentials`), SSO OIDC (`RegisterClient`,
//! `StartDeviceAuthorization`, `CreateToken` with both grants) and the
//! sign-in service's `CreateOAuth2Token` refresh (with its DPoP proof),
//! speaking their JSON over real HTTP. There is no open-source server of
//! these APIs to test against.
//!
//! What it checks: the paths, methods and JSON field names; the bearer
//! token (only tokens it issued or was told about are accepted, else HTTP
//! 401 `UnauthorizedException`); the client id and secret it registered;
//! refresh tokens (rotated at each refresh); device codes, with a scripted
//! sequence of `authorization_pending` / `slow_down` answers; the DPoP
//! proof's header, claims and ES256 signature over the request URL.
//!
//! It also refuses `StartDeviceAuthorization` for a client registered
//! with `grantTypes` that lack the device-code grant (what AWS CLI v2's
//! default authorization-code login registers) with
//! `UnauthorizedClientException`: an assumption about the real service,
//! which AWS CLI v2 itself avoids by never reusing such a registration for
//! the device flow.
//!
//! What it does not check (a test passing here says nothing about these):
//! - request signing (none of these calls is signed in the real services
//!   either) and TLS (plain HTTP on 127.0.0.1);
//! - the start URL (any string is accepted; a device code is not tied to
//!   the start URL at `CreateToken`), the region in the host name (there
//!   is one host for every region), `sso_account_id` and `sso_role_name`
//!   (any account and role get credentials, `ASIASSO<account>` unless a
//!   test sets [`State::role_credentials`]);
//! - scopes, `clientName`, `clientType`, `issuerUrl`, `redirectUris`, and
//!   the `x-amz-user-agent` / user agent of callers;
//! - that a user confirmed anything: the device code is granted after the
//!   scripted `polls`, and `verificationUri*` point at a page that does not
//!   exist (404);
//! - time: the tokens, registrations and device codes it issues never
//!   expire here (`expiresIn` is only announced), and it does not enforce
//!   the poll `interval` (callers that poll too fast get no `slow_down`
//!   unless scripted);
//! - the authorization-code (PKCE) grant of AWS CLI v2 (`/authorize`,
//!   `grantType=authorization_code`): only device-code and refresh grants;
//! - sign-in: the DPoP `jti` for replays, the key's binding to the
//!   session (any valid key is accepted), `clientId` values, and the
//!   session's account;
//! - the real services' rate limits, retries after 5xx, and the exact
//!   error bodies of every failure (it sends the exception name in
//!   `x-amzn-errortype` and the OAuth `error` member as the services do for
//!   the cases tested).

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Write;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use super::http_client::{read_request, Seen};

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// What the device-code `CreateToken` answers, in turn, before the token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Poll {
    Pending,
    SlowDown,
    Expired,
}

#[derive(Default)]
pub struct State {
    /// Access tokens the portal accepts.
    pub valid_tokens: HashSet<String>,
    /// Refresh token -> client id.
    pub refresh_tokens: HashMap<String, String>,
    /// Client id -> secret.
    pub clients: HashMap<String, String>,
    /// Scripted answers to the device-code polls.
    pub polls: VecDeque<Poll>,
    /// Device code -> start URL.
    pub device_codes: HashMap<String, String>,
    /// Sign-in: refresh token -> account id.
    pub signin_refresh: HashMap<String, String>,
    /// Sign-in: answer every refresh with this error (`TOKEN_EXPIRED`...).
    pub signin_error: Option<String>,
    /// Every request, in order.
    pub seen: Vec<Seen>,
    /// The interval StartDeviceAuthorization announces.
    pub interval: u64,
    /// Client id -> the `grantTypes` it was registered with, when any.
    pub grant_types: HashMap<String, Vec<String>>,
    /// What GetRoleCredentials hands out instead of made-up keys:
    /// (access key id, secret, session token), e.g. keys moto knows.
    pub role_credentials: Option<(String, String, String)>,
    counter: u64,
}

impl State {
    fn next(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}-{}", self.counter)
    }
}

pub struct SsoServer {
    pub port: u16,
    pub state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

fn respond(stream: &mut TcpStream, status: u16, error_type: Option<&str>, body: &Value) {
    let body = body.to_string();
    let mut head = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    if let Some(t) = error_type {
        head.push_str(&format!(
            "x-amzn-errortype: {t}:http://internal.amazon.com/coral/com.amazonaws.fake/\r\n"
        ));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Both);
}

fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()
}

/// Checks a DPoP proof for `POST url`: `typ`, `alg`, the embedded P-256
/// key, `htm`, `htu`, a recent `iat`, a `jti`, and the signature.
fn check_dpop(proof: &str, url: &str) -> Result<(), String> {
    use p256::ecdsa::signature::Verifier;
    let parts: Vec<&str> = proof.split('.').collect();
    let [h, p, s] = parts[..] else {
        return Err("not three parts".into());
    };
    let header: Value = serde_json::from_slice(&b64url_decode(h).ok_or("header b64")?)
        .map_err(|e| e.to_string())?;
    let claims: Value = serde_json::from_slice(&b64url_decode(p).ok_or("claims b64")?)
        .map_err(|e| e.to_string())?;
    if header["typ"] != "dpop+jwt" || header["alg"] != "ES256" || header["jwk"]["crv"] != "P-256" {
        return Err(format!("bad header {header}"));
    }
    if claims["htm"] != "POST" || claims["htu"] != url {
        return Err(format!("bad htm/htu {claims} for {url}"));
    }
    let iat = claims["iat"].as_u64().ok_or("no iat")?;
    if iat.abs_diff(now_secs()) > 300 || claims["jti"].as_str().is_none_or(str::is_empty) {
        return Err("bad iat or jti".into());
    }
    let coord = |k: &str| {
        b64url_decode(header["jwk"][k].as_str().unwrap_or_default()).filter(|b| b.len() == 32)
    };
    let (x, y) = (coord("x").ok_or("x")?, coord("y").ok_or("y")?);
    let mut sec1 = vec![4u8];
    sec1.extend_from_slice(&x);
    sec1.extend_from_slice(&y);
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).map_err(|e| e.to_string())?;
    let sig = p256::ecdsa::Signature::from_slice(&b64url_decode(s).ok_or("sig b64")?)
        .map_err(|e| e.to_string())?;
    key.verify(format!("{h}.{p}").as_bytes(), &sig)
        .map_err(|_| "bad signature".to_string())
}

fn handle(stream: &mut TcpStream, state: &Mutex<State>, port: u16) {
    let Some(seen) = read_request(stream) else {
        return;
    };
    let mut st = state.lock().unwrap();
    st.seen.push(seen.clone());
    let body: Value = serde_json::from_slice(&seen.body).unwrap_or(Value::Null);
    let path = seen.target.split('?').next().unwrap_or_default().to_owned();
    let unauthorized = json!({"message": "Session token not found or invalid"});
    match (seen.method.as_str(), path.as_str()) {
        ("GET", "/federation/credentials") => {
            let token = seen.header("x-amz-sso_bearer_token").unwrap_or_default();
            if !st.valid_tokens.contains(token) {
                return respond(stream, 401, Some("UnauthorizedException"), &unauthorized);
            }
            let query = seen
                .target
                .split_once('?')
                .map(|(_, q)| q)
                .unwrap_or_default();
            let account = query
                .split('&')
                .find_map(|p| p.strip_prefix("account_id="))
                .unwrap_or_default()
                .to_owned();
            let n = st.next("role");
            let (key, secret, token) = st.role_credentials.clone().unwrap_or_else(|| {
                (
                    format!("ASIASSO{account}"),
                    format!("sso-secret-{n}"),
                    format!("sso-session-token-{n}"),
                )
            });
            respond(
                stream,
                200,
                None,
                &json!({"roleCredentials": {
                    "accessKeyId": key,
                    "secretAccessKey": secret,
                    "sessionToken": token,
                    "expiration": (now_secs() + 3600) * 1000,
                }}),
            );
        }
        ("POST", "/client/register") => {
            let id = st.next("client");
            let secret = format!("{id}-secret");
            st.clients.insert(id.clone(), secret.clone());
            if let Some(Value::Array(grants)) = body.get("grantTypes") {
                let grants = grants.iter().filter_map(|g| g.as_str().map(str::to_owned));
                st.grant_types.insert(id.clone(), grants.collect());
            }
            respond(
                stream,
                200,
                None,
                &json!({"clientId": id, "clientSecret": secret,
                        "clientIdIssuedAt": now_secs(), "clientSecretExpiresAt": now_secs() + 90 * 86400}),
            );
        }
        ("POST", "/device_authorization") => {
            let id = body["clientId"].as_str().unwrap_or_default();
            if st.clients.get(id).map(String::as_str) != body["clientSecret"].as_str() {
                return respond(
                    stream,
                    400,
                    Some("InvalidClientException"),
                    &json!({"error": "invalid_client"}),
                );
            }
            if st
                .grant_types
                .get(id)
                .is_some_and(|g| !g.iter().any(|g| g == DEVICE_GRANT))
            {
                return respond(
                    stream,
                    400,
                    Some("UnauthorizedClientException"),
                    &json!({"error": "unauthorized_client",
                            "error_description": "client not registered for the device code grant"}),
                );
            }
            let code = st.next("device");
            st.device_codes.insert(
                code.clone(),
                body["startUrl"].as_str().unwrap_or_default().into(),
            );
            respond(
                stream,
                200,
                None,
                &json!({"deviceCode": code, "userCode": "ABCD-EFGH",
                        "verificationUri": format!("http://127.0.0.1:{port}/device"),
                        "verificationUriComplete": format!("http://127.0.0.1:{port}/device?user_code=ABCD-EFGH"),
                        "expiresIn": 600, "interval": st.interval}),
            );
        }
        ("POST", "/token") => {
            let id = body["clientId"].as_str().unwrap_or_default().to_owned();
            if st.clients.get(&id).map(String::as_str) != body["clientSecret"].as_str() {
                return respond(
                    stream,
                    400,
                    Some("InvalidClientException"),
                    &json!({"error": "invalid_client"}),
                );
            }
            match body["grantType"].as_str() {
                Some("refresh_token") => {
                    let refresh = body["refreshToken"].as_str().unwrap_or_default();
                    if st.refresh_tokens.remove(refresh).as_deref() != Some(id.as_str()) {
                        return respond(
                            stream,
                            400,
                            Some("InvalidGrantException"),
                            &json!({"error": "invalid_grant"}),
                        );
                    }
                }
                Some(DEVICE_GRANT) => {
                    let code = body["deviceCode"].as_str().unwrap_or_default();
                    if !st.device_codes.contains_key(code) {
                        return respond(
                            stream,
                            400,
                            Some("InvalidGrantException"),
                            &json!({"error": "invalid_grant"}),
                        );
                    }
                    match st.polls.pop_front() {
                        Some(Poll::Pending) => {
                            return respond(
                                stream,
                                400,
                                Some("AuthorizationPendingException"),
                                &json!({"error": "authorization_pending", "error_description": null}),
                            )
                        }
                        Some(Poll::SlowDown) => {
                            return respond(
                                stream,
                                400,
                                Some("SlowDownException"),
                                &json!({"error": "slow_down", "error_description": null}),
                            )
                        }
                        Some(Poll::Expired) => {
                            return respond(
                                stream,
                                400,
                                Some("ExpiredTokenException"),
                                &json!({"error": "expired_token", "error_description": null}),
                            )
                        }
                        None => {
                            st.device_codes.remove(code);
                        }
                    }
                }
                _ => {
                    return respond(
                        stream,
                        400,
                        Some("UnsupportedGrantTypeException"),
                        &json!({"error": "unsupported_grant_type"}),
                    )
                }
            }
            let access = st.next("access");
            let refresh = st.next("refresh");
            st.valid_tokens.insert(access.clone());
            st.refresh_tokens.insert(refresh.clone(), id);
            respond(
                stream,
                200,
                None,
                &json!({"accessToken": access, "tokenType": "Bearer", "expiresIn": 28800, "refreshToken": refresh}),
            );
        }
        ("POST", "/v1/token") => {
            let url = format!("http://127.0.0.1:{port}/v1/token");
            if let Err(why) = check_dpop(seen.header("dpop").unwrap_or_default(), &url) {
                return respond(
                    stream,
                    400,
                    Some("ValidationException"),
                    &json!({"message": format!("bad DPoP proof: {why}")}),
                );
            }
            if let Some(error) = st.signin_error.clone() {
                return respond(
                    stream,
                    401,
                    Some("AccessDeniedException"),
                    &json!({"error": error, "message": "Your session has expired"}),
                );
            }
            let refresh = body["refreshToken"].as_str().unwrap_or_default();
            if body["grantType"] != "refresh_token" || body["clientId"].as_str().is_none() {
                return respond(
                    stream,
                    400,
                    Some("ValidationException"),
                    &json!({"message": "bad input"}),
                );
            }
            let Some(account) = st.signin_refresh.remove(refresh) else {
                return respond(
                    stream,
                    401,
                    Some("AccessDeniedException"),
                    &json!({"error": "TOKEN_EXPIRED", "message": "refresh token not valid"}),
                );
            };
            let n = st.next("signin");
            let new_refresh = format!("signin-refresh-{n}");
            st.signin_refresh.insert(new_refresh.clone(), account);
            respond(
                stream,
                200,
                None,
                &json!({"accessToken": {"accessKeyId": format!("ASIALOGIN{n}"),
                        "secretAccessKey": format!("login-secret-{n}"), "sessionToken": format!("login-token-{n}")},
                        "tokenType": "aws_sigv4", "expiresIn": 900, "refreshToken": new_refresh}),
            );
        }
        _ => respond(
            stream,
            404,
            Some("NotFound"),
            &json!({"message": "no such route"}),
        ),
    }
}

impl SsoServer {
    pub fn start() -> SsoServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(Mutex::new(State {
            interval: 1,
            ..State::default()
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (state, stop) = (state.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((mut stream, _)) => {
                            let _ = stream.set_nonblocking(false);
                            handle(&mut stream, &state, port);
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(2)),
                    }
                }
            })
        };
        SsoServer {
            port,
            state,
            stop,
            thread: Some(thread),
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Registers a client and a refresh token for it (what an earlier
    /// login left in the cache), and marks `access` valid.
    pub fn issue(&self, client_id: &str, client_secret: &str, access: &str, refresh: &str) {
        let mut st = self.state.lock().unwrap();
        st.clients.insert(client_id.into(), client_secret.into());
        st.valid_tokens.insert(access.into());
        st.refresh_tokens.insert(refresh.into(), client_id.into());
    }

    /// Registers a client as an earlier `RegisterClient` did, with the
    /// `grantTypes` it asked for (`None`: the device flow's registration,
    /// which names none).
    pub fn register(&self, client_id: &str, client_secret: &str, grant_types: Option<&[&str]>) {
        let mut st = self.state.lock().unwrap();
        st.clients.insert(client_id.into(), client_secret.into());
        if let Some(g) = grant_types {
            st.grant_types
                .insert(client_id.into(), g.iter().map(|s| s.to_string()).collect());
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    /// The paths requested, in order.
    pub fn paths(&self) -> Vec<String> {
        self.seen()
            .iter()
            .map(|s| s.target.split('?').next().unwrap_or_default().to_owned())
            .collect()
    }
}

impl Drop for SsoServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
