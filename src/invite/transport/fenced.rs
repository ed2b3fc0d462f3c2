//! The plain SMTP connection's socket, fenced by the run's lease at the final dot.

use crate::invite::lease::Lease;
use std::sync::Arc;

/// The plain connection's socket, which writes SMTP's final dot (lettre writes it on its own,
/// after the body) only while the lease has more than its margin left: the check is as close
/// to the point of no return as a write can be. Refused, the connection must be dropped.
#[derive(Debug)]
pub(super) struct FencedStream {
    socket: tokio::net::TcpStream,
    lease: Arc<Lease>,
    held_back: Arc<std::sync::Mutex<Option<String>>>,
}

/// What lettre writes, alone, to end a message's data.
const FINAL_DOT: &[u8] = b"\r\n.\r\n";

impl FencedStream {
    pub(super) fn new(
        socket: tokio::net::TcpStream,
        lease: Arc<Lease>,
        held_back: Arc<std::sync::Mutex<Option<String>>>,
    ) -> FencedStream {
        FencedStream {
            socket,
            lease,
            held_back,
        }
    }
}

impl tokio::io::AsyncRead for FencedStream {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.socket).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for FencedStream {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        if buf == FINAL_DOT
            && let Err(why) = self.lease.check()
        {
            if let Ok(mut held) = self.held_back.lock() {
                *held = Some(why.clone());
            }
            return std::task::Poll::Ready(Err(std::io::Error::other(why)));
        }
        std::pin::Pin::new(&mut self.socket).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.socket).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.socket).poll_shutdown(cx)
    }
}

impl lettre::transport::smtp::client::AsyncTokioStream for FencedStream {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.socket.peer_addr()
    }
}
