//! Simulated external services for the rehearsal, each an axum server on its own 127.0.0.1
//! ephemeral port, answering from the shared [`SharedWorld`]. Nothing leaves loopback.

pub mod pager;
pub mod prometheus;
pub mod sentry;
pub mod status;

use super::world::SharedWorld;
use std::net::SocketAddr;
use tokio_util::sync::CancellationToken;

/// The Sentry organization the rehearsal's config names.
pub const SENTRY_ORG: &str = "acme";
/// The token the simulated Sentry expects. Not a credential: it only opens the local simulation.
pub const SENTRY_TOKEN: &str = "demo-token-local-simulation";

/// Where each simulated service listens.
#[derive(Debug, Clone, Copy)]
pub struct Endpoints {
    pub sentry: SocketAddr,
    pub prometheus: SocketAddr,
    pub statuspage: SocketAddr,
    pub github: SocketAddr,
}

impl Endpoints {
    pub fn url(addr: SocketAddr) -> String {
        format!("http://{addr}")
    }
}

/// Starts every simulated service; they stop when `cancel` fires.
pub async fn serve_all(
    world: &SharedWorld,
    cancel: &CancellationToken,
) -> std::io::Result<Endpoints> {
    let (sentry, sentry_addr) = bind().await?;
    let (prometheus, prometheus_addr) = bind().await?;
    let (statuspage, statuspage_addr) = bind().await?;
    let (github, github_addr) = bind().await?;
    serve(
        sentry,
        sentry::router(world.clone(), Endpoints::url(sentry_addr)),
        cancel,
    );
    serve(prometheus, prometheus::router(world.clone()), cancel);
    serve(statuspage, status::statuspage_router(world.clone()), cancel);
    serve(github, status::github_router(world.clone()), cancel);
    Ok(Endpoints {
        sentry: sentry_addr,
        prometheus: prometheus_addr,
        statuspage: statuspage_addr,
        github: github_addr,
    })
}

async fn bind() -> std::io::Result<(tokio::net::TcpListener, SocketAddr)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}

fn serve(listener: tokio::net::TcpListener, router: axum::Router, cancel: &CancellationToken) {
    let cancel = cancel.clone();
    tokio::spawn(async move {
        let shutdown = async move { cancel.cancelled().await };
        if let Err(e) = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::warn!(error = %e, "a simulated service stopped");
        }
    });
}
