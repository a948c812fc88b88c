//! End-to-end tests of the `sigv4` binary against real servers on 127.0.0.1.
#![cfg(feature = "cli")]

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::{
    http, ChildGuard, MotoServer, Response, S3Server, Step, StubServer, TempDir, ACCESS_KEY,
    SECRET_KEY, TRUST_ANYONE,
};

const BIN: &str = env!("CARGO_BIN_EXE_sigv4");

/// The binary with a clean environment: no real AWS configuration is read,
/// and IMDS points at a closed local port so nothing leaves 127.0.0.1.
pub(crate) fn sigv4() -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", "/nonexistent-home")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9")
        .stdin(Stdio::null());
    c
}

pub fn with_keys(mut c: Command) -> Command {
    c.env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    c
}

/// How long one run of the binary may take before the test fails (every
/// run here takes well under a second; this only turns a hang into a
/// failure).
const RUN_DEADLINE: Duration = Duration::from_secs(60);

/// Runs the binary to completion, within [`RUN_DEADLINE`]: its output is
/// read on threads, and the child is killed (and the test fails) if it
/// has not exited by then.
pub(crate) fn run(c: Command) -> Output {
    run_watched(c, RUN_DEADLINE, |_| {})
}

/// [`run`] with another deadline (a peer's long transfer).
pub(crate) fn run_within(c: Command, deadline: Duration) -> Output {
    run_watched(c, deadline, |_| {})
}

/// [`run`] within `deadline`, calling `watch` with the child's process id
/// every few milliseconds while it runs.
pub(crate) fn run_watched(
    mut c: Command,
    deadline: Duration,
    mut watch: impl FnMut(u32),
) -> Output {
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sigv4");
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            let _ = tx.send(bytes);
        });
        rx
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let limit = deadline;
    let deadline = Instant::now() + limit;
    let status = loop {
        watch(child.id());
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{:?} did not exit within {limit:?}", c.get_program());
        }
        // Polling the child's exit (std has no wait with a timeout); the
        // loop is bounded by the deadline.
        std::thread::sleep(Duration::from_millis(5));
    };
    // The pipes close when the child exits; a grandchild holding them
    // would be a bug, so this wait is bounded too.
    let collect = |rx: mpsc::Receiver<Vec<u8>>| {
        rx.recv_timeout(Duration::from_secs(10))
            .expect("sigv4's output was not closed after it exited")
    };
    Output {
        status,
        stdout: collect(out),
        stderr: collect(err),
    }
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(o), stderr(o)))
}

fn headers_of(v: &serde_json::Value) -> Vec<(String, String)> {
    v["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_string(),
                p[1].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Signs `method url` with the CLI (JSON output) and sends what it printed.
fn sign_and_send(server: &S3Server, method: &str, path: &str, data: Option<&str>) -> Response {
    let url = format!("{}{path}", server.endpoint());
    let mut c = with_keys(sigv4());
    c.args(["sign", "--output", "json", "--service", "s3", "-X", method]);
    if let Some(d) = data {
        c.args(["-d", d]);
    }
    c.arg(&url);
    let o = run(c);
    assert!(o.status.success(), "sign failed: {}", stderr(&o));
    let v = json(&o);
    for key in [
        "method",
        "url",
        "headers",
        "canonical_request",
        "string_to_sign",
        "signature",
    ] {
        assert!(!v[key].is_null(), "missing {key} in {v}");
    }
    let body = data.map(|d| d.as_bytes().to_vec()).unwrap_or_default();
    http(
        v["method"].as_str().unwrap(),
        v["url"].as_str().unwrap(),
        &headers_of(&v),
        &body,
    )
}

#[test]
fn sign_against_s3s_fs() {
    let server = S3Server::start();
    let r = sign_and_send(&server, "PUT", "/cli-bucket", None);
    assert!(r.is_success(), "create bucket: {} {}", r.status, r.text());
    let r = sign_and_send(
        &server,
        "PUT",
        "/cli-bucket/dir/hello%20world.txt",
        Some("hello from the CLI"),
    );
    assert!(r.is_success(), "put: {} {}", r.status, r.text());
    let r = sign_and_send(&server, "GET", "/cli-bucket/dir/hello%20world.txt", None);
    assert_eq!((r.status, r.text().as_str()), (200, "hello from the CLI"));
    // A URL with a raw space is encoded on the way to the wire.
    let r = sign_and_send(&server, "GET", "/cli-bucket/dir/hello world.txt", None);
    assert_eq!((r.status, r.text().as_str()), (200, "hello from the CLI"));
    let r = sign_and_send(&server, "GET", "/cli-bucket?list-type=2&prefix=dir/", None);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.text().contains("<Key>dir/hello world.txt</Key>"),
        "{}",
        r.text()
    );
}

#[test]
fn sign_output_is_reproducible_with_a_timestamp() {
    let args = [
        "--example-credentials",
        "sign",
        "--timestamp",
        "20130524T000000Z",
        "-H",
        "Range: bytes=0-9",
        "--output",
        "json",
        "https://examplebucket.s3.amazonaws.com/test.txt",
    ];
    let a = run({
        let mut c = sigv4();
        c.args(args);
        c
    });
    assert!(a.status.success(), "{}", stderr(&a));
    let v = json(&a);
    // The AWS S3 documentation's GET Object example (same keys, time, headers).
    assert_eq!(
        v["signature"],
        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    );
    let b = run({
        let mut c = sigv4();
        c.args(args);
        c
    });
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn presign_against_s3s_fs() {
    let server = S3Server::start();
    assert!(sign_and_send(&server, "PUT", "/presign-bucket", None).is_success());
    let presign = |method: &str, extra: &[&str]| {
        let mut c = with_keys(sigv4());
        c.args([
            "--endpoint-url",
            &server.endpoint(),
            "presign",
            "-X",
            method,
            "--expires-in",
            "120",
            "--output",
            "json",
        ]);
        c.args(extra);
        c.arg("s3://presign-bucket/up/ü file.txt");
        let o = run(c);
        assert!(o.status.success(), "presign: {}", stderr(&o));
        json(&o)
    };
    let put = presign("PUT", &["-H", "content-type: text/plain"]);
    assert_eq!(
        headers_of(&put),
        vec![("content-type".to_string(), "text/plain".to_string())]
    );
    let r = http(
        "PUT",
        put["url"].as_str().unwrap(),
        &headers_of(&put),
        b"presigned upload",
    );
    assert!(r.is_success(), "presigned put: {} {}", r.status, r.text());
    let get = presign("GET", &[]);
    assert!(get["expires_at"].as_str().unwrap().ends_with('Z'));
    let r = http("GET", get["url"].as_str().unwrap(), &[], b"");
    assert_eq!((r.status, r.text().as_str()), (200, "presigned upload"));
    // Text output is the URL alone.
    let mut c = with_keys(sigv4());
    c.args([
        "--endpoint-url",
        &server.endpoint(),
        "presign",
        "--path-style",
        "s3://presign-bucket/up/ü file.txt",
    ]);
    let o = run(c);
    let url = stdout(&o).trim().to_string();
    assert!(
        url.starts_with(&format!(
            "{}/presign-bucket/up/%C3%BC%20file.txt?",
            server.endpoint()
        )),
        "{url}"
    );
    assert_eq!(http("GET", &url, &[], b"").text(), "presigned upload");
}

/// Starts `sigv4 imds serve` on a free port and returns its endpoint.
fn imds_serve(extra: &[&str]) -> (ChildGuard, String) {
    let mut c = sigv4();
    c.args(["imds", "serve", "--port", "0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = c.spawn().expect("start imds serve");
    let out = child.stdout.take().expect("stdout");
    let guard = ChildGuard(child);
    // The first line is read on a thread so that the wait for it has a
    // deadline; the thread then keeps draining the server's output so it
    // never writes into a closed pipe (it ends when the guard kills the
    // server).
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(out);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = tx.send(line);
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    let line = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("imds serve printed no address within 10 s");
    let endpoint = line.trim().rsplit(' ').next().unwrap_or("").to_string();
    assert!(
        endpoint.starts_with("http://127.0.0.1:"),
        "unexpected first line {line:?}"
    );
    (guard, endpoint)
}

#[test]
fn imds_serve_get_and_credentials_work_together() {
    let (_server, endpoint) = imds_serve(&[
        "--require-token",
        "--role",
        "app-role",
        "--metadata",
        "instance-type=m5.large",
    ]);
    let get = |args: &[&str]| {
        let mut c = sigv4();
        c.args(["--endpoint-url", &endpoint, "imds"]).args(args);
        run(c)
    };
    let o = get(&["get", "meta-data/instance-type"]);
    assert_eq!(stdout(&o).trim(), "m5.large", "{}", stderr(&o));
    let o = get(&["ls", "meta-data/iam/security-credentials/"]);
    assert_eq!(stdout(&o).trim(), "app-role");
    // Tokens are required: a v1 GET is refused with a clear error.
    let o = get(&["get", "--v1", "meta-data/instance-id"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "sigv4: error: /latest/meta-data/instance-id: 401: the service requires IMDSv2 tokens (drop --v1)\n"
    );

    // The credential chain reaches the instance profile through the emulator.
    let mut c = sigv4();
    c.env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &endpoint)
        .args(["credentials", "--output", "json"]);
    let o = run(c);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["access_key_id"], "ASIAEMULATOREXAMPLE");
    let providers = v["providers"].as_array().unwrap();
    let imds = providers.iter().find(|p| p["provider"] == "imds").unwrap();
    assert_eq!(imds["outcome"], "used");
    let env = providers
        .iter()
        .find(|p| p["provider"] == "environment")
        .unwrap();
    assert_eq!(env["outcome"], "skipped");
    assert!(
        v.get("secret_access_key").is_none(),
        "secret printed without --show-secret"
    );
    let text = stdout(&o);
    assert!(
        !text.contains("emulatorSecretAccessKeyEXAMPLEKEY")
            && !text.contains("emulatorSessionTokenEXAMPLE"),
        "{text}"
    );

    // With environment keys too, the environment wins and IMDS is not reached.
    let mut c = with_keys(sigv4());
    c.env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &endpoint)
        .arg("credentials");
    let o = run(c);
    let text = stdout(&o);
    assert!(text.contains(&format!("used: {ACCESS_KEY}")), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("imds") && l.contains("not reached")),
        "{text}"
    );
    assert!(!text.contains(SECRET_KEY));
    let mut c = with_keys(sigv4());
    c.args(["credentials", "--show-secret"]);
    assert!(stdout(&run(c)).contains(SECRET_KEY));
}

#[test]
fn errors_are_one_line_with_a_nonzero_exit() {
    for args in [
        vec!["sign", "not a url"],
        vec!["sign", "https://example.com/"],
        vec![
            "--example-credentials",
            "presign",
            "--expires-in",
            "0",
            "s3://b/k",
        ],
        vec![
            "--example-credentials",
            "sign",
            "--timestamp",
            "yesterday",
            "https://sts.amazonaws.com/",
        ],
    ] {
        let mut c = sigv4();
        c.args(&args);
        let o = run(c);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = stderr(&o);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("sigv4: error: "), "{args:?}: {err}");
    }
}

#[test]
fn every_command_has_help_with_an_example() {
    for cmd in [
        &["sign"][..],
        &["presign"],
        &["credentials"],
        &["imds", "get"],
        &["imds", "ls"],
        &["imds", "serve"],
        &["proxy"],
    ] {
        let mut c = sigv4();
        c.args(cmd).arg("--help");
        let o = run(c);
        assert!(o.status.success());
        let text = stdout(&o);
        assert!(
            text.contains("Examples:") && text.contains("sigv4 "),
            "{cmd:?} help has no example:\n{text}"
        );
    }
}

#[test]
fn curl_against_s3s_fs() {
    let server = S3Server::start();
    let curl = |args: &[&str], secret: &str| {
        let mut c = sigv4();
        c.env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", secret);
        c.args(["curl", "--service", "s3"]).args(args);
        run(c)
    };
    let base = server.endpoint();
    let o = curl(&["-X", "PUT", &format!("{base}/curl-bucket")], SECRET_KEY);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = curl(
        &[
            "-X",
            "PUT",
            "-d",
            "sent by sigv4 curl",
            &format!("{base}/curl-bucket/a+b.txt"),
        ],
        SECRET_KEY,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = curl(&[&format!("{base}/curl-bucket/a+b.txt")], SECRET_KEY);
    assert_eq!(stdout(&o), "sent by sigv4 curl");
    let o = curl(&["-i", &format!("{base}/curl-bucket/a+b.txt")], SECRET_KEY);
    let text = stdout(&o);
    assert!(
        text.starts_with("HTTP/1.1 200") && text.ends_with("\n\nsent by sigv4 curl"),
        "{text}"
    );
    let dir = TempDir::new("cli-curl");
    let file = dir.path().join("out.txt");
    let o = curl(
        &[
            "-o",
            file.to_str().unwrap(),
            &format!("{base}/curl-bucket/a+b.txt"),
        ],
        SECRET_KEY,
    );
    assert!(o.status.success() && stdout(&o).is_empty());
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "sent by sigv4 curl"
    );

    // Non-2xx: exit 22 with the status and AWS's error code on one stderr
    // line (s3s-fs sends no message with either, and no canonical request,
    // so there is no diff).
    let o = curl(&[&format!("{base}/curl-bucket/missing")], SECRET_KEY);
    assert_eq!(o.status.code(), Some(22));
    assert_eq!(stderr(&o), "sigv4: error: HTTP 404: NoSuchKey\n");
    let mismatch = "sigv4: error: HTTP 403: SignatureDoesNotMatch\n";
    let o = curl(&[&format!("{base}/curl-bucket/a+b.txt")], "wrong-secret");
    assert_eq!((o.status.code(), stderr(&o).as_str()), (Some(22), mismatch));
    assert!(stdout(&o).is_empty());

    // Writes signed with a wrong secret are refused the same way and change
    // nothing: the object keeps its content, a new key is not created.
    let o = curl(
        &[
            "-X",
            "PUT",
            "-d",
            "overwritten",
            &format!("{base}/curl-bucket/a+b.txt"),
        ],
        "wrong-secret",
    );
    assert_eq!((o.status.code(), stderr(&o).as_str()), (Some(22), mismatch));
    let o = curl(
        &[
            "-X",
            "PUT",
            "-d",
            "new",
            &format!("{base}/curl-bucket/new.txt"),
        ],
        "wrong-secret",
    );
    assert_eq!((o.status.code(), stderr(&o).as_str()), (Some(22), mismatch));
    let o = curl(&[&format!("{base}/curl-bucket/a+b.txt")], SECRET_KEY);
    assert_eq!(stdout(&o), "sent by sigv4 curl");
    let o = curl(&[&format!("{base}/curl-bucket/new.txt")], SECRET_KEY);
    assert_eq!(o.status.code(), Some(22));
    assert_eq!(stderr(&o), "sigv4: error: HTTP 404: NoSuchKey\n");
}

/// The binary with the moto user's keys and moto as the endpoint of every service.
fn moto_cli(moto: &MotoServer) -> Command {
    let mut c = sigv4();
    c.env("AWS_ACCESS_KEY_ID", &moto.access_key)
        .env("AWS_SECRET_ACCESS_KEY", &moto.secret_key)
        .args(["--region", "us-east-1", "--endpoint-url", &moto.endpoint()]);
    c
}

#[test]
fn sts_flows_against_moto() {
    let moto = MotoServer::start();
    // whoami
    let mut c = moto_cli(&moto);
    c.args(["sts", "whoami", "--output", "json"]);
    let o = run(c);
    assert!(o.status.success(), "{}", stderr(&o));
    let me = json(&o);
    assert!(
        me["arn"].as_str().unwrap().ends_with(":user/sigv4-test"),
        "{me}"
    );

    // curl: create a role through IAM's query API (signed by the CLI, checked by moto).
    let trust = TRUST_ANYONE;
    let body = format!(
        "Action=CreateRole&RoleName=cli-role&Version=2010-05-08&AssumeRolePolicyDocument={}",
        sigv4::sign::encoding::encode(trust, sigv4::sign::encoding::Input::Literal, false)
    );
    let mut c = moto_cli(&moto);
    c.args([
        "curl",
        "--service",
        "iam",
        "-X",
        "POST",
        "-H",
        "content-type: application/x-www-form-urlencoded",
        "-d",
        &body,
    ])
    .arg(format!("{}/", moto.endpoint()));
    let o = run(c);
    assert!(o.status.success(), "create role: {}", stderr(&o));
    let role_arn = stdout(&o)
        .split("<Arn>")
        .nth(1)
        .and_then(|s| s.split("</Arn>").next())
        .unwrap()
        .to_string();

    // A shared credentials file with comments and other profiles.
    let dir = TempDir::new("cli-sts");
    let file = dir.path().join("credentials");
    let original = "# team credentials\n\n[default]\naws_access_key_id = AKIDDEFAULT ; keep me\naws_secret_access_key = keep\n\n; a comment between profiles\n[other]\nregion=eu-west-1\n";
    std::fs::write(&file, original).unwrap();

    // assume-role --write-profile, then the profile works in one step.
    let mut c = moto_cli(&moto);
    c.env("AWS_SHARED_CREDENTIALS_FILE", &file)
        .args([
            "sts",
            "assume-role",
            "--role-arn",
            &role_arn,
            "--session-name",
            "cli-test",
        ])
        .args([
            "--write-profile",
            "deploy",
            "--show-secret",
            "--output",
            "json",
        ]);
    let o = run(c);
    assert!(o.status.success(), "assume-role: {}", stderr(&o));
    let v = json(&o);
    let (ak, sk, tok) = (
        v["access_key_id"].as_str().unwrap(),
        v["secret_access_key"].as_str().unwrap(),
        v["session_token"].as_str().unwrap(),
    );
    let after = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        after,
        format!("{original}\n[deploy]\naws_access_key_id = {ak}\naws_secret_access_key = {sk}\naws_session_token = {tok}\n")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let mut c = sigv4();
    c.env("AWS_SHARED_CREDENTIALS_FILE", &file).args([
        "--region",
        "us-east-1",
        "--endpoint-url",
        &moto.endpoint(),
        "--profile",
        "deploy",
        "sts",
        "whoami",
    ]);
    let o = run(c);
    assert!(
        o.status.success(),
        "whoami with the written profile: {}",
        stderr(&o)
    );
    assert!(
        stdout(&o).contains("assumed-role/cli-role/cli-test"),
        "{}",
        stdout(&o)
    );

    // get-session-token with MFA rewrites an existing profile in place.
    let mut c = moto_cli(&moto);
    c.env("AWS_SHARED_CREDENTIALS_FILE", &file)
        .args([
            "sts",
            "get-session-token",
            "--serial-number",
            "arn:aws:iam::123456789012:mfa/sigv4-test",
        ])
        .args([
            "--token-code",
            "123456",
            "--duration-seconds",
            "900",
            "--write-profile",
            "deploy",
            "--output",
            "json",
        ]);
    let o = run(c);
    assert!(o.status.success(), "get-session-token: {}", stderr(&o));
    let v = json(&o);
    assert!(
        v.get("secret_access_key").is_none(),
        "secret printed with --write-profile and no --show-secret"
    );
    let rewritten = std::fs::read_to_string(&file).unwrap();
    assert!(
        rewritten.starts_with(original),
        "other profiles changed:\n{rewritten}"
    );
    assert!(rewritten.contains(&format!(
        "[deploy]\naws_access_key_id = {}\n",
        v["access_key_id"].as_str().unwrap()
    )));
    assert_eq!(rewritten.matches("[deploy]").count(), 1);

    // ec2 dry-run: moto answers DryRunOperation for a permitted call.
    let mut c = moto_cli(&moto);
    c.args(["ec2", "dry-run", "DescribeInstances"]);
    let o = run(c);
    assert!(o.status.success(), "dry-run: {}", stderr(&o));
    assert!(stdout(&o).contains("would succeed"));

    // A wrong secret gets moto's 403 SignatureDoesNotMatch as a one-line
    // error, exit 1 (22 is curl's).
    let mut c = moto_cli(&moto);
    c.env("AWS_SECRET_ACCESS_KEY", "wrong")
        .args(["sts", "whoami"]);
    let o = run(c);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.starts_with("sigv4: error: SignatureDoesNotMatch (HTTP 403): ")
            && err.ends_with('\n')
            && err.lines().count() == 1,
        "{err}"
    );
    assert!(!err.contains("wrong"), "{err}");
}

/// The stub server answering with S3's `SignatureDoesNotMatch` body,
/// carrying a canonical request that differs from ours in one header line
/// (a fake is fine here: it injects a fault).
#[test]
fn curl_prints_a_canonical_request_diff_on_signature_mismatch() {
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code>\
        <Message>The request signature we calculated does not match the signature you provided.</Message>\
        <CanonicalRequest>GET\n/bucket/key\n\nhost:127.0.0.1\nx-amz-content-sha256:UNSIGNED-PAYLOAD\n\
        x-amz-date:20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\nUNSIGNED-PAYLOAD</CanonicalRequest>\
        <StringToSign>AWS4-HMAC-SHA256</StringToSign><RequestId>R1</RequestId></Error>";
    let server = StubServer::start(vec![Step::respond(403, "application/xml", body)]);
    let port = server.port();
    let mut c = sigv4();
    c.args([
        "--example-credentials",
        "curl",
        "--service",
        "s3",
        "--timestamp",
        "20130524T000000Z",
    ])
    .arg(format!("http://127.0.0.1:{port}/bucket/key"));
    let o = run(c);
    assert_eq!(server.seen().len(), 1, "{:?}", server.seen());
    assert_eq!(o.status.code(), Some(22));
    let err = stderr(&o);
    assert!(
        err.contains("canonical requests (- server, + ours)"),
        "{err}"
    );
    assert!(err.contains(&format!("+ host:127.0.0.1:{port}")), "{err}");
    assert!(err.contains("- host:127.0.0.1\n"), "{err}");
    assert!(
        err.contains("- x-amz-content-sha256:UNSIGNED-PAYLOAD"),
        "{err}"
    );
    assert!(
        err.lines()
            .last()
            .unwrap()
            .starts_with("sigv4: error: HTTP 403: SignatureDoesNotMatch"),
        "{err}"
    );
}

#[test]
fn credentials_with_nothing_configured_explains_once() {
    let o = run(sigv4_credentials());
    assert_eq!(o.status.code(), Some(1));
    let (out, err) = (stdout(&o), stderr(&o));
    let all = format!("{out}{err}");
    for reason in [
        "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY not set",
        "not on EC2",
        "profile `default` not found",
    ] {
        assert_eq!(all.matches(reason).count(), 1, "{reason:?} in:\n{all}");
    }
    assert!(
        out.contains("environment") && out.contains("skipped"),
        "{out}"
    );
    assert_eq!(
        err.trim_end(),
        "sigv4: error: no credentials found (each source's reason is listed above)"
    );
}

fn sigv4_credentials() -> Command {
    let mut c = sigv4();
    c.arg("credentials");
    c
}

/// Signing headers given with `-H` follow the core's rules: the caller's
/// `x-amz-content-sha256` is the signed payload hash (any service), the
/// signing time replaces a given `x-amz-date`, an old `authorization` is
/// replaced, and each goes out once.
#[test]
fn sign_honours_signing_headers_given_with_h() {
    let mut c = sigv4();
    c.args([
        "--example-credentials",
        "sign",
        "--timestamp",
        "20240101T000000Z",
    ])
    .args(["-X", "POST", "-d", "x"])
    .args(["-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD"])
    .args(["-H", "X-Amz-Date: 20000101T000000Z"])
    .args(["-H", "Authorization: AWS4-HMAC-SHA256 stale"])
    .args(["--output", "json"])
    .arg("https://abc.execute-api.us-east-1.amazonaws.com/prod/x");
    let o = run(c);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    let creq = v["canonical_request"].as_str().unwrap();
    assert!(creq.ends_with("\nUNSIGNED-PAYLOAD"), "{creq}");
    assert!(creq.contains("\nx-amz-date:20240101T000000Z\n"), "{creq}");
    let headers = headers_of(&v);
    let count = |name: &str| {
        headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .count()
    };
    for name in ["x-amz-content-sha256", "x-amz-date", "authorization"] {
        assert_eq!(count(name), 1, "{name}: {headers:?}");
    }
    let value = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .unwrap()
    };
    assert_eq!(value("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
    assert_eq!(value("x-amz-date"), "20240101T000000Z");
    assert!(value("authorization").contains("Signature="));

    // A hash header that contradicts the body is refused, naming both.
    let mut c = sigv4();
    c.args(["--example-credentials", "sign", "-X", "PUT", "-d", "x"])
        .args(["-H", "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"])
        .arg("https://examplebucket.s3.amazonaws.com/k");
    let o = run(c);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.starts_with("sigv4: error: ") && err.lines().count() == 1,
        "{err}"
    );
    assert!(
        err.contains("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
            && err.contains("2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"),
        "{err}"
    );
}
