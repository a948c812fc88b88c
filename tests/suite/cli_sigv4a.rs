//! The `sigv4` binary's SigV4a options: `--sigv4a`, `--region-set`, and
//! Multi-Region Access Point targets, on `sign`, `curl` and `presign`.
//! Every signature it prints is checked with the library's verifier.
#![cfg(feature = "cli")]

use std::process::{Command, Output, Stdio};

use sigv4::sign::v4a::{EcdsaKey, PublicKey};
use sigv4::sign::{verify, Error, Payload, SignableRequest, SigningTime, VerifyOptions};

use crate::support::{Step, StubServer};

const BIN: &str = env!("CARGO_BIN_EXE_sigv4");
const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TIME: &str = "20150830T123600Z";
const MRAP_ARN: &str = "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap";
const MRAP_HOST: &str = "mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com";

/// The binary with a clean environment and the example keys.
fn sigv4(args: &[&str]) -> Output {
    Command::new(BIN)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", "/nonexistent-home")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9")
        .env("AWS_ACCESS_KEY_ID", AKID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run sigv4")
}

fn ok_json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("JSON output")
}

fn now() -> SigningTime {
    SigningTime::parse_amz_date(TIME).unwrap()
}

fn lookup(k: &str) -> Option<&'static str> {
    (k == AKID).then_some(SECRET)
}

/// Verifies what `sign --output json` printed, as a server in `region`.
fn verify_printed(v: &serde_json::Value, region: &str) -> Result<sigv4::sign::Verified, Error> {
    let headers: Vec<(String, String)> = v["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().into(), p[1].as_str().unwrap().into()))
        .collect();
    let req = SignableRequest::new(v["method"].as_str().unwrap(), v["url"].as_str().unwrap())
        .unwrap()
        .headers(headers.iter().map(|(n, val)| (n.as_str(), val.as_str())))
        .payload(Payload::EMPTY);
    verify(
        &req,
        lookup,
        &VerifyOptions::new(now()).expect_region(region),
    )
}

#[test]
fn sign_json_for_an_mrap_arn_is_sigv4a_with_region_set_star_and_the_public_key() {
    let derived = EcdsaKey::derive(AKID, SECRET).unwrap().public_key();
    for target in [
        format!("{MRAP_ARN}/dir/key.txt"),
        format!("s3://{MRAP_ARN}/dir/key.txt"),
        format!("https://{MRAP_HOST}/dir/key.txt"),
    ] {
        let v = ok_json(&sigv4(&[
            "sign",
            "--output",
            "json",
            "--timestamp",
            TIME,
            &target,
        ]));
        assert_eq!(
            v["url"],
            format!("https://{MRAP_HOST}/dir/key.txt"),
            "{target}"
        );
        assert_eq!(v["region_set"], "*");
        assert_eq!(v["algorithm"], "AWS4-ECDSA-P256-SHA256");
        // The printed public key is the one derived from the keys, and it
        // verifies the printed signature of the printed string to sign.
        let public = PublicKey::from_sec1_hex(v["public_key"].as_str().unwrap()).unwrap();
        assert_eq!(public, derived);
        assert_eq!(v["public_key"].as_str().unwrap().len(), 66);
        assert!(public.verify_message(
            v["string_to_sign"].as_str().unwrap().as_bytes(),
            v["signature"].as_str().unwrap()
        ));
        let auth = v["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p[0] == "authorization")
            .unwrap()[1]
            .as_str()
            .unwrap()
            .to_string();
        assert!(auth.starts_with(&format!(
            "AWS4-ECDSA-P256-SHA256 Credential={AKID}/20150830/s3/aws4_request, "
        )));
        for region in ["us-east-1", "ap-southeast-2"] {
            assert_eq!(verify_printed(&v, region).unwrap().region(), "*");
        }
    }
}

#[test]
fn region_set_and_sigv4a_flags_on_sign() {
    let url = "https://examplebucket.s3.amazonaws.com/test.txt";
    let v = ok_json(&sigv4(&[
        "sign",
        "--output",
        "json",
        "--timestamp",
        TIME,
        "--region-set",
        "us-east-1,eu-west-1",
        url,
    ]));
    assert_eq!(v["region_set"], "us-east-1,eu-west-1");
    assert!(verify_printed(&v, "eu-west-1").is_ok());
    assert_eq!(
        verify_printed(&v, "ap-south-1"),
        Err(Error::WrongScope { part: "region" })
    );
    // --sigv4a alone: the region is the set.
    let v = ok_json(&sigv4(&[
        "--region",
        "eu-west-2",
        "sign",
        "--output",
        "json",
        "--timestamp",
        TIME,
        "--sigv4a",
        url,
    ]));
    assert_eq!(v["region_set"], "eu-west-2");
    assert!(verify_printed(&v, "eu-west-2").is_ok());
    // Without either, a plain bucket stays SigV4.
    let v = ok_json(&sigv4(&[
        "sign",
        "--output",
        "json",
        "--timestamp",
        TIME,
        url,
    ]));
    assert!(v.get("region_set").is_none());
    assert!(v["signature"].as_str().unwrap().len() == 64);
    // A malformed set is refused with a one-line error.
    let o = sigv4(&["sign", "--region-set", "us-east-1,", url]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("invalid --region-set"));
}

#[test]
fn presign_mrap_targets_and_region_sets() {
    let verify_url = |url: &str, region: &str| {
        let req = SignableRequest::new("GET", url)
            .unwrap()
            .payload(Payload::Unsigned);
        verify(
            &req,
            lookup,
            &VerifyOptions::new(now()).expect_region(region),
        )
    };
    for target in [
        format!("s3://{MRAP_ARN}/k.txt"),
        format!("{MRAP_ARN}/k.txt"),
    ] {
        let v = ok_json(&sigv4(&[
            "presign",
            "--output",
            "json",
            "--timestamp",
            TIME,
            &target,
        ]));
        let url = v["url"].as_str().unwrap();
        assert!(url.starts_with(&format!(
            "https://{MRAP_HOST}/k.txt?X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&"
        )));
        assert_eq!(v["region_set"], "*");
        assert!(verify_url(url, "sa-east-1").is_ok());
    }
    let v = ok_json(&sigv4(&[
        "presign",
        "--output",
        "json",
        "--timestamp",
        TIME,
        "--region-set",
        "us-west-2,eu-west-1",
        "s3://examplebucket/k.txt",
    ]));
    let url = v["url"].as_str().unwrap();
    assert!(url.contains("X-Amz-Region-Set=us-west-2%2Ceu-west-1"));
    assert!(verify_url(url, "us-west-2").is_ok());
    assert_eq!(
        verify_url(url, "us-east-1"),
        Err(Error::WrongScope { part: "region" })
    );
    let v = ok_json(&sigv4(&[
        "--region",
        "ca-central-1",
        "presign",
        "--output",
        "json",
        "--timestamp",
        TIME,
        "--sigv4a",
        "s3://examplebucket/k.txt",
    ]));
    assert_eq!(v["region_set"], "ca-central-1");
}

/// `curl --region-set` sends a SigV4a-signed request; the stub server
/// records it and the verifier accepts it as received.
#[test]
fn curl_sends_sigv4a_requests() {
    let server = StubServer::start(vec![Step::respond(200, "text/plain", "hello")]);
    let url = server.url("/bucket/key.txt");
    let o = sigv4(&[
        "curl",
        "--service",
        "s3",
        "--region-set",
        "*",
        "--timestamp",
        TIME,
        &url,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "hello");
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    let got = &seen[0];
    assert_eq!(got.header("x-amz-region-set"), Some("*"));
    assert!(got
        .header("authorization")
        .unwrap()
        .starts_with("AWS4-ECDSA-P256-SHA256 "));
    let req = SignableRequest::from_parts(&got.method, &got.target, "")
        .unwrap()
        .headers(got.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .payload(Payload::Bytes(&got.body));
    let options = VerifyOptions::new(now()).expect_region("eu-central-1");
    assert!(verify(&req, lookup, &options).is_ok());
}
