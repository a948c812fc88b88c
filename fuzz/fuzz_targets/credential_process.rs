//! The `credential_process` output reader (by `sigv4::__fuzz`):
//! - credentials need `Version` 1 and are the document's;
//! - an error never shows a secret of the document.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match sigv4::__fuzz::credential_process(text) {
        Ok(c) => {
            let plain = text.strip_prefix('\u{feff}').unwrap_or(text);
            let Ok(v) = serde_json::from_str::<serde_json::Value>(plain) else {
                assert!(common::serde_refuses_a_number(text), "accepted a document serde_json refuses");
                return;
            };
            assert_eq!(v.get("Version").map(|n| n.to_string()), Some("1".to_string()));
            let m = common::string_members(text).unwrap();
            assert_eq!(Some(c.access_key_id()), m.get("AccessKeyId").map(String::as_str));
            assert_eq!(Some(c.secret_access_key()), m.get("SecretAccessKey").map(String::as_str));
            assert_eq!(c.session_token(), m.get("SessionToken").filter(|t| !t.is_empty()).map(String::as_str));
        }
        Err(e) => common::assert_no_secret(&e.to_string(), text, &["SecretAccessKey", "SessionToken", "AccessKeyId"], |t| {
            sigv4::__fuzz::credential_process(t).err().map(|e| e.to_string()).unwrap_or_default()
        }),
    }
});
