//! The five first-hour programs in `examples/`, run as a user runs them.
//! `cargo test` builds them next to this binary (`target/<profile>/examples`).
#![cfg(all(feature = "client", feature = "http"))]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::support::{example_binary, MotoServer};

fn example(name: &str) -> Command {
    let mut c = Command::new(example_binary(name));
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", "/nonexistent-home")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9")
        .stdin(Stdio::null());
    c
}

fn run_with_input(mut c: Command, input: &[u8]) -> Output {
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start example");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn presign_s3_get_prints_the_documented_url() {
    let o = example("presign_s3_get").output().unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    // The AWS S3 documentation's presigned URL, byte for byte.
    assert_eq!(
        text(&o.stdout).trim_end(),
        "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
         &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
         &X-Amz-Date=20130524T000000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=86400\
         &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    );
}

#[test]
fn the_signed_json_post_verifies_and_a_changed_one_does_not() {
    let signed = example("sign_json_post").output().unwrap();
    assert!(signed.status.success(), "{}", text(&signed.stderr));
    let request = text(&signed.stdout);
    assert!(
        request.starts_with("POST /prod/items HTTP/1.1\n"),
        "{request}"
    );
    assert!(
        request.contains("\nx-amz-date: 20240101T120000Z\n"),
        "{request}"
    );

    let ok = run_with_input(example("verify_request"), request.as_bytes());
    assert!(
        ok.status.success(),
        "{}{}",
        text(&ok.stdout),
        text(&ok.stderr)
    );
    assert_eq!(
        text(&ok.stdout).trim_end(),
        "verified: AKIDEXAMPLE signed content-type;host;x-amz-date for us-east-1/execute-api \
         at 20240101T120000Z"
    );

    for (what, changed) in [
        ("body", request.replace("widget", "gadget")),
        ("path", request.replace("/prod/items", "/prod/other")),
        (
            "signed header",
            request.replace("application/json", "text/plain"),
        ),
        ("signature", {
            let at = request.find("Signature=").unwrap() + "Signature=".len();
            let mut r = request.clone();
            let flipped = if &r[at..at + 1] == "0" { "1" } else { "0" };
            r.replace_range(at..at + 1, flipped);
            r
        }),
    ] {
        assert_ne!(changed, request, "{what} not changed");
        let o = run_with_input(example("verify_request"), changed.as_bytes());
        assert_eq!(o.status.code(), Some(1), "{what}: {}", text(&o.stdout));
        assert_eq!(
            text(&o.stdout).trim_end(),
            "rejected: signature does not match",
            "{what}"
        );
    }
    // Another service than the server's is refused for its scope.
    let other = request.replace("/execute-api/aws4_request", "/lambda/aws4_request");
    let o = run_with_input(example("verify_request"), other.as_bytes());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stdout).contains("scoped to another service"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn explain_credentials_names_the_source_that_won() {
    let mut c = example("explain_credentials");
    c.env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLEENV")
        .env("AWS_SECRET_ACCESS_KEY", "example-secret-never-printed");
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains("using AKIDEXAMPLEENV (from environment)"),
        "{out}"
    );
    assert!(!out.contains("example-secret-never-printed"), "{out}");
    // With nothing configured it says why each source was skipped, and fails.
    let o = example("explain_credentials").output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    for source in ["environment", "profile", "container", "imds"] {
        assert!(out.contains(source), "{source} missing from:\n{out}");
    }
}

#[test]
fn sts_whoami_calls_moto() {
    let moto = MotoServer::start();
    let mut c = example("sts_whoami");
    c.env("AWS_ACCESS_KEY_ID", &moto.access_key)
        .env("AWS_SECRET_ACCESS_KEY", &moto.secret_key)
        .arg(moto.endpoint());
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("account 123456789012"), "{out}");
    assert!(out.contains(":user/sigv4-test"), "{out}");
    // A wrong secret: moto refuses the signature, and the example says so.
    let mut c = example("sts_whoami");
    c.env("AWS_ACCESS_KEY_ID", &moto.access_key)
        .env("AWS_SECRET_ACCESS_KEY", "wrong")
        .arg(moto.endpoint());
    let o = c.output().unwrap();
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("SignatureDoesNotMatch"),
        "{}",
        text(&o.stderr)
    );
}

#[cfg(feature = "reqwest")]
#[test]
fn async_chain_explains_and_caches() {
    let mut c = example("async_chain");
    c.env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLEASYNC")
        .env("AWS_SECRET_ACCESS_KEY", "example-secret-never-printed");
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains("using AKIDEXAMPLEASYNC (from environment) (cached: true)"),
        "{out}"
    );
    assert!(!out.contains("example-secret-never-printed"), "{out}");
    let o = example("async_chain").output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stdout).contains("imds"), "{}", text(&o.stdout));
}

#[cfg(feature = "reqwest-middleware")]
#[test]
fn reqwest_middleware_example_calls_sts_and_s3_on_moto() {
    let moto = MotoServer::start();
    let mut c = example("reqwest_middleware_s3_sts");
    c.env("AWS_ACCESS_KEY_ID", &moto.access_key)
        .env("AWS_SECRET_ACCESS_KEY", &moto.secret_key)
        .args([moto.endpoint(), moto.endpoint(), "example-bucket".into()]);
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains(":user/sigv4-test"), "{out}");
    assert!(
        out.contains("s3: hello from memory\ns3: hello, streamed"),
        "{out}"
    );
}

#[cfg(all(feature = "tower", feature = "reqwest"))]
#[test]
fn tower_example_puts_and_gets_on_moto() {
    let moto = MotoServer::start();
    let mut c = example("tower_hyper_client");
    c.env("AWS_ACCESS_KEY_ID", &moto.access_key)
        .env("AWS_SECRET_ACCESS_KEY", &moto.secret_key)
        .args([moto.endpoint(), "tower-bucket".into()]);
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("s3: hello through tower"),
        "{}",
        text(&o.stdout)
    );
}
