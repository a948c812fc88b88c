//! The explicit, environment and profile providers (shared files and
//! `credential_process`), through their public API only.

use std::time::{Duration, Instant, SystemTime};

use crate::support::TempDir;
use sigv4::config::{Env, FileKind, ParseErrorKind, ProfileLoadError};
use sigv4::credentials::environment::EnvironmentProvider;
use sigv4::credentials::profile::ProfileProvider;
use sigv4::credentials::static_provider::StaticProvider;
use sigv4::credentials::{Credentials, CredentialsError, ProvideCredentials, SkipReason};

/// An environment whose HOME is `dir`, plus `vars`.
fn env(dir: &TempDir, vars: &[(&str, &str)]) -> Env {
    let mut all = vec![("HOME".to_owned(), dir.path().display().to_string())];
    all.extend(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    Env::from_map(all)
}

/// Writes `~/.aws/config` and `~/.aws/credentials` under `dir`.
fn aws_files(dir: &TempDir, config: &str, credentials: &str) {
    std::fs::create_dir_all(dir.path().join(".aws")).unwrap();
    dir.write(".aws/config", config);
    dir.write(".aws/credentials", credentials);
}

fn profile_provider(dir: &TempDir, vars: &[(&str, &str)]) -> ProfileProvider {
    ProfileProvider::new(env(dir, vars))
}

/// The provider and message of an `InvalidConfiguration` error (any other
/// variant fails the test).
fn invalid_configuration(e: &CredentialsError) -> (&str, &str) {
    match e {
        CredentialsError::InvalidConfiguration { provider, message } => (provider, message),
        other => panic!("expected InvalidConfiguration: {other:?}"),
    }
}

/// The provider and message of a `ProviderFailed` error.
#[cfg(unix)]
fn provider_failed(e: &CredentialsError) -> (&str, &str) {
    match e {
        CredentialsError::ProviderFailed { provider, message } => (provider, message),
        other => panic!("expected ProviderFailed: {other:?}"),
    }
}

#[test]
fn explicit_credentials() {
    let c = StaticProvider::new(Credentials::new("AKIDX", "sx").with_session_token("tx"))
        .provide()
        .unwrap();
    assert_eq!(
        (c.access_key_id(), c.session_token(), c.source()),
        ("AKIDX", Some("tx"), "explicit")
    );
    let e = StaticProvider::none().provide().unwrap_err();
    assert_eq!(e.skip_reason(), Some(&SkipReason::NoExplicitCredentials));
}

#[test]
fn environment_provider() {
    let dir = TempDir::new("env");
    let p = EnvironmentProvider::new(env(
        &dir,
        &[
            ("AWS_ACCESS_KEY_ID", "AKIDENV"),
            ("AWS_SECRET_ACCESS_KEY", "envsecret"),
            ("AWS_SESSION_TOKEN", "envtoken"),
            ("AWS_CREDENTIAL_EXPIRATION", "2099-12-31T23:59:59Z"),
        ],
    ));
    let c = p.provide().unwrap();
    assert_eq!(c.access_key_id(), "AKIDENV");
    assert_eq!(c.secret_access_key(), "envsecret");
    assert_eq!(c.session_token(), Some("envtoken"));
    assert!(c.expires_at().unwrap() > SystemTime::now());
    let e = EnvironmentProvider::new(env(
        &dir,
        &[("AWS_ACCESS_KEY_ID", " "), ("AWS_SESSION_TOKEN", "t")],
    ))
    .provide()
    .unwrap_err();
    assert_eq!(e.provider(), Some("environment"), "{e}");
    assert_eq!(
        e.skip_reason(),
        Some(&SkipReason::VariablesUnset(vec![
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY"
        ])),
        "{e}"
    );
}

#[test]
fn credentials_file_keys_win_over_config_file_keys() {
    let dir = TempDir::new("profile-order");
    aws_files(
        &dir,
        "[default]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = configsecret\n",
        "[default]\naws_access_key_id = AKIDCREDS\naws_secret_access_key = credssecret\naws_session_token = credstoken\n",
    );
    let c = profile_provider(&dir, &[]).provide().unwrap();
    assert_eq!(c.access_key_id(), "AKIDCREDS");
    assert_eq!(c.session_token(), Some("credstoken"));
    assert_eq!(c.source(), "profile:default:credentials-file");
}

#[test]
fn config_file_keys_are_the_last_resort() {
    let dir = TempDir::new("profile-config");
    aws_files(
        &dir,
        "[profile dev]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = configsecret\n",
        "[other]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = x\n",
    );
    let c = profile_provider(&dir, &[("AWS_PROFILE", "dev")])
        .provide()
        .unwrap();
    assert_eq!(c.access_key_id(), "AKIDCONFIG");
    assert_eq!(c.source(), "profile:dev:config-file");
}

#[test]
fn file_variables_and_explicit_profile() {
    let dir = TempDir::new("profile-vars");
    let creds = dir.write(
        "my-creds",
        "[a]\naws_access_key_id = AKIDA\naws_secret_access_key = sa\n[b]\naws_access_key_id = AKIDB\naws_secret_access_key = sb\n",
    );
    let config = dir.write(
        "my-config",
        "[profile c]\naws_access_key_id = AKIDC\naws_secret_access_key = sc\n",
    );
    let vars = [
        ("AWS_SHARED_CREDENTIALS_FILE", creds.to_str().unwrap()),
        ("AWS_CONFIG_FILE", config.to_str().unwrap()),
        ("AWS_PROFILE", "a"),
    ];
    assert_eq!(
        profile_provider(&dir, &vars)
            .provide()
            .unwrap()
            .access_key_id(),
        "AKIDA"
    );
    let explicit = profile_provider(&dir, &vars).with_profile("b");
    assert_eq!(explicit.provide().unwrap().access_key_id(), "AKIDB");
    let explicit = profile_provider(&dir, &vars).with_profile("c");
    assert_eq!(explicit.provide().unwrap().access_key_id(), "AKIDC");
}

#[test]
fn missing_and_empty_profiles() {
    let dir = TempDir::new("profile-missing");
    // No files at all: the default profile is simply absent.
    let e = profile_provider(&dir, &[]).provide().unwrap_err();
    assert_eq!(
        e.skip_reason(),
        Some(&SkipReason::ProfileMissing {
            profile: "default".into()
        })
    );
    // A profile chosen by name must exist.
    let e = profile_provider(&dir, &[("AWS_PROFILE", "ghost")])
        .provide()
        .unwrap_err();
    assert_eq!(
        invalid_configuration(&e),
        (
            "profile",
            "profile `ghost` was selected but is in neither the config nor the credentials file"
        )
    );
    aws_files(&dir, "[default]\nregion = eu-west-1\n", "");
    let e = profile_provider(&dir, &[]).provide().unwrap_err();
    assert_eq!(
        e.skip_reason(),
        Some(&SkipReason::NoCredentialsInProfile {
            profile: "default".into()
        })
    );
}

#[test]
fn partial_keys_role_profiles_and_broken_files_are_errors() {
    let dir = TempDir::new("profile-errors");
    aws_files(&dir, "", "[default]\naws_access_key_id = AKIDONLY\n");
    let e = profile_provider(&dir, &[]).provide().unwrap_err();
    assert_eq!(
        invalid_configuration(&e),
        (
            "profile",
            "profile `default` in the credentials file has aws_access_key_id but no aws_secret_access_key"
        )
    );

    aws_files(
        &dir,
        "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\n",
        "[default]\naws_access_key_id = AKID\naws_secret_access_key = s\n",
    );
    let e = profile_provider(&dir, &[]).provide().unwrap_err();
    assert_eq!(
        invalid_configuration(&e),
        (
            "profile",
            "profile `default` sets `role_arn`, which needs a provider this chain does not have \
             (add one in the chain's role slot)"
        )
    );

    aws_files(&dir, "[default\nregion = x\n", "");
    let e = profile_provider(&dir, &[]).provide().unwrap_err();
    let CredentialsError::ProfileFiles { provider, source } = &e else {
        panic!("expected ProfileFiles: {e:?}")
    };
    assert_eq!(provider, "profile");
    let ProfileLoadError::Parse { path, source } = &**source else {
        panic!("expected a parse error: {source:?}")
    };
    assert_eq!(path, &dir.path().join(".aws/config"));
    assert_eq!(
        (source.file(), source.line(), source.kind()),
        (
            FileKind::Config,
            1,
            ParseErrorKind::UnterminatedSectionHeader
        )
    );
}

#[cfg(unix)]
mod process {
    use super::*;

    fn with_process(dir: &TempDir, command: &str) -> ProfileProvider {
        aws_files(
            dir,
            &format!("[default]\ncredential_process = {command}\n"),
            "",
        );
        profile_provider(dir, &[])
    }

    #[test]
    fn runs_the_command_and_parses_its_json() {
        let dir = TempDir::new("process-ok");
        let script = dir.write(
            "creds.sh",
            "#!/bin/sh\ncat >/dev/null\nprintf '%s' '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", \"SecretAccessKey\": \"procsecret\", \"SessionToken\": \"proctoken\", \"Expiration\": \"2099-01-01T00:00:00Z\"}'\n",
        );
        // `cat` reads standard input: it must be empty, not inherited.
        let c = with_process(&dir, &format!("sh {}", script.display()))
            .provide()
            .unwrap();
        assert_eq!(c.access_key_id(), "AKIDPROC");
        assert_eq!(c.secret_access_key(), "procsecret");
        assert_eq!(c.session_token(), Some("proctoken"));
        assert_eq!(
            c.expires_at(),
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(4_070_908_800))
        );
        assert_eq!(c.source(), "profile:default:credential_process");
    }

    #[test]
    fn process_comes_between_credentials_file_and_config_file_keys() {
        let dir = TempDir::new("process-order");
        let json = r#"{"Version":1,"AccessKeyId":"AKIDPROC","SecretAccessKey":"s"}"#;
        aws_files(
            &dir,
            &format!("[default]\ncredential_process = printf '%s' '{json}'\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = s\n"),
            "",
        );
        assert_eq!(
            profile_provider(&dir, &[])
                .provide()
                .unwrap()
                .access_key_id(),
            "AKIDPROC"
        );
        dir.write(
            ".aws/credentials",
            "[default]\naws_access_key_id = AKIDCREDS\naws_secret_access_key = s\n",
        );
        assert_eq!(
            profile_provider(&dir, &[])
                .provide()
                .unwrap()
                .access_key_id(),
            "AKIDCREDS"
        );
    }

    #[test]
    fn failure_reports_status_and_stderr_but_never_stdout() {
        let dir = TempDir::new("process-fail");
        let e = with_process(
            &dir,
            "echo STDOUTSECRET; echo 'role session expired' >&2; exit 3",
        )
        .provide()
        .unwrap_err();
        assert_eq!(
            provider_failed(&e),
            (
                "profile",
                "credential_process exited with status 3: role session expired"
            )
        );
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("STDOUTSECRET"), "{shown}");
    }

    #[test]
    fn bad_json_is_an_error_without_the_output() {
        let dir = TempDir::new("process-json");
        let e = with_process(
            &dir,
            "echo '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"LEAKME\"'",
        )
        .provide()
        .unwrap_err();
        // The document stops after the last value: a ',' or '}' is expected
        // at byte 63, the end (echo's newline is whitespace skipped before it).
        let CredentialsError::InvalidResponse { provider, message } = &e else {
            panic!("expected InvalidResponse: {e:?}")
        };
        assert_eq!(
            (provider.as_str(), message.as_str()),
            (
                "profile",
                "credential_process output is not JSON (invalid JSON at byte 63: expected ',' or '}')"
            )
        );
        assert!(!format!("{e} {e:?}").contains("LEAKME"));
    }

    #[test]
    fn a_hanging_command_is_stopped() {
        let dir = TempDir::new("process-hang");
        let start = Instant::now();
        let e = with_process(&dir, "sleep 30")
            .with_process_timeout(Duration::from_millis(200))
            .provide()
            .unwrap_err();
        assert_eq!(
            provider_failed(&e),
            (
                "profile",
                "credential_process did not finish within 0.2 s and was stopped"
            )
        );
        // Stopped at the timeout, not after the command's 30 s (generous
        // slack for a loaded machine).
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn a_missing_command_fails() {
        let dir = TempDir::new("process-missing");
        let e = with_process(&dir, "/nonexistent/credential-helper --flag")
            .provide()
            .unwrap_err();
        // The shell starts; it cannot run the command and exits with 127.
        let (provider, message) = provider_failed(&e);
        assert_eq!(provider, "profile");
        assert!(
            message.starts_with("credential_process exited with status 127: ")
                && message.contains("/nonexistent/credential-helper"),
            "{message}"
        );
    }
}

#[test]
fn secrets_never_appear_in_debug_display_or_errors() {
    let dir = TempDir::new("secrets");
    aws_files(
        &dir,
        "",
        "[default]\naws_access_key_id = AKIDVISIBLE\naws_secret_access_key = FILESECRET\naws_session_token = FILETOKEN\n",
    );
    let vars = [
        ("AWS_ACCESS_KEY_ID", "AKIDVISIBLE"),
        ("AWS_SECRET_ACCESS_KEY", "ENVSECRET"),
        ("AWS_SESSION_TOKEN", "ENVTOKEN"),
    ];
    let env_provider = EnvironmentProvider::new(env(&dir, &vars));
    let profile = profile_provider(&dir, &[]);
    let explicit = StaticProvider::new(
        Credentials::new("AKIDVISIBLE", "EXPLICITSECRET").with_session_token("EXPLICITTOKEN"),
    );
    let mut shown = format!("{env_provider:?} {profile:?} {explicit:?}");
    for c in [
        env_provider.provide(),
        profile.provide(),
        explicit.provide(),
    ] {
        let c = c.unwrap();
        shown.push_str(&format!("{c:?} {c:#?} {c}"));
    }
    // Errors that involve secret-bearing input.
    let partial =
        EnvironmentProvider::new(env(&dir, &[("AWS_SECRET_ACCESS_KEY", "ENVSECRET")])).provide();
    shown.push_str(&format!("{:?} {}", partial, partial.as_ref().unwrap_err()));
    for secret in [
        "FILESECRET",
        "FILETOKEN",
        "ENVSECRET",
        "ENVTOKEN",
        "EXPLICITSECRET",
        "EXPLICITTOKEN",
    ] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
    assert!(shown.contains("AKIDVISIBLE"));
}
