//! `sigv4 presign-post`: presigned POST forms for browser uploads, as
//! text, JSON or a standalone HTML upload page.

use sigv4::s3::{Condition, PostPolicy, PresignedPost, FILE_FIELD};

use super::presign::location;
use super::{rfc3339, signing_time, Context};
use crate::cli::{Output, PresignPostArgs};
use crate::output::write_stdout;
use crate::Failure;

/// Runs `sigv4 presign-post`.
pub fn run(ctx: &Context, args: &PresignPostArgs) -> Result<(), Failure> {
    let (mut location, region_source) = location(ctx, &args.target, args.path_style)?;
    // A prefix (or the bucket alone): the uploader's file name completes the key.
    let key = location.key().to_string();
    if key.is_empty() || key.ends_with('/') {
        location = location.with_key(&format!("{key}${{filename}}"));
    }
    let policy = policy(args)?;
    let time = signing_time(args.timestamp.as_deref())?;
    let credentials = ctx.credentials()?;
    ctx.debug(
        "presigning a POST form",
        &format!(
            "bucket {}, key {:?}, region {} (from {region_source}), credentials {} from {}",
            location.bucket(),
            location.key(),
            location.region(),
            credentials.access_key_id(),
            credentials.source()
        ),
    );
    let post = location.presign_post(&credentials, time, &policy)?;
    write_stdout(match ctx.global.output {
        Output::Text => {
            let mut t = post.url.clone();
            for (n, v) in &post.fields {
                t.push_str(&format!("\n{n}: {v}"));
            }
            t
        }
        Output::Json => json(&post),
        Output::Html => html(&post, &format!("s3://{}/{}", location.bucket(), key)),
    });
    Ok(())
}

/// The policy of the command line: `--acl`, `--content-type`,
/// `--success-action-status`, `--success-action-redirect`, the `--field`s,
/// `--content-length-range`, the `--condition`s, in this order.
fn policy(args: &PresignPostArgs) -> Result<PostPolicy, Failure> {
    let mut policy = PostPolicy::new(std::time::Duration::from_secs(args.expires_in));
    if let Some(acl) = &args.acl {
        policy = policy.acl(acl);
    }
    if let Some(t) = &args.content_type {
        policy = policy.content_type(t);
    }
    if let Some(status) = args.success_action_status {
        policy = policy.success_action_status(status);
    }
    if let Some(url) = &args.success_action_redirect {
        policy = policy.success_action_redirect(url);
    }
    for f in &args.fields {
        let (name, value) = f
            .split_once('=')
            .ok_or_else(|| Failure::new(format!("invalid --field {f:?}: expected NAME=VALUE")))?;
        policy = policy.field(name, value);
    }
    if let Some(range) = &args.content_length_range {
        let invalid = || {
            Failure::new(format!(
                "invalid --content-length-range {range:?}: expected MIN..MAX (bytes)"
            ))
        };
        let (min, max) = range.split_once("..").ok_or_else(invalid)?;
        let min = min.trim().parse().map_err(|_| invalid())?;
        let max = max.trim().parse().map_err(|_| invalid())?;
        policy = policy.content_length_range(min, max);
    }
    for c in &args.conditions {
        let condition =
            Condition::parse_json(c).map_err(|e| Failure::new(format!("--condition {c}: {e}")))?;
        policy = policy.condition(condition);
    }
    Ok(policy)
}

/// `{"url": ..., "fields": {...}}`, the fields in the form's order.
fn json(post: &PresignedPost) -> String {
    let s = |v: &str| serde_json::Value::from(v).to_string();
    let fields: Vec<String> = post
        .fields
        .iter()
        .map(|(n, v)| format!("    {}: {}", s(n), s(v)))
        .collect();
    format!(
        "{{\n  \"url\": {},\n  \"fields\": {{\n{}\n  }}\n}}",
        s(&post.url),
        fields.join(",\n")
    )
}

/// `text` with the HTML special characters escaped (for text and
/// attribute values).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// When the form expires, RFC 3339.
fn expires_at(post: &PresignedPost) -> String {
    let secs = u64::try_from(post.expires_at.unix_seconds()).unwrap_or(0);
    rfc3339(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
}

/// A standalone upload page: the form posts every field as a hidden input,
/// then the file (last, as S3 requires).
fn html(post: &PresignedPost, target: &str) -> String {
    let mut inputs = String::new();
    for (n, v) in &post.fields {
        inputs.push_str(&format!(
            "  <input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
            escape(n),
            escape(v)
        ));
    }
    format!(
        "<!DOCTYPE html>\n\
         <html lang=\"en\">\n\
         <head>\n\
         <meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Upload to {target}</title>\n\
         </head>\n\
         <body>\n\
         <h1>Upload to {target}</h1>\n\
         <p>This form is valid until {expires}.</p>\n\
         <form method=\"post\" enctype=\"multipart/form-data\" action=\"{action}\">\n\
         {inputs}  <input type=\"file\" name=\"{FILE_FIELD}\" required>\n\
         \x20 <button type=\"submit\">Upload</button>\n\
         </form>\n\
         </body>\n\
         </html>\n",
        target = escape(target),
        expires = expires_at(post),
        action = escape(&post.url),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_html() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
