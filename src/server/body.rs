//! [`VerifiedBody`]: the request body the handler reads, decoded and
//! verified as it streams; [`ResponseBody`]: the answer, the handler's or
//! the layer's XML error.

use std::error::Error as StdError;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;

use crate::sign::verify::{BodyError, BodyVerifier};

/// The errors of the bodies this layer wraps.
pub type BoxError = Box<dyn StdError + Send + Sync>;

type Inner = Pin<Box<dyn Body<Data = Bytes, Error = BoxError> + Send>>;

/// The request body the inner service receives: the *decoded payload*
/// (aws-chunked framing removed, each chunk's signature checked before its
/// bytes are released), and, at its end, the final checks (the plain
/// body's SHA-256 against `x-amz-content-sha256`, the final chunk, the
/// trailer signature and checksums).
///
/// A body that fails verification ends with an error frame
/// ([`VerifiedBodyError::Verification`]) instead of its end: a handler
/// that collects the body before it commits anything never commits a bad
/// one. A handler that streams a plain (non-chunked) body elsewhere as it
/// arrives must be ready to undo it when the last poll fails: the hash can
/// only be checked at the end.
pub struct VerifiedBody {
    inner: Inner,
    verifier: BodyVerifier,
    state: State,
    /// Payload bytes still to come, when the request announced them.
    remaining: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Streaming,
    /// Ended, well or not: every later poll is `None`.
    Done,
}

impl fmt::Debug for VerifiedBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedBody")
            .field("state", &self.state)
            .field("remaining", &self.remaining)
            .finish_non_exhaustive()
    }
}

impl VerifiedBody {
    /// `body` as received, read through `verifier`; `decoded_len` is the
    /// payload length when announced (`x-amz-decoded-content-length`, or
    /// the `content-length` of a plain body).
    pub(super) fn new<B>(body: B, verifier: BodyVerifier, decoded_len: Option<u64>) -> Self
    where
        B: Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<BoxError>,
    {
        let inner = body
            .map_frame(|frame| frame.map_data(|mut data| data.copy_to_bytes(data.remaining())))
            .map_err(Into::into);
        VerifiedBody {
            inner: Box::pin(inner),
            verifier,
            state: State::Streaming,
            remaining: decoded_len,
        }
    }

    /// Runs `input` through the verifier; returns the payload it released
    /// (`input` itself when released whole, as a plain body's is: no copy).
    fn feed(&mut self, input: Bytes) -> Result<Bytes, BodyError> {
        let mut out = Vec::new();
        let mut rest = &input[..];
        // Each step consumes input or releases a chunk: at most one step
        // per input byte plus one, so the loop is bounded by the input.
        for _ in 0..=input.len() {
            if rest.is_empty() {
                break;
            }
            let step = self.verifier.feed(rest)?;
            let whole = step.data.as_ptr() == input.as_ptr() && step.data.len() == input.len();
            if out.is_empty() && whole {
                return Ok(input.clone());
            }
            out.extend_from_slice(step.data);
            rest = &rest[step.consumed..];
        }
        Ok(Bytes::from(out))
    }
}

impl Body for VerifiedBody {
    type Data = Bytes;
    type Error = VerifiedBodyError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, VerifiedBodyError>>> {
        let this = self.get_mut();
        // Frames that release nothing (a partial chunk) are read on in the
        // same poll, until the inner body is pending or ends.
        while this.state == State::Streaming {
            let frame = match this.inner.as_mut().poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(frame))) => frame,
                Poll::Ready(Some(Err(e))) => {
                    this.state = State::Done;
                    return Poll::Ready(Some(Err(VerifiedBodyError::Transport(e))));
                }
                Poll::Ready(None) => {
                    this.state = State::Done;
                    return Poll::Ready(
                        this.verifier
                            .finish()
                            .err()
                            .map(|e| Err(VerifiedBodyError::Verification(e))),
                    );
                }
            };
            let data = match frame.into_data() {
                Ok(data) => data,
                // HTTP trailers of the transport (not aws-chunked ones):
                // passed on as they are.
                Err(frame) => return Poll::Ready(Some(Ok(frame))),
            };
            match this.feed(data) {
                Ok(out) if out.is_empty() => continue,
                Ok(out) => {
                    if let Some(r) = &mut this.remaining {
                        *r = r.saturating_sub(out.len() as u64);
                    }
                    return Poll::Ready(Some(Ok(Frame::data(out))));
                }
                Err(e) => {
                    this.state = State::Done;
                    return Poll::Ready(Some(Err(VerifiedBodyError::Verification(e))));
                }
            }
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.state == State::Done
    }

    fn size_hint(&self) -> SizeHint {
        match self.remaining {
            Some(n) => SizeHint::with_exact(n),
            None => SizeHint::default(),
        }
    }
}

/// Why reading a [`VerifiedBody`] failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum VerifiedBodyError {
    /// The body is not what was signed (hash, chunk signature, trailer,
    /// checksum, framing, length): nothing read from it may be kept.
    /// [`ErrorResponse::from_body_read`](super::ErrorResponse::from_body_read)
    /// is S3's answer to it.
    Verification(BodyError),
    /// The connection failed while the body was read.
    Transport(BoxError),
}

impl fmt::Display for VerifiedBodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifiedBodyError::Verification(e) => {
                write!(f, "the request body failed verification: {e}")
            }
            VerifiedBodyError::Transport(e) => write!(f, "reading the request body failed: {e}"),
        }
    }
}

impl StdError for VerifiedBodyError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            VerifiedBodyError::Verification(e) => Some(e),
            VerifiedBodyError::Transport(e) => Some(e.as_ref()),
        }
    }
}

/// The answer of a [`VerifyService`](super::VerifyService): the inner
/// service's body, or the XML error the layer answered with.
#[derive(Debug)]
pub enum ResponseBody<B> {
    /// The inner service's answer.
    Inner(B),
    /// The layer's XML error (`None` once sent).
    Error(Option<Bytes>),
}

impl<B> From<Bytes> for ResponseBody<B> {
    fn from(bytes: Bytes) -> Self {
        ResponseBody::Error(Some(bytes))
    }
}

impl<B> Body for ResponseBody<B>
where
    B: Body<Data = Bytes> + Unpin,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        match self.get_mut() {
            ResponseBody::Inner(body) => Pin::new(body).poll_frame(cx),
            ResponseBody::Error(bytes) => Poll::Ready(
                bytes
                    .take()
                    .filter(|b| !b.is_empty())
                    .map(|b| Ok(Frame::data(b))),
            ),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ResponseBody::Inner(body) => body.is_end_stream(),
            ResponseBody::Error(bytes) => bytes.as_ref().is_none_or(Bytes::is_empty),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ResponseBody::Inner(body) => body.size_hint(),
            ResponseBody::Error(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
        }
    }
}
