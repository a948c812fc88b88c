//! Signs the request from the AWS SigV4 documentation walkthrough with the
//! documented example keys and prints every step. No AWS account needed.
//!
//! ```text
//! cargo run --example sign_demo
//! ```

use sigv4::sign::{presign, sign_headers, SignableRequest, SigningParams, SigningTime};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // AWS documentation example: IAM ListUsers, 2015-08-30T12:36:00Z.
    let params = SigningParams::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        "us-east-1",
        "iam",
        SigningTime::parse_amz_date("20150830T123600Z")?,
    );
    let req = SignableRequest::new(
        "GET",
        "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
    )?
    .header(
        "content-type",
        "application/x-www-form-urlencoded; charset=utf-8",
    );

    let signed = sign_headers(&req, &params)?;
    println!("== canonical request\n{}\n", signed.canonical_request());
    println!("== string to sign\n{}\n", signed.string_to_sign());
    println!("== headers to add");
    for (name, value) in signed.headers() {
        println!("{name}: {value}");
    }

    let presigned = presign(&req, &params, 3600)?;
    println!("\n== presigned URL (1 hour)\n{}", presigned.uri());
    Ok(())
}
