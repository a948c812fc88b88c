//! Child processes and ports.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills and reaps the child when dropped, also when a test panics.
pub struct ChildGuard(pub Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Waits until `addr` accepts connections (bounded).
pub fn wait_for_port(addr: SocketAddr, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// Starts `command` (a server told to listen on 127.0.0.1:`port`) with its
/// standard streams closed, and waits until it listens. Panics when it
/// exits early or does not listen `within`, naming it `name`.
pub fn spawn_server(command: &mut Command, name: &str, port: u16, within: Duration) -> ChildGuard {
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {name}: {e}"));
    let mut guard = ChildGuard(child);
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    if !wait_for_port(addr, within) {
        if let Ok(Some(status)) = guard.0.try_wait() {
            panic!("{name} exited early: {status}");
        }
        panic!("{name} did not listen on {addr} within {within:?}");
    }
    guard
}

/// A 127.0.0.1 port with nothing listening. Port 1 is outside the range
/// the other tests' servers get from the system, so no concurrent test can
/// start listening there; if something does listen on it, fall back to a
/// port bound and released.
#[cfg(feature = "client")]
pub fn closed_port() -> u16 {
    let one: SocketAddr = ([127, 0, 0, 1], 1).into();
    match TcpStream::connect_timeout(&one, Duration::from_millis(500)) {
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => 1,
        _ => free_port(),
    }
}

#[cfg(any(feature = "server", all(feature = "client", feature = "http")))]
/// `examples/<name>`, which `cargo test` builds next to the test binary
/// (`target/<profile>/deps/suite-<hash>` -> `target/<profile>/examples/<name>`).
pub fn example_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let path = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|profile| profile.join("examples").join(name))
        .expect("target directory");
    assert!(path.is_file(), "{} was not built", path.display());
    path
}
