//! Profiles that assume roles: a 3-hop `source_profile` chain against moto
//! (signature checking on), MFA, cycles, the chain's explanation, and web
//! identity profiles against a scripted STS.
#![cfg(feature = "client")]

use std::sync::{Arc, Mutex};

use crate::support::{create_role, peer_client, MotoServer, TempDir};
use sigv4::client::RetryPolicy;
use sigv4::config::{Env, FileLocations};
use sigv4::credentials::assume_role::{AssumeRoleProvider, MfaTokenProvider};
use sigv4::credentials::chain::Outcome;
use sigv4::credentials::static_provider::StaticProvider;
use sigv4::credentials::sts_settings::StsSettings;
use sigv4::credentials::DefaultChainBuilder;
use sigv4::credentials::{Credentials, CredentialsError, ProvideCredentials, SkipReason};

/// The provider and message of an `InvalidConfiguration` error.
fn invalid_configuration(e: &CredentialsError) -> (&str, &str) {
    match e {
        CredentialsError::InvalidConfiguration { provider, message } => (provider, message),
        other => panic!("expected InvalidConfiguration: {other:?}"),
    }
}
use sigv4::transport::{from_fn, RequestOptions, Transport, UreqTransport};

/// A transport over ureq that records every request body.
fn recording_transport() -> (Arc<dyn Transport>, Arc<Mutex<Vec<String>>>) {
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let b = bodies.clone();
    let inner = UreqTransport::new();
    let t = from_fn(
        move |request: http::Request<Vec<u8>>, options: &RequestOptions| {
            b.lock()
                .unwrap()
                .push(String::from_utf8_lossy(request.body()).into_owned());
            inner.send(request, options)
        },
    );
    (Arc::new(t), bodies)
}

#[test]
fn three_hop_chain_with_mfa_against_moto() {
    let moto = MotoServer::start();
    let user = peer_client(
        moto.endpoint(),
        Credentials::new(&moto.access_key, &moto.secret_key),
    );
    let r1 = create_role(&user, "hop-one");
    let r2 = create_role(&user, "hop-two");
    let r3 = create_role(&user, "hop-three");

    let dir = TempDir::new("assume-role-chain");
    let config = dir.write(
        "config",
        &format!(
            "[profile dev]\nrole_arn = {r3}\nsource_profile = hop2\nrole_session_name = dev-session\n\
             mfa_serial = arn:aws:iam::123456789012:mfa/sigv4-test\nduration_seconds = 900\n\
             [profile hop2]\nrole_arn = {r2}\nsource_profile = hop1\nexternal_id = ext-2\n\
             [profile hop1]\nrole_arn = {r1}\nsource_profile = base\n\
             [profile cyc-a]\nrole_arn = {r1}\nsource_profile = cyc-b\n\
             [profile cyc-b]\nrole_arn = {r2}\nsource_profile = cyc-a\n"
        ),
    );
    let credentials = dir.write(
        "credentials",
        &format!(
            "[base]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            moto.access_key, moto.secret_key
        ),
    );
    let locations = |profile: &str| FileLocations {
        config: Some(config.clone()),
        credentials: Some(credentials.clone()),
        profile: profile.into(),
    };
    let (transport, bodies) = recording_transport();
    let sts = StsSettings::new(transport.clone())
        .endpoint_url(moto.endpoint())
        .region("us-east-1")
        .retry_policy(RetryPolicy::none());
    let prompts = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let p = prompts.clone();
    let mfa: MfaTokenProvider = Arc::new(move |profile: &str, serial: &str| {
        p.lock()
            .unwrap()
            .push((profile.to_owned(), serial.to_owned()));
        Ok("123456".to_owned())
    });

    let provider =
        AssumeRoleProvider::new(Env::from_map([("HOME", "/nonexistent")]), transport.clone())
            .with_locations(locations("dev"))
            .with_sts_settings(sts.clone())
            .with_mfa_token_provider(mfa.clone());
    let chain = provider.plan().unwrap().expect("a role chain");
    assert_eq!(chain.hops.len(), 3);
    let creds = provider.provide().unwrap();
    assert_eq!(
        creds.source(),
        format!(
            "profile dev: assume role {r3} (MFA) via source_profile hop2: assume role {r2} via source_profile hop1: \
             assume role {r1} via source_profile base (static keys)"
        )
    );
    assert!(creds.session_token().is_some() && creds.expires_at().is_some());

    // Three AssumeRole calls, innermost first; MFA and external id where configured.
    let sent = bodies.lock().unwrap().clone();
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert!(sent[0].contains("RoleArn=arn%3Aaws%3Aiam%3A%3A") && sent[0].contains("hop-one"));
    assert!(sent[1].contains("hop-two") && sent[1].contains("ExternalId=ext-2"));
    assert!(sent[2].contains("hop-three") && sent[2].contains("RoleSessionName=dev-session"));
    assert!(sent[2].contains(
        "SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Fsigv4-test&TokenCode=123456"
    ));
    assert!(sent[2].contains("DurationSeconds=900"));
    assert!(!sent[0].contains("TokenCode") && !sent[1].contains("TokenCode"));
    assert_eq!(
        *prompts.lock().unwrap(),
        vec![(
            "dev".to_owned(),
            "arn:aws:iam::123456789012:mfa/sigv4-test".to_owned()
        )]
    );

    // The credentials are the last role's.
    let me = user
        .with_credentials(Arc::new(StaticProvider::new(creds)))
        .get_caller_identity()
        .unwrap();
    assert!(
        me.arn.contains(":assumed-role/hop-three/dev-session"),
        "{}",
        me.arn
    );

    // Without an MFA callback: a clear configuration error, no STS call for
    // that hop (the two hops below it are assumed first).
    let before = bodies.lock().unwrap().len();
    let no_mfa =
        AssumeRoleProvider::new(Env::from_map([("HOME", "/nonexistent")]), transport.clone())
            .with_locations(locations("dev"))
            .with_sts_settings(sts.clone());
    let err = no_mfa.provide().unwrap_err();
    assert_eq!(
        invalid_configuration(&err),
        (
            "assume-role",
            "profile `dev` has mfa_serial but no MFA token provider was given"
        )
    );
    let sent = bodies.lock().unwrap()[before..].to_vec();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        sent[0].contains("hop-one") && sent[1].contains("hop-two"),
        "{sent:?}"
    );

    // A cycle is a clear error naming the profiles, before any call.
    let before = bodies.lock().unwrap().len();
    let cyclic =
        AssumeRoleProvider::new(Env::from_map([("HOME", "/nonexistent")]), transport.clone())
            .with_locations(locations("cyc-a"))
            .with_sts_settings(sts.clone());
    let err = cyclic.provide().unwrap_err();
    assert_eq!(
        invalid_configuration(&err),
        (
            "assume-role",
            "source_profile cycle: cyc-a -> cyc-b -> cyc-a"
        )
    );
    assert_eq!(bodies.lock().unwrap().len(), before);

    // In the CLI's chain (role slot), explain() shows the hops.
    let env = Env::from_map([
        ("HOME", "/nonexistent"),
        ("AWS_CONFIG_FILE", config.to_str().unwrap()),
        ("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap()),
        ("AWS_PROFILE", "hop1"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL_STS", moto.endpoint().as_str()),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]);
    let report = DefaultChainBuilder::new()
        .env(env)
        .transport(transport)
        .build()
        .explain();
    let step = report.step("assume-role").expect("the role slot");
    match &step.outcome {
        Outcome::Used { source, .. } => {
            assert_eq!(
                source,
                &format!("profile hop1: assume role {r1} via source_profile base (static keys)")
            );
        }
        other => panic!("{other:?}\n{report}"),
    }
    assert!(
        report
            .to_string()
            .contains("via source_profile base (static keys)"),
        "{report}"
    );
    assert!(matches!(
        report.step("profile").unwrap().outcome,
        Outcome::NotReached
    ));
    assert!(!report.to_string().contains(&moto.secret_key));
}

/// STS answering AssumeRoleWithWebIdentity (unsigned) and AssumeRole
/// (signed) from a script; moto cannot serve unsigned STS calls while it
/// checks signatures.
fn scripted_sts(calls: Arc<Mutex<Vec<(bool, String)>>>) -> Arc<dyn Transport> {
    Arc::new(from_fn(
        move |request: http::Request<Vec<u8>>, _: &RequestOptions| {
            let body = String::from_utf8_lossy(request.body()).into_owned();
            let signed = request.headers().contains_key("authorization");
            calls.lock().unwrap().push((signed, body.clone()));
            let (action, key) = if body.starts_with("Action=AssumeRoleWithWebIdentity") {
                ("AssumeRoleWithWebIdentity", "ASIAWEB")
            } else {
                ("AssumeRole", "ASIAROLE")
            };
            let xml = format!(
            "<{action}Response><{action}Result><AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s</Arn>\
             <AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>{key}</AccessKeyId>\
             <SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken>\
             <Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></{action}Result></{action}Response>"
        );
            Ok(http::Response::new(xml.into_bytes()))
        },
    ))
}

#[test]
fn web_identity_profiles_and_environment() {
    let dir = TempDir::new("web-identity");
    let token = dir.write("token", "header.payload.signature\n");
    let config = dir.write(
        "config",
        &format!(
            "[profile web]\nrole_arn = arn:aws:iam::1:role/web\nweb_identity_token_file = {}\nrole_session_name = w\n\
             [profile above]\nrole_arn = arn:aws:iam::1:role/above\nsource_profile = web\n",
            token.display()
        ),
    );
    let calls = Arc::new(Mutex::new(Vec::new()));
    let transport = scripted_sts(calls.clone());
    let sts = StsSettings::new(transport.clone()).region("eu-west-1");
    let provider = |profile: &str| {
        AssumeRoleProvider::new(Env::from_map([("HOME", "/nonexistent")]), transport.clone())
            .with_locations(FileLocations {
                config: Some(config.clone()),
                credentials: None,
                profile: profile.into(),
            })
            .with_sts_settings(sts.clone())
    };
    let c = provider("web").provide().unwrap();
    assert_eq!(c.access_key_id(), "ASIAWEB");
    assert_eq!(
        c.source(),
        "profile web: assume role arn:aws:iam::1:role/web with web identity token file"
    );
    let c = provider("above").provide().unwrap();
    assert_eq!(c.access_key_id(), "ASIAROLE");
    let calls = calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 3);
    assert!(
        !calls[0].0
            && calls[0]
                .1
                .ends_with("&WebIdentityToken=header.payload.signature")
    );
    assert!(!calls[1].0, "web identity calls are unsigned");
    assert!(
        calls[2].0 && calls[2].1.starts_with("Action=AssumeRole&"),
        "AssumeRole is signed with the web identity credentials"
    );

    // The environment variant, in the chain.
    let calls = Arc::new(Mutex::new(Vec::new()));
    let env = Env::from_map([
        ("HOME", "/nonexistent"),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token.to_str().unwrap()),
        ("AWS_ROLE_ARN", "arn:aws:iam::1:role/irsa"),
        ("AWS_ROLE_SESSION_NAME", "pod"),
        ("AWS_REGION", "eu-west-1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]);
    let report = DefaultChainBuilder::new()
        .env(env)
        .transport(scripted_sts(calls.clone()))
        .build()
        .explain();
    match &report.step("assume-role").unwrap().outcome {
        Outcome::Skipped(reason) => assert_eq!(
            reason,
            &SkipReason::Other("profile `default` has no role_arn".into()),
            "{report}"
        ),
        other => panic!("{other:?}\n{report}"),
    }
    match &report.step("web-identity").unwrap().outcome {
        Outcome::Used {
            source,
            access_key_id,
            ..
        } => {
            assert_eq!(access_key_id, "ASIAWEB");
            assert!(source.contains("arn:aws:iam::1:role/irsa"), "{source}");
        }
        other => panic!("{other:?}"),
    }
    assert!(calls.lock().unwrap()[0].1.contains("RoleSessionName=pod"));
    assert!(!report.to_string().contains("header.payload"));
}
