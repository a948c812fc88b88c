//! Printing results as text or JSON (and `presign-post`'s HTML page).

use serde_json::{json, Value};

use crate::cli::Output;

/// Prints `value` as one JSON document, or `text` for the text format.
///
/// A closed stdout (`sigv4 ... | head -1`) is not worth a panic: write
/// errors are ignored.
pub fn print(format: Output, text: impl FnOnce() -> String, value: impl FnOnce() -> Value) {
    write_stdout(match format {
        // `--output html` is refused before any command but presign-post runs.
        Output::Text | Output::Html => text(),
        Output::Json => serde_json::to_string_pretty(&value()).unwrap_or_else(|_| "{}".into()),
    });
}

/// Writes `t` to stdout, ending it with a newline (write errors ignored:
/// see [`print`]).
pub fn write_stdout(mut t: String) {
    use std::io::Write;
    if !t.ends_with('\n') {
        t.push('\n');
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(t.as_bytes());
    let _ = out.flush();
}

/// `[["name", "value"], ...]`.
pub fn header_pairs(headers: &[(String, String)]) -> Value {
    Value::Array(headers.iter().map(|(n, v)| json!([n, v])).collect())
}

/// Writes a debug block to stderr when `enabled`.
pub fn debug(enabled: bool, what: &str, text: &str) {
    if enabled {
        eprint!("{}", debug_block(what, text));
    }
}

/// The lines of a debug block: `[debug] what:`, then each line of `text`
/// indented (written at once, so concurrent blocks do not interleave).
pub fn debug_block(what: &str, text: &str) -> String {
    let mut block = format!("[debug] {what}:\n");
    for line in text.lines() {
        block.push_str("[debug]   ");
        block.push_str(line);
        block.push('\n');
    }
    block
}
