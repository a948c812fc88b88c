//! Task 1: presign an S3 GET, at a fixed time, with the AWS documentation's
//! example keys. Prints the URL of the S3 documentation's example, whose
//! signature ends in `...f604d404`. No AWS account, no network.
//!
//! ```text
//! cargo run --example presign_s3_get
//! ```

use std::time::Duration;

use sigv4::s3::{PresignOptions, S3Location};
use sigv4::{Credentials, SigningTime};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let credentials = Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    let time = SigningTime::parse_amz_date("20130524T000000Z")?; // or SigningTime::now()
    let object = S3Location::parse("s3://examplebucket/test.txt", "us-east-1")?;
    let url = object.presign(
        "GET",
        &credentials,
        time,
        &PresignOptions::new(Duration::from_secs(86_400)),
    )?;
    println!("{}", url.url);
    Ok(())
}
