//! `sigv4 curl -T FILE` and `-o FILE` stream: a 1 GiB file goes up and
//! comes back through s3s-fs in bounded memory, and both upload modes
//! (signed chunks, unsigned checksum trailer) are accepted with each
//! checksum. Run with stderr a pipe, the commands print no progress.
#![cfg(feature = "cli")]

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use crate::cli::{run, run_watched, sigv4, stderr, stdout, with_keys};
use crate::support::{S3Server, TempDir};
use sigv4::sign::checksum::ChecksumAlgorithm;

/// `sigv4 curl --service s3` with the s3s-fs keys, then `args`.
fn curl(args: &[&str]) -> Command {
    let mut c = with_keys(sigv4());
    c.args(["curl", "--service", "s3"]).args(args);
    c
}

#[track_caller]
fn assert_ok(o: &Output, what: &str) {
    assert!(
        o.status.success(),
        "{what}: {:?} {}{}",
        o.status,
        stdout(o),
        stderr(o)
    );
}

/// The high-water mark of the resident set of process `pid` in bytes
/// (`VmHWM` of `/proc/<pid>/status`); `None` once it has exited.
fn peak_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Runs `c` (within `deadline`), sampling the child's `VmHWM` every few
/// milliseconds while it runs. The kernel keeps the high-water mark, so
/// the last sample is the peak up to then: a program that held its file
/// in memory would show it for most of its run.
fn run_measured(c: Command, deadline: Duration) -> (Output, u64) {
    let mut peak = 0;
    let mut samples = 0u32;
    let out = run_watched(c, deadline, |pid| {
        if let Some(rss) = peak_rss(pid) {
            peak = peak.max(rss);
            samples += 1;
        }
    });
    assert!(samples > 0, "no memory sample of the child");
    (out, peak)
}

/// Writes `len` bytes of a position-dependent pattern (no two 64 KiB
/// chunks alike) to `path`, 1 MiB at a time.
fn write_pattern(path: &Path, len: u64) {
    let mut f = BufWriter::new(File::create(path).expect("create the test file"));
    let mut block = vec![0u8; 1 << 20];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut written = 0;
    while written < len {
        for word in block.chunks_mut(8) {
            // xorshift64
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes()[..word.len()]);
        }
        let n = (len - written).min(block.len() as u64) as usize;
        f.write_all(&block[..n]).expect("write the test file");
        written += n as u64;
    }
    f.flush().unwrap();
}

const MIB: u64 = 1 << 20;

/// Whether two files hold the same bytes, compared 1 MiB at a time (a
/// debug build hashes 2 GiB far slower than `memcmp` compares them); the
/// offset of the first differing block otherwise.
fn same_bytes(a: &Path, b: &Path) -> Result<(), u64> {
    let (mut a, mut b) = (File::open(a).expect("open"), File::open(b).expect("open"));
    let (mut x, mut y) = (vec![0u8; MIB as usize], vec![0u8; MIB as usize]);
    let mut offset = 0;
    loop {
        let n = read_block(&mut a, &mut x);
        let m = read_block(&mut b, &mut y);
        if n != m || x[..n] != y[..m] {
            return Err(offset);
        }
        if n == 0 {
            return Ok(());
        }
        offset += n as u64;
    }
}

/// Fills `buf` from `f` as far as the file goes; the length read.
fn read_block(f: &mut File, buf: &mut [u8]) -> usize {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]).expect("read") {
            0 => break,
            k => n += k,
        }
    }
    n
}

const PEAK_LIMIT: u64 = 64 * MIB;

/// 1 GiB up with `curl -T` (signed chunks, the default) and down with
/// `curl -o`: the bytes come back equal and neither process's peak
/// resident memory reaches 64 MiB.
#[test]
fn one_gib_up_and_down_in_bounded_memory() {
    const LEN: u64 = 1 << 30;
    let server = S3Server::start();
    let base = server.endpoint();
    assert_ok(
        &run(curl(&["-X", "PUT", &format!("{base}/big")])),
        "create bucket",
    );
    let dir = TempDir::new("cli-1gib");
    let up = dir.path().join("up.bin");
    let down = dir.path().join("down.bin");
    let started = std::time::Instant::now();
    write_pattern(&up, LEN);
    let written = started.elapsed();
    let url = format!("{base}/big/one-gib.bin");

    let (o, upload_peak) = run_measured(
        curl(&["-T", up.to_str().unwrap(), &url]),
        Duration::from_secs(600),
    );
    assert_ok(&o, "upload");
    let (o, download_peak) = run_measured(
        curl(&["-o", down.to_str().unwrap(), &url]),
        Duration::from_secs(600),
    );
    assert_ok(&o, "download");
    let transferred = started.elapsed();
    assert_eq!(std::fs::metadata(&down).unwrap().len(), LEN);
    assert_eq!(
        same_bytes(&up, &down),
        Ok(()),
        "downloaded bytes differ at this offset"
    );
    eprintln!(
        "1 GiB: written in {written:?}, up and down by {transferred:?}, compared by {:?}",
        started.elapsed()
    );
    assert!(
        upload_peak < PEAK_LIMIT && download_peak < PEAK_LIMIT,
        "peak resident memory: upload {} MiB, download {} MiB",
        upload_peak / MIB,
        download_peak / MIB
    );
    eprintln!(
        "1 GiB: peak resident memory upload {} MiB, download {} MiB",
        upload_peak / MIB,
        download_peak / MIB
    );
}

/// Both upload modes, with and without each checksum, through s3s-fs
/// (which checks chunk signatures and trailer checksums); each object
/// reads back exact, with the checksum that was sent stored. Nothing goes
/// to stderr: it is not a terminal, so no progress bar.
#[test]
fn upload_modes_and_checksums() {
    let server = S3Server::start();
    let base = server.endpoint();
    assert_ok(
        &run(curl(&["-X", "PUT", &format!("{base}/modes")])),
        "create bucket",
    );
    let dir = TempDir::new("cli-modes");
    let file = dir.path().join("body.bin");
    // Four 64 KiB chunks and a shorter fifth.
    write_pattern(&file, 4 * 65_536 + 1000);
    let body = std::fs::read(&file).unwrap();
    let file = file.to_str().unwrap();

    let mut cases: Vec<(Vec<&str>, Option<ChecksumAlgorithm>)> = vec![
        (vec![], None),
        (
            vec!["--upload-mode", "unsigned-trailer"],
            Some(ChecksumAlgorithm::Crc32),
        ),
    ];
    let names = ["crc32", "crc32c", "crc64nvme", "sha1", "sha256"];
    for (name, algorithm) in names.iter().zip(ChecksumAlgorithm::ALL) {
        cases.push((vec!["--checksum", name], Some(algorithm)));
        cases.push((
            vec!["--upload-mode", "unsigned-trailer", "--checksum", name],
            Some(algorithm),
        ));
    }
    for (i, (flags, checksum)) in cases.iter().enumerate() {
        let url = format!("{base}/modes/object-{i}");
        let mut args = vec!["-T", file];
        args.extend(flags);
        args.push(&url);
        let o = run(curl(&args));
        assert_ok(&o, &format!("{flags:?}"));
        assert_eq!(stderr(&o), "", "{flags:?}: quiet without a terminal");
        assert_eq!(stdout(&o), "", "{flags:?}");

        let o = run(curl(&[&url]));
        assert_ok(&o, "get");
        assert!(o.stdout == body, "{flags:?}: the object differs");
        assert_eq!(stderr(&o), "");

        let o = run(curl(&[
            "-i",
            "-X",
            "HEAD",
            "-H",
            "x-amz-checksum-mode: ENABLED",
            &url,
        ]));
        assert_ok(&o, "head");
        let head = stdout(&o).to_ascii_lowercase();
        for algorithm in ChecksumAlgorithm::ALL {
            let line = format!(
                "{}: {}",
                algorithm.header_name(),
                algorithm.checksum(&body).base64().to_ascii_lowercase()
            );
            assert_eq!(
                head.contains(&line),
                *checksum == Some(algorithm),
                "{flags:?}: {algorithm} in {head}"
            );
        }
    }
}

/// `-T` with a missing file or a chunk size S3 refuses, and options that
/// need `-T` or conflict with it: each an error before anything is sent;
/// an upload the server refuses exits 22 with S3's code.
#[test]
fn upload_errors() {
    let server = S3Server::start();
    let base = server.endpoint();
    let dir = TempDir::new("cli-upload-errors");
    let small = dir.write("small.txt", "hello");
    let small = small.to_str().unwrap();
    let url = format!("{base}/nowhere/k");
    let missing = dir.path().join("missing.bin");
    let o = run(curl(&["-T", missing.to_str().unwrap(), &url]));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with(&format!("sigv4: error: reading {}: ", missing.display())),
        "{}",
        stderr(&o)
    );

    let o = run(curl(&["-T", small, "--chunk-size", "8191", &url]));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "sigv4: error: invalid aws-chunked size 8191: chunks must be at least 8192 bytes and the body must match the declared length\n"
    );

    for flags in [
        &["--checksum", "crc32"][..],
        &["--upload-mode", "unsigned-trailer"],
        &["--chunk-size", "65536"],
    ] {
        let mut args = flags.to_vec();
        args.push(&url);
        let o = run(curl(&args));
        assert_eq!(o.status.code(), Some(2), "{flags:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("--upload-file <FILE>"),
            "{flags:?}: {}",
            stderr(&o)
        );
    }
    let o = run(curl(&["-T", small, "-d", "x", &url]));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));

    // Signed with another secret: s3s-fs refuses the seed signature, exit 22.
    let mut c = curl(&["-T", small, &url]);
    c.env("AWS_SECRET_ACCESS_KEY", "not-the-secret");
    let o = run(c);
    assert_eq!(o.status.code(), Some(22), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("sigv4: error: HTTP 403: SignatureDoesNotMatch"),
        "{}",
        stderr(&o)
    );
}
