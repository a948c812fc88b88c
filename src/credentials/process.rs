//! `credential_process`: run a command and read credentials from its JSON
//! output.
//!
//! The command line is run by the platform shell (`sh -c` on Unix,
//! `cmd.exe /C` on Windows), with no standard input, within a time limit.
//! Its standard error is kept (truncated) for the error message; its
//! standard output holds secrets and never appears in an error.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use super::{Credentials, CredentialsError};
use crate::util::json;
use crate::util::time::parse_rfc3339;

/// Most bytes read from the process's standard output.
const MAX_STDOUT: u64 = 1024 * 1024;
/// Most bytes of standard error kept for an error message.
const MAX_STDERR_SHOWN: usize = 1024;
/// How often the child is polled while waiting for it.
const POLL: Duration = Duration::from_millis(5);

/// Parses the JSON a `credential_process` prints:
/// `{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"?}`.
pub(crate) fn parse_output(
    provider: &str,
    stdout: &str,
    source: &str,
) -> Result<Credentials, CredentialsError> {
    let bad = |message: String| CredentialsError::invalid_response(provider, message);
    let doc = json::parse(stdout)
        .map_err(|e| bad(format!("credential_process output is not JSON ({e})")))?;
    if !doc.is_object() {
        return Err(bad("credential_process output is not a JSON object".into()));
    }
    match doc.get("Version") {
        Some(json::Json::Number(n)) if n == "1" => {}
        Some(_) => {
            return Err(bad(
                "credential_process output has an unsupported Version (expected 1)".into(),
            ))
        }
        None => return Err(bad("credential_process output has no Version".into())),
    }
    let field = |name: &str| {
        doc.get_str(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| bad(format!("credential_process output has no {name}")))
    };
    let mut credentials =
        Credentials::new(field("AccessKeyId")?, field("SecretAccessKey")?).with_source(source);
    if let Some(token) = doc.get_str("SessionToken").filter(|t| !t.is_empty()) {
        credentials = credentials.with_session_token(token);
    }
    if let Some(expiration) = doc.get_str("Expiration").filter(|t| !t.is_empty()) {
        let at = parse_rfc3339(expiration)
            .map_err(|why| bad(format!("credential_process Expiration: {why}")))?;
        credentials = credentials.with_expiry(at);
    }
    Ok(credentials)
}

fn shell(command: &str) -> Command {
    if cfg!(windows) {
        let mut c = Command::new("cmd.exe");
        c.arg("/C").arg(command);
        c
    } else {
        let mut c = Command::new("sh");
        c.arg("-c").arg(command);
        c
    }
}

fn truncated_stderr(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    if text.len() <= MAX_STDERR_SHOWN {
        return text.to_owned();
    }
    let mut end = MAX_STDERR_SHOWN;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

/// Runs `command` and parses its output; `source` names the credentials.
pub(crate) fn run(
    provider: &str,
    command: &str,
    timeout: Duration,
    source: &str,
) -> Result<Credentials, CredentialsError> {
    let failed = |message: String| CredentialsError::provider_failed(provider, message);
    let mut child = shell(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed(format!("could not start credential_process: {e}")))?;

    // Read both pipes on threads so a chatty child never blocks on a full
    // pipe while we wait for it.
    let (out_tx, out_rx) = mpsc::channel();
    if let Some(stdout) = child.stdout.take() {
        thread::spawn(move || {
            let mut buf = Zeroizing::new(Vec::new());
            let result = stdout.take(MAX_STDOUT).read_to_end(&mut buf);
            let _ = out_tx.send(result.map(|_| buf));
        });
    }
    let (err_tx, err_rx) = mpsc::channel();
    if let Some(stderr) = child.stderr.take() {
        thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = stderr.take(MAX_STDOUT).read_to_end(&mut buf);
            let _ = err_tx.send(buf);
        });
    }

    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(failed(format!(
                    "credential_process did not finish within {} s and was stopped",
                    timeout.as_secs_f64()
                )));
            }
            Ok(None) => thread::sleep(POLL),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(failed(format!(
                    "could not wait for credential_process: {e}"
                )));
            }
        }
    };
    // A grandchild may keep the pipes open; give the readers a moment at
    // most, never the whole timeout again.
    let grace = deadline
        .saturating_duration_since(Instant::now())
        .min(Duration::from_secs(1))
        .max(Duration::from_millis(100));
    let stderr = err_rx.recv_timeout(grace).unwrap_or_default();
    if !status.success() {
        let code = status
            .code()
            .map_or_else(|| "a signal".to_owned(), |c| format!("status {c}"));
        let detail = truncated_stderr(&stderr);
        return Err(failed(if detail.is_empty() {
            format!("credential_process exited with {code}")
        } else {
            format!("credential_process exited with {code}: {detail}")
        }));
    }
    let stdout = match out_rx.recv_timeout(grace) {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(e)) => {
            return Err(failed(format!(
                "could not read credential_process output: {e}"
            )))
        }
        Err(_) => {
            return Err(failed(
                "credential_process output was not closed after the process exited".into(),
            ))
        }
    };
    let text = std::str::from_utf8(&stdout).map_err(|_| {
        CredentialsError::invalid_response(provider, "credential_process output is not UTF-8")
    })?;
    parse_output(provider, text, source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_format() {
        let c = parse_output(
            "p",
            r#"{"Version": 1, "AccessKeyId": "AKID", "SecretAccessKey": "S3CRET",
                "SessionToken": "T0KEN", "Expiration": "2030-01-01T00:00:00Z"}"#,
            "src",
        )
        .unwrap();
        assert_eq!(c.access_key_id(), "AKID");
        assert_eq!(c.secret_access_key(), "S3CRET");
        assert_eq!(c.session_token(), Some("T0KEN"));
        assert!(c.expires_at().is_some());
        assert_eq!(c.source(), "src");
        let c = parse_output(
            "p",
            r#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S"}"#,
            "s",
        )
        .unwrap();
        assert_eq!((c.session_token(), c.expires_at()), (None, None));
    }

    #[test]
    fn rejects_bad_documents_without_echoing_them() {
        for (doc, reason) in [
            (
                "not json S3CRET",
                "credential_process output is not JSON (invalid JSON at byte 0: expected null)",
            ),
            ("[]", "credential_process output is not a JSON object"),
            (
                r#"{"AccessKeyId":"A","SecretAccessKey":"S3CRET"}"#,
                "credential_process output has no Version",
            ),
            (
                r#"{"Version":2,"AccessKeyId":"A","SecretAccessKey":"S3CRET"}"#,
                "credential_process output has an unsupported Version (expected 1)",
            ),
            (
                r#"{"Version":"1","AccessKeyId":"A","SecretAccessKey":"S3CRET"}"#,
                "credential_process output has an unsupported Version (expected 1)",
            ),
            (
                r#"{"Version":1,"SecretAccessKey":"S3CRET"}"#,
                "credential_process output has no AccessKeyId",
            ),
            (
                r#"{"Version":1,"AccessKeyId":"A"}"#,
                "credential_process output has no SecretAccessKey",
            ),
            (
                r#"{"Version":1,"AccessKeyId":"","SecretAccessKey":"S3CRET"}"#,
                "credential_process output has no AccessKeyId",
            ),
            (
                r#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S3CRET","Expiration":"S3CRET"}"#,
                "credential_process Expiration: not an RFC 3339 timestamp",
            ),
        ] {
            let e = parse_output("p", doc, "s").unwrap_err();
            match &e {
                CredentialsError::InvalidResponse { provider, message } => {
                    assert_eq!(
                        (provider.as_str(), message.as_str()),
                        ("p", reason),
                        "{doc}"
                    );
                }
                other => panic!("{doc}: expected InvalidResponse: {other:?}"),
            }
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains("S3CRET"), "{shown}");
        }
    }

    #[test]
    fn stderr_is_truncated_on_a_char_boundary() {
        // 1024 bytes fall on a boundary: 512 two-byte characters.
        let long = "é".repeat(MAX_STDERR_SHOWN);
        let t = truncated_stderr(long.as_bytes());
        assert_eq!(t, format!("{}...", "é".repeat(MAX_STDERR_SHOWN / 2)));
        // Byte 1024 is inside a character: cut before it.
        let long = format!("a{}", "é".repeat(MAX_STDERR_SHOWN));
        let t = truncated_stderr(long.as_bytes());
        assert_eq!(t, format!("a{}...", "é".repeat(MAX_STDERR_SHOWN / 2 - 1)));
        // Short text is kept whole, trimmed.
        assert_eq!(truncated_stderr(b"  oops\n"), "oops");
    }
}
