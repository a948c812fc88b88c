//! Heap allocations per header signature, counted with a counting allocator.
//!
//! The budget is 2 allocations per header signature (the canonical request
//! and the `Authorization` value) and per presigned URL (the canonical
//! request, and the parameter values with the URL after them) with a warm
//! signing-key cache, and none for `write_authorization` once the
//! caller's buffers have grown. This file holds a single test so no other test allocates on
//! another thread while it counts.

// The counting allocator is a `GlobalAlloc` implementation: unsafe by nature.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use std::time::Duration;

use sigv4::sign::{
    presign, sign_headers, write_authorization, write_presigned_uri, Payload, SignableRequest,
    SigningKeyCache, SigningParams, SigningTime,
};
use sigv4::Credentials;

struct Counting;
static COUNT: AtomicUsize = AtomicUsize::new(0);
static ON: AtomicBool = AtomicBool::new(false);

// SAFETY: forwards to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if ON.load(Ordering::Relaxed) {
            COUNT.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if ON.load(Ordering::Relaxed) {
            COUNT.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn count<T>(f: impl FnOnce() -> T) -> (T, usize) {
    COUNT.store(0, Ordering::SeqCst);
    ON.store(true, Ordering::SeqCst);
    let out = f();
    ON.store(false, Ordering::SeqCst);
    (out, COUNT.load(Ordering::SeqCst))
}

#[test]
fn allocations_per_signature() {
    let cache = SigningKeyCache::new();
    let time = SigningTime::parse_amz_date("20130524T000000Z").unwrap();
    let credentials = Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    let params = SigningParams::new(&credentials, "us-east-1", "s3", time).with_key_cache(&cache);
    let req = SignableRequest::new(
        "GET",
        "https://examplebucket.s3.amazonaws.com/photos/2024/cat.jpg",
    )
    .unwrap()
    .header("range", "bytes=0-1023")
    .payload(Payload::Unsigned);
    // Warm the key cache.
    sign_headers(&req, &params).unwrap();

    let (signed, n) = count(|| sign_headers(&req, &params).unwrap());
    println!("header signature of an S3 GET: {n} allocations");
    assert!(n <= 2, "header signing allocated {n} times (budget 2)");
    assert_eq!(signed.headers().count(), 3);

    // A request with a query string and several headers stays within budget too.
    let req = SignableRequest::new(
        "GET",
        "https://examplebucket.s3.amazonaws.com/?list-type=2&prefix=a%2Fb&max-keys=10",
    )
    .unwrap()
    .headers([
        ("x-amz-meta-a", "1"),
        ("content-type", "text/plain"),
        ("x-amz-acl", "private"),
    ]);
    let (_, n) = count(|| sign_headers(&req, &params).unwrap());
    println!("header signature of an S3 list with a query: {n} allocations");
    assert!(
        n <= 2,
        "header signing with a query allocated {n} times (budget 2)"
    );

    // A cold cache costs the key derivation's own allocations, but only once.
    let cold = SigningKeyCache::new();
    let p = params.with_key_cache(&cold);
    let (_, first) = count(|| sign_headers(&req, &p).unwrap());
    let (_, second) = count(|| sign_headers(&req, &p).unwrap());
    assert!(
        second < first,
        "warm cache ({second}) should allocate less than cold ({first})"
    );

    let (_, n) = count(|| presign(&req, &params, Duration::from_secs(3600)).unwrap());
    println!("presign with a query: {n} allocations");
    assert!(n <= 2, "presign allocated {n} times (budget 2)");

    // The S3 GET's presigned URL.
    let get = SignableRequest::new(
        "GET",
        "https://examplebucket.s3.amazonaws.com/photos/2024/cat.jpg",
    )
    .unwrap()
    .payload(Payload::Unsigned);
    let (url, n) = count(|| presign(&get, &params, Duration::from_secs(3600)).unwrap());
    println!("presign of an S3 GET: {n} allocations");
    assert!(n <= 2, "presign allocated {n} times (budget 2)");
    assert!(url.uri().contains("X-Amz-Signature="));

    // With the caller's buffers, once they have grown, signing allocates nothing.
    let get = get.header("range", "bytes=0-1023");
    let (mut scratch, mut out) = (String::new(), String::new());
    write_authorization(&get, &params, &mut scratch, &mut out).unwrap();
    let want = sign_headers(&get, &params).unwrap();
    assert_eq!(out, want.authorization());
    let (_, n) = count(|| {
        out.clear();
        write_authorization(&get, &params, &mut scratch, &mut out)
            .unwrap()
            .iter()
            .count()
    });
    println!("write_authorization with grown buffers: {n} allocations");
    assert_eq!(n, 0, "write_authorization allocated {n} times");
    assert_eq!(out, want.authorization());

    // The same for presigned URLs.
    let get = SignableRequest::new(
        "GET",
        "https://examplebucket.s3.amazonaws.com/photos/2024/cat.jpg?versionId=7",
    )
    .unwrap()
    .payload(Payload::Unsigned);
    let expiry = Duration::from_secs(3600);
    out.clear();
    write_presigned_uri(&get, &params, expiry, &mut scratch, &mut out).unwrap();
    assert_eq!(out, presign(&get, &params, expiry).unwrap().uri());
    let (_, n) = count(|| {
        out.clear();
        write_presigned_uri(&get, &params, expiry, &mut scratch, &mut out).unwrap();
    });
    println!("write_presigned_uri with grown buffers: {n} allocations");
    assert_eq!(n, 0, "write_presigned_uri allocated {n} times");
    assert_eq!(out, presign(&get, &params, expiry).unwrap().uri());
}
