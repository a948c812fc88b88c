//! The container credentials endpoint's answer
//! (`credentials::container::parse_response`). Input: a status selector
//! byte, then the body.
//! - credentials come only from a 2xx answer, and are the document's;
//! - an error never shows a secret of the document.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use sigv4::credentials::container::parse_response;

const STATUSES: [u16; 8] = [200, 200, 200, 201, 400, 403, 404, 500];

fuzz_target!(|data: &[u8]| {
    let Some((s, body)) = data.split_first() else { return };
    let status = STATUSES[usize::from(*s) % STATUSES.len()];
    let response = http::Response::builder().status(status).body(body.to_vec()).unwrap();
    let text = std::str::from_utf8(body).unwrap_or("");
    match parse_response(&response) {
        Ok(c) => {
            assert!((200..300).contains(&status));
            let Some(m) = common::string_members(text) else {
                assert!(common::serde_refuses_a_number(text), "accepted a document serde_json refuses");
                return;
            };
            assert_eq!(Some(c.access_key_id()), m.get("AccessKeyId").map(String::as_str));
            assert_eq!(Some(c.secret_access_key()), m.get("SecretAccessKey").map(String::as_str));
            assert_eq!(c.session_token(), m.get("Token").filter(|t| !t.is_empty()).map(String::as_str));
        }
        Err(e) => common::assert_no_secret(&e.to_string(), text, &["SecretAccessKey", "Token", "AccessKeyId"], |t| {
            let r = http::Response::builder().status(status).body(t.as_bytes().to_vec()).unwrap();
            parse_response(&r).err().map(|e| e.to_string()).unwrap_or_default()
        }),
    }
});
