//! `sigv4 presign-post`: the command line maps onto the library's
//! `PostPolicy` (the library's fields are botocore's, see
//! `src/s3/post_policy.rs`), in each output format; bad options fail with
//! one-line errors. (Uploads through its output: `s3_post_policy.rs`.)
#![cfg(feature = "cli")]

use std::process::Output;
use std::time::Duration;

use crate::cli::{run, sigv4, stderr, stdout};
use sigv4::s3::{Condition, PostPolicy, PresignedPost, S3Location};
use sigv4::sign::SigningTime;
use sigv4::Credentials;

/// The binary with the example keys at 20130524T000000Z, `args` after
/// `presign-post`, `--output` `format`.
fn presign_post(format: &str, args: &[&str]) -> Output {
    let mut c = sigv4();
    c.args(["--example-credentials", "--output", format, "presign-post"])
        .args(["--timestamp", "20130524T000000Z"])
        .args(args);
    run(c)
}

/// The options every format test uses, and the library's form for them.
const ARGS: &[&str] = &[
    "--expires-in",
    "600",
    "--content-length-range",
    "1..2048",
    "--content-type",
    "image/png",
    "--acl",
    "private",
    "--success-action-status",
    "201",
    "--success-action-redirect",
    "https://example.com/ok?a=1&b=2",
    "--field",
    "x-amz-meta-note=<b>\"quoted\" & 'single'</b>",
    "--field",
    "Cache-Control=no-cache",
    "--condition",
    r#"["starts-with", "$x-amz-meta-tag", ""]"#,
    "s3://examplebucket/avatars/",
];

fn library_form() -> PresignedPost {
    let policy = PostPolicy::new(Duration::from_secs(600))
        .acl("private")
        .content_type("image/png")
        .success_action_status(201)
        .success_action_redirect("https://example.com/ok?a=1&b=2")
        .field("x-amz-meta-note", "<b>\"quoted\" & 'single'</b>")
        .field("Cache-Control", "no-cache")
        .content_length_range(1, 2048)
        .condition(Condition::starts_with("x-amz-meta-tag", ""));
    S3Location::new("examplebucket", "avatars/${filename}", "us-east-1")
        .unwrap()
        .presign_post(
            &Credentials::new(
                "AKIAIOSFODNN7EXAMPLE",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            ),
            SigningTime::parse_amz_date("20130524T000000Z").unwrap(),
            &policy,
        )
        .unwrap()
}

#[track_caller]
fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", stderr(o));
    stdout(o)
}

#[test]
fn text_and_json_are_the_library_form_in_order() {
    let want = library_form();
    assert!(want
        .policy
        .contains(r#"["starts-with", "$key", "avatars/"]"#));
    let text = ok(&presign_post("text", ARGS));
    let mut expected = want.url.clone();
    for (n, v) in &want.fields {
        expected.push_str(&format!("\n{n}: {v}"));
    }
    assert_eq!(text, format!("{expected}\n"));

    let raw = ok(&presign_post("json", ARGS));
    let doc: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(doc["url"], want.url.as_str());
    let fields = doc["fields"].as_object().unwrap();
    assert_eq!(fields.len(), want.fields.len());
    let mut last = 0;
    for (n, v) in &want.fields {
        assert_eq!(fields[n], v.as_str(), "{n}");
        // In the form's order in the text.
        let at = raw
            .find(&format!("{}:", serde_json::Value::from(n.as_str())))
            .unwrap();
        assert!(at > last, "{n} out of order in {raw}");
        last = at;
    }
}

/// `&quot;` and the other entities of the page decoded.
fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[test]
fn the_html_page_holds_every_field_escaped_and_the_file_last() {
    let want = library_form();
    let page = ok(&presign_post("html", ARGS));
    assert!(page.starts_with("<!DOCTYPE html>\n"), "{page}");
    assert!(page.contains("<meta charset=\"utf-8\">"));
    assert!(page.contains(&format!(
        "<form method=\"post\" enctype=\"multipart/form-data\" action=\"{}\">",
        want.url
    )));
    // Every hidden input, in order, decoded back to the library's fields.
    let hidden: Vec<(String, String)> = page
        .split("<input type=\"hidden\" name=\"")
        .skip(1)
        .map(|rest| {
            let (name, rest) = rest.split_once("\" value=\"").unwrap();
            let value = rest.split_once("\">").unwrap().0;
            assert!(!value.contains(['<', '>', '"']), "unescaped: {value}");
            (unescape(name), unescape(value))
        })
        .collect();
    assert_eq!(hidden, want.fields);
    // The file input after every field, then the button, inside the form.
    let file = page.find("<input type=\"file\" name=\"file\"").unwrap();
    let last_hidden = page.rfind("<input type=\"hidden\"").unwrap();
    let button = page.find("<button type=\"submit\">").unwrap();
    let end = page.find("</form>").unwrap();
    assert!(
        last_hidden < file && file < button && button < end,
        "{page}"
    );
    assert!(page.trim_end().ends_with("</html>"));
}

#[test]
fn key_from_the_target() {
    let key = |target: &str| {
        let text = ok(&presign_post("text", &[target]));
        text.lines()
            .find_map(|l| l.strip_prefix("key: "))
            .unwrap()
            .to_string()
    };
    assert_eq!(key("s3://examplebucket/dir/file.txt"), "dir/file.txt");
    assert_eq!(key("s3://examplebucket/dir/"), "dir/${filename}");
    assert_eq!(key("s3://examplebucket"), "${filename}");
    assert_eq!(key("s3://examplebucket/"), "${filename}");
}

#[test]
fn bad_options_fail_with_one_line() {
    let fails = |format: &str, args: &[&str], message: &str| {
        let o = presign_post(format, args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stdout(&o));
        assert_eq!(stderr(&o), format!("sigv4: error: {message}\n"), "{args:?}");
    };
    let t = "s3://b/k";
    fails(
        "text",
        &["--content-length-range", "5", t],
        "invalid --content-length-range \"5\": expected MIN..MAX (bytes)",
    );
    fails(
        "text",
        &["--content-length-range", "10..1", t],
        "invalid content-length-range 10..1: the minimum is above the maximum",
    );
    fails(
        "text",
        &["--field", "novalue", t],
        "invalid --field \"novalue\": expected NAME=VALUE",
    );
    fails(
        "text",
        &["--field", "key=x", t],
        "the form field \"key\" is set by the presigner itself",
    );
    fails(
        "text",
        &["--condition", r#"{"acl": 1}"#, t],
        "--condition {\"acl\": 1}: invalid POST policy condition: the value of an object condition must be a string",
    );
    fails(
        "text",
        &["--condition", r#"{"acl": "private"}"#, t],
        "the POST policy requires the field \"acl\", which the form does not send",
    );
    fails(
        "text",
        &["--success-action-status", "302", t],
        "invalid success_action_status \"302\": expected 200, 201 or 204",
    );
    fails(
        "text",
        &["--expires-in", "0", t],
        "invalid presign expiry 0s: must be between 1 second and 7 days (604800s)",
    );
    // HTML is presign-post's alone.
    let mut c = sigv4();
    c.args(["--example-credentials", "--output", "html", "presign", t]);
    let o = run(c);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "sigv4: error: --output html is for presign-post only: use text or json\n"
    );
}
