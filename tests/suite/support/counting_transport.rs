//! A transport that counts: the ureq transport, with a record of every
//! request sent through it and how it ended. For the attempt counts of
//! tests whose peer cannot count (a closed port).

use std::sync::{Arc, Mutex};

use sigv4::transport::{
    RequestOptions, Transport, TransportError, TransportErrorKind, UreqTransport,
};

/// One request sent: method, path, and the status or the failure's kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub method: String,
    pub path: String,
    pub outcome: Result<u16, TransportErrorKind>,
}

/// [`UreqTransport`] recording each request it sends.
#[derive(Clone, Default)]
pub struct CountingTransport {
    inner: UreqTransport,
    attempts: Arc<Mutex<Vec<Attempt>>>,
}

impl CountingTransport {
    pub fn new() -> Self {
        Self::default()
    }

    /// The requests sent so far, in order.
    pub fn attempts(&self) -> Vec<Attempt> {
        self.attempts.lock().unwrap().clone()
    }
}

impl Transport for CountingTransport {
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
        options: &RequestOptions,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let method = request.method().to_string();
        let path = request.uri().path().to_owned();
        let result = self.inner.send(request, options);
        self.attempts.lock().unwrap().push(Attempt {
            method,
            path,
            outcome: result
                .as_ref()
                .map(|r| r.status().as_u16())
                .map_err(TransportError::kind),
        });
        result
    }
}
