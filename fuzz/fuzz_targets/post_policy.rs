//! Presigned POST policies: `Condition::parse_json` on fuzz text, and
//! `S3Location::presign_post` with fuzz-chosen fields and conditions.
//! - neither panics;
//! - a built policy is JSON (serde_json reads it), expires when it says,
//!   and every one of its conditions holds for the form's own fields
//!   (`eq` values, `starts-with` prefixes, `content-length-range` min <=
//!   max); each condition reads back with `Condition::parse_json` to one the
//!   policy was built from;
//! - a condition that parses renders (in a policy) to JSON that parses
//!   back to it.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sigv4::s3::{Condition, PostPolicy, S3Location};
use sigv4::sign::SigningTime;
use sigv4::Credentials;
use std::time::Duration;

#[derive(Arbitrary, Debug)]
enum Cond {
    Eq(String, String),
    StartsWith(String, String),
    Range(u64, u64),
    Json(String),
}

#[derive(Arbitrary, Debug)]
struct Input {
    bucket: String,
    key: String,
    expires: u32,
    token: Option<String>,
    fields: Vec<(String, String)>,
    conditions: Vec<Cond>,
    key_prefix: Option<String>,
    status: Option<u16>,
    text: String,
}

fn json_text(c: &serde_json::Value) -> String {
    serde_json::to_string(c).unwrap()
}

fuzz_target!(|input: Input| {
    if let Ok(c) = Condition::parse_json(&input.text) {
        // In a policy of its own, it renders to JSON that reads back.
        let loc = S3Location::new("examplebucket", "k", "us-east-1").unwrap();
        let _ = c.field();
        let policy = PostPolicy::new(Duration::from_secs(60)).condition(c.clone());
        if let Ok(post) = loc.presign_post(&Credentials::new("AKID", "secret"), SigningTime::from_unix_seconds(1_700_000_000).unwrap(), &policy) {
            let doc: serde_json::Value = serde_json::from_str(&post.policy).unwrap();
            let found = doc["conditions"].as_array().unwrap().iter().any(|j| Condition::parse_json(&json_text(j)).ok() == Some(c.clone()));
            assert!(found, "{c:?} is not in {}", post.policy);
        }
    }
    let Ok(loc) = S3Location::new(&input.bucket, &input.key, "us-east-1") else { return };
    let mut policy = PostPolicy::new(Duration::from_secs(u64::from(input.expires % 700_000)));
    for (n, v) in &input.fields {
        policy = policy.field(n, v);
    }
    let mut built = Vec::new();
    for c in &input.conditions {
        let c = match c {
            Cond::Eq(f, v) => Condition::eq(f, v),
            Cond::StartsWith(f, p) => Condition::starts_with(f, p),
            Cond::Range(a, b) => Condition::ContentLengthRange { min: *a, max: *b },
            Cond::Json(t) => match Condition::parse_json(t) {
                Ok(c) => c,
                Err(_) => continue,
            },
        };
        built.push(c.clone());
        policy = policy.condition(c);
    }
    if let Some(p) = &input.key_prefix {
        policy = policy.key_starts_with(p);
    }
    if let Some(s) = input.status {
        policy = policy.success_action_status(s);
    }
    let mut credentials = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    if let Some(t) = &input.token {
        credentials = credentials.with_session_token(t.as_str());
    }
    let time = SigningTime::from_unix_seconds(1_700_000_000).unwrap();
    let Ok(post) = loc.presign_post(&credentials, time, &policy) else { return };
    let doc: serde_json::Value = serde_json::from_str(&post.policy).unwrap_or_else(|e| panic!("{e}: {}", post.policy));
    let expiration = doc["expiration"].as_str().unwrap();
    assert_eq!(expiration.len(), 20, "{expiration}");
    assert_eq!(post.expires_at.unix_seconds(), time.unix_seconds() + i64::from(input.expires % 700_000));
    let field = |name: &str| post.fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
    for j in doc["conditions"].as_array().unwrap() {
        let c = Condition::parse_json(&json_text(j)).unwrap_or_else(|e| panic!("{e}: {j}"));
        match &c {
            Condition::Eq { field: f, value } if f.eq_ignore_ascii_case("bucket") => assert_eq!(value, loc.bucket()),
            Condition::Eq { field: f, value } => assert_eq!(field(f), Some(value.as_str()), "{j}"),
            Condition::StartsWith { field: f, prefix } => {
                if let Some(v) = field(f) {
                    assert!(v.starts_with(prefix.as_str()), "{f}={v:?} breaks {j}");
                }
            }
            Condition::ContentLengthRange { min, max } => assert!(min <= max),
        }
        let _ = &built;
    }
    // Every condition of the caller is in the policy.
    for c in &built {
        let found = doc["conditions"].as_array().unwrap().iter().any(|j| Condition::parse_json(&json_text(j)).ok().as_ref() == Some(c));
        assert!(found, "{c:?} is not in {}", post.policy);
    }
    for name in ["key", "policy", "x-amz-signature", "x-amz-credential", "x-amz-date", "x-amz-algorithm"] {
        assert!(field(name).is_some(), "no {name}");
    }
});
