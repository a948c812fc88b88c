//! The client's STS and query calls against moto on 127.0.0.1 with
//! signature checking on (a missing moto fails the test with the command
//! that installs it).
#![cfg(feature = "client")]

use crate::support::{create_role, peer_client, MotoServer};
use std::time::Duration;

use sigv4::api::query_protocol::{DryRunOutcome, QueryCall};
use sigv4::api::sts::{AssumeRole, GetCallerIdentity, GetSessionToken};
use sigv4::api::{ErrorFormat, Operation};
use sigv4::client::{Client, ClientError};
use sigv4::credentials::Credentials;
use sigv4::sign::SigningTime;
use sigv4::transport::{RequestOptions, Transport, UreqTransport};

fn client_for(moto: &MotoServer, credentials: Credentials) -> Client {
    peer_client(moto.endpoint(), credentials)
}

fn user_client(moto: &MotoServer) -> Client {
    client_for(moto, Credentials::new(&moto.access_key, &moto.secret_key))
}

#[test]
fn sts_calls_against_moto() {
    let moto = MotoServer::start();
    let client = user_client(&moto);

    // GetCallerIdentity: the IAM user.
    let me = client.get_caller_identity().unwrap();
    assert!(me.arn.ends_with(":user/sigv4-test"), "{}", me.arn);
    assert_eq!(me.arn.split(':').nth(4), Some(me.account.as_str()));

    // GetSessionToken with MFA parameters (moto accepts any serial/code).
    let session = client
        .get_session_token(
            &GetSessionToken::new()
                .duration(Duration::from_secs(900))
                .mfa("arn:aws:iam::123456789012:mfa/sigv4-test", "123456"),
        )
        .unwrap();
    assert_eq!(session.source(), "sts:get-session-token");
    assert!(session.session_token().is_some() && session.expires_at().is_some());
    // moto answers GetSessionToken with the fixed documentation key
    // AKIAIOSFODNN7EXAMPLE, which belongs to no IAM user it knows. moto looks
    // the access key up before it computes any signature, so a call signed
    // with these credentials is refused as an unknown key, 403
    // InvalidClientTokenId, and its signature is never checked (on AWS the
    // credentials work).
    assert_eq!(session.access_key_id(), "AKIAIOSFODNN7EXAMPLE");
    let err = client_for(&moto, session)
        .get_caller_identity()
        .unwrap_err();
    let api = err.api_error().unwrap_or_else(|| panic!("{err}"));
    assert_eq!(
        (api.status, api.code.as_str(), api.error_type.as_deref()),
        (403, "InvalidClientTokenId", Some("Sender")),
        "{err}"
    );
    assert_eq!(
        api.message.as_deref(),
        Some("The security token included in the request is invalid.")
    );
    assert_eq!(api.format, ErrorFormat::QueryXml);
    assert!(api.signature_mismatch.is_none(), "{api:?}");

    // AssumeRole on a role created through IAM; the credentials work.
    let role_arn = create_role(&client, "sigv4-client-role");
    let assumed = client
        .assume_role(
            &AssumeRole::new(&role_arn, "it-session")
                .duration(Duration::from_secs(900))
                .external_id("ext"),
        )
        .unwrap();
    assert_eq!(assumed.credentials.source(), "sts:assume-role");
    assert!(
        assumed
            .arn
            .contains(":assumed-role/sigv4-client-role/it-session"),
        "{}",
        assumed.arn
    );
    assert_eq!(assumed.account(), Some(me.account.as_str()));
    let as_role = client_for(&moto, assumed.credentials.clone())
        .get_caller_identity()
        .unwrap();
    assert_eq!(as_role.arn, assumed.arn);

    // EC2 dry run: moto answers DryRunOperation.
    let dry = client
        .dry_run(&QueryCall::new("ec2", "DescribeInstances", "2016-11-15"))
        .unwrap();
    assert_eq!(dry, DryRunOutcome::WouldSucceed);
}

/// DecodeAuthorizationMessage is not implemented by moto (5.x): the signed
/// call passes moto's signature check, then its dispatcher raises
/// `NotImplementedError` and Werkzeug answers `500 Internal Server Error`
/// with an HTML page. That must come back as a typed API error: status 500,
/// the code derived from the status (`InternalError`), no message, and the
/// body recognized as no AWS error shape (the parser is tested on AWS's
/// documented answer in the unit tests).
#[test]
fn decode_authorization_message_is_a_typed_error_on_moto() {
    let moto = MotoServer::start();
    let client = user_client(&moto);
    let err = client.decode_authorization_message("EXAMPLE").unwrap_err();
    let ClientError::Api(api) = &err else {
        panic!("expected an API error: {err:?}")
    };
    assert_eq!(
        (api.status, api.code.as_str(), api.format),
        (500, "InternalError", ErrorFormat::Unknown),
        "{err}"
    );
    assert_eq!(
        (api.message.as_deref(), api.error_type.as_deref()),
        (None, None)
    );
    assert!(
        api.signature_mismatch.is_none() && api.details.is_empty(),
        "{api:?}"
    );
}

#[test]
fn tampered_requests_are_signature_mismatches() {
    let moto = MotoServer::start();
    let client = user_client(&moto);
    let creds = Credentials::new(&moto.access_key, &moto.secret_key);
    let op = GetCallerIdentity;
    let request = op.build(client.config()).unwrap();
    let transport = UreqTransport::new();

    // Changed body after signing.
    let mut signed = request
        .sign(Some(&creds), SigningTime::now(), None)
        .unwrap()
        .request;
    *signed.body_mut() = b"Action=GetCallerIdentity&Version=2011-06-15&X=1".to_vec();
    let response = transport.send(signed, &RequestOptions::new()).unwrap();
    let err = op.parse(response).unwrap_err();
    let api = err.api_error().expect("API error");
    assert_eq!(
        (api.status, api.code.as_str()),
        (403, "SignatureDoesNotMatch"),
        "{err}"
    );
    assert!(api.signature_mismatch.is_some());

    // One signature character flipped.
    let mut signed = request
        .sign(Some(&creds), SigningTime::now(), None)
        .unwrap()
        .request;
    let auth = signed.headers()["authorization"]
        .to_str()
        .unwrap()
        .to_owned();
    let last = auth.chars().last().unwrap();
    let flipped = format!(
        "{}{}",
        &auth[..auth.len() - 1],
        if last == '0' { '1' } else { '0' }
    );
    signed
        .headers_mut()
        .insert("authorization", flipped.parse().unwrap());
    let response = transport.send(signed, &RequestOptions::new()).unwrap();
    let err = op.parse(response).unwrap_err();
    let api = err.api_error().expect("API error");
    assert_eq!(
        (api.status, api.code.as_str()),
        (403, "SignatureDoesNotMatch"),
        "{err}"
    );

    // Through the client with a wrong secret: our canonical request is attached.
    let bad = client_for(&moto, Credentials::new(&moto.access_key, "wrong-secret"));
    let err = bad.get_caller_identity().unwrap_err();
    let api = err.api_error().expect("API error");
    assert_eq!(
        (api.status, api.code.as_str()),
        (403, "SignatureDoesNotMatch"),
        "{err}"
    );
    let m = api.signature_mismatch.as_deref().unwrap();
    assert!(m
        .our_canonical_request
        .as_deref()
        .unwrap()
        .starts_with("POST\n/\n"));
    assert!(!format!("{err} {err:?}").contains("wrong-secret"));
}
