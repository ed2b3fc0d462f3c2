//! The `/metrics` endpoint: a listener bound before anything starts (so a taken port is said
//! at once), then a small HTTP server on the runtime, beside the client's loop and never in
//! its way: a scrape renders from memory and the server stops with the session.

use super::{Metrics, MetricsError, text};
use axum::Router;
use axum::http::header;
use axum::routing::get;
use std::net::SocketAddr;
use tokio_util::sync::CancellationToken;

/// A bound address, not serving yet.
#[derive(Debug)]
pub struct Listener {
    inner: std::net::TcpListener,
    addr: SocketAddr,
}

impl Listener {
    /// Binds `addr` now (port 0 picks a free one).
    pub fn bind(addr: SocketAddr) -> Result<Listener, MetricsError> {
        let fail = |source| MetricsError::Bind { addr, source };
        let inner = std::net::TcpListener::bind(addr).map_err(fail)?;
        inner.set_nonblocking(true).map_err(fail)?;
        let addr = inner.local_addr().map_err(fail)?;
        Ok(Listener { inner, addr })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

/// The server while it runs; dropping it stops it (and the dispatch reads it started).
pub struct Server {
    addr: SocketAddr,
    stop: CancellationToken,
    reads: Option<tokio::task::JoinHandle<()>>,
}

impl Server {
    /// Serves `metrics` on `listener`; `reads` is the dispatch reader, stopped with the server.
    pub fn start(
        listener: Listener,
        metrics: Metrics,
        reads: Option<tokio::task::JoinHandle<()>>,
    ) -> Result<Server, MetricsError> {
        let addr = listener.addr;
        let listener = tokio::net::TcpListener::from_std(listener.inner)
            .map_err(|source| MetricsError::Bind { addr, source })?;
        let router = Router::new().route(
            "/metrics",
            get(move || {
                let body = metrics.render();
                async move { ([(header::CONTENT_TYPE, text::CONTENT_TYPE)], body) }
            }),
        );
        let stop = CancellationToken::new();
        let stopped = stop.clone().cancelled_owned();
        tokio::spawn(async move {
            let served = axum::serve(listener, router).with_graceful_shutdown(stopped);
            if let Err(e) = served.await {
                tracing::warn!(error = %e, "metrics: the server stopped");
            }
        });
        tracing::info!(%addr, "metrics: serving /metrics");
        Ok(Server { addr, stop, reads })
    }

    /// Where it listens (the port chosen, when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.cancel();
        if let Some(reads) = &self.reads {
            reads.abort();
        }
    }
}
