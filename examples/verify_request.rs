//! Task 5: verify, on the server side, the request `sign_json_post` prints.
//!
//! Reads one HTTP/1.1 request from standard input, looks up the secret of
//! its access key, and checks the signature at the request's own signing
//! time (a real server passes `SigningTime::now()`). Exits 1 when the
//! signature does not hold.
//!
//! ```text
//! cargo run --example sign_json_post | cargo run --example verify_request
//! cargo run --example sign_json_post | sed 's/widget/gadget/' | cargo run --example verify_request
//! ```

use std::io::Read;

use sigv4::http::verify_request;
use sigv4::sign::VerifyOptions;
use sigv4::SigningTime;

/// The server's key store: access key id -> secret.
fn secret_of(access_key_id: &str) -> Option<&'static str> {
    (access_key_id == "AKIDEXAMPLE").then_some("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut raw = String::new();
    std::io::stdin().read_to_string(&mut raw)?;
    let request = parse_http_request(&raw)?;

    // For this demo, "now" is the request's own x-amz-date.
    let sent_at = request.headers()["x-amz-date"].to_str()?;
    let options = VerifyOptions::new(SigningTime::parse_amz_date(sent_at)?)
        .expect_region("us-east-1")
        .expect_service("execute-api");

    match verify_request(&request, secret_of, &options) {
        Ok(verified) => {
            println!(
                "verified: {} signed {} for {}/{} at {}",
                verified.access_key_id(),
                verified.signed_headers_list(),
                verified.region(),
                verified.service(),
                verified.time()
            );
            Ok(())
        }
        Err(e) => {
            println!("rejected: {e}");
            std::process::exit(1);
        }
    }
}

/// A minimal HTTP/1.1 request reader: request line, headers, blank line, body.
fn parse_http_request(raw: &str) -> Result<http::Request<Vec<u8>>, Box<dyn std::error::Error>> {
    let (head, body) = raw
        .split_once("\n\n")
        .ok_or("no blank line after the headers")?;
    let mut lines = head.lines();
    let mut request_line = lines.next().ok_or("empty request")?.split(' ');
    let (method, target) = (request_line.next(), request_line.next());
    let mut builder = http::Request::builder()
        .method(method.ok_or("no method")?)
        .uri(target.ok_or("no request target")?);
    for line in lines {
        let (name, value) = line.split_once(':').ok_or("header line without `:`")?;
        builder = builder.header(name.trim(), value.trim());
    }
    Ok(builder.body(body.as_bytes().to_vec())?)
}
