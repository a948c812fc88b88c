//! `sigv4 sign`: sign a request without sending it.

use serde_json::json;
use sigv4::s3::{BoxedChunkSigner, ChunkedUpload, S3Location};
use sigv4::sign::chunked::ChunkedLayout;
use sigv4::sign::{
    sign_headers, v4a, Payload, SignableRequest, SigningParams, SigningSettings, SigningTime,
};
use sigv4::Credentials;

use super::{parse_headers, read_data, signing_time, Context};
use crate::cli::RequestArgs;
use crate::output::{header_pairs, print};
use crate::Failure;

/// A signed request, ready to send.
pub struct Prepared {
    pub method: String,
    pub url: String,
    /// Every header to send, `host` first.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub canonical_request: String,
    pub string_to_sign: String,
    pub signature: String,
    /// SigV4a only: the region set and the compressed SEC1 public key (hex).
    pub sigv4a: Option<(String, String)>,
    /// An aws-chunked upload: its settings, layout, and what its chunk
    /// signer needs.
    pub chunked: Option<Chunked>,
}

/// What signs the chunks of an aws-chunked upload after the seed.
pub struct Chunked {
    pub upload: ChunkedUpload,
    pub layout: ChunkedLayout,
    credentials: Credentials,
    region: String,
    region_set: Option<String>,
    service: String,
    time: SigningTime,
}

impl Chunked {
    /// The chunk signer chained on `seed` (the request's signature).
    pub fn signer(&self, seed: &str) -> Result<BoxedChunkSigner<'_>, Failure> {
        Ok(self.upload.chunk_signer(
            &self.credentials,
            &self.region,
            self.region_set.as_deref(),
            &self.service,
            self.time,
            seed,
        )?)
    }
}

/// An MRAP ARN (bare or after `s3://`) becomes its URL; other targets stay.
/// Returns the URL and whether it is a Multi-Region Access Point.
fn resolve_target(url: &str) -> Result<(String, bool), Failure> {
    let arn = url.strip_prefix("s3://").unwrap_or(url);
    if arn.starts_with("arn:") {
        let l = S3Location::parse(url, "us-east-1")?;
        if l.is_mrap() {
            return Ok((l.url()?, true));
        }
    }
    let host = url
        .split_once("://")
        .and_then(|(_, rest)| rest.split(['/', '?', ':']).next())
        .unwrap_or("");
    Ok((url.to_string(), sigv4::s3::mrap::is_mrap_host(host)))
}

/// The SigV4a region set to sign for, if any: `--region-set`, `*` for a
/// Multi-Region Access Point, the region with `--sigv4a`.
pub fn region_set(
    explicit: Option<&str>,
    sigv4a: bool,
    mrap: bool,
    region: &str,
) -> Result<Option<String>, Failure> {
    let set = match (explicit, sigv4a, mrap) {
        (Some(s), _, _) => Some(s.to_string()),
        (None, _, true) => Some(sigv4::s3::mrap::MRAP_REGION_SET.to_string()),
        (None, true, false) => Some(region.to_string()),
        (None, false, false) => None,
    };
    match set {
        Some(s) if !v4a::is_valid_region_set(&s) => Err(Failure::new(format!(
            "invalid --region-set {s:?}: expected R1,R2,... or *"
        ))),
        other => Ok(other),
    }
}

/// Signs the request described by `args`.
pub fn prepare(ctx: &Context, args: &RequestArgs) -> Result<Prepared, Failure> {
    prepare_with(ctx, args, None)
}

/// Signs the request described by `args`, as the seed of an aws-chunked
/// upload of `decoded_len` bytes when `chunked` is `Some((upload, decoded_len))`
/// (the body is then not in `args`).
pub fn prepare_with(
    ctx: &Context,
    args: &RequestArgs,
    chunked: Option<(&ChunkedUpload, u64)>,
) -> Result<Prepared, Failure> {
    let (url, mrap) = match (&ctx.global.endpoint_url, args.url.starts_with('/')) {
        (Some(endpoint), true) => (
            format!("{}{}", endpoint.trim_end_matches('/'), args.url),
            false,
        ),
        _ => resolve_target(&args.url)?,
    };
    let method = args.method.to_ascii_uppercase();
    let headers = parse_headers(&args.headers)?;
    let body = read_data(args.data.as_deref())?;
    let probe = SignableRequest::new(&method, &url)?;
    let host = probe
        .host()
        .ok_or_else(|| {
            Failure::new(format!(
                "{url:?} has no host: give an absolute URL or --endpoint-url"
            ))
        })?
        .to_string();
    let inferred = crate::infer::service_and_region(&host);
    let service = match (&args.service, &inferred) {
        (Some(s), _) => s.clone(),
        (None, Some((s, _))) => s.clone(),
        (None, None) => {
            return Err(Failure::new(format!(
                "cannot infer the service from {host:?}: pass --service"
            )))
        }
    };
    let host_region = inferred.as_ref().and_then(|(_, r)| r.as_deref());
    let (region, region_source) = ctx.region(host_region)?;
    let time = signing_time(args.timestamp.as_deref())?;
    let region_set = region_set(args.region_set.as_deref(), args.sigv4a, mrap, &region)?;
    let credentials = ctx.credentials()?;
    let scope = match &region_set {
        Some(set) => format!("SigV4a region set {set}"),
        None => format!("region {region} (from {region_source})"),
    };
    ctx.debug(
        "signing",
        &format!(
            "service {service}, {scope}, time {time}, credentials {} from {}",
            credentials.access_key_id(),
            credentials.source()
        ),
    );

    let mut settings = SigningSettings::for_service(&service);
    let mut chunk_headers = Vec::new();
    let mut layout = None;
    let payload = if let Some((upload, decoded_len)) = chunked {
        settings.content_sha256_header = true;
        let l = upload.layout(decoded_len, region_set.is_some())?;
        chunk_headers = upload.headers(&l);
        layout = Some(l);
        upload.payload(region_set.is_some())
    } else if args.unsigned_payload {
        settings.content_sha256_header = true;
        Payload::Unsigned
    } else {
        Payload::Bytes(&body)
    };
    // The caller's headers, then those of the chunked upload, which
    // replace any the caller gave (a `content-length` of the file would
    // contradict the encoded body's).
    let mut headers = headers;
    for (n, v) in chunk_headers {
        headers.retain(|(m, _)| !m.eq_ignore_ascii_case(n));
        headers.push((n.to_string(), v));
    }
    let req = probe
        .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .payload(payload);
    let (added, canonical_request, string_to_sign, signature, sigv4a) = match &region_set {
        None => {
            let params =
                SigningParams::new(&credentials, &region, &service, time).with_settings(settings);
            let signed = sign_headers(&req, &params)?;
            let added: Vec<(String, String)> = signed
                .headers()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect();
            let creq = signed.canonical_request().to_string();
            let sig = signed.signature().to_string();
            (added, creq, signed.string_to_sign(), sig, None)
        }
        Some(set) => {
            let params =
                v4a::SigningParams::new(&credentials, set, &service, time).with_settings(settings);
            let signed = v4a::sign_headers(&req, &params)?;
            let added: Vec<(String, String)> = signed
                .headers()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect();
            let creq = signed.canonical_request().to_string();
            let sig = signed.signature().to_string();
            let public = params.public_key()?.to_sec1_hex(true);
            let sts = signed.string_to_sign();
            (added, creq, sts, sig, Some((set.clone(), public)))
        }
    };
    ctx.debug("canonical request", &canonical_request);
    ctx.debug("string to sign", &string_to_sign);

    let mut out_headers: Vec<(String, String)> = Vec::new();
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        out_headers.push(("host".into(), host.clone()));
    }
    for (n, v) in &headers {
        if !added.iter().any(|(m, _)| m.eq_ignore_ascii_case(n)) {
            out_headers.push((n.clone(), v.clone()));
        }
    }
    out_headers.extend(added);
    let wire_url = match req.origin() {
        Some((scheme, authority)) => {
            let mut u = format!(
                "{scheme}://{authority}{}",
                if req.path().is_empty() {
                    "/"
                } else {
                    req.path()
                }
            );
            if !req.query().is_empty() {
                u.push('?');
                u.push_str(req.query());
            }
            u
        }
        None => url.clone(),
    };
    Ok(Prepared {
        method: method.clone(),
        url: wire_url,
        headers: out_headers,
        canonical_request,
        string_to_sign,
        signature,
        body: body.clone(),
        sigv4a,
        chunked: match (chunked, layout) {
            (Some((upload, _)), Some(layout)) => Some(Chunked {
                upload: *upload,
                layout,
                credentials: credentials.clone(),
                region,
                region_set,
                service,
                time,
            }),
            _ => None,
        },
    })
}

/// Runs `sigv4 sign`.
pub fn run(ctx: &Context, args: &RequestArgs) -> Result<(), Failure> {
    let p = prepare(ctx, args)?;
    print(
        ctx.global.output,
        || {
            let mut t = format!("{} {}\n", p.method, p.url);
            for (n, v) in &p.headers {
                t.push_str(&format!("{n}: {v}\n"));
            }
            t
        },
        || {
            let mut v = json!({
                "method": p.method,
                "url": p.url,
                "headers": header_pairs(&p.headers),
                "canonical_request": p.canonical_request,
                "string_to_sign": p.string_to_sign,
                "signature": p.signature,
            });
            if let Some((set, public_key)) = &p.sigv4a {
                v["algorithm"] = json!(v4a::ALGORITHM);
                v["region_set"] = json!(set);
                v["public_key"] = json!(public_key);
            }
            v
        },
    );
    Ok(())
}
