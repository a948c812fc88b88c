//! Task 2: sign an `http::Request` POST with a JSON body for API Gateway
//! (`execute-api`), and print it as it would go on the wire.
//!
//! The signing time is fixed so the output is reproducible; pipe it into the
//! server-side example to verify it:
//!
//! ```text
//! cargo run --example sign_json_post | cargo run --example verify_request
//! ```

use sigv4::http::sign_request;
use sigv4::{Credentials, SigningParams, SigningTime};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let credentials = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    let time = SigningTime::parse_amz_date("20240101T120000Z")?; // or SigningTime::now()
    let params = SigningParams::new(&credentials, "us-east-1", "execute-api", time);

    let mut request =
        http::Request::post("https://abc123.execute-api.us-east-1.amazonaws.com/prod/items")
            .header("content-type", "application/json")
            .body(r#"{"name":"widget","count":3}"#.to_string())?;
    sign_request(&mut request, &params)?; // hashes the body, adds the signature headers

    // The request on the wire (origin-form target, Host header first).
    let uri = request.uri();
    println!("{} {} HTTP/1.1", request.method(), uri.path());
    println!("host: {}", uri.host().unwrap_or_default());
    for (name, value) in request.headers() {
        println!("{name}: {}", value.to_str()?);
    }
    println!("content-length: {}", request.body().len());
    println!();
    print!("{}", request.body());
    Ok(())
}
