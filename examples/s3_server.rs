//! An in-memory S3 server behind the verifying `tower` layer
//! (`sigv4::server::VerifyLayer`), on hyper 1 and tokio, for clients nobody
//! here wrote: the AWS CLI, boto3, curl with a presigned URL.
//!
//! Path-style addressing; buckets (created with `PUT /bucket` or given
//! with `--bucket`), PutObject, GetObject (with `Range`), HeadObject,
//! DeleteObject, ListObjectsV2, ListBuckets, HeadBucket, DeleteBucket,
//! CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
//! AbortMultipartUpload. One key pair, from the arguments or the
//! environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`).
//!
//! ```text
//! AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret \
//!     cargo run --example s3_server --features server -- --listen 127.0.0.1:9000 --bucket demo
//! # listening on http://127.0.0.1:9000
//! aws --endpoint-url http://127.0.0.1:9000 s3 cp ./file s3://demo/file
//! ```
//!
//! Options: `--listen ADDR` (default `127.0.0.1:0`, a free port; the bound
//! address is printed on the first line of standard output), `--region`
//! (default `us-east-1`; signatures for other regions are refused),
//! `--bucket NAME` (repeatable), `--access-key-id`, `--secret-access-key`,
//! `--tls-cert PEM --tls-key PEM` (HTTPS with rustls and ring),
//! `--max-object-size BYTES` (default 64 MiB: what one body may hold in
//! memory).

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use sha2::{Digest, Sha256};
use sigv4::server::{BodyPolicy, ErrorResponse, StaticSecrets, VerifiedBody, VerifyLayer};
use tokio::net::TcpListener;
use tokio_rustls::rustls;
use tower::ServiceBuilder;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Answer = Response<Full<Bytes>>;

/// The command line.
struct Args {
    listen: SocketAddr,
    region: String,
    buckets: Vec<String>,
    access_key_id: String,
    secret_access_key: String,
    tls: Option<(String, String)>,
    max_object_size: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut listen = "127.0.0.1:0".to_string();
    let mut region = "us-east-1".to_string();
    let mut buckets = Vec::new();
    let mut access_key_id = std::env::var("AWS_ACCESS_KEY_ID").ok();
    let mut secret_access_key = std::env::var("AWS_SECRET_ACCESS_KEY").ok();
    let (mut cert, mut key) = (None, None);
    let mut max_object_size = 64 * 1024 * 1024;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--listen" => listen = value()?,
            "--region" => region = value()?,
            "--bucket" => buckets.push(value()?),
            "--access-key-id" => access_key_id = Some(value()?),
            "--secret-access-key" => secret_access_key = Some(value()?),
            "--tls-cert" => cert = Some(value()?),
            "--tls-key" => key = Some(value()?),
            "--max-object-size" => {
                max_object_size = value()?
                    .parse()
                    .map_err(|_| "--max-object-size is a number of bytes")?;
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let listen: SocketAddr = listen
        .parse()
        .map_err(|_| format!("--listen {listen:?} is not an IP address and port"))?;
    let tls = match (cert, key) {
        (Some(c), Some(k)) => Some((c, k)),
        (None, None) => None,
        _ => return Err("--tls-cert and --tls-key go together".into()),
    };
    Ok(Args {
        listen,
        region,
        buckets,
        access_key_id: access_key_id
            .ok_or("no access key id (--access-key-id or AWS_ACCESS_KEY_ID)")?,
        secret_access_key: secret_access_key
            .ok_or("no secret (--secret-access-key or AWS_SECRET_ACCESS_KEY)")?,
        tls,
        max_object_size,
    })
}

/// The TLS configuration from PEM files: rustls with the ring provider.
fn tls_acceptor(cert: &str, key: &str) -> Result<tokio_rustls::TlsAcceptor, BoxError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("{cert}: {e}"))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{cert}: {e}"))?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{key}: {e}"))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(certs, key)?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("s3_server: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = serve(args).await {
        eprintln!("s3_server: {e}");
        std::process::exit(1);
    }
}

async fn serve(args: Args) -> Result<(), BoxError> {
    let tls = match &args.tls {
        Some((cert, key)) => Some(tls_acceptor(cert, key)?),
        None => None,
    };
    let store = Arc::new(Store::new(&args.buckets, args.max_object_size));
    let secrets = StaticSecrets::new().with_key(&args.access_key_id, &args.secret_access_key);
    // S3's rules: unsigned payloads (presigned PUTs, HTTPS uploads with
    // trailing checksums) are accepted; signed ones are checked.
    let layer = VerifyLayer::new(secrets)
        .expect_service("s3")
        .expect_region(&args.region)
        .with_body_policy(BodyPolicy::new().allow_unsigned_payload(true));
    let service = ServiceBuilder::new()
        .layer(layer)
        .service(tower::service_fn(move |request| {
            handle(store.clone(), request)
        }));

    let listener = TcpListener::bind(args.listen).await?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("listening on {scheme}://{}", listener.local_addr()?);
    std::io::stdout().flush()?;
    loop {
        let (stream, _) = listener.accept().await?;
        let service = TowerToHyperService::new(service.clone());
        let tls = tls.clone();
        tokio::spawn(async move {
            let http = hyper::server::conn::http1::Builder::new();
            let result = match tls {
                Some(acceptor) => match acceptor.accept(stream).await {
                    Ok(s) => http.serve_connection(TokioIo::new(s), service).await,
                    Err(e) => return eprintln!("s3_server: TLS handshake: {e}"),
                },
                None => http.serve_connection(TokioIo::new(stream), service).await,
            };
            if let Err(e) = result {
                eprintln!("s3_server: connection: {e}");
            }
        });
    }
}

// ---------------------------------------------------------------- the store

#[derive(Clone)]
struct Object {
    data: Bytes,
    etag: String,
    content_type: Option<String>,
    modified: i64,
    metadata: Vec<(String, String)>,
}

#[derive(Default)]
struct Bucket {
    created: i64,
    objects: BTreeMap<String, Object>,
}

struct Upload {
    bucket: String,
    key: String,
    content_type: Option<String>,
    metadata: Vec<(String, String)>,
    parts: BTreeMap<u32, (Bytes, String)>,
}

#[derive(Default)]
struct State {
    buckets: BTreeMap<String, Bucket>,
    uploads: HashMap<String, Upload>,
}

struct Store {
    state: Mutex<State>,
    max_object_size: usize,
    next_upload: AtomicU64,
}

impl Store {
    fn new(buckets: &[String], max_object_size: usize) -> Self {
        let mut state = State::default();
        for b in buckets {
            state.buckets.insert(
                b.clone(),
                Bucket {
                    created: now(),
                    ..Bucket::default()
                },
            );
        }
        Store {
            state: Mutex::new(state),
            max_object_size,
            next_upload: AtomicU64::new(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A handler that panicked left the maps whole (every change is one insert or remove).
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

// ---------------------------------------------------------------- routing

/// What a request names: bucket, key (percent-decoded) and query pairs.
struct Target {
    bucket: String,
    key: String,
    query: Vec<(String, String)>,
}

impl Target {
    fn parse(uri: &http::Uri) -> Target {
        let path = percent_decode(uri.path(), false);
        let path = path.strip_prefix('/').unwrap_or(&path);
        let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
        let query = uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (percent_decode(k, true), percent_decode(v, true))
            })
            .collect();
        Target {
            bucket: bucket.to_string(),
            key: key.to_string(),
            query,
        }
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn resource(&self) -> String {
        if self.key.is_empty() {
            format!("/{}", self.bucket)
        } else {
            format!("/{}/{}", self.bucket, self.key)
        }
    }
}

async fn handle(store: Arc<Store>, request: Request<VerifiedBody>) -> Result<Answer, Infallible> {
    let head = request.method() == Method::HEAD;
    let answer = match route(&store, request).await {
        Ok(a) => a,
        Err(e) if head => e.into_head_response(),
        Err(e) => e.into_response(),
    };
    Ok(answer)
}

async fn route(store: &Store, request: Request<VerifiedBody>) -> Result<Answer, ErrorResponse> {
    let t = Target::parse(request.uri());
    let method = request.method().clone();
    let upload_id = t.param("uploadId").map(str::to_string);
    match (&method, t.bucket.is_empty(), t.key.is_empty()) {
        (&Method::GET, true, _) => Ok(list_buckets(store)),
        (_, true, _) => Err(not_allowed(&t)),
        (&Method::PUT, false, true) => {
            read_body(store, request, &t).await?;
            create_bucket(store, &t)
        }
        (&Method::HEAD, false, true) => bucket_exists(store, &t).map(|_| empty(StatusCode::OK)),
        (&Method::DELETE, false, true) => delete_bucket(store, &t),
        (&Method::GET, false, true) => list_objects(store, &t),
        (&Method::PUT, false, false) if upload_id.is_some() => {
            let headers = request.headers().clone();
            let body = read_body(store, request, &t).await?;
            upload_part(store, &t, &headers, body)
        }
        (&Method::PUT, false, false) => {
            let headers = request.headers().clone();
            let body = read_body(store, request, &t).await?;
            put_object(store, &t, &headers, body)
        }
        (&Method::POST, false, false) if t.param("uploads").is_some() => {
            let headers = request.headers().clone();
            read_body(store, request, &t).await?;
            create_upload(store, &t, &headers)
        }
        (&Method::POST, false, false) if upload_id.is_some() => {
            let body = read_body(store, request, &t).await?;
            complete_upload(store, &t, &body)
        }
        (&Method::DELETE, false, false) if upload_id.is_some() => abort_upload(store, &t),
        (&Method::GET | &Method::HEAD, false, false) => {
            get_object(store, &t, request.headers(), method == Method::HEAD)
        }
        (&Method::DELETE, false, false) => delete_object(store, &t),
        _ => Err(not_allowed(&t)),
    }
}

/// The whole verified payload, at most `max_object_size` bytes. A body
/// that fails verification is answered with the layer's S3 error and
/// nothing is stored.
async fn read_body(
    store: &Store,
    request: Request<VerifiedBody>,
    t: &Target,
) -> Result<Bytes, ErrorResponse> {
    let limited = Limited::new(request.into_body(), store.max_object_size);
    match limited.collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) => Err(match e.downcast::<sigv4::server::VerifiedBodyError>() {
            Ok(e) => ErrorResponse::from_body_read(&e),
            Err(_) => ErrorResponse::new(
                400,
                "EntityTooLarge",
                "Your proposed upload exceeds the maximum allowed object size.",
            ),
        }
        .with_resource(t.resource())),
    }
}

// ---------------------------------------------------------------- operations

fn list_buckets(store: &Store) -> Answer {
    let state = store.lock();
    let mut xml = String::from(
        "<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
         <Owner><ID>sigv4</ID><DisplayName>sigv4</DisplayName></Owner><Buckets>",
    );
    for (name, b) in &state.buckets {
        xml.push_str(&format!(
            "<Bucket><Name>{}</Name><CreationDate>{}</CreationDate></Bucket>",
            escape(name),
            iso8601(b.created)
        ));
    }
    xml.push_str("</Buckets></ListAllMyBucketsResult>");
    xml_answer(xml)
}

fn create_bucket(store: &Store, t: &Target) -> Result<Answer, ErrorResponse> {
    let valid = (3..=63).contains(&t.bucket.len())
        && t.bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    if !valid {
        return Err(ErrorResponse::new(
            400,
            "InvalidBucketName",
            "The specified bucket is not valid.",
        )
        .with_detail("BucketName", t.bucket.clone()));
    }
    store
        .lock()
        .buckets
        .entry(t.bucket.clone())
        .or_insert(Bucket {
            created: now(),
            ..Bucket::default()
        });
    let mut a = empty(StatusCode::OK);
    if let Ok(v) = http::HeaderValue::from_str(&format!("/{}", t.bucket)) {
        a.headers_mut().insert(http::header::LOCATION, v);
    }
    Ok(a)
}

fn bucket_exists(store: &Store, t: &Target) -> Result<(), ErrorResponse> {
    if store.lock().buckets.contains_key(&t.bucket) {
        Ok(())
    } else {
        Err(no_such_bucket(t))
    }
}

fn delete_bucket(store: &Store, t: &Target) -> Result<Answer, ErrorResponse> {
    let mut state = store.lock();
    match state.buckets.get(&t.bucket) {
        None => Err(no_such_bucket(t)),
        Some(b) if !b.objects.is_empty() => Err(ErrorResponse::new(
            409,
            "BucketNotEmpty",
            "The bucket you tried to delete is not empty",
        )
        .with_detail("BucketName", t.bucket.clone())),
        Some(_) => {
            state.buckets.remove(&t.bucket);
            Ok(empty(StatusCode::NO_CONTENT))
        }
    }
}

fn list_objects(store: &Store, t: &Target) -> Result<Answer, ErrorResponse> {
    let prefix = t.param("prefix").unwrap_or("");
    let delimiter = t.param("delimiter").filter(|d| !d.is_empty());
    let max_keys: usize = match t.param("max-keys") {
        Some(m) => m
            .parse()
            .map_err(|_| ErrorResponse::new(400, "InvalidArgument", "max-keys is not a number"))?,
        None => 1000,
    };
    let url = t.param("encoding-type") == Some("url");
    let start = match t.param("continuation-token") {
        Some(token) => Some(
            hex::decode(token)
                .ok()
                .and_then(|k| String::from_utf8(k).ok())
                .ok_or_else(|| {
                    ErrorResponse::new(
                        400,
                        "InvalidArgument",
                        "The continuation token provided is incorrect",
                    )
                })?,
        ),
        None => t.param("start-after").map(str::to_string),
    };
    let state = store.lock();
    let bucket = state
        .buckets
        .get(&t.bucket)
        .ok_or_else(|| no_such_bucket(t))?;
    let enc = |s: &str| {
        if url {
            escape(&url_encode(s))
        } else {
            escape(s)
        }
    };
    let (mut contents, mut prefixes) = (String::new(), Vec::<String>::new());
    let (mut count, mut truncated, mut last) = (0usize, false, None::<String>);
    let after = |k: &String| start.as_ref().is_none_or(|s| k > s);
    for (key, o) in bucket.objects.range(prefix.to_string()..) {
        if !key.starts_with(prefix) {
            break;
        }
        if !after(key) {
            continue;
        }
        // A key under a delimiter after the prefix rolls up into a common prefix.
        let rolled = delimiter.and_then(|d| {
            key[prefix.len()..]
                .find(d)
                .map(|i| key[..prefix.len() + i + d.len()].to_string())
        });
        if let Some(p) = &rolled {
            if prefixes.last() == Some(p)
                || start.as_ref().is_some_and(|s| s.starts_with(p.as_str()))
            {
                continue;
            }
        }
        if count == max_keys {
            truncated = true;
            break;
        }
        count += 1;
        match rolled {
            Some(p) => {
                last = Some(format!("{p}\u{10ffff}"));
                prefixes.push(p);
            }
            None => {
                last = Some(key.clone());
                contents.push_str(&format!(
                    "<Contents><Key>{}</Key><LastModified>{}</LastModified><ETag>&quot;{}&quot;</ETag>\
                     <Size>{}</Size><StorageClass>STANDARD</StorageClass></Contents>",
                    enc(key),
                    iso8601(o.modified),
                    o.etag,
                    o.data.len()
                ));
            }
        }
    }
    let mut xml = format!(
        "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>{}</Name>\
         <Prefix>{}</Prefix><KeyCount>{count}</KeyCount><MaxKeys>{max_keys}</MaxKeys>\
         <IsTruncated>{truncated}</IsTruncated>",
        escape(&t.bucket),
        enc(prefix)
    );
    if let Some(d) = delimiter {
        xml.push_str(&format!("<Delimiter>{}</Delimiter>", enc(d)));
    }
    if url {
        xml.push_str("<EncodingType>url</EncodingType>");
    }
    if let Some(token) = t.param("continuation-token") {
        xml.push_str(&format!(
            "<ContinuationToken>{}</ContinuationToken>",
            escape(token)
        ));
    }
    if let (true, Some(last)) = (truncated, &last) {
        xml.push_str(&format!(
            "<NextContinuationToken>{}</NextContinuationToken>",
            hex::encode(last)
        ));
    }
    xml.push_str(&contents);
    for p in prefixes {
        xml.push_str(&format!(
            "<CommonPrefixes><Prefix>{}</Prefix></CommonPrefixes>",
            enc(&p)
        ));
    }
    xml.push_str("</ListBucketResult>");
    Ok(xml_answer(xml))
}

/// `content-type` and the `x-amz-meta-*` headers, kept with the object.
fn object_headers(headers: &http::HeaderMap) -> (Option<String>, Vec<(String, String)>) {
    let content_type = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let metadata = headers
        .iter()
        .filter(|(n, _)| n.as_str().starts_with("x-amz-meta-"))
        .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    (content_type, metadata)
}

fn put_object(
    store: &Store,
    t: &Target,
    headers: &http::HeaderMap,
    data: Bytes,
) -> Result<Answer, ErrorResponse> {
    let (content_type, metadata) = object_headers(headers);
    let etag = etag(&data);
    let mut state = store.lock();
    let bucket = state
        .buckets
        .get_mut(&t.bucket)
        .ok_or_else(|| no_such_bucket(t))?;
    bucket.objects.insert(
        t.key.clone(),
        Object {
            data,
            etag: etag.clone(),
            content_type,
            modified: now(),
            metadata,
        },
    );
    Ok(with_etag(empty(StatusCode::OK), &etag))
}

fn get_object(
    store: &Store,
    t: &Target,
    headers: &http::HeaderMap,
    head: bool,
) -> Result<Answer, ErrorResponse> {
    let object = {
        let state = store.lock();
        let bucket = state
            .buckets
            .get(&t.bucket)
            .ok_or_else(|| no_such_bucket(t))?;
        bucket.objects.get(&t.key).cloned().ok_or_else(|| {
            ErrorResponse::new(404, "NoSuchKey", "The specified key does not exist.")
                .with_resource(t.resource())
                .with_detail("Key", t.key.clone())
        })?
    };
    let len = object.data.len() as u64;
    let range = match headers
        .get(http::header::RANGE)
        .and_then(|v| v.to_str().ok())
    {
        Some(r) => Some(parse_range(r, len).ok_or_else(|| {
            ErrorResponse::new(
                416,
                "InvalidRange",
                "The requested range is not satisfiable",
            )
            .with_detail("RangeRequested", r.to_string())
            .with_detail("ActualObjectSize", len.to_string())
        })?),
        None => None,
    };
    let (status, body) = match range {
        Some((start, end)) => (
            StatusCode::PARTIAL_CONTENT,
            object.data.slice(start as usize..=end as usize),
        ),
        None => (StatusCode::OK, object.data.clone()),
    };
    let mut builder = Response::builder()
        .status(status)
        .header(http::header::CONTENT_LENGTH, body.len())
        .header(http::header::ETAG, format!("\"{}\"", object.etag))
        .header(http::header::LAST_MODIFIED, http_date(object.modified))
        .header(http::header::ACCEPT_RANGES, "bytes")
        .header(
            http::header::CONTENT_TYPE,
            object
                .content_type
                .as_deref()
                .unwrap_or("binary/octet-stream"),
        );
    if let Some((start, end)) = range {
        builder = builder.header(
            http::header::CONTENT_RANGE,
            format!("bytes {start}-{end}/{len}"),
        );
    }
    for (n, v) in &object.metadata {
        builder = builder.header(n.as_str(), v.as_str());
    }
    let body = if head { Bytes::new() } else { body };
    builder
        .body(Full::new(body))
        .map_err(|e| ErrorResponse::new(500, "InternalError", e.to_string()))
}

/// `bytes=a-b`, `bytes=a-`, `bytes=-n` within `len`: the inclusive range.
fn parse_range(value: &str, len: u64) -> Option<(u64, u64)> {
    let spec = value.strip_prefix("bytes=")?;
    let (a, b) = spec.split_once('-')?;
    let (start, end) = match (a.trim(), b.trim()) {
        ("", n) => {
            let n: u64 = n.parse().ok()?;
            (len.checked_sub(n.min(len))?, len.checked_sub(1)?)
        }
        (a, "") => (a.parse().ok()?, len.checked_sub(1)?),
        (a, b) => (
            a.parse().ok()?,
            b.parse::<u64>().ok()?.min(len.checked_sub(1)?),
        ),
    };
    (start <= end && start < len).then_some((start, end))
}

fn delete_object(store: &Store, t: &Target) -> Result<Answer, ErrorResponse> {
    let mut state = store.lock();
    let bucket = state
        .buckets
        .get_mut(&t.bucket)
        .ok_or_else(|| no_such_bucket(t))?;
    bucket.objects.remove(&t.key);
    Ok(empty(StatusCode::NO_CONTENT))
}

fn create_upload(
    store: &Store,
    t: &Target,
    headers: &http::HeaderMap,
) -> Result<Answer, ErrorResponse> {
    let (content_type, metadata) = object_headers(headers);
    let mut state = store.lock();
    if !state.buckets.contains_key(&t.bucket) {
        return Err(no_such_bucket(t));
    }
    let id = format!(
        "upload-{}-{}",
        store.next_upload.fetch_add(1, Ordering::Relaxed),
        &etag(t.key.as_bytes())[..12]
    );
    state.uploads.insert(
        id.clone(),
        Upload {
            bucket: t.bucket.clone(),
            key: t.key.clone(),
            content_type,
            metadata,
            parts: BTreeMap::new(),
        },
    );
    Ok(xml_answer(format!(
        "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
         <Bucket>{}</Bucket><Key>{}</Key><UploadId>{}</UploadId></InitiateMultipartUploadResult>",
        escape(&t.bucket),
        escape(&t.key),
        escape(&id)
    )))
}

/// The upload `uploadId` names, for this bucket and key.
fn upload<'s>(state: &'s mut State, t: &Target) -> Result<&'s mut Upload, ErrorResponse> {
    let id = t.param("uploadId").unwrap_or("");
    state
        .uploads
        .get_mut(id)
        .filter(|u| u.bucket == t.bucket && u.key == t.key)
        .ok_or_else(|| {
            ErrorResponse::new(
                404,
                "NoSuchUpload",
                "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
            )
            .with_detail("UploadId", id.to_string())
        })
}

fn upload_part(
    store: &Store,
    t: &Target,
    _headers: &http::HeaderMap,
    data: Bytes,
) -> Result<Answer, ErrorResponse> {
    let number: u32 = t
        .param("partNumber")
        .and_then(|n| n.parse().ok())
        .filter(|n| (1..=10_000).contains(n))
        .ok_or_else(|| {
            ErrorResponse::new(
                400,
                "InvalidArgument",
                "Part number must be an integer between 1 and 10000, inclusive",
            )
        })?;
    let etag = etag(&data);
    let mut state = store.lock();
    upload(&mut state, t)?
        .parts
        .insert(number, (data, etag.clone()));
    Ok(with_etag(empty(StatusCode::OK), &etag))
}

fn complete_upload(store: &Store, t: &Target, body: &[u8]) -> Result<Answer, ErrorResponse> {
    let malformed = || {
        ErrorResponse::new(
            400,
            "MalformedXML",
            "The XML you provided was not well-formed or did not validate against our published schema",
        )
    };
    let xml = std::str::from_utf8(body).map_err(|_| malformed())?;
    // (part number, ETag) of each <Part>, in order.
    let mut wanted = Vec::new();
    for part in xml.split("<Part>").skip(1) {
        let number = element(part, "PartNumber").and_then(|n| n.trim().parse::<u32>().ok());
        let etag = element(part, "ETag").map(|e| unescape(e).trim().trim_matches('"').to_string());
        match (number, etag) {
            (Some(n), Some(e)) => wanted.push((n, e)),
            _ => return Err(malformed()),
        }
    }
    if wanted.is_empty() {
        return Err(malformed());
    }
    if wanted.windows(2).any(|w| w[0].0 >= w[1].0) {
        return Err(ErrorResponse::new(
            400,
            "InvalidPartOrder",
            "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
        ));
    }
    let mut state = store.lock();
    let up = upload(&mut state, t)?;
    let mut data = Vec::new();
    let mut digests = Vec::new();
    for (n, e) in &wanted {
        match up.parts.get(n) {
            Some((bytes, etag)) if etag == e => {
                data.extend_from_slice(bytes);
                digests.extend_from_slice(etag.as_bytes());
            }
            _ => {
                return Err(ErrorResponse::new(
                    400,
                    "InvalidPart",
                    "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
                )
                .with_detail("PartNumber", n.to_string()))
            }
        }
    }
    let etag = format!("{}-{}", &etag(&digests)[..32], wanted.len());
    let id = t.param("uploadId").unwrap_or("").to_string();
    let Some(up) = state.uploads.remove(&id) else {
        return Err(malformed());
    };
    let bucket = state
        .buckets
        .get_mut(&t.bucket)
        .ok_or_else(|| no_such_bucket(t))?;
    bucket.objects.insert(
        t.key.clone(),
        Object {
            data: Bytes::from(data),
            etag: etag.clone(),
            content_type: up.content_type,
            modified: now(),
            metadata: up.metadata,
        },
    );
    Ok(xml_answer(format!(
        "<CompleteMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
         <Location>/{b}/{k}</Location><Bucket>{b}</Bucket><Key>{k}</Key><ETag>&quot;{etag}&quot;</ETag>\
         </CompleteMultipartUploadResult>",
        b = escape(&t.bucket),
        k = escape(&t.key),
    )))
}

fn abort_upload(store: &Store, t: &Target) -> Result<Answer, ErrorResponse> {
    let mut state = store.lock();
    upload(&mut state, t)?;
    state.uploads.remove(t.param("uploadId").unwrap_or(""));
    Ok(empty(StatusCode::NO_CONTENT))
}

// ---------------------------------------------------------------- helpers

fn no_such_bucket(t: &Target) -> ErrorResponse {
    ErrorResponse::new(404, "NoSuchBucket", "The specified bucket does not exist")
        .with_resource(format!("/{}", t.bucket))
        .with_detail("BucketName", t.bucket.clone())
}

fn not_allowed(t: &Target) -> ErrorResponse {
    ErrorResponse::new(
        405,
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
    )
    .with_resource(t.resource())
}

fn empty(status: StatusCode) -> Answer {
    let mut a = Response::new(Full::new(Bytes::new()));
    *a.status_mut() = status;
    a
}

fn with_etag(mut a: Answer, etag: &str) -> Answer {
    if let Ok(v) = http::HeaderValue::from_str(&format!("\"{etag}\"")) {
        a.headers_mut().insert(http::header::ETAG, v);
    }
    a
}

fn xml_answer(xml: String) -> Answer {
    let mut a = Response::new(Full::new(Bytes::from(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{xml}"
    ))));
    a.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/xml"),
    );
    a
}

/// A content hash as entity tag: the first 16 bytes of SHA-256 in hex
/// (S3 uses MD5; clients treat the tag as opaque).
fn etag(data: &[u8]) -> String {
    hex::encode(&Sha256::digest(data)[..16])
}

/// The text of the first `<name>...</name>` in `xml`.
fn element<'x>(xml: &'x str, name: &str) -> Option<&'x str> {
    let start = xml.find(&format!("<{name}>"))? + name.len() + 2;
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(&xml[start..end])
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// `%XX` decoded (and `+` as space in a query); invalid escapes stay as they are.
fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `encoding-type=url` form of a key: every byte but unreserved ones and `/` escaped.
fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn datetime(secs: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// `2024-01-02T03:04:05.000Z`
fn iso8601(secs: i64) -> String {
    let t = datetime(secs);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `Tue, 02 Jan 2024 03:04:05 GMT`
fn http_date(secs: i64) -> String {
    let t = datetime(secs);
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        DAYS[t.weekday().number_days_from_monday() as usize],
        t.day(),
        MONTHS[usize::from(u8::from(t.month())) - 1],
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    )
}
