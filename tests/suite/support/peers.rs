//! The real servers that check our signatures: s3s-fs (S3) and moto (STS,
//! IAM, EC2, S3, IMDS), each a child process on a free 127.0.0.1 port
//! (garage, the second S3 server, is in `garage.rs`).
//! Tests never install them: `ci/install-peers` (run by `ci/test`, the
//! README's test command) does, and a missing peer fails the test with that
//! command rather than skipping it.

use std::path::PathBuf;
use std::process::Command;

/// What a test says when a peer is missing.
pub(super) const INSTALL_HINT: &str =
    "run `ci/install-peers` (or `ci/test`, which installs the test peers and runs the suite)";
use std::time::Duration;

use super::http_client::http;
use super::process::{free_port, spawn_server, ChildGuard};
use super::tempdir::TempDir;

/// Object keys that must survive put, get, list and presigned get. One list,
/// reused by every test that needs tricky keys.
pub fn tricky_keys() -> Vec<String> {
    let mut keys: Vec<String> = [
        "a b",
        "a+b",
        "a=b",
        "a:b",
        "a!b",
        "a(b)",
        "a*b",
        "a~b",
        "a'b",
        "a,b",
        "a;b",
        "a@b",
        "a$b",
        "a&b",
        "a%b",
        "ü/ä.txt",
        "dir//x",
        "a/./b",
        "a/../b",
        "a\tb",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // A key of S3's maximum length, 1024 bytes. It is cut into 100-byte
    // segments because s3s-fs stores keys as file paths and Linux limits one
    // path component to 255 bytes.
    let mut long = String::new();
    while long.len() < 1024 {
        let take = (1024 - long.len()).min(100);
        long.push_str(&"k".repeat(take - usize::from(take == 100)));
        if take == 100 {
            long.push('/');
        }
    }
    assert_eq!(long.len(), 1024);
    keys.push(long);
    keys
}

/// The key pair s3s-fs is started with.
pub const ACCESS_KEY: &str = "AKIAS3SFSTEST0000001";
pub const SECRET_KEY: &str = "s3s-fs/test+secret/0123456789abcdefghij";

/// `name` in a directory of `PATH`.
pub(super) fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|c| c.is_file())
}

/// A binary `cargo install` put on `PATH` or in `$CARGO_HOME/bin`
/// (default `~/.cargo/bin`).
pub(super) fn installed_binary(name: &str) -> Option<PathBuf> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    on_path(name).or(cargo_home
        .map(|h| h.join("bin").join(name))
        .filter(|c| c.is_file()))
}

/// The `s3s-fs` binary.
fn s3s_fs_binary() -> PathBuf {
    installed_binary("s3s-fs").unwrap_or_else(|| panic!("s3s-fs is not installed: {INSTALL_HINT}"))
}

/// An s3s-fs server on 127.0.0.1 with a fixed key pair ([`ACCESS_KEY`],
/// [`SECRET_KEY`]) and a temporary root.
pub struct S3Server {
    pub port: u16,
    // Declared before the root: the server stops before its files go.
    _child: ChildGuard,
    _root: TempDir,
}

impl S3Server {
    pub fn start() -> S3Server {
        let port = free_port();
        let root = TempDir::new("s3s");
        let child = spawn_server(
            Command::new(s3s_fs_binary())
                .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
                .args(["--domain", &format!("s3.localhost:{port}")])
                .arg(root.path()),
            "s3s-fs",
            port,
            Duration::from_secs(15),
        );
        S3Server {
            port,
            _child: child,
            _root: root,
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// The `moto_server` binary (on `PATH`).
fn moto_binary() -> PathBuf {
    on_path("moto_server").unwrap_or_else(|| panic!("moto_server is not installed: {INSTALL_HINT}"))
}

/// A `moto_server` process on 127.0.0.1, stopped on drop.
pub struct MotoProcess {
    pub port: u16,
    _child: ChildGuard,
}

impl MotoProcess {
    fn spawn(env: &[(&str, &str)]) -> MotoProcess {
        let port = free_port();
        let child = spawn_server(
            Command::new(moto_binary())
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .envs(env.iter().copied()),
            "moto_server",
            port,
            Duration::from_secs(30),
        );
        MotoProcess {
            port,
            _child: child,
        }
    }

    /// moto as it starts by default: no signature checks (its instance
    /// metadata endpoints need none).
    #[cfg(feature = "client")]
    pub fn start_unchecked() -> MotoProcess {
        MotoProcess::spawn(&[])
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// moto with signature checking on: the first three actions (create an IAM
/// user, give it an allow-all policy, create its access key) run
/// unauthenticated; every later request must be signed with that key.
pub struct MotoServer {
    pub access_key: String,
    pub secret_key: String,
    process: MotoProcess,
}

fn xml_value(xml: &str, tag: &str) -> Option<String> {
    let start = xml.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = xml[start..].find(&format!("</{tag}>"))? + start;
    Some(xml[start..end].to_string())
}

impl MotoServer {
    /// Starts moto and creates the user.
    pub fn start() -> MotoServer {
        let process = MotoProcess::spawn(&[
            ("INITIAL_NO_AUTH_ACTION_COUNT", "3"),
            ("MOTO_ALLOW_NONEXISTENT_REGION", "true"),
        ]);
        let mut server = MotoServer {
            access_key: String::new(),
            secret_key: String::new(),
            process,
        };
        server.iam("Action=CreateUser&UserName=sigv4-test&Version=2010-05-08");
        server.iam(&format!(
            "Action=PutUserPolicy&UserName=sigv4-test&PolicyName=all&PolicyDocument={}&Version=2010-05-08",
            sigv4::sign::encoding::encode(ALLOW_ALL, sigv4::sign::encoding::Input::Literal, false)
        ));
        let xml = server.iam("Action=CreateAccessKey&UserName=sigv4-test&Version=2010-05-08");
        server.access_key = xml_value(&xml, "AccessKeyId").expect("access key id");
        server.secret_key = xml_value(&xml, "SecretAccessKey").expect("secret");
        server
    }

    pub fn endpoint(&self) -> String {
        self.process.endpoint()
    }

    /// An IAM query call signed with throwaway keys (moto does not check
    /// the first actions).
    fn iam(&self, body: &str) -> String {
        use sigv4::sign::{sign_headers, Payload, SignableRequest, SigningParams, SigningTime};
        use sigv4::Credentials;
        let url = format!("{}/", self.endpoint());
        let req = SignableRequest::new("POST", &url)
            .unwrap()
            .header("content-type", "application/x-www-form-urlencoded")
            .payload(Payload::Bytes(body.as_bytes()));
        let credentials = Credentials::new("AKIDBOOTSTRAP", "bootstrap");
        let params = SigningParams::new(&credentials, "us-east-1", "iam", SigningTime::now());
        let signed = sign_headers(&req, &params).unwrap();
        let mut headers = vec![(
            "content-type".to_string(),
            "application/x-www-form-urlencoded".to_string(),
        )];
        headers.extend(
            signed
                .headers()
                .map(|(n, v)| (n.to_string(), v.to_string())),
        );
        let r = http("POST", &url, &headers, body.as_bytes());
        assert!(
            r.is_success(),
            "moto IAM bootstrap failed: {} {}",
            r.status,
            r.text()
        );
        r.text()
    }
}

/// An identity policy allowing every action.
pub const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
/// A role trust policy letting any principal assume the role.
#[cfg(feature = "client")]
pub const TRUST_ANYONE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;

/// Creates role `name` (trusting anyone, allowed everything) with IAM
/// calls signed by `client`; returns its ARN.
#[cfg(feature = "client")]
pub fn create_role(client: &sigv4::client::Client, name: &str) -> String {
    use sigv4::api::query_protocol::QueryCall;
    let created = client
        .query(
            &QueryCall::new("iam", "CreateRole", "2010-05-08")
                .param("RoleName", name)
                .param("AssumeRolePolicyDocument", TRUST_ANYONE),
        )
        .unwrap();
    client
        .query(
            &QueryCall::new("iam", "PutRolePolicy", "2010-05-08")
                .param("RoleName", name)
                .param("PolicyName", "all")
                .param("PolicyDocument", ALLOW_ALL),
        )
        .unwrap();
    created.find("Arn").expect("role ARN")
}

/// A client of the peer at `endpoint` (region us-east-1) signing with
/// `credentials`, without retries: every answer is checked as it comes.
#[cfg(feature = "client")]
pub fn peer_client(
    endpoint: String,
    credentials: sigv4::credentials::Credentials,
) -> sigv4::client::Client {
    use sigv4::credentials::static_provider::StaticProvider;
    sigv4::client::Client::builder()
        .endpoint_url(endpoint)
        .region("us-east-1")
        .credentials(std::sync::Arc::new(StaticProvider::new(credentials)))
        .retry_policy(sigv4::client::RetryPolicy::none())
        .build()
        .unwrap()
}

/// Runs `tests/suite/support/awscrt_chunks.py` (the SigV4a aws-chunked peer
/// on AWS's CRT, `awscrt`) with `input` on stdin; returns its JSON answer.
#[cfg(feature = "sigv4a")]
pub fn awscrt_chunks(input: &serde_json::Value) -> serde_json::Value {
    use std::io::Write;
    let python =
        on_path("python3").unwrap_or_else(|| panic!("python3 is not installed: {INSTALL_HINT}"));
    let has_crt = Command::new(&python)
        .args(["-c", "import awscrt.auth, awscrt.crypto"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        has_crt,
        "the Python package awscrt is not installed: {INSTALL_HINT}"
    );
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/suite/support/awscrt_chunks.py"
    );
    let mut child = Command::new(&python)
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start python3");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.to_string().as_bytes())
        .expect("write to the awscrt peer");
    let out = child.wait_with_output().expect("awscrt peer");
    assert!(
        out.status.success(),
        "awscrt peer failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("awscrt peer answers JSON")
}
