//! Task 4: call STS `GetCallerIdentity` with the blocking client, against a
//! local endpoint (moto's server, LocalStack, ...) or AWS itself.
//!
//! Credentials come from the default chain, as for the AWS CLI.
//!
//! ```text
//! python3 -m moto.server -p 5000 &
//! AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret \
//!     cargo run --example sts_whoami --features client -- http://127.0.0.1:5000
//! ```

use sigv4::Client;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut builder = Client::builder().region("us-east-1");
    if let Some(endpoint) = std::env::args().nth(1) {
        builder = builder.endpoint_url(endpoint);
    }
    let me = builder.build()?.get_caller_identity()?;
    println!(
        "account {}\narn     {}\nuser id {}",
        me.account, me.arn, me.user_id
    );
    Ok(())
}
