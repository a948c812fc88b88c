//! [`ChunkedBody`]: an aws-chunked body as a [`std::io::Read`], framed
//! (and signed, and checksummed) one chunk at a time while it is read, so
//! a file of any size is uploaded in O(chunk size) memory.
//!
//! The framing is the signing core's ([`ChunkedLayout::write_chunk`] and
//! [`ChunkedLayout::write_final`], the steps [`ChunkedLayout::encode`]
//! takes over a body in memory); this file adds only the reading.

use std::io::{self, Read};

use crate::sign::checksum::{Checksum, ChecksumAlgorithm, ChecksumValue};
use crate::sign::chunked::{ChunkedLayout, SignChunks};
use crate::sign::Error;

/// An aws-chunked body read from `R`: each [`read`](Read::read) hands out
/// the frame of the current chunk, and the next chunk is read from `R`,
/// checksummed, framed and signed when that one is used up. It holds one
/// chunk of `R`'s bytes and its frame.
///
/// Made by [`S3Location::sign_chunked_upload`](super::S3Location::sign_chunked_upload),
/// or directly with a layout and signer for a request signed elsewhere:
///
/// ```
/// use std::io::Read;
/// use sigv4::s3::ChunkedBody;
/// use sigv4::sign::checksum::ChecksumAlgorithm;
/// use sigv4::sign::chunked::{ChunkedLayout, UnsignedChunks};
///
/// let algorithm = ChecksumAlgorithm::Crc32;
/// let layout = ChunkedLayout::unsigned(9, 8192)?
///     .with_trailer(algorithm.header_name().len(), algorithm.base64_len());
/// let mut body = ChunkedBody::new(&b"123456789"[..], layout, UnsignedChunks, Some(algorithm))?;
/// let mut sent = String::new();
/// body.read_to_string(&mut sent)?;
/// assert_eq!(sent, "9\r\n123456789\r\n0\r\nx-amz-checksum-crc32:y/Q5Jg==\r\n\r\n");
/// assert_eq!(body.checksum().unwrap().base64(), "y/Q5Jg==");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ChunkedBody<R, S> {
    inner: R,
    layout: ChunkedLayout,
    signer: S,
    checksum: Option<Checksum>,
    sent_checksum: Option<ChecksumValue>,
    /// Bytes of `inner` still to read.
    remaining: u64,
    /// The chunk read from `inner`.
    data: Vec<u8>,
    /// The frame being handed out, and how much of it is.
    frame: Vec<u8>,
    pos: usize,
    finished: bool,
}

impl<R, S> std::fmt::Debug for ChunkedBody<R, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkedBody")
            .field("layout", &self.layout)
            .field("remaining", &self.remaining)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl<R: Read, S: SignChunks> ChunkedBody<R, S> {
    /// The body of `layout` read from `inner` (which must hold exactly
    /// [`decoded_len`](ChunkedLayout::decoded_len) bytes), framed with
    /// `signer`, with a trailer of the `checksum` of the bytes read: the
    /// layout must have room for that trailer (and for none without one).
    pub fn new(
        inner: R,
        layout: ChunkedLayout,
        signer: S,
        checksum: Option<ChecksumAlgorithm>,
    ) -> Result<Self, Error> {
        let room = checksum.map(|a| (a.header_name().len(), a.base64_len()));
        if layout.trailer() != room {
            return Err(Error::MalformedSignature {
                reason: "trailer does not match the layout",
            });
        }
        Ok(ChunkedBody {
            inner,
            layout,
            signer,
            checksum: checksum.map(Checksum::new),
            sent_checksum: None,
            remaining: layout.decoded_len(),
            data: Vec::new(),
            frame: Vec::new(),
            pos: 0,
            finished: false,
        })
    }

    /// The length of the whole encoded body (`content-length`).
    pub fn encoded_len(&self) -> u64 {
        self.layout.encoded_len()
    }

    /// The checksum sent in the trailer, once the whole body has been read.
    pub fn checksum(&self) -> Option<ChecksumValue> {
        self.sent_checksum
    }

    /// The reader the bytes come from.
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// Frames the next chunk (or the end) into `frame`.
    fn next_frame(&mut self) -> io::Result<()> {
        self.frame.clear();
        self.pos = 0;
        let invalid = |e: Error| io::Error::new(io::ErrorKind::InvalidData, e);
        if self.remaining > 0 {
            let size = usize::try_from(self.remaining)
                .unwrap_or(usize::MAX)
                .min(self.layout.chunk_size());
            self.data.resize(size, 0);
            let declared = self.layout.decoded_len();
            self.inner.read_exact(&mut self.data).map_err(|e| {
                if e.kind() == io::ErrorKind::UnexpectedEof {
                    io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("the body ended before its declared length of {declared} bytes"),
                    )
                } else {
                    e
                }
            })?;
            self.remaining -= size as u64;
            if let Some(c) = &mut self.checksum {
                c.update(&self.data);
            }
            self.layout
                .write_chunk(&mut self.frame, &self.data, &mut self.signer)
                .map_err(invalid)?;
            return Ok(());
        }
        let mut probe = [0u8; 1];
        let extra = loop {
            match self.inner.read(&mut probe) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if extra > 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the body is longer than its declared length of {} bytes",
                    self.layout.decoded_len()
                ),
            ));
        }
        self.sent_checksum = self.checksum.take().map(Checksum::finalize);
        let trailer = self.sent_checksum.as_ref().map(|c| c.header());
        self.layout
            .write_final(&mut self.frame, &mut self.signer, trailer)
            .map_err(invalid)?;
        self.finished = true;
        // The chunk buffer is not needed any more.
        self.data = Vec::new();
        Ok(())
    }
}

impl<R: Read, S: SignChunks> Read for ChunkedBody<R, S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        // Bounded: each pass either hands out bytes, ends, or frames the
        // next chunk (a frame is never empty).
        loop {
            if self.pos < self.frame.len() {
                let n = buf.len().min(self.frame.len() - self.pos);
                buf[..n].copy_from_slice(&self.frame[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if self.finished {
                return Ok(0);
            }
            self.next_frame()?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::chunked::UnsignedChunks;
    use ChecksumAlgorithm::*;

    fn layout(len: u64, checksum: Option<ChecksumAlgorithm>) -> ChunkedLayout {
        let l = ChunkedLayout::unsigned(len, 8192).unwrap();
        match checksum {
            Some(a) => l.with_trailer(a.header_name().len(), a.base64_len()),
            None => l,
        }
    }

    #[test]
    fn a_body_of_another_length_than_declared_is_an_error() {
        let short = vec![1u8; 10_000];
        let mut body =
            ChunkedBody::new(&short[..], layout(20_000, None), UnsignedChunks, None).unwrap();
        let e = std::io::copy(&mut body, &mut std::io::sink()).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(
            e.to_string(),
            "the body ended before its declared length of 20000 bytes"
        );

        let long = vec![1u8; 20_001];
        let mut body = ChunkedBody::new(
            &long[..],
            layout(20_000, Some(Crc32)),
            UnsignedChunks,
            Some(Crc32),
        )
        .unwrap();
        let e = std::io::copy(&mut body, &mut std::io::sink()).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert_eq!(
            e.to_string(),
            "the body is longer than its declared length of 20000 bytes"
        );
        assert_eq!(body.checksum(), None);
    }

    #[test]
    fn the_layout_must_have_room_for_the_trailer() {
        let mismatch = Err(Error::MalformedSignature {
            reason: "trailer does not match the layout",
        });
        let new = |l, c| ChunkedBody::new(&b""[..], l, UnsignedChunks, c).map(|_| ());
        assert_eq!(new(layout(0, None), Some(Crc32)), mismatch);
        assert_eq!(new(layout(0, Some(Crc32)), None), mismatch);
        assert_eq!(new(layout(0, Some(Crc32)), Some(Sha256)), mismatch);
        // CRC32 and CRC32C have values of one length but not names.
        assert_eq!(new(layout(0, Some(Crc32)), Some(Crc32c)), mismatch);
        assert_eq!(new(layout(0, Some(Sha1)), Some(Sha1)), Ok(()));
    }

    /// A reader that hands out at most 3 bytes per call and is interrupted
    /// every other call: the body still comes out whole.
    #[test]
    fn short_and_interrupted_reads() {
        struct Trickle<'a>(&'a [u8], bool);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                self.1 = !self.1;
                if self.1 {
                    return Err(io::ErrorKind::Interrupted.into());
                }
                let n = buf.len().min(3).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let data: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        let l = layout(10_000, Some(Sha256));
        let expected = l
            .encode(
                &data,
                &mut UnsignedChunks,
                Some(Sha256.checksum(&data).header()),
            )
            .unwrap();
        let mut body =
            ChunkedBody::new(Trickle(&data, false), l, UnsignedChunks, Some(Sha256)).unwrap();
        let mut out = Vec::new();
        body.read_to_end(&mut out).unwrap();
        assert!(out == expected);
        assert_eq!(body.checksum(), Some(Sha256.checksum(&data)));
    }
}
