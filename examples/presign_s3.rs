//! Presigned S3 URLs in the three addressing forms, with the AWS example keys.
//!
//! ```text
//! cargo run --example presign_s3
//! ```

use sigv4::credentials::Credentials;
use sigv4::s3::{AddressingStyle, PresignOptions, S3Location};
use sigv4::sign::SigningTime;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let creds = Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    let now = SigningTime::now();
    let one_hour = PresignOptions::new(3600);

    // Virtual-hosted style (the default on AWS).
    let object = S3Location::parse("s3://examplebucket/photos/cat 1.jpg", "eu-west-1")?;
    println!(
        "virtual-hosted: {}",
        object.presign("GET", &creds, now, &one_hour)?.url
    );

    // Path style, on request.
    let path = object.clone().with_style(AddressingStyle::Path);
    println!(
        "path style:     {}",
        path.presign("GET", &creds, now, &one_hour)?.url
    );

    // A custom endpoint (MinIO, s3s-fs, any S3-compatible store): path style on an IP.
    let local = object.with_endpoint("http://127.0.0.1:9000")?;
    let upload = PresignOptions::new(600).header("content-type", "image/jpeg");
    let put = local.presign("PUT", &creds, now, &upload)?;
    println!("custom endpoint PUT: {}", put.url);
    for (name, value) in &put.headers {
        println!("  the uploader must send: {name}: {value}");
    }
    Ok(())
}
