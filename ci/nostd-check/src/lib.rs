//! Uses the signing core from a `#![no_std]` staticlib.
#![no_std]

extern crate alloc;

use core::alloc::{GlobalAlloc, Layout};
use core::time::Duration;
use sigv4::sign::{presign, sign_headers, Credentials, Payload, SignableRequest, SigningKeyCache, SigningParams, SigningTime};

/// A bump allocator over a static arena: enough for a few signatures.
struct Bump;
static mut ARENA: [u8; 1 << 16] = [0; 1 << 16];
static NEXT: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);

unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let align = layout.align();
        let start = (NEXT.load(core::sync::atomic::Ordering::Relaxed) + align - 1) & !(align - 1);
        let end = start + layout.size();
        if end > 1 << 16 {
            return core::ptr::null_mut();
        }
        NEXT.store(end, core::sync::atomic::Ordering::Relaxed);
        unsafe { (&raw mut ARENA).cast::<u8>().add(start) }
    }
    unsafe fn dealloc(&self, _: *mut u8, _: Layout) {}
}

#[global_allocator]
static ALLOC: Bump = Bump;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}

static CACHE: SigningKeyCache = SigningKeyCache::new();

/// Signs a request at `unix` seconds and writes the 64 hex signature bytes to `out`.
#[no_mangle]
pub extern "C" fn sigv4_sign_example(unix: i64, out: *mut u8) -> i32 {
    let Ok(time) = SigningTime::from_unix_seconds(unix) else { return -1 };
    let credentials = Credentials::new("AKIDEXAMPLE", "secret");
    let params = SigningParams::new(&credentials, "us-east-1", "s3", time).with_key_cache(&CACHE);
    let Ok(req) = SignableRequest::new("GET", "https://bucket.s3.amazonaws.com/key") else { return -2 };
    let req = req.payload(Payload::Unsigned);
    let Ok(signed) = sign_headers(&req, &params) else { return -3 };
    // The default path: the process-wide key cache, which works without std too.
    let global = SigningParams::new(&credentials, "us-east-1", "s3", time);
    match sign_headers(&req, &global) {
        Ok(again) if again.signature() == signed.signature() => {}
        _ => return -5,
    }
    if presign(&req, &params, Duration::from_secs(3600)).is_err() {
        return -4;
    }
    // SigV4a through its process-wide key cache, also without std.
    let v4a_params = sigv4::sign::v4a::SigningParams::new(&credentials, "*", "s3", time);
    match sigv4::sign::v4a::sign_headers(&req, &v4a_params) {
        Ok(s) if s.signature().starts_with("30") => {}
        _ => return -6,
    }
    let sig = signed.signature().as_bytes();
    unsafe { core::ptr::copy_nonoverlapping(sig.as_ptr(), out, sig.len()) };
    0
}
