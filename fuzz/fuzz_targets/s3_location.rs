//! `S3Location::parse` and the URL splitting under it (`Endpoint::parse`,
//! `parse_host`). Input: a target, then optionally a 0 byte and a region
//! (used when it is a valid region name: the region is the caller's).
//! - nothing panics;
//! - `parse_host` returns pieces of the host it was given (but for
//!   `s3-external-1`, which names us-east-1);
//! - a location that renders a URL parses back from it to the same bucket,
//!   key, region and URL.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigv4::s3::{is_dns_compatible, parse_host, Endpoint, S3Location};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (target, region) = text.split_once('\0').unwrap_or((text, "us-east-1"));
    // The region is the caller's (configuration, not the URL): a valid one.
    // No region is named like the service (`s3`, `s3-...`): parse_host
    // reads such a host as a custom endpoint.
    let region = if !region.is_empty()
        && region != "s3"
        && !region.starts_with("s3-")
        && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        region
    } else {
        "us-east-1"
    };
    let _ = Endpoint::parse(target);
    if let Some(h) = parse_host(target) {
        if let Some(b) = h.bucket {
            assert!(target.contains(b));
        }
        if let Some(r) = h.region {
            // `s3-external-1` is the legacy name of us-east-1: the one
            // region that is not a piece of the host.
            assert!(target.contains(r) || (r == "us-east-1" && target.contains("s3-external-1")), "{r}");
        }
    }
    let _ = is_dns_compatible(target);
    let Ok(loc) = S3Location::parse(target, region) else { return };
    let _ = loc.effective_style();
    let Ok(url) = loc.url() else { return };
    let again = S3Location::parse(&url, loc.region()).unwrap_or_else(|e| panic!("{url} does not parse back: {e}"));
    assert_eq!(again.bucket(), loc.bucket(), "{url}");
    assert_eq!(again.key(), loc.key(), "{url}");
    assert_eq!(again.region(), loc.region(), "{url}");
    assert_eq!(again.url().ok().as_deref(), Some(url.as_str()));
});
