//! `aws login` sessions against the fake sign-in service (which checks
//! the DPoP proof), with the login cache written and read by botocore's
//! own `LoginTokenLoader`.
#![cfg(feature = "client")]

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::{json, Value};
use sigv4::credentials::format_rfc3339;
use sigv4::credentials::login::LoginProvider;
use sigv4::credentials::login_token_cache::login_cache_key;
use sigv4::credentials::ProvideCredentials;
use sigv4::transport::UreqTransport;

use crate::credentials_sso::Setup;

const SESSION: &str = "arn:aws:iam::123456789012:user/me";
const PEM: &str = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIAshhwPxxHyW8CR668Cz9f48TSJOn6qBx3dFy6CZr+deoAoGCCqGSM49\nAwEHoUQDQgAELitykP5J4AbmWcRxX0Z3b38ocz+Hudm5lHmXAdFHLr6bB6jBex5K\no5Cfkhi2VhefBBX4DE/nF+JjFAi/YMbofA==\n-----END EC PRIVATE KEY-----\n";

fn setup(tag: &str, valid_for: i64) -> Setup {
    let s = Setup::new(tag);
    s.dir.write(
        "config",
        &format!("[profile web]\nlogin_session = {SESSION}\nregion = us-east-1\n"),
    );
    let expires = if valid_for >= 0 {
        SystemTime::now() + Duration::from_secs(valid_for.unsigned_abs())
    } else {
        SystemTime::now() - Duration::from_secs(valid_for.unsigned_abs())
    };
    let token = json!({
        "accessToken": {"accessKeyId": "ASIACACHED", "secretAccessKey": "cached-secret",
            "sessionToken": "cached-session", "accountId": "123456789012",
            "expiresAt": format_rfc3339(expires)},
        "tokenType": "aws_sigv4", "clientId": "arn:aws:signin:::devtools/same-device",
        "refreshToken": "signin-refresh-0", "idToken": "x.y.z", "dpopKey": PEM,
    });
    // botocore's own login cache code writes the file.
    let input = s.dir.write("login-token.json", &token.to_string());
    let script = format!(
        "import json\nfrom botocore.utils import LoginTokenLoader, JSONFileCache\n\
         LoginTokenLoader(JSONFileCache('{}')).save_token('{SESSION}', json.load(open('{}')))\nprint('ok')",
        login_dir(&s).display(),
        input.display()
    );
    assert_eq!(s.python(&script), "ok");
    s.server
        .state
        .lock()
        .unwrap()
        .signin_refresh
        .insert("signin-refresh-0".into(), "123456789012".into());
    s
}

fn login_dir(s: &Setup) -> std::path::PathBuf {
    s.dir.path().join(".aws/login/cache")
}

fn provider(s: &Setup) -> LoginProvider {
    let mut vars = s.vars();
    vars.push(("AWS_ENDPOINT_URL_SIGNIN".into(), s.server.endpoint()));
    LoginProvider::new(
        sigv4::config::Env::from_map(vars),
        Arc::new(UreqTransport::new()),
    )
    .with_profile("web")
}

fn cached(s: &Setup) -> Value {
    let path = login_dir(s).join(format!("{}.json", login_cache_key(SESSION)));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_fresh_session_is_used_as_cached() {
    let s = setup("login-fresh", 600);
    let c = provider(&s).provide().unwrap();
    assert_eq!(c.access_key_id(), "ASIACACHED");
    assert!(
        c.source().contains(&format!("session {SESSION}")),
        "{}",
        c.source()
    );
    assert!(s.server.seen().is_empty());
}

#[test]
fn a_session_near_expiry_is_refreshed_with_a_dpop_proof_and_written_back() {
    let s = setup("login-refresh", 60);
    let mut warnings = Vec::new();
    let c = provider(&s).provide_with_warnings(&mut warnings).unwrap();
    assert!(
        c.access_key_id().starts_with("ASIALOGIN"),
        "{}",
        c.access_key_id()
    );
    assert!(warnings
        .iter()
        .any(|w| w.contains("refreshed the login session")));
    let seen = s.server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].target, "/v1/token");
    assert!(
        seen[0].header("authorization").is_none(),
        "not SigV4-signed"
    );
    let body: Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(
        body,
        json!({"clientId": "arn:aws:signin:::devtools/same-device",
        "refreshToken": "signin-refresh-0", "grantType": "refresh_token"})
    );
    let doc = cached(&s);
    assert_eq!(doc["accessToken"]["accessKeyId"], c.access_key_id());
    assert_eq!(
        doc["accessToken"]["accountId"], "123456789012",
        "other fields kept"
    );
    assert_eq!(doc["idToken"], "x.y.z");
    assert!(doc["refreshToken"]
        .as_str()
        .unwrap()
        .starts_with("signin-refresh-"));
    assert_ne!(doc["refreshToken"], "signin-refresh-0");
    // botocore's loader reads what we wrote.
    let out = s.python(&format!(
        "from botocore.utils import LoginTokenLoader, JSONFileCache\n\
         t = LoginTokenLoader(JSONFileCache('{}')).load_token('{SESSION}')\n\
         print(t['accessToken']['accessKeyId'])",
        login_dir(&s).display()
    ));
    assert_eq!(out, c.access_key_id());
}

#[test]
fn a_session_that_cannot_be_refreshed_says_to_run_aws_login() {
    let s = setup("login-dead", -60);
    s.server.state.lock().unwrap().signin_error = Some("TOKEN_EXPIRED".into());
    let e = provider(&s).provide().unwrap_err();
    let text = e.to_string();
    assert!(text.contains("run `aws login`"), "{text}");
    assert!(text.contains("can no longer be refreshed"), "{text}");
    for secret in ["signin-refresh-0", "cached-secret", "MHcC"] {
        assert!(!text.contains(secret), "{secret} in {text}");
        assert!(!format!("{e:?}").contains(secret));
    }
    assert!(!format!("{:?}", provider(&s)).contains("signin-refresh"));
}
