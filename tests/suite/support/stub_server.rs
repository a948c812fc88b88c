//! The one scripted HTTP server of the tests, for peers that are faked
//! (container credentials endpoints, STS that fails on purpose, a server
//! reporting a signature mismatch): canned answers, injected faults, and a
//! record of every request. Also a listener that accepts connections and
//! never answers.

use std::io::Write;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::http_client::{read_request, Seen};

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Step {
    /// Answer with this status, these headers and body (`content-length`
    /// and `connection: close` are added).
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Read the request, then close the connection without answering.
    Drop,
    /// Wait, then do the inner step.
    Delay(Duration, Box<Step>),
}

impl Step {
    /// An answer with a `content-type`.
    pub fn respond(status: u16, content_type: &str, body: &str) -> Step {
        Step::Respond {
            status,
            headers: vec![("content-type".to_owned(), content_type.to_owned())],
            body: body.to_owned(),
        }
    }

    /// A JSON answer (container credentials endpoints).
    pub fn json(status: u16, body: &str) -> Step {
        Step::respond(status, "application/json", body)
    }

    /// An XML answer (AWS query APIs).
    pub fn xml(status: u16, body: &str) -> Step {
        Step::respond(status, "text/xml", body)
    }

    /// The same answer with one more header.
    pub fn with_header(mut self, name: &str, value: &str) -> Step {
        match &mut self {
            Step::Respond { headers, .. } => headers.push((name.to_owned(), value.to_owned())),
            other => panic!("with_header on {other:?}"),
        }
        self
    }
}

fn act(stream: &mut TcpStream, step: Step) {
    match step {
        Step::Respond {
            status,
            headers,
            body,
        } => {
            let reason = http::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("X");
            let mut out = format!("HTTP/1.1 {status} {reason}\r\n");
            for (n, v) in headers {
                out.push_str(&format!("{n}: {v}\r\n"));
            }
            out.push_str(&format!(
                "content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            ));
            let _ = stream.write_all(out.as_bytes());
            let _ = stream.flush();
        }
        Step::Drop => {}
        Step::Delay(wait, then) => {
            // A slow server, on purpose: the client's timeouts are under test.
            std::thread::sleep(wait);
            act(stream, *then);
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
}

/// A listener on 127.0.0.1 handing each accepted connection to `handle`, on
/// a thread that stops when this is dropped. The accept is nonblocking, so
/// the thread never waits on it: it polls every 2 ms and checks the stop
/// flag in between.
struct Acceptor {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    /// The peer address of every connection accepted, in order, and a
    /// condition signalled at each.
    accepted: Arc<(Mutex<Vec<SocketAddr>>, Condvar)>,
    /// The connections [`connections`](Self::connections) made itself.
    markers: Mutex<Vec<SocketAddr>>,
}

impl Acceptor {
    fn start(mut handle: impl FnMut(TcpStream) + Send + 'static) -> Acceptor {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let stop = Arc::new(AtomicBool::new(false));
        let accepted = Arc::new((Mutex::new(Vec::new()), Condvar::new()));
        let thread = {
            let (stop, accepted) = (stop.clone(), accepted.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, peer)) => {
                            let (list, signal) = &*accepted;
                            list.lock().unwrap().push(peer);
                            signal.notify_all();
                            handle(stream);
                        }
                        // Nothing to accept yet: poll again (not a wait for
                        // another thread; the loop ends on drop).
                        Err(_) => std::thread::sleep(Duration::from_millis(2)),
                    }
                }
            })
        };
        Acceptor {
            addr,
            stop,
            thread: Some(thread),
            accepted,
            markers: Mutex::new(Vec::new()),
        }
    }

    /// How many connections clients made so far, exactly, without waiting
    /// for a guess: connects once more itself and waits (bounded) until
    /// that connection is accepted. The kernel hands connections to
    /// `accept` in the order they were made, so every connection made
    /// before this call has been counted by then.
    fn connections(&self) -> usize {
        let marker = TcpStream::connect_timeout(&self.addr, Duration::from_secs(5))
            .expect("connect to count connections");
        let me = marker.local_addr().expect("marker address");
        let mut markers = self.markers.lock().unwrap();
        markers.push(me);
        let deadline = Instant::now() + Duration::from_secs(10);
        let (list, signal) = &*self.accepted;
        let mut accepted = list.lock().unwrap();
        loop {
            if let Some(at) = accepted.iter().position(|a| *a == me) {
                return accepted[..at]
                    .iter()
                    .filter(|a| !markers.contains(a))
                    .count();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "the counting connection was not accepted within 10 s"
            );
            accepted = signal.wait_timeout(accepted, left).unwrap().0;
        }
    }
}

impl Drop for Acceptor {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[derive(Default)]
struct Record {
    seen: Vec<Seen>,
    served: usize,
}

/// An HTTP/1.1 server answering each request with the next step of its
/// script (the last step repeats once the script is used up). One request
/// per connection, each connection on its own thread, so a delayed answer
/// does not hold up the next request.
pub struct StubServer {
    acceptor: Acceptor,
    /// The record, and a condition signalled at each request received.
    record: Arc<(Mutex<Record>, Condvar)>,
}

impl StubServer {
    pub fn start(script: Vec<Step>) -> StubServer {
        assert!(!script.is_empty(), "a stub server needs a script");
        let record = Arc::new((Mutex::new(Record::default()), Condvar::new()));
        let script = Arc::new(script);
        let acceptor = {
            let record = record.clone();
            Acceptor::start(move |mut stream| {
                let (record, script) = (record.clone(), script.clone());
                std::thread::spawn(move || {
                    let _ = stream.set_nonblocking(false);
                    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
                    let Some(request) = read_request(&stream) else {
                        return;
                    };
                    let step = {
                        let (lock, arrived) = &*record;
                        let mut r = lock.lock().unwrap();
                        r.seen.push(request);
                        let step = script[r.served.min(script.len() - 1)].clone();
                        r.served += 1;
                        arrived.notify_all();
                        step
                    };
                    act(&mut stream, step);
                });
            })
        };
        StubServer { acceptor, record }
    }

    #[cfg(feature = "cli")]
    pub fn port(&self) -> u16 {
        self.acceptor.addr.port()
    }

    /// `http://127.0.0.1:port`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.acceptor.addr)
    }

    /// The connections clients made so far (exact, see
    /// `Acceptor::connections`).
    pub fn connections(&self) -> usize {
        self.acceptor.connections()
    }

    /// The endpoint followed by `path_and_query`.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.endpoint())
    }

    /// The requests received so far, in the order they were answered.
    pub fn seen(&self) -> Vec<Seen> {
        self.record.0.lock().unwrap().seen.clone()
    }

    /// The requests received once `count` have arrived, or all received
    /// when `within` runs out first: for a client that gave up on a request
    /// (a timeout) while this server's thread may still be reading it.
    /// Waits on a condition signalled at each request, no polling.
    pub fn seen_at_least(&self, count: usize, within: Duration) -> Vec<Seen> {
        let deadline = Instant::now() + within;
        let (lock, arrived) = &*self.record;
        let mut r = lock.lock().unwrap();
        while r.seen.len() < count {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            r = arrived.wait_timeout(r, left).unwrap().0;
        }
        r.seen.clone()
    }
}

/// Accepts connections and never answers (a black hole after connect).
#[cfg(feature = "imds-emulator")]
pub struct SilentListener(Acceptor);

#[cfg(feature = "imds-emulator")]
impl SilentListener {
    pub fn start() -> SilentListener {
        let mut held = Vec::new();
        SilentListener(Acceptor::start(move |stream| held.push(stream)))
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.0.addr)
    }

    /// The connections clients made so far (exact, see
    /// `Acceptor::connections`): one per request sent, since nothing is
    /// ever answered.
    pub fn connections(&self) -> usize {
        self.0.connections()
    }
}
