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
