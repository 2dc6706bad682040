//! The listener and connection wrapper that let a handler drop its own connection.
//!
//! Fault injection needs to behave like a real network failure: "the gateway committed the
//! order and the connection died before the answer", "connection reset". An HTTP framework
//! cannot express that from a handler, so every accepted socket is wrapped in [`SimIo`], which
//! carries a [`ConnHandle`]. A handler gets the handle through axum's `ConnectInfo` and calls
//! [`ConnHandle::kill`]; from then on every read and write on that socket fails, hyper drops
//! the connection, and the socket is closed with `SO_LINGER = 0` so the peer sees a reset
//! rather than a clean end of stream. Nothing of the response is ever written.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Shared between a connection's socket and the handlers of requests on it.
#[derive(Clone, Debug)]
pub struct ConnHandle {
    killed: Arc<AtomicBool>,
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
}

/// An accepted TCP stream that can be killed by a handler.
pub struct SimIo {
    inner: TcpStream,
    handle: ConnHandle,
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
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for SimIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.handle.is_killed() {
            return Poll::Ready(Err(self.dead()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.handle.is_killed() {
            return Poll::Ready(Err(self.dead()));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.handle.is_killed() {
            return Poll::Ready(Err(self.dead()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
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
                        peer,
                    };
                    return (
                        SimIo {
                            inner: stream,
                            handle,
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
