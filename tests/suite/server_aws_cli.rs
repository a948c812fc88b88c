//! The example S3 server (the verifying tower layer) with the AWS CLI
//! (`aws`, botocore's signer) and curl: copies (single PUT and multipart),
//! listings, `s3api` calls and a presigned URL, each accepted with the
//! stored bytes exact; a wrong key, a tampered presigned URL, refused.
#![cfg(all(feature = "server", feature = "client"))]

use std::process::{Command, Output};

use crate::support::{
    flip_hex_digit, http, query_value, with_query_value, ExampleS3Server, TempDir,
    SERVER_ACCESS_KEY, SERVER_REGION, SERVER_SECRET_KEY,
};
use sigv4::s3::S3Location;
use sigv4::sign::{Payload, SigningTime};
use sigv4::Credentials;

/// The AWS CLI with its own config and credentials files (the test key, or
/// `secret`), nothing from the environment, talking to `server`.
struct Cli<'a> {
    server: &'a ExampleS3Server,
    dir: TempDir,
}

impl<'a> Cli<'a> {
    fn new(server: &'a ExampleS3Server, access_key: &str, secret: &str) -> Self {
        let dir = TempDir::new("aws-cli");
        dir.write(
            "credentials",
            &format!(
                "[default]\naws_access_key_id = {access_key}\naws_secret_access_key = {secret}\n"
            ),
        );
        // AWS CLI v1 presigns with SigV2 unless told `s3v4`.
        dir.write(
            "config",
            &format!("[default]\nregion = {SERVER_REGION}\ns3 =\n    signature_version = s3v4\n"),
        );
        Cli { server, dir }
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut c = Command::new("aws");
        // The test process's AWS settings stay out; the pyenv shim keeps HOME.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("AWS_") {
                c.env_remove(name);
            }
        }
        c.env("AWS_CONFIG_FILE", self.dir.path().join("config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.dir.path().join("credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .current_dir(self.dir.path())
            .args(["--endpoint-url", self.server.endpoint(), "--no-paginate"])
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("run aws (is the AWS CLI installed? ci/install-peers): {e}"))
    }

    /// Runs `aws args`; its standard output, after asserting success.
    #[track_caller]
    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "aws {args:?}: {}\n{}\nserver: {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
            self.server.stderr()
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }
}

/// The object as stored, read with our signer (`None`: 404).
fn stored(server: &ExampleS3Server, bucket: &str, key: &str) -> Option<Vec<u8>> {
    let s = S3Location::new(bucket, key, SERVER_REGION)
        .unwrap()
        .with_endpoint(server.endpoint())
        .unwrap()
        .sign(
            "GET",
            &Credentials::new(SERVER_ACCESS_KEY, SERVER_SECRET_KEY),
            SigningTime::now(),
            &[],
            &[],
            Payload::EMPTY,
        )
        .unwrap();
    let r = http(&s.method, &s.url, &s.headers, b"");
    match r.status {
        200 => Some(r.body),
        404 => None,
        other => panic!("GET {bucket}/{key}: {other} {}", r.text()),
    }
}

fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn write(path: &str, data: &[u8]) {
    std::fs::write(path, data).expect("write test file");
}

#[test]
fn aws_cli_copies_lists_and_presigns() {
    let server = ExampleS3Server::start(&[]);
    let cli = Cli::new(&server, SERVER_ACCESS_KEY, SERVER_SECRET_KEY);
    cli.ok(&["s3", "mb", "s3://cli-bucket"]);
    assert!(cli.ok(&["s3", "ls"]).contains("cli-bucket"));

    // A small file: one PutObject.
    let small = pseudo_random(1234, 1);
    write(&cli.path("small.bin"), &small);
    cli.ok(&[
        "s3",
        "cp",
        &cli.path("small.bin"),
        "s3://cli-bucket/dir/small file.bin",
    ]);
    assert_eq!(
        stored(&server, "cli-bucket", "dir/small file.bin").unwrap(),
        small
    );

    // Over the CLI's 8 MiB threshold: a multipart upload (the ETag says
    // how many parts were combined).
    let big = pseudo_random(9 * 1024 * 1024 + 4321, 2);
    write(&cli.path("big.bin"), &big);
    cli.ok(&["s3", "cp", &cli.path("big.bin"), "s3://cli-bucket/big.bin"]);
    assert_eq!(stored(&server, "cli-bucket", "big.bin").unwrap(), big);
    let head = cli.ok(&[
        "s3api",
        "head-object",
        "--bucket",
        "cli-bucket",
        "--key",
        "big.bin",
    ]);
    assert!(head.contains("-2\\\""), "a two-part ETag: {head}");
    // And back (ranged GETs), byte-exact.
    cli.ok(&["s3", "cp", "s3://cli-bucket/big.bin", &cli.path("big.copy")]);
    assert!(std::fs::read(cli.path("big.copy")).unwrap() == big);

    let listing = cli.ok(&["s3", "ls", "s3://cli-bucket/"]);
    assert!(
        listing.contains(&format!(" {} big.bin", big.len())),
        "{listing}"
    );
    assert!(listing.contains("PRE dir/"), "{listing}");
    let listing = cli.ok(&["s3", "ls", "--recursive", "s3://cli-bucket"]);
    assert!(listing.contains(" 1234 dir/small file.bin"), "{listing}");

    // s3api put-object / get-object.
    write(&cli.path("api.txt"), b"through s3api\n");
    cli.ok(&[
        "s3api",
        "put-object",
        "--bucket",
        "cli-bucket",
        "--key",
        "api/o+k.txt",
        "--body",
        &cli.path("api.txt"),
        "--content-type",
        "text/plain",
    ]);
    assert_eq!(
        stored(&server, "cli-bucket", "api/o+k.txt").unwrap(),
        b"through s3api\n"
    );
    let got = cli.ok(&[
        "s3api",
        "get-object",
        "--bucket",
        "cli-bucket",
        "--key",
        "api/o+k.txt",
        &cli.path("api.out"),
    ]);
    assert!(got.contains("text/plain"), "{got}");
    assert_eq!(
        std::fs::read(cli.path("api.out")).unwrap(),
        b"through s3api\n"
    );

    // A presigned URL, fetched with curl; tampered, refused.
    let url = cli.ok(&[
        "s3",
        "presign",
        "s3://cli-bucket/dir/small file.bin",
        "--expires-in",
        "300",
    ]);
    let url = url.trim();
    let fetched = curl(url, &cli.path("fetched.bin"));
    assert_eq!(fetched, "200");
    assert_eq!(std::fs::read(cli.path("fetched.bin")).unwrap(), small);
    let signature = query_value(url, "X-Amz-Signature");
    let bad = with_query_value(url, "X-Amz-Signature", &flip_hex_digit(signature, 0));
    assert_eq!(curl(&bad, &cli.path("refused.xml")), "403");
    let refused = std::fs::read_to_string(cli.path("refused.xml")).unwrap();
    assert!(
        refused.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{refused}"
    );

    cli.ok(&["s3", "rm", "s3://cli-bucket/big.bin"]);
    assert_eq!(stored(&server, "cli-bucket", "big.bin"), None);
}

/// `curl -o out url`: the status code curl reports.
fn curl(url: &str, out: &str) -> String {
    let o = Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "30",
            "-o",
            out,
            "-w",
            "%{http_code}",
            url,
        ])
        .output()
        .expect("run curl");
    assert!(
        o.status.success(),
        "curl: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn aws_cli_with_a_wrong_secret_or_key_is_refused() {
    let server = ExampleS3Server::start(&["refused"]);
    let file = TempDir::new("aws-cli-refused");
    let path = file.write("f.txt", "never stored");
    // (until signed for the right region, at the end)
    let path = path.to_string_lossy();
    for (key, secret, code) in [
        (SERVER_ACCESS_KEY, "wrong-secret", "SignatureDoesNotMatch"),
        (
            "AKIAUNKNOWN000000000",
            SERVER_SECRET_KEY,
            "InvalidAccessKeyId",
        ),
    ] {
        let cli = Cli::new(&server, key, secret);
        let o = cli.run(&[
            "s3api",
            "put-object",
            "--bucket",
            "refused",
            "--key",
            "f",
            "--body",
            &path,
        ]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success());
        assert!(stderr.contains(code), "{code}: {stderr}");
        assert!(!stderr.contains("wrong-secret"), "{stderr}");
        assert_eq!(stored(&server, "refused", "f"), None);
    }
    // Another region than the server's: refused with S3's
    // `AuthorizationHeaderMalformed` naming the server's `<Region>`, which
    // botocore reads, as from S3, to sign again for that region.
    let cli = Cli::new(&server, SERVER_ACCESS_KEY, SERVER_SECRET_KEY);
    let o = cli.run(&[
        "--debug",
        "--region",
        "eu-west-1",
        "s3api",
        "put-object",
        "--bucket",
        "refused",
        "--key",
        "f",
        "--body",
        &path,
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains("<Code>AuthorizationHeaderMalformed</Code>")
            && stderr.contains("<Region>us-east-1</Region>"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "configured for region eu-west-1 but the bucket refused is in region us-east-1"
        ),
        "{stderr}"
    );
    assert_eq!(stored(&server, "refused", "f").unwrap(), b"never stored");
}
