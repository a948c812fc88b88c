//! Printing results as text or JSON.

use serde_json::{json, Value};

use crate::cli::Output;

/// Prints `value` as one JSON document, or `text` for the text format.
pub fn print(format: Output, text: impl FnOnce() -> String, value: impl FnOnce() -> Value) {
    match format {
        Output::Text => {
            let t = text();
            if t.ends_with('\n') {
                print!("{t}");
            } else {
                println!("{t}");
            }
        }
        Output::Json => println!(
            "{}",
            serde_json::to_string_pretty(&value()).unwrap_or_else(|_| "{}".into())
        ),
    }
}

/// `[["name", "value"], ...]`.
pub fn header_pairs(headers: &[(String, String)]) -> Value {
    Value::Array(headers.iter().map(|(n, v)| json!([n, v])).collect())
}

/// Writes a debug line to stderr when `enabled`.
pub fn debug(enabled: bool, what: &str, text: &str) {
    if enabled {
        eprintln!("[debug] {what}:");
        for line in text.lines() {
            eprintln!("[debug]   {line}");
        }
    }
}
