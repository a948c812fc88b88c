//! `sigv4 curl`: sign and send.

use std::io::Write;
use std::time::Duration;

use sigv4::api::{redact, ApiError, SignatureMismatch};
use sigv4::transport::{RequestOptions, Transport, UreqTransport};

use super::sign::prepare;
use super::Context;
use crate::cli::CurlArgs;
use crate::Failure;

/// Exit code for a non-2xx answer (as `curl --fail`).
const HTTP_ERROR_EXIT: u8 = 22;

/// Runs `sigv4 curl`.
pub fn run(ctx: &Context, args: &CurlArgs) -> Result<(), Failure> {
    let p = prepare(ctx, &args.request)?;
    let mut builder = http::Request::builder()
        .method(p.method.as_str())
        .uri(p.url.as_str());
    for (n, v) in &p.headers {
        builder = builder.header(n.as_str(), v.as_str());
    }
    let request = builder
        .body(p.body.clone())
        .map_err(|e| Failure::new(format!("cannot build the request: {e}")))?;
    let timeout = Duration::from_secs(args.timeout);
    let options = RequestOptions::new()
        .with_connect_timeout(timeout)
        .with_read_timeout(timeout)
        .with_max_response_bytes(u64::MAX);
    ctx.debug("sending", &format!("{} {}", p.method, p.url));
    let response = UreqTransport::new()
        .send(request, &options)
        .map_err(|e| Failure::new(e.with_request(&p.method, &p.url)))?;
    let status = response.status();

    let mut out = std::io::stdout().lock();
    if args.include {
        let mut head = format!("HTTP/1.1 {status}\n");
        for (n, v) in response.headers() {
            head.push_str(&format!("{n}: {}\n", String::from_utf8_lossy(v.as_bytes())));
        }
        head.push('\n');
        out.write_all(head.as_bytes())?;
    }
    if status.is_success() {
        match &args.output_file {
            Some(file) => std::fs::write(file, response.body())
                .map_err(|e| Failure::new(format!("writing {file}: {e}")))?,
            None => out.write_all(response.body())?,
        }
        out.flush()?;
        return Ok(());
    }
    if args.include {
        out.write_all(response.body())?;
        out.flush()?;
    }
    let mut error = ApiError::from_response(&response);
    if let Some(m) = error.signature_mismatch.as_mut() {
        m.our_canonical_request = Some(p.canonical_request.clone());
        m.our_string_to_sign = Some(p.string_to_sign.clone());
        print_mismatch(m);
    }
    let message = error
        .safe_message()
        .map(|m| m.into_owned())
        .unwrap_or_default();
    Err(Failure::with_code(
        format!("HTTP {}: {} {}", status.as_u16(), error.code, message).trim_end(),
        HTTP_ERROR_EXIT,
    ))
}

/// Prints the server's canonical request against ours, marking differing lines.
fn print_mismatch(m: &SignatureMismatch) {
    let (Some(server), Some(ours)) = (&m.server_canonical_request, &m.our_canonical_request) else {
        return;
    };
    eprintln!("signature mismatch: canonical requests (- server, + ours):");
    let (a, b): (Vec<&str>, Vec<&str>) = (server.split('\n').collect(), ours.split('\n').collect());
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i).copied(), b.get(i).copied());
        if x == y {
            eprintln!("  {}", redact(x.unwrap_or("")));
        } else {
            if let Some(x) = x {
                eprintln!("- {}", redact(x));
            }
            if let Some(y) = y {
                eprintln!("+ {}", redact(y));
            }
        }
    }
}
