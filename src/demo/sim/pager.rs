//! The rehearsal's pager: a webhook receiver on 127.0.0.1 that takes gonogo's alerts as an
//! on-call tool would. It checks each delivery's signature, answers the first attempt of each
//! alert with a 503 (so the retry is seen), and writes a Timeline line per delivery it takes.

use crate::journal::{Journal, JournalEvent};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// The rehearsal's signing secret. Not a credential: it only signs loopback deliveries.
pub const SIGNING_SECRET: &str = "demo-signing-secret-local";
/// Who writes the pager's lines in the journal.
pub const PAGER_ACTOR: &str = "pager";

struct Pager {
    journal: Journal,
    /// Alerts whose first attempt was answered 503 already.
    refused_once: Mutex<HashSet<String>>,
}

/// Starts the pager; it stops when `cancel` fires. Returns its webhook URL.
pub async fn serve(
    pool: sqlx::PgPool,
    launch: &str,
    cancel: &CancellationToken,
) -> std::io::Result<(SocketAddr, String)> {
    let (listener, addr) = super::bind().await?;
    let pager = Arc::new(Pager {
        journal: Journal::new(pool, launch, PAGER_ACTOR),
        refused_once: Mutex::new(HashSet::new()),
    });
    let router = axum::Router::new()
        .route("/pager", axum::routing::post(receive))
        .with_state(pager);
    super::serve(listener, router, cancel);
    Ok((addr, format!("http://{addr}/pager")))
}

async fn receive(
    State(pager): State<Arc<Pager>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let id = header("x-gonogo-alert-id").unwrap_or_default().to_owned();
    let signed = header("x-gonogo-signature").is_some_and(|s| signature_ok(s, &body));
    let first = pager
        .refused_once
        .lock()
        .map(|mut seen| seen.insert(id.clone()))
        .unwrap_or(false);
    if first {
        return (StatusCode::SERVICE_UNAVAILABLE, "pager busy, try again");
    }
    let alert: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let text = |key: &str| crate::text::sanitize_short(alert[key].as_str().unwrap_or("?"), 160);
    let says = format!(
        "📟 pager got [{}] {} ({}, alert {})",
        text("severity"),
        text("title"),
        if signed {
            "signature verified"
        } else {
            "SIGNATURE INVALID"
        },
        crate::text::sanitize_short(&id, 12)
    );
    let event = JournalEvent::Demo {
        says,
        story_offset_secs: None,
    };
    if let Err(e) = pager.journal.record_now(event).await {
        tracing::warn!(error = %e, "the rehearsal's pager could not write its line");
    }
    (StatusCode::OK, "paged")
}

fn signature_ok(header: &str, body: &[u8]) -> bool {
    let now = chrono::Utc::now().timestamp();
    crate::alerts::verify(SIGNING_SECRET.as_bytes(), header, body, now)
}
