//! Command-line definitions.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Sign and send AWS requests, presign S3 URLs, explain credentials, query IMDS, run STS flows.
#[derive(Debug, Parser)]
#[command(name = "sigv4", version, about, long_about = None, propagate_version = true)]
#[command(after_help = "Examples:\n  \
    sigv4 --example-credentials presign s3://examplebucket/test.txt\n  \
    sigv4 sign -X POST -d 'Action=GetCallerIdentity&Version=2011-06-15' https://sts.amazonaws.com/\n  \
    sigv4 credentials")]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args, Clone)]
pub struct Global {
    /// Shared config profile to use (overrides AWS_PROFILE).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// Region to sign for (default: AWS_REGION, AWS_DEFAULT_REGION, the profile, us-east-1).
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// Send requests to this endpoint instead of AWS (MinIO, moto, a local S3 ...).
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Output format (html: presign-post only).
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// Log each step to stderr (never secrets).
    #[arg(long, global = true)]
    pub debug: bool,
    /// Use the AWS documentation's example keys (AKIAIOSFODNN7EXAMPLE): for demos, no account needed.
    #[arg(long, global = true)]
    pub example_credentials: bool,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// Human-readable text.
    Text,
    /// One JSON object.
    Json,
    /// A standalone HTML page (presign-post: the upload form).
    Html,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign a request without sending it and print the request to send.
    #[command(after_help = "Examples:\n  \
        sigv4 sign https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15\n  \
        sigv4 sign -X PUT -H 'content-type: text/plain' -d @notes.txt --output json https://bucket.s3.us-west-2.amazonaws.com/notes.txt\n  \
        sigv4 --example-credentials sign --timestamp 20150830T123600Z --service iam 'https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08'\n  \
        sigv4 sign --region-set us-east-1,eu-west-1 --output json https://bucket.s3.amazonaws.com/key   # SigV4a")]
    Sign(RequestArgs),
    /// Sign and send a request (like curl), print the response body.
    #[command(after_help = "Examples:\n  \
        sigv4 curl -X POST -d 'Action=GetCallerIdentity&Version=2011-06-15' https://sts.amazonaws.com/\n  \
        sigv4 curl -i https://my-bucket.s3.eu-west-1.amazonaws.com/?list-type=2\n  \
        sigv4 curl -o cat.jpg https://my-bucket.s3.amazonaws.com/cat.jpg\n  \
        sigv4 curl -T backup.tar https://my-bucket.s3.amazonaws.com/backup.tar   # streamed, signed 64 KiB chunks\n  \
        sigv4 curl -T backup.tar --checksum crc64nvme https://my-bucket.s3.amazonaws.com/backup.tar   # + signed checksum trailer\n  \
        sigv4 curl -T backup.tar --upload-mode unsigned-trailer --checksum crc32c https://my-bucket.s3.amazonaws.com/backup.tar\n\n\
        -T FILE and -o FILE stream: the file is never held in memory. A progress bar (bytes, rate, ETA) goes to stderr\n\
        when stderr is a terminal, and nothing otherwise.\n\n\
        Exit code 22 when the server answers with a non-2xx status (AWS's error code and message go to stderr).")]
    Curl(CurlArgs),
    /// Presign an S3 URL (s3://bucket/key or an http(s) URL).
    #[command(after_help = "Examples:\n  \
        sigv4 presign s3://my-bucket/report.pdf\n  \
        sigv4 presign -X PUT --expires-in 600 -H 'content-type: image/png' s3://my-bucket/cat.png\n  \
        sigv4 presign --endpoint-url http://127.0.0.1:9000 --path-style s3://local-bucket/key\n  \
        sigv4 presign -X PUT --part-number 2 --upload-id \"$UPLOAD_ID\" s3://my-bucket/big.bin   # one multipart part\n  \
        sigv4 presign s3://arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap/report.pdf   # SigV4a, region set *")]
    Presign(PresignArgs),
    /// Presign a POST form for browser uploads to S3 (a POST policy and its signature).
    #[command(
        after_help = "The key: a target ending in `/` (or a bucket alone) lets the uploader name the \
        object: the key field is the prefix followed by ${filename}, which S3 replaces with the uploaded \
        file's name, and the policy allows any key starting with the prefix. Any other target is the \
        exact key.\n\n\
        Output: text (the URL, then `name: value` lines), --output json ({\"url\": ..., \"fields\": {...}}, \
        fields in order), --output html (an upload page to open in a browser). The form sends the fields, \
        then the file in the field `file`, last.\n\n\
        Examples:\n  \
        sigv4 presign-post --content-length-range 1..10485760 --content-type image/png s3://my-bucket/avatars/\n  \
        sigv4 presign-post --output html --success-action-status 201 s3://my-bucket/inbox/ > upload.html\n  \
        sigv4 presign-post --acl public-read --field x-amz-meta-owner=alice --output json s3://my-bucket/report.pdf\n  \
        sigv4 presign-post --condition '[\"starts-with\", \"$Content-Type\", \"image/\"]' s3://my-bucket/img/\n  \
        sigv4 --endpoint-url http://127.0.0.1:9000 presign-post --output html s3://local-bucket/"
    )]
    PresignPost(PresignPostArgs),
    /// Show which credential provider answered, and why the ones before it did not.
    #[command(after_help = "Examples:\n  \
        sigv4 credentials\n  \
        sigv4 --profile dev credentials --output json\n  \
        eval \"$(sigv4 --profile dev credentials --export env)\"\n  \
        credential_process = sigv4 credentials --export process --profile dev   (in ~/.aws/config)\n  \
        AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:1338 sigv4 credentials")]
    Credentials(CredentialsArgs),
    /// Query the EC2 instance metadata service, or run a local emulator of it.
    #[command(subcommand)]
    Imds(ImdsCommand),
    /// STS: who am I, session tokens with MFA, assume a role, decode authorization messages.
    #[command(subcommand)]
    Sts(StsCommand),
    /// EC2: check permissions with dry runs.
    #[command(subcommand)]
    Ec2(Ec2Command),
    /// IAM Identity Center: log in (device authorization) and out, writing the AWS CLI's token cache.
    #[command(subcommand)]
    Sso(SsoCommand),
    /// A local signing reverse proxy: tools that speak plain HTTP send to it, it signs and forwards.
    #[command(
        after_help = "Every request is stripped of incoming Authorization and X-Amz-* \
        signing headers and presigned query parameters, signed with the default credential chain \
        (refreshed before expiry), and forwarded; the answer streams back unchanged. One access-log \
        line per request goes to stderr; the first line on stdout is the address listened on.\n\n\
        Bodies: S3 (and any service with --unsigned-payload) streams them as UNSIGNED-PAYLOAD; \
        other services get bodies hashed and signed, up to --max-body-bytes (413 beyond).\n\n\
        Examples:\n  \
        sigv4 proxy --upstream https://aps-workspaces.eu-west-1.amazonaws.com --listen 127.0.0.1:8005\n  \
        sigv4 --profile search proxy --upstream https://search-logs-abc.eu-west-1.es.amazonaws.com --health-path /_proxy/health\n  \
        sigv4 proxy --upstream https://my-bucket.s3.eu-west-1.amazonaws.com --listen 127.0.0.1:0\n  \
        aws --no-sign-request --endpoint-url http://127.0.0.1:8080 s3 ls s3://my-bucket/   # through a proxy to S3"
    )]
    Proxy(ProxyArgs),
}

/// Which `Host` the forwarded request carries (and signs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HostHeader {
    /// The upstream URL's host (and port).
    Upstream,
    /// The client's own `Host` header, as it was sent to the proxy.
    Keep,
}

/// Arguments of `proxy`.
#[derive(Debug, Args, Clone)]
pub struct ProxyArgs {
    /// Where requests go: http(s)://host[:port][/base/path] (a base path is put before every request path).
    #[arg(long, value_name = "URL")]
    pub upstream: String,
    /// Address to listen on: HOST:PORT, or a PORT alone for 127.0.0.1 (0: any free port, printed on start).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: String,
    /// Service to sign for (default: inferred from the upstream host name).
    #[arg(long, value_name = "SERVICE")]
    pub service: Option<String>,
    /// Stream every body as UNSIGNED-PAYLOAD (x-amz-content-sha256), whatever the service.
    #[arg(long)]
    pub unsigned_payload: bool,
    /// Largest body hashed and signed when bodies are signed (larger: 413).
    #[arg(long, default_value_t = 10 * 1024 * 1024, value_name = "BYTES")]
    pub max_body_bytes: u64,
    /// The Host the upstream sees and the signature covers.
    #[arg(long, value_enum, default_value_t = HostHeader::Upstream)]
    pub host_header: HostHeader,
    /// A header removed from every request before signing (repeatable).
    #[arg(long = "strip-header", value_name = "NAME")]
    pub strip_headers: Vec<String>,
    /// Sign with SigV4a (ECDSA P-256) for the region set of --region-set, else for the region alone.
    #[arg(long)]
    pub sigv4a: bool,
    /// SigV4a region set: `R1,R2,...` or `*` (implies --sigv4a).
    #[arg(long, value_name = "R1,R2|*")]
    pub region_set: Option<String>,
    /// Seconds to wait for the upstream: to connect, for the response head, and between reads of a body.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub upstream_timeout: u64,
    /// Trust the certificate authorities in this PEM file for an https
    /// upstream, instead of the built-in (webpki) roots; default: AWS_CA_BUNDLE.
    #[arg(long, value_name = "FILE")]
    pub ca_bundle: Option<std::path::PathBuf>,
    /// Answer GET/HEAD on this path with 200 without going upstream (off by default: it could hide an upstream path).
    #[arg(long, value_name = "/PATH")]
    pub health_path: Option<String>,
    /// Seconds in-flight requests get to finish after SIGINT/SIGTERM.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub shutdown_timeout: u64,
}

/// `sso` subcommands.
#[derive(Debug, Subcommand)]
pub enum SsoCommand {
    /// Log in with the device authorization flow; the AWS CLI and SDKs then use the token too.
    #[command(after_help = "Examples:\n  \
        sigv4 sso login --profile dev\n  \
        sigv4 sso login --sso-session my-sso --no-browser")]
    Login(SsoLoginArgs),
    /// Remove the cached token (and client registration) of a profile or sso-session.
    #[command(after_help = "Examples:\n  \
        sigv4 sso logout --profile dev")]
    Logout(SsoSessionArgs),
}

/// Which SSO setup: `--sso-session`, else the profile (`--profile`, `AWS_PROFILE`, `default`).
#[derive(Debug, Args, Clone)]
pub struct SsoSessionArgs {
    /// The `[sso-session NAME]` to use instead of a profile's.
    #[arg(long, value_name = "NAME")]
    pub sso_session: Option<String>,
}

/// Arguments of `sso login`.
#[derive(Debug, Args, Clone)]
pub struct SsoLoginArgs {
    #[command(flatten)]
    pub session: SsoSessionArgs,
    /// Only print the URL and code; do not try to open a browser (else: `BROWSER`, then
    /// `open` on macOS or `xdg-open` when DISPLAY / WAYLAND_DISPLAY is set).
    #[arg(long)]
    pub no_browser: bool,
}

/// `sts` subcommands.
#[derive(Debug, Subcommand)]
pub enum StsCommand {
    /// Print the account, ARN and user id of the current credentials (GetCallerIdentity).
    #[command(after_help = "Examples:\n  \
        sigv4 sts whoami\n  \
        sigv4 --profile dev sts whoami --output json")]
    Whoami,
    /// Get temporary credentials, with MFA (GetSessionToken).
    #[command(after_help = "Examples:\n  \
        sigv4 sts get-session-token --serial-number arn:aws:iam::123456789012:mfa/me --token-code 123456 --write-profile mfa\n  \
        sigv4 --profile mfa s3-or-any-command ...   # then use the session with --profile mfa")]
    GetSessionToken(GetSessionTokenArgs),
    /// Assume a role (AssumeRole).
    #[command(after_help = "Examples:\n  \
        sigv4 sts assume-role --role-arn arn:aws:iam::123456789012:role/deploy\n  \
        sigv4 sts assume-role --role-arn arn:aws:iam::123456789012:role/deploy --session-name ci --write-profile deploy")]
    AssumeRole(AssumeRoleArgs),
    /// Decode an encoded authorization failure message (DecodeAuthorizationMessage).
    #[command(after_help = "Examples:\n  \
        sigv4 sts decode-authorization-message 'IYc1...'")]
    DecodeAuthorizationMessage(DecodeArgs),
}

/// Where temporary credentials go.
#[derive(Debug, Args, Clone)]
pub struct WriteProfileArgs {
    /// Write the credentials into this profile of the shared credentials file
    /// (atomically, mode 0600, every other line kept as it was).
    #[arg(long, value_name = "NAME")]
    pub write_profile: Option<String>,
    /// Print the secret access key and session token (default when not writing a profile).
    #[arg(long)]
    pub show_secret: bool,
}

/// Arguments of `sts get-session-token`.
#[derive(Debug, Args, Clone)]
pub struct GetSessionTokenArgs {
    /// The MFA device's ARN (or hardware serial number).
    #[arg(long, value_name = "ARN", requires = "token_code")]
    pub serial_number: Option<String>,
    /// The current code of the MFA device.
    #[arg(long, value_name = "CODE", requires = "serial_number")]
    pub token_code: Option<String>,
    /// Lifetime of the credentials (900..=129600 seconds).
    #[arg(long, value_name = "SECONDS")]
    pub duration_seconds: Option<u32>,
    #[command(flatten)]
    pub write: WriteProfileArgs,
}

/// Arguments of `sts assume-role`.
#[derive(Debug, Args, Clone)]
pub struct AssumeRoleArgs {
    /// The role's ARN.
    #[arg(long, value_name = "ARN")]
    pub role_arn: String,
    /// The role session name (default: sigv4-<unix time>).
    #[arg(long, value_name = "NAME")]
    pub session_name: Option<String>,
    /// Lifetime of the credentials in seconds.
    #[arg(long, value_name = "SECONDS")]
    pub duration_seconds: Option<u32>,
    /// The external id the role's trust policy asks for.
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
    /// The MFA device's ARN, when the trust policy requires MFA.
    #[arg(long, value_name = "ARN", requires = "token_code")]
    pub serial_number: Option<String>,
    /// The current MFA code.
    #[arg(long, value_name = "CODE", requires = "serial_number")]
    pub token_code: Option<String>,
    #[command(flatten)]
    pub write: WriteProfileArgs,
}

/// Arguments of `sts decode-authorization-message`.
#[derive(Debug, Args, Clone)]
pub struct DecodeArgs {
    /// The encoded message from an authorization failure.
    pub message: String,
}

/// `ec2` subcommands.
#[derive(Debug, Subcommand)]
pub enum Ec2Command {
    /// Does this identity have permission? Sends ACTION with DryRun=true.
    #[command(after_help = "Examples:\n  \
        sigv4 ec2 dry-run DescribeInstances\n  \
        sigv4 --region eu-west-1 ec2 dry-run RunInstances ImageId=ami-0123456789abcdef0 InstanceType=t3.micro MinCount=1 MaxCount=1\n\n\
        Exit code 0 when the call would succeed, 1 when it is not permitted.")]
    DryRun(DryRunArgs),
}

/// Arguments of `ec2 dry-run`.
#[derive(Debug, Args, Clone)]
pub struct DryRunArgs {
    /// The EC2 action, e.g. DescribeInstances.
    pub action: String,
    /// Parameters, `Name=Value` (repeatable).
    #[arg(value_name = "PARAM=VALUE")]
    pub params: Vec<String>,
    /// The EC2 API version.
    #[arg(long, default_value = "2016-11-15")]
    pub api_version: String,
}

/// Arguments of `credentials`.
#[derive(Debug, Args, Clone)]
pub struct CredentialsArgs {
    /// Also print the secret access key and session token.
    #[arg(long)]
    pub show_secret: bool,
    /// Print the credentials for another tool instead of the report, like
    /// `aws configure export-credentials` (secrets included).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub export: Option<ExportFormat>,
}

/// `credentials --export` formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// `export AWS_ACCESS_KEY_ID=...` lines (POSIX shells).
    Env,
    /// `AWS_ACCESS_KEY_ID=...` lines.
    EnvNoExport,
    /// `$Env:AWS_ACCESS_KEY_ID="..."` lines.
    Powershell,
    /// `set AWS_ACCESS_KEY_ID=...` lines.
    WindowsCmd,
    /// The `credential_process` JSON (Version 1, with Expiration).
    Process,
}

/// `imds` subcommands.
#[derive(Debug, Subcommand)]
pub enum ImdsCommand {
    /// Print one metadata value (IMDSv2 by default).
    #[command(after_help = "Examples:\n  \
        sigv4 imds get meta-data/instance-id\n  \
        sigv4 imds get /latest/dynamic/instance-identity/document\n  \
        sigv4 --endpoint-url http://127.0.0.1:1338 imds get meta-data/placement/region")]
    Get(ImdsGetArgs),
    /// List a metadata directory (default: meta-data/).
    #[command(after_help = "Examples:\n  \
        sigv4 imds ls\n  \
        sigv4 imds ls meta-data/iam/security-credentials/")]
    Ls(ImdsLsArgs),
    /// Serve a local IMDS emulator on 127.0.0.1 until interrupted.
    #[command(after_help = "Examples:\n  \
        sigv4 imds serve --port 1338 --require-token --role app-role\n  \
        AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:1338 sigv4 credentials")]
    Serve(ImdsServeArgs),
}

/// Arguments of `imds get`.
#[derive(Debug, Args, Clone)]
pub struct ImdsGetArgs {
    /// Use IMDSv1 (no token).
    #[arg(long)]
    pub v1: bool,
    /// Path: `meta-data/...`, `dynamic/...`, `user-data`, or a full `/latest/...` path.
    pub path: String,
}

/// Arguments of `imds ls`.
#[derive(Debug, Args, Clone)]
pub struct ImdsLsArgs {
    /// Use IMDSv1 (no token).
    #[arg(long)]
    pub v1: bool,
    /// Directory path (a trailing `/` is added).
    #[arg(default_value = "meta-data/")]
    pub path: String,
}

/// Arguments of `imds serve`.
#[derive(Debug, Args, Clone)]
pub struct ImdsServeArgs {
    /// Port on 127.0.0.1 (0: any free port, printed on start).
    #[arg(long, default_value_t = 1338)]
    pub port: u16,
    /// Answer tokenless (IMDSv1) GETs with 401.
    #[arg(long)]
    pub require_token: bool,
    /// The instance profile role name (default: sigv4-emulator-role).
    #[arg(long, value_name = "NAME")]
    pub role: Option<String>,
    /// Serve no instance profile.
    #[arg(long, conflicts_with = "role")]
    pub no_role: bool,
    /// Access key id of the role credentials served (default: an example key).
    #[arg(long, requires = "secret_access_key")]
    pub access_key_id: Option<String>,
    /// Secret access key of the role credentials served.
    #[arg(long, requires = "access_key_id")]
    pub secret_access_key: Option<String>,
    /// Session token of the role credentials served.
    #[arg(long)]
    pub session_token: Option<String>,
    /// Lifetime of the served credentials, in seconds.
    #[arg(long, default_value_t = 21_600)]
    pub credentials_ttl: u64,
    /// A metadata value, `path=value` under meta-data/ (repeatable), e.g. `instance-type=m5.large`.
    #[arg(long = "metadata", value_name = "PATH=VALUE")]
    pub metadata: Vec<String>,
    /// The instance identity document (JSON file) to serve.
    #[arg(long, value_name = "FILE")]
    pub identity_document: Option<String>,
}

/// A request to sign (and for `curl`, to send).
#[derive(Debug, Args, Clone)]
pub struct RequestArgs {
    /// HTTP method.
    #[arg(
        short = 'X',
        long = "request",
        default_value = "GET",
        value_name = "METHOD"
    )]
    pub method: String,
    /// A header to send and sign, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// The body: text, or @FILE to read it from a file.
    #[arg(short = 'd', long = "data", value_name = "DATA|@FILE")]
    pub data: Option<String>,
    /// Service to sign for (default: inferred from the AWS host name).
    #[arg(long, value_name = "SERVICE")]
    pub service: Option<String>,
    /// Signing time, YYYYMMDDTHHMMSSZ (default: now). Makes the output reproducible.
    #[arg(long, value_name = "YYYYMMDDTHHMMSSZ")]
    pub timestamp: Option<String>,
    /// Sign the body as UNSIGNED-PAYLOAD (and send x-amz-content-sha256: UNSIGNED-PAYLOAD).
    #[arg(long)]
    pub unsigned_payload: bool,
    /// Sign with SigV4a (ECDSA P-256) for the region set of --region-set,
    /// else for the region alone. Multi-Region Access Points use it without this flag.
    #[arg(long)]
    pub sigv4a: bool,
    /// SigV4a region set: `R1,R2,...` or `*` (implies --sigv4a).
    #[arg(long, value_name = "R1,R2|*")]
    pub region_set: Option<String>,
    /// The URL, as it goes on the wire (or an S3 Multi-Region Access Point
    /// ARN, `[s3://]arn:aws:s3::ACCOUNT:accesspoint/NAME.mrap/key`).
    pub url: String,
}

/// How `curl -T` frames the upload (aws-chunked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UploadModeArg {
    /// Each chunk signed (STREAMING-AWS4-HMAC-SHA256-PAYLOAD); with --checksum, a signed checksum trailer.
    SignedChunks,
    /// Unsigned chunks and a checksum trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER, what the AWS SDKs send over HTTPS).
    UnsignedTrailer,
}

/// A checksum algorithm of `--checksum`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChecksumArg {
    /// CRC-32 (x-amz-checksum-crc32).
    Crc32,
    /// CRC-32C (x-amz-checksum-crc32c).
    Crc32c,
    /// CRC-64/NVME (x-amz-checksum-crc64nvme).
    Crc64nvme,
    /// SHA-1 (x-amz-checksum-sha1).
    Sha1,
    /// SHA-256 (x-amz-checksum-sha256).
    Sha256,
}

/// Arguments of `curl`.
#[derive(Debug, Args, Clone)]
pub struct CurlArgs {
    #[command(flatten)]
    pub request: RequestArgs,
    /// Upload FILE, streamed as an S3 aws-chunked body (PUT unless -X says otherwise).
    #[arg(short = 'T', long = "upload-file", value_name = "FILE", conflicts_with_all = ["data", "unsigned_payload"])]
    pub upload_file: Option<String>,
    /// How -T frames the upload.
    #[arg(long, value_enum, default_value_t = UploadModeArg::SignedChunks, requires = "upload_file")]
    pub upload_mode: UploadModeArg,
    /// The checksum -T sends in the trailer (default with --upload-mode unsigned-trailer: crc32; none with signed-chunks).
    #[arg(long, value_enum, value_name = "ALGORITHM", requires = "upload_file")]
    pub checksum: Option<ChecksumArg>,
    /// Chunk size of -T in bytes (at least 8192).
    #[arg(
        long,
        default_value_t = 65_536,
        value_name = "BYTES",
        requires = "upload_file"
    )]
    pub chunk_size: usize,
    /// Print the status line and response headers before the body.
    #[arg(short = 'i', long = "include")]
    pub include: bool,
    /// Write the body to FILE instead of stdout.
    #[arg(short = 'o', long = "output-file", value_name = "FILE")]
    pub output_file: Option<String>,
    /// Seconds to wait for the connection, for sending the request head and
    /// for the response head (a body streamed with -T or -o takes as long as it needs).
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub timeout: u64,
}

/// Arguments of `presign-post`.
#[derive(Debug, Args, Clone)]
pub struct PresignPostArgs {
    /// Seconds the form stays valid (1..=604800).
    #[arg(long, default_value_t = 3600, value_name = "SECONDS")]
    pub expires_in: u64,
    /// The file's size in bytes must be within MIN..MAX (inclusive).
    #[arg(long, value_name = "MIN..MAX")]
    pub content_length_range: Option<String>,
    /// The stored object's Content-Type (a form field, exact).
    #[arg(long, value_name = "TYPE")]
    pub content_type: Option<String>,
    /// A canned ACL for the object (private, public-read, ...).
    #[arg(long, value_name = "ACL")]
    pub acl: Option<String>,
    /// The status of a successful upload: 204 (default, empty), 200 (empty) or 201 (XML naming the object).
    #[arg(long, value_name = "200|201|204")]
    pub success_action_status: Option<u16>,
    /// Redirect the browser to this URL after a successful upload (bucket, key and etag added to its query).
    #[arg(long, value_name = "URL")]
    pub success_action_redirect: Option<String>,
    /// A form field and its exact-match condition, `name=value` (repeatable), e.g.
    /// `x-amz-meta-owner=alice`, `x-amz-server-side-encryption=AES256`, `Cache-Control=no-cache`.
    #[arg(long = "field", value_name = "NAME=VALUE")]
    pub fields: Vec<String>,
    /// A further policy condition in JSON (repeatable): an object `{"acl": "private"}`
    /// or an array `["starts-with", "$Content-Type", "image/"]`, `["content-length-range", 1, 1024]`.
    #[arg(long = "condition", value_name = "JSON")]
    pub conditions: Vec<String>,
    /// Use path-style addressing (https://endpoint/bucket).
    #[arg(long)]
    pub path_style: bool,
    /// Signing time, YYYYMMDDTHHMMSSZ (default: now).
    #[arg(long, value_name = "YYYYMMDDTHHMMSSZ")]
    pub timestamp: Option<String>,
    /// s3://bucket/prefix/ (the uploader names the file), s3://bucket/key (exact), or an http(s):// URL.
    pub target: String,
}

/// Arguments of `presign`.
#[derive(Debug, Args, Clone)]
pub struct PresignArgs {
    /// HTTP method the URL is for.
    #[arg(short = 'X', long = "request", default_value = "GET", value_parser = ["GET", "PUT", "HEAD", "DELETE"])]
    pub method: String,
    /// Seconds the URL stays valid (1..=604800).
    #[arg(long, default_value_t = 3600, value_name = "SECONDS")]
    pub expires_in: u64,
    /// A header the user of the URL must send, signed (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// Use path-style addressing (https://endpoint/bucket/key).
    #[arg(long)]
    pub path_style: bool,
    /// Signing time, YYYYMMDDTHHMMSSZ (default: now).
    #[arg(long, value_name = "YYYYMMDDTHHMMSSZ")]
    pub timestamp: Option<String>,
    /// Sign with SigV4a (ECDSA P-256) for the region set of --region-set,
    /// else for the region alone. Multi-Region Access Points use it without this flag.
    #[arg(long)]
    pub sigv4a: bool,
    /// SigV4a region set: `R1,R2,...` or `*` (implies --sigv4a).
    #[arg(long, value_name = "R1,R2|*")]
    pub region_set: Option<String>,
    /// A multipart upload part URL: the part number (1..=10000; needs -X PUT and --upload-id).
    #[arg(long, value_name = "N", requires = "upload_id")]
    pub part_number: Option<u32>,
    /// The multipart upload the part belongs to (from CreateMultipartUpload).
    #[arg(long, value_name = "ID", requires = "part_number")]
    pub upload_id: Option<String>,
    /// s3://bucket/key, an http(s):// URL, or a Multi-Region Access Point
    /// ARN (`[s3://]arn:aws:s3::ACCOUNT:accesspoint/NAME.mrap/key`).
    pub target: String,
}
