//! A run's writes that outlast the database connection being replaced: the answer recorded,
//! and claims and pace reservations tried again.

use super::SendError;
use crate::db::DbError;
use crate::invite::ledger::{Claimed, Ledger};
use crate::invite::transport::Outcome;
use std::time::Duration;
use uuid::Uuid;

/// How long recording an answer is retried when the database is away.
const RECORD_FOR: Duration = Duration::from_secs(30);

/// Records the answer, retrying while the database is away: the message must not stay
/// `sending` because of a dropped connection. If it cannot be recorded, the run stops and the
/// row turns `unknown` once the run is seen dead, never sent again by itself. Returns whether
/// it was settled (false: the claim is no longer this run's, a late answer) and whether
/// `mark_next` was marked.
pub(super) async fn record(
    ledger: &Ledger,
    claimed: &Claimed,
    run: Uuid,
    outcome: &Outcome,
    retry_in: Option<Duration>,
    mark_next: Option<i64>,
) -> Result<(bool, bool), SendError> {
    let started = tokio::time::Instant::now();
    let mut wait = Duration::from_millis(100);
    loop {
        match ledger
            .settle(
                claimed.id,
                run,
                (outcome.state(), outcome.detail()),
                retry_in,
                mark_next,
            )
            .await
        {
            Ok(answer) => return Ok(answer),
            Err(e)
                if started.elapsed() < RECORD_FOR && (e.is_unavailable() || e.is_retryable()) =>
            {
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(2));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// A claim or a pace reservation, tried again while the database connection is being replaced
/// (a terminated backend, a restart), for up to [`RECORD_FOR`].
pub(super) async fn again<T, F, Fut>(mut step: F) -> Result<T, DbError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, DbError>>,
{
    let started = tokio::time::Instant::now();
    let mut wait = Duration::from_millis(100);
    loop {
        match step().await {
            Err(e) if started.elapsed() < RECORD_FOR && e.is_unavailable() => {
                tracing::warn!("dispatch: the database connection failed, trying again: {e}");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(2));
            }
            other => return other,
        }
    }
}
