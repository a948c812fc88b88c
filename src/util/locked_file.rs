//! Read-modify-write of a shared file, safe against other writers.
//!
//! [`update`] holds an exclusive advisory lock on a sidecar lock file
//! (`<file>.lock`, next to the file) while it reads the current bytes,
//! computes the new ones and renames a fully written temporary file over the
//! old one. The lock is on the sidecar, not on the file itself, because the
//! rename replaces the file's inode: a lock on the old inode would not stop
//! a writer that opened the new one.
//!
//! Guarantees, and their limits:
//! - Writers that use this function never lose each other's changes: each
//!   reads the bytes the previous one wrote.
//! - Readers never see a half-written file (the rename is atomic), with or
//!   without the lock.
//! - The new file has mode `0600`; bytes the caller does not change stay as
//!   they were.
//! - A writer that takes no lock (the AWS CLI's `aws configure set`, an
//!   editor) can still interleave with us: its write may replace ours, or
//!   ours may replace its, whichever renames last. Advisory locks cannot
//!   stop a program that does not ask for them.
//! - [`remove`] deletes the file under the same lock and leaves the lock
//!   file, which is never deleted: a process waiting on a deleted lock
//!   file's inode and one locking a new one would both get in.
//! - A lock that cannot be had within the timeout is an error
//!   ([`io::ErrorKind::TimedOut`], naming the lock file), never a silent skip.
//!
//! Locking uses `std::fs::File::try_lock` (flock on Unix, LockFileEx on
//! Windows) rather than the `fs4` or `fd-lock` crates: the standard library
//! has offered it since Rust 1.89, and a bounded wait is a short poll loop
//! over it.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long [`update`] waits for another writer by default.
pub(crate) const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// `<file>.lock` next to `path`.
pub(crate) fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    path.with_file_name(name)
}

fn open_private(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(options, 0o600);
    options.open(path)
}

/// The exclusive lock on `path`'s sidecar, taken within `timeout`.
fn lock(path: &Path, timeout: Duration) -> io::Result<File> {
    let lock_file = lock_path(path);
    let file = open_private(
        &lock_file,
        OpenOptions::new().read(true).write(true).create(true),
    )?;
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(2);
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Err(fs::TryLockError::WouldBlock) => {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "another process holds {} for more than {} ms; nothing was written",
                        lock_file.display(),
                        timeout.as_millis()
                    ),
                ))
            }
            Err(fs::TryLockError::Error(e)) => return Err(e),
        }
    }
}

/// A temporary file name next to `path`, unique per process and call.
fn temp_path(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    path.with_file_name(format!(".{name}.sigv4-{}-{n}.tmp", std::process::id()))
}

/// Replaces the file at `path` with `change(current bytes)` under the
/// sidecar lock (see the [module docs](self)). `current` is `None` when the
/// file does not exist; the directory is created when missing. When
/// `change` fails nothing is written.
pub(crate) fn update<E: From<io::Error>>(
    path: &Path,
    timeout: Duration,
    change: impl FnOnce(Option<&[u8]>) -> Result<Vec<u8>, E>,
) -> Result<(), E> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    let _lock = lock(path, timeout)?;
    // Both hold secrets (keys, tokens): zeroized when dropped.
    let current = match fs::read(path) {
        Ok(bytes) => Some(zeroize::Zeroizing::new(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    let new = zeroize::Zeroizing::new(change(current.as_ref().map(|b| b.as_slice()))?);
    let tmp = temp_path(path);
    let written = (|| {
        let mut f = open_private(&tmp, OpenOptions::new().write(true).create_new(true))?;
        f.write_all(&new)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    Ok(written?)
    // `_lock` drops here: the lock is released after the rename.
}

/// Deletes the file at `path` under the sidecar lock; returns whether it
/// existed. The lock file itself stays: deleting it while another process
/// waits on it would let a third take a lock on a new lock file at the
/// same time.
#[cfg_attr(not(feature = "client"), allow(dead_code))] // SSO logout (feature `client`)
pub(crate) fn remove(path: &Path, timeout: Duration) -> io::Result<bool> {
    if !path.exists() && !lock_path(path).exists() {
        return Ok(false);
    }
    let _lock = lock(path, timeout)?;
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sigv4-locked-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn threads_lose_no_update() {
        let dir = temp_dir("threads");
        let path = dir.join("counter");
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for _ in 0..25 {
                        update::<io::Error>(&path, DEFAULT_LOCK_TIMEOUT, |old| {
                            let n: u32 = old
                                .map(|b| String::from_utf8_lossy(b).trim().parse().unwrap())
                                .unwrap_or(0);
                            Ok(format!("{}\n", n + 1).into_bytes())
                        })
                        .unwrap();
                    }
                });
            }
        });
        assert_eq!(fs::read_to_string(&path).unwrap(), "200\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        // No temporary file is left behind.
        let names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}"); // the file and its lock
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_held_lock_times_out_with_a_clear_error_and_writes_nothing() {
        let dir = temp_dir("timeout");
        let path = dir.join("credentials");
        fs::write(&path, "[a]\n").unwrap();
        let held = lock(&path, DEFAULT_LOCK_TIMEOUT).unwrap();
        let err = update::<io::Error>(&path, Duration::from_millis(100), |_| {
            Ok(b"changed".to_vec())
        })
        .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(err.to_string().contains("credentials.lock"), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "[a]\n");
        drop(held);
        update::<io::Error>(&path, Duration::from_millis(100), |_| {
            Ok(b"changed".to_vec())
        })
        .unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "changed");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failing_change_writes_nothing() {
        let dir = temp_dir("failing");
        let path = dir.join("f");
        let r = update::<io::Error>(&path, DEFAULT_LOCK_TIMEOUT, |_| Err(io::Error::other("no")));
        assert!(r.is_err());
        assert!(!path.exists());
        fs::remove_dir_all(&dir).unwrap();
    }
}
