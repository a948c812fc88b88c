//! Query-protocol methods of the [`Client`]: the
//! [`api::query_protocol`](crate::api::query_protocol) operations with the
//! client's credentials.

use super::{Client, ClientError};
use crate::api::query_protocol::{DryRun, DryRunOutcome, QueryCall, QueryResponse};

impl Client {
    /// Runs a query-protocol call.
    pub fn query(&self, call: &QueryCall) -> Result<QueryResponse, ClientError> {
        self.call(call)
    }

    /// Runs `call` with `DryRun=true`.
    pub fn dry_run(&self, call: &QueryCall) -> Result<DryRunOutcome, ClientError> {
        self.call(&DryRun::new(call.clone()))
    }
}
