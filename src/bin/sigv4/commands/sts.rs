//! `sigv4 sts ...` and `sigv4 ec2 dry-run`.

use std::time::Duration;

use serde_json::json;
use sigv4::api::query_protocol::{DryRunOutcome, QueryCall};
use sigv4::api::sts::{default_session_name, AssumeRole, GetSessionToken};
use sigv4::config::env_vars::AWS_SHARED_CREDENTIALS_FILE;
use sigv4::config::FileLocations;
use sigv4::Credentials;

use super::{rfc3339, Context};
use crate::cli::{
    AssumeRoleArgs, DryRunArgs, Ec2Command, GetSessionTokenArgs, StsCommand, WriteProfileArgs,
};
use crate::output::print;
use crate::Failure;

fn client_error(e: sigv4::client::ClientError) -> Failure {
    Failure::new(e)
}

/// Runs an `sts` subcommand.
pub fn run(ctx: &Context, cmd: &StsCommand) -> Result<(), Failure> {
    let client = ctx.client()?;
    match cmd {
        StsCommand::Whoami => {
            let id = client.get_caller_identity().map_err(client_error)?;
            print(
                ctx.global.output,
                || {
                    format!(
                        "Account: {}\nArn:     {}\nUserId:  {}",
                        id.account, id.arn, id.user_id
                    )
                },
                || json!({ "account": id.account, "arn": id.arn, "user_id": id.user_id }),
            );
            Ok(())
        }
        StsCommand::GetSessionToken(args) => get_session_token(ctx, &client, args),
        StsCommand::AssumeRole(args) => assume_role(ctx, &client, args),
        StsCommand::DecodeAuthorizationMessage(args) => {
            let decoded = client
                .decode_authorization_message(&args.message)
                .map_err(client_error)?;
            print(
                ctx.global.output,
                || decoded.clone(),
                || {
                    serde_json::from_str(&decoded)
                        .unwrap_or_else(|_| json!({ "decoded_message": decoded }))
                },
            );
            Ok(())
        }
    }
}

fn get_session_token(
    ctx: &Context,
    client: &sigv4::client::Client,
    args: &GetSessionTokenArgs,
) -> Result<(), Failure> {
    let mut req = GetSessionToken::new();
    if let Some(d) = args.duration_seconds {
        req = req.duration(Duration::from_secs(d.into()));
    }
    if let (Some(serial), Some(code)) = (&args.serial_number, &args.token_code) {
        req = req.mfa(serial.clone(), code.clone());
    }
    let creds = client.get_session_token(&req).map_err(client_error)?;
    emit_credentials(ctx, &creds, &args.write, None)
}

fn assume_role(
    ctx: &Context,
    client: &sigv4::client::Client,
    args: &AssumeRoleArgs,
) -> Result<(), Failure> {
    let session = args
        .session_name
        .clone()
        .unwrap_or_else(default_session_name);
    let mut req = AssumeRole::new(args.role_arn.clone(), session);
    if let Some(d) = args.duration_seconds {
        req = req.duration(Duration::from_secs(d.into()));
    }
    if let Some(id) = &args.external_id {
        req = req.external_id(id.clone());
    }
    if let (Some(serial), Some(code)) = (&args.serial_number, &args.token_code) {
        req = req.mfa(serial.clone(), code.clone());
    }
    let role = client.assume_role(&req).map_err(client_error)?;
    emit_credentials(ctx, &role.credentials, &args.write, Some(&role.arn))
}

/// Prints temporary credentials, or writes them into a profile.
fn emit_credentials(
    ctx: &Context,
    creds: &Credentials,
    write: &WriteProfileArgs,
    arn: Option<&str>,
) -> Result<(), Failure> {
    let expires = creds.expires_at().map(rfc3339);
    if let Some(profile) = &write.write_profile {
        let locations = FileLocations::from_env(&ctx.env, None);
        let path = locations.credentials.ok_or_else(|| {
            Failure::new(format!(
                "no credentials file location: set HOME or {AWS_SHARED_CREDENTIALS_FILE}"
            ))
        })?;
        let mut keys = vec![
            ("aws_access_key_id", creds.access_key_id()),
            ("aws_secret_access_key", creds.secret_access_key()),
        ];
        if let Some(token) = creds.session_token() {
            keys.push(("aws_session_token", token));
        }
        sigv4::config::writer::write_profile(&path, profile, &keys)
            .map_err(|e| Failure::new(format!("writing {}: {e}", path.display())))?;
        ctx.debug(
            "wrote profile",
            &format!("[{profile}] in {}", path.display()),
        );
    }
    let show_secret = write.show_secret || write.write_profile.is_none();
    print(
        ctx.global.output,
        || {
            let mut t = String::new();
            if let Some(arn) = arn {
                t.push_str(&format!("assumed role:  {arn}\n"));
            }
            t.push_str(&format!("access key id: {}\n", creds.access_key_id()));
            if show_secret {
                t.push_str(&format!("secret:        {}\n", creds.secret_access_key()));
                if let Some(token) = creds.session_token() {
                    t.push_str(&format!("session token: {token}\n"));
                }
            }
            t.push_str(&format!(
                "expires:       {}\n",
                expires.clone().unwrap_or_else(|| "never".into())
            ));
            if let Some(p) = &write.write_profile {
                t.push_str(&format!("written to profile [{p}]: use --profile {p}\n"));
            }
            t
        },
        || {
            let mut v = json!({
                "access_key_id": creds.access_key_id(),
                "expires_at": expires,
                "assumed_role_arn": arn,
                "profile": write.write_profile,
            });
            if show_secret {
                v["secret_access_key"] = json!(creds.secret_access_key());
                v["session_token"] = json!(creds.session_token());
            }
            v
        },
    );
    Ok(())
}

/// Runs an `ec2` subcommand.
pub fn run_ec2(ctx: &Context, cmd: &Ec2Command) -> Result<(), Failure> {
    match cmd {
        Ec2Command::DryRun(args) => dry_run(ctx, args),
    }
}

fn dry_run(ctx: &Context, args: &DryRunArgs) -> Result<(), Failure> {
    let mut call = QueryCall::new("ec2", args.action.clone(), args.api_version.clone());
    for p in &args.params {
        let (k, v) = p
            .split_once('=')
            .ok_or_else(|| Failure::new(format!("invalid parameter {p:?}: expected Name=Value")))?;
        call = call.param(k, v);
    }
    let outcome = ctx.client()?.dry_run(&call).map_err(client_error)?;
    match outcome {
        DryRunOutcome::WouldSucceed => {
            print(
                ctx.global.output,
                || format!("{}: would succeed (DryRunOperation)", args.action),
                || json!({ "action": args.action, "permitted": true }),
            );
            Ok(())
        }
        DryRunOutcome::NotPermitted {
            code,
            message,
            encoded_message,
            ..
        } => {
            print(
                ctx.global.output,
                || {
                    let mut t = format!("{}: not permitted ({code})", args.action);
                    if encoded_message.is_some() {
                        t.push_str("\ndecode the reason with: sigv4 sts decode-authorization-message <message>");
                    }
                    t
                },
                || json!({ "action": args.action, "permitted": false, "code": code, "message": message, "encoded_message": encoded_message }),
            );
            Err(Failure::new(format!(
                "{}: not permitted: {code}",
                args.action
            )))
        }
        other => Err(Failure::new(format!(
            "{}: unexpected dry-run outcome {other:?}",
            args.action
        ))),
    }
}
