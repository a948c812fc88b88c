//! What the emulator answers: the IMDSv2 token rules, metadata paths and
//! directory listings, the role's credentials document and the identity
//! document, with the configured faults. Pure over [`State`].

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use super::state::State;
use super::EmulatorConfig;
use crate::imds::protocol::{IDENTITY_DOCUMENT_PATH, MAX_TOKEN_TTL, TOKEN_PATH, TOKEN_TTL_HEADER};
use crate::util::time::format_rfc3339;

const META_DATA: &str = "/latest/meta-data/";
/// The role list under [`META_DATA`] (`SECURITY_CREDENTIALS_PATH` relative).
const ROLES: &str = "iam/security-credentials/";

pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: String,
    pub(crate) headers: Vec<(&'static str, String)>,
}

fn answer(status: u16, body: impl Into<String>) -> Answer {
    Answer {
        status,
        body: body.into(),
        headers: Vec::new(),
    }
}

/// A JSON object of string members in the given order, laid out as IMDS
/// lays out its documents (two-space indent, ` : `); every key and value
/// is written by `serde_json`.
fn json_object(members: &[(&str, &str)]) -> String {
    let quoted = |s: &str| serde_json::Value::from(s).to_string();
    let lines: Vec<String> = members
        .iter()
        .map(|(k, v)| format!("  {} : {}", quoted(k), quoted(v)))
        .collect();
    format!("{{\n{}\n}}", lines.join(",\n"))
}

fn identity_document(config: &EmulatorConfig) -> String {
    if let Some(doc) = &config.identity_document {
        return doc.clone();
    }
    let get = |k: &str| config.metadata.get(k).map_or("", String::as_str);
    json_object(&[
        ("accountId", "123456789012"),
        ("architecture", "x86_64"),
        ("availabilityZone", get("placement/availability-zone")),
        ("imageId", get("ami-id")),
        ("instanceId", get("instance-id")),
        ("instanceType", get("instance-type")),
        ("privateIp", get("local-ipv4")),
        ("region", get("placement/region")),
        ("version", "2017-09-30"),
    ])
}

fn new_token() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("EMU{n:04}x{nanos:08x}AQAEAL0bDhVaMbXGGExamp1eT0ken==")
}

pub(crate) fn respond(
    state: &mut State,
    method: &str,
    path: &str,
    token: Option<&str>,
    ttl: Option<&str>,
    forwarded: bool,
) -> Answer {
    let now = Instant::now();
    if path == TOKEN_PATH {
        if method != "PUT" {
            return answer(405, "");
        }
        if state.config.fail_next_token_requests > 0 {
            state.config.fail_next_token_requests -= 1;
            return answer(500, "injected fault");
        }
        if let Some(status) = state.config.token_status {
            return answer(status, "");
        }
        if forwarded {
            return answer(403, "");
        }
        let ttl = match ttl.and_then(|t| t.trim().parse::<u64>().ok()) {
            Some(secs) if (1..=MAX_TOKEN_TTL.as_secs()).contains(&secs) => secs,
            _ => return answer(400, ""),
        };
        let token = new_token();
        state.tokens.retain(|_, expires| *expires > now);
        state
            .tokens
            .insert(token.clone(), now + Duration::from_secs(ttl));
        return Answer {
            status: 200,
            body: token,
            headers: vec![(TOKEN_TTL_HEADER, ttl.to_string())],
        };
    }
    if method != "GET" {
        return answer(405, "");
    }
    let authorized = match token {
        Some(token) => matches!(state.tokens.get(token), Some(expires) if *expires > now),
        None => !state.config.require_token,
    };
    if !authorized {
        return answer(401, "");
    }
    if state.config.fail_next_metadata_requests > 0 {
        state.config.fail_next_metadata_requests -= 1;
        return answer(500, "injected fault");
    }
    if path == IDENTITY_DOCUMENT_PATH {
        return answer(200, identity_document(&state.config));
    }
    let Some(rest) = path
        .strip_prefix(META_DATA)
        .or_else(|| (path == "/latest/meta-data").then_some(""))
    else {
        return answer(404, "");
    };
    metadata(&state.config, rest)
}

fn metadata(config: &EmulatorConfig, rest: &str) -> Answer {
    let role_dir = ROLES.trim_end_matches('/');
    if rest == ROLES || rest == role_dir {
        return match &config.role {
            Some(role) => answer(200, role.clone()),
            None => answer(404, ""),
        };
    }
    if let Some(role) = rest.strip_prefix(ROLES) {
        return match (&config.role, &config.credentials) {
            (Some(name), Some(c)) if name == role.trim_end_matches('/') => {
                let now = format_rfc3339(SystemTime::now());
                let expiration = format_rfc3339(c.expiration);
                answer(
                    200,
                    json_object(&[
                        ("Code", "Success"),
                        ("LastUpdated", &now),
                        ("Type", "AWS-HMAC"),
                        ("AccessKeyId", &c.access_key_id),
                        ("SecretAccessKey", &c.secret_access_key),
                        ("Token", &c.token),
                        ("Expiration", &expiration),
                    ]),
                )
            }
            _ => answer(404, ""),
        };
    }
    if let Some(value) = config.metadata.get(rest) {
        return answer(200, value.clone());
    }
    // A directory: list the next path segment of every key under it.
    let prefix = if rest.is_empty() || rest.ends_with('/') {
        rest.to_owned()
    } else {
        format!("{rest}/")
    };
    let mut keys: Vec<&str> = config.metadata.keys().map(String::as_str).collect();
    if config.role.is_some() {
        keys.push(ROLES);
    }
    let entries: BTreeSet<String> = keys
        .into_iter()
        .filter_map(|k| k.strip_prefix(prefix.as_str()))
        .filter(|k| !k.is_empty())
        .map(|k| match k.find('/') {
            Some(i) => k[..=i].to_owned(),
            None => k.to_owned(),
        })
        .collect();
    if entries.is_empty() {
        return answer(404, "");
    }
    answer(200, entries.into_iter().collect::<Vec<_>>().join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::imds::emulator::RoleCredentials;
    use crate::imds::protocol::SECURITY_CREDENTIALS_PATH;

    #[test]
    fn documents_escape_what_they_serve() {
        let doc = json_object(&[("a\"b", "c\\d\n\u{1}é"), ("Code", "Success")]);
        assert_eq!(
            doc,
            "{\n  \"a\\\"b\" : \"c\\\\d\\n\\u0001é\",\n  \"Code\" : \"Success\"\n}"
        );
        let parsed = crate::util::json::parse(&doc).unwrap();
        assert_eq!(parsed.get_str("a\"b"), Some("c\\d\n\u{1}é"));
        let mut config = EmulatorConfig::default();
        config
            .metadata
            .insert("ami-id".into(), "ami-\"quoted\"".into());
        let id = crate::util::json::parse(&identity_document(&config)).unwrap();
        assert_eq!(id.get_str("imageId"), Some("ami-\"quoted\""));
    }

    fn state(config: EmulatorConfig) -> State {
        State::new(config)
    }

    #[test]
    fn token_rules() {
        let mut s = state(EmulatorConfig::default());
        for bad in [None, Some("0"), Some("21601"), Some("x")] {
            assert_eq!(
                respond(&mut s, "PUT", TOKEN_PATH, None, bad, false).status,
                400
            );
        }
        assert_eq!(
            respond(&mut s, "PUT", TOKEN_PATH, None, Some("60"), true).status,
            403
        );
        assert_eq!(
            respond(&mut s, "GET", TOKEN_PATH, None, Some("60"), false).status,
            405
        );
        let ok = respond(&mut s, "PUT", TOKEN_PATH, None, Some("60"), false);
        assert_eq!(ok.status, 200);
        assert_eq!(ok.headers, vec![(TOKEN_TTL_HEADER, "60".to_owned())]);
        let r = |s: &mut State, path: &str, token: Option<&str>| {
            respond(s, "GET", path, token, None, false)
        };
        assert_eq!(r(&mut s, "/latest/meta-data/instance-id", None).status, 401);
        assert_eq!(
            r(&mut s, "/latest/meta-data/instance-id", Some("forged")).status,
            401
        );
        let got = r(&mut s, "/latest/meta-data/instance-id", Some(&ok.body));
        assert_eq!(
            (got.status, got.body.as_str()),
            (200, "i-0123456789abcdef0")
        );
        assert_eq!(
            r(&mut s, "/latest/meta-data/", Some(&ok.body)).body,
            "ami-id\nhostname\niam/\ninstance-id\ninstance-type\nlocal-ipv4\nplacement/"
        );
        assert_eq!(
            r(&mut s, "/latest/meta-data/placement", Some(&ok.body)).body,
            "availability-zone\nregion"
        );
        assert_eq!(
            r(&mut s, "/latest/meta-data/nope", Some(&ok.body)).status,
            404
        );
        let doc = r(&mut s, IDENTITY_DOCUMENT_PATH, Some(&ok.body)).body;
        let parsed = crate::util::json::parse(&doc).unwrap();
        assert_eq!(parsed.get_str("region"), Some("us-east-1"));
        s.tokens.clear();
        assert_eq!(
            r(&mut s, "/latest/meta-data/instance-id", Some(&ok.body)).status,
            401
        );
        s.config.require_token = false;
        assert_eq!(r(&mut s, "/latest/meta-data/instance-id", None).status, 200);
    }

    #[test]
    fn roles_and_faults() {
        let mut s = state(EmulatorConfig::default().allow_v1());
        let r = |s: &mut State, path: &str| respond(s, "GET", path, None, None, false);
        assert_eq!(
            r(&mut s, "/latest/meta-data/iam/security-credentials/").body,
            "sigv4-emulator-role"
        );
        let creds = r(
            &mut s,
            "/latest/meta-data/iam/security-credentials/sigv4-emulator-role",
        );
        let doc = crate::util::json::parse(&creds.body).unwrap();
        assert_eq!(doc.get_str("Code"), Some("Success"));
        assert_eq!(
            r(&mut s, "/latest/meta-data/iam/security-credentials/other").status,
            404
        );
        s.config = s.config.clone().with_role("r", None);
        assert_eq!(
            r(&mut s, "/latest/meta-data/iam/security-credentials/").body,
            "r"
        );
        assert_eq!(
            r(&mut s, "/latest/meta-data/iam/security-credentials/r").status,
            404
        );
        s.config = s.config.clone().without_role();
        assert_eq!(
            r(&mut s, "/latest/meta-data/iam/security-credentials/").status,
            404
        );
        s.config.fail_next_metadata_requests = 1;
        assert_eq!(r(&mut s, "/latest/meta-data/instance-id").status, 500);
        assert_eq!(r(&mut s, "/latest/meta-data/instance-id").status, 200);
        s.config.fail_next_token_requests = 1;
        assert_eq!(
            respond(&mut s, "PUT", TOKEN_PATH, None, Some("5"), false).status,
            500
        );
        s.config.token_status = Some(404);
        assert_eq!(
            respond(&mut s, "PUT", TOKEN_PATH, None, Some("5"), false).status,
            404
        );
        assert!(
            !format!("{:?}", RoleCredentials::example(Duration::ZERO)).contains("emulatorSecret")
        );
        assert_eq!(format!("{META_DATA}{ROLES}"), SECURITY_CREDENTIALS_PATH);
    }
}
