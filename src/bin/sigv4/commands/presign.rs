//! `sigv4 presign`: presigned S3 URLs.

use serde_json::json;
use sigv4::s3::{AddressingStyle, PresignOptions, S3Location};

use super::{parse_headers, signing_time, Context};
use crate::cli::PresignArgs;
use crate::output::{header_pairs, print};
use crate::Failure;

/// The S3 location of `target` and where its region came from (--region,
/// the URL's AWS host, the environment or profile, us-east-1), on
/// `--endpoint-url`, in path style with `path_style`.
pub fn location(
    ctx: &Context,
    target: &str,
    path_style: bool,
) -> Result<(S3Location, String), Failure> {
    let host_region = target
        .split_once("://")
        .and_then(|(_, rest)| {
            crate::infer::service_and_region(rest.split(['/', '?']).next().unwrap_or(""))
        })
        .and_then(|(_, r)| r);
    let (region, region_source) = ctx.region(host_region.as_deref())?;
    let mut location = S3Location::parse(target, &region)?;
    if let Some(endpoint) = &ctx.global.endpoint_url {
        location = location.with_endpoint(endpoint)?;
    }
    if path_style {
        location = location.with_style(AddressingStyle::Path);
    }
    Ok((location, region_source))
}

/// Runs `sigv4 presign`.
pub fn run(ctx: &Context, args: &PresignArgs) -> Result<(), Failure> {
    let (mut location, region_source) = location(ctx, &args.target, args.path_style)?;
    let region_set = super::sign::region_set(
        args.region_set.as_deref(),
        args.sigv4a,
        location.is_mrap(),
        location.region(),
    )?;
    if let Some(set) = &region_set {
        location = location.with_region_set(set);
    }
    let mut options = PresignOptions::new(std::time::Duration::from_secs(args.expires_in));
    for (n, v) in parse_headers(&args.headers)? {
        options = options.header(&n, &v);
    }
    let time = signing_time(args.timestamp.as_deref())?;
    let credentials = ctx.credentials()?;
    ctx.debug(
        "presigning",
        &format!(
            "bucket {}, key {:?}, region {} (from {region_source}), SigV4a region set {}, credentials {} from {}",
            location.bucket(),
            location.key(),
            location.region(),
            location.region_set().unwrap_or("(none: SigV4)"),
            credentials.access_key_id(),
            credentials.source()
        ),
    );
    let url = match (args.part_number, &args.upload_id) {
        (Some(part), Some(upload_id)) => {
            if args.method != "PUT" {
                return Err(Failure::new(
                    "a multipart part URL is a PUT: add -X PUT (--part-number, --upload-id)",
                ));
            }
            location.presign_upload_part(upload_id, part, &credentials, time, &options)?
        }
        _ => location.presign(&args.method, &credentials, time, &options)?,
    };
    print(
        ctx.global.output,
        || {
            let mut t = url.url.clone();
            for (n, v) in &url.headers {
                t.push_str(&format!("\n# send header: {n}: {v}"));
            }
            t
        },
        || {
            let mut v = json!({ "url": url.url, "method": url.method, "expires_at": url.expires_at.amz_date(), "headers": header_pairs(&url.headers) });
            if let Some(set) = location.region_set() {
                v["region_set"] = json!(set);
            }
            v
        },
    );
    Ok(())
}
