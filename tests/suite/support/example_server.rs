//! The example S3 server (`examples/s3_server.rs`, the verifying tower
//! layer in front of an in-memory store) as a child process on
//! 127.0.0.1, over HTTP or HTTPS with a fresh certificate from a test CA.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::peers::{on_path, INSTALL_HINT};
use super::process::{example_binary, ChildGuard};
use super::tempdir::TempDir;

/// The key pair the example server is started with.
pub const SERVER_ACCESS_KEY: &str = "AKIASIGV4SERVERTEST1";
pub const SERVER_SECRET_KEY: &str = "sigv4/server+test/secret0123456789ABCDEF";
/// The region it accepts.
pub const SERVER_REGION: &str = "us-east-1";

/// A running example server; killed when dropped.
pub struct ExampleS3Server {
    _child: ChildGuard,
    /// `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`.
    endpoint: String,
    /// The certificate and key (HTTPS), the server's standard error.
    dir: TempDir,
}

impl ExampleS3Server {
    /// Over HTTP, with `buckets` created.
    pub fn start(buckets: &[&str]) -> Self {
        Self::spawn(buckets, false)
    }

    /// Over HTTPS with a certificate for 127.0.0.1 from a fresh test CA
    /// ([`ca_bundle`](Self::ca_bundle) trusts it).
    pub fn start_tls(buckets: &[&str]) -> Self {
        Self::spawn(buckets, true)
    }

    fn spawn(buckets: &[&str], tls: bool) -> Self {
        let dir = TempDir::new("example-s3-server");
        let mut c = Command::new(example_binary("s3_server"));
        c.env_clear()
            .env("AWS_ACCESS_KEY_ID", SERVER_ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SERVER_SECRET_KEY)
            .args(["--listen", "127.0.0.1:0", "--region", SERVER_REGION]);
        for b in buckets {
            c.args(["--bucket", b]);
        }
        if tls {
            test_certificates(dir.path());
            c.arg("--tls-cert")
                .arg(dir.path().join("cert.pem"))
                .arg("--tls-key")
                .arg(dir.path().join("key.pem"));
        }
        let stderr = std::fs::File::create(dir.path().join("stderr")).expect("stderr file");
        let mut child = ChildGuard(
            c.stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(stderr)
                .spawn()
                .expect("start the example s3_server"),
        );
        // The first line names the bound address; a reader thread so the
        // wait is bounded (the line, or end of file when the server exits).
        let stdout = child.0.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
        let endpoint = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                let err = std::fs::read_to_string(dir.path().join("stderr")).unwrap_or_default();
                panic!("s3_server did not start: {line:?} {err}")
            })
            .to_string();
        assert!(
            endpoint.starts_with(if tls {
                "https://127.0.0.1:"
            } else {
                "http://127.0.0.1:"
            }),
            "{endpoint}"
        );
        ExampleS3Server {
            _child: child,
            endpoint,
            dir,
        }
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The PEM certificate of the authority that signed the server's
    /// (what clients trust for HTTPS: `AWS_CA_BUNDLE`).
    pub fn ca_bundle(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// What the server wrote to standard error so far (connection errors).
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("stderr")).unwrap_or_default()
    }
}

/// Writes `ca.pem`, `cert.pem` and `key.pem` (a test CA and the certificate it signed for
/// 127.0.0.1 and localhost) into `dir`, with python's `cryptography`.
fn test_certificates(dir: &Path) {
    let python =
        on_path("python3").unwrap_or_else(|| panic!("python3 is not installed: {INSTALL_HINT}"));
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suite/support/test_certificates.py");
    let out = Command::new(python)
        .arg(script)
        .arg(dir)
        .output()
        .expect("run test_certificates.py");
    assert!(
        out.status.success(),
        "test_certificates.py: {} ({INSTALL_HINT})",
        String::from_utf8_lossy(&out.stderr)
    );
}
