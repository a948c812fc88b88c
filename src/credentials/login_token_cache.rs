//! The `aws login` token cache (feature `client`): one JSON file per
//! login session, `~/.aws/login/cache/<SHA-256 hex of the login_session
//! value>.json` (the directory moves with `AWS_LOGIN_CACHE_DIRECTORY`), as
//! the AWS CLI writes it:
//!
//! ```json
//! {"accessToken": {"accessKeyId": "...", "secretAccessKey": "...", "sessionToken": "...",
//!                  "accountId": "...", "expiresAt": "2030-01-01T00:00:00Z"},
//!  "tokenType": "aws_sigv4", "clientId": "arn:aws:signin:::devtools/same-device",
//!  "refreshToken": "...", "idToken": "...", "dpopKey": "-----BEGIN EC PRIVATE KEY-----..."}
//! ```
//!
//! Written back under a lock, atomically, mode 0600, other fields kept.

use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::sso_token_cache::{parse_cache_time, RefreshWrite, TokenCacheError};
use crate::config::env_vars::AWS_LOGIN_CACHE_DIRECTORY;
use crate::config::{expand_home, home_dir, Env, Platform};
use crate::sign::Credentials;
use crate::util::json::{self, Json};
use crate::util::locked_file::{self, DEFAULT_LOCK_TIMEOUT};
use crate::util::time::format_rfc3339;

/// The file stem of a login session: SHA-256 hex of its name.
pub fn login_cache_key(login_session: &str) -> String {
    hex::encode(Sha256::digest(login_session.as_bytes()))
}

/// `AWS_LOGIN_CACHE_DIRECTORY`, else `~/.aws/login/cache`.
pub fn default_login_cache_dir(env: &Env) -> Option<PathBuf> {
    let home = home_dir(env, Platform::current());
    if let Some(dir) = env.get_non_blank(AWS_LOGIN_CACHE_DIRECTORY) {
        return Some(PathBuf::from(expand_home(
            dir.trim(),
            home.as_deref(),
            Platform::current(),
        )));
    }
    Some(Path::new(&home?).join(".aws").join("login").join("cache"))
}

/// A cached login session. Never shown by `Debug` beyond its account and expiry.
#[non_exhaustive]
pub struct LoginToken {
    /// The cached credentials, with their expiry.
    pub credentials: Credentials,
    /// `accessToken.accountId`.
    pub account_id: Option<String>,
    /// `clientId`.
    pub client_id: String,
    /// `refreshToken`.
    pub refresh_token: Zeroizing<String>,
    /// `dpopKey` (SEC1 PEM).
    pub dpop_key: Zeroizing<String>,
}

impl std::fmt::Debug for LoginToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginToken")
            .field("credentials", &self.credentials)
            .field("account_id", &self.account_id)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

fn error(path: &Path, message: impl Into<String>, source: Option<io::Error>) -> TokenCacheError {
    TokenCacheError {
        path: path.to_owned(),
        message: message.into(),
        source,
    }
}

/// Reads the session file at `path`; `Ok(None)` when it does not exist.
pub fn load(path: &Path) -> Result<Option<LoginToken>, TokenCacheError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => Zeroizing::new(b),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(error(path, "cannot be read", Some(e))),
    };
    let text = std::str::from_utf8(&bytes).map_err(|_| error(path, "is not UTF-8", None))?;
    let doc =
        json::parse(text).map_err(|e| error(path, format!("is not valid JSON ({e})"), None))?;
    let field = |d: &Json, k: &str| {
        d.get_str(k)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let missing: Vec<&str> = ["accessToken", "refreshToken", "dpopKey", "clientId"]
        .into_iter()
        .filter(|k| doc.get(k).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(error(
            path,
            format!("is missing required fields: {}", missing.join(", ")),
            None,
        ));
    }
    let access = doc
        .get("accessToken")
        .filter(|a| a.is_object())
        .ok_or_else(|| error(path, "accessToken is not an object", None))?;
    let need = |k: &str| {
        field(access, k).ok_or_else(|| error(path, format!("accessToken has no {k}"), None))
    };
    let expires = parse_cache_time(&need("expiresAt")?)
        .ok_or_else(|| error(path, "accessToken.expiresAt is not a timestamp", None))?;
    let credentials = Credentials::new(need("accessKeyId")?, need("secretAccessKey")?)
        .with_session_token(need("sessionToken")?)
        .with_expiry(expires);
    Ok(Some(LoginToken {
        credentials,
        account_id: field(access, "accountId"),
        client_id: field(&doc, "clientId").ok_or_else(|| error(path, "clientId is empty", None))?,
        refresh_token: Zeroizing::new(
            field(&doc, "refreshToken")
                .ok_or_else(|| error(path, "refreshToken is empty", None))?,
        ),
        dpop_key: Zeroizing::new(
            field(&doc, "dpopKey").ok_or_else(|| error(path, "dpopKey is empty", None))?,
        ),
    }))
}

/// Writes refreshed credentials and refresh token into the file at `path`
/// under its lock, keeping every other field (`accountId` too), unless the
/// session changed while the refresh ran: the file is gone (`aws logout`)
/// or holds another refresh token than `used_refresh` (another process
/// refreshed first). Nothing is written then, and the outcome says which.
pub fn write_refreshed(
    path: &Path,
    credentials: &Credentials,
    expires_at: SystemTime,
    refresh_token: &str,
    used_refresh: &str,
) -> Result<RefreshWrite, TokenCacheError> {
    enum Stop {
        Io(io::Error),
        Not(RefreshWrite),
    }
    impl From<io::Error> for Stop {
        fn from(e: io::Error) -> Self {
            Stop::Io(e)
        }
    }
    let written = locked_file::update::<Stop>(path, DEFAULT_LOCK_TIMEOUT, |current| {
        let Some(mut doc) = current
            .and_then(|b| std::str::from_utf8(b).ok())
            .and_then(|t| json::parse(t).ok())
            .filter(Json::is_object)
        else {
            return Err(Stop::Not(RefreshWrite::LoggedOut));
        };
        if doc.get_str("refreshToken").map(str::trim) != Some(used_refresh) {
            return Err(Stop::Not(RefreshWrite::Superseded));
        }
        let mut access = doc
            .get("accessToken")
            .filter(|a| a.is_object())
            .cloned()
            .unwrap_or(Json::Object(Vec::new()));
        access.set("accessKeyId", Json::string(credentials.access_key_id()));
        access.set(
            "secretAccessKey",
            Json::string(credentials.secret_access_key()),
        );
        access.set(
            "sessionToken",
            Json::string(credentials.session_token().unwrap_or_default()),
        );
        access.set("expiresAt", Json::string(&format_rfc3339(expires_at)));
        doc.set("accessToken", access);
        doc.set("refreshToken", Json::string(refresh_token));
        Ok(doc.to_text().as_bytes().to_vec())
    });
    match written {
        Ok(()) => Ok(RefreshWrite::Written),
        Err(Stop::Not(outcome)) => Ok(outcome),
        Err(Stop::Io(e)) => Err(error(path, "cannot be written", Some(e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A refresh writes back only over the session it refreshed: not after
    /// `aws logout` removed the file, not over another process's refresh.
    #[test]
    fn refreshes_write_back_only_over_the_session_they_refreshed() {
        let dir = std::env::temp_dir().join(format!("sigv4-login-refresh-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("session.json");
        let creds = Credentials::new("AKID", "secret").with_session_token("token");
        let now = SystemTime::now();
        let got = write_refreshed(&path, &creds, now, "r2", "r1").unwrap();
        assert_eq!(got, RefreshWrite::LoggedOut);
        assert!(!path.exists());
        let original = r#"{"accessToken": {"accessKeyId": "OLD", "accountId": "1"}, "refreshToken": "r9", "clientId": "c", "dpopKey": "k"}"#;
        std::fs::write(&path, original).unwrap();
        let got = write_refreshed(&path, &creds, now, "r2", "r1").unwrap();
        assert_eq!(got, RefreshWrite::Superseded);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
        let got = write_refreshed(&path, &creds, now, "r10", "r9").unwrap();
        assert_eq!(got, RefreshWrite::Written);
        let doc = json::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(doc.get_str("refreshToken"), Some("r10"));
        assert_eq!(doc.get_str("dpopKey"), Some("k"));
        let access = doc.get("accessToken").unwrap();
        assert_eq!(access.get_str("accessKeyId"), Some("AKID"));
        assert_eq!(access.get_str("accountId"), Some("1"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
