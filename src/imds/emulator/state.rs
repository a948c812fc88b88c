//! The emulator's mutable state: its configuration, the tokens it issued
//! and the requests it received.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use super::EmulatorConfig;

/// One request the emulator received.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// `GET`, `PUT`...
    pub method: String,
    /// The path (query removed).
    pub path: String,
    /// Whether it carried `x-aws-ec2-metadata-token`.
    pub had_token: bool,
    /// Its `x-aws-ec2-metadata-token-ttl-seconds`, if any.
    pub ttl_header: Option<String>,
    /// The status answered.
    pub status: u16,
}

pub(crate) struct State {
    pub(crate) config: EmulatorConfig,
    pub(crate) tokens: HashMap<String, Instant>,
    pub(crate) requests: Vec<RecordedRequest>,
}

impl State {
    /// A fresh state serving `config`.
    pub(crate) fn new(config: EmulatorConfig) -> Self {
        State {
            config,
            tokens: HashMap::new(),
            requests: Vec::new(),
        }
    }
}

pub(crate) fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}
