//! A send run: pace reserved per launch, a claim committed before each hand-over, the answer
//! recorded, a heartbeat while it runs, a pause after consecutive transport failures, and a
//! clean stop that leaves nothing `sending`.

use super::Setup;
use super::lease::{Lease, LeaseTerms, boot_clock};
use super::ledger::{Claimed, Ledger};
use super::transport::{Outcome, Transport};
use crate::config::invites::{MAX_RETRY, Rate};
use crate::db::DbError;
use crate::journal::{DispatchRunEvent, Journal, JournalEvent};
use lettre::address::Address;
use sha2::Digest;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Consecutive transport failures after which a run pauses.
pub const PAUSE_AFTER: u32 = 5;
use std::sync::Arc;
/// How long recording an answer is retried when the database is away.
const RECORD_FOR: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub struct SendOptions {
    pub batch: Option<String>,
    pub limit: Option<u64>,
    pub rate: Rate,
    pub operator: String,
    /// Wait for retries that are due later, instead of ending when nothing is due now.
    pub wait_for_retries: bool,
}

/// What a run reports as it goes.
#[derive(Debug, Clone)]
pub enum RunProgress {
    Started {
        run: Uuid,
        /// Dead runs' messages just turned `unknown`.
        settled: u64,
        others: Vec<super::LiveRun>,
    },
    Message {
        email: String,
        batch: String,
        state: &'static str,
        detail: String,
    },
    Waiting {
        for_secs: u64,
    },
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunEnd {
    pub run: Uuid,
    /// `finished`, `paused` or `stopped`.
    pub outcome: &'static str,
    pub reason: String,
    pub sent: u64,
    pub retried: u64,
    pub failed: u64,
    pub unknown: u64,
    pub not_handed: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("{0}")]
    Transport(#[from] super::transport::TransportError),
    #[error("database: {0}")]
    Database(#[from] DbError),
}

/// Runs until nothing is due (or `limit`), a pause, or `cancel`. The message in flight when
/// `cancel` fires is finished and recorded first.
pub async fn run(
    setup: &Setup,
    ledger: &Ledger,
    journal: &Journal,
    options: &SendOptions,
    progress: mpsc::UnboundedSender<RunProgress>,
    cancel: CancellationToken,
) -> Result<RunEnd, SendError> {
    let mut transport = setup.transport()?;
    let from: Address = setup.sender.from.email.clone();
    let run = Uuid::new_v4();
    let host = super::ledger::host_name();
    let resuming = ledger.last_run_paused().await.unwrap_or(false);
    let terms = LeaseTerms::from_env();
    let granted = boot_clock();
    let settled = ledger
        .start_run(
            run,
            options.batch.as_deref(),
            &options.operator,
            &host,
            terms,
        )
        .await?;
    let lease = Arc::new(Lease::granted(terms, granted));
    transport.fence(lease.clone());
    let others = ledger.live_runs(Some(run)).await.unwrap_or_default();
    let _ = progress.send(RunProgress::Started {
        run,
        settled,
        others: others.clone(),
    });
    let phase = if resuming { "resume" } else { "start" };
    journal_run(journal, run, options, phase, None, &transport, others.len()).await;
    let beating = CancellationToken::new();
    // The run stops on the operator's word or when it learns it was declared dead.
    let stopping = cancel.child_token();
    let declared_dead = CancellationToken::new();
    let heart = tokio::spawn(heartbeat(
        ledger.clone(),
        run,
        lease.clone(),
        beating.clone(),
        declared_dead.clone(),
    ));
    let watch_dead = {
        let (dead, stopping) = (declared_dead.clone(), stopping.clone());
        tokio::spawn(async move {
            dead.cancelled().await;
            stopping.cancel();
        })
    };
    let mut end = RunEnd {
        run,
        outcome: "finished",
        reason: String::new(),
        sent: 0,
        retried: 0,
        failed: 0,
        unknown: 0,
        not_handed: 0,
    };
    let mut handed = std::collections::HashSet::new();
    let result = drive(
        &Driver {
            setup,
            ledger,
            journal,
            options,
            from: &from,
            run,
            lease: &lease,
            progress: &progress,
            cancel: &stopping,
        },
        &mut transport,
        &mut end,
        &mut handed,
    )
    .await;
    transport.close().await;
    beating.cancel();
    let _ = heart.await;
    watch_dead.abort();
    if declared_dead.is_cancelled() || lease.is_revoked() {
        end.outcome = "stopped";
        end.reason = "declared dead after a silence; what it was handing over is unknown".into();
    }
    if result.is_ok() {
        // A row still `sending` under this run that was never handed over is a claim whose
        // answer the connection lost: it goes back. One that was handed over (its recorded
        // answer lost, say, in a database crash) stays in doubt, never to be sent again.
        let handed: Vec<i64> = handed.into_iter().collect();
        if let Err(e) = ledger.release_unhanded(run, &handed).await {
            tracing::warn!("claims lost with a connection stay for the next run to settle: {e}");
        }
    }
    if let Err(e) = &result {
        end.outcome = "stopped";
        end.reason = format!("the database failed: {e}");
    }
    let _ = ledger.end_run(run, end.outcome, &end.reason).await;
    journal_run(
        journal,
        run,
        options,
        end.outcome,
        Some(&end),
        &transport,
        0,
    )
    .await;
    result.map(|()| end)
}

/// What a run works with while it drives its claims.
struct Driver<'a> {
    setup: &'a Setup,
    ledger: &'a Ledger,
    journal: &'a Journal,
    options: &'a SendOptions,
    from: &'a Address,
    run: Uuid,
    lease: &'a Lease,
    progress: &'a mpsc::UnboundedSender<RunProgress>,
    cancel: &'a CancellationToken,
}

async fn drive(
    d: &Driver<'_>,
    transport: &mut Transport,
    end: &mut RunEnd,
    handed: &mut std::collections::HashSet<i64>,
) -> Result<(), SendError> {
    let (ledger, options, run, cancel) = (d.ledger, d.options, d.run, d.cancel);
    let mut failures_in_a_row = 0u32;
    let mut claimed_ahead: std::collections::VecDeque<Claimed> = std::collections::VecDeque::new();
    // The next claim whose hand-over mark went with the last answer.
    let mut premarked: Option<i64> = None;
    loop {
        if cancel.is_cancelled() {
            end.outcome = "stopped";
            end.reason = "stopped by the operator".into();
            return Ok(());
        }
        // The limit counts messages, not attempts: a retry of one already handed over is not
        // another message.
        if options
            .limit
            .is_some_and(|limit| handed.len() as u64 >= limit)
        {
            end.reason = format!("--limit {} reached", handed.len());
            return Ok(());
        }
        if let Some(gap) = options.rate.interval() {
            let wait = again(|| ledger.reserve_slot(gap)).await?;
            if !wait.is_zero() {
                tokio::select! {
                    () = cancel.cancelled() => continue,
                    () = tokio::time::sleep(wait) => {}
                }
            }
        }
        if claimed_ahead.is_empty() {
            let left = options
                .limit
                .map_or(u64::MAX, |l| l.saturating_sub(handed.len() as u64));
            let count = claim_ahead(options.rate).min(left.min(64)) as i64;
            claimed_ahead
                .extend(again(|| ledger.claim(run, options.batch.as_deref(), count)).await?);
        }
        let Some(claimed) = claimed_ahead.pop_front() else {
            match next_retry(ledger, options).await? {
                Some(wait) if options.wait_for_retries => {
                    let _ = d.progress.send(RunProgress::Waiting {
                        for_secs: wait.as_secs(),
                    });
                    tokio::select! {
                        () = cancel.cancelled() => {}
                        () = tokio::time::sleep(wait) => {}
                    }
                    continue;
                }
                Some(_) => end.reason = "retries are due later".into(),
                None => end.reason = "nothing left to send".into(),
            }
            return Ok(());
        };
        // No hand-over starts without the lease's margin: a run whose heartbeats do not get
        // through waits for one (or learns it was declared dead, and stops).
        if !lease_in_hand(d.lease, cancel).await {
            claimed_ahead.push_front(claimed);
            continue;
        }
        // The mark is what tells a claim handed over from one never handed over, should the
        // run die now; a claim no longer this run's is never handed over.
        if premarked.take() != Some(claimed.id)
            && !again(|| ledger.mark_handing(claimed.id, run)).await?
        {
            d.lease.revoke();
            end.outcome = "stopped";
            end.reason = "declared dead after a silence; its claims were taken back".into();
            return Ok(());
        }
        handed.insert(claimed.id);
        let outcome = hand_over(d.setup, transport, d.from, &claimed).await;
        let retry_in = match &outcome {
            Outcome::Temporary(_) | Outcome::NotHanded(_) => Some(retry_delay(
                d.setup.settings.retry,
                u32::try_from(claimed.attempts).unwrap_or(1),
            )),
            _ => None,
        };
        // Marking the next claim now leaves this run's dying with at most that one in doubt
        // (this answer is settled by the same statement).
        let next = claimed_ahead
            .front()
            .map(|c| c.id)
            .filter(|_| d.lease.check().is_ok());
        let (settled, marked) = record(ledger, &claimed, run, &outcome, retry_in, next).await?;
        if marked {
            premarked = next;
        }
        if !settled {
            late_answer(d, &claimed, &outcome).await;
            d.lease.revoke();
            end.outcome = "stopped";
            end.reason = "declared dead after a silence; its late answer is recorded".into();
            return Ok(());
        }
        match &outcome {
            Outcome::Accepted(_) => end.sent += 1,
            Outcome::Temporary(_) => end.retried += 1,
            Outcome::Permanent(_) => end.failed += 1,
            Outcome::InDoubt(_) => end.unknown += 1,
            Outcome::NotHanded(_) => end.not_handed += 1,
        }
        let _ = d.progress.send(RunProgress::Message {
            email: claimed.email.clone(),
            batch: claimed.batch.clone(),
            state: outcome.state().as_str(),
            detail: outcome.detail().to_owned(),
        });
        failures_in_a_row = match outcome {
            Outcome::Accepted(_) => 0,
            _ => failures_in_a_row + 1,
        };
        if failures_in_a_row >= PAUSE_AFTER {
            end.outcome = "paused";
            end.reason = format!(
                "{PAUSE_AFTER} hand-overs in a row failed (last: {}); check the transport, then resume",
                outcome.detail()
            );
            return Ok(());
        }
    }
}

/// Waits until the lease has more than its margin left; false when the run must stop instead
/// (declared dead, or stopped by the operator).
async fn lease_in_hand(lease: &Lease, cancel: &CancellationToken) -> bool {
    let mut warned = false;
    loop {
        match lease.check() {
            Ok(()) => return true,
            Err(_) if lease.is_revoked() => return false,
            Err(why) if !warned => {
                tracing::warn!("dispatch: no hand-over until a heartbeat gets through: {why}");
                warned = true;
            }
            Err(_) => {}
        }
        tokio::select! {
            () = cancel.cancelled() => return false,
            () = tokio::time::sleep(lease.terms().heartbeat() / 2) => {}
        }
    }
}

/// The answer of a run whose claim was taken from it: kept on the message and in the journal,
/// never dropped ("delivered by a run declared dead: possible duplicate").
async fn late_answer(d: &Driver<'_>, claimed: &Claimed, outcome: &Outcome) {
    let delivered = matches!(outcome, Outcome::Accepted(_));
    let what = if delivered {
        "delivered by a run declared dead: possible duplicate".to_owned()
    } else {
        format!(
            "late answer of a run declared dead (it would have been {})",
            outcome.state()
        )
    };
    let detail = format!("{what}: {}", outcome.detail());
    tracing::warn!("dispatch: {detail}");
    if let Err(e) = d
        .ledger
        .record_late(claimed.id, d.run, delivered, &detail)
        .await
    {
        tracing::warn!("the late answer could not be kept on the message: {e}");
    }
    let event = JournalEvent::DispatchRun(DispatchRunEvent {
        run: d.run.to_string(),
        phase: "late_answer".into(),
        batch: Some(claimed.batch.clone()),
        transport: String::new(),
        rate: d.options.rate.to_string(),
        reason: Some(format!(
            "{} ({}): {detail}",
            crate::text::sanitize_short(&claimed.email, 200),
            claimed.message_id
        )),
        sent: None,
        failed: None,
        unknown: None,
        retried: None,
        other_senders: None,
    });
    if let Err(e) = d.journal.record_now(event).await {
        tracing::warn!("the late answer was not journaled: {e}");
    }
}

/// Reads the stored bytes (refusing a file changed since prepare) and hands them over.
async fn hand_over(
    setup: &Setup,
    transport: &mut Transport,
    from: &Address,
    claimed: &Claimed,
) -> Outcome {
    let bytes = match tokio::fs::read(setup.eml_file(&claimed.batch, &claimed.eml_path)).await {
        Ok(bytes) => bytes,
        Err(e) => {
            return Outcome::Permanent(format!(
                "cannot read {}: {e}",
                crate::text::sanitize_short(&claimed.eml_path, 200)
            ));
        }
    };
    if hex::encode(sha2::Sha256::digest(&bytes)) != claimed.eml_sha256 {
        return Outcome::Permanent(
            "the .eml changed after prepare (its SHA-256 differs); prepare a new batch".into(),
        );
    }
    transport
        .send(from, &claimed.email, &bytes, setup.settings.send_timeout)
        .await
}

/// Records the answer, retrying while the database is away: the message must not stay
/// `sending` because of a dropped connection. If it cannot be recorded, the run stops and the
/// row turns `unknown` once the run is seen dead, never sent again by itself. Returns whether
/// it was settled (false: the claim is no longer this run's, a late answer) and whether
/// `mark_next` was marked.
async fn record(
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
async fn again<T, F, Fut>(mut step: F) -> Result<T, DbError>
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

/// How many messages a run claims at once. One at a time at an operator's pace; at high rates
/// (or none) a few per commit, since each synchronous commit costs a disk flush. Either way a
/// run that dies leaves at most the message in flight `unknown`: each hand-over is marked
/// first, and an unmarked claim goes back to `prepared` (see `Ledger::settle_dead_runs`).
pub fn claim_ahead(rate: Rate) -> u64 {
    match rate.0 {
        Some(per_second) if per_second < CLAIM_AHEAD_FROM => 1,
        _ => CLAIM_AHEAD,
    }
}

/// Claims per commit at high rates, and the rate (messages a second) from which they apply.
pub const CLAIM_AHEAD: u64 = 8;
pub const CLAIM_AHEAD_FROM: f64 = 100.0;

/// First retry after `first`, then twice as long each time, at most [`MAX_RETRY`].
pub fn retry_delay(first: Duration, attempts: u32) -> Duration {
    let doublings = attempts.saturating_sub(1).min(16);
    first.saturating_mul(1 << doublings).min(MAX_RETRY)
}

/// How long until the next `prepared` message of the run's scope is due, if any is waiting.
async fn next_retry(ledger: &Ledger, options: &SendOptions) -> Result<Option<Duration>, SendError> {
    Ok(ledger.waiting(options.batch.as_deref()).await?)
}

/// Beats until `stop`, renewing the lease from the moment each beat was sent; a run found
/// ended (declared dead elsewhere) revokes its lease and cancels `ended`, which stops it.
async fn heartbeat(
    ledger: Ledger,
    run: Uuid,
    lease: Arc<Lease>,
    stop: CancellationToken,
    ended: CancellationToken,
) {
    let terms = lease.terms();
    let mut tick = tokio::time::interval(terms.heartbeat());
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = tick.tick() => {
                let sent = boot_clock();
                match tokio::time::timeout(terms.lease, ledger.heartbeat(run)).await {
                    Ok(Ok(true)) => lease.renewed(sent),
                    Ok(Ok(false)) => {
                        tracing::warn!("this send run was declared dead after a silence; it stops");
                        lease.revoke();
                        ended.cancel();
                        return;
                    }
                    Ok(Err(e)) => tracing::warn!(
                        "dispatch heartbeat failed (the lease runs out {:?} after the last one): {e}",
                        terms.lease
                    ),
                    Err(_) => tracing::warn!("dispatch heartbeat got no answer within the lease"),
                }
            }
        }
    }
}

async fn journal_run(
    journal: &Journal,
    run: Uuid,
    options: &SendOptions,
    phase: &str,
    end: Option<&RunEnd>,
    transport: &Transport,
    others: usize,
) {
    let event = JournalEvent::DispatchRun(DispatchRunEvent {
        run: run.to_string(),
        phase: phase.to_owned(),
        batch: options.batch.clone(),
        transport: transport.describe(),
        rate: options.rate.to_string(),
        reason: end.map(|e| e.reason.clone()).filter(|r| !r.is_empty()),
        sent: end.map(|e| e.sent),
        failed: end.map(|e| e.failed),
        unknown: end.map(|e| e.unknown),
        retried: end.map(|e| e.retried + e.not_handed),
        other_senders: (others > 0).then_some(others as u64),
    });
    if let Err(e) = journal.record_now(event).await {
        tracing::warn!("the send run's {phase} was not journaled: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::retry_delay;
    use std::time::Duration;

    #[test]
    fn retries_double_up_to_fifteen_minutes() {
        let first = Duration::from_secs(30);
        assert_eq!(retry_delay(first, 1), Duration::from_secs(30));
        assert_eq!(retry_delay(first, 2), Duration::from_secs(60));
        assert_eq!(retry_delay(first, 5), Duration::from_secs(480));
        assert_eq!(retry_delay(first, 6), Duration::from_secs(900));
        assert_eq!(retry_delay(first, 60), Duration::from_secs(900));
    }
}
