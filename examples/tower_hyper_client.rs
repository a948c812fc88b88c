//! A hyper client behind the signing `tower` layer: every request of the
//! `ServiceBuilder` stack is signed for S3. Puts an object from memory,
//! then reads it back. Credentials come from the async default chain.
//!
//! ```text
//! python3 -m moto.server -p 5000 &
//! AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret \
//!     cargo run --example tower_hyper_client --features tower,reqwest -- http://127.0.0.1:5000 my-bucket
//! ```

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use sigv4::credentials::asynchronous::{default_chain_async, AsyncCachedProvider};
use sigv4::middleware::tower::{BoxError, SignedBody, SigningLayer};
use tower::{ServiceBuilder, ServiceExt};

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let endpoint = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:5000".into());
    let bucket = args.next().unwrap_or_else(|| "sigv4-example".into());
    let credentials = Arc::new(AsyncCachedProvider::new(default_chain_async()));
    let hyper = Client::builder(TokioExecutor::new()).build_http::<SignedBody<Full<Bytes>>>();
    let client = ServiceBuilder::new()
        .layer(SigningLayer::new("s3", "us-east-1", credentials))
        .service(hyper);

    let send = |method: &str, url: String, body: &'static str| {
        let request = http::Request::builder()
            .method(method)
            .uri(url)
            .body(Full::new(Bytes::from_static(body.as_bytes())));
        let client = client.clone();
        async move {
            let response = client.oneshot(request?).await?;
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            if !status.is_success() {
                return Err::<Bytes, BoxError>(
                    format!("{status}: {}", String::from_utf8_lossy(&body)).into(),
                );
            }
            Ok(body)
        }
    };
    send("PUT", format!("{endpoint}/{bucket}"), "").await?;
    let object = format!("{endpoint}/{bucket}/tower.txt");
    send("PUT", object.clone(), "hello through tower").await?;
    let body = send("GET", object, "").await?;
    println!("s3: {}", String::from_utf8_lossy(&body));
    Ok(())
}
