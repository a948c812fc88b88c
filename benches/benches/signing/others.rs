//! The competing crates' calls, each as a user of that crate writes it
//! (aws-sigv4 with the S3 client's settings, reqsign driven by a minimal
//! executor): what the groups in `signing.rs` time beside ours.

use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{
    sign as aws_sign, PayloadChecksumKind, PercentEncodingMode, SignableBody,
    SignableRequest as AwsRequest, SigningParams as AwsParams, SigningSettings as AwsSettings,
    UriPathNormalizationMode,
};
use aws_smithy_runtime_api::client::identity::Identity;
use reqsign::SignRequest as _;

use super::{ACCESS_KEY_ID, RANGE, REGION, SECRET, SERVICE, URI};

// ---------------------------------------------------------------- aws-sigv4

pub(crate) fn aws_identity() -> Identity {
    aws_credential_types::Credentials::new(ACCESS_KEY_ID, SECRET, None, None, "bench").into()
}

/// aws-sigv4's settings for S3 (what the S3 client of the SDK uses).
pub(crate) fn aws_s3_settings() -> AwsSettings {
    let mut s = AwsSettings::default();
    s.percent_encoding_mode = PercentEncodingMode::Single;
    s.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    s.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    s
}

pub(crate) fn aws_params<'a>(
    identity: &'a Identity,
    settings: AwsSettings,
    time: SystemTime,
) -> AwsParams<'a> {
    aws_sigv4::sign::v4::SigningParams::builder()
        .identity(identity)
        .region(REGION)
        .name(SERVICE)
        .time(time)
        .settings(settings)
        .build()
        .unwrap()
        .into()
}

/// Header-signs with aws-sigv4; returns the `Authorization` value.
pub(crate) fn aws_header_sign(params: &AwsParams<'_>) -> String {
    let req = AwsRequest::new(
        "GET",
        URI,
        [("range", RANGE)].into_iter(),
        SignableBody::UnsignedPayload,
    )
    .unwrap();
    let out = aws_sign(req, params).unwrap();
    let (instructions, _signature) = out.into_parts();
    let mut headers = instructions.headers();
    headers
        .find(|(name, _)| *name == "authorization")
        .unwrap()
        .1
        .to_owned()
}

pub(crate) fn get_request() -> http::Request<()> {
    http::Request::get(URI).body(()).unwrap()
}

/// Presigns with aws-sigv4 and applies the query to `req` (its URI becomes the URL).
pub(crate) fn aws_presign(params: &AwsParams<'_>, req: &mut http::Request<()>) {
    let signable = AwsRequest::new(
        "GET",
        URI,
        std::iter::empty(),
        SignableBody::UnsignedPayload,
    )
    .unwrap();
    let out = aws_sign(signable, params).unwrap();
    out.into_parts().0.apply_to_request_http1x(req);
}

// ---------------------------------------------------------------- reqsign

pub(crate) fn reqsign_credential() -> reqsign::aws::Credential {
    reqsign::aws::Credential {
        access_key_id: ACCESS_KEY_ID.into(),
        secret_access_key: SECRET.into(),
        session_token: None,
        expires_in: None,
    }
}

pub(crate) fn s3_get_parts() -> http::request::Parts {
    http::Request::get(URI)
        .header("range", RANGE)
        .body(())
        .unwrap()
        .into_parts()
        .0
}

/// reqsign signs in place. Its signing future never awaits anything for a
/// static credential, so a minimal executor drives it.
pub(crate) fn reqsign_sign(
    signer: &reqsign::aws::RequestSigner,
    ctx: &reqsign::Context,
    cred: &reqsign::aws::Credential,
    parts: &mut http::request::Parts,
    expires_in: Option<Duration>,
) {
    pollster::block_on(signer.sign_request(ctx, parts, Some(cred), expires_in)).unwrap();
}
