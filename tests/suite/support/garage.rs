//! garage 2.5, the second real S3 server: one single-node cluster per
//! test on free 127.0.0.1 ports, in a temporary directory, set up through
//! garage's own command-line tool (layout, an imported key, buckets), so
//! no request of ours is involved before the test's own.
//!
//! garage is installed by `ci/install-peers` (`cargo install garage`);
//! tests never install it. Its S3 region is `us-east-1` and requests are
//! path style (`http://127.0.0.1:PORT/bucket/key`).

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::peers::{installed_binary, INSTALL_HINT};
use super::process::{free_port, spawn_server, ChildGuard};
use super::tempdir::TempDir;

/// The key pair imported into every garage cluster (garage key ids are
/// `GK` and 24 hex digits, secrets 64 hex digits).
const GARAGE_ACCESS_KEY: &str = "GK5167e0f3a9b2c4d6e8f01234";
const GARAGE_SECRET_KEY: &str = "8d1c7f0e2b4a69587d3c1e0f2a4b6c8d9e7f1a3b5c7d9e0f2a4b6c8d1e3f5a7b";
const KEY_NAME: &str = "sigv4-test";
/// The cluster's RPC secret (32 bytes, hex).
const RPC_SECRET: &str = "3f2a9c1d8e7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa998877";

/// A running garage node with a layout, the key [`GARAGE_ACCESS_KEY`]
/// (allowed to create buckets) and a temporary data directory.
pub struct GarageServer {
    /// The S3 API port.
    pub port: u16,
    pub access_key: String,
    pub secret_key: String,
    config: PathBuf,
    // Declared before the root: the server stops before its files go.
    _child: ChildGuard,
    _root: TempDir,
}

fn garage_binary() -> PathBuf {
    installed_binary("garage").unwrap_or_else(|| panic!("garage is not installed: {INSTALL_HINT}"))
}

impl GarageServer {
    /// Starts a node and sets it up; panics (naming the step and garage's
    /// output) when a step fails.
    pub fn start() -> GarageServer {
        let root = TempDir::new("garage");
        let (port, rpc_port) = (free_port(), free_port());
        let config = root.path().join("garage.toml");
        std::fs::write(
            &config,
            format!(
                r#"metadata_dir = "{dir}/meta"
data_dir = "{dir}/data"
db_engine = "lmdb"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:{rpc_port}"
rpc_public_addr = "127.0.0.1:{rpc_port}"
rpc_secret = "{RPC_SECRET}"

[s3_api]
s3_region = "us-east-1"
api_bind_addr = "127.0.0.1:{port}"
root_domain = ".s3.garage.localhost"
"#,
                dir = root.path().display()
            ),
        )
        .expect("write garage.toml");
        let child = spawn_server(
            Command::new(garage_binary())
                .arg("-c")
                .arg(&config)
                .arg("server")
                .env("RUST_LOG", "warn"),
            "garage",
            port,
            Duration::from_secs(30),
        );
        let server = GarageServer {
            port,
            access_key: GARAGE_ACCESS_KEY.to_string(),
            secret_key: GARAGE_SECRET_KEY.to_string(),
            config,
            _child: child,
            _root: root,
        };
        server.wait_for_rpc();
        let node = server.garage(&["node", "id", "-q"]);
        let node = String::from_utf8_lossy(&node.stdout);
        let node_id = node.trim().split('@').next().unwrap_or("").to_string();
        server.garage(&["layout", "assign", &node_id, "-z", "dc1", "-c", "1G"]);
        server.garage(&["layout", "apply", "--version", "1"]);
        server.garage(&[
            "key",
            "import",
            "--yes",
            "-n",
            KEY_NAME,
            GARAGE_ACCESS_KEY,
            GARAGE_SECRET_KEY,
        ]);
        server.garage(&["key", "allow", "--create-bucket", KEY_NAME]);
        server
    }

    /// `http://127.0.0.1:PORT`, the S3 API.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Creates `bucket` and gives the test key read, write and owner rights
    /// on it, with garage's own tool (no S3 request involved).
    #[allow(dead_code)] // for tests that must not depend on our CreateBucket
    pub fn create_bucket(&self, bucket: &str) {
        self.garage(&["bucket", "create", bucket]);
        self.garage(&[
            "bucket", "allow", "--read", "--write", "--owner", bucket, "--key", KEY_NAME,
        ]);
    }

    /// Waits (bounded) until the node answers `garage status`: the RPC
    /// listener comes up a little after the S3 port.
    fn wait_for_rpc(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let out = self.run(&["status"]);
            if out.status.success() {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "garage status did not succeed within 30 s: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(garage_binary())
            .arg("-c")
            .arg(&self.config)
            .args(args)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .output()
            .expect("run garage")
    }

    /// Runs `garage -c CONFIG ARGS...`; panics unless it succeeds.
    pub fn garage(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "garage {}: {}\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }
}
