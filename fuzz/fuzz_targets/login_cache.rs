//! The `aws login` session cache reader (`login_token_cache::load`) on a
//! file holding the input (in a private directory under /dev/shm when it
//! exists):
//! - a session read is the document's (`accessToken.accessKeyId`,
//!   `secretAccessKey`, `sessionToken`, `refreshToken`, `clientId`,
//!   `dpopKey`, trimmed);
//! - an error names the file, never a secret of the document.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use sigv4::credentials::login_token_cache::load;
use std::path::PathBuf;
use std::sync::OnceLock;

fn file() -> &'static PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let base = if std::path::Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
        let d = base.join(format!("sigv4-fuzz-login-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d.join("session.json")
    })
}

fuzz_target!(|data: &[u8]| {
    let path = file();
    std::fs::write(path, data).unwrap();
    let text = std::str::from_utf8(data).unwrap_or("");
    let plain = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc: Option<serde_json::Value> = serde_json::from_str(plain).ok();
    let get = |v: Option<&serde_json::Value>, k: &str| {
        v.and_then(|v| v.get(k)).and_then(|s| s.as_str()).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
    };
    match load(path) {
        Ok(Some(t)) => {
            if doc.is_none() {
                assert!(common::serde_refuses_a_number(text), "accepted a document serde_json refuses");
                return;
            }
            let access = doc.as_ref().and_then(|d| d.get("accessToken"));
            assert_eq!(Some(t.credentials.access_key_id().to_string()), get(access, "accessKeyId"));
            assert_eq!(Some(t.credentials.secret_access_key().to_string()), get(access, "secretAccessKey"));
            assert_eq!(t.credentials.session_token().map(str::to_string), get(access, "sessionToken"));
            assert_eq!(t.account_id, get(access, "accountId"));
            assert_eq!(Some(t.client_id.clone()), get(doc.as_ref(), "clientId"));
            assert_eq!(Some(t.refresh_token.to_string()), get(doc.as_ref(), "refreshToken"));
            assert_eq!(Some(t.dpop_key.to_string()), get(doc.as_ref(), "dpopKey"));
            let _ = format!("{t:?}");
        }
        Ok(None) => panic!("the file is there"),
        Err(e) => {
            let message = e.to_string();
            assert!(message.contains("session.json"));
            common::assert_no_secret(&message, text, &["refreshToken", "dpopKey"], |t| {
                std::fs::write(path, t).unwrap();
                load(path).err().map(|e| e.to_string()).unwrap_or_default()
            });
            if let Some(access) = doc.as_ref().and_then(|d| d.get("accessToken")) {
                if let Some(s) = access.get("secretAccessKey").and_then(|s| s.as_str()) {
                    let s = s.trim();
                    if s.len() >= 12 && message.contains(s) && text.contains(s) {
                        std::fs::write(path, text.replace(s, &"Q".repeat(s.len()))).unwrap();
                        let again = load(path).err().map(|e| e.to_string()).unwrap_or_default();
                        assert!(again.contains(s), "the error shows the secret: {message}");
                    }
                }
            }
        }
    }
});
