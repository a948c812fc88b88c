//! The AWS SigV4a signing test suite (`test-vectors/v4a`): 38 cases, each
//! signed for the `Authorization` header and as a presigned query.
//!
//! SigV4a signatures are ECDSA, and the suite's were made with random
//! nonces, so a signature is never compared as text. For each variant:
//! the canonical request and the string to sign equal the files byte for
//! byte; our signature verifies against `public-key.json`; the suite's
//! `*-signature.txt` verifies against it too (for the expected string to
//! sign); the signed request we render equals `*-signed-request.txt` once
//! our signature is replaced by the suite's. Per case, the key pair we
//! derive from `context.json`'s credentials has the public key of
//! `public-key.json`. A second test feeds the suite's signed requests to
//! our verifier (accepted as written, refused once changed).
//!
//! Request parsing, contexts and the tamper checks are the SigV4 suite's
//! (`conformance.rs`).
#![cfg(feature = "sigv4a")]

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sigv4::sign::v4a::{presign, sign_headers, EcdsaKey, EcdsaKeyCache, PublicKey, SigningParams};
use sigv4::sign::{verify, Error, Payload, SignableRequest, VerifyOptions};
use sigv4::Credentials;

use super::conformance::{
    load_context, parse_request, percent_decode, read, render, verify_suite_file, Context, Parsed,
    Received, Report,
};

/// Every case of `test-vectors/v4a`, by name.
const CASES: [&str; 38] = [
    "get-header-key-duplicate",
    "get-header-value-multiline",
    "get-header-value-order",
    "get-header-value-trim",
    "get-relative-normalized",
    "get-relative-relative-normalized",
    "get-relative-relative-unnormalized",
    "get-relative-unnormalized",
    "get-slash-dot-slash-normalized",
    "get-slash-dot-slash-unnormalized",
    "get-slash-normalized",
    "get-slash-pointless-dot-normalized",
    "get-slash-pointless-dot-unnormalized",
    "get-slash-unnormalized",
    "get-slashes-normalized",
    "get-slashes-unnormalized",
    "get-space-normalized",
    "get-space-unnormalized",
    "get-unreserved",
    "get-utf8",
    "get-vanilla",
    "get-vanilla-empty-query-key",
    "get-vanilla-query",
    "get-vanilla-query-order-encoded",
    "get-vanilla-query-order-key-case",
    "get-vanilla-query-unreserved",
    "get-vanilla-utf8-query",
    "get-vanilla-with-session-token",
    "post-header-key-case",
    "post-header-key-sort",
    "post-header-value-case",
    "post-sts-header-after",
    "post-sts-header-before",
    "post-vanilla",
    "post-vanilla-empty-query-value",
    "post-vanilla-query",
    "post-x-www-form-urlencoded",
    "post-x-www-form-urlencoded-parameters",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-vectors/v4a")
}

/// The case's `public-key.json`.
fn public_key(dir: &Path) -> PublicKey {
    let raw = read(dir, "public-key.json").expect("public-key.json");
    let v: serde_json::Value = serde_json::from_str(&raw).unwrap();
    PublicKey::from_coordinates_hex(v["X"].as_str().unwrap(), v["Y"].as_str().unwrap())
        .expect("public-key.json is a P-256 point")
}

/// The CRT suite's spelling of the headers the signer adds.
fn crt_name(name: &str) -> &str {
    match name {
        "x-amz-date" => "X-Amz-Date",
        "x-amz-security-token" => "X-Amz-Security-Token",
        "x-amz-region-set" => "X-Amz-Region-Set",
        "authorization" => "Authorization",
        other => other,
    }
}

fn credentials(ctx: &Context) -> Credentials {
    let c = Credentials::new(ctx.access_key_id.as_str(), ctx.secret.as_str());
    match &ctx.token {
        Some(t) => c.with_session_token(t.as_str()),
        None => c,
    }
}

/// Checks one ECDSA signature and counts it as a comparison.
fn check_sig(report: &mut Report, case: &str, what: &str, ok: bool) {
    report.checks += 1;
    if !ok {
        report.failures.push(format!(
            "{case} {what}: does not verify against public-key.json"
        ));
    }
}

fn run_case(dir: &Path, name: &str, cache: &EcdsaKeyCache, report: &mut Report) -> usize {
    let ctx = load_context(dir).expect("every v4a case has a context.json");
    let public = public_key(dir);
    // The key pair derived from the case's credentials.
    let derived = EcdsaKey::derive(&ctx.access_key_id, &ctx.secret).unwrap();
    report.eq(
        name,
        "derived public key",
        &derived.public_key().to_sec1_hex(false),
        &public.to_sec1_hex(false),
    );

    let req = parse_request(&fs::read(dir.join("request.txt")).unwrap());
    let path = percent_decode(&req.path);
    let mut signable = SignableRequest::from_parts(&req.method, &path, &req.query).unwrap();
    for (n, v) in &req.headers {
        signable = signable.header(n, v);
    }
    let signable = signable.payload(Payload::Bytes(&req.body));
    let credentials = credentials(&ctx);
    let params = SigningParams::new(&credentials, &ctx.region, &ctx.service, ctx.time)
        .with_settings(ctx.settings())
        .with_key_cache(cache);
    let mut variants = 0;

    // Header variant.
    if let Some(want) = read(dir, "header-canonical-request.txt") {
        variants += 1;
        let s = sign_headers(&signable, &params).unwrap_or_else(|e| panic!("{name}: {e}"));
        report.eq(
            name,
            "header canonical request",
            s.canonical_request(),
            &want,
        );
        let want_sts = read(dir, "header-string-to-sign.txt").unwrap();
        report.eq(
            name,
            "header string to sign",
            &s.string_to_sign(),
            &want_sts,
        );
        check_sig(
            report,
            name,
            "our header signature",
            public.verify_message(s.string_to_sign().as_bytes(), s.signature()),
        );
        let theirs = read(dir, "header-signature.txt").unwrap();
        check_sig(
            report,
            name,
            "header-signature.txt",
            public.verify_message(want_sts.as_bytes(), theirs.trim_end()),
        );
        // The signed request, with the suite's signature in place of ours.
        let want = read(dir, "header-signed-request.txt").unwrap();
        let their_sig = want
            .lines()
            .find_map(|l| l.split_once(", Signature="))
            .map(|(_, sig)| sig.to_string())
            .expect("an Authorization line");
        let auth = s.authorization().replace(s.signature(), &their_sig);
        let added: Vec<(&str, &str)> = s
            .headers()
            .map(|(n, v)| {
                let v = if n == "authorization" {
                    auth.as_str()
                } else {
                    v
                };
                (crt_name(n), v)
            })
            .collect();
        let drop: Vec<&str> = s.headers().map(|(n, _)| n).collect();
        report.eq(
            name,
            "header signed request (signature aside)",
            &render(&req, &path, &req.query, &drop, &added),
            &want,
        );
    }
    // Query variant.
    if let Some(want) = read(dir, "query-canonical-request.txt") {
        variants += 1;
        let p = presign(&signable, &params, Duration::from_secs(ctx.expires))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        report.eq(
            name,
            "query canonical request",
            p.canonical_request(),
            &want,
        );
        let want_sts = read(dir, "query-string-to-sign.txt").unwrap();
        report.eq(name, "query string to sign", &p.string_to_sign(), &want_sts);
        check_sig(
            report,
            name,
            "our query signature",
            public.verify_message(p.string_to_sign().as_bytes(), p.signature()),
        );
        let theirs = read(dir, "query-signature.txt").unwrap();
        check_sig(
            report,
            name,
            "query-signature.txt",
            public.verify_message(want_sts.as_bytes(), theirs.trim_end()),
        );
        let want = read(dir, "query-signed-request.txt").unwrap();
        let their_sig = want
            .split("X-Amz-Signature=")
            .nth(1)
            .and_then(|rest| rest.split([' ', '&']).next())
            .expect("an X-Amz-Signature parameter");
        let query = p.query_string().replace(p.signature(), their_sig);
        report.eq(
            name,
            "query signed request (signature aside)",
            &render(&req, &path, &query, &[], &[]),
            &want,
        );
    }
    variants
}

fn case_dirs() -> Vec<PathBuf> {
    let mut cases: Vec<_> = fs::read_dir(root())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let names: Vec<&str> = cases
        .iter()
        .map(|d| d.file_name().unwrap().to_str().unwrap())
        .collect();
    assert_eq!(names, CASES, "the cases in test-vectors/v4a");
    cases
}

#[test]
fn aws_sigv4a_test_suite() {
    let cases = case_dirs();
    let cache = EcdsaKeyCache::new();
    let mut report = Report::default();
    let mut variants = 0;
    for dir in &cases {
        let name = dir.file_name().unwrap().to_str().unwrap();
        variants += run_case(dir, name, &cache, &mut report);
    }
    println!(
        "SigV4a suite: {} cases, {} variants, {} comparisons",
        cases.len(),
        variants,
        report.checks
    );
    assert_eq!(variants, 76, "38 cases with header and query variants");
    // One derivation for the whole suite: every case has the same access
    // key and secret.
    assert_eq!(cache.misses(), 1);
    assert!(
        report.failures.is_empty(),
        "{} failures:\n{}",
        report.failures.len(),
        report.failures.join("\n")
    );
}

fn clone_parsed(p: &Parsed) -> Parsed {
    Parsed {
        method: p.method.clone(),
        path: p.path.clone(),
        query: p.query.clone(),
        headers: p.headers.clone(),
        body: p.body.clone(),
    }
}

/// Every signed request of the v4a suite through `verify` (which
/// recognizes SigV4a): accepted as written, refused once changed, and
/// refused by a verifier in a region outside the set.
#[test]
fn the_verifier_accepts_the_v4a_suites_signed_requests_and_refuses_them_changed() {
    let mut failures = Vec::new();
    let (mut files, mut verifications) = (0, 0);
    for dir in case_dirs() {
        let name = dir.file_name().unwrap().to_str().unwrap().to_string();
        let ctx = load_context(&dir).unwrap();
        // No expected region for the tamper checks: a changed region set
        // must fail on its signature (with one expected, it fails earlier).
        let options = VerifyOptions::new(ctx.time).with_settings(ctx.settings());
        for file in ["header-signed-request.txt", "query-signed-request.txt"] {
            let parsed = parse_request(&fs::read(dir.join(file)).unwrap());
            let path = percent_decode(&parsed.path);
            files += 1;
            // A verifier in the set's region accepts it, one outside refuses it.
            let as_is = Received {
                parsed: clone_parsed(&parsed),
                path: path.clone(),
            };
            let lookup = |_: &str| Some(ctx.secret.as_str());
            for (region, want) in [
                ("us-east-1", Ok(())),
                ("eu-west-1", Err(Error::WrongScope { part: "region" })),
            ] {
                let at = options.expect_region(region);
                verifications += 1;
                let got = verify(&as_is.signable(), lookup, &at).map(|v| {
                    assert_eq!(v.region(), "us-east-1");
                });
                if got != want {
                    failures.push(format!("{name} {file} from {region}: {got:?}"));
                }
            }
            verifications += verify_suite_file(
                &name,
                file,
                Received { parsed, path },
                &ctx.secret,
                &options,
                &mut failures,
            );
        }
    }
    println!(
        "SigV4a suite through the verifier: {files} signed requests, {verifications} verifications"
    );
    assert_eq!(files, 76);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
