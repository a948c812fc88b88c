//! IMDS responses (`imds::protocol`): the token answer, metadata answers,
//! the role list and the credentials document. Input: a status selector
//! byte, a TTL header selector byte, then the body.
//! - a token is the trimmed body, with a TTL within the allowed range;
//! - the role is a trimmed non-empty line of the body;
//! - credentials read are the document's `AccessKeyId`, `SecretAccessKey`
//!   and `Token`, and an error never shows a secret of the document.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use sigv4::imds::protocol::{parse_credentials, parse_metadata_response, parse_role_list, parse_token_response, TokenOutcome};
use std::time::Duration;

const STATUSES: [u16; 10] = [200, 200, 200, 401, 403, 404, 400, 429, 500, 302];

fuzz_target!(|data: &[u8]| {
    let (status, ttl, body) = match data {
        [s, t, rest @ ..] => (STATUSES[usize::from(*s) % STATUSES.len()], *t, rest),
        _ => return,
    };
    let mut response = http::Response::builder().status(status);
    if ttl != 0 {
        response = response.header("x-aws-ec2-metadata-token-ttl-seconds", (u64::from(ttl) * 97).to_string());
    }
    let response = response.body(body.to_vec()).unwrap();
    let requested = Duration::from_secs(21_600);
    if let TokenOutcome::Token { value, ttl } = parse_token_response(&response, requested) {
        let text = std::str::from_utf8(body).unwrap();
        assert_eq!(value.as_str(), text.trim());
        assert!(!value.is_empty());
        assert!(ttl >= Duration::from_secs(1) && ttl <= requested, "{ttl:?}");
    }
    let _ = parse_metadata_response(&response, "/latest/meta-data/");
    let Ok(text) = std::str::from_utf8(body) else { return };
    if let Some(role) = parse_role_list(text) {
        assert!(!role.is_empty() && role.trim() == role);
        assert!(text.lines().any(|l| l.trim() == role));
    }
    match parse_credentials(text, "/latest/meta-data/iam/security-credentials/role") {
        Ok(c) => {
            let Some(m) = common::string_members(text) else {
                assert!(common::serde_refuses_a_number(text), "accepted a document serde_json refuses");
                return;
            };
            let c = &c.credentials;
            assert_eq!(Some(c.access_key_id()), m.get("AccessKeyId").map(String::as_str));
            assert_eq!(Some(c.secret_access_key()), m.get("SecretAccessKey").map(String::as_str));
            let token = m.get("Token").filter(|t| !t.is_empty()).map(String::as_str);
            assert_eq!(c.session_token(), token);
        }
        Err(e) => common::assert_no_secret(&e.to_string(), text, &["SecretAccessKey", "Token", "AccessKeyId"], |t| {
            parse_credentials(t, "/latest/meta-data/iam/security-credentials/role").err().map(|e| e.to_string()).unwrap_or_default()
        }),
    }
});
