//! IAM Identity Center profiles against the fake portal and OIDC service
//! (`support::SsoServer`, real HTTP on 127.0.0.1), with token caches
//! written and read by botocore itself.

#![cfg(feature = "client")]

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::{json, Value};
use sigv4::config::Env;
use sigv4::credentials::chain::Outcome;
use sigv4::credentials::default_chain::DefaultChainBuilder;
use sigv4::credentials::format_rfc3339;
use sigv4::credentials::sso::SsoProvider;
use sigv4::credentials::sso_token_cache::token_cache_key;
use sigv4::credentials::ProvideCredentials;
use sigv4::transport::UreqTransport;

use crate::support::{SsoServer, TempDir};

const START_URL: &str = "https://d-1234567890.awsapps.com/start";

pub struct Setup {
    pub dir: TempDir,
    pub server: SsoServer,
}

pub fn config_text() -> String {
    format!(
        "[profile dev]\nsso_session = my-sso\nsso_account_id = 111122223333\nsso_role_name = Admin\nregion = eu-west-1\n\
         [profile legacy]\nsso_start_url = {START_URL}\nsso_region = us-east-1\nsso_account_id = 444455556666\nsso_role_name = Read\n\
         [profile login-only]\nsso_session = my-sso\n\
         [sso-session my-sso]\nsso_start_url = {START_URL}\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n"
    )
}

impl Setup {
    pub fn new(tag: &str) -> Setup {
        let dir = TempDir::new(tag);
        std::fs::create_dir_all(dir.path().join(".aws/sso/cache")).unwrap();
        dir.write("config", &config_text());
        dir.write("credentials", "");
        Setup {
            dir,
            server: SsoServer::start(),
        }
    }

    pub fn vars(&self) -> Vec<(String, String)> {
        let p = |n: &str| self.dir.path().join(n).display().to_string();
        vec![
            ("HOME".into(), self.dir.path().display().to_string()),
            ("AWS_CONFIG_FILE".into(), p("config")),
            ("AWS_SHARED_CREDENTIALS_FILE".into(), p("credentials")),
            ("AWS_ENDPOINT_URL_SSO".into(), self.server.endpoint()),
            ("AWS_ENDPOINT_URL_SSO_OIDC".into(), self.server.endpoint()),
            ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ]
    }

    pub fn env(&self) -> Env {
        Env::from_map(self.vars())
    }

    pub fn cache_file(&self, name: &str) -> PathBuf {
        self.dir
            .path()
            .join(".aws/sso/cache")
            .join(format!("{}.json", token_cache_key(name)))
    }

    pub fn provider(&self, profile: &str) -> SsoProvider {
        SsoProvider::new(self.env(), Arc::new(UreqTransport::new())).with_profile(profile)
    }

    /// Writes a token as `aws sso login` does, valid for `valid_for`
    /// seconds (negative: expired), with refresh material.
    pub fn write_token(&self, name: &str, access: &str, valid_for: i64, refresh: bool) {
        let at = |secs: i64| {
            let t = if secs >= 0 {
                SystemTime::now() + Duration::from_secs(secs.unsigned_abs())
            } else {
                SystemTime::now() - Duration::from_secs(secs.unsigned_abs())
            };
            format_rfc3339(t)
        };
        let mut token = json!({
            "startUrl": START_URL, "region": "us-east-1", "accessToken": access,
            "expiresAt": at(valid_for), "receivedAt": at(-60), "customField": {"kept": [1, 2]},
        });
        if refresh {
            token["clientId"] = json!("client-old");
            token["clientSecret"] = json!("client-old-secret");
            token["registrationExpiresAt"] = json!(at(86400));
            token["refreshToken"] = json!("refresh-old");
            self.server
                .issue("client-old", "client-old-secret", access, "refresh-old");
        } else {
            self.server
                .state
                .lock()
                .unwrap()
                .valid_tokens
                .insert(access.into());
        }
        std::fs::write(self.cache_file(name), token.to_string()).unwrap();
    }

    pub fn read_cache(&self, name: &str) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.cache_file(name)).unwrap()).unwrap()
    }

    /// Runs python3 with botocore under this setup's environment.
    pub fn python(&self, script: &str) -> String {
        let out = Command::new("python3")
            .arg("-c")
            .arg(script)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(self.vars())
            .output()
            .expect("run python3");
        assert!(
            out.status.success(),
            "python3 failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

fn assert_no_secrets(text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!text.contains(s), "{s:?} leaked into: {text}");
    }
}

#[test]
fn sso_session_profile_reads_the_cached_token_and_calls_the_portal() {
    let s = Setup::new("sso-session");
    s.write_token("my-sso", "access-valid-1", 3600, true);
    let provider = s.provider("dev");
    let c = provider.provide().unwrap();
    assert_eq!(c.access_key_id(), "ASIASSO111122223333");
    assert!(c.session_token().unwrap().starts_with("sso-session-token-"));
    assert!(c.expires_at().is_some());
    let seen = s.server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].target,
        "/federation/credentials?account_id=111122223333&role_name=Admin"
    );
    assert_eq!(
        seen[0].header("x-amz-sso_bearer_token"),
        Some("access-valid-1")
    );
    assert_eq!(seen[0].header("authorization"), None, "not SigV4-signed");
    // Cached until they expire: no second portal call.
    provider.provide().unwrap();
    assert_eq!(s.server.seen().len(), 1);
    assert_no_secrets(&format!("{provider:?}"), &["access-valid-1", "refresh-old"]);
}

#[test]
fn explain_names_the_session_cache_file_and_expiry_never_the_token() {
    let s = Setup::new("sso-explain");
    s.write_token("my-sso", "access-explain", 3600, true);
    let chain = DefaultChainBuilder::new()
        .env(s.env())
        .profile("dev")
        .transport(Arc::new(UreqTransport::new()))
        .build();
    let names: Vec<&str> = chain.names().collect();
    assert_eq!(
        names,
        [
            "explicit",
            "environment",
            "assume-role",
            "web-identity",
            "sso",
            "login",
            "profile",
            "container",
            "imds"
        ]
    );
    let report = chain.explain();
    assert!(matches!(
        report.step("assume-role").unwrap().outcome,
        Outcome::Skipped(_)
    ));
    let text = report.to_string();
    let file = s.cache_file("my-sso").display().to_string();
    assert!(text.contains("sso-session my-sso"), "{text}");
    assert!(text.contains(&file), "{text}");
    assert!(text.contains("token expires 20"), "{text}");
    assert!(text.contains("used: ASIASSO111122223333"), "{text}");
    assert_no_secrets(
        &text,
        &[
            "access-explain",
            "refresh-old",
            "client-old-secret",
            "sso-secret",
        ],
    );
    assert_no_secrets(
        &format!("{report:?}"),
        &["access-explain", "refresh-old", "sso-secret"],
    );

    // A profile without sso_account_id / sso_role_name skips it with the reason.
    let other = DefaultChainBuilder::new()
        .env(s.env())
        .profile("login-only")
        .transport(Arc::new(UreqTransport::new()))
        .build()
        .explain();
    match &other.step("sso").unwrap().outcome {
        Outcome::Skipped(r) => assert_eq!(
            r.to_string(),
            "profile `login-only` has no sso_account_id or sso_role_name"
        ),
        o => panic!("expected a skip: {o:?}"),
    }
}

#[test]
fn legacy_profiles_use_the_start_url_key_and_are_not_refreshed() {
    let s = Setup::new("sso-legacy");
    s.write_token(START_URL, "access-legacy", 3600, false);
    let c = s.provider("legacy").provide().unwrap();
    assert_eq!(c.access_key_id(), "ASIASSO444455556666");
    assert!(c.source().contains("legacy start URL"), "{}", c.source());

    s.write_token(START_URL, "access-legacy-old", -10, false);
    let e = s.provider("legacy").provide().unwrap_err().to_string();
    assert!(e.contains("aws sso login --profile legacy"), "{e}");
    assert!(e.contains("sigv4 sso login --profile legacy"), "{e}");
    assert_no_secrets(&e, &["access-legacy-old"]);
}

#[test]
fn a_token_near_expiry_is_refreshed_and_written_back_for_botocore() {
    let s = Setup::new("sso-refresh");
    s.write_token("my-sso", "access-expiring", 120, true);
    let mut warnings = Vec::new();
    let c = s
        .provider("dev")
        .provide_with_warnings(&mut warnings)
        .unwrap();
    assert_eq!(c.access_key_id(), "ASIASSO111122223333");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("refreshed the SSO token")),
        "{warnings:?}"
    );
    let token_call = s
        .server
        .seen()
        .into_iter()
        .find(|r| r.target == "/token")
        .expect("a CreateToken call");
    let body: Value = serde_json::from_slice(&token_call.body).unwrap();
    assert_eq!(body["grantType"], "refresh_token");
    assert_eq!(body["refreshToken"], "refresh-old");
    assert_eq!(body["clientId"], "client-old");
    // The portal was called with the new token.
    let portal = s.server.seen().into_iter().last().unwrap();
    let new_access = portal.header("x-amz-sso_bearer_token").unwrap().to_owned();
    assert!(new_access.starts_with("access-"), "{new_access}");
    assert_ne!(new_access, "access-expiring");

    let cached = s.read_cache("my-sso");
    assert_eq!(cached["accessToken"], new_access);
    assert!(cached["refreshToken"]
        .as_str()
        .unwrap()
        .starts_with("refresh-"));
    assert_ne!(cached["refreshToken"], "refresh-old");
    assert_eq!(
        cached["customField"],
        json!({"kept": [1, 2]}),
        "other fields kept"
    );
    assert_eq!(cached["clientSecret"], "client-old-secret");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(s.cache_file("my-sso"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // botocore reads what we wrote.
    let script = format!(
        "from botocore.utils import SSOTokenLoader, JSONFileCache\n\
         t = SSOTokenLoader(JSONFileCache('{}'))('{START_URL}', session_name='my-sso')\n\
         print(t['accessToken'], t['expiresAt'][:4])",
        s.dir.path().join(".aws/sso/cache").display()
    );
    let out = s.python(&script);
    assert_eq!(
        out,
        format!(
            "{new_access} 20{}",
            &cached["expiresAt"].as_str().unwrap()[2..4]
        )
    );
}

#[test]
fn an_expired_token_without_refresh_names_the_login_command() {
    let s = Setup::new("sso-expired");
    s.write_token("my-sso", "access-dead", -60, false);
    let e = s.provider("dev").provide().unwrap_err();
    let text = e.to_string();
    assert!(text.contains("expired at"), "{text}");
    assert!(text.contains("aws sso login --profile dev"), "{text}");
    assert!(text.contains("sigv4 sso login --profile dev"), "{text}");
    assert!(
        text.contains(&s.cache_file("my-sso").display().to_string()),
        "{text}"
    );
    assert_no_secrets(&text, &["access-dead"]);
    assert!(s.server.seen().is_empty(), "no call with an expired token");

    // Refresh material that the service refuses: the same clear error.
    s.write_token("my-sso", "access-dead", -60, true);
    s.server.state.lock().unwrap().refresh_tokens.clear();
    let text = s.provider("dev").provide().unwrap_err().to_string();
    assert!(text.contains("InvalidGrantException"), "{text}");
    assert!(text.contains("sigv4 sso login --profile dev"), "{text}");
    assert_no_secrets(&text, &["access-dead", "refresh-old", "client-old-secret"]);

    // No token file at all.
    std::fs::remove_file(s.cache_file("my-sso")).unwrap();
    let text = s.provider("dev").provide().unwrap_err().to_string();
    assert!(
        text.contains("no SSO token for sso-session my-sso"),
        "{text}"
    );
}

#[test]
fn a_401_from_the_portal_is_a_clear_error_without_the_token() {
    let s = Setup::new("sso-401");
    s.write_token("my-sso", "access-revoked", 3600, false);
    s.server.state.lock().unwrap().valid_tokens.clear();
    let e = s.provider("dev").provide().unwrap_err();
    let text = e.to_string();
    assert!(text.contains("rejected the token"), "{text}");
    assert!(text.contains("UnauthorizedException (HTTP 401)"), "{text}");
    assert!(text.contains("sso login --profile dev"), "{text}");
    assert_no_secrets(&text, &["access-revoked"]);
    assert_no_secrets(&format!("{e:?}"), &["access-revoked"]);
}

#[test]
fn caches_written_by_botocore_are_read_and_ours_are_read_by_botocore() {
    let s = Setup::new("sso-botocore");
    // botocore's own token code writes the cache file.
    let expires = format_rfc3339(SystemTime::now() + Duration::from_secs(7200));
    s.server
        .state
        .lock()
        .unwrap()
        .valid_tokens
        .insert("access-from-botocore".into());
    let script = format!(
        "from botocore.utils import SSOTokenLoader, JSONFileCache\n\
         from botocore.tokens import _sso_json_dumps\n\
         loader = SSOTokenLoader(JSONFileCache('{}', dumps_func=_sso_json_dumps))\n\
         loader.save_token('{START_URL}', {{'startUrl': '{START_URL}', 'region': 'us-east-1', \
           'accessToken': 'access-from-botocore', 'expiresAt': '{expires}'}}, session_name='my-sso')\n\
         print('ok')",
        s.dir.path().join(".aws/sso/cache").display()
    );
    assert_eq!(s.python(&script), "ok");
    let c = s.provider("dev").provide().unwrap();
    assert_eq!(c.access_key_id(), "ASIASSO111122223333");

    // botocore's SSO credential provider uses the file our refresh wrote,
    // against the same fake portal (AWS_ENDPOINT_URL_SSO).
    s.write_token("my-sso", "access-near", 60, true);
    s.provider("dev").provide().unwrap();
    let ours = s.read_cache("my-sso")["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = s.server.seen().len();
    let out = s.python(
        "import botocore.session\n\
         c = botocore.session.Session(profile='dev').get_credentials().get_frozen_credentials()\n\
         print(c.access_key)",
    );
    assert_eq!(out, "ASIASSO111122223333");
    let botocore_call = &s.server.seen()[before];
    assert_eq!(
        botocore_call.header("x-amz-sso_bearer_token"),
        Some(ours.as_str())
    );
}

#[test]
fn login_polls_at_the_interval_and_slows_down_when_told() {
    use crate::support::Poll;
    use sigv4::api::retry::RecordingSleeper;
    use sigv4::config::{ConfiguredEndpoints, ProfileSet};
    use sigv4::credentials::sso::SsoConfig;
    use sigv4::credentials::sso_login::SsoLogin;
    use sigv4::credentials::sso_token_cache::SsoTokenCache;

    let s = Setup::new("sso-slowdown");
    {
        let mut st = s.server.state.lock().unwrap();
        st.interval = 2;
        st.polls
            .extend([Poll::Pending, Poll::SlowDown, Poll::Pending]);
    }
    let env = s.env();
    let profiles = ProfileSet::parse(&crate::credentials_sso::config_text(), "").unwrap();
    let config = SsoConfig::for_profile(&profiles, "dev").unwrap().unwrap();
    let sleeper = Arc::new(RecordingSleeper::new());
    let login = SsoLogin::new(
        Arc::new(UreqTransport::new()),
        SsoTokenCache::new(s.dir.path().join(".aws/sso/cache")),
    )
    .with_endpoints(ConfiguredEndpoints::load(&env, &profiles))
    .with_sleeper(sleeper.clone());
    let mut shown = Vec::new();
    let token = login
        .login(&config, &mut |auth| shown.push(auth.user_code.clone()))
        .unwrap();
    assert_eq!(shown, ["ABCD-EFGH"], "the code is shown once");
    // pending -> 2 s, slow_down -> 2 + 5 s, pending -> 7 s, then the token.
    assert_eq!(
        sleeper.waits(),
        [
            Duration::from_secs(2),
            Duration::from_secs(7),
            Duration::from_secs(7)
        ]
    );
    assert!(!format!("{token:?}").contains(token.access_token.as_str()));
    let cached = s.read_cache("my-sso");
    assert_eq!(cached["accessToken"], token.access_token.as_str());
    // Our login's cache is what botocore's token provider reads.
    let out = s.python(&format!(
        "from botocore.utils import SSOTokenLoader, JSONFileCache\n\
         print(SSOTokenLoader(JSONFileCache('{}'))('{START_URL}', session_name='my-sso')['region'])",
        s.dir.path().join(".aws/sso/cache").display()
    ));
    assert_eq!(out, "us-east-1");
    assert!(login.logout(&config).unwrap());
    assert!(!s.cache_file("my-sso").exists());
    assert!(!login.logout(&config).unwrap());
}

/// Writes the token and registration files exactly as AWS CLI v2's login
/// does (awscli/botocore/utils.py `SSOTokenFetcherAuth` /
/// `SSOTokenFetcher`, through `JSONFileCache` with awscli's
/// `_sso_json_dumps`, datetimes as `%Y-%m-%dT%H:%M:%SZ`, no `receivedAt`):
/// the key formulas are theirs too, computed here in Python. `grant_types`
/// is the authorization-code flow's registration (AWS CLI v2's default);
/// `None` is the device flow's (`--use-device-code`). Returns the
/// registration key Python computed.
fn write_as_aws_cli_v2(
    s: &Setup,
    client: &str,
    grant_types: Option<&[&str]>,
    token: Option<(&str, u64, &str)>,
) -> String {
    let grants = match grant_types {
        Some(g) => format!(
            "registration['grantTypes'] = ({},)\n",
            g.iter()
                .map(|g| format!("'{g}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => String::new(),
    };
    let token = match token {
        Some((access, valid_for, refresh)) => format!(
            "cache[hashlib.sha1('my-sso'.encode('utf-8')).hexdigest()] = {{\n\
               'startUrl': START, 'region': REGION, 'accessToken': '{access}',\n\
               'expiresAt': now + datetime.timedelta(seconds={valid_for}),\n\
               'clientId': registration['clientId'], 'clientSecret': registration['clientSecret'],\n\
               'registrationExpiresAt': registration['expiresAt'], 'refreshToken': '{refresh}'}}\n"
        ),
        None => String::new(),
    };
    let script = format!(
        "import datetime, hashlib, json\n\
         from dateutil.tz import tzutc\n\
         from botocore.utils import JSONFileCache\n\
         def _serialize_utc_timestamp(obj):\n\
         \x20   if isinstance(obj, datetime.datetime):\n\
         \x20       return obj.strftime('%Y-%m-%dT%H:%M:%SZ')\n\
         \x20   return obj\n\
         def _sso_json_dumps(obj):\n\
         \x20   return json.dumps(obj, default=_serialize_utc_timestamp)\n\
         cache = JSONFileCache('{dir}', dumps_func=_sso_json_dumps)\n\
         START, REGION, SCOPES = '{START_URL}', 'us-east-1', ['sso:account:access']\n\
         now = datetime.datetime.now(tzutc())\n\
         expires = datetime.datetime.fromtimestamp(int(now.timestamp()) + 90 * 86400, tzutc())\n\
         registration = {{'clientId': '{client}', 'clientSecret': '{client}-secret', 'expiresAt': expires, 'scopes': SCOPES}}\n\
         {grants}\
         args = {{'tool': 'botocore', 'startUrl': START, 'region': REGION, 'scopes': SCOPES, 'session_name': 'my-sso'}}\n\
         key = hashlib.sha1(json.dumps(args, sort_keys=True).encode('utf-8')).hexdigest()\n\
         cache[key] = registration\n\
         {token}\
         print(key)",
        dir = s.dir.path().join(".aws/sso/cache").display(),
    );
    s.python(&script)
}

#[test]
fn caches_written_as_aws_cli_v2_logs_in_are_used_refreshed_and_not_misused() {
    use sigv4::api::retry::RecordingSleeper;
    use sigv4::config::{ConfiguredEndpoints, ProfileSet};
    use sigv4::credentials::sso::SsoConfig;
    use sigv4::credentials::sso_login::SsoLogin;
    use sigv4::credentials::sso_token_cache::{registration_cache_key, SsoTokenCache};

    let s = Setup::new("sso-awscli-v2");
    // AWS CLI v2's default login: an authorization-code registration, and
    // a token near its expiry (so we refresh it with that registration).
    let pkce = ["authorization_code", "refresh_token"];
    s.server
        .register("client-v2", "client-v2-secret", Some(&pkce));
    s.server
        .issue("client-v2", "client-v2-secret", "access-v2", "refresh-v2");
    let key = write_as_aws_cli_v2(
        &s,
        "client-v2",
        Some(&pkce),
        Some(("access-v2", 120, "refresh-v2")),
    );
    let scopes = ["sso:account:access".to_owned()];
    assert_eq!(
        registration_cache_key(START_URL, Some("my-sso"), "us-east-1", Some(&scopes)),
        key,
        "the registration key AWS CLI v2 computes"
    );
    let written = s.read_cache("my-sso");
    assert!(written.get("receivedAt").is_none(), "{written}");
    let registration_expires = written["registrationExpiresAt"].clone();

    let c = s.provider("dev").provide().unwrap();
    assert_eq!(c.access_key_id(), "ASIASSO111122223333");
    let refresh = s
        .server
        .seen()
        .into_iter()
        .find(|r| r.target == "/token")
        .expect("a refresh");
    let body: Value = serde_json::from_slice(&refresh.body).unwrap();
    assert_eq!(body["clientId"], "client-v2");
    assert_eq!(body["refreshToken"], "refresh-v2");
    let cached = s.read_cache("my-sso");
    assert_ne!(cached["accessToken"], "access-v2");
    assert_eq!(cached["clientId"], "client-v2");
    assert_eq!(cached["registrationExpiresAt"], registration_expires);

    // Our device-flow login does not reuse the authorization-code
    // registration (AWS CLI v2's device flow does not either): it registers
    // anew and the file it writes has no stale grantTypes.
    let env = s.env();
    let profiles = ProfileSet::parse(&config_text(), "").unwrap();
    let config = SsoConfig::for_profile(&profiles, "dev").unwrap().unwrap();
    let cache_dir = s.dir.path().join(".aws/sso/cache");
    let login = SsoLogin::new(
        Arc::new(UreqTransport::new()),
        SsoTokenCache::new(&cache_dir),
    )
    .with_endpoints(ConfiguredEndpoints::load(&env, &profiles))
    .with_sleeper(Arc::new(RecordingSleeper::new()));
    let before = s.server.seen().len();
    login.login(&config, &mut |_| {}).unwrap();
    let paths: Vec<String> = s.server.paths()[before..].to_vec();
    assert_eq!(
        paths,
        ["/client/register", "/device_authorization", "/token"]
    );
    let registration: Value = serde_json::from_str(
        &std::fs::read_to_string(cache_dir.join(format!("{key}.json"))).unwrap(),
    )
    .unwrap();
    assert_ne!(registration["clientId"], "client-v2");
    assert!(registration.get("grantTypes").is_none(), "{registration}");
    assert_eq!(registration["scopes"], json!(["sso:account:access"]));

    // A device-flow registration as AWS CLI v2 writes it is reused.
    s.server
        .register("client-v2-device", "client-v2-device-secret", None);
    write_as_aws_cli_v2(&s, "client-v2-device", None, None);
    let before = s.server.seen().len();
    let token = login.login(&config, &mut |_| {}).unwrap();
    let seen = s.server.seen();
    let paths: Vec<String> = s.server.paths()[before..].to_vec();
    assert_eq!(paths, ["/device_authorization", "/token"]);
    let body: Value = serde_json::from_slice(&seen[before].body).unwrap();
    assert_eq!(body["clientId"], "client-v2-device");
    let cached = s.read_cache("my-sso");
    assert_eq!(cached["accessToken"], token.access_token.as_str());
    assert_eq!(cached["clientId"], "client-v2-device");
}

#[test]
fn cache_writes_wait_for_a_concurrent_writer_and_keep_what_it_wrote() {
    let s = Setup::new("sso-lock");
    s.write_token("my-sso", "access-locked", 120, true);
    let file = s.cache_file("my-sso");
    let lock_path = file.with_extension("json.lock");
    // Another writer's lock: the same flock a second process would take.
    let hold_lock = || {
        let lock = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .unwrap();
        lock.lock().unwrap();
        lock
    };
    let wait_for = |what: &str, done: &dyn Fn() -> bool| {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !done() {
            assert!(std::time::Instant::now() < deadline, "{what}");
            std::thread::sleep(Duration::from_millis(10));
        }
    };

    // A refresh (near expiry) while another writer holds the lock.
    let provider = s.provider("dev");
    std::thread::scope(|scope| {
        let lock = hold_lock();
        let refresh = scope.spawn(|| provider.provide());
        wait_for("the refresh's CreateToken", &|| {
            s.server.paths().iter().any(|p| p == "/token")
        });
        std::thread::sleep(Duration::from_millis(300));
        let mut doc = s.read_cache("my-sso");
        assert_eq!(
            doc["accessToken"], "access-locked",
            "nothing written under a held lock"
        );
        doc["writtenWhileLocked"] = json!(true);
        std::fs::write(&file, doc.to_string()).unwrap();
        drop(lock);
        let c = refresh.join().unwrap().unwrap();
        assert_eq!(c.access_key_id(), "ASIASSO111122223333");
    });
    let cached = s.read_cache("my-sso");
    assert_ne!(cached["accessToken"], "access-locked");
    assert_eq!(
        cached["writtenWhileLocked"],
        json!(true),
        "read after the lock: {cached}"
    );
    assert_eq!(cached["customField"], json!({"kept": [1, 2]}));

    // Logout removes the file under the same lock, and leaves the lock file.
    use sigv4::credentials::sso_token_cache::SsoTokenCache;
    let cache = SsoTokenCache::new(s.dir.path().join(".aws/sso/cache"));
    let key = token_cache_key("my-sso");
    std::thread::scope(|scope| {
        let lock = hold_lock();
        let removal = scope.spawn(|| cache.remove(&key));
        std::thread::sleep(Duration::from_millis(300));
        assert!(file.exists(), "not removed under a held lock");
        drop(lock);
        assert!(removal.join().unwrap().unwrap());
    });
    assert!(!file.exists());
    assert!(lock_path.exists(), "the lock file stays");
    assert!(!cache.remove(&key).unwrap());
}
