//! The binary's SSO commands and `credentials --export`, with the AWS CLI
//! on the machine as the peer that uses what we write and print.
#![cfg(feature = "cli")]

use std::io::Read;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::credentials_sso::Setup;
use crate::support::{MotoServer, Poll};

const BIN: &str = env!("CARGO_BIN_EXE_sigv4");

/// Waits for `child` at most `within`, killing it (and failing) past that.
fn finish(mut child: Child, within: Duration) -> Output {
    let deadline = Instant::now() + within;
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the process did not finish within {within:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    if let Some(mut o) = child.stdout.take() {
        let _ = o.read_to_end(&mut stdout);
    }
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_end(&mut stderr);
    }
    Output {
        status: child.wait().expect("status"),
        stdout,
        stderr,
    }
}

fn command(program: &str, setup: &Setup, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(setup.vars())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn run(program: &str, setup: &Setup, args: &[&str]) -> Output {
    // Outputs are small: reading them after exit cannot block the child.
    finish(
        command(program, setup, args).spawn().expect("spawn"),
        Duration::from_secs(60),
    )
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn export_formats_match_aws_configure_export_credentials() {
    let s = Setup::new("cli-export");
    let mut c = command(BIN, &s, &["credentials", "--export", "env"]);
    c.env("AWS_ACCESS_KEY_ID", "AKIDEXPORT")
        .env("AWS_SECRET_ACCESS_KEY", "secret/export")
        .env("AWS_SESSION_TOKEN", "token+export")
        .env("AWS_CREDENTIAL_EXPIRATION", "2030-01-02T03:04:05Z");
    let envs: Vec<(String, String)> = c
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_str()?.to_owned(), v?.to_str()?.to_owned())))
        .collect();
    let export = |format: &str| {
        let out = finish(
            command(BIN, &s, &["credentials", "--export", format])
                .envs(envs.iter().cloned())
                .spawn()
                .unwrap(),
            Duration::from_secs(60),
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    assert_eq!(
        export("env"),
        "export AWS_ACCESS_KEY_ID=AKIDEXPORT\nexport AWS_SECRET_ACCESS_KEY=secret/export\n\
         export AWS_SESSION_TOKEN=token+export\nexport AWS_CREDENTIAL_EXPIRATION=2030-01-02T03:04:05Z\n"
    );
    assert_eq!(
        export("env-no-export"),
        "AWS_ACCESS_KEY_ID=AKIDEXPORT\nAWS_SECRET_ACCESS_KEY=secret/export\n\
         AWS_SESSION_TOKEN=token+export\nAWS_CREDENTIAL_EXPIRATION=2030-01-02T03:04:05Z\n"
    );
    assert_eq!(
        export("powershell"),
        "$Env:AWS_ACCESS_KEY_ID=\"AKIDEXPORT\"\n$Env:AWS_SECRET_ACCESS_KEY=\"secret/export\"\n\
         $Env:AWS_SESSION_TOKEN=\"token+export\"\n$Env:AWS_CREDENTIAL_EXPIRATION=\"2030-01-02T03:04:05Z\"\n"
    );
    assert_eq!(
        export("windows-cmd"),
        "set AWS_ACCESS_KEY_ID=AKIDEXPORT\nset AWS_SECRET_ACCESS_KEY=secret/export\n\
         set AWS_SESSION_TOKEN=token+export\nset AWS_CREDENTIAL_EXPIRATION=2030-01-02T03:04:05Z\n"
    );
    let process: Value = serde_json::from_str(&export("process")).unwrap();
    assert_eq!(
        process,
        serde_json::json!({"Version": 1, "AccessKeyId": "AKIDEXPORT", "SecretAccessKey": "secret/export",
            "SessionToken": "token+export", "Expiration": "2030-01-02T03:04:05Z"})
    );
}

#[test]
fn the_aws_cli_uses_sigv4_as_its_credential_process() {
    let moto = MotoServer::start();
    let s = Setup::new("cli-process");
    s.dir.write(
        "credentials",
        &format!(
            "[base]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            moto.access_key, moto.secret_key
        ),
    );
    s.dir.write(
        "config",
        &format!(
            "{}[profile viaproc]\ncredential_process = {BIN} credentials --export process --profile base\n",
            crate::credentials_sso::config_text()
        ),
    );
    let out = run(
        "aws",
        &s,
        &[
            "--profile",
            "viaproc",
            "--region",
            "us-east-1",
            "--endpoint-url",
            &moto.endpoint(),
            "sts",
            "get-caller-identity",
            "--output",
            "json",
        ],
    );
    assert!(out.status.success(), "aws failed: {}", text(&out.stderr));
    let me: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        me["Arn"].as_str().unwrap().ends_with(":user/sigv4-test"),
        "{me}"
    );
}

#[test]
fn sso_login_then_the_aws_cli_and_sigv4_use_the_profile() {
    let s = Setup::new("cli-sso-login");
    s.server
        .state
        .lock()
        .unwrap()
        .polls
        .extend([Poll::Pending, Poll::Pending]);
    let out = run(
        BIN,
        &s,
        &["sso", "login", "--profile", "dev", "--no-browser"],
    );
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "login failed: {stderr}");
    let all = format!("{}{stderr}", text(&out.stdout));
    assert!(all.contains("ABCD-EFGH"), "user code shown: {all}");
    assert!(
        all.contains(&format!("{}/device", s.server.endpoint())),
        "{all}"
    );
    let paths = s.server.paths();
    assert_eq!(
        paths,
        [
            "/client/register",
            "/device_authorization",
            "/token",
            "/token",
            "/token"
        ]
    );
    // The files AWS CLI v2 writes: the token under SHA-1 of the session
    // name, the registration under the key of its JSON arguments.
    let token = s.read_cache("my-sso");
    for field in [
        "startUrl",
        "region",
        "accessToken",
        "expiresAt",
        "receivedAt",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
        "refreshToken",
    ] {
        assert!(token.get(field).is_some(), "{field} missing from {token}");
    }
    let registration_key = sigv4::credentials::sso_token_cache::registration_cache_key(
        "https://d-1234567890.awsapps.com/start",
        Some("my-sso"),
        "us-east-1",
        Some(&["sso:account:access".to_owned()]),
    );
    let registration: Value = serde_json::from_str(
        &std::fs::read_to_string(
            s.dir
                .path()
                .join(format!(".aws/sso/cache/{registration_key}.json")),
        )
        .expect("the registration file"),
    )
    .unwrap();
    assert_eq!(registration["clientId"], token["clientId"]);
    assert_eq!(
        registration["scopes"],
        serde_json::json!(["sso:account:access"])
    );
    assert!(
        !all.contains(token["accessToken"].as_str().unwrap()),
        "no token printed"
    );

    // The AWS CLI (v1 here: it reads SSO caches) uses the profile; its
    // portal call reaches the fake through AWS_ENDPOINT_URL_SSO.
    let out = run(
        "python3",
        &s,
        &["-c", "import botocore.session\nc = botocore.session.Session(profile='dev').get_credentials().get_frozen_credentials()\nprint(c.access_key)"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "ASIASSO111122223333");
    // So does sigv4.
    let out = run(
        BIN,
        &s,
        &["--profile", "dev", "credentials", "--export", "process"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["AccessKeyId"], "ASIASSO111122223333");
    assert!(doc["Expiration"].is_string());

    // A second login reuses the cached registration.
    let out = run(
        BIN,
        &s,
        &["sso", "login", "--sso-session", "my-sso", "--no-browser"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let registers = s
        .server
        .paths()
        .iter()
        .filter(|p| *p == "/client/register")
        .count();
    assert_eq!(registers, 1);

    // Logout removes the token; the profile then needs a login again.
    let out = run(BIN, &s, &["sso", "logout", "--profile", "dev"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!s.cache_file("my-sso").exists());
    let out = run(BIN, &s, &["--profile", "dev", "credentials"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("sigv4 sso login --profile dev"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn sso_login_stops_on_an_expired_device_code() {
    let s = Setup::new("cli-sso-expired");
    s.server
        .state
        .lock()
        .unwrap()
        .polls
        .extend([Poll::Pending, Poll::Expired]);
    let out = run(
        BIN,
        &s,
        &["sso", "login", "--profile", "dev", "--no-browser"],
    );
    assert!(!out.status.success());
    let e = text(&out.stderr);
    assert!(e.contains("expired before it was confirmed"), "{e}");
    assert!(!s.cache_file("my-sso").exists());
}

/// The credentials the fake portal hands out: a role moto knows, assumed
/// in moto, so that moto (signature checks on) accepts only them.
fn moto_role_credentials(moto: &MotoServer) -> (String, String, String) {
    use sigv4::api::query_protocol::QueryCall;
    let user = crate::support::peer_client(
        moto.endpoint(),
        sigv4::credentials::Credentials::new(&moto.access_key, &moto.secret_key),
    );
    let role = crate::support::create_role(&user, "sso-admin");
    let assumed = user
        .query(
            &QueryCall::new("sts", "AssumeRole", "2011-06-15")
                .param("RoleArn", &role)
                .param("RoleSessionName", "sso-user"),
        )
        .expect("AssumeRole in moto");
    let field = |name: &str| assumed.find(name).unwrap_or_else(|| panic!("{name}"));
    (
        field("AccessKeyId"),
        field("SecretAccessKey"),
        field("SessionToken"),
    )
}

#[test]
fn the_aws_cli_executable_uses_the_profile_after_sigv4_sso_login() {
    let moto = MotoServer::start();
    let (key, secret, token) = moto_role_credentials(&moto);
    let s = Setup::new("cli-sso-aws");
    {
        let mut st = s.server.state.lock().unwrap();
        st.role_credentials = Some((key.clone(), secret, token));
        st.polls.push_back(Poll::Pending);
    }
    let out = run(
        BIN,
        &s,
        &["sso", "login", "--profile", "dev", "--no-browser"],
    );
    assert!(out.status.success(), "login failed: {}", text(&out.stderr));
    let ours = s.read_cache("my-sso")["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = s.server.seen().len();

    // The real `aws` executable (v1: reads SSO caches, cannot log in): its
    // portal call reaches the fake through AWS_ENDPOINT_URL_SSO (botocore
    // honours service-specific endpoint variables for `sso`), STS is moto.
    let out = finish(
        command(
            "aws",
            &s,
            &[
                "sts",
                "get-caller-identity",
                "--profile",
                "dev",
                "--output",
                "json",
            ],
        )
        .env("AWS_ENDPOINT_URL_STS", moto.endpoint())
        .spawn()
        .expect("spawn aws"),
        Duration::from_secs(60),
    );
    assert!(out.status.success(), "aws failed: {}", text(&out.stderr));
    let me: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        me["Arn"]
            .as_str()
            .unwrap()
            .ends_with(":assumed-role/sso-admin/sso-user"),
        "moto saw the portal's credentials: {me}"
    );
    // The AWS CLI asked the portal with the token our login cached.
    let seen = s.server.seen();
    let portal: Vec<_> = seen[before..]
        .iter()
        .filter(|r| r.target.starts_with("/federation/credentials"))
        .collect();
    assert_eq!(portal.len(), 1, "{:?}", s.server.paths());
    let mut query: Vec<&str> = portal[0]
        .target
        .split_once('?')
        .map(|(_, q)| q.split('&').collect())
        .unwrap_or_default();
    query.sort_unstable();
    assert_eq!(query, ["account_id=111122223333", "role_name=Admin"]);
    assert_eq!(
        portal[0].header("x-amz-sso_bearer_token"),
        Some(ours.as_str())
    );
    // And sigv4 resolves the same key for the profile.
    let out = run(
        BIN,
        &s,
        &["--profile", "dev", "credentials", "--export", "process"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["AccessKeyId"], key.as_str());
}

/// A fake browser opener `name` in `bin`: records its arguments, one a
/// line, in `<bin>/<name>.args`; returns that file.
fn fake_opener(bin: &std::path::Path, name: &str) -> std::path::PathBuf {
    std::fs::create_dir_all(bin).unwrap();
    let record = bin.join(format!("{name}.args"));
    let script = bin.join(name);
    // `mv` by its full path: the tests run sigv4 with PATH set to `bin`.
    let mv = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("mv"))
        .find(|m| m.is_file())
        .expect("mv on PATH");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{0}.tmp' && '{1}' '{0}.tmp' '{0}'\n",
            record.display(),
            mv.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    record
}

/// The recorded arguments of an opener, waiting for it at most 10 s (it
/// runs after `sigv4` has moved on); `None` when it never ran.
fn opener_args(record: &std::path::Path, within: Duration) -> Option<String> {
    let deadline = Instant::now() + within;
    loop {
        if let Ok(text) = std::fs::read_to_string(record) {
            return Some(text);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `sigv4 sso login` with `extra` arguments and `vars` on top of the
/// setup's environment (which has no DISPLAY, no BROWSER); one pending
/// poll, so the prompt (and the browser) is shown.
fn login_with(s: &Setup, extra: &[&str], vars: &[(&str, String)]) -> String {
    s.server
        .state
        .lock()
        .unwrap()
        .polls
        .push_back(Poll::Pending);
    let mut args = vec!["sso", "login", "--profile", "dev"];
    args.extend_from_slice(extra);
    let mut c = command(BIN, s, &args);
    c.envs(vars.iter().map(|(k, v)| (*k, v.as_str())));
    let out = finish(c.spawn().expect("spawn"), Duration::from_secs(60));
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "login failed: {stderr}");
    assert!(stderr.contains("ABCD-EFGH"), "{stderr}");
    stderr
}

#[test]
fn sso_login_opens_the_browser_at_the_complete_url_unless_told_not_to() {
    let s = Setup::new("cli-sso-browser");
    let bin = s.dir.path().join("bin");
    let xdg = fake_opener(&bin, "xdg-open");
    let complete = format!("{}/device?user_code=ABCD-EFGH", s.server.endpoint());
    let path = bin.display().to_string();
    let display = ("DISPLAY", ":99".to_owned());

    // A display and xdg-open on PATH: opened at the complete URL.
    let stderr = login_with(&s, &[], &[("PATH", path.clone()), display.clone()]);
    assert_eq!(
        opener_args(&xdg, Duration::from_secs(10)).as_deref(),
        Some(format!("{complete}\n").as_str()),
        "{stderr}"
    );
    assert!(stderr.contains("(opened with xdg-open)"), "{stderr}");
    assert!(
        stderr.contains(&complete),
        "the URL is printed too: {stderr}"
    );
    std::fs::remove_file(&xdg).unwrap();

    // --no-browser: not started.
    let stderr = login_with(
        &s,
        &["--no-browser"],
        &[("PATH", path.clone()), display.clone()],
    );
    assert!(!stderr.contains("opened with"), "{stderr}");
    assert!(stderr.contains(&complete), "{stderr}");
    assert_eq!(opener_args(&xdg, Duration::from_millis(500)), None);

    // No display: xdg-open is not tried (it could start a text browser on
    // the prompt's terminal), as Python's webbrowser does.
    let stderr = login_with(&s, &[], &[("PATH", path.clone())]);
    assert!(!stderr.contains("opened with"), "{stderr}");
    assert_eq!(opener_args(&xdg, Duration::from_millis(500)), None);

    // No opener at all (PATH has none): not an error, the URL is printed.
    let empty = s.dir.path().join("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    let stderr = login_with(
        &s,
        &[],
        &[("PATH", empty.display().to_string()), display.clone()],
    );
    assert!(!stderr.contains("opened with"), "{stderr}");
    assert!(stderr.contains(&complete), "{stderr}");

    // BROWSER first, like Python's webbrowser (AWS CLI v2): a list
    // separated like PATH, the first that starts wins, `%s` is the URL.
    let mine = fake_opener(&bin, "my-browser");
    let stderr = login_with(
        &s,
        &[],
        &[
            ("PATH", path.clone()),
            display.clone(),
            (
                "BROWSER",
                format!(
                    "no-such-browser-sigv4:{} --new-tab %s",
                    bin.join("my-browser").display()
                ),
            ),
        ],
    );
    assert_eq!(
        opener_args(&mine, Duration::from_secs(10)).as_deref(),
        Some(format!("--new-tab\n{complete}\n").as_str()),
        "{stderr}"
    );
    assert_eq!(
        opener_args(&xdg, Duration::from_millis(300)),
        None,
        "BROWSER wins over xdg-open"
    );
}
