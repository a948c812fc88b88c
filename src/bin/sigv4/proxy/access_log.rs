//! The access log: one line per request on stderr, written when the
//! response body is done (or dropped: a client that went away, an upstream
//! that broke off), so the bytes and the duration are the real ones.
//!
//! ```text
//! 2024-05-01T12:00:00Z 127.0.0.1:51234 "PUT /bucket/key" 200 in=1048576 out=0 12.4ms
//! 2024-05-01T12:00:01Z 127.0.0.1:51236 "GET /slow" 504 in=0 out=61 30001.2ms proxy: the upstream did not answer within 30 s
//! ```
//!
//! The line has the path and never the query (presigned parameters are
//! dropped before forwarding anyway, and a query may carry other tokens),
//! never a header value, so never credentials or signatures.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Instant, SystemTime};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};

use super::body::{BoxError, Meter};
use super::forward::OutBody;

/// One request's line, written exactly once (on drop at the latest).
pub struct LogEntry {
    peer: SocketAddr,
    method: http::Method,
    path: String,
    started: Instant,
    meter: Arc<Meter>,
    status: Option<u16>,
    /// Why the proxy answered itself (`None`: the upstream's answer).
    note: Option<String>,
    bytes_out: u64,
    complete: bool,
    written: bool,
}

impl LogEntry {
    pub fn new(peer: SocketAddr, method: http::Method, path: &str, meter: Arc<Meter>) -> Self {
        LogEntry {
            peer,
            method,
            path: path.to_string(),
            started: Instant::now(),
            meter,
            status: None,
            note: None,
            bytes_out: 0,
            complete: false,
            written: false,
        }
    }

    /// The status sent back, and why the proxy answered itself, if it did.
    pub fn answered(&mut self, status: http::StatusCode, note: Option<String>) {
        self.status = Some(status.as_u16());
        self.note = note;
        // These answers have no body on the wire, whatever the body says.
        if self.method == http::Method::HEAD || matches!(status.as_u16(), 204 | 304) {
            self.complete = true;
        }
    }

    fn line(&self) -> String {
        let mut line = format!(
            "{} {} \"{} {}\" ",
            crate::commands::rfc3339(SystemTime::now()),
            self.peer,
            self.method,
            self.path
        );
        match self.status {
            Some(s) => {
                let _ = write!(line, "{s}");
            }
            None => line.push('-'),
        }
        let _ = write!(
            line,
            " in={} out={} {:.1}ms",
            self.meter.bytes_in(),
            self.bytes_out,
            self.started.elapsed().as_secs_f64() * 1000.0
        );
        if let Some(note) = &self.note {
            let _ = write!(line, " proxy: {note}");
        }
        if self.status.is_none() {
            line.push_str(" (the client went away before the answer)");
        } else if !self.complete {
            line.push_str(" (the response body was cut off)");
        }
        line
    }

    fn write(&mut self) {
        if !self.written {
            self.written = true;
            // One `eprintln!` per line: lines of concurrent requests never interleave.
            eprintln!("{}", self.line().replace(['\n', '\r'], " "));
        }
    }
}

impl Drop for LogEntry {
    fn drop(&mut self) {
        self.write();
    }
}

/// A response body that counts what it sends and writes the log line when
/// it ends or is dropped.
pub struct Logged {
    inner: OutBody,
    entry: LogEntry,
}

impl Logged {
    pub fn new(inner: OutBody, entry: LogEntry) -> Self {
        Logged { inner, entry }
    }
}

impl Body for Logged {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.entry.bytes_out += data.len() as u64;
                }
                if this.inner.is_end_stream() {
                    this.entry.complete = true;
                }
            }
            Poll::Ready(None) => this.entry.complete = true,
            Poll::Ready(Some(Err(e))) => {
                if this.entry.note.is_none() {
                    this.entry.note = Some(format!("response body failed: {e}"));
                }
            }
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for Logged {
    fn drop(&mut self) {
        if self.inner.is_end_stream() {
            self.entry.complete = true;
        }
        self.entry.write();
    }
}
