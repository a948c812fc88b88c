//! S3 answers and signed-URL surgery for the tests against real S3
//! servers: the error code of an answer, the exact-rejection check, and the
//! query-string edits that tamper with a presigned URL.

use super::http_client::Response;

/// The `<Code>` of an S3 XML error body, if it has one.
pub fn s3_error_code(r: &Response) -> Option<String> {
    let text = r.text();
    let start = text.find("<Code>")? + "<Code>".len();
    let end = text[start..].find("</Code>")? + start;
    Some(text[start..end].to_string())
}

/// Asserts that `r` is the S3 error answer `status` with `<Code>code</Code>`.
#[track_caller]
pub fn assert_s3_error(r: &Response, status: u16, code: &str, what: &str) {
    assert_eq!(
        (r.status, s3_error_code(r).as_deref()),
        (status, Some(code)),
        "{what}: {}",
        r.text()
    );
}

/// Splits `url` at its `?` into the part before and the `&`-separated pairs.
fn split_query(url: &str) -> (&str, Vec<&str>) {
    match url.split_once('?') {
        Some((base, query)) => (base, query.split('&').collect()),
        None => (url, Vec::new()),
    }
}

/// The raw (still encoded) value of query parameter `name` in `url`; the
/// parameter must be there exactly once.
#[track_caller]
pub fn query_value<'a>(url: &'a str, name: &str) -> &'a str {
    let (_, pairs) = split_query(url);
    let values: Vec<&str> = pairs
        .iter()
        .filter_map(|p| p.split_once('='))
        .filter(|(n, _)| *n == name)
        .map(|(_, v)| v)
        .collect();
    assert_eq!(values.len(), 1, "{name} in {url}");
    values[0]
}

/// `url` with the value of query parameter `name` (there exactly once)
/// replaced by `value` (already encoded), in place.
#[track_caller]
pub fn with_query_value(url: &str, name: &str, value: &str) -> String {
    query_value(url, name);
    let (base, pairs) = split_query(url);
    let pairs: Vec<String> = pairs
        .iter()
        .map(|p| match p.split_once('=') {
            Some((n, _)) if n == name => format!("{n}={value}"),
            _ => p.to_string(),
        })
        .collect();
    format!("{base}?{}", pairs.join("&"))
}

/// `url` with `pair` (`name=value`, already encoded) appended to its query.
pub fn with_query_pair(url: &str, pair: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{pair}")
}

/// `url` with query parameter `name` (there exactly once) repeated right
/// after itself, with the same value.
#[track_caller]
pub fn with_query_repeated(url: &str, name: &str) -> String {
    let value = query_value(url, name);
    with_query_value(url, name, &format!("{value}&{name}={value}"))
}

/// `hex` with the digit at `index` changed to another hex digit.
#[track_caller]
pub fn flip_hex_digit(hex: &str, index: usize) -> String {
    let mut bytes = hex.as_bytes().to_vec();
    bytes[index] = match bytes[index] {
        b'0' => b'1',
        b'0'..=b'9' | b'a'..=b'f' => b'0',
        other => panic!("not a hex digit: {:?}", other as char),
    };
    String::from_utf8(bytes).unwrap()
}

/// The position of the first occurrence of `needle` in `haystack`.
#[track_caller]
pub fn find_bytes(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap_or_else(|| panic!("{:?} not found", String::from_utf8_lossy(needle)))
}
