//! `sigv4 credentials`: which provider answered and why; with `--export`,
//! the credentials themselves in a format another tool reads (as
//! `aws configure export-credentials` prints them).

use serde_json::{json, Value};
use sigv4::credentials::{CredentialsError, Outcome};
use sigv4::Credentials;

use super::Context;
use crate::cli::{CredentialsArgs, ExportFormat};
use crate::output::print;
use crate::Failure;

/// `credentials` in `format`: one line per variable, or the
/// `credential_process` JSON document.
pub fn render_export(format: ExportFormat, c: &Credentials) -> String {
    let expiration = c.expires_at().map(super::rfc3339);
    if format == ExportFormat::Process {
        let mut doc = json!({
            "Version": 1,
            "AccessKeyId": c.access_key_id(),
            "SecretAccessKey": c.secret_access_key(),
        });
        if let Some(token) = c.session_token() {
            doc["SessionToken"] = json!(token);
        }
        if let Some(at) = expiration {
            doc["Expiration"] = json!(at);
        }
        return format!("{doc}\n");
    }
    let mut vars = vec![
        ("AWS_ACCESS_KEY_ID", c.access_key_id().to_owned()),
        ("AWS_SECRET_ACCESS_KEY", c.secret_access_key().to_owned()),
    ];
    if let Some(token) = c.session_token() {
        vars.push(("AWS_SESSION_TOKEN", token.to_owned()));
    }
    if let Some(at) = expiration {
        vars.push(("AWS_CREDENTIAL_EXPIRATION", at));
    }
    vars.iter()
        .map(|(name, value)| match format {
            ExportFormat::Env => format!("export {name}={value}\n"),
            ExportFormat::EnvNoExport => format!("{name}={value}\n"),
            ExportFormat::Powershell => format!("$Env:{name}=\"{value}\"\n"),
            ExportFormat::WindowsCmd | ExportFormat::Process => format!("set {name}={value}\n"),
        })
        .collect()
}

/// Runs `sigv4 credentials`.
pub fn run(ctx: &Context, args: &CredentialsArgs) -> Result<(), Failure> {
    if let Some(format) = args.export {
        let credentials = ctx.credentials()?;
        print!("{}", render_export(format, &credentials));
        return Ok(());
    }
    let report = ctx.explain_credentials()?;
    let (region, region_source) = ctx.region(None)?;
    let creds = report.credentials();
    let expires = creds.and_then(|c| c.expires_at()).map(super::rfc3339);
    print(
        ctx.global.output,
        || {
            let mut t = format!("{report}");
            if let Some(c) = creds {
                t.push_str(&format!(
                    "\naccess key id: {}\nsource:        {}\n",
                    c.access_key_id(),
                    c.source()
                ));
                t.push_str(&format!(
                    "expires:       {}\n",
                    expires.clone().unwrap_or_else(|| "never".into())
                ));
                if args.show_secret {
                    t.push_str(&format!("secret:        {}\n", c.secret_access_key()));
                    if let Some(token) = c.session_token() {
                        t.push_str(&format!("session token: {token}\n"));
                    }
                }
            }
            t.push_str(&format!("region:        {region} (from {region_source})\n"));
            t
        },
        || {
            let steps: Vec<Value> = report
                .steps()
                .iter()
                .map(|s| {
                    let (outcome, detail) = match &s.outcome {
                        Outcome::Used { source, .. } => ("used", source.clone()),
                        Outcome::Skipped(r) => ("skipped", r.to_string()),
                        Outcome::Failed(e) => ("failed", e.to_string()),
                        Outcome::NotReached => ("not reached", String::new()),
                        _ => ("unknown", String::new()),
                    };
                    json!({ "provider": s.name, "outcome": outcome, "detail": detail, "warnings": s.warnings })
                })
                .collect();
            let mut v = json!({
                "providers": steps,
                "access_key_id": creds.map(|c| c.access_key_id()),
                "source": creds.map(|c| c.source()),
                "expires_at": expires,
                "region": region,
                "region_source": region_source,
            });
            if args.show_secret {
                if let Some(c) = creds {
                    v["secret_access_key"] = json!(c.secret_access_key());
                    v["session_token"] = json!(c.session_token());
                }
            }
            v
        },
    );
    match report.into_result() {
        Ok(_) => Ok(()),
        // The table above already says why each source was skipped.
        Err(CredentialsError::NoCredentials { .. }) => Err(Failure::new(
            "no credentials found (each source's reason is listed above)",
        )),
        Err(e) => Err(Failure::new(e)),
    }
}
