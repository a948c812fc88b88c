//! `sigv4`: sign and send AWS requests, presign S3 URLs, explain where
//! credentials come from, query and emulate the EC2 instance metadata
//! service, run the STS flows, and run a local signing reverse proxy.

mod cli;
mod commands;
mod infer;
mod output;
mod progress;
mod proxy;

use std::process::ExitCode;

use clap::Parser;

/// An error that ends the program: a one-line message and an exit code.
#[derive(Debug)]
pub struct Failure {
    message: String,
    code: u8,
}

impl Failure {
    /// Exit code 1 with `message`.
    pub fn new(message: impl std::fmt::Display) -> Self {
        Failure {
            message: message.to_string(),
            code: 1,
        }
    }

    /// A custom exit code.
    pub fn with_code(message: impl std::fmt::Display, code: u8) -> Self {
        Failure {
            message: message.to_string(),
            code,
        }
    }
}

macro_rules! failure_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Failure {
            fn from(e: $t) -> Self {
                Failure::new(e)
            }
        }
    )*};
}
failure_from!(
    sigv4::sign::Error,
    sigv4::s3::S3Error,
    sigv4::s3::PostPolicyError,
    sigv4::credentials::CredentialsError,
    std::io::Error
);

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            // One line, never a secret: every message comes from typed errors.
            let line = f.message.replace('\n', " ");
            eprintln!("sigv4: error: {line}");
            ExitCode::from(f.code)
        }
    }
}
