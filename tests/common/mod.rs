//! Shared test harness: real servers on 127.0.0.1 and a plain HTTP/1.1 client.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

pub const ACCESS_KEY: &str = "AKIAS3SFSTEST0000001";
pub const SECRET_KEY: &str = "s3s-fs/test+secret/0123456789abcdefghij";

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Waits until `addr` accepts connections (bounded).
pub fn wait_for_port(addr: SocketAddr, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// Kills and reaps the child when dropped, also when a test panics.
pub struct ChildGuard(pub Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Serializes the install steps: tests of one binary run in parallel, and
/// two concurrent `cargo install` / `pip install` runs would race.
static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn s3s_fs_binary() -> PathBuf {
    let _installing = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let candidates = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("s3s-fs"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .chain(std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin/s3s-fs")));
    for c in candidates {
        if c.is_file() {
            return c;
        }
    }
    // Install it once (the CI script does this ahead of the tests).
    let status = Command::new("cargo")
        .args([
            "install",
            "s3s-fs@0.14.1",
            "--features",
            "binary",
            "--locked",
        ])
        .status()
        .expect("run cargo install s3s-fs");
    assert!(status.success(), "cargo install s3s-fs failed");
    PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cargo/bin/s3s-fs")
}

/// An s3s-fs server on 127.0.0.1 with a fixed key pair and a temporary root.
pub struct S3Server {
    pub port: u16,
    pub root: PathBuf,
    _child: ChildGuard,
}

impl S3Server {
    pub fn start() -> S3Server {
        let port = free_port();
        let root = std::env::temp_dir().join(format!("sigv4-s3s-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&root).expect("temp root");
        let child = Command::new(s3s_fs_binary())
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .args(["--domain", &format!("s3.localhost:{port}")])
            .arg(&root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start s3s-fs");
        let guard = ChildGuard(child);
        assert!(
            wait_for_port(([127, 0, 0, 1], port).into(), Duration::from_secs(15)),
            "s3s-fs did not start"
        );
        S3Server {
            port,
            root,
            _child: guard,
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// A response from [`http`].
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// A plain HTTP/1.1 request to `url` (`http://host[:port]/path?query`, sent
/// byte for byte as given), connecting to 127.0.0.1 at the URL's port
/// whatever its host name is: the `Host` header carries the name, so
/// virtual-hosted names like `bucket.s3.localhost` work without DNS.
pub fn http(method: &str, url: &str, headers: &[(String, String)], body: &[u8]) -> Response {
    let rest = url.strip_prefix("http://").expect("http URL");
    let end = rest.find('/').unwrap_or(rest.len());
    let (authority, target) = rest.split_at(end);
    let target = if target.is_empty() { "/" } else { target };
    let port: u16 = authority
        .rsplit_once(':')
        .and_then(|(_, p)| p.parse().ok())
        .unwrap_or(80);
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut req =
        format!("{method} {target} HTTP/1.1\r\nhost: {authority}\r\nconnection: close\r\n");
    let mut has_len = false;
    for (n, v) in headers {
        if n.eq_ignore_ascii_case("host") {
            continue;
        }
        has_len |= n.eq_ignore_ascii_case("content-length");
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    if !has_len && (!body.is_empty() || method == "PUT" || method == "POST") {
        req.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    stream.write_all(&bytes).expect("send");
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).expect("status line");
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).expect("header line");
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((n, v)) = l.split_once(':') {
            headers.push((n.trim().to_string(), v.trim().to_string()));
        }
    }
    let mut body = Vec::new();
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _): &&(String, String)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    if method == "HEAD" || status == 204 || status == 304 {
        // no body
    } else if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            line.clear();
            reader.read_line(&mut line).expect("chunk size");
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or("0"), 16)
                .expect("chunk size hex");
            if size == 0 {
                break;
            }
            let mut chunk = vec![0; size];
            reader.read_exact(&mut chunk).expect("chunk");
            body.extend_from_slice(&chunk);
            line.clear();
            reader.read_line(&mut line).expect("chunk end");
        }
    } else if let Some(len) = find("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(len, 0);
        reader.read_exact(&mut body).expect("body");
    } else {
        let _ = reader.read_to_end(&mut body);
    }
    Response {
        status,
        headers,
        body,
    }
}

/// moto's server on 127.0.0.1 with signature checking on: the first three
/// actions (create an IAM user, give it an allow-all policy, create its
/// access key) run unauthenticated; every later request must be signed with
/// that key.
pub struct MotoServer {
    pub port: u16,
    pub access_key: String,
    pub secret_key: String,
    _child: ChildGuard,
}

fn find_moto() -> Option<PathBuf> {
    let from_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("moto_server"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    from_path.into_iter().find(|c| c.is_file())
}

/// `moto_server`, installed from PyPI when missing (the CI script does this
/// ahead of the tests). Panics when it cannot be had: a peer that is not
/// there is a failed test, not a skipped one.
pub fn moto_binary() -> PathBuf {
    let _installing = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(bin) = find_moto() {
        return bin;
    }
    let status = Command::new("python3")
        .args(["-m", "pip", "install", "--quiet", "moto[server]"])
        .status()
        .expect("run pip to install moto[server]");
    assert!(status.success(), "pip install 'moto[server]' failed");
    find_moto().expect("moto_server not on PATH after installing moto[server]")
}

fn xml_value(xml: &str, tag: &str) -> Option<String> {
    let start = xml.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = xml[start..].find(&format!("</{tag}>"))? + start;
    Some(xml[start..end].to_string())
}

impl MotoServer {
    /// Starts moto (installing it first when missing).
    pub fn start() -> MotoServer {
        let bin = moto_binary();
        let port = free_port();
        let child = Command::new(bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("INITIAL_NO_AUTH_ACTION_COUNT", "3")
            .env("MOTO_ALLOW_NONEXISTENT_REGION", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let guard = ChildGuard(child);
        assert!(
            wait_for_port(([127, 0, 0, 1], port).into(), Duration::from_secs(30)),
            "moto_server did not start"
        );
        let mut server = MotoServer {
            port,
            access_key: String::new(),
            secret_key: String::new(),
            _child: guard,
        };
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
        server.iam("Action=CreateUser&UserName=sigv4-test&Version=2010-05-08");
        server.iam(&format!(
            "Action=PutUserPolicy&UserName=sigv4-test&PolicyName=all&PolicyDocument={}&Version=2010-05-08",
            sigv4::sign::encoding::encode(policy, sigv4::sign::encoding::Input::Literal, false)
        ));
        let xml = server.iam("Action=CreateAccessKey&UserName=sigv4-test&Version=2010-05-08");
        server.access_key = xml_value(&xml, "AccessKeyId").expect("access key id");
        server.secret_key = xml_value(&xml, "SecretAccessKey").expect("secret");
        server
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// An IAM query call signed with throwaway keys (moto does not check
    /// the first actions).
    fn iam(&self, body: &str) -> String {
        use sigv4::sign::{sign_headers, Payload, SignableRequest, SigningParams, SigningTime};
        let url = format!("{}/", self.endpoint());
        let req = SignableRequest::new("POST", &url)
            .unwrap()
            .header("content-type", "application/x-www-form-urlencoded")
            .payload(Payload::Bytes(body.as_bytes()));
        let params = SigningParams::new(
            "AKIDBOOTSTRAP",
            "bootstrap",
            "us-east-1",
            "iam",
            SigningTime::now(),
        );
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
pub const TRUST_ANYONE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;

/// Creates role `name` (trusting anyone, allowed everything) with IAM
/// calls signed by `client`; returns its ARN.
#[cfg(feature = "client")]
pub fn create_role(client: &sigv4::client::Client, name: &str) -> String {
    use sigv4::client::query::QueryCall;
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
