//! A send run: pace reserved per launch, a claim committed before each hand-over, the answer
//! recorded, a heartbeat while it runs, a pause after consecutive transport failures, and a
//! clean stop that leaves nothing `sending`.

mod drive;
mod heartbeat;
mod record;
mod schedule;

use drive::{Driver, drive};
use heartbeat::heartbeat;
pub use schedule::{CLAIM_AHEAD, CLAIM_AHEAD_FROM, claim_ahead, retry_delay};

use super::Setup;
use super::lease::{Lease, LeaseTerms, boot_clock};
use super::ledger::Ledger;
use super::transport::Transport;
use crate::config::invites::Rate;
use crate::db::DbError;
use crate::journal::{DispatchRunEvent, Journal, JournalEvent};
use lettre::address::Address;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Consecutive transport failures after which a run pauses.
pub const PAUSE_AFTER: u32 = 5;

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
