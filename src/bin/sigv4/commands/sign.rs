//! `sigv4 sign`: sign a request without sending it.

use serde_json::json;
use sigv4::sign::{sign_headers, Payload, SignableRequest, SigningParams, SigningSettings};

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
}

/// Signs the request described by `args`.
pub fn prepare(ctx: &Context, args: &RequestArgs) -> Result<Prepared, Failure> {
    let url = match (&ctx.global.endpoint_url, args.url.starts_with('/')) {
        (Some(endpoint), true) => format!("{}{}", endpoint.trim_end_matches('/'), args.url),
        _ => args.url.clone(),
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
    let credentials = ctx.credentials()?;
    ctx.debug(
        "signing",
        &format!(
            "service {service}, region {region} (from {region_source}), time {time}, credentials {} from {}",
            credentials.access_key_id(),
            credentials.source()
        ),
    );

    let mut settings = SigningSettings::for_service(&service);
    let payload = if args.unsigned_payload {
        settings.content_sha256_header = true;
        Payload::Unsigned
    } else {
        Payload::Bytes(&body)
    };
    let req = probe
        .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .payload(payload);
    let params = SigningParams::new(&credentials, &region, &service, time).with_settings(settings);
    let signed = sign_headers(&req, &params)?;
    ctx.debug("canonical request", signed.canonical_request());
    ctx.debug("string to sign", &signed.string_to_sign());

    let mut out_headers: Vec<(String, String)> = Vec::new();
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        out_headers.push(("host".into(), host.clone()));
    }
    for (n, v) in &headers {
        if !signed.headers().any(|(m, _)| m.eq_ignore_ascii_case(n)) {
            out_headers.push((n.clone(), v.clone()));
        }
    }
    out_headers.extend(
        signed
            .headers()
            .map(|(n, v)| (n.to_string(), v.to_string())),
    );
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
        canonical_request: signed.canonical_request().to_string(),
        string_to_sign: signed.string_to_sign(),
        signature: signed.signature().to_string(),
        body: body.clone(),
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
            json!({
                "method": p.method,
                "url": p.url,
                "headers": header_pairs(&p.headers),
                "canonical_request": p.canonical_request,
                "string_to_sign": p.string_to_sign,
                "signature": p.signature,
            })
        },
    );
    Ok(())
}
