//! `sigv4 sso login` / `sigv4 sso logout`: the device authorization flow
//! over the AWS CLI's token cache (`~/.aws/sso/cache`).
//!
//! The browser: unless `--no-browser`, the login opens the verification
//! URL with the code filled in (`verificationUriComplete`), as AWS CLI v2
//! does through Python's `webbrowser`, whose rules it follows where they
//! matter: `BROWSER` first (a list of commands separated like `PATH`;
//! each is split on whitespace, `%s` in it is replaced by the URL, else
//! the URL is appended; the first that starts is used), then `open` on
//! macOS, or `xdg-open` elsewhere when there is a display (`DISPLAY` or
//! `WAYLAND_DISPLAY`; without one `xdg-open` may start a text browser on
//! the terminal the prompt is on). The opener is started and never waited
//! for; when none starts the login goes on, the URL and code are printed
//! anyway.

use std::process::{Command, Stdio};
use std::sync::Arc;

use sigv4::config::{selected_profile, ConfiguredEndpoints, Env};
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
                if url != auth.verification_uri {
                    eprintln!("or open this URL, the code filled in:\n\n  {url}\n");
                }
                if !no_browser {
                    if let Some(opener) = open_browser(&ctx.env, url) {
                        eprintln!("(opened with {opener})");
                    }
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

/// The commands that may open a browser at `url`, in order: `BROWSER`'s,
/// then the platform's opener (see the [module docs](self)).
fn browser_commands(env: &Env, url: &str) -> Vec<Vec<String>> {
    let mut commands: Vec<Vec<String>> = Vec::new();
    if let Some(list) = env.get_non_blank("BROWSER") {
        for entry in std::env::split_paths(&list) {
            let entry = entry.to_string_lossy();
            let mut words: Vec<String> = entry.split_whitespace().map(str::to_owned).collect();
            if words.is_empty() {
                continue;
            }
            if words.iter().any(|w| w.contains("%s")) {
                for w in &mut words {
                    *w = w.replace("%s", url);
                }
            } else {
                words.push(url.to_owned());
            }
            commands.push(words);
        }
    }
    if cfg!(target_os = "macos") {
        commands.push(vec!["open".into(), url.into()]);
    } else if cfg!(unix)
        && (env.get_non_blank("DISPLAY").is_some()
            || env.get_non_blank("WAYLAND_DISPLAY").is_some())
    {
        commands.push(vec!["xdg-open".into(), url.into()]);
    }
    commands
}

/// Starts the first of [`browser_commands`] that starts; returns its
/// program. Never waits for it; a program that cannot be started (not
/// installed) is skipped, never an error.
fn open_browser(env: &Env, url: &str) -> Option<String> {
    browser_commands(env, url).into_iter().find_map(|words| {
        let (program, args) = words.split_first()?;
        Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()
            .map(|_| program.clone())
    })
}
