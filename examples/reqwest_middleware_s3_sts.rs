//! A `reqwest-middleware` client that signs every request: STS
//! `GetCallerIdentity` (a form POST, body hashed), then an S3 object put
//! from memory, put streamed (`UNSIGNED-PAYLOAD`) and read back.
//! Credentials come from the async default chain, cached.
//!
//! ```text
//! python3 -m moto.server -p 5000 &
//! AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret \
//!     cargo run --example reqwest_middleware_s3_sts --features reqwest-middleware -- \
//!     http://127.0.0.1:5000 http://127.0.0.1:5000 my-bucket
//! ```

use std::sync::Arc;

use sigv4::credentials::asynchronous::{default_chain_async, AsyncCachedProvider};
use sigv4::middleware::reqwest::SigningMiddleware;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut args = std::env::args().skip(1);
    let sts = args
        .next()
        .unwrap_or_else(|| "https://sts.us-east-1.amazonaws.com".into());
    let s3 = args.next();
    let bucket = args.next().unwrap_or_else(|| "sigv4-example".into());
    let credentials = Arc::new(AsyncCachedProvider::new(default_chain_async()));
    let client = |service: &str| {
        reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
            .with(SigningMiddleware::new(
                service,
                "us-east-1",
                credentials.clone(),
            ))
            .build()
    };

    let whoami = client("sts")
        .post(format!("{sts}/"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("Action=GetCallerIdentity&Version=2011-06-15")
        .send()
        .await?;
    let status = whoami.status();
    let text = whoami.text().await?;
    if !status.is_success() {
        return Err(format!("sts: {status}: {text}").into());
    }
    let arn = text
        .split("<Arn>")
        .nth(1)
        .and_then(|rest| rest.split("</Arn>").next())
        .unwrap_or("?");
    println!("sts: {arn}");

    let Some(s3) = s3 else { return Ok(()) };
    let s3_client = client("s3");
    let check = |what: &str, r: &reqwest::Response| -> Result<(), String> {
        if r.status().is_success() {
            Ok(())
        } else {
            Err(format!("{what}: {}", r.status()))
        }
    };
    let r = s3_client.put(format!("{s3}/{bucket}")).send().await?;
    check("create bucket", &r)?;
    let object = format!("{s3}/{bucket}/hello.txt");
    let r = s3_client
        .put(&object)
        .body("hello from memory")
        .send()
        .await?;
    check("put", &r)?;
    let streamed = reqwest::Body::wrap_stream(futures_util::stream::iter([
        Ok::<_, std::io::Error>("hello, "),
        Ok("streamed"),
    ]));
    let r = s3_client
        .put(format!("{object}.streamed"))
        .header("content-length", "15")
        .body(streamed)
        .send()
        .await?;
    check("put streamed", &r)?;
    let r = s3_client.get(&object).send().await?;
    check("get", &r)?;
    println!("s3: {}", r.text().await?);
    let r = s3_client.get(format!("{object}.streamed")).send().await?;
    check("get streamed", &r)?;
    println!("s3: {}", r.text().await?);
    Ok(())
}
