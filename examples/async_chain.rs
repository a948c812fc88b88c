//! The async default credentials chain used directly: find credentials the
//! way the AWS CLI does, without blocking the runtime, and say where they
//! came from. Cached: the second lookup is served from memory.
//!
//! ```text
//! AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret \
//!     cargo run --example async_chain --features reqwest
//! ```

use std::sync::Arc;

use sigv4::credentials::asynchronous::{
    default_chain_async, AsyncCachedProvider, ProvideCredentialsAsync,
};

#[tokio::main]
async fn main() {
    let chain = default_chain_async();
    // Each source: used, skipped (why), failed, or not reached. No secrets.
    let report = chain.explain().await;
    print!("{report}");
    let cached = Arc::new(AsyncCachedProvider::new(chain));
    match cached.provide_async().await {
        Ok(credentials) => {
            let again = cached
                .provide_async()
                .await
                .map(|c| c.access_key_id().to_owned());
            println!("using {credentials} (cached: {})", again.is_ok());
        }
        Err(e) => {
            eprintln!("no credentials: {e}");
            std::process::exit(1);
        }
    }
}
