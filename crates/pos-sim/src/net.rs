//! The listener and connection wrapper that let a handler drop its own connection.
//!
//! Fault injection needs to behave like a real network failure: "the gateway committed the
//! order and the connection died before the answer", "connection reset". An HTTP framework
//! cannot express that from a handler, so every accepted socket is wrapped in [`SimIo`], which
//! carries a [`ConnHandle`]. A handler gets the handle through axum's `ConnectInfo` and calls
//! [`ConnHandle::kill`]; from then on every read and write on that socket fails, hyper drops
//! the connection, and the socket is closed with `SO_LINGER = 0` so the peer sees a reset
//! rather than a clean end of stream. Nothing of the response is ever written.
//!
//! The opposite failure, "the answer started and the connection closed in the middle of it",
//! cannot be left to hyper either: a body that fails makes hyper drop the connection with the
//! head still in its write buffer, which the peer sees as a reset, not as a short body. So a
//! handler can also hand the connection exact bytes to send ([`ConnHandle::send_raw_and_close`]):
//! the next write hyper attempts sends those bytes instead, then the write side is shut down
//! (a FIN), and whatever hyper writes afterwards is discarded.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Shared between a connection's socket and the handlers of requests on it.
#[derive(Clone, Debug)]
pub struct ConnHandle {
    killed: Arc<AtomicBool>,
    raw: Arc<Mutex<Option<Bytes>>>,
    pub peer: SocketAddr,
}

impl ConnHandle {
    /// Makes the connection fail: the current response (and anything after it) is never sent.
    pub fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
    }

    fn is_killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }

    /// Sends `bytes` in place of the current response, then ends the stream cleanly: the peer
    /// reads exactly these bytes and then end-of-file.
    pub fn send_raw_and_close(&self, bytes: Bytes) {
        *self.raw.lock().unwrap_or_else(|p| p.into_inner()) = Some(bytes);
    }

    fn take_raw(&self) -> Option<Bytes> {
        self.raw.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// Where a connection taken over by [`ConnHandle::send_raw_and_close`] is.
enum Raw {
    /// Bytes still to send.
    Sending(Bytes),
    /// Sent; the write side is being shut down.
    ShuttingDown,
    /// Nothing more goes out; hyper's writes are discarded and reads see the end.
    Done,
}

/// An accepted TCP stream that can be killed by a handler.
pub struct SimIo {
    inner: TcpStream,
    handle: ConnHandle,
    raw: Option<Raw>,
}

impl SimIo {
    fn dead(&mut self) -> io::Error {
        // Linger 0 turns the close into a RST. Best effort: the error below ends the
        // connection either way.
        let _ = socket_linger_zero(&self.inner);
        io::Error::new(
            io::ErrorKind::ConnectionReset,
            "connection dropped by fault injection",
        )
    }

    /// Drives a raw takeover, if one was asked for. `None`: none, write normally.
    /// `Some(Ready(Ok))`: the raw bytes are out and the stream is closed for writing.
    fn poll_raw(&mut self, cx: &mut Context<'_>) -> Option<Poll<io::Result<()>>> {
        if self.raw.is_none() {
            self.raw = self.handle.take_raw().map(Raw::Sending);
        }
        loop {
            match self.raw.as_mut()? {
                Raw::Sending(rest) if rest.is_empty() => self.raw = Some(Raw::ShuttingDown),
                Raw::Sending(rest) => match Pin::new(&mut self.inner).poll_write(cx, rest) {
                    Poll::Ready(Ok(0)) => {
                        return Some(Poll::Ready(Err(io::ErrorKind::WriteZero.into())))
                    }
                    Poll::Ready(Ok(n)) => {
                        let _ = rest.split_to(n);
                    }
                    Poll::Ready(Err(e)) => return Some(Poll::Ready(Err(e))),
                    Poll::Pending => return Some(Poll::Pending),
                },
                Raw::ShuttingDown => match Pin::new(&mut self.inner).poll_shutdown(cx) {
                    Poll::Ready(r) => {
                        self.raw = Some(Raw::Done);
                        if let Err(e) = r {
                            return Some(Poll::Ready(Err(e)));
                        }
                    }
                    Poll::Pending => return Some(Poll::Pending),
                },
                Raw::Done => return Some(Poll::Ready(Ok(()))),
            }
        }
    }
}

#[allow(deprecated)]
fn socket_linger_zero(s: &TcpStream) -> io::Result<()> {
    s.set_linger(Some(std::time::Duration::ZERO))
}

impl AsyncRead for SimIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.handle.is_killed() {
            return Poll::Ready(Err(self.dead()));
        }
        if matches!(self.raw, Some(Raw::Done)) {
            // End of stream: hyper stops serving the connection and drops it.
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

/// The start of every write: a killed connection fails, a taken-over one sends its raw bytes
/// first and then swallows `len` bytes of hyper's output (reported as written).
macro_rules! before_write {
    ($io:expr, $cx:expr, $len:expr) => {
        if $io.handle.is_killed() {
            return Poll::Ready(Err($io.dead()));
        }
        match $io.poll_raw($cx) {
            None => {}
            Some(Poll::Ready(Ok(()))) => return Poll::Ready(Ok($len)),
            Some(Poll::Ready(Err(e))) => return Poll::Ready(Err(e)),
            Some(Poll::Pending) => return Poll::Pending,
        }
    };
}

impl AsyncWrite for SimIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        before_write!(self, cx, buf.len());
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        before_write!(self, cx, bufs.iter().map(|b| b.len()).sum());
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        before_write!(self, cx, ());
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(Raw::Done) = self.raw {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A `TcpListener` that hands out [`SimIo`] streams.
pub struct SimListener {
    inner: TcpListener,
}

impl SimListener {
    pub fn new(inner: TcpListener) -> SimListener {
        SimListener { inner }
    }
}

impl Listener for SimListener {
    type Io = SimIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (SimIo, SocketAddr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let handle = ConnHandle {
                        killed: Arc::new(AtomicBool::new(false)),
                        raw: Arc::new(Mutex::new(None)),
                        peer,
                    };
                    return (
                        SimIo {
                            inner: stream,
                            handle,
                            raw: None,
                        },
                        peer,
                    );
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

impl Connected<IncomingStream<'_, SimListener>> for ConnHandle {
    fn connect_info(stream: IncomingStream<'_, SimListener>) -> Self {
        stream.io().handle.clone()
    }
}
