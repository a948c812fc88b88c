//! multipart/form-data bodies built by hand, as a browser sends a form:
//! the fields in order, then the file part last.

use super::http_client::{http, Response};

/// The boundary between parts (never inside the test data: checked).
const BOUNDARY: &str = "----sigv4-test-boundary-7MA4YWxkTrZu0gW";

/// The `content-type` header value and the body of a form with `fields`
/// and then a file part named `file` (`filename`, `content_type`, `data`).
pub fn form_data(
    fields: &[(String, String)],
    filename: &str,
    content_type: &str,
    data: &[u8],
) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for (name, value) in fields {
        assert!(!value.contains(BOUNDARY), "the boundary is in field {name}");
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
             content-type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    assert!(
        !data
            .windows(BOUNDARY.len())
            .any(|w| w == BOUNDARY.as_bytes()),
        "the boundary is in the file"
    );
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// POSTs the form of [`form_data`] to `url`.
pub fn post_form(url: &str, fields: &[(String, String)], filename: &str, data: &[u8]) -> Response {
    let (content_type, body) = form_data(fields, filename, "application/octet-stream", data);
    http("POST", url, &[("content-type".into(), content_type)], &body)
}
