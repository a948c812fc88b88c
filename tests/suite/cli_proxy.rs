//! `sigv4 proxy` as a child process of the built binary, between real
//! clients (curl, the AWS CLI, this harness's HTTP client) and real
//! servers that check the signature (s3s-fs, moto's STS), and a stub
//! upstream for the failures. Credentials come from the environment only:
//! no config files, IMDS disabled.
#![cfg(feature = "cli")]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use sigv4::sign::encoding::{encode, Input};
use sigv4::sign::{verify, Payload, SignableRequest, SigningTime, VerifyOptions};

use crate::cli::{run, run_within, sigv4, stderr, stdout};
use crate::support::{
    http, tricky_keys, ChildGuard, MotoServer, S3Server, Step, StubServer, TempDir, ACCESS_KEY,
    SECRET_KEY,
};

/// The binary set up for `proxy`: the given keys in the environment, no
/// config files, IMDS off, any free port.
fn proxy_command(upstream: &str, keys: Option<(&str, &str)>, extra: &[&str]) -> Command {
    let mut c = sigv4();
    c.env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    if let Some((id, secret)) = keys {
        c.env("AWS_ACCESS_KEY_ID", id)
            .env("AWS_SECRET_ACCESS_KEY", secret);
    }
    c.args(["proxy", "--upstream", upstream]);
    if !extra.contains(&"--listen") {
        c.args(["--listen", "127.0.0.1:0"]);
    }
    c.args(extra);
    c
}

/// A running proxy: killed on drop; its stderr (the access log) collected.
struct Proxy {
    child: ChildGuard,
    port: u16,
    log: Arc<Mutex<String>>,
}

impl Proxy {
    fn start(mut c: Command) -> Proxy {
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = c.spawn().expect("start sigv4 proxy");
        let (out, err) = (child.stdout.take(), child.stderr.take());
        let child = ChildGuard(child);
        let log = Arc::new(Mutex::new(String::new()));
        {
            let log = log.clone();
            let err = err.expect("stderr");
            // Ends when the proxy exits (the guard kills it).
            std::thread::spawn(move || {
                for line in BufReader::new(err).lines() {
                    let Ok(line) = line else { break };
                    let mut log = log.lock().unwrap();
                    log.push_str(&line);
                    log.push('\n');
                }
            });
        }
        let (tx, rx) = mpsc::channel();
        let out = out.expect("stdout");
        std::thread::spawn(move || {
            let mut reader = BufReader::new(out);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let line = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
        let port = line
            .trim()
            .strip_prefix("sigv4 proxy listening on http://127.0.0.1:")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| {
                // Give the stderr reader a moment to collect the reason.
                std::thread::sleep(Duration::from_millis(200));
                panic!(
                    "the proxy did not start: stdout {line:?}, stderr:\n{}",
                    log.lock().unwrap()
                )
            });
        Proxy { child, port, log }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits (bounded) until the log has a line containing every one of
    /// `parts` (a line is written when its response body is done, just
    /// after the client has it); returns that line.
    fn log_line(&self, parts: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(line) = self
                .log()
                .lines()
                .find(|l| parts.iter().all(|p| l.contains(p)))
            {
                return line.to_string();
            }
            assert!(
                Instant::now() < deadline,
                "no log line with {parts:?} within 10 s:\n{}",
                self.log()
            );
            // Polling a pipe reader's buffer; bounded by the deadline.
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The proxy's peak resident memory so far (VmHWM), in KiB.
    fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.0.id()))
            .expect("read /proc/<pid>/status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in /proc/<pid>/status")
    }

    /// Waits (bounded) for the proxy to exit; its exit code.
    fn wait_exit(&mut self, within: Duration) -> Option<i32> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.0.try_wait().expect("wait for the proxy") {
                return status.code();
            }
            assert!(
                Instant::now() < deadline,
                "the proxy did not exit within {within:?}:\n{}",
                self.log()
            );
            // std has no wait with a timeout; bounded by the deadline.
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn signal(&self, name: &str) {
        let pid = self.child.0.id().to_string();
        let o = run({
            let mut c = Command::new("kill");
            c.args(["-s", name, &pid]);
            c
        });
        assert!(o.status.success(), "kill -s {name}: {}", stderr(&o));
    }

    fn health(&self) -> u16 {
        http("GET", &self.url("/_proxy/health"), &[], b"").status
    }
}

/// A proxy to s3s-fs, signing with its keys (or `secret` instead).
fn s3_proxy(server: &S3Server, secret: &str, extra: &[&str]) -> Proxy {
    let mut args = vec!["--service", "s3", "--health-path", "/_proxy/health"];
    args.extend_from_slice(extra);
    Proxy::start(proxy_command(
        &server.endpoint(),
        Some((ACCESS_KEY, secret)),
        &args,
    ))
}

/// curl, within `deadline`: `(status, stdout without the status)`.
/// `--path-as-is`: dot segments go on the wire as written.
fn curl_within(args: &[&str], deadline: Duration) -> (u16, Vec<u8>) {
    let mut c = Command::new("curl");
    c.args([
        "-sS",
        "--path-as-is",
        "--max-time",
        "600",
        "-w",
        "%{http_code}",
    ])
    .args(args)
    .stdin(Stdio::null());
    let o = run_within(c, deadline);
    assert!(o.status.success(), "curl {args:?} failed: {}", stderr(&o));
    let mut out = o.stdout;
    assert!(out.len() >= 3, "curl printed no status: {out:?}");
    let code = String::from_utf8_lossy(&out[out.len() - 3..])
        .parse()
        .unwrap();
    out.truncate(out.len() - 3);
    (code, out)
}

fn curl(args: &[&str]) -> (u16, String) {
    let (code, out) = curl_within(args, Duration::from_secs(60));
    (code, String::from_utf8_lossy(&out).into_owned())
}

/// An S3 key as a URL path segment: every byte but the unreserved ones and `/` escaped.
fn key_path(key: &str) -> String {
    encode(key, Input::Literal, true)
}

#[test]
fn proxy_to_s3s_fs_get_head_put_list_and_tricky_keys() {
    let server = S3Server::start();
    let proxy = s3_proxy(&server, SECRET_KEY, &[]);
    let dir = TempDir::new("proxy-s3");

    assert_eq!(curl(&["-X", "PUT", &proxy.url("/proxy-bucket")]).0, 200);
    let small = dir.write("small.txt", "hello through the proxy\n");
    let small = small.to_str().unwrap();
    let (code, body) = curl(&["-T", small, &proxy.url("/proxy-bucket/dir/small.txt")]);
    assert_eq!(code, 200, "{body}");
    let (code, body) = curl(&[&proxy.url("/proxy-bucket/dir/small.txt")]);
    assert_eq!((code, body.as_str()), (200, "hello through the proxy\n"));
    let (code, head) = curl(&["-I", &proxy.url("/proxy-bucket/dir/small.txt")]);
    assert_eq!(code, 200);
    assert!(
        head.to_ascii_lowercase().contains("content-length: 24"),
        "{head}"
    );

    // A client's own signing headers and presigned parameters (junk here)
    // are dropped, and the request is signed again: s3s-fs accepts it.
    let (code, body) = curl(&[
        "-H",
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDJUNK/20000101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00",
        "-H",
        "X-Amz-Date: 20000101T000000Z",
        "-H",
        "X-Amz-Security-Token: junk-token",
        "-H",
        "x-amz-content-sha256: 0000000000000000000000000000000000000000000000000000000000000000",
        &proxy.url("/proxy-bucket/dir/small.txt?X-Amz-Signature=00&X-Amz-Credential=AKIDJUNK%2F20000101&X-Amz-Expires=1"),
    ]);
    assert_eq!((code, body.as_str()), (200, "hello through the proxy\n"));

    // Tricky keys: put, get, listed. s3s-fs cannot store keys over 160
    // bytes (a metadata file named after the key's base64 passes Linux's
    // 255-byte limit): 500 after the signature checked out (403 would be a
    // signature problem); the long key's round trip runs against moto
    // below. It stores keys as paths, so it lists `dir//x`, `a/./b` and
    // `a/../b` normalized.
    let keys = tricky_keys();
    for (i, key) in keys.iter().enumerate() {
        let file = dir.write(&format!("k{i}"), &format!("content of {key}"));
        let url = proxy.url(&format!("/proxy-bucket/{}", key_path(key)));
        let (code, body) = curl(&["-T", file.to_str().unwrap(), &url]);
        if key.len() > 160 {
            assert_eq!(code, 500, "long key: {body}");
            assert!(body.contains("<Code>InternalError</Code>"), "{body}");
            continue;
        }
        assert_eq!(code, 200, "put {key:?}: {body}");
        let (code, body) = curl(&[&url]);
        assert_eq!(
            (code, body),
            (200, format!("content of {key}")),
            "get {key:?}"
        );
    }
    let (code, listing) = curl(&[&proxy.url("/proxy-bucket?list-type=2&max-keys=1000")]);
    assert_eq!(code, 200, "{listing}");
    for key in keys.iter().filter(|k| k.len() <= 160) {
        let stored = match key.as_str() {
            "dir//x" => "dir/x",
            "a/./b" => "a/b",
            "a/../b" => "b",
            k => k,
        };
        let escaped = stored
            .replace('&', "&amp;")
            .replace('\'', "&apos;")
            .replace('\t', "&#x9;");
        assert!(
            listing.contains(&format!("<Key>{escaped}</Key>"))
                || listing.contains(&format!("<Key>{stored}</Key>")),
            "{key:?} not listed:\n{listing}"
        );
    }
    assert!(listing.contains("<Key>dir/small.txt</Key>"), "{listing}");

    // Keep-alive: two URLs in one curl run share one connection.
    let out = {
        let mut c = Command::new("curl");
        c.args([
            "-sS",
            "-o",
            "/dev/null",
            "-o",
            "/dev/null",
            "-w",
            "%{num_connects} ",
        ])
        .arg(proxy.url("/proxy-bucket/dir/small.txt"))
        .arg(proxy.url("/proxy-bucket/dir/small.txt"));
        run(c)
    };
    assert_eq!(
        stdout(&out).split_whitespace().collect::<Vec<_>>(),
        ["1", "0"]
    );

    // Many connections at once.
    let url = proxy.url("/proxy-bucket/dir/small.txt");
    let threads: Vec<_> = (0..32)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                (0..4)
                    .map(|_| http("GET", &url, &[], b"").status)
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), [200; 4]);
    }

    // The access log: one line per request, nothing secret.
    let line = proxy.log_line(&["\"GET /proxy-bucket/dir/small.txt\"", " 200 ", "out=24"]);
    assert!(line.contains("in=0") && line.ends_with("ms"), "{line}");
    proxy.log_line(&["\"PUT /proxy-bucket/dir/small.txt\"", " 200 ", "in=24"]);
    proxy.log_line(&["\"HEAD /proxy-bucket/dir/small.txt\"", " 200 "]);
    let log = proxy.log();
    for secret in [SECRET_KEY, "junk-token", "X-Amz-Signature", "AKIDJUNK"] {
        assert!(!log.contains(secret), "{secret:?} in the log:\n{log}");
    }
    assert!(!log.contains("cut off"), "{log}");
}

/// Writes `size` bytes (1 MiB blocks of a fixed pseudo-random pattern, each
/// numbered) to `path`.
fn write_pattern(path: &std::path::Path, size: usize) {
    let mut block = vec![0u8; 1 << 20];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for chunk in block.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
    }
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..size / block.len() {
        block[..8].copy_from_slice(&(i as u64).to_le_bytes());
        f.write_all(&block).unwrap();
    }
    f.flush().unwrap();
}

fn sha256sum(path: &std::path::Path) -> String {
    let mut c = Command::new("sha256sum");
    c.arg(path);
    let o = run_within(c, Duration::from_secs(300));
    assert!(o.status.success(), "sha256sum: {}", stderr(&o));
    stdout(&o).split_whitespace().next().unwrap().to_string()
}

/// 1 GiB up and down through the proxy: the bodies stream, the proxy's
/// peak memory stays under 64 MiB, the bytes come back the same.
#[test]
fn proxy_streams_a_gibibyte_both_ways_in_bounded_memory() {
    const SIZE: usize = 1 << 30;
    let server = S3Server::start();
    let proxy = s3_proxy(&server, SECRET_KEY, &[]);
    let dir = TempDir::new("proxy-1gib");
    let up = dir.path().join("up.bin");
    let down = dir.path().join("down.bin");
    write_pattern(&up, SIZE);
    let want = sha256sum(&up);

    let long = Duration::from_secs(600);
    assert_eq!(curl(&["-X", "PUT", &proxy.url("/big")]).0, 200);
    let (code, body) = curl_within(
        &["-T", up.to_str().unwrap(), &proxy.url("/big/one.bin")],
        long,
    );
    assert_eq!(code, 200, "{}", String::from_utf8_lossy(&body));
    std::fs::remove_file(&up).unwrap();
    let (code, _) = curl_within(
        &["-o", down.to_str().unwrap(), &proxy.url("/big/one.bin")],
        long,
    );
    assert_eq!(code, 200);
    assert_eq!(std::fs::metadata(&down).unwrap().len(), SIZE as u64);
    assert_eq!(sha256sum(&down), want);
    std::fs::remove_file(&down).unwrap();

    proxy.log_line(&["\"PUT /big/one.bin\"", " 200 ", &format!("in={SIZE}")]);
    proxy.log_line(&["\"GET /big/one.bin\"", " 200 ", &format!("out={SIZE}")]);
    let peak = proxy.peak_rss_kib();
    eprintln!("the proxy's peak RSS after 1 GiB each way: {peak} KiB");
    assert!(peak < 64 * 1024, "peak RSS {peak} KiB, over 64 MiB");
    assert_eq!(
        http("DELETE", &proxy.url("/big/one.bin"), &[], b"").status,
        204
    );
}

/// `aws s3 cp` (unsigned, to the proxy) both ways, a multipart upload
/// included; `aws s3 ls` lists.
#[test]
fn proxy_serves_the_aws_cli() {
    let server = S3Server::start();
    let proxy = s3_proxy(&server, SECRET_KEY, &[]);
    let dir = TempDir::new("proxy-awscli");
    let up = dir.path().join("up.bin");
    let down = dir.path().join("down.bin");
    write_pattern(&up, 20 << 20); // over the CLI's 8 MiB multipart threshold
    let aws = |args: &[&str]| {
        let mut c = Command::new("aws");
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir.path())
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .args(["--no-sign-request", "--endpoint-url", &proxy.url("")])
            .args(args);
        let o = run_within(c, Duration::from_secs(120));
        assert!(
            o.status.success(),
            "aws {args:?}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        stdout(&o)
    };
    aws(&["s3", "mb", "s3://cli-bucket"]);
    aws(&[
        "s3",
        "cp",
        "--only-show-errors",
        up.to_str().unwrap(),
        "s3://cli-bucket/data/up.bin",
    ]);
    aws(&[
        "s3",
        "cp",
        "--only-show-errors",
        "s3://cli-bucket/data/up.bin",
        down.to_str().unwrap(),
    ]);
    assert_eq!(sha256sum(&down), sha256sum(&up));
    let listing = aws(&["s3", "ls", "--recursive", "s3://cli-bucket/"]);
    assert!(listing.contains("20971520 data/up.bin"), "{listing}");
    // The multipart upload went through: create, parts, complete.
    proxy.log_line(&["\"POST /cli-bucket/data/up.bin\"", " 200 "]);
    proxy.log_line(&["\"PUT /cli-bucket/data/up.bin\"", " 200 ", "in=8388608"]);
}

/// moto's STS checks the signature of a form POST; the body is hashed
/// (STS takes no UNSIGNED-PAYLOAD), within --max-body-bytes.
#[test]
fn proxy_to_moto_sts_signs_form_posts() {
    let moto = MotoServer::start();
    let proxy = Proxy::start(proxy_command(
        &moto.endpoint(),
        Some((&moto.access_key, &moto.secret_key)),
        &[
            "--service",
            "sts",
            "--region",
            "us-east-1",
            "--max-body-bytes",
            "200",
            "--debug",
        ],
    ));
    let form = ["-H", "content-type: application/x-www-form-urlencoded"];
    let whoami = |proxy: &Proxy| {
        let mut args = form.to_vec();
        let url = proxy.url("/");
        args.extend([
            "-d",
            "Action=GetCallerIdentity&Version=2011-06-15",
            url.as_str(),
        ]);
        curl(&args)
    };
    let (code, body) = whoami(&proxy);
    assert_eq!(code, 200, "{body}");
    assert!(
        body.contains("<Arn>arn:aws:iam::") && body.contains("user/sigv4-test</Arn>"),
        "{body}"
    );

    // Over the limit: 413 naming the flag, before or while reading.
    let big = format!(
        "Action=GetCallerIdentity&Version=2011-06-15&Pad={}",
        "x".repeat(300)
    );
    let mut args = form.to_vec();
    let url = proxy.url("/");
    args.extend(["-d", big.as_str(), url.as_str()]);
    let (code, body) = curl(&args);
    assert_eq!(code, 413, "{body}");
    assert!(body.contains("--max-body-bytes (200 bytes)"), "{body}");
    let mut args = form.to_vec();
    args.extend([
        "-H",
        "transfer-encoding: chunked",
        "-d",
        big.as_str(),
        url.as_str(),
    ]);
    let (code, body) = curl(&args);
    assert_eq!(code, 413, "chunked: {body}");

    // Still serving; --debug showed the canonical request, no secret.
    assert_eq!(whoami(&proxy).0, 200);
    let line = proxy.log_line(&["\"POST /\"", " 413 "]);
    assert!(
        line.contains("proxy: the body is larger than --max-body-bytes"),
        "{line}"
    );
    let log = proxy.log();
    assert!(log.contains("[debug] canonical request (POST /):"), "{log}");
    assert!(log.contains("content-type;host;x-amz-date\n"), "{log}");
    assert!(!log.contains(&moto.secret_key), "{log}");

    // moto's S3, signature-checking too: the 1024-byte key s3s-fs cannot store.
    let s3 = Proxy::start(proxy_command(
        &moto.endpoint(),
        Some((&moto.access_key, &moto.secret_key)),
        &["--service", "s3", "--region", "us-east-1"],
    ));
    assert_eq!(curl(&["-X", "PUT", &s3.url("/moto-bucket")]).0, 200);
    let long = tricky_keys().into_iter().max_by_key(String::len).unwrap();
    assert_eq!(long.len(), 1024);
    let dir = TempDir::new("proxy-moto");
    let file = dir.write("long", "long key content");
    let url = s3.url(&format!("/moto-bucket/{}", key_path(&long)));
    let (code, body) = curl(&["-T", file.to_str().unwrap(), &url]);
    assert_eq!(code, 200, "{body}");
    assert_eq!(curl(&[&url]), (200, "long key content".to_string()));
}

/// A wrong secret: the upstream's 403 comes back as it is; the proxy
/// keeps serving.
#[test]
fn proxy_passes_a_signature_mismatch_through() {
    let server = S3Server::start();
    let proxy = s3_proxy(&server, "not-the-secret", &[]);
    let (code, body) = curl(&[&proxy.url("/any-bucket/key")]);
    assert_eq!(code, 403, "{body}");
    assert!(
        body.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{body}"
    );
    proxy.log_line(&["\"GET /any-bucket/key\"", " 403 "]);
    assert_eq!(proxy.health(), 200);
    assert!(!proxy.log().contains("not-the-secret"));
}

/// The request as the stub upstream got it verifies with our verifier,
/// under the proxy's keys.
fn assert_signed(seen: &crate::support::Seen, port: u16, payload: Payload<'_>) {
    let url = format!("http://127.0.0.1:{port}{}", seen.target);
    let req = SignableRequest::new(&seen.method, &url)
        .unwrap()
        .headers(seen.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .payload(payload);
    let options = VerifyOptions::new(SigningTime::now());
    let ok = verify(&req, |k| (k == ACCESS_KEY).then_some(SECRET_KEY), &options);
    assert!(ok.is_ok(), "{ok:?}: {seen:?}");
}

#[test]
fn proxy_forwards_what_it_signs_to_a_stub_upstream() {
    let stub = StubServer::start(vec![
        Step::xml(200, "<ok/>").with_header("keep-alive", "timeout=5")
    ]);
    let proxy = Proxy::start(proxy_command(
        &stub.url("/base"),
        Some((ACCESS_KEY, SECRET_KEY)),
        &[
            "--service",
            "execute-api",
            "--region",
            "eu-west-1",
            "--strip-header",
            "x-drop",
        ],
    ));
    let headers = [
        ("x-custom".to_string(), "kept".to_string()),
        ("x-drop".to_string(), "dropped".to_string()),
        (
            "x-amz-security-token".to_string(),
            "client-token".to_string(),
        ),
        ("content-type".to_string(), "application/json".to_string()),
    ];
    let r = http(
        "POST",
        &proxy.url("/items/a%2Fb?z=1&a=2&X-Amz-Signature=00"),
        &headers,
        b"{\"k\":1}",
    );
    assert_eq!((r.status, r.text().as_str()), (200, "<ok/>"));
    assert_eq!(r.header("keep-alive"), None, "hop-by-hop header forwarded");
    assert_eq!(r.header("content-type"), Some("text/xml"));
    let seen = stub.seen_at_least(1, Duration::from_secs(5)).remove(0);
    assert_eq!(seen.target, "/base/items/a%2Fb?z=1&a=2");
    assert_eq!(
        seen.header("host"),
        Some(format!("127.0.0.1:{}", stub.port()).as_str())
    );
    assert_eq!(seen.header("x-custom"), Some("kept"));
    assert_eq!(seen.header("x-drop"), None);
    assert_eq!(seen.header("x-amz-security-token"), None);
    assert_eq!(seen.body, b"{\"k\":1}");
    let auth = seen.header("authorization").unwrap();
    assert!(
        auth.starts_with(&format!("AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/"))
            && auth.contains("/eu-west-1/execute-api/aws4_request"),
        "{auth}"
    );
    assert_signed(&seen, stub.port(), Payload::Bytes(&seen.body));
}

#[test]
fn proxy_keeps_the_host_and_signs_sigv4a_when_asked() {
    let stub = StubServer::start(vec![Step::xml(200, "<ok/>")]);
    let proxy = Proxy::start(proxy_command(
        &stub.endpoint(),
        Some((ACCESS_KEY, SECRET_KEY)),
        &[
            "--service",
            "s3",
            "--host-header",
            "keep",
            "--region-set",
            "*",
        ],
    ));
    let (code, body) = curl(&["-H", "Host: bucket.example.test:9", &proxy.url("/key")]);
    assert_eq!((code, body.as_str()), (200, "<ok/>"));
    let seen = stub.seen_at_least(1, Duration::from_secs(5)).remove(0);
    assert_eq!(seen.header("host"), Some("bucket.example.test:9"));
    assert_eq!(seen.header("x-amz-region-set"), Some("*"));
    assert_eq!(
        seen.header("x-amz-content-sha256"),
        Some("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    );
    assert!(seen
        .header("authorization")
        .unwrap()
        .starts_with("AWS4-ECDSA-P256-SHA256 "));
    assert_signed(&seen, stub.port(), Payload::EMPTY);
}

/// 5xx as they are; a dropped connection, a closed port and a slow
/// upstream as 502/504 with the reason; the proxy keeps serving after each.
#[test]
fn proxy_upstream_failures_come_back_with_a_reason() {
    let keys = Some((ACCESS_KEY, SECRET_KEY));
    let with = |upstream: &str, extra: &[&str]| {
        let mut args = vec!["--service", "s3", "--health-path", "/_proxy/health"];
        args.extend_from_slice(extra);
        Proxy::start(proxy_command(upstream, keys, &args))
    };

    let failing = StubServer::start(vec![Step::xml(503, "<Error><Code>SlowDown</Code></Error>")]);
    let proxy = with(&failing.endpoint(), &[]);
    let r = http("GET", &proxy.url("/b/k"), &[], b"");
    assert_eq!(
        (r.status, r.text().as_str()),
        (503, "<Error><Code>SlowDown</Code></Error>")
    );
    assert_eq!(proxy.health(), 200);

    let dropping = StubServer::start(vec![Step::Drop]);
    let proxy = with(&dropping.endpoint(), &[]);
    let r = http("GET", &proxy.url("/b/k"), &[], b"");
    assert_eq!(r.status, 502, "{}", r.text());
    assert!(
        r.text().starts_with("sigv4 proxy: the upstream 127.0.0.1:"),
        "{}",
        r.text()
    );
    assert_eq!(proxy.health(), 200);

    let closed = format!("http://127.0.0.1:{}", crate::support::closed_port());
    let proxy = with(&closed, &[]);
    let r = http("GET", &proxy.url("/b/k"), &[], b"");
    assert_eq!(r.status, 502, "{}", r.text());
    assert!(
        r.text()
            .contains("cannot connect to the upstream 127.0.0.1:"),
        "{}",
        r.text()
    );
    assert_eq!(proxy.health(), 200);
    proxy.log_line(&["\"GET /b/k\"", " 502 ", "proxy: cannot connect"]);

    let slow = StubServer::start(vec![Step::Delay(
        Duration::from_secs(4),
        Box::new(Step::xml(200, "<late/>")),
    )]);
    let proxy = with(&slow.endpoint(), &["--upstream-timeout", "1"]);
    let started = Instant::now();
    let r = http("GET", &proxy.url("/b/k"), &[], b"");
    let took = started.elapsed();
    assert_eq!(r.status, 504, "{}", r.text());
    assert!(
        r.text()
            .contains("did not answer within 1 s (--upstream-timeout)"),
        "{}",
        r.text()
    );
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert_eq!(proxy.health(), 200);
}

/// SIGTERM: the request in flight finishes, then the proxy exits 0; a
/// request that outlasts --shutdown-timeout does not hold it longer.
#[test]
fn proxy_shuts_down_gracefully_within_its_timeout() {
    let slow = StubServer::start(vec![Step::Delay(
        Duration::from_secs(2),
        Box::new(Step::xml(200, "<done/>")),
    )]);
    let keys = Some((ACCESS_KEY, SECRET_KEY));
    let mut proxy = Proxy::start(proxy_command(&slow.endpoint(), keys, &["--service", "s3"]));
    let url = proxy.url("/b/k");
    let in_flight = std::thread::spawn(move || http("GET", &url, &[], b""));
    slow.seen_at_least(1, Duration::from_secs(10));
    proxy.signal("TERM");
    let r = in_flight.join().unwrap();
    assert_eq!((r.status, r.text().as_str()), (200, "<done/>"));
    assert_eq!(proxy.wait_exit(Duration::from_secs(10)), Some(0));
    let log = proxy.log();
    assert!(
        log.contains("SIGTERM: not accepting") && log.contains("sigv4 proxy: stopped"),
        "{log}"
    );
    assert!(std::net::TcpStream::connect(("127.0.0.1", proxy.port)).is_err());

    let slower = StubServer::start(vec![Step::Delay(
        Duration::from_secs(8),
        Box::new(Step::xml(200, "<late/>")),
    )]);
    let mut proxy = Proxy::start(proxy_command(
        &slower.endpoint(),
        keys,
        &["--service", "s3", "--shutdown-timeout", "1"],
    ));
    let url = proxy.url("/b/k");
    let stuck = std::thread::spawn(move || {
        let mut c = Command::new("curl");
        c.args(["-sS", "--max-time", "20", &url]);
        run(c)
    });
    slower.seen_at_least(1, Duration::from_secs(10));
    let started = Instant::now();
    proxy.signal("INT");
    assert_eq!(proxy.wait_exit(Duration::from_secs(6)), Some(0));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(
        proxy.log().contains("still in flight after 1 s"),
        "{}",
        proxy.log()
    );
    assert!(
        !stuck.join().unwrap().status.success(),
        "the cut request did not fail"
    );
}

fn startup_failure(c: Command) -> String {
    let o: Output = run(c);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

#[test]
fn proxy_startup_errors_are_one_clear_line() {
    let keys = Some((ACCESS_KEY, SECRET_KEY));
    let err = startup_failure(proxy_command(
        "ftp://example.com",
        keys,
        &["--service", "s3"],
    ));
    assert!(
        err.contains("invalid --upstream \"ftp://example.com\": the scheme must be http or https"),
        "{err}"
    );
    let err = startup_failure(proxy_command(
        "https://user:hunter2@example.com",
        keys,
        &["--service", "s3"],
    ));
    assert!(
        err.contains("user info is not allowed") && !err.contains("hunter2"),
        "{err}"
    );
    let err = startup_failure(proxy_command("http://127.0.0.1:9", keys, &[]));
    assert!(
        err.contains("cannot infer the service from \"127.0.0.1:9\": pass --service"),
        "{err}"
    );

    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let err = startup_failure(proxy_command(
        "http://127.0.0.1:9",
        keys,
        &["--service", "s3", "--listen", &port],
    ));
    assert!(
        err.contains(&format!("cannot listen on 127.0.0.1:{port}"))
            && err.contains("another process"),
        "{err}"
    );

    let err = startup_failure(proxy_command(
        "http://127.0.0.1:9",
        None,
        &["--service", "s3"],
    ));
    assert!(
        err.starts_with("sigv4: error: no credentials to sign with: "),
        "{err}"
    );
    for reason in [
        "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY not set",
        "environment",
        "imds",
    ] {
        assert!(err.contains(reason), "{reason:?} not in {err}");
    }
}

/// An https upstream (the example S3 server with a self-signed certificate,
/// which verifies every signature): trusted through `--ca-bundle` or
/// `AWS_CA_BUNDLE`, refused (502, naming the certificate) with the built-in
/// roots.
#[test]
fn proxy_to_an_https_upstream_trusts_the_ca_bundle_it_is_given() {
    use crate::support::{ExampleS3Server, SERVER_ACCESS_KEY, SERVER_SECRET_KEY};
    let server = ExampleS3Server::start_tls(&["tls-bucket"]);
    let keys = Some((SERVER_ACCESS_KEY, SERVER_SECRET_KEY));
    let bundle = server.ca_bundle();
    let bundle = bundle.to_str().unwrap();
    let args = ["--service", "s3", "--region", "us-east-1"];

    let mut flag = args.to_vec();
    flag.extend(["--ca-bundle", bundle]);
    let proxy = Proxy::start(proxy_command(server.endpoint(), keys, &flag));
    let dir = TempDir::new("proxy-tls");
    let file = dir.path().join("up.txt");
    std::fs::write(&file, b"over TLS, signed by the proxy").unwrap();
    let put = curl(&[
        "-T",
        file.to_str().unwrap(),
        &proxy.url("/tls-bucket/a.txt"),
    ]);
    assert_eq!(put.0, 200, "{}", put.1);
    let get = curl(&[&proxy.url("/tls-bucket/a.txt")]);
    assert_eq!(get, (200, "over TLS, signed by the proxy".to_string()));

    let mut env = proxy_command(server.endpoint(), keys, &args);
    env.env("AWS_CA_BUNDLE", bundle);
    let proxy = Proxy::start(env);
    assert_eq!(
        curl(&[&proxy.url("/tls-bucket/a.txt")]),
        (200, "over TLS, signed by the proxy".to_string())
    );

    let proxy = Proxy::start(proxy_command(server.endpoint(), keys, &args));
    let (code, body) = curl(&[&proxy.url("/tls-bucket/a.txt")]);
    assert_eq!(code, 502, "{body}");
    assert!(body.to_ascii_lowercase().contains("certificate"), "{body}");

    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, b"").unwrap();
    let mut flag = args.to_vec();
    flag.extend(["--ca-bundle", empty.to_str().unwrap()]);
    let o = run(proxy_command(server.endpoint(), keys, &flag));
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("no certificate in it"),
        "{}",
        stderr(&o)
    );
}
