//! The async call driver (feature `async`): [`AsyncCaller`] runs the same
//! decisions as the blocking [`Caller`](super::call::Caller) (sign each
//! attempt afresh, [`RetryState`] decides, one
//! clock-skew correction, the same parsing), sending through an
//! [`AsyncTransport`] and waiting through an [`AsyncSleep`].
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use sigv4::api::async_call::AsyncCaller;
//! use sigv4::api::sts::GetCallerIdentity;
//! use sigv4::api::ServiceConfig;
//! use sigv4::runtime::{AsyncSleep, BoxFuture};
//! use sigv4::transport::{RequestOptions, TransportError};
//! use sigv4::transport_async::{AsyncTransport, SendFuture};
//! use sigv4::Credentials;
//!
//! struct Sts;
//! impl AsyncTransport for Sts {
//!     fn send<'a>(&'a self, _: http::Request<Vec<u8>>, _: &'a RequestOptions) -> SendFuture<'a> {
//!         Box::pin(async {
//!             Ok(http::Response::new(b"<GetCallerIdentityResponse><GetCallerIdentityResult>\
//!                 <Arn>arn:aws:iam::1:user/a</Arn><UserId>AIDA</UserId><Account>1</Account>\
//!                 </GetCallerIdentityResult></GetCallerIdentityResponse>".to_vec()))
//!         })
//!     }
//! }
//! struct NoWait;
//! impl AsyncSleep for NoWait {
//!     fn sleep(&self, _: Duration) -> BoxFuture<'static, ()> { Box::pin(async {}) }
//! }
//! let caller = AsyncCaller::with_parts(Arc::new(Sts), Arc::new(NoWait));
//! let credentials = Credentials::new("AKIDEXAMPLE", "secret");
//! let me = pollster::block_on(
//!     caller.call(&ServiceConfig::new("eu-west-1"), &GetCallerIdentity, Some(&credentials)))?;
//! assert_eq!(me.account, "1");
//! # Ok::<(), sigv4::api::CallError>(())
//! ```

use std::future::Future;

use super::call::{finish, given, CallDriver, Next, Sent};
use super::retry::RetryState;
use super::{ApiRequest, CallError, Operation, ServiceConfig, Signing};
use crate::runtime::AsyncSleep;
use crate::sign::Credentials;
use crate::transport_async::AsyncTransport;

/// The async call driver; see the [module docs](self). Built with
/// [`CallDriver::with_parts`] and the same setters as the blocking one.
pub type AsyncCaller = CallDriver<dyn AsyncTransport, dyn AsyncSleep>;

impl AsyncCaller {
    /// Runs `operation` under `config`, signed with `credentials` (`None`
    /// for an unsigned operation).
    pub async fn call<O: Operation + ?Sized>(
        &self,
        config: &ServiceConfig,
        operation: &O,
        credentials: Option<&Credentials>,
    ) -> Result<O::Output, CallError> {
        self.call_with(config, operation, || async { given(credentials) })
            .await
    }

    /// Runs `operation` under `config`: build, then sign/send/retry, then
    /// parse. `credentials` is awaited before each signed attempt (never for
    /// an unsigned operation); its error ends the call.
    pub async fn call_with<O, E, F, Fut>(
        &self,
        config: &ServiceConfig,
        operation: &O,
        credentials: F,
    ) -> Result<O::Output, E>
    where
        O: Operation + ?Sized,
        E: From<CallError>,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Credentials, E>>,
    {
        let request = operation.build(config)?;
        let sent = self.execute(&request, credentials).await?;
        Ok(finish(operation, sent)?)
    }

    /// Sends `request` with signing and retries; returns the final response
    /// whatever its status.
    pub async fn send_with<E, F, Fut>(
        &self,
        request: &ApiRequest,
        credentials: F,
    ) -> Result<http::Response<Vec<u8>>, E>
    where
        E: From<CallError>,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Credentials, E>>,
    {
        self.execute(request, credentials).await.map(|(r, _)| r)
    }

    async fn execute<E, F, Fut>(&self, request: &ApiRequest, mut credentials: F) -> Result<Sent, E>
    where
        E: From<CallError>,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Credentials, E>>,
    {
        let mut state = RetryState::new(self.retry_policy());
        loop {
            let credentials = match request.signing {
                Signing::Anonymous => None,
                Signing::SigV4 { .. } => Some(credentials().await?),
            };
            let (signed, ours) = self.sign_attempt(request, credentials.as_ref())?;
            let result = self.transport().send(signed, self.request_options()).await;
            match self.after_attempt(&mut state, request, result, ours) {
                Next::Done(sent) => return Ok(sent),
                Next::Failed(e) => return Err(e.into()),
                Next::Wait(after) => self.sleeper().sleep(after).await,
                Next::Again => {}
            }
        }
    }
}
