//! The AWS CLI's SSO token cache (feature `client`): the files
//! `~/.aws/sso/cache/<key>.json` that `aws sso login` writes and every
//! AWS SDK reads, read and written byte-compatibly.
//!
//! | file | key | written by |
//! | --- | --- | --- |
//! | the token of an `sso-session` | SHA-1 hex of the session name | `aws sso login`, refreshes |
//! | the token of a legacy profile (inline `sso_start_url`) | SHA-1 hex of the start URL | `aws sso login` |
//! | a client registration (`RegisterClient`) | SHA-1 hex of `{"region", "scopes", "session_name", "startUrl", "tool": "botocore"}` as Python's `json.dumps(..., sort_keys=True)` writes it | `aws sso login` (AWS CLI v2) |
//!
//! Token fields, as AWS CLI v2's login (both its device-code and its
//! authorization-code flow) and botocore's refresh write them: `startUrl`,
//! `region`, `accessToken`, `expiresAt`, `clientId`, `clientSecret`,
//! `registrationExpiresAt`, `refreshToken`; this crate also writes
//! `receivedAt`, which the AWS CLI neither writes nor reads. Registration
//! fields: `clientId`, `clientSecret`, `expiresAt`, `scopes`, and
//! `grantTypes` when AWS CLI v2 registered for the authorization-code
//! grant ([`ClientRegistration::is_for_authorization_code`]: such a
//! registration is not reused for the device flow, as AWS CLI v2 does not
//! either). Timestamps are read in every form the AWS CLI has written
//! (`2030-01-01T00:00:00Z`, `...UTC`, fractions, offsets) and written as
//! `2030-01-01T00:00:00Z`.
//!
//! Writes go through a lock on `<file>.lock`, a temporary file and a
//! rename; the file has mode 0600. A token write keeps the fields this
//! crate does not know, in their order; a registration write replaces the
//! file, as the AWS CLI does (a stale `grantTypes` must not survive a new
//! registration). [`SsoTokenCache::remove`] deletes under the same lock
//! and leaves the empty lock file: deleting a lock file another process
//! may be waiting on would let two writers in at once.
//!
//! ```
//! use sigv4::credentials::sso_token_cache::{registration_cache_key, token_cache_key};
//!
//! // python3 -c 'import hashlib; print(hashlib.sha1(b"my-sso").hexdigest())'
//! assert_eq!(token_cache_key("my-sso"), "0ad374308c5a4e22f723adf10145eafad7c4031c");
//! let scopes = ["sso:account:access".to_owned()];
//! let key = registration_cache_key("https://d-1.awsapps.com/start", Some("my-sso"), "us-east-1", Some(&scopes));
//! assert_eq!(key, "7b98dedaa873d1d1e92f3e3979594aeaefc64a95");
//! ```

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

use crate::config::{home_dir, Env, Platform};
use crate::util::json::{self, Json};
use crate::util::locked_file::{self, DEFAULT_LOCK_TIMEOUT};
use crate::util::time::{format_rfc3339, parse_rfc3339};

/// The SHA-1 hex digest of `text`.
fn sha1_hex(text: &str) -> String {
    hex::encode(Sha1::digest(text.as_bytes()))
}

/// The key (file stem) of a token: SHA-1 hex of the `sso-session` name, or
/// of the start URL for a legacy profile.
pub fn token_cache_key(session_name_or_start_url: &str) -> String {
    sha1_hex(session_name_or_start_url)
}

/// `text` as Python's `json.dumps` writes a string (ASCII only).
fn python_json_string(text: &str) -> String {
    Json::string(text).to_text().to_string()
}

/// The key of a client registration, as AWS CLI v2 computes it: the
/// SHA-1 hex of `json.dumps({"tool": "botocore", "startUrl", "region",
/// "scopes", "session_name"}, sort_keys=True)`; `scopes` and
/// `session_name` are `null` when absent.
pub fn registration_cache_key(
    start_url: &str,
    session_name: Option<&str>,
    region: &str,
    scopes: Option<&[String]>,
) -> String {
    let scopes = match scopes {
        None => "null".to_owned(),
        Some(list) => format!(
            "[{}]",
            list.iter()
                .map(|s| python_json_string(s))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let session = session_name.map_or_else(|| "null".to_owned(), python_json_string);
    let text = format!(
        "{{\"region\": {}, \"scopes\": {scopes}, \"session_name\": {session}, \"startUrl\": {}, \"tool\": \"botocore\"}}",
        python_json_string(region),
        python_json_string(start_url),
    );
    sha1_hex(&text)
}

/// Reads a timestamp in any form the AWS CLI writes: RFC 3339, or with a
/// `UTC` suffix instead of `Z`.
pub(crate) fn parse_cache_time(text: &str) -> Option<SystemTime> {
    let t = text.trim();
    let t = match t.strip_suffix("UTC") {
        Some(rest) => format!("{}Z", rest.trim_end()),
        None => t.to_owned(),
    };
    parse_rfc3339(&t).ok()
}

/// What writing a refreshed token back found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshWrite {
    /// Written.
    Written,
    /// The file was gone: the session was logged out during the refresh.
    LoggedOut,
    /// The file held another refresh token: another process refreshed
    /// first, and its file is kept.
    Superseded,
}

/// Why a cache file could not be used. Names the file, never its content.
#[derive(Debug)]
#[non_exhaustive]
pub struct TokenCacheError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
    /// The I/O error, if any.
    pub source: Option<io::Error>,
}

impl fmt::Display for TokenCacheError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)?;
        if let Some(e) = &self.source {
            write!(f, ": {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for TokenCacheError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// An SSO access token as cached. Secrets are zeroized on drop and never
/// shown by `Debug`.
#[derive(Clone)]
#[non_exhaustive]
pub struct SsoToken {
    /// `accessToken`.
    pub access_token: Zeroizing<String>,
    /// `expiresAt`.
    pub expires_at: SystemTime,
    /// `refreshToken`.
    pub refresh_token: Option<Zeroizing<String>>,
    /// `clientId` of the cached registration.
    pub client_id: Option<String>,
    /// `clientSecret` of the cached registration.
    pub client_secret: Option<Zeroizing<String>>,
    /// `registrationExpiresAt`.
    pub registration_expires_at: Option<SystemTime>,
    /// `startUrl`.
    pub start_url: Option<String>,
    /// `region`.
    pub region: Option<String>,
}

impl fmt::Debug for SsoToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsoToken")
            .field("access_token", &"<redacted>")
            .field("expires_at", &format_rfc3339(self.expires_at))
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "registration_expires_at",
                &self.registration_expires_at.map(format_rfc3339),
            )
            .field("start_url", &self.start_url)
            .field("region", &self.region)
            .finish()
    }
}

impl SsoToken {
    /// The refresh material, when all of it is there: refresh token, client
    /// id and secret, and the registration's expiry.
    pub fn refresh_material(&self) -> Option<(&str, &str, &str, SystemTime)> {
        Some((
            self.refresh_token.as_deref()?.as_str(),
            self.client_id.as_deref()?,
            self.client_secret.as_deref()?.as_str(),
            self.registration_expires_at?,
        ))
    }

    fn from_json(doc: &Json) -> Result<SsoToken, String> {
        let text = |k: &str| doc.get_str(k).map(str::trim).filter(|v| !v.is_empty());
        let access = text("accessToken").ok_or("no accessToken")?;
        let expires = text("expiresAt").ok_or("no expiresAt")?;
        let expires_at = parse_cache_time(expires).ok_or("expiresAt is not a timestamp")?;
        Ok(SsoToken {
            access_token: Zeroizing::new(access.to_owned()),
            expires_at,
            refresh_token: text("refreshToken").map(|v| Zeroizing::new(v.to_owned())),
            client_id: text("clientId").map(str::to_owned),
            client_secret: text("clientSecret").map(|v| Zeroizing::new(v.to_owned())),
            registration_expires_at: text("registrationExpiresAt").and_then(parse_cache_time),
            start_url: text("startUrl").map(str::to_owned),
            region: text("region").map(str::to_owned),
        })
    }
}

/// A cached client registration (`RegisterClient`).
#[derive(Clone)]
#[non_exhaustive]
pub struct ClientRegistration {
    /// `clientId`.
    pub client_id: String,
    /// `clientSecret` (zeroized on drop, never shown).
    pub client_secret: Zeroizing<String>,
    /// `expiresAt`.
    pub expires_at: SystemTime,
    /// `scopes`, when registered with scopes.
    pub scopes: Option<Vec<String>>,
    /// `grantTypes`, when the registration names them (AWS CLI v2's
    /// authorization-code login does; the device flow's registration does
    /// not).
    pub grant_types: Option<Vec<String>>,
}

impl ClientRegistration {
    /// Whether AWS CLI v2 registered this client for its
    /// authorization-code (PKCE) login: `grantTypes` names
    /// `authorization_code`. The AWS CLI never reuses such a registration
    /// for the device flow, and neither does
    /// [`SsoLogin`](super::sso_login::SsoLogin).
    pub fn is_for_authorization_code(&self) -> bool {
        self.grant_types
            .as_ref()
            .is_some_and(|g| g.iter().any(|g| g == "authorization_code"))
    }
}

impl fmt::Debug for ClientRegistration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientRegistration")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("expires_at", &format_rfc3339(self.expires_at))
            .field("scopes", &self.scopes)
            .field("grant_types", &self.grant_types)
            .finish()
    }
}

/// The directory `~/.aws/sso/cache` for `env`'s home.
pub fn default_cache_dir(env: &Env) -> Option<PathBuf> {
    let home = home_dir(env, Platform::current())?;
    Some(Path::new(&home).join(".aws").join("sso").join("cache"))
}

/// An SSO cache directory; see the [module docs](self).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsoTokenCache {
    dir: PathBuf,
}

impl SsoTokenCache {
    /// The cache in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        SsoTokenCache { dir: dir.into() }
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of `key`.
    pub fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    fn error(
        path: &Path,
        message: impl Into<String>,
        source: Option<io::Error>,
    ) -> TokenCacheError {
        TokenCacheError {
            path: path.to_owned(),
            message: message.into(),
            source,
        }
    }

    /// The parsed JSON object of `key`; `Ok(None)` when the file does not
    /// exist.
    fn read(&self, key: &str) -> Result<Option<Json>, TokenCacheError> {
        let path = self.path(key);
        let bytes = match std::fs::read(&path) {
            Ok(b) => Zeroizing::new(b),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Self::error(&path, "cannot be read", Some(e))),
        };
        let text =
            std::str::from_utf8(&bytes).map_err(|_| Self::error(&path, "is not UTF-8", None))?;
        let doc = json::parse(text)
            .map_err(|e| Self::error(&path, format!("is not valid JSON ({e})"), None))?;
        if !doc.is_object() {
            return Err(Self::error(&path, "is not a JSON object", None));
        }
        Ok(Some(doc))
    }

    /// The token of `key`; `Ok(None)` when there is no file.
    pub fn load_token(&self, key: &str) -> Result<Option<SsoToken>, TokenCacheError> {
        let path = self.path(key);
        match self.read(key)? {
            None => Ok(None),
            Some(doc) => SsoToken::from_json(&doc)
                .map(Some)
                .map_err(|m| Self::error(&path, m, None)),
        }
    }

    /// The registration of `key`; `Ok(None)` when there is none, or it is
    /// unreadable or incomplete (a new one is then registered).
    pub fn load_registration(&self, key: &str) -> Option<ClientRegistration> {
        let doc = self.read(key).ok()??;
        let text = |k: &str| doc.get_str(k).map(str::trim).filter(|v| !v.is_empty());
        let strings = |k: &str| match doc.get(k) {
            Some(Json::Array(items)) => Some(
                items
                    .iter()
                    .filter_map(|i| match i {
                        Json::String(s) => Some(s.to_string()),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => None,
        };
        Some(ClientRegistration {
            client_id: text("clientId")?.to_owned(),
            client_secret: Zeroizing::new(text("clientSecret")?.to_owned()),
            expires_at: parse_cache_time(text("expiresAt")?)?,
            scopes: strings("scopes"),
            grant_types: strings("grantTypes"),
        })
    }

    /// Sets `fields` in the file of `key` under its lock, keeping every
    /// other field (a missing or unreadable file starts empty); `None`
    /// removes a field.
    pub(crate) fn update(
        &self,
        key: &str,
        fields: &[(&str, Option<Json>)],
    ) -> Result<(), TokenCacheError> {
        self.write_fields(key, fields, true)
    }

    /// Writes `fields` into the file of `key` under its lock, over its
    /// current members when `keep_others`, else into an empty object.
    fn write_fields(
        &self,
        key: &str,
        fields: &[(&str, Option<Json>)],
        keep_others: bool,
    ) -> Result<(), TokenCacheError> {
        match self.write_fields_if(key, fields, keep_others, |_| None) {
            Ok(_) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// [`write_fields`](Self::write_fields) unless `check`, given the
    /// file's current object (`None`: no file), says not to.
    fn write_fields_if(
        &self,
        key: &str,
        fields: &[(&str, Option<Json>)],
        keep_others: bool,
        check: impl FnOnce(Option<&Json>) -> Option<RefreshWrite>,
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
        let path = self.path(key);
        let written = locked_file::update::<Stop>(&path, DEFAULT_LOCK_TIMEOUT, |current| {
            let parsed = current
                .and_then(|b| std::str::from_utf8(b).ok())
                .and_then(|t| json::parse(t).ok())
                .filter(Json::is_object);
            if let Some(stop) = check(parsed.as_ref()) {
                return Err(Stop::Not(stop));
            }
            let mut doc = parsed
                .filter(|_| keep_others)
                .unwrap_or(Json::Object(Vec::new()));
            for (k, v) in fields {
                match v {
                    Some(v) => doc.set(k, v.clone()),
                    None => {
                        if let Json::Object(members) = &mut doc {
                            members.retain(|(name, _)| name != k);
                        }
                    }
                }
            }
            Ok(doc.to_text().as_bytes().to_vec())
        });
        match written {
            Ok(()) => Ok(RefreshWrite::Written),
            Err(Stop::Not(outcome)) => Ok(outcome),
            Err(Stop::Io(e)) => Err(Self::error(&path, "cannot be written", Some(e))),
        }
    }

    /// Writes a refreshed token back, unless the session changed while the
    /// refresh ran: the file is gone (a logout) or holds another refresh
    /// token than `used_refresh` (another process refreshed). Nothing is
    /// written then, and the outcome says which.
    pub fn write_refreshed(
        &self,
        key: &str,
        token: &SsoToken,
        used_refresh: &str,
        received_at: SystemTime,
    ) -> Result<RefreshWrite, TokenCacheError> {
        let fields = Self::token_fields(token, received_at);
        self.write_fields_if(key, &fields, true, |current| match current {
            None => Some(RefreshWrite::LoggedOut),
            Some(doc) if doc.get_str("refreshToken").map(str::trim) != Some(used_refresh) => {
                Some(RefreshWrite::Superseded)
            }
            Some(_) => None,
        })
    }

    /// Writes a token after a login: the fields the AWS CLI writes, every
    /// other field of the file kept, and a refresh token this login did
    /// not get removed (it belongs to an older registration).
    pub fn write_token(
        &self,
        key: &str,
        token: &SsoToken,
        received_at: SystemTime,
    ) -> Result<(), TokenCacheError> {
        let mut fields = Self::token_fields(token, received_at);
        if token.refresh_token.is_none() {
            fields.push(("refreshToken", None));
        }
        self.update(key, &fields)
    }

    /// The fields the AWS CLI writes for a token (those it has).
    fn token_fields(
        token: &SsoToken,
        received_at: SystemTime,
    ) -> Vec<(&'static str, Option<Json>)> {
        let time = |t: SystemTime| Some(Json::string(&format_rfc3339(t)));
        let opt = |v: Option<&str>| v.map(Json::string);
        let mut fields: Vec<(&str, Option<Json>)> = vec![
            ("startUrl", opt(token.start_url.as_deref())),
            ("region", opt(token.region.as_deref())),
            ("accessToken", Some(Json::string(&token.access_token))),
            ("expiresAt", time(token.expires_at)),
            ("receivedAt", time(received_at)),
            ("clientId", opt(token.client_id.as_deref())),
            (
                "clientSecret",
                opt(token.client_secret.as_deref().map(String::as_str)),
            ),
            (
                "registrationExpiresAt",
                token.registration_expires_at.and_then(time),
            ),
            (
                "refreshToken",
                opt(token.refresh_token.as_deref().map(String::as_str)),
            ),
        ];
        // Unknown values stay as they were rather than being removed.
        fields.retain(|(_, v)| v.is_some());
        fields
    }

    /// Writes a client registration, replacing the file (as the AWS CLI
    /// does).
    pub fn write_registration(
        &self,
        key: &str,
        registration: &ClientRegistration,
        received_at: SystemTime,
    ) -> Result<(), TokenCacheError> {
        let mut fields = vec![
            ("clientId", Some(Json::string(&registration.client_id))),
            (
                "clientSecret",
                Some(Json::string(&registration.client_secret)),
            ),
            (
                "expiresAt",
                Some(Json::string(&format_rfc3339(registration.expires_at))),
            ),
            (
                "receivedAt",
                Some(Json::string(&format_rfc3339(received_at))),
            ),
        ];
        if let Some(scopes) = &registration.scopes {
            fields.push((
                "scopes",
                Some(Json::Array(
                    scopes.iter().map(|s| Json::string(s)).collect(),
                )),
            ));
        }
        if let Some(grants) = &registration.grant_types {
            fields.push((
                "grantTypes",
                Some(Json::Array(
                    grants.iter().map(|s| Json::string(s)).collect(),
                )),
            ));
        }
        self.write_fields(key, &fields, false)
    }

    /// Removes the file of `key` under its lock (a refresh that holds the
    /// lock finishes first, and none writes the file back afterwards from
    /// what it read before); returns whether the file existed. The lock
    /// file stays (see the [module docs](self)).
    pub fn remove(&self, key: &str) -> Result<bool, TokenCacheError> {
        let path = self.path(key);
        locked_file::remove(&path, DEFAULT_LOCK_TIMEOUT)
            .map_err(|e| Self::error(&path, "cannot be removed", Some(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(access: &str, refresh: Option<&str>) -> SsoToken {
        SsoToken {
            access_token: Zeroizing::new(access.into()),
            expires_at: SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(2_000_000_000),
            refresh_token: refresh.map(|r| Zeroizing::new(r.into())),
            client_id: Some("client".into()),
            client_secret: Some(Zeroizing::new("secret".into())),
            registration_expires_at: None,
            start_url: None,
            region: None,
        }
    }

    fn field(cache: &SsoTokenCache, key: &str, name: &str) -> Option<String> {
        let text = std::fs::read_to_string(cache.path(key)).ok()?;
        json::parse(&text).ok()?.get_str(name).map(str::to_owned)
    }

    /// A refresh writes back only over the session it refreshed: not after
    /// a logout removed the file, not over another process's refresh.
    #[test]
    fn refreshes_write_back_only_over_the_session_they_refreshed() {
        let dir = std::env::temp_dir().join(format!("sigv4-sso-refresh-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cache = SsoTokenCache::new(&dir);
        let now = SystemTime::now();
        // Logged out meanwhile: nothing is written.
        let got = cache
            .write_refreshed("k", &token("new", Some("r2")), "r1", now)
            .unwrap();
        assert_eq!(got, RefreshWrite::LoggedOut);
        assert!(!cache.path("k").exists());
        // Refreshed by another process meanwhile: its file stays.
        cache
            .write_token("k", &token("theirs", Some("r9")), now)
            .unwrap();
        let got = cache
            .write_refreshed("k", &token("new", Some("r2")), "r1", now)
            .unwrap();
        assert_eq!(got, RefreshWrite::Superseded);
        assert_eq!(field(&cache, "k", "accessToken").as_deref(), Some("theirs"));
        // The session it refreshed: written, the refresh token rotated.
        let got = cache
            .write_refreshed("k", &token("new", Some("r10")), "r9", now)
            .unwrap();
        assert_eq!(got, RefreshWrite::Written);
        assert_eq!(field(&cache, "k", "accessToken").as_deref(), Some("new"));
        assert_eq!(field(&cache, "k", "refreshToken").as_deref(), Some("r10"));
        // A login that got no refresh token drops the old one.
        cache.write_token("k", &token("login", None), now).unwrap();
        assert_eq!(field(&cache, "k", "refreshToken"), None);
        assert_eq!(field(&cache, "k", "clientId").as_deref(), Some("client"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn keys_match_the_aws_cli() {
        // hashlib.sha1(b"my-sso").hexdigest()
        assert_eq!(
            token_cache_key("my-sso"),
            "0ad374308c5a4e22f723adf10145eafad7c4031c"
        );
        assert_eq!(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        // python3 -c 'import json,hashlib; print(hashlib.sha1(json.dumps({"tool":"botocore",
        //   "startUrl":"https://d-1.awsapps.com/start","region":"us-east-1",
        //   "scopes":["sso:account:access"],"session_name":"my-sso"},sort_keys=True).encode()).hexdigest())'
        assert_eq!(
            registration_cache_key(
                "https://d-1.awsapps.com/start",
                Some("my-sso"),
                "us-east-1",
                Some(&["sso:account:access".to_owned()])
            ),
            "7b98dedaa873d1d1e92f3e3979594aeaefc64a95"
        );
    }

    #[test]
    fn times_in_every_form() {
        let z = parse_cache_time("2030-01-01T00:00:00Z").unwrap();
        assert_eq!(parse_cache_time("2030-01-01T00:00:00UTC"), Some(z));
        assert_eq!(parse_cache_time("2030-01-01T01:00:00+01:00"), Some(z));
        assert!(parse_cache_time("2030-01-01T00:00:00.5Z").is_some());
        assert_eq!(parse_cache_time("soon"), None);
    }
}
