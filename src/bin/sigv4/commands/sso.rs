//! `sigv4 sso login` / `sigv4 sso logout`: the device authorization flow
//! over the AWS CLI's token cache (`~/.aws/sso/cache`).

use std::process::{Command, Stdio};
use std::sync::Arc;

use sigv4::config::{selected_profile, ConfiguredEndpoints};
use sigv4::credentials::sso::SsoConfig;
use sigv4::credentials::sso_login::SsoLogin;
use sigv4::credentials::sso_token_cache::{default_cache_dir, SsoTokenCache};
use sigv4::transport::UreqTransport;

use super::Context;
use crate::cli::{SsoCommand, SsoSessionArgs};
use crate::Failure;

/// Runs `sigv4 sso ...`.
pub fn run(ctx: &Context, cmd: &SsoCommand) -> Result<(), Failure> {
    match cmd {
        SsoCommand::Login(args) => {
            let (config, login) = setup(ctx, &args.session)?;
            let no_browser = args.no_browser;
            let token = login.login(&config, &mut |auth| {
                let url = auth
                    .verification_uri_complete
                    .as_deref()
                    .unwrap_or(&auth.verification_uri);
                eprintln!(
                    "To sign in to {} ({}), open\n\n  {}\n\nand confirm the code {}\n",
                    config.start_url,
                    config.describe(),
                    auth.verification_uri,
                    auth.user_code
                );
                if !no_browser && open_browser(url) {
                    eprintln!("(a browser was opened at {url})");
                }
            })?;
            eprintln!(
                "Logged in: {} token cached in {} until {}",
                config.describe(),
                login_cache(ctx)?.path(&config.token_cache_key()).display(),
                super::rfc3339(token.expires_at)
            );
            Ok(())
        }
        SsoCommand::Logout(args) => {
            let (config, login) = setup(ctx, args)?;
            let removed = login.logout(&config)?;
            eprintln!(
                "{}: {}",
                config.describe(),
                if removed {
                    "cached token removed"
                } else {
                    "no cached token"
                }
            );
            Ok(())
        }
    }
}

fn login_cache(ctx: &Context) -> Result<SsoTokenCache, Failure> {
    default_cache_dir(&ctx.env)
        .map(SsoTokenCache::new)
        .ok_or_else(|| Failure::new("no home directory (HOME) for the SSO token cache"))
}

/// The SSO setup `--sso-session` or the profile names, and a login over
/// the configured SSO OIDC endpoint.
fn setup(ctx: &Context, args: &SsoSessionArgs) -> Result<(SsoConfig, SsoLogin), Failure> {
    let profiles = ctx.profiles()?;
    let config = match &args.sso_session {
        Some(session) => SsoConfig::for_session(profiles, session)?,
        None => {
            let profile = selected_profile(&ctx.env, ctx.global.profile.as_deref());
            SsoConfig::for_profile(profiles, &profile)?.ok_or_else(|| {
                Failure::new(format!(
                    "profile `{profile}` has no SSO configuration (sso_session or sso_start_url); \
                     use --sso-session or another --profile"
                ))
            })?
        }
    };
    let login = SsoLogin::new(Arc::new(UreqTransport::new()), login_cache(ctx)?)
        .with_endpoints(ConfiguredEndpoints::load(&ctx.env, profiles));
    Ok((config, login))
}

/// Opens `url` with `xdg-open` (or `open` on macOS) when one is on PATH;
/// returns whether one was started. Never waits for it.
fn open_browser(url: &str) -> bool {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let on_path = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(opener).is_file()));
    on_path
        && Command::new(opener)
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .is_ok()
}
