//! The names of every environment variable the crate reads, in one place.
//!
//! Grouped by who reads them; the AWS CLI and SDKs use the same names.

// Static credentials (the environment provider).

/// The access key id.
pub const AWS_ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
/// The secret access key.
pub const AWS_SECRET_ACCESS_KEY: &str = "AWS_SECRET_ACCESS_KEY";
/// The session token.
pub const AWS_SESSION_TOKEN: &str = "AWS_SESSION_TOKEN";
/// The legacy name of the session token, used when `AWS_SESSION_TOKEN` is
/// unset.
pub const AWS_SECURITY_TOKEN: &str = "AWS_SECURITY_TOKEN";
/// When the credentials expire (RFC 3339).
pub const AWS_CREDENTIAL_EXPIRATION: &str = "AWS_CREDENTIAL_EXPIRATION";

// TLS.

/// A PEM bundle of the certificate authorities to trust instead of the
/// built-in roots (the AWS CLI's `--ca-bundle`; `sigv4 proxy` reads it).
pub const AWS_CA_BUNDLE: &str = "AWS_CA_BUNDLE";

// Shared config files and profile selection.

/// Overrides the config file path.
pub const AWS_CONFIG_FILE: &str = "AWS_CONFIG_FILE";
/// Overrides the credentials file path.
pub const AWS_SHARED_CREDENTIALS_FILE: &str = "AWS_SHARED_CREDENTIALS_FILE";
/// Selects the profile.
pub const AWS_PROFILE: &str = "AWS_PROFILE";
/// The home directory (every platform; first choice on Windows too).
pub const HOME: &str = "HOME";
/// The home directory on Windows, when `HOME` is unset.
pub const USERPROFILE: &str = "USERPROFILE";
/// The drive of the home directory on Windows (with [`HOMEPATH`]).
pub const HOMEDRIVE: &str = "HOMEDRIVE";
/// The path of the home directory on Windows (with [`HOMEDRIVE`]).
pub const HOMEPATH: &str = "HOMEPATH";

// Region.

/// The region (first choice).
pub const AWS_REGION: &str = "AWS_REGION";
/// The region (second choice).
pub const AWS_DEFAULT_REGION: &str = "AWS_DEFAULT_REGION";

// Endpoints.

/// An endpoint for every service.
pub const AWS_ENDPOINT_URL: &str = "AWS_ENDPOINT_URL";
/// An endpoint for STS (wins over [`AWS_ENDPOINT_URL`]).
pub const AWS_ENDPOINT_URL_STS: &str = "AWS_ENDPOINT_URL_STS";
/// An endpoint for the IAM Identity Center portal (`GetRoleCredentials`).
pub const AWS_ENDPOINT_URL_SSO: &str = "AWS_ENDPOINT_URL_SSO";
/// An endpoint for SSO OIDC (`CreateToken`, `RegisterClient`...).
pub const AWS_ENDPOINT_URL_SSO_OIDC: &str = "AWS_ENDPOINT_URL_SSO_OIDC";
/// An endpoint for the sign-in service (`aws login` token refresh).
pub const AWS_ENDPOINT_URL_SIGNIN: &str = "AWS_ENDPOINT_URL_SIGNIN";
/// An endpoint for S3.
pub const AWS_ENDPOINT_URL_S3: &str = "AWS_ENDPOINT_URL_S3";
/// The prefix of every service-specific endpoint variable
/// (`AWS_ENDPOINT_URL_<SERVICE>`).
pub const AWS_ENDPOINT_URL_PREFIX: &str = "AWS_ENDPOINT_URL_";
/// `true`: ignore every configured endpoint URL.
pub const AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: &str = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";

// Container credentials (the container provider).

/// Path on the ECS agent.
pub const AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: &str = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
/// Full URL of the endpoint.
pub const AWS_CONTAINER_CREDENTIALS_FULL_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
/// The `Authorization` header value.
pub const AWS_CONTAINER_AUTHORIZATION_TOKEN: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
/// A file holding the `Authorization` header value.
pub const AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";

// Instance metadata.

/// `true` turns the instance metadata service off.
pub const AWS_EC2_METADATA_DISABLED: &str = "AWS_EC2_METADATA_DISABLED";
/// `true` forbids the IMDSv1 fallback.
pub const AWS_EC2_METADATA_V1_DISABLED: &str = "AWS_EC2_METADATA_V1_DISABLED";
/// Seconds to wait for each IMDS request.
pub const AWS_METADATA_SERVICE_TIMEOUT: &str = "AWS_METADATA_SERVICE_TIMEOUT";
/// Attempts per IMDS request.
pub const AWS_METADATA_SERVICE_NUM_ATTEMPTS: &str = "AWS_METADATA_SERVICE_NUM_ATTEMPTS";
/// An explicit IMDS endpoint.
pub const AWS_EC2_METADATA_SERVICE_ENDPOINT: &str = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
/// `IPv4` or `IPv6`: which default IMDS endpoint.
pub const AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: &str = "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE";

// Web identity (the web-identity provider).

/// The OIDC token file.
pub const AWS_WEB_IDENTITY_TOKEN_FILE: &str = "AWS_WEB_IDENTITY_TOKEN_FILE";
/// The role to assume with it.
pub const AWS_ROLE_ARN: &str = "AWS_ROLE_ARN";
/// The session name.
pub const AWS_ROLE_SESSION_NAME: &str = "AWS_ROLE_SESSION_NAME";

// Login sessions (`aws login`).

/// The directory of the `aws login` token cache (default `~/.aws/login/cache`).
pub const AWS_LOGIN_CACHE_DIRECTORY: &str = "AWS_LOGIN_CACHE_DIRECTORY";
