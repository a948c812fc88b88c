//! The aws-chunked decoder (`ChunkedDecoder`), SigV4, SigV4a and unsigned
//! framings. A body is encoded from fuzz input with our encoder, edited
//! with fuzz-chosen edits, and fed in fuzz-chosen pieces (or fuzz bytes are
//! fed as they are):
//! - the bytes released are always a prefix of the payload that was
//!   signed (only chunks whose signature held are released);
//! - a signed body the decoder accepts yields exactly the original payload
//!   (and trailer); an unedited body of any framing is accepted;
//! - its buffers stay within `ChunkedLimits` after every feed (the chunk
//!   buffer at most `max_chunk_size`, the line buffer at most twice
//!   `max_line`, the trailers at most `max_trailers` lines), and a counting
//!   allocator bounds everything the decoder holds at once.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use arbitrary::Arbitrary;
use common::{apply, pieces, Edit};
use libfuzzer_sys::fuzz_target;
use sigv4::sign::chunked::{ChunkSigner, ChunkedLayout, UnsignedChunks};
use sigv4::sign::v4a;
use sigv4::sign::verify::{ChunkedDecoder, ChunkedError, ChunkedFraming, ChunkedLimits, VerifyChunks};
use sigv4::sign::{SigningParams, SigningTime};
use sigv4::Credentials;

/// Counts live heap bytes and their peak since the last reset.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = LIVE.fetch_add(l.size(), Relaxed) + l.size();
            PEAK.fetch_max(now, Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        LIVE.fetch_sub(l.size(), Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

#[derive(Arbitrary, Debug)]
enum Framing {
    Signed,
    SignedTrailer,
    UnsignedTrailer,
    Ecdsa,
    EcdsaTrailer,
}

#[derive(Arbitrary, Debug)]
struct Input {
    framing: Framing,
    /// The payload: `seed` repeated to `len % 40_000` bytes.
    seed: Vec<u8>,
    len: u16,
    /// Chunk size: 8 KiB plus this.
    chunk_extra: u16,
    trailer_value: u8,
    edits: Vec<Edit>,
    pieces: Vec<u16>,
    max_chunk_size: u32,
    max_line: u16,
    max_trailers: u8,
    /// Feed these bytes instead of the encoded body.
    raw: Option<Vec<u8>>,
}

const SEED: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
const TRAILER: &str = "x-amz-checksum-crc32";

fn run<V: VerifyChunks>(
    mut decoder: ChunkedDecoder<V>,
    body: &[u8],
    sizes: &[u16],
    limits: ChunkedLimits,
) -> (Result<(), ChunkedError>, Vec<u8>, Vec<(String, String)>) {
    let mut out = Vec::new();
    let bound = limits.max_chunk_size
        + 2 * (limits.max_line + 2)
        + limits.max_trailers * (2 * limits.max_line + 128)
        + 64 * 1024;
    let check = |d: &ChunkedDecoder<V>| {
        let (chunk, line, trailers) = sigv4::__fuzz::chunked_buffer_sizes(d);
        assert!(chunk <= limits.max_chunk_size, "chunk buffer {chunk} > {}", limits.max_chunk_size);
        // Amortized growth doubles; 8 bytes is a byte vector's smallest allocation.
        assert!(line <= 2 * (limits.max_line + 2) + 8, "line buffer {line} for {}", limits.max_line);
        assert!(trailers <= (limits.max_trailers + 1) * 2 * (limits.max_line + 1), "trailers {trailers}");
    };
    let base = LIVE.load(Relaxed);
    let mut result = Ok(());
    'feed: for piece in pieces(body, sizes) {
        let mut input = piece;
        while !input.is_empty() {
            PEAK.store(LIVE.load(Relaxed), Relaxed);
            let step = decoder.feed(input);
            let peak = PEAK.load(Relaxed).saturating_sub(base);
            assert!(peak <= bound + out.capacity(), "decoder peak {peak} over {bound}");
            match step {
                Ok(step) => {
                    out.extend_from_slice(step.data);
                    input = &input[step.consumed..];
                }
                Err(e) => {
                    result = Err(e);
                    check(&decoder);
                    break 'feed;
                }
            }
            check(&decoder);
        }
    }
    if result.is_ok() {
        result = decoder.finish();
    }
    let trailers = decoder.trailers().map(|(n, v)| (n.to_string(), v.to_string())).collect();
    (result, out, trailers)
}

fuzz_target!(|input: Input| {
    let len = usize::from(input.len) % 40_000;
    let payload: Vec<u8> = if input.seed.is_empty() {
        vec![b'a'; len]
    } else {
        input.seed.iter().copied().cycle().take(len).collect()
    };
    let chunk_size = 8192 + usize::from(input.chunk_extra) % 16_384;
    let limits = ChunkedLimits {
        max_chunk_size: (input.max_chunk_size % (64 * 1024)) as usize,
        max_line: usize::from(input.max_line % 8192),
        max_trailers: usize::from(input.max_trailers % 20),
    };
    // Limits that the unedited encoding fits in: then it must be accepted.
    let fits = limits.max_chunk_size >= chunk_size.min(len.max(1)) && limits.max_line >= 256 && limits.max_trailers >= 1;
    let value: String = format!("{:08}", u32::from(input.trailer_value) * 1_000_003 % 100_000_000);
    let credentials = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    let time = SigningTime::parse_amz_date("20130524T000000Z").unwrap();
    let params = SigningParams::new(&credentials, "us-east-1", "s3", time);
    let v4a_params = v4a::SigningParams::new(&credentials, "*", "s3", time);
    let has_trailer = matches!(input.framing, Framing::SignedTrailer | Framing::UnsignedTrailer | Framing::EcdsaTrailer);
    let trailer = has_trailer.then_some((TRAILER, value.as_str()));
    let with_trailer = |l: ChunkedLayout| if has_trailer { l.with_trailer(TRAILER.len(), value.len()) } else { l };
    let mut body = match input.framing {
        Framing::Signed | Framing::SignedTrailer => with_trailer(ChunkedLayout::new(len as u64, chunk_size).unwrap())
            .encode(&payload, &mut ChunkSigner::new(&params, SEED).unwrap(), trailer)
            .unwrap(),
        Framing::UnsignedTrailer => with_trailer(ChunkedLayout::unsigned(len as u64, chunk_size).unwrap())
            .encode(&payload, &mut UnsignedChunks, trailer)
            .unwrap(),
        Framing::Ecdsa | Framing::EcdsaTrailer => with_trailer(v4a::chunked::layout(len as u64, chunk_size).unwrap())
            .encode(&payload, &mut v4a::chunked::ChunkSigner::new(&v4a_params, SEED).unwrap(), trailer)
            .unwrap(),
    };
    let edited = match &input.raw {
        Some(raw) => {
            body = raw.clone();
            true
        }
        None => apply(&mut body, &input.edits),
    };
    let framing = match input.framing {
        Framing::Signed => ChunkedFraming::Signed,
        Framing::SignedTrailer => ChunkedFraming::SignedTrailer,
        Framing::UnsignedTrailer => ChunkedFraming::UnsignedTrailer,
        Framing::Ecdsa => ChunkedFraming::EcdsaSigned,
        Framing::EcdsaTrailer => ChunkedFraming::EcdsaSignedTrailer,
    };
    let (result, out, trailers) = match input.framing {
        Framing::Signed | Framing::SignedTrailer => run(
            ChunkedDecoder::new(framing, Some(ChunkSigner::new(&params, SEED).unwrap()), limits).expect_decoded_len(len as u64),
            &body,
            &input.pieces,
            limits,
        ),
        Framing::UnsignedTrailer => run(
            ChunkedDecoder::unsigned(limits).expect_decoded_len(len as u64),
            &body,
            &input.pieces,
            limits,
        ),
        Framing::Ecdsa | Framing::EcdsaTrailer => {
            let key = v4a_params.public_key().unwrap();
            let verifier = v4a::chunked::ChunkVerifier::new(key, time, "s3", SEED);
            run(
                ChunkedDecoder::new(framing, Some(verifier), limits).expect_decoded_len(len as u64),
                &body,
                &input.pieces,
                limits,
            )
        }
    };
    if framing.is_signed() {
        // Only verified chunks are released: a prefix of the signed payload.
        assert!(payload.starts_with(&out), "released {} bytes that were not signed", out.len());
        if result.is_ok() {
            assert_eq!(out, payload);
            if has_trailer {
                assert_eq!(trailers, vec![(TRAILER.to_string(), value.clone())]);
            }
        }
    } else if !edited {
        assert!(payload.starts_with(&out));
    }
    if !edited && fits {
        assert_eq!(result, Ok(()), "an unedited body was refused");
        assert_eq!(out, payload);
    }
});
