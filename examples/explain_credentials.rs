//! Task 3: resolve credentials the way the AWS CLI does (explicit,
//! environment, role profiles, profile files, container, instance profile)
//! and print which source was used and why the others were skipped.
//!
//! ```text
//! AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret cargo run --example explain_credentials --features client
//! ```

use sigv4::credentials::default_chain;

fn main() {
    let report = default_chain().explain();
    println!("{report}");
    match report.credentials() {
        Some(credentials) => println!("using {credentials}"), // Display never shows the secret
        None => std::process::exit(1),
    }
}
