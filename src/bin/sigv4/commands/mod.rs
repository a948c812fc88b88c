//! One module per command, and what they share.

mod credentials;
mod curl;
mod imds;
mod presign;
mod presign_post;
mod sign;

pub use sign::region_set;
mod sso;
mod sts;

use std::sync::Arc;

use sigv4::config::{resolve_region, Env, ProfileSet, RegionSource};
use sigv4::credentials::assume_role::MfaTokenProvider;
use sigv4::credentials::chain::{ChainReport, CredentialsChain};
use sigv4::credentials::default_chain::DefaultChainBuilder;
use sigv4::credentials::static_provider::StaticProvider;
use sigv4::transport::UreqTransport;
use sigv4::{Client, Credentials, SigningTime};

use crate::cli::{Cli, Command, Global, Output};
use crate::Failure;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<(), Failure> {
    if cli.global.output == Output::Html && !matches!(cli.command, Command::PresignPost(_)) {
        return Err(Failure::new(
            "--output html is for presign-post only: use text or json",
        ));
    }
    let ctx = Context::new(cli.global);
    match cli.command {
        Command::Sign(args) => sign::run(&ctx, &args),
        Command::Curl(args) => curl::run(&ctx, &args),
        Command::Presign(args) => presign::run(&ctx, &args),
        Command::PresignPost(args) => presign_post::run(&ctx, &args),
        Command::Credentials(args) => credentials::run(&ctx, &args),
        Command::Imds(cmd) => imds::run(&ctx, &cmd),
        Command::Sts(cmd) => sts::run(&ctx, &cmd),
        Command::Ec2(cmd) => sts::run_ec2(&ctx, &cmd),
        Command::Sso(cmd) => sso::run(&ctx, &cmd),
        Command::Proxy(args) => crate::proxy::run(&ctx, &args),
    }
}

/// What every command needs: the global options, the environment and the
/// shared config files (loaded on first use).
pub struct Context {
    pub global: Global,
    pub env: Env,
    profiles: std::cell::OnceCell<ProfileSet>,
}

/// The AWS documentation's example key pair, for `--example-credentials`.
pub const EXAMPLE_ACCESS_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
/// The AWS documentation's example secret.
pub const EXAMPLE_SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

impl Context {
    fn new(global: Global) -> Self {
        Context {
            global,
            env: Env::real(),
            profiles: std::cell::OnceCell::new(),
        }
    }

    /// Logs a step to stderr with `--debug`.
    pub fn debug(&self, what: &str, text: &str) {
        crate::output::debug(self.global.debug, what, text);
    }

    /// The shared config files (empty when unreadable; errors surface when a profile is needed).
    pub fn profiles(&self) -> Result<&ProfileSet, Failure> {
        if let Some(p) = self.profiles.get() {
            return Ok(p);
        }
        let loaded = ProfileSet::load_with_profile(&self.env, self.global.profile.as_deref())
            .map_err(|e| Failure::new(format!("reading the shared config files: {e}")))?;
        Ok(self.profiles.get_or_init(|| loaded))
    }

    /// The region and where it came from: `--region`, then `hint` (from an
    /// AWS host name), then the environment and profile, then `us-east-1`.
    pub fn region(&self, hint: Option<&str>) -> Result<(String, String), Failure> {
        if let Some(r) = &self.global.region {
            return Ok((r.clone(), "--region".into()));
        }
        if let Some(h) = hint {
            return Ok((h.to_string(), "the host name".into()));
        }
        let (region, source) = resolve_region(None, &self.env, self.profiles()?);
        let source = match source {
            RegionSource::Explicit => "--region".to_string(),
            other => format!("{other:?}"),
        };
        Ok((region, source))
    }

    /// The credential chain: the AWS CLI's order with assume-role and web
    /// identity, MFA codes read from the terminal; only the example keys
    /// with `--example-credentials`.
    pub fn chain(&self) -> CredentialsChain {
        if let Some(example) = self.example_credentials() {
            return CredentialsChain::new()
                .with(StaticProvider::NAME, StaticProvider::new(example));
        }
        self.chain_builder()
            .transport(Arc::new(UreqTransport::new()))
            .build()
    }

    /// The AWS documentation's example keys with `--example-credentials`.
    pub fn example_credentials(&self) -> Option<Credentials> {
        self.global.example_credentials.then(|| {
            Credentials::new(EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY)
                .with_source("example keys")
        })
    }

    /// The settings of the default chain (environment, `--profile`, MFA
    /// codes read from the terminal), without a transport: the blocking
    /// chain above and the proxy's async chain are both built from it.
    pub fn chain_builder(&self) -> DefaultChainBuilder {
        let mfa: MfaTokenProvider = Arc::new(|profile: &str, serial: &str| {
            eprint!("MFA code for {serial} (profile {profile}): ");
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| e.to_string())?;
            Ok(line.trim().to_string())
        });
        let mut builder = DefaultChainBuilder::new()
            .env(self.env.clone())
            .mfa_token_provider(mfa);
        if let Some(profile) = &self.global.profile {
            builder = builder.profile(profile.clone());
        }
        builder
    }

    /// Runs the credential chain and reports on each provider.
    pub fn explain_credentials(&self) -> Result<ChainReport, Failure> {
        Ok(self.chain().explain())
    }

    /// An API client: the chain's credentials, `--region`, `--endpoint-url`.
    pub fn client(&self) -> Result<Client, Failure> {
        let (region, _) = self.region(None)?;
        let credentials = self.credentials()?;
        let mut builder = Client::builder()
            .transport(Arc::new(UreqTransport::new()))
            .credentials(StaticProvider::new(credentials))
            .region(region);
        if let Some(url) = &self.global.endpoint_url {
            builder = builder.endpoint_url(url.clone());
        }
        builder.build().map_err(Failure::new)
    }

    /// Credentials: the example keys with `--example-credentials`, else the
    /// provider chain in the AWS CLI's order.
    pub fn credentials(&self) -> Result<Credentials, Failure> {
        load_chain_credentials(self)
    }
}

fn load_chain_credentials(ctx: &Context) -> Result<Credentials, Failure> {
    credentials_from_report(ctx.explain_credentials()?)
}

/// The credentials of a chain's report, or a failure naming each
/// provider's reason (never a secret).
pub fn credentials_from_report(report: ChainReport) -> Result<Credentials, Failure> {
    let summary = report
        .to_string()
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("; ");
    report
        .into_result()
        .map_err(|e| Failure::new(format!("{e} ({summary})")))
}

/// RFC 3339 UTC text of a system time.
pub use sigv4::credentials::format_rfc3339 as rfc3339;

/// `--timestamp` or now.
pub fn signing_time(timestamp: Option<&str>) -> Result<SigningTime, Failure> {
    match timestamp {
        Some(t) => SigningTime::parse_amz_date(t).map_err(|_| {
            Failure::new(format!(
                "invalid --timestamp {t:?}: expected YYYYMMDDTHHMMSSZ"
            ))
        }),
        None => Ok(SigningTime::now()),
    }
}

/// Parses `-H 'Name: value'` options.
pub fn parse_headers(raw: &[String]) -> Result<Vec<(String, String)>, Failure> {
    raw.iter()
        .map(|h| {
            let (name, value) = h.split_once(':').ok_or_else(|| {
                Failure::new(format!("invalid header {h:?}: expected 'Name: value'"))
            })?;
            let name = name.trim();
            if !sigv4::sign::canonical_headers::is_valid_name(name) {
                return Err(Failure::new(format!("invalid header name {name:?}")));
            }
            Ok((name.to_string(), value.trim().to_string()))
        })
        .collect()
}

/// `-d DATA` or `-d @FILE`.
pub fn read_data(data: Option<&str>) -> Result<Vec<u8>, Failure> {
    match data {
        None => Ok(Vec::new()),
        Some(d) => match d.strip_prefix('@') {
            Some("-") => {
                let mut buf = Vec::new();
                std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)?;
                Ok(buf)
            }
            Some(path) => {
                std::fs::read(path).map_err(|e| Failure::new(format!("reading {path}: {e}")))
            }
            None => Ok(d.as_bytes().to_vec()),
        },
    }
}
