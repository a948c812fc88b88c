//! `sigv4 imds get | ls | serve`.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::json;
use sigv4::imds::emulator::{EmulatorConfig, ImdsEmulator, RoleCredentials};
use sigv4::imds::protocol::{metadata_request, parse_metadata_response, MetadataOutcome};
use sigv4::imds::{ImdsClient, ImdsConfig, ImdsEndpoint};
use sigv4::transport::{RequestOptions, Transport, UreqTransport};

use super::Context;
use crate::cli::{ImdsCommand, ImdsGetArgs, ImdsLsArgs, ImdsServeArgs};
use crate::output::print;
use crate::Failure;

/// Runs an `imds` subcommand.
pub fn run(ctx: &Context, cmd: &ImdsCommand) -> Result<(), Failure> {
    match cmd {
        ImdsCommand::Get(a) => get(ctx, a),
        ImdsCommand::Ls(a) => ls(ctx, a),
        ImdsCommand::Serve(a) => serve(ctx, a),
    }
}

/// `meta-data/x` and `/latest/meta-data/x` both mean `/latest/meta-data/x`.
fn full_path(path: &str) -> String {
    let p = path.trim_start_matches('/');
    if p.starts_with("latest/") {
        format!("/{p}")
    } else {
        format!("/latest/{p}")
    }
}

fn config(ctx: &Context) -> Result<ImdsConfig, Failure> {
    let mut config = ImdsConfig::from_env(&ctx.env, ctx.profiles()?).map_err(Failure::new)?;
    if let Some(url) = &ctx.global.endpoint_url {
        config = config.with_endpoint(ImdsEndpoint::parse(url).map_err(Failure::new)?);
    }
    Ok(config)
}

fn fetch(ctx: &Context, path: &str, v1: bool) -> Result<Vec<u8>, Failure> {
    let config = config(ctx)?;
    ctx.debug(
        "imds",
        &format!(
            "GET {}{path} ({})",
            config.endpoint().as_str(),
            if v1 { "IMDSv1" } else { "IMDSv2" }
        ),
    );
    let transport: Arc<dyn Transport> = Arc::new(UreqTransport::new());
    if !v1 {
        return ImdsClient::new(transport, config)
            .get_bytes(path)
            .map_err(Failure::new);
    }
    // IMDSv1 on request: one tokenless GET.
    let request = metadata_request(config.endpoint(), path, None).map_err(Failure::new)?;
    let options = RequestOptions::new()
        .with_connect_timeout(config.connect_timeout())
        .with_read_timeout(config.read_timeout());
    let response = transport.send(request, &options).map_err(Failure::new)?;
    if response.status() == http::StatusCode::OK {
        return Ok(response.into_body());
    }
    match parse_metadata_response(&response, path).map_err(Failure::new)? {
        MetadataOutcome::Ok(body) => Ok(body.as_bytes().to_vec()),
        MetadataOutcome::Unauthorized => Err(Failure::new(format!(
            "{path}: 401: the service requires IMDSv2 tokens (drop --v1)"
        ))),
        MetadataOutcome::Retryable(s) | MetadataOutcome::Error(s) => {
            Err(Failure::new(format!("{path}: HTTP {s}")))
        }
    }
}

fn text(path: &str, body: Vec<u8>) -> Result<String, Failure> {
    String::from_utf8(body)
        .map_err(|_| Failure::new(format!("{path}: the value is not UTF-8 text")))
}

fn get(ctx: &Context, args: &ImdsGetArgs) -> Result<(), Failure> {
    let path = full_path(&args.path);
    let raw = fetch(ctx, &path, args.v1)?;
    if ctx.global.output == crate::cli::Output::Text && std::str::from_utf8(&raw).is_err() {
        // Binary values (gzip user data) go to stdout as they are.
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(&raw);
        let _ = out.flush();
        return Ok(());
    }
    let body = text(&path, raw)?;
    print(
        ctx.global.output,
        || body.clone(),
        || json!({ "path": path, "value": body }),
    );
    Ok(())
}

fn ls(ctx: &Context, args: &ImdsLsArgs) -> Result<(), Failure> {
    let mut path = full_path(&args.path);
    if !path.ends_with('/') {
        path.push('/');
    }
    let body = text(&path, fetch(ctx, &path, args.v1)?)?;
    let entries: Vec<&str> = body.lines().filter(|l| !l.trim().is_empty()).collect();
    print(
        ctx.global.output,
        || entries.join("\n"),
        || json!({ "path": path, "entries": entries }),
    );
    Ok(())
}

fn serve(ctx: &Context, args: &ImdsServeArgs) -> Result<(), Failure> {
    let mut config = EmulatorConfig::default();
    config.require_token = args.require_token;
    if let Some(region) = &ctx.global.region {
        config = config.with_region(region);
    }
    let expiration = SystemTime::now() + Duration::from_secs(args.credentials_ttl);
    let credentials = match (&args.access_key_id, &args.secret_access_key) {
        (Some(id), Some(secret)) => RoleCredentials {
            access_key_id: id.clone(),
            secret_access_key: secret.clone(),
            token: args.session_token.clone().unwrap_or_default(),
            expiration,
        },
        _ => RoleCredentials::example(Duration::from_secs(args.credentials_ttl)),
    };
    if args.no_role {
        config = config.without_role();
    } else {
        let role = args
            .role
            .clone()
            .unwrap_or_else(|| "sigv4-emulator-role".into());
        config = config.with_role(&role, Some(credentials));
    }
    for item in &args.metadata {
        let (path, value) = item.split_once('=').ok_or_else(|| {
            Failure::new(format!("invalid --metadata {item:?}: expected path=value"))
        })?;
        config
            .metadata
            .insert(path.trim_matches('/').to_string(), value.to_string());
    }
    if let Some(file) = &args.identity_document {
        let doc = std::fs::read_to_string(file)
            .map_err(|e| Failure::new(format!("reading {file}: {e}")))?;
        config.identity_document = Some(doc);
    }
    let emulator = ImdsEmulator::bind(("127.0.0.1", args.port), config)
        .map_err(|e| Failure::new(format!("cannot listen on 127.0.0.1:{}: {e}", args.port)))?;
    // The address line is the contract for scripts: printed first, flushed.
    // A reader that goes away must not stop the server, so write errors
    // (a closed pipe) are ignored.
    use std::io::Write;
    let mut out = std::io::stdout();
    let endpoint = emulator.endpoint();
    let _ = writeln!(out, "IMDS emulator listening on {endpoint}");
    let _ = writeln!(
        out,
        "try: AWS_EC2_METADATA_SERVICE_ENDPOINT={endpoint} sigv4 credentials"
    );
    let _ = out.flush();
    emulator.wait();
    Ok(())
}
