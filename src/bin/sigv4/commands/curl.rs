//! `sigv4 curl`: sign and send.
//!
//! Bodies stream both ways: `-T FILE` is read chunk by chunk into an
//! aws-chunked body (`s3::ChunkedBody`: signed chunks, or unsigned chunks
//! and a checksum trailer), and a successful answer is copied to stdout or
//! `-o FILE` as it arrives. Only an error answer is read into memory (at
//! most [`ERROR_BODY_LIMIT`]), to parse AWS's error.

use std::fs::File;
use std::io::{Read, Write};
use std::time::Duration;

use sigv4::api::{redact, ApiError, SignatureMismatch};
use sigv4::s3::{ChunkedBody, ChunkedUpload};
use sigv4::sign::checksum::ChecksumAlgorithm;
use sigv4::transport::{RequestBody, RequestOptions, ResponseBody, UreqTransport};

use super::sign::{prepare, prepare_with, Prepared};
use super::Context;
use crate::cli::{ChecksumArg, CurlArgs, UploadModeArg};
use crate::progress;
use crate::Failure;

/// Exit code for a non-2xx answer (as `curl --fail`).
const HTTP_ERROR_EXIT: u8 = 22;

/// The most of an error answer's body read (to parse AWS's error).
const ERROR_BODY_LIMIT: u64 = RequestOptions::DEFAULT_MAX_RESPONSE_BYTES;

/// The upload settings of `-T`.
fn chunked_upload(args: &CurlArgs) -> ChunkedUpload {
    let checksum = args.checksum.map(|c| match c {
        ChecksumArg::Crc32 => ChecksumAlgorithm::Crc32,
        ChecksumArg::Crc32c => ChecksumAlgorithm::Crc32c,
        ChecksumArg::Crc64nvme => ChecksumAlgorithm::Crc64Nvme,
        ChecksumArg::Sha1 => ChecksumAlgorithm::Sha1,
        ChecksumArg::Sha256 => ChecksumAlgorithm::Sha256,
    });
    let upload = match args.upload_mode {
        UploadModeArg::SignedChunks => ChunkedUpload::signed_chunks(),
        UploadModeArg::UnsignedTrailer => ChunkedUpload::unsigned_trailer(ChecksumAlgorithm::Crc32),
    };
    let upload = match checksum {
        Some(a) => upload.with_checksum(a),
        None => upload,
    };
    upload.with_chunk_size(args.chunk_size)
}

/// Runs `sigv4 curl`.
pub fn run(ctx: &Context, args: &CurlArgs) -> Result<(), Failure> {
    let timeout = Duration::from_secs(args.timeout);
    // No limit on a successful body: it is streamed, not held.
    let options = RequestOptions::new()
        .with_connect_timeout(timeout)
        .with_read_timeout(timeout)
        .with_max_response_bytes(u64::MAX);
    let transport = UreqTransport::new();
    let (p, response) = match &args.upload_file {
        None => {
            let p = prepare(ctx, &args.request)?;
            let request = request_head(&p)?;
            ctx.debug("sending", &format!("{} {}", p.method, p.url));
            let response = transport.send_streaming(request, RequestBody::Bytes(&p.body), &options);
            (p, response)
        }
        Some(path) => {
            let file =
                File::open(path).map_err(|e| Failure::new(format!("reading {path}: {e}")))?;
            let len = file
                .metadata()
                .map_err(|e| Failure::new(format!("reading {path}: {e}")))?
                .len();
            let mut request_args = args.request.clone();
            if request_args.method.eq_ignore_ascii_case("GET") {
                request_args.method = "PUT".into();
            }
            let upload = chunked_upload(args);
            let p = prepare_with(ctx, &request_args, Some((&upload, len)))?;
            let mut request = request_head(&p)?;
            // Not signed (`expect` never is): the server refuses a bad
            // request before the body is sent, instead of closing the
            // connection on it mid-upload (which is a broken pipe here,
            // not its answer).
            request.headers_mut().insert(
                http::header::EXPECT,
                http::HeaderValue::from_static("100-continue"),
            );
            let chunked = p
                .chunked
                .as_ref()
                .ok_or_else(|| Failure::new("internal: no chunked layout"))?;
            let signer = chunked.signer(&p.signature)?;
            let bar = progress::bar(Some(len), "upload");
            let mut body = ChunkedBody::new(
                bar.wrap_read(file),
                chunked.layout,
                signer,
                upload.checksum(),
            )?;
            ctx.debug(
                "sending",
                &format!(
                    "{} {} ({len} bytes as {} bytes of aws-chunked)",
                    p.method,
                    p.url,
                    body.encoded_len()
                ),
            );
            let response =
                transport.send_streaming(request, RequestBody::Reader(&mut body), &options);
            bar.finish_and_clear();
            if let Some(sum) = body.checksum() {
                ctx.debug(
                    "checksum sent",
                    &format!("{}: {sum}", sum.algorithm().header_name()),
                );
            }
            drop(body);
            (p, response)
        }
    };
    let response = response.map_err(|e| Failure::new(e.with_request(&p.method, &p.url)))?;
    answer(args, &p, response)
}

/// The request line and headers of `p`.
fn request_head(p: &Prepared) -> Result<http::Request<()>, Failure> {
    let mut builder = http::Request::builder()
        .method(p.method.as_str())
        .uri(p.url.as_str());
    for (n, v) in &p.headers {
        builder = builder.header(n.as_str(), v.as_str());
    }
    builder
        .body(())
        .map_err(|e| Failure::new(format!("cannot build the request: {e}")))
}

/// Prints (or saves) the answer; a non-2xx one is an error.
fn answer(
    args: &CurlArgs,
    p: &Prepared,
    response: http::Response<ResponseBody>,
) -> Result<(), Failure> {
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
    let (parts, mut body) = response.into_parts();
    let transfer = |e: std::io::Error| {
        Failure::new(format!(
            "receiving the body of {} {}: {e}",
            p.method,
            redact(&p.url)
        ))
    };
    if status.is_success() {
        match &args.output_file {
            Some(file) => {
                let total = parts
                    .headers
                    .get("content-length")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse().ok());
                let bar = progress::bar(total, "download");
                let mut f =
                    File::create(file).map_err(|e| Failure::new(format!("writing {file}: {e}")))?;
                let copied = std::io::copy(&mut bar.wrap_read(&mut body), &mut f)
                    .map_err(transfer)
                    .and_then(|_| {
                        f.sync_all()
                            .map_err(|e| Failure::new(format!("writing {file}: {e}")))
                    });
                bar.finish_and_clear();
                if let Err(e) = copied {
                    // Not a truncated file that looks complete.
                    drop(f);
                    let _ = std::fs::remove_file(file);
                    return Err(e);
                }
            }
            None => {
                std::io::copy(&mut body, &mut out).map_err(transfer)?;
            }
        }
        out.flush()?;
        return Ok(());
    }
    let mut bytes = Vec::new();
    body.take(ERROR_BODY_LIMIT)
        .read_to_end(&mut bytes)
        .map_err(transfer)?;
    if args.include {
        out.write_all(&bytes)?;
        out.flush()?;
    }
    let response = http::Response::from_parts(parts, bytes);
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
