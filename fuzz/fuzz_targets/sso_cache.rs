//! The SSO token cache reader (`SsoTokenCache::load_token`,
//! `load_registration`) on a cache file holding the input (in a private
//! directory under /dev/shm when it exists):
//! - a token read is the document's `accessToken` (trimmed), with its
//!   optional members as written;
//! - a registration read is the document's;
//! - an error names the file, never a secret of the document.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use sigv4::credentials::sso_token_cache::SsoTokenCache;
use std::path::PathBuf;
use std::sync::OnceLock;

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = if std::path::Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
        let d = base.join(format!("sigv4-fuzz-sso-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    })
}

fuzz_target!(|data: &[u8]| {
    let cache = SsoTokenCache::new(dir());
    std::fs::write(cache.path("k"), data).unwrap();
    let text = std::str::from_utf8(data).unwrap_or("");
    let m = common::string_members(text);
    let trimmed = |k: &str| m.as_ref().and_then(|m| m.get(k)).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    match cache.load_token("k") {
        Ok(Some(t)) => {
            if m.is_none() {
                assert!(common::serde_refuses_a_number(text), "accepted a document serde_json refuses");
                return;
            }
            assert_eq!(Some(t.access_token.to_string()), trimmed("accessToken"));
            assert_eq!(t.refresh_token.as_ref().map(|s| s.to_string()), trimmed("refreshToken"));
            assert_eq!(t.client_id, trimmed("clientId"));
            assert_eq!(t.client_secret.as_ref().map(|s| s.to_string()), trimmed("clientSecret"));
            assert_eq!(t.start_url, trimmed("startUrl"));
            assert_eq!(t.region, trimmed("region"));
            let _ = format!("{t:?}");
        }
        Ok(None) => panic!("the file is there"),
        Err(e) => {
            let message = e.to_string();
            assert!(message.contains("k.json"));
            common::assert_no_secret(&message, text, &["accessToken", "refreshToken", "clientSecret"], |t| {
                std::fs::write(cache.path("k"), t).unwrap();
                cache.load_token("k").err().map(|e| e.to_string()).unwrap_or_default()
            });
            std::fs::write(cache.path("k"), data).unwrap();
        }
    }
    if let Some(r) = cache.load_registration("k") {
        assert_eq!(Some(r.client_id.clone()), trimmed("clientId"));
        assert_eq!(Some(r.client_secret.to_string()), trimmed("clientSecret"));
        let _ = (r.is_for_authorization_code(), format!("{r:?}"));
    }
});
